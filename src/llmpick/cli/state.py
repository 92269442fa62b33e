"""What the root command's global options set for the subcommands."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llmpick.catalog.records import Catalog


@dataclass
class State:
    overlays: list[str] = field(default_factory=list)
    no_refresh: bool = False

    def reset(self, overlays: list[str], no_refresh: bool = False) -> None:
        self.overlays = overlays
        self.no_refresh = no_refresh
        self.__dict__.pop("catalog", None)
        self.__dict__.pop("curated", None)

    def overlays_in_force(self) -> list[str]:
        """The overlays (and a replaced base catalog) that the loaded catalog rests on;
        none when no command loaded it."""
        cat = self.__dict__.get("catalog")
        if cat is None:
            return []
        from llmpick.catalog.records import provenance

        return provenance(cat).in_force()

    @cached_property
    def curated(self) -> Catalog:
        """The bundled catalog and overlays, without the refresh layer."""
        from llmpick.catalog.load import load_catalog, requested_overlays

        return load_catalog(requested_overlays(self.overlays))

    @cached_property
    def catalog(self) -> Catalog:
        """The catalog every command uses: curated, plus the refresh layer unless
        --no-refresh (a note on stderr says which layer is in force)."""
        cat = self.curated
        if self.no_refresh:
            return cat
        from llmpick.catalog.layer import with_layer
        from llmpick.cli.emit import notice

        merged, problem = with_layer(cat)
        if problem is not None:
            notice(f"warning: refresh layer ignored: {problem}; run 'llmpick catalog refresh'")
        if merged is cat:
            return cat
        notice(f"note: {merged.refresh.summary()} (--no-refresh ignores them)")
        return merged


state = State()
