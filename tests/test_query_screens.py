"""The query generator at 80x24, driven by keys like a user would, and the result grid alone."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import threading
from decimal import Decimal

import openpyxl
import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input, OptionList

from pupetui import db, i18n
from pupetui.models import Company, CompanyParameters, Customer, Invoice, Permission, SavedForm, User
from pupetui.screens.help import HelpScreen, screen_keys
from pupetui.screens.query_forms import SavedQueriesScreen, SqlPreviewScreen
from pupetui.screens.query_generator import QueryGeneratorScreen
from pupetui.services import auth
from pupetui.services import query_generator as Q
from pupetui.widgets.confirm import AskTextScreen, ConfirmScreen
from pupetui.widgets.result_grid import CellViewScreen, ResultGrid
from test_app import SIZE, flat, logged_in_app, menu_ready, screen_text, shows, wait_for

HOSTILE = "Oy [bold]Ab[/bold] & Co\x1b[31m"
HOSTILE_SHOWN = "Oy [bold]Ab[/bold] & Co[31m"
TODAY = dt.date.today().strftime("%Y%m%d")


# -- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def url(sqlite_url):
    """acme: anna and pekka have the db_sql_query.php right, ville has none; customers and
    invoices (and a customer of another company, never shown)."""
    d = db.connect(sqlite_url)
    with db.session("acme", "setup"):
        Company.create(name="Acme Oy")
        CompanyParameters.create()
        for login in ("anna", "pekka", "ville"):
            User.create(login=login, name=login.title() + " Käyttäjä", password_md5="", active=1)
        for login in ("anna", "pekka"):
            Permission.create(login=login, script="db_sql_query.php", subname="")
        rows = [("Virtanen Oy", "Helsinki"), ("Mäkinen Ky", "Turku"), (HOSTILE, "Turku"), ("Aalto Oy", "Espoo")]
        for i, (name, city) in enumerate(rows):
            Customer.create(name=name, city=city, customer_no=str(1001 + i))
            Invoice.create(customer_id=i + 1, net=Decimal("1234.50") * (i + 1), invoice_date=dt.date(2026, 1, 2 + i),
                           state="L", substate="X")
    with db.session("other", "setup"):
        Customer.create(name="Toisen yhtiön asiakas", city="Turku", customer_no="1001")
    yield sqlite_url
    db.end_session()
    if not d.is_closed():
        d.close()


# -- helpers ---------------------------------------------------------------------------------------


async def open_generator(pilot) -> QueryGeneratorScreen:
    app = pilot.app
    await menu_ready(pilot)
    app.push_screen(QueryGeneratorScreen())
    await wait_for(pilot, lambda: isinstance(app.screen, QueryGeneratorScreen)
                   and (app.screen.table_names is not None or app.screen.denied))
    return app.screen


async def pick_table(pilot, screen: QueryGeneratorScreen, table: str) -> None:
    """Down the list of tables to `table`, Enter."""
    options = screen.query_one("#qg-table-list", OptionList)
    await pilot.press("home")
    for _ in range(len(screen.table_names or [])):
        if options.get_option_at_index(options.highlighted).id == table:
            break
        await pilot.press("down")
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen.view == "form" and screen.table == table and screen.fields.rows)


async def go_to(pilot, screen: QueryGeneratorScreen, column: str) -> None:
    """Home, then Down until the cursor is on `column`."""
    await pilot.press("home")
    for _ in range(len(screen.fields.rows)):
        if screen.fields.current.column.name == column:
            return
        await pilot.press("down")
    raise AssertionError(f"no row {column}")


async def tick(pilot, screen, *columns: str) -> None:
    for column in columns:
        await go_to(pilot, screen, column)
        await pilot.press("space")


async def restrict(pilot, screen, column: str, operator: str, value: str) -> None:
    """`o` until the operator shows, Enter, type the value, Enter (back to the grid)."""
    await go_to(pilot, screen, column)
    for _ in range(len(Q.OPERATORS) + 1):
        if screen.fields.current.spec.operator == operator:
            break
        await pilot.press("o")
    assert screen.fields.current.spec.operator == operator
    if operator not in Q.NO_VALUE:
        await pilot.press("enter")
        assert screen.focused is screen.value_input
        await pilot.press("ctrl+u", *value, "enter")
        assert screen.focused is screen.fields


async def run_query(pilot, screen) -> str:
    """F5, check the SQL shown, Enter runs; waits for the last row. Returns the SQL."""
    app = pilot.app
    await pilot.press("f5")
    await wait_for(pilot, lambda: isinstance(app.screen, SqlPreviewScreen))
    sql = app.screen.sql
    await shows(pilot, "SELECT", "FROM")
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.screen is screen and screen.view == "results" and not screen.grid.running)
    await pilot.pause()
    return sql


def grid_lines(app) -> list[str]:
    grid = app.screen.query_one(ResultGrid)
    region = grid.region
    lines = screen_text(app).splitlines()
    return [line[region.x: region.right] for line in lines[region.y: region.bottom]]


async def customers_in_turku(pilot, screen) -> None:
    await pick_table(pilot, screen, "asiakas")
    await tick(pilot, screen, "nimi", "asiakasnro")
    await go_to(pilot, screen, "nimi")
    await pilot.press("s")  # sort by name, ascending
    await restrict(pilot, screen, "postitp", "=", "Turku")


# -- the whole flow ------------------------------------------------------------------------------


async def test_pick_table_tick_restrict_and_run(url):
    app = logged_in_app(url, user="anna")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_generator(pilot)
        text = await shows(pilot, "Customers (asiakas)", "Invoices and orders (lasku)", "Choose a table")
        await customers_in_turku(pilot, screen)
        text = await shows(pilot, "Customers (asiakas)", "2/40 columns shown", "1 restricted")
        assert "[x] nimi" in text and "[x] asiakasnro" in text and "▲1" in text
        assert "postitp text = Turku" in text  # the operator and value at the row
        # Esc leaves the value editor for the grid, the value kept; v shows the SQL without running
        await pilot.press("enter", "escape")
        assert screen.focused is screen.fields and screen.fields.current.spec.value == "Turku"
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, SqlPreviewScreen))
        assert "'Turku'" in flat(screen_text(app)) and not app.screen.run
        await pilot.press("escape")
        assert app.screen is screen and screen.view == "form" and screen.last_spec is None
        sql = await run_query(pilot, screen)
        assert "WHERE" in sql and "'Turku'" in sql and "ORDER BY" in sql and "'acme'" in sql
        text = await shows(pilot, "2 rows")
        lines = grid_lines(app)
        assert lines[0].split() == ["asiakasnro", "nimi"]  # in the table's order
        assert lines[1].split() == ["1002", "Mäkinen", "Ky"]  # sorted by the name
        assert lines[2].split(None, 1)[1].startswith(HOSTILE_SHOWN)  # literal, no markup
        assert "Toisen" not in text and "Virtanen" not in text
        # Esc goes back to the form, nothing lost; r shows the result again
        await pilot.press("escape")
        assert screen.view == "form" and screen.fields.shown_count() == 2
        await pilot.press("r")
        assert screen.view == "results"


async def test_tick_all_and_operators_without_values(url):
    app = logged_in_app(url, user="anna")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_generator(pilot)
        await pick_table(pilot, screen, "lasku")
        await pilot.press("a")
        assert screen.fields.shown_count() == len(screen.fields.rows)
        await pilot.press("a")
        assert screen.fields.shown_count() == 0
        await tick(pilot, screen, "liitostunnus")
        await restrict(pilot, screen, "tapvm", "not empty", "")
        await restrict(pilot, screen, "liitostunnus", "in", "1, 3")
        await go_to(pilot, screen, "liitostunnus")
        await pilot.press("s", "s")  # descending
        assert screen.fields.current.spec.sort == -1
        text = await shows(pilot, "liitostunnus number in ▼1 1, 3")
        await go_to(pilot, screen, "tapvm")
        assert "tapvm date is not empty" in flat(screen_text(app))
        await run_query(pilot, screen)
        assert [line.split()[0] for line in grid_lines(app)[1:3]] == ["3", "1"]


async def test_bad_number_refused_at_its_row_and_nothing_lost(url):
    app = logged_in_app(url, user="anna")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_generator(pilot)
        await pick_table(pilot, screen, "lasku")
        await tick(pilot, screen, "tunnus", "arvo")
        await restrict(pilot, screen, "tila", "like", "L")
        await restrict(pilot, screen, "arvo", ">", "paljon")
        await pilot.press("f5")
        text = await shows(pilot, "arvo: 'paljon' is not a number")
        assert not isinstance(app.screen, SqlPreviewScreen)  # it never ran
        row = next(line for line in screen_text(app).splitlines() if " arvo " in line and "[x]" in line)
        assert row.startswith("! [x] arvo") and "paljon" in row and "is not a" in row  # marked at its row
        assert screen.fields.current.column.name == "arvo" and screen.focused is screen.value_input
        assert screen.value_input.value == "paljon"
        specs = {s.column: s for s in screen.fields.specs()}
        assert (specs["tila"].operator, specs["tila"].value, specs["arvo"].show) == ("like", "L", True)
        # corrected in place, the query runs
        await pilot.press("ctrl+u", *"4000", "enter")
        assert "!" not in next(line for line in screen_text(app).splitlines() if " arvo " in line)[:2]
        await run_query(pilot, screen)
        await shows(pilot, "1 row")
        assert grid_lines(app)[1].split() == ["4", "4,938.00"]  # right-aligned, grouped, two decimals


async def test_export_every_row_to_xlsx_and_csv(url, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    app = logged_in_app(url, user="anna")
    app_screen = QueryGeneratorScreen(cap=2)  # only two rows kept on screen: the file has all
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        app.push_screen(app_screen)
        await wait_for(pilot, lambda: app_screen.table_names is not None)
        screen = app_screen
        await pick_table(pilot, screen, "lasku")
        await tick(pilot, screen, "liitostunnus", "arvo", "tapvm")
        await go_to(pilot, screen, "liitostunnus")
        await pilot.press("s")
        await run_query(pilot, screen)
        await shows(pilot, "showing the first 2 rows of 4")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, AskTextScreen))
        field = app.screen.query_one(Input)
        # what and when, in the download folder (home without one): issue #17
        assert field.value.startswith(f"~/lasku-{TODAY}-") and field.value.endswith(".xlsx"), field.value
        path = tmp_path / "laskut.xlsx"
        field.value = str(path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: path.exists() and screen._export_stop is None)
        await shows(pilot, "Saved 4 rows to")
        rows = list(openpyxl.load_workbook(path).active.values)
        assert rows[0] == ("liitostunnus", "arvo", "tapvm")
        assert rows[1:] == [(1, 1234.5, dt.datetime(2026, 1, 2)), (2, 2469.0, dt.datetime(2026, 1, 3)),
                            (3, 3703.5, dt.datetime(2026, 1, 4)), (4, 4938.0, dt.datetime(2026, 1, 5))]
        # CSV the same way; a file pupetui did not write is refused in the dialog (issue #15) ...
        other = tmp_path / "muistiinpanot.csv"
        other.write_text("the user's own")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, AskTextScreen))
        field = app.screen.query_one(Input)
        assert field.value.startswith(f"~/lasku-{TODAY}-") and field.value.endswith(".csv"), field.value
        field.value = str(other)
        await pilot.press("enter")
        await shows(pilot, "exists and was not written by pupetui: choose another name")
        assert isinstance(app.screen, AskTextScreen) and field.value == str(other)
        field.value = str(tmp_path / "laskut.db")  # nor another suffix (the query generator kept any)
        await pilot.press("enter")
        await shows(pilot, "must end with .csv, not .db")
        # ... and one it wrote is replaced only after a question
        target = tmp_path / "laskut"
        field.value = str(target)
        await pilot.press("enter")
        target = tmp_path / "laskut.csv"
        await wait_for(pilot, lambda: target.exists() and screen._export_stop is None)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, AskTextScreen))
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: screen._export_stop is None and app.screen is screen)
        with target.open(encoding="utf-8-sig", newline="") as fh:
            assert len(list(csv.reader(fh))) == 5
        assert other.read_text() == "the user's own" and not (tmp_path / "laskut.db").exists()
        # an error is told plainly, in the dialog
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, AskTextScreen))
        app.screen.query_one(Input).value = str(tmp_path / "no-such-folder" / "x.xlsx")
        await pilot.press("enter")
        await shows(pilot, "does not exist")
        assert isinstance(app.screen, AskTextScreen)


async def test_save_overwrite_list_whose_and_another_cannot_delete(url):
    app = logged_in_app(url, user="anna")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_generator(pilot)
        await customers_in_turku(pilot, screen)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, AskTextScreen))
        await pilot.press(*"Turku customers", "enter")
        await shows(pilot, "Saved the query “Turku customers”", "“Turku customers” (yours)")
        # saving again under the name: asks first, then replaces her own
        await tick(pilot, screen, "postitp")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, AskTextScreen))
        assert app.screen.query_one(Input).value == "Turku customers"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "already" in flat(screen_text(app))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is screen and SavedForm.select().count() == 1)
        await wait_for(pilot, lambda: 's:15:"asiakas.postitp";s:15:"asiakas.postitp"' in SavedForm.get().data)
        [saved] = Q.saved_queries("asiakas")
        assert {f.column for f in saved.spec.fields if f.show} == {"nimi", "asiakasnro", "postitp"}

    # pekka sees it as anna's, may run it, may not delete it
    db.end_session()
    app = logged_in_app(url, user="pekka")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_generator(pilot)
        await pick_table(pilot, screen, "asiakas")
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, SavedQueriesScreen))
        await shows(pilot, "Saved queries of Customers (asiakas)", "Turku customers · by Anna Käyttäjä")
        await pilot.press("d")
        await shows(pilot, "Only your own saved queries can be deleted")
        assert isinstance(app.screen, SavedQueriesScreen) and SavedForm.select().count() == 1
        with pytest.raises(auth.AccessDenied):  # the service refuses it too
            Q.delete_saved(SavedForm.get().id)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, SqlPreviewScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen and screen.view == "results" and not screen.grid.running)
        await shows(pilot, "“Turku customers” by anna", "2 rows")
        assert grid_lines(app)[0].split() == ["asiakasnro", "nimi", "postitp"]
        assert grid_lines(app)[1].split()[:3] == ["1002", "Mäkinen", "Ky"]


async def test_load_a_saved_query_into_the_form_and_delete_own(url):
    with db.session("acme", "anna"):
        Q.save("Big invoices", Q.QuerySpec("lasku", [Q.FieldSpec("tunnus", show=True, sort=1),
                                                    Q.FieldSpec("arvo", show=True, operator=">=", value="2000")]))
    with db.session("acme", "pekka"):
        Q.save("Mine", Q.QuerySpec("asiakas", [Q.FieldSpec("nimi", show=True)]))
    app = logged_in_app(url, user="pekka")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_generator(pilot)
        await pilot.press("l")  # from the tables: every table's queries
        await wait_for(pilot, lambda: isinstance(app.screen, SavedQueriesScreen))
        text = await shows(pilot, "Saved queries of every table", "Big invoices · by Anna Käyttäjä · Invoices and orders (lasku)",
                           "Mine · yours")
        await pilot.press("enter")  # load anna's into the form
        await wait_for(pilot, lambda: app.screen is screen and screen.view == "form" and screen.table == "lasku")
        text = await shows(pilot, "“Big invoices” by anna", "2/")
        specs = {s.column: s for s in screen.fields.specs()}
        assert (specs["arvo"].operator, specs["arvo"].value, specs["tunnus"].sort) == (">=", "2000", 1)
        await run_query(pilot, screen)
        assert [line.split()[0] for line in grid_lines(app)[1:4]] == ["2", "3", "4"]
        # his own may go, after a question
        await pilot.press("escape", "l")
        await wait_for(pilot, lambda: isinstance(app.screen, SavedQueriesScreen))
        await pilot.press("escape")
        await pilot.press("t", "l")
        await wait_for(pilot, lambda: isinstance(app.screen, SavedQueriesScreen))
        await pilot.press("down", "d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await shows(pilot, "“Mine” was deleted")
        assert [q.name for q in Q.saved_queries()] == ["Big invoices"]


async def test_escape_stops_a_running_query(url, monkeypatch):
    release = threading.Event()

    def slow(built, batch=2000, **_):
        for i in range(150):
            yield (i, f"rivi {i}")
        release.wait(10)
        yield (999, "late")

    monkeypatch.setattr(Q, "run", slow)
    app = logged_in_app(url, user="anna")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_generator(pilot)
        await pick_table(pilot, screen, "asiakas")
        await tick(pilot, screen, "tunnus", "nimi")
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, SqlPreviewScreen))
        await pilot.press("enter")
        await shows(pilot, "Fetching…", "rivi 0")  # the first rows show while the rest come
        assert screen.grid.running and screen.grid.row_count >= 100
        await pilot.press("escape")
        shown = screen.grid.row_count
        await shows(pilot, f"Stopped: {shown}+ rows")
        release.set()
        await asyncio.sleep(0.2)
        await pilot.pause()
        assert screen.grid.row_count == shown and screen.view == "results"  # the late row never comes
        await pilot.press("escape")
        assert screen.view == "form"


async def test_no_right_no_tables(url):
    app = logged_in_app(url, user="ville")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_generator(pilot)
        await shows(pilot, "You have no right to the query generator", "db_sql_query.php")
        assert screen.table_names is None
        await pilot.press("l")  # nothing opens
        await pilot.pause()
        assert app.screen is screen


async def test_keys_have_ids_and_f1_lists_them(url):
    app = logged_in_app(url, user="anna")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_generator(pilot)
        for cls in (QueryGeneratorScreen, ResultGrid, SavedQueriesScreen, SqlPreviewScreen, CellViewScreen):
            for _key, binding in cls._merge_bindings():
                assert binding.id and binding.description, (cls.__name__, binding)
        from pupetui.screens.query_forms import FieldGrid

        assert all(b.id and b.description for _k, b in FieldGrid._merge_bindings())
        await pick_table(pilot, screen, "asiakas")
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await shows(pilot, "Keys: Query generator", "Run", "Excel", "Tick all or none")
        described = {description for _keys, description in screen_keys(screen)}
        assert {"Operator", "Restriction value", "Sort: ascending, descending, none", "Saved", "CSV",
                "Show the SQL", "Back or stop"} <= described


async def test_finnish_at_80x24(url):
    i18n.set_language("fi")
    app = logged_in_app(url, user="anna", lang="fi")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_generator(pilot)
        await shows(pilot, "Asiakkaat (asiakas)", "Laskut ja tilaukset (lasku)")
        await pick_table(pilot, screen, "lasku")
        await tick(pilot, screen, "arvo", "tapvm")
        await run_query(pilot, screen)
        await shows(pilot, "4 riviä")
        first = grid_lines(app)[1]
        assert "1\u00a0234,50" in first and "02.01.2026" in first


# -- the result grid alone --------------------------------------------------------------------------


class GridApp(App):
    def __init__(self, **grid) -> None:
        super().__init__()
        self.grid_options = grid

    def compose(self) -> ComposeResult:
        yield ResultGrid(id="grid", **self.grid_options)

    def on_mount(self) -> None:
        self.query_one(ResultGrid).focus()


def lines_of(app) -> list[str]:
    return screen_text(app).splitlines()


async def test_grid_shows_batches_while_the_rest_is_read():
    gate = threading.Event()

    def source():
        def rows():
            for i in range(300):
                if i == 120:
                    gate.wait(10)
                yield (i, f"nimi {i}")
        return ["n", "name"], ["int", "text"], rows()

    app = GridApp()
    async with app.run_test(size=SIZE) as pilot:
        grid = app.query_one(ResultGrid)
        grid.stream(source)
        await wait_for(pilot, lambda: grid.row_count >= 100)
        assert grid.running and grid.row_count < 300
        assert "Fetching…" in lines_of(app)[-1] and lines_of(app)[1].split() == ["0", "nimi", "0"]
        gate.set()
        await wait_for(pilot, lambda: not grid.running)
        assert grid.row_count == grid.total_rows == 300 and grid.state == "done"
        assert lines_of(app)[-2].startswith(" 300 rows · ") or lines_of(app)[-1].startswith(" 300 rows · ")


async def test_grid_cap_keeps_n_rows_and_says_so():
    app = GridApp(cap=50)
    async with app.run_test(size=SIZE) as pilot:
        grid = app.query_one(ResultGrid)
        grid.stream(lambda: (["n"], ((i,) for i in range(1234))))
        await wait_for(pilot, lambda: grid.state == "done")
        assert grid.row_count == 50 and grid.total_rows == 1234 and grid.capped
        assert "showing the first 50 rows of 1,234" in flat(screen_text(app))
        # without counting past the cap: stops reading and says there are more
        grid.stream(lambda: (["n"], ((i,) for i in range(1234))), count_all=False)
        await wait_for(pilot, lambda: grid.state == "done")
        assert grid.row_count == 50 and grid.more
        assert "showing the first 50 rows; more were not read" in flat(screen_text(app))
        # by hand: start, append, finish
        grid.start(["a", "b"])
        grid.append_rows([(1, 2)] * 60)
        grid.add_count(10)
        grid.finish()
        assert (grid.row_count, grid.total_rows) == (50, 70)


async def test_grid_cells_literal_null_numbers_and_the_whole_value():
    long_text = "alku " + "x" * 200 + " loppu\ntoinen rivi"
    app = GridApp()
    async with app.run_test(size=SIZE) as pilot:
        grid = app.query_one(ResultGrid)
        grid.start(["name", "amount", "day", "empty", "note"], [None, None, None, None, None])
        grid.append_rows([(HOSTILE, Decimal("1234.5"), dt.date(2026, 1, 2), None, long_text),
                          ("NULL", Decimal("-7.25"), "2026-03-04 05:06:07", "", "lyhyt")])
        grid.finish()
        await pilot.pause()
        lines = lines_of(app)
        assert lines[0].split() == ["name", "amount", "day", "empty", "note"]
        assert lines[1].startswith(HOSTILE_SHOWN)  # markup shown as written, the ESC gone
        assert "\x1b" not in screen_text(app)
        amount_end = lines[0].index("day") - 1
        assert lines[1][:amount_end].endswith("1,234.50") and lines[2][:amount_end].endswith("-7.25")  # right-aligned
        assert "2026-01-02" in lines[1] and "2026-03-04 05:06:07" in lines[2]
        assert " NULL " in lines[1][lines[0].index("empty") - 1:]
        null_style = grid.get_component_rich_style("result-grid--null")
        assert null_style.italic  # NULL looks different from the text "NULL"
        await pilot.press("right", "right", "right", "right")
        assert grid.cursor_column == 4
        await pilot.pause()
        assert "alku xxx" in lines_of(app)[1] and "…" in lines_of(app)[1]  # the long note is cut on screen
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CellViewScreen))
        text = flat(screen_text(app))
        assert "note, row 1" in text and "loppu" in text and "toinen rivi" in text
        await pilot.press("escape")
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CellViewScreen))
        assert "lyhyt" in flat(screen_text(app))


async def test_grid_scrolls_sideways_and_down():
    app = GridApp()
    async with app.run_test(size=SIZE) as pilot:
        grid = app.query_one(ResultGrid)
        headers = [f"column{i:02d}" for i in range(20)]
        grid.start(headers)
        grid.append_rows([tuple(f"r{r}c{c}" for c in range(20)) for r in range(100)])
        grid.finish()
        await pilot.pause()
        assert "column19" not in lines_of(app)[0]
        await pilot.press("end")
        await pilot.pause()
        assert "column19" in lines_of(app)[0] and "r0c19" in lines_of(app)[1]
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert grid.cursor_row == 99 and any("r99c19" in line for line in lines_of(app))
        await pilot.press("ctrl+home", "home")
        await pilot.pause()
        assert lines_of(app)[0].startswith("column00") and lines_of(app)[1].startswith("r0c0")


async def test_grid_finnish_formats():
    i18n.set_language("fi")
    app = GridApp()
    async with app.run_test(size=SIZE) as pilot:
        grid = app.query_one(ResultGrid)
        grid.start(["summa", "pvm", "aika"], ["decimal", "date", "datetime"])
        grid.append_rows([(1234.5, "2026-01-02", "2026-01-02 14:05:00"), (2, "0000-00-00", None)])
        grid.finish()
        await pilot.pause()
        lines = lines_of(app)
        assert "1\u00a0234,50" in lines[1] and "02.01.2026" in lines[1] and "02.01.2026 14:05" in lines[1]
        assert "2,00" in lines[2] and "00.00" not in lines[2]  # the zero date shows empty
        assert "2 riviä" in lines[-1] or "2 riviä" in lines[-2]


async def test_a_saved_query_naming_a_secret_is_refused_not_loaded(url):
    """One an older version saved (kuka.salasana shown and restricted on): refused with a message
    naming the column, never its value; the form is not filled, so nothing can run or be saved."""
    import json

    with db.session("acme", "setup"):
        User.update(password_md5="5f4dcc3b5aa765d61d8327deb882cf99").where(User.login == "pekka").execute()
        SavedForm.create(owner="anna", title="Passwords", application=Q.APPLICATION, data=json.dumps(
            {"table": "kuka", "fields": [{"column": "kuka", "show": True},
                                         {"column": "salasana", "show": True, "operator": "like", "value": "5f"}]}))
    app = logged_in_app(url, user="anna")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_generator(pilot)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, SavedQueriesScreen))
        await pilot.press("enter")
        text = await shows(pilot, "Passwords", "kuka.salasana", "refused")
        assert "5f4dcc3b" not in text
        assert app.screen is screen and screen.view == "tables" and screen.table is None
        await pick_table(pilot, screen, "kuka")  # the table itself opens, without its secrets
        assert {"kuka", "nimi"} <= {r.column.name for r in screen.fields.rows}
        assert not {"salasana", "session", "api_key"} & {r.column.name for r in screen.fields.rows}
