"""``--export FILE``, one writer for every command that has it: Markdown for a ``.md``
file, else JSON through the same writer as ``--json`` (terminal controls escaped, NaN
refused), written atomically, with one set of messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llmpick.cli.emit import dumps
from llmpick.errors import UsageError

SUFFIXES = (".json", ".md")


def check(path: str | None, inputs: dict[str, str | None] | None = None) -> None:
    """Refuse, before any work is done, an export file whose kind we cannot tell, or
    one that is a file the command reads (``inputs``: option -> path): ``-r req.json
    --export req.json`` replaced the requirements with the answer."""
    if path is None:
        return
    if not path.lower().endswith(SUFFIXES):
        raise UsageError(f"invalid value for --export: {path!r}; the file must end in .json or .md")
    import os

    for option, given in (inputs or {}).items():
        if given is None:
            continue
        try:
            same = os.path.samefile(path, given)
        except OSError:
            same = os.path.realpath(path) == os.path.realpath(given)
        if same:
            raise UsageError(
                f"--export {path} is the file {option} reads; it would be overwritten",
                hint="export to another file",
            )


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
