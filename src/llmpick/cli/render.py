"""Human output: the only module that imports rich.

Data goes to stdout; errors, hints and warnings go to stderr. Colour is off when
NO_COLOR is set or the output is not a terminal (rich's own rules).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from llmpick.query import ProviderRow
from llmpick.records import Catalog, Family, Variant, to_data
from llmpick.report import requirement_items


def _console() -> Console:
    probe = Console()
    if probe.is_terminal or os.environ.get("COLUMNS"):
        return Console(highlight=False)
    return Console(highlight=False, width=120)  # piped: do not squeeze tables to 80 columns


out = _console()
err = Console(stderr=True, highlight=False)

KIND_TITLES = {
    "proprietary": "Companies selling proprietary LLMs (§1.2)",
    "open-source-company": "Companies releasing open LLMs (§1.3)",
    "community": "Open-source collectives and non-profits (§1.4)",
    "academia-government": "Academia and government (§1.5)",
}
COMMERCIAL_STYLE = {"yes": "green", "conditional": "yellow", "no": "red"}
STATUS_STYLE = {"active": "green", "legacy": "yellow", "deprecated": "red", "retired": "red"}


def fmt_params(v: Variant) -> str:
    if v.params_b is None:
        return "n/p"
    total = f"{v.params_b:g}B" if v.params_b >= 1 else f"{v.params_b * 1000:g}M"
    if v.active_params_b is not None:
        active = f"{v.active_params_b:g}B"
        return f"{total} ({active} active)"
    return total


def fmt_context(n: int | None) -> str:
    if n is None:
        return "n/p"
    if n >= 1_000_000 and n % 1_000_000 < 50_000:
        return f"{n / 1_000_000:g}M"
    if n >= 1000:
        return f"{round(n / 1024) if n % 1024 == 0 else round(n / 1000)}k"
    return str(n)


def providers(groups: dict[str, list[ProviderRow]]) -> None:
    for kind, rows in groups.items():
        if not rows:
            out.print(f"[bold]{KIND_TITLES[kind]}[/bold]\n  (none in the catalog)\n")
            continue
        table = Table(title=KIND_TITLES[kind], title_justify="left", box=box.SIMPLE_HEAD)
        table.add_column("id", style="bold")
        table.add_column("provider")
        table.add_column("families", justify="right")
        table.add_column("models", justify="right")
        table.add_column("access")
        for r in rows:
            p = r.provider
            table.add_row(p.id, p.name, str(r.families), str(r.variants), ", ".join(p.channels))
        out.print(table)


def models(catalog: Catalog, variants: Sequence[Variant]) -> None:
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column("family", overflow="ellipsis", max_width=22)
    table.add_column("flavour", no_wrap=True)
    table.add_column("params", justify="right", no_wrap=True)
    table.add_column("context", justify="right", no_wrap=True)
    table.add_column("weights", no_wrap=True)
    table.add_column("commercial", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for v in variants:
        lic = catalog.licenses[v.license]
        table.add_row(
            v.id,
            catalog.families[v.family].name,
            v.flavour,
            fmt_params(v),
            fmt_context(v.context_window),
            "open" if v.open_weights else "API",
            Text(lic.commercial_use, style=COMMERCIAL_STYLE[lic.commercial_use]),
            Text(v.status, style=STATUS_STYLE[v.status]),
        )
    out.print(table)
    out.print(f"{len(variants)} models", style="dim")


def _kv(table: Table, key: str, value: str | Text | None) -> None:
    if value not in (None, ""):
        table.add_row(key, value)


def _chain(ids: list[str]) -> str:
    """'a → b' or, for a long line of successors, 'a → … → today'."""
    return " → ".join(ids) if len(ids) <= 3 else f"{ids[0]} → … → {ids[-1]}"


def variant(catalog: Catalog, v: Variant) -> None:
    fam = catalog.families[v.family]
    lic = catalog.licenses[v.license]
    prov = catalog.providers[v.provider]
    out.print(Text(v.name, style="bold"), Text(f"  ({v.id})", style="dim"))
    t = Table.grid(padding=(0, 2))
    t.add_column(style="dim")
    t.add_column()
    _kv(t, "family", f"{fam.name} ({fam.id})")
    _kv(t, "provider", f"{prov.name} — {', '.join(prov.kinds)}")
    _kv(t, "flavour", f"{v.flavour}" + (f" — tuned with {', '.join(v.tuning)}" if v.tuning else ""))
    _kv(t, "architecture", f"{v.architecture}{', mixture-of-experts' if v.moe else ''}")
    _kv(t, "parameters", fmt_params(v) if v.params_b else "not published")
    _kv(t, "context", f"{v.context_window:,} tokens" if v.context_window else "not published")
    if v.max_output:
        _kv(t, "max output", f"{v.max_output:,} tokens")
    _kv(t, "weights", "open (downloadable)" if v.open_weights else "API only")
    lic_text = Text(f"{lic.name} — commercial use: {lic.commercial_use}")
    lic_text.stylize(COMMERCIAL_STYLE[lic.commercial_use], len(lic.name) + 3)
    _kv(t, "licence", lic_text)
    if lic.condition:
        _kv(t, "", lic.condition)
    status = Text(v.status, style=STATUS_STYLE[v.status])
    if v.successor and v.status != "active":
        from llmpick.query import successor_chain

        status.append(f" — replaced by: {_chain(successor_chain(catalog, v.successor))}")
    elif v.successor:
        status.append(
            f" — {'newer release' if v.status == 'active' else 'replaced by'}: {v.successor}"
        )
    _kv(t, "status", status)
    _kv(t, "domain", v.domain)
    _kv(t, "languages", ", ".join(v.languages) or "not stated in our sources")
    _kv(t, "modalities", ", ".join(v.modalities))
    _kv(t, "capabilities", ", ".join(v.capabilities))
    a = v.access
    _kv(t, "hugging face", a.hf_repo)
    _kv(t, "ollama", f"ollama run {a.ollama}" if a.ollama else None)
    _kv(t, "api id", a.api)
    for plat, pid in sorted(a.platforms.items()):
        _kv(t, plat, pid)
    if v.arch:
        nums = {k: n for k, n in to_data(v.arch).items() if n is not None}
        _kv(t, "arch", ", ".join(f"{k} {val}" for k, val in nums.items()))
    if v.pricing:
        p = v.pricing
        _kv(t, "price", f"${p.input:g} in / ${p.output:g} out per 1M tokens (as of {p.as_of})")
    for e in v.evidence:
        when = f", {e.date}" if e.date else ""
        _kv(t, "evidence", f"{e.benchmark}: {e.score:g}{' ' + e.metric if e.metric else ''}{when}")
    _kv(t, "notes", v.notes)
    _kv(t, "sources", "\n".join(v.sources))
    _kv(t, "verified", str(v.verified))
    out.print(t)


def family(catalog: Catalog, fam: Family) -> None:
    prov = catalog.providers[fam.provider]
    out.print(Text(fam.name, style="bold"), Text(f"  ({fam.id}, {prov.name})", style="dim"))
    out.print(fam.description)
    from llmpick.query import successor_chain

    newer = "newer release" if fam.status == "active" else "replaced by"
    chain = _chain(successor_chain(catalog, fam.successor)) if fam.successor else ""
    status = f"status: {fam.status}" + (f", {newer}: {chain}" if chain else "")
    out.print(status, style=STATUS_STYLE[fam.status])
    if fam.guide:
        out.print(f"named in the guide: §{', §'.join(fam.guide)}", style="dim")
    models(catalog, [catalog.variants[vid] for vid in fam.variants])


def validated(catalog: Catalog, paths: Sequence[str]) -> None:
    what = ", ".join(paths) if paths else "bundled catalog"
    out.print(
        f"ok: {what}: {len(catalog.providers)} providers, {len(catalog.licenses)} licences, "
        f"{len(catalog.families)} families, {len(catalog.variants)} models"
    )


# --- recommendations ---------------------------------------------------------------


def _size(c: dict[str, Any]) -> str:
    p = c.get("params_b")
    if p is None:
        return "n/p"
    s = f"{p:g}B" if p >= 1 else f"{p * 1000:g}M"
    return s + (f"/{c['active_params_b']:g}B" if c.get("active_params_b") else "")


def note(text: str) -> None:
    err.print(text, style="dim")


def recommendation(doc: dict[str, Any]) -> None:
    cands = doc["candidates"]
    asked = (
        ", ".join(n if t is None else f"{n}={t}" for n, t in requirement_items(doc["requirements"]))
        or "no constraints"
    )
    out.print(Text(f"Shortlist for: {asked}", style="bold"))
    if cands:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        wide = out.width >= 110
        table.add_column("#", justify="right", no_wrap=True, min_width=1)
        table.add_column(
            "model", style="bold", no_wrap=True, min_width=min(24, max(len(c["id"]) for c in cands))
        )
        if wide:
            table.add_column("provider", no_wrap=True)
        table.add_column("flavour", no_wrap=True)
        table.add_column("size", justify="right", no_wrap=True)
        table.add_column("context", justify="right", no_wrap=True)
        table.add_column("commercial", no_wrap=True)
        table.add_column("memory", justify="right", no_wrap=True)
        table.add_column("score", justify="right", no_wrap=True)
        for c in cands:
            lic = c["license"]["commercial_use"]
            mem = f"{c['memory_gb']:.1f} GB {c['quantization']}" if "memory_gb" in c else "-"
            cells = [str(c["rank"]), c["id"], *([c["provider"]] if wide else []), c["flavour"]]
            table.add_row(
                *cells,
                _size(c),
                fmt_context(c["context_window"]),
                Text(lic, style=COMMERCIAL_STYLE[lic]),
                mem,
                f"{c['score']:g}",
            )
        out.print(table)
        for c in cands:
            out.print(
                Text(f"{c['rank']}. {c['name']}", style="bold"),
                Text(f" ({c['family_name']}, {c['provider_name']})", style="dim"),
            )
            _explained(c)
            _running(c)
    else:
        out.print(Text("No model meets every requirement.", style="bold red"))
        if doc["blocking"]:
            most = ", ".join(f"{b['constraint']} ({b['excluded']})" for b in doc["blocking"][:4])
            out.print(f"Constraints that removed the most models: {most}")
        for r in doc["relaxations"]:
            out.print(
                f"  try {r['suggestion']}: {r['returns']} model{'s' if r['returns'] != 1 else ''}"
            )
    ex = doc["excluded"]
    for m in ex["models"]:
        out.print(Text(f"\n{m['name']} ({m['id']}) was left out:", style="bold"))
        for x in m["reasons"]:
            out.print(
                f"   x {x['constraint']}: {x['text']} ",
                Text(f"§{x['guide']}", style="cyan"),
                sep="",
            )
    if ex["by_constraint"]:
        counts = ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in ex["by_constraint"].items())
        out.print(
            Text(
                f"\n{doc['passed']} of {doc['considered']} models passed; left out by {counts}. "
                "Ask 'llmpick why MODEL' about any model; 'llmpick guide ID' explains a §.",
                style="dim",
            )
        )


def _explained(c: dict[str, Any]) -> None:
    """Reasons (+ raised the score, - lowered it, · stated) and caveats (!), with their §."""
    for r in c["reasons"]:
        sign = "+" if r["weight"] > 0 else "-" if r["weight"] < 0 else "·"
        out.print(f"   {sign} {r['text']} ", Text(f"§{r['guide']}", style="cyan"), sep="")
    for r in c["caveats"]:
        out.print(
            Text("   ! ", style="yellow"),
            f"{r['text']} ",
            Text(f"§{r['guide']}", style="cyan"),
            sep="",
        )


def verdict(doc: dict[str, Any]) -> None:
    title = Text(doc["name"], style="bold")
    title.append(f" ({doc['id']})", style="dim")
    out.print(title)
    if doc["passed"] and doc.get("duplicate_of"):
        out.print(f"passes every requirement, but ranks as a copy of {doc['duplicate_of']}")
    elif doc["passed"]:
        out.print(
            Text(
                f"passes every requirement: rank {doc['rank']} of {doc['of']}, "
                f"score {doc['score']:g}",
                style="green",
            )
        )
    else:
        out.print(Text("excluded:", style="red"))
        for x in doc["exclusions"]:
            out.print(
                f"   x {x['constraint']}: {x['text']} ",
                Text(f"§{x['guide']}", style="cyan"),
                sep="",
            )
        out.print(Text(f"If it passed, it would score {doc['score']:g}:", style="dim"))
    _explained(doc)


# --- the guide ---------------------------------------------------------------------


def guide_tree(g: Any) -> None:
    from rich.tree import Tree

    from llmpick.guide import PARTS

    tree = Tree(Text("Adapting LLMs to your use case — in our words", style="bold"))
    branches: dict[str, Any] = {}
    for sec in g.sections.values():
        part = g.part(sec.id)
        if part not in branches:
            branches[part] = tree.add(Text(f"{part}. {PARTS[part]}", style="bold"))
        if sec.id != part:
            branches[part].add(Text.assemble((f"§{sec.id}", "cyan"), f"  {sec.title}"))
    out.print(tree)
    out.print(
        Text("Read one with 'llmpick guide ID' or by term, e.g. 'llmpick guide rlhf'.", style="dim")
    )


def guide_section(
    sec: Any, models: list[dict[str, str]], rules: list[str], terms: list[str]
) -> None:
    from rich.markdown import Markdown

    out.print(Text.assemble((f"§{sec.id} ", "cyan bold"), (sec.title, "bold")))
    out.print(Text(sec.heading, style="dim"))
    out.print(Markdown(sec.text))
    if models:
        out.print(
            Text("Catalog models: ", style="bold"),
            ", ".join(f"{m['name']} ({m['id']})" for m in models),
        )
    if rules:
        out.print(Text("How llmpick uses it:", style="bold"))
        for r in rules:
            out.print(f"  - {r}")
    if terms:
        out.print(Text("Terms: ", style="bold"), ", ".join(terms))
    if sec.sources:
        out.print(Text("Sources: ", style="bold"), "  ".join(sec.sources))


def _gb(x: float | None) -> str:
    return "unknown" if x is None else f"{x:.1f} GB"


def fit(doc: dict[str, Any]) -> None:
    size = f"{doc['params_b']:g}B" + (
        f" ({doc['active_params_b']:g}B active)" if doc["active_params_b"] else ""
    )
    out.print(
        Text(
            f"{doc['name']} ({doc['id']}): {size} parameters, "
            f"{doc['context_tokens']:,} tokens of context",
            style="bold",
        )
    )
    table = Table(box=box.SIMPLE_HEAD)
    for col in ("quantization", "weights", "KV cache", "overhead", "total", "fits"):
        table.add_column(col, justify="right" if col != "quantization" else "left")
    gpu = doc["gpu_memory_gb"]
    for r in doc["estimates"]:
        fits = (
            "-"
            if r["fits"] is None
            else Text("yes", style="green")
            if r["fits"]
            else Text("no", style="red")
        )
        table.add_row(
            r["quantization"] + (" (as released)" if r["as_released"] else ""),
            _gb(r["weights_gb"]),
            _gb(r["kv_cache_gb"]),
            _gb(r["overhead_gb"]),
            _gb(r["total_gb"]),
            fits,
        )
    out.print(table)
    if gpu is not None:
        out.print(f"against {gpu:g} GB of GPU memory")
    if doc["method"] == "parameter count":
        out.print(
            Text(
                "estimate: the model's architecture numbers are not published, so the KV cache "
                f"is sized from its parameter count and may be off by "
                f"{doc['method_error']:.0%} either way",
                style="yellow",
            )
        )
    else:
        out.print(Text("KV cache sized from the published architecture numbers", style="dim"))
    for n in doc["notes"]:
        out.print(Text(f"note: {n}", style="dim"))
    out.print(
        Text(
            "see 'llmpick guide 2.1' on sizes and memory, 'llmpick guide 5.1' on loading",
            style="dim",
        )
    )


def snippet(text: str, language: str) -> None:
    if language == "bash" or not out.is_terminal:
        out.print(text, markup=False, highlight=False, end="" if text.endswith("\n") else "\n")
        return
    from rich.syntax import Syntax

    out.print(Syntax(text, "python", theme="ansi_dark", background_color="default"))


def _running(c: dict[str, Any]) -> None:
    """How to run a candidate, decode for the task, get JSON, and what it costs."""
    ways = c.get("how_to_load") or {}
    parts = []
    if "ollama" in ways:
        parts.append(ways["ollama"]["command"])
    if "transformers" in ways:
        parts.append(f"transformers: {ways['transformers']['repo']}")
    if "api" in ways:
        parts.append(f"API: {ways['api']['model']}")
    if "platforms" in ways:
        parts += [f"{p}: {i}" for p, i in sorted(ways["platforms"]["ids"].items())]
    if parts:
        out.print(Text("   run: ", style="bold"), "; ".join(parts), sep="")
    dec = c.get("decoding")
    if dec:
        keys = ", ".join(f"{k}={v}" for k, v in dec["generation_config"].items())
        out.print(
            Text("   decode: ", style="bold"),
            f"{dec['strategy']} ({keys}) ",
            Text(f"§{dec['guide']}", style="cyan"),
            sep="",
        )
    so = c.get("structured_output")
    if so and so["native"] == "no" and dec:
        out.print(
            Text("   JSON: ", style="bold"), f"{so['how']} ", Text("§8", style="cyan"), sep=""
        )
    cost = c.get("monthly_cost")
    if cost:
        out.print(
            Text("   cost: ", style="bold"),
            f"about ${cost['usd']:,.2f} a month for {cost['tokens_in']:,} in / "
            f"{cost['tokens_out']:,} out (prices as of {cost['prices_as_of']}) ",
            Text("§5.3", style="cyan"),
            sep="",
        )
