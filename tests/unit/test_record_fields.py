"""Every field of a catalog file reaches the runtime record, and the cache gives it back.

The file schema (catalog/fileformat.py) and the runtime records (catalog/records.py)
are written separately; these tests fail when a field is added to one side only, when
loading drops a value, or when the cache's positional rows lose or swap one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import marshal
from pathlib import Path
from typing import Any

import pytest
import yaml

from llmpick.catalog.cache import catalog_from_rows, catalog_rows
from llmpick.catalog.fileformat import (
    DATASET,
    LICENSE,
    PROVIDER,
    FamilyIn,
    VariantFields,
    VariantIn,
)
from llmpick.catalog.load import load_catalog
from llmpick.catalog.records import (
    Access,
    ArchNumbers,
    Dataset,
    Evidence,
    Family,
    License,
    Pricing,
    Provider,
    Variant,
)
from tests.conftest import FIXTURE_CATALOG


def names(cls: Any) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


# keys a file may hold that are consumed while loading and kept on no record
LOAD_TIME_ONLY = {"replaces"}  # an overlay's accountability flag, kept in the provenance
# runtime fields no file field of the same name sets
DERIVED = {
    Variant: {"id", "family", "provider", "architecture", "inherited"},  # key, family file
    Family: {"id", "file"},  # the file's name and path
}
# family-file fields that are defaults for its variants rather than facts of the family
FOR_VARIANTS = set(VariantFields.model_fields) - {"sources"}


def test_every_file_field_maps_to_a_runtime_field() -> None:
    assert set(VariantIn.model_fields) - names(Variant) == set()
    assert names(Variant) - set(VariantIn.model_fields) == DERIVED[Variant]
    assert set(FamilyIn.model_fields) - names(Family) == FOR_VARIANTS
    assert names(Variant) >= FOR_VARIANTS
    assert names(Family) - set(FamilyIn.model_fields) == DERIVED[Family]
    assert {"architecture", "modalities"} <= set(FamilyIn.model_fields)
    for adapter, cls in ((PROVIDER, Provider), (LICENSE, License), (DATASET, Dataset)):
        assert set(adapter.json_schema()["properties"]) == names(cls)
    assert not LOAD_TIME_ONLY & (set(VariantIn.model_fields) | set(FamilyIn.model_fields))


# --- a catalog in which every field is set, to a value no default gives -------------

PROVIDERS = {
    "zeta": {
        "name": "Zeta Labs",
        "kinds": ["community", "academia-government"],
        "channels": ["open-weights", "bedrock"],
        "homepage": "https://zeta.example",
        "description": "A fictional provider.",
        "guide": ["1.4"],
    }
}
LICENSES = {
    "zeta-licence": {
        "name": "Zeta Licence",
        "commercial_use": "conditional",
        "spdx": "LicenseRef-Zeta",
        "url": "https://zeta.example/licence",
        "condition": "fewer than 1000 users",
        "osi_approved": True,
        "proprietary": True,
    }
}
DATASETS = {
    "zset": {
        "name": "Zeta tables",
        "url": "https://zeta.example/tables.json",
        "snapshot": "2026-10-01",
        "license": "zeta-licence",
        "repository": "https://zeta.example/tables",
        "key": "entry id",
    }
}
ARCH = {
    "layers": 40,
    "hidden_size": 5120,
    "attention_heads": 40,
    "kv_heads": 8,
    "head_dim": 128,
    "sliding_window": 4096,
    "full_attention_layers": 10,
    "experts": 1,
    "active_experts": 1,
    "kv_lora_rank": 512,
    "qk_rope_head_dim": 64,
    "kv_layers": 30,
    "unpublished": "only some numbers are public",
}
EVERY = {  # sets every field of VariantIn, each unlike its default and its family's
    "name": "Zeta-12B-Every",
    "flavour": "instruct",
    "tuning": ["sft", "dpo"],
    "params_b": 12.5,
    "active_params_b": 12.5,
    "max_output": 4096,
    "released": dt.date(2025, 2, 1),  # one release with the family's (no months apart)
    "moe": False,
    "weights_format": "fp8",
    "api_status": "deprecated",
    "base_model": "zeta-12b-inherits",
    "status": "deprecated",
    "successor": "rocket-7b-chat",
    "access": {
        "hf_repo": "zeta/Zeta-12B-Every",
        "ollama": "zeta:12b",
        "api": "zeta-12b-every",
        "platforms": {"bedrock": "zeta.zeta-12b-v1"},
    },
    "arch": ARCH,
    "pricing": {
        "input": 0.5,
        "output": 1.5,
        "as_of": dt.date(2026, 11, 1),
        "source": "zset:zeta.zeta-12b",
        "long_above": 200_000,
        "long_input": 1.0,
        "long_output": 3.0,
        "batch_input": 0.25,
        "batch_output": 0.75,
        "cached_input": 0.05,
        "tiers_source": "zset:zeta.zeta-12b-tiers",
    },
    "evidence": [
        {
            "benchmark": "MMLU",
            "score": 71.5,
            "source": "https://zeta.example/results",
            "metric": "accuracy",
            "date": dt.date(2026, 1, 5),
        }
    ],
    "languages": ["de", "fr"],
    "modalities": ["text", "image", "video"],
    "domain": "code",
    "notes": "Made up for a test.",
    "license": "zeta-licence",
    "open_weights": True,
    "context_window": 65536,
    "capabilities": ["vision", "reasoning"],
    "reasoning": "switchable",
    "sources": ["zset:zeta.zeta-12b"],
    "verified": dt.date(2026, 11, 20),
}
FAMILY = {  # sets every field of FamilyIn
    "name": "Zeta",
    "provider": "zeta",
    "released": dt.date(2025, 1, 1),
    "architecture": "encoder-decoder",
    "moe": True,
    "modalities": ["text", "image"],
    "languages": ["en", "ja"],
    "domain": "biomedical",
    "status": "legacy",
    "successor": "rocket",
    "description": "A fictional family that sets every field.",
    "guide": ["2.16", "3"],
    "aliases": ["zeta"],
    "license": "apache-2.0",
    "open_weights": False,
    "context_window": 32768,
    "capabilities": ["tools", "vision"],  # its image input
    "reasoning": "always",
    "sources": ["https://zeta.example/family"],
    "verified": dt.date(2026, 11, 1),
    "variants": {
        "zeta-12b-every": EVERY,
        "zeta-12b-inherits": {"name": "Zeta-12B-Inherits", "flavour": "base"},
    },
    "newest_release": {
        "name": "Zeta-12B-Every",
        "checked": dt.date(2026, 11, 15),
        "source": "zset:zeta.zeta-12b",
        "released": dt.date(2025, 6, 1),
        "id": "zeta-12b-every",
    },
}


def test_the_synthetic_files_set_every_field_unlike_its_default() -> None:
    assert set(EVERY) == set(VariantIn.model_fields)
    assert set(FAMILY) == set(FamilyIn.model_fields)
    assert set(PROVIDERS["zeta"]) == names(Provider) - {"id"}
    assert set(LICENSES["zeta-licence"]) == names(License) - {"id"}
    assert set(DATASETS["zset"]) == names(Dataset) - {"id"}
    assert set(EVERY["access"]) == names(Access)  # type: ignore[arg-type]
    assert set(ARCH) == names(ArchNumbers)
    assert set(EVERY["pricing"]) == names(Pricing)  # type: ignore[arg-type]
    assert set(EVERY["evidence"][0]) == names(Evidence)  # type: ignore[index]
    for model, data in ((VariantIn, EVERY), (FamilyIn, FAMILY)):
        for name, info in model.model_fields.items():
            if not info.is_required():
                assert data[name] != info.get_default(call_default_factory=True), name
    for name in FOR_VARIANTS:  # the variant's own value must differ from the family's
        assert EVERY[name] != FAMILY[name], name


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    root = tmp_path / "zeta-overlay"
    (root / "families" / "zeta").mkdir(parents=True)
    for name, data in (
        ("providers.yaml", PROVIDERS),
        ("licenses.yaml", LICENSES),
        ("datasets.yaml", DATASETS),
        ("families/zeta/zeta.yaml", FAMILY),
    ):
        (root / name).write_text(yaml.safe_dump(data, sort_keys=False))
    return root


def plain(value: Any) -> Any:
    """A record as data that keeps each value's type (dates stay dates)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)},
        )
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return (type(value).__name__, value)


