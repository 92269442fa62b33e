"""Where a model runs: one GPU, several, a Mac's unified memory or the CPU, and how fast.

Memory per device builds on ``memory.estimate`` (weights + KV cache + overhead):

- **Several equal GPUs** (``--gpus 2x24``) are used with **tensor parallelism**, as vLLM
  does (``--tensor-parallel-size N``): every device holds 1/N of the weights and of the
  KV cache, plus its own overhead (1 GB + 5% of its share of the weights). The model's
  attention heads must divide by N; when they do not (or are not published), llmpick
  falls back to a layer split and says why. When there are fewer key-value heads than
  devices, vLLM copies them, so each device then holds 1/kv_heads of the cache.
- **Unequal GPUs** (``--gpus 24+16``) are used with a **layer split**, as llama.cpp
  (``--tensor-split 24,16``) and Ollama do: whole layers go to each device in proportion
  to its memory, so device i holds m_i / sum(m) of the weights and cache, plus its own
  overhead (1 GB + 5% of its share of the weights). It fits when every device does.
- **Unified memory** (``--unified-memory 64``): macOS lets the GPU wire only part of the
  memory by default: about two thirds up to 36 GB and three quarters above (see
  ``UNIFIED_SHARE``); the budget is that share. ``sudo sysctl iogpu.wired_limit_mb=N``
  raises it until the next restart.
- **CPU only** (``--ram 32``): the model must fit in RAM less ``RAM_RESERVE_GB`` for the
  operating system and other programs.

Speed: generating a token reads every active weight once and the whole KV cache, so
decoding is bound by memory bandwidth: tokens/s ~ bandwidth / (active parameters x bytes
per weight + KV cache). With tensor parallelism the devices read their shares at the same
time (N x the bandwidth, communication ignored); with a layer split they take turns (one
device's bandwidth). This is a ceiling that real runs approach (73-94% of it on the ten
published measurements cited in ``tests/unit/test_placement.py``); it is always labelled
an estimate. Bandwidths are spec-sheet figures in ``DEVICES``, each with its source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from llmpick.catalog.records import Variant
from llmpick.engine.memory import (
    OVERHEAD_FIXED_GB,
    OVERHEAD_FRACTION,
    Estimate,
    best_fit,
    estimate,
    quantizations,
)
from llmpick.units import format_estimate, format_tokens

SINGLE = "one device"
TENSOR = "tensor parallel"
LAYERS = "layer split"
UNIFIED = "unified memory"
CPU = "CPU only"
_KINDS = {"unified": UNIFIED, "cpu": CPU}

# macOS's default GPU wired-memory limit (Metal's recommendedMaxWorkingSetSize) as a share
# of unified memory: observed at 2/3 on 16 GB Macs (10.67 GB: exo-explore/exo#1672) and
# ~3/4 on 64 GB (models fail to load above ~47 GB on a 64 GB M2 Max: ggml-org/llama.cpp
# #1870; Apple's tech talk https://developer.apple.com/videos/play/tech-talks/10580/ and
# XiongjieDai/GPU-Benchmarks-on-LLM-Inference report ~70% at 32 GB, ~78% above). Newer
# macOS gives up to 84% on 128 GB (antirez/ds4#890), so this rule is the cautious one.
UNIFIED_SHARE = ((36.0, 2 / 3), (float("inf"), 3 / 4))
RAISE_UNIFIED = "sudo sysctl iogpu.wired_limit_mb=N raises it (until the next restart)"
RAM_RESERVE_GB = 4.0
"""RAM left for the operating system and other programs on a CPU-only run (an assumption)."""


class Device(NamedTuple):  # NamedTuples: a frozen dataclass costs ~0.7 ms of start-up
    label: str
    bandwidth_gbs: float
    memory_gb: float | None
    kind: str  # gpu | apple | cpu
    source: str
    match: tuple[str, ...] = ()  # words of a detected name (nvidia-smi) that identify it


_NV30 = "https://www.nvidia.com/en-us/geforce/graphics-cards/30-series/rtx-3090-3090ti/"
_M1 = "https://www.apple.com/newsroom/2021/10/introducing-m1-pro-and-m1-max-the-most-powerful-chips-apple-has-ever-built/"
_M2 = "https://www.apple.com/newsroom/2023/01/apple-unveils-m2-pro-and-m2-max-next-generation-chips-for-next-level-workflows/"
_M2U = "https://www.apple.com/newsroom/2023/06/apple-introduces-m2-ultra/"
_M3 = "https://macmegasite.com/2024/10/30/m4-max-chip-has-16-core-cpu-40-core-gpu-and-35-increase-in-memory-bandwidth"
_M4 = "https://www.apple.com/newsroom/2024/10/apple-introduces-m4-pro-and-m4-max/"
DEVICES: dict[str, Device] = {
    # NVIDIA spec sheets (memory bandwidth, GB/s)
    "rtx-3090": Device("RTX 3090", 936, 24, "gpu", _NV30, ("3090",)),
    "rtx-4090": Device(
        "RTX 4090",
        1008,
        24,
        "gpu",
        "https://www.nvidia.com/en-us/geforce/graphics-cards/40-series/rtx-4090/",
        ("4090",),
    ),
    "rtx-5090": Device(
        "RTX 5090",
        1792,
        32,
        "gpu",
        "https://www.nvidia.com/en-us/geforce/graphics-cards/50-series/rtx-5090/",
        ("5090",),
    ),
    "rtx-a6000": Device(
        "RTX A6000",
        768,
        48,
        "gpu",
        "https://www.nvidia.com/en-us/design-visualization/rtx-a6000/",
        ("a6000",),
    ),
    "l4": Device("L4", 300, 24, "gpu", "https://www.nvidia.com/en-us/data-center/l4/", ("l4",)),
    "l40s": Device(
        "L40S", 864, 48, "gpu", "https://www.nvidia.com/en-us/data-center/l40s/", ("l40s",)
    ),
    "t4": Device(
        "T4", 320, 16, "gpu", "https://www.nvidia.com/en-us/data-center/tesla-t4/", ("t4",)
    ),
    "a10": Device(
        "A10",
        600,
        24,
        "gpu",
        "https://www.nvidia.com/en-us/data-center/products/a10-gpu/",
        ("a10",),
    ),
    "a100-80gb": Device(
        "A100 80GB SXM",
        2039,
        80,
        "gpu",
        "https://www.nvidia.com/en-us/data-center/a100/",
        ("a100", "80gb"),
    ),
    "h100-sxm": Device(
        "H100 SXM",
        3350,
        80,
        "gpu",
        "https://www.nvidia.com/en-us/data-center/h100/",
        ("h100", "hbm3"),
    ),
    "h100-pcie": Device(
        "H100 PCIe",
        2000,
        80,
        "gpu",
        "https://www.nvidia.com/en-us/data-center/h100/",
        ("h100", "pcie"),
    ),
    "h200": Device(
        "H200", 4800, 141, "gpu", "https://www.nvidia.com/en-us/data-center/h200/", ("h200",)
    ),
    # Apple's announcements (unified memory bandwidth, GB/s)
    "m1-max": Device("Apple M1 Max", 400, None, "apple", _M1),
    "m2-max": Device("Apple M2 Max", 400, None, "apple", _M2),
    "m2-ultra": Device("Apple M2 Ultra", 800, None, "apple", _M2U),
    "m3-max": Device("Apple M3 Max (40-core GPU)", 400, None, "apple", _M3),
    "m4": Device("Apple M4", 120, None, "apple", _M4),
    "m4-pro": Device("Apple M4 Pro", 273, None, "apple", _M4),
    "m4-max": Device("Apple M4 Max (40-core GPU)", 546, None, "apple", _M4),
    # system memory: channels x 8 bytes x transfers per second (JEDEC DDR4/DDR5 data rates)
    "ddr4-3200-2ch": Device(
        "DDR4-3200, two channels",
        51.2,
        None,
        "cpu",
        "https://www.jedec.org/standards-documents/docs/jesd79-4a",
    ),
    "ddr5-5600-2ch": Device(
        "DDR5-5600, two channels",
        89.6,
        None,
        "cpu",
        "https://www.jedec.org/standards-documents/docs/jesd79-5c",
    ),
}


def device_for(name: str) -> str | None:
    """The DEVICES key for a detected GPU name ('NVIDIA GeForce RTX 4090' -> rtx-4090)."""
    words = name.lower().replace("-", " ").split()
    best = None
    for key, d in DEVICES.items():
        known = d.match and all(m in words for m in d.match)
        if known and (best is None or len(d.match) > len(DEVICES[best].match)):
            best = key
    return best


def chip_for(name: str) -> str | None:
    """The DEVICES key for a Mac's chip ('Apple M4 Max' -> m4-max), if listed."""
    key = name.lower().removeprefix("apple ").replace(" ", "-")
    return key if DEVICES.get(key) is not None and DEVICES[key].kind == "apple" else None


