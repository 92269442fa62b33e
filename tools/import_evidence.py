"""Add published benchmark results from the models.dev snapshot to catalog variants.

    python tools/import_evidence.py [SNAPSHOT] [--max N] [--dry-run]

For each variant whose sources cite `shared/data/models-dev-snapshot.json: labs.<lab>.<model>`,
the benchmarks listed there (each with its own source URL and date) that the variant does
not yet record are appended to its `evidence:` list, at most N per variant. Files are
edited as text so that comments and layout stay; a file that no longer validates is
restored. Run `llmpick catalog validate` afterwards and review the diff.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
KEY = re.compile(r"shared/data/models-dev-snapshot\.json: labs\.([\w-]+)\.([\w.:-]+)")
PREFERRED = ("Artificial Analysis", "GPQA", "SWE-Bench Verified", "SWE-Bench Pro", "Aider")


def entry_line(b: dict[str, Any]) -> str:
    parts = [f"benchmark: {json.dumps(b['name'])}", f"score: {b['score']:g}"]
    if b.get("metric"):
        parts.append(f"metric: {json.dumps(b['metric'])}")
    parts.append(f"source: {json.dumps(b['source'])}")
    if b.get("date"):
        parts.append(f"date: {b['date']}")
    return "      - {" + ", ".join(parts) + "}\n"


def norm(name: str) -> str:
    """'SWE-Bench Pro (public)' and 'SWE Bench Pro' are one benchmark."""
    return re.sub(r"[^a-z0-9]", "", re.sub(r"\(.*?\)", "", name.lower()))


def rank(b: dict[str, Any]) -> int:
    return next((i for i, p in enumerate(PREFERRED) if b["name"].startswith(p)), len(PREFERRED))


def edit(text: str, vid: str, lines: list[str]) -> str | None:
    rows = text.splitlines(keepends=True)
    start = next((i for i, r in enumerate(rows) if re.match(rf"^  {re.escape(vid)}:\s*$", r)), None)
    if start is None:
        return None
    end = len(rows)
    for i in range(start + 1, len(rows)):
        if re.match(r"^ {0,2}\S", rows[i]):
            end = i
            break
    ev = next((i for i in range(start + 1, end) if rows[i].startswith("    evidence:")), None)
    if ev is None:
        insert_at = end
        while insert_at > start + 1 and not rows[insert_at - 1].strip():
            insert_at -= 1
        rows[insert_at:insert_at] = ["    evidence:\n", *lines]
    else:
        if rows[ev].strip() != "evidence:":
            return None  # flow style: leave it to a person
        last = ev
        for i in range(ev + 1, end):
            if rows[i].startswith("      "):
                last = i
            else:
                break
        rows[last + 1 : last + 1] = lines
    return "".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "snapshot",
        nargs="?",
        default=str(ROOT.parent / "shared" / "data" / "models-dev-snapshot.json"),
    )
    parser.add_argument("--max", type=int, default=3, help="new results per variant (default 3)")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    labs = json.loads(Path(args.snapshot).read_text())["labs"]
    sys.path.insert(0, str(ROOT / "src"))
    from llmpick.catalog.load import load_catalog
    from llmpick.errors import CatalogError

    added = files = 0
    for path in sorted((ROOT / "catalog" / "families").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        new_text = text
        fam_sources = data.get("sources") or []
        for vid, body in (data.get("variants") or {}).items():
            keys = [
                m.groups()
                for s in [*fam_sources, *(body.get("sources") or [])]
                if (m := KEY.search(s))
            ]
            # only the variant's own key, or the family's when it has one variant
            own = [m.groups() for s in body.get("sources") or [] if (m := KEY.search(s))]
            keys = own or (keys if len(data["variants"]) == 1 else [])
            if not keys:
                continue
            lab, model = keys[0]
            benches = (labs.get(lab, {}).get(model) or {}).get("benchmarks") or []
            recorded = body.get("evidence") or []
            have = {norm(str(e.get("benchmark"))) for e in recorded}
            seen_scores = {(e.get("score"), e.get("source")) for e in recorded}
            fresh = []
            for b in sorted(benches, key=rank):
                if not b.get("source") or b.get("score") is None:
                    continue
                if norm(b["name"]) in have or (b["score"], b["source"]) in seen_scores:
                    continue  # the same result under another spelling
                have.add(norm(b["name"]))
                fresh.append(b)
            fresh = fresh[: args.max]
            if not fresh:
                continue
            edited = edit(new_text, vid, [entry_line(b) for b in fresh])
            if edited is not None:
                new_text = edited
                added += len(fresh)
        if new_text == text:
            continue
        if args.dry_run:
            files += 1
            continue
        path.write_text(new_text, encoding="utf-8")
        try:
            load_catalog(use_cache=False)
        except CatalogError as exc:
            path.write_text(text, encoding="utf-8")
            print(f"restored {path.name}: {exc.problems[0]}", file=sys.stderr)
            continue
        files += 1
    print(f"{'would add' if args.dry_run else 'added'} {added} results in {files} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
