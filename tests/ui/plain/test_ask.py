"""The question loop and the line prompts, driven by a scripted operator (no terminal needed)."""

from __future__ import annotations

import re

import pytest

from tests.support.guide import GUIDE_HOST_FILE
from tests.ui.plain.conftest import ScriptedPrompter
from wizard.answers.questions import question
from wizard.answers.session import AnswerSession as Session
from wizard.host.facts import HostFacts
from wizard.ui.plain.ask import ask_all, ask_one, from_text, to_text
from wizard.ui.plain.prompter import LinePrompter, Option, questionary_usable


def test_values_round_trip_through_what_the_operator_types():
    assert from_text("range", to_text("range", {"start": "10.1.1.210", "end": "10.1.1.240"})) == {
        "start": "10.1.1.210",
        "end": "10.1.1.240",
    }
    assert from_text("list", to_text("list", ["git", "curl"])) == ["git", "curl"]
    assert from_text("list", to_text("list", [])) == []
    assert from_text("mapping", to_text("mapping", {"enable_cinder": "no"})) == {"enable_cinder": "no"}
    assert from_text("mapping", "-") == {}
    assert from_text("range", "start=10.1.1.2,end=10.1.1.9") == "start=10.1.1.2,end=10.1.1.9"


def test_a_range_without_two_addresses_is_refused_with_an_example():
    with pytest.raises(ValueError, match=re.escape("e.g. 10.1.1.210 - 10.1.1.240")):
        from_text("range", "10.1.1.210")


def test_an_invalid_typed_answer_is_asked_again_with_the_catalog_message(facts):
    session = Session(facts)
    prompter = ScriptedPrompter(["10.1.1.300", "10.1.1.77", "10.1.1.88"])
    value = ask_one(prompter, session, question("kolla_internal_vip_address"))
    assert value == "10.1.1.88"
    problems = [s for s in prompter.shown if s.startswith("! ")]
    assert "is not an IPv4 address" in problems[0]
    assert "must be the host's address on enp1s0" in problems[1]


def test_a_chosen_interface_that_fails_a_rule_is_asked_again(facts):
    session = Session(facts)
    prompter = ScriptedPrompter(["enp1s0", "enx00051bb122ed"])  # the management NIC first: refused
    assert ask_one(prompter, session, question("neutron_external_interface")) == "enx00051bb122ed"
    assert any("br-ex needs a second NIC" in s for s in prompter.shown)


def test_a_warning_is_confirmed_or_asked_again(facts):
    no_kvm = HostFacts.load(GUIDE_HOST_FILE)
    from dataclasses import replace

    from wizard.host.facts import Virtualization

    no_kvm = replace(no_kvm, virt=Virtualization(False, "/dev/kvm missing"))
    prompter = ScriptedPrompter(["kvm", False, "qemu"])
    assert ask_one(prompter, Session(no_kvm), question("nova_compute_virt_type")) == "qemu"
    assert any("KVM IS NOT USABLE" in s for s in prompter.shown)


def test_later_defaults_follow_an_earlier_answer(facts):
    """Answer "yes" to haproxy and the VIP default moves off the host's own address."""
    session = Session(facts)
    session.typed["enable_haproxy"] = "yes"
    assert session.values()["kolla_internal_vip_address"] != "10.1.1.88"


def test_every_default_question_is_asked_once_in_catalog_order(facts):
    session = Session(facts)
    prompter = ScriptedPrompter([None] * 40)
    ask_all(prompter, session)
    assert prompter.asked[0] == "OpenStack release to install"
    assert "kolla-ansible git branch or tag" not in prompter.asked  # only with the git source
    assert len(prompter.asked) == len(set(prompter.asked))
    assert session.values()["neutron_external_interface"] == "enx00051bb122ed"
    assert session.origins()["venv_path"].startswith("default:")


def test_line_prompts_number_the_choices_and_refuse_a_wrong_number():
    typed = iter(["9", "2"])
    shown: list[str] = []
    prompter = LinePrompter(read=lambda prompt: next(typed), write=shown.append)
    options = [Option("kvm", "kvm: hardware"), Option("qemu", "qemu: emulation")]
    assert prompter.select("Hypervisor", options, default="kvm") == "qemu"
    assert " * 1) kvm: hardware" in shown
    assert "  ! choose 1 to 2" in shown


def test_a_choice_without_a_detected_default_is_never_taken_by_enter_alone():
    """No NIC qualified for br-ex: Enter must not pick the first one listed (a down ifb0) unseen."""
    typed = iter(["", "3"])
    prompts: list[str] = []
    shown: list[str] = []
    prompter = LinePrompter(read=lambda prompt: prompts.append(prompt) or next(typed), write=shown.append)
    options = [Option("ifb0", "ifb0 down"), Option("ifb1", "ifb1 down"), Option("eth1", "eth1 up")]
    assert prompter.select("External interface", options, default=None) == "eth1"
    assert prompts[0] == "Number or name: "
    assert "  ! choose 1 to 3 (there is no default)" in shown


def test_line_prompts_treat_end_of_input_as_an_interrupt():
    def closed(prompt: str) -> str:
        raise EOFError

    with pytest.raises(KeyboardInterrupt):
        LinePrompter(read=closed, write=lambda s: None).confirm("Go?")


def test_questionary_is_not_used_on_a_dumb_terminal_or_without_a_tty():
    class Tty:
        def isatty(self) -> bool:
            return True

    assert questionary_usable({"TERM": "linux"}, Tty(), Tty())
    assert not questionary_usable({"TERM": "dumb"}, Tty(), Tty())
    assert not questionary_usable({}, Tty(), Tty())
    with open("/dev/null") as not_a_tty:
        assert not questionary_usable({"TERM": "linux"}, not_a_tty, Tty())
