"""Scoring rules for a model's age and place in its line: recency (newer generations
rank above older ones) and lifecycle (a newer release that passes the same requirements,
deprecation, retirement, previews).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from operator import attrgetter

from llmpick.catalog.records import Catalog, Variant
from llmpick.engine.model_facts import GENERATIVE, domain_fit
from llmpick.engine.requirements import Requirements
from llmpick.engine.rule import WEIGHTS, Context, Effects, rule
from llmpick.units import format_params, format_tokens, format_usd


@rule(
    "recency",
    (
        "4.2",
        "newer generations rank above older ones (encoders age more slowly); an undated "
        "model that is no longer current loses 6",
    ),
    most_each=lambda v, r, ctx: round(_recency_points(v, r, ctx) or 0.0, 1),
    rough=lambda models, r, ctx: _recency_rough(models, r, ctx),
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
    return _dated_points(v.released, aging, r, ctx)


def _dated_points(released: dt.date, aging: bool, r: Requirements, ctx: Context) -> float:
    # newer generations of generative models are markedly stronger; encoders (and
    # encoder-decoders) used for classification, extraction and embeddings age slowly
    scale = (1.0 if aging else 0.4) * WEIGHTS[r.prefer]["recency"]
    age = (ctx.today - released).days / 365.25
    floor = -12.0 if aging else -4.0
    return max(floor, min(12.0, 12.0 - 6.0 * age)) * scale


def _recency_rough(models: Sequence[Variant], r: Requirements, ctx: Context) -> Iterator[float]:
    """A bound of recency's points for each model, once per release date: the more of
    an aging and a slowly aging model's (a generative task ages every model), and none
    for an undated one (it can only lose)."""
    dates = list(map(_RELEASED, models))
    kinds = (True,) if r.task in GENERATIVE else (True, False)
    table = {
        day: max(round(_dated_points(day, aging, r, ctx), 1) for aging in kinds)
        for day in set(dates)
        if day is not None
    }
    table[None] = 0.0
    return map(table.__getitem__, dates)


_RELEASED = attrgetter("released")


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
