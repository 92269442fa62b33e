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
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType
from rich.control import strip_control_codes
from rich.segment import Segment
from rich.text import Span, Text

if TYPE_CHECKING:
    from rich.table import Table

from llmpick.catalog.query import ProviderRow
from llmpick.catalog.records import Catalog, Family, Variant, to_data
from llmpick.cli.emit import MIN_WIDTH, asked_width
from llmpick.output.markdown import requirement_items
from llmpick.safetext import UNSAFE, clean
from llmpick.units import (
    format_memory,
    format_params,
    format_score,
    format_size,
    format_tokens,
    format_usd,
)
from llmpick.vocabulary import PROVIDER_KIND_NAMES, TUNING_NAMES

_ASCII = str.maketrans(
    {
        "→": "->",
        "—": "-",
        "–": "-",
        "…": "...",
        "§": "#",  # one character, so the layout holds: '#2.14' reads as a section
        "•": "*",
        "·": "*",
        "×": "x",
        "█": "#",
        "░": ".",
        "≈": "~",
        "≤": "<=",
        "≥": ">=",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "─": "-",  # table rules and the guide's tree
        "│": "|",
        "├": "+",
        "└": "+",
    }
)


class _DataConsole(Console):
    """A console that treats every string as plain text and removes what a terminal
    would act on (see ``safetext``) from every segment it renders; under an ASCII or
    C locale, glyphs degrade to ASCII instead of failing."""

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        for seg in super().render(renderable, options):
            if seg.control is not None:
                yield seg
                continue
            text = _safe(seg.text, self.encoding)
            yield seg if text is seg.text else Segment(text, seg.style)


def _safe(text: str, encoding: str | None) -> str:
    """``text`` without what a terminal would act on (see ``safetext``), its glyphs
    degraded to ASCII under an encoding that lacks them; ``text`` itself if unchanged."""
    text = clean(text) if UNSAFE.search(text) else text
    encoding = encoding or "ascii"
    if not text.isascii() and not encoding.lower().startswith("utf"):
        text = text.translate(_ASCII).encode(encoding, "replace").decode(encoding)
    return text


def _console(stderr: bool = False) -> Console:
    plain: dict[str, Any] = {"highlight": False, "markup": False, "emoji": False}
    width = asked_width()
    if width is not None:
        return _DataConsole(width=width, stderr=stderr, **plain)
    console = _DataConsole(stderr=stderr, **plain)
    if console.is_terminal:
        if console.width < MIN_WIDTH:
            console.width = 80
        return console
    # piped: do not squeeze tables to 80 columns
    return _DataConsole(width=120, stderr=stderr, **plain)


class _Lazy:
    """The console, made again when the width or colour asked for changes (tests run
    many commands in one process under different COLUMNS)."""

    def __init__(self, stderr: bool = False) -> None:
        self._stderr = stderr
        self._key: tuple[str | None, ...] | None = None
        self._console: Console | None = None

    def get(self) -> Console:
        key = (os.environ.get("COLUMNS"), os.environ.get("NO_COLOR"), str(id(sys.stdout)))
        if self._console is None or key != self._key:
            self._console, self._key = _console(self._stderr), key
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)


def real(console: Console) -> Console:
    """The console behind a lazy proxy: for rich objects that use it as more than a
    set of methods (a live display enters it with ``with``)."""
    return console.get() if isinstance(console, _Lazy) else console


out: Console = cast(Console, _Lazy())
err: Console = cast(Console, _Lazy(stderr=True))


# --- layout: tables that drop columns by priority, lines with a hanging indent ------


@dataclass(frozen=True)
class Col:
    """A table column: ``drop`` 0 never drops; otherwise lower numbers drop first when
    the table does not fit. ``wrap`` columns may wrap between words (never mid-word)."""

    header: str
    justify: Literal["left", "right"] = "left"
    drop: int = 0
    wrap: bool = False
    style: str | None = None


Cell = str | Text


def _plain(cell: Cell) -> str:
    return cell.plain if isinstance(cell, Text) else cell


