"""`fit`: the memory estimate for one model, part by part, per quantization."""

from __future__ import annotations

from typing import Annotated, Any

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
    from llmpick.engine.memory import estimate, quantizations, working_context
    from llmpick.units import parse_memory, parse_tokens

    v = resolve_variant(state.catalog, model)
    gpu: float | None = None
    if gpu_memory is not None:
        if gpu_memory.strip().lower() == "auto":
            from llmpick.cli.recommend_cmds import detected_gpu_memory

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
    rows: list[dict[str, Any]] = []
    method = None
    for q in quantizations(v):
        e = estimate(v, q, tokens)
        if e is None:
            continue
        method = e.method
        rows.append(
            {
                "quantization": q,
                "as_released": e.native,
                "bits_per_weight": e.bits_per_weight,
                "weights_gb": round(e.weights_gb, 2),
                "kv_cache_gb": round(e.kv_cache_gb, 2),
                "overhead_gb": round(e.overhead_gb, 2),
                "total_gb": round(e.total_gb, 2),
                "range_gb": [round(e.low_gb, 2), round(e.high_gb, 2)],
                "fits": (e.total_gb <= gpu) if gpu is not None else None,
            }
        )
    notes = [
        "GB are 10^9 bytes; a card sold as 24 GB holds 24 GiB = 25.8 GB",
        "weights count every expert of a mixture-of-experts model",
        "overhead is 1 GB plus 5% of the weights (CUDA context, activations)",
    ]
    if v.context_window and tokens > v.context_window:
        notes.insert(0, f"{tokens:,} tokens is more than its {v.context_window:,}-token window")
    doc: dict[str, Any] = {
        "id": v.id,
        "name": v.name,
        "params_b": v.params_b,
        "active_params_b": v.active_params_b,
        "architecture": v.architecture,
        "arch": {k: getattr(v.arch, k) for k in v.arch.__dataclass_fields__} if v.arch else None,
        "context_tokens": tokens,
        "context_window": v.context_window,
        "gpu_memory_gb": gpu,
        "estimates": rows,
        "weights_format": v.weights_format,
        "method": method,

        "notes": notes,
        "guide": ["2.1", "5.1"],
    }
    emit(doc, json=json, human=lambda render: render.fit(doc))
