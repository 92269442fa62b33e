"""Cases: the user's own examples and what a good answer must satisfy.

A cases file is JSON Lines (one case a line) or a YAML list. Every problem is
reported as ``file:line: field.path: message`` and exits 2 (``InputError``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from llmpick.errors import Problem, UsageError
from llmpick.suggest import error_message

MAX_CASES_BYTES = 64 * 1024 * 1024
MAX_CASES = 100_000
CHECK_KINDS = ("equals", "contains", "regex", "json_schema", "judge")
_STRICT = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class InputError(UsageError):
    """A cases, targets or shortlist file the run cannot use (exit 2), one problem a line."""

    def __init__(self, problems: list[Problem], what: str) -> None:
        self.problems = problems
        n = len(problems)
        first = problems[0]
        message = str(first) if n == 1 else f"{first.file}: {n} problems in the {what}"
        super().__init__(message, hint=f"fix the {what} and run the command again")


class Message(BaseModel):
    """One chat message, in the OpenAI format."""

    model_config = _STRICT

    role: Literal["system", "developer", "user", "assistant", "tool"]
    """Who speaks."""
    content: str | list[dict[str, Any]]
    """The text, or a list of content parts."""
    name: str | None = None
    """Optional speaker name."""
    tool_call_id: str | None = None
    """For a tool message: the call it answers."""


class Expect(BaseModel):
    """The checks an answer must pass; a case passes when all of them pass."""

    model_config = _STRICT

    equals: str | None = None
    """The whole answer, surrounding whitespace ignored."""
    contains: str | list[str] | None = None
    """Text (or each of several texts) the answer must contain."""
    regex: str | None = None
    """A Python regular expression the answer must match somewhere (re.search syntax; a
    match that takes longer than a second is an error, not a pass or fail)."""
    json_schema: dict[str, Any] | bool | None = None
    """The answer must be JSON (a ```json fence is allowed) valid against this JSON Schema."""
    judge: str | None = Field(default=None, min_length=1)
    """A rubric: the --judge model scores the answer pass or fail with a reason."""
    ignore_case: bool = False
    """Compare equals, contains and regex without regard to case."""

    @model_validator(mode="after")
    def _some_check(self) -> Expect:
        if not self.kinds():
            raise ValueError(f"give at least one check: {', '.join(CHECK_KINDS)}")
        return self

    @field_validator("contains")
    @classmethod
    def _non_empty(cls, v: str | list[str] | None) -> str | list[str] | None:
        if isinstance(v, list) and not v:
            raise ValueError("an empty list checks nothing; give at least one text")
        return v

    @field_validator("regex")
    @classmethod
    def _compiles(cls, v: str | None) -> str | None:
        if v is not None:
            import regex  # the engine the check runs (checks.check_regex)

            try:
                regex.compile(v)
            except (regex.error, OverflowError, RecursionError) as exc:
                raise ValueError(f"invalid regular expression: {exc}") from None
        return v

    @field_validator("json_schema")
    @classmethod
    def _valid_schema(cls, v: dict[str, Any] | bool | None) -> dict[str, Any] | bool | None:
        if v is not None:
            from jsonschema.exceptions import SchemaError
            from jsonschema.validators import validator_for

            try:
                validator_for(v).check_schema(v)  # type: ignore[arg-type]
            except SchemaError as exc:
                where = "/".join(str(p) for p in exc.absolute_path)
                raise ValueError(
                    f"not a valid JSON Schema: {exc.message}" + (f" (at {where})" if where else "")
                ) from None
            from llmpick.evaluation.schemaref import SchemaRefError, check_local_refs

            try:
                check_local_refs(v)
            except SchemaRefError as exc:
                raise ValueError(f"not a usable JSON Schema: {exc}") from None
        return v

    def kinds(self) -> list[str]:
        return [k for k in CHECK_KINDS if getattr(self, k) is not None]


class Case(BaseModel):
    """One example: what to send and what a good answer satisfies."""

    model_config = _STRICT

    id: str = Field(min_length=1)
    """Unique name of the case (a number is taken as text)."""
    prompt: str | None = None
    """The user's message (or give ``messages``)."""
    system: str | None = None
    """A system message sent before ``prompt``."""
    messages: list[Message] | None = Field(default=None, min_length=1)
    """The whole conversation in the OpenAI chat format (instead of ``prompt``)."""
    max_tokens: int | None = Field(default=None, ge=1, le=1_000_000)
    """Most tokens to generate."""
    expect: Expect
    """The checks."""

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v

    @model_validator(mode="after")
    def _one_input(self) -> Case:
        if (self.prompt is None) == (self.messages is None):
            raise ValueError("give either prompt or messages (exactly one)")
        if self.messages is not None and self.system is not None:
            raise ValueError("system goes with prompt; with messages, add a system message")
        return self

    def chat(self) -> list[dict[str, Any]]:
        """The messages to send."""
        if self.messages is not None:
            return [m.model_dump(exclude_none=True) for m in self.messages]
        msgs: list[dict[str, Any]] = []
        if self.system is not None:
            msgs.append({"role": "system", "content": self.system})
        msgs.append({"role": "user", "content": self.prompt})
        return msgs

    def fingerprint(self) -> str:
        """Changes when anything sent or checked changes: a stale result is run again."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _field_path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(case)"


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            [Problem(name, f"not UTF-8 text (byte 0x{data[exc.start]:02x})", line=line)],
            "cases file",
        ) from None


def _is_jsonl(path: Path, text: str) -> bool:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return True
    if suffix in (".yaml", ".yml"):
        return False
    return text.lstrip().startswith("{")


def _items_jsonl(text: str, name: str, problems: list[Problem]) -> list[tuple[int, Any]]:
    from llmpick.jsonsafe import loads

    items: list[tuple[int, Any]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            items.append((n, loads(line)))
        except json.JSONDecodeError as exc:
            problems.append(
                Problem(name, f"not valid JSON: {exc.msg} (column {exc.colno})", line=n)
            )
    return items


def _items_yaml(text: str, name: str, problems: list[Problem]) -> tuple[list[tuple[int, Any]], Any]:
    from llmpick.yamlsafe import YamlProblem, parse

    try:
        # a values limit that fits the largest cases file allowed (the catalog's 200,000
        # refused about 40,000 plain cases as if they were an alias bomb)
        data = parse(text, name, max_nodes=MAX_CASES * 100)
    except YamlProblem as exc:
        problems.append(exc.problem)
        return [], None
    if isinstance(data, dict) and "cases" in data and len(data) == 1:
        data = data["cases"]
        prefix: tuple[str, ...] = ("cases",)
    else:
        prefix = ()
    if not isinstance(data, list):
        problems.append(
            Problem(name, "expected a YAML list of cases (or JSON Lines, one case a line)", line=1)
        )
        return [], None
    return [(i, item) for i, item in enumerate(data)], prefix


def load_cases(path: str | Path) -> list[Case]:
    """Read and check a cases file; InputError (exit 2) names every bad line and field."""
    from llmpick.files import read_bounded

    p = Path(path)
    name = str(path)
    try:
        raw = read_bounded(p, MAX_CASES_BYTES)
    except OSError as exc:
        raise InputError(
            [Problem(name, f"cannot read: {exc.strerror or exc}")], "cases file"
        ) from None
    text = _decode(raw, name)
    problems: list[Problem] = []
    jsonl = _is_jsonl(p, text)
    yaml_prefix: Any = None
    if jsonl:
        items = _items_jsonl(text, name, problems)
    else:
        items, yaml_prefix = _items_yaml(text, name, problems)

    lines: Any = None  # one index of the YAML text's lines for every message (not one
    # parse per case: 4,000 cases took 321 s)

    def line_for(key: int, loc: tuple[int | str, ...]) -> int | None:
        nonlocal lines
        if jsonl:
            return key
        if lines is None:
            from llmpick.yamlsafe import LineIndex

            lines = LineIndex(text)
        line: int | None = lines((*yaml_prefix, key, *loc))
        return line

    cases: list[Case] = []
    seen: dict[str, int] = {}  # id -> key of the case that has it
    for key, item in items[: MAX_CASES + 1]:
        if len(cases) >= MAX_CASES:
            problems.append(Problem(name, f"more than {MAX_CASES:,} cases", line=line_for(key, ())))
            break
        if not isinstance(item, dict):
            problems.append(
                Problem(
                    name, "a case is an object with id, prompt and expect", line=line_for(key, ())
                )
            )
            continue
        try:
            case = Case.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = tuple(err["loc"])
                # pydantic names the union member tried ("contains.str"); keep the field path
                loc = tuple(
                    p for p in loc if p not in ("str", "list[str]", "bool", "dict[str,any]")
                )
                msg = error_message(err, Case.model_json_schema)
                problems.append(Problem(name, msg, path=_field_path(loc), line=line_for(key, loc)))
            continue
        if case.id in seen:
            problems.append(
                Problem(
                    name,
                    f"duplicate id {case.id!r} (first at line {line_for(seen[case.id], ())})",
                    path="id",
                    line=line_for(key, ("id",)),
                )
            )
            continue
        seen[case.id] = key
        cases.append(case)
    if not cases and not problems:
        problems.append(Problem(name, "no cases in the file"))
    if problems:
        raise InputError(problems, "cases file")
    return cases
