"""The guide's host network, built from network namespaces, with a way out to the registries only.

Layout (all names private to this test run; nothing on this machine's own interfaces changes):

    netns HOST (the wizard runs here)          netns PEER (the guide's router)
    enp1s0  10.1.1.88/24  ──── veth ────  peer0 10.1.1.1/24   ← RegistryProxy listens on :3128
    enp2s0  up, no IPv4   ──── veth ────  peer1 up (the external network's wire)
    default via 10.1.1.1

The two namespaces are a :class:`tests.support.netns.NetnsHost` (shared with the probe tests).

The proxy's listening socket is created inside PEER (``setns`` in a short-lived thread) while its
outgoing connections are made from this process's own namespace, so the namespaces get exactly
one way out: the allow-listed registries through the proxy. No NAT, no forwarding, no route on
this machine.
"""

from __future__ import annotations

import ctypes
import os
import socket
import threading
from dataclasses import dataclass

from tests.e2e.registry_proxy import RegistryProxy
from tests.support.netns import NetnsHost

CLONE_NEWNET = 0x40000000
HOST_ADDRESS = "10.1.1.88"
GATEWAY = "10.1.1.1"
PREFIX = 24
PROXY_PORT = 3128
MANAGEMENT_NIC = "enp1s0"
EXTERNAL_NIC = "enp2s0"


def listen_in_netns(ns: str, address: str, port: int) -> socket.socket:
    """A TCP socket bound and listening inside network namespace ``ns`` (usable from any thread)."""
    result: dict[str, object] = {}

    def work() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        try:
            with open(f"/run/netns/{ns}") as fh:
                if libc.setns(fh.fileno(), CLONE_NEWNET) != 0:
                    err = ctypes.get_errno()
                    raise OSError(err, os.strerror(err))
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((address, port))
            sock.listen(64)
            result["sock"] = sock
        except BaseException as exc:
            result["error"] = exc

    # The thread ends right after, taking its namespace switch with it: no other thread changes.
    thread = threading.Thread(target=work, name=f"listen-in-{ns}")
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result["sock"]  # type: ignore[return-value]


@dataclass
class GuideNetwork:
    """The guide's host (a :class:`NetnsHost`) and its gateway running the proxy; :meth:`close` removes both."""

    allowed_hosts: set[str]
    proxy: RegistryProxy | None = None
    host: NetnsHost | None = None

    @property
    def host_ns(self) -> str:
        assert self.host is not None, "create() first"
        return self.host.ns

    @property
    def gateway_ns(self) -> str:
        assert self.host is not None, "create() first"
        return self.host.peer_ns

    @property
    def proxy_url(self) -> str:
        return f"http://{GATEWAY}:{PROXY_PORT}"

    def create(self) -> GuideNetwork:
        self.host = NetnsHost("e2e")
        try:
            self.host.create()
            self.host.add_nic(MANAGEMENT_NIC, f"{HOST_ADDRESS}/{PREFIX}", gateway=GATEWAY)
            self.host.add_nic(EXTERNAL_NIC, None)
            listener = listen_in_netns(self.gateway_ns, GATEWAY, PROXY_PORT)
            self.proxy = RegistryProxy(listener, self.allowed_hosts).start()
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        if self.proxy is not None:
            self.proxy.close()
            self.proxy = None
        if self.host is not None:
            self.host.close()
