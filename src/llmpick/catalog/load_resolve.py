"""Resolving validated families into records: each variant takes from its family what it
does not state (``INHERITABLE``), a fact missing from both is a problem, and each
resolved variant is checked (``load_checks.py``). Evidence files are merged in
(``load_evidence.py``) and every reference between records (successors, base models,
newest releases) is checked once all are known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from llmpick.catalog.load_checks import (
    access_problems,
    citations,
    cited_dataset,
    fact_problems,
    modality_problems,
    newest_problems,
    nonpositive,
    spanning_problems,
)
from llmpick.catalog.load_evidence import merge_evidence
from llmpick.catalog.records import INHERITABLE, Catalog, Dataset, Family, License, Variant
from llmpick.errors import Problem

if TYPE_CHECKING:
    from collections.abc import Iterator

    from llmpick.catalog.fileformat import FamilyIn, VariantIn
    from llmpick.catalog.load_files import SourceFile
    from llmpick.catalog.load_validate import Parts


def _problem(src: SourceFile, loc: tuple[str, ...], message: str) -> Problem:
    return Problem(src.label, message, path=".".join(loc), line=src.line(loc))


@dataclass(eq=False, repr=False)
class _Resolved:
    """What resolving the families gathers: the records, where each variant came from,
    the references to check once every record is known, and the problems."""

    licenses: dict[str, License]
    datasets: dict[str, Dataset]
    problems: list[Problem]
    families: dict[str, Family] = field(default_factory=dict)
    variants: dict[str, Variant] = field(default_factory=dict)
    variant_src: dict[str, SourceFile] = field(default_factory=dict)
    # (file, field path, the id referred to, "variant" or "family-or-variant")
    refs: list[tuple[SourceFile, tuple[str, ...], str, str]] = field(default_factory=list)

    def add(self, src: SourceFile, loc: tuple[str, ...], message: str) -> None:
        self.problems.append(_problem(src, loc, message))


def _resolve_family(fid: str, fam: FamilyIn, src: SourceFile, out: _Resolved) -> None:
    """One family's variants (inheriting from it) and its record, checked."""
    if fam.successor:
        out.refs.append((src, ("successor",), fam.successor, "family-or-variant"))
    for vid, v in fam.variants.items():
        where = ("variants", vid)
        if vid in out.variant_src:
            also = out.variant_src[vid].label
            out.add(src, where, f"duplicate variant id {vid!r}, also in {also}")
            continue
        variant = _resolve_variant(fid, fam, vid, v, src, out)
        if variant is None:
            continue
        out.variant_src[vid] = src
        out.variants[vid] = variant
        for loc, message in modality_problems(variant):
            out.add(src, (*where, *loc), message)
    for vid, message in spanning_problems(fid, fam, out.variants):
        out.add(src, ("variants", vid), message)
    out.families[fid] = _family_record(fid, fam, src.label)
    newest = fam.newest_release
    if newest is not None:
        out.families[fid].newest_release = newest
        if newest.id:
            out.refs.append((src, ("newest_release", "id"), newest.id, "family-or-variant"))
        for key, message in newest_problems(newest, fam, out.datasets):
            out.add(src, ("newest_release", key), message)


def _resolve_variant(
    fid: str, fam: FamilyIn, vid: str, v: VariantIn, src: SourceFile, out: _Resolved
) -> Variant | None:
    """A variant with what it inherits from its family, checked; None (with the problem
    said) when a required field is missing from both."""
    where = ("variants", vid)
    sources = list(dict.fromkeys([*fam.sources, *v.sources]))
    missing = _missing(fam, v, sources)
    if missing:
        message = "required field missing on the variant or its family: " + ", ".join(missing)
        out.add(src, where, message)
        return None
    variant = _variant_record(fid, fam, vid, v, sources)
    for loc, message in _variant_problems(fam, v, variant, out):
        out.add(src, loc, message)
    if v.successor:
        out.refs.append((src, (*where, "successor"), v.successor, "family-or-variant"))
    if v.base_model:
        out.refs.append((src, (*where, "base_model"), v.base_model, "variant"))
    return variant


_REQUIRED = ("license", "open_weights", "verified", "sources")


def _missing(fam: FamilyIn, v: VariantIn, sources: list[str]) -> list[str]:
    """The required facts that neither the variant nor its family states."""
    given = (
        v.license is not None or fam.license is not None,
        v.open_weights is not None or fam.open_weights is not None,
        v.verified is not None or fam.verified is not None,
        bool(sources),
    )
    if all(given):
        return []
    return [name for name, stated in zip(_REQUIRED, given, strict=True) if not stated]


def _variant_record(fid: str, fam: FamilyIn, vid: str, v: VariantIn, sources: list[str]) -> Variant:
    """The variant's record: what it states, else what its family states for it. The
    fields are given in their order, not by name: 20,000 calls with 33 keywords each
    cost ~0.1 s in matching names alone (``_VARIANT_FIELDS`` checks the order)."""
    status = v.status or fam.status
    return Variant(
        vid,  # id
        fid,  # family
        fam.provider,  # provider
        v.name,  # name
        v.flavour,  # flavour
        v.tuning,  # tuning
        fam.architecture,  # architecture
        v.moe if v.moe is not None else fam.moe,  # moe
        v.params_b,  # params_b
        v.active_params_b,  # active_params_b
        v.context_window or fam.context_window,  # context_window
        v.max_output,  # max_output
        v.open_weights if v.open_weights is not None else bool(fam.open_weights),  # open_weights
        v.license or fam.license or "",  # license
        status,  # status
        v.successor or (fam.successor if status != "active" else None),  # successor
        v.base_model,  # base_model
        v.domain or fam.domain,  # domain
        v.modalities or fam.modalities,  # modalities
        v.languages if v.languages is not None else fam.languages,  # languages
        v.capabilities if v.capabilities is not None else (fam.capabilities or []),  # capabilities
        v.access,  # access
        v.arch,  # arch
        v.pricing,  # pricing
        v.evidence,  # evidence
        v.released or fam.released,  # released
        sources,  # sources
        v.verified or fam.verified,  # type: ignore[arg-type]  # verified; _missing checked
        v.notes,  # notes
        v.weights_format,  # weights_format
        v.api_status,  # api_status
        v.reasoning or fam.reasoning,  # reasoning
        inherited(fam, v),  # inherited
    )


