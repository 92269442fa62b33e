"""llmpick: pick the right large language model for a job, with reasons.

The public API is a library; the ``llmpick`` command is a thin layer over it::

    import llmpick

    catalog = llmpick.load_catalog()
    req = llmpick.build_requirements({"task": "chat", "access": "open", "gpu_memory": "24GB"})
    rec = llmpick.recommend(catalog, req, top=5)
    doc = llmpick.shortlist(catalog, rec)        # the JSON document of `recommend --json`

Names are imported on first use, so ``import llmpick`` stays cheap.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = [
    "CatalogError",
    "LlmpickError",
    "UsageError",
    "__version__",
    "build_requirements",
    "load_catalog",
    "load_guide",
    "recommend",
    "shortlist",
    "why",
]

_EXPORTS = {
    "load_catalog": ("llmpick.catalog.load", "load_catalog"),
    "load_guide": ("llmpick.guide", "load_guide"),
    "recommend": ("llmpick.engine.rank", "recommend"),
    "build_requirements": ("llmpick.engine.requirements", "build"),
    "shortlist": ("llmpick.output.build", "shortlist"),
    "why": ("llmpick.output.build", "why"),
    "CatalogError": ("llmpick.errors", "CatalogError"),
    "LlmpickError": ("llmpick.errors", "LlmpickError"),
    "UsageError": ("llmpick.errors", "UsageError"),
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        module, attr = _EXPORTS[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'llmpick' has no attribute {name!r}")
