"""`llmpick models`: the models table."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from llmpick.catalog.records import Catalog, Variant
from llmpick.cli.render.layout import (
    COMMERCIAL_STYLE,
    STATUS_STYLE,
    Col,
    context_cell,
    out,
    overlays_notice,
    table,
)
from llmpick.units import (
    format_size,
)


def models(
    catalog: Catalog,
    variants: Sequence[Variant],
    *,
    matched: int | None = None,
    overlays: Sequence[str],
) -> None:
    """The models table; ``matched`` counts the models found when --limit kept fewer."""
    overlays_notice(overlays)
    if not variants:
        out.print("no model matches; try fewer words or filters", style="dim")
        return
    more = (matched or 0) - len(variants)
    models_table(
        catalog,
        variants,
        f"{len(variants)} of {matched} models; {more} more "
        f"{'matches' if more == 1 else 'match'} (raise --limit to see them)"
        if more > 0
        else None,
    )


# ids you type never drop; status says whether it is still served
MODEL_COLS = (
    Col("id", style="bold"),
    Col("family", wrap=True, drop=1, least=20),
    Col("flavour", drop=5),
    Col("params", justify="right", drop=4),
    Col("context", justify="right", drop=2),
    Col("access"),  # open weights or API only: never dropped
    Col("commercial", drop=6),
    Col("status"),
)


def models_table(catalog: Catalog, variants: Sequence[Variant], footer: str | None = None) -> None:
    rows = []
    for v in variants:
        lic = catalog.licenses[v.license]
        rows.append(
            (
                v.id,
                catalog.families[v.family].name,
                v.flavour,
                format_size(v.params_b, v.active_params_b),
                context_cell(v.context_window),
                "open" if v.open_weights else "API",
                Text(lic.commercial_use, style=COMMERCIAL_STYLE[lic.commercial_use]),
                Text(v.status, style=STATUS_STYLE[v.status]),
            )
        )
    table(MODEL_COLS, rows)
    n = len(variants)
    out.print(footer or f"{n} model{'' if n == 1 else 's'}", style="dim")
