"""Ranking: the hard constraints (``constraints.py``) drop models, the scoring rules
(``scoring.py``) order the rest, near-duplicates are folded, and when nothing passes
the relaxations say which one change would bring models back.

Pure functions over a ``Catalog`` and ``Requirements``: no I/O, no presentation.
Each exclusion and reason carries a guide section id (``llmpick guide ID`` shows the
section).
"""

from __future__ import annotations

import datetime as dt
import math
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from llmpick.catalog.records import Catalog, Variant
from llmpick.engine import evidence
from llmpick.engine.best_first import BestFirst
from llmpick.engine.constraints import (
    CHECK_CITATIONS,
    Check,
    Exclusion,
    Fits,
    active_checks,
    check,
    placement,
)
from llmpick.engine.memory import Estimate, best_fit, estimate, working_context
from llmpick.engine.model_facts import GENERATIVE, blended_price, price_for
from llmpick.engine.placement import Placement, Speed, decode_speed, measured_speed
from llmpick.engine.requirements import Requirements
from llmpick.engine.rule import WEIGHTS, Context, Reason
from llmpick.engine.scoring import (
    PREFERENCE_MARGIN,
    PREFERENCES,
    fitness,
    guide_citations,
    most_points,
    points,
    rough_points,
    score,
)
from llmpick.engine.slots import (
    SAME_RELEASE_DAYS,
    STEP_MARGIN,
    identity,
    line,
    linked,
    same_base,
    size_step,
)

__all__ = [
    "GENERATIVE",
    "Exclusion",
    "Reason",
    "Recommendation",
    "Relaxation",
    "Verdict",
    "blended_price",
    "check",
    "identity",
    "price_for",
    "recommend",
]

MAX_PER_FAMILY = 2  # per model line near the top of the ranking, for real alternatives
MAX_PER_PROVIDER = 3


@dataclass(slots=True, eq=False, repr=False)
class Verdict:
    """Everything the engine concluded about one variant (a request makes one for every
    catalogued model: its defaults are shared, never a new list each)."""

    variant: Variant
    exclusions: list[Exclusion]
    _score: float = 0.0  # ``score``
    estimate: Estimate | None = None
    placement: Placement | None = None  # where the estimate sits on the user's hardware
    speed: Speed | None = None  # estimated decoding speed there
    duplicate_of: str | None = None
    # variants of the same base model (differing only in post-training or modality) that
    # this one's slot stands for; each has ``same_base_as`` set to this one's id
    also: tuple[str, ...] = ()
    same_base_as: str | None = None
    # the score's reasons and caveats, spelled out when first read (``explain_with``)
    _said: tuple[list[Reason], list[Reason]] | None = None
    _explain: Callable[[], tuple[float, list[Reason], list[Reason]]] | None = None
    _notes: tuple[Reason, ...] = ()  # added before they were spelled
    # how to score it when its score is first read (``score_later``)
    _later: Callable[[Verdict], None] | None = None

    @property
    def passed(self) -> bool:
        return not self.exclusions

    @property
    def score(self) -> float:
        self._scored()
        return self._score

    @score.setter
    def score(self, value: float) -> None:
        self._score = value

    def score_later(self, how: Callable[[Verdict], None]) -> None:
        """Say how to score it when its score or reasons are first read (``how`` is given
        the verdict): a ranking need not score the models that cannot reach its first
        places until they are read."""
        self._later = how

    def _scored(self) -> None:
        if self._later is not None:
            later, self._later = self._later, None
            later(self)

    @property
    def reasons(self) -> list[Reason]:
        return self._spelled()[0]

    @property
    def caveats(self) -> list[Reason]:
        return self._spelled()[1]

    def explain_with(self, explain: Callable[[], tuple[float, list[Reason], list[Reason]]]) -> None:
        """Say how to spell out the reasons of the score already set, when they are read:
        a ranking scores every candidate, and shows the reasons of a few."""
        self._said, self._explain = None, explain

    def note(self, reason: Reason) -> None:
        """Add a reason after the rules' (one that shares a slot)."""
        if self._said is None:
            self._notes = (*self._notes, reason)
        else:
            self._said[0].append(reason)

    def _spelled(self) -> tuple[list[Reason], list[Reason]]:
        self._scored()
        if self._said is None:
            reasons: list[Reason] = []
            caveats: list[Reason] = []
            if self._explain is not None:
                score, reasons, caveats = self._explain()
                assert score == self.score, (self.variant.id, score, self.score)
            self._said = (reasons + list(self._notes), caveats)
            self._notes = ()
        return self._said


