"""The customer memo screen at 80x24, driven like a user would, checked on screen and through
the services (what was written is what Pupesoft would have written)."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
import time
from dataclasses import dataclass
from decimal import Decimal

import pytest
from rich.console import Console
from textual.widgets import ContentSwitcher, Input, OptionList, Select, TextArea

from legacy import legacy_update
from pupetui import config, db, i18n
from pupetui.app import PupetuiApp
from pupetui.models import (
    Activity, Company, CompanyParameters, Contact, Customer, CustomerDiscount, CustomerPrice, Invoice, Keyword,
    Permission, User,
)
from pupetui.screens.help import HelpScreen
from pupetui.screens.memo import MemoScreen, RowList
from pupetui.screens.memo_forms import (
    AcknowledgeScreen, ChoiceScreen, ConfirmScreen, ContactFormScreen, EditEntryScreen, EntryFormScreen, TextViewScreen,
)
from pupetui.services import auth, memo, memo_view
from pupetui.services.programs import MAINTENANCES, PROGRAMS
from pupetui.widgets.key_bar import KeyBar
from pupetui.widgets.memo_header import MemoHeader
from pupetui.widgets.tab_bar import TabBar

SIZE = (80, 24)
NASTY = "[bold]x[/bold] \x1b[31m"  # (a backslash Pupesoft's input rule removes: see the header test)
NASTY_SHOWN = "[bold]x[/bold] [31m"


# -- the database ---------------------------------------------------------------------------------


@dataclass
class Seeded:
    customer: int
    liisa: int
    kalle: int
    first_memo: int
    reply: int
    reminder: int
    pekka_memo: int


def seed(url: str, *, customer_name: str = "Virtanen Oy", memo_text: str = "Soitettu, tarjous lähtee") -> Seeded:
    """Users, KALETAPA and ASIAKASTILA keywords, a customer with contacts, discounts, prices,
    invoices of 24 months, memo entries (a thread, a reminder, someone else's) and a visit."""
    d = db.connect(url)
    today = dt.date.today()
    with db.session("acme", "setup"):
        Company.create(name="Acme Oy")
        CompanyParameters.create()
        User.create(login="matti", name="Matti Myyjä", password_md5=auth.md5_hex("salainen"))
        User.create(login="pekka", name="Pekka Pomo", position="MP")
        User.create(login="vanha", name="Vanha Väistynyt", active=0)
        for program in PROGRAMS:
            Permission.create(login="matti", script=program.script, subname="")
        for program in MAINTENANCES:  # Pupesoft's maintenances, with the update flag
            Permission.create(login="matti", script=program.script, subname=program.subnames[0], may_update="1")
        for kind, value, text in (
            ("KALETAPA", "1", "Puhelu"), ("KALETAPA", "2", "Käynti asiakkaalla"),
            ("ASIAKASTILA", "A", "Aktiivinen"), ("ASIAKASTILA", "E", "Ei aktiivinen"),
        ):
            Keyword.create(kind=kind, value=value, text=text)
        customer = Customer.create(
            name=customer_name, business_id="1234567-1", address="Katu 1", postcode="00100", city="Helsinki",
            country="FI", delivery_name="Varasto", delivery_address="Tie 2", delivery_postcode="02100",
            delivery_city="Espoo", facts="Soita aamulla", status="A", phone="09 111", mobile="040 222",
            email="info@virtanen.fi", customer_group="A",
        )
        liisa = Contact.create(customer_id=customer.id, name="Liisa Laine", title="Ostopäällikkö", phone="09 123",
                               mobile="040 1", email="liisa@virtanen.fi")
        kalle = Contact.create(customer_id=customer.id, name="Kalle Koski", phone="09 555")
        CustomerDiscount.create(customer_id=customer.id, product_no="P1", percent=Decimal("10"))
        CustomerDiscount.create(customer_group="A", discount_group="X", percent=Decimal("3"))
        CustomerDiscount.create(customer_id=customer.id, discount_group="OLD", percent=Decimal("5"),
                                valid_to=dt.date(2020, 1, 1))
        CustomerPrice.create(customer_id=customer.id, product_no="P1", price=Decimal("12.50"), currency="EUR")
        for back in range(24):
            index = today.year * 12 + today.month - 1 - back
            day = dt.date(index // 12, index % 12 + 1, 1)
            Invoice.create(state="L", substate="X", customer_id=customer.id, invoice_date=day,
                           net=Decimal(1000 + 100 * back), margin=Decimal(250))
    common = dict(customer_id=customer.id, business_id="1234567-1")
    with db.session("acme", "matti"):
        first = Activity.create(kind="Memo", text=memo_text, method="Puhelu", owner="matti", contact_id=liisa.id,
                                starts_at=dt.datetime(2026, 1, 5, 10, 0), **common)
        reply = Activity.create(kind="Memo", text="Tarjous hyväksytty", owner="matti", parent_id=first.id,
                                starts_at=dt.datetime(2026, 1, 6, 10, 0), **common)
        reminder = Activity.create(kind="Muistutus", text="Soita takaisin", owner="matti", acknowledgement="K",
                                   starts_at=dt.datetime(2026, 2, 1, 9, 0), ends_at=dt.datetime(2026, 2, 1, 9, 30),
                                   **common)
        Activity.create(kind="kalenteri", text="Asiakaskäynti", method="Käynti asiakkaalla", owner="matti",
                        starts_at=dt.datetime.combine(today, dt.time(13, 0)),
                        ends_at=dt.datetime.combine(today, dt.time(14, 0)), customer_id=customer.id)
    with db.session("acme", "pekka"):
        pekka = Activity.create(kind="Memo", text="Pekan merkintä", owner="pekka",
                                starts_at=dt.datetime(2026, 1, 7, 10, 0), **common)
    d.close()
    return Seeded(customer.id, liisa.id, kalle.id, first.id, reply.id, reminder.id, pekka.id)


@pytest.fixture
def url(sqlite_url):
    d = db.connect(sqlite_url)
    yield sqlite_url
    db.end_session()
    if not d.is_closed():
        d.close()


@pytest.fixture(autouse=True)
def english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def logged_in_app(url: str, user: str = "matti") -> PupetuiApp:
    """What `pupetui --auth none` does: the CLI logs in, then starts the app."""
    auth.login("acme", user, None, mode="none")
    settings = config.Settings(db=url, company="", user=user, lang="", auth="none", theme="ansi")
    return PupetuiApp(settings, company="acme")


# -- what the user sees ------------------------------------------------------------------------------


def screen_text(app: PupetuiApp) -> str:
    """The screen as a user sees it (modal screens over what is beneath), as plain text."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


BORDERS = re.compile(r"[│╭╮╰╯─▊▎▔▁▏▌▐━╸╺]")


def flat(text: str) -> str:
    return " ".join(BORDERS.sub(" ", text).split())


async def wait_for(pilot, predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause()
        if predicate():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; the screen shows:\n{screen_text(pilot.app)}")
        await asyncio.sleep(0.02)


async def shows(pilot, *texts: str) -> str:
    """Wait until the screen shows every text; returns the flattened screen."""
    await wait_for(pilot, lambda: all(flat(t) in flat(screen_text(pilot.app)) for t in texts))
    return flat(screen_text(pilot.app))


async def open_memo(pilot, customer_id: int) -> MemoScreen:
    app = pilot.app
    await wait_for(pilot, lambda: app.screen.__class__.__name__ == "MenuScreen")
    app.push_screen(MemoScreen(customer_id))
    await wait_for(pilot, lambda: isinstance(app.screen, MemoScreen) and app.screen.ready)
    await pilot.pause()
    return app.screen


async def highlight(pilot, screen: MemoScreen, entry_id: int) -> None:
    """Move the entries' cursor with the arrow keys to the entry `entry_id`."""
    rows = screen.query_one("#entries", RowList)
    target = rows.index_where(lambda e: e.id == entry_id)
    assert target is not None, f"entry {entry_id} is not listed"
    await pilot.press("home", *["down"] * target)
    await wait_for(pilot, lambda: rows.highlighted is not None and rows.highlighted.id == entry_id)


def entries(customer_id: int, **flt) -> list[memo.Entry]:
    return memo.entries(customer_id, memo.EntryFilter(**flt))


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])


