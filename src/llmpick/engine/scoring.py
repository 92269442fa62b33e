"""Soft scoring: a table of small rules, each explaining the points it gives.

A model that passes every hard constraint starts at 50 points; each rule looks at
the requirements and the model and returns its effects: points with a reason, or a
caveat, each citing the guide section it rests on. ``llmpick why`` shows every
rule's points, and ``llmpick guide ID`` lists what each section justifies, read from
the ``cites`` of the rules below (never parsed from the source).

Principles: quality comes only from published
results relevant to the job, placed among the candidates that report the same
benchmark; a model without such a result is a risk, not an average: it starts from a
conservative prior that earns no points (or half of a measured sibling's), and says
so, and a real result never scores below it. Parameter count is never a
merit in itself: it matters through memory, cost and speed. Newer generations rank
above older ones unless evidence says otherwise.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from llmpick.catalog.records import Catalog, Variant
from llmpick.engine.evidence import (
    SIBLING_SHARE,
    UNMEASURED,
    Measured,
    base,
    canonical,
    comparable_edition,
    measured_points,
    measures,
    quality,
    separation_with,
)
from llmpick.engine.memory import Estimate
from llmpick.engine.placement import Placement, fit_said
from llmpick.engine.requirements import Requirements
from llmpick.units import format_params, format_tokens, format_usd
from llmpick.vocabulary import PLATFORM_NAMES, TASKS, language_name

# tasks whose output is text the model writes (not labels, spans or vectors)
GENERATIVE: frozenset[str | None] = frozenset(
    {None, *TASKS} - {"classification", "extraction", "embedding"}
)
# how much each kind of rule weighs for what the user optimises
WEIGHTS: dict[str, dict[str, float]] = {
    #          evidence  recency  cost  speed
    "balanced": {"evidence": 16, "recency": 1.0, "cost": 2, "speed": 0},
    "quality": {"evidence": 24, "recency": 1.0, "cost": 0, "speed": 0},
    "cost": {"evidence": 6, "recency": 0.5, "cost": 20, "speed": 0},
    "speed": {"evidence": 8, "recency": 1.0, "cost": 4, "speed": 10},
}
_THINKING = re.compile(r"think|reason|(^|-)r1(-|$)|magistral|^o[1-9](-|$)|speciale")
_FAST_TIER = re.compile(r"(^|[-.])(mini|nano|flash|lite|haiku|turbo|instant|fast)([-.]|$)")


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
    measured_kin: dict[tuple[str, bool], list[Variant]] = field(default_factory=dict)
    kin_levels: dict[tuple[str, bool], float | None] = field(default_factory=dict)  # _kin_level
    measuring: frozenset[str] | None = None  # the models with a result that measures the job
    predecessors: dict[str, list[str]] | None = None  # the catalog's ``predecessors``
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


@dataclass(slots=True, frozen=True)
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


RULES: list[Rule] = []


def rule(
    name: str,
    *cites: tuple[str, str],
    points: bool = True,
    when: Applies | None = None,
    most: Most | None = None,
    most_each: MostEach | None = None,
) -> Callable[[RuleFn], RuleFn]:
    """Register a scoring rule. ``when``: the requests it applies to (a rule for
    translation says nothing of a chat model); the rule is not run for the others.
    A rule that gives points says the most it can give (``most`` for any model of a
    request, or ``most_each`` for one model), never less than it gives."""
    if points and (most is None) == (most_each is None):
        raise TypeError(f"rule {name!r}: give most or most_each")

    def register(fn: RuleFn) -> RuleFn:
        if when is not None:
            inner = fn

            def fn(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
                if when(r, ctx):
                    inner(v, r, ctx, fx)

        RULES.append(Rule(name, fn, cites, points, when, most, most_each))
        return fn

    return register


def counted_rules(r: Requirements, ctx: Context) -> tuple[Rule, ...]:
    """The rules that can move a score for the context's request, once per context and
    preference (a context serves one request, whose preference ``fitness`` replaces)."""
    hit = ctx.counted.get(r.prefer)
    if hit is None:
        hit = ctx.counted[r.prefer] = tuple(
            spec for spec in RULES if spec.points and (spec.when is None or spec.when(r, ctx))
        )
    return hit


# --- facts about a model that several rules read ------------------------------------


def thinks_always(v: Variant) -> bool:
    """A model that always reasons step by step before it answers. The catalog's
    ``reasoning`` fact decides when the card states it (gpt-oss has effort levels but no
    off); otherwise the name does (R1, "Thinking" and "Reasoning" releases, Magistral,
    the o-series)."""
    if v.reasoning is not None:
        return v.reasoning == "always"
    return bool(_THINKING.search(v.id))


def translation_specialist(v: Variant) -> bool:
    return v.domain == "translation"


# general instruction tuning, as opposed to a fine-tune for one labelled task
_INSTRUCTION_TUNING = frozenset(
    {"sft", "flan", "rlhf", "rlaif", "dpo", "rl-reasoning", "distilled"}
)
SHORT_INPUT = 512  # an embedding model reading fewer tokens cuts most passages
LONG_INPUT = 8192  # one reading this many embeds whole documents


def one_task_only(v: Variant) -> bool:
    """Fine-tuned for one task with no general instruction tuning (BioGPT-Large-PubMedQA
    answers PubMedQA questions): its 'instruct' flavour is not instruction following."""
    return "task-finetune" in v.tuning and not (set(v.tuning) & _INSTRUCTION_TUNING)


def _input_length(v: Variant, fx: Effects) -> None:
    """An embedding model's maximum input length: short ones cut documents."""
    n = v.context_window
    if n is None:
        fx.warn("its maximum input length is not in the catalog: check your passages fit", "2.15")
    elif n < SHORT_INPUT:
        fx.add(-10, f"reads at most {format_tokens(n)} tokens: longer passages are cut", "2.15")
    elif n >= LONG_INPUT:
        fx.add(4, f"embeds inputs of up to {format_tokens(n)} tokens, whole documents", "2.15")


