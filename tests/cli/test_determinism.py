"""The same question gets the same answer in every process.

Within one process the hash seed never changes, so set and dict orders that depend on
string hashes look stable there. Here the answers come from two processes, each with its
own PYTHONHASHSEED and a cache built under that seed (so loading and validating the
catalog run under it too), and each document must be byte for byte the same in both.
Each process answers every command in turn (one process per seed, not per command: a
process start and a catalog parse cost more than the answers).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import once_per_run

# slow: two processes, each building its own catalog cache under its own hash seed
pytestmark = pytest.mark.slow

COMMANDS = [
    ("recommend", "--task", "chat", "--access", "open", "--gpu-memory", "24", "--commercial"),
    ("recommend", "--no-input", "--include-legacy", "--top", "20"),
    ("recommend", "--task", "code", "--needs", "tools", "--max-price", "0.01"),  # relaxations
    ("why", "llama-2-13b-chat", "--task", "chat", "--commercial"),
    ("models",),
]

# runs each command (argv lists, as JSON in its first argument) through the command
# line's entry and prints a JSON list of [exit code, stdout, stderr]
PROGRAM = """
import contextlib, io, json, sys
from llmpick.cli.app import run

answers = []
for args in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(args)
    answers.append([code, out.getvalue(), err.getvalue()])
print(json.dumps(answers))
"""


_ANSWERS: dict[str, list[list[object]]] = {}


@pytest.fixture
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[list[object]]]:
    """Every command's answer under hash seeds 1 and 2, one process per seed (the two
    run side by side): asked at the first test that needs them, under its isolated
    environment, once in the whole run (``once_per_run``), then kept."""
    if not _ANSWERS:
        factory = tmp_path_factory
        _ANSWERS.update(once_per_run("seeds", lambda: _ask(factory.mktemp("seeds")), factory))
    return _ANSWERS


def _ask(caches: Path) -> dict[str, list[list[object]]]:
    import os

    requests = json.dumps([[*args, "--json"] for args in COMMANDS])
    procs = {
        seed: subprocess.Popen(
            [sys.executable, "-c", PROGRAM, requests],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed, "LLMPICK_CACHE_DIR": str(caches / seed)},
        )
        for seed in ("1", "2")
    }
    found = {}
    try:
        for seed, proc in procs.items():
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            found[seed] = json.loads(out)
    finally:
        for proc in procs.values():
            proc.kill()
            proc.wait()
    return found


def test_each_process_ran_under_its_own_seed() -> None:
    """The check below means something only if the seed reaches the process."""
    import os

    seen = []
    for seed in ("1", "2"):
        proc = subprocess.run(
            [sys.executable, "-c", "print(hash('llmpick'))"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        )
        seen.append(proc.stdout)
    assert seen[0] != seen[1]


@pytest.mark.parametrize("i", range(len(COMMANDS)), ids=[" ".join(a) for a in COMMANDS])
def test_answers_do_not_depend_on_the_hash_seed(
    answers: dict[str, list[list[object]]], i: int
) -> None:
    first, second = answers["1"][i], answers["2"][i]
    assert first[0] == 0, first[2]
    assert json.loads(str(first[1]))  # a document, not an empty answer
    assert first == second
