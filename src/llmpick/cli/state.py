"""What the root command's global options set for the subcommands."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llmpick.records import Catalog


@dataclass
class State:
    overlays: list[str] = field(default_factory=list)

    def reset(self, overlays: list[str]) -> None:
        self.overlays = overlays
        self.__dict__.pop("catalog", None)

    @cached_property
    def catalog(self) -> Catalog:
        from llmpick.catalog import load_catalog, overlay_paths_from_env

        paths = [str(p) for p in overlay_paths_from_env()] + self.overlays
        return load_catalog(paths)


state = State()
