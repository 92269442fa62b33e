"""Targets: the models to try, each behind an OpenAI-compatible endpoint.

From a targets file (``targets:`` a list) or from an exported shortlist plus one
``--base-url``. API keys are read from the environment variable a target names,
never from a file, and are never part of a ``Target``'s data.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from llmpick.errors import Problem
from llmpick.evaluation.cases import InputError
from llmpick.suggest import error_message

if TYPE_CHECKING:
    from llmpick.evaluation.report_types import TargetData

_STRICT = ConfigDict(extra="forbid", use_attribute_docstrings=True)
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# headers that carry credentials: a key belongs in the environment, not in a file
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "api-key", "x-api-key", "cookie", "x-goog-api-key"}
)
RESERVED_PARAMS = frozenset({"model", "messages", "stream", "stream_options"})
# headers the HTTP client sets for the request itself: a key sent as one of them would
# reach the wrong place (as Host, it names the server instead of authorising)
FRAMING_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "content-type",
        "content-encoding",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "te",
        "trailer",
        "upgrade",
        "expect",
        "accept-encoding",
    }
)
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
# a key is visible ASCII: what a header can carry, and what redaction can match exactly
_KEY = re.compile(r"^[\x21-\x7e]+$")


def read_api_key(env_name: str) -> str | None:
    """The key in ``env_name``, without the blanks and line ends a ``.env`` file or a
    ``$(cat key)`` leaves around it; None when the variable is unset or blank."""
    raw = os.environ.get(env_name)
    key = raw.strip() if raw is not None else ""
    return key or None


def api_key_problem(env_name: str) -> str | None:
    """Why the key in ``env_name`` cannot be used, in words that never quote it."""
    key = read_api_key(env_name)
    if key is None:
        return f"the environment variable {env_name} is not set (it should hold the API key)"
    if not _KEY.match(key):
        what = "a non-ASCII character" if not key.isascii() else "a space or control character"
        return (
            f"the environment variable {env_name} holds {what} inside the key, which an "
            "HTTP header cannot carry; set it to the key alone (it is not shown here)"
        )
    return None


OLLAMA_PORT = 11434


class Prices(BaseModel):
    model_config = _STRICT

    input: float = Field(ge=0)
    """USD per 1M input tokens."""
    output: float = Field(ge=0)
    """USD per 1M output tokens."""


class TargetSpec(BaseModel):
    """One target as written in a targets file."""

    model_config = _STRICT

    name: str | None = Field(default=None, min_length=1)
    """The label in the report; defaults to the model, else served_as."""
    base_url: str
    """The endpoint, e.g. http://localhost:11434/v1 (/chat/completions is added)."""
    served_as: str | None = Field(default=None, min_length=1)
    """The model name the endpoint expects; defaults to the catalog's API id or Ollama tag."""
    model: str | None = Field(default=None, min_length=1)
    """A catalog id: gives prices, names and structured-output support."""
    api_key_env: str | None = None
    """Name of the environment variable that holds the API key."""
    api_key_header: str | None = None
    """Header that carries the key (default: Authorization: Bearer KEY)."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Extra HTTP headers (no credentials: use api_key_env)."""
    params: dict[str, Any] = Field(default_factory=dict)
    """Extra request fields, e.g. temperature, top_p, seed."""
    prices: Prices | None = None
    """USD per 1M tokens, overriding the catalog's (e.g. a gateway's prices)."""
    self_hosted: bool | None = None
    """Cost nothing per token (your own hardware). Default: true at a local or private
    address when the catalog model has open weights or no model is named, and no
    prices are given; a proprietary model is priced wherever it is served (e.g.
    behind a local proxy)."""
    system: str | None = Field(default=None, min_length=1)
    """A system prompt sent to this target before each case's messages."""
    concurrency: int | None = Field(default=None, ge=1, le=256)
    """Requests at once to this target's endpoint (default: --concurrency)."""
    stream: bool = True
    """Stream the answer (gives time to first token); falls back when refused."""

    @field_validator("base_url")
    @classmethod
    def _url(cls, v: str) -> str:
        parts = urlsplit(v.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{v!r} is not an http(s) URL, e.g. http://localhost:11434/v1")
        return v.strip()

    @field_validator("api_key_env")
    @classmethod
    def _env(cls, v: str | None) -> str | None:
        if v is not None and not _ENV_NAME.match(v):
            raise ValueError(
                f"{v!r} is not an environment variable name; give the NAME of the variable "
                "that holds the key (keys are never read from files)"
            )
        return v

    @field_validator("api_key_header")
    @classmethod
    def _key_header(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if not _HEADER_NAME.match(v):
            raise ValueError(f"{v!r} is not an HTTP header name, e.g. x-api-key")
        if v.lower() in FRAMING_HEADERS:
            raise ValueError(
                f"{v!r} is set by the HTTP client for the request itself and cannot carry "
                "a key; use Authorization (the default), api-key or x-api-key"
            )
        return v

    @field_validator("headers")
    @classmethod
    def _no_secrets(cls, v: dict[str, str]) -> dict[str, str]:
        for name in v:
            if name.lower() in SECRET_HEADERS:
                raise ValueError(
                    f"header {name!r} carries a credential: put the key in an environment "
                    f"variable and name it with api_key_env (and api_key_header: {name})"
                )
        return v

    @field_validator("params")
    @classmethod
    def _params(cls, v: dict[str, Any]) -> dict[str, Any]:
        bad = sorted(RESERVED_PARAMS & set(v))
        if bad:
            raise ValueError(f"{', '.join(bad)} cannot be set here (llmpick sets them)")
        return v


class TargetsFile(BaseModel):
    model_config = _STRICT

    targets: list[TargetSpec] = Field(min_length=1)
    """The models to try."""


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What the catalog (or a shortlist) says about a target's model."""

    id: str
    name: str
    ollama: str | None = None
    api: str | None = None
    hf_repo: str | None = None
    price_in: float | None = None
    price_out: float | None = None
    price_as_of: str | None = None
    structured_output: bool = False
    open_weights: bool | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """A resolved target. Holds the *name* of the key's variable, never the key."""

    name: str
    base_url: str  # without user:password
    url: str  # the /chat/completions URL
    served_as: str
    model: ModelInfo | None = None
    api_key_env: str | None = None
    api_key_header: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    price_in: float | None = None
    price_out: float | None = None
    price_note: str = ""
    self_hosted: bool = False
    concurrency: int | None = None
    stream: bool = True
    system: str | None = None

    def system_messages(self) -> list[dict[str, str]]:
        """The target's own system prompt, sent before each case's messages."""
        return [{"role": "system", "content": self.system}] if self.system else []

    @property
    def endpoint(self) -> str:
        """Requests to one endpoint share its concurrency limit."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def fingerprint(self) -> str:
        """A result made for another endpoint or model name is not reused on --resume."""
        fp = f"{self.url}|{self.served_as}"
        if self.system:
            import hashlib

            fp += "|" + hashlib.sha256(self.system.encode()).hexdigest()[:12]
        return fp

    def cost_usd(self, tokens_in: int, tokens_out: int) -> float | None:
        """What the tokens cost at the target's prices (USD per 1M); None unpriced."""
        if self.price_in is None or self.price_out is None:
            return None
        return (tokens_in * self.price_in + tokens_out * self.price_out) / 1e6

    def api_key(self) -> str | None:
        return read_api_key(self.api_key_env) if self.api_key_env else None

    def request_headers(self) -> dict[str, str]:
        h = {"Content-Type": "application/json", **self.headers}
        key = self.api_key()
        if key:
            if self.api_key_header and self.api_key_header.lower() != "authorization":
                h[self.api_key_header] = key
            else:
                h["Authorization"] = f"Bearer {key}"
        return h

    def to_data(self) -> TargetData:
        """Public facts for the report (no key, no header values)."""
        return {
            "name": self.name,
            "model": self.model.id if self.model else None,
            "served_as": self.served_as,
            "base_url": self.base_url,
            "self_hosted": self.self_hosted,
            "price": None
            if self.price_in is None
            else {"input_per_1m": self.price_in, "output_per_1m": self.price_out},
            "price_note": self.price_note,
            "system": self.system,
        }


def chat_url(base_url: str) -> tuple[str, str]:
    """(base URL without credentials, the /chat/completions URL) for a base URL.

    ``http://host:11434`` → ``.../v1/chat/completions``; ``https://x/api/v1`` →
    ``.../api/v1/chat/completions``; a URL already ending in /chat/completions is kept.
    """
    parts = urlsplit(base_url)
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port:
        netloc += f":{parts.port}"
    path = parts.path.rstrip("/")
    clean = urlunsplit((parts.scheme, netloc, path, parts.query, ""))
    if path.endswith("/chat/completions"):
        url_path = path
    elif not path:
        url_path = "/v1/chat/completions"
    else:
        url_path = path + "/chat/completions"
    return clean, urlunsplit((parts.scheme, netloc, url_path, parts.query, ""))


def is_local(base_url: str) -> bool:
    """localhost, loopback, private and link-local addresses, and *.local names."""
    host = (urlsplit(base_url).hostname or "").lower()
    if host == "localhost" or host.endswith((".localhost", ".local")):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_unspecified


def looks_like_ollama(base_url: str) -> bool:
    parts = urlsplit(base_url)
    return parts.port == OLLAMA_PORT or "ollama" in (parts.hostname or "")


def default_served_as(info: ModelInfo, base_url: str) -> str | None:
    """The name an endpoint most likely serves a catalog model under."""
    if looks_like_ollama(base_url):
        return info.ollama or info.api or info.hf_repo
    if is_local(base_url):  # vLLM, llama.cpp, LM Studio: the Hugging Face repo id
        return info.hf_repo or info.ollama or info.api
    return info.api or info.hf_repo or info.ollama


def _price(
    spec_prices: Prices | None, self_hosted: bool, info: ModelInfo | None
) -> tuple[float | None, float | None, str]:
    if spec_prices is not None:
        return spec_prices.input, spec_prices.output, "prices from the targets file"
    if self_hosted:
        return 0.0, 0.0, "self-hosted: 0 USD per token (hardware and power not counted)"
    if info is not None and info.price_in is not None:
        return info.price_in, info.price_out, f"catalog price as of {info.price_as_of}"
    return None, None, "no price known: add prices: to the target, or a catalog model:"


def default_self_hosted(spec: TargetSpec, info: ModelInfo | None) -> bool:
    """Self-hosted (free per token) by default only on your own machines, only for a
    model you could run there (open weights, or no catalog model named), and only when
    the target gives no prices. A proprietary model behind a local proxy still costs
    its price."""
    if not is_local(spec.base_url) or spec.prices is not None:  # prices given: believed
        return False
    return info is None or info.open_weights is not False


def resolve_target(
    spec: TargetSpec, info: ModelInfo | None, where: Callable[[str], Problem]
) -> Target:
    """A target from its spec and its catalog facts; ``where(field)`` locates a problem."""
    served_as = spec.served_as or (default_served_as(info, spec.base_url) if info else None)
    if not served_as:
        raise InputError(
            [
                where("served_as")
                if info is None
                else Problem(
                    where("model").file,
                    f"the catalog has no API id, Ollama tag or repo for {info.id}; "
                    "give served_as: (the name the endpoint expects)",
                    path="served_as",
                    line=where("model").line,
                )
            ],
            "targets file",
        )
    self_hosted = (
        spec.self_hosted if spec.self_hosted is not None else default_self_hosted(spec, info)
    )
    price_in, price_out, note = _price(spec.prices, self_hosted, info)
    base, url = chat_url(spec.base_url)
    return Target(
        name=spec.name or (info.id if info else served_as),
        base_url=base,
        url=url,
        served_as=served_as,
        model=info,
        api_key_env=spec.api_key_env,
        api_key_header=spec.api_key_header,
        headers=dict(spec.headers),
        params=dict(spec.params),
        price_in=price_in,
        price_out=price_out,
        price_note=note,
        self_hosted=self_hosted,
        concurrency=spec.concurrency,
        stream=spec.stream,
        system=spec.system,
    )


def model_info_from_variant(v: Any) -> ModelInfo:
    """ModelInfo from a catalog Variant."""
    p = v.pricing
    return ModelInfo(
        id=v.id,
        name=v.name,
        ollama=v.access.ollama,
        api=v.access.api,
        hf_repo=v.access.hf_repo,
        price_in=p.input if p else None,
        price_out=p.output if p else None,
        price_as_of=p.as_of.isoformat() if p else None,
        structured_output="structured-output" in v.capabilities,
        open_weights=bool(v.open_weights),
    )


def model_info_from_candidate(c: dict[str, Any]) -> ModelInfo:
    """ModelInfo from a candidate of an exported shortlist: a field of the wrong type (a
    pricing that is text, capabilities that are a number) is taken as unknown."""

    def text(v: Any) -> str | None:
        return v if isinstance(v, str) and v else None

    def price(v: Any) -> float | None:
        ok = isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1e4
        return float(v) if ok else None

    p = c.get("pricing")
    p = p if isinstance(p, dict) else {}
    caps = c.get("capabilities")
    return ModelInfo(
        id=str(c["id"]),
        name=text(c.get("name")) or str(c["id"]),
        ollama=text(c.get("ollama")),
        api=text(c.get("api")),
        hf_repo=text(c.get("hf_repo")),
        price_in=price(p.get("input_per_1m")),
        price_out=price(p.get("output_per_1m")),
        price_as_of=text(p.get("as_of")),
        structured_output=isinstance(caps, list) and "structured-output" in caps,
        open_weights=c["open_weights"] if isinstance(c.get("open_weights"), bool) else None,
    )


def _read_text(path: str, what: str) -> str:
    from llmpick.files import read_bounded

    try:
        return read_bounded(path).decode("utf-8-sig")
    except OSError as exc:
        raise InputError([Problem(path, f"cannot read: {exc.strerror or exc}")], what) from None
    except UnicodeDecodeError:
        raise InputError([Problem(path, "not UTF-8 text")], what) from None


LineAt = Callable[[tuple[int | str, ...]], int | None]
WHAT = "targets file"


def load_targets(path: str, lookup: Callable[[str], ModelInfo]) -> list[Target]:
    """Read a targets file; ``lookup(model)`` gives catalog facts (raising a usage error
    for an unknown model). InputError (exit 2) names every bad line and field."""
    data, at = _targets_data(_read_text(path, WHAT), path)
    try:
        parsed = TargetsFile.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(
                path,
                error_message(err, TargetsFile.model_json_schema),
                path=".".join(str(p) for p in err["loc"]),
                line=at(tuple(err["loc"])),
            )
            for err in exc.errors(include_url=False)
        ]
        raise InputError(problems, WHAT) from None
    found: list[Problem] = []
    targets: list[Target] = []
    for i, spec in enumerate(parsed.targets):
        try:
            targets.append(_file_target(spec, i, path, lookup, at))
        except InputError as exc:
            found.extend(exc.problems)
    names: dict[str, int] = {}
    for i, t in enumerate(targets):
        if t.name in names:
            found.append(
                Problem(
                    path,
                    f"two targets are named {t.name!r}; give each a distinct name:",
                    path=f"targets.{i}.name",
                    line=at(("targets", i)),
                )
            )
        names[t.name] = i
    if found:
        raise InputError(found, WHAT)
    return targets


def _targets_data(text: str, path: str) -> tuple[dict[str, Any], LineAt]:
    """The file as {'targets': [...]} (a bare list is accepted too), and the line of a
    field in it."""
    from llmpick.yamlsafe import YamlProblem, line_of, parse

    try:
        data = parse(text, path)
    except YamlProblem as exc:
        raise InputError([exc.problem], WHAT) from None
    prefix: tuple[str, ...] = ("targets",)
    if isinstance(data, list):
        data, prefix = {"targets": data}, ()
    if not isinstance(data, dict):
        problem = Problem(path, "expected 'targets:' and a list of targets", line=1)
        raise InputError([problem], WHAT)

    def at(loc: tuple[int | str, ...]) -> int | None:
        if loc and loc[0] == "targets":
            loc = (*prefix, *loc[1:])
        return line_of(text, loc)

    return data, at


def _file_target(
    spec: TargetSpec, i: int, path: str, lookup: Callable[[str], ModelInfo], at: LineAt
) -> Target:
    """Target ``i`` of a targets file; InputError for an unknown model, a key that
    cannot be used, or no model name to send."""

    def problem(fld: str, message: str) -> InputError:
        line = at(("targets", i, fld))
        return InputError([Problem(path, message, path=f"targets.{i}.{fld}", line=line)], WHAT)

    info = None
    if spec.model is not None:
        try:
            info = lookup(spec.model)
        except Exception as exc:  # an unknown model: name the line
            raise problem("model", getattr(exc, "message", str(exc))) from None
    key_problem = api_key_problem(spec.api_key_env) if spec.api_key_env else None
    if key_problem is not None:
        raise problem("api_key_env", key_problem)

    def where(fld: str) -> Problem:
        return Problem(
            path,
            "give served_as (the model name the endpoint expects) or a catalog model",
            path=f"targets.{i}.{fld}",
            line=at(("targets", i, fld)) or at(("targets", i)),
        )

    return resolve_target(spec, info, where)


def shortlist_targets(
    path: str, base_url: str, api_key_env: str | None = None
) -> tuple[list[Target], list[str]]:
    """One target per shortlisted candidate that ``base_url`` can serve, and notes on
    the candidates left out (no Ollama tag for an Ollama server, ...)."""
    what = "shortlist"
    text = _read_text(path, what)
    from llmpick.jsonsafe import loads

    try:
        doc = loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(path, f"not JSON: {exc.msg}", line=exc.lineno)], what) from None
    cands = doc.get("candidates") if isinstance(doc, dict) else None
    if not isinstance(cands, list) or not all(
        isinstance(c, dict) and isinstance(c.get("id"), str) for c in cands
    ):
        raise InputError(
            [
                Problem(
                    path,
                    "not a shortlist document (no 'candidates' list with ids)",
                    path="candidates",
                )
            ],
            what,
        )
    try:
        spec = TargetSpec(base_url=base_url, api_key_env=api_key_env)
    except ValidationError as exc:
        from llmpick.errors import UsageError

        msg = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
        raise UsageError(f"invalid value for --base-url or --api-key-env: {msg}") from None
    key_problem = api_key_problem(api_key_env) if api_key_env else None
    if key_problem is not None:
        from llmpick.errors import UsageError

        raise UsageError(f"--api-key-env: {key_problem}")
    targets: list[Target] = []
    notes: list[str] = []
    for c in cands:
        info = model_info_from_candidate(c)
        served = default_served_as(info, base_url)
        if served is None:
            notes.append(f"{info.id}: no name this endpoint would know it by; left out")
            continue
        if looks_like_ollama(base_url) and served != info.ollama:
            notes.append(f"{info.id}: no Ollama tag in the catalog; left out")
            continue
        targets.append(
            resolve_target(spec.model_copy(update={"served_as": served}), info, _nowhere)
        )
    if not targets:
        from llmpick.errors import UsageError

        raise UsageError(
            f"no candidate in {path} can be served by {base_url}",
            hint="write a targets file naming served_as for each model",
        )
    return targets, notes


def _nowhere(fld: str) -> Problem:  # pragma: no cover - served_as is always set here
    return Problem("--shortlist", "no model name", path=fld)


def check_judge(targets: list[Target], judge: str | None, judged_kinds: bool) -> Target | None:
    """Split the judge from the candidates; usage errors for a missing or needless judge."""
    from llmpick.errors import UsageError

    if judge is None:
        if judged_kinds:
            raise UsageError(
                "some cases have a judge check, but no judge was named",
                hint="add the judge model to the targets file and name it with --judge NAME",
            )
        return None
    for t in targets:
        if t.name == judge:
            return t
    raise UsageError(
        f"--judge {judge!r} is not one of the targets",
        hint="choose from: " + ", ".join(t.name for t in targets),
    )
