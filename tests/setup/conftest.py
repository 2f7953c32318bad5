"""Slow tests here (building the release bundle downloads wheels: about a minute) run only when asked.

Ask with ``-m slow`` (or any -m expression naming it) or ``AIO_WIZARD_SLOW=1``, as tests/e2e.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import skip_slow_unless_asked


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_slow_unless_asked(config, items, Path(__file__).parent, "AIO_WIZARD_SLOW", "downloads the bundle's wheels")