# -- the header ----------------------------------------------------------------------------------------


async def test_header_shows_addresses_facts_and_the_chosen_contact(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_memo(pilot, seeded.customer)
        text = await shows(pilot, "Customer memo — Virtanen Oy (1234567-1)", "Billing address", "Katu 1",
                           "00100 Helsinki", "Delivery address", "Varasto", "Tie 2", "02100 Espoo", "Facts",
                           "Soita aamulla", "A Aktiivinen")
        # no contact chosen: the customer's own numbers
        assert "tel. 09 111 · mobile 040 222 · info@virtanen.fi" in text
        await pilot.press("p")  # the contact picker opens: (customer), Kalle Koski, Liisa Laine
        await pilot.press("down", "down", "enter")
        await shows(pilot, "Liisa Laine · tel. 09 123 · mobile 040 1 · liisa@virtanen.fi")
        await pilot.press("p", "up", "enter")
        await shows(pilot, "Kalle Koski · tel. 09 555")


async def test_status_is_changed_in_place_and_saved(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_memo(pilot, seeded.customer)
        await pilot.press("t")  # the status list opens on the current status, A
        await pilot.press("down", "enter")
        await shows(pilot, "E Ei aktiivinen", "Status changed.")
        assert memo.header(seeded.customer).status == "E"
        await pilot.press("escape")  # back to the menu, and open the memo again: E it is
        await open_memo(pilot, seeded.customer)
        await shows(pilot, "E Ei aktiivinen")


# -- the tabs --------------------------------------------------------------------------------------------


async def test_every_tab_has_its_key_and_shows_its_rows(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_memo(pilot, seeded.customer)
        tabs = screen.query_one("#memo-tabs", ContentSwitcher)  # the pane shown
        bar = screen.query_one(TabBar)  # the title marked
        await shows(pilot, "1 Entries", "2 Contacts", "3 Discounts", "4 Prices", "5 Sales", "6 Calendar",
                    "Soitettu, tarjous lähtee", "↳ Tarjous hyväksytty", "Reminder!", "Pekan merkintä")

        await pilot.press("2")
        text = await shows(pilot, "Name", "Title", "Liisa Laine", "Ostopäällik", "040 1", "liisa@virtanen.fi",
                           "Kalle Koski", "09 555")
        assert tabs.current == bar.active == "tab-contacts"

        await pilot.press("3")
        text = await shows(pilot, "customer + product", "P1", "10.00", "group X", "3.00")
        assert tabs.current == bar.active == "tab-discounts"
        assert "group OLD" not in text  # expired: shown only on request
        assert text.index("customer + product") < text.index("group X")  # precedence order
        await pilot.press("v")
        await shows(pilot, "group OLD", "5.00", "2020-01-01")
        await pilot.press("v")
        await wait_for(pilot, lambda: "group OLD" not in screen_text(app))

        await pilot.press("4")
        await shows(pilot, "Price", "P1", "12.50 EUR")

        await pilot.press("5")
        today = dt.date.today()
        this_month = f"{today.year}-{today.month:02d}"
        text = await shows(pilot, "Invoiced sales by month", "Month", "Sales", "Margin", "Margin %", "Visits",
                           f"{this_month} 1,000.00 250.00 25.0 % 1")
        assert "█" in text and str(today.year) in text  # the chart and its labels
        rows = screen.query_one("#sales", RowList)
        assert len(rows.items) == 25  # 24 months and the total
        await pilot.press("end")
        await shows(pilot, "Total 51,600.00 6,000.00 11.6 % 1")

        await pilot.press("6")
        await shows(pilot, "When", "Asiakaskäynti", f"{today.isoformat()} 13:00", "Käynti asia")

        await pilot.press("1")
        await shows(pilot, "Soitettu, tarjous lähtee")
        assert tabs.current == bar.active == "tab-entries"

        await pilot.press("f1")  # the keys of the tabs and of the entries are listed
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await shows(pilot, "Entries", "Contacts", "Discounts", "Prices", "Sales", "Calendar", "Acknowledge")


# -- memo entries ------------------------------------------------------------------------------------------


async def test_threads_newest_first_with_replies_indented(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_memo(pilot, seeded.customer)
        text = await shows(pilot, "Pekan merkintä", "Soita takaisin", "Soitettu, tarjous lähtee",
                           "↳ Tarjous hyväksytty")
        order = [text.index(t) for t in ("Pekan merkintä", "Soita takaisin", "Soitettu, tarjous", "↳ Tarjous")]
        assert order == sorted(order)


async def test_a_new_memo_entry_is_written(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_memo(pilot, seeded.customer)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryFormScreen))
        await shows(pilot, "New memo entry", "Type", "Memo", "Method", "Contact", "Text")
        app.screen.query_one("#entry-method", Select).value = "Puhelu"
        app.screen.query_one("#entry-contact", Select).value = seeded.kalle
        await type_text(pilot, "Kysyi hintaa")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        await shows(pilot, "Entry saved.", "Kysyi hintaa")
        newest = entries(seeded.customer)[0]
        assert (newest.kind, newest.text, newest.method, newest.contact_id, newest.created_by, newest.parent_id) == (
            "Memo", "Kysyi hintaa", "Puhelu", seeded.kalle, "matti", 0)
        assert screen.query_one("#entries", RowList).highlighted.id == newest.id


@pytest.mark.parametrize("answer, said", [("0\n", "The SMS reminder was sent."),
                                           ("1 Saldo loppu", "The SMS was not sent:")])
async def test_a_reminder_on_the_memo_texts_its_owner_as_pupesofts_memo_does(url, sms_service, answer, said):
    """crm/asiakasmemo.php sends the reminder's owner an SMS (with yhtio and kalenteritunnus)
    when SMS is set up and the owner has a mobile number; the reminder stays if it fails."""
    seeded = seed(url)
    with db.session("acme", "setup"):
        User.update(mobile="040 765 4321").where(User.login == "pekka").execute()
    sms_service.answer = answer
    auth.login("acme", "matti", None, mode="none")
    settings = config.Settings(db=url, company="", user="matti", lang="", auth="none", theme="ansi",
                               sms={"url": sms_service.url, "user": "acme", "password": "salainen", "timeout": 5})
    app = PupetuiApp(settings, company="acme")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_memo(pilot, seeded.customer)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryFormScreen))
        form = app.screen
        await type_text(pilot, "Soita tarjouksesta")
        form.query_one("#entry-kind", Select).value = "Muistutus"
        await pilot.pause()
        form.query_one("#entry-owner", Select).value = "pekka"
        form.query_one("#entry-date", Input).value = "01.12.2026"
        form.query_one("#entry-time", Input).value = "09:00"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        await shows(pilot, "Entry saved.", said)
        newest = entries(seeded.customer)[0]
        assert (newest.kind, newest.text) == ("Muistutus", "Soita tarjouksesta")
        [sent] = sms_service.requests
        assert (sent["yhtio"], sent["kalenteritunnus"]) == ("acme", str(newest.id))
        assert sent["viesti"].startswith("Muistutus Acme Oy. ") and sent["viesti"].endswith("Soita tarjouksesta")
        assert (sent["not_before_date"], sent["not_before"]) == ("2026-12-01", "09:00:00")


async def test_a_reminder_with_who_and_when(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_memo(pilot, seeded.customer)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryFormScreen))
        form = app.screen
        await type_text(pilot, "Soita tarjouksesta")
        await pilot.press("shift+tab", "shift+tab", "shift+tab")  # contact, method, type
        assert app.focused is form.query_one("#entry-kind", Select)
        await pilot.press("enter", "down", "enter")  # Memo -> Reminder
        await shows(pilot, "Reminder", "Who", "Date", "Time", "No acknowledgement needed")
        form.query_one("#entry-owner", Select).value = "pekka"
        date = form.query_one("#entry-date", Input)
        date.value = "32.13.2026"  # not a date
        form.query_one("#entry-time", Input).value = "9.00"
        await pilot.press("ctrl+s")
        await shows(pilot, "The date 32.13.2026 is not a date: write it as dd.mm.yyyy or yyyy-mm-dd.")
        assert app.screen is form and form.query_one("#entry-text", TextArea).text == "Soita tarjouksesta"
        date.value = "01.12.2026"
        await pilot.press("ctrl+s")
        await shows(pilot, "Entry saved.", "Soita tarjouksesta")
        newest = entries(seeded.customer)[0]
        row = Activity.get_by_id(newest.id)
        assert (row.kind, row.owner, row.starts_at, row.ends_at, row.acknowledgement, row.created_by) == (
            "Muistutus", "pekka", dt.datetime(2026, 12, 1, 9, 0), dt.datetime(2026, 12, 1, 9, 30), "K", "matti")
        assert newest.awaiting_acknowledgement

        # a second one that needs no acknowledgement, in ISO date form
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryFormScreen))
        form = app.screen
        await type_text(pilot, "Tiedoksi")
        form.query_one("#entry-kind", Select).value = "Muistutus"
        form.query_one("#entry-date", Input).value = "2026-12-02"
        form.query_one("#entry-time", Input).value = "14:30"
        await pilot.pause()
        form.query_one("#entry-no-ack").focus()
        await pilot.press("space")
        await pilot.press("ctrl+s")
        await shows(pilot, "Entry saved.", "Tiedoksi")
        row = Activity.get_by_id(entries(seeded.customer)[0].id)
        assert (row.owner, row.starts_at, row.acknowledgement) == ("matti", dt.datetime(2026, 12, 2, 14, 30), "E")


