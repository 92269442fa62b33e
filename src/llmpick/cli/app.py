"""Root of the command line: wires the command groups together and owns exit codes.

``main`` is the one boundary where errors become messages: a domain error prints
``error: ...`` and a ``hint: ...`` on stderr and exits with its code; Ctrl-C exits
130; any other exception is a bug, shown in full only with LLMPICK_DEBUG=1.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Annotated

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
from llmpick.cli.state import state
from llmpick.errors import CatalogError, ExitCode, LlmpickError

app = typer.Typer(
    name="llmpick",
    help="Pick the right large language model for a job, with reasons.\n\n"
    "Examples:\n\n"
    "  llmpick recommend                  (asks its questions in a terminal)\n\n"
    "  llmpick recommend --task chat --access open --gpu-memory 24 --commercial\n\n"
    "  llmpick why llama-2-13b-chat --task chat --commercial\n\n"
    "  llmpick models --access open --flavour chat\n\n"
    "  llmpick guide 2.14",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        print(f"llmpick {__version__}")
        raise typer.Exit()


@app.callback()
def root(
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


# every command, in the order of --help; each lives in the module named after it
catalog_app = typer.Typer(
    help="Check the bundled catalog or an overlay; refresh prices, limits and new models.",
    no_args_is_help=True,
)
catalog_app.command("validate")(catalog.validate)
catalog_app.command("refresh")(catalog.refresh)
catalog_app.command("status")(catalog.status)

app.command("recommend")(recommend.recommend)
app.command("why")(why.why)
app.command("providers")(providers.providers)
app.command("models")(models.models)
app.command("show")(show.show)
app.command("fit")(fit.fit)
app.command("guide")(guide.guide)
app.add_typer(catalog_app, name="catalog")
app.command("schema")(schema.schema)
app.command("eval")(eval_cmd.eval_)
app.command("mcp")(mcp.mcp)
app.command("completion")(completion.completion)


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


def _usage(exc: Exception) -> None:
    """The parser's usage error as 'error: ...' and 'hint: ...', like our own."""
    from llmpick.safetext import clean

    fmt = getattr(exc, "format_message", None)
    message = str(fmt() if callable(fmt) else exc)
    head, *suggestions = message.split(" Did you mean")
    if suggestions:  # the parser and Typer may both suggest: say it once
        head += " Did you mean" + suggestions[0]
    command = getattr(getattr(exc, "ctx", None), "command_path", None) or "llmpick"
    _say("error: ", clean(head[:1].lower() + head[1:]))
    _say("hint: ", f"see '{clean(command)} --help'")


def run(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code (no sys.exit)."""
    try:
        # Typer 0.29+: no pydantic validators built for options that need none
        with typer_compat.deferring():
            if os.environ.get("_LLMPICK_COMPLETE"):  # the shell asks for completions
                from llmpick.cli.completion import complete

                return complete(app)
            rv = app(args=argv, standalone_mode=False, prog_name="llmpick")
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
        if callable(show) and isinstance(getattr(exc, "exit_code", None), int):
            # a usage error found by the parser (Click's exception, duck-typed so that
            # this works whether or not Typer vendors Click): said in our one style
            _usage(exc)
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