@dataclass(slots=True, eq=False, repr=False)
class Relaxation:
    """One change to the requirements that would return models, counted by re-running:
    the requirement fields changed and their new values (the output words them as the
    options to type)."""

    constraints: tuple[str, ...]
    changes: dict[str, Any]
    returns: int
    top: list[str] = field(default_factory=list)  # the first models it would return


@dataclass(slots=True, eq=False, repr=False)
class Recommendation:
    requirements: Requirements
    candidates: list[Verdict]
    passed: int  # the places the passing models take (duplicates and shared slots are none)
    verdicts: dict[str, Verdict]
    excluded_counts: dict[str, int]
    relaxations: list[Relaxation]
    blocking: list[tuple[str, int]]  # constraints that removed the most, when empty
    benchmarks: tuple[str, ...] = ()  # the published results that measure this job
    _ranked: list[Verdict] | None = None
    _rank_all: Callable[[], list[Verdict]] | None = None  # ranks them when first read

    @property
    def ranked(self) -> list[Verdict]:
        """Every passing model, ranked, duplicates removed (the models below the first
        places are scored when this is first read)."""
        if self._ranked is None:
            assert self._rank_all is not None
            self._ranked, self._rank_all = self._rank_all(), None
        return self._ranked

    def rank_of(self, variant_id: str) -> int | None:
        """A model's place; a variant that shares a slot (``also``) has its slot's."""
        verdict = self.verdicts.get(variant_id)
        if verdict is not None and verdict.same_base_as is not None:
            variant_id = verdict.same_base_as
        for i, v in enumerate(self.ranked, 1):
            if v.variant.id == variant_id:
                return i
        return None


# --- the recommendation ----------------------------------------------------------


# every model's best result on every benchmark, per catalog while it lives
_RESULTS: weakref.WeakKeyDictionary[Catalog, dict[str, dict[str, float]]] = (
    weakref.WeakKeyDictionary()
)


def _results(c: Catalog) -> dict[str, dict[str, float]]:
    """Every model's best result on every benchmark, computed once per catalog."""
    hit = _RESULTS.get(c)
    if hit is None:
        hit = _RESULTS[c] = evidence.best_results(c.variants.values())
    return hit


def _context(
    c: Catalog,
    r: Requirements,
    *,
    placed: bool = True,
    measured: Mapping[str, evidence.Measured] | None = None,
    checks: tuple[Check, ...] | None = None,
) -> Context:
    """The rules' context, with every catalogued model as the pool results are placed in
    (``recommend`` narrows it to the candidates, and asks for no catalog-wide places);
    ``measured``: pass rates on the user's own cases by variant id (--evidence)."""
    # recency is counted from the catalog's own date, not the clock (see llmpick.clock)
    today = c.newest_verified or dt.date(2026, 1, 1)
    benchmarks = evidence.relevant(
        r.task, language=r.language, min_context=r.min_context, domain=r.domain, needs=r.needs
    )
    results = _results(c)
    places, seps = evidence.places(results) if placed else ({}, {})
    ctx = Context(c, today, places, benchmarks, pool=results, results=results, separations=seps)
    ctx.measured = dict(measured or {})
    if checks is None:
        checks = active_checks(r, ctx.measured)
    ctx.fails = lambda v: [e.text for e in check(v, r, c, checks)]
    return ctx


def _among(ctx: Context, candidates: list[Verdict]) -> None:
    """Place every result among the candidates that report the same benchmark."""
    ctx.pool = {
        v.variant.id: ctx.results[v.variant.id] for v in candidates if v.variant.id in ctx.results
    }
    ctx.percentiles, ctx.separations = evidence.places(ctx.pool)


