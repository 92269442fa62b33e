"""Where a model runs (several GPUs, a Mac, the CPU) and how fast, each against a hand
computation from the model's config.json numbers (engine/placement.py).

Llama 2 13B: 13.0B parameters, 40 layers, 40 attention heads = 40 key-value heads of 128,
a 4,096-token window, so its KV cache is 2 x 40 x 40 x 128 x 2 bytes = 819,200 bytes a
token, 3.355 GB at 4,096 tokens. Llama 3.3 70B: 70.55B, 80 layers, 64 heads, 8 key-value
heads of 128: 327,680 bytes a token, 2.684 GB at 8,192 tokens. Bits per weight: fp16 16,
int8 8.5, int4 4.85; overhead per device 1 GB + 5% of the weights it holds.
"""

from __future__ import annotations

import pytest

from llmpick.engine.constraints import check, placement
from llmpick.engine.memory import estimate
from llmpick.engine.placement import (
    LAYERS,
    TENSOR,
    Placement,
    decode_speed,
    device_for,
    setup_of,
)
from llmpick.engine.requirements import build
from llmpick.errors import UsageError
from tests.conftest import bundled_catalog

L13_KV = 2 * 40 * 40 * 128 * 2 * 4096 / 1e9  # 3.355 GB
L70_KV = 2 * 80 * 8 * 128 * 2 * 8192 / 1e9  # 2.684 GB


def _place(vid: str, **req: object) -> Placement | None:
    v = bundled_catalog().variants[vid]
    return placement(v, build(req))[0]


def test_two_equal_gpus_split_weights_and_cache_evenly_with_overhead_on_each() -> None:
    # 2x24 GB, Llama 2 13B at fp16: 26 GB of weights, so one 24 GB card is not enough, but
    # each of two holds 13 + 3.355/2 + 1 + 0.05 x 13 = 16.33 GB
    p = _place("llama-2-13b-chat", gpus="2x24")
    assert p is not None and p.split == TENSOR and p.estimate.quantization == "fp16"
    per = 26.0 / 2 + L13_KV / 2 + 1 + 0.05 * 26.0 / 2
    assert p.per_device_gb == pytest.approx((per, per), rel=1e-3)
    assert p.total_gb == pytest.approx(2 * per, rel=1e-3)  # 32.66: two overheads, not one
    one = _place("llama-2-13b-chat", gpu_memory=24)  # --gpu-memory keeps meaning one device
    assert one is not None and one.estimate.quantization == "int8"


def test_four_80gb_gpus_hold_a_70b_at_fp16() -> None:
    # 4x80 GB, Llama 3.3 70B at fp16: 141.1 GB of weights; 8 key-value heads over 4 devices
    p = _place("llama-3.3-70b-instruct", gpus="4x80")
    assert p is not None and p.split == TENSOR and p.estimate.quantization == "fp16"
    w = 70.55 * 2
    per = w / 4 + L70_KV / 4 + 1 + 0.05 * w / 4  # 38.74 GB
    assert p.per_device_gb[0] == pytest.approx(per, rel=1e-3)
    assert len(p.per_device_gb) == 4 and not p.notes


def test_unequal_gpus_take_a_layer_split_in_proportion_to_their_memory() -> None:
    # 24+16 GB, Llama 2 13B at fp16: 24/40 and 16/40 of the 29.36 GB of weights and cache
    p = _place("llama-2-13b-chat", gpus="24+16")
    assert p is not None and p.split == LAYERS and p.estimate.quantization == "fp16"
    body = 26.0 + L13_KV
    by_hand = tuple(body * m / 40 + 1 + 0.05 * 26.0 * m / 40 for m in (24, 16))
    assert p.per_device_gb == pytest.approx(by_hand, rel=1e-3)  # 19.39 and 13.26 GB
    # a 70B at 4 bits needs 42.8 GB of weights alone: more than 24+16 hold
    c = bundled_catalog()
    v = c.variants["llama-3.3-70b-instruct"]
    ex = [e for e in check(v, build({"gpus": "24+16"}), c) if e.constraint == "gpu_memory"]
    assert ex and "layer split" in ex[0].text and "24+16 GB" in ex[0].text


def test_heads_that_do_not_divide_by_the_devices_fall_back_to_a_layer_split() -> None:
    # 40 attention heads do not divide by 3: vLLM's tensor parallelism would refuse it
    p = _place("llama-2-13b-chat", gpus="3x16")
    assert p is not None and p.split == LAYERS
    assert "40 attention heads do not divide by 3" in p.why


