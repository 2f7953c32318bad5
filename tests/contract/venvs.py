"""Cached virtualenvs holding the real kolla-ansible of each release, installed as the plan installs it.

The contract tier checks the wizard's plan against the real kolla-ansible packages, so it needs one
virtualenv per release family: the newest kolla-ansible of that major from PyPI, installed by the
plan's own ``virtualenv`` and ``kolla-ansible`` step commands (argv and env exactly as the runner
would run them). Building one takes minutes; the result is cached outside the repository in
``${AIO_WIZARD_TEST_VENVS:-/opt/aio-wizard-tests/venvs}/<version>-py<X.Y>`` (not under
/var/cache: the wizard refuses a venv_path inside a system directory), so CI on the same machine
builds each release once. Other cached results live in ``${AIO_WIZARD_TEST_CACHE:-/var/cache/aio-wizard-tests}``.

Creation is atomic and locked: a build goes to a fresh directory ``.<version>-py<X.Y>-<key>``
(``key`` hashes the install commands, so a changed plan builds again) and is published by
atomically replacing the symlink ``<version>-py<X.Y>`` with one pointing at it. A venv's scripts
name its directory in their shebangs, so the directory itself is never moved. A per-venv lock
file (``flock``) keeps two runs from building the same venv at once; a build that died half way
leaves only an unpublished directory, removed by the next build.

Next to the venvs (not in them: the plan does not install it), ``ansible-pkg/ansible-<major>``
holds the ``ansible`` package of the major that matches a venv's ansible-core, shared by the
venvs that need the same one: it carries the collections openstack.kolla depends on
(ansible.posix, community.general, ...), which ``kolla-ansible install-deps`` would fetch from Galaxy.

Runnable on its own to fill the cache: ``python -m tests.contract.venvs [RELEASE ...]``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CACHE_ENV = "AIO_WIZARD_TEST_CACHE"
DEFAULT_CACHE = "/var/cache/aio-wizard-tests"
#: The venvs themselves: the wizard refuses a venv_path inside a system directory such as /var/cache
#: (answers/patterns.py), and the plan is built with the venv's path as its venv_path.
VENVS_ENV = "AIO_WIZARD_TEST_VENVS"
DEFAULT_VENVS = "/opt/aio-wizard-tests/venvs"
PLACEHOLDER = "@VENV@"

#: ansible-core minor -> the ``ansible`` package major that ships it (and its collections).
ANSIBLE_FOR_CORE = {"2.14": 7, "2.15": 8, "2.16": 9, "2.17": 10, "2.18": 11, "2.19": 12, "2.20": 13}


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE)


def venvs_dir() -> Path:
    return Path(os.environ.get(VENVS_ENV) or DEFAULT_VENVS)


def python_tag() -> str:
    """``py3.11``: the Python the venvs are made with (``python3`` on PATH, as the plan runs it)."""
    out = subprocess.run(
        ["python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    )
    return "py" + out.stdout.strip()


_INDEX: dict[str, list[str] | OSError] = {}


def pypi_versions(project: str, *, timeout: float = 60) -> list[str]:
    """Every version of ``project`` on the package index, newest first (``pip index versions``).

    Raises OSError when the index cannot be reached (the tier then uses the cache, or skips);
    the answer, failure included, is asked once per run.
    """
    if project not in _INDEX:
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "pip", "index", "versions", project, "--disable-pip-version-check"],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
            m = re.search(r"Available versions:\s*(.+)", proc.stdout)
            if proc.returncode != 0 or not m:
                raise OSError(f"pip index versions {project}: {(proc.stderr or proc.stdout).strip()[-300:]}")
            _INDEX[project] = [v.strip() for v in m.group(1).split(",") if v.strip()]
        except subprocess.TimeoutExpired:
            _INDEX[project] = OSError(f"pip index versions {project}: no answer in {timeout:g} s")
        except OSError as exc:
            _INDEX[project] = exc
    got = _INDEX[project]
    if isinstance(got, OSError):
        raise got
    return got


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else -1 for p in version.split("."))


def newest_of_major(versions: Sequence[str], major: int) -> str | None:
    """The newest final release ``major.x.y`` in ``versions``."""
    found = [v for v in versions if re.fullmatch(rf"{major}\.\d+\.\d+", v)]
    return max(found, key=_version_key) if found else None


@dataclass(frozen=True)
class KollaVenv:
    """A published venv: ``path`` is the stable symlink, ``real`` the directory it points at."""

    version: str
    path: Path
    real: Path

    @property
    def share(self) -> Path:
        return self.path / "share" / "kolla-ansible"

    @property
    def ansible_pkg(self) -> Path:
        """A directory holding ``ansible_collections/`` of the matching ``ansible`` package."""
        return Path(self.info().get("ansible_pkg") or self.real / "contract" / "ansible-pkg")

    def bin(self, name: str) -> Path:
        return self.path / "bin" / name

    def info(self) -> dict[str, Any]:
        return json.loads((self.real / "contract" / "info.json").read_text())


def install_commands(plan: Mapping[str, Any], venv_dir: str) -> list[dict[str, Any]]:
    """The plan's ``virtualenv`` and ``kolla-ansible`` step commands (``{"argv", "env"}``), in order."""
    steps = {s["id"]: s for s in plan["steps"]}
    out = []
    for step_id in ("virtualenv", "kolla-ansible"):
        if step_id not in steps:
            raise ValueError(f"the plan has no {step_id!r} step")
        out.extend(steps[step_id]["commands"])
    text = json.dumps(out)
    if venv_dir not in text:
        raise ValueError(f"the plan's install commands do not name the venv {venv_dir}: {text[:300]}")
    return out


