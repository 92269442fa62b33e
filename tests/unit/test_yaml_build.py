"""yamlsafe.parse builds data straight from libyaml's events; it must give exactly what
PyYAML's safe constructor gives (types included), and the same message for anything it
leaves to PyYAML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from llmpick.yamlsafe import (
    YamlProblem,
    _build,
    _check_plain,
    _load_slowly,
    _Loader,
    _Unusual,
    parse,
)

DOCS = {
    "family": (
        "name: X\nreleased: 2024-05-01\nverified: '2026-11-26'\nparams_b: 7\nratio: 1.5\n"
        "open: yes\nshut: off\nnothing: ~\nempty:\nlist: [a, 1, 2.5, true, null]\n"
        "nested:\n  a: {b: [c, {d: e}]}\n"
    ),
    "anchors shared": "a: &x [1, 2]\nb: *x\nc: &s text\nd: *s\n",
    "scalar root": "just text\n",
    "number root": "42\n",
    "empty document": "---\n",
    "comment only": "# nothing\n",
    "quoted look-alikes": "a: '1'\nb: \"true\"\nc: 'null'\nd: '2024-01-01'\n",
    "block text": "a: |\n  line one\n  line two\nb: >\n  folded\n  text\n",
    "non-specific tag": "a: ! 12\nb: !!str 12\nc: !!int '12'\nd: !!float 1\n",
    "null and numeric keys": "~: a\n1: b\n2.5: c\n",
    "datetime": "t: 2024-05-01 10:20:30\nz: 2024-05-01T10:20:30+02:00\n",
    "specials": "inf: .inf\nnan: .NaN\nneg: -.inf\noct: 0o17\nhex: 0x1F\nsexa: 1:30\n",
    "deep but allowed": "a: " + "[" * 30 + "]" * 30 + "\n",
}


def _same(a: Any, b: Any) -> bool:
    """Equal, with the same types all the way down (1 == 1.0 == True would hide a bug)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and a != a:
        return b != b
    return bool(a == b)


@pytest.mark.parametrize("name", list(DOCS))
def test_parse_gives_what_pyyaml_gives(name: str) -> None:
    text = DOCS[name]
    assert _same(parse(text, "f.yaml"), yaml.load(text, Loader=_Loader))


def test_shared_parts_stay_shared() -> None:
    data = parse(DOCS["anchors shared"], "f.yaml")
    assert data["a"] is data["b"]


def test_the_bundled_catalog_parses_the_same() -> None:
    root = Path(__file__).resolve().parents[2] / "catalog"
    files = sorted(root.rglob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert _same(parse(text, path.name), yaml.load(text, Loader=_Loader)), path


UNUSUAL = {
    "merge key": "base: &b {x: 1, y: 2}\nmore:\n  <<: *b\n  z: 3\n",
    "merge key that repeats a key": "base: &b {x: 1, y: 2}\nmore:\n  <<: *b\n  y: 3\n",
    "set tag": "s: !!set {a, b}\n",
    "omap tag": "o: !!omap [a: 1, b: 2]\n",
    "binary tag": "b: !!binary aGVsbG8=\n",
    "complex key": "? [a, b]\n: c\n",
    "duplicate key": "a: 1\na: 2\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "undefined alias": "a: *nowhere\n",
    "anchor defined twice": "a: &x 1\nb: &x 2\n",
    "python tag": "a: !!python/name:os.system\n",
    "too deep": "a: " + "[" * 60 + "]" * 60 + "\n",
    "far too deep": "a: " + "[" * 5000 + "]" * 5000 + "\n",
}
REFUSED = {
    "broken": "a: [1, 2\n",
    "alias bomb": "a: &a [x, x, x]\nb: [*a, *a, *a]\n",
    "too many values": "a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]\n",
}


def _as_before(text: str, max_nodes: int) -> Any:
    """What parse gave before it built from events: PyYAML's constructor, then the check."""
    data = _load_slowly(text, "f.yaml")
    _check_plain(data, "f.yaml", max_nodes)
    return data


def _outcome(fn: Any, text: str) -> Any:
    try:
        return ("data", fn(text))
    except YamlProblem as exc:
        return ("refused", str(exc.problem))


@pytest.mark.parametrize("name", [*UNUSUAL, *REFUSED])
def test_anything_else_is_read_or_refused_as_before(name: str) -> None:
    text = {**UNUSUAL, **REFUSED}[name]
    new = _outcome(lambda t: parse(t, "f.yaml", max_nodes=10), text)
    old = _outcome(lambda t: _as_before(t, 10), text)
    assert new[0] == old[0]
    assert _same(new[1], old[1]) if new[0] == "data" else new[1] == old[1]


@pytest.mark.parametrize("name", list(UNUSUAL))
def test_the_unusual_is_left_to_pyyaml(name: str) -> None:
    with pytest.raises((_Unusual, yaml.YAMLError)):
        _build(UNUSUAL[name])


def test_dates_are_dates() -> None:
    assert parse("d: 2024-05-01\n", "f.yaml") == {"d": dt.date(2024, 5, 1)}
