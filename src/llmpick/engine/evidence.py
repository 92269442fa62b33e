"""Which published results measure which task, and how results compare (guide §4.2).

Quality is judged only on results relevant to the job: a coding benchmark says
nothing about summarising German tickets. Each task maps to the benchmarks that
measure it; a language other than English adds the multilingual ones, long
documents the long-context ones, a domain its own. Results of different
benchmarks are put on one scale by their place among the candidates (the models
that pass the requirements) that report the same benchmark and edition, and a
model's quality for a task is the mean place of its relevant results, each
weighted by how many candidates report that benchmark and how much it separates
them, and pulled towards a conservative prior when there are few (``quality``).
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter

from llmpick.catalog.records import Variant

# canonical name -> other spellings found in model cards and datasets
ALIASES: dict[str, tuple[str, ...]] = {
    "MMLU-Pro": ("MMLU Pro",),
    "SWE-Bench Verified": ("SWE-bench Verified",),
    "SWE-Bench Pro": ("SWE-Bench Pro (public)", "SWE Bench Pro"),
    # versions differ by tens of points: each is its own benchmark
    "Terminal-Bench 2": (
        "Terminal-Bench 2.0",
        "Terminal Bench 2.0",
        "Terminal-Bench 2.1",
        "Terminal Bench 2.1",
        "Terminal-Bench 2.1 (Terminus-2 harness)",
    ),
    "Terminal-Bench 4": ("Terminal-Bench 4.0", "Terminal Bench 4.0"),
    "LiveCodeBench": ("LiveCodeBench v6", "LiveCodeBench v5"),
    "Humanity's Last Exam": ("Humanity’s Last Exam", "HLE"),
    "τ²-Bench": ("tau2-bench", "τ2-bench"),  # not tau-bench, its different predecessor
    "BFCL": ("BFCL V2", "BFCL v3", "BFCL V3", "BFCL v4"),  # editions split by canonical()
    "MRCR": ("MRCRv2", "MRCR v2"),
    "GPQA Diamond": ("GPQA-Diamond",),
    "MedQA": ("MedQA (4-option)",),
}

GENERAL = (
    "Artificial Analysis Intelligence Index",
    "LMArena Text",
    "LiveBench",  # mean of its seven categories; questions renewed each release
    "MMLU-Pro",
    "MMLU",
)
REASONING = (
    "GPQA Diamond",
    "Humanity's Last Exam",
    "Humanity's Last Exam (tools)",
    "AIME 2025",
    "AIME 2024",
    "MATH-500",
    "LiveBench Reasoning",  # new logic puzzles each release, scored against ground truth
)
CODE = (
    "SWE-Bench Verified",
    "SWE-Bench Pro",
    "LiveCodeBench",
    "Aider Polyglot",
    "Terminal-Bench 2",
    "Terminal-Bench 4",
    "HumanEval",
    "Artificial Analysis Coding Index",
    "LiveBench Coding",  # new competition problems each release, code generation and completion
)
INSTRUCTIONS = ("IFEval",)
TOOLS = ("BFCL", "τ²-Bench")
MULTILINGUAL = ("MMMLU", "MMLU-ProX", "Global-MMLU")
TRANSLATION = ("WMT24++", "FLORES-200")
LONG_CONTEXT = ("RULER", "LongBench v2", "MRCR")
EMBEDDING = ("MTEB (English)", "MTEB (Multilingual)", "MTEB (Code)")
CLASSIFICATION = ("GLUE", "SuperGLUE", "SST-2", "MNLI-m")
BIOMEDICAL = ("MedQA", "PubMedQA", "MedMCQA")
SUMMARIES = ("CNN/DailyMail", "XSum")

# the results that measure each task (None: no task given, general instruction following)
TASK_BENCHMARKS: dict[str | None, tuple[str, ...]] = {
    None: GENERAL + INSTRUCTIONS,
    "chat": (
        "LMArena Text",
        "Artificial Analysis Intelligence Index",
        "LiveBench",
        "IFEval",
        "MMLU-Pro",
        "MMLU",
    ),
    "instruct": ("IFEval", *GENERAL),
    "creative": ("LMArena Text", "Artificial Analysis Intelligence Index"),
    "classification": (*CLASSIFICATION, "IFEval", "MMLU-Pro"),
    "extraction": ("IFEval", "BFCL", "SQuAD 2.0"),
    "summarization": (*SUMMARIES, "IFEval", "Artificial Analysis Intelligence Index"),
    "translation": (*TRANSLATION, *MULTILINGUAL),
    "qa": (
        "MMLU-Pro",
        "GPQA Diamond",
        "Humanity's Last Exam",
        "Artificial Analysis Intelligence Index",
        "IFEval",
    ),
    "code": CODE,
    "reasoning": (*REASONING, "Artificial Analysis Intelligence Index", "MMLU-Pro"),
    "embedding": EMBEDDING,
}
DOMAIN_BENCHMARKS: dict[str, tuple[str, ...]] = {
    "biomedical": BIOMEDICAL,
    "code": CODE,
    "math": ("AIME 2025", "AIME 2024", "MATH-500"),
    "science": ("GPQA Diamond",),
}
# documents and charts read from images (--needs vision)
VISION = ("DocVQA", "MMMU")
LONG_DOCUMENTS = 100_000  # a required context from which long-context results count

MIN_RESULTS = 3  # a benchmark needs results for this many models to compare them
FULL_WEIGHT = 10  # a benchmark reported by this many catalogued models counts fully
PRIOR = 1.0  # weight of the neutral 0.5 that every model's quality starts from

_SPELLINGS = {
    re.sub(r"[^a-z0-9²+]", "", alias.lower()): name
    for name, aliases in ALIASES.items()
    for alias in (name, *aliases)
}


# translation results are only comparable under the same scorer
_SCORERS = re.compile(
    r"\b(xcomet-xxl|xcomet-xl|xcomet|comet-?kiwi|comet|metricx|chrf\+\+|chrf|bleu)\b"
)
_BY_SCORER = frozenset({"WMT24++", "FLORES-200"})


# Benchmarks whose editions are not comparable: BFCL v2, v3 and v4 score different
# test sets; LiveCodeBench scores the problems of a time window (a release names
# one); tau2-bench's domains differ by tens of points; Terminal-Bench 2.0 and 2.1 differ
# in their tasks, and Artificial Analysis runs 84 of 2.0's 89 in its own harness;
# SWE-Bench Pro's public set (scores up to ~80) is not Artificial Analysis's 150-task hard
# subset (15-27) nor the commercial set; each version of an Artificial Analysis index
# weighs other evaluations; MMLU-Pro and GPQA Diamond move by points with the number of
# examples in the prompt (shots) and chain-of-thought. Each edition is compared only with
# itself, and a result that does not say which edition it is is not compared.
_EDITIONED = frozenset(
    {
        "BFCL",
        "LiveCodeBench",
        "τ²-Bench",
        "Terminal-Bench 2",
        "SWE-Bench Pro",
        "Artificial Analysis Intelligence Index",
        "Artificial Analysis Coding Index",
        "MMLU-Pro",
        "GPQA Diamond",
        "MTEB (English)",  # v1 (56 datasets) and v2 (41 tasks) differ by ~10 points
        "LiveBench",  # each release renews its questions: scores of two releases differ
        "LiveBench Reasoning",
        "LiveBench Coding",
    }
)
UNSTATED = "edition not stated"
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MONTH_YEAR = re.compile(
    r"\b(20\d\d)-(\d\d)(?:-\d\d)?\b|\b(" + "|".join(_MONTHS) + r")[a-z]*\.? (20\d\d)\b"
)
_RELEASE = re.compile(r"(?:^|[\s(,-])v\s?(\d)(?:\.\d)?\b")
_DOMAIN = re.compile(r"\b(telecom|retail|airline|average)\b")
_BY_AA = re.compile(r"artificial ?analysis|-aa\b|\baa\b")
_TB_RUN = re.compile(r"(?<![\d.])2\.([01])\b")
_SWE_SET = re.compile(r"\b(public|commercial)\b")
_VERSION = re.compile(r"\bv(\d+(?:\.\d+)*)\b")
_SHOTS = re.compile(r"\b(\d+|zero|one|few)[- ]shot\b")
_COT = re.compile(r"\bcot\b|chain[- ]of[- ]thought")
_WORDS = {"zero": "0", "one": "1"}


def _editions(name: str, text: str) -> set[str]:
    """Every edition of benchmark ``name`` that ``text`` (its name and metric, lower
    case) names: one when it says which edition it is, none when it does not, two or
    more when it contradicts itself."""
    key = next((p for p in ("Artificial Analysis", "LiveBench") if name.startswith(p)), name)
    return _EDITIONS_OF.get(key, _releases)(text)


def _tau_domains(text: str) -> set[str]:
    return {d if d != "average" else "domain average" for d in _DOMAIN.findall(text)}


def _problem_window(text: str) -> set[str]:
    """LiveCodeBench: the months of the problems scored, else its release (v5, v6)."""
    window = [
        f"{y}-{mo}" if y else f"{yy}-{_MONTHS.index(mon) + 1:02d}"
        for y, mo, mon, yy in _MONTH_YEAR.findall(text)
    ]
    if len(window) == 2:
        return {f"problems {window[0]} to {window[1]}"}
    return _releases(text)


def _terminal_run(text: str) -> set[str]:
    if _BY_AA.search(text) or "84 tasks" in text:
        return {"Artificial Analysis 84-task run"}
    return {f"2.{minor}" for minor in _TB_RUN.findall(text)}


def _swe_set(text: str) -> set[str]:
    found = {f"{which} set" for which in _SWE_SET.findall(text)}
    if _BY_AA.search(text):
        found.add("Artificial Analysis hard subset")
    return found


def _index_version(text: str) -> set[str]:
    return {f"v{v}" for v in _VERSION.findall(text)}


def _livebench_release(text: str) -> set[str]:
    return set(re.findall(r"\blivebench-(20\d\d-\d\d-\d\d)\b", text))


def _mteb_release(text: str) -> set[str]:
    found = {f"v{v}" for v in _RELEASE.findall(text)}
    return found | {"v1"} if "56 datasets" in text else found


def _prompting(text: str) -> set[str]:
    """MMLU-Pro and GPQA Diamond: the examples in the prompt (shots), and chain of thought."""
    shots = {_WORDS.get(k, k) for k in _SHOTS.findall(text)}
    cot = ", CoT" if _COT.search(text) else ""
    return {f"{k}-shot{cot}" for k in shots}


def _releases(text: str) -> set[str]:
    return {f"v{m}" for m in _RELEASE.findall(text)}


# how each editioned benchmark names its edition (any other: its release, v2 or v3)
_EDITIONS_OF: dict[str, Callable[[str], set[str]]] = {
    "τ²-Bench": _tau_domains,
    "LiveCodeBench": _problem_window,
    "Terminal-Bench 2": _terminal_run,
    "SWE-Bench Pro": _swe_set,
    "Artificial Analysis": _index_version,
    "LiveBench": _livebench_release,
    "MTEB (English)": _mteb_release,
    "MMLU-Pro": _prompting,
    "GPQA Diamond": _prompting,
}


def _edition(name: str, text: str) -> str:
    found = _editions(name, text.lower())
    return found.pop() if len(found) == 1 else UNSTATED


def edition_conflict(benchmark: str, metric: str | None = None) -> str | None:
    """What is wrong when a result names two editions of one benchmark at once ('SWE-Bench
    Pro (public)' run by Artificial Analysis, 'Terminal-Bench 2.0 and 2.1'): it cannot be
    ranked with either, and the catalog should say which it is."""
    key = re.sub(r"[^a-z0-9²+]", "", benchmark.lower())
    name = _SPELLINGS.get(key, benchmark)
    if name not in _EDITIONED:
        return None
    found = _editions(name, f"{benchmark} {metric or ''}".lower())
    if len(found) > 1:
        return f"names {len(found)} editions of {name} at once: {', '.join(sorted(found))}"
    return None


@functools.lru_cache(maxsize=4096)  # a catalog spells a few hundred results many times
@functools.lru_cache(maxsize=4096)  # a catalog spells a few hundred; each is read often
def canonical(benchmark: str, metric: str | None = None) -> str:
    """The canonical name of a benchmark, whatever the spelling. Translation benchmarks
    carry their scorer ('FLORES-200 (XCOMET-XL)'), since scorers differ in scale, and
    editioned ones their edition ('BFCL (v3)', 'τ²-Bench (telecom)')."""
    key = re.sub(r"[^a-z0-9²+]", "", benchmark.lower())
    name = _SPELLINGS.get(key, benchmark)
    if name in _BY_SCORER and metric:
        m = _SCORERS.search(metric.lower())
        if m:
            return f"{name} ({m.group(1).upper()})"
    if name in _EDITIONED:
        return f"{name} ({_edition(name, benchmark + ' ' + (metric or ''))})"
    return name


def comparable_edition(name: str) -> bool:
    """Whether results under this canonical name can be compared at all (an editioned
    benchmark's result that does not say its edition cannot)."""
    return not name.endswith(f"({UNSTATED})")


def base(name: str) -> str:
    """A canonical name without its scorer or edition: the benchmark a task lists."""
    return name.rsplit(" (", 1)[0]  # "MTEB (English) (v1)" -> "MTEB (English)"


def measures(name: str, benchmarks: Iterable[str]) -> bool:
    """Whether a canonical name (perhaps with its scorer or edition) is one of
    ``benchmarks``."""
    return name in benchmarks or base(name) in benchmarks


def comparable(score: float) -> float:
    """A score on the 0-100 scale most results use: fractions (0.93 for 93%) are scaled."""
    return score * 100 if 0 < score <= 1 else score


def relevant(
    task: str | None,
    *,
    language: str | None = None,
    min_context: int | None = None,
    domain: str | None = None,
    needs: Iterable[str] = (),
) -> tuple[str, ...]:
    """The benchmarks that measure a job, most telling first."""
    names = list(TASK_BENCHMARKS.get(task, TASK_BENCHMARKS[None]))
    if language and language != "en":
        names += [*TRANSLATION, *MULTILINGUAL] if task == "translation" else MULTILINGUAL
    if min_context is not None and min_context >= LONG_DOCUMENTS:
        names = [*LONG_CONTEXT, *names]
    if domain in DOMAIN_BENCHMARKS:
        names = [*DOMAIN_BENCHMARKS[domain], *names]
    if "tools" in needs:
        names += TOOLS
    if "reasoning" in needs:
        names += REASONING
    if "vision" in needs:
        names += ["DocVQA"] if task == "extraction" else VISION
    return tuple(dict.fromkeys(names))


UNMEASURED = 0.3  # the conservative prior: a model with no relevant result, 0..1
SIBLING_SHARE = 0.5  # how much of a measured family sibling's level an unmeasured model gets
# a benchmark separates the candidates when it leaves headroom above their median and
# their scores spread (on a 0-100 scale): it weighs fully with HEADROOM points above the
# median and SPREAD points between best and worst, down to a quarter when the candidates
# crowd at its ceiling (HumanEval, MMLU, GSM8K among today's models) or tie
HEADROOM = 20.0
SPREAD = 10.0
SATURATED_WEIGHT = 0.25


def quality(results: Iterable[tuple[float, ...]]) -> float:
    """One model's quality for a job, 0..1, from (place, models reporting[, weight])
    results among the candidates.

    A result counts in proportion to how many candidates report the same benchmark
    (fully from FULL_WEIGHT on): being first of four says less than being first of
    forty; and by how much that benchmark separates them (``separation``). The mean
    starts from the conservative prior UNMEASURED, worth PRIOR results, so one lucky
    result cannot outrank a broad record; a model without a result stays at the
    prior, and a real result, however modest, never scores below it.
    """
    total = PRIOR * UNMEASURED
    weight = PRIOR
    for p, n, *rest in results:
        w = min(1.0, n / FULL_WEIGHT) * (rest[0] if rest else 1.0)
        total += w * p
        weight += w
    return max(UNMEASURED, total / weight)


def best_results(variants: Iterable[Variant]) -> dict[str, dict[str, float]]:
    """variant id -> {canonical benchmark: its best comparable score}; results whose
    edition is not stated are left out (they cannot be compared)."""
    out: dict[str, dict[str, float]] = {}
    for v in filter(_EVIDENCE, variants):  # most have none
        mine: dict[str, float] = {}
        for e in v.evidence:
            name = canonical(e.benchmark, e.metric)
            if not comparable_edition(name):
                continue
            score = comparable(e.score)
            if name not in mine or score > mine[name]:
                mine[name] = score
        if mine:
            out[v.id] = mine
    return out


_EVIDENCE = attrgetter("evidence")


def places(
    pool: dict[str, dict[str, float]],
) -> tuple[dict[tuple[str, str], tuple[float, int]], dict[str, float]]:
    """Among the models of ``pool`` (variant id -> best scores): (variant id, benchmark)
    -> (place 0..1 among those reporting it, how many report it), and benchmark -> its
    separation weight (``separation``). Ties share the middle of their range; a result
    reported by one model alone is placed in the middle of one."""
    by_bench: dict[str, dict[str, float]] = {}
    for vid, scores in pool.items():
        for name, score in scores.items():
            by_bench.setdefault(name, {})[vid] = score
    out: dict[tuple[str, str], tuple[float, int]] = {}
    weights: dict[str, float] = {}
    for bench, by_model in by_bench.items():
        ordered = sorted(by_model.values())
        n = len(ordered)
        weights[bench] = separation(ordered)
        for vid, s in by_model.items():
            below = bisect.bisect_left(ordered, s)
            equal = bisect.bisect_right(ordered, s) - below
            out[(vid, bench)] = ((below + 0.5 * equal) / n, n)
    return out, weights


def separation(scores: list[float]) -> float:
    """How much a benchmark separates the candidates reporting it, as a weight from
    SATURATED_WEIGHT to 1: the smaller of the headroom above their median (against
    HEADROOM points) and their spread, best minus worst (against SPREAD). Fewer than
    MIN_RESULTS scores, or scores not on a 0-100 scale (arena ratings), count fully."""
    if len(scores) < MIN_RESULTS or max(scores) > 100:
        return 1.0  # too few to tell, or not a percentage
    ordered = sorted(scores)
    headroom = (100 - ordered[len(ordered) // 2]) / HEADROOM
    spread = (ordered[-1] - ordered[0]) / SPREAD
    return max(SATURATED_WEIGHT, min(1.0, headroom, spread))


def separation_with(ordered: list[float], score: float) -> float:
    """``separation`` of sorted scores and one more, without sorting them again (a
    model placed among the candidates from outside them)."""
    n = len(ordered) + 1
    if n < MIN_RESULTS or max(ordered[-1], score) > 100:
        return 1.0  # too few to tell, or not a percentage
    at = bisect.bisect_right(ordered, score)  # where the score goes
    k = n // 2
    median = ordered[k] if k < at else score if k == at else ordered[k - 1]
    headroom = (100 - median) / HEADROOM
    spread = (max(ordered[-1], score) - min(ordered[0], score)) / SPREAD
    return max(SATURATED_WEIGHT, min(1.0, headroom, spread))


def percentiles(variants: Iterable[Variant]) -> dict[tuple[str, str], tuple[float, int]]:
    """(variant id, canonical benchmark) -> (percentile 0..1 among the models reporting
    it, how many models report it), over every given model reporting a benchmark with at
    least MIN_RESULTS results: standings among a fixed set of models (the ranking places
    results among its candidates with ``places``)."""
    found, _ = places(best_results(variants))
    return {key: place for key, place in found.items() if place[1] >= MIN_RESULTS}


# --- measured on the user's own cases (llmpick eval; `recommend --evidence`) ---------


@dataclass(frozen=True, slots=True)
class Measured:
    """A model's pass rate on the user's own cases, from an `llmpick eval` results file:
    stronger evidence than any published result, because it is the user's job."""

    passed: int
    total: int
    low: float
    """The 95% interval of the pass rate (Wilson), 0..1."""
    high: float
    source: str
    """The results file it was read from."""
    tokens_per_s: float | None = None
    """Median output tokens per second over the answers with token counts, measured on
    a self-hosted target (your own server); None when none was timed there."""
    speed_answers: int = 0
    """How many answers that median is over."""

    def label(self) -> str:
        """'measured on your cases: 19/20 [76–99%]'."""
        return (
            f"measured on your cases: {self.passed}/{self.total} "
            f"[{self.low * 100:.0f}–{self.high * 100:.0f}%]"
        )


MEASURED_FACTOR = 2.0  # measured outweighs published results (DESIGN: measured > published)


def measured_points(m: Measured, evidence_weight: float) -> float:
    """Points for a measured pass rate: the middle of its interval against an even
    chance. The interval's middle is pulled towards one half when there are few cases,
    so 20 of 20 counts for more than 2 of 2; at most MEASURED_FACTOR times what published
    results can give."""
    return MEASURED_FACTOR * evidence_weight * (m.low + m.high - 1)