def commands_key(commands: Sequence[Mapping[str, Any]], venv_dir: str) -> str:
    """A hash of the install commands (argv and env but PATH, with the venv path and the wizard's own
    Python made neutral): a changed plan means a new build, another checkout of the same plan does not."""
    neutral = []
    for c in commands:
        argv = [str(a).replace(venv_dir, PLACEHOLDER) for a in c["argv"]]
        if argv[1:3] == ["-m", "wizard.pipeline.actions"]:
            argv[0] = "@WIZARD_PYTHON@"  # the checkout's own venv: where the wizard runs from, not what it installs
        env = {k: str(v).replace(venv_dir, PLACEHOLDER) for k, v in (c.get("env") or {}).items() if k != "PATH"}
        neutral.append({"argv": argv, "env": env})
    return hashlib.sha256(json.dumps(neutral, sort_keys=True).encode()).hexdigest()[:10]


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _run(argv: Sequence[str], env: Mapping[str, str], log: Path, timeout: float = 1800) -> None:
    with open(log, "a") as fh:
        fh.write(f"\n$ {' '.join(argv)}\n")
        fh.flush()
        proc = subprocess.run(
            list(argv), env=dict(env), stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT,
            timeout=timeout, check=False,
        )
    if proc.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-25:]
        raise RuntimeError(f"{argv[0]} … exited {proc.returncode}; log {log}:\n" + "\n".join(tail))


def command_env(cmd: Mapping[str, Any]) -> dict[str, str]:
    """The environment the runner gives a plan command: ours, then the command's (fully expanded) env."""
    return {**os.environ, **{str(k): str(v) for k, v in (cmd.get("env") or {}).items()}}


def _site_version(venv: Path, project: str) -> str | None:
    name = "[-_]".join(re.escape(part) for part in re.split(r"[-_]", project))
    pattern = re.compile(rf"^{name}-([0-9][^-]*)\.dist-info$", re.I)
    for site in [*venv.glob("lib/python*/site-packages"), venv]:
        for entry in site.iterdir():
            m = pattern.match(entry.name)
            if m:
                return m.group(1)
    return None


def ensure_ansible_pkg(major: int, python: Path, log: Path) -> Path:
    """``ansible`` ``major``.x (its collections; no dependencies) in a cached ``--target`` directory.

    Shared by the venvs whose ansible-core needs the same major; built in a temporary directory
    and renamed into place under a lock (nothing in it names its own path).
    """
    root = cache_dir() / "ansible-pkg"
    final = root / f"ansible-{major}"
    with _locked(root / f".ansible-{major}.lock"):
        if (final / "ansible_collections").is_dir():
            return final
        tmp = root / f".ansible-{major}.build-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        _run(
            [str(python), "-m", "pip", "install", "-q", "--no-deps", "--target", str(tmp),
             f"ansible>={major},<{major + 1}"],
            os.environ,
            log,
        )
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
    return final


