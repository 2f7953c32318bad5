"""MariaDB that does not come back after a reboot or an interrupted deploy, and kolla's way back.

A Galera cluster (kolla runs MariaDB as one, even with a single node) that was stopped uncleanly
does not start again on its own: the node refuses to bootstrap ("It may not be safe to bootstrap
the cluster from this node"), and a re-deploy then times out waiting for MariaDB on port 3306.
kolla's answer is its MariaDB recovery action, which finds the most advanced node and bootstraps
the cluster from it: ``kolla-ansible mariadb-recovery -i INV`` on the cliff CLI (19.0.0, 2024.2+),
``kolla-ansible mariadb_recovery -i INV`` on the bash CLI before it (the catalog's
``action_renames``; each CLI refuses the other's name). ``aio-wizard recover-mariadb`` runs the one of
the recorded install's release, with the virtualenv's environment; :data:`RECOVER_ACTION` is the
line a hint names, and :func:`mariadb_down` tells a failed step's output that needs it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wizard.errors import UserError
from wizard.pipeline.model import Command, host_path
from wizard.support.common import (
    installed_release,
    installed_venv,
    inventory_path,
    journal_data,
    kolla_command,
    recorded_release,
)

#: The action a hint offers (``--dry-run`` shows the kolla-ansible line without running it).
RECOVER_ACTION = "aio-wizard recover-mariadb"
#: kolla-ansible's action, by its current name (:meth:`Release.kolla_action` gives a release's own).
KOLLA_RECOVERY = "mariadb-recovery"

# Always MariaDB's own state: Galera refusing to start, or kolla's WSREP sync check giving up.
_WSREP = re.compile(
    r"WSREP: (?:It may not be safe to bootstrap the cluster from this node|"
    r"failed to open gcomm backend connection|.*failed to reach primary view|.*non-primary|.*no primary component)|"
    r"WSREP has not yet prepared node for application use|"
    r"Wait for MariaDB service to sync WSREP|wsrep_local_state_comment",
    re.IGNORECASE,
)
# Ambiguous: on a first deploy of 2024.2+ with haproxy off this is ProxySQL holding VIP:3306
# (failures.md #1, a configuration problem); only after MariaDB ran once it means "did not come back".
_PORT_TIMEOUT = re.compile(r"Timeout when waiting for search string MariaDB in \S+:3306", re.IGNORECASE)


def mariadb_down(text: str, *, deployed_before: bool) -> str | None:
    """The line of a failed step's output saying MariaDB did not come back, or None.

    ``deployed_before``: MariaDB ran on this host before (an earlier deploy finished, or a
    ``mariadb`` container exists). Without it the port timeout alone is not taken as evidence.
    """
    for line in text.splitlines():
        if _WSREP.search(line) or (deployed_before and _PORT_TIMEOUT.search(line)):
            return line.strip()
    return None


# Steps after deploy: one of them done means MariaDB ran on this host (a resumed or repeated
# deploy resets the deploy step's own status, not theirs).
_AFTER_DEPLOY = ("deploy", "post-deploy", "openstackclient", "init-runonce", "summary")


def deployed_before(journal: Mapping[str, Any]) -> bool:
    """Whether the journal shows a deploy that got through (so MariaDB has run here before)."""
    steps = journal.get("steps") or {}
    return any((steps.get(s) or {}).get("status") == "done" for s in _AFTER_DEPLOY)


def recovery_offer(text: str, journal: Mapping[str, Any]) -> str | None:
    """The sentence a hint or a failure screen adds when ``text`` (a failed step's output tail) shows
    MariaDB did not come back: the action and its dry run. None otherwise."""
    line = mariadb_down(text, deployed_before=deployed_before(journal))
    if line is None:
        return None
    release = recorded_release(journal)
    kolla = f"kolla-ansible {release.kolla_action(KOLLA_RECOVERY)}" if release else "kolla-ansible's MariaDB recovery"
    return (
        f"MariaDB did not come back ({line[:120]}): run `{RECOVER_ACTION}` ({kolla}; "
        f"`{RECOVER_ACTION} --dry-run` shows the command), then Retry."
    )


def recover_command(root: Path, state_dir: Path | str) -> Command:
    """``VENV/bin/kolla-ansible mariadb-recovery -i INV`` (``mariadb_recovery`` up to 18.x) for the
    recorded install; UserError when there is nothing to recover with (no kolla-ansible, no
    inventory) or its release cannot be told (the two names are not interchangeable)."""
    journal = journal_data(state_dir)
    venv = installed_venv(journal)
    if not host_path(root, f"{venv}/bin/kolla-ansible").exists():
        raise UserError(f"{venv}/bin/kolla-ansible does not exist: there is no kolla deployment to recover")
    inventory = inventory_path(root, venv)
    if inventory is None:
        raise UserError("no inventory: /etc/kolla/ansible/inventory/all-in-one does not exist")
    release = installed_release(root, journal, venv)
    if release is None:
        raise UserError(
            f"cannot tell which kolla-ansible release is installed (the journal records none and {venv} holds "
            "no kolla-ansible package), so not which recovery command it has: "
            f"`{venv}/bin/kolla-ansible --help` lists its MariaDB recovery action"
        )
    return kolla_command(root, venv, release, KOLLA_RECOVERY, inventory=inventory)