def _cells(cell: Cell) -> int:
    plain = _plain(cell)
    if "\n" not in plain:
        return cell_len(plain)
    return max(cell_len(line) for line in plain.split("\n"))


def _longest_word(cell: Cell) -> int:
    return max((cell_len(w) for w in _plain(cell).split()), default=0)


GAP = 2  # columns are separated by two spaces


def _text(cell: Cell, style: str | None = None) -> Text:
    return cell.copy() if isinstance(cell, Text) else Text(cell, style=style or "")


def table(cols: Sequence[Col], rows: Sequence[Sequence[Cell]], *, title: str | None = None) -> None:
    """Print a table that fits the width without cutting a value.

    Columns drop in their declared order rather than being cut; ``wrap`` columns wrap
    between words. The first column (the id you type) is never cut: if a few ids are
    much longer than the rest, those ids get a line of their own and their row
    continues below. When even the columns that never drop do not fit, each row is
    printed as one item with its other values on an indented line."""
    width = out.width
    natural = [max([cell_len(c.header), *(_cells(r[i]) for r in rows)]) for i, c in enumerate(cols)]
    least = [
        max([_longest_word(c.header), *(_longest_word(r[i]) for r in rows)]) if c.wrap else n
        for i, (c, n) in enumerate(zip(cols, natural, strict=True))
    ]
    keys = sorted(_cells(r[0]) for r in rows) or [0]
    usual_key = max(cell_len(cols[0].header), keys[int(len(keys) * 0.9)])
    keep = list(range(len(cols)))

    def need(sizes: list[int]) -> int:
        return sum(sizes[i] for i in keep) + GAP * (len(keep) - 1)

    droppable = sorted((i for i, c in enumerate(cols) if c.drop), key=lambda i: cols[i].drop)
    while True:
        if need(least) <= width:
            break
        if need([usual_key, *least[1:]]) <= width:
            least[0] = natural[0] = usual_key
            break
        if not droppable:
            _stacked(cols, rows, title)
            return
        keep.remove(droppable.pop(0))
    sizes = list(natural)
    excess = need(natural) - width
    for i in sorted(keep, key=lambda i: least[i] - natural[i]):
        if excess <= 0:
            break
        take = min(excess, natural[i] - least[i])
        sizes[i] -= take
        excess -= take
    # lines are built as plain strings with style spans: a catalog listing has hundreds
    # of rows, and rich Text objects per cell cost more than the rest of the command
    lines: list[_Piece] = []
    if title:
        for line in Text(title, style="bold").wrap(out, width):
            line.rstrip()
            lines.append(_piece(line))

    gap = " " * GAP
    right = [c.justify == "right" for c in cols]

    def row_lines(cells: Sequence[_Piece]) -> list[_Piece]:
        wrapped: list[list[_Piece]] = []
        for i, cell in zip(keep, cells, strict=True):
            if cols[i].wrap and cell_len(cell[0]) > sizes[i]:
                text = Text(cell[0], spans=cell[1])
                wrapped.append([_piece(t) for t in text.wrap(out, sizes[i], overflow="fold")])
            else:
                wrapped.append([cell])
        result = []
        for n in range(max(len(w) for w in wrapped)):
            plain = ""
            spans: list[Span] = []
            for k, (i, w) in enumerate(zip(keep, wrapped, strict=True)):
                part, part_spans = w[n] if n < len(w) else ("", [])
                part = part.rstrip()
                pad = " " * (sizes[i] - cell_len(part))  # empty when the part is wider
                if k:
                    plain += gap
                if right[i]:
                    plain += pad
                if part_spans:
                    start, end = len(plain), len(part)
                    spans += [
                        Span(start + sp.start, start + min(sp.end, end), sp.style)
                        for sp in part_spans
                        if sp.start < end
                    ]
                plain += part if right[i] else part + pad
            result.append((plain.rstrip(), spans))
        return result

    lines += row_lines([_piece(cols[i].header, "bold") for i in keep])
    lines.append(_piece("─" * need(sizes), "dim"))
    for r in rows:
        cells = [_piece(r[i], cols[i].style) for i in keep]
        if cell_len(cells[0][0]) > sizes[keep[0]]:
            lines.append(cells[0])  # an unusually long id: a line of its own
            cells[0] = ("", [])
        lines += row_lines(cells)
    styled = out.color_system is not None  # piped or a plain terminal: styles show nothing
    plain = "\n".join(line for line, _ in lines)
    if not styled:
        _write_plain(plain)
        return
    spans: list[Span] = []
    offset = 0
    for text, line_spans in lines:
        if styled:
            spans += [Span(offset + sp.start, offset + sp.end, sp.style) for sp in line_spans]
        offset += len(text) + 1
    out.print(Text(plain, spans=spans), soft_wrap=True)


