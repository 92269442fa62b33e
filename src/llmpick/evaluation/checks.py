"""The checks an answer must pass: a table of small pure functions.

Each takes the expected value, the answer and the case's ``ignore_case`` and returns
a ``CheckResult``. The ``judge`` check needs a model; the runner asks it and turns its
reply into a result with ``judge_verdict``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from llmpick.evaluation.cases import Expect

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


CHECKS: dict[str, Callable[[Any, str, bool], CheckResult]] = {
    "equals": check_equals,
    "contains": check_contains,
    "regex": check_regex,
    "json_schema": check_json_schema,
}


def run_local_checks(expect: Expect, answer: str) -> list[CheckResult]:
    """Every check except ``judge``, in the order of ``CHECK_KINDS``."""
    return [
        CHECKS[kind](getattr(expect, kind), answer, expect.ignore_case)
        for kind in expect.kinds()
        if kind in CHECKS
    ]


def case_outcome(results: list[CheckResult]) -> Outcome:
    """pass when every check passes; fail when any fails; else error (a judge failed)."""
    if any(r.outcome == "fail" for r in results):
        return "fail"
    if any(r.outcome == "error" for r in results):
        return "error"
    return "pass"


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
