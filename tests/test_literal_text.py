"""Untrusted text is literal everywhere a user reads it: hostile customer and contact names (markup
brackets, `[/]`, `[link=…]`, terminal escapes, C1 controls, 5000 characters) pushed through the
memo (its header, the details `i`, the contact list), the customer form's title, a notification
and the SQL search's whole value of a column so named. The app keeps running and shows each text
as written (control characters removed)."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from legacy import legacy_update
from pupetui import db, i18n
from pupetui.models import Contact, Customer, Permission
from pupetui.screens.customer_edit import CustomerEditScreen
from pupetui.screens.memo_forms import ChoiceScreen, TextViewScreen
from pupetui.screens.sql_search import SqlSearchScreen
from pupetui.services import schema
from pupetui.services.programs import CUSTOMER_EDIT
from pupetui.services.text import printable
from pupetui.widgets.result_grid import CellViewScreen
from test_app import logged_in_app as app_of
from test_memo_screen import BORDERS, SIZE, flat, logged_in_app, open_memo, screen_text, seed, wait_for

FRAGMENTS = (
    "Tmi ", "[/]", "Oy [Ab] & Co", "[b]x[/b]", "[link=http://x]y[/link]", "[@click=app.quit]q[/]", "[",
    "]", "\\[", "[/b]", "\x1b[31m", "\x1b]8;;http://x\x07", "\x9b2J", "\x07", "\u202e", "Äö", " ", "x",
)
NAMES = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=5).map("".join).filter(
    lambda name: len(flat(printable(name))) >= 2)
LONG = "Pitkä [b]nimi[/b] " * 300  # 5,400 characters
EXAMPLES = settings(max_examples=20, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate),
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('literal') / 'pupetui.sqlite3'}"
    d = db.open_database(url)
    schema.init(d)
    d.close()
    rows = seed(url)
    d = db.connect(url)
    with db.session("acme", "setup"):  # matti may edit customers too
        if not Permission.select().where((Permission.login == "matti") & (Permission.script == CUSTOMER_EDIT.script)
                                         & (Permission.subname == "asiakas")).exists():
            Permission.create(login="matti", script=CUSTOMER_EDIT.script, subname="asiakas")
    d.close()
    yield url, rows
    db.end_session()


def rename(url: str, rows, name: str) -> None:
    """The customer and a contact named `name`, as an older program (or an import) left them."""
    d = db.connect(url)
    with db.session("acme", "setup"):
        legacy_update(Customer, Customer.id == rows.customer, name=name)
        legacy_update(Contact, Contact.id == rows.kalle, name=name)
    d.close()


def shown(name: str) -> str:
    """What the user must see of `name`: its start (a long one is cut to its box), as written."""
    return flat(printable(name))[:20].strip()


def squeezed(text: str) -> str:
    return "".join(BORDERS.sub("", text).split())


def region_text(app, widget) -> str:
    """What the screen shows in a widget's region, without spaces (wrapped lines joined)."""
    lines, r = screen_text(app).splitlines(), widget.region
    return squeezed("".join(line[r.x:r.right] for line in lines[r.y:r.bottom]))


def line_of(app, widget) -> str:
    """The screen line a widget's border title is drawn on."""
    return flat(screen_text(app).splitlines()[widget.region.y])


