"""Exit codes and the project's error types (one family, one exit code each)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ExitCode(enum.IntEnum):
    OK = 0
    FAILURE = 1  # a runtime failure, e.g. the export cannot be written
    USAGE = 2  # bad usage or invalid requirements
    CATALOG = 3  # the catalog or an overlay is invalid
    INTERRUPTED = 130  # Ctrl-C


class LlmpickError(Exception):
    """Base of every error a user can cause; carries its exit code and a hint."""

    exit_code: ExitCode = ExitCode.FAILURE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(LlmpickError):
    exit_code = ExitCode.USAGE


class NotFoundError(UsageError):
    """A model, provider or guide section that the catalog does not have."""


@dataclass(frozen=True, eq=False)
class Problem:
    """One problem in one catalog file."""

    file: str
    message: str
    path: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class CatalogError(LlmpickError):
    exit_code = ExitCode.CATALOG

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        n = len(problems)
        super().__init__(
            f"the catalog has {n} problem{'s' if n != 1 else ''}",
            hint="fix the lines above, then run 'llmpick catalog validate'",
        )


class WriteError(LlmpickError):
    exit_code = ExitCode.FAILURE
