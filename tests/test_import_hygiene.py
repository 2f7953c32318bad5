"""The core never imports the UI: probing, answers, plan, runner and journal work without textual.

Checked in fresh interpreters, so nothing imported by another test can hide an import.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import wizard
from tests.support.guide import GUIDE_HOST_FILE

CORE_PACKAGES = ("wizard.host", "wizard.answers", "wizard.kolla", "wizard.pipeline", "wizard.commands")
UI_ONLY = ("wizard.ui.tui", "wizard.commands.interactive", "wizard.ui.plain", "wizard.__main__")


def _core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(wizard.__path__, "wizard."):
        if info.name.startswith(UI_ONLY):
            continue
        names.append(info.name)
    return names


def _imported_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def test_core_modules_do_not_import_textual_or_questionary():
    modules = _core_modules()
    assert any(m.startswith("wizard.host") for m in modules)
    loaded = _imported_after("\n".join(f"import {m}" for m in modules))
    assert not any(m == "textual" or m.startswith("textual.") for m in loaded)
    assert "questionary" not in loaded


def _loaded_by_cli(argv: list[str]) -> set[str]:
    code = (
        "import contextlib, io, sys\nfrom wizard.cli import main\nsys.argv=['aio-wizard', *" + repr(argv) + "]\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "    try:\n        main()\n    except SystemExit:\n        pass\n"
    )
    return _imported_after(code)


def test_help_and_version_do_not_import_textual():
    for argv in (["--help"], ["--version"], ["probe", "--help"], ["plan", "--help"], ["bundle", "--help"]):
        assert "textual" not in _loaded_by_cli(argv), argv


def test_non_interactive_subcommands_import_neither_front_end(tmp_path):
    facts = str(GUIDE_HOST_FILE)
    state = ["--state-dir", str(tmp_path / "state"), "--log-dir", str(tmp_path / "log"), "--host-facts", facts]
    answers = tmp_path / "answers.yaml"
    answers.write_text("openstack_release: '2025.1'\n")
    for argv in (
        ["probe", "--json"],
        ["validate", str(answers)],
        ["export"],
        ["plan", "--answers", str(answers)],
        ["status"],
        ["bundle", "-o", str(tmp_path / "bundle.tar.gz"), "--root", str(tmp_path)],
        ["destroy", "--dry-run", "--root", str(tmp_path)],
        ["recover-mariadb", "--dry-run", "--root", str(tmp_path)],
    ):
        loaded = _loaded_by_cli([*argv, *state])
        assert "textual" not in loaded, argv
        assert "questionary" not in loaded, argv


def test_python_dash_m_wizard_prints_version():
    out = subprocess.run([sys.executable, "-m", "wizard", "--version"], capture_output=True, text=True)
    assert out.returncode == 0
    assert out.stdout.strip() == f"aio-wizard {wizard.__version__}"
