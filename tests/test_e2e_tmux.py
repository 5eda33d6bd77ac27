"""End to end in a real terminal: the installed `pupetui` in a detached tmux session of 80x24.

The helpers (a tmux server per test, keys, waiting for text) are in tests/tmux.py.
Skipped when tmux is missing, unless PUPETUI_REQUIRE_SERVERS=1 (then it fails).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import time
from contextlib import closing
from pathlib import Path

import pytest
from tmux import Terminal, make_demo_database, pupetui_command, require_tmux

from legacy import legacy_create  # rows an older program left: past pupetui's text rule
from pupetui import db
from pupetui.models import Company, CompanyParameters, Permission, User
from pupetui.services import auth, schema


@pytest.fixture
def tmux(tmp_path):
    require_tmux()
    terminal = Terminal(tmp_path)
    yield terminal
    terminal.close()


def make_database(path: Path) -> str:
    url = f"sqlite:///{path}"
    d = db.open_database(url)
    schema.init(d)
    db.bind(d)
    try:
        with db.session("acme", "setup"):
            Company.create(name="Oy [Ab] & Co")
            CompanyParameters.create()
            User.create(login="matti", name="Matti Myyjä", password_md5=auth.md5_hex("salainen"))
            for script in ("crm/asiakaslista.php", "crm/kalenteri.php", "crm/tarrat.php"):
                Permission.create(login="matti", script=script, subname="")
    finally:
        d.close()
    return url


pupetui = pupetui_command


def assert_clean_exit(term: Terminal) -> None:
    term.assert_clean_exit()


def test_menu_keys_help_and_quit_in_a_real_terminal(tmux, tmp_path):
    url = make_database(tmp_path / "e2e.sqlite3")
    tmux.start(pupetui("--db", url, "--company", "acme", "--user", "matti", "--lang", "en"))
    assert tmux.size() == (80, 24)
    # the company's name literally, not as markup; the footer's keys
    screen = tmux.wait_for("Main menu", "Customer list", "Address labels", "Oy [Ab] & Co (acme)", "Quit", "Help")
    assert "SQL search" not in screen  # no right to it

    tmux.keys("t")
    tmux.wait_for("Address labels", "0 of 0 ticked")
    tmux.keys("Escape")
    tmux.wait_for("CRM programs")

    tmux.keys("a")  # the customer list, for real
    tmux.wait_for("Customer list", "customers")
    tmux.keys("Escape")
    tmux.wait_for("CRM programs")

    tmux.keys("F1")
    tmux.wait_for("Keys: Main menu", "Customer list")
    tmux.keys("Escape")
    tmux.wait_for("CRM programs", absent=("Keys: Main menu",))

    tmux.keys("C-q")
    assert_clean_exit(tmux)


def test_password_login_in_finnish_in_a_real_terminal(tmux, tmp_path):
    url = make_database(tmp_path / "e2e.sqlite3")
    tmux.start(
        pupetui("--db", url, "--company", "acme", "--user", "matti", "--auth", "password", "--lang", "fi")
    )
    tmux.wait_for("Käyttäjätunnus", "Salasana", "Oy [Ab] & Co (acme)")
    tmux.type("väärä")
    tmux.keys("Enter")
    tmux.wait_for("Kirjautuminen hylättiin")
    tmux.type("salainen")
    screen = tmux.wait_for("••••••••")
    assert "salainen" not in screen  # masked
    tmux.keys("Enter")
    tmux.wait_for("Päävalikko", "Asiakaslista", "Matti Myyjä (matti)")
    tmux.keys("C-q")
    assert_clean_exit(tmux)


def test_keys_typed_ahead_in_one_burst_land_where_they_belong(tmux, tmp_path):
    """Over SSH keys come in bursts: user name, Enter, password, Enter sent at once must log in,
    and no letter of the password may end up (in clear text) in the user name field."""
    url = make_database(tmp_path / "e2e.sqlite3")
    tmux.start(pupetui("--db", url, "--company", "acme", "--user", "matti", "--auth", "password", "--lang", "en"))
    tmux.wait_for("User name", "Password")
    tmux.wait_for_focus("▊")  # the form has its focus (the password field: the user name is given)
    # one tmux command: the keys reach the terminal as one burst
    tmux.tmux("send-keys", "-t", tmux.session, "BTab", "C-u", "m", "a", "t", "t", "i", "Enter",
              "s", "a", "l", "a", "i", "n", "e", "n", "Enter")
    screen = tmux.wait_for("Main menu", "Matti Myyjä (matti)")
    assert "salainen" not in screen and "mattisal" not in screen
    tmux.keys("C-q")
    assert_clean_exit(tmux)


def test_demo_database_in_a_real_terminal(tmux, tmp_path):
    url = make_demo_database(tmp_path)
    tmux.start(pupetui("--db", url, "--company", "demo", "--user", "ville", "--lang", "en"))
    screen = tmux.wait_for("Main menu", "Customer list", "Ville Varasto (ville)")
    assert "Calendar" not in screen
    tmux.keys("C-p")
    tmux.wait_for("Search for programs")
    tmux.type("labels")
    tmux.wait_for("Address labels")
    tmux.keys("Enter")
    tmux.wait_for("Address labels", "ticked · ◇ prospect")
    tmux.keys("C-q")
    assert_clean_exit(tmux)


def test_address_labels_of_a_filtered_selection_in_a_real_terminal(tmux, tmp_path):
    from pypdf import PdfReader

    from pupetui.models import Customer

    url = make_database(tmp_path / "e2e.sqlite3")
    d = db.connect(url)
    with db.session("acme", "setup"):
        for i, town in enumerate(["Helsinki", "Tampere", "Helsinki", "Oulu"]):
            Customer.create(name=f"Äijälä {i} Oy", address=f"Katu {i}", postcode="00100", city=town)
    d.close()
    tmux.start(pupetui("--db", url, "--company", "acme", "--user", "matti", "--lang", "en"))
    tmux.wait_for("Main menu", "Address labels")
    tmux.keys("t")
    tmux.wait_for("4 of 4 ticked", "[x]  Äijälä 0 Oy")
    tmux.keys("f")
    tmux.wait_for("Choose the customers", "Row limit")
    time.sleep(0.5)
    for _ in range(9):  # from the search past the five list filters, name, address, postcode
        tmux.keys("Tab")
        time.sleep(0.05)
    tmux.type("helsinki")
    tmux.keys("C-s")
    tmux.wait_for("Town contains “helsinki”", "2 of 2 ticked")
    tmux.keys("Down", "Space")  # untick the second
    tmux.wait_for("1 of 2 ticked", "[ ]  Äijälä 2 Oy")
    tmux.keys("p")
    tmux.wait_for("Print address labels", "Start at label")
    tmux.keys("C-s")  # the defaults: 3x11 from label 1, ~/labels-<date>.pdf
    tmux.wait_for("Saved 1 labels on 1 pages")
    (pdf,) = tmux.home.glob("labels-*.pdf")
    text = PdfReader(str(pdf)).pages[0].extract_text()
    assert "Äijälä 0 Oy" in text and "00100 HELSINKI" in text
    assert "Äijälä 2 Oy" not in text and "Tampere" not in text.title()
    tmux.keys("Escape")
    tmux.wait_for("CRM programs")
    tmux.keys("C-q")
    assert_clean_exit(tmux)


# -- the CRM's daily work, on one demo database for the module ----------------------------------
#
# Each test starts the installed `pupetui` as the demo user on the shared demo database, works
# on customers the other tests leave alone, reads the screen and then checks the database (or
# the saved file) for what a user would expect to find there.


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    require_tmux()
    folder = tmp_path_factory.mktemp("e2e-demo")
    make_demo_database(folder, customers=20)
    return folder / "demo.sqlite3"


def start_demo(term: Terminal, db_file: Path) -> str:
    """The demo user's main menu, with its programs loaded."""
    term.start(pupetui("--db", f"sqlite:///{db_file}", "--company", "demo", "--user", "demo", "--lang", "en"))
    return term.wait_for("CRM programs", "Customer list", "Query generator", "Main menu — Demo Oy (demo)")


