"""`llmpick guide`: the sections our explanations cite."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from llmpick.cli.emit import emit
from llmpick.guide import PARTS, Guide, Section


def guide(
    key: Annotated[
        str | None,
        typer.Argument(
            metavar="ID|TERM",
            help="Section id (2.14) or term (rlhf, base llm).",
            hidden=True,  # said in the docstring: Typer 0.29 would add <str>
        ),
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager",
            help="Print straight to the terminal instead of through PAGER (or LLMPICK_PAGER).",
        ),
    ] = False,
) -> None:
    """Read the guide that explanations cite: the section tree, or one section.

    ID|TERM is a section id (2.14) or a term (rlhf, base llm); none: the section tree.

    Examples:

    \b
      llmpick guide
      llmpick guide 2.14
      llmpick guide rlhf
    """
    from llmpick.guide import load_guide, lookup

    g = load_guide()
    if key is None:

        def tree() -> None:
            from llmpick.cli.render.guide import guide_tree

            guide_tree(g)

        emit(
            lambda: tree_document(g),
            json=json,
            human=tree,
            page=not no_pager,
        )
        return
    doc = section_document(g, key)

    def section() -> None:
        from llmpick.cli.render.guide import guide_section

        guide_section(lookup(g, key), doc["models"], doc["rules"], doc["terms"])

    emit(doc, json=json, human=section, page=not no_pager)


def tree_document(g: Guide) -> list[dict[str, str]]:
    """The guide's sections (what `guide --json` prints); also the MCP `guide` tool's."""
    return [_summary(g, s) for s in g.sections.values()]


def section_document(g: Guide, key: str) -> dict[str, Any]:
    """One section (what `guide KEY --json` prints); also the MCP `guide` tool's."""
    from llmpick.cli.state import state
    from llmpick.engine.rank import RULES
    from llmpick.guide import lookup

    sec = lookup(g, key)
    cat = state.catalog
    return {
        **_summary(g, sec),
        "text": sec.text,
        "models": [
            {"id": f, "name": cat.families[f].name} for f in sec.models if f in cat.families
        ],
        "rules": [text for sid, text in RULES if sid == sec.id],
        "terms": sorted(t for t, sid in g.terms.items() if sid == sec.id),
        "sources": sec.sources,
    }


def _summary(g: Guide, sec: Section) -> dict[str, str]:
    return {"id": sec.id, "title": sec.title, "heading": sec.heading, "part": PARTS[g.part(sec.id)]}
