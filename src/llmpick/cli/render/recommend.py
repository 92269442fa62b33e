"""`llmpick recommend`: the shortlist, its reasons, caveats and ways to run."""

from __future__ import annotations

import re
import shlex
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text

from llmpick.cli.render.layout import (
    COMMERCIAL_STYLE,
    UNREVIEWED_MARK,
    UNREVIEWED_NOTE,
    Cell,
    Col,
    context_cell,
    hang,
    listed,
    out,
    overlays_notice,
    table,
)
from llmpick.output.markdown import requirement_items
from llmpick.units import (
    format_memory,
    format_score,
    format_size,
    format_tokens,
    format_usd,
)
from llmpick.vocabulary import UNREVIEWED_LICENSE

if TYPE_CHECKING:
    from llmpick.output.contract_types import (
        Candidate,
        Cited,
        DecodingDoc,
        RequirementsDoc,
        RunLine,
        Shortlist,
    )


def _memory(c: Candidate) -> str:
    gb = c.get("memory_gb")
    if gb is None:
        return "-"
    return f"{format_memory(gb, fixed=True)} {c['quantization']}"


def _said(r: Cited) -> tuple[str, str]:
    return (r["text"], r["guide"])


def _weight(r: Cited) -> float:
    """How much a reason moved the score; a caveat has no weight (0)."""
    return r.get("weight") or 0.0


def _shared(cands: list[Candidate]) -> set[tuple[str, str]]:
    """Reasons and caveats every candidate carries (said once above the list)."""
    if len(cands) < 2:
        return set()
    sets = [{_said(r) for r in (*c["reasons"], *c["caveats"])} for c in cands]
    return set.intersection(*sets)


# which caveat to show when only one fits: an unreviewed entry, licence terms, then
# lifecycle, then memory and quantization, then unmeasured quality
_CAVEAT_ORDER = ("unreviewed", "licence", "lifecycle", "hardware", "published results")


def _caveat_rank(r: Cited) -> int:
    first = r["text"].split(":")[0].split()[0] if r["text"].strip() else ""
    key = first if first in ("unreviewed", "licence") else r.get("rule", "")
    return _CAVEAT_ORDER.index(key) if key in _CAVEAT_ORDER else len(_CAVEAT_ORDER)


def ref(text: str, guide: str) -> Text:
    return Text.assemble(f"{text} ", (f"§{guide}", "cyan"))


_MARK = 5  # "   + " before each reason or caveat


def _brief(text: str, guide: str) -> str:
    """``text`` on one line, or cut after a sentence or a ';' to fit one line, or else
    cut at a clause (failing that, a word) to fit two lines (three below 70 columns); a
    cut ends in ' …' (--long says it all). A leading 'what: ' (such as 'licence gemma: ')
    is always kept, and a cut that would save only a few words is not made."""
    room = max(20, out.width - _MARK)
    most = 2 if out.width >= 70 else 3

    def fits(t: str, lines: int) -> bool:
        return len(ref(t, guide).wrap(out, room, overflow="fold")) <= lines

    if fits(text, 1):
        return text
    head = text.find(": ") + 2 if ": " in text else 0
    tries = ((r"[.;](?=\s)", 1), (r"[.;](?=\s)", most), (r"\s", most))
    for n, (pattern, lines) in enumerate(tries):
        if n == 1 and fits(text, lines):
            return text
        for m in reversed(list(re.finditer(pattern, text))):
            short = text[: m.end() if n < 2 else m.start()].rstrip(" ,-")
            if n == 2:  # a cut between words does not end on a word that leads on
                short = re.sub(r"(?:\s+(?:a|an|and|by|for|in|of|or|the|to|with))+$", "", short)
            short += " …"
            if n == 2 and len(short) > 0.75 * len(text):
                continue  # too little saved for a word cut
            if m.start() > head and fits(short, lines):
                return short
    return text  # no cut fits: say it whole


REC_COLS = (
    Col("#", justify="right"),
    Col("model", style="bold"),
    Col("provider", drop=1),
    Col("context", justify="right", drop=2),
    Col("flavour", drop=3),
    Col("commercial", drop=4),
    Col("size", justify="right", drop=5),
    Col("cost/month", justify="right", drop=6),
    Col("memory", justify="right", drop=7),
    Col("score", justify="right"),
)


def _unreviewed(c: Candidate) -> bool:
    return c["license"]["id"] == UNREVIEWED_LICENSE


