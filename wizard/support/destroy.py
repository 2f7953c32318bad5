"""``aio-wizard destroy``: remove the All-in-One so a fresh install can start.

Kolla's troubleshooting guide says that after a failed bootstrap task the state is undefined and
the way out is ``kolla-ansible destroy``; a half-finished install (Ctrl+C, a dropped session)
often ends the same way. This module decides what destroying means on this host, as data
(:class:`DestroyPlan`), so ``--dry-run`` prints exactly what a real run does:

1. ``VENV/bin/kolla-ansible destroy --yes-i-really-really-mean-it [--include-images] -i INV``
   (every kolla container and volume; the images too when asked), with ``VIRTUAL_ENV`` and PATH
   set as the venv's ``activate`` would;
2. removes the kolla configuration (/etc/kolla) and the virtualenv;
3. moves the journal aside (a copy stays in the state directory), so the next ``aio-wizard`` starts
   a fresh install instead of offering to resume, and the step logs into a ``before-destroy-TIME``
   folder of the log directory (the runner appends to a step's log, so a fresh install's logs
   would otherwise begin with the old ones).

The host preparation (the /etc/hosts edit, the disabled libvirt/iSCSI units, removed docker.io,
the AppArmor disable link, the packages installed) is left alone: each is listed with the command
that reverts it, read from the journal, the step logs and the host itself.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from wizard.errors import UserError
from wizard.files import BACKUP_SUFFIX, ensure_private_dir
from wizard.host.commands import CommandRunner, run_command
from wizard.kolla.releases import newest_release
from wizard.pipeline.model import Command, host_path
from wizard.pipeline.steps import APPARMOR_LIBVIRTD, DOCKER_IO_PACKAGES, HOSTS, ISCSI_UNITS, LIBVIRT_UNITS
from wizard.support.common import (
    Redact,
    installed_release,
    installed_venv,
    inventory_path,
    journal_data,
    kolla_command,
    read_no_follow,
    stream_command,
)

KOLLA_DIR = "/etc/kolla"
JOURNAL = "journal.json"
CONFIRM_FLAG = "--yes-i-really-mean-it"
APPARMOR_DISABLE_LINK = "/etc/apparmor.d/disable/usr.sbin.libvirtd"
# Steps whose packages stay installed: listed so the operator knows what the box gained.
PACKAGE_STEPS = ("python-prereqs", "debug-tools", "virt-packages")
# The runner's step logs (NN-STEP.log): a fresh install would append to them, so they go aside too.
STEP_LOG = re.compile(r"\d{2,}-[\w.-]+\.log")


@dataclass(frozen=True)
class Revert:
    """One host-preparation change the wizard made and ``destroy`` leaves: what, and how to undo it."""

    what: str
    how: tuple[str, ...]  # paste-able command lines, or a sentence when no command fits


@dataclass(frozen=True)
class DestroyPlan:
    """Everything ``destroy`` would do on this host; ``render`` shows it, ``execute_destroy`` does it."""

    hostname: str
    venv: str
    command: Command | None  # kolla-ansible destroy, None when it cannot run here
    command_skipped: str  # why not, when command is None
    remove: tuple[Path, ...]  # directories removed after kolla-ansible destroy succeeded
    kept: tuple[str, ...]  # what is deliberately not removed, and why
    journal_moves: tuple[tuple[Path, Path], ...]  # the journal (and its .prev copy) to move aside: (from, to)
    step_logs: tuple[Path, ...]  # the install's step logs, moved aside with the journal
    logs_aside: Path
    reverts: tuple[Revert, ...]

    @property
    def changes_anything(self) -> bool:
        return bool(self.command or self.remove or self.journal_moves)


def plan_destroy(
    root: Path,
    state_dir: Path | str,
    log_dir: Path | str,
    *,
    hostname: str,
    include_images: bool = False,
    now: float | None = None,
    run: CommandRunner = run_command,
) -> DestroyPlan:
    """What destroying the All-in-One means on this host (read only: the journal, the logs, ``root``,
    and ``docker ps`` through ``run`` when kolla-ansible is not there to remove the containers)."""
    root = Path(root)
    state = Path(state_dir)
    journal = journal_data(state)
    venv = installed_venv(journal)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(time.time() if now is None else now))

    command: Command | None = None
    skipped = ""
    kolla_ansible = host_path(root, f"{venv}/bin/kolla-ansible")
    inventory = inventory_path(root, venv)
    if not kolla_ansible.exists():
        skipped = f"{venv}/bin/kolla-ansible does not exist"
    elif inventory is None:
        skipped = "no inventory (/etc/kolla/ansible/inventory/all-in-one, nor the virtualenv's example)"
    else:
        # destroy and its options have one name on every release (the contract tier runs them against
        # each real kolla-ansible); the release still decides, as for every kolla-ansible action. A host
        # whose release cannot be told gets the newest release's names.
        release = installed_release(root, journal, venv) or newest_release()
        extra = ("--yes-i-really-really-mean-it", *(("--include-images",) if include_images else ()))
        command = kolla_command(root, venv, release, "destroy", *extra, inventory=inventory)

    remove: list[Path] = []
    kept: list[str] = []
    if command is None:
        left = _containers(run)
        if left:
            shown = ", ".join(left[:6]) + (", ..." if len(left) > 6 else "")
            kept.append(
                f"{len(left)} containers ({shown}): without kolla-ansible they stay; remove them with "
                "`docker rm -f`, or install kolla-ansible again and run destroy first"
            )
    kolla_dir = host_path(root, KOLLA_DIR)
    if kolla_dir.exists() or kolla_dir.is_symlink():
        remove.append(kolla_dir)
    venv_dir = host_path(root, venv)
    if venv_dir.is_dir() and not venv_dir.is_symlink():
        if (venv_dir / "pyvenv.cfg").is_file():
            remove.append(venv_dir)
        else:
            kept.append(f"{venv_dir}: has no pyvenv.cfg, so it is not a virtualenv: left alone")
    elif venv_dir.is_symlink():
        remove.append(venv_dir)  # the link only: rmtree is never given a link (see _remove)

    copy = state / f"journal-before-destroy-{stamp}.json"
    moves = [
        (state / name, copy.with_name(copy.name + suffix))
        for name, suffix in ((JOURNAL, ""), (JOURNAL + ".prev", ".prev"))  # .prev: the last good journal
        if os.path.lexists(state / name)
    ]
    logs = Path(log_dir)
    step_logs = sorted(p for p in logs.glob("*.log") if STEP_LOG.fullmatch(p.name)) if logs.is_dir() else []
    return DestroyPlan(
        hostname=hostname,
        venv=venv,
        command=command,
        command_skipped=skipped,
        remove=tuple(remove),
        kept=tuple(kept),
        journal_moves=tuple(moves),
        step_logs=tuple(step_logs),
        logs_aside=logs / f"before-destroy-{stamp}",
        reverts=tuple(host_reverts(root, journal)),
    )


def _containers(run: CommandRunner) -> list[str]:
    """The names of the containers on this host ([] without Docker or its daemon)."""
    result = run(("docker", "ps", "-a", "--format", "{{.Names}}"))
    return sorted(n.strip() for n in result.output.splitlines() if n.strip()) if result.ok else []


def host_reverts(root: Path, journal: Mapping[str, Any]) -> list[Revert]:
    """The host-preparation changes of the recorded install (and any found on the host), each with its undo."""
    steps: Mapping[str, Any] = journal.get("steps") or {}

    def ran(step_id: str) -> bool:
        entry = steps.get(step_id) or {}
        return entry.get("status") in ("done", "failed", "interrupted", "running") and not entry.get("already_done")

    out: list[Revert] = []
    hosts_dir = host_path(root, HOSTS).parent
    # The first backup (NAME.aio-wizard.bak) holds the host's original; later runs add .bak.1, .bak.2...
    backups = sorted(hosts_dir.glob(Path(HOSTS).name + BACKUP_SUFFIX + "*"), key=_backup_order)
    if backups:
        shown = f"{Path(HOSTS).parent}/{backups[0].name}"
        later = ", ".join(b.name for b in backups[1:])
        out.append(
            Revert(
                f"{HOSTS}: the 127.0.1.1 line was commented out; the original is kept as {shown}"
                + (f" (later copies: {later})" if later else ""),
                (shlex.join(["cp", "-p", shown, HOSTS]),),
            )
        )
    if not backups and ran("hosts-file"):
        out.append(
            Revert(f"{HOSTS}: the 127.0.1.1 line was commented out (no backup found)", ("remove the '#' by hand",))
        )

    if ran("host-libvirt-off"):
        units = _logged_units(steps.get("host-libvirt-off") or {}) or [*LIBVIRT_UNITS, *ISCSI_UNITS]
        out.append(
            Revert(
                "host libvirt and iSCSI units were disabled and stopped (libvirt runs in the nova_libvirt container)",
                (shlex.join(["systemctl", "enable", "--now", *units]),),
            )
        )

    if ran("remove-docker-io"):
        removed = _logged_removed_packages(steps.get("remove-docker-io") or {}) or list(DOCKER_IO_PACKAGES)
        out.append(
            Revert(
                f"Debian's docker.io packages were purged: {' '.join(removed)}",
                (
                    "after removing Docker CE (apt-get purge docker-ce docker-ce-cli containerd.io):",
                    shlex.join(["apt-get", "install", *[p for p in removed if p != "docker-doc"]]),
                ),
            )
        )

    link = host_path(root, APPARMOR_DISABLE_LINK)
    if link.is_symlink() or link.exists():
        out.append(
            Revert(
                f"the libvirtd AppArmor profile is disabled by the link {APPARMOR_DISABLE_LINK}",
                (shlex.join(["rm", APPARMOR_DISABLE_LINK]), shlex.join(["apparmor_parser", "-r", APPARMOR_LIBVIRTD])),
            )
        )

    if ran("bootstrap-servers"):
        out.append(
            Revert(
                "bootstrap-servers installed Docker CE and set up the host for kolla (docker group, /etc/docker)",
                (shlex.join(["apt-get", "purge", "docker-ce", "docker-ce-cli", "containerd.io"]),),
            )
        )
    titles = {p.get("id"): p.get("title") for p in journal.get("plan") or [] if isinstance(p, dict)}
    installed = [str(titles.get(s) or s) for s in PACKAGE_STEPS if ran(s)]
    if installed:
        out.append(
            Revert(
                "packages installed by: " + "; ".join(installed),
                ("they stay installed; apt-get purge the ones you do not want (the step logs name them)",),
            )
        )
    return out


def _backup_order(path: Path) -> tuple[int, str]:
    """NAME.aio-wizard.bak first, then .bak.1, .bak.2, ... by number (.bak.10 after .bak.9)."""
    tail = path.name.rsplit(BACKUP_SUFFIX, 1)[-1].lstrip(".")
    return (int(tail) if tail.isdigit() else (0 if not tail else 1 << 30), path.name)


def _step_log(entry: Mapping[str, Any]) -> str:
    path = entry.get("log_path")
    if not path:
        return ""
    try:
        return read_no_follow(Path(str(path)), 1 << 20)[0].decode("utf-8", "replace")
    except OSError:
        return ""


def _logged_units(entry: Mapping[str, Any]) -> list[str]:
    """The units the disable-units action really disabled (its ``+ systemctl disable [--now] U...`` line)."""
    units: list[str] = []
    for m in re.finditer(r"^\+ systemctl disable (?:--now )?(.+)$", _step_log(entry), re.M):
        units += [u for u in m.group(1).split() if u not in units and re.fullmatch(r"[\w@.-]+", u)]
    return units


def _logged_removed_packages(entry: Mapping[str, Any]) -> list[str]:
    """The packages apt-get really removed (its ``Removing NAME (VERSION) ...`` lines)."""
    found = re.findall(r"^(?:Removing|Purging configuration files for) ([\w.+-]+)(?::\w+)? \(", _step_log(entry), re.M)
    return list(dict.fromkeys(found))


# --- showing and doing -------------------------------------------------------------------------


def render_destroy(plan: DestroyPlan, *, dry_run: bool = False) -> str:
    """What ``destroy`` does, as paste-able lines; the same text before a real run and for ``--dry-run``."""
    lines = [
        f"aio-wizard destroy on {plan.hostname}"
        + (" (dry run: nothing is changed)" if dry_run else "")
        + ": removes the OpenStack All-in-One so a fresh install can start.",
        "",
    ]
    if plan.command is not None:
        images = "--include-images" in plan.command.argv
        lines += [
            "1. kolla-ansible destroy removes every kolla container and volume"
            + (" and the images" if images else " (the images stay: --include-images removes them too)")
            + ":",
            f"   {plan.command.display}",
        ]
    else:
        lines += [f"1. kolla-ansible destroy is not run: {plan.command_skipped}"]
    if plan.remove:
        lines.append("2. then removes the kolla configuration and the virtualenv:")
        lines += [f"   {shlex.join(['rm', '-rf', '--', str(p)])}" for p in plan.remove]
    else:
        lines.append("2. no /etc/kolla and no virtualenv to remove")
    lines += [f"   kept: {k}" for k in plan.kept]
    if plan.journal_moves:
        lines.append("3. and resets the journal (a copy stays) so the next aio-wizard starts a fresh install:")
        lines += [f"   {shlex.join(['mv', '--', str(a), str(b)])}" for a, b in plan.journal_moves]
    else:
        lines.append("3. no journal to reset")
    if plan.step_logs:
        lines += [
            "   and moves the step logs aside (a fresh install would append to them):",
            f"   {shlex.join(['mkdir', '-p', '--', str(plan.logs_aside)])}",
            f"   {shlex.join(['mv', '--', *(str(p) for p in plan.step_logs), str(plan.logs_aside) + '/'])}",
        ]
    lines += ["", "Not undone (host preparation), and how to revert each by hand:"]
    if not plan.reverts:
        lines.append("   nothing recorded")
    for r in plan.reverts:
        lines.append(f"   - {r.what}")
        lines += [f"       {how}" for how in r.how]
    return "\n".join(lines) + "\n"


def check_confirmation(plan: DestroyPlan, given: str | None) -> None:
    """UserError (exit 2, nothing changed) unless ``given`` is this host's name."""
    if given is None:
        raise UserError(
            f"destroy needs a typed confirmation: run it on a terminal, or pass {CONFIRM_FLAG} {plan.hostname}"
        )
    if given.strip() != plan.hostname:
        raise UserError(f"{given.strip()!r} is not this host's name ({plan.hostname}): nothing was changed")


