"""Facts about a model that several scoring rules (and the hard checks and the advice)
read: whether it always thinks, whether it is a specialist and how much of that still
counts, whether it is tuned for one task only, and its API price for one request (the
tier it falls in: long prompt, batch, cached input; and the 3:1 blend).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from llmpick.catalog.records import Variant
from llmpick.engine.requirements import Requirements
from llmpick.engine.rule import Context
from llmpick.units import format_tokens
from llmpick.vocabulary import TASKS

# tasks whose output is text the model writes (not labels, spans or vectors)
GENERATIVE: frozenset[str | None] = frozenset(
    {None, *TASKS} - {"classification", "extraction", "embedding"}
)

_THINKING = re.compile(r"think|reason|(^|-)r1(-|$)|magistral|^o[1-9](-|$)|speciale")


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


def one_task_only(v: Variant) -> bool:
    """Fine-tuned for one task with no general instruction tuning (BioGPT-Large-PubMedQA
    answers PubMedQA questions): its 'instruct' flavour is not instruction following."""
    return "task-finetune" in v.tuning and not (set(v.tuning) & _INSTRUCTION_TUNING)


def freshness(date: dt.date | None, ctx: Context) -> float:
    """How much a result still says, 0.25..1: fully for a year, then less as the
    candidates move on (half at two years, a quarter from two and a half); a result
    without a date counts fully (its model's release date already ages it)."""
    if date is None:
        return 1.0
    age = (ctx.today - date).days / 365.25
    return max(0.25, min(1.0, 1.5 - 0.5 * age))


def specialist_share(v: Variant, ctx: Context) -> tuple[float, str]:
    """How much of a specialisation's bonus a model keeps, and what to say: all of it for
    the first year, then less as general models catch up (half at two years, a quarter
    from two and a half, or when its release date is unknown and it is no longer
    current), so a specialist with old results does not beat a current general model."""
    if v.released is None:
        if v.status == "active":
            return 1.0, ""
        return 0.25, " (undated and no longer current: the advantage counts at a quarter)"
    share = freshness(v.released, ctx)
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
