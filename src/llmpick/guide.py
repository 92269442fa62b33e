"""The guide inside the tool: sections in our own words and glossary terms.

``catalog/guide.yaml`` holds every section id that explanations cite
(``vocabulary.SECTION_IDS``) with a title, its place in the original article, a text
in our words, the catalog families it relates to and its sources; ``terms`` map
glossary terms to sections so `llmpick guide rlhf` works like `llmpick guide 2.10`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmpick.catalog.query import norm
from llmpick.errors import CatalogError, NotFoundError, Problem
from llmpick.vocabulary import SECTION_IDS

PARTS: dict[str, str] = {
    "1": "The landscape: who makes models",
    "2": "Kinds of model: base, tuned, chat and more",
    "3": "Open models and their licences",
    "4": "Choosing a model for the job",
    "5": "Loading and calling a model",
    "6": "Decoding: how the next token is chosen",
    "7": "Running a model",
    "8": "Structured output",
    "9": "Debugging and interpreting a model",
}


_STRICT: dict[str, Any] = {"extra": "forbid", "use_attribute_docstrings": True}


@dataclass(slots=True, eq=False, repr=False)
class Section:
    __pydantic_config__ = _STRICT

    title: str
    """Short title."""
    heading: str
    """Where it sits among the original article's headings ('(ours)' where the article is empty)."""
    text: str
    """The section, in our own words (Markdown)."""
    models: list[str] = field(default_factory=list)
    """Related catalog family ids."""
    terms: list[str] = field(default_factory=list)
    """Glossary terms it defines."""
    sources: list[str] = field(default_factory=list)
    """Sources for facts beyond the article."""
    id: str = ""


@dataclass(slots=True, eq=False, repr=False)
class Guide:
    sections: dict[str, Section]
    terms: dict[str, str]

    def part(self, sid: str) -> str:
        return sid.split(".")[0]


def guide_path() -> Path:
    from llmpick.catalog.load import bundled_catalog_dir

    return bundled_catalog_dir() / "guide.yaml"


def load_guide(path: Path | None = None) -> Guide:
    """Read and check guide.yaml; raise CatalogError naming the problems."""
    label = "catalog/guide.yaml"
    data = _read(path or guide_path(), label)
    problems: list[Problem] = []
    sections = _sections(data.get("sections") or {}, label, problems)
    missing = [s for s in SECTION_IDS if s not in sections]
    if missing and not problems:
        problems.append(Problem(label, f"sections missing: {', '.join(missing)}"))
    terms = _terms(data.get("terms") or {}, sections, label, problems)
    if problems:
        raise CatalogError(problems)
    ordered = {sid: sections[sid] for sid in SECTION_IDS if sid in sections}
    return Guide(ordered, terms)


def _read(path: Path, label: str) -> dict[str, Any]:
    """The file as a mapping with no keys but 'sections' and 'terms'."""
    from llmpick.files import read_bounded
    from llmpick.yamlsafe import YamlProblem, decode, parse

    try:
        data: Any = parse(decode(read_bounded(path), label), label)
    except OSError as exc:
        raise CatalogError([Problem(label, f"cannot read: {exc.strerror or exc}")]) from None
    except YamlProblem as exc:
        raise CatalogError([exc.problem]) from None
    if not isinstance(data, dict) or set(data) - {"sections", "terms"}:
        raise CatalogError([Problem(label, "expected the keys 'sections' and 'terms'")])
    return data


def _sections(raw: dict[Any, Any], label: str, problems: list[Problem]) -> dict[str, Section]:
    """The valid sections by id; a problem for each unknown id or invalid field."""
    from pydantic import TypeAdapter, ValidationError

    from llmpick.suggest import error_message

    adapter = TypeAdapter(Section)
    sections: dict[str, Section] = {}
    for sid, body in raw.items():
        sid = str(sid)
        if sid not in SECTION_IDS:
            problems.append(Problem(label, "not a guide section id", path=f"sections.{sid}"))
            continue
        try:
            sec = adapter.validate_python(body)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                where = ".".join(str(p) for p in ("sections", sid, *err["loc"]))
                problems.append(Problem(label, error_message(err, adapter.json_schema), path=where))
            continue
        sec.id = sid
        sections[sid] = sec
    return sections


def _terms(
    raw: dict[Any, Any], sections: dict[str, Section], label: str, problems: list[Problem]
) -> dict[str, str]:
    """Glossary terms (lower case) to section ids: the file's list, then each section's
    own terms where the list does not name them."""
    terms: dict[str, str] = {}
    for term, sid in raw.items():
        if str(sid) not in SECTION_IDS:
            problems.append(
                Problem(label, f"term points to unknown section {sid!r}", path=f"terms.{term}")
            )
        terms[str(term).lower()] = str(sid)
    for sec in sections.values():
        for term in sec.terms:
            terms.setdefault(term.lower(), sec.id)
    return terms


def lookup(guide: Guide, key: str) -> Section:
    """A section by id ('2.10', '§2.10'), glossary term or title; else NotFoundError.

    Terms match as people type them: case, spaces, hyphens and underscores do not
    matter ('Fine tuning', 'finetuning'), nor a plural ('embeddings'), and a bare
    flavour finds its model ('instruct' -> 'instruct model', 'chat' -> 'chat model')."""
    k = key.strip().lstrip("§").strip()
    if k in guide.sections:
        return guide.sections[k]
    names = _names(guide)
    want = norm(k)
    for candidate in _forms(want):
        if candidate in names:
            return guide.sections[names[candidate][1]]
    close = _close(want, names) if want else []
    hint = "'llmpick guide' lists every section"
    if close:
        listed = " or ".join([", ".join(close[:-1]), close[-1]] if len(close) > 1 else close)
        hint = f"did you mean {listed}? ({hint})"
    raise NotFoundError(f"no guide section or term {key!r}", hint=hint)


def _names(guide: Guide) -> dict[str, tuple[str, str]]:
    """Every term and section title by its key: (how it is written, section id)."""
    names: dict[str, tuple[str, str]] = {}
    for term, sid in guide.terms.items():
        names.setdefault(norm(term), (term, sid))
    for sec in guide.sections.values():
        names.setdefault(norm(sec.title), (sec.title.lower(), sec.id))
    return names


def _forms(want: str) -> list[str]:
    """The key as typed, singular, and with 'model' or 'llm' after it."""
    forms = [want]
    if want.endswith("ies"):
        forms.append(want[:-3] + "y")
    elif want.endswith("s") and not want.endswith("ss"):
        forms.append(want[:-1])
    return forms + [f + suffix for suffix in ("model", "llm") for f in list(forms)]


def _close(want: str, names: dict[str, tuple[str, str]]) -> list[str]:
    """Up to three terms near ``want``, from different sections: similar spellings first,
    then terms that contain it."""
    found = difflib.get_close_matches(want, list(names), n=6, cutoff=0.6)
    if len(want) >= 3:
        found += [key for key in names if want in key]
    shown: dict[str, str] = {}  # section id -> the term that stands for it
    for key in found:
        term, sid = names[key]
        shown.setdefault(sid, term)
    return [repr(term) for term in shown.values()][:3]
