"""``aio-wizard stop``: stop the running install, explicitly (closing a front end never does).

SIGTERM to its runner (the detached one, or a foreground ``run``): the running step's process
group gets TERM, then KILL after the grace period, and the journal says "interrupted". The next
``aio-wizard`` (or the same ``run`` command) resumes it.
"""

from __future__ import annotations

import argparse

from wizard.service.options import InstallOptions
from wizard.service.service import stop_install


def run(args: argparse.Namespace) -> int:
    options = InstallOptions.from_args(args)
    pid = stop_install(options.state_dir)
    if pid is None:
        print("no install is running")
        return 0
    print(f"stopped the install (process {pid}); the journal says interrupted; `aio-wizard` resumes it")
    return 0
