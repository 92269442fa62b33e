"""`llmpick show`: one model's facts, a family and its variants, a snippet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text

if TYPE_CHECKING:
    from rich.table import Table

from llmpick.catalog.records import Catalog, Family, Variant, to_data
from llmpick.cli.render.layout import (
    COMMERCIAL_STYLE,
    STATUS_STYLE,
    fact_text,
    out,
    overlays_notice,
    raw,
)
from llmpick.cli.render.models import models_table
from llmpick.units import (
    format_params,
    format_tokens,
    format_usd,
)
from llmpick.vocabulary import PROVIDER_KIND_NAMES, TUNING_NAMES

_REASONING = {
    "always": "always thinks before answering (no way to switch it off)",
    "switchable": "a thinking mode that can be switched off",
    "none": "no thinking mode",
}


def _tokens_exact(n: int) -> str:
    short = format_tokens(n)
    return f"{short} ({n:,} tokens)" if short != str(n) else f"{n:,} tokens"


def _kv(table: Table, key: str, value: str | Text | None) -> None:
    if value not in (None, ""):
        table.add_row(key, value)


def _tuned(tuning: Sequence[str]) -> str:
    """' — tuned with SFT, RLHF' ('' when unknown; pre-training alone is said as such)."""
    if not tuning:
        return ""
    if list(tuning) == ["pretrain"]:
        return " — pre-trained only"
    steps = [TUNING_NAMES[t] for t in tuning if t != "pretrain"]
    return f" — tuned with {', '.join(steps)}"


def _chain(ids: list[str]) -> str:
    """'a → b' or, for a long line of successors, 'a → … → today'."""
    return " → ".join(ids) if len(ids) <= 3 else f"{ids[0]} → … → {ids[-1]}"


def variant(catalog: Catalog, v: Variant, *, overlays: Sequence[str]) -> None:
    overlays_notice(overlays)
    fam = catalog.families[v.family]
    prov = catalog.providers[v.provider]
    out.print(Text(v.name, style="bold"), Text(f"({v.id})", style="dim"))
    from rich.table import Table  # only here and in a few reports: ~10 ms to import

    t = Table.grid(padding=(0, 2))
    t.add_column(style="dim")
    t.add_column(overflow="fold")  # an id too long for the line folds, never cut
    _kv(t, "family", f"{fam.name} ({fam.id})")
    _kv(t, "provider", f"{prov.name} — {', '.join(PROVIDER_KIND_NAMES[k] for k in prov.kinds)}")
    _kv(t, "flavour", v.flavour + _tuned(v.tuning))
    _kv(t, "architecture", f"{v.architecture}{', mixture-of-experts' if v.moe else ''}")
    _kv(t, "parameters", _params(v))
    _kv(t, "context", _tokens_exact(v.context_window) if v.context_window else "not published")
    if v.max_output:
        _kv(t, "max output", _tokens_exact(v.max_output))
    _kv(t, "weights", "open (downloadable)" if v.open_weights else "API only")
    _licence(t, catalog, v)
    _kv(t, "status", _status(catalog, v))
    _kv(t, "domain", v.domain)
    _kv(t, "languages", ", ".join(v.languages) or "not stated in our sources")
    _kv(t, "modalities", ", ".join(v.modalities))
    _kv(t, "capabilities", ", ".join(v.capabilities))
    _kv(t, "reasoning", _REASONING.get(v.reasoning or ""))
    _access(t, v)
    _numbers(t, v)
    _kv(t, "notes", v.notes)
    _kv(t, "verified", str(v.verified))
    _refreshed(catalog, v, t)
    out.print(t)  # emit drops the blanks rich pads a grid's lines with
    if v.sources:
        # a citation is printed whole, never folded or cut, so it can be copied
        out.print(Text("sources", style="dim"))
        for src in v.sources:
            out.print(Text(f"  {src}"), soft_wrap=True)


def _params(v: Variant) -> str:
    if not v.params_b:
        return "not published"
    active = f" ({format_params(v.active_params_b)} active)" if v.active_params_b else ""
    return format_params(v.params_b) + active


def _licence(t: Table, catalog: Catalog, v: Variant) -> None:
    """The licence and whether it allows commercial use, its condition, and the facts an
    overlay changed."""
    from llmpick.catalog.records import overlay_facts

    lic = catalog.licenses[v.license]
    lic_text = Text(f"{lic.name} — commercial use: {lic.commercial_use}")
    lic_text.stylize(COMMERCIAL_STYLE[lic.commercial_use], len(lic.name) + 3)
    _kv(t, "licence", lic_text)
    if lic.condition:
        _kv(t, "", lic.condition)
    for fact, _guide in overlay_facts(catalog, v):
        _kv(t, "overlay", Text(fact, style="yellow"))


def _status(catalog: Catalog, v: Variant) -> Text:
    """Its status, and what replaced it (the line of successors to today's) or the newer
    release."""
    status = Text(v.status, style=STATUS_STYLE[v.status])
    if v.successor and v.status != "active":
        from llmpick.catalog.query import successor_chain

        status.append(f" — replaced by: {_chain(successor_chain(catalog, v.successor))}")
    elif v.successor:
        status.append(
            f" — {'newer release' if v.status == 'active' else 'replaced by'}: {v.successor}"
        )
    return status


def _access(t: Table, v: Variant) -> None:
    """Where to get it: the Hugging Face repo, Ollama, the API id, each cloud's id."""
    a = v.access
    _kv(t, "hugging face", a.hf_repo)
    _kv(t, "ollama", f"ollama run {a.ollama}" if a.ollama else None)
    _kv(t, "api id", a.api)
    for plat, pid in sorted(a.platforms.items()):
        _kv(t, plat, pid)


def _numbers(t: Table, v: Variant) -> None:
    """Its architecture numbers, list price and published results."""
    if v.arch:
        nums = {k: n for k, n in to_data(v.arch).items() if n is not None}
        _kv(t, "arch", ", ".join(f"{k} {val}" for k, val in nums.items()))
    if v.pricing:
        p = v.pricing
        _kv(
            t,
            "price",
            f"{format_usd(p.input)} in / {format_usd(p.output)} out per 1M tokens "
            f"(as of {p.as_of})",
        )
    for e in v.evidence:
        when = f", {e.date}" if e.date else ""
        _kv(t, "evidence", f"{e.benchmark}: {e.score:g}{' ' + e.metric if e.metric else ''}{when}")


def family(catalog: Catalog, fam: Family, *, overlays: Sequence[str]) -> None:
    overlays_notice(overlays)
    prov = catalog.providers[fam.provider]
    out.print(Text(fam.name, style="bold"), Text(f"  ({fam.id}, {prov.name})", style="dim"))
    out.print(fam.description)
    from llmpick.catalog.query import successor_chain

    newer = "newer release" if fam.status == "active" else "replaced by"
    chain = _chain(successor_chain(catalog, fam.successor)) if fam.successor else ""
    status = f"status: {fam.status}" + (f", {newer}: {chain}" if chain else "")
    out.print(status, style=STATUS_STYLE[fam.status])
    newest = fam.newest_release
    if newest is not None:
        said = newest.id if newest.id else f"{newest.name} (not in the catalog)"
        out.print(Text(f"maker's newest release: {said}, checked {newest.checked}"), style="dim")
    if fam.guide:
        out.print(f"named in the guide: §{', §'.join(fam.guide)}", style="dim")
    models_table(catalog, [catalog.variants[vid] for vid in fam.variants])


def snippet(text: str, language: str) -> None:
    """Code to paste: printed raw (no wrapping, cropping or colour) so it parses at any
    width; ``language`` is kept for callers."""
    del language
    raw(text)


def _refreshed(catalog: Catalog, v: Variant, t: Table) -> None:
    info = catalog.refresh
    if info is None:
        return
    if v.id in info.unreviewed:
        _kv(t, "review", Text("unreviewed: added by 'llmpick catalog refresh'", style="yellow"))
    for ch in info.changes.get(v.id, []):
        _kv(
            t,
            "refreshed",
            f"{ch.field.replace('_', ' ')}: {fact_text(ch.field, ch.old)} → "
            f"{fact_text(ch.field, ch.new)} ({ch.source}, {ch.date})",
        )
