"""The one place that reads the system clock.

Two kinds of time, kept apart on purpose:

- **The calendar** (``today``, ``now``): the day a refresh is stamped with, the day a
  model folder read by ``fit`` was checked, the age of the catalog's data, the families
  whose last check is stale, the time an evaluation record was made. ``LLMPICK_TODAY``
  (YYYY-MM-DD) fixes the day for reproducible runs and tests; an unreadable value is
  ignored.
- **Elapsed time** (``seconds``, ``nanoseconds``): the real epoch clock, never
  overridden, for the age of a cache entry, an HTTP ``Retry-After`` date and file
  modification times: fixing the day for a reproducible answer must not make a stale
  cache look fresh or a fresh file look old. (Durations use ``time.perf_counter``
  where they are measured; that reads no date and may be used anywhere.)

What the engine ranks by is neither: recency is measured from the catalog's newest
check date (``Catalog.newest_verified``), not from this clock, so a recommendation is
reproducible from the catalog alone and does not drift as the calendar turns. A model
released a month before the catalog was checked is "recent" whenever the question is
asked; how old the catalog itself is, is the age warning's business (``today``).

``tests/unit/test_clock.py`` fails if any other module of the package reads the clock.
"""

from __future__ import annotations

import datetime as dt
import os
import time

TODAY_VARIABLE = "LLMPICK_TODAY"


def parse_day(value: object) -> dt.date | None:
    """The day a text starts with (``2026-12-07``, or a timestamp), or None."""
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _fixed_day() -> dt.date | None:
    return parse_day(os.environ.get(TODAY_VARIABLE))


def today() -> dt.date:
    """Today's date, or ``LLMPICK_TODAY``'s."""
    return _fixed_day() or dt.date.today()


def now() -> dt.datetime:
    """Now in UTC; with ``LLMPICK_TODAY`` set, that day at the present time of day."""
    real = dt.datetime.now(dt.UTC)
    fixed = _fixed_day()
    return dt.datetime.combine(fixed, real.timetz()) if fixed else real


def seconds() -> float:
    """Seconds since the epoch, real (never ``LLMPICK_TODAY``): for ages and deadlines."""
    return time.time()


def nanoseconds() -> int:
    """``seconds`` in integer nanoseconds, to compare with file modification times."""
    return time.time_ns()
