"""What the plan of every release in the catalog does with the real kolla-ansible's quirks."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.pipeline.conftest import release_plan
from tests.support.kolla_wheels import kolla_ansible_wheel, wheel_data_file
from wizard.kolla.releases import get_release, load_releases, release_names
from wizard.kolla.requirements import pin_collection_ref

RELEASES = release_names()


def _venv_commands(plan):
    for s in plan.steps:
        for cmd in s.commands:
            name = cmd.argv[0].rsplit("/", 1)[-1]
            if cmd.argv[0].startswith("/opt/kolla-venv/bin/") and name.startswith("kolla-"):
                yield s.id, cmd


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("image_source", ["pull", "build"])
def test_every_kolla_command_runs_with_virtual_env_set_to_the_venv(release, image_source, tmp_path):
    plan = release_plan(release, tmp_path, image_source=image_source)
    seen = list(_venv_commands(plan))
    assert {"bootstrap-servers", "prechecks", "deploy", "post-deploy", "genpwd", "certificates"} <= {s for s, _ in seen}
    for step_id, cmd in seen:
        assert cmd.env.get("VIRTUAL_ENV") == "/opt/kolla-venv", (step_id, cmd.display)
        assert cmd.path_prepend == ("/opt/kolla-venv/bin",)


def test_the_runner_gives_the_bash_cli_the_virtual_env_it_needs(tmp_path, make_runner):
    """A stand-in for kolla-ansible 18's find_base_dir: playbooks only under $VIRTUAL_ENV/share."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    script = venv / "bin/kolla-ansible"
    script.write_text(
        "#!/bin/sh\n"
        'dir=$(readlink -f "$(dirname "$0")")\n'
        'if [ -n "$VIRTUAL_ENV" ] && [ "$dir" = "$(readlink -f "$VIRTUAL_ENV/bin")" ]; then\n'
        '  echo "BASEDIR=$VIRTUAL_ENV/share/kolla-ansible"; exit 0\n'
        "fi\n"
        'echo "ERROR! the playbook: $(dirname "$dir")/ansible/kolla-host.yml could not be found"; exit 1\n'
    )
    script.chmod(0o755)
    # A venv under the test's temporary directory is refused for a real host (venv_path): this test is about
    # the environment the runner gives the command, so the plan runs without that host problem.
    plan = dataclasses.replace(release_plan("2024.1", tmp_path, venv_path=str(venv)), problems=())
    runner, rec, _ = make_runner(plan)
    assert runner.run(from_step="deploy", until_step="deploy") == "done", rec.lines()
    assert f"BASEDIR={venv}/share/kolla-ansible" in rec.lines("deploy")


COLLECTIONS = Path(__file__).resolve().parents[2] / ".." / "shared" / "kolla-collections"

def test_install_deps_of_2024_1_takes_the_collection_from_the_branch_that_exists(tmp_path):
    original = wheel_data_file(kolla_ansible_wheel("18.8.0"), "share/kolla-ansible/requirements.yml").decode()
    assert "version: stable/2024.1" in original  # what 18.x asks for: that branch is gone
    release = get_release("2024.1")
    fixed = yaml.safe_load(pin_collection_ref(original, release.collection_ref))
    before = yaml.safe_load(original)
    assert len(fixed["collections"]) == len(before["collections"])
    (entry,) = [c for c in fixed["collections"] if "ansible-collection-kolla" in c["name"]]
    assert entry == {**before["collections"][0], "version": "unmaintained/2024.1"}
    if not COLLECTIONS.is_dir():
        pytest.skip(f"no collection snapshots at {COLLECTIONS} (../shared/kolla-collections)")
    tarball = COLLECTIONS / f"ansible-collection-kolla-{entry['version'].replace('/', '-')}.tar.gz"
    assert tarball.exists(), f"no snapshot of {entry['version']} in {COLLECTIONS}"

    # the plan writes exactly this file where install-deps reads it, before it runs
    venv = tmp_path / "venv"
    share = venv / "share/kolla-ansible"
    share.mkdir(parents=True)
    (share / "requirements.yml").write_text(original)
    plan = release_plan("2024.1", tmp_path, venv_path=str(venv))
    step = plan.step("install-deps")
    (write,) = step.files
    assert write.path == str(share / "requirements.yml") and write.backup
    _, new = write.wanted(Path("/"))
    assert yaml.safe_load(new) == fixed
    assert step.commands[-1].argv == (str(venv / "bin/kolla-ansible"), "install-deps")


