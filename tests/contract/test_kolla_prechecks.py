"""kolla-ansible's own prechecks that need no Docker, run on the guide's host network with the wizard's globals.

``kolla-ansible prechecks`` as a whole cannot run here: most of its service checks start with
``kolla_container_facts`` (asks the Docker daemon what runs) and guard their port checks with the
answer, and bootstrap-servers (which installs Docker) must run first. What does run, unchanged
from the release's own files, inside a network namespace shaped like the guide's host (enp1s0
10.1.1.88/24, the external NIC without an address), a UTS namespace named like it (ampere-aio)
and a private /etc:

- network: ``roles/prechecks/tasks/port_checks.yml`` (api_interface present, active, with an address);
- hostname: the guide's /etc/hosts as the wizard's hosts-file step leaves it, then what
  bootstrap-servers does to it (the collection's ``openstack.kolla.etc_hosts`` role, pure file
  edits), then the rabbitmq precheck's two hostname tasks (``getent ahostsv4 <hostname>`` must give
  exactly the API address), taken from the release's roles/rabbitmq/tasks/precheck.yml at run time.

Where it stops, and why:
- timesync (``timesync_checks.yml``): ``systemctl is-active`` and ``timedatectl`` ask PID 1 of this
  machine, which no namespace replaces; it would judge the CI machine's clock, not the guide host's.
- ports: each service's "Checking free port" task runs only ``when`` the container facts from
  Docker say the service is not running; without Docker there are no container facts. The
  listeners themselves are checked, from the same variables, in test_kolla_variables.py.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.contract import plans
from tests.contract.conftest import HOST_ADDRESS
from tests.contract.kolla_env import ResultCache, kolla_files_digest
from tests.contract.kolla_setup import LAYOUTS, KollaSetup, layout_id, usable_setup
from tests.contract.test_kolla_variables import config_args, make_playbook
from tests.contract.venvs import KollaVenv

RELEASES = plans.contract_releases()
HOSTNAME = "ampere-aio"
#: The guide host's /etc/hosts as Debian's installer writes it.
GUIDE_HOSTS = f"127.0.0.1\tlocalhost\n127.0.1.1\t{HOSTNAME}\n\n::1     localhost ip6-localhost ip6-loopback\n"

PLAYBOOK = """\
# kolla-ansible's Docker-free prechecks for the contract tier (tests/contract/test_kolla_prechecks.py).
- hosts: all
  gather_facts: true
  tasks:
    - name: kolla's network prechecks (roles/prechecks/tasks/port_checks.yml)
      ansible.builtin.include_tasks: roles/prechecks/tasks/port_checks.yml
    - name: What bootstrap-servers does to /etc/hosts (openstack.kolla.etc_hosts)
      ansible.builtin.include_role:
        name: openstack.kolla.etc_hosts
    - name: kolla's rabbitmq hostname precheck (from roles/rabbitmq/tasks/precheck.yml)
      ansible.builtin.include_tasks: rabbitmq-hostname.yml
"""


def hosts_after_wizard(setup: KollaSetup) -> str:
    """The guide's /etc/hosts after the plan's hosts-file step.

    The step edits whatever /etc/hosts it finds, so ``plan --json`` shows its effect on this
    machine's file; here it is applied to the guide's (see :func:`plans.planned_content`).
    """
    root = setup.tmp / "guide-root"
    (root / "etc").mkdir(parents=True, exist_ok=True)
    (root / "etc" / "hosts").write_text(GUIDE_HOSTS)
    text = plans.planned_content(setup.answers, setup.facts_file, "/etc/hosts", root=root)
    return GUIDE_HOSTS if text is None else text


def rabbitmq_hostname_tasks(venv: KollaVenv) -> list[dict]:
    """The rabbitmq precheck's hostname tasks, as the release ships them."""
    tasks = yaml.safe_load((venv.share / "ansible" / "roles" / "rabbitmq" / "tasks" / "precheck.yml").read_text())
    picked = [t for t in tasks if "hostname" in str(t.get("name", "")).lower()]
    assert len(picked) == 2, f"expected the two rabbitmq hostname prechecks, found {[t.get('name') for t in picked]}"
    return picked


@pytest.mark.parametrize("layout", [LAYOUTS[0], LAYOUTS[1]], ids=layout_id)
@pytest.mark.parametrize("release", RELEASES)
def test_kolla_network_and_hostname_prechecks_pass_on_the_guide_host(
    release: str,
    layout: tuple[str, bool, str],
    kolla_venv: KollaVenv,
    contract_tmp: Path,
    tmp_path: Path,
    guide_netns: str,
) -> None:
    """kolla's network and hostname prechecks pass with the wizard's globals on the guide's host.

    Why: prechecks run after bootstrap-servers has already changed the host; a hostname that
    resolves to 127.0.1.1, to nothing or to a second address, or a network_interface kolla cannot
    use, fails there (rabbitmq: "Hostname has to resolve uniquely to the IP address of
    api_interface"). The wizard's hosts-file step and globals must leave kolla nothing to refuse.
    """
    setup = usable_setup(kolla_venv, release, layout, contract_tmp)
    setup.etc.here("/etc/hosts").write_text(hosts_after_wizard(setup))

    play_dir = tmp_path / "play"
    make_playbook(play_dir, kolla_venv)
    (play_dir / "rabbitmq-hostname.yml").write_text(yaml.safe_dump(rabbitmq_hostname_tasks(kolla_venv)))
    playbook = play_dir / "contract-prechecks.yml"
    playbook.write_text(PLAYBOOK)
    cache = ResultCache("prechecks")
    key = cache.key(
        kolla_venv.real.name, kolla_files_digest(setup.etc), setup.etc.here("/etc/hosts").read_text(),
        PLAYBOOK, (play_dir / "rabbitmq-hostname.yml").read_text(), plans.step(setup.plan, "genpwd")["commands"],
        setup.collection_tarball.name if setup.collection_tarball else None,
    )
    if cache.get(key):
        return
    setup.ensure_passwords()
    deploy = plans.step(setup.plan, "deploy")["commands"][0]
    inventory = deploy["argv"][deploy["argv"].index("-i") + 1]
    argv = [
        str(kolla_venv.bin("ansible-playbook")), "-i", inventory, *config_args(setup),
        "-e", json.dumps({"ansible_python_interpreter": str(kolla_venv.bin("python"))}),
        str(playbook),
    ]
    proc = subprocess.run(
        setup.etc.argv(argv, netns=guide_netns, hostname=HOSTNAME), env=setup.env(deploy),
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600, check=False,
    )
    out = proc.stdout + proc.stderr
    hosts = setup.etc.here("/etc/hosts").read_text()
    assert proc.returncode == 0, "kolla's prechecks failed:\n" + "\n".join(out.strip().splitlines()[-30:]) + (
        f"\n/etc/hosts then:\n{hosts}"
    )
    assert "Checking the api_interface is active" in out and "resolves uniquely" in out
    assert f"{HOST_ADDRESS} {HOSTNAME}" in hosts
    cache.put(key, {"passed": True})
