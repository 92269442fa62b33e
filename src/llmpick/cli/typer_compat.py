"""Keep Typer 0.29+ from loading pydantic's validators on every run.

Typer 0.29 converts each parameter's value with a pydantic ``TypeAdapter`` that it
builds the first time the parameter is processed, and it processes every parameter
of the invoked command, ``--help`` included, given or not. Building the first one
imports pydantic's validation machinery and ``importlib.metadata`` (its plugin
loader): about 120 ms, more than half the import floor, on every command.

``deferring`` replaces the factory Typer calls for that (``typer.core.build_runtime_param``),
while llmpick's own command line is parsed, with one that defers the build until a value
needs converting, and converts the plain cases itself: a ``str`` that is already a
``str``, a ``list[str]`` of ``str``, an ``int`` or ``float`` that is a default of that
type or a plain decimal string, within the option's range. Those
conversions are what Typer's adapters do for such values (tests/cli/test_typer_compat.py
checks them against the installed Typer's own); everything else, errors included, goes
to Typer's real adapter, so messages are unchanged. Typer's own ``process_value`` and
``coerce`` (missing values, required checks, callbacks) still run as they are.

Private names relied on (Typer 0.29): ``typer.core.build_runtime_param`` (the global
``_TyperParameter.get_runtime_param`` calls), ``typer._coercion.RuntimeParam`` (its
fields ``parameter_info`` and ``annotation`` and its ``_coerce_value`` method) and the
descriptor's ``annotation``, ``parameter_info`` and ``file_annotation``. If a later Typer
drops them, ``deferring`` does nothing and llmpick is only slower; if it changes them, the
factory falls back to Typer's own. Before 0.29 Typer converts with Click's types, which
cost nothing up front: there is nothing to do.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, get_args, get_origin

_NUMBER = {
    int: re.compile(r"-?[0-9]{1,18}"),
    float: re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,15})?"),
}
_DECLINE = object()


def quick_value(descriptor: Any, value: Any) -> Any:
    """``value`` converted as Typer's adapter would, or ``_DECLINE`` to leave it to Typer."""
    annotation = descriptor.annotation
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None or info.parser is not None:
        return _DECLINE
    if annotation is str:
        return value if type(value) is str else _DECLINE
    if annotation in _NUMBER:
        return _quick_number(annotation, info, value)
    if _str_list(annotation) and isinstance(value, list | tuple):
        return list(value) if all(type(item) is str for item in value) else _DECLINE
    return _DECLINE


def _str_list(annotation: Any) -> bool:
    return get_origin(annotation) is list and get_args(annotation) == (str,)


def _quick_number(kind: type[int] | type[float], info: Any, value: Any) -> Any:
    """An int or a float: a default of that type or a plain decimal string, within the
    option's range; anything else is Typer's to convert (or to refuse)."""
    bounds = [b for b in (info.min, info.max) if b is not None]
    if kind is int and any(type(b) is not int for b in bounds):
        return _DECLINE  # pydantic refuses such a range: let Typer say so
    if type(value) is str and _NUMBER[kind].fullmatch(value):
        value = kind(value)
    elif type(value) is not kind:
        return _DECLINE
    if (info.min is not None and value < info.min) or (info.max is not None and value > info.max):
        return _DECLINE  # out of range: Typer's message, or its clamping
    return value


@functools.cache
def _factories() -> tuple[Any, Any, Any] | None:
    """Typer's module, its adapter factory and ours; None where there is nothing to do."""
    try:
        coercion: Any = importlib.import_module("typer._coercion")
    except ImportError:  # Typer before 0.29: Click's types, nothing to defer
        return None
    core: Any = importlib.import_module("typer.core")
    original: Any = getattr(core, "build_runtime_param", None)
    base: Any = getattr(coercion, "RuntimeParam", None)
    if original is None or base is None:
        return None

    @dataclass(frozen=True)
    class Deferred(base):  # type: ignore[misc]
        descriptor: Any = None
        built: list[Any] = field(default_factory=list)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                quick = quick_value(self.descriptor, value)
            except Exception:  # a descriptor of another shape: Typer's own way
                quick = _DECLINE
            if quick is not _DECLINE:
                return quick
            if not self.built:
                self.built.append(original(self.descriptor))
            return self.built[0]._coerce_value(value, param=param, ctx=ctx)

    def deferred(descriptor: Any) -> Any:
        try:
            if descriptor.file_annotation is not None:
                return original(descriptor)  # opens files; no pydantic up front
            return Deferred(
                parameter_info=descriptor.parameter_info,
                annotation=descriptor.annotation,
                descriptor=descriptor,
            )
        except Exception:  # a Typer whose descriptors changed shape: its own way
            return original(descriptor)

    return core, original, deferred


@contextlib.contextmanager
def deferring() -> Iterator[bool]:
    """Defer Typer's per-parameter adapters while llmpick's own command line is parsed
    (True if there was anything to defer); Typer's factory is put back afterwards, so
    another Typer app in the same process is not affected."""
    hook = _factories()
    if hook is None:
        yield False
        return
    core, original, deferred = hook
    core.build_runtime_param = deferred
    try:
        yield True
    finally:
        core.build_runtime_param = original
