"""Import published leaderboard results into catalog/evidence/<dataset>.yaml.

    python tools/import_leaderboards.py DATASET REPO [--commit REV] [--check]

DATASET is a key of IMPORTERS (and of catalog/datasets.yaml); REPO is a git directory
of the leaderboard's public repository (a clone, or a bare snapshot), read at REV
(default HEAD) with `git show`, so the result depends only on that commit. Rows are
matched to catalog variants through tools/leaderboard_aliases.yaml, a table reviewed
by hand: a name it does not list is reported and skipped, never guessed. Every result
keeps its edition (benchmark version, subset, setting) in `metric`, and its date.

The output is regenerated whole, sorted, with the snapshot's commit and date in its
header; `--check` only reports whether the file on disk is what the snapshot gives.
Run `llmpick catalog validate --stats` afterwards to see the coverage it brings.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
ALIASES = Path(__file__).with_name("leaderboard_aliases.yaml")


@dataclass(frozen=True)
class Row:
    """One published result, before it is matched to a variant."""

    name: str  # the leaderboard's name for the model (the alias table's key)
    key: str  # locates the row in the dataset: the citation is "<dataset>:<key>"
    benchmark: str  # a name the engine's canonical() knows
    score: float
    metric: str  # what the score is, with its edition and setting
    date: str  # YYYY-MM-DD


def git_show(repo: Path, rev: str, path: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", str(repo), "show", f"{rev}:{path}"],
        check=True,
        capture_output=True,
    ).stdout


def commit_info(repo: Path, rev: str, path: str) -> tuple[str, str]:
    """The snapshot's commit and the date of the last change to ``path`` in it."""
    sha = (
        subprocess.run(
            ["git", "--git-dir", str(repo), "rev-parse", rev], check=True, capture_output=True
        )
        .stdout.decode()
        .strip()
    )
    day = (
        subprocess.run(
            ["git", "--git-dir", str(repo), "log", "-1", "--format=%cs", sha, "--", path],
            check=True,
            capture_output=True,
        )
        .stdout.decode()
        .strip()
    )
    return sha, day


# --- one reader per leaderboard ----------------------------------------------

Show = Callable[[str], bytes]
"""Reads another file of the same snapshot (by path)."""

AIDER_FILE = "aider/website/_data/polyglot_leaderboard.yml"


def aider_polyglot(data: bytes, day: str, show: Show) -> Iterator[Row]:
    """Aider's polyglot benchmark: 225 Exercism exercises in six languages; the score
    is the share solved within two tries. Each row is one run of one model with one
    edit format (and, for some, a reasoning effort or thinking budget)."""
    for r in yaml.safe_load(data):
        setting = [f"{r['edit_format']} edit format"]
        if r.get("reasoning_effort"):
            setting.append(f"reasoning effort {r['reasoning_effort']}")
        if r.get("thinking_tokens"):
            setting.append(f"{r['thinking_tokens']} thinking tokens")
        yield Row(
            name=str(r["model"]),
            key=str(r["dirname"]),
            benchmark="Aider Polyglot",
            score=float(r["pass_rate_2"]),
            metric=(
                f"percent of {r['test_cases']} exercises solved in two tries "
                f"({', '.join(setting)}; aider {r['versions']}; entry {r['model']!r})"
            ),
            date=str(r["date"]),
        )


LMARENA_FILE = "data/leaderboard-text.json"


def lmarena_text(data: bytes, day: str, show: Show) -> Iterator[Row]:
    """LMArena's text leaderboard, category "full" (all text battles, no style
    control): a Bradley-Terry rating on the Elo scale. Ratings move as votes come in,
    so each is dated by the snapshot, the day the file was last updated."""
    for name, r in json.loads(data)["full"].items():
        yield Row(
            name=name,
            key=f"full.{name}",
            benchmark="LMArena Text",
            score=round(float(r["rating"]), 1),
            metric=(
                "arena rating, all text battles (category full), no style control; "
                f"95% interval {r['rating_q025']:.0f}-{r['rating_q975']:.0f}; entry {name!r}"
            ),
            date=day,
        )


