"""One answer to "what does this FileWrite change here?": the plan, the runner and the done-checks agree.

``FileWrite.wanted`` decides it; ``render_plan`` shows it, ``apply_file`` writes it and the
file-only steps' done-checks (kolla-config, globals) ask it, on real files in a temporary root.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pipeline.conftest import comment_127_0_1_1, plan_of, step
from tests.pipeline.hosts import DEBIAN_10_ARM64, DEBIAN_13_X86
from tests.support.guide import GUIDE_ANSWERS
from wizard.answers.resolve import resolve_answers
from wizard.pipeline.events import StepFinished
from wizard.pipeline.model import FileWrite, files_as_wanted
from wizard.pipeline.plan import _render_file, build_plan, render_plan
from wizard.pipeline.runner import apply_file

HOSTS_EDIT = FileWrite("/etc/hosts", transform=comment_127_0_1_1, backup=True)


def test_no_etc_hosts_means_nothing_to_change_in_the_plan_and_in_the_run(make_runner, dirs):
    root = dirs["work"] / "root"
    root.mkdir()
    assert HOSTS_EDIT.wanted(root) is None
    assert "the file does not exist here: nothing to change" in _render_file(HOSTS_EDIT, root)[0]
    runner, rec, _ = make_runner(plan_of(step("hosts", files=(HOSTS_EDIT,)), root=root))
    assert runner.run() == "done"
    assert not (root / "etc/hosts").exists()  # an empty /etc/hosts would break name resolution
    assert any("/etc/hosts does not exist: nothing to change" in line for line in rec.lines("hosts"))


def test_the_plan_shows_exactly_what_the_runner_writes(tmp_path: Path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/hosts").write_text("127.0.0.1 localhost\n127.0.1.1 aio\n")
    current, new = HOSTS_EDIT.wanted(tmp_path)
    assert "+#127.0.1.1 aio" in "\n".join(_render_file(HOSTS_EDIT, tmp_path))
    assert apply_file(HOSTS_EDIT, tmp_path).startswith("wrote /etc/hosts")
    assert (tmp_path / "etc/hosts").read_text() == new != current
    assert HOSTS_EDIT.wanted(tmp_path) is None
    assert _render_file(HOSTS_EDIT, tmp_path) == ["/etc/hosts is already as wanted: unchanged"]
    assert apply_file(HOSTS_EDIT, tmp_path) == "/etc/hosts already as wanted: unchanged"


def test_content_copies_and_if_absent_files(tmp_path: Path):
    content = FileWrite("/etc/kolla/a.yml", content="a: 1\n")
    assert content.wanted(tmp_path) == (None, "a: 1\n")
    apply_file(content, tmp_path)
    assert content.wanted(tmp_path) is None and content.is_as_wanted(tmp_path)
    source = tmp_path / "src.txt"
    source.write_text("x=1\n")
    copy = FileWrite("/etc/kolla/b", copy_from="/src.txt", transform=lambda t: (t or "").upper())
    assert copy.wanted(tmp_path) == (None, "X=1\n")
    apply_file(copy, tmp_path)
    assert copy.wanted(tmp_path) is None
    keep = FileWrite("/etc/kolla/a.yml", copy_from="/missing-source", if_absent=True)
    assert keep.wanted(tmp_path) is None and keep.is_as_wanted(tmp_path)  # never reads the source
    absent = FileWrite("/etc/kolla/c.yml", copy_from="/missing-source", if_absent=True)
    assert not absent.is_as_wanted(tmp_path)
    with pytest.raises(OSError):
        absent.wanted(tmp_path)


def _plan(facts, given, root: Path):
    return build_plan(resolve_answers(facts, {**GUIDE_ANSWERS, **given}).values, facts, root=root)


@pytest.mark.parametrize(
    ("facts", "given", "path"),
    [
        (DEBIAN_13_X86, {"openstack_release": "2026.1"}, "etc/kolla/globals.d/aio-wizard.yml"),
        (DEBIAN_10_ARM64, {"openstack_release": "train", "image_source": "build"}, "etc/kolla/globals.yml"),
    ],
)
def test_the_globals_step_is_done_once_its_file_is_written(make_runner, dirs, facts, given, path):
    root = dirs["work"] / "root"
    (root / "etc/kolla").mkdir(parents=True)
    if path.endswith("globals.yml"):
        (root / path).write_text('---\n# the example\'s comment\n#kolla_base_distro: "centos"\n')
    step_ = _plan(facts, given, root).step("globals")
    assert step_.is_done(root) is None
    assert "would be skipped" not in render_plan(plan_of(step_, root=root))
    runner, _rec, _ = make_runner(plan_of(step_, root=root))
    assert runner.run() == "done"
    assert step_.is_done(root) == f"the globals already hold these answers: /{path}"
    if path.endswith("globals.yml"):  # merged into the user's file: its comments stay
        assert "# the example's comment" in (root / path).read_text()
    rerun, rec2, _ = make_runner(plan_of(step_, root=root))
    rerun.journal.data = {}  # as without a journal: only the done-check decides
    assert rerun.run() == "done"
    assert rec2.of(StepFinished)[0].already_done == "checked"


def test_kolla_config_is_done_when_every_file_exists(tmp_path: Path):
    plan = _plan(DEBIAN_13_X86, {"openstack_release": "2026.1"}, tmp_path)
    step_ = plan.step("kolla-config")
    assert step_.is_done(tmp_path) is None
    for f in step_.files:
        target = tmp_path / f.path.lstrip("/")
        if f.directory:
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("x: 1\n")
    assert files_as_wanted(step_.files, tmp_path)
    assert step_.is_done(tmp_path) == "/etc/kolla holds globals.yml, passwords.yml and the all-in-one inventory"
    (tmp_path / "etc/kolla/passwords.yml").unlink()
    assert step_.is_done(tmp_path) is None
