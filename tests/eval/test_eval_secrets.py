"""API keys never reach a file, a report or the terminal, whatever form they arrive in,
and whatever a hostile server sends back (issue 23, defect 1: a key read from a CRLF
``.env`` file was refused by the HTTP library, whose error quoted the whole key, and a
server echoing the key in ``finish_reason`` had it written to ``--out``)."""

from __future__ import annotations

import json

import pytest

from tests.eval.test_eval_run import CASES, run_json, target

SECRET = "sk-test-0123456789abcdef"


def _everything(r, *files) -> str:  # type: ignore[no-untyped-def]
    return "\n".join([r.out, r.err, *(f.read_text() for f in files if f.exists())])


@pytest.mark.parametrize("raw", [SECRET + "\r", SECRET + "\r\n", f"  {SECRET}\n"])
def test_a_key_with_line_ends_is_cleaned_sent_and_never_written(
    cli, server, write_cases, write_targets, tmp_path, monkeypatch, raw
) -> None:
    monkeypatch.setenv("FAKE_KEY", raw)
    tg = write_targets([target(server, "a", "right", api_key_env="FAKE_KEY")])
    out, md = tmp_path / "res.jsonl", tmp_path / "rep.md"
    r = cli("eval", write_cases(CASES), "--targets", tg, "--out", str(out), "--export", str(md))
    assert r.code == 0, r
    assert {q["headers"].get("Authorization") for q in server.requests_for("right")} == {
        f"Bearer {SECRET}"
    }
    assert SECRET not in _everything(r, out, md)
    assert all(json.loads(x)["outcome"] == "pass" for x in out.read_text().splitlines())


@pytest.mark.parametrize("kind", ["echokey", "echokeyerr"])
@pytest.mark.parametrize("header", [None, "x-api-key"])
def test_a_server_that_echoes_the_key_gets_it_redacted_in_every_field(
    cli, server, write_cases, write_targets, tmp_path, monkeypatch, kind, header
) -> None:
    monkeypatch.setenv("FAKE_KEY", SECRET)
    extra = {"api_key_header": header} if header else {}
    tg = write_targets([target(server, "e", kind, api_key_env="FAKE_KEY", **extra)])
    out, md, js = tmp_path / "res.jsonl", tmp_path / "rep.md", tmp_path / "rep.json"
    cases = write_cases(CASES[:2])
    r = cli("eval", cases, "--targets", tg, "--out", str(out), "--export", str(md))
    r2, doc = run_json(cli, cases, "--targets", tg, "--export", str(js))
    assert server.requests_for(kind), "the server was asked"
    everything = _everything(r, out, md) + _everything(r2, js) + json.dumps(doc)
    assert SECRET not in everything
    assert "[redacted]" in out.read_text()  # the echo was there, and was hidden


@pytest.mark.parametrize(
    ("raw", "what"),
    [
        ("sk-\u00e9t\u00e9-0123456789", "a non-ASCII character"),
        ("sk-abc\rdef-0123456789", "a space or control character"),
        ("sk-abc def-0123456789", "a space or control character"),
    ],
)
def test_a_key_no_header_can_carry_is_refused_without_quoting_it(
    cli, server, write_cases, write_targets, monkeypatch, raw, what
) -> None:
    monkeypatch.setenv("FAKE_KEY", raw)
    tg = write_targets([target(server, "a", "right", api_key_env="FAKE_KEY")])
    r = cli("eval", write_cases(CASES), "--targets", tg)
    assert r.code == 2, r
    assert "FAKE_KEY" in r.err and what in r.err
    assert "0123456789" not in r.out + r.err
    assert not server.log  # nothing was sent


@pytest.mark.parametrize("header", ["Host", "content-length", "Transfer-Encoding", "bad header"])
def test_the_key_cannot_be_sent_as_a_framing_header(
    cli, server, write_cases, write_targets, monkeypatch, header
) -> None:
    monkeypatch.setenv("FAKE_KEY", SECRET)
    tg = write_targets(
        [target(server, "a", "right", api_key_env="FAKE_KEY", api_key_header=header)]
    )
    r = cli("eval", write_cases(CASES), "--targets", tg)
    assert r.code == 2, r
    assert "api_key_header" in r.err and SECRET not in r.out + r.err
    assert not server.log