def _write_plain(text: str) -> None:
    """Unstyled text as ``out.print`` would write it (the same cleaning of what a terminal
    would act on, the same ASCII fallback), without rendering it through rich: for a
    listing of 800 rows that rendering was 22 ms, a tenth of the import floor."""
    out.file.write(_safe(text, out.encoding) + "\n")


_Piece = tuple[str, list[Span]]  # text and its style spans, cheaper than a rich Text


def _piece(cell: Cell, style: str | None = None) -> _Piece:
    """A cell as ``_text`` would make it: a string takes ``style``, a Text keeps its own."""
    if isinstance(cell, str):
        if not cell.isprintable():
            cell = strip_control_codes(cell)  # as Text() does, so widths and spans agree
        return cell, [Span(0, len(cell), style)] if style and cell else []
    spans = list(cell.spans)
    if cell.style:
        spans.insert(0, Span(0, len(cell.plain), cell.style))
    return cell.plain, spans


def _stacked(cols: Sequence[Col], rows: Sequence[Sequence[Cell]], title: str | None) -> None:
    """One item per line, for widths where no table fits: the values that never drop
    first, the others as 'header value' on indented lines, never split inside a pair."""
    if title:
        hang("", Text(title, style="bold"))
    for r in rows:
        kept = [(c, _text(r[i], c.style)) for i, c in enumerate(cols) if not c.drop]
        texts = [t for _, t in kept]
        head = Text("  ").join(texts)
        if head.cell_len > out.width and len(kept) > 2:
            # a very long id: the values after it go below it, labelled
            pair = Text("  ").join(texts[:2])
            if pair.cell_len <= out.width:
                out.print(pair, soft_wrap=True)
                rest = kept[2:]
            else:  # not even the rank fits beside it: the id alone (never cut)
                out.print(texts[1], soft_wrap=True)
                rest = [kept[0], *kept[2:]]
            head = Text("    ").append_text(
                Text("  ").join(Text.assemble((f"{c.header} ", "dim"), t) for c, t in rest)
            )
        out.print(head, soft_wrap=True)
        pairs = [
            Text.assemble((f"{c.header} ", "dim"), _text(r[i]))
            for i, c in enumerate(cols)
            if c.drop and _plain(r[i])
        ]
        line = Text("    ")
        for n, pair in enumerate(pairs):
            sep = ", " if n else ""
            comma = 1 if n + 1 < len(pairs) else 0  # the ',' that ends a full line
            if n and line.cell_len + len(sep) + pair.cell_len + comma > out.width:
                out.print(Text.assemble(line, ","), soft_wrap=True)
                line, sep = Text("    "), ""
            line.append(sep)
            line.append_text(pair)
        if pairs:
            out.print(line, soft_wrap=True)


def hang(marker: Text | str, body: Text | str, indent: int | None = None) -> None:
    """``marker`` then ``body`` wrapped between words, continuation lines indented to
    where the body starts (or to ``indent``); only a word longer than a line folds."""
    marker = Text(marker) if isinstance(marker, str) else marker
    body = Text(body) if isinstance(body, str) else body
    ind = marker.cell_len if indent is None else indent
    if out.width - max(ind, marker.cell_len) < 20:
        # a narrow terminal: the marker on a line of its own, the body under it
        alone = marker.copy()
        alone.rstrip()
        out.print(alone, soft_wrap=True)
        ind = min(ind, 6, len(marker.plain) - len(marker.plain.lstrip()) + 2)
        marker = Text(" " * ind)
    room = max(20, out.width - max(ind, marker.cell_len))
    for n, line in enumerate(body.wrap(out, room, overflow="fold")):
        line.rstrip()
        out.print(Text.assemble(marker if n == 0 else " " * ind, line), soft_wrap=True)


