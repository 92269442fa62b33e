"""Reading files safely and writing them atomically.

Reads are bounded (a device or an endless pipe is refused, not read forever); a
failed write leaves what was there before.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from llmpick.errors import WriteError

MAX_BYTES = 2 * 1024 * 1024  # the largest catalog file read


def read_bounded(
    path: str | os.PathLike[str], limit: int = MAX_BYTES, *, private: bool = False
) -> bytes:
    """The bytes of a regular file, refusing devices, pipes and anything over ``limit``
    (a size from stat is not enough: /dev/urandom reports 0 and never ends).

    The file is opened without blocking (opening a FIFO for reading would wait for a
    writer forever) and checked with fstat before a byte is read. ``private``: also
    refuse a symbolic link and a file another user owns (the cache)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if private:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        if private and hasattr(os, "getuid") and st.st_uid != os.getuid():
            raise OSError(errno.EPERM, "owned by another user")
        if st.st_size > limit:
            raise OSError(errno.EFBIG, f"larger than {limit:,} bytes")
        chunks = []
        left = limit + 1
        size = st.st_size + 1  # a regular file in one read (and no copy to join it)
        while left > 0:
            chunk = os.read(fd, min(left, max(size, 1 << 20)))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit:,} bytes")
    return data


def unsafe_dir(directory: Path, *, create: bool) -> str | None:
    """Why ``directory`` is not safe to keep private data in (the catalog cache, the
    refresh layer), or None when it is. With ``create``, a missing directory (and any
    missing parent) is made with mode 0700, which no umask can widen. A directory
    another user owns, or that others can write to, could serve planted data."""
    import contextlib

    try:
        if create:
            missing = [p for p in (directory, *directory.parents) if not p.exists()]
            for p in reversed(missing):
                with contextlib.suppress(FileExistsError):
                    os.mkdir(p, 0o700)  # the umask can only narrow this
        st = os.stat(directory)
    except FileNotFoundError:
        return "it does not exist"
    except OSError as exc:
        return f"cannot use it: {exc.strerror or exc}"
    if not stat.S_ISDIR(st.st_mode):
        return "not a directory"
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return "it belongs to another user"
    if st.st_mode & 0o022:
        return (
            f"others can write to it (mode {stat.S_IMODE(st.st_mode):o}; 'chmod 700' it to use it)"
        )
    return None


def _mode_for(target: Path) -> int:
    """The mode a written file gets: the existing file's, or 0666 less the umask (as
    ``open`` would give). A read-only file is refused rather than replaced."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
    except OSError:
        return 0o644
    if stat.S_ISREG(st.st_mode) and not st.st_mode & stat.S_IWUSR:
        raise WriteError(
            f"cannot write {target}: the file is read-only; nothing was changed",
            hint="make it writable (chmod u+w) or export to another path",
        )
    return stat.S_IMODE(st.st_mode)


def write_atomic(path: str | Path, data: str | bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory and a rename.

    The file gets the usual permissions: an existing file's mode, or 0666 less the
    umask for a new one; a read-only file is refused. ``mode`` (0600 for private data)
    is set whatever the umask and whatever the file had. A symbolic link is written
    through (the file it points at is replaced; the link stays a link)."""
    target = Path(path)
    if target.is_symlink():
        # (lead's fix, merged later) only a link to a regular file is written through:
        # resolving a link to /dev/zero and renaming onto it replaced the device node
        # with a plain file (the cache test links its file to /dev/zero; we run as root)
        resolved = Path(os.path.realpath(target))
        if resolved.exists() and not resolved.is_file():
            raise WriteError(
                f"cannot write {target}: it links to {resolved}, which is not a regular file",
                hint="write to a regular file",
            )
        target = resolved
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise WriteError(
            f"cannot write {target}: the directory {directory} does not exist",
            hint="create it first, or export to another path",
        )
    import tempfile

    mode = _mode_for(target) if mode is None else mode
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)  # mkstemp makes 0600; a replaced file keeps its mode
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode() if isinstance(data, str) else data)
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
