"""The catalog cache: a validated catalog stored as compact rows, so that a run does
not parse and check every catalog file again.

A cache file is named by a hash of every source file's content and of what its rows
depend on (``record_shape``: each record's fields and types in order, the cache
format, llmpick's and Python's versions); an index maps the files' stat data to that
hash, the way git's index does. What is read back is trusted only after its hash and
a shape check (``_well_formed``); anything else is rebuilt, never served.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import marshal
import math
import os
import re
import stat
import sys
import typing
from collections.abc import Iterable, Sequence
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Any

from llmpick import __version__
from llmpick.catalog.records import (
    Access,
    ArchNumbers,
    Catalog,
    Dataset,
    Evidence,
    Family,
    License,
    NewestRelease,
    Pricing,
    Provenance,
    Provider,
    Variant,
    provenance,
)
from llmpick.errors import WriteError
from llmpick.files import write_atomic
from llmpick.safetext import one_line

CACHE_FORMAT = "5"
# the records the cache stores as positional rows (catalog_rows, below)
_CACHED_RECORDS: tuple[type, ...] = (
    Provider,
    License,
    Dataset,
    Access,
    ArchNumbers,
    Pricing,
    Evidence,
    NewestRelease,
    Variant,
    Family,
)


def record_shape(
    classes: Iterable[type] = _CACHED_RECORDS, python: tuple[int, ...] = sys.version_info[:2]
) -> str:
    """What the cache's rows depend on besides the files: each record's field names and
    types in order (rows are rebuilt by position) and the Python version (whose marshal
    format may change). Any change gives another cache key, so an old cache is never
    misread."""
    parts = [
        f"{cls.__name__}({','.join(f'{f.name}:{f.type}' for f in dataclasses.fields(cls))})"
        for cls in classes
    ]
    return "|".join(parts) + f"|py{python[0]}.{python[1]}"


RECORD_SHAPE = record_shape()


def key_start() -> bytes:
    """The start of every cache key: the cache's format version, llmpick's version and
    the record shape."""
    return f"{CACHE_FORMAT}|{__version__}|{RECORD_SHAPE}".encode()


MAX_CACHE_BYTES = 64 * 1024 * 1024
_KEEP_CACHES = 8
_CACHE_NAME = re.compile(r"catalog-[0-9a-f]{32}\.bin")
_INDEX_NAME = re.compile(r"index-[0-9a-f]{32}")
_warned: set[str] = set()


def cache_dir() -> Path | None:
    if os.environ.get("LLMPICK_NO_CACHE"):
        return None
    explicit = os.environ.get("LLMPICK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "llmpick"


def _warn(message: str) -> None:
    """One line on stderr, once per process (the cache only costs speed when bypassed)."""
    if message not in _warned:
        _warned.add(message)
        print(f"warning: {one_line(message)}", file=sys.stderr)


def private_dir(directory: Path) -> bool:
    """Whether ``directory`` is safe to keep the cache in, creating it (and any missing
    parent) with mode 0700. A directory another user owns, or that others can write to,
    could serve a planted catalog: it is refused with a warning and the cache bypassed."""
    from llmpick.files import unsafe_dir

    why = unsafe_dir(directory, create=True)
    if why is None:
        return True
    if not why.startswith(("cannot use it", "it does not exist")):  # else: run without one
        what = "cache at" if why == "not a directory" else "cache directory"
        _warn(f"not using the {what} {directory}: {why}")
    return False


def file_id(path: Path) -> str | None:
    """Size, modification and change times and inode of a file: what changes whenever
    its content does (the change time cannot be set back)."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return f"{st.st_size}.{st.st_mtime_ns}.{st.st_ctime_ns}.{st.st_ino}"


