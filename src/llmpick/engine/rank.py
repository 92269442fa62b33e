"""The recommendation engine: hard constraints, then soft scoring, then explanations.

Pure functions over a ``Catalog`` and ``Requirements``: no I/O, no presentation.
Every hard constraint that drops a model returns an ``Exclusion``; a constraint that
cannot be checked for a model (an unknown price, context or capability) excludes it
as unknown rather than letting it pass. Scoring is the table of rules in
``scoring.py``. Each exclusion and reason carries a guide section id (the table in
DESIGN.md; ``llmpick guide ID`` shows the section).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from llmpick.catalog.records import Catalog, Variant
from llmpick.engine import evidence
from llmpick.engine.memory import Estimate, best_fit, estimate, working_context
from llmpick.engine.requirements import Requirements
from llmpick.engine.scoring import (
    GENERATIVE,
    PREFERENCE_MARGIN,
    PREFERENCES,
    Context,
    Reason,
    blended_price,
    fitness,
    guide_citations,
    score,
)
from llmpick.units import format_params, format_tokens
from llmpick.vocabulary import PLATFORM_NAMES

__all__ = [
    "GENERATIVE",
    "Exclusion",
    "Reason",
    "Recommendation",
    "Relaxation",
    "Verdict",
    "blended_price",
    "check",
    "evaluate",
    "identity",
    "recommend",
]

MAX_PER_FAMILY = 2  # per model line near the top of the ranking, for real alternatives
MAX_PER_PROVIDER = 3


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
    """One change to the requirements that would return models, counted by re-running."""

    constraints: tuple[str, ...]
    suggestion: str
    returns: int
    top: list[str] = field(default_factory=list)  # the first models it would return


@dataclass(slots=True, eq=False, repr=False)
class Recommendation:
    requirements: Requirements
    candidates: list[Verdict]
    ranked: list[Verdict]  # every passing model, ranked, duplicates removed
    verdicts: dict[str, Verdict]
    excluded_counts: dict[str, int]
    relaxations: list[Relaxation]
    blocking: list[tuple[str, int]]  # constraints that removed the most, when empty
    benchmarks: tuple[str, ...] = ()  # the published results that measure this job

    def rank_of(self, variant_id: str) -> int | None:
        for i, v in enumerate(self.ranked, 1):
            if v.variant.id == variant_id:
                return i
        return None


def _served_by_api(v: Variant) -> bool:
    return bool(v.access.api or v.access.platforms) and v.api_status != "retired"


def _is_safety_classifier(v: Variant) -> bool:
    return v.domain == "safety"


# --- hard constraints --------------------------------------------------------------

Check = Callable[[Variant, Requirements, Catalog], Exclusion | None]


def _status(v: Variant, r: Requirements, c: Catalog) -> Exclusion | None:
    # legacy models are still available: they stay in, ranked lower with a caveat. For
    # open weights the status is the weights'; the API has its own (api_status).
    status = v.status
    if v.open_weights and v.api_status is not None and r.hosting == "api":
        status = v.api_status
    if status in ("active", "legacy") or r.include_legacy:
        return None
    from llmpick.catalog.query import current_successor

    now = current_successor(c, v.successor)
    succ = f"; replaced by {now}" if now else ""
    what = {
        "deprecated": "deprecated: its shutdown is announced",
        "retired": "retired: no longer served",
    }[status]
    if status != v.status:
        what = f"its maker's API is {what.split(':')[0]}"
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
    if r.hosting == "api" and not _served_by_api(v):
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
        return Exclusion("max_params", "unknown: parameter count not published", "2.1")
    if v.params_b > r.max_params:
        return Exclusion(
            "max_params",
            f"{format_params(v.params_b)} parameters, over {format_params(r.max_params)}",
            "2.1",
        )
    return None


def _min_context(v: Variant, r: Requirements, c: Catalog) -> Exclusion | None:
    if r.min_context is None:
        return None
    if v.context_window is None:
        return Exclusion("min_context", "unknown: context window not published", "2.15")
    if v.context_window < r.min_context:
        return Exclusion(
            "min_context",
            f"context window {format_tokens(v.context_window)} tokens, "
            f"under {format_tokens(r.min_context)}",
            "2.15",
        )
    return None


def gpu_fit(v: Variant, r: Requirements) -> tuple[Estimate | None, Estimate | None]:
    """(the best estimate that fits the GPU budget, the smallest tried) for self-hosting."""
    if r.gpu_memory is None or not v.open_weights:
        return None, None
    return best_fit(v, r.gpu_memory, r.quantization, working_context(v, r.min_context))


def _gpu(v: Variant, r: Requirements, c: Catalog) -> Exclusion | None:
    # a GPU budget constrains self-hosting only: with --hosting any (or api), a model an
    # API serves stays, marked as not needing your GPU
    if r.gpu_memory is None:
        return None
    api_ok = r.hosting != "self" and _served_by_api(v)
    if not v.open_weights:
        if api_ok:
            return None
        return Exclusion("gpu_memory", "API only: it cannot run on your GPU", "4.1")
    if v.params_b is None:
        if api_ok:
            return None
        return Exclusion(
            "gpu_memory", "unknown: parameter count not published, so it cannot be sized", "2.1"
        )
    fit, smallest = gpu_fit(v, r)
    if fit is not None or api_ok:
        return None
    if smallest is None:  # unreachable with a parameter count; kept for safety
        return Exclusion("gpu_memory", "unknown: its memory cannot be estimated", "2.1")
    how = f"at {smallest.quantization}" if not smallest.native else "in its published format"
    est = " (estimated from its size)" if smallest.estimated else ""
    return Exclusion(
        "gpu_memory",
        f"needs about {smallest.total_gb:.1f} GB{est} even {how} with "
        f"{format_tokens(smallest.context)} tokens of context, over {r.gpu_memory:g} GB",
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
        classifier = "task-finetune" in v.tuning and v.architecture != "decoder-only"
        if classifier and not (v.domain == "translation" and task == "translation"):
            return Exclusion("task", "a classifier fine-tuned for one labelled task", "2.16")
        if v.flavour == "base" and not r.fine_tune and v.domain != "translation":
            return Exclusion(
                "task",
                "a base model: without instruction tuning it needs tedious prompt engineering "
                "(pass --fine-tune if you will tune it)",
                "2.2",
            )
        if v.domain == "translation" and task not in ("translation", None):
            return Exclusion("task", "a translation model: it only translates", "2.16")
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
        if v.domain == "translation":
            return Exclusion("task", "a translation model: it only translates", "2.16")
        return None
    if task == "embedding":
        if v.flavour == "embedding" or (
            v.architecture == "encoder-only" and "task-finetune" not in v.tuning
        ):
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
            # open weights you run yourself can be constrained to a schema at decoding time
            # (§8); an API gives JSON only if its provider documents a JSON mode
            self_hosted = v.open_weights and r.hosting != "api"
            generative = v.architecture != "encoder-only" and v.flavour != "embedding"
            if "structured-output" not in v.capabilities and not (self_hosted and generative):
                missing.append(need)
        elif need == "vision":
            if "vision" not in v.capabilities and "image" not in v.modalities:
                missing.append(need)
        elif need not in v.capabilities:
            missing.append(need)
    if missing:
        guide = "8" if missing == ["structured-output"] else "7"
        return Exclusion(
            "needs", f"{', '.join(missing)} support unknown or absent in the catalog", guide
        )
    return None


def _max_price(v: Variant, r: Requirements, c: Catalog) -> Exclusion | None:
    if r.max_price is None:
        return None
    if v.open_weights and r.hosting != "api":
        return None  # self-hosted: no per-token price (said so in the answer)
    price = blended_price(v)
    if price is None:
        return Exclusion("max_price", "unknown: no API price in the catalog", "5.3")
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
# what each guide section justifies among the hard constraints (shown by `llmpick guide ID`)
CHECK_CITATIONS: tuple[tuple[str, str], ...] = (
    ("1.2", "--platform keeps models offered on that cloud; --access proprietary keeps API models"),
    (
        "2.1",
        "--max-params caps the size; --gpu-memory keeps models whose weights, KV cache and "
        "overhead fit at fp16, int8 or int4 when you host them yourself",
    ),
    (
        "2.2",
        "base and encoder-only models are left out of generative tasks unless you --fine-tune",
    ),
    ("2.4", "--fine-tune needs open weights"),
    ("2.15", "--min-context keeps models whose context window is long enough"),
    ("2.16", "guard models, classifiers and translation models are kept to their own tasks"),
    (
        "3",
        "--commercial and --license filter on the licence; conditional licences pass with "
        "their condition as a caveat",
    ),
    (
        "4.1",
        "retired and deprecated models are left out unless --include-legacy; --access open and "
        "--hosting self need open weights; an API shutdown leaves open weights available",
    ),
    ("5.3", "--hosting api needs a provider or cloud API; --max-price filters on API price"),
    ("7", "--needs tools / vision keep models with those capabilities"),
    (
        "8",
        "--needs structured-output keeps models with a JSON mode, or open weights you host "
        "and constrain at decoding time",
    ),
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


# --- deduplication ---------------------------------------------------------------

_DATED = re.compile(r"[-_@]?(20\d{2}-?\d{2}-?\d{2}|\d{4}-\d{2}-\d{2}|v\d+:\d+|latest)$")


def identity(v: Variant) -> tuple[object, ...]:
    """Two variants with the same identity are the same model (a snapshot or a repack)."""
    if v.access.hf_repo:
        return ("hf", v.access.hf_repo.lower())
    name = _DATED.sub("", (v.access.api or v.name).lower())
    return ("api", v.provider, name)


# --- the recommendation ----------------------------------------------------------


_STANDINGS: dict[int, tuple[Catalog, dict[tuple[str, str], tuple[float, int]]]] = {}


def _standings(c: Catalog) -> dict[tuple[str, str], tuple[float, int]]:
    """Every model's standing on every benchmark, computed once per catalog."""
    hit = _STANDINGS.get(id(c))
    if hit is None or hit[0] is not c:
        _STANDINGS.clear()
        hit = (c, evidence.percentiles(c.variants.values()))
        _STANDINGS[id(c)] = hit
    return hit[1]


