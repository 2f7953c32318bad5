"""The host-preparation half of the pipeline, run for real in a fresh Debian 12 root.

What a new user does, on a real Debian: a minimal bookworm (debootstrap, cached as a tarball),
the checkout copied to /root/aio-wizard, ``./aio-wizard --version`` (the launcher creates .venv,
installing python3-venv with apt-get), ``./aio-wizard validate FILE``, then ``./aio-wizard run
--answers FILE --non-interactive --until genpwd`` (the step that runs kolla-genpwd), in ranges
that leave out install-deps. Afterwards the root is inspected: hosts file, packages, the kolla
venv, /etc/kolla, passwords, globals, journal.

Network design (the rule: traffic only to the package registries, loopback and our own
namespaces): every command runs in a network namespace laid out like the guide's host (enp1s0
10.1.1.88/24 via gateway 10.1.1.1, enp2s0 up without IPv4; see guide_network.py), so the
wizard probes the guide's network live, with no ``--host-facts``. The namespace has no route to
the world. Its gateway address runs an allow-list HTTP proxy (registry_proxy.py) that forwards
only to Debian's mirror hosts from the root's apt sources and to pypi.org /
files.pythonhosted.org; apt and pip use it through http(s)_proxy and their config files. The
proxy's log is printed at the end, and anything it refused fails the test. Nothing on this
machine's own network, firewall or /etc changes.

Not run here (the test prints which planned steps these are): steps that need systemd as PID 1
(a chroot has no init: systemctl cannot start or stop units), a Docker engine (bootstrap-servers,
pull, prechecks, deploy) or the internet beyond the registries (install-deps fetches Ansible
Galaxy collections from GitHub; init-runonce downloads CirrOS).

Then ``kill -9`` hits the whole run while dpkg is unpacking or configuring, as a power cut would,
and running the same command again must complete.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tests.e2e.chroot import process_argv, process_name
from tests.e2e.conftest import NOTES, REPO, TIMINGS, WIZARD_DIR, AioHost, debian_root, timed
from tests.e2e.guide_network import EXTERNAL_NIC, GATEWAY, HOST_ADDRESS, MANAGEMENT_NIC

pytestmark = [pytest.mark.e2e, pytest.mark.root]

NATIVE = debian_root.native_arch()
FOREIGN = "arm64" if NATIVE != "arm64" else "amd64"
ARCHES = [
    pytest.param(NATIVE, id=NATIVE),
    pytest.param(FOREIGN, id=FOREIGN, marks=pytest.mark.slow),  # under qemu-user emulation: many minutes
]
UNTIL = "genpwd"  # the step that runs kolla-genpwd (wizard/pipeline/steps/catalog.py)
# Steps before UNTIL that cannot run here: install-deps fetches Ansible Galaxy collections (GitHub).
NOT_HERE = {"install-deps": "fetches Ansible Galaxy collections from GitHub: the internet beyond the registries"}
GUIDE_ANSWERS = "/root/guide-answers.yaml"  # what the operator edits
ANSWERS_FILE = "/root/answers.yaml"  # `aio-wizard export` of those over the detected defaults
STATE_DIR = "/var/lib/aio-wizard"
VENV = "/opt/kolla-venv"
GUIDE_DEBUG_TOOLS = ["aptitude", "screen", "rsync", "git", "curl", "byobu", "asciinema", "tcpdump"]
BUILD_PACKAGES = ["git", "python3-dev", "libffi-dev", "gcc", "libssl-dev", "python3-venv"]
RUN_TIMEOUT = {"amd64": 1800, "arm64": 3600}
# Why the planned steps after UNTIL cannot run in a chroot (by step id).
NOT_RUN_REASONS = {
    "certificates": "runs kolla-ansible playbooks, which need the collections install-deps fetches",
    "bootstrap-servers": "installs Docker CE from Docker's apt repository and starts it: needs systemd as PID 1",
    "kolla-build": "builds images with a Docker engine",
    "prechecks": "checks a running Docker engine and systemd units",
    "pull": "pulls images from quay.io (beyond the registries) into a Docker engine",
    "deploy": "starts the OpenStack containers: needs a Docker engine",
    "post-deploy": "reads the deployed cloud: needs deploy",
    "openstackclient": "pip-installs with constraints from releases.openstack.org (beyond the registries)",
    "init-runonce": "needs a running cloud and downloads CirrOS from the internet",
    "verify": "boots an instance in the deployed cloud and pings/SSHes it",
    "summary": "reports on the deployed cloud",
}

pytestmark.append(pytest.mark.parametrize("aio_host", ARCHES, indirect=True))


def chosen_release() -> tuple[str, int]:
    """The release a Debian 12 host gets by default (newest supporting 12), and its kolla major."""
    wanted = os.environ.get("AIO_WIZARD_E2E_RELEASE")
    catalog = yaml.safe_load((REPO / "wizard/kolla/releases.yaml").read_text())
    releases = catalog["releases"]
    if wanted:
        match = [r for r in releases if str(r["name"]) == wanted]
        assert match, f"AIO_WIZARD_E2E_RELEASE={wanted} is not in releases.yaml"
        return str(match[0]["name"]), int(match[0]["kolla_major"])
    newest = [r for r in releases if "12" in [str(d) for d in r["debian"]]][-1]
    return str(newest["name"]), int(newest["kolla_major"])


def answers_for(arch: str, release: str) -> dict:
    """The guide's answers, for the namespace's NICs (every key given: no question is asked)."""
    return {
        "openstack_release": release,
        "image_source": "pull",
        "kolla_ansible_source": "pypi",
        "venv_path": VENV,
        "debug_tools": GUIDE_DEBUG_TOOLS,
        "remove_docker_io": False,
        "apt_archive_for_eol": False,
        "network_interface": MANAGEMENT_NIC,
        "kolla_internal_vip_address": HOST_ADDRESS,
        "enable_haproxy": "no",
        "neutron_external_interface": EXTERNAL_NIC,
        "kolla_base_distro": "debian",
        "nova_compute_virt_type": "qemu",
        "openstack_tag_suffix": "-aarch64" if arch == "arm64" else "",
        "ext_net_cidr": "10.1.1.0/24",
        "ext_net_range": {"start": "10.1.1.210", "end": "10.1.1.240"},
        "ext_net_gateway": GATEWAY,
        "run_init_runonce": True,
    }


def catalog_ids() -> list[str]:
    """Step ids in pipeline order, from the wizard's own catalog."""
    from wizard.pipeline.steps import CATALOG

    return [spec.id for spec in CATALOG]


