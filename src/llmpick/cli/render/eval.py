"""`llmpick eval`: progress while the cases run, and the report."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text

from llmpick.cli.render.layout import Col, err, hang, out, real, table
from llmpick.evaluation.report import case_label
from llmpick.units import format_usd

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from llmpick.evaluation.report_types import (
        EvalReport,
        Recommendation,
        TargetRow,
        Unreachable,
    )

FAILURES_SHOWN = 3  # per target in the terminal; the exports list them all


class _EvalProgress:
    """A progress bar on stderr (a terminal only) while the requests run."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled = total, enabled and total > 0
        self.failed = 0
        self.empty = 0
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> _EvalProgress:
        if self.enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}", markup=False),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                # the console itself: rich's live display enters it as a context
                # manager, which the lazy proxy is not (it crashed in every terminal)
                console=real(err),
                transient=True,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task("asking", total=self.total)
        return self

    def __call__(self, record: dict[str, Any]) -> None:
        if self._progress is not None and self._task is not None:
            self.failed += record.get("outcome") == "error"
            self.empty += record.get("outcome") == "empty"
            counts = [
                f"{n} {w}"
                for n, w in ((self.failed, "error" if self.failed == 1 else "errors"),
                             (self.empty, "empty"))
                if n
            ]  # fmt: skip
            desc = f"asking ({', '.join(counts)})" if counts else "asking"
            self._progress.update(self._task, advance=1, description=desc)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(None, None, None)


def eval_progress(total: int, enabled: bool) -> _EvalProgress:
    return _EvalProgress(total, enabled)


def _secs(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}s"


def _pair(a: float | None, b: float | None) -> str:
    if a is None or b is None:
        return "–"
    return f"{a:.2f}/{b:.2f}s"


def _rate(r: TargetRow) -> str:
    iv = r["pass_rate_interval"]
    if r["pass_rate"] is None or iv is None:
        return "–"
    return f"{r['pass_rate']:.0%} [{iv[0]:.0%}–{iv[1]:.0%}]"


def _targets_table(rows: list[TargetRow]) -> None:
    """One row per target that answered. Columns drop whole, least telling first,
    rather than cutting a number; empty and errors show only when some target has any."""
    cols: list[tuple[Col, Callable[[TargetRow], str | Text]]] = [
        (Col("target", style="bold"), lambda r: Text(r["name"])),
        (Col("passed", "right"), lambda r: f"{r['passed']}/{r['total']}"),
        (Col("rate [95%]", "right"), _rate),
    ]
    if any(r["empty"] for r in rows):
        cols.append(
            (
                Col("empty", "right"),
                lambda r: Text(str(r["empty"]), style="yellow" if r["empty"] else ""),
            )
        )
    if any(r["errors"] for r in rows):
        cols.append(
            (
                Col("errors", "right", drop=4),
                lambda r: Text(str(r["errors"]), style="red" if r["errors"] else ""),
            )
        )
    cols += [
        (
            Col("p50/p95", "right", drop=3),
            lambda r: _pair(r["latency_s"]["p50"], r["latency_s"]["p95"]),
        ),
        (
            Col("1st token", "right", drop=1),
            lambda r: _secs(r["ttft_s"]["p50"] if r["ttft_s"] else None),
        ),
        (
            Col("tok/s", "right", drop=2),
            lambda r: "–" if r["output_tokens_per_s"] is None else f"{r['output_tokens_per_s']:g}",
        ),
        (
            Col("cost", "right"),
            lambda r: format_usd(r["cost_usd"]) + ("*" if r["self_hosted"] else ""),
        ),
    ]
    table([c for c, _ in cols], [[cell(r) for _, cell in cols] for r in rows])


def _chart(scored: list[tuple[TargetRow, float]]) -> None:
    """Pass rate against cost per answer, cheapest first, as bars that fit the width;
    ``scored``: each target with its pass rate."""
    rows = [r for r, _ in scored]
    out.print(Text("pass rate against cost per answer (cheapest first)", style="bold"))
    name_w = min(24, max(len(r["name"]) for r in rows))
    cost_w = max(len(format_usd(r["cost_per_answer_usd"])) for r in rows)
    bar = max(10, min(24, out.width - name_w - 2 - cost_w - 2 - 5))

    def cost_key(scored: tuple[TargetRow, float]) -> tuple[bool, float]:
        cost = scored[0]["cost_per_answer_usd"]
        return (cost is None, cost or 0)

    for r, rate in sorted(scored, key=cost_key):
        filled = round(rate * bar)
        name = r["name"] if len(r["name"]) <= name_w else r["name"][: name_w - 1] + "…"
        line = Text(name.ljust(name_w) + "  ")
        line.append(format_usd(r["cost_per_answer_usd"]).rjust(cost_w) + "  ")
        line.append("█" * filled, style="green")
        line.append("░" * (bar - filled), style="dim")
        line.append(f" {rate:.0%}")
        out.print(line, soft_wrap=True)


