"""What the user needs: one model for options, requirement files, the walkthrough and exports."""

from __future__ import annotations

import dataclasses
import errno
import json
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from llmpick.errors import UsageError
from llmpick.suggest import not_one_of, unknown_key
from llmpick.units import parse_memory, parse_params, parse_token_pair, parse_tokens
from llmpick.vocabulary import (
    DOMAIN_WORDS,
    NEEDS,
    AccessKind,
    Alignment,
    Domain,
    Flavour,
    Hosting,
    Need,
    Platform,
    Prefer,
    Quantization,
    Task,
    language_code,
    language_name,
    option_name,
)

_STRICT: dict[str, Any] = {"extra": "forbid", "use_attribute_docstrings": True}


# A plain dataclass so that a recommendation never pays for pydantic's start-up:
# ``build`` validates values by hand, with messages that name the choices, and
# pydantic derives the JSON Schema from these same annotations and docstrings.
@dataclass(slots=True, eq=False, repr=False)
class Requirements:
    """A team's task and constraints. Every field is optional; unset means 'any'."""

    __pydantic_config__ = _STRICT

    task: Task | None = None
    """What the model is for; unset means general instruction following or chat."""
    access: AccessKind = "any"
    """open: downloadable weights; proprietary: API-only models (guide §1.2, §4.1)."""
    hosting: Hosting = "any"
    """self: you run it on your own hardware; api: a provider or cloud serves it."""
    platform: Platform | None = None
    """Cloud platform it must be offered on (guide §1.2)."""
    gpu_memory: float | None = None
    """GPU memory to run it on, in GB (options and files also take '24GB')."""
    quantization: Quantization = "auto"
    """Weight precision for the memory estimate; auto picks the best that fits."""
    max_params: float | None = None
    """Largest model size in billions of parameters (options and files also take '13B')."""
    min_context: int | None = None
    """Context window it must have, in tokens (options and files also take '32k', '1M')."""
    commercial: bool = False
    """The licence must allow commercial use (conditional licences pass with a caveat)."""
    license: list[str] = field(default_factory=list)
    """Allow-list of licence ids; empty means any."""
    flavour: Flavour | None = None
    """Only this flavour (guide §2.2-2.6, chat models)."""
    fine_tune: bool = False
    """You will fine-tune it yourself (favours open base models, §2.2, §2.4)."""
    alignment: Alignment = "any"
    """safety: favour safety-tuned models; own-values: you will align it yourself (§2.13)."""
    domain: Domain | None = None
    """Subject area; favours models adapted to it (guide §2.16)."""
    language: str | None = None
    """Language the model must support, as an ISO 639-1 code (e.g. 'de')."""
    needs: list[Need] = field(default_factory=list)
    """Capabilities it must have: tools, structured-output, vision, reasoning."""
    max_price: float | None = None
    """Most you will pay in USD per 1M tokens, blended 3 input : 1 output."""
    include_legacy: bool = False
    """Also consider deprecated and retired models."""
    tokens_per_month: tuple[int, int] | None = None
    """Monthly input and output tokens, for cost estimates (options take '10M:2M')."""
    batch: bool = False
    """Latency does not matter: price at the provider's batch rate where it has one."""
    cached_share: float | None = None
    """Share of each prompt (0-1) that repeats and is read from the provider's prompt
    cache, priced at its cached-input rate where it has one."""
    prefer: Prefer = "balanced"
    """What to optimise among models that pass: quality (the strongest published results
    first), cost (cheapest per token, or smallest GPU footprint), speed (fewest active
    parameters, fast tiers) or a balance of them."""
    gpus: list[float] = field(default_factory=list)
    """Several GPUs, memory per device in GB (options and files also take '2x24', '24+16'):
    tensor parallel on equal cards, a layer split on unequal ones."""
    unified_memory: float | None = None
    """A Mac's unified memory in GB; the budget is the share macOS lets the GPU use."""
    ram: float | None = None
    """RAM in GB for a CPU-only run."""
    device: str | None = None
    """The GPU or chip (e.g. rtx-4090, m4-max), for its memory bandwidth: speed estimates."""
    min_speed: float | None = None
    """Slowest acceptable decoding speed in tokens per second (an estimate from bandwidth)."""
    resolved: list[str] = field(default_factory=list)
    """How the values given were understood (e.g. 'medical' as biomedical); set by llmpick."""

    @property
    def sized(self) -> bool:
        """A memory budget was given: one GPU, several, unified memory or RAM."""
        return (
            self.gpu_memory is not None
            or bool(self.gpus)
            or self.unified_memory is not None
            or self.ram is not None
        )

    def to_data(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def replace(self, **changes: Any) -> Requirements:
        return dataclasses.replace(self, **changes)


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Requirements))
# the requirements whose values are a closed list (CHOICES: the list of each)
CHOICE_FIELDS = (
    "task",
    "access",
    "hosting",
    "platform",
    "quantization",
    "flavour",
    "alignment",
    "domain",
    "prefer",
)
CHOICES: dict[str, tuple[str, ...]] = {
    name: typing.get_args(typing.get_args(tp)[0])
    if typing.get_origin(tp) is typing.Union
    else typing.get_args(tp)
    for name, tp in typing.get_type_hints(Requirements).items()
    if name in CHOICE_FIELDS
}
INPUT_FIELDS: tuple[str, ...] = tuple(n for n in FIELD_NAMES if n != "resolved")
_LANG = re.compile(r"^[a-z]{2,3}$")
_BOUNDS = {
    "gpu_memory": (0.0, 100_000.0),
    "max_params": (0.0, 100_000.0),
    "min_context": (0, 100_000_000),
    "max_price": (-0.0, 1_000_000.0),
    "cached_share": (-0.0, 1.0),
    "unified_memory": (0.0, 100_000.0),
    "ram": (0.0, 100_000.0),
    "min_speed": (0.0, 1_000_000.0),
}
HARDWARE = ("gpu_memory", "gpus", "unified_memory", "ram")


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in (
        "true",
        "yes",
        "1",
        "on",
        "false",
        "no",
        "0",
        "off",
    ):
        return value.strip().lower() in ("true", "yes", "1", "on")
    raise ValueError("expected true or false")


