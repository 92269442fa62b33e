"""How complete the catalog's facts are, and the gaps CI refuses (``llmpick catalog stats``).

For the models the advice is about (active ones), the share that carries each fact
the engine reads: architecture numbers for memory, a release date of their own,
languages, API prices, and published results relevant to each task; and the families
whose maker's newest release was not checked in the last 90 days (the successor audit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TypedDict

from llmpick import clock
from llmpick.catalog.load_checks import spans_releases
from llmpick.catalog.records import INHERITABLE, Catalog, Variant
from llmpick.engine.evidence import (
    DOMAIN_BENCHMARKS,
    TASK_BENCHMARKS,
    base,
    canonical,
    comparable_edition,
    edition_conflict,
    measures,
    relevant,
)


def generative(v: Variant) -> bool:
    return v.architecture != "encoder-only" and v.flavour != "embedding"


def _has_arch(v: Variant) -> bool:
    return v.arch is not None and v.arch.layers is not None


class Share(TypedDict):
    have: int
    of: int
    share: float | None  # have / of to 3 places; None when there is none to have it


class Lent(TypedDict):
    models: int
    facts: dict[str, int]  # fact -> models taking it from their family
    total: int


class CoverageData(TypedDict):
    """``Coverage`` as `catalog validate --stats` prints it (the JSON and the table)."""

    active_models: int
    active_open_generative: int
    facts: dict[str, Share]
    evidence_by_task: dict[str, Share]
    evidence_for_main_task: dict[str, Share]
    gaps: list[str]
    newest_release_stale: dict[str, str | None]  # family id -> last check (None: never)
    inherited_from_family: Lent
    families_spanning_releases_that_lend_facts: list[str]
    results_naming_no_edition: dict[str, int]


@dataclass(slots=True)
class Coverage:
    active: int = 0
    open_generative: int = 0
    facts: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (have, of)
    evidence: dict[str, tuple[int, int]] = field(default_factory=dict)  # task -> (have, of)
    # current models by main task (``main_task``): how many have a result measuring it
    main_task: dict[str, tuple[int, int]] = field(default_factory=dict)
    gaps: list[str] = field(default_factory=list)  # what CI refuses
    # families whose newest-release check is missing or older than STALE_AFTER_DAYS:
    # family id -> the date of the last check (None: never checked)
    stale_checks: dict[str, dt.date | None] = field(default_factory=dict)
    models: int = 0
    inherited: dict[str, int] = field(default_factory=dict)  # fact -> models taking it
    unsplit: list[str] = field(default_factory=list)  # families spanning releases that lend
    unranked: dict[str, int] = field(default_factory=dict)  # benchmark -> results naming no edition

    def to_data(self) -> CoverageData:
        def share(pair: tuple[int, int]) -> Share:
            have, of = pair
            return {"have": have, "of": of, "share": round(have / of, 3) if of else None}

        return {
            "active_models": self.active,
            "active_open_generative": self.open_generative,
            "facts": {k: share(v) for k, v in self.facts.items()},
            "evidence_by_task": {k: share(v) for k, v in self.evidence.items()},
            "evidence_for_main_task": {k: share(v) for k, v in self.main_task.items()},
            "gaps": list(self.gaps),
            "newest_release_stale": {
                fid: (d.isoformat() if d else None) for fid, d in self.stale_checks.items()
            },
            "inherited_from_family": {
                "models": self.models,
                "facts": dict(self.inherited),
                "total": sum(self.inherited.values()),
            },
            "families_spanning_releases_that_lend_facts": list(self.unsplit),
            "results_naming_no_edition": dict(self.unranked),
        }


STALE_AFTER_DAYS = 90
"""A family's newest-release check older than this is listed as stale."""


def stale_checks(c: Catalog, today: dt.date) -> dict[str, dt.date | None]:
    """Families whose maker's newest release was never checked, or not in the last
    ``STALE_AFTER_DAYS`` days before ``today``, with the date of the last check."""
    limit = today - dt.timedelta(days=STALE_AFTER_DAYS)
    out: dict[str, dt.date | None] = {}
    for fid, f in sorted(c.families.items()):
        checked = f.newest_release.checked if f.newest_release is not None else None
        if checked is None or checked < limit:
            out[fid] = checked
    return out


def coverage(c: Catalog, today: dt.date | None = None) -> Coverage:
    active = [v for v in c.variants.values() if v.status == "active"]
    open_gen = [v for v in active if v.open_weights and generative(v)]
    out = Coverage(active=len(active), open_generative=len(open_gen))
    out.stale_checks = stale_checks(c, today or clock.today())
    out.facts = _facts(c, active, open_gen, stale=len(out.stale_checks))
    out.models = len(c.variants)
    out.inherited = {
        name: sum(name in v.inherited for v in c.variants.values()) for name in INHERITABLE
    }
    out.unsplit = sorted(
        fid
        for fid, fam in c.families.items()
        if any(c.variants[vid].inherited for vid in fam.variants if vid in c.variants)
        and spans_releases(fam.variants, c.variants)
    )
    out.evidence = _evidence_by_task(active)
    out.main_task = main_task_coverage(active)
    out.gaps = _gaps(c, open_gen)
    unranked: dict[str, int] = {}
    for v in c.variants.values():
        for e in v.evidence:
            name = canonical(e.benchmark, e.metric)
            if not comparable_edition(name):
                unranked[base(name)] = unranked.get(base(name), 0) + 1
    out.unranked = dict(sorted(unranked.items()))
    return out


