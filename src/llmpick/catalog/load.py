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
from a stale cache.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter, is_not
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmpick.catalog.cache import (
    RACY_NS,
    cache_dir,
    key_start,
    private_dir,
    read_cache,
    write_cache,
    write_index,
)
from llmpick.catalog.records import (
    BASE_ENV,
    INHERITABLE,
    ArchNumbers,
    Catalog,
    Dataset,
    Evidence,
    Family,
    License,
    NewestRelease,
    Provenance,
    Provider,
    Variant,
    provenance,
)
from llmpick.errors import CatalogError, Problem
from llmpick.files import MAX_BYTES, read_bounded
from llmpick.safetext import one_line
from llmpick.vocabulary import ID_RE, ID_RULE

if TYPE_CHECKING:
    from pydantic import TypeAdapter, ValidationError

    from llmpick.catalog.fileformat import FamilyIn, VariantIn

MAX_FILES = 20_000
MAX_WALK = 200_000  # directory entries looked at under families/ (a tree like /usr is refused)


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


# --- reading files -----------------------------------------------------------


@dataclass(eq=False, repr=False)
class SourceFile:
    path: Path | str
    label: str  # how it is named in messages
    kind: str  # "providers" | "licenses" | "datasets" | "family" | "evidence"
    stat: tuple[int, int, int, int]  # size, mtime_ns, inode, device
    data: bytes = b""
    family_id: str = ""
    provider_dir: str = ""
    root: str = ""
    text: str = ""
    overlay: str = ""  # the overlay path it belongs to; "" for the base catalog
    parsed: Any = None  # its YAML, when read ahead (overlays: see _parse_overlays)
    _lines: Any = None

    def line(self, loc: tuple[Any, ...]) -> int | None:
        """Line of a field path in this file; the file is composed once, however many
        problems it has (a lookup per problem that re-parsed it was quadratic)."""
        if self._lines is None:
            from llmpick.yamlsafe import LineIndex

            self._lines = LineIndex(self.text)
        line: int | None = self._lines(loc)
        return line


@dataclass(eq=False, repr=False)
class _Collected:
    files: list[SourceFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _stat(path: Path | str, label: str, out: _Collected) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError as exc:
        out.problems.append(Problem(label, f"cannot read: {exc.strerror or exc}"))
        return None
    if not stat.S_ISREG(st.st_mode):  # a pipe or a device would block or never end
        out.problems.append(Problem(label, "not a regular file"))
        return None
    if st.st_size > MAX_BYTES:
        out.problems.append(
            Problem(label, f"file is {st.st_size:,} bytes; the limit is {MAX_BYTES:,}")
        )
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)


def _read_all(files: Sequence[SourceFile]) -> list[Problem]:
    problems = []
    for f in files:
        try:
            f.data = read_bounded(f.path, MAX_BYTES)
        except OSError as exc:
            problems.append(Problem(f.label, f"cannot read: {exc.strerror or exc}"))
    return problems


def _label(path: Path, root: Path, overlay: bool) -> str:
    if not overlay:
        try:
            return f"catalog/{path.relative_to(root).as_posix()}"
        except ValueError:
            return str(path)
    return str(path)


_PARTS = (
    ("providers.yaml", "providers"),
    ("licenses.yaml", "licenses"),
    ("datasets.yaml", "datasets"),
)


def _collect(root: Path, overlay: bool, out: _Collected) -> None:
    """The catalog files of ``root``: a family file, or a catalog directory."""
    problem = _not_a_catalog(root)
    if problem is not None:
        out.problems.append(problem)
        return
    tag = str(root) if overlay else ""
    if root.is_file():
        st = _stat(root, str(root), out)
        if st is not None:
            out.files.append(
                SourceFile(
                    root, str(root), "family", st, family_id=root.stem, root=str(root), overlay=tag
                )
            )
        return
    for name, kind in _PARTS:
        p = root / name
        if p.exists() or p.is_symlink():  # a pipe or a dangling link is refused, not skipped
            label = _label(p, root, overlay)
            st = _stat(p, label, out)
            if st is not None:
                out.files.append(SourceFile(p, label, kind, st, root=str(root), overlay=tag))
    _collect_evidence(root, overlay, tag, out)
    # strings, not Paths: a catalog may have 20,000 family files, and pathlib costs
    # more than the stat calls
    prefix = os.path.join(str(root), "")
    for path, parent, name in _family_paths(root / "families", out):
        label = path if overlay else "catalog/" + path.removeprefix(prefix).replace(os.sep, "/")
        st = _stat(path, label, out)
        if st is not None:
            out.files.append(
                SourceFile(
                    path,
                    label,
                    "family",
                    st,
                    family_id=_stem(name),
                    provider_dir=parent,
                    root=str(root),
                    overlay=tag,
                )
            )


