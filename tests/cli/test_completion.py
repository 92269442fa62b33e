"""Shell completion, driven as the shells drive it: the completion variable and the
words typed so far in the environment (bash: COMP_WORDS and COMP_CWORD; zsh and fish:
_TYPER_COMPLETE_ARGS), the candidates on stdout. A shell starts a process for each
request; here run() answers in-process, the path `llmpick` takes in a process, and
one request goes through a real process (test_a_shell_gets_the_candidates_from_a_process)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from llmpick.engine.requirements import CHOICES
from llmpick.vocabulary import SECTION_IDS
from tests.conftest import Result, bundled_catalog, run_process

Cli = Callable[..., Result]


def _bash_env(line: str) -> dict[str, str]:
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    return {"_LLMPICK_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(cword)}


def asked(cli: Cli, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> Result:
    """What llmpick answers to a completion request with ``env`` in its environment."""
    with monkeypatch.context() as m:
        for k, v in env.items():
            m.setenv(k, v)
        return cli()


@pytest.fixture
def bash(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], list[str]]:
    def candidates(line: str) -> list[str]:
        r = asked(cli, monkeypatch, _bash_env(line))
        assert r.code == 0, r
        return r.out.split()

    return candidates


# a process is the point: a shell asks a new process each time
def test_a_shell_gets_the_candidates_from_a_process() -> None:
    r = run_process(env=_bash_env("llmpick show qwen3-"))
    assert r.returncode == 0, r.stderr
    cat = bundled_catalog()
    assert r.stdout.split() == [v for v in cat.variants if v.startswith("qwen3-")]


def test_commands_and_options(bash: Callable[[str], list[str]]) -> None:
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
def test_closed_lists(
    bash: Callable[[str], list[str]], line: str, expected: tuple[str, ...]
) -> None:
    assert bash(line) == list(expected)


def test_catalog_values(bash: Callable[[str], list[str]]) -> None:
    cat = bundled_catalog()
    assert bash("llmpick show qwen3-") == [v for v in cat.variants if v.startswith("qwen3-")]
    assert bash("llmpick fit llama-3") == [v for v in cat.variants if v.startswith("llama-3")]
    assert bash("llmpick models --provider m") == [p for p in cat.providers if p.startswith("m")]
    assert bash("llmpick recommend --license apache") == [
        x for x in cat.licenses if x.startswith("apache")
    ]


def test_zsh_and_fish(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    zsh = {"_LLMPICK_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "llmpick why --access "}
    r = asked(cli, monkeypatch, zsh)
    assert r.code == 0, r
    assert all(f'"{a}"' in r.out for a in CHOICES["access"]), r.out
    fish = {
        "_LLMPICK_COMPLETE": "complete_fish",
        "_TYPER_COMPLETE_FISH_ACTION": "get-args",
        "_TYPER_COMPLETE_ARGS": "llmpick fit --gpu-memory ",
    }
    r = asked(cli, monkeypatch, fish)
    assert r.code == 0, r
    assert r.out.split() == ["auto"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_scripts(cli: Cli, shell: str) -> None:
    r = cli("completion", shell)
    assert r.code == 0, r
    assert f"complete_{shell}" in r.out and "llmpick" in r.out
    assert cli("completion", "tcsh").code == 2
