"""From shortlist to running model: how to load, decode, constrain and pay for a model.

Pure functions over catalog records (guide §5.1-5.3 loading, §6.1-6.4 decoding,
§8 structured outputs). Snippets are short, ready-to-paste programs; the tests
parse every one of them.

A snippet is pasted into a shell or an interpreter, so the identifiers it carries
(from a catalog or an overlay: somebody else's text) are quoted for that language,
never spliced in: ``_py`` for Python string literals, ``shlex.quote`` for the shell.
The catalog also refuses identifiers that do not have the shape of one
(``vocabulary.ID_SHAPES``).
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from llmpick.catalog.records import Variant
from llmpick.engine.memory import NATIVE_FORMATS

SNIPPET_KINDS = ("ollama", "transformers", "api")


def _py(value: str) -> str:
    """``value`` as a Python string literal (JSON's double-quoted form is one; ASCII
    only, so no control or bidirectional character survives into the snippet)."""
    return json.dumps(value)


# --- decoding (§6.1-6.4) ------------------------------------------------------------

_GREEDY = {"do_sample": False, "num_beams": 1}
DECODING: dict[str, dict[str, Any]] = {
    "classification": {
        "strategy": "greedy",
        "guide": "6.1",
        "why": "one right label: take the most likely tokens, no randomness",
        "generation_config": {**_GREEDY, "max_new_tokens": 8},
        "api": {"temperature": 0.0, "max_tokens": 8},
    },
    "extraction": {
        "strategy": "greedy",
        "guide": "6.1",
        "why": "copy facts out of the input faithfully: deterministic output",
        "generation_config": {**_GREEDY, "max_new_tokens": 512},
        "api": {"temperature": 0.0, "max_tokens": 512},
    },
    "summarization": {
        "strategy": "beam search",
        "guide": "6.2",
        "why": "keeps several candidate sequences and picks the most likely whole summary",
        "generation_config": {
            "do_sample": False,
            "num_beams": 4,
            "length_penalty": 1.0,
            "no_repeat_ngram_size": 3,
            "early_stopping": True,
            "max_new_tokens": 256,
        },
        "api": {"temperature": 0.2, "top_p": 0.9, "max_tokens": 512},
    },
    "translation": {
        "strategy": "beam search",
        "guide": "6.2",
        "why": "searches for the most likely complete translation rather than word by word",
        "generation_config": {
            "do_sample": False,
            "num_beams": 5,
            "early_stopping": True,
            "max_new_tokens": 512,
        },
        "api": {"temperature": 0.0, "max_tokens": 1024},
    },
    "qa": {
        "strategy": "greedy",
        "guide": "6.1",
        "why": "factual answers: low randomness keeps them grounded in the context",
        "generation_config": {**_GREEDY, "max_new_tokens": 512, "repetition_penalty": 1.05},
        "api": {"temperature": 0.0, "max_tokens": 1024},
    },
    "code": {
        "strategy": "low-temperature top-p",
        "guide": "6.4",
        "why": "mostly deterministic, with a little sampling to avoid loops",
        "generation_config": {
            "do_sample": True,
            "temperature": 0.2,
            "top_p": 0.95,
            "max_new_tokens": 1024,
        },
        "api": {"temperature": 0.2, "top_p": 0.95, "max_tokens": 2048},
    },
    "reasoning": {
        "strategy": "top-p",
        "guide": "6.4",
        "why": "reasoning models are tuned for moderate sampling; greedy can loop",
        "generation_config": {
            "do_sample": True,
            "temperature": 0.6,
            "top_p": 0.95,
            "max_new_tokens": 4096,
        },
        "api": {"temperature": 0.6, "top_p": 0.95, "max_tokens": 8192},
    },
    "chat": {
        "strategy": "top-p with temperature",
        "guide": "6.4",
        "why": "natural, varied replies while cutting off the unlikely tail",
        "generation_config": {
            "do_sample": True,
            "temperature": 0.7,
            "top_p": 0.9,
            "max_new_tokens": 512,
        },
        "api": {"temperature": 0.7, "top_p": 0.9, "max_tokens": 1024},
    },
    "creative": {
        "strategy": "top-k and top-p, higher temperature",
        "guide": "6.3",
        "why": "more diverse text; top-k bounds how far sampling can wander",
        "generation_config": {
            "do_sample": True,
            "temperature": 0.9,
            "top_k": 50,
            "top_p": 0.95,
            "max_new_tokens": 1024,
        },
        "api": {"temperature": 0.9, "top_p": 0.95, "max_tokens": 2048},
    },
    "instruct": {
        "strategy": "top-p, low temperature",
        "guide": "6.4",
        "why": "follows the instruction closely with a little variety",
        "generation_config": {
            "do_sample": True,
            "temperature": 0.3,
            "top_p": 0.9,
            "max_new_tokens": 512,
        },
        "api": {"temperature": 0.3, "top_p": 0.9, "max_tokens": 1024},
    },
}


REASONING_BUDGET = 32_768  # room for a thinking model's reasoning before its answer


def decoding(task: str | None, v: Variant, holds: int | None = None) -> dict[str, Any] | None:
    """Suggested decoding settings for ``task`` on ``v`` (None for embedding models).

    A model served only through an API gets API parameters only; a model that thinks
    before it answers gets a token budget large enough for its reasoning (its maximum
    output when the catalog knows it), whatever the task.
    """
    if v.flavour == "embedding" or task == "embedding" or v.architecture == "encoder-only":
        return None
    from llmpick.engine.model_facts import thinks_always

    key = task if task in DECODING else "instruct"
    thinks = thinks_always(v) or (
        "reasoning" in v.capabilities and key not in ("classification", "extraction")
    )
    if thinks:
        d = dict(DECODING["reasoning"])
        budget = _reasoning_budget(v)
        d["why"] = "it reasons before answering: leave room for its thinking; greedy can loop"
        d["generation_config"] = {**d["generation_config"], "max_new_tokens": budget}
        d["api"] = {**d["api"], "max_tokens": budget}
    elif key in ("summarization", "translation") and v.architecture != "encoder-decoder":
        # beam search shines with encoder-decoder models; decoders do well greedily
        d = dict(DECODING["qa"])
        d["why"] = "greedy decoding: beam search helps encoder-decoder models most"
    else:
        d = dict(DECODING[key])
    if not v.open_weights:
        _hosted(d, v, thinks)
    if holds and d.get("generation_config"):
        _cap(d, holds)
    return d


def _reasoning_budget(v: Variant) -> int:
    return min(v.max_output, REASONING_BUDGET) if v.max_output else REASONING_BUDGET


def _hosted(d: dict[str, Any], v: Variant, thinks: bool) -> None:
    """API parameters only, for a model served only through an API (nothing to
    configure locally)."""
    d.pop("generation_config", None)
    if thinks or "reasoning" in v.capabilities:
        # hosted reasoning models fix their own sampling (several reject temperature)
        d["api"] = {"max_tokens": _reasoning_budget(v)}
        d["strategy"] = "the provider's sampling defaults"
        d["why"] = (
            "a hosted model with a reasoning mode: keep the provider's sampling defaults "
            "(some reject temperature) and leave room for its thinking"
        )
    elif v.provider == "anthropic" and "temperature" in d["api"]:
        # Anthropic's API takes temperature or top_p, not both
        d["api"] = {k: x for k, x in d["api"].items() if k not in ("top_p", "top_k")}


def _cap(d: dict[str, Any], holds: int) -> None:
    """Keep what a run may write within the context the memory estimate holds: at most
    half of it, the other half left for the prompt (§2.1)."""
    config = d["generation_config"]
    budget = config.get("max_new_tokens") or 0
    room = holds // 2
    if budget > room:
        d["generation_config"] = {**config, "max_new_tokens": room}
        d["capped"] = {"asked": budget, "holds": holds}


# --- structured outputs (§8) ------------------------------------------------------


def structured_output(v: Variant, hardware: str = "gpu") -> dict[str, str]:
    """Whether ``v`` gives JSON or schema-constrained output natively, else how to get it."""
    if v.flavour == "embedding" or v.architecture == "encoder-only":
        return {
            "native": "no",
            "how": "not a text generator: use a classification or extraction head",
        }
    if "structured-output" in v.capabilities:
        how = (
            "JSON-schema response format in the provider's API"
            if v.access.api or v.access.platforms
            else "built-in JSON output"
        )
        return {"native": "yes", "how": how}
    if v.open_weights and hardware in ("unified", "cpu"):  # nothing CUDA-only off NVIDIA
        return {
            "native": "no",
            "how": "constrain decoding to a JSON Schema: a GBNF grammar / --json-schema in "
            "llama.cpp (Ollama: format=<schema>)"
            + (", or Outlines with mlx-lm" if hardware == "unified" else ""),
        }
    if v.open_weights:
        return {
            "native": "no",
            "how": "constrain decoding to a JSON Schema: Outlines or XGrammar with transformers/vLLM, "
            "or a GBNF grammar / --json-schema in llama.cpp (Ollama: format=<schema>)",
        }
    return {
        "native": "no",
        "how": "ask for JSON in the prompt and validate the reply; retry on failure",
    }


# --- snippets (§5.1-5.3) ------------------------------------------------------------


def _dtype(quantization: str | None) -> tuple[str, str]:
    """(extra imports, from_pretrained keyword arguments) for a quantization."""
    if quantization == "int8":
        return (
            "from transformers import BitsAndBytesConfig\n",
            'quantization_config=BitsAndBytesConfig(load_in_8bit=True), device_map="auto"',
        )
    if quantization == "int4":
        return (
            "from transformers import BitsAndBytesConfig\n",
            "quantization_config=BitsAndBytesConfig(load_in_4bit=True, "
            'bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16), device_map="auto"',
        )
    return ("", 'dtype=torch.bfloat16, device_map="auto"')


def transformers_snippet(
    v: Variant,
    task: str | None = None,
    quantization: str | None = None,
    holds: int | None = None,
) -> str | None:
    repo = v.access.hf_repo
    if not repo or not v.open_weights:
        return None
    if v.flavour == "embedding":
        return (
            "from sentence_transformers import SentenceTransformer\n\n"
            f"model = SentenceTransformer({_py(repo)})\n"
            'vectors = model.encode(["The pizza was ok but the service was slow."])\n'
            "print(vectors.shape)\n"
        )
    if v.architecture == "encoder-only":
        return (
            "from transformers import AutoModelForSequenceClassification, AutoTokenizer\n\n"
            f"repo = {_py(repo)}\n"
            "tokenizer = AutoTokenizer.from_pretrained(repo)\n"
            "# a fresh classification head: fine-tune it on your labelled examples first\n"
            "model = AutoModelForSequenceClassification.from_pretrained(repo, num_labels=2)\n"
            'inputs = tokenizer("The pizza was ok but the service was slow.", return_tensors="pt")\n'
            "print(model(**inputs).logits)\n"
        )
    native = NATIVE_FORMATS.get(v.weights_format or "", ("",))[0] == quantization
    extra, kwargs = _dtype(None if native else quantization)  # a quantized release loads as is
    auto = (
        "AutoModelForSeq2SeqLM" if v.architecture == "encoder-decoder" else "AutoModelForCausalLM"
    )
    settings = decoding(task, v, holds) or DECODING["instruct"]
    gen = ", ".join(f"{k}={v_!r}" for k, v_ in settings["generation_config"].items())
    if v.flavour in ("chat", "instruct") and v.architecture != "encoder-decoder":
        prompt = (
            'messages = [{"role": "user", "content": "Summarise our refund policy in two sentences."}]\n'
            "inputs = tokenizer.apply_chat_template(\n"
            '    messages, add_generation_prompt=True, return_tensors="pt"\n'
            ").to(model.device)\n"
        )
        decode = "print(tokenizer.decode(output[0][inputs.shape[-1]:], skip_special_tokens=True))\n"
        call = f"output = model.generate(inputs, {gen})\n"
    else:
        prompt = (
            'inputs = tokenizer("Translate to German: The meeting is at noon.", '
            'return_tensors="pt").to(model.device)\n'
        )
        decode = "print(tokenizer.decode(output[0], skip_special_tokens=True))\n"
        call = f"output = model.generate(**inputs, {gen})\n"
    said = f"# {quantization} weights" if quantization in ("int8", "int4") else "# bf16 weights"
    if native:
        said = "# weights as published"
    if settings.get("capped"):
        cap = settings["capped"]
        said += (
            f"; max_new_tokens {cap['asked']:,} cut to half the {cap['holds']:,}-token "
            "context the memory estimate holds"
        )
    return (
        "# pip install transformers accelerate" + (" bitsandbytes" if extra else "") + "\n"
        "import torch\n"
        f"from transformers import {auto}, AutoTokenizer\n"
        f"{extra}\n"
        f"repo = {_py(repo)}\n"
        "tokenizer = AutoTokenizer.from_pretrained(repo)\n"
        f"{said}\n"
        f"model = {auto}.from_pretrained(repo, {kwargs})\n"
        f"{prompt}{call}{decode}"
    )


def ollama_snippet(v: Variant) -> str | None:
    if not v.access.ollama:
        return None
    return f"ollama run {shlex.quote(v.access.ollama)}"


_PROVIDER_SDK = {
    "anthropic": (
        "# pip install anthropic  (reads ANTHROPIC_API_KEY)\n"
        "import anthropic\n\n"
        "client = anthropic.Anthropic()\n"
        "reply = client.messages.create(\n"
        "    model={model},\n"
        "    max_tokens=1024,\n"
        '    messages=[{{"role": "user", "content": "Summarise our refund policy."}}],\n'
        ")\n"
        "print(reply.content[0].text)\n"
    ),
    "google": (
        "# pip install google-genai  (reads GEMINI_API_KEY)\n"
        "from google import genai\n\n"
        "client = genai.Client()\n"
        "reply = client.models.generate_content(model={model}, "
        'contents="Summarise our refund policy.")\n'
        "print(reply.text)\n"
    ),
    "cohere": (
        "# pip install cohere  (reads CO_API_KEY)\n"
        "import cohere\n\n"
        "client = cohere.ClientV2()\n"
        "reply = client.chat(\n"
        "    model={model},\n"
        '    messages=[{{"role": "user", "content": "Summarise our refund policy."}}],\n'
        ")\n"
        "print(reply.message.content[0].text)\n"
    ),
}
# providers with OpenAI-compatible endpoints: the openai SDK with their base URL
_OPENAI_COMPATIBLE = {
    "openai": None,
    "mistral": "https://api.mistral.ai/v1",
    "xai": "https://api.x.ai/v1",
    "deepseek": "https://api.deepseek.com",
    "alibaba": "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
    "moonshot": "https://api.moonshot.ai/v1",
    "zhipu": "https://api.z.ai/api/paas/v4",
    "minimax": "https://api.minimax.io/v1",
}


# calls through a cloud platform; {model} is the platform's id for the model
_PLATFORM_SDK = {
    "bedrock": (
        "# pip install boto3  (uses your AWS credentials and region)\n"
        "import boto3\n\n"
        'client = boto3.client("bedrock-runtime")\n'
        "reply = client.converse(\n"
        "    modelId={model},\n"
        '    messages=[{{"role": "user", "content": [{{"text": "Summarise our refund policy."}}]}}],\n'
        ")\n"
        'print(reply["output"]["message"]["content"][0]["text"])\n'
    ),
    "azure": (
        "# pip install openai  (reads AZURE_OPENAI_API_KEY and AZURE_OPENAI_ENDPOINT)\n"
        "from openai import AzureOpenAI\n\n"
        'client = AzureOpenAI(api_version="2024-10-21")\n'
        "reply = client.chat.completions.create(\n"
        "    model={model},  # your deployment name\n"
        '    messages=[{{"role": "user", "content": "Summarise our refund policy."}}],\n'
        ")\n"
        "print(reply.choices[0].message.content)\n"
    ),
    "vertex": (
        "# pip install google-genai  (uses your Google Cloud project and location)\n"
        "from google import genai\n\n"
        'client = genai.Client(vertexai=True, project="your-project", location="us-central1")\n'
        "reply = client.models.generate_content(model={model}, "
        'contents="Summarise our refund policy.")\n'
        "print(reply.text)\n"
    ),
    "sagemaker": (
        "# pip install sagemaker  (uses your AWS credentials and an IAM role)\n"
        "from sagemaker.jumpstart.model import JumpStartModel\n\n"
        "model = JumpStartModel(model_id={model})\n"
        "predictor = model.deploy(accept_eula=True)\n"
        'print(predictor.predict({{"inputs": "Summarise our refund policy."}}))\n'
    ),
}


def api_snippet(v: Variant, platform: str | None = None) -> str | None:
    """A minimal call through the provider's API, or through a cloud platform (the
    first of its platforms when its maker's API is shut down or it has none)."""
    platforms = v.access.platforms
    if platform is None and (v.api_status == "retired" or not v.access.api):
        if not platforms:
            return None  # no API to call: none, or its maker's is shut down
        platform = sorted(platforms)[0]
    if platform in _PLATFORM_SDK and platform in platforms:
        return _PLATFORM_SDK[platform].format(model=_py(platforms[platform]))
    model = v.access.api
    if not model:
        return None
    if v.provider in _PROVIDER_SDK:
        return _PROVIDER_SDK[v.provider].format(model=_py(model))
    return _openai_compatible(v, model)


