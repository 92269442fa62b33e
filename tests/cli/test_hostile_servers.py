"""`eval` and `catalog refresh` against a hostile server on 127.0.0.1 (tests/
hostile_http.py): endless bodies, compression bombs, stacked encodings and headers
dripped a byte at a time must cost a bounded amount of memory and time, and end in a
message, never a hang or an internal error."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from llmpick.catalog import layer as L
from llmpick.catalog import upstream as U
from tests.conftest import Result, run_process, run_with_peak
from tests.hostile_http import Hostile
from tests.refresh_upstream import FIX

Cli = Callable[..., Result]


def test_the_bomb_is_valid_gzip_of_zeros() -> None:
    """The bomb is built from one compressed block repeated (tests/hostile_http.py):
    a small one made the same way inflates to exactly its zero bytes."""
    import gzip

    from tests.hostile_http import bomb

    mib = 1024 * 1024
    for size in (2 * mib, 5 * mib):
        assert gzip.decompress(bomb(size)) == bytes(size)
    assert 400_000 < len(bomb()) < 600_000  # about 1/1000 of BOMB


# --- catalog refresh ----------------------------------------------------------------


@pytest.fixture
def refresh_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMPICK_BASE_CATALOG", str(FIX / "catalog"))


@pytest.mark.usefixtures("refresh_catalog")
@pytest.mark.parametrize(
    ("behaviour", "why"),
    [
        ("gzip2", "encoded 2 times over (gzip, gzip); refused"),
        ("br", "uses an encoding llmpick does not read ('br')"),
        ("gzip-bomb", f"is larger than the limit of {U.MAX_DOWNLOAD_BYTES:,} bytes"),
    ],
)
def test_refresh_bounds_the_decoded_size_and_refuses_stacked_encodings(
    cli: Cli, hostile: Hostile, behaviour: str, why: str
) -> None:
    start = time.monotonic()
    r = cli(
        "catalog", "refresh", "--source", "litellm", "--url", f"litellm={hostile.url(behaviour)}"
    )
    assert r.code == 1, r
    assert why in r.err, r
    assert "nothing was changed" in r.err and "Traceback" not in r.err, r
    assert time.monotonic() - start < 10
    assert not L.layer_path().exists()


@pytest.mark.slow  # a process waits out its 0.5 s deadline
@pytest.mark.usefixtures("refresh_catalog")
def test_refresh_deadline_holds_while_the_headers_drip(hostile: Hostile) -> None:
    """--timeout is a deadline for the whole request: a server that sends its headers a
    byte at a time (each byte, every 0.1 s, restarts the HTTP library's read timeout, of
    twice the deadline) is cut off."""
    start = time.monotonic()
    p = run_process(
        "catalog", "refresh", "--timeout", "0.5", "--source", "litellm",
        "--url", f"litellm={hostile.url('drip-headers')}",
        timeout=30,
    )  # fmt: skip
    took = time.monotonic() - start
    assert p.returncode == 1, p.stderr
    assert "took longer than 0.5 s" in p.stderr, p.stderr
    assert took < 8, f"took {took:.1f} s"


# --- eval -----------------------------------------------------------------------------


def _eval(
    cli: Cli, tmp_path: Path, hostile: Hostile, behaviour: str, stream: bool
) -> dict[str, Any]:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": "c", "prompt": "hi", "expect": {"contains": "ok"}}) + "\n")
    targets = tmp_path / "targets.yaml"
    target = {
        "name": "t",
        "base_url": hostile.url(behaviour) + "/v1",
        "served_as": "m",
        "stream": stream,
    }
    targets.write_text(yaml.safe_dump({"targets": [target]}))
    out = tmp_path / "out.jsonl"
    r = cli(
        "eval", str(cases), "--targets", str(targets), "--out", str(out),
        "--retries", "0", "--timeout", "60", "--json",
    )  # fmt: skip
    assert r.code in (0, 1), r  # 1: no request was answered
    assert "internal error" not in r.err and "Traceback" not in r.err, r
    (rec,) = [json.loads(x) for x in out.read_text().splitlines()]
    return rec


@pytest.mark.parametrize(
    ("behaviour", "stream", "why"),
    [
        ("endless", False, "the reply is larger than the limit of 33,554,432 bytes"),
        ("big", False, "the reply is 50,331,648 bytes; the limit is 33,554,432"),
        ("endless-sse", True, "the reply is larger than the limit of 33,554,432 bytes"),
        ("gzip-bomb", False, "the reply is larger than the limit of 33,554,432 bytes"),
        ("gzip-bomb", True, "the reply is larger than the limit of 33,554,432 bytes"),
        ("gzip2", False, "the reply is encoded 2 times over (gzip, gzip); refused"),
    ],
)
def test_eval_bounds_every_reply_while_reading_it(
    cli: Cli, tmp_path: Path, hostile: Hostile, behaviour: str, stream: bool, why: str
) -> None:
    rec = _eval(cli, tmp_path, hostile, behaviour, stream)
    assert rec["outcome"] == "error" and rec["error"] == why, rec
    assert rec["attempts"] == 1  # too large once is too large again: not retried


def test_eval_reads_a_compressed_reply(cli: Cli, tmp_path: Path, hostile: Hostile) -> None:
    rec = _eval(cli, tmp_path, hostile, "gzip-ok", False)
    assert rec["outcome"] == "pass" and rec["answer"] == "ok", rec


@pytest.mark.skipif(sys.platform != "linux", reason="reads the peak memory of a child")
def test_eval_memory_stays_bounded_on_an_inflating_reply(hostile: Hostile, tmp_path: Path) -> None:
    """A 500 KB body that inflates to 512 MiB: the child's peak memory stays far below
    what reading it whole would take."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": "c", "prompt": "hi", "expect": {"contains": "ok"}}) + "\n")
    targets = tmp_path / "targets.yaml"
    target = {"name": "t", "base_url": hostile.url("gzip-bomb") + "/v1", "served_as": "m"}
    targets.write_text(yaml.safe_dump({"targets": [target]}))
    p, peak_mb = run_with_peak(
        ["eval", str(cases), "--targets", str(targets), "--retries", "0", "--json"], timeout=60
    )
    assert p.returncode == 1 and "no request was answered" in p.stderr, p.stderr
    assert peak_mb < 250, f"peak {peak_mb:.0f} MB"


