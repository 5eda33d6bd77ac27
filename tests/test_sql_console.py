"""The SQL search's service: it cannot write, cannot leak, cannot hang.

A corpus of statements that try to write, change the schema, attach files, change pragmas or
session settings, lock, sleep, read secrets or slip a second statement past the checker runs on
SQLite (pupetui's own schema and Pupesoft's layout), MariaDB (Pupesoft's layout, strict mode) and
PostgreSQL: the checker refuses every one; the same statements sent straight to the read-only
connection are refused by the database wherever the database can refuse them (with the app's
own account, or with the read-only account the README describes); and the database is unchanged
afterwards. Then: normal queries stream, the display cap holds while the export gets every row,
cancel and the time limit stop a query that would run for minutes, rights, saved queries,
history, secrets in results and messages.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import threading
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

import openpyxl
import peewee
import pytest

from pupetui import db
from pupetui.models import ALL_MODELS, Company, Contact, Customer, Permission, SavedSearch, User
from pupetui.services import auth, sql_guard
from pupetui.services.export import write_xlsx_sheets
from pupetui.services.sql_grants import grant_recipe
from pupetui.services.sql_console import (
    BATCH,
    FIRST_BATCH,
    QueryHistory,
    SavedQueryNotFound,
    SqlAccess,
    SqlCancelled,
    SqlConsole,
    SqlError,
    SqlTimeout,
    StatementRefused,
    cell_text,
    text_table,
)
from pupetui.services.sql_readonly import NotReadOnly, SqliteReadOnly, open_readonly

PASSWORD_HASH = hashlib.md5(b"Sala sana").hexdigest()
SESSION_SECRET = "sess-9f8e7d6c5b4a"
API_SECRET = "api-key-0123456789abcdef"
WEBSHOP_SECRET = "webshop-secret-42"
SECRET_VALUES = (PASSWORD_HASH, SESSION_SECRET, API_SECRET, WEBSHOP_SECRET)
CUSTOMERS = 40
ENGINE = {"sqlite": "sqlite", "pupesoft": "sqlite", "mariadb": "mysql", "postgres": "postgres"}
ALL = frozenset({"sqlite", "mysql", "postgres"})


# -- the databases ----------------------------------------------------------------------------

@dataclass
class Sql:
    url: str
    backend: str
    engine: str
    tmp: Path
    database: peewee.Database

    def console(self, **kw) -> SqlConsole:
        kw.setdefault("history_dir", self.tmp / "state")
        return SqlConsole(self.url, **kw)


def _quote(d: peewee.Database, name: str) -> str:
    return f"`{name}`" if isinstance(d, peewee.MySQLDatabase) else f'"{name}"'


def populate(d: peewee.Database) -> None:
    with db.session("acme", "admin"):
        Company.create(name="Acme Oy")
        for login, level in (("anna", ""), ("super", "SUPER"), ("reader", "READ"), ("ville", None)):
            User.create(login=login, name=login.title(), password_md5=PASSWORD_HASH,
                        session_id=SESSION_SECRET, api_key=API_SECRET)
            if level is not None:
                Permission.create(login=login, script="raportit/sql-query.php", subname=level)
        for i in range(CUSTOMERS):
            c = Customer.create(name=f"Asiakas {i:03d} Oy", city="Turku" if i % 2 else "Oulu",
                                customer_no=str(1000 + i), salesperson_no=i % 5)
            Contact.create(customer=c.id, name=f"Yhteys {i}", email=f"y{i}@example.fi")
    columns = [c.name for c in d.get_columns("yhteyshenkilo")]
    if "verkkokauppa_salasana" in columns:  # Pupesoft's layout
        d.execute_sql(f"UPDATE yhteyshenkilo SET verkkokauppa_salasana = '{WEBSHOP_SECRET}'")


def fingerprint(d: peewee.Database) -> dict:
    """Every table's rows (hashed) and the list of tables: what "unchanged" means here."""
    out: dict = {"tables": sorted(d.get_tables())}
    for model in ALL_MODELS:
        table = model._meta.table_name
        rows = d.execute_sql(f"SELECT * FROM {_quote(d, table)} ORDER BY tunnus").fetchall()
        out[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


@pytest.fixture
def sql(backend, database, _databases, tmp_path) -> Sql:
    populate(database)
    db.start_session("acme", "anna")
    return Sql(_databases(backend), backend, ENGINE[backend], tmp_path, database)


@pytest.fixture
def readonly_account(sql):
    """The read-only account of the README, made by running its recipe (sql_grants, the one the
    README shows) on the test database; None on SQLite."""
    if sql.engine == "sqlite":
        yield None
        return
    name = f"pupetui_ro_{uuid.uuid4().hex[:8]}"
    password = "Ro-" + uuid.uuid4().hex
    u = urlparse(sql.url)
    dbname = u.path.lstrip("/")
    recipe = grant_recipe(sql.engine, database=dbname, account=name, password=password)
    run_recipe(sql.url, recipe)
    if sql.engine == "mysql":
        yield f"mysql://{name}:{password}@{u.hostname}:{u.port or 3306}/{dbname}"
        sql.database.execute_sql(f"DROP USER '{name}'@'%%'")
        return
    yield f"postgresql://{name}:{password}@{u.hostname}:{u.port or 5432}/{dbname}"
    sql.database.execute_sql(f"DROP OWNED BY {name}")
    sql.database.execute_sql(f"DROP ROLE {name}")


def run_recipe(url: str, recipe: str) -> None:
    """Run a recipe of sql_grants as an administrator would: on MariaDB every statement, and
    the statements its SELECTs print; on PostgreSQL the whole text."""
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url, autocommit=True) as con:
            con.execute(recipe)
        return
    import pymysql
    import sqlparse

    from pupetui.services.sql_readonly import _mysql_params

    con = pymysql.connect(**_mysql_params(url), autocommit=True)
    try:
        with con.cursor() as cur:
            for statement in sqlparse.split(sqlparse.format(recipe, strip_comments=True)):
                statement = statement.strip().rstrip(";")
                if not statement:
                    continue
                cur.execute(statement)
                if statement.upper().startswith("SELECT"):
                    for (printed,) in cur.fetchall():
                        cur.execute(printed)
    finally:
        con.close()


# -- the corpus -------------------------------------------------------------------------------

OUTFILE = f"/tmp/pupetui-sqltest-{uuid.uuid4().hex[:8]}.txt"


