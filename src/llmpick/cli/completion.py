"""Shell completion (bash, zsh, fish): commands, options and their values.

Nothing here runs unless the shell asks: ``app.run`` comes here only when the
completion variable (``_LLMPICK_COMPLETE``) is set, so no other run pays for it. The
protocol is Typer's (its completion classes and scripts); what this module adds is the
values: the closed lists of the vocabulary (tasks, hosting, ...), and from the catalog
the model ids, providers, families, licences and guide sections. The completers are
attached to the built command tree by parameter name, so the option declarations stay
as they are.

``llmpick completion SHELL`` prints the script a shell sources (see the README).

Private names relied on, the price of costing nothing on other runs (Typer's public way,
``typer.Option(autocompletion=...)`` on every option, inspects each completer on every
run, and ``add_completion`` adds two options to every run's parse): Typer's
``_completion_classes.completion_init`` and ``_completion_shared.get_completion_script``
(the same in 0.25 and 0.29; CI tests both) and Click's ``Parameter._custom_shell_complete``
(where ``shell_complete=`` is kept, since Click 8.0). Without them completion is
unavailable and says so; no other command is affected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from llmpick.catalog.records import Catalog

VAR = "_LLMPICK_COMPLETE"
SHELLS = ("bash", "zsh", "fish")


def _catalog() -> Catalog:
    from llmpick.cli.state import state

    return state.catalog


def _variants() -> Iterable[str]:
    return _catalog().variants


def _providers() -> Iterable[str]:
    return _catalog().providers


def _families() -> Iterable[str]:
    return _catalog().families


def _licences() -> Iterable[str]:
    return _catalog().licenses


def _sections() -> Iterable[str]:
    from llmpick.vocabulary import SECTION_IDS

    return SECTION_IDS


def _choices(field: str) -> Callable[[], Iterable[str]]:
    def choices() -> Iterable[str]:
        from llmpick.engine.requirements import CHOICES

        return CHOICES[field]

    return choices


def _fixed(*names: str) -> Callable[[], Iterable[str]]:
    return lambda: names


def _vocabulary(name: str) -> Callable[[], Iterable[str]]:
    def words() -> Iterable[str]:
        import llmpick.vocabulary as vocabulary

        return tuple(getattr(vocabulary, name))

    return words


def _snippets() -> Iterable[str]:
    from llmpick.advice import SNIPPET_KINDS

    return SNIPPET_KINDS


def _sources() -> Iterable[str]:
    from llmpick.catalog.layer_format import SOURCES

    return SOURCES


def values() -> dict[tuple[str, str], Callable[[], Iterable[str]]]:
    """(command name or "*" for any, parameter name) -> the values it takes."""
    from llmpick.engine.requirements import CHOICE_FIELDS

    return {
        **{("*", f): _choices(f) for f in CHOICE_FIELDS},
        ("*", "needs"): _vocabulary("NEEDS"),
        ("*", "license"): _licences,
        ("*", "model"): _variants,
        ("*", "gpu_memory"): _fixed("auto"),
        ("models", "access"): _vocabulary("ACCESS_KINDS"),
        ("models", "flavour"): _vocabulary("FLAVOURS"),
        ("models", "status"): _vocabulary("STATUSES"),
        ("models", "provider"): _providers,
        ("models", "family"): _families,
        ("providers", "kind"): _vocabulary("PROVIDER_KINDS"),
        ("guide", "key"): _sections,
        ("show", "snippet"): _snippets,
        ("schema", "name"): _fixed("shortlist", "requirements", "catalog"),
        ("refresh", "source"): _sources,
        ("completion", "shell"): _fixed(*SHELLS),
    }


def _completer(source: Callable[[], Iterable[str]]) -> Callable[..., list[str]]:
    def complete(ctx: Any, param: Any, incomplete: str) -> list[str]:
        try:
            names = source()
        except Exception:  # a broken catalog must not break the shell: no values
            return []
        return [n for n in names if n.startswith(incomplete)]

    return complete


def _attach(command: Any, table: dict[tuple[str, str], Callable[[], Iterable[str]]]) -> None:
    """Give each parameter of ``command`` and its subcommands the values it takes."""
    for param in getattr(command, "params", []):
        found = table.get((command.name, param.name)) or table.get(("*", param.name))
        if found is not None:
            param._custom_shell_complete = _completer(found)
    for sub in getattr(command, "commands", {}).values():
        _attach(sub, table)


def _typer_completion() -> tuple[Callable[[], None], Callable[..., str]]:
    """Typer's completion protocols (bash, zsh, fish) and their scripts."""
    try:
        from typer._completion_classes import completion_init
        from typer._completion_shared import get_completion_script
    except ImportError:
        from llmpick.errors import UsageError

        raise UsageError(
            f"shell completion is not available with Typer {typer.__version__}",
            hint="install a Typer that llmpick supports: pip install -e . (see pyproject.toml)",
        ) from None
    return completion_init, get_completion_script


def complete(app: typer.Typer) -> int:
    """Answer the shell's completion request (``_LLMPICK_COMPLETE`` is set)."""
    import typer.main

    completion_init, _ = _typer_completion()

    completion_init()  # Typer's bash, zsh and fish protocols
    command = typer.main.get_command(app)
    _attach(command, values())
    try:
        command.main(args=[], prog_name="llmpick", complete_var=VAR)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else 0
    return 0


def completion(
    shell: Annotated[
        str,
        typer.Argument(
            metavar="SHELL",
            help="bash, zsh or fish.",
            hidden=True,  # said in the docstring: Typer 0.29 would add <str>
        ),
    ],
) -> None:
    """Print a shell's completion script: bash, zsh or fish.

    SHELL is bash, zsh or fish. Commands, options and their values complete: tasks,
    providers, licences, guide sections and model ids.

    Examples (the first in ~/.bashrc, the second in ~/.zshrc):

    \b
      eval "$(llmpick completion bash)"
      eval "$(llmpick completion zsh)"
      llmpick completion fish > ~/.config/fish/completions/llmpick.fish
    """
    from llmpick.cli.options import check_choice

    check_choice("SHELL", shell, SHELLS)
    completion_init, get_completion_script = _typer_completion()
    completion_init()
    print(get_completion_script(prog_name="llmpick", complete_var=VAR, shell=shell))
