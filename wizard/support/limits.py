"""The support bundle's size bounds, apart so ``aio-wizard --help`` can state them without
importing the bundle's machinery (``--help`` must stay quick)."""

from __future__ import annotations

MIB = 1 << 20
BUNDLE_LIMIT = 20 * MIB  # the whole .tar.gz
STEP_LOG_TAIL = 1 * MIB  # the end of each step log
STEP_LOGS_TOTAL = 10 * MIB  # all step logs together (the failed step's comes first)
CONTAINER_LOG_LINES = 1000  # docker logs --tail N
CONTAINER_LOG_TAIL = 256 * 1024  # and at most this much of it

BUNDLE_LIMIT_MIB = BUNDLE_LIMIT // MIB
STEP_LOG_TAIL_MIB = STEP_LOG_TAIL // MIB
