"""`fit`: the memory estimate for one model, part by part, per quantization."""

from __future__ import annotations

from typing import Annotated

import typer

from llmpick.cli.emit import emit
from llmpick.cli.state import state
from llmpick.errors import UsageError


def fit(
    model: Annotated[
        str, typer.Argument(metavar="MODEL", help="Model id, name or Hugging Face repo id.")
    ],
    gpu_memory: Annotated[
        str | None,
        typer.Option(help="GPU memory to check against, e.g. 24 or 24GB, or 'auto' to detect."),
    ] = None,
    context: Annotated[
        str | None, typer.Option(help="Tokens of context to hold, e.g. 8k or 128k.")
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Estimate the GPU memory a model needs: weights, KV cache and overhead, per quantization.

    Examples:

      llmpick fit llama-2-70b-chat --gpu-memory 80 --context 4096

      llmpick fit qwen3-8b --gpu-memory auto
    """
    from llmpick.catalog.query import resolve_variant
    from llmpick.engine.memory import working_context
    from llmpick.units import parse_memory, parse_tokens

    v = resolve_variant(state.catalog, model)
    gpu: float | None = None
    if gpu_memory is not None:
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

    doc = fit_document(v, tokens, gpu)

    def human() -> None:
        from llmpick.cli.render.fit import fit as fit_table

        fit_table(doc, overlays=state.overlays_in_force())

    emit(doc, json=json, human=human)
