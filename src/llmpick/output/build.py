"""The shortlist document: the JSON that `recommend --json` prints and `--export` writes.

Plain data built from a ``Recommendation``; ``output/contract.py`` holds the pydantic
models that describe it (for `llmpick schema shortlist`) and a test checks that
every document produced validates against them.
"""

from __future__ import annotations

from typing import Any

from llmpick import __version__
from llmpick.advice import decoding, how_to_load, monthly_cost, structured_output
from llmpick.catalog.layer import age_warning
from llmpick.catalog.records import Catalog, Pricing, Variant, to_data
from llmpick.engine.constraints import Exclusion
from llmpick.engine.model_facts import Price
from llmpick.engine.placement import Setup
from llmpick.engine.rank import Recommendation, Verdict, price_for
from llmpick.engine.requirements import Requirements
from llmpick.engine.scoring import RULES
from llmpick.units import format_memory, format_params, format_tokens
from llmpick.vocabulary import option_name

SCHEMA_VERSION = "1.0"


def _reason(r: Any, with_weight: bool = True) -> dict[str, Any]:
    d: dict[str, Any] = {"text": r.text, "guide": r.guide, "rule": r.rule}
    if with_weight:
        d["weight"] = r.weight
    return d


def candidate(
    c: Catalog, verdict: Verdict, rank: int | None, req: Requirements | None = None
) -> dict[str, Any]:
    """One model's entry: what it is, its score with reasons and caveats, its price at the
    request's tier, how to load and run it, and where it fits."""
    v = verdict.variant
    d = _facts(c, v, rank)
    d["score"] = verdict.score
    d["also"] = list(verdict.also)
    d["reasons"] = [_reason(r) for r in verdict.reasons]
    d["caveats"] = [_reason(r, with_weight=False) for r in verdict.caveats]
    d["caveats"] += _layer_caveats(c, v) + overlay_caveats(c, v)
    d |= {
        "hf_repo": v.access.hf_repo,
        "ollama": v.access.ollama,
        "api": v.access.api,
        "platforms": dict(v.access.platforms),
        "pricing": None,
        "sources": list(v.sources),
        "verified": v.verified.isoformat(),
    }
    price = price_for(v, req)
    if v.pricing is not None and price is not None:
        d["pricing"] = _pricing(v.pricing, price)
    e = verdict.estimate
    d["how_to_load"] = how_to_load(v)
    # the decoding the memory estimate holds: what it may write fits the context sized
    d["decoding"] = decoding(
        req.task if req is not None else None, v, e.context if e is not None else None
    )
    d["structured_output"] = _structured_output(v, req)
    d["monthly_cost"] = None
    if req is not None and req.tokens_per_month is not None:
        rates = None if price is None else (price.input, price.output, price.tier)
        d["monthly_cost"] = monthly_cost(v, *req.tokens_per_month, rates)
    if e is not None:
        # on several devices: the sum over them (each has its own overhead)
        p = verdict.placement if verdict.placement is not None else e
        d["quantization"] = e.quantization
        d["memory_gb"] = round(p.total_gb, 2)
        d["memory"] = {
            "weights_gb": round(e.weights_gb, 2),
            "kv_cache_gb": round(p.kv_cache_gb, 2),
            "overhead_gb": round(p.overhead_gb, 2),
            "context_tokens": e.context,
        }
    _hardware(d, verdict, req)
    return d


def _facts(c: Catalog, v: Variant, rank: int | None) -> dict[str, Any]:
    """What the model is, from the catalog: the entry's first fields."""
    lic = c.licenses[v.license]
    return {
        "rank": rank,
        "id": v.id,
        "name": v.name,
        "family": v.family,
        "family_name": c.families[v.family].name,
        "provider": v.provider,
        "provider_name": c.providers[v.provider].name,
        "flavour": v.flavour,
        "tuning": list(v.tuning),
        "architecture": v.architecture,
        "moe": v.moe,
        "open_weights": v.open_weights,
        "license": {
            "id": lic.id,
            "name": lic.name,
            "commercial_use": lic.commercial_use,
            "condition": lic.condition,
        },
        "params_b": v.params_b,
        "active_params_b": v.active_params_b,
        "context_window": v.context_window,
        "status": v.status,
        "successor": v.successor,
        "domain": v.domain,
        "capabilities": list(v.capabilities),
    }


