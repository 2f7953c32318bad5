"""Root-safe inputs (issue 12): nothing an answers file or a facts file carries can harm the host.

Bad answers files are data in ``tests/answers/bad/`` (each with its exact error); this module
holds the attacks that are not answers YAML (FIFOs, devices, huge facts files) and the checks
that need more than one line of expected output.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_wizard
from wizard.answers.patterns import check_interface, check_package_list, check_venv_path
from wizard.answers.questions import question

# --- item 7: apt's operators in debug_tools --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("openssh-server-", 'apt reads as "remove openssh-server"'),
        ("tcpdump+", 'apt reads as "install tcpdump"'),
        ("tcpdump=4.99.3-1", "not a Debian package name"),
        ("tcpdump/bookworm-backports", "not a Debian package name"),
        ("-tcpdump", "not a Debian package name"),
        ("--purge", "not a Debian package name"),
        ("openssh*", "not a Debian package name"),
        ("ssh-server^", "not a Debian package name"),
    ],
)
def test_a_package_name_apt_would_read_as_an_operator_is_refused(name: str, why: str):
    message = check_package_list(["tcpdump", name])
    assert message is not None and why in message


@pytest.mark.parametrize("name", ["g++", "libstdc++6", "python3.11", "tcpdump", "0ad", "nvidia-driver-bin"])
def test_real_package_names_pass(name: str):
    assert check_package_list([name]) is None


def _apt_simulate(names: list[str]) -> str:
    """``apt-get install -s -y -- NAMES`` as the debug-tools step would run it, simulated (no cache written)."""
    argv = ["apt-get", "-s", "-y", "-o", "Dir::Cache::pkgcache=", "-o", "Dir::Cache::srcpkgcache=", "install", "--"]
    proc = subprocess.run(
        [*argv, *names], capture_output=True, text=True, timeout=120, env={**os.environ, "LC_ALL": "C"}
    )
    return proc.stdout + proc.stderr


@pytest.mark.skipif(shutil.which("apt-get") is None, reason="needs apt-get (a Debian host)")
def test_apt_removes_for_a_trailing_minus_even_after_double_dash_so_validation_must_refuse_it():
    assert check_package_list(["coreutils-"]) is not None
    assert re.search(r"\b[1-9][0-9]* to remove", _apt_simulate(["coreutils-"]))  # what the refused name would do
    accepted = ["coreutils", "g++", "libstdc++6", "tcpdump"]
    assert check_package_list(accepted) is None
    assert "Remv" not in (out := _apt_simulate(accepted)) and not re.search(r"\b[1-9][0-9]* to remove", out)


def test_the_debug_tools_step_puts_double_dash_before_the_package_names():
    from tests.answers.conftest import guide_host
    from tests.support.guide import GUIDE_ANSWERS
    from wizard.answers.resolve import resolve_answers
    from wizard.pipeline.plan import build_plan

    facts = guide_host()
    plan = build_plan(resolve_answers(facts, {**GUIDE_ANSWERS, "debug_tools": ["tcpdump"]}).values, facts)
    argv = plan.step("debug-tools").commands[-1].argv
    assert argv[-2:] == ("--", "tcpdump") and argv[argv.index("install") + 1 : -1] == ("-y", "--")


# --- item 10: where the virtualenv may go ----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        *("/etc/ssh", "/root/.ssh", "/boot/efi", "/var/lib/docker", "/usr/local/bin", "/opt", "/srv/"),
        *("/home/x/venv", "/var/lib/aio-wizard", "/", "/tmp/venv", "/var/lib/aio-wizardx/venv", "/opt//etc"),
    ],
)
def test_venv_path_in_or_over_a_system_directory_is_refused(path: str):
    message = check_venv_path(path)
    assert message is not None
    assert "system directory" in message


@pytest.mark.parametrize(
    "path", ["/opt/kolla-venv", "/srv/kolla/venv", "/var/lib/aio-wizard/venv", "/data/kolla-venv", "/kolla-venv"]
)
def test_venv_path_of_its_own_passes(path: str):
    assert check_venv_path(path) is None


def test_venv_path_help_says_where_the_virtualenv_may_go():
    text = question("venv_path").help
    assert "/opt, /srv or /var/lib/aio-wizard" in text and "top-level" in text


# --- item 10: look-alike interface names ---------------------------------------------------------


def test_a_cyrillic_look_alike_interface_name_shows_both_code_points():
    message = check_interface("\u0435np1s0")
    assert message is not None
    assert "'еnp1s0' is not 'enp1s0'" in message
    assert "U+0435 CYRILLIC SMALL LETTER IE" in message and "U+0065 LATIN SMALL LETTER E" in message


@pytest.mark.parametrize("name", ["enp1s0\u200b", "\u200benp1s0", "enp\u200d1s0", "enp1s0\ufeff"])
def test_an_interface_name_with_an_invisible_character_names_it(name: str):
    message = check_interface(name)
    assert message is not None and "is not 'enp1s0'" in message and "invisible U+" in message


def test_a_non_ascii_name_that_looks_like_nothing_lists_its_code_points():
    message = check_interface("ŝŵ0")
    assert message is not None and "U+015D" in message and "U+0175" in message


# --- item 8: Jinja templating in an answers file ---------------------------------------------------

JINJA = [
    ("value", "extra_globals:\n  enable_cinder: \"{{ lookup('pipe', 'id') }}\"\n"),
    ("statement", 'extra_globals:\n  enable_cinder: "{% if true %}yes{% endif %}"\n'),
    ("comment", 'extra_globals:\n  enable_cinder: "no{# hidden #}"\n'),
    ("nested value", 'extra_globals:\n  nova_config:\n    opts: [a, "{{ x }}"]\n'),
    ("nested key", 'extra_globals:\n  nova_config: {"{{ x }}": 1}\n'),
]


@pytest.mark.parametrize(("what", "text"), JINJA, ids=[w for w, _ in JINJA])
def test_jinja_in_an_answers_file_is_refused_by_every_command_that_reads_one(
    what: str, text: str, tmp_path: Path, facts_file: Path
):
    answers = tmp_path / "answers.yaml"
    answers.write_text(text)
    for argv in (
        ["validate", str(answers)],
        ["plan", "--answers", str(answers)],
        ["export", "--answers", str(answers)],
    ):
        proc = run_wizard("--host-facts", str(facts_file), *argv)
        assert proc.returncode == 2, (argv, proc.stdout[-300:], proc.stderr)
        assert "Jinja templating" in proc.stderr and "--allow-templates" in proc.stderr
        assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_allow_templates_keeps_them_and_warns_what_it_means(tmp_path: Path, facts_file: Path):
    answers = tmp_path / "answers.yaml"
    answers.write_text(JINJA[0][1])
    proc = run_wizard("--host-facts", str(facts_file), "plan", "--allow-templates", "--answers", str(answers))
    assert proc.returncode == 0, proc.stderr
    assert "Ansible will evaluate it as root on this host" in proc.stderr
    assert "lookup('pipe', 'id')" in proc.stdout  # in the globals file the plan writes
    proc = run_wizard("--host-facts", str(facts_file), "validate", "--allow-templates", str(answers))
    assert proc.returncode == 0 and "warning: enable_cinder:" in proc.stderr and "(1 warning)" in proc.stdout


def test_templating_typed_in_the_wizard_is_the_operators_own_and_passes_validation():
    from tests.answers.conftest import guide_host
    from wizard.answers.validation import validate_field

    assert validate_field("extra_globals", {"enable_cinder": "{{ 'no' }}"}, {}, guide_host()) == []


# --- item 9: files that are not files, and values no file can hold ------------------------------

ATTACKS = Path(__file__).with_name("input_attacks.yaml")


def _attack_files(tmp_path: Path) -> dict[str, str]:
    """The non-YAML inputs of input_attacks.yaml, made in ``tmp_path`` (never /dev or /etc)."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (2 * 1024 * 1024) + b"{}")
    surrogate = tmp_path / "surrogate.json"
    surrogate.write_text('{"hostname": "a\\ud800"}')
    return {
        "FIFO": str(fifo),
        "DIR": str(tmp_path),
        "DEEP_JSON": str(deep),
        "BIG_JSON": str(big),
        "SURROGATE_JSON": str(surrogate),
        "DEV_ZERO": "/dev/zero",  # only read from, and only up to the size limit
    }


