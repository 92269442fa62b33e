"""Every malformed-catalog case exits 3 with one line per problem naming file and line/path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CATALOG, GOOD_FAMILY, Result, runs_in_a_process


def overlay(tmp_path: Path, text: str | bytes, name: str = "widget.yaml") -> Path:
    fam_dir = tmp_path / "overlay" / "families" / "acme"
    fam_dir.mkdir(parents=True, exist_ok=True)
    data = text.encode() if isinstance(text, str) else text
    (fam_dir / name).write_bytes(data)
    return tmp_path / "overlay"


CASES: dict[str, tuple[str | bytes | Callable[[], bytes], str]] = {
    "bad yaml": (GOOD_FAMILY + "  oops: [unclosed\n", "widget.yaml:16: invalid YAML"),
    "wrong type": (
        GOOD_FAMILY.replace("params_b: 1.0", "params_b: lots"),
        "widget.yaml:14: variants.widget-1b.params_b",
    ),
    "unknown key": (GOOD_FAMILY + "colour: blue\n", "widget.yaml:15: colour: unknown key"),
    "unknown flavour": (
        GOOD_FAMILY.replace("flavour: base", "flavour: sassy"),
        "variants.widget-1b.flavour",
    ),
    "missing field": (
        GOOD_FAMILY.replace("status: active\n", ""),
        "status: required field is missing",
    ),
    "duplicate key": (
        GOOD_FAMILY + "  widget-1b:\n    name: again\n    flavour: base\n",
        "duplicate key 'widget-1b'",
    ),
    "dangling provider": (
        GOOD_FAMILY.replace("provider: acme", "provider: nobody"),
        "unknown provider 'nobody'",
    ),
    "dangling licence": (
        GOOD_FAMILY.replace("license: apache-2.0", "license: made-up"),
        "unknown licence 'made-up'",
    ),
    "dangling successor": (
        GOOD_FAMILY.replace("status: active", "status: legacy\nsuccessor: nothing-here"),
        "widget.yaml:5: successor: 'nothing-here' is not a family or variant",
    ),
    "dangling base model": (
        GOOD_FAMILY + "    base_model: ghost\n",
        "variants.widget-1b.base_model: 'ghost' is not a variant",
    ),
    "id inside file": ("id: widget\n" + GOOD_FAMILY, "the family id comes from the file name"),
    "python tag": ("!!python/object/apply:os.system ['echo pwned']\n", "plain data only"),
    "not a mapping": ("- just\n- a list\n", "a family file is a mapping"),
    "non-utf8": (GOOD_FAMILY.encode() + b"notes: caf\xe9\n", "widget.yaml:15: not UTF-8"),
    "alias bomb": (
        lambda: (
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n"
                for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            )
        ).encode(),
        "expands to more than",
    ),
    "deep nesting": (
        lambda: (GOOD_FAMILY + "notes: " + "[" * 5000 + "]" * 5000 + "\n").encode(),
        "widget.yaml",
    ),
    "huge file": (
        lambda: GOOD_FAMILY.encode() + b"# " + b"x" * (3 * 1024 * 1024) + b"\n",
        "the limit is",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_malformed_overlay_exits_3_with_located_message(
    case: str, tmp_path: Path, fixture_catalog: Path, cli: Callable[..., Result]
) -> None:
    text, expected = CASES[case]
    data = text() if callable(text) else text
    path = overlay(tmp_path, data)
    result = cli("catalog", "validate", str(path))
    assert result.code == 3, result
    assert expected in result.err, result
    assert "Traceback" not in result.err
    assert result.err.strip().splitlines()[-2].startswith("error: the catalog has"), result


def test_duplicate_variant_id_across_files(
    tmp_path: Path, fixture_catalog: Path, cli: Callable[..., Result]
) -> None:
    path = overlay(tmp_path, GOOD_FAMILY.replace("widget-1b:", "rocket-7b:"))
    result = cli("catalog", "validate", str(path))
    assert result.code == 3, result
    assert "duplicate variant id 'rocket-7b'" in result.err, result


def test_duplicate_family_file_in_one_catalog(
    tmp_path: Path, fixture_catalog: Path, cli: Callable[..., Result]
) -> None:
    path = overlay(tmp_path, GOOD_FAMILY)
    other = path / "families" / "open-collective"
    other.mkdir(parents=True)
    (other / "widget.yaml").write_text(
        GOOD_FAMILY.replace("widget-1b", "widget-2b").replace("acme", "open-collective")
    )
    result = cli("catalog", "validate", str(path))
    assert result.code == 3, result
    assert "duplicate family id 'widget'" in result.err, result


def test_provider_folder_must_match(
    tmp_path: Path, fixture_catalog: Path, cli: Callable[..., Result]
) -> None:
    path = overlay(tmp_path, GOOD_FAMILY.replace("provider: acme", "provider: open-collective"))
    result = cli("catalog", "validate", str(path))
    assert result.code == 3, result
    assert "does not match the folder 'acme'" in result.err, result


def test_missing_path(fixture_catalog: Path, cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("catalog", "validate", str(tmp_path / "nope"))
    assert result.code == 3, result
    assert "no such file or directory" in result.err


def test_bad_overlay_breaks_every_command_cleanly(
    tmp_path: Path, fixture_catalog: Path, cli: Callable[..., Result]
) -> None:
    path = overlay(tmp_path, "name: [\n")
    for args in (["models"], ["providers", "--json"], ["show", "rocket-7b"]):
        result = cli("--catalog", str(path), *args)
        assert result.code == 3, result
        assert "widget.yaml" in result.err


HOSTILE = ["alias bomb", "deep nesting", "huge file", "python tag", "non-utf8"]


@pytest.fixture(scope="module")
def hostile_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Result]:
    """`catalog validate` on each hostile overlay, in turn in one real process (a file
    that crashed or hung the interpreter would fail on the timeout, not block the
    suite; one process, not five, each about 0.25 s of CPU)."""
    paths = {}
    for case in HOSTILE:
        text, _ = CASES[case]
        paths[case] = overlay(
            tmp_path_factory.mktemp("hostile"), text() if callable(text) else text
        )
    results = runs_in_a_process(
        *[("catalog", "validate", str(path)) for path in paths.values()],
        env={"LLMPICK_BASE_CATALOG": str(FIXTURE_CATALOG)},
        timeout=60,
    )
    return dict(zip(paths, results, strict=True))


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_files_in_a_real_process(case: str, hostile_runs: dict[str, Result]) -> None:
    _, expected = CASES[case]
    proc = hostile_runs[case]
    assert proc.code == 3, proc.err
    assert expected in proc.err
    assert "Traceback" not in proc.err


def test_valid_overlay_adds_and_overrides(
    tmp_path: Path, fixture_catalog: Path, cli: Callable[..., Result]
) -> None:
    path = overlay(tmp_path, GOOD_FAMILY)
    result = cli("--catalog", str(path), "models", "--json")
    assert result.code == 0, result
    assert '"widget-1b"' in result.out
    # a family file with a bundled id replaces the bundled family, when it says so
    text = GOOD_FAMILY.replace("widget-1b", "rocket-mini")
    path2 = overlay(tmp_path, text, name="rocket.yaml")
    result = cli("--catalog", str(path2), "models", "--json")
    assert result.code == 3, result
    assert "rocket.yaml: family 'rocket' is already defined in catalog/families" in result.err
    assert "add 'replaces: true' to the top of this file" in result.err
    path2 = overlay(tmp_path, "replaces: true\n" + text, name="rocket.yaml")
    result = cli("--catalog", str(path2), "models", "--json")
    assert result.code == 0, result
    assert '"rocket-mini"' in result.out and '"rocket-7b-chat"' not in result.out


def test_env_overlay(
    tmp_path: Path,
    fixture_catalog: Path,
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LLMPICK_CATALOG", str(overlay(tmp_path, GOOD_FAMILY)))
    result = cli("show", "Widget-1B", "--json")
    assert result.code == 0, result
    assert '"widget-1b"' in result.out


def test_single_family_file_overlay(
    tmp_path: Path, fixture_catalog: Path, cli: Callable[..., Result]
) -> None:
    f = tmp_path / "widget.yaml"
    f.write_text(GOOD_FAMILY)
    result = cli("--catalog", str(f), "show", "widget-1b")
    assert result.code == 0, result
    assert "Widget-1B" in result.out


@pytest.mark.parametrize("debug", ["", "1"])
def test_debug_variable_is_not_needed_for_user_errors(
    fixture_catalog: Path,
    debug: str,
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A user error reads the same with and without LLMPICK_DEBUG: a message, no traceback
    (in-process, through the same boundary: a traceback would be an exception here)."""
    monkeypatch.setenv("LLMPICK_DEBUG", debug)
    proc = cli("show", "no-such-model")
    assert proc.code == 2, proc.err
    assert "error: " in proc.err and "no-such-model" in proc.err, proc.err
    assert "Traceback" not in proc.err


