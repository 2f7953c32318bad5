"""The fake ``openstack`` is as strict as the real client where it matters, and the external-network
action reads and finishes a partial state through it (tests/support/fake_openstack.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.fake_openstack import (
    FAIL_AT_ENV,
    FAIL_ON_ENV,
    STATE_DIR_ENV,
    FakeCloud,
    install_fakes,
)

PUBLIC1 = ["network", "create", "--external", "--provider-physical-network", "physnet1"]
PUBLIC1 += ["--provider-network-type", "flat", "public1"]
SUBNET = ["subnet", "create", "--no-dhcp", "--ip-version", "4", "--allocation-pool", "start=10.1.1.210,end=10.1.1.240"]
SUBNET += ["--network", "public1", "--subnet-range", "10.1.1.0/24", "--gateway", "10.1.1.1", "public1-subnet"]


@pytest.fixture
def os_cli(tmp_path):
    bin_dir = tmp_path / "bin"
    install_fakes(bin_dir, tmp_path / "cloud")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAKE_", "OS_"))}
    env.update({"PATH": f"{bin_dir}:{env['PATH']}", "OS_CLOUD": "kolla-admin", STATE_DIR_ENV: str(tmp_path / "cloud")})

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["openstack", *args], env={**env, **extra}, capture_output=True, text=True, check=False)

    run.env = env  # type: ignore[attr-defined]
    run.cloud = FakeCloud(tmp_path / "cloud")  # type: ignore[attr-defined]
    return run


def test_unknown_commands_and_options_exit_2_with_a_message(os_cli):
    res = os_cli("network", "create", "--bogus", "x")
    assert res.returncode == 2 and "unrecognized arguments: --bogus" in res.stderr
    res = os_cli("netwerk", "list")
    assert res.returncode == 2 and "'netwerk list' is not an openstack command" in res.stderr
    assert os_cli.cloud.state["networks"] == []


def test_no_credentials_fails_like_the_client(os_cli):
    res = os_cli("image", "list", OS_CLOUD="")
    assert res.returncode == 1 and "Missing value auth-url" in res.stderr
    assert os_cli("--os-cloud=kolla-admin", "image", "list", OS_CLOUD="").returncode == 0


def test_state_persists_between_calls_and_show_prints_json(os_cli):
    assert os_cli(*PUBLIC1).returncode == 0
    assert os_cli(*SUBNET).returncode == 0
    subnet = json.loads(os_cli("subnet", "show", "public1-subnet", "-f", "json").stdout)
    assert subnet["allocation_pools"] == [{"start": "10.1.1.210", "end": "10.1.1.240"}]
    assert subnet["enable_dhcp"] is False
    assert os_cli("network", "show", "public1", "-f", "value", "-c", "id").stdout.strip() == subnet["network_id"]
    res = os_cli("network", "show", "public2")
    assert res.returncode == 1 and "No Network found for public2" in res.stderr


def test_neutron_refuses_overlapping_subnets_on_one_router(os_cli):
    for args in (
        ["router", "create", "demo-router"],
        ["network", "create", "demo-net"],
        ["subnet", "create", "--subnet-range", "10.1.1.0/24", "--network", "demo-net", "demo-subnet"],
        ["router", "add", "subnet", "demo-router", "demo-subnet"],
        PUBLIC1,
        SUBNET,
    ):
        assert os_cli(*args).returncode == 0, args
    res = os_cli("router", "set", "--external-gateway", "public1", "demo-router")
    assert res.returncode == 1
    assert "Bad router request: Cidr 10.1.1.0/24 of subnet" in res.stderr and "overlaps with cidr" in res.stderr
    assert os_cli.cloud.named("routers", "demo-router")[0]["external_gateway_info"] is None


def test_a_chosen_call_fails_by_number_or_by_pattern_once(os_cli):
    res = os_cli("image", "list", **{FAIL_AT_ENV: "1"})
    assert res.returncode == 1 and "Injected failure" in res.stderr
    assert os_cli("image", "list", **{FAIL_AT_ENV: "1"}).returncode == 0
    assert os_cli(*PUBLIC1, **{FAIL_ON_ENV: "network create *public1"}).returncode == 1
    assert os_cli.cloud.named("networks", "public1") == []
    assert os_cli(*PUBLIC1, **{FAIL_ON_ENV: "network create *public1"}).returncode == 0
    assert [c["exit"] for c in os_cli.cloud.calls()] == [1, 0, 1, 0]


def _action(os_cli, *extra: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "wizard.pipeline.actions", "external-network", "--cidr", "10.1.1.0/24"]
    argv += ["--range", "start=10.1.1.210,end=10.1.1.240", "--gateway", "10.1.1.1", *extra]
    cwd = Path(__file__).resolve().parents[2]
    return subprocess.run(argv, env=os_cli.env, capture_output=True, text=True, check=False, cwd=cwd)


def test_the_action_names_what_is_missing_and_creates_only_that(os_cli):
    for args in (["router", "create", "demo-router"], PUBLIC1):
        assert os_cli(*args).returncode == 0
    res = _action(os_cli)
    assert res.returncode == 1
    assert "missing: subnet public1-subnet does not exist" in res.stdout
    assert "missing: router demo-router has no external gateway" in res.stdout
    assert "Retry this step" in res.stdout
    res = _action(os_cli, "--create-missing")
    assert res.returncode == 0, res.stdout
    assert "+ openstack subnet create --no-dhcp" in res.stdout
    assert "+ openstack network create" not in res.stdout  # public1 existed
    assert len(os_cli.cloud.named("networks", "public1")) == 1
    assert "external network as answered: public1 (10.1.1.0/24" in _action(os_cli).stdout


def test_the_action_never_changes_what_differs_and_says_how(os_cli):
    wrong = [a if a != "10.1.1.1" else "10.1.1.254" for a in SUBNET]
    wrong = [a if a != "start=10.1.1.210,end=10.1.1.240" else "start=10.1.1.10,end=10.1.1.20" for a in wrong]
    for args in (["router", "create", "demo-router"], PUBLIC1, wrong):
        assert os_cli(*args).returncode == 0
    assert os_cli("router", "set", "--external-gateway", "public1", "demo-router").returncode == 0
    res = _action(os_cli, "--create-missing")
    assert res.returncode == 1
    assert (
        "differs: subnet public1-subnet has allocation pool 10.1.1.10-10.1.1.20, not 10.1.1.210-10.1.1.240; "
        "has gateway 10.1.1.254, not 10.1.1.1"
    ) in res.stdout
    assert "openstack subnet delete public1-subnet" in res.stdout
    assert len(os_cli.cloud.named("subnets", "public1-subnet")) == 1
