"""`llmpick fit ORG/NAME` and `llmpick fit ./folder`: a model outside the catalog, read
from a real HTTP server on 127.0.0.1 that answers as the Hugging Face Hub does, or from
a folder; hostile files are refused with the file and field named."""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hf_hub import Hub, gguf, safetensors, write_repo

QWEN3_8B = {  # the catalog's numbers for qwen3-8b, as its config.json gives them
    "architectures": ["Qwen3ForCausalLM"],
    "num_hidden_layers": 36,
    "hidden_size": 4096,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "head_dim": 128,
    "max_position_embeddings": 32768,
    "torch_dtype": "bfloat16",
    "sliding_window": None,
    "use_sliding_window": False,
}
INDEX = {"metadata": {"total_parameters": 8_200_000_000}, "weight_map": {"x": "a.safetensors"}}


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[Hub]:
    h = Hub().start()
    monkeypatch.setenv("HF_ENDPOINT", h.base)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    yield h
    h.stop()


@pytest.fixture(autouse=True)
def _own_cache(own_cache: Path) -> None:
    """Each test its own cache of the Hub's answers (tmp_path / "cache")."""


def estimates(out: str) -> list[dict[str, Any]]:
    return json.loads(out)["estimates"]


def test_a_repo_outside_the_catalog_is_sized_like_the_same_model_inside(cli, hub: Hub) -> None:
    hub.add("someone/qwen3-copy", {"config.json": QWEN3_8B, "model.safetensors.index.json": INDEX})
    ours = cli("fit", "someone/qwen3-copy", "--json", "--gpu-memory", "24")
    assert ours.code == 0, ours
    catalog = cli("fit", "qwen3-8b", "--json", "--gpu-memory", "24")
    assert estimates(ours.out) == estimates(catalog.out)
    doc = json.loads(ours.out)
    assert doc["method"] == "architecture numbers"
    assert doc["context_window"] == 32768
    assert doc["origin"] == {
        "kind": "huggingface",
        "location": f"{hub.base}/someone/qwen3-copy",
        "files": ["config.json", "model.safetensors.index.json"],
    }
    assert json.loads(catalog.out)["origin"] is None
    assert any("not in the catalog" in n for n in doc["notes"])


def test_hybrid_layers_from_layer_types(cli, hub: Hub) -> None:
    # qwen3.5-9b: 32 layers, 8 of them full attention, the rest linear (no KV cache)
    cfg = {
        "architectures": ["Qwen3_5ForConditionalGeneration"],
        "text_config": {
            "num_hidden_layers": 32,
            "hidden_size": 4096,
            "num_attention_heads": 16,
            "num_key_value_heads": 4,
            "head_dim": 256,
            "layer_types": (["linear_attention"] * 3 + ["full_attention"]) * 8,
        },
    }
    index = {"metadata": {"total_parameters": 9_650_000_000}, "weight_map": {}}
    hub.add("someone/hybrid", {"config.json": cfg, "model.safetensors.index.json": index})
    ours = cli("fit", "someone/hybrid", "--json", "--context", "32k")
    assert ours.code == 0, ours
    assert json.loads(ours.out)["arch"]["kv_layers"] == 8
    assert estimates(ours.out) == estimates(
        cli("fit", "qwen3.5-9b", "--json", "--context", "32k").out
    )


def test_one_file_is_counted_from_its_header_without_downloading_weights(cli, hub: Hub) -> None:
    weights = safetensors({"embed": [1000, 64], "w": [4, 64, 256]}, data=200_000)
    hub.add("someone/tiny", {"config.json": QWEN3_8B, "model.safetensors": weights})
    r = cli("fit", "someone/tiny", "--json")
    assert r.code == 0, r
    assert json.loads(r.out)["params_b"] == pytest.approx((1000 * 64 + 4 * 64 * 256) / 1e9)
    assert hub.sent < 5_000  # the header, not the 200 kB behind it
    assert any(rng == "bytes=0-7" for _, rng in hub.requests)