@dataclass(frozen=True)
class Attack:
    sql: str
    # where the read-only connection (the app's own account) refuses it too
    db: frozenset = field(default_factory=frozenset)
    # where the README's read-only account makes the server refuse it (or return only NULLs)
    account: frozenset = frozenset()
    engines: frozenset = ALL  # the trick exists only in these engines' syntax

    def __str__(self):
        return self.sql


def A(sql, db=ALL, account=frozenset(), engines=ALL):
    return Attack(sql, frozenset(db), frozenset(account), frozenset(engines))


S, M, P = "sqlite", "mysql", "postgres"
CORPUS = [
    # a second statement past the checker
    A("SELECT 1; DROP TABLE asiakas"),
    A("SELECT 1;\nDELETE FROM asiakas"),
    A("SELECT nimi FROM asiakas; UPDATE asiakas SET nimi = 'x'"),
    A("SELECT 1 /* ; */ ; DROP TABLE asiakas"),
    A("SELECT 1 -- c\n; DROP TABLE asiakas"),
    A("SELECT '\\'; DROP TABLE asiakas; --'", db={S, P}),
    A("SELECT 'a\\\\' , salasana, '\\\\' FROM kuka", db={S}, account={M, P}),
    A("SELECT 1 /* /* */ ' */ ; DROP TABLE asiakas; -- '", db={P}),
    A("SELECT $$ ; DROP TABLE asiakas; $$", db={S, M}, engines={S, M}),
    A("SELECT 1 --1, salasana FROM kuka", db=(), account={M}, engines={M}),
    A("SELECT 1 #x\n, salasana FROM kuka", db=(), account={M}, engines={M}),
    A("SELECT 1 /*! , salasana */ FROM kuka", db=(), account={M}),
    A("SELECT 1 /*M! , salasana */ FROM kuka", db=(), account={M}),
    # writes, also hidden in WITH
    A("DELETE FROM asiakas"),
    A("UPDATE asiakas SET nimi = 'x'"),
    A("INSERT INTO asiakas (nimi) VALUES ('x')"),
    A("REPLACE INTO asiakas (tunnus, nimi) VALUES (1, 'x')"),
    A("WITH x AS (DELETE FROM asiakas RETURNING *) SELECT * FROM x"),
    A("WITH x AS (UPDATE asiakas SET nimi = 'x' RETURNING tunnus) SELECT tunnus FROM x"),
    A("WITH x AS (SELECT 1) DELETE FROM asiakas"),
    A("WITH x AS (SELECT 1) INSERT INTO asiakas (nimi) SELECT 'x' FROM x"),
    A("SELECT * INTO uusi_taulu FROM asiakas"),
    A(f"SELECT nimi INTO OUTFILE '{OUTFILE}' FROM asiakas", db={S, P}, account={M}),
    A(f"SELECT nimi INTO DUMPFILE '{OUTFILE}' FROM asiakas LIMIT 1", db={S, P}, account={M}),
    A("SELECT 1 INTO @x", db={S, P}),
    A("EXPLAIN ANALYZE DELETE FROM asiakas"),
    A("COPY asiakas TO '/tmp/pupetui-copy.csv'"),
    A("SELECT 1; COPY asiakas TO '/tmp/pupetui-copy.csv'", db={S, M}, account={P}),
    A("SELECT 1; SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; COMMIT; DROP TABLE asiakas",
      db={S, M}, account={P}),
    # the schema
    A("DROP TABLE asiakas"),
    A("CREATE TABLE uusi (a int)"),
    A("CREATE TEMPORARY TABLE uusi (a int)"),
    A("ALTER TABLE asiakas ADD COLUMN uusi int"),
    A("TRUNCATE asiakas"),
    A("CREATE VIEW v AS SELECT * FROM asiakas"),
    # files and pragmas
    A("ATTACH DATABASE '{tmp}/attached.db' AS other"),
    A("VACUUM INTO '{tmp}/copy.db'"),
    A("PRAGMA query_only = 0"),
    A("PRAGMA writable_schema = 1"),
    A("SELECT load_extension('/tmp/evil')"),
    A("SELECT LOAD_FILE('/etc/hostname')", db={S, P}, account={M}),
    A("SELECT pg_read_file('/etc/hostname')", db={S, M}, account={P}),
    A("SELECT lo_import('/etc/hostname')", db={S, M}, account={P}),
    A("SELECT * FROM pg_ls_dir('.')", db={S, M}, account={P}),
    # session settings
    A("SELECT set_config('default_transaction_read_only', 'off', false)", db={S, M}),
    A("SELECT set_config('transaction_read_only', 'off', true)"),
    A("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", db={S, P}),
    A("SET SESSION TRANSACTION READ WRITE", db={S, P}),
    A("SET @@session.sql_mode = ''", db={S, P}),
    A("SELECT @x := 1", db={S, P}),
    A("BEGIN", db={S}),
    A("COMMIT", db={S, P}),
    # sequences
    A("SELECT nextval('asiakas_tunnus_seq')"),
    A("SELECT NEXT VALUE FOR asiakas_tunnus_seq"),
    A("SELECT txid_current()", db={S, M}),
    # locks, sleeps
    A("SELECT * FROM asiakas FOR UPDATE"),
    A("SELECT * FROM asiakas FOR SHARE"),
    A("SELECT tunnus FROM asiakas FOR NO KEY UPDATE"),
    A("SELECT * FROM asiakas LOCK IN SHARE MODE", db={S, P}),
    A("LOCK TABLES asiakas WRITE"),
    A("SELECT SLEEP(100)", db={S, P}),
    A("SELECT pg_sleep(100)", db={S, M}),
    A("SELECT pg_catalog.pg_sleep(100)", db={S, M}),
    A("SELECT \"pg_sleep\"(100)", db={S, M}, engines={S, P}),
    A("SELECT BENCHMARK(100000000, MD5('a'))", db={S, P}),
    A("SELECT GET_LOCK('pupetui', 0)", db={S, P}),
    A("SELECT RELEASE_LOCK('pupetui')", db={S, P}),
    A("SELECT pg_advisory_lock(1)", db={S, M}),
    A("DO SLEEP(100)", db={S, P}),
    A("SELECT query_to_xml('select salasana from kuka', true, false, '')", db={S, M}, account={P}),
    # secrets
    A("SELECT salasana FROM kuka", db={S}, account={M, P}),
    A("SELECT kuka, session FROM kuka", db={S}, account={M, P}),
    A("SELECT api_key FROM kuka WHERE kuka = 'anna'", db={S}, account={M, P}),
    A("SELECT kuka FROM kuka WHERE salasana LIKE 'a%'", db={S}, account={M, P}),
    A("SELECT * FROM kuka", db={S}, account={M, P}),
    A("SELECT k.* FROM kuka k", db={S}, account={M, P}),
    A("SELECT o.kuka, k.* FROM oikeu o JOIN kuka k ON k.kuka = o.kuka", db={S}, account={M, P}),
    A("SELECT * FROM (SELECT * FROM kuka) x", db={S}, account={M, P}),
    A("WITH u AS (SELECT * FROM kuka) SELECT * FROM u", db={S}, account={M, P}),
    A("SELECT * FROM oikeu NATURAL JOIN kuka", db={S}, account={M, P}),
    A("SELECT row_to_json(k) FROM kuka k", db={S, M}, account={P}),
    A("SELECT d FROM kuka AS k(a, b, c, d, e)", db={S, M}),
    A("SELECT \"salasana\" FROM kuka", db={S}, account={P}, engines={S, P}),
    A("SELECT `salasana` FROM kuka", db={S}, account={M}, engines={S, M}),
    A("SELECT SALASANA FROM KUKA", db={S}, account={M, P}),
    A("SELECT verkkokauppa_salasana FROM yhteyshenkilo", db={S, P}, account={M}),
    A("SELECT * FROM yhteyshenkilo", db=(), account={M}),  # pupetui's own schema has no secret there
    A("SELECT apix_avain FROM yhtion_parametrit", db={S, P}, account={M}),
    A("SELECT * FROM mysql.user", db={S, P}, account={M}),
    A("SELECT * FROM pg_authid", db={S, M}, account={P}),
    A("SELECT query FROM pg_stat_activity", db={S, M}),
    A("SELECT info FROM information_schema.processlist", db={S, P}),
    A("SELECT * FROM sqlite_stat1", db={S, M, P}, engines={S}),
    # names that only the database decodes: PostgreSQL's U& escapes, SQLite's 'x' as a name
    A('SELECT kuka, U&"\\0073alasana" FROM kuka', db=(), account={P}, engines={P}),
    A('SELECT kuka, u&"\\+000073alasana" FROM kuka', db=(), account={P}, engines={P}),
    A('SELECT kuka, U&"!0073alasana" UESCAPE \'!\' FROM kuka', db=(), account={P}, engines={P}),
    A('SELECT kuka, U&"\\0073\\0061lasana" FROM U&"\\006buka"', db=(), account={P}, engines={P}),
    A('SELECT * FROM U&"\\006buka"', db=(), account={P}, engines={P}),
    A('SELECT U&"pg\\005fread\\005ffile"(\'/etc/hostname\')', db=(), account={P}, engines={P}),
    A('SELECT * FROM U&"pg\\005fls\\005fdir"(\'.\')', db=(), account={P}, engines={P}),
    A('SELECT U&"pg\\005fsleep"(100)', db=(), engines={P}),
    A('SELECT U&"#0070g_sleep" UESCAPE \'#\'(100)', db=(), engines={P}),
    A('SELECT U&"pg\\005fcancel\\005fbackend"(1)', db=(), engines={P}),
    A('SELECT query FROM U&"pg\\005fstat\\005factivity"', db=(), engines={P}),
    A('SELECT query FROM pg_catalog."pg_stat_activity"', db={S}, engines={S, P}),  # MariaDB: a string
    A('SELECT U&"\\zz" FROM kuka', db={P}, engines={P}),
    A("SELECT kuka.'salasana' FROM kuka", db={S}, engines={S}),
    A("SELECT * FROM 'kuka'", db={S}, engines={S}),
    A("SELECT a.nimi, k.* FROM asiakas a, 'kuka' k", db={S}, engines={S}),
    # views of other sessions, locks and transactions
    A("SELECT trx_query FROM information_schema.innodb_trx", db={S, P}, account={M}),
    A("SELECT * FROM information_schema.`INNODB_LOCK_WAITS`", db={S, P}, account={M}, engines={S, M}),
    A("SELECT * FROM information_schema.user_statistics", db={S, P}),
    A("SELECT * FROM performance_schema.events_statements_current", db={S, P}, account={M}),
    A("SELECT * FROM `performance_schema`.threads", db={S, P}, account={M}, engines={S, M}),
    A("SELECT * FROM sys.processlist", db={S, P}, account={M}),
    A("SELECT pid, mode FROM pg_locks", db={S, M}),
    A("SELECT * FROM pg_catalog.pg_prepared_xacts", db={S, M}),
    A("SELECT * FROM pg_stat_progress_vacuum", db={S, M}),
    A("SELECT * FROM pg_stat_ssl", db={S, M}),
    A("SELECT * FROM pg_backend_memory_contexts", db={S, M}, account={P}),
    A("SELECT * FROM pg_file_settings", db={S, M}, account={P}),
    # not queries at all
    A("SHOW TABLES", db={S, P}),
    A("VALUES (1)", db=()),
    A("TABLE kuka", db={S, M}, account={P}),
    A("EXPLAIN SELECT 1", db=()),
    A("CALL nothing()"),
    A("", db=()),
    A("-- only a comment", db=()),
]


