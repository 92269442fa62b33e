"""Running the cases on the targets: scheduling, judging, and one record per request.

Requests to one endpoint share a concurrency limit; different endpoints run side by
side. A target whose requests fail ``max_failures`` times in a row is stopped for the
rest of the run and reported. Each record is handed to ``on_result`` the moment it is
complete (the command appends it to the results file and moves the progress bar).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from llmpick import clock
from llmpick.evaluation.cases import Case
from llmpick.evaluation.checks import (
    CheckResult,
    Measures,
    case_outcome,
    case_score,
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
    cache: bool = True
    """Reuse answers to identical requests at temperature 0 (--no-cache turns it off)."""


@dataclass(slots=True)
class RunSummary:
    """What happened in this run beyond the records."""

    ran: int = 0
    stopped: dict[str, str] = field(default_factory=dict)
    not_run: dict[str, int] = field(default_factory=dict)
    cached: int = 0
    """Answers taken from the response cache instead of the endpoint."""
    unlisted: dict[str, list[str]] = field(default_factory=dict)
    """Targets whose model the endpoint's /models did not list: what it lists."""
    target_notes: dict[str, list[str]] = field(default_factory=dict)
    """What the report should say about a target beyond its figures."""


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
    return clock.now().isoformat(timespec="seconds")


def response_format(target: Target, case: Case) -> dict[str, Any] | None:
    """Ask for schema-constrained output only where the catalog says the model has it."""
    schema = case.expect.json_schema
    if isinstance(schema, dict) and target.model is not None and target.model.structured_output:
        return {
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": schema},
        }
    return None


def empty_reason(reply: Any) -> str | None:
    """Why an answer that came back is no answer: no text, or no finish reason (a
    stream cut short: llama.cpp's server cuts a running stream when another arrives)."""
    if reply.text is not None and not reply.text.strip():
        return "no text"
    if reply.finish_reason is None:
        return "no finish reason"
    return None


def answer_cost(target: Target, reply: Any) -> float | None:
    """What one answer cost at the target's prices, when the reply gave token usage."""
    if target.price_in is None or target.price_out is None:
        return None
    if reply.prompt_tokens is None or reply.completion_tokens is None:
        return None
    spent: float = reply.prompt_tokens * target.price_in
    spent += reply.completion_tokens * target.price_out
    return spent / 1e6


def record_for(
    job: Job,
    reply: Any,
    checks: list[CheckResult],
    judge: dict[str, Any] | None,
    *,
    cached: bool = False,
) -> dict[str, Any]:
    """The results-file line for one request (no key, no headers).

    ``outcome`` is pass, fail, empty (an answer with no text or no finish reason: not
    judged, counted apart) or error (no answer, or the judge failed)."""
    empty = empty_reason(reply) if reply.ok else None
    if not reply.ok:
        outcome = "error"
    elif empty is not None:
        outcome = "empty"
    else:
        outcome = case_outcome(checks, job.case.expect)
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
        "truncated": reply.ok and reply.finish_reason == "length",
        "served_as": job.target.served_as,
        "model": job.target.model.id if job.target.model else None,
        "self_hosted": job.target.self_hosted,  # its timing is your server's speed
        "target_fp": job.target.fingerprint,
        "case_fp": job.case.fingerprint(),
        "time": _now(),
    }
    if empty is not None:
        rec["empty"] = empty
    if cached:
        rec["cached"] = True
    if job.case.expect.threshold is not None and checks:
        rec["score"] = round(case_score(checks, job.case.expect), 4)
    if judge is not None:
        rec["judge"] = judge
    return rec


