"""Reading untrusted YAML: safe loaders only, bounded size, depth and sharing.

``yaml.safe_load`` already refuses tags that build Python objects. On top of
that this module bounds the file size, refuses non-UTF-8 text and duplicate keys,
bounds how far anchors and aliases may expand (the "billion laughs" bomb would
make validation exponential) and how deep data may nest, and turns every failure
into a ``Problem`` naming the file and line.

Plain documents (the catalog's thousands of family files) are built straight from
libyaml's events (``_build``), several times faster than PyYAML's constructor; any
document that is not plain, and every malformed one, goes through PyYAML's own safe
constructor, so the data and the messages are the same either way.
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
            data, count = _build(text)
        if count is not None and count <= max_nodes:
            return data  # no aliases, nested less than MAX_DEPTH: nothing to check
    except Exception:  # PyYAML's constructor decides, and words the error
        data = _load_slowly(text, name)
    _check_plain(data, name, max_nodes)
    return data


def _load_slowly(text: str, name: str) -> Any:
    """PyYAML's own constructor: for what ``_build`` leaves to it, and for the message of
    a malformed document."""
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
    return data


class _Unusual(Exception):
    """Something ``_build`` leaves to PyYAML's constructor (which gives the same data, or
    the error message): an explicit tag other than the core ones, a merge key, a key
    that is not a scalar or is repeated, an anchor defined twice or never, more than one
    document, or nesting past MAX_DEPTH."""


_STR = "tag:yaml.org,2002:str"
_MAP_TAGS = (None, "!", "tag:yaml.org,2002:map")
_SEQ_TAGS = (None, "!", "tag:yaml.org,2002:seq")
# the core scalar types, built by PyYAML's own safe constructors
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "timestamp")
)
_values: dict[tuple[str | None, str], Any] = {}  # (tag, text) -> value; all immutable
_tags: dict[str, str] = {}  # text of a plain scalar -> its tag
_NO_KEY = object()


# first characters of the plain scalars that may be something other than a string (a
# resolver for any first character, which PyYAML's safe loader has not, leaves the
# document to PyYAML: see _build)
_TYPED_START = frozenset(k for k in _Base.yaml_implicit_resolvers if k)


def _scalar(event: Any, loader: Any) -> Any:
    """The value of a scalar event, its tag resolved as PyYAML's composer does."""
    tag, value = event.tag, event.value
    if tag is None and event.implicit[0]:  # a plain scalar: its tag depends on its text
        tag = _tags.get(value)
        if tag is None:
            if len(_tags) > 100_000:
                _tags.clear()
            tag = _tags[value] = loader.resolve(yaml.ScalarNode, value, event.implicit)
    elif tag is None or tag == "!":
        tag = loader.resolve(yaml.ScalarNode, value, event.implicit)
    if tag != _STR and tag not in _SCALAR_TAGS:
        raise _Unusual
    key = (tag, value)
    found = _values.get(key, _NO_KEY)
    if found is _NO_KEY:
        if len(_values) > 100_000:
            _values.clear()
        node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark)
        found = _values[key] = loader.yaml_constructors[tag](loader, node)
    return found


def _build(text: str) -> tuple[Any, int | None]:
    """The data of a YAML document built straight from libyaml's events, and how many
    values its mappings and lists hold (None when it uses aliases: ``_check_plain``
    then counts what they expand to).

    PyYAML's constructor makes a node for every value, then the value, through
    generators: most of the time of loading a catalog went there (20,000 models: 3.3 s
    to load, 0.9 s to read the events). The data is the same as ``yaml.load`` with
    ``_Loader`` gives; whatever is not plain (see ``_Unusual``) is left to it."""
    loader = _Base(text)
    try:
        if None in loader.yaml_implicit_resolvers:  # every first character may be typed
            raise _Unusual
        get: Any = loader.get_event
        get()  # the stream's start
        if get().__class__ is yaml.StreamEndEvent:  # no document
            return None, 0
        try:
            data = _fill(get, loader)
        except TypeError:  # a list or mapping as a key
            raise _Unusual from None
        if get().__class__ is not yaml.StreamEndEvent:
            raise _Unusual  # another document: PyYAML says it expects a single one
        return data
    finally:
        loader.dispose()


def _fill(get: Any, loader: Any) -> tuple[Any, int | None]:
    """The document whose events ``get`` returns, up to its end (see ``_build``). One
    loop, with the rare events (a collection's start, an alias, an anchor) handled by
    calls: a call per event would cost much of what building from events saves."""
    scalar, alias, ends = yaml.ScalarEvent, yaml.AliasEvent, _ENDS
    typed_start, no_key, tags, values = _TYPED_START, _NO_KEY, _tags, _values
    stack: list[tuple[Any, Any]] = []
    anchors: dict[str, Any] = {}
    container: Any = None
    key: Any = no_key
    result: Any = None
    count, aliased = 0, False
    while True:
        event = get()
        cls = event.__class__
        if cls is scalar:
            value = event.value
            if event.tag is not None:
                value = _scalar(event, loader)
            elif event.implicit[0] and (not value or value[0] in typed_start):
                found = values.get((tags.get(value), value), no_key)  # seen before
                value = _scalar(event, loader) if found is no_key else found
            # else a string: quoted or block text, or no implicit type starts so
        elif cls in ends:  # the collection was placed when it started
            if key is not no_key:
                raise _Unusual
            count += len(container)
            container, key = stack.pop()
            continue
        elif cls is alias:
            value, aliased = _aliased(event, anchors), True
        elif cls in _STARTS:
            value = _started(event, len(stack))
        else:  # the document's end
            return result, None if aliased else count
        if cls is not alias and event.anchor is not None:
            _remember(event.anchor, value, anchors)
        if container is None:
            result = value
        elif container.__class__ is list:
            container.append(value)
        elif key is no_key:
            if value in container:  # repeated (a list or mapping as a key: TypeError)
                raise _Unusual
            key = value
        else:
            container[key] = value
            key = no_key
        if cls in _STARTS:
            stack.append((container, key))
            container, key = value, no_key


_STARTS = {yaml.MappingStartEvent: _MAP_TAGS, yaml.SequenceStartEvent: _SEQ_TAGS}
_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _started(event: Any, depth: int) -> Any:
    """The empty mapping or list a start event opens at ``depth``."""
    if event.tag not in _STARTS[event.__class__] or depth >= MAX_DEPTH:
        raise _Unusual
    return {} if event.__class__ is yaml.MappingStartEvent else []


def _aliased(event: Any, anchors: dict[str, Any]) -> Any:
    if event.anchor not in anchors:
        raise _Unusual
    return anchors[event.anchor]


def _remember(anchor: str, value: Any, anchors: dict[str, Any]) -> None:
    if anchor in anchors:
        raise _Unusual
    anchors[anchor] = value


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