LIVEBENCH_RELEASE = "2026_01_08"
LIVEBENCH_FILE = f"public/table_{LIVEBENCH_RELEASE}.csv"
LIVEBENCH_CATEGORIES = f"public/categories_{LIVEBENCH_RELEASE}.json"
# the category averages imported, each under the name the engine's task map knows
LIVEBENCH_IMPORTED = {"Reasoning": "LiveBench Reasoning", "Coding": "LiveBench Coding"}


def livebench(data: bytes, day: str, show: Show) -> Iterator[Row]:
    """LiveBench, release 2026-01-08: questions refreshed every release, scored by
    ground truth. The site shows each category's mean over its tasks and the global
    mean over categories (src/Table/Averaging.js); both are computed here the same
    way, but only from complete rows: a model missing any task gets no average."""
    import csv
    import io

    categories: dict[str, list[str]] = json.loads(show(LIVEBENCH_CATEGORIES))
    edition = LIVEBENCH_RELEASE.replace("_", "-")
    for r in csv.DictReader(io.StringIO(data.decode("utf-8"))):
        name = r["model"]
        means: dict[str, float] = {}
        for cat, tasks in categories.items():
            try:
                values = [float(r[t]) for t in tasks]
            except (KeyError, TypeError, ValueError):
                continue
            means[cat] = sum(values) / len(values)
        picked = [
            (LIVEBENCH_IMPORTED[c], means[c], f"{c} category, mean of {len(categories[c])} tasks")
            for c in LIVEBENCH_IMPORTED
            if c in means
        ]
        if len(means) == len(categories):
            overall = sum(means.values()) / len(means)
            picked.insert(0, ("LiveBench", overall, f"global average over {len(means)} categories"))
        for bench, score, what in picked:
            yield Row(
                name=name,
                key=f"{edition}.{name}",
                benchmark=bench,
                score=round(score, 1),
                metric=f"LiveBench-{edition}, {what}; entry {name!r}",
                date=day,
            )


MTEB_FILE = "boards_data/en/data_overall/default.jsonl"


def mteb_english_v1(data: bytes, day: str, show: Show) -> Iterator[Row]:
    """The MTEB leaderboard's English board as it stood before MTEB v2: the mean over
    its 56 datasets. A row names its model by a link; the Hugging Face repository id
    (or, for models without one, the link's text) is the name looked up."""
    import html
    import re

    link = re.compile(r'href="([^"]*)"[^>]*>([^<]*)<')
    for line in data.decode("utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        score = r.get("Average (56 datasets)")
        if not isinstance(score, int | float):
            continue
        m = link.search(r["Model"])
        if m is None:
            continue
        url, text = html.unescape(m.group(1)), html.unescape(m.group(2))
        hf = "https://huggingface.co/"
        name = url[len(hf) :] if url.startswith(hf) and url.rstrip("/").endswith(text) else text
        yield Row(
            name=name,
            key=f"en.{name}",
            benchmark="MTEB (English)",
            score=float(score),
            metric="MTEB English v1, average of 56 datasets",  # the source names the row
            date=day,
        )


PYTHIA_DIR = "evals/pythia-v1"
MMLU_SUBJECTS = 57


def pythia_evals(data: bytes, day: str, show: Show) -> Iterator[Row]:
    """The Pythia paper's evaluation results (EleutherAI/pythia, evals/pythia-v1: the
    released suite), one file per model and checkpoint. MMLU is reported per subject
    (hendrycksTest-*); the score here is the unweighted mean of the 57 subjects'
    accuracy at the final checkpoint (step 143000), 5-shot. A model whose file lacks a
    subject gets no score."""
    listing = data.decode("utf-8").splitlines()[2:]  # `git show` of a tree: its entries
    for entry in listing:
        name = entry.strip().rstrip("/")
        if not name.startswith("pythia-"):
            continue
        size = name.removeprefix("pythia-").removesuffix("-bf16")
        path = f"{PYTHIA_DIR}/{name}/five-shot/{size}-5shot_step143000.json"
        try:
            run = json.loads(show(path))
        except subprocess.CalledProcessError:
            continue
        accs = [v["acc"] for k, v in run["results"].items() if k.startswith("hendrycksTest-")]
        if len(accs) != MMLU_SUBJECTS or run["config"]["num_fewshot"] != 5:
            continue
        yield Row(
            name=name,
            key=f"{name}.five-shot.step143000",
            benchmark="MMLU",
            score=round(100 * sum(accs) / len(accs), 1),
            metric=(
                "5-shot accuracy, unweighted mean of the 57 subjects "
                "(lm-evaluation-harness, final checkpoint step 143000)"
            ),
            date=day,
        )


IMPORTERS: dict[str, tuple[str, Callable[[bytes, str, Show], Iterator[Row]]]] = {
    "aider-polyglot": (AIDER_FILE, aider_polyglot),
    "lmarena-text": (LMARENA_FILE, lmarena_text),
    "livebench": (LIVEBENCH_FILE, livebench),
    "mteb-leaderboard": (MTEB_FILE, mteb_english_v1),
    "pythia-evals": (PYTHIA_DIR, pythia_evals),
}


# --- matching and writing ------------------------------------------------------


def load_aliases(dataset: str, path: Path = ALIASES) -> dict[str, str]:
    table = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in (table.get(dataset) or {}).items()}


