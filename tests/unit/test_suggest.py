"""Refusals that name the fix (llmpick.suggest): the nearest word, and the keys a
schema allows where pydantic found an unknown one."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from llmpick.suggest import error_message, keys_at, nearest, not_one_of, unknown_key


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    regex: str | None = None
    contains: str | list[str] | None = None


class Outer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    checks: list[Inner] = []
    by_name: dict[str, Inner] = {}
    one: Inner | None = None


def _messages(data: Any) -> list[str]:
    with pytest.raises(ValidationError) as info:
        Outer.model_validate(data)
    return [error_message(e, Outer.model_json_schema) for e in info.value.errors()]


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ({"name": "a", "nmae": 1}, "unknown key 'nmae'; did you mean 'name'?"),
        ({"name": "a", "one": {"regx": "x"}}, "unknown key 'regx'; did you mean 'regex'?"),
        ({"name": "a", "checks": [{}, {"contans": "x"}]}, "did you mean 'contains'?"),
        ({"name": "a", "by_name": {"k": {"regexp": "x"}}}, "did you mean 'regex'?"),
        (
            {"name": "a", "one": {"colour": 1}},
            "unknown key 'colour'; expected one of: contains, regex",
        ),
    ],
)
def test_an_unknown_key_is_named_with_the_keys_allowed_there(data: Any, said: str) -> None:
    assert any(said in m for m in _messages(data)), _messages(data)
    assert not any("Extra inputs" in m for m in _messages(data))


def test_keys_at_follows_lists_maps_unions_and_refs() -> None:
    schema = Outer.model_json_schema()
    assert keys_at(schema, ()) == ["by_name", "checks", "name", "one"]
    assert keys_at(schema, ("checks", 3)) == ["contains", "regex"]
    assert keys_at(schema, ("by_name", "anything")) == ["contains", "regex"]
    assert keys_at(schema, ("one", "Inner")) == ["contains", "regex"]  # a union's tag


def test_nearest_and_the_choices() -> None:
    assert nearest("chatt", ("chat", "instruct")) == "chat"
    assert nearest("str", ("structured-output", "tools")) == "structured-output"  # a prefix
    assert nearest("zzz", ("chat", "instruct")) is None
    assert not_one_of("opn", ["open", "proprietary", "any"]) == (
        "'opn'; did you mean 'open'? (choose from: open, proprietary, any)"
    )
    assert not_one_of("zzz", ["open", "any"]) == "'zzz'; choose from: open, any"
    assert unknown_key("x", []) == "unknown key 'x'; nothing more may be given here"


def test_a_dataclass_record_names_the_key_meant_too() -> None:
    """Catalog records are dataclasses: pydantic says 'Unexpected keyword argument'."""
    from llmpick.catalog.fileformat import PROVIDER

    with pytest.raises(ValidationError) as info:
        PROVIDER.validate_python({"id": "x", "name": "X", "kinds": ["community"], "homepag": "h"})
    said = [error_message(e, PROVIDER.json_schema) for e in info.value.errors()]
    assert said == ["unknown key 'homepag'; did you mean 'homepage'?"]
