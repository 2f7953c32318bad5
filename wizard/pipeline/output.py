"""From a child's raw bytes to clean, redacted blocks of text: for the log file and, batched, for listeners.

Speed matters here: Kolla's deploy prints hundreds of thousands of lines, and the benchmark
streams a million through one step in about the time ``seq`` takes to write them to a file. So
the unit of work is a *block* (everything read up to its last newline), never a line, and each
block costs a handful of C-level passes:

- one UTF-8 decode (a block ends at a newline, so it never ends inside a character);
- escape sequences and carriage returns stripped only when the block has an ESC or a CR (two
  ``memchr``-fast tests); this happens before redaction so a colour code cannot split a secret;
- redaction (no work at all until passwords.yml exists; a line cut at :data:`MAX_PENDING` is cut
  before a secret that spans the cut, :meth:`OutputStream._keep_secrets_whole`);
- one write to the log file;
- a look for Ansible's ``PLAY [..]`` / ``TASK [..]`` headers only when the block has a ``[``.

Blocks go to listeners whole (:class:`wizard.pipeline.events.StepOutput`); a front end splits
only the lines it shows (:mod:`wizard.pipeline.display`). Lines are never read with
``readline``: a 100 KiB line, or binary junk without newlines, accumulates until its newline,
up to :data:`MAX_PENDING`, and is then cut at a character boundary (the log keeps every piece).
"""

from __future__ import annotations

import codecs
import mmap
import os
import re
import time
from collections.abc import Callable
from typing import BinaryIO

from wizard.pipeline.display import RecentBlocks, strip_escapes
from wizard.pipeline.events import Event, StepOutput, StepSubstatus

CHUNK = 1024 * 1024  # read size; the runner also asks for a pipe this big, so one read takes what the child wrote
BATCH_CHARS = 32 * 1024  # emit once this much output is pending...
BATCH_SECONDS = 0.05  # ...or this long after the last emit
MAX_PENDING = 1024 * 1024  # a "line" longer than this is cut (the log keeps every byte, in pieces)
TAIL_LINES = 200  # lines kept for the failure report and the hints
TAIL_CHARS = 256 * 1024  # output kept to find them (whole blocks, so no line is cut)

ANSIBLE_HEADER_RE = re.compile(r"^(?:PLAY|TASK|RUNNING HANDLER) \[(.*?)\]", re.MULTILINE)
_HEADER_NEEDLES = ("PLAY [", "TASK [", "HANDLER [")


