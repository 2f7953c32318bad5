"""The plain wizard end to end on a real pseudo-terminal (questionary under TERM=linux, 80 columns)."""

from __future__ import annotations

import re
from pathlib import Path

import pexpect

from tests.support.steps import write_steps
from tests.ui.plain.conftest import CTRL_U, DOWN, default_prompts


def accept_defaults(wiz, prompts: list[str]) -> None:
    wiz.expect(re.escape("Ask the advanced questions too?"))
    wiz.send("\r")
    for prompt in prompts:
        wiz.expect(re.escape(prompt))
        wiz.send("\r")


def test_accepting_every_default_in_dry_run_ends_at_the_plan(spawn_wizard, tmp_path: Path):
    wiz = spawn_wizard("--dry-run")
    wiz.expect("Host: ampere-aio")
    accept_defaults(wiz, default_prompts())
    wiz.expect("=== Review ===")
    wiz.expect("neutron_external_interface: enx00051bb122ed")
    wiz.expect(re.escape("EXT_NET_RANGE=start=10.1.1.210,end=10.1.1.240"))
    wiz.expect(r"Plan for OpenStack 2026\.1")
    wiz.expect("What next?")
    wiz.send("\r")  # show the full plan and finish
    wiz.expect(r"\$ ")  # the plan's commands
    wiz.expect("Dry run: nothing was changed.")
    assert wiz.exit_code() == 0
    assert not (tmp_path / "state" / "journal.json").exists()
    assert not (tmp_path / "log").exists()


def test_an_invalid_answer_is_asked_again_with_the_whole_message_wrapped(spawn_wizard):
    prompts = default_prompts()
    vip = next(p for p in prompts if "kolla_internal_vip_address" in p)
    wiz = spawn_wizard("--dry-run")
    accept_defaults(wiz, prompts[: prompts.index(vip)])
    wiz.expect(re.escape(vip))
    wiz.send(CTRL_U + "10.1.1.300\r")
    wiz.expect("is not an IPv4 address")
    wiz.send(CTRL_U + "10.1.1.77\r")  # well formed, but not the host's address with haproxy off
    # longer than 80 columns with its example: wrapped, never cut ("...(e.g. 10.1")
    wiz.expect(r"must\s+be\s+the\s+host's\s+address\s+on\s+enp1s0\s+\(e\.g\.\s+10\.1\.1\.88\)")
    wiz.send(CTRL_U + "10.1.1.88\r")
    accept_defaults_rest = prompts[prompts.index(vip) + 1 :]
    for prompt in accept_defaults_rest:
        wiz.expect(re.escape(prompt))
        wiz.send("\r")
    wiz.expect("kolla_internal_vip_address: 10.1.1.88")
    wiz.expect("What next?")
    wiz.send(DOWN * 6 + "\r")  # quit (after finish, commands, save plan, change, advanced, export)
    wiz.expect("Nothing was changed.")
    assert wiz.exit_code() == 0


FLAKY_STEPS = """\
- id: first
  title: Create the marker
  commands: [[sh, -c, "echo made >> {tmp}/first.count"]]
- id: flaky
  title: Fail once, then work
  commands: [[sh, -c, "if [ -e {tmp}/tried ]; then echo fine; else touch {tmp}/tried; echo it broke; exit 3; fi"]]
"""


def test_a_failing_step_shows_its_output_and_retry_makes_it_succeed(spawn_wizard, tmp_path: Path):
    steps = write_steps(tmp_path / "steps.yaml", FLAKY_STEPS.format(tmp=tmp_path))
    wiz = spawn_wizard("--steps-file", str(steps))
    wiz.expect(r"\[1/2\] Create the marker")
    wiz.expect("What next?")
    wiz.send("\r")  # install now
    wiz.expect(re.escape("Start now?"))
    wiz.send("y")
    wiz.expect(re.escape("[1/2] Create the marker … done"))
    wiz.expect(re.escape("[2/2] Fail once, then work … FAILED (exit 3"))
    wiz.expect(re.escape("  | it broke"))
    wiz.expect("failed. What now?")
    wiz.send(DOWN * 3 + "\r")  # show the log
    wiz.expect("--- end of log ---")
    wiz.expect("failed. What now?")
    wiz.send("\r")  # retry (the default)
    wiz.expect(re.escape("[2/2] Fail once, then work (attempt 2) … done"))
    wiz.expect("Done in")
    assert wiz.exit_code() == 0
    assert (tmp_path / "first.count").read_text() == "made\n"
    assert "still running" not in wiz.output


