"""``--export FILE``, the one writer for every command that has it (``recommend`` and
``eval``): the file's kind comes from its suffix, JSON goes through the same writer as
``--json`` (terminal controls escaped, NaN refused), every file is written atomically,
and every command says the same things: one refusal for a suffix it cannot write, one
for a file the command reads, one note after writing.

A command names its kinds as ``{suffix: renderer}``; ``.json`` is always one of them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from llmpick.errors import UsageError

Renderers = Mapping[str, Callable[[Any], str]]


def _suffixes(kinds: Renderers) -> list[str]:
    return [".json", *(s for s in kinds if s != ".json")]


def check(
    path: str | None, kinds: Renderers, inputs: Mapping[str, str | None] | None = None
) -> None:
    """Refuse, before any work is done, an export file whose kind is not in ``kinds``,
    or one that is a file the command reads (``inputs``: option -> path): ``-r req.json
    --export req.json`` replaced the requirements with the answer."""
    if path is None:
        return
    if Path(path).suffix.lower() not in _suffixes(kinds):
        *first, last = _suffixes(kinds)
        raise UsageError(
            f"invalid value for --export: {path!r}; the file must end in "
            f"{', '.join(first)} or {last}"
        )
    for option, read in (inputs or {}).items():
        if read is None:
            continue
        try:
            same = os.path.samefile(path, read)
        except OSError:
            same = os.path.realpath(path) == os.path.realpath(read)
        if same:
            raise UsageError(
                f"--export {path} is the file {option} reads; it would be overwritten",
                hint="export to another file",
            )


def write(path: str, doc: Any, kinds: Renderers) -> None:
    """Write ``doc`` to ``path`` in the kind its suffix names (checked by ``check``)."""
    from llmpick.files import write_atomic
    from llmpick.jsonsafe import dumps

    render = kinds.get(Path(path).suffix.lower())
    write_atomic(path, render(doc) if render else dumps(doc, pretty=True) + "\n")


def written(path: str) -> str:
    """The note a person reads after the answer."""
    return f"wrote {path}"
