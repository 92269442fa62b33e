"""The bundled catalog: coverage of the guide, today's families, and the catalog's rules."""

from __future__ import annotations

import re

import pytest

from llmpick.catalog.query import resolve
from llmpick.catalog.records import Family, Variant
from tests.conftest import bundled_catalog

cat = bundled_catalog  # parsed once per run, shared


# every model the guide names (§1.2-§1.5, §2.1, chat models), with its family in our catalog
GUIDE_MODELS = {
    "GPT-2": "gpt-2",
    "GPT-3": "gpt-3",
    "GPT-3.5": "gpt-3.5",
    "GPT-4": "gpt-4",
    "Gemini": "gemini-3",
    "Claude": "claude-1",
    "Claude 2": "claude-2",
    "Command": "command",
    "Cohere Base": "cohere-base",
    "Jurassic": "jurassic",
    "Titan": "titan",
    "Grok": "grok-1",
    "MPT": "mpt",
    "StableLM": "stablelm",
    "Persimmon": "persimmon",
    "Mistral": "mistral-7b",
    "RedPajama": "redpajama",
    "Cerebras-GPT": "cerebras-gpt",
    "BTLM": "btlm",
    "DeBERTa": "deberta",
    "DialoGPT": "dialogpt",
    "BioGPT": "biogpt",
    "MPNet": "mpnet",
    "BERT": "bert",
    "MobileBERT": "mobilebert",
    "T5": "t5",
    "FLAN-T5": "flan-t5",
    "ByT5": "byt5",
    "CANINE": "canine",
    "UL2": "ul2",
    "Flan-UL2": "flan-ul2",
    "Pegasus": "pegasus",
    "PaLM": "palm",
    "PaLM 2": "palm-2",
    "ELECTRA": "electra",
    "TAPAS": "tapas",
    "Switch Transformer": "switch-transformer",
    "RoBERTa": "roberta",
    "LLaMA": "llama-1",
    "Llama 2": "llama-2",
    "BART": "bart",
    "OPT": "opt",
    "Galactica": "galactica",
    "CTRL": "ctrl",
    "XGen": "xgen",
    "Einstein GPT": "einstein-gpt",
    "Pyythia": "pythia",
    "GPT-Neo": "gpt-neo",
    "GPT-NeoX": "gpt-neox",
    "GPT-J": "gpt-j",
    "BLOOM": "bloom",
    "MDEL": "mdel",
    "Falcon": "falcon",
    "GLM": "glm",
    "OpenLLaMA": "openllama",
    "OpenAssistant": "openassistant",
}
GUIDE_PROVIDERS = {
    "openai": {"proprietary"},
    "google": {"proprietary", "open-source-company"},
    "anthropic": {"proprietary"},
    "cohere": {"proprietary"},
    "ai21": {"proprietary"},
    "amazon": {"proprietary"},
    "xai": {"proprietary"},
    "databricks": {"proprietary"},
    "stability-ai": {"open-source-company"},
    "adept": {"proprietary"},
    "mistral": {"proprietary", "open-source-company"},
    "together": {"open-source-company"},
    "cerebras": {"open-source-company"},
    "microsoft": {"open-source-company"},
    "meta": {"open-source-company"},
    "salesforce": {"open-source-company"},
    "eleutherai": {"community"},
    "bigscience": {"community"},
    "ontocord": {"community"},
    "tii": {"academia-government"},
    "tsinghua": {"academia-government"},
    "berkeley": {"academia-government"},
}
TODAY_FAMILIES = [
    "gpt-5",
    "gpt-4.1",
    "gpt-4o",
    "o-series",
    "gpt-oss",
    "claude-4.5",
    "gemini-2.5",
    "gemini-3",
    "gemma-3",
    "gemma-4",
    "llama-3.1",
    "llama-4",
    "mistral-small",
    "mistral-medium",
    "mistral-large",
    "codestral",
    "devstral",
    "ministral",
    "qwen2.5",
    "qwen3",
    "qwen2.5-coder",
    "qwen3-coder",
    "deepseek-v3",
    "deepseek-r1",
    "phi-4",
    "grok-4",
    "command-a",
    "nova",
    "nemotron",
    "glm-4.5",
    "kimi-k2",
    "minimax-m",
    "granite",
    "olmo",
    "smollm",
    "qwen-embedding",
    "bge",
    "biogpt",
    "medgemma",
]