def _not_a_catalog(root: Path) -> Problem | None:
    """Why ``root`` is neither a family file nor a catalog directory, or None."""
    if not str(root).strip() or str(root) == ".":
        return Problem(repr(str(root)), "an empty path is not a catalog overlay")
    why = None
    if not root.exists():
        why = "no such file or directory"
    elif root.is_file():
        why = None if root.suffix in (".yaml", ".yml") else "a catalog file must end in .yaml"
    elif not root.is_dir():
        why = "not a regular file or a directory"
    elif (
        not (root / "families").is_dir()
        and not (root / "evidence").is_dir()
        and not any((root / name).exists() for name, _ in _PARTS)
    ):
        why = (
            "not a catalog directory: it has no providers.yaml, licenses.yaml, "
            "datasets.yaml, families/ or evidence/ (see CONTRIBUTING.md, Overlays)"
        )
    return Problem(str(root), why) if why is not None else None


def _stem(name: str) -> str:
    """``Path(name).stem`` without building a Path."""
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def _family_paths(fam_root: Path, out: _Collected) -> list[tuple[str, str, str]]:
    """The family files under ``fam_root`` in order, each as its path, the name of the
    directory it is in ("" for ``fam_root`` itself) and its own name; none (with the
    problem said) when there are too many to be a catalog."""
    if not fam_root.is_dir():
        return []
    top = str(fam_root)
    found: list[tuple[str, str, str]] = []
    seen = 0
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        seen += len(dirnames) + len(filenames)
        parent = os.path.basename(dirpath) if dirpath != top else ""
        found += [
            (os.path.join(dirpath, fn), parent, fn)
            for fn in sorted(filenames)
            if fn.endswith((".yaml", ".yml"))
        ]
        if len(found) > MAX_FILES or seen > MAX_WALK:
            message = f"more than {MAX_FILES:,} family files or {MAX_WALK:,} entries: not a catalog"
            out.problems.append(Problem(str(fam_root), message))
            return []
    return found


def _collect_evidence(root: Path, overlay: bool, tag: str, out: _Collected) -> None:
    """The files of ``root/evidence/``: one per dataset, named by the dataset's id."""
    ev_root = root / "evidence"
    if not ev_root.is_dir():
        return
    names = sorted(p.name for p in ev_root.iterdir())
    if len(names) > MAX_FILES:
        out.problems.append(Problem(str(ev_root), f"more than {MAX_FILES:,} files"))
        return
    for fn in names:
        if not fn.endswith((".yaml", ".yml")):
            continue
        p = ev_root / fn
        label = _label(p, root, overlay)
        st = _stat(p, label, out)
        if st is not None:
            out.files.append(
                SourceFile(p, label, "evidence", st, family_id=p.stem, root=str(root), overlay=tag)
            )


# --- validation --------------------------------------------------------------


def _pydantic_problems(
    exc: ValidationError,
    src: SourceFile,
    prefix: tuple[Any, ...],
    schema: Callable[[], dict[str, Any]],
) -> list[Problem]:
    from llmpick.suggest import error_message

    problems = []
    for err in exc.errors(include_url=False):
        loc = prefix + tuple(err["loc"])
        path = ".".join(str(p) for p in loc)
        msg = error_message(err, schema)
        if err["type"] == "missing":
            msg = "required field is missing"
        elif err["type"] == "literal_error":
            got = err.get("input")
            msg = f"{msg}; got {got!r}"
            if isinstance(got, bool):
                msg += " (YAML reads a bare yes/no as true/false: quote it)"
        problems.append(Problem(src.label, msg, path=path, line=src.line(loc)))
    return problems


@dataclass(eq=False, repr=False)
class _Parts:
    providers: dict[str, tuple[Provider, str]] = field(default_factory=dict)
    licenses: dict[str, tuple[License, str]] = field(default_factory=dict)
    datasets: dict[str, tuple[Dataset, str]] = field(default_factory=dict)
    families: dict[str, tuple[FamilyIn, SourceFile]] = field(default_factory=dict)
    # per evidence file: variant id -> its results, in file order
    evidence: list[tuple[SourceFile, dict[str, list[Evidence]]]] = field(default_factory=list)
    origin: dict[str, str] = field(default_factory=dict)  # "kind:id" -> overlay
    replaced: set[str] = field(default_factory=set)
    # ids of the variants of each family as first defined (to know what a family replaces)
    replaced_variants: set[str] = field(default_factory=set)


def _replaces_flag(
    body: dict[Any, Any], src: SourceFile, loc: tuple[Any, ...], problems: list[Problem]
) -> tuple[dict[Any, Any], bool]:
    """``body`` without its ``replaces`` key, and whether that key said true. Only an
    overlay may say it (the bundled catalog replaces nothing)."""
    if "replaces" not in body:
        return body, False
    body = dict(body)
    flag = body.pop("replaces")
    if flag is not True or not src.overlay:
        problems.append(
            Problem(
                src.label,
                "replaces: must be true, in an overlay entry that replaces an entry with "
                "the same id"
                if src.overlay
                else "replaces: only an overlay entry can replace another",
                path=".".join(str(x) for x in (*loc, "replaces")),
                line=src.line((*loc, "replaces")),
            )
        )
    return body, flag is True


