"""Fuzzing what eval and refresh read from outside: results lines, cases files, targets
files, shortlists, refresh downloads and the refresh layer. Any input either works or
raises llmpick's own error (a usage error, a refusal in words); nothing else escapes,
so no input ends in "internal error". And what the refresh writes, its reader accepts.

A fixed, repeatable sequence in CI (derandomize, a few dozen examples a test);
LLMPICK_FUZZ_LONG=1 searches anew with many more (CONTRIBUTING.md)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmpick.catalog import layer as L
from llmpick.catalog import layer_format as F
from llmpick.catalog import layer_merge as M
from llmpick.catalog import refresh as R
from llmpick.catalog import upstream as U
from llmpick.errors import LlmpickError
from llmpick.evaluation.cases import load_cases
from llmpick.evaluation.results import read_results, record_ok
from llmpick.evaluation.targets import ModelInfo, load_targets, shortlist_targets
from tests.refresh_upstream import FIX

_LONG = bool(os.environ.get("LLMPICK_FUZZ_LONG"))
FUZZ = settings(
    max_examples=2000 if _LONG else 40,
    derandomize=not _LONG,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["pass", "fail", "error", "chat", "openai", "2026-11-30", "gpt-t", "x"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(
                st.sampled_from(
                    [
                        "id",
                        "prompt",
                        "expect",
                        "messages",
                        "role",
                        "content",
                        "target",
                        "case",
                        "repeat",
                        "outcome",
                        "checks",
                        "kind",
                        "attempts",
                        "latency_s",
                        "prompt_tokens",
                        "candidates",
                        "name",
                        "base_url",
                        "served_as",
                        "model",
                        "targets",
                        "prices",
                        "input",
                        "output",
                        "equals",
                        "contains",
                        "regex",
                        "json_schema",
                        "$ref",
                        "seen",
                        "provider",
                        "mode",
                        "litellm_provider",
                        "input_cost_per_token",
                        "models",
                        "cost",
                        "limit",
                        "context",
                        "sources",
                        "format",
                    ]
                ),
                st.text(max_size=8),
            ),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=20,
)
# hostile JSON text: numbers JSON's parser takes but no caller can use, deep nesting
hostile_json = st.one_of(
    values.map(json.dumps),
    st.sampled_from(
        [
            "9" * 5000,
            '{"a": NaN}',
            "[Infinity]",
            "1e400",
            "[" * 5000 + "]" * 5000,
            '{"id": ' + "9" * 4400 + "}",
            "\ufeff{}",
            "",
        ]
    ),
    st.text(max_size=40),
)


def _no_lookup(name: str) -> ModelInfo:
    from llmpick.errors import UsageError

    raise UsageError(f"no model {name!r}")


@FUZZ
@given(lines=st.lists(hostile_json, max_size=6))
def test_results_lines(tmp_path_factory: pytest.TempPathFactory, lines: list[str]) -> None:
    path = tmp_path_factory.mktemp("res") / "out.jsonl"
    path.write_text("\n".join(lines) + "\n")
    records, bad = read_results(path)
    assert bad + len(records) <= len([x for x in lines if x.strip()]) + 1
    for rec in records.values():
        assert record_ok(rec)


@FUZZ
@given(
    items=st.lists(
        st.one_of(values, st.fixed_dictionaries({"id": scalars, "expect": values})), max_size=5
    ),
    yaml=st.booleans(),
)
def test_cases_files(
    tmp_path_factory: pytest.TempPathFactory, items: list[Any], yaml: bool
) -> None:
    import yaml as pyyaml

    d = tmp_path_factory.mktemp("cases")
    path = d / ("c.yaml" if yaml else "c.jsonl")
    if yaml:
        path.write_text(pyyaml.safe_dump(items))
    else:
        path.write_text("".join(json.dumps(i) + "\n" for i in items))
    with contextlib.suppress(LlmpickError):
        load_cases(path)


@FUZZ
@given(text=hostile_json)
def test_cases_lines_of_hostile_json(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    path = tmp_path_factory.mktemp("cases") / "c.jsonl"
    path.write_text('{"id": "a", "prompt": "x", "expect": {"equals": "x"}}\n' + text + "\n")
    with contextlib.suppress(LlmpickError):
        load_cases(path)


@FUZZ
@given(doc=values)
def test_targets_files(tmp_path_factory: pytest.TempPathFactory, doc: Any) -> None:
    import yaml as pyyaml

    path = tmp_path_factory.mktemp("t") / "targets.yaml"
    path.write_text(pyyaml.safe_dump({"targets": doc} if isinstance(doc, list) else doc))
    with contextlib.suppress(LlmpickError):
        load_targets(str(path), _no_lookup)


@FUZZ
@given(text=st.one_of(hostile_json, values.map(lambda v: json.dumps({"candidates": v}))))
def test_shortlists(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    path = tmp_path_factory.mktemp("s") / "shortlist.json"
    path.write_text(text)
    with contextlib.suppress(LlmpickError):
        shortlist_targets(str(path), "http://127.0.0.1:9/v1")


@pytest.fixture(scope="module")
def refresh_catalog() -> Any:
    from llmpick.catalog.load import load_catalog

    old = os.environ.get("LLMPICK_BASE_CATALOG")
    os.environ["LLMPICK_BASE_CATALOG"] = str(FIX / "catalog")
    try:
        return load_catalog()
    finally:
        if old is None:
            del os.environ["LLMPICK_BASE_CATALOG"]
        else:
            os.environ["LLMPICK_BASE_CATALOG"] = old


litellm_entries = st.dictionaries(
    st.one_of(
        st.sampled_from(["gpt-t", "gpt-t-old", "gpt-x", "azure/gpt-t", "llama-t"]),
        st.text(max_size=10),
    ),
    st.one_of(
        values,
        st.fixed_dictionaries(
            {
                "litellm_provider": st.sampled_from(["openai", "azure", "x"]),
                "mode": st.sampled_from(["chat", "embedding", "x"]),
            },
            optional={
                "input_cost_per_token": st.one_of(
                    st.floats(allow_nan=False), st.integers(), scalars
                ),
                "output_cost_per_token": st.one_of(
                    st.floats(allow_nan=False), st.integers(), scalars
                ),
                "max_input_tokens": st.one_of(st.integers(), scalars),
                "max_output_tokens": st.one_of(st.integers(), scalars),
                "deprecation_date": st.one_of(st.dates().map(str), scalars),
                "supports_vision": scalars,
            },
        ),
    ),
    max_size=6,
)


@FUZZ
@given(
    name=st.sampled_from(F.SOURCES), raw=st.one_of(hostile_json, litellm_entries.map(json.dumps))
)
def test_refresh_downloads_are_refused_or_make_a_layer_its_reader_accepts(
    refresh_catalog: Any, name: str, raw: str
) -> None:
    try:
        entries = U.parse_source(name, raw.encode(), "2026-11-30")
    except U.RefreshRefused:
        return
    assert all(F.entry_ok(e) for e in entries.values()), "the writer and reader disagree"
    now = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    layer, _ = R.build_layer(refresh_catalog, {name: ("https://example.org/x", entries)}, None, now)
    again = F.layer_from_json(F.layer_to_json(layer).encode())
    assert again.damaged == 0
    M.apply_layer(refresh_catalog, again, on=now.date())


@FUZZ
@given(
    models=st.dictionaries(st.text(max_size=10), values, max_size=5),
    top=st.one_of(st.just(None), values),
)
def test_the_refresh_layer(refresh_catalog: Any, models: dict[str, Any], top: Any) -> None:
    doc: Any = top
    if top is None:
        doc = {
            "format": F.FORMAT,
            "written": "2026-11-30T00:00:00+00:00",
            "sources": {
                "litellm": {
                    "url": "https://example.org/x",
                    "fetched": "2026-11-30",
                    "entries": 3,
                    "models": models,
                }
            },
        }
    try:
        layer = F.layer_from_json(json.dumps(doc).encode())
    except ValueError:
        return
    cat = M.apply_layer(refresh_catalog, layer, on=dt.date(2026, 11, 30))
    assert set(refresh_catalog.variants) <= set(cat.variants)
    assert cat.refresh is not None and cat.refresh.summary()


def test_a_layer_file_of_hostile_bytes_is_ignored_in_words(tmp_path: Path) -> None:
    for raw in (b"\xff\xfe", b"9" * 5000, b"[" * 100_000, b'{"format": 1, "sources": NaN}'):
        path = tmp_path / "refresh.json"
        path.write_bytes(raw)
        os.chmod(tmp_path, 0o700)
        layer, problem = L.read_layer(path)
        assert layer is None and problem is not None and "damaged" in problem