def corpus_for(engine: str):
    return [a for a in CORPUS if engine in a.engines]


def _sql(attack: Attack, tmp: Path) -> str:
    return attack.sql.replace("{tmp}", str(tmp))


def _files_made(tmp: Path) -> list[str]:
    candidates = [tmp / "attached.db", tmp / "copy.db", Path(OUTFILE), Path("/tmp/pupetui-copy.csv")]
    return [str(p) for p in candidates if p.exists()]


def send_raw(url: str, sql: str) -> list[tuple]:
    """The text straight to the read-only connection, as the app sends it but without the
    checker: its rows, or an exception."""
    conn = open_readonly(url, timeout_seconds=5)
    try:
        conn.execute(sql)
        rows = []
        while batch := conn.fetch(1000):
            rows += batch
        conn.finish()
        return rows
    finally:
        conn.close()


def refused_raw(url: str, sql: str) -> tuple[bool, object]:
    try:
        rows = send_raw(url, sql)
    except Exception as exc:  # noqa: BLE001 - any refusal by the database counts
        return True, exc
    return False, rows


# -- the corpus: the checker ----------------------------------------------------------------

def test_every_attack_is_refused_by_the_checker_and_changes_nothing(sql):
    console = sql.console()
    before = fingerprint(sql.database)
    for attack in corpus_for(sql.engine):
        text = _sql(attack, sql.tmp)
        with pytest.raises(StatementRefused) as refused:
            console.query(text)
        message = str(refused.value)
        assert message and "Traceback" not in message, text
        for secret in SECRET_VALUES:
            assert secret not in message
    assert fingerprint(sql.database) == before
    assert _files_made(sql.tmp) == []
    assert console.history().entries() == []  # refused statements are not history


