"""Fixtures of the real-Debian tier: a cached Debian root, the guide's network, the wizard installed.

Everything here needs root, debootstrap and network namespaces; without them the tests skip with
the reason. Timings (debootstrap, cached start, install, run) are collected in ``TIMINGS`` and
printed at the end of the pytest run, so every run measures the tier.
"""

from __future__ import annotations

import fcntl
import importlib.util
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from tests.conftest import skip_slow_unless_asked
from tests.e2e.chroot import DebianRoot
from tests.e2e.guide_network import GuideNetwork
from tests.support.netns import netns_unavailable

REPO = Path(__file__).resolve().parents[2]
WIZARD_DIR = "/root/aio-wizard"
TIMINGS: dict[str, float] = {}
NOTES: list[str] = []


def _load_debian_root():
    """tools/debian_root.py is a standalone script (system python3, no venv); import it by path."""
    spec = importlib.util.spec_from_file_location("debian_root", REPO / "tools" / "debian_root.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("debian_root", module)
    spec.loader.exec_module(module)
    return module


debian_root = _load_debian_root()


def requirements_missing(arch: str) -> str | None:
    """Why the tier cannot run here for ``arch`` (None when it can)."""
    if os.environ.get(ENABLE_ENV) == "0":
        return f"the real-Debian tier is switched off ({ENABLE_ENV}=0)"
    if os.geteuid() != 0:
        return "needs root (debootstrap, chroot, mounts, network namespaces)"
    for tool in ("debootstrap", "chroot", "unshare", "ip", "tar"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install -y debootstrap iproute2)"
    ok, why = debian_root.can_run_arch(arch)
    if not ok:
        return f"cannot run {arch} binaries: {why}"
    return netns_unavailable()


def timed(name: str):
    """Context manager adding the elapsed seconds under ``name`` to TIMINGS."""

    class _Timer:
        def __enter__(self):
            self.started = time.monotonic()
            return self

        def __exit__(self, *exc):
            TIMINGS[name] = TIMINGS.get(name, 0.0) + time.monotonic() - self.started

    return _Timer()


SLOW_ENV = "AIO_WIZARD_E2E_SLOW"
ENABLE_ENV = "AIO_WIZARD_E2E"  # 0: skip the whole real-Debian tier (e.g. on a machine without the registries)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The slow tests (arm64 under qemu-user, ~30+ minutes; ./run-tests in a fresh root) run only when asked for.

    A default run (``./run-tests``, CI) must stay well under 30 minutes; ask with ``-m slow`` (or
    any -m expression naming it) or ``AIO_WIZARD_E2E_SLOW=1``.
    """
    skip_slow_unless_asked(config, items, Path(__file__).parent, SLOW_ENV, "minutes: qemu-user, fresh roots")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not TIMINGS and not NOTES:
        return
    terminalreporter.section("real Debian e2e tier")
    for name, seconds in TIMINGS.items():
        terminalreporter.write_line(f"{name:<44} {seconds:7.1f} s")
    for note in NOTES:
        terminalreporter.write_line(note)


def repo_files() -> list[str]:
    """The files a clone of this checkout would have (tracked, plus new files not ignored)."""
    out = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout
    return sorted({name for name in out.decode().split("\0") if name and (REPO / name).is_file()})


def copy_checkout(destination: Path) -> int:
    """Copy the checkout as ``git clone`` would lay it out (modes kept); return the file count."""
    files = repo_files()
    for name in files:
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    return len(files)


def registry_hosts(root: Path) -> set[str]:
    """Debian mirror hosts from the root's apt sources, plus PyPI's two hosts."""
    from urllib.parse import urlsplit

    apt_dir = root / "etc/apt"
    hosts = {"pypi.org", "files.pythonhosted.org"}
    for path in debian_root.debian_sources(apt_dir):
        for uri, _suite in debian_root._mirrors_in(path):
            if urlsplit(uri).hostname:
                hosts.add(urlsplit(uri).hostname)
    return hosts


class AioHost:
    """One fresh Debian root in the guide's network, with the wizard copied to /root/aio-wizard."""

    def __init__(
        self, arch: str, root: DebianRoot, network: GuideNetwork, suite: str = debian_root.DEFAULT_SUITE
    ) -> None:
        self.arch = arch
        self.suite = suite
        self.root = root
        self.network = network
        self.install_output = ""

    def wizard(self, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
        """``./aio-wizard ARGS`` in /root/aio-wizard, as the README says."""
        return self.root.run(["./aio-wizard", *args], cwd=WIZARD_DIR, timeout=timeout)


def _proxy_env(network: GuideNetwork) -> dict[str, str]:
    return {
        "http_proxy": network.proxy_url,
        "https_proxy": network.proxy_url,
        "no_proxy": "localhost,127.0.0.1,::1",
    }


def _proxy_config(root: Path, network: GuideNetwork) -> None:
    """Tell apt and pip in the root about the proxy in their own config files too.

    The environment variables suffice for a shell; the files make it hold even for a program that
    starts apt or pip with a clean environment. This is the only change to the built root.
    """
    (root / "etc/apt/apt.conf.d/90aio-e2e-proxy").write_text(
        f'Acquire::http::Proxy "{network.proxy_url}";\n'
        f'Acquire::https::Proxy "{network.proxy_url}";\n'
        "// one request per connection: the proxy checks each request's host\n"
        'Acquire::http::Pipeline-Depth "0";\n'
    )
    pip_conf = root / "etc/pip.conf"
    text = pip_conf.read_text() if pip_conf.exists() else ""
    if "[global]" not in text:
        text += "[global]\n"
    pip_conf.write_text(text.replace("[global]\n", f"[global]\nproxy = {network.proxy_url}\n", 1))


def _claim_download_cache(arch: str) -> tuple[Path | None, IO[str] | None]:
    """The shared apt/pip download cache for ``arch``, unless another test run holds it.

    Two runs at once (two developers, or CI and a developer) must not share apt's archive
    directory: its lock would make one run's apt fail. The loser downloads into its own root.
    """
    downloads = debian_root.cache_dir() / f"downloads-{arch}"
    downloads.mkdir(parents=True, exist_ok=True)
    lock = open(downloads / ".in-use", "w")  # noqa: SIM115 - held until the fixture ends
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        NOTES.append(f"{arch}: another test run holds {downloads}: downloading without the cache")
        return None, None
    return downloads, lock


@pytest.fixture(scope="module")
def aio_host(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AioHost]:
    """A fresh root (from the cached tarball) in the guide's network, the wizard installed per the README."""
    # "ARCH" (the default suite) or "ARCH/SUITE", e.g. "amd64/trixie"
    arch, _, suite = str(request.param).partition("/")
    suite = suite or debian_root.DEFAULT_SUITE
    reason = requirements_missing(arch)
    if reason:
        pytest.skip(reason)
    with timed(f"{arch} {suite}: root tarball (debootstrap when not cached)"):
        tarball, build_seconds = debian_root.build_tarball(suite, arch)
    if build_seconds:
        TIMINGS[f"{arch} {suite}: debootstrap + configure + tar (uncached)"] = build_seconds
    workdir = Path(tmp_path_factory.mktemp(f"debian-{arch}-{suite}"))
    network = GuideNetwork(set())
    downloads, lock = _claim_download_cache(arch)
    root = DebianRoot(tarball, workdir, netns="", download_cache=downloads)
    try:
        with timed(f"{arch}: cached start (extract, mounts, network)"):
            root.open()
            network.allowed_hosts = registry_hosts(root.path)
            network.create()
            root.netns = network.host_ns
            root.env.update(_proxy_env(network))
            _proxy_config(root.path, network)
        count = copy_checkout(root.file(WIZARD_DIR))
        NOTES.append(f"{arch}: copied {count} files of the checkout to {WIZARD_DIR}")
        yield AioHost(arch, root, network, suite)
    finally:
        try:
            root.close()
        finally:
            if network.proxy is not None:
                log = network.proxy.log
                NOTES.append(f"{arch}: registry proxy allowed {dict(sorted(log.allowed.items()))}")
                if log.denied:
                    NOTES.append(f"{arch}: registry proxy REFUSED {log.denied}")
            network.close()
            if lock is not None:
                lock.close()
