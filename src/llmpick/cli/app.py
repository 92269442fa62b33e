"""Root of the command line: wires the command groups together and owns exit codes."""

from __future__ import annotations

import os
import sys

import typer

from llmpick.errors import CatalogError, ExitCode, LlmpickError

app = typer.Typer(
    name="llmpick",
    help="Pick the right large language model for a job, with reasons.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
catalog_app = typer.Typer(help="Check the bundled catalog or an overlay.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")


@catalog_app.command("validate")
def validate(paths: list[str] = typer.Argument(None)) -> None:
    """Validate the bundled catalog, or overlays on top of it."""
    from llmpick.catalog import load_catalog

    cat = load_catalog(paths or [], use_cache=False)
    print(f"ok: {len(cat.providers)} providers, {len(cat.licenses)} licences, "
          f"{len(cat.families)} families, {len(cat.variants)} variants")


def main() -> None:
    try:
        app(standalone_mode=False)
    except LlmpickError as exc:
        if isinstance(exc, CatalogError):
            for p in exc.problems:
                print(str(p), file=sys.stderr)
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        sys.exit(int(exc.exit_code))
    except KeyboardInterrupt:
        sys.exit(int(ExitCode.INTERRUPTED))
    if os.environ.get("LLMPICK_DEBUG"):
        pass
