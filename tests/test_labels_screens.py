"""The address labels at 80x24, driven by keys: choose, untick, print a PDF or Excel, memos."""

from __future__ import annotations

import openpyxl
from pypdf import PdfReader
from textual.widgets import Checkbox, Input

from pupetui import db
from pupetui.models import Activity, Contact, Customer
from pupetui.screens.labels import LabelsScreen, PrintLabelsScreen
from pupetui.widgets.confirm import ConfirmScreen
from pupetui.widgets.customer_selection import SelectionFiltersScreen
from test_app import SIZE, logged_in_app, menu_ready, screen_text, shows, wait_for
from test_customer_screens import english, seed, url  # noqa: F401  (fixtures)


EXTRA = [
    dict(name="Åström Sverige AB", address="Storgatan 2", postcode="111 22", city="Stockholm", country="SE",
         customer_no="1101", district="1"),
]


async def open_labels(pilot) -> LabelsScreen:
    app = pilot.app
    await menu_ready(pilot)
    await pilot.press("t")
    await wait_for(pilot, lambda: isinstance(app.screen, LabelsScreen))
    screen = app.screen
    await wait_for(pilot, lambda: screen.selection.found is not None and screen.selection.choices is not None)
    await pilot.pause()
    return screen


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


async def print_to(pilot, path, *, memo: str = "", output_excel: bool = False) -> None:
    app = pilot.app
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(app.screen, PrintLabelsScreen))
    dialog = app.screen
    if output_excel:
        await pilot.press("enter", "down", "enter")  # open the output list, choose Excel
        await wait_for(pilot, lambda: str(dialog.chosen().output) == "xlsx")
    if memo:
        dialog.query_one("#print-memo", Input).focus()
        await pilot.press(*memo)
    path_input = dialog.query_one("#print-path", Input)
    path_input.focus()
    path_input.value = ""
    await pilot.press(*str(path))
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, LabelsScreen))


async def test_print_the_ticked_customers_of_a_filtered_selection_to_a_pdf(url, tmp_path):
    seed(url, extra=EXTRA)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_labels(pilot)
        text = await shows(pilot, "Address labels", "6 of 6 ticked", "[x]◇ Prospekti Oy", "limit 1,000")
        assert "Poistettu" not in text  # deleted customers never

        # the filters: district 1 by text, then untick one row
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, SelectionFiltersScreen))
        app.screen.query_one("#sel-text-district", Input).focus()
        await pilot.press("1", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, LabelsScreen) and screen.selection.found == 4)
        await shows(pilot, "District contains “1”", "4 of 4 ticked")
        lines = screen_text(app).splitlines()
        assert [line[5:33].strip() for line in lines if line.startswith("[x]")] == [
            "Aalto Oy", "Mäkinen Ky", "Virtanen Rakennus Oy", "Åström Sverige AB"]
        await pilot.press("down", "space")  # untick Mäkinen Ky
        await shows(pilot, "3 of 4 ticked", "[ ] Mäkinen Ky")

        path = tmp_path / "tarrat.pdf"
        await print_to(pilot, path)
        await shows(pilot, "Saved 3 labels on 1 pages")
        assert path.is_file()
        text = pdf_text(path)
        assert "Aalto Oy" in text and "Virtanen Rakennus Oy" in text
        assert "Mäkinen" not in text  # unticked
        assert "Åström Sverige AB\nStorgatan 2\n111 22 STOCKHOLM\nSWEDEN" in text  # English labels


