"""A model outside the catalog, read into a record that `llmpick fit` can size: a
Hugging Face repository (``ORG/NAME``) or a local model folder.

What is read, and nothing more: ``config.json`` (the architecture numbers), then the
parameter count from ``model.safetensors.index.json`` (``metadata.total_parameters``,
or ``metadata.total_size`` for 16-bit weights), or else from the safetensors headers
themselves (``hub_config.py``); a repository or folder without ``config.json`` is read
from the header of a GGUF file (``hub_gguf.py``). The files come from the folder or
from the Hub, in parts, so that no weights are downloaded (``hub_files.py``).

Everything read is somebody else's data: each number must be a whole number within
bounds, and anything else is refused with the file and field named (exit 2), never
guessed around.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmpick import clock
from llmpick.catalog.hub_config import from_config
from llmpick.catalog.hub_files import CONFIG, MAX_CONFIG, Folder, HubRepo, RepoError
from llmpick.catalog.hub_gguf import from_gguf, pick_gguf
from llmpick.catalog.records import Access, Variant
from llmpick.errors import UsageError

REPO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}")


@dataclass
class Resolved:
    """A repository or folder read into a record, with where it came from."""

    variant: Variant
    origin: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def is_repo_id(name: str) -> bool:
    return REPO_ID.fullmatch(name) is not None and ".." not in name


def _read(src: Folder | HubRepo, shown: str, gguf: str | None = None) -> Resolved:
    try:
        raw = None if gguf is not None else src.read(CONFIG, MAX_CONFIG)
        got = from_config(src, raw) if raw is not None else from_gguf(src, gguf or pick_gguf(src))
    except RepoError as exc:  # which repository or folder the file is in, said first
        if exc.message.startswith(src.label):
            raise
        raise RepoError(f"{src.label}: {exc.message}", hint=exc.hint) from None
    if got.params <= 0:
        raise RepoError(f"{src.label}: its weight files hold no parameters")
    moe = got.arch is not None and (got.arch.experts or 0) > 1
    v = Variant(
        id=shown,
        family="",
        provider="",
        name=shown.rstrip("/").rsplit("/", 1)[-1] or shown,
        flavour="base",  # not read: fit does not use it
        tuning=[],
        architecture=got.architecture,  # type: ignore[arg-type]
        moe=moe,
        params_b=got.params / 1e9,
        active_params_b=None,
        context_window=got.context,
        max_output=None,
        open_weights=True,
        license="",
        status="active",
        successor=None,
        base_model=None,
        domain="general",
        modalities=["text"],
        languages=[],
        capabilities=[],
        access=Access(hf_repo=shown if isinstance(src, HubRepo) else None),
        arch=got.arch,
        pricing=None,
        evidence=[],
        released=None,
        sources=[src.label],
        verified=clock.today(),
        notes=None,
        weights_format=got.weights_format,  # type: ignore[arg-type]
    )
    notes = [
        f"not in the catalog: sized from {got.counted}; its licence, quality and status "
        "are not checked",
        *got.notes,
    ]
    if moe:
        notes.append("active parameters per token are not read from the repository")
    origin = {
        "kind": "huggingface" if isinstance(src, HubRepo) else "folder",
        "location": src.label,
    }
    return Resolved(v, {**origin, "files": got.files}, notes)


def from_folder(path: str) -> Resolved:
    """A local model folder (config.json and safetensors, or GGUF), or one GGUF file."""
    folder = Path(os.path.expanduser(path))
    if folder.suffix == ".gguf" and folder.is_file():
        return _read(Folder(folder.parent), path, gguf=folder.name)
    if not folder.is_dir():
        raise UsageError(
            f"{path}: not a folder",
            hint="give a model folder (with config.json), a catalog id or a repository ORG/NAME",
        )
    return _read(Folder(folder), path)


def from_hub(repo: str) -> Resolved:
    """A Hugging Face repository, read over the network (and cached)."""
    if not is_repo_id(repo):
        raise UsageError(f"{repo!r} is not a Hugging Face repository id (ORG/NAME)")
    return _read(HubRepo(repo), repo)
