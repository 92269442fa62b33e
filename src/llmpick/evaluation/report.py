"""The eval report: figures per target and the recommendation (pure: records in, a
JSON-ready document out), and its Markdown form.

Per target: ``passed`` of ``total`` answered-or-failed requests, ``pass_rate`` with a
95% Wilson interval, ``errors`` (no answer, or the judge failed), results per check,
latency p50/p95, time to first token (streamed answers), output tokens per second,
tokens in and out, and ``cost_usd`` from the target's prices and the token usage the
endpoint returned. The recommendation is the cheapest target whose pass rate is not
significantly below the best one's.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, NamedTuple

from llmpick import __version__
from llmpick.evaluation.cases import CHECK_KINDS, Case
from llmpick.evaluation.results import Key
from llmpick.evaluation.stats import not_worse, percentile, wilson
from llmpick.evaluation.targets import Target
from llmpick.safetext import md_code, md_text
from llmpick.units import format_usd

if TYPE_CHECKING:
    from llmpick.evaluation.report_types import (
        Counts,
        ErrorCount,
        EvalReport,
        Failure,
        JudgeFigures,
        Percentiles,
        Recommendation,
        TargetRow,
        Timing,
        Usage,
    )

SCHEMA_VERSION = "1.1"
EMPTY_HINT = "the server may cut concurrent streams: try --concurrency 1"


def check_order(kind: str) -> tuple[int, str]:
    """Checks in the order of CHECK_KINDS; a negated one ('not contains') after them."""
    return (CHECK_KINDS.index(kind), "") if kind in CHECK_KINDS else (len(CHECK_KINDS), kind)


def _r(x: float | None, n: int = 3) -> float | None:
    return None if x is None else round(x, n)


def current(rec: dict[str, Any] | None, target: Target, case: Case) -> bool:
    """A record made for this very case and target (not a stale one)."""
    return (
        rec is not None
        and rec.get("target_fp") == target.fingerprint
        and rec.get("case_fp") == case.fingerprint()
    )


def current_records(
    target: Target, cases: list[Case], repeat: int, records: dict[Key, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The target's records made for today's cases (and target), case by case."""
    found = []
    for c in cases:
        for r in range(repeat):
            rec = records.get((target.name, c.id, r))
            if rec is not None and current(rec, target, c):
                found.append(rec)
    return found


def target_figures(
    target: Target, cases: list[Case], repeat: int, records: dict[Key, dict[str, Any]]
) -> TargetRow:
    """One target's row of the report, from its current records."""
    recs = current_records(target, cases, repeat, records)
    answered = [r for r in recs if r.get("answer") is not None and not r.get("error")]
    by_id = {c.id: c for c in cases}
    return {
        **target.to_data(),
        **_counts(recs, planned=len(cases) * repeat),
        "checks": check_counts(answered),
        **_timing(answered),
        **_usage(target, answered),
        "retries": sum(max(0, int(r.get("attempts") or 1) - 1) for r in recs),
        "top_errors": _top_errors(recs),
        "stopped": None,
        "notes": _doubts(recs, answered),
        "failures": [
            failure(x, by_id.get(str(x.get("case")))) for x in recs if x.get("outcome") != "pass"
        ],
    }


def _counts(recs: list[dict[str, Any]], planned: int) -> Counts:
    """The requests planned, made, passed, failed, empty and in error; the pass rate
    with its 95% Wilson interval; and the target's status."""
    outcomes = Counter(x.get("outcome") for x in recs)
    total, passed, failed, empty = len(recs), outcomes["pass"], outcomes["fail"], outcomes["empty"]
    interval = wilson(passed, total) if total else None
    return {
        "status": "not run" if not total else ("ok" if passed + failed + empty else "unreachable"),
        "planned": planned,
        "total": total,
        "passed": passed,
        "failed": failed,
        "empty": empty,
        "errors": total - passed - failed - empty,
        "truncated": sum(1 for x in recs if x.get("truncated")),
        "cached": sum(1 for x in recs if x.get("cached")),
        "not_run": planned - total,
        "pass_rate": _r(passed / total, 4) if total else None,
        "pass_rate_interval": None if interval is None else [round(x, 4) for x in interval],
    }


