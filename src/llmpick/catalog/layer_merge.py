"""Merging a refresh layer into a catalog: ``apply_layer``, a pure function (catalog +
layer -> catalog, with a record of every fact it changed), run after loading and caching
so that the cache of the curated catalog stays valid. It is two steps: ``plan_merge``
does the work (the look-ups and choices below) and says what changes as plain data,
which ``layer_cache.py`` keeps between runs; ``apply_plan`` builds the records.

What the merge may change, on a catalog model matched by a key it cites:
- prices (from the key the price cites; else a first-party key the model cites);
- context window and maximum output (API-only models, first-party keys only, since a
  cloud platform's limits are its own; differences under 3% are rounding, 128,000 for
  131,072, not changes);
- lifecycle: an announced shutdown makes an active API model deprecated, a past one
  retired (forwards only, never back).
A curated fact checked after the upstream data was fetched wins. Licence, flavour,
tuning and the open-weights flag are never read from upstream. Nothing is deleted: an
entry gone upstream keeps its last known facts and is reported as missing.

What it may add: API models of the catalog's providers that the catalog does not have,
each marked unreviewed (a family ``unreviewed-<provider>``, the licence
``unreviewed-api-terms``) with what upstream knows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

from llmpick import clock
from llmpick.catalog.records import (
    Access,
    Catalog,
    Family,
    License,
    Pricing,
    Provider,
    Variant,
)
from llmpick.vocabulary import CAPABILITIES, ID_CHARS, MODALITIES, UNREVIEWED_LICENSE

if TYPE_CHECKING:  # what a layer holds is read only when a kept merge cannot serve
    from llmpick.catalog.layer_format import Layer

R = TypeVar("R")  # a record

TOLERANCE = 0.03  # limits that differ by less are the same number, rounded
_MD_FIELDS = frozenset(
    (
        "cost", "limit", "release_date", "last_updated", "modalities", "tool_call",
        "reasoning", "structured_output", "name", "status", "open_weights", "knowledge",
        "attachment", "temperature", "family", "input", "output", "context", "base_model",
    )
)  # fmt: skip


_ID_BAD = re.compile(rf"[^{ID_CHARS}]+")


# a date stamp at the end of an API id: -2025-08-07, -20250807, -0905, -05-2026
_STAMPED = re.compile(r"-(?:20\d\d-?\d\d-?\d\d|\d{4}|\d\d-20\d\d)$")


def citation_key(source: str, known: Mapping[str, Any] | None = None) -> tuple[str, str] | None:
    """(dataset, key) of a ``dataset:key`` citation of a refreshable dataset, or None.

    A models.dev citation may name a field of an entry (``...models.gpt-4.1.cost``); with
    ``known`` given, the field is dropped when the longer key is not an entry.
    """
    from llmpick.catalog.layer_format import SOURCES

    ds, sep, key = source.partition(":")
    if not sep or ds not in SOURCES or source.startswith(("http://", "https://")):
        return None
    if "*" in key:
        return None
    if ds == "models.dev":
        if not key.startswith("providers.") or ".models." not in key:
            return None
        if known is not None:
            k = key
            while k not in known:
                head, dot, last = k.rpartition(".")
                if not dot or last not in _MD_FIELDS or ".models." not in head:
                    return ds, key
                k = head
            return ds, k
    return ds, key


def cited_sources(v: Variant) -> list[str]:
    out = [v.pricing.source] if v.pricing is not None else []
    return out + [s for s in v.sources if s not in out]


@dataclass(slots=True)
class Change:
    """One fact the layer changed on one model."""

    field: str  # "price" | "context_window" | "max_output" | "status" | "api_status"
    old: Any
    new: Any
    source: str  # dataset:key
    date: str  # when upstream was read


@dataclass(slots=True)
class RefreshInfo:
    """What a layer did to a catalog (``Catalog.refresh``)."""

    path: str
    written: str
    sources: dict[str, tuple[str, str, int]]  # name -> (url, fetched, entries)
    fetched: dt.date
    changes: dict[str, list[Change]] = field(default_factory=dict)
    confirmed: int = 0  # prices upstream still agrees with (their date moved on)
    unreviewed: dict[str, list[str]] = field(default_factory=dict)  # id -> sources
    damaged: int = 0  # entries of the layer ignored for their shape

    def summary(self) -> str:
        """One short line (the note every command prints: 80 columns with its label);
        ``catalog status`` names the sources."""
        damaged = f"; {self.damaged:,} damaged entries ignored" if self.damaged else ""
        return f"prices and limits refreshed {self.fetched}{damaged}"


def _close(a: int | None, b: int) -> bool:
    return a is not None and abs(a - b) <= TOLERANCE * max(a, b)


def _lookup(layer: Layer, source: str) -> tuple[str, dict[str, Any]] | None:
    """(normalised citation, entry) for a citation of an entry in the layer, else None.
    (Every command runs this for every citation in the catalog: kept to dict lookups.)"""
    ds, _, key = source.partition(":")
    data = layer.sources.get(ds)
    if data is None:
        return None
    e = data.models.get(key)
    if e is not None:
        return source, e
    if ds == "models.dev":  # a citation of one field of an entry
        ck = citation_key(source, data.models)
        if ck is not None and ck[1] in data.models:
            return f"{ds}:{ck[1]}", data.models[ck[1]]
    return None


def _with(v: R, updates: Mapping[str, Any]) -> R:
    """A copy of record ``v`` with some fields replaced: dataclasses.replace without its
    cost, and without ``__post_init__``'s checks, which the values kept already passed
    (a refreshed price, limit or status is checked when the layer is read)."""
    new = object.__new__(type(v))
    for name in v.__dataclass_fields__:  # type: ignore[attr-defined]
        object.__setattr__(new, name, updates[name] if name in updates else getattr(v, name))
    return new


def _merge_variant(
    v: Variant,
    found: list[tuple[str, dict[str, Any]]],
    price_hit: tuple[str, dict[str, Any]] | None,
    today: dt.date,
) -> tuple[dict[str, Any], list[ChangeRow], bool]:
    """The facts of the layer entries ``v`` cites (``found``; ``price_hit`` is the one
    its price cites) that change it, as plain data (``_decoded`` makes them values), the
    changes, and whether upstream confirmed its price."""
    if not found:
        return {}, [], False
    # the maker's own API: the entry's provider and model id are the variant's
    own = [
        (src, e)
        for src, e in found
        if e.get("provider") == v.provider and v.access.api and e.get("model") == v.access.api
    ]
    own.sort(key=lambda x: not x[0].startswith("models.dev:"))  # its context is the window
    updates: dict[str, Any] = {}
    changes: list[ChangeRow] = []
    # the key the curated price cites, then the maker's API
    priced = [price_hit, *own] if price_hit is not None else own
    confirmed = _merge_price(v, priced, updates, changes)
    # limits and lifecycle: only from what was read after the model was checked
    fresh = [(src, e) for src, e in own if dt.date.fromisoformat(e["seen"]) >= v.verified]
    if not v.open_weights:  # an open model's window is the weights' fact, not an API's
        _merge_limits(v, fresh, updates, changes)
    _merge_lifecycle(v, fresh, today, updates, changes)
    return updates, changes, confirmed


def _merge_price(
    v: Variant,
    priced: list[tuple[str, dict[str, Any]]],
    updates: dict[str, Any],
    changes: list[ChangeRow],
) -> bool:
    """The first priced entry's price, unless the curated price was checked after
    upstream was read; True when upstream only confirms the curated price (its date and
    source move on)."""
    for src, e in priced:
        if "input" not in e or "output" not in e:
            continue
        seen = dt.date.fromisoformat(e["seen"])
        p = v.pricing
        if p is not None and p.as_of > seen:
            return False  # the curated price was checked after upstream was read
        new = (e["input"], e["output"])
        if p is not None and abs(p.input - new[0]) < 1e-9 and abs(p.output - new[1]) < 1e-9:
            if src == p.source or citation_key(p.source) is None:
                updates["pricing"] = ("confirmed", e["seen"], src)
                return True
            return False
        updates["pricing"] = ("new", new[0], new[1], e["seen"], src)
        changes.append(("price", [p.input, p.output] if p else None, list(new), src, e["seen"]))
        return False
    return False


_LIMITS = (("context_window", "context"), ("max_output", "max_output"))  # field, entry key


def _merge_limits(
    v: Variant,
    fresh: list[tuple[str, dict[str, Any]]],
    updates: dict[str, Any],
    changes: list[ChangeRow],
) -> None:
    """Context window and maximum output from the first entry that gives each;
    differences within TOLERANCE are rounding, not changes."""
    for name, key in _LIMITS:
        if name == "max_output" and v.flavour == "embedding":
            continue  # an embedding's "output" upstream is its vector size
        cur = getattr(v, name)
        for src, e in fresh:
            value = e.get(key)
            if value is None and name == "context_window" and cur is None:
                value = e.get("max_input")  # an input cap: a safe lower bound
            if value is None:
                continue
            if not _close(cur, value):
                updates[name] = value
                changes.append((name, cur, value, src, e["seen"]))
            break


# how far along its lifecycle a model is: a refresh moves it forwards only
_API_ORDER = {None: 0, "active": 0, "deprecated": 1, "retired": 2}
_STATUS_ORDER = {"active": 0, "legacy": 0, "deprecated": 1, "retired": 2}


def _merge_lifecycle(
    v: Variant,
    fresh: list[tuple[str, dict[str, Any]]],
    today: dt.date,
    updates: dict[str, Any],
    changes: list[ChangeRow],
) -> None:
    """The first announced shutdown: deprecated, or retired once its date has passed.
    For open weights it is the maker's API that goes (``api_status``): the weights stay."""
    name, order = ("api_status", _API_ORDER) if v.open_weights else ("status", _STATUS_ORDER)
    for src, e in fresh:
        when = e.get("deprecation")
        if when is None and not e.get("deprecated"):
            continue
        past = when is not None and dt.date.fromisoformat(when) <= today
        target = "retired" if past else "deprecated"
        cur = getattr(v, name)
        if order[cur] < order[target]:
            updates[name] = target
            changes.append((name, cur, target, src, when or e["seen"]))
        break


