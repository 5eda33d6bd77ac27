"""Read-only database connections for the SQL search: the database itself refuses to write.

Opened apart from the app's own connection, one per query, from `sql.readonly_url` when it is
configured (the recommended deployment: an account that may only SELECT, without kuka's secret
columns) or else from the app's own URL. What each engine enforces, whatever the text is:

SQLite      the file opened with `mode=ro` and `PRAGMA query_only`; an authorizer that allows
            only SELECT, column reads (not the secret columns of sql_guard.SECRETS,
            such as kuka.salasana, not sqlite_stat*),
            recursive CTEs and a list of side-effect-free functions, and denies everything else
            (ATTACH, PRAGMA, writes, schema changes, transactions, table-valued functions);
            no attached databases (SQLITE_LIMIT_ATTACHED 0); strings and blobs at most
            MAX_VALUE_BYTES; Python's sqlite3 runs one statement per call; cancel and the time
            limit through `interrupt()` and a progress handler. With `company` (sql.company_only)
            a TEMP view per table with a yhtio column shows only that company's rows, and the
            authorizer refuses reading the tables other than through those views.
PostgreSQL  `SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY`, checked with
            `SHOW default_transaction_read_only` (no query runs if it is not on); every query
            in a transaction begun with `SET TRANSACTION READ ONLY` and checked again;
            statement_timeout, lock_timeout; a server-side cursor; cancel with PQcancel.
            Limits: a superuser (or a role with pg_read_server_files etc.) can still call
            functions that read files or sleep, and a read-only session does not stop
            `set_config` or `SET SESSION CHARACTERISTICS` inside the one statement. The query
            is declared as a server-side cursor by psycopg 3 with the extended protocol, where
            PostgreSQL refuses a second statement outright, so nothing after a `;` that slipped
            past the checker can run (psycopg2's simple protocol would run them all). With the
            restricted account the server refuses the rest too.
MariaDB     `SET SESSION TRANSACTION READ ONLY` and every query inside `START TRANSACTION READ
            ONLY`; max_statement_time; no multi-statements (the client flag is off, checked);
            LOCAL INFILE off; sql_mode without NO_BACKSLASH_ESCAPES/ANSI_QUOTES (and the modes
            that imply them), checked, so that strings are quoted as the checker reads them; an unbuffered (streaming) cursor; cancel with
            `KILL QUERY <id>` from a second connection. Limit: a read-only transaction does not
            stop SLEEP, GET_LOCK, LOAD_FILE or SELECT ... INTO OUTFILE (FILE privilege): the
            checker refuses them, a restricted account without FILE makes the server refuse
            the file ones, the time limit and closing the connection end the others.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

from pupetui.db import DatabaseError, kind_of, redact, url_parts
from pupetui.services.sql_guard import SECRETS, line_and_column

MAX_VALUE_BYTES = 16 * 1024 * 1024  # one string or blob (SQLite's SQLITE_LIMIT_LENGTH)
CONNECT_TIMEOUT = 10


class SqlError(Exception):
    """The database refused or failed the query; the message is for a person."""

    def __init__(self, message: str, sql: str = "", position: int | None = None):
        self.reason = message
        self.position = position
        self.line = self.column = None
        if position is not None and sql and 0 <= position <= len(sql):
            self.line, self.column = line_and_column(sql, position)
            message = f"{message} (line {self.line}, column {self.column})"
        super().__init__(message)


class SqlCancelled(SqlError):
    pass


class SqlTimeout(SqlError):
    pass


class NotReadOnly(SqlError):
    """The connection could not be made read-only: nothing runs on it."""


def readonly_url(main_url: str, configured: str = "") -> str:
    """The URL the SQL search connects with: `sql.readonly_url`, else the app's own."""
    return configured.strip() or main_url


# -- SQLite ---------------------------------------------------------------------------------

