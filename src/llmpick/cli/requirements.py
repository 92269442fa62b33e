"""Requirements from the command line: options, a file (-r) or the walkthrough's
answers, checked against the catalog; shared by `recommend`, `why`, `show` and `fit`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from llmpick.cli.state import state
from llmpick.errors import UsageError

if TYPE_CHECKING:
    from llmpick.cli.options import RequirementOptions
    from llmpick.engine.requirements import Requirements

RequirementsFile = Annotated[
    str | None,
    typer.Option(
        "--requirements",
        "-r",
        metavar="FILE",
        help="YAML or JSON file of requirements (same names as the options; options win).",
    ),
]


def requirements_from(options: RequirementOptions, path: str | None) -> Requirements:
    """The requirements of the options given and the -r file (options win); 'auto'
    memory is detected here, and names the device when it finds one."""
    from llmpick.engine.requirements import build, read_file

    given = options.given()
    values = read_file(path) if path else {}
    values.pop("evidence", None)  # not a requirement: measured results (file_evidence)
    values.update(given)
    for key, detect in _DETECTED.items():
        if isinstance(values.get(key), str) and values[key].strip().lower() == "auto":
            values[key], device = detect()
            if device and not values.get("device"):
                values["device"] = device
    return build(values, origin="file" if path and not given else "options")


def detected_gpus() -> tuple[list[float], str | None]:
    """Every NVIDIA GPU's memory, and the card (for its bandwidth) when all are one known
    model; a usage error asking for numbers when none is found."""
    from llmpick.engine.placement import device_for
    from llmpick.hardware import detect

    hw = detect()
    if not hw.gpus:
        raise UsageError(
            f"--gpus auto: {hw.problem or 'no GPU found'}",
            hint="give the memory of each GPU, e.g. --gpus 2x24 or --gpus 24+16",
        )
    from llmpick.cli.render.layout import note

    names = ", ".join(f"{g.name} {g.memory_gb:g} GB" for g in hw.gpus)
    kinds = {device_for(g.name) for g in hw.gpus}
    device = kinds.pop() if len(kinds) == 1 else None
    said = f"; bandwidth of {device}" if device else ""
    note(f"detected with {hw.source}: {names}; sizing for all {len(hw.gpus)}{said}")
    return [g.memory_gb for g in hw.gpus], device


def _gpu_memory() -> tuple[float, str | None]:
    """--gpu-memory auto: the largest GPU's memory; one GPU names no device."""
    return detected_gpu_memory(), None


def detected_gpu_memory() -> float:
    """The largest NVIDIA GPU's memory, or a usage error asking for a number."""
    from llmpick.hardware import detect

    hw = detect()
    best = hw.best_gpu_gb
    if best is None:
        ram = f" (this machine has {hw.ram_gb:g} GB of RAM)" if hw.ram_gb else ""
        raise UsageError(
            f"--gpu-memory auto: {hw.problem or 'no GPU found'}{ram}",
            hint="give the memory of the GPU you will use, e.g. --gpu-memory 24",
        )
    from llmpick.cli.render.layout import note

    names = ", ".join(f"{g.name} {g.memory_gb:g} GB" for g in hw.gpus)
    more = f"; --gpus auto uses all {len(hw.gpus)}" if len(hw.gpus) > 1 else ""
    note(f"detected with {hw.source}: {names}; sizing for {best:g} GB (one GPU){more}")
    return best


def check_licences(req: Requirements) -> None:
    unknown = [lic for lic in req.license if lic not in state.catalog.licenses]
    if unknown:
        import difflib

        close = difflib.get_close_matches(unknown[0], list(state.catalog.licenses), n=3)
        raise UsageError(
            f"invalid value for --license: unknown licence {unknown[0]!r}",
            hint=f"did you mean {', '.join(close)}?"
            if close
            else "see 'llmpick models --json' for licence ids",
        )


def detected_mac() -> tuple[float, str | None]:
    """This Mac's unified memory and chip, or a usage error asking for the number."""
    from llmpick.engine.placement import chip_for
    from llmpick.hardware import detect_mac

    mac = detect_mac()
    if mac is None:
        raise UsageError(
            "--unified-memory auto: not a Mac with Apple silicon (sysctl gave no memory size "
            "and Apple chip)",
            hint="give the memory, e.g. --unified-memory 64",
        )
    from llmpick.cli.render.layout import note

    chip = chip_for(mac.chip)
    said = f"; bandwidth of {chip}" if chip else "; name the chip with --device for speed"
    note(f"detected with sysctl: {mac.chip}, {mac.memory_gb:g} GB of unified memory{said}")
    return mac.memory_gb, chip


# the memory options that take 'auto': what detects it, and the device it names if any
_DETECTED: dict[str, Callable[[], tuple[Any, str | None]]] = {
    "gpu_memory": _gpu_memory,
    "unified_memory": detected_mac,
    "gpus": detected_gpus,
}


def file_evidence(path: str | None) -> str | None:
    """``evidence:`` in a requirements file: an eval results file, relative to it."""
    if not path:
        return None
    from pathlib import Path

    from llmpick.engine.requirements import read_file

    value = read_file(path).get("evidence")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{path}: evidence: give the path of an 'llmpick eval' results file")
    return str(Path(path).parent / value.strip())


def measured_evidence(path: str | None) -> dict[str, Any]:
    """Pass rates measured by `llmpick eval` per catalog model (``--evidence FILE``);
    models the catalog does not have are named on stderr, as are the file's gaps."""
    if path is None:
        return {}
    from llmpick.cli.render.layout import note
    from llmpick.evaluation.measured import read_measured

    measured, notes = read_measured(path)
    unknown = sorted(m for m in measured if m not in state.catalog.variants)
    if unknown:
        notes.append(
            f"results for models not in the catalog are not counted: {', '.join(unknown[:5])}"
        )
    if not measured:
        notes.append(f"no result in {path} names a catalog model (model: in the targets file)")
    for n in notes:
        note(f"--evidence: {n}")
    return {m: v for m, v in measured.items() if m in state.catalog.variants}
