"""How the TUI holds up: first frame, 10^6 log lines through the progress pane, key latency meanwhile.

    python benchmarks/bench_tui.py [--lines 1000000] [--runs 5]

1. First frame: the real ``python -m wizard --dry-run --host-facts FILE`` in a pseudo-terminal
   (pexpect, 100x30); time from spawn until the host screen's "Next: questions" is drawn. Target 0.5 s.
2. Streaming (headless, in a fresh process so its peak RSS is its own): the real Runner runs a
   one-step plan ``seq 1 N`` (a steps file) and the progress screen shows it, from the screen's
   mount (Start pressed on Review) until the UI has handled PlanFinished. Targets for N = 10^6:
   <= 3 s, peak RSS <= 120 MB.
3. While it streams, a key ("f", follow the log) is posted to the app every 50 ms, as the terminal
   driver posts it; its delay runs from posting until the screen has been redrawn after the key's
   action ran (``call_after_refresh``). Reported: worst and median over the run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FACTS = REPO / "tests" / "support" / "guide-host.json"


# --- 1. first frame -------------------------------------------------------------------------


def first_frame(runs: int) -> list[float]:
    import pexpect

    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            argv = ["-m", "wizard", "--dry-run", "--host-facts", str(FACTS)]
            argv += ["--state-dir", f"{tmp}/s", "--log-dir", f"{tmp}/l"]
            env = {**os.environ, "TERM": "xterm-256color"}
            env.pop("SSH_CONNECTION", None)
            start = time.perf_counter()
            child = pexpect.spawn(sys.executable, argv, cwd=str(REPO), env=env, dimensions=(30, 100), timeout=30)
            child.expect("Next: questions")
            times.append(time.perf_counter() - start)
            child.sendcontrol("q")
            child.expect(pexpect.EOF)
            child.close()
    return times


# --- 2 and 3. streaming, in a child process ---------------------------------------------------


async def _stream(lines: int) -> dict[str, float]:
    sys.path.insert(0, str(REPO))
    from textual import events

    from wizard.host.facts import HostFacts
    from wizard.ui.tui.app import create_app
    from wizard.ui.tui.screens.progress import ProgressScreen

    # Instrument the "f" key's action: when it has run, note the time of the next redraw.
    painted: list[float] = []
    screens: list[ProgressScreen] = []
    original_follow, original_mount = ProgressScreen.action_follow, ProgressScreen.on_mount
    original_finished = ProgressScreen._plan_finished
    times: dict[str, float] = {}

    def follow(self: ProgressScreen) -> None:
        original_follow(self)
        self.call_after_refresh(lambda: painted.append(time.perf_counter()))

    delays: list[float] = []
    trace: list[tuple[float, float]] = []

    async def press_keys(app, screen: ProgressScreen) -> None:
        """Post a key every 50 ms while the step streams; note each one's delay to the redraw."""
        while screen.finished is None:
            posted = time.perf_counter()
            painted.clear()
            app.post_message(events.Key("f", "f"))  # what the terminal driver does for a key press
            while not painted and screen.finished is None:
                await asyncio.sleep(0.001)
            if painted:
                delays.append(painted[0] - posted)
                trace.append((round(posted - times["start"], 3), round(painted[0] - posted, 3)))
            await asyncio.sleep(0.05)

    def mount(self: ProgressScreen) -> None:
        times["start"] = time.perf_counter()
        screens.append(self)
        original_mount(self)
        # keys start once the screen has been drawn: the delay measured is the one while streaming
        self.call_after_refresh(lambda: self.run_worker(press_keys(self.app, self), name="bench-keys"))

    def finished(self: ProgressScreen, event: object) -> None:
        times["end"] = time.perf_counter()
        original_finished(self, event)

    ProgressScreen.action_follow, ProgressScreen.on_mount = follow, mount
    ProgressScreen._plan_finished = finished

    with tempfile.TemporaryDirectory() as tmp:
        steps = Path(tmp) / "steps.yaml"
        steps.write_text(f'- id: seq\n  title: Print {lines} lines\n  commands: [[seq, "1", "{lines}"]]\n')
        app = create_app(
            facts=HostFacts.load(FACTS),
            state_dir=f"{tmp}/state",
            log_dir=f"{tmp}/log",
            steps_file=str(steps),
            start="review",
        )
        async with app.run_test(size=(100, 30)) as pilot:
            while type(app.screen).__name__ != "ReviewScreen":
                await asyncio.sleep(0.01)
            await pilot.pause()
            app.post_message(events.Key("s", "s"))  # Start
            while not screens or (screens[0].finished is None and time.perf_counter() - times["start"] < 120):
                await asyncio.sleep(0.01)
            screen = screens[0]
            elapsed = times.get("end", float("nan")) - times["start"]
            received = screen.lines_received
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": elapsed,
        "lines_received": received,
        "peak_rss_mb": rss_mb,
        "keys": len(delays),
        "trace": trace,
        "worst_key_ms": max(delays) * 1000 if delays else float("nan"),
        "median_key_ms": statistics.median(delays) * 1000 if delays else float("nan"),
    }


def stream(lines: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child-stream", str(lines)], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"the streaming run failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child-stream", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_stream:
        print(json.dumps(asyncio.run(_stream(args.child_stream))))
        return 0

    frames = first_frame(args.runs)
    print(f"first frame (real CLI in a pty, {args.runs} runs): median {statistics.median(frames):.3f} s, "
          f"worst {max(frames):.3f} s  (target 0.5 s)")  # fmt: skip
    for n in sorted({100_000, args.lines}):
        r = stream(n)
        keys = (
            f"key-to-screen over {r['keys']} keys: worst {r['worst_key_ms']:.0f} ms, median {r['median_key_ms']:.0f} ms"
            if r["keys"]
            else "over before a key could be timed (try --lines 10000000)"
        )
        print(
            f"{n:>10,} lines through the progress pane: {r['seconds']:.2f} s, peak RSS {r['peak_rss_mb']:.0f} MB, "
            f"{r['lines_received']:,} lines seen; {keys}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
