"""The probe, the hosts-file step and its done-check agree on what a 127.0.1.1 line is.

The probe warns about the line, the step comments it out, and the done-check says whether the
step is still needed: if they read /etc/hosts differently, the probe could warn about a line the
step leaves alone and then reports as done.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wizard.host.services import hosts_127_0_1_1
from wizard.pipeline.steps import _hosts_done, comment_127_0_1_1


@pytest.mark.parametrize(
    ("hosts", "edited"),
    [
        ("127.0.0.1 localhost\n127.0.1.1 aio\n", "127.0.0.1 localhost\n#127.0.1.1 aio\n"),
        ("127.0.1.1\taio.example aio\n", "#127.0.1.1\taio.example aio\n"),
        ("  127.0.1.1 aio  # installer\n", "#  127.0.1.1 aio  # installer\n"),
    ],
)
def test_every_line_the_probe_reports_is_commented_and_then_done(tmp_path: Path, hosts: str, edited: str):
    (tmp_path / "etc").mkdir()
    hosts_file = tmp_path / "etc/hosts"
    hosts_file.write_text(hosts)
    assert hosts_127_0_1_1(tmp_path)[0] is not None
    assert _hosts_done(None, tmp_path) is None
    hosts_file.write_text(comment_127_0_1_1(hosts))
    assert hosts_file.read_text() == edited
    assert hosts_127_0_1_1(tmp_path)[0] is None
    assert _hosts_done(None, tmp_path) == "no uncommented 127.0.1.1 line in /etc/hosts"


@pytest.mark.parametrize("hosts", ["127.0.1.10 other\n", "#127.0.1.1 aio\n", "10.1.1.88 aio\n"])
def test_lines_that_are_not_a_127_0_1_1_entry_are_left_alone(tmp_path: Path, hosts: str):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/hosts").write_text(hosts)
    assert comment_127_0_1_1(hosts) == hosts
    assert hosts_127_0_1_1(tmp_path)[0] is None
    assert _hosts_done(None, tmp_path) is not None