def test_shard_headers_when_the_index_gives_no_count(cli, hub: Hub) -> None:
    index = {"metadata": {}, "weight_map": {"a": "m-1.safetensors", "b": "m-2.safetensors"}}
    hub.add(
        "someone/sharded",
        {
            "config.json": {**QWEN3_8B, "torch_dtype": "float32"},
            "model.safetensors.index.json": index,
            "m-1.safetensors": safetensors({"a": [10, 10]}),
            "m-2.safetensors": safetensors({"b": [5, 4, 3]}),
        },
    )
    r = cli("fit", "someone/sharded", "--json")
    assert r.code == 0, r
    assert json.loads(r.out)["params_b"] == pytest.approx(160 / 1e9)


def test_answers_are_cached_and_a_catalog_model_never_reaches_the_network(cli, hub: Hub) -> None:
    hub.add("someone/qwen3-copy", {"config.json": QWEN3_8B, "model.safetensors.index.json": INDEX})
    first = cli("fit", "someone/qwen3-copy", "--json")
    asked = len(hub.requests)
    assert asked == 2
    second = cli("fit", "someone/qwen3-copy", "--json")
    assert second.out == first.out
    assert len(hub.requests) == asked  # from the cache
    assert cli("fit", "Qwen/Qwen3-8B", "--json").code == 0  # the catalog's repo
    assert len(hub.requests) == asked


def test_the_cache_is_private_and_what_it_holds_is_checked_again(
    cli, hub: Hub, tmp_path: Path
) -> None:
    hub.add("someone/qwen3-copy", {"config.json": QWEN3_8B, "model.safetensors.index.json": INDEX})
    assert cli("fit", "someone/qwen3-copy").code == 0
    folder = tmp_path / "cache" / "hub"
    assert folder.stat().st_mode & 0o777 == 0o700
    entry = next(p for p in folder.iterdir() if b"/resolve/main/config.json" in p.read_bytes())
    head, _, _ = entry.read_bytes().partition(b"\n\n")
    entry.write_bytes(head + b"\n\n" + json.dumps({**QWEN3_8B, "head_dim": -1}).encode())
    r = cli("fit", "someone/qwen3-copy")
    assert r.code == 2 and "config.json: head_dim: expected a whole number" in r.err, r


def test_a_local_folder(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hub: Hub) -> None:
    write_repo(tmp_path / "m", {"config.json": QWEN3_8B, "model.safetensors.index.json": INDEX})
    monkeypatch.chdir(tmp_path)
    r = cli("fit", "./m", "--json")
    assert r.code == 0, r
    assert estimates(r.out) == estimates(cli("fit", "qwen3-8b", "--json").out)
    assert json.loads(r.out)["origin"]["kind"] == "folder"
    assert hub.requests == []
    missing = cli("fit", "./nothing-here")
    assert missing.code == 2 and "not a folder" in missing.err


