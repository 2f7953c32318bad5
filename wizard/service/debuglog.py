"""The debug log in the state directory: errors in listeners and workers are logged there, never swallowed.

``<state-dir>/debug.log`` (0600), at INFO; ``--debug`` makes it DEBUG. Set up once per process.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

DEBUG_LOG_NAME = "debug.log"
_configured: set[Path] = set()


def setup_debug_log(state_dir: Path, *, debug: bool = False) -> Path | None:
    """Log ``wizard.*`` to the state dir's debug log; None when it cannot be written (the run goes on)."""
    path = Path(state_dir) / DEBUG_LOG_NAME
    logger = logging.getLogger("wizard")
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    if path in _configured:
        return path
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        os.close(fd)
        handler = logging.FileHandler(path)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(name)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    _configured.add(path)
    return path
