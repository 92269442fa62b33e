"""Machine output (JSON on stdout) without importing rich."""

from __future__ import annotations

import json
import sys
from typing import Any


def emit_json(data: Any) -> None:
    """Pretty JSON for a person at a terminal; compact (and much faster) for a pipe."""
    if sys.stdout.isatty():
        text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    else:
        text = json.dumps(data, ensure_ascii=False, default=str, separators=(",", ":"))
    sys.stdout.write(text)
    sys.stdout.write("\n")


def notice(text: str) -> None:
    """One line for a person on stderr (notes and warnings), leaving stdout to the data."""
    sys.stderr.write("".join(ch for ch in text if ch.isprintable()) + "\n")
