"""Facts about a model that several scoring rules (and the hard checks and the advice)
read: whether it always thinks, whether it is a specialist and how much of that still
counts, whether it is tuned for one task only.
"""

from __future__ import annotations

import re

from llmpick.catalog.records import Variant
from llmpick.engine.requirements import Requirements
from llmpick.engine.rule import Context
from llmpick.vocabulary import TASKS

# tasks whose output is text the model writes (not labels, spans or vectors)
GENERATIVE: frozenset[str | None] = frozenset(
    {None, *TASKS} - {"classification", "extraction", "embedding"}
)

_THINKING = re.compile(r"think|reason|(^|-)r1(-|$)|magistral|^o[1-9](-|$)|speciale")


def thinks_always(v: Variant) -> bool:
    """A model that always reasons step by step before it answers. The catalog's
    ``reasoning`` fact decides when the card states it (gpt-oss has effort levels but no
    off); otherwise the name does (R1, "Thinking" and "Reasoning" releases, Magistral,
    the o-series)."""
    if v.reasoning is not None:
        return v.reasoning == "always"
    return bool(_THINKING.search(v.id))


def translation_specialist(v: Variant) -> bool:
    return v.domain == "translation"


# general instruction tuning, as opposed to a fine-tune for one labelled task
_INSTRUCTION_TUNING = frozenset(
    {"sft", "flan", "rlhf", "rlaif", "dpo", "rl-reasoning", "distilled"}
)


def one_task_only(v: Variant) -> bool:
    """Fine-tuned for one task with no general instruction tuning (BioGPT-Large-PubMedQA
    answers PubMedQA questions): its 'instruct' flavour is not instruction following."""
    return "task-finetune" in v.tuning and not (set(v.tuning) & _INSTRUCTION_TUNING)


def specialist_share(v: Variant, ctx: Context) -> tuple[float, str]:
    """How much of a specialisation's bonus a model keeps, and what to say: all of it for
    the first year, then less as general models catch up (half at two years, a quarter
    from two and a half, or when its release date is unknown and it is no longer
    current), so a specialist with old results does not beat a current general model."""
    if v.released is None:
        if v.status == "active":
            return 1.0, ""
        return 0.25, " (undated and no longer current: the advantage counts at a quarter)"
    age = (ctx.today - v.released).days / 365.25
    share = max(0.25, min(1.0, 1.5 - 0.5 * age))
    if share >= 1.0:
        return 1.0, ""
    return share, f" (released {v.released:%Y}: the advantage counts at {share:.0%})"


def ready_made_classifier(v: Variant) -> bool:
    return "task-finetune" in v.tuning and v.architecture in ("encoder-only", "encoder-decoder")


def domain_fit(v: Variant, r: Requirements) -> bool:
    """Adapted to the domain the job asks for (a code model for code, a translation
    model for translation), where a newer general model is not the better pick."""
    if r.domain and r.domain != "general" and v.domain == r.domain:
        return True
    return (r.task == "code" and v.domain == "code") or (
        r.task == "translation" and v.domain == "translation"
    )
