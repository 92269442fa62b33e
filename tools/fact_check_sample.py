"""Draw variants at random (seeded) and print their settled facts beside what the
datasets they cite say, for a fact-check by hand against the cited sources.

    python tools/fact_check_sample.py [--seed N] [--count N] [--snapshots DIR] [--json]

A settled fact is one the catalog states: licence, flavour, context window, open
weights, maker, price, release date, inputs, languages (a stated list; [] is "not
stated" and is not counted) and parameter count. For each, the script looks up the
cited dataset entries (models.dev, LiteLLM, llmfit; the dated snapshots beside the
repository, ``--snapshots``, default ../shared/data) and marks the fact ``=`` when a
cited entry agrees, ``!`` with the entry's value when none agrees, and nothing when no
cited entry holds that fact: those are checked by hand against the cited pages. The
same seed draws the same variants from the same catalog, so a check can be repeated.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_sources import llmfit_repos, load_snapshots  # noqa: E402

from llmpick.catalog.load import load_catalog  # noqa: E402
from llmpick.catalog.records import Catalog, Variant  # noqa: E402
from llmpick.errors import CatalogError  # noqa: E402

FACTS = (
    "licence", "flavour", "context window", "open weights", "maker", "price",
    "release date", "inputs", "languages", "parameters",
)  # fmt: skip


def settled(v: Variant) -> dict[str, Any]:
    """The facts the catalog states for ``v`` (unknown ones left out)."""
    out: dict[str, Any] = {
        "licence": v.license,
        "flavour": v.flavour,
        "open weights": v.open_weights,
        "maker": v.provider,
    }
    if v.context_window is not None:
        out["context window"] = v.context_window
    if v.pricing is not None:
        out["price"] = (v.pricing.input, v.pricing.output)
    if v.released is not None:
        out["release date"] = v.released.isoformat()
    out["inputs"] = sorted(v.modalities)
    if v.languages:
        out["languages"] = list(v.languages)
    if v.params_b is not None:
        out["parameters"] = v.params_b
    return {k: out[k] for k in FACTS if k in out}


def _entry(dataset: str, key: str, snaps: dict[str, Any]) -> dict[str, Any] | None:
    snap = snaps.get(dataset)
    if snap is None:
        return None
    if dataset == "litellm":
        got = snap.get(key)
        return got if isinstance(got, dict) else None
    if dataset == "llmfit":
        repos = {r.lower() for r in llmfit_repos(key)}
        for m in snap.get("models", []):
            if m.get("name", "").lower() in repos:
                return dict(m)
        return None
    # models.dev: a dotted path whose keys may themselves contain dots
    obj: Any = snap
    rest = key
    while rest:
        if not isinstance(obj, dict):
            return None
        match = next((k for k in sorted(obj, key=len, reverse=True)
                      if rest == k or rest.startswith(k + ".")), None)  # fmt: skip
        if match is None:
            return None
        obj, rest = obj[match], rest[len(match) + 1 :]
    return obj if isinstance(obj, dict) else None


def dataset_says(dataset: str, entry: dict[str, Any]) -> dict[str, Any]:
    """The facts one dataset entry holds, in the catalog's terms."""
    out: dict[str, Any] = {}
    if dataset == "models.dev":
        if entry.get("release_date"):
            out["release date"] = str(entry["release_date"])
        limit = entry.get("limit") or {}
        if limit.get("context"):
            out["context window"] = limit["context"]
        mods = (entry.get("modalities") or {}).get("input")
        if mods:
            out["inputs"] = sorted(mods)
        if "open_weights" in entry:
            out["open weights"] = entry["open_weights"]
        cost = entry.get("cost") or {}
        if "input" in cost and "output" in cost:
            out["price"] = (cost["input"], cost["output"])
    elif dataset == "litellm":
        if entry.get("max_input_tokens"):
            out["context window"] = entry["max_input_tokens"]
        i, o = entry.get("input_cost_per_token"), entry.get("output_cost_per_token")
        if i is not None and o is not None:
            out["price"] = (round(i * 1e6, 6), round(o * 1e6, 6))
    elif dataset == "llmfit":
        if entry.get("parameters_raw"):
            out["parameters"] = round(entry["parameters_raw"] / 1e9, 3)
        if entry.get("context_length"):
            out["context window"] = entry["context_length"]
    return out


def _agrees(fact: str, ours: Any, theirs: Any) -> bool:
    if fact == "parameters":
        return abs(ours - theirs) <= max(0.05 * theirs, 0.01)
    if fact == "price":
        return all(abs(a - b) < 1e-6 for a, b in zip(ours, theirs, strict=True))
    if fact == "inputs":
        return set(ours) == set(theirs)
    return bool(ours == theirs)


def check(cat: Catalog, vid: str, snaps: dict[str, Any]) -> dict[str, Any]:
    v = cat.variants[vid]
    fam = cat.families[v.family]
    cited = list(dict.fromkeys([*v.sources, *(fam.sources if not v.sources else [])]))
    if v.pricing is not None and v.pricing.source not in cited:
        cited.append(v.pricing.source)
    said: dict[str, list[tuple[str, Any]]] = {}
    for src in cited:
        dataset, _, key = src.partition(":")
        if src.startswith(("http://", "https://")) or dataset not in snaps:
            continue
        if dataset == "models.dev" and key.endswith(".cost"):
            key = key[: -len(".cost")]
        entry = _entry(dataset, key, snaps)
        if entry is None:
            continue
        for fact, value in dataset_says(dataset, entry).items():
            said.setdefault(fact, []).append((src, value))
    rows = []
    for fact, value in settled(v).items():
        seen = said.get(fact, [])
        mark = ""
        if seen:
            mark = "=" if any(_agrees(fact, value, t) for _, t in seen) else "!"
        rows.append({"fact": fact, "value": value, "mark": mark,
                     "datasets": [{"source": s, "value": t} for s, t in seen]})  # fmt: skip
    return {"id": vid, "family": v.family, "sources": cited, "facts": rows}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=20)
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--snapshots", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.count < 1:
        ap.error("--count must be at least 1")
    try:
        cat = load_catalog()
    except CatalogError as exc:
        print(f"error: the catalog does not load: {exc}", file=sys.stderr)
        return 2
    snaps = load_snapshots(args.snapshots)
    ids = sorted(cat.variants)
    sample = random.Random(args.seed).sample(ids, min(args.count, len(ids)))
    report = [check(cat, vid, snaps) for vid in sample]
    if args.json:
        print(json.dumps(report, indent=1, default=str))
        return 0
    total = sum(len(r["facts"]) for r in report)
    marked = sum(1 for r in report for f in r["facts"] if f["mark"])
    differ = sum(1 for r in report for f in r["facts"] if f["mark"] == "!")
    for i, r in enumerate(report, 1):
        print(f"{i:2}. {r['id']} ({r['family']})")
        for s in r["sources"]:
            print(f"      source {s}")
        for f in r["facts"]:
            line = f"    {f['mark'] or ' '} {f['fact']}: {f['value']}"
            if f["mark"] == "!":
                line += "   datasets: " + "; ".join(
                    f"{d['source']} -> {d['value']}" for d in f["datasets"]
                )
            print(line)
    print(
        f"\n{len(report)} variants (seed {args.seed}), {total} settled facts; "
        f"{marked} compared with a cited dataset entry, {differ} of them differ"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
