"""Destroying the All-in-One to start over: the one UI-free entry point for ``aio-wizard destroy`` and
both front ends' "Destroy and start over".

What destroying means on this host is decided by :mod:`wizard.support.destroy` (the plan, its
rendering, the typed confirmation, the execution). This module adds what every caller must do the
same way around it: this host's name as the confirmation, the pipeline lock held while destroying
(never while an install runs), the log file, the host redactor (no secret reaches a screen or the
log), and no change at all in a dry run.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from wizard.errors import UserError
from wizard.pipeline.lock import PipelineLock, is_locked
from wizard.service.options import InstallOptions
from wizard.support.common import host_redactor, require_root
from wizard.support.destroy import DestroyPlan, check_confirmation, execute_destroy, plan_destroy, render_destroy

__all__ = ["DestroyPlan", "check_confirmation", "destroy_log_path", "destroy_plan", "render_destroy", "run_destroy"]

#: How long a front end waits for the install it just aborted to let go of the lock before destroying.
RUNNER_EXIT_WAIT = 30.0


def destroy_plan(options: InstallOptions, *, include_images: bool = False) -> DestroyPlan:
    """What destroying would do on this host (read only; the confirmation is this host's name)."""
    return plan_destroy(
        options.root,
        options.state_dir,
        options.log_dir,
        hostname=socket.gethostname(),
        include_images=include_images,
    )


def destroy_log_path(options: InstallOptions) -> Path:
    """Where a destroy started now writes kolla-ansible's output."""
    return Path(options.log_dir) / f"destroy-{time.strftime('%Y%m%d-%H%M%S')}.log"


def run_destroy(
    options: InstallOptions,
    plan: DestroyPlan,
    confirmation: Callable[[], str | None],
    out: IO[str],
    *,
    wait: float = 0.0,
    poll: float = 0.1,
    log_path: Path | None = None,
) -> int:
    """Destroy as ``plan`` says, holding the pipeline lock; 0 done, 1 kolla-ansible destroy failed.

    ``confirmation`` is asked for the typed host name once the lock is held; a wrong one is a
    UserError and nothing is changed. ``wait``: seconds to wait for an install that is ending (the
    front end just aborted it) to let go of the lock. ``log_path``: the log (:func:`destroy_log_path` when
    not given). Refused in a dry run and without root.
    """
    if options.dry_run:
        raise UserError("a dry run destroys nothing")
    require_root("destroy", dry_run=False)
    deadline = time.monotonic() + wait
    while wait and time.monotonic() < deadline and is_locked(options.state_dir) is not None:
        time.sleep(poll)
    with PipelineLock(options.state_dir):  # never while an install runs
        check_confirmation(plan, confirmation())
        log = log_path or destroy_log_path(options)
        return execute_destroy(plan, log_path=log, redact=host_redactor(options.root), out=out)
