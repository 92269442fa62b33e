"""The interactive walkthrough, driven in a real pseudo-terminal: one llmpick process
there for the module's conversations (``conftest.TerminalSession``), and a process of its
own where the process is the point (its exit status after Ctrl-C)."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable

import pytest

from tests.conftest import Result, TerminalSession, close_ended, press_ctrl_c, spawn_pty

pexpect = pytest.importorskip("pexpect")
Sessions = Callable[..., TerminalSession]


def _person() -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    env.pop("CI", None)
    return env


def spawn() -> pexpect.spawn:  # type: ignore[name-defined]
    """`llmpick recommend` in a process of its own on a pseudo-terminal."""
    return spawn_pty(
        sys.executable, ["-m", "llmpick", "recommend"], env=_person(), encoding="utf-8", timeout=30
    )


@pytest.fixture
def session(terminal_session: Sessions) -> TerminalSession:
    return terminal_session(_person())


def test_walkthrough_asks_skips_and_answers(session: TerminalSession) -> None:
    child = session.run("recommend")
    child.expect("What is the model for")
    assert "§2.14" in child.before  # each question explains itself from the guide
    child.sendline("chatt")  # a typo gets the nearest choice and the question again
    child.expect("did you mean 'chat'")
    child.expect("What is the model for")
    child.sendline("chat")
    child.expect("Which language")
    child.sendline("German")
    child.expect("Open weights or a paid API")
    child.sendline("open")
    child.expect("fine-tune")
    child.sendline("maybe")  # yes/no questions say what they accept
    child.expect("please answer yes or no")
    child.expect("fine-tune")
    child.sendline("n")
    child.expect("own hardware")
    child.sendline("")  # default: self, since the weights are open
    child.expect("GPU memory in GB")
    child.sendline("lots")  # a bad value is refused and asked again
    child.expect("not a memory size")
    child.expect("GPU memory in GB")
    child.sendline("24GB")
    child.expect("Largest model")
    # open weights on own hardware: no cloud-platform or monthly-volume question
    assert "cloud platform" not in child.before and "Tokens a month" not in child.before
    child.sendline("")
    child.expect("Capabilities")
    child.sendline("tools")
    child.expect("special domain")
    child.sendline("")
    child.expect("commercial use")
    child.sendline("y")
    child.expect("Alignment")
    child.sendline("")
    child.expect("Longest input")
    child.sendline("")
    child.expect("What matters most")
    child.sendline("quality")
    child.expect("You asked for")
    child.expect("Recommend models for this")
    summary = child.before
    assert "gpu memory: 24 GB" in summary and "24GB GB" not in summary
    assert "language: German (de)" in summary and "prefer: quality" in summary
    child.sendline("y")
    child.expect("Shortlist for: task=chat, access=open")
    code, _ = session.end()
    assert code == 0


def _to_gpu_question(child: pexpect.spawn) -> None:  # type: ignore[name-defined]
    for question, answer in [
        ("What is the model for", "chat"),
        ("Which language", ""),
        ("Open weights or a paid API", "open"),
        ("fine-tune", "n"),
        ("own hardware", "self"),
    ]:
        child.expect(question)
        child.sendline(answer)
    child.expect("GPU memory in GB")


def test_auto_without_a_gpu_asks_again_at_once(session: TerminalSession) -> None:
    from llmpick.hardware import detect

    if detect().best_gpu_gb is not None:
        pytest.skip("this machine has an NVIDIA GPU")
    child = session.run("recommend", env={"PATH": "/nonexistent"})  # no nvidia-smi
    _to_gpu_question(child)
    child.sendline("auto")
    child.expect(r"give\s+the\s+memory\s+in\s+GB")  # wrapped at the width
    child.expect("GPU memory in GB")
    code, _ = session.interrupt()
    assert code == 130


def test_no_at_the_summary_changes_an_answer(session: TerminalSession) -> None:
    child = session.run("recommend")
    _to_gpu_question(child)
    child.sendline("16")
    for question in ("Largest model", "Capabilities", "special domain", "commercial use"):
        child.expect(question)
        child.sendline("")
    for question in ("Alignment", "Longest input", "What matters most"):
        child.expect(question)
        child.sendline("")
    child.expect("Recommend models for this")
    child.sendline("n")
    child.expect(r"Change which answer\? \[1-\d+")
    child.sendline("3")  # access
    child.expect("Open weights or a paid API")
    child.sendline("proprietary")
    # the questions the new answer opens are asked; those it closes are dropped
    child.expect("cloud platform")
    child.sendline("")
    child.expect("Tokens a month")
    child.sendline("10M:2M")
    child.expect("Most USD")
    child.sendline("")
    child.expect("You asked for")
    child.expect("Recommend models for this")
    assert "access: proprietary" in child.before and "gpu memory" not in child.before
    assert "tokens per month: 10M in / 2M out" in child.before
    child.sendline("y")
    child.expect("Shortlist for: task=chat, access=proprietary")
    code, _ = session.end()
    assert code == 0


def test_ctrl_c_exits_130_without_traceback() -> None:
    child = spawn()
    child.expect("What is the model for")
    press_ctrl_c(child)
    close_ended(child)
    assert child.exitstatus == 130 or child.signalstatus == signal.SIGINT
    assert child.exitstatus == 130
    assert "Traceback" not in (child.before or "")


def test_proprietary_skips_hardware_questions(session: TerminalSession) -> None:
    child = session.run("recommend")
    child.expect("What is the model for")
    child.sendline("qa")
    child.expect("Which language")
    child.sendline("")
    child.expect("Open weights or a paid API")
    child.sendline("proprietary")
    child.expect("cloud platform")
    assert "GPU" not in child.before and "fine-tune" not in child.before
    child.sendline("azure")
    child.expect("Tokens a month")  # an API answer asks the monthly volume
    code, _ = session.interrupt()
    assert code == 130


def test_no_terminal_and_no_requirements_exits_2_with_a_hint(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    # in-process, stdin an empty non-terminal stream; test_recommend.py checks the same
    # with a real process whose stdin is an empty pipe
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    r = cli("recommend")
    assert r.code == 2, r
    assert r.err.startswith("error: no requirements given") and "hint: " in r.err
    assert r.out == ""


def test_the_conversation_fits_an_80_column_terminal(session: TerminalSession) -> None:
    """Notes wrap between words with a hanging indent, and a long list of choices goes
    on a line of its own instead of making the prompt wrap: no line is wider than the
    terminal, typed answers included."""
    import re

    child = session.run("recommend", env={"COLUMNS": "80"})
    for question, answer in [
        ("What is the model for", "chatt"),  # the 'did you mean' note too
        ("What is the model for", "chat"),
        ("Which language", ""),
        ("Open weights or a paid API", "open"),
        ("fine-tune", "n"),
        ("own hardware", "self"),
        ("GPU memory in GB", "24"),
        ("Largest model", ""),
        ("Capabilities", "tools"),
        ("special domain", ""),
        ("commercial use", "y"),
        ("Alignment", ""),
        ("Longest input", ""),
        ("What matters most", ""),
        ("Recommend models for this", "y"),
    ]:
        child.expect(question)
        child.sendline(answer)
    code, seen = session.end()
    assert code == 0, seen
    text = re.sub(r"\x1b\[[0-9;]*m", "", seen).replace("\r", "")
    assert "answers: chat, instruct" in text and "answers: tools, structured-output" in text
    wide = [line for line in text.splitlines() if len(line) > 80]
    assert not wide, wide


def test_the_gpu_question_takes_several_gpus(session: TerminalSession) -> None:
    child = session.run("recommend")
    _to_gpu_question(child)
    child.sendline("24+16")
    for question in ("Largest model", "Capabilities", "special domain", "commercial use"):
        child.expect(question)
        child.sendline("")
    for question in ("Alignment", "Longest input", "What matters most"):
        child.expect(question)
        child.sendline("")
    child.expect("Recommend models for this")
    assert "gpu memory: 24+16 GB (several GPUs)" in child.before
    child.sendline("y")
    child.expect("gpus=24\\+16 GB")
    child.expect("--tensor-split 24,16")  # the run line for a layer split
    child.expect("The same without the questions")
    child.expect(r"--gpus 24\+16")  # both GPUs, as the option reads them back
    code, _ = session.end()
    assert code == 0
