"""Debian 10 left Debian's mirrors: with consent the plan points apt at archive.debian.org, else refuses."""

from __future__ import annotations

from pathlib import Path

from tests.pipeline.conftest import release_plan
from tests.pipeline.hosts import DEBIAN_10_ARM64, DEBIAN_12_ARM64
from tests.support.guide import GUIDE_ANSWERS
from wizard.answers.resolve import resolve_answers
from wizard.kolla.releases import get_release
from wizard.pipeline.aptsources import to_debian_archive

BUSTER_SOURCES = """\
deb http://deb.debian.org/debian buster main contrib non-free
deb-src http://deb.debian.org/debian buster main
deb http://security.debian.org/debian-security buster/updates main contrib
deb http://deb.debian.org/debian buster-updates main
deb [arch=arm64] http://ftp.de.debian.org/debian/ buster-backports main
# deb http://deb.debian.org/debian buster main
deb https://download.docker.com/linux/debian buster stable
"""


def test_buster_sources_move_to_the_archive_and_other_lines_stay():
    assert to_debian_archive(BUSTER_SOURCES, "buster").splitlines() == [
        "deb http://archive.debian.org/debian buster main contrib non-free",
        "deb-src http://archive.debian.org/debian buster main",
        "deb http://archive.debian.org/debian-security buster/updates main contrib",
        "# aio-wizard: buster-updates is not on archive.debian.org: "
        "deb http://deb.debian.org/debian buster-updates main",
        "deb [arch=arm64] http://archive.debian.org/debian buster-backports main",
        "# deb http://deb.debian.org/debian buster main",
        "deb https://download.docker.com/linux/debian buster stable",
    ]
    once = to_debian_archive(BUSTER_SOURCES, "buster")
    assert to_debian_archive(once, "buster") == once


def test_the_archive_answer_defaults_to_true_on_buster_only():
    assert resolve_answers(DEBIAN_10_ARM64, dict(GUIDE_ANSWERS)).values["apt_archive_for_eol"] is True
    assert resolve_answers(DEBIAN_12_ARM64, dict(GUIDE_ANSWERS)).values["apt_archive_for_eol"] is False


def test_a_buster_plan_points_apt_at_the_archive_before_any_apt_step(tmp_path):
    (tmp_path / "etc/apt").mkdir(parents=True)
    (tmp_path / "etc/apt/sources.list").write_text(BUSTER_SOURCES)
    plan = release_plan("train", tmp_path, image_source="build")
    assert not [p for p in plan.problems if "apt_archive_for_eol" in p]
    ids = list(plan.step_ids)
    assert ids.index("apt-archive") < ids.index("python-prereqs")
    sources, conf = plan.step("apt-archive").files
    assert sources.backup
    _, new = sources.wanted(tmp_path)
    assert "deb http://archive.debian.org/debian buster main contrib non-free" in new
    assert conf.content.endswith('Acquire::Check-Valid-Until "false";\n')
    assert plan.step("apt-archive").is_done(tmp_path) is None
    (tmp_path / "etc/apt/sources.list").write_text(new)
    (tmp_path / "etc/apt/apt.conf.d").mkdir()
    (tmp_path / Path(conf.path).relative_to("/")).write_text(conf.content)
    assert plan.step("apt-archive").is_done(tmp_path)


def test_a_buster_plan_without_consent_is_refused_with_the_reason(tmp_path):
    plan = release_plan("train", tmp_path, image_source="build", apt_archive_for_eol=False)
    assert "apt-archive" not in plan.step_ids
    (problem,) = [p for p in plan.problems if p.startswith("apt_archive_for_eol")]
    assert "404" in problem and "archive.debian.org" in problem


def test_a_debian_on_the_mirrors_gets_no_archive_step(tmp_path):
    assert "apt-archive" not in release_plan("2025.1", tmp_path, apt_archive_for_eol=True).step_ids


def test_the_pull_step_says_what_is_known_about_the_published_images(tmp_path):
    notes = release_plan("2023.2", tmp_path).step("pull").notes
    assert get_release("2023.2").images_note in notes and "unknown" in get_release("2023.2").images_note
    for name in ("train", "ussuri", "victoria", "wallaby"):
        assert "unknown" in get_release(name).images_note
    assert release_plan("2026.1", tmp_path).step("pull").notes == ()
