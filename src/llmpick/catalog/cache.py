"""The catalog cache: a validated catalog stored as compact columns, so that a run does
not parse and check every catalog file again.

A cache file is named by a hash of every source file's content and of what its columns
depend on (``record_shape``: each record's fields and types in order, the cache
format, llmpick's and Python's versions); an index maps the files' stat data to that
hash, the way git's index does. What is read back is trusted only after its hash and
a shape check (``_well_formed``), or when the index vouches for the very file (see
``read_cache``); anything else is rebuilt, never served.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import marshal
import math
import os
import re
import stat
import sys
import typing
from collections.abc import Callable, Iterable, Sequence
from itertools import chain, islice, starmap
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from hashlib import blake2b as Blake2b

# changed with the layout of the columns: a file the index vouches for is not checked again
CACHE_FORMAT = "8"
# the records the cache stores as positional columns (catalog_rows, below)
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
    """What the cache's columns depend on besides the files: each record's field names
    and types in order (records are rebuilt by position) and the Python version (whose marshal
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
# the temporary file ``write_atomic`` writes either through (a dot, the name, mkstemp's
# eight characters), left behind by a writer that was killed before it could remove it
_TEMP_NAME = re.compile(r"\.(catalog-[0-9a-f]{32}\.bin|index-[0-9a-f]{32})\.[a-z0-9_]{8}\.tmp")
# a temporary file not modified for this long is a dead writer's: a live one writes its
# whole file at once, then only syncs and renames it (the cache is written within
# seconds, and a writer that the answer waited for is ended ``load_parse.WAIT_AT_LEAST``
# seconds after it)
STALE_TEMP_SECONDS = 600
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

    The file is sealed (``seal``: a digest line, then the payload), the payload a marshal of plain
    lists, tuples and strings (marshal cannot run code, and is several times faster to
    read than JSON). It must be a regular file we own, not a link, at most
    MAX_CACHE_BYTES; what it holds must pass the hash and then the shape check of
    ``_well_formed``. Anything else is rebuilt, never served. ``checked``: the
    ``file_id`` the file had when it was written, or last passed both checks (the index
    records it). A file that has it still, before and after it is read, is the same
    file with the same bytes (its change time cannot be set back), so neither check is
    repeated on every run: the rule of git's index, applied to the cache.
    """
    from llmpick.files import read_bounded as read

    vouched = checked is not None and file_id(path) == checked
    try:
        raw = read(path, MAX_CACHE_BYTES, private=True)
    except OSError:
        return None
    vouched = vouched and file_id(path) == checked  # not changed while it was read
    payload = unseal(raw, trusted=vouched)
    if payload is None:
        return None
    try:
        data = marshal.loads(payload)
        cat = catalog_from_rows(data)
        prov = Provenance.from_data(data["provenance"])
        if cat.version != version or not (vouched or _well_formed(data, cat)):
            return None
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, EOFError):
        return None
    cat.provenance = prov
    return cat


def blake2b(data: bytes | memoryview = b"", digest_size: int = 32) -> Blake2b:
    """A BLAKE2b hash from CPython's own module, which hashlib also serves, without
    loading OpenSSL: that import took ~3 ms of every run that hashed something."""
    try:
        from _blake2 import blake2b as made
    except ImportError:  # pragma: no cover - a Python built without it
        from hashlib import blake2b as made
    return made(data, digest_size=digest_size)


def seal(payload: bytes) -> bytes:
    """A cache file's bytes (the catalog's, the kept layer merge's): the BLAKE2b of
    ``payload`` in hex, a newline, then ``payload``."""
    return _digest(payload) + b"\n" + payload


def unseal(raw: bytes, *, trusted: bool = False) -> memoryview | None:
    """The payload of bytes ``seal`` made, without a copy; None when the digest does not
    match. ``trusted``: the file is one the index vouches for, and is not hashed again."""
    cut = raw.find(b"\n")
    payload = memoryview(raw)[cut + 1 :]
    if cut != 64 or not (trusted or _digest(payload) == raw[:cut]):
        return None
    return payload


def _digest(payload: bytes | memoryview) -> bytes:
    return blake2b(payload).hexdigest().encode()


def write_cache(directory: Path, path: Path, cat: Catalog) -> bool:
    """Write ``cat`` to the cache file ``path``; whether it was written (a cache we
    cannot write only costs speed)."""
    rows = catalog_rows(cat)
    rows["provenance"] = provenance(cat).to_data()
    payload = marshal.dumps(rows)
    if len(payload) >= MAX_CACHE_BYTES:
        return False
    try:
        write_atomic(path, seal(payload))
        clean_cache(directory)
    except (OSError, WriteError):
        return False
    return True


def clean_cache(directory: Path) -> None:
    """Keep the newest few caches and indexes, and remove the temporary files of writers
    that were killed (``STALE_TEMP_SECONDS`` old; a live writer's is newer). Only files
    whose whole name is one this module writes (``catalog-<32 hex>.bin``,
    ``index-<32 hex>``, their temporary files), that are regular files and ours, are
    ever removed: the directory may be shared by mistake."""
    from llmpick import clock

    stale = clock.nanoseconds() - STALE_TEMP_SECONDS * 1_000_000_000
    names = (_CACHE_NAME, _INDEX_NAME, _TEMP_NAME)
    ours: dict[re.Pattern[str], list[tuple[int, str]]] = {p: [] for p in names}
    with os.scandir(directory) as entries:
        for e in entries:
            pattern = next((p for p in ours if p.fullmatch(e.name)), None)
            if pattern is None:
                continue
            try:
                st = e.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode) and (not hasattr(os, "getuid") or st.st_uid == os.getuid()):
                ours[pattern].append((st.st_mtime_ns, e.name))
    doomed = sorted(ours[_CACHE_NAME])[:-_KEEP_CACHES]
    doomed += sorted(ours[_INDEX_NAME])[: -4 * _KEEP_CACHES]
    doomed += [(mtime, name) for mtime, name in ours[_TEMP_NAME] if mtime < stale]
    for _, name in doomed:
        (directory / name).unlink(missing_ok=True)


def _well_formed(data: Any, cat: Catalog) -> bool:
    """A cheap check that a catalog read back from the cache has the shape and the
    vocabulary of a validated one: every field of every record of the right type
    (closed vocabularies, finite numbers, lists of the right things), one record per
    id and references that resolve.

    It reads the cached columns (``catalog_rows``: a date is ISO text, checked again
    when parsed) with C-level ``map`` and set operations, so that a 20,000-model cache
    costs a few hundredths of a second."""
    variants, families = list(cat.variants.values()), list(cat.families.values())
    try:
        return (
            all(
                _count(cls, data[key]) == len(getattr(cat, key))  # ids unique
                for key, cls in _TABLES
            )
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


def _count(cls: type, columns: Any) -> int | None:
    """How many records of class ``cls`` the ``columns`` hold (``_columns``), or None
    when they are not columns of its fields, each of the same length and type."""
    hints = _HINTS.get(cls)
    if hints is None:
        import llmpick.catalog.records as records

        resolved = typing.get_type_hints(cls, vars(records))
        hints = _HINTS[cls] = [resolved[n] for n in getattr(cls, "__dataclass_fields__", ())]
    plan = _PLANS[cls]
    if type(columns) is not tuple or len(columns) != len(plan):
        return None
    sizes = set()
    for (how, inner), tp, col in zip(plan, hints, columns, strict=True):
        if how in (_PLAIN, _DATE):
            sizes.add(len(col) if type(col) is list and _values_ok(tp, col) else None)
        elif how == _ONE:
            sizes.add(_count(inner, col))
        else:
            sizes.add(_marked(how, col, _count(inner, col[1]) if len(col) == 2 else None))
    return sizes.pop() if len(sizes) == 1 else None


def _marked(how: int, col: Any, held: int | None) -> int | None:
    """The records of a field holding ``X | None`` or ``list[X]``: a list giving, for
    each, the position of its record (-1: None) or how many it has, beside ``held``
    records."""
    marks = col[0] if type(col) is tuple else None
    if type(marks) is not list or held is None or not _types(marks) <= {int}:
        return None
    if how == _OPTIONAL:  # the position of each one's record among those held, or -1
        ok = min(marks, default=0) >= -1 and max(marks, default=-1) < held
    else:  # how many records each has
        ok = min(marks, default=0) >= 0 and sum(marks) == held
    return len(marks) if ok else None


def _values_ok(tp: Any, values: Sequence[Any]) -> bool:
    """Whether every value in ``values`` is a cached value of type ``tp`` (a record
    field's annotation)."""
    if not values:
        return True
    origin = typing.get_origin(tp)
    if origin is typing.Union or type(tp).__name__ == "UnionType":
        return _optional_ok(tp, values)
    check = _CHECKS.get(origin) or _CHECKS.get(tp)
    if check is not None:
        return check(tp, values)
    return False  # a field type this check does not know: do not trust the cache


def _types(values: Iterable[Any]) -> set[type]:
    return set(map(type, values))


def _optional_ok(tp: Any, values: Sequence[Any]) -> bool:
    """``X | None``: None, or values of X (no other unions are cached)."""
    inner = [a for a in typing.get_args(tp) if a is not _NONE]
    if len(inner) != 1:
        return False
    if _NONE in _types(values):
        values = [x for x in values if x is not None]
    return _values_ok(inner[0], values)


def _list_ok(tp: Any, values: Sequence[Any]) -> bool:
    (item,) = typing.get_args(tp)
    return _types(values) <= {list} and _values_ok(item, list(chain.from_iterable(values)))


def _dict_ok(tp: Any, values: Sequence[Any]) -> bool:
    key, value = typing.get_args(tp)
    return (
        _types(values) <= {dict}
        and _values_ok(key, list(chain.from_iterable(map(dict.keys, values))))
        and _values_ok(value, list(chain.from_iterable(map(dict.values, values))))
    )


# by a field type's origin (Literal, list, dict) or by the type itself
_CHECKS: dict[Any, Callable[[Any, Sequence[Any]], bool]] = {
    typing.Literal: lambda tp, values: set(values) <= set(typing.get_args(tp)),
    list: _list_ok,
    dict: _dict_ok,
    float: lambda tp, values: _types(values) <= {float, int} and all(map(math.isfinite, values)),
    dt.date: lambda tp, values: _types(values) <= {str},  # ISO text, parsed (or refused) on load
    str: lambda tp, values: _types(values) <= {str},
    int: lambda tp, values: _types(values) <= {int},
    bool: lambda tp, values: _types(values) <= {bool},
}


RACY_NS = 2_000_000_000  # files touched this recently may change again within one mtime tick


def too_fresh(mtimes_ns: Iterable[int]) -> bool:
    """Whether a file was modified too recently (RACY_NS) for its stat data to vouch
    for its content: a same-size edit within the same tick would keep them."""
    from llmpick import clock

    now = clock.nanoseconds()
    return any(now - mtime < RACY_NS for mtime in mtimes_ns)


def write_index(index: Path | None, version: str, cached: Path, mtimes_ns: Iterable[int]) -> None:
    """Record that the source files with these stat data give ``version``, cached in
    ``cached`` as it is now: only once it was written by us, or read and checked, for
    a cache file the index names is then served without checking it again."""
    if index is None:
        return
    if too_fresh(mtimes_ns):
        return  # too fresh to trust stat data for
    checked = file_id(cached)
    if checked is None:
        return
    with contextlib.suppress(OSError, WriteError):  # an index only saves time
        write_atomic(index, f"{version} {checked}")


# --- compact columns for the cache (marshal-able lists and tuples, no keys) ----------
#
# Each table (providers, licences, datasets, families, variants) is stored a field at a
# time: a tuple of columns in the record's field order, one value per record, the keys
# being the ``id`` column. Reading it back is then C-level work, for 20,000 variants as
# for ten: ``zip`` makes each record's arguments and ``starmap`` calls the class. A
# record held in a field is stored the same way, its columns beside a list saying which
# records have one (``X | None``) or how many (``list[X]``); a date is ISO text. Equal
# strings and equal lists of strings are written once (marshal writes an object it meets
# again as a reference), so a cache holds one ["en"], not one per variant: a loaded
# catalog is never modified, so its records may share them.

_TABLES: tuple[tuple[str, type], ...] = (
    ("providers", Provider),
    ("licenses", License),
    ("datasets", Dataset),
    ("families", Family),
    ("variants", Variant),
)
_BY_NAME = {cls.__name__: cls for cls in _CACHED_RECORDS}
# how a field is stored: as it is, as ISO text, or as the columns of a record held in it
_PLAIN, _DATE, _ONE, _OPTIONAL, _LIST = range(5)
_Plan = tuple[tuple[int, Any], ...]


def _plan(cls: type) -> _Plan:
    """How each field of record ``cls`` is stored, from its annotation (a string under
    ``from __future__ import annotations``): ``dt.date``, a cached record, either
    ``| None``, ``list[`` a cached record ``]``, or anything else as it is."""
    out: list[tuple[int, Any]] = []
    for f in dataclasses.fields(cls):
        t = str(f.type)
        bare = t.removesuffix(" | None")
        if bare == "dt.date":
            out.append((_DATE, None))
        elif bare in _BY_NAME:
            inner = _BY_NAME[bare]
            if bare != t and {how for how, _ in _plan(inner)} - {_PLAIN, _DATE}:
                raise TypeError(f"{cls.__name__}.{f.name}: records held as X | None are flat")
            out.append((_ONE if bare == t else _OPTIONAL, inner))
        elif t.startswith("list[") and t[5:-1] in _BY_NAME:
            out.append((_LIST, _BY_NAME[t[5:-1]]))
        else:
            out.append((_PLAIN, None))
    return tuple(out)


_PLANS = {cls: _plan(cls) for cls in _CACHED_RECORDS}
_GETTERS = {cls: [attrgetter(f.name) for f in dataclasses.fields(cls)] for cls in _CACHED_RECORDS}


def catalog_rows(cat: Catalog) -> dict[str, Any]:
    """The catalog as plain lists, tuples and strings, for a fast marshal-ed cache."""
    memo: dict[Any, Any] = {}
    out: dict[str, Any] = {"version": cat.version}
    for key, cls in _TABLES:
        out[key] = _columns(cls, list(getattr(cat, key).values()), memo)
    return out


def _columns(cls: type, records: Sequence[Any], memo: dict[Any, Any]) -> tuple[Any, ...]:
    """``records`` of class ``cls`` as a tuple of columns, in field order."""
    out: list[Any] = []
    for get, (how, inner) in zip(_GETTERS[cls], _PLANS[cls], strict=True):
        col = list(map(get, records))
        if how == _PLAIN:
            out.append(_shared(col, memo))
        elif how == _DATE:  # each distinct date written out once (20k: 54,000 -> ~900)
            iso = {d: d.isoformat() for d in set(col) if d is not None}
            iso = {d: memo.setdefault(text, text) for d, text in iso.items()}
            out.append([None if d is None else iso[d] for d in col])
        elif how == _ONE:
            out.append(_columns(inner, col, memo))
        elif how == _OPTIONAL:
            out.append(_distinct(inner, col, memo))
        else:
            out.append((list(map(len, col)), _columns(inner, list(chain.from_iterable(col)), memo)))
    return tuple(out)


def _distinct(cls: type, col: list[Any], memo: dict[Any, Any]) -> tuple[list[int], Any]:
    """A field holding ``X | None``: the columns of each distinct record once (variants
    of one size share their architecture numbers, say), and for each value the
    position of its record there, or -1 for None. ``X`` holds plain values and dates."""
    held = _columns(cls, [x for x in col if x is not None], memo)
    rows = list(zip(*held, strict=True))
    keys = list(map(marshal.dumps, rows))  # exact: 0.0 and -0.0, 1 and 1.0 differ
    distinct = dict(zip(keys, rows, strict=True))
    number = {k: i for i, k in enumerate(distinct)}
    where = iter(map(number.__getitem__, keys))
    columns = tuple(map(list, zip(*distinct.values(), strict=True))) or tuple([] for _ in held)
    return [-1 if x is None else next(where) for x in col], columns


def _shared(col: list[Any], memo: dict[Any, Any]) -> list[Any]:
    """``col`` with each string, list of strings and mapping of strings to strings
    replaced by the first equal one met (``memo``: strings by themselves, lists and
    mappings in tables of their own), so that it is stored once."""
    kinds = _types(col)
    if kinds <= {str, _NONE}:
        return list(map(memo.setdefault, col, col))
    if kinds <= {list} and _types(chain.from_iterable(col)) <= {str}:
        lists = memo.setdefault(list, {})
        return list(map(lists.setdefault, map(tuple, col), col))
    if kinds <= {dict} and _types(chain(chain.from_iterable(col), *map(dict.values, col))) <= {str}:
        mappings = memo.setdefault(dict, {})
        return list(map(mappings.setdefault, map(tuple, map(dict.items, col)), col))
    return col


def catalog_from_rows(data: dict[str, Any]) -> Catalog:
    """Rebuild a catalog from ``catalog_rows`` output (raises on damaged data)."""
    tables = {}
    for key, cls in _TABLES:
        columns = data[key]
        tables[key] = dict(zip(columns[0], _records(cls, columns), strict=True))
    return Catalog(version=data["version"], **tables)


def _records(cls: type, columns: Sequence[Any]) -> list[Any]:
    """The records of class ``cls`` stored as ``columns`` (see ``_columns``)."""
    plan = _PLANS[cls]
    if len(columns) != len(plan):
        raise ValueError("not the columns of this record")
    args: list[Iterable[Any]] = []
    for (how, inner), col in zip(plan, columns, strict=True):
        if how == _PLAIN:
            args.append(col)
        elif how == _DATE:
            table = {s: dt.date.fromisoformat(s) for s in set(col) if s is not None}
            args.append(map(table.get, col))
        elif how == _ONE:
            args.append(_records(inner, col))
        else:
            marks, held = col[0], _records(inner, col[1])
            if how == _OPTIONAL:  # positions in held, -1 for None
                args.append(map([*held, None].__getitem__, marks))
                continue
            if sum(marks) != len(held):
                raise ValueError("not the records counted")
            it = iter(held)
            empty: list[Any] = []  # one empty list for all that have none
            args.append([list(islice(it, n)) if n else empty for n in marks])
    return list(starmap(cls, zip(*args, strict=True)))
