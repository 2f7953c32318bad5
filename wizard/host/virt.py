"""Can this host run guests with KVM, or only emulated with QEMU (``nova_compute_virt_type``)?

Evidence, best first: ``kvm-ok`` (package cpu-checker, often missing on a fresh box) when it is
installed; otherwise ``/dev/kvm`` itself: present, openable read-write, and (for a real character
device) answering ``KVM_GET_API_VERSION``. On x86 the vmx/svm CPU flag is reported too, but only as
a clue: hypervisors often hide it from a guest that can nevertheless use a passed-through KVM. The
conclusion comes with the reason in words, because "qemu" is a 10x slowdown the user must understand.
"""

from __future__ import annotations

import fcntl
import os
import stat
from pathlib import Path

from wizard.host.commands import NOT_FOUND, CommandRunner
from wizard.host.facts import Virtualization

KVM_OK = ("kvm-ok",)
#: platform.machine() names of x86, where the vmx/svm CPU flag tells whether the CPU has VT-x/AMD-V.
X86_ARCHES = ("x86_64", "i686", "i386", "amd64")
_KVM_GET_API_VERSION = 0xAE00
_KVM_API_VERSION = 12  # stable since Linux 2.6.22


def probe_virtualization(
    root: Path, run: CommandRunner, arch: str, cpu_flags: frozenset[str]
) -> tuple[Virtualization, str]:
    """Whether KVM is usable, and the source: what was asked (kvm-ok, /dev/kvm, the CPU flags on x86).

    Like every probe it returns ``(value, source)``, so the source names exactly the evidence used.
    """
    dev = root / "dev/kvm"
    present = os.path.lexists(dev)
    openable, api_version, open_error = _open_kvm(dev) if present else (False, None, "")
    x86 = arch in X86_ARCHES
    flag = next((f for f in ("vmx", "svm") if f in cpu_flags), None) if x86 else None

    result = run(list(KVM_OK))
    kvm_ok_present = result.returncode != NOT_FOUND
    output = result.output.strip() if kvm_ok_present else None

    dev_text = _dev_kvm_text(dev, present, openable, api_version, open_error)
    flag_text = ""
    if x86:
        flag_text = f"; CPU flag {flag} present" if flag else "; no vmx/svm flag in /proc/cpuinfo"

    if kvm_ok_present:
        verdict = (output or "").splitlines()[-1] if output else f"exit {result.returncode}"
        usable = result.returncode == 0 and (openable or not present)
        reason = f"kvm-ok says: {verdict}; {dev_text}{flag_text}"
        if result.returncode == 0 and present and not openable:
            reason = f"kvm-ok says yes, but {dev_text}"
    else:
        usable = openable and (api_version in (None, _KVM_API_VERSION))
        reason = f"kvm-ok not installed (package cpu-checker); {dev_text}{flag_text}"
    if not usable and not present:
        reason += _no_kvm_hint(x86, flag)
    source = [" ".join(KVM_OK) if kvm_ok_present else "kvm-ok (not installed)", str(dev)]
    if x86:
        source.append(f"{root / 'proc/cpuinfo'} flags")
    virtualization = Virtualization(
        usable=usable,
        reason=reason,
        kvm_ok_present=kvm_ok_present,
        kvm_ok_exit=result.returncode if kvm_ok_present else None,
        kvm_ok_output=output,
        dev_kvm_present=present,
        dev_kvm_openable=openable,
        cpu_flag=flag,
        kvm_api_version=api_version,
    )
    return virtualization, ", ".join(source)


def _open_kvm(dev: Path) -> tuple[bool, int | None, str]:
    """Open read-write like QEMU does; ask a real device its API version (fixtures are plain files)."""
    try:
        fd = os.open(dev, os.O_RDWR | os.O_CLOEXEC)
    except OSError as exc:
        return False, None, exc.strerror or str(exc)
    try:
        if not stat.S_ISCHR(os.fstat(fd).st_mode):
            return True, None, ""
        try:
            return True, int(fcntl.ioctl(fd, _KVM_GET_API_VERSION)), ""
        except OSError as exc:
            return False, None, f"KVM_GET_API_VERSION failed: {exc.strerror}"
    finally:
        os.close(fd)


def _dev_kvm_text(dev: Path, present: bool, openable: bool, api: int | None, error: str) -> str:
    if not present:
        return "/dev/kvm does not exist"
    if not openable:
        return f"/dev/kvm exists but cannot be opened read-write ({error})"
    if api is not None and api != _KVM_API_VERSION:
        return f"/dev/kvm opens but reports KVM API {api}, not {_KVM_API_VERSION}"
    return "/dev/kvm exists and opens read-write" + (f" (KVM API {api})" if api is not None else "")


def _no_kvm_hint(x86: bool, flag: str | None) -> str:
    if x86 and flag:
        return f" (the CPU has {flag}: load the module with modprobe kvm_{'intel' if flag == 'vmx' else 'amd'})"
    if x86:
        return " (enable VT-x/AMD-V in the firmware, or nested virtualization if this is a VM)"
    return " (enable virtualization in the firmware, or nested virtualization if this is a VM)"
