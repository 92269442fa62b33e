"""Options shared by the command groups, declared once.

The requirement options (``--task``, ``--gpu-memory`` ...) are shared by
``recommend`` and ``why``: ``requirement_options`` adds them to a command's
signature and hands the command the values the user gave as one dict.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Iterable
from typing import Annotated, Any

import typer

from llmpick.errors import UsageError

PANEL = "Requirements"

REQUIREMENT_OPTIONS: dict[str, Any] = {
    "task": Annotated[
        str | None,
        typer.Option(
            metavar="TASK",
            help="chat, instruct, classification, extraction, summarization, translation, qa, "
            "code, reasoning, creative or embedding.",
            rich_help_panel=PANEL,
        ),
    ],
    "access": Annotated[
        str | None,
        typer.Option(
            metavar="ACCESS",
            help="open (downloadable weights), proprietary (API only) or any.",
            rich_help_panel=PANEL,
        ),
    ],
    "hosting": Annotated[
        str | None,
        typer.Option(
            metavar="HOSTING",
            help="self (your hardware), api (a provider serves it) or any.",
            rich_help_panel=PANEL,
        ),
    ],
    "platform": Annotated[
        str | None,
        typer.Option(
            metavar="PLATFORM",
            help="Cloud it must be on: bedrock, sagemaker, vertex or azure.",
            rich_help_panel=PANEL,
        ),
    ],
    "gpu_memory": Annotated[
        str | None,
        typer.Option(
            metavar="GB",
            help="GPU memory it must fit in, e.g. 24 or 24GB, or 'auto' to detect NVIDIA GPUs.",
            rich_help_panel=PANEL,
        ),
    ],
    "quantization": Annotated[
        str | None,
        typer.Option(
            metavar="PRECISION",
            help="auto, fp16, int8 or int4 (for the memory estimate).",
            rich_help_panel=PANEL,
        ),
    ],
    "max_params": Annotated[
        str | None,
        typer.Option(
            metavar="SIZE", help="Largest size, e.g. 13 or 13B or 500M.", rich_help_panel=PANEL
        ),
    ],
    "min_context": Annotated[
        str | None,
        typer.Option(
            metavar="TOKENS",
            help="Context window it needs, e.g. 32k or 1M tokens.",
            rich_help_panel=PANEL,
        ),
    ],
    "commercial": Annotated[
        bool | None,
        typer.Option(
            "--commercial/--no-commercial",
            help="The licence must allow commercial use.",
            rich_help_panel=PANEL,
            show_default=False,
        ),
    ],
    "license": Annotated[
        list[str] | None,
        typer.Option(
            metavar="LICENCE",
            help="Allowed licence id (repeatable), e.g. apache-2.0.",
            rich_help_panel=PANEL,
        ),
    ],
    "flavour": Annotated[
        str | None,
        typer.Option(
            metavar="FLAVOUR", help="base, instruct, chat or embedding.", rich_help_panel=PANEL
        ),
    ],
    "fine_tune": Annotated[
        bool | None,
        typer.Option(
            "--fine-tune/--no-fine-tune",
            help="You will fine-tune it yourself.",
            rich_help_panel=PANEL,
            show_default=False,
        ),
    ],
    "alignment": Annotated[
        str | None,
        typer.Option(metavar="ALIGNMENT", help="safety, own-values or any.", rich_help_panel=PANEL),
    ],
    "domain": Annotated[
        str | None,
        typer.Option(
            metavar="DOMAIN",
            help="general, code, biomedical, science, math, finance, legal, safety or dialogue.",
            rich_help_panel=PANEL,
        ),
    ],
    "language": Annotated[
        str | None,
        typer.Option(
            metavar="CODE",
            help="Language it must support, as an ISO code, e.g. de.",
            rich_help_panel=PANEL,
        ),
    ],
    "needs": Annotated[
        list[str] | None,
        typer.Option(
            metavar="CAPABILITY",
            help="Capability it must have (repeatable): tools, structured-output, vision, "
            "reasoning.",
            rich_help_panel=PANEL,
        ),
    ],
    "max_price": Annotated[
        float | None,
        typer.Option(
            metavar="USD",
            help="Most USD per 1M tokens (blended 3 in : 1 out).",
            rich_help_panel=PANEL,
        ),
    ],
    "tokens_per_month": Annotated[
        str | None,
        typer.Option(
            metavar="IN:OUT",
            help="Monthly tokens IN:OUT for API cost estimates, e.g. 10M:2M.",
            rich_help_panel=PANEL,
        ),
    ],
    "include_legacy": Annotated[
        bool | None,
        typer.Option(
            "--include-legacy/--no-include-legacy",
            help="Also consider deprecated and retired models.",
            rich_help_panel=PANEL,
            show_default=False,
        ),
    ],
}


def requirement_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Give ``fn`` every requirement option; it receives them as ``given`` (set values only)."""
    hints = typing.get_type_hints(fn, include_extras=True)
    hints.pop("given", None)
    hints.pop("return", None)
    sig = inspect.signature(fn)
    own = [
        p.replace(annotation=hints.get(p.name, p.annotation))
        for p in sig.parameters.values()
        if p.name != "given"
    ]
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=ann)
        for name, ann in REQUIREMENT_OPTIONS.items()
    ]

    @functools.wraps(fn)
    def wrapper(**kwargs: Any) -> Any:
        given = {}
        for name in REQUIREMENT_OPTIONS:
            value = kwargs.pop(name, None)
            if value is not None and value != []:
                given[name] = value
        return fn(given=given, **kwargs)

    wrapper.__signature__ = sig.replace(parameters=[*own, *extra])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {**hints, **REQUIREMENT_OPTIONS}
    del wrapper.__wrapped__  # Typer must see the new signature, not the wrapped one
    return wrapper


def check_choice(option: str, value: str | None, choices: Iterable[str]) -> None:
    allowed = tuple(choices)
    if value is not None and value not in allowed:
        raise UsageError(
            f"invalid value for {option}: {value!r}; choose from: {', '.join(allowed)}"
        )