def _top_errors(recs: list[dict[str, Any]]) -> list[ErrorCount]:
    """The three most frequent errors (a request with none: the judge failed)."""
    errors = Counter(
        str(r.get("error") or "the judge failed") for r in recs if r.get("outcome") == "error"
    )
    return [{"error": e, "count": n} for e, n in errors.most_common(3)]


def check_counts(answered: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per kind of check: how often it passed, failed or could not run."""
    checks: dict[str, dict[str, int]] = {}
    for a in answered:
        for ch in a.get("checks") or []:
            row = checks.setdefault(ch["kind"], {"pass": 0, "fail": 0, "error": 0})
            row[ch["outcome"]] = row.get(ch["outcome"], 0) + 1
    return {k: checks[k] for k in sorted(checks, key=check_order)}


def _seconds(answered: list[dict[str, Any]], key: str) -> list[float]:
    return [r[key] for r in answered if isinstance(r.get(key), (int, float))]


def _p50_p95(xs: list[float]) -> Percentiles:
    return {"p50": _r(percentile(xs, 50)), "p95": _r(percentile(xs, 95))}


def _timing(answered: list[dict[str, Any]]) -> Timing:
    """Latency, and time to the first token where answers were streamed."""
    ttfts = _seconds(answered, "ttft_s")
    return {
        "latency_s": _p50_p95(_seconds(answered, "latency_s")),
        "ttft_s": _p50_p95(ttfts) if ttfts else None,
    }


def _with_usage(answered: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The answers that came with token usage."""
    return [
        r
        for r in answered
        if isinstance(r.get("prompt_tokens"), int) and isinstance(r.get("completion_tokens"), int)
    ]


def _generating(rec: dict[str, Any]) -> float:
    """Seconds spent writing the answer: the latency, less the time to the first token
    where it is known."""
    lat = rec.get("latency_s")
    if not isinstance(lat, (int, float)):
        return 0.0
    ttft = rec.get("ttft_s")
    return lat - ttft if isinstance(ttft, (int, float)) and ttft < lat else lat


def _usage(target: Target, answered: list[dict[str, Any]]) -> Usage:
    """Tokens, output speed and cost, from the answers that gave token usage."""
    with_usage = _with_usage(answered)
    tokens_in = sum(r["prompt_tokens"] for r in with_usage)
    tokens_out = sum(r["completion_tokens"] for r in with_usage)
    gen_time = 0.0
    for u in with_usage:  # in order, as floats add (sum() may compensate on newer Pythons)
        gen_time += _generating(u)
    tok_s = tokens_out / gen_time if gen_time > 0 and tokens_out else None
    cost = target.cost_usd(tokens_in, tokens_out)
    per_answer = cost / len(with_usage) if cost is not None and with_usage else None
    if cost is not None and target.self_hosted:
        per_answer = 0.0
    return {
        "output_tokens_per_s": _r(tok_s, 1),
        "tokens": {"input": tokens_in, "output": tokens_out},
        "cost_usd": _r(cost, 6),
        "cost_per_answer_usd": _r(per_answer, 8),
    }


def _doubts(recs: list[dict[str, Any]], answered: list[dict[str, Any]]) -> list[str]:
    """What may make a target's figures wrong: empty answers, answers cut at the token
    limit, answers without token usage."""
    notes: list[str] = []
    empty = [x for x in recs if x.get("outcome") == "empty"]
    if empty:
        why = Counter(str(x.get("empty") or "no text") for x in empty)
        notes.append(
            f"{len(empty)} of {len(recs)} answers came back empty ("
            + ", ".join(f"{n} {w}" for w, n in why.most_common())
            + f"); they count as not passed: {EMPTY_HINT}"
        )
    truncated = sum(1 for x in recs if x.get("truncated"))
    if truncated:
        notes.append(
            f"{truncated} answer{' was' if truncated == 1 else 's were'} cut at the token "
            "limit (finish_reason 'length'); "
            "raise max_tokens if the cases need longer answers"
        )
    unmetered = len(answered) - len(_with_usage(answered))
    if unmetered:
        notes.append(
            f"{unmetered} of {len(answered)} answers came without token "
            "usage; tokens and cost count the others only"
        )
    return notes


MAX_SHOWN_ANSWER = 300


def clip(text: str | None, n: int = MAX_SHOWN_ANSWER) -> str | None:
    if text is None:
        return None
    return text if len(text) <= n else text[: n - 1] + "…"


def expected_text(case: Case | None) -> str | None:
    """The case's checks in one line (what a good answer satisfies)."""
    if case is None:
        return None
    import json

    data = case.expect.model_dump(
        mode="json", by_alias=True, exclude_none=True, exclude_defaults=True
    )
    return clip(json.dumps(data, ensure_ascii=False), 200)


def failure(rec: dict[str, Any], case: Case | None) -> Failure:
    """One request that did not pass: what was expected, what came back, and why."""
    why = [
        f"{c.get('kind')}: {c.get('detail') or c.get('outcome')}"
        for c in rec.get("checks") or []
        if c.get("outcome") != "pass"
    ]
    if rec.get("outcome") == "empty":
        why = [f"empty answer ({rec.get('empty') or 'no text'})"]
    elif rec.get("outcome") == "error" and rec.get("error"):
        why = [str(rec["error"])]
    return {
        "case": rec["case"],  # a record is read only with its case, repeat and outcome
        "repeat": rec["repeat"],
        "outcome": rec["outcome"],
        "expected": expected_text(case),
        "answer": clip(rec.get("answer")),
        "why": why,
        "truncated": bool(rec.get("truncated")),
    }


class _Scored(NamedTuple):
    """A target that answered, with its pass rate and that rate's 95% interval."""

    row: TargetRow
    rate: float
    interval: tuple[float, float]


def _scored(rows: list[TargetRow]) -> list[_Scored]:
    found = []
    for r in rows:
        rate, iv = r["pass_rate"], r["pass_rate_interval"]
        if r.get("status", "ok") == "ok" and r["total"] and rate is not None and iv is not None:
            found.append(_Scored(r, rate, (iv[0], iv[1])))
    return found


def recommend(rows: list[TargetRow]) -> Recommendation | None:
    """The cheapest target whose pass rate is not significantly below the best's."""
    scored = _scored(rows)
    if not scored or all(s.row["passed"] == 0 for s in scored):
        return None
    best = max(scored, key=lambda s: (s.rate, s.interval[0]))
    close = [s for s in scored if not_worse(s.interval, best.interval)]
    priced = [s for s in close if s.row["cost_per_answer_usd"] is not None]
    pool = priced or close

    def order(s: _Scored) -> tuple[float, float, float, str]:
        cost = s.row["cost_per_answer_usd"]
        p50 = s.row["latency_s"]["p50"]
        return (
            cost if cost is not None else 0.0,
            -s.rate,
            p50 if p50 is not None else float("inf"),
            s.row["name"],
        )

    pick = min(pool, key=order)
    pct = f"{pick.rate:.0%}"
    if len(scored) == 1:
        why = f"the only target that answered ({pct})"
    elif pick is best and len(close) == 1:
        why = f"the best pass rate ({pct}), significantly above every other target"
    elif pick is best:
        why = f"the best pass rate ({pct}) and the cheapest of the {len(close)} targets near it"
    else:
        why = (
            f"the cheapest target ({format_usd(pick.row['cost_per_answer_usd'])} an answer) "
            f"whose pass rate ({pct}) is not significantly below the best's "
            f"({best.row['name']}, {best.rate:.0%}): their 95% intervals overlap"
        )
    if not priced:
        why += "; no target has a known price, so cost could not decide"
    return {
        "target": pick.row["name"],
        "pass_rate": pick.rate,
        "cost_per_answer_usd": pick.row["cost_per_answer_usd"],
        "best": best.row["name"],
        "not_significantly_worse": [s.row["name"] for s in close],
        "why": why,
    }


def build_report(
    targets: list[Target],
    cases: list[Case],
    repeat: int,
    records: dict[Key, dict[str, Any]],
    *,
    cases_file: str,
    results_file: str | None,
    judge: Target | None = None,
    stopped: dict[str, str] | None = None,
    notes: list[str] | None = None,
    reused: int = 0,
    target_notes: dict[str, list[str]] | None = None,
) -> EvalReport:
    """The report document; ``reused``: results taken from --out by --resume;
    ``target_notes``: what the run learnt about a target (its notes, first)."""
    rows = [target_figures(t, cases, repeat, records) for t in targets]
    for row in rows:
        row["notes"] = [*(target_notes or {}).get(row["name"], []), *row["notes"]]
        row["stopped"] = (stopped or {}).get(row["name"])
    judged = [
        r["judge"]
        for t in targets
        for r in current_records(t, cases, repeat, records)
        if isinstance(r.get("judge"), dict)
    ]
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_by": f"llmpick {__version__}",
        "cases": {"file": cases_file, "count": len(cases)},
        "repeat": repeat,
        "results_file": results_file,
        "targets": rows,
        "judge": None if judge is None else judge_figures(judge, judged),
        "recommendation": recommend(rows),
        "unreachable": [
            {"name": r["name"], "why": r["stopped"] or _first_error(r)}
            for r in rows
            if r["status"] == "unreachable"
        ],
        "cached": sum(r["cached"] for r in rows),
        "reused": reused,
        "notes": [*(notes or []), *_run_notes(rows)],
    }


