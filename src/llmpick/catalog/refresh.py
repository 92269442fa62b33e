"""``llmpick catalog refresh`` and ``llmpick catalog status`` without the command line.

A refresh downloads two public tables (``upstream.py``), keeps from each only the entries
that matter (those the catalog cites as ``dataset:key``, and first-party API models of
the catalog's providers), and writes them as one file, the *layer* (``layer.py``), in
the user's data directory. Every command then merges the layer into the loaded catalog
(``layer_merge.py``); only this command, and ``status``, load this module.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmpick import clock
from llmpick.catalog.layer import (
    RefreshFailed,
    age_warning,
    layer_path,
    one_writer,
    read_layer,
    write_layer,
)
from llmpick.catalog.layer_format import Layer, SourceData
from llmpick.catalog.layer_merge import apply_layer, citation_key, cited_sources
from llmpick.catalog.records import Catalog, Variant
from llmpick.catalog.upstream import DEFAULT_URLS, RefreshRefused, download, parse_source

if TYPE_CHECKING:
    from llmpick.catalog.refresh_types import (
        CatalogDiff,
        CatalogStatus,
        Changed,
        FactValue,
        PreviousLayerNotes,
        RefreshReport,
        SourceRead,
    )


def cited_keys(cat: Catalog, name: str, known: Mapping[str, Any]) -> dict[str, list[str]]:
    """Keys of dataset ``name`` the catalog cites, each with the variants citing it."""
    out: dict[str, list[str]] = {}
    for v in cat.variants.values():
        for s in cited_sources(v):
            ck = citation_key(s, known)
            if ck is not None and ck[0] == name:
                out.setdefault(ck[1], []).append(v.id)
    return out


def build_layer(
    cat: Catalog,
    fetched: Mapping[str, tuple[str, dict[str, dict[str, Any]]]],
    previous: Layer | None,
    now: dt.datetime,
) -> tuple[Layer, dict[str, list[str]]]:
    """The new layer from fresh downloads (``{source: (url, entries)}``) and the previous
    layer, with the cited keys missing upstream (``{"dataset:key": [variant ids]}``).

    A source not downloaded this time keeps its previous data; an entry gone upstream
    keeps its last known facts (nothing is deleted) and is reported as missing.
    """
    sources: dict[str, SourceData] = dict(previous.sources) if previous else {}
    missing: dict[str, list[str]] = {}
    for name, (url, entries) in fetched.items():
        cited = cited_keys(cat, name, entries)
        keep = {
            k: e
            for k, e in entries.items()
            if k in cited or (e.get("provider") in cat.providers and e.get("kind"))
        }
        old = previous.sources[name].models if previous and name in previous.sources else {}
        for k, e in old.items():
            if k not in entries:
                keep[k] = e  # gone upstream: keep what we knew
        for k, vids in cited.items():
            if k not in entries:
                missing[f"{name}:{k}"] = vids
        # the date of the data, not of the run: a --from file is as old as the file
        dated = max((e["seen"] for e in entries.values()), default=now.date().isoformat())
        sources[name] = SourceData(url, dated, len(entries), keep)
    return Layer(now.isoformat(timespec="seconds"), sources), missing


def check_shrink(name: str, entries: int, previous: Layer | None) -> None:
    """Refuse a table with fewer than half the entries of the previous fetch."""
    if previous is None or name not in previous.sources:
        return
    before = previous.sources[name].entries
    if entries * 2 < before:
        raise RefreshRefused(
            f"it has {entries:,} entries, fewer than half of the {before:,} of the "
            f"previous fetch ({previous.sources[name].fetched}); a partial download?"
        )


_TRACKED = ("pricing", "context_window", "max_output", "status", "api_status")


def _value(v: Variant, name: str) -> FactValue:
    if name == "pricing":
        return [v.pricing.input, v.pricing.output] if v.pricing else None
    value: FactValue = getattr(v, name)  # one of _TRACKED: a token count or a status
    return value


def diff(before: Catalog, after: Catalog) -> CatalogDiff:
    """What moving from ``before`` to ``after`` changes: models added (unreviewed) and
    facts changed, old -> new, each with the source of the new value."""
    added = [vid for vid in after.variants if vid not in before.variants]
    changed: list[Changed] = []
    info = after.refresh
    for vid, v in after.variants.items():
        old = before.variants.get(vid)
        if old is None or old is v:
            continue
        for name in _TRACKED:
            a, b = _value(old, name), _value(v, name)
            if a != b:
                src = ""
                if info is not None:
                    src = next(
                        (
                            c.source
                            for c in info.changes.get(vid, [])
                            if c.field == ("price" if name == "pricing" else name)
                        ),
                        "",
                    )
                    if not src and name == "pricing" and v.pricing is not None:
                        src = v.pricing.source
                changed.append(
                    {
                        "id": vid,
                        "field": "price" if name == "pricing" else name,
                        "old": a,
                        "new": b,
                        "source": src,
                        "unreviewed": info is not None and vid in info.unreviewed,
                    }
                )
    return {
        "added": [
            {
                "id": vid,
                "provider": after.variants[vid].provider,
                "name": after.variants[vid].name,
                "sources": list(after.variants[vid].sources),
            }
            for vid in sorted(added)
        ],
        "changed": changed,
    }


def unreviewed_counts(cat: Catalog) -> dict[str, int]:
    info = cat.refresh
    counts: dict[str, int] = {}
    for vid in info.unreviewed if info is not None else ():
        p = cat.variants[vid].provider
        counts[p] = counts.get(p, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _kept(previous: Layer | None, bundled: dt.date | None) -> str:
    if previous is not None:
        names = ", ".join(sorted(previous.sources))
        return f"the refresh layer of {previous.fetched} ({names}) stays in force"
    return f"no layer was written; the curated catalog (checked up to {bundled}) stays in force"


def _file_date(file: str, on: dt.date) -> dt.date:
    """When a --from file's data dates from: its modification day (not the day it was
    read: a table saved in July is July's), never later than ``on``."""
    try:
        stamp = os.stat(file).st_mtime
        return min(dt.datetime.fromtimestamp(stamp, dt.UTC).date(), on)
    except (OSError, OverflowError, ValueError):
        return on


