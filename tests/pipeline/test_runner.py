"""The runner with real subprocesses: retries, decisions, big output, signals, redaction, files."""

from __future__ import annotations

import os
import stat
import threading
import time

import pytest

from tests.pipeline.conftest import no_delay, plan_of, py, sh, step
from wizard.errors import UserError
from wizard.files import backup_path
from wizard.pipeline.events import (
    PlanFinished,
    PlanStarted,
    StepFinished,
    StepOutput,
    StepRetrying,
    StepStarted,
    StepSubstatus,
)
from wizard.pipeline.lock import PipelineLock
from wizard.pipeline.model import Command, FileWrite, RetryPolicy


def _counter_script(counter, fail_times: int) -> str:
    return (
        f"n=$(cat {counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {counter}; "
        f'echo "try $n"; [ $n -gt {fail_times} ]'
    )


def test_retries_a_step_that_fails_twice_then_succeeds(make_runner, dirs):
    counter = dirs["work"] / "count"
    plan = plan_of(step("flaky", sh(_counter_script(counter, 2)), retry=no_delay(2)))
    runner, rec, journal = make_runner(plan)
    assert runner.run() == "done"
    assert [e.attempt for e in rec.of(StepRetrying)] == [2, 3]
    assert [e.attempt for e in rec.of(StepStarted)] == [1, 2, 3]
    assert rec.of(StepFinished)[-1].status == "done"
    assert journal.step("flaky")["attempts"] == 3
    assert journal.step("flaky")["status"] == "done"
    assert counter.read_text().strip() == "3"


def test_decide_is_asked_after_automatic_retries_and_retry_reruns(make_runner, dirs):
    counter = dirs["work"] / "count"
    asked = []

    def decide(failure):
        asked.append(failure)
        return "retry"

    plan = plan_of(step("flaky", sh(_counter_script(counter, 2)), retry=no_delay(1)))
    runner, _rec, _journal = make_runner(plan, decide)
    assert runner.run() == "done"
    assert len(asked) == 1 and asked[0].attempts == 2 and asked[0].exit_code == 1
    assert "try 2" in asked[0].tail


def test_skip_is_recorded_and_repeated_in_the_summary(make_runner, dirs):
    plan = plan_of(step("bad", sh("echo broken; exit 3")), step("after", sh("echo after")))
    runner, rec, journal = make_runner(plan, lambda f: "skip")
    assert runner.run() == "done"
    finished = {e.step_id: e for e in rec.of(StepFinished)}
    assert finished["bad"].status == "skipped" and finished["bad"].exit_code == 3
    assert finished["after"].status == "done"
    assert rec.of(PlanFinished)[0].skipped_steps == ("bad",)
    assert journal.step("bad")["status"] == "skipped"
    assert journal.data["skipped_steps"] == ["bad"]


def test_abort_stops_at_the_failed_step(make_runner, dirs):
    marker = dirs["work"] / "ran"
    plan = plan_of(step("bad", sh("echo broken >&2; exit 4")), step("never", sh(f"touch {marker}")))
    runner, rec, journal = make_runner(plan)  # default decide: always abort
    assert runner.run() == "failed"
    assert not marker.exists()
    fin = rec.of(StepFinished)[-1]
    assert (fin.step_id, fin.status, fin.exit_code) == ("bad", "failed", 4)
    assert "broken" in fin.tail  # stderr is merged into the output
    assert rec.of(PlanFinished)[0].failed_step == "bad"
    assert journal.status == "failed" and journal.step("never")["status"] == "pending"


@pytest.mark.parametrize(
    ("steps", "status"),
    [
        ((step("ok", sh("echo ok")), step("also", sh("echo also"))), "done"),
        ((step("bad", sh("echo broken; exit 3")), step("never", sh("true"))), "failed"),
    ],
)
def test_plan_finished_is_the_last_thing_a_run_reports(make_runner, steps, status):
    runner, rec, _journal = make_runner(plan_of(*steps))  # default decide: always abort
    assert runner.run() == status
    assert isinstance(rec.events[-1], PlanFinished)
    assert rec.events[-1].status == status
    assert len(rec.of(PlanFinished)) == 1


