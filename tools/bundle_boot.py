"""The ``__main__`` of ``dist/aio-wizard.pyz``: install the bundled wheels once, offline, then run the wizard.

Why a bundle: a fresh Debian box has python3 but no git, often no pip and no python3-venv, and
may have no way to the internet. One file copied over scp must be enough for the wizard itself
(the install it then runs needs the package registries, as the README says). So the archive
carries the wheels of aio-wizard and of every dependency for x86_64 and aarch64, CPython 3.11
(Debian 12) and 3.13 (Debian 13), plus pip's own wheel:

1. the virtualenv is made with ``python3 -m venv --without-pip`` (Debian's python3 has the venv
   module; only ensurepip lives in python3-venv), in ``/opt/aio-wizard/venv`` as root, else
   ``~/.local/share/aio-wizard/venv`` (``AIO_WIZARD_HOME`` overrides the directory);
2. pip runs from its bundled wheel (``python pip.whl/pip install``) with ``--no-index`` and
   ``PIP_CONFIG_FILE=/dev/null``: nothing is fetched and no local pip configuration (an index, a
   constraints file) changes what is installed;
3. a stamp holds the bundle's hash: the next start skips all this and just runs the wizard.

Only the standard library: this runs with the system python3 before anything is installed.
Generated into the archive by tools/make-bundle.py (which writes ``bundle/manifest.json``).
"""

from __future__ import annotations

import fcntl
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

STAMP = ".aio-wizard-bundle"


def say(message: str) -> None:
    print(f"aio-wizard bundle: {message}", file=sys.stderr, flush=True)


def archive_path() -> Path:
    """The .pyz file itself (``__file__`` is ``<archive>/__main__.py``)."""
    return Path(__file__).resolve().parent


def home() -> Path:
    if os.environ.get("AIO_WIZARD_HOME"):
        return Path(os.environ["AIO_WIZARD_HOME"])
    if os.geteuid() == 0:
        return Path("/opt/aio-wizard")
    data = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return Path(data) / "aio-wizard"


def supported(manifest: dict) -> str | None:
    """Why the bundled wheels cannot serve this interpreter (None when they can)."""
    version = "{}.{}".format(*sys.version_info[:2])
    machine = platform.machine()
    if version not in manifest["pythons"]:
        return f"Python {version} is not bundled (bundled: {', '.join(manifest['pythons'])}); use a wheel and pip"
    if machine not in manifest["machines"]:
        return f"{machine} is not bundled (bundled: {', '.join(manifest['machines'])})"
    return None


def install(archive: zipfile.ZipFile, manifest: dict, venv: Path) -> None:
    """A fresh virtualenv with aio-wizard installed from the bundled wheels, without the network."""
    if venv.exists():
        shutil.rmtree(venv)
    say(f"installing aio-wizard {manifest['version']} into {venv} from the bundled wheels (once, offline)")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    with tempfile.TemporaryDirectory(prefix="aio-wizard-wheels-") as tmp:
        for name in archive.namelist():
            if name.startswith("bundle/wheels/") and name.endswith(".whl"):
                (Path(tmp) / Path(name).name).write_bytes(archive.read(name))
        pip = Path(tmp) / manifest["pip_wheel"] / "pip"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
        env["PIP_CONFIG_FILE"] = os.devnull
        argv = [str(venv / "bin" / "python"), str(pip), "install", "--no-index", "--find-links", tmp]
        argv += ["--no-cache-dir", "--disable-pip-version-check", "-q", f"aio-wizard=={manifest['version']}"]
        subprocess.run(argv, check=True, env=env)


def main() -> int:
    archive_file = archive_path()
    with zipfile.ZipFile(archive_file) as archive:
        manifest = json.loads(archive.read("bundle/manifest.json"))
        why = supported(manifest)
        if why:
            say(why)
            return 2
        base = home()
        venv = base / "venv"
        stamp = venv / STAMP
        if not (stamp.is_file() and stamp.read_text().strip() == manifest["hash"]):
            base.mkdir(parents=True, exist_ok=True)
            with open(base / ".lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # two first starts at once install once
                if not (stamp.is_file() and stamp.read_text().strip() == manifest["hash"]):
                    try:
                        install(archive, manifest, venv)
                    except (OSError, subprocess.CalledProcessError) as exc:
                        say(f"could not install into {venv}: {exc}")
                        return 2
                    stamp.write_text(manifest["hash"] + "\n")
    program = venv / "bin" / "aio-wizard"
    os.execv(program, [str(program), *sys.argv[1:]])
    return 0  # not reached


if __name__ == "__main__":
    raise SystemExit(main())