async def test_a_lead_and_a_receivables_note(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_memo(pilot, seeded.customer)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryFormScreen))
        form = app.screen
        await type_text(pilot, "Iso kauppa tulossa")
        form.query_one("#entry-kind", Select).value = "Lead"
        await shows(pilot, "Handler", "Supervisor", "Date")
        form.query_one("#entry-owner", Select).value = "matti"
        form.query_one("#entry-supervisor", Select).value = "pekka"
        form.query_one("#entry-date", Input).value = "15.1.2027"
        form.query_one("#entry-time", Input).value = ""
        await pilot.press("ctrl+s")
        await shows(pilot, "Entry saved.", "Lead!", "Iso kauppa tulossa")
        row = Activity.get_by_id(entries(seeded.customer)[0].id)
        assert (row.kind, row.owner, row.supervisor, row.starts_at, row.acknowledgement) == (
            "Lead", "matti", "pekka", dt.datetime(2027, 1, 15, 0, 0), "K")

        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryFormScreen))
        form = app.screen
        await type_text(pilot, "Maksumuistutus lähetetty")
        form.query_one("#entry-kind", Select).value = "Myyntireskontraviesti"
        await pilot.press("ctrl+s")
        await shows(pilot, "Entry saved.", "Receivables note", "Maksumuistutus lähetetty")
        newest = entries(seeded.customer)[0]
        assert (newest.kind, newest.text, newest.created_by) == ("Myyntireskontraviesti", "Maksumuistutus lähetetty", "matti")


