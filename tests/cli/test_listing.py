"""providers, models and show on the fictional test catalog."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result

pytestmark = pytest.mark.usefixtures("fixture_catalog")
Cli = Callable[..., Result]


def test_providers_grouped_by_kind(cli: Cli) -> None:
    r = cli("providers")
    assert r.code == 0, r
    for title in ("proprietary", "open LLMs", "collectives", "Academia"):
        assert title in r.out, r
    assert "(none in the catalog)" in r.out  # no academic provider in the fixture


def test_providers_json_has_kinds_and_counts(cli: Cli) -> None:
    r = cli("providers", "--json")
    assert r.code == 0, r
    data = {p["id"]: p for p in json.loads(r.out)}
    assert data["acme"]["kinds"] == ["proprietary", "open-source-company"]
    assert data["acme"]["families"] == 2 and data["acme"]["models"] == 4
    assert data["open-collective"]["models"] == 1


def test_providers_kind_filter_and_bad_kind(cli: Cli) -> None:
    r = cli("providers", "--kind", "community", "--json")
    assert [p["id"] for p in json.loads(r.out)] == ["open-collective"]
    r = cli("providers", "--kind", "hobbyist")
    assert r.code == 2, r
    assert "choose from: proprietary, open-source-company, community, academia-government" in r.err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), {"cloudy-1", "rocket-7b", "rocket-7b-chat", "rocket-70b-instruct", "tiny-bert-base"}),
        (("--access", "proprietary"), {"cloudy-1"}),
        (("--access", "open", "--flavour", "chat"), {"rocket-7b-chat"}),
        (("--status", "retired"), {"cloudy-1"}),
        (("--provider", "open-collective"), {"tiny-bert-base"}),
        (("--family", "Rocket", "--flavour", "base"), {"rocket-7b"}),
    ],
)
def test_models_filters(cli: Cli, args: tuple[str, ...], expected: set[str]) -> None:
    r = cli("models", *args, "--json")
    assert r.code == 0, r
    assert {m["id"] for m in json.loads(r.out)} == expected


def test_models_json_records_carry_family_licence_sources(cli: Cli) -> None:
    rows = {m["id"]: m for m in json.loads(cli("models", "--json").out)}
    chat = rows["rocket-7b-chat"]
    assert chat["family"] == "rocket" and chat["family_name"] == "Rocket"
    assert chat["license"]["commercial_use"] == "conditional"
    assert chat["license"]["condition"]
    assert chat["sources"] and chat["verified"] == "2026-11-26"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--flavour", "spicy"), "choose from: base, instruct, chat, embedding"),
        (("--status", "old"), "choose from: active, legacy, deprecated, retired"),
        (("--access", "free"), "choose from: open, proprietary, any"),
        (("--provider", "acm"), "no provider 'acm'"),
    ],
)
def test_models_bad_filters_exit_2(cli: Cli, args: tuple[str, ...], message: str) -> None:
    r = cli("models", *args)
    assert r.code == 2, r
    assert message in r.err, r
    assert "Traceback" not in r.err


@pytest.mark.parametrize(
    "name",
    ["rocket-7b-chat", "Rocket-7B-Chat", "acme/Rocket-7B-Chat", "rocket:7b", "ROCKET 7B CHAT"],
)
def test_show_by_id_name_repo_or_tag(cli: Cli, name: str) -> None:
    r = cli("show", name, "--json")
    assert r.code == 0, r
    assert json.loads(r.out)["id"] == "rocket-7b-chat"


def test_show_family(cli: Cli) -> None:
    r = cli("show", "tinybert", "--json")
    assert r.code == 0, r
    data = json.loads(r.out)
    assert data["id"] == "tiny-bert" and [v["id"] for v in data["variants"]] == ["tiny-bert-base"]


def test_show_retired_names_its_successor(cli: Cli) -> None:
    r = cli("show", "cloudy-1")
    assert r.code == 0, r
    assert "retired" in r.out and "replaced by: rocket" in r.out


def test_show_unknown_suggests_closest_and_exits_2(cli: Cli) -> None:
    r = cli("show", "rokcet-7b-chat")
    assert r.code == 2, r
    assert "no model named 'rokcet-7b-chat'" in r.err
    assert "hint: did you mean: rocket-7b-chat" in r.err


def test_version_and_help(cli: Cli) -> None:
    r = cli("--version")
    assert r.code == 0 and r.out.startswith("llmpick ")
    r = cli("--help")
    assert r.code == 0 and "Examples" in r.out


def test_unknown_command_is_usage_error(cli: Cli) -> None:
    r = cli("recommned")
    assert r.code == 2, r


def test_validate_ok(cli: Cli, fixture_catalog: Path) -> None:
    r = cli("catalog", "validate")
    assert r.code == 0, r
    assert "2 providers" in r.out and "5 models" in r.out


def test_successor_chain_leads_to_todays_model(cli: Cli) -> None:
    r = cli("show", "cloudy-1", "--json")
    assert json.loads(r.out)["successor_chain"] == ["rocket"]


def test_models_search(cli: Cli) -> None:
    r = cli("models", "--search", "rocket chat", "--json")
    assert [m["id"] for m in json.loads(r.out)] == ["rocket-7b-chat"]
    r = cli("models", "--search", "nothing-like-this", "--json")
    assert json.loads(r.out) == []


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("rocket", "chat"), ["rocket-7b-chat"]),
        (("Acme", "7B"), ["rocket-7b", "rocket-7b-chat"]),  # provider name; not 70b
        (("open", "collective"), ["tiny-bert-base"]),  # provider, in two words
        (("rocket", "--search", "instruct"), ["rocket-70b-instruct"]),  # both kinds combine
    ],
)
def test_models_words_must_all_match(cli: Cli, words: tuple[str, ...], expected: list[str]) -> None:
    r = cli("models", *words, "--json")
    assert r.code == 0, r
    assert [m["id"] for m in json.loads(r.out)] == expected


def test_models_no_match_says_so(cli: Cli) -> None:
    r = cli("models", "nothing", "like", "this")
    assert r.code == 0, r
    assert "no model matches" in r.out


def test_models_limit_shows_the_first_and_says_how_many_more(cli: Cli) -> None:
    every = [m["id"] for m in json.loads(cli("models", "--json").out)]
    r = cli("models", "--limit", "2", "--json")
    assert [m["id"] for m in json.loads(r.out)] == every[:2]
    assert "3 more models matched" in r.err
    r = cli("models", "--limit", "2")
    assert r.code == 0, r
    assert every[1] in r.out and every[2] not in r.out
    assert "2 of 5 models; 3 more match" in r.out
    r = cli("models", "--limit", "10")
    assert "5 models" in r.out and "more" not in r.out and "more" not in r.err
    r = cli("models", "--limit", "0")
    assert r.code == 2, r


def test_a_size_word_matches_whole_numbers(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LLMPICK_BASE_CATALOG")  # the bundled catalog has 7b, 27b and 1.7b
    ids = {m["id"] for m in json.loads(cli("models", "7b", "--json").out)}
    assert {"qwen2.5-7b", "qwen2.5-coder-7b-instruct", "llama-2-7b"} <= ids
    assert not {i for i in ids if "27b" in i or "1.7b" in i or "17b" in i}
    ids = {m["id"] for m in json.loads(cli("models", "qwen", "2.5", "coder", "--json").out)}
    assert "qwen2.5-coder-7b-instruct" in ids and not {i for i in ids if "qwen3" in i}


def test_show_family_names_the_makers_newest_release_and_when_it_was_checked(
    cli: Cli, tmp_path: Path
) -> None:
    fam = tmp_path / "families" / "acme"
    fam.mkdir(parents=True)
    (fam / "zed.yaml").write_text(
        "name: Zed\nprovider: acme\narchitecture: decoder-only\nstatus: active\n"
        "description: test\nlicense: apache-2.0\nopen_weights: true\n"
        "sources: [https://example.org/zed]\nverified: 2026-11-26\n"
        "newest_release: {name: Zed 2, checked: 2026-12-01, source: 'https://example.org/zed-2'}\n"
        "variants:\n  zed-1b: {name: Zed-1B, flavour: base}\n"
    )
    r = cli("--catalog", str(tmp_path), "show", "zed")
    assert r.code == 0, r
    assert "maker's newest release: Zed 2 (not in the catalog), checked 2026-12-01" in r.out
    r = cli("--catalog", str(tmp_path), "show", "zed", "--json")
    assert json.loads(r.out)["newest_release"]["checked"] == "2026-12-01"
