"""The machinery of the scoring rules: what a rule is, what it is given (the
``Context`` of a request), and what it concludes (``Effects``: reasons with points, and
caveats; ``Tally``: the points alone). A rule registers itself with the ``rule``
decorator in one of the ``rules_*`` modules; ``scoring.py`` puts them in order and runs
them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from llmpick.catalog.records import Catalog, Variant
from llmpick.engine.evidence import Measured
from llmpick.engine.memory import Estimate
from llmpick.engine.placement import Placement
from llmpick.engine.requirements import Requirements

# how much each kind of rule weighs for what the user optimises
WEIGHTS: dict[str, dict[str, float]] = {
    #          evidence  recency  cost  speed
    "balanced": {"evidence": 16, "recency": 1.0, "cost": 2, "speed": 0},
    "quality": {"evidence": 24, "recency": 1.0, "cost": 0, "speed": 0},
    "cost": {"evidence": 6, "recency": 0.5, "cost": 20, "speed": 0},
    "speed": {"evidence": 8, "recency": 1.0, "cost": 4, "speed": 10},
}


@dataclass(slots=True, eq=False, repr=False)
class Reason:
    """One explained factor: text in our words, the guide section it rests on, its points,
    and the rule that gave it."""

    text: str
    guide: str
    weight: float = 0.0
    rule: str = ""


@dataclass(slots=True, eq=False, repr=False)
class Context:
    """What the rules need besides the model and the requirements."""

    catalog: Catalog
    today: dt.date
    # (variant id, benchmark) -> (place 0..1, how many report it) among the candidates
    percentiles: dict[tuple[str, str], tuple[float, int]]
    benchmarks: tuple[str, ...]  # the results that measure this job
    # the candidates' best results (variant id -> benchmark -> score), and every
    # catalogued model's (to place a sibling or an excluded model among the candidates)
    pool: dict[str, dict[str, float]] = field(default_factory=dict)
    results: dict[str, dict[str, float]] = field(default_factory=dict)
    separations: dict[str, float] = field(default_factory=dict)  # benchmark -> weight
    found: dict[str, Found] = field(default_factory=dict)  # variant id -> its results here
    # variant id -> the quality level of those results, None without (``rules_results._level``)
    levels: dict[str, float | None] = field(default_factory=dict)
    # each family and kind's measured models (``rules_results._all_kin``), found once
    measured_kin: dict[tuple[str, bool], list[Variant]] | None = None
    kin_levels: dict[tuple[str, bool], float | None] = field(default_factory=dict)  # _kin_level
    # the models with a result that measures the job, and how many such benchmarks each has
    measuring: dict[str, int] | None = None
    counted: dict[str, tuple[Rule, ...]] = field(default_factory=dict)  # counted_rules
    cost_rank: dict[str, float] = field(default_factory=dict)  # variant id -> 0 cheapest..1
    speed_rank: dict[str, float] = field(default_factory=dict)  # variant id -> 0 fastest..1
    estimates: dict[str, Estimate] = field(default_factory=dict)  # GPU fit per variant
    placements: dict[str, Placement] = field(default_factory=dict)  # where it fits, and how split
    # with --prefer cost or speed: the models fit enough for their cost or speed to count
    # (fitness within PREFERENCE_MARGIN of the best among the models that pass)
    preference_eligible: frozenset[str] | None = None
    # the hard constraints a model fails under the same requirements (their texts): a
    # successor counts against a model only when it passes them itself
    fails: Callable[[Variant], list[str]] | None = None
    # pass rates measured on the user's own cases (recommend --evidence), by variant id
    measured: dict[str, Measured] = field(default_factory=dict)
    # the pool's scores per benchmark, sorted (to place a model outside the pool); kept
    # with the pool they were taken from, so a new pool takes them afresh
    pool_sorted: tuple[dict[str, dict[str, float]], dict[str, list[float]]] | None = None


@dataclass(slots=True, eq=False, repr=False)
class Effects:
    """What the rules concluded: reasons (with points) and caveats, each tagged with
    ``rule``, the name of the rule running."""

    reasons: list[Reason] = field(default_factory=list)
    caveats: list[Reason] = field(default_factory=list)
    rule: str = ""
    words: ClassVar[bool] = True  # the reasons are spelled out (``Tally``: points only)

    def add(self, points: float, text: str, guide: str) -> None:
        self.reasons.append(Reason(text, guide, round(points, 1), self.rule))

    def note(self, text: str, guide: str) -> None:
        self.reasons.append(Reason(text, guide, 0.0, self.rule))

    def warn(self, text: str, guide: str) -> None:
        self.caveats.append(Reason(text, guide, 0.0, self.rule))


class Tally(Effects):
    """The points alone, added up in the order ``score`` adds them (so the total is the
    same to the last bit), with no reason kept: ranking thousands of candidates needs
    their scores, and only the few shown need their reasons. Rules may skip building a
    text that costs time when ``fx.words`` is false."""

    __slots__ = ("skip", "total")
    words = False

    def __init__(self, skip: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.total: float = 0
        self.skip = skip  # rules whose points do not count

    def add(self, points: float, text: str, guide: str) -> None:
        if self.rule not in self.skip:
            self.total += round(points, 1)

    def note(self, text: str, guide: str) -> None:
        pass

    def warn(self, text: str, guide: str) -> None:
        pass


RuleFn = Callable[[Variant, Requirements, Context, Effects], None]
Applies = Callable[[Requirements, Context], bool]
Most = Callable[[Requirements, Context], float]  # the most points a rule gives, per request
MostEach = Callable[[Variant, Requirements, Context], float]  # ... where it depends on the model
# ... of many models at once, in their order (cheaper, and never below ``MostEach``)
RoughAll = Callable[[Sequence[Variant], Requirements, Context], Iterable[float]]


# each rule is one object, registered once: compared by identity (no generated __eq__ and
# __hash__, 0.2 ms of every start-up)
@dataclass(slots=True, frozen=True, eq=False)
class Rule:
    name: str
    fn: RuleFn
    cites: tuple[tuple[str, str], ...]  # (guide id, what the rule does on that ground)
    points: bool = True  # False: it only states facts and warns, never moves the score
    when: Applies | None = None  # whether it can say anything at all for a request
    # the most points it gives any model for a request, or (``most_each``) one model: a
    # ranking skips scoring the models that cannot reach its first places (``most_points``)
    most: Most | None = None
    most_each: MostEach | None = None
    # bounds of many models at once, cheaper than ``most_each`` and never below it: a
    # ranking orders thousands of models by them, and finds ``most_each`` only for those
    # that come to its top
    rough: RoughAll | None = None


REGISTERED: list[Rule] = []  # in the order they were imported; scoring.RULES orders them


def rule(
    name: str,
    *cites: tuple[str, str],
    points: bool = True,
    when: Applies | None = None,
    most: Most | None = None,
    most_each: MostEach | None = None,
    rough: RoughAll | None = None,
) -> Callable[[RuleFn], RuleFn]:
    """Register a scoring rule. ``when``: the requests it applies to (a rule for
    translation says nothing of a chat model); the rule is not run for the others.
    A rule that gives points says the most it can give (``most`` for any model of a
    request, or ``most_each`` for one model), never less than it gives; ``rough``, cheaper
    bounds of many models at once, is never below ``most_each``."""
    if points and (most is None) == (most_each is None):
        raise TypeError(f"rule {name!r}: give most or most_each")
    if rough is not None and most_each is None:
        raise TypeError(f"rule {name!r}: rough bounds most_each")

    def register(fn: RuleFn) -> RuleFn:
        if when is not None:
            inner = fn

            def fn(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
                if when(r, ctx):
                    inner(v, r, ctx, fx)

        REGISTERED.append(Rule(name, fn, cites, points, when, most, most_each, rough))
        return fn

    return register


# benchmark -> (place, candidates reporting, score, date, separation weight)
Found = dict[str, tuple[float, int, float, "dt.date | None", float]]