def test_the_eval_markdown_report_escapes_a_server_message(
    cli: Cli, tmp_path: Path, hostile: Hostile
) -> None:
    import re

    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": "c", "prompt": "hi", "expect": {"contains": "ok"}}) + "\n")
    targets = tmp_path / "targets.yaml"
    target = {"name": "t", "base_url": hostile.url("evil-error") + "/v1", "served_as": "m"}
    targets.write_text(yaml.safe_dump({"targets": [target]}))
    md = tmp_path / "report.md"
    r = cli("eval", str(cases), "--targets", str(targets), "--export", str(md), "--retries", "0")
    assert "internal error" not in r.err, r
    text = md.read_text()
    assert "gnp.exe" in text, text  # the message is there, made harmless
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text), text
    assert not re.search(r"(?<!\\)[<>]", text), text
    rows = [ln for ln in text.splitlines() if ln.startswith("| ")]
    assert len({len(re.findall(r"(?<!\\)\|", ln)) for ln in rows if "evil" not in ln}) >= 1


def test_a_download_works_from_inside_a_running_event_loop(hostile: Hostile) -> None:
    """The MCP server calls the library from its event loop (fit reads the Hub through
    get_bytes), where asyncio.run alone would raise."""
    import asyncio

    from llmpick.http import get_bytes

    async def inside() -> bytes:
        return get_bytes(hostile.url("gzip-ok"), timeout=10, max_bytes=10_000)

    assert b'"content": "ok"' in asyncio.run(inside())
