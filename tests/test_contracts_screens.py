"""The annual-contract customers report at 80x24, by keyboard: the form and its messages, the
preview, Esc on a changed form, writing Excel files, and sending to each customer through a real
SMTP server on loopback after a confirmation that counts the mails and names the customers
without an email address."""

from __future__ import annotations

import threading
from pathlib import Path

import openpyxl
import pytest
from textual.widgets import DataTable, Input

from pupetui import config, db, i18n
from pupetui.app import PupetuiApp
from pupetui.screens.contracts import ContractsScreen
from pupetui.screens.menu import MenuScreen
from pupetui.services import auth
from pupetui.widgets.confirm import ConfirmScreen
from test_contracts_output import seed
from test_reminder_screens import flat, menu_ready, screen_text, shows, type_text, wait_for

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def english(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the send journal
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def url(sqlite_url):
    seed(sqlite_url)
    d = db.connect(sqlite_url)
    yield sqlite_url
    db.end_session()
    if not d.is_closed():
        d.close()


def make_app(url: str, smtp_port: int | None = None) -> PupetuiApp:
    auth.login("acme", "matti", None, mode="none")
    smtp = {"host": "127.0.0.1", "port": smtp_port, "timeout": 5} if smtp_port else {}
    settings = config.Settings(db=url, company="", user="matti", lang="", auth="none", theme="ansi", smtp=smtp)
    return PupetuiApp(settings, company="acme")


async def open_report(pilot, folder: Path) -> ContractsScreen:
    app = pilot.app
    await menu_ready(pilot)
    await pilot.press("v")  # the program's key in the main menu
    await wait_for(pilot, lambda: isinstance(app.screen, ContractsScreen))
    app.screen.folder = folder
    await pilot.pause()
    return app.screen


async def replace(pilot, text: str) -> None:
    """Empty the focused input and type `text`."""
    await pilot.press("end", "ctrl+u")
    await type_text(pilot, text)


async def fill_period(pilot, screen: ContractsScreen, folder: Path) -> None:
    await pilot.press("tab") if screen.focused is None else None
    screen.query_one("#contracts-start", Input).focus()
    await replace(pilot, "01.03.2024")
    await pilot.press("tab")
    await replace(pilot, "28.02.2025")
    for _ in range(5):
        await pilot.press("tab")
    assert screen.focused.id == "contracts-folder"
    await replace(pilot, str(folder))


async def choose(pilot, select_id: str, steps: int) -> None:
    """Open a Select by keyboard and take the option `steps` below the current one."""
    pilot.app.screen.query_one(f"#{select_id}").focus()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*(["down"] * steps), "enter")
    await pilot.pause()


async def run_to_each_customer(pilot, tmp_path: Path) -> ContractsScreen:
    """The report of the test period sent to each customer, up to the confirmation."""
    screen = await open_report(pilot, tmp_path)
    await fill_period(pilot, screen, tmp_path / "out")
    await choose(pilot, "contracts-recipient", 2)  # each customer
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
    return screen


async def test_the_form_previews_the_customers_with_totals(url, tmp_path):
    app = make_app(url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_report(pilot, tmp_path)
        text = await shows(pilot, "Annual-contract customers", "Period from", "Sales over", "10,000", "Send to",
                           "Save the files only")
        await fill_period(pilot, screen, tmp_path)
        await pilot.press("f5")
        text = await shows(pilot, "4 customers, sales 48,002.00 in all")
        for name in ("Åström Oy", "Öljy Oy", "Ääni Ky", "Łódź Šiauliai 東京 [bold]", "12,000.50"):
            assert flat(name) in text
        assert "Ei Osta" not in text  # under the threshold
        assert screen.query_one("#contracts-table", DataTable).row_count == 4


async def test_bad_input_is_told_under_the_field_and_nothing_is_written(url, tmp_path):
    app = make_app(url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_report(pilot, tmp_path)
        await fill_period(pilot, screen, tmp_path / "out")
        screen.query_one("#contracts-threshold", Input).focus()
        await replace(pilot, "lots")
        await pilot.press("ctrl+s")
        await shows(pilot, "! Give the threshold as a number, e.g. 10000.")
        assert screen.focused.id == "contracts-threshold"
        screen.query_one("#contracts-end", Input).focus()
        await replace(pilot, "01.01.2024")
        screen.query_one("#contracts-threshold", Input).focus()
        await replace(pilot, "10000")
        await pilot.press("ctrl+s")
        await shows(pilot, "! The period ends before it starts.")
        screen.query_one("#contracts-end", Input).focus()
        await replace(pilot, "28.02.2025")
        screen.query_one("#contracts-customer", Input).focus()
        await replace(pilot, "777")
        await pilot.press("f5")
        await shows(pilot, "! No customer has that number.")
        assert not (tmp_path / "out").exists()


async def test_esc_on_a_changed_form_asks_first(url, tmp_path):
    app = make_app(url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_report(pilot, tmp_path)
        await pilot.press("escape")  # unchanged: just back
        await wait_for(pilot, lambda: isinstance(app.screen, MenuScreen))
        screen = await open_report(pilot, tmp_path)
        screen.query_one("#contracts-threshold", Input).focus()
        await replace(pilot, "5000")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await shows(pilot, "The form has changes. Discard them?")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.query_one("#contracts-threshold", Input).value == "5000"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, MenuScreen))


async def test_excel_files_are_written_after_a_confirmation(url, tmp_path):
    app = make_app(url)
    out = tmp_path / "out"
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_report(pilot, tmp_path)
        await fill_period(pilot, screen, out)
        await choose(pilot, "contracts-format", 1)  # Excel
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await shows(pilot, "Write 4 Excel files to")
        await pilot.press("y")
        await shows(pilot, "4 files written")
        files = sorted(out.glob("*.xlsx"))
        assert len(files) == 4 and len(list(out.glob("*.zip"))) == 1  # the zip is handed to the user
        sheet = openpyxl.load_workbook(files[0]).active
        assert any(row[0] == "Total" for row in sheet.iter_rows(values_only=True))
        # the report was made: nothing is lost by leaving, so Esc does not ask
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MenuScreen))


