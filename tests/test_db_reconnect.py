"""Connections with a lifecycle: the server drops pupetui's connections (KILL on MariaDB,
pg_terminate_backend on PostgreSQL, from a separate admin connection, in a database of the
test's own: nothing shared is restarted) and every later read works again unnoticed; a write
cut in the middle says nothing was saved and leaves no row; a server that cannot be reached
says so in a plain sentence, and the next action after it is back works."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import peewee
import pytest

from pupetui import db
from pupetui.i18n import current_language, set_language
from pupetui.models import Activity, Customer, Keyword, Permission, User
from pupetui.services import calendar_view, customers, memo

from conftest import (
    MARIADB_FIXTURE, _mariadb_server, _postgres_server, make_database, sql_statements, unavailable,
)
from servers import free_port

SERVERS = ("mariadb", "postgres")


@pytest.fixture(autouse=True)
def _language_kept():
    before = current_language()
    yield
    set_language(before)


class Admin:
    """A connection of its own (no pupetui code) that lists and kills the test database's
    connections."""

    def __init__(self, kind: str, url: str):
        self.kind = kind
        self.name = db.url_parts(url).database
        if kind == "mariadb":
            self.con, _ = _mariadb_server()
        else:
            self.con = _postgres_server()

    def ids(self) -> list[int]:
        with self.con.cursor() as cur:
            if self.kind == "mariadb":
                cur.execute("SELECT id FROM information_schema.processlist WHERE db = %s AND id <> CONNECTION_ID()",
                            (self.name,))
            else:
                cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                            (self.name,))
            return [int(r[0]) for r in cur.fetchall()]

    def count(self) -> int:
        return len(self.ids())

    def kill_all(self) -> int:
        """Kill every connection to the database; returns how many there were, once they are gone."""
        ids = self.ids()
        with self.con.cursor() as cur:
            for i in ids:
                if self.kind == "mariadb":
                    try:
                        cur.execute(f"KILL {int(i)}")
                    except Exception:  # noqa: BLE001 - it ended by itself meanwhile
                        pass
                else:
                    cur.execute("SELECT pg_terminate_backend(%s)", (i,))
        deadline = time.monotonic() + 10
        while set(ids) & set(self.ids()):  # polling a condition: the server ends them in its time
            assert time.monotonic() < deadline, "the killed connections did not end"
            time.sleep(0.01)
        return len(ids)

    def close(self):
        self.con.close()


def own_mariadb_database():
    """As conftest's MariaDB database, but the connection that made it leaves it (so the
    database's connections are pupetui's only)."""
    if not MARIADB_FIXTURE.is_file():
        unavailable(f"the Pupesoft fixture {MARIADB_FIXTURE} is missing")
    name = f"pupetui_t_{uuid.uuid4().hex[:10]}"
    con, u = _mariadb_server()
    with con.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb3 COLLATE utf8mb3_unicode_ci")
        cur.execute(f"USE `{name}`")
        for stmt in sql_statements(MARIADB_FIXTURE.read_text(encoding="utf-8")):
            cur.execute(stmt)
        cur.execute("USE information_schema")
    auth = u.username or "root"
    if u.password:
        auth += f":{u.password}"

    def drop():
        with con.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        con.close()

    return f"mysql://{auth}@{u.hostname}:{u.port or 3306}/{name}", drop


@pytest.fixture(params=SERVERS)
def server(request, tmp_path):
    """A database of the test's own on each server, bound to the models, with a customer, a memo
    entry and a calendar entry of acme's user anna; (kind, admin, customer id)."""
    if request.param == "mariadb":
        url, drop = own_mariadb_database()
    else:
        url, drop = make_database(request.param, tmp_path)
    d = db.connect(url)
    admin = Admin(request.param, url)
    with db.session("acme", "anna"):
        User.create(login="anna", name="Anna Myyjä")
        Permission.create(login="anna", script="crm/kalenteri.php")
        Keyword.create(kind="ASIAKASTILA", value="A", text="Aktiivinen")
        c = Customer.create(name="Virtanen Oy", city="Helsinki", customer_no="1001")
        Customer.create(name="Laine Tmi", city="Espoo", customer_no="1002")
        Activity.create(kind="kalenteri", owner="anna", starts_at=dt.datetime(2026, 5, 5, 9),
                        ends_at=dt.datetime(2026, 5, 5, 10), text="Käynti Virtasella", customer_id=c.id)
    try:
        yield request.param, admin, c.id
    finally:
        db.end_session()
        try:
            d.close()
        except Exception:  # noqa: BLE001
            pass
        admin.close()
        drop()