def unified_share(total_gb: float) -> float:
    return next(share for upto, share in UNIFIED_SHARE if total_gb <= upto)


class Setup(NamedTuple):
    """The hardware a model must fit: its kind, the memory of each device, and its budget."""

    kind: str  # gpu | gpus | unified | cpu
    devices: tuple[float, ...]
    total_gb: float | None = None  # unified memory or RAM as given
    device: str | None = None  # a DEVICES key, for the bandwidth

    @property
    def said(self) -> str:
        """'your 24 GB GPU', 'your 2x24 GB GPUs', 'your 64 GB Mac (48 GB for the GPU)' ..."""
        if self.kind == "gpu":
            return f"your {self.devices[0]:g} GB GPU"
        if self.kind == "gpus":
            return f"your {gpus_said(self.devices)} GPUs"
        if self.kind == "unified":
            gpu = self.devices[0]
            return f"your {self.total_gb:g} GB of unified memory ({gpu:.1f} GB for the GPU)"
        return f"your {self.total_gb:g} GB of RAM (CPU only, {self.devices[0]:g} GB usable)"

    @property
    def equal(self) -> bool:
        return len(set(self.devices)) == 1


def gpus_said(devices: tuple[float, ...] | list[float]) -> str:
    """'2x24 GB' for equal cards, '24+16 GB' for unequal ones (as typed)."""
    if len(set(devices)) == 1 and len(devices) > 1:
        return f"{len(devices)}x{devices[0]:g} GB"
    return "+".join(f"{d:g}" for d in devices) + " GB"


