"""The catalog's records as plain, frozen dataclasses.

These are what the engine and the commands work with. They import nothing heavy,
so a run served from the cache never pays for pydantic's model machinery; the
same classes are validated by pydantic when catalog files are read (see
``fileformat.py``), with unknown keys forbidden and field descriptions taken from
the attribute docstrings below. Their vocabularies are those of ``vocabulary.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter
from typing import Any

from llmpick.vocabulary import (
    ApiStatus,
    Architecture,
    Capability,
    Channel,
    CommercialUse,
    Domain,
    Flavour,
    Modality,
    Platform,
    ProviderKind,
    ReasoningMode,
    Status,
    Tuning,
    WeightsFormat,
)

# pydantic reads this when it validates the dataclasses (no pydantic import needed here)
_STRICT: dict[str, Any] = {
    "extra": "forbid",
    "use_attribute_docstrings": True,
    "allow_inf_nan": False,  # .inf or .nan in YAML would make invalid JSON output
}


@dataclass(slots=True, eq=False, repr=False)
class Provider:
    __pydantic_config__ = _STRICT

    id: str
    """Provider id (the key in providers.yaml)."""
    name: str
    """Display name, e.g. 'Meta'."""
    kinds: list[ProviderKind]
    """Kinds of provider from guide §1.1; a company can be several."""
    channels: list[Channel] = field(default_factory=list)
    """How it sells access: its own API, open weights, cloud partners."""
    homepage: str | None = None
    """Home page URL."""
    description: str = ""
    """One or two sentences in our words."""
    guide: list[str] = field(default_factory=list)
    """Guide sections that name this provider."""

    def __post_init__(self) -> None:
        if not self.kinds:
            raise ValueError("kinds: name at least one kind of provider (guide §1.1)")


@dataclass(slots=True, eq=False, repr=False)
class License:
    __pydantic_config__ = _STRICT

    id: str
    """Licence id (lower-case SPDX id where one exists)."""
    name: str
    """Full name of the licence or terms."""
    commercial_use: CommercialUse
    """Whether commercial use is allowed: yes, conditional or no."""
    spdx: str | None = None
    """SPDX identifier, if any."""
    url: str | None = None
    """Where the text lives."""
    condition: str | None = None
    """The condition or restriction, in words."""
    osi_approved: bool = False
    """Approved by the Open Source Initiative."""
    proprietary: bool = False
    """Provider terms of service for an API, not a weights licence."""

    def __post_init__(self) -> None:
        if self.commercial_use != "yes" and not self.condition:
            raise ValueError(
                "a licence whose commercial_use is 'conditional' or 'no' must state the "
                "condition in words"
            )


@dataclass(slots=True, eq=False, repr=False)
class Dataset:
    __pydantic_config__ = _STRICT

    id: str
    """Dataset id, the prefix of a citation such as 'models.dev:labs.openai.gpt-4.1'."""
    name: str
    """What the dataset is."""
    url: str
    """Public URL of the file the snapshot was taken from."""
    snapshot: str
    """Date of the snapshot (YYYY-MM-DD, or YYYY-MM for the newest entries in it)."""
    license: str
    """Licence id (in licenses.yaml) the data is published under."""
    repository: str | None = None
    """Where the dataset is maintained."""
    key: str | None = None
    """How a citation's key locates an entry."""


@dataclass(slots=True, eq=False, repr=False)
class Access:
    __pydantic_config__ = _STRICT

    hf_repo: str | None = None
    """Hugging Face repo id, e.g. 'meta-llama/Llama-2-7b-hf'."""
    ollama: str | None = None
    """Official Ollama library tag, e.g. 'llama3.1:8b'."""
    api: str | None = None
    """The provider's own API model id."""
    platforms: dict[Platform, str] = field(default_factory=dict)
    """Model id on a cloud platform: bedrock, sagemaker, vertex, azure."""


