"""The validated-catalog cache: used when valid, never stale, rebuilt when damaged."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from llmpick.catalog import cache as cache_mod
from llmpick.catalog import load as load_mod
from llmpick.catalog.load import load_catalog
from llmpick.catalog.records import to_data
from llmpick.errors import CatalogError
from tests.conftest import FIXTURE_CATALOG

# every test here starts with an empty cache directory of its own
pytestmark = pytest.mark.private_cache


@pytest.fixture
def base(tmp_path: Path) -> Path:
    dest = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, dest)
    return dest


def cache_files() -> list[Path]:
    d = cache_mod.cache_dir()
    assert d is not None
    return sorted(d.glob("catalog-*.bin"))


def test_second_load_is_served_from_cache(base: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_catalog(base=base)
    assert len(cache_files()) == 1
    calls = []
    monkeypatch.setattr(load_mod, "_validate_files", lambda *a: calls.append(a))
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
    import marshal

    from llmpick.catalog.cache import catalog_rows

    good = load_catalog(base=base)
    (path,) = cache_files()
    rows = catalog_rows(good)
    rows["version"] = "0" * 64
    rows["variants"] = tuple([] for _ in rows["variants"])  # no variants, in columns
    payload = marshal.dumps(rows)
    path.write_bytes(cache_mod.seal(payload))
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


@pytest.mark.slow  # processes racing to build one cache: each parses the catalog
def test_concurrent_processes_build_the_cache_safely(
    base: Path, tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
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
    # and what they built reads back (in-process, with nothing loaded: a private cache)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    again = cli("models", "--json")
    assert again.code == 0 and again.out == outs[0][0].decode()


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
    d = cache_mod.cache_dir()
    assert d is not None and len(list(d.glob("index-*"))) == 1
    monkeypatch.setattr(load_mod, "_read_all", lambda files: pytest.fail("files were read"))
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
    d = cache_mod.cache_dir()
    assert d is not None and list(d.glob("index-*")) == []


def test_index_pointing_at_a_missing_cache_falls_back(base: Path) -> None:
    age(base)
    first = load_catalog(base=base)
    for f in cache_files():
        f.unlink()
    assert to_data(load_catalog(base=base)) == to_data(first)


# --- a cache no one else can poison (issue 12) -------------------------------------


def _planted(good: object, change: Callable[[dict[str, Any]], None]) -> bytes:
    """A cache file with a valid hash whose payload was changed by ``change``."""
    import marshal

    from llmpick.catalog.cache import catalog_rows

    rows = catalog_rows(good)  # type: ignore[arg-type]
    rows["provenance"] = cache_mod.provenance(good).to_data()  # type: ignore[arg-type]
    change(rows)
    payload = marshal.dumps(rows)
    return cache_mod.seal(payload)


def _column(rows: dict[str, Any], table: str, field: str) -> list[Any]:
    """One column of a cached table (``catalog_rows`` stores a table as a tuple of
    columns in the record's field order)."""
    from llmpick.catalog.cache import _TABLES

    cls = dict(_TABLES)[table]
    column: list[Any] = rows[table][list(cls.__dataclass_fields__).index(field)]
    return column


def _set(rows: dict[str, Any], table: str, key: str, field: str, value: object) -> None:
    _column(rows, table, field)[_column(rows, table, "id").index(key)] = value


def _set_licence(rows: dict[str, Any], field: str, value: object) -> None:
    _set(rows, "licenses", "apache-2.0", field, value)


def _set_params(rows: dict[str, Any], value: object) -> None:
    _set(rows, "variants", "rocket-7b", "params_b", value)


def _drop(rows: dict[str, Any], table: str, key: str) -> None:
    """The record ``key`` taken out of every column of ``table``."""
    at = _column(rows, table, "id").index(key)
    for column in rows[table]:
        del column[at]


def _one_more_result(rows: dict[str, Any]) -> None:
    """The first variant said to have one more published result than are stored."""
    counts, _results = _column(rows, "variants", "evidence")
    counts[0] += 1


@pytest.mark.parametrize(
    "change",
    [
        lambda rows: _set_licence(rows, "commercial_use", "maybe"),  # outside its vocabulary
        lambda rows: _set_licence(rows, "name", ["not", "a", "name"]),
        lambda rows: _set_params(rows, float("nan")),
        lambda rows: _set_params(rows, float("inf")),
        lambda rows: _set_params(rows, "seven"),
        lambda rows: _drop(rows, "licenses", "apache-2.0"),  # a dangling reference
        lambda rows: rows.pop("provenance"),
        # the shape of the columns themselves
        lambda rows: _column(rows, "variants", "params_b").pop(),  # one value short
        lambda rows: _set(rows, "variants", "rocket-7b", "id", "rocket-7b-chat"),  # twice
        lambda rows: _set(rows, "variants", "rocket-7b", "released", "last spring"),
        _one_more_result,
    ],
)
def test_a_hash_valid_payload_with_bad_values_is_rebuilt(
    base: Path, change: Callable[[dict[str, Any]], None]
) -> None:
    good = load_catalog(base=base)
    (path,) = cache_files()
    path.write_bytes(_planted(good, change))
    again = load_catalog(base=base)
    assert to_data(again) == to_data(good)
    assert path.read_bytes() != _planted(good, change)  # rewritten


def test_cache_directory_of_another_user_is_not_used(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    if os.getuid() != 0:
        pytest.skip("needs root to give a directory to another user")
    planted = tmp_path / "planted"
    planted.mkdir(mode=0o700)
    os.chown(planted, 65534, 65534)
    monkeypatch.setenv("LLMPICK_CACHE_DIR", str(planted))
    assert load_catalog(base=base).variants
    assert list(planted.iterdir()) == []
    assert "belongs to another user" in capsys.readouterr().err


def test_cache_directory_others_can_write_is_not_used(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("LLMPICK_CACHE_DIR", str(shared))
    good = load_catalog(base=base)
    assert list(shared.iterdir()) == []
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "others can write to it" in err
    assert to_data(load_catalog(base=base)) == to_data(good)


def test_cache_directories_are_created_private_whatever_the_umask(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import stat

    target = tmp_path / "new" / "deeper" / "llmpick"
    monkeypatch.setenv("LLMPICK_CACHE_DIR", str(target))
    old = os.umask(0)
    try:
        load_catalog(base=base)
    finally:
        os.umask(old)
    for d in (tmp_path / "new", tmp_path / "new" / "deeper", target):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
    assert cache_files()


@pytest.mark.parametrize("kind", ["fifo", "zero", "link"])
def test_a_cache_file_that_is_not_a_regular_file_of_ours_is_ignored(
    base: Path, kind: str, tmp_path: Path
) -> None:
    import os

    good = load_catalog(base=base)
    (path,) = cache_files()
    real = tmp_path / "elsewhere.bin"
    real.write_bytes(path.read_bytes())
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)  # reading it would block for ever
    elif kind == "zero":
        path.symlink_to("/dev/zero")  # reading it would never end
    else:
        path.symlink_to(real)  # a valid cache, but through a link
    assert cache_mod.read_cache(path, good.version) is None
    assert to_data(load_catalog(base=base)) == to_data(good)


def test_cleanup_removes_only_its_own_files(base: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = cache_mod.cache_dir()
    assert d is not None
    d.mkdir(mode=0o700, exist_ok=True)
    theirs = [d / f"index-page{i}.html" for i in range(40)] + [d / "catalog-notes.bin"]
    for f in theirs:
        f.write_text("a user's file")
    monkeypatch.setattr(cache_mod, "_KEEP_CACHES", 0)
    for i in range(3):
        fam = base / "families" / "acme" / "rocket.yaml"
        fam.write_text(fam.read_text().replace("name: Rocket-7B\n", f"name: Rocket-7B-{i}\n", 1))
        load_catalog(base=base)
    assert all(f.exists() for f in theirs)


def test_cleanup_removes_the_temporary_files_of_dead_writers_only(base: Path) -> None:
    """A writer killed before it could remove its temporary file (the size of a cache)
    leaves it; the next cleanup removes it once it is old, never a live writer's (new)
    nor a file that only looks like one."""
    d = cache_mod.cache_dir()
    assert d is not None
    d.mkdir(mode=0o700, exist_ok=True)
    old = time.time() - cache_mod.STALE_TEMP_SECONDS - 60
    dead = [d / f".catalog-{'a' * 32}.bin.k2_x9q0z.tmp", d / f".index-{'b' * 32}.ab12cd34.tmp"]
    live = d / f".catalog-{'c' * 32}.bin.zz99yy88.tmp"
    theirs = [d / ".catalog-notes.bin.k2_x9q0z.tmp", d / f".catalog-{'a' * 32}.bin.tmp"]
    for f in (*dead, live, *theirs):
        f.write_text("half a cache")
    for f in (*dead, *theirs):
        os.utime(f, (old, old))
    load_catalog(base=base)
    assert list(d.glob("catalog-*.bin"))  # written, and the directory cleaned
    assert not any(f.exists() for f in dead)
    assert live.exists() and all(f.exists() for f in theirs)


def test_equal_records_are_stored_once_and_only_equal_ones(base: Path) -> None:
    """Architecture numbers and prices are stored once per distinct value, so one stored
    record may serve many variants: values that compare equal in Python but read
    differently (0.0 and -0.0, 7 and 7.0) must not be merged."""
    import dataclasses
    import marshal

    from llmpick.catalog.cache import catalog_from_rows, catalog_rows

    good = load_catalog(base=base, use_cache=False)
    v1, v2, v3 = list(good.variants.values())[:3]
    arch = dataclasses.replace(v1.arch or cache_mod.ArchNumbers(), layers=7, hidden_size=4096)
    price = cache_mod.Pricing(0.0, 1.0, dt.date(2026, 1, 1), "https://x.example")
    good.variants[v1.id] = dataclasses.replace(v1, arch=arch, pricing=price)
    good.variants[v2.id] = dataclasses.replace(
        v2,
        arch=dataclasses.replace(arch),  # equal: stored once
        pricing=dataclasses.replace(price, input=-0.0),  # equal to 0.0 in Python
    )
    good.variants[v3.id] = dataclasses.replace(v3, arch=dataclasses.replace(arch, layers=7.0))
    rows = catalog_rows(good)
    back = catalog_from_rows(marshal.loads(marshal.dumps(rows)))
    assert to_data(back) == to_data(good)
    a1, a2, a3 = (back.variants[v.id].arch for v in (v1, v2, v3))
    assert a1 is a2 and a3 is not a1 and type(a3.layers) is float  # type: ignore[union-attr]
    p1, p2 = (back.variants[v.id].pricing for v in (v1, v2))
    assert str(p1.input) == "0.0" and str(p2.input) == "-0.0"  # type: ignore[union-attr]


def test_cache_key_covers_field_order_names_and_types_and_python() -> None:
    """Rows are rebuilt by position: swapping two fields of one type would otherwise
    serve swapped values from an old cache."""
    import dataclasses

    from llmpick.catalog.records import Pricing

    def pricing(*names: str, output: str = "float") -> type:
        types = {"input": "float", "output": output, "out": "float", "as_of": "dt.date"}
        types |= dict.fromkeys(TIERS[1:-1], "float | None")
        types |= {"long_above": "int | None", "tiers_source": "str | None"}
        return dataclasses.make_dataclass("Pricing", [(n, types.get(n, "str")) for n in names])

    TIERS = ("long_above", "long_input", "long_output", "batch_input", "batch_output")
    TIERS += ("cached_input", "tiers_source")
    same = pricing("input", "output", "as_of", "source", *TIERS)
    swapped = pricing("output", "input", "as_of", "source", *TIERS)
    renamed = pricing("input", "out", "as_of", "source", *TIERS)
    retyped = pricing("input", "output", "as_of", "source", *TIERS, output="int")
    shape = cache_mod.record_shape
    assert shape([same]) == shape([Pricing])
    assert len({shape([c]) for c in (same, swapped, renamed, retyped)}) == 4
    assert shape([Pricing], python=(3, 11)) != shape([Pricing], python=(3, 12))
    assert shape() == cache_mod.RECORD_SHAPE


@pytest.mark.parametrize("part", ["CACHE_FORMAT", "RECORD_SHAPE", "__version__"])
def test_a_cache_of_another_format_is_not_read(
    base: Path, monkeypatch: pytest.MonkeyPatch, part: str
) -> None:
    first = load_catalog(base=base)
    assert len(cache_files()) == 1
    monkeypatch.setattr(cache_mod, part, getattr(cache_mod, part) + "-other")
    again = load_catalog(base=base)
    assert len(cache_files()) == 2  # built and cached under a key of its own
    assert again.version != first.version


def test_an_indexed_cache_is_checked_once_and_again_when_it_changes(
    base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    age(base)
    good = load_catalog(base=base)  # built, written and indexed with the file's identity
    (path,) = cache_files()
    monkeypatch.setattr(cache_mod, "_well_formed", lambda *a: pytest.fail("checked again"))
    monkeypatch.setattr(cache_mod, "_digest", lambda *a: pytest.fail("hashed again"))
    assert to_data(load_catalog(base=base)) == to_data(good)
    monkeypatch.undo()
    monkeypatch.setenv("LLMPICK_CACHE_DIR", str(path.parent))
    path.write_bytes(_planted(good, lambda rows: _set_licence(rows, "commercial_use", "maybe")))
    assert to_data(load_catalog(base=base)) == to_data(good)  # changed: checked, rebuilt


def test_a_planted_cache_that_could_not_be_replaced_is_not_indexed(
    base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index vouches only for a cache file that was checked or that we wrote: one
    that failed its check and could not be rewritten (a full disk) is checked again."""
    age(base)
    good = load_catalog(base=base)
    (path,) = cache_files()
    for index in path.parent.glob("index-*"):
        index.unlink()
    path.write_bytes(_planted(good, lambda rows: _set_params(rows, float("nan"))))

    write = cache_mod.write_atomic

    def full_disk(target: Path, data: bytes | str) -> None:  # room for a small index only
        if len(data) > 200:
            raise OSError(28, "No space left on device")
        write(target, data)

    monkeypatch.setattr(cache_mod, "write_atomic", full_disk)
    assert to_data(load_catalog(base=base)) == to_data(good)  # checked, refused, rebuilt
    monkeypatch.undo()
    monkeypatch.setenv("LLMPICK_CACHE_DIR", str(path.parent))
    assert to_data(load_catalog(base=base)) == to_data(good)  # not served unchecked


# --- in one process: the same files give the same Catalog back ----------------------


@pytest.fixture
def reuse(monkeypatch: pytest.MonkeyPatch) -> None:
    """The in-process reuse on, as in a process (the other tests here turn it off)."""
    monkeypatch.setattr(load_mod, "_LOADED", load_mod._Loaded())


@pytest.mark.usefixtures("reuse")
def test_a_second_load_in_the_process_gives_the_same_catalog_without_reading(
    base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    age(base)
    first = load_catalog(base=base)
    monkeypatch.setattr(cache_mod, "read_cache", lambda *a: pytest.fail("the cache was read"))
    monkeypatch.setattr(load_mod, "read_cache", lambda *a: pytest.fail("the cache was read"))
    monkeypatch.setattr(load_mod, "_read_all", lambda files: pytest.fail("files were read"))
    assert load_catalog(base=base) is first


@pytest.mark.parametrize("in_process", [False, True])
def test_an_edit_that_keeps_the_size_and_puts_the_mtime_back_is_seen(
    base: Path, in_process: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``touch -r`` or ``rsync -t`` after a same-size edit: the change time gives it away."""
    import os

    if in_process:
        monkeypatch.setattr(load_mod, "_LOADED", load_mod._Loaded())
    age(base)
    assert load_catalog(base=base).variants["rocket-7b"].name == "Rocket-7B"
    fam = base / "families" / "acme" / "rocket.yaml"
    before = fam.stat()
    fam.write_text(fam.read_text().replace("name: Rocket-7B\n", "name: Rocket-7X\n"))
    os.utime(fam, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert fam.stat().st_size == before.st_size
    assert load_catalog(base=base).variants["rocket-7b"].name == "Rocket-7X"


@pytest.mark.usefixtures("reuse")
def test_a_changed_added_or_removed_file_gives_a_new_catalog_in_the_process(
    base: Path, tmp_path: Path
) -> None:
    age(base)
    first = load_catalog(base=base)
    fam = base / "families" / "acme" / "rocket.yaml"
    fam.write_text(fam.read_text().replace("name: Rocket-7B\n", "name: Rocket-7B-v2\n"))
    edited = load_catalog(base=base)
    assert edited is not first and edited.variants["rocket-7b"].name == "Rocket-7B-v2"
    assert first.variants["rocket-7b"].name == "Rocket-7B"  # the first is left as it was
    age(base)
    assert load_catalog(base=base) is not edited  # other stat data: loaded again
    kept = load_catalog(base=base)
    assert load_catalog(base=base) is kept
    (base / "families" / "open-collective" / "tiny-bert.yaml").unlink()
    assert "tiny-bert" not in {v.family for v in load_catalog(base=base).variants.values()}
    overlay = tmp_path / "overlay"
    (overlay / "families" / "acme").mkdir(parents=True)
    (overlay / "families" / "acme" / "rocket.yaml").write_text("replaces: true\n" + fam.read_text())
    age(overlay)
    with_overlay = load_catalog([overlay], base=base)
    assert with_overlay is not kept and load_catalog([overlay], base=base) is with_overlay


@pytest.mark.usefixtures("reuse")
def test_freshly_modified_files_are_not_trusted_in_the_process_either(base: Path) -> None:
    age(base, seconds=0)  # a same-size edit within the same tick could keep the stat data
    first = load_catalog(base=base)
    assert load_catalog(base=base) is not first


@pytest.mark.usefixtures("reuse")
def test_the_base_catalog_variable_is_reported_without_changing_a_kept_catalog(
    base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmpick.catalog.records import provenance

    age(base)
    named = load_catalog(base=base)
    monkeypatch.setenv("LLMPICK_BASE_CATALOG", str(base))
    by_variable = load_catalog()
    assert provenance(by_variable).base == str(base)
    assert provenance(named).base is None  # not rewritten by the second load
    assert load_catalog(base=base) is named and load_catalog() is by_variable
