"""The guide inside the tool: sections in our own words and glossary terms.

``catalog/guide.yaml`` holds every section id that explanations cite (DESIGN.md's
table) with a title, its place in the original article, a text in our words, the
catalog families it relates to and its sources; ``terms`` map glossary terms to
sections so `llmpick guide rlhf` works like `llmpick guide 2.10`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmpick.errors import CatalogError, NotFoundError, Problem
from llmpick.vocabulary import SECTION_IDS

PARTS: dict[str, str] = {
    "1": "Navigating the LLM landscape",
    "2": "Model flavours",
    "3": "Open-source LLMs",
    "4": "How to choose an LLM for your task",
    "5": "Loading LLMs",
    "6": "Decoding strategies",
    "7": "Running inference on LLMs",
    "8": "Structured outputs",
    "9": "Model debugging and interpretability",
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
    from pydantic import TypeAdapter, ValidationError

    from llmpick.yamlsafe import YamlProblem, decode, parse

    path = path or guide_path()
    label = "catalog/guide.yaml"
    try:
        data: Any = parse(decode(path.read_bytes(), label), label)
    except OSError as exc:
        raise CatalogError([Problem(label, f"cannot read: {exc.strerror or exc}")]) from None
    except YamlProblem as exc:
        raise CatalogError([exc.problem]) from None
    problems: list[Problem] = []
    if not isinstance(data, dict) or set(data) - {"sections", "terms"}:
        raise CatalogError([Problem(label, "expected the keys 'sections' and 'terms'")])
    adapter = TypeAdapter(Section)
    sections: dict[str, Section] = {}
    for sid, body in (data.get("sections") or {}).items():
        sid = str(sid)
        if sid not in SECTION_IDS:
            problems.append(Problem(label, "not a guide section id", path=f"sections.{sid}"))
            continue
        try:
            sec = adapter.validate_python(body)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                where = ".".join(str(p) for p in ("sections", sid, *err["loc"]))
                problems.append(Problem(label, err["msg"], path=where))
            continue
        sec.id = sid
        sections[sid] = sec
    missing = [s for s in SECTION_IDS if s not in sections]
    if missing and not problems:
        problems.append(Problem(label, f"sections missing: {', '.join(missing)}"))
    terms: dict[str, str] = {}
    for term, sid in (data.get("terms") or {}).items():
        if str(sid) not in SECTION_IDS:
            problems.append(
                Problem(label, f"term points to unknown section {sid!r}", path=f"terms.{term}")
            )
        terms[str(term).lower()] = str(sid)
    for sec in sections.values():
        for term in sec.terms:
            terms.setdefault(term.lower(), sec.id)
    if problems:
        raise CatalogError(problems)
    ordered = {sid: sections[sid] for sid in SECTION_IDS if sid in sections}
    return Guide(ordered, terms)


def lookup(guide: Guide, key: str) -> Section:
    """A section by id ('2.10', '§2.10') or by glossary term ('rlhf'); else NotFoundError."""
    k = key.strip().lstrip("§").strip()
    if k in guide.sections:
        return guide.sections[k]
    low = " ".join(k.lower().replace("_", " ").replace("-", " ").split())
    for term, sid in guide.terms.items():
        if low == " ".join(term.replace("-", " ").split()):
            return guide.sections[sid]
    for sec in guide.sections.values():
        if low == sec.title.lower():
            return sec
    choices = list(guide.sections) + list(guide.terms)
    close = difflib.get_close_matches(low, choices, n=4, cutoff=0.6)
    hint = (
        f"did you mean: {', '.join(close)}?" if close else "list the sections with 'llmpick guide'"
    )
    raise NotFoundError(f"no guide section or term {key!r}", hint=hint)
