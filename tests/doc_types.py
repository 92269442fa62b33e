"""Whether a document (plain data, as a command prints it) has the shape a TypedDict
declares: every required key, no key it does not declare, and each value of its type.

mypy checks the code that builds and reads a document against its TypedDicts; where
the builder copies values out of untyped data (eval's result records, JSON read from
outside), only a real document can show that the types say the truth.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, get_args, get_origin, get_type_hints, is_typeddict


def problems(value: Any, tp: Any, where: str = "doc") -> list[str]:
    """What in ``value`` does not match ``tp``, one line each; empty when it matches."""
    origin, args = get_origin(tp), get_args(tp)
    if tp is Any:
        return []
    if is_typeddict(tp):
        return _typeddict(value, tp, where)
    if origin in (typing.Union, types.UnionType):
        found = [problems(value, a, where) for a in args]
        return [] if any(not p for p in found) else [f"{where}: {value!r} is not {tp}"]
    if origin is Literal:
        return [] if value in args else [f"{where}: {value!r} is not one of {args}"]
    if origin in (list, tuple):
        return _sequence(value, origin, args, where)
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__} is not a mapping"]
        return [
            p
            for k, v in value.items()
            for p in [*problems(k, args[0], f"{where} key"), *problems(v, args[1], f"{where}.{k}")]
        ]
    return _plain(value, tp, where)


def _sequence(value: Any, origin: Any, args: tuple[Any, ...], where: str) -> list[str]:
    """A list (JSON has no tuples: a tuple is a list of its length)."""
    if not isinstance(value, (list, tuple)):
        return [f"{where}: {type(value).__name__} is not a list"]
    each = list(args)
    if origin is list or args[-1] is Ellipsis:
        each = [args[0]] * len(value)
    elif len(value) != len(args):
        return [f"{where}: {len(value)} items, not {len(args)}"]
    return [
        p
        for i, (v, a) in enumerate(zip(value, each, strict=True))
        for p in problems(v, a, f"{where}[{i}]")
    ]


def _typeddict(value: Any, tp: Any, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: {type(value).__name__} is not a {tp.__name__}"]
    hints = get_type_hints(tp)
    found = [f"{where}.{k}: not in {tp.__name__}" for k in value if k not in hints]
    found += [f"{where}.{k}: missing" for k in tp.__required_keys__ if k not in value]
    for k, v in value.items():
        if k in hints:
            found += problems(v, hints[k], f"{where}.{k}")
    return found


def _plain(value: Any, tp: Any, where: str) -> list[str]:
    if tp is type(None) or tp is None:
        ok = value is None
    elif tp is float:  # JSON writes 2.0 as 2.0, but a float may hold a whole number
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, tp)
    return [] if ok else [f"{where}: {value!r} is not {getattr(tp, '__name__', tp)}"]
