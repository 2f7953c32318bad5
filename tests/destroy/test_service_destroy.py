"""The front ends' entry point (:mod:`wizard.service.destroy`): the lock, the dry run, waiting for an install
that is ending."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest

from tests.destroy.conftest import InstalledHost
from tests.destroy.test_destroy import expected_argv
from wizard.errors import UserError
from wizard.pipeline.lock import PipelineLock
from wizard.service.destroy import destroy_plan, run_destroy
from wizard.service.options import InstallOptions


def _options(host: InstalledHost, **kw) -> InstallOptions:
    return InstallOptions(state_dir=host.state, log_dir=host.logs, root=host.root, **kw)


def test_never_while_an_install_holds_the_lock(installed_host: InstalledHost):
    options = _options(installed_host)
    plan = destroy_plan(options)
    with PipelineLock(installed_host.state), pytest.raises(UserError, match="another aio-wizard"):
        run_destroy(options, plan, lambda: installed_host.hostname, io.StringIO())
    assert installed_host.calls() == [] and (installed_host.state / "journal.json").exists()


def test_waits_for_an_install_that_is_ending(installed_host: InstalledHost):
    options = _options(installed_host)
    plan = destroy_plan(options)
    lock = PipelineLock(installed_host.state)
    lock.acquire()
    threading.Timer(0.5, lock.release).start()  # the aborted install's runner exits
    started = time.monotonic()
    assert run_destroy(options, plan, lambda: installed_host.hostname, io.StringIO(), wait=10, poll=0.05) == 0
    assert time.monotonic() - started >= 0.4
    assert installed_host.calls()[0]["argv"] == expected_argv(installed_host)


def test_a_dry_run_destroys_nothing(installed_host: InstalledHost):
    options = _options(installed_host, dry_run=True)
    with pytest.raises(UserError, match="dry run"):
        run_destroy(options, destroy_plan(options), lambda: installed_host.hostname, io.StringIO())
    assert installed_host.calls() == []


def test_the_confirmation_is_asked_with_the_lock_held(installed_host: InstalledHost):
    from wizard.pipeline.lock import is_locked

    options = _options(installed_host)
    held: list[object] = []

    def confirmation() -> str:
        held.append(is_locked(Path(installed_host.state)))
        return "someone-else"

    with pytest.raises(UserError, match="is not this host's name"):
        run_destroy(options, destroy_plan(options), confirmation, io.StringIO())
    assert held and held[0] is not None
    assert installed_host.calls() == []
