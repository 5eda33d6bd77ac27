"""The SQL search decides on what the database resolves, not on the text; and it can be limited
to the session's company.

- PostgreSQL's U&"..." names (\\XXXX, \\+XXXXXX, UESCAPE '!') reach the secret columns and the
  server functions when a checker reads them as text: sent past the checker the server really
  returns the password hash and reads files; the checker decodes them as the server does and
  refuses them, while an escaped harmless name still runs. Escapes it cannot decode are refused.
- SQLite reads 'kuka' and kuka.'salasana' as names; MariaDB's session keeps "x" a string.
- The views of other sessions (innodb_trx, performance_schema, pg_locks, ...) are refused.
- sql.company_only: on SQLite enforced by the read-only connection itself (TEMP views and the
  authorizer); on MariaDB and PostgreSQL it needs the company's own account, whose recipe runs
  here on the real servers and shows only that company's rows.
- The README's grant recipes are the ones made from services.secrets.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest

from pupetui import config, db
from pupetui.models import Company, Customer, User
from pupetui.services import sql_guard
from pupetui.services.secrets import SECRET_COLUMNS
from pupetui.services.sql_grants import grant_recipe
from pupetui.services.sql_guard import StatementRefused, decode_unicode_escapes
from pupetui.services.sql_readonly import NotReadOnly, SqlError, open_readonly
from test_cli import env, run  # noqa: F401  (fixture and helper)
from test_sql_console import (  # noqa: F401  (fixtures)
    PASSWORD_HASH,
    SECRET_VALUES,
    run_recipe,
    send_raw,
    sql,
)

ROOT = Path(__file__).resolve().parent.parent


def refusal(console, text: str) -> str:
    with pytest.raises(StatementRefused) as refused:
        console.query(text)
    message = str(refused.value)
    assert all(s not in message for s in SECRET_VALUES)
    return message


# -- PostgreSQL's escaped names -------------------------------------------------------------

ESCAPED_SECRETS = [
    'SELECT kuka, U&"\\0073alasana" FROM kuka',
    'SELECT kuka, u&"\\+000073alasana" FROM kuka',
    "SELECT kuka, U&\"!0073alasana\" UESCAPE '!' FROM kuka",
    "SELECT kuka, U&\"s!0061lasana\" UESCAPE '!' FROM kuka",
    'SELECT kuka, U&"\\0053ALASANA" FROM kuka',  # quoted: case-sensitive in PostgreSQL, refused anyway
    'SELECT k.kuka, k.U&"\\0073alasana" FROM kuka k',
    'SELECT kuka, U&"\\0073\\0061lasana" FROM U&"\\006buka"',
]
ESCAPED_SERVER_CALLS = {
    "SELECT U&\"pg\\005fread\\005ffile\"('/etc/hostname')": "server functions",
    "SELECT * FROM U&\"pg\\005fls\\005fdir\"('.')": "server functions",
    'SELECT U&"pg\\005fsleep"(0)': "server functions",
    "SELECT U&\"#0070g_sleep\" UESCAPE '#'(0)": "server functions",
    'SELECT U&"pg\\005fcancel\\005fbackend"(0)': "server functions",
    'SELECT query FROM U&"pg\\005fstat\\005factivity"': "other sessions",
    'SELECT count(*) FROM pg_catalog.U&"pg\\005flocks"': "other sessions",
    "SELECT U&\"set!005fconfig\" UESCAPE '!'('work_mem', '1MB', false)": "changes settings",
}


def test_escaped_names_reach_secrets_on_postgresql_and_the_checker_refuses_them(sql):
    if sql.engine != "postgres":
        pytest.skip("U&\"...\" names are PostgreSQL's")
    console = sql.console()
    for text in ESCAPED_SECRETS:
        if "0053ALASANA" not in text:
            # past the checker the server really returns the hash: the hole is real
            assert any(PASSWORD_HASH in row for row in send_raw(sql.url, text)), text
        assert "salasana is a secret column of kuka" in refusal(console, text), text
    assert "root:" in str(send_raw(sql.url, "SELECT U&\"pg\\005fread\\005ffile\"('/etc/passwd')"))
    for text, words in ESCAPED_SERVER_CALLS.items():
        assert words in refusal(console, text), text


def test_a_harmless_escaped_name_still_runs_on_postgresql(sql):
    if sql.engine != "postgres":
        pytest.skip("U&\"...\" names are PostgreSQL's")
    console = sql.console()
    rows = console.query(
        "SELECT U&\"n!0069mi\" UESCAPE '!' FROM U&\"\\0061siakas\" WHERE U&\"\\+000070ostitp\" = 'Turku' "
        "ORDER BY 1 LIMIT 2"
    ).fetch_all()
    assert rows == [("Asiakas 001 Oy",), ("Asiakas 003 Oy",)]
    assert console.query("SELECT U&'\\00e4\\D83D\\DE00' AS t").fetch_all() == [("ä😀",)]
    assert console.query("SELECT count(*) FROM U&\"asiakas\"").fetch_all() == [(40,)]


@pytest.mark.parametrize("text, words", [
    ('SELECT U&"\\zz" FROM kuka', "cannot decode"),
    ('SELECT U&"\\d800" FROM kuka', "cannot decode"),  # a lone surrogate
    ('SELECT U&"\\0000" FROM kuka', "cannot decode"),
    ('SELECT U&"\\+110000" FROM kuka', "cannot decode"),
    ("SELECT U&\"x\" UESCAPE 'a' FROM kuka", "UESCAPE must be followed"),  # a hex digit
    ("SELECT U&\"x\" UESCAPE '' FROM kuka", "UESCAPE must be followed"),
    ("SELECT U&\"x\" UESCAPE E'!' FROM kuka", "UESCAPE must be followed"),
    ("SELECT U&\"x\" UESCAPE FROM kuka", "UESCAPE must be followed"),
    ("SELECT nimi UESCAPE '!' FROM asiakas", "UESCAPE belongs"),
    ('SELECT U&"" FROM kuka', "cannot be empty"),
])
def test_escapes_the_checker_cannot_decode_are_refused(text, words):
    with pytest.raises(StatementRefused) as refused:
        sql_guard.check(text, "postgres")
    assert words in str(refused.value)
    assert refused.value.line == 1


def test_escape_look_alikes_on_postgresql():
    # a U& the checker's tokens do not separate (after a number) is refused, not guessed
    for text in ('SELECT 1U&"\\0073alasana" FROM kuka', 'SELECT $1U&"x"'):
        with pytest.raises(StatementRefused, match="cannot read this U& escape"):
            sql_guard.check(text, "postgres")
    # attribute notation calls a function: k.pg_sleep is pg_sleep(k)
    with pytest.raises(StatementRefused, match="pg_sleep"):
        sql_guard.check("SELECT k.pg_sleep FROM kuka k", "postgres")
    # what is no escape stays allowed: a name ending in U, text in a string, the catalogs
    for text in ('SELECT xU&"a" FROM t', "SELECT nimi FROM asiakas WHERE nimi = 'U&\"x\"'",
                 "SELECT relname FROM pg_catalog.pg_class", "SELECT U&'\\0041' AS a"):
        assert sql_guard.check(text, "postgres") == text


def test_unicode_escapes_decode_as_postgresql_decodes_them():
    assert decode_unicode_escapes("\\0073alasana") == "salasana"
    assert decode_unicode_escapes("\\+000073alasana") == "salasana"
    assert decode_unicode_escapes("!0073alasana", "!") == "salasana"
    assert decode_unicode_escapes("a\\\\b") == "a\\b"  # a doubled escape is the character
    assert decode_unicode_escapes("a!!b\\0041", "!") == "a!b\\0041"  # \ is plain with UESCAPE
    assert decode_unicode_escapes("\\D83D\\DE00") == "😀" == decode_unicode_escapes("\\+01F600")
    for bad in ("\\", "\\12", "\\+12345", "\\DE00", "\\D83D", "\\D83Dx", "\\0000", "\\+110000", "\\g000"):
        with pytest.raises(ValueError):
            decode_unicode_escapes(bad)


def test_the_decoded_name_is_what_the_server_resolves(sql):
    """Each decoded name is checked against what PostgreSQL itself returns for it."""
    if sql.engine != "postgres":
        pytest.skip("U&\"...\" names are PostgreSQL's")
    for body, escape in (("\\0073alasana", "\\"), ("\\+000073al\\0061sana", "\\"), ("#0073alasana", "#"),
                         ("\\D83D\\DE00x", "\\"), ("a\\\\b", "\\")):
        literal = "U&'" + body + "'" + (f" UESCAPE '{escape}'" if escape != "\\" else "")
        (server,), = send_raw(sql.url, f"SELECT {literal}")
        assert decode_unicode_escapes(body, escape) == server, body


# -- the other engines' quoting ---------------------------------------------------------------

def test_sqlite_reads_single_quoted_names_and_so_does_the_checker(sql):
    if sql.engine != "sqlite":
        pytest.skip("only SQLite reads 'x' as a name")
    console = sql.console()
    for text in ("SELECT kuka.'salasana' FROM kuka", "SELECT 'kuka'.\"salasana\" FROM kuka",
                 "SELECT [salasana] FROM kuka", "SELECT `SALASANA` FROM 'kuka'"):
        assert "salasana is a secret column" in refusal(console, text), text
    for text in ("SELECT * FROM 'kuka'", "SELECT a.nimi, k.* FROM asiakas a, 'kuka' k",
                 "SELECT 'k'.* FROM kuka AS 'k'"):
        assert "would read" in refusal(console, text), text
    # and the strings that stay strings still work
    rows = console.query("SELECT 'salasana', nimi FROM asiakas WHERE nimi IN ('Asiakas 000 Oy', 'x')").fetch_all()
    assert rows == [("salasana", "Asiakas 000 Oy")]


def test_mariadb_reads_double_quotes_as_strings_on_the_search_connection(sql):
    if sql.engine != "mysql":
        pytest.skip("ANSI_QUOTES is MariaDB's")
    conn = open_readonly(sql.url)
    try:
        conn.execute("SELECT @@SESSION.sql_mode")
        modes = conn.fetch(1)[0][0].upper().split(",")
        conn.finish()
    finally:
        conn.close()
    assert not {"ANSI_QUOTES", "ANSI", "NO_BACKSLASH_ESCAPES", "ORACLE"} & set(modes)
    console = sql.console()
    assert console.query('SELECT "salasana" AS x FROM kuka LIMIT 1').fetch_all() == [("salasana",)]
    for text in ("SELECT `salasana` FROM kuka", "SELECT `SALASANA` FROM `kuka`", "SELECT kuka.`salasana` FROM kuka",
                 "SELECT 1 /*!, salasana */ FROM kuka", "SELECT 1 /*M!100000 , salasana */ FROM kuka",
                 "SELECT 1 --1, salasana FROM kuka", "SELECT 1 #\n, salasana FROM kuka"):
        message = refusal(console, text)
        assert "salasana" in message or "/*!" in message or "two ways" in message, text


# -- views of other sessions ----------------------------------------------------------------------

OTHER_SESSIONS = {
    "mysql": ["SELECT trx_query FROM information_schema.innodb_trx",
              "SELECT * FROM information_schema.INNODB_LOCKS", "SELECT * FROM information_schema.innodb_lock_waits",
              "SELECT info FROM `information_schema`.`PROCESSLIST`", "SELECT * FROM information_schema.user_statistics",
              "SELECT * FROM information_schema.client_statistics", "SELECT * FROM performance_schema.threads",
              "SELECT sql_text FROM performance_schema.events_statements_history", "SELECT * FROM sys.session",
              "SELECT * FROM `performance_schema`.`events_statements_current`"],
    "postgres": ["SELECT query FROM pg_stat_activity", "SELECT * FROM pg_catalog.pg_locks",
                 "SELECT * FROM pg_prepared_xacts", "SELECT * FROM pg_stat_replication", "SELECT * FROM pg_stat_ssl",
                 "SELECT * FROM pg_stat_gssapi", "SELECT * FROM pg_stat_progress_vacuum",
                 "SELECT * FROM pg_stat_progress_create_index", "SELECT * FROM pg_backend_memory_contexts",
                 "SELECT * FROM pg_shmem_allocations", "SELECT * FROM \"pg_authid\"", "SELECT * FROM pg_shadow",
                 "SELECT * FROM pg_user_mappings", "SELECT * FROM pg_file_settings", "SELECT * FROM pg_hba_file_rules",
                 'SELECT * FROM U&"pg\\005fstat\\005fssl"'],
    "sqlite": ["SELECT * FROM sqlite_stat1", "SELECT * FROM 'sqlite_stat1'"],
}


def test_the_views_of_other_sessions_are_refused(sql):
    console = sql.console()
    readable = 0
    for text in OTHER_SESSIONS[sql.engine]:
        message = refusal(console, text)
        assert "other sessions" in message or "schema holds" in message, (text, message)
        try:
            send_raw(sql.url, text)
            readable += 1  # the app's own account could read it: only the checker stops it
        except Exception:  # noqa: BLE001 - the view does not exist on this server, or is denied
            pass
    if sql.engine != "sqlite":
        assert readable >= 5  # the hole is real with the app's own account


# -- the company's rows only ----------------------------------------------------------------------

def _second_company() -> None:
    with db.session("beta", "admin"):
        Company.create(name="Beta Oy")
        User.create(login="bert", name="Bert", password_md5=PASSWORD_HASH)
        for i in range(3):
            Customer.create(name=f"Beta {i} Ab", city="Vaasa", customer_no=str(9000 + i))


def test_company_only_on_sqlite_is_enforced_by_the_connection(sql):
    if sql.engine != "sqlite":
        pytest.skip("SQLite's connection enforces it; the servers need the company's account")
    _second_company()
    everyone = sql.console()  # Pupesoft's behaviour, the default: every company
    assert everyone.query("SELECT count(*) FROM asiakas").fetch_all() == [(43,)]
    console = sql.console(company_only=True)
    assert console.query("SELECT count(*) FROM asiakas").fetch_all() == [(40,)]
    assert console.query("SELECT DISTINCT yhtio FROM asiakas").fetch_all() == [("acme",)]
    rows = console.query(
        "SELECT a.yhtio, k.kuka FROM asiakas a JOIN kuka k ON k.yhtio <> a.yhtio "
        "UNION SELECT yhtio, nimi FROM yhtio"
    ).fetch_all()
    assert rows == [("acme", "Acme Oy")]  # no other company's user, no other company
    assert console.query("SELECT kuka FROM kuka ORDER BY kuka").fetch_all() == [
        ("anna",), ("reader",), ("super",), ("ville",)]
    for text in ("SELECT count(*) FROM main.asiakas", "SELECT nimi FROM main.asiakas WHERE yhtio = 'beta'",
                 "SELECT (SELECT count(*) FROM main.kuka)", "SELECT 1 FROM main.asiakas LIMIT 1"):
        with pytest.raises(SqlError) as failed:
            console.query(text).fetch_all()
        assert "company acme's rows (sql.company_only)" in str(failed.value), text
    if sql.backend == "pupesoft":  # its AUTOINCREMENT keys: a table without a yhtio column
        with pytest.raises(SqlError) as failed:
            console.query("SELECT name, seq FROM sqlite_sequence").fetch_all()
        assert "not one of company acme's tables" in str(failed.value)
    conn = open_readonly(sql.url, company="beta")
    try:
        conn.execute("SELECT nimi FROM asiakas ORDER BY nimi")
        assert conn.fetch(10) == [("Beta 0 Ab",), ("Beta 1 Ab",), ("Beta 2 Ab",)]
    finally:
        conn.close()


def test_company_only_on_sqlite_from_the_settings_and_the_cli(sql, env):
    if sql.engine != "sqlite":
        pytest.skip("the servers need the company's account (the next tests)")
    _second_company()
    db.end_session()
    settings = config.load({"db": sql.url}, environ={"PUPETUI_SQL__COMPANY_ONLY": "true"})
    assert settings.sql["company_only"] is True
    assert config.load({"db": sql.url}, environ={}).sql["company_only"] is False
    result = run(env, "sql", "SELECT DISTINCT yhtio FROM asiakas", "--db", sql.url, "--company", "acme",
                 "--user", "anna", PUPETUI_SQL__COMPANY_ONLY="1", XDG_STATE_HOME=str(sql.tmp / "st"))
    assert result.returncode == 0, result.stderr
    assert "acme" in result.stdout and "beta" not in result.stdout
    result = run(env, "sql", "SELECT DISTINCT yhtio FROM asiakas ORDER BY 1", "--db", sql.url, "--company", "acme",
                 "--user", "anna", XDG_STATE_HOME=str(sql.tmp / "st"))
    assert "acme" in result.stdout and "beta" in result.stdout  # the default: every company


def test_company_only_on_a_server_needs_the_companys_own_account(sql, env):
    if sql.engine == "sqlite":
        pytest.skip("SQLite enforces it itself")
    console = sql.console(company_only=True)
    for run_it in (lambda: console.query("SELECT 1"), lambda: console.query_saved("x")):
        with pytest.raises(NotReadOnly) as refused:
            run_it()
        assert "sql.company_only is set" in str(refused.value)
        assert "sql.readonly_url" in str(refused.value) and "--per-company YHTIO" in str(refused.value)
    db.end_session()
    result = run(env, "sql", "SELECT 1", "--db", sql.url, "--company", "acme", "--user", "anna",
                 PUPETUI_SQL__COMPANY_ONLY="yes", XDG_STATE_HOME=str(sql.tmp / "st"))
    assert result.returncode == 1
    assert "sql.company_only is set" in result.stderr and result.stdout == ""


@pytest.fixture
def company_account(sql):
    """The per-company account of `pupetui sql --grant-recipe ENGINE --per-company acme`, made on
    the test database by running the recipe."""
    if sql.engine == "sqlite":
        yield None
        return
    name = f"pupetui_acme_{uuid.uuid4().hex[:6]}"
    password = "Co-" + uuid.uuid4().hex
    u = urlparse(sql.url)
    dbname = u.path.lstrip("/")
    run_recipe(sql.url, grant_recipe(sql.engine, database=dbname, company="acme", account=name,
                                     password=password))
    if sql.engine == "postgres":
        yield f"postgresql://{name}:{password}@{u.hostname}:{u.port or 5432}/{dbname}"
        sql.database.execute_sql(f"DROP SCHEMA {name} CASCADE")
        sql.database.execute_sql(f"DROP OWNED BY {name}")
        sql.database.execute_sql(f"DROP ROLE {name}")
        return
    yield f"mysql://{name}:{password}@{u.hostname}:{u.port or 3306}/{dbname}_acme"
    sql.database.execute_sql(f"DROP USER '{name}'@'%%'")
    sql.database.execute_sql(f"DROP DATABASE `{dbname}_acme`")


def test_the_per_company_account_sees_only_its_companys_rows(sql, company_account):
    if company_account is None:
        pytest.skip("SQLite enforces it itself")
    _second_company()
    assert sql.console().query("SELECT count(*) FROM asiakas").fetch_all() == [(43,)]
    console = sql.console(readonly=company_account, company_only=True)
    assert console.query("SELECT count(*) FROM asiakas").fetch_all() == [(40,)]
    assert console.query("SELECT DISTINCT yhtio FROM asiakas").fetch_all() == [("acme",)]
    assert console.query("SELECT kuka FROM kuka ORDER BY kuka").fetch_all() == [
        ("anna",), ("reader",), ("super",), ("ville",)]
    assert console.query("SELECT nimi FROM yhtio").fetch_all() == [("Acme Oy",)]
    # the tables themselves and the secret columns: the server refuses
    real = urlparse(sql.url).path.lstrip("/")
    qualified = f"public.asiakas" if sql.engine == "postgres" else f"`{real}`.asiakas"
    assert all(s not in str(send_raw(company_account, "SELECT * FROM kuka")) for s in SECRET_VALUES)
    for text in (f"SELECT count(*) FROM {qualified}", "SELECT salasana FROM kuka", "SELECT kuka, session FROM kuka"):
        refused = False
        try:
            send_raw(company_account, text)
        except Exception as exc:  # noqa: BLE001 - the server's refusal
            refused = True
            assert PASSWORD_HASH not in str(exc)
        assert refused, text
    # a condition that would see other companies' rows before the view's own (leaky views)
    if sql.engine == "postgres":
        text = "SELECT count(*) FROM asiakas WHERE 1 / (CASE WHEN nimi LIKE 'Beta%' THEN 0 ELSE 1 END) = 1"
        assert console.query(text).fetch_all() == [(40,)]


# -- the grant recipes ----------------------------------------------------------------------------

def _readme_recipes() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("**The recommended deployment"):]
    return re.findall(r"```sql\n(.*?)```", section, re.S)[:2]


def test_the_readme_shows_the_recipes_made_from_the_list_of_secrets():
    mysql, postgres = _readme_recipes()
    assert mysql == grant_recipe("mysql")
    assert postgres == grant_recipe("postgres")
    for table, columns in SECRET_COLUMNS.items():
        for column in columns:
            assert f"('{table}', '{column}')" in mysql and f"('{table}', '{column}')" in postgres
    assert "verkkosala_lah" in mysql and "verkkosala_vas" in postgres


def test_the_cli_prints_the_recipes(env):
    for engine in ("mysql", "postgres"):
        result = run(env, "sql", "--grant-recipe", engine)
        assert result.returncode == 0, result.stderr
        assert result.stdout == grant_recipe(engine)
        result = run(env, "sql", "--grant-recipe", engine, "--per-company", "acme", "--database", "pupe")
        assert result.stdout == grant_recipe(engine, database="pupe", company="acme")
        assert "yhtio = " in result.stdout and "pupetui_acme" in result.stdout
    for args in (("--grant-recipe", "postgres", "--per-company", "a'b"), ("--grant-recipe", "mysql", "SELECT 1"),
                 ("SELECT 1", "--per-company", "acme")):
        result = run(env, "sql", *args)
        assert result.returncode == 2 and result.stdout == "", args
