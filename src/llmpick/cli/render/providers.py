"""`llmpick providers`: the providers, grouped by kind."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from llmpick.catalog.query import ProviderRow
from llmpick.cli.render.layout import Col, out, overlays_notice, table

KIND_TITLES = {
    "proprietary": "Companies selling proprietary LLMs (§1.2)",
    "open-source-company": "Companies releasing open LLMs (§1.3)",
    "community": "Open-source collectives and non-profits (§1.4)",
    "academia-government": "Academia and government (§1.5)",
}


PROVIDER_COLS = (
    Col("id", style="bold"),
    Col("provider", wrap=True, drop=3, least=18),
    Col("families", justify="right", drop=1),
    Col("models", justify="right", drop=2),
    Col("access", wrap=True, drop=4, wrap_first=True),
)


def providers(groups: dict[str, list[ProviderRow]], *, overlays: Sequence[str]) -> None:
    overlays_notice(overlays)
    for kind, rows in groups.items():
        if not rows:
            out.print(Text(KIND_TITLES[kind], style="bold"))
            out.print("  (none in the catalog)\n")
            continue
        table(
            PROVIDER_COLS,
            [
                (
                    r.provider.id,
                    r.provider.name,
                    str(r.families),
                    str(r.variants),
                    ", ".join(r.provider.channels),
                )
                for r in rows
            ],
            title=KIND_TITLES[kind],
        )
        out.print()
