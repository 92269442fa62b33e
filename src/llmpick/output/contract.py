"""pydantic models of the documents llmpick writes, for `llmpick schema` and for tests.

``build.py`` builds the documents as plain data (fast, no pydantic at run time);
these models describe them, generate the JSON Schema, and a test validates every
produced document against them so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter

from llmpick.engine.requirements import Requirements
from llmpick.vocabulary import (
    Architecture,
    Capability,
    CommercialUse,
    Flavour,
    Precision,
    Status,
    Tuning,
    WeightsFormat,
)


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class Cited(_Doc):
    text: str
    """The reason in words."""
    guide: str
    """Guide section id it rests on; `llmpick guide ID` shows it."""
    weight: float | None = None
    """How much it moved the score (reasons only)."""
    rule: str = ""
    """The scoring rule that gave it (`llmpick why` shows every rule's points)."""


class LicenseRef(_Doc):
    id: str
    name: str
    commercial_use: CommercialUse
    condition: str | None


class PricingDoc(_Doc):
    input_per_1m: float
    """USD per 1M input tokens."""
    output_per_1m: float
    """USD per 1M output tokens."""
    blended_per_1m: float
    """USD per 1M tokens at 3 input : 1 output."""
    tier: str = "list price"
    """The tier the three prices above are at: the list price, the long-prompt tier the
    required context reaches, the batch rate (--batch) or a share of cached input."""
    list_input_per_1m: float | None = None
    """The list price per 1M input tokens."""
    list_output_per_1m: float | None = None
    """The list price per 1M output tokens."""
    as_of: str
    source: str
    tiers_source: str | None = None
    """Where the long-prompt, batch and cached prices come from (dataset:key)."""


class MemoryDoc(_Doc):
    weights_gb: float
    kv_cache_gb: float
    overhead_gb: float
    context_tokens: int


class PlacementDoc(_Doc):
    hardware: Literal["gpu", "gpus", "unified", "cpu"]
    split: str
    """'one device', 'tensor parallel', 'layer split', 'unified memory' or 'CPU only'."""
    devices_gb: list[float]
    """The memory budget of each device (unified memory: the GPU's share)."""
    per_device_gb: list[float]
    """The estimate on each device: its share of weights and cache, plus its overhead."""
    why: str | None
    """Why a layer split was assumed on equal cards (the heads do not divide)."""
    notes: list[str]


class SpeedDoc(_Doc):
    tokens_per_s: float
    """Decoding tokens per second: measured on your server by `llmpick eval` (recommend
    --evidence), or else bandwidth over the bytes read per token (an estimate)."""
    estimated: bool
    """False when measured."""
    source: Literal["estimate", "measured"]
    device: str
    """The device the estimate is for; empty when measured."""
    bandwidth_gbs: float | None
    """null when measured."""
    read_per_token_gb: float | None
    """null when measured."""
    assumption: str
    """How the figure was made (the estimate's assumption, or the results file timed)."""


class RunLine(_Doc):
    tool: str
    command: str
    guide: str
    note: str


class OllamaWay(_Doc):
    command: str
    guide: str


class TransformersWay(_Doc):
    repo: str
    guide: str


class ApiWay(_Doc):
    model: str
    provider: str
    guide: str


class PlatformsWay(_Doc):
    ids: dict[str, str]
    """Cloud platform -> the model's id there."""
    guide: str


class HowToLoad(_Doc):
    """Each way the catalog knows to run it; a way it lacks is left out."""

    ollama: OllamaWay | None = None
    transformers: TransformersWay | None = None
    api: ApiWay | None = None
    platforms: PlatformsWay | None = None


class Capped(_Doc):
    asked: int
    """The output budget the task would allow."""
    holds: int
    """The tokens the memory estimate holds, prompt and output."""


class DecodingDoc(_Doc):
    strategy: str
    guide: str
    why: str
    generation_config: dict[str, Any] | None = None
    """Hugging Face GenerationConfig keys (open weights only)."""
    api: dict[str, Any]
    """OpenAI-style API parameters."""
    capped: Capped | None = None
    """Set when max_new_tokens was cut to half the context the memory estimate holds."""


class StructuredOutputDoc(_Doc):
    native: Literal["yes", "no"]
    """Whether it gives JSON or schema-constrained output natively."""
    how: str


class MonthlyCost(_Doc):
    usd: float
    tokens_in: int
    tokens_out: int
    tier: str
    """The price tier: list price, a long-prompt tier, the batch rate or cached input."""
    prices_as_of: str
    source: str


class Candidate(_Doc):
    also: list[str] = []
    """Variants of the same base model (other post-training or modality) in this slot."""
    rank: int | None
    """Place in the ranking (None for a model that did not pass)."""
    id: str
    name: str
    family: str
    family_name: str
    provider: str
    provider_name: str
    flavour: Flavour
    tuning: list[Tuning]
    architecture: Architecture
    moe: bool
    open_weights: bool
    license: LicenseRef
    params_b: float | None
    """Total parameters in billions; null when not published."""
    active_params_b: float | None
    context_window: int | None
    status: Status
    successor: str | None
    domain: str
    capabilities: list[Capability]
    score: float
    """0-100; how well it fits, from the reasons' weights."""
    reasons: list[Cited]
    caveats: list[Cited]
    hf_repo: str | None
    ollama: str | None
    api: str | None
    platforms: dict[str, str]
    pricing: PricingDoc | None
    sources: list[str]
    verified: str
    how_to_load: HowToLoad
    """Ways to run it: ollama command, Hugging Face repo, API model id, cloud ids (§5.1-5.3)."""
    decoding: DecodingDoc | None
    """Suggested decoding for the task: strategy, why, Hugging Face GenerationConfig keys and
    OpenAI-style API keys (§6.1-6.4); null for embedding and encoder models."""
    structured_output: StructuredOutputDoc | None
    """When the task or --needs asks for JSON: whether it gives JSON or schema-constrained
    output natively, and otherwise how (§8)."""
    monthly_cost: MonthlyCost | None
    """USD per month at the catalog's prices for --tokens-per-month (API models)."""
    quantization: Precision | None = None
    """Precision the memory estimate is made at (when a GPU budget or quantization is given)."""
    memory_gb: float | None = None
    """Estimated GPU memory at that precision and context."""
    memory: MemoryDoc | None = None
    placement: PlacementDoc | None = None
    """Where the estimate sits on the hardware given (--gpus, --unified-memory, --ram)."""
    speed: SpeedDoc | None = None
    """Decoding speed: measured on your server (--evidence), else estimated on the hardware
    given; null when neither is known (no timed answers, the device's bandwidth unknown)."""
    run: list[RunLine] | None = None
    """Commands that run it the way the answer sized it (vLLM, llama.cpp, MLX, Ollama)."""


class ExclusionReason(_Doc):
    constraint: str
    text: str
    guide: str


class Excluded(_Doc):
    id: str
    name: str
    reasons: list[ExclusionReason]


class ExcludedSummary(_Doc):
    total: int
    by_constraint: dict[str, int]
    """How many models each constraint removed (a model can fail several)."""
    models: list[Excluded]
    """Spelled-out reasons for models named with `why`."""
    duplicates: dict[str, str]
    """Snapshots and repacks left out in favour of the same model (id -> kept id)."""


class RefreshDoc(_Doc):
    fetched: str
    """When the public tables were read (`llmpick catalog refresh`)."""
    sources: list[str]
    """The datasets read: litellm, models.dev."""
    changed_models: int
    """Catalog models with a price, limit or lifecycle fact from the refresh layer."""
    unreviewed_models: int
    """API models added from the tables, not reviewed (each says so in a caveat)."""


class CatalogInfo(_Doc):
    version: str
    verified: str | None
    families: int
    variants: int
    overlays: list[str]
    refresh: RefreshDoc | None = None
    """The refresh layer in force, if any (`--no-refresh` ignores it)."""
    warning: str | None = None
    """Set when the newest data is older than 90 days."""


class Blocking(_Doc):
    constraint: str
    excluded: int


class RelaxationDoc(_Doc):
    constraints: list[str]
    """The requirement fields it changes (one, or a named pair)."""
    suggestion: str
    """The change, as options to pass."""
    returns: int
    """How many models the engine returns with that change (counted by running it)."""
    top: list[str] = []
    """The first models it would return."""


class RulePoints(_Doc):
    rule: str
    points: float


class Shortlist(_Doc):
    """The document `llmpick recommend --json` prints and `--export x.json` writes."""

    schema_version: Literal["1.0"]
    generated_by: str
    requirements: dict[str, Any]
    """The requirements, resolved: every field, with its default where not given."""
    catalog: CatalogInfo
    considered: int
    passed: int
    candidates: list[Candidate]
    excluded: ExcludedSummary
    blocking: list[Blocking]
    """When nothing passes: the constraints that removed the most models."""
    relaxations: list[RelaxationDoc]
    """When nothing passes: the smallest changes that return models."""


class Verdict(Candidate):
    """The document `llmpick why MODEL --json` prints."""

    passed: bool
    exclusions: list[ExclusionReason]
    duplicate_of: str | None
    of: int
    requirements: dict[str, Any]
    rules: list[RulePoints]
    """Every scoring rule's points for this model (the score is 50 plus their sum, 0-100)."""
    benchmarks: list[str]
    """The published results that measure this job, most telling first."""


class FitEstimate(_Doc):
    quantization: Precision
    as_released: bool
    """The precision the weights are published in."""
    bits_per_weight: float
    weights_gb: float
    kv_cache_gb: float
    overhead_gb: float
    total_gb: float
    range_gb: list[float]
    """Low and high totals: the measured spread of size-based cache estimates."""
    fits: bool | None
    """Whether it fits the GPU memory or hardware given (on every device, as laid out);
    null when none was given."""
    per_device_gb: list[float] | None = None
    """With --gpus, --unified-memory or --ram: the memory on each device as laid out
    (several GPUs: each has its own overhead)."""


class FitHardware(_Doc):
    """The hardware `fit` checked against (--gpus, --unified-memory, --ram)."""

    kind: Literal["gpu", "gpus", "unified", "cpu"]
    said: str
    devices_gb: list[float]
    """The budget of each device (a Mac: the GPU's share; RAM: less what the system keeps)."""
    split: str | None
    """The split it assumed: tensor parallel, layer split, one device, unified memory, CPU
    only."""
    why: str | None
    """Why not tensor parallel, when the devices are equal."""


class Origin(_Doc):
    """Where a model outside the catalog was read from."""

    kind: Literal["huggingface", "folder"]
    location: str
    """The repository's address on the Hub, or the folder as given."""
    files: list[str]
    """What its numbers were read from."""


class Fit(_Doc):
    """The document `llmpick fit MODEL --json` prints."""

    id: str
    name: str
    params_b: float
    active_params_b: float | None
    architecture: Architecture
    arch: dict[str, int | str | None] | None
    """The architecture numbers the estimate used, when the catalog has them."""
    context_tokens: int
    context_window: int | None
    gpu_memory_gb: float | None
    hardware: FitHardware | None = None
    """With --gpus, --unified-memory or --ram: the hardware and the split assumed."""
    estimates: list[FitEstimate]
    weights_format: WeightsFormat | None
    method: str | None
    """What the KV cache was computed from: architecture numbers or the parameter count."""
    origin: Origin | None
    """A Hugging Face repository or local folder that is not in the catalog; null for a
    catalog model."""
    notes: list[str]
    guide: list[str]


def requirements_schema() -> dict[str, Any]:
    schema: dict[str, Any] = TypeAdapter(Requirements).json_schema()
    schema["title"] = "llmpick requirements"
    return schema


def shortlist_schema() -> dict[str, Any]:
    schema = Shortlist.model_json_schema()
    req = requirements_schema()
    schema.setdefault("$defs", {})["Requirements"] = req
    schema["properties"]["requirements"] = {"$ref": "#/$defs/Requirements"}
    return schema


def catalog_schema() -> dict[str, Any]:
    from llmpick.catalog.fileformat import FamilyIn
    from llmpick.catalog.records import Dataset, License, Provider

    replaces = {
        "type": "boolean",
        "description": "In an overlay: this entry deliberately replaces the bundled entry "
        "with the same id (without it, a clash is an error).",
    }

    def entry(schema: dict[str, Any]) -> dict[str, Any]:
        schema.setdefault("properties", {})["replaces"] = replaces
        return schema

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "llmpick catalog files",
        "description": "providers.yaml, licenses.yaml and datasets.yaml map ids to entries; "
        "each families/<provider>/<id>.yaml file is one family.",
        "type": "object",
        "properties": {
            "providers.yaml": {
                "type": "object",
                "additionalProperties": entry(TypeAdapter(Provider).json_schema()),
            },
            "licenses.yaml": {
                "type": "object",
                "additionalProperties": entry(TypeAdapter(License).json_schema()),
            },
            "datasets.yaml": {
                "type": "object",
                "additionalProperties": entry(TypeAdapter(Dataset).json_schema()),
            },
            "family file": entry(FamilyIn.model_json_schema()),
        },
    }


def cases_schema() -> dict[str, Any]:
    from llmpick.evaluation.cases import Case

    case = Case.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "llmpick eval cases",
        "description": "A YAML list of cases, or JSON Lines with one case a line "
        "(each line valid against items).",
        "type": "array",
        "items": {"$ref": "#/$defs/Case"},
        "$defs": {**case.pop("$defs", {}), "Case": case},
    }


def targets_schema() -> dict[str, Any]:
    from llmpick.evaluation.targets import TargetsFile

    schema = TargetsFile.model_json_schema()
    schema["title"] = "llmpick eval targets"
    return schema


SCHEMAS = {
    "shortlist": shortlist_schema,
    "requirements": requirements_schema,
    "catalog": catalog_schema,
    "cases": cases_schema,
    "targets": targets_schema,
}