def rows(db_file: Path, sql: str, *params) -> list[tuple]:
    with closing(sqlite3.connect(db_file)) as conn:
        return conn.execute(sql, params).fetchall()


def open_customer_list(term: Terminal) -> None:
    term.keys("a")
    term.wait_for("Search:", "customers · sorted by Name")


def to_the_list(term: Terminal) -> None:
    """From the search field down to the list: the footer then offers the list's keys."""
    term.keys("Down")
    term.wait_for("⏎ Memo", "x Excel")


def open_memo_of(term: Terminal, name: str) -> None:
    """The customer list searched for `name` (its first word), and Enter on the one customer."""
    open_customer_list(term)
    term.type(name.split()[0])
    term.wait_for("1 customer ", name)
    to_the_list(term)
    term.keys("Enter")


def test_search_a_customer(tmux, demo_db):
    start_demo(tmux, demo_db)
    open_customer_list(tmux)
    total = rows(demo_db, "select count(*) from asiakas where yhtio = 'demo' and laji != 'P'")[0][0]  # P: deleted
    tmux.wait_for(f"{total} customers")

    tmux.type("Kuopio")
    in_kuopio = [name for (name,) in rows(
        demo_db, "select nimi from asiakas where yhtio = 'demo' and laji != 'P' and postitp = 'Kuopio' order by nimi")]
    deleted = [name for (name,) in rows(
        demo_db, "select nimi from asiakas where yhtio = 'demo' and laji = 'P' and postitp = 'Kuopio'")]
    assert in_kuopio and deleted  # the demo has both
    count = f"{len(in_kuopio)} customer{'s' if len(in_kuopio) > 1 else ''} "
    screen = tmux.wait_for(count, *in_kuopio)
    assert "Lakeus Group Oy" not in screen
    assert not any(name in screen for name in deleted)  # a deleted customer is never listed

    tmux.keys("C-u")  # a bound key: typing waits until it has emptied the field
    tmux.wait_for("Search: name, town")
    tmux.type("Lakeus")
    screen = tmux.wait_for("1 customer ", "Lakeus Group Oy", "Salo")
    (business_id, customer_no), = rows(
        demo_db, "select ytunnus, asiakasnro from asiakas where yhtio = 'demo' and nimi = 'Lakeus Group Oy'")
    assert business_id in screen and customer_no in screen
    assert "Hiltusen Metalli Oy" not in screen

    tmux.keys("C-q")
    tmux.assert_clean_exit()


