"""Bare `llmpick`: what the tool does and the three commands to start with."""

from __future__ import annotations

from rich.text import Text

from llmpick.cli.render.layout import hang, out

# the commands a newcomer starts with, and what each gives them
FIRST_COMMANDS = (
    ("llmpick recommend", "answer a few questions, get a ranked shortlist"),
    ("llmpick guide", "read the guide that every explanation cites"),
    ("llmpick models qwen", "list the catalog's models, filtered by words"),
)


def welcome() -> None:
    hang(
        "",
        Text.assemble(
            ("llmpick", "bold"),
            " picks large language models for a job and says why: every pick and every "
            "model left out is explained, citing the guide. It answers offline, from a "
            "catalog that states its sources.",
        ),
    )
    out.print()
    out.print(Text("Start with:", style="bold"))
    first = max(len(cmd) for cmd, _ in FIRST_COMMANDS) + 4
    for cmd, what in FIRST_COMMANDS:
        hang(Text.assemble("  ", (cmd, "cyan"), " " * (first - len(cmd) - 2)), what)
    out.print()
    hang("", "All the commands: llmpick --help. One of them: llmpick COMMAND --help.")
