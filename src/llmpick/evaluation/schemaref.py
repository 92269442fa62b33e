"""A cases file's JSON Schemas may refer only within themselves, and never in a loop.

jsonschema resolves a ``$ref`` it does not hold by retrieving it: a cases file could
make ``eval`` read any URL or local file, with no timeout (a FIFO, a slow server,
``file:///dev/zero``). A schema here may use only local references (``#`` or
``#/json/pointer``), each of which must point at a part of the same schema, and the
validator is given a registry that retrieves nothing.

A reference that leads back to where it started without reading any of the answer
(``{"$ref": "#"}``, or ``a -> allOf -> b -> a``) would recurse for ever; such a loop is
refused when the cases file is read. Recursion that descends into the answer
(``properties.child.$ref: "#"``, a tree) is fine: the answer is finite.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

REF_KEYS = ("$ref", "$dynamicRef", "$recursiveRef")
# keywords whose subschemas apply to the same value (they do not descend into it)
_IN_PLACE_LISTS = ("allOf", "anyOf", "oneOf")
_IN_PLACE_ONE = ("not", "if", "then", "else")
_IN_PLACE_MAPS = ("dependentSchemas",)
MAX_REF_DEPTH = 64  # pointer segments


class SchemaRefError(ValueError):
    pass


def _pointer(schema: Any, ref: str, where: str) -> Any:
    """The part of ``schema`` a local reference names; SchemaRefError if none."""
    if ref in ("#", ""):
        return schema
    if not ref.startswith("#/"):
        raise SchemaRefError(
            f"{where}: {ref!r} is not a local reference; only '#' and '#/...' are allowed "
            "(nothing is fetched from a URL or a file)"
        )
    node = schema
    parts = ref[2:].split("/")
    if len(parts) > MAX_REF_DEPTH:
        raise SchemaRefError(f"{where}: {ref!r} is deeper than {MAX_REF_DEPTH} levels")
    for raw in parts:
        part = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise SchemaRefError(f"{where}: {ref!r} points at nothing in this schema")
    return node


_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_ONE = (
    "not", "if", "then", "else", "items", "additionalItems", "additionalProperties",
    "unevaluatedItems", "unevaluatedProperties", "contains", "propertyNames", "contentSchema",
)  # fmt: skip


def _subschemas(node: dict[str, Any], where: str) -> list[tuple[Any, str]]:
    out: list[tuple[Any, str]] = []
    for key in _SCHEMA_MAPS:
        if isinstance(node.get(key), dict):
            out += [(v, f"{where}/{key}/{k}") for k, v in node[key].items()]
    deps = node.get("dependencies")
    if isinstance(deps, dict):
        out += [(v, f"{where}/dependencies/{k}") for k, v in deps.items() if isinstance(v, dict)]
    for key in (*_SCHEMA_LISTS, "items"):
        if isinstance(node.get(key), list):
            out += [(v, f"{where}/{key}/{i}") for i, v in enumerate(node[key])]
    for key in _SCHEMA_ONE:
        if key in node and not isinstance(node[key], list):
            out.append((node[key], f"{where}/{key}"))
    return out


def check_local_refs(schema: Any) -> None:
    """Refuse (SchemaRefError) any reference that is not local or points at nothing, a
    nested ``$id`` (it would change what a local reference means), and a loop of
    references that reads none of the answer. Each subschema is visited once,
    iteratively (the schema's depth was bounded where it was read)."""
    _refuse_loops(_in_place_edges(schema))


def _in_place_edges(schema: Any) -> dict[int, list[Any]]:
    """id(subschema) -> the subschemas it applies to the same value (its references,
    allOf, not, if ...), for every subschema; a bad reference or a nested $id is
    refused on the way."""
    in_place: dict[int, list[Any]] = {}
    stack: list[tuple[Any, str]] = [(schema, "#")]
    while stack:
        node, where = stack.pop()
        if not isinstance(node, dict) or id(node) in in_place:
            continue
        if where != "#" and isinstance(node.get("$id"), str):
            raise SchemaRefError(f"{where}/$id: a nested $id is not allowed in a case's schema")
        refs = _references(schema, node, where)
        in_place[id(node)] = [target for target, _ in refs] + _applied_in_place(node)
        stack.extend(refs)
        stack.extend(_subschemas(node, where))
    return in_place


def _references(schema: Any, node: dict[str, Any], where: str) -> list[tuple[Any, str]]:
    """(the part of ``schema`` it names, the reference) for each reference in ``node``."""
    found = []
    for key in REF_KEYS:
        if key in node:
            ref = node[key]
            if not isinstance(ref, str):
                raise SchemaRefError(f"{where}/{key}: a reference must be a string")
            found.append((_pointer(schema, ref, f"{where}/{key}"), ref))
    return found


def _applied_in_place(node: dict[str, Any]) -> list[Any]:
    """The subschemas of ``node`` that apply to the same value, not to a part of it."""
    edges: list[Any] = []
    for key in _IN_PLACE_LISTS:
        if isinstance(node.get(key), list):
            edges.extend(node[key])
    edges += [node[key] for key in _IN_PLACE_ONE if key in node]
    for key in _IN_PLACE_MAPS:
        if isinstance(node.get(key), dict):
            edges.extend(node[key].values())
    return edges


def _refuse_loops(in_place: dict[int, list[Any]]) -> None:
    """A loop among the in-place edges: depth-first search with colours, iteratively."""
    colour: dict[int, int] = {}  # 1 on the path, 2 done
    for start in in_place:
        if colour.get(start):
            continue
        path: list[tuple[int, list[int]]] = [(start, _ids(in_place[start]))]
        colour[start] = 1
        while path:
            nid, todo = path[-1]
            if not todo:
                colour[nid] = 2
                path.pop()
                continue
            nxt = todo.pop()
            state = colour.get(nxt)
            if state == 1:
                raise SchemaRefError(
                    "the schema refers back to itself without reading any of the answer "
                    '(a $ref loop such as {"$ref": "#"}); it could never be checked'
                )
            if state is None and nxt in in_place:
                colour[nxt] = 1
                path.append((nxt, _ids(in_place[nxt])))


def _ids(nodes: Any) -> list[int]:
    return [id(n) for n in nodes if isinstance(n, dict)]


def validator(schema: Any) -> Any:
    """A jsonschema validator for ``schema`` whose registry retrieves nothing (a
    reference outside the schema is unresolvable, never fetched)."""
    from jsonschema.validators import validator_for
    from referencing import Registry
    from referencing.exceptions import NoSuchResource

    def refuse(uri: str) -> Any:
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]

    return validator_for(schema)(schema, registry=Registry(retrieve=refuse))  # type: ignore[call-arg]
