"""The refresh layer on disk: where it lives, reading it (trusted like the catalog
cache), writing it (atomic, private, one writer at a time), and how old the data is.

``llmpick catalog refresh`` (``refresh.py``) writes the layer; every command reads it
and merges it into the loaded catalog (``with_layer``: ``layer_merge.py``, the merge
kept between runs by ``layer_cache.py``). Nothing heavy is imported here, and what a
layer holds (``layer_format.py``) is imported only when a layer exists: with none,
every command pays for this module alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from llmpick import clock
from llmpick.errors import LlmpickError

if TYPE_CHECKING:
    from llmpick.catalog.layer_format import Layer
    from llmpick.catalog.records import Catalog


LAYER_FILE = "refresh.json"
LOCK_FILE = "refresh.lock"
MAX_LAYER_BYTES = 32 * 1024 * 1024
STALE_DAYS = 90


class RefreshFailed(LlmpickError):
    """A refresh refused or failed; nothing was written (exit 1)."""


def data_dir() -> Path:
    explicit = os.environ.get("LLMPICK_DATA_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "llmpick"


def layer_path() -> Path:
    return data_dir() / LAYER_FILE


def read_layer(path: Path | None = None) -> tuple[Layer | None, str | None]:
    """(the layer, None), (None, None) when there is none, or (None, why it is unusable).

    Trusted like the catalog cache (``read_layer_bytes``), and of the right shape (an
    entry of the wrong shape is dropped and counted)."""
    path = path or layer_path()
    raw, problem = read_layer_bytes(path)
    if raw is None:
        return None, problem
    from llmpick.catalog.layer_format import layer_from_json  # only when there is a layer

    try:
        return layer_from_json(raw), None
    except ValueError as exc:
        return None, _damaged(path, exc)


def with_layer(cat: Catalog, path: Path | None = None) -> tuple[Catalog, str | None]:
    """``cat`` with the layer merged in, and None; ``cat`` itself when there is no
    layer, with why it is unusable when there is one that cannot be used. The merge is
    kept between runs (``layer_cache.py``)."""
    path = path or layer_path()
    raw, problem = read_layer_bytes(path)
    if raw is None:
        return cat, problem
    from llmpick.catalog.layer_cache import merged  # only when there is a layer

    try:
        return merged(cat, raw, path), None
    except ValueError as exc:
        return cat, _damaged(path, exc)


def read_layer_bytes(path: Path) -> tuple[bytes | None, str | None]:
    """The layer file's bytes and None, (None, None) when there is none, or (None, why
    it is unusable).

    Trusted like the catalog cache: only from a directory of ours that no one else can
    write to, a regular file of ours (not a link), at most MAX_LAYER_BYTES."""
    from llmpick.files import read_bounded, unsafe_dir

    why = unsafe_dir(path.parent, create=False)
    if why == "it does not exist":
        return None, None
    if why is not None:
        return None, f"not using the refresh layer in {path.parent}: {why}"
    try:
        return read_bounded(path, MAX_LAYER_BYTES, private=True), None
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"cannot read {path}: {exc.strerror or exc}"


def _damaged(path: Path, exc: ValueError) -> str:
    return f"{path} is damaged ({exc})"


def _private_dir(path: Path) -> None:
    """Make the layer's directory (0700, whatever the umask) or refuse one that is not
    ours alone."""
    from llmpick.files import unsafe_dir

    why = unsafe_dir(path.parent, create=True)
    if why is not None:
        from llmpick.errors import WriteError

        raise WriteError(
            f"cannot keep the refresh layer in {path.parent}: {why}; nothing was changed",
            hint="set LLMPICK_DATA_DIR to a directory only you can write to",
        )


def write_layer(layer: Layer, path: Path | None = None) -> Path:
    """Replace the layer atomically (readers see the old file or the new, never a mix),
    private (0600 in a 0700 directory), and never larger than its reader accepts."""
    from llmpick.catalog.layer_format import MAX_LAYER_ENTRIES, layer_to_json
    from llmpick.files import write_atomic

    path = path or layer_path()
    _private_dir(path)
    for name, s in layer.sources.items():
        if len(s.models) > MAX_LAYER_ENTRIES:
            raise RefreshFailed(
                f"{name}: {len(s.models):,} entries to keep; the layer holds at most "
                f"{MAX_LAYER_ENTRIES:,} a source; nothing was changed"
            )
    data = (layer_to_json(layer) + "\n").encode()
    if len(data) > MAX_LAYER_BYTES:
        raise RefreshFailed(
            f"the new layer would be {len(data):,} bytes; the limit is {MAX_LAYER_BYTES:,} "
            "(its reader would refuse it); nothing was changed"
        )
    write_atomic(path, data, mode=0o600)
    return path


@contextlib.contextmanager
def one_writer(path: Path) -> Iterator[None]:
    """One refresh writes at a time: an exclusive lock on a file beside the layer, held
    from reading the previous layer to writing the new one, so that two refreshes at
    once each keep the other's source instead of dropping it."""
    _private_dir(path)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path.with_name(LOCK_FILE), flags, 0o600)
    except OSError as exc:
        from llmpick.errors import WriteError

        raise WriteError(
            f"cannot lock the refresh layer in {path.parent}: {exc.strerror or exc}; "
            "nothing was changed"
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def age_warning(cat: Catalog, on: dt.date | None = None) -> str | None:
    """A warning when the newest data (catalog check or refresh) is older than 90 days.
    A merged catalog keeps every curated check date, so its newest is the curated one's
    or later."""
    on = on or clock.today()
    dates: list[dt.date] = [d for d in (cat.newest_verified,) if d is not None]
    if cat.refresh is not None:
        dates.append(cat.refresh.fetched)
    if not dates:
        return None
    newest = max(dates)
    age = (on - newest).days
    if age <= STALE_DAYS:
        return None
    return (
        f"the catalog's newest data is from {newest}, {age} days ago: prices, limits and "
        "new models may have changed; run 'llmpick catalog refresh'"
    )