def _context(c: Catalog, r: Requirements) -> Context:
    today = c.newest_verified or dt.date(2026, 1, 1)
    benchmarks = evidence.relevant(
        r.task, language=r.language, min_context=r.min_context, domain=r.domain, needs=r.needs
    )
    return Context(c, today, _standings(c), benchmarks)


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


def _rank_costs(passing: list[Verdict], r: Requirements, ctx: Context) -> None:
    """Cost and speed ranks among the models that pass (API price, or GPU footprint)."""
    api: dict[str, float] = {}
    hosted: dict[str, float] = {}
    size: dict[str, float] = {}
    for verdict in passing:
        v = verdict.variant
        price = blended_price(v)
        est = verdict.estimate
        if v.open_weights and r.hosting != "api" and est is not None:
            hosted[v.id] = est.total_gb
        elif price is not None:
            api[v.id] = math.log(price + 0.01)
        active = v.active_params_b or v.params_b
        if active is not None:
            size[v.id] = active
    ctx.cost_rank = {**_percentile_ranks(api), **_percentile_ranks(hosted)}
    ctx.speed_rank = _percentile_ranks(size)


def evaluate(
    v: Variant, r: Requirements, c: Catalog, ctx: Context | None = None, *, full: bool = True
) -> Verdict:
    """The verdict for one variant: its exclusions, and (if it passes, or ``full``) its
    score with the reasons spelled out."""
    ctx = ctx or _context(c, r)
    verdict = Verdict(v, exclusions=check(v, r, c))
    if verdict.exclusions and not full:
        return verdict
    _fit(verdict, r, ctx)
    _score(verdict, r, ctx)
    return verdict


