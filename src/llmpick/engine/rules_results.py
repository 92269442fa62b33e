"""Scoring rules for results: a pass rate measured on your own cases, and published
results on the benchmarks that measure the job, placed among the candidates that report
them. A model without such a result is counted from a conservative prior, or at half of
a measured stand-in's (the release it replaces, or a sibling of its kind and size).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import weakref
from collections.abc import Sequence
from itertools import repeat

from llmpick.catalog.records import Catalog, Variant
from llmpick.engine.evidence import (
    FULL_WEIGHT,
    SIBLING_SHARE,
    UNMEASURED,
    base,
    canonical,
    comparable_edition,
    measured_points,
    measures,
    quality,
    separation_with,
)
from llmpick.engine.model_facts import freshness
from llmpick.engine.requirements import Requirements
from llmpick.engine.rule import WEIGHTS, Context, Effects, Found, rule


@rule(
    "measured on your cases",
    (
        "4.2",
        "a pass rate measured with llmpick eval on your own cases outweighs published "
        "results: it is your job, not a benchmark's",
    ),
    when=lambda r, ctx: bool(ctx.measured),
    most_each=lambda v, r, ctx: (
        round(measured_points(ctx.measured[v.id], WEIGHTS[r.prefer]["evidence"]), 1)
        if v.id in ctx.measured
        else 0.0
    ),
)
def measured_results(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    m = ctx.measured.get(v.id)
    if m is not None:
        fx.add(measured_points(m, WEIGHTS[r.prefer]["evidence"]), m.label(), "4.2")


def _evidence_most(v: Variant, r: Requirements, ctx: Context) -> float:
    """The most ``published_results`` gives ``v``: its own results' points, or else those
    of half the best level among the models that could stand in for it (its
    predecessors, and its measured kin when its size is published)."""
    weight = WEIGHTS[r.prefer]["evidence"]
    own = _level(v, ctx)
    if own is not None:
        return round(_evidence_points(weight, own), 1)
    best = _kin_level(v.family, v.moe, ctx) if v.params_b is not None else None
    for prev in predecessors(ctx.catalog).get(v.id, ()):
        level = _level(ctx.catalog.variants[prev], ctx)
        if level is not None and (best is None or level > best):
            best = level
    if best is None:
        return 0.0
    return round(_evidence_points(weight, UNMEASURED + SIBLING_SHARE * (best - UNMEASURED)), 1)


def _evidence_rough(models: Sequence[Variant], r: Requirements, ctx: Context) -> list[float]:
    """A bound of ``_evidence_most`` for each model, from how many results that measure
    the job it and its possible stand-ins report (``_best_level``): each model's own
    count, the largest among the sized ones of its family and kind, and its
    predecessors'; a model with none of them gets none."""
    weight = WEIGHTS[r.prefer]["evidence"]
    counts = _measuring(ctx)
    preds = predecessors(ctx.catalog)
    # (family, kind) -> the most any of its measured kin reports (``_measured_kin``)
    kin = {key: max(counts[sib.id] for sib in sibs) for key, sibs in _all_kin(ctx).items() if sibs}

    @functools.cache  # a few counts, met thousands of times
    def most(own: int, stand_in: int) -> float:
        level = max(
            _best_level(own), UNMEASURED + SIBLING_SHARE * (_best_level(stand_in) - UNMEASURED)
        )
        return round(_evidence_points(weight, level), 1)

    def alone(v: Variant) -> float:  # one with results, or a predecessor
        sized = kin.get((v.family, v.moe), 0) if v.params_b is not None else 0
        before = max(map(counts.get, preds.get(v.id, ()), repeat(0)), default=0)
        return most(counts.get(v.id, 0), max(sized, before))

    by_kin = {key: most(0, k) for key, k in kin.items()}
    return [
        alone(v)
        if v.id in counts or v.id in preds
        else by_kin.get((v.family, v.moe), 0.0)
        if v.params_b is not None
        else 0.0
        for v in models
    ]


def _best_level(results: int) -> float:
    """The highest level ``results`` results can give: each first among at least
    FULL_WEIGHT candidates, weighing fully (a place is at most 1, a weight at most 1, and
    benchmarks grouped as one count once; ``_weighed``)."""
    return quality([(1.0, FULL_WEIGHT, 1.0)] * results)


