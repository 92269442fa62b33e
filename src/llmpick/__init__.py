"""llmpick: pick the right large language model for a job, with reasons.

The public API is a library; the ``llmpick`` command is a thin layer over it.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
