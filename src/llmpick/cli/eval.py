"""`eval`: ask the candidate models your own cases and report which pass, how fast, at
what cost. Parses, hands the options to llmpick.evaluation.session, renders."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from llmpick.errors import UsageError

if TYPE_CHECKING:
    from llmpick.evaluation.session import EvalOptions

# Each option once, as a type: its declaration (metavar, bounds, help) sits beside its
# name, and the command's signature reads as the list of what it takes.
CasesArg = Annotated[
    str | None,
    typer.Argument(
        metavar="CASES",
        help="Cases file: JSON Lines or a YAML list.",
        hidden=True,  # said in the docstring: Typer 0.29 would add <str>
    ),
]
TargetsOpt = Annotated[
    str | None,
    typer.Option(metavar="FILE", help="Targets file (YAML): the models and their endpoints."),
]
ShortlistOpt = Annotated[
    str | None, typer.Option(metavar="FILE", help="A shortlist from 'recommend --export x.json'.")
]
BaseUrlOpt = Annotated[
    str | None, typer.Option(metavar="URL", help="Endpoint serving the shortlist, e.g. Ollama's.")
]
ApiKeyEnvOpt = Annotated[
    str | None,
    typer.Option(metavar="NAME", help="With --shortlist: variable holding the API key."),
]
DataOpt = Annotated[
    str | None,
    typer.Option(metavar="FILE", help="Rows (.csv or .jsonl) for cases written with {{name}}."),
]
OutOpt = Annotated[
    str | None,
    typer.Option(metavar="FILE", help="Append one JSON line per request here, as it completes."),
]
ResumeOpt = Annotated[
    bool, typer.Option("--resume", help="Skip the requests already answered in --out.")
]
ConcurrencyOpt = Annotated[
    int, typer.Option(min=1, max=256, metavar="N", help="Requests at once per endpoint.")
]
RepeatOpt = Annotated[
    int, typer.Option(min=1, max=1000, metavar="N", help="Ask each case N times.")
]
TimeoutOpt = Annotated[
    float, typer.Option(min=0.05, max=3600, metavar="SECONDS", help="Per attempt.")
]
RetriesOpt = Annotated[
    int,
    typer.Option(min=0, max=10, metavar="N", help="Retries on 429, 5xx, timeouts, dropped links."),
]
MaxFailuresOpt = Annotated[
    int,
    typer.Option(
        min=1, max=10_000, metavar="N", help="Stop a target after N failed requests in a row."
    ),
]
JudgeOpt = Annotated[
    str | None,
    typer.Option(metavar="NAME", help="Target that grades 'judge' checks (not a candidate)."),
]
JsonReportOpt = Annotated[bool, typer.Option("--json", help="Print the report as JSON only.")]
ExportOpt = Annotated[
    list[str] | None,
    typer.Option(metavar="FILE", help="Also write the report: .json, .md or .html."),
]
JunitOpt = Annotated[
    str | None, typer.Option(metavar="FILE", help="Write JUnit XML for CI: a test per case.")
]
FailUnderOpt = Annotated[
    float | None,
    typer.Option(
        min=0.0, max=1.0, metavar="RATE", help="Exit 1 when the pick passes fewer (0..1)."
    ),
]
GateOpt = Annotated[
    list[str] | None,
    typer.Option(metavar="NAME", help="With --fail-under: hold this target to it instead."),
]
NoCacheOpt = Annotated[
    bool, typer.Option("--no-cache", help="Ask again even where an answer is cached.")
]
ClearCacheOpt = Annotated[
    bool, typer.Option("--clear-cache", help="Delete the cached answers first.")
]


def eval_(
    cases: CasesArg = None,
    targets: TargetsOpt = None,
    shortlist: ShortlistOpt = None,
    base_url: BaseUrlOpt = None,
    api_key_env: ApiKeyEnvOpt = None,
    data: DataOpt = None,
    out: OutOpt = None,
    resume: ResumeOpt = False,
    concurrency: ConcurrencyOpt = 4,
    repeat: RepeatOpt = 1,
    timeout: TimeoutOpt = 60.0,
    retries: RetriesOpt = 2,
    max_failures: MaxFailuresOpt = 5,
    judge: JudgeOpt = None,
    json: JsonReportOpt = False,
    export: ExportOpt = None,
    junit: JunitOpt = None,
    fail_under: FailUnderOpt = None,
    gate: GateOpt = None,
    no_cache: NoCacheOpt = False,
    clear_cache: ClearCacheOpt = False,
) -> None:
    """Try models on your own cases: which pass, how fast, at what cost.

    CASES is a cases file: JSON Lines or a YAML list. Each case is sent to every
    target's OpenAI-compatible /chat/completions endpoint;
    the answer passes when the case's checks pass (equals, contains, icontains,
    contains_any, contains_all, not_contains, starts_with, regex, is_json, json_schema,
    json_path, similar, max_latency_s, max_cost_usd, judge, not). Answers to requests at
    temperature 0 are cached. Exit 0 when the run completes, 1 when no target answered
    or --fail-under is not met, 2 for bad input, 130 when interrupted (results so far
    are kept in --out).

    Examples:

    \b
      llmpick eval cases.jsonl --targets t.yaml --out results.jsonl
      llmpick eval cases.jsonl --targets t.yaml --out results.jsonl --resume
      llmpick eval prompt.jsonl --data rows.csv --targets t.yaml --export r.html
      llmpick eval cases.jsonl --targets t.yaml --fail-under 0.9 --junit j.xml
      llmpick recommend --task chat --access open --export x.json
      llmpick eval cases.yaml --shortlist x.json --base-url http://localhost:11434
      llmpick eval cases.jsonl --targets t.yaml --judge grader --export r.md
    """
    if clear_cache:
        _clear_cache()
        if cases is None:
            return
    if cases is None:
        raise UsageError("missing the cases file", hint="llmpick eval CASES --targets FILE")
    from llmpick.evaluation.session import EvalOptions

    options = EvalOptions(
        cases,
        targets=targets,
        shortlist=shortlist,
        base_url=base_url,
        api_key_env=api_key_env,
        data=data,
        out=out,
        resume=resume,
        concurrency=concurrency,
        repeat=repeat,
        timeout=timeout,
        retries=retries,
        max_failures=max_failures,
        judge=judge,
        export=list(export or []),
        junit=junit,
        fail_under=fail_under,
        gate=list(gate or []),
        cache=not no_cache,
    )
    _run(options, json=json)


def _clear_cache() -> None:
    from llmpick.cli.render.layout import note
    from llmpick.evaluation.cache import clear

    n = clear()
    note(f"deleted {n} cached answer{'s' if n != 1 else ''}")


def _lookup(model: str) -> Any:
    from llmpick.catalog.query import resolve_variant
    from llmpick.cli.state import state
    from llmpick.evaluation.targets import model_info_from_variant

    return model_info_from_variant(resolve_variant(state.catalog, model))


def _run(options: EvalOptions, *, json: bool) -> None:
    """The session plans (every input checked before a request), runs and reports;
    this shows its progress and the report, and writes the exports. The verdict
    (exit 1) comes last, after the report is out."""
    from llmpick import export
    from llmpick.cli.emit import emit
    from llmpick.cli.render import eval as render
    from llmpick.cli.render.layout import note
    from llmpick.evaluation.session import Session

    session = Session(options, _lookup)
    if session.reused and not json:
        n = session.reused
        note(
            f"reusing {n} result{'' if n == 1 else 's'} from {options.out} (--resume); "
            f"asking {session.jobs}"
        )
    with render.eval_progress(session.jobs, enabled=not json and sys.stderr.isatty()) as progress:
        try:
            session.run(on_result=progress)
        except KeyboardInterrupt:
            if options.out is not None:
                note(f"results so far are in {options.out}; add --resume to continue")
            raise
    doc = session.report()
    written = session.write_outputs(doc)

    def human() -> None:
        render.eval_report(doc)
        for path in written:
            note(export.written(path))

    emit(doc, json=json, human=human)
    session.verdict(doc)
