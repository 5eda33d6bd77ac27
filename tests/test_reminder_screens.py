"""The reminders program at 80x24, driven like a user would, checked on screen and through the
services: the list and its marks, acknowledging, adding, another user's list, and the overdue
count in the headers and the main menu."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
import time
from dataclasses import dataclass

import pytest
from rich.console import Console
from textual.widgets import Checkbox, DataTable, Input, Select, TextArea

from pupetui import config, db, i18n
from pupetui.app import PupetuiApp
from pupetui.models import Activity, Company, CompanyParameters, Contact, Customer, Keyword, Permission, User
from pupetui.screens.help import HelpScreen
from pupetui.screens.menu import MenuScreen
from pupetui.screens.reminder_forms import (
    AcknowledgeReminderScreen, AddReminderScreen, ReminderCustomerPickerScreen, ReminderUserPickerScreen,
)
from pupetui.screens.reminders import RemindersScreen
from pupetui.services import auth, memo, reminders
from pupetui.services.programs import PROGRAMS
from pupetui.widgets.confirm import ConfirmScreen

SIZE = (80, 24)
NASTY = "[bold]x[/bold] \x1b[31m"
NASTY_SHOWN = "[bold]x[/bold] [31m"


# -- the database ---------------------------------------------------------------------------------


@dataclass
class Seeded:
    customer: int
    overdue_with_customer: int
    overdue_plain: int
    future: int
    lead: int
    pekka_own: int


def seed(url: str) -> Seeded:
    """A company; matti (every program) and pekka (calendar and reminders) as calendar users,
    liisa without the calendar; tapa keywords; a customer with a contact; matti's reminders
    overdue and to come, an acknowledged one and one needing no acknowledgement (not listed), a
    lead of pekka's supervised by matti, and pekka's own reminder."""
    d = db.connect(url)
    now = dt.datetime.now().replace(second=0, microsecond=0)
    with db.session("acme", "setup"):
        Company.create(name="Acme Oy")
        CompanyParameters.create()
        User.create(login="matti", name="Matti Myyjä", password_md5=auth.md5_hex("salainen"))
        User.create(login="pekka", name="Pekka Pomo")
        User.create(login="liisa", name="Liisa Laine")
        for program in PROGRAMS:
            Permission.create(login="matti", script=program.script, subname="")
        for script in ("crm/kalenteri.php", "crm/kuittaamattomat.php"):
            Permission.create(login="pekka", script=script, subname="")
        Permission.create(login="liisa", script="crm/kuittaamattomat.php", subname="")
        Keyword.create(kind="KALETAPA", value="1", text="Puhelu")
        Keyword.create(kind="KALETAPA", value="2", text="Käynti")
        customer = Customer.create(name="Virtanen Oy", business_id="1234567-1", city="Helsinki")
        contact = Contact.create(customer_id=customer.id, name="Kalle Koski")

        def reminder(owner: str, due: dt.datetime, text: str, **kw) -> int:
            kw.setdefault("acknowledgement", "K")
            return Activity.create(kind=kw.pop("kind", "Muistutus"), owner=owner, starts_at=due,
                                   ends_at=due + dt.timedelta(minutes=30), text=text, **kw).id

        with_customer = reminder("matti", now - dt.timedelta(days=2), "Soita Virtaselle", method="Puhelu",
                                 customer_id=customer.id, business_id="1234567-1", contact_id=contact.id)
        plain = reminder("matti", now - dt.timedelta(hours=1), "Lähetä tarjous")
        future = reminder("matti", now + dt.timedelta(days=3), f"Muista messut {NASTY}")
        reminder("matti", now - dt.timedelta(days=1), "Jo kuitattu", acknowledgement="")
        reminder("matti", now - dt.timedelta(days=1), "Ei kuittausta", acknowledgement="E")
        lead = reminder("pekka", now - dt.timedelta(days=5), "Liidi Koskelta", kind="Lead", supervisor="matti")
        pekka_own = reminder("pekka", now + dt.timedelta(days=1), "Pekan oma muistutus")
    d.close()
    return Seeded(customer.id, with_customer, plain, future, lead, pekka_own)


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


def screen_lines(app: PupetuiApp) -> list[str]:
    return screen_text(app).splitlines()


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


async def menu_ready(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, MenuScreen) and app.screen.info is not None)
    await pilot.pause()


async def open_reminders(pilot) -> RemindersScreen:
    app = pilot.app
    await menu_ready(pilot)
    app.push_screen(RemindersScreen())
    await wait_for(pilot, lambda: isinstance(app.screen, RemindersScreen) and app.screen.loaded)
    await pilot.pause()
    return app.screen


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])


def table_lines(app: PupetuiApp) -> list[str]:
    """The list's rows as shown: a mark, then the due time."""
    row = re.compile(r"^[!·]\s+(\d{4}-\d\d-\d\d|\d\d\.\d\d\.\d{4}) \d\d:\d\d")
    return [line.strip() for line in screen_lines(app) if row.match(line.strip())]


