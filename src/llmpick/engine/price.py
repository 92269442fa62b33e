"""A model's API price for one request: the tier it falls in (long prompt, batch,
cached input) and the 3:1 blend that the cost rule, the hard price check and the
answers read.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmpick.catalog.records import Variant
from llmpick.engine.requirements import Requirements
from llmpick.units import format_tokens


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
