"""Each scoring rule on its own, and the relaxations of an empty answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from llmpick.catalog.records import Access, Evidence, Pricing, Variant
from llmpick.engine import scoring
from llmpick.engine.evidence import UNMEASURED, canonical, quality, relevant
from llmpick.engine.rank import _context, recommend
from llmpick.engine.requirements import build
from llmpick.engine.rule import Effects
from tests.unit.test_engine_rules import make_catalog, make_variant

RULE = {spec.name: spec.fn for spec in scoring.RULES}


def effects(rule: str, v: Variant, others: tuple[Variant, ...] = (), **req: Any) -> Effects:
    c = make_catalog(v, *others)
    r = build(req)
    fx = Effects()
    RULE[rule](v, r, _context(c, r), fx)
    return fx


def points(fx: Effects) -> float:
    return sum(x.weight for x in fx.reasons)


def test_every_rule_cites_the_guide() -> None:
    assert {s for spec in scoring.RULES for s, _ in spec.cites} >= {"2.14", "4.2", "2.16"}
    assert len({spec.name for spec in scoring.RULES}) == len(scoring.RULES)


def test_task_fit_prefers_chat_models_for_chat_and_warns_encoder_decoders() -> None:
    assert points(effects("task fit", make_variant("c", flavour="chat"), task="chat")) == 15
    ed = make_variant("t5", flavour="instruct", architecture="encoder-decoder")
    assert points(effects("task fit", ed, task="chat")) < 8
    assert points(effects("task fit", ed, task="summarization")) > 10


def test_ready_made_classifiers_score_for_classification_only() -> None:
    clf = make_variant(
        "sst2", flavour="base", tuning=["task-finetune"], architecture="encoder-only"
    )
    assert points(effects("ready-made classifier", clf, task="classification")) > 0
    assert points(effects("ready-made classifier", clf, task="chat")) == 0


def test_translation_favours_specialists_and_warns_off_english_only_models() -> None:
    mt = make_variant("mt", domain="translation", languages=["en", "de", "fr"])
    en = make_variant("en", languages=["en"])
    assert points(effects("translation", mt, task="translation")) > 0
    assert points(effects("translation", en, task="translation")) < 0


def test_language_names_the_language_and_flags_unstated_ones() -> None:
    de = effects("language", make_variant("de", languages=["en", "de"]), language="german")
    assert points(de) > 0 and "German (de)" in de.reasons[0].text
    unstated = effects("language", make_variant("x", languages=[]), language="de")
    assert points(unstated) == 0 and "German" in unstated.caveats[0].text


def test_thinking_models_lose_points_where_no_reasoning_is_needed() -> None:
    think = make_variant("model-thinking-2507", capabilities=["reasoning"])
    assert points(effects("reasoning", think, task="chat")) < 0
    assert points(effects("reasoning", think, task="reasoning")) > 0


def test_the_catalogs_reasoning_fact_decides_whether_a_model_always_thinks() -> None:
    # a name that says nothing about thinking, but the card gives no way to switch it off
    always = make_variant("acme-oss-20b", capabilities=["reasoning"], reasoning="always")
    plain = make_variant("acme-oss-20b", capabilities=["reasoning"])
    chat = effects("reasoning", always, task="chat")
    assert points(chat) < points(effects("reasoning", plain, task="chat")) == 0
    assert any("always reasons" in x.text for x in chat.reasons)
    assert chat.caveats
    # asking for reasoning turns the cost into a merit
    assert points(effects("reasoning", always, task="chat", needs=["reasoning"])) > 0
    # a thinking mode that can be switched off is no cost, whatever the name says
    hybrid = make_variant("model-thinking-2507", reasoning="switchable")
    assert points(effects("reasoning", hybrid, task="chat")) == 0


def test_published_results_count_only_when_relevant_to_the_task() -> None:
    def coder(i: int, score: float) -> Variant:
        return make_variant(f"m{i}", evidence=[Evidence("SWE-bench Verified", score, "https://x")])

    best, *rest = [coder(i, s) for i, s in enumerate((80.0, 60.0, 40.0, 20.0))]
    code = effects("published results", best, tuple(rest), task="code")
    assert points(code) > 0 and "SWE-Bench Verified 80" in code.reasons[0].text
    chat = effects("published results", best, tuple(rest), task="translation")
    assert points(chat) == 0 and "no translation result in the catalog" in chat.caveats[0].text


def test_one_thin_result_cannot_outrank_a_broad_record() -> None:
    assert quality([(0.95, 4)]) < quality([(0.9, 30), (0.9, 30)])
    assert quality([]) == UNMEASURED and quality([(0.0, 40)]) == UNMEASURED
    assert canonical("Humanity’s Last Exam") == "Humanity's Last Exam"
    assert "MRCR" in relevant("qa", min_context=500_000)
    assert "MMMLU" in relevant("summarization", language="de")


def test_recency_ages_decoders_faster_than_encoders() -> None:
    old = dt.date(2019, 1, 1)
    assert points(effects("recency", make_variant("d", released=old), task="chat")) == -12
    enc = make_variant("e", released=old, architecture="encoder-only")
    assert -4 < points(effects("recency", enc, task="classification")) < 0


def test_size_is_never_a_merit() -> None:
    small, big = make_variant("s", params_b=1.0), make_variant("b", params_b=400.0)
    rec = recommend(make_catalog(small, big), build({"task": "chat"}))
    assert len(rec.ranked) == 2 and rec.ranked[0].score == rec.ranked[1].score


def test_cost_counts_api_prices_and_footprint_only_when_optimising_cost() -> None:
    def api(i: int, price: float) -> Variant:
        p = Pricing(price, price, dt.date(2026, 1, 1), "https://x")
        return make_variant(f"a{i}", open_weights=False, access=Access(api=f"a{i}"), pricing=p)

    cheap, dear = api(1, 0.1), api(2, 10.0)
    c = make_catalog(cheap, dear)
    for prefer in ("balanced", "cost"):
        ranked = recommend(c, build({"prefer": prefer})).ranked
        assert ranked[0].variant.id == "a1"


def test_the_footprint_a_cost_reason_gives_is_the_estimate_the_fit_gives() -> None:
    # one formatter for an estimate: the cost reason said "about 17 GB" beside a fit of
    # "about 16.8 GB" (and would say "about 0 GB" for a model under half a gigabyte)
    small, big = make_variant("s", params_b=0.1), make_variant("b", params_b=7.0)
    r = build({"task": "chat", "hosting": "self", "gpu_memory": 24, "prefer": "cost"})
    for v in recommend(make_catalog(small, big), r).ranked:
        texts = [x.text for x in v.reasons]
        cost = next(t for t in texts if t.endswith("GB of GPU memory"))
        fit = next(t for t in texts if t.startswith("fits your"))
        figure = cost.split("about ")[1].removesuffix(" of GPU memory")
        assert f"about {figure} with" in fit, (cost, fit)
        assert figure != "0 GB"


def test_lifecycle_names_the_newest_successor_that_passes() -> None:
    old = make_variant("old", status="legacy", successor="mid")
    mid = make_variant("mid", status="retired", successor="new")
    new = make_variant("new")
    fx = effects("lifecycle", old, (mid, new), task="chat")
    assert points(fx) == -15 and "superseded by new, which passes" in fx.reasons[0].text


def test_a_successor_that_fails_the_requirements_costs_nothing_and_says_why() -> None:
    old = make_variant(
        "coder-30b", status="legacy", successor="coder-80b", params_b=30.0, domain="code"
    )
    big = make_variant("coder-80b", params_b=80.0)
    fx = effects("lifecycle", old, (big,), task="code", gpu_memory=24)
    assert points(fx) == 0
    assert "coder-80b is not a candidate" in fx.reasons[0].text and "GB" in fx.reasons[0].text
    # with room for it, the successor counts against the older model
    assert points(effects("lifecycle", old, (big,), task="code", gpu_memory=160)) == -15


def test_an_active_model_with_a_newer_release_that_passes_is_named_with_its_price() -> None:
    def api(id: str, price: float, successor: str | None = None) -> Variant:
        p = Pricing(price, 5 * price, dt.date(2026, 1, 1), "https://x")
        return make_variant(
            id, open_weights=False, access=Access(api=id), pricing=p, successor=successor
        )

    old, new = api("gpt-a", 4.0, successor="gpt-b"), api("gpt-b", 2.0)
    fx = effects("lifecycle", old, (new,), task="qa", access="proprietary")
    assert points(fx) == -10 and "$2.00/$10.00 per 1M tokens against $4.00/$20.00" in (
        fx.reasons[0].text
    )
    # not on the platform asked for: no penalty, and the reason names the platform
    fx = effects("lifecycle", old, (new,), task="qa", platform="azure")
    assert points(fx) == 0 and "Azure" in fx.reasons[0].text


def test_an_api_model_without_a_price_is_unknown_under_max_price() -> None:
    priced = make_variant(
        "p",
        open_weights=False,
        access=Access(api="p"),
        pricing=Pricing(0.1, 0.2, dt.date(2026, 1, 1), "https://x"),
    )
    unpriced = make_variant("u", open_weights=False, access=Access(api="u"))
    rec = recommend(make_catalog(priced, unpriced), build({"max_price": 1}))
    assert [v.variant.id for v in rec.ranked] == ["p"]
    assert rec.verdicts["u"].exclusions[0].text.startswith("unknown")


def test_structured_output_through_an_api_needs_a_documented_json_mode() -> None:
    api = make_variant("api", open_weights=False, access=Access(api="api"))
    hosted = make_variant("hosted")
    rec = recommend(make_catalog(api, hosted), build({"needs": ["structured-output"]}))
    assert [v.variant.id for v in rec.ranked] == ["hosted"]
    assert not any("native JSON" in x.text for x in rec.ranked[0].caveats)


@pytest.mark.parametrize("gpu", [4, 6])
def test_relaxations_change_one_thing_and_are_counted_by_running_the_engine(gpu: int) -> None:
    c = make_catalog(
        make_variant("long", context_window=1_000_000, params_b=8.0),
        make_variant("short", context_window=32_768, params_b=1.0),
        make_variant("api", open_weights=False, access=Access(api="x"), context_window=2_000_000),
    )
    r = build({"access": "open", "gpu_memory": gpu, "min_context": "1M"})
    rec = recommend(c, r)
    assert rec.ranked == []
    by_what = {x.constraints: x for x in rec.relaxations}
    assert ("access", "hosting") in by_what  # a change of kind: use an API
    for x in rec.relaxations:
        changed = {
            "gpu_memory": x.changes if x.constraints == ("gpu_memory",) else None,
        }.get(x.constraints[0])
        if changed:
            again = recommend(c, r.replace(**changed), relax=False)
            assert len(again.ranked) == x.returns and x.top
            assert changed["gpu_memory"] <= 1128  # real hardware


def test_minor_releases_share_one_line_for_variety() -> None:
    from llmpick.engine.rank import line

    c = make_catalog(
        make_variant("a", family="gpt-6"),
        make_variant("b", family="gpt-6.1"),
        make_variant("c", family="gpt-5.6"),
    )
    c.families["gpt-6"].name, c.families["gpt-6.1"].name = "GPT-6", "GPT-6.1"
    c.families["gpt-5.6"].name = "GPT-5.6"
    lines = {vid: line(c, v) for vid, v in c.variants.items()}
    assert lines["a"] == lines["b"] != lines["c"]


def test_a_preference_reorders_fit_models_but_never_lifts_a_poor_fit() -> None:
    old_tiny = make_variant("old-tiny", params_b=0.1, released=dt.date(2019, 1, 1))
    current = make_variant("current", params_b=8.0)
    c = make_catalog(old_tiny, current)
    for prefer in ("cost", "speed"):
        rec = recommend(c, build({"task": "chat", "gpu_memory": 24, "prefer": prefer}))
        assert rec.ranked[0].variant.id == "current", prefer
        old = rec.verdicts["old-tiny"]
        assert any("not counted" in x.text for x in old.reasons)


def test_editions_of_a_benchmark_are_not_compared() -> None:
    """BFCL v3 and v4 are different test sets, a LiveCodeBench score belongs to its
    problem window, and tau2-bench domains differ by tens of points: each edition is
    ranked only among its own, and a result that names no edition is not ranked."""
    from llmpick.engine.evidence import canonical, percentiles
    from tests.unit.test_engine_rules import make_variant

    def model(vid: str, benchmark: str, score: float, metric: str) -> Any:
        from llmpick.catalog.records import Evidence

        return make_variant(
            vid, evidence=[Evidence(benchmark, score, "https://example.org/card", metric)]
        )

    models = [
        *(model(f"v3-{n}", "BFCL", 60.0 + n, "BFCL v3") for n in range(3)),
        *(model(f"v4-{n}", "BFCL", 70.0 + n, "maker-reported, BFCL-V4") for n in range(3)),
        *(model(f"x-{n}", "BFCL", 90.0 + n, "version not stated") for n in range(3)),
    ]
    places = percentiles(models)
    assert canonical("BFCL", "BFCL v3") != canonical("BFCL", "BFCL-V4")
    assert places[("v3-2", "BFCL (v3)")] == places[("v4-2", "BFCL (v4)")]  # top of its own
    assert not [key for key in places if key[0].startswith("x-")]
    assert canonical("τ²-Bench", "telecom domain") != canonical("τ²-Bench", "average over 3")
    assert canonical("LiveCodeBench", "problems 2024-10-01 to 2025-02-01") == canonical(
        "LiveCodeBench", "Oct 2024 - Feb 2025"
    )


def _coder(i: str, score: float, **kw: Any) -> Variant:
    return make_variant(i, evidence=[Evidence("SWE-bench Verified", score, "https://x")], **kw)


def test_a_result_is_placed_among_the_candidates_not_the_whole_catalog() -> None:
    """Frontier API models that cannot be chosen do not push a self-hosted model down."""
    small = _coder("small", 60.7, params_b=20.0)
    frontier = tuple(
        _coder(f"api{i}", 75.0 + i, open_weights=False, access=Access(api=f"a{i}"))
        for i in range(5)
    )
    c = make_catalog(small, *frontier)
    rec = recommend(c, build({"task": "code", "access": "open", "gpu_memory": 16}))
    text = next(x.text for x in rec.verdicts["small"].reasons if x.rule == "published results")
    assert "the only candidate reporting it" in text
    everyone = recommend(c, build({"task": "code"}))
    text = next(x.text for x in everyone.verdicts["small"].reasons if x.rule == "published results")
    assert "6th of 6 candidates" in text


def test_a_modest_result_never_scores_below_no_result_and_a_sibling_counts_at_half() -> None:
    worst = _coder("worst", 10.0, family="w")
    others = tuple(_coder(f"o{i}", 50.0 + 5 * i, family=f"f{i}") for i in range(9))
    unmeasured = make_variant("none", family="n")
    sibling = make_variant("o8-small", family="f8", params_b=5.0)
    c = make_catalog(worst, unmeasured, sibling, *others)
    rec = recommend(c, build({"task": "code"}), top=20)
    score = {vid: v.score for vid, v in rec.verdicts.items()}
    assert score["worst"] >= score["none"]
    assert score["none"] < score["o8-small"] < score["o8"]  # half of its sibling's level
    sib = next(x for x in rec.verdicts["o8-small"].reasons if x.rule == "published results")
    assert "counted at half its measured sibling o8" in sib.text


def test_a_sibling_of_another_kind_does_not_stand_in() -> None:
    """A dense model's results do not stand in for a mixture of experts of its family
    (Nemotron 3 Nano, a hybrid MoE, stood on a dense Llama-based Nemotron 49B)."""
    others = tuple(_coder(f"o{i}", 50.0 + 5 * i, family=f"f{i}") for i in range(9))
    moe = make_variant("o8-moe", family="f8", params_b=5.0, moe=True, active_params_b=1.0)
    c = make_catalog(moe, *others)
    rec = recommend(c, build({"task": "code"}), top=20)
    said = " ".join(x.text for x in rec.verdicts["o8-moe"].reasons + rec.verdicts["o8-moe"].caveats)
    assert "sibling" not in said


def test_an_unmeasured_model_stands_on_the_release_it_directly_replaces() -> None:
    """Of two releases naming one successor, the newer is its predecessor: a model a
    year older that was only pointed to it (a deprecation notice) is not."""
    old = dt.date(2025, 4, 1)
    retired = _coder("o1", 90.0, family="f1", released=old, successor="new")
    direct = _coder("o2", 20.0, family="f2", released=dt.date(2026, 7, 1), successor="new")
    others = tuple(_coder(f"x{i}", 40.0 + i, family=f"x{i}") for i in range(8))
    new = make_variant("new", family="n", released=dt.date(2026, 9, 1))
    rec = recommend(make_catalog(retired, direct, new, *others), build({"task": "code"}), top=20)
    text = next(x.text for x in rec.verdicts["new"].reasons if x.rule == "published results")
    assert "counted at half its measured predecessor o2" in text


def test_results_held_without_an_edition_are_named_not_denied() -> None:
    """A result `show` lists but that names no setting cannot be ranked; the answer says
    so instead of 'no result in the catalog'."""
    # MMLU-Pro's setting is its shots: 'accuracy' alone does not say it
    held = make_variant("g", family="g", evidence=[Evidence("MMLU-Pro", 60.0, "u", "accuracy")])
    fx = effects("published results", held, task="chat")
    text = fx.caveats[0].text
    assert "MMLU-Pro result in the catalog names no edition or setting" in text
    assert "no chat result" not in text and points(fx) == 0
    bare = effects("published results", make_variant("b", family="b"), task="chat")
    assert "no chat result in the catalog" in bare.caveats[0].text


def test_expert_question_answering_is_qa_evidence() -> None:
    """Humanity's Last Exam (expert questions across fields, law included) is what the
    frontier long-context models report for reading and answering; coding is not."""

    def hle(i: int, score: float) -> Variant:
        return make_variant(f"h{i}", family=f"h{i}", evidence=[Evidence("HLE", score, "u")])

    best, *rest = [hle(i, s) for i, s in enumerate((60.0, 45.0, 40.0, 30.0))]
    qa = effects("published results", best, tuple(rest), task="qa", domain="legal")
    assert points(qa) > 0 and "Humanity's Last Exam 60" in qa.reasons[0].text
    coder = _coder("c", 80.0, family="c")
    assert points(effects("published results", coder, (best, *rest), task="qa")) == 0


def test_two_settings_of_one_benchmark_count_as_one_result() -> None:
    """Reporting Humanity's Last Exam with and without tools measures one ability
    once: a model that reports both settings earns no more than one that reports one
    at the same place, and a weak second setting is not outweighed by the first."""
    hle, tools = "Humanity's Last Exam", "Humanity's Last Exam (tools)"

    def model(i: str, *results: tuple[str, float]) -> Variant:
        return make_variant(i, family=i, evidence=[Evidence(b, s, "u") for b, s in results])

    others = tuple(model(f"o{i}", (hle, 30.0 + 5 * i), (tools, 30.0 + 5 * i)) for i in range(9))
    both = effects(
        "published results", model("x", (hle, 90.0), (tools, 90.0)), others, task="reasoning"
    )
    one = effects("published results", model("x", (hle, 90.0)), others, task="reasoning")
    assert points(both) == pytest.approx(points(one))
    # first without tools, last with them: the middle, below a steady second place
    split = effects(
        "published results", model("x", (hle, 90.0), (tools, 5.0)), others, task="reasoning"
    )
    steady = effects("published results", model("x", (tools, 66.0)), others, task="reasoning")
    assert points(split) < points(steady)


def test_a_general_api_model_is_not_told_to_fine_tune_its_weights() -> None:
    """You cannot fine-tune the weights of a model you only reach through an API."""
    api = make_variant("api", open_weights=False, access=Access(api="api"))
    said = effects("domain", api, task="qa", domain="legal").caveats[0].text
    assert "not adapted to legal" in said and "domain material in the prompt" in said
    assert "consider domain fine-tuning" not in said
    own = effects("domain", make_variant("w"), task="qa", domain="legal").caveats[0].text
    assert "consider domain fine-tuning" in own


def test_a_saturated_benchmark_weighs_less_than_one_that_separates() -> None:
    from llmpick.engine.evidence import separation

    assert separation([95.0, 96.5, 97.0, 98.0]) < 0.5  # HumanEval among today's models
    assert separation([30.0, 55.0, 70.0, 80.0]) == 1.0
    assert separation([52.0, 55.0, 58.0, 61.0]) > 0.5  # frontier models on an index
    assert separation([99.0, 99.5]) == 1.0  # two results: too few to tell

    # first on a saturated benchmark earns less than first on one that separates
    def model(i: str, score: float) -> Variant:
        return make_variant(i, family=i, evidence=[Evidence("HumanEval", score, "u")])

    sat = [model(f"s{i}", 95 + i) for i in range(4)]
    sep = [model(f"p{i}", 40 + 15 * i) for i in range(4)]
    first = {}
    for name, pool in (("sat", sat), ("sep", sep)):
        rec = recommend(make_catalog(*pool), build({"task": "code"}))
        first[name] = rec.ranked[0].score
        assert rec.ranked[0].score > rec.ranked[-1].score
    assert first["sat"] < first["sep"]


def test_every_task_benchmark_measures_the_task_and_the_guide_says_why() -> None:
    from llmpick.engine.evidence import TASK_BENCHMARKS
    from llmpick.guide import load_guide

    assert not {"τ²-Bench", "MMLU-Pro"} & set(TASK_BENCHMARKS["extraction"])
    text = load_guide().sections["4.2"].text
    for task, names in TASK_BENCHMARKS.items():
        if task is None:
            continue
        lead = f"- **{task}**"
        assert lead in text, task
        line = " ".join(text[text.index(lead) :].split("\n- ")[0].split())
        for name in dict.fromkeys(n.split(" (")[0] for n in names):
            assert name in line, (task, name)


def test_max_params_compares_the_size_as_it_is_shown() -> None:
    c = make_catalog(
        make_variant("l8", params_b=8.03, family="a"), make_variant("n", params_b=8.06)
    )
    assert [v.variant.id for v in recommend(c, build({"max_params": 8})).ranked] == ["l8"]


def test_max_price_passes_open_weights_without_a_price_only_when_self_hosting() -> None:
    hosted = make_variant("hosted", params_b=403.0)
    api = make_variant(
        "api",
        open_weights=False,
        access=Access(api="api"),
        pricing=Pricing(0.2, 0.8, dt.date(2026, 1, 1), "https://x"),
    )
    c = make_catalog(hosted, api)
    rec = recommend(c, build({"task": "extraction", "max_price": 1}))
    assert [v.variant.id for v in rec.ranked] == ["api"]
    assert "--hosting self" in rec.verdicts["hosted"].exclusions[0].text
    rec = recommend(c, build({"task": "extraction", "max_price": 1, "hosting": "self"}))
    assert [v.variant.id for v in rec.ranked] == ["hosted"]
    note = next(x.text for x in rec.ranked[0].reasons if "per-token" in x.text)
    assert "403B parameters" in note  # what hardware it needs, not "free"


def test_a_retired_api_gets_no_api_run_line() -> None:
    from llmpick.advice import api_snippet, how_to_load

    gone = make_variant(
        "gone", access=Access(hf_repo="acme/gone", api="gone"), api_status="retired"
    )
    live = make_variant("live", access=Access(hf_repo="acme/live", api="live"))
    assert "api" not in how_to_load(gone) and api_snippet(gone) is None
    assert "api" in how_to_load(live) and api_snippet(live) is not None


def test_an_embedding_model_offered_for_classification_says_it_needs_labelled_data() -> None:
    emb = make_variant("emb", flavour="embedding", architecture="encoder-only")
    fx = effects("task fit", emb, task="classification")
    assert any("labelled examples and a classifier" in x.text for x in fx.caveats)


def test_embeddings_weigh_the_maximum_input_length() -> None:
    def emb(i: str, n: int) -> Variant:
        return make_variant(i, flavour="embedding", architecture="encoder-only", context_window=n)

    short, long = emb("short", 128), emb("long", 8192)
    assert points(effects("task fit", short, task="embedding")) < points(
        effects("task fit", long, task="embedding")
    )
    assert "128 tokens" in effects("task fit", short, task="embedding").reasons[-1].text


def test_a_one_task_fine_tune_is_not_called_instruction_tuned() -> None:
    qa = make_variant(
        "pubmedqa", flavour="instruct", tuning=["domain-pretraining", "task-finetune"]
    )
    fx = effects("task fit", qa, task="qa")
    assert not any("instruction-tuned" in x.text for x in fx.reasons)
    sft = make_variant("sft", flavour="instruct", tuning=["sft"])
    assert any("instruction-tuned" in x.text for x in effects("task fit", sft, task="qa").reasons)


def _tiered(id: str, **tiers: Any) -> Variant:
    p = Pricing(0.1, 0.5, dt.date(2026, 9, 1), "https://x", **tiers)
    return make_variant(
        id, open_weights=False, access=Access(api=id), pricing=p, context_window=1_000_000
    )


def test_a_request_is_priced_at_the_tier_its_context_reaches() -> None:
    from llmpick.engine.model_facts import price_for

    haiku = _tiered(
        "haiku",
        long_above=100_000,
        long_input=0.5,
        long_output=2.5,
        batch_input=0.05,
        batch_output=0.25,
        cached_input=0.01,
        tiers_source="litellm:haiku",
    )
    at = {
        "list": price_for(haiku, build({})),
        "long": price_for(haiku, build({"min_context": "500k"})),
        "batch": price_for(haiku, build({"batch": True})),
        "cached": price_for(haiku, build({"cached_share": 0.5})),
    }
    assert at["list"] and (at["list"].input, at["list"].tier) == (0.1, "list price")
    assert at["long"] and (at["long"].input, at["long"].output) == (0.5, 2.5)
    assert "over 100k tokens" in at["long"].tier
    assert at["batch"] and (at["batch"].input, at["batch"].output) == (0.05, 0.25)
    assert at["cached"] and at["cached"].input == pytest.approx(0.055)
    # a long prompt at a price without tiers says the long rate is unknown
    plain = _tiered("plain")
    untiered = price_for(plain, build({"min_context": "500k"}))
    assert untiered and "long-prompt rate unknown" in untiered.tier
    # --max-price judges the tier: $1.00 blended at 500k passes $1, fails $0.9
    c = make_catalog(haiku)
    assert recommend(c, build({"min_context": "500k", "max_price": 1})).ranked
    assert not recommend(c, build({"min_context": "500k", "max_price": 0.9})).ranked
    note = next(
        x.text
        for x in recommend(c, build({"min_context": "500k"})).ranked[0].reasons
        if x.text.startswith("priced at")
    )
    assert "$0.50/$2.50" in note and "list $0.10/$0.50" in note


def test_prefer_cost_orders_by_the_monthly_cost_at_the_users_volume() -> None:
    def api(id: str, inp: float, out: float) -> Variant:
        p = Pricing(inp, out, dt.date(2026, 9, 1), "https://x")
        return make_variant(id, family=id, open_weights=False, access=Access(api=id), pricing=p)

    # cheap input, dear output; and the reverse: the blend and the volume disagree
    reader, writer = api("reader", 0.05, 4.0), api("writer", 0.5, 0.5)
    c = make_catalog(reader, writer)
    by_list = recommend(c, build({"prefer": "cost"})).ranked
    by_volume = recommend(c, build({"prefer": "cost", "tokens_per_month": "2000M:20M"})).ranked
    assert by_list[0].variant.id == "writer"  # 3:1 blend: $0.50 against $1.04
    assert by_volume[0].variant.id == "reader"  # $180 a month against $1,010
    text = next(x.text for x in by_volume[0].reasons if x.rule == "cost")
    assert "a month at your volume" in text


def test_an_undated_model_its_maker_moved_on_from_is_not_scored_as_current() -> None:
    legacy = make_variant("old-coder", released=None, status="legacy", domain="code")
    active = make_variant("undated", released=None)
    assert points(effects("recency", legacy, task="code")) < 0
    assert points(effects("recency", active, task="code")) == 0


def test_an_old_result_weighs_less_than_a_current_one_at_the_same_place() -> None:
    today = dt.date(2026, 12, 1)

    def model(i: str, score: float, when: dt.date, **kw: Any) -> Variant:
        ev = [Evidence("SWE-bench Verified", score, "https://x", date=when)]
        return make_variant(i, family=i, evidence=ev, verified=today, **kw)

    stale = model("general-stale", 70.0, dt.date(2023, 6, 1))
    fresh = model("general-fresh", 70.0, dt.date(2026, 6, 1))
    others = tuple(model(f"o{i}", 40.0 + 3 * i, dt.date(2026, 1, 1)) for i in range(6))
    rec = recommend(make_catalog(stale, fresh, *others), build({"task": "code"}), top=10)
    pts = {
        v.variant.id: sum(x.weight for x in v.reasons if x.rule == "published results")
        for v in rec.ranked
    }
    assert pts["general-fresh"] > pts["general-stale"] > 0
    text = next(
        x.text for x in rec.verdicts["general-stale"].reasons if x.rule == "published results"
    )
    assert "weighs 25% at its age" in text


def test_a_specialisation_counts_less_as_it_ages() -> None:
    """An old code model with no results does not outrank a current general model with
    current results: the code bonus fades after a year."""
    today = dt.date(2026, 12, 1)
    new = make_variant("coder-new", domain="code", released=dt.date(2026, 6, 1), verified=today)
    old = make_variant("coder-old", domain="code", released=dt.date(2024, 1, 1), verified=today)
    fresh, aged = (effects("domain", v, task="code") for v in (new, old))
    assert points(fresh) == 18 and 0 < points(aged) <= 18 * 0.25 + 0.1
    assert "counts at 25%" in aged.reasons[0].text


def test_variants_of_one_base_take_one_slot_and_the_order_is_the_scores() -> None:
    when = dt.date(2026, 6, 1)
    instruct = make_variant("seed-instruct", family="seed", params_b=7.0, released=when)
    ppo = make_variant("seed-ppo", family="seed", params_b=7.0, released=when, tuning=["rlhf"])
    later = make_variant("seed-2", family="seed", params_b=7.0, released=dt.date(2026, 11, 1))
    others = tuple(make_variant(f"x{i}", family=f"x{i}", params_b=7.0) for i in range(3))
    rec = recommend(make_catalog(instruct, ppo, later, *others), build({"task": "chat"}))
    ids = [v.variant.id for v in rec.ranked]
    assert ("seed-instruct" in ids) != ("seed-ppo" in ids)  # one slot for the pair
    assert "seed-2" in ids  # a later release is a model of its own
    slot = rec.ranked[ids.index("seed-instruct" if "seed-instruct" in ids else "seed-ppo")]
    other = slot.also[0]
    assert other in ("seed-instruct", "seed-ppo") and rec.rank_of(other) == rec.rank_of(
        slot.variant.id
    )
    scores = [v.score for v in rec.ranked]
    assert scores == sorted(scores, reverse=True)


def test_two_sizes_a_step_apart_of_one_release_share_a_slot_when_their_scores_tie() -> None:
    when = dt.date(2026, 6, 1)

    def size(id: str, params: float, **kw: Any) -> Variant:
        return make_variant(id, family="mt", params_b=params, **{"released": when, **kw})

    small, large = size("mt-2b", 2.0), size("mt-7b", 7.0)
    others = tuple(make_variant(f"x{i}", family=f"x{i}", params_b=7.0) for i in range(3))
    rec = recommend(make_catalog(small, large, *others), build({"task": "chat"}))
    ids = [v.variant.id for v in rec.ranked]
    assert ("mt-2b" in ids) != ("mt-7b" in ids)  # one slot for the two sizes
    lead = rec.ranked[ids.index("mt-2b" if "mt-2b" in ids else "mt-7b")]
    assert len(lead.also) == 1 and rec.rank_of(lead.also[0]) == rec.rank_of(lead.variant.id)
    assert any("next size of the same release" in x.text for x in lead.reasons)

    def slots(*vs: Variant, **req: Any) -> int:
        rec = recommend(make_catalog(*vs, *others), build({"task": "chat", **req}))
        return sum(v.variant.family == "mt" for v in rec.ranked)

    assert slots(small, large) == 1
    # a size between them: not a step apart
    assert slots(small, size("mt-4b", 4.0), large) == 2
    # other post-training, another release, a leap in size: models of their own
    assert slots(small, size("mt-7b", 7.0, tuning=["sft", "distilled"])) == 2
    assert slots(small, size("mt-7b", 7.0, released=dt.date(2026, 12, 1))) == 2
    assert slots(small, size("mt-70b", 70.0)) == 2
    # scores more than a point apart (the smaller is faster when speed counts): each
    # keeps its slot, the better one first
    fast = recommend(
        make_catalog(small, large, *others), build({"task": "chat", "prefer": "speed"})
    )
    assert fast.verdicts["mt-2b"].score - fast.verdicts["mt-7b"].score > 1
    assert slots(small, large, prefer="speed") == 2


def test_caps_choose_who_fills_the_top_but_never_break_the_score_order() -> None:
    """Per-family caps pick which models fill the top N; the list shown is in score
    order (ModernBERT at 52 was shown above qwen3-embedding-0.6b at 77)."""
    fam = tuple(
        make_variant(f"f{i}", family="f", params_b=1.0 + i, released=dt.date(2026, 10, 1))
        for i in range(4)
    )
    old = tuple(
        make_variant(f"o{i}", family=f"o{i}", released=dt.date(2020, 1, 1)) for i in range(2)
    )
    c = make_catalog(*fam, *old)
    for top in (3, 6):
        rec = recommend(c, build({"task": "chat"}), top=top)
        shown = [v.score for v in rec.candidates]
        assert shown == sorted(shown, reverse=True), top
    three = recommend(c, build({"task": "chat"}), top=3).candidates
    assert sum(v.variant.family == "f" for v in three) == 2  # the cap still chooses


def test_cached_share_reads_a_fraction_or_a_percentage_and_refuses_more_than_all() -> None:
    from llmpick.errors import UsageError

    assert build({"cached_share": "60%"}).cached_share == pytest.approx(0.6)
    assert build({"cached_share": 0.25, "batch": "yes"}).batch is True
    for bad in ("150%", -0.1, "half"):
        with pytest.raises(UsageError):
            build({"cached_share": bad})


def test_the_points_alone_are_the_score_the_reasons_give() -> None:
    # the ranking scores every candidate from its points alone and spells out the reasons
    # of those it shows: both must give one score, with or without a preference counted
    from tests.conftest import bundled_catalog

    c = bundled_catalog()
    for req in (
        {"task": "chat", "gpu_memory": 24, "prefer": "cost"},
        {"task": "translation", "language": "de", "max_price": 1.0, "min_context": "200k"},
        {"task": "classification", "prefer": "speed", "hosting": "self"},
    ):
        r = build(req)
        ctx = _context(c, r)
        ctx.preference_eligible = frozenset(sorted(c.variants)[::2])
        for vid in sorted(c.variants)[::4]:  # a quarter of the catalog: every kind of model
            v = c.variants[vid]
            assert scoring.points(v, r, ctx) == scoring.score(v, r, ctx)[0], (req, v.id)


def test_a_result_placed_from_outside_weighs_as_if_placed_with_the_candidates() -> None:
    """``separation_with`` (no sorting again) equals ``separation`` of the merged list."""
    import random

    from llmpick.engine.evidence import separation, separation_with

    rng = random.Random(7)
    for _ in range(2000):
        ordered = sorted(
            rng.choice([rng.uniform(0, 100), 50.0, 99.5]) for _ in range(rng.randint(1, 9))
        )
        score = rng.choice([rng.uniform(0, 120), 50.0, ordered[0], ordered[-1]])
        assert separation_with(ordered, score) == separation(sorted([*ordered, score]))
