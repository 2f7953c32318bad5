"""From a child's raw bytes to clean, redacted lines: for the log file and, in batches, for listeners.

Speed matters here (Kolla's deploy prints hundreds of thousands of lines; the benchmark streams
a million), so the work is done per chunk with C-level string operations: one incremental
decode, one regex pass for escape sequences (skipped when there is no ESC), one redaction
pass, one ``split``. Lines are never read with ``readline``: a single 100 KiB line (or binary
junk without newlines) just accumulates until its newline, up to :data:`MAX_PENDING`.
"""

from __future__ import annotations

import codecs
import re
import time
from collections import deque
from collections.abc import Callable
from typing import TextIO

from wizard.pipeline.events import Event, StepOutput, StepSubstatus

CHUNK = 64 * 1024
BATCH_LINES = 500
BATCH_SECONDS = 0.05
MAX_PENDING = 1024 * 1024  # a "line" longer than this is cut (the log keeps every byte, in pieces)
DISPLAY_MAX = 4096  # listeners get at most this many characters of one line
TAIL_LINES = 200

ANSI_RE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*\x1b\\|[@-Z\\-_])")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CR_RE = re.compile(r"[^\n]*\r(?=[^\n])")
# Bytes that need cleaning (C0 controls but tab and newline, DEL): one fast bytes.translate tells
# whether a chunk has any, so clean output (nearly all of it) skips the regex passes entirely.
_CTRL_BYTES = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
ANSIBLE_HEADER_RE = re.compile(r"^(?:PLAY|TASK|RUNNING HANDLER) \[(.*?)\]", re.MULTILINE)


def strip_ansi(text: str) -> str:
    """Remove escape sequences and other control characters; keep what follows the last ``\\r``."""
    if "\x1b" in text:
        text = ANSI_RE.sub("", text)
    if "\r" in text:
        text = CR_RE.sub("", text.replace("\r\n", "\n")).replace("\r", "")
    if CONTROL_RE.search(text):
        text = CONTROL_RE.sub("", text)
    return text


class OutputStream:
    """Accepts raw chunks of one step's output; writes the log; emits batched events.

    ``emit`` is the runner's fan-out to listeners. ``tail`` keeps the last lines for the
    failure report and the hints.
    """

    def __init__(
        self,
        step_id: str,
        log: TextIO,
        emit: Callable[[Event], None],
        redact: Callable[[str], str] = lambda s: s,
        *,
        batch_lines: int = BATCH_LINES,
        batch_seconds: float = BATCH_SECONDS,
    ) -> None:
        self.step_id = step_id
        self.log = log
        self.emit = emit
        self.redact = redact
        self.tail: deque[str] = deque(maxlen=TAIL_LINES)
        self.lines_seen = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._partial = ""
        self._pending: list[str] = []
        self._last_emit = time.monotonic()
        self._batch_lines = batch_lines
        self._batch_seconds = batch_seconds
        self._substatus = ""
        self._dirty = False

    # --- input ----------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        if len(data.translate(None, _CTRL_BYTES)) != len(data):
            self._dirty = True
        text = self._decoder.decode(data)
        if not text:
            return
        nl = text.rfind("\n")
        if nl == -1:
            self._partial += text
            if len(self._partial) >= MAX_PENDING:
                whole, self._partial = self._partial, ""
                self._lines(whole)
            else:
                self.tick()
            return
        whole = self._partial + text[:nl]
        self._partial = text[nl + 1 :]
        self._lines(whole)

    def note(self, text: str) -> None:
        """A line of the runner's own (``$ command``, ``writing /etc/hosts``): logged and shown."""
        self.close_partial()
        self._dirty = True
        self._lines(text)

    def close_partial(self) -> None:
        """End of a command's output: the last line may lack its newline."""
        rest = self._decoder.decode(b"", final=True)
        self._decoder.reset()
        whole = self._partial + rest
        self._partial = ""
        if whole:
            self._lines(whole)

    # --- output ---------------------------------------------------------------------------

    def _lines(self, whole: str) -> None:
        if self._dirty:
            whole = strip_ansi(whole)
            self._dirty = bool(self._partial)  # the rest may hold the other half of a sequence
        whole = self.redact(whole)
        self.log.write(whole)
        self.log.write("\n")
        lines = whole.split("\n")
        self.lines_seen += len(lines)
        if len(whole) > DISPLAY_MAX and _has_long_line(whole):
            lines = [_shorten(line) for line in lines]
        self.tail.extend(lines[-TAIL_LINES:])  # the deque keeps only these anyway
        if "PLAY [" in whole or "TASK [" in whole or "HANDLER [" in whole:
            last = None
            for last in ANSIBLE_HEADER_RE.finditer(whole):  # noqa: B007 - the last one wins
                pass
            if last is not None:
                self._substatus = last.group(0)
                self.flush()
                self.emit(StepSubstatus(self.step_id, self._substatus))
        self._pending.extend(lines)
        self.tick()

    def tick(self) -> None:
        """Emit the pending lines when the batch is full or old enough."""
        if self._pending and (
            len(self._pending) >= self._batch_lines or time.monotonic() - self._last_emit >= self._batch_seconds
        ):
            self.flush()

    def flush(self) -> None:
        if self._pending:
            batch, self._pending = tuple(self._pending), []
            self.emit(StepOutput(self.step_id, batch))
        self._last_emit = time.monotonic()
        self.log.flush()


def _has_long_line(text: str) -> bool:
    """Whether a line is longer than DISPLAY_MAX, without scanning every line.

    Such a line covers at least one whole aligned window of DISPLAY_MAX/2 characters holding no
    newline, so ~32 substring tests per 64 KiB chunk settle the common (short lines) case.
    """
    half = DISPLAY_MAX // 2
    for start in range(0, len(text) - half + 1, half):
        if "\n" not in text[start : start + half]:
            return max(map(len, text.split("\n"))) > DISPLAY_MAX
    return False


def _shorten(line: str) -> str:
    if len(line) <= DISPLAY_MAX:
        return line
    return f"{line[:DISPLAY_MAX]} … ({len(line) - DISPLAY_MAX} more characters in the log file)"
