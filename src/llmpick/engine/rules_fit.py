"""Scoring rules for what the job asks of a model: the task (chat, classification,
embeddings, ...), a ready-made classifier, translation, the language, reasoning, tuning
and alignment, and the domain.
"""

from __future__ import annotations

from llmpick.catalog.records import Variant
from llmpick.engine.model_facts import (
    GENERATIVE,
    one_task_only,
    ready_made_classifier,
    specialist_share,
    thinks_always,
    translation_specialist,
)
from llmpick.engine.requirements import Requirements
from llmpick.engine.rule import Context, Effects, rule
from llmpick.units import format_tokens
from llmpick.vocabulary import language_name

SHORT_INPUT = 512  # an embedding model reading fewer tokens cuts most passages
LONG_INPUT = 8192  # one reading this many embeds whole documents


def _input_length(v: Variant, fx: Effects) -> None:
    """An embedding model's maximum input length: short ones cut documents."""
    n = v.context_window
    if n is None:
        fx.warn("its maximum input length is not in the catalog: check your passages fit", "2.15")
    elif n < SHORT_INPUT:
        fx.add(-10, f"reads at most {format_tokens(n)} tokens: longer passages are cut", "2.15")
    elif n >= LONG_INPUT:
        fx.add(4, f"embeds inputs of up to {format_tokens(n)} tokens, whole documents", "2.15")


