"""What hardware this machine has: NVIDIA GPUs (NVML or nvidia-smi), system RAM, and on
a Mac its unified memory and chip (sysctl).

Parsing is pure and tested on recorded outputs; ``detect`` runs the tools. When
nothing is found it says so: callers ask for a number rather than guess.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

MIB = 1024 * 1024


@dataclass(slots=True, eq=False)
class Gpu:
    name: str
    memory_gb: float


@dataclass(slots=True, eq=False)
class Hardware:
    gpus: list[Gpu] = field(default_factory=list)
    ram_gb: float | None = None
    source: str = "none"
    problem: str | None = None

    @property
    def best_gpu_gb(self) -> float | None:
        return max((g.memory_gb for g in self.gpus), default=None)


def parse_nvidia_smi(text: str) -> list[Gpu]:
    """Rows of `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits`."""
    gpus = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _, mem = line.rpartition(",")
        try:
            mib = float(mem.strip())
        except ValueError:
            continue
        if not 0 < mib < 16 * 1024 * 1024:  # finite and below 16 TiB: else not a reading
            continue
        gpus.append(Gpu(name.strip() or "NVIDIA GPU", round(mib * MIB / 1e9, 1)))
    return gpus


def parse_meminfo(text: str) -> float | None:
    """MemTotal from /proc/meminfo, in GB."""
    for line in text.splitlines():
        if line.startswith("MemTotal:"):
            parts = line.split()
            try:
                return round(int(parts[1]) * 1024 / 1e9, 1)
            except (IndexError, ValueError):
                return None
    return None


Runner = Callable[[list[str]], str]


def _run(cmd: list[str]) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=True)
    return proc.stdout


def _nvml() -> list[Gpu] | None:
    try:
        import pynvml  # type: ignore[import-not-found]
    except ImportError:
        return None
    try:
        pynvml.nvmlInit()
        try:
            gpus = []
            for i in range(pynvml.nvmlDeviceGetCount()):
                h = pynvml.nvmlDeviceGetHandleByIndex(i)
                name = pynvml.nvmlDeviceGetName(h)
                name = name.decode() if isinstance(name, bytes) else str(name)
                gpus.append(Gpu(name, round(pynvml.nvmlDeviceGetMemoryInfo(h).total / 1e9, 1)))
            return gpus
        finally:
            pynvml.nvmlShutdown()
    except Exception:  # NVML present but no driver or device
        return None


def detect(
    run: Runner = _run,
    which: Callable[[str], str | None] = shutil.which,
    meminfo: Path = Path("/proc/meminfo"),
    use_nvml: bool = True,
) -> Hardware:
    hw = Hardware()
    try:
        hw.ram_gb = parse_meminfo(meminfo.read_text())
    except OSError:
        hw.ram_gb = None
    gpus = _nvml() if use_nvml else None
    if gpus:
        hw.gpus, hw.source = gpus, "NVML"
        return hw
    if which("nvidia-smi") is None:
        hw.problem = "no NVIDIA GPU found (neither the NVIDIA management library nor nvidia-smi)"
        return hw
    try:
        text = run(["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"])
    except (OSError, subprocess.SubprocessError) as exc:
        hw.problem = f"nvidia-smi failed: {exc}"
        return hw
    hw.gpus = parse_nvidia_smi(text)
    hw.source = "nvidia-smi"
    if not hw.gpus:
        hw.problem = "nvidia-smi reported no GPUs"
    return hw


@dataclass(slots=True, eq=False)
class Mac:
    memory_gb: float  # as sold: the GiB count, as people type it (64 for a 64 GB Mac)
    chip: str  # e.g. "Apple M4 Max"


def detect_mac(run: Runner = _run, which: Callable[[str], str | None] = shutil.which) -> Mac | None:
    """A Mac's unified memory and chip from ``sysctl``; None where there is no sysctl or it
    does not answer as a Mac's does."""
    if which("sysctl") is None:
        return None
    try:
        size = run(["sysctl", "-n", "hw.memsize"]).strip()
        chip = run(["sysctl", "-n", "machdep.cpu.brand_string"]).strip()
    except (OSError, subprocess.SubprocessError):
        return None
    if not size.isdigit() or not chip.startswith("Apple "):
        return None
    gib = int(size) / 2**30
    if not 0 < gib < 1024 * 1024:
        return None
    return Mac(round(gib), chip[:80])
