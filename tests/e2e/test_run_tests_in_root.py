"""The README's test command, ``./run-tests``, in a fresh Debian root that holds only python3.

Why: the suite is part of what an operator (or a packager) runs on a new box, and a fresh root
lacks much that a developer's machine has: git, tmux, ``localhost`` in /etc/hosts, a / that is a
mount point (``ip netns exec`` needs ``mount --make-rslave /``). iproute2 is installed and
/etc/hosts removed first, so the namespace tests try (and must skip) and nothing resolves
``localhost``. Every test that cannot run there
must skip with its reason, none may fail, and nothing (a network namespace) may be left behind.

Opt-in (``slow``): it installs the test extras from PyPI through the registry proxy and runs the
whole suite inside the root, several minutes: ``pytest -m slow tests/e2e/test_run_tests_in_root.py``
or ``AIO_WIZARD_E2E_SLOW=1``. The roots are the cached bookworm and trixie of tools/debian_root.py in the
guide's network (see conftest.py), as the rest of this tier.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import NOTES, WIZARD_DIR, AioHost, debian_root, timed

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.root,
    pytest.mark.slow,
    # Debian 12 and 13: the README promises both (trixie's python3 is 3.13)
    pytest.mark.parametrize(
        "aio_host", [f"{debian_root.native_arch()}/{suite}" for suite in ("bookworm", "trixie")], indirect=True
    ),
]

RUN_TESTS_TIMEOUT = 3600


def _as_a_minimal_root_is(host: AioHost) -> None:
    """The root as the issue found it: iproute2 installed (so the namespace tests try and must
    skip), no /etc/hosts (a minbase root has none, so "localhost" does not resolve)."""
    for argv in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "iproute2"]):
        host.root.run(argv, env={"DEBIAN_FRONTEND": "noninteractive"}, timeout=600, check=True)
    host.root.file("/etc/hosts").unlink(missing_ok=True)


def test_run_tests_passes_in_a_fresh_debian_root_and_leaks_no_namespace(aio_host: AioHost) -> None:
    _as_a_minimal_root_is(aio_host)
    with timed(f"{aio_host.arch} {aio_host.suite}: ./run-tests in a fresh root (venv + suite)"):
        done = aio_host.root.run(
            ["./run-tests", "-q", "-p", "no:cacheprovider"], cwd=WIZARD_DIR, timeout=RUN_TESTS_TIMEOUT
        )
    summary = [line for line in done.stdout.splitlines() if re.search(r"\d+ (passed|failed|skipped)", line)]
    NOTES.append(
        f"{aio_host.arch} {aio_host.suite}: ./run-tests in a fresh root: {summary[-1] if summary else '(no summary)'}"
    )
    skips = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    NOTES.extend(f"  {line}" for line in skips)
    assert done.returncode == 0, done.stdout[-8000:]
    # `ip netns add` in the root names its namespaces in the root's /run/netns (this machine's list
    # holds other test runs' namespaces, so it says nothing about this one).
    inside = aio_host.root.file("/run/netns")
    leaked = sorted(p.name for p in inside.iterdir()) if inside.is_dir() else []
    assert not leaked, f"./run-tests left network namespaces behind in the root: {leaked}"
