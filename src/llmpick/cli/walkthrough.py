"""The interactive walkthrough: asks for requirements one at a time in a terminal.

Each question says in one line why it matters, drawn from the guide, skips
what earlier answers already settle (no GPU question for an API model), offers a
default, and ends with a summary to confirm. Ctrl-C leaves with exit code 130.
"""

from __future__ import annotations

import os
from typing import Any

import typer

from llmpick.errors import UsageError
from llmpick.requirements import TASKS, build


def _say(text: str) -> None:
    typer.secho(
        f"  {text}", dim=True, err=True, color=None if not os.environ.get("NO_COLOR") else False
    )


def _choice(question: str, choices: tuple[str, ...], default: str, why: str) -> str:
    _say(why)
    while True:
        answer = typer.prompt(f"{question} [{'/'.join(choices)}]", default=default, err=True)
        answer = answer.strip().lower()
        if answer in choices:
            return answer
        typer.secho(f"  please answer one of: {', '.join(choices)}", err=True, fg="yellow")


def _yes(question: str, why: str, default: bool = False) -> bool:
    _say(why)
    return bool(typer.confirm(question, default=default, err=True))


def _value(question: str, field: str, why: str) -> Any:
    _say(why)
    while True:
        answer = typer.prompt(
            f"{question} (blank: no limit)", default="", show_default=False, err=True
        )
        if not answer.strip():
            return None
        if field == "gpu_memory" and answer.strip().lower() == "auto":
            return "auto"  # detected when the requirements are built
        try:
            build({field: answer.strip()})
        except UsageError as exc:
            typer.secho(f"  {exc.message}", err=True, fg="yellow")
            continue
        return answer.strip()


def ask() -> dict[str, Any]:
    """Ask the questions; return the requirement values the user chose."""
    typer.secho("llmpick: a few questions about the job (Ctrl-C to leave)\n", err=True, bold=True)
    given: dict[str, Any] = {}
    given["task"] = _choice(
        "What is the model for?",
        TASKS,
        "chat",
        "Chat wants a dialogue-tuned model (§2.14); single requests an instruct model (§2.6); "
        "classification can use small encoders (§2.7-2.8).",
    )
    given["access"] = _choice(
        "Open weights or a paid API?",
        ("open", "proprietary", "any"),
        "any",
        "Open weights give you control and privacy; proprietary APIs give you the strongest "
        "models without hardware (§4.1).",
    )
    if given["access"] != "proprietary":
        given["fine_tune"] = _yes(
            "Will you fine-tune it on your own data?",
            "Fine-tuning is best started from a base model: nothing is tuned in yet, so your "
            "data shapes it (§2.2, §2.4).",
        )
        hosting = _choice(
            "Will you run it on your own hardware?",
            ("self", "api", "any"),
            "self" if given["access"] == "open" else "any",
            "Self-hosting needs a GPU that holds the weights and the KV cache (§2.1, §5.1).",
        )
        given["hosting"] = hosting
        if hosting == "self":
            gpu = _value(
                "GPU memory in GB, or auto to detect it",
                "gpu_memory",
                "The estimate counts weights at fp16, int8 or int4 plus the KV cache (§2.1).",
            )
            if gpu is not None:
                given["gpu_memory"] = gpu
    if given.get("hosting") != "self" and given["access"] != "open":
        platform = _choice(
            "Must it run on a cloud platform?",
            ("none", "bedrock", "sagemaker", "vertex", "azure"),
            "none",
            "Providers sell through their own API and through cloud partners (§1.2).",
        )
        if platform != "none":
            given["platform"] = platform
    given["commercial"] = _yes(
        "Is this for commercial use?",
        "Some licences forbid it and some attach conditions such as user caps (§3).",
        default=True,
    )
    alignment = _choice(
        "Alignment: favour safety-tuned models, or will you align it to your own values?",
        ("any", "safety", "own-values"),
        "any",
        "RLHF and RLAIF models refuse harmful requests (§2.9-2.11); their values are the "
        "maker's, not necessarily yours (§2.13).",
    )
    if alignment != "any":
        given["alignment"] = alignment
    context = _value(
        "Longest input in tokens (e.g. 32k, 200k)",
        "min_context",
        "Whole documents in one prompt need a long-context model (§2.15).",
    )
    if context is not None:
        given["min_context"] = context
    given = {k: v for k, v in given.items() if v not in (False, "any")}
    typer.secho("\nYou asked for:", err=True, bold=True)
    for key, value in given.items():
        shown = "yes" if value is True else f"{value} GB" if key == "gpu_memory" else value
        typer.echo(f"  {key.replace('_', ' ')}: {shown}", err=True)
    typer.echo("", err=True)
    if not typer.confirm("Recommend models for this?", default=True, err=True):
        typer.echo("nothing to do", err=True)
        raise typer.Exit(0)
    return given