def _openai_compatible(v: Variant, model: str) -> str:
    """The openai SDK pointed at the provider's OpenAI-compatible endpoint."""
    base = _OPENAI_COMPATIBLE.get(v.provider, "https://your-provider.example/v1")
    client = "OpenAI()" if base is None else f'OpenAI(base_url={_py(base)}, api_key="...")'
    method = "embeddings.create" if v.flavour == "embedding" else "chat.completions.create"
    body = (
        f'    model={_py(model)},\n    input="Summarise our refund policy.",\n'
        if v.flavour == "embedding"
        else f"    model={_py(model)},\n"
        '    messages=[{"role": "user", "content": "Summarise our refund policy."}],\n'
    )
    out = (
        "print(reply.data[0].embedding[:5])\n"
        if v.flavour == "embedding"
        else "print(reply.choices[0].message.content)\n"
    )
    return (
        "# pip install openai  (an OpenAI-compatible endpoint)\n"
        "from openai import OpenAI\n\n"
        f"client = {client}\n"
        f"reply = client.{method}(\n{body})\n{out}"
    )


def snippet(
    v: Variant,
    kind: str,
    task: str | None = None,
    quantization: str | None = None,
    holds: int | None = None,
) -> str | None:
    if kind == "ollama":
        return ollama_snippet(v)
    if kind == "transformers":
        return transformers_snippet(v, task, quantization, holds)
    if kind == "api":
        return api_snippet(v)
    raise ValueError(kind)


