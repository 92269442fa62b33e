"""The checks on a resolved variant's facts, and between variants: architecture numbers,
facts that contradict each other (mixture-of-experts, release dates, a date stamp in the
id), inputs against capabilities, a family whose variants are separate releases, cited
datasets, identifiers that do not have the shape of one, and an overlay that claims
another model's repo, tag or API id. Each returns what is wrong as field paths and
messages; ``load_resolve.py`` turns them into problems.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import partial
from operator import attrgetter, is_not
from typing import TYPE_CHECKING, Any

from llmpick.catalog.records import ArchNumbers, NewestRelease, Variant
from llmpick.vocabulary import ID_RE, ID_RULE

if TYPE_CHECKING:
    from collections.abc import Iterable

    from llmpick.catalog.fileformat import FamilyIn, VariantIn
    from llmpick.catalog.load_files import SourceFile

_ARCH_NUMBERS = tuple(n for n in ArchNumbers.__dataclass_fields__ if n != "unpublished")


_arch_numbers = attrgetter(*_ARCH_NUMBERS)


_given = partial(is_not, None)


def nonpositive(arch: ArchNumbers) -> list[str]:
    """The architecture numbers below 1 (full_attention_layers: below 0)."""
    numbers = _arch_numbers(arch)
    if min(filter(_given, numbers), default=1) >= 1:
        return []  # the common case, told in C
    return [
        name
        for name, n in zip(_ARCH_NUMBERS, numbers, strict=True)
        if isinstance(n, int) and n < (0 if name == "full_attention_layers" else 1)
    ]


def access_problems(
    variants: dict[str, Variant], sources: dict[str, SourceFile]
) -> list[tuple[str, tuple[str, ...], str]]:
    """Identifiers that do not have the shape of one (they end up in snippets people
    paste into a shell or an interpreter), and overlay variants that claim a repo, tag
    or API id of a model of the base catalog (``show REPO`` would find the impostor)."""
    from llmpick.vocabulary import ID_SHAPE_HELP, plausible_id

    out: list[tuple[str, tuple[str, ...], str]] = []
    owners: dict[tuple[str, str], str] = {}
    claims: list[tuple[str, str, str]] = []
    for vid, v in variants.items():
        a = v.access
        named: list[tuple[str, tuple[str, ...], str | None]] = [
            ("hf_repo", ("hf_repo",), a.hf_repo),
            ("ollama", ("ollama",), a.ollama),
            ("api", ("api",), a.api),
        ]
        named += [("platform", ("platforms", p), pid) for p, pid in sorted(a.platforms.items())]
        for kind, loc, value in named:
            if value is None:
                continue
            if not isinstance(value, str) or not plausible_id(kind, value):
                out.append((vid, loc, f"{value!r} is not {ID_SHAPE_HELP[kind]}"))
            elif kind != "platform":
                if sources[vid].overlay:
                    claims.append((vid, kind, value))
                else:
                    owners.setdefault((kind, value.lower()), vid)
    for vid, kind, value in claims:
        owner = owners.get((kind, value.lower()))
        if owner is not None and owner != vid:
            out.append(
                (
                    vid,
                    (kind,),
                    f"{value!r} is the {kind} of {owner!r} in "
                    f"{sources[owner].label}; an overlay may not claim it (to replace that "
                    f"model, replace its family {variants[owner].family!r} with "
                    "'replaces: true')",
                )
            )
    return out


_STAMP = re.compile(r"-(20\d{2})-?(\d{2})-?(\d{2})$|-(\d{2})(\d{2})$")


def _stamp(vid: str) -> str:
    """The date stamp that ends a variant id ('2507', '2024-08-06'), or ''."""
    m = _STAMP.search(vid)
    if m is None:
        return ""
    if m.group(1):
        return m.group(0)
    a, b = int(m.group(4)), int(m.group(5))
    return m.group(0) if (a >= 23 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 28) else ""


def _stamp_problem(vid: str, released: dt.date | None) -> str | None:
    """A variant id ending in a date stamp (gpt-4o-2024-08-06, kimi-k2-instruct-0905,
    qwen3-30b-a3b-instruct-2507) must agree with its release date."""
    m = _STAMP.search(vid)
    if m is None:
        return None
    if m.group(1):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        try:
            stamped = dt.date(year, month, day)
        except ValueError:
            return None
        if released is None or abs((released - stamped).days) > 45:
            return f"the id says {stamped}, but released is {released or 'not given'}"
        return None
    a, b = int(m.group(4)), int(m.group(5))
    if released is None:
        return f"the id says {a:02d}{b:02d}, but no release date is given"
    if a >= 23 and 1 <= b <= 12:  # YYMM, as Qwen and Mistral stamp their updates
        stamped = dt.date(2000 + a, b, 15)
    elif 1 <= a <= 12 and 1 <= b <= 28:  # MMDD, as Kimi and DeepSeek do (year not given)
        stamped = min(
            (dt.date(released.year + k, a, b) for k in (-1, 0, 1)),
            key=lambda d: abs((d - released).days),
        )
    else:
        return None
    if abs((released - stamped).days) > 45:  # a stamp may lag the release by a few weeks
        return f"the id says {a:02d}{b:02d}, but released is {released}"
    return None


def fact_problems(
    vid: str,
    v: VariantIn,
    moe: bool,
    released: dt.date | None,
    verified: dt.date,
    fam: FamilyIn,
) -> list[tuple[tuple[str, ...], str]]:
    """Facts of one variant that contradict each other (each a field path and a message)."""
    out: list[tuple[tuple[str, ...], str]] = []
    if v.arch is not None and (v.arch.experts or 0) > 1 and not moe:
        out.append((("moe",), "lists experts in its architecture numbers but moe is false"))
    if (
        v.params_b is not None
        and v.active_params_b is not None
        and v.active_params_b < v.params_b
        and not moe
    ):
        out.append((("moe",), "fewer active than total parameters, but moe is false"))
    if moe and v.notes and re.search(r"not (a )?mixture-of-experts", v.notes, re.IGNORECASE):
        out.append((("moe",), "its notes call it dense (not mixture-of-experts), but moe is true"))
    if released is not None and released > verified:
        out.append((("released",), f"released {released} is after the check date {verified}"))
    if released is not None and fam.released is not None and released < fam.released:
        out.append((("released",), f"released {released}, before its family's first release"))
    stamp = _stamp_problem(vid, released)
    if stamp is not None:
        out.append((("released",), stamp))
    return out


def newest_problems(
    newest: NewestRelease, fam: FamilyIn, datasets: dict[str, Any]
) -> list[tuple[str, str]]:
    """What is wrong with a family's newest-release check (each a field and a message)."""
    from llmpick.catalog.fileformat import _check_source

    out: list[tuple[str, str]] = []
    try:
        _check_source(newest.source)
    except ValueError as exc:
        out.append(("source", str(exc)))
    else:
        if cited_dataset(newest.source) not in (None, *datasets):
            out.append(
                ("source", f"source {newest.source!r} names no dataset declared in datasets.yaml")
            )
    if newest.id is not None and not ID_RE.match(newest.id):
        out.append(("id", f"{newest.id!r} is not a valid id: {ID_RULE}"))
    if fam.released is not None and newest.released and newest.released < fam.released:
        out.append(("released", f"released {newest.released}, before its family's first release"))
    return out


