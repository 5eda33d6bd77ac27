"""`pupetui init` and `pupetui check`, and how pupetui opens an SQLite file."""

from __future__ import annotations

import sqlite3
import threading
import uuid

import pytest

from conftest import POSTGRES_URL, SQLITE_FIXTURE, _postgres_server, unavailable
from pupetui import db
from pupetui.models import ALL_MODELS, Customer
from pupetui.services import schema

TABLES = sorted(m._meta.table_name for m in ALL_MODELS)


def layout(database):
    """Every table's columns with type, nullability and default: what `alters nothing` means."""
    return {
        table: [(c.name, c.data_type.lower(), c.null, c.default) for c in database.get_columns(table)]
        for table in sorted(database.get_tables())
    }


# -- init --------------------------------------------------------------------------


@pytest.fixture
def empty_sqlite(tmp_path):
    d = db.open_database(f"sqlite:///{tmp_path / 'tyhjä.sqlite3'}")
    yield d
    db.end_session()
    d.close()


@pytest.fixture
def empty_postgres():
    con = _postgres_server()
    name = f"pupetui_e_{uuid.uuid4().hex[:10]}"
    with con.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    d = db.open_database(f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}")
    yield d
    db.end_session()
    d.close()
    with con.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    con.close()


@pytest.fixture(params=["sqlite", "postgres"])
def empty_db(request):
    return request.getfixturevalue(f"empty_{request.param}")


def test_init_creates_every_table_and_is_idempotent(empty_db):
    assert empty_db.get_tables() == []
    created = schema.init(empty_db)
    assert sorted(created) == TABLES
    tables = empty_db.get_tables()
    assert set(TABLES) <= set(tables)
    # besides the models' tables only the customer search index (SQLite FTS5 and its shadow tables)
    from pupetui.services.search_index import FTS_TABLE

    assert all(t.startswith(FTS_TABLE) for t in set(tables) - set(TABLES))
    assert schema.check(empty_db).ok

    db.bind(empty_db)
    with db.session("acme", "anna"):
        Customer.create(name="Säilyy Oy")
    before = layout(empty_db)

    assert schema.init(empty_db) == []
    assert layout(empty_db) == before
    with db.session("acme", "anna"):
        assert [c.name for c in Customer.select()] == ["Säilyy Oy"]


def test_init_creates_only_the_missing_tables(empty_sqlite):
    schema.init(empty_sqlite)
    empty_sqlite.execute_sql('DROP TABLE "kalenteri"')
    assert schema.init(empty_sqlite) == ["kalenteri"]
    assert schema.check(empty_sqlite).ok


@pytest.mark.parametrize("backend", ["pupesoft", "mariadb"])
def test_init_on_pupesofts_own_layout_changes_nothing(database):
    before = layout(database)
    assert set(TABLES) <= set(before)
    assert schema.init(database) == []
    assert layout(database) == before


def test_check_is_ok_on_every_backend(database):
    report = schema.check(database)
    assert report.ok, report.lines()
    assert report.blocking == []
    assert report.tables_checked == len(ALL_MODELS)
    assert report.lines()[0].startswith("ok")


# -- check on a broken database -----------------------------------------------------


def _pupesoft_sqlite(tmp_path):
    if not SQLITE_FIXTURE.is_file():
        unavailable(f"the Pupesoft fixture {SQLITE_FIXTURE} is missing")
    path = tmp_path / "pupesoft.sqlite3"
    con = sqlite3.connect(path)
    con.executescript(SQLITE_FIXTURE.read_text())
    return path, con


def test_check_names_a_missing_table(tmp_path):
    path, con = _pupesoft_sqlite(tmp_path)
    con.execute('DROP TABLE "kalenteri"')
    con.commit()
    con.close()
    d = db.open_database(f"sqlite:///{path}")
    report = schema.check(d)
    d.close()
    assert not report.ok
    assert [p.table for p in report.blocking] == ["kalenteri"]
    text = "\n".join(report.lines())
    assert "kalenteri" in text and "missing" in text


def test_check_names_a_missing_column(tmp_path):
    path, con = _pupesoft_sqlite(tmp_path)
    con.execute('ALTER TABLE "asiakas" DROP COLUMN "fakta"')
    con.execute('ALTER TABLE "asiakas" DROP COLUMN "toim_postitp"')
    con.commit()
    con.close()
    d = db.open_database(f"sqlite:///{path}")
    report = schema.check(d)
    d.close()
    assert not report.ok
    assert len(report.blocking) == 1
    problem = report.blocking[0]
    assert problem.table == "asiakas"
    assert sorted(problem.missing_columns) == ["fakta", "toim_postitp"]
    text = "\n".join(report.lines())
    assert "asiakas" in text and "fakta" in text and "toim_postitp" in text