def how_to_load(
    v: Variant, task: str | None = None, quantization: str | None = None
) -> dict[str, Any]:
    """Every way the catalog knows to run ``v``, with the guide section for each."""
    out: dict[str, Any] = {}
    if v.access.ollama:
        out["ollama"] = {"command": ollama_snippet(v), "guide": "5.2"}
    if v.open_weights and v.access.hf_repo:
        out["transformers"] = {"repo": v.access.hf_repo, "guide": "5.1"}
    if v.access.api and v.api_status != "retired":  # a shut-down API runs nothing
        out["api"] = {"model": v.access.api, "provider": v.provider, "guide": "5.3"}
    if v.access.platforms:
        out["platforms"] = {"ids": dict(v.access.platforms), "guide": "1.2"}
    return out


# --- cost (§5.3) -----------------------------------------------------------------


def monthly_cost(
    v: Variant,
    tokens_in: int,
    tokens_out: int,
    rates: tuple[float, float, str] | None = None,
) -> dict[str, Any] | None:
    """USD per month for the given token volumes, at the catalog's list prices or at
    ``rates`` (input and output USD per 1M tokens, and the tier they belong to)."""
    p = v.pricing
    if p is None:
        return None
    inp, out, tier = rates if rates is not None else (p.input, p.output, "list price")
    usd = tokens_in / 1e6 * inp + tokens_out / 1e6 * out
    return {
        "usd": round(usd, 6),  # not to the cent ($0.0004 a month is not $0), nor to 4 figures
        "tokens_in": tokens_in,
        "tokens_out": tokens_out,
        "tier": tier,
        "prices_as_of": p.as_of.isoformat(),
        "source": p.tiers_source if tier != "list price" and p.tiers_source else p.source,
    }


