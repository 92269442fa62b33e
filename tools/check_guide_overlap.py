"""Report any run of 10 or more words that catalog/guide.yaml shares with the original article.

    python tools/check_guide_overlap.py [ARTICLE]

Used by the test suite; handy while writing guide text.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
N = 10


def words(text: str) -> list[str]:
    text = re.sub(r"<[^>]+>", " ", text)
    return re.findall(r"[a-z0-9]+(?:['’][a-z]+)?", text.lower().replace("’", "'"))


def shingles(ws: list[str], n: int = N) -> set[tuple[str, ...]]:
    return {tuple(ws[i : i + n]) for i in range(len(ws) - n + 1)}


def guide_texts(path: Path) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        sid: sec.get("text", "") + " " + sec.get("title", "")
        for sid, sec in data.get("sections", {}).items()
    }


def overlaps(article: str, texts: dict[str, str]) -> list[tuple[str, str]]:
    source = shingles(words(article))
    found = []
    for sid, text in texts.items():
        for sh in shingles(words(text)):
            if sh in source:
                found.append((sid, " ".join(sh)))
    return found


def main() -> int:
    article = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else ROOT.parent / "shared" / "seed" / "adapting-llms-guide.md"
    )
    hits = overlaps(
        article.read_text(encoding="utf-8"), guide_texts(ROOT / "catalog" / "guide.yaml")
    )
    for sid, run in hits:
        print(f"§{sid}: {run}")
    print(f"{len(hits)} shared runs of {N}+ words")
    return 1 if hits else 0


if __name__ == "__main__":
    raise SystemExit(main())