def recommendation(doc: Shortlist, long: bool = False) -> None:
    """The shortlist: a table, what every candidate shares (once), then per model its
    strongest reasons, its key caveat and how to run it; ``long``: everything."""
    overlays_notice(doc["catalog"]["overlays"])
    cands = doc["candidates"]
    asked = [n if t is None else f"{n}={t}" for n, t in requirement_items(doc["requirements"])]
    listed("Shortlist for: ", asked or ["no constraints"], style="bold")
    for line in doc["requirements"].get("resolved", []):
        hang("  ", Text(f"({line})", style="dim"), indent=3)
    if cands:
        _shortlist(cands, long, snippet_args(doc["requirements"]))
    else:
        _nothing_passed(doc)
    warning = doc["catalog"].get("warning")
    if warning:
        hang("", Text(f"warning: {warning}", style="yellow"), indent=2)
    _left_out(doc)
    if cands and not long:
        hang(
            "",
            Text(
                "More: --long (every reason, caveat and way to run) or 'llmpick why MODEL'.",
                style="dim",
            ),
        )


def _shortlist(cands: list[Candidate], long: bool, args: str) -> None:
    """The table, what every candidate shares (said once), then each candidate."""
    _table(cands)
    out.print()
    shared = _shared(cands)
    said = [r for r in (*cands[0]["reasons"], *cands[0]["caveats"]) if _said(r) in shared]
    for r in said:
        hang(Text("All: " if r is said[0] else "     ", style="bold"), ref(*_said(r)))
    terms: dict[str, int | None] = {}
    decodes: dict[tuple[str, int | None], int | None] = {}
    for c in cands:
        hang("", _title(c, long), indent=3)
        explained(c, long=long, skip=shared, terms=terms)
        _running(c, long=long, decodes=decodes, args=args)


def _table(cands: list[Candidate]) -> None:
    """One row per candidate; the memory and cost columns only when some have one."""
    has_mem = any("memory_gb" in c for c in cands)
    has_cost = any(c.get("monthly_cost") for c in cands)
    cols = [
        c
        for c in REC_COLS
        if (c.header != "memory" or has_mem) and (c.header != "cost/month" or has_cost)
    ]
    rows = []
    for c in cands:
        lic = c["license"]["commercial_use"]
        cost = c.get("monthly_cost")
        cells: dict[str, Cell] = {
            "#": str(c["rank"]),
            "model": c["id"] + (UNREVIEWED_MARK if _unreviewed(c) else ""),
            "provider": c["provider"],
            "context": context_cell(c["context_window"]),
            "flavour": c["flavour"],
            "commercial": Text(lic, style=COMMERCIAL_STYLE[lic]),
            "size": format_size(c.get("params_b"), c.get("active_params_b")),
            "cost/month": format_usd(cost["usd"]) if cost else "-",
            "memory": _memory(c),
            "score": format_score(c["score"]),
        }
        rows.append([cells[col.header] for col in cols])
    out.print()
    table(cols, rows)
    if any(_unreviewed(c) for c in cands):
        out.print(UNREVIEWED_NOTE, style="dim")


def _title(c: Candidate, long: bool) -> Text:
    """'1. Name (family, provider), also: variants', shortened to fit one line."""
    title = f"{c['rank']}. {c['name']} "
    maker = f"({c['family_name']}, {c['provider_name']})"
    others = list(c.get("also") or [])
    also = f", also: {', '.join(others)}" if others else ""
    room = out.width - 3  # hang keeps 3 for its indent
    if cell_len(title + maker + also) > room:
        maker = f"({c['provider_name']})"  # the family is often in the name
    if not long and others and cell_len(title + maker + also) > room:
        # the short answer names the first variant sharing the slot and how many
        # more (--long and JSON name them all), under the title if not beside it
        more = f" +{len(others) - 1}" if len(others) > 1 else ""
        also = f", also: {others[0]}{more}"
    return Text.assemble((title, "bold"), (maker + also, "dim"))


def _nothing_passed(doc: Shortlist) -> None:
    """What blocked every model, and the smallest changes that return some."""
    out.print(Text("No model meets every requirement.", style="bold red"))
    if doc["blocking"]:
        most = ", ".join(
            f"{b['constraint'].replace('_', ' ')} ({b['excluded']})" for b in doc["blocking"][:4]
        )
        hang("", f"Constraints that removed the most models: {most}", indent=2)
    for r in doc["relaxations"]:
        top = r.get("top")
        hang(
            "  ",
            f"try {r['suggestion']}: {r['returns']} model{'s' if r['returns'] != 1 else ''}"
            + (f", e.g. {', '.join(top)}" if top else ""),
            indent=4,
        )


def _left_out(doc: Shortlist) -> None:
    """The models named with --explain that were left out, then the counts by constraint."""
    ex = doc["excluded"]
    for m in ex["models"]:
        out.print(Text(f"\n{m['name']} ({m['id']}) was left out:", style="bold"))
        for x in m["reasons"]:
            hang("   x ", ref(f"{x['constraint'].replace('_', ' ')}: {x['text']}", x["guide"]))
    if ex["by_constraint"]:
        counts = [f"{k.replace('_', ' ')} {n}" for k, n in ex["by_constraint"].items()]
        out.print()
        lead = f"{doc['passed']} of {doc['considered']} models passed; left out by "
        listed(lead, counts, end=".", indent=0, style="dim")


