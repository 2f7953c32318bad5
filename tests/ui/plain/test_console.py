"""The console printer, fed events by hand: what an operator on a serial line reads."""

from __future__ import annotations

import io

from wizard.pipeline.events import (
    PlanFinished,
    PlanStarted,
    StepFailure,
    StepFinished,
    StepOutput,
    StepRetrying,
    StepStarted,
    StepSubstatus,
)
from wizard.ui.console import ConsolePrinter, format_duration
from wizard.ui.tui.demo import FixedClock

IDS = ("libvirt", "pull", "deploy")
TITLES = ("Stop and disable host libvirt", "Pull the images", "Deploy the services")


def make(verbose: bool = False, encoding: str = "utf-8"):
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=encoding, write_through=True)
    clock = FixedClock()
    printer = ConsolePrinter(stream, verbose=verbose, alive_interval=10.0, clock=clock, ticker=False)
    return printer, stream, raw, clock


def text(raw: io.BytesIO) -> str:
    return raw.getvalue().decode("utf-8", errors="replace")


def started(step_id: str, index: int, total: int = 24, attempt: int = 1) -> StepStarted:
    return StepStarted(step_id, index, total, TITLES[IDS.index(step_id)], attempt, f"/tmp/log/{step_id}.log")


def test_a_quiet_step_is_one_line_with_result_and_duration():
    printer, _, raw, _ = make()
    printer(PlanStarted(IDS, TITLES, "2025.1"))
    printer(started("libvirt", 7))
    printer(StepFinished("libvirt", "done", 0, 3.2))
    assert "[ 7/24] Stop and disable host libvirt … done (3 s)\n" in text(raw)


def test_without_verbose_log_lines_are_not_printed():
    printer, _, raw, _ = make()
    printer(started("pull", 1))
    printer(StepOutput.of_lines("pull", ["secret-free but noisy line"]))
    printer(StepFinished("pull", "done", 0, 1))
    assert "noisy" not in text(raw)


def test_with_verbose_log_lines_are_printed_and_the_result_gets_its_own_line():
    printer, _, raw, _ = make(verbose=True)
    printer(started("pull", 1))
    printer(StepOutput.of_lines("pull", ["first", "second"]))
    printer(StepFinished("pull", "done", 0, 61))
    out = text(raw).splitlines()
    assert out == [
        "[ 1/24] Pull the images …",
        "  | first",
        "  | second",
        "[ 1/24] Pull the images … done (1m 01s)",
    ]


def test_a_silent_step_gets_an_alive_line_with_elapsed_time_and_last_task():
    printer, _, raw, clock = make()
    printer(started("deploy", 20))
    printer(StepSubstatus("deploy", "TASK [nova : Restart nova-compute container]"))
    clock.now += 5
    printer.tick()
    assert "still running" not in text(raw)
    clock.now += 6
    printer.tick()
    clock.now += 1
    printer.tick()  # too soon for another one
    out = text(raw)
    assert out.count("still running") == 1
    assert "still running (11 s): TASK [nova : Restart nova-compute container]" in out
    clock.now += 10
    printer.tick()
    printer(StepFinished("deploy", "done", 0, 22))
    lines = text(raw).splitlines()
    assert lines[-1] == "[20/24] Deploy the services … done (22 s)"
    assert text(raw).count("still running") == 2


def test_no_alive_line_between_steps_or_while_held():
    printer, _, raw, clock = make()
    clock.now += 100
    printer.tick()
    printer(started("deploy", 1))
    with printer.hold():
        clock.now += 100
        printer.tick()
    printer.tick()  # the hold counts as output: the interval starts again
    assert "still running" not in text(raw)


def test_a_failure_prints_the_last_20_lines_the_hint_and_the_log_path():
    printer, _, raw, _ = make()
    printer(PlanStarted(IDS, TITLES, "2025.1"))
    printer(started("pull", 8))
    printer(
        StepFinished(
            "pull",
            "failed",
            1,
            4,
            hint="The registry could not be reached: check DNS and the proxy.",
            tail=tuple(f"output line {i}" for i in range(1, 31)),
            log_path="/tmp/log/pull.log",
        )
    )
    out = text(raw)
    assert "[ 8/24] Pull the images … FAILED (exit 1, 4 s)" in out
    assert "output line 10\n" not in out
    for i in range(11, 31):
        assert f"  | output line {i}\n" in out
    assert "hint: The registry could not be reached: check DNS and the proxy." in out
    assert "log: /tmp/log/pull.log" in out


