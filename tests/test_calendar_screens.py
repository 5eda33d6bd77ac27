"""The calendar screens at 80x24, driven like a user would, checked on screen and through the
calendar service (what was stored is what Pupesoft would have stored); snapshots of the month
grid so that a layout regression shows as a diff.

Set PUPETUI_UPDATE_SNAPSHOTS=1 to write the snapshot files again after a deliberate change.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import icalendar
import pytest
from rich.console import Console
from textual.widgets import Input, Select, SelectionList, TextArea

from pupetui import config, db, i18n
from pupetui.app import PupetuiApp
from pupetui.models import Activity, Company, CompanyParameters, Customer, Keyword, Permission, User
from pupetui.screens.calendar import CalendarScreen
from pupetui.screens.calendar_forms import (
    ConfirmScreen, CustomerPickerScreen, EntryFormScreen, EntryTypeFormScreen, EntryTypesScreen, ExportScreen,
    GoToDateScreen, SearchScreen, UserPickerScreen, refusal_text,
)
from pupetui.screens.help import HelpScreen
from pupetui.services import auth, calendar, calendar_view
from pupetui.services.programs import MAINTENANCES, PROGRAMS
from pupetui.services.validation import ValidationError
from pupetui.widgets.month_grid import GridTexts, grid_text, legible_colour, render_grid

SIZE = (80, 24)
TODAY = dt.date(2026, 5, 12)  # a Tuesday
SNAPSHOTS = Path(__file__).with_name("snapshots")
NASTY_CUSTOMER = "[b]Virtanen[/b] Oy"
NASTY_COMMENT = "Esittely [red]tärkeä[/red] \x1b[31m"
D = dt.datetime


# -- the database -------------------------------------------------------------------------------------


@dataclass
class Seeded:
    customer: int
    visit: int  # matti 12.5. 09:00-10:00, customer, km
    call: int  # matti 12.5. 09:30-10:30 (overlaps the visit)
    holiday: int  # matti 13.5. all day
    trip: int  # matti 18.5.-20.5. all day
    pekka: int  # pekka 12.5. 11:00-12:00


def seed(url: str, *, slot: str = "30", multi_user: str = "") -> Seeded:
    """A company, calendar users (matti, pekka, liisa; eino without the right), KALETAPA types
    with colours, a customer whose name has markup in it, and May 2026 entries."""
    d = db.connect(url)
    with db.session("acme", "setup"):
        Company.create(name="Acme Oy")
        CompanyParameters.create(calendar_slot_minutes=slot, multi_user_calendar=multi_user)
        User.create(login="matti", name="Matti Myyjä")
        User.create(login="pekka", name="Pekka Pomo")
        User.create(login="liisa", name="Liisa Laine")
        User.create(login="eino", name="Eino Ei-kalenteria")
        for program in PROGRAMS:
            Permission.create(login="matti", script=program.script, subname="")
        for program in MAINTENANCES:  # Pupesoft's maintenances, with the update flag
            Permission.create(login="matti", script=program.script, subname=program.subnames[0], may_update="1")
        for login in ("pekka", "liisa"):
            Permission.create(login=login, script="crm/kalenteri.php", subname="")
        Keyword.create(kind="KALETAPA", value="1", text="Käynti asiakkaalla", text_2="#00aa00", order=1)
        Keyword.create(kind="KALETAPA", value="2", text="Puhelu", text_2="#4E79A7", order=2)
        Keyword.create(kind="KALETAPA", value="3", text="Loma", text_2="red", order=3)
        Keyword.create(kind="KALETAPA", value="4", text="Palaveri", text_2="", order=4)
        customer = Customer.create(name=NASTY_CUSTOMER, business_id="1234567-1", customer_no="1001", city="Turku")
        Customer.create(name="Aalto Oy", business_id="7654321-0", customer_no="1002", city="Oulu")

    def entry(owner, start, end, **kw):
        return Activity.create(kind="kalenteri", owner=owner, created_by=owner, starts_at=start, ends_at=end, **kw).id

    with db.session("acme", "matti"):
        visit = entry("matti", D(2026, 5, 12, 9), D(2026, 5, 12, 10), method="Käynti asiakkaalla",
                      customer_id=customer.id, business_id="1234567-1", text=NASTY_COMMENT, kilometres="12")
        call = entry("matti", D(2026, 5, 12, 9, 30), D(2026, 5, 12, 10, 30), method="Puhelu", text="Soitto")
        holiday = entry("matti", D(2026, 5, 13), D(2026, 5, 13, 23, 59, 59), all_day="x", method="Loma")
        trip = entry("matti", D(2026, 5, 18), D(2026, 5, 20, 23, 59, 59), all_day="x", method="Loma", text="Mökki")
        entry("matti", D(2026, 5, 29, 8), D(2026, 5, 29, 9), method="Palaveri")
        entry("matti", D(2026, 6, 2, 8), D(2026, 6, 2, 9), method="Puhelu", text="kesäkuu")
    with db.session("acme", "pekka"):
        pekka = entry("pekka", D(2026, 5, 12, 11), D(2026, 5, 12, 12), method="Palaveri", text="Pekan palaveri")
    d.close()
    return Seeded(customer.id, visit, call, holiday, trip, pekka)


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
    auth.login("acme", user, None, mode="none")
    settings = config.Settings(db=url, company="", user=user, lang="", auth="none", theme="ansi")
    return PupetuiApp(settings, company="acme")


# -- what the user sees -----------------------------------------------------------------------------------


def screen_text(app: PupetuiApp) -> str:
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
    await wait_for(pilot, lambda: all(flat(t) in flat(screen_text(pilot.app)) for t in texts))
    return flat(screen_text(pilot.app))


async def notified(pilot, text: str) -> None:
    """Wait for a notification with `text` (toasts lie over the screen, so its words mix with
    what is beneath them in the screen's text)."""
    await wait_for(pilot, lambda: any(text in n.message for n in pilot.app._notifications))


async def open_calendar(pilot, today: dt.date = TODAY) -> CalendarScreen:
    app = pilot.app
    await wait_for(pilot, lambda: app.screen.__class__.__name__ == "MenuScreen")
    app.push_screen(CalendarScreen(today=today))
    await wait_for(pilot, lambda: isinstance(app.screen, CalendarScreen) and app.screen.ready)
    await pilot.pause()
    return app.screen


async def type_go_to(pilot, text: str) -> None:
    """g, the date typed in its prompt, Enter."""
    await pilot.press("g")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, GoToDateScreen))
    await fill(pilot, pilot.app.screen.query_one("#goto-date", Input), text)
    await pilot.press("enter")


