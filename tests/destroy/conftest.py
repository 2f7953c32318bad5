"""An installed All-in-One under a temporary root, with a fake ``kolla-ansible`` in its virtualenv.

The fake is strict and stateful like the real one: it needs ``-i`` with an existing inventory and
``VIRTUAL_ENV`` (the old bash CLI finds its playbooks from it), ``destroy`` refuses without
``--yes-i-really-really-mean-it`` (the real warning), removes the "containers" and "volumes" of
its state file (the images too with ``--include-images``), and the MariaDB recovery needs a
mariadb container. Like the real CLIs it knows the recovery by one name only: ``mariadb-recovery``
as the cliff CLI of 19+ (anything else: "is not a kolla-ansible command", exit 2), ``mariadb_recovery``
as the bash CLI of 18.x and older (anything else: usage, exit 3); which one follows the recorded
release (:meth:`InstalledHost.record_release`). Every call is recorded (argv, VIRTUAL_ENV, PATH) in
``calls.jsonl``.
"""

from __future__ import annotations

import json
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import run_wizard
from tests.support_bundle.conftest import SAFE_PATH, write

VENV = "/opt/kolla-venv"
SECRET = "Zk3mariadbRootPw77"

FAKE_KOLLA_ANSIBLE = """#!{python}
import json, os, sys
from pathlib import Path

STATE = Path({state!r})
args = sys.argv[1:]
with open({record!r}, "a") as fh:
    fh.write(json.dumps({{"argv": sys.argv, "VIRTUAL_ENV": os.environ.get("VIRTUAL_ENV"),
                         "PATH": os.environ.get("PATH", "")}}) + "\\n")
state = json.loads(STATE.read_text())
if "-i" not in args or not Path(args[args.index("-i") + 1]).is_file():
    print("ERROR! the inventory does not exist"); sys.exit(2)
if not os.environ.get("VIRTUAL_ENV"):
    print("kolla-ansible: cannot find the playbooks: VIRTUAL_ENV is not set"); sys.exit(1)
action = args[0]
if action == "destroy":
    if "--yes-i-really-really-mean-it" not in args:
        print("WARNING:")
        print("    This will PERMANENTLY DESTROY all deployed kolla containers, volumes and host configuration.")
        print("    There is no way to recover from this action. To confirm, please add the following option:")
        print("    --yes-i-really-really-mean-it")
        sys.exit(1)
    if state.get("fail"):
        print("fatal: [localhost]: FAILED! => docker daemon is not running"); sys.exit(2)
    print(f"PLAY [Destroy] removing {{len(state['containers'])}} containers, password {secret!r} never shown")
    state["containers"], state["volumes"] = [], []
    if "--include-images" in args:
        state["images"] = []
elif action == ("mariadb_recovery" if state.get("bash_cli") else "mariadb-recovery"):
    if "mariadb" not in state["containers"]:
        print("fatal: no mariadb container"); sys.exit(2)
    print("TASK [mariadb : Stop MariaDB containers]")
    print(f"TASK [mariadb : Bootstrap MariaDB cluster] root password {secret!r}")
    state["mariadb"] = "recovered"
elif state.get("bash_cli"):
    print(f"Usage: kolla-ansible COMMAND [options] (not {{action}})"); sys.exit(3)
else:
    print(f"kolla-ansible: '{{action}}' is not a kolla-ansible command. See 'kolla-ansible --help'."); sys.exit(2)
STATE.write_text(json.dumps(state))
"""


@dataclass
class InstalledHost:
    root: Path
    state: Path
    logs: Path
    calls_file: Path
    fake_state: Path

    @property
    def hostname(self) -> str:
        return socket.gethostname()

    def options(self) -> list[str]:
        return ["--state-dir", str(self.state), "--log-dir", str(self.logs), "--root", str(self.root)]

    def wizard(self, *args: str, **kw):
        """The real CLI, with a PATH that leaves out this machine's own docker (/usr/local/bin)."""
        return run_wizard(*args, *self.options(), env={"PATH": SAFE_PATH}, **kw)

    def calls(self) -> list[dict]:
        if not self.calls_file.exists():
            return []
        return [json.loads(line) for line in self.calls_file.read_text().splitlines()]

    def fake(self) -> dict:
        return json.loads(self.fake_state.read_text())

    def at(self, path: str) -> Path:
        return self.root / path.lstrip("/")

    def record_release(self, release: str | None, *, answer: str | None = None) -> None:
        """The journal records ``release`` (None: no release) and ``answer`` as openstack_release; the
        fake kolla-ansible becomes the CLI of the release installed (bash up to 18.x, cliff from 19)."""
        from wizard.kolla.releases import get_release

        journal = json.loads((self.state / "journal.json").read_text())
        journal.pop("release", None)
        journal["answers"].pop("openstack_release", None)
        if release is not None:
            journal["release"] = release
        if answer is not None:
            journal["answers"]["openstack_release"] = answer
        write(self.state / "journal.json", json.dumps(journal), 0o600)
        installed = release or answer
        fake = self.fake()
        fake["bash_cli"] = bool(installed) and not get_release(installed).python_cli
        self.fake_state.write_text(json.dumps(fake))


