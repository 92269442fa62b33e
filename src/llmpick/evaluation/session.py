"""One evaluation, without the command line: plan (the cases, the targets, the judge
and what a resumed run keeps), run (each answer to the results file as it comes), and
report.

``llmpick eval`` checks its options, calls ``plan``, shows ``Session.run``'s progress
and prints ``Session.report``; this module says nothing about options or terminals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from llmpick.errors import UsageError
from llmpick.evaluation.cases import Case, load_cases
from llmpick.evaluation.report import build_report, current
from llmpick.evaluation.results import Key, ResultsWriter, is_done, read_results
from llmpick.evaluation.runner import RunConfig, RunSummary
from llmpick.evaluation.runner import plan as plan_jobs
from llmpick.evaluation.targets import (
    ModelInfo,
    Target,
    check_judge,
    load_targets,
    shortlist_targets,
)


def resumable(
    records: dict[Key, dict[str, Any]],
    candidates: Iterable[Target],
    cases: Iterable[Case],
    judge: Target | None,
) -> set[Key]:
    """The resume rule: the results a resumed run keeps instead of asking again.

    A record is kept when its target and case are still in the run, it was answered
    (passed or failed, not an error), it was made for the target and case as they are
    now (same endpoint and model name, same case), and, where a judge grades the case,
    it holds the judge's grade. Everything else is asked again."""
    by_name = {t.name: t for t in candidates}
    by_id = {c.id: c for c in cases}
    return {
        k
        for k, rec in records.items()
        if k[0] in by_name
        and k[1] in by_id
        and is_done(rec)
        and current(rec, by_name[k[0]], by_id[k[1]])
        and (judge is None or by_id[k[1]].expect.judge is None or "judge" in rec)
    }


@dataclass
class Session:
    """A planned evaluation: what to ask whom, what is kept from an earlier run."""

    cases_file: str
    cases: list[Case]
    candidates: list[Target]
    judge: Target | None
    repeat: int
    out: str | None = None
    notes: list[str] = field(default_factory=list)
    records: dict[Key, dict[str, Any]] = field(default_factory=dict)
    skip: set[Key] = field(default_factory=set)
    writer: ResultsWriter | None = None

    @property
    def jobs(self) -> int:
        """The requests still to send."""
        return len(plan_jobs(self.candidates, self.cases, self.repeat, self.skip))

    def run(self, config: RunConfig, on_result: Callable[[dict[str, Any]], object]) -> RunSummary:
        """Send the requests; each answer goes to the results file (flushed), into the
        report's records, then to ``on_result``. The results file is closed however the
        run ends (Ctrl-C included)."""
        from llmpick.evaluation.runner import run_sync

        def record(rec: dict[str, Any]) -> None:
            if self.writer is not None:
                self.writer.append(rec)
            self.records[(rec["target"], rec["case"], rec["repeat"])] = rec
            on_result(rec)

        try:
            summary = run_sync(
                self.candidates,
                self.cases,
                config,
                judge=self.judge,
                skip=self.skip,
                on_result=record,
            )
        finally:
            if self.writer is not None:
                self.writer.close()
        for name, n in summary.not_run.items():
            self.notes.append(f"{name}: {n} requests not sent after the target was stopped")
        return summary

    def report(self, summary: RunSummary) -> dict[str, Any]:
        """The report document, from every record (kept and new)."""
        return build_report(
            self.candidates,
            self.cases,
            self.repeat,
            self.records,
            cases_file=self.cases_file,
            results_file=self.out,
            judge=self.judge,
            stopped=summary.stopped,
            notes=self.notes,
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
    """Read the cases and targets, set the judge apart, and with ``resume`` keep what
    ``out`` already answers; then open ``out`` for the new results. ``shortlist`` is
    (file, base URL, the API key's variable); ``lookup`` finds a catalog model's facts."""
    cases = load_cases(cases_file)
    everyone: list[Target] = []
    notes: list[str] = []
    if targets_file is not None:
        everyone += load_targets(targets_file, lookup)
    if shortlist is not None:
        more, notes = shortlist_targets(*shortlist)
        taken = {t.name for t in everyone}
        clash = [t.name for t in more if t.name in taken]
        if clash:
            raise UsageError(f"target {clash[0]!r} is both in --targets and in --shortlist")
        everyone += more
    needs_judge = any(c.expect.judge is not None for c in cases)
    grader = check_judge(everyone, judge, needs_judge)
    candidates = [t for t in everyone if t is not grader]
    if not candidates:
        raise UsageError("no target left to evaluate besides the judge")
    session = Session(cases_file, cases, candidates, grader, repeat, out=out, notes=notes)
    if resume and out is not None:
        session.records, bad = read_results(out)
        if bad:
            notes.append(f"{bad} unreadable lines in {out} were ignored")
        session.skip = resumable(session.records, candidates, cases, grader)
    if out is not None:
        session.writer = ResultsWriter(out, resume)
    return session
