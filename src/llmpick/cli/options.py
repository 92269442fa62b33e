"""Options shared by the command groups, declared once.

The requirement options (``--task``, ``--gpu-memory`` ...) are shared by ``recommend``,
``why`` and ``show``. They are declared once, as the fields of ``RequirementOptions``: a
frozen dataclass whose every field is an ``Annotated`` type carrying its
``typer.Option`` (metavar and help). A command gets them by being registered with
``cls=RequirementCommand`` (app.py) and reads them with ``RequirementOptions.of(ctx)``:
a typed object, never a dict, that ``requirements_from`` (cli/requirements.py) turns,
with a -r file, into the engine's ``Requirements``.

Why this shape, of the ways to share ~30 options between commands:

- Repeating them in each command's signature (a parameter object built from explicit
  parameters) is typed, but declares every option three times.
- Rewriting a command's ``__signature__`` and ``__annotations__`` (what this module
  did) hides the options from the type checker, and the command got a
  ``dict[str, Any]``.
- Click's extension point for this, a command class, needs neither. Typer turns the
  dataclass itself into a command (a class is a callable whose signature is its
  fields), so the options are built by Typer's own machinery exactly as a command's
  parameters are: the same metavars, help, flags and value conversion (on Typer 0.29
  through ``typer_compat`` too). ``RequirementCommand`` appends a copy of them after
  the command's own parameters, so ``--help`` lists them as before (identical at 80
  columns on Typer 0.25 and 0.29). When the command is invoked it takes their values
  out of what is passed to the function, makes the dataclass with the callback Typer
  built for it, and leaves it on the Click context. The function reaches it through
  its ``typer.Context`` parameter, Typer's documented way to Click's state: Typer
  passes a function only its own parameters, and cannot build one parameter out of
  many options.

Only documented names are used: ``typer.main.get_command``, ``TyperCommand`` and
``cls=``, Click's ``Command.invoke`` and ``Context.meta``. Shell completion finds the
options by name on the built command, as before. Typer builds them once per process
(``_declared``); building the command tree takes no longer than it did.

The walkthrough returns the same object, its answers written as the options would be
typed, so the command line it prints at the end is the one that was run.

This module has no ``from __future__ import annotations``: Typer reads the dataclass's
annotations, which are then objects made once at import, not strings to evaluate.
"""

import copy
import dataclasses
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

import typer
import typer.core
import typer.main

from llmpick.engine.requirements import CHOICES
from llmpick.errors import UsageError
from llmpick.suggest import not_one_of
from llmpick.vocabulary import ACCESS_SAID, HOSTING_SAID, NEEDS, one_of


def _one_of(field: str, said: dict[str, str] | None = None) -> str:
    """'a, b or c' from a requirement's vocabulary, so help and validation agree."""
    return one_of(NEEDS if field == "needs" else CHOICES[field], said)


def _value(metavar: str, help: str) -> Any:
    return typer.Option(metavar=metavar, help=help)


def _flag(flag: str, help: str) -> Any:
    """A --name/--no-name flag: unset (None) unless given either way."""
    return typer.Option(f"{flag}/--no-{flag[2:]}", help=help, show_default=False)


