"""The schema of catalog files, validated with pydantic.

``FamilyIn``/``VariantIn`` describe a family file as written (variants may inherit
fields from their family); providers, licences and the nested records are the
dataclasses of ``records.py``, validated as they are. Everything is strict:
unknown keys are errors and every vocabulary is closed, so a typo in a catalog
file is reported rather than silently ignored. Only loaded when files must be
parsed (a cache miss) or a JSON Schema is asked for.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    model_validator,
)

from llmpick.catalog.records import (
    Access,
    ArchNumbers,
    Dataset,
    Evidence,
    License,
    NewestRelease,
    Pricing,
    Provider,
)
from llmpick.vocabulary import (
    ID_RE,
    ID_RULE,
    ID_WORD,
    SECTION_IDS,
    ApiStatus,
    Architecture,
    Capability,
    Domain,
    Flavour,
    Modality,
    ReasoningMode,
    Status,
    Tuning,
    WeightsFormat,
)


def _check_id(value: str) -> str:
    if not ID_RE.match(value):
        raise ValueError(f"{value!r} is not a valid id: {ID_RULE}")
    return value


SOURCE_RE = re.compile(rf"^(https?://\S+|{ID_WORD}:\S.*)$")


def _check_source(value: str) -> str:
    if SOURCE_RE.match(value) and not value.startswith(("file:", "shared/")):
        return value
    raise ValueError(
        "a source is a URL (https://...) or 'dataset:key' with a dataset declared in "
        "datasets.yaml (e.g. 'models.dev:labs.openai.gpt-4.1')"
    )


def _check_guide(value: str) -> str:
    if value not in SECTION_IDS:
        raise ValueError(f"{value!r} is not a guide section id ({', '.join(SECTION_IDS)})")
    return value


Id = Annotated[str, AfterValidator(_check_id)]
Source = Annotated[str, AfterValidator(_check_source)]
GuideId = Annotated[str, BeforeValidator(str), AfterValidator(_check_guide)]


class Strict(BaseModel):
    """Base for catalog records: unknown keys are errors, values are frozen. Every field
    states its description (``Field``): reading attribute docstrings from the source
    instead (``use_attribute_docstrings``) cost ~70 ms of every cold load, for none."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# --- family files -------------------------------------------------------------


class VariantFields(Strict):
    """Fields a family can set once for all its variants."""

    license: Id | None = Field(default=None, description="Licence id from licenses.yaml.")
    open_weights: bool | None = Field(default=None, description="Weights can be downloaded.")
    context_window: int | None = Field(default=None, gt=0, description="Context window, tokens.")
    capabilities: list[Capability] | None = Field(default=None, description="What it can do.")
    reasoning: ReasoningMode | None = Field(
        default=None,
        description="always: it reasons before every answer and the card offers no way to "
        "switch it off; switchable: thinking can be turned off; none: no thinking mode. "
        "Empty: the card does not say.",
    )
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
    released: dt.date | None = Field(
        default=None, description="Release date of this variant, when it differs from the family's."
    )
    moe: bool | None = Field(
        default=None, description="Mixture-of-experts, when it differs from the family's."
    )
    weights_format: WeightsFormat | None = Field(
        default=None,
        description="Number format of the published weights when not 16-bit (fp8, mxfp4, int4).",
    )
    api_status: ApiStatus | None = Field(
        default=None,
        description="Lifecycle of the provider's API for an open-weights model, when it "
        "differs from the weights' (an API shutdown leaves the weights downloadable).",
    )
    base_model: Id | None = Field(
        default=None, description="Variant id this one was tuned from, when in the catalog."
    )
    status: Status | None = Field(default=None, description="Overrides the family's status.")
    successor: Id | None = Field(default=None, description="Variant or family id that replaces it.")
    access: Access = Field(default_factory=Access, description="Where to get or call it.")
    arch: ArchNumbers | None = Field(default=None, description="Numbers for memory estimates.")
    pricing: Pricing | None = Field(default=None, description="API price per 1M tokens.")
    evidence: list[Evidence] = Field(default_factory=list, description="Public quality results.")
    languages: list[str] | None = Field(
        default=None,
        description="Overrides family languages; empty: not stated for this variant.",
    )
    modalities: list[Modality] | None = Field(
        default=None, description="Inputs, when they differ from the family's."
    )
    domain: Domain | None = Field(default=None, description="Overrides the family's domain.")
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
    modalities: list[Modality] = Field(
        default_factory=lambda: ["text"],  # type: ignore[arg-type]
        description="Inputs.",
    )
    languages: list[str] = Field(
        default_factory=list,
        description="ISO 639-1 codes of the languages it is documented for; empty: not stated.",
    )
    domain: Domain = Field(default="general", description="What it was made for.")
    status: Status = Field(description="active, legacy, deprecated or retired.")
    successor: Id | None = Field(default=None, description="Family id that replaces it.")
    description: str = Field(min_length=1, description="A short description in our words.")
    guide: list[GuideId] = Field(default_factory=list, description="Guide sections naming it.")
    aliases: list[str] = Field(default_factory=list, description="Other names users type.")
    variants: dict[Id, VariantIn] = Field(min_length=1, description="Variants by id.")
    newest_release: NewestRelease | None = Field(
        default=None,
        description="The maker's newest release in this line, with the date it was checked.",
    )


PROVIDER: TypeAdapter[Provider] = TypeAdapter(Provider)
DATASET: TypeAdapter[Dataset] = TypeAdapter(Dataset)
LICENSE: TypeAdapter[License] = TypeAdapter(License)
RESULTS: TypeAdapter[list[Evidence]] = TypeAdapter(list[Evidence])
"""The results of one variant in an evidence file (catalog/evidence/<dataset>.yaml)."""