def _percentile_ranks(values: dict[str, float]) -> dict[str, float]:
    """id -> 0 (smallest) .. 1 (largest) among the given values; ties share a rank."""
    ordered = sorted(values.values())
    n = len(ordered)
    if n < 2:
        return dict.fromkeys(values, 0.5)
    import bisect

    return {
        k: (bisect.bisect_left(ordered, x) + bisect.bisect_right(ordered, x) - 1) / (2 * (n - 1))
        for k, x in values.items()
    }


def _rank_costs(passing: list[Verdict], r: Requirements, ctx: Context) -> Context:
    """``ctx`` with the cost and speed ranks among the models that pass (API price, or
    GPU footprint), each when its rule weighs it for the preference."""
    api: dict[str, float] = {}
    hosted: dict[str, float] = {}
    size: dict[str, float] = {}
    costs, speeds = (WEIGHTS[r.prefer][k] != 0 for k in ("cost", "speed"))
    for verdict in passing:
        v = verdict.variant
        if costs:
            est = verdict.estimate
            if v.open_weights and r.hosting != "api" and est is not None:
                hosted[v.id] = est.total_gb
            elif v.pricing is not None and (price := price_for(v, r)) is not None:
                # at the user's monthly volume when given (its input:output mix), else 3:1
                usd = price.monthly(*r.tokens_per_month) if r.tokens_per_month else price.blended
                api[v.id] = math.log(usd + 0.01)
        active = v.active_params_b or v.params_b
        if speeds and active is not None:
            size[v.id] = active
    return replace(
        ctx,
        cost_rank={**_percentile_ranks(api), **_percentile_ranks(hosted)},
        speed_rank=_percentile_ranks(size),
    )


def _fit(
    verdict: Verdict,
    r: Requirements,
    measured: Mapping[str, evidence.Measured] | None = None,
    fits: Fits | None = None,
) -> None:
    """Where the model fits (its estimate, placement and speed), on the verdict
    (``fits``: the placements the checks found)."""
    v = verdict.variant
    est = None
    if r.sized:
        placed = placement(v, r, fits)[0]
        if placed is not None:
            est = placed.estimate
            verdict.placement = placed
            verdict.speed = decode_speed(v, placed, r.device)
    m = measured.get(v.id) if measured else None
    if m is not None and m.tokens_per_s is not None and r.hosting != "api":
        # timed on the user's own server (--evidence): it replaces the estimate
        verdict.speed = measured_speed(m.tokens_per_s, m.speed_answers, m.source)
    elif r.quantization != "auto" and v.open_weights:
        est = estimate(v, r.quantization, working_context(v, r.min_context))
    verdict.estimate = est


def _with_fits(ctx: Context, verdicts: list[Verdict], r: Requirements) -> Context:
    """``ctx`` with the GPU fits of ``verdicts`` added (the rules read them there)."""
    if not r.sized:
        return ctx
    estimates = {v.variant.id: v.estimate for v in verdicts if v.estimate is not None}
    placements = {v.variant.id: v.placement for v in verdicts if v.placement is not None}
    return replace(
        ctx,
        estimates={**ctx.estimates, **estimates},
        placements={**ctx.placements, **placements},
    )


def _score(verdict: Verdict, r: Requirements, ctx: Context) -> None:
    """The verdict's score now, its reasons when they are read."""
    v = verdict.variant
    verdict.score = points(v, r, ctx)
    verdict.explain_with(lambda: score(v, r, ctx))


def _sort_key(v: Verdict) -> tuple[float, int, str]:
    # the order of the scores; among equal scores, the newer release first; the id makes
    # the order total
    released = v.variant.released.toordinal() if v.variant.released else 0
    return (-v.score, -released, v.variant.id)


Share = tuple[Verdict, Verdict, str]  # a model, the model whose slot it shares, and why


