"""`llmpick fit`: the memory estimate for one model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text

from llmpick.cli.render.layout import Cell, Col, out, overlays_notice, table
from llmpick.units import (
    format_memory,
    format_params,
    format_tokens,
)

if TYPE_CHECKING:
    from llmpick.output.contract_types import Fit, FitEstimate


def _gb(x: float | None) -> str:
    return "unknown" if x is None else format_memory(x, fixed=True)


def _estimates(estimates: list[FitEstimate], *, several: bool, checked: bool) -> None:
    """A row per quantization; the memory on each device when there are several, and
    whether it fits when there is hardware to check against."""
    rows = []
    for r in estimates:
        fits: Cell = (
            "-"
            if r["fits"] is None
            else Text("yes", style="green")
            if r["fits"]
            else Text("no", style="red")
        )
        row = [
            r["quantization"] + (" (as released)" if r["as_released"] else ""),
            _gb(r["weights_gb"]),
            _gb(r["kv_cache_gb"]),
            _gb(r["overhead_gb"]),
            _gb(r["total_gb"]),
        ]
        if several:
            per_device = r.get("per_device_gb") or []
            row.append(" + ".join(format_memory(x, fixed=True) for x in per_device))
        rows.append((*row, fits) if checked else tuple(row))
    cols = [
        Col("quantization"),
        Col("weights", justify="right", drop=2),
        Col("KV cache", justify="right", drop=1),
        Col("overhead", justify="right", drop=1),
        Col("total", justify="right"),
    ]
    if several:
        cols.append(Col("per device", justify="right"))
    if checked:  # without a GPU to check against, a column of '-' says nothing
        cols.append(Col("fits", justify="right"))
    table(tuple(cols), rows)


def fit(doc: Fit, *, overlays: Sequence[str]) -> None:
    overlays_notice(overlays)
    size = format_params(doc["params_b"]) + (
        f" ({format_params(doc['active_params_b'])} active)" if doc["active_params_b"] else ""
    )
    out.print(
        Text(
            f"{doc['name']} ({doc['id']}): {size} parameters, "
            f"{format_tokens(doc['context_tokens'])} tokens of context",
            style="bold",
        )
    )
    gpu = doc["gpu_memory_gb"]
    hw = doc.get("hardware")
    checked = gpu is not None or hw is not None
    several = hw is not None and len(hw["devices_gb"]) > 1
    _estimates(doc["estimates"], several=several, checked=checked)
    if hw is not None:
        said = f"against {hw['said']}" + (f", assuming {hw['split']}" if several else "")
        out.print(said + (f" ({hw['why']})" if hw["why"] else ""))
    elif gpu is not None:
        out.print(f"against {format_memory(gpu)} of GPU memory")
    if doc["method"] == "parameter count":
        out.print(
            Text(
                "estimate: the catalog has no architecture numbers for this model, so the KV cache "
                "is sized from its parameter count; likely totals: "
                + ", ".join(
                    f"{r['quantization']} {r['range_gb'][0]:.1f}-{r['range_gb'][1]:.1f} GB"
                    for r in doc["estimates"]
                ),
                style="yellow",
            )
        )
    else:
        out.print(Text("KV cache sized from the published architecture numbers", style="dim"))
    for n in doc["notes"]:
        out.print(Text(f"note: {n}", style="dim"))
    out.print(
        Text(
            "see 'llmpick guide 2.1' on sizes and memory, 'llmpick guide 5.1' on loading",
            style="dim",
        )
    )