def waiting_texts(owner: str | None = None) -> list[str]:
    return [r.text for r in reminders.waiting(owner)]


async def highlight(pilot, screen: RemindersScreen, reminder_id: int) -> None:
    """Move the list's cursor with the arrow keys to the reminder `reminder_id`."""
    target = next(i for i, r in enumerate(screen.rows) if r.id == reminder_id)
    table = screen.query_one("#reminders-table", DataTable)
    table.focus()
    steps = target - table.cursor_row
    await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps))
    await wait_for(pilot, lambda: screen.current_row() is not None and screen.current_row().id == reminder_id)


# -- the list ------------------------------------------------------------------------------------------


async def test_the_list_shows_waiting_reminders_newest_first_with_marks(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_reminders(pilot)
        text = await shows(pilot, "Reminders of Matti Myyjä (matti): 4 waiting, 3 overdue", "! overdue", "· to come")
        rows = table_lines(app)
        # newest first; overdue marked "!", the one to come "·" (marks, not only colours)
        assert [line[0] for line in rows] == ["·", "!", "!", "!"]
        for line, words in zip(rows, (["Muista messut [bold]x"], ["Lähetä tarjous"],
                                      ["Soita Virtaselle", "Virtanen Oy"], ["pekka", "Liidi Koskelta"])):
            assert all(w in line for w in words), (line, words)
        # acknowledged ones, those that need no acknowledgement, and other people's are not listed
        for absent in ("Jo kuitattu", "Ei kuittausta", "Pekan oma muistutus"):
            assert absent not in text
        # the highlighted row in full below the list, markup and control characters shown literally
        assert f"Muista messut {NASTY_SHOWN}" in screen_text(app)
        assert "To come · Reminder" in text and "Handler: Matti Myyjä (matti)" in text
        # the overdue row with a customer: red is not all it has; its details name customer and contact
        await pilot.press("down", "down")
        text = await shows(pilot, "! Overdue · Reminder · Puhelu", "Customer: Virtanen Oy", "Contact: Kalle Koski")
        await pilot.press("down")
        await shows(pilot, "! Overdue · Lead", "Handler: Pekka Pomo (pekka) · supervisor: Matti Myyjä (matti)")
        # the header of the screen counts the overdue ones
        assert screen_lines(app)[0].count("! 3 overdue · Reminders") == 1
        assert screen.rows[0].overdue is False and all(r.overdue for r in screen.rows[1:])


async def test_overdue_rows_are_red(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_reminders(pilot)
        table = screen.query_one("#reminders-table", DataTable)
        styles = [str(table.get_row_at(i)[3].style) for i in range(table.row_count)]
        assert styles == ["", "red", "red", "red"]
        assert str(table.get_row_at(0)[0].style) == "green"


async def test_enter_opens_the_customers_memo(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_reminders(pilot)
        await highlight(pilot, screen, seeded.overdue_plain)
        await pilot.press("enter")
        await shows(pilot, "This reminder has no customer.")
        assert app.screen is screen
        await highlight(pilot, screen, seeded.overdue_with_customer)
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "MemoScreen")
        assert app.screen.customer_id == seeded.customer
        await shows(pilot, "Customer memo", "Virtanen Oy")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await shows(pilot, "4 waiting, 3 overdue")


# -- acknowledging ---------------------------------------------------------------------------------------


async def test_acknowledge_needs_a_text_then_writes_the_acknowledgement(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        await shows(pilot, "! 3 overdue · Main menu")
        screen = await open_reminders(pilot)
        await highlight(pilot, screen, seeded.overdue_with_customer)
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, AcknowledgeReminderScreen))
        await shows(pilot, "Acknowledge the reminder", "Soita Virtaselle", "What was done")
        # an empty text is refused: the message shows, the form stays, nothing is written
        await pilot.press("enter")
        await shows(pilot, "! An acknowledgement needs a text: write what was done.")
        await type_text(pilot, "   ")
        await pilot.press("enter")
        await pilot.pause(0.2)
        await shows(pilot, "! An acknowledgement needs a text: write what was done.")
        assert isinstance(app.screen, AcknowledgeReminderScreen)
        assert app.screen.query_one("#rem-ack-text", Input).value == "   "
        assert "Soita Virtaselle" in waiting_texts()
        assert not [e for e in memo.entries(seeded.customer) if e.kind == "Kuittaus"]
        # with a text: the Kuittaus is written, the row goes, the count drops everywhere
        await type_text(pilot, "Soitettu, asia hoidettu")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        await shows(pilot, "Acknowledged.", "3 waiting, 2 overdue")
        assert "Soita Virtaselle" not in flat(screen_text(app)).split("Acknowledged.")[0]
        assert seeded.overdue_with_customer not in [r.id for r in screen.rows]
        await wait_for(pilot, lambda: "! 2 overdue · Reminders" in screen_lines(app)[0])
        assert "Soita Virtaselle" not in waiting_texts()
        [ack] = [e for e in memo.entries(seeded.customer) if e.kind == "Kuittaus"]
        assert ack.text == "Matti Myyjä kuittasi: Soitettu, asia hoidettu"
        assert reminders.overdue_count() == 2
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MenuScreen))
        await shows(pilot, "! 2 overdue reminders: press r to see them")


