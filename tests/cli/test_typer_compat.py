"""typer_compat: on Typer 0.29+ no pydantic validator is built for values that need none,
and nothing the user sees changes. On older Typer these hold trivially."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmpick.cli import typer_compat

NEW_TYPER = importlib.util.find_spec("typer._coercion") is not None

PROGRAM = """
import sys
from llmpick.cli.app import run
for argv in {cases!r}:
    code = run(argv)
    loaded = "typer._adapters" in sys.modules
    if code != 0 or loaded:
        sys.exit(f"{{argv}}: exit {{code}}, Typer's pydantic adapters loaded: {{loaded}}")
"""

CASES = [
    ["--help"],
    ["recommend", "--help"],
    ["catalog", "--help"],
    ["recommend", "--task", "chat", "--access", "open", "--gpu-memory", "24", "--commercial"],
    ["recommend", "--no-input", "--top", "3", "--max-price", "2.5", "--license", "apache-2.0"],
    ["models", "--json"],
    ["providers", "--json"],
]


def test_commands_do_not_load_typers_pydantic_adapters(fixture_catalog: Path) -> None:
    """The budget of `recommend --json` is 1.5x the import floor; Typer 0.29's adapters
    alone cost about half the floor. Checked by module, not by timing, to be stable."""
    proc = subprocess.run(
        [sys.executable, "-c", PROGRAM.format(cases=CASES)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.mark.skipif(not NEW_TYPER, reason="Typer before 0.29 builds no adapters")
def test_deferred_on_typer_with_adapters_and_only_meanwhile() -> None:
    """A Typer that renamed the hook would leave llmpick correct but slow: say so here.
    Typer's own factory is back once llmpick's command line is parsed."""
    import typer.core

    theirs = typer.core.build_runtime_param
    with typer_compat.deferring() as deferred:
        assert deferred and typer.core.build_runtime_param is not theirs
    assert typer.core.build_runtime_param is theirs


ARGVS = [
    ("--help",),
    ("recommend", "--help"),
    ("why", "--help"),
    ("catalog", "refresh", "--help"),
    ("eval", "--help"),
    ("recommend", "--top", "0"),
    ("recommend", "--top", "101"),
    ("recommend", "--top", "abc"),
    ("recommend", "--top", "3.0"),
    ("recommend", "--top", " 3", "--json"),
    ("recommend", "--max-price", "x"),
    ("recommend", "--max-price", "1e-2", "--json"),
    ("recommend", "--task", "poetry"),
    ("recommend", "--no-input", "--needs", "tools", "--needs", "vision", "--json"),
    ("recommend", "--no-input", "--top", "2", "--max-price", "0.5", "--json"),
    ("recommend", "--task"),
    ("recommend", "--nope"),
    ("models", "--json"),
]


@pytest.mark.skipif(not NEW_TYPER, reason="Typer before 0.29 builds no adapters")
def test_same_output_as_without_the_hook(
    cli: Any, fixture_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Help, errors and results are the same with Typer's own coercion (each run builds
    its commands, and so its parameters, afresh)."""
    import typer._coercion
    import typer.core

    with_hook = [cli(*argv) for argv in ARGVS]
    monkeypatch.setattr(typer.core, "build_runtime_param", typer._coercion.build_runtime_param)
    without = [cli(*argv) for argv in ARGVS]
    for argv, a, b in zip(ARGVS, with_hook, without, strict=True):
        assert (a.code, a.out, a.err) == (b.code, b.out, b.err), argv


def _typers_own(annotation: Any, value: Any, **info: Any) -> tuple[Any, Any]:
    """(quick conversion, Typer's adapter's conversion or the exception type)."""
    import typer._coercion
    from typer.models import OptionInfo

    desc = typer._coercion.resolve_type_descriptor(annotation, OptionInfo(**info))
    quick = typer_compat.quick_value(desc, value)
    try:
        own = typer._coercion.build_runtime_param(desc)._coerce_value(value, None, None)
    except Exception as exc:
        own = type(exc)
    return quick, own


def _agrees(annotation: Any, value: Any, **info: Any) -> None:
    quick, own = _typers_own(annotation, value, **info)
    if quick is not typer_compat._DECLINE:
        assert type(quick) is type(own) and quick == own, (annotation, value, quick, own)


NUMBERISH = st.text(alphabet="0123456789-+._e ", max_size=22)


@pytest.mark.skipif(not NEW_TYPER, reason="Typer before 0.29 builds no adapters")
@given(text=NUMBERISH | st.text(max_size=12), default=st.integers() | st.floats(allow_nan=False))
# no deadline: the first example builds Typer's pydantic adapters (imports included),
# which passed hypothesis's 200 ms on a loaded machine and failed the run as flaky
@settings(deadline=None)
def test_quick_conversions_are_typers(text: str, default: Any) -> None:
    for annotation in (str, int, float):
        _agrees(annotation, text)
        _agrees(annotation, default)
        _agrees(annotation, text, min=1, max=100)
        _agrees(annotation, default, min=0.05, max=3600)
    _agrees(list[str], (text, "x"))
    _agrees(list[str], [text])


@pytest.mark.skipif(not NEW_TYPER, reason="Typer before 0.29 builds no adapters")
def test_quick_path_is_taken_for_the_plain_cases() -> None:
    """Guards the speed: these must not need pydantic."""
    for annotation, value, info in [
        (str, "chat", {}),
        (int, "3", {"min": 1, "max": 100}),
        (int, 5, {"min": 1, "max": 100}),
        (float, "2.5", {}),
        (float, 60.0, {"min": 0.1, "max": 600}),
        (list[str], ("mit", "apache-2.0"), {}),
    ]:
        quick, own = _typers_own(annotation, value, **info)
        assert quick is not typer_compat._DECLINE and quick == own