def test_a_100_kib_line_is_logged_whole_and_shown_shortened(make_runner, dirs):
    plan = plan_of(step("long", py("import sys; sys.stdout.write('x' * 102400 + '\\nend\\n')")))
    runner, rec, _journal = make_runner(plan)
    assert runner.run() == "done"
    log = (dirs["log"] / "01-long.log").read_text()
    assert "x" * 102400 + "\n" in log
    shown = [line for line in rec.lines("long") if line.startswith("xxx")]
    assert len(shown) == 1 and len(shown[0]) < 5000 and "more characters in the log file" in shown[0]
    assert "end" in rec.lines("long")


def test_a_million_lines_all_reach_the_log_in_batches(make_runner, dirs):
    plan = plan_of(step("seq", Command(("seq", "1000000"))))
    runner, rec, _journal = make_runner(plan)
    assert runner.run() == "done"
    lines = rec.lines("seq")
    numbers = [line for line in lines if line.isdigit()]
    assert len(numbers) == 1_000_000 and numbers[0] == "1" and numbers[-1] == "1000000"
    batches = rec.of(StepOutput)
    assert len(batches) < 10_000  # batched, not one event per line
    log = (dirs["log"] / "01-seq.log").read_text().splitlines()
    assert log[-1] == "1000000" and sum(1 for line in log if line.isdigit()) == 1_000_000


def test_binary_output_and_colours_do_not_break_the_stream(make_runner, dirs):
    code = (
        "import os; os.write(1, bytes(range(256)) + b'\\n'); "
        "os.write(1, b'\\x1b[1;31mred\\x1b[0m \\xe2\\x9c'); os.write(1, b'\\x93 done\\n')"
    )
    plan = plan_of(step("bin", py(code)))
    runner, rec, _journal = make_runner(plan)
    assert runner.run() == "done"
    lines = rec.lines("bin")
    assert "red ✓ done" in lines  # a UTF-8 character split across two writes is decoded whole
    assert not any("\x1b" in line for line in lines)


def test_ansible_play_and_task_lines_become_substatus(make_runner):
    script = 'echo "PLAY [Apply role nova] ****"; echo "TASK [nova : Copying config] ****"; echo ok'
    plan = plan_of(step("ka", sh(script)))
    runner, rec, _ = make_runner(plan)
    runner.run()
    texts = [e.text for e in rec.of(StepSubstatus)]
    assert texts and texts[-1] == "TASK [nova : Copying config]"