def test_refusals_say_which_part_is_wrong(sql):
    console = sql.console()
    cases = {
        "SELECT 1; DROP TABLE asiakas": ("only one statement", 1, 11),
        "WITH x AS (DELETE FROM asiakas RETURNING *)\nSELECT * FROM x": ("DELETE writes", 1, 12),
        "SELECT nimi\nFROM asiakas\nFOR UPDATE": ("locking read (FOR UPDATE)", 3, 1),
        "SELECT SLEEP(100)": ("SLEEP() is not allowed", 1, 8),
        "SELECT nimi, salasana FROM kuka": ("salasana is a secret column of kuka", 1, 14),
        "SELECT * FROM kuka": ("* over kuka", 1, 8),
        "PRAGMA query_only = 0": ("not PRAGMA", 1, 1),
        "": ("no statement", None, None),
    }
    for text, (words, line, column) in cases.items():
        with pytest.raises(StatementRefused) as refused:
            console.query(text)
        assert words in str(refused.value), (text, str(refused.value))
        assert (refused.value.line, refused.value.column) == (line, column), text


# -- the corpus: the database ---------------------------------------------------------------

def test_the_read_only_connection_refuses_what_the_database_can(sql):
    before = fingerprint(sql.database)
    missed = []
    for attack in corpus_for(sql.engine):
        if sql.engine not in attack.db:
            continue
        refused, what = refused_raw(sql.url, _sql(attack, sql.tmp))
        if not refused:
            missed.append((attack.sql, what))
        else:
            text = str(what)
            assert all(s not in text for s in SECRET_VALUES), (attack.sql, text)
    assert missed == []
    assert fingerprint(sql.database) == before
    assert _files_made(sql.tmp) == []


@pytest.mark.parametrize("text", [
    "SELECT 1; DELETE FROM asiakas",
    "SELECT 1; SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; COMMIT; DROP TABLE asiakas",
    "SELECT 1; COMMIT; DROP TABLE asiakas",
])
def test_a_second_statement_never_runs_even_past_the_checker(sql, text):
    """With the app's own (writing) account: the connection itself refuses a second statement
    (SQLite runs one per call, MariaDB has multi-statements off, PostgreSQL's extended protocol
    refuses them), so the table survives even if the checker were fooled."""
    before = fingerprint(sql.database)
    refused, what = refused_raw(sql.url, text)
    assert refused, what
    assert fingerprint(sql.database) == before


def test_the_read_only_account_refuses_the_rest(sql, readonly_account):
    if readonly_account is None:
        pytest.skip("SQLite: the file opened read-only and the authorizer are the account")
    before = fingerprint(sql.database)
    missed = []
    for attack in corpus_for(sql.engine):
        if sql.engine not in attack.db | attack.account:
            continue
        refused, what = refused_raw(readonly_account, _sql(attack, sql.tmp))
        only_nulls = not refused and all(v is None for row in what for v in row)
        if not (refused or only_nulls):
            missed.append((attack.sql, what))
        text = str(what)
        assert all(s not in text for s in SECRET_VALUES), (attack.sql, text)
    assert missed == []
    assert fingerprint(sql.database) == before
    assert _files_made(sql.tmp) == []
    # ... while the columns it may read still work
    console = sql.console(readonly=readonly_account)
    rows = console.query("SELECT kuka, nimi FROM kuka ORDER BY kuka").fetch_all()
    assert [r[0] for r in rows] == ["anna", "reader", "super", "ville"]


def test_secrets_never_come_back_even_when_named_without_the_checker(sql):
    """SQLite's authorizer refuses the secret columns however the query reaches them."""
    if sql.engine != "sqlite":
        pytest.skip("the server refuses them with the read-only account (the test above)")
    for text in ("SELECT * FROM kuka", "SELECT salasana FROM kuka", "SELECT kuka FROM kuka WHERE session <> ''",
                 "SELECT (SELECT api_key FROM kuka LIMIT 1)", "WITH u AS (SELECT * FROM kuka) SELECT kuka FROM u"):
        refused, what = refused_raw(sql.url, text)
        assert refused, text
        assert "is not allowed in the SQL search" in str(sql_error_of(sql.url, text)), text


def sql_error_of(url, text):
    conn = open_readonly(url)
    try:
        conn.execute(text)
        conn.fetch(10)
    except Exception as exc:  # noqa: BLE001
        return conn.error(exc, text)
    finally:
        conn.close()
    return None


def test_what_no_database_refuses_is_stopped_by_the_time_limit_and_the_closed_connection(sql):
    waits = {"sqlite": None, "mysql": "SELECT SLEEP(100)", "postgres": "SELECT pg_sleep(100)"}[sql.engine]
    if waits is None:
        pytest.skip("SQLite has no function that waits")
    conn = open_readonly(sql.url, timeout_seconds=1)
    started = time.monotonic()
    with pytest.raises(Exception):
        conn.execute(waits)
        conn.fetch(1)
    conn.close()
    # stopped by the 1 s limit, not after its 100 s (a wide margin: a busy machine is slow too)
    assert time.monotonic() - started < 30
    if sql.engine == "mysql":  # a lock taken is let go when the connection closes
        conn = open_readonly(sql.url)
        conn.execute("SELECT GET_LOCK('pupetui-test', 0)")
        assert conn.fetch(1) == [(1,)]
        conn.finish()
        conn.close()
        other = sql.database.execute_sql("SELECT IS_FREE_LOCK('pupetui-test')").fetchone()[0]
        for _ in range(50):
            if other == 1:
                break
            time.sleep(0.02)
            other = sql.database.execute_sql("SELECT IS_FREE_LOCK('pupetui-test')").fetchone()[0]
        assert other == 1


