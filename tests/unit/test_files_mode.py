"""Exports get the usual permissions: an existing file's mode, or 0666 less the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from llmpick.errors import WriteError
from llmpick.files import write_atomic

pytestmark = pytest.mark.skipif(not hasattr(os, "fchmod"), reason="POSIX modes")


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_file_honours_the_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        write_atomic(tmp_path / "x.json", "{}")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "x.json") == 0o666 & ~umask


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    p = tmp_path / "x.md"
    p.write_text("old")
    p.chmod(0o640)
    write_atomic(p, "new")
    assert p.read_text() == "new" and _mode(p) == 0o640


def test_a_read_only_file_is_refused_and_kept(tmp_path: Path) -> None:
    p = tmp_path / "x.md"
    p.write_text("old")
    p.chmod(0o444)
    with pytest.raises(WriteError, match="read-only"):
        write_atomic(p, "new")
    assert p.read_text() == "old" and not [f for f in tmp_path.iterdir() if f.name != "x.md"]


def test_a_link_to_something_other_than_a_regular_file_is_not_written_through(
    tmp_path: Path,
) -> None:
    """Writing through a link replaced what it points at by a rename: a link to
    /dev/zero (as the cache test makes) turned the device into a plain file, as root.
    A FIFO stands in for the device here."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "export.json"
    link.symlink_to(fifo)
    with pytest.raises(WriteError, match="not a regular file"):
        write_atomic(link, "{}")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and link.is_symlink()
    # a link to a regular file is written through, and stays a link
    real = tmp_path / "real.json"
    real.write_text("old")
    link.unlink()
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
