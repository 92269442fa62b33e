"""main(), the console script, ends the process normally: atexit handlers and logging's
shutdown run, and it can be called from Python."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURE_CATALOG


def small() -> dict[str, str]:
    """The test's environment with the test catalog: `show no-such-model` ends in a
    command's own error (exit 2) after reading a catalog, and five models to suggest
    names from cost less than the bundled catalog's 800 (about 0.3 s of CPU a process)."""
    return {**os.environ, "LLMPICK_BASE_CATALOG": str(FIXTURE_CATALOG)}


PROGRAM = """
import atexit, logging, sys
from llmpick.cli.app import main

LOG = sys.argv[1]

class Buffered(logging.Handler):  # writes only when flushed, as a buffering handler would
    def __init__(self):
        super().__init__()
        self.lines = []
    def emit(self, record):
        self.lines.append(record.getMessage())
    def flush(self):
        if self.lines:
            with open(LOG, "w") as fh:
                fh.write("\\n".join(self.lines))
            self.lines = []

logging.getLogger().addHandler(Buffered())
logging.getLogger().warning("logged before main")
atexit.register(lambda: print("atexit ran", file=sys.stderr))
sys.argv = ["llmpick", *sys.argv[2:]]
try:
    main()
except SystemExit as exc:
    print(f"main exited with {exc.code}", file=sys.stderr)
    raise
"""


def test_main_exits_normally_so_atexit_and_logging_run(tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    proc = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(log), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("llmpick "), proc
    assert "main exited with 0" in proc.stderr
    assert "atexit ran" in proc.stderr
    assert log.read_text() == "logged before main"


def test_main_passes_on_the_exit_code(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(tmp_path / "log.txt"), "show", "no-such-model"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=small(),
    )
    assert proc.returncode == 2, proc.stderr
    assert "main exited with 2" in proc.stderr and "atexit ran" in proc.stderr


def test_the_console_script_skips_teardown_but_still_flushes_logs_and_runs_atexit(
    tmp_path: Path,
) -> None:
    program = PROGRAM.replace("import main", "import console").replace("main()", "console()")
    for args, code in ((["--version"], 0), (["show", "no-such-model"], 2)):
        log = tmp_path / f"log-{code}.txt"
        proc = subprocess.run(
            [sys.executable, "-c", program, str(log), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env=small(),
        )
        assert proc.returncode == code, proc.stderr
        assert "atexit ran" in proc.stderr
        assert log.read_text() == "logged before main"
        if code == 0:
            assert proc.stdout.startswith("llmpick "), proc