async def ready(pilot, screen: CalendarScreen) -> None:
    await wait_for(pilot, lambda: pilot.app.screen is screen and screen.ready)
    await pilot.pause()


def stored(owner: str, day: dt.date) -> list[calendar.Entry]:
    with db.session("acme", owner):
        return calendar.entries_for_day([owner], day)


async def fill(pilot, widget: Input, text: str) -> None:
    """Focus the field, empty it and type `text` as keys."""
    widget.focus()
    await pilot.pause()
    widget.value = ""
    await pilot.press(*text)


# -- the month grid and moving about --------------------------------------------------------------------------


async def test_moving_by_day_week_month_year_today_and_to_a_typed_date(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_calendar(pilot)
        text = await shows(pilot, "May 2026", "[12]*", "Tuesday 2026-05-12 · today")
        assert "Wk Mon Tue Wed Thu Fri Sat Sun" in text
        assert "20 11 [12]*" in text  # ISO week 20 starts on the 11th; the 12th is selected and today
        await pilot.press("right")
        await shows(pilot, "[13]", "Wednesday 2026-05-13")
        await pilot.press("l", "l")
        assert screen.selected == dt.date(2026, 5, 15)
        await pilot.press("left", "h")
        assert screen.selected == dt.date(2026, 5, 13)
        await pilot.press("down")
        assert screen.selected == dt.date(2026, 5, 20)
        await pilot.press("k", "k")
        assert screen.selected == dt.date(2026, 5, 6)
        await pilot.press("j")
        assert screen.selected == dt.date(2026, 5, 13)
        await pilot.press("m")
        await ready(pilot, screen)
        await shows(pilot, "June 2026", "[13]", "Saturday 2026-06-13")
        await pilot.press("M", "M")
        await ready(pilot, screen)
        await shows(pilot, "April 2026", "[13]")
        await pilot.press("y")
        await ready(pilot, screen)
        await shows(pilot, "April 2027", "Tuesday 2027-04-13")
        await pilot.press("Y")
        await ready(pilot, screen)
        await pilot.press("t")
        await ready(pilot, screen)
        assert screen.selected == TODAY
        await shows(pilot, "May 2026", "[12]*")
        # go to a typed date: a bad one is refused in the prompt, a good one goes there
        await type_go_to(pilot, "31.2.2026")
        await shows(pilot, "Date: '31.2.2026' is not a date")
        assert isinstance(app.screen, GoToDateScreen)
        await fill(pilot, app.screen.query_one("#goto-date", Input), "24.12.2026")
        await pilot.press("enter")
        await ready(pilot, screen)
        await shows(pilot, "December 2026", "[24]", "Thursday 2026-12-24")
        # last day of a month to the next month: 31.1. + 1 month = 28.2.
        screen.move_to(dt.date(2027, 1, 31))
        await pilot.press("m")
        await ready(pilot, screen)
        assert screen.selected == dt.date(2027, 2, 28)


async def test_moving_stops_at_the_first_and_last_year_a_date_may_have(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_calendar(pilot)
        await type_go_to(pilot, "30.12.9998")
        await ready(pilot, screen)
        await shows(pilot, "December 9998", "[30]")
        await pilot.press("m", "y", "l", "l", "down")
        await ready(pilot, screen)
        assert screen.selected == dt.date(9998, 12, 31)
        await shows(pilot, "December 9998", "[31]", "9998-12-31")
        screen.move_to(dt.date(1000, 1, 2))
        await pilot.press("M", "Y", "h", "h", "up")
        await ready(pilot, screen)
        assert screen.selected == dt.date(1000, 1, 1)
        await shows(pilot, "January 1000", "[ 1]", "1000-01-01")
        assert not any(n.severity == "error" for n in app._notifications)


async def test_month_shows_entries_with_times_types_all_day_bars_and_more(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_calendar(pilot)
        lines = screen.grid.text_lines()
        text = "\n".join(lines)
        assert "09:00 Käyn" in text  # the first entry of the 12th: time and type
        assert "+1" in lines[5]  # the 12th has two entries, one line for them: one shown, "+1"
        assert " Loma" in text  # the all-day entry of the 13th, and the trip of 18.-20.5.
        assert text.count(" Loma") == 4
        # the day's agenda: slots, overlapping entries side by side, the customer literally
        agenda = "\n".join(screen.agenda.text_lines())
        assert "09:00 ▌09:00–10:00 Käynti asiakkaalla" in agenda
        assert "▌09:30–10:30 Puhelu" in agenda
        assert re.search(r"09:30 ▌\S.*▌09:30–10:30 Puhelu", agenda), agenda  # side by side
        assert NASTY_CUSTOMER in agenda  # markup shown as typed
        # the title of the day names the cursor's entry
        await shows(pilot, "Tuesday 2026-05-12 · today · 2 entries · 09:00–10:00 Käynti asiakkaalla")


async def test_views_week_and_day(url):
    seed(url, slot="15")
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_calendar(pilot)
        await pilot.press("v")
        text = await shows(pilot, "Week 20 · May 2026", "[Tue 12]*")
        assert "Mon 11" in text and "Sun 17" in text
        assert "Loma" in text  # the all-day entry of Wednesday, on top
        assert "09:15" in text  # 15-minute slots (kalenteri_aikavali)
        week = "\n".join(screen.week.text_lines())
        assert re.search(r"^09:00 +│▌09:00 Kä│", week, re.M), week
        await pilot.press("right")  # arrows still move the day in the week view
        assert screen.selected == dt.date(2026, 5, 13)
        await pilot.press("left", "v")
        text = await shows(pilot, "2026-05-12 · May 2026", "Tuesday 2026-05-12")
        assert "09:15" in text and "09:45" in text
        assert screen.focused is screen.agenda
        await pilot.press("v")
        await shows(pilot, "Wk Mon Tue")


async def test_snapshot_of_the_month_grid_text():
    """The pure rendering of a fixed month, entries and today: a layout change shows as a diff."""
    entries = [
        calendar.Entry(1, "matti", "matti", D(2026, 5, 12, 9), D(2026, 5, 12, 10), False, "Käynti asiakkaalla",
                       7, NASTY_CUSTOMER, "", "12", "", False),
        calendar.Entry(2, "matti", "matti", D(2026, 5, 12, 9, 30), D(2026, 5, 12, 10, 30), False, "Puhelu",
                       0, "", "", "", "", False),
        calendar.Entry(3, "pekka", "pekka", D(2026, 5, 12, 11), D(2026, 5, 12, 12), False, "", 0, "",
                       "[bold]Pekan[/bold] palaveri", "", "", False),
        calendar.Entry(4, "matti", "matti", D(2026, 5, 18), D(2026, 5, 20, 23, 59, 59), True, "Loma",
                       0, "", "", "", "", False),
        calendar.Entry(5, "matti", "matti", D(2026, 4, 30, 22), D(2026, 5, 1, 2), False, "Palaveri",
                       0, "", "", "", "", False),
    ]
    data = calendar_view.month_data(entries, ["matti", "pekka"], 2026, 5)
    for height, name in ((13, "month_grid_2026_05_80x13.txt"), (21, "month_grid_2026_05_80x21.txt")):
        lines = render_grid(2026, 5, selected=dt.date(2026, 5, 20), today=TODAY, days=data.days, width=80,
                            height=height, letters={"matti": "M", "pekka": "P"}, texts=GridTexts())
        assert all(line.cell_length == 80 for line in lines)
        check_snapshot(name, grid_text(lines))


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("PUPETUI_UPDATE_SNAPSHOTS") == "1" or not path.exists():
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
        if os.environ.get("PUPETUI_UPDATE_SNAPSHOTS") != "1":
            pytest.fail(f"{path} did not exist: written now, check it and run again")
    expected = path.read_text(encoding="utf-8").rstrip("\n")
    assert text == expected, f"the month grid changed; if on purpose, PUPETUI_UPDATE_SNAPSHOTS=1:\n{text}"


async def test_snapshot_of_the_month_grid_on_screen(url):
    """The grid as drawn in the app at 80x24 (the widget's lines), styles of the marked days."""
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_calendar(pilot)
        grid = screen.grid
        assert grid.size.width == 80 and grid.size.height == 11  # 5 weeks of 2 lines, and the weekdays
        check_snapshot("month_grid_screen_2026_05.txt", "\n".join(line.rstrip() for line in grid.text_lines()))
        # the selected day in reverse video, weekends bold: distinct by more than colour
        lines = grid.build_lines()
        selected = next(s for s in lines[5] if "[12]" in s.text)
        assert selected.style.reverse
        sunday = [s for s in lines[3] if s.text.strip() == "10"]
        assert sunday and sunday[0].style.bold
        today = next(s for s in lines[5] if "*" in s.text)
        assert today.style.underline


def test_colours_map_to_sixteen_legible_ones():
    assert legible_colour("#00aa00") == "green"
    assert legible_colour("red") == "red"
    assert legible_colour("#4E79A7") == "bright_blue"  # no dark blue on dark backgrounds
    assert legible_colour("#FF9DA7") == "bright_red"
    assert legible_colour("#EDC948") == "yellow"
    assert legible_colour("#BAB0AC") is None  # grey: the text's own colour
    assert legible_colour("#000000") is None and legible_colour("white") is None
    assert legible_colour("no such colour") is None and legible_colour("") is None


def test_day_layout_puts_overlapping_entries_side_by_side():
    def e(i, start, end, all_day=False):
        return calendar.Entry(i, "m", "m", start, end, all_day, "", 0, "", "", "", "", False)

    day = dt.date(2026, 5, 12)
    entries = [
        e(1, D(2026, 5, 12, 9), D(2026, 5, 12, 10)),
        e(2, D(2026, 5, 12, 9, 30), D(2026, 5, 12, 10, 30)),
        e(3, D(2026, 5, 12, 10), D(2026, 5, 12, 11)),  # takes column 0 again after the first
        e(4, D(2026, 5, 12, 14), D(2026, 5, 12, 14)),  # no length: one slot
        e(5, D(2026, 5, 11, 20), D(2026, 5, 12, 8)),  # from the day before
        e(6, D(2026, 5, 12), D(2026, 5, 12, 23, 59, 59), True),
        e(7, D(2026, 5, 12, 9), D(2026, 5, 12, 9, 45)),  # a third column: hidden with max 2
    ]
    layout = calendar_view.day_layout(entries, day, 30, max_columns=2)
    placed = {p.entry.id: p for p in layout.placed}
    assert [x.id for x in layout.whole_day] == [6]
    assert (placed[5].start_row, placed[5].end_row, placed[5].from_before) == (0, 16, True)
    assert (placed[1].start_row, placed[1].end_row, placed[1].column) == (18, 20, 0)
    assert (placed[7].column, placed[7].columns) == (1, 2)  # 09:00-09:45 beside 09:00-10:00
    assert [e.id for e in layout.hidden[19]] == [2]  # a third column did not fit: "+1" at 09:30
    assert placed[3].column == 0 and placed[3].columns == 2  # 10:00 takes the freed column
    assert (placed[4].start_row, placed[4].end_row, placed[4].columns) == (28, 29, 1)
    wide = calendar_view.day_layout(entries, day, 30, max_columns=4)
    assert not wide.hidden and {p.entry.id: p.column for p in wide.placed}[2] == 2
    assert [x.id for x in layout.order][:2] == [6, 5]


# -- entries: adding, editing, deleting, refusing ---------------------------------------------------------------


async def test_adding_an_entry_through_the_form(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_calendar(pilot)
        await pilot.press("right", "right")  # Thursday 14.5.
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryFormScreen))
        form = app.screen
        await shows(pilot, "New calendar entry", "Start", "End", "Type", "Calendar of", "Customer", "Comment",
                    "Kilometres", "Per diems", "(none: a personal entry)")
        assert form.query_one("#entry-start-date", Input).value == "2026-05-14"  # the selected day
        await fill(pilot, form.query_one("#entry-start-time", Input), "13:30")
        await fill(pilot, form.query_one("#entry-end-time", Input), "14:30")
        form.query_one("#entry-type", Select).value = "Käynti asiakkaalla"
        # the customer picker: search by business id, Enter chooses
        form.query_one("#entry-customer").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CustomerPickerScreen))
        await pilot.press(*"1234567")
        await shows(pilot, NASTY_CUSTOMER + " (1234567-1 · 1001 · Turku)")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is form)
        await shows(pilot, NASTY_CUSTOMER)
        form.query_one("#entry-comment", TextArea).focus()
        await pilot.press(*"Demo [b]", "enter", *"toinen rivi")
        await fill(pilot, form.query_one("#entry-km", Input), "42,5")
        await fill(pilot, form.query_one("#entry-per-diems", Input), "1")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        await ready(pilot, screen)
        [entry] = stored("matti", dt.date(2026, 5, 14))
        assert (entry.starts_at, entry.ends_at, entry.all_day) == (D(2026, 5, 14, 13, 30), D(2026, 5, 14, 14, 30), False)
        assert (entry.type, entry.customer_id, entry.kilometres, entry.per_diems) == (
            "Käynti asiakkaalla", seeded.customer, "42.5", "1")
        assert entry.comment == "Demo [b]\ntoinen rivi" and entry.owner == "matti" and not entry.done
        assert screen.cursor == entry.id
        await shows(pilot, "Thursday 2026-05-14", "13:30–14:30 Käynti asiakkaalla")


