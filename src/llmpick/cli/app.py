"""Root of the command line: wires the command groups together and owns exit codes.

``main`` is the one boundary where errors become messages: a domain error prints
``error: ...`` and a ``hint: ...`` on stderr and exits with its code; Ctrl-C exits
130; any other exception is a bug, shown in full only with LLMPICK_DEBUG=1.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer

from llmpick import __version__
from llmpick.cli import (
    catalog,
    completion,
    fit,
    guide,
    mcp,
    models,
    providers,
    recommend,
    schema,
    show,
    typer_compat,
    why,
)
from llmpick.cli import eval as eval_cmd
from llmpick.cli.emit import discard_stdout, hanging
from llmpick.cli.options import RequirementCommand
from llmpick.cli.state import state
from llmpick.errors import CatalogError, ExitCode, LlmpickError

_ROOT: dict[str, Any] = dict(
    name="llmpick",
    help="Pick the right large language model for a job, with reasons.\n\n"
    "Examples:\n\n"
    "\b\n"  # a block the help formatter leaves as it is: one example a line
    "  llmpick recommend        (asks its questions in a terminal)\n"
    "  llmpick recommend --task chat --access open --gpu-memory 24 --commercial\n"
    "  llmpick why llama-2-13b-chat --task chat --commercial\n"
    "  llmpick models --access open --flavour chat\n"
    "  llmpick guide 2.14",
    invoke_without_command=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        print(f"llmpick {__version__}")
        raise typer.Exit()


def root(
    ctx: typer.Context,
    catalog: Annotated[
        list[str] | None,
        typer.Option(
            "--catalog",
            metavar="PATH",
            help="Overlay directory or family file with your own models (repeatable; "
            "also LLMPICK_CATALOG).",
        ),
    ] = None,
    no_refresh: Annotated[
        bool,
        typer.Option(
            "--no-refresh",
            help="Ignore the refresh layer ('llmpick catalog refresh'): curated facts only.",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    state.reset(list(catalog or []), no_refresh)
    if ctx.invoked_subcommand is None:  # bare `llmpick`: a greeting, not an error
        from llmpick.cli.emit import emit

        def human() -> None:
            from llmpick.cli.render.welcome import welcome

            welcome()

        emit(None, json=False, human=human)


# every command, in the order of --help; each lives in the module named after it
def _catalog_group() -> typer.Typer:
    group = typer.Typer(
        help="Check the bundled catalog or an overlay; refresh prices, limits and new models."
        "\n\nExamples:\n\n\b\n"
        "  llmpick catalog validate ./our-models\n"
        "  llmpick catalog refresh --dry-run\n"
        "  llmpick catalog status",
        no_args_is_help=True,
    )
    group.command("validate", short_help="Check the catalog or an overlay; exit 3 on a problem.")(
        catalog.validate
    )
    group.command("refresh", short_help="Update prices, limits and new API models.")(
        catalog.refresh
    )
    group.command("status", short_help="How fresh the catalog and its refresh layer are.")(
        catalog.status
    )
    return group


# (name, function or group, what Typer is told of it); the commands that take the
# requirement options (--task, --gpu-memory ...) are RequirementCommands: cli/options.py
_COMMANDS: tuple[tuple[str, Callable[..., Any], dict[str, Any]], ...] = (
    (
        "recommend",
        recommend.recommend,
        {"cls": RequirementCommand, "short_help": "A ranked, explained shortlist for a job."},
    ),
    (
        "why",
        why.why,
        {
            "cls": RequirementCommand,
            "short_help": "Why one model ranks where it does, or is left out.",
        },
    ),
    (
        "providers",
        providers.providers,
        {"short_help": "Who makes models, by the four kinds of guide §1.1."},
    ),
    ("models", models.models, {"short_help": "List and search the catalog's models."}),
    (
        "show",
        show.show,
        {"cls": RequirementCommand, "short_help": "One model's or family's facts and sources."},
    ),
    ("fit", fit.fit, {"short_help": "The GPU memory a model needs, per quantization."}),
    ("guide", guide.guide, {"short_help": "Read the guide that explanations cite."}),
    ("catalog", _catalog_group, {"short_help": "Validate, refresh and date the catalog."}),
    (
        "schema",
        schema.schema,
        {"short_help": "JSON Schemas of llmpick's documents and input files."},
    ),
    (
        "eval",
        eval_cmd.eval_,
        {"short_help": "Try models on your own cases: pass rate, speed, cost."},
    ),
    (
        "mcp",
        mcp.mcp,
        {"short_help": "Serve llmpick's answers to coding agents over MCP (stdio)."},
    ),
    (
        "completion",
        completion.completion,
        {"short_help": "Print the shell completion script (bash, zsh, fish)."},
    ),
)


def _app(only: str | None = None) -> typer.Typer:
    """The command line with every command, or with only the one named ``only``."""
    made = typer.Typer(**_ROOT)
    made.callback()(root)
    for name, fn, how in _COMMANDS:
        if only is not None and name != only:
            continue
        if fn is _catalog_group:
            made.add_typer(_catalog_group(), name=name, **how)
        else:
            made.command(name, **how)(fn)
    return made


app = _app()
_NAMES = frozenset(name for name, _, _ in _COMMANDS)


def _parser_for(argv: list[str]) -> typer.Typer:
    """The command line to parse ``argv`` with: one with only the command ``argv`` names,
    when it names one after the root's options that take part in no help or error of
    the root's own (Typer turns each command it has into a parser on every run: ~15 ms
    for all, of which one command takes a few); else the whole one."""
    words = iter(argv)
    for word in words:
        if word == "--catalog":
            next(words, None)
        elif word == "--no-refresh" or word.startswith("--catalog="):
            continue
        else:
            return _app(word) if word in _NAMES else app
    return app


def _say(label: str, text: str) -> None:
    """``label`` and ``text`` on stderr: in a terminal, wrapped with a hanging indent;
    to a pipe or a log, one line, for grep."""
    if sys.stderr is not None and sys.stderr.isatty():
        print(hanging(text, label, " " * len(label)), file=sys.stderr)
    else:
        print(label + text, file=sys.stderr)


def _report(exc: LlmpickError) -> None:
    # messages quote file names, keys and values from files and arguments: text from
    # data, made safe for the terminal here, where every error is printed
    from llmpick.safetext import clean

    problems = getattr(exc, "problems", None) or []  # a catalog's, or eval's input files'
    if isinstance(exc, CatalogError) or len(problems) > 1:
        for problem in problems[:200]:
            print(clean(str(problem)), file=sys.stderr)
        if len(problems) > 200:
            print(f"... and {len(problems) - 200} more", file=sys.stderr)
    _say("error: ", clean(exc.message))
    if exc.hint:
        _say("hint: ", clean(exc.hint))


def _command_and_option(argv: list[str], option: str | None) -> tuple[str, Any]:
    """The command path ``argv`` reaches (``llmpick show``) and its parameter ``option``
    (None if it has none): the parser cannot always say which command it was in."""
    import typer.main

    cmd: Any = typer.main.get_command(app)
    path = ["llmpick"]
    for word in argv:
        subs = getattr(cmd, "commands", None) or {}
        if word in subs:
            cmd = subs[word]
            path.append(word)
        elif not subs:
            break
    found = None
    for param in getattr(cmd, "params", []):
        if option in (*getattr(param, "opts", ()), *getattr(param, "secondary_opts", ())):
            found = param
    return " ".join(path), found


def _usage(exc: Exception, argv: list[str]) -> None:
    """The parser's usage error as 'error: ...' and 'hint: ...', like our own; an option
    given without its value gets, as the hint, what that value may be."""
    from llmpick.safetext import clean

    fmt = getattr(exc, "format_message", None)
    message = str(fmt() if callable(fmt) else exc)
    head, *suggestions = message.split(" Did you mean")
    if suggestions:  # the parser and Typer may both suggest: say it once
        head += " Did you mean" + suggestions[0]
    command = getattr(getattr(exc, "ctx", None), "command_path", None)
    option = getattr(exc, "option_name", None)
    hint = None
    with contextlib.suppress(Exception):  # a hint is a help, never a second failure
        path, param = _command_and_option(argv, option)
        command = command or path
        bad = getattr(exc, "param", None)
        ctx = getattr(exc, "ctx", None)
        if bad is not None and ctx is not None and bad.param_type_name == "option":
            # a value out of range or of the wrong type: the option's help and range
            names, said = bad.get_help_record(ctx)
            hint = f"{names}: {' '.join(said.split())}"
        elif bad is not None and getattr(bad, "help", None):  # a missing argument
            hint = f"{getattr(bad, 'metavar', None) or bad.name}: {bad.help}"
        elif param is not None and head.endswith("requires an argument."):
            head = f"{option} needs a value"
            metavar = getattr(param, "metavar", None)
            help_text = (getattr(param, "help", None) or "").rstrip(".")
            if not help_text[:2].isupper():  # 'GPU memory' keeps its capitals
                help_text = help_text[:1].lower() + help_text[1:]
            hint = f"{option} {metavar}: {help_text}"
    _say("error: ", clean(head[:1].lower() + head[1:]))
    _say("hint: ", clean(hint or f"see '{command or 'llmpick'} --help'"))


def _global_flags_first(argv: list[str]) -> list[str]:
    """``--no-refresh`` is a global flag, and every note suggests it after the command
    (``llmpick show X --no-refresh``): it is moved before the command, where the root
    callback reads it. Nothing after ``--`` is touched."""
    end = argv.index("--") if "--" in argv else len(argv)
    if "--no-refresh" not in argv[:end]:
        return argv
    return ["--no-refresh", *(a for a in argv[:end] if a != "--no-refresh"), *argv[end:]]


def run(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code (no sys.exit)."""
    argv = _global_flags_first(list(sys.argv[1:] if argv is None else argv))
    try:
        # Typer 0.29+: no pydantic validators built for options that need none
        with typer_compat.deferring():
            if os.environ.get("_LLMPICK_COMPLETE"):  # the shell asks for completions
                from llmpick.cli.completion import complete

                return complete(app)
            rv = _parser_for(argv)(args=argv, standalone_mode=False, prog_name="llmpick")
    except LlmpickError as exc:
        _report(exc)
        return int(exc.exit_code)
    except typer.Abort:
        print("interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): not an error worth a traceback
        discard_stdout()
        return int(ExitCode.OK)
    except Exception as exc:
        show = getattr(exc, "show", None)
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            # a command group given no command (`llmpick catalog`): its help, no error
            print(ctx.get_help())
            return int(ExitCode.OK)
        if callable(show) and isinstance(getattr(exc, "exit_code", None), int):
            # a usage error found by the parser (Click's exception, duck-typed so that
            # this works whether or not Typer vendors Click): said in our one style
            _usage(exc, argv)
            return int(exc.exit_code)  # type: ignore[attr-defined]
        # anything else is a bug: say so briefly unless debugging
        if os.environ.get("LLMPICK_DEBUG"):
            raise
        print(f"error: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print(
            "hint: this is a bug in llmpick; rerun with LLMPICK_DEBUG=1 for details",
            file=sys.stderr,
        )
        return int(ExitCode.FAILURE)
    return rv if isinstance(rv, int) else 0


def _flush_stdout(code: int) -> int:
    """Flush what is still buffered and return the exit code: a reader that left is no
    error; any other failure to write (a full disk) is one."""
    if sys.stdout is None:  # started with stdout closed: nothing was written to it
        return code
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader left before the last buffered output: nothing to report, and the
        # interpreter's own flush at exit must not fail on the closed pipe either
        discard_stdout()
    except OSError as exc:
        discard_stdout()
        print(f"error: cannot write output: {exc.strerror or exc}", file=sys.stderr)
        return code or int(ExitCode.FAILURE)
    return code


def main() -> None:
    """Run the command line from Python: exit normally, as any program does."""
    code = _flush_stdout(run())
    sys.exit(code)


def console() -> None:
    """The `llmpick` console script (and `python -m llmpick`): a short-lived process.

    The one place with shortcuts, measured to save about a third of the import floor on
    `recommend --json`: no cyclic garbage collection (the catalog's ~100,000 objects
    would trigger several full collections while loading, and nothing here makes
    cycles worth collecting), and no interpreter teardown that frees every object one by
    one. atexit handlers (logging's flush among them) still run before the exit.
    """
    import atexit
    import gc

    gc.disable()
    code = _flush_stdout(run())
    atexit._run_exitfuncs()
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code)
