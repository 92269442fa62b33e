"""`llmpick mcp`: llmpick's answers for coding agents, as an MCP server over stdio.

Six tools, recommend, why, show, fit, models and guide, take the fields of a
requirements file (the same names and values: ``llmpick schema requirements``) and
return the documents the commands print with ``--json``, built by the same functions
(``output/build.py``, the engine, and the commands' own document builders). Each result
carries the document as JSON text and, where it is an object, as structured content
under the JSON Schema ``llmpick schema`` gives for it. An error is a tool error whose
text is the command line's: ``error: ...`` and ``hint: ...``.

The server uses the official MCP Python SDK, an optional extra
(``pip install 'llmpick[mcp]'``), imported only when this command runs.
"""

from __future__ import annotations

from llmpick.errors import UsageError

INSTALL = "pip install 'llmpick[mcp]'"


def mcp() -> None:
    """Serve llmpick's answers to coding agents (MCP over stdio).

    Tools: recommend, why, show, fit, models and guide, taking a requirements file's
    fields and returning the same JSON documents as --json.

    Needs the MCP extra: pip install 'llmpick[mcp]'. The README shows the settings for
    Claude Code, Cursor and VS Code.

    Example (what an agent's settings run):

      llmpick mcp
    """
    try:
        import anyio
        from mcp.server.stdio import stdio_server
    except ImportError:
        raise UsageError(
            "'llmpick mcp' needs the MCP Python SDK, which is not installed",
            hint=f"install the extra: {INSTALL}",
        ) from None
    from importlib.metadata import version

    found = version("mcp")
    if not found.startswith("2."):
        raise UsageError(
            f"'llmpick mcp' needs version 2 of the MCP Python SDK; {found} is installed",
            hint=f"install the extra: {INSTALL}",
        )
    from llmpick.cli.mcp_server import build_server

    server = build_server()

    async def serve() -> None:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    anyio.run(serve)