def test_an_unknown_repository_and_a_dead_hub_exit_1(
    cli, hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = cli("fit", "nobody/nothing")
    assert r.code == 1
    assert "does not exist, or it is private or gated" in r.err
    assert "HF_TOKEN" in r.err
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens
    r = cli("fit", "nobody/else")
    assert r.code == 1 and "internal error" not in r.err, r


def deep(n: int) -> str:
    return "[" * n + "]" * n


HOSTILE: dict[str, tuple[dict[str, Any], str]] = {
    "huge number": (
        {"config.json": {**QWEN3_8B, "num_hidden_layers": 10**40}},
        "config.json: num_hidden_layers: expected a whole number",
    ),
    "wrong type": (
        {"config.json": {**QWEN3_8B, "num_attention_heads": "32"}},
        'config.json: num_attention_heads: expected a whole number from 1 to 65,536, got "32"',
    ),
    "a boolean": (
        {"config.json": {**QWEN3_8B, "head_dim": True}},
        "config.json: head_dim: expected a whole number",
    ),
    "negative": (
        {"config.json": {**QWEN3_8B, "num_key_value_heads": -8}},
        "config.json: num_key_value_heads: expected a whole number",
    ),
    "more kv heads than heads": (
        {"config.json": {**QWEN3_8B, "num_key_value_heads": 64}},
        "num_key_value_heads: 64 is more than the 32 attention heads",
    ),
    "not an object": ({"config.json": [1, 2, 3]}, "config.json: expected a JSON object"),
    "deep nesting": (
        {"config.json": ('{"text_config": ' + deep(100_000) + "}").encode()},
        "config.json: nested too deeply",
    ),
    "not JSON": ({"config.json": b"{'layers': 36"}, "config.json: not valid JSON"),
    "NaN": ({"config.json": b'{"num_hidden_layers": NaN}'}, "config.json: not valid JSON"),
    "not UTF-8": ({"config.json": b"\xff\xfe{}"}, "config.json: not UTF-8 text"),
    "text_config not an object": (
        {"config.json": {"text_config": 5}},
        "config.json: text_config: expected an object",
    ),
    "layer_types of the wrong length": (
        {"config.json": {**QWEN3_8B, "layer_types": ["full_attention"] * 3}},
        "config.json: layer_types: names 3 layers, but num_hidden_layers is 36",
    ),
    "an unsized quantization": (
        {"config.json": {**QWEN3_8B, "quantization_config": {"quant_method": "gptq"}}},
        'quantization_config.quant_method: weights published as "gptq" are not sized',
    ),
    "no parameter count anywhere": (
        {"config.json": QWEN3_8B},
        "has neither model.safetensors.index.json nor model.safetensors",
    ),
    "index total not a number": (
        {
            "config.json": QWEN3_8B,
            "model.safetensors.index.json": {"metadata": {"total_parameters": "8B"}},
        },
        "model.safetensors.index.json: metadata.total_parameters: expected a whole number",
    ),
    "a shard outside the repository": (
        {
            "config.json": QWEN3_8B,
            "model.safetensors.index.json": {"weight_map": {"a": "../../etc/passwd"}},
        },
        'weight_map: "../../etc/passwd" is not a safetensors file name',
    ),
    "a header length beyond reason": (
        {"config.json": QWEN3_8B, "model.safetensors": (2**62).to_bytes(8, "little")},
        "model.safetensors: header length 4,611,686,018,427,387,904 is not between",
    ),
    "a shape that is not a list": (
        {
            "config.json": QWEN3_8B,
            "model.safetensors": safetensors({"w": [1]}).replace(b"[1]", b'"1"'),
        },
        'model.safetensors (header): "w": shape: expected a list',
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_are_refused_by_name(cli, hub: Hub, tmp_path: Path, case: str) -> None:
    files, said = HOSTILE[case]
    hub.add("bad/repo", files)
    write_repo(tmp_path / "bad", files)
    for where in ("bad/repo", str(tmp_path / "bad")):
        r = cli("fit", where)
        assert r.code == 2, r
        assert said in r.err, r
        assert "internal error" not in r.err and "Traceback" not in r.err


def test_missing_layers_are_estimated_and_said(cli, hub: Hub) -> None:
    cfg = {k: v for k, v in QWEN3_8B.items() if k != "num_hidden_layers"}
    hub.add("someone/nolayers", {"config.json": cfg, "model.safetensors.index.json": INDEX})
    r = cli("fit", "someone/nolayers", "--json")
    assert r.code == 0, r
    doc = json.loads(r.out)
    assert doc["method"] == "parameter count"
    assert any("gives no layer count" in n for n in doc["notes"])


QWEN3_GGUF = {  # qwen3-8b's numbers as a GGUF file's metadata gives them
    "general.architecture": "qwen3",
    "qwen3.block_count": 36,
    "qwen3.embedding_length": 4096,
    "qwen3.attention.head_count": 32,
    "qwen3.attention.head_count_kv": 8,
    "qwen3.attention.key_length": 128,
    "qwen3.context_length": 32768,
}
TENSORS = {"token_embd.weight": [4096, 151936], "blk.weights": [36, 200_000_000]}
TENSOR_PARAMS = 4096 * 151936 + 36 * 200_000_000


def test_a_gguf_repository(cli, hub: Hub) -> None:
    from llmpick.catalog.hub_gguf import GGUF_CHUNK

    model = gguf(QWEN3_GGUF, TENSORS, vocabulary=150_000, data=3_000_000)
    hub.add(
        "someone/qwen3-gguf",
        {
            "README.md": b"# a GGUF repository",
            "mmproj-F16.gguf": b"not this one",
            "Qwen3-8B-Q8_0.gguf": b"nor this one",
            "Qwen3-8B-Q4_K_M.gguf": model,
        },
    )
    r = cli("fit", "someone/qwen3-gguf", "--json")
    assert r.code == 0, r
    doc = json.loads(r.out)
    assert doc["params_b"] == pytest.approx(TENSOR_PARAMS / 1e9)
    assert doc["arch"]["kv_heads"] == 8 and doc["context_window"] == 32768
    assert doc["origin"]["files"] == ["Qwen3-8B-Q4_K_M.gguf"]
    assert any("Q4_K_M" in n for n in doc["notes"])
    header = len(model) - 3_000_000
    assert header > 2 * GGUF_CHUNK  # read in several parts
    assert hub.sent < header + GGUF_CHUNK + 10_000  # the header, not the weights behind it
    # the KV cache as the catalog's qwen3-8b (same numbers, same context)
    ours = [e["kv_cache_gb"] for e in doc["estimates"]]
    theirs = [e["kv_cache_gb"] for e in estimates(cli("fit", "qwen3-8b", "--json").out)]
    assert ours == theirs


def test_split_gguf_and_a_local_file(
    cli, hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = gguf({**QWEN3_GGUF, "split.count": 2}, {"a": [1000, 1000]})
    second = gguf({"split.no": 1}, {"b": [3000, 1000]})
    files = {"m-00001-of-00002.gguf": first, "m-00002-of-00002.gguf": second}
    hub.add("someone/split", files)
    r = cli("fit", "someone/split", "--json")
    assert r.code == 0, r
    assert json.loads(r.out)["params_b"] == pytest.approx(4e6 / 1e9)
    write_repo(tmp_path, {"one.gguf": gguf(QWEN3_GGUF, {"w": [5, 1_000_000]})})
    monkeypatch.chdir(tmp_path)
    for given in (str(tmp_path / "one.gguf"), "one.gguf"):
        r = cli("fit", given, "--json")
        assert r.code == 0, r
        assert json.loads(r.out)["params_b"] == pytest.approx(5e6 / 1e9)
    assert hub.requests == [  # the split repository's only: a file needs no network
        (p, rng) for p, rng in hub.requests if "someone/split" in p
    ]


GGUF_HOSTILE: dict[str, tuple[bytes, str]] = {
    "not GGUF": (b"GGML" + b"\0" * 100, "x.gguf: not a GGUF file"),
    "a future version": (b"GGUF" + struct.pack("<IQQ", 9, 0, 0), "GGUF version 9 is not one"),
    "a string longer than the file": (
        b"GGUF" + struct.pack("<IQQQ", 3, 0, 1, 1 << 23) + b"key",
        "x.gguf: the file ends inside its header",
    ),
    "a string beyond reason": (
        b"GGUF" + struct.pack("<IQQQ", 3, 0, 1, 1 << 40),
        "a string's length 1,099,511,627,776 is more than",
    ),
    "a tensor count beyond reason": (
        b"GGUF" + struct.pack("<IQQ", 3, 1 << 60, 0),
        "tensor count 1,152,921,504,606,846,976 is more than",
    ),
    "an unknown value type": (
        b"GGUF"
        + struct.pack("<IQQ", 3, 0, 1)
        + struct.pack("<Q", 1)
        + b"k"
        + struct.pack("<I", 77),
        "unknown metadata value type 77",
    ),
    "a layer count that is text": (
        gguf({**QWEN3_GGUF, "qwen3.block_count": "36"}, TENSORS),
        'x.gguf: qwen3.block_count: expected a whole number from 1 to 10,000, got "36"',
    ),
    "no architecture": (gguf({}, TENSORS), "x.gguf: general.architecture: expected"),
}


@pytest.mark.parametrize("case", sorted(GGUF_HOSTILE))
def test_hostile_gguf_is_refused_by_name(cli, hub: Hub, tmp_path: Path, case: str) -> None:
    data, said = GGUF_HOSTILE[case]
    hub.add("bad/gguf", {"x.gguf": data})
    write_repo(tmp_path, {"x.gguf": data})
    for where in ("bad/gguf", str(tmp_path / "x.gguf"), str(tmp_path)):
        r = cli("fit", where)
        assert r.code == 2, r
        assert said in r.err, r
        assert "internal error" not in r.err


def test_neither_config_nor_gguf(cli, hub: Hub) -> None:
    hub.add("someone/empty", {"README.md": b"nothing to size"})
    r = cli("fit", "someone/empty")
    assert r.code == 2 and "has no config.json and no GGUF file" in r.err, r