async def test_an_empty_text_is_refused_and_nothing_typed_is_lost(url):
    seeded = seed(url)
    before = len(entries_of(url, seeded.customer))
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_memo(pilot, seeded.customer)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryFormScreen))
        form = app.screen
        form.query_one("#entry-kind", Select).value = "Muistutus"
        form.query_one("#entry-owner", Select).value = "pekka"
        await pilot.pause()
        form.query_one("#entry-date", Input).value = "24.12.2026"
        form.query_one("#entry-text", TextArea).focus()
        await type_text(pilot, "   ")
        await pilot.press("ctrl+s")
        await shows(pilot, "Write the text of the entry.")
        assert app.screen is form
        assert form.query_one("#entry-date", Input).value == "24.12.2026"
        assert form.query_one("#entry-owner", Select).value == "pekka"
        assert form.query_one("#entry-kind", Select).value == "Muistutus"
        assert app.focused is form.query_one("#entry-text", TextArea)
        # Esc asks before throwing the typed text away; "keep editing" keeps it all
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await shows(pilot, "Discard what you typed?")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is form)
        assert form.query_one("#entry-date", Input).value == "24.12.2026"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, MemoScreen))
    assert len(entries_of(url, seeded.customer)) == before


def entries_of(url: str, customer_id: int) -> list[memo.Entry]:
    with db.session("acme", "matti"):
        return memo.entries(customer_id, memo.EntryFilter(show_deleted=True))


