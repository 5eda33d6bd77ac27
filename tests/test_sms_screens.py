"""The SMS program at 80x24 by keyboard alone (Pilot), against a real HTTP SMS service on loopback:
typed numbers and customers, the live count, the confirmation, progress and outcomes, a batch
stopped by a hanging service and offered again, Esc asking before a message is discarded."""

from __future__ import annotations

import pytest
from textual.widgets import TextArea

from pupetui import config, db, i18n
from pupetui.app import PupetuiApp
from pupetui.models import Activity, Company, CompanyParameters, Contact, Customer, Permission, User
from pupetui.screens.menu import MenuScreen
from pupetui.screens.sms import SmsScreen, SmsSendScreen
from pupetui.services import auth, sms_batch
from pupetui.widgets.confirm import ConfirmScreen
from pupetui.widgets.customer_selection import CustomerSelection
from test_app import screen_text
from test_reminder_screens import english, shows, type_text, wait_for  # noqa: F401  (english: autouse)

SIZE = (80, 24)


@pytest.fixture
def url(sqlite_url):
    d = db.connect(sqlite_url)
    with db.session("acme", "setup"):
        Company.create(name="Acme Oy")
        CompanyParameters.create()
        User.create(login="matti", name="Matti Myyjä")
        Permission.create(login="matti", script="crm/tekstiviestit.php")
        a = Customer.create(name="Aalto [b]Oy[/b]", city="Tampere", mobile="040 111 1111", business_id="1111111-1")
        Customer.create(name="Berg Ky", city="Turku", mobile="040 222 2222")
        Customer.create(name="Carlsson AB", city="Tampere", phone="09 123 4567")
        Contact.create(kind="A", customer_id=a.id, name="Ville Aalto", mobile="044 333 3333")
    yield sqlite_url
    db.end_session()
    if not d.is_closed():
        d.close()


def app_for(url: str, service=None, **sms) -> PupetuiApp:
    auth.login("acme", "matti", None, mode="none")
    settings_sms = {"url": service.url, "user": "acme", "password": "salainen", "timeout": 1} if service else {}
    settings_sms.update(sms)
    settings = config.Settings(db=url, company="", user="matti", lang="", auth="none", theme="ansi", sms=settings_sms)
    return PupetuiApp(settings, company="acme")


async def open_sms(pilot) -> SmsScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, MenuScreen) and app.screen.info is not None)
    await pilot.press("s")
    await wait_for(pilot, lambda: isinstance(app.screen, SmsScreen))
    await pilot.pause()
    return app.screen


async def type_lines(pilot, *lines: str) -> None:
    """Typed into the focused text area, one a line, as a user types them."""
    for i, line in enumerate(lines):
        if i:
            await pilot.press("enter")
        await type_text(pilot, line)


def memos() -> list[str]:
    with db.session("acme", "matti"):
        return [a.text for a in Activity.select().where(Activity.kind == "Memo").order_by(Activity.id)]


async def test_typed_numbers_live_count_confirmation_and_outcomes(url, sms_service):
    sms_service.script = ["0", "9 Numero suljettu"]
    app = app_for(url, sms_service)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_sms(pilot)
        await shows(pilot, "Recipients:", "[F3 Typed numbers]", "F4 Customers", "F5 Their contacts")
        await type_lines(pilot, "040 123 4567", "0401234567", "050 765 4321", "09 123")
        await shows(pilot, "2 number(s) · 1 typed twice (sent once) · invalid, skipped: 09 123")
        await pilot.press("f6")
        await type_text(pilot, "Hei")
        await shows(pilot, "3/160 characters · GSM-7 · 1 SMS")
        screen.query_one("#sms-text", TextArea).insert("[red]x" * 30)  # 183 characters
        await shows(pilot, "183/160 characters · GSM-7 · 2 SMS · too long: at most 160 characters")
        await pilot.press("ctrl+s")
        await shows(pilot, "The message is 183 characters, at most 160.")
        assert sms_service.requests == []
        screen.query_one("#sms-text", TextArea).text = "Hei [b]kaikki[/b]"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        text = await shows(pilot, "Send the message to 2 recipient(s)? That is 2 SMS (1 each, GSM-7).",
                           "2 skipped:", "09 123: not a valid phone number")
        assert "the same number is already among the recipients" in text
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, SmsSendScreen) and not app.screen.running
                       and app.screen.batch is not None and app.screen.rows
                       and all(r.state not in ("pending", "sending") for r in app.screen.rows.values()))
        text = await shows(pilot, "sent +358401234567", "refused +358507654321", "9 Numero suljettu",
                           "skipped 09 123", "Closed 1 sent · 1 refused · 2 skipped", "The batch is done.")
        assert [r["viesti"] for r in sms_service.requests] == ["Hei [b]kaikki[/b]"] * 2
        assert memos() == []
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SmsScreen))
        await pilot.press("escape")  # a typed message: asks first
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await shows(pilot, "Discard the message?")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.query_one("#sms-text", TextArea).text == "Hei [b]kaikki[/b]"
        await pilot.press("escape", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, MenuScreen))


