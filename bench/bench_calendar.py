"""The calendar with a busy month: 5,000 entries of four users shown at once, on SQLite, 80x24.

    python bench/bench_calendar.py
    python bench/bench_calendar.py --entries 20000 --runs 30

(1) The grid ready after the data arrives: from the month's entries (as the worker returns them)
    to every line of the month grid, the day agenda and the week view drawn at 80x24 (grouping
    by day included). Baselines in the same run: the same with an empty month, and a Textual
    DataTable given the same 5,000 rows (what a list of the month would cost).
(2) Moving to the next month end to end: from the key m (or M back) reaching the running app to
    the frame that shows the new month with its entries being written to the terminal (the
    query in the worker thread, grouping, layout, drawing). The query alone is printed beside.

Prints figures (median, 90th percentile, max of the runs); asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual import events  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import DataTable  # noqa: E402

from pupetui import config, db, i18n  # noqa: E402
from pupetui.app import PupetuiApp  # noqa: E402
from pupetui.models import Activity, Company, CompanyParameters, Customer, Keyword, Permission, User  # noqa: E402
from pupetui.screens.calendar import CalendarScreen  # noqa: E402
from pupetui.services import auth, calendar, calendar_view, schema  # noqa: E402
from pupetui.services.programs import PROGRAMS  # noqa: E402

SIZE = (80, 24)
USERS = ("matti", "pekka", "liisa", "sanna")
TYPES = (("Käynti asiakkaalla", "#59A14F"), ("Puhelu", "#4E79A7"), ("Palaveri", "#F28E2B"),
         ("Loma", "#E15759"), ("Lääkäri", "#FF9DA7"), ("Muu", "#BAB0AC"))
MAY = (2026, 5)
JUNE = (2026, 6)


def figures(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p90 = ms[max(0, round(0.9 * (len(ms) - 1)))]
    return f"median {statistics.median(ms):7.1f} ms   p90 {p90:7.1f} ms   max {ms[-1]:7.1f} ms"


def row(label: str, values: list[float], note: str = "") -> None:
    print(f"    {label:<30}{figures(values)}" + (f"   ({note})" if note else ""))


def make_database(path: Path, per_month: int) -> str:
    url = f"sqlite:///{path}"
    database = db.connect(url)
    schema.init(database)
    rnd = random.Random(1)
    with db.session("bench", "setup"):
        Company.create(name="Bench Oy")
        CompanyParameters.create(calendar_slot_minutes="30")
        for login in USERS:
            User.create(login=login, name=login.capitalize() + " Myyjä", position="MP" if login == "matti" else "")
            if login != "matti":
                Permission.create(login=login, script="crm/kalenteri.php", subname="")
        for program in PROGRAMS:
            Permission.create(login="matti", script=program.script, subname="")
        for order, (text, colour) in enumerate(TYPES):
            Keyword.create(kind="KALETAPA", value=str(order), text=text, text_2=colour, order=order)
        customers = [Customer.create(name=f"Asiakas {i} Oy", business_id=f"{1000000 + i}-1").id for i in range(200)]
        rows = []
        for year, month in (MAY, JUNE):
            first, last = calendar.month_grid_range(year, month)
            days = (last - first).days + 1
            for i in range(per_month):
                day = first + dt.timedelta(days=rnd.randrange(days))
                owner = USERS[i % len(USERS)]
                kind = rnd.random()
                if kind < 0.03:  # all day, sometimes several days
                    start = dt.datetime.combine(day, dt.time())
                    end = dt.datetime.combine(day + dt.timedelta(days=rnd.choice((0, 0, 2))), dt.time(23, 59, 59))
                    all_day = "x"
                else:
                    start = dt.datetime.combine(day, dt.time(rnd.randrange(7, 18), rnd.choice((0, 15, 30, 45))))
                    end = start + dt.timedelta(minutes=rnd.choice((15, 30, 60, 90, 120)))
                    all_day = ""
                text, _colour = rnd.choice(TYPES)
                rows.append(dict(
                    company="bench", kind="kalenteri", owner=owner, created_by=owner, starts_at=start, ends_at=end,
                    all_day=all_day, method=text, customer_id=rnd.choice(customers) if rnd.random() < 0.6 else 0,
                    text=f"Merkintä {i}", kilometres=str(rnd.randrange(0, 120)) if rnd.random() < 0.3 else "",
                ))
        with database.atomic():
            for start in range(0, len(rows), 500):
                Activity.insert_many(rows[start:start + 500]).execute()
    database.close()
    return url


def render_everything(screen: CalendarScreen) -> int:
    """Every line of the grid, the agenda and the week view, as Textual asks for them."""
    lines = 0
    for widget in (screen.grid, screen.agenda, screen.week):
        if widget.display and widget.parent.display:
            for y in range(widget.size.height):
                widget.render_line(y)
                lines += 1
    return lines


async def grid_after_data(url: str, runs: int) -> None:
    auth.login("bench", "matti", None, mode="none")
    settings = config.Settings(db=url, company="", user="matti", lang="fi", auth="none", theme="ansi")
    app = PupetuiApp(settings, company="bench")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = CalendarScreen(today=dt.date(2026, 5, 12))
        app.push_screen(screen)
        while not screen.ready:
            await pilot.pause()
            await asyncio.sleep(0.01)
        screen.owners = list(USERS)
        screen._owners_changed()
        while not screen.ready:
            await pilot.pause()
            await asyncio.sleep(0.01)
        await pilot.pause()
        with db.session("bench", "matti"):
            entries = calendar.entries_for_month(USERS, *MAY)
        print(f"  shown: {', '.join(USERS)}; {len(entries):,} entries in the weeks of May 2026; "
              f"the selected day has {len(screen.entries_on(screen.selected))}")

        def show(items: list) -> float:
            started = time.perf_counter()
            data = calendar_view.month_data(items, USERS, *MAY)  # what the worker hands over
            screen.on_calendar_screen_month_loaded(CalendarScreen.MonthLoaded(screen.wanted, data))
            render_everything(screen)
            return time.perf_counter() - started

        group_only = []
        for _ in range(runs):
            started = time.perf_counter()
            calendar_view.month_data(entries, USERS, *MAY)
            group_only.append(time.perf_counter() - started)
        print("(1) grid ready after the data arrives, 80x24 (grouping by day, layout, every line drawn)")
        row("grouping by day alone", group_only)
        for view in ("month", "week"):
            screen.view = view
            screen._apply_view()
            await pilot.pause()
            full, empty = [], []
            for _ in range(runs):
                full.append(show(entries))
                empty.append(show([]))
            show(entries)
            await pilot.pause()
            lines = render_everything(screen)
            what = "grid + day agenda" if view == "month" else "week view"
            row(f"{view} view, {len(entries):,} entries", full, f"{lines} lines: {what}")
            row(f"{view} view, empty month", empty, "baseline")
        screen.view = "month"
        screen._apply_view()

    # the other baseline: a DataTable with the same rows
    class TableApp(App):
        def compose(self) -> ComposeResult:
            yield DataTable()

    rows = [(e.starts_at.strftime("%d.%m.%Y %H:%M"), e.owner, e.type, e.customer_name, e.comment) for e in entries]
    table_app = TableApp()
    async with table_app.run_test(size=SIZE) as pilot:
        table = table_app.query_one(DataTable)
        table.add_columns("Aika", "Kuka", "Laji", "Asiakas", "Kommentti")
        times = []
        for _ in range(max(3, runs // 3)):
            started = time.perf_counter()
            table.clear()
            table.add_rows(rows)
            table._update_dimensions(table._new_rows)  # what Textual does before drawing
            for y in range(SIZE[1]):
                table.render_line(y)
            times.append(time.perf_counter() - started)
            await pilot.pause()
        row("DataTable, the same rows", times, "baseline: a list of the month")


async def next_month(url: str, runs: int) -> None:
    auth.login("bench", "matti", None, mode="none")
    settings = config.Settings(db=url, company="", user="matti", lang="fi", auth="none", theme="ansi")
    app = PupetuiApp(settings, company="bench")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = CalendarScreen(today=dt.date(2026, 5, 12))
        app.push_screen(screen)
        while not screen.ready:
            await pilot.pause()
            await asyncio.sleep(0.005)
        screen.owners = list(USERS)
        screen._owners_changed()
        while not screen.ready:
            await pilot.pause()
            await asyncio.sleep(0.005)

        # the time the frame showing the new month is handed to the terminal
        shown: dict[str, float] = {}
        display = app._display

        def timed_display(on_screen, renderable) -> None:
            display(on_screen, renderable)
            if screen.ready and "drawn" not in shown:
                shown["drawn"] = time.perf_counter()

        app._display = timed_display
        times, counts = [], []
        for i in range(runs):
            await pilot.pause()
            shown.clear()
            key = "m" if i % 2 == 0 else "M"
            event = events.Key(key, key)
            event.set_sender(app)
            started = time.perf_counter()
            app._driver.send_message(event)  # as the terminal's driver does (Pilot.press also waits)
            while "drawn" not in shown:
                await asyncio.sleep(0.0005)
            times.append(shown["drawn"] - started)
            counts.append(screen.data.count)
        query = []
        with db.session("bench", "matti"):
            for i in range(runs):
                started = time.perf_counter()
                calendar_view.load_month(list(USERS), *(JUNE if i % 2 == 0 else MAY))
                query.append(time.perf_counter() - started)
        print(f"(2) next month end to end on SQLite (m / M: from the key to the frame with the new month "
              f"written; {min(counts):,}-{max(counts):,} entries)")
        row("key to frame", times)
        row("the worker's query + grouping", query, "calendar_view.load_month")
        service = []
        with db.session("bench", "matti"):
            for i in range(runs):
                started = time.perf_counter()
                calendar.entries_for_month(list(USERS), *(JUNE if i % 2 == 0 else MAY))
                service.append(time.perf_counter() - started)
        row("calendar.entries_for_month", service, "model objects; for comparison")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=5000, help="entries per month (default 5,000)")
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    i18n.set_language("fi")
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        url = make_database(Path(folder) / "calendar.sqlite3", args.entries)
        print(f"database: {args.entries:,} entries in May and in June 2026, users {', '.join(USERS)} "
              f"(made in {time.perf_counter() - started:.1f} s)")
        db.connect(url)
        asyncio.run(grid_after_data(url, args.runs))
        asyncio.run(next_month(url, args.runs))


if __name__ == "__main__":
    main()