def _places(
    ordered: list[Verdict], c: Catalog | None
) -> tuple[list[Verdict], list[Share], list[tuple[Verdict, str]]]:
    """Of models in score order: those that take a place of their own, those that share
    a better model's slot, and the duplicates with the id of the model they repeat."""
    seen: dict[tuple[object, ...], str] = {}
    unique: list[Verdict] = []
    shares: list[Share] = []
    duplicates: list[tuple[Verdict, str]] = []
    # a family's slots so far with their release days, by architecture and whether they
    # embed: only those can share a slot (``same_base``, ``size_step``)
    slots: dict[tuple[str, str, bool], list[tuple[int, Verdict]]] = {}
    for v in ordered:
        key = identity(v.variant)
        if key in seen:
            duplicates.append((v, seen[key]))
            continue
        w = v.variant
        kin = slots.setdefault((w.family, w.architecture, w.flavour == "embedding"), [])
        if w.released is not None:  # an undated model shares no slot
            day = w.released.toordinal()
            near = [u for d, u in kin if abs(d - day) <= SAME_RELEASE_DAYS]
            share = _slot_of(v, near, c) if near else None
            if share is not None:
                shares.append(share)
                continue
            kin.append((day, v))
        seen[key] = w.id
        unique.append(v)
    return unique, shares, duplicates


def _slot_of(v: Verdict, kin: list[Verdict], c: Catalog | None) -> Share | None:
    """The first of ``kin`` (better ranked models of its family released near ``v``)
    that is the same base model, else the next size of its release within a point in
    score, and why; None when none is."""
    slot = next((u for u in kin if same_base(u.variant, v.variant)), None)
    if slot is not None:
        return v, slot, "the same base model with other post-training or modality"
    if c is not None:
        near = (u for u in kin if u.score - v.score <= STEP_MARGIN)
        slot = next((u for u in near if size_step(c, u.variant, v.variant)), None)
        if slot is not None:
            return v, slot, "the next size of the same release, within a point in score"
    return None


def _settle(shares: list[Share], duplicates: list[tuple[Verdict, str]]) -> None:
    """Mark the duplicates, and put each model that shares a slot in it, saying so on
    both."""
    for v, first in duplicates:
        v.duplicate_of = first
    for v, slot, why in shares:
        v.same_base_as = slot.variant.id
        slot.also = (*slot.also, v.variant.id)
        slot.note(
            Reason(
                f"also: {v.variant.id} (score {v.score:g}), {why}, in this one slot",
                "2.16",
                0.0,
                "one slot",
            )
        )
        v.note(
            Reason(
                f"shares one slot with {slot.variant.id} (score {slot.score:g}), {why}",
                "2.16",
                0.0,
                "one slot",
            )
        )


def _first_places(
    unique: list[Verdict], c: Catalog | None, top: int
) -> tuple[list[Verdict], list[Verdict], Verdict | None]:
    """The ``top`` models that fill the first places, by score with at most
    MAX_PER_FAMILY per model line and MAX_PER_PROVIDER per maker (too few others: the
    capped fill them, by score), the rest in score order, and the model that took the
    last first place within the caps (None when the capped had to fill places)."""
    head: list[Verdict] = []
    tail: list[Verdict] = []
    per_family: dict[str, int] = {}
    per_provider: dict[str, int] = {}
    for i, v in enumerate(unique):
        if len(head) == top:  # the first places are filled: the rest follows by score
            tail += unique[i:]
            break
        fam = line(c, v.variant) if c is not None else v.variant.family
        prov = v.variant.provider
        if per_family.get(fam, 0) < MAX_PER_FAMILY and per_provider.get(prov, 0) < MAX_PER_PROVIDER:
            head.append(v)
            per_family[fam] = per_family.get(fam, 0) + 1
            per_provider[prov] = per_provider.get(prov, 0) + 1
        else:
            tail.append(v)
    last = head[-1] if head and len(head) == top else None
    fill = top - len(head)
    if fill > 0:
        head, tail = head + tail[:fill], tail[fill:]
    return head, tail, last


PRUNE_FROM = 2000  # models that pass; a catalog's own few hundred are all scored