def _pricing(listed: Pricing, price: Price) -> dict[str, Any]:
    """The price at the request's tier, with the list price and its sources."""
    return {
        "input_per_1m": round(price.input, 6),
        "output_per_1m": round(price.output, 6),
        "blended_per_1m": round(price.blended, 4),
        "tier": price.tier,
        "list_input_per_1m": listed.input,
        "list_output_per_1m": listed.output,
        "as_of": listed.as_of.isoformat(),
        "source": listed.source,
        "tiers_source": listed.tiers_source,
    }


def _structured_output(v: Variant, req: Requirements | None) -> dict[str, Any] | None:
    """How to get JSON out of it, when the request wants JSON (on the hardware asked)."""
    if req is None or not (req.task == "extraction" or "structured-output" in req.needs):
        return None
    hardware = "gpu"
    if req.unified_memory is not None or req.ram is not None:
        hardware = "unified" if req.unified_memory is not None else "cpu"
    return structured_output(v, hardware)


def _hardware(d: dict[str, Any], verdict: Verdict, req: Requirements | None) -> None:
    """Where the estimate sits (the split it assumed), how fast it may decode, and the
    commands that run it that way."""
    from llmpick.advice import run_lines
    from llmpick.engine.placement import setup_of

    s = verdict.speed
    if s is not None:
        d["speed"] = {
            "tokens_per_s": round(s.tokens_per_s, 1),
            "estimated": not s.measured,
            "source": "measured" if s.measured else "estimate",
            "device": s.device,
            "bandwidth_gbs": s.bandwidth_gbs,
            "read_per_token_gb": None if s.read_gb is None else round(s.read_gb, 2),
            "assumption": s.assumption,
        }
    p = verdict.placement
    setup = setup_of(req) if req is not None else None
    if p is None or setup is None:
        return
    e = p.estimate
    d["placement"] = {
        "hardware": setup.kind,
        "split": p.split,
        "devices_gb": list(p.devices),
        "per_device_gb": [round(x, 2) for x in p.per_device_gb],
        "why": p.why or None,
        "notes": list(p.notes),
    }
    d.setdefault("speed", None)
    d["run"] = run_lines(
        verdict.variant, setup.kind, p.split, p.devices, e.quantization, e.context, e.native
    )


def _layer_caveats(c: Catalog, v: Any) -> list[dict[str, Any]]:
    """What the refresh layer did to this model, said where the answer names it."""
    info = c.refresh
    if info is None:
        return []
    if v.id in info.unreviewed:
        where = ", ".join(sorted({s.partition(":")[0] for s in info.unreviewed[v.id]}))
        return [
            {
                "text": f"unreviewed: added from {where} by 'llmpick catalog refresh' "
                f"({info.fetched}); its licence, flavour, tuning and quality are not checked",
                "guide": "4.2",
            }
        ]
    changed = sorted({ch.field.replace("_", " ") for ch in info.changes.get(v.id, [])})
    if changed:
        return [
            {
                "text": f"{', '.join(changed)} refreshed {info.fetched} from the public "
                "tables (not the curated catalog)",
                "guide": "5.3",
            }
        ]
    return []


def refresh_info(c: Catalog) -> dict[str, Any] | None:
    """The refresh layer in force, for the document's catalog section."""
    info = c.refresh
    if info is None:
        return None
    return {
        "fetched": info.fetched.isoformat(),
        "sources": sorted(info.sources),
        "changed_models": len(info.changes),
        "unreviewed_models": len(info.unreviewed),
    }


def overlay_caveats(c: Catalog, v: Any) -> list[dict[str, Any]]:
    """What an overlay decided about this model, said where the answer names it."""
    from llmpick.catalog.records import overlay_facts

    return [{"text": text, "guide": guide} for text, guide in overlay_facts(c, v)]


