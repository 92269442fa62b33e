"""Write every answer of a set of requests to a folder, to compare two versions of the
engine answer for answer (a speed-up must change none of them).

    python tools/answers.py OUT_DIR [--catalog DIR]
    diff -r BEFORE_DIR AFTER_DIR

The requests: the nineteen of tests/scenarios/requests.txt and three more, each as
`recommend --json` with models to --explain, the human answer, the long answer with a
top 8, and `why` as JSON and text; and every scenario requirements file. With --catalog
(e.g. a synthetic one from benchmarks/make_catalog.py), the same requests again on that
catalog. Each file holds stdout, stderr and the exit code, at 80 columns.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "tests" / "scenarios"
EXPLAIN = ("gpt-oss-120b", "qwen3-8b", "llama-3.1-8b-instruct", "gemma-3-27b-it")
# the preferences and options the nineteen do not ask for
MORE = (
    ("x1", ["--task", "chat", "--prefer", "speed", "--gpu-memory", "24"]),
    ("x2", ["--task", "code", "--prefer", "cost", "--tokens-per-month", "50M:10M"]),
    ("x3", ["--task", "translation", "--language", "de", "--hosting", "self", "--gpus", "2x24"]),
)


def requests() -> list[tuple[str, list[str]]]:
    lines = (SCENARIOS / "requests.txt").read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        if line.strip() and not line.startswith("#"):
            letter, *args = shlex.split(line)
            out.append((letter, args))
    return [*out, *((letter, list(args)) for letter, args in MORE)]


def jobs(catalog: str | None) -> list[tuple[str, list[str]]]:
    explain = [w for m in EXPLAIN for w in ("--explain", m)]
    todo: list[tuple[str, list[str]]] = []
    for letter, args in requests():
        todo += [
            (f"{letter}.json", ["recommend", "--no-input", "--json", *args, *explain]),
            (f"{letter}.txt", ["recommend", "--no-input", *args]),
            (f"{letter}-long.txt", ["recommend", "--no-input", "-v", "--top", "8", *args]),
            (f"{letter}-why.json", ["why", "--json", "qwen3-8b", *args]),
            (f"{letter}-why.txt", ["why", "gpt-oss-20b", *args]),
        ]
    for path in sorted(SCENARIOS.glob("*.yaml")):
        todo += [
            (f"{path.name}.json", ["recommend", "--no-input", "--json", "-r", str(path)]),
            (f"{path.name}.txt", ["recommend", "--no-input", "-r", str(path)]),
        ]
    if catalog is not None:
        for letter, args in requests():
            top = ["--top", "10"]
            todo += [
                (f"big-{letter}.json", ["--catalog", catalog, "recommend", "--json", *top, *args]),
                (f"big-{letter}.txt", ["--catalog", catalog, "recommend", "--no-input", *args]),
            ]
    return todo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--catalog", help="a catalog folder to answer the requests on too")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, COLUMNS="80")

    def run(job: tuple[str, list[str]]) -> None:
        name, argv = job
        done = subprocess.run(
            [sys.executable, "-m", "llmpick", *argv],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        text = f"{done.stdout}\n--stderr--\n{done.stderr}\n--exit {done.returncode}\n"
        (args.out / name).write_text(text, encoding="utf-8")

    todo = jobs(args.catalog)
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(run, todo))
    print(f"{len(todo)} answers in {args.out}")


if __name__ == "__main__":
    main()