def judge_figures(judge: Target, verdicts: list[dict[str, Any]]) -> JudgeFigures:
    """The judge's requests, errors, tokens and cost, from the verdicts it gave."""
    tin = sum(j.get("prompt_tokens") or 0 for j in verdicts)
    tout = sum(j.get("completion_tokens") or 0 for j in verdicts)
    return {
        **judge.to_data(),
        "requests": len(verdicts),
        "errors": sum(1 for j in verdicts if j.get("error")),
        "tokens": {"input": tin, "output": tout},
        "cost_usd": _r(judge.cost_usd(tin, tout), 6),
    }


def _run_notes(rows: list[TargetRow]) -> list[str]:
    """Who is self-hosted, and what the pass rate counts."""
    notes = []
    self_hosted = [r["name"] for r in rows if r["self_hosted"] and r["status"] == "ok"]
    if self_hosted:
        notes.append(
            "self-hosted targets cost 0 USD per token here ("
            + ", ".join(self_hosted)
            + "); your hardware and power are not counted"
        )
    notes.append(
        "pass rate = passed / requests made to the target: failed checks, empty answers "
        "and errors all count as not passed; requests never sent (a stopped target) are "
        "left out, so a stopped target's total is smaller; the interval is the 95% Wilson "
        "score interval"
    )
    return notes


