"""A fresh Debian root extracted from the cached tarball, with commands run inside it.

Why a chroot and not a container: it is what this machine can do with Debian's own tools, and it
shows the wizard exactly what a minimal Debian install has (no systemd as PID 1, no Docker).

Mounts: ``/proc``, ``/dev`` (bind), ``/dev/pts`` (bind) and ``/sys`` (read-only bind) are made in
this machine's mount namespace and always removed by :meth:`DebianRoot.close` (deepest first,
``umount -l`` as the fallback), which refuses to delete the directory while anything is still
mounted below it. Each command then runs through ``ip netns exec`` (its own mount namespace) plus
``unshare --uts``: there ``/sys`` is a fresh sysfs of the guide's network namespace (so
``/sys/class/net`` lists enp1s0 and enp2s0, not this machine's NICs) and the hostname is the
root's own (``aio``). ``/etc/resolv.conf`` is a copy inside the root; the real /etc is never written.

Downloads: ``/var/cache/apt/archives`` and ``/root/.cache/pip`` are bind mounts of directories in
the test cache, so a later run does not download the same packages again (apt and pip still
fetch the indexes and decide what to install for real).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

KEEP_ENV = "AIO_WIZARD_E2E_KEEP"  # 1: leave the (unmounted) root on disk after the tests, for a look
CHROOT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def mounts_below(path: Path) -> list[str]:
    """Mount points at or below ``path`` in this mount namespace, deepest first."""
    prefix = str(path).rstrip("/")
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4].replace("\\040", " ")
        if point == prefix or point.startswith(prefix + "/"):
            points.append(point)
    return sorted(set(points), key=lambda p: p.count("/"), reverse=True)


def unmount_all(path: Path) -> list[str]:
    """Unmount everything below ``path`` (lazily if busy); return what is still mounted (should be [])."""
    for _ in range(3):
        points = mounts_below(path)
        if not points:
            return []
        for point in points:
            done = subprocess.run(["umount", point], capture_output=True)
            if done.returncode != 0:
                subprocess.run(["umount", "-l", point], capture_output=True)
    return mounts_below(path)


def session_processes(session_id: int) -> list[int]:
    """PIDs whose session is ``session_id`` (the runs started with a new session)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == session_id:
            pids.append(int(entry.name))
    return pids


def processes_in(root: Path) -> list[int]:
    """PIDs whose root directory is ``root`` (chrooted there), whatever session or group they are in.

    Compared by device and inode: the path a chrooted process's root shows depends on mount namespaces.
    """
    try:
        want = os.stat(root)
    except OSError:
        return []
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            st = os.stat(entry / "root")
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (want.st_dev, want.st_ino):
            pids.append(int(entry.name))
    return pids


