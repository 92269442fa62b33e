"""The guide inside the tool: every citation resolves, every term works, our own words."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from functools import cache

import pytest

from llmpick.engine.rank import RULES
from llmpick.guide import Guide, load_guide, lookup
from llmpick.vocabulary import SECTION_IDS
from tests.conftest import ROOT, SHARED, Result, bundled_catalog

ARTICLE = SHARED / "seed" / "adapting-llms-guide.md"
TERMS = [
    "base LLM",
    "augmented LLM",
    "fine-tuned LLM",
    "fine-tuning dataset",
    "human-feedback-reinforced LLM",
    "instruct LLM",
    "FLAN",
    "safety dataset",
    "alignment-tuning",
    "RLHF",
    "RLAIF",
    "constitutional AI",
    "chat model",
    "long-context model",
    "domain-adapted model",
    "greedy decoding",
    "beam search",
    "top-k",
    "top-p",
    "quantization",
    "context window",
    "base model",
    "embedding model",
    "open weights",
    "licence",
    "temperature",
    "kv cache",
    "structured output",
    "json mode",
    "ollama",
]


@cache
def guide() -> Guide:
    return load_guide()


def test_every_section_of_the_design_table_has_real_content() -> None:
    g = guide()
    assert list(g.sections) == list(SECTION_IDS)
    for sec in g.sections.values():
        assert sec.title and sec.heading
        assert len(sec.text.split()) >= 60, sec.id
    for sid in SECTION_IDS[SECTION_IDS.index("2.15") :]:
        assert g.sections[sid].sources, f"§{sid} states facts beyond the article: cite them"


@pytest.mark.parametrize("term", TERMS)
def test_terms_resolve(term: str) -> None:
    assert lookup(guide(), term).id in SECTION_IDS


# words people type, as they type them, and the section that should answer
TYPED = {
    "instruct": "2.6",
    "chat": "2.14",
    "base": "2.2",
    "Base models": "2.2",
    "moe": "2.1",
    "mixture-of-experts": "2.1",
    "quantization": "2.1",
    "quantisation": "2.1",
    "quantized": "2.1",
    "GPTQ": "2.1",
    "vram": "2.1",
    "lora": "2.4",
    "QLoRA": "2.4",
    "finetuning": "2.4",
    "Fine tuning": "2.4",
    "sft": "2.4",
    "dpo": "2.10",
    "rag": "2.16",
    "embeddings": "2.16",
    "context": "2.15",
    "context length": "2.15",
    "long context": "2.15",
    "reasoning": "2.12",
    "CoT": "2.12",
    "system prompt": "2.14",
    "chat templates": "2.14",
    "function calling": "7",
    "json": "8",
    "licenses": "3",
    "top_p": "6.4",
}


@pytest.mark.parametrize(("typed", "sid"), TYPED.items())
def test_the_words_people_type_find_their_section(typed: str, sid: str) -> None:
    assert lookup(guide(), typed).id == sid


def test_every_term_names_something_its_section_says() -> None:
    # a term must be explained where it leads: its words (or its letters, for an
    # abbreviation such as 'moe' or 'sft') appear in the section's text or title
    g = guide()
    for term, sid in g.terms.items():
        sec = g.sections[sid]
        text = re.sub(r"[^a-z0-9]+", " ", f"{sec.title} {sec.text}".lower())
        words = re.sub(r"[^a-z0-9]+", " ", term).split()
        initials = "".join(w[0] for w in text.split())
        found = all(w[:5] in text for w in words) or term.replace("-", "") in initials
        assert found, (term, sid)


def cited_ids() -> set[tuple[str, str]]:
    """Every guide id cited anywhere: engine, rules, walkthrough, catalog, guide cross-refs."""
    found: set[tuple[str, str]] = set()
    engine = "".join(
        (ROOT / "src" / "llmpick" / "engine" / name).read_text()
        for name in ("constraints.py", "rank.py")
    )
    for m in re.finditer(
        r'(?:Reason|Exclusion|add|warn)\((?:[^()]|\([^()]*\))*?"(\d(?:\.\d+)?)"', engine, re.S
    ):
        found.add(("engine.py", m.group(1)))
    found |= {("engine.RULES", sid) for sid, _ in RULES}
    for path in (ROOT / "src" / "llmpick").rglob("*.py"):
        for m in re.finditer(r"§(\d(?:\.\d+)?)", path.read_text()):
            found.add((path.name, m.group(1)))
    cat = bundled_catalog()
    for fam in cat.families.values():
        found |= {(fam.file, g) for g in fam.guide}
    for p in cat.providers.values():
        found |= {("providers.yaml", g) for g in p.guide}
    for sec in guide().sections.values():
        found |= {(f"guide §{sec.id}", m) for m in re.findall(r"§(\d(?:\.\d+)?)", sec.text)}
    return found


def test_every_cited_guide_id_resolves() -> None:
    cited = cited_ids()
    assert len({sid for _, sid in cited}) > 20
    bad = sorted((where, sid) for where, sid in cited if sid not in guide().sections)
    assert not bad, bad


def test_engine_citations_are_all_explained_in_rules() -> None:
    engine_ids = {sid for where, sid in cited_ids() if where == "engine.py"}
    assert engine_ids <= {sid for sid, _ in RULES}


def test_section_models_are_in_the_catalog() -> None:
    cat = bundled_catalog()
    for sec in guide().sections.values():
        for fam in sec.models:
            assert fam in cat.families, (sec.id, fam)


@pytest.mark.skipif(
    not ARTICLE.exists(), reason="the original article is not beside the repository"
)
def test_guide_text_never_repeats_ten_words_of_the_article() -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    from check_guide_overlap import guide_texts, overlaps

    hits = overlaps(
        ARTICLE.read_text(encoding="utf-8"), guide_texts(ROOT / "catalog" / "guide.yaml")
    )
    assert hits == []


def test_overlap_check_catches_a_copied_sentence() -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    from check_guide_overlap import overlaps

    article = "the quick brown fox jumps over the lazy dog and then runs far away home"
    copied = {"x": "Note that the quick brown fox jumps over the lazy dog and then runs off."}
    assert overlaps(article, copied)
    assert not overlaps(article, {"x": "A fast fox leapt past a sleepy hound before going home."})


Cli = Callable[..., Result]


def test_guide_tree_and_json(cli: Cli) -> None:
    r = cli("guide")
    assert r.code == 0, r
    assert "§2.14" in r.out and "Decoding: how the next token is chosen" in r.out
    data = json.loads(cli("guide", "--json").out)
    assert [d["id"] for d in data] == list(SECTION_IDS)


@pytest.mark.parametrize(
    ("key", "sid"),
    [("2.14", "2.14"), ("§2.7", "2.7"), ("rlhf", "2.10"), ("Base LLM", "2.2"), ("top-p", "6.4")],
)
def test_guide_section_by_id_or_term(cli: Cli, key: str, sid: str) -> None:
    r = cli("guide", key, "--json")
    assert r.code == 0, r
    data = json.loads(r.out)
    assert data["id"] == sid and data["text"]
    human = cli("guide", key)
    assert human.code == 0 and f"§{sid}" in human.out


def test_guide_section_lists_models_and_rules(cli: Cli) -> None:
    data = json.loads(cli("guide", "2.7", "--json").out)
    assert "flan-t5" in [m["id"] for m in data["models"]]
    assert data["rules"]


def test_unknown_guide_key_exits_2_with_suggestion(cli: Cli) -> None:
    r = cli("guide", "rlfh")
    assert r.code == 2, r
    assert "did you mean" in r.err and "rlhf" in r.err
    r = cli("guide", "tuning")  # a word inside several terms: one per section
    assert r.code == 2, r
    assert "'fine-tuning'" in r.err and "'instruction tuning'" in r.err
    r = cli("guide", "xyzzy")
    assert r.code == 2, r
    assert r.err.splitlines()[-1] == "hint: 'llmpick guide' lists every section"


@pytest.mark.skipif(
    not ARTICLE.is_file(), reason="the source article (../shared/seed) is not beside this clone"
)
def test_no_heading_repeats_the_articles_wording() -> None:
    """Our section and part titles are our own words; the article's headings appear only
    as the citation of where a section sits ('in the article: ...')."""
    from llmpick.guide import PARTS

    def norm(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()

    article = {
        norm(line.lstrip("#")) for line in ARTICLE.read_text().splitlines() if line.startswith("#")
    }
    ours = [s.title for s in guide().sections.values()] + list(PARTS.values())
    assert len(article) > 20
    assert not [t for t in ours if norm(t) in article]