def specialist_share(v: Variant, ctx: Context) -> tuple[float, str]:
    """How much of a specialisation's bonus a model keeps, and what to say: all of it for
    the first year, then less as general models catch up (half at two years, a quarter
    from two and a half, or when its release date is unknown and it is no longer
    current), so a specialist with old results does not beat a current general model."""
    if v.released is None:
        if v.status == "active":
            return 1.0, ""
        return 0.25, " (undated and no longer current: the advantage counts at a quarter)"
    age = (ctx.today - v.released).days / 365.25
    share = max(0.25, min(1.0, 1.5 - 0.5 * age))
    if share >= 1.0:
        return 1.0, ""
    return share, f" (released {v.released:%Y}: the advantage counts at {share:.0%})"


def ready_made_classifier(v: Variant) -> bool:
    return "task-finetune" in v.tuning and v.architecture in ("encoder-only", "encoder-decoder")


def domain_fit(v: Variant, r: Requirements) -> bool:
    """Adapted to the domain the job asks for (a code model for code, a translation
    model for translation), where a newer general model is not the better pick."""
    if r.domain and r.domain != "general" and v.domain == r.domain:
        return True
    return (r.task == "code" and v.domain == "code") or (
        r.task == "translation" and v.domain == "translation"
    )


@dataclass(slots=True, frozen=True)
class Price:
    """A model's API price for one request: USD per 1M tokens at the tier it falls in."""

    input: float
    output: float
    tier: str  # "list price", "its rate for prompts over 272k tokens", "its batch rate", ...

    @property
    def blended(self) -> float:
        """USD per 1M tokens at 3 input : 1 output."""
        return (3 * self.input + self.output) / 4

    def monthly(self, tokens_in: int, tokens_out: int) -> float:
        return tokens_in / 1e6 * self.input + tokens_out / 1e6 * self.output


LONG_PROMPT = 128_000  # from here a price without long-prompt tiers says they are unknown


def price_for(v: Variant, r: Requirements | None = None) -> Price | None:
    """The price ``r`` pays: the long-prompt tier when --min-context (the prompt it must
    read) exceeds the provider's threshold; else the batch rate with --batch; else the
    cached-input rate on --cached-share of the input. Tiers that would combine (a long
    batch prompt) are not in the catalog: the long-prompt price then holds, and says so."""
    p = v.pricing
    if p is None:
        return None
    if r is None:
        return Price(p.input, p.output, "list price")
    prompt = r.min_context or 0
    if p.long_above is not None and prompt > p.long_above:
        assert p.long_input is not None and p.long_output is not None
        tier = f"its rate over {format_tokens(p.long_above)} tokens"
        if r.batch or r.cached_share:
            tier += "; no batch or cached rate for long prompts in the catalog"
        return Price(p.long_input, p.long_output, tier)
    inp, out, tier = p.input, p.output, "list price"
    if prompt >= LONG_PROMPT and p.tiers_source is None:
        tier = "list price; any long-prompt rate unknown"
    if r.batch:
        if p.batch_input is not None and p.batch_output is not None:
            return Price(p.batch_input, p.batch_output, "its batch rate")
        tier += "; no batch rate in the catalog"
    if r.cached_share:
        if p.cached_input is not None:
            share = r.cached_share
            inp = (1 - share) * inp + share * p.cached_input
            return Price(inp, out, f"{share:.0%} of input at its cached rate")
        tier += "; no cached-input rate in the catalog"
    return Price(inp, out, tier)


def blended_price(v: Variant, r: Requirements | None = None) -> float | None:
    """USD per 1M tokens at 3 input : 1 output, at the tier ``r`` falls in."""
    price = price_for(v, r)
    return None if price is None else price.blended


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


# --- the rules --------------------------------------------------------------------


