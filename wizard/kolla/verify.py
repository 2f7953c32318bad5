"""Prove the new cloud works end to end: boot CirrOS, reach it through a floating IP, SSH in.

init-runonce only creates things; a cloud whose nova-compute never registered, whose QEMU lacks a CPU
model, whose MTU is wrong or whose external network is not the LAN still "deploys". Only an instance
that boots, answers a ping (small and full-size) and accepts SSH with init-runonce's key shows the
install is usable. Everything this creates is named ``aio-wizard-verify-*`` (the floating IP by its
description) and deleted afterwards, also after a failure or SIGTERM (the runner's cancel), and a
leftover of a killed run is removed first.

The ``openstack`` client and the host's ``ping``/``ssh`` go through functions (argv -> exit code and
output), so tests drive this with fakes and the pipeline action with the real commands.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: ``openstack ARGS...`` -> (exit code, stdout, stderr).
OpenStackRun = Callable[[Sequence[str]], tuple[int, str, str]]
#: a host command (full argv) -> (exit code, stdout, stderr).
HostRun = Callable[[Sequence[str]], tuple[int, str, str]]

PREFIX = "aio-wizard-verify-"
#: the plan step that runs this (the summaries look for its output)
VERIFY_STEP = "verify"
#: ping with the largest payload a 1500-byte MTU carries unfragmented (1500 - 20 IP - 8 ICMP).
LARGE_PAYLOAD = 1472
SSH_OPTIONS = (
    "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
    "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
)  # fmt: skip


class VerifyFailed(Exception):
    """A check failed; the message is the line shown (and matched by the hints)."""


class Interrupted(BaseException):
    """SIGTERM/SIGINT arrived: stop waiting, clean up (a BaseException so no ``except Exception`` eats it)."""


@dataclass(frozen=True)
class VerifyOptions:
    network: str = "demo-net"
    external_network: str = "public1"
    flavor: str = "m1.tiny"
    key_name: str = "mykey"
    key_file: str = ""
    arch: str = field(default_factory=platform.machine)
    boot_timeout: float = 300.0
    reach_timeout: float = 180.0  # CirrOS answers ping, then SSH, some time after ACTIVE
    poll: float = 3.0


def ssh_key_file(home: str | None = None) -> str:
    """The private key init-runonce made: ~/.ssh/id_ecdsa (kolla-ansible 14+), ~/.ssh/id_rsa before."""
    base = Path(home or os.path.expanduser("~")) / ".ssh"
    for name in ("id_ecdsa", "id_rsa"):
        if (base / name).exists():
            return str(base / name)
    return str(base / "id_ecdsa")


def _last(code: int, out: str, err: str) -> str:
    text = (err or out).strip()
    return text.splitlines()[-1] if text else f"exit code {code}"


def _json(run: OpenStackRun, args: Sequence[str]) -> object:
    code, out, err = run([*args, "-f", "json"])
    if code != 0:
        raise VerifyFailed(f"openstack {' '.join(args)}: {_last(code, out, err)}")
    try:
        return json.loads(out or "null")
    except ValueError as exc:
        raise VerifyFailed(f"openstack {' '.join(args)}: not JSON ({exc})") from exc


def pick_image(rows: object) -> str:
    """The image init-runonce uploaded: ``cirros`` (its IMAGE_NAME), else the first named cirros*
    (an arm64 host's own upload of the aarch64 image under another name)."""
    names = [str(r.get("Name")) for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
    if "cirros" in names:
        return "cirros"
    for name in names:
        if name.lower().startswith("cirros"):
            return name
    raise VerifyFailed("no cirros image in `openstack image list`: did init-runonce run?")


class Verifier:
    """One verify run; :meth:`run` returns the exit code, :attr:`results` the lines it reported."""

    def __init__(
        self,
        openstack: OpenStackRun,
        host: HostRun,
        options: VerifyOptions,
        *,
        say: Callable[[str], None] = lambda line: print(line, flush=True),
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.os = openstack
        self.host = host
        self.opt = options
        self.say = say
        self.clock = clock
        self.sleep = sleep
        self.name = f"{PREFIX}{os.getpid()}"
        self.server_id: str | None = None
        self.fip_id: str | None = None
        self.results: list[str] = []

    # --- reporting ---

    def _check(self, label: str, start: float, ok: bool, detail: str = "") -> None:
        line = f"{'ok ' if ok else 'FAIL'} {label} ({self.clock() - start:.1f} s)" + (f": {detail}" if detail else "")
        self.results.append(line)
        self.say(line)
        if not ok:
            raise VerifyFailed(line)

    # --- cleanup ---

    def remove_leftovers(self) -> None:
        """Servers named aio-wizard-verify-* and floating IPs so described, from a run that was killed."""
        rows = _json(self.os, ["server", "list", "--name", f"^{PREFIX}"])
        for row in rows if isinstance(rows, list) else []:
            if str(row.get("Name", "")).startswith(PREFIX):
                self.say(f"removing a leftover server of an earlier verify: {row.get('Name')}")
                self.os(["server", "delete", "--wait", str(row.get("ID"))])
        rows = _json(self.os, ["floating", "ip", "list", "--long"])
        for row in rows if isinstance(rows, list) else []:
            if str(row.get("Description") or "").startswith(PREFIX):
                self.say(f"removing a leftover floating IP of an earlier verify: {row.get('Floating IP Address')}")
                self.os(["floating", "ip", "delete", str(row.get("ID"))])

    def cleanup(self) -> None:
        """Delete what this run created; each deletion is tried even when another fails."""
        if self.fip_id:
            code, out, err = self.os(["floating", "ip", "delete", self.fip_id])
            self.say(f"deleted floating IP {self.fip_id}" if code == 0 else f"could not delete floating IP: "
                     f"{_last(code, out, err)}")  # fmt: skip
            self.fip_id = None if code == 0 else self.fip_id
        if self.server_id:
            # no --wait: after a cancel the runner KILLs the group 10 s after its TERM; deleting is accepted at once
            code, out, err = self.os(["server", "delete", self.server_id])
            self.say(f"deleted server {self.name}" if code == 0 else f"could not delete server {self.name}: "
                     f"{_last(code, out, err)}")  # fmt: skip
            self.server_id = None if code == 0 else self.server_id

    # --- the checks ---

    def _boot(self, image: str) -> None:
        start = self.clock()
        created = _json(
            self.os,
            ["server", "create", "--image", image, "--flavor", self.opt.flavor, "--key-name", self.opt.key_name,
             "--network", self.opt.network, self.name],
        )  # fmt: skip
        self.server_id = str(created.get("id")) if isinstance(created, dict) else None
        if not self.server_id:
            raise VerifyFailed("openstack server create: no id in its answer")
        self.say(f"created server {self.name} ({image}, {self.opt.flavor}, {self.opt.network})")
        while True:
            shown = _json(self.os, ["server", "show", self.server_id])
            status = str(shown.get("status", "")) if isinstance(shown, dict) else ""
            waited = self.clock() - start
            if status == "ACTIVE":
                self._check(f"boot {self.name}", start, True)
                return
            if status == "ERROR":
                fault = shown.get("fault") if isinstance(shown, dict) else None
                message = fault.get("message", "") if isinstance(fault, dict) else str(fault or "")
                self._check(f"boot {self.name}", start, False, f"status ERROR: {message or 'no fault message'}")
            if waited >= self.opt.boot_timeout:
                self._check(f"boot {self.name}", start, False, f"still {status or '?'} after {waited:.0f} s")
            self.say(f"  waiting for {self.name}: {status or '?'} ({waited:.0f} s)")
            self.sleep(self.opt.poll)

    def _floating_ip(self) -> str:
        start = self.clock()
        fip = _json(self.os, ["floating", "ip", "create", "--description", self.name, self.opt.external_network])
        if not isinstance(fip, dict) or not fip.get("id"):
            raise VerifyFailed("openstack floating ip create: no id in its answer")
        self.fip_id = str(fip["id"])
        address = str(fip.get("floating_ip_address"))
        code, out, err = self.os(["server", "add", "floating", "ip", str(self.server_id), address])
        self._check(f"floating IP {address} from {self.opt.external_network}", start, code == 0,
                    "" if code == 0 else _last(code, out, err))  # fmt: skip
        return address

    def _until(self, argv: Sequence[str]) -> tuple[int, str, str]:
        """``argv`` until it succeeds or reach_timeout passes (the guest needs time after ACTIVE)."""
        deadline = self.clock() + self.opt.reach_timeout
        while True:
            code, out, err = self.host(argv)
            if code == 0 or self.clock() >= deadline:
                return code, out, err
            self.say(f"  not yet: {argv[0]} ({_last(code, out, err)}); trying again")
            self.sleep(self.opt.poll)

    def _reach(self, address: str) -> None:
        start = self.clock()
        code, out, err = self._until(["ping", "-c", "3", "-W", "2", address])
        self._check(f"ping {address}", start, code == 0, "" if code == 0 else _last(code, out, err))
        start = self.clock()
        code, out, err = self.host(["ping", "-c", "3", "-W", "2", "-M", "do", "-s", str(LARGE_PAYLOAD), address])
        self._check(f"ping -M do -s {LARGE_PAYLOAD} {address}", start, code == 0,
                    "" if code == 0 else f"large ping fails, small works (MTU): {_last(code, out, err)}")  # fmt: skip
        start = self.clock()
        code, out, err = self._until(["ssh", "-i", self.opt.key_file, *SSH_OPTIONS, f"cirros@{address}", "uname", "-m"])
        got = out.strip()
        ok = code == 0 and got == self.opt.arch
        detail = "" if ok else (f"uname -m says {got!r}, the host is {self.opt.arch}" if code == 0 else
                                _last(code, out, err))  # fmt: skip
        self._check(f"ssh cirros@{address} uname -m = {self.opt.arch}", start, ok, detail)

    def run(self) -> int:
        try:
            self.remove_leftovers()
            image = pick_image(_json(self.os, ["image", "list"]))
            self._boot(image)
            address = self._floating_ip()
            self._reach(address)
        except VerifyFailed as exc:
            if not self.results or self.results[-1] != str(exc):
                self.results.append(f"FAIL {exc}")
                self.say(f"FAIL {exc}")
            self.say("verify: FAILED")
            return 1
        except Interrupted:
            self.say("verify: interrupted; removing what it created")
            return 130
        finally:
            try:
                self.cleanup()
            except Interrupted:  # the TERM came during the clean-up: finish it (the action ignores a second)
                self.cleanup()
        self.say("verify: ok (an instance booted, answered ping and SSH through its floating IP)")
        return 0


def results_from_log(lines: Sequence[str]) -> list[str]:
    """The check lines (``ok  ...``/``FAIL ...``) and the verdict of a verify step's log, for summaries."""
    return [ln.strip() for ln in lines if ln.startswith(("ok  ", "FAIL ", "verify: "))]