async def through_the_memo_and_the_customer_form(url: str, rows, name: str) -> None:
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_memo(pilot, rows.customer)
        start = shown(name)
        await wait_for(pilot, lambda: start in flat(screen_text(app)))
        header = flat(screen_text(app).splitlines()[0])
        assert start in header or shown(f"Customer memo — {name}") in header  # the sub-title
        await pilot.press("i")  # the details: the name is the dialog's border title
        await wait_for(pilot, lambda: isinstance(app.screen, TextViewScreen))
        await pilot.pause()
        assert start in line_of(app, app.screen.query_one("#text-view-box"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("p")  # the contact list holds the name
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await wait_for(pilot, lambda: start in flat(screen_text(app)))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        app.push_screen(CustomerEditScreen(rows.customer))  # its title names the customer
        await wait_for(pilot, lambda: isinstance(app.screen, CustomerEditScreen) and "Edit customer:" in app.screen.title)
        await wait_for(pilot, lambda: shown(f"Edit customer: {name}") in flat(screen_text(app).splitlines()[0]))
        app.notify(f"Saved {name}", severity="error")  # a notification carrying a stored value
        await wait_for(pilot, lambda: any(squeezed(shown(f"Saved {name}")) in region_text(app, toast)
                                          for toast in app.screen.query("Toast")))
        assert app.is_running and app.return_code is None
        assert "\x1b" not in screen_text(app) and "\x9b" not in screen_text(app)


@EXAMPLES
@given(name=NAMES)
@example(name="Tmi [/]")
@example(name="Oy [Ab] & Co")
@example(name="[link=http://x]y[/link] \x1b[7m\x9b")
@example(name=LONG)
def test_hostile_names_are_shown_literally_in_the_memo_and_the_customer_form(seeded, name):
    url, rows = seeded
    rename(url, rows, name)
    asyncio.run(through_the_memo_and_the_customer_form(url, rows, name))


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def through_the_sql_search(url: str, name: str) -> None:
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "MenuScreen")
        app.push_screen(SqlSearchScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, SqlSearchScreen) and app.screen.access is not None)
        screen = app.screen
        screen.set_sql(f"SELECT nimi AS {quoted(name)} FROM asiakas")
        await pilot.press("f5")
        await wait_for(pilot, lambda: screen.grid.state in ("done", "error", "stopped"))
        assert screen.grid.state == "done"
        await pilot.press("tab", "enter")  # the whole value: titled by the column's name
        await wait_for(pilot, lambda: isinstance(app.screen, CellViewScreen))
        await pilot.pause()
        box = app.screen.query_one("Vertical")
        assert shown(name)[:12] in line_of(app, box)
        assert shown(name) in flat(screen_text(app))  # the value, as written
        assert app.is_running and app.return_code is None


@EXAMPLES
@given(name=NAMES)
@example(name="[/]")
@example(name="Oy [Ab] & Co")
def test_hostile_column_names_and_values_in_the_sql_search_whole_value(seeded, name):
    url, rows = seeded
    rename(url, rows, name)
    asyncio.run(through_the_sql_search(url, name))


def test_the_demo_customer_tmi_closing_tag_opens_its_memo_details(tmp_path):
    """The issue's crash: `Tmi [/]` of the demo data, its memo details opened with `i`."""
    from pupetui.services import demo

    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    d = db.connect(url)
    schema.init(d)
    demo.generate(d, customers=20, seed=1)
    with db.session(demo.DEMO_COMPANY, demo.DEMO_USER):
        customer = Customer.get(Customer.name == "Tmi [/]")
    d.close()

    async def details() -> None:
        app = app_of(url, user=demo.DEMO_USER, company=demo.DEMO_COMPANY)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await open_memo(pilot, customer.id)
            await pilot.press("i")
            await wait_for(pilot, lambda: isinstance(app.screen, TextViewScreen))
            await pilot.pause()
            assert "Tmi [/]" in line_of(app, app.screen.query_one("#text-view-box"))
            assert "[/b] [@click=app.quit]lopeta[/]" in flat(screen_text(app))  # its name extension
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen.__class__.__name__ == "MemoScreen")
            assert app.is_running

    try:
        asyncio.run(details())
    finally:
        db.end_session()


async def through_the_lists(url: str, name: str) -> None:
    """The customer list and the reminders (the reminder names its customer): opened from the
    menu by their keys."""
    from pupetui.services.programs import CUSTOMERS, REMINDERS

    app = logged_in_app(url)
    start = shown(name)[:8]
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "MenuScreen")
        menu = app.screen
        for program, opened in ((CUSTOMERS, "CustomerListScreen"), (REMINDERS, "RemindersScreen")):
            await pilot.press(app.program_key(program.id))
            await wait_for(pilot, lambda: app.screen.__class__.__name__ == opened)
            await wait_for(pilot, lambda: start in flat(screen_text(app)))
            assert "\x1b" not in screen_text(app) and app.is_running
            while app.screen is not menu:
                app.pop_screen()
                await pilot.pause()


@EXAMPLES
@given(name=NAMES)
@example(name="Tmi [/]")
@example(name="Oy [Ab] & Co")
@example(name=LONG)
def test_hostile_names_in_the_customer_list_and_the_reminders(seeded, name):
    url, rows = seeded
    rename(url, rows, name)
    asyncio.run(through_the_lists(url, name))


# -- input hygiene ------------------------------------------------------------------------------

COLOURED = "Soitettu \x1b[31mpunainen\x1b[0m\x07 \x1b]0;otsikko\x07loppu\x9b2J\nrivi 2"


async def paste(pilot, text: str) -> None:
    """A bracketed paste, as the terminal's driver hands it to the app."""
    from textual import events

    pilot.app.post_message(events.Paste(text))
    await pilot.pause()
    await pilot.pause()


