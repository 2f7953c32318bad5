"""The hand-over from the runner thread: batching, bounds, one wake-up per burst, decisions."""

from __future__ import annotations

import threading

from wizard.pipeline.events import StepFailure, StepOutput, StepStarted
from wizard.ui.tui.bridge import DecisionBox, DecisionNeeded, EventPump, OutputBatch


def test_consecutive_output_of_one_step_is_merged_into_one_batch():
    pump = EventPump(lambda: None)
    pump.put(StepOutput.of_lines("a", ["1", "2"]))
    pump.put(StepOutput.of_lines("a", ["3"]))
    items = pump.drain()
    assert len(items) == 1
    assert isinstance(items[0], OutputBatch)
    assert list(items[0].lines) == ["1", "2", "3"]
    assert items[0].total == 3


def test_state_events_keep_their_order_between_output_batches():
    pump = EventPump(lambda: None)
    started = StepStarted("b", 2, 2, "B", 1, "/tmp/b.log")
    pump.put(StepOutput.of_lines("a", ["x"]))
    pump.put(started)
    pump.put(StepOutput.of_lines("b", ["y"]))
    items = pump.drain()
    assert [type(i).__name__ for i in items] == ["OutputBatch", "StepStarted", "OutputBatch"]
    assert items[1] is started


def test_a_fast_producer_costs_bounded_memory_and_counts_what_it_dropped():
    pump = EventPump(lambda: None, max_lines=100)
    for n in range(1000):
        pump.put(StepOutput.of_lines("a", [str(n)]))
    (batch,) = pump.drain()
    assert len(batch.lines) == 100
    assert batch.lines[-1] == "999"
    assert batch.dropped == 900


def test_notify_fires_once_per_burst_not_per_event():
    calls = []
    pump = EventPump(lambda: calls.append(1))
    for n in range(50):
        pump.put(StepOutput.of_lines("a", [str(n)]))
    assert calls == [1]
    pump.drain()
    pump.put(StepOutput.of_lines("a", ["again"]))
    assert calls == [1, 1]


def _failure() -> StepFailure:
    return StepFailure("s", "S", 1, 1, "/tmp/s.log", ("boom",), None, False)


def test_decide_blocks_the_runner_thread_until_the_user_answers():
    pump = EventPump(lambda: None)
    box = DecisionBox(pump)
    result = []
    t = threading.Thread(target=lambda: result.append(box.decide(_failure())))
    t.start()
    while not pump.pending():
        threading.Event().wait(0.01)
    (item,) = pump.drain()
    assert isinstance(item, DecisionNeeded)
    assert result == []
    box.answer("retry")
    t.join(5)
    assert result == ["retry"]


def test_a_cancelled_box_answers_abort_at_once():
    box = DecisionBox(EventPump(lambda: None))
    box.cancel()
    assert box.decide(_failure()) == "abort"


def test_a_block_bigger_than_the_bound_keeps_only_its_last_lines_for_the_pane():
    pump = EventPump(lambda: None, max_lines=100)
    pump.put(StepOutput("a", "\n".join(str(n) for n in range(100_000))))
    pump.put(StepOutput("a", "tail\x07"))  # a bell is not shown
    (batch,) = pump.drain()
    assert batch.total == 100_001
    assert len(batch.lines) == 100 and batch.lines[0] == "99901" and batch.lines[-1] == "tail"
    assert batch.dropped == 99_901