def test_size() -> None:
    assert len(cat().families) >= 60
    assert len(cat().variants) >= 250


@pytest.mark.parametrize(("name", "family"), sorted(GUIDE_MODELS.items()))
def test_every_model_the_guide_names_is_in_the_catalog(name: str, family: str) -> None:
    found = resolve(cat(), name)
    fam = found.family if isinstance(found, Variant) else found.id
    assert fam == family


@pytest.mark.parametrize("family", TODAY_FAMILIES)
def test_todays_leading_families(family: str) -> None:
    assert family in cat().families


@pytest.mark.parametrize(("provider", "kinds"), sorted(GUIDE_PROVIDERS.items()))
def test_guide_providers_with_their_kinds(provider: str, kinds: set[str]) -> None:
    p = cat().providers[provider]
    assert kinds <= set(p.kinds)
    assert p.guide, "the guide section that names it"


def test_cloud_platforms_the_guide_names_are_present() -> None:
    seen = {plat for v in cat().variants.values() for plat in v.access.platforms}
    assert seen == {"bedrock", "sagemaker", "vertex", "azure"}


def test_every_variant_is_sourced_and_dated() -> None:
    for v in cat().variants.values():
        assert v.sources, v.id
        for s in v.sources:  # a URL, or dataset:key with the dataset declared once
            assert s.startswith(("https://", "http://")) or s.split(":")[0] in cat().datasets, s
            assert "shared/" not in s, s
        assert v.verified.year >= 2026, v.id


def test_datasets_name_their_public_file_and_licence() -> None:
    assert {"models.dev", "litellm", "llmfit"} <= set(cat().datasets)
    for d in cat().datasets.values():
        assert d.url.startswith("https://"), d.id
        assert d.license in cat().licenses, d.id
        assert re.match(r"^\d{4}-\d{2}(-\d{2})?$", d.snapshot), d.id


def test_licences_state_conditions() -> None:
    for lic in cat().licenses.values():
        if lic.commercial_use != "yes":
            assert lic.condition, lic.id


def test_variants_differ_where_their_licences_do() -> None:
    c = cat()
    assert c.licenses[c.variants["mpt-7b"].license].commercial_use == "yes"
    assert c.licenses[c.variants["mpt-7b-chat"].license].commercial_use == "no"
    assert c.licenses[c.variants["llama-2-13b-chat"].license].commercial_use == "conditional"
    assert c.licenses[c.variants["galactica-6.7b"].license].commercial_use == "no"


def test_encoder_only_models_are_never_chat_models() -> None:
    for v in cat().variants.values():
        if v.architecture == "encoder-only":
            assert v.flavour in ("base", "embedding"), v.id


def test_old_models_keep_their_true_status_and_successor() -> None:
    c = cat()
    claude2 = c.families["claude-2"]
    assert claude2.status == "retired" and claude2.successor in c.families
    for v in c.variants.values():
        if v.successor:
            assert v.successor in c.variants or v.successor in c.families, v.id


def test_flavours_and_tuning_of_named_examples() -> None:
    c = cat()
    assert c.variants["llama-2-13b"].flavour == "base"
    assert c.variants["llama-2-13b-chat"].flavour == "chat"
    assert "rlhf" in c.variants["llama-2-13b-chat"].tuning
    assert all("flan" in c.variants[v].tuning for v in c.families["flan-t5"].variants)
    assert c.variants["mpt-7b-chat"].flavour == "chat"


def test_moe_models_state_active_parameters() -> None:
    for v in cat().variants.values():
        if v.active_params_b is not None:
            assert v.params_b is not None and v.active_params_b < v.params_b, v.id


def test_guide_sections_on_families_are_valid_ids() -> None:
    from llmpick.vocabulary import SECTION_IDS

    fams: list[Family] = list(cat().families.values())
    for f in fams:
        for g in f.guide:
            assert g in SECTION_IDS, (f.id, g)
