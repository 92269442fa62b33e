"""An eval session, between the library and the command line: plan, run, report.

``Session`` checks the options and every input before a request is sent (cases and
data rows, targets, the judge, the results to resume, every output path), runs the
requests while appending each result to ``--out``, and builds the report; then the
exports (JSON, Markdown, HTML), the JUnit file and the CI gate. The command parses
options, hands them here, and renders; tests drive a Session without Typer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmpick import export
from llmpick.errors import LlmpickError, UsageError
from llmpick.evaluation.cases import Case
from llmpick.evaluation.results import Key
from llmpick.evaluation.runner import RunConfig, RunSummary
from llmpick.evaluation.targets import ModelInfo, Target

if TYPE_CHECKING:
    from llmpick.evaluation.report_types import EvalReport


def _markdown(doc: EvalReport) -> str:
    from llmpick.evaluation.report import markdown

    return markdown(doc)


def _html(doc: EvalReport) -> str:
    from llmpick.evaluation.html import report_html

    return report_html(doc)


# what --export writes besides JSON, by suffix (each renderer imported when used)
EXPORTS = {".md": _markdown, ".html": _html}


class NothingAnswered(LlmpickError):
    """No target gave a usable answer: exit 1 (failed cases are results; this is not)."""


class GateFailed(LlmpickError):
    """The CI gate (--fail-under): exit 1."""


@dataclass(slots=True)
class EvalOptions:
    """What the command line (or a test) asks for; the same names as the options."""

    cases: str
    targets: str | None = None
    shortlist: str | None = None
    base_url: str | None = None
    api_key_env: str | None = None
    data: str | None = None
    out: str | None = None
    resume: bool = False
    concurrency: int = 4
    repeat: int = 1
    timeout: float = 60.0
    retries: int = 2
    max_failures: int = 5
    judge: str | None = None
    export: list[str] = field(default_factory=list)
    junit: str | None = None
    fail_under: float | None = None
    gate: list[str] = field(default_factory=list)
    cache: bool = True


def outputs(o: EvalOptions) -> list[tuple[str, str]]:
    """(option, path) for each file the run writes: --out, --junit, every --export."""
    given = [("--out", o.out), ("--junit", o.junit), *(("--export", e) for e in o.export)]
    return [(option, path) for option, path in given if path is not None]


def check_usage(o: EvalOptions) -> None:
    """Option combinations that cannot work, before any file is read."""
    read = {"CASES": o.cases, "--targets": o.targets, "--shortlist": o.shortlist, "--data": o.data}
    for path in o.export:
        export.check(path, EXPORTS, inputs=read)
    if o.resume and o.out is None:
        raise UsageError("--resume needs --out FILE (the results to continue)")
    if o.base_url is not None and o.shortlist is None:
        raise UsageError("--base-url goes with --shortlist", hint="or write a targets file")
    if o.shortlist is not None and o.base_url is None:
        raise UsageError(
            "--shortlist needs --base-url URL (the endpoint that serves the models)",
            hint="e.g. --base-url http://localhost:11434 for a local Ollama",
        )
    if o.targets is None and o.shortlist is None:
        raise UsageError(
            "no targets: give --targets FILE, or --shortlist FILE with --base-url URL",
            hint="see 'llmpick eval --help' for a targets file",
        )
    if o.gate and o.fail_under is None:
        raise UsageError("--gate NAME goes with --fail-under RATE", hint="e.g. --fail-under 0.9")
    if o.fail_under is not None and not 0 <= o.fail_under <= 1:
        raise UsageError(f"--fail-under {o.fail_under:g}: give a pass rate from 0 to 1, e.g. 0.9")
    seen: dict[str, str] = {}
    for option, given in outputs(o):
        key = str(Path(given).resolve())
        if key in seen:
            raise UsageError(f"{option} {given} is also given to {seen[key]}: give another file")
        seen[key] = option


def resumable(
    records: dict[Key, dict[str, Any]],
    candidates: Iterable[Target],
    cases: Iterable[Case],
    judge: Target | None,
    repeat: int | None = None,
) -> set[Key]:
    """The resume rule: the results a resumed run keeps instead of asking again.

    A record is kept when its target and case are still in the run (and its repeat,
    when ``repeat`` is given), it was answered (passed or failed, not an error or an
    empty answer), it was made for the target and case as they are now (same endpoint,
    model name and system prompt, same case), and, where a judge grades the case, it
    holds the judge's grade. Everything else is asked again."""
    from llmpick.evaluation.report import current
    from llmpick.evaluation.results import is_done

    by_name = {t.name: t for t in candidates}
    by_id = {c.id: c for c in cases}
    return {
        k
        for k, rec in records.items()
        if k[0] in by_name
        and k[1] in by_id
        and (repeat is None or k[2] < repeat)
        and is_done(rec)
        and current(rec, by_name[k[0]], by_id[k[1]])
        and (judge is None or by_id[k[1]].expect.judge is None or "judge" in rec)
    }


