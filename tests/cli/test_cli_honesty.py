"""What a new user met: an export that overwrote its requirements, recommend with stdin
closed, --no-refresh after the command, a note wider than the terminal, the refresh
summary scrolled away, and unreviewed models unmarked in the tables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result, close_ended, spawn_pty
from tests.refresh_upstream import Upstream

Cli = Callable[..., Result]


def ok(r: Result) -> Result:
    assert r.code == 0, r
    assert "internal error" not in r.err, r
    return r


@pytest.mark.usefixtures("fixture_catalog")
@pytest.mark.parametrize("spelling", ["req.json", "./req.json"])
def test_an_export_over_the_requirements_file_is_refused(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    monkeypatch.chdir(tmp_path)
    req = tmp_path / "req.json"
    req.write_text('{"task": "chat"}')
    r = cli("recommend", "-r", "req.json", "--export", spelling)
    assert r.code == 2, r
    assert "is the file --requirements reads" in r.err, r
    assert req.read_text() == '{"task": "chat"}'


@pytest.mark.usefixtures("fixture_catalog")
def test_recommend_with_stdin_closed_asks_for_requirements_in_words() -> None:
    p = subprocess.run(
        ["sh", "-c", f'"{sys.executable}" -m llmpick recommend <&-'],
        capture_output=True, text=True, timeout=60, env=os.environ.copy(), check=False,
    )  # fmt: skip
    assert p.returncode == 2, p.stderr
    assert "no terminal to ask them in" in p.stderr and "internal error" not in p.stderr


def test_no_refresh_works_after_the_command_and_the_note_fits(cli: Cli, upstream: Upstream) -> None:
    upstream.data["litellm"]["gpt-t"]["input_cost_per_token"] = 1.5e-06
    ok(cli("catalog", "refresh", *upstream.args()))
    shown = ok(cli("show", "gpt-t", "--json"))
    assert json.loads(shown.out)["pricing"]["input"] == 1.5
    assert all(len(line) <= 80 for line in shown.err.splitlines()), shown.err
    assert "--no-refresh" in shown.err
    after = ok(cli("show", "gpt-t", "--json", "--no-refresh"))
    assert json.loads(after.out)["pricing"]["input"] == 1.25
    assert "refreshed" not in after.err


def test_the_refresh_summary_comes_last_and_unreviewed_models_are_marked(
    cli: Cli, upstream: Upstream
) -> None:
    r = ok(cli("catalog", "refresh", *upstream.args()))
    last = [ln for ln in r.out.splitlines() if ln.strip()][-1]
    assert last.startswith("In all: 2 added (unreviewed), "), r.out
    listing = ok(cli("models"))
    assert "gpt-t-nova*" in listing.out and "gpt-t*" not in listing.out, listing.out
    assert "* unreviewed: added by 'llmpick catalog refresh'" in listing.out
    rec = ok(cli("recommend", "--task", "chat", "--access", "proprietary", "--top", "10"))
    assert "gpt-t-nova*" in rec.out and "* unreviewed:" in rec.out, rec.out


def test_a_long_note_wraps_between_words_in_a_terminal(
    cli: Cli, upstream: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refresh note with damaged entries runs past 40 columns: in a terminal it wraps
    between words with a hanging indent after 'note: ' (the terminal broke it mid-word);
    to a pipe it stays one line."""
    pexpect = pytest.importorskip("pexpect")
    from llmpick.catalog import layer as L

    ok(cli("catalog", "refresh", *upstream.args()))
    data = json.loads(L.layer_path().read_text())
    data["sources"]["litellm"]["models"]["gpt-t"]["input"] = "free"
    L.layer_path().write_text(json.dumps(data))
    env = {**os.environ, "COLUMNS": "40"}
    child = spawn_pty(
        sys.executable, ["-m", "llmpick", "providers"], env=env, encoding="utf-8", timeout=60
    )
    child.expect(pexpect.EOF)
    close_ended(child)
    lines = child.before.replace("\r", "").splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("note: prices and limits"))
    note = lines[start : start + 4]
    assert max(len(ln) for ln in note) <= 40, note
    assert note[1].startswith("      ") and "damaged" in " ".join(note), note
    piped = ok(cli("providers"))
    assert "note: prices and limits refreshed 2026-11-30; 1 damaged entries ignored" in piped.err