# --- run lines for the hardware an answer sized (several GPUs, a Mac, the CPU) -------

GGUF_QUANT = {"fp16": "F16", "int8": "Q8_0", "int4": "Q4_K_M"}
"""llama.cpp's names for the precisions the memory estimate uses (memory.py)."""
MLX_BITS = {"int8": 8, "int4": 4}


def _gguf_steps(repo: str, quantization: str) -> list[str]:
    """Make a GGUF file of ``repo`` at ``quantization`` with llama.cpp's own tools."""
    quant = GGUF_QUANT.get(quantization, "Q4_K_M")
    steps = [
        f"hf download {shlex.quote(repo)} --local-dir model",
        "python convert_hf_to_gguf.py model --outtype f16 --outfile model-F16.gguf",
    ]
    if quant != "F16":
        steps.append(f"llama-quantize model-F16.gguf model-{quant}.gguf {quant}")
    return steps


def run_lines(
    v: Variant,
    kind: str,
    split: str,
    devices: tuple[float, ...],
    quantization: str,
    context: int,
    native: bool = False,
) -> list[dict[str, str]]:
    """Commands that run ``v`` as the answer sized it: ``kind`` is gpu, gpus, unified or
    cpu; ``split`` is 'tensor parallel' or 'layer split' on several GPUs. Each is
    {tool, command, guide, note}. Apple and CPU answers get no CUDA-only tools (vLLM,
    bitsandbytes). GGUF quantizations are named as llama.cpp names them (Q4_K_M, Q8_0)."""
    repo = v.access.hf_repo
    out: list[dict[str, str]] = []
    if not v.open_weights or v.flavour == "embedding" or v.architecture != "decoder-only":
        return out
    if repo and kind == "gpus" and split == "tensor parallel":
        out.append(_vllm(repo, len(devices), quantization, context, native))
    if repo and kind == "gpus" and split == "layer split":
        out.append(_llama_cpp_split(repo, devices, quantization, context))
    if repo and kind == "unified":
        out.append(_mlx(repo, quantization, native))
    if repo and kind in ("unified", "cpu"):
        out.append(_llama_cpp_local(repo, kind, quantization, context))
    if v.access.ollama and kind != "gpu":
        out.append(
            {
                "tool": "ollama",
                "command": f"ollama run {shlex.quote(v.access.ollama)}",
                "guide": "5.2",
                "note": "Ollama picks the quantization of its tag and spreads layers over "
                "the devices it finds",
            }
        )
    return out