async def test_adding_an_all_day_entry_for_several_days_without_a_customer(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_calendar(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryFormScreen))
        form = app.screen
        form.query_one("#entry-all-day").focus()
        await pilot.press("space")
        assert form.query_one("#entry-start-time", Input).disabled
        await fill(pilot, form.query_one("#entry-end-date", Input), "15.05.2026")
        form.query_one("#entry-type", Select).value = "Loma"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        await ready(pilot, screen)
        mine = [e for e in stored("matti", dt.date(2026, 5, 14)) if e.type == "Loma"]
        assert len(mine) == 1
        entry = mine[0]
        assert (entry.starts_at, entry.ends_at, entry.all_day, entry.customer_id) == (
            D(2026, 5, 12), D(2026, 5, 15, 23, 59, 59), True, 0)


async def test_bad_input_is_refused_with_the_message_and_nothing_is_lost(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_calendar(pilot)
        before = len(stored("matti", TODAY))
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryFormScreen))
        form = app.screen
        await fill(pilot, form.query_one("#entry-start-time", Input), "15:00")
        await fill(pilot, form.query_one("#entry-end-time", Input), "14:00")
        form.query_one("#entry-comment", TextArea).text = "Tärkeä muistiinpano"
        await pilot.press("ctrl+s")
        await shows(pilot, "The end is before the start.")
        assert app.screen is form
        end = form.query_one("#entry-end-time", Input)
        assert end.has_class("-invalid") and app.focused is end
        assert end.value == "14:00" and form.query_one("#entry-start-time", Input).value == "15:00"
        assert form.query_one("#entry-comment", TextArea).text == "Tärkeä muistiinpano"
        # a time off Pupesoft's slot grid (the company's kalenteri_aikavali: 30 minutes) says why
        await fill(pilot, end, "16:10")
        await pilot.press("ctrl+s")
        await shows(pilot, "End time: 16:10 is not a time of Pupesoft's calendar: use 08:30-18:00 every 30")
        assert app.focused is end and end.has_class("-invalid") and end.value == "16:10"
        start = form.query_one("#entry-start-time", Input)
        await fill(pilot, start, "07:45")
        await fill(pilot, end, "16:00")
        await pilot.press("ctrl+s")
        await shows(pilot, "Start time: 07:45 is not a time of Pupesoft's calendar: use 08:00-17:30 every 30")
        assert app.focused is start and start.value == "07:45"
        await fill(pilot, start, "15:00")
        # no type: Pupesoft's calendar needs one
        chosen = form.query_one("#entry-type", Select).value
        form.query_one("#entry-type", Select).value = Select.NULL
        await pilot.press("ctrl+s")
        await shows(pilot, "Choose a type: Pupesoft's calendar needs one.")
        assert app.focused is form.query_one("#entry-type", Select)
        form.query_one("#entry-type", Select).value = chosen
        assert form.query_one("#entry-comment", TextArea).text == "Tärkeä muistiinpano"
        # negative kilometres
        await fill(pilot, end, "16:00")
        await fill(pilot, form.query_one("#entry-km", Input), "-5")
        await pilot.press("ctrl+s")
        await shows(pilot, "Kilometres: cannot be negative")
        assert app.focused is form.query_one("#entry-km", Input)
        assert form.query_one("#entry-comment", TextArea).text == "Tärkeä muistiinpano"
        # a bad date
        await fill(pilot, form.query_one("#entry-km", Input), "5")
        await fill(pilot, form.query_one("#entry-start-date", Input), "32.5.2026")
        await pilot.press("ctrl+s")
        await shows(pilot, "Start date: '32.5.2026' is not a date")
        assert len(stored("matti", TODAY)) == before  # nothing was written
        # Esc on a changed form asks; keeping goes on editing, throwing away closes it
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is form)
        assert form.query_one("#entry-comment", TextArea).text == "Tärkeä muistiinpano"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is screen)
        assert len(stored("matti", TODAY)) == before