def all_targets(
    o: EvalOptions, lookup: Callable[[str], ModelInfo]
) -> tuple[list[Target], list[str]]:
    """The targets of --targets and of --shortlist (a name in both is refused), the judge
    among them, and notes on the shortlist's candidates left out."""
    from llmpick.evaluation.targets import load_targets, shortlist_targets

    everyone = load_targets(o.targets, lookup) if o.targets is not None else []
    notes: list[str] = []
    if o.shortlist is not None and o.base_url is not None:
        more, notes = shortlist_targets(o.shortlist, o.base_url, o.api_key_env)
        taken = {t.name for t in everyone}
        clash = [t.name for t in more if t.name in taken]
        if clash:
            raise UsageError(f"target {clash[0]!r} is both in --targets and in --shortlist")
        everyone += more
    return everyone, notes


def check_gate(gate: list[str], names: list[str]) -> None:
    """Every --gate names a candidate (not the judge)."""
    from llmpick.evaluation.cases import did_you_mean

    for g in gate:
        if g not in names:
            hint = did_you_mean(g, sorted(names))
            raise UsageError(
                f"--gate {g!r} is not one of the targets",
                hint=f"did you mean {hint!r}?" if hint else "choose from: " + ", ".join(names),
            )


class Session:
    """One eval run: everything is checked in the constructor, before a request, and
    the results file is opened there (a file that already holds results is refused
    unless resumed)."""

    def __init__(self, o: EvalOptions, lookup: Callable[[str], ModelInfo]) -> None:
        from llmpick.evaluation.cases import load_cases
        from llmpick.evaluation.results import ResultsWriter, check_output, read_results
        from llmpick.evaluation.runner import plan
        from llmpick.evaluation.targets import check_judge

        check_usage(o)
        self.options = o
        self.cases: list[Case] = load_cases(o.cases, o.data)
        everyone, self.notes = all_targets(o, lookup)
        needs_judge = any(c.expect.judge is not None for c in self.cases)
        self.judge = check_judge(everyone, o.judge, needs_judge)
        self.candidates = [t for t in everyone if t is not self.judge]
        if not self.candidates:
            raise UsageError("no target left to evaluate besides the judge")
        check_gate(o.gate, [t.name for t in self.candidates])
        # every output is checked before the first request: a run that cannot keep its
        # results should not spend anything
        for option, path in outputs(o):
            check_output(path, option)
        self.records: dict[Key, dict[str, Any]] = {}
        if o.resume and o.out is not None:
            self.records, bad = read_results(o.out)
            if bad:
                self.notes.append(f"{bad} unreadable lines in {o.out} were ignored")
        self.skip = resumable(self.records, self.candidates, self.cases, self.judge, o.repeat)
        self.reused = len(self.skip)
        self.jobs = len(plan(self.candidates, self.cases, o.repeat, self.skip))
        self.summary = RunSummary()
        self.writer = ResultsWriter(o.out, o.resume) if o.out is not None else None

    def config(self) -> RunConfig:
        o = self.options
        return RunConfig(
            concurrency=o.concurrency,
            repeat=o.repeat,
            timeout=o.timeout,
            retries=o.retries,
            max_failures=o.max_failures,
            cache=o.cache,
        )

    def run(
        self,
        config: RunConfig | None = None,
        on_result: Callable[[dict[str, Any]], object] = lambda rec: None,
    ) -> RunSummary:
        """Send the requests; each result goes to --out (flushed), into the report's
        records, then to ``on_result``. The results file is closed however the run ends
        (Ctrl-C included); KeyboardInterrupt propagates once what came is written."""
        from llmpick.evaluation.runner import run_sync

        writer = self.writer

        def keep(rec: dict[str, Any]) -> None:
            if writer is not None:
                writer.append(rec)
            self.records[(rec["target"], rec["case"], rec["repeat"])] = rec
            on_result(rec)

        try:
            self.summary = run_sync(
                self.candidates,
                self.cases,
                config or self.config(),
                judge=self.judge,
                skip=self.skip,
                on_result=keep,
            )
        finally:
            if writer is not None:
                writer.close()  # reports a failure only if no write reported one first
        return self.summary

    def report(self, summary: RunSummary | None = None) -> EvalReport:
        """The report document, from every record (kept and new)."""
        from llmpick.evaluation.report import build_report

        s = summary or self.summary
        notes = list(self.notes)
        notes += [f"{name}: {n} requests not sent after the target was stopped"
                  for name, n in s.not_run.items()]  # fmt: skip
        return build_report(
            self.candidates,
            self.cases,
            self.options.repeat,
            self.records,
            cases_file=self.options.cases,
            results_file=self.options.out,
            judge=self.judge,
            stopped=s.stopped,
            notes=notes,
            reused=self.reused,
            target_notes=s.target_notes,
        )

    def current_records(self) -> dict[Key, dict[str, Any]]:
        """The records the report counts (made for today's cases and targets)."""
        from llmpick.evaluation.report import current

        by_name = {t.name: t for t in self.candidates}
        by_id = {c.id: c for c in self.cases}
        return {
            k: r
            for k, r in self.records.items()
            if k[0] in by_name
            and k[1] in by_id
            and k[2] < self.options.repeat
            and current(r, by_name[k[0]], by_id[k[1]])
        }

    def write_outputs(self, doc: EvalReport) -> list[str]:
        """The exports (through the one export writer) and the JUnit file, each written
        atomically. Returns what was written."""
        from llmpick.files import write_atomic

        for path in self.options.export:
            export.write(path, doc, EXPORTS)
        written = list(self.options.export)
        if self.options.junit is not None:
            from llmpick.evaluation.gate import junit_xml

            write_atomic(self.options.junit, junit_xml(doc, self.current_records()))
            written.append(self.options.junit)
        return written

    def verdict(self, doc: EvalReport) -> None:
        """Raise for exit 1: nothing answered, or the CI gate failed."""
        from llmpick.evaluation.report import EMPTY_HINT

        rows = doc["targets"]
        if not any(r["passed"] + r["failed"] > 0 for r in rows):
            if any(r["empty"] for r in rows):
                raise NothingAnswered(
                    "every answer came back empty: no target gave one to check",
                    hint=EMPTY_HINT,
                )
            raise NothingAnswered(
                "no request was answered by any target",
                hint="check that the endpoints are up, the model names (served_as) and the "
                "keys; see the errors above",
            )
        if self.options.fail_under is not None:
            from llmpick.evaluation.gate import gate_failures

            failures = gate_failures(doc, self.options.fail_under, self.options.gate)
            if failures:
                raise GateFailed(
                    "; ".join(failures),
                    hint="the run's results are kept; the report above shows the cases not passed",
                )


def plan(
    cases_file: str,
    *,
    targets_file: str | None,
    shortlist: tuple[str, str, str | None] | None,
    judge: str | None,
    repeat: int,
    out: str | None,
    resume: bool,
    lookup: Callable[[str], ModelInfo],
) -> Session:
    """A Session from the options one by one; ``shortlist`` is (file, base URL, the API
    key's variable)."""
    file, base_url, key_env = shortlist if shortlist is not None else (None, None, None)
    options = EvalOptions(
        cases_file,
        targets=targets_file,
        shortlist=file,
        base_url=base_url,
        api_key_env=key_env,
        judge=judge,
        repeat=repeat,
        out=out,
        resume=resume,
    )
    return Session(options, lookup)
