"""What every renderer shares: the two consoles (stdout, stderr), tables that drop
columns by priority, lines with a hanging indent, notes.

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
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType
from rich.control import strip_control_codes
from rich.segment import Segment
from rich.text import Span, Text

from llmpick.cli.emit import MIN_WIDTH, asked_width
from llmpick.safetext import UNSAFE, clean
from llmpick.units import (
    format_tokens,
    format_usd,
)

if TYPE_CHECKING:
    from typing import TypedDict

    from llmpick.catalog.refresh_types import FactValue

    class _Plain(TypedDict):
        """Every string is plain text: no highlighting, no markup, no emoji codes."""

        highlight: bool
        markup: bool
        emoji: bool


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

# a model a refresh added, whose facts llmpick has not reviewed, in every table
UNREVIEWED_MARK = "*"
UNREVIEWED_NOTE = "* unreviewed: added by 'llmpick catalog refresh'; facts not checked by llmpick"


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
    plain: _Plain = {"highlight": False, "markup": False, "emoji": False}
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

    def __getattr__(self, name: str) -> Any:  # a proxy: `out` and `err` are typed Console
        return getattr(self.get(), name)


def real(console: Console) -> Console:
    """The console behind a lazy proxy: for rich objects that use it as more than a
    set of methods (a live display enters it with ``with``)."""
    return console.get() if isinstance(console, _Lazy) else console


out: Console = cast(Console, _Lazy())


err: Console = cast(Console, _Lazy(stderr=True))


@dataclass(frozen=True)
class Col:
    """A table column: ``drop`` 0 never drops; otherwise lower numbers drop first when
    the table does not fit. ``wrap`` columns may wrap between words (never mid-word);
    ``wrap_first`` ones give up their width before the others (a list of channels
    rather than a provider's name); a column that would be narrower than ``least``
    drops instead of wrapping onto many lines."""

    header: str
    justify: Literal["left", "right"] = "left"
    drop: int = 0
    wrap: bool = False
    style: str | None = None
    wrap_first: bool = False
    least: int = 0


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
    laid = _layout(cols, rows, width)
    if laid is None:
        _stacked(cols, rows, title)
        return
    keep, sizes = laid
    # lines are built as plain strings with style spans: a catalog listing has hundreds
    # of rows, and rich Text objects per cell cost more than the rest of the command
    lines: list[_Piece] = []
    if title:
        for line in Text(title, style="bold").wrap(out, width):
            line.rstrip()
            lines.append(_piece(line))
    lines += _row_lines(cols, keep, sizes, [_piece(cols[i].header, "bold") for i in keep])
    lines.append(_piece("─" * _need(sizes, keep), "dim"))
    for r in rows:
        cells = [_piece(r[i], cols[i].style) for i in keep]
        if cell_len(cells[0][0]) > sizes[keep[0]]:
            lines.append(cells[0])  # an unusually long id: a line of its own
            cells[0] = ("", [])
        lines += _row_lines(cols, keep, sizes, cells)
    _print_lines(lines)


def _need(sizes: list[int], keep: list[int]) -> int:
    """The width the kept columns take at ``sizes``, gaps included."""
    return sum(sizes[i] for i in keep) + GAP * (len(keep) - 1)


def _layout(
    cols: Sequence[Col], rows: Sequence[Sequence[Cell]], width: int
) -> tuple[list[int], list[int]] | None:
    """The columns kept and the width of each, or None when even the columns that never
    drop do not fit. Columns drop in their order; then the widest of the ids gives way
    to the usual one (the others get a line of their own); then ``wrap`` columns narrow
    (``wrap_first`` ones first) down to their longest word."""
    natural = [max([cell_len(c.header), *(_cells(r[i]) for r in rows)]) for i, c in enumerate(cols)]
    least = [
        max([_longest_word(c.header), *(_longest_word(r[i]) for r in rows), min(c.least, n)])
        if c.wrap
        else n
        for i, (c, n) in enumerate(zip(cols, natural, strict=True))
    ]
    keys = sorted(_cells(r[0]) for r in rows) or [0]
    usual_key = max(cell_len(cols[0].header), keys[int(len(keys) * 0.9)])
    keep = list(range(len(cols)))
    droppable = sorted((i for i, c in enumerate(cols) if c.drop), key=lambda i: cols[i].drop)
    while _need(least, keep) > width:
        if _need([usual_key, *least[1:]], keep) <= width:
            least[0] = natural[0] = usual_key
            break
        if not droppable:
            return None
        keep.remove(droppable.pop(0))
    sizes = list(natural)
    excess = _need(natural, keep) - width
    for i in sorted(keep, key=lambda i: (not cols[i].wrap_first, least[i] - natural[i])):
        if excess <= 0:
            break
        take = min(excess, natural[i] - least[i])
        sizes[i] -= take
        excess -= take
    return keep, sizes


def _row_lines(
    cols: Sequence[Col], keep: list[int], sizes: list[int], cells: Sequence[_Piece]
) -> list[_Piece]:
    """One row's lines: ``wrap`` cells wider than their column wrap between words, each
    value padded to its column (right-justified ones on the left)."""
    wrapped: list[list[_Piece]] = []
    for i, cell in zip(keep, cells, strict=True):
        if cols[i].wrap and cell_len(cell[0]) > sizes[i]:
            text = Text(cell[0], spans=cell[1])
            wrapped.append([_piece(t) for t in text.wrap(out, sizes[i], overflow="fold")])
        else:
            wrapped.append([cell])
    gap = " " * GAP
    result = []
    for n in range(max(len(w) for w in wrapped)):
        plain = ""
        spans: list[Span] = []
        for k, (i, w) in enumerate(zip(keep, wrapped, strict=True)):
            part, part_spans = w[n] if n < len(w) else ("", [])
            part = part.rstrip()
            pad = " " * (sizes[i] - cell_len(part))  # empty when the part is wider
            right = cols[i].justify == "right"
            if k:
                plain += gap
            if right:
                plain += pad
            if part_spans:
                start, end = len(plain), len(part)
                spans += [
                    Span(start + sp.start, start + min(sp.end, end), sp.style)
                    for sp in part_spans
                    if sp.start < end
                ]
            plain += part if right else part + pad
        result.append((plain.rstrip(), spans))
    return result


def _print_lines(lines: list[_Piece]) -> None:
    """The table's lines as one text, its styles only where they show."""
    plain = "\n".join(line for line, _ in lines)
    if out.color_system is None:  # piped or a plain terminal: styles show nothing
        _write_plain(plain)
        return
    spans: list[Span] = []
    offset = 0
    for text, line_spans in lines:
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
        _stacked_head([(c, _text(r[i], c.style)) for i, c in enumerate(cols) if not c.drop])
        _stacked_pairs(
            [
                Text.assemble((f"{c.header} ", "dim"), _text(r[i]))
                for i, c in enumerate(cols)
                if c.drop and _plain(r[i])
            ]
        )


def _stacked_head(kept: list[tuple[Col, Text]]) -> None:
    """A stacked row's values that never drop, on one line; after a very long id, the
    values after it go below it, labelled."""
    texts = [t for _, t in kept]
    head = Text("  ").join(texts)
    if head.cell_len > out.width and len(kept) > 2:
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


def _stacked_pairs(pairs: list[Text]) -> None:
    """'header value' pairs on indented lines, comma-separated, wrapped between pairs; a
    pair wider than a line wraps on its own."""
    line = Text("    ")
    for n, pair in enumerate(pairs):
        sep = ", " if line.plain.strip() else ""
        comma = 1 if n + 1 < len(pairs) else 0  # the ',' that ends a full line
        if 4 + pair.cell_len + comma > out.width:  # wider than a line: wrapped alone
            if line.plain.strip():
                out.print(Text.assemble(line, ","), soft_wrap=True)
            hang("    ", Text.assemble(pair, "," if comma else ""), indent=6)
            line = Text("    ")
            continue
        if line.plain.strip() and line.cell_len + len(sep) + pair.cell_len + comma > out.width:
            out.print(Text.assemble(line, ","), soft_wrap=True)
            line, sep = Text("    "), ""
        line.append(sep)
        line.append_text(pair)
    if line.plain.strip():
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


def overlays_notice(paths: Sequence[str]) -> None:
    """Say on stderr which overlays the answer rests on: an overlay is somebody else's
    text and may change facts."""
    if paths:
        err.print(Text(f"overlays in force: {', '.join(paths)}", style="yellow"))


COMMERCIAL_STYLE = {"yes": "green", "conditional": "yellow", "no": "red"}


STATUS_STYLE = {"active": "green", "legacy": "yellow", "deprecated": "red", "retired": "red"}


def context_cell(n: int | None) -> str:
    return "n/p" if n is None else format_tokens(n)


def note(text: str) -> None:
    err.print(text, style="dim")


def fact_text(name: str, value: FactValue) -> str:
    """A fact the refresh changed, old or new: a price pair, a token count, a status."""
    if value is None:
        return "none"
    if name == "price" and isinstance(value, list):  # [input, output] USD per 1M tokens
        return f"{format_usd(value[0])} in / {format_usd(value[1])} out"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