async def test_sending_to_each_customer_counts_lists_and_reports_each(url, tmp_path, smtp_server):
    app = make_app(url, smtp_server.port)
    async with app.run_test(size=SIZE) as pilot:
        screen = await run_to_each_customer(pilot, tmp_path)
        text = await shows(pilot, "3 emails would go out", "No email for 1 customers:", "2 Öljy Oy: no email address",
                           "Send them?")
        assert not smtp_server.messages
        await pilot.press("y")
        text = await shows(pilot, "3 sent, 0 not sent or unknown")
        assert text.count("sent") >= 3 and "astrom@example.fi" in text
        assert len(smtp_server.messages) == 3
        # the same report again: nobody gets it twice
        await pilot.press("ctrl+s")
        await shows(pilot, "3 were sent in an earlier run of this same report: not again.")
        assert not isinstance(app.screen, ConfirmScreen)
        assert len(smtp_server.messages) == 3



async def test_a_mail_server_that_is_down_is_told_in_finnish_without_exception_text(url, tmp_path):
    """No SMTP server listens: each mail is NOT SENT with the reason in the user's language (no
    Python exception text such as "[Errno 111]"), and the advice to run it again is shown whole."""
    from servers import free_port

    i18n.set_language("fi")
    app = make_app(url, free_port())  # nothing listens there
    async with app.run_test(size=SIZE) as pilot:
        screen = await run_to_each_customer(pilot, tmp_path)
        await pilot.press("k")
        text = await shows(pilot, "0 lähetetty, 3 lähettämättä tai epäselviä",
                           "Aja uudelleen lähettääksesi loput: kukaan ei saa sitä kahdesti.")
        rows = [" ".join(str(c) for c in screen.query_one("#contracts-table", DataTable).get_row_at(i))
                for i in range(3)]
        for row in rows:
            assert "EI LÄHETETTY: sähköpostipalvelimeen 127.0.0.1:" in row and "ei saada yhteyttä" in row, row
            assert "Errno" not in row and "cannot" not in row and "refused" not in row, row
        assert "Errno" not in text and "Connection refused" not in text


async def test_esc_while_sending_asks_and_stops_after_the_mail_in_progress(url, tmp_path, smtp_server):
    """A mail server holding its answer: Esc during the run asks, "y" stops it; the mail in progress is finished,
    the rest are NOT SENT and a second run sends them, nobody twice. Esc while stopping does not
    leave the screen with the run still going."""
    smtp_server.gate = threading.Event()  # the server holds the first mail's answer until told
    app = make_app(url, smtp_server.port)
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await run_to_each_customer(pilot, tmp_path)
            await pilot.press("y")
            await wait_for(pilot, lambda: screen.running and len(smtp_server.messages) >= 1, timeout=10)
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await shows(pilot, "Stop the report?", "nobody twice")
            await pilot.press("y")
            await shows(pilot, "Stopping after the current file or email")
            await pilot.press("escape")  # again while stopping: still here, told to wait
            assert app.screen is screen
            smtp_server.gate.set()  # the mail in progress is answered
            text = await shows(pilot, "Stopped.", "not sent or unknown")
            sent = len(smtp_server.messages)
            assert sent == 1  # the mail in progress, finished; nothing after it
            table = screen.query_one("#contracts-table", DataTable)
            rows = [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
            assert sum("NOT SENT: stopped before it was sent" in r for r in rows) == 3 - sent, rows
            assert "Run it again to send the rest" in text
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await shows(pilot, f"{3 - sent} emails would go out", f"{sent} were sent in an earlier run")
            await pilot.press("y")
            await shows(pilot, f"{3 - sent} sent, 0 not sent or unknown")
            to = [m["To"] for m in smtp_server.messages]
            assert len(to) == 3 and len(set(to)) == 3
    finally:
        smtp_server.gate.set()


async def test_mails_of_unknown_fate_are_sent_again_only_when_the_user_says_so(url, tmp_path, smtp_server):
    smtp_server.mode = "drop_after:1"  # the second mail: taken, but the connection drops before the answer
    app = make_app(url, smtp_server.port)
    async with app.run_test(size=SIZE) as pilot:
        screen = await run_to_each_customer(pilot, tmp_path)
        await pilot.press("y")
        await shows(pilot, "2 sent, 1 not sent or unknown")
        smtp_server.mode = "ok"
        # again: first asked about the unknown one; "n" leaves it, and nothing is left to send
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await shows(pilot, "1 emails of an earlier run of this report may or may not have arrived", "Send them again too?")
        await pilot.press("n")
        await shows(pilot, "may or may not have arrived: not sent again")
        assert len(smtp_server.messages) == 3
        # and once more, "y": the confirmation counts it, and it goes
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await shows(pilot, "Send them again too?")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen) and "would go out" in flat(screen_text(app)))
        await shows(pilot, "1 emails would go out", "sent again, counted above", "Send them?")
        await pilot.press("y")
        await shows(pilot, "1 sent, 0 not sent or unknown")
        assert len(smtp_server.messages) == 4
        assert screen.query_one("#contracts-table", DataTable).row_count == 3
