"""Validating a catalog's files: each file's YAML checked against ``fileformat.py``'s
pydantic models, entry by entry, the problems named by file, field path and line.

An overlay is somebody else's text, so it is read first and refused at once when it is
not plain YAML (when the parse is shared out, ``load_parse``, once every file is read:
the same problems, later), and an overlay entry that replaces one with the same id must say so
(``replaces: true``). ``Parts`` holds the valid entries by kind, with where each came
from, for ``load_resolve.py`` to build the records. Only a cold load (no cache, or a
changed file) imports this module, and pydantic with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from llmpick.catalog.records import Dataset, Evidence, License, Provider
from llmpick.errors import Problem
from llmpick.vocabulary import ID_RE, ID_RULE

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from pydantic import TypeAdapter, ValidationError

    from llmpick.catalog.fileformat import FamilyIn
    from llmpick.catalog.load_files import SourceFile


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
class Parts:
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
    parts: Parts,
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


def parse_overlays(files: Sequence[SourceFile]) -> list[Problem]:
    """Read the overlays' YAML before the base catalog's: an overlay that is not plain
    YAML (a python tag, an alias bomb, endless nesting) is somebody else's text, and is
    refused at once instead of after parsing every bundled file. When the parse is
    shared out (``load_parse.Shared``), call it again once every file is validated: the
    files were validated as they came in, and their problems count only if no overlay
    is refused."""
    from llmpick.catalog.load_parse import read

    problems = []
    for src in files:
        if src.overlay:
            read(src)
            if src.problem is not None:
                problems.append(src.problem)
    return problems


def validate_files(files: Sequence[SourceFile], problems: list[Problem]) -> Parts:
    """Each file's entries, validated, in the parts of the catalog they belong to."""
    parts = Parts()
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
    """The YAML of ``src``, or _UNREADABLE with the problem said."""
    from llmpick.catalog.load_parse import read

    read(src)
    if src.problem is not None:
        problems.append(src.problem)
        return _UNREADABLE
    data, src.parsed = src.parsed, None  # handed over: not kept beyond its validation
    return data


def _add_mapping_file(src: SourceFile, data: Any, parts: Parts, problems: list[Problem]) -> None:
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


def _add_evidence_file(src: SourceFile, data: Any, parts: Parts, problems: list[Problem]) -> None:
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


def _add_family_file(src: SourceFile, data: Any, parts: Parts, problems: list[Problem]) -> None:
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
