"""An HTTP proxy that lets a test host reach the package registries and nothing else.

Why: the e2e root runs in a network namespace laid out like the guide's host (``enp1s0``
10.1.1.88/24, gateway 10.1.1.1), which by itself reaches nothing. apt and pip inside it must still
download from Debian's mirror and PyPI. Rather than routing the namespace out with NAT (a change to
this machine's firewall and forwarding, and a path to *any* address), the gateway address runs
this proxy: apt and pip use it through ``http_proxy``/``https_proxy``, and it forwards only to the
host names it was given (``CONNECT host:443`` or a plain ``GET http://host/...``), on ports 80
and 443. Every other request is refused with 403 and recorded, so the test can show that the
only network use was the registries.

Plain HTTP requests are forwarded one per connection (``Connection: close`` to the server): a
kept-alive connection could carry a later request for another host past the allow-list.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

ALLOWED_PORTS = (80, 443)
MAX_HEADER = 64 * 1024


@dataclass
class ProxyLog:
    """What the proxy saw: allowed (host, port) with a count, and refused request lines."""

    allowed: dict[tuple[str, int], int] = field(default_factory=dict)
    denied: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, host: str, port: int, ok: bool, line: str) -> None:
        with self.lock:
            if ok:
                self.allowed[(host, port)] = self.allowed.get((host, port), 0) + 1
            else:
                self.denied.append(line)


class RegistryProxy:
    """Serve on ``listener`` (an already bound, listening socket) until :meth:`close`."""

    def __init__(
        self,
        listener: socket.socket,
        allowed_hosts: set[str],
        *,
        ports: tuple[int, ...] = ALLOWED_PORTS,
        connect_timeout: float = 30,
    ) -> None:
        self.listener = listener
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self.ports = ports
        self.connect_timeout = connect_timeout
        self.log = ProxyLog()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="registry-proxy", daemon=True)

    def start(self) -> RegistryProxy:
        self._thread.start()
        return self

    def close(self) -> None:
        self._closed.set()
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() at once
        with contextlib.suppress(OSError):
            self.listener.close()
        self._thread.join(timeout=5)

    def is_allowed(self, host: str, port: int) -> bool:
        return host.lower().rstrip(".") in self.allowed_hosts and port in self.ports

    def _serve(self) -> None:
        self.listener.settimeout(0.5)
        while not self._closed.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        with client:
            client.settimeout(self.connect_timeout)
            try:
                head, rest = _read_head(client)
            except (OSError, ValueError):
                return
            request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
            parts = request_line.split()
            if len(parts) != 3:
                client.sendall(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
                return
            method, target, version = parts
            if method.upper() == "CONNECT":
                host, _, port_text = target.rpartition(":")
                port = int(port_text) if port_text.isdigit() else 443
                host = host.strip("[]")
            else:
                url = urlsplit(target)
                host, port = url.hostname or "", url.port or 80
                if url.scheme != "http":
                    host = ""
            ok = bool(host) and self.is_allowed(host, port)
            self.log.record(host, port, ok, request_line)
            if not ok:
                client.sendall(b"HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\nonly the package registries\r\n")
                return
            try:
                upstream = socket.create_connection((host, port), timeout=self.connect_timeout)
            except OSError as exc:
                client.sendall(f"HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n{exc}\r\n".encode())
                return
            with upstream:
                if method.upper() == "CONNECT":
                    client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    if rest:
                        upstream.sendall(rest)
                else:
                    upstream.sendall(_origin_form(head, method, target, version) + rest)
                _splice(client, upstream, self._closed)


def _read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    """Read up to the blank line ending the request head; return (head without it, bytes after)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(8192)
        if not chunk:
            raise ValueError("connection closed before the request head ended")
        data += chunk
        if len(data) > MAX_HEADER:
            raise ValueError("request head too large")
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _origin_form(head: bytes, method: str, target: str, version: str) -> bytes:
    """Rewrite a proxy request (absolute URI) into what the origin server expects, one request only."""
    url = urlsplit(target)
    path = url.path or "/"
    if url.query:
        path += "?" + url.query
    lines = [f"{method} {path} {version}".encode("latin-1")]
    for line in head.split(b"\r\n")[1:]:
        name = line.split(b":", 1)[0].strip().lower()
        if name in (b"proxy-connection", b"connection", b"keep-alive", b"proxy-authorization"):
            continue
        lines.append(line)
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _splice(a: socket.socket, b: socket.socket, closed: threading.Event) -> None:
    """Copy bytes both ways until either side closes (or the proxy is closed)."""
    a.setblocking(False)
    b.setblocking(False)
    peers = {a: b, b: a}
    while not closed.is_set():
        readable, _, broken = select.select(list(peers), [], list(peers), 1.0)
        if broken:
            return
        for sock in readable:
            try:
                data = sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                return
            if not data:
                return
            other = peers[sock]
            try:
                other.setblocking(True)
                other.sendall(data)
                other.setblocking(False)
            except OSError:
                return