async def test_not_untick_all_and_excel_with_memos(url, tmp_path):
    seed(url, extra=EXTRA)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_labels(pilot)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, SelectionFiltersScreen))
        app.screen.query_one("#sel-text-city", Input).focus()
        await pilot.press(*"helsinki")
        app.screen.query_one("#sel-negate", Checkbox).focus()
        await pilot.press("space", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, LabelsScreen) and screen.selection.found == 5)
        await shows(pilot, "Town does not contain “helsinki”", "5 of 5 ticked")

        await pilot.press("minus")
        await shows(pilot, "0 of 5 ticked")
        await pilot.press("p")  # nothing ticked: told, no dialog
        await shows(pilot, "No customer is ticked.")
        assert isinstance(app.screen, LabelsScreen)
        await pilot.press("plus")
        await shows(pilot, "5 of 5 ticked")
        await pilot.press("down", "space")  # untick the second (Mäkinen Ky)

        path = tmp_path / "osoitteet.xlsx"
        await print_to(pilot, path, memo="Joulukortti 2026", output_excel=True)
        await shows(pilot, "Saved 4 addresses", "4 memos written")
        sheet = openpyxl.load_workbook(path).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:6] == ("Contact", "Name", "Name extension", "Address", "Postcode", "Town")
        assert [r[1] for r in rows[1:]] == ["Aalto Oy", "Prospekti Oy", "Virtala Varasto Oy", "Åström Sverige AB"]
        with db.session("acme", "matti"):
            memos = list(Activity.select().where(Activity.method == "Osoitetarrat"))
            assert sorted(Customer.get_by_id(m.customer_id).name for m in memos) == [
                "Aalto Oy", "Prospekti Oy", "Virtala Varasto Oy", "Åström Sverige AB"]
            assert {(m.kind, m.text.split("\n")[1], m.owner, m.created_by) for m in memos} == {
                ("Memo", "Joulukortti 2026", "matti", "matti")}
            assert all(m.text.endswith(" tulosti osoitetarrat.\nJoulukortti 2026") for m in memos)


async def test_print_dialog_checks_the_start_and_asks_before_discarding(url, tmp_path):
    seed(url)
    with db.session("acme", "setup"):
        aalto = Customer.get(Customer.name == "Aalto Oy")
        Contact.create(customer_id=aalto.id, name="Anna Aalto")
        Contact.create(customer_id=aalto.id, name="Bertil Aalto")
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_labels(pilot)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PrintLabelsScreen))
        dialog = app.screen
        start = dialog.query_one("#print-start", Input)
        start.focus()
        await pilot.press("backspace", "4", "0")
        await pilot.press("ctrl+s")
        await shows(pilot, "The first label must be 1 to 33.")
        assert app.screen is dialog
        await pilot.press("escape")  # changed: asks first
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is dialog)
        assert start.value == "40"  # nothing lost
        await pilot.press("backspace", "backspace", "3", "2")
        dialog.query_one("#print-contacts", Checkbox).focus()
        await pilot.press("space")
        path_input = dialog.query_one("#print-path", Input)
        path_input.value = str(tmp_path / "kontaktit")  # no suffix: .pdf is added
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, LabelsScreen))
        await shows(pilot, "Saved 6 labels on 2 pages")  # Aalto Oy's two contacts, four others
        reader = PdfReader(str(tmp_path / "kontaktit.pdf"))
        first = reader.pages[0].extract_text()
        second = reader.pages[1].extract_text()
        # labels 32 and 33 of the first sheet, then a new sheet
        assert first.startswith("Anna Aalto\nAalto Oy") and "Bertil Aalto\nAalto Oy" in first
        assert second.startswith("Mäkinen Ky") and "Aalto" not in second
        assert screen.request is not None and screen.request.start == 32


async def test_a_long_list_the_row_limit_and_ticks_far_down(url):
    seed(url, bulk=12_000)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_labels(pilot)
        widget = screen.selection
        await wait_for(pilot, lambda: widget.limit_cut is not None)
        await shows(pilot, "1,000 of 1,000 ticked", "more customers match: the row limit cut the list")
        await pilot.press("end")
        await wait_for(pilot, lambda: widget.table.highlighted_row is not None)
        last = widget.table.highlighted_row
        await pilot.press("space")  # the last row of the limit: the list fetched only its pages
        await shows(pilot, "999 of 1,000 ticked")
        assert not widget.ticks.is_ticked(last.id) and widget.ticks.excepted == {last.id}
        assert len(widget.table.loaded_pages()) <= widget.table.max_pages

        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, SelectionFiltersScreen))
        app.screen.query_one("#sel-limit").focus()
        await pilot.press("enter", "down", "down", "down", "enter")  # 1,000 -> no limit
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, LabelsScreen) and widget.found == 12_005)
        await shows(pilot, "12,005 of 12,005 ticked", "no row limit")  # a new query: every row ticked again
        assert "row limit cut" not in screen_text(app)