def apply_layer(
    cat: Catalog, layer: Layer, *, path: str = "", on: dt.date | None = None
) -> Catalog:
    """The catalog with the layer's facts merged in and its unreviewed models added.

    Pure: ``cat`` is not modified. The result's ``refresh`` records every change.
    """
    on = on or clock.today()
    return apply_plan(cat, plan_merge(cat, layer, on, path=path), on)


Plan = dict[str, Any]
"""What merging a layer into a catalog on a day does, as plain data (strings, numbers,
lists, tuples and dicts, which marshal keeps: ``layer_cache.py``): ``path``,
``written``, ``sources`` [(name, url, fetched, entries)], ``damaged``, ``merged``
[(variant id, updates, changes, price confirmed)] and ``added`` [(id, provider, API
id, [(citation, entry)])], the unreviewed models."""
ChangeRow = tuple[str, Any, Any, str, str]  # a Change as plain data


def plan_merge(cat: Catalog, layer: Layer, on: dt.date, *, path: str = "") -> Plan:
    """What merging ``layer`` into ``cat`` on day ``on`` does (the checks, look-ups and
    choices: most of the merge's work), for ``apply_plan`` to build."""
    merged, known_api, cited = _merge_cited(cat, layer, on)
    return {
        "path": path,
        "written": layer.written,
        "sources": [(n, s.url, s.fetched, s.entries) for n, s in sorted(layer.sources.items())],
        "damaged": layer.damaged,
        "merged": merged,
        "added": _unreviewed(cat, layer, known_api, cited, on),
    }


