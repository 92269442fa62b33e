"""The catalog schema: providers, licences, model families and their variants.

The same pydantic models validate the YAML files under ``catalog/``, an
organisation's overlays, and the cached catalog. They are strict: unknown keys
are errors and every vocabulary is closed, so a typo in a catalog file is
reported rather than silently ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

# --- closed vocabularies -----------------------------------------------------

ProviderKind = Literal["proprietary", "open-source-company", "community", "academia-government"]
PROVIDER_KINDS: tuple[str, ...] = (
    "proprietary",
    "open-source-company",
    "community",
    "academia-government",
)
Channel = Literal["api", "open-weights", "bedrock", "sagemaker", "vertex", "azure"]
Platform = Literal["bedrock", "sagemaker", "vertex", "azure"]
PLATFORMS: tuple[str, ...] = ("bedrock", "sagemaker", "vertex", "azure")
CommercialUse = Literal["yes", "conditional", "no"]
Architecture = Literal["decoder-only", "encoder-only", "encoder-decoder"]
Status = Literal["active", "legacy", "deprecated", "retired"]
STATUSES: tuple[str, ...] = ("active", "legacy", "deprecated", "retired")
Flavour = Literal["base", "instruct", "chat", "embedding"]
FLAVOURS: tuple[str, ...] = ("base", "instruct", "chat", "embedding")
Tuning = Literal[
    "pretrain",  # next-token or denoising pre-training only (a base model)
    "sft",  # supervised fine-tuning on input-output pairs (§2.4)
    "flan",  # instruction-tuned on the FLAN collection (§2.7)
    "rlhf",  # reinforcement learning from human feedback (§2.5, 2.10)
    "rlaif",  # reinforcement learning from AI feedback / constitutional AI (2.11)
    "dpo",  # direct preference optimisation and its relatives
    "safety",  # trained on safety data / alignment-tuned (2.9)
    "rl-reasoning",  # reinforcement learning for step-by-step reasoning
    "distilled",  # trained to imitate a larger model
    "domain-pretraining",  # continued or from-scratch pre-training on one domain (2.16)
    "contrastive",  # contrastive training for sentence embeddings
    "task-finetune",  # fine-tuned for one task (classification, summarisation, ...)
    "undisclosed",  # the provider does not say
]
Capability = Literal[
    "tools", "structured-output", "vision", "reasoning", "fill-in-the-middle", "audio"
]
CAPABILITIES: tuple[str, ...] = (
    "tools",
    "structured-output",
    "vision",
    "reasoning",
    "fill-in-the-middle",
    "audio",
)
Domain = Literal[
    "general", "code", "biomedical", "science", "math", "finance", "legal", "safety", "dialogue"
]
DOMAINS: tuple[str, ...] = (
    "general",
    "code",
    "biomedical",
    "science",
    "math",
    "finance",
    "legal",
    "safety",
    "dialogue",
)
Modality = Literal["text", "image", "audio", "video", "pdf"]

ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
GUIDE_ID_RE = re.compile(r"^(1\.[1-5]|2\.([1-9]|1[0-6])|3|4\.[12]|5\.[1-3]|6\.[1-4]|7|8|9)$")


def _check_id(value: str) -> str:
    if not ID_RE.match(value):
        raise ValueError(
            f"{value!r} is not a valid id: use lower-case letters, digits, '.', '_' and '-'"
        )
    return value


def _check_source(value: str) -> str:
    if value.startswith(("https://", "http://", "shared/data/")):
        return value
    raise ValueError(
        "a source is a URL (https://...) or a snapshot reference "
        "('shared/data/<file>: <key>')"
    )


def _check_guide(value: str) -> str:
    if not GUIDE_ID_RE.match(value):
        raise ValueError(f"{value!r} is not a guide section id (1.1-1.5, 2.1-2.16, 3, 4.1 ... 9)")
    return value


def _yaml_bool_to_word(value: Any) -> Any:
    # YAML 1.1 reads a bare `yes`/`no` as a boolean; accept that spelling.
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


Id = Annotated[str, AfterValidator(_check_id)]
Source = Annotated[str, AfterValidator(_check_source)]
GuideId = Annotated[str, BeforeValidator(str), AfterValidator(_check_guide)]


class Strict(BaseModel):
    """Base for catalog records: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- providers and licences --------------------------------------------------


