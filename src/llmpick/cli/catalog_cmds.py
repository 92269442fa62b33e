"""`providers`, `models`, `show` and `catalog validate`."""

from __future__ import annotations

import shlex
from types import ModuleType
from typing import Annotated, Any

import typer

from llmpick.cli.emit import emit
from llmpick.cli.options import check_choice
from llmpick.cli.state import state
from llmpick.errors import UsageError
from llmpick.vocabulary import (
    ACCESS_KINDS,
    ACCESS_SAID,
    FLAVOURS,
    PROVIDER_KINDS,
    STATUSES,
    one_of,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON to stdout instead of a table.")]
NoPagerOpt = Annotated[
    bool,
    typer.Option(
        "--no-pager",
        help="Print straight to the terminal instead of through PAGER (or LLMPICK_PAGER).",
    ),
]

catalog_app = typer.Typer(
    help="Check the bundled catalog or an overlay; refresh prices, limits and new models.",
    no_args_is_help=True,
)


def providers(
    kind: Annotated[
        str | None,
        typer.Option(
            help=f"Only providers of this kind: {one_of(PROVIDER_KINDS)} (guide §1.1).",
        ),
    ] = None,
    json: JsonOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """List the providers, grouped by the four kinds of guide §1.1, with their model counts.

    Example: llmpick providers --kind community
    """
    from llmpick.catalog.query import providers_by_kind
    from llmpick.catalog.records import to_data

    groups = providers_by_kind(state.catalog, kind)
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
        human=lambda render: render.providers(groups),
        page=not no_pager,
    )


def models(
    words: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[WORDS]...",
            help="Words that must all appear in the id, name, family, provider or repo, "
            "e.g. qwen coder 7b.",
            show_default=False,
        ),
    ] = None,
    provider: Annotated[str | None, typer.Option(help="Provider id, e.g. meta.")] = None,
    access: Annotated[
        str | None, typer.Option(help=f"{one_of(ACCESS_KINDS, ACCESS_SAID)}.")
    ] = None,
    flavour: Annotated[
        str | None, typer.Option(help=f"{one_of(FLAVOURS)} (guide §2.2-2.6).")
    ] = None,
    status: Annotated[str | None, typer.Option(help=f"{one_of(STATUSES)}.")] = None,
    family: Annotated[str | None, typer.Option(help="Family id or name, e.g. llama-2.")] = None,
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

    Examples:

      llmpick models qwen coder 7b

      llmpick models --provider meta --flavour chat --limit 20
    """
    from llmpick.catalog.query import filter_variants, variant_summary

    check_choice("--flavour", flavour, FLAVOURS)
    check_choice("--status", status, STATUSES)
    check_choice("--access", access, ACCESS_KINDS)
    cat = state.catalog
    rows = filter_variants(
        cat,
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
    emit(
        lambda: [variant_summary(cat, v) for v in shown],
        json=json,
        human=lambda render: render.models(cat, shown, matched=len(rows)),
        page=not no_pager,
    )


def show(
    model: Annotated[
        str,
        typer.Argument(
            metavar="MODEL", help="Model id, name, Hugging Face repo id, Ollama tag or family."
        ),
    ],
    json: JsonOpt = False,
    snippet: Annotated[
        str | None,
        typer.Option(help="Print a ready-to-paste way to run it: ollama, transformers or api."),
    ] = None,
) -> None:
    """Show everything the catalog knows about one model or family, with its sources.

    Examples:

      llmpick show meta-llama/Llama-2-13b-chat-hf

      llmpick show qwen3-8b --snippet transformers
    """
    from llmpick.catalog.query import resolve, resolve_variant, variant_summary
    from llmpick.catalog.records import Variant, to_data

    cat = state.catalog
    if snippet is not None and json:
        raise UsageError(
            "--snippet prints code to paste, not JSON",
            hint=f"see 'llmpick show {shlex.quote(model)} --json': it carries every way to run it",
        )
    if snippet is not None:
        from llmpick.advice import SNIPPET_KINDS
        from llmpick.advice import snippet as make_snippet

        check_choice("--snippet", snippet, SNIPPET_KINDS)
        v = resolve_variant(cat, model)
        text = make_snippet(v, snippet)
        if text is None:
            ways = [k for k in SNIPPET_KINDS if make_snippet(v, k) is not None]
            raise UsageError(
                f"no {snippet} snippet for {v.id}: the catalog has no "
                + {
                    "ollama": "official Ollama tag",
                    "transformers": "open weights on Hugging Face",
                    "api": "API or cloud model id",
                }[snippet]
                + " for it",
                hint=f"try --snippet {ways[0]}" if ways else "see 'llmpick show " + v.id + "'",
            )
        language = "bash" if snippet == "ollama" else "python"
        emit(text, json=False, human=lambda render: render.snippet(text, language))
        return
    found = resolve(cat, model)

    def document() -> dict[str, Any]:
        from llmpick.catalog.query import successor_chain

        if isinstance(found, Variant):
            data = variant_summary(cat, found)
            data["successor_chain"] = successor_chain(cat, found.successor)
        else:
            data = to_data(found)
            data["successor_chain"] = successor_chain(cat, found.successor)
            data["variants"] = [variant_summary(cat, cat.variants[v]) for v in found.variants]
        return data

    emit(
        document,
        json=json,
        human=lambda render: (
            render.variant(cat, found) if isinstance(found, Variant) else render.family(cat, found)
        ),
    )


@catalog_app.command("validate")
def validate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Overlay directories or family files; none: the bundled catalog."),
    ] = None,
    stats: Annotated[
        bool, typer.Option("--stats", help="Also report how complete the facts are.")
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Validate the bundled catalog, or overlays on top of it; exit 3 on any problem.

    The bundled catalog must also leave no active open generative model without
    architecture numbers or a stated reason to estimate from its size, and cite no
    path outside the project.

    Examples:

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

    def human(render: ModuleType) -> None:
        render.validated(cat, overlays)
        if stats:
            render.coverage(report.to_data())

    emit({"ok": True, "overlays": overlays, "coverage": report.to_data()}, json=json, human=human)


def _pairs(option: str, values: list[str] | None) -> dict[str, str]:
    from llmpick.catalog.refresh import SOURCES

    out: dict[str, str] = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep or not value.strip():
            raise UsageError(f"invalid value for {option}: {item!r}; expected NAME=VALUE")
        check_choice(option, name, SOURCES)
        out[name] = value
    return out


@catalog_app.command("refresh")
def refresh(
    source: Annotated[
        list[str] | None,
        typer.Option(help="Dataset to read: litellm or models.dev (repeatable; default both)."),
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
        float, typer.Option(min=0.1, max=600, help="Seconds each download may take.")
    ] = 60.0,
    json: JsonOpt = False,
) -> None:
    """Refresh prices, limits and new API models from LiteLLM and models.dev.

    Writes a layer beside the curated catalog that every command uses: it never changes
    a licence, flavour, tuning or open-weights flag, never deletes, and marks new models
    unreviewed. A bad download changes nothing (exit 1).

    Examples:

      llmpick catalog refresh --dry-run

      llmpick catalog refresh --from litellm=prices.json
    """
    from llmpick.catalog.refresh import SOURCES, run_refresh

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
    emit(report, json=json, human=lambda render: render.refresh_report(report))


@catalog_app.command("status")
def status(json: JsonOpt = False) -> None:
    """Show how fresh the catalog is: its dates, the refresh layer, unreviewed models.

    Warns when the newest data is older than 90 days.

    Example: llmpick catalog status
    """
    from llmpick.catalog.refresh import status as status_doc

    doc = status_doc(state.curated, ignored=state.no_refresh)
    emit(doc, json=json, human=lambda render: render.catalog_status(doc))
