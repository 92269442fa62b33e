from __future__ import annotations

import ast
import contextlib
import inspect
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from llmpick.catalog.records import Catalog

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CATALOG = ROOT / "tests" / "fixtures" / "catalog"
BUNDLED_CATALOG = ROOT / "catalog"
SHARED = ROOT.parent / "shared"

# a valid family file for an overlay (``widget.yaml``), which tests break one way each
GOOD_FAMILY = """\
name: Widget
provider: acme
architecture: decoder-only
status: active
description: Test family.
license: apache-2.0
open_weights: true
sources: [https://example.org/widget]
verified: 2026-11-26
variants:
  widget-1b:
    name: Widget-1B
    flavour: base
    params_b: 1.0
"""


def pytest_configure(config: pytest.Config) -> None:
    """The cyclic garbage collector looks at young objects every 10,000 allocations
    instead of 700: collecting (the assertion rewriter's syntax trees) and loading
    catalogs allocate by the hundred thousand, and each pass that reaches the oldest
    generation walks everything alive (about 0.6 s a worker in collection alone).
    Garbage without cycles is freed at once as ever."""
    import gc

    gc.set_threshold(10_000, 10, 10)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection built (test modules, hypothesis, pytest's items) lives until the
    end: it is moved out of the collector's sight, so the periodic full collections of
    the cyclic garbage collector do not walk it again and again (~0.1 s each)."""
    _freeze_what_lives()


def _freeze_what_lives() -> None:
    """Collect, then set everything alive aside for good (``gc.freeze``): for what a
    worker keeps to the end, the modules, the bundled catalog, the source trees. Cheap
    once most of what lives is set aside: a collection walks only the rest."""
    import gc

    gc.collect()
    gc.freeze()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` (each says why beside the mark) run first: the workers share
    out the rest as they go, so none is left running a long test while the other idles
    at the end. The order is otherwise kept, and is the same in every worker."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


# the catalogs most tests read, loaded into the shared cache before the workers need them
_WARM = f"""
import os
from llmpick.catalog.load import load_catalog
for base in ("", {str(FIXTURE_CATALOG)!r}, {str(ROOT / "tests/fixtures/refresh/catalog")!r}):
    if base:
        os.environ["LLMPICK_BASE_CATALOG"] = base
    load_catalog()
"""


def _unicode_tables() -> None:
    """The two tables hypothesis keeps in .hypothesis/ for its text strategies, made
    before the workers draw their first text (each built both in its first text test
    otherwise, about 2 s of CPU). The table of the characters UTF-8 encodes is written
    here: hypothesis finds it by encoding and decoding each of the 1,114,112 code points
    in turn (about 2 s of CPU), and the answer is a fact of UTF-8: every code point but
    the surrogates, each one decoding back to itself. It is written in hypothesis's own
    form, which it reads back as it would its own; if that form changes, hypothesis does
    not find it and builds the table itself, as before. The table of each character's
    Unicode category (0.2 s) hypothesis builds here itself (``charmap``)."""
    import gzip

    from hypothesis.internal import charmap

    utf8 = charmap.charmap_file("codec-v2-utf-8")
    if not utf8.exists():
        surrogates = (0xD800, 0xDFFF)
        table = [[[0, surrogates[0] - 1], [surrogates[1] + 1, sys.maxunicode]], []]
        utf8.parent.mkdir(parents=True, exist_ok=True)
        part = utf8.with_name(f"{utf8.name}.{os.getpid()}.part")
        with gzip.GzipFile(part, "wb", mtime=1) as f:  # as hypothesis writes it
            f.write(json.dumps(table).encode())
        part.replace(utf8)
    charmap.charmap()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """In a parallel run, the controlling process does two things once, in the
    background while the workers start, that each worker would otherwise do itself:
    it fills the workers' shared catalog cache (``_session_cache``; the bundled catalog
    is then parsed once per run, about 0.4 s of CPU, and in no test's time), and it
    rewrites the test files' asserts (``_rewrite_ahead``), then makes hypothesis's
    tables of the Unicode characters its text strategies draw from (``_unicode_tables``),
    which it keeps in .hypothesis/: in a fresh clone, as in CI, each worker built them
    in its first text test otherwise (about 2 s of CPU). The workers wait on a lock it holds
    for each, free by the time they first need it or soon after."""
    config = session.config
    if os.environ.get("PYTEST_XDIST_WORKER") or getattr(config.option, "dist", "no") == "no":
        return
    import threading

    shared = _shared_cache(config._tmp_path_factory)  # type: ignore[attr-defined]
    filling, rewriting = _held(shared.with_suffix(".lock")), _held(shared.parent / "rewrite.lock")
    data = shared.with_suffix(".data")
    data.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMPICK_")}
    env.update(LLMPICK_CACHE_DIR=str(shared), LLMPICK_DATA_DIR=str(data))
    env.update(LLMPICK_TODAY="2026-11-30")
    warm = subprocess.Popen([sys.executable, "-c", _WARM], env=env, stdout=subprocess.DEVNULL)

    def fill() -> None:
        warm.wait()  # a failure here is the tests' to report: they load the same
        filling.close()  # and with it the lock

    def rewrite() -> None:
        try:
            _rewrite_ahead(session)
        finally:
            with contextlib.suppress(Exception):  # the workers then build them themselves
                _unicode_tables()
            rewriting.close()

    threading.Thread(target=fill, daemon=True).start()
    threading.Thread(target=rewrite, daemon=True).start()


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> None:
    """A worker collects once the controller has rewritten the test files."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        factory = session.config._tmp_path_factory  # type: ignore[attr-defined]
        _wait_for(factory.getbasetemp().parent / "rewrite.lock")


def _held(path: Path) -> Any:
    """``path`` opened and locked for good: the lock goes with the file's closing."""
    import fcntl

    held = path.open("w")
    fcntl.flock(held, fcntl.LOCK_EX)
    return held


def _wait_for(path: Path) -> None:
    """Until whoever holds the lock on ``path`` lets it go (at once if no one does)."""
    import fcntl

    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_SH)