class Provider(Strict):
    id: Id = Field(description="Provider id, the key in providers.yaml.")
    name: str = Field(description="Display name, e.g. 'Meta'.")
    kinds: list[ProviderKind] = Field(
        min_length=1, description="Kinds of provider from guide §1.1; a company can be several."
    )
    channels: list[Channel] = Field(
        default_factory=list,
        description="How it sells access: its own API, open weights, cloud partners.",
    )
    homepage: str | None = Field(default=None, description="Home page URL.")
    description: str = Field(default="", description="One or two sentences in our words.")
    guide: list[GuideId] = Field(
        default_factory=list, description="Guide sections that name this provider."
    )


class License(Strict):
    id: Id = Field(description="Licence id (lower-case SPDX id where one exists).")
    name: str = Field(description="Full name of the licence or terms.")
    spdx: str | None = Field(default=None, description="SPDX identifier, if any.")
    url: str | None = Field(default=None, description="Where the text lives.")
    commercial_use: Annotated[CommercialUse, BeforeValidator(_yaml_bool_to_word)] = Field(
        description="Whether commercial use is allowed: yes, conditional or no."
    )
    condition: str | None = Field(
        default=None, description="The condition or restriction, in words."
    )
    osi_approved: bool = Field(default=False, description="Approved by the OSI.")
    proprietary: bool = Field(
        default=False, description="Provider terms of service for an API, not a weights licence."
    )

    @model_validator(mode="after")
    def _condition_when_conditional(self) -> License:
        if self.commercial_use != "yes" and not self.condition:
            raise ValueError(
                "a licence whose commercial_use is 'conditional' or 'no' must state the "
                "condition in words"
            )
        return self


# --- variants and families ---------------------------------------------------


class ArchNumbers(Strict):
    layers: int | None = Field(default=None, gt=0, description="Transformer layers.")
    hidden_size: int | None = Field(default=None, gt=0, description="Model dimension.")
    attention_heads: int | None = Field(default=None, gt=0, description="Query heads.")
    kv_heads: int | None = Field(
        default=None, gt=0, description="Key-value heads (fewer than query heads under GQA/MQA)."
    )
    head_dim: int | None = Field(default=None, gt=0, description="Dimension of one head.")
    sliding_window: int | None = Field(
        default=None, gt=0, description="Sliding-window size in tokens, where local attention is used."
    )
    full_attention_layers: int | None = Field(
        default=None,
        ge=0,
        description="Layers with full attention when the others use the sliding window.",
    )
    experts: int | None = Field(default=None, gt=0, description="Experts per MoE layer.")
    active_experts: int | None = Field(default=None, gt=0, description="Experts used per token.")


class Pricing(Strict):
    input: float = Field(ge=0, description="USD per 1M input tokens.")
    output: float = Field(ge=0, description="USD per 1M output tokens.")
    as_of: dt.date = Field(description="When the price was read.")
    source: Source = Field(description="Where the price comes from.")


class Evidence(Strict):
    benchmark: str = Field(description="Benchmark or index name.")
    score: float = Field(description="The published score.")
    metric: str | None = Field(default=None, description="What the score measures.")
    source: Source = Field(description="Where the score is published.")
    date: dt.date | None = Field(default=None, description="Date of the result.")


class Access(Strict):
    hf_repo: str | None = Field(default=None, description="Hugging Face repo id, e.g. 'org/name'.")
    ollama: str | None = Field(default=None, description="Official Ollama tag, e.g. 'llama3.1:8b'.")
    api: str | None = Field(default=None, description="The provider's own API model id.")
    platforms: dict[Platform, str] = Field(
        default_factory=dict,
        description="Model id on a cloud platform: bedrock, sagemaker, vertex, azure.",
    )


class VariantFields(Strict):
    """Fields a family can set once for all its variants."""

    license: Id | None = Field(default=None, description="Licence id from licenses.yaml.")
    open_weights: bool | None = Field(default=None, description="Weights can be downloaded.")
    context_window: int | None = Field(default=None, gt=0, description="Context window, tokens.")
    capabilities: list[Capability] | None = Field(default=None, description="What it can do.")
    sources: list[Source] = Field(default_factory=list, description="Where facts come from.")
    verified: dt.date | None = Field(default=None, description="Date the facts were checked.")


