"""Reading a catalog's YAML before it is validated: each file's text and data, or the
problem that refuses it (``yamlsafe``: size, UTF-8, depth, aliases, duplicate keys).

A cold load of a large catalog spends most of its time in libyaml's events (20,000
models: about 1.5 s of 3.3). On Linux, where ``fork`` is safe, a large set of files is
shared out (``Shared``): worker processes each parse a run of the files with the same
code and send the plain data back through a pipe (``marshal``; ``pickle`` when a file
holds dates or other values marshal cannot write), while this process parses and
validates the first run; a worker's results are read when validation reaches its
files. The data and the problems are those of parsing in order here: each file's
result is kept on its ``SourceFile``, whoever parsed it, and validation reads them in
file order. A worker that cannot be started, dies, errs, sends what cannot be read or
has not finished in time leaves its run to this process; every worker is killed and
reaped when the load ends, an interrupt included. Elsewhere (Windows, macOS, a process
with threads), and for a small catalog, the files are parsed here, the overlays first
(``load_validate.parse_overlays``) and the others as validation reads them.

``apart`` runs a job in a forked process (the cache of a large catalog is written while
this process answers), waited for at exit (``finish``) and then asked to end (SIGTERM,
on which it leaves through its ``finally`` clauses: a writer removes its temporary
file), killed only if it does not.
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
    from collections.abc import Callable, Iterator, Sequence

    from llmpick.catalog.load_files import SourceFile

# below this many bytes a worker costs more than it saves (the bundled catalog, 1.2 MB,
# is parsed here in about 0.1 s; starting a worker and reading its data back cost more)
PARALLEL_BYTES = 4_000_000
BYTES_PER_PARSER = 2_000_000  # the least a worker (or this process) is given to parse
MAX_PARSERS = 4  # this process and three workers, at most
WAIT_AT_LEAST = 10.0  # seconds a worker may take beyond this process's own run ...
WAIT_TIMES = 5  # ... or this many times as long as this process took for its own
GRACE = 2.0  # seconds a process ``apart`` started has to end once asked to (SIGTERM)
# validating a file takes about this share of the time parsing it does: this process,
# which validates while the workers parse, is given that much less to parse
VALIDATE = 0.3


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
    """How many processes should parse ``files``, this one included: as many as there
    are cores free for them (those this process may use, less the load average of the
    last minute, rounded), and 1 (this one alone) for a small catalog, or where forking
    is not safe or not there. A worker on a core that others keep busy only takes this
    process's turns: on a saturated machine a shared load took longer than one here."""
    size = sum(len(f.data) for f in files)
    if size < PARALLEL_BYTES or not can_fork():
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - Linux has it
        cores = os.cpu_count() or 1
    try:
        free = 1 + int(cores - os.getloadavg()[0] + 0.5)  # this process's core included
    except OSError:  # pragma: no cover - Linux has it
        free = cores
    return max(1, min(cores, free, size // BYTES_PER_PARSER, MAX_PARSERS))


def can_fork() -> bool:
    """Whether a worker may be forked: on Linux (macOS's system libraries are not safe
    to use in a forked child), and from a process with one thread (a forked copy of a
    threaded one may hold a lock that no thread will free)."""
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


class Shared:
    """The parse of ``files`` shared out, for the time of a ``with`` block: on entering,
    ``n - 1`` workers are started (``n``: ``parsers(files)``), each for a run of the files; this
    process parses the first run itself as validation reads it (``read``), and a
    worker's run is received when validation first reaches one of its files, so that
    this process validates its own run while the workers parse theirs. On leaving,
    every worker is ended and reaped. ``shared``: whether any worker was started."""

    def __init__(self, files: Sequence[SourceFile], n: int) -> None:
        self.files, self.n = files, n
        self.workers: list[_Worker] = []
        self.began = 0.0
        self.deadline: float | None = None

    @property
    def shared(self) -> bool:
        return bool(self.workers)

    def __enter__(self) -> Shared:
        n = self.n
        if n > 1:
            import llmpick.yamlsafe  # noqa: F401 - loaded once, for this process and the workers

            self.began = time.monotonic()
            for run in _runs(self.files, n)[1:]:
                self._start(run)
        return self

    def __exit__(self, *exc: object) -> None:
        for worker in self.workers:
            worker.stop()

    def _start(self, run: list[SourceFile]) -> None:
        with _uninterrupted():  # the worker is noted before an interrupt can come
            started = _start(run)
            if started is not None:  # else this process parses the run as it reads it
                worker = _Worker(self, *started, run)
                self.workers.append(worker)
                for src in run:
                    src.pending = worker

    def until(self) -> float:
        """When the workers must have sent their runs: WAIT_TIMES as long as this process
        took to reach the first of them, WAIT_AT_LEAST seconds at least."""
        if self.deadline is None:
            now = time.monotonic()
            self.deadline = now + max(WAIT_AT_LEAST, WAIT_TIMES * (now - self.began))
        return self.deadline


class _Worker:
    def __init__(self, shared: Shared, pid: int, fd: int, run: list[SourceFile]) -> None:
        self.shared, self.pid, self.fd, self.run = shared, pid, fd, run
        self.running = True

    def receive(self) -> None:
        """The worker's results, kept on its files; when they cannot be had, its files
        are left for this process to parse (``read``)."""
        for src in self.run:
            src.pending = None
        if not _received(self.fd, self.run, self.shared.until()):
            for src in self.run:
                src.read = False
        self.stop()

    def stop(self) -> None:
        if self.running:
            self.running = False
            _stop(self.pid, self.fd)


def read(src: SourceFile) -> None:
    """Make sure ``src`` is read: by the worker it was given to, else here."""
    if src.pending is not None:
        src.pending.receive()
    if not src.read:
        parse_one(src)


def _runs(files: Sequence[SourceFile], n: int) -> list[list[SourceFile]]:
    """``files`` cut into ``n`` runs in order, the workers' of about equal size, and the
    first, which this process parses while it validates, smaller by VALIDATE."""
    total = sum(len(f.data) for f in files) or 1
    first = total / ((n - 1) * (1 + VALIDATE) + 1)
    runs: list[list[SourceFile]] = [[] for _ in range(n)]
    done = 0
    for src in files:
        k = 0 if done < first else 1 + int((done - first) * (n - 1) // (total - first))
        runs[min(n - 1, k)].append(src)
        done += len(src.data)
    return runs


def _start(run: list[SourceFile]) -> tuple[int, int] | None:
    """A worker parsing ``run``: its process id and the end of the pipe it writes its
    results to; None when it cannot be started."""
    try:
        out, into = os.pipe()
    except OSError:
        return None

    def work() -> None:
        os.close(out)
        _send(into, _work(run))

    pid = _forked(work)
    os.close(into)
    if pid is None:
        os.close(out)
        return None
    return pid, out


@contextlib.contextmanager
def _uninterrupted() -> Iterator[None]:
    """SIGINT held back for the time of the block: a process forked in it must be noted
    (to be reaped) before an interrupt can end this one."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _forked(job: Callable[[], object]) -> int | None:
    """A forked process running ``job``: its process id, or None when none can be
    forked. Call it within ``_uninterrupted``. The process takes interrupts again, takes
    SIGTERM as a request to end (``_terminated``: its ``finally`` clauses run), and
    whatever happens leaves through os._exit: nothing of this process's may run there."""
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:
        status = 1
        try:
            signal.signal(signal.SIGTERM, _terminated)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            job()
            status = 0
        finally:
            os._exit(status)
    return pid


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

    poll = select.poll()  # not select(): it refuses a descriptor above 1023
    poll.register(fd, select.POLLIN)
    chunks = []
    while True:
        left = max(0.0, deadline - time.monotonic())  # 0: only what has come in
        if not poll.poll(left * 1000):
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


def _stop(pid: int, fd: int | None) -> None:
    """Close our end of a worker's pipe, end it if it still runs, and reap it."""
    if fd is not None:
        os.close(fd)
    with contextlib.suppress(OSError):  # one that has exited is a zombie until reaped
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


_WAITED_AT_EXIT: list[bool] = []  # ``finish`` registered once, however many jobs
_APART: list[int] = []  # the processes ``apart`` started, until reaped


def apart(job: Callable[[], object]) -> bool:
    """Run ``job`` in a forked process, while this one goes on (writing the cache of a
    large catalog while the engine answers); False when none can be forked (then run it
    here). The process is waited for when this one exits (``finish``)."""
    if not can_fork():
        return False
    with _uninterrupted():
        pid = _forked(job)
        if pid is None:
            return False
        if not _WAITED_AT_EXIT:
            import atexit

            atexit.register(finish)
            _WAITED_AT_EXIT.append(True)
        _APART.append(pid)
    return True


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM in a forked process: leave through the job's ``finally``
    clauses (a cache writer removes its temporary file), as an interrupt does."""
    raise SystemExit(1)


def finish() -> None:
    """Wait for what ``apart`` started, WAIT_AT_LEAST seconds at most; then end what is
    left: asked first (SIGTERM, up to GRACE seconds, so that a writer removes its
    temporary file), killed if it does not end (its temporary file is then removed by a
    later ``cache.clean_cache``). An interrupt has already ended a writer, which removed
    its temporary file."""
    deadline = time.monotonic() + WAIT_AT_LEAST
    while _APART:
        pid = _APART[0]
        if not _reaped(pid, deadline):
            _ended(pid)
        _APART.pop(0)


def _ended(pid: int) -> None:
    """Ask ``pid`` to end (SIGTERM), wait GRACE seconds at most, then kill and reap it."""
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGTERM)
    if not _reaped(pid, time.monotonic() + GRACE):
        _stop(pid, None)


def _reaped(pid: int, until: float) -> bool:
    """Whether ``pid`` has ended and is reaped by ``until`` (a monotonic time), looked
    at every 5 ms."""
    while True:
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return True
        except ChildProcessError:  # reaped already
            return True
        if time.monotonic() >= until:
            return False
        time.sleep(0.005)
