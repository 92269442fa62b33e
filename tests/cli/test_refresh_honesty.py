"""Refresh honesty: dates come from the source, never from the clock, and an entry a
provider resells from another maker is not added under the reseller's name."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result
from tests.refresh_upstream import FIX, Upstream

Cli = Callable[..., Result]


@pytest.fixture
def refresh_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMPICK_BASE_CATALOG", str(FIX / "catalog"))


def ok(r: Result) -> Result:
    assert r.code == 0, r
    assert "internal error" not in r.err, r
    return r


def _dated(src: Path, dest: Path, day: str) -> Path:
    shutil.copy(src, dest)
    import datetime as dt

    stamp = dt.datetime.fromisoformat(f"{day}T12:00:00+00:00").timestamp()
    os.utime(dest, (stamp, stamp))
    return dest


@pytest.mark.usefixtures("refresh_catalog")
def test_dates_come_from_the_files_not_the_clock(cli: Cli, tmp_path: Path) -> None:
    litellm = _dated(FIX / "litellm.json", tmp_path / "litellm.json", "2026-07-15")
    md = _dated(FIX / "models-dev.json", tmp_path / "api.json", "2026-09-20")
    ok(cli("catalog", "refresh", "--from", f"litellm={litellm}", "--from", f"models.dev={md}"))
    status = json.loads(ok(cli("catalog", "status", "--json")).out)
    assert status["layer"]["sources"]["litellm"]["fetched"] == "2026-07-15"
    assert status["layer"]["sources"]["models.dev"]["fetched"] == "2026-09-20"
    assert status["layer"]["fetched"] == "2026-09-20"
    # the newest data is the curated catalog's check (2026-11-01), not today's run
    assert status["age_days"] == 29, status
    # a curated price checked 2026-09-01 is not moved to a newer date by July's table
    price = json.loads(ok(cli("show", "gpt-t", "--json")).out)["pricing"]
    assert price["as_of"] == "2026-09-01", price
    nova = json.loads(ok(cli("show", "gpt-t-nova", "--json")).out)
    assert nova["verified"] in ("2026-07-15", "2026-09-20"), nova


def test_a_resold_model_is_not_added_under_the_reseller(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMPICK_BASE_CATALOG", str(FIX / "catalog"))
    up = Upstream().start()
    try:
        up.data["litellm"]["llama-t-99b-instruct"] = {
            "litellm_provider": "openai",  # OpenAI's API reselling Meta's line
            "mode": "chat",
            "input_cost_per_token": 1e-07,
            "output_cost_per_token": 1e-07,
        }
        ok(cli("catalog", "refresh", *up.args()))
    finally:
        up.stop()
    models = {m["id"]: m for m in json.loads(ok(cli("models", "--json")).out)}
    assert "llama-t-99b-instruct" not in models
    assert "gpt-t-nova" in models  # OpenAI's own new model is still added