def _facts(
    c: Catalog, active: list[Variant], open_gen: list[Variant], *, stale: int
) -> dict[str, tuple[int, int]]:
    """Each fact the engine reads: how many of the models it matters for carry it;
    ``stale``: the families whose newest-release check is old or missing."""
    api = [v for v in active if v.access.api or v.access.platforms]
    checked = [f.newest_release for f in c.families.values() if f.newest_release is not None]
    return {
        "architecture numbers (open generative)": (sum(map(_has_arch, open_gen)), len(open_gen)),
        "memory sized somehow (open generative)": (
            sum(1 for v in open_gen if _has_arch(v) or v.params_b is not None),
            len(open_gen),
        ),
        "parameter count (all open models)": (
            sum(v.params_b is not None for v in c.variants.values() if v.open_weights),
            sum(1 for v in c.variants.values() if v.open_weights),
        ),
        "release date": (sum(v.released is not None for v in active), len(active)),
        "languages stated": (sum(bool(v.languages) for v in active), len(active)),
        "API price (served by an API)": (sum(v.pricing is not None for v in api), len(api)),
        "context window": (sum(v.context_window is not None for v in active), len(active)),
        "newest release checked in 90 days (families)": (
            len(c.families) - stale,
            len(c.families),
        ),
        "newest release catalogued (checked families)": (
            sum(n.id is not None for n in checked),
            len(checked),
        ),
    }


def _evidence_by_task(active: list[Variant]) -> dict[str, tuple[int, int]]:
    """For each task, of the models its evidence is expected from: how many have a
    comparable result that measures it."""
    by_task: dict[str, tuple[int, int]] = {}
    for task, names in TASK_BENCHMARKS.items():
        if task is None:
            continue
        wanted = set(names)
        pool = [v for v in active if _task_pool(v, task)]
        have = sum(
            1
            for v in pool
            if any(
                measures(name, wanted) and comparable_edition(name)
                for name in (canonical(e.benchmark, e.metric) for e in v.evidence)
            )
        )
        by_task[task] = (have, len(pool))
    return by_task


def _gaps(c: Catalog, open_gen: list[Variant]) -> list[str]:
    """What CI refuses: an open model that cannot be sized, a result whose benchmark
    edition is in doubt, a source that names a path outside the project."""
    gaps = [
        f"{v.id}: an active open generative model with neither architecture numbers "
        "nor a stated reason (arch.unpublished) for estimating from its size"
        for v in open_gen
        if not _has_arch(v) and not (v.arch is not None and v.arch.unpublished)
    ]
    for v in c.variants.values():
        for i, e in enumerate(v.evidence):
            conflict = edition_conflict(e.benchmark, e.metric)
            if conflict:
                gaps.append(
                    f"{v.id}: evidence {i} ({e.benchmark}, {e.metric!r}) {conflict}; "
                    "say which one it is"
                )
    gaps += [
        f"{v.id}: open weights with no parameter count, so no GPU budget can size it "
        "(every --gpu-memory answer would drop it)"
        for v in c.variants.values()
        if v.open_weights and v.params_b is None
    ]
    for v in c.variants.values():
        cited = [*v.sources]
        if v.pricing is not None:
            cited.append(v.pricing.source)
        cited += [e.source for e in v.evidence]
        gaps += [
            f"{v.id}: source {s!r} names a path outside the project"
            for s in cited
            if "shared/" in s or s.startswith(("/", "file:", ".."))
        ]
    return gaps


MAIN_TASK_GOAL = 2 / 3
"""The share of current models that should have a result measuring their main task."""


def main_task(v: Variant) -> tuple[str, str | None, str | None]:
    """What a model is mainly for, as (label, task, domain): the job whose benchmarks
    (``relevant``) say whether it is any good. Embedding models embed; a model made
    for translation or code does that; a biomedical or science model answers questions
    of its domain; a safety model classifies; a base model is judged on general
    knowledge; any other model chats, and one that reasons (``reasoning``) reasons."""
    if v.flavour == "embedding":
        return "embedding", "embedding", None
    if v.domain in ("translation", "code"):
        return v.domain, v.domain, None
    if v.domain in DOMAIN_BENCHMARKS:
        return f"qa ({v.domain})", "qa", v.domain
    if v.domain == "safety":
        return "classification (safety)", "classification", None
    if v.flavour == "base":
        return "general (base models)", None, None
    if "reasoning" in v.capabilities:
        return "reasoning", "reasoning", None
    return "chat", "chat", None


def main_task_coverage(models: list[Variant]) -> dict[str, tuple[int, int]]:
    """For the given (current) models, by main task and in total ("all"): how many
    have a comparable result that measures that task."""
    counts: dict[str, list[int]] = {}
    for v in models:
        if not (generative(v) or v.flavour == "embedding"):
            continue
        label, task, domain = main_task(v)
        wanted = set(relevant(task, domain=domain))
        ok = any(
            measures(name, wanted) and comparable_edition(name)
            for name in (canonical(e.benchmark, e.metric) for e in v.evidence)
        )
        for key in (label, "all"):
            pair = counts.setdefault(key, [0, 0])
            pair[0] += ok
            pair[1] += 1
    return {k: (h, n) for k, (h, n) in sorted(counts.items(), key=lambda kv: kv[0] == "all")}


def _task_pool(v: Variant, task: str) -> bool:
    """The models a task's evidence is expected from."""
    if task == "embedding":
        return v.flavour == "embedding"
    if task == "classification":
        return True
    return generative(v)