# Functions without side effects (SQLite's core, date, math, JSON, aggregate and window ones).
SQLITE_FUNCTIONS = frozenset("""
abs changes char coalesce concat concat_ws format glob hex ifnull iif instr last_insert_rowid
length like likelihood likely lower ltrim max min nullif octet_length printf quote random
randomblob replace round rtrim sign soundex sqlite_source_id sqlite_version substr substring
total_changes trim typeof unhex unicode unlikely upper zeroblob
avg count group_concat string_agg sum total
row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value
date time datetime julianday unixepoch strftime timediff current_date current_time current_timestamp
acos acosh asin asinh atan atan2 atanh ceil ceiling cos cosh degrees exp floor ln log log10 log2
mod pi pow power radians sin sinh sqrt tan tanh trunc
json json_array json_array_length json_error_position json_extract json_insert json_object
json_patch json_pretty json_remove json_replace json_set json_type json_valid json_quote
json_group_array json_group_object jsonb jsonb_array jsonb_extract jsonb_insert jsonb_object
jsonb_patch jsonb_remove jsonb_replace jsonb_set jsonb_group_array jsonb_group_object -> ->>
""".split())

_SQLITE_SELECT, _SQLITE_READ, _SQLITE_FUNCTION, _SQLITE_RECURSIVE = 21, 20, 31, 33
_SQLITE_ACTIONS = {
    1: "creating an index", 2: "creating a table", 3: "creating an index", 4: "creating a table",
    5: "creating a trigger", 6: "creating a view", 7: "creating a trigger", 8: "creating a view",
    9: "deleting rows", 10: "dropping an index", 11: "dropping a table", 12: "dropping an index",
    13: "dropping a table", 14: "dropping a trigger", 15: "dropping a view", 16: "dropping a trigger",
    17: "dropping a view", 18: "inserting rows", 19: "PRAGMA", 22: "a transaction",
    23: "updating rows", 24: "ATTACH", 25: "DETACH", 26: "ALTER TABLE", 27: "REINDEX",
    28: "ANALYZE", 29: "a virtual table", 30: "dropping a virtual table", 32: "a savepoint",
}


class ReadOnlyConnection:
    """One read-only connection, one statement at a time, driven by one worker thread;
    `interrupt()` may be called from any other thread."""

    engine = ""

    def __init__(self, timeout_seconds: float):
        self.timeout_seconds = timeout_seconds
        self.interrupted = False
        self._cursor: Any = None
        self._buffer: list[tuple] = []
        self.columns: list[str] = []
        self.exhausted = False

    # the worker's side
    def execute(self, sql: str, *, first: int = 100, server_timeout: float | None = None,
                params: list | None = None) -> list[str]:
        """Run `sql`; `params` are bound by the driver (the query generator's values), never
        pasted; without them the text goes as it is (a `%` in the SQL search's text stays one)."""
        raise NotImplementedError

    def fetch(self, n: int) -> list[tuple]:
        if self._buffer:
            rows, self._buffer = self._buffer[:n], self._buffer[n:]
            if len(rows) < n and not self.exhausted:
                rows += self._fetch(n - len(rows))
            return rows
        if self.exhausted:
            return []
        return self._fetch(n)

    def _fetch(self, n: int) -> list[tuple]:
        rows = self._cursor.fetchmany(n)
        if len(rows) < n:
            self.exhausted = True
        return list(rows)

    def finish(self) -> None:
        """End the statement (and its transaction), quickly even when rows are left unread."""

    def close(self) -> None:
        raise NotImplementedError

    # any thread
    def interrupt(self) -> None:
        raise NotImplementedError

    def error(self, exc: BaseException, sql: str) -> SqlError:
        return SqlError(str(exc), sql)

    @property
    def driver_connection(self):
        raise NotImplementedError


