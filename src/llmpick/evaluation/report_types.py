"""The eval report document (``report.py``'s ``build_report``) as TypedDicts, so that
mypy checks both ends: the builder that makes it and every reader (the terminal
renderer, Markdown, HTML, the CI gate, the session's verdict).

The report has no pydantic model or published JSON Schema; it is plain JSON-ready
data. ``tests/eval/test_report_types.py`` checks a real run's ``--json`` document
against these types (every key, no more, and each value's type), so the two cannot
drift where the builder reads untyped result records.

Readers import this module only under ``TYPE_CHECKING``. (No ``from __future__ import
annotations``: the test reads these annotations at run time.)
"""

from typing import Literal, TypedDict

Status = Literal["ok", "unreachable", "not run"]


class PriceData(TypedDict):
    """A target's prices, USD per 1M tokens."""

    input_per_1m: float
    output_per_1m: float | None


class TargetData(TypedDict):
    """A target's public facts (``Target.to_data``: no key, no header values)."""

    name: str
    model: str | None
    served_as: str
    base_url: str
    self_hosted: bool
    price: PriceData | None
    price_note: str
    system: str | None


class Tokens(TypedDict):
    input: int
    output: int


class Percentiles(TypedDict):
    """Seconds at the 50th and 95th percentile; None with no answer timed."""

    p50: float | None
    p95: float | None


class ErrorCount(TypedDict):
    error: str
    count: int


class Failure(TypedDict):
    """One request that did not pass: what was expected, what came back, and why."""

    case: str
    repeat: int
    outcome: str
    expected: str | None
    answer: str | None
    why: list[str]
    truncated: bool


class Counts(TypedDict):
    """The requests planned, made and by outcome; the pass rate and its interval."""

    status: Status
    planned: int
    total: int
    passed: int
    failed: int
    empty: int
    errors: int
    truncated: int
    cached: int
    not_run: int
    pass_rate: float | None
    pass_rate_interval: list[float] | None


class Timing(TypedDict):
    latency_s: Percentiles
    ttft_s: Percentiles | None


class Usage(TypedDict):
    output_tokens_per_s: float | None
    tokens: Tokens
    cost_usd: float | None
    cost_per_answer_usd: float | None


class TargetRow(TargetData, Counts, Timing, Usage):
    """One target's row of the report."""

    checks: dict[str, dict[str, int]]
    retries: int
    top_errors: list[ErrorCount]
    stopped: str | None
    notes: list[str]
    failures: list[Failure]


class JudgeFigures(TargetData):
    """The judge's requests, errors, tokens and cost."""

    requests: int
    errors: int
    tokens: Tokens
    cost_usd: float | None


class Recommendation(TypedDict):
    target: str
    pass_rate: float
    cost_per_answer_usd: float | None
    best: str
    not_significantly_worse: list[str]
    why: str


class Unreachable(TypedDict):
    name: str
    why: str


class CasesRef(TypedDict):
    file: str
    count: int


class EvalReport(TypedDict):
    """The report: ``llmpick eval --json`` and ``--export report.json``."""

    schema_version: str
    generated_by: str
    cases: CasesRef
    repeat: int
    results_file: str | None
    targets: list[TargetRow]
    judge: JudgeFigures | None
    recommendation: Recommendation | None
    unreachable: list[Unreachable]
    cached: int
    reused: int
    notes: list[str]