def exclusion(verdict: Verdict, r: Requirements) -> dict[str, Any]:
    return {
        "id": verdict.variant.id,
        "name": verdict.variant.name,
        "reasons": [
            {"constraint": x.constraint, "text": _excluded_text(x, r), "guide": x.guide}
            for x in verdict.exclusions
        ],
    }


def _excluded_text(x: Exclusion, r: Requirements) -> str:
    """An exclusion's reason, with the options that would lift it when one would."""
    if not x.lifted_by:
        return x.text
    return f"{x.text} (use {relaxation_words(dict(x.lifted_by), r)} to consider it)"


def shortlist(
    c: Catalog,
    rec: Recommendation,
    *,
    named: list[str] | None = None,
) -> dict[str, Any]:
    """The whole document. ``named`` are model ids whose exclusions are spelled out.
    Its overlays are those the catalog was loaded with (LLMPICK_CATALOG's, --catalog's
    and a replaced base catalog), as its provenance lists them."""
    from llmpick.catalog.records import provenance

    req = rec.requirements.to_data()
    excluded_models = []
    for vid in named or []:
        verdict = rec.verdicts.get(vid)
        if verdict is not None and not verdict.passed:
            excluded_models.append(exclusion(verdict, rec.requirements))
    total_excluded = sum(1 for v in rec.verdicts.values() if not v.passed)
    duplicates = {
        v.variant.id: v.duplicate_of for v in rec.verdicts.values() if v.duplicate_of is not None
    }
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_by": f"llmpick {__version__}",
        "requirements": req,
        "catalog": {
            "version": c.version[:16],
            "verified": c.newest_verified.isoformat() if c.newest_verified else None,
            "families": len(c.families),
            "variants": len(c.variants),
            "overlays": provenance(c).in_force(),
            "refresh": refresh_info(c),
            "warning": age_warning(c),
        },
        "considered": len(rec.verdicts),
        "passed": rec.passed,
        "candidates": [
            candidate(c, v, i, rec.requirements) for i, v in enumerate(rec.candidates, 1)
        ],
        "excluded": {
            "total": total_excluded,
            "by_constraint": dict(rec.excluded_counts),
            "models": excluded_models,
            "duplicates": duplicates,
        },
        "blocking": [{"constraint": k, "excluded": n} for k, n in rec.blocking],
        "relaxations": [
            {
                "constraints": list(x.constraints),
                "suggestion": relaxation_words(x.changes, rec.requirements),
                "returns": x.returns,
                "top": list(x.top),
            }
            for x in rec.relaxations
        ],
    }


def relaxation_words(changes: dict[str, Any], r: Requirements) -> str:
    """A relaxation's changes (requirement field -> new value) as the options to type
    (``--gpu-memory 48``, ``drop --platform``), so a suggestion re-runs as printed."""
    words: list[str] = []
    for name, value in changes.items():
        option = option_name(name)
        if name == "gpus":
            words.append(f"--gpus {len(value)}x{value[0]:g}")
        elif name == "min_context":
            words.append(f"--min-context {format_tokens(int(value))}")
        elif name == "max_params":
            words.append(f"--max-params {format_params(value)}")
        elif isinstance(value, float | int) and not isinstance(value, bool):
            words.append(f"{option} {value:g}")  # as typed: --gpu-memory 141, --max-price 0.25
        elif name == "needs":
            dropped = [n for n in r.needs if n not in value]
            words.append(" ".join(f"drop --needs {n}" for n in dropped))
        elif value is True:
            words.append(option)
        elif value in (None, False, []):
            words.append(f"drop {option}")
        else:
            words.append(f"{option} {value}")
    text = " ".join(words) if "min_context" not in changes else " and ".join(words)
    if changes.get("access") == "any" and changes.get("hosting") == "any":
        return text + " (use an API)"
    if changes.get("access") == "any" and r.access == "proprietary":
        return text + " (open weights too)"
    if changes.get("hosting") == "any" and r.hosting == "self":
        return text + " (API-served models too)"
    return text


