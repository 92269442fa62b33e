"""`fit`: the memory estimate for one model, part by part, per quantization."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from llmpick.cli.emit import emit
from llmpick.cli.options import ModelArg, RequirementOptions, option
from llmpick.cli.state import state
from llmpick.errors import UsageError

if TYPE_CHECKING:
    from llmpick.output.contract_types import Fit


def fit(
    model: ModelArg,
    gpu_memory: Annotated[
        str | None,
        typer.Option(
            metavar="GB", help="GPU memory to check against, e.g. 24 or 24GB, or 'auto' to detect."
        ),
    ] = None,
    gpus: Annotated[str | None, option("gpus")] = None,
    unified_memory: Annotated[str | None, option("unified_memory")] = None,
    ram: Annotated[str | None, option("ram")] = None,
    context: Annotated[
        str | None,
        typer.Option(metavar="TOKENS", help="Tokens of context to hold, e.g. 8k or 128k."),
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Estimate the GPU memory a model needs: weights, KV cache and overhead, per quantization.

    MODEL is a model id or name from the catalog, any Hugging Face repo ORG/NAME
    (read from the Hub), or a local model folder ./PATH.

    Examples:

    \b
      llmpick fit llama-2-70b-chat --gpu-memory 80 --context 4096
      llmpick fit qwen3-8b --gpu-memory auto
      llmpick fit llama-3.3-70b-instruct --gpus 2x24
      llmpick fit qwen3-32b --unified-memory 64

      llmpick fit allenai/OLMo-2-0425-1B

      llmpick fit ./my-model

    A Hugging Face repository that is not in the catalog is read from the Hub
    (HF_ENDPOINT names a mirror, HF_TOKEN opens gated ones): its config.json and the
    safetensors index or headers, never the weights, kept a week in the cache. A local
    folder is read the same way. Only this use of fit reaches the network.
    """
    doc = document(model, gpu_memory, context, gpus=gpus, unified_memory=unified_memory, ram=ram)

    def human() -> None:
        from llmpick.cli.render.fit import fit as fit_table

        fit_table(cast("Fit", doc), overlays=state.overlays_in_force())  # that contract

    emit(doc, json=json, human=human)


def document(
    model: str,
    gpu_memory: str | None,
    context: str | None,
    *,
    gpus: str | None = None,
    unified_memory: str | None = None,
    ram: str | None = None,
) -> dict[str, Any]:
    """The fit document (what --json prints); also the MCP server's `fit` tool. --gpus,
    --unified-memory and --ram are read as recommend reads them, and the model is laid
    out as recommend lays it out (engine/placement.py)."""
    from llmpick.engine.memory import working_context
    from llmpick.units import parse_memory, parse_tokens

    v, origin, notes = _model(model)
    gpu: float | None = None
    setup = None
    if any(x is not None for x in (gpus, unified_memory, ram)):
        from llmpick.cli.requirements import requirements_from
        from llmpick.engine.placement import setup_of

        hardware = RequirementOptions(
            gpu_memory=gpu_memory, gpus=gpus, unified_memory=unified_memory, ram=ram
        )
        try:
            setup = setup_of(requirements_from(hardware, None))
        except UsageError as exc:  # its hint names recommend, whose options these are
            raise UsageError(str(exc), hint="see 'llmpick fit --help'") from None
    elif gpu_memory is not None:
        if gpu_memory.strip().lower() == "auto":
            from llmpick.cli.requirements import detected_gpu_memory

            gpu = detected_gpu_memory()
        else:
            try:
                gpu = parse_memory(gpu_memory)
            except ValueError as exc:
                raise UsageError(f"invalid value for --gpu-memory: {exc}") from None
    try:
        tokens = parse_tokens(context) if context is not None else working_context(v, None)
    except ValueError as exc:
        raise UsageError(f"invalid value for --context: {exc}") from None
    if tokens <= 0:
        raise UsageError("invalid value for --context: must be more than 0 tokens")
    if not v.open_weights:
        raise UsageError(
            f"{v.id} is an API model: its weights are not published, so it cannot run on your GPU",
            hint="see 'llmpick show " + v.id + "' for how to call it",
        )
    if v.params_b is None:
        raise UsageError(f"{v.id}: its parameter count is not published, so it cannot be sized")
    from llmpick.output.build import fit as fit_document

    doc = fit_document(v, tokens, gpu, setup)
    if origin is not None:  # a repository or folder outside the catalog
        doc["origin"] = origin
        doc["notes"] = notes + doc["notes"]
    return doc


def _model(name: str) -> tuple[Any, dict[str, Any] | None, list[str]]:
    """The record to size: from the catalog; else a local folder or GGUF file; else a
    Hugging Face repository (the network). A name written as a path is always read from
    disk. The reader (catalog/hub.py) is loaded only when the catalog has no such model."""
    from llmpick.catalog.query import resolve_variant
    from llmpick.errors import NotFoundError

    on_disk = name.startswith(("./", "../", "/", "~")) or name in (".", "..")
    if not on_disk:
        try:
            return resolve_variant(state.catalog, name), None, []
        except NotFoundError:
            local = os.path.isdir(name) or (name.endswith(".gguf") and os.path.isfile(name))
            from llmpick.catalog import hub

            if not local and not hub.is_repo_id(name):
                raise
            on_disk = local
    from llmpick.catalog import hub

    found = hub.from_folder(name) if on_disk else hub.from_hub(name)
    return found.variant, found.origin, found.notes
