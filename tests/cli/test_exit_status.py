"""Each exit code of the contract, one case each (0, 1, 2, 3, 130), on the small test
catalog."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from llmpick.errors import ExitCode
from tests.conftest import Result

pytestmark = pytest.mark.usefixtures("fixture_catalog")

Cli = Callable[..., Result]


def test_ok(cli: Cli) -> None:
    assert cli("providers", "--json").code == ExitCode.OK == 0


def test_empty_shortlist_is_still_success(cli: Cli) -> None:
    assert cli("recommend", "--max-params", "0.0001").code == 0


def test_runtime_failure(cli: Cli, tmp_path: Path) -> None:
    assert (
        cli("recommend", "--no-input", "--export", str(tmp_path / "nope" / "x.json")).code
        == ExitCode.FAILURE
        == 1
    )


@pytest.mark.parametrize(
    "args",
    [
        ("recommend", "--task", "x"),
        ("show", "no-such-model"),
        ("guide", "no-such-term"),
        ("nonsense",),
        ("models", "--flavour"),
        ("fit", "cloudy-1"),  # an API model: nothing to fit
    ],
)
def test_usage(cli: Cli, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]) -> None:
    if args[0] == "guide":  # the guide is bundled data: the test catalog has none
        monkeypatch.delenv("LLMPICK_BASE_CATALOG")
    assert cli(*args).code == ExitCode.USAGE == 2


def test_invalid_catalog(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [\n")
    assert cli("--catalog", str(bad), "models").code == ExitCode.CATALOG == 3


def test_interrupted(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import llmpick.engine.rank

    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(llmpick.engine.rank, "recommend", interrupt)
    r = cli("recommend", "--task", "chat")
    assert r.code == ExitCode.INTERRUPTED == 130
    assert "Traceback" not in r.err


def test_unexpected_error_is_reported_as_a_bug_without_traceback(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import llmpick.engine.rank

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(llmpick.engine.rank, "recommend", boom)
    r = cli("recommend", "--task", "chat")
    assert r.code == 1
    assert "internal error" in r.err and "LLMPICK_DEBUG=1" in r.err and "Traceback" not in r.err


def test_json_escapes_terminal_controls_and_refuses_nan() -> None:
    import math

    import pytest

    from llmpick.hardware import parse_nvidia_smi
    from llmpick.jsonsafe import dumps

    text = dumps({"note": "ok\u202eevil\x9b\x1b[2J", "name": "Bokmål"})
    assert "\u202e" not in text and "\x1b" not in text and "\x9b" not in text
    assert "Bokmål" in text and __import__("json").loads(text)["note"].startswith("ok\u202e")
    with pytest.raises(ValueError):
        dumps({"x": math.nan})
    assert [g.name for g in parse_nvidia_smi("A, nan\nB, inf\nC, -1\nD, 81920")] == ["D"]