def _shadows(
    parts: _Parts,
    kind: str,
    key: str,
    prev_label: str | None,
    src: SourceFile,
    replaces: bool,
    loc: tuple[Any, ...],
    problems: list[Problem],
) -> bool:
    """Record where an entry comes from; False (with a problem) when an overlay would
    replace an existing entry without saying so."""
    tag = f"{kind}:{key}"
    if prev_label is not None and src.overlay and not replaces:
        what = {"license": "licence", "family": "family"}.get(kind, kind)
        where = "the top of this file" if kind == "family" else "this entry"
        problems.append(
            Problem(
                src.label,
                f"{what} {key!r} is already defined in {prev_label}; an overlay that "
                f"replaces it must say so: add 'replaces: true' to {where}",
                path=".".join(str(x) for x in loc),
                line=src.line(loc) if loc else None,
            )
        )
        return False
    if src.overlay:
        parts.origin[tag] = src.overlay
        if prev_label is not None:
            parts.replaced.add(tag)
    else:
        parts.origin.pop(tag, None)
    return True


def _validate_mapping_file(
    src: SourceFile, text: str, data: Any, adapter: TypeAdapter[Any], problems: list[Problem]
) -> dict[str, tuple[Any, bool]]:
    """Each valid entry of a providers, licences or datasets file, with whether it says
    ``replaces: true``."""
    from pydantic import ValidationError

    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(Problem(src.label, "expected a mapping of id to entry"))
        return {}
    out: dict[str, tuple[Any, bool]] = {}
    for key, body in data.items():
        if not isinstance(body, dict):
            problems.append(
                Problem(src.label, "expected a mapping", path=str(key), line=src.line((key,)))
            )
            continue
        if not isinstance(key, str) or not ID_RE.match(key):
            problems.append(
                Problem(
                    src.label,
                    f"not a valid id: {ID_RULE}",
                    path=str(key),
                    line=src.line((key,)),
                )
            )
            continue
        if "id" in body:
            problems.append(
                Problem(
                    src.label,
                    "unknown key: the id is the mapping key",
                    path=f"{key}.id",
                    line=src.line((key, "id")),
                )
            )
            continue
        body, replaces = _replaces_flag(body, src, (key,), problems)
        try:
            out[key] = (adapter.validate_python({"id": key, **body}), replaces)
        except ValidationError as exc:
            problems.extend(_pydantic_problems(exc, src, (key,), adapter.json_schema))
    return out


def _parse_overlays(files: Sequence[SourceFile]) -> list[Problem]:
    """Read the overlays' YAML before the base catalog's: an overlay that is not plain
    YAML (a python tag, an alias bomb, endless nesting) is somebody else's text, and is
    refused at once instead of after parsing every bundled file."""
    from llmpick.yamlsafe import YamlProblem, decode, parse

    problems = []
    for src in files:
        if not src.overlay:
            continue
        try:
            src.text = decode(src.data, src.label)
            src.parsed = parse(src.text, src.label)
        except YamlProblem as exc:
            problems.append(exc.problem)
    return problems


def _validate_files(files: Sequence[SourceFile], problems: list[Problem]) -> _Parts:
    """Each file's entries, validated, in the parts of the catalog they belong to."""
    parts = _Parts()
    add = {
        "providers": _add_mapping_file,
        "licenses": _add_mapping_file,
        "datasets": _add_mapping_file,
        "evidence": _add_evidence_file,
        "family": _add_family_file,
    }
    for src in files:
        data = _data(src, problems)
        if data is not _UNREADABLE:
            add[src.kind](src, data, parts, problems)
    return parts


_UNREADABLE = object()


def _data(src: SourceFile, problems: list[Problem]) -> Any:
    """The YAML of ``src`` (read ahead for an overlay), or _UNREADABLE with the problem said."""
    from llmpick.yamlsafe import YamlProblem, decode, parse

    if src.parsed is not None:
        return src.parsed
    try:
        src.text = decode(src.data, src.label)
        return parse(src.text, src.label)
    except YamlProblem as exc:
        problems.append(exc.problem)
        return _UNREADABLE


def _add_mapping_file(src: SourceFile, data: Any, parts: _Parts, problems: list[Problem]) -> None:
    """The entries of a providers, licences or datasets file."""
    from llmpick.catalog.fileformat import DATASET, LICENSE, PROVIDER

    kinds: dict[str, tuple[str, TypeAdapter[Any], dict[str, Any]]] = {
        "providers": ("provider", PROVIDER, parts.providers),
        "licenses": ("license", LICENSE, parts.licenses),
        "datasets": ("dataset", DATASET, parts.datasets),
    }
    kind, adapter, table = kinds[src.kind]
    for k, (v, replaces) in _validate_mapping_file(src, src.text, data, adapter, problems).items():
        prev = table.get(k)
        prev_label = prev[1] if prev is not None else None
        if _shadows(parts, kind, k, prev_label, src, replaces, (k,), problems):
            table[k] = (v, src.label)


def _add_evidence_file(src: SourceFile, data: Any, parts: _Parts, problems: list[Problem]) -> None:
    """The results of an evidence file, by variant id."""
    from pydantic import ValidationError

    from llmpick.catalog.fileformat import RESULTS

    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(Problem(src.label, "an evidence file maps variant ids to lists of results"))
        return
    results: dict[str, list[Evidence]] = {}
    for vid, rows in data.items():
        if not isinstance(vid, str) or not ID_RE.match(vid):
            problems.append(Problem(src.label, f"not a valid id: {ID_RULE}", path=str(vid)))
            continue
        try:
            results[vid] = RESULTS.validate_python(rows)
        except ValidationError as exc:
            problems.extend(_pydantic_problems(exc, src, (vid,), RESULTS.json_schema))
    parts.evidence.append((src, results))


