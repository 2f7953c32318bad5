"""A test run killed with ``kill -9`` leaves its network namespaces behind; the next run sweeps them."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.support.netns import netns_unavailable, sweep_stale_namespaces


def _namespaces() -> set[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False).stdout
    return {line.split()[0] for line in out.splitlines() if line.split()}


@pytest.fixture
def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_namespaces_of_a_dead_test_run_are_swept_and_a_live_runs_are_kept(dead_pid):
    why = netns_unavailable()
    if why:
        pytest.skip(why)
    stale, live = f"aio-sweep-{dead_pid}-0", f"aio-sweep-{os.getpid()}-0"
    for name in (stale, f"{stale}-peer", live):
        subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        swept = sweep_stale_namespaces()
        assert {stale, f"{stale}-peer"} <= set(swept)
        assert live not in swept and live in _namespaces()
        assert stale not in _namespaces()
    finally:
        for name in (stale, f"{stale}-peer", live):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)
