"""The SQL search at 80x24, driven by keys like a user would: run, refuse, cancel, export, the
saved queries and the history, at the three right levels (and none)."""

from __future__ import annotations


import openpyxl
import pytest
from textual.widgets import Input, OptionList, TextArea

from pupetui import db, i18n
from pupetui.models import Company, CompanyParameters, Customer, Permission, SavedSearch, User
from pupetui.screens.help import HelpScreen
from pupetui.screens.sql_forms import (
    CompletionScreen,
    SavedSqlScreen,
    SaveSqlScreen,
    SchemaScreen,
    SqlHistoryScreen,
)
from pupetui.screens.sql_search import SqlSearchScreen, completions
from pupetui.services.programs import SQL
from pupetui.widgets.confirm import AskTextScreen, ConfirmScreen
from pupetui.widgets.result_grid import CellViewScreen, ResultGrid
from test_app import SIZE, flat, logged_in_app, menu_ready, screen_text, shows, wait_for

FOREVER = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c"
LEVELS = {"anna": "", "pekka": "SUPER", "rauha": "READ"}  # ville: no right


@pytest.fixture(autouse=True)
def english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture(autouse=True)
def state_dir(tmp_path, monkeypatch):
    """The history file goes under the test's own directory."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "state"


@pytest.fixture
def url(sqlite_url):
    """acme: anna (''), pekka (SUPER) and rauha (READ) have the SQL search, ville has not;
    five customers and one saved query."""
    d = db.connect(sqlite_url)
    with db.session("acme", "setup"):
        Company.create(name="Acme Oy")
        CompanyParameters.create()
        for login in (*LEVELS, "ville"):
            User.create(login=login, name=login.title() + " Käyttäjä", password_md5="", active=1)
        for login, level in LEVELS.items():
            Permission.create(login=login, script=SQL.script, subname=level)
        for i, (name, city) in enumerate([("Virtanen Oy", "Helsinki"), ("Mäkinen Ky", "Turku"),
                                          ("Oy [bold]Ab[/bold]", "Turku"), ("Aalto Oy", "Espoo"),
                                          ("Nieminen Oy", "Oulu")]):
            Customer.create(name=name, city=city, customer_no=str(1001 + i))
        SavedSearch.create(owner="pekka", search="sql-query", name="Turku", variable="query",
                           description="Customers in Turku", is_array="",
                           value="SELECT nimi, postitp FROM asiakas WHERE postitp = 'Turku' ORDER BY nimi")
    yield sqlite_url
    db.end_session()
    if not d.is_closed():
        d.close()


def customer_count() -> int:
    with db.session("acme", "check"):
        return Customer.select().count()


def saved_names() -> list[str]:
    with db.session("acme", "check"):
        return sorted(s.name for s in SavedSearch.select().where(SavedSearch.search == "sql-query"))


async def open_sql(pilot) -> SqlSearchScreen:
    app = pilot.app
    await menu_ready(pilot)
    app.push_screen(SqlSearchScreen())
    await wait_for(pilot, lambda: isinstance(app.screen, SqlSearchScreen)
                   and (app.screen.access is not None or app.screen.denied))
    return app.screen


async def run_done(pilot, screen: SqlSearchScreen) -> None:
    await wait_for(pilot, lambda: screen.grid.state in ("done", "error", "stopped"))
    await pilot.pause()


# -- running ---------------------------------------------------------------------------------


async def test_type_a_query_run_it_with_f5_and_see_the_rows_and_the_count(url):
    app = logged_in_app(url, user="anna")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_sql(pilot)
        assert screen.focused is screen.editor
        await pilot.press(*"select nimi, postitp from asiakas order by nimi")
        await pilot.press("f5")
        await run_done(pilot, screen)
        assert screen.grid.state == "done"
        text = await shows(pilot, "nimi", "postitp", "Aalto Oy", "Virtanen Oy", "5 rows")
        assert "Oy [bold]Ab[/bold]" in text  # literally
        # the whole value of a cell on request
        await pilot.press("tab")
        assert screen.focused is screen.grid
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CellViewScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        # formatting
        await pilot.press("f4")
        assert screen.editor.text.startswith("SELECT")
        # ctrl+enter too (where the terminal sends it)
        screen.set_sql("SELECT count(*) AS n FROM asiakas")
        await pilot.press("ctrl+enter")
        await run_done(pilot, screen)
        assert screen.grid.rows == [(5,)]
        await shows(pilot, "1 row")


async def test_a_refused_statement_shows_the_message_and_changes_nothing(url):
    app = logged_in_app(url, user="pekka")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_sql(pilot)
        screen.set_sql("SELECT 1;\nDELETE FROM asiakas")
        await pilot.press("f5")
        await pilot.pause()
        assert screen.grid.state == "idle"  # nothing ran
        assert "line 2" in screen.message, screen.message
        assert "column" in screen.message
        await shows(pilot, "line 2")
        screen.set_sql("DELETE FROM asiakas")
        await pilot.press("f5")
        await pilot.pause()
        assert screen.grid.state == "idle"
        assert "line 1" in screen.message
        assert "Traceback" not in screen_text(app)
        # a database error: its message, no traceback
        screen.set_sql("SELECT no_such_column FROM asiakas")
        await pilot.press("f5")
        await run_done(pilot, screen)
        assert screen.grid.state == "error"
        await shows(pilot, "no_such_column")
        assert "Traceback" not in screen_text(app)
    assert customer_count() == 5


async def test_esc_cancels_a_long_query_at_once(url):
    app = logged_in_app(url, user="anna")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_sql(pilot)
        screen.set_sql(FOREVER)
        await pilot.press("f5")
        await wait_for(pilot, lambda: screen.grid.running and screen.query_running is not None)
        query = screen.query_running
        await pilot.press("escape")
        assert not screen.grid.running  # the screen is free at the key
        await shows(pilot, "The query was cancelled")
        # and the query that would run for ever ends (on the database too), well before its time limit
        await wait_for(pilot, lambda: query.state == "cancelled", timeout=20.0)
        assert app.screen is screen  # still here, and responsive:
        screen.set_sql("SELECT 42 AS answer")
        await pilot.press("f5")
        await run_done(pilot, screen)
        assert screen.grid.rows == [(42,)]
        # nothing runs: Esc goes back
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SqlSearchScreen))


# -- export ----------------------------------------------------------------------------------


async def answer_file(pilot, path) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, AskTextScreen))
    field = app.screen.query_one(Input)
    assert field.value.endswith(".xlsx") and "sql-" in field.value
    field.value = str(path)
    await pilot.press("enter")


async def test_export_to_xlsx_has_every_row(url, tmp_path):
    target = tmp_path / "out.xlsx"
    app = logged_in_app(url, user="anna")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_sql(pilot)
        screen.set_sql("SELECT nimi, postitp FROM asiakas ORDER BY nimi")
        await pilot.press("f5")
        await run_done(pilot, screen)
        await pilot.press("f8")
        await answer_file(pilot, target)
        await wait_for(pilot, lambda: screen.export_running is None and "Saved" in screen.message)
        await shows(pilot, "Saved 5 rows")
        # a bad file name is told plainly, in the dialog, which keeps it (issue #15: also
        # another suffix, and a file pupetui did not write)
        (tmp_path / "notes.csv").write_text("the user's own")
        await pilot.press("f8")
        await answer_file(pilot, tmp_path / "no-such-dir" / "x.xlsx")
        for typed, told in ((tmp_path / "no-such-dir" / "x.xlsx", "does not exist"),
                            (tmp_path / "x.db", "The file name must end in .xlsx or .csv."),
                            (tmp_path / "notes.csv", "exists and was not written by pupetui")):
            field = app.screen.query_one(Input)
            field.value = str(typed)
            await pilot.press("enter")
            await shows(pilot, told)
            assert isinstance(app.screen, AskTextScreen) and field.value == str(typed)
        assert "Traceback" not in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert (tmp_path / "notes.csv").read_text() == "the user's own" and not (tmp_path / "x.db").exists()
    rows = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0] == ("nimi", "postitp")
    assert rows[1:] == [("Aalto Oy", "Espoo"), ("Mäkinen Ky", "Turku"), ("Nieminen Oy", "Oulu"),
                        ("Oy [bold]Ab[/bold]", "Turku"), ("Virtanen Oy", "Helsinki")]


# -- saved queries and rights ------------------------------------------------------------------


async def test_super_saves_and_deletes_a_saved_query(url):
    app = logged_in_app(url, user="pekka")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_sql(pilot)
        screen.set_sql("SELECT nimi FROM asiakas WHERE postitp = 'Oulu'")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveSqlScreen))
        await pilot.press(*"Oulu", "enter", *"North", "enter")
        await wait_for(pilot, lambda: "Saved “Oulu”" in screen.message)
        assert saved_names() == ["Oulu", "Turku"]
        # the list: delete Oulu (after a yes)
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, SavedSqlScreen))
        await shows(pilot, "Oulu — North", "Turku — Customers in Turku")
        assert app.screen.highlighted().name == "Oulu"
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: "Deleted" in screen.message)
        assert saved_names() == ["Turku"]


async def test_plain_right_loads_saved_ones_but_cannot_save_or_delete(url):
    app = logged_in_app(url, user="anna")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_sql(pilot)
        screen.set_sql("SELECT 1")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, SaveSqlScreen)
        await shows(pilot, "SUPER")
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, SavedSqlScreen))
        await pilot.press("d")
        await shows(pilot, "Deleting saved queries needs the SUPER right")
        assert isinstance(app.screen, SavedSqlScreen)
        await pilot.press("l")
        await wait_for(pilot, lambda: app.screen is screen)
        assert "postitp = 'Turku'" in screen.editor.text
        assert not screen.editor.read_only
    assert saved_names() == ["Turku"]


async def test_read_right_runs_and_exports_saved_queries_only(url, tmp_path):
    target = tmp_path / "turku.xlsx"
    app = logged_in_app(url, user="rauha")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_sql(pilot)
        editor = screen.query_one("#sql-editor", TextArea)
        assert editor.read_only
        await shows(pilot, "You may run saved queries only")
        editor.focus()
        await pilot.press(*"select 1")
        assert editor.text == ""
        # F5 with nothing chosen opens the saved list; Enter runs
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, SavedSqlScreen))
        await pilot.press("l")
        await shows(pilot, "You may only run saved queries")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        await run_done(pilot, screen)
        await shows(pilot, "Mäkinen Ky", "2 rows")
        await pilot.press("f8")
        await answer_file(pilot, target)
        await wait_for(pilot, lambda: screen.export_running is None and "Saved" in screen.message)
        await pilot.press("ctrl+s")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.screen is screen
    rows = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    assert rows == [("nimi", "postitp"), ("Mäkinen Ky", "Turku"), ("Oy [bold]Ab[/bold]", "Turku")]


async def test_no_right_no_pane(url):
    app = logged_in_app(url, user="ville")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_sql(pilot)
        assert screen.denied
        await shows(pilot, "no right to the SQL search")
        await pilot.press("f5")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SqlSearchScreen))


# -- history, schema, completion, keys -----------------------------------------------------------


async def test_the_history_shows_the_previous_query(url):
    app = logged_in_app(url, user="anna")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_sql(pilot)
        for sql in ("SELECT nimi FROM asiakas", "SELECT postitp FROM asiakas"):
            screen.set_sql(sql)
            await pilot.press("f5")
            await run_done(pilot, screen)
        screen.set_sql("")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, SqlHistoryScreen))
        await shows(pilot, "SELECT postitp FROM asiakas", "SELECT nimi FROM asiakas")
        await pilot.press(*"nimi")
        await wait_for(pilot, lambda: len(app.screen.entries) == 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.editor.text == "SELECT nimi FROM asiakas"


async def test_schema_and_completion(url):
    app = logged_in_app(url, user="anna")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_sql(pilot)
        await pilot.press(*"select * from asiak")
        await pilot.press("ctrl+space")
        await wait_for(pilot, lambda: screen.editor.text.endswith("asiakas")
                       or isinstance(app.screen, CompletionScreen))
        if isinstance(app.screen, CompletionScreen):
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is screen)
        assert screen.editor.text.startswith("select * from asiakas")
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, SchemaScreen))
        await pilot.press(*"postitp")
        await pilot.press("down")
        await pilot.pause()
        text = flat(screen_text(app))
        assert "asiakas" in text and "postitp" in text
        assert "salasana" not in text  # kuka's password hash is never offered
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await shows(pilot, "Run", "Format", "History", "Export")


def test_completions():
    schema = {"asiakas": ["tunnus", "nimi", "postitp"], "kuka": ["tunnus", "kuka", "nimi"]}
    assert completions(schema, "as") == ("as", ["asiakas"])
    assert completions(schema, "asiakas.n") == ("n", ["nimi"])
    assert completions(schema, "a.po") == ("po", ["postitp"])
    assert completions(schema, "ku") == ("ku", ["kuka"])
    assert completions(schema, "tu") == ("tu", ["tunnus"])
