"""A terminal that is not UTF-8 (LANG=C, LC_ALL=POSIX, PYTHONIOENCODING=ascii) gets ASCII from every
front end: the CLI commands, --plain (prompts, progress, failure) and the TUI; nothing raises
UnicodeEncodeError. The core keeps its typography (…, —, →): the translation is at the boundary."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.support.guide import GUIDE_HOST_FILE
from tests.support.steps import write_steps
from wizard.ui.charset import AsciiStream, ascii_reason, to_ascii, to_ascii_cells

NOT_ASCII = re.compile(r"[^\x00-\x7f]")

#: What a core text holds that a LANG=C terminal shows as mojibake.
TYPOGRAPHY = "Copy a → b … done — ‘ok’ “fine” ✓ ✗ naïve"


def c_locale_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "LANGUAGE", "LC_CTYPE")}
    env.update({"LANG": "C", "LC_ALL": "C", "NO_COLOR": "1", "PYTHONPATH": str(REPO)}, **extra)
    return env


def test_the_table_says_each_mark_in_ascii():
    assert to_ascii(TYPOGRAPHY) == "Copy a -> b ... done - 'ok' \"fine\" + x naive"
    assert to_ascii("ends with \u0435np1s0") == "ends with ?np1s0"  # a lookalike is not passed off as ASCII
    assert to_ascii_cells("a…b", room=2) == ("a...b", 2)
    assert to_ascii_cells("a…b") == ("a.b", 0)  # no room: one cell for one cell


@pytest.mark.parametrize(
    ("env", "encoding", "ascii"),
    [
        ({"LANG": "C"}, "utf-8", True),  # Python's UTF-8 mode: stdout says utf-8, the terminal is not told so
        ({"LANG": "en_US.UTF-8", "LC_ALL": "POSIX"}, "utf-8", True),
        ({"LC_CTYPE": "de_DE.ISO-8859-1"}, "iso8859-1", True),
        ({"PYTHONIOENCODING": "ascii"}, "ascii", True),
        ({"LANG": "C.UTF-8"}, "utf-8", False),
        ({}, "utf-8", False),  # unset: most often a UTF-8 terminal
        ({"LANG": "en_US.utf8", "TERM": "dumb"}, "utf-8", False),  # TERM says nothing about the charset
    ],
)
def test_the_locale_or_the_stream_decides(env, encoding, ascii):
    assert bool(ascii_reason(env, encoding)) is ascii


def test_the_ascii_stream_never_raises_on_a_strict_ascii_stream(tmp_path: Path):
    with open(tmp_path / "out", "w", encoding="ascii") as raw:
        AsciiStream(raw).write(TYPOGRAPHY + " \u4e2d\n")  # type: ignore[arg-type]
    assert (tmp_path / "out").read_text().isascii()


def _run(args: list[str], env: dict[str, str], tmp_path: Path, **kw) -> subprocess.CompletedProcess:
    dirs = ["--state-dir", str(tmp_path / "state"), "--log-dir", str(tmp_path / "log")]
    return subprocess.run(
        [sys.executable, "-m", "wizard", "--host-facts", str(GUIDE_HOST_FILE), *dirs, *args],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        **kw,
    )


def _assert_ascii(out: bytes, what: str) -> None:
    text = out.decode("utf-8", "replace")
    assert "UnicodeEncodeError" not in text and "Traceback" not in text, text[-2000:]
    odd = sorted(set(NOT_ASCII.findall(text)))
    assert not odd, f"{what} printed {odd} to a terminal that is not UTF-8:\n{text[-2000:]}"


@pytest.mark.parametrize("env", [c_locale_env(), c_locale_env(PYTHONIOENCODING="ascii", LANG="", LC_ALL="")])
def test_the_cli_commands_print_ascii_to_a_c_locale(tmp_path: Path, env):
    bad = tmp_path / "bad.yaml"
    bad.write_text("network_interface: \u0435np1s0\nkolla_internal_vip_address: 10.1.1.88 # → …\n")
    steps = write_steps(tmp_path / "steps.yaml", "- id: one\n  title: Copy a → b …\n  commands: [[true]]\n")
    for args in (
        ["plan"],  # the plan's own "—" and "…" (file notes, long bodies)
        ["plan", "--steps-file", str(steps)],
        ["probe", "--offline"],
        ["status"],
        ["validate", str(bad)],  # the message quotes the Cyrillic "е" it found
        ["export", "-o", "-"],
        ["--help"],
    ):
        result = _run(args, env, tmp_path)
        assert result.returncode in (0, 2), (args, result.stderr)
        _assert_ascii(result.stdout + result.stderr, " ".join(args))


def test_plain_mode_on_a_c_locale_terminal_is_ascii_from_questions_to_failure(spawn_wizard, tmp_path: Path):
    body = textwrap.dedent("""\
        - id: copy
          title: Copy a → b … (“quoted”)
          commands: [[sh, -c, "echo 'naïve — output ✓'; exit 3"]]
        """)
    steps = write_steps(tmp_path / "steps.yaml", body)
    # TERM given again: c_locale_env copies this process's environment, whose TERM (dumb under a CI
    # runner or in a chroot) would otherwise replace spawn_wizard's and turn questionary off
    wiz = spawn_wizard("--steps-file", str(steps), term="xterm", env=c_locale_env(TERM="xterm"))
    wiz.expect("What next?")
    wiz.send("\r")  # install now
    wiz.expect(re.escape("Start now?"))
    wiz.send("y")
    wiz.expect(re.escape('Copy a -> b ... ("quoted")'))
    wiz.expect("failed. What now?")
    wiz.send("\x1b[B" * 2 + "\r")  # abort
    assert wiz.exit_code() == 1
    _assert_ascii(wiz.output.encode(), "--plain")
    assert "naive - output +" in wiz.output  # the step's own output too