def test_open_a_customers_memo(tmux, demo_db):
    start_demo(tmux, demo_db)
    open_memo_of(tmux, "Lakeus Group Oy")
    (customer_id, business_id, address, postcode, town), = rows(
        demo_db, "select tunnus, ytunnus, osoite, postino, postitp from asiakas "
                 "where yhtio = 'demo' and nimi = 'Lakeus Group Oy'")
    screen = tmux.wait_for("Customer memo — Lakeus Group Oy", f"({business_id})", "1 Entries", "2 Contacts")
    assert address in screen and f"{postcode} {town}" in screen
    # the newest thread is the first one (Pupesoft's asiakasmemo.php: ORDER BY sorttauskentta desc,
    # tunnus, the thread's first row's tunnus), its whole text under the list
    (newest,), = rows(
        demo_db, "select kentta01 from kalenteri where yhtio = 'demo' and liitostunnus = ? "
                 "and tyyppi in ('Memo', 'Muistutus', 'Lead', 'Kuittaus', 'Myyntireskontraviesti') "
                 "order by case when perheid != 0 then perheid else tunnus end desc, tunnus limit 1",
        customer_id)
    tmux.wait_for(newest.splitlines()[0][:60])

    tmux.keys("2")  # the contacts tab
    names = [name for (name,) in rows(
        demo_db, "select nimi from yhteyshenkilo where yhtio = 'demo' and liitostunnus = ?", customer_id)]
    assert names  # the demo gives this customer contacts
    tmux.wait_for(*(n[:20] for n in names))
    tmux.keys("Escape")
    tmux.wait_for("Search:", "Customer list")
    tmux.keys("C-q")
    tmux.assert_clean_exit()


