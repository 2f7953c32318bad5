"""`aio-wizard probe` end to end: the real CLI in a subprocess, on this host or a --host-facts file."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import run_wizard
from tests.host.conftest import KVM_OK_YES, FakeRunner
from wizard.host.probe import probe_host


def guide_host_file(host_root, tmp_path: Path) -> Path:
    """The guide's box: Debian 10 arm64, the installer's 127.0.1.1 line, saved as a probe document."""
    from tests.host.conftest import GUIDE_HOST, HOSTS_DEBIAN_INSTALLER

    root = host_root(debian="10", hosts=HOSTS_DEBIAN_INSTALLER)
    facts = probe_host(root, FakeRunner({("kvm-ok",): (0, KVM_OK_YES)}), live_network=False)
    facts = dataclasses.replace(facts, nics=GUIDE_HOST.nics, default_route=GUIDE_HOST.default_route)
    path = tmp_path / "guide-host.json"
    path.write_text(json.dumps({"facts": facts.to_dict()}))
    return path


def test_json_has_facts_checks_and_defaults_with_reasons(host_root, tmp_path):
    path = guide_host_file(host_root, tmp_path)
    out = run_wizard("--host-facts", str(path), "probe", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert set(doc) == {"facts", "checks", "defaults"}
    assert doc["facts"] == json.loads(path.read_text())["facts"]
    assert {c["id"] for c in doc["checks"]} >= {"root", "os", "kvm", "external_nic", "etc_hosts", "nscd"}
    assert all(set(c) == {"id", "title", "status", "reason", "hint"} for c in doc["checks"])
    assert doc["defaults"]["network_interface"] == {
        "value": "enp1s0",
        "reason": "interface of the default route via 10.1.1.1",
    }
    assert doc["defaults"]["ext_net_range"]["value"] == {"start": "10.1.1.210", "end": "10.1.1.240"}
    assert doc["defaults"]["neutron_external_interface"]["value"] == "enx00051bb122ed"
    assert {c["id"]: c["status"] for c in doc["checks"]}["etc_hosts"] == "warn"


def test_host_facts_option_works_after_the_subcommand(host_root, tmp_path):
    path = guide_host_file(host_root, tmp_path)
    out = run_wizard("probe", "--host-facts", str(path), "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["facts"]["os"]["version_id"] == "10"


def test_text_report_fits_80_columns_and_shows_sources_checks_and_defaults(host_root, tmp_path):
    path = guide_host_file(host_root, tmp_path)
    out = run_wizard("--host-facts", str(path), "probe")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    text = out.stdout
    for heading in ("Host facts", "Network interfaces", "Preflight checks", "Detected defaults"):
        assert heading in lines
    assert "etc/os-release]" in text  # a source
    assert "WARN  Debian version: Debian 10 (buster) runs at most" in text
    assert "127.0.1.1" in text and "fix: the wizard comments it out" in text
    assert "ext_net_range: 10.1.1.210 - 10.1.1.240" in text
    assert "interface of the default route via 10.1.1.1" in text


def test_probe_of_this_host_prints_json(tmp_path):
    out = run_wizard("probe", "--json", "--offline")  # --offline: no packet leaves this machine
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["facts"]["sources"]["arch"] == "platform.machine()"
    assert doc["facts"]["nics"], "this host has at least a loopback interface"


def test_a_missing_host_facts_file_is_bad_input(tmp_path):
    out = run_wizard("--host-facts", str(tmp_path / "nope.json"), "probe")
    assert out.returncode == 2
    assert out.stderr.strip() == f"aio-wizard: {tmp_path / 'nope.json'}: no such host facts file"


def test_a_host_facts_file_of_the_wrong_shape_is_bad_input(tmp_path):
    bad = tmp_path / "list.json"
    bad.write_text("[1, 2]\n")
    out = run_wizard("--host-facts", str(bad), "probe")
    assert out.returncode == 2
    assert out.stderr.startswith(f"aio-wizard: {bad}: not a host facts JSON file")


def test_a_host_facts_file_that_is_not_json_is_bad_input(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("facts: [\n")
    out = run_wizard("--host-facts", str(bad), "probe", "--json")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert out.stderr.startswith(f"aio-wizard: {bad}: not a host facts JSON file")


def test_probe_never_imports_textual():
    code = (
        "import sys, io, contextlib\nfrom wizard.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n    main(['probe', '--json', '--offline'])\n"
        "print('\\n'.join(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(out.stdout.split())
    assert "wizard.host.probe" in loaded
    assert not any(m == "textual" or m.startswith("textual.") for m in loaded)
    assert "questionary" not in loaded


def test_report_shows_a_range_as_the_front_ends_do():
    from tests.host.conftest import GUIDE_HOST
    from wizard.answers.defaults import Default
    from wizard.answers.text_form import to_text
    from wizard.preflight.report import render_report

    value = {"start": "10.1.1.210", "end": "10.1.1.240"}
    text = render_report(GUIDE_HOST, [], {"ext_net_range": Default(value, "31 addresses")})
    assert f"  ext_net_range: {to_text('range', value)}\n" in text
