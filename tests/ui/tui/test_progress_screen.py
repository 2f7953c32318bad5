"""Screen 4: step states, overall progress, live log, sub-status, failure choices, quitting safely.

Scripted events (the runner contract) pin down what is drawn; the real Runner with a plan of
real, harmless steps checks the whole path through the thread, the pump and the journal.
"""

from __future__ import annotations

import pytest

from wizard.pipeline.events import PlanFinished, StepFailure, StepFinished, StepOutput
from wizard.pipeline.journal import Journal
from wizard.ui.tui.demo import mid_run_script, scripted_factory

from .conftest import SIZE, screen_name, screen_text, wait_for


async def test_mid_run_shows_states_durations_substatus_and_the_live_log(make_app, clock):
    runners: list = []
    app = make_app(start="progress", runner_factory=scripted_factory(mid_run_script(), runners))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "PLAY [Apply role nova]" in screen_text(app))
        clock.advance(75)
        # The elapsed time is redrawn by a timer: wait for it (a bound against hangs) instead of a fixed pause.
        await wait_for(pilot, lambda: "1:15" in screen_text(app))
        text = screen_text(app)
        assert "Hosts file" in text and "0:00" in text
        assert "Python prerequisites" in text and "1:03" in text
        assert "Deploy OpenStack" in text and "1:15" in text  # running: elapsed from the clock
        assert "TASK [common : line 39] ok: [localhost]" in text
        assert "Step 3/5" in text and "left" in text
        runners[0].release()


async def test_a_failure_shows_the_tail_the_hint_and_the_choices(make_app):
    failure = StepFailure(
        "deploy",
        "Deploy OpenStack",
        2,
        3,
        "/var/log/aio-wizard/03-deploy.log",
        ("TASK [prechecks]", "fatal: host libvirt is running"),
        "Stop host libvirt: systemctl disable --now libvirtd",
        False,
    )
    script = [*mid_run_script(hold=False), ("decide", failure)]
    runners: list = []
    app = make_app(start="progress", runner_factory=scripted_factory(script, runners))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.pending_failure is not None)
        await pilot.pause()
        text = screen_text(app)
        assert "Step failed: Deploy OpenStack" in text
        assert "fatal: host libvirt is running" in text
        assert "Hint: Stop host libvirt" in text
        for choice in ("Retry", "Skip", "Edit answers", "Abort"):
            assert choice in text
        await pilot.press("s")
        await wait_for(pilot, lambda: runners[0].decisions == ["skip"])


async def test_finished_steps_log_opens_on_demand(make_app, tmp_path):
    log = tmp_path / "01-hello.log"
    log.write_text("".join(f"line {n}\n" for n in range(100)))
    from wizard.pipeline.events import PlanStarted, StepStarted

    script = [
        PlanStarted(("hello",), ("Say hello",), "2026.1"),
        StepStarted("hello", 1, 1, "Say hello", 1, str(log)),
        StepOutput.of_lines("hello", ["line 99"]),
        StepFinished("hello", "done", 0, 1.0, log_path=str(log)),
        "hold",
    ]
    runners: list = []
    app = make_app(start="progress", steps_file=None, runner_factory=scripted_factory(script, runners, hold=True))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "Say hello" in screen_text(app) and app.screen.rows[0].status == "done")
        app.screen.query_one("#steps").highlighted = 0
        await pilot.press("l")
        await wait_for(pilot, lambda: screen_name(app) == "TextScreen")
        await wait_for(pilot, lambda: "line 99" in screen_text(app))  # opened at its end
        assert str(log) in screen_text(app)
        runners[0].release()


async def test_a_million_lines_reach_the_pane_bounded_in_few_batches(make_app):
    lines = tuple(str(n) for n in range(1000))
    from wizard.pipeline.events import PlanStarted, StepStarted

    script = [PlanStarted(("big",), ("Big output",), "x"), StepStarted("big", 1, 1, "Big output", 1, "/dev/null")]
    script += [StepOutput.of_lines("big", lines)] * 1000
    script += [StepFinished("big", "done", 0, 1.0), "hold"]
    runners: list = []
    app = make_app(start="progress", runner_factory=scripted_factory(script, runners, hold=True))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.rows[0].status == "done", timeout=60)
        log = app.screen.query_one("#log")
        assert app.screen.lines_received == 1_000_000
        assert log.line_count <= 5001
        assert "999" in log.lines[-2]
        runners[0].release()


