"""The customer list and customer editing at 80x24, driven like a user would."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import threading
import types
from pathlib import Path

import openpyxl
import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input, Select

from pupetui import db, i18n
from pupetui.models import Company, CompanyParameters, Customer, Keyword, Permission, User
from pupetui.screens.base import PupeScreen
from pupetui.screens.customer_edit import CustomerEditScreen
from pupetui.screens.customers import (
    ColumnFilterScreen,
    CustomerListScreen,
    FiltersScreen,
    MemoCustomerListScreen,
)
from pupetui.screens.help import HelpScreen
from pupetui.services import auth, customer_edit, customers
from pupetui.services.customers import CustomerQuery
from pupetui.services.programs import CUSTOMER_EDIT, PROGRAMS
from pupetui.widgets.confirm import AskTextScreen, ConfirmScreen
from pupetui.widgets.paged_table import PagedTable, TableColumn
from legacy import legacy_create
from test_app import SIZE, flat, logged_in_app, menu_ready, screen_text, shows, wait_for

HOSTILE = "Oy [Ab] & Co \\ [bold]x[/bold]\x1b[31m\x07"
HOSTILE_SHOWN = "Oy [Ab] & Co \\ [bold]x[/bold][31m"  # the ESC and BEL removed, the rest literal
LONG_NAME = "Pitkä " + "nimi" * 124  # 500 characters


# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def url(sqlite_url):
    d = db.connect(sqlite_url)
    yield sqlite_url
    db.end_session()
    if not d.is_closed():
        d.close()


LIST_SCRIPTS = [p.script for p in PROGRAMS]
CUSTOMERS_ROWS = [
    dict(name="Virtanen Rakennus Oy", city="Helsinki", business_id="12345671", customer_no="1001",
         phone="040 123 4567", email="info@virtanen.fi", department="10", district="1", salesperson_no=7),
    dict(name="Virtala Varasto Oy", city="Espoo", customer_no="1002", department="20", district="2"),
    dict(name="Mäkinen Ky", city="Tampere", business_id="76543212", customer_no="1003",
         department="10", district="1", status="A", email="info@makinen.fi"),
    dict(name="Prospekti Oy", kind="R", city="Oulu", customer_no="1004", department="20", district="2"),
    dict(name="Aalto Oy", city="Turku", customer_no="1005", department="20", district="1"),
    dict(name="Poistettu Virtanen Oy", kind="P", city="Helsinki", customer_no="1006"),
]


def seed(url: str, *, extra: list[dict] | None = None, bulk: int = 0, group: bool = False) -> None:
    """Company acme: matti (every right, customer editing too), liisa (the list only), keywords,
    customers; with `group`, a second company of the same group with a customer of its own."""
    d = db.connect(url)
    with db.session("acme", "setup"):
        Company.create(name="Acme Oy", group="KONS" if group else "", currency="EUR")
        CompanyParameters.create()
        User.create(login="matti", name="Matti Myyjä", password_md5="", active=1, salesperson_no=7)
        User.create(login="liisa", name="Liisa Lukija", password_md5="", active=1, salesperson_no=8)
        for script in LIST_SCRIPTS:
            Permission.create(login="matti", script=script, subname="")
        Permission.create(login="matti", script=CUSTOMER_EDIT.script, subname="asiakas", may_update="1")
        Permission.create(login="liisa", script="crm/asiakaslista.php", subname="")
        for kind, value, text in (
            ("ASIAKASOSASTO", "10", "Teollisuus"), ("ASIAKASOSASTO", "20", "Kauppa"),
            ("ASIAKASRYHMA", "A", "Avainasiakas"), ("PIIRI", "1", "Uusimaa"), ("PIIRI", "2", "Pirkanmaa"),
            ("ASIAKASTILA", "A", "Aktiivinen"),
        ):
            Keyword.create(kind=kind, value=value, text=text)
        for row in CUSTOMERS_ROWS:
            Customer.create(**row)
        for row in extra or []:  # hostile rows too: as an older program may have left them
            legacy_create(Customer, **row)
        if bulk:
            rows = [dict(name=f"Bulk {i:05d} Oy", city="Lahti", customer_no=f"9{i:05d}") for i in range(bulk)]
            with db.database.atomic():
                for start in range(0, bulk, 500):
                    Customer.insert_many(rows[start:start + 500]).execute()
    if group:
        with db.session("other", "setup"):
            Company.create(name="Toinen Oy", group="KONS")
            Permission.create(login="matti", script="crm/asiakaslista.php", subname="")
            Customer.create(name="Virtanen Toinen Oy", city="Vaasa", customer_no="2001")
    d.close()


async def open_list(pilot, key: str = "a") -> CustomerListScreen:
    app = pilot.app
    await menu_ready(pilot)
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, CustomerListScreen))
    screen = app.screen
    await wait_for(pilot, lambda: screen.table.row_count is not None and screen.list_context is not None)
    return screen


def table_lines(app) -> list[str]:
    """The lines of the list on screen (the column titles and the rows)."""
    table = app.screen.table
    region = table.region
    lines = screen_text(app).splitlines()
    return [line[region.x: region.right] for line in lines[region.y: region.bottom]]


def names_shown(app) -> list[str]:
    """The names in the list, top to bottom, as the screen shows them."""
    table = app.screen.table
    rows = table_lines(app)[1:][: max(0, table.known_rows - int(table.scroll_offset.y))]
    return [line[2:33].strip() for line in rows if line[2:33].strip()]


async def settle(pilot, screen: CustomerListScreen) -> None:
    """Wait for the list to show its query: the first page and the count are in."""
    table = screen.table
    await wait_for(pilot, lambda: table.row_count is not None and not table.fetching and table._held is None)
    await pilot.pause()


async def type_search(pilot, screen: CustomerListScreen, text: str) -> None:
    await pilot.press(*text)
    await wait_for(pilot, lambda: screen.query_state.text == screen.search.value)
    await settle(pilot, screen)


# -- the list ----------------------------------------------------------------------------------


async def test_type_ahead_narrows_the_rows_as_you_type(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        await settle(pilot, screen)
        text = await shows(pilot, "Customer list", "5 customers", "◇ prospect", "No filters")
        assert names_shown(app) == ["Aalto Oy", "Mäkinen Ky", "Prospekti Oy", "Virtala Varasto Oy", "Virtanen Rakennus Oy"]
        assert "Poistettu" not in text  # deleted customers are never listed
        prospect_line = next(line for line in table_lines(app) if "Prospekti Oy" in line)
        assert prospect_line.startswith("◇ ")  # marked by a sign, not only by colour
        assert not next(line for line in table_lines(app) if "Aalto Oy" in line).startswith("◇")
        assert app.focused is screen.search  # type right away

        await type_search(pilot, screen, "v")
        assert names_shown(app) == ["Virtala Varasto Oy", "Virtanen Rakennus Oy"]
        await shows(pilot, "2 customers")
        await type_search(pilot, screen, "irtan")
        assert names_shown(app) == ["Virtanen Rakennus Oy"]
        await shows(pilot, "1 customer ")
        await type_search(pilot, screen, "x")
        assert names_shown(app) == []
        await shows(pilot, "No customers match.", "0 customers")
        await pilot.press("backspace", "backspace", "backspace")
        await wait_for(pilot, lambda: screen.query_state.text == "virt")
        await settle(pilot, screen)
        assert names_shown(app) == ["Virtala Varasto Oy", "Virtanen Rakennus Oy"]
        # by town, customer number and email too
        screen.search.value = ""
        await type_search(pilot, screen, "tampere")
        assert names_shown(app) == ["Mäkinen Ky"]
        await pilot.press("x", "backspace")  # typed and taken back before the search ran
        await settle(pilot, screen)
        assert names_shown(app) == ["Mäkinen Ky"]
        await shows(pilot, "1 customer ")


@pytest.mark.parametrize("backend", ["mariadb", "postgres"])
async def test_a_huge_pasted_search_is_refused_by_the_field_not_the_database(database_url, backend):
    """Issue 15.9: 130,000 characters in the customer list's search made MariaDB and PostgreSQL
    refuse the regular expression. The field takes at most 1000 characters (a longer paste is not
    taken), and a longer value set another way is cut by the service."""
    from textual import events

    seed(database_url)
    db.connect(database_url)
    try:
        app = logged_in_app(database_url)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            screen = await open_list(pilot)
            await settle(pilot, screen)
            screen.search.post_message(events.Paste("virtanen" + "x" * 130_000))
            await pilot.pause()
            await settle(pilot, screen)
            assert screen.search.value == "" and len(names_shown(app)) == 5
            screen.search.value = "virtanen" + "x" * 130_000  # not typed: the service cuts it
            await wait_for(pilot, lambda: screen.query_state.text.startswith("virtanen"))
            await settle(pilot, screen)
            await shows(pilot, "No customers match.", "0 customers")
            assert app.is_running
            screen.search.value = ""
            await type_search(pilot, screen, "virtan")
            assert names_shown(app) == ["Virtanen Rakennus Oy"]
    finally:
        db.end_session()
        db.database.obj.close()


async def test_each_keystroke_supersedes_the_previous_search(url, monkeypatch):
    """A slow, superseded query never shows its rows, whatever order the answers come in."""
    seed(url)
    real_page = customers.page
    release = threading.Event()

    def page(query, offset, limit):
        if query.text == "v":  # the first keystroke's query answers last
            release.wait(5)
        return real_page(query, offset, limit)

    monkeypatch.setattr(customers, "page", page)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        await settle(pilot, screen)
        await pilot.press("v")
        await wait_for(pilot, lambda: screen.query_state.text == "v")
        await pilot.press(*"irtan")
        await wait_for(pilot, lambda: screen.query_state.text == "virtan")
        await wait_for(pilot, lambda: names_shown(app) == ["Virtanen Rakennus Oy"])
        release.set()  # now the stale answer arrives
        await asyncio.sleep(0.3)
        await pilot.pause()
        assert names_shown(app) == ["Virtanen Rakennus Oy"]
        await shows(pilot, "1 customer ")


async def test_filters_sorting_and_column_filters(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        await settle(pilot, screen)
        await pilot.press("down")  # from the search to the list
        assert app.focused is screen.table

        # F: the filters; choose department 10 with the keyboard
        await pilot.press("F")
        await wait_for(pilot, lambda: isinstance(app.screen, FiltersScreen))
        await shows(pilot, "Department", "Group", "District", "Salesperson", "Status", "Apply")
        department = app.screen.query_one("#filter-department", Select)
        assert app.focused is department
        await pilot.press("enter", "down", "enter")  # open, the first choice, take it
        await wait_for(pilot, lambda: department.value == "10")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        await settle(pilot, screen)
        await shows(pilot, "Filters: Department: 10 Teollisuus", "2 customers")
        assert names_shown(app) == ["Mäkinen Ky", "Virtanen Rakennus Oy"]

        # s: sort by the next column (town), S: the other way round
        await pilot.press("s")
        await settle(pilot, screen)
        assert "Town ▲" in table_lines(app)[0]
        await shows(pilot, "sorted by Town ▲")
        assert names_shown(app) == ["Virtanen Rakennus Oy", "Mäkinen Ky"]  # Helsinki, Tampere
        await pilot.press("S")
        await settle(pilot, screen)
        assert "Town ▼" in table_lines(app)[0]
        assert names_shown(app) == ["Mäkinen Ky", "Virtanen Rakennus Oy"]

        # f: a text filter on the sorted column (town)
        await pilot.press("F")
        await wait_for(pilot, lambda: isinstance(app.screen, FiltersScreen))
        await pilot.click("#filters-clear")
        await wait_for(pilot, lambda: app.screen is screen)
        await settle(pilot, screen)
        assert len(names_shown(app)) == 5
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ColumnFilterScreen))
        assert app.screen.query_one("#column-filter-column", Select).value == "city"
        await pilot.press(*"ESP", "enter")
        await wait_for(pilot, lambda: app.screen is screen)
        await settle(pilot, screen)
        assert names_shown(app) == ["Virtala Varasto Oy"]
        await shows(pilot, "Filters: Town contains “ESP”", "1 customer ")
        # an empty text removes it
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ColumnFilterScreen))
        assert app.screen.query_one("#column-filter-text", Input).value == "ESP"
        await pilot.press("backspace", "backspace", "backspace", "enter")
        await wait_for(pilot, lambda: app.screen is screen)
        await settle(pilot, screen)
        await shows(pilot, "No filters", "5 customers")

        # a click on a column title sorts by it
        await pilot.click("#customers-table", offset=(3, 0))
        await settle(pilot, screen)
        assert screen.query_state.sort == "name"
        assert "Name ▲" in table_lines(app)[0]


async def test_the_town_column_and_its_filter_show_the_delivery_town_first(url):
    """As Pupesoft's crm/asiakaslista.php: the town shown is toim_postitp when there is one."""
    seed(url, extra=[dict(name="Nokian Kone Oy", city="Tampere", delivery_name="Nokian Kone Oy varasto",
                          delivery_address="Tehtaankatu 3", delivery_postcode="37100", delivery_city="Nokia",
                          customer_no="1007", department="10")])
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        await settle(pilot, screen)
        [row] = [line for line in table_lines(app) if "Nokian Kone Oy" in line]
        assert "Nokia" in row and "Tampere" not in row
        await pilot.press("down", "s")  # sort by town: Nokia before Tampere
        await settle(pilot, screen)
        assert names_shown(app).index("Nokian Kone Oy") < names_shown(app).index("Mäkinen Ky")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ColumnFilterScreen))
        assert app.screen.query_one("#column-filter-column", Select).value == "city"
        await pilot.press(*"Tampere", "enter")
        await wait_for(pilot, lambda: app.screen is screen)
        await settle(pilot, screen)
        assert names_shown(app) == ["Mäkinen Ky"]  # the town Nokian Kone Oy's row shows is Nokia