def read_cache(path: Path, version: str, checked: str | None = None) -> Catalog | None:
    """The cached catalog, or None when missing, damaged, unsafe or for other files.

    The file is ``<sha256 of payload>\n<payload>``, the payload a marshal of plain
    tuples and strings (marshal cannot run code, and is several times faster to read
    than JSON). It must be a regular file we own, not a link, at most MAX_CACHE_BYTES;
    what it holds must pass the hash and then the shape check of ``_well_formed``.
    Anything else is rebuilt, never served. ``checked``: the ``file_id`` the file had
    when it last passed the shape check (the index records it), so that an unchanged
    file is not checked again on every run.
    """
    from llmpick.files import read_bounded as read

    try:
        raw = read(path, MAX_CACHE_BYTES, private=True)
    except OSError:
        return None
    digest, _, payload = raw.partition(b"\n")
    if hashlib.sha256(payload).hexdigest().encode() != digest:
        return None
    try:
        data = marshal.loads(payload)
        cat = catalog_from_rows(data)
        prov = Provenance.from_data(data["provenance"])
        if cat.version != version:
            return None
        if (checked is None or checked != file_id(path)) and not _well_formed(data, cat):
            return None
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, EOFError):
        return None
    cat.provenance = prov
    return cat


def write_cache(directory: Path, path: Path, cat: Catalog) -> None:
    rows = catalog_rows(cat)
    rows["provenance"] = provenance(cat).to_data()
    payload = marshal.dumps(rows)
    if len(payload) >= MAX_CACHE_BYTES:
        return
    blob = hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
    try:
        write_atomic(path, blob)
        clean_cache(directory)
    except (OSError, WriteError):
        pass  # a cache we cannot write only costs speed


def clean_cache(directory: Path) -> None:
    """Keep the newest few caches and indexes. Only files whose whole name is one this
    module writes (``catalog-<32 hex>.bin``, ``index-<32 hex>``), that are regular files
    and ours, are ever removed: the directory may be shared by mistake."""
    for pattern, keep in ((_CACHE_NAME, _KEEP_CACHES), (_INDEX_NAME, 4 * _KEEP_CACHES)):
        ours: list[tuple[int, str]] = []
        with os.scandir(directory) as entries:
            for e in entries:
                if not pattern.fullmatch(e.name):
                    continue
                try:
                    st = e.stat(follow_symlinks=False)
                except OSError:
                    continue
                if stat.S_ISREG(st.st_mode) and (
                    not hasattr(os, "getuid") or st.st_uid == os.getuid()
                ):
                    ours.append((st.st_mtime_ns, e.name))
        for _, name in sorted(ours)[:-keep]:
            (directory / name).unlink(missing_ok=True)


def _well_formed(data: Any, cat: Catalog) -> bool:
    """A cheap check that a catalog read back from the cache has the shape and the
    vocabulary of a validated one: every field of every record of the right type
    (closed vocabularies, finite numbers, lists of the right things), ids that match
    their keys and references that resolve.

    It reads the cached rows (``catalog_rows``: a record is a tuple of its
    fields in order, a date an ISO string, checked again when parsed), a column at a
    time with C-level ``zip``, ``map`` and set operations, so that a 20,000-model cache
    costs a few hundredths of a second."""
    ids = attrgetter("id")
    variants, families = list(cat.variants.values()), list(cat.families.values())
    try:
        return (
            _rows_ok(Provider, data["providers"].values())
            and _rows_ok(License, data["licenses"].values())
            and _rows_ok(Dataset, data["datasets"].values())
            and _rows_ok(Family, data["families"].values())
            and _rows_ok(Variant, data["variants"].values())
            and list(cat.variants) == list(map(ids, variants))
            and list(cat.families) == list(map(ids, families))
            and list(cat.licenses) == list(map(ids, cat.licenses.values()))
            and list(cat.providers) == list(map(ids, cat.providers.values()))
            and list(cat.datasets) == list(map(ids, cat.datasets.values()))
            and set(map(attrgetter("license"), variants)) <= cat.licenses.keys()
            and set(map(attrgetter("family"), variants)) <= cat.families.keys()
            and set(map(attrgetter("provider"), variants)) <= cat.providers.keys()
            and set(map(attrgetter("provider"), families)) <= cat.providers.keys()
            and set(chain.from_iterable(map(attrgetter("variants"), families)))
            <= cat.variants.keys()
        )
    except TypeError:  # an unhashable value where a string belongs
        return False


