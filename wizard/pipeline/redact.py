"""Keep secrets (the values in passwords.yml) out of the log pane and the log files.

kolla-genpwd fills passwords.yml in the middle of the run, so the redactor re-reads the file
whenever it changed (cheap: one ``stat`` per step). Matching is done on whole lines, so a
secret split across two read chunks is still caught. A quick ``in`` test per secret keeps
the common case (no secret in the chunk) fast even with the ~100 values Kolla generates.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

MASK = "********"
MIN_SECRET_LEN = 6  # shorter values ("yes", "kolla") would mangle ordinary output


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


class Redactor:
    """Replace known secrets with ``********``; watches the given passwords files for changes."""

    def __init__(self, files: Iterable[Path | str] = (), values: Iterable[str] = ()) -> None:
        self._files = [Path(f) for f in files]
        self._fixed = {v for v in values if len(v) >= MIN_SECRET_LEN}
        self._stamps: dict[Path, tuple[int, int] | None] = {}
        self._from_files: dict[Path, set[str]] = {}
        self._secrets: list[str] = sorted(self._fixed, key=len, reverse=True)
        self.refresh()

    def refresh(self) -> None:
        """Re-read any passwords file whose size or mtime changed."""
        changed = False
        for f in self._files:
            try:
                st = os.stat(f)
                stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
            except OSError:
                stamp = None
            if self._stamps.get(f, ()) == stamp:
                continue
            self._stamps[f] = stamp
            changed = True
            values: set[str] = set()
            if stamp is not None:
                try:
                    values = secret_values(yaml.safe_load(f.read_text(errors="replace")))
                except (OSError, yaml.YAMLError):
                    values = set()
            self._from_files[f] = values
        if changed:
            every = set(self._fixed)
            for values in self._from_files.values():
                every |= values
            self._secrets = sorted(every, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        if not self._secrets:
            return text
        for secret in self._secrets:  # longest first, so a secret containing another is masked whole
            if secret in text:
                text = text.replace(secret, MASK)
        return text
