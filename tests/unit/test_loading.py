"""Snippets, decoding settings, structured-output advice, cost and hardware detection."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

from llmpick.advice import DECODING, SNIPPET_KINDS, api_snippet, decoding, monthly_cost, snippet
from llmpick.advice import structured_output as so
from llmpick.catalog.records import Variant
from llmpick.hardware import detect, parse_meminfo, parse_nvidia_smi
from tests.conftest import bundled_catalog

GENERATION_CONFIG_KEYS = {
    "do_sample",
    "num_beams",
    "temperature",
    "top_p",
    "top_k",
    "max_new_tokens",
    "repetition_penalty",
    "length_penalty",
    "no_repeat_ngram_size",
    "early_stopping",
}
OPENAI_KEYS = {"temperature", "top_p", "max_tokens"}


cat = bundled_catalog  # parsed once per run, shared


def variants() -> list[Variant]:
    return list(cat().variants.values())


def test_every_snippet_of_every_model_is_valid() -> None:
    counts = dict.fromkeys(SNIPPET_KINDS, 0)
    for v in variants():
        for kind in SNIPPET_KINDS:
            text = snippet(v, kind, task="chat", quantization="int4")
            if text is None:
                continue
            counts[kind] += 1
            if kind == "ollama":
                assert re.fullmatch(r"ollama run [\w.:/-]+", text), text
            else:
                ast.parse(text, filename=f"{v.id}-{kind}")
        for platform in v.access.platforms:
            text = api_snippet(v, platform)
            assert text is not None
            ast.parse(text, filename=f"{v.id}-{platform}")
            assert v.access.platforms[platform] in text
    assert counts["ollama"] > 50 and counts["transformers"] > 300 and counts["api"] > 150


@pytest.mark.parametrize("quantization", [None, "fp16", "int8", "int4"])
@pytest.mark.parametrize("task", [None, "chat", "summarization", "classification", "code"])
def test_transformers_snippets_parse_for_every_task_and_precision(
    task: str | None, quantization: str | None
) -> None:
    for vid in ("llama-2-13b-chat", "flan-t5-large", "bert-base-uncased", "qwen3-8b", "bge-m3"):
        text = snippet(cat().variants[vid], "transformers", task=task, quantization=quantization)
        assert text is not None
        tree = ast.parse(text)
        assert tree.body
        if cat().variants[vid].architecture == "decoder-only":
            assert 'device_map="auto"' in text
            if quantization in ("int8", "int4"):
                assert "BitsAndBytesConfig" in text


def test_snippet_uses_the_right_model_class() -> None:
    t5 = snippet(cat().variants["flan-t5-large"], "transformers")
    assert t5 is not None and "AutoModelForSeq2SeqLM" in t5
    llama = snippet(cat().variants["llama-2-13b-chat"], "transformers")
    assert llama is not None and "AutoModelForCausalLM" in llama and "apply_chat_template" in llama
    bert = snippet(cat().variants["bert-base-uncased"], "transformers")
    assert bert is not None and "AutoModelForSequenceClassification" in bert


def test_api_snippets_use_the_providers_sdk() -> None:
    claude = snippet(cat().variants["claude-sonnet-4-5"], "api")
    assert claude is not None and "anthropic.Anthropic()" in claude
    gpt = snippet(cat().variants["gpt-4.1"], "api")
    assert gpt is not None and "OpenAI()" in gpt and '"gpt-4.1"' in gpt


def test_decoding_settings_per_task() -> None:
    for d in DECODING.values():
        assert set(d["generation_config"]) <= GENERATION_CONFIG_KEYS
        assert set(d["api"]) <= OPENAI_KEYS
        assert d["guide"] in ("6.1", "6.2", "6.3", "6.4")
    llama = cat().variants["llama-2-13b-chat"]
    t5 = cat().variants["flan-t5-large"]
    assert decoding("classification", llama)["strategy"] == "greedy"  # type: ignore[index]
    assert decoding("extraction", llama)["generation_config"]["do_sample"] is False  # type: ignore[index]
    assert decoding("summarization", t5)["strategy"] == "beam search"  # type: ignore[index]
    assert decoding("translation", t5)["generation_config"]["num_beams"] > 1  # type: ignore[index]
    chat = decoding("chat", llama)
    assert chat is not None and chat["generation_config"]["do_sample"] and "top_p" in chat["api"]
    assert "top_k" in decoding("creative", llama)["generation_config"]  # type: ignore[index]
    assert decoding("chat", cat().variants["bge-m3"]) is None


def test_structured_output_advice() -> None:
    assert so(cat().variants["gpt-4.1"])["native"] == "yes"
    open_model = so(cat().variants["llama-2-13b-chat"])
    assert open_model["native"] == "no" and "GBNF" in open_model["how"]


def test_monthly_cost() -> None:
    v = cat().variants["gpt-4.1"]
    assert v.pricing is not None
    cost = monthly_cost(v, 10_000_000, 2_000_000)
    assert cost is not None
    assert cost["usd"] == pytest.approx(10 * v.pricing.input + 2 * v.pricing.output)
    assert cost["prices_as_of"] == v.pricing.as_of.isoformat()
    assert monthly_cost(cat().variants["llama-2-13b-chat"], 1, 1) is None


# --- hardware detection on recorded outputs ------------------------------------------

RTX4090 = "NVIDIA GeForce RTX 4090, 24564\n"
TWO_A100 = "NVIDIA A100-SXM4-80GB, 81920\nNVIDIA A100-SXM4-80GB, 81920\n"
MEMINFO = "MemTotal:       24588924 kB\nMemFree:         1234567 kB\n"


def test_parse_nvidia_smi() -> None:
    (gpu,) = parse_nvidia_smi(RTX4090)
    assert gpu.name == "NVIDIA GeForce RTX 4090" and gpu.memory_gb == pytest.approx(25.8, abs=0.1)
    assert [g.memory_gb for g in parse_nvidia_smi(TWO_A100)] == [85.9, 85.9]
    assert parse_nvidia_smi("No devices were found\n") == []


def test_parse_meminfo() -> None:
    assert parse_meminfo(MEMINFO) == pytest.approx(25.2, abs=0.1)
    assert parse_meminfo("garbage") is None


def fake(out: str | Exception):  # type: ignore[no-untyped-def]
    def run(cmd: list[str]) -> str:
        assert cmd[0] == "nvidia-smi"
        if isinstance(out, Exception):
            raise out
        return out

    return run


def test_detect_with_nvidia_smi(tmp_path: Path) -> None:
    mem = tmp_path / "meminfo"
    mem.write_text(MEMINFO)
    hw = detect(
        run=fake(TWO_A100), which=lambda _: "/usr/bin/nvidia-smi", meminfo=mem, use_nvml=False
    )
    assert hw.source == "nvidia-smi" and len(hw.gpus) == 2 and hw.best_gpu_gb == 85.9
    assert hw.ram_gb == pytest.approx(25.2, abs=0.1)


def test_detect_finds_nothing_and_says_so(tmp_path: Path) -> None:
    hw = detect(run=fake(""), which=lambda _: None, meminfo=tmp_path / "none", use_nvml=False)
    assert hw.gpus == [] and hw.best_gpu_gb is None and "no NVIDIA GPU" in (hw.problem or "")
    failing = subprocess.CalledProcessError(9, "nvidia-smi")
    hw = detect(
        run=fake(failing),
        which=lambda _: "/bin/nvidia-smi",
        meminfo=tmp_path / "none",
        use_nvml=False,
    )
    assert hw.best_gpu_gb is None and "nvidia-smi failed" in (hw.problem or "")