async def test_whole_group_shows_the_other_companies(url):
    seed(url, group=True)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        await settle(pilot, screen)
        assert "Virtanen Toinen Oy" not in names_shown(app)
        await pilot.press("down", "g")
        await settle(pilot, screen)
        await shows(pilot, "Filters: whole group", "6 customers")
        assert "Virtanen Toinen Oy" in names_shown(app)
        assert [c.id for c in screen.table.columns][-1] == "company"
        await pilot.press("g")
        await settle(pilot, screen)
        assert "Virtanen Toinen Oy" not in names_shown(app)


async def test_whole_group_without_a_group_says_so(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        await pilot.press("down", "g")
        await shows(pilot, "No other companies: this company is in no group")
        assert not screen.query_state.whole_group


async def test_hostile_and_long_names_are_shown_literally(url):
    seed(url, extra=[
        dict(name=HOSTILE, city="Turku\x1b]0;evil\x07", customer_no="666"),
        dict(name=LONG_NAME, city="Pori", customer_no="777", email="x" * 200 + "@example.com"),
    ])
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        await settle(pilot, screen)
        text = screen_text(app)
        assert HOSTILE_SHOWN[:29] in text  # cut to the column's width, markup characters and all
        assert "\x1b" not in text and "\x07" not in text
        assert "Turku]0;evil" in text
        lines = table_lines(app)
        long_line = next(line for line in lines if "Pitkä nimi" in line)
        assert "…" in long_line and "Pori" in long_line  # cut to its column, the next column in place
        assert all(len(line) <= 80 for line in text.splitlines())
        await shows(pilot, "7 customers")
        # the edit form shows it literally too
        await type_search(pilot, screen, "666")
        await pilot.press("enter", "e")
        await wait_for(pilot, lambda: isinstance(app.screen, CustomerEditScreen) and app.screen.original is not None)
        assert app.screen.query_one("#field-name", Input).value == HOSTILE_SHOWN
        assert HOSTILE_SHOWN[:40] in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)