def _str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise ValueError("expected a list of names")
    out: list[str] = []
    for x in value:
        for part in x.split(","):
            if part.strip():
                out.append(part.strip().lower())
    return list(dict.fromkeys(out))


def _choice(name: str) -> Callable[[Any], str]:
    """The reader of a requirement whose values are a closed list (CHOICES[name])."""

    def read(value: Any) -> str:
        if not isinstance(value, str) or value.strip().lower() not in CHOICES[name]:
            raise ValueError(not_one_of(value, CHOICES[name]))
        return value.strip().lower()

    return read


def _domain(value: Any) -> str:
    """A domain, or a word for one ('medical' is biomedical)."""
    if isinstance(value, str) and value.strip().lower() in DOMAIN_WORDS:
        return DOMAIN_WORDS[value.strip().lower()]
    return _choice("domain")(value)


def _needs(value: Any) -> list[str]:
    names = _str_list(value)
    bad = [n for n in names if n not in NEEDS]
    if bad:
        raise ValueError(not_one_of(bad[0], NEEDS))
    return names


def _tokens_per_month(value: Any) -> tuple[int, int]:
    if isinstance(value, (list, tuple)) and len(value) == 2:
        pair = (parse_tokens(value[0]), parse_tokens(value[1]))
    else:
        pair = parse_token_pair(value)
    if min(pair) < 0 or max(pair) > 10**15:
        raise ValueError(f"{value!r} is out of range")
    return pair


def _language(value: Any) -> str:
    code = language_code(value) if isinstance(value, str) else None
    if code is None and isinstance(value, str) and _LANG.match(value.strip().lower()):
        code = value.strip().lower()
    if code is None:
        raise ValueError(f"{value!r}; use a language name or ISO 639-1 code, e.g. de or German")
    return code