def process_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def process_argv(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
    except OSError:
        return []


class DebianRoot:
    """A Debian root under ``workdir/root``; use as a context manager (or call :meth:`close`)."""

    def __init__(
        self,
        tarball: Path,
        workdir: Path,
        *,
        netns: str,
        hostname: str = "aio",
        env: Mapping[str, str] | None = None,
        download_cache: Path | None = None,
    ) -> None:
        self.tarball = tarball
        self.workdir = workdir
        self.path = workdir / "root"
        self.netns = netns
        self.hostname = hostname
        self.env = dict(env or {})
        self.download_cache = download_cache
        self._sessions: list[int] = []

    # -- life cycle -------------------------------------------------------------------------
    def __enter__(self) -> DebianRoot:
        try:
            self.open()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        self.path.mkdir(parents=True)
        subprocess.run(["tar", "-C", str(self.path), "--numeric-owner", "-xpf", str(self.tarball)], check=True)
        shutil.copy2("/etc/resolv.conf", self.path / "etc/resolv.conf", follow_symlinks=True)
        self._mount(["-t", "proc", "proc"], "proc")
        self._mount(["--bind", "/dev"], "dev")
        self._mount(["--bind", "/dev/pts"], "dev/pts")
        self._mount(["--bind", "/sys"], "sys")
        subprocess.run(["mount", "-o", "remount,bind,ro", str(self.path / "sys")], check=True)
        if self.download_cache is not None:
            for inside in ("var/cache/apt/archives", "root/.cache/pip"):
                outside = self.download_cache / inside.replace("/", "_")
                outside.mkdir(parents=True, exist_ok=True)
                (self.path / inside).mkdir(parents=True, exist_ok=True)
                self._mount(["--bind", str(outside)], inside)

    def _mount(self, options: Sequence[str], inside: str) -> None:
        target = self.path / inside
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", *options, str(target)], check=True)

    def close(self) -> None:
        """Stop what still runs in the root, unmount everything, delete the tree (never with mounts left)."""
        for sid in self._sessions:
            for pid in session_processes(sid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self.power_cut()
        left = unmount_all(self.path)
        if left:
            raise RuntimeError(f"could not unmount {left}; not deleting {self.workdir}")
        if os.environ.get(KEEP_ENV) == "1":
            print(f"\nkept the Debian root for a look: {self.path} (unmounted; {KEEP_ENV}=1)")
        elif self.path.exists():
            shutil.rmtree(self.workdir, ignore_errors=True)

    # -- running commands -------------------------------------------------------------------
    def argv(self, command: Sequence[str], *, cwd: str = "/root", env: Mapping[str, str] | None = None) -> list[str]:
        """The full argv that runs ``command`` in the root, in the guide's network namespace."""
        environment = {"PATH": CHROOT_PATH, "HOME": "/root", "LANG": "C.UTF-8", "TERM": "dumb", **self.env}
        environment.update(env or {})
        pairs = [f"{k}={v}" for k, v in environment.items()]
        # Inside `ip netns exec` (a private mount namespace): name the host, give it its own sysfs,
        # then chroot with a clean environment and change to cwd. User values travel as "$@".
        outer = 'hostname "$1" && mount -t sysfs sysfs "$2/sys" && shift 2 && exec "$@"'
        inner = 'cd "$1" && shift && exec "$@"'
        return [
            *("ip", "netns", "exec", self.netns, "unshare", "--uts", "--", "sh", "-c", outer, "sh"),
            self.hostname,
            str(self.path),
            *("chroot", str(self.path), "/usr/bin/env", "-i", *pairs, "/bin/sh", "-c", inner, "sh", cwd),
            *command,
        ]

    def run(
        self,
        command: Sequence[str],
        *,
        cwd: str = "/root",
        env: Mapping[str, str] | None = None,
        timeout: float = 600,
        check: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        """Run to completion; stdout and stderr together in ``.stdout``."""
        done = subprocess.run(
            self.argv(command, cwd=cwd, env=env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            start_new_session=True,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"{list(command)} exited {done.returncode} in the root:\n{done.stdout[-4000:]}")
        return done

    def start(self, command: Sequence[str], *, log: Path, cwd: str = "/root") -> subprocess.Popen[bytes]:
        """Start in a new session (so the whole tree can be killed at once), output to ``log``."""
        with open(log, "wb") as fh:
            proc = subprocess.Popen(
                self.argv(command, cwd=cwd),
                stdin=subprocess.DEVNULL,
                stdout=fh,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._sessions.append(proc.pid)
        return proc

    def processes(self) -> list[int]:
        """Every process running inside the root (the wizard, and the step commands in their own sessions)."""
        return processes_in(self.path)

    def kill_wizard(self, proc: subprocess.Popen[bytes]) -> list[str]:
        """``kill -9`` the wizard's own process only, as ``kill -9 PID`` does: step commands run on.

        Returns the names of the processes that outlived it in the root (orphans the next run must handle).
        """
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the launcher's session: the wizard, not its steps
        proc.wait(timeout=30)
        return [process_name(pid) for pid in self.processes()]

    def power_cut(self) -> list[str]:
        """SIGKILL every process in the root at once, as a power cut would; return their names."""
        names: list[str] = []
        deadline = time.monotonic() + 30
        while (pids := self.processes()) and time.monotonic() < deadline:
            for pid in pids:
                names.append(process_name(pid))
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.1)
        return names

    # -- looking at the result --------------------------------------------------------------
    def file(self, inside: str) -> Path:
        """The path of ``inside`` (an absolute path in the root) from this machine."""
        return self.path / inside.lstrip("/")