@dataclass(slots=True, eq=False, repr=False)
class ArchNumbers:
    __pydantic_config__ = _STRICT

    layers: int | None = None
    """Transformer layers."""
    hidden_size: int | None = None
    """Model dimension."""
    attention_heads: int | None = None
    """Query heads."""
    kv_heads: int | None = None
    """Key-value heads (fewer than query heads under grouped- or multi-query attention)."""
    head_dim: int | None = None
    """Dimension of one attention head."""
    sliding_window: int | None = None
    """Sliding-window size in tokens, where local attention is used."""
    full_attention_layers: int | None = None
    """Layers with full attention when the others use the sliding window."""
    experts: int | None = None
    """Experts per mixture-of-experts layer."""
    active_experts: int | None = None
    """Experts used per token."""
    kv_lora_rank: int | None = None
    """Multi-head latent attention: size of the compressed key-value latent that is cached
    instead of full keys and values (DeepSeek V3, Kimi K2)."""
    qk_rope_head_dim: int | None = None
    """Multi-head latent attention: the rotary part of each key, cached beside the latent."""
    kv_layers: int | None = None
    """Hybrid models: layers that keep a KV cache; the others (linear attention or
    state-space layers) keep a small fixed-size state whatever the context length."""
    unpublished: str | None = None
    """Why the numbers are missing (e.g. no public configuration); memory is then
    estimated from the parameter count and labelled as such."""


@dataclass(slots=True, eq=False, repr=False)
class Pricing:
    __pydantic_config__ = _STRICT

    input: float
    """USD per 1M input tokens."""
    output: float
    """USD per 1M output tokens."""
    as_of: dt.date
    """When the price was read."""
    source: str
    """Where the price comes from (URL or dataset:key)."""
    long_above: int | None = None
    """Prompt tokens above which the long-prompt prices apply (e.g. 200000)."""
    long_input: float | None = None
    """USD per 1M input tokens for a prompt longer than ``long_above``."""
    long_output: float | None = None
    """USD per 1M output tokens for a prompt longer than ``long_above``."""
    batch_input: float | None = None
    """USD per 1M input tokens through the provider's batch API (results within a day)."""
    batch_output: float | None = None
    """USD per 1M output tokens through the batch API."""
    cached_input: float | None = None
    """USD per 1M input tokens read from the provider's prompt cache."""
    tiers_source: str | None = None
    """Where the long-prompt, batch and cached prices come from (dataset:key)."""

    def __post_init__(self) -> None:
        # one call, no generator: a 20,000-model catalog builds thousands of prices
        # from its cache (a missing price counts as 0, which is not negative)
        if (
            min(
                self.input,
                self.output,
                self.cached_input or 0,
                self.long_input or 0,
                self.long_output or 0,
                self.batch_input or 0,
                self.batch_output or 0,
            )
            < 0
        ):
            raise ValueError("prices cannot be negative")
        if (self.long_input is None) != (self.long_above is None) or (
            (self.long_input is None) != (self.long_output is None)
        ):
            raise ValueError("long_above, long_input and long_output go together")
        if (self.batch_input is None) != (self.batch_output is None):
            raise ValueError("batch_input and batch_output go together")
        has_tiers = self.long_input is not None or self.batch_input is not None
        if (has_tiers or self.cached_input is not None) and not self.tiers_source:
            raise ValueError("long-prompt, batch and cached prices need tiers_source")


@dataclass(slots=True, eq=False, repr=False)
class NewestRelease:
    """The successor audit of a family: the maker's newest release in its line, as checked.
    ``catalog validate --stats`` lists the families whose check is over 90 days old."""

    __pydantic_config__ = _STRICT

    name: str
    """The newest release's name, as its maker gives it."""
    checked: dt.date
    """When the maker's releases were last checked."""
    source: str
    """Where the release can be seen (URL or dataset:key)."""
    released: dt.date | None = None
    """When it came out, where known."""
    id: str | None = None
    """Its catalog id (variant or family), when it is catalogued."""

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("name cannot be empty")
        if self.released is not None and self.released > self.checked:
            raise ValueError(f"released {self.released} is after the check date {self.checked}")


