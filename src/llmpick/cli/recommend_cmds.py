"""`recommend` and `why`: requirements in, an explained shortlist out."""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Annotated, Any

import typer

from llmpick.cli.emit import emit
from llmpick.cli.options import requirement_options
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


def _requirements(given: dict[str, Any], path: str | None) -> Any:
    from llmpick.engine.requirements import build, read_file

    values = read_file(path) if path else {}
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
    from llmpick.cli import render

    names = ", ".join(f"{g.name} {g.memory_gb:g} GB" for g in hw.gpus)
    render.note(f"detected with {hw.source}: {names}; sizing for {best:g} GB (one GPU)")
    return best


def _check_licences(req: Any) -> None:
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


@requirement_options
def recommend(
    given: dict[str, Any],
    requirements: RequirementsFile = None,
    top: Annotated[int, typer.Option(min=1, max=100, help="How many models to shortlist.")] = 5,
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
) -> None:
    """Recommend models for a task and its constraints, explaining every pick and exclusion.

    With no options in a terminal, asks its questions one by one.

    Examples:

      llmpick recommend --task chat --access open --gpu-memory 24 --commercial

      llmpick recommend --task qa --min-context 200k --json

      llmpick recommend -r requirements.yaml --export shortlist.md
    """
    if export is not None and not export.lower().endswith((".json", ".md")):
        raise UsageError(
            f"invalid value for --export: {export!r}; the file must end in .json or .md"
        )
    # nothing asked for at all: the walkthrough, which needs a terminal
    asks = not (given or requirements or no_input or explain)  # --json or --export alone ask too
    if asks and not sys.stdin.isatty():
        raise UsageError(
            "no requirements given, and no terminal to ask them in",
            hint="give options (e.g. llmpick recommend --task chat), a file with -r FILE, "
            "or --no-input for a shortlist with no constraints",
        )
    if asks:
        from llmpick.cli.walkthrough import ask

        given = ask()
    req = _requirements(given, requirements)
    _check_licences(req)

    from llmpick.engine.rank import recommend as run_engine
    from llmpick.output.build import shortlist

    cat = state.catalog
    from llmpick.catalog.query import resolve_variant

    named = [resolve_variant(cat, name).id for name in explain or []]
    rec = run_engine(cat, req, top=top, explain=tuple(named))
    doc = shortlist(cat, rec, named=named)
    if export is not None:
        from llmpick.files import write_atomic

        if export.lower().endswith(".md"):
            from llmpick.output.markdown import markdown

            write_atomic(export, markdown(doc))
        else:
            from llmpick.cli.emit import dumps

            write_atomic(export, dumps(doc, pretty=True) + "\n")

    def human(render: ModuleType) -> None:
        render.recommendation(doc, long=long)
        if export is not None:
            render.note(f"wrote {export}")

    emit(doc, json=json, human=human)


@requirement_options
def why(
    model: Annotated[
        str, typer.Argument(metavar="MODEL", help="Model id, name or Hugging Face repo id.")
    ],
    given: dict[str, Any],
    requirements: RequirementsFile = None,
    json: Annotated[bool, typer.Option("--json", help="Print the verdict as JSON.")] = False,
) -> None:
    """Explain where one model stands under the requirements: its rank or what excludes it.

    Examples:

      llmpick why llama-2-13b-chat --task chat --commercial

      llmpick why gpt-4o --platform bedrock
    """
    from llmpick.catalog.query import resolve_variant
    from llmpick.engine.rank import recommend as run_engine
    from llmpick.output.build import why as why_doc

    cat = state.catalog
    variant = resolve_variant(cat, model)
    req = _requirements(given, requirements)
    _check_licences(req)
    rec = run_engine(cat, req, top=5, explain=(variant.id,))
    doc = why_doc(cat, rec, variant.id)
    emit(doc, json=json, human=lambda render: render.verdict(doc))
