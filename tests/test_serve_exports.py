"""Issue #15 under `pupetui serve`: a browser user gives no path, only a name; every export goes
into the user's own folder on the server (<state>/pupetui/exports/<company>/<user>, 0700) and to
the browser as a download. A path typed into the dialog cannot leave that folder."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import openpyxl
import pytest
from textual.widgets import Input

from pupetui import cli, config, db
from pupetui.models import Activity
from pupetui.services import calendar, customers, labels
from pupetui.services.customers import CustomerQuery
from pupetui.services.export import write_csv
from pupetui.services.selection import SelectionQuery
from pupetui.widgets.confirm import AskTextScreen
from test_app import SIZE, logged_in_app, shows, wait_for
from test_customer_screens import english, open_list, seed  # noqa: F401  (english: an autouse fixture)


@pytest.fixture
def served(monkeypatch, tmp_path):
    """A browser's pupetui: what `pupetui serve` puts in its environment."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("PUPETUI_SERVED", "1")
    old = os.umask(0o022)
    yield tmp_path / "state" / "pupetui" / "exports" / "acme"
    os.umask(old)


@pytest.fixture
def url(sqlite_url):
    d = db.connect(sqlite_url)
    seed(sqlite_url)
    with db.session("acme", "setup"):
        Activity.create(kind="kalenteri", owner="matti", starts_at="2026-05-05 09:00:00",
                        ends_at="2026-05-05 10:00:00", text="Asiakaskäynti", method="Käynti")
    yield sqlite_url
    db.end_session()
    if not d.is_closed():
        d.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_serve_tells_each_browsers_pupetui_that_it_is_served():
    settings = config.Settings(db="sqlite:////x.db", company="acme", user="matti", lang="", auth="password", theme="")
    assert cli.serve_environment(settings, "acme", no_password=False)["PUPETUI_SERVED"] == "1"


@pytest.mark.parametrize("typed, name", [
    ("asiakkaat.xlsx", "asiakkaat.xlsx"),
    ("asiakkaat", "asiakkaat.xlsx"),
    ("../../../../tmp/evil.xlsx", "evil.xlsx"),
    ("/etc/cron.d/evil", "evil.xlsx"),
    ("..\\..\\evil.xlsx", "evil.xlsx"),
    ("..", "export.xlsx"),
    ("crm.sqlite3", "crm.sqlite3.xlsx"),
    ("a\x1b[31mb;rm -rf ~.xlsx", "a__31mb_rm -rf _.xlsx"),
])
def test_the_customer_export_goes_into_the_users_folder_only(url, served, tmp_path, typed, name):
    with db.session("acme", "matti"):
        result = customers.export_xlsx(CustomerQuery(), typed)
    assert result.path == served / "matti" / name
    assert mode(served / "matti") == 0o700 and mode(result.path) == 0o600
    assert [r[0] for r in list(openpyxl.load_workbook(result.path).active.values)[1:]]
    assert not (tmp_path / "tmp").exists() and not Path("/tmp/evil.xlsx").exists()
    assert sorted(p.name for p in (served / "matti").iterdir()) == [name]


def test_each_program_writes_into_the_users_folder_and_users_do_not_share_one(url, served):
    with db.session("acme", "matti"):
        ics = calendar.export_ics("matti", dt.date(2026, 5, 1), dt.date(2026, 5, 31), "/root/kalenteri")
        job = labels.LabelJob(SelectionQuery(), output="pdf")
        printed = labels.print_labels("~/../../labels.pdf", job)
        query = write_csv("../sql.csv", ["a"], [[1]])  # what the SQL search and the query generator call
    assert ics == 1 and (served / "matti" / "kalenteri.ics").is_file()
    assert printed.path == served / "matti" / "labels.pdf" and query.path == served / "matti" / "sql.csv"
    with db.session("acme", "liisa"):
        other = write_csv("sql.csv", ["a"], [[2]])
    assert other.path == served / "liisa" / "sql.csv"
    assert (served / "matti" / "sql.csv").read_bytes() != other.path.read_bytes()


async def test_the_customer_dialog_asks_for_a_name_and_keeps_the_file_in_the_users_folder(url, served, tmp_path):
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        await pilot.press("down", "x")
        await wait_for(pilot, lambda: isinstance(app.screen, AskTextScreen))
        await shows(pilot, "The file is sent to your browser as a download.")
        field = app.screen.query_one("#ask-text", Input)
        assert field.value.startswith("customers-") and "/" not in field.value  # a name, no path
        field.value = str(tmp_path / "escape" / ".." / ".." / "passwd")
        await pilot.press("enter")
        text = await shows(pilot, "Saved ", "customers to passwd.xlsx")
        assert ".local" not in text and "exports" not in text  # the server's folder is not shown
        await wait_for(pilot, lambda: app.screen is screen)
    assert (served / "matti" / "passwd.xlsx").is_file()
    assert list(tmp_path.rglob("passwd*")) == [served / "matti" / "passwd.xlsx"]


def test_the_annual_contract_reports_folder_is_the_users_own(url, served):
    """The report writes one file per customer into a folder: under serve the user's, whatever
    the form said (its folder field is not even editable there)."""
    from pupetui.services import export_target

    with db.session("acme", "matti"):
        assert export_target.export_folder("/etc/cron.d") == served / "matti"
        assert export_target.export_folder("~") == served / "matti"
    assert mode(served / "matti") == 0o700 and not Path("/etc/cron.d/x.pdf").exists()
