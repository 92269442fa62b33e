"""`llmpick mcp`, driven by the MCP SDK's own client over stdio: the tools return the
documents `--json` prints, and errors carry the command line's words."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Result

Cli = Callable[..., Result]

# found, not imported: the SDK takes about a second to import, which every test process
# would pay while collecting, and only the process that runs these tests needs it
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("mcp") is None,
    reason="the MCP extra is not installed: pip install 'llmpick[mcp]'",
)


def session_calls(calls: list[tuple[str, dict[str, Any]]]) -> tuple[list[Any], list[Any]]:
    """(the tools the server lists, the result of each call), from one server process."""
    import anyio
    from mcp import ClientSession, StdioServerParameters, stdio_client

    params = StdioServerParameters(
        command=sys.executable, args=["-m", "llmpick", "mcp"], env=dict(os.environ)
    )

    async def run() -> tuple[list[Any], list[Any]]:
        async with (
            stdio_client(params, errlog=errlog) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            tools = (await session.list_tools()).tools
            results = [await session.call_tool(name, args) for name, args in calls]
            return tools, results

    # the server's stderr to a file of its own: the client's default is the sys.stderr of
    # when the SDK was imported, which a test capturing output has replaced by a buffer
    with tempfile.TemporaryFile("w+") as errlog:
        return anyio.run(run)


def cli_json(cli: Cli, *args: str) -> Any:
    """What `--json` prints (in-process: the server is the process under test here)."""
    r = cli(*args, "--json")
    assert r.code == 0, r
    return json.loads(r.out)


REQ = {"task": "chat", "gpu_memory": 24, "commercial": True}
CLI_REQ = ("--task", "chat", "--gpu-memory", "24", "--commercial")


DOCUMENTS = [
    ("recommend", {**REQ, "top": 3}),
    ("why", {"model": "llama-2-13b-chat", **REQ}),
    ("show", {"model": "qwen3-8b"}),
    ("fit", {"model": "qwen3-8b", "gpu_memory": 24, "context": "32k"}),
    ("models", {"search": "qwen coder", "limit": 3}),
    ("guide", {"key": "2.14"}),
]
ERRORS = [
    ("recommend", {"task": "chatt"}),
    ("show", {"model": "no-such-model-anywhere"}),
    ("fit", {"model": "gpt-4o"}),
    ("recommend", {"colour": "blue"}),
]


@cache
def one_session() -> tuple[list[Any], list[Any], list[Any]]:
    """The tools, and the results of DOCUMENTS and of ERRORS, from one server process for
    both tests below (a process with the SDK costs about a second of CPU)."""
    tools, results = session_calls([*DOCUMENTS, *ERRORS])
    return tools, results[: len(DOCUMENTS)], results[len(DOCUMENTS) :]


@pytest.mark.slow  # a server process and the SDK (about a second to import, in each process)
def test_the_sdk_client_gets_the_same_documents_as_json(cli: Cli) -> None:
    tools, results, _ = one_session()
    assert {t.name for t in tools} == {"recommend", "why", "show", "fit", "models", "guide"}
    expected = [
        cli_json(cli, "recommend", *CLI_REQ, "--top", "3"),
        cli_json(cli, "why", "llama-2-13b-chat", *CLI_REQ),
        cli_json(cli, "show", "qwen3-8b"),
        cli_json(cli, "fit", "qwen3-8b", "--gpu-memory", "24", "--context", "32k"),
        cli_json(cli, "models", "qwen", "coder", "--limit", "3"),
        cli_json(cli, "guide", "2.14"),
    ]
    for result, doc in zip(results, expected, strict=True):
        assert not result.is_error, result.content
        assert json.loads(result.content[0].text) == doc
        if isinstance(doc, dict):
            assert result.structured_content == doc
    shortlist = [c["id"] for c in json.loads(results[0].content[0].text)["candidates"]]
    assert len(shortlist) == 3
    # the recommend tool takes the requirement fields, described as in requirement files
    recommend = next(t for t in tools if t.name == "recommend")
    assert {"task", "gpu_memory", "commercial", "top"} <= set(recommend.input_schema["properties"])
    assert recommend.output_schema is not None


@pytest.mark.slow  # the server process of one_session(), unless the test above started it here
def test_errors_are_tool_errors_in_the_command_lines_words(cli: Cli, tmp_path: Path) -> None:
    _, _, results = one_session()
    (tmp_path / "req.yaml").write_text("task: chatt\n")
    said = [
        cli("recommend", "-r", str(tmp_path / "req.yaml")),
        cli("show", "no-such-model-anywhere"),
        cli("fit", "gpt-4o"),
    ]
    for result, r in zip(results, said, strict=False):
        assert result.is_error
        text = result.content[0].text
        assert text.startswith("error: ")
        assert r.code == 2
        assert text in r.err  # the same message and hint
    assert results[3].is_error and "unknown key 'colour'" in results[3].content[0].text


def test_without_the_extra_it_says_how_to_install() -> None:
    code = "import sys; sys.modules['mcp'] = None; from llmpick.cli.app import main; main()"
    r = subprocess.run(
        [sys.executable, "-c", code, "mcp"], capture_output=True, text=True, check=False
    )
    assert r.returncode == 2, r.stderr
    assert "pip install 'llmpick[mcp]'" in r.stderr


def test_no_other_command_loads_the_sdk() -> None:
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "llmpick", "recommend", "--task", "chat"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    loaded = {line.rsplit("|", 1)[-1].strip() for line in r.stderr.splitlines() if "|" in line}
    assert "llmpick.cli.app" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("mcp", "mcp_types", "anyio")}


def test_each_call_sees_an_overlay_edited_while_the_server_runs(
    tmp_path: Path, fixture_catalog: Path
) -> None:
    """A server lives for a whole editor session: a model added to an overlay after its
    first call is found by the next one, as a new command would find it."""
    from llmpick.cli.mcp_server import call
    from llmpick.cli.state import state
    from tests.cli.test_overlays_reported import FAMILY

    overlay = tmp_path / "team.yaml"
    overlay.write_text(FAMILY)
    state.reset([str(overlay)])
    try:
        shown, error = call("show", {"model": "comet-3b-chat"})
        assert error is None and shown["id"] == "comet-3b-chat"
        missing, error = call("show", {"model": "meteor-3b-chat"})
        assert missing is None and error is not None and "meteor-3b-chat" in error
        overlay.write_text(FAMILY.replace("Comet", "Meteor").replace("comet", "meteor"))
        os.utime(overlay, (1, 1))  # an edit the catalog's stat key sees as settled
        found, error = call("show", {"model": "meteor-3b-chat"})
        assert error is None and found["id"] == "meteor-3b-chat"
    finally:
        state.reset([])
