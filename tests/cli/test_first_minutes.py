"""The first five minutes (issue 25), each through the real boundary: llmpick in a
pseudo-terminal of 40, 80 and 120 columns, as a newcomer would meet it."""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    ROOT,
    Result,
    TerminalSession,
    once_per_run,
    runs_in_a_terminal,
)

Cli = Callable[..., Result]

pexpect = pytest.importorskip("pexpect")

WIDTHS = (40, 80, 120)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _person(env: dict[str, str] | None) -> dict[str, str]:
    """The environment of a person at a terminal: no colour codes to strip, no pager, the
    terminal's own width, not CI."""
    full = {**os.environ, "NO_COLOR": "1", "LLMPICK_PAGER": "", **(env or {})}
    full.pop("COLUMNS", None)
    full.pop("CI", None)
    return full


def _text(shown: str) -> str:
    return _ANSI.sub("", shown).replace("\r\n", "\n").replace("\r", "")


_MISSING = ROOT / "tests" / "fixtures" / "refresh" / "no-such-file.json"
_ASKED: tuple[tuple[str, ...], ...] = (
    (),
    ("catalog",),
    ("models", "qwen", "--limit", "30"),
    ("providers",),
    ("show", "qwen3-8b", "--snippet"),
    ("recommend", "--task", "chatt", "--no-input"),
    ("providers", "--kind", "comunity"),
    ("recommend", "--top", "0"),
    ("catalog", "refresh", "--from", f"litellm={_MISSING}"),
    ("why",),
    ("why", "--help"),
)


# what each command line in the session below sets for itself, and nothing else does
_OWN = ("LLMPICK_PAGER", "LLMPICK_BASE_CATALOG")
_FIXTURE = {"LLMPICK_BASE_CATALOG": str(ROOT / "tests/fixtures/catalog")}
Key = tuple[int, str, tuple[str, ...]]  # (columns, what for, command line)
_SHOWN: dict[Key, tuple[int, str]] = {}
_PAGED: dict[int, str] = {}
_FACTORY: list[pytest.TempPathFactory] = []


