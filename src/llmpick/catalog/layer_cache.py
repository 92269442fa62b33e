"""The merge of the refresh layer, kept: what ``plan_merge`` found for one layer, one
catalog and one day, so that every command with a layer in force does not check each of
its entries and look up each citation again (about 17 ms of a command's start-up with a
layer of today's tables, 830 entries kept; reading the plan and building the records
from it takes about 5).

One file in the cache directory (``cache.py``'s, checked the same way): ``layer-merge.bin``,
sealed as the catalog cache is (``cache.seal``), the payload a marshal of (key, plan). The key is a
hash of the layer's bytes and path, the catalog's version (a hash of its files), the
day (a shutdown date can pass), the cache's key start (llmpick's version, the record
shapes, Python's) and the merge code's own files, so that a changed input or an edited
merge is never answered from an old plan. Only the newest plan is kept. A file that
fails its hash or its key, or a plan that does not fit the catalog, is made again,
never served.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import marshal
import os
from pathlib import Path
from typing import Any

from llmpick import clock
from llmpick.catalog.layer_merge import Plan, apply_plan, plan_merge
from llmpick.catalog.records import Catalog

MERGE_FILE = "layer-merge.bin"
MAX_PLAN_BYTES = 16 * 1024 * 1024  # a plan is a few hundred kB (the kept entries)
_CODE = [Path(__file__).with_name(f"layer_{m}.py") for m in ("format", "merge", "cache")]


def merged(cat: Catalog, raw: bytes, path: Path, on: dt.date | None = None) -> Catalog:
    """``cat`` with the layer (``raw``: the bytes of the file at ``path``) merged in, on
    day ``on``; ValueError when the layer is damaged (``layer_from_json``'s)."""
    on = on or clock.today()
    key = _key(cat, raw, path, on)
    file = _file()
    plan = _read(file, key) if file is not None else None
    if plan is not None:
        try:
            return apply_plan(cat, plan, on)
        except Exception:  # a plan that does not fit: made again below, never served
            pass
    from llmpick.catalog.layer_format import layer_from_json  # only to make a plan

    plan = plan_merge(cat, layer_from_json(raw), on, path=str(path))
    if file is not None:
        _write(file, key, plan)
    return apply_plan(cat, plan, on)


def _key(cat: Catalog, raw: bytes, path: Path, on: dt.date) -> bytes:
    from llmpick.catalog.cache import blake2b, key_start

    h = blake2b(key_start())
    for code in _CODE:  # an edited merge makes new plans
        try:
            st = os.stat(code)
            h.update(f"|{st.st_mtime_ns}:{st.st_size}".encode())
        except OSError:
            h.update(b"|-")
    h.update(f"|{cat.version}|{on.isoformat()}|{path}|".encode())
    h.update(raw)
    return h.hexdigest().encode()


def _file() -> Path | None:
    from llmpick.catalog.cache import cache_dir, private_dir

    base = cache_dir()
    if base is None or not private_dir(base):
        return None
    return base / MERGE_FILE


def _read(file: Path, key: bytes) -> Plan | None:
    from llmpick.files import read_bounded

    try:
        raw = read_bounded(file, MAX_PLAN_BYTES, private=True)
    except OSError:
        return None
    from llmpick.catalog.cache import unseal

    payload = unseal(raw)
    if payload is None:
        return None
    try:
        stored: Any = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if type(stored) is not tuple or len(stored) != 2 or stored[0] != key:
        return None
    plan = stored[1]
    return plan if type(plan) is dict else None


def _write(file: Path, key: bytes, plan: Plan) -> None:
    from llmpick.catalog.cache import seal
    from llmpick.errors import WriteError
    from llmpick.files import write_atomic

    try:
        payload = marshal.dumps((key, plan))
    except ValueError:  # not plain data: a bug, but only a cost here
        return
    if len(payload) >= MAX_PLAN_BYTES:
        return
    with contextlib.suppress(OSError, WriteError):  # a plan not kept only costs speed
        write_atomic(file, seal(payload), mode=0o600)  # private as the layer it comes from
