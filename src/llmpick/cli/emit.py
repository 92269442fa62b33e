"""Machine output (JSON on stdout) without importing rich."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

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


def emit_json(data: Any) -> None:
    """Pretty JSON for a person at a terminal; compact (and much faster) for a pipe."""
    text = dumps(data, pretty=sys.stdout.isatty())
    sys.stdout.write(text)
    sys.stdout.write("\n")


def notice(text: str) -> None:
    """One line for a person on stderr (notes and warnings), leaving stdout to the data."""
    sys.stderr.write("".join(ch for ch in text if ch.isprintable()) + "\n")
