"""The closed vocabularies and patterns llmpick reads and writes, defined once.

Each vocabulary is a ``Literal`` type (for the catalog's records, the file schema
and the requirements) and a tuple of its members (for CLI choices, help text, the
walkthrough and error messages). Also here: the id pattern of catalog entries, the
guide's section ids, and the words people type for languages and domains. Cheap to
import: the cached fast path reads it, so nothing heavier than ``typing`` and ``re``.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

# --- the catalog -----------------------------------------------------------------

ProviderKind = Literal["proprietary", "open-source-company", "community", "academia-government"]
PROVIDER_KINDS: tuple[str, ...] = get_args(ProviderKind)
PROVIDER_KIND_NAMES: dict[str, str] = {
    "proprietary": "proprietary models",
    "open-source-company": "open models",
    "community": "a community collective",
    "academia-government": "academia or government",
}
"""What a provider of each kind offers or is, in prose (guide §1.1)."""
Platform = Literal["bedrock", "sagemaker", "vertex", "azure"]
"""Cloud platforms a model can be offered on (guide §1.2)."""
PLATFORMS: tuple[str, ...] = get_args(Platform)
PLATFORM_NAMES: dict[str, str] = {
    "bedrock": "Amazon Bedrock",
    "sagemaker": "SageMaker JumpStart",
    "vertex": "Google Vertex AI",
    "azure": "Azure",
}
Channel = Literal["api", "open-weights", Platform]
"""How a provider sells access: its own API, open weights, or a cloud platform."""
Status = Literal["active", "legacy", "deprecated", "retired"]
STATUSES: tuple[str, ...] = get_args(Status)
Flavour = Literal["base", "instruct", "chat", "embedding"]
"""Model flavours (guide §2.2-2.6, §2.14)."""
FLAVOURS: tuple[str, ...] = get_args(Flavour)
Capability = Literal[
    "tools", "structured-output", "vision", "reasoning", "fill-in-the-middle", "audio"
]
CAPABILITIES: tuple[str, ...] = get_args(Capability)
ReasoningMode = Literal["always", "switchable", "none"]
"""Whether a model reasons before it answers: always (no way to switch it off, only an
effort level), switchable (a thinking mode that can be turned off) or none."""
Domain = Literal[
    "general",
    "code",
    "biomedical",
    "science",
    "math",
    "finance",
    "legal",
    "safety",
    "dialogue",
    "translation",
]
"""Subject areas a model is made or adapted for (guide §2.16)."""
DOMAINS: tuple[str, ...] = get_args(Domain)

Architecture = Literal["decoder-only", "encoder-only", "encoder-decoder", "undisclosed"]
CommercialUse = Literal["yes", "conditional", "no"]
Tuning = Literal[
    "pretrain",
    "sft",
    "flan",
    "rlhf",
    "rlaif",
    "dpo",
    "safety",
    "rl-reasoning",
    "distilled",
    "domain-pretraining",
    "contrastive",
    "task-finetune",
    "undisclosed",
]
TUNING_NAMES: dict[str, str] = {
    "pretrain": "pre-training",
    "sft": "SFT",
    "flan": "FLAN",
    "rlhf": "RLHF",
    "rlaif": "RLAIF",
    "dpo": "DPO",
    "safety": "safety tuning",
    "rl-reasoning": "RL for reasoning",
    "distilled": "distillation",
    "domain-pretraining": "domain pre-training",
    "contrastive": "contrastive training",
    "task-finetune": "task fine-tuning",
    "undisclosed": "undisclosed methods",
}
"""How each kind of training is named in prose ('tuned with SFT, RLHF')."""
Modality = Literal["text", "image", "audio", "video", "pdf"]
WeightsFormat = Literal["fp16", "bf16", "fp8", "mxfp4", "int4"]
ApiStatus = Literal["active", "deprecated", "retired"]
"""Lifecycle of a provider's API for an open-weights model (a subset of ``Status``)."""
MODALITIES: tuple[str, ...] = get_args(Modality)

# ids of providers, licences, datasets, families and variants (and the dataset part
# of a 'dataset:key' citation)
ID_CHARS = "a-z0-9._-"
"""The characters of an id, as the body of a regular-expression character class."""
ID_WORD = rf"[a-z0-9][{ID_CHARS}]*"
ID_RE = re.compile(rf"^{ID_WORD}$")
ID_RULE = "use lower-case letters, digits, '.', '_' and '-'"
"""The rule in words, for error messages."""
UNREVIEWED_LICENSE = "unreviewed-api-terms"
"""The licence of the API models the refresh layer adds unreviewed: the provider's terms,
not read by llmpick (catalog/layer_merge.py)."""

# --- what a user asks for -----------------------------------------------------------

Task = Literal[
    "chat",
    "instruct",
    "classification",
    "extraction",
    "summarization",
    "translation",
    "qa",
    "code",
    "reasoning",
    "creative",
    "embedding",
]
TASKS: tuple[str, ...] = get_args(Task)
Need = Literal["tools", "structured-output", "vision", "reasoning"]
"""Capabilities a user can require (a subset of ``Capability``)."""
NEEDS: tuple[str, ...] = get_args(Need)
AccessKind = Literal["open", "proprietary", "any"]
"""open: downloadable weights; proprietary: API only (guide §1.2, §4.1)."""
ACCESS_KINDS: tuple[str, ...] = get_args(AccessKind)
Hosting = Literal["self", "api", "any"]
HOSTINGS: tuple[str, ...] = get_args(Hosting)
Precision = Literal["fp16", "int8", "int4"]
"""Weight precisions memory is estimated for, from the largest to the smallest."""
PRECISIONS: tuple[str, ...] = get_args(Precision)
Quantization = Literal["auto", Precision]
Alignment = Literal["safety", "own-values", "any"]
Prefer = Literal["balanced", "quality", "cost", "speed"]


