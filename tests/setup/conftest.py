"""Slow tests here (building the release bundle downloads wheels: about a minute) run only when asked.

Ask with ``-m slow`` (or any -m expression naming it) or ``AIO_WIZARD_SLOW=1``, as tests/e2e.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SLOW_ENV = "AIO_WIZARD_SLOW"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "slow" in (config.option.markexpr or "") or os.environ.get(SLOW_ENV) == "1":
        return
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason=f"slow (downloads the bundle's wheels): run with -m slow or {SLOW_ENV}=1")
    for item in items:
        if item.get_closest_marker("slow") and here in Path(str(item.fspath)).parents:
            item.add_marker(skip)
