#!/usr/bin/env python3
"""Build (once) and cache a fresh Debian root for the real-Debian end-to-end tier.

Why a tarball cache: debootstrap takes about a minute natively and several under qemu-user
emulation; the e2e tier wants a *fresh* root for every run, so the freshly bootstrapped root is
kept as a plain tar (extracting it takes seconds) keyed by suite, architecture and RECIPE (bump
RECIPE whenever what goes into the root changes, so stale caches are never used).

What goes in, and why each piece:
- ``debootstrap --variant=minbase --include=python3,ca-certificates``: the smallest Debian that
  the README's launcher can start from (it installs python3-venv itself).
- The Debian mirror this machine's apt uses (``/etc/apt/sources.list.d/*.sources`` or
  ``sources.list``) and those apt sources themselves: the root reaches Debian exactly as the
  machine does.
- The machine's CA certificates (``/etc/ssl/certs``, ``/usr/local/share/ca-certificates``) and its
  pip configuration (``/etc/pip.conf``, ``/etc/xdg/pip``, ``~/.config/pip``, ``~/.pip``): where
  HTTPS goes through an inspecting egress, pip and apt in the root must trust the same CAs.
- ``/etc/hostname`` and ``/etc/hosts`` as the Debian installer writes them (with the
  ``127.0.1.1 aio.localdomain aio`` line the wizard must comment out).
- ``/usr/sbin/policy-rc.d`` exiting 101: a chroot has no init; without it package maintainer
  scripts would start daemons inside the root that keep its mounts busy.

Only the standard library is used: this runs with the system python3 before any venv exists.

usage: tools/debian_root.py [--suite bookworm] [--arch amd64] [--rebuild]    (prints the tarball path)
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

# Bump when the recipe below changes: old tarballs are then ignored (and removed).
RECIPE = 1
DEFAULT_SUITE = "bookworm"
DEFAULT_CACHE = Path("/var/cache/aio-wizard-tests")
CACHE_ENV = "AIO_WIZARD_E2E_CACHE"
FALLBACK_MIRROR = "http://deb.debian.org/debian"
HOSTNAME = "aio"

DEBIAN_INSTALLER_HOSTS = f"""\
127.0.0.1	localhost
127.0.1.1	{HOSTNAME}.localdomain	{HOSTNAME}

# The following lines are desirable for IPv6 capable hosts
::1     localhost ip6-localhost ip6-loopback
ff02::1 ip6-allnodes
ff02::2 ip6-allrouters
"""

POLICY_RC_D = """\
#!/bin/sh
# aio-wizard e2e root: a chroot has no init system, so no package may start a daemon here.
exit 101
"""

# pip configuration locations (system, XDG system, per-user) copied into the root as they are.
PIP_CONFIG_PATHS = ("/etc/pip.conf", "/etc/xdg/pip", "~/.config/pip", "~/.pip")

QEMU_BINFMT = {"arm64": "qemu-aarch64", "armhf": "qemu-arm", "ppc64el": "qemu-ppc64le", "s390x": "qemu-s390x"}


def say(message: str) -> None:
    print(f"debian-root: {message}", file=sys.stderr, flush=True)


def native_arch() -> str:
    """Debian's name for this machine's architecture."""
    machine = platform.machine()
    return {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "armhf"}.get(machine, machine)


def cache_dir() -> Path:
    """Where tarballs are kept between runs (outside the work tree, which is laid anew)."""
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE)


def tarball_path(suite: str, arch: str, cache: Path | None = None) -> Path:
    return (cache or cache_dir()) / f"debian-{suite}-{arch}-r{RECIPE}.tar"


def can_run_arch(arch: str) -> tuple[bool, str]:
    """Whether binaries of ``arch`` run here (natively or through binfmt_misc + qemu-user)."""
    if arch == native_arch():
        return True, "native"
    handler = QEMU_BINFMT.get(arch)
    if handler is None:
        return False, f"no qemu-user handler known for {arch}"
    entry = Path("/proc/sys/fs/binfmt_misc") / handler
    try:
        state = entry.read_text().splitlines()[0].strip()
    except OSError:
        return False, f"binfmt_misc has no {handler} entry ({entry}); install qemu-user-static and binfmt-support"
    if state != "enabled":
        return False, f"binfmt_misc {handler} is {state}"
    return True, f"emulated through {entry}"


def _deb822_stanzas(text: str) -> Iterator[dict[str, str]]:
    stanza: dict[str, str] = {}
    for line in [*text.splitlines(), ""]:
        if line.startswith("#"):
            continue
        if not line.strip():
            if stanza:
                yield stanza
            stanza = {}
            continue
        if line[0].isspace() and stanza:
            last = next(reversed(stanza))
            stanza[last] += " " + line.strip()
            continue
        key, _, value = line.partition(":")
        stanza[key.strip().lower()] = value.strip()


def debian_sources(apt_dir: Path = Path("/etc/apt")) -> list[Path]:
    """The machine's apt source files that point at Debian itself (third-party repos are left out)."""
    found = []
    candidates = [apt_dir / "sources.list", *sorted((apt_dir / "sources.list.d").glob("*.list"))]
    candidates += sorted((apt_dir / "sources.list.d").glob("*.sources"))
    for path in candidates:
        if path.is_file() and _mirrors_in(path):
            found.append(path)
    return found


