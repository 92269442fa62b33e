"""Text from data is data: the one owner of how catalog text is made safe to show.

Every string that comes from a catalog, an overlay, a requirements file, a detected
device or an argument may be hostile. Before it reaches a terminal, ``clean`` removes
terminal escape sequences (CSI, OSC, ...), the other C0 and C1 control characters
(newline and tab are kept) and the bidirectional overrides and isolates that can make
text read differently from what it is (U+202A-U+202E, U+2066-U+2069, and the marks
U+200E, U+200F, U+061C). The terminal renderer applies it to every piece of text it
writes; ``md_text`` and ``md_code`` escape text for the Markdown report.
"""

from __future__ import annotations

import re

# a whole escape sequence goes, not just its ESC: CSI (ESC [ ... final), OSC (ESC ] ...
# BEL or ST), the other two-character escapes, and the C1 forms of CSI and OSC
_ESCAPES = (
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[@-Z\\^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
)
_CONTROLS = r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
UNSAFE = re.compile(f"{_ESCAPES}|{_CONTROLS}")


def clean(text: str) -> str:
    """``text`` without escape sequences, control characters (but newline and tab) or
    bidirectional overrides: safe to write to a terminal."""
    return UNSAFE.sub("", text) if UNSAFE.search(text) else text


def one_line(text: str) -> str:
    """``clean`` text on one line (newlines and tabs become spaces)."""
    return " ".join(clean(text).split())


# --- Markdown --------------------------------------------------------------------

# every ASCII punctuation character may be backslash-escaped in CommonMark; these can
# start markup anywhere in a line (emphasis, links, images, code, HTML, entities, table
# cells, strikethrough, a heading's closing #s) ...
_MD_INLINE = re.compile(r"([\\`*_\[\]<>&|#~!])")
# ... and these only at the start of a block (lists, block quotes, setext headings)
_MD_LEADING = re.compile(r"^(\d*)([-+=.)>])")
_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]*")


def md_text(text: object) -> str:
    """Any text as inline Markdown that renders as that text: controls removed, on one
    line (a newline would end a table row or start a heading), every character that
    could start markup or HTML escaped. Safe in a table cell, a list item or a heading."""
    escaped = _MD_INLINE.sub(r"\\\1", one_line(str(text)))
    return _MD_LEADING.sub(r"\1\\\2", escaped)


def md_code(text: object, before: str = "") -> str:
    """An identifier as inline code (after ``before``, e.g. a command), or as escaped
    text if it is not a plain identifier (a backtick or a pipe could end the code span
    or the table cell)."""
    s = str(text)
    return f"`{before}{s}`" if _PLAIN_ID.fullmatch(s) else md_text(before + s)