@rule(
    "task fit",
    ("2.2", "encoders score well for classification and extraction"),
    ("2.6", "instruct models score well for single-request tasks"),
    ("2.7", "FLAN-tuned models score well for classification and extraction"),
    ("2.8", "FLAN-tuned models classify zero-shot, like the guide's sentiment example"),
    ("2.14", "chat tasks favour chat-tuned models"),
    ("2.15", "embeddings weigh the maximum input length: under 512 tokens loses, 8k gains"),
    ("2.16", "a one-task fine-tune is not counted as instruction-tuned"),
    most=lambda r, ctx: _task_fit_most(r.task),
)
def task_fit(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    if r.task == "chat":
        _chat_fit(v, fx)
    elif r.task in GENERATIVE:
        _generative_fit(v, r.task, fx)
    elif r.task == "classification":
        _classification_fit(v, fx)
    elif r.task == "extraction":
        _extraction_fit(v, fx)
    elif r.task == "embedding":
        _embedding_fit(v, fx)


def _task_fit_most(task: str | None) -> float:
    """The most ``task_fit`` gives for a task: a chat model for chat, a FLAN model for
    classification, an embedding model reading whole documents for embeddings."""
    fixed = {"chat": 15, "classification": 8 + 10, "extraction": 10, "embedding": 20 + 4}
    if task in fixed:
        return fixed[task]
    encoder_decoder = 6 if task in ("summarization", "translation") else 0
    return (12 if task == "instruct" else 10) + encoder_decoder


def _chat_fit(v: Variant, fx: Effects) -> None:
    if v.flavour == "chat":
        fx.add(15, "a chat model, tuned for multi-turn dialogue", "2.14")
    elif v.flavour == "instruct":
        fx.add(8, "instruction-tuned: follows instructions and can chat with a template", "2.6")
    if v.architecture == "encoder-decoder":
        fx.add(-8, "encoder-decoder: built to map an input to an output, not for dialogue", "2.7")


def _generative_fit(v: Variant, task: str | None, fx: Effects) -> None:
    fl = v.flavour
    if fl == "instruct" and one_task_only(v):
        fx.add(2, "fine-tuned for one task, not general instruction tuning", "2.16")
    elif fl == "instruct":
        fx.add(
            12 if task == "instruct" else 10,
            "instruction-tuned: follows single instructions well",
            "2.6",
        )
    elif fl == "chat":
        fx.add(10, "a chat model: instruction-tuned, also handles single requests", "2.14")
    if task in ("summarization", "translation") and v.architecture == "encoder-decoder":
        fx.add(6, "encoder-decoder: built for input-to-output tasks like this", "2.7")
    elif task != "qa" and v.architecture == "encoder-decoder":
        fx.add(
            -8,
            "encoder-decoder: built to map an input to an output, not for open-ended generation",
            "2.7",
        )


def _classification_fit(v: Variant, fx: Effects) -> None:
    fl = v.flavour
    if ready_made_classifier(v):
        return  # the ready-made rule speaks for it
    if "flan" in v.tuning:
        fx.add(8, "instruction-tuned on the FLAN collection of tasks", "2.7")
        fx.add(10, "FLAN tuning covers classification: works zero-shot, no labelled data", "2.8")
    elif v.architecture == "encoder-only" and fl == "base":
        fx.add(12, "an encoder: small, fast and accurate at classifying once fine-tuned", "2.2")
        fx.warn("needs fine-tuning on labelled examples before it can classify", "2.4")
    elif fl in ("instruct", "chat") and not one_task_only(v):
        fx.add(7, "can classify from a prompt with no training data", "2.6")
    elif fl == "embedding":
        fx.add(4, "embeddings plus a simple classifier work for classification", "2.16")
        fx.warn(
            "an embedding model does not classify by itself: it needs labelled examples "
            "and a classifier trained on its vectors",
            "2.16",
        )


def _extraction_fit(v: Variant, fx: Effects) -> None:
    if "flan" in v.tuning:
        fx.add(10, "instruction-tuned on FLAN: extracts from a prompt", "2.7")
    elif v.flavour in ("instruct", "chat") and not one_task_only(v):
        fx.add(10, "instruction-tuned: extracts fields from a prompt", "2.6")
    elif v.architecture == "encoder-only":
        fx.add(8, "an encoder: fits token-level extraction (NER) once fine-tuned", "2.2")
        fx.warn("needs fine-tuning on labelled examples first", "2.4")


def _embedding_fit(v: Variant, fx: Effects) -> None:
    if v.flavour == "embedding":
        fx.add(20, "trained to produce sentence embeddings", "2.16")
    else:
        fx.add(4, "an encoder that can embed text with pooling", "2.2")
        fx.warn(
            "not trained for embeddings: expect weaker retrieval without contrastive tuning",
            "2.16",
        )
    _input_length(v, fx)


@rule(
    "ready-made classifier",
    ("2.16", "classifiers already fine-tuned for a labelled task score well for classification"),
    when=lambda r, ctx: r.task == "classification",
    most=lambda r, ctx: 16,
)
def ready_made(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    if ready_made_classifier(v):
        fx.add(16, "a ready-made classifier: already fine-tuned on labelled examples", "2.16")
        fx.warn("check that its labels are the ones you need (see 'llmpick show')", "2.16")


@rule(
    "translation",
    ("2.16", "translation favours translation-specialised and broadly multilingual models"),
    when=lambda r, ctx: r.task == "translation",
    most=lambda r, ctx: 16 + 6,
)
def translation(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    if translation_specialist(v):
        share, aged = specialist_share(v, ctx)
        fx.add(16 * share, "specialised for translation" + aged, "2.16")
    n = len(v.languages)
    if "mul" in v.languages or n >= 20:
        fx.add(6, f"documented for {'many' if 'mul' in v.languages else n} languages", "2.16")
    elif v.languages == ["en"]:
        fx.add(-14, "documented for English only: a poor fit for translation", "2.16")
        fx.warn("its maker documents English only", "2.16")
    elif not v.languages:
        fx.warn("its languages are not stated in the catalog: test your language pairs", "4.2")


@rule(
    "language",
    ("4.2", "--language favours models that document the language"),
    when=lambda r, ctx: bool(r.language),
    most=lambda r, ctx: 6,
)
def language(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    assert r.language is not None
    name = f"{language_name(r.language)} ({r.language})"
    if r.language in v.languages:
        fx.add(6, f"its maker documents {name} support", "4.2")
    elif "mul" in v.languages:
        fx.add(2, f"multilingual; {name} is not listed by name", "4.2")
        fx.warn(f"check its {language_name(r.language)} on your own examples", "4.2")
    else:
        fx.warn(f"its languages are not stated in the catalog: check its {name}", "4.2")


@rule(
    "reasoning",
    ("2.12", "reasoning work favours reasoning modes and is warned off FLAN-only tuning"),
    ("7", "models that always think are slower and costlier where no reasoning is needed"),
    most=lambda r, ctx: 10 if r.task == "reasoning" or "reasoning" in r.needs else 0,
)
def reasoning(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    tuning = set(v.tuning)
    if r.task == "reasoning" or "reasoning" in r.needs:
        if "reasoning" in v.capabilities or thinks_always(v):
            fx.add(10, "has a reasoning (thinking) mode", "2.12")
        if "flan" in tuning and "rl-reasoning" not in tuning:
            fx.add(-10, "FLAN-only instruction tuning weakens chain-of-thought reasoning", "2.12")
            fx.warn(
                "FLAN tuning can cost chain-of-thought ability unless CoT data was included", "2.12"
            )
        return
    if thinks_always(v) and r.task in (
        "chat",
        "classification",
        "extraction",
        "summarization",
        "translation",
        "creative",
    ):
        fx.add(-8, f"always reasons before answering: slow and costly for {r.task}", "7")
        fx.warn(
            "a thinking model: expect long, slow answers; a non-thinking variant suits better", "7"
        )
    elif "flan" in tuning and r.task in ("qa", "instruct", None):
        fx.warn("FLAN instruction tuning can weaken step-by-step reasoning", "2.12")


@rule(
    "fine-tuning and alignment",
    ("2.4", "--fine-tune favours base models"),
    ("2.9", "--alignment safety favours safety-tuned models and warns about base models"),
    ("2.10", "--alignment safety favours RLHF-tuned models"),
    ("2.11", "--alignment safety favours RLAIF (constitutional AI) models"),
    (
        "2.13",
        "--alignment own-values favours unaligned base models, warns about vendor-aligned ones",
    ),
    most=lambda r, ctx: (
        (18 if r.fine_tune else 0) + {"own-values": 15, "safety": 12}.get(r.alignment or "", 0)
    ),
)
def tuning_intent(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    fl, tuning = v.flavour, set(v.tuning)
    if r.fine_tune:
        if fl == "base":
            fx.add(18, "a base model: the clean starting point for your own fine-tuning", "2.4")
        elif fl in ("instruct", "chat"):
            fx.warn(
                "already instruction-tuned: your fine-tuning builds on its existing tuning", "2.4"
            )
    aligned = _alignment(v)
    if r.alignment == "own-values":
        if fl == "base":
            fx.add(
                15, "not yet aligned: you can align it to your organisation's own values", "2.13"
            )
        elif tuning & {"rlhf", "rlaif", "safety"}:
            fx.add(-8, "already aligned to its maker's values, which may not be yours", "2.13")
            fx.warn("its alignment reflects its maker's values; check they match yours", "2.13")
    elif r.alignment == "safety":
        if aligned is not None:
            fx.add(12, *aligned)
        elif fl == "base":
            fx.add(-12, "a base model: not aligned, can produce harmful output", "2.9")
            fx.warn("unaligned base model: add your own safety tuning or filters", "2.9")
        elif "undisclosed" in tuning:
            fx.warn("its maker does not document how it was aligned", "2.9")


def _alignment(v: Variant) -> tuple[str, str] | None:
    t = set(v.tuning)
    if "rlaif" in t:
        return "aligned with AI feedback against a written constitution (RLAIF)", "2.11"
    if "rlhf" in t:
        return "aligned with reinforcement learning from human feedback (RLHF)", "2.10"
    if "safety" in t:
        return "alignment-tuned on safety data", "2.9"
    return None


def _domain_most(v: Variant, r: Requirements, ctx: Context) -> float:
    """The most ``domain`` gives ``v``: an adaptation to the domain asked for, or to code
    (with fill-in-the-middle) for code."""
    if r.domain and r.domain != "general":
        return 15 if v.domain == r.domain else 0
    if r.task == "code":
        return (18 if v.domain == "code" else 0) + (
            4 if "fill-in-the-middle" in v.capabilities else 0
        )
    return 0


@rule(
    "domain",
    (
        "2.16",
        "--domain favours models adapted to it, a specialisation counting less as it ages "
        "past a year; single-task fine-tunes and other domains weigh less for general work",
    ),
    most_each=_domain_most,  # cheap for every model: its own rough bound
)
def domain(v: Variant, r: Requirements, ctx: Context, fx: Effects) -> None:
    tuning = set(v.tuning)
    if r.domain and r.domain != "general":
        if v.domain == r.domain:
            share, aged = specialist_share(v, ctx)
            fx.add(15 * share, f"adapted to the {r.domain} domain" + aged, "2.16")
        elif v.domain == "general":
            # an API model's weights cannot be tuned by you: only where its provider offers it
            how = (
                "consider domain fine-tuning"
                if v.open_weights
                else "put your domain material in the prompt, or fine-tune where its "
                "provider offers it"
            )
            fx.warn(f"a general model, not adapted to {r.domain}; {how}", "2.16")
        else:
            fx.add(-10, f"adapted to {v.domain}, not {r.domain}", "2.16")
    elif r.task == "code":
        if v.domain == "code":
            share, aged = specialist_share(v, ctx)
            fx.add(18 * share, "adapted to code" + aged, "2.16")
        elif v.domain != "general":
            fx.add(-12, f"adapted to {v.domain}, not to code", "2.16")
        if "fill-in-the-middle" in v.capabilities:
            fx.add(4, "supports fill-in-the-middle, for code completion", "2.16")
    elif r.task == "translation" and v.domain == "translation":
        pass  # the translation rule speaks for it
    elif v.domain == "dialogue" and r.task not in ("chat", None):
        fx.add(-10, "tuned for open-ended conversation, not for following instructions", "2.14")
    elif v.domain not in ("general", "dialogue"):
        fx.add(-12, f"adapted to {v.domain}: less suited to general work", "2.16")
    if "task-finetune" in tuning and not (r.task == "classification" and ready_made_classifier(v)):
        fx.add(-8, "fine-tuned for one specific task", "2.16")
        fx.warn("fine-tuned for one task: check that task is yours", "2.16")
