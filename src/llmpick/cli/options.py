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

from llmpick.engine.requirements import CHOICES
from llmpick.errors import UsageError
from llmpick.suggest import not_one_of
from llmpick.vocabulary import ACCESS_SAID, HOSTING_SAID, NEEDS, one_of


def _one_of(field: str, said: dict[str, str] | None = None) -> str:
    """'a, b or c' from a requirement's vocabulary, so help and validation agree."""
    return one_of(NEEDS if field == "needs" else CHOICES[field], said)


# name: (type, metavar, help); booleans become --name/--no-name flags
_SPEC: dict[str, tuple[Any, str | None, str]] = {
    "task": (str, "TASK", f"{_one_of('task')}."),
    "access": (str, "ACCESS", f"{_one_of('access', ACCESS_SAID)}."),
    "hosting": (str, "HOSTING", f"{_one_of('hosting', HOSTING_SAID)}."),
    "platform": (str, "PLATFORM", f"Cloud it must be on: {_one_of('platform')}."),
    "gpu_memory": (
        str,
        "GB",
        "GPU memory it must fit in, e.g. 24 or 24GB, or 'auto' to detect NVIDIA GPUs.",
    ),
    "gpus": (
        str,
        "GPUS",
        "Several GPUs: COUNTxGB (2x24, 4x80) or GB+GB (24+16), or 'auto' to detect them.",
    ),
    "unified_memory": (
        str,
        "GB",
        "A Mac's unified memory, e.g. 64 (the GPU may use part), or 'auto' on this Mac.",
    ),
    "ram": (str, "GB", "RAM for a CPU-only run, e.g. 32."),
    "device": (
        str,
        "DEVICE",
        "Your GPU or chip, for speed estimates: e.g. rtx-4090, a100-80gb, m4-max "
        "(a name it does not know lists them all).",
    ),
    "min_speed": (str, "TOK/S", "Slowest decoding you accept, tokens/s (estimated)."),
    "quantization": (str, "PRECISION", f"{_one_of('quantization')} (for the memory estimate)."),
    "max_params": (str, "SIZE", "Largest size, e.g. 13 or 13B or 500M."),
    "min_context": (str, "TOKENS", "Context window it needs, e.g. 32k or 1M tokens."),
    "commercial": (bool, None, "The licence must allow commercial use."),
    "license": (list[str], "LICENCE", "Allowed licence id (repeatable), e.g. apache-2.0."),
    "flavour": (str, "FLAVOUR", f"{_one_of('flavour')}."),
    "fine_tune": (bool, None, "You will fine-tune it yourself."),
    "alignment": (str, "ALIGNMENT", f"{_one_of('alignment')}."),
    "domain": (str, "DOMAIN", f"{_one_of('domain')} (also medical, law ...)."),
    "language": (str, "LANGUAGE", "Language it must support: a name or ISO code, e.g. de."),
    "needs": (
        list[str],
        "CAPABILITY",
        f"Capability it must have (repeatable): {_one_of('needs')}.",
    ),
    "max_price": (float, "USD", "Most USD per 1M tokens (blended 3 in : 1 out)."),
    "tokens_per_month": (
        str,
        "IN:OUT",
        "Monthly tokens IN:OUT for API cost estimates, e.g. 10M:2M.",
    ),
    "batch": (bool, None, "Latency does not matter: price at the batch rate where offered."),
    "cached_share": (
        str,
        "SHARE",
        "Share of each prompt that repeats (prompt cache), e.g. 0.6 or 60%.",
    ),
    "include_legacy": (bool, None, "Also consider deprecated and retired models."),
    "prefer": (
        str,
        "GOAL",
        f"What to optimise: {_one_of('prefer')} (default balanced).",
    ),
}


def _option(name: str, kind: Any, metavar: str | None, help: str) -> Any:
    if kind is bool:
        flag = "--" + name.replace("_", "-")
        info = typer.Option(f"{flag}/--no-{flag[2:]}", help=help, show_default=False)
    else:
        info = typer.Option(metavar=metavar, help=help)
    return Annotated[kind | None, info]


def option(name: str) -> Any:
    """The typer.Option of requirement ``name``, for a command that takes a few of them
    (fit's hardware options), with the same metavar and help as recommend's."""
    _, metavar, help = _SPEC[name]
    return typer.Option(metavar=metavar, help=help)


REQUIREMENT_OPTIONS: dict[str, Any] = {name: _option(name, *spec) for name, spec in _SPEC.items()}


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
        raise UsageError(f"invalid value for {option}: {not_one_of(value, allowed)}")


JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON to stdout instead of a table.")]

# a model named on the command line (why, fit); its help is in each command's docstring,
# since Typer 0.29 would show the argument as '<str>'
ModelArg = Annotated[
    str,
    typer.Argument(metavar="MODEL", help="Model id, name or Hugging Face repo id.", hidden=True),
]


NoPagerOpt = Annotated[
    bool,
    typer.Option(
        "--no-pager",
        help="Print straight to the terminal instead of through PAGER (or LLMPICK_PAGER).",
    ),
]