def test_a_pasted_escape_sequence_never_reaches_the_database(seeded):
    from textual.widgets import Input, TextArea

    from pupetui.screens.memo_forms import EntryFormScreen
    from pupetui.services import memo

    url, rows = seeded
    rename(url, rows, "Virtanen Oy")

    def stored_name() -> str:
        with db.session("acme", "check"):
            return Customer.get_by_id(rows.customer).name

    async def paste_and_save() -> None:
        app = logged_in_app(url)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            screen = await open_memo(pilot, rows.customer)
            await pilot.press("n")
            await wait_for(pilot, lambda: isinstance(app.screen, EntryFormScreen))
            area = app.screen.query_one(TextArea)
            area.focus()
            await pilot.pause()
            await paste(pilot, COLOURED)
            assert area.text == "Soitettu punainen loppu\nrivi 2"  # shown as it will be stored
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: app.screen is screen)
            app.push_screen(CustomerEditScreen(rows.customer))
            await wait_for(pilot, lambda: isinstance(app.screen, CustomerEditScreen) and app.screen.query("#field-name"))
            if app.screen.query("#field-currency"):  # (a customer needs one to be saved)
                app.screen.query_one("#field-currency", Input).value = "EUR"
            field = app.screen.query_one("#field-name", Input)
            field.focus()
            field.value = ""
            await pilot.pause()
            await paste(pilot, "Uusi \x1b[1mnimi\x1b[0m\x00 Oy\x7f")
            assert field.value == "Uusi nimi Oy"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: stored_name() == "Uusi nimi Oy"
                           or "Press ^s again to save." in flat(screen_text(app)))
            if stored_name() != "Uusi nimi Oy":  # a note on another field first: saved at the second ^s
                await pilot.press("ctrl+s")
                await wait_for(pilot, lambda: stored_name() == "Uusi nimi Oy")

    asyncio.run(paste_and_save())
    d = db.connect(url)
    with db.session("acme", "check"):
        newest = memo.entries(rows.customer, memo.EntryFilter())[0]
        assert newest.text == "Soitettu punainen loppu\nrivi 2"
        assert Customer.get_by_id(rows.customer).name == "Uusi nimi Oy"
    d.close()


def test_a_control_character_written_by_any_path_is_not_stored(seeded):
    """The model layer's backstop (a headless command, an import): C0, DEL and C1 removed,
    line breaks and tabs kept."""
    url, rows = seeded
    d = db.connect(url)
    with db.session("acme", "setup"):
        Customer.update(facts="a\x1b[31mb\x07\tc\nd\x9b\x7f").where(Customer.id == rows.customer).execute()
        made = Customer.create(name="Ohjaus\x1b[7m Oy\x85", city="Turku")
    with db.session("acme", "check"):
        assert Customer.get_by_id(rows.customer).facts == "a[31mb\tc\nd"
        assert Customer.get_by_id(made.id).name == "Ohjaus[7m Oy"
    d.close()


# -- the calendar ---------------------------------------------------------------------------------

CALENDAR_DAY = __import__("datetime").date(2026, 5, 12)  # a Tuesday; the comment-only entry on the 13th


@pytest.fixture(scope="module")
def calendar_rows(seeded):
    """A visit to the customer on CALENDAR_DAY 09:00-10:00 and, the next day, an entry of no type
    and no customer (its comment is its label in the grid and in the day's title)."""
    import datetime as dt

    from pupetui.models import Activity

    url, rows = seeded
    d = db.connect(url)
    with db.session("acme", "matti"):
        visit = Activity.create(kind="kalenteri", owner="matti", created_by="matti", method="Puhelu",
                                starts_at=dt.datetime.combine(CALENDAR_DAY, dt.time(9)),
                                ends_at=dt.datetime.combine(CALENDAR_DAY, dt.time(10)),
                                customer_id=rows.customer, business_id="1234567-1", text="x").id
        note = Activity.create(kind="kalenteri", owner="matti", created_by="matti", method="",
                               starts_at=dt.datetime.combine(CALENDAR_DAY + dt.timedelta(days=1), dt.time(9)),
                               ends_at=dt.datetime.combine(CALENDAR_DAY + dt.timedelta(days=1), dt.time(10)),
                               text="x").id
    d.close()
    return visit, note


def comment(url: str, ids, name: str) -> None:
    from pupetui.models import Activity

    d = db.connect(url)
    with db.session("acme", "setup"):
        legacy_update(Activity, Activity.id.in_(list(ids)), text=name)
    d.close()