def test_add_a_memo_entry(tmux, demo_db):
    start_demo(tmux, demo_db)
    open_memo_of(tmux, "Hiltusen Metalli Oy")
    tmux.wait_for("Customer memo — Hiltusen Metalli Oy", "1 Entries")
    tmux.keys("n")
    tmux.wait_for("New memo entry", "ctrl+s saves")
    text = "Soitettu e2e ÅÄÖ [b]ei[/b]"
    tmux.type(text)
    tmux.wait_for(text)
    tmux.keys("C-s")
    tmux.wait_for("Entry saved.", absent=("New memo entry",))
    tmux.wait_for(f"demo     {text}")  # first in the list, literally (no markup)

    (customer_id, business_id), = rows(
        demo_db, "select tunnus, ytunnus from asiakas where yhtio = 'demo' and nimi = 'Hiltusen Metalli Oy'")
    saved = rows(demo_db, "select yhtio, tyyppi, kuka, laatija, muuttaja, asiakas, liitostunnus, pvmalku, pvmloppu "
                          "from kalenteri where kentta01 = ?", text)
    # as crm/asiakasmemo.php writes it: pvmloppu = pvmalku + 30 minutes; no muuttaja until it is changed
    [(*columns, starts, ends)] = saved
    assert columns == ["demo", "Memo", "demo", "demo", "", business_id, customer_id]
    assert dt.datetime.fromisoformat(str(ends)) - dt.datetime.fromisoformat(str(starts)) == dt.timedelta(minutes=30)
    tmux.keys("C-q")
    tmux.assert_clean_exit()


def test_add_a_calendar_entry(tmux, demo_db):
    start_demo(tmux, demo_db)
    tmux.keys("k")
    tmux.wait_for("Calendar —", "Wk │ Mon", " entries")  # the month and its setup are loaded
    tmux.press_until("a", "New calendar entry", "Calendar of", "ctrl+s saves")
    # start date (focused), start time, all day, end date, end time; each field is seen
    # cleared and filled before the next key (keys typed ahead of a focus change can go astray)
    for keys, label, value, shown in (
        ((), "Start", "15.01.2027", "dd.mm.yyyy"),
        (("Tab",), "Start           15.01.2027", "14:30", "hh:mm"),
        (("Tab", "Tab"), "End", "15.01.2027", "dd.mm.yyyy"),
        (("Tab",), "End             15.01.2027", "15:00", "hh:mm"),
    ):
        tmux.keys(*keys, "End", "C-u")
        prefix = f"{label:<16}" if label in ("Start", "End") else f"{label}     "
        tmux.wait_for(prefix + shown)
        tmux.type(value)
        tmux.wait_for(prefix + value)
    tmux.wait_for("15.01.2027     14:30", "15.01.2027     15:00")
    # the comment first: Tab moves at once, while a dialog closing moves the focus a moment later
    tmux.keys("Tab", "Tab", "Tab", "Tab", "Tab")  # done, type, calendar of, customer, comment
    tmux.wait_for_focus("│ Comment")
    text = "E2E-kalenteri: tarjous [red]ei punainen"
    tmux.type(text)
    tmux.wait_for(f"Comment          {text}")
    tmux.keys("C-o")  # choose the customer
    tmux.wait_for("Choose the customer", "Name, business id or customer number")
    tmux.type("Räsänen")
    (customer_id, business_id), = rows(
        demo_db, "select tunnus, ytunnus from asiakas where yhtio = 'demo' and nimi = 'Räsänen Oy'")
    tmux.wait_for(f"Räsänen Oy ({business_id}", absent=("Hiltusen",))
    tmux.keys("Enter")
    tmux.wait_for("New calendar entry", f"Räsänen Oy ({business_id}", text, absent=("Choose the customer",))
    tmux.keys("C-s")
    # the month of the entry is loaded after the form closes: its line shows once it is
    tmux.wait_for("Saved.", "January 2027", "14:30–15:00", "Räsänen Oy", absent=("New calendar entry",))

    saved = rows(demo_db, "select yhtio, tyyppi, kuka, laatija, pvmalku, pvmloppu, asiakas, liitostunnus, tapa "
                          "from kalenteri where kentta01 = ?", text)
    assert saved == [("demo", "kalenteri", "demo", "demo", "2027-01-15 14:30:00", "2027-01-15 15:00:00",
                      business_id, customer_id, "Puhelu")]
    tmux.keys("C-q")
    tmux.assert_clean_exit()