def explained(
    c: Candidate,
    long: bool = True,
    skip: set[tuple[str, str]] | None = None,
    terms: dict[str, int | None] | None = None,
) -> None:
    """Reasons (+ raised the score, - lowered it, · stated) and caveats (!), with their §.

    Short: the strongest two reasons and the one caveat that matters most (a
    reason that lowered the score counts as a caveat), each in at most two lines, and
    licence terms already given for a higher-ranked model (``terms``: text -> rank)
    referred to rather than repeated. A caveat that repeats a reason is said once."""
    skip = skip or set()
    reasons = [r for r in c["reasons"] if _said(r) not in skip]
    stated = {r["text"] for r in reasons}
    caveats = [r for r in c["caveats"] if _said(r) not in skip and r["text"] not in stated]
    if not long:
        good = sorted((r for r in reasons if _weight(r) > 0), key=lambda r: -_weight(r))
        bad = [r for r in reasons if _weight(r) < 0] + caveats
        bad.sort(key=lambda r: (_caveat_rank(r), _weight(r)))
        reasons = good[:2]
        caveats = bad[:1]

    def said(r: Cited) -> Text:
        text = r["text"]
        if long:
            return ref(text, r["guide"])
        if terms is not None and text.startswith("licence ") and ": " in text:
            if text in terms:
                text = f"{text.split(': ')[0]}: the terms given for #{terms[text]}"
            else:
                terms[text] = c.get("rank", 0)
        return ref(_brief(text, r["guide"]), r["guide"])

    for r in reasons:
        sign = "+" if _weight(r) > 0 else "-" if _weight(r) < 0 else "·"
        hang(Text(f"   {sign} ", style="yellow" if sign == "-" else ""), said(r))
    for r in caveats:
        mark = "-" if _weight(r) < 0 else "!"
        hang(Text(f"   {mark} ", style="yellow"), said(r))


def _ways(c: Candidate) -> list[str]:
    ways = c["how_to_load"]
    ollama, hf = ways.get("ollama"), ways.get("transformers")
    api, clouds = ways.get("api"), ways.get("platforms")
    parts = []
    if ollama:
        parts.append(ollama["command"])
    if hf:
        parts.append(f"transformers: {hf['repo']}")
    if api:
        parts.append(f"API: {api['model']}")
    if clouds:
        parts += [f"{p}: {i}" for p, i in sorted(clouds["ids"].items())]
    return parts


def snippet_args(req: RequirementsDoc) -> str:
    """The options that make `show --snippet` follow an answer: its task (decoding), its
    hardware and precision (the estimate), its context (the token budget)."""
    from llmpick.engine.placement import gpus_said

    memory, gpus, context = req["gpu_memory"], req["gpus"], req["min_context"]
    given = {
        "--task": req["task"],
        "--gpu-memory": None if memory is None else f"{memory:g}",
        "--gpus": gpus_said(gpus).removesuffix(" GB") if gpus else None,
        "--quantization": None if req["quantization"] == "auto" else req["quantization"],
        "--min-context": None if context is None else str(context),
    }
    return " ".join(f"{flag} {shlex.quote(v)}" for flag, v in given.items() if v is not None)


def _hardware(c: Candidate) -> str:
    """What the answer was sized for: gpu (one), gpus, unified (a Mac) or cpu."""
    placement = c.get("placement")
    return placement["hardware"] if placement else "gpu"


def _running(
    c: Candidate,
    long: bool = True,
    decodes: dict[tuple[str, int | None], int | None] | None = None,
    args: str | None = None,
) -> None:
    """How to run a candidate (short: the ways that fit on one line), and in full how
    to decode for the task, how to get JSON, and what it costs. ``decodes``: settings
    already given for a higher-ranked model (text -> rank), said again by reference."""
    _ways_to_run(c, long)
    _speed(c, long)
    cost = c.get("monthly_cost")
    if cost:
        tier = "" if cost.get("tier", "list price") == "list price" else cost["tier"] + "; "
        hang(
            Text("   cost: ", style="bold"),
            ref(
                f"about {format_usd(cost['usd'])} a month for {format_tokens(cost['tokens_in'])} "
                f"in / {format_tokens(cost['tokens_out'])} out "
                f"({tier}prices as of {cost['prices_as_of']})",
                "5.3",
            ),
        )
    if not long:
        return
    dec = c.get("decoding")
    if dec:
        _decode(c, dec, decodes, args)
    so = c.get("structured_output")
    if so and so["native"] == "no" and dec:
        hang(Text("   JSON: ", style="bold"), ref(so["how"], "8"))