class SqliteReadOnly(ReadOnlyConnection):
    engine = "sqlite"

    def __init__(self, path: str, *, timeout_seconds: float, max_value_bytes: int = MAX_VALUE_BYTES,
                 company: str | None = None):
        super().__init__(timeout_seconds)
        self.company = company
        self.scoped: frozenset[str] = frozenset()
        if not path or path == ":memory:" or path.startswith("file::memory:"):
            raise NotReadOnly("an in-memory SQLite database cannot be opened a second time, read-only")
        file = Path(path).expanduser().resolve()
        if not file.is_file():
            raise SqlError(f"the database file {file} does not exist")
        self.denied = ""
        try:
            con = sqlite3.connect(
                f"file:{quote(str(file))}?mode=ro", uri=True, timeout=10,
                isolation_level=None, check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise SqlError(f"cannot open {file} read-only: {exc}") from None
        try:
            if company is not None:
                self.scoped = _company_views(con, company)
            con.execute("PRAGMA query_only = 1")
            con.execute("PRAGMA trusted_schema = 0")
            if con.execute("PRAGMA query_only").fetchone()[0] != 1:
                raise NotReadOnly("SQLite did not accept query_only")
        except sqlite3.Error as exc:
            con.close()
            raise SqlError(f"cannot open {file} read-only: {exc}") from None
        con.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max_value_bytes)
        con.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        con.set_authorizer(self._authorize)
        con.set_progress_handler(self._progress, 1000)
        self.con = con

    def _authorize(self, action, arg1, arg2, dbname, source):
        if action == _SQLITE_SELECT or action == _SQLITE_RECURSIVE:
            return sqlite3.SQLITE_OK
        if action == _SQLITE_READ:
            table = (arg1 or "").lower()
            if (arg2 or "").lower() in SECRETS.get(table, ()):
                self.denied = f"reading {arg1}.{arg2}"
                return sqlite3.SQLITE_DENY
            if table.startswith("sqlite_stat"):
                self.denied = f"reading {arg1}"
                return sqlite3.SQLITE_DENY
            if self.company is not None and (dbname or "").lower() != "temp":
                # sql.company_only: the tables only through the view of the same name
                if table in ("sqlite_master", "sqlite_schema"):
                    return sqlite3.SQLITE_OK
                if table in self.scoped and (source or "").lower() == table:
                    return sqlite3.SQLITE_OK
                if table in self.scoped:
                    self.denied = (f"reading {arg1} past the view of company {self.company}'s rows "
                                   "(sql.company_only)")
                else:
                    self.denied = (f"reading {arg1}, which is not one of company {self.company}'s "
                                   "tables (no yhtio column; sql.company_only)")
                return sqlite3.SQLITE_DENY
            return sqlite3.SQLITE_OK
        if action == _SQLITE_FUNCTION:
            if (arg2 or "").lower() in SQLITE_FUNCTIONS:
                return sqlite3.SQLITE_OK
            self.denied = f"the function {arg2}()"
            return sqlite3.SQLITE_DENY
        what = _SQLITE_ACTIONS.get(action, "anything but reading")
        if action == 19 and arg1:  # SQLITE_PRAGMA
            what = f"PRAGMA {arg1}"
        self.denied = what
        return sqlite3.SQLITE_DENY

    def _progress(self) -> int:
        return 1 if self.interrupted else 0

    def execute(self, sql: str, *, first: int = 100, server_timeout: float | None = None,
                params: list | None = None) -> list[str]:
        self.denied = ""
        self.exhausted = False
        self._buffer = []
        self._cursor = self.con.execute(sql, params) if params is not None else self.con.execute(sql)
        self.columns = [d[0] for d in self._cursor.description or ()]
        return self.columns

    def finish(self) -> None:
        if self._cursor is not None:
            try:
                self._cursor.close()
            except sqlite3.Error:
                pass
            self._cursor = None

    def close(self) -> None:
        self.finish()
        self.con.close()

    def interrupt(self) -> None:
        self.interrupted = True
        try:
            self.con.interrupt()
        except sqlite3.ProgrammingError:  # closed already
            pass

    def error(self, exc: BaseException, sql: str) -> SqlError:
        message = str(exc)
        if "not authorized" in message or "prohibited" in message or "authorization denied" in message:
            what = self.denied or "this"
            return SqlError(f"the database refused: {what} is not allowed in the SQL search ({message})", sql)
        return SqlError(message, sql)

    @property
    def driver_connection(self):
        return self.con


