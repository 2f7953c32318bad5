"""The effective kolla-ansible variables of the wizard's globals, evaluated by Ansible itself.

Reading globals.yml proves little: what kolla-ansible deploys is what its group_vars and role
defaults make of the wizard's keys (``enable_proxysql`` follows ``enable_mariadb`` on 19+, image
tags join release, distro, codename and suffix, the API address comes from the interface's facts).
So Ansible evaluates them: a small playbook next to the release's own group_vars, roles and
plugins (symlinked), run with ``-e @globals.yml``, the globals.d file and ``-e @passwords.yml`` in
the order the release's CLI passes them, gathering facts inside a network namespace shaped like
the guide's host (enp1s0 10.1.1.88/24, a second NIC without an address), with a private /etc.
Roles are imported (their defaults become visible) but only the tagged evaluation tasks run.

Asserted per release and layout: the image references (what ``pull`` fetches or kolla-build
tagged), the interfaces and addresses as answered, and that no two enabled services listen on
the same address:port (a clash kills the deploy, as ProxySQL and MariaDB on VIP:3306 do on 19+).
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.contract import plans
from tests.contract.conftest import HOST_ADDRESS, TIMINGS
from tests.contract.kolla_env import ResultCache, is_bash_cli, kolla_files_digest
from tests.contract.kolla_setup import LAYOUTS, KollaSetup, layout_id, usable_setup
from tests.contract.venvs import KollaVenv
from wizard.kolla.releases import get_release

RELEASES = plans.contract_releases()
#: ``<stem>_image_full`` variable -> the image it names
IMAGES = {
    "nova_libvirt": "nova-libvirt", "keystone": "keystone", "mariadb": "mariadb-server", "haproxy": "haproxy",
    "proxysql": "proxysql", "keepalived": "keepalived", "rabbitmq": "rabbitmq", "horizon": "horizon",
    "memcached": "memcached",
}

# Who listens where, as the release's templates say (roles/*/templates: galera.cnf.j2 bind-address,
# proxysql.yaml.j2 mysql_ifaces/interfaces, haproxy_main.cfg.j2 and the haproxy frontends,
# wsgi-keystone.conf.j2 and horizon.conf.j2 Listen, rabbitmq.conf.j2 listeners and advanced.config
# inet_dist, rabbitmq-env.conf.j2 ERL_EPMD, memcached.json.j2 -l/-p).
# (service, enabled: every variable must be true, address variable, port variable)
API, VIP = "api_interface_address", "kolla_internal_vip_address"
LISTENERS: list[tuple[str, tuple[str, ...], str, str]] = [
    ("mariadb", ("enable_mariadb",), API, "mariadb_port"),
    ("mariadb wsrep", ("enable_mariadb",), API, "mariadb_wsrep_port"),
    ("proxysql", ("enable_proxysql",), VIP, "database_port"),
    ("proxysql admin", ("enable_proxysql",), API, "proxysql_admin_port"),
    ("haproxy stats", ("enable_haproxy",), API, "haproxy_stats_port"),
    ("haproxy keystone", ("enable_haproxy", "enable_keystone"), VIP, "keystone_internal_port"),
    ("haproxy horizon", ("enable_haproxy", "enable_horizon"), VIP, "horizon_port"),
    ("haproxy rabbitmq management", ("enable_haproxy", "enable_rabbitmq"), VIP, "rabbitmq_management_port"),
    ("haproxy memcached", ("enable_haproxy", "enable_haproxy_memcached", "enable_memcached"), VIP, "memcached_port"),
    ("keystone", ("enable_keystone",), API, "keystone_public_listen_port"),
    ("horizon", ("enable_horizon",), API, "horizon_listen_port"),
    ("rabbitmq", ("enable_rabbitmq",), API, "rabbitmq_port"),
    ("rabbitmq management", ("enable_rabbitmq",), API, "rabbitmq_management_port"),
    ("rabbitmq cluster", ("enable_rabbitmq",), API, "rabbitmq_cluster_port"),
    ("rabbitmq epmd", ("enable_rabbitmq",), API, "rabbitmq_epmd_port"),
    ("memcached", ("enable_memcached",), API, "memcached_port"),
]
# haproxy's MariaDB frontend (VIP:database_port) exists only where ProxySQL does not balance.
HAPROXY_MARIADB = ("haproxy mariadb", ("enable_haproxy", "enable_mariadb"), VIP, "database_port")
ROLES = ("nova-cell", "keystone", "mariadb", "loadbalancer", "rabbitmq", "horizon", "memcached")
EXTRA_NAMES = (
    "network_interface", "api_interface", "neutron_external_interface", "kolla_internal_vip_address",
    "api_interface_address", "enable_keepalived", "openstack_tag", "kolla_base_distro",
    "docker_registry", "docker_namespace",
)

PLAYBOOK = """\
# Evaluates kolla-ansible's variables for the contract tier (tests/contract/test_kolla_variables.py).
- hosts: all
  gather_facts: true
  tasks:
{imports}
    - name: Evaluate the contract's variables
      tags: [contract]
      ansible.builtin.set_fact:
        contract_values: >-
          {{{{ contract_values | default({{}})
             | combine({{item: lookup('vars', item, default='__UNDEFINED__')}}) }}}}
      loop: "{{{{ contract_names }}}}"
    - name: Write them
      tags: [contract]
      ansible.builtin.copy:
        content: "{{{{ contract_values | to_nice_json }}}}"
        dest: "{{{{ contract_out }}}}"
        mode: "0600"
