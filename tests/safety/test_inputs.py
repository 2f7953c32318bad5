"""Root-safe inputs (issue 12): nothing an answers file or a facts file carries can harm the host.

Bad answers files are data in ``tests/answers/bad/`` (each with its exact error); this module
holds the attacks that are not answers YAML (FIFOs, devices, huge facts files) and the checks
that need more than one line of expected output.
"""

from __future__ import annotations

import pytest

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
