"""The Markdown report that `recommend --export shortlist.md` writes for a team."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from llmpick.safetext import md_code, md_text, one_line
from llmpick.units import (
    format_estimate,
    format_memory,
    format_params,
    format_score,
    format_tokens,
    format_usd,
)

if TYPE_CHECKING:
    from llmpick.output.contract_types import Candidate, Shortlist


def _size(c: Candidate) -> str:
    p = c.get("params_b")
    if p is None:
        return "not published"
    active = c.get("active_params_b")
    return format_params(p) + (f" ({format_params(active)} active)" if active else "")


def _ctx(n: int | None) -> str:
    return format_tokens(n) if n else "not published"


def requirement_items(req: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """The requirements that were set, as (name, value in human units); flags have None.
    (Field by field in their order, whatever they are: a new requirement shows without
    a change here, so the values stay ``Any``.)"""
    items: list[tuple[str, str | None]] = []
    for key, value in req.items():
        if value in (None, False, [], "any", "auto") or key == "resolved":
            continue
        if key == "prefer" and value == "balanced":
            continue
        name = key.replace("_", " ")
        if value is True:
            items.append((name, None))
        elif key in ("gpu_memory", "unified_memory", "ram"):
            items.append((name, format_memory(value)))
        elif key == "gpus":
            from llmpick.engine.placement import gpus_said

            items.append((name, gpus_said(value)))
        elif key == "min_speed":
            items.append((name, f"{value:g} tokens/s"))
        elif key == "max_params":
            items.append((name, format_params(value)))
        elif key == "min_context":
            items.append((name, f"{format_tokens(value)} tokens"))
        elif key == "max_price":
            items.append((name, f"{format_usd(value)} per 1M tokens"))
        elif key == "tokens_per_month":
            items.append((name, f"{format_tokens(value[0])} in / {format_tokens(value[1])} out"))
        elif isinstance(value, list):
            items.append((name, ", ".join(str(x) for x in value)))
        else:
            items.append((name, str(value)))
    return items


def markdown(doc: Shortlist) -> str:
    # every string from the document is data: md_text/md_code escape it (safetext.py)
    lines = _heading(doc)
    lines += ["", "## Shortlist", ""]
    cands = doc["candidates"]
    if cands:
        lines += _table(cands)
        for c in cands:
            lines += _candidate(c)
    else:
        lines += _no_match(doc)
    lines += _left_out(doc)
    return "\n".join(lines) + "\n"


def _heading(doc: Shortlist) -> list[str]:
    """The title, where the answer comes from, and the requirements it answers."""
    req = requirement_items(doc["requirements"])
    lines = ["# LLM shortlist", ""]
    lines.append(
        f"Made by {doc['generated_by']} from a catalog of {doc['catalog']['variants']} models "
        f"(facts checked up to {doc['catalog']['verified']}). Section numbers (§) refer to "
        "the guide: `llmpick guide ID` shows each."
    )
    lines += ["", "## Requirements", ""]
    if req:
        lines += [f"- **{k}**" + (f": {md_text(v)}" if v is not None else "") for k, v in req]
    else:
        lines.append("- none given: any model")
    overlays = doc["catalog"].get("overlays") or []
    if overlays:
        lines += ["", "Overlays in force: " + ", ".join(md_text(o) for o in overlays) + "."]
    return lines


def _table(cands: list[Candidate]) -> list[str]:
    lines = [
        "| # | Model | Provider | Flavour | Size | Context | Commercial use | Score |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in cands:
        lines.append(
            f"| {c['rank']} | {md_text(c['name'])} ({md_code(c['id'])}) "
            f"| {md_text(c['provider_name'])} | {c['flavour']} "
            f"| {_size(c)} | {_ctx(c['context_window'])} | {c['license']['commercial_use']} "
            f"| {format_score(c['score'])} |"
        )
    return lines


def _candidate(c: Candidate) -> list[str]:
    """One shortlisted model's section: facts, reasons, how to run it, sources."""
    lines = ["", f"### {c['rank']}. {md_text(c['name'])}", ""]
    lines.append(
        f"{md_text(c['family_name'])} from {md_text(c['provider_name'])}; "
        f"licence {md_text(c['license']['name'])} "
        f"(commercial use: {c['license']['commercial_use']}); status {c['status']}."
    )
    lines += _fit(c)
    lines += ["", "Why:"]
    lines += [f"- {md_text(r['text'])} (§{r['guide']})" for r in c["reasons"]]
    if c["caveats"]:
        lines += ["", "Watch out:"]
        lines += [f"- {md_text(r['text'])} (§{r['guide']})" for r in c["caveats"]]
    lines += _use(c)
    where = _where(c)
    if where:
        lines += ["", "Get it: " + "; ".join(where) + "."]
    for run in c.get("run") or []:
        lines += ["", f"Run with {run['tool']}: {md_text(run['note'])} (§{run['guide']})."]
        lines += ["", "```bash", *(one_line(x) for x in run["command"].splitlines()), "```"]
    sources = ", ".join(md_text(x) for x in c["sources"])
    lines += ["", f"Sources: {sources} (checked {c['verified']})."]
    return lines