def _add_family_file(src: SourceFile, data: Any, parts: _Parts, problems: list[Problem]) -> None:
    """A family file, validated, unless it duplicates or silently replaces another."""
    found = _family_of(src, data, problems)
    if found is None:
        return
    replaces, fam = found
    if src.provider_dir and fam.provider != src.provider_dir:
        problems.append(
            Problem(
                src.label,
                f"provider {fam.provider!r} does not match the folder {src.provider_dir!r}",
                path="provider",
                line=src.line(("provider",)),
            )
        )
    fid = src.family_id
    prev = parts.families.get(fid)
    if prev is not None and prev[1].root == src.root:
        problems.append(Problem(src.label, f"duplicate family id {fid!r}, also {prev[1].label}"))
        return
    prev_label = prev[1].label if prev is not None else None
    if not _shadows(parts, "family", fid, prev_label, src, replaces, (), problems):
        return
    if prev is not None:  # the replaced family's variants go with it
        parts.replaced_variants.update(prev[0].variants)
        for vid in prev[0].variants:
            parts.origin.pop(f"variant:{vid}", None)
    if src.overlay:
        for vid in fam.variants:
            parts.origin[f"variant:{vid}"] = src.overlay
    parts.families[fid] = (fam, src)


def _family_of(src: SourceFile, data: Any, problems: list[Problem]) -> tuple[bool, FamilyIn] | None:
    """Whether a family file says ``replaces: true``, and the family it holds; None
    (with the problems said) when it is not a valid family."""
    from pydantic import ValidationError

    from llmpick.catalog.fileformat import FamilyIn

    if not isinstance(data, dict):
        problems.append(Problem(src.label, "a family file is a mapping (see CONTRIBUTING.md)"))
        return None
    if "id" in data:
        message = "unknown key: the family id comes from the file name"
        problems.append(Problem(src.label, message, path="id", line=src.line(("id",))))
        return None
    data, replaces = _replaces_flag(data, src, (), problems)
    try:
        return replaces, FamilyIn.model_validate(data)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc, src, (), FamilyIn.model_json_schema))
        return None


def _problem(src: SourceFile, loc: tuple[str, ...], message: str) -> Problem:
    return Problem(src.label, message, path=".".join(loc), line=src.line(loc))


@dataclass(eq=False, repr=False)
class _Resolved:
    """What resolving the families gathers: the records, where each variant came from,
    the references to check once every record is known, and the problems."""

    licenses: dict[str, License]
    datasets: dict[str, Dataset]
    problems: list[Problem]
    families: dict[str, Family] = field(default_factory=dict)
    variants: dict[str, Variant] = field(default_factory=dict)
    variant_src: dict[str, SourceFile] = field(default_factory=dict)
    # (file, field path, the id referred to, "variant" or "family-or-variant")
    refs: list[tuple[SourceFile, tuple[str, ...], str, str]] = field(default_factory=list)

    def add(self, src: SourceFile, loc: tuple[str, ...], message: str) -> None:
        self.problems.append(_problem(src, loc, message))


def _resolve_family(fid: str, fam: FamilyIn, src: SourceFile, out: _Resolved) -> None:
    """One family's variants (inheriting from it) and its record, checked."""
    if fam.successor:
        out.refs.append((src, ("successor",), fam.successor, "family-or-variant"))
    for vid, v in fam.variants.items():
        where = ("variants", vid)
        if vid in out.variant_src:
            also = out.variant_src[vid].label
            out.add(src, where, f"duplicate variant id {vid!r}, also in {also}")
            continue
        variant = _resolve_variant(fid, fam, vid, v, src, out)
        if variant is None:
            continue
        out.variant_src[vid] = src
        out.variants[vid] = variant
        for loc, message in _modality_problems(variant):
            out.add(src, (*where, *loc), message)
    for vid, message in _spanning_problems(fid, fam, out.variants):
        out.add(src, ("variants", vid), message)
    out.families[fid] = _family_record(fid, fam, src.label)
    newest = fam.newest_release
    if newest is not None:
        out.families[fid].newest_release = newest
        if newest.id:
            out.refs.append((src, ("newest_release", "id"), newest.id, "family-or-variant"))
        for key, message in _newest_problems(newest, fam, out.datasets):
            out.add(src, ("newest_release", key), message)


def _resolve_variant(
    fid: str, fam: FamilyIn, vid: str, v: VariantIn, src: SourceFile, out: _Resolved
) -> Variant | None:
    """A variant with what it inherits from its family, checked; None (with the problem
    said) when a required field is missing from both."""
    where = ("variants", vid)
    sources = list(dict.fromkeys([*fam.sources, *v.sources]))
    missing = _missing(fam, v, sources)
    if missing:
        message = "required field missing on the variant or its family: " + ", ".join(missing)
        out.add(src, where, message)
        return None
    variant = _variant_record(fid, fam, vid, v, sources)
    for loc, message in _variant_problems(fam, v, variant, out):
        out.add(src, loc, message)
    if v.successor:
        out.refs.append((src, (*where, "successor"), v.successor, "family-or-variant"))
    if v.base_model:
        out.refs.append((src, (*where, "base_model"), v.base_model, "variant"))
    return variant


