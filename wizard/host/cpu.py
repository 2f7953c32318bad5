"""The machine's capacity: CPU architecture, model and cores, RAM, free disk.

Read from ``/proc/cpuinfo`` and ``/proc/meminfo`` under the probe root so a fixture can describe an
arm64 server on an x86 laptop. arm64 kernels print no "model name": the core is named from the
implementer/part codes (an Ampere Altra reports Arm's Neoverse-N1). Disk is measured where Docker
will put the images (``/var/lib/docker``, or the nearest existing parent), because that is what
fills up during ``kolla-ansible pull``.
"""

from __future__ import annotations

import os
import platform
import shutil
from dataclasses import dataclass
from pathlib import Path

# (implementer, part) → name, for the arm64 cores an OpenStack host is likely to have.
_ARM_CORES = {
    ("0x41", "0xd03"): "Arm Cortex-A53",
    ("0x41", "0xd07"): "Arm Cortex-A57",
    ("0x41", "0xd08"): "Arm Cortex-A72",
    ("0x41", "0xd0b"): "Arm Cortex-A76",
    ("0x41", "0xd0c"): "Arm Neoverse-N1",
    ("0x41", "0xd40"): "Arm Neoverse-V1",
    ("0x41", "0xd49"): "Arm Neoverse-N2",
    ("0x41", "0xd4f"): "Arm Neoverse-V2",
    ("0xc0", "0xac3"): "AmpereOne",
    ("0x50", "0x000"): "APM X-Gene",
    ("0x43", "0x0af"): "Cavium ThunderX2",
    ("0x48", "0xd01"): "HiSilicon Kunpeng-920",
    ("0x61", "0x000"): "Apple",
}
_ARM_IMPLEMENTERS = {"0x41": "Arm", "0xc0": "Ampere", "0x50": "APM", "0x43": "Cavium", "0x48": "HiSilicon"}


@dataclass(frozen=True)
class CpuInfo:
    arch: str
    model: str
    cores: int
    flags: frozenset[str]
    arch_source: str
    source: str


def parse_cpuinfo(text: str) -> list[dict[str, str]]:
    """One dict per processor block (blank-line separated ``key : value`` lines)."""
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            if current:
                blocks.append(current)
                current = {}
            continue
        key, sep, value = line.partition(":")
        if sep:
            current[key.strip()] = value.strip()
    if current:
        blocks.append(current)
    return blocks


def probe_cpu(root: Path) -> CpuInfo:
    path = root / "proc/cpuinfo"
    try:
        blocks = parse_cpuinfo(path.read_text(errors="replace"))
    except OSError:
        blocks = []
    processors = [b for b in blocks if "processor" in b]
    first = processors[0] if processors else (blocks[0] if blocks else {})
    flags = frozenset((first.get("flags") or first.get("Features") or "").split())
    cores = len(processors)
    source = str(path) if blocks else f"not readable: {path}"
    if not cores:
        cores = (os.cpu_count() or 0) if root == Path("/") else 0
        source += "; cores from os.cpu_count()" if cores else ""
    if root == Path("/"):
        arch, arch_source = platform.machine(), "platform.machine()"
    else:
        arch, arch_source = _arch_from_cpuinfo(first, flags), str(path)
    return CpuInfo(arch, _model(first), cores, flags, arch_source, source)


def _arch_from_cpuinfo(first: dict[str, str], flags: frozenset[str]) -> str:
    if first.get("CPU architecture") == "8" or "asimd" in flags:
        return "aarch64"
    if "vendor_id" in first:
        return "x86_64" if "lm" in flags else "i686"
    return "unknown"


def _model(first: dict[str, str]) -> str:
    if first.get("model name"):
        return first["model name"]
    implementer = first.get("CPU implementer", "").lower()
    part = first.get("CPU part", "").lower()
    if implementer:
        name = _ARM_CORES.get((implementer, part))
        if name:
            return name
        vendor = _ARM_IMPLEMENTERS.get(implementer, f"implementer {implementer}")
        return f"{vendor} part {part}" if part else vendor
    return first.get("Hardware", "") or first.get("cpu model", "")


def probe_memory(root: Path) -> tuple[int, str]:
    """MemTotal in bytes (what the kernel can use: a little under the installed RAM)."""
    path = root / "proc/meminfo"
    try:
        for line in path.read_text().splitlines():
            if line.startswith("MemTotal:"):
                parts = line.split()
                factor = 1024 if parts[-1].lower() == "kb" else 1
                return int(parts[1]) * factor, f"{path} MemTotal"
    except (OSError, ValueError, IndexError):
        pass
    return 0, f"not readable: {path}"


def probe_swap(root: Path) -> tuple[int | None, str]:
    """SwapTotal in bytes: with little RAM and no swap the OOM killer takes a container mid-deploy."""
    path = root / "proc/meminfo"
    try:
        for line in path.read_text().splitlines():
            if line.startswith("SwapTotal:"):
                parts = line.split()
                return int(parts[1]) * (1024 if parts[-1].lower() == "kb" else 1), f"{path} SwapTotal"
    except (OSError, ValueError, IndexError):
        pass
    return None, f"no SwapTotal in {path}"


@dataclass(frozen=True)
class DiskInfo:
    root_free: int
    docker_free: int
    docker_mount: str  # mount point (relative to the probe root, "/" style) holding /var/lib/docker
    source: str


def probe_disk(root: Path) -> DiskInfo:
    root_free = _free(root)
    docker = root / "var/lib/docker"
    existing = docker
    while not existing.exists() and existing != root and existing != existing.parent:
        existing = existing.parent
    mount = existing
    while mount != root and mount != mount.parent and not os.path.ismount(mount):
        mount = mount.parent
    shown = _inside(root, mount)
    source = f"statvfs of {root} and of {_inside(root, existing)} (where /var/lib/docker goes), mounted at {shown}"
    return DiskInfo(root_free, _free(existing), shown, source)


def _inside(root: Path, path: Path) -> str:
    """``path`` as the host sees it ("/var"), whatever the probe root is."""
    rel = str(path.relative_to(root))
    return "/" if rel == "." else "/" + rel


def _free(path: Path) -> int:
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return 0
