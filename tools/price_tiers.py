"""Add long-prompt, batch and cached-input prices to the catalog from a LiteLLM snapshot.

    python tools/price_tiers.py LITELLM_JSON [--write]

For every variant with a `pricing:` line, the LiteLLM entry it cites (or the one named
by its API id, alone or with the provider's LiteLLM prefix) is used only when its base
prices equal the catalog's: the tiers then come from the same list the base price was
checked against, cited as `tiers_source: "litellm:KEY"`. Without --write, prints what
it would add. The snapshot's date is the `as_of` already on the line (checked the same
day); a line whose base price differs is left alone and listed.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PREFIXES = ("", "gemini/", "anthropic/", "xai/", "deepseek/", "mistral/", "moonshot/", "openai/")
_LONG = re.compile(r"^input_cost_per_token_above_(\d+)k_tokens$")
_LINE = re.compile(r"^(\s+pricing: \{.*?)(\}\s*)$")


def per_million(x: float) -> float:
    return round(x * 1e6, 6)


def tiers(entry: dict[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    longs = sorted(int(m.group(1)) for k in entry if (m := _LONG.match(k)))
    if longs:
        k = longs[0]
        i = entry.get(f"input_cost_per_token_above_{k}k_tokens")
        o = entry.get(f"output_cost_per_token_above_{k}k_tokens")
        if isinstance(i, float | int) and isinstance(o, float | int):
            out.update(long_above=k * 1000, long_input=per_million(i), long_output=per_million(o))
    bi, bo = entry.get("input_cost_per_token_batches"), entry.get("output_cost_per_token_batches")
    if isinstance(bi, float | int) and isinstance(bo, float | int):
        out.update(batch_input=per_million(bi), batch_output=per_million(bo))
    cached = entry.get("cache_read_input_token_cost")
    if isinstance(cached, float | int):
        out["cached_input"] = per_million(cached)
    return out


def keys_for(variant: dict[str, object], pricing: dict[str, object]) -> list[str]:
    source = str(pricing.get("source", ""))
    keys = [source.removeprefix("litellm:")] if source.startswith("litellm:") else []
    access = variant.get("access") or {}
    api = access.get("api") if isinstance(access, dict) else None
    if api:
        keys += [f"{p}{api}" for p in PREFIXES]
    return keys


def main() -> None:
    snapshot = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    write = "--write" in sys.argv
    added = skipped = 0
    for path in sorted((ROOT / "catalog" / "families").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
        lines = text.splitlines(keepends=True)
        changed = False
        for vid, v in (data.get("variants") or {}).items():
            p = v.get("pricing") if isinstance(v, dict) else None
            if not isinstance(p, dict) or "tiers_source" in p:
                continue
            for key in keys_for(v, p):
                e = snapshot.get(key)
                if not isinstance(e, dict) or "input_cost_per_token" not in e:
                    continue
                same = (
                    abs(per_million(e["input_cost_per_token"]) - p["input"]) < 1e-9
                    and abs(per_million(e.get("output_cost_per_token", -1)) - p["output"]) < 1e-9
                )
                found = tiers(e)
                if not same or not found:
                    if not same:
                        skipped += 1
                    continue
                # the pricing line of this variant: the first after its key
                start = next(i for i, ln in enumerate(lines) if ln.strip() == f"{vid}:")
                at = next(i for i in range(start, len(lines)) if _LINE.match(lines[i]))
                extra = "".join(
                    f", {k}: {x:g}" if not isinstance(x, int) else f", {k}: {x}"
                    for k, x in found.items()
                )
                m = _LINE.match(lines[at])
                assert m is not None
                lines[at] = f'{m.group(1)}{extra}, tiers_source: "litellm:{key}"{m.group(2)}'
                print(f"{path.relative_to(ROOT)} {vid}: litellm:{key} {found}")
                added += 1
                changed = True
                break
        if changed and write:
            path.write_text("".join(lines), encoding="utf-8")
    print(f"{added} variants with tiers; {skipped} entries skipped for a different base price")


if __name__ == "__main__":
    main()
