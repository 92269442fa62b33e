"""Where the answer goes: the pager in a terminal, pipes that close, disks that fill.

Paging is tested in a real pseudo-terminal with a stand-in pager (a shell command that
copies its input to a file), and pipes and full disks with real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CATALOG, close_ended, run_process, spawn_pty

pexpect = pytest.importorskip("pexpect")


@pytest.fixture(autouse=True)
def _small_catalog(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test catalog (five models), except for the guide, which it does not have."""
    if "guide" not in request.node.name:
        monkeypatch.setenv("LLMPICK_BASE_CATALOG", str(FIXTURE_CATALOG))


def errors(stderr: str) -> list[str]:
    """What stderr says besides the notice that the test catalog is in force."""
    return [line for line in stderr.splitlines() if not line.startswith("overlays in force")]


def in_terminal(*args: str, rows: int = 6, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run llmpick in a pseudo-terminal of ``rows`` x 80; its exit code and screen."""
    full = {**os.environ, **(env or {})}
    for name in ("PAGER", "LLMPICK_PAGER", "LESS", "CI"):
        if env is None or name not in env:
            full.pop(name, None)
    child = spawn_pty(
        sys.executable,
        ["-m", "llmpick", *args],
        env=full,
        encoding="utf-8",
        timeout=60,
        dimensions=(rows, 80),
    )
    child.expect(pexpect.EOF)
    screen = child.before
    close_ended(child)
    assert child.exitstatus is not None, child.signalstatus
    return child.exitstatus, screen


@pytest.fixture
def pager(tmp_path: Path) -> tuple[str, Path]:
    """A pager that writes what it is given to a file (so the test can read it)."""
    paged = tmp_path / "paged.txt"
    return f"cat > '{paged}'", paged


@pytest.mark.parametrize(
    "args",
    [("models",), ("providers",), ("guide",), ("guide", "2.14")],
    ids=["models", "providers", "guide", "guide-section"],
)
def test_long_listings_go_through_the_pager_in_a_terminal(
    args: tuple[str, ...], pager: tuple[str, Path]
) -> None:
    command, paged = pager
    code, screen = in_terminal(*args, env={"PAGER": command})
    assert code == 0, screen
    text = paged.read_text()
    assert len(text.splitlines()) > 6  # taller than the screen: that is why it paged
    first = text.splitlines()[0].strip()
    assert first and first not in screen  # it went to the pager, not the screen


def test_models_page_shows_the_table_and_llmpick_pager_wins(pager: tuple[str, Path]) -> None:
    command, paged = pager
    code, screen = in_terminal("models", env={"PAGER": "false", "LLMPICK_PAGER": command})
    assert code == 0, screen
    text = paged.read_text()
    assert "rocket-7b-chat" in text and "5 models" in text
    assert "rocket-7b-chat" not in screen


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("models", "--no-pager"), {}),
        (("guide", "2.14", "--no-pager"), {}),
        (("models", "--json"), {}),  # JSON is never paged
        (("models", "rocket", "chat"), {}),  # one row: fits the screen
        (("models",), {"LLMPICK_PAGER": ""}),  # set but empty: no pager
    ],
    ids=["models-no-pager", "guide-no-pager", "json", "short", "empty-llmpick-pager"],
)
def test_no_pager_when_asked_for_json_or_short(
    args: tuple[str, ...], env: dict[str, str], pager: tuple[str, Path]
) -> None:
    command, paged = pager
    code, screen = in_terminal(*args, rows=12, env={"PAGER": command, **env})
    assert code == 0, screen
    assert not paged.exists()
    assert "rocket-7b-chat" in screen or "2.14" in screen


def test_a_pager_that_quits_early_is_not_an_error() -> None:
    code, screen = in_terminal("models", env={"PAGER": "head -1 >/dev/null"})
    assert code == 0, screen
    assert "error" not in screen and "Traceback" not in screen


def test_a_missing_pager_still_prints_the_answer() -> None:
    code, screen = in_terminal("models", env={"PAGER": "no-such-pager-for-llmpick"})
    assert code == 0, screen
    assert "rocket-7b-chat" in screen
    assert "could not be run" in screen


def test_piped_output_is_never_paged(pager: tuple[str, Path]) -> None:
    command, paged = pager
    p = run_process("models", env={"PAGER": command, "LLMPICK_PAGER": command})
    assert p.returncode == 0, p.stderr
    assert "rocket-7b-chat" in p.stdout
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
