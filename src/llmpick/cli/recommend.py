"""`llmpick recommend`: requirements in, an explained shortlist out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from llmpick import export as exporting
from llmpick.cli.emit import emit, stdin_is_terminal
from llmpick.cli.options import requirement_options
from llmpick.cli.requirements import (
    RequirementsFile,
    check_licences,
    file_evidence,
    measured_evidence,
    requirements_from,
)
from llmpick.cli.state import state
from llmpick.errors import UsageError

if TYPE_CHECKING:
    from llmpick.output.contract_types import Shortlist


def _markdown(doc: Any) -> str:
    from llmpick.output.markdown import markdown

    return markdown(doc)


_EXPORTS = {".md": _markdown}  # besides JSON


@requirement_options
def recommend(
    given: dict[str, Any],
    requirements: RequirementsFile = None,
    top: Annotated[
        int, typer.Option(min=1, max=100, metavar="N", help="How many models to shortlist.")
    ] = 5,
    json: Annotated[
        bool, typer.Option("--json", help="Print the shortlist document (JSON) only.")
    ] = False,
    export: Annotated[
        str | None,
        typer.Option(metavar="FILE", help="Also write the shortlist to FILE (.json or .md)."),
    ] = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never ask questions, even in a terminal.")
    ] = False,
    long: Annotated[
        bool,
        typer.Option(
            "--long",
            "-v",
            help="Show every reason, caveat, way to run and decoding setting (the default "
            "answer shows the strongest).",
        ),
    ] = False,
    explain: Annotated[
        list[str] | None,
        typer.Option(
            metavar="MODEL",
            help="Also say why MODEL was left out, if it was (repeatable; in the document).",
        ),
    ] = None,
    evidence: Annotated[
        str | None,
        typer.Option(
            metavar="FILE",
            help="Results of 'llmpick eval --out FILE': pass rates measured on your cases "
            "count above published results.",
        ),
    ] = None,
) -> None:
    """Recommend models for a task and its constraints, explaining every pick and exclusion.

    With no options in a terminal, asks its questions one by one ('back' returns to the
    previous one), and ends with the same request as a command line to reuse.

    Examples:

    \b
      llmpick recommend --task chat --access open --gpu-memory 24 --commercial
      llmpick recommend --task qa --min-context 200k --json
      llmpick recommend -r requirements.yaml --export shortlist.md
      llmpick recommend --task extraction --evidence results.jsonl
    """
    exporting.check(export, _EXPORTS, inputs={"--requirements": requirements})
    # nothing asked for at all: the walkthrough, which needs a terminal
    asks = not (given or requirements or no_input or explain)  # --json or --export alone ask too
    if asks and not stdin_is_terminal():
        raise UsageError(
            "no requirements given, and no terminal to ask them in",
            hint="give options (e.g. llmpick recommend --task chat), a file with -r FILE, "
            "or --no-input for a shortlist with no constraints",
        )
    if asks:
        from llmpick.cli.walkthrough import ask

        given = ask()
    req = requirements_from(given, requirements)
    check_licences(req)
    measured = measured_evidence(evidence or file_evidence(requirements))

    from llmpick.engine.rank import recommend as run_engine
    from llmpick.output.build import shortlist

    cat = state.catalog
    from llmpick.catalog.query import resolve_variant

    named = [resolve_variant(cat, name).id for name in explain or []]
    rec = run_engine(cat, req, top=top, explain=tuple(named), measured=measured)
    doc = shortlist(cat, rec, named=named)
    if export is not None:
        exporting.write(export, doc, _EXPORTS)

    def human() -> None:
        from llmpick.cli.render.layout import note
        from llmpick.cli.render.recommend import recommendation

        recommendation(cast("Shortlist", doc), long=long)  # plain data of that contract
        if export is not None:
            note(exporting.written(export))

    emit(doc, json=json, human=human)
    if asks:  # the walkthrough ends with the command that repeats it without questions
        from llmpick.cli.walkthrough import say_command

        options = ["--top", str(top)] if top != 5 else []
        options += ["--long"] if long else []
        options += ["--export", export] if export is not None else []
        say_command(given, options + (["--json"] if json else []))