def _ranking(
    passing: list[Verdict], c: Catalog, r: Requirements, ctx: Context, top: int, keep: set[str]
) -> tuple[list[Verdict], int, Callable[[], list[Verdict]]]:
    """The first ``top`` places, how many places the models that pass take, and how to
    rank them all (when that is read): best first, in the order of the scores; one place
    per model (a snapshot or repack is a duplicate; a variant of the same base takes its
    better sibling's slot, named under it as "also"). The caps on models per line and
    per maker only choose which models fill the first places; the rest follows by score.

    Only the models that can change the first places or that count are scored here:
    those that can repeat another or share its slot (``slots.linked``), those in
    ``keep``, and those whose most possible score (``most_points``) reaches the first
    places, taken best bound first until the first places are settled (``BestFirst``:
    a rough bound orders them all, and only those that come to the top have theirs
    found). Each of the others takes a place of its own below them, and is scored when
    all are ranked."""
    if len(passing) < PRUNE_FROM:  # few: scoring them all costs less than bounding them
        sure, bounds = passing, BestFirst[Verdict]([], [], lambda v: 0.0)
    else:
        sure, bounds = _bounded(passing, c, r, ctx, keep)
    for v in sure:
        _score(v, r, ctx)
    taken: list[tuple[float, Verdict]] = []  # the others scored so far, with their bounds
    n = min(len(bounds), 4 * top + 16)
    while True:
        while len(taken) < n:
            most, v = bounds.pop()
            _score(v, r, ctx)
            taken.append((most, v))
        if bounds and not all(v.score <= most for most, v in taken):
            n += len(bounds)  # a rule gave more than it said it could: score them all
            continue
        chosen = sure + [v for _, v in taken]
        unique, shares, duplicates = _places(sorted(chosen, key=_sort_key), c)
        head, tail, last = _first_places(unique, c, top)
        if not bounds or top <= 0 or (last is not None and last.score > bounds.peek()):
            break
        n = min(len(taken) + len(bounds), 4 * n)
    _settle(shares, duplicates)
    rest = bounds.rest()
    later = partial(_score, r=r, ctx=ctx)  # one for all of them: thousands
    for v in rest:
        v.score_later(later)

    def everything() -> list[Verdict]:  # each of the rest is scored as the sort reads it
        return sorted(head, key=_sort_key) + sorted(tail + rest, key=_sort_key)

    return sorted(head, key=_sort_key), len(unique) + len(rest), everything


def _bounded(
    passing: list[Verdict], c: Catalog, r: Requirements, ctx: Context, keep: set[str]
) -> tuple[list[Verdict], BestFirst[Verdict]]:
    """The models that must be scored (their bound unused), and the others best bound
    first."""
    must = linked((v.variant for v in passing), c) | keep
    sure = [v for v in passing if v.variant.id in must]
    others = [v for v in passing if v.variant.id not in must]
    rough = rough_points([v.variant for v in others], r, ctx)
    most = most_points(r, ctx)
    return sure, BestFirst(others, rough, lambda v: most(v.variant))


def recommend(
    c: Catalog,
    r: Requirements,
    top: int = 5,
    explain: tuple[str, ...] = (),
    *,
    relax: bool = True,
    only: frozenset[str] | None = None,
    measured: Mapping[str, evidence.Measured] | None = None,
) -> Recommendation:
    """Filter, score, rank and explain the catalog for ``r``.

    Excluded models are scored too only when named in ``explain`` (for `why`). When
    nothing passes (and ``relax``), the answer carries the changes that would return
    models, each counted by running the engine again with that change. ``only`` limits
    the run to some models (a relaxation need only re-check those it could admit).
    ``measured``: pass rates on the user's own cases by variant id (--evidence).
    """
    fits: Fits = {}  # the checks place each model on the hardware; the scores read it
    checks = active_checks(r, measured, fits)
    # placed among the candidates below
    ctx = _context(c, r, placed=False, measured=measured, checks=checks)
    verdicts, passing, counts = _checked(c, r, checks, only)
    # a successor's hard constraints were just checked with everyone else's
    ctx.fails = lambda v: (
        [e.text for e in verdicts[v.id].exclusions]
        if v.id in verdicts
        else [e.text for e in check(v, r, c, checks)]
    )
    ctx = _before_scoring(passing, r, ctx, measured, fits)
    for vid in dict.fromkeys(explain):
        excluded = verdicts.get(vid)
        if excluded is not None and not excluded.passed:
            _fit(excluded, r, measured, fits)
            _score(excluded, r, _with_fits(ctx, [excluded], r))
    first, passed, rank_all = _ranking(passing, c, r, ctx, top, set(explain))
    relaxations: list[Relaxation] = []
    blocking: list[tuple[str, int]] = []
    if not passed:
        blocking = list(counts.items())
        if relax:
            failing = {vid: {e.constraint for e in v.exclusions} for vid, v in verdicts.items()}
            relaxations = relaxations_for(c, r, failing, measured)
    return Recommendation(
        requirements=r,
        candidates=first[:top],
        passed=passed,
        verdicts=verdicts,
        excluded_counts=counts,
        relaxations=relaxations,
        blocking=blocking,
        benchmarks=ctx.benchmarks,
        _rank_all=rank_all,
    )