def fit(
    v: Variant, tokens: int, gpu_memory: float | None, setup: Setup | None = None
) -> dict[str, Any]:
    """The document of `llmpick fit`: the memory ``v`` needs to hold ``tokens`` of context,
    part by part, at each precision it can run at, and whether it fits ``gpu_memory`` GB,
    or the hardware ``setup`` (several GPUs, unified memory, RAM), laid out as recommend
    lays it out (engine/placement.py), with the split it assumed."""
    from llmpick.engine.memory import OVERHEAD_SAID, estimate, quantizations
    from llmpick.engine.placement import lay_out

    rows: list[dict[str, Any]] = []
    method = None
    split, split_why = None, None
    for q in quantizations(v):
        e = estimate(v, q, tokens)
        if e is None:
            continue
        method = e.method
        row = {
            "quantization": q,
            "as_released": e.native,
            "bits_per_weight": e.bits_per_weight,
            "weights_gb": round(e.weights_gb, 2),
            "kv_cache_gb": round(e.kv_cache_gb, 2),
            "overhead_gb": round(e.overhead_gb, 2),
            "total_gb": round(e.total_gb, 2),
            "range_gb": [round(e.low_gb, 2), round(e.high_gb, 2)],
            "fits": (e.total_gb <= gpu_memory) if gpu_memory is not None else None,
        }
        if setup is not None:
            p = lay_out(v, e, setup)
            row["fits"] = p.fits
            row["per_device_gb"] = [round(x, 2) for x in p.per_device_gb]
            split, split_why = p.split, p.why or None
        rows.append(row)
    card = 24  # GB as sold, which are GiB
    notes = [
        f"GB are 10^9 bytes; a card sold as {card} GB holds {card} GiB = "
        f"{format_memory(card * 2**30 / 1e9)}",
        f"overhead is {OVERHEAD_SAID}",
    ]
    if v.moe:
        notes.insert(1, "weights count every expert: all of them are loaded, not only the active")
    if setup is not None and setup.kind == "unified":
        from llmpick.engine.placement import unified_said

        notes.insert(0, unified_said(setup))
    if v.context_window and tokens > v.context_window:
        notes.insert(
            0,
            f"{format_tokens(tokens)} tokens is more than its "
            f"{format_tokens(v.context_window)}-token window",
        )
    return {
        "id": v.id,
        "name": v.name,
        "params_b": v.params_b,
        "active_params_b": v.active_params_b,
        "architecture": v.architecture,
        "arch": to_data(v.arch) if v.arch else None,
        "context_tokens": tokens,
        "context_window": v.context_window,
        "gpu_memory_gb": gpu_memory,
        "hardware": None
        if setup is None
        else {
            "kind": setup.kind,
            "said": setup.said,
            "devices_gb": [round(x, 2) for x in setup.devices],
            "split": split,
            "why": split_why,
        },
        "estimates": rows,
        "weights_format": v.weights_format,
        "method": method,
        "origin": None,  # a repository or folder outside the catalog: cli/fit.py sets it
        "notes": notes,
        "guide": ["2.1", "5.1"],
    }


def why(c: Catalog, rec: Recommendation, variant_id: str) -> dict[str, Any]:
    """The verdict document for one model under the requirements."""
    verdict = rec.verdicts[variant_id]
    rank = rec.rank_of(variant_id)
    data = candidate(c, verdict, rank, rec.requirements)
    data["passed"] = verdict.passed
    data["exclusions"] = exclusion(verdict, rec.requirements)["reasons"]
    data["duplicate_of"] = verdict.duplicate_of
    data["of"] = rec.passed
    data["requirements"] = rec.requirements.to_data()
    points: dict[str, float] = {spec.name: 0.0 for spec in RULES}
    for r in verdict.reasons:
        points[r.rule] = round(points.get(r.rule, 0.0) + r.weight, 1)
    data["rules"] = [{"rule": name, "points": p} for name, p in points.items()]
    data["benchmarks"] = list(rec.benchmarks)
    return data
