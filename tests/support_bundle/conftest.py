"""A host with secrets planted in every source a support bundle reads, under a temporary root.

``planted_host`` builds: /etc/kolla/passwords.yml (a generated-looking password, one with
characters that every encoding changes, an SSH private key), a globals.yml carrying a secret under
a secret-looking key the operator added, a globals.d file whose extra globals repeat a password, an
INI inventory with ``ansible_password=``, a journal, step logs quoting secrets, and a fake
``docker`` (first on PATH) whose container logs print them. ``bundle_members`` opens the result
every way a reader could: the raw file, the gunzipped tar stream, and each member.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import run_wizard
from tests.support.guide import GUIDE_HOST_FILE

# Two passwords.yml values and two secrets that live only in other files.
GENERATED = "Xq7vB2nPz9LwK4sT1uYe"  # kolla-genpwd style
SPECIAL = 'p@ss w/rd+&"=x%'  # URL, base64 and JSON encodings all differ from it
KEY_LINE = "MIIEowIBAAKCAQEAsecretkeylineabcdef"
GLOBALS_ONLY = "registry-Secret-0451"  # docker_registry_password in globals.yml, not in passwords.yml
INVENTORY_ONLY = "inv3ntoryPassw0rd"  # ansible_password= in the inventory
PROXY_ONLY = "pr0xyPassword9"  # in a proxy URL's user info only
JOURNAL_ONLY = "t0kenInTheJournal"  # under a secret-looking key of an answer in the journal
SECRETS = (GENERATED, SPECIAL, KEY_LINE, GLOBALS_ONLY, INVENTORY_ONLY, PROXY_ONLY, JOURNAL_ONLY)

SAFE_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"  # no /usr/local/bin: this machine's real docker stays out


@dataclass
class PlantedHost:
    root: Path
    state: Path
    logs: Path
    bin: Path
    containers: Path
    extra_log_text: list[str] = field(default_factory=list)

    def options(self) -> list[str]:
        return [
            "--state-dir",
            str(self.state),
            "--log-dir",
            str(self.logs),
            "--host-facts",
            str(GUIDE_HOST_FILE),
            "--root",
            str(self.root),
        ]

    def env(self, *, docker: bool = True) -> dict[str, str]:
        return {"PATH": (f"{self.bin}:" if docker else "") + SAFE_PATH}

    def bundle(self, out: Path, *extra: str, docker: bool = True):
        return run_wizard("bundle", "-o", str(out), *self.options(), *extra, env=self.env(docker=docker))


def write(path: Path, text: str, mode: int = 0o644) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


FAKE_DOCKER = """#!/bin/sh
# A fake docker: the few commands `aio-wizard bundle` runs, answered from {containers}.
case "$1" in
  --version) echo "Docker version 27.3.1, build fake" ;;
  ps)
    if [ "$3" = "--format" ]; then ls {containers} | sed 's/\\.log$/\tUp 2 hours/'
    else
      echo "CONTAINER ID   IMAGE                                   STATUS          NAMES"
      for f in {containers}/*.log; do
        n=$(basename "$f" .log); echo "0123456789ab   quay.io/openstack.kolla/$n:2025.1   Up 2 hours   $n"
      done
    fi ;;
  logs) cat "{containers}/$4.log" ;;
  *) echo "fake docker: unexpected $*" >&2; exit 1 ;;
esac
"""


@pytest.fixture
def planted_host(tmp_path: Path) -> PlantedHost:
    root = tmp_path / "root"
    host = PlantedHost(root, tmp_path / "state", tmp_path / "log", tmp_path / "bin", tmp_path / "containers")
    kolla = root / "etc/kolla"
    write(
        kolla / "passwords.yml",
        f"database_password: {GENERATED}\n"
        f"keystone_admin_password: {json.dumps(SPECIAL)}\n"
        "nova_ssh_key:\n"
        "  private_key: |\n"
        "    -----BEGIN RSA PRIVATE KEY-----\n"
        f"    {KEY_LINE}\n"
        "    -----END RSA PRIVATE KEY-----\n"
        "  public_key: ssh-rsa AAAAB3Nza\n",
        0o600,
    )
    write(
        kolla / "globals.yml",
        "---\nkolla_base_distro: debian\n"
        f"docker_registry_password: {GLOBALS_ONLY}\n"  # an operator's own line
        "#docker_registry: quay.io\n"
        "kolla_internal_fqdn: {{ kolla_internal_vip_address }}\n"  # Jinja2: the file is not YAML as a whole
        f"keystone_admin_password: {GLOBALS_ONLY}\n",
    )
    write(
        kolla / "globals.d/aio-wizard.yml",
        f"# set by aio-wizard\nnetwork_interface: enp1s0\nmy_note: uses {GENERATED} here\n",
    )
    write(
        kolla / "ansible/inventory/all-in-one",
        f"[control]\nlocalhost ansible_connection=local ansible_password={INVENTORY_ONLY}\n",
    )
    write(root / "etc/debian_version", "12.8\n")
    write(root / "etc/os-release", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n')
    journal = {
        "version": 1,
        "release": "2025.1",
        "answers": {
            "venv_path": "/opt/kolla-venv",
            "network_interface": "enp1s0",
            "extra_globals": {"registry_token": JOURNAL_ONLY},  # a secret that slipped into an answer
        },
        "plan": [{"id": "genpwd", "title": "Generate the passwords"}, {"id": "deploy", "title": "Deploy OpenStack"}],
        "steps": {"deploy": {"status": "failed", "log_path": str(host.logs / "20-deploy.log")}},
        "status": "failed",
        "failed_step": "deploy",
    }
    write(host.state / "journal.json", json.dumps(journal), 0o600)
    write(host.logs / "14-genpwd.log", f"$ kolla-genpwd -p /etc/kolla/passwords.yml\nset {GENERATED}\n", 0o600)
    write(
        host.logs / "20-deploy.log",
        "TASK [mariadb : Wait for MariaDB service port liveness]\n"
        f'fatal: [localhost]: FAILED! => {{"msg": "login failed for root with {SPECIAL}"}}\n'
        f"-----BEGIN RSA PRIVATE KEY-----\n{KEY_LINE}\n"
        f"pip: using proxy http://bob:{PROXY_ONLY}@proxy.example:3128\n",
        0o600,
    )
    write(host.containers / "mariadb.log", f"WSREP: recovering, user root password {GENERATED}\n")
    write(host.containers / "keystone.log", f"admin password is {SPECIAL} and registry {GLOBALS_ONLY}\n")
    write(host.bin / "docker", FAKE_DOCKER.format(containers=host.containers), 0o755)
    return host


def bundle_members(path: Path) -> dict[str, bytes]:
    """Every member's content by name, plus the raw file and the whole gunzipped tar stream."""
    raw = path.read_bytes()
    out = {"<file>": raw, "<gunzipped tar>": gzip.decompress(raw)}
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as tar:
        for member in tar.getmembers():
            fh = tar.extractfile(member)
            out[member.name] = fh.read() if fh else b""
    return out


def manifest(path: Path) -> str:
    return next(v for k, v in bundle_members(path).items() if k.endswith("/MANIFEST.txt")).decode()