def as_file(value: Any) -> Any:
    """A runtime value in the shape a file writes it (records as mappings)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_file(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [as_file(v) for v in value]
    if isinstance(value, dict):
        return {k: as_file(v) for k, v in value.items()}
    return value


def test_every_file_value_reaches_the_runtime_records(catalog_dir: Path) -> None:
    cat = load_catalog([catalog_dir], base=FIXTURE_CATALOG, use_cache=False)
    every, inherits = cat.variants["zeta-12b-every"], cat.variants["zeta-12b-inherits"]
    family = cat.families["zeta"]
    for name, value in EVERY.items():
        got = as_file(getattr(every, name))
        if name == "sources":  # the family's sources come first, then the variant's
            assert got == [*FAMILY["sources"], *value], name
        else:
            assert got == value, name
    for name in FOR_VARIANTS:
        assert as_file(getattr(inherits, name)) == FAMILY[name], name
    assert inherits.moe is True and inherits.successor == "rocket"
    assert (every.id, every.family, every.provider) == ("zeta-12b-every", "zeta", "zeta")
    assert every.architecture == "encoder-decoder" and every.inherited == []
    assert inherits.modalities == FAMILY["modalities"]
    assert inherits.inherited == ["released", "modalities", "languages", "context_window"]
    for name, value in FAMILY.items():
        if name == "variants":
            assert family.variants == list(value)  # type: ignore[arg-type]
        elif name not in FOR_VARIANTS:
            assert as_file(getattr(family, name)) == value, name
    assert family.file.endswith("zeta.yaml")
    for table, data in (
        (cat.providers, PROVIDERS),
        (cat.licenses, LICENSES),
        (cat.datasets, DATASETS),
    ):
        for key, fields in data.items():
            assert as_file(table[key]) == {"id": key, **fields}


def test_the_cache_gives_back_every_field_with_its_type(catalog_dir: Path) -> None:
    fresh = load_catalog([catalog_dir], base=FIXTURE_CATALOG, use_cache=False)
    rows = marshal.loads(marshal.dumps(catalog_rows(fresh)))
    back = catalog_from_rows(rows)
    back.provenance = fresh.provenance  # load_catalog stores it beside the rows
    assert plain(back) == plain(fresh)
    load_catalog([catalog_dir], base=FIXTURE_CATALOG)  # builds the cache
    cached = load_catalog([catalog_dir], base=FIXTURE_CATALOG)  # reads it
    assert plain(cached) == plain(fresh)
    # the records hold the synthetic values, not the defaults, so a lost field shows
    assert plain(fresh.variants["zeta-12b-every"]) != plain(fresh.variants["zeta-12b-inherits"])


def test_plain_sees_a_swapped_or_retyped_value() -> None:
    p = Pricing(0.5, 1.5, dt.date(2026, 1, 1), "https://x.example")
    assert plain(p) != plain(Pricing(1.5, 0.5, p.as_of, p.source))
    assert plain(p) != plain(dataclasses.replace(p, as_of="2026-01-01"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "field",
    ["input", "output", "cached_input", "long_input", "long_output", "batch_input", "batch_output"],
)
def test_every_price_is_refused_negative(field: str) -> None:
    """Each price of a Pricing, whether or not the others are given (the check also runs
    on every price read back from the cache)."""
    tiers = {
        "long_input": {"long_above": 200_000, "long_input": 1.0, "long_output": 1.0},
        "long_output": {"long_above": 200_000, "long_input": 1.0, "long_output": 1.0},
        "batch_input": {"batch_input": 1.0, "batch_output": 1.0},
        "batch_output": {"batch_input": 1.0, "batch_output": 1.0},
    }.get(field, {})
    given: dict[str, Any] = {"input": 1.0, "output": 1.0, **tiers}
    if field != "input" and field != "output":
        given["tiers_source"] = "litellm:example"
    Pricing(as_of=dt.date(2026, 1, 1), source="https://x.example", **given)  # as given: fine
    given[field] = -0.01
    with pytest.raises(ValueError, match="negative"):
        Pricing(as_of=dt.date(2026, 1, 1), source="https://x.example", **given)
