"""The library API works without the command line."""

from __future__ import annotations

import llmpick


def test_library_api_end_to_end() -> None:
    catalog = llmpick.load_catalog()  # the public entry, through the session's cache
    req = llmpick.build_requirements({"task": "chat", "access": "open", "gpu_memory": "24GB"})
    rec = llmpick.recommend(catalog, req, top=3)
    doc = llmpick.shortlist(catalog, rec)
    assert len(doc["candidates"]) == 3
    assert all(c["memory_gb"] <= 24 for c in doc["candidates"])
    verdict = llmpick.why(catalog, rec, doc["candidates"][0]["id"])
    assert verdict["rank"] == 1
    assert set(llmpick.__all__) <= set(dir(llmpick)) | set(llmpick._EXPORTS)
