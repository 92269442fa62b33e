"""Requirements from the command line: options, a file (-r) or the walkthrough's
answers, checked against the catalog; shared by `recommend` and `why`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from llmpick.cli.state import state
from llmpick.errors import UsageError

RequirementsFile = Annotated[
    str | None,
    typer.Option(
        "--requirements",
        "-r",
        metavar="FILE",
        help="YAML or JSON file of requirements (same names as the options; options win).",
    ),
]


def requirements_from(given: dict[str, Any], path: str | None) -> Any:
    from llmpick.engine.requirements import build, read_file

    values = read_file(path) if path else {}
    values.pop("evidence", None)  # not a requirement: measured results (file_evidence)
    origin = "file" if path and not given else "options"
    values.update(given)
    if isinstance(values.get("gpu_memory"), str) and values["gpu_memory"].strip().lower() == "auto":
        values["gpu_memory"] = detected_gpu_memory()
    return build(values, origin=origin)


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
    note(f"detected with {hw.source}: {names}; sizing for {best:g} GB (one GPU)")
    return best


def check_licences(req: Any) -> None:
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
