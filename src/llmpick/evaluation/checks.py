"""The checks an answer must pass: a table of small pure functions.

Each text check takes the expected value, the answer and the case's ``ignore_case``
and returns a ``CheckResult``; the metric checks (latency, cost) read ``Measures``;
``not:`` turns each check inside it around. The ``judge`` check needs a model; the
runner asks it and turns its reply into a result with ``judge_verdict``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from llmpick.evaluation.cases import Checks, Expect

Outcome = Literal["pass", "fail", "error"]


@dataclass(frozen=True, slots=True)
class CheckResult:
    kind: str
    outcome: Outcome
    detail: str = ""

    def to_data(self) -> dict[str, str]:
        d = {"kind": self.kind, "outcome": self.outcome}
        if self.detail:
            d["detail"] = self.detail
        return d


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= n else text[: n - 1] + "…")


def check_equals(expected: str, answer: str, ignore_case: bool) -> CheckResult:
    a, e = answer.strip(), expected.strip()
    if ignore_case:
        a, e = a.casefold(), e.casefold()
    if a == e:
        return CheckResult("equals", "pass")
    return CheckResult("equals", "fail", f"expected {_short(expected)}, got {_short(answer)}")


def check_contains(expected: str | list[str], answer: str, ignore_case: bool) -> CheckResult:
    wanted = [expected] if isinstance(expected, str) else expected
    hay = answer.casefold() if ignore_case else answer
    missing = [w for w in wanted if (w.casefold() if ignore_case else w) not in hay]
    if not missing:
        return CheckResult("contains", "pass")
    return CheckResult("contains", "fail", "missing " + ", ".join(_short(m, 40) for m in missing))


REGEX_TIMEOUT_S = 1.0
"""The longest one regex check may take: Python's re has no time bound, and a pattern
such as ``(x+x+)+y`` backtracks for hours on a long answer, blocking every target."""


def check_regex(pattern: str, answer: str, ignore_case: bool) -> CheckResult:
    import regex  # Python's syntax, with a timeout

    try:
        found = regex.search(
            pattern, answer, regex.IGNORECASE if ignore_case else 0, timeout=REGEX_TIMEOUT_S
        )
    except TimeoutError:
        return CheckResult(
            "regex",
            "error",
            f"/{_short(pattern, 40)[1:-1]}/ took longer than {REGEX_TIMEOUT_S:g} s on this "
            "answer (a pattern that backtracks without end?)",
        )
    if found:
        return CheckResult("regex", "pass")
    return CheckResult("regex", "fail", f"no match for /{pattern}/")


_FENCE = re.compile(r"^```[A-Za-z0-9_-]*[ \t]*\n(.*?)\n?```$", re.DOTALL)


def answer_json(answer: str) -> Any:
    """The JSON value of an answer, allowing one Markdown code fence around it."""
    text = answer.strip()
    m = _FENCE.match(text)
    if m:
        text = m.group(1).strip()
    from llmpick.jsonsafe import loads  # a number out of range or deep nesting: not JSON

    return loads(text)


def check_json_schema(schema: dict[str, Any] | bool, answer: str, ignore_case: bool) -> CheckResult:
    try:
        value = answer_json(answer)
    except (json.JSONDecodeError, RecursionError) as exc:
        return CheckResult("json_schema", "fail", f"not JSON: {getattr(exc, 'msg', exc)}")
    from referencing.exceptions import Unresolvable

    from llmpick.evaluation.schemaref import validator

    try:
        error = next(iter(validator(schema).iter_errors(value)), None)
    except (RecursionError, Unresolvable) as exc:
        why = "nested too deeply" if isinstance(exc, RecursionError) else f"{exc}"
        return CheckResult("json_schema", "error", f"the schema cannot be checked: {why}")
    if error is None:
        return CheckResult("json_schema", "pass")
    where = "/".join(str(p) for p in error.absolute_path)
    return CheckResult(
        "json_schema", "fail", f"{error.message}" + (f" (at /{where})" if where else "")
    )


def _fold(text: str, ignore_case: bool) -> str:
    return text.casefold() if ignore_case else text


def check_icontains(expected: str | list[str], answer: str, ignore_case: bool) -> CheckResult:
    r = check_contains(expected, answer, True)
    return CheckResult("icontains", r.outcome, r.detail)


def check_contains_any(expected: list[str], answer: str, ignore_case: bool) -> CheckResult:
    hay = _fold(answer, ignore_case)
    if any(_fold(w, ignore_case) in hay for w in expected):
        return CheckResult("contains_any", "pass")
    return CheckResult(
        "contains_any", "fail", "none of " + ", ".join(_short(w, 30) for w in expected[:5])
    )


def check_contains_all(expected: list[str], answer: str, ignore_case: bool) -> CheckResult:
    r = check_contains(expected, answer, ignore_case)
    return CheckResult("contains_all", r.outcome, r.detail)


def check_not_contains(expected: str | list[str], answer: str, ignore_case: bool) -> CheckResult:
    unwanted = [expected] if isinstance(expected, str) else expected
    hay = _fold(answer, ignore_case)
    found = [w for w in unwanted if _fold(w, ignore_case) in hay]
    if not found:
        return CheckResult("not_contains", "pass")
    return CheckResult(
        "not_contains", "fail", "contains " + ", ".join(_short(w, 40) for w in found)
    )


def check_starts_with(expected: str, answer: str, ignore_case: bool) -> CheckResult:
    if _fold(answer.lstrip(), ignore_case).startswith(_fold(expected, ignore_case)):
        return CheckResult("starts_with", "pass")
    return CheckResult("starts_with", "fail", f"starts {_short(answer.lstrip()[:40], 40)}")


def check_is_json(expected: bool, answer: str, ignore_case: bool) -> CheckResult:
    try:
        answer_json(answer)
    except (json.JSONDecodeError, RecursionError) as exc:
        return CheckResult("is_json", "fail", f"not JSON: {getattr(exc, 'msg', exc)}")
    return CheckResult("is_json", "pass")


_MISSING = object()


def _follow(value: Any, steps: list[str | int]) -> Any:
    for step in steps:
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return _MISSING
        elif not isinstance(value, dict) or step not in value:
            return _MISSING
        value = value[step]
    return value


def check_json_path(exprs: str | list[str], answer: str, ignore_case: bool) -> CheckResult:
    from llmpick.evaluation.cases import parse_json_path

    try:
        doc = answer_json(answer)
    except (json.JSONDecodeError, RecursionError) as exc:
        return CheckResult("json_path", "fail", f"not JSON: {getattr(exc, 'msg', exc)}")
    for expr in [exprs] if isinstance(exprs, str) else exprs:
        steps, wanted = parse_json_path(expr)
        got = _follow(doc, steps)
        path = expr.split("==")[0].strip()
        if got is _MISSING:
            return CheckResult("json_path", "fail", f"{path} is missing")
        # JSON equality: 1 == 1.0, but true is not 1
        same = got == wanted and isinstance(got, bool) == isinstance(wanted, bool)
        if not same:
            shown = json.dumps(got, ensure_ascii=False)
            return CheckResult("json_path", "fail", f"{path} is {_short(shown, 40)}")
    return CheckResult("json_path", "pass")


SIMILAR_CHARS = 4000  # difflib is quadratic: longer texts are compared on their start


def check_similar(expected: Any, answer: str, ignore_case: bool) -> CheckResult:
    import difflib

    a = " ".join(_fold(answer, ignore_case).split())[:SIMILAR_CHARS]
    b = " ".join(_fold(expected.to, ignore_case).split())[:SIMILAR_CHARS]
    ratio = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    outcome: Outcome = "pass" if ratio >= expected.min else "fail"
    return CheckResult("similar", outcome, f"similarity {ratio:.2f} (at least {expected.min:g})")


CHECKS: dict[str, Callable[[Any, str, bool], CheckResult]] = {
    "equals": check_equals,
    "contains": check_contains,
    "icontains": check_icontains,
    "contains_any": check_contains_any,
    "contains_all": check_contains_all,
    "not_contains": check_not_contains,
    "starts_with": check_starts_with,
    "regex": check_regex,
    "is_json": check_is_json,
    "json_schema": check_json_schema,
    "json_path": check_json_path,
    "similar": check_similar,
}


@dataclass(frozen=True, slots=True)
class Measures:
    """What the metric checks read besides the text."""

    latency_s: float | None = None
    cost_usd: float | None = None


def _metric(kind: str, limit: float, value: float | None, unit: str, why: str) -> CheckResult:
    if value is None:
        return CheckResult(kind, "error", f"not measured: {why}")
    if value <= limit:
        return CheckResult(kind, "pass")
    return CheckResult(kind, "fail", f"{value:.6g} {unit} (at most {limit:g})")


def _negated(r: CheckResult) -> CheckResult:
    flipped: Outcome = {"pass": "fail", "fail": "pass", "error": "error"}[r.outcome]  # type: ignore[assignment]
    detail = r.detail if r.outcome == "error" else ("" if r.outcome == "fail" else "it passed")
    return CheckResult(f"not {r.kind}", flipped, detail)


def _run(expect: Checks, answer: str, m: Measures) -> list[CheckResult]:
    out: list[CheckResult] = []
    for kind in expect.kinds():
        if kind in CHECKS:
            out.append(CHECKS[kind](getattr(expect, kind), answer, expect.ignore_case))
        elif kind == "max_latency_s":
            limit = expect.max_latency_s or 0.0
            out.append(_metric(kind, limit, m.latency_s, "s", "no latency"))
        elif kind == "max_cost_usd":
            limit = expect.max_cost_usd or 0.0
            why = "no price for the target, or no token usage in the reply"
            out.append(_metric(kind, limit, m.cost_usd, "USD", why))
    return out


def run_local_checks(
    expect: Checks, answer: str, measures: Measures | None = None
) -> list[CheckResult]:
    """Every check except ``judge``, in the order of ``CHECK_KINDS``; ``not:`` checks
    each pass when their check fails."""
    m = measures or Measures()
    out = _run(expect, answer, m)
    inner = getattr(expect, "not_", None)
    if inner is not None:
        out.extend(_negated(r) for r in _run(inner, answer, m))
    return out


def case_outcome(results: list[CheckResult], expect: Expect | None = None) -> Outcome:
    """pass when every check passes; fail when any fails; else error (a judge failed).

    With a ``threshold``, pass when the weighted share of checks passed reaches it."""
    if expect is not None and expect.threshold is not None and results:
        share = case_score(results, expect)
        if share >= expect.threshold:
            return "pass"
        return (
            "error"
            if any(r.outcome == "error" for r in results)
            and not any(r.outcome == "fail" for r in results)
            else "fail"
        )
    if any(r.outcome == "fail" for r in results):
        return "fail"
    if any(r.outcome == "error" for r in results):
        return "error"
    return "pass"


def _weight_key(kind: str) -> str:
    return "not" if kind.startswith("not ") else kind


def case_score(results: list[CheckResult], expect: Expect) -> float:
    """The weighted share of checks passed, 0..1 (every check weighs 1 unless named)."""
    total = passed = 0.0
    for r in results:
        w = expect.weights.get(_weight_key(r.kind), 1.0)
        total += w
        passed += w if r.outcome == "pass" else 0.0
    return passed / total if total else 0.0


# --- the judge ----------------------------------------------------------------

JUDGE_SYSTEM = (
    "You grade one answer of an AI assistant against a rubric. Read the conversation, the "
    "answer and the rubric. Decide whether the answer meets the rubric in full. Reply with "
    'one JSON object and nothing else: {"pass": true or false, "reason": "one sentence"}.'
)


def judge_messages(
    conversation: list[dict[str, Any]], answer: str, rubric: str
) -> list[dict[str, str]]:
    """The fixed prompt sent to the judge (at temperature 0)."""

    def text(content: Any) -> str:
        return content if isinstance(content, str) else json.dumps(content)

    convo = "\n".join(f"{m.get('role', '?')}: {text(m.get('content'))}" for m in conversation)
    user = (
        f"<conversation>\n{convo}\n</conversation>\n\n<answer>\n{answer}\n</answer>\n\n"
        f"<rubric>\n{rubric}\n</rubric>\n\nDoes the answer meet the rubric? Reply with the JSON "
        "object only."
    )
    return [{"role": "system", "content": JUDGE_SYSTEM}, {"role": "user", "content": user}]


_VERDICT_WORD = re.compile(r"^\W*(pass|fail)\b", re.IGNORECASE)


def judge_verdict(reply: str) -> CheckResult:
    """The judge's reply as a check result; an unreadable reply is an error, not a fail."""
    text = reply.strip()
    value: Any = None
    try:
        value = answer_json(text)
    except (json.JSONDecodeError, RecursionError):
        start, end = text.find("{"), text.rfind("}")
        if 0 <= start < end:
            from llmpick.jsonsafe import loads

            try:
                value = loads(text[start : end + 1])
            except json.JSONDecodeError:
                value = None
    if isinstance(value, dict) and isinstance(value.get("pass"), bool):
        reason = str(value.get("reason", "")).strip()
        return CheckResult("judge", "pass" if value["pass"] else "fail", reason[:300])
    m = _VERDICT_WORD.match(text)
    if m:
        return CheckResult("judge", "pass" if m.group(1).lower() == "pass" else "fail", text[:300])
    return CheckResult("judge", "error", f"the judge's reply is not a verdict: {_short(text)}")
