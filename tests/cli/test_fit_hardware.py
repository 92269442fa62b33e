"""`llmpick fit MODEL --gpus / --unified-memory / --ram`: the model laid out as recommend
lays it out (engine/placement.py), with the split it assumed, against the hand
computations of tests/unit/test_placement.py (Llama 2 13B: 26 GB of fp16 weights, a
3.355 GB cache at 4,096 tokens; Llama 3.3 70B: 70.55B, a 2.684 GB cache at 8,192;
overhead 1 GB + 5% of the weights on each device)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.unit.test_placement import L13_KV, L70_KV


def _fit(cli: Any, model: str, tokens: str, *hw: str) -> dict[str, Any]:
    r = cli("fit", model, "--context", tokens, *hw, "--json")
    assert r.code == 0, r
    return dict(json.loads(r.out))


def _row(doc: dict[str, Any], q: str) -> dict[str, Any]:
    return next(r for r in doc["estimates"] if r["quantization"] == q)


def test_two_equal_gpus_are_tensor_parallel_and_it_says_so(cli) -> None:
    doc = _fit(cli, "llama-2-13b-chat", "4096", "--gpus", "2x24")
    assert doc["hardware"]["split"] == "tensor parallel"
    assert doc["hardware"]["said"] == "your 2x24 GB GPUs"
    fp16 = _row(doc, "fp16")
    per = 13 + L13_KV / 2 + 1 + 0.05 * 13  # 16.33 GB on each
    assert fp16["per_device_gb"] == pytest.approx([per, per], abs=0.01) and fp16["fits"]
    human = cli("fit", "llama-2-13b-chat", "--context", "4096", "--gpus", "2x24")
    assert "against your 2x24 GB GPUs, assuming tensor parallel" in human.out, human


def test_unequal_gpus_take_a_layer_split(cli) -> None:
    doc = _fit(cli, "llama-2-13b-chat", "4096", "--gpus", "24+16")
    assert doc["hardware"]["split"] == "layer split"
    body = 26.0 + L13_KV
    by_hand = [body * m / 40 + 1 + 0.05 * 26.0 * m / 40 for m in (24, 16)]  # 19.39, 13.26
    fp16 = _row(doc, "fp16")
    assert fp16["per_device_gb"] == pytest.approx(by_hand, abs=0.01) and fp16["fits"]


def test_four_80gb_gpus_hold_a_70b_at_fp16(cli) -> None:
    doc = _fit(cli, "llama-3.3-70b-instruct", "8192", "--gpus", "4x80")
    w = 70.55 * 2
    per = w / 4 + L70_KV / 4 + 1 + 0.05 * w / 4  # 38.74 GB
    fp16 = _row(doc, "fp16")
    assert fp16["per_device_gb"] == pytest.approx([per] * 4, abs=0.01) and fp16["fits"]


def test_a_mac_and_a_cpu_only_machine(cli) -> None:
    # 64 GB Mac: 48 GB for the GPU; a 70B at int4 needs 48.6 GB, so it does not fit
    mac = _fit(cli, "llama-3.3-70b-instruct", "8192", "--unified-memory", "64")
    assert mac["hardware"]["devices_gb"] == [48.0] and mac["hardware"]["kind"] == "unified"
    w = 70.55 * 4.85 / 8
    int4 = _row(mac, "int4")
    assert int4["total_gb"] == pytest.approx(w + L70_KV + 1 + 0.05 * w, abs=0.01)
    assert int4["fits"] is False
    # 32 GB of RAM, 28 usable: Llama 2 13B at fp16 (31.66 GB) no, at int8 (18.86 GB) yes
    cpu = _fit(cli, "llama-2-13b-chat", "4096", "--ram", "32")
    assert cpu["hardware"]["devices_gb"] == [28.0]
    assert _row(cpu, "fp16")["fits"] is False and _row(cpu, "int8")["fits"] is True


def test_one_budget_at_a_time(cli) -> None:
    r = cli("fit", "llama-2-13b-chat", "--gpus", "2x24", "--ram", "32")
    assert r.code == 2 and "give one memory budget" in r.err, r
    r = cli("fit", "llama-2-13b-chat", "--gpus", "2xlots")
    assert r.code == 2 and "--gpus" in r.err and "llmpick fit --help" in r.err, r
