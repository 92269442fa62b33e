"""The one way a command hands over its answer: JSON, or text for a person (paged
when it is taller than the terminal), written whole so that a closed pipe or a full
disk is handled in one place. Imports rich only for human output.

Every command ends with ``emit(doc, json=json, human=...)``: ``human`` prints the answer
for a person with the command's renderer (``cli/render/<command>.py``), which it imports
itself, so that JSON output never loads rich.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import sys
import textwrap
from collections.abc import Callable
from typing import Any

from llmpick.errors import WriteError
from llmpick.jsonsafe import dumps

DEFAULT_PAGER = "less -FRX"

MIN_WIDTH = 40  # narrower (or COLUMNS=0 or nonsense) is treated as 80


def asked_width() -> int | None:
    """The width COLUMNS asks for (80 when it is tiny or nonsense), or None if unset."""
    raw = os.environ.get("COLUMNS")
    if raw is None:
        return None
    n = int(raw) if raw.strip().isdigit() else 0
    return n if n >= MIN_WIDTH else 80


def terminal_width() -> int:
    """The width to wrap stderr notes to: COLUMNS, else the terminal's, else 80."""
    asked = asked_width()
    if asked is not None:
        return asked
    width = shutil.get_terminal_size((80, 24)).columns
    return width if width >= MIN_WIDTH else 80


def hanging(text: str, first: str, rest: str) -> str:
    """``text`` wrapped between words to the terminal's width, its first line after
    ``first`` and the others after ``rest``; a path or an id is never split."""
    lines = textwrap.wrap(
        text,
        terminal_width() - 1,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return "\n".join(lines) or first.rstrip()


_TRAILING = re.compile(r"[ \t]+((?:\x1b\[[0-9;]*m)*)\Z")


def _trimmed(text: str) -> str:
    """``text`` without blanks at the ends of its lines, before any closing colour code
    (a plain rstrip where a line has none: a regex over a long table costs ~35 ms)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.endswith("m") and "\x1b" in line:
            lines[i] = _TRAILING.sub(r"\1", line)
        else:
            lines[i] = line.rstrip(" \t")
    return "\n".join(lines)


def emit(
    doc: Any,
    *,
    json: bool,
    human: Callable[[], object] | None = None,
    page: bool = False,
    pretty: bool | None = None,
) -> None:
    """Write a command's answer to stdout.

    ``json``: the document as JSON (``doc`` may be a function that builds it, so human
    output does not pay for it), pretty for a terminal and compact for a pipe unless
    ``pretty`` says otherwise. Otherwise ``human()`` prints it for a person; with
    ``page``, through the user's pager when stdout is a terminal and the text is taller
    than it. JSON is never paged. A reader that went away (``| head``) ends the output
    quietly; any other write failure raises WriteError ("cannot write output")."""
    if json or human is None:
        data = doc() if callable(doc) else doc
        out = _stdout()
        _write(dumps(data, pretty=out.isatty() if pretty is None else pretty) + "\n")
        return
    # rich pads wrapped and gridded lines out to the width: trailing blanks (before any
    # closing colour code) are noise in a terminal and in a diff of saved output
    text = _trimmed(_captured(human))
    pager = pager_command() if page and _stdout().isatty() else None
    if pager is not None and text.count("\n") >= shutil.get_terminal_size().lines:
        _page(pager, text)
    else:
        _write(text)


def stdin_is_terminal() -> bool:
    """Whether a person can answer on stdin: not when it is closed (``<&-``), missing
    or not a terminal."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):  # closed
        return False


def notice(text: str) -> None:
    """A note or warning for a person on stderr, leaving stdout to the data: in a
    terminal wrapped between words with a hanging indent after its label ('note: '),
    as errors are (the terminal itself broke it mid-word); to a pipe, one line."""
    text = "".join(ch for ch in text if ch.isprintable())
    err = sys.stderr
    if err is not None and err.isatty():
        label, sep, rest = text.partition(": ")
        if sep and len(label) <= 12:
            text = hanging(rest, label + sep, " " * len(label + sep))
        else:
            text = hanging(text, "", "  ")
    err.write(text + "\n")


def pager_command() -> str | None:
    """The pager to use: LLMPICK_PAGER, else PAGER, else 'less -FRX' if less is
    installed. Set but empty (or 'cat') means none."""
    for name in ("LLMPICK_PAGER", "PAGER"):
        if name in os.environ:
            cmd = os.environ[name].strip()
            return None if cmd in ("", "cat") else cmd
    return DEFAULT_PAGER if shutil.which("less") else None


class _Capture(io.StringIO):
    """Collects what a command prints while answering like the real stdout about being
    a terminal, its encoding and its size, so the text is the same as if printed."""

    def __init__(self, real: Any) -> None:
        super().__init__()
        self._real = real

    def isatty(self) -> bool:
        return bool(self._real.isatty())

    def fileno(self) -> int:
        return int(self._real.fileno())

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self._real, "encoding", None) or "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self._real, "errors", None)


def _captured(produce: Callable[[], object]) -> str:
    real = _stdout()
    buffer = _Capture(real)
    sys.stdout = buffer
    try:
        produce()
    finally:
        sys.stdout = real
    return buffer.getvalue()


def _stdout() -> Any:
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        raise WriteError("cannot write output: standard output is closed")
    return sys.stdout


def _write(text: str) -> None:
    out = _stdout()
    try:
        out.write(text)
        out.flush()
    except BrokenPipeError:
        discard_stdout()  # the reader went away (`| head`): nothing more to say
    except OSError as exc:
        discard_stdout()
        raise WriteError(f"cannot write output: {_reason(exc)}") from None


def _reason(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    return reason[:1].lower() + reason[1:]


def discard_stdout() -> None:
    """Point stdout at /dev/null so that later flushes (ours and the interpreter's at
    exit) succeed instead of failing again on a closed pipe or a full disk."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _page(command: str, text: str) -> None:
    """Show ``text`` through ``command`` (run by the shell, as git does); if the pager
    cannot be started, print the text instead."""
    import signal
    import subprocess

    env = dict(os.environ)
    env.setdefault("LESS", "FRX")  # a bare 'less' still quits at one screen, keeps colour
    env.setdefault("LV", "-c")
    out = _stdout()
    try:
        out.flush()
        proc = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        _write(text)
        return
    try:  # Ctrl-C belongs to the pager while it runs (less uses it to stop a search)
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        previous = None
    try:
        assert proc.stdin is not None
        data = text.encode(getattr(out, "encoding", None) or "utf-8", "replace")
        try:
            proc.stdin.write(data)
            proc.stdin.close()
        except BrokenPipeError:
            pass  # the user quit the pager before the end
        code = proc.wait()
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    if code in (126, 127):  # the shell could not find or run it: say so, print instead
        notice(f"pager {command!r} could not be run; printing instead (--no-pager)")
        _write(text)
