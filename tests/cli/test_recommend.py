"""recommend and why through the command line, on the small test catalog (the bundled
catalog's answers are checked by the scenarios, the golden files and the README)."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, Result, run_process

pytestmark = pytest.mark.usefixtures("fixture_catalog")

Cli = Callable[..., Result]
CHATBOT = ("--task", "chat", "--access", "open", "--gpu-memory", "24", "--commercial")


def test_json_prints_only_the_document(cli: Cli) -> None:
    r = cli("recommend", *CHATBOT, "--json")
    assert r.code == 0, r
    doc = json.loads(r.out)
    assert doc["schema_version"] == "1.0"
    assert doc["requirements"]["gpu_memory"] == 24.0
    assert 1 <= len(doc["candidates"]) <= 5
    first = doc["candidates"][0]
    for key in (
        "rank",
        "id",
        "name",
        "family",
        "provider",
        "flavour",
        "tuning",
        "architecture",
        "open_weights",
        "license",
        "params_b",
        "context_window",
        "status",
        "score",
        "reasons",
        "caveats",
        "hf_repo",
        "ollama",
        "api",
        "platforms",
        "quantization",
        "memory_gb",
    ):
        assert key in first, key
    assert first["memory_gb"] <= 24
    assert all({"text", "guide"} <= set(x) for x in first["reasons"] + first["caveats"])
    assert doc["excluded"]["by_constraint"]["gpu_memory"] > 0


def test_human_output_explains_and_counts(cli: Cli) -> None:
    r = cli("recommend", *CHATBOT)
    assert r.code == 0, r
    assert "§2.14" in r.out and "§2.1" in r.out
    assert "left out by" in r.out and "gpu memory" in r.out


def test_top(cli: Cli) -> None:
    r = cli("recommend", "--task", "chat", "--top", "2", "--json")
    assert len(json.loads(r.out)["candidates"]) == 2
    assert cli("recommend", "--top", "0").code == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--task", "poetry"), "choose from: chat, instruct"),
        (("--access", "free"), "choose from: open, proprietary, any"),
        (("--gpu-memory", "lots"), "is not a memory size"),
        (("--gpu-memory", "-4"), "--gpu-memory"),
        (("--max-params", "huge"), "is not a size"),
        (("--min-context", "0"), "out of range"),
        (("--needs", "telepathy"), "choose from: tools, structured-output, vision, reasoning"),
        (("--license", "made-up-licence"), "unknown licence"),
        (("--language", "klingon"), "ISO 639-1"),
        (("--export", "out.txt"), "must end in .json or .md"),
    ],
)
def test_bad_values_exit_2_with_choices(cli: Cli, args: tuple[str, ...], message: str) -> None:
    r = cli("recommend", *args)
    assert r.code == 2, r
    assert message in r.err, r
    assert "Traceback" not in r.err


def test_requirements_file_yaml_json_and_options_win(cli: Cli, tmp_path: Path) -> None:
    y = tmp_path / "req.yaml"
    y.write_text("task: chat\naccess: open\ngpu_memory: 24GB\ncommercial: true\n")
    j = tmp_path / "req.json"
    j.write_text(
        json.dumps({"task": "chat", "access": "open", "gpu_memory": 24, "commercial": True})
    )
    a = json.loads(cli("recommend", "-r", str(y), "--json").out)
    b = json.loads(cli("recommend", "-r", str(j), "--json").out)
    assert a == b
    c = json.loads(cli("recommend", "-r", str(y), "--gpu-memory", "80", "--json").out)
    assert c["requirements"]["gpu_memory"] == 80.0


def test_scenario_files_work_as_requirements(cli: Cli) -> None:
    r = cli("recommend", "-r", str(ROOT / "tests" / "scenarios" / "impossible.yaml"), "--json")
    assert r.code == 0, r
    doc = json.loads(r.out)
    assert doc["candidates"] == [] and doc["relaxations"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", None),  # empty: no requirements, fine
        (b"- a\n- list\n", "a requirements file is a mapping"),
        (b"task: [unclosed\n", "invalid YAML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
        (
            b"a: &a [x,x,x,x,x,x,x,x,x,x]\n"
            + b"".join(
                f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n".encode()
                for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            ),
            "expands to more than",
        ),
        (b"wibble: blue\n", "unknown key 'wibble'; expected one of: access,"),
        (b"gpu_memroy: 24\n", "unknown key 'gpu_memroy'; did you mean 'gpu_memory'?"),
        (b"gpu_memory: [24]\n", "is not a memory size"),
    ],
)
def test_bad_requirement_files(
    cli: Cli, tmp_path: Path, content: bytes, message: str | None
) -> None:
    f = tmp_path / "req.yaml"
    f.write_bytes(content)
    r = cli("recommend", "-r", str(f), "--json")
    if message is None:
        assert r.code == 0, r
        return
    assert r.code == 2, r
    assert message in r.err, r


def test_missing_and_huge_requirement_files(cli: Cli, tmp_path: Path) -> None:
    assert "no such requirements file" in cli("recommend", "-r", str(tmp_path / "nope.yaml")).err
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * (2 * 1024 * 1024))
    r = cli("recommend", "-r", str(big))
    assert r.code == 2 and "larger than 1 MB" in r.err


def test_export_json_equals_stdout_and_md_is_a_report(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "shortlist.json"
    r = cli("recommend", *CHATBOT, "--json", "--export", str(out))
    assert r.code == 0, r
    assert json.loads(out.read_text()) == json.loads(r.out)
    md = tmp_path / "shortlist.md"
    r = cli("recommend", *CHATBOT, "--export", str(md))
    assert r.code == 0, r
    text = md.read_text()
    assert text.startswith("# LLM shortlist") and "## Shortlist" in text and "(§2.14)" in text


def test_read_only_directory_keeps_the_old_file(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import tempfile

    d = tmp_path / "ro"
    d.mkdir()
    target = d / "shortlist.json"
    target.write_text("previous")
    if os.geteuid() != 0:
        d.chmod(stat.S_IRUSR | stat.S_IXUSR)
    else:  # root ignores permissions: simulate the refusal the kernel gives others

        def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
            raise PermissionError(errno.EACCES, "Permission denied")

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
    try:
        r = cli("recommend", "--task", "chat", "--export", str(target))
        assert r.code == 1, r
        assert "permission denied" in r.err
        assert target.read_text() == "previous"
    finally:
        d.chmod(stat.S_IRWXU)
    assert [p.name for p in d.iterdir()] == ["shortlist.json"]


def test_export_to_missing_directory(cli: Cli, tmp_path: Path) -> None:
    r = cli("recommend", "--no-input", "--export", str(tmp_path / "no" / "dir" / "x.json"))
    assert r.code == 1, r
    assert "does not exist" in r.err


def fail_writes(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    """Make every write through os.fdopen raise ``error`` (a full disk, a Ctrl-C)."""
    real_fdopen = os.fdopen

    class Failing:
        def __init__(self, fh: object) -> None:
            self.fh = fh

        def __enter__(self) -> Failing:
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()  # type: ignore[attr-defined]

        def write(self, data: str) -> int:
            raise error

    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: Failing(real_fdopen(fd, *a, **k)))


def test_full_disk_leaves_nothing_half_written(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    target = tmp_path / "shortlist.json"
    target.write_text("previous")
    fail_writes(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    r = cli("recommend", "--no-input", "--export", str(target))
    assert r.code == 1, r
    assert "the disk is full" in r.err
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["shortlist.json"]


def test_why_passing_and_excluded(cli: Cli) -> None:
    r = cli("why", "rocket-70b-instruct", "--task", "chat", "--access", "open", "--gpu-memory", "8")
    assert r.code == 0, r
    assert "excluded" in r.out and "x gpu memory:" in r.out and "§2.1" in r.out
    doc = json.loads(cli("why", "rocket-7b-chat", "--task", "chat", "--json").out)
    assert doc["id"] == "rocket-7b-chat"
    assert doc["passed"] is True and doc["rank"] >= 1
    r = cli("why", "nonexistent-model-xyz")
    assert r.code == 2 and "no model named" in r.err


def test_why_explains_retirement(cli: Cli) -> None:
    doc = json.loads(cli("why", "cloudy-1", "--json").out)
    assert doc["passed"] is False
    assert doc["exclusions"][0]["constraint"] == "status"
    assert "replaced by" in doc["exclusions"][0]["text"]


def test_no_terminal_never_asks_and_never_hangs(cli: Cli) -> None:
    # nothing to go on and no terminal to ask in (a real process, its stdin an empty
    # pipe): a usage error with a hint, not a shortlist with no constraints; --no-input
    # asks for that on purpose
    proc = run_process("recommend", input=b"", timeout=30)
    assert proc.returncode == 2, proc.stderr
    assert "no terminal" in proc.stderr and "hint: " in proc.stderr
    r = cli("recommend", "--no-input")  # in-process: it never reads stdin
    assert r.code == 0, r
    assert "Shortlist for: no constraints" in r.out
    # asking for JSON or an export is not a requirement: still nothing to go on
    for how in (("--json",), ("--export", "out.md")):
        r = cli("recommend", *how)
        assert r.code == 2 and "no terminal" in r.err, r


def test_no_traceback_when_output_pipe_closes(monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    # the bundled catalog: its listing (~95 kB) overflows the pipe's buffer, so `models`
    # is still writing when `head` closes the pipe; the test catalog's listing would not
    monkeypatch.delenv("LLMPICK_BASE_CATALOG")

    p = subprocess.run(
        f"{sys.executable} -m llmpick models | head -1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in p.stderr


def test_ctrl_c_during_export_exits_130_and_keeps_the_old_file(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "shortlist.md"
    target.write_text("previous")
    fail_writes(monkeypatch, KeyboardInterrupt())
    r = cli("recommend", "--no-input", "--export", str(target))
    assert r.code == 130, r
    assert "Traceback" not in r.err
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["shortlist.md"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--max-price", "-1"), "out of range"),
        (("--gpu-memory", "1000000000"), "out of range"),
        (("--max-params", "0"), "out of range"),
        (("--top", "1000"), "'--top'"),  # each Typer words the range its own way
        (("--quantization", "int3"), "choose from: auto, fp16, int8, int4"),
        (("--min-context", "1e9"), "not a token count"),
    ],
)
def test_out_of_range_values(cli: Cli, args: tuple[str, ...], message: str) -> None:
    r = cli("recommend", *args)
    assert r.code == 2, r
    assert message in r.err, r


def test_json_requirements_file_with_bad_json(cli: Cli, tmp_path: Path) -> None:
    f = tmp_path / "req.json"
    f.write_text("task: chat\n")  # YAML in a .json file
    r = cli("recommend", "-r", str(f))
    assert r.code == 2 and "invalid JSON" in r.err, r
    d = tmp_path / "dir.yaml"
    d.mkdir()
    r = cli("recommend", "-r", str(d))
    assert r.code == 2 and "is a directory" in r.err, r


@pytest.mark.parametrize("device", ["/dev/urandom", "/dev/zero"])
def test_endless_requirement_files_are_refused(cli: Cli, device: str) -> None:
    r = cli("recommend", "-r", device)
    assert r.code == 2 and "not a regular file" in r.err, r


def test_empty_model_name(cli: Cli) -> None:
    for args in (("show", ""), ("why", ""), ("fit", "")):
        r = cli(*args)
        assert r.code == 2 and "no model named ''" in r.err, r


def test_explain_names_why_a_model_was_left_out(cli: Cli, tmp_path: Path) -> None:
    args = ("recommend", "--task", "chat", "--commercial", "--explain", "rocket-70b-instruct")
    doc = json.loads(cli(*args, "--json").out)
    (left,) = doc["excluded"]["models"]
    assert left["id"] == "rocket-70b-instruct"
    assert left["reasons"][0]["constraint"] == "commercial" and left["reasons"][0]["guide"] == "3"
    human = cli(*args)
    assert "Rocket-70B-Instruct (rocket-70b-instruct) was left out" in human.out
    md = tmp_path / "s.md"
    cli(*args, "--export", str(md))
    assert "was left out" in md.read_text()
    assert cli("recommend", "--explain", "no-such-model").code == 2
