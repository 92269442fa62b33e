"""Soft scoring: a table of small rules, each explaining the points it gives.

A model that passes every hard constraint starts at 50 points; each rule looks at
the requirements and the model and returns its effects: points with a reason, or a
caveat, each citing the guide section it rests on. ``llmpick why`` shows every
rule's points, and ``llmpick guide ID`` lists what each section justifies, read from
the ``cites`` of the rules (never parsed from the source).

Principles: quality comes only from published
results relevant to the job, placed among the candidates that report the same
benchmark; a model without such a result is a risk, not an average: it starts from a
conservative prior that earns no points (or half of a measured sibling's), and says
so, and a real result never scores below it. Parameter count is never a
merit in itself: it matters through memory, cost and speed. Newer generations rank
above older ones unless evidence says otherwise.

The rules live in modules named after what they judge (``rules_fit``, ``rules_results``,
``rules_lifecycle``, ``rules_serving``), on the machinery of ``rule.py`` and the facts of
``model_facts.py``; this module puts them in order and runs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from operator import add

from llmpick.catalog.records import Variant
from llmpick.engine import rules_fit, rules_lifecycle, rules_results, rules_serving
from llmpick.engine.requirements import Requirements
from llmpick.engine.rule import (
    REGISTERED,
    Context,
    Effects,
    MostEach,
    Reason,
    RoughAll,
    Rule,
    Tally,
)

# every rule's module (each registers its rules on import)
_MODULES = (rules_fit, rules_results, rules_lifecycle, rules_serving)
# the order the rules run in: the order of equal-weight reasons and of caveats in answers,
# and of the points added up (so a total is the same to the last bit)
ORDER = (
    "task fit",
    "ready-made classifier",
    "translation",
    "language",
    "reasoning",
    "fine-tuning and alignment",
    "domain",
    "measured on your cases",
    "published results",
    "recency",
    "hardware",
    "cost",
    "speed",
    "lifecycle",
    "requirements met",
)
_BY_NAME = {spec.name: spec for spec in REGISTERED}
if sorted(_BY_NAME) != sorted(ORDER) or len(_BY_NAME) != len(REGISTERED):
    raise RuntimeError(f"scoring.ORDER and the registered rules differ: {sorted(_BY_NAME)}")
RULES: list[Rule] = [_BY_NAME[name] for name in ORDER]


def counted_rules(r: Requirements, ctx: Context) -> tuple[Rule, ...]:
    """The rules that can move a score for the context's request, once per context and
    preference (a context serves one request, whose preference ``fitness`` replaces)."""
    hit = ctx.counted.get(r.prefer)
    if hit is None:
        hit = ctx.counted[r.prefer] = tuple(
            spec for spec in RULES if spec.points and (spec.when is None or spec.when(r, ctx))
        )
    return hit


PREFERENCES = ("cost", "speed")  # the rules that serve --prefer rather than fitness
PREFERENCE_MARGIN = 15.0


def fitness(v: Variant, r: Requirements, ctx: Context, balanced: Requirements) -> float:
    """How well the model fits the job: the balanced score without cost and speed
    (``balanced``: ``r`` with prefer=balanced, made once for all the models)."""
    fx = Tally()
    for spec in counted_rules(r, ctx):
        if spec.name not in PREFERENCES:
            fx.rule = spec.name
            spec.fn(v, balanced, ctx, fx)
    return 50.0 + fx.total


def points(v: Variant, r: Requirements, ctx: Context) -> float:
    """The score ``score`` gives, without its reasons."""
    eligible = ctx.preference_eligible
    fx = Tally(PREFERENCES if eligible is not None and v.id not in eligible else ())
    for spec in counted_rules(r, ctx):
        fx.rule = spec.name
        spec.fn(v, r, ctx, fx)
    return round(max(0.0, min(100.0, 50.0 + fx.total)), 1)


def _bounds(r: Requirements, ctx: Context) -> tuple[float, list[tuple[MostEach, RoughAll | None]]]:
    """(50 plus the most of every rule whose most is the same for every model, the
    bounds of each rule that bounds each model apart: exact, rough), in the order the
    rules count: what ``most_points`` and ``rough_points`` add up."""
    fixed = 50.0
    varying: list[tuple[MostEach, RoughAll | None]] = []
    for spec in counted_rules(r, ctx):
        if spec.most_each is not None:
            varying.append((spec.most_each, spec.rough))
        elif spec.most is not None:
            fixed += spec.most(r, ctx)
    return fixed, varying


def most_points(r: Requirements, ctx: Context) -> Callable[[Variant], float]:
    """The most a model can score for ``r``: every rule's most points (exact for
    recency and published results, which vary most; the rest by request), found far
    more cheaply than ``points``, which never exceeds it. A ranking need not score the
    models that cannot reach its first places."""
    fixed, varying = _bounds(r, ctx)
    each = [exact for exact, _ in varying]

    def most(v: Variant) -> float:
        total = fixed
        for fn in each:
            total += fn(v, r, ctx)
        return max(0.0, min(100.0, total)) + 0.1  # 0.1: the rounding of the rules' sum

    return most


def rough_points(models: Sequence[Variant], r: Requirements, ctx: Context) -> list[float]:
    """A bound of ``most_points`` for each of ``models``, never below it, found for
    thousands at a fraction of its cost (each rule's ``rough`` bounds where it has them):
    a ranking orders the models by it and finds the exact bound of the first few."""
    fixed, varying = _bounds(r, ctx)
    columns: list[Iterable[float]] = []
    for each, rough in varying:
        columns.append(rough(models, r, ctx) if rough else [each(v, r, ctx) for v in models])
    # added in the order ``most_points`` adds them, each term no less: never below it
    totals: Iterable[float] = repeat(fixed, len(models))
    for column in columns:
        totals = map(add, totals, column)
    return list(map(add, map(max, totals, repeat(0.0)), repeat(0.1)))


def score(v: Variant, r: Requirements, ctx: Context) -> tuple[float, list[Reason], list[Reason]]:
    """50 plus every rule's points, clipped to 0-100, with the reasons and caveats.

    A preference re-orders the models fit for the job; it never lifts a poor fit: with
    ``preference_eligible`` set, cost and speed count only for the models in it."""
    fx = Effects()
    reasons, caveats = fx.reasons, fx.caveats
    for spec in RULES:
        fx.rule = spec.name  # tags what it concludes
        spec.fn(v, r, ctx, fx)
    eligible = ctx.preference_eligible
    if eligible is not None and v.id not in eligible:
        reasons = [x for x in reasons if x.rule not in PREFERENCES]
        reasons.append(
            Reason(
                f"its {r.prefer} is not counted: it fits the job well below the best "
                "models that pass",
                "4.2",
                0.0,
                r.prefer,
            )
        )
    total = 50.0 + sum(x.weight for x in reasons)
    reasons.sort(key=lambda x: -abs(x.weight))
    return round(max(0.0, min(100.0, total)), 1), reasons, caveats


def guide_citations() -> list[tuple[str, str]]:
    """(guide id, what the scoring does on that ground), read from the rules."""
    return [cite for spec in RULES for cite in spec.cites]
