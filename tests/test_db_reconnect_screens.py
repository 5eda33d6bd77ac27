"""The screens when the server drops pupetui's connections (KILL / pg_terminate_backend from an
admin connection, in a database of the test's own): a search after it shows its rows, not
`(0, '')`; the calendar's next month loads, not `It did not work: (2013, ...)`; every program
opens after a kill; and the session's connections stay bounded (counted in the server's
processlist / pg_stat_activity, and printed)."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.worker import WorkerState

from pupetui import db, i18n
from pupetui.screens.calendar import CalendarScreen
from pupetui.screens.menu import MenuScreen
from pupetui.services.programs import PROGRAMS

from conftest import make_database
from test_app import SIZE, flat, logged_in_app, menu_ready, screen_text, shows, wait_for
from test_calendar_screens import seed as seed_calendar
from test_customer_screens import names_shown, open_list, settle, type_search
from test_db_reconnect import Admin, kill_after, own_mariadb_database

# what a dropped connection looked like on the screens before
DRIVER_WORDS = ("(0, ''", "Lost connection", "server closed", "connection already closed", "2013", "2006",
                "did not work", "OperationalError", "InterfaceError", "Traceback")


@pytest.fixture(autouse=True)
def english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture(params=("mariadb", "postgres"))
def bare_server(request, tmp_path):
    """(url, admin) of an empty database of the test's own."""
    if request.param == "mariadb":
        url, drop = own_mariadb_database()
    else:
        url, drop = make_database(request.param, tmp_path)
    admin = Admin(request.param, url)
    try:
        yield url, admin
    finally:
        db.end_session()
        try:
            db.database.obj.close()
        except Exception:  # noqa: BLE001
            pass
        admin.close()
        drop()


@pytest.fixture
def server(bare_server):
    """Seeded as the calendar's screen tests seed theirs (matti has every program, customers,
    May 2026 entries)."""
    seed_calendar(bare_server[0])
    return bare_server


class Peak:
    """The highest number of the database's connections, sampled every few milliseconds from an
    admin connection of its own while the test runs (a measurement, not a wait)."""

    def __init__(self, kind: str, url: str):
        import threading

        self.admin = Admin(kind, url)
        self.highest = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(0.005):
            self.highest = max(self.highest, self.admin.count())

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(5)
        self.admin.close()
        return self.highest


def no_driver_words(app) -> None:
    text = flat(screen_text(app))
    shown = [w for w in DRIVER_WORDS if w in text]
    notes = [n.message for n in app._notifications if any(w in n.message for w in DRIVER_WORDS)]
    assert not shown and not notes, (shown, notes, text)


async def idle(pilot) -> None:
    """Wait until no worker of the app runs (every load of the screen has answered)."""
    app = pilot.app
    await wait_for(pilot, lambda: not [w for w in app.workers
                                       if w.state in (WorkerState.PENDING, WorkerState.RUNNING)])


async def test_a_search_after_the_kill_shows_its_rows(server):
    url, admin = server
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        await settle(pilot, screen)
        assert sorted(names_shown(app)) == ["Aalto Oy", "[b]Virtanen[/b] Oy"]
        killed = admin.kill_all()
        assert killed >= 1
        await type_search(pilot, screen, "aalto")
        assert names_shown(app) == ["Aalto Oy"]
        await shows(pilot, "1 customer ")
        no_driver_words(app)
        admin.kill_all()
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace")
        await wait_for(pilot, lambda: screen.query_state.text == "")
        await settle(pilot, screen)
        assert sorted(names_shown(app)) == ["Aalto Oy", "[b]Virtanen[/b] Oy"]
        await shows(pilot, "2 customers")
        no_driver_words(app)


async def test_the_calendars_next_month_loads_after_the_kill(server):
    url, admin = server
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        app.push_screen(CalendarScreen(today=dt.date(2026, 5, 12)))
        await wait_for(pilot, lambda: isinstance(app.screen, CalendarScreen) and app.screen.ready)
        screen = app.screen
        assert screen.data.count > 0
        admin.kill_all()
        await pilot.press("m")  # June
        await wait_for(pilot, lambda: screen.ready and screen.data.month == 6)
        assert [e.comment for e in screen.entries_on(dt.date(2026, 6, 2))] == ["kesäkuu"]
        assert screen.error == ""
        no_driver_words(app)