@pytest.fixture(autouse=True)
def _factory(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Where the session below writes its input files (kept for ``screen``)."""
    _FACTORY[:] = [tmp_path_factory]


def _session() -> dict[Key, tuple[int, str]]:
    """What a person sees for every command line the tests below ask, at every width:
    each of ``_ASKED``, every command's help, the schemas (each through a pager that
    appends to a file of the width's own) and the input files with a mistyped key, at 40,
    80 and 120 columns, and two constraints at 80: in turn in one process in one
    pseudo-terminal, resized between the widths as a person resizes a window (a process
    in a terminal costs about 0.2 s of CPU, and what it shows depends on the terminal and
    the settings, not on a fresh process). Once in the whole run (``once_per_run``)."""
    if not _SHOWN:
        factory = _FACTORY[0]
        kept = once_per_run("first-minutes", lambda: _ask(factory.mktemp("asked")), factory)
        _SHOWN.update({(c, why, tuple(a)): (code, text) for c, why, a, code, text in kept["runs"]})
        _PAGED.update({int(c): text for c, text in kept["paged"].items()})
    return _SHOWN


def _ask(folder: Path) -> dict[str, Any]:
    helps = [(*path.split(), "--help") for path in sorted(_commands())]
    plain = {"LLMPICK_PAGER": ""}
    keys: list[tuple[int, str, tuple[str, ...]]] = []
    asked: list[tuple[tuple[str, ...], dict[str, str], tuple[int, int]]] = []
    for cols in WIDTHS:
        paged = {"LLMPICK_PAGER": f"cat >> {folder / f'paged-{cols}.json'}"}
        runs = [("screen", args, plain) for args in dict.fromkeys([*_ASKED, *helps])]
        runs += [("schema", ("schema", name), paged) for name in _SCHEMAS]
        runs += [("mistyped", args, _FIXTURE) for args in _mistyped(folder)]
        if cols == 80:
            runs += [("constraints", args, _FIXTURE) for args in _CONSTRAINTS]
        keys += [(cols, why, args) for why, args, _ in runs]
        asked += [(args, env, (24, cols)) for _, args, env in runs]
    shown = runs_in_a_terminal(
        asked, env=_person(None), rows=24, cols=WIDTHS[0], unset=_OWN, clean=_text
    )
    return {
        "runs": [[*key, code, text] for key, (code, text) in zip(keys, shown, strict=True)],
        "paged": {cols: (folder / f"paged-{cols}.json").read_text() for cols in WIDTHS},
    }


def screen(*args: str, cols: int, why: str = "screen") -> tuple[int, str]:
    return _session()[cols, why, args]


# --- bare `llmpick` ---------------------------------------------------------------


# slow at the first width: the first to ask for the screens, which one process in a
# pseudo-terminal answers for every command line at every width (``_session``)
@pytest.mark.parametrize("cols", [pytest.param(WIDTHS[0], marks=pytest.mark.slow), *WIDTHS[1:]])
def test_bare_llmpick_greets_and_names_three_commands(cols: int) -> None:
    code, text = screen(cols=cols)
    assert code == 0, text
    assert "error" not in text and "Usage:" not in text
    assert "picks large language models" in text
    for command in ("llmpick recommend", "llmpick guide", "llmpick models"):
        assert command in text, text
    assert all(len(line) <= cols for line in text.splitlines()), text
    if cols >= 80:
        assert len(text.splitlines()) <= 12, text  # a greeting, not the manual


def test_a_command_group_alone_shows_its_help_without_an_error() -> None:
    code, text = screen("catalog", cols=80)
    assert code == 0, text
    assert text.startswith("Usage: llmpick catalog") and "error" not in text


# --- help -----------------------------------------------------------------------


@cache
def _commands() -> dict[str, tuple[str, frozenset[str]]]:
    """Every command's path: its help source and its option names."""
    import typer.main

    from llmpick.cli.app import app

    found: dict[str, tuple[str, frozenset[str]]] = {}

    def walk(cmd: object, path: tuple[str, ...]) -> None:
        opts = frozenset(
            o
            for p in getattr(cmd, "params", [])
            for o in (*getattr(p, "opts", ()), *getattr(p, "secondary_opts", ()))
        )
        found[" ".join(path)] = (getattr(cmd, "help", None) or "", opts)
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return found


def _examples(help_source: str) -> list[str]:
    return [
        line.strip() for line in help_source.splitlines() if line.strip().startswith("llmpick ")
    ]


def test_every_command_has_examples() -> None:
    missing = [path for path, (src, _) in _commands().items() if not _examples(src)]
    assert not missing, f"no example in the help of: {missing}"


def _helps(cols: int) -> dict[str, tuple[int, str]]:
    """Every command's help at ``cols`` columns: its exit code and screen text."""
    return {path: screen(*path.split(), "--help", cols=cols) for path in sorted(_commands())}


@pytest.mark.parametrize("cols", WIDTHS)
@pytest.mark.parametrize("path", sorted(_commands()))
def test_help_reads_at_the_width(path: str, cols: int) -> None:
    code, text = _helps(cols)[path]
    assert code == 0, text
    src, opts = _commands()[path]
    lines = [line.strip() for line in text.splitlines()]
    for example in _examples(src):
        # whole, on one line: never wrapped mid-command, whatever the width
        assert example in lines, f"{example!r} is not one line of:\n{text}"
        words = example.split()
        # the command the example runs (it may be another one: a step before this)
        runs = max(
            (p for p in _commands() if words[1 : 1 + len(p.split())] == p.split()),
            key=lambda p: len(p.split()),
        )
        unknown = [w for w in words if w.startswith("--") and w not in _commands()[runs][1]]
        assert not unknown, f"{example!r}: 'llmpick {runs}' has no {unknown}"
        if cols >= 80:
            assert len(example) + 4 <= cols, f"{example!r} is too wide for {cols} columns"
    if cols >= 80:
        wide = [line for line in text.splitlines() if len(line) > cols]
        assert not wide, wide
    # metavars a person reads, not Python types; no option spelt with underscores
    assert not re.search(r"<[a-z][a-z \[\]]*>|list\[", text), text
    snake = {o[2:].replace("-", "_") for o in opts if o.startswith("--") and "-" in o[2:]}
    said = [s for s in snake if re.search(rf"\b{s}\b", text)]
    assert not said, said


# --- the walkthrough --------------------------------------------------------------


@pytest.fixture
def session(terminal_session: Callable[..., TerminalSession]) -> TerminalSession:
    """The module's llmpick process on a pseudo-terminal, for the walkthroughs (a person
    at a terminal: ``_person``), resized to each one's width."""
    return terminal_session(_person(None))


@pytest.mark.parametrize("cols", WIDTHS)
def test_walkthrough_steps_back_offers_defaults_and_ends_with_the_command(
    cols: int, tmp_path: Path, cli: Cli, session: TerminalSession
) -> None:
    first = tmp_path / "first.json"
    child = session.run("recommend", "--export", str(first), size=(24, cols))
    child.expect("back: the previous one")
    for question, answer in [
        ("What is the model for", "chat"),
        ("Which language", "de"),
        ("Open weights or a paid API", "opne"),
    ]:
        child.expect(question)
        child.sendline(answer)
    child.expect(r"did\s+you\s+mean\s+'open'")
    child.expect(r"Open weights or a paid API\?.*\[open\]: ")  # offered as the default
    child.sendline("")  # Enter takes it
    child.expect("fine-tune")
    child.sendline("back")  # the previous question again, its answer the default
    child.expect(r"Open weights or a paid API\?.*\[open\]: ")
    child.sendline("")
    child.expect("fine-tune")
    child.sendline("n")
    child.expect("own hardware")
    child.sendline("self")
    child.expect("GPU memory in GB")
    child.sendline("24")
    child.expect("Largest model")
    child.sendline("back")
    child.expect(r"GPU memory in GB.*\[24 GB\]: ")  # the current value, which Enter keeps
    child.sendline("")
    child.expect("Largest model")
    child.sendline("")
    child.expect("Capabilities")
    child.sendline("structured output")  # spaced as people say it
    for question, answer in [
        ("special domain", ""),
        ("commercial use", "y"),
        ("Alignment", ""),
        ("Longest input", "200k"),
        ("What matters most", ""),
    ]:
        child.expect(question)
        child.sendline(answer)
    child.expect("Recommend models for this")
    summary = child.before
    child.sendline("n")
    child.expect(r"Change which answer\? \[1-\d+")
    number = re.search(r"(\d+)\. min context", summary)
    assert number, summary
    child.sendline(number.group(1))
    child.expect(r"Longest input.*\[200k tokens\]: ")  # not a blank meaning 'no limit'
    child.sendline("")
    child.expect("Recommend models for this")
    assert "min context: 200k tokens" in child.before
    assert "needs: structured-output" in child.before
    assert "access: open" in child.before
    child.sendline("y")
    code, shown = session.end()
    text = _text(shown)
    assert code == 0, text

    # the same request as one command line, quoted for the shell, that repeats it
    tail = text.split("The same without the questions:\n", 1)[1]
    # each line fits, but for a file name longer than a line, which has one to itself
    wide = [line for line in tail.splitlines() if len(line) > cols and len(line.split()) > 3]
    assert not wide, tail
    words = shlex.split(tail.replace("\\\n", " "))
    assert words[:2] == ["llmpick", "recommend"], words
    assert "--export" in words and "--task" in words
    second = tmp_path / "second.json"
    words[words.index("--export") + 1] = str(second)
    run = cli(*words[1:])  # in-process: the walkthrough's terminal is the one above
    assert run.code == 0, run
    asked = json.loads(first.read_text())["requirements"]
    again = json.loads(second.read_text())["requirements"]
    assert again == asked
    assert asked["needs"] == ["structured-output"] and asked["min_context"] == 200_000
    assert asked["gpu_memory"] == 24 and asked["access"] == "open"


def test_back_at_the_first_question_says_so(session: TerminalSession) -> None:
    child = session.run("recommend", size=(24, 80))
    child.expect("What is the model for")
    child.sendline("back")
    child.expect(r"this\s+is\s+the\s+first\s+question")
    child.expect("What is the model for")
    code, _ = session.interrupt()
    assert code == 130


# --- listings ---------------------------------------------------------------------


def _piped(cli: Cli, *args: str) -> tuple[int, str]:
    """llmpick's exit code and output where stdout is no terminal, as through a pipe
    (in-process: the same at every width)."""
    r = cli(*args)
    return r.code, r.out if r.code == 0 else r.err


@pytest.mark.parametrize("cols", WIDTHS)
def test_models_keeps_the_access_mark_at_every_width(cols: int, cli: Cli) -> None:
    listed = json.loads(_piped(cli, "models", "qwen", "--limit", "30", "--json")[1])
    kinds = {m["id"]: m["open_weights"] for m in listed}
    assert True in kinds.values() and False in kinds.values()  # both kinds in view
    code, text = screen("models", "qwen", "--limit", "30", cols=cols)
    assert code == 0, text
    lines = text.splitlines()
    marks = {}
    header = next((line for line in lines if line.startswith("id ")), None)
    if header is None:  # too narrow for a table: one model a line, its values below
        for line in lines:
            words = line.split()
            if words and not line.startswith(" ") and words[0] in kinds:
                assert words[1] in ("open", "API"), line
                marks[words[0]] = words[1] == "open"
        lines, header = [], ""
    at = header.index("access") if header else 0
    pending = None
    for line in lines[lines.index(header) + 2 :] if header else []:
        word = line.split()[0] if line.strip() and not line.startswith(" ") else None
        if word in kinds:
            pending = word
        if (
            pending
            and len(line) > at
            and line[at - 1] == " "
            and line[at:].split()[0]
            in (
                "open",
                "API",
            )
        ):
            marks[pending] = line[at:].split()[0] == "open"
            pending = None
    assert marks == kinds, text  # every model, and the right mark
    assert all(len(line) <= cols for line in lines), text


@pytest.mark.parametrize("cols", WIDTHS)
def test_providers_keep_names_to_a_few_lines(cols: int) -> None:
    code, text = screen("providers", cols=cols)
    assert code == 0, text
    assert all(len(line) <= cols for line in text.splitlines()), text
    run = 0
    for line in text.splitlines():
        # a row's continuation starts under its second column, after the id's blanks
        run = run + 1 if line.startswith("      ") and line.strip() else 0
        assert run <= 2, f"a row wraps onto more than 3 lines:\n{text}"


_SCHEMAS = ("cases", "targets")


@pytest.mark.parametrize("cols", WIDTHS)
def test_schema_is_paged_in_a_terminal_and_offers_eval_files(cols: int, cli: Cli) -> None:
    every = ""
    for name in _SCHEMAS:
        code, text = screen("schema", name, cols=cols, why="schema")  # paged: not on screen
        piped_code, piped = _piped(cli, "schema", name)
        assert piped_code == 0, piped
        schema = json.loads(piped)
        assert schema["title"] == f"llmpick eval {name}"
        assert code == 0, text
        every += piped
        assert len(piped.splitlines()) > 24
    assert _PAGED[cols] == every  # the pager got each, in turn, and the same JSON


# --- hints that name the fix ------------------------------------------------------


def _said(text: str) -> str:
    """Error and hint as one line each, whatever the width wrapped them to."""
    return re.sub(r"\n\s+", " ", text)


@pytest.mark.parametrize("cols", WIDTHS)
def test_an_option_without_its_value_lists_the_values(cols: int) -> None:
    code, text = screen("show", "qwen3-8b", "--snippet", cols=cols)
    assert code == 2, text
    said = _said(text)
    assert "error: --snippet needs a value" in said
    assert "hint: --snippet KIND:" in said and "ollama, transformers or api" in said
    assert "llmpick --help" not in said
    assert all(len(line) <= cols for line in text.splitlines()), text


@pytest.mark.parametrize("cols", WIDTHS)
def test_a_mistyped_choice_names_the_nearest(cols: int) -> None:
    task, kind, top = (
        screen("recommend", "--task", "chatt", "--no-input", cols=cols),
        screen("providers", "--kind", "comunity", cols=cols),
        screen("recommend", "--top", "0", cols=cols),
    )
    code, text = task
    assert code == 2, text
    assert "did you mean 'chat'?" in _said(text) and "choose from: chat, instruct" in _said(text)
    code, text = kind
    assert code == 2 and "did you mean 'community'?" in _said(text), text
    code, text = top
    assert code == 2 and "1<=x<=100" in _said(text), text  # the range, not only --help


@pytest.mark.parametrize("cols", WIDTHS)
def test_a_missing_from_file_gets_a_hint_that_fits(cols: int) -> None:
    assert not _MISSING.exists()
    code, text = screen("catalog", "refresh", "--from", f"litellm={_MISSING}", cols=cols)
    said = _said(text)
    assert code == 1, text
    assert "cannot read" in said and "try again later" not in said
    assert "hint: check the FILE in --from litellm=FILE" in said


# what each command line of ``_mistyped`` must say
_MISTYPED_SAID = (
    "expect.regx: unknown key 'regx'; did you mean 'regex'?",
    "unknown key 'modle'; did you mean 'model'?",
    "unknown key 'gpu_memroy'; did you mean 'gpu_memory'?",
    "licence: unknown key 'licence'; did you mean 'license'?",
)


def _mistyped(folder: Path) -> list[tuple[str, ...]]:
    """Input files of each kind with a mistyped key, written in ``folder`` (and the files
    beside them without one): the command line that reads each."""
    (folder / "cases.yaml").write_text(
        "- id: a\n  prompt: Capital of France?\n  expect: {regx: Paris}\n"
    )
    (folder / "good-cases.yaml").write_text(
        "- id: a\n  prompt: Capital of France?\n  expect: {regex: Paris}\n"
    )
    (folder / "targets.yaml").write_text(
        "targets:\n  - base_url: http://127.0.0.1:9/v1\n    served_as: m\n    modle: qwen3-8b\n"
    )
    (folder / "good-targets.yaml").write_text(
        "targets:\n  - base_url: http://127.0.0.1:9/v1\n    served_as: m\n"
    )
    (folder / "req.yaml").write_text("task: chat\ngpu_memroy: 24\n")
    family = (ROOT / "tests/fixtures/catalog/families/acme/rocket.yaml").read_text()
    assert "\nlicense:" in family
    (folder / "rocket2.yaml").write_text(family.replace("\nlicense:", "\nlicence:", 1))
    return [
        ("eval", str(folder / "cases.yaml"), "--targets", str(folder / "good-targets.yaml")),
        ("eval", str(folder / "good-cases.yaml"), "--targets", str(folder / "targets.yaml")),
        ("recommend", "-r", str(folder / "req.yaml")),
        ("catalog", "validate", str(folder / "rocket2.yaml")),
    ]


@pytest.mark.parametrize("cols", WIDTHS)
def test_a_mistyped_key_in_any_input_file_names_the_key_meant(cols: int) -> None:
    shown = [shown for (c, why, _), shown in _session().items() if (c, why) == (cols, "mistyped")]
    for said, (code, text) in zip(_MISTYPED_SAID, shown, strict=True):
        assert code in (2, 3), text
        assert said in _said(text), text
        assert "Extra inputs are not permitted" not in text


@pytest.mark.parametrize("cols", WIDTHS)
def test_a_missing_argument_says_what_it_is(cols: int) -> None:
    code, text = screen("why", cols=cols)
    assert code == 2, text
    said = _said(text)
    if "hint: see 'llmpick why --help'" in said:  # Typer before 0.29 keeps no argument help
        code, text = screen("why", "--help", cols=cols)
        said = _said(text)  # then the help it points to says what MODEL is
    assert "MODEL is a model id, name or Hugging Face repo id" in said or (
        "hint: MODEL: Model id, name or Hugging Face repo id" in said
    ), said


_CONSTRAINTS = (
    ("why", "cloudy-1", "--gpu-memory", "8"),
    ("recommend", "--task", "chat", "--min-context", "1M"),
)


def test_constraints_are_named_in_words_not_field_names() -> None:
    (code, text), (_, text2) = [screen(*a, cols=80, why="constraints") for a in _CONSTRAINTS]
    assert code == 0, text
    assert "x gpu memory:" in text and "gpu_memory" not in text
    text = text2
    assert "min context (" in text and "min_context" not in text, text
