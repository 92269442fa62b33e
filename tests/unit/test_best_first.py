"""BestFirst: items in the order of their exact bounds, refined only at the top."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmpick.engine.best_first import BestFirst


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3)), max_size=30))
def test_items_come_out_as_a_stable_sort_by_their_exact_bounds(
    pairs: list[tuple[int, int]],
) -> None:
    """Whatever the rough bounds (each at least the exact one), the order is that of
    sorting by the exact bound, best first, equal bounds in the order given."""
    exact = [float(e) for e, _ in pairs]
    rough = [e + slack for e, slack in pairs]
    best = BestFirst(list(range(len(pairs))), rough, lambda i: exact[i])
    taken = [best.pop() for _ in range(len(pairs))]
    assert taken == [(exact[i], i) for i in sorted(range(len(pairs)), key=lambda i: -exact[i])]
    assert not best


def test_an_exact_bound_is_found_only_for_items_that_reach_the_top() -> None:
    asked: list[str] = []
    exact = {"a": 9.0, "b": 5.0, "c": 1.0, "d": 0.5}

    def find(x: str) -> float:
        asked.append(x)
        return exact[x]

    best = BestFirst(["a", "b", "c", "d"], [10.0, 8.0, 4.0, 3.0], find)
    assert best.pop() == (9.0, "a")
    assert best.peek() == 5.0
    assert asked == ["a", "b"]  # c's rough bound, 4, cannot reach b's 5
    assert sorted(best.rest()) == ["b", "c", "d"]
    assert len(best) == 3


def test_an_empty_queue_has_no_top() -> None:
    best: BestFirst[str] = BestFirst([], [], float)
    assert len(best) == 0 and best.rest() == []
    with pytest.raises(IndexError):
        best.pop()