def search_names(text: str) -> list[str]:
    return [r.name for r in customers.page(customers.CustomerQuery(text=text), 0, 50)]


def test_a_search_after_the_connection_was_killed_shows_the_right_rows(server):
    kind, admin, _ = server
    with db.session("acme", "anna"):
        assert search_names("virt") == ["Virtanen Oy"]
        assert admin.kill_all() == 1
        assert search_names("virt") == ["Virtanen Oy"]  # not "(0, '')": reconnected, run again
        assert customers.count(customers.CustomerQuery(text="")) == 2
        # killed again and again: each time the next read works
        for _ in range(3):
            admin.kill_all()
            assert search_names("laine") == ["Laine Tmi"]
    assert admin.count() == 1


def test_a_calendar_month_loads_after_the_kill(server):
    kind, admin, _ = server
    with db.session("acme", "anna"):
        may_5 = dt.date(2026, 5, 5)
        assert [e.comment for e in calendar_view.load_month(["anna"], 2026, 5).on(may_5)] == ["Käynti Virtasella"]
        admin.kill_all()
        data = calendar_view.load_month(["anna"], 2026, 5)
        assert [e.comment for e in data.on(may_5)] == ["Käynti Virtasella"]


def memo_texts(customer_id: int) -> list[str]:
    return [e.text for e in memo.entries(customer_id)]


def test_a_memo_saved_after_the_kill_is_saved_once_on_a_fresh_connection(server):
    kind, admin, customer_id = server
    with db.session("acme", "anna"):
        assert memo_texts(customer_id) == []
        admin.kill_all()
        memo.add_entry(customer_id, memo.NewEntry(text="Soitettu, tarjous lähtee"))
        admin.kill_all()
        memo.set_status(customer_id, "A")  # an UPDATE on its own (no transaction): pinged first
        assert memo_texts(customer_id) == ["Soitettu, tarjous lähtee"]
        assert memo.header(customer_id).status == "A"


def test_a_write_on_its_own_after_the_kill_goes_to_a_fresh_connection(server, monkeypatch):
    """An UPDATE with no read before it, on a connection the server has dropped: pinged first
    (every write after IDLE_PING_SECONDS unused; here 0, so without waiting), remade, saved once."""
    kind, admin, customer_id = server
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
    with db.session("acme", "anna"):
        admin.kill_all()
        assert Customer.update(city="Vantaa").where(Customer.id == customer_id).execute() == 1
        assert Customer.get_by_id(customer_id).city == "Vantaa"


def kill_after(database: peewee.Database, admin: Admin, fragment: str):
    """A query hook: once a statement containing `fragment` has run on the server, the server
    kills the connection (before the transaction's COMMIT)."""
    done = threading.Event()

    def hook(event):
        if not done.is_set() and fragment in event.sql.upper() and event.exception is None:
            done.set()
            admin.kill_all()

    database.query_hooks.append(hook)
    return done


def test_a_memo_cut_in_the_middle_says_nothing_was_saved_and_leaves_no_row(server):
    kind, admin, customer_id = server
    set_language("en")
    database = db.database.obj
    with db.session("acme", "anna"):
        killed = kill_after(database, admin, "INSERT")
        with pytest.raises(db.NothingSaved) as lost:
            memo.add_entry(customer_id, memo.NewEntry(text="Puolikas"))
        assert killed.is_set()
        database.query_hooks.clear()
        assert str(lost.value) == "The connection to the database was lost: nothing was saved. Please try again."
        assert memo_texts(customer_id) == []  # the server rolled it back: no half row
        # and the next save works, once
        memo.add_entry(customer_id, memo.NewEntry(text="Kokonainen"))
        assert memo_texts(customer_id) == ["Kokonainen"]
    set_language("fi")
    assert str(db.NothingSaved()) == "Yhteys tietokantaan katkesi: mitään ei tallennettu. Yritä uudelleen."