def setup_of(r: Any) -> Setup | None:
    """The hardware in requirements ``r`` (None when no budget was given)."""
    if r.gpu_memory is not None:
        return Setup("gpu", (r.gpu_memory,), device=r.device)
    if r.gpus:
        return Setup("gpus" if len(r.gpus) > 1 else "gpu", tuple(r.gpus), device=r.device)
    if r.unified_memory is not None:
        budget = r.unified_memory * unified_share(r.unified_memory)
        return Setup("unified", (budget,), r.unified_memory, r.device)
    if r.ram is not None:
        return Setup("cpu", (max(r.ram - RAM_RESERVE_GB, 0.0),), r.ram, r.device)
    return None


@dataclass(slots=True, eq=False, repr=False)
class Placement:
    """How ``estimate`` is laid out on the devices, and why that way."""

    estimate: Estimate
    split: str
    per_device_gb: tuple[float, ...]
    devices: tuple[float, ...]
    why: str = ""  # e.g. why tensor parallelism was not possible
    notes: list[str] = field(default_factory=list)
    kv_copies: float = 1.0  # tensor parallel past the key-value heads copies part of the cache

    @property
    def total_gb(self) -> float:
        """Memory over all devices: with several, each has its own overhead (and, past the
        key-value heads, its own copy of part of the cache)."""
        return sum(self.per_device_gb)

    @property
    def kv_cache_gb(self) -> float:
        return self.estimate.kv_cache_gb * self.kv_copies

    @property
    def overhead_gb(self) -> float:
        return self.total_gb - self.estimate.weights_gb - self.kv_cache_gb

    @property
    def fits(self) -> bool:
        return all(
            need <= have for need, have in zip(self.per_device_gb, self.devices, strict=True)
        )


def _heads_divide(v: Variant, n: int) -> tuple[bool, str]:
    heads = v.arch.attention_heads if v.arch else None
    if heads is None:
        return (
            False,
            f"its attention heads are not published, so a split over {n} is not known to work",
        )
    if heads % n:
        return False, f"its {heads} attention heads do not divide by {n}"
    return True, ""


def lay_out(v: Variant, e: Estimate, setup: Setup) -> Placement:
    """Per-device memory for estimate ``e`` on ``setup`` (see the module docstring)."""
    devs = setup.devices
    n = len(devs)
    if n == 1:
        return Placement(e, _KINDS.get(setup.kind, SINGLE), (e.total_gb,), devs)
    why = ""
    if setup.equal:
        ok, why = _heads_divide(v, n)
        if ok:
            kv_heads = (v.arch.kv_heads or v.arch.attention_heads) if v.arch else None
            share = min(n, kv_heads) if kv_heads else n
            w = e.weights_gb / n
            per = w + e.kv_cache_gb / share + OVERHEAD_FIXED_GB + OVERHEAD_FRACTION * w
            notes = []
            if share < n:
                notes.append(
                    f"its {kv_heads} key-value heads are fewer than {n} devices: "
                    "each device keeps a copy of one, so the cache is split only "
                    f"{share} ways"
                )
            return Placement(e, TENSOR, (per,) * n, devs, notes=notes, kv_copies=n / share)
    total = sum(devs)
    per_dev = tuple(
        (e.weights_gb + e.kv_cache_gb) * m / total
        + OVERHEAD_FIXED_GB
        + OVERHEAD_FRACTION * e.weights_gb * m / total
        for m in devs
    )
    return Placement(e, LAYERS, per_dev, devs, why=why)


