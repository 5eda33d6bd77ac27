"""`pupetui query`: the query generator's saved queries, listed and run headless (for cron)."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from pupetui import db
from pupetui.models import Company, Customer, Invoice, Permission, SavedForm, User
from pupetui.services import query_generator as Q
from test_cli import env, run  # noqa: F401  (fixture and helper)

F = Q.FieldSpec


@pytest.fixture
def url(sqlite_url):
    """acme: anna and pekka may use the query generator, ville may not; customers, invoices and
    saved queries of anna and pekka (both have one called "Turku")."""
    db.connect(sqlite_url)
    with db.session("acme", "admin"):
        Company.create(name="Acme Oy")
        for login in ("anna", "pekka", "ville"):
            User.create(login=login, name=login.title())
        for login in ("anna", "pekka"):
            Permission.create(login=login, script="db_sql_query.php")
        for i, (name, city) in enumerate([("Virtanen Oy", "Helsinki"), ("Mäkinen Ky", "Turku"),
                                          ("Oy [Ab] & Co\x1b[31m", "Turku"), ("Aalto Oy", "Espoo")]):
            Customer.create(name=name, city=city, customer_no=str(1001 + i))
            Invoice.create(customer_id=i + 1, net=Decimal("100.50") * (i + 1), invoice_date=dt.date(2026, 1, 1 + i),
                           state="L", substate="X")
    with db.session("other", "admin"):
        Customer.create(name="Toisen yhtiön asiakas", city="Turku", customer_no="1001")
    turku = Q.QuerySpec("asiakas", [F("nimi", show=True, sort=1), F("asiakasnro", show=True),
                                    F("postitp", operator="=", value="Turku")])
    invoices = Q.QuerySpec("lasku", [F("liitostunnus", show=True, sort=1), F("arvo", show=True),
                                     F("tapvm", show=True), F("arvo", operator=">", value="150")])
    with db.session("acme", "anna"):
        Q.save("Turku", turku)
        Q.save("Big invoices", invoices)
    with db.session("acme", "pekka"):
        Q.save("Turku", Q.QuerySpec("asiakas", [F("asiakasnro", show=True), F("postitp", operator="=", value="Turku")]))
        Q.save("Everyone", Q.QuerySpec("asiakas", [F("nimi", show=True, sort=1)]))
    db.end_session()
    db.database.obj.close()
    return sqlite_url


def query(env, url, *args, user="anna"):
    return run(env, "query", *args, "--db", url, "--company", "acme", "--user", user)


def test_list_shows_everyones_queries_and_whose(env, url):
    result = query(env, url, "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "owner", "table", "saved"]
    rows = [line.split("  ") for line in lines[2:]]
    listed = [(r[0].strip(), [c.strip() for c in r if c.strip()][1]) for r in rows]
    assert listed == [("Big invoices", "anna (you)"), ("Everyone", "pekka"), ("Turku", "anna (you)"), ("Turku", "pekka")]
    only = query(env, url, "list", "--table", "lasku")
    assert [line.split()[0] for line in only.stdout.splitlines()[2:]] == ["Big"]
    bad = query(env, url, "list", "--table", "sqlite_master")
    assert bad.returncode == 2 and "sqlite_master" in bad.stderr


def test_run_prints_a_table(env, url):
    result = query(env, url, "run", "Turku")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["asiakasnro", "nimi"]  # saved as Pupesoft saves it: in the table's order
    assert [line.split()[1] for line in lines[2:]] == ["Mäkinen", "Oy"]  # anna's own, sorted by name
    assert "Oy [Ab] & Co[31m" in result.stdout and "\x1b" not in result.stdout  # literal, no escape
    assert "Toisen" not in result.stdout  # another company's customer never shows
    assert "2 row(s)" in result.stderr
    numbers = query(env, url, "run", "Big invoices")
    values = [line.split() for line in numbers.stdout.splitlines()[2:]]
    assert [v[0] for v in values] == ["2", "3", "4"]  # sorted, arvo > 150
    assert values[2][1] == "402.00" and values[1][1] == "301.50"  # decimals with their cents
    header, last = numbers.stdout.splitlines()[0], numbers.stdout.splitlines()[4]
    assert last.index("402.00") + 6 == header.index("arvo") + 4  # right-aligned under the title


def test_run_anothers_query_with_owner(env, url):
    result = query(env, url, "run", "Turku", "--owner", "pekka")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["asiakasnro"]
    theirs = query(env, url, "run", "Everyone")  # only pekka has one: anyone may run it
    assert theirs.returncode == 0 and "Virtanen Oy" in theirs.stdout


def test_run_to_xlsx_every_row_with_types(env, url, tmp_path):
    path = tmp_path / "isot.xlsx"
    result = query(env, url, "run", "Big invoices", "--xlsx", str(path))
    assert result.returncode == 0, result.stderr
    assert "saved 3 row(s)" in result.stdout
    rows = list(openpyxl.load_workbook(path).active.values)
    assert rows[0] == ("liitostunnus", "arvo", "tapvm")
    assert rows[3] == (4, 402.0, dt.datetime(2026, 1, 4))  # numbers as numbers, the date as a date
    assert [r[0] for r in rows[1:]] == [2, 3, 4]
    assert not list(tmp_path.glob("*.partial"))


def test_run_to_csv(env, url, tmp_path):
    path = tmp_path / "turku.csv"
    result = query(env, url, "run", "Turku", "--csv", str(path))
    assert result.returncode == 0, result.stderr
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [["asiakasnro", "nimi"], ["1002", "Mäkinen Ky"], ["1003", "Oy [Ab] & Co[31m"]]


def test_refusals_and_exit_codes(env, url, tmp_path):
    denied = query(env, url, "list", user="ville")
    assert denied.returncode == 3 and "db_sql_query.php" in denied.stderr and denied.stdout == ""
    assert query(env, url, "run", "Turku", user="ville").returncode == 3
    unknown = query(env, url, "run", "No such query")
    assert unknown.returncode == 2 and "No such query" in unknown.stderr
    assert query(env, url, "run", "Turku", "--owner", "ville").returncode == 2
    several = query(env, url, "run", "Turku", user="pekka", )  # pekka's own wins
    assert several.returncode == 0
    usage = run(env, "query", "run", "Turku", "--xlsx", "a.xlsx", "--csv", "a.csv", "--db", url)
    assert usage.returncode == 2
    folder = query(env, url, "run", "Turku", "--xlsx", str(tmp_path / "missing" / "x.xlsx"))
    assert folder.returncode == 1 and "does not exist" in folder.stderr
    # a saved query whose column is gone is an error of its own (exit 1), told plainly
    d = db.connect(url)
    with db.session("acme", "anna"):
        SavedForm.update(data='{"table": "asiakas", "fields": [{"column": "gone", "show": true}]}').where(
            SavedForm.title == "Big invoices").execute()
    d.close()
    stale = query(env, url, "run", "Big invoices")
    assert stale.returncode == 1 and "gone" in stale.stderr


def test_an_export_past_the_size_limit_exits_4_and_leaves_no_file(env, url, tmp_path):
    path = tmp_path / "kaikki.csv"
    result = run(env, "query", "run", "Everyone", "--csv", str(path), "--db", url, "--company", "acme",
                 "--user", "pekka", PUPETUI_SQL__MAX_EXPORT_BYTES="20")
    assert result.returncode == 4, result.stderr
    assert result.stderr.strip() == ("pupetui: the export was stopped: it passed the size limit of 20 bytes "
                                     "(sql.max_export_bytes); no file was written")
    assert not path.exists() and not list(tmp_path.glob("*.partial"))
    fits = run(env, "query", "run", "Everyone", "--csv", str(path), "--db", url, "--company", "acme",
               "--user", "pekka", PUPETUI_SQL__MAX_EXPORT_BYTES="100000")
    assert fits.returncode == 0, fits.stderr
    assert "saved 4 row(s)" in fits.stdout
