"""Fixtures of the kolla contract tier: the cached real kolla-ansible venvs and a private /etc.

Every test here is marked ``contract``. It needs root (private mount and network namespaces)
and either PyPI (to learn the newest kolla-ansible of each major and, once, to build its venv) or
a venv already in the cache; without them the tests skip with the reason.
``AIO_WIZARD_CONTRACT=0`` switches the tier off. Timings are printed at the end of the run.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.contract import plans
from tests.contract.kolla_env import unshare_unavailable
from tests.contract.venvs import KollaVenv, ensure_venv, newest_version, python_tag, venvs_dir
from tests.support.guide import GUIDE_ANSWERS
from tests.support.netns import NetnsHost, netns_unavailable

ENABLE_ENV = "AIO_WIZARD_CONTRACT"
HOST_ADDRESS = "10.1.1.88"  # the guide host's address on enp1s0
TIMINGS: dict[str, float] = {}
_VENVS: dict[str, KollaVenv | str] = {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.contract)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # pragma: no cover - reporting
    if TIMINGS:
        terminalreporter.write_sep("-", "kolla contract tier timings")
        for name, seconds in TIMINGS.items():
            terminalreporter.write_line(f"{name}: {seconds:.1f} s")


def tier_unavailable() -> str | None:
    """Why the tier cannot run here (None when it can)."""
    if os.environ.get(ENABLE_ENV) == "0":
        return f"the kolla contract tier is switched off ({ENABLE_ENV}=0)"
    if os.geteuid() != 0:
        return "needs root (private mount namespaces for /etc/kolla, network namespaces)"
    if not plans.COLLECTIONS.is_dir():
        return f"no openstack.kolla snapshots at {plans.COLLECTIONS} (../shared/kolla-collections)"
    return unshare_unavailable()


def _cached_version(release: str) -> str | None:
    """The newest venv of ``release``'s major already in the cache (for a run without PyPI)."""
    from wizard.kolla.releases import get_release

    major = get_release(release).kolla_major
    tag = python_tag()
    found = [
        p.name.removesuffix(f"-{tag}")
        for p in venvs_dir().glob(f"{major}.*-{tag}")
        if p.is_symlink() and p.exists()
    ]
    return max(found, key=lambda v: tuple(int(x) for x in v.split(".")), default=None)


def kolla_venv_for(release: str, tmp_root: Path) -> KollaVenv:
    """The cached venv of ``release`` (built on first use); skips the test when it cannot be had."""
    why = tier_unavailable()
    if why:
        pytest.skip(why)
    if plans.any_collection_for(release) is None:
        pytest.skip(
            f"no openstack.kolla snapshot of stable/{release} or unmaintained/{release} in {plans.COLLECTIONS}: "
            "list-tasks cannot resolve the collection's roles without it"
        )
    got = _VENVS.get(release)
    if got is None:
        try:
            started = time.monotonic()
            version = newest_version(release)
            TIMINGS[f"pip index versions ({release})"] = time.monotonic() - started
            online = True
        except OSError as exc:
            online = False
            version = _cached_version(release)
            if version is None:
                _VENVS[release] = f"PyPI unreachable and no cached venv for {release}: {exc}"
        if release not in _VENVS:
            started = time.monotonic()
            try:
                plan_for = plans.release_plan_for_venv(release, tmp_root)
                got = ensure_venv(version, plan_for, may_build=online, timings=TIMINGS)
            except OSError as exc:
                got = f"cannot build the kolla-ansible {version} venv: {exc}"
            TIMINGS[f"venv {release} (kolla-ansible {version})"] = time.monotonic() - started
            _VENVS[release] = got
        got = _VENVS[release]
    if isinstance(got, str):
        pytest.skip(got)
    return got


@pytest.fixture(scope="session")
def contract_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("contract")


@pytest.fixture
def kolla_venv(request: pytest.FixtureRequest, contract_tmp: Path) -> KollaVenv:
    """The venv of the test's ``release`` parameter."""
    return kolla_venv_for(request.node.callspec.params["release"], contract_tmp)


@pytest.fixture(scope="session")
def guide_netns():
    """The guide's host NICs in a network namespace: enp1s0 10.1.1.88/24 via 10.1.1.1, the external NIC bare."""
    why = netns_unavailable()
    if why:
        pytest.skip(why)
    with NetnsHost("ctv") as host:
        host.add_nic(GUIDE_ANSWERS["network_interface"], f"{HOST_ADDRESS}/24", gateway="10.1.1.1")
        host.add_nic(GUIDE_ANSWERS["neutron_external_interface"], None)
        yield host.ns