def test_the_session_is_read_only_and_checked(sql):
    conn = open_readonly(sql.url)
    try:
        if sql.engine == "postgres":
            cur = conn.driver_connection.cursor()
            cur.execute("SHOW default_transaction_read_only")
            assert cur.fetchone()[0] == "on"
            conn.driver_connection.rollback()
        elif sql.engine == "mysql":
            from pymysql.constants import CLIENT

            assert not conn.driver_connection.client_flag & CLIENT.MULTI_STATEMENTS
            conn.execute("SELECT @@SESSION.tx_read_only, @@SESSION.sql_mode")
            read_only, mode = conn.fetch(1)[0]
            assert read_only == 1 and "NO_BACKSLASH_ESCAPES" not in mode
        else:
            assert conn.driver_connection.execute("SELECT 1").fetchone() == (1,)
    finally:
        conn.close()


def test_the_postgresql_session_itself_refuses_writes(sql):
    """Not only DECLARE's grammar: a plain cursor in the read-only session is refused too."""
    if sql.engine != "postgres":
        pytest.skip("PostgreSQL's session")
    before = fingerprint(sql.database)
    conn = open_readonly(sql.url)
    try:
        pg = conn.driver_connection
        for text in ("DELETE FROM asiakas", "UPDATE asiakas SET nimi = 'x'", "INSERT INTO asiakas (nimi) VALUES ('x')",
                     "DROP TABLE asiakas", "CREATE TABLE uusi (a int)", "ALTER TABLE asiakas ADD COLUMN x int",
                     "TRUNCATE asiakas", "SELECT nextval('asiakas_tunnus_seq')", "SELECT * FROM asiakas FOR UPDATE",
                     "SELECT * INTO uusi FROM asiakas", "SELECT set_config('transaction_read_only', 'off', true)"):
            with pytest.raises(Exception) as refused:
                pg.cursor().execute(text)
            pg.rollback()
            assert "read-only" in str(refused.value) or "read-write" in str(refused.value), text
    finally:
        conn.close()
    assert fingerprint(sql.database) == before


def test_an_in_memory_sqlite_database_cannot_be_opened_read_only():
    with pytest.raises(NotReadOnly):
        SqliteReadOnly(":memory:", timeout_seconds=1)


# -- running --------------------------------------------------------------------------------

def _series(engine: str, n: int) -> str:
    """n rows, generated by the database itself, lazily."""
    if engine == "postgres":
        return f"SELECT g AS n, md5(g::text) AS h FROM (SELECT generate_series(1, {n}) AS g) s"
    if engine == "mysql":
        return f"SELECT seq AS n, md5(seq) AS h FROM seq_1_to_{n}"
    return (f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {n}) "
            "SELECT n, hex(n) AS h FROM s")


def _forever(engine: str, *, restricted: bool = False) -> str:
    """A query that would run for minutes (marked, to find it in the server's process list)."""
    if engine == "postgres":
        return "SELECT /* pupetui-forever */ count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b"
    if engine == "mysql" and restricted:  # the read-only account may not read seq_* tables
        return ("SELECT /* pupetui-forever */ count(*) FROM information_schema.columns a, "
                "information_schema.columns b, information_schema.columns c, information_schema.columns d")
    if engine == "mysql":
        return "SELECT /* pupetui-forever */ count(*) FROM seq_1_to_100000 a, seq_1_to_100000 b"
    return ("WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 10000000000) "
            "SELECT count(*) FROM s")


def test_a_query_runs_and_streams_in_batches(sql):
    console = sql.console(row_limit=5000)
    query = console.query("SELECT tunnus, nimi, postitp FROM asiakas WHERE postitp = 'Turku' ORDER BY tunnus")
    assert query.start() == ["tunnus", "nimi", "postitp"]
    rows = query.fetch_all()
    assert len(rows) == CUSTOMERS // 2 and rows[0][1] == "Asiakas 001 Oy"
    assert query.state == "done" and not query.truncated and query.row_count == CUSTOMERS // 2
    big = console.query(_series(sql.engine, 20_000))
    sizes = [len(b) for b in big.batches()]
    assert sizes == [FIRST_BATCH, BATCH, BATCH, 5000 - FIRST_BATCH - 2 * BATCH]
    assert big.truncated and big.row_count == 5000
    assert big.answered_at <= big.first_batch_at <= big.finished_at


def test_the_display_cap_stops_early_while_the_export_gets_every_row(sql):
    console = sql.console(row_limit=100)
    started = time.monotonic()
    capped = console.query(_series(sql.engine, 100_000_000))
    rows = capped.fetch_all()
    assert len(rows) == 100 and capped.truncated
    assert time.monotonic() - started < 30  # 100 million rows were not fetched (minutes, at best)
    csv_path = sql.tmp / "all.csv"
    result = console.query(_series(sql.engine, 25_000)).export(csv_path)
    assert result.rows == 25_000
    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh))
    assert lines[0] == ["n", "h"] and len(lines) == 25_001 and lines[-1][0] == "25000"
    xlsx_path = sql.tmp / "all.xlsx"
    result = console.query(_series(sql.engine, 25_000)).export(xlsx_path, rows_per_sheet=10_000)
    assert (result.rows, result.sheets) == (25_000, 3)
    book = openpyxl.load_workbook(xlsx_path, read_only=True)
    assert book.sheetnames == ["SQL", "SQL (2)", "SQL (3)"]
    counts = []
    for ws in book.worksheets:
        values = list(ws.values)
        assert values[0] == ("n", "h")
        counts.append(len(values) - 1)
    assert counts == [10_000, 10_000, 5_000]
    assert list(book["SQL (3)"].values)[-1][0] == 25_000  # a number, not text


def _until(condition, what: str, seconds: float = 60.0):
    """Poll `condition()` until it gives something true (a generous deadline: a busy machine)."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds:g} s for {what}")
        time.sleep(0.02)


def _forever_sessions(sql) -> list:
    """The server sessions running the marked query in this test's own database (other tests,
    of other worktrees too, may run theirs on the same server at the same time)."""
    if sql.engine == "postgres":
        # the SQL search runs its query in a server-side cursor: pg_stat_activity shows the
        # marked query while it is declared, then `FETCH FORWARD n FROM "pupetui_sql_N"` while
        # it runs (the long part)
        return [r[0] for r in sql.database.execute_sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' "
            "AND (query LIKE '%%pupetui-forever%%' OR query LIKE 'FETCH %%pupetui_sql_%%') "
            "AND pid <> pg_backend_pid()").fetchall()]
    return [r[0] for r in sql.database.execute_sql(
        "SELECT id FROM information_schema.processlist WHERE db = DATABASE() AND command = 'Query' "
        "AND info LIKE '%%pupetui-forever%%' AND info NOT LIKE '%%processlist%%'").fetchall()]


def _in_a_thread(query) -> tuple[list[BaseException], threading.Event]:
    """Fetch `query`'s rows in a thread of its own: what it raised, and set when it ended."""
    errors: list[BaseException] = []
    ended = threading.Event()

    def worker():
        try:
            query.fetch_all()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        ended.set()

    threading.Thread(target=worker, daemon=True).start()
    return errors, ended