def _checked(
    c: Catalog, r: Requirements, checks: tuple[Check, ...], only: frozenset[str] | None
) -> tuple[dict[str, Verdict], list[Verdict], dict[str, int]]:
    """Every model's verdict on the hard constraints, by id; those that pass; and how
    many models each constraint excludes (a model once per constraint), most first."""
    verdicts: dict[str, Verdict] = {}
    passing: list[Verdict] = []
    counts: dict[str, int] = {}
    variants = c.variants
    for vid in sorted(variants if only is None else only & variants.keys()):
        v = variants[vid]
        found = check(v, r, c, checks)
        verdict = verdicts[vid] = Verdict(v, found)
        if not found:
            passing.append(verdict)
            continue
        # most often one exclusion; several may name one constraint, counted once
        one = len(found) == 1
        for name in (found[0].constraint,) if one else dict.fromkeys(e.constraint for e in found):
            counts[name] = counts.get(name, 0) + 1
    return verdicts, passing, dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _before_scoring(
    passing: list[Verdict],
    r: Requirements,
    ctx: Context,
    measured: Mapping[str, evidence.Measured] | None,
    fits: Fits,
) -> Context:
    """The context the models that pass are scored and their reasons spelled out in:
    each placed among them (its results, its cost and speed)."""
    _among(ctx, passing)
    if r.sized or measured or r.quantization != "auto":  # else there is no fit to find
        for verdict in passing:
            _fit(verdict, r, measured, fits)
    ctx = _with_fits(ctx, passing, r)
    eligible = passing
    if r.prefer in PREFERENCES and passing:
        # cost and speed re-order the models fit for the job, compared among themselves
        balanced = r.replace(prefer="balanced")
        fit = {v.variant.id: fitness(v.variant, r, ctx, balanced) for v in passing}
        floor = max(fit.values()) - PREFERENCE_MARGIN
        eligible = [v for v in passing if fit[v.variant.id] >= floor]
        ctx.preference_eligible = frozenset(v.variant.id for v in eligible)
    return _rank_costs(eligible, r, ctx)


# --- relaxations: one change at a time, counted by running the engine again ---------

# real hardware: single cards up to 8-GPU servers (GB)
GPU_LADDER = (6, 8, 12, 16, 24, 32, 40, 48, 64, 80, 96, 141, 160, 192, 320, 640, 1128)
# token counts as people type them (64k is 64,000), so a suggestion re-runs as printed
CONTEXT_LADDER = (
    4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 200_000, 256_000, 400_000, 512_000,
    1_000_000, 2_000_000, 10_000_000,
)  # fmt: skip
# Mac unified memory as sold (GB)
MAC_LADDER = (16, 24, 32, 36, 48, 64, 96, 128, 192, 256, 512)
PARAMS_LADDER = (0.5, 1, 2, 3, 4, 8, 14, 24, 32, 70, 120, 235, 405, 700, 1100)
PRICE_LADDER = (0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 15, 30, 60)


