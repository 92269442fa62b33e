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

import pytest

from tests.conftest import close_ended, spawn_pty
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


@pytest.mark.slow  # eval in a pseudo-terminal, its six answers each delayed by the server
def test_eval_in_a_terminal_shows_progress_prints_the_report_and_restores_the_cursor(
    server, write_cases, write_targets, tmp_path, quick_slow
) -> None:
    cases = write_cases(
        [{"id": str(i), "prompt": f"q{i} <<a>>", "expect": {"equals": "a"}} for i in range(6)]
    )
    tg = write_targets([target(server, "slow", "slow")])
    out = tmp_path / "res.jsonl"
    child = _spawn([cases, "--targets", tg, "--out", str(out)], tmp_path)
    child.expect(pexpect.EOF)
    close_ended(child)
    screen = child.logfile_read.getvalue()
    assert child.exitstatus == 0, screen
    assert "asking" in screen and "[progress" not in screen  # the progress display
    assert "Traceback" not in screen and "internal error" not in screen
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen)
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


def _screen(child: pexpect.spawn) -> str:  # type: ignore[name-defined]
    child.expect(pexpect.EOF)
    close_ended(child)
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", child.logfile_read.getvalue())


def test_one_target_at_80_columns_keeps_every_number_whole(
    server, write_cases, write_targets, tmp_path
) -> None:
    cases = write_cases(
        [{"id": str(i), "prompt": f"q{i} <<a>>", "expect": {"equals": "a"}} for i in range(3)]
    )
    tg = write_targets([target(server, "a-rather-long-target-name", "stream")])
    text = _screen(_spawn([cases, "--targets", tg], tmp_path))
    lines = text.splitlines()
    header = next(x for x in lines if x.startswith("target"))
    row = next(x for x in lines if x.startswith("a-rather-long-target-name"))
    assert all(len(x) <= 80 for x in lines), text
    assert "…" not in header + row, text  # nothing cut: a column goes whole or stays whole
    assert "3/3" in row and "100% [44%–100%]" in row and "$0*" in row
    assert "cost" in header and "rate [95%]" in header
    assert "the only target that answered" in text


@pytest.mark.slow  # eval in a pseudo-terminal, against real sockets
def test_unreachable_targets_empty_answers_and_failures_in_a_terminal(
    server, write_cases, write_targets, tmp_path
) -> None:
    cases = write_cases(
        [{"id": f"c{i}", "prompt": f"q{i} <<a>>", "expect": {"equals": "a"}} for i in range(4)]
    )
    tg = write_targets(
        [
            target(server, "good", "right"),
            target(server, "cutter", "cut"),
            target(server, "liar", "wrong"),
            target(server, "typo", "missing"),
        ]
    )
    out = tmp_path / "r.jsonl"
    text = _screen(_spawn([cases, "--targets", tg, "--out", str(out)], tmp_path))
    unreachable = text.split("unreachable (no answer at all")[1]
    assert "typo: the endpoint does not list 'missing'" in unreachable
    table = text.split("pass rate against cost")[0]
    assert "typo" not in table  # out of the table and the chart, listed apart
    assert "cutter: 4 of 4 answers came back empty" in text and "--concurrency 1" in text
    failures = text.split("cases not passed")[1]
    assert "liar: 4 of 4" in failures and "c0 (fail): equals: expected 'a'" in failures
    assert "+1 more" in failures
    again = _screen(_spawn([cases, "--targets", tg, "--out", str(out), "--resume"], tmp_path))
    assert "reusing 8 results from" in again and "8 results reused" in again
