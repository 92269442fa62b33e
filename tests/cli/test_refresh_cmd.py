"""`llmpick catalog refresh` and `catalog status` against a real HTTP server on the
loopback interface serving the fixture tables, with scripted changes and failures."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from llmpick.catalog import layer as L
from llmpick.catalog import upstream as U
from tests.conftest import Result, run_process
from tests.refresh_upstream import FIX, Upstream

Cli = Callable[..., Result]
KEPT = "nothing was changed: the refresh layer of 2026-11-30 (litellm, models.dev) stays in force"


@pytest.fixture
def upstream(monkeypatch: pytest.MonkeyPatch) -> Iterator[Upstream]:
    monkeypatch.setenv("LLMPICK_BASE_CATALOG", str(FIX / "catalog"))
    monkeypatch.setattr(U, "MAX_DOWNLOAD_BYTES", 256 * 1024)
    up = Upstream().start()
    try:
        yield up
    finally:
        up.stop()


def layer_file() -> Path:
    return L.layer_path()


def ok(r: Result) -> Result:
    assert r.code == 0, r
    assert "Traceback" not in r.err, r
    return r


# --- a refresh that works ------------------------------------------------------------------


def test_a_raised_price_is_used_by_show_and_recommend_with_its_date(
    cli: Cli, upstream: Upstream
) -> None:
    upstream.data["litellm"]["gpt-t"]["input_cost_per_token"] = 1.5e-06
    r = ok(cli("catalog", "refresh", *upstream.args()))
    assert "gpt-t: price $1.25 in / $10.00 out → $1.50 in / $10.00 out" in r.out
    assert "+ gpt-t-nova (openai)" in r.out
    assert layer_file().is_file()

    shown = ok(cli("show", "gpt-t", "--json"))
    p = json.loads(shown.out)["pricing"]
    assert (p["input"], p["as_of"], p["source"]) == (1.5, "2026-11-30", "litellm:gpt-t")
    assert "note: prices and limits refreshed 2026-11-30 (--no-refresh ignores them)\n" in shown.err

    assert json.loads(shown.out)["refreshed"] == [
        {
            "field": "price",
            "old": [1.25, 10.0],
            "new": [1.5, 10.0],
            "source": "litellm:gpt-t",
            "date": "2026-11-30",
        }
    ]
    human = ok(cli("show", "gpt-t"))
    assert "refreshed" in human.out and "$1.25 in / $10.00 out → $1.50 in / $10.00 out" in human.out

    rec = ok(
        cli("recommend", "--task", "chat", "--access", "proprietary", "--tokens-per-month",
            "10M:2M", "--json")
    )  # fmt: skip
    doc = json.loads(rec.out)
    by_id = {c["id"]: c for c in doc["candidates"]}
    cost = by_id["gpt-t"]["monthly_cost"]
    assert (cost["usd"], cost["prices_as_of"]) == (35.0, "2026-11-30")  # 10 x 1.5 + 2 x 10
    assert any("price refreshed 2026-11-30" in c["text"] for c in by_id["gpt-t"]["caveats"])
    assert doc["catalog"]["refresh"] == {
        "fetched": "2026-11-30",
        "sources": ["litellm", "models.dev"],
        "changed_models": 3,  # gpt-t price, gpt-t-mini max output, gpt-t-old status
        "unreviewed_models": 2,
    }


def test_new_upstream_models_appear_unreviewed_and_licences_are_unchanged(
    cli: Cli, upstream: Upstream
) -> None:
    ok(cli("catalog", "refresh", *upstream.args()))
    models = {m["id"]: m for m in json.loads(ok(cli("models", "--json")).out)}
    assert models["gpt-t-nova"]["license"]["id"] == "unreviewed-api-terms"
    assert models["gpt-t-nova"]["unreviewed"] is True and "unreviewed" not in models["gpt-t"]
    assert models["gpt-t-nova"]["license"]["commercial_use"] == "conditional"
    assert models["gpt-t"]["license"]["id"] == "openai-terms"
    assert models["llama-t-8b-instruct"]["license"]["id"] == "llama-t"
    assert models["llama-t-8b-instruct"]["context_window"] == 131072

    rec = ok(cli("recommend", "--task", "chat", "--access", "proprietary", "--json"))
    nova = next(c for c in json.loads(rec.out)["candidates"] if c["id"] == "gpt-t-nova")
    assert any(c["text"].startswith("unreviewed: added from") for c in nova["caveats"])
    human = ok(cli("recommend", "--task", "chat", "--access", "proprietary"))
    assert "unreviewed: added from litellm, models.dev" in human.out


def test_no_refresh_ignores_the_layer(cli: Cli, upstream: Upstream) -> None:
    upstream.data["litellm"]["gpt-t"]["input_cost_per_token"] = 1.5e-06
    ok(cli("catalog", "refresh", *upstream.args()))
    r = ok(cli("--no-refresh", "show", "gpt-t", "--json"))
    assert json.loads(r.out)["pricing"]["input"] == 1.25
    assert "refreshed" not in r.err
    ids = {m["id"] for m in json.loads(ok(cli("--no-refresh", "models", "--json")).out)}
    assert "gpt-t-nova" not in ids


def test_dry_run_prints_the_diff_and_writes_nothing(cli: Cli, upstream: Upstream) -> None:
    upstream.data["litellm"]["gpt-t"]["input_cost_per_token"] = 1.5e-06
    del upstream.data["litellm"]["gpt-t-old"]
    r = ok(cli("catalog", "refresh", "--dry-run", *upstream.args()))
    assert "added, unreviewed: 2" in r.out
    assert "~ gpt-t: price $1.25 in / $10.00 out → $1.50 in / $10.00 out" in r.out
    assert "? litellm:gpt-t-old (cited by gpt-t-old)" in r.out
    assert "dry run: nothing was written" in r.err
    assert not layer_file().exists()
    j = json.loads(ok(cli("catalog", "refresh", "--dry-run", "--json", *upstream.args())).out)
    assert j["written"] is False and j["dry_run"] is True
    assert {a["id"] for a in j["added"]} == {"gpt-t-nova", "text-embedding-t"}
    assert {"id": "gpt-t", "field": "price", "old": [1.25, 10.0], "new": [1.5, 10.0],
            "source": "litellm:gpt-t", "unreviewed": False} in j["changed"]  # fmt: skip
    assert j["missing"] == [{"key": "litellm:gpt-t-old", "cited_by": ["gpt-t-old"]}]
    assert set(j["sources"]) == {"litellm", "models.dev"}
    assert not layer_file().exists()


def test_a_model_gone_upstream_is_kept_and_reported(cli: Cli, upstream: Upstream) -> None:
    ok(cli("catalog", "refresh", *upstream.args()))
    del upstream.data["litellm"]["gpt-t-old"]
    r = ok(cli("catalog", "refresh", "--json", *upstream.args()))
    assert json.loads(r.out)["missing"][0]["key"] == "litellm:gpt-t-old"
    models = {m["id"] for m in json.loads(ok(cli("models", "--json")).out)}
    assert {"gpt-t-old", "gpt-t-nova"} <= models


def test_from_a_local_file_offline(cli: Cli, upstream: Upstream) -> None:
    r = ok(cli("catalog", "refresh", "--from", f"litellm={FIX / 'litellm.json'}", "--json"))
    assert list(json.loads(r.out)["sources"]) == ["litellm"]
    status = json.loads(ok(cli("catalog", "status", "--json")).out)
    assert list(status["layer"]["sources"]) == ["litellm"]
    assert status["unreviewed"] == {"total": 1, "by_provider": {"openai": 1}}


# --- every failure leaves the previous layer in force -------------------------------------


FAILURES = [
    ("truncated", "not valid JSON"),
    ("garbage", "not valid JSON"),
    ("layout", "not a LiteLLM table"),
    ("missing-file", "HTTP 404"),
    ("huge", "the limit is"),
    ("huge-chunked", "larger than the limit"),
    ("slow", "took longer than 0.2 s"),  # the deadline: 0.2 s for these two (below)
    ("drip", "took longer than 0.2 s"),
    ("shrunk", "4 entries, fewer than half of the 19"),
]


@pytest.mark.parametrize(("path", "why"), FAILURES)
def test_a_refused_refresh_keeps_the_previous_layer_byte_for_byte(
    cli: Cli, upstream: Upstream, path: str, why: str
) -> None:
    ok(cli("catalog", "refresh", *upstream.args()))
    before = layer_file().read_bytes()
    upstream.data["litellm"]["gpt-t"]["input_cost_per_token"] = 9e-06
    # a slow or dripping server is cut off at 0.2 s; the others have time to be read
    timeout = "0.2" if path in ("slow", "drip") else "0.5"
    start = time.monotonic()
    r = cli("catalog", "refresh", "--timeout", timeout, *upstream.args(litellm=path))
    assert time.monotonic() - start < 2.5, "a slow server must not be waited for"
    assert r.code == 1, r
    assert "litellm: refused: " in r.err and why in r.err, r
    assert KEPT in r.err, r
    assert "Traceback" not in r.err
    assert layer_file().read_bytes() == before
    assert json.loads(ok(cli("show", "gpt-t", "--json")).out)["pricing"]["input"] == 1.25


def test_a_refused_first_refresh_writes_nothing(cli: Cli, upstream: Upstream) -> None:
    r = cli("catalog", "refresh", *upstream.args(litellm="garbage"))
    assert r.code == 1, r
    assert "no layer was written; the curated catalog (checked up to 2026-11-01)" in r.err
    assert not layer_file().exists()


def test_an_unreachable_server_fails_cleanly(cli: Cli, upstream: Upstream) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens once closed
    r = cli("catalog", "refresh", "--url", f"litellm=http://127.0.0.1:{port}/x.json")
    assert r.code == 1, r
    assert "litellm: refused" in r.err and "Traceback" not in r.err


@pytest.mark.parametrize(
    "args",
    [
        ("--source", "huggingface"),
        ("--url", "litellm"),
        ("--url", "nope=http://127.0.0.1/x"),
        ("--from", "litellm="),
        ("--url", "litellm=http://127.0.0.1/x", "--from", "litellm=/tmp/x"),
        ("--timeout", "0"),
    ],
)
def test_bad_options_are_usage_errors(cli: Cli, upstream: Upstream, args: tuple[str, ...]) -> None:
    r = cli("catalog", "refresh", *args)
    assert r.code == 2, r
    assert not layer_file().exists()


def test_a_damaged_layer_is_ignored_with_a_warning(cli: Cli, upstream: Upstream) -> None:
    layer_file().parent.mkdir(parents=True, exist_ok=True)
    layer_file().write_bytes(b'{"format": 1, "sources": ')
    r = ok(cli("models", "--json"))
    assert "refresh layer ignored" in r.err and "damaged" in r.err
    assert len(json.loads(r.out)) == 4
    ok(cli("catalog", "refresh", *upstream.args()))  # and a refresh replaces it
    assert "gpt-t-nova" in layer_file().read_text()


# --- status ------------------------------------------------------------------------------


def test_status_without_and_with_a_layer(cli: Cli, upstream: Upstream) -> None:
    r = ok(cli("catalog", "status"))
    assert "curated catalog: 4 models, checked up to 2026-11-01" in r.out
    assert "refresh layer: none" in r.out
    ok(cli("catalog", "refresh", *upstream.args()))
    r = ok(cli("catalog", "status"))
    assert "refresh layer: 2026-11-30, in force" in r.out
    assert "litellm: 19 entries read 2026-11-30" in r.out
    assert "adds 2 unreviewed API models: openai 2" in r.out
    doc = json.loads(ok(cli("catalog", "status", "--json")).out)
    assert doc["in_force"] is True and doc["warning"] is None and doc["age_days"] == 0
    assert doc["catalog"] == {**doc["catalog"], "verified": "2026-11-01", "models": 4}
    assert doc["unreviewed"]["total"] == 2
    assert (
        json.loads(ok(cli("--no-refresh", "catalog", "status", "--json")).out)["in_force"] is False
    )


def test_old_data_warns_in_status_and_once_in_recommend(
    cli: Cli, upstream: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMPICK_TODAY", "2027-03-15")
    r = ok(cli("catalog", "status"))
    assert "warning: the catalog's newest data is from 2026-11-01, 134 days ago" in r.err
    rec = ok(cli("recommend", "--task", "chat"))
    assert rec.out.count("134 days ago") == 1
    answer = ok(cli("recommend", "--no-input", "--json")).out
    assert "134 days ago" in json.loads(answer)["catalog"]["warning"]


# --- no network elsewhere; readers during a swap -------------------------------------------


@pytest.mark.slow  # a fresh process (its imports are the point) runs six commands
def test_other_commands_do_not_import_the_http_client(cli: Cli, upstream: Upstream) -> None:
    ok(cli("catalog", "refresh", *upstream.args()))
    code = (
        "import sys\n"
        "from llmpick.cli.app import run\n"
        "for args in (['recommend', '--task', 'chat', '--json'], ['show', 'gpt-t'],\n"
        "             ['models'], ['catalog', 'status'], ['why', 'gpt-t-nova'],\n"
        "             ['catalog', 'refresh', '--dry-run', '--from', sys.argv[1]]):\n"
        "    assert run(args) == 0, args\n"
        "print('httpx' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, f"litellm={FIX / 'litellm.json'}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.slow  # four reader processes while a thread swaps the layer file
def test_recommend_during_a_swap_sees_one_layer_or_the_other(cli: Cli, upstream: Upstream) -> None:
    layers = []
    for price in (1e-06, 3e-06):
        upstream.data["litellm"]["gpt-t"]["input_cost_per_token"] = price
        upstream.data["models.dev"]["openai"]["models"]["gpt-t-mini"]["cost"]["input"] = price * 1e6
        ok(cli("catalog", "refresh", *upstream.args()))
        layers.append(layer_file().read_bytes())
    stop = threading.Event()

    def swap() -> None:
        from llmpick.files import write_atomic

        i = 0
        while not stop.is_set():
            i += 1
            write_atomic(layer_file(), layers[i % 2])

    writer = threading.Thread(target=swap)
    writer.start()
    try:
        for _ in range(4):
            proc = run_process("models", "--json")
            assert proc.returncode == 0, proc.stderr
            prices = {
                m["id"]: m["pricing"]["input"]
                for m in json.loads(proc.stdout)
                if m["id"] in ("gpt-t", "gpt-t-mini")
            }
            assert prices["gpt-t"] == prices["gpt-t-mini"] in (1.0, 3.0), prices
    finally:
        stop.set()
        writer.join()


def test_credentials_in_a_url_are_used_but_never_stored_or_printed(
    cli: Cli, upstream: Upstream
) -> None:
    """Issue 23, defect 2: `user:pass@` and `?token=` were kept in the layer file and
    printed by the refresh report and by every `catalog status`."""
    secret_user, secret_pass, token = "alice-user", "s3cret-pass", "tok-0123456789"
    base = upstream.base.replace("http://", f"http://{secret_user}:{secret_pass}@")
    r = ok(
        cli(
            "catalog",
            "refresh",
            *("--url", f"litellm={base}/litellm.json?token={token}&v=2"),
            *("--url", f"models.dev={upstream.url('api.json')}"),
        )
    )
    assert any(a and a.startswith("Basic ") for a in upstream.auth)  # the credentials were used
    shown = [
        r.out,
        r.err,
        layer_file().read_text(),
        ok(cli("catalog", "status")).out,
        ok(cli("catalog", "status", "--json")).out,
    ]
    for text in shown:
        for secret in (secret_user, secret_pass, token):
            assert secret not in text
    status = json.loads(shown[-1])
    assert status["layer"]["sources"]["litellm"]["url"] == (
        f"{upstream.base}/litellm.json?token=hidden&v=hidden"
    )
    # a failed download names the address without them too
    bad = cli("catalog", "refresh", "--url", f"litellm={base}/nothing?token={token}")
    assert bad.code != 0 and "nothing" in bad.err
    assert token not in bad.err + bad.out and secret_pass not in bad.err + bad.out


def test_a_layer_written_with_credentials_is_shown_without_them(
    cli: Cli, upstream: Upstream
) -> None:
    ok(cli("catalog", "refresh", *upstream.args()))
    data = json.loads(layer_file().read_text())
    data["sources"]["litellm"]["url"] = "https://bob:hunter22@example.org/p.json?key=abcdef"
    layer_file().write_text(json.dumps(data))
    out = ok(cli("catalog", "status")).out
    assert "hunter22" not in out and "abcdef" not in out and "bob" not in out
    assert "https://example.org/p.json?key=hidden" in out
