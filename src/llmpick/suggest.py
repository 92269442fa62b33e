"""Refusals that name the fix: the nearest valid word, and pydantic's errors in words.

Every file loader (catalog files, requirements, eval's cases and targets) turns a
pydantic error into a message with ``error_message``, so that a mistyped key reads
"unknown key 'regx'; did you mean 'regex'?" everywhere, never pydantic's "Extra inputs
are not permitted"; option and answer checks name the nearest choice with ``nearest``.
Imported on every run (requirements use it): nothing heavier than typing at the top.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

Schema = Mapping[str, Any]


def nearest(word: str, known: Iterable[str]) -> str | None:
    """The known word ``word`` most likely meant: the only one it starts (at least two
    letters typed), else the closest spelling; None when nothing is close."""
    import difflib  # only when something is refused: not on every run's import path

    choices = list(dict.fromkeys(known))
    low = word.strip().lower()
    starts = [c for c in choices if c.lower().startswith(low)] if len(low) >= 2 else []
    if len(starts) == 1:
        return starts[0]
    by_lower = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(low, list(by_lower), n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None


def not_one_of(value: object, choices: Sequence[str]) -> str:
    """``'chatt'; did you mean 'chat'? (choose from: chat, instruct, ...)``, or without
    the guess when nothing is close: the value, then the fix."""
    listed = ", ".join(choices)
    near = nearest(value, choices) if isinstance(value, str) else None
    if near is not None:
        return f"{value!r}; did you mean {near!r}? (choose from: {listed})"
    return f"{value!r}; choose from: {listed}"


def unknown_key(key: object, known: Iterable[str]) -> str:
    """``unknown key 'regx'; did you mean 'regex'?``, or the keys allowed there."""
    known = sorted(known)
    near = nearest(str(key), known)
    if near is not None:
        return f"unknown key {str(key)!r}; did you mean {near!r}?"
    if not known:
        return f"unknown key {str(key)!r}; nothing more may be given here"
    return f"unknown key {str(key)!r}; expected one of: {', '.join(known)}"


def keys_at(schema: Schema, loc: Sequence[int | str]) -> list[str]:
    """The keys a JSON Schema allows in the object at ``loc`` (as pydantic reports
    locations: keys, list indexes, and union member tags such as 'list[str]')."""
    defs = schema.get("$defs", {})

    def branches(s: Any, depth: int = 0) -> list[Schema]:
        if not isinstance(s, Mapping) or depth > 20:
            return []
        while "$ref" in s and isinstance(s["$ref"], str):
            s = defs.get(s["$ref"].rsplit("/", 1)[-1], {})
        subs = s.get("anyOf") or s.get("oneOf") or s.get("allOf")
        if subs:
            return [b for sub in subs for b in branches(sub, depth + 1)]
        return [s]

    current = branches(schema)
    for step in loc:
        following: list[Schema] = []
        for s in current:
            props = s.get("properties", {})
            if isinstance(step, str) and step in props:
                following += branches(props[step])
            elif isinstance(step, int) and "items" in s:
                following += branches(s["items"])
            elif isinstance(s.get("additionalProperties"), Mapping):
                following += branches(s["additionalProperties"])
        if following:  # else a union member's tag: the same objects
            current = following
    return sorted({k for s in current for k in s.get("properties", {})})


_SCHEMAS: dict[Callable[[], Schema], Schema] = {}


def _schema(make: Callable[[], Schema]) -> Schema:
    """``make()``, once per process: a file with thousands of unknown keys must not
    build its schema thousands of times."""
    if make not in _SCHEMAS:
        _SCHEMAS[make] = make()
    return _SCHEMAS[make]


def error_message(err: Mapping[str, Any], schema: Callable[[], Schema] | None = None) -> str:
    """One of pydantic's errors (``exc.errors(include_url=False)``) as a sentence.

    ``schema`` gives the JSON Schema of what was validated (called only for an unknown
    key): the keys allowed beside the unknown one, and so the nearest of them."""
    kind = err.get("type")
    loc = tuple(err.get("loc", ()))
    # a model forbids extra keys; a dataclass refuses an unexpected keyword argument
    if kind in ("extra_forbidden", "unexpected_keyword_argument") and loc:
        known = keys_at(_schema(schema), loc[:-1]) if schema is not None else []
        return unknown_key(loc[-1], known)
    return str(err.get("msg", "")).removeprefix("Value error, ")
