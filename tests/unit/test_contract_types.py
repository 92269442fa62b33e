"""The TypedDicts the renderers read (output/contract_types.py) say what the pydantic
models of the documents (output/contract.py) say: the same documents, keys, value
types and required keys. Without this, a field renamed in the contract would leave
mypy checking the renderers against a document that no longer exists."""

from __future__ import annotations

import inspect
import types
import typing
from typing import Any, Literal, get_args, get_origin, get_type_hints, is_typeddict

import pytest
from pydantic import BaseModel

from llmpick.output import contract, contract_types


def _models() -> dict[str, type[BaseModel]]:
    return {
        name: obj
        for name, obj in vars(contract).items()
        if inspect.isclass(obj)
        and issubclass(obj, BaseModel)
        and obj.__module__ == contract.__name__
        and not name.startswith("_")
    }


def _typeddicts() -> dict[str, Any]:
    return {
        name: obj
        for name, obj in vars(contract_types).items()
        if is_typeddict(obj)
        and obj.__module__ == contract_types.__name__
        and name not in MIRRORS_ELSEWHERE
    }


# TypedDicts that mirror no model here, each with its own check below
MIRRORS_ELSEWHERE = {"RequirementsDoc"}
# fields a model keeps as dict[str, Any] but whose JSON Schema (or builder) gives a
# type: the TypedDict has that type, checked against its source below
TYPED_HERE = {
    ("Shortlist", "requirements"): "RequirementsDoc",
    ("Verdict", "requirements"): "RequirementsDoc",
}


def spelled(tp: Any) -> str:
    """A type in words that both sides share: a model and a TypedDict by their name, a
    union and a Literal with their members sorted (order means nothing there)."""
    if inspect.isclass(tp) and (issubclass(tp, BaseModel) or is_typeddict(tp)):
        return tp.__name__
    origin, args = get_origin(tp), get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(sorted(spelled(a) for a in args))
    if origin is Literal:
        return f"Literal[{', '.join(sorted(repr(a) for a in args))}]"
    if origin is not None:
        return f"{spelled(origin)}[{', '.join(spelled(a) for a in args)}]"
    if tp is Any:
        return "Any"
    return str(getattr(tp, "__name__", tp))


def test_every_document_model_has_a_typeddict_and_no_more() -> None:
    assert sorted(_models()) == sorted(_typeddicts())


@pytest.mark.parametrize("name", sorted(_models()))
def test_keys_types_and_required_keys_match(name: str) -> None:
    model, td = _models()[name], _typeddicts()[name]
    hints = get_type_hints(td)  # NotRequired[...] unwrapped; it is checked below
    assert sorted(hints) == sorted(model.model_fields), f"{name}: keys differ"
    for key, field in model.model_fields.items():
        want = TYPED_HERE.get((name, key)) or spelled(field.annotation)
        assert spelled(hints[key]) == want, f"{name}.{key}: types differ"
    required = {k for k, f in model.model_fields.items() if f.is_required()}
    assert set(td.__required_keys__) == required, f"{name}: required keys differ"


def test_the_check_sees_a_drift() -> None:
    """The comparison is not vacuous: a changed type, a missing key and an optional key
    that became required are each told apart."""
    assert spelled(list[contract.Cited]) == spelled(list[contract_types.Cited])
    assert spelled(float | None) != spelled(float)
    assert spelled(Literal["a", "b"]) == spelled(Literal["b", "a"])
    assert spelled(Literal["a", "b"]) != spelled(Literal["a"])
    assert spelled(dict[str, int | str | None]) == spelled(dict[str, str | int | None])
    assert "weight" not in contract_types.Cited.__required_keys__
    assert "text" in contract_types.Cited.__required_keys__


def test_the_requirements_document_is_the_requirements_dataclass() -> None:
    """RequirementsDoc has Requirements' fields, in its order (``to_data`` gives every
    one), of the same types; and the shortlist's JSON Schema puts the Requirements
    schema where the model says dict[str, Any]."""
    from dataclasses import fields

    from llmpick.engine.requirements import Requirements

    td = contract_types.RequirementsDoc
    hints, source = get_type_hints(td), get_type_hints(Requirements)
    assert list(hints) == [f.name for f in fields(Requirements)]
    for key, tp in source.items():
        assert spelled(hints[key]) == spelled(tp), f"requirements.{key}: types differ"
    assert set(td.__required_keys__) == set(hints)
    schema = contract.shortlist_schema()
    assert schema["properties"]["requirements"] == {"$ref": "#/$defs/Requirements"}
    assert sorted(schema["$defs"]["Requirements"]["properties"]) == sorted(hints)
    assert set(TYPED_HERE.values()) == MIRRORS_ELSEWHERE