def listed(served_as: str, models: list[str]) -> bool:
    """Whether a /models list names the model (Ollama lists 'llama3:latest' for 'llama3')."""
    return served_as in models or f"{served_as}:latest" in models


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
    from llmpick.evaluation.cache import ResponseCache, cacheable, request_key, response_dir
    from llmpick.evaluation.client import (
        EndpointState,
        Reply,
        RetryPolicy,
        complete,
        make_client,
        request_body,
        served_models,
    )

    policy = RetryPolicy(timeout=config.timeout, retries=config.retries, backoff=config.backoff)
    jobs = plan(targets, cases, config.repeat, skip or set())
    summary = RunSummary()
    cache = ResponseCache(response_dir() if config.cache else None)
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
    # a target whose model the endpoint does not list asks one case first, alone: if
    # that fails, the target is stopped with one message instead of one per case
    first_of: dict[str, Job] = {}
    first_done: dict[str, asyncio.Event] = {}

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

    def skipped(name: str) -> bool:
        if name in summary.stopped:
            summary.not_run[name] = summary.not_run.get(name, 0) + 1
            return True
        return False

    async def ask(client: Any, job: Job) -> tuple[Any, bool]:
        t = job.target
        messages = [*t.system_messages(), *job.case.chat()]
        fmt = response_format(t, job.case)
        body = request_body(t, messages, max_tokens=job.case.max_tokens, response_format=fmt)
        key = request_key(t.url, body) if cache.enabled and cacheable(body) else None
        if key is not None and (hit := cache.get(key)) is not None:
            summary.cached += 1
            return Reply(**hit), True
        async with limits[t.endpoint]:
            if t.name in summary.stopped:  # stopped while this one waited its turn
                return None, False
            reply = await complete(
                client,
                t,
                messages,
                policy,
                states[t.name],
                max_tokens=job.case.max_tokens,
                response_format=fmt,
            )
        if key is not None and reply.ok and empty_reason(reply) is None:
            cache.put(
                key,
                {
                    "text": reply.text,
                    "finish_reason": reply.finish_reason,
                    "prompt_tokens": reply.prompt_tokens,
                    "completion_tokens": reply.completion_tokens,
                    "latency_s": reply.latency_s,
                    "ttft_s": reply.ttft_s,
                },
            )
        return reply, False

    async def one(client: Any, job: Job) -> None:
        name = job.target.name
        gate = first_done.get(name)
        if gate is not None and first_of[name].key != job.key:
            await gate.wait()
        try:
            if skipped(name):
                return
            reply, cached = await ask(client, job)
            if reply is None:
                skipped(name)
                return
        finally:
            if gate is not None and first_of[name].key == job.key:
                gate.set()
        checks: list[CheckResult] = []
        judged: dict[str, Any] | None = None
        if reply.ok:
            in_a_row[name] = 0
            if empty_reason(reply) is None:
                measures = Measures(reply.latency_s, answer_cost(job.target, reply))
                checks = run_local_checks(job.case.expect, reply.text or "", measures)
                if job.case.expect.judge is not None:
                    verdict, judged = await ask_judge(client, job, reply.text or "")
                    checks.append(verdict)
        else:
            in_a_row[name] += 1
            unlisted = summary.unlisted.get(name)
            if unlisted is not None and name in first_of and first_of[name].key == job.key:
                summary.stopped[name] = (
                    f"the endpoint does not list {job.target.served_as!r} (it lists "
                    f"{_names(unlisted)}) and refused it: {reply.error}"
                )
            elif in_a_row[name] >= config.max_failures and name not in summary.stopped:
                summary.stopped[name] = (
                    f"stopped after {in_a_row[name]} failed requests in a row (last: {reply.error})"
                )
        summary.ran += 1
        on_result(record_for(job, reply, checks, judged, cached=cached))

    async def worker(client: Any, queue: Iterator[Job]) -> None:
        for job in queue:
            await one(client, job)

    # as many workers per endpoint as it takes requests at once, sharing its one lazy
    # queue: a job is made only when a worker is free for it, and a slow endpoint never
    # holds up another
    queues = [(jobs.jobs(endpoint), size) for endpoint, size in widths.items()]
    async with make_client(policy) as client:
        await _first_look(client, targets, jobs, summary, first_of, first_done, served_models)
        try:
            # as a group: one request that fails in a way no record can hold cancels the
            # others
            async with asyncio.TaskGroup() as group:
                for q, size in queues:
                    for _ in range(size):
                        group.create_task(worker(client, q))
        except BaseExceptionGroup as eg:
            # one request failed in a way no record can hold (the results file cannot
            # be written, ...): the others were cancelled; raise the first cause alone
            first = eg.exceptions[0]
            while isinstance(first, BaseExceptionGroup):
                first = first.exceptions[0]
            raise first from None
    for name, models in summary.unlisted.items():
        if name not in summary.stopped:
            t = next(t for t in targets if t.name == name)
            summary.target_notes.setdefault(name, []).append(
                f"the endpoint does not list {t.served_as!r} (it lists {_names(models)}) "
                "but answered: check which model it really serves"
            )
    return summary


def _names(models: list[str], n: int = 5) -> str:
    shown = ", ".join(repr(m) for m in models[:n])
    return shown + (f" and {len(models) - n} more" if len(models) > n else "")


PROBE_TIMEOUT = 10.0


async def _first_look(
    client: Any,
    targets: list[Target],
    jobs: Iterable[Job],
    summary: RunSummary,
    first_of: dict[str, Job],
    first_done: dict[str, asyncio.Event],
    served_models: Any,
) -> None:
    """Ask each endpoint once which models it serves (where it says)."""
    wanted = {j.target.name for j in jobs}
    seen: dict[tuple[str, str | None], list[str] | None] = {}
    for t in targets:
        if t.name not in wanted:
            continue
        where = (t.url, t.api_key_env)
        if where not in seen:
            seen[where] = await served_models(client, t, PROBE_TIMEOUT)
        models = seen[where]
        if models is not None and not listed(t.served_as, models):
            summary.unlisted[t.name] = models
            first_of[t.name] = next(j for j in jobs if j.target.name == t.name)
            first_done[t.name] = asyncio.Event()


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
