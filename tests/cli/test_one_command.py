"""A run parses with a command line holding only the command it names (Typer builds a
parser for every command it has, on every run): help, usage errors and answers must
read exactly as with every command."""

from __future__ import annotations

import contextlib
import io

import pytest

from llmpick.cli import app as cli


def _run(argv: list[str], whole: bool) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        if whole:
            mp.setattr(cli, "_parser_for", lambda argv: cli.app)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.run(argv)
    return code, out.getvalue(), err.getvalue()


def test_a_named_command_is_parsed_alone() -> None:
    one = cli._parser_for(["--catalog", "x", "--no-refresh", "recommend", "--task", "chat"])
    assert [c.name for c in one.registered_commands] == ["recommend"]
    assert cli._parser_for(["--catalog=x", "catalog", "status"]).registered_groups
    # the root's own help, version and errors are the whole command line's
    for argv in (["--help"], ["--version", "recommend"], ["nosuch"], [], ["--catalog"]):
        assert cli._parser_for(argv) is cli.app


@pytest.mark.parametrize(
    "argv",
    [
        *([name, "--help"] for name, _, _ in cli._COMMANDS),
        ["catalog"],
        ["catalog", "validate", "--help"],
        ["catalog", "nosuch"],
        ["recommend", "--tsk", "chat"],
        ["recommend", "--task"],
        ["why"],
        ["providers", "--kind", "comunity"],
    ],
)
def test_it_reads_as_with_every_command(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, trees_built_once: None
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert _run(argv, whole=False) == _run(argv, whole=True)