def results(
    rows: list[Row], aliases: dict[str, str], dataset: str
) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        vid = aliases.get(r.name)
        if vid is None:
            continue
        out.setdefault(vid, []).append(
            {
                "benchmark": r.benchmark,
                "score": r.score,
                "metric": r.metric,
                "source": f"{dataset}:{r.key}",
                "date": r.date,
            }
        )
    for rs in out.values():
        rs.sort(key=lambda e: (e["date"], e["source"]))
    return dict(sorted(out.items()))


def flow(key: str, value: Any) -> str:
    """A value as it is written in a flow mapping: text quoted (JSON is valid YAML),
    dates and numbers bare."""
    return (
        json.dumps(value, ensure_ascii=False)
        if isinstance(value, str) and key != "date"
        else str(value)
    )


def render(
    dataset: str, sha: str, day: str, path: str, res: dict[str, list[dict[str, Any]]]
) -> str:
    lines = [
        f"# Generated by tools/import_leaderboards.py from {path} at commit {sha}",
        f"# ({day}); do not edit: change tools/leaderboard_aliases.yaml and rerun.",
        "# Each result cites its row in the dataset declared in datasets.yaml.",
    ]
    for vid, rs in res.items():
        lines.append(f"{vid}:")
        for e in rs:
            fields = ", ".join(f"{k}: {flow(k, v)}" for k, v in e.items())
            lines.append(f"  - {{{fields}}}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", choices=sorted(IMPORTERS))
    parser.add_argument("repo", type=Path, help="the leaderboard repository's git directory")
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--aliases", type=Path, default=ALIASES, help="the reviewed alias table")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "catalog" / "evidence", help="where the file goes"
    )
    args = parser.parse_args(argv)
    path, read = IMPORTERS[args.dataset]
    git_dir = args.repo / ".git" if (args.repo / ".git").is_dir() else args.repo
    try:
        sha, day = commit_info(git_dir, args.commit, path)
        data = git_show(git_dir, sha, path)
    except subprocess.CalledProcessError as exc:
        print(f"error: cannot read {path} at {args.commit}: {exc.stderr.decode().strip()}")
        return 2
    try:
        rows = list(read(data, day, lambda p: git_show(git_dir, sha, p)))
    except subprocess.CalledProcessError as exc:
        print(f"error: cannot read a file at {sha}: {exc.stderr.decode().strip()}")
        return 2
    aliases = load_aliases(args.dataset, args.aliases)
    res = results(rows, aliases, args.dataset)
    unmatched = sorted({r.name for r in rows if r.name not in aliases})
    text = render(args.dataset, sha, day, path, res)
    out = args.out / f"{args.dataset}.yaml"
    print(
        f"{args.dataset}: {len(rows)} rows at {sha[:12]} ({day}); "
        f"{sum(map(len, res.values()))} results for {len(res)} variants; "
        f"{len(unmatched)} names not in the alias table"
    )
    if unmatched:
        print("  not imported: " + ", ".join(unmatched))
    if args.check:
        same = out.is_file() and out.read_text(encoding="utf-8") == text
        print(f"{out} is {'up to date' if same else 'out of date'}")
        return 0 if same else 1
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