def listed(
    lead: str, items: Sequence[str], end: str = "", indent: int = 2, style: str = ""
) -> None:
    """``lead`` then ``items`` joined by ', ' and ``end``, wrapped between items (never
    inside one, such as 'gpu memory=24 GB'), continuation lines indented by ``indent``."""
    lines: list[str] = []
    line = lead
    for n, item in enumerate(items):
        piece = item + (", " if n + 1 < len(items) else end)
        if line.strip() and cell_len(line + piece.rstrip()) > out.width:
            lines.append(line.rstrip())
            line = " " * indent
        line += piece
    lines.append(line.rstrip())
    for text in lines:
        if cell_len(text) > out.width:  # one item wider than the terminal
            hang("", Text(text, style=style), indent=indent)
        else:
            out.print(Text(text, style=style), soft_wrap=True)


def raw(text: str) -> None:
    """Text written exactly as it is: no wrapping, cropping or styling (snippets)."""
    text = clean(text)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def overlays_notice(paths: Sequence[str] | None = None) -> None:
    """Say on stderr which overlays the answer rests on: an overlay is somebody else's
    text and may change facts. ``paths`` default to those of the loaded catalog."""
    if paths is None:
        from llmpick.cli.state import state

        cat = state.__dict__.get("catalog")  # only if a command loaded it
        if cat is None:
            return
        from llmpick.catalog.records import provenance

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


def _context(n: int | None) -> str:
    return "n/p" if n is None else format_tokens(n)


PROVIDER_COLS = (
    Col("id", style="bold"),
    Col("provider", wrap=True, drop=3),
    Col("families", justify="right", drop=1),
    Col("models", justify="right", drop=2),
    Col("access", wrap=True, drop=4),
)


def providers(groups: dict[str, list[ProviderRow]]) -> None:
    overlays_notice()
    for kind, rows in groups.items():
        if not rows:
            out.print(Text(KIND_TITLES[kind], style="bold"))
            out.print("  (none in the catalog)\n")
            continue
        table(
            PROVIDER_COLS,
            [
                (
                    r.provider.id,
                    r.provider.name,
                    str(r.families),
                    str(r.variants),
                    ", ".join(r.provider.channels),
                )
                for r in rows
            ],
            title=KIND_TITLES[kind],
        )
        out.print()


def models(catalog: Catalog, variants: Sequence[Variant], matched: int | None = None) -> None:
    """The models table; ``matched`` counts the models found when --limit kept fewer."""
    overlays_notice()
    if not variants:
        out.print("no model matches; try fewer words or filters", style="dim")
        return
    more = (matched or 0) - len(variants)
    _models(
        catalog,
        variants,
        f"{len(variants)} of {matched} models; {more} more "
        f"{'matches' if more == 1 else 'match'} (raise --limit to see them)"
        if more > 0
        else None,
    )


# ids you type never drop; status says whether it is still served
MODEL_COLS = (
    Col("id", style="bold"),
    Col("family", wrap=True, drop=1),
    Col("flavour", drop=5),
    Col("params", justify="right", drop=4),
    Col("context", justify="right", drop=2),
    Col("weights", drop=3),
    Col("commercial", drop=6),
    Col("status"),
)


def _models(catalog: Catalog, variants: Sequence[Variant], footer: str | None = None) -> None:
    rows = []
    for v in variants:
        lic = catalog.licenses[v.license]
        rows.append(
            (
                v.id,
                catalog.families[v.family].name,
                v.flavour,
                format_size(v.params_b, v.active_params_b),
                _context(v.context_window),
                "open" if v.open_weights else "API",
                Text(lic.commercial_use, style=COMMERCIAL_STYLE[lic.commercial_use]),
                Text(v.status, style=STATUS_STYLE[v.status]),
            )
        )
    table(MODEL_COLS, rows)
    out.print(footer or f"{len(variants)} models", style="dim")


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


