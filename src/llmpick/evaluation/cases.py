"""Cases: the user's own examples and what a good answer must satisfy.

A cases file is JSON Lines (one case a line) or a YAML list. Every problem is
reported as ``file:line: field.path: message`` and exits 2 (``InputError``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from llmpick.errors import Problem, UsageError
from llmpick.suggest import error_message

MAX_CASES_BYTES = 64 * 1024 * 1024
MAX_CASES = 100_000
# every check, in the order they run and are reported
CHECK_KINDS = (
    "equals",
    "contains",
    "icontains",
    "contains_any",
    "contains_all",
    "not_contains",
    "starts_with",
    "regex",
    "is_json",
    "json_schema",
    "json_path",
    "similar",
    "max_latency_s",
    "max_cost_usd",
    "not",
    "judge",
)
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


# $.a.b[0]["c d"] == <JSON value>: a small, safe subset of JSONPath (no filters, no
# wildcards, no code), enough to check one field of a structured answer
_PATH_STEP = r'(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\]|\["[^"\\]*"\])'
_JSON_PATH = re.compile(rf"^\s*(\$(?:{_PATH_STEP})*)\s*==\s*(.+?)\s*$", re.DOTALL)
_STEP = re.compile(_PATH_STEP)


def parse_json_path(expr: str) -> tuple[list[str | int], Any]:
    """``$.label == "positive"`` as (["label"], "positive"); ValueError when it is not
    a path, ``==`` and a JSON value."""
    m = _JSON_PATH.match(expr)
    if not m:
        raise ValueError(
            f"{expr!r} is not PATH == VALUE, e.g. '$.label == \"positive\"' "
            '(fields with .name or ["name"], list items with [0])'
        )
    steps: list[str | int] = []
    for step in _STEP.findall(m.group(1)):
        if step.startswith("."):
            steps.append(step[1:])
        elif step.startswith('["'):
            steps.append(step[2:-2])
        else:
            steps.append(int(step[1:-1]))
    try:
        value = json.loads(m.group(2))
    except (json.JSONDecodeError, RecursionError):
        raise ValueError(
            f'in {expr!r}, {m.group(2)!r} is not a JSON value (quote text: "positive")'
        ) from None
    return steps, value


def _texts(v: str | list[str] | None, what: str = "text") -> str | list[str] | None:
    if isinstance(v, list) and not v:
        raise ValueError(f"an empty list checks nothing; give at least one {what}")
    return v


class Similar(BaseModel):
    """How close the answer must be to a reference text (difflib's ratio, 0..1)."""

    model_config = _STRICT

    to: str = Field(min_length=1)
    """The reference answer."""
    min: float = Field(default=0.8, ge=0, le=1)
    """The lowest ratio that passes (1 is identical)."""


class Checks(BaseModel):
    """Checks on an answer; what ``not:`` may hold (every check but the judge)."""

    model_config = _STRICT

    equals: str | None = None
    """The whole answer, surrounding whitespace ignored."""
    contains: str | list[str] | None = None
    """Text (or each of several texts) the answer must contain."""
    icontains: str | list[str] | None = None
    """Like contains, without regard to case."""
    contains_any: list[str] | None = None
    """At least one of these texts."""
    contains_all: list[str] | None = None
    """Every one of these texts."""
    not_contains: str | list[str] | None = None
    """None of these texts."""
    starts_with: str | None = None
    """The answer's beginning (leading whitespace ignored)."""
    regex: str | None = None
    """A Python regular expression the answer must match somewhere (re.search syntax; a
    match that takes longer than a second is an error, not a pass or fail)."""
    is_json: Literal[True] | None = None
    """The answer is JSON (a ```json fence is allowed)."""
    json_schema: dict[str, Any] | bool | None = None
    """The answer must be JSON (a ```json fence is allowed) valid against this JSON Schema."""
    json_path: str | list[str] | None = None
    """One field of a JSON answer equals a value: '$.label == "positive"' (or a list)."""
    similar: Similar | None = None
    """Close enough to a reference answer: {to: TEXT, min: 0.8}."""
    max_latency_s: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    """The answer took at most this many seconds."""
    max_cost_usd: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    """The answer cost at most this much (needs a price and token usage)."""
    ignore_case: bool = False
    """Compare equals, contains, starts_with and regex without regard to case."""

    @field_validator("contains", "icontains", "not_contains", "contains_any", "contains_all")
    @classmethod
    def _non_empty(cls, v: str | list[str] | None) -> str | list[str] | None:
        return _texts(v)

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

    @field_validator("json_path")
    @classmethod
    def _paths(cls, v: str | list[str] | None) -> str | list[str] | None:
        for expr in [v] if isinstance(v, str) else _texts(v, "path") or []:
            parse_json_path(expr)
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
        return [
            k for k in CHECK_KINDS if k in type(self).model_fields and getattr(self, k) is not None
        ]

    @model_validator(mode="after")
    def _some_check(self) -> Checks:
        if not self.kinds():
            raise ValueError(f"give at least one check: {', '.join(_check_names(type(self)))}")
        return self


def _check_names(cls: type[BaseModel]) -> list[str]:
    return [k for k in CHECK_KINDS if k in cls.model_fields]


class Expect(Checks):
    """The checks an answer must pass; a case passes when all of them pass (or, with
    ``threshold``, when the weighted share of checks passed reaches it)."""

    model_config = _STRICT

    not_: Checks | None = Field(default=None, alias="not")
    """Checks that must each fail: {not: {contains: sorry}} passes an answer without 'sorry'."""
    judge: str | None = Field(default=None, min_length=1)
    """A rubric: the --judge model scores the answer pass or fail with a reason."""
    weights: dict[str, float] = Field(default_factory=dict)
    """Weight of each check named (default 1): {contains: 2, similar: 1}."""
    threshold: float | None = Field(default=None, ge=0, le=1)
    """Pass when the weighted share of checks passed is at least this (default: all)."""

    def kinds(self) -> list[str]:
        return [
            k for k in CHECK_KINDS if getattr(self, "not_" if k == "not" else k, None) is not None
        ]

    @model_validator(mode="after")
    def _weights_name_checks(self) -> Expect:
        kinds = self.kinds()
        for name, w in self.weights.items():
            if name not in kinds:
                hint = did_you_mean(name, kinds)
                raise ValueError(
                    f"weights: {name!r} is not a check of this case"
                    + (
                        f"; did you mean {hint!r}?"
                        if hint
                        else f" (its checks: {', '.join(kinds)})"
                    )
                )
            if not 0 <= w < float("inf"):
                raise ValueError(f"weights: {name} must be a number, 0 or more")
        if self.weights and self.threshold is None:
            raise ValueError("weights need a threshold (the weighted share that passes, 0..1)")
        return self


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """The closest of ``choices`` to a mistyped ``word``, if any is close."""
    from llmpick.suggest import nearest

    return nearest(word, choices)


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


_VAR = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}")
MAX_ROWS = MAX_CASES


