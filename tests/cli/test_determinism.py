"""The same question gets the same answer in every process.

Within one process the hash seed never changes, so set and dict orders that depend on
string hashes look stable there. Here each answer comes from its own process with its own
PYTHONHASHSEED and a cache built under that seed (so loading and validating the catalog
run under it too), and the documents must be byte for byte the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_process

COMMANDS = [
    ("recommend", "--task", "chat", "--access", "open", "--gpu-memory", "24", "--commercial"),
    ("recommend", "--no-input", "--include-legacy", "--top", "20"),
    ("recommend", "--task", "code", "--needs", "tools", "--max-price", "0.01"),  # relaxations
    ("why", "llama-2-13b-chat", "--task", "chat", "--commercial"),
    ("models",),
]


@pytest.fixture(scope="module")
def seed_caches(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalog cache per hash seed, built by the first command run under that seed."""
    return tmp_path_factory.mktemp("seed-caches")


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_answers_do_not_depend_on_the_hash_seed(seed_caches: Path, args: tuple[str, ...]) -> None:
    outputs = []
    for seed in ("1", "2"):
        env = {"PYTHONHASHSEED": seed, "LLMPICK_CACHE_DIR": str(seed_caches / seed)}
        proc = run_process(*args, "--json", env=env)
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