async def test_esc_on_an_untouched_form_closes_it_at_once(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_memo(pilot, seeded.customer)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryFormScreen))
        await pilot.pause()
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MemoScreen))


async def test_a_reply_goes_under_its_entry(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_memo(pilot, seeded.customer)
        await highlight(pilot, screen, seeded.pekka_memo)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryFormScreen))
        await shows(pilot, "Reply", "Reply to: Pekan merkintä")
        await type_text(pilot, "Samaa mieltä")
        await pilot.press("ctrl+s")
        text = await shows(pilot, "↳ Samaa mieltä")
        assert text.index("Pekan merkintä") < text.index("↳ Samaa mieltä") < text.index("Soita takaisin")
        reply = [e for e in entries(seeded.customer) if e.text == "Samaa mieltä"][0]
        assert (reply.parent_id, reply.depth) == (seeded.pekka_memo, 1)
        # stored as a top-level row (perheid 0) so that Pupesoft's memo prints its author, date and
        # delete link; the entry it answers is kept in kentta09
        row = Activity.get_by_id(reply.id)
        assert (row.parent_id, row.field_09) == (0, str(seeded.pekka_memo))


async def test_acknowledging_needs_a_text_and_writes_the_kuittaus(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_memo(pilot, seeded.customer)
        await highlight(pilot, screen, seeded.first_memo)
        await pilot.press("k")
        await shows(pilot, "This entry does not wait for an acknowledgement.")
        await highlight(pilot, screen, seeded.reminder)
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, AcknowledgeScreen))
        form = app.screen
        await shows(pilot, "Acknowledge", "Reminder for matti", "Soita takaisin", "Acknowledgement")
        await pilot.press("enter")
        await shows(pilot, "Write what was done: an acknowledgement needs a text.")
        assert app.screen is form
        assert Activity.get_by_id(seeded.reminder).acknowledgement == "K"
        await type_text(pilot, "Soitettu")
        await pilot.press("enter")
        await shows(pilot, "Acknowledged.", "Matti Myyjä kuittasi: Soitettu")
        assert Activity.get_by_id(seeded.reminder).acknowledgement == ""
        [ack] = [e for e in entries(seeded.customer) if e.kind == "Kuittaus"]
        assert (ack.parent_id, ack.text, ack.owner) == (seeded.reminder, "Matti Myyjä kuittasi: Soitettu", "matti")
        assert "Reminder!" not in screen_text(app)  # no longer waiting
        # Pupesoft writes no laatija on an acknowledgement: "By" is its kuka, as Pupesoft's memo shows it
        [line] = [line for line in screen_text(app).splitlines() if "kuittasi: Soitettu" in line]
        assert " matti " in line and Activity.get_by_id(ack.id).created_by == ""


