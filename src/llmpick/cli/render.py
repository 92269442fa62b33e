"""Human output: the only module that imports rich.

Data goes to stdout; errors, hints and warnings go to stderr. Colour is off when
NO_COLOR is set or the output is not a terminal (rich's own rules).

Text from data is data: the consoles never read markup or emoji codes (a model note
holding ``[/INST]`` or ``[link=...]`` prints as written), and every piece of text they
write passes through ``safetext.clean`` (escape sequences, control characters and
bidirectional overrides removed) in ``_DataConsole.render``, the one boundary all
output crosses, whatever renderable holds it. Our own styling is ``Text`` styles.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

from rich import box
from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from llmpick.query import ProviderRow
from llmpick.records import Catalog, Family, Variant, to_data
from llmpick.report import requirement_items
from llmpick.safetext import UNSAFE, clean


class _DataConsole(Console):
    """A console that treats every string as plain text and removes what a terminal
    would act on (see ``safetext``) from every segment it renders."""

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        for seg in super().render(renderable, options):
            if seg.control is None and UNSAFE.search(seg.text):
                yield Segment(clean(seg.text), seg.style)
            else:
                yield seg


def _console() -> Console:
    plain = {"highlight": False, "markup": False, "emoji": False}
    probe = Console()
    if probe.is_terminal or os.environ.get("COLUMNS"):
        return _DataConsole(**plain)  # type: ignore[arg-type]
    # piped: do not squeeze tables to 80 columns
    return _DataConsole(width=120, **plain)  # type: ignore[arg-type]


out = _console()
err = _DataConsole(stderr=True, highlight=False, markup=False, emoji=False)


def overlays_notice(paths: Sequence[str] | None = None) -> None:
    """Say on stderr which overlays the answer rests on: an overlay is somebody else's
    text and may change facts. ``paths`` default to those of the loaded catalog."""
    if paths is None:
        from llmpick.cli.state import state

        cat = state.__dict__.get("catalog")  # only if a command loaded it
        if cat is None:
            return
        from llmpick.catalog import provenance

        paths = provenance(cat).in_force()
    if paths:
        err.print(Text(f"overlays in force: {', '.join(paths)}", style="yellow"))


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
    overlays_notice()
    for kind, rows in groups.items():
        if not rows:
            out.print(Text(KIND_TITLES[kind], style="bold"))
            out.print("  (none in the catalog)\n")
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
    overlays_notice()
    _models(catalog, variants)


def _models(catalog: Catalog, variants: Sequence[Variant]) -> None:
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
    from llmpick.catalog import overlay_facts

    overlays_notice()
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
    for fact, _guide in overlay_facts(catalog, v):
        _kv(t, "overlay", Text(fact, style="yellow"))
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
    _refreshed(catalog, v, t)
    out.print(t)


def family(catalog: Catalog, fam: Family) -> None:
    overlays_notice()
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
    _models(catalog, [catalog.variants[vid] for vid in fam.variants])


def validated(catalog: Catalog, paths: Sequence[str]) -> None:
    what = ", ".join(paths) if paths else "bundled catalog"
    out.print(
        f"ok: {what}: {len(catalog.providers)} providers, {len(catalog.licenses)} licences, "
        f"{len(catalog.families)} families, {len(catalog.variants)} models"
    )


def coverage(data: dict[str, Any]) -> None:
    """The share of active models that carry each fact the advice reads."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")
    table.add_column("fact (active models)")
    table.add_column("have", justify="right", no_wrap=True)
    table.add_column("share", justify="right", no_wrap=True)
    rows = [*data["facts"].items()]
    rows += [(f"evidence for {task}", v) for task, v in data["evidence_by_task"].items()]
    for name, v in rows:
        share = "-" if v["share"] is None else f"{v['share']:.0%}"
        table.add_row(Text(name), f"{v['have']}/{v['of']}", share)
    out.print(table)


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
    overlays_notice(doc["catalog"]["overlays"])
    cands = doc["candidates"]
    asked = (
        ", ".join(n if t is None else f"{n}={t}" for n, t in requirement_items(doc["requirements"]))
        or "no constraints"
    )
    out.print(Text(f"Shortlist for: {asked}", style="bold"))
    for line in doc["requirements"].get("resolved", []):
        out.print(Text(f"  ({line})", style="dim"))
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
                + (f", e.g. {', '.join(r['top'])}" if r.get("top") else "")
            )
    if doc["catalog"].get("warning"):
        out.print(Text(f"warning: {doc['catalog']['warning']}", style="yellow"))
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
    overlays_notice()
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
    rules = doc.get("rules") or []
    if rules:
        points = ", ".join(f"{r['rule']} {r['points']:+g}" for r in rules)
        out.print(Text(f"   points by rule (from 50): {points}", style="dim"))


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
    overlays_notice()
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
        config = dec.get("generation_config") or dec["api"]
        keys = ", ".join(f"{k}={v}" for k, v in config.items())
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