def apply_plan(cat: Catalog, plan: Plan, on: dt.date) -> Catalog:
    """The catalog with a plan (``plan_merge``'s) carried out: changed models replaced
    by changed copies, the unreviewed ones added. ``cat`` is not modified."""
    sources = plan["sources"]
    info = RefreshInfo(
        path=plan["path"],
        written=plan["written"],
        sources={n: (url, fetched, entries) for n, url, fetched, entries in sources},
        fetched=max(dt.date.fromisoformat(fetched) for _, _, fetched, _ in sources),
        damaged=plan["damaged"],
    )
    variants = dict(cat.variants)
    for vid, updates, changes, confirmed in plan["merged"]:
        if updates:
            variants[vid] = _with(cat.variants[vid], _decoded(cat.variants[vid], updates))
        if changes:
            info.changes[vid] = [Change(*c) for c in changes]
        info.confirmed += confirmed
    added = [_unreviewed_variant(vid, p, model, got, on) for vid, p, model, got in plan["added"]]
    families = dict(cat.families)
    licenses = dict(cat.licenses)
    if added:
        licenses.setdefault(UNREVIEWED_LICENSE, _UNREVIEWED_TERMS)
    urls = [url for _, url, _, _ in sources]
    for v in added:
        if v.id in variants:
            continue
        variants[v.id] = v
        info.unreviewed[v.id] = list(v.sources)
        fam = families.get(v.family)
        if fam is None:
            fam = families[v.family] = _unreviewed_family(v, cat.providers[v.provider], urls)
        elif v.family in cat.families:  # the curated family's list stays as it was
            fam = families[v.family] = replace(fam, variants=list(fam.variants))
        fam.variants.append(v.id)
    out = Catalog(
        version=cat.version,
        providers=cat.providers,
        licenses=licenses,
        families=families,
        variants=variants,
        datasets=cat.datasets,
    )
    out.refresh = info
    out.provenance = cat.provenance
    return out