def _fit(c: Candidate) -> list[str]:
    """Memory, the split over several devices and speed, where the answer has them."""
    lines = []
    gb, memory = c.get("memory_gb"), c.get("memory")
    if gb is not None and memory is not None:  # estimated together
        lines.append(
            f"Memory: about {format_estimate(gb)} at {c['quantization']} "
            f"with {memory['context_tokens']:,} tokens of context."
        )
    placed = c.get("placement")
    if placed and len(placed["devices_gb"]) > 1:
        per = " + ".join(format_estimate(x) for x in placed["per_device_gb"])
        lines.append(f"Split: {placed['split']}, {per} on the devices.")
    sp = c.get("speed")
    if sp:
        about = "" if sp["source"] == "measured" else "about "
        lines.append(
            f"Speed: {about}{sp['tokens_per_s']:.0f} tokens/s ({md_text(sp['assumption'])}; §7)."
        )
    return lines


def _use(c: Candidate) -> list[str]:
    """Decoding, structured output and monthly cost, where the answer has them."""
    lines = []
    dec = c.get("decoding")
    if dec:
        config = dec.get("generation_config") or dec["api"]
        keys = ", ".join(f"`{k}={v}`" for k, v in config.items())
        lines += ["", f"Decoding: {dec['strategy']}, {dec['why']} ({keys}; §{dec['guide']})."]
    so = c.get("structured_output")
    if so:
        native = "native" if so["native"] == "yes" else "not native"
        lines.append(f"Structured output: {native}; {md_text(so['how'])} (§8).")
    cost = c.get("monthly_cost")
    if cost:
        lines.append(
            f"Cost: about {format_usd(cost['usd'])} a month for "
            f"{cost['tokens_in']:,} input and {cost['tokens_out']:,} output tokens "
            f"(prices as of {cost['prices_as_of']}; §5.3)."
        )
    return lines


def _where(c: Candidate) -> list[str]:
    """Where to get the model: its Hub repository, Ollama tag, API id and platforms."""
    where = []
    if c.get("hf_repo"):
        where.append(f"Hugging Face {md_code(c['hf_repo'])}")
    if c.get("ollama"):
        where.append(md_code(c["ollama"], before="ollama run "))
    if c.get("api"):
        where.append(f"API id {md_code(c['api'])}")
    where += [f"{p} {md_code(i)}" for p, i in sorted(c.get("platforms", {}).items())]
    return where


def _no_match(doc: Shortlist) -> list[str]:
    """An empty shortlist: what blocked the most models and what would return some."""
    lines = ["No model meets every requirement."]
    if doc["blocking"]:
        lines += ["", "Constraints that removed the most models:", ""]
        lines += [
            f"- {md_text(b['constraint'].replace('_', ' '))}: {b['excluded']}"
            for b in doc["blocking"][:5]
        ]
    if doc["relaxations"]:
        lines += ["", "Smallest changes that return models:", ""]
        lines += [
            f"- {md_text(r['suggestion'])} ({r['returns']} models"
            + (f", e.g. {', '.join(md_code(t) for t in r['top'])})" if r.get("top") else ")")
            for r in doc["relaxations"]
        ]
    return lines


def _left_out(doc: Shortlist) -> list[str]:
    """The models asked about that were left out, and the count per constraint."""
    lines: list[str] = []
    ex = doc["excluded"]
    for m in ex["models"]:
        lines += ["", f"**{md_text(m['name'])}** ({md_code(m['id'])}) was left out:", ""]
        lines += [
            f"- {x['constraint'].replace('_', ' ')}: {md_text(x['text'])} (§{x['guide']})"
            for x in m["reasons"]
        ]
    if ex["by_constraint"]:
        lines += ["", "## Left out", ""]
        lines.append(
            f"{ex['total']} of {doc['considered']} models were left out "
            "(a model can fail several constraints):"
        )
        lines.append("")
        lines += [f"- {k.replace('_', ' ')}: {n}" for k, n in ex["by_constraint"].items()]
    return lines