@rule(
    "task fit",
    ("2.2", "encoders score well for classification and extraction"),
    ("2.6", "instruct models score well for single-request tasks"),
    ("2.7", "FLAN-tuned models score well for classification and extraction"),
    ("2.8", "FLAN-tuned models classify zero-shot, like the guide's sentiment example"),
    ("2.14", "chat tasks favour chat-tuned models"),
    ("2.15", "embeddings weigh the maximum input length: under 512 tokens loses, 8k gains"),
    ("2.16", "a one-task fine-tune is not counted as instruction-tuned"),
    most=lambda r, ctx: _task_fit_most(r.task),
)
def task_fit(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    if r.task == "chat":
        _chat_fit(v, fx)
    elif r.task in GENERATIVE:
        _generative_fit(v, r.task, fx)
    elif r.task == "classification":
        _classification_fit(v, fx)
    elif r.task == "extraction":
        _extraction_fit(v, fx)
    elif r.task == "embedding":
        _embedding_fit(v, fx)


def _task_fit_most(task: str | None) -> float:
    """The most ``task_fit`` gives for a task: a chat model for chat, a FLAN model for
    classification, an embedding model reading whole documents for embeddings."""
    fixed = {"chat": 15, "classification": 8 + 10, "extraction": 10, "embedding": 20 + 4}
    if task in fixed:
        return fixed[task]
    encoder_decoder = 6 if task in ("summarization", "translation") else 0
    return (12 if task == "instruct" else 10) + encoder_decoder


def _chat_fit(v: Variant, fx: Effects) -> None:
    if v.flavour == "chat":
        fx.add(15, "a chat model, tuned for multi-turn dialogue", "2.14")
    elif v.flavour == "instruct":
        fx.add(8, "instruction-tuned: follows instructions and can chat with a template", "2.6")
    if v.architecture == "encoder-decoder":
        fx.add(-8, "encoder-decoder: built to map an input to an output, not for dialogue", "2.7")


def _generative_fit(v: Variant, task: str | None, fx: Effects) -> None:
    fl = v.flavour
    if fl == "instruct" and one_task_only(v):
        fx.add(2, "fine-tuned for one task, not general instruction tuning", "2.16")
    elif fl == "instruct":
        fx.add(
            12 if task == "instruct" else 10,
            "instruction-tuned: follows single instructions well",
            "2.6",
        )
    elif fl == "chat":
        fx.add(10, "a chat model: instruction-tuned, also handles single requests", "2.14")
    if task in ("summarization", "translation") and v.architecture == "encoder-decoder":
        fx.add(6, "encoder-decoder: built for input-to-output tasks like this", "2.7")
    elif task != "qa" and v.architecture == "encoder-decoder":
        fx.add(
            -8,
            "encoder-decoder: built to map an input to an output, not for open-ended generation",
            "2.7",
        )


def _classification_fit(v: Variant, fx: Effects) -> None:
    fl = v.flavour
    if ready_made_classifier(v):
        return  # the ready-made rule speaks for it
    if "flan" in v.tuning:
        fx.add(8, "instruction-tuned on the FLAN collection of tasks", "2.7")
        fx.add(10, "FLAN tuning covers classification: works zero-shot, no labelled data", "2.8")
    elif v.architecture == "encoder-only" and fl == "base":
        fx.add(12, "an encoder: small, fast and accurate at classifying once fine-tuned", "2.2")
        fx.warn("needs fine-tuning on labelled examples before it can classify", "2.4")
    elif fl in ("instruct", "chat") and not one_task_only(v):
        fx.add(7, "can classify from a prompt with no training data", "2.6")
    elif fl == "embedding":
        fx.add(4, "embeddings plus a simple classifier work for classification", "2.16")
        fx.warn(
            "an embedding model does not classify by itself: it needs labelled examples "
            "and a classifier trained on its vectors",
            "2.16",
        )


def _extraction_fit(v: Variant, fx: Effects) -> None:
    if "flan" in v.tuning:
        fx.add(10, "instruction-tuned on FLAN: extracts from a prompt", "2.7")
    elif v.flavour in ("instruct", "chat") and not one_task_only(v):
        fx.add(10, "instruction-tuned: extracts fields from a prompt", "2.6")
    elif v.architecture == "encoder-only":
        fx.add(8, "an encoder: fits token-level extraction (NER) once fine-tuned", "2.2")
        fx.warn("needs fine-tuning on labelled examples first", "2.4")


def _embedding_fit(v: Variant, fx: Effects) -> None:
    if v.flavour == "embedding":
        fx.add(20, "trained to produce sentence embeddings", "2.16")
    else:
        fx.add(4, "an encoder that can embed text with pooling", "2.2")
        fx.warn(
            "not trained for embeddings: expect weaker retrieval without contrastive tuning",
            "2.16",
        )
    _input_length(v, fx)


@rule(
    "ready-made classifier",
    ("2.16", "classifiers already fine-tuned for a labelled task score well for classification"),
    when=lambda r, ctx: r.task == "classification",
    most=lambda r, ctx: 16,
)
def ready_made(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    if ready_made_classifier(v):
        fx.add(16, "a ready-made classifier: already fine-tuned on labelled examples", "2.16")
        fx.warn("check that its labels are the ones you need (see 'llmpick show')", "2.16")


@rule(
    "translation",
    ("2.16", "translation favours translation-specialised and broadly multilingual models"),
    when=lambda r, ctx: r.task == "translation",
    most=lambda r, ctx: 16 + 6,
)
def translation(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    if translation_specialist(v):
        share, aged = specialist_share(v, ctx)
        fx.add(16 * share, "specialised for translation" + aged, "2.16")
    n = len(v.languages)
    if "mul" in v.languages or n >= 20:
        fx.add(6, f"documented for {'many' if 'mul' in v.languages else n} languages", "2.16")
    elif v.languages == ["en"]:
        fx.add(-14, "documented for English only: a poor fit for translation", "2.16")
        fx.warn("its maker documents English only", "2.16")
    elif not v.languages:
        fx.warn("its languages are not stated in the catalog: test your language pairs", "4.2")


@rule(
    "language",
    ("4.2", "--language favours models that document the language"),
    when=lambda r, ctx: bool(r.language),
    most=lambda r, ctx: 6,
)
def language(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    assert r.language is not None
    name = f"{language_name(r.language)} ({r.language})"
    if r.language in v.languages:
        fx.add(6, f"its maker documents {name} support", "4.2")
    elif "mul" in v.languages:
        fx.add(2, f"multilingual; {name} is not listed by name", "4.2")
        fx.warn(f"check its {language_name(r.language)} on your own examples", "4.2")
    else:
        fx.warn(f"its languages are not stated in the catalog: check its {name}", "4.2")


@rule(
    "reasoning",
    ("2.12", "reasoning work favours reasoning modes and is warned off FLAN-only tuning"),
    ("7", "models that always think are slower and costlier where no reasoning is needed"),
    most=lambda r, ctx: 10 if r.task == "reasoning" or "reasoning" in r.needs else 0,
)
def reasoning(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    tuning = set(v.tuning)
    if r.task == "reasoning" or "reasoning" in r.needs:
        if "reasoning" in v.capabilities or thinks_always(v):
            fx.add(10, "has a reasoning (thinking) mode", "2.12")
        if "flan" in tuning and "rl-reasoning" not in tuning:
            fx.add(-10, "FLAN-only instruction tuning weakens chain-of-thought reasoning", "2.12")
            fx.warn(
                "FLAN tuning can cost chain-of-thought ability unless CoT data was included", "2.12"
            )
        return
    if thinks_always(v) and r.task in (
        "chat",
        "classification",
        "extraction",
        "summarization",
        "translation",
        "creative",
    ):
        fx.add(-8, f"always reasons before answering: slow and costly for {r.task}", "7")
        fx.warn(
            "a thinking model: expect long, slow answers; a non-thinking variant suits better", "7"
        )
    elif "flan" in tuning and r.task in ("qa", "instruct", None):
        fx.warn("FLAN instruction tuning can weaken step-by-step reasoning", "2.12")


@rule(
    "fine-tuning and alignment",
    ("2.4", "--fine-tune favours base models"),
    ("2.9", "--alignment safety favours safety-tuned models and warns about base models"),
    ("2.10", "--alignment safety favours RLHF-tuned models"),
    ("2.11", "--alignment safety favours RLAIF (constitutional AI) models"),
    (
        "2.13",
        "--alignment own-values favours unaligned base models, warns about vendor-aligned ones",
    ),
    most=lambda r, ctx: (
        (18 if r.fine_tune else 0) + {"own-values": 15, "safety": 12}.get(r.alignment or "", 0)
    ),
)
def tuning_intent(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    fl, tuning = v.flavour, set(v.tuning)
    if r.fine_tune:
        if fl == "base":
            fx.add(18, "a base model: the clean starting point for your own fine-tuning", "2.4")
        elif fl in ("instruct", "chat"):
            fx.warn(
                "already instruction-tuned: your fine-tuning builds on its existing tuning", "2.4"
            )
    aligned = _alignment(v)
    if r.alignment == "own-values":
        if fl == "base":
            fx.add(
                15, "not yet aligned: you can align it to your organisation's own values", "2.13"
            )
        elif tuning & {"rlhf", "rlaif", "safety"}:
            fx.add(-8, "already aligned to its maker's values, which may not be yours", "2.13")
            fx.warn("its alignment reflects its maker's values; check they match yours", "2.13")
    elif r.alignment == "safety":
        if aligned is not None:
            fx.add(12, *aligned)
        elif fl == "base":
            fx.add(-12, "a base model: not aligned, can produce harmful output", "2.9")
            fx.warn("unaligned base model: add your own safety tuning or filters", "2.9")
        elif "undisclosed" in tuning:
            fx.warn("its maker does not document how it was aligned", "2.9")


def _alignment(v: Variant) -> tuple[str, str] | None:
    t = set(v.tuning)
    if "rlaif" in t:
        return "aligned with AI feedback against a written constitution (RLAIF)", "2.11"
    if "rlhf" in t:
        return "aligned with reinforcement learning from human feedback (RLHF)", "2.10"
    if "safety" in t:
        return "alignment-tuned on safety data", "2.9"
    return None


def _domain_most(v: Variant, r: Requirements, ctx: Context) -> float:
    """The most ``domain`` gives ``v``: an adaptation to the domain asked for, or to code
    (with fill-in-the-middle) for code."""
    if r.domain and r.domain != "general":
        return 15 if v.domain == r.domain else 0
    if r.task == "code":
        return (18 if v.domain == "code" else 0) + (
            4 if "fill-in-the-middle" in v.capabilities else 0
        )
    return 0


@rule(
    "domain",
    (
        "2.16",
        "--domain favours models adapted to it, a specialisation counting less as it ages "
        "past a year; single-task fine-tunes and other domains weigh less for general work",
    ),
    most_each=_domain_most,
)
def domain(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    tuning = set(v.tuning)
    if r.domain and r.domain != "general":
        if v.domain == r.domain:
            share, aged = specialist_share(v, ctx)
            fx.add(15 * share, f"adapted to the {r.domain} domain" + aged, "2.16")
        elif v.domain == "general":
            # an API model's weights cannot be tuned by you: only where its provider offers it
            how = (
                "consider domain fine-tuning"
                if v.open_weights
                else "put your domain material in the prompt, or fine-tune where its "
                "provider offers it"
            )
            fx.warn(f"a general model, not adapted to {r.domain}; {how}", "2.16")
        else:
            fx.add(-10, f"adapted to {v.domain}, not {r.domain}", "2.16")
    elif r.task == "code":
        if v.domain == "code":
            share, aged = specialist_share(v, ctx)
            fx.add(18 * share, "adapted to code" + aged, "2.16")
        elif v.domain != "general":
            fx.add(-12, f"adapted to {v.domain}, not to code", "2.16")
        if "fill-in-the-middle" in v.capabilities:
            fx.add(4, "supports fill-in-the-middle, for code completion", "2.16")
    elif r.task == "translation" and v.domain == "translation":
        pass  # the translation rule speaks for it
    elif v.domain == "dialogue" and r.task not in ("chat", None):
        fx.add(-10, "tuned for open-ended conversation, not for following instructions", "2.14")
    elif v.domain not in ("general", "dialogue"):
        fx.add(-12, f"adapted to {v.domain}: less suited to general work", "2.16")
    if "task-finetune" in tuning and not (r.task == "classification" and ready_made_classifier(v)):
        fx.add(-8, "fine-tuned for one specific task", "2.16")
        fx.warn("fine-tuned for one task: check that task is yours", "2.16")


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
    found = _relevant_results(v, ctx) if v.id in ctx.results else None
    if found:
        return round(_evidence_points(weight, quality(_weighed(found, ctx))), 1)
    if ctx.predecessors is None:
        ctx.predecessors = predecessors(ctx.catalog)
    best = _kin_level(v.family, v.moe, ctx) if v.params_b is not None else None
    for prev in ctx.predecessors.get(v.id, ()):
        level = _level(ctx.catalog.variants[prev], ctx)
        if level is not None and (best is None or level > best):
            best = level
    if best is None:
        return 0.0
    return round(_evidence_points(weight, UNMEASURED + SIBLING_SHARE * (best - UNMEASURED)), 1)


def _level(v: Variant, ctx: Context) -> float | None:
    """The quality level of a model's results that measure the job (None: it has none)."""
    found = _relevant_results(v, ctx) if v.id in ctx.results else None
    return quality(_weighed(found, ctx)) if found else None


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
)
def published_results(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    weight = WEIGHTS[r.prefer]["evidence"]
    found = _relevant_results(v, ctx)
    if found:
        level = quality(_weighed(found, ctx))
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
    sib, sib_found = sibling  # `why SIBLING` shows its results
    own = quality(_weighed(sib_found, ctx))
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


Found = dict[str, tuple[float, int, float, "dt.date | None", float]]


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


def freshness(date: dt.date | None, ctx: Context) -> float:
    """How much a result still says, 0.25..1: fully for a year, then less as the
    candidates move on (half at two years, a quarter from two and a half); a result
    without a date counts fully (its model's release date already ages it)."""
    if date is None:
        return 1.0
    age = (ctx.today - date).days / 365.25
    return max(0.25, min(1.0, 1.5 - 0.5 * age))


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
    if ctx.predecessors is None:
        ctx.predecessors = predecessors(c)
    for prev in ctx.predecessors.get(v.id, ()):
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
    hit = ctx.measured_kin.get((family, moe))
    if hit is None:
        c = ctx.catalog
        fam = c.families.get(family)
        kin = (c.variants.get(sid) for sid in (fam.variants if fam is not None else ()))
        if ctx.measuring is None:
            ctx.measuring = frozenset(
                vid
                for vid, results in ctx.results.items()
                if any(measures(name, ctx.benchmarks) for name in results)
            )
        measuring = ctx.measuring
        hit = [
            sib
            for sib in kin
            if sib is not None
            and sib.id in measuring
            and sib.moe == moe
            and sib.params_b is not None
        ]
        ctx.measured_kin[family, moe] = hit
    return hit


def _stands_in(sib: Variant, v: Variant) -> bool:
    """Whether a measured sibling of the same kind can stand in for ``v``: at most twice
    or half its size, released within a year of it."""
    assert sib.params_b is not None and v.params_b is not None
    ratio = max(sib.params_b, v.params_b) / max(min(sib.params_b, v.params_b), 1e-6)
    if ratio > 2:
        return False
    return not (sib.released and v.released and abs((sib.released - v.released).days) > 366)


@rule(
    "recency",
    (
        "4.2",
        "newer generations rank above older ones (encoders age more slowly); an undated "
        "model that is no longer current loses 6",
    ),
    most_each=lambda v, r, ctx: round(_recency_points(v, r, ctx) or 0.0, 1),
)
def recency(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    points = _recency_points(v, r, ctx)
    if points is None:
        return
    if v.released is None:
        fx.add(points, "release date not in the catalog, and no longer current", "4.2")
    elif fx.words:
        age = (ctx.today - v.released).days / 365.25
        fx.add(points, _generation(v.released, age, _aging(v, r)), "4.2")
    else:
        fx.add(points, "", "4.2")


def _aging(v: Variant, r: Requirements) -> bool:
    return r.task in GENERATIVE or v.architecture == "decoder-only"


def _recency_points(v: Variant, r: Requirements, ctx: Context) -> float | None:
    """The points ``recency`` gives (None: it says nothing)."""
    aging = _aging(v, r)
    if v.released is None:
        # an undated model its maker has moved on from is a risk, not a current one
        return -6.0 * WEIGHTS[r.prefer]["recency"] if v.status != "active" and aging else None
    # newer generations of generative models are markedly stronger; encoders (and
    # encoder-decoders) used for classification, extraction and embeddings age slowly
    scale = (1.0 if aging else 0.4) * WEIGHTS[r.prefer]["recency"]
    age = (ctx.today - v.released).days / 365.25
    floor = -12.0 if aging else -4.0
    return max(floor, min(12.0, 12.0 - 6.0 * age)) * scale


def _generation(released: dt.date, age: float, aging: bool) -> str:
    """How a release date reads: current, recent, older, or only the date."""
    if age <= 1:
        return f"a current generation (released {released:%b %Y})"
    if age <= 2:
        return f"a recent generation (released {released:%b %Y})"
    if age > 4 and aging:
        return f"an older generation (released {released:%Y}); newer models are generally stronger"
    return f"released {released:%b %Y}"


@rule(
    "hardware",
    (
        "2.1",
        "on your GPU, higher precision scores a little higher; memory estimated from the "
        "parameter count is labelled with its range; very large models need a GPU server",
    ),
    points=False,
)
def hardware(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    est = ctx.estimates.get(v.id)
    if r.sized and est is not None:
        # no points: a bigger model at 4 bits usually beats a small one at 16; the fit is
        # stated, and 4-bit quantization of a 16-bit release is flagged below
        for text in fit_said(r, ctx.placements.get(v.id), est):
            fx.note(text, "2.1")
        if est.quantization == "int4" and not est.native:
            fx.warn("runs only 4-bit quantized here: expect a small loss of quality", "2.1")
        if est.estimated:
            fx.warn(
                f"no architecture numbers in the catalog: memory estimated from its size, "
                f"{round(est.low_gb, 2):.1f}-{round(est.high_gb, 2):.1f} GB",
                "2.1",
            )
    elif (
        not r.sized
        and v.open_weights
        and v.params_b is not None
        and v.params_b > 100
        and (r.fine_tune or r.hosting == "self")
    ):
        fx.warn(f"{format_params(v.params_b)} parameters: needs a multi-GPU server to run", "2.1")
        if r.fine_tune:
            fx.warn("fine-tuning a model this size needs a GPU cluster", "2.4")


@rule(
    "cost",
    (
        "5.3",
        "cheaper per token (or a smaller GPU footprint when self-hosting) scores higher, "
        "most with --prefer cost",
    ),
    most=lambda r, ctx: WEIGHTS[r.prefer]["cost"],
)
def cost(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    weight = WEIGHTS[r.prefer]["cost"]
    rank = ctx.cost_rank.get(v.id)
    if not weight or rank is None:
        if r.prefer == "cost" and rank is None:
            fx.warn("its cost cannot be compared: no price or memory estimate", "5.3")
        return
    price = price_for(v, r)
    est = ctx.estimates.get(v.id)
    if r.prefer != "cost" and _self_hosted(v, r):
        return  # once it fits, its footprint matters only when you optimise for cost
    band = 0 if rank <= 0.25 else 2 if rank >= 0.75 else 1
    if est is not None and _self_hosted(v, r):
        what = ("among the lightest", "mid-sized among those", "among the heaviest")
        text = f"{what[band]} that pass: about {est.total_gb:.0f} GB of GPU memory"
    elif price is not None:
        what = ("among the cheapest", "mid-priced among those", "among the costliest")
        # the tier when it changed the price (an unknown long rate is a note of its own)
        tier = "" if price.tier.startswith("list price") else f", {price.tier}"
        if r.tokens_per_month is not None:
            usd = price.monthly(*r.tokens_per_month)
            text = f"{what[band]} that pass: {format_usd(usd)} a month at your volume{tier}"
        else:
            text = (
                f"{what[band]} that pass: {format_usd(price.blended)} per 1M tokens "
                f"(3:1 blend{tier})"
            )
    else:
        return
    fx.add(weight * (1 - 2 * rank), text, "5.3")


def _self_hosted(v: Variant, r: Requirements) -> bool:
    return v.open_weights and r.hosting != "api"


@rule(
    "speed",
    ("7", "--prefer speed favours few active parameters and fast tiers"),
    when=lambda r, ctx: WEIGHTS[r.prefer]["speed"] != 0,
    most=lambda r, ctx: WEIGHTS[r.prefer]["speed"],
)
def speed(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    weight = WEIGHTS[r.prefer]["speed"]
    rank = ctx.speed_rank.get(v.id)
    active = v.active_params_b or v.params_b
    if rank is not None and active is not None:
        fx.add(weight * (1 - 2 * rank), f"{format_params(active)} active parameters per token", "7")
    elif _FAST_TIER.search(v.id):
        fx.add(weight * 0.5, "a fast, light tier of its provider's models", "7")
    else:
        fx.warn("its speed cannot be compared: size not published", "7")
    if thinks_always(v):
        fx.add(-weight / 2, "thinks before answering: slower replies", "7")


@rule(
    "lifecycle",
    (
        "4.1",
        "a model loses points when a newer release that passes the same requirements "
        "replaces it (15 when legacy, 10 when still active), named with what differs; a "
        "successor that fails them costs nothing and the answer says why (a legacy general "
        "model still loses 6 to current ones); deprecated and retired models lose 25 and "
        "40; previews are flagged",
    ),
    most=lambda r, ctx: 0,  # it only takes points away
)
def lifecycle(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    newer, failed = _newer_candidate(ctx, v)
    if v.status in ("deprecated", "retired"):
        successor = _successor_name(ctx.catalog, v)
        penalty = {"deprecated": -25, "retired": -40}[v.status]
        what = {
            "deprecated": f"deprecated: shutdown announced; replaced{successor}",
            "retired": f"retired: no longer served; replaced{successor}",
        }[v.status]
        fx.add(penalty, what, "4.1")
    elif newer is not None:
        differs = _differences(v, newer)
        head = (
            f"superseded by {newer.id}, which passes your requirements too"
            if v.status == "legacy"
            else f"a newer release, {newer.id}, passes your requirements too"
        )
        fx.add(-15 if v.status == "legacy" else -10, head + differs, "4.1")
    elif failed is not None:
        succ, why = failed
        what = "superseded" if v.status == "legacy" else "has a newer release"
        fx.note(
            f"{what} ({succ}), not counted against it: {succ} is not a candidate ({why})", "4.1"
        )
    if v.status == "legacy" and newer is None and not domain_fit(v, r):
        # no successor can take its place here, but current general models can
        fx.add(-6, "a legacy model its maker no longer updates; current models are kept up", "4.1")
    if v.api_status in ("deprecated", "retired") and v.open_weights:
        fx.warn(
            f"its maker's API is {'shut down' if v.api_status == 'retired' else 'being shut down'}"
            ": self-host the weights",
            "4.1",
        )
    if "preview" in v.name.lower() or (v.notes is not None and "preview" in v.notes.lower()):
        fx.warn("a preview release: it may change or be withdrawn", "4.1")


def _newer_candidate(ctx: Context, v: Variant) -> tuple[Variant | None, tuple[str, str] | None]:
    """(the newest release after ``v`` that passes the same hard constraints, or None;
    else the newest one with the first constraint it fails)."""
    if not v.successor:
        return None, None
    from llmpick.catalog.query import successor_chain

    c = ctx.catalog
    releases: list[Variant] = []
    for ref in successor_chain(c, v.successor):
        if ref in c.variants:
            releases.append(c.variants[ref])
        elif ref in c.families:
            releases += [
                c.variants[x] for x in c.families[ref].variants if c.variants[x].status == "active"
            ]
    releases = [x for x in releases if x.id != v.id]
    if not releases:
        return None, None
    if ctx.fails is None:  # no requirements to check against: the newest counts
        return releases[-1], None
    first_failure: tuple[str, str] | None = None
    for x in reversed(releases):
        fails = ctx.fails(x)
        if not fails:
            return x, None
        if first_failure is None:
            first_failure = (x.id, fails[0])
    return None, first_failure


def _differences(old: Variant, new: Variant) -> str:
    """What differs between a model and the newer release that replaces it: price,
    context window and size, as ' (new against old; ...)'."""
    parts = []
    if old.pricing is not None and new.pricing is not None:
        a, b = new.pricing, old.pricing
        if (a.input, a.output) != (b.input, b.output):
            parts.append(
                f"{format_usd(a.input)}/{format_usd(a.output)} per 1M tokens against "
                f"{format_usd(b.input)}/{format_usd(b.output)}"
            )
    elif new.pricing is not None:
        parts.append(f"priced {format_usd(new.pricing.input)}/{format_usd(new.pricing.output)}")
    if old.context_window and new.context_window and old.context_window != new.context_window:
        parts.append(
            f"context {format_tokens(new.context_window)} against "
            f"{format_tokens(old.context_window)}"
        )
    if old.params_b and new.params_b and format_params(old.params_b) != format_params(new.params_b):
        parts.append(f"{format_params(new.params_b)} against {format_params(old.params_b)}")
    return f" ({'; '.join(parts)})" if parts else ""


def _successor_name(c: Catalog, v: Variant) -> str:
    from llmpick.catalog.query import current_successor

    if not v.successor:
        return ""
    now = current_successor(c, v.successor)
    if now is not None and now != v.successor:
        return f" by {v.successor} (now {now})"
    return f" by {v.successor}"


@rule(
    "requirements met",
    ("1.2", "--platform and --access proprietary: where the model is served is stated"),
    ("2.15", "a context window that covers your documents is stated; a tight fit is flagged"),
    ("3", "licences: the condition of a conditional licence is shown"),
    ("8", "--needs structured-output: how JSON output is obtained is stated"),
    points=False,
)
def requirements_met(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    _context_met(v, r, fx)
    _where_served(v, r, ctx.catalog, fx)
    _price_tier(v, r, fx)
    _price_met(v, r, ctx, fx)
    if "structured-output" in r.needs or r.task == "extraction":
        if "structured-output" in v.capabilities:
            fx.note("native JSON-schema output", "8")
        elif v.open_weights and "structured-output" in r.needs:
            fx.note("JSON output by constraining decoding to your schema when self-hosted", "8")
    lic = ctx.catalog.licenses[v.license]
    if lic.commercial_use == "conditional":
        fx.warn(f"licence {lic.id}: {lic.condition}", "3")
    elif lic.commercial_use == "no":
        fx.warn(f"licence {lic.id} forbids commercial use: {lic.condition}", "3")
    if (
        v.flavour == "base"
        and v.domain != "translation"  # a translation model translates as it is
        and r.task not in ("classification", "extraction", "embedding")
    ):
        if r.fine_tune:  # tuning it is the plan: a fact, not a warning
            fx.note("a base model: it follows instructions once you have tuned it", "2.2")
        else:
            fx.warn("a base model: unhelpful until you tune it, and unaligned", "2.2")


def _context_met(v: Variant, r: Requirements, fx: Effects) -> None:
    """The context window against the documents it must read."""
    if r.min_context and v.context_window:
        fx.note(
            f"context window {format_tokens(v.context_window)} tokens covers your "
            f"{format_tokens(r.min_context)}",
            "2.15",
        )
        if v.context_window < 1.1 * r.min_context:
            fx.warn("your documents fill nearly all of its context window", "2.15")


def _where_served(v: Variant, r: Requirements, c: Catalog, fx: Effects) -> None:
    """The platform or provider that serves it, and that an API leaves the GPU free."""
    if r.platform and r.platform in v.access.platforms:
        fx.note(
            f"offered on {PLATFORM_NAMES[r.platform]} as {v.access.platforms[r.platform]}", "1.2"
        )
    elif r.access == "proprietary" or (not v.open_weights and r.access == "any"):
        fx.note(f"a proprietary model served by {c.providers[v.provider].name}", "1.2")
    if not v.open_weights and r.sized:
        fx.note("served through an API: it does not use your GPU", "5.3")


def _price_tier(v: Variant, r: Requirements, fx: Effects) -> None:
    """The price tier the request falls in, when it is not the plain list price."""
    tiered = price_for(v, r)
    if tiered is not None and tiered.tier.startswith("list price;"):
        fx.note(f"priced at its {tiered.tier}", "5.3")
    elif tiered is not None and tiered.tier != "list price":
        assert v.pricing is not None
        fx.note(
            f"priced at {tiered.tier}: {format_usd(tiered.input)}/{format_usd(tiered.output)} "
            f"per 1M tokens in/out (list {format_usd(v.pricing.input)}/"
            f"{format_usd(v.pricing.output)})",
            "5.3",
        )


def _price_met(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    """With --max-price: the API price within it, or what self-hosting costs instead."""
    if r.max_price is None:
        return
    price = blended_price(v, r)
    self_hosted = v.open_weights and r.hosting == "self"
    if price is not None and not self_hosted:
        served = "served by an API at" if v.open_weights else "API price"
        fx.note(
            f"{served} {format_usd(price)} per 1M tokens (3:1), within your "
            f"{format_usd(r.max_price)}",
            "5.3",
        )
    if not self_hosted:
        return
    est = ctx.estimates.get(v.id)
    needs = f" (about {est.total_gb:.0f} GB of GPU memory)" if est is not None else ""
    if v.params_b is not None and est is None:
        needs = f" ({format_params(v.params_b)} parameters to host)"
    if price is None:
        fx.note(f"self-hosted: no per-token price; you pay for the hardware{needs}", "5.3")
    elif price > r.max_price:
        fx.warn(
            f"within --max-price only because you host it yourself{needs}: its API costs "
            f"about {format_usd(price)} per 1M tokens (3:1), over your "
            f"{format_usd(r.max_price)}",
            "5.3",
        )


PREFERENCES = ("cost", "speed")  # the rules that serve --prefer rather than fitness
PREFERENCE_MARGIN = 15.0


def fitness(v: Variant, r: Requirements, ctx: Context) -> float:
    """How well the model fits the job: the balanced score without cost and speed."""
    fx = Tally()
    balanced = r.replace(prefer="balanced")
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


def most_points(r: Requirements, ctx: Context) -> Callable[[Variant], float]:
    """The most a model can score for ``r``: every rule's most points (exact for
    recency and published results, which vary most; the rest by request), found far
    more cheaply than ``points``, which never exceeds it. A ranking need not score the
    models that cannot reach its first places."""
    fixed = 50.0
    each: list[MostEach] = []
    for spec in counted_rules(r, ctx):
        if spec.most_each is not None:
            each.append(spec.most_each)
        elif spec.most is not None:
            fixed += spec.most(r, ctx)

    def most(v: Variant) -> float:
        total = fixed
        for fn in each:
            total += fn(v, r, ctx)
        return max(0.0, min(100.0, total)) + 0.1  # 0.1: the rounding of the rules' sum

    return most


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
