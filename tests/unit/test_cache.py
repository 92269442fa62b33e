"""The validated-catalog cache: used when valid, never stale, rebuilt when damaged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from llmpick import catalog as catalog_mod
from llmpick.catalog import load_catalog
from llmpick.errors import CatalogError
from llmpick.records import to_data
from tests.conftest import FIXTURE_CATALOG, run_process


@pytest.fixture
def base(tmp_path: Path) -> Path:
    dest = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, dest)
    return dest


def cache_files() -> list[Path]:
    d = catalog_mod.cache_dir()
    assert d is not None
    return sorted(d.glob("catalog-*.bin"))


def test_second_load_is_served_from_cache(base: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_catalog(base=base)
    assert len(cache_files()) == 1
    calls = []
    monkeypatch.setattr(catalog_mod, "_validate_files", lambda *a: calls.append(a))
    second = load_catalog(base=base)
    assert calls == []  # YAML was not parsed again
    assert to_data(second) == to_data(first)


def test_changed_file_is_never_served_stale(base: Path) -> None:
    load_catalog(base=base)
    fam = base / "families" / "acme" / "rocket.yaml"
    fam.write_text(fam.read_text().replace("name: Rocket-7B\n", "name: Rocket-7B-renamed\n"))
    cat = load_catalog(base=base)
    assert cat.variants["rocket-7b"].name == "Rocket-7B-renamed"


def test_change_that_breaks_the_file_is_reported_not_served_from_cache(base: Path) -> None:
    load_catalog(base=base)
    fam = base / "families" / "acme" / "rocket.yaml"
    fam.write_text(fam.read_text().replace("params_b: 7.0", "params_b: seven", 1))
    with pytest.raises(CatalogError):
        load_catalog(base=base)


@pytest.mark.parametrize(
    "damage", [b"", b"{not json", b"0" * 64 + b"\n\x00\xff", b"\x00\xff" * 100]
)
def test_corrupted_cache_is_rebuilt(base: Path, damage: bytes) -> None:
    good = load_catalog(base=base)
    (path,) = cache_files()
    path.write_bytes(damage)
    again = load_catalog(base=base)
    assert to_data(again) == to_data(good)
    assert path.read_bytes() != damage  # rewritten


def test_cache_from_another_catalog_is_not_used(base: Path) -> None:
    """A well-formed cache whose recorded version differs is ignored even under the right name."""
    import hashlib
    import marshal

    from llmpick.records import catalog_rows

    good = load_catalog(base=base)
    (path,) = cache_files()
    rows = catalog_rows(good)
    rows["version"] = "0" * 64
    rows["variants"] = {}
    payload = marshal.dumps(rows)
    path.write_bytes(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    again = load_catalog(base=base)
    assert again.version == good.version and again.variants


def test_unwritable_cache_dir_only_costs_speed(
    base: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    monkeypatch.setenv("LLMPICK_CACHE_DIR", str(blocker / "cache"))
    assert load_catalog(base=base).variants


def test_no_cache_env(base: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMPICK_NO_CACHE", "1")
    load_catalog(base=base)
    monkeypatch.delenv("LLMPICK_NO_CACHE")
    assert cache_files() == []


def test_concurrent_processes_build_the_cache_safely(base: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {"LLMPICK_BASE_CATALOG": str(base), "LLMPICK_CACHE_DIR": str(tmp_path / "shared-cache")}
    import os

    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "llmpick", "models", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **env},
        )
        for _ in range(6)
    ]
    outs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    assert len({o[0] for o in outs}) == 1  # every process printed the same catalog
    files = list((tmp_path / "shared-cache").iterdir())
    assert [f.name for f in files if f.name.startswith(".catalog-")] == []  # no temp files left
    assert len([f for f in files if f.suffix == ".bin"]) == 1
    proc = run_process("models", "--json", env=env)
    assert proc.returncode == 0 and proc.stdout == outs[0][0].decode()


def age(base: Path, seconds: int = 3600) -> None:
    """Make every catalog file look last modified an hour ago (old enough to index)."""
    import os
    import time

    t = time.time() - seconds
    for p in base.rglob("*.yaml"):
        os.utime(p, (t, t))


def test_stat_index_skips_reading_unchanged_files(
    base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    age(base)
    first = load_catalog(base=base)
    d = catalog_mod.cache_dir()
    assert d is not None and len(list(d.glob("index-*"))) == 1
    monkeypatch.setattr(catalog_mod, "_read_all", lambda files: pytest.fail("files were read"))
    assert to_data(load_catalog(base=base)) == to_data(first)


def test_edited_file_is_reread_despite_the_index(base: Path) -> None:
    age(base)
    load_catalog(base=base)
    fam = base / "families" / "acme" / "rocket.yaml"
    fam.write_text(fam.read_text().replace("name: Rocket-7B\n", "name: Rocket-7B-v2\n"))
    assert load_catalog(base=base).variants["rocket-7b"].name == "Rocket-7B-v2"


def test_freshly_modified_files_are_not_indexed(base: Path) -> None:
    age(base, seconds=0)  # just modified: a same-size edit could keep this timestamp
    load_catalog(base=base)
    d = catalog_mod.cache_dir()
    assert d is not None and list(d.glob("index-*")) == []


def test_index_pointing_at_a_missing_cache_falls_back(base: Path) -> None:
    age(base)
    first = load_catalog(base=base)
    for f in cache_files():
        f.unlink()
    assert to_data(load_catalog(base=base)) == to_data(first)
