"""The real init-runonce of each release family, run the way the wizard's plan runs it, against a fake cloud.

The script comes from the kolla-ansible wheel on PyPI (newest of each family the catalog offers on Debian
12/13), cached under ``${AIO_WIZARD_TEST_CACHE:-/var/cache/aio-wizard-tests}/wheels`` so reruns are quick
and offline. The plan's init-runonce step (argv and environment exactly as planned) runs through the real
:class:`~wizard.pipeline.runner.Runner`, with the stateful fake ``openstack`` and ``curl``
(``tests/support/fake_openstack.py``) first on PATH: they are the virtualenv's ``bin`` the plan prepends.

Outside the plan's own environment the test sets only what keeps the machine untouched: the script's
``KOLLA_CONFIG_PATH`` (it reads ``${KOLLA_CONFIG_PATH:-/etc/kolla}/clouds.yaml``, so no /etc is needed),
``HOME`` (its ssh key) and the working directory (where it downloads CirrOS).
"""

from __future__ import annotations

import platform
import re
import sys
from pathlib import Path

import pytest

from tests.support.fake_openstack import FAIL_ON_ENV, FAIL_TIMES_ENV, FakeCloud, install_fakes
from tests.support.guide import GUIDE_ANSWERS, GUIDE_HOST_FILE
from tests.support.kolla_wheels import kolla_ansible_wheel, wheel_data_file
from wizard.answers.resolve import resolve_answers
from wizard.host.facts import HostFacts
from wizard.kolla.releases import load_releases
from wizard.pipeline.journal import Journal
from wizard.pipeline.model import Command, Plan, PlannedStep
from wizard.pipeline.plan import build_plan
from wizard.pipeline.runner import Runner

#: kolla-ansible majors whose init-runonce is run: 2023.1 (the first with DEMO_NET_*) and every family
#: the catalog offers on Debian 12/13 since (the newest release of each).
FAMILIES = (16, 18, 19, 20, 21, 22)
#: The failure, retry and overlap cases run on the first and the newest of them: the scripts differ only in
#: the CirrOS version (checked by test_every_family_runs_the_same_script_but_for_the_cirros_version).
EDGE_FAMILIES = (16, 22)

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="init-runonce is a Linux bash script")


def runonce_script(major: int) -> str:
    """init-runonce of the newest kolla-ansible ``major``.x (the cached wheel)."""
    return wheel_data_file(kolla_ansible_wheel(major=major), "share/kolla-ansible/init-runonce").decode()


def release_of(major: int):
    return next(r for r in load_releases() if r.kolla_major == major)


def lan_host(cidr_address: str = "10.1.1.88", gateway: str = "10.1.1.1") -> HostFacts:
    """The guide's host (Debian 12), its management NIC moved to ``cidr_address``/24 when asked."""
    data = HostFacts.load(GUIDE_HOST_FILE).to_dict()
    for nic in data["nics"]:
        for addr in nic.get("ipv4") or []:
            if addr["address"] == "10.1.1.88":
                addr["address"] = cidr_address
    data["default_route"]["gateway"] = gateway
    return HostFacts.from_dict(data)