def _refused_hint(name: str, file: str | None, read: bool) -> str:
    """The next step for a refused source: it depends on whether a local file could not
    be read, a file or a download was not the dataset expected, or a download failed."""
    if file is not None and not read:
        return f"check the FILE in --from {name}=FILE, or leave --from out to download it"
    if file is not None:
        return f"--from {name}=FILE takes a saved copy of {DEFAULT_URLS[name]}"
    if read:
        return f"give a copy you trust with --from {name}=FILE (--no-refresh ignores any layer)"
    return f"try again later, or give a local copy with --from {name}=FILE"


def run_refresh(
    curated: Catalog,
    names: Iterable[str],
    *,
    urls: Mapping[str, str],
    files: Mapping[str, str],
    dry_run: bool,
    timeout: float,
    path: Path | None = None,
    now: dt.datetime | None = None,
) -> RefreshReport:
    """Download, check, diff and (unless ``dry_run``) write the layer; the report as data.

    Any source that fails a guard refuses the whole refresh: nothing is written and the
    previous layer stays in force (RefreshFailed says so).
    """
    import time

    path = path or layer_path()
    now = now or clock.now()
    previous, _ = read_layer(path)  # for the shrink check while downloading
    seen = now.date().isoformat()
    fetched: dict[str, tuple[str, dict[str, dict[str, Any]]]] = {}
    sources: dict[str, SourceRead] = {}

    def refused(
        name: str, exc: RefreshRefused, previous: Layer | None, read: bool = True
    ) -> RefreshFailed:
        return RefreshFailed(
            f"{name}: refused: {exc}; nothing was changed: "
            + _kept(previous, curated.newest_verified),
            hint=_refused_hint(name, files.get(name), read),
        )

    for name in names:
        start = time.perf_counter()
        read = False
        try:
            where, raw = download(name, urls.get(name), files.get(name), timeout)
            read = True
            dated = seen if name not in files else _file_date(files[name], now.date()).isoformat()
            entries = parse_source(name, raw, dated)
            check_shrink(name, len(entries), previous)
        except RefreshRefused as exc:
            raise refused(name, exc, previous, read) from None
        fetched[name] = (where, entries)
        sources[name] = {
            "from": where,
            "entries": len(entries),
            "bytes": len(raw),
            "seconds": round(time.perf_counter() - start, 3),
        }
    lock = contextlib.nullcontext() if dry_run else one_writer(path)
    with lock:
        # read again under the lock: another refresh may have written meanwhile
        previous, problem = read_layer(path)
        for name, (_, entries) in fetched.items():
            try:
                check_shrink(name, len(entries), previous)
            except RefreshRefused as exc:
                raise refused(name, exc, previous) from None
        layer, missing = build_layer(curated, fetched, previous, now)
        before = apply_layer(curated, previous, path=str(path)) if previous else curated
        after = apply_layer(curated, layer, path=str(path))
        changes = diff(before, after)
        if not dry_run:
            write_layer(layer, path)
    report: RefreshReport = {
        "sources": sources,
        **changes,
        "missing": [{"key": k, "cited_by": v} for k, v in sorted(missing.items())],
        "dry_run": dry_run,
        "layer": str(path),
        "previous": previous.fetched.isoformat() if previous else None,
        **_previous_notes(previous, problem),
        "written": not dry_run,  # write_layer raised if it could not write
    }
    return report


