"""Measured evidence for `recommend --evidence FILE`: each catalog model's pass rate on
the user's own cases, read from an `llmpick eval` results file.

A result counts for the catalog model its target named (``model:`` in the targets
file); the newest line per (target, case, repeat) wins, as on --resume. Passed, failed
and empty answers are evidence about the model; errors (no answer: a network or
server failure) are not, and are left out. Several targets serving one model add up.

Speed: the median output tokens per second over the answers a self-hosted target
(``self_hosted`` in the record: your own server) gave with token counts, each answer's
completion tokens over its generation time (latency less time to first token, when
streamed). It replaces the bandwidth estimate for that model (guide 7); an API's speed
says nothing about your hardware, so it is not used.
"""

from __future__ import annotations

from pathlib import Path
from statistics import median
from typing import Any

from llmpick.engine.evidence import Measured
from llmpick.evaluation.results import read_results
from llmpick.evaluation.stats import wilson

JUDGED = ("pass", "fail", "empty")


def answer_speed(rec: dict[str, Any]) -> float | None:
    """Output tokens per second of one answer from a self-hosted target, or None when it
    was not timed there or has no token count."""
    if rec.get("self_hosted") is not True or rec.get("outcome") not in ("pass", "fail"):
        return None
    out, lat, ttft = rec.get("completion_tokens"), rec.get("latency_s"), rec.get("ttft_s")
    if not isinstance(out, int) or out <= 0 or not isinstance(lat, int | float):
        return None
    gen = lat - ttft if isinstance(ttft, int | float) and 0 <= ttft < lat else lat
    return out / gen if gen > 0 else None


def read_measured(path: str | Path) -> tuple[dict[str, Measured], list[str]]:
    """(variant id -> Measured, notes on what was left out)."""
    from llmpick.errors import UsageError

    if not Path(path).is_file():
        what = "not a file" if Path(path).exists() else "no such results file"
        raise UsageError(
            f"--evidence {path}: {what}", hint="give the --out file of an 'llmpick eval' run"
        )
    records, bad = read_results(path)
    counts: dict[str, list[int]] = {}
    speeds: dict[str, list[float]] = {}
    unnamed: set[str] = set()
    errors = 0
    for rec in records.values():
        model = rec.get("model")
        if rec.get("outcome") not in JUDGED:
            errors += rec.get("outcome") == "error"
            continue
        if not isinstance(model, str):
            unnamed.add(str(rec.get("target")))
            continue
        c = counts.setdefault(model, [0, 0])
        c[0] += rec.get("outcome") == "pass"
        c[1] += 1
        tps = answer_speed(rec)
        if tps is not None:
            speeds.setdefault(model, []).append(tps)
    measured = {}
    for model, (passed, total) in counts.items():
        lo, hi = wilson(passed, total)
        timed = speeds.get(model, [])
        tps = median(timed) if timed else None
        measured[model] = Measured(passed, total, lo, hi, str(path), tps, len(timed))
    notes = []
    if unnamed:
        notes.append(
            f"{len(unnamed)} targets in {path} name no catalog model (model: in the targets "
            f"file), so their results cannot count: {', '.join(sorted(unnamed)[:5])}"
        )
    if errors:
        notes.append(f"{errors} requests in {path} got no answer and are not counted")
    if bad:
        notes.append(f"{bad} unreadable lines in {path} were ignored")
    if not records:
        raise UsageError(f"--evidence {path}: no results in the file")
    return measured, notes