def template_vars(item: Any) -> set[str]:
    """The {{names}} a case's text uses (prompt, system, messages and checks)."""
    if isinstance(item, str):
        return set(_VAR.findall(item))
    if isinstance(item, dict):
        return set().union(*(template_vars(v) for k, v in item.items() if k != "id"))
    if isinstance(item, list):
        return set().union(*(template_vars(v) for v in item))
    return set()


def _fill(item: Any, row: dict[str, str]) -> Any:
    if isinstance(item, str):
        return _VAR.sub(lambda m: row[m.group(1)], item)
    if isinstance(item, dict):
        return {k: v if k == "id" else _fill(v, row) for k, v in item.items()}
    if isinstance(item, list):
        return [_fill(v, row) for v in item]
    return item


def _cell(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def load_rows(path: str | Path) -> list[tuple[int, dict[str, str]]]:
    """(line, row) for each row of a --data file: CSV with a header line, or JSON Lines
    of objects. Values that are not text are used as their JSON text."""
    from llmpick.files import read_bounded

    name = str(path)
    what = "data file"
    try:
        text = _decode(read_bounded(path, MAX_CASES_BYTES), name)
    except OSError as exc:
        raise InputError([Problem(name, f"cannot read: {exc.strerror or exc}")], what) from None
    problems: list[Problem] = []
    rows: list[tuple[int, dict[str, str]]] = []
    if Path(path).suffix.lower() in (".jsonl", ".ndjson", ".json"):
        for n, item in _items_jsonl(text, name, problems):
            if not isinstance(item, dict):
                problems.append(Problem(name, "a row is a JSON object of name: value", line=n))
                continue
            rows.append((n, {str(k): _cell(v) for k, v in item.items()}))
    elif Path(path).suffix.lower() in (".csv", ".tsv"):
        import csv
        import io

        dialect = "excel-tab" if Path(path).suffix.lower() == ".tsv" else "excel"
        try:
            reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
            for row in reader:
                line = reader.line_num
                if None in row:
                    problems.append(Problem(name, "more cells than the header names", line=line))
                    continue
                if any(v is None for v in row.values()):
                    problems.append(Problem(name, "fewer cells than the header names", line=line))
                    continue
                rows.append((line, {str(k): str(v) for k, v in row.items()}))
        except csv.Error as exc:
            problems.append(Problem(name, f"not valid CSV: {exc}"))
    else:
        problems.append(Problem(name, "give a .csv, .tsv or .jsonl file"))
    if len(rows) > MAX_ROWS:
        problems.append(Problem(name, f"more than {MAX_ROWS:,} rows"))
    if not rows and not problems:
        problems.append(Problem(name, "no rows in the file"))
    if problems:
        raise InputError(problems, what)
    return rows


def _expand(
    items: list[tuple[int, Any]],
    rows: list[tuple[int, dict[str, str]]] | None,
    cases_name: str,
    data_name: str,
    line_for: Callable[[int, tuple[int | str, ...]], int | None],
    problems: list[Problem],
) -> list[tuple[int, Any]]:
    """One case per data row for every case whose text uses {{names}}."""
    out: list[tuple[int, Any]] = []
    for key, item in items:
        names = template_vars(item) if isinstance(item, dict) else set()
        if not names:
            out.append((key, item))
            continue
        if rows is None:
            problems.append(
                Problem(
                    cases_name,
                    f"uses {{{{{sorted(names)[0]}}}}}: give the rows with --data rows.csv|jsonl",
                    line=line_for(key, ()),
                )
            )
            continue
        for line, row in rows:
            missing = sorted(names - set(row))
            if missing:
                hint = did_you_mean(missing[0], list(row))
                problems.append(
                    Problem(
                        data_name,
                        f"no column {missing[0]!r} for case {item.get('id')!r} (line "
                        f"{line_for(key, ())} of {cases_name})"
                        + (f"; did you mean {hint!r}?" if hint else ""),
                        line=line,
                    )
                )
                break
            row_id = row.get("id") or str(line)
            out.append((key, {**_fill(item, row), "id": f"{item.get('id')}/{row_id}"}))
    return out


LineFor = Callable[[int, tuple[int | str, ...]], int | None]
"""The line of a case (by its key: a JSON line's number, a YAML item's index) or of a
field in it."""


def _jsonl_line(key: int, loc: tuple[int | str, ...]) -> int | None:
    return key


class _YamlLines:
    """The line of a case or of a field in it, in a YAML cases file: one index of the
    text's lines for every message, made at the first (not one parse per case: 4,000
    cases took 321 s)."""

    def __init__(self, text: str, prefix: Any) -> None:
        self.text, self.prefix = text, prefix
        self.index: Any = None

    def __call__(self, key: int, loc: tuple[int | str, ...]) -> int | None:
        if self.index is None:
            from llmpick.yamlsafe import LineIndex

            self.index = LineIndex(self.text)
        line: int | None = self.index((*self.prefix, key, *loc))
        return line


def _valid_cases(
    items: list[tuple[int, Any]], name: str, line_for: LineFor, problems: list[Problem]
) -> list[Case]:
    """The cases that validate (up to MAX_CASES), each id once; a problem per bad field."""
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
            problems += _case_problems(exc, name, key, line_for)
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
    return cases


def _case_problems(exc: ValidationError, name: str, key: int, line_for: LineFor) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        # pydantic names the union member tried ("contains.str"); keep the field path
        loc = tuple(p for p in err["loc"] if p not in ("str", "list[str]", "bool", "dict[str,any]"))
        msg = error_message(err, Case.model_json_schema)
        problems.append(Problem(name, msg, path=_field_path(loc), line=line_for(key, loc)))
    return problems


def load_cases(path: str | Path, data: str | Path | None = None) -> list[Case]:
    """Read and check a cases file; InputError (exit 2) names every bad line and field.

    With ``data`` (a --data file), a case whose text uses ``{{name}}`` becomes one case
    per row, its id suffixed with the row's ``id`` column or line number."""
    from llmpick.files import read_bounded

    name = str(path)
    try:
        raw = read_bounded(path, MAX_CASES_BYTES)
    except OSError as exc:
        raise InputError(
            [Problem(name, f"cannot read: {exc.strerror or exc}")], "cases file"
        ) from None
    text = _decode(raw, name)
    problems: list[Problem] = []
    line_for: LineFor
    if _is_jsonl(Path(path), text):
        items = _items_jsonl(text, name, problems)
        line_for = _jsonl_line
    else:
        items, yaml_prefix = _items_yaml(text, name, problems)
        line_for = _YamlLines(text, yaml_prefix)
    rows = load_rows(data) if data is not None else None
    items = _expand(items, rows, name, str(data), line_for, problems)
    cases = _valid_cases(items, name, line_for, problems)
    if not cases and not problems:
        problems.append(Problem(name, "no cases in the file"))
    if problems:
        raise InputError(problems, "cases file")
    return cases