async def test_editing_an_entry(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_calendar(pilot)
        assert screen.cursor == seeded.visit
        await pilot.press("n")  # the next entry of the day: the call
        assert screen.cursor == seeded.call
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryFormScreen))
        form = app.screen
        await shows(pilot, "Edit the calendar entry")
        assert form.query_one("#entry-start-time", Input).value == "09:30"
        assert form.query_one("#entry-comment", TextArea).text == "Soitto"
        assert form.query_one("#entry-type", Select).value == "Puhelu"
        await fill(pilot, form.query_one("#entry-end-time", Input), "11:00")
        form.query_one("#entry-done").focus()
        await pilot.press("space")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        await ready(pilot, screen)
        call = next(e for e in stored("matti", TODAY) if e.id == seeded.call)
        assert (call.starts_at, call.ends_at, call.done, call.comment) == (
            D(2026, 5, 12, 9, 30), D(2026, 5, 12, 11), True, "Soitto")
        # Enter edits too; Esc on an unchanged form closes it without asking
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryFormScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)


async def test_deleting_asks_first(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_calendar(pilot)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await shows(pilot, "Delete the entry 2026-05-12 09:00 Käynti asiakkaalla · " + NASTY_CUSTOMER)
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen)
        assert any(e.id == seeded.visit for e in stored("matti", TODAY))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is screen and screen.ready and screen.cursor == seeded.call)
        assert [e.id for e in stored("matti", TODAY)] == [seeded.call]
        with db.session("acme", "matti"):  # Pupesoft's calendar deletes the row (kalenteri.php tee=POISTA)
            assert Activity.get_or_none(Activity.id == seeded.visit) is None
        await shows(pilot, "1 entry")


