"""CONTRIBUTING's map of the code is the code's: every module appears in it, in its
package's entry, and every file it names exists."""

from __future__ import annotations

import re

from tests.conftest import ROOT

SRC = ROOT / "src" / "llmpick"


def _map() -> list[str]:
    """The map's entries: each top-level line with its continuation lines."""
    text = (ROOT / "CONTRIBUTING.md").read_text()
    block = text.split("```\nsrc/llmpick/\n", 1)[1].split("```", 1)[0]
    entries: list[str] = []
    for line in block.splitlines():
        if re.match(r"  \S", line):
            entries.append(line)
        elif entries:
            entries[-1] += "\n" + line
    return entries


def _names(text: str) -> set[str]:
    return set(re.findall(r"(?<![\w/])[\w/]+?(?:\.py|/)(?!\w)", text))


def test_every_module_is_on_the_map() -> None:
    entries = _map()
    missing = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if rel.name == "__init__.py":
            continue
        if len(rel.parts) == 1:
            found = any(rel.name in _names(e) for e in entries)
        else:
            head = rel.parts[0] + "/"
            entry = next((e for e in entries if e.split()[0] == head), "")
            words = {w.rsplit("/", 1)[-1] or w for w in _names(entry)}
            words |= {w.split("/")[-2] + "/" for w in _names(entry) if w.count("/") >= 1}
            found = all(
                (part + "/" if i < len(rel.parts) - 1 else part) in words
                for i, part in enumerate(rel.parts)
                if i > 0
            )
        if not found:
            missing.append(rel.as_posix())
    assert not missing, missing


def test_every_file_on_the_map_exists() -> None:
    modules = {p.name for p in SRC.rglob("*.py")}
    named = {w.rsplit("/", 1)[-1] for e in _map() for w in _names(e) if w.endswith(".py")}
    assert named <= modules, named - modules
