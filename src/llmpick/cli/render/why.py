"""`llmpick why`: where one model stands, with its reasons or what excludes it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text

from llmpick.cli.render.layout import hang, out, overlays_notice
from llmpick.cli.render.recommend import explained, ref
from llmpick.units import (
    format_score,
)

if TYPE_CHECKING:
    from llmpick.output.contract_types import Verdict


def verdict(doc: Verdict, *, overlays: Sequence[str]) -> None:
    overlays_notice(overlays)
    title = Text(doc["name"], style="bold")
    title.append(f" ({doc['id']})", style="dim")
    out.print(title)
    if doc["passed"] and doc.get("duplicate_of"):
        out.print(f"passes every requirement, but ranks as a copy of {doc['duplicate_of']}")
    elif doc["passed"]:
        out.print(
            Text(
                f"passes every requirement: rank {doc['rank']} of {doc['of']}, "
                f"score {format_score(doc['score'])}",
                style="green",
            )
        )
    else:
        out.print(Text("excluded:", style="red"))
        for x in doc["exclusions"]:
            hang("   x ", ref(f"{x['constraint'].replace('_', ' ')}: {x['text']}", x["guide"]))
        out.print(Text(f"If it passed, it would score {format_score(doc['score'])}:", style="dim"))
    explained(doc)
    rules = doc.get("rules") or []
    if rules:
        moved = [r for r in rules if r["points"]]
        points = ", ".join(f"{r['rule']} {r['points']:+g}" for r in moved)
        if len(moved) < len(rules):
            points += f"{', ' if moved else ''}{len(rules) - len(moved)} other rules +0"
        hang(Text("   points by rule (from 50): ", style="dim"), Text(points, style="dim"))