def _first_error(row: TargetRow) -> str:
    errs = row["top_errors"]
    return str(errs[0]["error"]) if errs else "no answer"


def answered_any(doc: EvalReport) -> bool:
    return any(r["passed"] + r["failed"] > 0 for r in doc["targets"])


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0%}"


def _secs(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f} s"


MAX_MD_FAILURES = 50


def case_label(item: Failure | dict[str, Any], repeat: int) -> str:
    """A failure's or a record's case: 'sum', or 'sum #2' when each case is asked
    more than once."""
    label = str(item.get("case"))
    return f"{label} #{int(item.get('repeat') or 0) + 1}" if repeat > 1 else label


def failure_outcome(f: Failure) -> str:
    """A failure's outcome as the exported reports say it: 'failed (cut at the token
    limit)' when the answer ran out of tokens."""
    return f["outcome"] + (" (cut at the token limit)" if f["truncated"] else "")


def markdown(doc: EvalReport) -> str:
    """The report as Markdown (for --export report.md)."""
    lines = [
        "# llmpick eval report",
        "",
        f"{doc['cases']['count']} cases from {md_code(doc['cases']['file'])}"
        + (f", each asked {doc['repeat']} times" if doc["repeat"] > 1 else "")
        + f"; {doc['generated_by']}.",
        "",
        *_md_targets(doc),
        *_md_unreachable(doc),
        "",
        *_md_pick(doc),
        *_md_checks(doc),
        *_md_failures(doc),
        "## Notes",
        "",
        *_md_notes(doc),
        "",
    ]
    return "\n".join(lines)


