"""The README's commands work, and CI runs the README's test command."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, Result

README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```bash\n(.*?)```", README, flags=re.S)
COMMANDS = [
    line.strip()
    for block in BLOCKS
    for line in block.splitlines()
    if line.strip().startswith("llmpick ")
]


def test_readme_has_the_two_setup_commands_and_ci_runs_the_test_one() -> None:
    setup = [b.strip() for b in BLOCKS[:2]]
    assert setup[0].startswith("python3 -m venv .venv && .venv/bin/pip install")
    assert "llmpick recommend" in setup[0]
    assert setup[1] == ".venv/bin/python -m pytest"
    ci = (ROOT / ".ci" / "run").read_text()
    # the exact command, with at most the shell's `time` and environment settings before
    # it (which add to its output but change neither what runs nor its exit code)
    prefix = r"^(?:time )?(?:[A-Z_]+=(?:\"[^\"]*\"|\S*) )*"
    lines = [re.sub(prefix, "", ln) for ln in ci.splitlines()]
    assert setup[1] in lines


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_runs(
    command: str,
    cli: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    monkeypatch.chdir(tmp_path)
    if command.startswith("llmpick eval"):
        command = _eval_setup(command, tmp_path, request)
    if command.startswith("llmpick catalog refresh"):
        command = _refresh_setup(command, request)
    if "--evidence" in command:
        _evidence_setup(tmp_path, cli)
    if command.startswith("llmpick fit allenai/"):
        _hub_setup(command.split()[2], monkeypatch, request)
    args = [
        a.replace("tests/", f"{ROOT}/tests/", 1) if a.startswith("tests/") else a
        for a in shlex.split(command)[1:]
    ]
    r = cli(*args)
    if args == ["recommend"]:  # the walkthrough needs a terminal (test_walkthrough.py)
        assert r.code == 2 and "hint: " in r.err, r
        return
    assert r.code == 0, r
    assert r.out.strip(), r


def _refresh_setup(command: str, request: pytest.FixtureRequest) -> str:
    """The refresh examples read the fixture tables from a server on 127.0.0.1."""
    from tests.refresh_upstream import Upstream

    up = Upstream().start()
    request.addfinalizer(up.stop)
    return f"{command} --url litellm={up.url('litellm.json')} --url models.dev={up.url('api.json')}"


def _evidence_setup(tmp_path: Path, cli: Callable[..., Result]) -> None:
    """An eval's results file that measured the second model of the shortlist."""
    import json

    r = cli("recommend", "--task", "extraction", "--json")
    model = json.loads(r.out)["candidates"][1]["id"]
    with (tmp_path / "results.jsonl").open("w") as fh:
        for i in range(20):
            rec = {"target": "t", "case": str(i), "repeat": 0, "outcome": "pass", "model": model}
            fh.write(json.dumps(rec) + "\n")


def _hub_setup(repo: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """`fit ORG/NAME` reads the repository from a Hub on 127.0.0.1 (made-up numbers)."""
    from tests.hf_hub import Hub, safetensors

    hub = Hub().start()
    request.addfinalizer(hub.stop)
    monkeypatch.setenv("HF_ENDPOINT", hub.base)
    config = {"num_hidden_layers": 16, "hidden_size": 2048, "num_attention_heads": 16}
    hub.add(repo, {"config.json": config, "model.safetensors": safetensors({"w": [1000, 1000]})})


def _eval_setup(command: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The eval examples run against the scripted OpenAI-compatible test server, with
    small cases, targets and shortlist files written where the commands expect them."""
    import json

    from tests.eval.fake_openai import FakeOpenAI

    srv = FakeOpenAI().start()
    request.addfinalizer(srv.stop)
    case = {"id": "a", "prompt": "Say <<yes>>", "expect": {"equals": "yes"}}
    (tmp_path / "cases.jsonl").write_text(json.dumps(case) + "\n")
    (tmp_path / "targets.yaml").write_text(
        f"targets:\n  - {{name: local, base_url: '{srv.url}', served_as: right}}\n"
    )
    shortlist = {"candidates": [{"id": "m", "name": "M", "hf_repo": "right"}]}
    (tmp_path / "shortlist.json").write_text(json.dumps(shortlist))
    return command.replace("http://localhost:11434", srv.url)


def test_readme_lists_every_value_of_each_closed_option() -> None:
    """The option summary names every value the options accept (from the one
    vocabulary the options use), so a new domain or task cannot go unmentioned."""
    from llmpick.vocabulary import DOMAINS, NEEDS, PLATFORMS, TASKS

    summary = README.split("Requirement options:", 1)[1].split("\n\n", 1)[0]
    for name, values in {
        "--task": TASKS,
        "--domain": DOMAINS,
        "--needs": NEEDS,
        "--platform": PLATFORMS,
    }.items():
        missing = [v for v in values if v not in summary]
        assert not missing, (name, missing)


def test_the_catalog_size_the_readme_states_is_the_bundled_catalogs() -> None:
    from tests.conftest import bundled_catalog

    found = re.search(r"holds (\d+) families and (\d+) variants", " ".join(README.split()))
    assert found, "the README states the catalog's size"
    c = bundled_catalog()
    assert (int(found[1]), int(found[2])) == (len(c.families), len(c.variants))