# the order _variant_record gives Variant's fields in
_VARIANT_FIELDS = [
    "id",
    "family",
    "provider",
    "name",
    "flavour",
    "tuning",
    "architecture",
    "moe",
    "params_b",
    "active_params_b",
    "context_window",
    "max_output",
    "open_weights",
    "license",
    "status",
    "successor",
    "base_model",
    "domain",
    "modalities",
    "languages",
    "capabilities",
    "access",
    "arch",
    "pricing",
    "evidence",
    "released",
    "sources",
    "verified",
    "notes",
    "weights_format",
    "api_status",
    "reasoning",
    "inherited",
]
if list(Variant.__dataclass_fields__) != _VARIANT_FIELDS:  # pragma: no cover - a new field
    raise TypeError("load_resolve._variant_record gives Variant's fields in another order")


def _variant_problems(
    fam: FamilyIn, v: VariantIn, variant: Variant, out: _Resolved
) -> Iterator[tuple[tuple[str, ...], str]]:
    """What is wrong with a resolved variant (each a field path and a message): its
    licence, its architecture numbers, facts that contradict each other, citations."""
    where = ("variants", variant.id)
    if variant.license not in out.licenses:
        loc: tuple[str, ...] = (*where, "license") if v.license else ("license",)
        yield loc, f"unknown licence {variant.license!r} (not in licenses.yaml)"
    if v.arch is not None:
        for name in nonpositive(v.arch):
            yield (*where, "arch", name), "must be greater than 0"
    facts = fact_problems(variant.id, v, variant.moe, variant.released, variant.verified, fam)
    for loc, message in facts:
        yield (*where, *loc), message
    for loc, cited in citations(fam, v):
        dataset = cited_dataset(cited)  # None for a URL
        if dataset is not None and dataset not in out.datasets:
            yield (
                loc if loc[0] == "sources" and not v.sources else (*where, *loc),
                f"source {cited!r} names no dataset declared in datasets.yaml",
            )


def _family_record(fid: str, fam: FamilyIn, label: str) -> Family:
    return Family(
        id=fid,
        name=fam.name,
        provider=fam.provider,
        released=fam.released,
        architecture=fam.architecture,
        moe=fam.moe,
        modalities=fam.modalities,
        languages=fam.languages,
        domain=fam.domain,
        status=fam.status,
        successor=fam.successor,
        description=fam.description,
        guide=fam.guide,
        aliases=fam.aliases,
        sources=fam.sources,
        variants=list(fam.variants),
        file=label,
    )


def resolve(parts: Parts, problems: list[Problem], version: str) -> Catalog:
    """The catalog from its parsed files: variants inherit from their families, and
    every reference between records is checked once all are known."""
    providers = {k: v for k, (v, _) in parts.providers.items()}
    licenses = {k: v for k, (v, _) in parts.licenses.items()}
    datasets = {k: v for k, (v, _) in parts.datasets.items()}
    for did, (ds, label) in parts.datasets.items():
        if ds.license not in licenses:
            problems.append(
                Problem(label, f"unknown licence {ds.license!r} (not in licenses.yaml)", path=did)
            )
    out = _Resolved(licenses, datasets, problems)
    for fid, (fam, src) in sorted(parts.families.items()):
        if fam.provider not in providers:
            message = f"unknown provider {fam.provider!r} (not in providers.yaml)"
            out.add(src, ("provider",), message)
        _resolve_family(fid, fam, src, out)
    families, variants, variant_src = out.families, out.variants, out.variant_src
    problem, pending_refs = _problem, out.refs

    for vid, field_loc, message in access_problems(variants, variant_src):
        access_loc = ("variants", vid, "access", *field_loc)
        problems.append(problem(variant_src[vid], access_loc, message))
    for vid in variants:
        if variant_src[vid].overlay and vid in parts.replaced_variants:
            parts.replaced.add(f"variant:{vid}")

    merge_evidence(parts, variants, datasets, problems)

    for src, ref_loc, ref, kind in pending_refs:
        ok = ref in variants or (kind == "family-or-variant" and ref in families)
        if not ok:
            what = "variant" if kind == "variant" else "family or variant"
            problems.append(problem(src, ref_loc, f"{ref!r} is not a {what} in the catalog"))

    return Catalog(
        version=version,
        providers=providers,
        licenses=licenses,
        families=families,
        variants=variants,
        datasets=datasets,
    )


def inherited(fam: FamilyIn, v: VariantIn) -> list[str]:
    """The facts of INHERITABLE that variant ``v`` takes from its family's default (a
    family's empty language list or missing context window states nothing to inherit;
    its modalities always do, ['text'] when it does not say)."""
    out = []
    for name in INHERITABLE:
        if getattr(v, name) is None and (name == "modalities" or getattr(fam, name)):
            out.append(name)
    return out
