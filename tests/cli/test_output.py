"""Where the answer goes: the pager in a terminal, pipes that close, disks that fill.

Paging is tested in a real pseudo-terminal with a stand-in pager (a shell command that
copies its input to a file), and pipes and full disks with real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import (
    FIXTURE_CATALOG,
    Result,
    once_per_run,
    runs_in_a_terminal,
)

pexpect = pytest.importorskip("pexpect")


@pytest.fixture(autouse=True)
def _small_catalog(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test catalog (five models), except for the guide, which it does not have."""
    if "guide" not in request.node.name:
        monkeypatch.setenv("LLMPICK_BASE_CATALOG", str(FIXTURE_CATALOG))


def errors(stderr: str) -> list[str]:
    """What stderr says besides the notice that the test catalog is in force."""
    return [line for line in stderr.splitlines() if not line.startswith("overlays in force")]


# what each command line of a test below sets for itself, and nothing else does
_SETTINGS = ("PAGER", "LLMPICK_PAGER", "LESS", "CI", "LLMPICK_BASE_CATALOG")


# what each test below runs in a terminal: (command line, screen rows, settings); the
# pager of each, "{paged}", writes what it is given to a file of the case's own; every
# command but the guide's (which that catalog lacks) reads the test catalog (five models)
PAGER = "cat > '{paged}'"
SMALL = {"LLMPICK_BASE_CATALOG": str(FIXTURE_CATALOG)}
LONG = {"models": ("models",), "providers": ("providers",), "guide": ("guide",)}
LONG["guide-section"] = ("guide", "2.14")
# on 12 rows, or on 6 where the listing (8 lines) fits 12 and would not page anyway
SHORT = {
    "models-no-pager": (("models", "--no-pager"), 6, {}),
    "guide-no-pager": (("guide", "2.14", "--no-pager"), 12, {}),
    "json": (("models", "--json"), 12, {}),  # JSON is never paged
    "short": (("models", "rocket", "chat"), 12, {}),  # one row: fits the screen
    "empty-llmpick-pager": (("models",), 6, {"LLMPICK_PAGER": ""}),  # set but empty: no pager
}
IN_TERMINAL: dict[str, tuple[tuple[str, ...], int, dict[str, str]]] = {
    **{name: (args, 6, {"PAGER": PAGER}) for name, args in LONG.items()},
    "llmpick-pager-wins": (("models",), 6, {"PAGER": "false", "LLMPICK_PAGER": PAGER}),
    "quits-early": (("models",), 6, {"PAGER": "head -1 >/dev/null"}),
    "missing-pager": (("models",), 6, {"PAGER": "no-such-pager-for-llmpick"}),
    **{name: (args, rows, {"PAGER": PAGER, **env}) for name, (args, rows, env) in SHORT.items()},
}
for _args, _, _env in IN_TERMINAL.values():
    if _args[0] != "guide":
        _env.update(SMALL)

Shown = dict[str, tuple[int, str, str | None]]
_SCREENS: Shown = {}


@pytest.fixture
def screens(tmp_path_factory: pytest.TempPathFactory) -> Shown:
    """Each case of IN_TERMINAL: its exit code, its screen and what its pager wrote (None
    if it was never run). Run at the first test that asks, under that test's isolated
    environment, once in the whole run (``once_per_run``), then kept."""
    if not _SCREENS:
        factory = tmp_path_factory
        found = once_per_run("paging", lambda: _in_terminal(factory.mktemp("paged")), factory)
        _SCREENS.update({name: tuple(case) for name, case in found.items()})
    return _SCREENS


def _in_terminal(paged_dir: Path) -> Shown:
    """The cases in turn in one process on one pseudo-terminal 80 wide, resized to each
    case's height (paging depends on the terminal and the settings, not on a fresh
    process), each with its own settings and no other's."""
    names = sorted(IN_TERMINAL, key=lambda name: IN_TERMINAL[name][1])
    paged = {name: paged_dir / f"{name}.txt" for name in names}
    commands = [
        (
            IN_TERMINAL[name][0],
            {k: v.format(paged=paged[name]) for k, v in IN_TERMINAL[name][2].items()},
            (IN_TERMINAL[name][1], 80),
        )
        for name in names
    ]
    env = {k: v for k, v in os.environ.items() if k not in _SETTINGS}
    shown = runs_in_a_terminal(commands, env=env, rows=6, cols=80, unset=_SETTINGS)
    return {
        name: (code, screen, paged[name].read_text() if paged[name].exists() else None)
        for name, (code, screen) in zip(names, shown, strict=True)
    }