def _rewrite_ahead(session: pytest.Session) -> None:
    """Rewrite the asserts of the test files the run will collect, and keep the result
    where pytest looks for it (``__pycache__``, hash-checked), once, before the workers
    collect: each worker would otherwise rewrite every file itself (about 1.5 s of CPU a
    worker for the whole suite; pytest keeps no rewritten copy when bytecode is not
    written, or in a fresh clone). Where bytecode is not to be written
    (PYTHONDONTWRITEBYTECODE), what this wrote is removed at the end of the run. Pytest's
    own steps, which it reads back at import; if they change, this does nothing and the
    workers rewrite as before."""
    config = session.config
    try:
        from _pytest.assertion import rewrite

        state = config.stash[rewrite.assertstate_key]
        steps = (rewrite._read_pyc, rewrite._rewrite_test, rewrite._write_pyc)
        patterns = config.getini("python_files")
    except (ImportError, AttributeError, KeyError, ValueError):
        return
    read, rewrite_one, write = steps
    for fn in _test_files(config, patterns, rewrite.fnmatch_ex):
        pyc = rewrite.get_cache_dir(fn) / (fn.name[:-3] + rewrite.PYC_TAIL)
        if read(fn, pyc) is None and rewrite.try_makedirs(pyc.parent):
            source_hash, co = rewrite_one(fn, config)
            if write(state, co, source_hash, pyc) and sys.dont_write_bytecode:
                _WRITTEN.append(pyc)


_WRITTEN: list[Path] = []  # removed at the end where bytecode is not to be written


def pytest_sessionfinish(session: pytest.Session) -> None:
    for pyc in _WRITTEN:
        pyc.unlink(missing_ok=True)


def _test_files(
    config: pytest.Config, patterns: list[str], match: Callable[[str, Path], bool]
) -> list[Path]:
    """The test files and conftest files under the run's paths (or testpaths), and the
    conftest files above them: what the workers will import and rewrite."""
    here = config.invocation_params.dir
    found: dict[Path, None] = {}
    for arg in config.args:
        path = (here / arg.split("::")[0]).resolve()
        for parent in [path, *path.parents]:
            if (parent / "conftest.py").is_file():
                found[parent / "conftest.py"] = None
            if parent == config.rootpath:
                break
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for fn in files:
            if fn.name == "conftest.py" or any(match(p, fn) for p in patterns):
                found[fn] = None
    return list(found)