def _cancel_while_running(sql, query) -> list[BaseException]:
    """Run `query` in a thread, wait until the database runs it, cancel it; what it raised."""
    errors, ended = _in_a_thread(query)
    if sql.engine == "sqlite":
        _until(lambda: query.state == "running" or ended.is_set(), "the query to start")
    else:
        _until(lambda: _forever_sessions(sql) or ended.is_set(), "the server to run the query")
    assert not ended.is_set(), errors  # it would run for minutes
    query.cancel()
    assert ended.wait(60), "the cancelled query did not end"
    return errors


def test_cancel_stops_a_query_that_would_run_for_minutes(sql):
    console = sql.console(timeout_seconds=600)
    query = console.query(_forever(sql.engine))
    errors = _cancel_while_running(sql, query)
    assert isinstance(errors[0], SqlCancelled) and query.state == "cancelled"
    assert "cancelled" in str(errors[0])
    _server_is_idle(sql)


def test_a_cancel_before_the_query_reaches_the_server_is_not_lost(sql, monkeypatch):
    """PQcancel and KILL QUERY stop only the statement running at that moment: a cancel that
    comes after the connection is open but before the query is sent (where a busy machine can
    hold the worker) must still stop the query once it runs."""
    import pupetui.services.sql_console as console_module

    connected, go = threading.Event(), threading.Event()

    def open_and_hold(*args, **kwargs):
        conn = open_readonly(*args, **kwargs)
        execute = conn.execute

        def execute_later(*a, **k):
            connected.set()
            go.wait(60)
            return execute(*a, **k)

        conn.execute = execute_later
        return conn

    monkeypatch.setattr(console_module, "open_readonly", open_and_hold)
    query = sql.console(timeout_seconds=600).query(_forever(sql.engine))
    errors, ended = _in_a_thread(query)
    assert connected.wait(60)
    query.cancel()  # the session is idle: this first cancel stops nothing on the server
    go.set()
    assert ended.wait(60), "the cancelled query ran on"
    assert isinstance(errors[0], SqlCancelled) and query.state == "cancelled"
    _server_is_idle(sql)


def _server_is_idle(sql):
    """The database is not still running the query after a cancel (in this test's database)."""
    if sql.engine == "sqlite":
        return
    _until(lambda: not _forever_sessions(sql), "the database to stop running the cancelled query")


def test_cancel_works_with_the_read_only_account_too(sql, readonly_account):
    """KILL QUERY and PQcancel need no privilege for one's own session."""
    if readonly_account is None:
        pytest.skip("SQLite interrupts its own connection")
    console = sql.console(readonly=readonly_account, timeout_seconds=600)
    query = console.query(_forever(sql.engine, restricted=True))
    errors = _cancel_while_running(sql, query)
    assert isinstance(errors[0], SqlCancelled) and query.state == "cancelled"
    _server_is_idle(sql)


def test_a_cancelled_export_leaves_no_file(sql):
    console = sql.console()
    path = sql.tmp / "kesken.xlsx"
    query = console.query(_series(sql.engine, 200_000))

    def progress(rows):
        if rows >= 5000:
            query.cancel()

    with pytest.raises(SqlCancelled):
        query.export(path, progress=progress)
    assert not path.exists() and not list(sql.tmp.glob("*.partial"))


def test_cancel_before_the_database_answers_and_from_the_start(sql):
    console = sql.console()
    query = console.query("SELECT 1")
    query.cancel()
    with pytest.raises(SqlCancelled):
        query.start()
    query = console.query(_series(sql.engine, 100_000))
    batches = query.batches()
    next(batches)
    query.cancel()
    with pytest.raises(SqlCancelled):
        next(batches)


def test_the_statement_time_limit(sql):
    console = sql.console(timeout_seconds=1)
    started = time.monotonic()
    with pytest.raises(SqlTimeout) as stopped:
        console.query(_forever(sql.engine)).fetch_all()
    took = time.monotonic() - started
    assert 0.9 < took < 30  # not before the limit; long before forever, however busy the machine
    assert "time limit of 1 s" in str(stopped.value)
    _server_is_idle(sql)


def test_the_time_limit_counts_the_database_not_the_reader(sql):
    """An export that spends its time writing the file is not stopped by the limit."""
    console = sql.console(timeout_seconds=1)
    query = console.query(_series(sql.engine, 3000))
    seen = 0
    for batch in query.batches(None, size=500):
        seen += len(batch)
        time.sleep(0.25)  # the caller is slow: 6 batches x 0.25 s > 1 s
    assert seen == 3000 and query.state == "done"


def test_database_errors_are_plain_messages_with_the_position(sql):
    console = sql.console()
    with pytest.raises(SqlError) as failed:
        console.query("SELECT tunnus,\n  nosuch\nFROM asiakas").fetch_all()
    message = str(failed.value)
    assert "nosuch" in message and "Traceback" not in message
    if sql.engine == "postgres":
        assert (failed.value.line, failed.value.column) == (2, 3)
    with pytest.raises(SqlError):
        console.query("SELECT 1 +").fetch_all()


