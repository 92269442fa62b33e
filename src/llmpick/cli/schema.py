"""`llmpick schema`: the JSON Schemas of our documents and input files."""

from __future__ import annotations

from typing import Annotated

import typer

from llmpick.cli.emit import emit
from llmpick.errors import UsageError


def schema(
    name: Annotated[str, typer.Argument(help="shortlist, requirements or catalog.")] = "shortlist",
) -> None:
    """Print a JSON Schema: the shortlist document, requirements files, or catalog files.

    Examples:

      llmpick schema shortlist > shortlist.schema.json

      llmpick schema requirements
    """
    from llmpick.output.contract import SCHEMAS

    if name not in SCHEMAS:
        raise UsageError(f"invalid value for NAME: {name!r}; choose from: {', '.join(SCHEMAS)}")
    emit(SCHEMAS[name](), json=True, pretty=True)
