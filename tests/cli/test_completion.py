"""Shell completion, driven as the shells drive it: a separate process with the
completion variable and the words typed so far in its environment (bash: COMP_WORDS and
COMP_CWORD; zsh and fish: _TYPER_COMPLETE_ARGS), whose output is the candidates."""

from __future__ import annotations

import pytest

from llmpick.engine.requirements import CHOICES
from llmpick.vocabulary import SECTION_IDS
from tests.conftest import bundled_catalog, run_process


def bash(line: str) -> list[str]:
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    r = run_process(
        env={"_LLMPICK_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(cword)}
    )
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def test_commands_and_options() -> None:
    from llmpick.cli.app import app

    names = {c.name for c in app.registered_commands} | {"catalog"}
    assert set(bash("llmpick ")) == names
    assert bash("llmpick catalog re") == ["refresh"]
    assert "--gpu-memory" in bash("llmpick recommend --gpu")
    assert "--snippet" in bash("llmpick show --sn")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("llmpick recommend --task ", CHOICES["task"]),
        ("llmpick why x --hosting ", CHOICES["hosting"]),
        ("llmpick recommend --quantization ", CHOICES["quantization"]),
        ("llmpick guide 2.1", [s for s in SECTION_IDS if s.startswith("2.1")]),
        ("llmpick schema ", ("shortlist", "requirements", "catalog")),
        ("llmpick completion ", ("bash", "zsh", "fish")),
    ],
)
def test_closed_lists(line: str, expected: tuple[str, ...]) -> None:
    assert bash(line) == list(expected)


def test_catalog_values() -> None:
    cat = bundled_catalog()
    assert bash("llmpick show qwen3-") == [v for v in cat.variants if v.startswith("qwen3-")]
    assert bash("llmpick fit llama-3") == [v for v in cat.variants if v.startswith("llama-3")]
    assert bash("llmpick models --provider m") == [p for p in cat.providers if p.startswith("m")]
    assert bash("llmpick recommend --license apache") == [
        x for x in cat.licenses if x.startswith("apache")
    ]


def test_zsh_and_fish() -> None:
    r = run_process(
        env={"_LLMPICK_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "llmpick why --access "}
    )
    assert r.returncode == 0, r.stderr
    assert all(f'"{a}"' in r.stdout for a in CHOICES["access"]), r.stdout
    r = run_process(
        env={
            "_LLMPICK_COMPLETE": "complete_fish",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
            "_TYPER_COMPLETE_ARGS": "llmpick fit --gpu-memory ",
        }
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["auto"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_scripts(shell: str) -> None:
    r = run_process("completion", shell)
    assert r.returncode == 0, r.stderr
    assert f"complete_{shell}" in r.stdout and "llmpick" in r.stdout
    assert run_process("completion", "tcsh").returncode == 2
