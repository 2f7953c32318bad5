"""Screen 2: detected defaults with reasons, live validation, Next refusing bad input, NIC picking, help."""

from __future__ import annotations

from .conftest import SIZE, screen_name, screen_text, wait_for


async def _questions(pilot):
    app = pilot.app
    await pilot.pause()
    await pilot.press("n")
    await wait_for(pilot, lambda: screen_name(app) == "QuestionsScreen")
    return app.screen


async def _type(pilot, field, text: str) -> None:
    """Replace the field's text as if typed (the same Changed path; pilot keystrokes cost ~80 ms each)."""
    field.editor.focus()
    field.editor.value = text
    await pilot.pause()


async def test_fields_are_prefilled_with_detected_defaults_and_their_reasons(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _questions(pilot)
        assert screen.field("network_interface").value() == "enp1s0"
        assert screen.field("kolla_internal_vip_address").value() == "10.1.1.88"
        assert screen.field("neutron_external_interface").value() == "enx00051bb122ed"
        assert screen.field("ext_net_range").value() == {"start": "10.1.1.210", "end": "10.1.1.240"}
        assert screen.field("nova_compute_virt_type").value() == "kvm"
        text = screen_text(app)
        assert "detected: the newest release for Debian 12 on aarch64" in text
        screen.field("network_interface").scroll_visible(animate=False, top=True)
        await pilot.pause()
        assert "detected: interface of the default route via 10.1.1.1" in screen_text(app)


async def test_a_malformed_value_is_flagged_under_the_field_as_it_is_typed(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _questions(pilot)
        vip = screen.field("kolla_internal_vip_address")
        vip.editor.focus()
        await pilot.press("backspace", "backspace")  # real keys: 10.1.1.88 -> 10.1.1.
        assert vip.has_class("-invalid")
        vip.scroll_visible(animate=False)
        await pilot.pause()
        assert "10.1.1." in screen_text(app)


async def test_next_refuses_an_invalid_vip_and_focuses_it_then_accepts_the_fix(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _questions(pilot)
        vip = screen.field("kolla_internal_vip_address")
        await _type(pilot, vip, "10.9.9.9")
        screen.field("openstack_release").editor.focus()
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert screen_name(app) == "QuestionsScreen"
        assert vip.has_class("-invalid")
        assert app.focused is vip.editor
        assert "to fix before going on" in screen_text(app)
        await _type(pilot, vip, "10.1.1.88")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen_name(app) == "ReviewScreen")
        assert app.session.values["kolla_internal_vip_address"] == "10.1.1.88"


async def test_another_management_nic_moves_the_defaults_that_follow_it(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _questions(pilot)
        await _type(pilot, screen.field("network_interface"), "docker0")
        assert screen.field("kolla_internal_vip_address").value() == "172.17.0.1"
        assert screen.field("ext_net_cidr").value() == "172.17.0.0/16"
        assert not screen.field("kolla_internal_vip_address").edited


async def test_a_value_the_user_typed_is_not_overwritten_by_a_new_default(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _questions(pilot)
        await _type(pilot, screen.field("ext_net_cidr"), "10.1.0.0/16")
        await _type(pilot, screen.field("network_interface"), "docker0")
        assert screen.field("ext_net_cidr").value() == "10.1.0.0/16"


async def test_f4_picks_an_interface_from_the_detected_nics(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _questions(pilot)
        field = screen.field("neutron_external_interface")
        field.editor.focus()
        await pilot.press("f4")
        await wait_for(pilot, lambda: screen_name(app) == "NicPicker")
        text = screen_text(app)
        assert "enp1s0  up  physical  10.1.1.88/24" in text
        assert "docker0  down  docker" in text
        await pilot.press("home", "enter")  # the first NIC in the list
        await wait_for(pilot, lambda: screen_name(app) == "QuestionsScreen")
        assert field.value() == "enp1s0"
        assert field.edited


async def test_f1_shows_the_focused_questions_help(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _questions(pilot)
        screen.field("kolla_internal_vip_address").editor.focus()
        await pilot.press("f1")
        await wait_for(pilot, lambda: screen_name(app) == "TextScreen")
        text = screen_text(app)
        assert "The address the APIs are reached at" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "QuestionsScreen")


async def test_question_mark_is_typed_in_a_text_field_and_opens_help_elsewhere_f1_always(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _questions(pilot)
        vip = screen.field("kolla_internal_vip_address").editor
        vip.focus()
        await pilot.pause()
        assert "f1 Help" in screen_text(app).splitlines()[-1]  # the footer says how to get help
        await pilot.press("question_mark")  # a password may hold a ?: it is typed
        await pilot.pause()
        assert screen_name(app) == "QuestionsScreen"
        assert vip.value.endswith("?")
        await pilot.press("f1")  # F1 from inside a text field
        await wait_for(pilot, lambda: screen_name(app) == "TextScreen")
        assert "The address the APIs are reached at" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "QuestionsScreen")
        release = screen.field("openstack_release").editor  # a choice: ? is no answer, it opens help
        release.focus()
        await pilot.pause()
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: screen_name(app) == "TextScreen")
        text = screen_text(app)
        assert "OpenStack release to install" in text
        assert "f1 / ?" in text  # the keys of the screen, listed under the question's help


async def test_advanced_questions_appear_on_f3(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _questions(pilot)
        registry = screen.field("docker_registry")
        assert not registry.display
        await pilot.press("f3")
        assert registry.display


async def test_escape_goes_back_to_the_host(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _questions(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "HostScreen")


async def test_editing_an_earlier_answer_keeps_the_defaults_that_follow_a_later_typed_one(make_app):
    """A typed CIDR stays the base of the gateway and range after the VIP (earlier in the catalog) is edited."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _questions(pilot)
        await _type(pilot, screen.field("ext_net_cidr"), "192.168.50.0/24")
        assert screen.field("ext_net_gateway").value() == "192.168.50.1"
        await _type(pilot, screen.field("kolla_internal_vip_address"), "10.1.1.89")
        assert screen.field("ext_net_cidr").value() == "192.168.50.0/24"
        assert screen.field("ext_net_gateway").value() == "192.168.50.1"
        assert screen.field("ext_net_range").value() == {"start": "192.168.50.210", "end": "192.168.50.240"}
        assert screen.field("ext_net_gateway").description.startswith("detected: the first address of 192.168.50")


async def test_an_untouched_answers_file_value_keeps_its_origin_after_an_edit(make_app, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("venv_path: /srv/kolla-venv\n")
    app = make_app(answers=str(answers))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _questions(pilot)
        venv = screen.field("venv_path")
        assert venv.description == "from the answers file"
        await _type(pilot, screen.field("ext_net_cidr"), "192.168.50.0/24")
        assert venv.value() == "/srv/kolla-venv"
        assert venv.description == "from the answers file"
        assert not venv.edited
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen_name(app) == "ReviewScreen")
        assert app.session.answers.origins()["venv_path"] == "from the answers file"
        assert app.session.answers.origins()["ext_net_cidr"] == "answered in the wizard"


async def test_typing_does_not_read_the_journal_again(make_app, monkeypatch):
    from wizard.pipeline.journal import Journal

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _questions(pilot)
        loads: list[object] = []
        real = Journal.load.__func__
        monkeypatch.setattr(Journal, "load", classmethod(lambda cls, d: loads.append(d) or real(cls, d)))
        await _type(pilot, screen.field("ext_net_cidr"), "192.168.50.0/24")
        await _type(pilot, screen.field("kolla_internal_vip_address"), "10.1.1.89")
        assert loads == []


async def test_turning_haproxy_on_flags_the_vip_at_once_under_the_vip(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _questions(pilot)
        haproxy, vip = screen.field("enable_haproxy"), screen.field("kolla_internal_vip_address")
        await _type(pilot, vip, "10.1.1.8")
        await _type(pilot, vip, "10.1.1.88")  # typed back: it stays the host's address
        haproxy.editor.focus()
        haproxy.editor.value = "yes"
        await pilot.pause()
        assert "with enable_haproxy" in (vip.error or "")
        assert not haproxy.error


async def test_a_range_holding_the_vip_is_flagged_live_with_an_example_in_the_fields_syntax(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _questions(pilot)
        rng = screen.field("ext_net_range")
        await _type(pilot, rng, "10.1.1.80 - 10.1.1.90")
        assert "holds the VIP 10.1.1.88" in (rng.error or "")
        assert "e.g. 10.1.1.210 - 10.1.1.240" in rng.error
        assert "{start:" not in rng.error


async def test_the_count_of_answers_to_fix_follows_the_fixes(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _questions(pilot)
        vip = screen.field("kolla_internal_vip_address")
        await _type(pilot, vip, "10.9.9.9")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert "1 answer to fix" in screen_text(app)
        await _type(pilot, vip, "10.1.1.88")
        assert "to fix" not in screen_text(app)


async def test_an_error_under_a_field_is_in_reverse_video_so_it_stands_out_without_colour(make_app):
    from textual.widgets import Static

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _questions(pilot)
        vip = screen.field("kolla_internal_vip_address")
        await _type(pilot, vip, "10.9.9.9")
        strip = vip.query_one(".message", Static).render_line(0)
        drawn = [seg for seg in strip if seg.text.strip()]
        assert drawn and all(seg.style.reverse and seg.style.bold for seg in drawn)


async def test_an_answers_file_from_another_host_opens_the_form_with_its_nic_flagged(make_app, tmp_path):
    answers = tmp_path / "other-host.yaml"
    answers.write_text("network_interface: eth9\n")
    app = make_app(answers=str(answers))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _questions(pilot)
        nic = screen.field("network_interface")
        assert nic.value() == "eth9"
        assert "eth9 does not exist on this host" in (nic.error or "")
        assert app.focused is nic.editor