def test_debug_variable_shows_the_traceback_of_a_bug(
    fixture_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a bug (an unexpected exception) is shown in full, and only with LLMPICK_DEBUG."""
    import llmpick.catalog.query

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(llmpick.catalog.query, "resolve", boom)
    monkeypatch.setattr(llmpick.catalog.query, "resolve_variant", boom)
    monkeypatch.setenv("LLMPICK_DEBUG", "1")
    from llmpick.cli.app import run

    with pytest.raises(RuntimeError, match="boom"):
        run(["show", "anything"])


@pytest.mark.parametrize("device", ["/dev/urandom", "/dev/zero"])
def test_endless_device_files_are_refused_not_read(
    tmp_path: Path, fixture_catalog: Path, cli: Callable[..., Result], device: str
) -> None:
    fam = tmp_path / "overlay" / "families" / "acme"
    fam.mkdir(parents=True)
    (fam / "endless.yaml").symlink_to(device)
    r = cli("catalog", "validate", str(tmp_path / "overlay"))
    assert r.code == 3, r
    assert "not a regular file" in r.err
    link = tmp_path / "direct.yaml"
    link.symlink_to(device)
    r = cli("catalog", "validate", str(link))
    assert r.code == 3 and "not a regular file" in r.err, r


def test_empty_overlay_path(fixture_catalog: Path, cli: Callable[..., Result]) -> None:
    r = cli("--catalog", "", "models")
    assert r.code == 3 and "empty path" in r.err, r


@pytest.mark.parametrize("value", [".inf", ".nan", "-.inf"])
def test_infinite_or_nan_numbers_are_refused(
    value: str, tmp_path: Path, fixture_catalog: Path, cli: Callable[..., Result]
) -> None:
    path = overlay(tmp_path, GOOD_FAMILY.replace("params_b: 1.0", f"params_b: {value}"))
    r = cli("catalog", "validate", str(path))
    assert r.code == 3, r
    assert "variants.widget-1b.params_b" in r.err


def test_an_overlay_that_is_not_yaml_is_refused_before_the_base_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Result]
) -> None:
    """Overlays are somebody else's text: their YAML is read first, so a python tag or
    an alias bomb is refused without parsing every bundled file (a base file that is
    itself broken is not even reached)."""
    import shutil

    base = tmp_path / "base"
    shutil.copytree(FIXTURE_CATALOG, base)
    (base / "families" / "acme" / "rocket.yaml").write_text("name: [unclosed\n")
    monkeypatch.setenv("LLMPICK_BASE_CATALOG", str(base))
    path = overlay(tmp_path, CASES["python tag"][0])
    result = cli("catalog", "validate", str(path))
    assert result.code == 3, result
    assert "widget.yaml" in result.err and "plain data only" in result.err
    assert "rocket.yaml" not in result.err
    # without the overlay, the broken base file is reported as usual
    result = cli("catalog", "validate")
    assert result.code == 3 and "rocket.yaml" in result.err, result