def _fit(verdict: Verdict, r: Requirements, ctx: Context) -> None:
    v = verdict.variant
    est = None
    if r.gpu_memory is not None:
        est = gpu_fit(v, r)[0]
    elif r.quantization != "auto" and v.open_weights:
        est = estimate(v, r.quantization, working_context(v, r.min_context))
    verdict.estimate = est
    if est is not None and r.gpu_memory is not None:
        ctx.estimates[v.id] = est
    verdict.domain_fit = (bool(r.domain) and r.domain != "general" and v.domain == r.domain) or (
        r.task == "code" and v.domain == "code"
    )


def _score(verdict: Verdict, r: Requirements, ctx: Context) -> None:
    verdict.score, verdict.reasons, verdict.caveats = score(verdict.variant, r, ctx)


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


_MINOR = re.compile(r"(\d+)\.\d+")


def line(c: Catalog, v: Variant) -> str:
    """A model line for variety: a family with its minor releases (GPT-6 and GPT-6.1,
    Claude 5 and 5.5, Qwen3.5 and 3.6 are one line; GPT-5 and GPT-6 are two)."""
    fam = c.families.get(v.family)
    name = fam.name if fam is not None else v.family
    return v.provider + ":" + _MINOR.sub(r"\1", name.lower())


def _rank(passing: list[Verdict], c: Catalog | None = None) -> list[Verdict]:
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
        fam = line(c, v.variant) if c is not None else v.variant.family
        prov = v.variant.provider
        if per_family.get(fam, 0) < MAX_PER_FAMILY and per_provider.get(prov, 0) < MAX_PER_PROVIDER:
            head.append(v)
            per_family[fam] = per_family.get(fam, 0) + 1
            per_provider[prov] = per_provider.get(prov, 0) + 1
        else:
            tail.append(v)
    return head + sorted(tail, key=_sort_key)


