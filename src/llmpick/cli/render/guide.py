"""`llmpick guide`: the guide's tree and one section."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from llmpick.cli.render.layout import hang, out

if TYPE_CHECKING:
    from rich.tree import Tree

    from llmpick.guide import Guide, Section


def guide_tree(g: Guide) -> None:
    from rich.tree import Tree

    from llmpick.guide import PARTS

    tree = Tree(Text("Adapting LLMs to your use case — in our words", style="bold"))
    branches: dict[str, Tree] = {}
    for sec in g.sections.values():
        part = g.part(sec.id)
        if part not in branches:
            branches[part] = tree.add(Text(f"{part}. {PARTS[part]}", style="bold"))
        if sec.id != part:
            branches[part].add(Text.assemble((f"§{sec.id}", "cyan"), f"  {sec.title}"))
    out.print(tree)
    out.print(
        Text("Read one with 'llmpick guide ID' or by term, e.g. 'llmpick guide rlhf'.", style="dim")
    )


def guide_section(
    sec: Section, models: list[dict[str, str]], rules: list[str], terms: list[str]
) -> None:
    from rich.markdown import Markdown

    hang(Text(f"§{sec.id} ", style="cyan bold"), Text(sec.title, style="bold"))
    # where the section sits in the original article: a citation, not our heading
    where = sec.heading.removesuffix(" (ours)")
    empty = " (a heading only there: the text is ours)" if where != sec.heading else ""
    hang("", Text(f"in the article: {where}{empty}", style="dim"))
    out.print()
    out.print(Markdown(sec.text))  # emit drops the blanks rich pads its lines with
    if models or rules or terms or sec.sources:
        out.print()
    if models:
        hang(
            Text("Catalog models: ", style="bold"),
            ", ".join(f"{m['name']} ({m['id']})" for m in models),
        )
    if rules:
        out.print(Text("How llmpick uses it:", style="bold"))
        for r in rules:
            hang("  - ", r)
    if terms:
        hang(Text("Terms: ", style="bold"), ", ".join(terms))
    if sec.sources:
        out.print(Text("Sources:", style="bold"))
        for source in sec.sources:
            hang("  ", source)
