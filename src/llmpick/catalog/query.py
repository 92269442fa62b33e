"""Looking things up in a loaded catalog: filters, name resolution, listings.

Pure functions over a ``Catalog``; no I/O and no presentation.
"""

from __future__ import annotations

import difflib
import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from llmpick.catalog.records import Catalog, Family, Provider, Variant, overlay_facts, to_data
from llmpick.errors import NotFoundError, UsageError
from llmpick.vocabulary import ACCESS_KINDS, PROVIDER_KINDS

_NORM = re.compile(r"[^a-z0-9]+")


def norm(text: str) -> str:
    """Lower-case and drop punctuation, so 'Llama 2-Chat' matches 'llama2chat'."""
    return _NORM.sub("", text.lower())


def _choices_error(what: str, value: str, choices: Iterable[str]) -> UsageError:
    from llmpick.suggest import not_one_of

    return UsageError(f"unknown {what} {not_one_of(value, list(choices))}")


# --- providers ---------------------------------------------------------------


@dataclass(frozen=True)
class ProviderRow:
    provider: Provider
    families: int
    variants: int


def provider_rows(catalog: Catalog, kind: str | None = None) -> list[ProviderRow]:
    """Providers (optionally of one kind) with their model counts, by name."""
    if kind is not None and kind not in PROVIDER_KINDS:
        raise _choices_error("provider kind", kind, PROVIDER_KINDS)
    fam_count: dict[str, int] = {}
    var_count: dict[str, int] = {}
    for fam in catalog.families.values():
        fam_count[fam.provider] = fam_count.get(fam.provider, 0) + 1
        var_count[fam.provider] = var_count.get(fam.provider, 0) + len(fam.variants)
    rows = [
        ProviderRow(p, fam_count.get(pid, 0), var_count.get(pid, 0))
        for pid, p in catalog.providers.items()
        if kind is None or kind in p.kinds
    ]
    return sorted(rows, key=lambda r: r.provider.name.lower())


def providers_by_kind(catalog: Catalog, kind: str | None = None) -> dict[str, list[ProviderRow]]:
    """Rows grouped under the four kinds of guide §1.1 (a provider may appear under several)."""
    rows = provider_rows(catalog, kind)
    kinds = [kind] if kind else list(PROVIDER_KINDS)
    return {k: [r for r in rows if k in r.provider.kinds] for k in kinds}


# --- models ------------------------------------------------------------------


def filter_variants(
    catalog: Catalog,
    *,
    provider: str | None = None,
    access: str | None = None,
    flavour: str | None = None,
    status: str | None = None,
    family: str | None = None,
    search: str | None = None,
) -> list[Variant]:
    """Variants matching every given filter, ordered by provider, family and size.

    ``search`` is words that must all occur in the id, name, family, provider or Hugging
    Face repo (see ``_matches``)."""
    if provider is not None and provider not in catalog.providers:
        provider = _provider_id(catalog, provider)
    if access is not None and access not in ACCESS_KINDS:
        raise _choices_error("access", str(access), ACCESS_KINDS)
    if family is not None and family not in catalog.families:
        fam = _match_family(catalog, family)
        if fam is None:
            raise _not_found("family", family, list(catalog.families))
        family = fam.id
    words = _search_words(search or "")
    wanted = {"provider": provider, "family": family, "flavour": flavour, "status": status}
    same = [(name, value) for name, value in wanted.items() if value]
    open_weights = {"open": True, "proprietary": False}.get(access or "")
    out = [
        v
        for v in catalog.variants.values()
        if all(getattr(v, name) == value for name, value in same)
        and (open_weights is None or bool(v.open_weights) is open_weights)
        and (not words or _matches(catalog, v, words))
    ]
    return sorted(out, key=lambda v: (v.provider, v.family, v.params_b or 0.0, v.id))


def _provider_id(catalog: Catalog, name: str) -> str:
    """The id of the provider named ``name`` (its name in any spelling), else NotFoundError."""
    by_name = {norm(p.name): pid for pid, p in catalog.providers.items()}
    if norm(name) in by_name:
        return by_name[norm(name)]
    raise _not_found("provider", name, list(catalog.providers))