def recommend(
    c: Catalog,
    r: Requirements,
    top: int = 5,
    explain: tuple[str, ...] = (),
    *,
    relax: bool = True,
    only: frozenset[str] | None = None,
) -> Recommendation:
    """Filter, score, rank and explain the catalog for ``r``.

    Excluded models are scored too only when named in ``explain`` (for `why`). When
    nothing passes (and ``relax``), the answer carries the changes that would return
    models, each counted by running the engine again with that change. ``only`` limits
    the run to some models (a relaxation need only re-check those it could admit).
    """
    ctx = _context(c, r)
    named = set(explain)
    checks = active_checks(r)
    verdicts = {
        vid: Verdict(v, exclusions=check(v, r, c, checks))
        for vid, v in sorted(c.variants.items())
        if only is None or vid in only
    }
    passing = [v for v in verdicts.values() if v.passed]
    for verdict in passing:
        _fit(verdict, r, ctx)
    eligible = passing
    if r.prefer in PREFERENCES and passing:
        # cost and speed re-order the models fit for the job, compared among themselves
        fit = {v.variant.id: fitness(v.variant, r, ctx) for v in passing}
        floor = max(fit.values()) - PREFERENCE_MARGIN
        eligible = [v for v in passing if fit[v.variant.id] >= floor]
        ctx.preference_eligible = frozenset(v.variant.id for v in eligible)
    _rank_costs(eligible, r, ctx)
    for verdict in passing:
        _score(verdict, r, ctx)
    for vid in named:
        excluded = verdicts.get(vid)
        if excluded is not None and not excluded.passed:
            _fit(excluded, r, ctx)
            _score(excluded, r, ctx)
    ranked = _rank(passing, c)
    counts: dict[str, int] = {}
    for v in verdicts.values():
        for name in dict.fromkeys(e.constraint for e in v.exclusions):
            counts[name] = counts.get(name, 0) + 1
    relaxations: list[Relaxation] = []
    blocking: list[tuple[str, int]] = []
    if not ranked:
        blocking = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if relax:
            failing = {vid: {e.constraint for e in v.exclusions} for vid, v in verdicts.items()}
            relaxations = relaxations_for(c, r, failing)
    return Recommendation(
        requirements=r,
        candidates=ranked[:top],
        ranked=ranked,
        verdicts=verdicts,
        excluded_counts=dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        relaxations=relaxations,
        blocking=blocking,
        benchmarks=ctx.benchmarks,
    )


# --- relaxations: one change at a time, counted by running the engine again ---------

# real hardware: single cards up to 8-GPU servers (GB)
GPU_LADDER = (6, 8, 12, 16, 24, 32, 40, 48, 64, 80, 96, 141, 160, 192, 320, 640, 1128)
# token counts as people type them (64k is 64,000), so a suggestion re-runs as printed
CONTEXT_LADDER = (
    4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 200_000, 256_000, 400_000, 512_000,
    1_000_000, 2_000_000, 10_000_000,
)  # fmt: skip
PARAMS_LADDER = (0.5, 1, 2, 3, 4, 8, 14, 24, 32, 70, 120, 235, 405, 700, 1100)
PRICE_LADDER = (0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 15, 30, 60)