def test_a_transaction_of_several_rows_is_never_half_done(server):
    kind, admin, _ = server
    database = db.database.obj
    with db.session("acme", "anna"):
        before = Customer.select().count()
        killed = kill_after(database, admin, "INSERT")
        with pytest.raises(db.NothingSaved):
            with database.atomic():
                Customer.create(name="Eka Oy")
                with database.atomic():  # a savepoint inside: unwinds too
                    Customer.create(name="Toka Oy")
                Customer.create(name="Kolmas Oy")
        assert killed.is_set()
        database.query_hooks.clear()
        assert Customer.select().count() == before
        assert not database.in_transaction()


def test_connections_stay_bounded_by_the_threads_that_use_them(server):
    """Six threads (the app's WORKER_THREADS) search, load the calendar and save memos, while
    the server kills their connections between rounds: never more connections than threads,
    and every round's answers are right."""
    kind, admin, customer_id = server
    counts = []
    with db.session("acme", "anna"), ThreadPoolExecutor(max_workers=db.WORKER_THREADS) as pool:
        for round_no in range(4):
            def work(n):
                assert search_names("virt") == ["Virtanen Oy"]
                assert calendar_view.load_month(["anna"], 2026, 5).count == 1
                return n
            assert sorted(pool.map(work, range(db.WORKER_THREADS * 3))) == list(range(db.WORKER_THREADS * 3))
            counts.append(admin.count())
            admin.kill_all()
    # the test's own thread's connection (made by the fixture) is one more
    print(f"{kind}: connections after each round: {counts} (threads: {db.WORKER_THREADS} + the test's own)")
    assert max(counts) <= db.WORKER_THREADS + 1


def test_a_database_that_stays_away_says_so_and_comes_back_by_itself(server):
    """No connection can be made (the database's address now leads to a port nobody listens
    on: what a stopped or unreachable server looks like from here; the shared server itself is
    left alone): one plain sentence per action, no driver's words; once the address answers
    again the next action works, nothing restarted."""
    kind, admin, _ = server
    set_language("en")
    database = db.database.obj
    real_port = database.connect_params["port"]
    with db.session("acme", "anna"):
        assert search_names("virt") == ["Virtanen Oy"]
        database.connect_params["port"] = free_port()
        admin.kill_all()
        for _ in range(2):
            with pytest.raises(db.DatabaseDown) as down:
                search_names("virt")
            assert str(down.value) == "The database cannot be reached. pupetui tries again at your next action."
        with pytest.raises(db.DatabaseError):  # a write: not saved, said plainly
            memo.add_entry(server[2], memo.NewEntry(text="Ei mene"))
        database.connect_params["port"] = real_port
        assert search_names("virt") == ["Virtanen Oy"]
        assert memo_texts(server[2]) == []
    set_language("fi")
    assert str(db.DatabaseDown()) == "Tietokantaan ei saada yhteyttä. pupetui yrittää uudelleen seuraavalla toiminnollasi."


def test_sqlite_is_untouched(tmp_path):
    """SQLite (a file: no connection to lose) keeps peewee's own database class."""
    from pupetui.services import schema

    d = db.open_database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert type(d) is peewee.SqliteDatabase
    schema.init(d)
    d.close()


def test_closing_a_connection_the_server_dropped_is_quiet_and_the_next_use_works(server):
    kind, admin, _ = server
    database = db.database.obj
    with db.session("acme", "anna"):
        admin.kill_all()
        database.close()  # dropped, not yet found out: closed without an error
        assert search_names("virt") == ["Virtanen Oy"]
        kill_after(database, admin, "COUNT")
        with pytest.raises(db.NothingSaved):  # found out inside a transaction
            with database.atomic():
                Customer.select().count()  # the server kills the connection after this one
                Customer.select().count()
        database.query_hooks.clear()
        database.close()
        assert search_names("virt") == ["Virtanen Oy"]
        assert not database.in_transaction()