async def test_scrolling_far_down_fetches_pages_not_the_whole_list(url, monkeypatch):
    seed(url, bulk=3000)
    calls: list[tuple[int, int]] = []
    real_page = customers.page

    def page(query, offset, limit):
        calls.append((offset, limit))
        return real_page(query, offset, limit)

    monkeypatch.setattr(customers, "page", page)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        await settle(pilot, screen)
        await shows(pilot, "3,005 customers")
        assert names_shown(app)[0] == "Aalto Oy"
        await pilot.press("down")  # to the list
        await pilot.press("end")
        await wait_for(pilot, lambda: "Virtanen Rakennus Oy" in names_shown(app))
        assert names_shown(app)[-1] == "Virtanen Rakennus Oy"
        assert screen.table.highlighted_row.name == "Virtanen Rakennus Oy"
        # back up, page by page: the rows before arrive as they come into view
        for _ in range(8):
            await pilot.press("pageup")
        await wait_for(pilot, lambda: screen.table.highlighted_row is not None)
        highlighted = screen.table.highlighted_row.name
        assert highlighted.startswith("Bulk 028") and highlighted in names_shown(app)
        await pilot.press("home")
        await wait_for(pilot, lambda: names_shown(app)[:1] == ["Aalto Oy"])
        fetched = sum(limit for _offset, limit in calls)
        assert len(calls) <= 8, calls
        assert fetched < 3005 / 3, calls  # only the pages looked at
        assert len(screen.table.loaded_pages()) <= screen.table.max_pages


