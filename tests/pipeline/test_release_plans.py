"""What the plan of every release in the catalog does with the real kolla-ansible's quirks."""

from __future__ import annotations

import pytest

from tests.pipeline.conftest import release_plan
from wizard.kolla.releases import release_names

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
    plan = release_plan("2024.1", tmp_path, venv_path=str(venv))
    runner, rec, _ = make_runner(plan)
    assert runner.run(from_step="deploy", until_step="deploy") == "done", rec.lines()
    assert f"BASEDIR={venv}/share/kolla-ansible" in rec.lines("deploy")