def _missing(fam: FamilyIn, v: VariantIn, sources: list[str]) -> list[str]:
    """The required facts that neither the variant nor its family states."""
    return [
        name
        for name, given in (
            ("license", v.license is not None or fam.license is not None),
            ("open_weights", v.open_weights is not None or fam.open_weights is not None),
            ("verified", v.verified is not None or fam.verified is not None),
            ("sources", bool(sources)),
        )
        if not given
    ]


def _variant_record(fid: str, fam: FamilyIn, vid: str, v: VariantIn, sources: list[str]) -> Variant:
    """The variant's record: what it states, else what its family states for it."""
    status = v.status or fam.status
    return Variant(
        id=vid,
        family=fid,
        provider=fam.provider,
        name=v.name,
        flavour=v.flavour,
        tuning=v.tuning,
        architecture=fam.architecture,
        moe=v.moe if v.moe is not None else fam.moe,
        params_b=v.params_b,
        active_params_b=v.active_params_b,
        context_window=v.context_window or fam.context_window,
        max_output=v.max_output,
        open_weights=v.open_weights if v.open_weights is not None else bool(fam.open_weights),
        license=v.license or fam.license or "",
        status=status,
        successor=v.successor or (fam.successor if status != "active" else None),
        base_model=v.base_model,
        domain=v.domain or fam.domain,
        modalities=v.modalities or fam.modalities,
        languages=v.languages if v.languages is not None else fam.languages,
        capabilities=v.capabilities if v.capabilities is not None else (fam.capabilities or []),
        access=v.access,
        arch=v.arch,
        pricing=v.pricing,
        evidence=v.evidence,
        released=v.released or fam.released,
        sources=sources,
        verified=v.verified or fam.verified,  # type: ignore[arg-type]  # _missing checked
        notes=v.notes,
        weights_format=v.weights_format,
        api_status=v.api_status,
        reasoning=v.reasoning or fam.reasoning,
        inherited=inherited(fam, v),
    )


def _variant_problems(
    fam: FamilyIn, v: VariantIn, variant: Variant, out: _Resolved
) -> Iterator[tuple[tuple[str, ...], str]]:
    """What is wrong with a resolved variant (each a field path and a message): its
    licence, its architecture numbers, facts that contradict each other, citations."""
    where = ("variants", variant.id)
    if variant.license not in out.licenses:
        loc: tuple[str, ...] = (*where, "license") if v.license else ("license",)
        yield loc, f"unknown licence {variant.license!r} (not in licenses.yaml)"
    if v.arch is not None:
        for name in _nonpositive(v.arch):
            yield (*where, "arch", name), "must be greater than 0"
    facts = _fact_problems(variant.id, v, variant.moe, variant.released, variant.verified, fam)
    for loc, message in facts:
        yield (*where, *loc), message
    for loc, cited in _citations(fam, v):
        dataset = _cited_dataset(cited)  # None for a URL
        if dataset is not None and dataset not in out.datasets:
            yield (
                loc if loc[0] == "sources" and not v.sources else (*where, *loc),
                f"source {cited!r} names no dataset declared in datasets.yaml",
            )


_ARCH_NUMBERS = tuple(n for n in ArchNumbers.__dataclass_fields__ if n != "unpublished")
_arch_numbers = attrgetter(*_ARCH_NUMBERS)
_given = partial(is_not, None)


def _nonpositive(arch: ArchNumbers) -> list[str]:
    """The architecture numbers below 1 (full_attention_layers: below 0)."""
    numbers = _arch_numbers(arch)
    if min(filter(_given, numbers), default=1) >= 1:
        return []  # the common case, told in C
    return [
        name
        for name, n in zip(_ARCH_NUMBERS, numbers, strict=True)
        if isinstance(n, int) and n < (0 if name == "full_attention_layers" else 1)
    ]


def _family_record(fid: str, fam: FamilyIn, label: str) -> Family:
    return Family(
        id=fid,
        name=fam.name,
        provider=fam.provider,
        released=fam.released,
        architecture=fam.architecture,
        moe=fam.moe,
        modalities=fam.modalities,
        languages=fam.languages,
        domain=fam.domain,
        status=fam.status,
        successor=fam.successor,
        description=fam.description,
        guide=fam.guide,
        aliases=fam.aliases,
        sources=fam.sources,
        variants=list(fam.variants),
        file=label,
    )


