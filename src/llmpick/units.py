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


def _parse(
    value: object, pattern: re.Pattern[str], scales: dict[str, float], what: str, examples: str
) -> float:
    """A number with an optional unit suffix, scaled; ValueError naming the expected form."""
    if isinstance(value, bool):
        raise ValueError(f"expected {what} such as {examples}")
    if isinstance(value, (int, float)):
        return float(value)
    m = pattern.match(_clean(value)) if isinstance(value, str) else None
    if not m:
        raise ValueError(f"{value!r} is not {what}; use e.g. {examples}")
    return float(m.group(1)) * scales[(m.group(2) or "").lower()]


_PARAM_SCALES = {"": 1.0, "b": 1.0, "m": 1e-3, "k": 1e-6, "t": 1e3}
_TOKEN_SCALES = {"": 1.0, "k": 1e3, "m": 1e6}
_MEMORY_SCALES = {
    **dict.fromkeys(("", "g", "gb", "gib"), 1.0),
    **dict.fromkeys(("m", "mb", "mib"), 1e-3),
    **dict.fromkeys(("t", "tb", "tib"), 1e3),
}


def parse_params(value: str | float | int) -> float:
    """Parameters in billions: '13B' -> 13.0, '500M' -> 0.5, '7' -> 7.0."""
    return _parse(value, _PARAMS, _PARAM_SCALES, "a size", "7, 13B, 1.5B or 500M")


def parse_tokens(value: str | int | float) -> int:
    """Tokens: '32k' -> 32,000, '1M' -> 1,000,000, '4096' -> 4096.

    k and M are decimal, so '200k' accepts a 200,000-token model and '128k' a
    131,072-token one.
    """
    return round(_parse(value, _TOKENS, _TOKEN_SCALES, "a token count", "4096, 32k or 1M"))


def parse_memory(value: str | int | float) -> float:
    """Memory in GB: '24GB' -> 24.0, '24' -> 24.0, '512MB' -> 0.512."""
    return _parse(value, _MEMORY, _MEMORY_SCALES, "a memory size", "24, 24GB or 80GB")


def parse_gpus(value: object) -> list[float]:
    """GPUs as memory per device: '2x24' -> [24, 24], '24+16' -> [24, 16], [24, 16]."""
    if isinstance(value, (list, tuple)):
        return [parse_memory(x) for x in value]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"{value!r}: use COUNTxGB or GB+GB, e.g. 2x24 or 24+16")
    text = _clean(str(value)).lower()
    count, sep, each = text.partition("x")
    if sep:
        if not count.strip().isdigit() or not 1 <= int(count) <= 64:
            raise ValueError(f"{value!r}: use COUNTxGB with 1 to 64 devices, e.g. 2x24")
        return [parse_memory(each)] * int(count)
    parts = text.split("+")
    try:
        if not all(p.strip() for p in parts) or len(parts) > 64:
            raise ValueError
        return [parse_memory(p) for p in parts]
    except ValueError:
        raise ValueError(f"{value!r}: use COUNTxGB or GB+GB, e.g. 2x24 or 24+16") from None


def parse_token_pair(value: str) -> tuple[int, int]:
    """'10M:2M' -> (10,000,000, 2,000,000) input and output tokens."""
    if not isinstance(value, str):
        raise ValueError(f"{value!r}: use INPUT:OUTPUT tokens, e.g. 10M:2M")
    parts = _clean(value).split(":")
    if len(parts) != 2:
        raise ValueError(f"{value!r}: use INPUT:OUTPUT tokens, e.g. 10M:2M")
    return parse_tokens(parts[0]), parse_tokens(parts[1])


# --- the one formatter for each kind of number ------------------------------------


def format_tokens(n: int) -> str:
    """Token counts as people say them: 8k, 128k (for 128,000 or 131,072), 1M, 1.05M."""
    if n >= 1024 and n % 1024 == 0 and n % 1000 != 0:
        k = n // 1024
        if k >= 1024 and k % 1024 == 0:
            return f"{k // 1024}M"
        if k < 1000:
            return f"{k}k"
    if n >= 1_000_000:
        return f"{round(n / 1e6, 2):g}M"
    if n >= 1000:
        return f"{round(n / 1e3, 1):g}k"
    return str(n)


def format_params(b: float) -> str:
    """Parameter counts given in billions: 0.35 -> 350M, 7.0 -> 7B, 1000 -> 1T."""
    if b >= 1000:
        return f"{round(b / 1000, 2):g}T"
    if b >= 1:
        return f"{round(b, 1):g}B"
    return f"{round(b * 1000):g}M"


def params_as_shown(b: float) -> float:
    """A parameter count (billions) rounded as ``format_params`` shows it (8.03 -> 8.0),
    so a size limit compares what the user reads."""
    if b >= 1000:
        return round(b / 1000, 2) * 1000
    if b >= 1:
        return round(b, 1)
    return round(b * 1000) / 1000


def format_size(params_b: float | None, active_b: float | None = None) -> str:
    """A model's size: 7B, 350M, or total/active for a mixture of experts (30B/3B)."""
    if params_b is None:
        return "n/p"
    total = format_params(params_b)
    return f"{total}/{format_params(active_b)}" if active_b else total


def format_memory(gb: float, fixed: bool = False) -> str:
    """Memory given in GB: 0.512 -> 512 MB, 22.72 -> 22.7 GB, 24.0 -> 24 GB, 1500 -> 1.5 TB;
    ``fixed``: always one decimal (24.0 GB), so a column of sizes lines up."""
    if gb >= 1000:
        return f"{round(gb / 1000, 2):g} TB"
    if gb >= 1 or (fixed and gb > 0):
        return f"{gb:.1f} GB" if fixed else f"{round(gb, 1):g} GB"
    return f"{round(gb * 1000):g} MB"


def format_estimate(gb: float) -> str:
    """A memory estimate as every answer shows it: rounded to the hundredth as the JSON
    documents store it, then to one decimal, so a table and its text agree to the digit."""
    return format_memory(round(gb, 2), fixed=True)


def format_usd(x: float | None) -> str:
    """Money at a precision that shows a fraction of a cent: $0.0042, $1.23, $1,234.50, $0."""
    if x is None:
        return "n/a"
    if x == 0:
        return "$0"
    if abs(x) >= 1:
        return f"${x:,.2f}"
    import math

    digits = max(2, 1 - math.floor(math.log10(abs(x))))  # two significant digits
    return f"${x:.{min(digits, 10)}f}"


def format_score(x: float) -> str:
    """A score out of 100, always to one decimal so a column lines up: 77.0, 80.6."""
    return f"{x:.1f}"
