"""Invariants of the engine (DESIGN.md), checked by hypothesis on the bundled catalog."""

from __future__ import annotations

import contextlib
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmpick.catalog.records import Catalog
from llmpick.engine.memory import best_fit, working_context
from llmpick.engine.rank import recommend
from llmpick.engine.requirements import Requirements, build
from llmpick.output.build import shortlist
from llmpick.units import params_as_shown
from llmpick.vocabulary import SECTION_IDS, TASKS
from tests.conftest import bundled_catalog

# slow: hypothesis, 20 fresh examples a test, each a recommend on the bundled catalog
pytestmark = pytest.mark.slow

cat = bundled_catalog  # parsed once per run, shared


CONSTRAINTS: dict[str, st.SearchStrategy[Any]] = {
    "access": st.sampled_from(["open", "proprietary"]),
    "hosting": st.sampled_from(["self", "api"]),
    "platform": st.sampled_from(["bedrock", "sagemaker", "vertex", "azure"]),
    "gpu_memory": st.sampled_from([4, 8, 16, 24, 48, 80]),
    "gpus": st.sampled_from(["2x24", "24+16", "4x80", "3x16", "8+8+8"]),
    "unified_memory": st.sampled_from([16, 36, 64, 128]),
    "ram": st.sampled_from([16, 32, 64]),
    "max_params": st.sampled_from([0.5, 1, 3, 8, 14, 35, 80]),
    "min_context": st.sampled_from([4096, 32000, 128000, 200000, 1000000]),
    "commercial": st.just(True),
    "license": st.sampled_from([["apache-2.0"], ["mit", "apache-2.0"], ["llama-3.1"]]),
    "flavour": st.sampled_from(["base", "instruct", "chat", "embedding"]),
    "language": st.sampled_from(["en", "de", "zh", "fr"]),
    "needs": st.sampled_from([["tools"], ["vision"], ["structured-output"], ["reasoning"]]),
    "max_price": st.sampled_from([0.5, 2.0, 10.0]),
}
INTENT: dict[str, st.SearchStrategy[Any]] = {
    "task": st.sampled_from([None, *TASKS]),
    "fine_tune": st.booleans(),
    "alignment": st.sampled_from(["any", "safety", "own-values"]),
    "domain": st.sampled_from([None, "code", "biomedical", "science"]),
}


@st.composite
def requirement_values(draw: st.DrawFn) -> dict[str, Any]:
    values = {k: draw(s) for k, s in INTENT.items()}
    chosen = draw(st.sets(st.sampled_from(sorted(CONSTRAINTS)), max_size=4))
    values.update({k: draw(CONSTRAINTS[k]) for k in chosen})
    budgets = [k for k in ("gpu_memory", "gpus", "unified_memory", "ram") if k in values]
    for extra in budgets[1:]:  # one memory budget at a time (two is a usage error)
        del values[extra]
    return {k: v for k, v in values.items() if v is not None}


def assert_meets(c: Catalog, r: Requirements, vid: str) -> None:
    """Check a candidate against every hard constraint, independently of the engine."""
    v = c.variants[vid]
    lic = c.licenses[v.license]
    assert r.include_legacy or v.status in ("active", "legacy"), vid
    served = bool(v.access.api or v.access.platforms) and v.api_status != "retired"
    if r.hosting == "api" and v.open_weights and not r.include_legacy:
        assert v.api_status in (None, "active"), vid  # the API's own lifecycle
    if r.access == "open" or r.hosting == "self" or r.fine_tune:
        assert v.open_weights, vid
    if r.access == "proprietary":
        assert not v.open_weights, vid
    if r.hosting == "api":
        assert served, vid
    if r.platform:
        assert r.platform in v.access.platforms, vid
    if r.commercial:
        assert lic.commercial_use in ("yes", "conditional"), vid
    if r.license:
        assert v.license in r.license, vid
    if r.flavour:
        assert v.flavour == r.flavour, vid
    if r.max_params is not None:
        # compared as displayed: --max-params 8 keeps an 8.03B model, shown as 8B
        assert v.params_b is not None and params_as_shown(v.params_b) <= r.max_params, vid
    if r.min_context is not None:
        assert v.context_window is not None and v.context_window >= r.min_context, vid
    if r.gpu_memory is not None:
        # a GPU budget binds what you host yourself; an API-served model needs no GPU
        fit = None
        if v.open_weights:
            ctx = working_context(v, r.min_context)
            fit, _ = best_fit(v, r.gpu_memory, r.quantization, ctx)
        assert (fit is not None and fit.total_gb <= r.gpu_memory) or (
            r.hosting != "self" and served
        ), vid
    # self-hosted open weights have no per-token price only when self-hosting was chosen
    if r.max_price is not None and not (v.open_weights and r.hosting == "self"):
        price = None if v.pricing is None else (3 * v.pricing.input + v.pricing.output) / 4
        assert price is not None and price <= r.max_price, vid
    if r.language and v.languages:  # an empty list is "not stated" and passes with a caveat
        assert r.language in v.languages or "mul" in v.languages, vid
    for need in r.needs:
        if need == "tools":
            assert "tools" in v.capabilities, vid
        if need == "reasoning":
            assert "reasoning" in v.capabilities, vid
        if need == "structured-output" and "structured-output" not in v.capabilities:
            assert v.open_weights and r.hosting != "api", vid


