"""Every bad answers file in tests/answers/bad/ gives exactly the error in its .expected file.

The expected text is what ``aio-wizard validate`` prints, with the file's path as ``{file}``;
checked against the guide's host (``--host-facts``), so the results do not depend on this machine.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from tests.conftest import run_wizard
from wizard.answers.answers_file import MAX_BYTES, load_answers
from wizard.cli import main
from wizard.errors import UserError

from .conftest import guide_host

BAD = Path(__file__).resolve().parent / "bad"
CASES = sorted(BAD.glob("*.yaml"))


def _validate(facts_file: Path, path: Path) -> tuple[int, list[str], str]:
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        rc = main(["--host-facts", str(facts_file), "validate", str(path)])
    return rc, err.getvalue().replace(str(path), "{file}").splitlines(), out.getvalue()


def test_there_are_at_least_25_bad_files_each_with_its_expected_error():
    assert len(CASES) >= 25
    for case in CASES:
        assert case.with_suffix(".expected").is_file(), f"{case.name} has no .expected"


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_bad_file_gives_exactly_its_expected_error(case: Path, facts_file: Path):
    rc, lines, out = _validate(facts_file, case)
    expected = case.with_suffix(".expected").read_text().splitlines()
    assert rc == 2
    assert out == ""
    assert lines[:-1] == expected
    assert lines[-1].startswith("{file}: ") and "error" in lines[-1]


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_bad_file_is_refused_by_load_answers_with_every_error_at_once(case: Path):
    expected = [
        line
        for line in case.with_suffix(".expected").read_text().replace("{file}", str(case)).splitlines()
        if ": warning: " not in line
    ]
    with pytest.raises(UserError) as info:
        load_answers(case, guide_host(), complete=False)
    message = str(info.value)
    for line in expected:
        assert line in message


def test_huge_file_is_refused_without_parsing_it(tmp_path: Path, facts_file: Path):
    huge = tmp_path / "huge.yaml"
    huge.write_text("# padding\n" * (MAX_BYTES // 10 + 10) + "network_interface: enp1s0\n")
    rc, lines, _ = _validate(facts_file, huge)
    assert rc == 2
    assert lines[0].startswith("{file}: too large for an answers file (")
    assert "at most 256 KiB" in lines[0]


def test_missing_file_is_one_clear_line(tmp_path: Path, facts_file: Path):
    rc, lines, _ = _validate(facts_file, tmp_path / "nope.yaml")
    assert rc == 2
    assert lines[0] == "{file}: no such file"


def test_validate_as_a_real_process_exits_2_without_traceback(facts_file: Path):
    case = BAD / "several_problems.yaml"
    proc = run_wizard("--host-facts", str(facts_file), "validate", str(case))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[:-1] == (
        case.with_suffix(".expected").read_text().replace("{file}", str(case)).splitlines()
    )
    assert proc.stderr.splitlines()[-1] == f"{case}: 4 errors"


def test_validate_writes_nothing_anywhere(tmp_path: Path, facts_file: Path):
    case = tmp_path / "answers.yaml"
    case.write_text("network_interface: eth9\n")
    state = tmp_path / "state"
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = run_wizard("--host-facts", str(facts_file), "--state-dir", str(state), "validate", str(case))
    assert proc.returncode == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert case.read_text() == "network_interface: eth9\n"


# --- lines are numbers, not parsed back out of the printed text ---------------------------------------


def test_problems_keep_line_order_when_the_path_holds_a_colon(tmp_path: Path):
    from wizard.answers.answers_file import check_file, read_answers_file

    path = tmp_path / "site:a.yaml"
    path.write_text("nosuch: 1\nvenv_path: relative\nnosuch: 2\n")
    af = read_answers_file(path)
    assert [p.line for p in af.structural] == [1, 2, 3]
    assert af.problems == [  # as printed, for callers that show them as they are
        f"{path}:1: nosuch: unknown answer",
        f"{path}:2: venv_path: 'relative' is not an absolute path (e.g. /opt/kolla-venv)",
        f"{path}:3: nosuch: given twice (first on line 1)",
    ]
    found = check_file(path, guide_host())
    # "FILE:LINE" was split on ":" to sort: with a colon in the path every structural problem went last.
    assert [p.line for p in found] == [1, 2, 3]
    assert [p.text.removeprefix(f"{path}:").split(":")[0] for p in found] == ["1", "2", "3"]


def test_a_broken_file_whose_path_holds_a_colon_keeps_its_line(tmp_path: Path):
    from wizard.answers.answers_file import check_file

    path = tmp_path / "site:b.yaml"
    path.write_text("venv_path: /opt/kolla-venv\nnetwork_interface: [enp1s0\n")
    [found] = check_file(path, guide_host())
    assert found.text.startswith(f"{path}:") and "broken YAML" in found.text
    assert found.line == int(found.text.removeprefix(f"{path}:").split(":")[0]) > 0


def test_values_in_file_messages_are_cut_at_40_characters_like_before():
    from wizard.answers.patterns import shown

    assert shown("x" * 38, 40) == repr("x" * 38)
    assert shown("x" * 39, 40) == repr("x" * 36)[:37] + "..." and len(shown("x" * 39, 40)) == 40
    assert shown("x" * 58) == repr("x" * 58) and len(shown("x" * 59)) == 60
