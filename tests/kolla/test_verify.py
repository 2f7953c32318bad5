"""The verify step: the planned action, run through the real runner against the fake cloud and host.

The cloud is made by the real init-runonce (kolla-ansible 22) against the stateful fake ``openstack``; then
the planned verify step runs with its own argv and environment, the fakes first on PATH (``openstack``,
``ping``, ``ssh``: nothing is sent anywhere). Only the waits are shortened (``--poll``/``--reach-timeout``
appended to the planned argv) so a test takes seconds.
"""

from __future__ import annotations

import dataclasses
import platform
import threading
import time

import pytest

from tests.kolla.test_init_runonce import Cloud, lan_host
from tests.support.fake_openstack import (
    BUILD_SHOWS_ENV,
    FAIL_ON_ENV,
    PING_FAIL_ENV,
    PING_LARGE_FAIL_ENV,
    SERVER_FAULT_ENV,
    SSH_FAIL_ENV,
    SSH_UNAME_ENV,
)
from wizard.answers.resolve import resolve_answers
from wizard.kolla.verify import PREFIX, pick_image, results_from_log
from wizard.pipeline.hints import find_hint
from wizard.pipeline.journal import Journal
from wizard.pipeline.model import Plan
from wizard.pipeline.plan import build_plan
from wizard.pipeline.runner import Runner

FAST = ("--poll", "0.05", "--reach-timeout", "0.3")
SSH_OPTS = [
    "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
    "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
]  # fmt: skip


@pytest.fixture
def cloud(tmp_path, monkeypatch) -> Cloud:
    """A fake cloud as init-runonce (22) leaves it, and init-runonce's key in the fake HOME."""
    for var in (BUILD_SHOWS_ENV, SERVER_FAULT_ENV, PING_FAIL_ENV, PING_LARGE_FAIL_ENV, SSH_FAIL_ENV, SSH_UNAME_ENV):
        monkeypatch.delenv(var, raising=False)
    c = Cloud(tmp_path, monkeypatch, 22, lan_host())
    (tmp_path / "home" / ".ssh" / "id_ecdsa").write_text("not a real key\n")
    status, log = c.run()
    assert status == "done", log
    return c


def verify_step(cloud: Cloud, *extra: str):
    step = build_plan(cloud.answers, cloud.facts).step("verify")
    [cmd] = step.commands
    return dataclasses.replace(step, commands=(dataclasses.replace(cmd, argv=(*cmd.argv, *FAST, *extra)),))


def leftovers(cloud: Cloud) -> tuple[list, list]:
    state = cloud.fake.state
    return state["servers"], state["floating_ips"]


def test_the_planned_step_is_the_verify_action_with_init_runonces_credentials(cloud):
    step = build_plan(cloud.answers, cloud.facts).step("verify")
    [cmd] = step.commands
    assert cmd.argv[1:] == ("-m", "wizard.pipeline.actions", "verify-cloud", "--boot-timeout", "300")
    assert cmd.env == {"OS_CLOUD": "kolla-admin", "OS_CLIENT_CONFIG_FILE": "/etc/kolla/clouds.yaml"}
    assert step.optional and step.retry.retries == 0
    assert set(step.depends_on) == {"run_init_runonce", "verify_cloud"}
    ids = [s.id for s in build_plan(cloud.answers, cloud.facts).steps]
    assert ids[-3:] == ["init-runonce", "verify", "summary"]


def test_verify_is_left_out_when_answered_false_or_without_init_runonce(cloud):
    for given in ({"verify_cloud": False}, {"run_init_runonce": False}):
        answers = resolve_answers(cloud.facts, {**cloud.answers, **given}).values
        assert "verify" not in [s.id for s in build_plan(answers, cloud.facts).steps]


def test_a_working_cloud_boots_pings_sshes_and_leaves_nothing_behind(cloud, monkeypatch):
    monkeypatch.setenv(BUILD_SHOWS_ENV, "3")

    status, log = cloud.run(step=verify_step(cloud))

    assert status == "done", log
    creates = [c["argv"] for c in cloud.fake.calls() if c["command"].startswith("server create")]
    [create] = creates
    name = create[-3]
    assert name.startswith(PREFIX)
    assert create == [
        "server", "create", "--image", "cirros", "--flavor", "m1.tiny", "--key-name", "mykey",
        "--network", "demo-net", name, "-f", "json",
    ]  # fmt: skip
    assert log.count(f"waiting for {name}: BUILD") == 3  # visible progress while it boots
    [fip_create] = [c["argv"] for c in cloud.fake.calls() if c["command"].startswith("floating ip create")]
    assert fip_create == ["floating", "ip", "create", "--description", name, "public1", "-f", "json"]
    address = "10.1.1.210"  # the first of the answered pool
    assert any(c["argv"][:4] == ["server", "add", "floating", "ip"] and c["argv"][-1] == address
               for c in cloud.fake.calls())  # fmt: skip
    host = [c["argv"] for c in cloud.fake.host_calls()]
    key = str(cloud.tmp / "home" / ".ssh" / "id_ecdsa")
    assert host == [
        ["-c", "3", "-W", "2", address],
        ["-c", "3", "-W", "2", "-M", "do", "-s", "1472", address],
        ["-i", key, *SSH_OPTS, f"cirros@{address}", "uname", "-m"],
    ]
    results = results_from_log(log.splitlines())
    assert [r.split(" (")[0] for r in results[:-1]] == [
        f"ok  boot {name}",
        f"ok  floating IP {address} from public1",
        f"ok  ping {address}",
        f"ok  ping -M do -s 1472 {address}",
        f"ok  ssh cirros@{address} uname -m = {platform.machine()}",
    ]
    assert results[-1].startswith("verify: ok")
    assert leftovers(cloud) == ([], [])
    assert all(c["env"]["OS_CLOUD"] == "kolla-admin" for c in cloud.fake.calls())