def _decoded(v: Variant, updates: Mapping[str, Any]) -> dict[str, Any]:
    """A plan's updates of ``v`` as field values: a price is ("new", input, output, seen,
    citation), or ("confirmed", seen, citation) for the curated price read again."""
    out = dict(updates)
    price = out.get("pricing")
    if price is not None and price[0] == "new":
        _, i, o, seen, src = price
        out["pricing"] = Pricing(i, o, dt.date.fromisoformat(seen), src)
    elif price is not None:
        _, seen, src = price
        if v.pricing is None:
            raise ValueError(f"{v.id}: a price confirmed, but it has none")
        out["pricing"] = _with(v.pricing, {"as_of": dt.date.fromisoformat(seen), "source": src})
    return out


def _merge_cited(
    cat: Catalog, layer: Layer, on: dt.date
) -> tuple[list[tuple[str, dict[str, Any], list[ChangeRow], bool]], set[tuple[str, str]], set[str]]:
    """For each catalog model citing entries of the layer: (its id, the facts they
    change, the changes, whether its price was confirmed); then the (provider, API id)
    pairs of the catalog, and the citations found in the layer."""
    merged = []
    known_api: set[tuple[str, str]] = set()
    cited: set[str] = set()
    in_layer = tuple(f"{name}:" for name in layer.sources)  # the citations to look up
    for vid, v in cat.variants.items():
        if v.access.api:
            known_api.add((v.provider, v.access.api))
        found = []
        for s in cited_sources(v):
            hit = _lookup(layer, s) if s.startswith(in_layer) else None
            if hit is not None:
                cited.add(hit[0])
                found.append(hit)
        price_hit = None
        if found and v.pricing is not None and _lookup(layer, v.pricing.source) is not None:
            price_hit = found[0]  # cited_sources lists the price's source first
        updates, changes, confirmed = _merge_variant(v, found, price_hit, on)
        if updates or changes or confirmed:
            merged.append((vid, updates, changes, confirmed))
    return merged, known_api, cited


