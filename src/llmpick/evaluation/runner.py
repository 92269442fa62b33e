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
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from llmpick.evaluation.client import Reply

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
    if reply.prompt_tokens is None or reply.completion_tokens is None:
        return None
    return target.cost_usd(reply.prompt_tokens, reply.completion_tokens)


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
    return await _Run(targets, cases, config, judge, skip or set(), on_result).go()


PROBE_TIMEOUT = 10.0
CACHED_FIELDS = (
    "text",
    "finish_reason",
    "prompt_tokens",
    "completion_tokens",
    "latency_s",
    "ttft_s",
)
"""What the response cache keeps of a reply."""


class _Run:
    """What one run's requests share: a concurrency limit per endpoint, each target's
    failures in a row, the response cache, and the summary. A target whose model the
    endpoint does not list asks one case first, alone: if that fails, the target is
    stopped with one message instead of one per case."""

    def __init__(
        self,
        targets: list[Target],
        cases: list[Case],
        config: RunConfig,
        judge: Target | None,
        skip: set[Key],
        on_result: Callable[[dict[str, Any]], None],
    ) -> None:
        from llmpick.evaluation.cache import ResponseCache, response_dir
        from llmpick.evaluation.client import EndpointState, RetryPolicy

        self.targets, self.config, self.judge, self.on_result = targets, config, judge, on_result
        self.policy = RetryPolicy(
            timeout=config.timeout, retries=config.retries, backoff=config.backoff
        )
        self.jobs = plan(targets, cases, config.repeat, skip)
        self.summary = RunSummary()
        self.cache = ResponseCache(response_dir() if config.cache else None)
        self.limits: dict[str, asyncio.Semaphore] = {}
        for t in [*targets, *([judge] if judge else [])]:
            if t.endpoint not in self.limits:
                self.limits[t.endpoint] = asyncio.Semaphore(t.concurrency or config.concurrency)
        self.states = {t.name: EndpointState() for t in targets}
        self.judge_state = EndpointState()
        self.in_a_row = dict.fromkeys((t.name for t in targets), 0)
        self.first_of: dict[str, Job] = {}  # the one request that goes alone, first
        self.first_done: dict[str, asyncio.Event] = {}

    async def go(self) -> RunSummary:
        from llmpick.evaluation.client import make_client

        # as many workers per endpoint as it takes requests at once, sharing its one lazy
        # queue: a job is made only when a worker is free for it, and a slow endpoint never
        # holds up another
        widths: dict[str, int] = {}  # requests at once per endpoint of the targets
        for t in self.targets:
            widths.setdefault(t.endpoint, t.concurrency or self.config.concurrency)
        async with make_client(self.policy) as client:
            await self.first_look(client)
            try:
                # as a group: one request that fails in a way no record can hold (the
                # results file cannot be written, ...) cancels the others
                async with asyncio.TaskGroup() as group:
                    for endpoint, size in widths.items():
                        queue = self.jobs.jobs(endpoint)
                        for _ in range(size):
                            group.create_task(self.worker(client, queue))
            except BaseExceptionGroup as eg:
                raise _first_cause(eg) from None
        self.note_unlisted()
        return self.summary

    async def first_look(self, client: Any) -> None:
        """Ask each endpoint once which models it serves (where it says)."""
        from llmpick.evaluation.client import served_models

        wanted = {j.target.name for j in self.jobs}
        seen: dict[tuple[str, str | None], list[str] | None] = {}
        for t in self.targets:
            if t.name not in wanted:
                continue
            where = (t.url, t.api_key_env)
            if where not in seen:
                seen[where] = await served_models(client, t, PROBE_TIMEOUT)
            models = seen[where]
            if models is not None and not listed(t.served_as, models):
                self.summary.unlisted[t.name] = models
                self.first_of[t.name] = next(j for j in self.jobs if j.target.name == t.name)
                self.first_done[t.name] = asyncio.Event()

    async def worker(self, client: Any, queue: Iterator[Job]) -> None:
        for job in queue:
            await self.one(client, job)

    async def one(self, client: Any, job: Job) -> None:
        """One request: ask, grade the answer, and hand its record on."""
        asked = await self.ask_in_turn(client, job)
        if asked is None:
            return
        reply, cached = asked
        checks: list[CheckResult] = []
        judged: dict[str, Any] | None = None
        if reply.ok:
            self.in_a_row[job.target.name] = 0
            if empty_reason(reply) is None:
                checks, judged = await self.grade(client, job, reply)
        else:
            self.count_failure(job, reply)
        self.summary.ran += 1
        self.on_result(record_for(job, reply, checks, judged, cached=cached))

    async def ask_in_turn(self, client: Any, job: Job) -> tuple[Reply, bool] | None:
        """``ask``, after the target's first request where that one goes alone; None,
        counted as not sent, once the target is stopped."""
        name = job.target.name
        gate = self.first_done.get(name)
        first = gate is not None and self.first_of[name].key == job.key
        if gate is not None and not first:
            await gate.wait()
        try:
            if self.not_sent(name):
                return None
            asked = await self.ask(client, job)
            if asked is None:
                self.not_sent(name)
            return asked
        finally:
            if gate is not None and first:
                gate.set()

    def not_sent(self, name: str) -> bool:
        """Whether the target is stopped (its request is then counted as not sent)."""
        if name in self.summary.stopped:
            self.summary.not_run[name] = self.summary.not_run.get(name, 0) + 1
            return True
        return False

    async def ask(self, client: Any, job: Job) -> tuple[Reply, bool] | None:
        """The reply, and whether it came from the response cache (an identical request
        at temperature 0 answered before); None if the target was stopped meanwhile."""
        from llmpick.evaluation.cache import cacheable, request_key
        from llmpick.evaluation.client import Reply, complete, request_body

        t = job.target
        messages = [*t.system_messages(), *job.case.chat()]
        fmt = response_format(t, job.case)
        body = request_body(t, messages, max_tokens=job.case.max_tokens, response_format=fmt)
        key = request_key(t.url, body) if self.cache.enabled and cacheable(body) else None
        if key is not None and (hit := self.cache.get(key)) is not None:
            self.summary.cached += 1
            return Reply(**hit), True
        async with self.limits[t.endpoint]:
            if t.name in self.summary.stopped:  # stopped while this one waited its turn
                return None
            reply = await complete(
                client,
                t,
                messages,
                self.policy,
                self.states[t.name],
                max_tokens=job.case.max_tokens,
                response_format=fmt,
            )
        if key is not None and reply.ok and empty_reason(reply) is None:
            self.cache.put(key, {f: getattr(reply, f) for f in CACHED_FIELDS})
        return reply, False

    async def grade(
        self, client: Any, job: Job, reply: Reply
    ) -> tuple[list[CheckResult], dict[str, Any] | None]:
        """The case's checks on an answer, and the judge's verdict last where the case
        has one (with what the judge was asked and spent)."""
        measures = Measures(reply.latency_s, answer_cost(job.target, reply))
        checks = run_local_checks(job.case.expect, reply.text or "", measures)
        if job.case.expect.judge is None:
            return checks, None
        verdict, judged = await self.ask_judge(client, job, reply.text or "")
        return [*checks, verdict], judged

    async def ask_judge(
        self, client: Any, job: Job, answer: str
    ) -> tuple[CheckResult, dict[str, Any]]:
        from llmpick.evaluation.client import complete

        judge = self.judge
        assert judge is not None and job.case.expect.judge is not None
        msgs = judge_messages(job.case.chat(), answer, job.case.expect.judge)
        async with self.limits[judge.endpoint]:
            r = await complete(client, judge, msgs, self.policy, self.judge_state, temperature=0)
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

    def count_failure(self, job: Job, reply: Reply) -> None:
        """A failed request: the target is stopped when its model is not listed and this
        was its first request, or after ``max_failures`` failures in a row."""
        name = job.target.name
        self.in_a_row[name] += 1
        unlisted = self.summary.unlisted.get(name)
        stopped = self.summary.stopped
        if unlisted is not None and name in self.first_of and self.first_of[name].key == job.key:
            stopped[name] = (
                f"the endpoint does not list {job.target.served_as!r} (it lists "
                f"{_names(unlisted)}) and refused it: {reply.error}"
            )
        elif self.in_a_row[name] >= self.config.max_failures and name not in stopped:
            stopped[name] = (
                f"stopped after {self.in_a_row[name]} failed requests in a row "
                f"(last: {reply.error})"
            )

    def note_unlisted(self) -> None:
        """A target that answered although its endpoint does not list its model."""
        for name, models in self.summary.unlisted.items():
            if name not in self.summary.stopped:
                t = next(t for t in self.targets if t.name == name)
                self.summary.target_notes.setdefault(name, []).append(
                    f"the endpoint does not list {t.served_as!r} (it lists {_names(models)}) "
                    "but answered: check which model it really serves"
                )


def _first_cause(eg: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first exception in a group (of groups): one request failed in a way no
    record can hold; the others were cancelled and are not news."""
    first = eg.exceptions[0]
    while isinstance(first, BaseExceptionGroup):
        first = first.exceptions[0]
    return first


def _names(models: list[str], n: int = 5) -> str:
    shown = ", ".join(repr(m) for m in models[:n])
    return shown + (f" and {len(models) - n} more" if len(models) > n else "")


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