def _shared_cache(factory: pytest.TempPathFactory) -> Path:
    """The catalog cache the workers of one parallel run share, beside their own
    temporary directories (each worker's is a directory of the controller's)."""
    base = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    shared = base / "session-cache"
    shared.mkdir(mode=0o700, exist_ok=True)
    return shared


@pytest.fixture(scope="session")
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One catalog cache for the whole run: it is keyed by the content of every catalog
    file, so a test that edits a catalog gets its own entry, and the bundled and test
    catalogs are parsed and validated once per run instead of once per test. The workers
    of a parallel run share one (it is written atomically, for concurrent processes),
    which the controlling process fills first (``pytest_sessionstart``)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return tmp_path_factory.mktemp("session-cache")

    shared = _shared_cache(tmp_path_factory)
    _wait_for(shared.with_suffix(".lock"))  # until the controller has filled it
    return shared


@cache
def source_tree(path: Path) -> ast.Module:
    """The syntax tree of one of llmpick's source files, parsed once per run for the
    tests that read the code (layering, vocabulary, imports). Read only. Kept for the
    whole run, out of the garbage collector's sight (see ``_freeze_what_lives``)."""
    tree = ast.parse(path.read_text())
    _freeze_what_lives()
    return tree


@cache
def source_nodes(path: Path) -> tuple[ast.AST, ...]:
    """Every node of ``source_tree(path)``, as ``ast.walk`` yields them, listed once per
    run: several tests scan every source file (imports, clock reads, vocabularies,
    function sizes), and walking a tree costs ten times more than reading a list."""
    nodes = tuple(ast.walk(source_tree(path)))
    _freeze_what_lives()
    return nodes


@cache
def bundled_catalog() -> Catalog:
    """The bundled catalog, loaded once per run through the session's cache (so the
    whole run reads and validates its files once, whether a command-line test or this
    comes first) and shared by every test that reads it: a full parse of ~800 models
    costs about a second, and eight test modules each did their own. Tests must not
    change it (its records are frozen; its mappings are not: copy before editing)."""
    from llmpick.catalog.load import load_catalog

    assert not os.environ.get("LLMPICK_BASE_CATALOG"), "the bundled catalog, not another"
    catalog = load_catalog()
    _freeze_what_lives()  # ~100,000 objects, kept for the whole run
    return catalog


@pytest.fixture(scope="session", autouse=True)
def _one_tls_context() -> Iterator[None]:
    """httpx loads the whole CA bundle into a new TLS context for every client (~40 ms;
    ~80 clients in a run), although the tests only speak plain HTTP to 127.0.0.1: one
    context per CA file serves the whole run. Other calls pass through unchanged."""
    import ssl

    real = ssl.create_default_context
    made: dict[str, ssl.SSLContext] = {}

    def shared(purpose: Any = ssl.Purpose.SERVER_AUTH, **kwargs: Any) -> ssl.SSLContext:
        cafile = kwargs.get("cafile")
        if purpose is not ssl.Purpose.SERVER_AUTH or set(kwargs) != {"cafile"} or not cafile:
            return real(purpose, **kwargs)
        if cafile not in made:
            made[cafile] = real(purpose, cafile=cafile)
        return made[cafile]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ssl, "create_default_context", shared)
        yield


@pytest.fixture(autouse=True)
def _isolated_env(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    _session_cache: Path,
) -> None:
    """Each test gets its own data directory (no refresh layer), a fixed width, no colour
    and a fixed date; no stray overlays. The catalog cache is the session's, except for
    tests marked ``private_cache`` (the tests of the cache itself), which start empty and
    load from the disk every time, without the process's loaded catalogs."""
    private = request.node.get_closest_marker("private_cache") is not None
    cache = tmp_path_factory.mktemp("cache") if private else _session_cache
    if private:
        from llmpick.catalog import load

        monkeypatch.setattr(load, "_LOADED", load._Loaded(size=0))
    monkeypatch.setenv("LLMPICK_CACHE_DIR", str(cache))
    monkeypatch.setenv("LLMPICK_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("LLMPICK_TODAY", "2026-11-30")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.delenv("LINES", raising=False)  # a runner's (xdist sets one) would fix the height
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("LLMPICK_CATALOG", raising=False)
    monkeypatch.delenv("LLMPICK_BASE_CATALOG", raising=False)
    monkeypatch.delenv("LLMPICK_DEBUG", raising=False)


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _session_cache: Path) -> Path:
    """A cache directory of the test's own (``tmp_path / "cache"``), for tests of what a
    command keeps there beside the catalog (the Hub's answers): it starts with copies of
    the session's catalog caches, the bundled catalog's among them, so each such test does
    not parse and validate the whole catalog again (about 0.4 s a test)."""
    import shutil

    bundled_catalog()  # now in the session's cache
    own = tmp_path / "cache"
    own.mkdir(mode=0o700)
    for entry in _session_cache.iterdir():
        if entry.is_file() and not entry.is_symlink():
            shutil.copy2(entry, own / entry.name)
    monkeypatch.setenv("LLMPICK_CACHE_DIR", str(own))
    return own