# capabilities that mean reading an input, and the modality each reads
_READS = {"vision": "image", "audio": "audio"}


def modality_problems(v: Variant) -> list[tuple[tuple[str, ...], str]]:
    """A model that reads images has the 'vision' capability and one with it reads images
    (the same for audio): `--needs vision` trusts either, so one without the other lets a
    text-only model through (or hides a vision model)."""
    out: list[tuple[tuple[str, ...], str]] = []
    for capability, modality in _READS.items():
        reads = modality in v.modalities
        can = capability in v.capabilities
        if reads and not can:
            out.append(
                (
                    ("modalities",),
                    f"its inputs {v.modalities} include {modality}, but its capabilities do "
                    f"not list {capability!r}: state its own modalities (or add "
                    f"{capability!r} with a source)",
                )
            )
        elif can and not reads:
            out.append(
                (
                    ("capabilities",),
                    f"lists {capability!r} but its inputs are {v.modalities}: state its own "
                    f"modalities, with {modality!r}",
                )
            )
    return out


_VERSION = re.compile(r"(?<![a-z0-9])(v\d+(?:[._]\d+)*|\d+\.\d+)(?![\d.]*[bmk](?:-|$))")


SPAN_DAYS = 45  # variants released further apart than this are separate releases


# Families whose variants span releases but still inherit facts from the family: each
# is to state its own (issue 20); the list only shrinks, and `validate --stats` counts it.
NOT_YET_SPLIT: frozenset[str] = frozenset()  # every family is split now


def spans_releases(ids: Iterable[str], variants: dict[str, Variant]) -> list[str]:
    """Why the variants ``ids`` of one family are separate releases (empty when they
    are one): release dates months apart, different date stamps, different version
    numbers in their ids."""
    ids = list(ids)
    why = []
    dates = [variants[vid].released for vid in ids if vid in variants]
    known = [d for d in dates if d is not None]
    if known and (max(known) - min(known)).days > SPAN_DAYS:
        why.append(f"released from {min(known)} to {max(known)}")
    stamps = {_stamp(vid) for vid in ids}
    if len(stamps) > 1 and stamps != {""}:
        why.append("different date stamps")
    versions = {tuple(_VERSION.findall(vid)) for vid in ids}
    if len(versions) > 1:
        why.append("different version numbers")
    return why


def spanning_problems(
    fid: str, fam: FamilyIn, variants: dict[str, Variant]
) -> list[tuple[str, str]]:
    """A family whose variants span releases is no default for them: each states the
    facts that differ between releases itself, with its source."""
    if fid in NOT_YET_SPLIT:
        return []
    if not any(v.inherited for v in map(variants.get, fam.variants) if v is not None):
        return []  # nothing taken from the family: nothing that may not hold
    why = spans_releases(fam.variants, variants)
    if not why:
        return []
    out = []
    for vid in fam.variants:
        v = variants.get(vid)
        if v is not None and v.inherited:
            out.append(
                (
                    vid,
                    f"the variants of {fid!r} are separate releases ({'; '.join(why)}), "
                    f"so the family's {', '.join(v.inherited)} may not hold for this one: "
                    "state its own, with its source",
                )
            )
    return out


def citations(fam: FamilyIn, v: VariantIn) -> list[tuple[tuple[str, ...], str]]:
    out: list[tuple[tuple[str, ...], str]] = [(("sources",), s) for s in v.sources]
    if not v.sources:
        out += [(("sources",), s) for s in fam.sources]
    if v.pricing is not None:
        out.append((("pricing", "source"), v.pricing.source))
        if v.pricing.tiers_source:
            out.append((("pricing", "tiers_source"), v.pricing.tiers_source))
    out += [(("evidence", str(i), "source"), e.source) for i, e in enumerate(v.evidence)]
    return out


def cited_dataset(source: str) -> str | None:
    """The dataset a source cites, or None for a URL."""
    if source.startswith(("https://", "http://")):
        return None
    return source.partition(":")[0]