async def test_own_or_everyones_entries_is_remembered(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_memo(pilot, seeded.customer)
        await shows(pilot, "Everyone's entries", "Pekan merkintä")
        await pilot.press("o")
        await shows(pilot, "Own entries", "Soita takaisin")
        await wait_for(pilot, lambda: "Pekan merkintä" not in screen_text(app))
        assert memo_view.own_only_preference()
        await pilot.press("escape")
        await open_memo(pilot, seeded.customer)  # a new memo starts as the user left the last one
        text = await shows(pilot, "Own entries", "Soita takaisin")
        assert "Pekan merkintä" not in text
    db.end_session()
    app = logged_in_app(url, "pekka")  # another user has their own choice
    with db.session("acme", "setup"):
        Permission.create(login="pekka", script="crm/asiakasmemo.php", subname="")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_memo(pilot, seeded.customer)
        await shows(pilot, "Everyone's entries", "Pekan merkintä", "Soita takaisin")


async def test_filter_by_contact(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_memo(pilot, seeded.customer)
        await pilot.press("c")  # All contacts, Kalle Koski, Liisa Laine
        await pilot.press("down", "down", "enter")
        await wait_for(pilot, lambda: "Pekan merkintä" not in screen_text(app))
        text = await shows(pilot, "Soitettu, tarjous lähtee", "Liisa Laine")
        assert "Soita takaisin" not in text


async def test_soft_delete_hides_and_show_deleted_shows(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_memo(pilot, seeded.customer)
        await highlight(pilot, screen, seeded.reminder)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await shows(pilot, "Delete the entry “Soita takaisin”?")
        await pilot.press("n")  # no: nothing happens
        await wait_for(pilot, lambda: app.screen is screen)
        assert Activity.get_by_id(seeded.reminder).kind == "Muistutus"
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await shows(pilot, "Entry deleted.")
        await wait_for(pilot, lambda: "Soita takaisin" not in screen_text(app))
        assert Activity.get_by_id(seeded.reminder).kind == "DELETED Muistutus"
        await pilot.press("x")
        await shows(pilot, "deleted shown", "✗ Reminder", "Soita takaisin")
        await highlight(pilot, screen, seeded.reminder)
        await shows(pilot, "Reminder · deleted")
        await pilot.press("x")
        await wait_for(pilot, lambda: "Soita takaisin" not in screen_text(app))
        # someone else's entry: refused with a message, nothing deleted
        await highlight(pilot, screen, seeded.pekka_memo)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await shows(pilot, "Only the writer of an entry may delete it.")
        assert Activity.get_by_id(seeded.pekka_memo).kind == "Memo"


async def test_editing_the_latest_own_entry(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_memo(pilot, seeded.customer)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EditEntryScreen))
        form = app.screen
        await shows(pilot, "Edit your latest entry", "Reminder", "Soita takaisin")
        area = form.query_one("#edit-text", TextArea)
        await pilot.press(*["backspace"] * len("takaisin"))
        await type_text(pilot, "huomenna")
        assert area.text == "Soita huomenna"
        form.query_one("#edit-method", Select).value = "Puhelu"
        await pilot.press("ctrl+s")
        await shows(pilot, "Entry saved.", "Soita huomenna")
        row = Activity.get_by_id(seeded.reminder)
        assert (row.text, row.method, row.modified_by) == ("Soita huomenna", "Puhelu", "matti")


async def test_the_edit_form_never_puts_a_stored_control_character_on_the_screen(url):
    """A row an older program left with a terminal control (CSI, ESC) opens for editing without
    it: the box shows the text a terminal can show, and saving stores that."""
    seeded = seed(url)
    with db.session("acme", "matti"):
        legacy_update(Activity, Activity.id == seeded.reminder, text="Soita \x9b2J\x1b[31mtakaisin")
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_memo(pilot, seeded.customer)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EditEntryScreen))
        area = app.screen.query_one("#edit-text", TextArea)
        assert "\x9b" not in area.text and "\x1b" not in area.text
        assert area.text.startswith("Soita ") and area.text.endswith("takaisin")


async def test_a_contact_is_refused_without_the_rights_pupesoft_asks_and_nothing_typed_is_lost(url):
    """Pupesoft's memo offers contact editing with both maintenance rights (yllapito.php 'asiakas'
    and 'yhteyshenkilo') with the update flag: pekka has the contacts' only."""
    seeded = seed(url)
    with db.session("acme", "setup"):
        Permission.create(login="pekka", script="crm/asiakasmemo.php", subname="")
        Permission.create(login="pekka", script="yllapito.php", subname="yhteyshenkilo", may_update="1")
    app = logged_in_app(url, "pekka")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_memo(pilot, seeded.customer)
        await pilot.press("2", "a")
        await wait_for(pilot, lambda: isinstance(app.screen, ContactFormScreen))
        form = app.screen
        await type_text(pilot, "Olli Osto")
        await pilot.press("enter")
        await shows(pilot, "You may not save this: it needs the right to Edit customers",
                    "(yllapito.php?toim=asiakas) with the update flag (paivitys).")
        assert app.screen is form and form.query_one("#contact-name", Input).value == "Olli Osto"
    assert [c.name for c in memo.contacts(seeded.customer)] == ["Kalle Koski", "Liisa Laine"]


async def test_contacts_are_added_edited_and_removed(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_memo(pilot, seeded.customer)
        await pilot.press("2", "a")
        await wait_for(pilot, lambda: isinstance(app.screen, ContactFormScreen))
        form = app.screen
        await shows(pilot, "New contact", "Name", "Title", "Role", "Phone", "Mobile", "Email", "Notes")
        await type_text(pilot, "Olli Osto")
        form.query_one("#contact-email", Input).value = "olli at firma"
        form.query_one("#contact-phone", Input).value = "050 123"
        await pilot.press("enter")
        await shows(pilot, "'olli at firma' is not an email address.")
        assert app.screen is form and form.query_one("#contact-name", Input).value == "Olli Osto"
        assert app.focused is form.query_one("#contact-email", Input)
        form.query_one("#contact-email", Input).value = "olli@firma.fi"
        await pilot.press("enter")
        await shows(pilot, "Contact saved.", "Olli Osto", "050 123", "olli@firma.fi")
        olli = [c for c in memo.contacts(seeded.customer) if c.name == "Olli Osto"][0]
        assert (olli.phone, olli.email) == ("050 123", "olli@firma.fi")
        rows = screen.query_one("#contacts", RowList)
        assert rows.highlighted.id == olli.id

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ContactFormScreen))
        form = app.screen
        await shows(pilot, "Edit contact")
        assert form.query_one("#contact-name", Input).value == "Olli Osto"
        form.query_one("#contact-title", Input).value = "Ostaja"
        await pilot.press("ctrl+s")
        await shows(pilot, "Contact saved.", "Ostaja")
        assert [c.title for c in memo.contacts(seeded.customer) if c.id == olli.id] == ["Ostaja"]

        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await shows(pilot, "Remove the contact Olli Osto?")
        await pilot.press("y")
        await shows(pilot, "Contact removed.")
        await wait_for(pilot, lambda: "Olli Osto" not in screen_text(app))
        assert olli.id not in [c.id for c in memo.contacts(seeded.customer)]


