"""Reading a catalog's YAML before it is validated: each file's text and data, or the
problem that refuses it (``yamlsafe``: size, UTF-8, depth, aliases, duplicate keys).

A cold load of a large catalog spends most of its time in libyaml's events (20,000
models: about 1.5 s of 3.3). On Linux, where ``fork`` is safe, a large set of files is
shared out: worker processes each parse a run of the files with the same code and send
the plain data back through a pipe (``marshal``; ``pickle`` when a file holds dates or
other values marshal cannot write), while this process parses the first run. The data
and the problems are those of parsing in order here: each file's result is kept on its
``SourceFile``, whoever parsed it, and validation reads them in file order. A worker that
cannot be started, dies, errs, sends what cannot be read or has not finished in time
leaves its run to this process; every worker is killed and reaped before this returns
(an interrupt included), so none outlives the load. Elsewhere (Windows, macOS, a
process with threads), and for a small catalog, the files are parsed here, the
overlays first (``load_validate.parse_overlays``) and the others as validation reads
them.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
import sys
import time
from typing import TYPE_CHECKING, Any

from llmpick.errors import Problem

if TYPE_CHECKING:
    from collections.abc import Sequence

    from llmpick.catalog.load_files import SourceFile

# below this many bytes a worker costs more than it saves (the bundled catalog, 1.2 MB,
# is parsed here in about 0.1 s; starting a worker and reading its data back cost more)
PARALLEL_BYTES = 4_000_000
BYTES_PER_PARSER = 2_000_000  # the least a worker (or this process) is given to parse
MAX_PARSERS = 4  # this process and three workers, at most
WAIT_AT_LEAST = 10.0  # seconds a worker may take beyond this process's own run ...
WAIT_TIMES = 5  # ... or this many times as long as this process took for its own


def parse_one(src: SourceFile) -> None:
    """Parse ``src`` here: its text and data, or its problem."""
    from llmpick.yamlsafe import YamlProblem, decode, parse

    src.read, src.parsed, src.problem, src.text = True, None, None, ""
    try:
        src.text = decode(src.data, src.label)
        src.parsed = parse(src.text, src.label)
    except YamlProblem as exc:
        src.problem = exc.problem


def parsers(files: Sequence[SourceFile]) -> int:
    """How many processes should parse ``files``, this one included: 1 (this one alone)
    for a small catalog, or where forking is not safe or not there."""
    size = sum(len(f.data) for f in files)
    if size < PARALLEL_BYTES or not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return 1
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return 1  # a forked copy of a threaded process may hold a lock no thread will free
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - Linux has it
        cores = os.cpu_count() or 1
    return max(1, min(cores, size // BYTES_PER_PARSER, MAX_PARSERS))


def parse_all(files: Sequence[SourceFile], workers: int) -> None:
    """Parse every file of ``files``: this process the first run, ``workers`` forked
    processes one run each (runs of about equal size), each result kept on its file."""
    runs = _runs(files, workers + 1)
    started: list[tuple[int, int, list[SourceFile]]] = []
    try:
        for run in runs[1:]:
            # no interrupt between the fork and noting the worker, which must be reaped
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                worker = _start(run)
                if worker is not None:
                    started.append((*worker, run))
            finally:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            if worker is None:  # no fork, no pipe: this process parses the run
                for src in run:
                    parse_one(src)
        began = time.monotonic()
        for src in runs[0]:
            parse_one(src)
        mine = time.monotonic() - began
        deadline = time.monotonic() + max(WAIT_AT_LEAST, WAIT_TIMES * mine)
        for _pid, fd, run in started:
            if not _received(fd, run, deadline):
                for src in run:
                    parse_one(src)
    finally:
        for pid, fd, _ in started:
            _stop(pid, fd)


def _runs(files: Sequence[SourceFile], n: int) -> list[list[SourceFile]]:
    """``files`` cut into ``n`` runs in order, of about equal bytes."""
    total = sum(len(f.data) for f in files) or 1
    runs: list[list[SourceFile]] = [[] for _ in range(n)]
    done = 0
    for src in files:
        runs[min(n - 1, done * n // total)].append(src)
        done += len(src.data)
    return runs


def _start(run: list[SourceFile]) -> tuple[int, int] | None:
    """A worker parsing ``run``: its process id and the end of the pipe it writes its
    results to; None when it cannot be started."""
    try:
        out, into = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(out)
        os.close(into)
        return None
    if pid == 0:  # the worker: whatever happens, it leaves through os._exit
        status = 1
        try:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            os.close(out)
            _send(into, _work(run))
            status = 0
        finally:
            os._exit(status)  # nothing of the parent's may run here
    os.close(into)
    return pid, out


def _work(run: list[SourceFile]) -> bytes:
    """What a worker sends: each file's data, or its problem, in order."""
    results: list[tuple[Any, ...]] = []
    for src in run:
        parse_one(src)
        p = src.problem
        results.append(
            (src.parsed,) if p is None else (p.file, p.message, p.path, p.line, src.text)
        )
    try:
        return b"m" + marshal.dumps(results)
    except ValueError:  # a date, a timestamp, a set: what marshal cannot write
        import pickle

        return b"p" + pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)


def _send(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view) :]
    os.close(fd)


def _received(fd: int, run: list[SourceFile], deadline: float) -> bool:
    """Read a worker's results into ``run``; False when they did not all come in time
    or cannot be read (the run is then parsed here)."""
    import select

    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return False
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    try:
        return _apply(b"".join(chunks), run)
    except Exception:  # a worker that sent nonsense: parse here
        return False


def _apply(payload: bytes, run: list[SourceFile]) -> bool:
    if payload[:1] == b"m":
        results = marshal.loads(memoryview(payload)[1:])
    elif payload[:1] == b"p":  # our own worker's, as trusted as our own memory
        import pickle

        results = pickle.loads(memoryview(payload)[1:])
    else:
        return False
    if type(results) is not list or len(results) != len(run):
        return False
    for src, result in zip(run, results, strict=True):
        src.read = True
        if len(result) == 1:
            (src.parsed,) = result
            src.text = src.data.decode("utf-8")  # the worker decoded it already
        else:
            file, message, path, line, src.text = result
            src.problem = Problem(file, message, path, line)
    return True


def _stop(pid: int, fd: int) -> None:
    """Close our end of a worker's pipe, end it if it still runs, and reap it."""
    os.close(fd)
    with contextlib.suppress(OSError):  # one that has exited is a zombie until reaped
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
