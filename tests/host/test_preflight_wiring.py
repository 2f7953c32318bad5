"""Where the checks run: probe, the front ends' sessions and the preflight step, live or from a file."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_wizard
from tests.host.conftest import StubLive
from tests.support.guide import GUIDE_ANSWERS, GUIDE_HOST_FILE
from wizard.host.facts import HostFacts
from wizard.host.probe import live_network_probe
from wizard.host.reach import NetworkProbe
from wizard.pipeline import actions

LIVE_IDS = {"egress", "vip"}


def test_only_this_very_host_gets_the_checks_that_send_packets():
    assert isinstance(live_network_probe(None), NetworkProbe)
    assert live_network_probe("guide-host.json") is None
    assert live_network_probe(None, offline=True) is None


def test_probe_of_a_facts_file_shows_the_new_checks_but_sends_nothing():
    out = run_wizard("--host-facts", str(GUIDE_HOST_FILE), "probe", "--json")
    assert out.returncode == 0, out.stderr
    ids = {c["id"] for c in json.loads(out.stdout)["checks"]}
    assert {"ports", "ssh_route", "hostname", "ntp", "no_proxy", "management_nic", "page_size"} <= ids
    assert not ids & LIVE_IDS


def test_the_tui_session_of_a_facts_file_sends_nothing(tmp_path):
    from wizard.ui.tui.session import Session

    session = Session.create(HostFacts.load(GUIDE_HOST_FILE), state_dir=tmp_path / "s", log_dir=tmp_path / "l")
    assert not session.probed_here
    assert not {c.id for c in session.checks()} & LIVE_IDS


@pytest.fixture
def preflight_step(monkeypatch, capsys):
    """Run the preflight step's action on the guide's host with a stub network: ``(exit code, output, stub)``."""
    facts = HostFacts.load(GUIDE_HOST_FILE)
    monkeypatch.setattr("wizard.host.probe.probe_host", lambda *a, **k: facts)

    def run(*argv: str, vip: bool = False, down: dict[str, str] | None = None):
        stub = StubLive(vip=vip, down=down)
        monkeypatch.setattr("wizard.host.probe.live_network_probe", lambda *a, offline=False: None if offline else stub)
        code = actions.main(["preflight", "--release", "2026.1", *argv])
        return code, capsys.readouterr().out, stub

    return run


def test_the_preflight_step_fails_on_a_vip_in_use_with_the_plans_answers(preflight_step):
    answers = ["--network-interface", "enp1s0", "--haproxy", "yes", "--vip", "10.1.1.250"]
    code, out, stub = preflight_step(*answers, vip=True)
    assert code == 1
    assert "fail  VIP is free: 10.1.1.250 is in use" in out
    assert stub.asked == [("10.1.1.250", "enp1s0")]


def test_the_preflight_step_passes_the_guides_host_and_checks_egress(preflight_step):
    code, out, stub = preflight_step("--external-interface", GUIDE_ANSWERS["neutron_external_interface"])
    assert code == 0, out
    assert "pass  downloads reachable" in out
    assert "quay.io" in {e.host for e in stub.endpoints}


def test_the_preflight_step_fails_without_egress_and_offline_skips_it(preflight_step):
    code, out, _ = preflight_step(down={"pypi.org": "dns Temporary failure in name resolution"})
    assert code == 1 and "hint: fix name resolution" in out
    code, out, _ = preflight_step("--offline", down={"pypi.org": "dns Temporary failure in name resolution"})
    assert code == 0 and "downloads reachable" not in out


def test_the_plans_answers_become_preflight_options_the_action_reads_back(preflight_step):
    options = actions.preflight_options({**GUIDE_ANSWERS, "enable_haproxy": "yes", "kolla_internal_vip_address": ""})
    assert options == [
        "--network-interface", "enp1s0", "--external-interface", "enx00051bb122ed", "--haproxy", "yes",
    ]  # fmt: skip
    code, out, _ = preflight_step(*options)
    assert "fail  VIP is free: enable_haproxy is yes but there is no VIP" in out and code == 1
