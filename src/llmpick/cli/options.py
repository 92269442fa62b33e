"""Option checks shared by the command groups."""

from __future__ import annotations

from collections.abc import Iterable

from llmpick.errors import UsageError


def check_choice(option: str, value: str | None, choices: Iterable[str]) -> None:
    allowed = tuple(choices)
    if value is not None and value not in allowed:
        raise UsageError(f"invalid value for {option}: {value!r}; choose from: {', '.join(allowed)}")