# --- eval -----------------------------------------------------------------------


class _EvalProgress:
    """A progress bar on stderr (a terminal only) while the requests run."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled = total, enabled and total > 0
        self.failed = 0
        self._progress: Any = None

    def __enter__(self) -> _EvalProgress:
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            self._progress = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task("asking", total=self.total)
        return self

    def __call__(self, record: dict[str, Any]) -> None:
        if self._progress is not None:
            self.failed += record.get("outcome") == "error"
            desc = f"asking ({self.failed} errors)" if self.failed else "asking"
            self._progress.update(self._task, advance=1, description=desc)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(None, None, None)


def eval_progress(total: int, enabled: bool) -> _EvalProgress:
    return _EvalProgress(total, enabled)


def eval_report(doc: dict[str, Any]) -> None:
    """The eval report: one row per target, pass rate against cost, the pick, notes."""
    from llmpick.evaluation.report import fmt_usd

    def secs(x: float | None) -> str:
        return "–" if x is None else f"{x:.2f}s"

    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("target", style="bold", no_wrap=True)
    table.add_column("passed", justify="right", no_wrap=True)
    table.add_column("rate [95%]", justify="right", no_wrap=True)
    table.add_column("errors", justify="right")
    table.add_column("p50/p95", justify="right")
    table.add_column("1st token", justify="right")
    table.add_column("tok/s", justify="right")
    table.add_column("cost", justify="right", no_wrap=True)
    for r in doc["targets"]:
        iv = r["pass_rate_interval"]
        rate = "–" if r["pass_rate"] is None else f"{r['pass_rate']:.0%} [{iv[0]:.0%}–{iv[1]:.0%}]"
        ttft = r["ttft_s"]["p50"] if r["ttft_s"] else None
        table.add_row(
            Text(r["name"]),
            f"{r['passed']}/{r['total']}",
            rate,
            Text(str(r["errors"]), style="red" if r["errors"] else ""),
            f"{secs(r['latency_s']['p50'])}/{secs(r['latency_s']['p95'])}",
            secs(ttft),
            "–" if r["output_tokens_per_s"] is None else f"{r['output_tokens_per_s']:g}",
            fmt_usd(r["cost_usd"]) + ("*" if r["self_hosted"] else ""),
        )
    out.print(table)
    rows = [r for r in doc["targets"] if r["pass_rate"] is not None]
    if len(rows) > 1:
        out.print("pass rate against cost per answer (cheapest first)", style="bold")
        width = 24
        name_w = min(24, max(len(r["name"]) for r in rows))
        cost_key = lambda r: (r["cost_per_answer_usd"] is None, r["cost_per_answer_usd"] or 0)  # noqa: E731
        for r in sorted(rows, key=cost_key):
            filled = round(r["pass_rate"] * width)
            line = Text(r["name"][:name_w].ljust(name_w) + "  ")
            line.append(fmt_usd(r["cost_per_answer_usd"]).rjust(9) + "  ")
            line.append("█" * filled, style="green")
            line.append("░" * (width - filled), style="dim")
            line.append(f" {r['pass_rate']:.0%}")
            out.print(line)
    rec = doc["recommendation"]
    if rec:
        out.print(
            Text("pick: ", style="bold"),
            Text(rec["target"], style="bold green"),
            Text(f" — {rec['why']}"),
            sep="",
        )
    else:
        out.print(Text("no pick: no target passed any case", style="yellow"))
    for r in doc["targets"]:
        if r["stopped"]:
            out.print(Text(f"{r['name']}: {r['stopped']}", style="yellow"))
        for e in r["top_errors"]:
            out.print(Text(f"{r['name']}: {e['count']} × {e['error']}", style="red"))
        for n in r["notes"]:
            out.print(Text(f"{r['name']}: {n}", style="dim"))
    if doc["judge"]:
        j = doc["judge"]
        out.print(
            Text(
                f"judge: {j['name']} ({j['served_as']}), {j['requests']} verdicts, "
                f"{j['errors']} errors, cost {fmt_usd(j['cost_usd'])}",
                style="dim",
            )
        )
    if any(r["self_hosted"] for r in doc["targets"]):
        out.print(
            Text("* self-hosted: 0 USD per token; hardware and power not counted", style="dim")
        )
    if doc["results_file"]:
        out.print(Text(f"results: {doc['results_file']}", style="dim"))


# --- the refresh layer -------------------------------------------------------------


def _fact(name: str, value: Any) -> str:
    if value is None:
        return "none"
    if name == "price":
        return f"${value[0]:g} in / ${value[1]:g} out"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


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
            f"{ch.field.replace('_', ' ')}: {_fact(ch.field, ch.old)} → "
            f"{_fact(ch.field, ch.new)} ({ch.source}, {ch.date})",
        )


def refresh_report(r: dict[str, Any]) -> None:
    for name, s in r["sources"].items():
        out.print(
            f"{name}: {s['entries']:,} entries, {s['bytes']:,} bytes from {s['from']} "
            f"in {s['seconds']:g} s"
        )
    added, changed, missing = r["added"], r["changed"], r["missing"]
    since = f"the layer of {r['previous']}" if r["previous"] else "the curated catalog"
    out.print(Text(f"\nCompared with {since}:", style="bold"))
    out.print(Text(f"added, unreviewed: {len(added)}", style="bold"))
    for a in added[:40]:
        out.print(f"  + {a['id']} ({a['provider']})")
    if len(added) > 40:
        out.print(f"  ... and {len(added) - 40} more (--json lists them all)", style="dim")
    out.print(Text(f"changed: {len(changed)}", style="bold"))
    for c in changed[:60]:
        out.print(
            f"  ~ {c['id']}: {c['field'].replace('_', ' ')} {_fact(c['field'], c['old'])} → "
            f"{_fact(c['field'], c['new'])}",
            Text(f"  {c['source']}", style="dim"),
        )
    if len(changed) > 60:
        out.print(f"  ... and {len(changed) - 60} more (--json lists them all)", style="dim")
    out.print(Text(f"missing upstream (kept, not removed): {len(missing)}", style="bold"))
    for m in missing[:20]:
        out.print(f"  ? {m['key']} (cited by {', '.join(m['cited_by'][:3])})")
    if r.get("previous_problem"):
        note(f"the previous layer was unusable and is replaced: {r['previous_problem']}")
    if r["written"]:
        note(f"wrote {r['layer']}: every command now uses it (--no-refresh ignores it)")
    else:
        note("dry run: nothing was written")


def catalog_status(doc: dict[str, Any]) -> None:
    c = doc["catalog"]
    out.print(f"curated catalog: {c['models']:,} models, checked up to {c['verified']}")
    layer = doc["layer"]
    if layer is None:
        out.print(
            f"refresh layer: none (run 'llmpick catalog refresh'; it goes to {doc['layer_path']})"
        )
    else:
        state = "in force" if doc["in_force"] else "ignored (--no-refresh)"
        out.print(f"refresh layer: {layer['fetched']}, {state}, {doc['layer_path']}")
        for name, s in layer["sources"].items():
            out.print(f"  {name}: {s['entries']:,} entries read {s['fetched']} from {s['url']}")
        facts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in layer["changed_facts"].items())
        out.print(
            f"  changes {layer['changed_models']} curated models ({facts or 'nothing'}); "
            f"confirms {layer['confirmed_prices']} prices"
        )
        u = doc["unreviewed"]
        by = ", ".join(f"{p} {n}" for p, n in u["by_provider"].items())
        out.print(f"  adds {u['total']} unreviewed API models" + (f": {by}" if by else ""))
    if doc["layer_problem"]:
        err.print(f"warning: {doc['layer_problem']}", style="yellow")
    if doc["warning"]:
        err.print(f"warning: {doc['warning']}", style="yellow")
    else:
        days = doc["age_days"]
        out.print(f"data age: {days} day{'s' if days != 1 else ''} (a warning comes after 90)")