class VariantIn(VariantFields):
    """A variant as written in a family file (may inherit from the family)."""

    name: str = Field(description="Display name, e.g. 'Llama-2-13b-chat'.")
    flavour: Flavour = Field(description="base, instruct, chat or embedding (§2.2-2.6).")
    tuning: list[Tuning] = Field(
        default_factory=list, description="How it was augmented from its base (§2.3-2.5)."
    )
    params_b: float | None = Field(
        default=None, gt=0, description="Total parameters in billions; empty when undisclosed."
    )
    active_params_b: float | None = Field(
        default=None, gt=0, description="Parameters active per token (mixture-of-experts)."
    )
    max_output: int | None = Field(default=None, gt=0, description="Maximum output tokens.")
    base_model: Id | None = Field(
        default=None, description="Variant id this one was tuned from, when in the catalog."
    )
    status: Status | None = Field(default=None, description="Overrides the family's status.")
    successor: Id | None = Field(default=None, description="Variant or family id that replaces it.")
    access: Access = Field(default_factory=Access, description="Where to get or call it.")
    arch: ArchNumbers | None = Field(default=None, description="Numbers for memory estimates.")
    pricing: Pricing | None = Field(default=None, description="API price per 1M tokens.")
    evidence: list[Evidence] = Field(default_factory=list, description="Public quality results.")
    languages: list[str] | None = Field(default=None, description="Overrides family languages.")
    notes: str | None = Field(default=None, description="Anything a user should know, our words.")

    @model_validator(mode="after")
    def _active_not_above_total(self) -> VariantIn:
        if (
            self.params_b is not None
            and self.active_params_b is not None
            and self.active_params_b > self.params_b
        ):
            raise ValueError("active_params_b cannot exceed params_b")
        return self


class FamilyIn(VariantFields):
    """A family file as written under catalog/families/<provider>/<id>.yaml."""

    name: str = Field(description="Display name, e.g. 'Llama 2'.")
    provider: Id = Field(description="Provider id from providers.yaml.")
    released: dt.date | None = Field(default=None, description="First release date.")
    architecture: Architecture = Field(description="decoder-only, encoder-only, encoder-decoder.")
    moe: bool = Field(default=False, description="Mixture-of-experts rather than dense.")
    modalities: list[Modality] = Field(default_factory=lambda: ["text"], description="Inputs.")
    languages: list[str] = Field(default_factory=lambda: ["en"], description="Language codes.")
    domain: Domain = Field(default="general", description="What it was made for.")
    status: Status = Field(description="active, legacy, deprecated or retired.")
    successor: Id | None = Field(default=None, description="Family id that replaces it.")
    description: str = Field(min_length=1, description="A short description in our words.")
    guide: list[GuideId] = Field(default_factory=list, description="Guide sections naming it.")
    aliases: list[str] = Field(default_factory=list, description="Other names users type.")
    variants: dict[Id, VariantIn] = Field(min_length=1, description="Variants by id.")


class Variant(Strict):
    """A concrete model, fully resolved (family defaults applied)."""

    id: str
    family: str
    provider: str
    name: str
    flavour: Flavour
    tuning: list[Tuning]
    architecture: Architecture
    moe: bool
    params_b: float | None
    active_params_b: float | None
    context_window: int | None
    max_output: int | None
    open_weights: bool
    license: str
    status: Status
    successor: str | None
    base_model: str | None
    domain: Domain
    modalities: list[Modality]
    languages: list[str]
    capabilities: list[Capability]
    access: Access
    arch: ArchNumbers | None
    pricing: Pricing | None
    evidence: list[Evidence]
    released: dt.date | None
    sources: list[str]
    verified: dt.date
    notes: str | None


class Family(Strict):
    id: str
    name: str
    provider: str
    released: dt.date | None
    architecture: Architecture
    moe: bool
    modalities: list[Modality]
    languages: list[str]
    domain: Domain
    status: Status
    successor: str | None
    description: str
    guide: list[str]
    aliases: list[str]
    sources: list[str]
    variants: list[str]
    file: str = Field(description="The file it was read from.")


class Catalog(BaseModel):
    """The whole validated catalog."""

    model_config = ConfigDict(extra="forbid")

    version: str = Field(description="Content hash of the catalog files.")
    providers: dict[str, Provider]
    licenses: dict[str, License]
    families: dict[str, Family]
    variants: dict[str, Variant]
    newest_verified: dt.date | None = None