def _unreviewed_family(v: Variant, prov: Provider, urls: list[str]) -> Family:
    """The family that holds a provider's unreviewed models."""
    return Family(
        id=v.family,
        name=f"{prov.name} API models not yet reviewed",
        provider=v.provider,
        released=None,
        architecture="undisclosed",
        moe=False,
        modalities=["text"],
        languages=[],
        domain="general",
        status="active",
        successor=None,
        description=(
            f"Models {prov.name} serves through its API that llmpick's catalog does "
            "not cover yet, added by 'llmpick catalog refresh' with what the public "
            "tables say; their licence, flavour and tuning have not been reviewed."
        ),
        guide=[],
        aliases=[],
        sources=list(urls),
        variants=[],
        file="refresh layer",
    )


_UNREVIEWED_TERMS = License(
    id=UNREVIEWED_LICENSE,
    name="The provider's API terms (not reviewed by llmpick)",
    commercial_use="conditional",
    condition="an unreviewed model added by 'llmpick catalog refresh': read the provider's "
    "terms of service before relying on it commercially",
    proprietary=True,
)


def _first_word(model: str) -> str:
    return re.split(r"[-._/: ]", model.lower(), maxsplit=1)[0]


def _model_id(model: str) -> str:
    return _ID_BAD.sub("-", model.lower()).strip("-._") or "model"


def _unreviewed(
    cat: Catalog,
    layer: Layer,
    known_api: set[tuple[str, str]],
    cited: set[str],
    today: dt.date,
) -> list[tuple[str, str, str, list[tuple[str, dict[str, Any]]]]]:
    """The layer's API models of the catalog's providers that the catalog does not have
    under any name, each with a free id: (id, provider, API id, its entries), for
    ``_unreviewed_variant``."""
    from llmpick.catalog.query import norm as _norm

    out = []
    known = set(cat.variants) | {_model_id(m) for _, m in known_api}
    taken = set(cat.variants) | set(cat.families)
    curated = _curated_names(cat)
    makers = _makers(cat)
    for (provider, model), entries in sorted(_uncited(cat, layer, known_api, cited, today).items()):
        if provider not in makers.get(_first_word(model), {provider}):
            continue  # another maker's model served by this provider
        undated = _STAMPED.sub("", model)
        vid = _model_id(model)
        if vid in known or _model_id(undated) in known:
            continue  # a catalog model under another name, or a dated alias of one
        if _norm(model) in curated or _norm(undated) in curated:
            continue  # a curated name in another spelling: the curated entry is the model
        if not any("input" in e and "output" in e for _, e in entries):
            continue  # no price: not something upstream sells as a model
        if vid in taken:
            vid = _model_id(f"{provider}-{model}")
            if vid in taken:
                continue
        taken.add(vid)
        out.append((vid, provider, model, entries))
    return out


def _uncited(
    cat: Catalog,
    layer: Layer,
    known_api: set[tuple[str, str]],
    cited: set[str],
    today: dt.date,
) -> dict[tuple[str, str], list[tuple[str, dict[str, Any]]]]:
    """The layer's text models of the catalog's providers that no catalog model cites or
    serves under their API id, and not shut down: (provider, model) -> its entries."""
    from llmpick.catalog.layer_format import as_date

    groups: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for name in ("models.dev", "litellm"):  # models.dev first: its context is the window
        if name not in layer.sources:
            continue
        for key, e in sorted(layer.sources[name].models.items()):
            provider, model, kind = e.get("provider"), e.get("model"), e.get("kind")
            if not (isinstance(provider, str) and isinstance(model, str) and kind):
                continue
            if provider not in cat.providers or f"{name}:{key}" in cited:
                continue
            if (provider, model) in known_api or model.startswith("ft:"):
                continue
            when = as_date(e.get("deprecation"))
            if when is not None and dt.date.fromisoformat(when) <= today:
                continue  # already shut down: nothing to recommend
            groups.setdefault((provider, model), []).append((f"{name}:{key}", e))
    return groups


