"""globals and init-runonce rendered against kolla-ansible's real example files (from PyPI).

Each result is parsed back: YAML for globals, ``bash`` itself for init-runonce (the script's own
variable lines are evaluated in a real shell), and must hold exactly the expected keys.
"""

from __future__ import annotations

import difflib
import re
import subprocess

import pytest
import yaml

from tests.support.guide import GUIDE_ANSWERS
from wizard.answers.resolve import resolve_answers
from wizard.kolla.globals_file import render_globals, uses_published_images, wizard_globals
from wizard.kolla.releases import get_release, load_releases
from wizard.kolla.runonce import (
    ext_net_env,
    needs_patched_runonce,
    patch_runonce,
    read_runonce_values,
    runonce_env,
)

from .conftest import guide_host

GUIDE_GLOBALS = {k: v for k, v in GUIDE_ANSWERS.items() if not k.startswith("ext_net")}


@pytest.fixture
def values() -> dict:
    return resolve_answers(guide_host()).values


def _uncommented_keys(text: str) -> dict:
    return yaml.safe_load(text) or {}


def test_2026_1_writes_a_globals_d_file_with_exactly_the_wizard_keys(values, kolla_examples):
    rendered = render_globals(
        values, get_release("2026.1"), (kolla_examples["22.2.0"] / "etc_examples/kolla/globals.yml").read_text()
    )
    assert rendered.path == "/etc/kolla/globals.d/aio-wizard.yml"
    assert not rendered.merged and not rendered.backup
    assert yaml.safe_load(rendered.content) == {
        **GUIDE_GLOBALS,
        "openstack_release": "2026.1",
        "openstack_tag_suffix": "-aarch64",
        "enable_proxysql": "no",
    }
    assert 'enable_haproxy: "no"' in rendered.content


def test_globals_d_content_does_not_depend_on_the_users_globals_yml(values, kolla_examples):
    example = (kolla_examples["22.2.0"] / "etc_examples/kolla/globals.yml").read_text()
    release = get_release("2026.1")
    assert render_globals(values, release, example).content == render_globals(values, release, None).content


def test_train_merges_into_the_example_globals_yml_keeping_every_comment(values, kolla_examples):
    example = (kolla_examples["9.0.0"] / "etc_examples/kolla/globals.yml").read_text()
    values = {**values, "openstack_release": "train", "docker_registry": "", "docker_namespace": "kolla"}
    values["extra_globals"] = {"enable_cinder": "yes", "cinder_volume_group": "cinder-volumes", "my_list": [1, 2]}
    rendered = render_globals(values, get_release("train"), example, config_dir="/tmp/x/kolla")
    assert rendered.path == "/tmp/x/kolla/globals.yml"
    assert rendered.merged and rendered.backup
    # Every line of the example is still there, in order: the merge only inserted lines.
    ops = difflib.SequenceMatcher(a=example.splitlines(), b=rendered.content.splitlines(), autojunk=False)
    assert {tag for tag, *_ in ops.get_opcodes()} == {"equal", "insert"}
    # Parsed back: exactly the wizard's keys (the example has none uncommented).
    assert _uncommented_keys(example) == {}
    assert _uncommented_keys(rendered.content) == {
        **GUIDE_GLOBALS,
        "kolla_install_type": "source",
        "openstack_release": "train-aarch64",  # Train has no openstack_tag_suffix: the tag is the release
        "enable_cinder": "yes",
        "cinder_volume_group": "cinder-volumes",
        "my_list": [1, 2],
    }


def test_each_key_lands_right_after_its_commented_example(values, kolla_examples):
    example = (kolla_examples["9.0.0"] / "etc_examples/kolla/globals.yml").read_text()
    values = {**values, "openstack_release": "train", "docker_registry": "", "docker_namespace": "kolla"}
    lines = render_globals(values, get_release("train"), example).content.splitlines()
    at = lines.index('network_interface: "enp1s0"  # set by aio-wizard')
    assert lines[at - 1] == '#network_interface: "eth0"'


def test_merging_twice_replaces_instead_of_duplicating(values, kolla_examples):
    example = (kolla_examples["9.0.0"] / "etc_examples/kolla/globals.yml").read_text()
    release = get_release("train")
    first = render_globals({**values, "openstack_release": "train"}, release, example).content
    changed = {**values, "openstack_release": "train", "network_interface": "eth2"}
    second = render_globals(changed, release, first).content
    assert second.count("network_interface: ") == 1 + example.count("network_interface: ")
    assert yaml.safe_load(second)["network_interface"] == "eth2"
    assert render_globals({**values, "openstack_release": "train"}, release, first).content == first


