"""Running the plan's kolla-ansible commands as the runner would, but with a private /etc.

kolla-ansible reads (and kolla-genpwd writes) /etc/kolla. The machine's /etc must never be
written, so every command runs in a private mount namespace (``unshare --mount``) where /etc is
an overlay: the real /etc below, a test's directory on top. What the plan's ``kolla-config``,
``globals`` and ``genpwd`` steps would write goes into that upper directory (``upper/kolla/...``),
and anything the command writes under /etc lands there too, visible to the test and gone with it.

The openstack.kolla collection that ``install-deps`` would fetch from opendev.org comes from the
shared snapshots (``../shared/kolla-collections``), extracted into ``<dir>/ansible_collections``
and named by ``ANSIBLE_COLLECTIONS_PATH``, next to the ``ansible`` package's collections.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.contract.venvs import KollaVenv, cache_dir

#: The shell code is fixed; every path and the command come in as arguments ("$1", "$2", "$@").
_OVERLAY_ETC = 'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1,workdir=$2" /etc && shift 2 && exec "$@"'
_OVERLAY_ETC_HOSTNAME = (
    'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1,workdir=$2" /etc && hostname "$3" && shift 3 && exec "$@"'
)


def unshare_unavailable() -> str | None:
    """Why commands cannot get a private /etc here (None when they can)."""
    if os.geteuid() != 0:
        return "needs root for a private mount namespace (unshare --mount) over /etc"
    if shutil.which("unshare") is None:
        return "needs unshare (util-linux)"
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "true"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        return f"cannot create a mount namespace: {probe.stderr.strip()}"
    return None


class PrivateEtc:
    """An overlay over /etc for commands run through :meth:`argv`; ``kolla`` is its /etc/kolla."""

    def __init__(self, directory: Path) -> None:
        self.upper = directory / "etc-upper"
        self.work = directory / "etc-work"
        self.upper.mkdir(parents=True, exist_ok=True)
        self.work.mkdir(parents=True, exist_ok=True)

    @property
    def kolla(self) -> Path:
        return self.upper / "kolla"

    def here(self, path: str) -> Path:
        """Where host path ``path`` (under /etc) is, from outside the namespace."""
        rel = Path(path).relative_to("/etc")
        return self.upper / rel

    def argv(self, argv: Sequence[str], netns: str | None = None, hostname: str | None = None) -> list[str]:
        """``argv`` wrapped: (in network namespace ``netns``,) a new mount namespace, /etc overlaid,
        and with ``hostname`` a new UTS namespace carrying that host name."""
        if hostname:
            inner = [
                "unshare", "--mount", "--uts", "--propagation", "private", "--",
                "sh", "-c", _OVERLAY_ETC_HOSTNAME, "sh", str(self.upper), str(self.work), hostname, *argv,
            ]
        else:
            inner = [
                "unshare", "--mount", "--propagation", "private", "--",
                "sh", "-c", _OVERLAY_ETC, "sh", str(self.upper), str(self.work), *argv,
            ]
        return ["ip", "netns", "exec", netns, *inner] if netns else inner


def write_plan_files(step: Mapping[str, Any], etc: PrivateEtc, venv: KollaVenv) -> list[str]:
    """Write what ``step``'s files would be, into the private /etc; the paths written.

    ``content`` is written as given (the globals); ``copy_from`` (the examples shipped in the
    venv) is copied from the venv; an ``if_absent`` file that exists is kept.
    """
    written = []
    for f in step.get("files") or []:
        path = str(f["path"])
        if not path.startswith("/etc/"):
            raise AssertionError(f"step {step['id']} writes {path}, outside /etc: not expected by the contract tier")
        target = etc.here(path)
        if f.get("directory"):
            target.mkdir(parents=True, exist_ok=True)
            continue
        if f.get("content") is not None:
            data = str(f["content"]).encode()
        elif f.get("copy_from"):
            data = Path(f["copy_from"]).read_bytes()
        elif target.parent.is_dir() and not target.suffix and f.get("mode") is None:
            target.mkdir(parents=True, exist_ok=True)  # a directory entry in a JSON without "directory"
            continue
        else:
            raise AssertionError(f"step {step['id']}: {path} has neither content nor copy_from: {f}")
        if f.get("if_absent") and target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if f.get("mode") is not None:
            target.chmod(int(f["mode"]) if not isinstance(f["mode"], str) else int(f["mode"], 8))
        written.append(path)
    return written


def install_collection(tarball: Path, directory: Path) -> Path:
    """The openstack.kolla snapshot extracted as ``directory/ansible_collections/openstack/kolla``."""
    dest = directory / "ansible_collections" / "openstack"
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball) as tar:
        tar.extractall(dest, filter="data")
    (dest / "ansible-collection-kolla").rename(dest / "kolla")
    return directory


def harness_env(venv: KollaVenv, collections: Path, home: Path) -> dict[str, str]:
    """What the tier adds to a command's environment, standing in for install-deps and root's home.

    ``ANSIBLE_COLLECTIONS_PATH``: openstack.kolla from the snapshot, then the ``ansible``
    package's collections (what install-deps would put in ~/.ansible/collections). ``HOME``: a
    temporary one, so Ansible's ~/.ansible/tmp is not root's.
    """
    return {
        "ANSIBLE_COLLECTIONS_PATH": f"{collections}:{venv.ansible_pkg}",
        "HOME": str(home),
    }


def plan_env(cmd: Mapping[str, Any], extra: Mapping[str, str]) -> dict[str, str]:
    """The runner's environment for ``cmd`` (ours, then the plan's fully expanded env), then ``extra``."""
    return {**os.environ, **{str(k): str(v) for k, v in (cmd.get("env") or {}).items()}, **extra}


def is_bash_cli(venv: KollaVenv) -> bool:
    """kolla-ansible ≤ 18 is a bash script; 19+ a Python (cliff) entry point."""
    head = venv.bin("kolla-ansible").read_bytes()[:200]
    return b"bash" in head.splitlines()[0]


class ResultCache:
    """Successful results of deterministic checks, keyed by everything that goes into them.

    A list-tasks run depends only on the venv build, the command (argv, env), the collection
    and the files under /etc/kolla (passwords excepted: random, and list-tasks does not read
    their values); the same inputs give the same answer, so a rerun reuses it. Failures are
    never cached: they run again and show their output.
    """

    def __init__(self, name: str) -> None:
        self.dir = cache_dir() / "results" / name

    @staticmethod
    def key(*parts: Any) -> str:
        return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]

    def get(self, key: str) -> Any:
        path = self.dir / f"{key}.json"
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return None

    def put(self, key: str, value: Any) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / f".{key}.{os.getpid()}"
        tmp.write_text(json.dumps(value))
        os.replace(tmp, self.dir / f"{key}.json")


def kolla_files_digest(etc: PrivateEtc) -> dict[str, str]:
    """sha256 of every file under the private /etc/kolla except passwords.yml."""
    out = {}
    for path in sorted(etc.kolla.rglob("*")):
        if path.is_file() and path.name != "passwords.yml":
            out[str(path.relative_to(etc.kolla))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out