async def test_a_lead_one_supervises_is_acknowledged_by_its_handler_only_and_esc_asks_first(url):
    """crm/kuittaamattomat.php lists a lead to its supervisor too, but offers "Kuittaa" to its kuka
    (the handler) only."""
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_reminders(pilot)
        await highlight(pilot, screen, seeded.lead)
        await pilot.press("k")
        await shows(pilot, "You can acknowledge only your own reminders.")
        assert app.screen is screen and "Liidi Koskelta" in waiting_texts()
        await highlight(pilot, screen, seeded.overdue_plain)
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, AcknowledgeReminderScreen))
        await type_text(pilot, "Hoidettu")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await shows(pilot, "Throw away the acknowledgement you wrote?")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, AcknowledgeReminderScreen))
        assert app.screen.query_one("#rem-ack-text", Input).value == "Hoidettu"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        await shows(pilot, "3 waiting, 2 overdue")
        assert "Liidi Koskelta" in waiting_texts()
    with db.session("acme", "pekka"):  # the handler acknowledges it
        [lead] = [r for r in reminders.waiting() if r.id == seeded.lead]
        reminders.acknowledge(lead.id, "Hoidettu")
    with db.session("acme", "matti"):
        assert "Liidi Koskelta" not in waiting_texts()


# -- adding ----------------------------------------------------------------------------------------------


async def choose(pilot, select: Select, value: str, typed: str) -> None:
    """Open the focused Select with Enter, type the start of a choice to find it, Enter."""
    await wait_for(pilot, lambda: pilot.app.focused is select)
    await pilot.press("enter")
    await wait_for(pilot, lambda: select.expanded)
    await type_text(pilot, typed)
    await pilot.press("enter")
    await wait_for(pilot, lambda: select.value == value and not select.expanded)


async def test_adding_a_reminder_for_another_user_bad_date_refused_nothing_lost(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_reminders(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AddReminderScreen))
        form = app.screen
        today = dt.date.today()
        text = await shows(pilot, "New reminder", "Message", "For whom", "Matti Myyjä (matti)", "Date",
                           today.isoformat(), "Time 08:00", "Method", "Customer", "No acknowledgement needed")
        await type_text(pilot, "Tarjous Virtaselle")
        await pilot.press("tab")  # for whom
        owner = form.query_one("#rem-add-owner", Select)
        assert app.focused is owner
        await choose(pilot, owner, "pekka", "pek")
        await pilot.press("tab")  # the date: typing replaces it
        await type_text(pilot, "32.13.2030")
        await pilot.press("tab")
        await type_text(pilot, "14:30")
        await pilot.press("ctrl+s")
        await shows(pilot, "! Date: 32.13.2030 is not a date.")
        assert isinstance(app.screen, AddReminderScreen)
        assert form.query_one("#rem-add-text", TextArea).text == "Tarjous Virtaselle"
        assert owner.value == "pekka"
        assert form.query_one("#rem-add-date", Input).value == "32.13.2030"
        assert form.query_one("#rem-add-time", Input).value == "14:30"
        assert app.focused is form.query_one("#rem-add-date", Input)
        assert "Tarjous Virtaselle" not in waiting_texts("pekka")
        # a bad time too is the service's refusal, shown beside the form
        await type_text(pilot, "1.12.2030")
        await pilot.press("tab")
        await type_text(pilot, "25:00")
        await pilot.press("ctrl+s")
        await shows(pilot, "! Time: write the time as hh:mm, e.g. 08:00.")
        await type_text(pilot, "14:30")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        await shows(pilot, "Reminder saved.")
        [new] = [r for r in reminders.waiting("pekka") if r.text == "Tarjous Virtaselle"]
        assert (new.owner, new.due, new.customer_id, new.overdue) == (
            "pekka", dt.datetime(2030, 12, 1, 14, 30), 0, False)
        assert "Tarjous Virtaselle" not in waiting_texts()  # pekka's, not matti's