async def test_database_text_is_shown_literally(url):
    long_text = "Pitkä teksti " * 400 + "LOPPU"
    seeded = seed(url, customer_name=f"Oy {NASTY}", memo_text=f"Muistio {NASTY}\nrivi 2")
    with db.session("acme", "matti"):
        memo.add_entry(seeded.customer, memo.NewEntry(text=long_text))
        memo.save_contact(seeded.customer, {"name": f"Nimi {NASTY}"})
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_memo(pilot, seeded.customer)
        text = await shows(pilot, f"Oy {NASTY_SHOWN}", "Pitkä teksti Pitkä")
        assert "\x1b" not in screen_text(app)
        await highlight(pilot, screen, seeded.first_memo)
        text = await shows(pilot, f"Muistio {NASTY_SHOWN} rivi 2")  # the list and the detail below it
        assert text.count(f"Muistio {NASTY_SHOWN}") >= 2
        await pilot.press("enter")  # the whole text
        await wait_for(pilot, lambda: isinstance(app.screen, TextViewScreen))
        await shows(pilot, f"Muistio {NASTY_SHOWN}", "rivi 2")
        await pilot.press("escape")
        rows = screen.query_one("#entries", RowList)
        await pilot.press("home")
        await wait_for(pilot, lambda: rows.highlighted.text == long_text)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TextViewScreen))
        await pilot.press("end")
        await shows(pilot, "LOPPU")
        await pilot.press("escape")
        await pilot.press("2")
        await shows(pilot, "Nimi [bold]x[/bol")  # cut to its column
        await pilot.press("p", "down", "down", "enter")  # (customer), Kalle, Liisa, Nimi
        await pilot.press("p", "down", "enter")
        await shows(pilot, f"Nimi {NASTY_SHOWN} · no phone or email")
        assert "\x1b" not in screen_text(app)


async def test_header_shows_hostile_and_long_text_literally(url):
    seeded = seed(url, customer_name="Oy [Ab] & Co")
    with db.session("acme", "setup"):
        legacy_update(  # rows an older program left: past pupetui's text rule
            Customer, Customer.id == seeded.customer,
            address="[bold]x[/bold] \\tie\\ 1\x07", delivery_name="Varasto [i]\\[/i]",
            facts="Fakta [red]alku[/red] \x1b[31m " + "pitkä " * 200 + "LOPPU",
        )
        legacy_update(Contact, Contact.id == seeded.kalle, name="[b]Kalle[/b] \\ Koski\x1b[0m")
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_memo(pilot, seeded.customer)
        await shows(pilot, "Oy [Ab] & Co", "Varasto [i]\\[/i]", "Fakta [red]alku[/red] [31m pitkä")
        lines = screen_text(app).splitlines()
        assert "\x1b" not in screen_text(app) and "\x07" not in screen_text(app)
        # the address is cut to its box with an ellipsis; the facts wrap and end in one when cut:
        # the header keeps its seven lines whatever the text
        assert "[bold]x[/bold] \\ti…" in lines[3]
        assert lines[5].rstrip().endswith("…") and "LOPPU" not in screen_text(app)
        assert lines[6].split() == ["t", "Status", "A", "Aktiivinen", "▾", "p", "Contact", "(customer)", "▾"]
        assert "1 Entries" in lines[8]
        await pilot.press("i")  # the customer in full, literally
        await wait_for(pilot, lambda: isinstance(app.screen, TextViewScreen))
        await shows(pilot, "[bold]x[/bold] \\tie\\ 1", "Fakta [red]alku[/red] [31m pitkä")
        await pilot.press("escape")
        await pilot.press("p")  # the contact list shows the name literally
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await shows(pilot, "(customer)", "[b]Kalle[/b] \\ Koski[0m", "Liisa Laine")
        await pilot.press("end", "enter")  # by name: "[" sorts after the letters
        text = await shows(pilot, "[b]Kalle[/b] \\ Koski[0m · tel. 09 555")
        assert "Contact [b]Kalle[/b] \\ Koski[0m ▾" in text
        assert "\x1b" not in screen_text(app)


async def test_a_slow_database_shows_loading_first_then_the_memo(url, monkeypatch):
    seeded = seed(url)
    real = memo_view.load_first

    def slow_load_first(*args, **kwargs):
        time.sleep(0.6)  # longer than the first drawing waits for the data
        return real(*args, **kwargs)

    monkeypatch.setattr(memo_view, "load_first", slow_load_first)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "MenuScreen")
        app.push_screen(MemoScreen(seeded.customer))
        text = await shows(pilot, "Billing address", "Loading…", "1 Entries")  # the memo, waiting
        assert "Katu 1" not in text and not app.screen.ready
        await wait_for(pilot, lambda: isinstance(app.screen, MemoScreen) and app.screen.ready)
        text = await shows(pilot, "Katu 1", "Soita aamulla", "Status A Aktiivinen", "Pekan merkintä")
        assert "Loading…" not in text


