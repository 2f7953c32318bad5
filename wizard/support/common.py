"""What the bundle, ``destroy`` and ``recover-mariadb`` share: the installed virtualenv and release, the
kolla-ansible command line, the redactor, reading host files without following links, and running
one long kolla-ansible command with its output on the terminal and in a log.

The redactor is built in one place (:func:`host_redactor`) so whatever :mod:`wizard.pipeline.redact`
learns (more encodings of a secret) applies to every bundle member and every streamed line.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any

import yaml

from wizard.answers.patterns import check_venv_path
from wizard.answers.questions import KEYS, question
from wizard.answers.validation import SECRET_KEY
from wizard.errors import UserError
from wizard.files import ensure_private_dir
from wizard.kolla.releases import Release, find_release, load_releases
from wizard.pipeline.model import Command, host_path
from wizard.pipeline.redact import MASK, Redactor, secret_values
from wizard.pipeline.steps import INVENTORY, PASSWORDS

DEFAULT_VENV = "/opt/kolla-venv"
_YAML_LINE = re.compile(r"^\s*([\w.-]+)\s*:\s*(\S.*)$")
# The password of a URL's user info (http://user:PASSWORD@proxy:3128): proxy settings and registry
# URLs carry them, and they are in no passwords.yml.
_URL_PASSWORD = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+(?=@)")

Redact = Callable[[str], str]


def journal_data(state_dir: Path | str) -> dict[str, Any]:
    """The raw journal of ``state_dir`` ({} when there is none or it cannot be read: these tools
    must work on a half-installed box, where a damaged journal is one more thing to report)."""
    from wizard.pipeline.journal import Journal

    try:
        return Journal.load(state_dir).data
    except UserError:
        return {}


def installed_venv(journal: Mapping[str, Any]) -> str:
    """The virtualenv the recorded install used (its ``venv_path`` answer), else kolla's default.

    A value that is not a sane absolute path of its own (the answers' own check) is refused: it is
    about to be deleted or run from as root.
    """
    value = (journal.get("answers") or {}).get("venv_path") or DEFAULT_VENV
    problem = check_venv_path(value)
    if problem:
        raise UserError(f"venv_path in the journal: {problem}")
    return str(value).rstrip("/")


def inventory_path(root: Path, venv: str) -> str | None:
    """The inventory kolla-ansible is given: the one the install wrote, else the virtualenv's example."""
    for candidate in (INVENTORY, f"{venv}/share/kolla-ansible/ansible/inventory/all-in-one"):
        if host_path(root, candidate).is_file():
            return candidate
    return None


def recorded_release(journal: Mapping[str, Any]) -> Release | None:
    """The release the journal records (its ``release``, else the ``openstack_release`` answer), if known."""
    for value in (journal.get("release"), (journal.get("answers") or {}).get("openstack_release")):
        release = find_release(value) if value else None
        if release is not None:
            return release
    return None


def installed_release(root: Path, journal: Mapping[str, Any], venv: str) -> Release | None:
    """The release of the recorded install: :func:`recorded_release`, else the major of the
    kolla-ansible package in ``venv`` (a journal that was lost or damaged: the package is what will
    run). None when none of them names a known release."""
    release = recorded_release(journal)
    if release is not None:
        return release
    for dist in sorted(host_path(root, venv).glob("lib/python3*/site-packages/kolla_ansible-*.dist-info")):
        major = dist.name.removeprefix("kolla_ansible-").split(".")[0]
        for release in load_releases():
            if str(release.kolla_major) == major:
                return release
    return None


def kolla_command(root: Path, venv: str, release: Release, action: str, *extra: str, inventory: str) -> Command:
    """``VENV/bin/kolla-ansible ACTION [extra] -i INV`` as the venv's ``activate`` would run it.

    ``ACTION`` is ``release``'s name for ``action`` (:meth:`Release.kolla_action`: ``mariadb-recovery``
    is ``mariadb_recovery`` on the bash CLI of 18.x and older), and it comes first: the cliff CLI of
    19+ needs it there and the bash CLI's getopt accepts it. ``VIRTUAL_ENV`` is set as well as PATH:
    the old bash CLI finds its playbooks from it. Paths are resolved under ``root`` (the same as the
    host's when root is /), so the line shown is the line run.
    """
    venv_dir = str(host_path(root, venv))
    return Command(
        (
            f"{venv_dir}/bin/kolla-ansible",
            release.kolla_action(action),
            *extra,
            "-i",
            str(host_path(root, inventory)),
        ),
        env={"VIRTUAL_ENV": venv_dir},
        path_prepend=(f"{venv_dir}/bin",),
    )


def secret_answer_values(answers: Mapping[str, Any]) -> set[str]:
    """Values of answers that are secrets: keys the catalog marks secret, keys that look like one
    (``*password*``, ``*token*``...), and such keys inside ``extra_globals``."""
    out: set[str] = set()
    for key, value in answers.items():
        if SECRET_KEY.search(str(key)) or (key in KEYS and question(key).secret):
            out |= secret_values(value)
    extra = answers.get("extra_globals")
    if isinstance(extra, Mapping):
        out |= secret_answer_values({k: v for k, v in extra.items() if k != "extra_globals"})
    return out


def secret_key_values(text: str) -> set[str]:
    """Values under secret-looking keys in a YAML or INI-style file (globals, inventory).

    An operator may well have put ``docker_registry_password`` in globals.yml or
    ``ansible_password=`` in the inventory; those files go into the bundle, their secrets must not.
    """
    out: set[str] = set()
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        data = None
    if isinstance(data, dict):
        out |= _secret_leaves(data)
    for line in text.splitlines():
        m = _YAML_LINE.match(line)  # also when the file as a whole is not YAML (a Jinja2 line, a typo)
        if m and SECRET_KEY.search(m.group(1)):
            out |= secret_values(m.group(2).strip().strip("'\""))
        for token in line.split():  # INI inventories: host key=value key=value
            key, sep, value = token.partition("=")
            if sep and SECRET_KEY.search(key):
                out |= secret_values(value.strip("'\""))
    return out


def _secret_leaves(data: Any) -> set[str]:
    out: set[str] = set()
    if isinstance(data, dict):
        for k, v in data.items():
            out |= secret_values(v) if SECRET_KEY.search(str(k)) else _secret_leaves(v)
    elif isinstance(data, list):
        for v in data:
            out |= _secret_leaves(v)
    return out


def host_redactor(root: Path, extra: Iterable[str] = ()) -> Redact:
    """The one redactor of this package: every value of passwords.yml (re-read when it changes)
    plus ``extra`` (secret answers, secret-looking keys of the files collected), and the password
    of any URL's user info.

    Refuses (exit 2) when passwords.yml exists but cannot be read: a user in the docker group
    could otherwise collect container logs that no redactor knows the secrets of.
    """
    passwords = host_path(root, PASSWORDS)
    try:
        os.stat(passwords)
        readable = os.access(passwords, os.R_OK)
    except (FileNotFoundError, NotADirectoryError):
        readable = True  # no passwords.yml: kolla never ran here, there is nothing of it to redact
    except OSError:  # /etc/kolla not searchable by this user
        readable = False
    if not readable:
        raise UserError(f"cannot read {PASSWORDS}, so its secrets could not be redacted: run this as root")
    redactor = Redactor([passwords], extra)  # a passwords.yml that is not YAML is read line by line

    def redact(text: str) -> str:
        return _URL_PASSWORD.sub(lambda m: m.group(1) + MASK, redactor(text))

    return redact


def read_no_follow(path: Path, limit: int) -> tuple[bytes, int]:
    """The last ``limit`` bytes of a regular file, never through a symbolic link: (data, bytes left out).

    As root, a link planted where a log or a globals file should be (``globals.d/x.yml ->
    /etc/shadow``) must not pull another file into a bundle. Devices and FIFOs are refused too
    (reading one could block or never end). Raises OSError with a reason.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(0, "not a regular file")
        skipped = max(0, st.st_size - limit)
        if skipped:
            os.lseek(fd, skipped, os.SEEK_SET)
        chunks = []
        left = limit
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks), skipped
    finally:
        os.close(fd)


def require_root(what: str, *, dry_run: bool) -> None:
    """Refuse (exit 2) to change the host without root; a dry run only reads and may run as anyone."""
    if not dry_run and os.geteuid() != 0:
        raise UserError(f"{what} changes the host and must run as root (or try --dry-run)")


def stream_command(
    cmd: Command,
    *,
    log_path: Path,
    redact: Redact,
    out: IO[str] | None = None,
) -> int:
    """Run ``cmd`` (argv, never a shell) with its output, redacted, on ``out`` and appended to ``log_path``.

    For the long kolla-ansible runs of ``destroy`` and ``recover-mariadb``: the operator watches
    it live, and the log (0600) stays for the bundle. Returns the exit code (127 when missing).
    """
    from wizard.pipeline.runner import command_env

    out = out or sys.stdout
    ensure_private_dir(log_path.parent, "log directory")  # 0700, and not one others could plant links in
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with open(fd, "w", encoding="utf-8", errors="replace") as log:
        log.write(f"+ {cmd.display}  # {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        try:
            proc = subprocess.Popen(
                list(cmd.argv),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=command_env(cmd),
            )
        except OSError as exc:
            line = f"{cmd.argv[0]}: {exc.strerror}\n"
            log.write(line)
            out.write(line)
            return 127
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = redact(raw.decode("utf-8", "replace"))
            log.write(line)
            out.write(line)
            out.flush()
        code = proc.wait()
        log.write(f"exit code {code}\n")
    return code
