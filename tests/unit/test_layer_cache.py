"""The merge of the refresh layer kept between runs (catalog/layer_cache.py): a kept plan
gives the catalog a fresh merge gives, it is used only for the same layer, catalog and
day, and a damaged plan, or one that does not fit the catalog, is made again."""

from __future__ import annotations

import dataclasses
import datetime as dt
import marshal
import stat
from pathlib import Path
from typing import Any

import pytest

from llmpick.catalog import layer_cache as C
from llmpick.catalog import layer_format as F
from llmpick.catalog import layer_merge as M
from llmpick.catalog.cache import seal
from llmpick.catalog.load import load_catalog
from llmpick.catalog.records import Catalog, to_data
from tests.unit.test_refresh import FIX, TODAY, layer_from, tables


@pytest.fixture
def curated() -> Catalog:
    return load_catalog(base=FIX / "catalog", use_cache=False)


@pytest.fixture
def raw(curated: Catalog) -> bytes:
    """A layer that changes prices, limits and a lifecycle, and adds unreviewed models."""
    lite, md = tables()
    lite["gpt-t"]["input_cost_per_token"] = 1.5e-06  # a raised price
    return F.layer_to_json(layer_from(curated, lite, md)[0]).encode()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LLMPICK_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def info(cat: Catalog) -> dict[str, Any]:
    r = cat.refresh
    assert r is not None
    data = {f.name: getattr(r, f.name) for f in dataclasses.fields(r)}
    data["changes"] = {vid: [dataclasses.astuple(c) for c in cs] for vid, cs in r.changes.items()}
    return data


def assert_same(a: Catalog, b: Catalog) -> None:
    assert to_data(a) == to_data(b)
    assert info(a) == info(b)


def fresh(cat: Catalog, raw: bytes, path: Path, on: dt.date = TODAY) -> Catalog:
    return M.apply_layer(cat, F.layer_from_json(raw), path=str(path), on=on)


def test_a_plan_kept_through_marshal_merges_as_a_fresh_merge(curated: Catalog, raw: bytes) -> None:
    layer = F.layer_from_json(raw)
    plan = M.plan_merge(curated, layer, TODAY, path="p")
    kept = marshal.loads(marshal.dumps(plan))  # plain data only: marshal refuses the rest
    got = M.apply_plan(curated, kept, TODAY)
    assert got.refresh is not None
    assert got.refresh.changes and got.refresh.unreviewed and got.refresh.confirmed
    assert_same(got, M.apply_layer(curated, layer, path="p", on=TODAY))


def test_the_kept_plan_serves_the_same_layer_catalog_and_day_only(
    curated: Catalog, raw: bytes, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "refresh.json"
    first = C.merged(curated, raw, path, TODAY)
    assert stat.S_IMODE((cache / C.MERGE_FILE).stat().st_mode) == 0o600  # as the layer
    assert_same(first, fresh(curated, raw, path))

    def planned(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("planned again")

    monkeypatch.setattr(C, "plan_merge", planned)
    assert_same(C.merged(curated, raw, path, TODAY), first)  # from the kept plan
    other = dataclasses.replace(curated, version="another")
    for again in (
        lambda: C.merged(curated, raw, path, TODAY + dt.timedelta(days=1)),  # a shutdown may pass
        lambda: C.merged(curated, raw.replace(b"1.5", b"1.7"), path, TODAY),  # another layer
        lambda: C.merged(curated, raw, tmp_path / "elsewhere.json", TODAY),
        lambda: C.merged(other, raw, path, TODAY),  # another catalog (an overlay)
    ):
        with pytest.raises(AssertionError, match="planned again"):
            again()


def test_a_damaged_plan_or_one_that_does_not_fit_is_made_again(
    curated: Catalog, raw: bytes, cache: Path, tmp_path: Path
) -> None:
    path = tmp_path / "refresh.json"
    want = C.merged(curated, raw, path, TODAY)
    kept = cache / C.MERGE_FILE
    blob = kept.read_bytes()
    kept.write_bytes(blob[:-10] + b"0" * 10)  # fails its hash
    assert_same(C.merged(curated, raw, path, TODAY), want)
    key, plan = marshal.loads(kept.read_bytes().partition(b"\n")[2])
    plan["merged"] = [("no-such-model", {"max_output": 5}, [], False)]
    payload = marshal.dumps((key, plan))
    kept.write_bytes(seal(payload))
    assert_same(C.merged(curated, raw, path, TODAY), want)
    assert marshal.loads(kept.read_bytes().partition(b"\n")[2])[1]["merged"] != plan["merged"]


def test_a_damaged_layer_is_refused_and_no_plan_kept(
    curated: Catalog, cache: Path, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="not valid JSON"):
        C.merged(curated, b'{"format": 1, "sources": ', tmp_path / "refresh.json", TODAY)
    assert not (cache / C.MERGE_FILE).exists()
