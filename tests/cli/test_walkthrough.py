"""The interactive walkthrough, driven in a real pseudo-terminal."""

from __future__ import annotations

import os
import signal
import sys

import pytest

pexpect = pytest.importorskip("pexpect")


def spawn() -> pexpect.spawn:  # type: ignore[name-defined]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    env.pop("CI", None)
    return pexpect.spawn(
        sys.executable, ["-m", "llmpick", "recommend"], env=env, encoding="utf-8", timeout=30
    )


def test_walkthrough_asks_skips_and_answers() -> None:
    child = spawn()
    child.expect("What is the model for")
    assert "§2.14" in child.before  # each question explains itself from the guide
    child.sendline("chat")
    child.expect("Open weights or a paid API")
    child.sendline("open")
    child.expect("fine-tune")
    child.sendline("n")
    child.expect("own hardware")
    child.sendline("")  # default: self, since the weights are open
    child.expect("GPU memory in GB")
    child.sendline("lots")  # a bad value is refused and asked again
    child.expect("not a memory size")
    child.expect("GPU memory in GB")
    child.sendline("24")
    # open weights on own hardware: no cloud-platform question
    child.expect("commercial use")
    assert "cloud platform" not in child.before
    child.sendline("y")
    child.expect("Alignment")
    child.sendline("")
    child.expect("Longest input")
    child.sendline("")
    child.expect("You asked for")
    child.expect("Recommend models for this")
    child.sendline("y")
    child.expect("Shortlist for: task=chat, access=open")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_ctrl_c_exits_130_without_traceback() -> None:
    child = spawn()
    child.expect("What is the model for")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 or child.signalstatus == signal.SIGINT
    assert child.exitstatus == 130
    assert "Traceback" not in (child.before or "")


def test_proprietary_skips_hardware_questions() -> None:
    child = spawn()
    child.expect("What is the model for")
    child.sendline("qa")
    child.expect("Open weights or a paid API")
    child.sendline("proprietary")
    child.expect("cloud platform")
    assert "GPU" not in child.before and "fine-tune" not in child.before
    child.sendline("azure")
    child.expect("commercial use")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
