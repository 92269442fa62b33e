"""Time llmpick as whole processes against the import floor, median of several runs.

    python benchmarks/bench.py [--runs N]

The floor is `python -c "import typer, rich, pydantic, yaml"` in the same
environment: the least any Typer + rich + pydantic CLI can cost. Each command is
run once first to warm the catalog cache, then N times; the figure is the median
wall time. Peak memory is the child's maximum resident set size.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

FLOOR = [sys.executable, "-c", "import typer, rich, pydantic, yaml"]
LLMPICK = [sys.executable, "-m", "llmpick"]

# (label, arguments, budget as a multiple of the floor or None)
CASES: list[tuple[str, list[str], float | None]] = [
    ("llmpick --help", ["--help"], 1.3),
    ("llmpick models --json", ["models", "--json"], 1.5),
    ("llmpick providers --json", ["providers", "--json"], 1.5),
    (
        "llmpick recommend --json (chatbot, 24 GB)",
        [
            "recommend",
            "--task",
            "chat",
            "--access",
            "open",
            "--gpu-memory",
            "24",
            "--commercial",
            "--json",
        ],
        1.5,
    ),
    (
        "llmpick recommend --json (no constraints)",
        ["recommend", "--no-input", "--json"],
        1.5,
    ),
]


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024


def median_time(cmd: list[str], env: dict[str, str], runs: int) -> float:
    run_once(cmd, env)  # warm-up: page cache and catalog cache
    return statistics.median(run_once(cmd, env)[0] for _ in range(runs))


def peak_mb(cmd: list[str], env: dict[str, str]) -> float:
    """Peak RSS of one run, measured in a fresh interpreter so others do not mask it."""
    code = (
        "import resource, subprocess, sys;"
        f"subprocess.run({cmd!r}, stdout=subprocess.DEVNULL, check=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return int(out.stdout.strip()) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=11, help="timed runs per command (default 11)")
    args = parser.parse_args()
    env = {**os.environ, "NO_COLOR": "1"}
    # An installed package is byte-compiled by pip; an editable one is not, and with
    # PYTHONDONTWRITEBYTECODE set every run would recompile llmpick from source.
    import llmpick

    compileall.compile_dir(os.path.dirname(llmpick.__file__), quiet=1)
    env.setdefault("LLMPICK_CACHE_DIR", tempfile.mkdtemp(prefix="llmpick-bench-"))
    floor = median_time(FLOOR, env, args.runs)
    print(
        f"import floor (typer, rich, pydantic, yaml): {floor * 1000:.0f} ms (median of {args.runs})"
    )
    failed = False
    for label, argv, budget in CASES:
        t = median_time(LLMPICK + argv, env, args.runs)
        mem = peak_mb(LLMPICK + argv, env)
        ratio = t / floor
        verdict = ""
        if budget is not None:
            ok = ratio <= budget
            failed |= not ok
            verdict = f"budget {budget:.1f}x: {'ok' if ok else 'MISSED'}"
        print(f"{label:<40} {t * 1000:6.0f} ms  {ratio:4.2f}x floor  peak {mem:5.1f} MB  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