def _failures(rows: list[TargetRow], repeat: int) -> None:
    """The cases each target did not pass, a few each: what came back and why."""
    failing = [r for r in rows if r["failures"]]
    if not failing:
        return
    out.print(Text("cases not passed", style="bold"))
    for r in failing:
        fs = r["failures"]
        hang(Text(f"{r['name']}: ", style="bold"), f"{len(fs)} of {r['total']}")
        for f in fs[:FAILURES_SHOWN]:
            case = case_label(f, repeat)
            outcome = f["outcome"] + (", cut at the token limit" if f["truncated"] else "")
            why = "; ".join(f["why"])
            if f["answer"] is not None and f["outcome"] != "empty":
                answer = " ".join(str(f["answer"]).split())
                shown = repr(answer) if len(answer) <= 60 else repr(answer[:59]) + "…"
                if shown not in why:
                    why += f" — answered {shown}"
            hang(Text(f"  {case} ({outcome}): "), why, indent=4)
        if len(fs) > FAILURES_SHOWN:
            out.print(
                Text(
                    f"    +{len(fs) - FAILURES_SHOWN} more: --export report.md (or .html) "
                    "lists every one",
                    style="dim",
                ),
                soft_wrap=True,
            )


def eval_report(doc: EvalReport) -> None:
    """The eval report: a row per target that answered, pass rate against cost, the
    pick, the targets that never answered, what may make the figures wrong, the cases
    not passed, notes."""
    rows = [r for r in doc["targets"] if r["status"] == "ok"]
    if rows:
        _targets_table(rows)
    scored = [(r, rate) for r in rows if (rate := r["pass_rate"]) is not None]
    if len(scored) > 1:
        _chart(scored)
    _pick(doc["recommendation"])
    _unreachable(doc["unreachable"])
    _warnings(rows)  # what may make the figures wrong comes before the cases
    _failures(rows, doc["repeat"])
    for text in _notes(doc, rows):
        hang("", Text(text, style="dim"), indent=2)


def _pick(rec: Recommendation | None) -> None:
    if rec:
        pick = Text.assemble(("pick: ", "bold"), (rec["target"], "bold green"), f" — {rec['why']}")
        hang("", pick, indent=2)
    else:
        out.print(Text("no pick: no target passed any case", style="yellow"))


def _unreachable(unreachable: list[Unreachable]) -> None:
    if not unreachable:
        return
    out.print(
        Text("unreachable (no answer at all; not in the pick or the chart):", style="bold yellow")
    )
    for u in unreachable:
        hang(Text(f"  {u['name']}: ", style="yellow"), u["why"], indent=4)


def _is_warning(note: str) -> bool:
    """A target's note that questions its figures (shown in colour, before the cases)."""
    return any(w in note for w in ("empty", "cut at the token limit", "does not list"))


def _warnings(rows: list[TargetRow]) -> None:
    """Per target: why it was stopped, its errors, and the notes that question its
    figures."""
    for r in rows:
        if r["stopped"]:
            hang("", Text(f"{r['name']}: {r['stopped']}", style="yellow"), indent=2)
        for e in r["top_errors"]:
            hang("", Text(f"{r['name']}: {e['count']} × {e['error']}", style="red"), indent=2)
        for n in r["notes"]:
            if _is_warning(n):
                hang("", Text(f"{r['name']}: {n}", style="yellow"), indent=2)


def _notes(doc: EvalReport, rows: list[TargetRow]) -> list[str]:
    """The targets' other notes, the judge, the run's own notes (left out shortlist
    candidates, unread lines, requests not sent, who is self-hosted, what the rate
    counts), the cache, the reuse and the results file."""
    notes = [f"{r['name']}: {n}" for r in rows for n in r["notes"] if not _is_warning(n)]
    if doc["judge"]:
        j = doc["judge"]
        notes.append(
            f"judge: {j['name']} ({j['served_as']}), {j['requests']} verdicts, "
            f"{j['errors']} errors, cost {format_usd(j['cost_usd'])}"
        )
    notes += ["* " + n if n.startswith("self-hosted") else n for n in doc["notes"]]
    if doc.get("cached"):
        notes.append(
            f"{doc['cached']} answers came from the response cache (--no-cache asks again)"
        )
    if doc.get("reused"):
        notes.append(f"{doc['reused']} results reused from {doc['results_file']} (--resume)")
    if doc["results_file"]:
        notes.append(f"results: {doc['results_file']}")
    return notes
