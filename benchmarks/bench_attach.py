"""Attaching to a running install: ``status``, attaching mid-step to a 10^6-line log, following appends.

    python benchmarks/bench_attach.py [--lines 1000000]

A fake install (a journal whose step runs, the pipeline lock held by this process) with a step
log of N lines, then:

1. ``aio-wizard status``: the real CLI, start to exit (target: instant, well under 0.5 s; it reads
   the journal only, never a log).
2. Attaching mid-step: an :class:`~wizard.service.attach.Attachment` from ``run()`` to its first
   output; the bytes it read (at most its tail, never the whole log).
3. Following: N more lines appended in 64 KiB writes as fast as possible while the attachment
   follows; the time from the last write until the attachment has emitted the last line (lag),
   and the lines it emitted.

The TUI's own pane benchmark (``bench_tui.py``, streaming) now runs through the same attachment:
the progress screen follows the detached runner.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from wizard.pipeline.events import StepOutput  # noqa: E402
from wizard.pipeline.lock import PipelineLock  # noqa: E402
from wizard.service.attach import Attachment  # noqa: E402


def _lines(start: int, count: int) -> bytes:
    return "".join(f"TASK [bench : line {i}] ok: [localhost]\n" for i in range(start, start + count)).encode()


def _fake_install(state: Path, log: Path, lines: int) -> None:
    state.mkdir(mode=0o700)
    log.write_bytes(_lines(0, lines))
    now = time.time()
    journal = {
        "version": 1,
        "status": "running",
        "release": "",
        "source": "steps-file:bench",
        "started_at": now,
        "plan": [{"id": "big", "title": "A big log", "fingerprint": "x"}],
        "steps": {"big": {"status": "running", "attempts": 1, "started_at": now, "log_path": str(log)}},
    }
    (state / "journal.json").write_text(json.dumps(journal))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    n = args.lines
    with tempfile.TemporaryDirectory() as tmp:
        state, log = Path(tmp) / "state", Path(tmp) / "big.log"
        _fake_install(state, log, n)
        size = log.stat().st_size
        with PipelineLock(state):
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "wizard", "status", "--state-dir", str(state)],
                cwd=REPO, capture_output=True, check=True,
            )  # fmt: skip
            print(f"status (real CLI, {n:,}-line log): {time.perf_counter() - t0:.3f} s")

            seen = {"lines": 0, "first": 0.0, "last_text": ""}

            def listener(event: object) -> None:
                if isinstance(event, StepOutput):
                    if not seen["first"]:
                        seen["first"] = time.perf_counter()
                    seen["lines"] += event.text.count("\n") + 1
                    seen["last_text"] = event.text[-80:]

            attachment = Attachment(state, [listener], poll=0.05)
            started = time.perf_counter()
            thread = threading.Thread(target=attachment.run, daemon=True)
            thread.start()
            while not seen["first"] and time.perf_counter() - started < 30:
                time.sleep(0.001)
            follow = attachment._follow
            read = follow.offset - max(0, size - attachment.tail_bytes) if follow is not None else 0
            print(
                f"attach mid-step to a {n:,}-line log ({size / 1e6:.0f} MB): first output after "
                f"{(seen['first'] - started) * 1000:.0f} ms, {read / 1024:.0f} KiB read, {seen['lines']:,} lines shown"
            )

            before = seen["lines"]
            data = _lines(n, n)
            fd = os.open(log, os.O_WRONLY | os.O_APPEND)
            w0 = time.perf_counter()
            for i in range(0, len(data), 65536):
                os.write(fd, data[i : i + 65536])
            os.close(fd)
            wrote = time.perf_counter()
            last = f"line {2 * n - 1}]"
            while last not in seen["last_text"] and time.perf_counter() - wrote < 60:
                time.sleep(0.001)
            caught = time.perf_counter()
            attachment.cancel()
            thread.join(timeout=5)
            print(
                f"follow {n:,} appended lines ({len(data) / 1e6:.0f} MB in {wrote - w0:.2f} s): caught up "
                f"{(caught - wrote) * 1000:.0f} ms after the last write; {seen['lines'] - before:,} lines emitted"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