async def test_two_users_calendars_shown_with_letters_and_others_entries_refused(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_calendar(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, UserPickerScreen))
        picker = app.screen
        text = await shows(pilot, "Whose calendars", "L Liisa Laine (liisa)", "M Matti Myyjä (matti)",
                           "P Pekka Pomo (pekka)")
        assert "eino" not in text  # no calendar right
        users = picker.query_one("#users-list", SelectionList)
        assert users.selected == ["matti"]
        users.highlighted = 2
        await pilot.press("space", "enter")
        await wait_for(pilot, lambda: app.screen is screen)
        await ready(pilot, screen)
        assert screen.owners == ["matti", "pekka"]
        text = await shows(pilot, "M Matti Myyjä P Pekka Pomo")
        grid = "\n".join(screen.grid.text_lines())
        assert "M09:00 Käy" in grid  # each entry with its owner's letter
        agenda = "\n".join(screen.agenda.text_lines())
        assert "M Käynti asiakkaalla" in agenda and "P Palaveri" in agenda
        # pekka's entry: matti may see it but not change or delete it
        while screen.cursor != seeded.pekka:
            await pilot.press("n")
        await pilot.press("e")
        await notified(pilot, "Only Pekka Pomo, whose entry it is, may change it.")
        assert app.screen is screen
        await pilot.press("d")
        await notified(pilot, "Only Pekka Pomo, whose entry it is, may delete it.")
        assert app.screen is screen
        assert any(e.id == seeded.pekka for e in stored("pekka", TODAY))


