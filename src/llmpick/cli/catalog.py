"""`llmpick catalog validate`, `refresh` and `status`: check the catalog, refresh its
prices, limits and new models, and say which layer is in force."""

from __future__ import annotations

from typing import Annotated

import typer

from llmpick.cli.emit import emit
from llmpick.cli.options import JsonOpt, check_choice
from llmpick.cli.state import state
from llmpick.errors import UsageError


def validate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PATH",
            help="Overlay directories or family files; none: the bundled catalog.",
            hidden=True,  # said in the docstring: Typer 0.29 would show <list[str]>
        ),
    ] = None,
    stats: Annotated[
        bool, typer.Option("--stats", help="Also report how complete the facts are.")
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Validate the bundled catalog, or overlays on top of it; exit 3 on any problem.

    Each PATH is an overlay directory or family file; none: the bundled catalog alone.

    The bundled catalog must also leave no active open generative model without
    architecture numbers or a stated reason to estimate from its size, and cite no
    path outside the project.

    Examples:

    \b
      llmpick catalog validate ./our-models
      llmpick catalog validate --stats --json
    """
    from llmpick.catalog.load import load_catalog, requested_overlays
    from llmpick.catalog.records import provenance
    from llmpick.engine.coverage import coverage
    from llmpick.errors import CatalogError, Problem

    cat = load_catalog(requested_overlays([*state.overlays, *(paths or [])]), use_cache=False)
    overlays = provenance(cat).in_force()
    report = coverage(cat)
    if not provenance(cat).overlays and report.gaps:
        raise CatalogError([Problem("catalog", gap) for gap in report.gaps])

    def human() -> None:
        from llmpick.cli.render.catalog import coverage, validated

        validated(cat, overlays)
        if stats:
            coverage(report.to_data())

    emit({"ok": True, "overlays": overlays, "coverage": report.to_data()}, json=json, human=human)


def _pairs(option: str, values: list[str] | None) -> dict[str, str]:
    from llmpick.catalog.layer_format import SOURCES

    out: dict[str, str] = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep or not value.strip():
            value_name = "URL" if option == "--url" else "FILE"
            raise UsageError(
                f"invalid value for {option}: {item!r}; expected NAME={value_name}, "
                f"NAME one of: {', '.join(SOURCES)}"
            )
        check_choice(option, name, SOURCES)
        out[name] = value
    return out


def refresh(
    source: Annotated[
        list[str] | None,
        typer.Option(
            metavar="DATASET",
            help="Dataset to read: litellm or models.dev (repeatable; default both).",
        ),
    ] = None,
    url: Annotated[
        list[str] | None,
        typer.Option(metavar="NAME=URL", help="Read dataset NAME from another URL."),
    ] = None,
    from_: Annotated[
        list[str] | None,
        typer.Option(
            "--from", metavar="NAME=FILE", help="Read dataset NAME from a local file (offline)."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would change; write nothing.")
    ] = False,
    timeout: Annotated[
        float,
        typer.Option(min=0.1, max=600, metavar="SECONDS", help="Seconds each download may take."),
    ] = 60.0,
    json: JsonOpt = False,
) -> None:
    """Refresh prices, limits and new API models from LiteLLM and models.dev.

    Writes a layer beside the curated catalog that every command uses: it never changes
    a licence, flavour, tuning or open-weights flag, never deletes, and marks new models
    unreviewed. A bad download changes nothing (exit 1).

    Examples:

    \b
      llmpick catalog refresh --dry-run
      llmpick catalog refresh --from litellm=prices.json
    """
    from llmpick.catalog.layer_format import SOURCES
    from llmpick.catalog.refresh import run_refresh

    urls = _pairs("--url", url)
    files = _pairs("--from", from_)
    for name in source or []:
        check_choice("--source", name, SOURCES)
    both = set(urls) & set(files)
    if both:
        raise UsageError(f"{sorted(both)[0]}: give --url or --from, not both")
    names = [n for n in SOURCES if n in {*(source or []), *urls, *files}] or list(SOURCES)
    report = run_refresh(
        state.curated, names, urls=urls, files=files, dry_run=dry_run, timeout=timeout
    )

    def human() -> None:
        from llmpick.cli.render.catalog import refresh_report

        refresh_report(report)

    emit(report, json=json, human=human)


def status(json: JsonOpt = False) -> None:
    """Show how fresh the catalog is: its dates, the refresh layer, unreviewed models.

    Warns when the newest data is older than 90 days.

    Example:

    \b
      llmpick catalog status
    """
    from llmpick.catalog.refresh import status as status_doc

    doc = status_doc(state.curated, ignored=state.no_refresh)

    def human() -> None:
        from llmpick.cli.render.catalog import catalog_status

        catalog_status(doc)

    emit(doc, json=json, human=human)