async def through_the_calendar(url: str, ids, name: str) -> None:
    """The month grid and the day's agenda and title (the visit names the customer; the other
    entry is labelled by its comment), the entry form with its customer, the day view."""
    from textual.widgets import TextArea

    from pupetui.screens.calendar import CalendarScreen
    from pupetui.screens.calendar_forms import EntryFormScreen

    visit, note = ids
    app = logged_in_app(url)
    start = shown(name)[:8]
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "MenuScreen")
        app.push_screen(CalendarScreen(today=CALENDAR_DAY))
        await wait_for(pilot, lambda: isinstance(app.screen, CalendarScreen) and app.screen.ready)
        screen = app.screen
        await wait_for(pilot, lambda: screen.cursor == visit)
        title = screen.query_one("#calendar-day-title")
        await wait_for(pilot, lambda: start in flat(region_text(app, title)) or squeezed(start) in region_text(app, title))
        assert squeezed(start) in region_text(app, screen.agenda)  # the customer in the agenda
        await pilot.press("e")  # the entry form: its customer and its comment
        await wait_for(pilot, lambda: isinstance(app.screen, EntryFormScreen))
        await pilot.pause()
        form = app.screen
        assert squeezed(start) in region_text(app, form.query_one("#entry-customer"))
        assert squeezed(start) in region_text(app, form.query_one("#entry-comment", TextArea))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("right")  # the next day: the comment is the entry's label
        await wait_for(pilot, lambda: screen.ready and screen.cursor == note)
        await wait_for(pilot, lambda: squeezed(start) in region_text(app, title))
        assert squeezed(shown(name)[:3]) in region_text(app, screen.grid)  # its cell, cut to the cell
        await pilot.press("v", "v")  # the day view: the whole comment
        await wait_for(pilot, lambda: squeezed(start) in region_text(app, screen.agenda))
        assert app.is_running and app.return_code is None
        assert "\x1b" not in screen_text(app) and "\x9b" not in screen_text(app)


@EXAMPLES
@given(name=NAMES)
@example(name="Tmi [/]")
@example(name="[link=http://x]y[/link] \x1b[7m\x9b")
@example(name=LONG)
def test_hostile_names_and_comments_in_the_calendar(seeded, calendar_rows, name):
    url, rows = seeded
    rename(url, rows, name)
    comment(url, calendar_rows, name)
    asyncio.run(through_the_calendar(url, calendar_rows, name))


# -- the address labels and the SMS: the customer selection, the recipients -------------------------


def sms_app(url: str, service):
    from pupetui import config
    from pupetui.app import PupetuiApp
    from pupetui.services import auth

    auth.login("acme", "matti", None, mode="none")
    settings = config.Settings(db=url, company="", user="matti", lang="", auth="none", theme="ansi",
                               sms={"url": service.url, "user": "acme", "password": "salainen", "timeout": 1})
    return PupetuiApp(settings, company="acme")


@pytest.fixture(scope="module")
def mobiles(seeded):
    """The customer and its contact (the one `rename` names) with mobile numbers; the other
    contact's number is not one (skipped, named in the confirmation)."""
    url, rows = seeded
    d = db.connect(url)
    with db.session("acme", "setup"):
        legacy_update(Customer, Customer.id == rows.customer, mobile="040 111 1111")
        legacy_update(Contact, Contact.id == rows.kalle, mobile="044 333 3333")
    d.close()


