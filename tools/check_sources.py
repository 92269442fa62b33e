"""Check the catalog's citations: that each one can be opened, and is about the variant.

    python tools/check_sources.py [--snapshots DIR] [--network] [--timeout S] [PATH ...]

Offline (the default), for every source a variant carries (its own and its family's),
its price source, its benchmark sources and its family's newest-release source:

- a ``dataset:key`` must name a dataset declared in catalog/datasets.yaml and, when the
  dataset's snapshot is in DIR (``--snapshots``, default ``../shared/data`` beside the
  repository, skipped if absent), the key must resolve in it;
- a source (or price source) must not be the page of another catalogued variant: a
  Hugging Face page (card, file or commit) of another variant's repository, or a dataset
  key naming another variant's repository or API id. A source cited by a whole family is
  reported once, naming the variants that inherit it. Benchmark sources are exempt (a
  results table on one model's card often covers its siblings).

``--network`` also fetches every URL (once, with a bounded size and time) and reports
those that answer 404 or 410, or cannot be reached. Exit status: 0 when nothing is
found, 1 otherwise, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from llmpick.catalog.load import load_catalog  # noqa: E402
from llmpick.catalog.records import Catalog, Variant  # noqa: E402
from llmpick.errors import CatalogError  # noqa: E402

SNAPSHOT_FILES = {  # dataset id -> file name in the snapshots directory
    "litellm": "litellm-model-prices.json",
    "models.dev": "models-dev-snapshot.json",
    "llmfit": "llmfit-hf-official.json",
}
# Hugging Face pages that are not a model repository's
HF_NOT_REPO = {"blog", "collections", "datasets", "docs", "papers", "spaces", "learn", "models"}
HF_REPO = re.compile(r"^https?://(?:www\.)?huggingface\.co/([\w.-]+)/([\w.-]+)(?:[/?#]|$)")
# the repository a llmfit key names: "llmfit:ORG/NAME", "llmfit:models[ORG/NAME]",
# "llmfit:models[name=ORG/NAME]", "llmfit:models (name ORG/NAME)"
LLMFIT_REPO = re.compile(r"([\w.-]+/[\w.*-]+)")


@dataclass(frozen=True, slots=True)
class Finding:
    where: str  # family/variant, or family when the source is the family's
    source: str
    problem: str

    def line(self) -> str:
        return f"{self.where}: {self.source}: {self.problem}"


@dataclass(frozen=True, slots=True)
class Citation:
    family: str
    variant: str | None  # None: the family's own source, inherited by its variants
    source: str
    field: str  # sources, pricing, evidence, newest_release


def citations(cat: Catalog) -> Iterator[Citation]:
    """Every citation once: a family's sources at family level, a variant's own extra."""
    for fid, fam in cat.families.items():
        for s in fam.sources:
            yield Citation(fid, None, s, "sources")
        if fam.newest_release is not None:
            yield Citation(fid, None, fam.newest_release.source, "newest_release")
        for vid in fam.variants:
            v = cat.variants[vid]
            for s in v.sources:
                if s not in fam.sources:
                    yield Citation(fid, vid, s, "sources")
            if v.pricing is not None:
                yield Citation(fid, vid, v.pricing.source, "pricing")
            for e in v.evidence:
                yield Citation(fid, vid, e.source, "evidence")


# --- dataset keys --------------------------------------------------------------------


def dataset_of(source: str) -> str | None:
    if source.startswith(("https://", "http://")):
        return None
    return source.partition(":")[0]


def load_snapshots(directory: Path | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if directory is None or not directory.is_dir():
        return out
    for name, file in SNAPSHOT_FILES.items():
        path = directory / file
        if path.is_file():
            out[name] = json.loads(path.read_text(encoding="utf-8"))
    return out


def _walk(obj: Any, rest: str) -> bool:
    """Whether the dotted ``rest`` names an entry in ``obj``; keys may contain dots."""
    if rest == "":
        return True
    if not isinstance(obj, dict):
        return False
    return any(
        _walk(obj[k], rest[len(k) + 1 :]) if rest.startswith(k + ".") else rest == k
        for k in obj
        if rest == k or rest.startswith(k + ".")
    )


def llmfit_repos(key: str) -> list[str]:
    return LLMFIT_REPO.findall(key)


def key_resolves(dataset: str, key: str, snapshot: Any) -> bool:
    """Whether ``key`` names an entry of the dataset's snapshot."""
    if dataset == "litellm":
        if "*" in key:  # a group of entries, e.g. one model in every region
            return any(fnmatch.fnmatchcase(k, key) for k in snapshot)
        return key in snapshot
    if dataset == "models.dev":
        return _walk(snapshot, key)
    if dataset == "llmfit":
        names = {m["name"].lower() for m in snapshot.get("models", [])}
        repos = llmfit_repos(key)
        if not repos:
            return False
        for repo in repos:
            pattern = re.compile(
                "^" + re.escape(repo.lower()).replace(r"\*", ".*").replace(r"\|", "|") + "$"
            )
            if not any(pattern.match(n) for n in names):
                return False
        return True
    return True  # a dataset this tool has no reader for


# --- pages of another variant ----------------------------------------------------------


def hf_repo_of(url: str) -> str | None:
    m = HF_REPO.match(url)
    if m is None or m.group(1) in HF_NOT_REPO:
        return None
    return f"{m.group(1)}/{m.group(2)}".lower()


