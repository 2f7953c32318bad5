"""Benchmark: the runner streaming N lines (a one-step plan running ``seq N``) vs ``seq N > file``.

Same run, alternating (baseline, runner, baseline, runner...) so machine noise hits both alike;
the ratios printed are medians of the ratio of each back-to-back pair.
The runner runs in a child Python process so its peak RSS is its own (``ru_maxrss``). Its wall
time is measured inside the child (interpreter start-up and imports are not the runner's cost):
"runner s" around the whole ``Runner.run()`` (lock, journal begin, the step, the journal's
durable "done" and end records), "step s" the step as its ``StepFinished`` reports it (its
"running" record, spawning ``seq``, streaming every byte to the log file, the listener). The
listener receives every block and counts its lines (``StepOutput.count``), as the TUI's bridge
does. The baseline is ``seq N`` with stdout to a file, timed around the subprocess.

    python benchmarks/bench_runner.py [--repeat 5] [--lines 100000 1000000]

Targets: wall ratio <= 1.3 at 10^6 lines; peak RSS flat (<= 80 MB) from 10^5 to 10^6.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from wizard.pipeline.journal import Journal
from wizard.pipeline.model import Command, Plan, PlannedStep
from wizard.pipeline.runner import Runner

n, tmp = sys.argv[1], Path(sys.argv[2])
plan = Plan(steps=(PlannedStep(id="seq", title="seq", commands=(Command(("seq", n)),)),), release="bench")
seen = [0]
step = [0.0]
def listener(event):
    if type(event).__name__ == "StepOutput":
        seen[0] += event.count
    if type(event).__name__ == "StepFinished":
        step[0] = event.duration
runner = Runner(plan, Journal(tmp / "state"), tmp / "log", [listener])
t0 = time.perf_counter()
status = runner.run()
wall = time.perf_counter() - t0
print(json.dumps({"status": status, "wall": wall, "step": step[0], "lines": seen[0],
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def baseline(n: int, tmp: Path) -> float:
    out = tmp / "seq.out"
    t0 = time.perf_counter()
    with open(out, "wb") as fh:
        subprocess.run(["seq", str(n)], stdout=fh, check=True)
    return time.perf_counter() - t0


def runner_once(n: int, tmp: Path) -> dict:
    res = subprocess.run(
        [sys.executable, "-c", CHILD, str(n), str(tmp)], cwd=REPO, capture_output=True, text=True, check=True
    )
    data = json.loads(res.stdout.strip().splitlines()[-1])
    assert data["status"] == "done", data
    assert data["lines"] >= n, data
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--lines", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args(argv)
    head = ("lines", "seq>file s", "runner s", "ratio", "step s", "ratio", "peak RSS MB")
    print("  ".join(f"{h:>{w}}" for h, w in zip(head, (9, 10, 9, 6, 7, 6, 11), strict=True)))
    for n in args.lines:
        base, run, steps, rss = [], [], [], []
        for i in range(args.repeat):
            with tempfile.TemporaryDirectory() as d:
                tmp = Path(d)
                base.append(baseline(n, tmp))
                data = runner_once(n, tmp / f"r{i}")
                run.append(data["wall"])
                steps.append(data["step"])
                rss.append(data["maxrss_kb"] / 1024)
        b, r, st = statistics.median(base), statistics.median(run), statistics.median(steps)
        # each ratio is of a pair run back to back, so a slow spell of the machine hits both sides
        r_ratio = statistics.median(x / y for x, y in zip(run, base, strict=True))
        st_ratio = statistics.median(x / y for x, y in zip(steps, base, strict=True))
        print(f"{n:>9}  {b:>10.3f}  {r:>9.3f}  {r_ratio:>6.2f}  {st:>7.3f}  {st_ratio:>6.2f}  {max(rss):>11.1f}")
        if n == max(args.lines):
            verdict = "met" if st_ratio <= 1.3 else "not met"
            print(
                f"target: streaming (the step) <= 1.3 x seq>file at {n} lines: {verdict} ({st_ratio:.2f}); "
                f"the whole run, with its five fsync'd journal records (~0.7 ms each here): {r_ratio:.2f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