def _mirrors_in(path: Path) -> list[tuple[str, str]]:
    """(uri, suite) pairs of the enabled Debian ``deb`` entries in one sources file."""
    text = path.read_text(errors="replace")
    pairs: list[tuple[str, str]] = []
    if path.suffix == ".sources":
        for stanza in _deb822_stanzas(text):
            if "deb" not in stanza.get("types", "").split() or stanza.get("enabled", "yes").lower() == "no":
                continue
            for uri in stanza.get("uris", "").split():
                pairs.extend((uri, suite) for suite in stanza.get("suites", "").split())
    else:
        for line in text.splitlines():
            match = re.match(r"^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)", line)
            if match:
                pairs.append((match.group(1), match.group(2)))
    return [(uri.rstrip("/"), suite) for uri, suite in pairs if "debian" in uri]


def debian_mirror(suite: str = DEFAULT_SUITE, apt_dir: Path = Path("/etc/apt")) -> str:
    """The mirror this machine's apt uses for ``suite`` (Debian's main archive, not -security)."""
    for path in debian_sources(apt_dir):
        for uri, entry_suite in _mirrors_in(path):
            if entry_suite in (suite, "stable") and not uri.endswith("-security"):
                return uri
    return FALLBACK_MIRROR


def _copy_into(source: Path, target: Path) -> None:
    """Copy a file or a directory's content over ``target``, symlinks kept, existing entries replaced."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(["cp", "-a", "--remove-destination", f"{source}/.", str(target)], check=True)
    else:
        subprocess.run(["cp", "-a", "--remove-destination", str(source), str(target)], check=True)


def _machine_codename(apt_dir: Path) -> str | None:
    """The suite this machine's Debian sources name (bookworm for ``bookworm-updates`` too)."""
    for path in debian_sources(apt_dir):
        for _uri, entry_suite in _mirrors_in(path):
            codename = entry_suite.split("-", 1)[0]
            if codename not in ("stable", "testing", "unstable", "sid"):
                return codename
    return None


def sources_for_suite(text: str, machine: str | None, suite: str | None) -> str:
    """The machine's sources file with its codename replaced by the root's.

    Why: a trixie root built on a bookworm machine must not get bookworm's suites from the copied
    sources (apt would then "upgrade" it downward). ``bookworm-updates``/``-security`` follow.
    """
    if not machine or not suite or machine == suite:
        return text
    return re.sub(rf"(?<!\S){re.escape(machine)}(?=[-\s]|$)", suite, text, flags=re.MULTILINE)