# vLLM's in-flight quantization of published (not natively quantized) weights: the
# flag and what the note says of it
_VLLM_QUANT = {
    "int4": (" --quantization bitsandbytes", "; in-flight 4-bit bitsandbytes"),
    "int8": (" --quantization fp8", "; 8-bit weights as FP8 (weight-only on Ampere GPUs)"),
}


def _vllm(repo: str, n: int, quantization: str, context: int, native: bool) -> dict[str, str]:
    """Tensor parallel over ``n`` GPUs with vLLM."""
    flag, said = ("", "") if native else _VLLM_QUANT.get(quantization, ("", ""))
    return {
        "tool": "vllm",
        "command": f"vllm serve {shlex.quote(repo)} --tensor-parallel-size {n} "
        f"--max-model-len {context}{flag}",
        "guide": "5.1",
        "note": f"weights and KV cache split evenly over {n} GPUs{said}",
    }


def _llama_cpp_split(
    repo: str, devices: tuple[float, ...], quantization: str, context: int
) -> dict[str, str]:
    """Whole layers on each GPU, in proportion to its memory, with llama.cpp."""
    quant = GGUF_QUANT.get(quantization, "Q4_K_M")
    tensor_split = ",".join(f"{d:g}" for d in devices)
    serve = f"llama-server -m model-{quant}.gguf -ngl 99 --tensor-split {tensor_split} -c {context}"
    return {
        "tool": "llama.cpp",
        "command": "\n".join([*_gguf_steps(repo, quantization), serve]),
        "guide": "5.1",
        "note": f"whole layers on each GPU in proportion {tensor_split} ({quant})",
    }


