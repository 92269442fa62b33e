"""Items best bound first, where an exact bound costs far more than a rough one: a
ranking of thousands of models by the most each can score (``scoring.most_points``)
finds the exact bound only of the few that come to its top.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class BestFirst(Generic[T]):
    """Items in the order of their exact bounds, best first (equal bounds in the order
    given), each with its bound. Each starts at a rough bound, never below its exact
    one, and its exact bound is found only when it comes to the top: an item whose rough
    bound is below the exact bound of another is never refined before that one is
    taken."""

    def __init__(self, items: list[T], rough: list[float], exact: Callable[[T], float]) -> None:
        # (minus the bound, 1 once exact, the order given, the item): on a tie, a rough
        # bound is made exact first, so that equal bounds come out in the order given
        self._heap = [
            (-most, 0, i, x) for i, (most, x) in enumerate(zip(rough, items, strict=True))
        ]
        heapq.heapify(self._heap)
        self._exact = exact

    def __len__(self) -> int:
        return len(self._heap)

    def _exact_first(self) -> None:
        heap = self._heap
        while heap and not heap[0][1]:
            _, _, i, x = heap[0]
            heapq.heapreplace(heap, (-self._exact(x), 1, i, x))

    def peek(self) -> float:
        """The best exact bound of the items not taken."""
        self._exact_first()
        return -self._heap[0][0]

    def pop(self) -> tuple[float, T]:
        """The item with the best exact bound, and that bound."""
        self._exact_first()
        most, _, _, x = heapq.heappop(self._heap)
        return -most, x

    def rest(self) -> list[T]:
        """The items not taken, in no order."""
        return [x for *_, x in self._heap]