class OutputStream:
    """Accepts raw chunks of one step's output; writes the log; emits batched blocks to ``emit``.

    ``emit`` is the runner's fan-out to listeners. :attr:`tail` gives the last lines for the
    failure report and the hints.
    """

    def __init__(
        self,
        step_id: str,
        log: BinaryIO,
        emit: Callable[[Event], None],
        redact: Callable[[str], str] = lambda s: s,
        *,
        batch_chars: int = BATCH_CHARS,
        batch_seconds: float = BATCH_SECONDS,
    ) -> None:
        self.step_id = step_id
        self.log = log
        self.emit = emit
        self.redact = redact
        # reused for every read: the unprocessed end of the last read, then the next read. Anonymous
        # memory, so its pages cost nothing until output fills them (a bytearray is zeroed up front).
        self._buf = mmap.mmap(-1, MAX_PENDING + CHUNK)
        self._view = memoryview(self._buf)
        self._used = 0  # bytes of a line still waiting for its newline
        self._pending: list[str] = []
        self._pending_chars = 0
        self._recent = RecentBlocks(TAIL_CHARS)  # for the tail
        self._last_emit = time.monotonic()
        self._batch_chars = batch_chars
        self._batch_seconds = batch_seconds
        self._substatus = ""

    # --- input ----------------------------------------------------------------------------

    def read_from(self, fd: int) -> int:
        """Read what the child wrote (up to :data:`CHUNK`) straight into the buffer; 0 at end of output."""
        n = os.readv(fd, [self._view[self._used : self._used + CHUNK]])
        if n:
            self._consume(self._used + n)
        return n

    def feed(self, data: bytes) -> None:
        """Some bytes of the child's output, as read: any size, cut anywhere."""
        for at in range(0, len(data), CHUNK):
            piece = data[at : at + CHUNK]
            self._buf[self._used : self._used + len(piece)] = piece
            self._consume(self._used + len(piece))

    def _consume(self, end: int) -> None:
        """``_buf[:end]`` holds unprocessed output: hand on its whole lines, keep the rest."""
        buf, view = self._buf, self._view
        nl = buf.rfind(b"\n", self._used, end)
        if nl == -1:
            if end < MAX_PENDING:
                self._used = end
                self.tick()
                return
            text, stop = codecs.utf_8_decode(view[:end], "replace", False)  # stops before a split character
            text, stop = self._keep_secrets_whole(text, stop)
            cut = stop
        else:
            stop, cut = nl, nl + 1
            text = codecs.utf_8_decode(view[:nl], "replace", True)[0]  # ends at a newline: never mid-character
        self._block(view[:stop], text, dirty=buf.find(b"\x1b", 0, stop) != -1 or buf.find(b"\r", 0, stop) != -1)
        rest = end - cut
        if rest:
            buf[:rest] = bytes(view[cut:end])
        self._used = 0
        if rest >= MAX_PENDING:  # the next line is already too long: cut it now, so a read always fits
            self._consume(rest)
        else:
            self._used = rest

    def _keep_secrets_whole(self, text: str, stop: int) -> tuple[str, int]:
        """A line cut at :data:`MAX_PENDING` is cut before any secret that spans the cut, so each
        piece is masked whole (the rest waits for the next read). ``text`` is ``_buf[:stop]`` decoded."""
        cut_point = getattr(self.redact, "cut_point", None)
        at = cut_point(text) if cut_point is not None else len(text)
        if at >= len(text) or at == 0:
            return text, stop
        held = text[at:].encode("utf-8")
        if bytes(self._view[stop - len(held) : stop]) != held:  # undecodable bytes in the way: cut as read
            return text, stop
        return text[:at], stop - len(held)

    def note(self, text: str) -> None:
        """A line of the runner's own (``$ command``, ``writing /etc/hosts``): logged and shown."""
        self.close_partial()
        self._text(text)

    def close_partial(self) -> None:
        """End of a command's output: the last line may lack its newline."""
        if self._used:
            data, self._used = bytes(self._view[: self._used]), 0
            self._text(data.decode("utf-8", "replace"))

    # --- output ---------------------------------------------------------------------------

    def _block(self, raw: memoryview, text: str, *, dirty: bool) -> None:
        """Whole lines from the child: ``raw`` as read, ``text`` decoded from it."""
        if dirty:
            text = strip_escapes(text)
        shown = self.redact(text)
        # the bytes as read are exactly the text when nothing changed: the log gets them, no second copy
        self._add(shown, raw if not dirty and shown is text and text.isascii() else None)
        self._say_notices()

    def _text(self, text: str) -> None:
        """Lines from elsewhere (the runner's notes, a last line without newline)."""
        self._add(self.redact(strip_escapes(text)))
        self._say_notices()

    def _say_notices(self) -> None:
        """What the redactor could not read (a broken passwords file), once, in the log and to listeners."""
        pop = getattr(self.redact, "pop_notices", None)
        if pop is not None:
            for notice in pop():
                self._add(notice)

    def _add(self, text: str, raw: memoryview | None = None) -> None:
        """One clean, redacted block: to the log (``raw`` if given), the tail and the pending batch."""
        self.log.write(text.encode("utf-8", "replace") if raw is None else raw)
        self.log.write(b"\n")
        self._recent.add(text)
        self._pending.append(text)
        self._pending_chars += len(text) + 1
        if "[" in text:
            header = last_ansible_header(text)
            if header and header != self._substatus:
                self._substatus = header
                self.flush()
                self.emit(StepSubstatus(self.step_id, header))
                return
        self.tick()

    @property
    def tail(self) -> tuple[str, ...]:
        """The last :data:`TAIL_LINES` lines, as they may be shown."""
        return tuple(self._recent.lines(TAIL_LINES))

    def tick(self) -> None:
        """Emit the pending output when the batch is big enough or old enough."""
        if self._pending and (
            self._pending_chars >= self._batch_chars or time.monotonic() - self._last_emit >= self._batch_seconds
        ):
            self.flush()

    def flush(self) -> None:
        if self._pending:
            pending, self._pending, self._pending_chars = self._pending, [], 0
            self.emit(StepOutput(self.step_id, pending[0] if len(pending) == 1 else "\n".join(pending)))
        self._last_emit = time.monotonic()
        self.log.flush()


def last_ansible_header(text: str) -> str:
    """The last ``PLAY [..]`` / ``TASK [..]`` / ``RUNNING HANDLER [..]`` header line in ``text``, or ""."""
    at = max(text.rfind(needle) for needle in _HEADER_NEEDLES)
    if at == -1:
        return ""
    match = ANSIBLE_HEADER_RE.match(text, text.rfind("\n", 0, at) + 1)
    if match and match.end() > at:
        return match.group(0)
    last = None
    for last in ANSIBLE_HEADER_RE.finditer(text):  # noqa: B007 - the last one wins (a header mid-line: rare)
        pass
    return last.group(0) if last else ""
