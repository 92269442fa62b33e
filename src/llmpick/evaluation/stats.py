"""Small statistics for the report: the Wilson interval and percentiles (pure)."""

from __future__ import annotations

import math
from collections.abc import Sequence

Z95 = 1.959963984540054


def wilson(passed: int, total: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for ``passed`` of ``total`` (95% by default).

    Unlike the normal approximation it stays inside [0, 1] and is honest for small
    counts and for 0 or ``total`` passes: 20 of 20 gives [0.839, 1.0].
    """
    if total <= 0:
        return (0.0, 1.0)
    if not 0 <= passed <= total:
        raise ValueError(f"passed must be between 0 and {total}")
    p = passed / total
    z2 = z * z
    denom = 1 + z2 / total
    centre = (p + z2 / (2 * total)) / denom
    half = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) with linear interpolation between order
    statistics (NumPy's default); None for no values."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def not_worse(candidate: tuple[float, float], best: tuple[float, float]) -> bool:
    """Whether a pass rate is not significantly below the best: the candidate's 95%
    interval reaches the best's (a conservative test, easy to state)."""
    return candidate[1] >= best[0]
