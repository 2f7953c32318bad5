"""``aio-wizard bundle``: one redacted tar.gz a person can attach to a bug report.

What goes in is what a helper asks for first: the journal and the step logs, the host as the
wizard saw it (``probe --json``, the preflight results), the answers (the export: no secrets), the
rendered globals and the inventory, the versions of everything that matters, the network
(``ip addr``, ``ip route``), memory and disks, and, where Docker runs, ``docker ps -a`` and the end
of every container's log. passwords.yml is never a member.

Three promises, each tested:

- **no secret**: every member passes through one redactor (:func:`wizard.support.common.host_redactor`)
  that knows every value of passwords.yml, secret answers and secret-looking keys of the files
  collected, in every encoding :mod:`wizard.pipeline.redact` knows;
- **bounded**: every source is tail-bounded and the whole file stays under :data:`BUNDLE_LIMIT`;
  what did not fit is said in MANIFEST.txt;
- **works on a half-installed box**: a source that is missing (no Docker, no /etc/kolla, no
  journal, a command that times out) becomes one MANIFEST.txt line saying what and why.
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import stat
import sys
import tarfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wizard import __version__
from wizard.errors import UserError
from wizard.files import atomic_write
from wizard.host.commands import CommandResult, CommandRunner, run_command
from wizard.pipeline.hoststate import dist_version
from wizard.pipeline.model import host_path
from wizard.pipeline.steps import INVENTORY
from wizard.support.common import (
    host_redactor,
    installed_venv,
    journal_data,
    read_no_follow,
    secret_answer_values,
    secret_key_values,
)
from wizard.support.limits import (  # said in `bundle --help` and the README
    BUNDLE_LIMIT,
    CONTAINER_LOG_LINES,
    CONTAINER_LOG_TAIL,
    MIB,
    STEP_LOG_TAIL,
    STEP_LOGS_TOTAL,
)

FILE_TAIL = 1 * MIB  # any other file (journal, globals, inventory)
COMMAND_OUTPUT_TAIL = 256 * 1024
COMMAND_TIMEOUT = 20.0  # seconds, each command
TIME_BUDGET = 120.0  # seconds for all commands: after that, what is left is listed as skipped
# Where a host command is missing (a minimal Debian has no procps), what the kernel says instead.
FALLBACK_FILES = {"free.txt": "/proc/meminfo"}
MEMBER_OVERHEAD = 2048  # charged per member: a tar header (a PAX one for a long name) and padding

MANIFEST_LIMIT = 64 * 1024
# Kept out of the members' budget: MANIFEST.txt (added last), the tar end blocks and gzip's framing.
RESERVED = MANIFEST_LIMIT + 64 * 1024

KOLLA = "/etc/kolla"
GLOBALS_FILES = (f"{KOLLA}/globals.yml",)
GLOBALS_D = f"{KOLLA}/globals.d"

FactsLoader = Callable[[], Any]


def default_runner(argv: Sequence[str]) -> CommandResult:
    return run_command(argv, timeout=COMMAND_TIMEOUT)


@dataclass
class _Bundle:
    """The members collected so far, the budget left, and the MANIFEST lines."""

    redact: Callable[[str], str]
    limit: int
    members: list[tuple[str, bytes]] = field(default_factory=list)
    manifest: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    used: int = 0

    def left(self) -> int:
        return self.limit - self.used

    def add(self, name: str, text: str, *, source: str, cut: int = 0) -> None:
        """Add ``text`` (redacted here: the only way into the bundle) as ``name``, tail-cut to the budget."""
        data = self.redact(text).encode("utf-8", "replace")
        room = self.left() - MEMBER_OVERHEAD
        if room <= 0:
            self.not_collected(name, f"{source}: the bundle's size limit was reached")
            return
        if len(data) > room:
            cut += len(data) - room
            data = data[len(data) - room :]
            data = data[data.find(b"\n") + 1 :]
        self.used += len(data) + MEMBER_OVERHEAD
        self.members.append((name, data))
        note = f" (the first {cut} bytes left out)" if cut else ""
        self.manifest.append(f"{name}: {source}{note}")

    def not_collected(self, what: str, why: str) -> None:
        self.missing.append(f"not collected: {what}: {self.redact(why).strip()}")


def _tail_text(data: bytes, cut: int = 0) -> str:
    """Decoded text; when the start was cut, from the first whole line: a tail that starts in the
    middle of a secret would keep its end, which no redactor recognises."""
    if cut:
        data = data[data.find(b"\n") + 1 :]
    return data.decode("utf-8", "replace")


class BundleBuilder:
    """Collects every source under ``root`` (host paths) and through ``run`` (read-only commands)."""

    def __init__(
        self,
        *,
        root: Path = Path("/"),
        state_dir: Path | str,
        log_dir: Path | str,
        run: CommandRunner = default_runner,
        load_facts: FactsLoader | None = None,
        answers_text: Callable[[Any], str] | None = None,
        limit: int = BUNDLE_LIMIT,
        clock: Callable[[], float] = time.monotonic,
        hostname: str = "host",
        now: float | None = None,
    ) -> None:
        self.root = Path(root)
        self.state_dir = Path(state_dir)
        self.log_dir = Path(log_dir)
        self.run = run
        self.load_facts = load_facts
        self.answers_text = answers_text
        self.limit = limit
        self.clock = clock
        self.hostname = re.sub(r"[^A-Za-z0-9.-]", "_", hostname) or "host"
        self.now = time.time() if now is None else now
        self.journal = journal_data(self.state_dir)
        self._deadline = clock() + TIME_BUDGET

    @property
    def name(self) -> str:
        """``aio-wizard-bundle-HOST-YYYYmmdd-HHMMSS``: the default file name and the members' folder."""
        return f"aio-wizard-bundle-{self.hostname}-{time.strftime('%Y%m%d-%H%M%S', time.localtime(self.now))}"

    # --- collecting -------------------------------------------------------------------------------

    def build(self) -> bytes:
        """The tar.gz, every member redacted, never over the limit."""
        texts, missing = self._kolla_files()  # read first: their secret-looking keys teach the redactor
        extra = set(secret_answer_values(self.journal.get("answers") or {}))
        for _, text, _ in texts:
            extra |= secret_key_values(text)
        b = _Bundle(host_redactor(self.root, extra), self.limit - RESERVED)
        self._journal(b)
        facts = self._facts(b)
        self._answers(b, facts)
        for name, text, source in texts:
            b.add(name, text, source=source)
        for path, why in missing:
            b.not_collected(path, why)
        self._versions(b)
        for name, argv in (
            ("ip-addr.txt", ("ip", "addr")),
            ("ip-route.txt", ("ip", "route")),
            ("free.txt", ("free", "-m")),
            ("df.txt", ("df", "-h", "-l")),
        ):
            done = self._command(b, f"host/{name}", argv, quiet=name in FALLBACK_FILES)
            if name in FALLBACK_FILES and done is not None and not done.ok:
                self._fallback_file(b, f"host/{name}", FALLBACK_FILES[name], " ".join(argv), done)
        self._step_logs(b)  # before the containers: what the wizard ran matters most
        self._docker(b)
        return self._pack(b)

    def _journal(self, b: _Bundle) -> None:
        path = self.state_dir / "journal.json"
        try:
            data, cut = read_no_follow(path, FILE_TAIL)
        except OSError as exc:
            b.not_collected(str(path), _why(exc))
            return
        b.add("journal.json", _tail_text(data, cut), source=str(path), cut=cut)

    def _facts(self, b: _Bundle) -> Any:
        if self.load_facts is None:
            b.not_collected("probe --json", "no probe in this run")
            return None
        try:
            from wizard.answers.defaults import detected_defaults
            from wizard.preflight.checks import preflight_checks
            from wizard.preflight.report import probe_document

            facts = self.load_facts()
            try:
                checks = preflight_checks(facts, self.journal.get("release"))
            except UserError:  # a release this wizard no longer knows: check against the newest fit
                checks = preflight_checks(facts)
            doc = probe_document(facts, checks, detected_defaults(facts))
        except Exception as exc:  # a broken host must still give a bundle: say what failed
            b.not_collected("probe --json", f"{type(exc).__name__}: {exc}")
            return None
        b.add("probe.json", json.dumps(doc, indent=2) + "\n", source="aio-wizard probe --json")
        lines = [
            f"{c.status:>4}  {c.title}: {c.reason}" + (f"\n      hint: {c.hint}" if c.hint else "") for c in checks
        ]
        b.add("preflight.txt", "\n".join(lines) + "\n", source="the preflight checks (aio-wizard probe)")
        return facts

    def _answers(self, b: _Bundle, facts: Any) -> None:
        if self.answers_text is None or facts is None:
            b.not_collected("answers.yml", "no host facts to resolve the answers against")
            return
        try:
            text = self.answers_text(facts)
        except Exception as exc:
            b.not_collected("answers.yml", f"{type(exc).__name__}: {exc}")
            return
        b.add("answers.yml", text, source="aio-wizard export (secrets are never exported)")

    def _kolla_files(self) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
        """The globals, globals.d/*.yml and the inventory, never passwords.yml: ([(member name, text,
        source)], [(path, why it is missing)])."""
        wanted = [*GLOBALS_FILES, INVENTORY]
        d = host_path(self.root, GLOBALS_D)
        if d.is_dir() and not d.is_symlink():
            wanted += sorted(f"{GLOBALS_D}/{p.name}" for p in d.iterdir() if p.name.endswith((".yml", ".yaml")))
        out: list[tuple[str, str, str]] = []
        missing: list[tuple[str, str]] = []
        for path in wanted:
            if "passwords" in Path(path).name:
                continue
            try:
                data, cut = read_no_follow(host_path(self.root, path), FILE_TAIL)
            except OSError as exc:
                missing.append((path, _why(exc)))
                continue
            note = f" (the first {cut} bytes left out)" if cut else ""
            out.append(("kolla/" + path.removeprefix(KOLLA + "/"), _tail_text(data, cut), path + note))
        return out, missing

    def _versions(self, b: _Bundle) -> None:
        lines = [f"aio-wizard {__version__}", f"python {sys.version.split()[0]}"]
        try:
            venv = installed_venv(self.journal)
        except Exception as exc:
            venv = None
            lines.append(f"virtualenv: {exc}")
        if venv:
            site = host_path(self.root, venv)
            for project in ("kolla-ansible", "ansible-core", "ansible", "kolla"):
                version = dist_version(site, project)
                lines.append(f"{project} {version}" if version else f"{project}: not installed in {venv}")
        for label, path in (("debian", "/etc/debian_version"), ("os-release", "/etc/os-release")):
            try:
                text = read_no_follow(host_path(self.root, path), 64 * 1024)[0].decode(errors="replace")
            except OSError as exc:
                lines.append(f"{label}: {path}: {_why(exc)}")
                continue
            if label == "os-release":
                pretty = re.search(r'^PRETTY_NAME="?([^"\n]*)', text, re.M)
                text = pretty.group(1) if pretty else text
            lines.append(f"{label} {text.strip()}")
        for label, argv in (("kernel", ("uname", "-srvm")), ("docker", ("docker", "--version"))):
            result = self._run(argv)
            if result is None:
                lines.append(f"{label}: skipped, the bundle's time budget ({TIME_BUDGET:g} s) was spent")
            else:
                first = (result.output.strip().splitlines() or ["(no output)"])[0]
                lines.append(f"{label}: {first}" if result.ok else f"{label}: {' '.join(argv)}: {first}")
        b.add("versions.txt", "\n".join(lines) + "\n", source="versions")

    def _run(self, argv: Sequence[str]) -> CommandResult | None:
        """``run(argv)`` unless the time budget is spent (None): a bundle must come back quickly."""
        if self.clock() > self._deadline:
            return None
        return self.run(argv)

    def _command(self, b: _Bundle, name: str, argv: Sequence[str], *, quiet: bool = False) -> CommandResult | None:
        """Add ``argv``'s output as ``name``; a failure is listed as not collected (``quiet``: the caller's)."""
        display = " ".join(argv)
        result = self._run(argv)
        if result is None:
            b.not_collected(display, f"skipped, the bundle's time budget ({TIME_BUDGET:g} s) was spent")
            return None
        if not result.ok:
            if not quiet:
                b.not_collected(display, _failure(result))
            return result
        data = result.output.encode("utf-8", "replace")
        cut = max(0, len(data) - COMMAND_OUTPUT_TAIL)
        b.add(name, _tail_text(data[cut:], cut), source=display, cut=cut)
        return result

    def _fallback_file(self, b: _Bundle, name: str, path: str, display: str, failed: CommandResult) -> None:
        """What the kernel says where the command is missing (a minimal Debian has no procps: no ``free``)."""
        try:
            data, cut = read_no_follow(Path(path), COMMAND_OUTPUT_TAIL)
        except OSError as exc:
            b.not_collected(display, f"{_failure(failed)}; {path}: {_why(exc)}")
            return
        b.add(name, _tail_text(data, cut), source=f"{path} ({display}: {_failure(failed)})", cut=cut)

    def _docker(self, b: _Bundle) -> None:
        ps = self._command(b, "docker/ps-a.txt", ("docker", "ps", "-a"))
        if ps is None or not ps.ok:
            return
        listing = self._run(("docker", "ps", "-a", "--format", "{{.Names}}\t{{.Status}}"))
        if listing is None or not listing.ok:
            b.not_collected("the containers' logs", "docker ps -a --format ... failed")
            return
        for name in containers_broken_first(listing.output):
            safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
            argv = ("docker", "logs", "--tail", str(CONTAINER_LOG_LINES), name)
            result = self._run(argv)
            if result is None:
                b.not_collected(" ".join(argv), f"skipped, the bundle's time budget ({TIME_BUDGET:g} s) was spent")
                continue
            data = result.output.encode("utf-8", "replace")
            cut = max(0, len(data) - CONTAINER_LOG_TAIL)
            note = "" if result.ok else f" (exit code {result.returncode})"
            b.add(f"docker/logs/{safe}.log", _tail_text(data[cut:], cut), source=" ".join(argv) + note, cut=cut)

    def _step_logs(self, b: _Bundle) -> None:
        """Every step log, tail-bounded: the failed step's first, then the newest."""
        paths: dict[str, Path] = {}
        try:
            for p in self.log_dir.glob("*.log"):
                paths[p.name] = p
        except OSError as exc:
            b.not_collected(f"step logs in {self.log_dir}", _why(exc))
        if not paths:
            b.not_collected(f"step logs in {self.log_dir}", "none found")
            return
        failed = str(self.journal.get("failed_step") or "")

        def order(p: Path) -> tuple[int, float]:
            try:
                mtime = p.lstat().st_mtime
            except OSError:
                mtime = 0.0
            return (0 if failed and p.name.endswith(f"-{failed}.log") else 1, -mtime)

        total = 0
        for p in sorted(paths.values(), key=order):
            room = min(STEP_LOG_TAIL, STEP_LOGS_TOTAL - total)
            if room <= 0:
                b.not_collected(str(p), f"the step logs' share of the bundle ({STEP_LOGS_TOTAL // MIB} MiB) was spent")
                continue
            try:
                data, cut = read_no_follow(p, room)
            except OSError as exc:
                b.not_collected(str(p), _why(exc))
                continue
            total += len(data)
            b.add(f"logs/{p.name}", _tail_text(data, cut), source=str(p), cut=cut)

    # --- packing ----------------------------------------------------------------------------------

    def _pack(self, b: _Bundle) -> bytes:
        head = [
            f"aio-wizard {__version__} support bundle of {self.hostname}, "
            f"{time.strftime('%Y-%m-%d %H:%M:%S %Z', time.localtime(self.now))}",
            f"Every member is redacted: the values of /etc/kolla/passwords.yml (never included) and secret answers "
            f"are replaced by ********. Size limit {self.limit // MIB} MiB; tails: step logs "
            f"{STEP_LOG_TAIL // MIB} MiB each, container logs the last {CONTAINER_LOG_LINES} lines.",
            "",
            "Members:",
            *(f"  {line}" for line in b.manifest),
            "",
            "Not collected:" if b.missing else "Everything was collected.",
            *(f"  {line.removeprefix('not collected: ')}" for line in b.missing),
        ]
        manifest = b.redact("\n".join(head) + "\n").encode()
        if len(manifest) > MANIFEST_LIMIT:
            manifest = manifest[: MANIFEST_LIMIT - 64] + b"\n... (MANIFEST.txt cut at its size limit)\n"
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
            for name, data in [("MANIFEST.txt", manifest), *b.members]:
                info = tarfile.TarInfo(f"{self.name}/{name}")
                info.size = len(data)
                info.mode = 0o600
                info.mtime = int(self.now)
                info.uname = info.gname = "root"
                tar.addfile(info, io.BytesIO(data))
        out = buf.getvalue()
        if len(out) > self.limit:  # cannot happen with the reserve above; never hand out more than promised
            raise RuntimeError(f"the bundle came out at {len(out)} bytes, over its limit of {self.limit}")
        return out