def _curated_names(cat: Catalog) -> set[str]:
    """Every spelling of a curated name, normalised: a variant's id and name, a family's
    id, name and aliases ('claude-sonnet-4.5' is claude-sonnet-4-5; 'gpt-oss' is the
    family)."""
    from llmpick.catalog.query import norm as _norm

    curated = {_norm(v.id) for v in cat.variants.values()}
    curated |= {_norm(v.name) for v in cat.variants.values()}
    for f in cat.families.values():
        curated |= {_norm(f.id), _norm(f.name), *(_norm(a) for a in f.aliases)}
    return curated


def _makers(cat: Catalog) -> dict[str, set[str]]:
    """Who makes each line, by the first word of its family ids: a provider's API that
    resells another maker's model ('deepseek-...' on Mistral's) is not its maker."""
    makers: dict[str, set[str]] = {}
    for f in cat.families.values():
        makers.setdefault(_first_word(f.id), set()).add(f.provider)
    return makers


def _first(entries: list[tuple[str, dict[str, Any]]], key: str) -> Any:
    return next((e[key] for _, e in entries if key in e), None)


def _unreviewed_variant(
    vid: str, provider: str, model: str, entries: list[tuple[str, dict[str, Any]]], today: dt.date
) -> Variant:
    """An unreviewed API model, with the first value each entry gives (models.dev's
    first) and nothing upstream does not know."""
    srcs = [s for s, _ in entries]
    seen = max(dt.date.fromisoformat(e["seen"]) for _, e in entries)
    has_caps = {c for _, e in entries for c in e.get("capabilities", ())}
    has_mods = {m for _, e in entries for m in e.get("modalities", ())}
    caps: list[Any] = [c for c in CAPABILITIES if c in has_caps]
    mods: list[Any] = [m for m in MODALITIES if m in has_mods]
    when = _first(entries, "deprecation")
    deprecated = when is not None or any(e.get("deprecated") for _, e in entries)
    released = _first(entries, "released")
    flavour = _first(entries, "kind")
    return Variant(
        id=vid,
        family=f"unreviewed-{provider}",
        provider=provider,
        name=_first(entries, "name") or model,
        flavour=flavour if flavour in ("chat", "instruct", "embedding") else "chat",
        tuning=["undisclosed"],
        architecture="undisclosed",
        moe=False,
        params_b=None,
        active_params_b=None,
        context_window=_first(entries, "context") or _first(entries, "max_input"),
        max_output=_first(entries, "max_output"),
        open_weights=False,
        license=UNREVIEWED_LICENSE,
        status="deprecated" if deprecated else "active",
        successor=None,
        base_model=None,
        domain="general",
        modalities=mods or ["text"],
        languages=[],
        capabilities=caps,
        access=Access(api=model),
        arch=None,
        pricing=_first_price(entries),
        evidence=[],
        released=dt.date.fromisoformat(released) if released else None,
        sources=srcs,
        verified=min(seen, today),
        notes=_unreviewed_note(srcs, seen, when),
        api_status="deprecated" if deprecated else None,
    )


def _first_price(entries: list[tuple[str, dict[str, Any]]]) -> Pricing | None:
    for src, e in entries:
        if "input" in e and "output" in e:
            return Pricing(e["input"], e["output"], dt.date.fromisoformat(e["seen"]), src)
    return None


def _unreviewed_note(srcs: list[str], seen: dt.date, shutdown: str | None) -> str:
    return (
        "unreviewed: added by 'llmpick catalog refresh' from "
        + ", ".join(sorted({s.partition(":")[0] for s in srcs}))
        + f" on {seen}; its facts are upstream's, not checked by llmpick"
        + (f"; shutdown announced for {shutdown}" if shutdown else "")
    )