"""


def truthy(value: Any) -> bool:
    """Ansible's ``| bool`` of a value."""
    return str(value).strip().lower() in ("yes", "true", "1", "on", "y")


def variable_names() -> list[str]:
    names = {n for _, enabled, addr, port in [*LISTENERS, HAPROXY_MARIADB] for n in (*enabled, addr, port)}
    names.update(f"{stem}_image_full" for stem in IMAGES)
    names.update(EXTRA_NAMES)
    return sorted(names)


def make_playbook(directory: Path, venv: KollaVenv) -> Path:
    """The evaluation playbook, next to symlinks to the release's group_vars, roles and plugins."""
    ansible_dir = venv.share / "ansible"
    directory.mkdir(parents=True, exist_ok=True)
    for entry in ansible_dir.iterdir():
        if entry.is_dir() and not entry.name.startswith("__"):
            (directory / entry.name).symlink_to(entry)
    imports = "\n".join(f"    - ansible.builtin.import_role:\n        name: {role}" for role in ROLES)
    path = directory / "contract-vars.yml"
    path.write_text(PLAYBOOK.format(imports=imports))
    return path


def config_args(setup: KollaSetup) -> list[str]:
    """``-e @FILE`` for globals.yml, globals.d and passwords.yml, in the order the release's CLI uses."""
    globals_d = sorted(p for p in (setup.etc.kolla / "globals.d").glob("*.yml"))
    gd = [a for p in globals_d for a in ("-e", f"@/etc/kolla/globals.d/{p.name}")]
    g, pw = ["-e", "@/etc/kolla/globals.yml"], ["-e", "@/etc/kolla/passwords.yml"]
    ordered = [*g, *gd, *pw] if is_bash_cli(setup.venv) else [*g, *pw, *gd]
    return [*ordered, "-e", "CONFIG_DIR=/etc/kolla"]


def evaluate(setup: KollaSetup, netns: str, directory: Path) -> dict[str, Any]:
    """The variables' values, as Ansible evaluates them for this plan (cached by their inputs)."""
    deploy = plans.step(setup.plan, "deploy")["commands"][0]
    inventory = deploy["argv"][deploy["argv"].index("-i") + 1]
    playbook = make_playbook(directory / "play", setup.venv)
    out = directory / "values.json"
    names = variable_names()
    cache = ResultCache("variables")
    key = cache.key(setup.venv.real.name, kolla_files_digest(setup.etc), playbook.read_text(), names,
                    setup.collection_tarball.name if setup.collection_tarball else None,
                    plans.step(setup.plan, "genpwd")["commands"])
    cached = cache.get(key)
    if cached is not None:
        return cached
    argv = [
        str(setup.venv.bin("ansible-playbook")), "-i", inventory, *config_args(setup),
        # Gathering facts runs Python on "the host": the venv's, not what interpreter discovery finds
        # first on this machine's PATH (group_vars/baremetal.yml leaves it to discovery before facts).
        "-e", json.dumps({"contract_names": names, "contract_out": str(out),
                          "ansible_python_interpreter": str(setup.venv.bin("python"))}),
        "--tags", "contract", str(playbook),
    ]
    setup.ensure_passwords()
    started = time.monotonic()
    proc = subprocess.run(
        setup.etc.argv(argv, netns=netns),
        env=setup.env(deploy),
        stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=600, check=False,
    )
    TIMINGS[f"variables {setup.release} {directory.name}"] = time.monotonic() - started
    assert proc.returncode == 0, "ansible-playbook (evaluation) failed:\n" + "\n".join(
        (proc.stdout + proc.stderr).strip().splitlines()[-25:]
    )
    values = json.loads(out.read_text())
    cache.put(key, values)
    return values


def listeners(values: dict[str, Any]) -> list[tuple[str, str]]:
    """(service, "address:port") of every enabled listener."""
    table = list(LISTENERS)
    if not truthy(values["enable_proxysql"]):
        table.append(HAPROXY_MARIADB)
    out = []
    for service, enabled, address, port in table:
        for name in (*enabled, address, port):
            assert values.get(name) != "__UNDEFINED__", f"{service}: {name} is not defined by this release"
        if all(truthy(values[n]) for n in enabled):
            out.append((service, f"{values[address]}:{values[port]}"))
    return sorted(set(out))


_EVALUATED: dict[tuple[str, tuple[str, bool, str]], tuple[KollaSetup, dict[str, Any]]] = {}


def evaluated(kolla_venv, release, layout, tmp_root, netns) -> tuple[KollaSetup, dict[str, Any]]:
    """The plan's setup and the evaluated values of ``release`` in ``layout`` (once per run)."""
    if (release, layout) not in _EVALUATED:
        _EVALUATED[(release, layout)] = _evaluated(kolla_venv, release, layout, tmp_root, netns)
    return _EVALUATED[(release, layout)]


