"""The real kolla-ansible packages from PyPI, as wheels cached outside the checkout.

Several tiers read files the real package ships (init-runonce, requirements.yml, the example
globals): one downloader, one cache (``$AIO_WIZARD_TEST_CACHE/wheels``, default
/var/cache/aio-wizard-tests/wheels), so a rerun and CI on the same machine download nothing. A test
that cannot have the wheel (no cache directory, PyPI unreachable) is skipped with the reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

WHEELS = Path(os.environ.get("AIO_WIZARD_TEST_CACHE", "/var/cache/aio-wizard-tests")) / "wheels"


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(p) for p in path.name.split("-")[1].split(".") if p.isdigit())


def kolla_ansible_wheel(version: str | None = None, *, major: int | None = None) -> Path:
    """The wheel of kolla-ansible ``version`` exactly, or the newest ``major``.x (downloaded once)."""
    pattern = f"kolla_ansible-{version}-*-none-any.whl" if version else f"kolla_ansible-{major}.*-none-any.whl"
    requirement = f"kolla-ansible=={version}" if version else f"kolla-ansible>={major},<{major + 1}"  # type: ignore[operator]
    found = sorted(WHEELS.glob(pattern), key=_version_key)
    if found:
        return found[-1]
    try:
        WHEELS.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        pytest.skip(f"no wheel cache at {WHEELS}: {exc}")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-q", "-d", str(WHEELS),
         requirement],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    found = sorted(WHEELS.glob(pattern), key=_version_key)
    if proc.returncode != 0 or not found:
        pytest.skip(f"cannot download {requirement} from PyPI: {proc.stderr.strip()[-300:]}")
    return found[-1]


def wheel_data_file(wheel: Path, path: str) -> bytes:
    """The file the wheel installs at ``VENV/<path>`` (e.g. ``share/kolla-ansible/init-runonce``)."""
    with zipfile.ZipFile(wheel) as whl:
        member = next((n for n in whl.namelist() if n.endswith(f".data/data/{path}")), None)
        if member is None:
            raise AssertionError(f"{wheel.name} ships no {path}")
        return whl.read(member)