def place(
    v: Variant, setup: Setup, quantization: str, context: int
) -> tuple[Placement | None, Placement | None]:
    """(the highest-precision placement that fits, the smallest tried), like best_fit."""
    devs = setup.devices
    if len(devs) == 1:  # the common case, as fast as best_fit: it runs for every model
        fit, least = best_fit(v, devs[0], quantization, context)
        if least is None:
            return None, None
        low = Placement(least, _KINDS.get(setup.kind, SINGLE), (least.total_gb,), devs)
        return (low if fit is least else None), low
    usable = quantizations(v)
    order = usable if quantization == "auto" else (quantization,)
    if quantization != "auto" and quantization not in usable:
        order = (usable[0],)
    smallest = None
    for q in order:
        e = estimate(v, q, context)
        if e is None:
            return None, None
        p = lay_out(v, e, setup)
        smallest = p
        if p.fits:
            return p, p
    return None, smallest


# --- speed ---------------------------------------------------------------------------


class Speed(NamedTuple):
    tokens_per_s: float
    bandwidth_gbs: float | None  # None when measured
    read_gb: float | None  # bytes read per generated token, GB; None when measured
    device: str
    assumption: str
    measured: bool = False  # timed by `llmpick eval` on your server, not estimated


def measured_speed(tokens_per_s: float, answers: int, source: str) -> Speed:
    """A decoding speed `llmpick eval` timed on the user's own server (recommend
    --evidence): it replaces the bandwidth estimate for that model."""
    said = f"measured on your server: median of {answers} answers in {source}"
    return Speed(tokens_per_s, None, None, "", said, measured=True)


def decode_speed(v: Variant, p: Placement, device: str | None) -> Speed | None:
    """Estimated decoding speed of ``v`` laid out as ``p`` on ``device`` (a DEVICES key);
    None when the device's bandwidth is unknown."""
    d = DEVICES.get(device or "")
    if d is None or v.params_b is None:
        return None
    e = p.estimate
    active = v.active_params_b or v.params_b
    read = active * e.bits_per_weight / 8 + e.kv_cache_gb
    n = len(p.devices)
    bw = d.bandwidth_gbs * (n if p.split == TENSOR else 1)
    how = (
        f"{n} x {d.bandwidth_gbs:g} GB/s read in parallel"
        if p.split == TENSOR
        else f"{d.bandwidth_gbs:g} GB/s"
        + (" (the devices take turns)" if p.split == LAYERS else "")
    )
    moe = " active" if v.active_params_b else ""
    assumption = (
        f"estimate: {d.label} memory bandwidth {how} / {read:.1f} GB read per token "
        f"({e.quantization}{moe} weights plus the KV cache at "
        f"{e.context:,} tokens); real runs reach less"
    )
    return Speed(bw / read if read > 0 else 0.0, bw, read, device or "", assumption)


def unified_said(setup: Setup) -> str:
    """What a Mac's budget is, and how to raise it."""
    share = unified_share(setup.total_gb or 0)
    return (
        f"macOS lets the GPU use about {share:.0%} of {setup.total_gb:g} GB by "
        f"default; {RAISE_UNIFIED}"
    )


def fit_said(r: Any, p: Placement | None, e: Estimate) -> list[str]:
    """What an answer says about the fit: where, at which precision, how split, and why."""
    setup = setup_of(r)
    precision = f"{e.quantization} (its published format)" if e.native else e.quantization
    context = f"with {format_tokens(e.context)} tokens of context"
    if setup is None:
        return []
    if p is None or len(p.devices) == 1:
        where = setup.said
        out = [f"fits {where} at {precision}: about {format_estimate(e.total_gb)} {context}"]
        if setup.kind == "unified":
            out.append(unified_said(setup))
        elif setup.kind == "cpu":
            out.append(
                f"CPU only: {RAM_RESERVE_GB:g} GB of RAM left for the system; expect it to be "
                "slow (see the speed estimate)"
            )
        return out
    per = format_estimate(max(p.per_device_gb))
    out = [
        f"fits your {gpus_said(p.devices)} GPUs at {precision}, {p.split}: about "
        f"{format_estimate(p.total_gb)} in all, at most {per} on a device, {context}"
    ]
    if p.why:
        out.append(f"a layer split, not tensor parallel: {p.why}")
    out += p.notes
    return out
