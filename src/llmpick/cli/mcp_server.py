"""The MCP server of `llmpick mcp` (cli/mcp.py): its tools and their handlers, loaded
only when that command runs. See cli/mcp.py for what the tools take and return."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from llmpick.errors import LlmpickError, UsageError

if TYPE_CHECKING:
    from llmpick.engine.requirements import Requirements

# --- the tools ------------------------------------------------------------------------


class Tool:
    """One tool: what it says, its input fields, its handler, its output's JSON Schema."""

    __slots__ = ("description", "network", "output", "properties", "required", "run")

    def __init__(
        self,
        description: str,
        properties: Callable[[], dict[str, Any]],
        run: Callable[[dict[str, Any]], Any],
        required: tuple[str, ...] = (),
        output: Callable[[], dict[str, Any]] | None = None,
        network: bool = False,
    ) -> None:
        self.description = description
        self.properties = properties
        self.run = run
        self.required = required
        self.output = output
        self.network = network


def _requirement_properties() -> dict[str, Any]:
    from llmpick.output.contract import requirements_schema

    props = dict(requirements_schema()["properties"])
    props.pop("resolved", None)  # set by llmpick, not given
    return props


def _model_property(what: str) -> dict[str, Any]:
    return {"type": "string", "description": what}


def _take(args: dict[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = args.pop(name, None)
    if value is not None and (isinstance(value, bool) or not isinstance(value, kind)):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise UsageError(f"invalid value for {name}: expected {names.replace('str', 'text')}")
    return value


def _no_more(args: dict[str, Any], tool: str) -> None:
    if args:
        raise UsageError(
            f"unknown field for {tool}: {', '.join(sorted(args))}",
            hint=f"see the {tool} tool's input schema",
        )


def _requirements(args: dict[str, Any]) -> Requirements:
    """Requirements from the tool's fields, read as a requirements file's are."""
    from llmpick.cli.requirements import check_licences
    from llmpick.engine.requirements import build

    req = build(args, origin="file")
    check_licences(req)
    return req


def _recommend(args: dict[str, Any]) -> dict[str, Any]:
    from llmpick.catalog.query import resolve_variant
    from llmpick.cli.state import state
    from llmpick.engine.rank import recommend
    from llmpick.output.build import shortlist

    top = _take(args, "top", int)
    top = 5 if top is None else top
    if not 1 <= top <= 100:
        raise UsageError(f"invalid value for top: {top} is not from 1 to 100")
    explain = _take(args, "explain", list) or []
    cat = state.catalog
    named = [resolve_variant(cat, str(name)).id for name in explain]
    rec = recommend(cat, _requirements(args), top=top, explain=tuple(named))
    return shortlist(cat, rec, named=named)


def _why(args: dict[str, Any]) -> dict[str, Any]:
    from llmpick.catalog.query import resolve_variant
    from llmpick.cli.state import state
    from llmpick.engine.rank import recommend
    from llmpick.output.build import why

    model = _take(args, "model", str)
    if model is None:
        raise UsageError("missing field: model")
    cat = state.catalog
    variant = resolve_variant(cat, model)
    rec = recommend(cat, _requirements(args), top=5, explain=(variant.id,))
    return why(cat, rec, variant.id)


def _show(args: dict[str, Any]) -> dict[str, Any]:
    from llmpick.catalog.query import resolve
    from llmpick.cli.show import document
    from llmpick.cli.state import state

    model = _take(args, "model", str)
    _no_more(args, "show")
    if model is None:
        raise UsageError("missing field: model")
    return document(state.catalog, resolve(state.catalog, model))


def _fit(args: dict[str, Any]) -> dict[str, Any]:
    from llmpick.cli.fit import document

    model = _take(args, "model", str)
    gpu = _take(args, "gpu_memory", (int, float, str))
    context = _take(args, "context", (int, str))
    hw = {k: _take(args, k, (int, float, str)) for k in ("gpus", "unified_memory", "ram")}
    _no_more(args, "fit")
    if model is None:
        raise UsageError("missing field: model")
    return document(
        model,
        None if gpu is None else str(gpu),
        None if context is None else str(context),
        **{k: None if x is None else str(x) for k, x in hw.items()},
    )


def _models(args: dict[str, Any]) -> list[dict[str, Any]]:
    from llmpick.catalog.query import variant_summary
    from llmpick.cli.models import select
    from llmpick.cli.state import state

    fields = {k: _take(args, k, str) for k in ("provider", "access", "flavour", "status", "family")}
    search = _take(args, "search", str) or ""
    limit = _take(args, "limit", int)
    _no_more(args, "models")
    if limit is not None and limit < 1:
        raise UsageError(f"invalid value for limit: {limit} is less than 1")
    rows = select(**fields, search=search)
    return [variant_summary(state.catalog, v) for v in rows[:limit]]


def _guide(args: dict[str, Any]) -> Any:
    from llmpick.cli.guide import section_document, tree_document
    from llmpick.guide import load_guide

    key = _take(args, "key", str)
    _no_more(args, "guide")
    g = load_guide()
    return tree_document(g) if key is None else section_document(g, key)


def _shortlist_schema() -> dict[str, Any]:
    from llmpick.output.contract import shortlist_schema

    return shortlist_schema()


def _verdict_schema() -> dict[str, Any]:
    from llmpick.output.contract import Verdict

    return Verdict.model_json_schema()


def _fit_schema() -> dict[str, Any]:
    from llmpick.output.contract import Fit

    return Fit.model_json_schema()


def _models_properties() -> dict[str, Any]:
    from llmpick.vocabulary import ACCESS_KINDS, FLAVOURS, STATUSES

    return {
        "search": {"type": "string", "description": "Words to match, e.g. 'coder 7b'."},
        "provider": {"type": "string", "description": "Provider id, e.g. meta."},
        "access": {"enum": list(ACCESS_KINDS)},
        "flavour": {"enum": list(FLAVOURS)},
        "status": {"enum": list(STATUSES)},
        "family": {"type": "string", "description": "Family id or name, e.g. llama-2."},
        "limit": {"type": "integer", "minimum": 1, "description": "The first N models."},
    }


def _fit_properties() -> dict[str, Any]:
    return {
        "model": _model_property("Catalog id or name, Hugging Face ORG/NAME, or ./folder."),
        "gpu_memory": {
            "type": ["number", "string"],
            "description": "GB to check against, e.g. 24 or '24GB'.",
        },
        "gpus": {
            "type": "string",
            "description": "Several GPUs: '2x24', '4x80' or '24+16' (GB each).",
        },
        "unified_memory": {
            "type": ["number", "string"],
            "description": "A Mac's unified memory in GB, e.g. 64.",
        },
        "ram": {
            "type": ["number", "string"],
            "description": "RAM in GB for a CPU-only run, e.g. 32.",
        },
        "context": {
            "type": ["integer", "string"],
            "description": "Tokens of context to hold, e.g. 8192 or '128k'.",
        },
    }


def _recommend_properties() -> dict[str, Any]:
    return {
        **_requirement_properties(),
        "top": {"type": "integer", "minimum": 1, "maximum": 100, "default": 5},
        "explain": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Models whose exclusion to spell out.",
        },
    }


def tools() -> dict[str, Tool]:
    """The tools, by name (built when the server starts, not when llmpick does)."""
    return {
        "recommend": Tool(
            "Recommend models for a task and its constraints, explaining every pick and "
            "exclusion (the document of 'llmpick recommend --json'). Fields are those of a "
            "requirements file; all are optional.",
            _recommend_properties,
            _recommend,
            output=_shortlist_schema,
        ),
        "why": Tool(
            "Where one model stands under the requirements: its rank, or what excludes it "
            "('llmpick why MODEL --json').",
            lambda: {
                "model": _model_property("Model id, name or repo id."),
                **_requirement_properties(),
            },
            _why,
            required=("model",),
            output=_verdict_schema,
        ),
        "show": Tool(
            "Everything the catalog knows about one model or family, with its sources "
            "('llmpick show MODEL --json').",
            lambda: {"model": _model_property("Model id, name, repo id, Ollama tag or family.")},
            _show,
            required=("model",),
        ),
        "fit": Tool(
            "The memory a model needs per precision: weights, KV cache, overhead "
            "('llmpick fit MODEL --json'). A Hugging Face repo ORG/NAME that is not in the "
            "catalog is read from the Hub (its config.json and safetensors index).",
            _fit_properties,
            _fit,
            required=("model",),
            output=_fit_schema,
            network=True,
        ),
        "models": Tool(
            "List the catalog's models that match ('llmpick models --json').",
            _models_properties,
            _models,
        ),
        "guide": Tool(
            "The guide the explanations cite: every section, or one by id (2.14) or term "
            "(rlhf) ('llmpick guide [KEY] --json').",
            lambda: {"key": {"type": "string", "description": "Section id or term."}},
            _guide,
        ),
    }


def call(name: str, arguments: dict[str, Any] | None) -> tuple[Any, str | None]:
    """(the document, None) or (None, the error as the command line words it).

    Each call reads the catalog afresh, as a command would: a server lives for a whole
    editor session, and a `catalog refresh` or an edited overlay in the meantime must
    show. Unchanged files cost nothing (load_catalog keeps what it loaded, keyed by the
    files' stat data)."""
    from llmpick.cli.state import state
    from llmpick.safetext import clean

    state.reset(state.overlays, state.no_refresh)
    try:
        return tools()[name].run(dict(arguments or {})), None
    except LlmpickError as exc:
        lines = [clean(str(p)) for p in (getattr(exc, "problems", None) or [])[:200]]
        lines.append("error: " + clean(exc.message))
        if exc.hint:
            lines.append("hint: " + clean(exc.hint))
        return None, "\n".join(lines)
    except Exception as exc:  # a bug: said as the command line says it, the server lives on
        return None, f"error: internal error: {type(exc).__name__}: {exc}"


def build_server() -> Any:
    """The MCP server (the SDK's low-level one: the schemas are ours, not inferred)."""
    import mcp.types as types
    from mcp.server import Server
    from mcp.shared.exceptions import MCPError

    from llmpick import __version__
    from llmpick.jsonsafe import dumps

    every = tools()

    def tool(name: str, t: Tool) -> types.Tool:
        schema = {
            "type": "object",
            "properties": t.properties(),
            "required": list(t.required),
            "additionalProperties": False,
        }
        return types.Tool(
            name=name,
            description=t.description,
            input_schema=schema,
            output_schema=t.output() if t.output is not None else None,
            annotations=types.ToolAnnotations(read_only_hint=True, open_world_hint=t.network),
        )

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[tool(n, t) for n, t in every.items()])

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        if params.name not in every:
            raise MCPError(code=types.INVALID_PARAMS, message=f"no tool named {params.name!r}")
        doc, error = call(params.name, params.arguments)
        if error is not None:
            return types.CallToolResult(
                content=[types.TextContent(type="text", text=error)], is_error=True
            )
        text = dumps(doc)  # the bytes `--json` prints to a pipe
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=text)],
            structured_content=doc if isinstance(doc, dict) else None,
        )

    return Server(
        "llmpick",
        version=__version__,
        instructions="llmpick recommends language models from a curated, sourced catalog "
        "and explains every pick and exclusion. Start with 'recommend' (a task and "
        "constraints), then 'why' or 'show' for one model and 'fit' for its memory.",
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )
