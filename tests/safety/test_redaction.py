"""Secrets never reach the logs, the console or the TUI's listeners, in any encoding (issue 12, item 6).

The Kolla plan itself runs here (its genpwd and deploy steps, built by ``build_plan`` for the
guide's host) through the real runner, with fake ``kolla-genpwd`` and ``kolla-ansible`` that do
what the real ones can do: genpwd writes passwords.yml in the middle of its step and prints from
it; kolla-ansible prints every secret as Ansible and the tools it drives would (JSON-escaped once
and twice, percent-encoded, base64 alone and inside longer base64 at the three alignments, and
repeated through a 3 MiB line that the output stream must cut somewhere).
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import os
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from tests.answers.conftest import guide_host
from tests.conftest import run_wizard
from tests.pipeline.conftest import Recorder
from tests.support.guide import GUIDE_ANSWERS
from wizard.answers.resolve import resolve_answers
from wizard.pipeline.events import StepOutput
from wizard.pipeline.journal import Journal
from wizard.pipeline.output import MAX_PENDING, OutputStream
from wizard.pipeline.plan import build_plan
from wizard.pipeline.redact import MASK, Redactor, variants
from wizard.pipeline.runner import Runner

#: a secret with what JSON escapes (a quote, a backslash) and what URLs encode (/, +, &, =, space)
ODD = 'Pa"ss\\w/o+r&d= 9f8e7d6c5b4a'
#: the kind kolla-genpwd makes (letters and digits)
PLAIN = "kQ3vX9zL2mR8tY6wP4sN7bJ5hF1dG0cA"
#: written by genpwd during its step
LATE = "Gen3ratedDuringTheStep-77aa99"

PRINTER = r"""
import base64, json, os, re, sys, time
from urllib.parse import quote, quote_plus
secrets = [l.split(": ", 1)[1] for l in open(sys.argv[1]).read().splitlines() if ": " in l]
secrets = [json.loads(s) if s.startswith('"') else s for s in secrets]
out = sys.stdout
for s in secrets:
    j = json.dumps(s)
    out.write('ok: [localhost] => {"msg": %s}\n' % j)
    out.write('changed: [localhost] => {"cmd": "echo %s"}\n' % json.dumps(j)[1:-1])
    url = quote(s, safe="")
    lower = re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), url)
    out.write("url=https://user:%s@host/ plus=%s lower=%s\n" % (url, quote_plus(s), lower))
    b = s.encode()
    out.write("b64=%s urlsafe=%s\n" % (base64.b64encode(b).decode(), base64.urlsafe_b64encode(b).decode()))
    for pre in (b"", b"x", b"xy"):
        out.write("blob=%s\n" % base64.b64encode(pre + b + b"-and-more-bytes").decode())
    out.flush()