def _resolve(parts: _Parts, problems: list[Problem], version: str) -> Catalog:
    """The catalog from its parsed files: variants inherit from their families, and
    every reference between records is checked once all are known."""
    providers = {k: v for k, (v, _) in parts.providers.items()}
    licenses = {k: v for k, (v, _) in parts.licenses.items()}
    datasets = {k: v for k, (v, _) in parts.datasets.items()}
    for did, (ds, label) in parts.datasets.items():
        if ds.license not in licenses:
            problems.append(
                Problem(label, f"unknown licence {ds.license!r} (not in licenses.yaml)", path=did)
            )
    out = _Resolved(licenses, datasets, problems)
    for fid, (fam, src) in sorted(parts.families.items()):
        if fam.provider not in providers:
            message = f"unknown provider {fam.provider!r} (not in providers.yaml)"
            out.add(src, ("provider",), message)
        _resolve_family(fid, fam, src, out)
    families, variants, variant_src = out.families, out.variants, out.variant_src
    problem, pending_refs = _problem, out.refs

    for vid, field_loc, message in _access_problems(variants, variant_src):
        access_loc = ("variants", vid, "access", *field_loc)
        problems.append(problem(variant_src[vid], access_loc, message))
    for vid in variants:
        if variant_src[vid].overlay and vid in parts.replaced_variants:
            parts.replaced.add(f"variant:{vid}")

    _merge_evidence(parts, variants, datasets, problems)

    for src, ref_loc, ref, kind in pending_refs:
        ok = ref in variants or (kind == "family-or-variant" and ref in families)
        if not ok:
            what = "variant" if kind == "variant" else "family or variant"
            problems.append(problem(src, ref_loc, f"{ref!r} is not a {what} in the catalog"))

    return Catalog(
        version=version,
        providers=providers,
        licenses=licenses,
        families=families,
        variants=variants,
        datasets=datasets,
    )


def _merge_evidence(
    parts: _Parts,
    variants: dict[str, Variant],
    datasets: dict[str, Dataset],
    problems: list[Problem],
) -> None:
    """Add each evidence file's results to its variants, after their family's own.

    The file's name is the dataset it imports, declared in datasets.yaml; every result
    cites that dataset, says its edition (``metric``: subset, version, setting) and its
    date, and names a variant of the catalog. A result its variant's family already
    records (same benchmark and score) is not repeated."""
    for src, results in parts.evidence:
        did = src.family_id
        if did not in datasets:
            problems.append(
                Problem(
                    src.label,
                    f"the file name says dataset {did!r}, which datasets.yaml does not declare",
                )
            )
            continue
        for vid, rows in results.items():
            v = variants.get(vid)
            if v is None:
                if vid not in parts.replaced_variants:  # an overlay replaced its family
                    problems.append(
                        Problem(src.label, f"{vid!r} is not a variant in the catalog", path=vid)
                    )
                continue
            bad = False
            for i, e in enumerate(rows):
                loc = (vid, i)
                for name, message in (
                    (
                        "source",
                        None
                        if e.source.startswith(f"{did}:")
                        else f"source {e.source!r} does not cite this file's dataset ({did}:key)",
                    ),
                    (
                        "metric",
                        None
                        if e.metric and e.metric.strip()
                        else "required: the edition (subset, version, setting) the score is for",
                    ),
                    ("date", None if e.date is not None else "required: the date of the result"),
                ):
                    if message is not None:
                        bad = True
                        problems.append(
                            Problem(
                                src.label,
                                message,
                                path=".".join(map(str, (*loc, name))),
                                line=src.line((*loc, name)),
                            )
                        )
            if bad:
                continue
            have = {(e.benchmark, e.score) for e in v.evidence}
            v.evidence = [*v.evidence, *(e for e in rows if (e.benchmark, e.score) not in have)]
            if src.overlay and rows:
                parts.origin[f"evidence:{vid}"] = src.overlay


def _access_problems(
    variants: dict[str, Variant], sources: dict[str, SourceFile]
) -> list[tuple[str, tuple[str, ...], str]]:
    """Identifiers that do not have the shape of one (they end up in snippets people
    paste into a shell or an interpreter), and overlay variants that claim a repo, tag
    or API id of a model of the base catalog (``show REPO`` would find the impostor)."""
    from llmpick.vocabulary import ID_SHAPE_HELP, plausible_id

    out: list[tuple[str, tuple[str, ...], str]] = []
    owners: dict[tuple[str, str], str] = {}
    claims: list[tuple[str, str, str]] = []
    for vid, v in variants.items():
        a = v.access
        named: list[tuple[str, tuple[str, ...], str | None]] = [
            ("hf_repo", ("hf_repo",), a.hf_repo),
            ("ollama", ("ollama",), a.ollama),
            ("api", ("api",), a.api),
        ]
        named += [("platform", ("platforms", p), pid) for p, pid in sorted(a.platforms.items())]
        for kind, loc, value in named:
            if value is None:
                continue
            if not isinstance(value, str) or not plausible_id(kind, value):
                out.append((vid, loc, f"{value!r} is not {ID_SHAPE_HELP[kind]}"))
            elif kind != "platform":
                if sources[vid].overlay:
                    claims.append((vid, kind, value))
                else:
                    owners.setdefault((kind, value.lower()), vid)
    for vid, kind, value in claims:
        owner = owners.get((kind, value.lower()))
        if owner is not None and owner != vid:
            out.append(
                (
                    vid,
                    (kind,),
                    f"{value!r} is the {kind} of {owner!r} in "
                    f"{sources[owner].label}; an overlay may not claim it (to replace that "
                    f"model, replace its family {variants[owner].family!r} with "
                    "'replaces: true')",
                )
            )
    return out


_STAMP = re.compile(r"-(20\d{2})-?(\d{2})-?(\d{2})$|-(\d{2})(\d{2})$")


def _stamp(vid: str) -> str:
    """The date stamp that ends a variant id ('2507', '2024-08-06'), or ''."""
    m = _STAMP.search(vid)
    if m is None:
        return ""
    if m.group(1):
        return m.group(0)
    a, b = int(m.group(4)), int(m.group(5))
    return m.group(0) if (a >= 23 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 28) else ""