def test_values_keep_their_types(sql):
    console = sql.console()
    if sql.engine == "sqlite":
        text = "SELECT 7 AS i, 1.25 AS d, 'teksti' AS t, NULL AS n, '2024-05-06' AS pvm, '2024-05-06 07:08:09' AS aika, '0000-00-00' AS z, '=1+1' AS f"
    else:
        text = ("SELECT 7 AS i, CAST(1.25 AS DECIMAL(10,2)) AS d, 'teksti' AS t, NULL AS n, DATE '2024-05-06' AS pvm, "
                "TIMESTAMP '2024-05-06 07:08:09' AS aika, NULL AS z, '=1+1' AS f")
    rows = console.query(text).fetch_all()
    assert rows[0][0] == 7 and Decimal(str(rows[0][1])) == Decimal("1.25")
    path = sql.tmp / "types.xlsx"
    console.query(text).export(path)
    ws = openpyxl.load_workbook(path).active
    header, values = list(ws.values)
    assert header == ("i", "d", "t", "n", "pvm", "aika", "z", "f")
    assert values[0] == 7 and values[1] == 1.25 and values[2] == "teksti" and values[3] is None
    assert values[4] == dt.datetime(2024, 5, 6) and values[5] == dt.datetime(2024, 5, 6, 7, 8, 9)
    assert values[6] is None
    assert values[7] == "=1+1" and ws.cell(2, 8).data_type == "s"  # text, never a formula
    csv_path = sql.tmp / "types.csv"
    console.query(text).export(csv_path)
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        row = list(csv.reader(fh))[1]
    assert row[0] == "7" and row[1] == "1.25" and row[3] == "" and row[4] == "2024-05-06"
    assert row[7] == "'=1+1"


def test_untrusted_text_is_shown_literally(sql):
    console = sql.console()
    rows = console.query("SELECT 'a\x1b[31mb' AS x, 'rivi\nrivi' AS y").fetch_all()
    assert rows[0][0] == "a\x1b[31mb"  # the value itself is kept (exports strip controls)
    assert cell_text(rows[0][0]) == "a[31mb" and cell_text(rows[0][1]) == "rivi rivi"
    lines = text_table(["x", "y"], rows)
    assert "\x1b" not in "".join(lines) and lines[0].startswith("x")


# -- rights, saved queries, history, secrets --------------------------------------------------

def test_rights_levels(sql):
    console = sql.console()
    levels = {}
    for login in ("anna", "super", "reader", "ville"):
        with db.session("acme", login):
            levels[login] = console.access()
    assert levels == {
        "anna": SqlAccess(write=True, save=False, run_saved=True),
        "super": SqlAccess(write=True, save=True, run_saved=True),
        "reader": SqlAccess(write=False, save=False, run_saved=True),
        "ville": SqlAccess(),
    }
    with db.session("acme", "super"):
        console.save("Asiakkaat", "SELECT nimi FROM asiakas ORDER BY nimi", "Kaikki asiakkaat")
    with db.session("acme", "anna"):
        assert console.query("SELECT 1").fetch_all() == [(1,)]
        assert console.query_saved("Asiakkaat").fetch_all()[0] == ("Asiakas 000 Oy",)
        with pytest.raises(auth.AccessDenied, match="SUPER"):
            console.save("Oma", "SELECT 1")
    with db.session("acme", "reader"):
        with pytest.raises(auth.AccessDenied, match="only run saved queries"):
            console.query("SELECT 1")
        assert [s.name for s in console.saved_queries()] == ["Asiakkaat"]
        result = console.query_saved("Asiakkaat").export(sql.tmp / "reader.xlsx")
        assert result.rows == CUSTOMERS
        with pytest.raises(auth.AccessDenied):
            console.delete_saved(console.saved("Asiakkaat"))
    with db.session("acme", "ville"):
        for attempt in (lambda: console.query("SELECT 1"), console.saved_queries,
                        lambda: console.query_saved("Asiakkaat"), console.schema):
            with pytest.raises(auth.AccessDenied, match="no right"):
                attempt()


def test_saved_queries_live_in_muisti_as_pupesoft_keeps_them(sql):
    console = sql.console()
    with db.session("acme", "super"):
        saved = console.save("Myynti", "SELECT count(*) FROM asiakas", "Asiakkaiden määrä")
        console.save("Myynti", "SELECT count(*) AS kpl FROM asiakas", "Päivitetty")  # overwrites
        with pytest.raises(StatementRefused):
            console.save("Huono", "DELETE FROM asiakas")
        with pytest.raises(ValueError):
            console.save("x" * 51, "SELECT 1")
    row = SavedSearch.get(SavedSearch.id == saved.id)
    assert (row.company, row.owner, row.search, row.name, row.description, row.variable, row.value) == (
        "acme", "super", "sql-query", "Myynti", "Päivitetty", "query", "SELECT count(*) AS kpl FROM asiakas")
    assert SavedSearch.select().where(SavedSearch.search == "sql-query").count() == 1
    with db.session("acme", "anna"):
        query = console.query_saved("Myynti")
        assert query.start() == ["kpl"] and query.fetch_all() == [(CUSTOMERS,)]
        with pytest.raises(SavedQueryNotFound):
            console.saved("Ei ole")
    # a saved query that someone planted with SQL of their own is checked like any other
    with db.session("acme", "admin"):
        SavedSearch.create(owner="admin", search="sql-query", name="Paha", variable="query",
                           value="SELECT salasana FROM kuka")
    with db.session("acme", "reader"):
        with pytest.raises(StatementRefused):
            console.query_saved("Paha")
    with db.session("acme", "super"):
        console.delete_saved(console.saved("Myynti"))
        assert [s.name for s in console.saved_queries()] == ["Paha"]


def test_logins_that_differ_only_in_punctuation_keep_histories_of_their_own(tmp_path):
    pairs = [("acme", "a b"), ("acme", "a_b"), ("acme", "a/b"), ("a-b", "c"), ("a", "b-c"), ("acme", "äiti"),
             ("acme", "aiti"), ("acme", ".."), ("acme", "")]
    for company, user in pairs:
        QueryHistory(company, user, directory=tmp_path).add(f"SELECT '{company}|{user}'")
    files = sorted(tmp_path.iterdir())
    assert len(files) == len(pairs)  # nobody reads another's queries
    assert all(f.parent == tmp_path for f in files)  # no name leaves the directory
    for company, user in pairs:
        assert [e.sql for e in QueryHistory(company, user, directory=tmp_path).entries()] == [
            f"SELECT '{company}|{user}'"]
    assert QueryHistory("acme", "anna", directory=tmp_path).path.name == "history-acme-anna.jsonl"


