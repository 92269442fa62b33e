"""The documents `catalog refresh --json` and `catalog status --json` print have the
shape catalog/refresh_types.py declares (every key, no more, each value's type), in
each of their forms: no layer, a first refresh over a damaged layer, facts changed,
models added and missing upstream, a layer with damaged entries."""

from __future__ import annotations

import json
from collections.abc import Callable

from llmpick.catalog import layer as L
from llmpick.catalog.refresh_types import CatalogStatus, RefreshReport
from tests.conftest import Result
from tests.doc_types import problems
from tests.refresh_upstream import Upstream

Cli = Callable[..., Result]


def test_refresh_and_status_documents_have_the_declared_shape(cli: Cli, upstream: Upstream) -> None:
    def doc(*args: str) -> dict[str, object]:
        r = cli(*args, "--json")
        assert r.code == 0, r
        found: dict[str, object] = json.loads(r.out)
        return found

    status = doc("catalog", "status")
    assert status["layer"] is None and problems(status, CatalogStatus) == []

    L.layer_path().parent.mkdir(parents=True, exist_ok=True)
    L.layer_path().write_bytes(b'{"format": 1, "sources": ')  # damaged as a whole
    upstream.data["litellm"]["gpt-t"]["input_cost_per_token"] = 1.5e-06  # a price moves
    del upstream.data["litellm"]["gpt-t-old"]  # a cited key goes missing
    first = doc("catalog", "refresh", *upstream.args())
    assert "previous_problem" in first and first["changed"] and first["missing"]
    assert problems(first, RefreshReport) == []

    data = json.loads(L.layer_path().read_text())
    data["sources"]["litellm"]["models"]["gpt-t"]["input"] = "free"  # one damaged entry
    L.layer_path().write_text(json.dumps(data))
    status = doc("catalog", "status")
    assert status["layer"] and status["layer_problem"]
    assert problems(status, CatalogStatus) == []
    again = doc("catalog", "refresh", "--dry-run", *upstream.args())
    assert again["previous_damaged"] == 1 and again["previous"]
    assert problems(again, RefreshReport) == []
