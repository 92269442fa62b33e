"""Parsing a large catalog in worker processes gives what parsing it here gives: the same
catalog, the same problems in the same order; a worker that fails leaves its files to
this process, and no worker outlives the load."""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from llmpick.catalog import load_parse
from llmpick.catalog.cache import catalog_rows
from llmpick.catalog.load import load_catalog
from llmpick.catalog.records import provenance
from llmpick.errors import CatalogError
from tests.conftest import FIXTURE_CATALOG, GOOD_FAMILY

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork: Linux only")


def widget(i: int, *, quoted: bool) -> str:
    """A valid family; unquoted dates make YAML dates (sent by pickle), quoted ones text."""
    text = GOOD_FAMILY.replace("widget-1b", f"widget-{i}b").replace("Widget-1B", f"Widget-{i}B")
    text += f"    context_window: &cw {1024 * (i + 1)}\n  widget-{i}b-chat:\n"
    text += "    name: Chat\n    flavour: chat\n    context_window: *cw\n"
    return text.replace("2026-11-26", "'2026-11-26'") if quoted else text


BAD_YAML = {
    "syntax": "name: [unclosed\n",
    "duplicate": "name: a\nname: b\n",
    "tag": "name: !!python/object/apply:os.system ['true']\n",
    "bomb": "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n" for p, c in ("ab", "bc", "cd", "de"))
    + "f: [*e, *e, *e]\n",
    "deep": "deep: " + "[" * 45 + "]" * 45 + "\n",
    "documents": "name: a\n---\nname: b\n",
}
BAD_ENTRIES = {
    "unknown-key": lambda i: widget(i, quoted=True).replace("status:", "statuss: x\nstatus:"),
    "wrong-type": lambda i: widget(i, quoted=False).replace("params_b: 1.0", "params_b: many"),
    "a-list": lambda i: "- a\n- b\n",
    "empty": lambda i: "",
}


def overlay(
    root: Path, n: int = 12, bad: dict[str, str] | None = None, first: int = 0, quoted: int = 2
) -> Path:
    """An overlay of ``n`` valid families, with ``bad`` files (name -> text) among them;
    one in ``quoted`` has its dates quoted."""
    fam = root / "families" / "acme"
    fam.mkdir(parents=True)
    for i in range(first, first + n):
        (fam / f"widget-{i:02d}.yaml").write_text(widget(i, quoted=i % quoted == 0))
    for j, (name, text) in enumerate((bad or {}).items()):
        (fam / f"widget-{j * 2:02d}-{name}.yaml").write_bytes(text.encode())
    return root


@pytest.fixture(autouse=True)
def _left_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    """Threads that earlier tests in this worker left running are not this module's: its
    loads see only the threads its own tests start, as a command-line process would. (A
    scripted server's sleeping request is woken when it stops, but a stopped server's
    request threads are not joined: one may still be ending as the next test starts.)"""
    # the thread objects themselves (not a count, nor idents, which a new thread may
    # reuse): a left-behind thread that ends during the test must not hide one it starts
    others = set(threading.enumerate()) - {threading.main_thread()}

    def ours() -> int:
        alive = set(threading.enumerate()) - {threading.main_thread()}
        return 1 + len(alive - others)

    monkeypatch.setattr(threading, "active_count", ours)


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The process ids of the workers started; the load runs on three processes."""
    pids: list[int] = []
    real = load_parse._start

    def start(run: Any) -> tuple[int, int] | None:
        worker = real(run)
        if worker is not None:
            pids.append(worker[0])
        return worker

    monkeypatch.setattr(load_parse, "_start", start)
    return pids


def loaded(paths: list[Path], base: Path, workers: int, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The catalog's rows and provenance, or its problems (file, line, field, message)."""
    with monkeypatch.context() as m:
        m.setattr(load_parse, "parsers", lambda files: workers + 1)
        try:
            cat = load_catalog(paths, base=base, use_cache=False)
        except CatalogError as exc:
            return [(p.file, p.line, p.path, p.message) for p in exc.problems]
    return catalog_rows(cat), provenance(cat).to_data()