def segments() -> list[tuple[str | None, str]]:
    """(from, until) ranges covering every step up to UNTIL except NOT_HERE, first one without --from."""
    ids = catalog_ids()
    wanted = ids[: ids.index(UNTIL) + 1]
    ranges: list[tuple[str | None, str]] = []
    current: list[str] = []
    for step_id in [*wanted, None]:
        if step_id is None or step_id in NOT_HERE:
            if current:
                ranges.append((current[0] if ranges else None, current[-1]))
            current = []
        else:
            current.append(step_id)
    return ranges


def run_argv(start: str | None, until: str) -> list[str]:
    argv = ["./aio-wizard", "run", "--answers", ANSWERS_FILE, "--non-interactive"]
    if start:
        argv += ["--from", start]
    return [*argv, "--until", until]


def installing(pid: int) -> bool:
    """dpkg driven by apt (``--status-fd``): unpacking or configuring what apt-get install fetched.

    Not apt-get's quick ``dpkg --print-architecture``, nor a recovery ``dpkg --configure -a``.
    """
    return process_name(pid) == "dpkg" and "--status-fd" in process_argv(pid)


APT_WORK = {"apt-get", "dpkg", "dpkg-deb"}


@dataclass
class RunResult:
    """Two interrupted runs (kill -9 of the wizard; then a power cut), then the runs that completed."""

    killed_wizard_left: list[str] = field(default_factory=list)  # processes that outlived the wizard
    power_cut_killed: list[str] = field(default_factory=list)
    runs: list[subprocess.CompletedProcess[str]] = field(default_factory=list)
    release: str = ""
    kolla_major: int = 0