# 20 fresh examples a test and run (each ranks all ~800 bundled models once or twice,
# ~60 ms a ranking); runs add up to more, and LLMPICK_PROPERTY_EXAMPLES=500 searches
# harder (see CONTRIBUTING.md)
SETTINGS = settings(
    max_examples=int(__import__("os").environ.get("LLMPICK_PROPERTY_EXAMPLES", "20")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@SETTINGS
@given(requirement_values())
def test_every_candidate_meets_every_hard_constraint(values: dict[str, Any]) -> None:
    c = cat()
    r = build(values, origin="file")
    rec = recommend(c, r, top=10, relax=False)  # what would pass otherwise is not read
    for verdict in rec.ranked:
        assert verdict.passed
        assert_meets(c, r, verdict.variant.id)
        assert_placed(r, verdict)


def assert_placed(r: Requirements, verdict: Any) -> None:
    """On several GPUs, a Mac or the CPU: every device holds its share, and the devices
    together hold at least the one-device estimate plus 1 GB for each extra device."""
    v = verdict.variant
    if not (r.gpus or r.unified_memory or r.ram):
        return
    p = verdict.placement
    if p is None:  # kept only because an API serves it
        assert r.hosting != "self" and (v.access.api or v.access.platforms), v.id
        return
    budget = (
        r.gpus
        or (
            [r.unified_memory * (2 / 3 if r.unified_memory <= 36 else 3 / 4)]
            if r.unified_memory
            else []
        )
        or [r.ram - 4]  # type: ignore[operator]
    )
    assert list(p.devices) == pytest.approx(budget), v.id
    assert all(need <= have for need, have in zip(p.per_device_gb, budget, strict=True)), v.id
    extra = len(budget) - 1
    assert p.total_gb >= p.estimate.total_gb + extra * 1.0 - 1e-9, v.id


@SETTINGS
@given(requirement_values(), st.sampled_from(sorted(CONSTRAINTS)), st.data())
def test_adding_a_constraint_never_adds_a_candidate(
    values: dict[str, Any], extra: str, data: st.DataObject
) -> None:
    before = build(values, origin="file")
    tighter = dict(values)
    tighter[extra] = data.draw(CONSTRAINTS[extra])
    if extra in values and values[extra] != tighter[extra]:
        return  # changing a value is not adding a constraint
    budgets = ("gpu_memory", "gpus", "unified_memory", "ram")
    if extra in budgets and any(b in values and b != extra for b in budgets):
        return  # a second memory budget is a usage error, not a tighter request
    after = build(tighter, origin="file")
    if before.hosting != "any" and after.hosting != before.hosting:
        # a GPU budget implies self-hosting; stating another hosting changes that value
        # (a change of kind, as a relaxation suggests), it does not add a filter
        return
    if "max_price" in values and after.hosting == "self" != before.hosting:
        # with a price cap, self-hosting is what lets unpriced open weights pass it
        # (issue 19): a budget that implies self-hosting changes what the cap means
        return
    # otherwise a GPU budget added to a stated-less hosting brings its implied
    # self-hosting: a filter like any other, so the property holds there too
    # (what would pass with a constraint relaxed is not read, nor how those that pass
    # rank: the models handed to the ranking are those that pass)
    passing_before = {v.variant.id for v in ranking_inputs(before)[0]}
    passing_after = {v.variant.id for v in ranking_inputs(after)[0]}
    assert passing_after <= passing_before


@SETTINGS
@given(requirement_values())
def test_same_input_same_output(values: dict[str, Any]) -> None:
    c = cat()
    r = build(values, origin="file")
    first = shortlist(c, recommend(c, r))
    second = shortlist(c, recommend(c, build(dict(values), origin="file")))
    assert first == second


def test_every_reason_cites_a_section_of_the_guide() -> None:
    c = cat()
    for values in (
        {"task": "chat"},
        {"task": "classification", "access": "open"},
        {"fine_tune": True, "alignment": "own-values"},
        {"alignment": "safety"},
        {"task": "code", "gpu_memory": 24},
        {"task": "reasoning", "include_legacy": True},
    ):
        rec = recommend(c, build(values), top=50)
        assert len(rec.ranked) == rec.passed  # every model that passes is scored when ranked
        for v in rec.verdicts.values():
            for item in [*v.reasons, *v.caveats, *v.exclusions]:
                assert item.guide in SECTION_IDS, (item, values)


@SETTINGS
@given(requirement_values())
def test_every_result_the_catalog_holds_for_the_job_is_used(values: dict[str, Any]) -> None:
    """A candidate with a comparable result that measures the job never reads 'no ...
    result in the catalog' (seed-x-ppo-7b has FLORES-200 for translation)."""
    from llmpick.engine.evidence import canonical, comparable_edition, measures

    c = bundled_catalog()
    rec = recommend(c, build(values), top=5, relax=False)  # relaxations are not read
    for verdict in rec.ranked:
        names = {canonical(e.benchmark, e.metric) for e in verdict.variant.evidence}
        held = [n for n in names if comparable_edition(n) and measures(n, rec.benchmarks)]
        unmeasured = any("result in the catalog" in x.text for x in verdict.caveats)
        assert not (held and unmeasured), (verdict.variant.id, held)


class _Handed(Exception):
    """What the ranking was handed is seen: the ranking itself is not needed."""


def ranking_inputs(r: Requirements) -> tuple[Any, Any]:
    """What recommend() hands its ranking for ``r`` on the bundled catalog: the models
    that pass and the scoring context. The ranking itself is not run (the models are
    scored by the tests below, and a full ranking of the catalog costs as much again)."""
    from llmpick.engine import rank

    seen: list[tuple[Any, Any]] = []

    def spy(passing: Any, c: Any, r: Any, ctx: Any, top: int, keep: Any) -> Any:
        seen.append((passing, ctx))
        raise _Handed

    with patch.object(rank, "_ranking", spy), contextlib.suppress(_Handed):
        recommend(cat(), r, top=5, relax=False)
    ((passing, ctx),) = seen
    return passing, ctx


@SETTINGS
@given(requirement_values())
def test_no_model_scores_above_its_most_points(values: dict[str, Any]) -> None:
    """The bound that lets a ranking skip models holds for every model that passes."""
    from llmpick.engine.scoring import most_points, points

    r = build(values, origin="file")
    passing, ctx = ranking_inputs(r)
    most = most_points(r, ctx)
    for verdict in passing:
        assert points(verdict.variant, r, ctx) <= most(verdict.variant), verdict.variant.id


@SETTINGS
@given(requirement_values(), st.sampled_from(["balanced", "quality", "cost", "speed"]))
def test_the_rough_bound_is_never_below_the_exact_one(values: dict[str, Any], prefer: str) -> None:
    """A ranking orders the models by ``rough_points`` and finds the exact bound only of
    those at its top: a rough bound below the exact one could skip a model that reaches
    the first places. It holds for every catalogued model, passing or not."""
    from llmpick.engine.scoring import most_points, rough_points

    r = build({**values, "prefer": prefer}, origin="file")
    _, ctx = ranking_inputs(r)
    models = list(cat().variants.values())
    most = most_points(r, ctx)
    for v, rough in zip(models, rough_points(models, r, ctx), strict=True):
        assert rough >= most(v), v.id


@SETTINGS
@given(requirement_values(), st.integers(1, 3))
def test_skipping_models_that_cannot_reach_the_first_places_changes_no_answer(
    values: dict[str, Any], top: int
) -> None:
    """The same document, ranking, slots and reasons as when every model is scored (the
    bundled catalog is small enough to be scored whole unless told otherwise)."""
    from llmpick.engine import rank

    c = cat()
    r = build(values, origin="file")
    with patch.object(rank, "PRUNE_FROM", 0):
        pruned = recommend(c, r, top=top)
    full = recommend(c, r, top=top)
    # a model's score reads the same before the whole ranking is (a skipped model is
    # scored when read)
    assert {k: v.score for k, v in pruned.verdicts.items() if v.passed} == {
        k: v.score for k, v in full.verdicts.items() if v.passed
    }
    assert shortlist(c, pruned) == shortlist(c, full)
    assert [said(v) for v in pruned.ranked] == [said(v) for v in full.ranked]


def said(verdict: Any) -> tuple[Any, ...]:
    """All a verdict says, to compare two rankings."""
    reasons = [(x.text, x.weight) for x in [*verdict.reasons, *verdict.caveats]]
    return verdict.variant.id, verdict.score, verdict.also, verdict.same_base_as, reasons