async def test_enter_opens_the_memo_of_the_highlighted_customer(url, monkeypatch):
    seed(url)
    memo_module = types.ModuleType("pupetui.screens.memo")

    class MemoScreen(PupeScreen):
        def __init__(self, customer_id: int) -> None:
            super().__init__()
            self.customer_id = customer_id

    memo_module.MemoScreen = MemoScreen
    monkeypatch.setitem(sys.modules, "pupetui.screens.memo", memo_module)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        await type_search(pilot, screen, "mäki")
        await pilot.press("enter")  # from the search to the list
        assert app.focused is screen.table
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MemoScreen))
        assert app.screen.customer_id == screen.table.highlighted_row.id
        assert screen.table.highlighted_row.name == "Mäkinen Ky"


async def test_enter_opens_the_real_memo(url):
    from pupetui.screens.memo import MemoScreen

    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        await type_search(pilot, screen, "mäki")
        await pilot.press("enter", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MemoScreen))
        await shows(pilot, "Mäkinen Ky")


async def test_enter_enter_typed_at_once_opens_the_memo(url):
    """Two Enters arriving together (a fast typist, a terminal sending both in one read) both reach
    the search box before the focus has moved to the list: the second is still the list's Enter."""
    from textual import events

    from pupetui.screens.memo import MemoScreen

    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        await type_search(pilot, screen, "mäki")
        assert app.focused is screen.search
        for _ in range(2):  # both queued before either is handled
            app.post_message(events.Key("enter", "\r"))
        await wait_for(pilot, lambda: isinstance(app.screen, MemoScreen))
        await shows(pilot, "Mäkinen Ky")


async def test_the_memo_program_opens_the_list(url, monkeypatch):
    seed(url)
    monkeypatch.setitem(sys.modules, "pupetui.screens.memo", None)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot, key="m")
        assert isinstance(screen, MemoCustomerListScreen)
        await shows(pilot, "Customer memo", "5 customers")


