"""Internal actions a step runs as ``python3 -m wizard.pipeline.actions ACTION ...``.

Some steps need a little logic the guide did by eye ("stop the libvirt units that exist"), or
must be honest where systemd is not PID 1 (a chroot): those run here, as a subprocess like any
other command, so every step stays a list of commands a user could paste, the runner streams
their output the same way, and the plan explains what each one does.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from wizard.host import services
from wizard.kolla.extnet import WantedNetwork
from wizard.pipeline.hoststate import systemd_running


def _run(argv: Sequence[str]) -> int:
    print("+ " + " ".join(argv), flush=True)
    return subprocess.run(list(argv), stdin=subprocess.DEVNULL, check=False).returncode


def installed_units(units: Sequence[str]) -> list[str]:
    """The units of ``units`` that have a unit file on this system."""
    res = subprocess.run(
        ["systemctl", "list-unit-files", "--no-legend", "--no-pager", *units],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    found = {line.split()[0] for line in res.stdout.splitlines() if line.strip()}
    return [u for u in units if u in found]


def disable_units(units: Sequence[str]) -> int:
    present = installed_units(units)
    absent = [u for u in units if u not in present]
    if absent:
        print(f"not installed (nothing to do): {' '.join(absent)}")
    if not present:
        print("none of these units is installed")
        return 0
    if systemd_running(Path("/")):
        return _run(["systemctl", "disable", "--now", *present])
    print(
        "systemd is not running here (a chroot or a container): the units are disabled for the next boot "
        "but cannot be stopped now"
    )
    return _run(["systemctl", "disable", *present])


# kolla's prechecks accept chrony, ntp(d) and systemd-timesyncd (wizard.host.services.NTP_UNITS)
NTP_UNITS = (*services.NTP_UNITS, "ntpsec.service")  # Debian 12+'s ntp is ntpsec, which provides ntp.service
TIMESYNCD = "systemd-timesyncd.service"
SYNCHRONIZED = ("timedatectl", "show", "-p", "NTPSynchronized", "--value")


def time_sync(
    package: str | None, timeout: float, interval: float = 10.0, clock: Callable[[], float] = time.monotonic
) -> int:
    """Make an NTP daemon run and wait, bounded, for the clock to be synchronized.

    kolla's prechecks fail with "No host NTP daemon is running" and then on an unsynchronized
    clock; a minimal Debian has no NTP daemon at all. An installed daemon (chrony, ntp) is used
    as it is: installing systemd-timesyncd would remove it (they conflict). Otherwise ``package``
    is installed (None: Debian 10, where timesyncd is part of systemd). Then ``systemctl enable
    --now``, or only ``enable`` where systemd is not PID 1 (said so: nothing can be waited for).
    Fails when the clock is not synchronized after ``timeout`` seconds.
    """
    present = installed_units(NTP_UNITS)
    if not present:
        if package:
            code = _run(["apt-get", "-o", "DPkg::Lock::Timeout=120", "install", "-y", package])
            if code:
                return code
        present = installed_units(NTP_UNITS)
        if not present:
            print(f"no NTP daemon unit is installed ({', '.join(NTP_UNITS)})")
            return 1
    unit = next((u for u in present if u != TIMESYNCD), present[0])
    if not systemd_running(Path("/")):
        print(
            "systemd is not running here (a chroot or a container): the NTP daemon is enabled for the next boot "
            "but cannot be started, nor the clock's synchronization waited for"
        )
        return _run(["systemctl", "enable", unit])
    code = _run(["systemctl", "enable", "--now", unit])
    if code:
        return code
    start = clock()
    while True:
        res = subprocess.run(list(SYNCHRONIZED), stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
        waited = clock() - start
        if res.stdout.strip() == "yes":
            print(f"the clock is synchronized ({unit}, after {waited:.0f} s)", flush=True)
            return 0
        if waited >= timeout:
            print(
                f"the clock is still not synchronized after {timeout:.0f} s ({' '.join(SYNCHRONIZED)}: "
                f"{res.stdout.strip() or res.stderr.strip()}): can this host reach an NTP server (UDP port 123)? "
                f"`timedatectl timesync-status` shows which one it tries",
                flush=True,
            )
            return 1
        print(f"waiting for the clock to be synchronized: {waited:.0f}/{timeout:.0f} s", flush=True)
        time.sleep(interval)


def half_installed(root: Path = Path("/")) -> list[str]:
    """Packages dpkg left half unpacked (``half-installed``, or flagged ``reinstreq``)."""
    from wizard.host.services import dpkg_statuses

    out = []
    for name, status in (dpkg_statuses(root) or {}).items():
        words = status.split()
        if len(words) == 3 and (words[2] == "half-installed" or words[1] == "reinstreq"):
            out.append(name)
    return sorted(out)


def reinstall_half_installed(root: Path = Path("/")) -> int:
    """Reinstall what a killed dpkg left half unpacked (``apt-get install --reinstall``).

    A kill (or a power cut) while dpkg unpacks leaves the package "half-installed": neither
    ``dpkg --configure -a`` nor ``apt-get -f install`` can configure it ("package perl-base is not
    ready for configuration"), and every later apt-get fails; unpacking it again is the repair.
    Does nothing on a healthy system.
    """
    broken = half_installed(root)
    if not broken:
        print("no package is left half installed")
        return 0
    print(f"left half installed by an interrupted dpkg: {' '.join(broken)}")
    return _run(["apt-get", "-o", "DPkg::Lock::Timeout=120", "install", "--reinstall", "-y", *broken])


def apparmor_disable(profile: str) -> int:
    path = Path(profile)
    if not path.exists():
        print(f"{profile} does not exist: nothing to do")
        return 0
    code = 0
    loaded = Path("/sys/kernel/security/apparmor/profiles")
    if loaded.exists():
        try:
            names = loaded.read_text()
        except OSError:
            names = ""
        if "libvirtd" in names:  # the profile's name, "libvirtd" or "/usr/sbin/libvirtd"
            code = _run(["apparmor_parser", "-R", profile])
        else:
            print("the profile is not loaded in the kernel")
    else:
        print("AppArmor is not active on this kernel (or not visible here): the profile is only disabled on disk")
    disable_dir = path.parent / "disable"
    disable_dir.mkdir(parents=True, exist_ok=True)
    link = disable_dir / path.name
    if not link.exists():
        os.symlink(path, link)
        print(f"linked {link} -> {path}: stays unloaded after a reboot")
    return code


def preflight(release: str | None, answers: dict[str, str] | None = None, *, offline: bool = False) -> int:
    """The preflight step: probe this host, run every check (the live ones too, unless ``offline``)
    and fail on a failed one. ``answers``: the plan's network answers (missing ones are detected)."""
    from wizard.host.probe import live_network_probe, probe_host
    from wizard.preflight.checks import preflight_checks

    facts = probe_host()
    rel = None
    if release:
        from wizard.kolla.releases import get_release

        rel = get_release(release)
    failed = 0
    live = live_network_probe(None, offline=offline)
    for check in preflight_checks(facts, rel, answers={k: v for k, v in (answers or {}).items() if v}, live=live):
        print(f"{check.status:>4}  {check.title}: {check.reason}")
        if check.status == "fail":
            failed += 1
            if check.hint:
                print(f"      hint: {check.hint}")
    if failed:
        print(f"{failed} check{'s' if failed > 1 else ''} failed")
        return 1
    return 0


#: ``preflight`` options that carry the plan's answers (all optional: a missing one is detected).
PREFLIGHT_ANSWERS = {
    "--network-interface": "network_interface",
    "--external-interface": "neutron_external_interface",
    "--haproxy": "enable_haproxy",
    "--vip": "kolla_internal_vip_address",
    "--registry": "docker_registry",
}


def preflight_options(answers: Mapping[str, Any]) -> list[str]:
    """The ``preflight`` options for a plan's answers (argv items: the preflight step appends them), so the
    step judges the NICs, VIP and registry the install will use rather than re-detected ones."""
    out: list[str] = []
    for flag, key in PREFLIGHT_ANSWERS.items():
        value = answers.get(key)
        if value not in (None, ""):
            out += [flag, str(value)]
    return out


def upper_constraints(url: str, out: str, without: Sequence[str], attempts: int = 3, delay: float = 5.0) -> int:
    """Fetch the release's upper-constraints to ``out`` for ``pip -c``, without the lines the catalog
    pins itself. When the URL cannot be fetched (after ``attempts``), ``out`` gets no constraints and
    the run goes on, saying so: the catalog's pins still keep out the known breakers."""
    import urllib.error
    import urllib.request

    from wizard.files import atomic_write
    from wizard.kolla.requirements import constraints_without

    error = ""
    for attempt in range(1, attempts + 1):
        try:
            with urllib.request.urlopen(url, timeout=60) as response:  # honours http(s)_proxy/no_proxy
                text = response.read().decode()
            break
        except (OSError, urllib.error.URLError, UnicodeDecodeError) as exc:
            error = str(getattr(exc, "reason", None) or exc)
            print(f"cannot fetch {url} (attempt {attempt}/{attempts}): {error}", flush=True)
            if attempt < attempts:
                time.sleep(delay)
    else:
        print(
            f"warning: installing WITHOUT upper-constraints ({error}); only the catalog's pins "
            f"({', '.join(without) or 'none'}) protect this release from newer dependencies",
            flush=True,
        )
        atomic_write(out, f"# {url} could not be fetched: {error}\n")
        return 0
    kept = constraints_without(text, without)
    atomic_write(out, kept)
    print(
        f"{out}: {len(kept.splitlines())} constraints from {url}"
        + (f" (without {', '.join(without)})" if without else "")
    )
    return 0


def _captured_runner(
    prefix: Sequence[str], timeout: float, missing: str = ""
) -> Callable[[Sequence[str]], tuple[int, str, str]]:
    """``PREFIX ARGS`` as a subprocess, output captured, bounded in time: a hung client or host
    command must end as a reported failure, not a step that never finishes."""

    def run(args: Sequence[str]) -> tuple[int, str, str]:
        argv = [*prefix, *args]
        try:
            res = subprocess.run(
                argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False, timeout=timeout
            )
        except FileNotFoundError:
            return 127, "", f"{argv[0]}: command not found{missing}"
        except subprocess.TimeoutExpired:
            return 124, "", f"{' '.join(argv)}: no answer in {timeout:.0f} s"
        return res.returncode, res.stdout, res.stderr

    return run


def _openstack_runner(openstack: str) -> Callable[[Sequence[str]], tuple[int, str, str]]:
    """``openstack ARGS`` (the client of the venv, first on PATH)."""
    return _captured_runner([openstack], 300.0, " (python-openstackclient is not installed)")


def external_network(want: WantedNetwork, *, create_missing: bool, openstack: str = "openstack") -> int:
    """Exit 0 when OpenStack holds the external network as answered; else say precisely what is missing
    or different (and, with ``create_missing``, first create what is missing with init-runonce's own
    commands). Never deletes or changes what exists."""
    from wizard.kolla import extnet

    run = _openstack_runner(openstack)
    try:
        findings = extnet.compare(want, extnet.read_state(want, run))
        if findings and create_missing and any(f.missing for f in findings):
            for f in findings:
                print(f"{'missing' if f.missing else 'differs'}: {f.message}", flush=True)
            for args in extnet.missing_commands(want, findings):
                print("+ " + shlex.join([openstack, *args]), flush=True)
                code, out, err = run(args)
                sys.stdout.write(out + err)
                if code != 0:
                    print(f"creating it failed (exit code {code})", flush=True)
                    break
            findings = extnet.compare(want, extnet.read_state(want, run))
    except extnet.OpenStackError as exc:
        print(f"cannot read the external network from OpenStack: {exc}")
        return 1
    if not findings:
        print(f"external network as answered: {extnet.describe(want)}")
        return 0
    print("the external network is not as answered:")
    for f in findings:
        print(f"  {'missing' if f.missing else 'differs'}: {f.message}")
    if any(f.missing for f in findings):
        print(
            "Retry this step: init-runonce will say it ran already, and this check then creates only what is "
            "missing with init-runonce's own commands."
        )
    if any(not f.missing for f in findings):
        print(
            "What differs is not changed by the wizard: make the answers match it, or delete it "
            f"(e.g. openstack router unset --external-gateway {want.router}; openstack subnet delete {want.subnet}) "
            "and Retry."
        )
    return 1


def verify_cloud(options: Any, *, openstack: str = "openstack") -> int:
    """Boot CirrOS, reach it from the host, SSH in; delete it all again, also on SIGTERM/SIGINT (the
    runner's cancel TERMs the process group: the handler turns that into a clean-up, not a leftover)."""
    import signal

    from wizard.kolla.verify import Interrupted, Verifier

    def stop(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second TERM must not cut the clean-up short
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise Interrupted()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return Verifier(_openstack_runner(openstack), _captured_runner([], 60.0), options).run()


def summary(vip: str, venv: str) -> int:
    print("OpenStack is deployed.")
    print(f"  Dashboard (Horizon): http://{vip}/  user: admin")
    print("  Admin password:      grep keystone_admin_password /etc/kolla/passwords.yml")
    print("  Credentials:         /etc/kolla/admin-openrc.sh (and /etc/kolla/clouds.yaml where written)")
    print(f"  Client:              {venv}/bin/openstack  (source {venv}/bin/activate)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m wizard.pipeline.actions")
    sub = parser.add_subparsers(dest="action", required=True)
    p = sub.add_parser("disable-units")
    p.add_argument("units", nargs="+")
    p = sub.add_parser("apparmor-disable")
    p.add_argument("profile")
    p = sub.add_parser("preflight")
    p.add_argument("--release")
    for flag, key in PREFLIGHT_ANSWERS.items():
        p.add_argument(flag, dest=key)
    p.add_argument("--offline", action="store_true", help="skip the checks that send packets")
    sub.add_parser("reinstall-half-installed")
    p = sub.add_parser("time-sync")
    p.add_argument("--install", metavar="PACKAGE")
    p.add_argument("--timeout", type=float, default=120.0)
    p = sub.add_parser("upper-constraints")
    p.add_argument("url")
    p.add_argument("out")
    p.add_argument("--without", action="append", default=[])
    p = sub.add_parser("summary")
    p.add_argument("--vip", required=True)
    p.add_argument("--venv", required=True)
    p = sub.add_parser("external-network", help="check (and with --create-missing finish) init-runonce's network")
    p.add_argument("--cidr", required=True)
    p.add_argument("--range", required=True, help="start=A,end=B (EXT_NET_RANGE's form)")
    p.add_argument("--gateway", required=True)
    p.add_argument("--demo-cidr")
    p.add_argument("--demo-gateway")
    p.add_argument("--create-missing", action="store_true")
    p.add_argument("--openstack", default="openstack")
    p = sub.add_parser("verify-cloud", help="boot CirrOS, ping and SSH it through a floating IP, delete it")
    p.add_argument("--network", default="demo-net")
    p.add_argument("--external-network", default="public1")
    p.add_argument("--flavor", default="m1.tiny")
    p.add_argument("--key-name", default="mykey")
    p.add_argument("--key-file", help="init-runonce's private key (default: ~/.ssh/id_ecdsa, else id_rsa)")
    p.add_argument("--boot-timeout", type=float, default=300.0)
    p.add_argument("--reach-timeout", type=float, default=180.0)
    p.add_argument("--poll", type=float, default=3.0)
    p.add_argument("--openstack", default="openstack")
    args = parser.parse_args(argv)
    if args.action == "verify-cloud":
        from wizard.kolla.verify import VerifyOptions, ssh_key_file

        options = VerifyOptions(
            network=args.network,
            external_network=args.external_network,
            flavor=args.flavor,
            key_name=args.key_name,
            key_file=args.key_file or ssh_key_file(),
            boot_timeout=args.boot_timeout,
            reach_timeout=args.reach_timeout,
            poll=args.poll,
        )
        return verify_cloud(options, openstack=args.openstack)
    if args.action == "external-network":
        pool = dict(part.partition("=")[::2] for part in args.range.split(","))
        want = WantedNetwork(
            args.cidr, pool.get("start", ""), pool.get("end", ""), args.gateway, args.demo_cidr, args.demo_gateway
        )
        return external_network(want, create_missing=args.create_missing, openstack=args.openstack)
    if args.action == "disable-units":
        return disable_units(args.units)
    if args.action == "apparmor-disable":
        return apparmor_disable(args.profile)
    if args.action == "preflight":
        answers = {key: getattr(args, key) for key in PREFLIGHT_ANSWERS.values()}
        return preflight(args.release, answers, offline=args.offline)
    if args.action == "reinstall-half-installed":
        return reinstall_half_installed()
    if args.action == "time-sync":
        return time_sync(args.install, args.timeout)
    if args.action == "upper-constraints":
        return upper_constraints(args.url, args.out, args.without)
    return summary(args.vip, args.venv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
