"""Terminal output at narrow widths: snippets parse, usage errors speak in one style."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

import pytest

from tests.conftest import Result, close_ended, spawn_pty


@pytest.mark.parametrize("model", ["qwen3-8b", "gemma-4-31b-it"])
@pytest.mark.parametrize("kind", ["transformers", "api"])
def test_snippets_print_raw_and_parse_at_40_columns(
    model: str, kind: str, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    r = cli("show", model, "--snippet", kind)
    assert r.code == 0, r
    ast.parse(r.out)
    assert any(len(line) > 40 for line in r.out.splitlines())  # not wrapped to fit


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("recomend",), "error: no such command 'recomend'. Did you mean 'recommend'?"),
        (("models", "--bogus"), "error: no such option"),  # wording varies by Typer
        (("show", "qwen3-8b", "--snippet", "api", "--json"), "error: --snippet prints code"),
        (("recommend", "--top", "x"), "error: invalid value for '--top'"),
    ],
)
def test_parser_errors_use_the_one_error_style(
    args: tuple[str, ...], says: str, cli: Callable[..., Result]
) -> None:
    r = cli(*args)
    assert r.code == 2, r
    assert r.err.startswith(says), r
    # the hint names the fix: the option's values and range, else the help to read
    assert "\nhint: see 'llmpick" in r.err or "\nhint: --top N: " in r.err, r
    assert "Usage:" not in r.err and "Error:" not in r.err
    assert r.err.count("Did you mean") <= 1


@pytest.mark.usefixtures("fixture_catalog")
def test_default_answer_is_short_and_long_is_complete(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    args = ("recommend", "--task", "chat", "--gpu-memory", "24")
    short, long = cli(*args), cli(*args, "--long")
    assert short.code == long.code == 0
    assert "decode:" not in short.out and "decode:" in long.out
    assert len(short.out.splitlines()) < len(long.out.splitlines())


@pytest.mark.parametrize("width", ["40", "80", "120"])
@pytest.mark.parametrize("model", ["qwen3-8b", "gemma-4-31b-it"])
def test_show_lines_do_not_end_in_spaces(
    model: str, width: str, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", width)
    r = cli("show", model)
    assert r.code == 0, r
    padded = [line for line in r.out.splitlines() if line.endswith(" ")]
    assert not padded, padded
    assert "parameters" in r.out and "licence" in r.out  # the grid itself is printed


def test_default_answer_cuts_long_caveats_at_a_clause(monkeypatch: pytest.MonkeyPatch) -> None:
    from llmpick.cli.render.recommend import _brief

    monkeypatch.setenv("COLUMNS", "80")
    results = "published results: GPQA 94.6, Jul 2026: top 4% of 38; MMLU-Pro 87, Feb 2026: 1st"
    assert _brief(results, "4.2") == "published results: GPQA 94.6, Jul 2026: top 4% of 38; …"
    terms = "licence x: " + "Commercial use is allowed under 700 million users or more. " * 4
    cut = _brief(terms, "3")
    assert cut.startswith("licence x: Commercial use is allowed") and cut.endswith(". …")
    assert _brief("a short reason", "2.1") == "a short reason"
    # a cut between words saves at least a quarter, and never ends on 'or', 'the'...
    words = "licence y: " + " ".join(["terms", "apply", "or", "the"] * 20)
    cut = _brief(words, "3")
    assert len(cut) < 0.76 * len(words) and not re.search(r" (or|the) …$", cut), cut


@pytest.mark.parametrize(
    "args",
    [
        ("show", "qwen3"),  # a family: notes wrapped by rich
        ("show", "gpt-5.6"),
        ("catalog", "status"),
        ("providers",),
        ("why", "qwen3-8b", "--task", "chat"),
    ],
)
@pytest.mark.parametrize("width", ["40", "80"])
def test_human_output_has_no_trailing_blanks_and_fits(
    args: tuple[str, ...], width: str, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every command's text goes out through one writer, which drops the blanks rich
    pads wrapped lines with; prose wraps within the width (an id longer than the width
    is the only thing allowed past it, and none of these has one)."""
    monkeypatch.setenv("COLUMNS", width)
    r = cli(*args, "--no-pager") if args[0] == "providers" else cli(*args)
    assert r.code == 0, r
    lines = r.out.splitlines()
    assert lines and not [line for line in lines if line != line.rstrip()]
    assert not [line for line in lines if len(line) > int(width)]


def test_long_answer_says_a_decoding_once_and_sizes_it(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--long gives each decoding setting once (then 'as for #N'), and where the tokens a
    model may write would not fit in the context its memory was sized for, cuts them to
    what it holds and says how to size for the whole budget."""
    monkeypatch.setenv("COLUMNS", "80")
    r = cli(
        "recommend",
        "--task",
        "chat",
        "--access",
        "open",
        "--gpu-memory",
        "24",
        "--commercial",
        "--long",
    )
    assert r.code == 0, r
    decodes = [line.strip() for line in r.out.splitlines() if line.strip().startswith("decode:")]
    full = [d for d in decodes if not d.startswith("decode: as for #")]
    assert len(decodes) == 5 and len(full) == len(set(full)) < 5, decodes
    said = " ".join(r.out.split())  # as read, across wrapped lines
    assert "max_new_tokens=32768" not in said, said  # 32k tokens in an 8k-token estimate
    assert "max_new_tokens=4096" in said and "--min-context 64k sizes it for the" in said


def test_errors_wrap_in_a_terminal_and_stay_one_line_in_a_pipe(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a terminal an error and its hint wrap between words with a hanging indent; to
    a pipe or a log each stays one line, for grep."""
    import os
    import sys

    pexpect = pytest.importorskip("pexpect")
    args = ["-m", "llmpick", "recommend", "--task", "chatt", "--gpu-memory", "lots"]
    env = {**os.environ, "COLUMNS": "40"}
    child = spawn_pty(sys.executable, args, env=env, encoding="utf-8", timeout=60)
    child.expect(pexpect.EOF)
    close_ended(child)
    lines = child.before.replace("\r", "").splitlines()
    assert child.exitstatus == 2 and lines[0].startswith("error: invalid value for --task")
    assert max(len(line) for line in lines) <= 40
    assert [line for line in lines if line.startswith("       ")]  # the hanging indent
    monkeypatch.setenv("COLUMNS", "40")
    piped = cli(*args[2:])  # in-process: stderr is no terminal, as a pipe or a log
    assert piped.code == 2
    assert [line.split(":")[0] for line in piped.err.splitlines()] == ["error", "hint"]