def containers_broken_first(listing: str) -> list[str]:
    """Container names from ``NAME<TAB>STATUS`` lines: stopped, restarting and unhealthy ones first
    (the ones a helper reads first, and the ones that must fit when the size limit bites), then by name."""

    def healthy(status: str) -> bool:
        return status.startswith("Up") and "unhealthy" not in status and "Restarting" not in status

    rows: dict[str, str] = {}
    for line in listing.splitlines():
        name, _, status = line.partition("\t")
        if name.strip():
            rows[name.strip()] = status.strip()
    return sorted(rows, key=lambda n: (healthy(rows[n]), n))


def _failure(result: CommandResult) -> str:
    """``exit code N: last line of its output`` for the manifest."""
    why = (result.output.strip().splitlines() or [f"exit code {result.returncode}"])[-1]
    return f"exit code {result.returncode}: {why}"


def _why(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "does not exist"
    if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a link
        return "is a symbolic link: not followed"
    return exc.strerror or str(exc)


def check_output(path: Path) -> None:
    """Refuse (exit 2) an output that is not a regular file or a new name: a link, a device, a FIFO,
    a directory. As root, ``-o /dev/sda`` or a planted link must never be written through."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        if not path.parent.is_dir():
            raise UserError(f"{path}: its directory {path.parent} does not exist") from None
        return
    except OSError as exc:
        raise UserError(f"{path}: {exc.strerror}") from None
    if stat.S_ISLNK(st.st_mode):
        raise UserError(f"{path} is a symbolic link: not written through; give another file name")
    if not stat.S_ISREG(st.st_mode):
        raise UserError(f"{path} exists and is not a regular file (a device, directory or FIFO): give a file name")


def write_bundle(path: Path, data: bytes) -> None:
    """Write the bundle 0600 with the project's atomic writer (temp file, rename: no link is followed)."""
    check_output(path)
    atomic_write(path, data, mode=0o600)


def bundle_builder(
    *, state_dir: Path | str, log_dir: Path | str, load_facts: FactsLoader, root: Path = Path("/")
) -> BundleBuilder:
    """The bundle of this host as every front end makes it: the export's answers, this host's name."""
    import socket

    from wizard.pipeline.exported import answers_yaml

    return BundleBuilder(
        root=root,
        state_dir=state_dir,
        log_dir=log_dir,
        load_facts=load_facts,
        answers_text=lambda facts: answers_yaml(facts, {}, state_dir),
        hostname=socket.gethostname(),
    )


def save_bundle(*, state_dir: Path | str, log_dir: Path | str, load_facts: FactsLoader) -> Path:
    """Build and write the bundle under its default name in the current directory; its path.

    For a front end's "Support bundle" action (the CLI's ``bundle`` also takes ``-o``)."""
    builder = bundle_builder(state_dir=state_dir, log_dir=log_dir, load_facts=load_facts)
    path = Path(f"{builder.name}.tar.gz").absolute()
    write_bundle(path, builder.build())
    return path