async def test_customers_and_contacts_with_memos(url, sms_service):
    app = app_for(url, sms_service)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_sms(pilot)
        await pilot.press("f4")
        await shows(pilot, "[F4 Customers]", "Aalto [b]Oy[/b]", "3 of 3 ticked")
        widget = screen.query_one("#sms-selection", CustomerSelection)
        await pilot.press("down", "space")  # untick Berg Ky
        await shows(pilot, "2 of 3 ticked")
        await pilot.press("f6")
        await type_text(pilot, "Tarjous")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await shows(pilot, "Send the message to 1 recipient(s)?", "1 skipped:", "Carlsson AB: not a mobile number")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, SmsSendScreen) and app.screen.batch is not None
                       and app.screen.batch.closed)
        await shows(pilot, "sent +358401111111 Aalto [b]Oy[/b]")
        assert [r["numero"] for r in sms_service.requests] == ["+358401111111"]
        assert memos() == ["Tekstiviesti +358401111111: Tarjous"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("f5")  # the contacts of the same ticked customers
        await shows(pilot, "[F5 Their contacts]")
        assert widget.ticked_count == 2
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await shows(pilot, "Send the message to 1 recipient(s)?", "Carlsson AB (no contacts)")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, SmsSendScreen) and app.screen.batch is not None
                       and app.screen.batch.closed)
        await shows(pilot, "sent +358443333333 Ville Aalto / Aalto [b]Oy[/b]")
        with db.session("acme", "matti"):
            memo = Activity.select().where(Activity.kind == "Memo").order_by(Activity.id.desc()).first()
            assert memo.contact_id == Contact.get(Contact.name == "Ville Aalto").id


async def test_a_hanging_service_leaves_an_unknown_one_and_the_batch_is_offered_again(url, sms_service):
    sms_service.script = ["0", sms_service.HANG]
    sms_service.hang_seconds = 2
    app = app_for(url, sms_service)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_sms(pilot)
        await type_lines(pilot, "0401111111", "0402222222", "0403333333")
        await pilot.press("f6")
        await type_text(pilot, "Muistutus")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, SmsSendScreen) and app.screen.batch is not None
                       and not app.screen.running and app.screen.counts().get("unknown"), timeout=15)
        await shows(pilot, "unknown +358402222222", "waiting +358403333333",
                    "1 not sent: r sends them. 1 unknown: u resends, c leaves them.",
                    "The SMS service did not answer in 1 s: it is not known whether the message went out.")
        await pilot.press("escape", "escape", "y")  # back to the menu, the message discarded
        await wait_for(pilot, lambda: isinstance(app.screen, MenuScreen))
        await pilot.press("s")  # the program again: the unfinished batch is offered
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await shows(pilot, "is unfinished: 1 not sent, 1 unknown. Open it?", "Message: Muistutus")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, SmsSendScreen) and app.screen.batch is not None)
        await pilot.press("r")  # the rest, never the unknown one
        await wait_for(pilot, lambda: app.screen.counts().get("sent") == 2 and not app.screen.running)
        assert [r["numero"] for r in sms_service.requests] == ["+358401111111", "+358402222222", "+358403333333"]
        await pilot.press("u")  # the user decides to resend the unknown one, after a question
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await shows(pilot, "may get the message twice")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, SmsSendScreen) and app.screen.batch.closed)
        await shows(pilot, "Closed 3 sent", "The batch is done.")
        assert [r["numero"] for r in sms_service.requests][3:] == ["+358402222222"]
    with db.session("acme", "matti"):
        assert sms_batch.unfinished() == []


