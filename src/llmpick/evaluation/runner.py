"""Running the cases on the targets: scheduling, judging, and one record per request.

Requests to one endpoint share a concurrency limit; different endpoints run side by
side. A target whose requests fail ``max_failures`` times in a row is stopped for the
rest of the run and reported. Each record is handed to ``on_result`` the moment it is
complete (the command appends it to the results file and moves the progress bar).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from llmpick.evaluation.cases import Case
from llmpick.evaluation.checks import (
    CheckResult,
    case_outcome,
    judge_messages,
    judge_verdict,
    run_local_checks,
)
from llmpick.evaluation.results import Key
from llmpick.evaluation.targets import Target

MAX_ANSWER_CHARS = 100_000


@dataclass(frozen=True, slots=True)
class RunConfig:
    concurrency: int = 4
    """Requests at once per endpoint (a target's own ``concurrency`` wins)."""
    repeat: int = 1
    """Times each case is asked of each target."""
    timeout: float = 60.0
    retries: int = 2
    backoff: float = 0.5
    max_failures: int = 5
    """Failed requests in a row after which a target is stopped."""


@dataclass(slots=True)
class RunSummary:
    """What happened in this run beyond the records."""

    ran: int = 0
    stopped: dict[str, str] = field(default_factory=dict)
    not_run: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Job:
    target: Target
    case: Case
    repeat: int

    @property
    def key(self) -> Key:
        return (self.target.name, self.case.id, self.repeat)


class Plan:
    """Every (target, case, repeat) not in ``skip``, made one at a time as the run asks
    for them (100,000 cases asked 10 times of a few targets made millions of jobs and
    tasks up front: 1.9 GB). A case is asked of every target before the next case, so a
    short run still compares the targets fairly. ``len`` counts without building."""

    def __init__(
        self, targets: Iterable[Target], cases: list[Case], repeat: int, skip: set[Key]
    ) -> None:
        self.targets, self.cases, self.repeat, self.skip = list(targets), cases, repeat, skip

    def jobs(self, endpoint: str | None = None) -> Iterator[Job]:
        """The jobs in order, or those of the targets behind one endpoint."""
        ts = [t for t in self.targets if endpoint is None or t.endpoint == endpoint]
        for r in range(self.repeat):
            for c in self.cases:
                for t in ts:
                    if (t.name, c.id, r) not in self.skip:
                        yield Job(t, c, r)

    def __iter__(self) -> Iterator[Job]:
        return self.jobs()

    def __len__(self) -> int:
        names = {t.name for t in self.targets}
        ids = {c.id for c in self.cases}
        skipped = sum(
            1 for t, c, r in self.skip if t in names and c in ids and 0 <= r < self.repeat
        )
        return len(self.targets) * len(self.cases) * self.repeat - skipped


def plan(targets: Iterable[Target], cases: list[Case], repeat: int, skip: set[Key]) -> Plan:
    return Plan(targets, cases, repeat, skip)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def response_format(target: Target, case: Case) -> dict[str, Any] | None:
    """Ask for schema-constrained output only where the catalog says the model has it."""
    schema = case.expect.json_schema
    if isinstance(schema, dict) and target.model is not None and target.model.structured_output:
        return {
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": schema},
        }
    return None


def record_for(
    job: Job, reply: Any, checks: list[CheckResult], judge: dict[str, Any] | None
) -> dict[str, Any]:
    """The results-file line for one request (no key, no headers)."""
    outcome = case_outcome(checks) if reply.ok else "error"
    text = reply.text
    rec: dict[str, Any] = {
        "target": job.target.name,
        "case": job.case.id,
        "repeat": job.repeat,
        "outcome": outcome,
        "checks": [c.to_data() for c in checks],
        "answer": None if text is None else text[:MAX_ANSWER_CHARS],
        "error": reply.error,
        "status": reply.status,
        "attempts": reply.attempts,
        "latency_s": None if reply.latency_s is None else round(reply.latency_s, 4),
        "ttft_s": None if reply.ttft_s is None else round(reply.ttft_s, 4),
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.completion_tokens,
        "streamed": reply.streamed,
        "finish_reason": reply.finish_reason,
        "served_as": job.target.served_as,
        "target_fp": job.target.fingerprint,
        "case_fp": job.case.fingerprint(),
        "time": _now(),
    }
    if judge is not None:
        rec["judge"] = judge
    return rec


async def run(
    targets: list[Target],
    cases: list[Case],
    config: RunConfig,
    *,
    judge: Target | None = None,
    skip: set[Key] | None = None,
    on_result: Callable[[dict[str, Any]], None] = lambda rec: None,
) -> RunSummary:
    """Ask every target every case ``config.repeat`` times (except ``skip``)."""
    from llmpick.evaluation.client import EndpointState, RetryPolicy, complete, make_client

    policy = RetryPolicy(timeout=config.timeout, retries=config.retries, backoff=config.backoff)
    jobs = plan(targets, cases, config.repeat, skip or set())
    summary = RunSummary()
    limits: dict[str, asyncio.Semaphore] = {}
    for t in [*targets, *([judge] if judge else [])]:
        if t.endpoint not in limits:
            limits[t.endpoint] = asyncio.Semaphore(t.concurrency or config.concurrency)
    widths: dict[str, int] = {}  # requests at once per endpoint of the targets
    for t in targets:
        widths.setdefault(t.endpoint, t.concurrency or config.concurrency)
    states = {t.name: EndpointState() for t in targets}
    judge_state = EndpointState()
    in_a_row = dict.fromkeys((t.name for t in targets), 0)

    async def ask_judge(client: Any, job: Job, answer: str) -> tuple[CheckResult, dict[str, Any]]:
        assert judge is not None and job.case.expect.judge is not None
        msgs = judge_messages(job.case.chat(), answer, job.case.expect.judge)
        async with limits[judge.endpoint]:
            r = await complete(client, judge, msgs, policy, judge_state, temperature=0)
        info: dict[str, Any] = {
            "target": judge.name,
            "prompt_tokens": r.prompt_tokens,
            "completion_tokens": r.completion_tokens,
            "attempts": r.attempts,
        }
        if not r.ok:
            info["error"] = r.error
            return CheckResult("judge", "error", f"the judge failed: {r.error}"), info
        return judge_verdict(r.text or ""), info

    async def one(client: Any, job: Job) -> None:
        name = job.target.name
        if name in summary.stopped:
            summary.not_run[name] = summary.not_run.get(name, 0) + 1
            return
        async with limits[job.target.endpoint]:
            if name in summary.stopped:  # stopped while this one waited its turn
                summary.not_run[name] = summary.not_run.get(name, 0) + 1
                return
            reply = await complete(
                client,
                job.target,
                job.case.chat(),
                policy,
                states[name],
                max_tokens=job.case.max_tokens,
                response_format=response_format(job.target, job.case),
            )
        checks: list[CheckResult] = []
        judged: dict[str, Any] | None = None
        if reply.ok:
            in_a_row[name] = 0
            checks = run_local_checks(job.case.expect, reply.text or "")
            if job.case.expect.judge is not None:
                verdict, judged = await ask_judge(client, job, reply.text or "")
                checks.append(verdict)
        else:
            in_a_row[name] += 1
            if in_a_row[name] >= config.max_failures and name not in summary.stopped:
                summary.stopped[name] = (
                    f"stopped after {in_a_row[name]} failed requests in a row (last: {reply.error})"
                )
        summary.ran += 1
        on_result(record_for(job, reply, checks, judged))

    async def worker(client: Any, queue: Iterator[Job]) -> None:
        for job in queue:
            await one(client, job)

    # as many workers per endpoint as it takes requests at once, sharing its one lazy
    # queue: a job is made only when a worker is free for it, and a slow endpoint never
    # holds up another
    queues = [(jobs.jobs(endpoint), size) for endpoint, size in widths.items()]
    async with make_client(policy) as client:
        await asyncio.gather(*(worker(client, q) for q, size in queues for _ in range(size)))
    return summary


def run_sync(
    targets: list[Target],
    cases: list[Case],
    config: RunConfig,
    *,
    judge: Target | None = None,
    skip: set[Key] | None = None,
    on_result: Callable[[dict[str, Any]], None] = lambda rec: None,
) -> RunSummary:
    """``run`` in a fresh event loop; Ctrl-C cancels the requests in flight and raises
    KeyboardInterrupt (every record handed to ``on_result`` so far is kept)."""
    return asyncio.run(run(targets, cases, config, judge=judge, skip=skip, on_result=on_result))
