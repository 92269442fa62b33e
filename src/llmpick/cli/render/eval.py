"""`llmpick eval`: progress while the cases run, and the report."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from llmpick.cli.render.layout import err, out, real
from llmpick.units import (
    format_usd,
)


class _EvalProgress:
    """A progress bar on stderr (a terminal only) while the requests run."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled = total, enabled and total > 0
        self.failed = 0
        self._progress: Any = None

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
        if self._progress is not None:
            self.failed += record.get("outcome") == "error"
            desc = f"asking ({self.failed} errors)" if self.failed else "asking"
            self._progress.update(self._task, advance=1, description=desc)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(None, None, None)


def eval_progress(total: int, enabled: bool) -> _EvalProgress:
    return _EvalProgress(total, enabled)


def eval_report(doc: dict[str, Any]) -> None:
    """The eval report: one row per target, pass rate against cost, the pick, notes."""

    def secs(x: float | None) -> str:
        return "–" if x is None else f"{x:.2f}s"

    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("target", style="bold", no_wrap=True)
    table.add_column("passed", justify="right", no_wrap=True)
    table.add_column("rate [95%]", justify="right", no_wrap=True)
    table.add_column("errors", justify="right")
    table.add_column("p50/p95", justify="right")
    table.add_column("1st token", justify="right")
    table.add_column("tok/s", justify="right")
    table.add_column("cost", justify="right", no_wrap=True)
    for r in doc["targets"]:
        iv = r["pass_rate_interval"]
        rate = "–" if r["pass_rate"] is None else f"{r['pass_rate']:.0%} [{iv[0]:.0%}–{iv[1]:.0%}]"
        ttft = r["ttft_s"]["p50"] if r["ttft_s"] else None
        table.add_row(
            Text(r["name"]),
            f"{r['passed']}/{r['total']}",
            rate,
            Text(str(r["errors"]), style="red" if r["errors"] else ""),
            f"{secs(r['latency_s']['p50'])}/{secs(r['latency_s']['p95'])}",
            secs(ttft),
            "–" if r["output_tokens_per_s"] is None else f"{r['output_tokens_per_s']:g}",
            format_usd(r["cost_usd"]) + ("*" if r["self_hosted"] else ""),
        )
    out.print(table)
    rows = [r for r in doc["targets"] if r["pass_rate"] is not None]
    if len(rows) > 1:
        out.print("pass rate against cost per answer (cheapest first)", style="bold")
        width = 24
        name_w = min(24, max(len(r["name"]) for r in rows))
        cost_key = lambda r: (r["cost_per_answer_usd"] is None, r["cost_per_answer_usd"] or 0)  # noqa: E731
        for r in sorted(rows, key=cost_key):
            filled = round(r["pass_rate"] * width)
            line = Text(r["name"][:name_w].ljust(name_w) + "  ")
            line.append(format_usd(r["cost_per_answer_usd"]).rjust(9) + "  ")
            line.append("█" * filled, style="green")
            line.append("░" * (width - filled), style="dim")
            line.append(f" {r['pass_rate']:.0%}")
            out.print(line)
    rec = doc["recommendation"]
    if rec:
        out.print(
            Text("pick: ", style="bold"),
            Text(rec["target"], style="bold green"),
            Text(f" — {rec['why']}"),
            sep="",
        )
    else:
        out.print(Text("no pick: no target passed any case", style="yellow"))
    for r in doc["targets"]:
        if r["stopped"]:
            out.print(Text(f"{r['name']}: {r['stopped']}", style="yellow"))
        for e in r["top_errors"]:
            out.print(Text(f"{r['name']}: {e['count']} × {e['error']}", style="red"))
        for n in r["notes"]:
            out.print(Text(f"{r['name']}: {n}", style="dim"))
    if doc["judge"]:
        j = doc["judge"]
        out.print(
            Text(
                f"judge: {j['name']} ({j['served_as']}), {j['requests']} verdicts, "
                f"{j['errors']} errors, cost {format_usd(j['cost_usd'])}",
                style="dim",
            )
        )
    if any(r["self_hosted"] for r in doc["targets"]):
        out.print(
            Text("* self-hosted: 0 USD per token; hardware and power not counted", style="dim")
        )
    if doc["results_file"]:
        out.print(Text(f"results: {doc['results_file']}", style="dim"))