async def through_the_labels(url: str, name: str) -> None:
    from pupetui.screens.labels import LabelsScreen
    from pupetui.services.programs import LABELS

    app = logged_in_app(url)
    start = squeezed(shown(name)[:8])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "MenuScreen")
        await pilot.press(app.program_key(LABELS.id))
        await wait_for(pilot, lambda: isinstance(app.screen, LabelsScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.selection.found is not None and screen.selection.choices is not None)
        await wait_for(pilot, lambda: start in region_text(app, screen.selection.table))
        await pilot.press("space")  # untick, tick: the list drawn again
        await pilot.press("space")
        await wait_for(pilot, lambda: start in region_text(app, screen.selection.table))
        assert app.is_running and app.return_code is None
        assert "\x1b" not in screen_text(app) and "\x9b" not in screen_text(app)


@EXAMPLES
@given(name=NAMES)
@example(name="Tmi [/]")
@example(name="[link=http://x]y[/link] \x1b[7m\x9b")
@example(name=LONG)
def test_hostile_names_in_the_address_labels_selection(seeded, name):
    url, rows = seeded
    rename(url, rows, name)
    asyncio.run(through_the_labels(url, name))


async def through_the_sms(url: str, service, name: str) -> None:
    """The customers (F4) and their contacts (F5): the selection, the confirmation (a contact
    without a mobile number is named there) and the sent batch's recipients."""
    from pupetui.screens.sms import SmsScreen, SmsSendScreen
    from pupetui.services.programs import SMS
    from pupetui.widgets.confirm import ConfirmScreen

    app = sms_app(url, service)
    start = squeezed(shown(name)[:8])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "MenuScreen" and app.screen.info is not None)
        await pilot.press(app.program_key(SMS.id))
        await wait_for(pilot, lambda: isinstance(app.screen, SmsScreen))
        screen = app.screen
        await pilot.press("f4")
        selection = screen.query_one("#sms-selection")
        await wait_for(pilot, lambda: selection.found is not None and start in region_text(app, selection.table))
        await pilot.press("f6", *"Hei")
        for key, sent in (("f4", "+358401111111"), ("f5", "+358443333333")):
            await pilot.press(key)
            await wait_for(pilot, lambda: selection.found is not None)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            if key == "f5":  # Liisa's "040 1" is no mobile number
                await wait_for(pilot, lambda: "Liisa Laine" in flat(screen_text(app)))
            await pilot.press("y")
            await wait_for(pilot, lambda: isinstance(app.screen, SmsSendScreen) and app.screen.batch is not None
                           and app.screen.batch.closed)
            table = app.screen.query_one("DataTable")
            await wait_for(pilot, lambda: squeezed(sent) in region_text(app, table))
            assert start in region_text(app, table)  # the recipient's name, as written
            assert app.is_running and app.return_code is None
            assert "\x1b" not in screen_text(app) and "\x9b" not in screen_text(app)
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is screen)


@settings(max_examples=10, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=NAMES)
@example(name="Tmi [/]")
@example(name="[link=http://x]y[/link] \x1b[7m\x9b")
@example(name=LONG)
def test_hostile_names_in_the_sms_selection_and_recipients(seeded, mobiles, sms_service, name):
    url, rows = seeded
    rename(url, rows, name)
    asyncio.run(through_the_sms(url, sms_service, name))


# -- the annual-contract customers report -------------------------------------------------------------


@pytest.fixture(scope="module")
def contracts_db(tmp_path_factory):
    """The report's customers over the threshold (test_contracts_output.seed); `Öljy Oy` has no
    email address, so the confirmation of sending to each customer names it."""
    from test_contracts_output import seed as seed_contracts

    folder = tmp_path_factory.mktemp("contracts")
    url = f"sqlite:///{folder / 'pupetui.sqlite3'}"
    d = db.open_database(url)
    schema.init(d)
    d.close()
    seed_contracts(url)
    d = db.connect(url)
    with db.session("acme", "setup"):
        customer = Customer.get(Customer.name == "Öljy Oy").id
    d.close()
    yield url, customer, folder
    db.end_session()


async def through_the_contracts_report(url: str, folder, smtp, name: str) -> None:
    from textual.widgets import DataTable

    from pupetui.widgets.confirm import ConfirmScreen
    from textual.widgets import Input

    from test_contracts_screens import choose, make_app, open_report

    app = make_app(url, smtp.port)
    start = squeezed(shown(name)[:8])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_report(pilot, folder)
        for field, value in (("start", "01.03.2024"), ("end", "28.02.2025"), ("folder", str(folder / "out"))):
            screen.query_one(f"#contracts-{field}", Input).value = value  # (typing them: tests/test_contracts_screens.py)
        await pilot.pause()
        await pilot.press("f5")  # the preview lists the customers
        table = screen.query_one("#contracts-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 4)
        await wait_for(pilot, lambda: start in region_text(app, table))
        await choose(pilot, "contracts-recipient", 2)  # each customer: the one without email is named
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await wait_for(pilot, lambda: start in squeezed(screen_text(app)))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert app.is_running and app.return_code is None
        assert "\x1b" not in screen_text(app) and "\x9b" not in screen_text(app)
    assert not (folder / "out").exists() and not smtp.messages  # the confirmation was declined


@EXAMPLES
@given(name=NAMES)
@example(name="Tmi [/]")
@example(name="[link=http://x]y[/link] \x1b[7m\x9b")
@example(name=LONG)
def test_hostile_names_in_the_annual_contract_report(contracts_db, smtp_server, name):
    url, customer, folder = contracts_db
    d = db.connect(url)
    with db.session("acme", "setup"):
        legacy_update(Customer, Customer.id == customer, name=name)
    d.close()
    asyncio.run(through_the_contracts_report(url, folder, smtp_server, name))
