"""Fuzzing: any input to the catalog loader or the requirements parser either loads or
raises llmpick's own error; nothing else escapes."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmpick.catalog.load import load_catalog
from llmpick.engine.requirements import FIELD_NAMES, build
from llmpick.errors import CatalogError, UsageError
from tests.conftest import FIXTURE_CATALOG

# slow: hypothesis, a fixed sequence of examples through the loader and the parser
pytestmark = pytest.mark.slow

# CI runs a fixed sequence of examples (derandomize); LLMPICK_FUZZ_LONG=1 explores anew
# with many more (see CONTRIBUTING.md). 50 fixed examples a test: most of the time goes
# into generating the nested YAML values (about 40 ms an example), and 150 cost the
# suite 25 s for a sequence that never changes
_LONG = bool(__import__("os").environ.get("LLMPICK_FUZZ_LONG"))
FUZZ = settings(
    max_examples=3000 if _LONG else 50,
    derandomize=not _LONG,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)

yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.dates().map(str),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=25,
)
FIELDS = [
    "name",
    "provider",
    "architecture",
    "status",
    "description",
    "license",
    "open_weights",
    "sources",
    "verified",
    "variants",
    "flavour",
    "params_b",
    "context_window",
    "successor",
    "tuning",
    "access",
    "arch",
    "pricing",
    "evidence",
    "moe",
    "released",
    "domain",
]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("fuzz") / "catalog"
    shutil.copytree(FIXTURE_CATALOG, dest)
    return dest


def write_family(base: Path, data: bytes) -> Path:
    overlay = base.parent / "overlay" / "families" / "acme"
    overlay.mkdir(parents=True, exist_ok=True)
    (overlay / "fuzz.yaml").write_bytes(data)
    return overlay.parent.parent


@FUZZ
@given(st.binary(max_size=400))
def test_loader_on_random_bytes(base: Path, data: bytes) -> None:
    overlay = write_family(base, data)
    try:
        load_catalog([overlay], base=base, use_cache=False)
    except CatalogError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)


@FUZZ
@given(st.dictionaries(st.sampled_from(FIELDS), yaml_values, max_size=12))
def test_loader_on_random_family_shapes(base: Path, body: dict[str, Any]) -> None:
    import yaml

    overlay = write_family(base, yaml.safe_dump(body).encode())
    try:
        load_catalog([overlay], base=base, use_cache=False)
    except CatalogError as exc:
        assert exc.problems


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"\n #%@`?,.012")), max_size=200))
def test_loader_on_yaml_punctuation(base: Path, text: str) -> None:
    overlay = write_family(base, text.encode())
    with contextlib.suppress(CatalogError):  # either it loads or it raises our own error
        load_catalog([overlay], base=base, use_cache=False)


@FUZZ
@given(
    st.dictionaries(
        st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=10)), yaml_values, max_size=8
    )
)
def test_requirements_parser(values: dict[str, Any]) -> None:
    try:
        req = build(values, origin="file")
    except UsageError as exc:
        assert exc.message
        return
    assert set(req.to_data()) == set(FIELD_NAMES)


@FUZZ
@given(st.sampled_from(FIELD_NAMES), st.text(max_size=20))
def test_requirement_options_from_strings(name: str, value: str) -> None:
    try:
        build({name: value})
    except UsageError as exc:
        assert f"--{name.replace('_', '-')}" in exc.message or "unknown" in exc.message
