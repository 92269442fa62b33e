"""Hard constraints: one small pure check per requirement, each returning an
``Exclusion`` (with the guide section that justifies it) or None.

A check that cannot be made for a model (an unknown price, context or capability)
excludes it as unknown, named in the answer, rather than letting it pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from llmpick.catalog.records import Catalog, Variant
from llmpick.engine.evidence import Measured
from llmpick.engine.memory import Estimate, working_context
from llmpick.engine.model_facts import GENERATIVE, blended_price
from llmpick.engine.placement import (
    Placement,
    Setup,
    decode_speed,
    measured_speed,
    place,
    setup_of,
)
from llmpick.engine.requirements import Requirements
from llmpick.units import (
    format_estimate,
    format_params,
    format_tokens,
    format_usd,
    params_as_shown,
)
from llmpick.vocabulary import PLATFORM_NAMES


@dataclass(slots=True, frozen=True, eq=False, repr=False)
class Exclusion:
    """Why a hard constraint drops a model (one may stand for many models: the same
    exclusion is given to every model it drops for the same reason)."""

    constraint: str  # the requirement field (or "task", "status")
    text: str
    guide: str
    # the requirement changes (field, value) that would let the model through, when one
    # does: the output words them as options, as it words a relaxation
    lifted_by: tuple[tuple[str, object], ...] = ()


def _served_by_api(v: Variant) -> bool:
    return bool(v.access.api or v.access.platforms) and v.api_status != "retired"


Check = Callable[[Variant, Requirements, Catalog], Exclusion | None]


def _status(
    v: Variant,
    r: Requirements,
    c: Catalog,
    said: dict[tuple[str, str, str | None], Exclusion] | None = None,
) -> Exclusion | None:
    # legacy models are still available: they stay in, ranked lower with a caveat. For
    # open weights the status is the weights'; the API has its own (api_status).
    status = v.status
    if v.open_weights and v.api_status is not None and r.hosting == "api":
        status = v.api_status
    if status in ("active", "legacy") or r.include_legacy:
        return None
    key = (status, v.status, v.successor)  # ``said``: one exclusion for each, per request
    hit = said.get(key) if said is not None else None
    if hit is None:
        hit = _retired(status, v.status, v.successor, c)
        if said is not None:
            said[key] = hit
    return hit


def _retired(status: str, own: str, successor: str | None, c: Catalog) -> Exclusion:
    from llmpick.catalog.query import current_successor

    now = current_successor(c, successor)
    succ = f"; replaced by {now}" if now else ""
    what = {
        "deprecated": "deprecated: its shutdown is announced",
        "retired": "retired: no longer served",
    }[status]
    if status != own:
        what = f"its maker's API is {what.split(':')[0]}"
    return Exclusion("status", f"{what}{succ}", "4.1", (("include_legacy", True),))


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
    if params_as_shown(v.params_b) > r.max_params:
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


Fits = dict[str, tuple[Placement | None, Placement | None]]  # variant id -> its placement


def placement(
    v: Variant, r: Requirements, fits: Fits | None = None, setup: Setup | None = None
) -> tuple[Placement | None, Placement | None]:
    """(the best placement that fits the memory budget, the smallest tried) for
    self-hosting, on one GPU, several, unified memory or the CPU (``setup``: ``r``'s,
    when known); kept in ``fits`` when given, so that a request places a model once (to
    check it, then to show it)."""
    hit = fits.get(v.id) if fits is not None else None
    if hit is not None:
        return hit
    setup = setup if setup is not None else setup_of(r)
    if setup is None or not v.open_weights:
        return None, None
    placed = place(v, setup, r.quantization, working_context(v, r.min_context))
    if fits is not None:
        fits[v.id] = placed
    return placed


def gpu_fit(v: Variant, r: Requirements) -> tuple[Estimate | None, Estimate | None]:
    """(the best estimate that fits the GPU budget, the smallest tried) for self-hosting."""
    fit, smallest = placement(v, r)
    return (
        fit.estimate if fit is not None else None,
        smallest.estimate if smallest is not None else None,
    )


def _gpu(
    v: Variant, r: Requirements, c: Catalog, fits: Fits | None = None, setup: Setup | None = None
) -> Exclusion | None:
    # a GPU budget constrains self-hosting only: with --hosting any (or api), a model an
    # API serves stays, marked as not needing your GPU (``setup``: r's, made once)
    setup = setup if setup is not None else setup_of(r)
    if setup is None:
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
    fit, placed = placement(v, r, fits, setup)
    if fit is not None or api_ok:
        return None
    if placed is None:  # unreachable with a parameter count; kept for safety
        return Exclusion("gpu_memory", "unknown: its memory cannot be estimated", "2.1")
    smallest = placed.estimate
    how = f"at {smallest.quantization}" if not smallest.native else "in its published format"
    est = " (estimated from its size)" if smallest.estimated else ""
    if len(placed.devices) > 1:
        worst = max(placed.per_device_gb)
        return Exclusion(
            "gpu_memory",
            f"needs about {format_estimate(worst)} on a device{est} even {how} with "
            f"{format_tokens(smallest.context)} tokens of context ({placed.split}), "
            f"over {setup.said}",
            "2.1",
        )
    over = f"{r.gpu_memory:g} GB" if setup.kind == "gpu" and r.gpu_memory else setup.said
    return Exclusion(
        "gpu_memory",
        f"needs about {format_estimate(smallest.total_gb)}{est} even {how} with "
        f"{format_tokens(smallest.context)} tokens of context, over {over}",
        "2.1",
    )


def _speed(
    v: Variant,
    r: Requirements,
    c: Catalog,
    measured: Mapping[str, Measured] | None = None,
    fits: Fits | None = None,
    setup: Setup | None = None,
) -> Exclusion | None:
    """--min-speed: the decoding speed measured on the user's server (``measured``, from
    --evidence) or else estimated on the user's hardware. A model whose speed cannot be
    estimated (served by an API, or not sized) is excluded as unknown."""
    if r.min_speed is None:
        return None
    if not v.open_weights or r.hosting == "api":
        return Exclusion(
            "min_speed", "unknown: llmpick estimates speed only for models you run yourself", "7"
        )
    m = (measured or {}).get(v.id)
    if m is not None and m.tokens_per_s is not None:
        timed = measured_speed(m.tokens_per_s, m.speed_answers, m.source)
        if timed.tokens_per_s < r.min_speed:
            return Exclusion(
                "min_speed",
                f"{timed.tokens_per_s:.0f} tokens/s, under {r.min_speed:g} ({timed.assumption})",
                "7",
            )
        return None
    setup = setup if setup is not None else setup_of(r)
    fit = placement(v, r, fits, setup)[0]
    if fit is None:
        if setup is None:
            return Exclusion("min_speed", "unknown: no memory budget to size it on", "7")
        if r.hosting != "self" and _served_by_api(v):  # kept for its API: speed unknown
            return Exclusion(
                "min_speed",
                "unknown: it does not fit your hardware, and its API's speed is not known",
                "7",
            )
        return None  # the memory check says why it does not fit
    speed = decode_speed(v, fit, r.device)
    if speed is None:
        return Exclusion("min_speed", "unknown: its speed cannot be estimated", "7")
    if speed.tokens_per_s < r.min_speed:
        return Exclusion(
            "min_speed",
            f"about {speed.tokens_per_s:.0f} tokens/s at {fit.estimate.quantization}, under "
            f"{r.min_speed:g} ({speed.assumption})",
            "7",
        )
    return None


def _flavour(v: Variant, r: Requirements, c: Catalog) -> Exclusion | None:
    if r.flavour and v.flavour != r.flavour:
        guide = {"base": "2.2", "instruct": "2.6", "chat": "2.14", "embedding": "2.16"}[r.flavour]
        return Exclusion("flavour", f"a {v.flavour} model, not {r.flavour}", guide)
    return None


# the task's exclusions, each the same for every model it excludes
_GUARD = Exclusion("task", "a safety classifier (guard model), not a general model", "2.16")
_VECTORS = Exclusion("task", "an embedding model: it produces vectors, not text", "2.16")
_ENCODER = Exclusion("task", "an encoder-only model: it cannot generate text", "2.2")
_CLASSIFIER = Exclusion("task", "a classifier fine-tuned for one labelled task", "2.16")
_TRANSLATES = Exclusion("task", "a translation model: it only translates", "2.16")
_BASE = Exclusion(
    "task",
    "a base model: without instruction tuning it needs tedious prompt engineering "
    "(pass --fine-tune if you will tune it)",
    "2.2",
)
_NO_SPANS = Exclusion("task", "an embedding model cannot extract spans of text", "2.16")
_DECODER_BASE = Exclusion(
    "task",
    "a decoder base model: not instruction-tuned, so it needs fine-tuning first "
    "(pass --fine-tune if you will tune it)",
    "2.2",
)
_NOT_EMBEDDING = Exclusion("task", "not an embedding or encoder model", "2.16")


def _task(v: Variant, r: Requirements, c: Catalog) -> Exclusion | None:
    if v.domain == "safety" and r.domain != "safety":  # a safety classifier
        return _GUARD
    if r.task in GENERATIVE:
        return _generates(v, r)
    if r.task in ("classification", "extraction"):
        return _labels(v, r)
    if r.task == "embedding":
        return _embeds(v)
    return None


def _generates(v: Variant, r: Requirements) -> Exclusion | None:
    """Whether it can do a task that writes text: it generates, follows instructions (or
    will be tuned to), and is not made for one other job."""
    task = r.task
    if v.flavour == "embedding":
        return _VECTORS
    if v.architecture == "encoder-only":
        return _ENCODER
    classifier = "task-finetune" in v.tuning and v.architecture != "decoder-only"
    if classifier and not (v.domain == "translation" and task == "translation"):
        return _CLASSIFIER
    if v.flavour == "base" and not r.fine_tune and v.domain != "translation":
        return _BASE
    if v.domain == "translation" and task not in ("translation", None):
        return _TRANSLATES
    return None


def _labels(v: Variant, r: Requirements) -> Exclusion | None:
    """Whether it can classify or extract: encoders can, decoders once instruction-tuned."""
    if v.flavour == "embedding" and r.task == "extraction":
        return _NO_SPANS
    if v.flavour == "base" and v.architecture == "decoder-only" and not r.fine_tune:
        return _DECODER_BASE
    if v.domain == "translation":
        return _TRANSLATES
    return None


def _embeds(v: Variant) -> Exclusion | None:
    """Whether it makes embeddings: an embedding model, or an encoder not tuned for a task."""
    if v.flavour == "embedding" or (
        v.architecture == "encoder-only" and "task-finetune" not in v.tuning
    ):
        return None
    return _NOT_EMBEDDING


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
    if v.open_weights and r.hosting == "self":
        return None  # self-hosted: no per-token price (said so in the answer)
    price = blended_price(v, r)
    if price is None:
        if v.open_weights:
            return Exclusion(
                "max_price",
                "no API price in the catalog; self-hosted it has none, but you pay for the "
                "hardware (--hosting self to count it)",
                "5.3",
            )
        return Exclusion("max_price", "unknown: no API price in the catalog", "5.3")
    if price > r.max_price:
        return Exclusion(
            "max_price",
            f"about {format_usd(price)} per 1M tokens (3:1 blend), over {format_usd(r.max_price)}",
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
    ("min_speed", _speed),
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
    (
        "5.3",
        "--hosting api needs a provider or cloud API; --max-price filters on API price (open "
        "weights without one pass only with --hosting self)",
    ),
    (
        "7",
        "--needs tools / vision keep models with those capabilities; --min-speed keeps models "
        "whose estimated decoding speed on your hardware is high enough",
    ),
    (
        "8",
        "--needs structured-output keeps models with a JSON mode, or open weights you host "
        "and constrain at decoding time",
    ),
)

_ALWAYS = ("status", "task")


def active_checks(
    r: Requirements, measured: Mapping[str, Measured] | None = None, fits: Fits | None = None
) -> tuple[Check, ...]:
    """The checks that can fail under ``r`` (the others would return None for every model);
    ``measured`` (--evidence) gives --min-speed the speeds timed on the user's server;
    ``fits`` keeps the placements the checks find (``placement``)."""
    given = {
        "access": r.access != "any",
        "hosting": r.hosting != "any",
        "platform": r.platform is not None,
        "commercial": r.commercial,
        "license": bool(r.license),
        "flavour": r.flavour is not None,
        "max_params": r.max_params is not None,
        "min_context": r.min_context is not None,
        "gpu_memory": r.sized,
        "min_speed": r.min_speed is not None,
        "language": r.language is not None,
        "needs": bool(r.needs),
        "max_price": r.max_price is not None,
        "fine_tune": r.fine_tune,
    }
    setup = setup_of(r)  # once for every model
    extra: dict[Check, dict[str, object]] = {
        _speed: {"measured": measured, "fits": fits, "setup": setup},
        _gpu: {"fits": fits, "setup": setup},
        _status: {"said": {}},
    }
    return tuple(
        partial(fn, **extra[fn]) if fn in extra else fn
        for name, fn in CHECKS
        if name in _ALWAYS or given[name]
    )


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