# slow: the first to ask for the terminal cases, which come from one process in a
# pseudo-terminal (``screens``); the tests after it read them
@pytest.mark.slow
@pytest.mark.parametrize("name", list(LONG))
def test_long_listings_go_through_the_pager_in_a_terminal(name: str, screens: Shown) -> None:
    code, screen, text = screens[name]
    assert code == 0, screen
    assert text is not None, screen
    assert len(text.splitlines()) > 6  # taller than the screen: that is why it paged
    first = text.splitlines()[0].strip()
    assert first and first not in screen  # it went to the pager, not the screen


def test_models_page_shows_the_table_and_llmpick_pager_wins(
    screens: Shown,
) -> None:
    code, screen, text = screens["llmpick-pager-wins"]
    assert code == 0, screen
    assert text is not None, screen
    assert "rocket-7b-chat" in text and "5 models" in text
    assert "rocket-7b-chat" not in screen


@pytest.mark.parametrize("name", list(SHORT))
def test_no_pager_when_asked_for_json_or_short(name: str, screens: Shown) -> None:
    code, screen, paged = screens[name]
    assert code == 0, screen
    assert paged is None  # the pager never ran
    assert "rocket-7b-chat" in screen or "2.14" in screen


def test_a_pager_that_quits_early_is_not_an_error(
    screens: Shown,
) -> None:
    code, screen, _ = screens["quits-early"]
    assert code == 0, screen
    assert "error" not in screen and "Traceback" not in screen


def test_a_missing_pager_still_prints_the_answer(
    screens: Shown,
) -> None:
    code, screen, _ = screens["missing-pager"]
    assert code == 0, screen
    assert "rocket-7b-chat" in screen
    assert "could not be run" in screen


@pytest.fixture
def pager(tmp_path: Path) -> tuple[str, Path]:
    """A pager that writes what it is given to a file (so the test can read it)."""
    paged = tmp_path / "paged.txt"
    return f"cat > '{paged}'", paged


def test_piped_output_is_never_paged(
    pager: tuple[str, Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    # in-process, where stdout is no terminal (as a pipe); on 6 rows the listing would
    # page in a terminal, so only the pipe keeps it from the pager
    command, paged = pager
    for name, value in (("PAGER", command), ("LLMPICK_PAGER", command), ("LINES", "6")):
        monkeypatch.setenv(name, value)
    r = cli("models")
    assert r.code == 0, r
    assert "rocket-7b-chat" in r.out and len(r.out.splitlines()) > 6
    assert not paged.exists()


# --- closed pipes and unwritable output ---------------------------------------------

CASES = [
    ("models",),
    ("models", "--json"),
    ("providers",),
    ("recommend", "--task", "chat", "--no-input"),
    ("recommend", "--task", "chat", "--no-input", "--json"),
]


def _command(args: tuple[str, ...]) -> str:
    return " ".join(f"'{a}'" for a in (sys.executable, "-m", "llmpick", *args))


def _shell(args: tuple[str, ...], redirect: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        f"{_command(args)} {redirect}",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("args", CASES)
def test_a_reader_that_leaves_early_is_not_an_error(args: tuple[str, ...]) -> None:
    # the pipeline's status is llmpick's (PIPESTATUS), not head's
    command = f"{_command(args)} | head -c 1 >/dev/null; exit ${{PIPESTATUS[0]}}"
    p = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=60, check=False
    )
    assert p.returncode == 0, p.stderr
    assert errors(p.stderr) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", CASES)
def test_a_full_disk_is_one_line_and_exit_1(args: tuple[str, ...]) -> None:
    p = _shell(args, "> /dev/full")
    assert p.returncode == 1
    assert errors(p.stderr) == ["error: cannot write output: no space left on device"]


@pytest.mark.parametrize("args", CASES[:2])
def test_a_closed_stdout_is_one_line_and_exit_1(args: tuple[str, ...]) -> None:
    p = _shell(args, ">&-")
    assert p.returncode == 1
    assert errors(p.stderr) == ["error: cannot write output: standard output is closed"]
