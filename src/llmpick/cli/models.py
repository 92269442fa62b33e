"""`llmpick models`: list and search the catalog's models."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from llmpick.cli.emit import emit
from llmpick.cli.options import JsonOpt, NoPagerOpt, check_choice
from llmpick.cli.state import state
from llmpick.vocabulary import (
    ACCESS_KINDS,
    ACCESS_SAID,
    FLAVOURS,
    STATUSES,
    one_of,
)


def models(
    words: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="WORDS",
            help="Words that must all appear in the id, name, family, provider or repo.",
            show_default=False,
            hidden=True,  # said in the docstring: Typer 0.29 would show it as <list[str]>
        ),
    ] = None,
    provider: Annotated[
        str | None, typer.Option(metavar="PROVIDER", help="Provider id, e.g. meta.")
    ] = None,
    access: Annotated[
        str | None, typer.Option(metavar="ACCESS", help=f"{one_of(ACCESS_KINDS, ACCESS_SAID)}.")
    ] = None,
    flavour: Annotated[
        str | None, typer.Option(metavar="FLAVOUR", help=f"{one_of(FLAVOURS)} (guide §2.2-2.6).")
    ] = None,
    status: Annotated[
        str | None, typer.Option(metavar="STATUS", help=f"{one_of(STATUSES)}.")
    ] = None,
    family: Annotated[
        str | None, typer.Option(metavar="FAMILY", help="Family id or name, e.g. llama-2.")
    ] = None,
    search: Annotated[
        str | None,
        typer.Option(metavar="WORDS", help="The same as WORDS, as one option: 'coder 7b'."),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(min=1, metavar="N", help="Show only the first N models that match."),
    ] = None,
    json: JsonOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """List the models in the catalog, one row per variant.

    WORDS must all appear in a model's id, name, family, provider or repo.

    Examples:

    \b
      llmpick models qwen coder 7b
      llmpick models --provider meta --flavour chat --limit 20
    """
    from llmpick.catalog.query import variant_summary

    cat = state.catalog
    rows = select(
        provider=provider,
        access=access,
        flavour=flavour,
        status=status,
        family=family,
        search=" ".join([*(words or []), search or ""]),
    )
    shown = rows[:limit] if limit else rows
    if json and len(shown) < len(rows):
        from llmpick.cli.emit import notice

        more = len(rows) - len(shown)
        notice(f"note: {more} more model{'s' if more != 1 else ''} matched; raise --limit to see")

    def human() -> None:
        from llmpick.cli.render.models import models

        models(cat, shown, matched=len(rows), overlays=state.overlays_in_force())

    emit(
        lambda: [variant_summary(cat, v) for v in shown],
        json=json,
        human=human,
        page=not no_pager,
    )


def select(
    *,
    provider: str | None = None,
    access: str | None = None,
    flavour: str | None = None,
    status: str | None = None,
    family: str | None = None,
    search: str = "",
) -> list[Any]:
    """The variants that match (also the MCP server's `models` tool)."""
    from llmpick.catalog.query import filter_variants

    check_choice("--flavour", flavour, FLAVOURS)
    check_choice("--status", status, STATUSES)
    check_choice("--access", access, ACCESS_KINDS)
    return filter_variants(
        state.catalog,
        provider=provider,
        access=access,
        flavour=flavour,
        status=status,
        family=family,
        search=search,
    )