class Cloud:
    """One fake deployment: a venv with the real script and the fakes, the plan's step, a runner."""

    def __init__(self, tmp: Path, monkeypatch: pytest.MonkeyPatch, major: int, facts: HostFacts, given=None):
        self.tmp = tmp
        self.release = release_of(major)
        venv = tmp / "venv"
        share = venv / "share" / "kolla-ansible"
        share.mkdir(parents=True)
        (share / "init-runonce").write_text(runonce_script(major))
        (share / "init-runonce").chmod(0o755)
        install_fakes(venv / "bin", tmp / "cloud")
        self.fake = FakeCloud(tmp / "cloud")
        kolla = tmp / "kolla"
        kolla.mkdir()
        (kolla / "clouds.yaml").write_text("clouds:\n  kolla-admin:\n    auth: {}\n")
        home = tmp / "home"
        (home / ".ssh").mkdir(parents=True)
        (home / ".ssh" / "id_ecdsa.pub").write_text("ecdsa-sha2-nistp256 AAAA test@aio\n")
        (tmp / "work").mkdir()
        monkeypatch.setenv("KOLLA_CONFIG_PATH", str(kolla))
        monkeypatch.setenv("HOME", str(home))
        monkeypatch.chdir(tmp / "work")
        for var in (FAIL_ON_ENV, FAIL_TIMES_ENV, "OS_CLOUD", "OS_AUTH_URL", "OS_CLIENT_CONFIG_FILE"):
            monkeypatch.delenv(var, raising=False)
        self.facts = facts
        answers = {**GUIDE_ANSWERS, **(given or {}), "openstack_release": self.release.name, "venv_path": str(venv)}
        self.answers = resolve_answers(facts, answers).values
        self.step = build_plan(self.answers, facts).step("init-runonce")
        self.runs = 0
        self.root = tmp / "root"
        self.root.mkdir()

    def run(self, decisions=(), step: PlannedStep | None = None) -> tuple[str, str]:
        """Run the step through the real runner; ``decisions`` answer its failures in turn, then abort.
        Returns the final status and the step's log."""
        left = list(decisions)
        self.runs += 1
        # the plan's root: what the step writes on the host (init-runonce's download directory) stays in tmp
        plan = Plan(steps=(step or self.step,), release=self.release.name, answers=self.answers, root=self.root)
        journal = Journal.load(self.tmp / f"state{self.runs}")
        runner = Runner(plan, journal, self.tmp / f"log{self.runs}", decide=lambda f: left.pop(0) if left else "abort")
        status = runner.run()
        log = "\n".join(p.read_text() for p in sorted((self.tmp / f"log{self.runs}").glob("*.log")))
        return status, log

    def one(self, kind: str, name: str) -> dict:
        found = self.fake.named(kind, name)
        assert len(found) == 1, f"{len(found)} {kind} named {name}"
        return found[0]

    def assert_external_network_as_answered(self) -> None:
        a = self.answers
        net = self.one("networks", "public1")
        assert net["router:external"] is True
        assert (net["provider:network_type"], net["provider:physical_network"]) == ("flat", "physnet1")
        sub = self.one("subnets", "public1-subnet")
        assert sub["network_id"] == net["id"]
        assert sub["cidr"] == a["ext_net_cidr"]
        assert sub["allocation_pools"] == [a["ext_net_range"]]
        assert sub["gateway_ip"] == a["ext_net_gateway"]
        assert sub["enable_dhcp"] is False
        router = self.one("routers", "demo-router")
        assert router["external_gateway_info"]["network_id"] == net["id"]


@pytest.fixture(params=FAMILIES, ids=lambda m: f"kolla-ansible-{m}")
def major(request) -> int:
    return request.param


@pytest.fixture(params=EDGE_FAMILIES, ids=lambda m: f"kolla-ansible-{m}")
def edge_major(request) -> int:
    return request.param


def _without_cirros_version(script: str) -> str:
    return re.sub(r"^(CIRROS_RELEASE|IMAGE_URL)=.*$", r"\1=...", script, flags=re.M)


def test_every_family_runs_the_same_script_but_for_the_cirros_version():
    scripts = {m: _without_cirros_version(runonce_script(m)) for m in FAMILIES}
    assert len(set(scripts.values())) == 1, "a family's init-runonce changed: run every test on it (EDGE_FAMILIES)"


def test_the_planned_step_runs_the_real_script_with_the_answers_in_its_environment(tmp_path, monkeypatch, major):
    cloud = Cloud(tmp_path, monkeypatch, major, lan_host())
    script_cmd, check_cmd = cloud.step.commands
    assert script_cmd.argv == (str(tmp_path / "venv/share/kolla-ansible/init-runonce"),)
    assert script_cmd.env["EXT_NET_CIDR"] == "10.1.1.0/24"
    assert script_cmd.env["EXT_NET_RANGE"] == "start=10.1.1.210,end=10.1.1.240"
    assert script_cmd.env["DEMO_NET_CIDR"] == "10.0.0.0/24"
    assert check_cmd.env == {"OS_CLOUD": "kolla-admin", "OS_CLIENT_CONFIG_FILE": "/etc/kolla/clouds.yaml"}
    assert cloud.step.retry.retries == 0  # init-runonce is never re-run blindly

    status, log = cloud.run()

    assert status == "done", log
    cloud.assert_external_network_as_answered()
    assert cloud.one("subnets", "demo-subnet")["cidr"] == "10.0.0.0/24"
    assert "external network as answered: public1 (10.1.1.0/24" in log
    [download] = cloud.fake.curl_calls()
    cirros = rf"https://github\.com/cirros-dev/cirros/releases/download/(\d+\.\d+\.\d+)//cirros-\1-{platform.machine()}"
    assert re.fullmatch(cirros + "-disk.img", download["url"]), download["url"]
    assert download["argv"][:3] == ["--fail", "-L", "-o"]
    # in the wizard's own download directory, not wherever the wizard was started (a detached run: /)
    assert download["cwd"] == str(cloud.root / "var/cache/aio-wizard")
    assert all(c["env"]["OS_CLOUD"] == "kolla-admin" for c in cloud.fake.calls())
    assert cloud.step.is_done(Path("/")).startswith("OpenStack holds it: public1 (10.1.1.0/24")


