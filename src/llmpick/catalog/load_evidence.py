"""Merging evidence files (``evidence/<dataset>.yaml``: results imported from one public
leaderboard, keyed by variant id) into the variants they name, after each family's own
results, with the checks on each row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmpick.errors import Problem

if TYPE_CHECKING:
    from llmpick.catalog.load_files import SourceFile
    from llmpick.catalog.load_validate import Parts
    from llmpick.catalog.records import Dataset, Evidence, Variant


def merge_evidence(
    parts: Parts,
    variants: dict[str, Variant],
    datasets: dict[str, Dataset],
    problems: list[Problem],
) -> None:
    """Add each evidence file's results to its variants, after their family's own.

    The file's name is the dataset it imports, declared in datasets.yaml; every result
    cites that dataset, says its edition (``metric``: subset, version, setting) and its
    date, and names a variant of the catalog. A result its variant's family already
    records (same benchmark and score) is not repeated."""
    for src, results in parts.evidence:
        did = src.family_id
        if did not in datasets:
            problems.append(
                Problem(
                    src.label,
                    f"the file name says dataset {did!r}, which datasets.yaml does not declare",
                )
            )
            continue
        for vid, rows in results.items():
            v = variants.get(vid)
            if v is None:
                if vid not in parts.replaced_variants:  # an overlay replaced its family
                    problems.append(
                        Problem(src.label, f"{vid!r} is not a variant in the catalog", path=vid)
                    )
                continue
            found = _row_problems(src, did, vid, rows)
            if found:
                problems.extend(found)
                continue
            have = {(e.benchmark, e.score) for e in v.evidence}
            v.evidence = [*v.evidence, *(e for e in rows if (e.benchmark, e.score) not in have)]
            if src.overlay and rows:
                parts.origin[f"evidence:{vid}"] = src.overlay


def _row_problems(src: SourceFile, did: str, vid: str, rows: list[Evidence]) -> list[Problem]:
    """What is wrong with the results an evidence file of dataset ``did`` gives ``vid``:
    each must cite that dataset and say its edition and its date."""
    problems = []
    for i, e in enumerate(rows):
        for name, message in (
            (
                "source",
                None
                if e.source.startswith(f"{did}:")
                else f"source {e.source!r} does not cite this file's dataset ({did}:key)",
            ),
            (
                "metric",
                None
                if e.metric and e.metric.strip()
                else "required: the edition (subset, version, setting) the score is for",
            ),
            ("date", None if e.date is not None else "required: the date of the result"),
        ):
            if message is not None:
                loc = (vid, i, name)
                problems.append(
                    Problem(src.label, message, path=".".join(map(str, loc)), line=src.line(loc))
                )
    return problems
