"""The coverage report and the gaps CI refuses."""

from __future__ import annotations

import dataclasses
from typing import Any

from llmpick.catalog.records import ArchNumbers
from llmpick.engine.coverage import coverage
from tests.conftest import FIXTURE_CATALOG
from tests.unit.test_engine_rules import make_catalog, make_variant


def test_an_open_generative_model_needs_numbers_or_a_stated_reason() -> None:
    bare = make_variant("bare", arch=None)
    said = make_variant("said", arch=ArchNumbers(unpublished="no public configuration"))
    report = coverage(make_catalog(bare, said, make_variant("full")))
    assert [g.split(":")[0] for g in report.gaps] == ["bare"]
    assert report.facts["architecture numbers (open generative)"] == (1, 3)
    assert report.facts["memory sized somehow (open generative)"] == (3, 3)


def test_an_open_model_without_a_parameter_count_is_a_gap() -> None:
    unsized = make_variant("unsized", params_b=None, status="legacy")
    api = make_variant("api", params_b=None, open_weights=False)
    report = coverage(make_catalog(unsized, api, make_variant("sized")))
    assert [g.split(":")[0] for g in report.gaps] == ["unsized"]
    assert report.facts["parameter count (all open models)"] == (1, 2)


def test_a_source_outside_the_project_is_a_gap() -> None:
    v = make_variant("v", sources=["shared/data/models-dev-snapshot.json: x"])
    assert any("outside the project" in g for g in coverage(make_catalog(v)).gaps)


def test_evidence_counts_only_results_relevant_to_the_task() -> None:
    from llmpick.catalog.records import Evidence

    coder = make_variant("coder", evidence=[Evidence("HumanEval", 80.0, "https://x")])
    report = coverage(make_catalog(coder, dataclasses.replace(coder, id="other", evidence=[])))
    assert report.evidence["code"] == (1, 2)
    assert report.evidence["translation"] == (0, 2)


def test_notes_that_call_a_model_dense_contradict_an_inherited_moe_flag(tmp_path: Any) -> None:
    from llmpick.catalog.load import load_catalog
    from llmpick.errors import CatalogError

    fam = tmp_path / "families" / "acme"
    fam.mkdir(parents=True)
    (fam / "mixed.yaml").write_text(
        "name: Mixed\nprovider: acme\narchitecture: decoder-only\nmoe: true\n"
        "status: active\ndescription: test\nlicense: apache-2.0\nopen_weights: true\n"
        "sources: [https://example.org]\nverified: 2026-11-26\nvariants:\n"
        "  mixed-3b:\n    name: Mixed-3B\n    flavour: chat\n"
        "    notes: A small dense (not mixture-of-experts) model.\n"
    )
    try:
        # on the small test catalog (it has the provider and licence the family names)
        load_catalog([str(tmp_path)], base=FIXTURE_CATALOG, use_cache=False)
    except CatalogError as exc:
        assert any("moe is true" in str(p) for p in exc.problems), exc.problems
    else:
        raise AssertionError("a dense model marked moe must be refused")


def _family(tmp_path: Any, newest: str) -> Any:
    fam = tmp_path / "families" / "acme"
    fam.mkdir(parents=True)
    (fam / "line.yaml").write_text(
        "name: Line\nprovider: acme\narchitecture: decoder-only\nreleased: 2026-01-10\n"
        "status: active\ndescription: test\nlicense: apache-2.0\nopen_weights: true\n"
        "sources: [https://example.org]\nverified: 2026-11-26\n" + newest + "variants:\n"
        "  line-3b:\n    name: Line-3B\n    flavour: chat\n"
    )
    return tmp_path


def _problems(path: Any) -> list[str]:
    from llmpick.catalog.load import load_catalog
    from llmpick.errors import CatalogError

    try:
        load_catalog([str(path)], base=FIXTURE_CATALOG, use_cache=False)
    except CatalogError as exc:
        return [str(p) for p in exc.problems]
    return []


def test_a_newest_release_check_is_refused_when_it_cannot_be_opened_or_resolved(
    tmp_path: Any,
) -> None:
    newest = (
        "newest_release:\n  name: Line 4\n  id: line-4b\n  released: 2026-05-01\n"
        "  checked: 2026-12-01\n  source: 'nosuchdataset:line-4'\n"
    )
    problems = _problems(_family(tmp_path, newest))
    assert any("newest_release.id" in p and "line-4b" in p for p in problems), problems
    assert any("names no dataset" in p for p in problems), problems
    later = "newest_release:\n  name: Line 4\n  released: 2026-12-05\n  checked: 2026-12-01\n"
    problems = _problems(_family(tmp_path / "b", later + "  source: https://example.org/4\n"))
    assert any("after the check date" in p for p in problems), problems


def test_stats_list_families_whose_newest_release_check_is_stale(tmp_path: Any) -> None:
    import datetime as dt

    from llmpick.catalog.load import load_catalog
    from llmpick.engine.coverage import stale_checks

    newest = (
        "newest_release:\n  name: Line-3B\n  id: line-3b\n  released: 2026-01-10\n"
        "  checked: 2026-09-01\n  source: https://example.org/line\n"
    )
    cat = load_catalog([str(_family(tmp_path, newest))], base=FIXTURE_CATALOG, use_cache=False)
    newest = cat.families["line"].newest_release
    assert newest is not None and newest.id == "line-3b"
    assert "line" not in stale_checks(cat, dt.date(2026, 11, 30))  # 90 days: still fresh
    assert stale_checks(cat, dt.date(2026, 12, 1))["line"] == dt.date(2026, 9, 1)
    never = [fid for fid, d in stale_checks(cat, dt.date(2026, 12, 1)).items() if d is None]
    assert never and "line" not in never  # the fixture's other families were never checked
    report = coverage(cat, today=dt.date(2026, 12, 1))
    assert report.to_data()["newest_release_stale"]["line"] == "2026-09-01"
    assert report.facts["newest release catalogued (checked families)"] == (1, 1)
