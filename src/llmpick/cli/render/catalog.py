"""`llmpick catalog validate`, `refresh` and `status`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text

from llmpick.catalog.records import Catalog
from llmpick.cli.render.layout import err, fact_text, note, out

if TYPE_CHECKING:
    from llmpick.catalog.refresh_types import CatalogStatus, RefreshReport
    from llmpick.engine.coverage import CoverageData, Share


def validated(catalog: Catalog, paths: Sequence[str]) -> None:
    what = ", ".join(paths) if paths else "bundled catalog"
    out.print(
        f"ok: {what}: {len(catalog.providers)} providers, {len(catalog.licenses)} licences, "
        f"{len(catalog.families)} families, {len(catalog.variants)} models",
        soft_wrap=not out.is_terminal,  # one line in a pipe or a log, however long the path
    )


def coverage(data: CoverageData) -> None:
    """The share of active models that carry each fact the advice reads."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")
    table.add_column("fact (active models)")
    table.add_column("have", justify="right", no_wrap=True)
    table.add_column("share", justify="right", no_wrap=True)
    rows: list[tuple[str, Share]] = [*data["facts"].items()]
    rows += [(f"evidence for {task}", v) for task, v in data["evidence_by_task"].items()]
    rows += [
        (f"evidence for main task: {task}", v)
        for task, v in data.get("evidence_for_main_task", {}).items()
    ]
    for name, v in rows:
        share = "-" if v["share"] is None else f"{v['share']:.0%}"
        table.add_row(Text(name), f"{v['have']}/{v['of']}", share)
    lent = data["inherited_from_family"]
    for name, n in lent["facts"].items():
        share = f"{n / lent['models']:.0%}" if lent["models"] else "-"
        label = name.replace("_", " ")
        table.add_row(Text(f"{label} taken from the family"), f"{n}/{lent['models']}", share)
    out.print(table)
    stale = data.get("newest_release_stale") or {}
    if stale:
        listed = ", ".join(f"{fid} ({d or 'never'})" for fid, d in stale.items())
        out.print(Text(f"Newest release not checked in 90 days ({len(stale)}): {listed}"))
    unsplit = data["families_spanning_releases_that_lend_facts"]
    if unsplit:
        names = ", ".join(unsplit)
        out.print(Text(f"{len(unsplit)} families span releases yet lend these facts: {names}"))
    unranked = data["results_naming_no_edition"]
    if unranked:
        counts = ", ".join(f"{name} {n}" for name, n in unranked.items())
        out.print(Text(f"results naming no edition, shown but not ranked: {counts}"))


def refresh_report(r: RefreshReport) -> None:
    for name, s in r["sources"].items():
        out.print(
            f"{name}: {s['entries']:,} entries, {s['bytes']:,} bytes from {s['from']} "
            f"in {s['seconds']:g} s"
        )
    added, changed, missing = r["added"], r["changed"], r["missing"]
    since = f"the layer of {r['previous']}" if r["previous"] else "the curated catalog"
    out.print(Text(f"\nCompared with {since}:", style="bold"))
    out.print(Text(f"added, unreviewed: {len(added)}", style="bold"))
    for a in added[:40]:
        out.print(f"  + {a['id']} ({a['provider']})")
    if len(added) > 40:
        out.print(f"  ... and {len(added) - 40} more (--json lists them all)", style="dim")
    out.print(Text(f"changed: {len(changed)}", style="bold"))
    for c in changed[:60]:
        out.print(
            f"  ~ {c['id']}: {c['field'].replace('_', ' ')} {fact_text(c['field'], c['old'])} → "
            f"{fact_text(c['field'], c['new'])}",
            Text(f"  {c['source']}", style="dim"),
        )
    if len(changed) > 60:
        out.print(f"  ... and {len(changed) - 60} more (--json lists them all)", style="dim")
    out.print(Text(f"missing upstream (kept, not removed): {len(missing)}", style="bold"))
    for m in missing[:20]:
        out.print(f"  ? {m['key']} (cited by {', '.join(m['cited_by'][:3])})")
    # the summary last, where it is read when the lists above scroll away
    sources = ", ".join(f"{n} {s['entries']:,} entries" for n, s in r["sources"].items())
    out.print(
        Text(
            f"\nIn all: {len(added)} added (unreviewed), {len(changed)} changed, "
            f"{len(missing)} missing upstream, from {sources}.",
            style="bold",
        )
    )
    if r.get("previous_problem"):
        note(f"the previous layer was unusable and is replaced: {r['previous_problem']}")
    if r.get("previous_damaged"):
        note(f"{r['previous_damaged']:,} damaged entries of the previous layer were dropped")
    if r["written"]:
        note(f"wrote {r['layer']}: every command now uses it (--no-refresh ignores it)")
    else:
        note("dry run: nothing was written")


def catalog_status(doc: CatalogStatus) -> None:
    c = doc["catalog"]
    out.print(f"curated catalog: {c['models']:,} models, checked up to {c['verified']}")
    layer = doc["layer"]
    if layer is None:
        out.print(
            f"refresh layer: none (run 'llmpick catalog refresh'; it goes to {doc['layer_path']})"
        )
    else:
        state = "in force" if doc["in_force"] else "ignored (--no-refresh)"
        out.print(f"refresh layer: {layer['fetched']}, {state}, {doc['layer_path']}")
        for name, s in layer["sources"].items():
            out.print(f"  {name}: {s['entries']:,} entries read {s['fetched']} from {s['url']}")
        facts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in layer["changed_facts"].items())
        out.print(
            f"  changes {layer['changed_models']} curated models ({facts or 'nothing'}); "
            f"confirms {layer['confirmed_prices']} prices"
        )
        u = doc["unreviewed"]
        by = ", ".join(f"{p} {n}" for p, n in u["by_provider"].items())
        out.print(f"  adds {u['total']} unreviewed API models" + (f": {by}" if by else ""))
    if doc["layer_problem"]:
        err.print(f"warning: {doc['layer_problem']}", style="yellow")
    if doc["warning"]:
        err.print(f"warning: {doc['warning']}", style="yellow")
    else:
        days = doc["age_days"]
        out.print(f"data age: {days} day{'s' if days != 1 else ''} (a warning comes after 90)")
