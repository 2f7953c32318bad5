"""Steps files (``--steps-file``) for tests: plans of real, harmless commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def write_steps(path: Path, steps: str | list[dict[str, Any]]) -> Path:
    """Write a steps file: text exactly as given, or a list of steps as YAML."""
    path.write_text(steps if isinstance(steps, str) else yaml.safe_dump(steps))
    return path