def finnish_app(url):
    """The app on the seeded database, in Finnish (the `english` fixture sets English back)."""
    from pupetui import i18n

    seed(url)
    i18n.set_language("fi")
    return logged_in_app(url, lang="fi")


async def test_the_footer_keeps_print_and_help_at_80_columns_in_finnish(url):
    """The selection's keys and the screen's own: Print (and F1) must not fall off the footer's
    80 columns in Finnish, the longer language; tick all/untick all are named on the counts line."""
    app = finnish_app(url)
    async with app.run_test(size=SIZE) as pilot:
        await open_labels(pilot)
        await shows(pilot, "Osoitetarrat", "5/5 rastitettu")
        text = screen_text(app)
        footer = text.splitlines()[-1]
        for key in ("space Valitse", "f Rajaa", "p Tulosta", "f1 Ohje"):
            assert key in footer, footer
        assert "+ rastittaa kaikki, - poistaa rastit" in text.splitlines()[-2], text


async def test_the_not_checkbox_is_not_cut_in_finnish(url):
    """The filters at 80x24 in Finnish: the NOT checkbox's label shows whole, not cut with …"""
    app = finnish_app(url)
    async with app.run_test(size=SIZE) as pilot:
        await open_labels(pilot)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, SelectionFiltersScreen))
        await shows(pilot, "Rivimäärä")
        line = next(line for line in screen_text(app).splitlines() if "NOT" in line and "Rivimäärä" in line)
        assert "…" not in line and "NOT: ei sisällä tekstiä" in line, line


async def test_the_default_file_name_is_finnish_in_finnish(url):
    """The print dialog in Finnish offers a Finnish file name (osoitetarrat-<date>-<time>.pdf, in
    the download folder or, without one, home), not the English "labels-"."""
    import datetime as dt

    app = finnish_app(url)
    async with app.run_test(size=SIZE) as pilot:
        await open_labels(pilot)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PrintLabelsScreen))
        today = dt.date.today().strftime("%Y%m%d")
        await shows(pilot, f"~/osoitetarrat-{today}-")
        assert "labels-" not in screen_text(app)


async def test_a_print_dialog_error_goes_once_the_field_is_changed(url):
    """A start label beyond the sheet is told under the fields; once the user types a new value
    the old message goes (it no longer describes what is typed)."""
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE) as pilot:
        await open_labels(pilot)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PrintLabelsScreen))
        dialog = app.screen
        start = dialog.query_one("#print-start", Input)
        start.focus()
        start.value = ""
        await pilot.press("9", "9", "ctrl+s")
        await shows(pilot, "! The first label must be 1 to 33.")
        assert isinstance(app.screen, PrintLabelsScreen) and app.screen.focused is start
        await pilot.press("backspace", "backspace", "5")
        await wait_for(pilot, lambda: start.value == "5")
        await pilot.pause()
        assert "The first label must be" not in screen_text(app)


async def test_with_kalenterimerkinnat_e_no_memo_text_is_asked_and_no_memo_written(url, tmp_path):
    from pupetui.models import CompanyParameters

    seed(url)
    with db.session("acme", "setup"):
        if CompanyParameters.select().exists():
            CompanyParameters.update(calendar_entries="E").execute()
        else:
            CompanyParameters.create(calendar_entries="E")
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_labels(pilot)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PrintLabelsScreen))
        await shows(pilot, "The company's settings write no memo when labels are printed.")
        assert not app.screen.query("#print-memo")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LabelsScreen))
        await print_to(pilot, tmp_path / "e.pdf")
        text = await shows(pilot, "Saved")
        assert "memos written" not in text
    with db.session("acme", "setup"):
        assert not Activity.select().where(Activity.method == "Osoitetarrat").exists()