def variant(catalog: Catalog, v: Variant) -> None:
    from llmpick.catalog.records import overlay_facts

    overlays_notice()
    fam = catalog.families[v.family]
    lic = catalog.licenses[v.license]
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
    params = "not published"
    if v.params_b:
        params = format_params(v.params_b) + (
            f" ({format_params(v.active_params_b)} active)" if v.active_params_b else ""
        )
    _kv(t, "parameters", params)
    _kv(t, "context", _tokens_exact(v.context_window) if v.context_window else "not published")
    if v.max_output:
        _kv(t, "max output", _tokens_exact(v.max_output))
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
        from llmpick.catalog.query import successor_chain

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
        _kv(
            t,
            "price",
            f"{format_usd(p.input)} in / {format_usd(p.output)} out per 1M tokens "
            f"(as of {p.as_of})",
        )
    for e in v.evidence:
        when = f", {e.date}" if e.date else ""
        _kv(t, "evidence", f"{e.benchmark}: {e.score:g}{' ' + e.metric if e.metric else ''}{when}")
    _kv(t, "notes", v.notes)
    _kv(t, "verified", str(v.verified))
    _refreshed(catalog, v, t)
    out.print(t)  # emit drops the blanks rich pads a grid's lines with
    if v.sources:
        # a citation is printed whole, never folded or cut, so it can be copied
        out.print(Text("sources", style="dim"))
        for src in v.sources:
            out.print(Text(f"  {src}"), soft_wrap=True)


def family(catalog: Catalog, fam: Family) -> None:
    overlays_notice()
    prov = catalog.providers[fam.provider]
    out.print(Text(fam.name, style="bold"), Text(f"  ({fam.id}, {prov.name})", style="dim"))
    out.print(fam.description)
    from llmpick.catalog.query import successor_chain

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
        f"{len(catalog.families)} families, {len(catalog.variants)} models",
        soft_wrap=not out.is_terminal,  # one line in a pipe or a log, however long the path
    )


def coverage(data: dict[str, Any]) -> None:
    """The share of active models that carry each fact the advice reads."""
    from rich import box
    from rich.table import Table

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


def note(text: str) -> None:
    err.print(text, style="dim")


def _memory(c: dict[str, Any]) -> str:
    if "memory_gb" not in c:
        return "-"
    return f"{format_memory(c['memory_gb'], fixed=True)} {c['quantization']}"


def _said(r: dict[str, Any]) -> tuple[str, str]:
    return (r["text"], r["guide"])


