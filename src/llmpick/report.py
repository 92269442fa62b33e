"""The Markdown report that `recommend --export shortlist.md` writes for a team."""

from __future__ import annotations

from typing import Any


def _size(c: dict[str, Any]) -> str:
    p = c.get("params_b")
    if p is None:
        return "not published"
    s = f"{p:g}B" if p >= 1 else f"{p * 1000:g}M"
    if c.get("active_params_b"):
        s += f" ({c['active_params_b']:g}B active)"
    return s


def _ctx(n: int | None) -> str:
    return f"{n:,}" if n else "not published"


def requirement_items(req: dict[str, Any]) -> list[tuple[str, str | None]]:
    """The requirements that were set, as (name, value in human units); flags have None."""
    items: list[tuple[str, str | None]] = []
    for key, value in req.items():
        if value in (None, False, [], "any", "auto"):
            continue
        name = key.replace("_", " ")
        if value is True:
            items.append((name, None))
        elif key == "gpu_memory":
            items.append((name, f"{value:g} GB"))
        elif key == "max_params":
            items.append((name, f"{value:g}B"))
        elif key == "min_context":
            items.append((name, f"{value:,} tokens"))
        elif key == "tokens_per_month":
            items.append((name, f"{value[0]:,} in / {value[1]:,} out"))
        elif isinstance(value, list):
            items.append((name, ", ".join(str(x) for x in value)))
        else:
            items.append((name, str(value)))
    return items


def markdown(doc: dict[str, Any]) -> str:
    req = requirement_items(doc["requirements"])
    lines = ["# LLM shortlist", ""]
    lines.append(
        f"Made by {doc['generated_by']} from a catalog of {doc['catalog']['variants']} models "
        f"(facts checked up to {doc['catalog']['verified']}). Section numbers (§) refer to "
        "the guide: `llmpick guide ID` shows each."
    )
    lines += ["", "## Requirements", ""]
    if req:
        lines += [f"- **{k}**" + (f": {v}" if v is not None else "") for k, v in req]
    else:
        lines.append("- none given: any model")
    lines += ["", "## Shortlist", ""]
    cands = doc["candidates"]
    if cands:
        lines.append("| # | Model | Provider | Flavour | Size | Context | Commercial use | Score |")
        lines.append("|---|---|---|---|---|---|---|---|")
        for c in cands:
            lines.append(
                f"| {c['rank']} | {c['name']} (`{c['id']}`) | {c['provider_name']} "
                f"| {c['flavour']} "
                f"| {_size(c)} | {_ctx(c['context_window'])} | {c['license']['commercial_use']} "
                f"| {c['score']:g} |"
            )
        for c in cands:
            lines += ["", f"### {c['rank']}. {c['name']}", ""]
            lines.append(
                f"{c['family_name']} from {c['provider_name']}; licence {c['license']['name']} "
                f"(commercial use: {c['license']['commercial_use']}); status {c['status']}."
            )
            if c.get("memory_gb") is not None:
                lines.append(
                    f"Memory: about {c['memory_gb']:.1f} GB at {c['quantization']} "
                    f"with {c['memory']['context_tokens']:,} tokens of context."
                )
            lines += ["", "Why:"]
            lines += [f"- {r['text']} (§{r['guide']})" for r in c["reasons"]]
            if c["caveats"]:
                lines += ["", "Watch out:"]
                lines += [f"- {r['text']} (§{r['guide']})" for r in c["caveats"]]
            dec = c.get("decoding")
            if dec:
                keys = ", ".join(f"`{k}={v}`" for k, v in dec["generation_config"].items())
                lines += [
                    "",
                    f"Decoding: {dec['strategy']}, {dec['why']} ({keys}; §{dec['guide']}).",
                ]
            so = c.get("structured_output")
            if so:
                native = "native" if so["native"] == "yes" else "not native"
                lines.append(f"Structured output: {native}; {so['how']} (§8).")
            cost = c.get("monthly_cost")
            if cost:
                lines.append(
                    f"Cost: about ${cost['usd']:,.2f} a month for {cost['tokens_in']:,} input and "
                    f"{cost['tokens_out']:,} output tokens "
                    f"(prices as of {cost['prices_as_of']}; §5.3)."
                )
            where = []
            if c.get("hf_repo"):
                where.append(f"Hugging Face `{c['hf_repo']}`")
            if c.get("ollama"):
                where.append(f"`ollama run {c['ollama']}`")
            if c.get("api"):
                where.append(f"API id `{c['api']}`")
            where += [f"{p} `{i}`" for p, i in sorted(c.get("platforms", {}).items())]
            if where:
                lines += ["", "Get it: " + "; ".join(where) + "."]
            lines += ["", "Sources: " + ", ".join(c["sources"]) + f" (checked {c['verified']})."]
    else:
        lines.append("No model meets every requirement.")
        if doc["blocking"]:
            lines += ["", "Constraints that removed the most models:", ""]
            lines += [f"- {b['constraint']}: {b['excluded']}" for b in doc["blocking"][:5]]
        if doc["relaxations"]:
            lines += ["", "Smallest changes that return models:", ""]
            lines += [f"- {r['suggestion']} ({r['returns']} models)" for r in doc["relaxations"]]
    ex = doc["excluded"]
    for m in ex["models"]:
        lines += ["", f"**{m['name']}** (`{m['id']}`) was left out:", ""]
        lines += [f"- {x['constraint']}: {x['text']} (§{x['guide']})" for x in m["reasons"]]
    if ex["by_constraint"]:
        lines += ["", "## Left out", ""]
        lines.append(
            f"{ex['total']} of {doc['considered']} models were left out "
            "(a model can fail several constraints):"
        )
        lines.append("")
        lines += [f"- {k.replace('_', ' ')}: {n}" for k, n in ex["by_constraint"].items()]
    return "\n".join(lines) + "\n"