async def test_adding_with_a_customer_and_no_acknowledgement(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_reminders(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AddReminderScreen))
        form = app.screen
        await type_text(pilot, "Käy Virtasella")
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, ReminderCustomerPickerScreen))
        await type_text(pilot, "virtan")
        await shows(pilot, "Virtanen Oy (1234567-1 · Helsinki)")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is form)
        await shows(pilot, "Virtanen Oy (1234567-1 · Helsinki)")
        method = form.query_one("#rem-add-method", Select)
        method.focus()
        await choose(pilot, method, "Käynti", "kä")
        box = form.query_one("#rem-add-no-ack", Checkbox)
        box.focus()
        await pilot.press("space")
        assert box.value is True
        await shows(pilot, "▐X▌ No acknowledgement needed")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        await shows(pilot, "Reminder saved.")
        [entry] = [e for e in memo.entries(seeded.customer) if e.text == "Käy Virtasella"]
        assert (entry.kind, entry.method, entry.owner, entry.awaiting_acknowledgement) == (
            "Muistutus", "Käynti", "matti", False)
        assert entry.starts_at == dt.datetime.combine(dt.date.today(), dt.time(8, 0))
        assert "Käy Virtasella" not in waiting_texts()  # needs no acknowledgement: not listed


async def test_an_empty_message_is_refused_and_esc_on_a_changed_form_asks(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_reminders(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AddReminderScreen))
        form = app.screen
        await pilot.press("escape")  # nothing changed: closes without asking
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AddReminderScreen))
        form = app.screen
        await pilot.press("ctrl+s")
        await shows(pilot, "! Write the message.")
        await type_text(pilot, "Muista")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await shows(pilot, "Throw away the new reminder?")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is form)
        assert form.query_one("#rem-add-text", TextArea).text == "Muista"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is screen)
        assert "Muista" not in waiting_texts()
        assert len(screen.rows) == 4


async def test_a_failed_sms_is_a_warning_and_the_reminder_stays(url, sms_service):
    seed(url)
    with db.session("acme", "setup"):
        User.update(mobile="040 765 4321").where(User.login == "pekka").execute()
    sms_service.answer = "1 Virheellinen numero"
    auth.login("acme", "matti", None, mode="none")
    settings = config.Settings(db=url, company="", user="matti", lang="", auth="none", theme="ansi",
                               sms={"url": sms_service.url, "user": "acme", "password": "salainen", "timeout": 2})
    app = PupetuiApp(settings, company="acme")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_reminders(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AddReminderScreen))
        await type_text(pilot, "Soita")
        app.screen.query_one("#rem-add-owner", Select).value = "pekka"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        await shows(pilot, "Reminder saved.", "The SMS was not sent:", "Virheellinen numero")
        assert "Soita" in waiting_texts("pekka")
        assert len(sms_service.requests) == 1


# -- another calendar user's list -------------------------------------------------------------------------


async def test_a_calendar_user_switches_to_another_users_list(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_reminders(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, ReminderUserPickerScreen))
        text = await shows(pilot, "Whose reminders", "Matti Myyjä (matti)", "Pekka Pomo (pekka)")
        assert "Liisa" not in text  # not a calendar user
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: app.screen is screen and screen.owner == "pekka")
        text = await shows(pilot, "Reminders of Pekka Pomo (pekka): 2 waiting, 1 overdue")
        rows = table_lines(app)
        assert [line[0] for line in rows] == ["·", "!"]
        assert "Pekan oma muistutus" in rows[0] and "Liidi Koskelta" in rows[1]
        assert "Soita Virtaselle" not in text
        # only one's own are acknowledged here
        await highlight(pilot, screen, seeded.pekka_own)
        await pilot.press("k")
        await shows(pilot, "You can acknowledge only your own reminders.")
        assert app.screen is screen
        # the header still counts the user's own
        assert "! 3 overdue · Reminders" in screen_lines(app)[0]
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, ReminderUserPickerScreen))
        await pilot.press("up", "enter")
        await shows(pilot, "Reminders of Matti Myyjä (matti): 4 waiting, 3 overdue")