def _stamp_problem(vid: str, released: dt.date | None) -> str | None:
    """A variant id ending in a date stamp (gpt-4o-2024-08-06, kimi-k2-instruct-0905,
    qwen3-30b-a3b-instruct-2507) must agree with its release date."""
    m = _STAMP.search(vid)
    if m is None:
        return None
    if m.group(1):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        try:
            stamped = dt.date(year, month, day)
        except ValueError:
            return None
        if released is None or abs((released - stamped).days) > 45:
            return f"the id says {stamped}, but released is {released or 'not given'}"
        return None
    a, b = int(m.group(4)), int(m.group(5))
    if released is None:
        return f"the id says {a:02d}{b:02d}, but no release date is given"
    if a >= 23 and 1 <= b <= 12:  # YYMM, as Qwen and Mistral stamp their updates
        stamped = dt.date(2000 + a, b, 15)
    elif 1 <= a <= 12 and 1 <= b <= 28:  # MMDD, as Kimi and DeepSeek do (year not given)
        stamped = min(
            (dt.date(released.year + k, a, b) for k in (-1, 0, 1)),
            key=lambda d: abs((d - released).days),
        )
    else:
        return None
    if abs((released - stamped).days) > 45:  # a stamp may lag the release by a few weeks
        return f"the id says {a:02d}{b:02d}, but released is {released}"
    return None


def _fact_problems(
    vid: str,
    v: VariantIn,
    moe: bool,
    released: dt.date | None,
    verified: dt.date,
    fam: FamilyIn,
) -> list[tuple[tuple[str, ...], str]]:
    """Facts of one variant that contradict each other (each a field path and a message)."""
    out: list[tuple[tuple[str, ...], str]] = []
    if v.arch is not None and (v.arch.experts or 0) > 1 and not moe:
        out.append((("moe",), "lists experts in its architecture numbers but moe is false"))
    if (
        v.params_b is not None
        and v.active_params_b is not None
        and v.active_params_b < v.params_b
        and not moe
    ):
        out.append((("moe",), "fewer active than total parameters, but moe is false"))
    if moe and v.notes and re.search(r"not (a )?mixture-of-experts", v.notes, re.IGNORECASE):
        out.append((("moe",), "its notes call it dense (not mixture-of-experts), but moe is true"))
    if released is not None and released > verified:
        out.append((("released",), f"released {released} is after the check date {verified}"))
    if released is not None and fam.released is not None and released < fam.released:
        out.append((("released",), f"released {released}, before its family's first release"))
    stamp = _stamp_problem(vid, released)
    if stamp is not None:
        out.append((("released",), stamp))
    return out


def _newest_problems(
    newest: NewestRelease, fam: FamilyIn, datasets: dict[str, Any]
) -> list[tuple[str, str]]:
    """What is wrong with a family's newest-release check (each a field and a message)."""
    from llmpick.catalog.fileformat import _check_source

    out: list[tuple[str, str]] = []
    try:
        _check_source(newest.source)
    except ValueError as exc:
        out.append(("source", str(exc)))
    else:
        if _cited_dataset(newest.source) not in (None, *datasets):
            out.append(
                ("source", f"source {newest.source!r} names no dataset declared in datasets.yaml")
            )
    if newest.id is not None and not ID_RE.match(newest.id):
        out.append(("id", f"{newest.id!r} is not a valid id: {ID_RULE}"))
    if fam.released is not None and newest.released and newest.released < fam.released:
        out.append(("released", f"released {newest.released}, before its family's first release"))
    return out


def inherited(fam: FamilyIn, v: VariantIn) -> list[str]:
    """The facts of INHERITABLE that variant ``v`` takes from its family's default (a
    family's empty language list or missing context window states nothing to inherit;
    its modalities always do, ['text'] when it does not say)."""
    out = []
    for name in INHERITABLE:
        if getattr(v, name) is None and (name == "modalities" or getattr(fam, name)):
            out.append(name)
    return out


# capabilities that mean reading an input, and the modality each reads
_READS = {"vision": "image", "audio": "audio"}


def _modality_problems(v: Variant) -> list[tuple[tuple[str, ...], str]]:
    """A model that reads images has the 'vision' capability and one with it reads images
    (the same for audio): `--needs vision` trusts either, so one without the other lets a
    text-only model through (or hides a vision model)."""
    out: list[tuple[tuple[str, ...], str]] = []
    for capability, modality in _READS.items():
        reads = modality in v.modalities
        can = capability in v.capabilities
        if reads and not can:
            out.append(
                (
                    ("modalities",),
                    f"its inputs {v.modalities} include {modality}, but its capabilities do "
                    f"not list {capability!r}: state its own modalities (or add "
                    f"{capability!r} with a source)",
                )
            )
        elif can and not reads:
            out.append(
                (
                    ("capabilities",),
                    f"lists {capability!r} but its inputs are {v.modalities}: state its own "
                    f"modalities, with {modality!r}",
                )
            )
    return out


_VERSION = re.compile(r"(?<![a-z0-9])(v\d+(?:[._]\d+)*|\d+\.\d+)(?![\d.]*[bmk](?:-|$))")
SPAN_DAYS = 45  # variants released further apart than this are separate releases