def configure_root(root: Path, *, apt_dir: Path = Path("/etc/apt"), suite: str | None = None) -> list[str]:
    """Make a debootstrapped root reach the registries as this machine does; returns what was copied.

    ``suite``: the root's Debian suite, when it differs from the machine's (sources are rewritten).
    """
    copied = []
    for certs in (Path("/usr/local/share/ca-certificates"), Path("/etc/ssl/certs")):
        if certs.is_dir():
            _copy_into(certs, root / str(certs).lstrip("/"))
            copied.append(str(certs))
    for raw in PIP_CONFIG_PATHS:
        path = Path(os.path.expanduser(raw))
        if path.exists():
            inside = Path("/root") / path.relative_to(Path.home()) if raw.startswith("~") else path
            _copy_into(path, root / str(inside).lstrip("/"))
            copied.append(str(path))
    sources = debian_sources(apt_dir)
    if sources:
        # debootstrap wrote a one-line sources.list; the machine's own Debian sources replace it.
        (root / "etc/apt/sources.list").unlink(missing_ok=True)
        machine = _machine_codename(apt_dir)
        for src in sources:
            rel = src.relative_to(apt_dir)
            target = root / "etc/apt" / rel
            shutil.copy2(src, target)
            target.write_text(sources_for_suite(src.read_text(), machine, suite))
            copied.append(str(src) if machine == suite or suite is None else f"{src} (as {suite})")
    (root / "etc/hostname").write_text(HOSTNAME + "\n")
    (root / "etc/hosts").write_text(DEBIAN_INSTALLER_HOSTS)
    policy = root / "usr/sbin/policy-rc.d"
    policy.write_text(POLICY_RC_D)
    policy.chmod(0o755)
    # debootstrap leaves the host's resolv.conf copy behind; the harness puts one in for each run.
    (root / "etc/resolv.conf").unlink(missing_ok=True)
    return copied


@contextlib.contextmanager
def _locked(cache: Path, key: str) -> Iterator[None]:
    """One builder at a time per tarball (two test runs on one machine must not race)."""
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / f".lock-{key}", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build_tarball(suite: str = DEFAULT_SUITE, arch: str | None = None, *, rebuild: bool = False) -> tuple[Path, float]:
    """Return (tarball, seconds spent building; 0.0 when it was cached). Needs root and debootstrap."""
    arch = arch or native_arch()
    cache = cache_dir()
    tarball = tarball_path(suite, arch, cache)
    with _locked(cache, f"{suite}-{arch}"):
        if tarball.is_file() and not rebuild:
            return tarball, 0.0
        for old in cache.glob(f"debian-{suite}-{arch}-r*.tar"):
            old.unlink()
        started = time.monotonic()
        mirror = debian_mirror(suite)
        work = Path(tempfile.mkdtemp(prefix=f"debootstrap-{arch}-", dir=cache))
        try:
            root = work / "root"
            argv = [
                "debootstrap",
                "--variant=minbase",
                "--include=python3,ca-certificates",
                f"--arch={arch}",
                suite,
                str(root),
                mirror,
            ]
            say(f"building a fresh Debian root: {' '.join(argv)}")
            log = work / "debootstrap.log"
            with open(log, "w") as fh:
                done = subprocess.run(argv, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            if done.returncode != 0:
                tail = "".join(log.read_text(errors="replace").splitlines(keepends=True)[-20:])
                raise RuntimeError(f"debootstrap failed ({done.returncode}):\n{tail}")
            copied = configure_root(root, suite=suite)
            say("copied into the root: " + ", ".join(copied))
            partial = work / "root.tar"
            subprocess.run(["tar", "-C", str(root), "--numeric-owner", "-cf", str(partial), "."], check=True)
            os.replace(partial, tarball)
        finally:
            _remove_tree(work)
        return tarball, time.monotonic() - started


def _remove_tree(path: Path) -> None:
    """Remove a build directory, refusing if anything is still mounted below it."""
    mounts = Path("/proc/mounts").read_text().splitlines()
    if any(line.split()[1].startswith(str(path) + "/") for line in mounts if len(line.split()) > 1):
        raise RuntimeError(f"refusing to remove {path}: something is mounted below it")
    shutil.rmtree(path, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", default=DEFAULT_SUITE)
    parser.add_argument("--arch", default=native_arch())
    parser.add_argument("--rebuild", action="store_true", help="build even when a cached tarball exists")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        say("must run as root (debootstrap)")
        return 2
    if shutil.which("debootstrap") is None:
        say("debootstrap is not installed: apt-get install -y debootstrap")
        return 2
    ok, why = can_run_arch(args.arch)
    if not ok:
        say(f"cannot run {args.arch} binaries here: {why}")
        return 2
    tarball, seconds = build_tarball(args.suite, args.arch, rebuild=args.rebuild)
    say(f"built in {seconds:.0f} s" if seconds else "cached")
    print(tarball)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