def _matches(catalog: Catalog, v: Variant, words: list[re.Pattern[str] | str]) -> bool:
    fam = catalog.families[v.family]
    prov = catalog.providers.get(v.provider)
    names = (v.id, v.name, fam.id, fam.name, v.provider, prov.name if prov else "")
    spaced = " ".join(_tokens(n) for n in (*names, v.access.hf_repo or ""))
    joined = spaced.replace("-", "")
    undotted = joined.replace(".", "")
    for word in words:
        if isinstance(word, str):
            if word not in joined and word.replace(".", "") not in undotted:
                return False
        elif not word.search(spaced):
            return False
    return True


def _search_words(search: str) -> list[re.Pattern[str] | str]:
    """The words of a search, each as ``_matches`` compares it.

    Punctuation is ignored ('llama2' finds 'Llama 2-Chat', 'qwen25' finds 'Qwen2.5');
    a word that starts with a digit must be a whole number there, so '7b' finds
    'qwen2.5-7b' but neither 'gemma-2-27b' nor 'qwen3-1.7b', and '3' finds 'llama-3.1'."""
    words: list[re.Pattern[str] | str] = []
    for raw in search.split():
        word = _tokens(raw).replace("-", "")
        if not word:
            continue
        if word[0].isdigit():
            body = "-?".join(re.escape(ch) for ch in word)
            words.append(re.compile(rf"(?<![0-9.]){body}(?![0-9])"))
        else:
            words.append(word)
    return words


def _tokens(text: str) -> str:
    """Lower-case alphanumeric runs joined by '-', splitting a number from the letters
    before it and keeping a dot inside a number: 'Qwen2.5 Coder' -> 'qwen-2.5-coder'."""
    out: list[str] = []
    low = text.lower()
    for i, ch in enumerate(low):
        if ch.isascii() and ch.isalnum():
            if ch.isdigit() and out and out[-1].isalpha():
                out.append("-")
            out.append(ch)
        elif (
            ch == "."
            and out
            and out[-1].isdigit()
            and low[i + 1 : i + 2].isdigit()
            and low[i + 1 : i + 2].isascii()
        ):
            out.append(".")
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")


def _not_found(what: str, value: str, known: list[str]) -> NotFoundError:
    close = difflib.get_close_matches(value.lower(), known, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}?" if close else f"see 'llmpick {what}s' for the list"
    if what in ("model", "family"):
        hint = f"did you mean {', '.join(close)}?" if close else "see 'llmpick models' for the list"
    return NotFoundError(f"no {what} {value!r} in the catalog", hint=hint)


def _match_family(catalog: Catalog, name: str) -> Family | None:
    key = norm(name)
    for fam in catalog.families.values():
        if key in (norm(fam.id), norm(fam.name), *(norm(a) for a in fam.aliases)):
            return fam
    return None


def _by_name(variants: list[Variant], name: str) -> Variant | None:
    """The first of ``variants`` named ``name`` (its name, repo, Ollama tag, API or cloud
    id, ignoring case), else the first whose name has ``name``'s normalised spelling."""
    low = name.lower()
    for v in variants:
        a = v.access
        if low in (
            v.name.lower(),
            (a.hf_repo or "\0").lower(),
            (a.ollama or "\0").lower(),
            (a.api or "\0").lower(),
            *(pid.lower() for pid in a.platforms.values()),
        ):
            return v
    key = norm(name)
    return next((v for v in variants if key and key in (norm(v.name), norm(v.id))), None)


