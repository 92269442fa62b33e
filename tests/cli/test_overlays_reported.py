"""The overlays in force are worked out once, when the catalog is loaded, and every
output (JSON, Markdown, terminal, validate) reports that one list."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result

FAMILY = """\
name: Comet
provider: acme
architecture: decoder-only
status: active
description: A fictional overlay family.
license: apache-2.0
open_weights: true
context_window: 8192
sources: [https://example.org/comet]
verified: 2026-11-26
variants:
  comet-3b-chat:
    name: Comet-3B-Chat
    flavour: chat
    params_b: 3.0
    access: {hf_repo: acme/Comet-3B-Chat}
"""


@pytest.fixture
def overlays(tmp_path: Path, fixture_catalog: Path) -> tuple[Path, Path]:
    env = tmp_path / "from-env.yaml"
    env.write_text(FAMILY)
    opt = tmp_path / "from-option.yaml"
    opt.write_text(FAMILY.replace("Comet", "Meteor").replace("comet", "meteor"))
    return env, opt


def test_every_output_lists_the_environment_and_option_overlays(
    overlays: tuple[Path, Path],
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    env, opt = overlays
    monkeypatch.setenv("LLMPICK_CATALOG", str(env))
    args = ("--catalog", str(opt), "recommend", "--task", "chat")
    r = cli(*args, "--json")
    assert r.code == 0, r
    listed = json.loads(r.out)["catalog"]["overlays"]
    assert listed[-2:] == [str(env), str(opt)]  # in the order they apply, each once
    assert "LLMPICK_BASE_CATALOG" in listed[0]

    md = tmp_path / "shortlist.md"
    assert cli(*args, "--export", str(md)).code == 0
    from llmpick.output.markdown import md_text

    assert f"Overlays in force: {', '.join(md_text(o) for o in listed)}." in md.read_text()

    human = cli(*args, "--no-input")
    assert f"overlays in force: {', '.join(listed)}" in " ".join(human.err.split())

    checked = cli("--catalog", str(opt), "catalog", "validate", "--json")
    assert checked.code == 0, checked
    assert json.loads(checked.out)["overlays"] == listed


def test_each_loaded_catalog_carries_its_own_overlays(
    overlays: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Provenance is set on the catalog object that load_catalog returns (from the files
    or the cache), so a later load does not change what an earlier catalog reports, and
    a cache built while LLMPICK_BASE_CATALOG named the files does not report it later."""
    from llmpick.catalog.load import load_catalog, provenance
    from tests.conftest import FIXTURE_CATALOG

    env, _ = overlays
    named_by_env = load_catalog([env])  # LLMPICK_BASE_CATALOG names the same files
    assert "LLMPICK_BASE_CATALOG" in provenance(named_by_env).in_force()[0]
    monkeypatch.delenv("LLMPICK_BASE_CATALOG")
    with_overlay = load_catalog([env], base=FIXTURE_CATALOG)
    plain = load_catalog([], base=FIXTURE_CATALOG)
    assert provenance(load_catalog([env], base=FIXTURE_CATALOG)).in_force() == [str(env)]
    assert provenance(with_overlay).in_force() == [str(env)]
    assert provenance(plain).in_force() == []
    assert provenance(with_overlay).of("variant", "comet-3b-chat") == str(env)
    assert provenance(named_by_env).in_force() == [
        f"{FIXTURE_CATALOG} (LLMPICK_BASE_CATALOG)",
        str(env),
    ]


def test_show_and_models_json_say_which_model_an_overlay_added(
    overlays: tuple[Path, Path], cli: Callable[..., Result]
) -> None:
    """A model from an overlay says so in listings too, as recommend's caveats do; a
    bundled one carries no such note."""
    env, _ = overlays
    shown = json.loads(cli("--catalog", str(env), "show", "comet-3b-chat", "--json").out)
    assert shown["overlay"] == [f"this model comes from overlay {env} (not bundled)"]
    listed = json.loads(cli("--catalog", str(env), "models", "--json").out)
    by_id = {m["id"]: m for m in listed}
    assert by_id["comet-3b-chat"]["overlay"] == shown["overlay"]
    assert "overlay" not in by_id["rocket-7b-chat"]