# Families whose variants span releases but still inherit facts from the family: each
# is to state its own (issue 20); the list only shrinks, and `validate --stats` counts it.
NOT_YET_SPLIT: frozenset[str] = frozenset()  # every family is split now


def spans_releases(ids: Iterable[str], variants: dict[str, Variant]) -> list[str]:
    """Why the variants ``ids`` of one family are separate releases (empty when they
    are one): release dates months apart, different date stamps, different version
    numbers in their ids."""
    ids = list(ids)
    why = []
    dates = [variants[vid].released for vid in ids if vid in variants]
    known = [d for d in dates if d is not None]
    if known and (max(known) - min(known)).days > SPAN_DAYS:
        why.append(f"released from {min(known)} to {max(known)}")
    stamps = {_stamp(vid) for vid in ids}
    if len(stamps) > 1 and stamps != {""}:
        why.append("different date stamps")
    versions = {tuple(_VERSION.findall(vid)) for vid in ids}
    if len(versions) > 1:
        why.append("different version numbers")
    return why


def _spanning_problems(
    fid: str, fam: FamilyIn, variants: dict[str, Variant]
) -> list[tuple[str, str]]:
    """A family whose variants span releases is no default for them: each states the
    facts that differ between releases itself, with its source."""
    if fid in NOT_YET_SPLIT:
        return []
    why = spans_releases(fam.variants, variants)
    if not why:
        return []
    out = []
    for vid in fam.variants:
        v = variants.get(vid)
        if v is not None and v.inherited:
            out.append(
                (
                    vid,
                    f"the variants of {fid!r} are separate releases ({'; '.join(why)}), "
                    f"so the family's {', '.join(v.inherited)} may not hold for this one: "
                    "state its own, with its source",
                )
            )
    return out


def _citations(fam: FamilyIn, v: VariantIn) -> list[tuple[tuple[str, ...], str]]:
    out: list[tuple[tuple[str, ...], str]] = [(("sources",), s) for s in v.sources]
    if not v.sources:
        out += [(("sources",), s) for s in fam.sources]
    if v.pricing is not None:
        out.append((("pricing", "source"), v.pricing.source))
        if v.pricing.tiers_source:
            out.append((("pricing", "tiers_source"), v.pricing.tiers_source))
    out += [(("evidence", str(i), "source"), e.source) for i, e in enumerate(v.evidence)]
    return out


def _cited_dataset(source: str) -> str | None:
    """The dataset a source cites, or None for a URL."""
    if source.startswith(("https://", "http://")):
        return None
    return source.partition(":")[0]


def _digest(files: Iterable[SourceFile]) -> str:
    import hashlib  # with OpenSSL, ~3 ms: only when files are read

    h = hashlib.sha256(key_start())
    for f in files:
        h.update(
            f"\0{f.label}\0{f.kind}\0{f.family_id}\0{f.provider_dir}\0{f.overlay}\0{f.root}"
            f"\0{len(f.data)}\0".encode()
        )
        h.update(f.data)
    return h.hexdigest()


# --- public ------------------------------------------------------------------


def _stat_key(files: Iterable[SourceFile]) -> str:
    """What the index is named by: a hash of every file's name, kind and stat data. It
    is BLAKE2b from CPython's own module, which hashlib also serves, without loading
    OpenSSL: that took ~3 ms of every run."""
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - a Python built without it
        from hashlib import blake2b

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
    RACY_NS are not trusted: a catalog that holds one is not kept. A loaded catalog is
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
        from llmpick import clock

        now = clock.nanoseconds()
        if any(now - f.stat[1] < RACY_NS for f in files):
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
    col = _Collected()
    base_env = os.environ.get(BASE_ENV) if base is None else None
    _collect(base or bundled_catalog_dir(), False, col)
    for ov in overlays:
        _collect(Path(ov), True, col)
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
    trusted = cached is not None  # read and checked
    if cached is None:
        cached = _validated(files, version, overlays, base_env)
        if cdir is not None and cpath is not None:
            trusted = write_cache(cdir, cpath, cached)
    if cpath is not None and trusted:
        write_index(index, version, cpath, [f.stat[1] for f in files])
    return _based(cached, base_env)


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
    files: Sequence[SourceFile], version: str, overlays: Sequence[str | Path], base_env: str | None
) -> Catalog:
    """The catalog of ``files``, parsed, validated and resolved; CatalogError on any problem."""
    problems = _parse_overlays(files)
    if problems:
        raise _fail(problems)
    parts = _validate_files(files, problems)
    cat = _resolve(parts, problems, version)
    if problems:
        raise _fail(problems)
    cat.provenance = Provenance(
        base=base_env,
        overlays=tuple(str(ov) for ov in overlays),
        origin=dict(parts.origin),
        replaced=frozenset(parts.replaced),
    )
    return cat


def _based(cat: Catalog, base_env: str | None) -> Catalog:
    """``cat`` from the cache, its provenance naming the base catalog as this load did:
    the same files give the same cache whether LLMPICK_BASE_CATALOG or an argument
    named them, and only the variable is reported."""
    cat.provenance = dataclasses.replace(provenance(cat), base=base_env)
    return cat
