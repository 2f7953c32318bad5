"""``aio-wizard run``: the headless loop shared with ``--plain`` (numbering, exit codes, the failure prompt)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect
import yaml

from tests.conftest import REPO
from tests.support.guide import GUIDE_HOST_FILE
from tests.support.steps import write_steps

STEPS = [{"id": n, "title": f"Step {n}", "commands": [["touch", f"{{tmp}}/{n}"]]} for n in "abcde"]


def _steps(tmp_path: Path) -> str:
    return str(write_steps(tmp_path / "steps.yaml", yaml.safe_dump(STEPS).replace("{tmp}", str(tmp_path))))


def test_a_second_until_run_numbers_every_step_in_the_whole_plan(tmp_path, wizard_cli, state_dirs):
    steps = _steps(tmp_path)
    first = wizard_cli(*state_dirs, "run", "--steps-file", steps, "--non-interactive", "--until", "b")
    assert first.returncode == 0, first.stderr
    assert "[1/5] Step a" in first.stdout and "[2/5] Step b" in first.stdout
    second = wizard_cli(*state_dirs, "run", "--steps-file", steps, "--non-interactive", "--until", "c")
    assert second.returncode == 0, second.stderr
    assert "[1/5] Step a" in second.stdout
    assert "[2/5] Step b" in second.stdout
    assert "[3/5] Step c" in second.stdout
    assert "/3]" not in second.stdout
    assert (tmp_path / "c").exists() and not (tmp_path / "d").exists()


FAILING = """\
- id: ok
  title: Work
  commands: [[sh, -c, "echo fine"]]
- id: bad
  title: Break
  commands: [[sh, -c, "for i in $(seq 1 500); do echo line $i; done; exit 3"]]
"""


def _spawn_run(tmp_path: Path, steps: Path, *before: str) -> pexpect.spawn:
    env = {k: v for k, v in os.environ.items() if k not in ("AIO_WIZARD_LINE_PROMPTS", "INSIDE_EMACS")}
    env.update({"TERM": "linux", "NO_COLOR": "1", "PYTHONPATH": str(REPO)})
    argv = ["-m", "wizard", *before, "--state-dir", str(tmp_path / "state"), "--log-dir", str(tmp_path / "log")]
    argv += ["run", "--steps-file", str(steps)]
    return pexpect.spawn(sys.executable, argv, env=env, cwd=str(tmp_path), encoding="utf-8", timeout=30)


def test_an_interactive_run_asks_with_the_plain_prompt_and_shows_only_the_end_of_the_log(tmp_path):
    steps = write_steps(tmp_path / "steps.yaml", FAILING)
    child = _spawn_run(tmp_path, steps)
    child.expect("Step 'Break' failed. What now?")
    child.expect(r"Number or name \[1\]: ")
    child.send("log\r")
    child.expect("--- .* \\(last lines\\) ---")
    child.expect("--- end of log ---")
    shown = child.before
    assert "line 500" in shown
    assert "line 400\r\n" not in shown  # the last 60 lines, not the whole log
    child.expect(r"Number or name \[1\]: ")
    child.send("abort\r")
    child.expect("resume with: ")
    child.expect(re.escape("`aio-wizard bundle` writes a support bundle"))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1


def test_the_run_failure_prompt_writes_a_support_bundle_then_asks_again(tmp_path):
    steps = write_steps(tmp_path / "steps.yaml", FAILING)
    child = _spawn_run(tmp_path, steps, "--host-facts", str(GUIDE_HOST_FILE))  # the bundle probes no real host
    child.expect(r"Number or name \[1\]: ")
    child.send("bundle\r")
    child.expect(r"Support bundle written: (\S+\.tar\.gz)")
    assert Path(child.match.group(1)).is_file()
    child.expect(r"Number or name \[1\]: ")
    child.send("abort\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1


def test_end_of_input_at_the_failure_prompt_aborts(tmp_path):
    steps = write_steps(tmp_path / "steps.yaml", FAILING)
    child = _spawn_run(tmp_path, steps)
    child.expect(r"Number or name \[1\]: ")
    child.sendeof()
    child.expect("resume with: ")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1


def test_a_run_stopped_by_until_is_unfinished_in_status_and_in_the_resume_offer(tmp_path, wizard_cli, state_dirs):
    from wizard.pipeline.journal import unfinished_install

    steps = _steps(tmp_path)
    done = wizard_cli(*state_dirs, "run", "--steps-file", steps, "--non-interactive", "--until", "b")
    assert done.returncode == 0, done.stderr
    assert "Done in" not in done.stdout and "Stopped after 'Step b' as asked" in done.stdout
    assert "3 later steps not run yet" in done.stdout
    assert "continue with: aio-wizard" in done.stderr and "--until" not in done.stderr.split("continue with:")[1]
    status = wizard_cli(*state_dirs, "status")
    assert "stopped after b (--until); 3 steps left" in status.stdout
    offer = unfinished_install(tmp_path / "state")
    assert offer is not None and (offer.done, offer.total, offer.next_step_id) == (2, 5, "c")
    assert offer.status == "stopped after b (--until)"
    rest = wizard_cli(*state_dirs, "run", "--steps-file", steps, "--non-interactive")
    assert rest.returncode == 0, rest.stderr
    assert unfinished_install(tmp_path / "state") is None
    assert "(--until)" not in wizard_cli(*state_dirs, "status").stdout


def test_a_run_with_a_skipped_step_lists_it_and_exits_4_not_0(tmp_path):
    steps = write_steps(tmp_path / "steps.yaml", FAILING)
    child = _spawn_run(tmp_path, steps)
    child.expect(r"Number or name \[1\]: ")
    child.send("skip\r")
    child.expect(pexpect.EOF)
    child.close()
    out = child.before
    assert child.exitstatus == 4, out
    assert "Done in" not in out
    assert "not a complete install" in out
    assert "- Break" in out


def test_a_run_to_the_end_with_nothing_skipped_still_exits_0(tmp_path, wizard_cli, state_dirs):
    done = wizard_cli(*state_dirs, "run", "--steps-file", _steps(tmp_path), "--non-interactive")
    assert done.returncode == 0, done.stderr
    assert "Done in" in done.stdout


def test_enter_pressed_while_a_step_runs_does_not_answer_the_failure_prompt(tmp_path):
    slow = "- id: slow\n  title: Slow\n  commands: [[sh, -c, 'sleep 2; exit 3']]\n"
    steps = write_steps(tmp_path / "steps.yaml", slow)
    child = _spawn_run(tmp_path, steps)
    child.expect(r"\[1/1\] Slow")
    child.send("\r\r")
    child.expect(r"Number or name \[1\]: ")
    assert child.expect([r"attempt 2", pexpect.TIMEOUT], timeout=2) == 1
    child.send("abort\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