def resolve(catalog: Catalog, name: str) -> Variant | Family:
    """A variant by id, name, Hugging Face repo, Ollama tag or API id; else a family.

    Raises NotFoundError with the closest names when nothing matches.
    """
    if not name.strip():
        raise NotFoundError("no model named '' in the catalog", hint="give a model id or name")
    # curated models and families first, in every spelling; then what a refresh added
    # unreviewed (an upstream 'gpt-oss' or 'claude-sonnet-4.5' never takes a curated name)
    unreviewed = catalog.refresh.unreviewed if catalog.refresh is not None else {}
    curated = [v for v in catalog.variants.values() if v.id not in unreviewed]
    added = [v for v in catalog.variants.values() if v.id in unreviewed]
    if name in catalog.variants and name not in unreviewed:
        return catalog.variants[name]
    if name in catalog.families:
        return catalog.families[name]
    found = _by_name(curated, name)
    if found is not None:
        return found
    fam = _match_family(catalog, name)
    if fam is not None:
        return fam
    found = _by_name(added, name) if name not in catalog.variants else catalog.variants[name]
    if found is not None:
        return found
    low, key = name.lower(), norm(name)
    names = list(catalog.variants) + list(catalog.families)
    names += [v.name.lower() for v in catalog.variants.values()]
    close = difflib.get_close_matches(low, names, n=4, cutoff=0.55)
    if not close:  # try the normalised spelling ("llama2 13b" vs "llama-2-13b")
        by_norm = {norm(n): n for n in names}
        close = [by_norm[n] for n in difflib.get_close_matches(key, list(by_norm), n=4, cutoff=0.6)]
    hint = f"did you mean: {', '.join(dict.fromkeys(close))}?" if close else None
    return_hint = (
        hint or "list the models with 'llmpick models', or search with 'llmpick models --json'"
    )
    raise NotFoundError(f"no model named {name!r} in the catalog", hint=return_hint)


def resolve_variant(catalog: Catalog, name: str) -> Variant:
    """Like resolve(), but a family resolves to its best-known variant is not allowed."""
    found = resolve(catalog, name)
    if isinstance(found, Variant):
        return found
    ids = ", ".join(found.variants[:6])
    raise NotFoundError(f"{name!r} is a model family, not one model", hint=f"name a variant: {ids}")


# --- JSON shapes -------------------------------------------------------------


def variant_summary(catalog: Catalog, v: Variant) -> dict[str, Any]:
    """The JSON record of one variant in listings."""
    lic = catalog.licenses.get(v.license)
    fam = catalog.families.get(v.family)
    data: dict[str, Any] = to_data(v, keep_none=False)
    data["family_name"] = fam.name if fam else v.family
    data["provider_name"] = (
        catalog.providers[v.provider].name if v.provider in catalog.providers else v.provider
    )
    data["license"] = {
        "id": v.license,
        "name": lic.name if lic else None,
        "commercial_use": lic.commercial_use if lic else None,
        "condition": lic.condition if lic else None,
    }
    overlaid = overlay_facts(catalog, v)
    if overlaid:  # what an overlay decided about it, as recommend's caveats say it
        data["overlay"] = [text for text, _ in overlaid]
    info = catalog.refresh
    if info is not None:  # what the refresh layer did to it (`llmpick catalog refresh`)
        if v.id in info.unreviewed:
            data["unreviewed"] = True
        if v.id in info.changes:
            data["refreshed"] = [
                {"field": c.field, "old": c.old, "new": c.new, "source": c.source, "date": c.date}
                for c in info.changes[v.id]
            ]
    return data


def current_successor(catalog: Catalog, start: str | None) -> str | None:
    """The end of a successor chain: what replaces a model today."""
    chain = successor_chain(catalog, start)
    return chain[-1] if chain else None


# chains already followed, per catalog: a large catalog's retired models share a few
# lines, and `recommend` asks for each of them (the catalog is never changed in place)
_CHAINS: weakref.WeakKeyDictionary[Catalog, dict[str | None, tuple[str, ...]]] = (
    weakref.WeakKeyDictionary()
)


def successor_chain(catalog: Catalog, start: str | None) -> list[str]:
    """Follow successors from ``start`` until a current (active) family or model.

    Claude 2 -> claude-3 -> ... -> the line that is current today. Stops at a loop.
    """
    known = _CHAINS.setdefault(catalog, {})
    chain = known.get(start)
    if chain is None:
        chain = known[start] = tuple(_follow(catalog, start))
    return list(chain)


def _follow(catalog: Catalog, start: str | None) -> list[str]:
    chain: list[str] = []
    ref = start
    while ref and ref not in chain and len(chain) < 12:
        chain.append(ref)
        if ref in catalog.variants:
            v = catalog.variants[ref]
            if v.status == "active":
                break
            ref = v.successor
        elif ref in catalog.families:
            f = catalog.families[ref]
            if f.status == "active":
                break
            ref = f.successor
        else:
            break
    return chain
