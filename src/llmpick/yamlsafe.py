"""Reading untrusted YAML: safe loaders only, bounded size, depth and sharing.

``yaml.safe_load`` already refuses tags that build Python objects. On top of
that this module bounds the file size, refuses non-UTF-8 text and duplicate keys,
bounds how far anchors and aliases may expand (the "billion laughs" bomb would
make validation exponential) and how deep data may nest, and turns every failure
into a ``Problem`` naming the file and line.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from typing import Any

import yaml

from llmpick.errors import Problem
from llmpick.files import MAX_BYTES

try:  # libyaml is much faster and bounds nesting itself
    _Base: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - wheels ship libyaml
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """The safe loader, refusing duplicate keys (YAML would silently keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = self.construct_object(key_node)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark
                    )
                seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


MAX_DEPTH = 40
MAX_NODES = 200_000


class YamlProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def decode(data: bytes, name: str) -> str:
    """UTF-8 text of a file, or a problem naming the line of the first bad byte."""
    if len(data) > MAX_BYTES:
        raise YamlProblem(Problem(name, f"file is {len(data):,} bytes; the limit is {MAX_BYTES:,}"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlProblem(
            Problem(name, f"not UTF-8 text (byte 0x{data[exc.start]:02x})", line=line)
        ) from None


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """The cyclic garbage collector paused while a document is built: it walks every
    object made so far each time a generation fills, which made loading superlinear
    (50,000 cases: 16 s with it, 3.3 s without). A parse makes no cycles to collect."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse(text: str, name: str, *, max_nodes: int = MAX_NODES) -> Any:
    """Parse YAML text with the safe loader and check its shape is plain data, of at
    most ``max_nodes`` values once aliases are expanded."""
    try:
        with _no_gc():
            data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "invalid YAML"
        if isinstance(exc, yaml.constructor.ConstructorError) and "tag" in what:
            what = f"{what}; catalog files hold plain data only"
        raise YamlProblem(Problem(name, f"invalid YAML: {what}", line=line)) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Problem(name, f"invalid YAML: {exc}")) from None
    except (RecursionError, MemoryError):
        raise YamlProblem(Problem(name, "YAML nested too deeply or too large")) from None
    _check_plain(data, name, max_nodes)
    return data


def _check_plain(data: Any, name: str, max_nodes: int = MAX_NODES) -> None:
    """Walk the data as validation will, counting shared (aliased) parts each time they are
    reached: a file whose aliases expand beyond MAX_NODES values (the "billion laughs"
    bomb) or that nests deeper than MAX_DEPTH is refused, in bounded time."""
    stack: list[tuple[Any, int, str]] = [(data, 0, "")]
    nodes = 0
    reached: set[int] = set()
    shared = False  # whether some part is reached twice (through an alias)
    while stack:
        node, depth, path = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        if not shared:
            shared = id(node) in reached
            reached.add(id(node))
        nodes += len(node)
        if nodes > max_nodes:
            why = (
                "anchors and aliases that multiply are refused"
                if shared
                else "the file is too large; split it"
            )
            raise YamlProblem(
                Problem(
                    name,
                    f"expands to more than {max_nodes:,} values ({why})",
                    path=path.lstrip(".") or "(top)",
                )
            )
        if depth >= MAX_DEPTH:
            raise YamlProblem(
                Problem(name, f"nested deeper than {MAX_DEPTH} levels", path=path.lstrip("."))
            )
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            stack.append((value, depth + 1, f"{path}.{key}"))


class LineIndex:
    """Line numbers of the field paths of one YAML text, for error messages.

    The text is composed once, on the first lookup; each mapping's keys are indexed when
    first walked through, so N problems in one file cost one parse and N short walks,
    not N parses (which took minutes for a file with a few thousand bad entries)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._root: yaml.Node | None = None
        self._composed = False
        self._keys: dict[int, dict[str, tuple[int, yaml.Node]]] = {}

    def _compose(self) -> yaml.Node | None:
        if not self._composed:
            self._composed = True
            try:
                with _no_gc():
                    self._root = yaml.compose(self._text, Loader=_Base)
            except (yaml.YAMLError, RecursionError):
                self._root = None
        return self._root

    def _mapping(self, node: yaml.MappingNode) -> dict[str, tuple[int, yaml.Node]]:
        keys = self._keys.get(id(node))
        if keys is None:
            keys = {}
            for key_node, value_node in node.value:
                keys.setdefault(str(key_node.value), (key_node.start_mark.line + 1, value_node))
            self._keys[id(node)] = keys
        return keys

    def __call__(self, path: tuple[str | int, ...]) -> int | None:
        node = self._compose()
        if node is None:
            return None
        line: int | None = node.start_mark.line + 1
        for part in path:
            if isinstance(node, yaml.MappingNode):
                found = self._mapping(node).get(str(part))
                if found is None:
                    return line
                line, node = found
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    return line
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line
        return line


def line_of(text: str, path: tuple[str | int, ...]) -> int | None:
    """Best-effort line number of a field path in YAML text (one lookup; for many in one
    file, use a ``LineIndex``)."""
    return LineIndex(text)(path)
