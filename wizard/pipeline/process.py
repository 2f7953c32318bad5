"""What identifies a process beyond its PID, so the wizard only ever signals processes it started.

A PID is reused: after a reboot (or enough forks) the PID a journal recorded can belong to an
unrelated daemon. A process is the same one only when the boot is the same
(``/proc/sys/kernel/random/boot_id``) and its start time since boot (field 22 of
``/proc/PID/stat``, in clock ticks) is the same. The journal records both next to every PID it
may later act on; :func:`same_process` is the test before any signal.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROC = Path("/proc")


def boot_id(proc: Path = PROC) -> str | None:
    """This boot's random id, or None where /proc does not tell it."""
    try:
        return (proc / "sys/kernel/random/boot_id").read_text().strip() or None
    except OSError:
        return None


def _stat_fields(pid: int, proc: Path = PROC) -> list[str] | None:
    """``/proc/PID/stat`` from field 3 (state) on; the command name, which may hold spaces, cut off."""
    try:
        with open(proc / str(pid) / "stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError, ValueError):
        return None


def start_time(pid: int, proc: Path = PROC) -> int | None:
    """When ``pid`` started, in clock ticks since boot (field 22), or None when it does not run."""
    fields = _stat_fields(pid, proc)
    if not fields or len(fields) < 20:
        return None
    try:
        return int(fields[19])  # field 22 counted from 1; fields[0] is field 3
    except ValueError:
        return None


def identity(pid: int, proc: Path = PROC) -> dict[str, Any]:
    """What the journal records with a PID: ``{"start": ticks, "boot_id": id}`` (values None if unknown)."""
    return {"start": start_time(pid, proc), "boot_id": boot_id(proc)}


def same_process(pid: int, recorded: Mapping[str, Any] | None, proc: Path = PROC) -> bool:
    """Whether ``pid`` is still the process ``recorded`` (from :func:`identity`) describes.

    False whenever it cannot be proven: no record (a journal from before identities were
    recorded), another boot, another start time, or no such process. Never signalling a
    process we cannot identify is the safe side: the worst case is an orphan left running.
    """
    if not recorded or recorded.get("start") is None or recorded.get("boot_id") is None:
        return False
    if recorded.get("boot_id") != boot_id(proc):
        return False
    return start_time(pid, proc) == recorded.get("start")


def leads_live_group(pid: int, proc: Path = PROC) -> bool:
    """Whether ``pid`` runs (not a zombie) as the leader of its own process group."""
    fields = _stat_fields(pid, proc)
    return fields is not None and len(fields) > 2 and fields[0] != "Z" and fields[2] == str(pid)


def group_members(pgid: int, proc: Path = PROC) -> list[int]:
    """The live (not zombie) processes whose process group is ``pgid``, the leader included."""
    members = []
    try:
        entries = list(proc.iterdir())
    except OSError:
        return []
    for entry in entries:
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name), proc)
        if fields and len(fields) > 2 and fields[0] != "Z" and fields[2] == str(pgid):
            members.append(int(entry.name))
    return members


def is_our_group(pgid: int, recorded: Mapping[str, Any] | None, proc: Path = PROC) -> bool:
    """Whether the live members of process group ``pgid`` are the group ``recorded`` describes.

    With its leader alive: the leader is the recorded process (:func:`same_process`). With its
    leader gone (``apt-get`` killed while its ``dpkg`` runs on, holding the lock): the kernel does
    not reuse a number while a process group still has it, so members of group ``pgid`` in the
    same boot, none older than the recorded leader, can only be what that leader started.
    """
    if leads_live_group(pgid, proc):
        return same_process(pgid, recorded, proc)
    if not recorded or recorded.get("start") is None or recorded.get("boot_id") != boot_id(proc):
        return False
    members = group_members(pgid, proc)
    starts = [start_time(pid, proc) for pid in members]
    return bool(members) and all(s is not None and s >= recorded["start"] for s in starts)
