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

AIDER_FILE = "aider/website/_data/polyglot_leaderboard.yml"


def aider_polyglot(data: bytes, day: str) -> Iterator[Row]:
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


def lmarena_text(data: bytes, day: str) -> Iterator[Row]:
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


IMPORTERS: dict[str, tuple[str, Callable[[bytes, str], Iterator[Row]]]] = {
    "aider-polyglot": (AIDER_FILE, aider_polyglot),
    "lmarena-text": (LMARENA_FILE, lmarena_text),
}


# --- matching and writing ------------------------------------------------------


def load_aliases(dataset: str) -> dict[str, str]:
    table = yaml.safe_load(ALIASES.read_text(encoding="utf-8")) or {}
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
    rows = list(read(data, day))
    aliases = load_aliases(args.dataset)
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
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