# which constraints a change of each requirement can lift
_LIFTS: dict[str, frozenset[str]] = {
    "gpu_memory": frozenset({"gpu_memory"}),
    "gpus": frozenset({"gpu_memory"}),  # every memory budget is checked as gpu_memory
    "unified_memory": frozenset({"gpu_memory"}),
    "ram": frozenset({"gpu_memory"}),
    "min_context": frozenset({"min_context", "gpu_memory"}),
    "max_params": frozenset({"max_params"}),
    "max_price": frozenset({"max_price"}),
    "access": frozenset({"access"}),
    "hosting": frozenset({"hosting", "gpu_memory", "max_price", "needs", "status"}),
    "platform": frozenset({"platform"}),
    "include_legacy": frozenset({"status"}),
    "language": frozenset({"language"}),
    "needs": frozenset({"needs"}),
    "flavour": frozenset({"flavour"}),
    "license": frozenset({"license"}),
    "commercial": frozenset({"commercial"}),
    "fine_tune": frozenset({"fine_tune", "task"}),
}


# the limits a relaxation raises (or, for the context, lowers) along a ladder, in the
# order they are tried
_LADDERS: tuple[tuple[str, tuple[float, ...]], ...] = (
    ("gpu_memory", GPU_LADDER),
    ("unified_memory", MAC_LADDER),
    ("ram", GPU_LADDER),
    ("min_context", CONTEXT_LADDER),
    ("max_params", PARAMS_LADDER),
    ("max_price", PRICE_LADDER),
)

Count = Callable[[dict[str, Any]], tuple[int, list[str]]]
Tried = tuple[float, Relaxation]  # how far it moves from what was asked, and the change


def relaxations_for(
    c: Catalog,
    r: Requirements,
    failing: dict[str, set[str]] | None = None,
    measured: Mapping[str, evidence.Measured] | None = None,
) -> list[Relaxation]:
    """The single changes (or a named pair) that return models, smallest change first.

    Each is counted by running the engine with the change, over the models it could
    admit (those that fail only constraints the change can lift)."""
    if failing is None:
        checks = active_checks(r, measured)
        failing = {
            vid: {e.constraint for e in check(v, r, c, checks)} for vid, v in c.variants.items()
        }
    known = failing

    def count(changes: dict[str, Any]) -> tuple[int, list[str]]:
        lifts = frozenset().union(*(_LIFTS[k] for k in changes))
        only = frozenset(vid for vid, fails in known.items() if fails and fails <= lifts)
        if not only:
            return 0, []
        rec = recommend(c, r.replace(**changes), top=3, relax=False, only=only, measured=measured)
        return rec.passed, [v.variant.id for v in rec.candidates]

    tried: list[Tried] = []
    for name, ladder in _LADDERS:
        if name == "min_context":  # more of the same card is tried before the context
            tried += _more_cards(r, count)
        asked = getattr(r, name)
        if asked is not None:
            tried += _along(name, ladder, asked, count)
    for names, changes, strain in _dropped(r):
        n, top = count(changes)
        if n:
            tried.append((strain, Relaxation(names, changes, n, top)))
    if not tried and r.gpu_memory is not None and r.min_context is not None:
        pair = _gpu_and_context(c, r, failing)
        if pair is not None:
            tried.append(pair)
    tried.sort(key=lambda st: (st[0], -st[1].returns, _tie(st[1], r)))
    return [x for _, x in tried[:6]]


def _along(name: str, ladder: Sequence[float], asked: float, count: Count) -> list[Tried]:
    """The smallest step along a ladder that returns models (a longer context is asked
    less: its ladder is walked down), found by bisection: the ladders are monotone (a
    bigger GPU never returns fewer models)."""
    if name == "min_context":
        values = [t for t in reversed(ladder) if t < asked]
    else:
        values = [g for g in ladder if g > asked]
    lo, hi, found = 0, len(values), None
    while lo < hi:
        mid = (lo + hi) // 2
        n, top = count({name: values[mid]})
        if n:
            found, hi = (values[mid], n, top), mid
        else:
            lo = mid + 1
    if found is None:
        return []
    value, n, top = found
    strain = abs(math.log(value / float(asked))) if asked else 1.0
    return [(strain, Relaxation((name,), {name: value}, n, top))]


def _more_cards(r: Requirements, count: Count) -> list[Tried]:
    """With several GPUs of one kind: the fewest more of the same card that return models."""
    if len(r.gpus) < 2 or len(set(r.gpus)) != 1:
        return []
    for n in (x for x in (2, 4, 8) if x > len(r.gpus)):
        changes: dict[str, Any] = {"gpus": [r.gpus[0]] * n}
        found, top = count(changes)
        if found:
            return [(math.log(n / len(r.gpus)), Relaxation(("gpus",), changes, found, top))]
    return []


