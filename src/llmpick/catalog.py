"""Loading the catalog: bundled data plus overlays, validated, checked as a whole, cached.

A catalog directory holds ``providers.yaml``, ``licenses.yaml`` and
``families/<provider>/<family-id>.yaml``. Overlays have the same layout (any
part may be missing) or are single family files; their entries replace
bundled entries with the same id.

The validated catalog is cached as JSON keyed by a hash of every file's bytes,
so a repeated run skips YAML parsing and a changed file can never be served
from a stale cache.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import marshal
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmpick import __version__
from llmpick.errors import CatalogError, Problem, WriteError
from llmpick.files import MAX_BYTES, read_bounded, write_atomic
from llmpick.records import (
    Catalog,
    Dataset,
    Family,
    License,
    Provider,
    Variant,
    catalog_from_rows,
    catalog_rows,
)

if TYPE_CHECKING:
    from pydantic import TypeAdapter, ValidationError

    from llmpick.schema import FamilyIn, VariantIn

CACHE_FORMAT = "4"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
MAX_FILES = 20_000
_KEEP_CACHES = 8


def bundled_catalog_dir() -> Path:
    """The catalog shipped with llmpick (inside the wheel, or the repository's catalog/)."""
    override = os.environ.get("LLMPICK_BASE_CATALOG")
    if override:
        return Path(override)
    here = Path(__file__).resolve().parent
    packaged = here / "catalog"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "catalog"


def overlay_paths_from_env() -> list[Path]:
    raw = os.environ.get("LLMPICK_CATALOG", "")
    return [Path(p) for p in raw.split(os.pathsep) if p.strip()]


# --- reading files -----------------------------------------------------------


@dataclass(eq=False, repr=False)
class SourceFile:
    path: Path
    label: str  # how it is named in messages
    kind: str  # "providers" | "licenses" | "family"
    stat: tuple[int, int, int, int]  # size, mtime_ns, inode, device
    data: bytes = b""
    family_id: str = ""
    provider_dir: str = ""
    root: str = ""
    text: str = ""


@dataclass(eq=False, repr=False)
class _Collected:
    files: list[SourceFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _stat(path: Path, label: str, out: _Collected) -> tuple[int, int, int, int] | None:
    try:
        st = path.stat()
    except OSError as exc:
        out.problems.append(Problem(label, f"cannot read: {exc.strerror or exc}"))
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


def _collect(root: Path, overlay: bool, out: _Collected) -> None:
    if not str(root).strip() or str(root) == ".":
        out.problems.append(Problem(repr(str(root)), "an empty path is not a catalog overlay"))
        return
    if not root.exists():
        out.problems.append(Problem(str(root), "no such file or directory"))
        return
    if not root.is_file() and not root.is_dir():
        out.problems.append(Problem(str(root), "not a regular file or a directory"))
        return
    if root.is_file():
        if root.suffix not in (".yaml", ".yml"):
            out.problems.append(Problem(str(root), "a catalog file must end in .yaml"))
            return
        st = _stat(root, str(root), out)
        if st is not None:
            out.files.append(
                SourceFile(root, str(root), "family", st, family_id=root.stem, root=str(root))
            )
        return
    for name, kind in (
        ("providers.yaml", "providers"),
        ("licenses.yaml", "licenses"),
        ("datasets.yaml", "datasets"),
    ):
        p = root / name
        if p.is_file():
            st = _stat(p, _label(p, root, overlay), out)
            if st is not None:
                out.files.append(SourceFile(p, _label(p, root, overlay), kind, st, root=str(root)))
    fam_root = root / "families"
    if not fam_root.is_dir():
        return
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(fam_root):
        dirnames.sort()
        for fn in sorted(filenames):
            if fn.endswith((".yaml", ".yml")):
                found.append(Path(dirpath) / fn)
        if len(found) > MAX_FILES:
            out.problems.append(Problem(str(fam_root), f"more than {MAX_FILES:,} family files"))
            return
    for p in found:
        label = _label(p, root, overlay)
        st = _stat(p, label, out)
        if st is None:
            continue
        parent = p.parent.name if p.parent != fam_root else ""
        out.files.append(
            SourceFile(
                p,
                label,
                "family",
                st,
                family_id=p.stem,
                provider_dir=parent,
                root=str(root),
            )
        )


# --- validation --------------------------------------------------------------


def _pydantic_problems(
    exc: ValidationError, src: SourceFile, text: str, prefix: tuple[Any, ...]
) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = prefix + tuple(err["loc"])
        path = ".".join(str(p) for p in loc)
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (not in the schema; see CONTRIBUTING.md)"
        elif err["type"] == "missing":
            msg = "required field is missing"
        elif err["type"] == "literal_error":
            got = err.get("input")
            msg = f"{msg}; got {got!r}"
            if isinstance(got, bool):
                msg += " (YAML reads a bare yes/no as true/false: quote it)"
        elif err["type"] == "value_error":
            msg = msg.removeprefix("Value error, ")
        problems.append(Problem(src.label, msg, path=path, line=line_of(text, loc)))
    return problems


@dataclass(eq=False, repr=False)
class _Parts:
    providers: dict[str, tuple[Provider, str]] = field(default_factory=dict)
    licenses: dict[str, tuple[License, str]] = field(default_factory=dict)
    datasets: dict[str, tuple[Dataset, str]] = field(default_factory=dict)
    families: dict[str, tuple[FamilyIn, SourceFile]] = field(default_factory=dict)


def _validate_mapping_file(
    src: SourceFile, text: str, data: Any, adapter: TypeAdapter[Any], problems: list[Problem]
) -> dict[str, Any]:
    from pydantic import ValidationError

    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(Problem(src.label, "expected a mapping of id to entry"))
        return {}
    out: dict[str, Any] = {}
    for key, body in data.items():
        if not isinstance(body, dict):
            problems.append(
                Problem(src.label, "expected a mapping", path=str(key), line=line_of(text, (key,)))
            )
            continue
        if not isinstance(key, str) or not ID_RE.match(key):
            problems.append(
                Problem(
                    src.label,
                    "not a valid id: use lower-case letters, digits, '.', '_' and '-'",
                    path=str(key),
                    line=line_of(text, (key,)),
                )
            )
            continue
        if "id" in body:
            problems.append(
                Problem(
                    src.label,
                    "unknown key: the id is the mapping key",
                    path=f"{key}.id",
                    line=line_of(text, (key, "id")),
                )
            )
            continue
        try:
            out[key] = adapter.validate_python({"id": key, **body})
        except ValidationError as exc:
            problems.extend(_pydantic_problems(exc, src, text, (key,)))
    return out


def _validate_files(files: Sequence[SourceFile], problems: list[Problem]) -> _Parts:
    from pydantic import ValidationError

    from llmpick.schema import DATASET, LICENSE, PROVIDER, FamilyIn
    from llmpick.yamlsafe import YamlProblem, decode, parse

    parts = _Parts()
    for src in files:
        try:
            text = decode(src.data, src.label)
            src.text = text
            data = parse(text, src.label)
        except YamlProblem as exc:
            problems.append(exc.problem)
            continue
        if src.kind == "providers":
            for k, v in _validate_mapping_file(src, text, data, PROVIDER, problems).items():
                parts.providers[k] = (v, src.label)
        elif src.kind == "licenses":
            for k, v in _validate_mapping_file(src, text, data, LICENSE, problems).items():
                parts.licenses[k] = (v, src.label)
        elif src.kind == "datasets":
            for k, v in _validate_mapping_file(src, text, data, DATASET, problems).items():
                parts.datasets[k] = (v, src.label)
        else:
            if not isinstance(data, dict):
                problems.append(
                    Problem(src.label, "a family file is a mapping (see CONTRIBUTING.md)")
                )
                continue
            if "id" in data:
                problems.append(
                    Problem(
                        src.label,
                        "unknown key: the family id comes from the file name",
                        path="id",
                        line=line_of(text, ("id",)),
                    )
                )
                continue
            try:
                fam = FamilyIn.model_validate(data)
            except ValidationError as exc:
                problems.extend(_pydantic_problems(exc, src, text, ()))
                continue
            if src.provider_dir and fam.provider != src.provider_dir:
                problems.append(
                    Problem(
                        src.label,
                        f"provider {fam.provider!r} does not match the folder {src.provider_dir!r}",
                        path="provider",
                        line=line_of(text, ("provider",)),
                    )
                )
            prev = parts.families.get(src.family_id)
            if prev is not None and prev[1].root == src.root:
                problems.append(
                    Problem(
                        src.label,
                        f"duplicate family id {src.family_id!r}, also {prev[1].label}",
                    )
                )
                continue
            parts.families[src.family_id] = (fam, src)
    return parts


def _resolve(parts: _Parts, problems: list[Problem], version: str) -> Catalog:
    providers = {k: v for k, (v, _) in parts.providers.items()}
    licenses = {k: v for k, (v, _) in parts.licenses.items()}
    datasets = {k: v for k, (v, _) in parts.datasets.items()}
    for did, (ds, label) in parts.datasets.items():
        if ds.license not in licenses:
            problems.append(
                Problem(label, f"unknown licence {ds.license!r} (not in licenses.yaml)", path=did)
            )
    families: dict[str, Family] = {}
    variants: dict[str, Variant] = {}
    variant_file: dict[str, str] = {}
    pending_refs: list[tuple[SourceFile, tuple[str, ...], str, str]] = []

    def problem(src: SourceFile, loc: tuple[str, ...], message: str) -> Problem:
        return Problem(src.label, message, path=".".join(loc), line=line_of(src.text, loc))

    for fid, (fam, src) in sorted(parts.families.items()):
        label = src.label
        if fam.provider not in providers:
            problems.append(
                problem(
                    src, ("provider",), f"unknown provider {fam.provider!r} (not in providers.yaml)"
                )
            )
        if fam.successor:
            pending_refs.append((src, ("successor",), fam.successor, "family-or-variant"))
        for vid, v in fam.variants.items():
            where = ("variants", vid)
            if vid in variant_file:
                problems.append(
                    problem(
                        src, where, f"duplicate variant id {vid!r}, also in {variant_file[vid]}"
                    )
                )
                continue
            lic = v.license or fam.license
            open_weights = v.open_weights if v.open_weights is not None else fam.open_weights
            verified = v.verified or fam.verified
            sources = list(dict.fromkeys([*fam.sources, *v.sources]))
            missing = [
                name
                for name, value in (
                    ("license", lic),
                    ("open_weights", open_weights),
                    ("verified", verified),
                )
                if value is None
            ]
            if not sources:
                missing.append("sources")
            if missing:
                problems.append(
                    problem(
                        src,
                        where,
                        "required field missing on the variant or its family: "
                        + ", ".join(missing),
                    )
                )
                continue
            assert lic is not None and open_weights is not None and verified is not None
            if lic not in licenses:
                loc = (*where, "license") if v.license else ("license",)
                problems.append(
                    problem(src, loc, f"unknown licence {lic!r} (not in licenses.yaml)")
                )
            if v.arch is not None:
                for name in v.arch.__dataclass_fields__:
                    number = getattr(v.arch, name)
                    if isinstance(number, int) and number < (
                        0 if name == "full_attention_layers" else 1
                    ):
                        problems.append(
                            problem(src, (*where, "arch", name), "must be greater than 0")
                        )
            moe = v.moe if v.moe is not None else fam.moe
            released = v.released or fam.released
            for loc, message in _fact_problems(vid, v, moe, released, verified, fam):
                problems.append(problem(src, (*where, *loc), message))
            for loc, cited in _citations(fam, v):
                if _cited_dataset(cited) not in (None, *datasets):
                    problems.append(
                        problem(
                            src,
                            loc if loc[0] == "sources" and not v.sources else (*where, *loc),
                            f"source {cited!r} names no dataset declared in datasets.yaml",
                        )
                    )
            if v.successor:
                pending_refs.append((src, (*where, "successor"), v.successor, "family-or-variant"))
            if v.base_model:
                pending_refs.append((src, (*where, "base_model"), v.base_model, "variant"))
            variant_file[vid] = label
            variants[vid] = Variant(
                id=vid,
                family=fid,
                provider=fam.provider,
                name=v.name,
                flavour=v.flavour,
                tuning=v.tuning,
                architecture=fam.architecture,
                moe=moe,
                params_b=v.params_b,
                active_params_b=v.active_params_b,
                context_window=v.context_window or fam.context_window,
                max_output=v.max_output,
                open_weights=open_weights,
                license=lic,
                status=v.status or fam.status,
                successor=v.successor
                or (fam.successor if (v.status or fam.status) != "active" else None),
                base_model=v.base_model,
                domain=v.domain or fam.domain,
                modalities=fam.modalities,
                languages=v.languages or fam.languages,
                capabilities=v.capabilities
                if v.capabilities is not None
                else (fam.capabilities or []),
                access=v.access,
                arch=v.arch,
                pricing=v.pricing,
                evidence=v.evidence,
                released=released,
                sources=sources,
                verified=verified,
                notes=v.notes,
                weights_format=v.weights_format,
                api_status=v.api_status,
            )
        families[fid] = Family(
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


_STAMP = re.compile(r"-(20\d{2})-?(\d{2})-?(\d{2})$|-(\d{2})(\d{2})$")


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
    if released is not None and released > verified:
        out.append((("released",), f"released {released} is after the check date {verified}"))
    if released is not None and fam.released is not None and released < fam.released:
        out.append(
            (("released",), f"released {released}, before its family's first release")
        )
    stamp = _stamp_problem(vid, released)
    if stamp is not None:
        out.append((("released",), stamp))
    return out


def _citations(fam: FamilyIn, v: VariantIn) -> list[tuple[tuple[str, ...], str]]:
    out: list[tuple[tuple[str, ...], str]] = [(("sources",), s) for s in v.sources]
    if not v.sources:
        out += [(("sources",), s) for s in fam.sources]
    if v.pricing is not None:
        out.append((("pricing", "source"), v.pricing.source))
    out += [(("evidence", str(i), "source"), e.source) for i, e in enumerate(v.evidence)]
    return out


def _cited_dataset(source: str) -> str | None:
    """The dataset a source cites, or None for a URL."""
    if source.startswith(("https://", "http://")):
        return None
    return source.partition(":")[0]


def current_successor(cat: Catalog, ref: str | None) -> str | None:
    """Follow a successor chain to the first model that is still available (active or
    legacy), so that a retired model points to what to use today."""
    seen: set[str] = set()
    while ref is not None and ref not in seen:
        seen.add(ref)
        status, nxt = None, None
        if ref in cat.variants:
            status, nxt = cat.variants[ref].status, cat.variants[ref].successor
        elif ref in cat.families:
            status, nxt = cat.families[ref].status, cat.families[ref].successor
        if status in ("active", "legacy") or nxt is None:
            return ref
        ref = nxt
    return ref


def line_of(text: str, path: tuple[Any, ...]) -> int | None:
    """Line of a field path in a file's text (error path only: loads YAML's composer)."""
    from llmpick.yamlsafe import line_of as find

    return find(text, path)


def _digest(files: Iterable[SourceFile]) -> str:
    h = hashlib.sha256(f"{CACHE_FORMAT}|{__version__}".encode())
    for f in files:
        h.update(
            f"\0{f.label}\0{f.kind}\0{f.family_id}\0{f.provider_dir}\0{len(f.data)}\0".encode()
        )
        h.update(f.data)
    return h.hexdigest()


# --- the cache ---------------------------------------------------------------


def cache_dir() -> Path | None:
    if os.environ.get("LLMPICK_NO_CACHE"):
        return None
    explicit = os.environ.get("LLMPICK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "llmpick"


def _cache_read(path: Path, version: str) -> Catalog | None:
    """The cached catalog, or None when missing, damaged or for other files.

    The file is ``<sha256 of payload>\n<payload>``, the payload a marshal of plain
    tuples and strings (marshal cannot run code, and is several times faster to read
    than JSON); a damaged file fails the check and is rebuilt, never served.
    """
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    digest, _, payload = raw.partition(b"\n")
    if hashlib.sha256(payload).hexdigest().encode() != digest:
        return None
    try:
        data = marshal.loads(payload)
        cat = catalog_from_rows(data)
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, EOFError):
        return None
    return cat if cat.version == version else None


def _cache_write(directory: Path, path: Path, cat: Catalog) -> None:
    payload = marshal.dumps(catalog_rows(cat))
    blob = hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
    try:
        directory.mkdir(parents=True, exist_ok=True)
        write_atomic(path, blob)
        for pattern, keep in (("catalog-*.bin", _KEEP_CACHES), ("index-*", 4 * _KEEP_CACHES)):
            olds = sorted(directory.glob(pattern), key=lambda p: p.stat().st_mtime)
            for old in olds[:-keep]:
                old.unlink(missing_ok=True)
    except (OSError, WriteError):
        pass  # a cache we cannot write only costs speed


# --- public ------------------------------------------------------------------


def _stat_key(files: Iterable[SourceFile]) -> str:
    h = hashlib.sha256(f"{CACHE_FORMAT}|{__version__}".encode())
    for f in files:
        h.update(f"\0{f.label}\0{f.kind}\0{f.family_id}\0{f.provider_dir}\0{f.stat}".encode())
    return h.hexdigest()[:32]


RACY_NS = 2_000_000_000  # files touched this recently may change again within one mtime tick


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
    a quick edit that keeps the size and timestamp is still noticed.
    """
    col = _Collected()
    _collect(base or bundled_catalog_dir(), False, col)
    for ov in overlays:
        _collect(Path(ov), True, col)
    if col.problems:
        raise CatalogError(col.problems)
    cdir = cache_dir() if use_cache else None
    index = cdir / f"index-{_stat_key(col.files)}" if cdir else None
    if cdir is not None and index is not None:
        try:
            known = index.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            known = ""
        if len(known) == 64:
            cached = _cache_read(cdir / f"catalog-{known[:32]}.bin", known)
            if cached is not None:
                return cached
    problems = _read_all(col.files)
    if problems:
        raise CatalogError(problems)
    version = _digest(col.files)
    cpath = cdir / f"catalog-{version[:32]}.bin" if cdir else None
    if cpath is not None:
        cached = _cache_read(cpath, version)
        if cached is not None:
            _index_write(index, version, col.files)
            return cached
    problems = []
    parts = _validate_files(col.files, problems)
    cat = _resolve(parts, problems, version)
    if problems:
        raise CatalogError(problems)
    if cdir is not None and cpath is not None:
        _cache_write(cdir, cpath, cat)
        _index_write(index, version, col.files)
    return cat


def _index_write(index: Path | None, version: str, files: Sequence[SourceFile]) -> None:
    import time

    if index is None:
        return
    now = time.time_ns()
    if any(now - f.stat[1] < RACY_NS for f in files):
        return  # too fresh to trust stat data for
    with contextlib.suppress(OSError, WriteError):  # an index only saves time
        write_atomic(index, version)