def _shared(cands: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """Reasons and caveats every candidate carries (said once above the list)."""
    if len(cands) < 2:
        return set()
    sets = [{_said(r) for r in (*c["reasons"], *c["caveats"])} for c in cands]
    return set.intersection(*sets)


# which caveat to show when only one fits: an unreviewed entry, licence terms, then
# lifecycle, then memory and quantization, then unmeasured quality
_CAVEAT_ORDER = ("unreviewed", "licence", "lifecycle", "hardware", "published results")


def _caveat_rank(r: dict[str, Any]) -> int:
    first = r["text"].split(":")[0].split()[0] if r["text"].strip() else ""
    key = first if first in ("unreviewed", "licence") else r.get("rule", "")
    return _CAVEAT_ORDER.index(key) if key in _CAVEAT_ORDER else len(_CAVEAT_ORDER)


def _ref(text: str, guide: str) -> Text:
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
        return len(_ref(t, guide).wrap(out, room, overflow="fold")) <= lines

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


def recommendation(doc: dict[str, Any], long: bool = False) -> None:
    """The shortlist: a table, what every candidate shares (once), then per model its
    strongest reasons, its key caveat and how to run it; ``long``: everything."""
    overlays_notice(doc["catalog"]["overlays"])
    cands = doc["candidates"]
    asked = [n if t is None else f"{n}={t}" for n, t in requirement_items(doc["requirements"])]
    listed("Shortlist for: ", asked or ["no constraints"], style="bold")
    for line in doc["requirements"].get("resolved", []):
        hang("  ", Text(f"({line})", style="dim"), indent=3)
    if cands:
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
                "model": c["id"],
                "provider": c["provider"],
                "context": _context(c["context_window"]),
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
        out.print()
        shared = _shared(cands)
        said = [r for r in (*cands[0]["reasons"], *cands[0]["caveats"]) if _said(r) in shared]
        for r in said:
            hang(Text("All: " if r is said[0] else "     ", style="bold"), _ref(*_said(r)))
        terms: dict[str, int] = {}
        decodes: dict[tuple[str, int | None], int] = {}
        for c in cands:
            title = f"{c['rank']}. {c['name']} "
            maker = f"({c['family_name']}, {c['provider_name']})"
            if cell_len(title + maker) > out.width - 3:  # hang keeps 3 columns for its indent
                maker = f"({c['provider_name']})"  # the family is often in the name
            hang("", Text.assemble((title, "bold"), (maker, "dim")), indent=3)
            _explained(c, long=long, skip=shared, terms=terms)
            _running(c, long=long, decodes=decodes)
    else:
        out.print(Text("No model meets every requirement.", style="bold red"))
        if doc["blocking"]:
            most = ", ".join(f"{b['constraint']} ({b['excluded']})" for b in doc["blocking"][:4])
            hang("", f"Constraints that removed the most models: {most}", indent=2)
        for r in doc["relaxations"]:
            hang(
                "  ",
                f"try {r['suggestion']}: {r['returns']} model{'s' if r['returns'] != 1 else ''}"
                + (f", e.g. {', '.join(r['top'])}" if r.get("top") else ""),
                indent=4,
            )
    if doc["catalog"].get("warning"):
        hang("", Text(f"warning: {doc['catalog']['warning']}", style="yellow"), indent=2)
    ex = doc["excluded"]
    for m in ex["models"]:
        out.print(Text(f"\n{m['name']} ({m['id']}) was left out:", style="bold"))
        for x in m["reasons"]:
            hang("   x ", _ref(f"{x['constraint']}: {x['text']}", x["guide"]))
    if ex["by_constraint"]:
        counts = [f"{k.replace('_', ' ')} {n}" for k, n in ex["by_constraint"].items()]
        out.print()
        lead = f"{doc['passed']} of {doc['considered']} models passed; left out by "
        listed(lead, counts, end=".", indent=0, style="dim")
    if cands and not long:
        hang(
            "",
            Text(
                "More: --long (every reason, caveat and way to run) or 'llmpick why MODEL'.",
                style="dim",
            ),
        )


def _explained(
    c: dict[str, Any],
    long: bool = True,
    skip: set[tuple[str, str]] | None = None,
    terms: dict[str, int] | None = None,
) -> None:
    """Reasons (+ raised the score, - lowered it, · stated) and caveats (!), with their §.

    Short: the strongest two or three reasons and the one caveat that matters most (a
    reason that lowered the score counts as a caveat), each in at most two lines, and
    licence terms already given for a higher-ranked model (``terms``: text -> rank)
    referred to rather than repeated. A caveat that repeats a reason is said once."""
    skip = skip or set()
    reasons = [r for r in c["reasons"] if _said(r) not in skip]
    stated = {r["text"] for r in reasons}
    caveats = [r for r in c["caveats"] if _said(r) not in skip and r["text"] not in stated]
    if not long:
        good = sorted((r for r in reasons if r["weight"] > 0), key=lambda r: -r["weight"])
        bad = [{"rule": r.get("rule", ""), **r} for r in reasons if r["weight"] < 0] + list(caveats)
        bad.sort(key=lambda r: (_caveat_rank(r), r.get("weight", 0)))
        reasons = good[: 3 if not bad else 2]
        caveats = bad[:1]

    def said(r: dict[str, Any]) -> Text:
        text = r["text"]
        if long:
            return _ref(text, r["guide"])
        if terms is not None and text.startswith("licence ") and ": " in text:
            if text in terms:
                text = f"{text.split(': ')[0]}: the terms given for #{terms[text]}"
            else:
                terms[text] = c.get("rank", 0)
        return _ref(_brief(text, r["guide"]), r["guide"])

    for r in reasons:
        sign = "+" if r["weight"] > 0 else "-" if r["weight"] < 0 else "·"
        hang(Text(f"   {sign} ", style="yellow" if sign == "-" else ""), said(r))
    for r in caveats:
        mark = "-" if r.get("weight", 0) < 0 else "!"
        hang(Text(f"   {mark} ", style="yellow"), said(r))


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
                f"score {format_score(doc['score'])}",
                style="green",
            )
        )
    else:
        out.print(Text("excluded:", style="red"))
        for x in doc["exclusions"]:
            hang("   x ", _ref(f"{x['constraint']}: {x['text']}", x["guide"]))
        out.print(Text(f"If it passed, it would score {format_score(doc['score'])}:", style="dim"))
    _explained(doc)
    rules = doc.get("rules") or []
    if rules:
        moved = [r for r in rules if r["points"]]
        points = ", ".join(f"{r['rule']} {r['points']:+g}" for r in moved)
        if len(moved) < len(rules):
            points += f"{', ' if moved else ''}{len(rules) - len(moved)} other rules +0"
        hang(Text("   points by rule (from 50): ", style="dim"), Text(points, style="dim"))


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

    hang(Text(f"§{sec.id} ", style="cyan bold"), Text(sec.title, style="bold"))
    # where the section sits in the original article: a citation, not our heading
    where = sec.heading.removesuffix(" (ours)")
    empty = " (a heading only there: the text is ours)" if where != sec.heading else ""
    hang("", Text(f"in the article: {where}{empty}", style="dim"))
    out.print()
    out.print(Markdown(sec.text))  # emit drops the blanks rich pads its lines with
    if models or rules or terms or sec.sources:
        out.print()
    if models:
        hang(
            Text("Catalog models: ", style="bold"),
            ", ".join(f"{m['name']} ({m['id']})" for m in models),
        )
    if rules:
        out.print(Text("How llmpick uses it:", style="bold"))
        for r in rules:
            hang("  - ", r)
    if terms:
        hang(Text("Terms: ", style="bold"), ", ".join(terms))
    if sec.sources:
        out.print(Text("Sources:", style="bold"))
        for source in sec.sources:
            hang("  ", source)