_HINTS: dict[type, list[Any]] = {}
_NONE = type(None)


def _rows_ok(cls: type, rows: Iterable[Any]) -> bool:
    """Whether ``rows`` are tuples holding the fields of record ``cls``, in order."""
    rows = list(rows)
    if not rows:
        return True
    hints = _HINTS.get(cls)
    if hints is None:
        import llmpick.catalog.records as records

        resolved = typing.get_type_hints(cls, vars(records))
        hints = _HINTS[cls] = [resolved[n] for n in getattr(cls, "__dataclass_fields__", ())]
    if not (set(map(type, rows)) <= {tuple} and set(map(len, rows)) == {len(hints)}):
        return False
    columns = zip(*rows, strict=True)
    return all(_values_ok(tp, column) for tp, column in zip(hints, columns, strict=True))


def _values_ok(tp: Any, values: Sequence[Any]) -> bool:
    """Whether every value in ``values`` is a cached value of type ``tp`` (a record
    field's annotation)."""
    if not values:
        return True
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Union or type(tp).__name__ == "UnionType":
        inner = [a for a in args if a is not _NONE]
        if len(inner) != 1:
            return False
        if _NONE in set(map(type, values)):
            values = [x for x in values if x is not None]
        return _values_ok(inner[0], values)
    if origin is typing.Literal:
        return set(values) <= set(args)
    if origin is list:
        return set(map(type, values)) <= {list} and _values_ok(
            args[0], list(chain.from_iterable(values))
        )
    if origin is dict:
        return (
            set(map(type, values)) <= {dict}
            and _values_ok(args[0], list(chain.from_iterable(map(dict.keys, values))))
            and _values_ok(args[1], list(chain.from_iterable(map(dict.values, values))))
        )
    if tp is float:
        return set(map(type, values)) <= {float, int} and all(map(math.isfinite, values))
    if tp is dt.date:
        return set(map(type, values)) <= {str}  # ISO text, parsed (or refused) on load
    if tp in (str, int, bool):
        return set(map(type, values)) <= {tp}
    if hasattr(tp, "__dataclass_fields__"):
        return _rows_ok(tp, values)
    return False  # a field type this check does not know: do not trust the cache


RACY_NS = 2_000_000_000  # files touched this recently may change again within one mtime tick


def write_index(index: Path | None, version: str, cached: Path, mtimes_ns: Iterable[int]) -> None:
    """Record that the source files with these stat data give ``version``, cached in
    ``cached`` as it is now (written by us, or read and checked)."""
    from llmpick import clock

    if index is None:
        return
    now = clock.nanoseconds()
    if any(now - mtime < RACY_NS for mtime in mtimes_ns):
        return  # too fresh to trust stat data for
    checked = file_id(cached)
    if checked is None:
        return
    with contextlib.suppress(OSError, WriteError):  # an index only saves time
        write_atomic(index, f"{version} {checked}")


# --- compact rows for the cache (marshal-able tuples, no keys) --------------------

_V_FIELDS = tuple(Variant.__dataclass_fields__)
_F_FIELDS = tuple(Family.__dataclass_fields__)
_V_ACCESS = _V_FIELDS.index("access")
_V_ARCH = _V_FIELDS.index("arch")
_V_PRICING = _V_FIELDS.index("pricing")
_V_EVIDENCE = _V_FIELDS.index("evidence")
_V_RELEASED = _V_FIELDS.index("released")
_V_VERIFIED = _V_FIELDS.index("verified")
_F_RELEASED = _F_FIELDS.index("released")
_F_NEWEST = _F_FIELDS.index("newest_release")
_N_DATES = tuple(
    tuple(NewestRelease.__dataclass_fields__).index(n) for n in ("checked", "released")
)
_P_AS_OF = tuple(Pricing.__dataclass_fields__).index("as_of")
_E_DATE = tuple(Evidence.__dataclass_fields__).index("date")