ACCESS_SAID = {"open": "open (downloadable weights)", "proprietary": "proprietary (API only)"}
HOSTING_SAID = {"self": "self (your hardware)", "api": "api (a provider serves it)"}


def option_name(field: str) -> str:
    """The command-line option of a requirement field: ``gpu_memory`` -> ``--gpu-memory``."""
    return "--" + field.replace("_", "-")


def one_of(choices: tuple[str, ...] | list[str], said: dict[str, str] | None = None) -> str:
    """'a, b or c': a vocabulary in words, for help text that matches validation;
    ``said`` gives some members a longer wording."""
    words = [(said or {}).get(c, c) for c in choices]
    *head, last = words
    return f"{', '.join(head)} or {last}" if head else last


# --- the guide -----------------------------------------------------------------------

SECTION_IDS: tuple[str, ...] = (
    *(f"1.{i}" for i in range(1, 6)),
    *(f"2.{i}" for i in range(1, 17)),
    "3",
    "4.1",
    "4.2",
    "5.1",
    "5.2",
    "5.3",
    "6.1",
    "6.2",
    "6.3",
    "6.4",
    "7",
    "8",
    "9",
)
"""Every guide section an explanation or a catalog entry may cite."""

# --- words people type ---------------------------------------------------------------

# ISO 639-1 code -> English name (the languages model cards most often list)
LANGUAGES: dict[str, str] = {
    "ar": "Arabic",
    "bg": "Bulgarian",
    "bn": "Bengali",
    "ca": "Catalan",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "et": "Estonian",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "ms": "Malay",
    "nb": "Norwegian Bokmål",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sr": "Serbian",
    "sv": "Swedish",
    "sw": "Swahili",
    "ta": "Tamil",
    "th": "Thai",
    "tl": "Tagalog",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "zh": "Chinese",
}
_LANGUAGE_WORDS = {name.lower(): code for code, name in LANGUAGES.items()} | {
    "deutsch": "de",
    "german": "de",
    "français": "fr",
    "francais": "fr",
    "español": "es",
    "espanol": "es",
    "mandarin": "zh",
    "chinese": "zh",
    "norwegian": "no",
    "farsi": "fa",
    "filipino": "tl",
    "brazilian portuguese": "pt",
    "cantonese": "zh",
}

DOMAIN_WORDS: dict[str, str] = {
    "medical": "biomedical",
    "medicine": "biomedical",
    "clinical": "biomedical",
    "health": "biomedical",
    "healthcare": "biomedical",
    "biology": "biomedical",
    "programming": "code",
    "coding": "code",
    "software": "code",
    "law": "legal",
    "financial": "finance",
    "maths": "math",
    "mathematics": "math",
    "scientific": "science",
    "chit-chat": "dialogue",
}


def language_code(text: str) -> str | None:
    """The ISO 639-1 code for a language code or name ('de', 'German', 'deutsch')."""
    t = text.strip().lower().replace("_", "-")
    if t in LANGUAGES:
        return t
    base = t.split("-")[0].split(" (")[0].strip()  # pt-BR, zh-Hant, Chinese (Traditional)
    if base in LANGUAGES:
        return base
    return _LANGUAGE_WORDS.get(t) or _LANGUAGE_WORDS.get(base)


def language_name(code: str) -> str:
    """'German' for 'de'; the code itself when we have no name for it."""
    return LANGUAGES.get(code, code)


# what an identifier in ``access`` looks like; anything else is refused when the
# catalog loads (a quote, a space or a semicolon has no business in a model id)
ID_SHAPES: dict[str, re.Pattern[str]] = {
    # owner/name: letters, digits, '-', '_', '.'; at most 96 characters each
    "hf_repo": re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}"),
    # model[:tag], optionally namespace/model[:tag]
    "ollama": re.compile(
        r"[a-z0-9][a-z0-9._-]{0,99}(/[a-z0-9][a-z0-9._-]{0,99})?(:[A-Za-z0-9][A-Za-z0-9._-]{0,99})?"
    ),
    # provider and cloud model ids: gpt-4o-2024-08-06, anthropic.claude-v2:1,
    # claude-3-5-sonnet@20240620, models/gemini-pro, accounts/x/models/y
    "api": re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}"),
    "platform": re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}"),
}
ID_SHAPE_HELP = {
    "hf_repo": "a Hugging Face repo id, owner/name (letters, digits, '-', '_', '.')",
    "ollama": "an Ollama tag, model:tag (lower-case letters, digits, '-', '_', '.')",
    "api": "an API model id (letters, digits and . _ : / @ + -)",
    "platform": "a cloud model id (letters, digits and . _ : / @ + -)",
}


def plausible_id(kind: str, value: str) -> bool:
    """Whether ``value`` has the shape of an identifier of ``kind`` (see ID_SHAPES)."""
    return ID_SHAPES[kind].fullmatch(value) is not None