@dataclass(slots=True, eq=False, repr=False)
class Evidence:
    __pydantic_config__ = _STRICT

    benchmark: str
    """Benchmark or index name."""
    score: float
    """The published score."""
    source: str
    """Where the score is published (URL or dataset:key)."""
    metric: str | None = None
    """What the score measures."""
    date: dt.date | None = None
    """Date of the result."""


@dataclass(slots=True, eq=False, repr=False)
class Variant:
    """A concrete model you can download or call, with its family's defaults applied."""

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
    weights_format: WeightsFormat | None = None
    api_status: ApiStatus | None = None
    reasoning: ReasoningMode | None = None
    """always / switchable / none, as the card states it; None when it does not say."""
    inherited: list[str] = field(default_factory=list)
    """Facts that may differ per variant (INHERITABLE) which this variant takes from
    its family's default rather than stating them itself."""


# facts a family states as a default for its variants, which may differ per variant
INHERITABLE = ("released", "modalities", "languages", "context_window")


@dataclass(slots=True, eq=False, repr=False)
class Family:
    """A model line (Llama 2, FLAN-T5, Claude 2 ...)."""

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
    file: str
    newest_release: NewestRelease | None = None
    """The maker's newest release in this line as last checked; None: never checked."""


@dataclass(slots=True, eq=False, repr=False, weakref_slot=True)
class Catalog:
    """The whole validated catalog. The engine keeps what it derives from one (every
    model's best results, who succeeds whom) beside it, by weak reference."""

    version: str
    providers: dict[str, Provider]
    licenses: dict[str, License]
    families: dict[str, Family]
    variants: dict[str, Variant]
    datasets: dict[str, Dataset] = field(default_factory=dict)
    refresh: Any = None
    """The refresh layer merged in (``layer_merge.RefreshInfo``), None for the curated catalog;
    never cached: the layer is applied after loading."""
    provenance: Any = None
    """Which overlays it was loaded with and what they changed (``Provenance``, below, set
    by ``load_catalog``); None for a catalog built in code. Cached beside the rows."""

    @property
    def newest_verified(self) -> dt.date | None:
        # C-level: a run asks several times, of up to 20,000 variants
        newest: dt.date | None = max(map(_VERIFIED, self.variants.values()), default=None)
        return newest


_VERIFIED = attrgetter("verified")


# --- plain data (JSON output) ----------------------------------------------------


def to_data(obj: Any, *, keep_none: bool = True) -> Any:
    """A record (or catalog) as JSON-ready data; dates become ISO strings. With
    ``keep_none=False`` a mapping leaves out the keys whose value is None (listings)."""
    if isinstance(obj, Catalog):
        return {
            "version": obj.version,
            "providers": {k: to_data(v) for k, v in obj.providers.items()},
            "licenses": {k: to_data(v) for k, v in obj.licenses.items()},
            "datasets": {k: to_data(v) for k, v in obj.datasets.items()},
            "families": {k: to_data(v) for k, v in obj.families.items()},
            "variants": {k: to_data(v) for k, v in obj.variants.items()},
        }
    return _plain(obj, keep_none)


_SCALARS = frozenset((str, int, float, bool, type(None)))
_FIELDS: dict[type, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {}


def _fields(cls: type) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]:
    """A record class's field names, and a getter of all their values at once."""
    got = _FIELDS.get(cls)
    if got is None:
        names = tuple(cls.__dataclass_fields__)  # type: ignore[attr-defined]
        get = attrgetter(*names)
        got = _FIELDS[cls] = (names, get if len(names) > 1 else lambda obj: (get(obj),))
    return got