def _company_views(con: sqlite3.Connection, company: str) -> frozenset[str]:
    """sql.company_only on SQLite: a TEMP view per table with a yhtio column, of the same name
    (so that `FROM asiakas` reads it), with only `company`'s rows and without the secret
    columns; the authorizer then refuses the tables themselves (main.asiakas) and the tables
    without a yhtio column. The names come from the database's own schema, quoted; the
    company is quoted by SQLite itself."""
    literal = con.execute("SELECT quote(?)", (company,)).fetchone()[0]
    scoped = set()
    tables = [r[0] for r in con.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")]
    for table in tables:
        columns = [r[0] for r in con.execute("SELECT name FROM pragma_table_info(?, 'main')", (table,))]
        if "yhtio" not in {c.lower() for c in columns}:
            continue
        secret = SECRETS.get(table.lower(), frozenset())
        shown = ", ".join(_quote_name(c) for c in columns if c.lower() not in secret)
        con.execute(f"CREATE TEMP VIEW {_quote_name(table)} AS SELECT {shown} "
                    f"FROM main.{_quote_name(table)} WHERE yhtio = {literal}")
        scoped.add(table.lower())
    return frozenset(scoped)


def _quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# -- PostgreSQL -----------------------------------------------------------------------------

class PostgresReadOnly(ReadOnlyConnection):
    """psycopg 3, not psycopg2: its server-side cursor declares the query with the extended
    protocol, where PostgreSQL itself refuses a second statement ("cannot insert multiple
    commands into a prepared statement"), so nothing after a `;` can run even if it slipped
    past the parser; psycopg2 sends the text with the simple protocol, which runs them all."""

    engine = "postgres"
    _names = itertools.count(1)

    def __init__(self, url: str, *, timeout_seconds: float):
        super().__init__(timeout_seconds)
        import psycopg

        self._psycopg = psycopg
        try:
            url_parts(url)  # a bad port told as the app's own URL's (libpq decodes the rest itself)
        except DatabaseError as exc:
            raise SqlError(str(exc)) from None
        parsed = urlparse(url)
        dsn = parsed._replace(scheme="postgresql").geturl()
        try:
            con = psycopg.connect(dsn, connect_timeout=CONNECT_TIMEOUT, application_name="pupetui sql",
                                  autocommit=True)
        except psycopg.Error as exc:
            raise SqlError(f"cannot connect to {redact(url)}: {_pg_message(exc)}") from None
        self.con = con
        try:
            ms = max(1, int(timeout_seconds * 1000))
            with con.cursor() as cur:
                cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
                cur.execute("SET standard_conforming_strings = on")
                # SET takes no parameters: the values are whole numbers made here
                cur.execute(f"SET statement_timeout = {int(ms)}")
                cur.execute(f"SET lock_timeout = {int(ms)}")
                cur.execute(f"SET idle_in_transaction_session_timeout = {int(max(ms * 2, 60_000))}")
                cur.execute("SHOW default_transaction_read_only")
                read_only = cur.fetchone()[0]
                cur.execute("SHOW standard_conforming_strings")
                conforming = cur.fetchone()[0]
            if read_only != "on" or conforming != "on":
                raise NotReadOnly(
                    "the PostgreSQL session could not be made read-only: the SQL search does not run"
                )
            con.autocommit = False
        except psycopg.Error as exc:
            con.close()
            raise SqlError(f"cannot prepare a read-only session: {_pg_message(exc)}") from None
        except NotReadOnly:
            con.close()
            raise
        self._sent_prefix = 0

    def execute(self, sql: str, *, first: int = 100, server_timeout: float | None = None,
                params: list | None = None) -> list[str]:
        self.exhausted = False
        self._buffer = []
        with self.con.cursor() as cur:
            cur.execute("SET TRANSACTION READ ONLY")
            cur.execute("SHOW transaction_read_only")
            if cur.fetchone()[0] != "on":
                raise NotReadOnly("the PostgreSQL transaction is not read-only: the SQL search does not run")
            if server_timeout:
                cur.execute(f"SET LOCAL statement_timeout = {int(max(1, server_timeout * 1000))}")
        name = f"pupetui_sql_{next(PostgresReadOnly._names)}"
        cursor = self.con.cursor(name=name, withhold=False)
        cursor.itersize = max(first, 100)
        self._cursor = cursor
        self._sent_prefix = len(f'DECLARE "{name}" CURSOR FOR ')
        cursor.execute(sql, params)
        rows = cursor.fetchmany(first)
        self.columns = [d[0] for d in cursor.description or ()]
        self._buffer = list(rows)
        if len(rows) < first:
            self.exhausted = True
        return self.columns

    def finish(self) -> None:
        try:
            self.con.rollback()  # closes the cursor and ends the read-only transaction
        except self._psycopg.Error:
            pass
        self._cursor = None

    def close(self) -> None:
        self.finish()
        self.con.close()

    def interrupt(self) -> None:
        self.interrupted = True
        try:
            self.con.cancel()
        except self._psycopg.Error:
            pass

    def error(self, exc: BaseException, sql: str) -> SqlError:
        position = None
        diag = getattr(exc, "diag", None)
        if diag is not None and diag.statement_position:
            at = int(diag.statement_position) - 1 - self._sent_prefix
            if 0 <= at <= len(sql):
                position = at
        if getattr(exc, "sqlstate", None) == "25006":  # read_only_sql_transaction
            return SqlError(f"the database refused: {_pg_message(exc)}", sql, position)
        return SqlError(_pg_message(exc), sql, position)

    @property
    def driver_connection(self):
        return self.con


def _pg_message(exc: BaseException) -> str:
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    if not primary:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    parts = [primary]
    for extra in (diag.message_detail, diag.message_hint):
        if extra:
            parts.append(extra)
    return ". ".join(p.rstrip(".") for p in parts)


# -- MariaDB / MySQL ------------------------------------------------------------------------

# Modes that change how text is quoted (the checker reads "x" as a string, \\' as an escape):
# off on the SQL search's connection, and checked to be off.
_LEXICAL_MODES = {"NO_BACKSLASH_ESCAPES", "ANSI_QUOTES", "ANSI", "ORACLE", "MSSQL", "DB2", "MAXDB",
                  "POSTGRESQL"}
MYSQL_INTERRUPTED = 1317
MYSQL_STATEMENT_TIME = {1969, 3024}  # MariaDB max_statement_time, MySQL max_execution_time


def _mysql_params(url: str) -> dict[str, Any]:
    try:
        parts = url_parts(url.replace("mariadb://", "mysql://", 1))  # decoded as the app's own URL
    except DatabaseError as exc:
        raise SqlError(str(exc)) from None
    return {
        "host": parts.host or "localhost",
        "port": parts.port or 3306,
        "user": parts.user,
        "password": parts.password,
        "database": parts.database or None,
    }


class MysqlReadOnly(ReadOnlyConnection):
    engine = "mysql"

    def __init__(self, url: str, *, timeout_seconds: float):
        super().__init__(timeout_seconds)
        import pymysql
        import pymysql.cursors
        from pymysql.constants import CLIENT

        self._pymysql = pymysql
        self._params = _mysql_params(url)
        self._url = url
        self._lock = threading.Lock()
        self._broken = False
        try:
            con = pymysql.connect(
                **self._params, charset="utf8mb4", autocommit=True, connect_timeout=CONNECT_TIMEOUT,
                local_infile=False, client_flag=0, cursorclass=pymysql.cursors.SSCursor,
            )
        except pymysql.Error as exc:
            raise SqlError(f"cannot connect to {redact(url)}: {_mysql_message(exc)}") from None
        self.con = con
        try:
            if con.client_flag & CLIENT.MULTI_STATEMENTS:
                raise NotReadOnly("the MariaDB connection allows several statements at once: not used")
            with con.cursor(pymysql.cursors.Cursor) as cur:
                cur.execute("SET SESSION TRANSACTION READ ONLY")
                cur.execute("SELECT @@SESSION.sql_mode, @@version, CONNECTION_ID()")
                sql_mode, version, self.connection_id = cur.fetchone()
                modes = [m for m in (sql_mode or "").split(",") if m and m.upper() not in _LEXICAL_MODES]
                cur.execute("SET SESSION sql_mode = %s", (",".join(modes),))
                cur.execute("SELECT @@SESSION.sql_mode")
                left = set((cur.fetchone()[0] or "").upper().split(",")) & _LEXICAL_MODES
                if left:
                    raise NotReadOnly(
                        f"the MariaDB session keeps sql_mode {', '.join(sorted(left))}, which quotes "
                        "text differently from the checker: the SQL search does not run"
                    )
                self.mariadb = "mariadb" in (version or "").lower()
                read_only = self._read_only_flag(cur)
            if not read_only:
                raise NotReadOnly("the MariaDB session could not be made read-only: the SQL search does not run")
        except pymysql.Error as exc:
            con.close()
            raise SqlError(f"cannot prepare a read-only session: {_mysql_message(exc)}") from None
        except NotReadOnly:
            con.close()
            raise

    def _read_only_flag(self, cur) -> bool:
        for name in ("@@SESSION.transaction_read_only", "@@SESSION.tx_read_only"):
            try:
                cur.execute(f"SELECT {name}")
                return bool(int(cur.fetchone()[0]))
            except self._pymysql.Error:
                continue
        return False

    def _time_limit_sql(self, seconds: float) -> str:
        if self.mariadb:
            return f"SET SESSION max_statement_time = {max(0.001, float(seconds)):.3f}"
        return f"SET SESSION max_execution_time = {max(1, int(seconds * 1000))}"

    def execute(self, sql: str, *, first: int = 100, server_timeout: float | None = None,
                params: list | None = None) -> list[str]:
        self.exhausted = False
        self._buffer = []
        with self.con.cursor(self._pymysql.cursors.Cursor) as cur:
            cur.execute(self._time_limit_sql(server_timeout or self.timeout_seconds))
            cur.execute("START TRANSACTION READ ONLY")
        cursor = self.con.cursor(self._pymysql.cursors.SSCursor)
        self._cursor = cursor
        cursor.execute(sql, params)
        self.columns = [d[0] for d in cursor.description or ()]
        return self.columns

    def _fetch(self, n: int) -> list[tuple]:
        rows = self._cursor.fetchmany(n)
        if len(rows) < n:
            self.exhausted = True
        return list(rows)

    def finish(self) -> None:
        cursor, self._cursor = self._cursor, None
        if cursor is None:
            return
        if not self.exhausted:
            # Unread rows: stop the server's work and drop the connection, instead of
            # reading (and discarding) everything that is left.
            if not self.interrupted:
                self.interrupt()
            # Neither the cursor's close() nor the result's __del__ may read the rest.
            result = getattr(cursor, "_result", None)
            if result is not None:
                result.unbuffered_active = False
            cursor.connection = None
            self._broken = True
            self.con._force_close()  # noqa: SLF001
            return
        try:
            cursor.close()
            with self.con.cursor(self._pymysql.cursors.Cursor) as cur:
                cur.execute("ROLLBACK")
        except self._pymysql.Error:
            self._broken = True

    def close(self) -> None:
        self.finish()
        try:
            if self._broken:
                self.con._force_close()  # noqa: SLF001 - do not read what the server still sends
            else:
                self.con.close()
        except Exception:  # noqa: BLE001 - closing a connection that is gone
            pass

    def interrupt(self) -> None:
        self.interrupted = True
        with self._lock:
            try:
                killer = self._pymysql.connect(
                    host=self._params["host"], port=self._params["port"], user=self._params["user"],
                    password=self._params["password"], connect_timeout=CONNECT_TIMEOUT, autocommit=True,
                )
                try:
                    with killer.cursor() as cur:
                        cur.execute(f"KILL QUERY {int(self.connection_id)}")
                finally:
                    killer.close()
            except self._pymysql.Error:
                pass  # the query has ended, or the server is gone: nothing left to stop

    def error(self, exc: BaseException, sql: str) -> SqlError:
        code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
        if code == 1792:
            return SqlError(f"the database refused: {_mysql_message(exc)}", sql)
        return SqlError(_mysql_message(exc), sql)

    def error_code(self, exc: BaseException) -> int | None:
        return exc.args[0] if exc.args and isinstance(exc.args[0], int) else None

    @property
    def driver_connection(self):
        return self.con


def _mysql_message(exc: BaseException) -> str:
    if len(exc.args) >= 2 and isinstance(exc.args[0], int):
        return f"{exc.args[1]} ({exc.args[0]})"
    return str(exc)


# -- opening --------------------------------------------------------------------------------

def engine_of(url: str) -> str:
    return kind_of(url)


def open_readonly(url: str, *, timeout_seconds: float = 30, company: str | None = None) -> ReadOnlyConnection:
    """A read-only connection for `url`; SqlError (or NotReadOnly) with a plain message.
    `company` (sql.company_only): SQLite shows only that company's rows; on MariaDB and
    PostgreSQL the account of `url` must be the company's own (SqlConsole checks that one is
    configured)."""
    kind = kind_of(url)
    if kind == "sqlite":
        return SqliteReadOnly(urlparse(url).path[1:], timeout_seconds=timeout_seconds, company=company)
    try:
        if kind == "postgres":
            return PostgresReadOnly(url, timeout_seconds=timeout_seconds)
        return MysqlReadOnly(url, timeout_seconds=timeout_seconds)
    except ImportError as exc:
        extra = {"mysql": "mysql", "postgres": "postgres"}[kind]
        raise SqlError(f"the driver for {kind} is not installed: pip install 'pupetui[{extra}]' ({exc.name})") from None