def test_history_is_kept_between_runs_searchable_and_bounded(sql):
    console = sql.console()
    console.query("SELECT nimi FROM asiakas").fetch_all()
    console.query("SELECT postitp, count(*) FROM asiakas GROUP BY postitp").fetch_all()
    console.query("SELECT nimi FROM asiakas").fetch_all()  # again: moves to the top, once
    with pytest.raises(SqlError):
        console.query("SELECT nosuch FROM asiakas").fetch_all()
    later = SqlConsole(sql.url, history_dir=sql.tmp / "state")  # a new run of the program
    entries = later.history().entries()
    assert [e.sql for e in entries] == [
        "SELECT nosuch FROM asiakas", "SELECT nimi FROM asiakas",
        "SELECT postitp, count(*) FROM asiakas GROUP BY postitp",
    ]
    assert entries[0].status == "failed" and entries[1].rows == CUSTOMERS
    assert [e.sql for e in later.history().search("count POSTITP")] == [entries[2].sql]
    path = later.history().path
    assert path.name == "history-acme-anna.jsonl" and (path.stat().st_mode & 0o777) == 0o600
    small = QueryHistory("acme", "anna", directory=sql.tmp / "small", limit=5)
    for i in range(30):
        small.add(f"SELECT {i}")
    assert [e.sql for e in small.entries()] == [f"SELECT {i}" for i in range(29, 24, -1)]
    assert len(small.path.read_text().splitlines()) <= 10
    with db.session("acme", "super"):  # each user has a history of their own
        assert console.history().entries() == []


def test_configured_secrets_never_appear_in_results_or_messages(sql):
    console = sql.console(secrets=["Smtp-Salaisuus-77", "sms-pw-1234"])
    rows = console.query("SELECT 'x Smtp-Salaisuus-77 y' AS a, 'sms-pw-1234' AS b, 5 AS c").fetch_all()
    assert rows == [("x *** y", "***", 5)]
    with pytest.raises(SqlError) as failed:
        console.query("SELECT tunnus FROM asiakas WHERE Smtp_Salaisuus_77 = 1 OR nimi = sms_pw_1234").fetch_all()
    assert "Smtp" not in str(failed.value) or "Salaisuus-77" not in str(failed.value)
    path = sql.tmp / "secret.csv"
    console.query("SELECT 'Smtp-Salaisuus-77' AS a").export(path)
    assert "Salaisuus" not in path.read_text(encoding="utf-8-sig")
    console.query("SELECT 'sms-pw-1234' AS a").fetch_all()
    assert all("sms-pw-1234" not in e.sql for e in console.history().entries())


def test_settings_secrets_and_database_passwords_are_collected():
    from pupetui import config
    from pupetui.services.sql_console import configured_secrets

    settings = config.load({"db": "mysql://app:db%2Fpass@h/x"}, environ={
        "PUPETUI_SMTP__PASSWORD": "smtp-pass", "PUPETUI_SMS__PASSWORD": "sms-pass",
        "PUPETUI_SQL__READONLY_URL": "postgresql://ro:ro-pass@h/x",
    })
    assert {"smtp-pass", "sms-pass", "db/pass", "ro-pass"} <= set(configured_secrets(settings))
    console = SqlConsole.from_settings(settings)
    assert console.url == "postgresql://ro:ro-pass@h/x" and console.engine == "postgres"


def test_the_schema_for_browsing_leaves_the_secrets_out(sql):
    tables = sql.console().schema()
    assert "asiakas" in tables and "nimi" in tables["asiakas"]
    assert "kuka" in tables["kuka"] and not set(tables["kuka"]) & sql_guard.SECRET_COLUMNS


# -- the checker on its own -----------------------------------------------------------------

@pytest.mark.parametrize("engine", sorted(ALL))
def test_ordinary_queries_pass_the_checker(engine):
    for text in (
        "SELECT 1", "select 1;", "SELECT 1; -- done\n", "-- hello\nSELECT nimi FROM asiakas /* why */ ;",
        "WITH x AS (SELECT 1 AS a) SELECT * FROM x",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r",
        "(SELECT 1) UNION (SELECT 2)",
        "SELECT * FROM kalenteri WHERE kuka = 'anna'",
        "SELECT * FROM oikeu WHERE kuka IN (SELECT kuka FROM kuka WHERE aktiivinen = 1)",
        "SELECT k.kuka, k.nimi, count(*) FROM kuka k JOIN oikeu o ON o.kuka = k.kuka GROUP BY k.kuka, k.nimi",
        "SELECT count(*) FROM kuka",
        "SELECT REPLACE(nimi, 'Oy', ''), REPLACE (nimi, 'a', 'b') FROM asiakas",
        "SELECT 'it''s', nimi AS \"Nimi\" FROM asiakas",
        "SELECT substring(nimi FROM 1 FOR 3) FROM asiakas",
        "SELECT value, kuvaus FROM muisti WHERE haku = 'sql-query'",
        "SELECT nimi, email FROM yhteyshenkilo",
        "SELECT * FROM (SELECT kuka, nimi FROM kuka) u",
        "SELECT a.nimi, sum(l.arvo) FROM asiakas a LEFT JOIN lasku l ON l.liitostunnus = a.tunnus GROUP BY a.nimi",
    ):
        assert sql_guard.check(text, engine) == text.split(";")[0].rstrip() or text.startswith("--")


def test_the_checker_and_the_database_must_read_quotes_alike():
    # PostgreSQL and SQLite end '\' at the second quote; sqlparse (and MariaDB) would not
    for engine in ("postgres", "sqlite", "mysql"):
        with pytest.raises(StatementRefused, match="quote"):
            sql_guard.check("SELECT '\\'; DROP TABLE asiakas; --'", engine)
    with pytest.raises(StatementRefused, match="two ways"):
        sql_guard.check("SELECT 1 #x\n, salasana FROM kuka", "mysql")
    with pytest.raises(StatementRefused, match="comment inside a comment"):
        sql_guard.check("SELECT 1 /* /* */ 2", "sqlite")
    with pytest.raises(StatementRefused, match="not closed"):
        sql_guard.check("SELECT 'open", "postgres")
    # what each database reads as a comment is harmless where it is one
    assert sql_guard.check("SELECT 1 --1, salasana FROM kuka", "postgres").startswith("SELECT 1")


def test_export_writes_a_new_sheet_after_excels_last_row(tmp_path):
    """The real limit: 1,048,575 rows under the header, then a new sheet with its own header."""
    n = 1_048_575 + 3
    path = tmp_path / "big.xlsx"
    result = write_xlsx_sheets(path, ["n"], ((i,) for i in range(1, n + 1)))
    assert (result.rows, result.sheets) == (n, 2)
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["pupetui", "pupetui (2)"]
    assert book["pupetui"].max_row == 1_048_576
    assert list(book["pupetui (2)"].values) == [("n",), (n - 2,), (n - 1,), (n,)]
