"""`llmpick why`: where one model stands under the requirements."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, cast

import typer

from llmpick.cli.emit import emit
from llmpick.cli.options import ModelArg, RequirementOptions
from llmpick.cli.requirements import (
    RequirementsFile,
    check_licences,
    file_evidence,
    measured_evidence,
    requirements_from,
)
from llmpick.cli.state import state

if TYPE_CHECKING:
    from llmpick.output.contract_types import Verdict


def why(
    ctx: typer.Context,
    model: ModelArg,
    requirements: RequirementsFile = None,
    json: Annotated[bool, typer.Option("--json", help="Print the verdict as JSON.")] = False,
    evidence: Annotated[
        str | None,
        typer.Option(metavar="FILE", help="Results of 'llmpick eval --out FILE', as in recommend."),
    ] = None,
) -> None:
    """Explain where one model stands under the requirements: its rank or what excludes it.

    MODEL is a model id, name or Hugging Face repo id.

    Examples:

    \b
      llmpick why llama-2-13b-chat --task chat --commercial
      llmpick why gpt-4o --platform bedrock
    """
    from llmpick.catalog.query import resolve_variant
    from llmpick.engine.rank import recommend as run_engine
    from llmpick.output.build import why as why_doc

    cat = state.catalog
    variant = resolve_variant(cat, model)
    req = requirements_from(RequirementOptions.of(ctx), requirements)
    check_licences(req)
    measured = measured_evidence(evidence or file_evidence(requirements))
    rec = run_engine(cat, req, top=5, explain=(variant.id,), measured=measured)
    doc = why_doc(cat, rec, variant.id)

    def human() -> None:
        from llmpick.cli.render.why import verdict

        verdict(cast("Verdict", doc), overlays=state.overlays_in_force())  # that contract

    emit(doc, json=json, human=human)