def test_pinning_the_collection_ref_keeps_every_other_requirement():
    text = (
        "---\ncollections:\n  - name: ansible.posix\n    version: <2\n"
        "  - name: https://opendev.org/openstack/ansible-collection-kolla\n    type: git\n    version: stable/zed\n"
    )
    fixed = yaml.safe_load(pin_collection_ref(text, "zed-eol"))
    assert fixed["collections"] == [
        {"name": "ansible.posix", "version": "<2"},
        {"name": "https://opendev.org/openstack/ansible-collection-kolla", "type": "git", "version": "zed-eol"},
    ]
    with pytest.raises(ValueError, match="no ansible-collection-kolla"):
        pin_collection_ref("collections:\n  - name: ansible.posix\n", "x")


@pytest.mark.parametrize("release", [r.name for r in load_releases() if r.install_deps])
def test_every_release_with_install_deps_says_where_its_collection_lives(release, tmp_path):
    rel = get_release(release)
    assert rel.collection_ref in (f"stable/{rel.name}", f"unmaintained/{rel.name}", f"{rel.name}-eol")
    step = release_plan(release, tmp_path).step("install-deps")
    assert bool(step.files) == (rel.collection_ref != f"stable/{rel.name}")


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("image_source", ["pull", "build"])
def test_kolla_ansible_kolla_and_the_client_install_with_the_release_constraints_and_pins(
    release, image_source, tmp_path
):
    rel = get_release(release)
    plan = release_plan(release, tmp_path, image_source=image_source)
    for step_id in ("kolla-ansible", "openstackclient"):
        fetch, *installs = plan.step(step_id).commands
        assert fetch.argv[3:6] == (
            "upper-constraints",
            rel.constraints_url,
            "/opt/kolla-venv/aio-wizard-upper-constraints.txt",
        )
        for cmd in installs:
            assert cmd.argv[1] == "install" and cmd.argv[-2:] == (
                "-c",
                "/opt/kolla-venv/aio-wizard-upper-constraints.txt",
            )
        main = [c for c in installs if "kolla" in c.argv[2] or c.argv[2] == "python-openstackclient"]
        assert len(main) == (2 if image_source == "build" and step_id == "kolla-ansible" else 1)
        for cmd in main:
            assert set(rel.pins) <= set(cmd.argv)


def test_releases_that_the_docker_sdk_or_passlib_break_pin_requests_and_bcrypt():
    assert {"requests<2.32", "bcrypt<4.1"} <= set(get_release("2024.1").pins)
    assert "requests<2.32" in get_release("train").pins
    assert "bcrypt<4.1" in get_release("2024.2").pins and "requests<2.32" not in get_release("2024.2").pins


@pytest.mark.parametrize("release", RELEASES)
def test_each_release_takes_its_constraints_from_a_url_that_still_exists(release):
    rel = get_release(release)
    if rel.collection_ref == f"stable/{rel.name}":  # maintained: the redirect to stable/<release> works
        assert rel.constraints_url == f"https://releases.openstack.org/constraints/upper/{rel.name}"
    else:  # the branch is gone: a tag of openstack/requirements that never moves
        assert rel.constraints_url in (
            f"https://opendev.org/openstack/requirements/raw/tag/{rel.name}-{end}/upper-constraints.txt"
            for end in ("eom", "eol")
        )


def test_the_constraints_action_drops_the_pinned_lines_and_keeps_the_rest(tmp_path):
    uc = tmp_path / "uc.txt"
    uc.write_text("requests===2.31.0\nbcrypt===4.0.1\ndocker===7.0.0\nPyYAML===6.0;python_version>='3.8'\n")
    out = tmp_path / "out.txt"
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "wizard.pipeline.actions",
            "upper-constraints",
            uc.as_uri(),
            str(out),
            "--without",
            "requests",
            "--without",
            "pyyaml",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert out.read_text().splitlines() == ["bcrypt===4.0.1", "docker===7.0.0"]


