"""The documents of ``contract.py`` as TypedDicts, so that mypy checks the code that
reads them (the renderers) without pydantic on the command's path.

``build.py`` makes the documents as plain data and a test validates each against the
pydantic models; ``tests/unit/test_contract_types.py`` checks that every model here
has the same keys, the same value types and the same required keys as its namesake
there, so the two cannot drift. A field with a default in the model may be absent
from a document, so its key is ``NotRequired`` here.

Readers import this module only under ``TYPE_CHECKING``: it costs ``recommend``
nothing at run time. (No ``from __future__ import annotations`` here: under Python
3.11 a TypedDict sees ``NotRequired`` only in a real annotation, not in a string.)
"""

from typing import Any, Literal, NotRequired, TypedDict

from llmpick.vocabulary import (
    AccessKind,
    Alignment,
    Architecture,
    Capability,
    CommercialUse,
    Domain,
    Flavour,
    Hosting,
    Need,
    Platform,
    Precision,
    Prefer,
    Quantization,
    Status,
    Task,
    Tuning,
    WeightsFormat,
)


class Cited(TypedDict):
    text: str
    guide: str
    weight: NotRequired[float | None]
    rule: NotRequired[str]


class LicenseRef(TypedDict):
    id: str
    name: str
    commercial_use: CommercialUse
    condition: str | None


class PricingDoc(TypedDict):
    input_per_1m: float
    output_per_1m: float
    blended_per_1m: float
    tier: NotRequired[str]
    list_input_per_1m: NotRequired[float | None]
    list_output_per_1m: NotRequired[float | None]
    as_of: str
    source: str
    tiers_source: NotRequired[str | None]


class MemoryDoc(TypedDict):
    weights_gb: float
    kv_cache_gb: float
    overhead_gb: float
    context_tokens: int


class PlacementDoc(TypedDict):
    hardware: Literal["gpu", "gpus", "unified", "cpu"]
    split: str
    devices_gb: list[float]
    per_device_gb: list[float]
    why: str | None
    notes: list[str]


class SpeedDoc(TypedDict):
    tokens_per_s: float
    estimated: bool
    source: Literal["estimate", "measured"]
    device: str
    bandwidth_gbs: float | None
    read_per_token_gb: float | None
    assumption: str


class RunLine(TypedDict):
    tool: str
    command: str
    guide: str
    note: str


class OllamaWay(TypedDict):
    command: str
    guide: str


class TransformersWay(TypedDict):
    repo: str
    guide: str


class ApiWay(TypedDict):
    model: str
    provider: str
    guide: str


class PlatformsWay(TypedDict):
    ids: dict[str, str]
    guide: str


class HowToLoad(TypedDict):
    ollama: NotRequired[OllamaWay | None]
    transformers: NotRequired[TransformersWay | None]
    api: NotRequired[ApiWay | None]
    platforms: NotRequired[PlatformsWay | None]


class Capped(TypedDict):
    asked: int
    holds: int


class DecodingDoc(TypedDict):
    strategy: str
    guide: str
    why: str
    generation_config: NotRequired[dict[str, Any] | None]
    api: dict[str, Any]
    capped: NotRequired[Capped | None]


class StructuredOutputDoc(TypedDict):
    native: Literal["yes", "no"]
    how: str


class MonthlyCost(TypedDict):
    usd: float
    tokens_in: int
    tokens_out: int
    tier: str
    prices_as_of: str
    source: str


class Candidate(TypedDict):
    also: NotRequired[list[str]]
    rank: int | None
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
    active_params_b: float | None
    context_window: int | None
    status: Status
    successor: str | None
    domain: str
    capabilities: list[Capability]
    score: float
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
    decoding: DecodingDoc | None
    structured_output: StructuredOutputDoc | None
    monthly_cost: MonthlyCost | None
    quantization: NotRequired[Precision | None]
    memory_gb: NotRequired[float | None]
    memory: NotRequired[MemoryDoc | None]
    placement: NotRequired[PlacementDoc | None]
    speed: NotRequired[SpeedDoc | None]
    run: NotRequired[list[RunLine] | None]


class ExclusionReason(TypedDict):
    constraint: str
    text: str
    guide: str


class Excluded(TypedDict):
    id: str
    name: str
    reasons: list[ExclusionReason]


class ExcludedSummary(TypedDict):
    total: int
    by_constraint: dict[str, int]
    models: list[Excluded]
    duplicates: dict[str, str]


class RefreshDoc(TypedDict):
    fetched: str
    sources: list[str]
    changed_models: int
    unreviewed_models: int


class CatalogInfo(TypedDict):
    version: str
    verified: str | None
    families: int
    variants: int
    overlays: list[str]
    refresh: NotRequired[RefreshDoc | None]
    warning: NotRequired[str | None]


class Blocking(TypedDict):
    constraint: str
    excluded: int


class RelaxationDoc(TypedDict):
    constraints: list[str]
    suggestion: str
    returns: int
    top: NotRequired[list[str]]


class RulePoints(TypedDict):
    rule: str
    points: float


class RequirementsDoc(TypedDict):
    """The requirements, resolved (``Requirements.to_data()``: every field, with its
    default where not given). The pydantic models keep ``dict[str, Any]`` here, and the
    shortlist's JSON Schema puts the ``Requirements`` schema in its place; the test
    checks this against the ``Requirements`` dataclass field by field."""

    task: Task | None
    access: AccessKind
    hosting: Hosting
    platform: Platform | None
    gpu_memory: float | None
    quantization: Quantization
    max_params: float | None
    min_context: int | None
    commercial: bool
    license: list[str]
    flavour: Flavour | None
    fine_tune: bool
    alignment: Alignment
    domain: Domain | None
    language: str | None
    needs: list[Need]
    max_price: float | None
    include_legacy: bool
    tokens_per_month: tuple[int, int] | None
    batch: bool
    cached_share: float | None
    prefer: Prefer
    gpus: list[float]
    unified_memory: float | None
    ram: float | None
    device: str | None
    min_speed: float | None
    resolved: list[str]


class Shortlist(TypedDict):
    schema_version: Literal["1.0"]
    generated_by: str
    requirements: RequirementsDoc
    catalog: CatalogInfo
    considered: int
    passed: int
    candidates: list[Candidate]
    excluded: ExcludedSummary
    blocking: list[Blocking]
    relaxations: list[RelaxationDoc]


class Verdict(Candidate):
    passed: bool
    exclusions: list[ExclusionReason]
    duplicate_of: str | None
    of: int
    requirements: RequirementsDoc
    rules: list[RulePoints]
    benchmarks: list[str]


class FitEstimate(TypedDict):
    quantization: Precision
    as_released: bool
    bits_per_weight: float
    weights_gb: float
    kv_cache_gb: float
    overhead_gb: float
    total_gb: float
    range_gb: list[float]
    fits: bool | None
    per_device_gb: NotRequired[list[float] | None]


class FitHardware(TypedDict):
    kind: Literal["gpu", "gpus", "unified", "cpu"]
    said: str
    devices_gb: list[float]
    split: str | None
    why: str | None


class Origin(TypedDict):
    kind: Literal["huggingface", "folder"]
    location: str
    files: list[str]


class Fit(TypedDict):
    id: str
    name: str
    params_b: float
    active_params_b: float | None
    architecture: Architecture
    arch: dict[str, int | str | None] | None
    context_tokens: int
    context_window: int | None
    gpu_memory_gb: float | None
    hardware: NotRequired[FitHardware | None]
    estimates: list[FitEstimate]
    weights_format: WeightsFormat | None
    method: str | None
    origin: Origin | None
    notes: list[str]
    guide: list[str]
