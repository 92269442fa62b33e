"""`eval`: ask the candidate models your own cases and report which pass, how fast, at
what cost. Parses, calls llmpick.evaluation, hands the report to the renderer."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from llmpick.errors import LlmpickError, UsageError


class NothingAnswered(LlmpickError):
    """Every request failed: exit 1 (failed cases are results; this is not)."""


def _lookup(model: str) -> Any:
    from llmpick.catalog.query import resolve_variant
    from llmpick.cli.state import state
    from llmpick.evaluation.targets import model_info_from_variant

    return model_info_from_variant(resolve_variant(state.catalog, model))


def eval_(
    cases: Annotated[
        str, typer.Argument(metavar="CASES", help="Cases file: JSON Lines or a YAML list.")
    ],
    targets: Annotated[
        str | None,
        typer.Option(metavar="FILE", help="Targets file (YAML): the models and their endpoints."),
    ] = None,
    shortlist: Annotated[
        str | None,
        typer.Option(metavar="FILE", help="A shortlist from 'recommend --export x.json'."),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(metavar="URL", help="Endpoint serving the shortlist, e.g. Ollama's."),
    ] = None,
    api_key_env: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="With --shortlist: variable holding the API key."),
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(
            metavar="FILE", help="Append one JSON line per request here, as it completes."
        ),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Skip the requests already answered in --out.")
    ] = False,
    concurrency: Annotated[
        int, typer.Option(min=1, max=256, help="Requests at once per endpoint.")
    ] = 4,
    repeat: Annotated[int, typer.Option(min=1, max=1000, help="Ask each case N times.")] = 1,
    timeout: Annotated[
        float, typer.Option(min=0.05, max=3600, metavar="SECONDS", help="Per attempt.")
    ] = 60.0,
    retries: Annotated[
        int, typer.Option(min=0, max=10, help="Retries on 429, 5xx, timeouts, dropped links.")
    ] = 2,
    max_failures: Annotated[
        int,
        typer.Option(min=1, max=10_000, help="Stop a target after N failed requests in a row."),
    ] = 5,
    judge: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Target that grades 'judge' checks (not a candidate)."),
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the report as JSON only.")] = False,
    export: Annotated[
        str | None, typer.Option(metavar="FILE", help="Also write the report (.json or .md).")
    ] = None,
) -> None:
    """Try models on your own cases: which pass, how fast, at what cost.

    Each case is sent to every target's OpenAI-compatible /chat/completions endpoint;
    the answer passes when all of the case's checks pass (equals, contains, regex,
    json_schema, judge). Exit 0 when the run completes, 1 when no request was answered,
    2 for bad input, 130 when interrupted (results so far are kept in --out).

    Examples:

      llmpick eval cases.jsonl --targets targets.yaml --out results.jsonl

      llmpick eval cases.yaml --targets targets.yaml --out results.jsonl --resume

      llmpick recommend --task chat --access open --export shortlist.json

      llmpick eval cases.jsonl --shortlist shortlist.json --base-url http://localhost:11434

      llmpick eval cases.jsonl --targets targets.yaml --judge grader --export report.md
    """
    from llmpick.cli import export as exporting

    exporting.check(export)
    if resume and out is None:
        raise UsageError("--resume needs --out FILE (the results to continue)")
    if base_url is not None and shortlist is None:
        raise UsageError("--base-url goes with --shortlist", hint="or write a targets file")
    if shortlist is not None and base_url is None:
        raise UsageError(
            "--shortlist needs --base-url URL (the endpoint that serves the models)",
            hint="e.g. --base-url http://localhost:11434 for a local Ollama",
        )
    if targets is None and shortlist is None:
        raise UsageError(
            "no targets: give --targets FILE, or --shortlist FILE with --base-url URL",
            hint="see 'llmpick eval --help' for a targets file",
        )
    from llmpick.evaluation import session as evaluation
    from llmpick.evaluation.report import answered_any, markdown
    from llmpick.evaluation.runner import RunConfig

    session = evaluation.plan(
        cases,
        targets_file=targets,
        shortlist=None
        if shortlist is None or base_url is None
        else (shortlist, base_url, api_key_env),
        judge=judge,
        repeat=repeat,
        out=out,
        resume=resume,
        lookup=_lookup,
    )
    config = RunConfig(
        concurrency=concurrency,
        repeat=repeat,
        timeout=timeout,
        retries=retries,
        max_failures=max_failures,
    )
    from llmpick.cli.render import eval as render
    from llmpick.cli.render.layout import note

    with render.eval_progress(session.jobs, enabled=not json and sys.stderr.isatty()) as progress:
        try:
            summary = session.run(config, on_result=progress)
        except KeyboardInterrupt:
            if out is not None:
                note(f"results so far are in {out}; add --resume to continue")
            raise
    doc = session.report(summary)
    if export is not None:
        exporting.write(export, doc, markdown)
    from llmpick.cli.emit import emit

    def human() -> None:
        render.eval_report(doc)
        if export is not None:
            note(exporting.written(export))

    emit(doc, json=json, human=human)
    if not answered_any(doc):
        raise NothingAnswered(
            "no request was answered by any target",
            hint="check that the endpoints are up, the model names (served_as) and the keys; "
            "see the errors above",
        )
