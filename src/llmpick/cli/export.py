"""``--export FILE``, one writer for every command that has it: Markdown for a ``.md``
file, else JSON through the same writer as ``--json`` (terminal controls escaped, NaN
refused), written atomically, with one set of messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llmpick.cli.emit import dumps
from llmpick.errors import UsageError

SUFFIXES = (".json", ".md")


def check(path: str | None) -> None:
    """Refuse an export file whose kind we cannot tell, before any work is done."""
    if path is not None and not path.lower().endswith(SUFFIXES):
        raise UsageError(f"invalid value for --export: {path!r}; the file must end in .json or .md")


def write(path: str, doc: Any, markdown: Callable[[Any], str]) -> None:
    """Write ``doc`` to ``path``: ``markdown(doc)`` for a .md file, else pretty JSON."""
    from llmpick.files import write_atomic

    if path.lower().endswith(".md"):
        write_atomic(path, markdown(doc))
    else:
        write_atomic(path, dumps(doc, pretty=True) + "\n")


def written(path: str) -> str:
    """The note a person reads after the answer."""
    return f"wrote {path}"