def _cases() -> list[dict]:
    return yaml.safe_load(ATTACKS.read_text())


@pytest.mark.parametrize("case", _cases(), ids=[c["name"] for c in _cases()])
def test_an_input_that_is_not_a_file_or_not_text_is_one_line_and_exit_2(case: dict, tmp_path: Path, facts_file: Path):
    files = _attack_files(tmp_path)
    argv = [files.get(a, a).replace("FACTS", str(facts_file)) for a in case["argv"]]
    proc = run_wizard(*argv, "--state-dir", str(tmp_path / "state"), timeout=20)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert case["error"] in lines[0] and "Traceback" not in proc.stderr
    assert len(lines) <= 2  # validate adds "FILE: 1 error"
    assert not (tmp_path / "state").exists()  # changes nothing


@pytest.fixture(scope="module")
def facts_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.answers.conftest import guide_host

    path = tmp_path_factory.mktemp("facts") / "guide-host.json"
    path.write_text(guide_host().to_json())
    return path


@pytest.mark.parametrize(
    "bad", ["range_null", "range_written_a_dash_b", "range_missing_end", "extra_globals_lone_surrogate"]
)
def test_plan_refuses_a_value_it_cannot_build_a_plan_from_in_one_line(bad: str, facts_file: Path):
    case = Path(__file__).parents[1] / "answers" / "bad" / f"{bad}.yaml"
    proc = run_wizard("--host-facts", str(facts_file), "plan", "--answers", str(case))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith(f"aio-wizard: {case}:")


@pytest.mark.parametrize("command", [[], ["validate"], ["export"], ["plan"], ["run"]])
def test_every_command_that_reads_an_answers_file_offers_allow_templates(command: list[str]):
    proc = run_wizard(*command, "--help")
    assert proc.returncode == 0 and "--allow-templates" in proc.stdout and "as root" in " ".join(proc.stdout.split())


@pytest.mark.parametrize("value", [{"x": "no\ud800"}, {"x": {"\udcff": 1}}, {"x": ["\ud83d"]}])
def test_a_lone_surrogate_typed_into_extra_globals_is_refused(value: dict):
    from tests.answers.conftest import guide_host
    from wizard.answers.validation import validate_field

    [problem] = validate_field("extra_globals", value, {}, guide_host())
    assert "surrogate" in problem.message or "not plain text" in problem.message
