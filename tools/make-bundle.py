#!/usr/bin/env python3
"""Build the release artifacts: a wheel, an sdist, and ``dist/aio-wizard.pyz``, one file to scp.

Why: a fresh Debian box has no git, so a checkout is not how the wizard should get there. The
wheel and sdist serve pip/pipx users; the .pyz (a zipapp) needs nothing but python3 on the box
and no internet for the wizard itself: it carries the wheels of aio-wizard and of its
dependencies for x86_64 and aarch64, CPython 3.11 (Debian 12) and 3.13 (Debian 13), and pip's
wheel; on first start it makes a virtualenv and installs them with ``--no-index``
(tools/bundle_boot.py says how).

Building needs the package registries (pip downloads the wheels, ``build`` its backend);
running the result does not.

usage: tools/make-bundle.py [--out dist] [--python 3.11 --python 3.13] [--machine x86_64 --machine aarch64]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipapp
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHONS = ("3.11", "3.13")
MACHINES = ("x86_64", "aarch64")
# Tags the wheels may carry on Debian 12 (glibc 2.36) and 13 (glibc 2.41); pip does not widen them itself.
MANYLINUX = ("manylinux2014", "manylinux_2_17", "manylinux_2_28", "manylinux_2_34")


def say(message: str) -> None:
    print(f"make-bundle: {message}", file=sys.stderr, flush=True)


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args], check=True)


def dependencies() -> list[str]:
    return list(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"])


def version() -> str:
    return str(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"])


def build_dists(out: Path, work: Path) -> list[Path]:
    """The wheel and sdist of this checkout (``python -m build``, installed into a scratch dir)."""
    tool = work / "build-tool"
    pip("install", "-q", "--target", str(tool), "build")
    env = {**os.environ, "PYTHONPATH": str(tool)}
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO)], check=True, env=env)
    made = sorted(out.glob(f"aio_wizard-{version()}*"))
    if not any(p.suffix == ".whl" for p in made) or not any(p.name.endswith(".tar.gz") for p in made):
        raise SystemExit(f"make-bundle: build made {made}, not a wheel and an sdist")
    return made


def download_wheels(wheels: Path, pythons: list[str], machines: list[str]) -> None:
    """Binary wheels of every dependency for each interpreter and machine, and pip's own wheel."""
    for machine in machines:
        for py in pythons:
            say(f"dependency wheels for CPython {py} on {machine}")
            platforms = [arg for tag in MANYLINUX for arg in ("--platform", f"{tag}_{machine}")]
            pip(
                "download",
                "-q",
                "--only-binary=:all:",
                *platforms,
                "--python-version",
                py,
                "--implementation",
                "cp",
                "-d",
                str(wheels),
                *dependencies(),
            )
    pip("download", "-q", "--only-binary=:all:", "--no-deps", "-d", str(wheels), "pip")


def make_pyz(target: Path, wheels: Path, pythons: list[str], machines: list[str]) -> Path:
    with tempfile.TemporaryDirectory(prefix="aio-wizard-pyz-") as tmp:
        src = Path(tmp)
        (src / "bundle/wheels").mkdir(parents=True)
        digest = hashlib.sha256()
        for wheel in sorted(wheels.glob("*.whl")):
            shutil.copy2(wheel, src / "bundle/wheels" / wheel.name)
            digest.update(wheel.name.encode() + wheel.read_bytes())
        pip_wheel = next(p.name for p in sorted(wheels.glob("pip-*.whl")))
        manifest = {
            "version": version(),
            "hash": digest.hexdigest()[:16],
            "pythons": pythons,
            "machines": machines,
            "pip_wheel": pip_wheel,
            "wheels": sorted(p.name for p in wheels.glob("*.whl")),
        }
        (src / "bundle/manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        shutil.copy2(REPO / "tools" / "bundle_boot.py", src / "__main__.py")
        target.parent.mkdir(parents=True, exist_ok=True)
        zipapp.create_archive(src, target, interpreter="/usr/bin/env python3")
    target.chmod(0o755)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(REPO / "dist"))
    parser.add_argument("--python", action="append", dest="pythons", help=f"default {' '.join(PYTHONS)}")
    parser.add_argument("--machine", action="append", dest="machines", help=f"default {' '.join(MACHINES)}")
    args = parser.parse_args(argv)
    pythons, machines = args.pythons or list(PYTHONS), args.machines or list(MACHINES)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("aio_wizard-*"), out / "aio-wizard.pyz"]:
        old.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="aio-wizard-dist-") as tmp:
        work = Path(tmp)
        dists = build_dists(out, work)
        wheels = work / "wheels"
        wheels.mkdir()
        shutil.copy2(next(p for p in dists if p.suffix == ".whl"), wheels)
        download_wheels(wheels, pythons, machines)
        pyz = make_pyz(out / "aio-wizard.pyz", wheels, pythons, machines)
    for path in [*dists, pyz]:
        say(f"{path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