async def test_ctrl_c_while_a_step_runs_asks_detach_or_stop(make_app):
    runners: list = []
    app = make_app(start="progress", runner_factory=scripted_factory(mid_run_script(), runners))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.running and app.screen.current == "deploy")
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: screen_name(app) == "LeaveScreen")
        assert "Detach, or stop the install?" in screen_text(app)
        await pilot.press("ctrl+c")  # pressed again while asked: still one dialog, not two stacked
        await pilot.pause()
        assert [type(s).__name__ for s in app.screen_stack].count("LeaveScreen") == 1
        await pilot.press("escape")  # keep watching
        await wait_for(pilot, lambda: screen_name(app) == "ProgressScreen")
        assert not runners[0].cancelled.is_set()
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: screen_name(app) == "LeaveScreen")
        await pilot.press("s")  # stop the install
        await wait_for(pilot, lambda: runners[0].stopped)


async def test_ctrl_q_while_a_step_runs_detaches_and_leaves_the_install_running(make_app):
    runners: list = []
    app = make_app(start="progress", runner_factory=scripted_factory(mid_run_script(), runners))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.running and app.screen.current == "deploy")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: runners[0].cancelled.is_set())
    assert app.detached and not runners[0].stopped
    assert app.return_code == 0


async def test_a_real_failing_step_then_retry_succeeds(make_app, flaky_steps, tmp_path, dirs):
    app = make_app(start="progress", steps_file=flaky_steps)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.pending_failure is not None)
        assert "E: it broke" in screen_text(app)
        (tmp_path / "fixed").touch()
        await pilot.press("r")
        # drawn, not only pushed: the install ends in another process, so the screen may not be painted yet
        await wait_for(pilot, lambda: screen_name(app) == "DoneScreen" and "Fails until fixed" in screen_text(app))
        text = screen_text(app)
        assert "Fails until fixed" in text and "done" in text
    journal = Journal.load(dirs["state_dir"])
    assert journal.status == "done"
    assert journal.steps["flaky"]["attempts"] == 2


async def test_abort_after_a_failure_stops_with_exit_code_1(make_app, flaky_steps, dirs):
    app = make_app(start="progress", steps_file=flaky_steps)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.pending_failure is not None)
        await pilot.press("a")
        await wait_for(pilot, lambda: app.screen.finished is not None)
        # drawn, not only recorded: under load the first paint of the end panel comes later
        await wait_for(pilot, lambda: "Start aio-wizard again to resume" in screen_text(app))
        await pilot.press("ctrl+q")
    assert app.return_code == 1
    assert Journal.load(dirs["state_dir"]).status != "done"


async def test_edit_answers_after_a_failure_goes_back_to_the_questions(make_app, flaky_steps):
    app = make_app(start="progress", steps_file=flaky_steps)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.pending_failure is not None)
        await pilot.press("e")
        await wait_for(pilot, lambda: screen_name(app) == "QuestionsScreen")


def test_the_log_viewer_reads_only_the_end_of_a_huge_log(tmp_path):
    from wizard.ui.tui.screens.progress import read_log_tail

    log = tmp_path / "big.log"
    log.write_text("".join(f"line {n}\n" for n in range(100_000)))
    size = log.stat().st_size
    text = read_log_tail(str(log), limit=1000)
    assert text.startswith(f"[... first {size - 1000} bytes not shown ...]\n")
    assert text.endswith("line 99999\n")
    assert "line 1\n" not in text
    assert read_log_tail(str(tmp_path / "missing.log")).startswith("cannot read ")


async def test_a_step_that_ended_without_an_exit_code_says_so(make_app):
    from wizard.pipeline.events import PlanStarted, StepStarted

    script = [
        PlanStarted(("hello",), ("Say hello",), "2026.1"),
        StepStarted("hello", 1, 1, "Say hello", 1, ""),
        StepFinished("hello", "failed", None, 2.0),
        PlanFinished("failed", 2.0, "hello"),
    ]
    runners: list = []
    app = make_app(start="progress", runner_factory=scripted_factory(script, runners))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.finished is not None)
        lines = list(app.screen.query_one("#log").lines)
        assert any("failed with no exit code" in line for line in lines), lines
        assert not any("None" in line for line in lines)
        assert app.exit_code == 1


async def test_a_log_dir_that_cannot_be_written_ends_the_tui_with_exit_code_3(make_app, flaky_steps, tmp_path):
    (tmp_path / "log").write_text("a file where the log directory goes\n")
    app = make_app(start="progress", steps_file=flaky_steps)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "The install could not run" in screen_text(app))
        # wrapped where the temporary path's length puts the line end: compare words
        assert "the log directory is a file" in " ".join(screen_text(app).split())
        await pilot.press("ctrl+q")
    assert app.return_code == 3


LONG_HINT = (
    "The host's own libvirt is running and holds the socket kolla's nova_libvirt needs: stop and disable libvirtd"
    " and its sockets (systemctl disable --now libvirtd libvirtd.socket libvirtd-ro.socket libvirtd-admin.socket),"
    " check that nothing listens on 16509 any more (ss -ltnp), then Retry; Skip only if you know better."
)
LONG_ERROR = "fatal: [localhost]: FAILED! => host libvirt is running and holds /var/run/libvirt/libvirt-sock (pid 812)"


