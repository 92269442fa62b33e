"""Human units for requirements: 13B parameters, 32k tokens, 24GB of memory."""

from __future__ import annotations

import re

_NUM = r"(\d+(?:\.\d+)?|\.\d+)"
_PARAMS = re.compile(rf"^{_NUM}\s*([kmbt]?)$", re.IGNORECASE)
_TOKENS = re.compile(rf"^{_NUM}\s*([km]?)$", re.IGNORECASE)
_MEMORY = re.compile(rf"^{_NUM}\s*(gb|gib|g|mb|mib|m|tb|tib|t)?$", re.IGNORECASE)


def _clean(text: object) -> str:
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a number")
    return text.strip().replace("_", "").replace(",", "")


def parse_params(value: str | float | int) -> float:
    """Parameters in billions: '13B' -> 13.0, '500M' -> 0.5, '7' -> 7.0."""
    if isinstance(value, bool):
        raise ValueError("expected a size such as 7, 13B or 500M")
    if isinstance(value, (int, float)):
        return float(value)
    m = _PARAMS.match(_clean(value)) if isinstance(value, str) else None
    if not m:
        raise ValueError(f"{value!r} is not a size; use e.g. 7, 13B, 1.5B or 500M")
    number, unit = float(m.group(1)), m.group(2).lower()
    scale = {"": 1.0, "b": 1.0, "m": 1e-3, "k": 1e-6, "t": 1e3}[unit]
    return number * scale


def parse_tokens(value: str | int | float) -> int:
    """Tokens: '32k' -> 32,000, '1M' -> 1,000,000, '4096' -> 4096.

    k and M are decimal, so '200k' accepts a 200,000-token model and '128k' a
    131,072-token one.
    """
    if isinstance(value, bool):
        raise ValueError("expected a token count such as 4096, 32k or 1M")
    if isinstance(value, (int, float)):
        return int(value)
    m = _TOKENS.match(_clean(value)) if isinstance(value, str) else None
    if not m:
        raise ValueError(f"{value!r} is not a token count; use e.g. 4096, 32k or 1M")
    number, unit = float(m.group(1)), m.group(2).lower()
    return round(number * {"": 1, "k": 1_000, "m": 1_000_000}[unit])


def parse_memory(value: str | int | float) -> float:
    """Memory in GB: '24GB' -> 24.0, '24' -> 24.0, '512MB' -> 0.512."""
    if isinstance(value, bool):
        raise ValueError("expected a memory size such as 24, 24GB or 80GB")
    if isinstance(value, (int, float)):
        return float(value)
    m = _MEMORY.match(_clean(value)) if isinstance(value, str) else None
    if not m:
        raise ValueError(f"{value!r} is not a memory size; use e.g. 24, 24GB or 80GB")
    number, unit = float(m.group(1)), (m.group(2) or "gb").lower()
    return (
        number
        * {
            "g": 1,
            "gb": 1,
            "gib": 1,
            "m": 1e-3,
            "mb": 1e-3,
            "mib": 1e-3,
            "t": 1e3,
            "tb": 1e3,
            "tib": 1e3,
        }[unit]
    )


def parse_token_pair(value: str) -> tuple[int, int]:
    """'10M:2M' -> (10,000,000, 2,000,000) input and output tokens."""
    if not isinstance(value, str):
        raise ValueError(f"{value!r}: use INPUT:OUTPUT tokens, e.g. 10M:2M")
    parts = _clean(value).split(":")
    if len(parts) != 2:
        raise ValueError(f"{value!r}: use INPUT:OUTPUT tokens, e.g. 10M:2M")
    return parse_tokens(parts[0]), parse_tokens(parts[1])
