"""The recommendation engine: hard constraints, then soft scoring, then explanations.

Pure functions over a ``Catalog`` and ``Requirements``: no I/O, no presentation.
Every hard constraint that drops a model returns an ``Exclusion`` and every soft
factor that moves a score returns a ``Reason``; each carries a guide section id
(the table in DESIGN.md; ``llmpick guide ID`` shows the section).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from llmpick.memory import Estimate, best_fit, estimate, working_context
from llmpick.records import Catalog, License, Variant
from llmpick.requirements import TASKS, Requirements

# tasks whose output is text the model writes (not labels, spans or vectors)
GENERATIVE: frozenset[str | None] = frozenset(
    {None, *TASKS} - {"classification", "extraction", "embedding"}
)
PLATFORM_NAMES = {
    "bedrock": "Amazon Bedrock",
    "sagemaker": "SageMaker JumpStart",
    "vertex": "Google Vertex AI",
    "azure": "Azure",
}
MAX_PER_FAMILY = 2  # near the top of the ranking, so that it offers real alternatives
MAX_PER_PROVIDER = 3


@dataclass(slots=True, eq=False, repr=False)
class Reason:
    """One explained factor: text in our words, the guide section it rests on, its weight."""

    text: str
    guide: str
    weight: float = 0.0


@dataclass(slots=True, eq=False, repr=False)
class Exclusion:
    """Why a hard constraint drops a model."""

    constraint: str  # the requirement field (or "task", "status")
    text: str
    guide: str


@dataclass(slots=True, eq=False, repr=False)
class Verdict:
    """Everything the engine concluded about one variant."""

    variant: Variant
    exclusions: list[Exclusion] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    caveats: list[Reason] = field(default_factory=list)
    score: float = 0.0
    estimate: Estimate | None = None
    duplicate_of: str | None = None
    domain_fit: bool = False  # adapted to the domain the requirements ask for

    @property
    def passed(self) -> bool:
        return not self.exclusions


@dataclass(slots=True, eq=False, repr=False)
class Relaxation:
    """A change to the requirements that would return models."""

    constraints: tuple[str, ...]
    suggestion: str
    returns: int


@dataclass(slots=True, eq=False, repr=False)
class Recommendation:
    requirements: Requirements
    candidates: list[Verdict]
    ranked: list[Verdict]  # every passing model, ranked, duplicates removed
    verdicts: dict[str, Verdict]
    excluded_counts: dict[str, int]
    relaxations: list[Relaxation]
    blocking: list[tuple[str, int]]  # constraints that removed the most, when empty

    def rank_of(self, variant_id: str) -> int | None:
        for i, v in enumerate(self.ranked, 1):
            if v.variant.id == variant_id:
                return i
        return None


# --- helpers -------------------------------------------------------------------


def _ctx(n: int) -> str:
    """Token counts as people say them: 8k, 128k, 200k, 1M."""
    if n >= 1_000_000 and n % 1_000_000 in (0, 48_576, 47_576):
        return f"{round(n / 1_000_000)}M"
    if n >= 1000 and n % 1024 == 0:
        return f"{n // 1024}k"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return f"{n:,}"


def _params(p: float) -> str:
    return f"{p:g}B" if p >= 1 else f"{p * 1000:g}M"


def blended_price(v: Variant) -> float | None:
    """USD per 1M tokens at 3 input : 1 output."""
    if v.pricing is None:
        return None
    return (3 * v.pricing.input + v.pricing.output) / 4


def _is_safety_classifier(v: Variant) -> bool:
    return v.domain == "safety"


# --- hard constraints --------------------------------------------------------------

Check = Callable[[Variant, Requirements, Catalog], Exclusion | None]


def _status(v: Variant, r: Requirements, c: Catalog) -> Exclusion | None:
    # legacy models are still available: they stay in, ranked lower with a caveat
    if v.status in ("active", "legacy") or r.include_legacy:
        return None
    succ = f"; replaced by {v.successor}" if v.successor else ""
    what = {
        "legacy": "superseded by a newer release",
        "deprecated": "deprecated: its shutdown is announced",
        "retired": "retired: no longer served",
    }[v.status]
    return Exclusion("status", f"{what}{succ} (use --include-legacy to consider it)", "4.1")


def _access(v: Variant, r: Requirements, c: Catalog) -> Exclusion | None:
    if r.access == "open" and not v.open_weights:
        return Exclusion("access", "weights are not downloadable: API only", "4.1")
    if r.access == "proprietary" and v.open_weights:
        return Exclusion("access", "an open-weights model, not a proprietary API model", "1.2")
    return None


def _hosting(v: Variant, r: Requirements, c: Catalog) -> Exclusion | None:
    if r.hosting == "self" and not v.open_weights:
        return Exclusion("hosting", "cannot be self-hosted: the weights are not published", "4.1")
    if r.hosting == "api" and not (v.access.api or v.access.platforms):
        return Exclusion("hosting", "no provider or cloud API serves it in the catalog", "5.3")
    return None


def _platform(v: Variant, r: Requirements, c: Catalog) -> Exclusion | None:
    if r.platform and r.platform not in v.access.platforms:
        return Exclusion("platform", f"not offered on {PLATFORM_NAMES[r.platform]}", "1.2")
    return None


def _commercial(v: Variant, r: Requirements, c: Catalog) -> Exclusion | None:
    if r.commercial and c.licenses[v.license].commercial_use == "no":
        lic = c.licenses[v.license]
        return Exclusion(
            "commercial", f"licence {lic.id} forbids commercial use ({lic.condition})", "3"
        )
    return None


def _license(v: Variant, r: Requirements, c: Catalog) -> Exclusion | None:
    if r.license and v.license not in r.license:
        return Exclusion("license", f"licence {v.license} is not in your allow-list", "3")
    return None


def _max_params(v: Variant, r: Requirements, c: Catalog) -> Exclusion | None:
    if r.max_params is None:
        return None
    if v.params_b is None:
        return Exclusion(
            "max_params", "parameter count not published, so its size is unknown", "2.1"
        )
    if v.params_b > r.max_params:
        return Exclusion(
            "max_params", f"{_params(v.params_b)} parameters, over {_params(r.max_params)}", "2.1"
        )
    return None


def _min_context(v: Variant, r: Requirements, c: Catalog) -> Exclusion | None:
    if r.min_context is None:
        return None
    if v.context_window is None:
        return Exclusion("min_context", "context window not published", "2.15")
    if v.context_window < r.min_context:
        return Exclusion(
            "min_context",
            f"context window {_ctx(v.context_window)} tokens, under {_ctx(r.min_context)}",
            "2.15",
        )
    return None


def _gpu(v: Variant, r: Requirements, c: Catalog) -> Exclusion | None:
    if r.gpu_memory is None:
        return None
    if not v.open_weights:
        return Exclusion("gpu_memory", "API only: it cannot run on your GPU", "4.1")
    if v.params_b is None:
        return Exclusion("gpu_memory", "parameter count not published: cannot size it", "2.1")
    context = working_context(v, r.min_context)
    fit, smallest = best_fit(v, r.gpu_memory, r.quantization, context)
    if fit is not None:
        return None
    if smallest is None:
        return Exclusion(
            "gpu_memory",
            "architecture numbers missing from the catalog: its KV cache cannot be estimated",
            "2.1",
        )
    return Exclusion(
        "gpu_memory",
        f"needs about {smallest.total_gb:.1f} GB even at {smallest.quantization} with "
        f"{_ctx(context)} tokens of context, over {r.gpu_memory:g} GB",
        "2.1",
    )


def _flavour(v: Variant, r: Requirements, c: Catalog) -> Exclusion | None:
    if r.flavour and v.flavour != r.flavour:
        guide = {"base": "2.2", "instruct": "2.6", "chat": "2.14", "embedding": "2.16"}[r.flavour]
        return Exclusion("flavour", f"a {v.flavour} model, not {r.flavour}", guide)
    return None


def _task(v: Variant, r: Requirements, c: Catalog) -> Exclusion | None:
    task = r.task
    if _is_safety_classifier(v) and r.domain != "safety":
        return Exclusion("task", "a safety classifier (guard model), not a general model", "2.16")
    if task in GENERATIVE:
        if v.flavour == "embedding":
            return Exclusion("task", "an embedding model: it produces vectors, not text", "2.16")
        if v.architecture == "encoder-only":
            return Exclusion("task", "an encoder-only model: it cannot generate text", "2.2")
        if v.flavour == "base" and not r.fine_tune:
            return Exclusion(
                "task",
                "a base model: without instruction tuning it needs tedious prompt engineering "
                "(pass --fine-tune if you will tune it)",
                "2.2",
            )
        return None
    if task in ("classification", "extraction"):
        if v.flavour == "embedding" and task == "extraction":
            return Exclusion("task", "an embedding model cannot extract spans of text", "2.16")
        if v.flavour == "base" and v.architecture == "decoder-only" and not r.fine_tune:
            return Exclusion(
                "task",
                "a decoder base model: not instruction-tuned, so it needs fine-tuning first "
                "(pass --fine-tune if you will tune it)",
                "2.2",
            )
        return None
    if task == "embedding":
        if v.flavour == "embedding" or v.architecture == "encoder-only":
            return None
        return Exclusion("task", "not an embedding or encoder model", "2.16")
    return None


def _language(v: Variant, r: Requirements, c: Catalog) -> Exclusion | None:
    # an empty list means the catalog's sources do not say: not grounds to exclude
    if r.language and v.languages and r.language not in v.languages and "mul" not in v.languages:
        return Exclusion(
            "language", f"the catalog does not list {r.language!r} among its languages", "2.16"
        )
    return None


def _needs(v: Variant, r: Requirements, c: Catalog) -> Exclusion | None:
    missing: list[str] = []
    for need in r.needs:
        if need == "structured-output":
            # open weights can always be constrained to a schema at decoding time (§8)
            if "structured-output" not in v.capabilities and not (
                v.open_weights and v.architecture != "encoder-only" and v.flavour != "embedding"
            ):
                missing.append(need)
        elif need == "vision":
            if "vision" not in v.capabilities and "image" not in v.modalities:
                missing.append(need)
        elif need not in v.capabilities:
            missing.append(need)
    if missing:
        guide = "8" if missing == ["structured-output"] else "7"
        return Exclusion("needs", f"the catalog does not show {', '.join(missing)} support", guide)
    return None


def _max_price(v: Variant, r: Requirements, c: Catalog) -> Exclusion | None:
    if r.max_price is None:
        return None
    price = blended_price(v)
    if price is None:
        if v.open_weights:
            return None  # self-hosted: no per-token price
        return Exclusion("max_price", "API price not in the catalog", "5.3")
    if price > r.max_price:
        return Exclusion(
            "max_price",
            f"about ${price:.2f} per 1M tokens (3:1 blend), over ${r.max_price:g}",
            "5.3",
        )
    return None


def _fine_tune(v: Variant, r: Requirements, c: Catalog) -> Exclusion | None:
    if r.fine_tune and not v.open_weights:
        return Exclusion("fine_tune", "you cannot fine-tune it yourself: no weights", "2.4")
    return None


CHECKS: tuple[tuple[str, Check], ...] = (
    ("status", _status),
    ("access", _access),
    ("hosting", _hosting),
    ("platform", _platform),
    ("commercial", _commercial),
    ("license", _license),
    ("task", _task),
    ("flavour", _flavour),
    ("max_params", _max_params),
    ("min_context", _min_context),
    ("gpu_memory", _gpu),
    ("language", _language),
    ("needs", _needs),
    ("max_price", _max_price),
    ("fine_tune", _fine_tune),
)


_ALWAYS = ("status", "task")


def active_checks(r: Requirements) -> tuple[Check, ...]:
    """The checks that can fail under ``r`` (the others would return None for every model)."""
    given = {
        "access": r.access != "any",
        "hosting": r.hosting != "any",
        "platform": r.platform is not None,
        "commercial": r.commercial,
        "license": bool(r.license),
        "flavour": r.flavour is not None,
        "max_params": r.max_params is not None,
        "min_context": r.min_context is not None,
        "gpu_memory": r.gpu_memory is not None,
        "language": r.language is not None,
        "needs": bool(r.needs),
        "max_price": r.max_price is not None,
        "fine_tune": r.fine_tune,
    }
    return tuple(fn for name, fn in CHECKS if name in _ALWAYS or given[name])


def check(
    v: Variant, r: Requirements, c: Catalog, checks: tuple[Check, ...] | None = None
) -> list[Exclusion]:
    """Every hard constraint ``v`` fails (all of them, so counts and relaxations are exact)."""
    found = []
    for fn in checks if checks is not None else active_checks(r):
        ex = fn(v, r, c)
        if ex is not None:
            found.append(ex)
    return found


# --- soft scoring ----------------------------------------------------------------


@dataclass(slots=True, eq=False, repr=False)
class _Context:
    today: dt.date
    percentiles: dict[tuple[str, str], float]  # (variant id, benchmark) -> 0..1
    checks: tuple[Check, ...] = ()


def _evidence_percentiles(variants: Iterable[Variant]) -> dict[tuple[str, str], float]:
    by_bench: dict[str, list[tuple[float, str]]] = {}
    for v in variants:
        for e in v.evidence:
            by_bench.setdefault(e.benchmark, []).append((e.score, v.id))
    out: dict[tuple[str, str], float] = {}
    for bench, rows in by_bench.items():
        if len(rows) < 3:
            continue  # too few results to compare
        scores = sorted(s for s, _ in rows)
        n = len(scores)
        for s, vid in rows:
            below = bisect.bisect_left(scores, s)
            equal = bisect.bisect_right(scores, s) - below
            out[(vid, bench)] = (below + 0.5 * equal) / n
    return out


def _tuning_reason(v: Variant) -> Reason | None:
    t = set(v.tuning)
    if "rlaif" in t:
        return Reason("aligned with AI feedback against a written constitution (RLAIF)", "2.11")
    if "rlhf" in t:
        return Reason("aligned with reinforcement learning from human feedback (RLHF)", "2.10")
    if "safety" in t:
        return Reason("alignment-tuned on safety data", "2.9")
    return None


Text = str | Callable[[], str]


def _score(
    v: Variant,
    r: Requirements,
    c: Catalog,
    ctx: _Context,
    est: Estimate | None,
    explain: bool = True,
) -> tuple[float, list[Reason], list[Reason]]:
    """The score of ``v`` (50 plus every factor's weight, clipped to 0-100) and, when
    ``explain``, the reasons and caveats. Without ``explain`` no text is built: the
    engine scores every passing model that way and explains only the ones it shows."""
    reasons: list[Reason] = []
    caveats: list[Reason] = []
    total = 50.0

    def add(text: Text, guide: str, weight: float) -> None:
        nonlocal total
        total += weight
        if explain:
            reasons.append(Reason(text if isinstance(text, str) else text(), guide, weight))

    def warn(text: Text, guide: str) -> None:
        if explain:
            caveats.append(Reason(text if isinstance(text, str) else text(), guide))

    def note(text: Text, guide: str) -> None:
        if explain:
            reasons.append(Reason(text if isinstance(text, str) else text(), guide, 0))

    task = r.task
    fl = v.flavour
    tuning = set(v.tuning)
    lic: License = c.licenses[v.license]

    # task and flavour fit
    if task == "chat":
        if fl == "chat":
            add("a chat model, tuned for multi-turn dialogue", "2.14", 15)
        elif fl == "instruct":
            add("instruction-tuned: follows instructions and can chat with a template", "2.6", 8)
    elif task in GENERATIVE:
        if fl == "instruct":
            add("instruction-tuned: follows single instructions well", "2.6", 12)
        elif fl == "chat":
            add("a chat model: instruction-tuned, also handles single requests", "2.14", 10)
        if task in ("summarization", "translation") and v.architecture == "encoder-decoder":
            add("encoder-decoder: built for input-to-output tasks like this", "2.7", 8)
    elif task == "classification":
        if "flan" in tuning:
            add("instruction-tuned on the FLAN collection of tasks", "2.7", 8)
            add(
                "FLAN's tasks include classification prompts like the guide's review-sentiment "
                "example, so it classifies zero-shot, with no labelled data",
                "2.8",
                10,
            )
        elif v.architecture == "encoder-only" and fl == "base":
            add(
                "an encoder: small, fast and accurate for classification once fine-tuned", "2.2", 12
            )
            warn("needs fine-tuning on labelled examples before it can classify", "2.4")
        elif fl in ("instruct", "chat"):
            add("can classify from a prompt with no training data", "2.6", 7)
        elif fl == "embedding":
            add("embeddings plus a simple classifier work for classification", "2.16", 4)
    elif task == "extraction":
        if "flan" in tuning:
            add("instruction-tuned on FLAN: extracts from a prompt", "2.7", 10)
        elif fl in ("instruct", "chat"):
            add("instruction-tuned: extracts fields from a prompt", "2.6", 10)
        elif v.architecture == "encoder-only":
            add("an encoder: fits token-level extraction (NER) once fine-tuned", "2.2", 8)
            warn("needs fine-tuning on labelled examples first", "2.4")
    elif task == "embedding":
        if fl == "embedding":
            add("trained to produce sentence embeddings", "2.16", 20)
        else:
            add("an encoder that can embed text with pooling", "2.2", 4)
            warn(
                "not trained for embeddings: expect weaker retrieval without contrastive tuning",
                "2.16",
            )
    if task == "reasoning" or "reasoning" in r.needs:
        if "reasoning" in v.capabilities:
            add("has a reasoning (thinking) mode", "2.12", 10)
        if "flan" in tuning and "rl-reasoning" not in tuning:
            add("FLAN-only instruction tuning weakens chain-of-thought reasoning", "2.12", -10)
            warn(
                "FLAN tuning can cost chain-of-thought ability unless CoT data was included", "2.12"
            )
    elif "flan" in tuning and task in ("qa", "instruct", None):
        warn("FLAN instruction tuning can weaken step-by-step reasoning", "2.12")

    # fine-tuning and alignment intent
    if r.fine_tune:
        if fl == "base":
            add("a base model: the clean starting point for your own fine-tuning", "2.4", 18)
        elif fl in ("instruct", "chat"):
            warn("already instruction-tuned: your fine-tuning builds on its existing tuning", "2.4")
    if r.alignment == "own-values":
        if fl == "base":
            add("not yet aligned: you can align it to your organisation's own values", "2.13", 15)
        elif tuning & {"rlhf", "rlaif", "safety"}:
            add("already aligned to its maker's values, which may not be yours", "2.13", -8)
            warn(
                "its alignment reflects its maker's values; check they match your organisation's",
                "2.13",
            )
    elif r.alignment == "safety":
        tr = _tuning_reason(v)
        if tr is not None:
            add(tr.text, tr.guide, 12)
        elif fl == "base":
            add("a base model: not aligned, can produce harmful output", "2.9", -12)
            warn("unaligned base model: add your own safety tuning or filters", "2.9")
        elif "undisclosed" in tuning:
            warn("its maker does not document how it was aligned", "2.9")
    elif explain and fl in ("chat", "instruct") and (tr := _tuning_reason(v)) is not None:
        note(tr.text, tr.guide)

    # domain
    if r.domain and r.domain != "general":
        if v.domain == r.domain:
            add(f"adapted to the {r.domain} domain", "2.16", 15)
        elif v.domain == "general":
            warn(f"a general model, not adapted to {r.domain}; consider domain fine-tuning", "2.16")
        else:
            add(f"adapted to {v.domain}, not {r.domain}", "2.16", -10)
    elif task == "code":
        if v.domain == "code":
            add("adapted to code", "2.16", 18)
        if "fill-in-the-middle" in v.capabilities:
            add("supports fill-in-the-middle, for code completion", "2.16", 4)
    elif v.domain == "dialogue" and task not in ("chat", None):
        add("tuned for open-ended conversation, not for following instructions", "2.14", -10)
    elif v.domain not in ("general", "dialogue"):
        add(f"adapted to {v.domain}: less suited to general work", "2.16", -12)
    if "task-finetune" in tuning:
        add("fine-tuned for one specific task", "2.16", -8)
        warn("fine-tuned for one task: check that task is yours", "2.16")

    # evidence of quality and currency (never size alone)
    if v.released is not None:
        # newer generations of generative models are markedly stronger; encoders (and
        # encoder-decoders) used for classification, extraction and embeddings age slowly
        aging = task in GENERATIVE or v.architecture == "decoder-only"
        scale = 1.0 if aging else 0.4
        age = (ctx.today - v.released).days / 365.25
        if age <= 1:
            add(lambda: f"a current generation (released {v.released:%b %Y})", "4.2", 10 * scale)
        elif age <= 2:
            add(lambda: f"a recent generation (released {v.released:%b %Y})", "4.2", 6 * scale)
        elif age <= 3:
            add(lambda: f"released {v.released:%b %Y}", "4.2", 2 * scale)
        elif age > 4 and aging:
            add(
                f"an older generation (released {v.released:%Y}); newer models are generally "
                "stronger",
                "4.2",
                -4,
            )
    pcts = [
        (e.benchmark, ctx.percentiles[(v.id, e.benchmark)])
        for e in v.evidence
        if (v.id, e.benchmark) in ctx.percentiles
    ]
    if pcts:
        mean = sum(p for _, p in pcts) / len(pcts)
        best = max(pcts, key=lambda bp: bp[1])
        weight = round(14 * mean - 7, 1)
        add(
            lambda: (
                f"published results: {best[0]} in the top "
                f"{max(1, round(100 * (1 - best[1])))}% of catalogued models"
            ),
            "4.2",
            weight,
        )
    if v.params_b is not None and v.params_b >= 1:
        weight = round(min(6.0, 2 * math.log2(v.params_b)), 1)
        add(
            lambda: (
                f"{_params(v.params_b or 0)} parameters"
                + (f" ({_params(v.active_params_b)} active)" if v.active_params_b else "")
            ),
            "2.1",
            weight,
        )
    elif v.params_b is not None:
        # below 1B, capacity falls off quickly: a 780M model beats a 135M one
        weight = round(max(-6.0, 2 * math.log2(v.params_b)), 1)
        add(
            lambda: f"small ({_params(v.params_b or 0)} parameters): cheap and fast, less capable",
            "2.1",
            weight,
        )
    if (
        v.open_weights
        and v.params_b is not None
        and r.gpu_memory is None
        and (r.fine_tune or r.access == "open" or r.hosting == "self")
    ):
        if v.params_b > 100:
            add(f"{_params(v.params_b)} parameters: needs a multi-GPU server to run", "2.1", -8)
            if r.fine_tune:
                warn("fine-tuning a model this size needs a GPU cluster", "2.4")
        elif r.fine_tune and v.params_b > 40:
            add("large to fine-tune: needs several data-centre GPUs", "2.4", -4)

    # fit to the hardware
    if est is not None:
        bonus = {"fp16": 4, "int8": 2, "int4": 0}[est.quantization]
        fit = est
        add(
            lambda: (
                f"fits your {r.gpu_memory:g} GB GPU at {fit.quantization}: about "
                f"{round(fit.total_gb, 2):.1f} GB with {_ctx(fit.context)} tokens of context"
            ),
            "2.1",
            bonus,
        )
        if est.quantization == "int4":
            warn("runs only 4-bit quantized on this GPU: expect a small loss of quality", "2.1")

    # hard requirements that passed, stated so the pick is explained
    if r.min_context and v.context_window:
        note(
            lambda: (
                f"context window {_ctx(v.context_window or 0)} tokens covers your "
                f"{_ctx(r.min_context or 0)}"
            ),
            "2.15",
        )
        if v.context_window < 1.1 * r.min_context:
            warn("your documents fill nearly all of its context window", "2.15")
    if r.platform and r.platform in v.access.platforms:
        plat = r.platform
        note(lambda: f"offered on {PLATFORM_NAMES[plat]} as {v.access.platforms[plat]}", "1.2")
    if r.access == "open" or r.hosting == "self" or r.fine_tune:
        note(lambda: f"open weights ({v.access.hf_repo or 'downloadable'})", "3")
    elif r.access == "proprietary":
        note(lambda: f"a proprietary model served by {c.providers[v.provider].name}", "1.2")
    if r.language and not v.languages:
        warn(
            f"its languages are not stated in the catalog: check how it handles {r.language!r}",
            "4.2",
        )
    for need in r.needs:
        if need == "structured-output" and "structured-output" not in v.capabilities:
            warn("no native JSON mode: constrain decoding to your schema instead", "8")

    # licence, lifecycle
    if lic.commercial_use == "conditional":
        warn(f"licence {lic.id}: {lic.condition}", "3")
    elif lic.commercial_use == "no":
        warn(f"licence {lic.id} forbids commercial use: {lic.condition}", "3")
    elif r.commercial:
        note(lambda: f"licence {lic.id} allows commercial use", "3")
    if v.status != "active":
        penalty = {"legacy": -15, "deprecated": -25, "retired": -40}[v.status]
        succ = f" by {v.successor}" if v.successor else ""
        what = {
            "legacy": f"superseded{succ}, though still available",
            "deprecated": f"deprecated: shutdown announced; replaced{succ}",
            "retired": f"retired: no longer served; replaced{succ}",
        }[v.status]
        add(what, "4.1", penalty)
        warn(what, "4.1")
    if "preview" in v.name.lower() or (v.notes is not None and "preview" in v.notes.lower()):
        warn("a preview release: it may change or be withdrawn", "4.1")
    if fl == "base" and task not in ("classification", "extraction", "embedding"):
        warn("a base model: unhelpful until you tune it, and unaligned", "2.2")
    return round(max(0.0, min(100.0, total)), 1), reasons, caveats


# --- deduplication ---------------------------------------------------------------

_DATED = re.compile(r"[-_@]?(20\d{2}-?\d{2}-?\d{2}|\d{4}-\d{2}-\d{2}|v\d+:\d+|latest)$")


def identity(v: Variant) -> tuple[object, ...]:
    """Two variants with the same identity are the same model (a snapshot or a repack)."""
    if v.access.hf_repo:
        return ("hf", v.access.hf_repo.lower())
    name = _DATED.sub("", (v.access.api or v.name).lower())
    return ("api", v.provider, name)


# --- the recommendation ----------------------------------------------------------


def evaluate(
    v: Variant,
    r: Requirements,
    c: Catalog,
    ctx: _Context | None = None,
    *,
    full: bool = True,
    explain: bool = True,
) -> Verdict:
    """The verdict for one variant: its exclusions, and (if it passes, or ``full``) its
    score, with the reasons spelled out when ``explain``."""
    ctx = ctx or _make_context(c, r)
    verdict = Verdict(v, exclusions=check(v, r, c, ctx.checks))
    if verdict.exclusions and not full:
        return verdict
    est = None
    if v.open_weights and v.params_b is not None:
        if r.gpu_memory is not None:
            est = best_fit(v, r.gpu_memory, r.quantization, working_context(v, r.min_context))[0]
        elif r.quantization != "auto":
            est = estimate(v, r.quantization, working_context(v, r.min_context))
    verdict.estimate = est
    verdict.domain_fit = (bool(r.domain) and r.domain != "general" and v.domain == r.domain) or (
        r.task == "code" and v.domain == "code"
    )
    verdict.score, verdict.reasons, verdict.caveats = _score(
        v, r, c, ctx, est if r.gpu_memory is not None else None, explain
    )
    return verdict


def _explain(verdict: Verdict, r: Requirements, c: Catalog, ctx: _Context) -> None:
    """Fill in the reasons and caveats of a verdict scored without them."""
    est = verdict.estimate if r.gpu_memory is not None else None
    _, verdict.reasons, verdict.caveats = _score(verdict.variant, r, c, ctx, est, True)


def _make_context(c: Catalog, r: Requirements) -> _Context:
    today = c.newest_verified or dt.date(2026, 1, 1)
    return _Context(today, _evidence_percentiles(c.variants.values()), active_checks(r))


def _current(v: Verdict) -> bool:
    """Current models come first. A legacy model competes with them on score only when it
    is adapted to the domain the job asks for (a code model for code), where a newer
    general model is not the better pick."""
    if v.variant.status == "active":
        return True
    return v.variant.status == "legacy" and v.domain_fit


def _sort_key(v: Verdict) -> tuple[bool, float, int, str]:
    # among equal scores, the newer release first; the id makes the order total
    released = v.variant.released.toordinal() if v.variant.released else 0
    return (not _current(v), -v.score, -released, v.variant.id)


def _rank(passing: list[Verdict]) -> list[Verdict]:
    """Best first; one place per model; variety near the top (a few per family and maker)."""
    seen: dict[tuple[object, ...], str] = {}
    unique: list[Verdict] = []
    for v in sorted(passing, key=_sort_key):
        key = identity(v.variant)
        if key in seen:
            v.duplicate_of = seen[key]
            continue
        seen[key] = v.variant.id
        unique.append(v)
    head: list[Verdict] = []
    tail: list[Verdict] = []
    per_family: dict[str, int] = {}
    per_provider: dict[str, int] = {}
    for v in unique:
        fam, prov = v.variant.family, v.variant.provider
        if per_family.get(fam, 0) < MAX_PER_FAMILY and per_provider.get(prov, 0) < MAX_PER_PROVIDER:
            head.append(v)
            per_family[fam] = per_family.get(fam, 0) + 1
            per_provider[prov] = per_provider.get(prov, 0) + 1
        else:
            tail.append(v)
    return head + sorted(tail, key=_sort_key)


def recommend(
    c: Catalog, r: Requirements, top: int = 5, explain: tuple[str, ...] = ()
) -> Recommendation:
    """Filter, score, rank and explain the catalog for ``r``.

    Excluded models are scored too only when named in ``explain`` (for `why`).
    """
    ctx = _make_context(c, r)
    named = set(explain)
    verdicts = {
        vid: evaluate(v, r, c, ctx, full=vid in named, explain=vid in named)
        for vid, v in sorted(c.variants.items())
    }
    passing = [v for v in verdicts.values() if v.passed]
    ranked = _rank(passing)
    for verdict in ranked[:top]:  # scored without text; spell out what is shown
        if verdict.variant.id not in named:
            _explain(verdict, r, c, ctx)
    counts: dict[str, int] = {}
    for v in verdicts.values():
        for name in dict.fromkeys(e.constraint for e in v.exclusions):
            counts[name] = counts.get(name, 0) + 1
    relaxations: list[Relaxation] = []
    blocking: list[tuple[str, int]] = []
    if not ranked:
        blocking = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        relaxations = _relaxations(list(verdicts.values()), r)
    return Recommendation(
        requirements=r,
        candidates=ranked[:top],
        ranked=ranked,
        verdicts=verdicts,
        excluded_counts=dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        relaxations=relaxations,
        blocking=blocking,
    )


def _relaxations(verdicts: list[Verdict], r: Requirements) -> list[Relaxation]:
    """Changes that would return models: each single constraint that suffices, then pairs
    of the most restrictive constraints, with the smallest values that work."""
    failing = [(v, frozenset(e.constraint for e in v.exclusions)) for v in verdicts]
    counts: dict[str, int] = {}
    for _, fs in failing:
        for name in fs:
            counts[name] = counts.get(name, 0) + 1
    names = sorted(counts, key=lambda n: (-counts[n], n))
    out: list[Relaxation] = []
    for combo in [(n,) for n in names] + list(itertools.combinations(names[:4], 2)):
        allowed = frozenset(combo)
        hits = [v for v, fs in failing if fs and fs <= allowed]
        if hits:
            text, returns = _suggest(combo, hits, r)
            out.append(Relaxation(combo, text, returns))
    singles = [x for x in out if len(x.constraints) == 1]
    single_returns = {x.constraints[0]: x.returns for x in singles}
    # a pair is worth suggesting if it returns more than either half alone, or if it
    # eases two limits a little rather than one a lot (--gpu-memory 7 and --min-context
    # 250k, rather than --gpu-memory 267)
    numeric = {"gpu_memory", "min_context", "max_params", "max_price"}
    pairs = [
        x
        for x in out
        if len(x.constraints) == 2
        and (
            x.returns > max(single_returns.get(n, 0) for n in x.constraints)
            or set(x.constraints) <= numeric
        )
    ]
    singles.sort(key=lambda x: (-x.returns, x.constraints))
    pairs.sort(key=lambda x: (-x.returns, x.constraints))
    return (singles + pairs)[:6]


def _needs_of(v: Variant, combo: tuple[str, ...], r: Requirements) -> dict[str, float] | None:
    """The value each relaxed numeric constraint would need for ``v`` to pass."""
    need: dict[str, float] = {}
    if "min_context" in combo and r.min_context is not None:
        if not v.context_window:
            return None
        need["min_context"] = v.context_window
    if "max_params" in combo and r.max_params is not None:
        if v.params_b is None:
            return None
        need["max_params"] = v.params_b
    if "max_price" in combo and r.max_price is not None:
        price = blended_price(v)
        if price is None:
            return None
        need["max_price"] = price
    if "gpu_memory" in combo and r.gpu_memory is not None:
        ctx = working_context(v, r.min_context)
        if "min_context" in combo and v.context_window:
            ctx = min(ctx, v.context_window)
        e = _smallest_estimate(v, r, ctx)
        if e is None:
            return None
        need["gpu_memory"] = e.total_gb
    return need


def _strain(need: dict[str, float], r: Requirements) -> float:
    """How far a set of relaxed values moves from what was asked (ratios, summed)."""
    total = 0.0
    for name, value in need.items():
        asked = getattr(r, name)
        if name == "min_context":
            total += asked / value
        else:
            total += value / asked if asked else value
    return total


def _suggest(combo: tuple[str, ...], hits: list[Verdict], r: Requirements) -> tuple[str, int]:
    """The smallest change for these constraints, and how many models it returns."""
    scored = [(n, v) for v in hits if (n := _needs_of(v.variant, combo, r)) is not None]
    chosen: dict[str, float] = {}
    returns = len(hits)
    if scored and any(scored[0][0].values()):
        chosen = min(scored, key=lambda nv: (_strain(nv[0], r), nv[1].variant.id))[0]
        returns = sum(
            1
            for n, _ in scored
            if all(
                (n[k] >= chosen[k]) if k == "min_context" else (n[k] <= chosen[k] + 1e-9)
                for k in chosen
            )
        )
    parts = []
    for name in combo:
        if name in chosen:
            value = chosen[name]
            text = {
                "gpu_memory": f"--gpu-memory {math.ceil(value)}",
                "min_context": f"--min-context {_ctx(int(value))}",
                "max_params": f"--max-params {value:g}B",
                "max_price": f"--max-price {math.ceil(value * 100) / 100:g}",
            }[name]
            parts.append(text)
        elif name == "status":
            parts.append("--include-legacy")
        elif name == "task":
            parts.append("another --task (or --fine-tune)")
        else:
            parts.append(f"drop --{name.replace('_', '-')}")
    return " and ".join(parts), returns


def _smallest_estimate(v: Variant, r: Requirements, context: int) -> Estimate | None:
    quantization = "int4" if r.quantization == "auto" else r.quantization
    return estimate(v, quantization, context)


# --- what each guide section justifies (shown by `llmpick guide ID`) ---------------

RULES: tuple[tuple[str, str], ...] = (
    ("1.2", "--platform keeps models offered on that cloud; --access proprietary keeps API models"),
    (
        "2.1",
        "--max-params caps the size; --gpu-memory keeps models whose weights, KV cache and "
        "overhead fit at fp16, int8 or int4; size adds a little to the score, capped",
    ),
    (
        "2.2",
        "base and encoder-only models are left out of generative tasks unless you "
        "--fine-tune; encoders score well for classification and extraction",
    ),
    ("2.4", "--fine-tune favours base models and needs open weights"),
    ("2.6", "instruct models score well for single-request tasks"),
    ("2.7", "FLAN-tuned models score well for classification and extraction"),
    ("2.8", "FLAN-tuned models classify zero-shot, like the guide's sentiment example"),
    ("2.9", "--alignment safety favours safety-tuned models and warns about base models"),
    ("2.10", "--alignment safety favours RLHF-tuned models"),
    ("2.11", "--alignment safety favours RLAIF (constitutional AI) models"),
    ("2.12", "reasoning work is warned off FLAN-only tuning and favours reasoning modes"),
    (
        "2.13",
        "--alignment own-values favours unaligned base models and warns about vendor-aligned ones",
    ),
    ("2.14", "chat tasks favour chat-tuned models"),
    ("2.15", "--min-context keeps models whose context window is long enough"),
    (
        "2.16",
        "--domain favours models adapted to it; embedding models serve embedding tasks; "
        "guard models and single-task fine-tunes are kept out of general work",
    ),
    (
        "3",
        "--commercial and --license filter on the licence; conditional licences pass with "
        "their condition as a caveat",
    ),
    (
        "4.1",
        "retired and deprecated models are left out unless --include-legacy; legacy ones "
        "lose 15 points and rank after current ones unless adapted to your domain; "
        "--access open and --hosting self need open weights",
    ),
    ("4.2", "published benchmark results and recency move the score"),
    ("5.3", "--hosting api needs a provider or cloud API; --max-price filters on API price"),
    ("7", "--needs tools / vision keep models with those capabilities"),
    (
        "8",
        "--needs structured-output keeps models with a JSON mode or open weights that can "
        "be constrained at decoding time",
    ),
)