def _gb(x: float | None) -> str:
    return "unknown" if x is None else format_memory(x, fixed=True)


def fit(doc: dict[str, Any]) -> None:
    overlays_notice()
    size = format_params(doc["params_b"]) + (
        f" ({format_params(doc['active_params_b'])} active)" if doc["active_params_b"] else ""
    )
    out.print(
        Text(
            f"{doc['name']} ({doc['id']}): {size} parameters, "
            f"{format_tokens(doc['context_tokens'])} tokens of context",
            style="bold",
        )
    )
    gpu = doc["gpu_memory_gb"]
    rows = []
    for r in doc["estimates"]:
        fits: Cell = (
            "-"
            if r["fits"] is None
            else Text("yes", style="green")
            if r["fits"]
            else Text("no", style="red")
        )
        row = [
            r["quantization"] + (" (as released)" if r["as_released"] else ""),
            _gb(r["weights_gb"]),
            _gb(r["kv_cache_gb"]),
            _gb(r["overhead_gb"]),
            _gb(r["total_gb"]),
        ]
        rows.append((*row, fits) if gpu is not None else tuple(row))
    cols = [
        Col("quantization"),
        Col("weights", justify="right", drop=2),
        Col("KV cache", justify="right", drop=1),
        Col("overhead", justify="right", drop=1),
        Col("total", justify="right"),
    ]
    if gpu is not None:  # without a GPU to check against, a column of '-' says nothing
        cols.append(Col("fits", justify="right"))
    table(tuple(cols), rows)
    if gpu is not None:
        out.print(f"against {format_memory(gpu)} of GPU memory")
    if doc["method"] == "parameter count":
        out.print(
            Text(
                "estimate: the catalog has no architecture numbers for this model, so the KV cache "
                "is sized from its parameter count; likely totals: "
                + ", ".join(
                    f"{r['quantization']} {r['range_gb'][0]:.1f}-{r['range_gb'][1]:.1f} GB"
                    for r in doc["estimates"]
                ),
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
    """Code to paste: printed raw (no wrapping, cropping or colour) so it parses at any
    width; ``language`` is kept for callers."""
    del language
    raw(text)


def _ways(c: dict[str, Any]) -> list[str]:
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
    return parts


def _running(
    c: dict[str, Any],
    long: bool = True,
    decodes: dict[tuple[str, int | None], int] | None = None,
) -> None:
    """How to run a candidate (short: the ways that fit on one line), and in full how
    to decode for the task, how to get JSON, and what it costs. ``decodes``: settings
    already given for a higher-ranked model (text -> rank), said again by reference."""
    parts = _ways(c)
    if parts and not long:
        room = out.width - len("   run: ")
        shown = parts[:1]
        for p in parts[1:]:
            if len("; ".join([*shown, p])) > room:
                break
            shown.append(p)
        parts = shown
    if parts:
        hang(Text("   run: ", style="bold"), "; ".join(parts))
    cost = c.get("monthly_cost")
    if cost:
        hang(
            Text("   cost: ", style="bold"),
            _ref(
                f"about {format_usd(cost['usd'])} a month for {format_tokens(cost['tokens_in'])} "
                f"in / {format_tokens(cost['tokens_out'])} out "
                f"(prices as of {cost['prices_as_of']})",
                "5.3",
            ),
        )
    if not long:
        return
    dec = c.get("decoding")
    if dec:
        config = dec.get("generation_config") or dec["api"]
        keys = ", ".join(f"{k}={v}" for k, v in config.items())
        said = f"{dec['strategy']} ({keys})"
        sized = (c.get("memory") or {}).get("context_tokens")
        new = config.get("max_new_tokens") or 0
        if decodes is not None and (said, sized) in decodes:
            hang(Text("   decode: ", style="bold"), f"as for #{decodes[said, sized]}")
            new = 0  # and its warning with it
        else:
            if decodes is not None:
                decodes[said, sized] = c["rank"]
            hang(Text("   decode: ", style="bold"), _ref(said, dec["guide"]))
        if sized and new > sized:  # the memory estimate must hold what it may write
            hang(
                Text("   ! ", style="bold yellow"),
                _ref(
                    f"it may write up to {format_tokens(new)} tokens, but the memory above "
                    f"holds {format_tokens(sized)}: --min-context {format_tokens(new + sized)} "
                    "sizes the GPU for both",
                    "2.1",
                ),
            )
    so = c.get("structured_output")
    if so and so["native"] == "no" and dec:
        hang(Text("   JSON: ", style="bold"), _ref(so["how"], "8"))


# --- eval -----------------------------------------------------------------------


class _EvalProgress:
    """A progress bar on stderr (a terminal only) while the requests run."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled = total, enabled and total > 0
        self.failed = 0
        self._progress: Any = None

    def __enter__(self) -> _EvalProgress:
        if self.enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}", markup=False),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                # the console itself: rich's live display enters it as a context
                # manager, which the lazy proxy is not (it crashed in every terminal)
                console=real(err),
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

    def secs(x: float | None) -> str:
        return "–" if x is None else f"{x:.2f}s"

    from rich import box
    from rich.table import Table

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
            format_usd(r["cost_usd"]) + ("*" if r["self_hosted"] else ""),
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
            line.append(format_usd(r["cost_per_answer_usd"]).rjust(9) + "  ")
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
                f"{j['errors']} errors, cost {format_usd(j['cost_usd'])}",
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
        return f"{format_usd(value[0])} in / {format_usd(value[1])} out"
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