def test_a_retry_is_announced_and_the_next_attempt_is_numbered():
    printer, _, raw, _ = make()
    printer(started("pull", 2))
    printer(StepRetrying("pull", 2, 5, "connection reset"))
    printer(started("pull", 2, attempt=2))
    printer(StepFinished("pull", "done", 0, 2))
    lines = text(raw).splitlines()
    assert lines == [
        "[ 2/24] Pull the images …",
        "        failed, retrying in 5 s (attempt 2): connection reset",
        "[ 2/24] Pull the images (attempt 2) … done (2 s)",
    ]


def test_a_step_that_never_started_is_numbered_from_the_plan_with_its_reason():
    printer, _, raw, _ = make()
    printer(PlanStarted(IDS, TITLES, "2025.1"))
    printer(
        StepFinished(
            "libvirt", "done", 0, 0, reason="done in an earlier run (2026-08-01T10:02:03)", already_done="earlier-run"
        )
    )
    printer(StepFinished("pull", "done", None, 0, reason="already done: images present", already_done="checked"))
    printer(StepFinished("deploy", "skipped", None, 0, reason="skipped by the user"))
    assert text(raw).splitlines()[1:] == [
        "[1/3] Stop and disable host libvirt … done",
        "        done in an earlier run (2026-08-01T10:02:03)",
        "[2/3] Pull the images … already done: images present",
        "[3/3] Deploy the services … skipped (skipped by the user)",
    ]


def test_a_failure_shown_before_the_prompt_is_not_repeated_and_stops_alive_lines():
    printer, _, raw, clock = make()
    printer(started("pull", 8))
    clock.now += 4
    failure = StepFailure("pull", "Pull the images", 1, 1, "/tmp/log/pull.log", ("boom",), "try again later", False)
    printer.show_failure(failure)
    clock.now += 100
    printer.tick()
    printer(StepFinished("pull", "failed", 1, 4, hint="try again later", tail=("boom",), log_path="/tmp/log/pull.log"))
    out = text(raw)
    assert out.startswith("[ 8/24] Pull the images … FAILED (exit 1, 4 s)\n")
    assert out.count("  | boom") == 1
    assert out.count("hint: try again later") == 1
    assert "still running" not in out


def test_the_summary_repeats_the_skipped_steps_and_never_says_done():
    printer, _, raw, _ = make()
    printer(PlanStarted(IDS, TITLES, "2025.1"))
    printer(StepFinished("libvirt", "skipped", None, 0, reason="skipped by the user"))
    printer(started("pull", 2, total=3))
    printer(StepFinished("pull", "done", 0, 2))
    printer(PlanFinished("done", 125, None, ("libvirt",)))
    out = text(raw)
    assert "Done in" not in out
    summary = out[out.index("Finished in 2m 05s, but 1 step skipped: not a complete install.") :]
    assert "Skipped steps (1):" in summary
    assert "- Stop and disable host libvirt: skipped by the user" in summary


def test_a_failed_plan_names_the_failed_step():
    printer, _, raw, _ = make()
    printer(PlanStarted(IDS, TITLES, "2025.1"))
    printer(PlanFinished("failed", 10, "pull"))
    assert "Stopped: step 'Pull the images' failed (10 s)." in text(raw)


def test_lines_fit_80_columns_and_never_rewrite():
    printer, _, raw, clock = make()
    long_title = "Render globals and passwords and the inventory for a very long step title indeed" * 2
    printer(PlanStarted(("x",), (long_title,), "2025.1"))
    printer(StepStarted("x", 24, 24, long_title, 3, "/tmp/x.log"))
    printer(StepSubstatus("x", "TASK [" + "very long task name " * 10 + "]"))
    clock.now += 30
    printer.tick()
    printer(StepFinished("x", "failed", 127, 3599, hint="word " * 60, log_path="/tmp/x.log"))
    printer(StepFinished("x", "skipped", None, 0, reason="reason " * 30))
    printer(PlanFinished("aborted", 4000, "x", ("x",)))
    out = text(raw)
    assert "\r" not in out and "\x1b" not in out
    for line in out.splitlines():
        assert len(line) < 80, line


