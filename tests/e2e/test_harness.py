"""The e2e tier's own machinery, checked quickly and without root: sources parsing, the root's
recipe, the registry proxy's allow-list (on loopback only), the chroot argv and mount listing.

These run in every test run, so a broken harness shows up before the slow tier runs.
"""

from __future__ import annotations

import http.client
import http.server
import os
import shutil
import socket
import threading
from pathlib import Path

import pytest

from tests.e2e.chroot import DebianRoot, mounts_below
from tests.e2e.conftest import REPO, debian_root, registry_hosts, repo_files, requirements_missing
from tests.e2e.registry_proxy import RegistryProxy

DEB822 = """\
Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
"""


@pytest.fixture
def apt_dir(tmp_path: Path) -> Path:
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d/debian.sources").write_text(DEB822)
    (tmp_path / "sources.list.d/nodesource.sources").write_text(
        "Types: deb\nURIs: https://deb.nodesource.com/node_20.x\nSuites: nodistro\nComponents: main\n"
    )
    (tmp_path / "sources.list.d/cloud.list.disabled").write_text("deb https://example.invalid/apt x main\n")
    return tmp_path


def test_mirror_comes_from_the_machines_deb822_sources(apt_dir: Path) -> None:
    assert debian_root.debian_mirror("bookworm", apt_dir) == "http://deb.debian.org/debian"
    assert debian_root.debian_sources(apt_dir) == [apt_dir / "sources.list.d/debian.sources"]


def test_mirror_comes_from_a_one_line_sources_list(tmp_path: Path) -> None:
    (tmp_path / "sources.list").write_text(
        "# comment\ndeb [arch=amd64] http://ftp.fr.debian.org/debian/ bookworm main\n"
        "deb http://security.debian.org/debian-security bookworm-security main\n"
    )
    assert debian_root.debian_mirror("bookworm", tmp_path) == "http://ftp.fr.debian.org/debian"


def test_mirror_falls_back_to_debians_own_without_sources(tmp_path: Path) -> None:
    assert debian_root.debian_mirror("bookworm", tmp_path) == debian_root.FALLBACK_MIRROR


def test_tarball_is_keyed_by_suite_arch_and_recipe(tmp_path: Path) -> None:
    path = debian_root.tarball_path("bookworm", "arm64", tmp_path)
    assert path == tmp_path / f"debian-bookworm-arm64-r{debian_root.RECIPE}.tar"


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(debian_root.CACHE_ENV, str(tmp_path))
    assert debian_root.cache_dir() == tmp_path


def test_configured_root_has_the_installers_hosts_file_and_no_daemons(tmp_path: Path, apt_dir: Path) -> None:
    root = tmp_path / "root"
    for d in ("etc/apt", "usr/sbin"):
        (root / d).mkdir(parents=True)
    (root / "etc/apt/sources.list").write_text("deb http://deb.debian.org/debian bookworm main\n")
    (root / "etc/apt/sources.list.d").mkdir()
    debian_root.configure_root(root, apt_dir=apt_dir)
    assert "127.0.1.1\taio.localdomain\taio" in (root / "etc/hosts").read_text()
    assert (root / "etc/hostname").read_text() == "aio\n"
    policy = root / "usr/sbin/policy-rc.d"
    assert policy.stat().st_mode & 0o111 and "exit 101" in policy.read_text()
    # the machine's Debian sources replace debootstrap's one-liner; third-party repos stay out
    assert not (root / "etc/apt/sources.list").exists()
    assert (root / "etc/apt/sources.list.d/debian.sources").read_text() == DEB822
    assert not (root / "etc/apt/sources.list.d/nodesource.sources").exists()
    assert registry_hosts(root) == {"deb.debian.org", "pypi.org", "files.pythonhosted.org"}


def test_unknown_foreign_arch_cannot_run() -> None:
    ok, why = debian_root.can_run_arch("mips64el")
    assert not ok and "mips64el" in why


# -- the registry proxy, on loopback ----------------------------------------------------------


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"path={self.path} host={self.headers['Host']}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def origin():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(origin: int):
    listener = socket.create_server(("127.0.0.1", 0))
    # 127.0.0.1 literally: a minimal Debian root has no /etc/hosts, so "localhost" may not resolve.
    p = RegistryProxy(listener, {"127.0.0.1"}, ports=(origin,), connect_timeout=5).start()
    yield p
    p.close()


