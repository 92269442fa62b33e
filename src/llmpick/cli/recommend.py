"""`llmpick recommend`: requirements in, an explained shortlist out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from llmpick import export as exporting
from llmpick.cli.emit import emit, stdin_is_terminal
from llmpick.cli.options import RequirementOptions
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


# recommend's own options (the requirement options come with RequirementCommand)
TopOpt = Annotated[
    int, typer.Option(min=1, max=100, metavar="N", help="How many models to shortlist.")
]
JsonOnlyOpt = Annotated[
    bool, typer.Option("--json", help="Print the shortlist document (JSON) only.")
]
ExportOpt = Annotated[
    str | None,
    typer.Option(metavar="FILE", help="Also write the shortlist to FILE (.json or .md)."),
]
NoInputOpt = Annotated[
    bool, typer.Option("--no-input", help="Never ask questions, even in a terminal.")
]
LongOpt = Annotated[
    bool,
    typer.Option(
        "--long",
        "-v",
        help="Show every reason, caveat, way to run and decoding setting (the default "
        "answer shows the strongest).",
    ),
]
ExplainOpt = Annotated[
    list[str] | None,
    typer.Option(
        metavar="MODEL",
        help="Also say why MODEL was left out, if it was (repeatable; in the document).",
    ),
]
EvidenceOpt = Annotated[
    str | None,
    typer.Option(
        metavar="FILE",
        help="Results of 'llmpick eval --out FILE': pass rates measured on your cases "
        "count above published results.",
    ),
]


def recommend(
    ctx: typer.Context,
    requirements: RequirementsFile = None,
    top: TopOpt = 5,
    json: JsonOnlyOpt = False,
    export: ExportOpt = None,
    no_input: NoInputOpt = False,
    long: LongOpt = False,
    explain: ExplainOpt = None,
    evidence: EvidenceOpt = None,
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
    options = RequirementOptions.of(ctx)
    # nothing asked for at all: the walkthrough, which needs a terminal
    asks = not (options.given() or requirements or no_input or explain)
    if asks:  # --json or --export alone ask too
        options = _walkthrough()
    req = requirements_from(options, requirements)
    check_licences(req)
    measured = measured_evidence(evidence or file_evidence(requirements))

    from llmpick.catalog.query import resolve_variant
    from llmpick.engine.rank import recommend as run_engine
    from llmpick.output.build import shortlist

    cat = state.catalog
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

        options_said = ["--top", str(top)] if top != 5 else []
        options_said += ["--long"] if long else []
        options_said += ["--export", export] if export is not None else []
        say_command(options, options_said + (["--json"] if json else []))


def _walkthrough() -> RequirementOptions:
    """The requirements asked for one by one, which needs a terminal."""
    if not stdin_is_terminal():
        raise UsageError(
            "no requirements given, and no terminal to ask them in",
            hint="give options (e.g. llmpick recommend --task chat), a file with -r FILE, "
            "or --no-input for a shortlist with no constraints",
        )
    from llmpick.cli.walkthrough import ask

    return ask()