@pytest.mark.parametrize(
    ("fail_on", "left"),
    [
        ("subnet create *public1-subnet", "subnet public1-subnet does not exist"),
        ("flavor create --id 3 *", "flavor m1.medium does not exist"),
    ],
    ids=["at-public1-subnet", "at-the-third-flavor"],
)
def test_a_failure_halfway_then_retry_finishes_it_without_rerunning_init_runonce(
    tmp_path, monkeypatch, edge_major, fail_on, left
):
    cloud = Cloud(tmp_path, monkeypatch, edge_major, lan_host())
    monkeypatch.setenv(FAIL_ON_ENV, fail_on)

    status, log = cloud.run(decisions=["retry"])

    assert status == "done", log
    assert "Injected failure" in log
    assert "This tool should only be run once per deployment." in log  # the retry's script did nothing...
    assert f"missing: {left}" in log  # ...and the check said what was left, then created it
    cloud.assert_external_network_as_answered()
    assert len(cloud.fake.named("images", "cirros")) == 1
    flavors = {f["name"] for f in cloud.fake.state["flavors"]}
    assert flavors >= {"m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge"}


def test_a_retry_never_ends_done_while_public1_is_missing(tmp_path, monkeypatch, edge_major):
    cloud = Cloud(tmp_path, monkeypatch, edge_major, lan_host())
    monkeypatch.setenv(FAIL_ON_ENV, "subnet create *public1-subnet")
    monkeypatch.setenv(FAIL_TIMES_ENV, "0")  # the API keeps refusing it

    status, log = cloud.run(decisions=["retry", "retry"])

    assert status == "failed", log
    assert cloud.fake.named("subnets", "public1-subnet") == []
    assert log.count("This tool should only be run once per deployment.") == 2
    assert "the external network is not as answered:" in log
    assert "missing: subnet public1-subnet does not exist" in log
    assert cloud.step.is_done(Path("/")) is None  # a resumed install runs the step again


def test_init_runonce_alone_ends_done_on_a_retry_with_no_public1(tmp_path, monkeypatch):
    """The trap the state check closes: the script's own exit code after a partial run is 0."""
    cloud = Cloud(tmp_path, monkeypatch, 22, lan_host())
    monkeypatch.setenv(FAIL_ON_ENV, "subnet create *public1-subnet")
    script_only = PlannedStep("init-runonce", "init-runonce alone", commands=cloud.step.commands[:1])

    status, _ = cloud.run(decisions=["retry"], step=script_only)

    assert status == "done"
    assert cloud.fake.named("subnets", "public1-subnet") == []


def test_on_a_10_0_0_lan_the_demo_network_no_longer_collides(tmp_path, monkeypatch, edge_major):
    facts = lan_host("10.0.0.20", "10.0.0.1")
    given = {"ext_net_cidr": "10.0.0.0/24", "ext_net_gateway": "10.0.0.1"}
    given["ext_net_range"] = {"start": "10.0.0.210", "end": "10.0.0.240"}
    given["kolla_internal_vip_address"] = "10.0.0.20"
    cloud = Cloud(tmp_path, monkeypatch, edge_major, facts, given)
    assert cloud.answers["demo_net_cidr"] == "10.0.1.0/24"

    status, log = cloud.run()

    assert status == "done", log
    cloud.assert_external_network_as_answered()
    assert cloud.one("subnets", "demo-subnet")["cidr"] == "10.0.1.0/24"


def test_with_init_runonces_own_demo_network_a_10_0_0_lan_is_refused_by_neutron(tmp_path, monkeypatch):
    """What happened before DEMO_NET_CIDR was passed: the fake enforces Neutron's overlap rule."""
    facts = lan_host("10.0.0.20", "10.0.0.1")
    given = {"ext_net_cidr": "10.0.0.0/24", "ext_net_gateway": "10.0.0.1", "kolla_internal_vip_address": "10.0.0.20"}
    given["ext_net_range"] = {"start": "10.0.0.210", "end": "10.0.0.240"}
    cloud = Cloud(tmp_path, monkeypatch, 22, facts, given)
    script = cloud.step.commands[0]
    env = {k: v for k, v in script.env.items() if not k.startswith("DEMO_NET_")}
    old = PlannedStep("init-runonce", "init-runonce", commands=(Command(script.argv, env, script.path_prepend),))

    status, log = cloud.run(step=old)

    assert status == "failed"
    assert "Bad router request: Cidr 10.0.0.0/24 of subnet" in log
