"""Scoring rules for running a model and the terms of using it: how it fits your
hardware, what it costs and how fast it answers among the models that pass, and how it
meets the requirements (context window, where it is served, its price tier, its
licence's condition, JSON output, a base model: facts and caveats, never points).
"""

from __future__ import annotations

import re

from llmpick.catalog.records import Catalog, Variant
from llmpick.engine.model_facts import blended_price, price_for, thinks_always
from llmpick.engine.placement import fit_said
from llmpick.engine.requirements import Requirements
from llmpick.engine.rule import WEIGHTS, Context, Effects, rule
from llmpick.units import format_estimate, format_params, format_tokens, format_usd
from llmpick.vocabulary import PLATFORM_NAMES

# compiled on first use (only --prefer speed reads it)
_FAST_TIER = r"(^|[-.])(mini|nano|flash|lite|haiku|turbo|instant|fast)([-.]|$)"


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
        text = f"{what[band]} that pass: about {format_estimate(est.total_gb)} of GPU memory"
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
    elif re.search(_FAST_TIER, v.id):
        fx.add(weight * 0.5, "a fast, light tier of its provider's models", "7")
    else:
        fx.warn("its speed cannot be compared: size not published", "7")
    if thinks_always(v):
        fx.add(-weight / 2, "thinks before answering: slower replies", "7")


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
    needs = f" (about {format_estimate(est.total_gb)} of GPU memory)" if est is not None else ""
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