def test_a_mac_budgets_the_gpu_share_macos_allows_by_default() -> None:
    # 64 GB Mac: three quarters, 48 GB, for the GPU. A 70B at int4 needs 42.77 weights +
    # 2.684 cache + 1 + 2.14 overhead = 48.6 GB: it does not fit by default
    r = build({"unified_memory": 64})
    setup = setup_of(r)
    assert setup is not None and setup.devices == (48.0,)
    assert _place("llama-3.3-70b-instruct", unified_memory=64) is None
    w = 70.55 * 4.85 / 8
    assert w + L70_KV + 1 + 0.05 * w == pytest.approx(48.6, abs=0.05)
    p = _place("llama-2-13b-chat", unified_memory=64)  # 26 + 3.355 + 1 + 1.3 = 31.66 GB
    assert p is not None and p.estimate.quantization == "fp16"
    assert p.total_gb == pytest.approx(26 + L13_KV + 1 + 1.3, rel=1e-3)
    # up to 36 GB macOS allows two thirds: 16 GB -> 10.7 GB
    small = setup_of(build({"unified_memory": 16}))
    assert small is not None and small.devices[0] == pytest.approx(16 * 2 / 3)


def test_a_cpu_only_machine_keeps_4gb_for_the_system() -> None:
    # 32 GB of RAM, 28 usable. Llama 2 13B at fp16 needs 31.66 GB; at int8 13.81 weights
    # + 3.355 cache + 1 + 0.69 overhead = 18.86 GB
    p = _place("llama-2-13b-chat", ram=32)
    assert p is not None and p.estimate.quantization == "int8"
    w = 13.0 * 8.5 / 8
    assert p.total_gb == pytest.approx(w + L13_KV + 1 + 0.05 * w, rel=1e-3)


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ({"gpus": "2x"}, "--gpus"),
        ({"gpus": "0x24"}, "1 to 64 devices"),
        ({"gpus": "24+"}, "--gpus"),
        ({"gpus": "24+-16"}, "--gpus"),
        ({"gpus": "2x24", "gpu_memory": 24}, "give one memory budget"),
        ({"unified_memory": 64, "ram": 32}, "give one memory budget"),
        ({"min_speed": 20, "gpu_memory": 24}, "--min-speed needs"),
        ({"device": "rtx-9999"}, "choose from"),
        ({"gpus": [24] * 100_000}, "1 to 64 devices"),  # a file's list is bounded too
        ({"gpus": [24, "lots"]}, "--gpus"),
        ({"gpus": {"a": 1}}, "--gpus"),
    ],
)
def test_bad_hardware_is_a_usage_error_that_says_what_to_give(
    given: dict[str, object], problem: str
) -> None:
    with pytest.raises(UsageError, match=problem):
        build(given)


def test_a_named_card_gives_its_memory_and_its_bandwidth() -> None:
    r = build({"device": "rtx-4090"})
    assert r.gpu_memory == 24 and r.device == "rtx-4090" and r.hosting == "self"
    assert device_for("NVIDIA GeForce RTX 4090") == "rtx-4090"
    assert device_for("NVIDIA H100 80GB HBM3") == "h100-sxm"
    assert device_for("NVIDIA H100 PCIe") == "h100-pcie"
    assert device_for("Some Unknown GPU") is None


def test_min_speed_excludes_slow_models_and_names_unknown_speeds() -> None:
    c = bundled_catalog()
    r = build({"gpus": "2x24", "device": "rtx-3090", "min_speed": 60, "hosting": "any"})
    big = check(c.variants["llama-2-13b-chat"], r, c)
    # fp16 over 2 x 936 GB/s: 26 + 3.355 GB read a token -> 63.8 tokens/s, passes 60
    assert not [e for e in big if e.constraint == "min_speed"]
    slow = build({"gpus": "2x24", "device": "rtx-3090", "min_speed": 70})
    ex = [e for e in check(c.variants["llama-2-13b-chat"], slow, c) if e.constraint == "min_speed"]
    assert ex and ex[0].text.startswith("about 64 tokens/s")
    api = [e for e in check(c.variants["gpt-4.1"], r, c) if e.constraint == "min_speed"]
    assert api and api[0].text.startswith("unknown:")  # named, never passed silently


# Published decoding speeds (llama.cpp, tokens/s generating 512 tokens) from
# https://github.com/XiongjieDai/GPU-Benchmarks-on-LLM-Inference (README at commit
# 00dd2bdeb2404263f22bd6c1cd46ce397e341db5): Llama 2 7B Q4_0 and F16 ("Average eval
# speed ... on LLaMA 2"), Llama 3 8B Q4_K_M and F16, and Llama 3 70B Q4_K_M on two cards
# (llama.cpp splits layers, so it is compared with the layer-split estimate). Q4_0 is
# compared with our int4 (4.85 bits, a little more than Q4_0's 4.5).
PUBLISHED = [
    # (variant, precision, devices, rtx-3090, rtx-4090)
    ("llama-2-7b", "int4", 1, 120.6, 149.37),
    ("llama-2-7b", "fp16", 1, 51.85, 60.78),
    ("llama-3-8b", "int4", 1, 115.42, 130.58),
    ("llama-3-8b", "fp16", 1, 47.40, 54.84),
    ("llama-3-70b", "int4", 2, 16.57, 19.22),
]


