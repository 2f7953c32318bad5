"""The control channel and the attachment, without a daemon: decision records, following a log, options."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from wizard.pipeline.events import PlanStarted, StepOutput, StepStarted
from wizard.service import control
from wizard.service.attach import Attachment
from wizard.service.options import InstallOptions


def test_a_decision_is_taken_once_and_the_record_removed(tmp_path: Path):
    path = control.write_decision(tmp_path, "flaky", 2, "retry")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert control.take_decision(tmp_path, "flaky", 1) is None  # another attempt's answer is not this one's
    assert control.take_decision(tmp_path, "flaky", 2) == "retry"
    assert not path.exists()
    assert control.take_decision(tmp_path, "flaky", 2) is None


def test_a_record_others_could_write_is_refused(tmp_path: Path):
    path = control.write_decision(tmp_path, "flaky", 1, "skip")
    os.chmod(path, 0o666)
    assert control.take_decision(tmp_path, "flaky", 1) is None
    assert not path.exists()


def test_an_unknown_decision_is_refused(tmp_path: Path):
    path = control.decision_path(tmp_path, "flaky", 1)
    path.write_text(json.dumps({"decision": "rm -rf"}))
    os.chmod(path, 0o600)
    assert control.take_decision(tmp_path, "flaky", 1) is None


def _running_journal(state: Path, log: Path) -> None:
    state.mkdir()
    journal = {
        "version": 1,
        "status": "running",
        "started_at": 1.0,
        "source": "steps-file:x",
        "plan": [{"id": "big", "title": "Big"}],
        "steps": {"big": {"status": "running", "attempts": 1, "started_at": 2.0, "log_path": str(log)}},
    }
    (state / "journal.json").write_text(json.dumps(journal))


def test_attaching_mid_step_reads_the_end_of_the_log_not_all_of_it(tmp_path: Path):
    log = tmp_path / "big.log"
    log.write_text("".join(f"line {i}\n" for i in range(200_000)))
    _running_journal(tmp_path / "state", log)
    events: list = []
    attachment = Attachment(tmp_path / "state", [events.append], tail_bytes=4096)
    attachment._reload()
    attachment._begin()
    attachment._apply_journal()
    assert isinstance(events[0], PlanStarted) and isinstance(events[1], StepStarted)
    shown = "\n".join(e.text for e in events if isinstance(e, StepOutput))
    assert shown.endswith("line 199999")
    assert "line 0\n" not in shown and len(shown) <= 4096  # whole lines from the tail only
    with open(log, "a") as fh:
        fh.write("appended 1\nappended 2\npartial")
    events.clear()
    attachment._read_log()
    assert [e.text for e in events] == ["appended 1\nappended 2"]  # the partial line waits for its end


def test_options_are_built_once_from_any_subcommand_namespace():
    ns = argparse.Namespace(state_dir="/s", log_dir="/l", host_facts=None, steps_file="x.yml", debug=True)
    options = InstallOptions.from_args(ns)
    assert options.state_dir == Path("/s") and options.steps_file == "x.yml" and options.debug
    assert options.from_step is None and not options.non_interactive  # options the subcommand lacks: defaults