async def test_multi_user_calendar_restricts_the_picker(url):
    seed(url, multi_user="K")
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_calendar(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, UserPickerScreen))
        text = await shows(pilot, "Matti Myyjä (matti)")
        assert "Pekka" not in text and "Liisa" not in text


async def test_stale_month_results_are_never_shown(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_calendar(pilot)
        may_key = screen.wanted
        may = screen.data
        await pilot.press("m")
        await ready(pilot, screen)
        assert (screen.data.year, screen.data.month) == (2026, 6)
        screen.post_message(CalendarScreen.MonthLoaded(may_key, may))  # May's answer, late
        await pilot.pause()
        await pilot.pause()
        assert (screen.data.year, screen.data.month) == (2026, 6)
        await shows(pilot, "June 2026 · 1 entry")


async def test_search_goes_to_the_entry(url):
    seeded = seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_calendar(pilot)
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press(*"Mökki", "enter")
        await shows(pilot, "1 found", "2026-05-18 Loma · Mökki")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        await ready(pilot, screen)
        assert screen.selected == dt.date(2026, 5, 18) and screen.cursor == seeded.trip
        await shows(pilot, "Monday 2026-05-18", "All day Loma · Mökki")


async def test_markup_in_comments_and_customer_names_is_shown_literally(url):
    seed(url, slot="15")
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_calendar(pilot)
        await pilot.press("v", "v")  # the day view: room for the comment
        text = await shows(pilot, NASTY_CUSTOMER, "Esittely [red]tärkeä[/red] [31m")
        assert "\x1b" not in screen_text(app)


async def test_f1_lists_the_calendar_keys(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_calendar(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        keys = dict((d, k) for k, d in app.screen.keys)
        for description in ("Next day", "Previous week", "Next month", "Previous year", "Today", "Go to", "Add",
                            "Edit", "Delete", "Search", "Users", "View", "Calendar types",
                            "Export an iCalendar file"):
            assert description in keys, description
        assert "m" in keys["Next month"] and "g" in keys["Go to"]


# -- types and export -----------------------------------------------------------------------------------------


async def test_a_calendar_type_needs_pupesofts_keyword_maintenance_right(url):
    """Types are Pupesoft's KALETAPA keywords: saving one needs yllapito.php 'avainsana' with the
    update flag; pekka (a calendar user without it) is told so and keeps what he typed."""
    seed(url)
    app = logged_in_app(url, "pekka")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_calendar(pilot)
        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryTypesScreen) and app.screen.loaded)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryTypeFormScreen))
        form = app.screen
        await pilot.press(*"Sauna")
        await pilot.press("ctrl+s")
        await shows(pilot, "You may not save this: it needs the right to Edit keywords")
        assert app.screen is form
        assert "Sauna" in [i.value for i in form.query(Input)]
        with db.session("acme", "pekka"):
            assert "Sauna" not in [t.text for t in calendar.entry_types()]


