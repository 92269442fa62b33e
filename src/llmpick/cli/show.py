"""`llmpick show`: one model's or family's facts, or a snippet to run it."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Annotated, Any

import typer

from llmpick.cli.emit import emit
from llmpick.cli.options import JsonOpt, check_choice
from llmpick.cli.state import state
from llmpick.errors import UsageError

if TYPE_CHECKING:
    from llmpick.catalog.records import Catalog, Family, Variant


def show(
    model: Annotated[
        str,
        typer.Argument(
            metavar="MODEL", help="Model id, name, Hugging Face repo id, Ollama tag or family."
        ),
    ],
    json: JsonOpt = False,
    snippet: Annotated[
        str | None,
        typer.Option(help="Print a ready-to-paste way to run it: ollama, transformers or api."),
    ] = None,
) -> None:
    """Show everything the catalog knows about one model or family, with its sources.

    Examples:

      llmpick show meta-llama/Llama-2-13b-chat-hf

      llmpick show qwen3-8b --snippet transformers
    """
    from llmpick.catalog.query import resolve, resolve_variant
    from llmpick.catalog.records import Variant

    cat = state.catalog
    if snippet is not None and json:
        raise UsageError(
            "--snippet prints code to paste, not JSON",
            hint=f"see 'llmpick show {shlex.quote(model)} --json': it carries every way to run it",
        )
    if snippet is not None:
        from llmpick.advice import SNIPPET_KINDS
        from llmpick.advice import snippet as make_snippet

        check_choice("--snippet", snippet, SNIPPET_KINDS)
        v = resolve_variant(cat, model)
        text = make_snippet(v, snippet)
        if text is None:
            ways = [k for k in SNIPPET_KINDS if make_snippet(v, k) is not None]
            raise UsageError(
                f"no {snippet} snippet for {v.id}: the catalog has no "
                + {
                    "ollama": "official Ollama tag",
                    "transformers": "open weights on Hugging Face",
                    "api": "API or cloud model id",
                }[snippet]
                + " for it",
                hint=f"try --snippet {ways[0]}" if ways else "see 'llmpick show " + v.id + "'",
            )
        language = "bash" if snippet == "ollama" else "python"

        def snippet_text() -> None:
            from llmpick.cli.render.show import snippet

            snippet(text, language)

        emit(text, json=False, human=snippet_text)
        return
    found = resolve(cat, model)

    def human() -> None:
        from llmpick.cli.render.show import family, variant

        overlays = state.overlays_in_force()
        if isinstance(found, Variant):
            variant(cat, found, overlays=overlays)
        else:
            family(cat, found, overlays=overlays)

    emit(lambda: document(cat, found), json=json, human=human)


def document(cat: Catalog, found: Variant | Family) -> dict[str, Any]:
    """The show document (what --json prints); also the MCP server's `show` tool."""
    from llmpick.catalog.query import successor_chain, variant_summary
    from llmpick.catalog.records import Variant, to_data

    if isinstance(found, Variant):
        data = variant_summary(cat, found)
        data["successor_chain"] = successor_chain(cat, found.successor)
    else:
        data = to_data(found)
        data["successor_chain"] = successor_chain(cat, found.successor)
        data["variants"] = [variant_summary(cat, cat.variants[v]) for v in found.variants]
    return data