async def test_pickers_open_on_the_current_choice_and_esc_changes_nothing(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_memo(pilot, seeded.customer)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        picker = app.screen
        await shows(pilot, "Status", "(no status)", "A Aktiivinen", "E Ei aktiivinen", "Enter chooses, Esc cancels.")
        options = picker.query_one(OptionList)
        assert str(options.get_option_at_index(options.highlighted).prompt) == "A Aktiivinen"  # the current one
        box = picker.query_one(".choice-box").region
        assert box.right <= 80 and box.bottom <= 24  # fits 80x24
        await pilot.press("down", "escape")  # moved, then cancelled: nothing changes, nothing is written
        await wait_for(pilot, lambda: app.screen is screen)
        await shows(pilot, "Status A Aktiivinen ▾")
        assert memo.header(seeded.customer).status == "A"

        await pilot.press("c")  # the contact filter: all contacts, then each
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await shows(pilot, "Show the entries of", "All contacts", "Kalle Koski", "Liisa Laine")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        text = await shows(pilot, "Everyone's entries · o own/all", "Pekan merkintä")
        assert "with " not in text
        await pilot.press("c", "down", "down", "enter")
        await shows(pilot, "Everyone's entries · with Liisa Laine")
        await wait_for(pilot, lambda: "Pekan merkintä" not in screen_text(app))
        await pilot.press("c", "home", "enter")  # all again
        await shows(pilot, "Pekan merkintä")


async def test_the_mouse_opens_tabs_pickers_and_keys(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_memo(pilot, seeded.customer)
        await shows(pilot, "n New", "r Reply", "k Acknowledge")  # the keys of the entries' tab
        keys = screen_text(app).splitlines()[23]
        assert keys.split() == ["n", "New", "r", "Reply", "e", "Edit", "yours", "d", "Delete", "k", "Acknowledge",
                                "f1", "Help", "^p", "Commands"]  # ctrl+q works, shown on the menu only
        tabs = screen_text(app).splitlines()[8]
        await pilot.click(TabBar, offset=(tabs.index("2 Contacts") + 1, 0))
        text = await shows(pilot, "Liisa Laine", "Ostopäällik", "a Add", "e Edit", "d Remove")
        assert screen.active_tab == "tab-contacts" and "r Reply" not in text
        header = screen_text(app).splitlines()[6]
        await pilot.click(MemoHeader, offset=(header.index("Status") + 1, 5))
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await shows(pilot, "E Ei aktiivinen")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        keys = screen_text(app).splitlines()[23]
        await pilot.click(KeyBar, offset=(keys.index("a Add") + 1, 0))
        await wait_for(pilot, lambda: isinstance(app.screen, ContactFormScreen))


async def test_finnish_texts_and_numbers(url):
    seeded = seed(url)
    i18n.set_language("fi")
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_memo(pilot, seeded.customer)
        await shows(pilot, "Asiakasmemo", "Laskutusosoite", "Toimitusosoite", "1 Merkinnät", "Kaikkien merkinnät",
                    "Muistutus!")
        await pilot.press("5")
        today = dt.date.today()
        await shows(pilot, "Kuukausi", "Myynti", "Kate", f"{today.month:02d}/{today.year} 1\u00a0000,00 250,00 25,0 %")
        await pilot.press("3")
        await shows(pilot, "asiakas + tuote", "10,00")


async def test_without_the_memo_right_nothing_is_shown(url):
    seeded = seed(url)
    with db.session("acme", "setup"):
        Permission.delete().where(Permission.script == "crm/asiakasmemo.php").execute()
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "MenuScreen")
        app.push_screen(MemoScreen(seeded.customer))
        await shows(pilot, "You have no right to use the customer memo.")
        assert "Katu 1" not in screen_text(app) and "Soita takaisin" not in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, MemoScreen)


# -- the sales chart ---------------------------------------------------------------------------------


async def test_the_sales_chart_draws_bars_with_labels_and_fits_its_width():
    from textual.app import App

    from pupetui.widgets.sales_chart import ChartPoint, SalesChart

    points = [ChartPoint(Decimal(100 * (i % 5)), f"{i % 12 + 1:02d}", str(2025 + i // 12)) for i in range(24)]
    points[3] = ChartPoint(Decimal(-250), "04", "2025")

    class ChartApp(App):
        def compose(self):
            yield SalesChart("Sales [b]by month[/b]", id="chart")

    app = ChartApp()
    async with app.run_test(size=SIZE) as pilot:
        chart = app.query_one(SalesChart)
        chart.set_points(points)
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert lines[0].startswith("Sales [b]by month[/b]")  # literally
        assert "400" in lines[1] and "█" in "".join(lines[1:6])  # the axis and the bars
        assert "01 02 03 04 05" in lines[6]  # months under the bars
        assert "2026" in lines[7]  # the year under its January
        await pilot.resize_terminal(20, 10)  # too narrow for 24 months: the newest that fit
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert all(len(line.rstrip()) <= 20 for line in lines)