def _md_targets(doc: EvalReport) -> list[str]:
    lines = [
        "| target | passed | pass rate (95% interval) | empty | errors | latency p50 / p95 | "
        "first token p50 | tokens/s | tokens in / out | cost |",
        "| --- | ---: | --- | ---: | ---: | --- | --- | ---: | --- | ---: |",
    ]
    for r in doc["targets"]:
        if r["status"] != "ok":
            continue
        iv = r["pass_rate_interval"]
        rate = _pct(r["pass_rate"]) + (f" ({_pct(iv[0])}–{_pct(iv[1])})" if iv else "")
        ttft = r["ttft_s"]["p50"] if r["ttft_s"] else None
        lines.append(
            f"| {md_text(r['name'])} | {r['passed']} / {r['total']} | {rate} | {r['empty']} | "
            f"{r['errors']} | "
            f"{_secs(r['latency_s']['p50'])} / {_secs(r['latency_s']['p95'])} | {_secs(ttft)} | "
            f"{r['output_tokens_per_s'] if r['output_tokens_per_s'] is not None else 'n/a'} | "
            f"{r['tokens']['input']:,} / {r['tokens']['output']:,} | "
            f"{format_usd(r['cost_usd'])}{' (self-hosted)' if r['self_hosted'] else ''} |"
        )
    return lines


def _md_unreachable(doc: EvalReport) -> list[str]:
    if not doc["unreachable"]:
        return []
    return [
        "",
        "**Unreachable** (no answer at all; left out of the pick):",
        "",
        *(f"- {md_text(u['name'])}: {md_text(u['why'])}" for u in doc["unreachable"]),
    ]


def _md_pick(doc: EvalReport) -> list[str]:
    rec = doc["recommendation"]
    if rec:
        return [f"**Recommendation: {md_text(rec['target'])}** — {md_text(rec['why'])}.", ""]
    return ["**No recommendation**: no target passed any case.", ""]


def _md_checks(doc: EvalReport) -> list[str]:
    """Per target that answered, how many of each kind of check passed."""
    answered = [r for r in doc["targets"] if r["status"] == "ok"]
    kinds = sorted({k for r in answered for k in r["checks"]}, key=check_order)
    if not kinds:
        return []
    lines = [
        "## Checks passed",
        "",
        "| target | " + " | ".join(kinds) + " |",
        "| --- |" + " ---: |" * len(kinds),
    ]
    for r in answered:
        cells = [
            f"{c['pass']} / {sum(c.values())}" if (c := r["checks"].get(k)) else "–" for k in kinds
        ]
        lines.append(f"| {md_text(r['name'])} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _md_failures(doc: EvalReport) -> list[str]:
    """Per target that answered, the cases it did not pass (the first MAX_MD_FAILURES)."""
    failing = [r for r in doc["targets"] if r["status"] == "ok" and r["failures"]]
    lines = ["## Cases not passed", ""] if failing else []
    for r in failing:
        lines += [
            f"### {md_text(r['name'])}",
            "",
            "| case | outcome | expected | answer | why |",
            "| --- | --- | --- | --- | --- |",
        ]
        for f in r["failures"][:MAX_MD_FAILURES]:
            lines.append(
                f"| {md_text(case_label(f, doc['repeat']))} | {failure_outcome(f)} | "
                f"{md_text(f['expected'])} | {md_text(f['answer'])} | "
                f"{md_text('; '.join(f['why']))} |"
            )
        if len(r["failures"]) > MAX_MD_FAILURES:
            lines.append(
                f"\n{len(r['failures']) - MAX_MD_FAILURES} more in the JSON report "
                "(--export report.json)."
            )
        lines.append("")
    return lines


def _md_notes(doc: EvalReport) -> list[str]:
    """The run's reuse and cache, then per target what stopped it, its errors, notes and
    prices, then the judge and the run's own notes."""
    notes = []
    if doc.get("reused"):
        notes.append(
            f"- {doc['reused']} results reused from {md_text(doc['results_file'])} (--resume)"
        )
    if doc.get("cached"):
        notes.append(
            f"- {doc['cached']} answers came from the response cache (--no-cache asks again)"
        )
    for r in doc["targets"]:
        name = md_text(r["name"])
        if r["stopped"]:
            notes.append(f"- {name}: {md_text(r['stopped'])}")
        notes += [f"- {name}: {e['count']} × {md_text(e['error'])}" for e in r["top_errors"]]
        notes += [f"- {name}: {md_text(n)}" for n in r["notes"]]
        notes.append(f"- {name}: cost: {md_text(r['price_note'])}")
    if doc["judge"]:
        j = doc["judge"]
        notes.append(
            f"- judge: {md_text(j['name'])} ({md_text(j['served_as'])}), {j['requests']} verdicts, "
            f"{j['errors']} errors, cost {format_usd(j['cost_usd'])}"
        )
    notes += [f"- {md_text(n)}" for n in doc["notes"]]
    return notes
