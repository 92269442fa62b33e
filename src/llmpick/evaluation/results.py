"""The results file: one JSON line per (target, case, repeat), appended as each
request completes and flushed, so an interrupted run loses nothing.

A record holds what was asked and answered, never an API key or header value. On
``--resume`` the answered records are kept and skipped; errors and records made for
a case or target that has since changed are run again (the newest line wins).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from pathlib import Path
from typing import IO, Any

from llmpick.errors import UsageError, WriteError
from llmpick.jsonsafe import loads

Key = tuple[str, str, int]  # target name, case id, repeat
MAX_RESULTS_BYTES = 4 * 1024**3


def key_of(record: dict[str, Any]) -> Key | None:
    t, c, r = record.get("target"), record.get("case"), record.get("repeat")
    if isinstance(t, str) and isinstance(c, str) and isinstance(r, int):
        return (t, c, r)
    return None


def _opt(kind: type | tuple[type, ...]) -> Any:
    return lambda v: v is None or (isinstance(v, kind) and not isinstance(v, bool))


def _count(most: int) -> Any:
    return lambda v: (
        v is None or (isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= most)
    )


def _seconds(v: Any) -> bool:
    return v is None or (
        isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1e7  # NaN fails
    )


def _checks(v: Any) -> bool:
    return isinstance(v, list) and all(
        isinstance(c, dict)
        and isinstance(c.get("kind"), str)
        and isinstance(c.get("outcome"), str)
        and isinstance(c.get("detail", ""), str)
        for c in v
    )


def _judge(v: Any) -> bool:
    return v is None or (
        isinstance(v, dict)
        and all(_FIELDS[k](v.get(k)) for k in ("prompt_tokens", "completion_tokens", "attempts"))
        and _opt(str)(v.get("target"))
        and _opt(str)(v.get("error"))
    )


_FIELDS: dict[str, Any] = {
    "outcome": lambda v: isinstance(v, str),
    "checks": _checks,
    "answer": _opt(str),
    "error": _opt(str),
    "finish_reason": _opt(str),
    "served_as": _opt(str),
    "target_fp": _opt(str),
    "case_fp": _opt(str),
    "time": _opt(str),
    "status": _opt(int),
    "attempts": _count(10_000),
    "latency_s": _seconds,
    "ttft_s": _seconds,
    "prompt_tokens": _count(100_000_000),
    "completion_tokens": _count(100_000_000),
    "streamed": lambda v: v is None or isinstance(v, bool),
    "self_hosted": lambda v: v is None or isinstance(v, bool),
    "judge": _judge,
}


def record_ok(record: dict[str, Any]) -> bool:
    """Whether a results line has the shape ``runner.record_for`` writes: each known
    field of its type and in range (a line someone edited, with "attempts": "many", a
    check without its kind or a NaN latency, is not trusted: it is run again)."""
    return "outcome" in record and all(
        check(record[name]) for name, check in _FIELDS.items() if name in record
    )


def is_done(record: dict[str, Any]) -> bool:
    """Answered and judged: nothing to gain from asking again."""
    return record.get("outcome") in ("pass", "fail")


def check_out(path: str | Path) -> None:
    """Refuse an --out that is a directory, a FIFO, a socket or a block device: opening
    a FIFO waits for a reader for ever. (A character device such as /dev/null is fine.)"""
    try:
        st = os.stat(path)
    except OSError:
        return  # missing (it will be created) or unreadable (opening it says why)
    if stat.S_ISDIR(st.st_mode):
        raise UsageError(f"--out {path} is a directory; give a file name")
    if stat.S_ISFIFO(st.st_mode) or stat.S_ISSOCK(st.st_mode) or stat.S_ISBLK(st.st_mode):
        raise UsageError(
            f"--out {path} is not a regular file (a FIFO, socket or device); give a file name"
        )


def read_results(path: str | Path) -> tuple[dict[Key, dict[str, Any]], int]:
    """The newest record per key, and how many lines could not be read (e.g. a line
    cut short by a crash)."""
    records: dict[Key, dict[str, Any]] = {}
    bad = 0
    check_out(path)
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):  # /dev/zero, a FIFO: would be read forever
            raise UsageError(f"cannot read {path}: not a regular file")
        if st.st_size > MAX_RESULTS_BYTES:
            raise UsageError(f"cannot read {path}: larger than {MAX_RESULTS_BYTES:,} bytes")
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if not line.strip():
                    continue
                try:
                    rec = loads(line)
                except json.JSONDecodeError:
                    bad += 1
                    continue
                k = key_of(rec) if isinstance(rec, dict) else None
                if k is None or not record_ok(rec):
                    bad += 1
                    continue
                records[k] = rec
    except FileNotFoundError:
        return {}, 0
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    return records, bad


def check_output(path: str, option: str) -> None:
    """Refuse an output path that cannot be written, before the first request is sent
    (a run that cannot keep its results should not spend money)."""
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise UsageError(f"{option} {path} is a directory; give a file name")
    if not parent.is_dir():
        raise UsageError(
            f"{option} {path}: the directory {parent} does not exist", hint="create it first"
        )
    target = p if p.exists() else parent
    if not os.access(target, os.W_OK):
        raise UsageError(f"{option} {path}: permission denied", hint="give a writable path")


class ResultsWriter:
    """Appends records to a JSON Lines file, one flushed line each."""

    def __init__(self, path: str | Path, resume: bool) -> None:
        self.path = Path(path)
        check_out(path)
        self.failed = False
        if not resume and self.path.exists() and self.path.stat().st_size > 0:
            raise UsageError(
                f"{path} already holds results",
                hint="add --resume to continue that run, or give another --out",
            )
        try:
            needs_newline = False
            if self.path.exists() and self.path.stat().st_size > 0:
                with open(self.path, "rb") as fh:
                    fh.seek(-1, os.SEEK_END)
                    needs_newline = fh.read(1) != b"\n"
            self._fh: IO[str] | None = open(self.path, "a", encoding="utf-8")  # noqa: SIM115
            if needs_newline:  # a line cut short by a crash stays on its own line
                self._fh.write("\n")
                self._fh.flush()
        except OSError as exc:
            raise WriteError(
                f"cannot write {path}: {exc.strerror or exc}", hint="give a writable --out"
            ) from None

    def append(self, record: dict[str, Any]) -> None:
        if self._fh is None:
            return
        try:
            self._fh.write(json.dumps(record, ensure_ascii=False, allow_nan=False) + "\n")
            self._fh.flush()
        except OSError as exc:
            self.failed = True
            raise WriteError(
                f"cannot append to {self.path}: {exc.strerror or exc}",
                hint="free some space or give another --out; --resume continues from there",
            ) from None

    def close(self) -> None:
        """Flush and close; a failure is reported unless a write already reported one
        (closing would flush the same lost bytes and fail again, hiding the first error)."""
        fh, self._fh = self._fh, None
        if fh is None:
            return
        try:
            with contextlib.suppress(OSError):
                os.fsync(fh.fileno())
            fh.close()
        except OSError as exc:
            if self.failed:
                return
            self.failed = True
            raise WriteError(f"cannot write {self.path}: {exc.strerror or exc}") from None