def assert_reaped(pids: list[int]) -> None:
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_workers_give_the_same_catalog(
    tmp_path: Path, started: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # plain text goes back by marshal, and dates by pickle
    paths = [overlay(tmp_path / "one", quoted=1), overlay(tmp_path / "two", 6, first=50)]
    here = loaded(paths, FIXTURE_CATALOG, 0, monkeypatch)
    assert not started
    sent: list[bytes] = []
    real = load_parse._apply
    monkeypatch.setattr(load_parse, "_apply", lambda p, run: sent.append(p[:1]) or real(p, run))
    shared = loaded(paths, FIXTURE_CATALOG, 2, monkeypatch)
    assert len(started) == 2
    assert sorted(sent) == [b"m", b"p"]
    assert_reaped(started)
    assert "widget-11b-chat" in here[0]["variants"][0]
    assert shared == here


def test_workers_give_the_same_problems_in_the_same_order(
    tmp_path: Path, started: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # an overlay that is not plain YAML is refused before anything is validated
    paths = [overlay(tmp_path / "yaml", bad=BAD_YAML)]
    here = loaded(paths, FIXTURE_CATALOG, 0, monkeypatch)
    assert len(here) == len(BAD_YAML)
    assert loaded(paths, FIXTURE_CATALOG, 2, monkeypatch) == here
    # a base file that is not YAML, among the entries that do not validate
    base = tmp_path / "base"
    shutil.copytree(FIXTURE_CATALOG, base)
    (base / "families" / "acme" / "rocket.yaml").write_bytes(b"name: \xff\n")
    bad = {name: make(90 + j) for j, (name, make) in enumerate(BAD_ENTRIES.items())}
    twice = tmp_path / "dup" / "widget-dup.yaml"  # variants another file defines too
    twice.parent.mkdir()
    twice.write_text(widget(5, quoted=False))
    paths = [overlay(tmp_path / "entries", bad=bad), twice]
    here = loaded(paths, base, 0, monkeypatch)
    said = "\n".join(map(str, here))
    for expected in ("rocket.yaml", "statuss", "params_b", "a mapping", "duplicate variant"):
        assert expected in said
    started.clear()
    assert loaded(paths, base, 2, monkeypatch) == here
    assert len(started) == 2
    assert_reaped(started)


def _fails(run: Any) -> bytes:
    raise RuntimeError("a worker's bug")


def _dies(run: Any) -> bytes:
    os._exit(3)


def _garbles(run: Any) -> bytes:
    return b"m" + b"\x00" * 7


def _miscounts(run: Any) -> bytes:
    import marshal

    return b"m" + marshal.dumps([({"name": "forged"},)] * (len(run) + 1))


def _hangs(run: Any) -> bytes:
    time.sleep(60)
    return b""


@pytest.mark.parametrize("work", [_fails, _dies, _garbles, _miscounts, _hangs])
def test_a_failing_worker_leaves_its_files_to_this_process(
    work: Any, tmp_path: Path, started: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [overlay(tmp_path / "one", bad={"duplicate": BAD_YAML["duplicate"]})]
    here = loaded(paths, FIXTURE_CATALOG, 0, monkeypatch)
    monkeypatch.setattr(load_parse, "_work", work)
    monkeypatch.setattr(load_parse, "WAIT_AT_LEAST", 0.5)
    # not five times this process's own run: in a test worker's first load, that run
    # imports pydantic's models, and on a busy machine the wait came to 12-23 s
    monkeypatch.setattr(load_parse, "WAIT_TIMES", 1)
    began = time.monotonic()
    assert loaded(paths, FIXTURE_CATALOG, 2, monkeypatch) == here
    assert time.monotonic() - began < 10  # a worker that hangs is not waited for
    assert len(started) == 2
    assert_reaped(started)


def test_an_interrupt_while_waiting_leaves_no_worker_behind(
    tmp_path: Path, started: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(fd: int, run: Any, deadline: float) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(load_parse, "_received", interrupted)
    monkeypatch.setattr(load_parse, "_work", _hangs)
    with pytest.raises(KeyboardInterrupt):
        loaded([overlay(tmp_path / "one")], FIXTURE_CATALOG, 2, monkeypatch)
    assert len(started) == 2
    assert_reaped(started)


def test_only_a_large_catalog_on_linux_without_threads_is_shared_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmpick.catalog.load_files import SourceFile

    def files(n: int, size: int) -> list[SourceFile]:
        return [
            SourceFile(f"f{i}", f"f{i}", "family", (0, 0, 0, 0, 0), b"x" * size) for i in range(n)
        ]

    monkeypatch.setattr(os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3, 4, 5, 6, 7})
    assert load_parse.parsers(files(10, 100_000)) == 1  # 1 MB: the bundled catalog's size
    assert load_parse.parsers(files(1000, 6_000)) == 3  # 6 MB: two MB a process
    assert load_parse.parsers(files(1000, 100_000)) == load_parse.MAX_PARSERS
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3})
    assert load_parse.parsers(files(1000, 10_000)) == 1  # one core
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    assert load_parse.parsers(files(1000, 10_000)) == 2
    for load, parsers in ((0.9, 2), (1.4, 2), (1.6, 1), (4.0, 1)):  # the cores others use
        monkeypatch.setattr(os, "getloadavg", lambda load=load: (load, 0.0, 0.0))
        assert load_parse.parsers(files(1000, 10_000)) == parsers, load
    monkeypatch.setattr(os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert load_parse.parsers(files(1000, 10_000)) == 1  # forking a threaded process
    finally:
        stop.set()
        thread.join()
    for platform in ("darwin", "win32"):
        monkeypatch.setattr(sys, "platform", platform)
        assert load_parse.parsers(files(1000, 10_000)) == 1


@pytest.mark.private_cache
def test_a_large_catalog_s_cache_is_written_apart_and_then_served(
    tmp_path: Path, started: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmpick.catalog import load as load_mod
    from llmpick.catalog.cache import cache_dir

    paths = [overlay(tmp_path / "one")]
    for path in paths[0].rglob("*.yaml"):  # old enough for the index to vouch for
        os.utime(path, (time.time() - 3600,) * 2)
    monkeypatch.setattr(load_parse, "parsers", lambda files: 3)
    first = load_catalog(paths, base=FIXTURE_CATALOG)
    writers = list(load_parse._APART)
    assert len(writers) == 1  # this process did not wait for the write
    load_parse.finish()
    assert not load_parse._APART
    assert_reaped(writers)
    where = cache_dir()
    assert where is not None
    assert len(list(where.glob("catalog-*.bin"))) == 1
    assert len(list(where.glob("index-*"))) == 1
    monkeypatch.setattr(load_mod, "_validate_files", lambda *a: pytest.fail("parsed again"))
    again = load_catalog(paths, base=FIXTURE_CATALOG)
    assert catalog_rows(again) == catalog_rows(first)


@pytest.mark.private_cache
def test_a_writer_that_fails_only_costs_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmpick.catalog import load as load_mod
    from llmpick.catalog.cache import cache_dir

    def broken(*args: Any) -> bool:
        raise OSError("the disk is gone")

    paths = [overlay(tmp_path / "one")]
    here = loaded(paths, FIXTURE_CATALOG, 0, monkeypatch)
    with monkeypatch.context() as m:
        m.setattr(load_parse, "parsers", lambda files: 3)
        m.setattr(load_mod, "write_cache", broken)
        cat = load_catalog(paths, base=FIXTURE_CATALOG)
        load_parse.finish()
    assert (catalog_rows(cat), provenance(cat).to_data()) == here
    where = cache_dir()
    assert where is not None
    assert not list(where.glob("catalog-*.bin"))


@pytest.mark.private_cache
def test_a_writer_ended_at_exit_removes_its_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer still at work when this process exits is asked to end, and removes its
    temporary file (the size of the cache) on its way out, before it would be killed."""
    from llmpick.catalog.cache import cache_dir

    paths = [overlay(tmp_path / "one")]
    where = cache_dir()
    assert where is not None
    with monkeypatch.context() as m:
        m.setattr(load_parse, "parsers", lambda files: 3)
        m.setattr(os, "fsync", lambda fd: time.sleep(60))  # the writer's disk hangs
        load_catalog(paths, base=FIXTURE_CATALOG)
        writers = list(load_parse._APART)
        began = time.monotonic()
        while not list(where.glob(".catalog-*.tmp")) and time.monotonic() - began < 20:
            time.sleep(0.01)
        assert list(where.glob(".catalog-*.tmp"))  # written, and now being synced
        m.setattr(load_parse, "WAIT_AT_LEAST", 0.0)
        load_parse.finish()
    assert_reaped(writers)
    assert not list(where.glob(".catalog-*")) and not list(where.glob("catalog-*"))


def test_workers_are_heard_from_past_descriptor_1023(
    tmp_path: Path, started: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1100:
        if hard != resource.RLIM_INFINITY and hard < 1100:
            pytest.skip("cannot open 1,100 files here")
        resource.setrlimit(resource.RLIMIT_NOFILE, (1100, hard))
    held = [os.dup(0) for _ in range(1024)]  # the workers' pipes come after these
    try:
        paths = [overlay(tmp_path / "one")]
        here = loaded(paths, FIXTURE_CATALOG, 0, monkeypatch)
        sent: list[bytes] = []
        real = load_parse._apply
        monkeypatch.setattr(load_parse, "_apply", lambda p, run: sent.append(p[:1]) or real(p, run))
        assert loaded(paths, FIXTURE_CATALOG, 2, monkeypatch) == here
        assert len(sent) == 2  # both workers' results were read, not parsed again here
    finally:
        for fd in held:
            os.close(fd)
        if soft < 1100:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert_reaped(started)