def _plain(value: Any, keep_none: bool) -> Any:
    """``value`` as JSON-ready data in one pass; without ``keep_none``, mappings leave out
    the keys whose value is None. Faster than dataclasses.asdict, which deep-copies every
    value: scalars, by far the most common values, are passed through without a call
    (``models --json`` turns every field of every model into data)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    pairs: Iterable[tuple[Any, Any]]
    if hasattr(kind, "__dataclass_fields__"):
        names, get = _fields(kind)
        pairs = zip(names, get(value), strict=True)
    elif isinstance(value, dict):
        pairs = value.items()
    elif isinstance(value, list):
        return [x if type(x) in _SCALARS else _plain(x, keep_none) for x in value]
    elif isinstance(value, dt.date):
        return value.isoformat()
    else:
        return value
    if keep_none:
        return {k: x if type(x) in _SCALARS else _plain(x, True) for k, x in pairs}
    return {k: x if type(x) in _SCALARS else _plain(x, False) for k, x in pairs if x is not None}


BASE_ENV = "LLMPICK_BASE_CATALOG"  # a catalog that replaces the bundled one as a whole


# --- where entries come from ---------------------------------------------------


@dataclass(frozen=True, eq=False)
class Provenance:
    """Which overlays a catalog was loaded with, and what each added or replaced.

    Keys are ``kind:id`` with kind ``provider``, ``license``, ``dataset``, ``family`` or
    ``variant``, or ``evidence`` for a variant an overlay's evidence file adds results
    to; an entry absent from ``origin`` comes from the base catalog."""

    base: str | None = None
    """The LLMPICK_BASE_CATALOG path, when it replaced the bundled catalog."""
    overlays: tuple[str, ...] = ()
    """Overlay paths in the order they apply."""
    origin: dict[str, str] = field(default_factory=dict)
    """The overlay each overlay entry comes from."""
    replaced: frozenset[str] = frozenset()
    """Overlay entries that replaced an entry with the same id."""

    def in_force(self) -> list[str]:
        """What answers list: the overlays, and a replaced base catalog."""
        base = [f"{self.base} ({BASE_ENV})"] if self.base else []
        return base + list(self.overlays)

    def of(self, kind: str, key: str) -> str | None:
        """The overlay that defines ``key``, or None for the base catalog."""
        return self.origin.get(f"{kind}:{key}")

    def replaces(self, kind: str, key: str) -> bool:
        return f"{kind}:{key}" in self.replaced

    def to_data(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "overlays": list(self.overlays),
            "origin": dict(self.origin),
            "replaced": sorted(self.replaced),
        }

    @classmethod
    def from_data(cls, data: Any) -> Provenance:
        if not isinstance(data, dict):
            raise TypeError("provenance")
        base, overlays = data["base"], data["overlays"]
        origin, replaced = data["origin"], data["replaced"]
        if not (
            (base is None or isinstance(base, str))
            and isinstance(overlays, list)
            and isinstance(origin, dict)
            and isinstance(replaced, list)
            # every one a str (a set of types: one C pass over 20,000 overlay entries)
            and set(map(type, chain(overlays, origin, origin.values(), replaced))) <= {str}
        ):
            raise TypeError("provenance")
        return cls(base, tuple(overlays), dict(origin), frozenset(replaced))


def provenance(cat: Catalog) -> Provenance:
    """Where the entries of ``cat`` come from (empty for a catalog built in code)."""
    prov = cat.provenance
    return prov if isinstance(prov, Provenance) else Provenance()


def overlay_facts(cat: Catalog, v: Variant) -> list[tuple[str, str]]:
    """What an overlay decided about model ``v`` (the model itself, its licence, its
    provider), each as a sentence and the guide section it bears on."""
    prov = provenance(cat)
    out = []
    for kind, key, what, guide in (
        ("variant", v.id, "this model", "3"),
        ("license", v.license, f"its licence {v.license!r}", "4.1"),
        ("provider", v.provider, f"its provider {v.provider!r}", "1.1"),
    ):
        source = prov.of(kind, key)
        if source is not None:
            how = "replacing the bundled entry" if prov.replaces(kind, key) else "not bundled"
            out.append((f"{what} comes from overlay {source} ({how})", guide))
    source = prov.of("evidence", v.id)
    if source is not None:
        out.append((f"published results from overlay {source} are added to its own", "4.2"))
    return out