def test_the_failure_menu_writes_a_support_bundle_and_asks_again(spawn_wizard, tmp_path: Path):
    steps = write_steps(tmp_path / "steps.yaml", FLAKY_STEPS.format(tmp=tmp_path))
    wiz = spawn_wizard("--steps-file", str(steps))
    wiz.expect("What next?")
    wiz.send("\r")  # install now
    wiz.expect(re.escape("Start now?"))
    wiz.send("y")
    wiz.expect("failed. What now?")
    wiz.expect(re.escape("Write a support bundle"))
    wiz.send(DOWN * 4 + "\r")  # the bundle, after retry, skip, abort, log
    wiz.expect(r"Support bundle written: (\S+\.tar\.gz)")
    path = Path(wiz.child.match.group(1))
    wiz.expect("failed. What now?")  # the menu again: the bundle decides nothing
    wiz.send(DOWN * 2 + "\r")  # abort
    wiz.expect(re.escape("`aio-wizard bundle` writes a support bundle"))
    assert wiz.exit_code() != 0
    assert path.parent == tmp_path and path.is_file()
    import tarfile

    with tarfile.open(path) as tar:
        assert any(name.endswith(".log") for name in tar.getnames())


SLOW_STEPS = """\
- id: first
  title: Count the runs
  commands: [[sh, -c, "echo ran >> {tmp}/first.count"]]
- id: slow
  title: Wait for the flag
  commands: [[sh, -c, "echo waiting; while [ ! -e {tmp}/flag ]; do sleep 0.1; done; echo flag seen"]]
- id: last
  title: Finish
  commands: [[sh, -c, "echo ran >> {tmp}/last.count"]]
"""


def test_an_install_stopped_with_ctrl_c_is_resumed_at_the_interrupted_step(spawn_wizard, tmp_path: Path):
    steps = write_steps(tmp_path / "steps.yaml", SLOW_STEPS.format(tmp=tmp_path))
    wiz = spawn_wizard("--steps-file", str(steps))
    wiz.expect("What next?")
    wiz.send("\r")
    wiz.expect(re.escape("Start now?"))
    wiz.send("y")
    wiz.expect(re.escape("[2/3] Wait for the flag …"))
    wiz.child.sendintr()  # Ctrl+C on the console: the install runs on its own, so the wizard asks
    wiz.expect("Detach, or stop the install?")
    wiz.send(DOWN + "\r")  # stop it
    wiz.expect("interrupted")
    assert wiz.exit_code() == 130

    (tmp_path / "flag").touch()
    wiz = spawn_wizard("--steps-file", str(steps))
    wiz.expect(re.escape("An install is under way: 1 of 3 steps done"))
    wiz.expect(re.escape("It resumes at step 2, 'Wait for the flag' (interrupted)."))
    wiz.expect("An unfinished install was found. What now?")
    wiz.send("\r")  # resume
    wiz.expect(re.escape("[1/3] Count the runs … done in an earlier run"))
    wiz.expect(re.escape("[2/3] Wait for the flag (attempt 2) … done"))
    wiz.expect(re.escape("[3/3] Finish … done"))
    wiz.expect("Done in")
    assert wiz.exit_code() == 0
    assert (tmp_path / "first.count").read_text() == "ran\n"
    assert (tmp_path / "last.count").read_text() == "ran\n"


