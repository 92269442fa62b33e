"""`llmpick providers`: who makes models, grouped by kind."""

from __future__ import annotations

from typing import Annotated

import typer

from llmpick.cli.emit import emit
from llmpick.cli.options import JsonOpt, NoPagerOpt
from llmpick.cli.state import state
from llmpick.vocabulary import (
    PROVIDER_KINDS,
    one_of,
)


def providers(
    kind: Annotated[
        str | None,
        typer.Option(
            metavar="KIND",
            help=f"Only providers of this kind: {one_of(PROVIDER_KINDS)} (guide §1.1).",
        ),
    ] = None,
    json: JsonOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """List the providers, grouped by the four kinds of guide §1.1, with their model counts.

    Example:

    \b
      llmpick providers --kind community
    """
    from llmpick.catalog.query import providers_by_kind
    from llmpick.catalog.records import to_data

    groups = providers_by_kind(state.catalog, kind)

    def human() -> None:
        from llmpick.cli.render.providers import providers

        providers(groups, overlays=state.overlays_in_force())

    emit(
        lambda: [
            {
                **to_data(r.provider),
                "families": r.families,
                "models": r.variants,
            }
            for r in sorted(
                {r.provider.id: r for rows in groups.values() for r in rows}.values(),
                key=lambda r: r.provider.name.lower(),
            )
        ],
        json=json,
        human=human,
        page=not no_pager,
    )
