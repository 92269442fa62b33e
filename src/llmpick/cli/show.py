"""`llmpick show`: one model's or family's facts, or a snippet to run it."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Annotated, Any

import typer

from llmpick.cli.emit import emit
from llmpick.cli.options import JsonOpt, RequirementOptions, check_choice
from llmpick.cli.requirements import RequirementsFile, requirements_from
from llmpick.cli.state import state
from llmpick.errors import UsageError

if TYPE_CHECKING:
    from llmpick.catalog.records import Catalog, Family, Variant


def show(
    ctx: typer.Context,
    model: Annotated[
        str,
        typer.Argument(
            metavar="MODEL",
            help="Model id, name, Hugging Face repo id, Ollama tag or family.",
            hidden=True,  # said in the docstring: Typer 0.29 would add <str>
        ),
    ],
    json: JsonOpt = False,
    snippet: Annotated[
        str | None,
        typer.Option(
            metavar="KIND",
            help="Print a ready-to-paste way to run it: ollama, transformers or api.",
        ),
    ] = None,
    requirements: RequirementsFile = None,
) -> None:
    """Show everything the catalog knows about one model or family, with its sources.

    MODEL is a model id, name, Hugging Face repo id, Ollama tag or family.

    With --snippet, the requirement options of an answer (--task, --gpu-memory,
    --quantization, --min-context ...) make the snippet follow it: the same precision,
    the task's decoding and a token budget the memory estimate holds.

    Examples:

    \b
      llmpick show meta-llama/Llama-2-13b-chat-hf
      llmpick show qwen3-8b --snippet transformers
      llmpick show phi-4 --snippet transformers --task extraction --gpu-memory 16
    """
    from llmpick.catalog.query import resolve
    from llmpick.catalog.records import Variant

    cat = state.catalog
    options = RequirementOptions.of(ctx)
    if snippet is not None and json:
        raise UsageError(
            "--snippet prints code to paste, not JSON",
            hint=f"see 'llmpick show {shlex.quote(model)} --json': it carries every way to run it",
        )
    if snippet is not None:
        _show_snippet(cat, model, snippet, options, requirements)
        return
    if options.given() or requirements:
        raise UsageError(
            "requirement options make a --snippet follow an answer; without --snippet they "
            "change nothing",
            hint=f"add --snippet transformers, or see 'llmpick why {shlex.quote(model)}' with them",
        )
    found = resolve(cat, model)

    def human() -> None:
        from llmpick.cli.render.show import family, variant

        overlays = state.overlays_in_force()
        if isinstance(found, Variant):
            variant(cat, found, overlays=overlays)
        else:
            family(cat, found, overlays=overlays)

    emit(lambda: document(cat, found), json=json, human=human)


def _show_snippet(
    cat: Catalog, model: str, kind: str, options: RequirementOptions, path: str | None
) -> None:
    """Print the ``kind`` snippet that runs ``model`` as the requirements' answer would."""
    from llmpick.advice import SNIPPET_KINDS
    from llmpick.advice import snippet as make_snippet
    from llmpick.catalog.query import resolve_variant

    check_choice("--snippet", kind, SNIPPET_KINDS)
    v = resolve_variant(cat, model)
    task, quantization, holds = _answer(v, options, path, kind)
    text = make_snippet(v, kind, task, quantization, holds)
    if text is None:
        ways = [k for k in SNIPPET_KINDS if make_snippet(v, k) is not None]
        raise UsageError(
            f"no {kind} snippet for {v.id}: the catalog has no {_SNIPPET_NEEDS[kind]} for it",
            hint=f"try --snippet {ways[0]}" if ways else "see 'llmpick show " + v.id + "'",
        )
    language = "bash" if kind == "ollama" else "python"

    def snippet_text() -> None:
        from llmpick.cli.render.show import snippet

        snippet(text, language)

    emit(text, json=False, human=snippet_text)


# what the catalog must have for each kind of snippet
_SNIPPET_NEEDS = {
    "ollama": "official Ollama tag",
    "transformers": "open weights on Hugging Face",
    "api": "API or cloud model id",
}


def document(cat: Catalog, found: Variant | Family) -> dict[str, Any]:
    """The show document (what --json prints); also the MCP server's `show` tool."""
    from llmpick.catalog.query import successor_chain, variant_summary
    from llmpick.catalog.records import Variant, to_data

    if isinstance(found, Variant):
        data = variant_summary(cat, found)
        data["successor_chain"] = successor_chain(cat, found.successor)
    else:
        data = to_data(found)
        data["successor_chain"] = successor_chain(cat, found.successor)
        data["variants"] = [variant_summary(cat, cat.variants[v]) for v in found.variants]
    return data


def _answer(
    v: Variant, options: RequirementOptions, path: str | None, kind: str
) -> tuple[str | None, str | None, int | None]:
    """(task, precision, context the memory holds) of the answer the requirements give
    for ``v``: what its snippet must follow. Nothing given: (None, None, None)."""
    if not options.given() and not path:
        return None, None, None
    from llmpick.engine.constraints import placement
    from llmpick.engine.memory import estimate, working_context
    from llmpick.engine.placement import setup_of
    from llmpick.units import format_estimate

    req = requirements_from(options, path)
    setup = setup_of(req)
    if kind != "transformers":  # an Ollama tag or an API call: only the task matters
        return req.task, None, None
    if setup is None:
        if req.quantization == "auto" or not v.open_weights:
            return req.task, None, None
        e = estimate(v, req.quantization, working_context(v, req.min_context))
        return req.task, req.quantization, e.context if e is not None else None
    fit, smallest = placement(v, req)
    if fit is None:
        need = (
            f"about {format_estimate(smallest.total_gb)}"
            if smallest is not None
            else "an unknown amount"
        )
        raise UsageError(
            f"{v.id} does not fit {setup.said}: it needs {need} even at its smallest precision",
            hint=f"see 'llmpick why {v.id}' with the same options",
        )
    e = fit.estimate
    if setup.kind in ("unified", "cpu") and e.quantization != "fp16" and not e.native:
        raise UsageError(
            f"the answer runs {v.id} at {e.quantization}, and transformers quantizes with "
            "bitsandbytes, which needs an NVIDIA GPU",
            hint=f"'llmpick recommend --long' with the same options prints the MLX and "
            f"llama.cpp commands for {setup.said.removeprefix('your ')}",
        )
    return req.task, e.quantization, e.context