def _step(status: str, log: Path | None = None, **kw) -> dict:
    return {"status": status, "attempts": 1, **({"log_path": str(log)} if log else {}), **kw}


@pytest.fixture
def installed_host(tmp_path: Path) -> InstalledHost:
    return make_installed_host(tmp_path)


def make_installed_host(tmp_path: Path) -> InstalledHost:
    """The installed host of :func:`installed_host` under ``tmp_path`` (also for the front ends' tests)."""
    root = tmp_path / "root"
    host = InstalledHost(root, tmp_path / "state", tmp_path / "log", tmp_path / "calls.jsonl", tmp_path / "fake.json")
    host.fake_state.write_text(
        json.dumps({"containers": ["mariadb", "keystone"], "volumes": ["mariadb"], "images": ["keystone"]})
    )
    venv = host.at(VENV)
    write(venv / "pyvenv.cfg", "home = /usr/bin\n")
    write(
        venv / "bin/kolla-ansible",
        FAKE_KOLLA_ANSIBLE.format(
            python=sys.executable, state=str(host.fake_state), record=str(host.calls_file), secret=SECRET
        ),
        0o755,
    )
    write(host.at("/etc/kolla/passwords.yml"), f"database_password: {SECRET}\n", 0o600)
    write(host.at("/etc/kolla/globals.yml"), "---\n")
    write(host.at("/etc/kolla/ansible/inventory/all-in-one"), "[control]\nlocalhost ansible_connection=local\n")
    write(host.at("/etc/hosts"), "127.0.0.1 localhost\n#127.0.1.1 aio\n")
    write(host.at("/etc/hosts.aio-wizard.bak"), "127.0.0.1 localhost\n127.0.1.1 aio\n")
    write(host.at("/etc/apparmor.d/usr.sbin.libvirtd"), "profile libvirtd {}\n")
    link = host.at("/etc/apparmor.d/disable/usr.sbin.libvirtd")
    link.parent.mkdir(parents=True)
    link.symlink_to("/etc/apparmor.d/usr.sbin.libvirtd")
    libvirt_log = write(
        host.logs / "07-host-libvirt-off.log",
        "$ python3 -m wizard.pipeline.actions disable-units ...\n"
        "+ systemctl disable --now libvirtd.service libvirtd.socket iscsid.service\n",
    )
    docker_log = write(
        host.logs / "05-remove-docker-io.log",
        "Removing docker.io (20.10.24+dfsg1-1+b3) ...\nRemoving containerd (1.6.20~ds1-1+b1) ...\n"
        "Purging configuration files for docker.io (20.10.24+dfsg1-1+b3) ...\n",
    )
    journal = {
        "version": 1,
        "release": "2025.1",
        "answers": {"venv_path": VENV},
        "plan": [
            {"id": "hosts-file", "title": "Comment out the 127.0.1.1 line in /etc/hosts"},
            {"id": "python-prereqs", "title": "Install the Python build prerequisites"},
            {"id": "remove-docker-io", "title": "Remove Debian's docker.io"},
            {"id": "host-libvirt-off", "title": "Stop and disable host libvirt and iSCSI"},
            {"id": "bootstrap-servers", "title": "Bootstrap the host"},
            {"id": "deploy", "title": "Deploy OpenStack"},
        ],
        "steps": {
            "hosts-file": _step("done"),
            "python-prereqs": _step("done"),
            "remove-docker-io": _step("done", docker_log),
            "host-libvirt-off": _step("done", libvirt_log),
            "bootstrap-servers": _step("done"),
            "deploy": _step("failed"),
        },
        "status": "failed",
        "failed_step": "deploy",
    }
    write(host.state / "journal.json", json.dumps(journal), 0o600)
    return host
