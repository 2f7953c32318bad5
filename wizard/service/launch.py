"""Start the runner daemon detached from the terminal: a transient systemd unit, or a daemon of its own session.

Where systemd is PID 1 and ``systemd-run`` exists, the runner is the transient unit
``aio-wizard-install`` (``--collect`` so a failed one does not linger): ``systemctl status
aio-wizard-install`` and ``journalctl -u aio-wizard-install`` work as an operator expects, and
the unit's cgroup holds every process a step starts. Elsewhere (a chroot, a container, CI) it is
a daemon in its own session: the launcher process calls setsid (``start_new_session``) with
stdin from /dev/null and stdout/stderr appended to ``<log-dir>/runner.log``, and forks once more
(``runnerd --daemonize``) so the daemon is re-parented to init and never a session leader.
Either way a SIGHUP to the terminal's session cannot reach it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from wizard.errors import UserError
from wizard.service.procs import ProcessIdentity, read_pid_file

UNIT = "aio-wizard-install"
DAEMON_LOG_NAME = "runner.log"
START_TIMEOUT = 15.0


def systemd_is_init() -> bool:
    """systemd runs as PID 1 (``/run/systemd/system`` exists, as sd_booted() checks) and systemd-run is there."""
    return Path("/run/systemd/system").is_dir() and shutil.which("systemd-run") is not None


def _package_env() -> dict[str, str]:
    """Our environment, with this checkout importable (the daemon may start in /)."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


def daemon_argv(state_dir: Path, *, unit: str = "", daemonize: bool = False) -> list[str]:
    argv = [sys.executable, "-m", "wizard.service.runnerd", "--state-dir", str(state_dir.resolve())]
    if unit:
        argv += ["--unit", unit]
    if daemonize:
        argv.append("--daemonize")
    return argv


def launch(state_dir: Path, log_dir: Path, run_id: str, *, use_systemd: bool | None = None) -> ProcessIdentity:
    """Start the runner for the inputs saved in ``state_dir``; return it once its pid file names ``run_id``."""
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if use_systemd if use_systemd is not None else systemd_is_init():
        env = _package_env()
        argv = [
            "systemd-run",
            f"--unit={UNIT}",
            "--collect",
            "--quiet",
            "--service-type=exec",
            f"--setenv=PYTHONPATH={env['PYTHONPATH']}",
            "--property=KillMode=mixed",
            *daemon_argv(state_dir, unit=UNIT),
        ]
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise UserError(f"systemd-run could not start the install: {done.stderr.strip() or done.returncode}")
    else:
        fd = os.open(
            log_dir / DAEMON_LOG_NAME, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600
        )
        try:
            launcher = subprocess.Popen(
                daemon_argv(state_dir, daemonize=True),
                stdin=subprocess.DEVNULL,
                stdout=fd,
                stderr=fd,
                start_new_session=True,
                close_fds=True,
                cwd="/",
                env=_package_env(),
                umask=0o077,
            )
        finally:
            os.close(fd)
        launcher.wait()  # the intermediate exits at once (no zombie left behind)
    return _wait_for_pid_file(state_dir, log_dir, run_id)


def _wait_for_pid_file(state_dir: Path, log_dir: Path, run_id: str) -> ProcessIdentity:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        found = read_pid_file(state_dir)
        if found is not None and found.run_id == run_id:
            return found
        time.sleep(0.02)
    raise UserError(f"the install's runner did not start; see {log_dir / DAEMON_LOG_NAME}")