def execute_destroy(plan: DestroyPlan, *, log_path: Path, redact: Redact, out: IO[str]) -> int:
    """Do what ``plan`` says, in order; stop at a failed kolla-ansible destroy (config and venv stay,
    so it can be run again). Returns the exit code: 0 done, 1 failed."""
    if plan.command is not None:
        out.write(f"$ {plan.command.display}\n")
        out.flush()
        code = stream_command(plan.command, log_path=log_path, redact=redact, out=out)
        if code != 0:
            out.write(
                f"aio-wizard: kolla-ansible destroy failed (exit code {code}); nothing else was removed. "
                f"Log: {log_path}\n"
            )
            return 1
    for path in plan.remove:
        out.write(_remove(path) + "\n")
    for old, copy in plan.journal_moves:
        if os.path.lexists(old):
            os.replace(old, copy)
            _fsync_dir(old.parent)
            out.write(f"journal reset: {old} is now {copy}\n")
    if plan.step_logs:
        ensure_private_dir(plan.logs_aside, "folder for the old step logs")
        for log in plan.step_logs:
            if log.exists():
                os.replace(log, plan.logs_aside / log.name)
        out.write(f"step logs moved to {plan.logs_aside}\n")
    out.write("Done. Start a fresh install with: aio-wizard\n")
    return 0


def _remove(path: Path) -> str:
    """Remove one directory tree without ever following a link (a link is removed, not its target)."""
    if path.is_symlink():
        path.unlink()
        return f"removed the link {path} (its target is left alone)"
    if not path.exists():
        return f"{path} is already gone"
    shutil.rmtree(path)  # does not follow links inside the tree
    return f"removed {path}"


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
