"""Writing files atomically: a failed write leaves what was there before."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from llmpick.errors import WriteError


def write_atomic(path: str | Path, data: str) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory and a rename."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise WriteError(
            f"cannot write {target}: the directory {directory} does not exist",
            hint="create it first, or export to another path",
        )
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, target)
        tmp_name = None
    except OSError as exc:
        reason = {
            errno.ENOSPC: "the disk is full",
            errno.EACCES: "permission denied",
            errno.EROFS: "the file system is read-only",
            errno.EISDIR: "it is a directory",
        }.get(exc.errno or 0, exc.strerror or str(exc))
        raise WriteError(
            f"cannot write {target}: {reason}; nothing was changed",
            hint="export to a writable path",
        ) from None
    finally:
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)