def _previous_notes(previous: Layer | None, problem: str | None) -> PreviousLayerNotes:
    notes: PreviousLayerNotes = {}
    if problem is not None:
        notes["previous_problem"] = problem
    if previous is not None and previous.damaged:
        notes["previous_damaged"] = previous.damaged  # dropped from the new layer
    return notes


def status(curated: Catalog, *, ignored: bool, path: Path | None = None) -> CatalogStatus:
    """``catalog status`` as data: the curated catalog's date, the layer, unreviewed
    models, and the age warning."""
    path = path or layer_path()
    layer, problem = read_layer(path)
    cat = apply_layer(curated, layer, path=str(path)) if layer else curated
    info = cat.refresh
    on = clock.today()
    newest = max(d for d in (curated.newest_verified, info.fetched if info else None) if d)
    doc: CatalogStatus = {
        "catalog": {
            "verified": curated.newest_verified.isoformat() if curated.newest_verified else None,
            "models": len(curated.variants),
            "version": curated.version[:16],
        },
        "layer": None,
        "layer_path": str(path),
        "layer_problem": problem
        or (
            f"{layer.damaged:,} damaged entries ignored in {path}"
            if layer and layer.damaged
            else None
        ),
        "in_force": layer is not None and not ignored,
        "unreviewed": {"total": 0, "by_provider": {}},
        "age_days": (on - newest).days,
        "warning": age_warning(cat, on),
    }
    if info is not None:
        fields: dict[str, int] = {}
        for changes in info.changes.values():
            for ch in changes:
                fields[ch.field] = fields.get(ch.field, 0) + 1
        doc["layer"] = {
            "fetched": info.fetched.isoformat(),
            "written": info.written,
            "sources": {
                n: {"url": u, "fetched": f, "entries": e} for n, (u, f, e) in info.sources.items()
            },
            "changed_models": len(info.changes),
            "changed_facts": fields,
            "confirmed_prices": info.confirmed,
        }
        counts = unreviewed_counts(cat)
        doc["unreviewed"] = {"total": sum(counts.values()), "by_provider": counts}
    return doc
