"""Write a synthetic catalog overlay of N variants for scale benchmarks.

    python benchmarks/make_catalog.py --variants 20000 OUT_DIR
    llmpick --catalog OUT_DIR recommend --task chat --json

The families are fictional ("synth-..."), valid under the real schema, and use the
bundled providers and licences, with a realistic mix of flavours, sizes, context
windows, open and API models, licences, architecture numbers, prices and
benchmark results. Deterministic for a given N (seeded).
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import yaml

PROVIDERS = ["meta", "google", "mistral", "alibaba", "microsoft", "openai", "anthropic", "ibm"]
OPEN_LICENSES = ["apache-2.0", "mit", "llama-3.1", "gemma", "cc-by-nc-4.0", "qwen"]
API_LICENSES = {"openai": "openai-terms", "anthropic": "anthropic-terms", "google": "google-terms"}
SIZES = [0.5, 1, 1.5, 3, 7, 8, 9, 12, 14, 24, 27, 32, 70, 110, 235, 405]
CONTEXTS = [2048, 4096, 8192, 32768, 131072, 262144, 1048576]
FLAVOURS = ["base", "instruct", "chat", "chat", "instruct", "embedding"]
TUNINGS = {
    "base": ["pretrain"],
    "instruct": ["sft", "dpo"],
    "chat": ["sft", "rlhf", "safety"],
    "embedding": ["contrastive"],
}
DOMAINS = ["general"] * 8 + ["code", "biomedical", "science", "math"]
PER_FAMILY = 20


def family(rng: random.Random, index: int, n_variants: int) -> tuple[str, str, dict[str, object]]:
    provider = rng.choice(PROVIDERS)
    api_only = provider in API_LICENSES and rng.random() < 0.6
    fid = f"synth-{index:05d}"
    variants: dict[str, object] = {}
    for j in range(n_variants):
        flavour = rng.choice(FLAVOURS)
        size = rng.choice(SIZES)
        layers = 16 + int(size**0.5 * 6)
        heads = 32 if size < 20 else 64
        v: dict[str, object] = {
            "name": f"Synth-{index}-{j}-{size:g}B-{flavour}",
            "flavour": flavour,
            "tuning": list(TUNINGS[flavour]),
            "context_window": rng.choice(CONTEXTS),
            "access": {"hf_repo": f"synth/{fid}-{j}"} if not api_only else {"api": f"{fid}-{j}"},
        }
        if not api_only:
            v["params_b"] = size
            v["arch"] = {
                "layers": layers,
                "hidden_size": heads * 128,
                "attention_heads": heads,
                "kv_heads": rng.choice([heads, 8, 4]),
                "head_dim": 128,
            }
            v["license"] = rng.choice(OPEN_LICENSES)
        else:
            v["pricing"] = {
                "input": round(rng.uniform(0.05, 15), 2),
                "output": round(rng.uniform(0.2, 60), 2),
                "as_of": "2026-09-01",
                "source": "https://example.org/synthetic",
            }
        if rng.random() < 0.3:
            v["access"]["platforms"] = {rng.choice(["bedrock", "vertex", "azure"]): f"{fid}-{j}"}  # type: ignore[index]
        if rng.random() < 0.4:
            v["capabilities"] = rng.sample(["tools", "structured-output", "vision", "reasoning"], 2)
        # each variant states what may differ between releases, as the catalog rules ask
        caps = v.get("capabilities", [])
        v["modalities"] = ["text", "image"] if "vision" in caps else ["text"]  # type: ignore[operator]
        v["released"] = f"{rng.choice([2023, 2024, 2025, 2026])}-0{rng.randint(1, 9)}-15"
        v["languages"] = ["en", "de", "fr"] if rng.random() < 0.5 else ["en"]
        if rng.random() < 0.3:
            v["evidence"] = [
                {
                    "benchmark": rng.choice(["MMLU", "GPQA Diamond", "SWE-Bench Verified"]),
                    "score": round(rng.uniform(20, 90), 1),
                    "source": "https://example.org/synthetic",
                    "date": "2026-06-01",
                }
            ]
        variants[f"{fid}-v{j}"] = v
    body: dict[str, object] = {
        "name": f"Synthetic family {index}",
        "provider": provider,
        "released": min(str(v["released"]) for v in variants.values()),  # type: ignore[index]
        "architecture": "decoder-only",
        "domain": rng.choice(DOMAINS),
        "status": rng.choice(["active"] * 6 + ["legacy", "deprecated", "retired"]),
        "description": "A synthetic family for benchmarks; not a real model.",
        "open_weights": not api_only,
        "sources": ["https://example.org/synthetic"],
        "verified": "2026-11-26",
        "variants": variants,
    }
    if api_only:
        body["license"] = API_LICENSES[provider]
    return provider, fid, body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, required=True, help="how many variants")
    parser.add_argument("out", type=Path, help="directory to (re)create")
    args = parser.parse_args()
    rng = random.Random(args.variants)
    if args.out.exists():
        shutil.rmtree(args.out)
    written = 0
    index = 0
    while written < args.variants:
        n = min(PER_FAMILY, args.variants - written)
        provider, fid, body = family(rng, index, n)
        path = args.out / "families" / provider / f"{fid}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
        written += n
        index += 1
    print(f"wrote {written} variants in {index} families to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