def test_cancel_stops_a_child_that_ignores_sigterm(make_runner, dirs):
    pidfile = dirs["work"] / "pid"
    code = (
        "import os, signal, time, sys\n"
        f"open({str(pidfile)!r}, 'w').write(str(os.getpid()))\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    plan = plan_of(step("stubborn", py(code)), step("never", sh("true")))
    runner, rec, journal = make_runner(plan, grace=0.5)

    def cancel_when_ready(event):
        if isinstance(event, StepOutput) and "ready" in event.lines:
            threading.Thread(target=runner.cancel).start()

    runner.listeners.append(cancel_when_ready)
    assert runner.run() == "interrupted"
    pid = int(pidfile.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert journal.step("stubborn")["status"] == "interrupted"
    assert journal.status == "interrupted"
    assert rec.of(StepFinished)[-1].status == "interrupted"
    assert rec.of(PlanFinished)[0].status == "interrupted"


def test_the_whole_process_group_is_stopped(make_runner, dirs):
    pidfile = dirs["work"] / "grandchild"
    script = f"sleep 60 & echo $! > {pidfile}; echo ready; wait"
    plan = plan_of(step("group", sh(script)))
    runner, _rec, _journal = make_runner(plan, grace=2)

    def cancel_when_ready(event):
        if isinstance(event, StepOutput) and "ready" in event.lines:
            runner.cancel()

    runner.listeners.append(cancel_when_ready)
    assert runner.run() == "interrupted"
    grandchild = int(pidfile.read_text())
    time.sleep(0.1)  # reaping by init may lag a moment
    try:
        with open(f"/proc/{grandchild}/stat") as fh:
            assert fh.read().split()[2] == "Z"
    except FileNotFoundError:
        pass


def test_a_secret_from_the_passwords_file_is_redacted(make_runner, dirs):
    passwords = dirs["work"] / "passwords.yml"
    passwords.write_text("keystone_admin_password: s3cr3t-Pa55word-xyz\nshort: ab\n")
    plan = plan_of(
        step("leak", sh("echo 'password is s3cr3t-Pa55word-xyz, twice s3cr3t-Pa55word-xyz'; echo ab")),
        secret_files=(str(passwords),),
    )
    runner, rec, journal = make_runner(plan)
    assert runner.run() == "done"
    log = (dirs["log"] / "01-leak.log").read_text()
    assert "s3cr3t" not in log and "password is ********, twice ********" in log
    assert not any("s3cr3t" in line for line in rec.lines())
    assert "s3cr3t" not in journal.path.read_text()


def test_a_secret_written_by_an_earlier_step_is_redacted_later(make_runner, dirs):
    passwords = dirs["work"] / "passwords.yml"
    plan = plan_of(
        step("genpwd", sh(f"echo 'database_password: Gen3rated-Secret-42' > {passwords}")),
        step("use", sh("echo using Gen3rated-Secret-42")),
        secret_files=(str(passwords),),
    )
    runner, rec, _ = make_runner(plan)
    runner.run()
    assert "using ********" in rec.lines("use")


def test_log_files_are_private_and_named_by_position(make_runner, dirs):
    plan = plan_of(step("one", sh("echo 1")), step("two", sh("echo 2")))
    runner, rec, journal = make_runner(plan)
    runner.run()
    for name in ("01-one.log", "02-two.log"):
        assert stat.S_IMODE((dirs["log"] / name).stat().st_mode) == 0o600
    assert journal.step("two")["log_path"] == str(dirs["log"] / "02-two.log")
    assert rec.of(StepStarted)[1].log_path.endswith("02-two.log")


def test_the_environment_disables_prompts_and_colour(make_runner, dirs):
    plan = plan_of(
        step(
            "env",
            sh('echo "$DEBIAN_FRONTEND $ANSIBLE_NOCOLOR $ANSIBLE_FORCE_COLOR $PYTHONUNBUFFERED $X"', env={"X": "y"}),
        )
    )
    runner, rec, _ = make_runner(plan)
    runner.run()
    assert "noninteractive 1 0 1 y" in rec.lines("env")


def test_stdin_is_dev_null(make_runner):
    plan = plan_of(step("stdin", sh("read x && echo got || echo eof")))
    runner, rec, _ = make_runner(plan)
    runner.run()
    assert "eof" in rec.lines("stdin")


def test_a_missing_program_fails_with_127(make_runner):
    plan = plan_of(step("missing", Command(("/nonexistent/program",))))
    runner, rec, _ = make_runner(plan)
    assert runner.run() == "failed"
    assert rec.of(StepFinished)[-1].exit_code == 127


def test_a_done_check_skips_the_step_and_says_why(make_runner, dirs):
    marker = dirs["work"] / "never"
    plan = plan_of(step("ready", sh(f"touch {marker}"), done_check=lambda root: "it was there already"))
    runner, rec, journal = make_runner(plan)
    assert runner.run() == "done"
    assert not marker.exists()
    fin = rec.of(StepFinished)[0]
    assert fin.status == "done" and fin.reason == "already done: it was there already"
    assert rec.of(StepStarted) == []
    assert journal.step("ready")["reason"] == "already done: it was there already"


def test_files_are_written_atomically_with_a_backup(make_runner, dirs):
    root = dirs["work"] / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc/hosts").write_text("127.0.0.1 localhost\n127.0.1.1 box\n")
    from tests.pipeline.conftest import comment_127_0_1_1

    plan = plan_of(
        step("hosts", files=(FileWrite("/etc/hosts", transform=comment_127_0_1_1, backup=True),)),
        step("new", files=(FileWrite("/etc/kolla/x.yml", content="a: 1\n", mode=0o640),)),
        step("keep", files=(FileWrite("/etc/hosts", content="gone\n", if_absent=True),)),
        root=root,
    )
    runner, rec, _ = make_runner(plan)
    assert runner.run() == "done"
    assert (root / "etc/hosts").read_text() == "127.0.0.1 localhost\n#127.0.1.1 box\n"
    assert backup_path(root / "etc/hosts").read_text() == "127.0.0.1 localhost\n127.0.1.1 box\n"
    assert stat.S_IMODE((root / "etc/kolla/x.yml").stat().st_mode) == 0o640
    assert any("never overwritten" in line for line in rec.lines("keep"))


def test_a_second_pipeline_is_refused_naming_the_holder(make_runner, dirs):
    plan = plan_of(step("one", sh("true")))
    runner, _rec, _ = make_runner(plan)
    with PipelineLock(dirs["state"]), pytest.raises(UserError) as err:
        runner.run()
    assert f"process {os.getpid()}" in str(err.value)
    assert err.value.exit_code == 2


def test_a_plan_with_problems_is_refused(make_runner):
    plan = plan_of(step("one", sh("true")), problems=("train does not support Debian 12 hosts",))
    runner, rec, _ = make_runner(plan)
    with pytest.raises(UserError, match="Debian 12"):
        runner.run()
    assert rec.events == []


def test_from_and_until_limit_the_steps(make_runner, dirs):
    plan = plan_of(*(step(n, sh(f"touch {dirs['work'] / n}")) for n in ("a", "b", "c", "d")))
    runner, rec, _ = make_runner(plan)
    assert runner.run(from_step="b", until_step="c") == "done"
    assert sorted(p.name for p in dirs["work"].iterdir()) == ["b", "c"]
    started = rec.of(PlanStarted)[0]
    assert started.step_ids == ("b", "c")
    assert (started.first_index, started.total) == (2, 4)
    assert [(e.index, e.total) for e in rec.of(StepFinished)] == [(2, 4), (3, 4)]
    assert [e.index for e in rec.of(StepStarted)] == [2, 3]


def test_a_failing_listener_does_not_stop_the_run(make_runner):
    plan = plan_of(step("one", sh("echo hi")))
    runner, _rec, _ = make_runner(plan)

    def broken(event):
        raise RuntimeError("ui bug")

    runner.listeners.insert(0, broken)
    assert runner.run() == "done"


def _refuse(text: str | None) -> str:
    raise ValueError("init-runonce: no EXT_NET_CIDR= line to set (has the script changed?)")


@pytest.mark.parametrize("broken", ["transform", "not-utf8"])
def test_a_file_that_cannot_be_made_fails_the_step_like_a_command(make_runner, dirs, broken):
    root = dirs["work"] / "root"
    (root / "etc").mkdir(parents=True)
    if broken == "transform":
        (root / "etc/script").write_text("#!/bin/sh\n")
        write = FileWrite("/etc/script.patched", copy_from="/etc/script", transform=_refuse)
    else:
        (root / "etc/hosts").write_bytes(b"127.0.1.1 \xff\xfe box\n")
        from tests.pipeline.conftest import comment_127_0_1_1

        write = FileWrite("/etc/hosts", transform=comment_127_0_1_1)
    asked = []
    plan = plan_of(step("patch", files=(write,), retry=no_delay(1)), step("after", sh("true")), root=root)
    runner, rec, journal = make_runner(plan, lambda f: asked.append(f) or "abort")
    assert runner.run() == "failed"
    assert len(rec.of(StepStarted)) == 2 and len(asked) == 1  # retried, then asked like any failure
    fin = rec.of(StepFinished)[-1]
    assert (fin.step_id, fin.status, fin.exit_code) == ("patch", "failed", 1)
    assert rec.of(PlanFinished)[0].status == "failed"
    assert journal.status == "failed" and journal.step("patch")["status"] == "failed"
    assert any(line.startswith(f"error: cannot write {write.path}") for line in rec.lines("patch"))


def test_every_step_finished_event_carries_its_position_log_and_how_it_ended(make_runner, dirs):
    counter = dirs["work"] / "count"
    plan = plan_of(
        step("ready", sh("true"), done_check=lambda root: "it is there"),
        step("ok", sh("echo ok")),
        step("bad", sh(_counter_script(counter, 9)), retry=no_delay(0)),
    )
    runner, rec, journal = make_runner(plan, lambda f: "skip")
    assert runner.run() == "done"
    fins = rec.of(StepFinished)
    assert [(e.step_id, e.index, e.total) for e in fins] == [("ready", 1, 3), ("ok", 2, 3), ("bad", 3, 3)]
    assert [e.already_done for e in fins] == ["checked", "", ""]
    assert fins[2].status == "skipped" and fins[2].log_path.endswith("03-bad.log") and "try 1" in fins[2].tail
    assert journal.step("bad")["ended_at"] is not None
    again, rec2, _ = make_runner(plan, lambda f: "skip")
    assert again.run() == "done"
    earlier = {e.step_id: e for e in rec2.of(StepFinished)}
    assert earlier["ok"].already_done == "earlier-run" and earlier["ok"].index == 2
    assert earlier["ok"].reason.startswith("done in an earlier run")


def test_cancel_during_the_retry_wait_ends_the_step_with_its_log_and_tail(make_runner, dirs):
    plan = plan_of(step("flaky", sh("echo nearly; exit 1"), retry=RetryPolicy(retries=1, delays=(30.0,))))
    runner, rec, journal = make_runner(plan)
    runner.listeners.append(lambda e: runner.cancel() if isinstance(e, StepRetrying) else None)
    t0 = time.monotonic()
    assert runner.run() == "interrupted"
    assert time.monotonic() - t0 < 10
    fin = rec.of(StepFinished)[-1]
    assert (fin.status, fin.exit_code, fin.index, fin.total) == ("interrupted", 1, 1, 1)
    assert fin.log_path.endswith("01-flaky.log") and "nearly" in fin.tail
    entry = journal.step("flaky")
    assert entry["status"] == "interrupted" and entry["ended_at"] is not None and "pid" not in entry


def test_a_command_runs_in_its_cwd_created_private_under_the_plans_root(make_runner, dirs):
    root = dirs["work"] / "root"
    root.mkdir()
    plan = plan_of(step("download", sh("pwd > here; echo image > cirros.img", cwd="/var/cache/aio-wizard")), root=root)
    runner, _rec, _journal = make_runner(plan)
    assert runner.run() == "done"
    where = root / "var/cache/aio-wizard"
    assert (where / "cirros.img").read_text() == "image\n"
    assert (where / "here").read_text().strip() == str(where)
    assert stat.S_IMODE(where.stat().st_mode) == 0o700
    log = (dirs["log"] / "01-download.log").read_text()
    assert "$ cd /var/cache/aio-wizard && sh -c" in log


def test_a_cwd_that_is_not_a_directory_fails_the_step_and_runs_nothing(make_runner, dirs):
    root = dirs["work"] / "root"
    (root / "var/cache").mkdir(parents=True)
    (root / "var/cache/aio-wizard").write_text("a file in the way\n")
    marker = dirs["work"] / "ran"
    plan = plan_of(step("download", sh(f"touch {marker}", cwd="/var/cache/aio-wizard")), root=root)
    runner, _rec, _journal = make_runner(plan, decide=lambda failure: "abort")
    assert runner.run() == "failed"
    assert not marker.exists()
    assert "working directory" in (dirs["log"] / "01-download.log").read_text()


def test_what_a_command_prints_after_term_reaches_its_log(make_runner, dirs):
    """verify-cloud deletes its test server on TERM and says so: the log must show it."""
    code = (
        "import signal, sys, time\n"
        "def bye(*_):\n"
        "    print('cleanup: deleted server aio-wizard-verify', flush=True)\n"
        "    sys.exit(143)\n"
        "signal.signal(signal.SIGTERM, bye)\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    plan = plan_of(step("verify", py(code)))
    runner, _rec, _journal = make_runner(plan, grace=5.0)

    def cancel_when_ready(event):
        if isinstance(event, StepOutput) and "ready" in event.lines:
            threading.Thread(target=runner.cancel).start()

    runner.listeners.append(cancel_when_ready)
    t0 = time.monotonic()
    assert runner.run() == "interrupted"
    assert time.monotonic() - t0 < 5  # ended when the command did, not at the end of the grace period
    lines = (dirs["log"] / "01-verify.log").read_text().splitlines()  # the command line holds it too: whole lines
    assert "cleanup: deleted server aio-wizard-verify" in lines
