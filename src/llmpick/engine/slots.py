"""Which models take one place in a ranking: a snapshot or repack is the same model
(``identity``), and variants of one base model or sizes a step apart of one release
share a slot (``same_base``, ``size_step``); ``linked`` finds the models a ranking must
order exactly for those to come out right. Pure functions over catalog records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from llmpick.catalog.records import Catalog, Variant

_DATED = re.compile(r"[-_@]?(20\d{2}-?\d{2}-?\d{2}|\d{4}-\d{2}-\d{2}|v\d+:\d+|latest)$")


def identity(v: Variant) -> tuple[object, ...]:
    """Two variants with the same identity are the same model (a snapshot or a repack)."""
    if v.access.hf_repo:
        return ("hf", v.access.hf_repo.lower())
    name = _DATED.sub("", (v.access.api or v.name).lower())
    return ("api", v.provider, name)


SAME_RELEASE_DAYS = 62  # variants of one base released within two months of each other


def same_base(a: Variant, b: Variant) -> bool:
    """Two variants of one base model that differ only in post-training or modality
    (Seed-X Instruct and PPO, MedGemma 27B text and multimodal, a base model and its
    instruction-tuned release): the same family, architecture and size (within 10%),
    released within two months of each other, neither the successor of the other. A
    later release of the same size (Kimi K2 and K2.5) is a model of its own."""
    if a.family != b.family or a.params_b is None or b.params_b is None:
        return False
    if a.architecture != b.architecture or (a.flavour == "embedding") != (b.flavour == "embedding"):
        return False
    if a.released is None or b.released is None:
        return False
    if abs((a.released - b.released).days) > SAME_RELEASE_DAYS:
        return False
    if a.successor == b.id or b.successor == a.id:
        return False
    return abs(a.params_b - b.params_b) <= 0.1 * max(a.params_b, b.params_b)


STEP_MARGIN = 1.0  # points: two sizes of one release this close in score share a slot
STEP_RATIO = 4.0  # a step: the larger at most four times the smaller (1.8B/7B, 12B/27B)


def _release_kin(a: Variant, b: Variant) -> bool:
    """Two variants of one release that differ only in size: the same family,
    architecture, expert layout, flavour, tuning, modalities, domain and licence,
    released within two months of each other, neither the successor of the other."""
    if a.family != b.family or a.params_b is None or b.params_b is None:
        return False
    if (a.architecture, a.moe, a.flavour, a.domain, a.license) != (
        b.architecture,
        b.moe,
        b.flavour,
        b.domain,
        b.license,
    ):
        return False
    if set(a.tuning) != set(b.tuning) or set(a.modalities) != set(b.modalities):
        return False
    if a.released is None or b.released is None:
        return False
    if abs((a.released - b.released).days) > SAME_RELEASE_DAYS:
        return False
    return a.successor != b.id and b.successor != a.id


def size_step(c: Catalog, a: Variant, b: Variant) -> bool:
    """Two sizes a step apart of one release (TranslateGemma 12B and 27B, HY-MT 1.5 1.8B
    and 7B, Gemma 4 E2B and E4B): kin of one release (``_release_kin``) of different
    sizes, the larger at most STEP_RATIO times the smaller, with no size of that release
    between them in the catalog."""
    pa, pb = a.params_b, b.params_b
    if pa is None or pb is None or pa == pb or not _release_kin(a, b):
        return False
    low, high = sorted((pa, pb))
    if high > STEP_RATIO * low:
        return False
    fam = c.families.get(a.family)
    for vid in fam.variants if fam is not None else ():
        w = c.variants.get(vid)
        if w is None or w.id in (a.id, b.id) or w.params_b is None:
            continue
        if low < w.params_b < high and _release_kin(a, w) and _release_kin(b, w):
            return False
    return True


_MINOR = re.compile(r"(\d+)\.\d+")


def line(c: Catalog, v: Variant) -> str:
    """A model line for variety: a family with its minor releases (GPT-6 and GPT-6.1,
    Claude 5 and 5.5, Qwen3.5 and 3.6 are one line; GPT-5 and GPT-6 are two)."""
    fam = c.families.get(v.family)
    name = fam.name if fam is not None else v.family
    return v.provider + ":" + _MINOR.sub(r"\1", name.lower())


def linked(variants: Iterable[Variant], c: Catalog) -> set[str]:
    """The ids of the models whose place in a ranking depends on another's: one with the
    identity of another (a duplicate), or one that could share a slot with another
    (``same_base``, or ``size_step`` when their scores are close). Every other model
    takes a place of its own, wherever its score puts it."""
    out: set[str] = set()
    seen: dict[tuple[object, ...], str] = {}
    kin: dict[tuple[str, str, bool], list[tuple[int, Variant]]] = {}
    for v in variants:
        first = seen.setdefault(identity(v), v.id)
        if first != v.id:
            out.update((first, v.id))
        if v.released is not None and v.params_b is not None:  # neither rule holds without
            key = (v.family, v.architecture, v.flavour == "embedding")
            kin.setdefault(key, []).append((v.released.toordinal(), v))
    for releases in kin.values():
        if len(releases) > 1:
            _sharing(releases, c, out)
    return out


def _sharing(releases: list[tuple[int, Variant]], c: Catalog, out: set[str]) -> None:
    """Of one family's dated and sized releases of one architecture (release day, model),
    add to ``out`` the ids of those that could share a slot with another."""
    releases.sort(key=lambda dv: dv[0])
    for i, (day, a) in enumerate(releases):
        pa = a.params_b
        assert pa is not None
        for later, b in releases[i + 1 :]:
            if later - day > SAME_RELEASE_DAYS:
                break
            pb = b.params_b
            assert pb is not None
            if pa > STEP_RATIO * pb or pb > STEP_RATIO * pa:
                continue  # too far apart in size for either rule
            # what each rule needs first, cheaply: sizes within 10%; one flavour and licence
            close = abs(pa - pb) <= 0.1 * max(pa, pb)
            kin = pa != pb and a.flavour == b.flavour and a.license == b.license
            if (close and same_base(a, b)) or (kin and size_step(c, a, b)):
                out.add(a.id)
                out.add(b.id)