def _row(obj: Any) -> tuple[Any, ...]:
    return tuple(getattr(obj, name) for name in obj.__dataclass_fields__)


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _dated_row(obj: Any, at: int) -> tuple[Any, ...]:
    """``obj`` as a row in field order, with the date at position ``at`` as text."""
    row = list(_row(obj))
    row[at] = _iso(row[at])
    return tuple(row)


def _undated(row: Any, at: int) -> list[Any]:
    out = list(row)
    if out[at] is not None:
        out[at] = dt.date.fromisoformat(out[at])
    return out


def catalog_rows(cat: Catalog) -> dict[str, Any]:
    """The catalog as plain tuples and strings, for a fast marshal-ed cache."""
    variants = {}
    for vid, v in cat.variants.items():
        row = list(_row(v))
        row[_V_ACCESS] = _row(v.access)
        row[_V_ARCH] = _row(v.arch) if v.arch is not None else None
        row[_V_PRICING] = _dated_row(v.pricing, _P_AS_OF) if v.pricing else None
        row[_V_EVIDENCE] = [_dated_row(e, _E_DATE) for e in v.evidence]
        row[_V_RELEASED] = _iso(v.released)
        row[_V_VERIFIED] = v.verified.isoformat()
        variants[vid] = tuple(row)
    families = {}
    for fid, f in cat.families.items():
        frow = list(_row(f))
        frow[_F_RELEASED] = _iso(f.released)
        if f.newest_release is not None:
            nrow = list(_row(f.newest_release))
            for at in _N_DATES:
                nrow[at] = _iso(nrow[at])
            frow[_F_NEWEST] = tuple(nrow)
        families[fid] = tuple(frow)
    return {
        "version": cat.version,
        "providers": {k: _row(v) for k, v in cat.providers.items()},
        "licenses": {k: _row(v) for k, v in cat.licenses.items()},
        "datasets": {k: _row(v) for k, v in cat.datasets.items()},
        "families": families,
        "variants": variants,
    }


def catalog_from_rows(data: dict[str, Any]) -> Catalog:
    """Rebuild a catalog from ``catalog_rows`` output (raises on damaged data)."""
    fromiso = dt.date.fromisoformat
    variants = {}
    for vid, row in data["variants"].items():
        r = list(row)
        r[_V_ACCESS] = Access(*r[_V_ACCESS])
        if r[_V_ARCH] is not None:
            r[_V_ARCH] = ArchNumbers(*r[_V_ARCH])
        if r[_V_PRICING] is not None:
            r[_V_PRICING] = Pricing(*_undated(r[_V_PRICING], _P_AS_OF))
        r[_V_EVIDENCE] = [Evidence(*_undated(e, _E_DATE)) for e in r[_V_EVIDENCE]]
        if r[_V_RELEASED] is not None:
            r[_V_RELEASED] = fromiso(r[_V_RELEASED])
        r[_V_VERIFIED] = fromiso(r[_V_VERIFIED])
        variants[vid] = Variant(*r)
    families = {}
    for fid, row in data["families"].items():
        fr = list(row)
        if fr[_F_RELEASED] is not None:
            fr[_F_RELEASED] = fromiso(fr[_F_RELEASED])
        if fr[_F_NEWEST] is not None:
            nr = list(fr[_F_NEWEST])
            for at in _N_DATES:
                if nr[at] is not None:
                    nr[at] = fromiso(nr[at])
            fr[_F_NEWEST] = NewestRelease(*nr)
        families[fid] = Family(*fr)
    return Catalog(
        version=data["version"],
        providers={k: Provider(*v) for k, v in data["providers"].items()},
        licenses={k: License(*v) for k, v in data["licenses"].items()},
        families=families,
        variants=variants,
        datasets={k: Dataset(*v) for k, v in data["datasets"].items()},
    )
