"""`llmpick guide`: the sections our explanations cite."""

from __future__ import annotations

from typing import Annotated

import typer

from llmpick.cli.emit import emit
from llmpick.guide import PARTS, Guide, Section


def guide(
    key: Annotated[
        str | None, typer.Argument(help="Section id (2.14) or term (rlhf, base llm).")
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

    Examples:

      llmpick guide

      llmpick guide 2.14

      llmpick guide rlhf
    """
    from llmpick.engine.rank import RULES
    from llmpick.guide import load_guide, lookup

    g = load_guide()
    if key is None:

        def tree() -> None:
            from llmpick.cli.render.guide import guide_tree

            guide_tree(g)

        emit(
            lambda: [_summary(g, s) for s in g.sections.values()],
            json=json,
            human=tree,
            page=not no_pager,
        )
        return
    sec = lookup(g, key)
    from llmpick.cli.state import state

    cat = state.catalog
    models = [{"id": f, "name": cat.families[f].name} for f in sec.models if f in cat.families]
    rules = [text for sid, text in RULES if sid == sec.id]
    terms = sorted(t for t, sid in g.terms.items() if sid == sec.id)

    def section() -> None:
        from llmpick.cli.render.guide import guide_section

        guide_section(sec, models, rules, terms)

    emit(
        lambda: {
            **_summary(g, sec),
            "text": sec.text,
            "models": models,
            "rules": rules,
            "terms": terms,
            "sources": sec.sources,
        },
        json=json,
        human=section,
        page=not no_pager,
    )


def _summary(g: Guide, sec: Section) -> dict[str, str]:
    return {"id": sec.id, "title": sec.title, "heading": sec.heading, "part": PARTS[g.part(sec.id)]}