def interrupt_during_dpkg(host: AioHost, argv: list[str], log: Path, how: str) -> list[str]:
    """Start ``argv``; once dpkg is installing inside the root, kill (``how``: "wizard" or "power")."""
    earlier = set(host.root.processes())  # orphans of an earlier kill do not count
    started = time.monotonic()
    proc = host.root.start(argv, log=log, cwd=WIZARD_DIR)
    deadline = started + RUN_TIMEOUT[host.arch]
    killed: list[str] | None = None

    def dpkg_at_work() -> bool:
        return any(installing(pid) for pid in set(host.root.processes()) - earlier)

    while proc.poll() is None and time.monotonic() < deadline:
        if dpkg_at_work():
            time.sleep(0.5)  # let dpkg get into its work
            # A dpkg with little to do (`apt-get -f install` on a healthy system) is gone by now:
            # wait for one that is still installing, so the kill lands in the middle of real work.
            if dpkg_at_work():
                killed = host.root.kill_wizard(proc) if how == "wizard" else host.root.power_cut()
                break
        time.sleep(0.1)
    TIMINGS[f"{host.arch}: run until kill -9 ({how}) in an apt step"] = time.monotonic() - started
    output = log.read_text(errors="replace")
    if killed is None:
        host.root.power_cut()
        if "not implemented" in output:
            pytest.xfail(f"`aio-wizard run` is not implemented yet: {output.strip()[-300:]}")
        what = "failed before apt-driven dpkg ran" if proc.poll() else "saw no apt-driven dpkg"
        pytest.fail(f"the run {what}; " + failure_report(host, argv, proc.poll(), output))
    return killed


@pytest.fixture(scope="module")
def installed(aio_host: AioHost) -> AioHost:
    """The README's first command on a fresh root: the launcher makes .venv and installs the wizard."""
    with timed(f"{aio_host.arch}: install (./aio-wizard --version, fresh root)"):
        done = aio_host.wizard("--version", timeout=RUN_TIMEOUT[aio_host.arch])
    assert done.returncode == 0, done.stdout[-4000:]
    aio_host.install_output = done.stdout
    return aio_host