def ensure_venv(
    version: str,
    plan_for: Any,
    *,
    may_build: bool = True,
    timings: dict[str, float] | None = None,
) -> KollaVenv:
    """The cached venv for kolla-ansible ``version``, built now if missing.

    ``plan_for(venv_dir) -> plan dict`` gives the wizard's plan (``plan --json``) with ``venv_path``
    answered as ``venv_dir``; its install commands are run as they stand. After them, the venv must
    hold exactly kolla-ansible ``version`` (else the plan installed something else: an error).
    Without ``may_build`` (no package index) a missing or outdated venv raises OSError.
    """
    root = venvs_dir()
    name = f"{version}-{python_tag()}"
    link = root / name
    probe_dir = str(root / f".{name}-KEY")
    key = commands_key(install_commands(plan_for(probe_dir), probe_dir), probe_dir)
    real = root / f".{name}-{key}"
    with _locked(root / f".{name}.lock"):
        if link.is_symlink() and link.resolve() == real.resolve() and (real / "contract" / "info.json").exists():
            return KollaVenv(version, link, real)
        if not may_build:
            raise OSError(f"the package index is unreachable and {link} is missing or was built by other commands")
        started = time.monotonic()
        for stale in root.glob(f".{name}-*"):  # unpublished or superseded builds (we hold the lock)
            if stale.is_dir() and stale.resolve() != (link.resolve() if link.is_symlink() else None):
                shutil.rmtree(stale, ignore_errors=True)
        shutil.rmtree(real, ignore_errors=True)
        real.parent.mkdir(parents=True, exist_ok=True)
        log = root / f".{name}-{key}.log"
        log.write_text(f"building {real} for kolla-ansible {version}\n")
        for cmd in install_commands(plan_for(str(real)), str(real)):
            _run(cmd["argv"], command_env(cmd), log)
        installed = _site_version(real, "kolla-ansible")
        if installed != version:
            raise RuntimeError(f"the plan's pip installed kolla-ansible {installed}, not {version} (log {log})")
        core = _site_version(real, "ansible-core") or _site_version(real, "ansible_core")
        if not core:
            raise RuntimeError(f"no ansible-core in {real} after the plan's install commands (log {log})")
        minor = ".".join(core.split(".")[:2])
        major = ANSIBLE_FOR_CORE.get(minor)
        if major is None:
            raise RuntimeError(f"no known ansible package for ansible-core {core}")
        pkg = ensure_ansible_pkg(major, real / "bin" / "python", log)
        (real / "contract").mkdir(exist_ok=True)
        info = {
            "kolla_ansible": installed,
            "ansible_core": core,
            "ansible": _site_version(pkg, "ansible"),
            "ansible_pkg": str(pkg),
            "kolla": _site_version(real, "kolla"),
            "built_seconds": round(time.monotonic() - started, 1),
        }
        (real / "contract" / "info.json").write_text(json.dumps(info, indent=1) + "\n")
        tmp_link = root / f".{name}.link-{os.getpid()}"
        tmp_link.unlink(missing_ok=True)
        tmp_link.symlink_to(real.name)
        os.replace(tmp_link, link)
        if timings is not None:
            timings[f"build {name}"] = time.monotonic() - started
        return KollaVenv(version, link, real)


def newest_version(release_name: str) -> str:
    """The newest kolla-ansible of ``release_name``'s major on PyPI (OSError when unreachable)."""
    from wizard.kolla.releases import get_release

    major = get_release(release_name).kolla_major
    version = newest_of_major(pypi_versions("kolla-ansible"), major)
    if version is None:
        raise OSError(f"PyPI has no kolla-ansible {major}.x")
    return version


def main(argv: Sequence[str]) -> int:  # pragma: no cover - a convenience for filling the cache
    import tempfile

    from tests.contract.plans import contract_releases, release_plan_for_venv

    names = list(argv) or contract_releases()
    for name in names:
        version = newest_version(name)
        started = time.monotonic()
        with tempfile.TemporaryDirectory() as tmp:
            venv = ensure_venv(version, release_plan_for_venv(name, Path(tmp)))
        print(f"{name}: {venv.path} -> {venv.real.name} ({time.monotonic() - started:.0f} s) {venv.info()}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
