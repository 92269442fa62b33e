"""`eval` as a person runs it: in a terminal (a pseudo-terminal here), where the progress
display is on. It crashed in every terminal before ('_Lazy' object does not support the
context manager protocol) and left the cursor hidden."""

from __future__ import annotations

import io
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _MARK, close_ended, runs_in_a_terminal, spawn_pty
from tests.eval.conftest import write_cases_in, write_targets_in
from tests.eval.fake_openai import FakeOpenAI
from tests.eval.test_eval_run import target

pexpect = pytest.importorskip("pexpect")

ROOT = Path(__file__).resolve().parents[2]
SHOW_CURSOR = "\x1b[?25h"
HIDE_CURSOR = "\x1b[?25l"


def _spawn(args: list[str], tmp_path: Path) -> pexpect.spawn:  # type: ignore[name-defined]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "80", "LINES": "24"}
    env.pop("NO_COLOR", None)
    env["TERM"] = "xterm-256color"
    child = spawn_pty(
        sys.executable,
        ["-m", "llmpick", "eval", *args],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(24, 80),
        cwd=str(tmp_path),
    )
    child.logfile_read = io.StringIO()  # the whole screen, whatever expect() consumed
    return child


_SHARED: list[dict[str, tuple[int, str, Path]]] = []


@pytest.fixture
def screens(tmp_path_factory: pytest.TempPathFactory, quick_slow: float) -> dict[str, Any]:
    """The command lines of the tests below that need a terminal, not a process of their
    own (unlike Ctrl-C), in turn in one process on one 24 x 80 pseudo-terminal: an eval
    process costs about 0.4 s of CPU, and what the terminal shows is each run's. Run at
    the first test that asks, under its isolated environment, then kept: each run's
    exit code, screen (as written, escapes and all) and results file."""
    if not _SHARED:
        _SHARED.append(_terminal_runs(tmp_path_factory.mktemp("terminal")))
    return _SHARED[0]


def _cases(d: Path, name: str, n: int, prefix: str = "") -> str:
    cases = [
        {"id": f"{prefix}{i}", "prompt": f"q{i} <<a>>", "expect": {"equals": "a"}} for i in range(n)
    ]
    return write_cases_in(d, cases, name)


def _terminal_runs(d: Path) -> dict[str, tuple[int, str, Path]]:
    server = FakeOpenAI().start()
    try:
        four = write_targets_in(
            d,
            [
                target(server, "good", "right"),
                target(server, "cutter", "cut"),
                target(server, "liar", "wrong"),
                target(server, "typo", "missing"),
            ],
            "four.yaml",
        )
        four_cases = _cases(d, "four.jsonl", 4, prefix="c")
        runs = {
            "progress": (
                [
                    _cases(d, "six.jsonl", 6),
                    "--targets",
                    write_targets_in(d, [target(server, "slow", "slow")], "slow.yaml"),
                ],
                d / "progress.jsonl",
            ),
            "one": (
                [
                    _cases(d, "three.jsonl", 3),
                    "--targets",
                    write_targets_in(
                        d, [target(server, "a-rather-long-target-name", "stream")], "one.yaml"
                    ),
                ],
                None,
            ),
            "unreachable": ([four_cases, "--targets", four], d / "r.jsonl"),
            "again": ([four_cases, "--targets", four, "--resume"], d / "r.jsonl"),
        }
        commands = [
            (["eval", *args, *(["--out", str(out)] if out else [])], {})
            for args, out in runs.values()
        ]
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "80", "LINES": "24"}
        env.pop("NO_COLOR", None)
        env["TERM"] = "xterm-256color"
        # a run's last escape (the cursor shown again) ends no line: its mark starts one
        shown = runs_in_a_terminal(
            commands, env=env, rows=24, cols=80, clean=lambda t: t.replace(_MARK, "\n" + _MARK)
        )
    finally:
        server.stop()
    return {
        name: (code, screen, out or d)
        for (name, (_, out)), (code, screen) in zip(runs.items(), shown, strict=True)
    }


def _plain(screen: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen)


@pytest.mark.slow  # the pseudo-terminal runs of `screens`: every test that reads them is
# marked so, and runs first beside the others, so one worker, not each, makes them
def test_eval_in_a_terminal_shows_progress_prints_the_report_and_restores_the_cursor(
    screens: dict[str, Any],
) -> None:
    code, screen, out = screens["progress"]
    assert code == 0, screen
    assert "asking" in screen and "[progress" not in screen  # the progress display
    assert "Traceback" not in screen and "internal error" not in screen
    text = _plain(screen)
    assert "6/6" in text and "pick: slow" in text  # the report
    assert screen.rfind(SHOW_CURSOR) > screen.rfind(HIDE_CURSOR) >= 0
    assert len(out.read_text().splitlines()) == 6


@pytest.mark.slow  # eval in a pseudo-terminal against a slow server, interrupted mid-run
def test_ctrl_c_in_a_terminal_keeps_results_and_restores_the_cursor(
    server, write_cases, write_targets, tmp_path, quick_slow
) -> None:
    many = [{"id": str(i), "prompt": f"q{i} <<a>>", "expect": {"equals": "a"}} for i in range(40)]
    cases = write_cases(many)
    tg = write_targets([target(server, "slow", "slow")])
    out = tmp_path / "res.jsonl"
    child = _spawn([cases, "--targets", tg, "--out", str(out), "--concurrency", "2"], tmp_path)
    child.expect("asking")
    child.expect(r"[1-9]\d*/40")  # some answers in
    child.sendintr()
    child.expect(pexpect.EOF)
    close_ended(child)
    screen = child.logfile_read.getvalue()
    assert child.exitstatus == 130, screen
    assert "Traceback" not in screen and "--resume" in screen
    assert screen.rfind(SHOW_CURSOR) > screen.rfind(HIDE_CURSOR) >= 0
    kept = [json.loads(x) for x in out.read_text().splitlines()]
    assert 0 < len(kept) < 40


@pytest.mark.slow  # the pseudo-terminal runs of `screens`: every test that reads them is
# marked so, and runs first beside the others, so one worker, not each, makes them
def test_one_target_at_80_columns_keeps_every_number_whole(screens: dict[str, Any]) -> None:
    text = _plain(screens["one"][1])
    lines = text.splitlines()
    header = next(x for x in lines if x.startswith("target"))
    row = next(x for x in lines if x.startswith("a-rather-long-target-name"))
    assert all(len(x) <= 80 for x in lines), text
    assert "…" not in header + row, text  # nothing cut: a column goes whole or stays whole
    assert "3/3" in row and "100% [44%–100%]" in row and "$0*" in row
    assert "cost" in header and "rate [95%]" in header
    assert "the only target that answered" in text


@pytest.mark.slow  # the pseudo-terminal runs of `screens`: every test that reads them is
# marked so, and runs first beside the others, so one worker, not each, makes them
def test_unreachable_targets_empty_answers_and_failures_in_a_terminal(
    screens: dict[str, Any],
) -> None:
    text = _plain(screens["unreachable"][1])
    unreachable = text.split("unreachable (no answer at all")[1]
    assert "typo: the endpoint does not list 'missing'" in unreachable
    table = text.split("pass rate against cost")[0]
    assert "typo" not in table  # out of the table and the chart, listed apart
    assert "cutter: 4 of 4 answers came back empty" in text and "--concurrency 1" in text
    failures = text.split("cases not passed")[1]
    assert "liar: 4 of 4" in failures and "c0 (fail): equals: expected 'a'" in failures
    assert "+1 more" in failures
    again = _plain(screens["again"][1])
    assert "reusing 8 results from" in again and "8 results reused" in again