async def test_every_program_opens_after_a_kill_and_the_connections_stay_bounded(server):
    """A session that opens every program, the server killing its connections before each one,
    then again while each one's loads run: each opens with no driver's words on it; the connections counted on the server after each
    program's loads never pass WORKER_THREADS + 1 (the worker threads and the app's own)."""
    url, admin = server
    app = logged_in_app(url)
    counts: dict[str, int] = {}
    peak = Peak(admin.kind, url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        await idle(pilot)
        for program in PROGRAMS:
            admin.kill_all()
            await pilot.press(program.key)
            await wait_for(pilot, lambda: not isinstance(app.screen, MenuScreen))
            await shows(pilot, program.title_key)
            await idle(pilot)
            no_driver_words(app)
            counts[program.id] = admin.count()
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, MenuScreen))
        # every program again, the connections killed while its first loads are on their way
        # (reads cut in the middle are run again on a new connection)
        for program in PROGRAMS:
            await pilot.press(program.key)
            admin.kill_all()
            await wait_for(pilot, lambda: not isinstance(app.screen, MenuScreen))
            await shows(pilot, program.title_key)
            await idle(pilot)
            no_driver_words(app)
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, MenuScreen))
    highest = peak.stop()
    print(f"\n{admin.kind}: connections after each program (killed before each): {counts}; "
          f"highest seen at any moment of the session: {highest}; "
          f"bound {db.WORKER_THREADS} + 1")
    assert max(counts.values()) <= db.WORKER_THREADS + 1
    assert highest <= db.WORKER_THREADS + 1


async def test_a_database_that_stays_away_is_said_once_in_plain_words_and_comes_back(server):
    """The database's address leads nowhere (a port nobody listens on: the shared server is
    left alone) and the server has dropped the connections: the list says so in one plain
    sentence (no driver's words, no pile of notifications); once the address answers again,
    the next keystroke shows the rows, nothing restarted."""
    from servers import free_port

    url, admin = server
    database = db.database.obj
    real_port = database.connect_params["port"]
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        await settle(pilot, screen)
        database.connect_params["port"] = free_port()
        admin.kill_all()
        await pilot.press(*"aalto")
        await wait_for(pilot, lambda: screen.query_state.text == "aalto")
        down = "The database cannot be reached. pupetui tries again at your next action."
        await shows(pilot, down)
        await idle(pilot)
        no_driver_words(app)
        assert flat(screen_text(app)).count(down) == 1
        assert len(app._notifications) <= 1
        database.connect_params["port"] = real_port
        await pilot.press("backspace")
        await wait_for(pilot, lambda: screen.query_state.text == "aalt")
        await settle(pilot, screen)
        assert names_shown(app) == ["Aalto Oy"]
        await wait_for(pilot, lambda: down not in flat(screen_text(app)))
        no_driver_words(app)


async def test_a_memo_entry_cut_in_the_middle_says_nothing_was_saved_and_keeps_the_text(bare_server):
    """The server kills the connection right after the entry's INSERT, before its COMMIT: the
    form stays open with the text, says plainly that nothing was saved, and no row is there;
    Ctrl+S again saves it once."""
    from textual.widgets import TextArea

    from pupetui.screens.memo_forms import EntryFormScreen
    from pupetui.services import memo
    from test_memo_screen import open_memo, seed as seed_memo, type_text

    url, admin = bare_server
    seeded = seed_memo(url)
    app = logged_in_app(url)
    database = db.database.obj
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_memo(pilot, seeded.customer)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryFormScreen))
        form = app.screen
        await type_text(pilot, "Kysyi hintaa")
        killed = kill_after(database, admin, "INSERT")
        await pilot.press("ctrl+s")
        await shows(pilot, "nothing was saved")
        assert killed.is_set()
        database.query_hooks.clear()
        assert app.screen is form
        assert "Kysyi hintaa" in form.query_one(TextArea).text
        no_driver_words(app)
        with db.session("acme", "matti"):
            assert "Kysyi hintaa" not in [e.text for e in memo.entries(seeded.customer)]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        await shows(pilot, "Entry saved.", "Kysyi hintaa")
        with db.session("acme", "matti"):
            assert [e.text for e in memo.entries(seeded.customer)].count("Kysyi hintaa") == 1
