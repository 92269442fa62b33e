"""The interactive walkthrough: asks for requirements one at a time in a terminal.

Each question says in one line why it matters, drawn from the guide, is asked only
when earlier answers leave it open (no GPU question for an API model), offers a
default, and checks its answer at once: a mistyped answer is offered its nearest valid
choice as the default (Enter takes it); ``auto`` detects the GPU there and then.
``back`` returns to the previous question, whose current answer is then the default,
as it is for any answer changed from the summary, which numbers every answer. At the
end the same request is given as one command line, to repeat or script. Ctrl-C leaves
with exit code 130.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import typer

from llmpick.cli.emit import hanging, terminal_width
from llmpick.cli.options import RequirementOptions
from llmpick.engine.requirements import CHOICES, build
from llmpick.errors import UsageError
from llmpick.suggest import nearest
from llmpick.units import format_memory, format_params, format_tokens
from llmpick.vocabulary import NEEDS, TASKS, option_name

Given = dict[str, Any]


def _say(text: str, warn: bool = False) -> None:
    """A note under the conversation, wrapped between words with a hanging indent."""
    color = None if not os.environ.get("NO_COLOR") else False
    note = hanging(text, "  ", "    ")
    if warn:
        typer.secho(note, fg="yellow", err=True, color=color)
    else:
        typer.secho(note, dim=True, err=True, color=color)


BACK = "back"  # typed at any question: return to the one before


class _Back(Exception):
    """The person typed ``back``."""


def _norm(text: str) -> str:
    from llmpick.catalog.query import norm

    return norm(text)


def _one_of(answer: str, choices: tuple[str, ...]) -> tuple[str | None, str | None]:
    """(the choice ``answer`` names, None), or (None, the nearest choice if any) after
    saying what would be valid. Spelling is forgiven as in catalog look-ups:
    'structured output' is 'structured-output'."""
    by_norm = {_norm(c): c for c in choices}
    if _norm(answer) in by_norm:
        return by_norm[_norm(answer)], None
    near = nearest(answer, choices)
    if near:
        _say(f"{answer!r} is not one of the answers; did you mean {near!r}? (Enter: yes)", True)
    else:
        _say(f"{answer!r} is not one of the answers: {', '.join(choices)}", True)
    return None, near


def _picks(answer: str, choices: tuple[str, ...]) -> tuple[list[str] | None, str | None]:
    """The choices a list answer names (commas between them; words within one may be
    spaced, 'structured output'), or (None, the answer as it was probably meant)."""
    picked: list[str] = []
    meant: list[str] = []
    ok = True
    for part in (p.strip() for p in answer.split(",")):
        by_norm = {_norm(c): c for c in choices}
        words = [part] if _norm(part) in by_norm else part.split()
        for word in words:
            choice, near = _one_of(word, choices)
            if choice is None:
                ok = False
            meant.append(choice or near or word)
            if choice:
                picked.append(choice)
    if ok:
        return sorted(set(picked), key=choices.index), None
    return None, ", ".join(dict.fromkeys(meant))


@dataclass(frozen=True)
class Question:
    """One question: ``key`` is the requirement it sets; ``when`` says whether earlier
    answers leave it open."""

    key: str
    text: str
    why: str
    kind: Literal["choice", "yes", "value", "list"]
    choices: tuple[str, ...] = ()
    default: Any = None
    when: Callable[[Given], bool] = field(default=lambda g: True)

    def default_for(self, given: Given) -> Any:
        return self.default(given) if callable(self.default) else self.default


def _api(g: Given) -> bool:
    return g.get("access") == "proprietary" or g.get("hosting") == "api"


QUESTIONS: tuple[Question, ...] = (
    Question(
        "task",
        "What is the model for?",
        "Chat wants a dialogue-tuned model (§2.14); single requests an instruct model (§2.6); "
        "classification can use small encoders (§2.7-2.8).",
        "choice",
        TASKS,
        "chat",
    ),
    Question(
        "language",
        "Which language will it read and write? e.g. German or de (blank: any)",
        "Most models are documented for English first; other languages need stated support (§4.2).",
        "value",
        default="",
    ),
    Question(
        "access",
        "Open weights or a paid API?",
        "Open weights give you control and privacy; proprietary APIs give you the strongest "
        "models without hardware (§4.1).",
        "choice",
        CHOICES["access"],
        "any",
    ),
    Question(
        "fine_tune",
        "Will you fine-tune it on your own data?",
        "Fine-tuning is best started from a base model: nothing is tuned in yet, so your "
        "data shapes it (§2.2, §2.4).",
        "yes",
        default=False,
        when=lambda g: g.get("access") != "proprietary",
    ),
    Question(
        "hosting",
        "Will you run it on your own hardware?",
        "Self-hosting needs a GPU that holds the weights and the KV cache (§2.1, §5.1).",
        "choice",
        CHOICES["hosting"],
        lambda g: "self" if g.get("access") == "open" else "any",
        when=lambda g: g.get("access") != "proprietary",
    ),
    Question(
        "gpu_memory",
        "GPU memory in GB (several GPUs: 2x24 or 24+16), or auto (blank: no limit)",
        "The estimate counts weights at fp16, int8 or int4 plus the KV cache (§2.1).",
        "value",
        default="",
        when=lambda g: g.get("hosting") == "self",
    ),
    Question(
        "max_params",
        "Largest model you can use, e.g. 8B (blank: any size)",
        "Bigger models know more but cost more to run and to fine-tune (§2.1).",
        "value",
        default="",
        when=lambda g: g.get("access") != "proprietary" and g.get("hosting") != "api",
    ),
    Question(
        "platform",
        "Must it run on a cloud platform?",
        "Providers sell through their own API and through cloud partners (§1.2).",
        "choice",
        ("none", *CHOICES["platform"]),
        "none",
        when=lambda g: g.get("hosting") != "self" and g.get("access") != "open",
    ),
    Question(
        "tokens_per_month",
        "Tokens a month, IN:OUT, for a cost estimate, e.g. 10M:2M (blank: skip)",
        "API prices are per token, and output tokens usually cost more than input (§5.3).",
        "value",
        default="",
        when=_api,
    ),
    Question(
        "max_price",
        "Most USD per 1M tokens, blended 3 in : 1 out (blank: no limit)",
        "Frontier models can cost ten times more than good mid-size ones (§5.3).",
        "value",
        default="",
        when=_api,
    ),
    Question(
        "needs",
        "Capabilities it must have (several with commas; blank: none)",
        "Tool calling, JSON output and images are not in every model (§8).",
        "list",
        NEEDS,
        "",
    ),
    Question(
        "domain",
        "Is the work in a special domain?",
        "Models adapted to a domain (code, biomedical, legal ...) know its language (§2.16).",
        "choice",
        ("any", *CHOICES["domain"]),
        "any",
    ),
    Question(
        "commercial",
        "Is this for commercial use?",
        "Some licences forbid it and some attach conditions such as user caps (§3).",
        "yes",
        default=True,
    ),
    Question(
        "alignment",
        "Alignment: favour safety-tuned models, or align it to your own values?",
        "RLHF and RLAIF models refuse harmful requests (§2.9-2.11); their values are the "
        "maker's, not necessarily yours (§2.13).",
        "choice",
        CHOICES["alignment"],
        "any",
    ),
    Question(
        "min_context",
        "Longest input in tokens, e.g. 32k or 200k (blank: no limit)",
        "Whole documents in one prompt need a long-context model (§2.15).",
        "value",
        default="",
    ),
    Question(
        "prefer",
        "What matters most?",
        "quality: the best answers; cost: the cheapest that does the job; speed: fast "
        "answers; balanced weighs them (§4.2, §5.3).",
        "choice",
        CHOICES["prefer"],
        "balanced",
    ),
)


def _prompt(text: str, default: str = "") -> str:
    """One answer, stripped; ``back`` raises _Back. ``default`` is shown in brackets and
    is what Enter gives."""
    answer = str(typer.prompt(text, default=default, show_default=bool(default), err=True)).strip()
    if answer.lower() == BACK:
        raise _Back
    return answer


def _yes(question: str, default: bool) -> bool:
    while True:
        answer = _prompt(f"{question} [{'Y/n' if default else 'y/N'}]").lower()
        if not answer:
            return default
        if answer in ("y", "yes"):
            return True
        if answer in ("n", "no"):
            return False
        _say(f"{answer!r}: please answer yes or no (y or n)", True)


def _checked(key: str, answer: str) -> Any:
    """The answer as the requirement reads it, or None after saying what is wrong."""
    if key == "gpu_memory" and answer.lower() == "auto":
        from llmpick.cli.requirements import detected_gpu_memory

        try:
            return detected_gpu_memory()
        except UsageError as exc:
            _say(f"{exc.message.removeprefix('--gpu-memory auto: ')}: give the memory in GB", True)
            return None
    if key == "gpu_memory" and re.search(r"[x+]", answer.lower()):
        key = "gpus"  # several GPUs: the answer's value is a list of their memory
    try:
        req = build({key: answer}, origin="walkthrough")
    except UsageError as exc:
        _say(exc.message.removeprefix(f"invalid value for {key}: "), True)
        return None
    value = getattr(req, key)
    return value


_UNSET: Any = object()
_CLEAR = ("none", "any", "-")  # typed to a value question: no limit after all


def _ask(q: Question, given: Given, current: Any = _UNSET) -> Any:
    """Ask ``q`` until the answer is valid; return its value (None for no answer).
    ``current``: the answer it has now, which Enter keeps. ``back`` raises _Back."""
    _say(q.why)
    default = current if current is not _UNSET else q.default_for(given)
    text = _question_text(q, default)
    if q.kind == "yes":
        return _yes(q.text, bool(default))
    if q.kind == "choice":
        return _ask_choice(q, text, str(default or ""))
    return _ask_value(q, text, current)


def _question_text(q: Question, default: Any) -> str:
    """The prompt: a choice question's answers in brackets, or said on a line of their
    own (a list's, or where the prompt would be too long to wrap well)."""
    text = f"{q.text} [{'/'.join(q.choices)}]" if q.kind == "choice" else q.text
    if q.kind == "list" or len(text) + len(str(default or "")) + 5 >= terminal_width():
        _say(f"answers: {', '.join(q.choices)}")
        text = q.text
    return text


def _ask_choice(q: Question, text: str, offered: str) -> str:
    """One of ``q``'s choices; a mistyped answer offers its nearest as the default."""
    while True:
        choice, near = _one_of(_prompt(text, offered) or offered, q.choices)
        if choice is not None:
            return choice
        offered = near or offered


def _ask_value(q: Question, text: str, current: Any) -> Any:
    """A value or a list, checked; Enter keeps ``current`` (if any), none clears it."""
    keeps = current is not _UNSET
    kept = _shown(q.key, current) if keeps and current not in (None, []) else ""
    if kept:
        _say(f"Enter keeps {kept}; none clears it")
    offered = ""
    while True:
        answer = _prompt(text, offered or kept)
        if not answer or (kept and answer == kept and not offered):
            return current if keeps else None
        if answer.lower() in _CLEAR and (keeps or q.kind == "list"):
            return None
        if q.kind == "list":
            picked, meant = _picks(answer, q.choices)
            if picked is not None:
                return picked
            offered = meant or ""
            continue
        value = _checked(q.key, answer)
        if value is not None:
            return value


def _shown(key: str, value: Any) -> str:
    """An answer as the summary shows it, in the one format for its kind."""
    if value is None or value == []:
        return {"language": "any", "needs": "none", "tokens_per_month": "not given"}.get(
            key, "no limit"
        )
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key == "gpu_memory":
        if isinstance(value, list):
            from llmpick.engine.placement import gpus_said

            return f"{gpus_said(value)} (several GPUs)"
        return format_memory(value)
    if key == "max_params":
        return format_params(value)
    if key == "min_context":
        return f"{format_tokens(value)} tokens"
    if key == "tokens_per_month":
        return f"{format_tokens(value[0])} in / {format_tokens(value[1])} out"
    if key == "max_price":
        return f"${value:g} per 1M tokens"
    if key == "language":
        from llmpick.vocabulary import language_name

        return f"{language_name(value)} ({value})"
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


def _open(answers: Given) -> list[Question]:
    """The questions the answers so far leave open, in order."""
    return [q for q in QUESTIONS if q.when(answers)]


def _fill(answers: Given, history: list[str], remembered: Given) -> None:
    """Forget answers to questions no longer asked; ask every open one not answered.
    ``history``: the questions answered, in order, for ``back``; ``remembered``: answers
    taken back, offered again as the default."""
    while True:
        open_now = _open(answers)
        stale = [k for k in answers if k not in {q.key for q in open_now}]
        if stale:
            for key in stale:
                del answers[key]
            history[:] = [k for k in history if k in answers]
            continue  # what is open may change again without them
        todo = [q for q in open_now if q.key not in answers]
        if not todo:
            return
        q = todo[0]
        try:
            answers[q.key] = _ask(q, answers, remembered.pop(q.key, _UNSET))
            history.append(q.key)
        except _Back:
            if not history:
                _say("this is the first question", True)
                continue
            back = history.pop()
            remembered[back] = answers.pop(back)


def _given(answers: Given) -> Given:
    """The requirement values the answers set (defaults and blanks left out)."""
    given = {}
    for key, value in answers.items():
        if value is None or value is False or value == [] or value in ("any", "none"):
            continue
        if key == "prefer" and value == "balanced":
            continue
        given["gpus" if key == "gpu_memory" and isinstance(value, list) else key] = value
    return given


def ask() -> RequirementOptions:
    """Ask the questions; return the requirement options the answers stand for."""
    typer.secho(
        "llmpick: a few questions about the job (back: the previous one; Ctrl-C to leave)\n",
        err=True,
        bold=True,
    )
    answers: Given = {}
    history: list[str] = []
    remembered: Given = {}
    _fill(answers, history, remembered)
    while True:
        asked = _open(answers)
        typer.secho("\nYou asked for:", err=True, bold=True)
        for n, q in enumerate(asked, 1):
            typer.echo(
                f"  {n:>2}. {q.key.replace('_', ' ')}: {_shown(q.key, answers[q.key])}", err=True
            )
        typer.echo("", err=True)
        try:
            if _yes("Recommend models for this?", default=True):
                return options_for(_given(answers))
            while True:
                pick = _prompt(f"Change which answer? [1-{len(asked)}, or q to leave]")
                if pick.lower() in ("q", "quit"):
                    typer.echo("nothing to do", err=True)
                    raise typer.Exit(0)
                if pick.isdigit() and 1 <= int(pick) <= len(asked):
                    break
                _say(f"{pick!r}: give a number from 1 to {len(asked)}, or q", True)
            q = asked[int(pick) - 1]
            answers[q.key] = _ask(q, answers, answers[q.key])
            _fill(answers, history, remembered)
        except _Back:  # at the summary: change the last answer
            q = asked[-1]
            answers[q.key] = _ask(q, answers, answers[q.key])
            _fill(answers, history, remembered)


def _number(value: float) -> str:
    """A number as short as it reads back the same: 24 for 24.0, 0.5, 23.98828125."""
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


def _tokens(n: int) -> str:
    """Tokens as short as they read back the same: 32k, but 131072."""
    from llmpick.units import parse_tokens

    short = format_tokens(n)
    return short if parse_tokens(short) == n else str(n)


def _typed(key: str, value: Any) -> Any:
    """An answer as its option is typed (24 for 24 GB, 32k for 32,000 tokens, 24+16 for
    two GPUs), of the option's type: text, but for flags, lists and --max-price."""
    if isinstance(value, bool) or key in ("needs", "max_price"):
        return value
    if key == "min_context":
        return _tokens(value)
    if key == "tokens_per_month":
        return f"{_tokens(value[0])}:{_tokens(value[1])}"
    if key == "gpus":
        return "+".join(_number(g) for g in value)
    if isinstance(value, float):
        return _number(value)
    return str(value)


def options_for(given: Given) -> RequirementOptions:
    """The answers as the options that ask for the same: what the closing command line
    says and what is run."""
    return RequirementOptions(**{key: _typed(key, value) for key, value in given.items()})


def command_line(options: RequirementOptions, more: list[str]) -> list[str]:
    """The words of the command that asks for ``options`` without questions, in the order
    of the questions; ``more``: the other options given (--top 3, --export x.md)."""
    words = ["llmpick", "recommend"]
    order = [q.key for q in QUESTIONS]

    def asked(key: str) -> int:  # several GPUs are the answer to the GPU memory question
        key = "gpu_memory" if key == "gpus" else key
        return order.index(key) if key in order else len(order)

    given = options.given()
    for key in sorted(given, key=asked):
        flag = option_name(key)
        value = given[key]
        if value is True:
            words.append(flag)
        elif isinstance(value, list):
            for item in value:
                words += [flag, item]
        else:
            words += [flag, value if isinstance(value, str) else _number(value)]
    return words + more


def shell_lines(words: list[str], width: int, indent: str = "  ") -> list[str]:
    """``words`` quoted for a POSIX shell (shlex) as lines of at most ``width`` (a word
    longer than a line has one to itself), joined by a backslash at each line's end so
    that the whole can be pasted as it is; an option stays beside its value."""
    quoted = [shlex.quote(w) for w in words]
    units: list[str] = []
    for word in quoted:
        option = units and units[-1].startswith("--") and " " not in units[-1]
        if option and not word.startswith("-"):
            units[-1] += " " + word
            continue
        units.append(word)
    lines: list[str] = []
    line = indent
    for unit in units:
        if line.strip() and len(line) + 1 + len(unit) + 2 > width:
            lines.append(line + " \\")
            line = indent + "    "
        line += ("" if not line.strip() else " ") + unit
    return [*lines, line]


def say_command(options: RequirementOptions, more: list[str]) -> None:
    """Close the walkthrough with the command line that asks the same without it."""
    typer.secho("\nThe same without the questions:", err=True, bold=True)
    for line in shell_lines(command_line(options, more), terminal_width()):
        typer.echo(line, err=True)