def test_acknowledge_a_reminder(tmux, demo_db):
    start_demo(tmux, demo_db)
    # reminders and leads waiting for acknowledgement (kuittaus K) that demo handles or supervises
    waiting = rows(demo_db, "select count(*) from kalenteri where yhtio = 'demo' and tyyppi in ('Muistutus', 'Lead') "
                            "and kuittaus = 'K' and 'demo' in (kuka, myyntipaallikko)")[0][0]
    tmux.keys("r")
    screen = tmux.wait_for("Reminders of Demo Käyttäjä (demo):", "k Acknowledge")
    assert f"{waiting} waiting" in screen, screen
    tmux.keys("k")
    screen = tmux.wait_for("Acknowledge the reminder", "What was done")
    message = screen.split("Acknowledge the reminder", 1)[1].splitlines()[3].strip(" │")
    assert message
    tmux.type("Hoidettu e2e-testissä")
    tmux.keys("C-s")
    screen = tmux.wait_for("Acknowledged.", f"{waiting - 1} waiting", absent=("What was done",))

    (parent, ack_owner, ack_type), = rows(
        demo_db, "select perheid, kuka, tyyppi from kalenteri where kentta01 = ?",
        "Demo Käyttäjä kuittasi: Hoidettu e2e-testissä")
    assert (ack_owner, ack_type) == ("demo", "Kuittaus")
    (text, flag), = rows(demo_db, "select kentta01, kuittaus from kalenteri where tunnus = ?", parent)
    assert text == message and flag == ""  # the one shown, no longer waiting
    tmux.keys("C-q")
    tmux.assert_clean_exit()


def save_as(term: Terminal, question: str, proposed: str, target: Path) -> None:
    """In a file name dialog: the proposed name (`proposed` a part of it) replaced by `target`."""
    term.keys("End", "C-u")
    term.wait_for(question, absent=(proposed,))  # the proposed name is gone
    term.type(str(target))
    term.wait_for(str(target))
    term.keys("Enter")


def test_sql_query_and_excel_export(tmux, demo_db):
    import openpyxl

    start_demo(tmux, demo_db)
    tmux.keys("q")
    tmux.wait_for("SQL search —", "F5 runs")
    sql = "select nimi, postitp from asiakas where postitp = 'Kuopio' order by nimi"
    tmux.type(sql)
    tmux.wait_for(sql)
    tmux.keys("F5")
    expected = rows(demo_db, "select nimi, postitp from asiakas where yhtio = 'demo' and postitp = 'Kuopio' "
                             "order by nimi")
    screen = tmux.wait_for(f"{len(expected)} rows", *(name for name, _town in expected))
    assert "nimi" in screen and "postitp" in screen

    tmux.keys("F8")
    tmux.wait_for("Export every row", "File (.xlsx or .csv):")
    target = tmux.home / "kuopio.xlsx"
    save_as(tmux, "File (.xlsx or .csv):", "/sql-", target)
    tmux.wait_for(f"Saved {len(expected)} rows to", "kuopio.xlsx")
    sheet = openpyxl.load_workbook(target).active
    assert list(sheet.values) == [("nimi", "postitp"), *expected]
    tmux.keys("C-q")
    tmux.assert_clean_exit()


