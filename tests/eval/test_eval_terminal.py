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

from tests.eval.test_eval_run import target

pexpect = pytest.importorskip("pexpect")

ROOT = Path(__file__).resolve().parents[2]
SHOW_CURSOR = "\x1b[?25h"
HIDE_CURSOR = "\x1b[?25l"


def _spawn(args: list[str], tmp_path: Path) -> pexpect.spawn:  # type: ignore[name-defined]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "80", "LINES": "24"}
    env.pop("NO_COLOR", None)
    env["TERM"] = "xterm-256color"
    child = pexpect.spawn(
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


def test_eval_in_a_terminal_shows_progress_prints_the_report_and_restores_the_cursor(
    server, write_cases, write_targets, tmp_path
) -> None:
    cases = write_cases(
        [{"id": str(i), "prompt": f"q{i} <<a>>", "expect": {"equals": "a"}} for i in range(6)]
    )
    tg = write_targets([target(server, "slow", "slow")])
    out = tmp_path / "res.jsonl"
    child = _spawn([cases, "--targets", tg, "--out", str(out)], tmp_path)
    child.expect(pexpect.EOF)
    child.close()
    screen = child.logfile_read.getvalue()
    assert child.exitstatus == 0, screen
    assert "asking" in screen and "[progress" not in screen  # the progress display
    assert "Traceback" not in screen and "internal error" not in screen
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen)
    assert "6/6" in text and "pick: slow" in text  # the report
    assert screen.rfind(SHOW_CURSOR) > screen.rfind(HIDE_CURSOR) >= 0
    assert len(out.read_text().splitlines()) == 6


def test_ctrl_c_in_a_terminal_keeps_results_and_restores_the_cursor(
    server, write_cases, write_targets, tmp_path
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
    child.close()
    screen = child.logfile_read.getvalue()
    assert child.exitstatus == 130, screen
    assert "Traceback" not in screen and "--resume" in screen
    assert screen.rfind(SHOW_CURSOR) > screen.rfind(HIDE_CURSOR) >= 0
    kept = [json.loads(x) for x in out.read_text().splitlines()]
    assert 0 < len(kept) < 40