def test_unreachable_constraints_are_installed_without_and_said_so(tmp_path, capsys):
    from wizard.pipeline.actions import upper_constraints

    out = tmp_path / "out.txt"
    assert upper_constraints((tmp_path / "missing").as_uri(), str(out), ["requests"], attempts=1) == 0
    assert "WITHOUT upper-constraints" in capsys.readouterr().out
    assert all(line.startswith("#") for line in out.read_text().splitlines())


def _argument(argv, flag):
    return argv[argv.index(flag) + 1] if flag in argv else None


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_build_mode_names_the_images_as_the_globals_make_kolla_ansible_look_for_them(release, arch, tmp_path):
    from wizard.kolla.globals_file import wizard_globals

    rel = get_release(release)
    plan = release_plan(release, tmp_path, arch=arch, image_source="build")
    g = wizard_globals(plan.answers, rel)
    argv = plan.step("kolla-build").commands[0].argv
    # kolla-ansible's defaults where the globals leave them out
    registry = g.get("docker_registry", rel.docker_registry)
    namespace = g.get("docker_namespace", rel.docker_namespace)
    assert (_argument(argv, "--registry") or "", _argument(argv, "--namespace")) == (registry, namespace)
    suffix = g.get("openstack_tag_suffix", "")
    if "{codename}" in rel.image_tag_format:  # openstack_tag of kolla-ansible 15+
        tag = f"{g['openstack_release']}-{g['kolla_base_distro']}-{rel.image_codename}{suffix}"
    else:  # openstack_release ~ openstack_tag_suffix
        tag = f"{g['openstack_release']}{suffix}"
    assert _argument(argv, "--tag") == tag
    assert tag.endswith("-aarch64") == (arch == "aarch64")
    # built images are never named as the published ones: nothing can pull over them
    assert (registry, namespace) != (rel.docker_registry, rel.docker_namespace)
    assert "pull" not in plan.step_ids
    prechecks = plan.step("prechecks").commands[0].argv
    assert "--use-test-images" not in prechecks
    assert not (registry == "quay.io" and namespace == "openstack.kolla")  # 2026.1's registry_checks.yml


@pytest.mark.parametrize(
    "version", ["14.11.0", "15.6.0", "16.7.0", "17.9.0", "18.8.0", "19.8.0", "20.6.0", "21.3.0", "22.2.0"]
)
def test_the_catalog_image_codename_is_the_one_kolla_ansible_tags_with(version):
    """kolla-ansible's own kolla_base_distro_version for debian (15+), read from the real package."""
    wheel = kolla_ansible_wheel(version)
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(("group_vars/all.yml", "group_vars/all/common.yml")))
        group_vars = yaml.safe_load(z.read(name))
    rel = next(r for r in load_releases() if r.kolla_major == int(version.split(".")[0]))
    tag_map = group_vars.get("kolla_base_distro_version_default_map")
    if tag_map is None:
        assert "{codename}" not in rel.image_tag_format
    else:
        assert rel.image_codename == tag_map["debian"]


@pytest.mark.parametrize("release", RELEASES)
def test_a_git_source_is_taken_from_a_ref_that_still_exists(release, tmp_path):
    rel = get_release(release)
    maintained = rel.name in ("2025.1", "2025.2", "2026.1")
    assert rel.git_branch == (f"stable/{rel.name}" if maintained else rel.git_branch)
    assert rel.git_branch in (f"stable/{rel.name}", f"unmaintained/{rel.name}", f"{rel.name}-eol")
    assert maintained == rel.git_branch.startswith("stable/")
    plan = release_plan(release, tmp_path, kolla_ansible_source="git", image_source="build")
    installs = [c.argv[2] for c in plan.step("kolla-ansible").commands if c.argv[1:2] == ("install",)]
    assert f"git+https://opendev.org/openstack/kolla-ansible@{rel.git_branch}" in installs
    assert f"git+https://opendev.org/openstack/kolla@{rel.git_branch}" in installs


def test_the_preflight_step_checks_the_plans_own_answers(tmp_path):
    from wizard.pipeline.actions import preflight_options

    plan = release_plan("2025.1", tmp_path, enable_haproxy="yes", kolla_internal_vip_address="10.1.1.250")
    argv = plan.step("preflight").commands[0].argv
    assert argv[3:6] == ("preflight", "--release", "2025.1")
    assert list(argv[6:]) == preflight_options(plan.answers)
    assert argv[argv.index("--vip") : argv.index("--vip") + 2] == ("--vip", "10.1.1.250")
