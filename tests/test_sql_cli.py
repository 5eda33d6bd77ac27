"""`pupetui sql`: the headless SQL search end to end, as a separate process.

The same checks and export as the screen: a table on stdout (untrusted text made printable),
every row to Excel or CSV, saved queries, and the exit codes: 2 for a refused statement, 3 for
rights, 1 for a database error.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json

import openpyxl
import pytest

from legacy import legacy_create  # rows an older program left: past pupetui's text rule
from pupetui import db
from pupetui.models import Company, Customer, Permission, SavedSearch, User
from test_cli import env, run  # noqa: F401  (fixture and helper)

HASH = hashlib.md5(b"Sala sana").hexdigest()


def _populate(url: str) -> str:
    d = db.connect(url)
    with db.session("acme", "admin"):
        Company.create(name="Acme Oy")
        for login, level in (("anna", ""), ("super", "SUPER"), ("reader", "READ"), ("ville", None)):
            User.create(login=login, name=login.title(), password_md5=HASH)
            if level is not None:
                Permission.create(login=login, script="raportit/sql-query.php", subname=level)
        Customer.create(name="Virtanen Oy", city="Helsinki", customer_no="1001", salesperson_no=7)
        Customer.create(name="Oy [Ab] & Co\x1b[31m", city="Turku", customer_no="1002")
        legacy_create(Customer, name="=HYPERLINK(\"http://x\")", city="Oulu", customer_no="1003")
        SavedSearch.create(owner="super", search="sql-query", name="Turku", variable="query",
                           description="Turun asiakkaat", value="SELECT nimi, postitp FROM asiakas WHERE postitp = 'Turku'")
    db.end_session()
    d.close()
    return url


@pytest.fixture
def url(sqlite_url):
    return _populate(sqlite_url)


@pytest.fixture
def state(env, tmp_path):
    """History goes to a state dir of the test, never the real one."""
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    return tmp_path / "state"


def sql(env, url, *args, user="anna", **extra):
    return run(env, "sql", *args, "--db", url, "--user", user, **extra)


def test_prints_a_table_of_the_result(env, url, state):
    result = sql(env, url, "SELECT asiakasnro, nimi, myyjanro FROM asiakas ORDER BY asiakasnro")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["asiakasnro", "nimi", "myyjanro"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[2].startswith("1001") and "Virtanen Oy" in lines[2] and lines[2].endswith("7")
    assert "Oy [Ab] & Co[31m" in lines[3]  # markup-looking text as it is; the escape removed
    assert "\x1b" not in result.stdout
    assert "(3 row(s)" in result.stderr
    history = (state / "pupetui" / "history-acme-anna.jsonl").read_text().splitlines()
    assert json.loads(history[-1])["sql"].startswith("SELECT asiakasnro")


def test_excel_of_every_row(env, url, state, tmp_path):
    path = tmp_path / "tulos.xlsx"
    result = sql(env, url, "SELECT asiakasnro, nimi, myyjanro, luontiaika FROM asiakas ORDER BY asiakasnro",
                 "--xlsx", str(path), PUPETUI_SQL__ROW_LIMIT="1")
    assert result.returncode == 0, result.stderr
    assert f"saved 3 row(s) to {path}" in result.stdout  # every row, not the display cap
    rows = list(openpyxl.load_workbook(path).active.values)
    assert rows[0] == ("asiakasnro", "nimi", "myyjanro", "luontiaika")
    assert rows[1][:3] == ("1001", "Virtanen Oy", 7)  # the number a number, the text text
    assert isinstance(rows[1][3], dt.datetime)  # SQLite's date text as a date
    assert rows[3][1] == '=HYPERLINK("http://x")'  # text, not a formula
    assert not list(tmp_path.glob("*.partial"))


def test_csv_of_every_row(env, url, state, tmp_path):
    path = tmp_path / "tulos.csv"
    result = sql(env, url, "SELECT asiakasnro, nimi FROM asiakas ORDER BY asiakasnro", "--csv", str(path))
    assert result.returncode == 0, result.stderr
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [["asiakasnro", "nimi"], ["1001", "Virtanen Oy"], ["1002", "Oy [Ab] & Co[31m"],
                    ["1003", "'=HYPERLINK(\"http://x\")"]]


def test_the_display_cap_is_told(env, url, state):
    result = sql(env, url, "SELECT nimi FROM asiakas ORDER BY nimi", PUPETUI_SQL__ROW_LIMIT="2")
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 4
    assert "more rows were left" in result.stderr


def test_refused_statements_exit_2(env, url, state, tmp_path):
    for text, words in (
        ("DELETE FROM asiakas", "not DELETE"),
        ("SELECT 1; DROP TABLE asiakas", "only one statement"),
        ("SELECT salasana FROM kuka", "secret column"),
        ("SELECT * FROM kuka", "* over kuka"),
        ("SELECT nimi INTO OUTFILE '/tmp/x' FROM asiakas", "INTO OUTFILE"),
    ):
        result = sql(env, url, text, "--csv", str(tmp_path / "x.csv"))
        assert result.returncode == 2, (text, result.stderr)
        assert words in result.stderr and result.stdout == ""
        assert HASH not in result.stderr
    assert not (tmp_path / "x.csv").exists()
    assert not (state / "pupetui" / "history-acme-anna.jsonl").exists()
    no_sql = run(env, "sql", "--db", url, "--user", "anna")
    assert no_sql.returncode == 2 and "--saved" in no_sql.stderr


def test_rights_exit_3(env, url, state, tmp_path):
    reader = sql(env, url, "SELECT 1", user="reader")
    assert reader.returncode == 3 and "only run saved queries" in reader.stderr
    nobody = sql(env, url, "--saved", "Turku", user="ville")
    assert nobody.returncode == 3 and "no right" in nobody.stderr and "raportit/sql-query.php" in nobody.stderr


def test_saved_queries_run_for_the_read_level_and_export(env, url, state, tmp_path):
    printed = sql(env, url, "--saved", "Turku", user="reader")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.splitlines()[2].startswith("Oy [Ab] & Co[31m")
    path = tmp_path / "turku.xlsx"
    saved = sql(env, url, "--saved", "Turku", "--xlsx", str(path), user="reader")
    assert saved.returncode == 0 and "saved 1 row(s)" in saved.stdout
    missing = sql(env, url, "--saved", "Ei ole", user="reader")
    assert missing.returncode == 1 and "no saved query" in missing.stderr


def test_database_errors_exit_1_with_the_message(env, url, state):
    result = sql(env, url, "SELECT nosuch FROM asiakas")
    assert result.returncode == 1
    assert "no such column: nosuch" in result.stderr and "Traceback" not in result.stderr


def test_the_time_limit_headless(env, url, state):
    forever = ("WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 10000000000) "
               "SELECT count(*) FROM s")
    result = sql(env, url, forever, PUPETUI_SQL__TIMEOUT_SECONDS="1")
    assert result.returncode == 1 and "time limit of 1 s" in result.stderr


def test_the_same_on_every_database(env, database_url, state, tmp_path):
    url = _populate(database_url)
    result = sql(env, url, "SELECT asiakasnro, nimi FROM asiakas ORDER BY asiakasnro")
    assert result.returncode == 0, result.stderr
    assert [line.split()[0] for line in result.stdout.splitlines()[2:]] == ["1001", "1002", "1003"]
    path = tmp_path / "kaikki.xlsx"
    saved = sql(env, url, "SELECT asiakasnro, myyjanro FROM asiakas ORDER BY asiakasnro", "--xlsx", str(path))
    assert saved.returncode == 0, saved.stderr
    assert list(openpyxl.load_workbook(path).active.values)[1] == ("1001", 7)
    assert sql(env, url, "SELECT * FROM asiakas FOR UPDATE").returncode == 2
    assert sql(env, url, "SELECT nosuch FROM asiakas").returncode == 1