def test_an_ascii_only_console_gets_three_dots():
    printer, _, raw, _ = make(encoding="ascii")
    printer(started("libvirt", 7))
    printer(StepFinished("libvirt", "done", 0, 3))
    assert text(raw) == "[ 7/24] Stop and disable host libvirt ... done (3 s)\n"


def test_the_ticker_thread_stops_at_the_end_of_the_plan():
    stream = io.StringIO()
    printer = ConsolePrinter(stream, alive_interval=0.01)
    printer(started("libvirt", 1))
    assert printer._thread is not None and printer._thread.is_alive()
    printer(StepFinished("libvirt", "done", 0, 1))
    printer(PlanFinished("done", 1))
    printer.close()
    assert printer._thread is None


def test_durations_read_well():
    assert format_duration(0.4) == "0 s"
    assert format_duration(59.4) == "59 s"
    assert format_duration(65) == "1m 05s"
    assert format_duration(3725) == "1h 02m"


def test_a_ten_minute_silent_step_costs_a_few_bytes_a_second_at_most():
    """9600 baud is about 960 bytes a second: the alive lines must stay far below it."""
    printer, _, raw, clock = make()
    printer(started("deploy", 18))
    printer(StepSubstatus("deploy", "TASK [nova-cell : Waiting for nova-compute services to register themselves]"))
    for _ in range(600):
        clock.now += 1
        printer.tick()
    printer(StepFinished("deploy", "done", 0, 600))
    out = raw.getvalue()
    assert text(raw).count("still running") == 60
    assert len(out) / 600 < 10  # bytes per second


def test_step_numbers_come_from_the_plan_started_event():
    """A run of a part of the plan (``--until``) numbers its steps in the whole plan, steps done before too."""
    printer, _, raw, _ = make()
    printer(PlanStarted(IDS, TITLES, "2025.1", resumed=True, total=5, first_index=1))
    printer(StepFinished("libvirt", "done", 0, 0.0, reason="done in an earlier run (rc 0)"))
    printer(StepFinished("pull", "done", 0, 0.0, reason="done in an earlier run (rc 0)"))
    printer(started("deploy", 3, total=5))
    printer(StepFinished("deploy", "done", 0, 2.0))
    out = text(raw)
    assert "[1/5] Stop and disable host libvirt" in out
    assert "[2/5] Pull the images" in out
    assert "[3/5] Deploy the services" in out
    assert "/3]" not in out


def test_a_range_that_starts_later_in_the_plan_is_numbered_from_its_first_index():
    printer, _, raw, _ = make()
    printer(PlanStarted(IDS, TITLES, "2025.1", total=9, first_index=4))
    printer(StepFinished("libvirt", "skipped", None, 0.0, reason="skipped by the user"))
    assert "[4/9] Stop and disable host libvirt" in text(raw)


def test_the_verify_steps_checks_are_repeated_in_the_summary():
    printer, _, raw, _ = make()
    printer(PlanStarted(("verify",), ("Verify the cloud",), "2025.1"))
    printer(StepStarted("verify", 24, 24, "Verify the cloud", 1, "/tmp/log/24-verify.log"))
    printer(
        StepOutput.of_lines("verify", ["  waiting for aio-wizard-verify-1: BUILD (3 s)", "ok  ping 10.1.1.210 (1.2 s)"])
    )
    printer(StepOutput.of_lines("verify", ["FAIL ping -M do -s 1472 10.1.1.210 (6.0 s): MTU", "verify: FAILED"]))
    printer(StepFinished("verify", "skipped", 1, 10.0, reason="skipped by the user"))
    printer(PlanFinished("done", 10.0, None, ("verify",)))
    out = text(raw)
    summary = out[out.index("Verify (a test instance") :].splitlines()
    assert summary[1:4] == [
        "  ok  ping 10.1.1.210 (1.2 s)",
        "  FAIL ping -M do -s 1472 10.1.1.210 (6.0 s): MTU",
        "  verify: FAILED",
    ]
    assert "waiting for" not in "\n".join(summary)
