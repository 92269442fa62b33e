"""Finding a catalog's files: the bundled catalog or ``LLMPICK_BASE_CATALOG``, and each
overlay (a catalog directory, any part of which may be missing, or one family file).

Each file is named by its stat data (size, mtime, inode, device), which the cache's
index is keyed by (``load.py``), and by the label messages give it (``catalog/...`` for
the base catalog, the path for an overlay). What is not a regular file, is too large,
or is a tree too big to be a catalog is refused with the problem said; nothing is read
here, so a warm run that the index vouches for opens no catalog file.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmpick.errors import Problem
from llmpick.files import MAX_BYTES

MAX_FILES = 20_000


MAX_WALK = 200_000  # directory entries looked at under families/ (a tree like /usr is refused)


@dataclass(eq=False, repr=False)
class SourceFile:
    path: Path | str
    label: str  # how it is named in messages
    kind: str  # "providers" | "licenses" | "datasets" | "family" | "evidence"
    # size, mtime_ns, inode, device, ctime_ns: the change time cannot be set back, so an
    # edit that keeps the size and restores the mtime (touch -r, rsync -t) is still seen
    stat: tuple[int, int, int, int, int]
    data: bytes = b""
    family_id: str = ""
    provider_dir: str = ""
    root: str = ""
    text: str = ""
    overlay: str = ""  # the overlay path it belongs to; "" for the base catalog
    # once read (``load_parse``): its YAML, or the problem that refuses it
    read: bool = False
    parsed: Any = None
    problem: Problem | None = None
    pending: Any = None  # the worker parsing it, while its results have not been read
    _lines: Any = None

    def line(self, loc: tuple[Any, ...]) -> int | None:
        """Line of a field path in this file; the file is composed once, however many
        problems it has (a lookup per problem that re-parsed it was quadratic)."""
        if self._lines is None:
            from llmpick.yamlsafe import LineIndex

            self._lines = LineIndex(self.text)
        line: int | None = self._lines(loc)
        return line


@dataclass(eq=False, repr=False)
class Collected:
    files: list[SourceFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _stat(path: Path | str, label: str, out: Collected) -> tuple[int, int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError as exc:
        out.problems.append(Problem(label, f"cannot read: {exc.strerror or exc}"))
        return None
    if not stat.S_ISREG(st.st_mode):  # a pipe or a device would block or never end
        out.problems.append(Problem(label, "not a regular file"))
        return None
    if st.st_size > MAX_BYTES:
        out.problems.append(
            Problem(label, f"file is {st.st_size:,} bytes; the limit is {MAX_BYTES:,}")
        )
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev, st.st_ctime_ns)


def _label(path: Path, root: Path, overlay: bool) -> str:
    if not overlay:
        try:
            return f"catalog/{path.relative_to(root).as_posix()}"
        except ValueError:
            return str(path)
    return str(path)


_PARTS = (
    ("providers.yaml", "providers"),
    ("licenses.yaml", "licenses"),
    ("datasets.yaml", "datasets"),
)


def collect(root: Path, overlay: bool, out: Collected) -> None:
    """The catalog files of ``root``: a family file, or a catalog directory."""
    problem = _not_a_catalog(root)
    if problem is not None:
        out.problems.append(problem)
        return
    tag = str(root) if overlay else ""
    if root.is_file():
        st = _stat(root, str(root), out)
        if st is not None:
            out.files.append(
                SourceFile(
                    root, str(root), "family", st, family_id=root.stem, root=str(root), overlay=tag
                )
            )
        return
    for name, kind in _PARTS:
        p = root / name
        if p.exists() or p.is_symlink():  # a pipe or a dangling link is refused, not skipped
            label = _label(p, root, overlay)
            st = _stat(p, label, out)
            if st is not None:
                out.files.append(SourceFile(p, label, kind, st, root=str(root), overlay=tag))
    _collect_evidence(root, overlay, tag, out)
    # strings, not Paths: a catalog may have 20,000 family files, and pathlib costs
    # more than the stat calls
    prefix = os.path.join(str(root), "")
    for path, parent, name in _family_paths(root / "families", out):
        label = path if overlay else "catalog/" + path.removeprefix(prefix).replace(os.sep, "/")
        st = _stat(path, label, out)
        if st is not None:
            out.files.append(
                SourceFile(
                    path,
                    label,
                    "family",
                    st,
                    family_id=_stem(name),
                    provider_dir=parent,
                    root=str(root),
                    overlay=tag,
                )
            )


def _not_a_catalog(root: Path) -> Problem | None:
    """Why ``root`` is neither a family file nor a catalog directory, or None."""
    if not str(root).strip() or str(root) == ".":
        return Problem(repr(str(root)), "an empty path is not a catalog overlay")
    why = None
    if not root.exists():
        why = "no such file or directory"
    elif root.is_file():
        why = None if root.suffix in (".yaml", ".yml") else "a catalog file must end in .yaml"
    elif not root.is_dir():
        why = "not a regular file or a directory"
    elif (
        not (root / "families").is_dir()
        and not (root / "evidence").is_dir()
        and not any((root / name).exists() for name, _ in _PARTS)
    ):
        why = (
            "not a catalog directory: it has no providers.yaml, licenses.yaml, "
            "datasets.yaml, families/ or evidence/ (see CONTRIBUTING.md, Overlays)"
        )
    return Problem(str(root), why) if why is not None else None


def _stem(name: str) -> str:
    """``Path(name).stem`` without building a Path."""
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def _family_paths(fam_root: Path, out: Collected) -> list[tuple[str, str, str]]:
    """The family files under ``fam_root`` in order, each as its path, the name of the
    directory it is in ("" for ``fam_root`` itself) and its own name; none (with the
    problem said) when there are too many to be a catalog."""
    if not fam_root.is_dir():
        return []
    top = str(fam_root)
    found: list[tuple[str, str, str]] = []
    seen = 0
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        seen += len(dirnames) + len(filenames)
        parent = os.path.basename(dirpath) if dirpath != top else ""
        found += [
            (os.path.join(dirpath, fn), parent, fn)
            for fn in sorted(filenames)
            if fn.endswith((".yaml", ".yml"))
        ]
        if len(found) > MAX_FILES or seen > MAX_WALK:
            message = f"more than {MAX_FILES:,} family files or {MAX_WALK:,} entries: not a catalog"
            out.problems.append(Problem(str(fam_root), message))
            return []
    return found


def _collect_evidence(root: Path, overlay: bool, tag: str, out: Collected) -> None:
    """The files of ``root/evidence/``: one per dataset, named by the dataset's id."""
    ev_root = root / "evidence"
    if not ev_root.is_dir():
        return
    names = sorted(p.name for p in ev_root.iterdir())
    if len(names) > MAX_FILES:
        out.problems.append(Problem(str(ev_root), f"more than {MAX_FILES:,} files"))
        return
    for fn in names:
        if not fn.endswith((".yaml", ".yml")):
            continue
        p = ev_root / fn
        label = _label(p, root, overlay)
        st = _stat(p, label, out)
        if st is not None:
            out.files.append(
                SourceFile(p, label, "evidence", st, family_id=p.stem, root=str(root), overlay=tag)
            )
