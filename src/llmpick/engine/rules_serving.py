"""Scoring rules for running a model: how it fits your hardware, what it costs among
the models that pass, and how fast it answers.
"""

from __future__ import annotations

import re

from llmpick.catalog.records import Variant
from llmpick.engine.placement import fit_said
from llmpick.engine.price import price_for
from llmpick.engine.requirements import Requirements
from llmpick.engine.rule import (
    WEIGHTS,
    Context,
    Effects,
    rule,
)
from llmpick.engine.traits import thinks_always
from llmpick.units import format_params, format_usd

_FAST_TIER = re.compile(r"(^|[-.])(mini|nano|flash|lite|haiku|turbo|instant|fast)([-.]|$)")


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