async def test_no_valid_number_or_not_configured_says_so_and_sends_nothing(url):
    app = app_for(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_sms(pilot)
        await type_text(pilot, "123")
        await pilot.press("f6")
        await type_text(pilot, "Hei")
        await pilot.press("ctrl+s")
        await shows(pilot, "No recipient has a valid mobile number: nothing to send. 123: not a valid phone number")
        screen.query_one("#sms-numbers", TextArea).text = "0401111111"
        await pilot.press("ctrl+s")
        await shows(pilot, "SMS is not configured")
        assert isinstance(app.screen, SmsScreen)
    with db.session("acme", "matti"):
        assert sms_batch.unfinished() == []


async def test_finnish(url, sms_service):
    i18n.set_language("fi")
    app = app_for(url, sms_service)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_sms(pilot)
        await type_text(pilot, "0401111111")
        await pilot.press("f6")
        await type_text(pilot, "Hyvää päivää")
        await shows(pilot, "Vastaanottajat:", "12/160 merkkiä · GSM-7 · 1 SMS", "1 numero(a)")


async def test_s_stops_after_the_current_message_and_esc_while_sending_asks(url, sms_service):
    sms_service.delay = 0.6  # each message takes a moment
    app = app_for(url, sms_service)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_sms(pilot)
        await type_lines(pilot, "0401111111", "0402222222", "0403333333")
        await pilot.press("f6")
        await type_text(pilot, "Hei")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, SmsSendScreen) and app.screen.running)
        send_screen = app.screen
        await shows(pilot, "s stops after the current message.")
        await pilot.press("escape")  # while sending: asks whether to stop
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await shows(pilot, "Stop sending?")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is send_screen)
        await pilot.press("s")
        await wait_for(pilot, lambda: not send_screen.running, timeout=15)
        counts = send_screen.counts()
        assert counts.get("sent", 0) < 3 and counts.get("pending", 0) >= 1
        assert len(sms_service.requests) == counts["sent"]
        await shows(pilot, "not sent: r sends them.")
        sms_service.delay = 0
        await pilot.press("r")
        await wait_for(pilot, lambda: send_screen.batch is not None and send_screen.batch.closed)
        assert sorted(r["numero"] for r in sms_service.requests) == ["+358401111111", "+358402222222", "+358403333333"]


async def test_the_footer_keeps_send_and_message_beside_the_customer_keys_in_finnish(url, sms_service):
    """Customers as recipients (F4), in Finnish at 80x24: the selection's keys and the screen's
    own share the footer, and Send and Message stay on it; F3-F5 are on the recipients' line."""
    i18n.set_language("fi")
    app = app_for(url, sms_service)
    async with app.run_test(size=SIZE) as pilot:
        await open_sms(pilot)
        await pilot.press("f4")
        await shows(pilot, "[F4 Asiakkaat]", "rastitettu")
        text = screen_text(app)
        footer = text.splitlines()[-1]
        for key in ("f Rajaa", "f6 Viesti", "^s Lähetä", "f1 Ohje"):
            assert key in footer, footer
        assert "F3 Kirjoitetut numerot" in text and "F5 Yhteyshenkilöt" in text


async def test_a_batch_footer_offers_only_the_keys_that_apply_in_finnish(url):
    """The SMS service is down, in Finnish at 80x24: the failed batch's footer offers Send the
    rest and Close batch (not Stop nor Resend unknown, which do nothing now), all of them on
    the line; once closed, only Back."""
    from types import SimpleNamespace

    from servers import free_port

    i18n.set_language("fi")
    down = SimpleNamespace(url=f"http://127.0.0.1:{free_port()}/sms/send")  # nothing listens there
    app = app_for(url, down)
    async with app.run_test(size=SIZE) as pilot:
        await open_sms(pilot)
        await type_text(pilot, "0401111111")
        await pilot.press("f6")
        await type_text(pilot, "Hei")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, SmsSendScreen))
        await shows(pilot, "1 lähettämättä: r lähettää ne.")
        footer = screen_text(app).splitlines()[-1]
        assert "r Lähetä loput" in footer and "c Sulje erä" in footer, footer
        assert "Pysäytä" not in footer and "epävarmat" not in footer, footer
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("k")
        await shows(pilot, "Erä on valmis.")
        footer = screen_text(app).splitlines()[-1]
        assert "esc Takaisin" in footer and "Lähetä loput" not in footer and "Sulje erä" not in footer, footer


async def test_a_customer_without_contacts_is_named_in_finnish(url, sms_service):
    """Contacts as recipients (F5) in Finnish: a customer without contacts is skipped, and the
    confirmation says so in Finnish, not with the English "(no contacts)"."""
    i18n.set_language("fi")
    app = app_for(url, sms_service)
    async with app.run_test(size=SIZE) as pilot:
        await open_sms(pilot)
        await pilot.press("f5")
        await shows(pilot, "[F5 Yhteyshenkilöt]", "3/3 rastitettu")
        await pilot.press("f6")
        await type_text(pilot, "Tarjous")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        text = await shows(pilot, "Carlsson AB (ei yhteyshenkilöitä): ei matkapuhelinnumeroa")
        assert "no contacts" not in text
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, SmsSendScreen) and app.screen.batch is not None
                       and app.screen.batch.closed)
        text = await shows(pilot, "ohitettu - Carlsson AB (ei")  # the column is narrower than the name
        assert "no contacts" not in text