def _through(proxy: RegistryProxy, url: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", proxy.listener.getsockname()[1], timeout=10)
    try:
        conn.request("GET", url)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_proxy_forwards_plain_http_to_an_allowed_host(proxy: RegistryProxy, origin: int) -> None:
    status, body = _through(proxy, f"http://127.0.0.1:{origin}/debian/dists/bookworm/Release?x=1")
    assert status == 200
    assert body == f"path=/debian/dists/bookworm/Release?x=1 host=127.0.0.1:{origin}".encode()
    assert proxy.log.allowed == {("127.0.0.1", origin): 1}


def test_proxy_refuses_hosts_outside_the_allow_list(proxy: RegistryProxy, origin: int) -> None:
    status, _ = _through(proxy, f"http://127.0.0.2:{origin}/")
    assert status == 403
    assert proxy.log.denied == [f"GET http://127.0.0.2:{origin}/ HTTP/1.1"]


def test_proxy_refuses_ports_other_than_the_registries(proxy: RegistryProxy, origin: int) -> None:
    status, _ = _through(proxy, f"http://127.0.0.1:{origin + 1}/")
    assert status == 403


def test_proxy_tunnels_connect_only_to_allowed_hosts(proxy: RegistryProxy, origin: int) -> None:
    port = proxy.listener.getsockname()[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.set_tunnel("127.0.0.1", origin)
    conn.request("GET", "/simple/")
    assert conn.getresponse().read() == f"path=/simple/ host=127.0.0.1:{origin}".encode()
    conn.close()
    refused = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    refused.set_tunnel("example.org", 443)
    with pytest.raises(OSError, match="403"):
        refused.request("GET", "/")
    refused.close()
    assert [line.rsplit(" ", 1)[0] for line in proxy.log.denied] == ["CONNECT example.org:443"]


# -- the chroot harness ------------------------------------------------------------------------


def test_chroot_argv_passes_user_values_as_arguments_not_shell_text(tmp_path: Path) -> None:
    root = DebianRoot(tmp_path / "t.tar", tmp_path, netns="aio-e2e-x", env={"http_proxy": "http://10.1.1.1:3128"})
    argv = root.argv(["echo", "$(touch /pwned)", "a b"], cwd="/root/aio wizard")
    assert argv[:4] == ["ip", "netns", "exec", "aio-e2e-x"]
    assert argv[-3:] == ["echo", "$(touch /pwned)", "a b"]
    assert "/root/aio wizard" in argv and "http_proxy=http://10.1.1.1:3128" in argv
    assert argv[argv.index("chroot") + 1] == str(tmp_path / "root")


def test_mounts_below_lists_nothing_for_a_fresh_directory(tmp_path: Path) -> None:
    assert mounts_below(tmp_path) == []
    assert mounts_below(Path("/")), "/ itself is a mount point"


def test_checkout_copy_lists_the_launcher_and_no_ignored_files() -> None:
    if shutil.which("git") is None:
        pytest.skip("needs git (the copy lists the files git would clone)")
    if not (REPO / ".git").exists():
        pytest.skip(f"{REPO} is not a git checkout (a copied tree): nothing to list")
    files = repo_files()
    assert "aio-wizard" in files and "tools/ensure-venv.sh" in files and "tools/debian_root.py" in files
    assert not [f for f in files if f.startswith((".venv/", "tests/e2e/.cache/")) or "__pycache__" in f]


def test_tier_skips_with_a_reason_when_not_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "root" in (requirements_missing("amd64") or "")


def test_tier_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIO_WIZARD_E2E", "0")
    assert "switched off" in (requirements_missing("amd64") or "")


def test_a_root_of_another_suite_gets_the_machines_sources_in_its_own_suite(tmp_path: Path, apt_dir: Path) -> None:
    root = tmp_path / "root"
    for d in ("etc/apt/sources.list.d", "usr/sbin"):
        (root / d).mkdir(parents=True)
    debian_root.configure_root(root, apt_dir=apt_dir, suite="trixie")
    text = (root / "etc/apt/sources.list.d/debian.sources").read_text()
    assert "bookworm" not in text
    assert "Suites: trixie trixie-updates" in text and "Suites: trixie-security" in text
    # the same suite leaves the file as it is
    debian_root.configure_root(root, apt_dir=apt_dir, suite="bookworm")
    assert (root / "etc/apt/sources.list.d/debian.sources").read_text() == DEB822


def test_suite_rewrite_touches_only_whole_codenames() -> None:
    text = "deb http://deb.debian.org/debian bookworm main\ndeb http://x/bookworm-archive/ bookworm-security main\n"
    out = debian_root.sources_for_suite(text, "bookworm", "trixie")
    assert out == "deb http://deb.debian.org/debian trixie main\ndeb http://x/bookworm-archive/ trixie-security main\n"