async def test_who_is_not_a_calendar_user_sees_only_their_own(url):
    seed(url)
    with db.session("acme", "setup"):
        Activity.create(kind="Muistutus", owner="liisa", acknowledgement="K", text="Liisan oma",
                        starts_at=dt.datetime.now() - dt.timedelta(days=1))
    app = logged_in_app(url, "liisa")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        await shows(pilot, "! 1 overdue · Main menu", "! 1 overdue reminder: press r to see it")
        await open_reminders(pilot)
        await shows(pilot, "Reminders of Liisa Laine (liisa): 1 waiting, 1 overdue", "Liisan oma")
        await pilot.press("u")
        await shows(pilot, "Only calendar users may see other users' reminders.")
        assert isinstance(app.screen, RemindersScreen)


# -- the overdue count -------------------------------------------------------------------------------------


async def test_the_overdue_count_shows_in_the_menu_and_every_header_and_keeps_up(url):
    seed(url)
    app = logged_in_app(url)
    app.overdue_reminders.interval = 0.2  # the app counts every minute; the test has no minute to wait
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        text = await shows(pilot, "! 3 overdue · Main menu", "! 3 overdue reminders: press r to see them")
        # another program's screen: the count is in its header too
        await pilot.press("a")
        await wait_for(pilot, lambda: not isinstance(app.screen, MenuScreen))
        await shows(pilot, "Customer list")
        assert "! 3 overdue · Customer list" in screen_lines(app)[0]
        # someone gives matti an overdue reminder: the count follows while the app runs
        with db.session("acme", "pekka"):
            Activity.create(kind="Muistutus", owner="matti", acknowledgement="K", text="Pekalta",
                            starts_at=dt.datetime.now() - dt.timedelta(minutes=5))
        await wait_for(pilot, lambda: "! 4 overdue · Customer list" in screen_lines(app)[0])
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MenuScreen))
        await shows(pilot, "! 4 overdue · Main menu", "! 4 overdue reminders: press r to see them")


async def test_nothing_overdue_shows_nothing(url):
    seed(url)
    with db.session("acme", "matti"):
        overdue = [(row.id, row.owner) for row in reminders.waiting() if row.overdue]
    for reminder_id, owner in overdue:  # each by its handler (a lead's too)
        with db.session("acme", owner):
            reminders.acknowledge(reminder_id, "ok")
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        await pilot.pause(0.3)
        text = flat(screen_text(app))
        assert "overdue" not in text
        assert "Main menu — Acme Oy (acme) — Matti Myyjä (matti)" in text


# -- keys and language ---------------------------------------------------------------------------------------


async def test_f1_lists_the_keys_and_every_binding_has_an_id(url):
    seed(url)
    for cls in (RemindersScreen, AcknowledgeReminderScreen, AddReminderScreen, ReminderCustomerPickerScreen,
                ReminderUserPickerScreen):
        for _key, binding in cls._merge_bindings():
            assert binding.id or binding.system, f"{cls.__name__}: {binding}"
            assert binding.description or binding.system, f"{cls.__name__}: {binding}"
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_reminders(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await shows(pilot, "Keys: Reminders", "Memo", "Acknowledge", "Add", "Whose list", "Read again", "Back")


async def test_finnish(url):
    seed(url)
    i18n.set_language("fi")
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        await shows(pilot, "! 3 myöhässä · Päävalikko", "! 3 myöhässä olevaa muistutusta: näet ne näppäimellä r")
        await open_reminders(pilot)
        today = dt.date.today()
        await shows(pilot, "Käyttäjän Matti Myyjä (matti) muistutukset: 4 odottaa, 3 myöhässä", "Kuittaa", "Lisää")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AddReminderScreen))
        await shows(pilot, "Uusi muistutus", today.strftime("%d.%m.%Y"), "08:00")
        await pilot.press("tab", "tab")
        await type_text(pilot, "huomenna")
        await pilot.press("ctrl+s")
        await shows(pilot, "! Kirjoita viesti.")