# -- editing -------------------------------------------------------------------------------------


async def open_editor(pilot, screen: CustomerListScreen, search: str, key: str = "e") -> CustomerEditScreen:
    app = pilot.app
    if search:
        await type_search(pilot, screen, search)
    await pilot.press("enter" if app.focused is screen.search else "down")
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, CustomerEditScreen) and app.screen.original is not None)
    return app.screen


async def replace_text(pilot, field: Input, text: str) -> None:
    field.focus()
    field.value = ""
    await pilot.press(*text)


async def test_edit_refuses_an_invalid_email_then_saves(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        editor = await open_editor(pilot, screen, "mäki")
        customer_id = editor.customer_id
        await shows(pilot, "Edit customer: Mäkinen Ky", "Name", "Business ID", "Save")
        assert editor.query_one("#field-email", Input).value == "info@makinen.fi"
        assert editor.query_one("#field-department", Select).value == "10"

        await replace_text(pilot, editor.query_one("#field-name", Input), "Mäkinen ja Poika Ky")
        await replace_text(pilot, editor.query_one("#field-email", Input), "myynti(at)makinen")
        await pilot.press("ctrl+s")
        text = await shows(pilot, "The customer was not saved: 1 field needs fixing.",
                           "! myynti(at)makinen is not an email address.")
        assert isinstance(app.screen, CustomerEditScreen)
        with db.session("acme", "matti"):
            assert customer_edit.load(customer_id).email == "info@makinen.fi"  # nothing saved
            assert customer_edit.load(customer_id).name == "Mäkinen Ky"
        # everything typed is still there
        assert editor.query_one("#field-name", Input).value == "Mäkinen ja Poika Ky"
        assert editor.query_one("#field-email", Input).value == "myynti(at)makinen"
        assert app.focused is editor.query_one("#field-email", Input)  # at the field to fix

        await replace_text(pilot, editor.query_one("#field-email", Input), "myynti@makinen.fi")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        with db.session("acme", "matti"):
            saved = customer_edit.load(customer_id)
        assert (saved.name, saved.email) == ("Mäkinen ja Poika Ky", "myynti@makinen.fi")
        # the list shows the saved customer, highlighted
        await wait_for(pilot, lambda: screen.table.highlighted_row is not None
                       and screen.table.highlighted_row.id == customer_id
                       and screen.table.highlighted_row.name == "Mäkinen ja Poika Ky")
        assert "Mäkinen ja Poika Ky" in names_shown(app)


async def test_a_letter_typed_into_the_editor_does_not_replace_the_whole_name(url):
    """The editor opens with its first field focused: a stray key must add to the name, not
    select-and-replace it."""
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        editor = await open_editor(pilot, screen, "mäki")
        name = editor.query_one("#field-name", Input)
        name.focus()
        await pilot.pause()
        await pilot.press("end", "x")
        await wait_for(pilot, lambda: name.value == "Mäkinen Kyx")
        editor.query_one("#field-email", Input).focus()
        await pilot.pause()
        await pilot.press("z")
        await wait_for(pilot, lambda: "z" in editor.query_one("#field-email", Input).value)
        assert editor.query_one("#field-email", Input).value.startswith("info@makinen.fi")


async def test_every_error_is_shown_beside_its_field(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        editor = await open_editor(pilot, screen, "aalto")
        await replace_text(pilot, editor.query_one("#field-name", Input), "")
        await replace_text(pilot, editor.query_one("#field-country", Input), "Suomi")
        await replace_text(pilot, editor.query_one("#field-postcode", Input), "1" * 20)
        await pilot.press("ctrl+s")
        await shows(pilot, "The customer was not saved: 4 fields need fixing.")
        errors = {row.id: row.error_text for row in editor.query("FormField") if row.error_text}
        assert errors == {
            "row-name": "A customer needs a name.",
            "row-business_id": "A customer needs a business ID (Pupesoft requires one).",
            "row-country": "At most 2 characters (5 given). A two-letter country code such as FI, not SUOMI.",
            "row-postcode": "At most 15 characters (20 given).",
        }
        assert app.focused is editor.query_one("#field-name", Input)
        await shows(pilot, "! A customer needs a name.")


async def test_a_business_id_pupesoft_cannot_tell_apart_is_refused(url):
    """By default (asiakkaan_tarkenne '') Pupesoft refuses a second customer of one business ID
    with the same EDI codes, comparing the ID as it would store it (without the dash)."""
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        editor = await open_editor(pilot, screen, "aalto")
        customer_id = editor.customer_id
        await replace_text(pilot, editor.query_one("#field-country", Input), "FI")
        await replace_text(pilot, editor.query_one("#field-business_id", Input), "1234567-1")
        await pilot.press("ctrl+s")
        await shows(pilot, "Pupesoft cannot tell this customer apart from Virtanen Rakennus Oy: "
                           "the same business ID 12345671.")
        assert isinstance(app.screen, CustomerEditScreen)
        assert editor.query_one("#field-business_id", Input).value == "1234567-1"  # as typed
        with db.session("acme", "matti"):
            assert customer_edit.load(customer_id).business_id == ""


async def test_a_duplicate_business_id_is_warned_and_a_second_save_confirms(url):
    """When the company tells customers apart by their numbers (asiakkaan_tarkenne 'A'), another
    customer of the business ID is only a warning."""
    seed(url)
    with db.session("acme", "setup"):
        CompanyParameters.update(customer_key="A").execute()
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        editor = await open_editor(pilot, screen, "aalto")
        customer_id = editor.customer_id
        await replace_text(pilot, editor.query_one("#field-business_id", Input), "12345671")
        await pilot.press("ctrl+s")
        await shows(pilot, "The business ID 12345671 is also used by: Virtanen Rakennus Oy",
                    "Press ^s again to save anyway.")
        assert isinstance(app.screen, CustomerEditScreen)
        with db.session("acme", "matti"):
            assert customer_edit.load(customer_id).business_id == ""
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        with db.session("acme", "matti"):
            assert customer_edit.load(customer_id).business_id == "12345671"


async def test_a_finnish_business_id_is_checked_and_shown_as_pupesoft_stores_it(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        editor = await open_editor(pilot, screen, "aalto")
        customer_id = editor.customer_id
        field = editor.query_one("#field-business_id", Input)
        await replace_text(pilot, editor.query_one("#field-country", Input), "FI")  # Pupesoft checks Finnish ones
        await replace_text(pilot, field, "0737546 3")  # a wrong check digit
        await pilot.press("ctrl+s")
        await shows(pilot, "! 0737546 3 is not a valid Finnish business ID: its check digit is wrong.")
        assert field.value == "0737546 3"  # nothing typed is lost
        assert app.focused is field
        await replace_text(pilot, field, "0737546 2")
        await pilot.press("ctrl+s")
        await shows(pilot, "Stored as Pupesoft stores it: 07375462")
        assert field.value == "07375462"
        with db.session("acme", "matti"):
            assert customer_edit.load(customer_id).business_id == ""  # not yet
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        with db.session("acme", "matti"):
            assert customer_edit.load(customer_id).business_id == "07375462"


async def test_a_read_only_right_opens_the_customer_read_only(url):
    """The right to Pupesoft's customer maintenance without its update flag: the customer opens,
    every field shown, nothing can be changed or saved, and the form says why."""
    seed(url)
    with db.session("acme", "setup"):
        Permission.create(login="liisa", script=CUSTOMER_EDIT.script, subname="asiakas", may_update="")
    app = logged_in_app(url, user="liisa")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        editor = await open_editor(pilot, screen, "mäki")
        await shows(pilot, "View customer: Mäkinen Ky", "Read only: your right to Pupesoft's customer maintenance")
        name = editor.query_one("#field-name", Input)
        assert name.value == "Mäkinen Ky" and name.disabled
        await pilot.press("x", "ctrl+s")
        await shows(pilot, "! Read only: your right to Pupesoft's customer maintenance has no update flag")
        assert name.value == "Mäkinen Ky"
        with db.session("acme", "liisa"):
            assert not customer_edit.may_edit() and customer_edit.may_view()
            with pytest.raises(auth.AccessDenied, match="with the update flag"):
                customer_edit.save(customer_edit.load(editor.customer_id), editor.customer_id)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("n")  # a new customer needs the update flag
        await shows(pilot, "You have no right to edit customers.")
        assert app.screen is screen


async def test_escape_on_a_changed_form_asks_before_discarding(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        # unchanged: Esc just closes
        editor = await open_editor(pilot, screen, "aalto")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)

        editor = await open_editor(pilot, screen, "")
        name = editor.query_one("#field-name", Input)
        await pilot.press("end", *" Ab")
        assert name.value == "Aalto Oy Ab"
        facts = editor.query_one("#field-facts")
        facts.focus()
        await pilot.press(*"Soita ensin.")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await shows(pilot, "Discard changes?", "The changes have not been saved. Discard them?",
                    "Discard", "Keep editing")
        await pilot.press("n")  # no: back to the form, everything intact
        await wait_for(pilot, lambda: app.screen is editor)
        assert name.value == "Aalto Oy Ab"
        assert editor.query_one("#field-facts").text == "Soita ensin."

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is screen)
        with db.session("acme", "matti"):
            found = customers.page(CustomerQuery(text="aalto"), 0, 10)
        assert [(c.name) for c in found] == ["Aalto Oy"]


async def test_n_creates_a_new_customer(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        await type_search(pilot, screen, "virt")
        editor = await open_editor(pilot, screen, "", key="n")
        await shows(pilot, "New customer")
        assert editor.customer_id is None
        assert app.focused is editor.query_one("#field-name", Input)
        await pilot.press(*"Uusi Asiakas Oy")
        await replace_text(pilot, editor.query_one("#field-city", Input), "Kuopio")
        await replace_text(pilot, editor.query_one("#field-business_id", Input), "07375462")
        assert editor.query_one("#field-currency", Input).value == "EUR"  # the company's
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        with db.session("acme", "matti"):
            found = customers.page(CustomerQuery(text="uusi asiakas"), 0, 10)
        assert [(c.name, c.city, c.kind) for c in found] == [("Uusi Asiakas Oy", "Kuopio", "")]
        # not in the "virt" search: the list searches for it by its name and shows it
        await wait_for(pilot, lambda: screen.table.highlighted_row is not None
                       and screen.table.highlighted_row.id == found[0].id)
        await settle(pilot, screen)
        assert "Uusi Asiakas Oy" in names_shown(app)
        assert screen.search.value == "Uusi Asiakas Oy"


async def test_a_user_without_the_edit_right_is_told_so(url):
    seed(url)
    app = logged_in_app(url, user="liisa")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        await pilot.press("down", "e")
        await shows(pilot, "You have no right to edit customers.")
        assert app.screen is screen
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen
        # nor can the memo be opened without its right
        await pilot.press("enter")
        await shows(pilot, "You have no right to use the customer memo.")


# -- Excel ----------------------------------------------------------------------------------------


async def test_excel_export_writes_what_the_filters_select(url, tmp_path):
    seed(url, bulk=150)
    target = tmp_path / "lista.xlsx"
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        await type_search(pilot, screen, "virt")
        await pilot.press("enter", "x")
        await wait_for(pilot, lambda: isinstance(app.screen, AskTextScreen))
        field = app.screen.query_one("#ask-text", Input)
        assert field.value.startswith("~/customers-") and field.value.endswith(".xlsx")
        field.value = str(target)
        await pilot.press("enter")
        await shows(pilot, "Saved 2 customers to")  # and the path (wrapped in the message)
        assert target.is_file()
        book = openpyxl.load_workbook(target, read_only=True)
        rows = list(book.active.iter_rows(values_only=True))
        assert rows[0][:4] == ("Name", "Name extension", "Business ID", "Customer no")
        assert [r[0] for r in rows[1:]] == ["Virtala Varasto Oy", "Virtanen Rakennus Oy"]
        salesperson = rows[0].index("Salesperson")
        assert rows[2][salesperson] == 7 and isinstance(rows[2][salesperson], int)  # a number
        assert rows[1][rows[0].index("Prospect")] is False

        # the whole list, not only the rows on screen
        screen.search.value = ""
        await settle(pilot, screen)
        await pilot.press("down", "x")
        await wait_for(pilot, lambda: isinstance(app.screen, AskTextScreen))
        app.screen.query_one("#ask-text", Input).value = str(tmp_path / "kaikki")
        await pilot.press("enter")
        await shows(pilot, "Saved 155 customers to")
        rows = list(openpyxl.load_workbook(tmp_path / "kaikki.xlsx", read_only=True).active.iter_rows(values_only=True))
        assert len(rows) == 156

        # an existing file is replaced only when the user says so
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, AskTextScreen))
        app.screen.query_one("#ask-text", Input).value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await shows(pilot, "exists. Replace it?")
        await pilot.press("n")  # back in the dialog, the name kept for another try
        await wait_for(pilot, lambda: isinstance(app.screen, AskTextScreen))
        assert app.screen.query_one("#ask-text", Input).value == str(target)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert len(list(openpyxl.load_workbook(target, read_only=True).active.iter_rows())) == 3


async def test_excel_export_errors_are_told_plainly(url, tmp_path, monkeypatch):
    """Told in the dialog, which keeps what was typed (issue #15: also a file pupetui did not
    write, the live database among them, and a name with another suffix)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    seed(url)
    database = Path(url.removeprefix("sqlite:///"))
    before = database.read_bytes()
    other = tmp_path / "budjetti.xlsx"
    other.write_bytes(b"the user's own")
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        await pilot.press("down", "x")
        for typed, told in ((tmp_path / "no" / "such" / "x.xlsx", "does not exist"),
                            (tmp_path, "is a folder: give a file name"),
                            (database, "must end with .xlsx, not .sqlite3"),
                            (other, "exists and was not written by pupetui: choose another name")):
            await wait_for(pilot, lambda: isinstance(app.screen, AskTextScreen))
            field = app.screen.query_one("#ask-text", Input)
            field.value = str(typed)
            await pilot.press("enter")
            await shows(pilot, told)
            assert isinstance(app.screen, AskTextScreen) and field.value == str(typed)
        assert "Traceback" not in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen and app.is_running)
    assert database.read_bytes() == before and other.read_bytes() == b"the user's own"
    assert not list(tmp_path.glob("*.partial"))


# -- keys and languages -------------------------------------------------------------------------


def test_every_binding_has_an_id_and_a_description():
    for cls in (CustomerListScreen, CustomerEditScreen, FiltersScreen, ColumnFilterScreen,
                ConfirmScreen, AskTextScreen, PagedTable):
        for _key, binding in cls._merge_bindings():
            assert binding.id or binding.system, f"{cls.__name__}: {binding}"
            assert binding.description or binding.system, f"{cls.__name__}: {binding}"


async def test_f1_lists_the_keys_of_the_list(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        await pilot.press("down", "f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = flat(screen_text(app))
        for needle in ("Keys: Customer list", "Memo", "Edit", "New", "Filters", "Sort", "Next row"):
            assert needle in text, needle
        listed = dict((description, key) for key, description in app.screen.keys)
        assert listed["Excel"] == "x" and listed["Whole group"] == "g"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        text = flat(screen_text(app))
        for needle in ("Memo", "Edit", "Search", "Sort"):  # the footer
            assert needle in text


async def test_the_list_in_finnish(url):
    seed(url)
    i18n.set_language("fi")
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        await settle(pilot, screen)
        text = await shows(pilot, "Asiakaslista", "Haku:", "5 asiakasta", "◇ prospekti", "Ei rajauksia")
        assert "Nimi ▲" in table_lines(app)[0] and "Paikkakunta" in table_lines(app)[0]
        await pilot.press("down", "e")
        await wait_for(pilot, lambda: isinstance(app.screen, CustomerEditScreen) and app.screen.original is not None)
        await shows(pilot, "Muokkaa asiakasta: Aalto Oy", "Y-tunnus", "Tallenna")


async def test_works_in_16_colours_and_monochrome(url, monkeypatch):
    seed(url)
    monkeypatch.setenv("NO_COLOR", "1")
    app = logged_in_app(url, theme="ansi")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        await settle(pilot, screen)
        assert app.theme == "ansi-dark"
        await pilot.press("down")
        table = screen.table
        # the cursor row is reverse video: seen without any colour
        style = table.get_component_rich_style("paged-table--cursor")
        assert style.reverse
        assert next(line for line in table_lines(app) if "Prospekti Oy" in line).startswith("◇")


# -- the paged table on its own -------------------------------------------------------------------


class _TableApp(App):
    def __init__(self, fetch, count=None, **kwargs) -> None:
        super().__init__()
        self.table = PagedTable([TableColumn("n", "N", 10), TableColumn("t", "T", 10)], fetch, count=count,
                                value=lambda row, column: row[column], **kwargs)

    def compose(self) -> ComposeResult:
        yield self.table

    def on_mount(self) -> None:
        self.table.set_query("q")
        self.table.focus()


def _rows(query, offset, limit, total=1000):
    return [{"n": f"{query}{i}", "t": str(i)} for i in range(offset, min(total, offset + limit))]


async def test_the_table_shows_rows_before_the_count_and_fetches_more_as_you_go():
    count_started = threading.Event()
    release_count = threading.Event()

    def count(query):
        count_started.set()
        release_count.wait(5)
        return 1000

    app = _TableApp(_rows, count=count, page_size=50, max_pages=4)
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.table
        await wait_for(pilot, lambda: table.known_rows == 50)
        assert table.row_count is None  # the count is still running: rows shown anyway
        assert "q0" in screen_text(app)
        await pilot.press("end")  # to the last known row, and one placeholder further
        await wait_for(pilot, lambda: table.known_rows >= 100)
        release_count.set()
        await wait_for(pilot, lambda: table.row_count == 1000)
        await pilot.press("end")
        await wait_for(pilot, lambda: "q999" in screen_text(app))
        for _ in range(30):
            await pilot.press("pageup")
        await wait_for(pilot, lambda: table.highlighted_row is not None)
        assert len(table.loaded_pages()) <= 4  # the cache is bounded


async def test_the_table_never_shows_a_superseded_query():
    gate = threading.Event()

    def fetch(query, offset, limit):
        if query == "slow":
            gate.wait(5)
        return _rows(query, offset, limit, total=20)

    app = _TableApp(fetch, page_size=10)
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.table
        await wait_for(pilot, lambda: table.known_rows == 20)
        table.set_query("slow")
        await pilot.pause()
        table.set_query("fast")
        await wait_for(pilot, lambda: "fast0" in screen_text(app))
        gate.set()
        await asyncio.sleep(0.2)
        await pilot.pause()
        text = screen_text(app)
        assert "slow" not in text and "fast0" in text
        assert table.query == "fast"


async def test_the_table_shows_a_fetch_error():
    def fetch(query, offset, limit):
        raise RuntimeError("database is locked [bold]")

    app = _TableApp(fetch)
    async with app.run_test(size=(40, 12)) as pilot:
        await wait_for(pilot, lambda: app.table.error)
        assert "database is locked [bold]" in screen_text(app)
