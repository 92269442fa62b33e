"""Loading the catalog: bundled data plus overlays, validated, checked as a whole, cached.

A catalog directory holds ``providers.yaml``, ``licenses.yaml``,
``families/<provider>/<family-id>.yaml`` and ``evidence/<dataset>.yaml`` (results
imported from one public leaderboard by a script in tools/, keyed by variant id and
merged into each variant's evidence after its family's own). Overlays have the same layout (any
part may be missing) or are single family files. An overlay is somebody else's
text, so it is accountable: an entry that replaces one with the same id says so
(``replaces: true`` in the entry, or at the top of a family file; otherwise exit 3),
a variant may not claim a repo, tag or API id another model already has, and the
``Provenance`` of a loaded catalog says which overlays are in force and which entries
they added or replaced, for every answer to show. ``LLMPICK_BASE_CATALOG`` replaces
the bundled catalog as a whole (an organisation's own catalog, or a test catalog);
it is listed with the overlays wherever they are shown.

The validated catalog is cached (``cache.py``), keyed by a hash of every file's
bytes, so a repeated run skips YAML parsing and a changed file is never served
from a stale cache. A large catalog's cold load on Linux is shared with forked worker
processes (``load_parse.py``: the YAML parsed while this process validates, the cache
written while it answers); the catalog and the problems are those of a load in one
process.

This module is the way in: ``load_catalog``, the in-process reuse (``_Loaded``) and the
cache with its index. The files are found by ``load_files.py``; a cold load validates
them (``load_validate.py``) and resolves them into records (``load_resolve.py``, with
``load_checks.py`` and ``load_evidence.py``), which a warm run never imports.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from llmpick.catalog.cache import (
    blake2b,
    cache_dir,
    key_start,
    private_dir,
    read_cache,
    too_fresh,
    write_cache,
    write_index,
)
from llmpick.catalog.load_files import Collected, SourceFile, collect
from llmpick.catalog.records import BASE_ENV, Catalog, Provenance, provenance
from llmpick.errors import CatalogError, Problem
from llmpick.files import MAX_BYTES, read_bounded
from llmpick.safetext import one_line

if TYPE_CHECKING:
    from llmpick.catalog.load_validate import Parts


def bundled_catalog_dir() -> Path:
    """The catalog shipped with llmpick (inside the wheel, or the repository's catalog/),
    or the one named by LLMPICK_BASE_CATALOG, which replaces it as a whole."""
    override = os.environ.get(BASE_ENV)
    if override:
        return Path(override)
    package = Path(__file__).resolve().parents[1]  # src/llmpick, or llmpick in a wheel
    packaged = package / "data"
    if packaged.is_dir():
        return packaged
    return package.parent.parent / "catalog"


def requested_overlays(given: Sequence[str | Path] = ()) -> list[str]:
    """The overlays to load: those of LLMPICK_CATALOG, then ``given`` (the options'),
    in the order they apply. Once loaded, ``provenance(catalog).in_force()`` is the
    list every answer reports."""
    raw = os.environ.get("LLMPICK_CATALOG", "")
    paths = [p for p in raw.split(os.pathsep) if p.strip()] + [str(p) for p in given]
    # one directory named twice (LLMPICK_CATALOG=DIR and --catalog DIR, or DIR:DIR) is
    # one overlay, not one that conflicts with itself (exit 3); its first place counts
    seen: set[str] = set()
    out = []
    for p in paths:
        key = os.path.realpath(p)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _fail(problems: list[Problem]) -> CatalogError:
    """The error for ``problems``, with their text made safe to print: file names, keys
    and values in them come from the files and may hold control characters."""
    return CatalogError(
        [Problem(one_line(p.file), one_line(p.message), one_line(p.path), p.line) for p in problems]
    )


def _read_all(files: Sequence[SourceFile]) -> list[Problem]:
    problems = []
    for f in files:
        try:
            f.data = read_bounded(f.path, MAX_BYTES)
        except OSError as exc:
            problems.append(Problem(f.label, f"cannot read: {exc.strerror or exc}"))
    return problems


def _digest(files: Iterable[SourceFile]) -> str:
    h = blake2b(key_start())
    for f in files:
        h.update(
            f"\0{f.label}\0{f.kind}\0{f.family_id}\0{f.provider_dir}\0{f.overlay}\0{f.root}"
            f"\0{len(f.data)}\0".encode()
        )
        h.update(f.data)
    return h.hexdigest()


def _stat_key(files: Iterable[SourceFile]) -> str:
    """What the index is named by: a hash of every file's name, kind and stat data."""
    h = blake2b(key_start(), digest_size=16)
    for f in files:
        h.update(
            f"\0{f.label}\0{f.kind}\0{f.family_id}\0{f.provider_dir}\0{f.overlay}\0{f.root}"
            f"\0{f.stat}".encode()
        )
    return h.hexdigest()[:32]


class _Loaded:
    """The catalogs this process has loaded, kept by what the disk cache's index is keyed
    by (every file's name, kind, overlay and stat data, and the cache's format) and by
    LLMPICK_BASE_CATALOG, which only its provenance says. A long-lived process (`llmpick
    mcp`, the test suite) that loads again with nothing changed gets the same Catalog
    back without reading the cache again (~20 ms for the bundled catalog); a changed,
    added or removed file changes the key. As for the index, files modified within
    ``too_fresh`` are not trusted: a catalog that holds one is not kept. A loaded catalog is
    not modified afterwards (``apply_layer`` and the engine build new mappings)."""

    def __init__(self, size: int = 4) -> None:
        self.size = size  # the most recently used are kept; 0 keeps none
        self._kept: dict[tuple[str, str | None], Catalog] = {}

    def get(self, key: tuple[str, str | None]) -> Catalog | None:
        cat = self._kept.pop(key, None)
        if cat is not None:
            self._kept[key] = cat  # now the most recently used
        return cat

    def keep(self, key: tuple[str, str | None], cat: Catalog, files: Sequence[SourceFile]) -> None:
        if too_fresh(f.stat[1] for f in files):
            return
        self._kept[key] = cat
        while len(self._kept) > self.size:
            del self._kept[next(iter(self._kept))]


_LOADED = _Loaded()


def load_catalog(
    overlays: Sequence[str | Path] = (),
    *,
    base: Path | None = None,
    use_cache: bool = True,
) -> Catalog:
    """Load and validate the bundled catalog plus overlays; raise CatalogError on any problem.

    The cache is keyed by a hash of every file's content. To avoid reading every file on
    each run, an index maps the files' stat data (size, mtime, inode) to that hash, the
    way git's index does; files modified in the last two seconds are never indexed, so
    a quick edit that keeps the size and timestamp is still noticed. Within a process,
    a catalog loaded before from files with the same stat data is given back as it is
    (``_Loaded``).

    ``provenance(catalog)`` then says which overlays are in force and what they changed.
    """
    col = Collected()
    base_env = os.environ.get(BASE_ENV) if base is None else None
    collect(base or bundled_catalog_dir(), False, col)
    for ov in overlays:
        collect(Path(ov), True, col)
    if col.problems:
        raise _fail(col.problems)
    cdir = cache_dir() if use_cache else None
    if cdir is None or not private_dir(cdir):
        return _cached_or_validated(col.files, overlays, None, base_env)
    key = (_stat_key(col.files), base_env)
    cat = _LOADED.get(key)
    if cat is None:
        cat = _cached_or_validated(col.files, overlays, cdir / f"index-{key[0]}", base_env)
        _LOADED.keep(key, cat, col.files)
    return cat


def _cached_or_validated(
    files: Sequence[SourceFile],
    overlays: Sequence[str | Path],
    index: Path | None,
    base_env: str | None,
) -> Catalog:
    """The catalog of ``files``: from the disk cache beside ``index`` (through the index
    when the files' stat data are in it), or parsed, validated and cached; no cache when
    ``index`` is None."""
    cdir = index.parent if index else None
    cached = _indexed(cdir, index)
    if cached is not None:
        return _based(cached, base_env)
    problems = _read_all(files)
    if problems:
        raise _fail(problems)
    version = _digest(files)
    cpath = cdir / f"catalog-{version[:32]}.bin" if cdir else None
    cached = read_cache(cpath, version) if cpath is not None else None
    if cached is None:
        from llmpick.catalog.load_parse import parsers

        n = parsers(files)  # once: the load average it reads changes
        cached = _validated(files, version, overlays, base_env, n)
        if cpath is not None:
            _cache(files, index, version, cpath, cached, apart=n > 1)
    elif cpath is not None:  # read and checked
        write_index(index, version, cpath, [f.stat[1] for f in files])
    return _based(cached, base_env)


def _cache(
    files: Sequence[SourceFile],
    index: Path | None,
    version: str,
    cpath: Path,
    cat: Catalog,
    *,
    apart: bool,
) -> None:
    """Write the cache of ``cat``, then its index once the cache is written: for a large
    catalog (``apart``) in a forked process, as this one answers (``load_parse.apart``),
    else, or where none can be forked, here."""
    from llmpick.catalog import load_parse

    def write() -> None:
        if write_cache(cpath.parent, cpath, cat):
            write_index(index, version, cpath, [f.stat[1] for f in files])

    if not (apart and load_parse.apart(write)):
        write()


def _indexed(cdir: Path | None, index: Path | None) -> Catalog | None:
    """The cached catalog the index names for these files as they are now, if any."""
    if cdir is None or index is None:
        return None
    try:
        known = read_bounded(index, 200, private=True).decode("ascii").split()
    except (OSError, UnicodeDecodeError):
        return None
    if len(known) == 2 and re.fullmatch(r"[0-9a-f]{64}", known[0]):
        return read_cache(cdir / f"catalog-{known[0][:32]}.bin", known[0], known[1])
    return None


def _validated(
    files: Sequence[SourceFile],
    version: str,
    overlays: Sequence[str | Path],
    base_env: str | None,
    parsers: int,
) -> Catalog:
    """The catalog of ``files``, parsed (by ``parsers`` processes, this one included),
    validated and resolved; CatalogError on any problem."""
    from llmpick.catalog.load_parse import Shared
    from llmpick.catalog.load_resolve import resolve
    from llmpick.catalog.load_validate import parse_overlays

    with Shared(files, parsers) as parse:
        problems = [] if parse.shared else parse_overlays(files)
        if problems:
            raise _fail(problems)
        parts = _validate_files(files, problems)
    refused = parse_overlays(files) if parse.shared else []
    if refused:
        raise _fail(refused)
    cat = resolve(parts, problems, version)
    if problems:
        raise _fail(problems)
    cat.provenance = Provenance(
        base=base_env,
        overlays=tuple(str(ov) for ov in overlays),
        origin=dict(parts.origin),
        replaced=frozenset(parts.replaced),
    )
    return cat


def _validate_files(files: Sequence[SourceFile], problems: list[Problem]) -> Parts:
    """``load_validate.validate_files``, imported on first use: a warm run never
    validates, and does not pay for importing the checks and pydantic's models."""
    from llmpick.catalog.load_validate import validate_files

    return validate_files(files, problems)


def _based(cat: Catalog, base_env: str | None) -> Catalog:
    """``cat`` from the cache, its provenance naming the base catalog as this load did:
    the same files give the same cache whether LLMPICK_BASE_CATALOG or an argument
    named them, and only the variable is reported."""
    cat.provenance = dataclasses.replace(provenance(cat), base=base_env)
    return cat