async def test_calendar_types_added_edited_and_in_use_ones_not_deleted(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_calendar(pilot)
        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryTypesScreen) and app.screen.loaded)
        types_screen = app.screen
        await shows(pilot, "Calendar types", "Käynti asiakkaalla", "#00aa00", "green", "Puhelu", "light blue")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryTypeFormScreen))
        form = app.screen
        await pilot.press(*"Sauna")
        await fill(pilot, form.query_one("#type-colour", Input), "#zzz")
        await pilot.press("ctrl+s")
        await shows(pilot, "Colour '#zzz': write #rrggbb or a colour name such as red.")
        await fill(pilot, form.query_one("#type-colour", Input), "#ff00ff")
        await fill(pilot, form.query_one("#type-order", Input), "9")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is types_screen)
        await shows(pilot, "Sauna", "#ff00ff")
        with db.session("acme", "matti"):
            assert [(t.text, t.colour, t.order) for t in calendar.entry_types()][-1] == ("Sauna", "#ff00ff", 9)
        # the first type is used by entries: refused with the service's reason
        await pilot.press("ctrl+home", "d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await shows(pilot, "The type Käynti asiakkaalla is used by entries and cannot be deleted")
        # the new one is not: deleted
        await pilot.press("ctrl+end", "d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await shows(pilot, "Deleted Sauna.")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)


async def test_export_as_icalendar(url, tmp_path):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_calendar(pilot)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        form = app.screen
        assert form.query_one("#export-start", Input).value == "2026-05-01"
        assert form.query_one("#export-end", Input).value == "2026-05-31"
        await fill(pilot, form.query_one("#export-file", Input), str(tmp_path / "no such folder" / "k.ics"))
        await pilot.press("ctrl+s")
        await shows(pilot, "The folder")
        target = tmp_path / "kalenteri.ics"
        await fill(pilot, form.query_one("#export-file", Input), str(target))
        await pilot.press("ctrl+s")
        await notified(pilot, f"Exported 5 entries to {target}.")
        events = icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT")
        assert len(events) == 5


def test_refusals_in_finnish():
    i18n.set_language("fi")
    assert refusal_text(ValidationError("the end is before the start", "end time")) == "Loppu on ennen alkua."
    assert refusal_text(ValidationError("kilometres: cannot be negative", "kilometres")) == (
        "Kilometrit: ei voi olla negatiivinen")
    assert refusal_text(ValidationError("start date: '32.5.2026' is not a date", "start date")) == (
        "Alkupäivä: '32.5.2026' ei ole päivämäärä")
    assert refusal_text(ValidationError("something new")) == "Something new."


async def test_finnish_month_names_and_dates(url):
    seed(url)
    i18n.set_language("fi")
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_calendar(pilot)
        text = await shows(pilot, "Toukokuu 2026", "Tiistai 12.05.2026 · tänään", "Vk Ma Ti Ke To Pe La Su")
        assert "2 merkintää" in text


# -- the screens' read of a month is the service's ----------------------------------------------------------


def test_the_month_read_for_the_screen_matches_the_service(database):
    """calendar_view reads a month as tuples (faster); it must return what calendar does."""
    with db.session("acme", "anna"):
        CompanyParameters.create(multi_user_calendar="")
        for login in ("anna", "pekka"):
            User.create(login=login, name=login.capitalize())
            Permission.create(login=login, script="crm/kalenteri.php")
        customer = Customer.create(name="Virtanen Oy", business_id="1234567-1")

        def entry(owner, start, end, **kw):
            Activity.create(kind="kalenteri", owner=owner, starts_at=start, ends_at=end, **kw)

        entry("anna", D(2026, 4, 27, 8), D(2026, 4, 27, 9), text="first grid day")
        entry("anna", D(2026, 4, 26, 23), D(2026, 4, 27, 1), text="from the day before the grid")
        entry("anna", D(2026, 5, 12, 9), D(2026, 5, 12, 10), method="Puhelu", customer_id=customer.id,
              kilometres="12.5", per_diems="1", acknowledgement="K", text="[b]x[/b]")
        entry("anna", D(2026, 5, 13), D(2026, 5, 15, 23, 59, 59), all_day="x", method="Loma")
        entry("pekka", D(2026, 5, 31, 23), D(2026, 6, 1, 2), text="over the end of the month")
        entry("anna", D(2026, 6, 1), D(2026, 6, 1, 1), text="after the grid")
        entry("anna", D(2026, 5, 20, 10), D(2026, 5, 20, 9), text="ends before it starts")
        Activity.create(kind="Memo", owner="anna", starts_at=D(2026, 5, 12, 9), ends_at=D(2026, 5, 12, 9))
        Activity.create(kind="DELETED kalenteri", owner="anna", starts_at=D(2026, 5, 12, 9), ends_at=D(2026, 5, 12, 10))
        owners = ["anna", "pekka", "nobody"]
        expected = calendar.entries_for_month(owners, 2026, 5)
        data = calendar_view.load_month(owners, 2026, 5)
        got = sorted({e.id: e for entries in data.days.values() for e in entries}.values(),
                     key=lambda e: (e.starts_at, e.id))
        assert got == expected and data.count == len(expected) == 6
        assert data.on(dt.date(2026, 5, 14))[0].type == "Loma"  # every day of a long entry
        assert [e.comment for e in data.on(dt.date(2026, 5, 31))] == ["over the end of the month"]
        CompanyParameters.update(multi_user_calendar="K").execute()  # anna is no sales manager now
        assert calendar_view.load_month(owners, 2026, 5).on(dt.date(2026, 5, 31)) == ()


async def test_a_reminder_is_in_the_calendar_as_in_pupesofts_and_is_changed_in_reminders(url):
    """Pupesoft's day view draws tyyppi 'muistutus' rows beside calendar entries; pupetui shows them
    too, and sends the user to Reminders to change one (Pupesoft's calendar form would turn it into
    a calendar entry)."""
    seeded = seed(url)
    with db.session("acme", "matti"):
        reminder = Activity.create(kind="Muistutus", owner="matti", created_by="matti", method="Puhelu",
                                   starts_at=D(2026, 5, 12, 11), ends_at=D(2026, 5, 12, 11, 30),
                                   text="Soita takaisin", acknowledgement="K").id
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_calendar(pilot)
        await shows(pilot, "11:00–11:30 Puhelu")
        assert screen.cursor == seeded.visit
        await pilot.press("n", "n")
        assert screen.cursor == reminder
        await pilot.press("e")
        await notified(pilot, "This is a reminder: change or acknowledge it in Reminders")
        assert app.screen is screen
        await pilot.press("d")
        await notified(pilot, "This is a reminder")
        assert app.screen is screen
    with db.session("acme", "matti"):
        assert Activity.get_by_id(reminder).kind == "Muistutus"