@pytest.mark.parametrize(
    ("env", "failed", "hint"),
    [
        (
            {SERVER_FAULT_ENV: "No valid host was found. There are not enough hosts available."},
            "FAIL boot",
            "verify-no-valid-host",
        ),
        ({FAIL_ON_ENV: "floating ip create *"}, "FAIL openstack floating ip create", None),
        ({FAIL_ON_ENV: "server add floating ip *"}, "FAIL floating IP", None),
        ({PING_FAIL_ENV: "1"}, "FAIL ping 10.1.1.210", "verify-unreachable"),
        ({PING_LARGE_FAIL_ENV: "1"}, "FAIL ping -M do -s 1472", "verify-mtu"),
        ({SSH_FAIL_ENV: "1"}, "FAIL ssh cirros@10.1.1.210", None),
        ({SSH_UNAME_ENV: "mips64"}, "FAIL ssh cirros@10.1.1.210", None),
    ],
    ids=["no-valid-host", "fip-create", "fip-attach", "ping", "mtu", "ssh", "wrong-arch"],
)
def test_a_failure_at_each_stage_is_reported_with_its_hint_and_cleaned_up(cloud, monkeypatch, env, failed, hint):
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    status, log = cloud.run(step=verify_step(cloud))

    assert status == "failed", log
    assert any(line.startswith(failed) for line in log.splitlines()), log
    assert "verify: FAILED" in log
    assert leftovers(cloud) == ([], [])
    if hint:
        assert find_hint(log.splitlines()[-40:]).id == hint


def test_a_boot_that_never_ends_fails_after_the_timeout_and_is_deleted(cloud, monkeypatch):
    monkeypatch.setenv(BUILD_SHOWS_ENV, "100000")

    status, log = cloud.run(step=verify_step(cloud, "--boot-timeout", "0.5"))

    assert status == "failed"
    assert "still BUILD after" in log
    assert leftovers(cloud) == ([], [])


def test_a_leftover_of_a_killed_run_is_removed_first(cloud, monkeypatch):
    monkeypatch.setenv(SSH_FAIL_ENV, "1")
    # a run killed with SIGKILL (no clean-up possible): simulated by creating its resources directly
    from tests.support.fake_openstack import main as fake

    monkeypatch.setenv("FAKE_OPENSTACK_STATE_DIR", str(cloud.tmp / "cloud"))
    monkeypatch.setenv("OS_CLOUD", "kolla-admin")
    assert fake(["server", "create", "--image", "cirros", "--flavor", "m1.tiny", "--network", "demo-net",
                 f"{PREFIX}1"]) == 0  # fmt: skip
    assert fake(["floating", "ip", "create", "--description", f"{PREFIX}1", "public1"]) == 0
    monkeypatch.delenv(SSH_FAIL_ENV)

    status, log = cloud.run(step=verify_step(cloud))

    assert status == "done", log
    assert f"removing a leftover server of an earlier verify: {PREFIX}1" in log
    assert "removing a leftover floating IP of an earlier verify: 10.1.1.210" in log
    assert leftovers(cloud) == ([], [])


def test_a_cancel_while_it_boots_terms_the_action_and_it_still_deletes_the_server(cloud, monkeypatch):
    monkeypatch.setenv(BUILD_SHOWS_ENV, "100000")
    step = verify_step(cloud, "--boot-timeout", "60")
    plan = Plan(steps=(step,), release=cloud.release.name, answers=cloud.answers, root=cloud.root)
    runner = Runner(plan, Journal.load(cloud.tmp / "state-cancel"), cloud.tmp / "log-cancel", decide=lambda f: "abort")

    def cancel_when_booting() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not cloud.fake.state["servers"]:
            time.sleep(0.05)
        time.sleep(0.3)
        runner.cancel()

    threading.Thread(target=cancel_when_booting, daemon=True).start()
    status = runner.run()

    log = "\n".join(p.read_text() for p in (cloud.tmp / "log-cancel").glob("*.log"))
    assert status == "interrupted", log
    assert f"waiting for {PREFIX}" in log
    # the runner keeps logging after its TERM until the action exits: its clean-up ran and says so
    assert "verify: interrupted; removing what it created" in log
    assert f"deleted server {PREFIX}" in log
    assert leftovers(cloud) == ([], [])
    assert any(c["command"].startswith("server delete") for c in cloud.fake.calls())


def test_the_image_is_cirros_or_the_cirros_image_an_arm64_host_uploaded():
    assert pick_image([{"Name": "other"}, {"Name": "cirros"}]) == "cirros"
    assert pick_image([{"Name": "debian"}, {"Name": "cirros-0.6.3-aarch64"}]) == "cirros-0.6.3-aarch64"
