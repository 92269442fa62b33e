"""JSON in and out. Reading untrusted JSON: the one loader for every JSON document from
outside (a reply, a cases or results line, a shortlist, a requirements file, a
downloaded table, the refresh layer). Writing: ``dumps``, the one writer of every JSON
document llmpick prints or exports.

``json.loads`` lets through what no caller can use and fails in ways callers do not
expect: ``NaN``, ``Infinity`` and ``1e400`` (which becomes infinity) are numbers to it;
an integer of more than 4,300 digits raises a plain ValueError, and deep nesting a
RecursionError. Here every one of those is a ``JsonProblem``, a ``JSONDecodeError``
with a message in words, so a caller that handles bad JSON handles them too, and every
number that comes back is finite, every integer at most ``MAX_INT_DIGITS`` digits long.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_INT_DIGITS = 100


class JsonProblem(json.JSONDecodeError):
    """JSON that is invalid, or valid but unusable (a number out of range, too deep)."""

    def __init__(self, msg: str, doc: str, pos: int) -> None:
        super().__init__(msg, doc, max(pos, 0))


def loads(data: str | bytes) -> Any:
    """Parse JSON text (or UTF-8 bytes); JsonProblem for anything unusable."""
    if isinstance(data, bytes | bytearray):
        try:
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise JsonProblem("not UTF-8 text", "", exc.start) from None
    else:
        text = data

    def where(token: str) -> int:
        return text.find(token)

    def big_int(token: str) -> int:
        if len(token.lstrip("-")) > MAX_INT_DIGITS:
            raise JsonProblem(
                f"a number of {len(token.lstrip('-')):,} digits (at most {MAX_INT_DIGITS})",
                text,
                where(token),
            )
        return int(token)

    def finite(token: str) -> float:
        f = float(token)
        if not math.isfinite(f):
            raise JsonProblem(f"the number {token[:30]} is out of range", text, where(token))
        return f

    def constant(token: str) -> Any:
        raise JsonProblem(f"{token} is not a number JSON allows", text, where(token))

    try:
        return json.loads(text, parse_int=big_int, parse_float=finite, parse_constant=constant)
    except JsonProblem:
        raise
    except json.JSONDecodeError as exc:
        raise JsonProblem(exc.msg, text, exc.pos) from None
    except RecursionError:
        raise JsonProblem("nested too deeply", text, 0) from None


# DEL and C1 controls, bidi marks, overrides and isolates: valid inside a JSON string,
# but a terminal would act on them, so they are written as \u escapes (the same JSON).
# json.dumps escapes C0 controls itself; outside strings there is only JSON's own text.
_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def dumps(data: Any, *, pretty: bool = False) -> str:
    """JSON text of ``data``: NaN and infinity refused, terminal controls escaped."""
    if pretty:
        text = json.dumps(data, indent=2, ensure_ascii=False, default=str, allow_nan=False)
    else:
        text = json.dumps(
            data, ensure_ascii=False, default=str, separators=(",", ":"), allow_nan=False
        )
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