@pytest.fixture(scope="module")
def completed_run(installed: AioHost, tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    """The run killed with SIGKILL twice while dpkg installs, then run again to the end (README's unattended path)."""
    host = installed
    release, major = chosen_release()
    result = RunResult(release=release, kolla_major=major)
    # The README's unattended path: export (our edits applied over the detected defaults), validate, run.
    host.root.file(GUIDE_ANSWERS).write_text(yaml.safe_dump(answers_for(host.arch, release), sort_keys=False))
    for command in (("export", "--answers", GUIDE_ANSWERS, "-o", ANSWERS_FILE), ("validate", ANSWERS_FILE)):
        done = host.wizard(*command, timeout=300)
        if done.returncode != 0:
            if "not implemented" in done.stdout:
                pytest.xfail(f"`aio-wizard {command[0]}` is not implemented yet: {done.stdout.strip()[-300:]}")
            pytest.fail(f"`aio-wizard {' '.join(command)}` failed ({done.returncode}):\n{done.stdout[-4000:]}")

    ranges = segments()
    logs = Path(tmp_path_factory.mktemp("run"))
    first = run_argv(*ranges[0])
    # `kill -9 PID` of the wizard: its apt-get/dpkg run on as orphans the next run must stop or wait for.
    result.killed_wizard_left = interrupt_during_dpkg(host, first, logs / "killed-wizard.log", "wizard")
    # A power cut during the next run's apt work: dpkg is left half done ("dpkg --configure -a").
    result.power_cut_killed = interrupt_during_dpkg(host, first, logs / "power-cut.log", "power")

    # The same command again (it resumes from the journal), then the ranges after the skipped steps.
    for start, until in ranges:
        with timed(f"{host.arch}: run {start or 'start'}..{until}" + (" (after kill -9)" if start is None else "")):
            done = host.root.run(run_argv(start, until), cwd=WIZARD_DIR, timeout=RUN_TIMEOUT[host.arch])
        result.runs.append(done)
        if done.returncode != 0:
            break
    _note_steps_not_run(host)
    return result


def failure_report(host: AioHost, argv: list[str], code: int | None, output: str) -> str:
    """The run's output and the tail of the step log it names (the log lives in the root)."""
    report = f"`{shlex.join(argv[argv.index('./aio-wizard') :])}` exited {code}:\n{output[-5000:]}"
    for log in dict.fromkeys(re.findall(r"log: (/var/log/aio-wizard/\S+\.log)", output)):
        text = host.root.file(log).read_text(errors="replace") if host.root.file(log).exists() else "(missing)"
        report += f"\n--- {log} (last 60 lines)\n" + "\n".join(text.splitlines()[-60:])
    return report


def _journal(host: AioHost) -> dict:
    return json.loads(host.root.file(f"{STATE_DIR}/journal.json").read_text())


def _note_steps_not_run(host: AioHost) -> None:
    try:
        plan = [entry["id"] for entry in _journal(host).get("plan", [])]
    except (OSError, ValueError):
        return
    skipped = [(s, NOT_HERE[s]) for s in plan if s in NOT_HERE]
    if UNTIL in plan:
        for step_id in plan[plan.index(UNTIL) + 1 :]:
            skipped.append((step_id, NOT_RUN_REASONS.get(step_id, "comes after the host preparation")))
    lines = [f"{host.arch}: planned steps not run in a chroot, and why:"]
    lines += [f"  {step_id:<20} {why}" for step_id, why in skipped]
    NOTES.extend(lines)
    print("\n".join(lines))


# -- install ----------------------------------------------------------------------------------


def test_readme_launcher_installs_the_wizard_on_a_fresh_debian(installed: AioHost) -> None:
    assert f"aio-wizard {_package_version()}" in installed.install_output
    assert installed.root.file(f"{WIZARD_DIR}/.venv/bin/aio-wizard").exists()
    dpkg = installed.root.run(["dpkg-query", "-W", "-f", "${Status}", "python3-venv"])
    assert dpkg.stdout.strip() == "install ok installed", "the launcher should have installed python3-venv"


def test_probe_in_the_root_sees_the_guides_network(installed: AioHost) -> None:
    done = installed.wizard("probe", "--json", timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    data = json.loads(done.stdout[done.stdout.index("{") :])
    text = json.dumps(data)
    assert MANAGEMENT_NIC in text and EXTERNAL_NIC in text
    assert HOST_ADDRESS in text


# -- the run ----------------------------------------------------------------------------------


def test_run_killed_during_apt_completes_when_run_again(completed_run: RunResult, installed: AioHost) -> None:
    for done in completed_run.runs:
        assert done.returncode == 0, failure_report(installed, done.args, done.returncode, done.stdout)
    assert len(completed_run.runs) == len(segments())
    assert APT_WORK & set(completed_run.killed_wizard_left), "apt's work should outlive a kill -9 of the wizard"
    assert APT_WORK & set(completed_run.power_cut_killed), f"power cut hit {completed_run.power_cut_killed}"


def test_hosts_file_comments_127_0_1_1_and_keeps_a_backup(completed_run: RunResult, installed: AioHost) -> None:
    hosts = installed.root.file("/etc/hosts").read_text()
    assert not re.search(r"^\s*127\.0\.1\.1\s", hosts, re.MULTILINE), hosts
    assert re.search(r"^#\s*127\.0\.1\.1\s+aio\.localdomain\s+aio", hosts, re.MULTILINE), hosts
    backup = installed.root.file("/etc/hosts.aio-wizard.bak").read_text()
    assert backup == debian_root.DEBIAN_INSTALLER_HOSTS


def test_apt_packages_are_installed(completed_run: RunResult, installed: AioHost) -> None:
    wanted = [*BUILD_PACKAGES, *GUIDE_DEBUG_TOOLS]
    if completed_run.kolla_major >= 20:
        wanted.append("libdbus-glib-1-dev")
    done = installed.root.run(["dpkg-query", "-W", "-f", "${Package} ${Status}\n", *wanted])
    states = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    missing = [p for p in wanted if states.get(p) != "install ok installed"]
    assert not missing, f"not installed: {missing}\n{done.stdout}"
    audit = installed.root.run(["dpkg", "--audit"])
    assert audit.stdout.strip() == "", f"dpkg left half-installed packages:\n{audit.stdout}"


def test_venv_holds_kolla_ansible_of_the_release_major(completed_run: RunResult, installed: AioHost) -> None:
    dist_infos = sorted(installed.root.file(VENV).glob("lib/python3*/site-packages/kolla_ansible-*.dist-info"))
    assert dist_infos, f"no kolla-ansible in {VENV}"
    version = dist_infos[-1].name.removeprefix("kolla_ansible-").removesuffix(".dist-info")
    assert int(version.split(".")[0]) == completed_run.kolla_major, version
    assert installed.root.file(f"{VENV}/bin/kolla-genpwd").exists()
    assert installed.root.file(f"{VENV}/bin/kolla-ansible").exists()


def test_etc_kolla_holds_the_config_files(completed_run: RunResult, installed: AioHost) -> None:
    kolla = installed.root.file("/etc/kolla")
    for name in ("globals.yml", "passwords.yml"):
        assert (kolla / name).is_file(), f"/etc/kolla/{name} missing: {sorted(p.name for p in kolla.iterdir())}"


def test_passwords_are_filled_and_private(completed_run: RunResult, installed: AioHost) -> None:
    path = installed.root.file("/etc/kolla/passwords.yml")
    assert path.stat().st_mode & 0o777 == 0o600
    passwords = yaml.safe_load(path.read_text())
    assert len(passwords) > 50
    # kolla-genpwd leaves its `blank_keys` empty on purpose: docker_registry_password is only for a
    # private registry (kolla_ansible/cmd/genpwd.py).
    optional = {"docker_registry_password"}
    empty = [key for key, value in passwords.items() if value in (None, "") and key not in optional]
    assert not empty, f"kolla-genpwd left these empty: {empty}"


def test_globals_parse_into_the_expected_keys(completed_run: RunResult, installed: AioHost) -> None:
    kolla = installed.root.file("/etc/kolla")
    merged: dict = {}
    for path in [kolla / "globals.yml", *sorted((kolla / "globals.d").glob("*.y*ml"))]:
        if path.is_file():
            merged.update(yaml.safe_load(path.read_text()) or {})
    expected = {
        "kolla_base_distro": "debian",
        "openstack_release": completed_run.release,
        "kolla_internal_vip_address": HOST_ADDRESS,
        "network_interface": MANAGEMENT_NIC,
        "neutron_external_interface": EXTERNAL_NIC,
        "nova_compute_virt_type": "qemu",
    }
    if installed.arch == "arm64":
        expected["openstack_tag_suffix"] = "-aarch64"
    assert {k: merged.get(k) for k in expected} == expected
    assert merged.get("enable_haproxy") in ("no", False)


def test_journal_records_the_steps_that_ran(completed_run: RunResult, installed: AioHost) -> None:
    journal = _journal(installed)
    plan = [entry["id"] for entry in journal["plan"]]
    assert UNTIL in plan
    ran = [s for s in plan[: plan.index(UNTIL) + 1] if s not in NOT_HERE]
    statuses = {step_id: journal["steps"][step_id]["status"] for step_id in plan}
    assert all(statuses[s] in ("done", "skipped") for s in ran), statuses
    assert statuses[UNTIL] == "done"
    not_run = [s for s in plan if s not in ran]
    assert all(statuses[s] not in ("done", "running") for s in not_run), statuses
    status = installed.wizard("status", timeout=120)
    assert status.returncode == 0, status.stdout
    assert UNTIL in status.stdout


def test_only_the_package_registries_were_contacted(completed_run: RunResult, installed: AioHost) -> None:
    log = installed.network.proxy.log
    assert log.allowed, "nothing went through the registry proxy: are apt and pip using it?"
    # The kolla-ansible step fetches the release's upper-constraints, outside the registries here: refused,
    # so the install goes on with the catalog's pins only, and the step's log says so.
    from wizard.kolla.releases import get_release

    constraints_host = urlsplit(get_release(completed_run.release).constraints_url).hostname
    denied = [line for line in log.denied if f" {constraints_host}:" not in line]
    assert not denied, f"requests outside the registries: {denied}"
    if len(denied) < len(log.denied):
        (step_log,) = installed.root.file("/var/log/aio-wizard").glob("*-kolla-ansible.log")
        assert "installing WITHOUT upper-constraints" in step_log.read_text(errors="replace")


def _package_version() -> str:
    match = re.search(r'^__version__ = "([^"]+)"', (REPO / "wizard/__init__.py").read_text(), re.MULTILINE)
    assert match
    return match.group(1)
