"""``aio-wizard bundle``: every source collected, no secret in any member in any encoding, bounded, and
still useful on a box without Docker, /etc/kolla or a journal."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from tests.conftest import REPO, run_wizard
from tests.support.guide import GUIDE_HOST_FILE
from tests.support_bundle.conftest import PROXY_ONLY, SAFE_PATH, SECRETS, PlantedHost, bundle_members, manifest, write
from wizard.host.commands import CommandResult
from wizard.host.facts import HostFacts
from wizard.pipeline.redact import Redactor
from wizard.support.bundle import BundleBuilder, containers_broken_first
from wizard.support.limits import BUNDLE_LIMIT, MIB


def encodings(secret: str) -> dict[str, str]:
    """The forms a secret can take in a log or a file: as is, base64, URL-encoded, JSON-escaped."""
    raw = secret.encode()
    return {
        "plain": secret,
        "base64": base64.b64encode(raw).decode().rstrip("="),
        "base64url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "url": urllib.parse.quote(secret, safe=""),
        "url-plus": urllib.parse.quote_plus(secret),
        "json": json.dumps(secret)[1:-1],
    }


def leaks(members: dict[str, bytes], forms: dict[str, str]) -> list[str]:
    return [
        f"{kind} form of {form!r} in {name}"
        for name, data in members.items()
        for kind, form in forms.items()
        if form.encode() in data
    ]


def member(members: dict[str, bytes], suffix: str) -> bytes:
    return next(v for k, v in members.items() if k.endswith(suffix))


def test_no_planted_secret_reaches_any_member_in_any_encoding(planted_host: PlantedHost, tmp_path: Path):
    out = tmp_path / "bundle.tar.gz"
    res = planted_host.bundle(out)
    assert res.returncode == 0, res.stderr
    members = bundle_members(out)
    found = [leak for secret in SECRETS for leak in leaks(members, encodings(secret))]
    assert found == []
    # ...and the sources really were collected (the secrets were masked, not left out)
    assert b"********" in member(members, "/logs/20-deploy.log")
    assert b"********" in member(members, "/docker/logs/mariadb.log")
    assert b"WSREP: recovering" in member(members, "/docker/logs/mariadb.log")
    assert b"docker_registry_password: ********" in member(members, "/kolla/globals.yml")
    assert b"ansible_password=********" in member(members, "/kolla/ansible/inventory/all-in-one")
    assert b"********" in member(members, "/kolla/globals.d/aio-wizard.yml")
    assert b"http://bob:********@proxy.example:3128" in member(members, "/logs/20-deploy.log")
    assert b'"registry_token": "********"' in member(members, "/journal.json")


def test_encodings_the_redactor_knows_are_masked_in_the_bundle_too(planted_host: PlantedHost, tmp_path: Path):
    """Whatever encodings wizard.pipeline.redact learns apply here: the bundle has one redactor."""
    values = [s for s in SECRETS if s != PROXY_ONLY]  # that one is known only inside its URL
    planted = [f"{kind}: {form}" for secret in values for kind, form in encodings(secret).items()]
    with (planted_host.logs / "20-deploy.log").open("a") as fh:
        fh.write("\n".join(planted) + "\n")
    with (planted_host.containers / "keystone.log").open("a") as fh:
        fh.write("\n".join(planted) + "\n")
    out = tmp_path / "bundle.tar.gz"
    assert planted_host.bundle(out).returncode == 0
    members = bundle_members(out)
    for secret in values:
        known = {
            kind: form
            for kind, form in encodings(secret).items()
            if form not in Redactor(values=[secret])(f"x {form} y")
        }
        if secret == PROXY_ONLY:  # known from its place in a URL, not as a value: only that form applies
            known = {"plain": secret}
        assert "plain" in known
        assert leaks(members, known) == []


def test_passwords_yml_is_never_a_member(planted_host: PlantedHost, tmp_path: Path):
    out = tmp_path / "bundle.tar.gz"
    assert planted_host.bundle(out).returncode == 0
    names = list(bundle_members(out))
    assert not [n for n in names if "passwords" in n]
    assert b"database_password" not in bundle_members(out)["<gunzipped tar>"]


def test_bundle_holds_every_source_and_is_written_0600(planted_host: PlantedHost, tmp_path: Path):
    out = tmp_path / "bundle.tar.gz"
    res = planted_host.bundle(out)
    assert res.returncode == 0, res.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    names = {n.split("/", 1)[1] for n in bundle_members(out) if "/" in n}
    assert {
        "MANIFEST.txt",
        "journal.json",
        "probe.json",
        "preflight.txt",
        "answers.yml",
        "versions.txt",
        "kolla/globals.yml",
        "kolla/globals.d/aio-wizard.yml",
        "kolla/ansible/inventory/all-in-one",
        "logs/14-genpwd.log",
        "logs/20-deploy.log",
        "host/ip-addr.txt",
        "host/ip-route.txt",
        "host/free.txt",
        "host/df.txt",
        "docker/ps-a.txt",
        "docker/logs/mariadb.log",
        "docker/logs/keystone.log",
    } <= names
    members = bundle_members(out)
    versions = member(members, "/versions.txt").decode()
    assert "Docker version 27.3.1" in versions
    assert "debian 12.8" in versions
    assert "kolla-ansible: not installed in /opt/kolla-venv" in versions
    probe = json.loads(member(members, "/probe.json"))
    assert probe["facts"]["hostname"] == HostFacts.load(str(GUIDE_HOST_FILE)).hostname
    assert probe["checks"]
    assert b"network_interface: enp1s0" in member(members, "/answers.yml")
    text = manifest(out)
    assert "logs/20-deploy.log: " in text
    assert "docker logs --tail 1000 mariadb" in text


def test_works_without_docker_etc_kolla_or_journal(tmp_path: Path):
    out = tmp_path / "bundle.tar.gz"
    empty = tmp_path / "root"
    empty.mkdir()
    options = ["--state-dir", str(tmp_path / "state"), "--log-dir", str(tmp_path / "log")]
    res = run_wizard(
        "bundle",
        "-o",
        str(out),
        *options,
        "--host-facts",
        str(GUIDE_HOST_FILE),
        "--root",
        str(empty),
        env={"PATH": SAFE_PATH},
    )
    assert res.returncode == 0, res.stderr
    text = manifest(out)
    assert "not collected" not in text  # said once, as a heading
    for line in (
        f"{tmp_path / 'state' / 'journal.json'}: does not exist",
        "/etc/kolla/globals.yml: does not exist",
        "/etc/kolla/ansible/inventory/all-in-one: does not exist",
        "docker ps -a: exit code 127: docker: command not found",
        f"step logs in {tmp_path / 'log'}: none found",
    ):
        assert line in text
    assert "probe.json" in text and "host/ip-addr.txt" in text


def test_failing_probe_and_missing_sources_still_give_a_bundle(tmp_path: Path):
    def broken_probe():
        raise OSError("no /proc here")

    def no_commands(argv):
        return CommandResult(tuple(argv), 127, f"{argv[0]}: command not found\n")

    data = BundleBuilder(
        root=tmp_path, state_dir=tmp_path / "s", log_dir=tmp_path / "l", run=no_commands, load_facts=broken_probe
    ).build()
    out = write(tmp_path / "b.tar.gz", "")
    out.write_bytes(data)
    text = manifest(out)
    assert "probe --json: OSError: no /proc here" in text
    assert "answers.yml: no host facts" in text
    assert "ip addr: exit code 127: ip: command not found" in text


def test_bundle_stays_under_its_size_limit_with_huge_logs(planted_host: PlantedHost, tmp_path: Path):
    limit = 2 * MIB
    for i in range(6):  # 6 x 1.5 MiB of incompressible text
        write(planted_host.logs / f"{i:02d}-big.log", base64.b64encode(os.urandom(1_200_000)).decode() + "\n")
    big = base64.b64encode(os.urandom(600_000)).decode()

    def run(argv):
        if argv[:2] == ("docker", "ps") and "--format" in argv:
            return CommandResult(tuple(argv), 0, "\n".join(f"c{i}\tUp 1 hour" for i in range(20)))
        return CommandResult(tuple(argv), 0, big if argv[:2] == ("docker", "logs") else "ok\n")

    data = BundleBuilder(
        root=planted_host.root, state_dir=planted_host.state, log_dir=planted_host.logs, run=run, limit=limit
    ).build()
    assert len(data) <= limit
    out = tmp_path / "b.tar.gz"
    out.write_bytes(data)
    text = manifest(out)
    assert "the bundle's size limit was reached" in text
    assert "left out" in text
    assert leaks(bundle_members(out), {s: s for s in SECRETS}) == []


def test_the_size_limit_is_said_in_help_and_readme():
    assert BUNDLE_LIMIT == 20 * MIB
    res = run_wizard("bundle", "--help")
    assert "at most 20 MiB" in " ".join(res.stdout.split())
    assert "at most 20 MiB" in (REPO / "README.md").read_text()


def test_failed_steps_log_comes_first_when_the_logs_share_is_spent(
    planted_host: PlantedHost, tmp_path: Path, monkeypatch
):
    for i in range(3):
        write(planted_host.logs / f"0{i}-old.log", "x" * 1000 + "\n")
    os.utime(planted_host.logs / "20-deploy.log", (1, 1))  # the oldest file, but the failed step's

    def run(argv):
        return CommandResult(tuple(argv), 127, "missing\n")

    monkeypatch.setattr("wizard.support.bundle.STEP_LOGS_TOTAL", 600)
    data = BundleBuilder(
        root=planted_host.root, state_dir=planted_host.state, log_dir=planted_host.logs, run=run
    ).build()
    out = tmp_path / "b.tar.gz"
    out.write_bytes(data)
    names = [n.rsplit("/", 1)[-1] for n in bundle_members(out)]
    assert "20-deploy.log" in names
    assert "the step logs' share" in manifest(out)


def test_commands_stop_when_the_time_budget_is_spent(tmp_path: Path):
    ticks = iter(range(0, 10_000, 50))
    seen: list[tuple[str, ...]] = []

    def run(argv):
        seen.append(tuple(argv))
        return CommandResult(tuple(argv), 0, "ok\n")

    data = BundleBuilder(
        root=tmp_path, state_dir=tmp_path, log_dir=tmp_path, run=run, clock=lambda: float(next(ticks))
    ).build()
    out = tmp_path / "b.tar.gz"
    out.write_bytes(data)
    assert len(seen) <= 3
    assert "skipped, the bundle's time budget (120 s) was spent" in manifest(out)


def test_a_linked_globals_file_is_not_followed(planted_host: PlantedHost, tmp_path: Path):
    outside = write(tmp_path / "shadow", "root:$6$notForTheBundle:19000::::::\n")
    (planted_host.root / "etc/kolla/globals.d/evil.yml").symlink_to(outside)
    out = tmp_path / "bundle.tar.gz"
    assert planted_host.bundle(out).returncode == 0
    assert b"notForTheBundle" not in bundle_members(out)["<gunzipped tar>"]
    assert "/etc/kolla/globals.d/evil.yml: is a symbolic link: not followed" in manifest(out)


def test_refuses_to_write_through_a_link_or_onto_a_device(planted_host: PlantedHost, tmp_path: Path):
    target = write(tmp_path / "precious", "keep me\n")
    link = tmp_path / "link.tar.gz"
    link.symlink_to(target)
    res = planted_host.bundle(link)
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and "symbolic link" in res.stderr
    assert target.read_text() == "keep me\n"
    res = planted_host.bundle(Path("/dev/null"))
    assert res.returncode == 2 and "not a regular file" in res.stderr


def test_dash_writes_the_bundle_to_standard_output(planted_host: PlantedHost, tmp_path: Path):
    out = tmp_path / "piped.tar.gz"
    with out.open("wb") as fh:
        res = subprocess.run(
            [sys.executable, "-m", "wizard", "bundle", "-o", "-", *planted_host.options()],
            env={**os.environ, **planted_host.env()},
            stdout=fh,
            stderr=subprocess.PIPE,
            timeout=120,
        )
    assert res.returncode == 0, res.stderr
    assert any(n.endswith("/MANIFEST.txt") for n in bundle_members(out))


@pytest.mark.parametrize("how", ["unreadable file", "unsearchable /etc/kolla"])
def test_refuses_when_passwords_yml_cannot_be_read(
    planted_host: PlantedHost, tmp_path: Path, monkeypatch, capsys, how: str
):
    """Without its secrets nothing could be redacted: a docker-group user must not get container logs raw."""
    from wizard import cli

    passwords = planted_host.root / "etc/kolla/passwords.yml"
    if how == "unreadable file":
        real_access = os.access
        monkeypatch.setattr("os.access", lambda p, mode: False if Path(p) == passwords else real_access(p, mode))
    else:
        real_stat = os.stat

        def stat_(p, *a, **kw):
            if Path(p) == passwords:
                raise PermissionError(13, "Permission denied")
            return real_stat(p, *a, **kw)

        monkeypatch.setattr("wizard.support.common.os.stat", stat_)
    out = tmp_path / "bundle.tar.gz"
    assert cli.main(["bundle", "-o", str(out), *planted_host.options()]) == 2
    assert "cannot read /etc/kolla/passwords.yml" in capsys.readouterr().err
    assert not out.exists()


def test_broken_containers_logs_come_first():
    listing = "\n".join(
        [
            "cron\tUp 2 hours",
            "nova_compute\tUp 2 hours (unhealthy)",
            "keystone\tUp 2 hours (healthy)",
            "mariadb\tRestarting (1) 5 seconds ago",
            "kolla_toolbox\tExited (1) 3 minutes ago",
        ]
    )
    assert containers_broken_first(listing) == ["kolla_toolbox", "mariadb", "nova_compute", "cron", "keystone"]


def test_an_output_directory_gets_the_default_name(planted_host: PlantedHost, tmp_path: Path):
    where = tmp_path / "out"
    where.mkdir()
    res = planted_host.bundle(where)
    assert res.returncode == 0, res.stderr
    (made,) = where.glob("aio-wizard-bundle-*.tar.gz")
    assert stat.S_IMODE(made.stat().st_mode) == 0o600


def test_a_passwords_yml_that_is_not_yaml_still_masks_its_values(planted_host: PlantedHost, tmp_path: Path):
    from tests.support_bundle.conftest import GENERATED

    passwords = planted_host.root / "etc/kolla/passwords.yml"
    passwords.write_text(f"database_password: {GENERATED}\nbroken: [unclosed\n")
    out = tmp_path / "bundle.tar.gz"
    assert planted_host.bundle(out).returncode == 0
    assert leaks(bundle_members(out), encodings(GENERATED)) == []
    assert b"********" in member(bundle_members(out), "/docker/logs/mariadb.log")


def test_a_host_without_free_gets_the_kernels_meminfo_instead(planted_host: PlantedHost, tmp_path: Path):
    """A minimal Debian (debootstrap's minbase, some cloud images) has no procps, so no ``free``."""
    without = tmp_path / "bin-without-free"
    without.mkdir()
    for directory in SAFE_PATH.split(":"):
        for program in Path(directory).iterdir() if Path(directory).is_dir() else ():
            if program.name != "free" and not (without / program.name).exists():
                (without / program.name).symlink_to(program)
    out = tmp_path / "bundle.tar.gz"
    res = run_wizard(
        "bundle", "-o", str(out), *planted_host.options(), env={"PATH": f"{planted_host.bin}:{without}"}
    )
    assert res.returncode == 0, res.stderr
    members = bundle_members(out)
    assert b"MemTotal:" in member(members, "/host/free.txt")
    assert "host/free.txt: /proc/meminfo (free -m: exit code 127" in manifest(out)