def test_check_names_a_not_null_column_pupetui_would_not_fill(tmp_path):
    path, con = _pupesoft_sqlite(tmp_path)
    con.execute('ALTER TABLE "asiakas" ADD COLUMN "pakollinen" VARCHAR(10) NOT NULL DEFAULT \'x\'')
    con.execute('DROP TABLE "muisti"')
    con.execute(
        'CREATE TABLE "muisti" ("tunnus" INTEGER PRIMARY KEY AUTOINCREMENT, '
        '"yhtio" VARCHAR(5) NOT NULL DEFAULT \'\', "kuka" VARCHAR(50) NOT NULL DEFAULT \'\', '
        '"haku" VARCHAR(20) NOT NULL DEFAULT \'\', "nimi" VARCHAR(50) NOT NULL DEFAULT \'\', '
        '"kuvaus" TEXT, "var" VARCHAR(50) NOT NULL DEFAULT \'\', "value" TEXT, '
        '"array" VARCHAR(1) NOT NULL DEFAULT \'\', "luontiaika" DATETIME NOT NULL, '
        '"laatija" VARCHAR(50) NOT NULL DEFAULT \'\', "muokattu" DATETIME NOT NULL, '
        '"muokannut" VARCHAR(50) NOT NULL DEFAULT \'\', "vaadittu" DATETIME NOT NULL)'
    )
    con.commit()
    con.close()
    d = db.open_database(f"sqlite:///{path}")
    report = schema.check(d)
    d.close()
    assert not report.ok
    assert report.blocking == []  # pupetui still works for reading
    text = "\n".join(report.lines())
    assert "muisti" in text and "vaadittu" in text
    assert "pakollinen" not in text  # it has a default


def test_check_on_an_empty_database_names_every_table(empty_sqlite):
    report = schema.check(empty_sqlite)
    assert sorted(p.table for p in report.blocking) == TABLES
    text = "\n".join(report.lines())
    for table in TABLES:
        assert f"table {table} is missing" in text


# -- how SQLite is opened ------------------------------------------------------------


def _pragma(d, name):
    return d.execute_sql(f"PRAGMA {name}").fetchone()[0]


def test_sqlite_is_opened_for_several_users(sqlite_url):
    d = db.open_database(sqlite_url)
    try:
        assert str(_pragma(d, "journal_mode")).lower() == "wal"
        assert _pragma(d, "foreign_keys") == 1
        assert _pragma(d, "busy_timeout") >= 1000
    finally:
        d.close()


def test_sqlite_pragmas_hold_on_every_connection(sqlite_url):
    """Peewee opens a connection per thread: a worker thread must get the same settings."""
    d = db.open_database(sqlite_url)
    seen = {}

    def worker():
        seen["busy"] = _pragma(d, "busy_timeout")
        seen["fk"] = _pragma(d, "foreign_keys")
        d.close()

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    d.close()
    assert seen["fk"] == 1
    assert seen["busy"] >= 1000


def test_two_connections_write_the_same_sqlite_file_at_once(sqlite_url):
    """Two users (two connections) saving at the same time both succeed: one waits."""
    errors: list[BaseException] = []
    start = threading.Barrier(2)
    rows_each = 40

    def writer(who):
        d = db.open_database(sqlite_url)  # its own connection, as another process would have
        try:
            start.wait()
            for i in range(rows_each):
                with d.atomic():
                    d.execute_sql(
                        'INSERT INTO "asiakas" ("yhtio", "nimi", "laatija", "luontiaika", '
                        '"muuttaja", "muutospvm") VALUES (?, ?, ?, ?, ?, ?)',
                        ("acme", f"{who} {i}", who, "2024-01-01 00:00:00", who, "2024-01-01 00:00:00"),
                    )
                    # hold the write lock a moment so the other writer has to wait
                    d.execute_sql('SELECT COUNT(*) FROM "asiakas"').fetchone()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            d.close()

    threads = [threading.Thread(target=writer, args=(w,)) for w in ("anna", "bertta")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    check = sqlite3.connect(sqlite_url[len("sqlite:///"):])
    assert check.execute('SELECT COUNT(*) FROM "asiakas"').fetchone()[0] == 2 * rows_each
    check.close()


def test_read_then_write_transactions_from_two_connections(sqlite_url):
    """A save that first reads (e.g. checks the row) and then writes must also wait, not fail."""
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def writer(who):
        d = db.open_database(sqlite_url)
        try:
            start.wait()
            for i in range(25):
                with d.atomic():
                    d.execute_sql('SELECT COUNT(*) FROM "asiakas"').fetchone()
                    d.execute_sql(
                        'INSERT INTO "asiakas" ("yhtio", "nimi", "laatija", "luontiaika", '
                        '"muuttaja", "muutospvm") VALUES (?, ?, ?, ?, ?, ?)',
                        ("acme", f"{who} {i}", who, "2024-01-01 00:00:00", who, "2024-01-01 00:00:00"),
                    )
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            d.close()

    threads = [threading.Thread(target=writer, args=(w,)) for w in ("anna", "bertta")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, [str(e) for e in errors]
