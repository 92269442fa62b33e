"""One formatter per kind of number, table-tested."""

from __future__ import annotations

import pytest

from llmpick.units import format_memory, format_params, format_size, format_tokens, format_usd


@pytest.mark.parametrize(
    ("n", "shown"),
    [
        (512, "512"),
        (8192, "8k"),
        (32_768, "32k"),
        (128_000, "128k"),
        (131_072, "128k"),
        (200_000, "200k"),
        (1_000_000, "1M"),
        (1_048_576, "1M"),
        (1_050_000, "1.05M"),
        (2_000_000, "2M"),
    ],
)
def test_tokens(n: int, shown: str) -> None:
    assert format_tokens(n) == shown


@pytest.mark.parametrize(
    ("b", "shown"),
    [(0.11, "110M"), (0.35, "350M"), (0.5, "500M"), (7.0, "7B"), (9.65, "9.7B"), (1000, "1T")],
)
def test_params(b: float, shown: str) -> None:
    assert format_params(b) == shown


def test_size_of_a_mixture_of_experts() -> None:
    assert format_size(30.5, 3.3) == "30.5B/3.3B" and format_size(None) == "n/p"


@pytest.mark.parametrize(
    ("gb", "shown", "fixed"),
    [(24.0, "24 GB", "24.0 GB"), (22.72, "22.7 GB", "22.7 GB"), (0.512, "512 MB", "0.5 GB")],
)
def test_memory(gb: float, shown: str, fixed: str) -> None:
    assert format_memory(gb) == shown and format_memory(gb, fixed=True) == fixed


@pytest.mark.parametrize(
    ("x", "shown"), [(0, "$0"), (0.0042, "$0.0042"), (1.5, "$1.50"), (1234.5, "$1,234.50")]
)
def test_money(x: float, shown: str) -> None:
    assert format_usd(x) == shown


@pytest.mark.parametrize(
    ("x", "shown"), [(77, "77.0"), (80.64, "80.6"), (0, "0.0"), (100, "100.0")]
)
def test_scores_keep_one_decimal(x: float, shown: str) -> None:
    from llmpick.units import format_score

    assert format_score(x) == shown


def test_a_small_monthly_cost_is_not_rounded_to_nothing() -> None:
    """1,000 tokens each way at $0.10/$0.50 per 1M is $0.0006, not '$0'."""
    import dataclasses
    import datetime as dt

    from llmpick.advice import monthly_cost
    from llmpick.catalog.records import Pricing
    from llmpick.units import format_usd
    from tests.unit.test_engine_rules import make_variant

    price = Pricing(input=0.10, output=0.50, as_of=dt.date(2026, 11, 1), source="x:y")
    v = dataclasses.replace(make_variant("m"), pricing=price)
    cost = monthly_cost(v, 1_000, 1_000)
    assert cost is not None and format_usd(cost["usd"]) == "$0.00060"


def test_a_large_monthly_cost_keeps_its_cents() -> None:
    """2,345,678,901 input tokens at $3 per 1M is $7,037.04, not rounded to 4 figures."""
    import dataclasses
    import datetime as dt

    from llmpick.advice import monthly_cost
    from llmpick.catalog.records import Pricing
    from llmpick.units import format_usd
    from tests.unit.test_engine_rules import make_variant

    price = Pricing(input=3.0, output=15.0, as_of=dt.date(2026, 11, 1), source="x:y")
    v = dataclasses.replace(make_variant("m"), pricing=price)
    cost = monthly_cost(v, 2_345_678_901, 0)
    assert cost is not None and format_usd(cost["usd"]) == "$7,037.04"