def _dropped(r: Requirements) -> list[tuple[tuple[str, ...], dict[str, Any], float]]:
    """The requirements that can be dropped (or widened to any), each with the
    constraints it lifts, the change, and its strain."""
    kinds: list[tuple[tuple[str, ...], dict[str, Any], float]] = []
    if r.access == "open":
        if r.hosting == "self":
            kinds.append((("access", "hosting"), {"access": "any", "hosting": "any"}, 1.0))
        else:
            kinds.append((("access",), {"access": "any"}, 1.0))
    elif r.hosting == "self":
        kinds.append((("hosting",), {"hosting": "any"}, 1.0))
    if r.access == "proprietary":
        kinds.append((("access",), {"access": "any"}, 1.0))
    if r.hosting == "api":
        kinds.append((("hosting",), {"hosting": "any"}, 1.0))
    if r.platform:
        kinds.append((("platform",), {"platform": None}, 1.2))
    if not r.include_legacy:
        kinds.append((("status",), {"include_legacy": True}, 1.3))
    if r.language:
        kinds.append((("language",), {"language": None}, 1.3))
    for need in r.needs:
        kinds.append((("needs",), {"needs": [n for n in r.needs if n != need]}, 1.3))
    if r.flavour:
        kinds.append((("flavour",), {"flavour": None}, 1.3))
    if r.license:
        kinds.append((("license",), {"license": []}, 1.5))
    if r.commercial:
        kinds.append((("commercial",), {"commercial": False}, 1.6))
    if r.fine_tune:
        kinds.append((("fine_tune",), {"fine_tune": False}, 1.6))
    return kinds


def _tie(x: Relaxation, r: Requirements) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
    """The order among equally strained relaxations that return as many models: a
    changed limit before a dropped one, then by the requirements changed (and, for one
    of several needs, the need dropped)."""
    dropped = any(v is None or v is False or v == [] for v in x.changes.values())
    if "needs" in x.changes:
        dropped = True
        what = tuple(sorted(set(r.needs) - set(x.changes["needs"])))
    else:
        what = ()
    return dropped, tuple(sorted(x.changes)), what


def _gpu_and_context(
    c: Catalog, r: Requirements, failing: dict[str, set[str]]
) -> tuple[float, Relaxation] | None:
    """When neither limit alone can be met: the pair of a shorter context and a bigger GPU
    that moves least from what was asked (ratios, on the same ladders), checked by a run."""
    assert r.gpu_memory is not None and r.min_context is not None
    others = {"gpu_memory", "min_context"}
    best: tuple[float, int, int] | None = None
    for vid, fails in failing.items():
        v = c.variants[vid]
        if not fails or not fails <= others or not v.open_weights or v.params_b is None:
            continue
        for t in CONTEXT_LADDER:
            if t >= r.min_context or (v.context_window or 0) < t:
                continue
            e = best_fit(v, GPU_LADDER[-1], r.quantization, max(working_context(v, None), t))[0]
            if e is None:
                continue
            gpu = next((g for g in GPU_LADDER if g >= max(e.total_gb, r.gpu_memory)), 0)
            if not gpu:
                continue
            strain = math.log(r.min_context / t) + math.log(gpu / r.gpu_memory)
            if best is None or strain < best[0]:
                best = (strain, gpu, t)
    if best is None:
        return None
    strain, gpu, t = best
    rec = recommend(c, r.replace(gpu_memory=gpu, min_context=t), top=3, relax=False)
    n, top = rec.passed, [v.variant.id for v in rec.candidates]
    if not n:
        return None
    changes: dict[str, Any] = {"gpu_memory": gpu, "min_context": t}
    return strain, Relaxation(("gpu_memory", "min_context"), changes, n, top)


# --- what each guide section justifies (shown by `llmpick guide ID`) ---------------

RULES: tuple[tuple[str, str], ...] = tuple(
    sorted(
        (*CHECK_CITATIONS, *guide_citations()),
        key=lambda st: tuple(int(x) for x in st[0].split(".")),
    )
)
