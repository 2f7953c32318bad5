"""Keep secrets (the values in passwords.yml) out of the log files, the console and the TUI, in any
encoding a tool prints them in.

A secret rarely shows up as itself: Ansible prints JSON (``\\"`` and ``\\\\`` escaped, sometimes twice),
URLs carry it percent-encoded, HTTP headers and Kubernetes-style configs carry it in base64. So each
secret is masked in every form :func:`variants` lists. Nothing is done per line, and nothing at all
until passwords.yml exists. A block is first screened with one C-speed substring search per
*screening form* (the forms that contain no other form: the base64 of a secret contains its
aligned core, so only the core is searched for); only a block where one is found goes through
the compiled alternation of every form, which masks them all, longest first. (One alternation
for the screen too would be simpler, but Python's ``re`` tries every branch at every position:
600 forms took 29 s over ``seq 1000000``, the screen 1.6 s, and 0 s without secrets.)

kolla-genpwd fills passwords.yml in the middle of a step, so the redactor looks at the file's
identity (inode, size, mtime: one ``stat``) before every block and re-reads it when it changed.
It fails closed: a passwords file that is not valid YAML is read line by line (every ``key:
value`` and every other line is masked), the values read before stay masked, and what could not
be read is said once, in the log and to the listeners (:meth:`Redactor.pop_notices`).
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import yaml

from wizard.inputs import InputFileError, ShallowLoader, read_regular_file

MASK = "********"
MIN_SECRET_LEN = 6  # shorter values ("yes", "kolla") would mangle ordinary output
MIN_VARIANT_LEN = 8  # a base64 piece shorter than this would match ordinary words
MAX_SECRETS_FILE = 16 * 1024 * 1024
_LINE_VALUE_RE = re.compile(r"^\s*(?:-\s+)?(?:[^\s#:'\"][^:]*:(?:\s+|$))?(.*?)\s*$")
_PERCENT_RE = re.compile(r"%[0-9A-F]{2}")


def secret_values(data: Any) -> set[str]:
    """Every string leaf of a passwords.yml document (nested keys included), split into lines."""
    out: set[str] = set()
    if isinstance(data, dict):
        for v in data.values():
            out |= secret_values(v)
    elif isinstance(data, list):
        for v in data:
            out |= secret_values(v)
    elif isinstance(data, str | int | float) and not isinstance(data, bool):
        text = str(data)
        for line in text.splitlines() or [text]:
            line = line.strip()
            if len(line) >= MIN_SECRET_LEN:
                out.add(line)
    return out


def values_line_by_line(text: str) -> set[str]:
    """What a passwords file that is not valid YAML may hold: from each ``key: value`` line its value,
    from each other line (``- item``, a block scalar's content) the line, quotes taken off.

    Masks more than needed (a key without a value gives nothing; a comment is skipped) rather than
    less: this runs only when the file could not be parsed.
    """
    out: set[str] = set()
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        match = _LINE_VALUE_RE.match(line)
        value = match.group(1) if match else line.strip()
        found = {value}
        if len(value) >= 2 and value[0] == value[-1] == "'":
            found = {value[1:-1].replace("''", "'")}
        elif len(value) >= 2 and value[0] == value[-1] == '"':
            found = {value[1:-1]}
            try:  # YAML's double-quoted escapes are JSON's (and more): the value as YAML would read it
                found.add(json.loads(value))
            except ValueError:
                pass
        out |= {v for v in found if len(v) >= MIN_SECRET_LEN and v not in ("|", ">", "|-", ">-")}
    return out


def _b64_forms(data: bytes) -> set[str]:
    """The secret's own base64 (standard and URL-safe, with and without padding) and, for each of the
    three alignments it can have inside a longer base64 string, the characters only it determines."""
    out: set[str] = set()
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        whole = encode(data).decode("ascii")
        out |= {whole, whole.rstrip("=")}
        for skip in range(3):  # the secret starts `skip` bytes into a 3-byte group of the longer data
            core = data[skip:]
            core = core[: len(core) - len(core) % 3]
            if len(core) >= 6:
                out.add(encode(core).decode("ascii"))
    return out


def variants(secret: str) -> set[str]:
    """Every form ``secret`` may be printed in: as is, JSON-escaped (once and twice, ASCII or not),
    percent-encoded (``quote``, ``quote_plus``; upper and lower case hex) and base64 (:func:`_b64_forms`)."""
    out = {secret}
    for ascii_only in (True, False):
        once = json.dumps(secret, ensure_ascii=ascii_only)[1:-1]
        out |= {once, json.dumps(once, ensure_ascii=ascii_only)[1:-1]}
    for encoded in (quote(secret, safe=""), quote(secret), quote_plus(secret), quote_plus(secret, safe="/")):
        out |= {encoded, _PERCENT_RE.sub(lambda m: m.group().lower(), encoded)}
    out |= _b64_forms(secret.encode("utf-8"))
    return {v for v in out if len(v) >= MIN_VARIANT_LEN or v == secret}


class Redactor:
    """Replace known secrets, in every form of :func:`variants`, with ``********``.

    ``files`` are passwords files (YAML), watched for changes before each block; ``values`` are
    fixed secrets. Callable on a block of text; returns the very same object when nothing matched
    (the output stream then logs the bytes as read).
    """

    def __init__(self, files: Iterable[Path | str] = (), values: Iterable[str] = ()) -> None:
        self._files = [Path(f) for f in files]
        self._fixed = {v for v in values if len(v) >= MIN_SECRET_LEN}
        self._stamps: dict[Path, tuple[int, ...] | None] = {}
        self._from_files: dict[Path, set[str]] = {}
        self._secrets: frozenset[str] = frozenset()
        self._regex: re.Pattern[str] | None = None
        self._screens: tuple[str, ...] = ()
        self.longest = 0  # the longest form of any secret, in characters
        self._notices: list[str] = []
        self._said: set[str] = set()
        self.refresh()

    # --- the secrets ------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read any passwords file whose identity (device, inode, size, mtime) changed."""
        changed = False
        for f in self._files:
            try:
                st = os.stat(f)
                stamp: tuple[int, ...] | None = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
            except OSError:
                stamp = None
            if self._stamps.get(f, ()) == stamp:
                continue
            self._stamps[f] = stamp
            if stamp is None:
                continue  # gone (or not there yet): what it held stays masked
            found = self._read(f)
            before = self._from_files.get(f, set())
            if not found <= before:
                self._from_files[f] = before | found  # values only accumulate: an old secret stays masked
                changed = True
        if changed or self._regex is None:
            self._compile()

    def _read(self, path: Path) -> set[str]:
        """The secrets in ``path``: parsed as YAML, else line by line (and said once)."""
        try:
            text = read_regular_file(path, MAX_SECRETS_FILE, "a passwords file").decode("utf-8", "replace")
        except InputFileError as exc:
            self._notice(f"{path}: {exc}: its secrets cannot be masked until it can be read")
            return set()
        try:
            return secret_values(yaml.load(text, Loader=ShallowLoader))
        except (yaml.YAMLError, ValueError) as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or "not YAML"
            self._notice(
                f"{path}: not valid YAML{where} ({problem}): its values are masked line by line; "
                "a value split over lines may not be"
            )
            return values_line_by_line(text)

    def _compile(self) -> None:
        every = set(self._fixed)
        for values in self._from_files.values():
            every |= values
        if frozenset(every) == self._secrets and self._regex is not None:
            return
        self._secrets = frozenset(every)
        forms: set[str] = set()
        for secret in every:
            forms |= variants(secret)
        if not forms:
            self._regex, self._screens, self.longest = None, (), 0
            return
        # longest first, so a form containing another is masked whole
        ordered = sorted(forms, key=lambda v: (-len(v), v))
        self._regex = re.compile("|".join(map(re.escape, ordered)))
        self.longest = len(ordered[0])
        shortest_first = ordered[::-1]
        screens: list[str] = []
        for form in shortest_first:  # a form holding a shorter screen is found through that one
            if not any(s in form for s in screens):
                screens.append(form)
        self._screens = tuple(screens)

    def _notice(self, text: str) -> None:
        if text not in self._said:
            self._said.add(text)
            self._notices.append(f"aio-wizard: warning: {text}")

    def pop_notices(self) -> list[str]:
        """What could not be read since the last call (each said once): for the log and the listeners."""
        out, self._notices = self._notices, []
        return out

    # --- masking ----------------------------------------------------------------------------

    def __call__(self, text: str) -> str:
        if self._files:
            self.refresh()
        if self._regex is None:
            return text
        for screen in self._screens:
            if screen in text:
                return self._regex.sub(MASK, text)
        return text

    def cut_point(self, text: str) -> int:
        """Where a line too long to keep (no newline yet) may be cut without splitting a secret:
        ``len(text)`` when nothing is masked; else before the last ``longest - 1`` characters, or
        before a secret that spans that point (the rest waits for the next read)."""
        if self._regex is None or len(text) < self.longest:
            return len(text)
        cut = len(text) - (self.longest - 1)
        for match in self._regex.finditer(text, max(0, cut - self.longest)):
            if match.start() < cut < match.end():
                return match.start()
            if match.start() >= cut:
                break
        return cut