def _evaluated(kolla_venv, release, layout, tmp_root, netns) -> tuple[KollaSetup, dict[str, Any]]:
    setup = usable_setup(kolla_venv, release, layout, tmp_root)
    return setup, evaluate(setup, netns, tmp_root / f"vars-{release}-{layout_id(layout)}")


@pytest.mark.parametrize("layout", LAYOUTS, ids=layout_id)
@pytest.mark.parametrize("release", RELEASES)
def test_image_references_name_the_images_the_plan_pulls_or_builds(
    release: str, layout: tuple[str, bool, str], kolla_venv: KollaVenv, contract_tmp: Path, guide_netns: str
) -> None:
    """Every image reference is registry/namespace/NAME:TAG with the release's tag and the arch suffix.

    Why: deploy starts the images these variables name. With published images they must exist
    upstream (``2025.1-debian-bookworm-aarch64`` on arm64: the images are not multi-arch); with
    image_source build they must be exactly what the plan's kolla-build tagged, or deploy pulls
    (or fails to find) something else.
    """
    setup, values = evaluated(kolla_venv, release, layout, contract_tmp, guide_netns)
    arch, _, source = layout
    rel = get_release(release)
    suffix = "-aarch64" if arch == "arm64" else ""
    if source == "pull":
        prefix = f"{rel.docker_registry}/{rel.docker_namespace}" if rel.docker_registry else rel.docker_namespace
        tag = rel.image_tag("debian", suffix)
    else:
        argv = plans.step(setup.plan, "kolla-build")["commands"][0]["argv"]

        def opt(name: str) -> str | None:
            return argv[argv.index(name) + 1] if name in argv else None

        registry, namespace, tag = opt("--registry"), opt("--namespace") or "kolla", opt("--tag")
        assert tag, f"kolla-build without --tag builds ':latest'-style tags deploy never asks for: {argv}"
        prefix = f"{registry}/{namespace}" if registry else namespace
    wrong = {
        f"{stem}_image_full": values[f"{stem}_image_full"]
        for stem, image in IMAGES.items()
        if values[f"{stem}_image_full"] != f"{prefix}/{image}:{tag}"
    }
    assert not wrong, f"expected {prefix}/IMAGE:{tag}; kolla-ansible {kolla_venv.version} evaluates {wrong}"
    if release == "2025.1" and arch == "arm64" and source == "pull":
        guide_image = "quay.io/openstack.kolla/nova-libvirt:2025.1-debian-bookworm-aarch64"
        assert values["nova_libvirt_image_full"] == guide_image


@pytest.mark.parametrize("layout", LAYOUTS, ids=layout_id)
@pytest.mark.parametrize("release", RELEASES)
def test_interfaces_and_addresses_are_as_answered(
    release: str, layout: tuple[str, bool, str], kolla_venv: KollaVenv, contract_tmp: Path, guide_netns: str
) -> None:
    """network_interface, the API address (from the interface's facts), the VIP and the external NIC.

    Why: kolla-ansible derives api_interface_address from facts of network_interface; a wrong
    interface or a VIP that is not the answered one puts every endpoint somewhere else.
    """
    _, values = evaluated(kolla_venv, release, layout, contract_tmp, guide_netns)
    answered = plans.answers(release, venv="-", image_source=layout[2], haproxy=layout[1])
    assert values["network_interface"] == answered["network_interface"]
    assert values["api_interface"] == answered["network_interface"]
    assert values["api_interface_address"] == HOST_ADDRESS
    assert values["kolla_internal_vip_address"] == answered["kolla_internal_vip_address"]
    assert values["neutron_external_interface"] == answered["neutron_external_interface"]


@pytest.mark.parametrize("layout", LAYOUTS, ids=layout_id)
@pytest.mark.parametrize("release", RELEASES)
def test_no_two_enabled_services_listen_on_the_same_address_and_port(
    release: str, layout: tuple[str, bool, str], kolla_venv: KollaVenv, contract_tmp: Path, guide_netns: str
) -> None:
    """Each address:port has at most one enabled service; keepalived's VIP is not the host's address.

    Why: two services on one socket cannot both start; the second dies at deploy time after
    everything before it ran (kolla-ansible 19+: ProxySQL on VIP:3306 and MariaDB on
    api_interface_address:3306 when the VIP is the host's address, "Timeout when waiting for
    search string MariaDB"). keepalived owns the VIP: it cannot be an address the host already has.
    """
    _, values = evaluated(kolla_venv, release, layout, contract_tmp, guide_netns)
    by_socket: dict[str, list[str]] = {}
    for service, socket_ in listeners(values):
        by_socket.setdefault(socket_, []).append(service)
    clashes = {s: names for s, names in by_socket.items() if len({n.split()[0] for n in names}) > 1}
    assert not clashes, f"kolla-ansible {kolla_venv.version}: services sharing a socket: {clashes}"
    if truthy(values["enable_keepalived"]):
        assert values["kolla_internal_vip_address"] != values["api_interface_address"], (
            "keepalived is enabled with the VIP = the host's own address"
        )