@pytest.mark.parametrize(("vid", "quantization", "n", "rtx3090", "rtx4090"), PUBLISHED)
def test_speed_estimate_is_within_2x_of_published_measurements(
    vid: str, quantization: str, n: int, rtx3090: float, rtx4090: float
) -> None:
    v = bundled_catalog().variants[vid]
    context = min(v.context_window or 8192, 8192)
    e = estimate(v, quantization, context)
    assert e is not None
    split = LAYERS if n > 1 else "one device"
    p = Placement(e, split, (e.total_gb / n,) * n, (24.0,) * n)
    for device, measured in (("rtx-3090", rtx3090), ("rtx-4090", rtx4090)):
        s = decode_speed(v, p, device)
        assert s is not None and "estimate" in s.assumption
        ratio = s.tokens_per_s / measured
        # a bandwidth ceiling: above what llama.cpp reaches, and within a factor of two
        assert 1.0 <= ratio <= 2.0, (vid, quantization, device, s.tokens_per_s, measured)


def test_tensor_parallel_reads_in_parallel_and_a_layer_split_takes_turns() -> None:
    v = bundled_catalog().variants["llama-2-13b-chat"]
    p = _place("llama-2-13b-chat", gpus="2x24")
    q = _place("llama-2-13b-chat", gpus="24+16")
    assert p is not None and q is not None
    tp, layers = decode_speed(v, p, "rtx-3090"), decode_speed(v, q, "rtx-3090")
    assert tp is not None and layers is not None
    read = 26.0 + L13_KV
    assert tp.tokens_per_s == pytest.approx(2 * 936 / read, rel=1e-3)  # 63.8
    assert layers.tokens_per_s == pytest.approx(936 / read, rel=1e-3)  # 31.9
    assert decode_speed(v, p, None) is None  # no device named: unknown, not guessed


def test_a_device_must_be_the_kind_of_hardware_budgeted() -> None:
    with pytest.raises(UsageError, match="needs system memory"):
        build({"ram": 32, "device": "rtx-4090"})
    with pytest.raises(UsageError, match="needs an Apple chip"):
        build({"unified_memory": 64, "device": "h100-sxm"})
    with pytest.raises(UsageError, match="COUNTxGB or GB\\+GB"):
        build({"gpus": "3y24"})
    assert build({"unified_memory": 64, "device": "m4-max"}).device == "m4-max"


@pytest.mark.parametrize(
    ("vid", "given", "lines"),
    [
        (
            "llama-2-13b-chat",
            {"gpus": "2x24"},
            ["vllm serve meta-llama/Llama-2-13b-chat-hf --tensor-parallel-size 2 "
             "--max-model-len 4096"],
        ),
        (
            "llama-3.3-70b-instruct",
            {"gpus": "4x80"},
            ["vllm serve meta-llama/Llama-3.3-70B-Instruct --tensor-parallel-size 4 "
             "--max-model-len 8192"],
        ),
        (
            "llama-2-13b-chat",
            {"gpus": "24+16"},
            ["llama-server -m model-F16.gguf -ngl 99 --tensor-split 24,16 -c 4096"],
        ),
        (
            "llama-2-13b-chat",
            {"unified_memory": 64},
            ["mlx_lm.generate --model meta-llama/Llama-2-13b-chat-hf --prompt 'Hello' "
             "--max-tokens 256", "llama-server -m model-F16.gguf -ngl 99 -c 4096"],
        ),
        (
            "llama-2-13b-chat",
            {"ram": 32},
            ["llama-quantize model-F16.gguf model-Q8_0.gguf Q8_0",
             "llama-server -m model-Q8_0.gguf -ngl 0 -c 4096"],
        ),
    ],
)  # fmt: skip
def test_run_lines_for_the_five_machines(
    vid: str, given: dict[str, object], lines: list[str]
) -> None:
    from llmpick.advice import run_lines

    v = bundled_catalog().variants[vid]
    r = build(given)
    p = placement(v, r)[0]
    setup = setup_of(r)
    assert p is not None and setup is not None
    e = p.estimate
    commands = run_lines(v, setup.kind, p.split, p.devices, e.quantization, e.context, e.native)
    said = [line for c in commands for line in c["command"].splitlines()]
    for line in lines:
        assert line in said, (line, said)
    cuda = [c["tool"] for c in commands if c["tool"] == "vllm"]
    assert not cuda or setup.kind == "gpus"  # vLLM (CUDA) only for NVIDIA cards
