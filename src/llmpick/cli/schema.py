"""`llmpick schema`: the JSON Schemas of our documents and input files."""

from __future__ import annotations

from typing import Annotated

import typer

from llmpick.cli.emit import emit
from llmpick.cli.options import NoPagerOpt
from llmpick.errors import UsageError
from llmpick.suggest import not_one_of


def schema(
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME",
            help="shortlist, requirements, catalog, cases or targets.",
            hidden=True,  # said in the docstring: Typer 0.29 would add <str>
        ),
    ] = "shortlist",
    no_pager: NoPagerOpt = False,
) -> None:
    """Print a JSON Schema: the shortlist document, or a file llmpick reads.

    NAME is shortlist (the --json and --export document), requirements (recommend -r
    FILE), catalog (catalog and overlay files), cases or targets (eval's input files);
    shortlist when none is given. In a terminal, a long schema goes through the pager.

    Examples:

    \b
      llmpick schema shortlist > shortlist.schema.json
      llmpick schema cases
    """
    from llmpick.output.contract import SCHEMAS

    if name not in SCHEMAS:
        raise UsageError(f"invalid value for NAME: {not_one_of(name, list(SCHEMAS))}")
    doc = SCHEMAS[name]()

    def human() -> None:
        # the same JSON text a pipe or file gets; only a terminal pages it
        from llmpick.cli.render.layout import raw
        from llmpick.jsonsafe import dumps

        raw(dumps(doc, pretty=True))

    emit(doc, json=False, human=human, page=not no_pager)
