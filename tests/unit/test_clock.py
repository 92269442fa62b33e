"""One clock: llmpick.clock is the only module that reads the system date or time, so
LLMPICK_TODAY fixes the day everywhere (a module reading the clock itself once ignored
it), and the fixed day never touches elapsed time."""

from __future__ import annotations

import ast
import datetime as dt
import time
from collections.abc import Iterable

import pytest

from llmpick import clock
from tests.conftest import ROOT, source_nodes

SRC = ROOT / "src" / "llmpick"

# what reads the clock; durations (perf_counter, monotonic) read no date and are allowed
_DATE_READS = {"today", "now", "utcnow"}
_TIME_READS = {"time", "time_ns", "localtime", "gmtime", "ctime", "asctime"}


def clock_reads(source: str) -> list[str]:
    """Where ``source`` reads the system clock, as ``line: expression``."""
    return reads_in(ast.walk(ast.parse(source)))


def reads_in(nodes: Iterable[ast.AST]) -> list[str]:
    """Where a module of these syntax nodes reads the system clock."""
    found = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module == "time":
            reads = [a.name for a in node.names if a.name in _TIME_READS]
            found += [f"{node.lineno}: from time import {name}" for name in reads]
        if not isinstance(node, ast.Attribute):
            continue
        owner = ast.unparse(node.value).rsplit(".", 1)[-1]
        if (owner in {"date", "datetime"} and node.attr in _DATE_READS) or (
            owner == "time" and node.attr in _TIME_READS
        ):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize(
    "source",
    [
        "import datetime as dt\ndt.date.today()",
        "import datetime\ndatetime.datetime.now(datetime.UTC)",
        "from datetime import datetime\nstamp = datetime.utcnow",
        "import time\ntime.time()",
        "import time\ntime.time_ns()",
        "from time import time",
    ],
)
def test_the_scan_sees_a_clock_read(source: str) -> None:
    assert clock_reads(source)


@pytest.mark.parametrize(
    "source",
    [
        "import time\ntime.perf_counter()",
        "import datetime as dt\ndt.date.fromisoformat('2026-01-01')",
        "from time import perf_counter, monotonic",
    ],
)
def test_the_scan_allows_durations_and_parsing(source: str) -> None:
    assert not clock_reads(source)


def test_no_other_module_reads_the_clock() -> None:
    readers = {
        f"{p.relative_to(SRC).as_posix()}:{where}"
        for p in SRC.rglob("*.py")
        if p.name != "clock.py"
        for where in reads_in(source_nodes(p))
    }
    assert not readers, sorted(readers)


def test_the_fixed_day_is_todays_date_and_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMPICK_TODAY", "2027-03-15")
    assert clock.today() == dt.date(2027, 3, 15)
    assert clock.now().date() == dt.date(2027, 3, 15)
    assert clock.now().tzinfo is not None


def test_an_unreadable_fixed_day_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMPICK_TODAY", "next tuesday")
    assert clock.today() == dt.date.today()


def test_the_fixed_day_leaves_elapsed_time_real(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache written today must not look years old (or fresh) because the day is fixed."""
    monkeypatch.setenv("LLMPICK_TODAY", "2001-01-01")
    assert abs(clock.seconds() - time.time()) < 60
    assert abs(clock.nanoseconds() - time.time_ns()) < 60 * 10**9