def test_a_dumb_terminal_gets_numbered_line_prompts_without_escape_codes(spawn_wizard, tmp_path: Path):
    steps = write_steps(tmp_path / "steps.yaml", SLOW_STEPS.format(tmp=tmp_path))
    wiz = spawn_wizard("--steps-file", str(steps), "--dry-run", term="dumb")
    wiz.expect("What next?")
    wiz.expect(re.escape("Number or name [1]: "))
    wiz.send("7\r")
    wiz.expect("choose 1 to")
    wiz.send("\r")
    wiz.expect("Dry run: nothing was changed.")
    assert wiz.exit_code() == 0
    assert "\x1b" not in wiz.output


SLOW_FAILING = """\
- id: slow
  title: Fail after a while
  commands: [[sh, -c, "sleep 2; echo broke; exit 3"]]
"""


def test_keys_typed_while_a_step_runs_do_not_answer_the_failure_prompt(spawn_wizard, tmp_path: Path):
    steps = write_steps(tmp_path / "steps.yaml", SLOW_FAILING)
    wiz = spawn_wizard("--steps-file", str(steps))
    wiz.expect("What next?")
    wiz.send("\r")  # install now
    wiz.expect(re.escape("Start now?"))
    wiz.send("y")
    wiz.expect(re.escape("[1/1] Fail after a while"))
    wiz.send("\r\r")  # typed during the step
    wiz.expect("failed. What now?")
    assert wiz.child.expect([r"attempt 2", pexpect.TIMEOUT], timeout=2) == 1, wiz.output[-2000:]
    wiz.send(DOWN * 2 + "\r")  # abort
    assert wiz.exit_code() == 1
    assert "attempt 2" not in wiz.output


def test_a_dry_run_can_save_the_full_plan_to_a_file(spawn_wizard, tmp_path: Path):
    wiz = spawn_wizard("--dry-run")
    accept_defaults(wiz, default_prompts())
    wiz.expect("What next?")
    wiz.expect("Save the full plan to a file")
    wiz.send(DOWN * 2 + "\r")
    wiz.expect("Save the plan to")
    wiz.send(CTRL_U + str(tmp_path / "plan.txt") + "\r")
    wiz.expect("Saved the plan to")
    wiz.expect("What next?")
    wiz.child.terminate(force=True)
    text = (tmp_path / "plan.txt").read_text()
    assert "Plan for OpenStack 2026.1" in text and "$ " in text
    assert not (tmp_path / "state" / "journal.json").exists()


def test_a_dry_run_starts_when_the_journal_cannot_be_read_and_says_so(spawn_wizard, tmp_path: Path):
    # What a non-root dry run meets on a box where root installed: a journal it cannot read.
    # (A directory in its place fails the read for root too, so this runs as any user.)
    (tmp_path / "state" / "journal.json").mkdir(parents=True)
    wiz = spawn_wizard("--dry-run")
    wiz.expect(r"Could not read:\s")  # wrapped at words: a long path goes to the next line whole
    wiz.expect(r"journal\.json")
    wiz.expect(r"this\s+dry\s+run\s+ignores\s+it")
    wiz.expect(re.escape("Ask the advanced questions too?"))
    wiz.child.terminate(force=True)


def test_a_real_run_still_refuses_a_journal_it_cannot_read(spawn_wizard, tmp_path: Path):
    (tmp_path / "state" / "journal.json").mkdir(parents=True)
    wiz = spawn_wizard()
    wiz.expect(r"aio-wizard: \S*journal\.json")
    assert wiz.exit_code() == 2


def test_prose_before_the_questions_fits_80_columns_without_a_word_cut(spawn_wizard):
    """The terminal would hard-wrap a longer line mid-word ("extra glob" / "als.")."""
    wiz = spawn_wizard("--dry-run")
    wiz.expect(re.escape("Ask the advanced questions too?"))
    before = wiz.output.split("Ask the advanced questions too?")[0]
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", before).replace("\r", "")
    too_long = [line for line in plain.split("\n") if len(line) > 80]
    assert not too_long, too_long
    assert "registry, extra globals." in " ".join(plain.split())
    wiz.child.terminate(force=True)
