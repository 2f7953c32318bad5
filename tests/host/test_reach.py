"""The live network probe against servers on loopback: no packet leaves this machine.

Names never reach a DNS server here: endpoints are loopback addresses (getaddrinfo answers them
itself) or go through a ``resolve`` stub that refuses anything but loopback.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from wizard.host.reach import Endpoint, NetworkProbe, no_proxy_matches, proxy_env, proxy_for, release_endpoints


@pytest.fixture
def listening() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts connections; yields its port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        server.close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loopback_only(host: str, port: int):
    """A resolver that answers only loopback: names a test uses never reach DNS."""
    if host in ("127.0.0.1", "localhost", "proxy.test"):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
    raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")


def test_an_endpoint_that_accepts_is_reachable(listening):
    probe = NetworkProbe(env={})
    (result,) = probe.reach([Endpoint("mirror", "127.0.0.1", listening)])
    assert result.ok and result.detail == f"127.0.0.1:{listening}"


def test_a_refused_connection_and_a_failed_lookup_say_what_failed(closed_port):
    probe = NetworkProbe(env={}, resolve=loopback_only)
    refused, dns = probe.reach([Endpoint("mirror", "127.0.0.1", closed_port), Endpoint("PyPI", "pypi.org")])
    assert (refused.ok, refused.stage) == (False, "connect") and "refused" in refused.detail.lower()
    assert (dns.ok, dns.stage, dns.detail) == (False, "dns", "pypi.org: Temporary failure in name resolution")


def test_all_endpoints_together_stay_within_the_budget(listening):
    def slow(host: str, port: int):
        time.sleep(5)  # a DNS server that never answers
        return loopback_only(host, port)

    probe = NetworkProbe(env={}, resolve=slow, budget=0.5)
    started = time.monotonic()
    results = probe.reach([Endpoint(f"e{i}", "127.0.0.1", listening) for i in range(12)])
    assert time.monotonic() - started < 1.5
    assert {r.stage for r in results} == {"timeout"}
    assert results[0].detail == "no answer within 0.5 s"


def test_a_proxied_endpoint_is_judged_by_its_proxy(listening):
    env = {"HTTPS_PROXY": f"http://user:pw@proxy.test:{listening}", "NO_PROXY": "localhost"}
    probe = NetworkProbe(env=env, resolve=loopback_only)
    (result,) = probe.reach([Endpoint("PyPI", "pypi.org")])
    assert result.ok and result.via == f"proxy.test:{listening}"


def test_no_proxy_sends_an_endpoint_direct(listening):
    env = {"https_proxy": "http://proxy.test:1", "no_proxy": "127.0.0.0/8"}
    (result,) = NetworkProbe(env=env, resolve=loopback_only).reach([Endpoint("mirror", "127.0.0.1", listening)])
    assert result.ok and result.via is None


def test_the_endpoint_list_can_be_replaced(listening):
    probe = NetworkProbe(env={}, endpoints=(Endpoint("test", "127.0.0.1", listening),))
    (result,) = probe.reach(release_endpoints())
    assert result.endpoint.name == "test" and result.ok


@pytest.mark.parametrize(
    ("host", "no_proxy", "exempt"),
    [
        ("pypi.org", "", False),
        ("pypi.org", "*", True),
        ("files.pythonhosted.org", ".pythonhosted.org", True),
        ("files.pythonhosted.org", "pythonhosted.org", True),
        ("notpythonhosted.org", "pythonhosted.org", False),
        ("10.1.1.88", "10.1.1.0/24", True),
        ("10.1.2.88", "10.1.1.0/24,localhost", False),
        ("10.1.1.88", " 10.1.1.88 ", True),
    ],
)
def test_no_proxy_entries_as_curl_reads_them(host, no_proxy, exempt):
    assert no_proxy_matches(host, no_proxy) is exempt


def test_proxy_settings_keep_no_password():
    found, source = proxy_env({"HTTP_PROXY": "http://bob:hunter2@proxy:3128", "no_proxy": "localhost"})
    assert found == {"http_proxy": "http://bob:***@proxy:3128", "no_proxy": "localhost"}
    assert "HTTP_PROXY" in source
    assert proxy_for(Endpoint("mirror", "deb.debian.org", 80, "http"), found) == ("proxy", 3128)
    assert proxy_for(Endpoint("PyPI", "pypi.org"), found) is None  # no https_proxy


def test_the_vip_answers_when_ping_gets_a_reply():
    probe = NetworkProbe(env={}, ping=lambda a, t: True, arp=lambda a, i, t: pytest.fail("no ARP needed"))
    assert probe.vip_answers("10.1.1.250", "enp1s0") == (True, "10.1.1.250 answered a ping")


def test_a_vip_that_drops_ping_is_caught_by_arp():
    asked = []
    probe = NetworkProbe(env={}, ping=lambda a, t: False, arp=lambda a, i, t: asked.append((a, i)) or True)
    assert probe.vip_answers("10.1.1.250", "enp1s0") == (True, "10.1.1.250 answered an ARP request on enp1s0")
    assert asked == [("10.1.1.250", "enp1s0")]


def test_a_free_vip_answers_neither():
    probe = NetworkProbe(env={}, ping=lambda a, t: False, arp=lambda a, i, t: False)
    assert probe.vip_answers("10.1.1.250", "enp1s0") == (False, "no answer to a ping or an ARP request")


def test_without_root_the_vip_is_not_judged():
    probe = NetworkProbe(env={}, ping=lambda a, t: None, arp=lambda a, i, t: None)
    assert probe.vip_answers("10.1.1.250", "enp1s0")[0] is None