@pytest.fixture
def fixture_catalog(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the CLI at the small fictional test catalog."""
    monkeypatch.setenv("LLMPICK_BASE_CATALOG", str(FIXTURE_CATALOG))
    return FIXTURE_CATALOG


@dataclass
class Result:
    code: int
    out: str
    err: str

    def __str__(self) -> str:  # shown when an assertion on the result fails
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


def _tree_key(typer_instance: Any) -> str:
    """What Typer builds an app's Click command tree from, as text: the app's settings,
    its callback, and each command's and group's name, function and settings (Typer's
    defaults by their values). Two apps that read the same build the same tree. The
    command line makes a new app for each run that names a command (one with only that
    command: cli/app.py), so the app itself cannot be the key. Runs in the processes of
    ``_ONE_TREE`` too (its source is sent), hence its own imports."""
    import typer
    from typer.models import DefaultPlaceholder

    def said(value: Any) -> str:
        if isinstance(value, DefaultPlaceholder):
            value = value.value
        if isinstance(value, typer.Typer) or type(value).__module__ == "typer.models":
            fields = ", ".join(f"{k}={said(v)}" for k, v in sorted(vars(value).items()))
            return f"{type(value).__name__}({fields})"
        if isinstance(value, list | tuple):
            return f"[{', '.join(map(said, value))}]"
        return repr(value)  # a function or class by its name and address: the same object

    return said(typer_instance)


_BUILT: dict[str, object] = {}  # _tree_key(app): its Click command


@pytest.fixture
def trees_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Typer turns the app into a Click command tree on every call, reading the signature
    and annotations of every command it holds (~25 ms for all, ~6 ms for one, against
    ~5 ms for a typical command on the test catalog); a process does that once, and so
    do the tests that run the command line in-process: each tree is built once per run
    and reused, as it is the same for every call (``_tree_key``)."""
    import typer.main

    build = typer.main.get_command

    def built_once(typer_instance: typer.Typer) -> object:
        key = _tree_key(typer_instance)
        if key not in _BUILT:
            _BUILT[key] = build(typer_instance)
        return _BUILT[key]

    monkeypatch.setattr(typer.main, "get_command", built_once)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], trees_built_once: None):  # type: ignore[no-untyped-def]
    """Run llmpick in-process through its real error boundary (each command tree built
    once per run: ``trees_built_once``)."""
    from llmpick.cli.app import run
    from llmpick.cli.state import state

    def invoke(*args: str) -> Result:
        # what a new process starts with (the root command resets it too; a shell's
        # completion request is answered before it, and reads the catalog)
        state.reset([])
        code = run(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


def spawn_pty(command: str, args: list[str], **kwargs: Any) -> Any:
    """``pexpect.spawn`` that sends at once: pexpect pauses 50 ms before every send, for
    programs that turn echo off just after a prompt, which llmpick does not do (one
    walkthrough answers some 25 questions)."""
    import pexpect

    child = pexpect.spawn(command, args, **kwargs)
    child.delaybeforesend = None
    return child


def close_ended(child: Any) -> None:
    """Close a pexpect child whose output has ended (EOF seen). It is reaped first, so
    pexpect's fixed 0.1 s pause, which gives a child time to exit before it checks, is
    not needed; its exit status is kept as close() keeps it."""
    child.wait()
    child.ptyproc.delayafterclose = 0
    child.close()


def run_process(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60, input: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    """Run llmpick as a separate process (for tracebacks, timing, concurrency)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "llmpick", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        input=input.decode() if input is not None else None,
        check=False,
    )


_MARK = "=== llmpick-test-run "
# the start of every script below that runs several command lines in one process:
# Typer builds the app's Click command tree on every call (~20 ms, most of what a help
# screen costs), which a process of one command line does once; so do these, as the
# ``cli`` fixture does in-process (the tree is the same for every call)
_ONE_TREE = (
    "from typing import Any\n"
    + inspect.getsource(_tree_key)
    + """
import typer.main
_build, _built = typer.main.get_command, {}
def _built_once(typer_instance):
    key = _tree_key(typer_instance)
    if key not in _built:
        _built[key] = _build(typer_instance)
    return _built[key]
typer.main.get_command = _built_once
"""
)
_RUNS = (
    _ONE_TREE
    + f"""
import gc, json, sys
from llmpick.cli.app import run
gc.disable()  # as the console script does
for args in json.loads(sys.argv[1]):
    for stream in (sys.stdout, sys.stderr):
        print({_MARK!r} + "start", file=stream, flush=True)
    code = run(args)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
        print({_MARK!r} + str(code), file=stream, flush=True)
"""
)


def runs_in_a_process(
    *commands: Sequence[str], env: dict[str, str] | None = None, timeout: float = 60
) -> list[Result]:
    """Several command lines in turn in one llmpick process (the run() that `llmpick`
    calls), through pipes: for tests whose point is a process (a hang must fail on the
    timeout, not block the suite) but not one process per command line, which costs
    about 0.3 s of CPU. Each command line's exit code, stdout and stderr."""
    p = subprocess.run(
        [sys.executable, "-c", _RUNS, json.dumps([list(c) for c in commands])],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,
    )
    assert p.returncode == 0, p.stderr
    found = rf"^{_MARK}start\n(.*?)^{_MARK}(-?\d+)\n"
    outs = re.findall(found, p.stdout, re.M | re.S)
    errs = re.findall(found, p.stderr, re.M | re.S)
    assert len(outs) == len(errs) == len(commands), p.stderr
    return [Result(int(code), out, err) for (out, code), (err, _) in zip(outs, errs, strict=True)]


def press_ctrl_c(child: Any, patience: float = 3.0, until: Any = None) -> None:
    """Ctrl-C at a prompt, as a person does it: once, and again if nothing happened
    (``until``: what shows it happened; the end of the process unless said).

    CPython's input() has a known race: a SIGINT that arrives after the interpreter last
    checked for signals but before the blocking read starts only sets a flag, and the read
    waits on. One press in roughly ten lands there under load; a person presses again, and
    the second press is the one the test then sees end the process."""
    import pexpect

    ended = pexpect.EOF if until is None else until
    for _ in range(3):
        child.sendintr()
        if child.expect([ended, pexpect.TIMEOUT], timeout=patience) == 0:
            return
    child.expect(ended)


# a child that runs llmpick and then prints its own peak memory (VmHWM) last on stderr:
# ru_maxrss of the child would include the forking parent's
_WITH_PEAK = (
    "import re, sys\n"
    "from llmpick.cli.app import run\n"
    "rc = run(sys.argv[1:])\n"
    "status = open('/proc/self/status').read()\n"
    "print(re.search(r'VmHWM:\\s+(\\d+)', status).group(1), file=sys.stderr)\n"
    "sys.exit(rc)\n"
)


def run_with_peak(args: list[str], timeout: float) -> tuple[Any, float]:
    """``llmpick ARGS`` in a child process: (the completed process, its peak in MB).
    The peak's line is taken off the end of stderr."""
    p = subprocess.run(
        [sys.executable, "-c", _WITH_PEAK, *args],
        capture_output=True, text=True, timeout=timeout, env=os.environ.copy(), check=False,
    )  # fmt: skip
    err, _, peak = p.stderr.rstrip("\n").rpartition("\n")
    assert peak.isdigit(), f"no peak: the child ended early\n{p.stderr}"
    p.stderr = err + "\n" if err else ""
    return p, int(peak) / 1024


@pytest.fixture
def server() -> Iterator[Any]:
    """The scripted OpenAI-compatible server (tests/eval/fake_openai.py) on loopback."""
    from tests.eval.fake_openai import FakeOpenAI

    srv = FakeOpenAI().start()
    try:
        yield srv
    finally:
        srv.stop()


# the same, on one pseudo-terminal: each command line sets its own settings (and unsets
# the names given), and its terminal's size if it has one, as a person resizes a
# window; it writes its marks where its screen goes
_TERMINAL_RUNS = (
    _ONE_TREE
    + f"""
import fcntl, gc, json, os, struct, sys, termios
from llmpick.cli.app import run
gc.disable()  # as the console script does
for args, env, unset, size in json.loads(sys.argv[1]):
    for name in unset:
        os.environ.pop(name, None)
    os.environ.update(env)
    if size:
        fcntl.ioctl(sys.stdout.fileno(), termios.TIOCSWINSZ, struct.pack("HHHH", *size, 0, 0))
        assert tuple(os.get_terminal_size(sys.stdout.fileno()))[::-1] == tuple(size)
    print({_MARK!r} + "start", flush=True)
    code = run(args)
    sys.stdout.flush()
    sys.stderr.flush()
    print({_MARK!r} + str(code), flush=True)
"""
)


def runs_in_a_terminal(
    commands: Sequence[
        tuple[Sequence[str], dict[str, str]] | tuple[Sequence[str], dict[str, str], tuple[int, int]]
    ],
    *,
    env: dict[str, str],
    rows: int,
    cols: int,
    unset: Sequence[str] = (),
    clean: Callable[[str], str] = str,
) -> list[tuple[int, str]]:
    """Several command lines, each with its own settings, in turn in one process on one
    pseudo-terminal of ``rows`` x ``cols`` (the run() that `llmpick` calls): a process
    costs about 0.2 s of CPU, and what a terminal shows depends on the terminal and the
    settings, not on a fresh process. A command line given a third item, (rows, columns),
    runs after the terminal is resized to it (and the later ones too, until the next
    resize). Each one's exit code and screen, the terminal's text passed through
    ``clean`` first."""
    import pexpect

    given = [[list(c[0]), c[1], list(unset), list(c[2]) if len(c) > 2 else None] for c in commands]
    child = spawn_pty(
        sys.executable,
        ["-c", _TERMINAL_RUNS, json.dumps(given)],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(rows, cols),
    )
    child.expect(pexpect.EOF)
    close_ended(child)
    text = clean(child.before or "")
    assert child.exitstatus == 0, text
    shown = re.findall(rf"^{_MARK}start\r?\n(.*?)^{_MARK}(-?\d+)\r?$", text, re.M | re.S)
    assert len(shown) == len(commands), text
    return [(int(code), screen) for screen, code in shown]


def once_per_run(name: str, compute: Callable[[], Any], factory: pytest.TempPathFactory) -> Any:
    """What ``compute`` returns (JSON data), computed once in the whole run: the workers
    of a parallel run share out a test file's tests, and without this each worker that
    got one would start the same processes again (a pseudo-terminal session of every
    command's help costs seconds). The first to ask computes it, holding a lock the others
    wait on, then they read its result. It must not depend on the test that asks (give
    file contents, not paths in the test's own directory). JSON turns tuples into lists."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return json.loads(json.dumps(compute()))
    import fcntl

    base = factory.getbasetemp().parent  # the run's, above each worker's own
    kept = base / f"once-{name}.json"
    with (base / f"once-{name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if kept.exists():
            return json.loads(kept.read_text())
        value = json.loads(json.dumps(compute()))
        kept.with_suffix(".part").write_text(json.dumps(value))
        kept.with_suffix(".part").replace(kept)
        return value


# llmpick's run() on one pseudo-terminal, given command lines one at a time (each as a
# JSON line, not echoed: [args, settings, size]), each run with the process's settings
# and its own (restored after), its terminal resized first if it has a size
_SESSION = (
    _ONE_TREE
    + f"""
import fcntl, gc, json, os, struct, sys, termios
from llmpick.cli.app import run
gc.disable()  # as the console script does
while True:
    shown = termios.tcgetattr(0)
    quiet = [*shown[:3], shown[3] & ~termios.ECHO, *shown[4:]]
    termios.tcsetattr(0, termios.TCSANOW, quiet)
    print({_MARK!r} + "ready", flush=True)
    line = os.read(0, 1 << 16)
    termios.tcsetattr(0, termios.TCSANOW, shown)
    if not line.strip():
        break
    args, env, size = json.loads(line)
    kept = dict(os.environ)
    os.environ.update(env)
    if size:
        fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", *size, 0, 0))
    print({_MARK!r} + "start", flush=True)
    code = run(args)
    sys.stdout.flush()
    sys.stderr.flush()
    print({_MARK!r} + str(code), flush=True)
    os.environ.clear()
    os.environ.update(kept)
"""
)


_ENDED = rf"{re.escape(_MARK)}(-?\d+)\r?\n"  # a run's end, and its exit code


class TerminalSession:
    """One llmpick process on one pseudo-terminal that runs command lines one after
    another, each driven by a test as a person would drive ``llmpick ARGS`` (the run()
    that `llmpick` calls; stdin, stdout and stderr the terminal): for conversations
    whose point is a terminal but not a fresh process, which costs about 0.25 s of CPU.
    Tests whose point is the process (its exit status after a signal) start their own."""

    def __init__(self, env: dict[str, str], rows: int, cols: int) -> None:
        self.child = spawn_pty(
            sys.executable,
            ["-c", _SESSION],
            env=env,
            encoding="utf-8",
            timeout=60,
            dimensions=(rows, cols),
        )
        self.busy = False
        self.seen = io.StringIO()

    def run(
        self, *args: str, env: dict[str, str] | None = None, size: tuple[int, int] | None = None
    ) -> Any:
        """Start ``llmpick ARGS`` with ``env`` on top of the session's settings, on a
        terminal of ``size`` (rows, columns) if given: the pexpect child to converse with,
        its output from the start of this run on."""
        child = self.child
        child.expect_exact(_MARK + "ready")
        child.sendline(json.dumps([list(args), env or {}, list(size) if size else None]))
        child.expect_exact(_MARK + "start")
        self.busy = True
        self.seen = io.StringIO()
        self.seen.write(child.buffer)  # read with the mark, not yet matched
        child.logfile_read = self.seen
        child.timeout = 30
        return child

    def end(self) -> tuple[int, str]:
        """Wait for the run to end: its exit code and what the terminal showed."""
        self.child.expect(_ENDED)
        return self._ended()

    def interrupt(self) -> tuple[int, str]:
        """Ctrl-C at a prompt, pressed again if nothing happened (``press_ctrl_c``): the
        run's exit code and what the terminal showed."""
        press_ctrl_c(self.child, until=_ENDED)
        return self._ended()

    def _ended(self) -> tuple[int, str]:
        self.busy = False
        shown = self.seen.getvalue()  # up to the end's mark (the next may follow)
        ended = re.search(_ENDED, shown)
        return int(self.child.match.group(1)), shown[: ended.start() if ended else None]

    def close(self) -> None:
        import pexpect

        if self.child.isalive() and not self.busy:
            self.child.expect_exact(_MARK + "ready")
            self.child.sendline("")
            self.child.expect(pexpect.EOF)
        self.child.close(force=True)


@pytest.fixture(scope="module")
def _terminal_sessions() -> Iterator[dict[str, TerminalSession]]:
    kept: dict[str, TerminalSession] = {}
    yield kept
    for session in kept.values():
        session.close()


@pytest.fixture
def terminal_session(
    _terminal_sessions: dict[str, TerminalSession],
) -> Iterator[Callable[..., TerminalSession]]:
    """The test module's ``TerminalSession``: ``terminal_session(env, rows=24, cols=80)``
    starts it at the first test that asks (in that test's isolated environment; the
    settings given are the session's, and later calls' are ignored) and it serves the
    module's tests in turn. A test that leaves a run unfinished (it failed) ends it."""
    made: list[TerminalSession] = []

    def get(env: dict[str, str], rows: int = 24, cols: int = 80) -> TerminalSession:
        session = _terminal_sessions.get("session")
        if session is None or not session.child.isalive():
            session = _terminal_sessions["session"] = TerminalSession(env, rows, cols)
        made.append(session)
        return session

    yield get
    for session in made:
        if session.busy:
            session.busy = False
            session.child.close(force=True)
            _terminal_sessions.pop("session", None)
