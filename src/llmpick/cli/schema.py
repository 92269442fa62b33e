"""`llmpick schema`: the JSON Schemas of our documents and input files."""

from __future__ import annotations

from typing import Annotated

import typer

from llmpick.cli.emit import emit
from llmpick.errors import UsageError
from llmpick.suggest import not_one_of


def schema(
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME",
            help="shortlist, requirements or catalog.",
            hidden=True,  # said in the docstring: Typer 0.29 would add <str>
        ),
    ] = "shortlist",
) -> None:
    """Print a JSON Schema: the shortlist document, requirements files, or catalog files.

    Examples:

    \b
      llmpick schema shortlist > shortlist.schema.json
      llmpick schema requirements
    """
    from llmpick.output.contract import SCHEMAS

    if name not in SCHEMAS:
        raise UsageError(f"invalid value for NAME: {not_one_of(name, list(SCHEMAS))}")
    emit(SCHEMAS[name](), json=True, pretty=True)
