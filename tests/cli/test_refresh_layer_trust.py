"""The refresh layer is distrusted like the catalog cache: private, owner-checked,
shape-checked per entry, bounded (its writer and reader agree), one writer at a time.
A damaged entry or layer is ignored with a warning, never a crash, and a refresh
replaces it."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from llmpick.catalog import layer as L
from llmpick.catalog import layer_format as F
from tests.conftest import Result
from tests.refresh_upstream import Upstream

Cli = Callable[..., Result]


def ok(r: Result) -> Result:
    assert r.code == 0, r
    assert "internal error" not in r.err and "Traceback" not in r.err, r
    return r


def layer() -> dict:
    return json.loads(L.layer_path().read_text())


def rewrite(edit: Callable[[dict], None]) -> None:
    data = layer()
    edit(data)
    L.layer_path().write_text(json.dumps(data))


@pytest.mark.parametrize(
    "damage",
    [
        {"seen": "yesterday"},
        {"input": "free"},
        {"input": 1e300},
        {"context": -5},
        {"kind": ["chat"]},
        {"capabilities": "tools"},
        {"provider": {"x": 1}},
        {"surprise": True},
    ],
    ids=lambda d: next(iter(d)),
)
def test_one_damaged_entry_is_ignored_with_a_warning_by_every_command(
    cli: Cli, upstream: Upstream, damage: dict
) -> None:
    ok(cli("catalog", "refresh", *upstream.args()))
    rewrite(lambda d: d["sources"]["litellm"]["models"]["gpt-t"].update(damage))
    for args in (
        ("providers",),
        ("models", "--json"),
        ("show", "gpt-t", "--json"),
        ("catalog", "status"),
    ):
        r = ok(cli(*args))
        assert "1 damaged entries ignored" in r.err or "1 damaged" in r.out, r
    # the other entries still apply; the damaged one is dropped when refresh rewrites
    assert "gpt-t-nova" in {m["id"] for m in json.loads(ok(cli("models", "--json")).out)}
    r = ok(cli("catalog", "refresh", "--json", *upstream.args()))
    assert json.loads(r.out)["previous_damaged"] == 1
    assert "damaged" not in ok(cli("models")).err


def test_a_damaged_layer_is_replaced_by_a_refresh(cli: Cli, upstream: Upstream) -> None:
    ok(cli("catalog", "refresh", *upstream.args()))
    rewrite(lambda d: d["sources"]["litellm"].update(models=[1, 2, 3]))
    r = ok(cli("providers"))
    assert "refresh layer ignored" in r.err and "is damaged" in r.err, r
    ok(cli("catalog", "refresh", *upstream.args()))
    assert "warning" not in ok(cli("providers")).err


def test_a_layer_in_a_directory_others_can_write_is_not_used(cli: Cli, upstream: Upstream) -> None:
    upstream.data["litellm"]["gpt-t"]["input_cost_per_token"] = 0.0
    ok(cli("catalog", "refresh", *upstream.args()))
    assert json.loads(ok(cli("show", "gpt-t", "--json")).out)["pricing"]["input"] == 0.0
    directory = L.layer_path().parent
    os.chmod(directory, 0o777)
    try:
        r = ok(cli("show", "gpt-t", "--json"))
        assert json.loads(r.out)["pricing"]["input"] == 1.25, "the planted $0 is not used"
        assert "others can write to it" in r.err, r
        refused = cli("catalog", "refresh", *upstream.args())
        assert refused.code == 1 and "others can write to it" in refused.err, refused
    finally:
        os.chmod(directory, 0o700)


def test_the_layer_is_private_whatever_the_umask(
    cli: Cli, upstream: Upstream, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "new" / "llmpick"
    monkeypatch.setenv("LLMPICK_DATA_DIR", str(data))
    old = os.umask(0)
    try:
        ok(cli("catalog", "refresh", *upstream.args()))
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(data / L.LAYER_FILE).st_mode) == 0o600


def test_a_symlinked_layer_is_not_followed(cli: Cli, upstream: Upstream, tmp_path: Path) -> None:
    ok(cli("catalog", "refresh", *upstream.args()))
    planted = tmp_path / "planted.json"
    planted.write_bytes(L.layer_path().read_bytes())
    L.layer_path().unlink()
    L.layer_path().symlink_to(planted)
    r = ok(cli("models", "--json"))
    assert "gpt-t-nova" not in {m["id"] for m in json.loads(r.out)}
    assert "refresh layer ignored" in r.err, r


def test_the_writer_never_writes_a_layer_its_reader_refuses(
    cli: Cli, upstream: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(cli("catalog", "refresh", *upstream.args()))
    before = L.layer_path().read_bytes()
    monkeypatch.setattr(L, "MAX_LAYER_BYTES", len(before) - 1)
    r = cli("catalog", "refresh", *upstream.args())
    assert r.code == 1 and "its reader would refuse it" in r.err, r
    assert L.layer_path().read_bytes() == before
    monkeypatch.setattr(L, "MAX_LAYER_BYTES", 10 * len(before))
    monkeypatch.setattr(F, "MAX_LAYER_ENTRIES", 3)
    r = cli("catalog", "refresh", *upstream.args())
    assert r.code == 1 and "the layer holds at most 3 a source" in r.err, r
    assert L.layer_path().read_bytes() == before


@pytest.mark.slow  # two processes refresh at once, their sources answering both together
def test_two_refreshes_at_once_keep_both_sources(upstream: Upstream) -> None:
    env = {**os.environ}
    cmd = [sys.executable, "-m", "llmpick", "catalog", "refresh"]
    litellm, models_dev = upstream.url("together-litellm.json"), upstream.url("together-api.json")
    a = subprocess.Popen(
        [*cmd, "--source", "litellm", "--url", f"litellm={litellm}"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    b = subprocess.Popen(
        [*cmd, "--source", "models.dev", "--url", f"models.dev={models_dev}"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    for p in (a, b):
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    assert set(layer()["sources"]) == {"litellm", "models.dev"}