def test_user_set_keys_in_globals_yml_are_replaced_where_they_are(values):
    text = '---\nworkaround_ansible_issue_8743: true\nnetwork_interface: "eth0"\nenable_cinder: "yes"\n'
    merged = render_globals({**values, "openstack_release": "train"}, get_release("train"), text).content
    parsed = yaml.safe_load(merged)
    assert parsed["network_interface"] == "enp1s0"
    assert parsed["enable_cinder"] == "yes" and parsed["workaround_ansible_issue_8743"] is True


def test_globals_location_follows_the_catalog_for_every_release(values):
    for release in load_releases():
        rendered = render_globals({**values, "openstack_release": release.name}, release, "---\n")
        assert rendered.path.endswith("globals.d/aio-wizard.yml") is release.globals_d
        keys = wizard_globals(values, release)
        assert ("openstack_tag_suffix" in keys) is release.tag_suffix_var
        assert ("kolla_install_type" in keys) is release.install_type


def test_registry_and_namespace_are_written_only_when_they_differ_from_the_release(values):
    release = get_release("2026.1")
    assert "docker_registry" not in wizard_globals(values, release)
    assert uses_published_images(values, release)
    mirror = {**values, "docker_registry": "registry.local:5000"}
    assert wizard_globals(mirror, release)["docker_registry"] == "registry.local:5000"
    assert not uses_published_images(mirror, release)


def test_runonce_env_is_the_guides_external_network(values):
    assert runonce_env(values) == {
        "EXT_NET_CIDR": "10.1.1.0/24",
        "EXT_NET_RANGE": "start=10.1.1.210,end=10.1.1.240",
        "EXT_NET_GATEWAY": "10.1.1.1",
        "DEMO_NET_CIDR": "10.0.0.0/24",
        "DEMO_NET_GATEWAY": "10.0.0.1",
    }


_SCRIPT_VARS = ("EXT_NET_CIDR", "EXT_NET_RANGE", "EXT_NET_GATEWAY", "DEMO_NET_CIDR", "DEMO_NET_GATEWAY")


def _bash_values(script: str, env: dict[str, str] | None = None) -> dict[str, str]:
    """Evaluate the script's EXT_NET_*/DEMO_NET_* assignment lines in a real bash and read the variables
    (those it does not assign are left out)."""
    lines = [line for line in script.splitlines() if re.match(r"^(ENABLE_)?(EXT|DEMO)_NET_[A-Z]+=", line)]
    assigned = [v for v in _SCRIPT_VARS if any(line.startswith(v + "=") for line in lines)]
    probe = "\n".join(lines) + '\nprintf "%s\\n"' + "".join(f' "${v}"' for v in assigned) + "\n"
    out = subprocess.run(
        ["bash", "-c", probe], capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin", **(env or {})}
    ).stdout.splitlines()
    return dict(zip(assigned, out, strict=True))


def test_22_2_script_reads_the_environment_so_it_needs_no_patch(values, kolla_examples):
    script = (kolla_examples["22.2.0"] / "init-runonce").read_text()
    assert not needs_patched_runonce(get_release("2026.1"))
    assert _bash_values(script, runonce_env(values)) == runonce_env(values)


def test_train_9_0_script_ignores_the_environment_and_the_patched_copy_has_the_values(values, kolla_examples):
    script = (kolla_examples["9.0.0"] / "init-runonce").read_text()
    assert needs_patched_runonce(get_release("train"))
    assert needs_patched_runonce(get_release("train"), "9.0.0")
    assert not needs_patched_runonce(get_release("train"), "9.1.0")
    assert _bash_values(script, runonce_env(values))["EXT_NET_CIDR"] == "10.0.2.0/24"  # hard-coded
    patched = patch_runonce(script, values)
    assert _bash_values(patched) == ext_net_env(values)
    assert read_runonce_values(patched) == ext_net_env(values)
    assert "EXT_NET_CIDR='10.1.1.0/24'" in patched  # the guide's own line
    changed = [(a, b) for a, b in zip(script.splitlines(), patched.splitlines(), strict=True) if a != b]
    assert len(changed) == 3


def test_patch_refuses_a_script_without_the_assignments(values):
    with pytest.raises(ValueError, match="EXT_NET_CIDR"):
        patch_runonce("#!/bin/bash\necho hi\n", values)