# which constraints a change of each requirement can lift
_LIFTS: dict[str, frozenset[str]] = {
    "gpu_memory": frozenset({"gpu_memory"}),
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


def relaxations_for(
    c: Catalog, r: Requirements, failing: dict[str, set[str]] | None = None
) -> list[Relaxation]:
    """The single changes (or a named pair) that return models, smallest change first.

    Each is counted by running the engine with the change, over the models it could
    admit (those that fail only constraints the change can lift)."""
    if failing is None:
        failing = {vid: {e.constraint for e in check(v, r, c)} for vid, v in c.variants.items()}

    def count(changes: dict[str, object]) -> tuple[int, list[str]]:
        lifts = frozenset().union(*(_LIFTS[k] for k in changes))
        only = frozenset(vid for vid, fails in failing.items() if fails and fails <= lifts)
        if not only:
            return 0, []
        rec = recommend(c, r.replace(**changes), top=3, relax=False, only=only)
        return len(rec.ranked), [v.variant.id for v in rec.candidates]

    tried: list[tuple[float, Relaxation]] = []

    def numeric(
        name: str, option: str, values: Sequence[float], fmt: Callable[[float], str]
    ) -> None:
        # the ladders are monotone (a bigger GPU never returns fewer models): bisect
        lo, hi, found = 0, len(values), None
        while lo < hi:
            mid = (lo + hi) // 2
            n, top = count({name: values[mid]})
            if n:
                found, hi = (values[mid], n, top), mid
            else:
                lo = mid + 1
        if found is not None:
            value, n, top = found
            asked = float(getattr(r, name))
            strain = abs(math.log(value / asked)) if asked else 1.0
            tried.append((strain, Relaxation((name,), f"{option} {fmt(value)}", n, top)))

    if r.gpu_memory is not None:
        numeric(
            "gpu_memory", "--gpu-memory", [g for g in GPU_LADDER if g > r.gpu_memory], _option_value
        )
    if r.min_context is not None:
        lower = [t for t in reversed(CONTEXT_LADDER) if t < r.min_context]
        numeric("min_context", "--min-context", lower, lambda t: format_tokens(int(t)))
    if r.max_params is not None:
        bigger = [p for p in PARAMS_LADDER if p > r.max_params]
        numeric("max_params", "--max-params", bigger, lambda p: format_params(p))
    if r.max_price is not None:
        numeric(
            "max_price", "--max-price", [p for p in PRICE_LADDER if p > r.max_price], _option_value
        )

    kinds: list[tuple[tuple[str, ...], str, dict[str, object], float]] = []
    if r.access == "open":
        if r.hosting == "self":
            kinds.append((("access", "hosting"), "--access any --hosting any (use an API)",
                          {"access": "any", "hosting": "any"}, 1.0))  # fmt: skip
        else:
            kinds.append((("access",), "--access any", {"access": "any"}, 1.0))
    elif r.hosting == "self":
        kinds.append(
            (("hosting",), "--hosting any (API-served models too)", {"hosting": "any"}, 1.0)
        )
    if r.access == "proprietary":
        kinds.append((("access",), "--access any (open weights too)", {"access": "any"}, 1.0))
    if r.hosting == "api":
        kinds.append((("hosting",), "--hosting any", {"hosting": "any"}, 1.0))
    if r.platform:
        kinds.append((("platform",), "drop --platform", {"platform": None}, 1.2))
    if not r.include_legacy:
        kinds.append((("status",), "--include-legacy", {"include_legacy": True}, 1.3))
    if r.language:
        kinds.append((("language",), "drop --language", {"language": None}, 1.3))
    for need in r.needs:
        rest = [n for n in r.needs if n != need]
        kinds.append((("needs",), f"drop --needs {need}", {"needs": rest}, 1.3))
    if r.flavour:
        kinds.append((("flavour",), "drop --flavour", {"flavour": None}, 1.3))
    if r.license:
        kinds.append((("license",), "drop --license", {"license": []}, 1.5))
    if r.commercial:
        kinds.append((("commercial",), "drop --commercial", {"commercial": False}, 1.6))
    if r.fine_tune:
        kinds.append((("fine_tune",), "drop --fine-tune", {"fine_tune": False}, 1.6))
    for names, text, changes, strain in kinds:
        n, top = count(changes)
        if n:
            tried.append((strain, Relaxation(names, text, n, top)))
    if not tried and r.gpu_memory is not None and r.min_context is not None:
        pair = _gpu_and_context(c, r, failing)
        if pair is not None:
            tried.append(pair)
    tried.sort(key=lambda st: (st[0], -st[1].returns, st[1].suggestion))
    return [x for _, x in tried[:6]]


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
    n, top = len(rec.ranked), [v.variant.id for v in rec.candidates]
    if not n:
        return None
    text = f"--gpu-memory {_option_value(gpu)} and --min-context {format_tokens(t)}"
    return strain, Relaxation(("gpu_memory", "min_context"), text, n, top)


def _option_value(value: float) -> str:
    """A number as typed after an option (--gpu-memory 141, --max-price 0.25)."""
    return f"{value:g}"


# --- what each guide section justifies (shown by `llmpick guide ID`) ---------------

RULES: tuple[tuple[str, str], ...] = tuple(
    sorted(
        (*CHECK_CITATIONS, *guide_citations()),
        key=lambda st: tuple(int(x) for x in st[0].split(".")),
    )
)
