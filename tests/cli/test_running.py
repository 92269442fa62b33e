"""fit, --gpu-memory auto, show --snippet and the running advice in recommend."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable

import pytest

from llmpick import hardware
from tests.conftest import Result

Cli = Callable[..., Result]


def test_fit_matches_published_and_hand_computed_figures(cli: Cli) -> None:
    r = cli("fit", "llama-2-70b-chat", "--gpu-memory", "80", "--context", "4096", "--json")
    assert r.code == 0, r
    rows = {e["quantization"]: e for e in json.loads(r.out)["estimates"]}
    # grouped-query attention: 2 x 80 layers x 8 kv heads x 128 x 2 bytes x 4096 = 1.34 GB
    assert rows["fp16"]["kv_cache_gb"] == pytest.approx(1.34, rel=0.1)
    assert rows["fp16"]["fits"] is False and rows["int8"]["fits"] is True
    r7 = json.loads(cli("fit", "llama-2-7b", "--json").out)
    # published: about 13.5 GB of fp16 weights for Llama-2-7B
    assert r7["estimates"][0]["weights_gb"] == pytest.approx(13.5, rel=0.1)


@pytest.mark.usefixtures("fixture_catalog")
def test_fit_human_and_errors(cli: Cli) -> None:
    r = cli("fit", "rocket-7b-chat", "--gpu-memory", "12")
    assert r.code == 0, r
    assert "KV cache" in r.out and "int4" in r.out
    assert cli("fit", "cloudy-1").code == 2
    assert cli("fit", "rocket-7b", "--context", "lots").code == 2
    assert cli("fit", "no-such-model").code == 2


@pytest.mark.usefixtures("fixture_catalog")
def test_gpu_memory_auto_without_a_gpu_asks_for_a_number(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        hardware, "detect", lambda: hardware.Hardware(problem="no NVIDIA GPU found", ram_gb=24.0)
    )
    r = cli("recommend", "--gpu-memory", "auto", "--task", "chat")
    assert r.code == 2, r
    assert "no NVIDIA GPU found" in r.err and "--gpu-memory 24" in r.err


@pytest.mark.usefixtures("fixture_catalog")
def test_gpu_memory_auto_uses_the_detected_gpu(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        hardware,
        "detect",
        lambda: hardware.Hardware(gpus=[hardware.Gpu("RTX 4090", 25.8)], source="nvidia-smi"),
    )
    r = cli("recommend", "--gpu-memory", "auto", "--task", "chat", "--access", "open", "--json")
    assert r.code == 0, r
    doc = json.loads(r.out)
    assert doc["requirements"]["gpu_memory"] == 25.8
    assert doc["candidates"] and all(c["memory_gb"] <= 25.8 for c in doc["candidates"])
    assert "detected with nvidia-smi" in r.err


@pytest.mark.parametrize(
    ("model", "kind"),
    [
        ("qwen3-8b", "transformers"),
        ("gpt-4.1", "api"),
        ("claude-sonnet-4-5", "api"),
        ("flan-t5-large", "transformers"),
    ],
)
def test_show_snippet_is_ready_to_paste(cli: Cli, model: str, kind: str) -> None:
    r = cli("show", model, "--snippet", kind)
    assert r.code == 0, r
    ast.parse(r.out)


@pytest.mark.usefixtures("fixture_catalog")
def test_show_snippet_ollama_and_missing(cli: Cli) -> None:
    r = cli("show", "rocket-7b-chat", "--snippet", "ollama")
    assert r.code == 0 and r.out.strip() == "ollama run rocket:7b"
    r = cli("show", "cloudy-1", "--snippet", "ollama")
    assert r.code == 2 and "no ollama snippet" in r.err and "--snippet api" in r.err
    assert cli("show", "cloudy-1", "--snippet", "docker").code == 2


def test_recommend_carries_loading_decoding_json_and_cost(cli: Cli, tmp_path: object) -> None:
    r = cli(
        "recommend",
        "--task",
        "chat",
        "--access",
        "proprietary",
        "--tokens-per-month",
        "10M:2M",
        "--json",
    )
    assert r.code == 0, r
    doc = json.loads(r.out)
    priced = [c for c in doc["candidates"] if c["monthly_cost"]]
    assert priced and all(c["monthly_cost"]["prices_as_of"] for c in priced)
    for c in doc["candidates"]:
        assert c["decoding"]["strategy"] and c["how_to_load"]
        assert c["structured_output"] is None  # JSON advice only when JSON is asked for
        if not c["open_weights"]:  # API-only: API parameters, no local GenerationConfig
            assert "generation_config" not in c["decoding"] and c["decoding"]["api"]
    extraction = json.loads(cli("recommend", "--task", "extraction", "--json").out)
    assert all(c["structured_output"]["how"] for c in extraction["candidates"])
    human = cli(
        "recommend",
        "--task",
        "chat",
        "--access",
        "proprietary",
        "--tokens-per-month",
        "10M:2M",
        "--long",
    )
    assert "decode:" in human.out and "cost: about $" in human.out and "§6.4" in human.out
    assert cli("recommend", "--tokens-per-month", "lots").code == 2