def _ways_to_run(c: Candidate, long: bool) -> None:
    """The ways to load it on one line (short: those that fit); sized for several GPUs,
    a Mac or the CPU, the commands for that instead (``long``: each with its note)."""
    runs = c.get("run") or []
    hardware = _hardware(c)
    # sized for several GPUs, a Mac or the CPU: the commands for that, nothing else
    # (no CUDA-only way for a Mac)
    parts = _ways(c) if hardware == "gpu" else _commands(runs)
    placement = c.get("placement")
    split = placement["split"] if placement else None
    label = f"   run ({split}): " if hardware != "gpu" and split else "   run: "
    if parts and not long:
        parts = _first_fitting(parts, out.width - len(label))
    if parts and not (long and runs and hardware != "gpu"):
        hang(Text(label, style="bold"), "; ".join(parts))
    if long:
        for r in runs:
            hang(Text(f"   {r['tool']}: ", style="bold"), ref(r["note"], r["guide"]))
            for line in r["command"].splitlines():
                out.print(Text("     " + line), soft_wrap=True)


def _commands(runs: list[RunLine]) -> list[str]:
    """Whole one-line commands first; a multi-step one by its last step (--long: all)."""
    ones = [r["command"] for r in runs if "\n" not in r["command"]]
    return ones + [
        f"{r['command'].splitlines()[-1]} (after converting: --long)"
        for r in runs
        if "\n" in r["command"]
    ]


def _first_fitting(parts: list[str], room: int) -> list[str]:
    """The first part, and those after it while '; '-joined they fit in ``room``."""
    shown = parts[:1]
    for p in parts[1:]:
        if len("; ".join([*shown, p])) > room:
            break
        shown.append(p)
    return shown


def _speed(c: Candidate, long: bool) -> None:
    """How fast it decodes, measured or estimated; unknown said once, in full."""
    speed = c.get("speed")
    if speed:
        if speed["source"] == "measured":
            said = f"{speed['tokens_per_s']:.0f} tokens/s"
            short = f"{said} (measured on your server)"
        else:
            said = f"about {speed['tokens_per_s']:.0f} tokens/s"
            short = f"{said} (an estimate)"
        hang(
            Text("   speed: ", style="bold"),
            ref(f"{said} ({speed['assumption']})", "7") if long else short,
        )
    elif c.get("placement") is not None and long and c.get("rank") == 1:  # said once
        hang(
            Text("   speed: ", style="bold"),
            "unknown: name your GPU or chip with --device for an estimate",
        )


def _decode(
    c: Candidate,
    dec: DecodingDoc,
    decodes: dict[tuple[str, int | None], int | None] | None,
    args: str | None,
) -> None:
    """The decoding for the task (by reference when a higher-ranked model has the same),
    a warning when what it may write outgrows the memory estimate, and the snippet."""
    config = dec.get("generation_config") or dec["api"]
    keys = ", ".join(f"{k}={v}" for k, v in config.items())
    said = f"{dec['strategy']} ({keys})"
    memory = c.get("memory")
    sized = memory["context_tokens"] if memory else None
    new = config.get("max_new_tokens") or 0
    if decodes is not None and (said, sized) in decodes:
        hang(Text("   decode: ", style="bold"), f"as for #{decodes[said, sized]}")
        new = 0  # and its warning with it
    else:
        if decodes is not None:
            decodes[said, sized] = c["rank"]
        hang(Text("   decode: ", style="bold"), ref(said, dec["guide"]))
    cap = dec.get("capped")
    if cap and new:  # what it may write was cut to what the memory estimate holds
        hang(
            Text("   ! ", style="bold yellow"),
            ref(
                f"max_new_tokens {format_tokens(new)}, not {format_tokens(cap['asked'])}: "
                f"the memory above holds {format_tokens(cap['holds'])} tokens, prompt and "
                f"output; --min-context {format_tokens(cap['asked'] * 2)} sizes it for "
                "the full budget",
                "2.1",
            ),
        )
    elif sized and new > sized:  # the memory estimate must hold what it may write
        hang(
            Text("   ! ", style="bold yellow"),
            ref(
                f"it may write up to {format_tokens(new)} tokens, but the memory above "
                f"holds {format_tokens(sized)}: --min-context {format_tokens(new + sized)} "
                "sizes the GPU for both",
                "2.1",
            ),
        )
    if memory and c.get("hf_repo") and args is not None and _hardware(c) == "gpu":
        hang(
            Text("   snippet: ", style="bold"),
            f"llmpick show {c['id']} --snippet transformers {args}".rstrip(),
        )