def _mlx(repo: str, quantization: str, native: bool) -> dict[str, str]:
    """MLX on a Mac: the published weights, or a conversion at the answer's bits."""
    bits = MLX_BITS.get(quantization)
    if bits and not native:
        cmd = (
            f"pip install mlx-lm\nmlx_lm.convert --hf-path {shlex.quote(repo)} -q "
            f"--q-bits {bits} --mlx-path model-mlx\n"
            "mlx_lm.generate --model model-mlx --prompt 'Hello' --max-tokens 256"
        )
        note = (
            f"converts the published weights to MLX at {bits} bits on your Mac "
            "(an mlx-community conversion may exist: check it is of this exact repo)"
        )
    else:
        cmd = (
            f"pip install mlx-lm\nmlx_lm.generate --model {shlex.quote(repo)} "
            "--prompt 'Hello' --max-tokens 256"
        )
        note = "the published weights, run by MLX on the Mac's GPU"
    return {"tool": "mlx", "command": cmd, "guide": "5.1", "note": note}


def _llama_cpp_local(repo: str, kind: str, quantization: str, context: int) -> dict[str, str]:
    """llama.cpp on a Mac (every layer offloaded to Metal) or on the CPU alone."""
    quant = GGUF_QUANT.get(quantization, "Q4_K_M")
    gpu = "-ngl 99" if kind == "unified" else "-ngl 0"
    serve = f"llama-server -m model-{quant}.gguf {gpu} -c {context}"
    return {
        "tool": "llama.cpp",
        "command": "\n".join([*_gguf_steps(repo, quantization), serve]),
        "guide": "5.1",
        "note": f"GGUF {quant}; "
        + ("Metal offload of every layer" if kind == "unified" else "CPU only"),
    }
