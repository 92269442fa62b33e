"""Each vocabulary is written once, in vocabulary.py, and everything else derives from it."""

from __future__ import annotations

import ast
import typing
from collections.abc import Iterable

from llmpick import vocabulary as vocab
from tests.conftest import ROOT, source_nodes

SRC = ROOT / "src" / "llmpick"

VOCABULARIES: dict[str, tuple[str, ...]] = {
    name: typing.get_args(value)
    for name, value in vars(vocab).items()
    if typing.get_origin(value) is typing.Literal
}


def test_vocabulary_is_cheap_to_import() -> None:
    # the cached fast path imports it: no pydantic, nothing of llmpick's own
    tree = ast.parse((SRC / "vocabulary.py").read_text())
    modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names} | {
        n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
    }
    assert modules <= {"__future__", "re", "typing"}


def _string_collections(nodes: Iterable[ast.AST]) -> list[tuple[int, tuple[str, ...]]]:
    """Tuples, lists, sets and Literal[...] subscripts made only of strings."""
    out = []
    for node in nodes:
        elts = None
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            elts = node.elts
        if elts and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in elts):
            out.append((node.lineno, tuple(e.value for e in elts)))  # type: ignore[attr-defined]
    return out


def test_no_module_writes_a_vocabulary_again() -> None:
    """A tuple or Literal listing every member of a vocabulary outside vocabulary.py
    is a copy that will drift; derive it from vocabulary.py instead."""
    whole = {frozenset(v): k for k, v in VOCABULARIES.items() if len(v) >= 3}
    copies = []
    for path in SRC.rglob("*.py"):
        if path.name == "vocabulary.py":
            continue
        for line, members in _string_collections(source_nodes(path)):
            if frozenset(members) in whole:
                rel = path.relative_to(SRC).as_posix()
                copies.append(f"{rel}:{line} repeats {whole[frozenset(members)]}")
    assert copies == []


def test_the_copy_check_finds_a_copy() -> None:
    tree = ast.parse('ACCESS = ("open", "proprietary", "any")\nX = Literal["a", "b"]\n')
    found = [m for _, m in _string_collections(ast.walk(tree))]
    assert ("open", "proprietary", "any") in found


def test_subsets_and_tables_agree_with_their_vocabulary() -> None:
    from llmpick.engine.memory import BITS_PER_WEIGHT
    from llmpick.engine.requirements import CHOICES

    assert set(vocab.NEEDS) <= set(vocab.CAPABILITIES)
    assert set(typing.get_args(vocab.ApiStatus)) <= set(vocab.STATUSES)
    assert set(vocab.PLATFORMS) <= set(typing.get_args(vocab.Channel))
    assert set(vocab.PLATFORM_NAMES) == set(vocab.PLATFORMS)
    assert set(vocab.TUNING_NAMES) == set(typing.get_args(vocab.Tuning))
    assert set(vocab.PROVIDER_KIND_NAMES) == set(vocab.PROVIDER_KINDS)
    assert tuple(BITS_PER_WEIGHT) == vocab.PRECISIONS
    assert set(vocab.DOMAIN_WORDS.values()) <= set(vocab.DOMAINS)
    assert set(vocab.ACCESS_SAID) <= set(vocab.ACCESS_KINDS)
    assert set(vocab.HOSTING_SAID) <= set(vocab.HOSTINGS)
    assert CHOICES["task"] == vocab.TASKS
    assert CHOICES["access"] == vocab.ACCESS_KINDS
    assert CHOICES["platform"] == vocab.PLATFORMS
    assert CHOICES["flavour"] == vocab.FLAVOURS
    assert CHOICES["domain"] == vocab.DOMAINS


def test_the_file_schema_uses_the_id_pattern_and_section_ids() -> None:
    import pytest
    from pydantic import ValidationError

    from llmpick.catalog.fileformat import FamilyIn

    base = {
        "name": "X",
        "provider": "acme",
        "architecture": "decoder-only",
        "status": "active",
        "description": "x",
        "variants": {"x-1": {"name": "X 1", "flavour": "chat"}},
    }
    FamilyIn.model_validate({**base, "guide": list(vocab.SECTION_IDS)})
    with pytest.raises(ValidationError, match="not a guide section id"):
        FamilyIn.model_validate({**base, "guide": ["2.17"]})
    with pytest.raises(ValidationError, match=vocab.ID_RULE.replace(".", r"\.")):
        FamilyIn.model_validate({**base, "provider": "Acme"})