@dataclass(frozen=True, kw_only=True)
class RequirementOptions:
    """The requirement options as given on the command line (None: not given), in the
    order of --help; ``requirements_from`` (cli/requirements.py) reads them with a -r
    file into the engine's ``Requirements``."""

    task: Annotated[str | None, _value("TASK", f"{_one_of('task')}.")] = None
    access: Annotated[str | None, _value("ACCESS", f"{_one_of('access', ACCESS_SAID)}.")] = None
    hosting: Annotated[str | None, _value("HOSTING", f"{_one_of('hosting', HOSTING_SAID)}.")] = None
    platform: Annotated[
        str | None, _value("PLATFORM", f"Cloud it must be on: {_one_of('platform')}.")
    ] = None
    gpu_memory: Annotated[
        str | None,
        _value(
            "GB", "GPU memory it must fit in, e.g. 24 or 24GB, or 'auto' to detect NVIDIA GPUs."
        ),
    ] = None
    gpus: Annotated[
        str | None,
        _value(
            "GPUS",
            "Several GPUs: COUNTxGB (2x24, 4x80) or GB+GB (24+16), or 'auto' to detect them.",
        ),
    ] = None
    unified_memory: Annotated[
        str | None,
        _value(
            "GB", "A Mac's unified memory, e.g. 64 (the GPU may use part), or 'auto' on this Mac."
        ),
    ] = None
    ram: Annotated[str | None, _value("GB", "RAM for a CPU-only run, e.g. 32.")] = None
    device: Annotated[
        str | None,
        _value(
            "DEVICE",
            "Your GPU or chip, for speed estimates: e.g. rtx-4090, a100-80gb, m4-max "
            "(a name it does not know lists them all).",
        ),
    ] = None
    min_speed: Annotated[
        str | None, _value("TOK/S", "Slowest decoding you accept, tokens/s (estimated).")
    ] = None
    quantization: Annotated[
        str | None,
        _value("PRECISION", f"{_one_of('quantization')} (for the memory estimate)."),
    ] = None
    max_params: Annotated[str | None, _value("SIZE", "Largest size, e.g. 13 or 13B or 500M.")] = (
        None
    )
    min_context: Annotated[
        str | None, _value("TOKENS", "Context window it needs, e.g. 32k or 1M tokens.")
    ] = None
    commercial: Annotated[
        bool | None, _flag("--commercial", "The licence must allow commercial use.")
    ] = None
    license: Annotated[
        list[str] | None,
        _value("LICENCE", "Allowed licence id (repeatable), e.g. apache-2.0."),
    ] = None
    flavour: Annotated[str | None, _value("FLAVOUR", f"{_one_of('flavour')}.")] = None
    fine_tune: Annotated[bool | None, _flag("--fine-tune", "You will fine-tune it yourself.")] = (
        None
    )
    alignment: Annotated[str | None, _value("ALIGNMENT", f"{_one_of('alignment')}.")] = None
    domain: Annotated[
        str | None, _value("DOMAIN", f"{_one_of('domain')} (also medical, law ...).")
    ] = None
    language: Annotated[
        str | None,
        _value("LANGUAGE", "Language it must support: a name or ISO code, e.g. de."),
    ] = None
    needs: Annotated[
        list[str] | None,
        _value("CAPABILITY", f"Capability it must have (repeatable): {_one_of('needs')}."),
    ] = None
    max_price: Annotated[
        float | None, _value("USD", "Most USD per 1M tokens (blended 3 in : 1 out).")
    ] = None
    tokens_per_month: Annotated[
        str | None,
        _value("IN:OUT", "Monthly tokens IN:OUT for API cost estimates, e.g. 10M:2M."),
    ] = None
    batch: Annotated[
        bool | None,
        _flag("--batch", "Latency does not matter: price at the batch rate where offered."),
    ] = None
    cached_share: Annotated[
        str | None,
        _value("SHARE", "Share of each prompt that repeats (prompt cache), e.g. 0.6 or 60%."),
    ] = None
    include_legacy: Annotated[
        bool | None, _flag("--include-legacy", "Also consider deprecated and retired models.")
    ] = None
    prefer: Annotated[
        str | None,
        _value("GOAL", f"What to optimise: {_one_of('prefer')} (default balanced)."),
    ] = None

    def given(self) -> dict[str, Any]:
        """The options given, by requirement name, in the order of --help."""
        values = ((f.name, getattr(self, f.name)) for f in dataclasses.fields(self))
        return {name: v for name, v in values if v is not None and v != []}

    @staticmethod
    def of(ctx: typer.Context) -> "RequirementOptions":
        """The options given to a command registered with ``cls=RequirementCommand``."""
        found = ctx.meta.get(_META)
        if not isinstance(found, RequirementOptions):
            raise TypeError(f"{ctx.info_name} is not registered with cls=RequirementCommand")
        return found


_META = "llmpick.requirement_options"


@functools.cache
def _declared() -> Any:
    """The requirement options as a command of their own, built by Typer once: its
    parameters are the options, and its callback makes a RequirementOptions of their
    values."""
    app = typer.Typer(add_completion=False)
    app.command()(RequirementOptions)
    return typer.main.get_command(app)


class RequirementCommand(typer.core.TyperCommand):
    """A command with every requirement option after its own (``app.command(...,
    cls=RequirementCommand)``); it reads them with ``RequirementOptions.of(ctx)``."""

    def __init__(self, *args: Any, params: list[Any] | None = None, **kwargs: Any) -> None:
        # a copy of each option for each command (completion attaches values to them)
        options = [copy.copy(p) for p in _declared().params]
        self._requirement_names = [p.name for p in options]
        super().__init__(*args, params=[*(params or []), *options], **kwargs)

    def invoke(self, ctx: Any) -> Any:
        # the function takes only its own parameters: the options go to the context
        values = {name: ctx.params.pop(name, None) for name in self._requirement_names}
        ctx.meta[_META] = _declared().callback(**values)
        return super().invoke(ctx)


def option(name: str) -> Any:
    """The typer.Option of requirement ``name``, for a command that takes a few of them
    (fit's hardware options), with the same metavar and help as recommend's."""
    hint = RequirementOptions.__annotations__[name]
    return hint.__metadata__[0]


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