def _gpus(value: Any) -> list[float]:
    from llmpick.units import parse_gpus

    if isinstance(value, (list, tuple)) and not 1 <= len(value) <= 64:
        raise ValueError("give 1 to 64 devices")
    gpus = parse_gpus(value)
    if not gpus or any(not 0 < g <= 100_000 for g in gpus):
        raise ValueError(f"{value!r} is out of range")
    return gpus


def _device(value: Any) -> str:
    from llmpick.engine.placement import DEVICES

    key = value.strip().lower() if isinstance(value, str) else None
    if key not in DEVICES:
        raise ValueError(f"{value!r}; choose from: {', '.join(DEVICES)}")
    return key


def _share(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError("expected a share from 0 to 1, e.g. 0.6 or 60%")
    text = str(value).strip()
    try:
        return float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        raise ValueError(f"{value!r} is not a share from 0 to 1, e.g. 0.6 or 60%") from None


def _speed(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError("expected tokens per second, e.g. 20")
    try:
        return float(str(value).strip().lower().removesuffix("tok/s").removesuffix("/s"))
    except ValueError:
        raise ValueError(f"{value!r} is not a number of tokens per second") from None


def _dollars(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError("expected a number of US dollars")
    try:
        return float(str(value).strip().lstrip("$"))
    except ValueError:
        raise ValueError(f"{value!r} is not a number of US dollars") from None


# how each number is read; _BOUNDS has its range
_NUMBERS: dict[str, Callable[[Any], float]] = {
    "gpu_memory": parse_memory,
    "unified_memory": parse_memory,
    "ram": parse_memory,
    "max_params": parse_params,
    "min_context": parse_tokens,
    "cached_share": _share,
    "min_speed": _speed,
    "max_price": _dollars,
}
_FROM_ZERO = ("max_price", "cached_share")  # may be 0: free, or no prompt cached


def _number(name: str) -> Callable[[Any], float]:
    """The reader of a number requirement: read, then checked against its range."""
    read, (low, high) = _NUMBERS[name], _BOUNDS[name]

    def checked(value: Any) -> float:
        parsed = read(value)
        above = parsed >= 0 if name in _FROM_ZERO else parsed > low
        if not above or parsed > high or parsed != parsed:
            raise ValueError(f"{value!r} is out of range")
        return parsed

    return checked


# each requirement's reader: its value normalised, or ValueError naming what is expected
_READERS: dict[str, Callable[[Any], Any]] = {
    **{name: _choice(name) for name in CHOICE_FIELDS},
    "domain": _domain,
    **dict.fromkeys(("commercial", "fine_tune", "include_legacy", "batch"), _bool),
    "license": _str_list,
    "needs": _needs,
    "tokens_per_month": _tokens_per_month,
    "language": _language,
    "gpus": _gpus,
    "device": _device,
    **{name: _number(name) for name in _NUMBERS},
}


def _field_value(name: str, value: Any) -> Any:
    """One field's value, normalised; raises ValueError naming what is expected."""
    return None if value is None else _READERS[name](value)


def build(values: dict[str, Any], origin: str = "options") -> Requirements:
    """Validate requirement values, raising UsageError (exit 2) that names the choices."""
    clean, resolved, problems = _read(values, origin)
    problems += _hardware(clean, resolved)
    if problems:
        keys = any(p.startswith("unknown key") for p in problems)
        raise UsageError(
            "; ".join(problems),
            hint="'llmpick schema requirements' lists every key a requirements file may have"
            if keys
            else "see 'llmpick recommend --help' for the options and their values",
        )
    return Requirements(**clean, resolved=resolved)


def _read(values: dict[str, Any], origin: str) -> tuple[dict[str, Any], list[str], list[str]]:
    """(each value given, normalised; how values were understood; the problems)."""
    problems = []
    clean: dict[str, Any] = {}
    resolved: list[str] = []
    for key, value in values.items():
        name = str(key).replace("-", "_")
        where = option_name(name) if origin == "options" else name
        if name not in INPUT_FIELDS:
            problems.append(unknown_key(key, INPUT_FIELDS))
            continue
        try:
            v = _field_value(name, value)
        except ValueError as exc:
            problems.append(f"invalid value for {where}: {exc}")
            continue
        if v is not None:
            clean[name] = v
            typed = value.strip().lower() if isinstance(value, str) else None
            if name in ("domain", "language") and typed is not None and typed != v:
                shown = language_name(v) + f" ({v})" if name == "language" else v
                resolved.append(f"{name} {value.strip()!r} read as {shown}")
    return clean, resolved, problems


def _hardware(clean: dict[str, Any], resolved: list[str]) -> list[str]:
    """The problems of the hardware given together; a named card gives its memory, and a
    memory budget means self-hosting, unless --hosting says otherwise (said in resolved)."""
    problems = _device_budget(clean, resolved)
    budgets = [h for h in HARDWARE if h in clean]
    if "min_speed" in clean and clean.get("device") is None:
        problems.append(
            "--min-speed needs the memory bandwidth of your hardware: name it with --device "
            "(e.g. rtx-4090, m4-max; see 'llmpick recommend --help')"
        )
    if len(budgets) > 1:
        said = " and ".join(map(option_name, budgets))
        problems.append(
            f"{said}: give one memory budget (--gpu-memory is one GPU, --gpus several, "
            "--unified-memory a Mac, --ram a CPU-only run)"
        )
    if budgets and "hosting" not in clean:
        # a GPU budget says where the model will run; --hosting any keeps API models too
        clean["hosting"] = "self"
        resolved.append("hosting: self, since a GPU budget was given; --hosting any keeps APIs")
    return problems


def _device_budget(clean: dict[str, Any], resolved: list[str]) -> list[str]:
    """A --device alone gives one card's memory as the budget; with a budget, it must be
    hardware of the budget's kind (a GPU for --gpu-memory, an Apple chip for a Mac's)."""
    device = clean.get("device")
    if device is None:
        return []
    from llmpick.engine.placement import DEVICES

    d = DEVICES[device]
    budgets = [h for h in HARDWARE if h in clean]
    if not budgets and d.memory_gb is not None:  # a named card says how much memory it has
        clean["gpu_memory"] = d.memory_gb
        budgets = ["gpu_memory"]
        resolved.append(f"gpu memory: {d.memory_gb:g} GB, the memory of one {d.label}")
    wants = {"unified_memory": "apple", "ram": "cpu"}.get(budgets[0], "gpu") if budgets else None
    if wants is None or d.kind == wants:
        return []
    what = {"gpu": "a GPU", "apple": "an Apple chip", "cpu": "system memory"}
    return [
        f"--device {device} is {what[d.kind]}, but --{budgets[0].replace('_', '-')} "
        f"needs {what[wants]}"
    ]


MAX_FILE_BYTES = 1024 * 1024


def read_file(path: str) -> dict[str, Any]:
    """Requirement values from a YAML or JSON file (safe loader, bounded size)."""
    from llmpick.errors import Problem
    from llmpick.files import read_bounded
    from llmpick.yamlsafe import YamlProblem, decode, parse

    p = Path(path)
    try:
        data = read_bounded(p, MAX_FILE_BYTES)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such requirements file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not a requirements file") from None
    except OSError as exc:
        if exc.errno == errno.EFBIG:
            raise UsageError(f"{path}: requirements file is larger than 1 MB") from None
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = decode(data, path)
        if p.suffix.lower() == ".json":
            from llmpick.jsonsafe import loads

            try:
                loaded = loads(text)  # NaN, 1e400, 5,000-digit integers: refused here
            except json.JSONDecodeError as exc:
                raise YamlProblem(
                    Problem(path, f"invalid JSON: {exc.msg}", line=exc.lineno)
                ) from None
        else:
            loaded = parse(text, path)
    except YamlProblem as exc:
        raise UsageError(str(exc.problem)) from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise UsageError(f"{path}: a requirements file is a mapping of field: value")
    if isinstance(loaded.get("requirements"), dict):  # a scenario file: requirements + expect
        loaded = loaded["requirements"]
    return {str(k).replace("-", "_"): v for k, v in loaded.items()}
