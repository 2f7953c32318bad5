"""Real hosts for tests: a network namespace with veth NICs, built and torn down by the test.

The probe must tell the truth about real interfaces (kinds, addresses, routes), which no fixture
file can prove. A namespace is a whole network stack of its own: ``NetnsHost`` creates one for
"the host" and a second one holding the far ends of its veth pairs (where the gateway lives), so
the test host sees exactly the NICs the test gave it and its traffic never leaves the two
namespaces. Names carry the pid and a counter, so parallel runs do not collide.

    with NetnsHost("a") as host:
        host.add_nic("enp1s0", "10.1.1.88/24", gateway="10.1.1.1").add_nic("enp2s0", None)
        out = host.run([sys.executable, "-m", "wizard", "probe", "--json"])

Needs root and iproute2; :func:`netns_unavailable` says why not, for ``pytest.skip``.
"""

from __future__ import annotations

import ipaddress
import itertools
import os
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
_counter = itertools.count()


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc


_OURS = re.compile(r"^aio-[a-z0-9-]+?-(?P<pid>\d+)-\d+(?:-peer)?$")


def sweep_stale_namespaces() -> list[str]:
    """Delete the namespaces a killed test run left behind (``kill -9`` skips every ``close``).

    Only names of this module's shape whose test process is gone and that hold no process: a
    parallel run's namespaces, and anyone else's, are left alone. Returns the names deleted.
    """
    listed = _ip("netns", "list", check=False)
    swept = []
    for line in listed.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        m = _OURS.match(name)
        if not m or Path(f"/proc/{m['pid']}").exists():
            continue
        if _ip("netns", "pids", name, check=False).stdout.strip():
            continue
        if _ip("netns", "del", name, check=False).returncode == 0:
            swept.append(name)
    return swept


def netns_unavailable() -> str | None:
    """Why network-namespace tests cannot run here (None when they can); sweeps stale namespaces first."""
    if os.geteuid() != 0:
        return "needs root to create network namespaces"
    if shutil.which("ip") is None:
        return "needs iproute2 (the ip command)"
    sweep_stale_namespaces()
    probe = f"aio-check-{os.getpid()}-{next(_counter)}"
    made = _ip("netns", "add", probe, check=False)
    if made.returncode != 0:
        return f"cannot create a network namespace: {made.stderr.strip()}"
    try:
        # `ip -n`/`ip netns exec` enter the namespace with a private mount namespace; in a chroot
        # whose / is not a mount point "mount --make-rslave /" fails there, while `netns add` worked.
        entered = _ip("-n", probe, "link", "set", "lo", "up", check=False)
        if entered.returncode != 0:
            why = (entered.stderr.strip() or entered.stdout.strip()).splitlines()
            return f"cannot enter a network namespace with `ip -n` (a chroot?): {why[0] if why else 'failed'}"
    finally:
        _ip("netns", "del", probe, check=False)
    return None


class NetnsHost:
    """A network namespace acting as a host, plus a peer namespace for the other ends of its NICs."""

    def __init__(self, name: str = "host") -> None:
        tag = f"{os.getpid()}-{next(_counter)}"
        self.ns = f"aio-{name}-{tag}"
        self.peer_ns = f"aio-{name}-{tag}-peer"
        self.nics: list[str] = []
        self._created: list[str] = []
        self._procs: list[subprocess.Popen] = []

    # --- lifecycle ---------------------------------------------------------------------------

    def create(self) -> NetnsHost:
        """Create both namespaces; on failure delete what was made (``__exit__`` does not run then)."""
        try:
            for ns in (self.ns, self.peer_ns):
                _ip("netns", "add", ns)
                self._created.append(ns)
                _ip("-n", ns, "link", "set", "lo", "up")
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        """Stop what :meth:`spawn` started, then delete both namespaces (their veths go with them).
        Safe to call twice."""
        while self._procs:
            proc = self._procs.pop()
            proc.kill()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # unkillable (D state): still delete the namespaces
                pass
        while self._created:
            _ip("netns", "del", self._created.pop(), check=False)

    def __enter__(self) -> NetnsHost:
        return self.create()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- building --------------------------------------------------------------------------------

    def add_nic(
        self,
        name: str,
        address: str | None,
        *,
        gateway: str | None = None,
        up: bool = True,
        mtu: int | None = None,
        wait_link_local: bool = True,
    ) -> NetnsHost:
        """A veth named ``name`` in the host (its peer in the peer namespace, up).

        ``address`` ("10.1.1.88/24") goes on it; ``gateway`` is put on the peer end and becomes the
        host's IPv4 default route. With ``up`` the kernel gives it an IPv6 link-local address, which
        we wait for (so a test sees what a real NIC shows after boot).
        """
        peer = f"peer{len(self.nics)}"
        _ip("-n", self.ns, "link", "add", "name", name, "type", "veth", "peer", "name", peer, "netns", self.peer_ns)
        self.nics.append(name)
        if mtu:
            _ip("-n", self.ns, "link", "set", name, "mtu", str(mtu))
        if address:
            _ip("-n", self.ns, "addr", "add", address, "dev", name)
        _ip("-n", self.peer_ns, "link", "set", peer, "up")
        if up:
            _ip("-n", self.ns, "link", "set", name, "up")
            if wait_link_local:
                self._wait_link_local(name)
        if gateway:
            prefix = ipaddress.ip_interface(address).network.prefixlen if address else 24
            _ip("-n", self.peer_ns, "addr", "add", f"{gateway}/{prefix}", "dev", peer)
            _ip("-n", self.ns, "route", "add", "default", "via", gateway, "dev", name)
        return self

    def _wait_link_local(self, name: str, seconds: float = 5.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            out = _ip("-n", self.ns, "-6", "addr", "show", "dev", name, "scope", "link", check=False).stdout
            if "fe80::" in out:
                return
            time.sleep(0.05)
        raise RuntimeError(f"{name}: no IPv6 link-local address after {seconds:g} s (is IPv6 disabled?)")

    # --- using -----------------------------------------------------------------------------------

    def spawn(self, argv: Sequence[str], *, peer: bool = False, ready: str | None = None) -> subprocess.Popen:
        """Start ``argv`` in the host namespace (``peer``: in the peer one) and leave it running until
        :meth:`close`; with ``ready``, wait until it prints that line (a server that is listening)."""
        ns = self.peer_ns if peer else self.ns
        proc = subprocess.Popen(
            ["ip", "netns", "exec", ns, *argv], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True
        )
        self._procs.append(proc)
        if ready is not None:
            line = proc.stdout.readline() if proc.stdout else ""
            if line.strip() != ready:
                raise RuntimeError(f"{argv[0]}: said {line.strip()!r}, not {ready!r}")
        return proc

    def run_peer(self, argv: Sequence[str]) -> subprocess.CompletedProcess:
        """Run ``argv`` in the peer namespace (where the gateway lives), output captured."""
        return subprocess.run(["ip", "netns", "exec", self.peer_ns, *argv], capture_output=True, text=True, check=False)

    def run(self, argv: Sequence[str], **kw: Any) -> subprocess.CompletedProcess:
        """Run ``argv`` inside the host namespace (text output captured, the repo importable)."""
        env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO), **kw.pop("env", {})}
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        kw.setdefault("timeout", 60)
        kw.setdefault("cwd", REPO)
        return subprocess.run(["ip", "netns", "exec", self.ns, *argv], env=env, check=False, **kw)