def own_names(cat: Catalog, v: Variant) -> set[str]:
    """Repositories and ids that are this variant's own (or its base model's)."""
    names: set[str] = set()
    for x in (v, cat.variants.get(v.base_model or "")):
        if x is None:
            continue
        if x.access.hf_repo:
            names.add(x.access.hf_repo.lower())
        if x.access.api:
            names.add(x.access.api.lower())
        names.update(p.lower() for p in x.access.platforms.values())
    return names


def owners(cat: Catalog) -> dict[str, str]:
    """Repository or API id -> the variant it belongs to."""
    out: dict[str, str] = {}
    for vid, v in cat.variants.items():
        for name in (v.access.hf_repo, v.access.api, *v.access.platforms.values()):
            if name:
                out.setdefault(name.lower(), vid)
    return out


def named(source: str) -> list[str]:
    """The repositories or model ids a source points at."""
    repo = hf_repo_of(source)
    if repo is not None:
        return [repo]
    ds = dataset_of(source)
    key = source.partition(":")[2]
    if ds == "llmfit":
        return [r.lower() for r in llmfit_repos(key) if "*" not in r]
    if ds == "litellm":
        return [key.lower(), key.rsplit("/", 1)[-1].lower()]
    if ds == "models.dev":
        return [key.rsplit(".", 1)[-1].lower()] if key.startswith("labs.") else []
    return []


def foreign(cat: Catalog, v: Variant, source: str, index: dict[str, str]) -> str | None:
    """The other variant whose page ``source`` is, if it is one."""
    mine = own_names(cat, v)
    for name in named(source):
        other = index.get(name)
        if other is not None and other != v.id and name not in mine:
            return other
    return None


# --- the checks ------------------------------------------------------------------------


def check_offline(cat: Catalog, snapshots: dict[str, Any]) -> list[Finding]:
    found: list[Finding] = []
    index = owners(cat)
    for c in citations(cat):
        where = f"{c.family}/{c.variant}" if c.variant else c.family
        ds = dataset_of(c.source)
        if ds is not None:
            if ds not in cat.datasets:
                found.append(Finding(where, c.source, "names no dataset in datasets.yaml"))
            elif ds in snapshots and not key_resolves(
                ds, c.source.partition(":")[2], snapshots[ds]
            ):
                found.append(Finding(where, c.source, f"no such entry in the {ds} snapshot"))
        if c.field in ("newest_release", "evidence"):
            # a newest release names another model on purpose, and a results table on one
            # model's card often covers its siblings
            continue
        fam = cat.families[c.family]
        holders = (
            [cat.variants[c.variant]] if c.variant else [cat.variants[x] for x in fam.variants]
        )
        others = {foreign(cat, v, c.source, index) for v in holders}
        others.discard(None)
        if not others:
            continue
        if c.variant:
            found.append(Finding(where, c.source, f"is the page of {others.pop()}"))
            continue
        other = sorted(o for o in others if o is not None)[0]
        inherit = [v.id for v in holders if foreign(cat, v, c.source, index) is not None]
        found.append(
            Finding(
                where,
                c.source,
                f"is the page of {other}, but the family cites it for all its variants "
                f"({len(inherit)} inherit it: {', '.join(inherit[:4])}"
                + (", ..." if len(inherit) > 4 else "")
                + ")",
            )
        )
    return found


def check_network(urls: Iterable[str], timeout: float) -> dict[str, str]:
    """URL -> why it cannot be opened (404/410 or unreachable); others are fine."""
    import httpx

    dead: dict[str, str] = {}
    headers = {"User-Agent": "llmpick-check-sources/1 (catalog link check)"}
    with httpx.Client(follow_redirects=True, timeout=timeout, headers=headers) as client:
        for url in sorted(set(urls)):
            try:
                with client.stream("GET", url) as r:
                    status = r.status_code
            except httpx.HTTPError as exc:
                dead[url] = f"unreachable ({type(exc).__name__})"
                continue
            if status in (404, 410):
                dead[url] = f"answers {status}"
    return dead


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", help="overlay directories (none: the bundled catalog)")
    ap.add_argument("--snapshots", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--network", action="store_true", help="also fetch every URL")
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds per URL (--network)")
    args = ap.parse_args(argv)
    try:
        cat = load_catalog(args.paths, use_cache=False)
    except CatalogError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("error: the catalog does not load; run 'llmpick catalog validate'", file=sys.stderr)
        return 2
    snapshots = load_snapshots(args.snapshots)
    if not snapshots:
        print(f"note: no snapshots in {args.snapshots}; dataset keys are not resolved")
    found = check_offline(cat, snapshots)
    if args.network:
        by_url: dict[str, list[str]] = defaultdict(list)
        for c in citations(cat):
            if c.source.startswith(("https://", "http://")):
                by_url[c.source].append(f"{c.family}/{c.variant}" if c.variant else c.family)
        for url, why in check_network(by_url, args.timeout).items():
            found.extend(Finding(where, url, why) for where in by_url[url])
    for f in sorted(found, key=lambda f: (f.where, f.source)):
        print(f.line())
    print(f"{len(found)} problem(s) in {sum(1 for _ in citations(cat))} citations")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