def test_build_a_generator_query_export_and_save_it(tmux, demo_db):
    import openpyxl

    start_demo(tmux, demo_db)
    tmux.keys("g")
    tmux.wait_for("Choose a table", "Customers (asiakas)")
    screen = tmux.screen()
    tables = [line.strip() for line in screen.splitlines()[2:] if line.strip().endswith(")")]
    tmux.keys(*["Down"] * tables.index("Customers (asiakas)"), "Enter")
    tmux.wait_for("Customers (asiakas) · 0/", "asiakasnro", "postitp")
    columns = [line.split()[2] for line in tmux.screen().splitlines() if line.startswith("  [ ] ")]
    at = 0

    def go(column: str) -> None:
        nonlocal at
        step = columns.index(column) - at
        tmux.keys(*(["Down"] * step))
        at += step

    go("asiakasnro")
    tmux.keys("Space")
    go("nimi")
    tmux.keys("Space", "s")  # shown, sorted ascending
    go("postitp")
    tmux.keys("Space", "Enter")  # Enter: the restriction value's editor
    tmux.wait_for_focus("postitp =")
    tmux.type("Kuopio")
    tmux.keys("Enter")
    tmux.wait_for("3/", "1 restricted", "[x] postitp", "Kuopio")
    tmux.keys("F5")
    screen = tmux.wait_for("The query as SQL", "Enter runs the query")
    assert "'Kuopio'" in screen and "ORDER BY" in screen
    tmux.keys("Enter")
    expected = rows(demo_db, "select asiakasnro, nimi, postitp from asiakas where yhtio = 'demo' "
                             "and postitp = 'Kuopio' order by nimi")
    tmux.wait_for(f"{len(expected)} rows", *(name for _no, name, _town in expected))

    tmux.keys("x")
    tmux.wait_for("Save every row as an Excel file", "File name:")
    target = tmux.home / "generaattori.xlsx"
    save_as(tmux, "File name:", "/asiakas-", target)
    tmux.wait_for(f"Saved {len(expected)} rows to", "generaattori.xlsx")
    sheet = openpyxl.load_workbook(target)["asiakas"]
    assert list(sheet.values) == [("asiakasnro", "nimi", "postitp"), *expected]

    tmux.keys("C-s")
    tmux.wait_for("Save the query", "Name (your own query")
    tmux.type("Kuopion asiakkaat e2e")
    tmux.keys("Enter")
    tmux.wait_for("Saved the query “Kuopion asiakkaat e2e”.")
    assert rows(demo_db, "select yhtio, kuka, sovellus from tallennetut_parametrit where nimitys = ?",
                "Kuopion asiakkaat e2e") == [("demo", "demo", "/db_sql_query.php")]
    tmux.keys("C-q")
    tmux.assert_clean_exit()

    # the saved query is the same query for the headless command (cron) too
    run = subprocess.run(
        pupetui("query", "run", "Kuopion asiakkaat e2e", "--db", f"sqlite:///{demo_db}",
                "--company", "demo", "--user", "demo"),
        capture_output=True, text=True, timeout=60, env={**tmux.env, "PUPETUI_CONFIG": ""},
    )
    assert run.returncode == 0, run.stderr
    assert [line.split()[0] for line in run.stdout.splitlines()[2:]] == [no for no, _n, _t in expected]


def test_memo_header_pickers_and_tabs_in_a_real_terminal(tmux, tmp_path):
    from pupetui.models import Contact, Customer, Keyword

    url = make_database(tmp_path / "e2e.sqlite3")
    d = db.open_database(url)
    db.bind(d)
    try:
        with db.session("acme", "setup"):
            Permission.create(login="matti", script="crm/asiakasmemo.php", subname="")
            for value, text in (("A", "Aktiivinen"), ("E", "Ei aktiivinen")):
                Keyword.create(kind="ASIAKASTILA", value=value, text=text)
            customer_id = legacy_create(Customer, name="Oy [Ab] & Co", address="Katu \\ 1", postcode="00100",
                                        city="Helsinki", facts="[bold]Soita[/bold] aamulla", status="A", phone="09 111")
            Contact.create(customer_id=customer_id, name="Liisa [i]Laine[/i]", phone="09 123", email="liisa@x.fi")
    finally:
        d.close()
    tmux.start(pupetui("--db", url, "--company", "acme", "--user", "matti", "--lang", "en"))
    tmux.wait_for("Main menu", "Customer list")
    tmux.keys("a")
    tmux.wait_for("Search:", "1 customer · sorted by Name")
    tmux.keys("Enter", "Enter")  # from the search to the list, and the memo of the highlighted customer
    screen = tmux.wait_for("Billing address", "Katu \\ 1", "[bold]Soita[/bold] aamulla", "t Status A Aktiivinen",
                           "tel. 09 111", "1 Entries", "6 Calendar", "n New")
    assert "Traceback" not in screen
    tmux.keys("t")  # the status list, on the current status
    tmux.wait_for("(no status)", "E Ei aktiivinen", "Enter chooses, Esc cancels.")
    tmux.keys("Down", "Enter")
    tmux.wait_for("Status E Ei aktiivinen", "Status changed.")
    tmux.keys("p")  # the contact whose numbers the header shows
    tmux.wait_for("(customer)", "Liisa [i]Laine[/i]")
    tmux.keys("Down", "Enter")
    tmux.wait_for("Liisa [i]Laine[/i] · tel. 09 123 · liisa@x.fi")
    tmux.keys("2")
    tmux.wait_for("Name", "Liisa [i]Laine[/i]", "a Add")
    tmux.keys("Escape")
    tmux.wait_for("Customer list", absent=("Billing address",))
    tmux.keys("C-q")
    assert_clean_exit(tmux)