def _long_failure() -> StepFailure:
    tail = (*(f"TASK [nova : check {n}] " + "ok: [localhost] " * 8 for n in range(20)), LONG_ERROR)
    return StepFailure("deploy", "Deploy OpenStack", 2, 3, "/var/log/aio-wizard/03-deploy.log", tail, LONG_HINT, False)


@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
@pytest.mark.parametrize("console", [False, True], ids=["full", "console"])
async def test_the_failed_step_panel_keeps_the_error_the_hint_and_every_choice_on_screen(make_app, size, console):
    """A long hint and a long tail: the tail scrolls; the error, the hint and all seven buttons stay
    on screen, and the focus (Retry, which Enter would press) is on one that is seen."""
    from textual.widgets import Button

    from wizard.ui.tui.terminal import TerminalProfile

    script = [*mid_run_script(hold=False), ("decide", _long_failure()), "hold"]
    profile = TerminalProfile(console=console, reason="test")
    app = make_app(start="progress", runner_factory=scripted_factory(script), profile=profile)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: app.screen.pending_failure is not None)
        # the tail is shown from its end: the error line, its last line, is seen
        await wait_for(pilot, lambda: LONG_ERROR in " ".join(screen_text(app).split()))
        screen = app.screen.region
        buttons = [b for b in app.screen.query("#failure Button").results(Button) if b.display]
        assert len(buttons) == 7
        for button in buttons:
            assert button.region.area and screen.contains_region(button.region), f"{button.id} off screen"
            assert app.screen.get_widget_at(*button.region.offset)[0] is button, f"{button.id} covered or clipped"
            assert str(button.label) in screen_text(app), f"{button.label} not drawn"
        focused = app.focused
        assert focused is not None and focused.id == "retry"
        assert focused.region.area and screen.contains_region(focused.region)
        assert app.screen.get_widget_at(*focused.region.offset)[0] is focused
        words = " ".join(screen_text(app).split())
        assert "Step failed: Deploy OpenStack (exit code 2, 3 attempts)" in words
        assert " ".join(f"Hint: {LONG_HINT}".split()) in words  # the whole hint, wrapped
        tail = app.screen.query_one("#failure-tail")
        assert tail.max_scroll_y > 0  # the rest of the tail scrolls, inside the panel
        app.exit()


async def test_a_resumed_install_counts_the_steps_of_the_earlier_run_as_done_with_their_durations(
    make_app, dirs, tmp_path
):
    """Issue 14 saw 17 % at step 5 of 7 on resume, and 0:00 beside each step done before: the earlier
    run's steps count whole in the bar and keep the durations the journal has for them."""
    import json
    import textwrap

    from tests.support.steps import write_steps
    from wizard.pipeline.events import always_abort
    from wizard.pipeline.runner import Runner
    from wizard.pipeline.steps_file import plan_from_steps_file

    fixed, release = tmp_path / "fixed", tmp_path / "release"
    quick = "".join(f'- id: s{n}\n  title: Step {n}\n  commands: [["true"]]\n' for n in (1, 2, 3))
    steps = str(
        write_steps(
            tmp_path / "steps.yaml",
            quick
            + textwrap.dedent(f"""\
                - id: s4
                  title: Step 4
                  commands: [[sh, -c, "test -e {fixed} || exit 3; until test -e {release}; do sleep 0.05; done"]]
                - id: s5
                  title: Step 5
                  commands: [["true"]]
                """),
        )
    )
    assert Runner(plan_from_steps_file(steps), Journal.load(dirs["state_dir"]), dirs["log_dir"], [], always_abort).run()
    journal_file = Journal.load(dirs["state_dir"]).path
    data = json.loads(journal_file.read_text())
    for sid, took in (("s1", 2.0), ("s2", 3.0), ("s3", 4.0)):  # quicker than expected: their share must not shrink
        data["steps"][sid]["started_at"] = data["steps"][sid]["ended_at"] - took
    journal_file.write_text(json.dumps(data))
    fixed.touch()

    app = make_app(start="progress", steps_file=steps)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.current == "s4")
        await wait_for(pilot, lambda: "Step 4/5" in screen_text(app))
        rows = {line.split()[2]: line for line in screen_text(app).splitlines() if line[2:7] == "Step "}
        assert "0:02" in rows["1"] and "0:03" in rows["2"] and "0:04" in rows["3"], rows
        bar = app.screen.query_one("#overall-bar").render().plain
        assert int(bar.split()[-1].rstrip("%")) >= 60, bar  # three of five steps of equal weight are done
        release.touch()
        await wait_for(pilot, lambda: screen_name(app) == "DoneScreen")
    assert app.outcome[0].startswith("aio-wizard: every step is done")
    assert any(line.split() == ["Step", "2", "done", "before", "(0:03)"] for line in app.outcome), app.outcome