line = "".join(f"{s} " for s in secrets) * (3 * 1024 * 1024 // sum(len(s) + 1 for s in secrets) + 1)
out.write(line + "\n")
out.flush()
"""


def _fake_tools(bin_dir: Path, passwords: Path) -> None:
    """kolla-genpwd (writes passwords.yml mid-step, then prints from it) and kolla-ansible (prints it all)."""
    bin_dir.mkdir(parents=True)
    printer = bin_dir / "printer.py"
    printer.write_text(PRINTER)
    genpwd = bin_dir / "kolla-genpwd"
    genpwd.write_text(
        f"#!/bin/sh\necho generating\nsleep 0.2\n"
        f"printf 'database_password: {LATE}\\n' >> {passwords}\n"
        f"echo the new one is {LATE}\n"
    )
    ansible = bin_dir / "kolla-ansible"
    ansible.write_text(f"#!/bin/sh\nexec {sys.executable} {printer} {passwords}\n")
    for tool in (genpwd, ansible):
        tool.chmod(0o755)


def _kolla_steps(root: Path, fake_venv: Path, ids: tuple[str, ...]):
    """The real Kolla plan for the guide's host, only the steps ``ids``, its venv and /etc/kolla moved
    into the test's directories (the argv are otherwise exactly the plan's)."""
    facts = guide_host()
    plan = build_plan(resolve_answers(facts, GUIDE_ANSWERS).values, facts, root=root)
    venv = plan.answers["venv_path"]

    def moved(arg: str) -> str:
        return arg.replace(venv, str(fake_venv)).replace("/etc/kolla", str(root / "etc/kolla"))

    steps = tuple(
        dataclasses.replace(
            s, commands=tuple(dataclasses.replace(c, argv=tuple(map(moved, c.argv))) for c in s.commands)
        )
        for s in plan.steps
        if s.id in ids
    )
    assert [s.id for s in steps] == list(ids)
    return dataclasses.replace(plan, steps=steps)


def _leaks(text: str, secret: str) -> list[str]:
    """The forms of ``secret`` (as :func:`variants` lists them) still in ``text``."""
    return sorted(form for form in variants(secret) if form in text)


@pytest.fixture
def kolla_run(tmp_path: Path):
    root = tmp_path / "root"
    (root / "etc/kolla").mkdir(parents=True)
    passwords = root / "etc/kolla/passwords.yml"
    passwords.write_text(f"keystone_admin_password: {json.dumps(ODD)}\nrabbitmq_password: {PLAIN}\n")
    fake_venv = tmp_path / "venv"
    _fake_tools(fake_venv / "bin", passwords)

    def run(*ids: str, content: str | None = None):
        if content is not None:
            passwords.write_text(content)
        plan = _kolla_steps(root, fake_venv, ids)
        rec = Recorder()
        journal = Journal.load(tmp_path / "state")
        status = Runner(plan, journal, tmp_path / "log", [rec], lock=False).run()
        logs = "".join(p.read_text(errors="replace") for p in sorted((tmp_path / "log").glob("*.log")))
        shown = "\n".join(e.text for e in rec.of(StepOutput))
        return status, logs, shown, journal.path.read_text()

    return run


def test_secrets_printed_by_kolla_ansible_in_any_encoding_are_masked_in_logs_and_listeners(kolla_run):
    status, logs, shown, journal = kolla_run("deploy")
    assert status == "done"
    assert logs.count(MASK) > 1000  # the secrets were printed, and masked
    for secret in (ODD, PLAIN):
        assert _leaks(logs, secret) == []
        assert _leaks(shown, secret) == []
        assert _leaks(journal, secret) == []


def test_a_secret_genpwd_writes_during_its_step_is_masked_in_that_step(kolla_run):
    status, logs, shown, _ = kolla_run("genpwd", "deploy")
    assert status == "done"
    assert f"the new one is {MASK}" in logs and f"the new one is {MASK}" in shown
    assert _leaks(logs, LATE) == [] and _leaks(shown, LATE) == []


def test_a_broken_passwords_file_still_masks_what_it_can_and_says_so_once(kolla_run):
    broken = f"keystone_admin_password: {json.dumps(ODD)}\nrabbitmq_password: {PLAIN}\n  bad: [indent\n"
    status, logs, shown, _ = kolla_run("deploy", content=broken)
    assert status == "done"
    for secret in (ODD, PLAIN):
        assert _leaks(logs, secret) == [] and _leaks(shown, secret) == []
    notice = "passwords.yml: not valid YAML at line 3"
    assert logs.count(notice) == 1 and shown.count(notice) == 1
    assert "masked line by line" in logs


# --- the output stream's 1 MiB cut --------------------------------------------------------------


@pytest.mark.parametrize("offset", [-20, -7, -1, 0, 1, 5])
def test_a_secret_across_the_1_mib_line_cut_is_masked_whole(offset: int):
    log = io.BytesIO()
    events: list = []
    stream = OutputStream("s", log, events.append, Redactor(values=[PLAIN]), batch_seconds=3600)
    line = "x" * (MAX_PENDING + offset) + PLAIN + "y" * 100
    data = line.encode()
    for at in range(0, len(data), 65536):  # as the pipe delivers it
        stream.feed(data[at : at + 65536])
    stream.close_partial()
    stream.flush()
    text = log.getvalue().decode()
    assert PLAIN not in text.replace("\n", "") and text.replace("\n", "").count(MASK) == 1
    assert text.replace("\n", "").replace(MASK, PLAIN) == line  # nothing lost but the secret


# --- the forms, one by one -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "form",
    [
        json.dumps(ODD)[1:-1],
        json.dumps(json.dumps(ODD)[1:-1])[1:-1],
        json.dumps(ODD + "é", ensure_ascii=True)[1:-1],
        quote(ODD, safe=""),
        quote(ODD),
        quote_plus(ODD),
        base64.b64encode(ODD.encode()).decode(),
        base64.urlsafe_b64encode(ODD.encode()).decode(),
        base64.b64encode(ODD.encode()).decode().rstrip("="),
    ],
)
def test_each_encoding_of_a_secret_is_masked(form: str):
    redact = Redactor(values=[ODD, ODD + "é"])
    assert redact(f"<{form}>") == f"<{MASK}>"


@pytest.mark.parametrize("prefix", [b"", b"a", b"ab"])
def test_a_secret_inside_a_longer_base64_string_is_masked_at_each_alignment(prefix: bytes):
    blob = base64.b64encode(prefix + PLAIN.encode() + b"trailing bytes").decode()
    masked = Redactor(values=[PLAIN])(blob)
    assert MASK in masked
    left, right = masked.split(MASK)
    assert len(left) <= 4 and len(right) <= 4 + len(base64.b64encode(b"trailing bytes"))


def test_output_without_secrets_is_returned_as_the_same_object():
    redact = Redactor(values=[PLAIN, ODD])
    text = "\n".join(str(i) for i in range(1000))
    assert redact(text) is text


# --- steps files: secret_files, end to end through the CLI --------------------------------------


def test_a_steps_file_with_secret_files_masks_them_on_the_console_and_in_the_logs(tmp_path: Path, state_dirs):
    passwords = tmp_path / "passwords.yml"
    passwords.write_text(f"a_password: {json.dumps(ODD)}\n")
    steps = tmp_path / "steps.yaml"
    printed = base64.b64encode(ODD.encode()).decode()
    steps.write_text(
        f"secret_files: [{passwords}]\n"
        "steps:\n"
        f"  - id: leak\n    commands: [[sh, -c, {json.dumps(f'echo {printed}; echo {quote(ODD)}')}]]\n"
    )
    proc = run_wizard(*state_dirs, "run", "--steps-file", str(steps), "--non-interactive", "--verbose")
    assert proc.returncode == 0, proc.stderr
    logs = "".join(p.read_text() for p in (tmp_path / "log").glob("*.log"))
    assert f"\n{MASK}\n{MASK}\n" in logs and proc.stdout.count(MASK) >= 2  # the output, and the $ command
    assert _leaks(logs + proc.stdout + proc.stderr, ODD) == []


def test_a_steps_file_secret_files_entry_must_be_absolute_paths(tmp_path: Path, state_dirs):
    steps = tmp_path / "steps.yaml"
    steps.write_text("secret_files: [relative.yml]\nsteps:\n  - id: a\n    commands: [[true]]\n")
    proc = run_wizard(*state_dirs, "run", "--steps-file", str(steps), "--non-interactive")
    assert proc.returncode == 2 and proc.stderr.strip().endswith("secret_files: a list of absolute paths")
    assert "Traceback" not in proc.stderr


def test_a_secret_file_that_appears_later_is_read_before_the_next_block(tmp_path: Path):
    passwords = tmp_path / "p.yml"
    redact = Redactor([passwords])
    assert redact(f"x {PLAIN}") == f"x {PLAIN}"
    passwords.write_text(f"k: {PLAIN}\n")
    assert redact(f"x {PLAIN}") == f"x {MASK}"


def test_a_passwords_file_that_is_a_fifo_neither_hangs_nor_passes_silently(tmp_path: Path):
    fifo = tmp_path / "passwords.yml"
    os.mkfifo(fifo)
    redact = Redactor([fifo], values=[PLAIN])
    assert redact(f"x {PLAIN}") == f"x {MASK}"  # the other secrets are still masked
    [notice] = redact.pop_notices()
    assert "is a FIFO" in notice and "cannot be masked" in notice
    assert redact.pop_notices() == []  # said once
