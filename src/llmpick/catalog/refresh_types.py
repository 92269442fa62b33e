"""The documents of ``catalog refresh`` and ``catalog status`` (``refresh.py``'s
``run_refresh`` and ``status``) as TypedDicts, so that mypy checks both ends: the
builders and the renderer (``cli/render/catalog.py``).

They have no pydantic model or published JSON Schema; ``--json`` prints them as they
are. ``tests/cli/test_refresh_types.py`` checks real documents against these types
(every key, no more, each value's type). The renderer imports this module only under
``TYPE_CHECKING``.
"""

from typing import TypedDict

FactValue = list[float] | int | str | None
"""A fact the refresh tracks: a price as [input, output] USD per 1M tokens, a token
count, or a status; None where the catalog has none."""

# "from" is a keyword, so this one is spelt the functional way
SourceRead = TypedDict("SourceRead", {"from": str, "entries": int, "bytes": int, "seconds": float})
"""One dataset downloaded (or read with --from): where from, its size, how long."""


class Added(TypedDict):
    """A model upstream lists that the curated catalog does not (unreviewed)."""

    id: str
    provider: str
    name: str
    sources: list[str]


class Changed(TypedDict):
    """A fact that moves, old -> new, with the source of the new value."""

    id: str
    field: str
    old: FactValue
    new: FactValue
    source: str
    unreviewed: bool


class CatalogDiff(TypedDict):
    added: list[Added]
    changed: list[Changed]


class Missing(TypedDict):
    """A dataset key the catalog cites that upstream no longer has."""

    key: str
    cited_by: list[str]


class PreviousLayerNotes(TypedDict, total=False):
    """What was wrong with the previous layer, when something was."""

    previous_problem: str
    """Why the previous layer could not be used (it is replaced)."""
    previous_damaged: int
    """Entries of the previous layer dropped for their shape."""


class RefreshReport(PreviousLayerNotes):
    """``catalog refresh --json``."""

    sources: dict[str, SourceRead]
    added: list[Added]
    changed: list[Changed]
    missing: list[Missing]
    dry_run: bool
    layer: str
    previous: str | None
    written: bool


class CuratedInfo(TypedDict):
    verified: str | None
    models: int
    version: str


class LayerSource(TypedDict):
    url: str
    fetched: str
    entries: int


class LayerInfo(TypedDict):
    fetched: str
    written: str
    sources: dict[str, LayerSource]
    changed_models: int
    changed_facts: dict[str, int]
    confirmed_prices: int


class UnreviewedCount(TypedDict):
    total: int
    by_provider: dict[str, int]


class CatalogStatus(TypedDict):
    """``catalog status --json``."""

    catalog: CuratedInfo
    layer: LayerInfo | None
    layer_path: str
    layer_problem: str | None
    in_force: bool
    unreviewed: UnreviewedCount
    age_days: int
    warning: str | None