def _level(v: Variant, ctx: Context) -> float | None:
    """The quality level of a model's results that measure the job (None: it has none),
    once per context: its bound, its score and the models it stands in for read it."""
    levels = ctx.levels
    if v.id not in levels:
        found = _relevant_results(v, ctx) if v.id in ctx.results else None
        levels[v.id] = quality(_weighed(found, ctx)) if found else None
    return levels[v.id]


def _kin_level(family: str, moe: bool, ctx: Context) -> float | None:
    """The best level among a family's measured models of one kind, once per context."""
    key = (family, moe)
    if key not in ctx.kin_levels:
        levels = (_level(sib, ctx) for sib in _measured_kin(family, moe, ctx))
        ctx.kin_levels[key] = max((x for x in levels if x is not None), default=None)
    return ctx.kin_levels[key]


@rule(
    "published results",
    (
        "4.2",
        "published results on benchmarks that measure the task move the score, placed among "
        "the candidates that report them; saturated benchmarks weigh little, and results "
        "older than a year less (half at two years); a model with "
        "none starts from a conservative prior (or half its measured sibling's), never above "
        "a real result",
    ),
    most_each=_evidence_most,
    rough=_evidence_rough,
)
def published_results(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    weight = WEIGHTS[r.prefer]["evidence"]
    found = _relevant_results(v, ctx)
    if found:
        level = _level(v, ctx)
        assert level is not None  # found: it has results here
        fx.add(_evidence_points(weight, level), _described(found, ctx) if fx.words else "", "4.2")
        return
    unranked = _unranked_results(v, ctx) if fx.words else []
    # results the catalog holds are never denied: `show` lists them
    held = (
        f"{' and '.join(unranked)} result{'s' if len(unranked) > 1 else ''} in the catalog "
        f"name{'' if len(unranked) > 1 else 's'} no edition or setting, so "
        f"{'they are' if len(unranked) > 1 else 'it is'} not ranked"
        if unranked
        else ""
    )
    sibling = _measured_sibling(v, ctx)
    if sibling is None:
        if fx.words and v.id not in ctx.measured:  # measured on your cases: tested already
            said = held or f"no {_task_word(r.task)} result in the catalog"
            fx.warn(f"{said}: test it yourself", "4.2")
        return
    sib, _ = sibling  # `why SIBLING` shows its results
    own = _level(sib, ctx)
    assert own is not None  # a stand-in has results here
    level = UNMEASURED + SIBLING_SHARE * (own - UNMEASURED)
    fx.add(
        _evidence_points(weight, level),
        f"{held + '; ' if held else 'unmeasured: '}counted at half its measured "
        f"{'predecessor' if sib.successor == v.id else 'sibling'} {sib.id}",
        "4.2",
    )


def _unranked_results(v: Variant, ctx: Context) -> list[str]:
    """The benchmarks measuring the job that ``v`` reports without saying which edition
    or setting (shots, harness), which cannot be placed among the candidates."""
    out: list[str] = []
    for e in v.evidence:
        name = canonical(e.benchmark, e.metric)
        if not comparable_edition(name) and measures(name, ctx.benchmarks):
            out.append(base(name))
    return list(dict.fromkeys(out))


def _evidence_points(weight: float, level: float) -> float:
    """Points for a quality level: none at the conservative prior an unmeasured model
    starts from, more the higher a model places among the candidates."""
    return 1.5 * weight * (level - UNMEASURED)


def _relevant_results(v: Variant, ctx: Context) -> Found:
    """benchmark -> (place, candidates reporting, score, date, separation weight) for the
    results of ``v`` that measure the job, placed among the candidates (and ``v``)."""
    hit = ctx.found.get(v.id)
    if hit is not None:
        return hit
    placed, seps = ctx.percentiles, ctx.separations
    if v.id not in ctx.pool and v.id in ctx.results:
        placed, seps = _placed_outside(v.id, ctx.results[v.id], ctx)
    found: Found = {}
    for e in v.evidence:
        name = canonical(e.benchmark, e.metric)
        place = placed.get((v.id, name))
        if place is None or not measures(name, ctx.benchmarks):
            continue
        if name not in found or e.score > found[name][2]:
            found[name] = (*place, e.score, e.date, seps.get(name, 1.0))
    ctx.found[v.id] = found
    return found


def _placed_outside(
    vid: str, scores: dict[str, float], ctx: Context
) -> tuple[dict[tuple[str, str], tuple[float, int]], dict[str, float]]:
    """``places`` among the pool and one model outside it, for that model alone: its
    results placed among the pool's and its own, without placing the whole pool again."""
    if ctx.pool_sorted is None or ctx.pool_sorted[0] is not ctx.pool:
        by_bench: dict[str, list[float]] = {}
        for mine in ctx.pool.values():
            for name, score in mine.items():
                by_bench.setdefault(name, []).append(score)
        ctx.pool_sorted = (ctx.pool, {name: sorted(s) for name, s in by_bench.items()})
    pooled = ctx.pool_sorted[1]
    placed: dict[tuple[str, str], tuple[float, int]] = {}
    seps: dict[str, float] = {}
    for name, s in scores.items():
        ordered = pooled.get(name, [])
        n = len(ordered) + 1  # with its own
        below = bisect.bisect_left(ordered, s)
        equal = bisect.bisect_right(ordered, s) + 1 - below
        placed[(vid, name)] = ((below + 0.5 * equal) / n, n)
        seps[name] = separation_with(ordered, s)
    return placed, seps


def _weighed(found: Found, ctx: Context) -> list[tuple[float, int, float]]:
    """(place, candidates reporting, weight) per benchmark: a benchmark that separates
    the candidates little weighs less, and so does an old result. Settings or editions
    of one benchmark (Humanity's Last Exam with and without tools, Terminal-Bench 2.0
    and 2.1) measure one ability once: they count as one result at their mean place,
    so reporting a second setting neither adds weight nor outweighs a model that
    reports one."""
    groups: dict[str, list[tuple[float, int, float]]] = {}
    for name, (p, n, _, date, sep) in found.items():
        groups.setdefault(_one_benchmark(name, ctx), []).append((p, n, sep * freshness(date, ctx)))
    return [
        (sum(p for p, _, _ in g) / len(g), max(n for _, n, _ in g), max(w for _, _, w in g))
        for g in groups.values()
    ]


def _one_benchmark(name: str, ctx: Context) -> str:
    """The benchmark a result's canonical name is a setting or edition of."""
    name = name.removesuffix(" (tools)")
    return name if name in ctx.benchmarks else base(name)


def _described(found: Found, ctx: Context) -> str:
    # the most telling results first (the order of the task's benchmark list)
    order = {b: i for i, b in enumerate(ctx.benchmarks)}
    names = sorted(found, key=lambda n: (order.get(base(n), 99), n))[:2]
    parts = []
    for name in names:
        p, n, score, date, sep = found[name]
        when = f" ({date:%b %Y})" if date else ""
        low = " (near its ceiling: weighs little)" if sep < 0.5 else ""
        fresh = freshness(date, ctx)
        if fresh <= 0.5:  # said when it matters, like a benchmark near its ceiling
            low += f" (weighs {fresh:.0%} at its age)"
        parts.append(f"{name} {score:g}{when}: {standing(p, n)}{low}")
    more = f" (+{len(found) - len(names)} more)" if len(found) > len(names) else ""
    return "; ".join(parts) + more


# variant id -> the variants that name it as their successor, per catalog while it lives
_PREDECESSORS: weakref.WeakKeyDictionary[Catalog, dict[str, list[str]]] = (
    weakref.WeakKeyDictionary()
)


def predecessors(c: Catalog) -> dict[str, list[str]]:
    """variant id -> the variants that name it as their successor, newest release first
    (undated last; among equals, by id), once per catalog."""
    hit = _PREDECESSORS.get(c)
    if hit is None:
        hit = {}
        for vid in sorted(vid for vid, v in c.variants.items() if v.successor):
            hit.setdefault(c.variants[vid].successor or "", []).append(vid)
        for ids in hit.values():
            ids.sort(key=lambda pid: c.variants[pid].released or dt.date.min, reverse=True)
        _PREDECESSORS[c] = hit
    return hit


def _measured_sibling(v: Variant, ctx: Context) -> tuple[Variant, Found] | None:
    """A measured stand-in for a model without a relevant result: the release it
    replaces (its direct predecessor), else the closest-sized model of its family of the
    same kind (dense or mixture of experts), released within a year and at most twice or
    half its size (none when sizes are not published: an API tier says nothing about its
    flagship)."""
    c = ctx.catalog
    # the release it directly replaces is the newest one naming it as successor (GPT-6
    # Luna replaces GPT-5.6 Luna; GPT-4.1, a year older, was only pointed to it)
    for prev in predecessors(c).get(v.id, ()):
        found = _relevant_results(c.variants[prev], ctx) if prev in ctx.results else None
        if found:
            return c.variants[prev], found
    if v.params_b is None:
        return None
    best: tuple[float, str, Variant, Found] | None = None
    for sib in _measured_kin(v.family, v.moe, ctx):
        if sib.id == v.id or not _stands_in(sib, v):
            continue
        found = _relevant_results(sib, ctx)
        if not found:
            continue
        assert sib.params_b is not None
        gap = abs(sib.params_b - v.params_b)
        if best is None or (gap, sib.id) < best[:2]:
            best = (gap, sib.id, sib, found)
    return None if best is None else (best[2], best[3])


def _measured_kin(family: str, moe: bool, ctx: Context) -> list[Variant]:
    """The models of a family and kind (dense or mixture of experts: a dense model's
    results say little of a mixture of experts) with a published size and a result on a
    benchmark that measures the job, once per context: the stand-ins
    ``_measured_sibling`` chooses among (most of a family has none)."""
    return _all_kin(ctx).get((family, moe), [])


def _all_kin(ctx: Context) -> dict[tuple[str, bool], list[Variant]]:
    """``_measured_kin`` of every family and kind that has any, found at once from the
    families' lists (a few thousand measured models among 20,000), once per context."""
    if ctx.measured_kin is None:
        c = ctx.catalog
        measuring = _measuring(ctx).keys()
        found: dict[tuple[str, bool], list[Variant]] = {}
        for fid, fam in c.families.items():
            if measuring.isdisjoint(fam.variants):  # most families: no result
                continue
            for sid in fam.variants:
                sib = c.variants.get(sid)
                if sib is not None and sid in measuring and sib.params_b is not None:
                    found.setdefault((fid, sib.moe), []).append(sib)
        ctx.measured_kin = found
    return ctx.measured_kin


def _measuring(ctx: Context) -> dict[str, int]:
    """The models with results on benchmarks that measure the job, and how many each
    has, once per context."""
    if ctx.measuring is None:
        names = set().union(*ctx.results.values())  # a few dozen benchmarks, each once
        good = {name for name in names if measures(name, ctx.benchmarks)}
        counts = {vid: len(good.intersection(results)) for vid, results in ctx.results.items()}
        ctx.measuring = {vid: k for vid, k in counts.items() if k}
    return ctx.measuring


def _stands_in(sib: Variant, v: Variant) -> bool:
    """Whether a measured sibling of the same kind can stand in for ``v``: at most twice
    or half its size, released within a year of it."""
    assert sib.params_b is not None and v.params_b is not None
    ratio = max(sib.params_b, v.params_b) / max(min(sib.params_b, v.params_b), 1e-6)
    if ratio > 2:
        return False
    return not (sib.released and v.released and abs((sib.released - v.released).days) > 366)


def standing(p: float, n: int) -> str:
    """Place among the candidates reporting a benchmark: '3rd of 6 candidates reporting
    it' for a short list, 'top 8% of 38 candidates ...' for a long one."""
    if n == 1:
        return "the only candidate reporting it"
    if n < 10:
        place = max(1, min(n, round(n * (1 - p) + 0.5)))
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(place if place < 20 else place % 10, "th")
        return f"{place}{suffix} of {n} candidates reporting it"
    if p < 0.5:
        return f"bottom {max(1, round(100 * p))}% of {n} candidates reporting it"
    return f"top {max(1, round(100 * (1 - p)))}% of {n} candidates reporting it"


def _task_word(task: str | None) -> str:
    return {
        None: "general instruction following",
        "qa": "question answering",
        "instruct": "instruction following",
    }.get(task, task or "")
