"""Connecting to the database, and the session (company + user) every query is scoped to."""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlparse

import peewee

# the errors live where screens and widgets may see them; pupetui.db.DatabaseError as before
from pupetui.services.db_errors import ConnectionProblem, DatabaseDown, DatabaseError, NothingSaved  # noqa: F401

database = peewee.DatabaseProxy()


class BadUrl(DatabaseError):
    """The database URL itself is wrong (a usage error)."""

    code = 2


@dataclass(frozen=True)
class UrlParts:
    """A server URL's parts, percent-decoded: a password with `# @ / : % ?` is written %23 %40
    %2F %3A %25 %3F in the URL (as in every URL), and the server gets the characters."""

    host: str
    port: int | None
    user: str
    password: str
    database: str


def url_parts(url: str) -> UrlParts:
    """The parts of a mysql:// or postgresql:// URL (the app's and sql.readonly_url alike);
    BadUrl for a port that is no number from 1 to 65535."""
    parsed = urlparse(url)
    try:
        port = parsed.port
    except ValueError:
        port = 0
    if port == 0:
        raise BadUrl(f"the database URL {redact(url)} has a bad port: give a number from 1 to 65535 "
                     "(or none for the default)")
    return UrlParts(
        host=unquote(parsed.hostname or ""), port=port, user=unquote(parsed.username or ""),
        password=unquote(parsed.password or ""), database=unquote(parsed.path[1:]),
    )


SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,  # ms: several users on one machine wait, not fail
    "synchronous": "normal",
    # SQLite's default page cache (2 MB): its sorter sorts runs of the cache's size in memory,
    # and runs of 16 MB made the report's GROUP BY 8% slower (bench/bench_report.py); the
    # customer search was no slower (bench/bench_search.py)
    "cache_size": -2_000,
    # helper threads for large sorts (GROUP BY / ORDER BY over millions of rows): about 10%
    # faster on two cores
    "threads": min(4, os.cpu_count() or 1),
}


def kind_of(url: str) -> str:
    scheme = urlparse(url).scheme.split("+")[0]
    if scheme == "sqlite":
        return "sqlite"
    if scheme in ("mysql", "mariadb"):
        return "mysql"
    if scheme in ("postgres", "postgresql"):
        return "postgres"
    raise BadUrl(
        f"unsupported database URL scheme {scheme!r}: use sqlite:///path, "
        "mysql://user:password@host/database or postgresql://user@host/database"
    )


def redact(url: str) -> str:
    """The URL with its password hidden, for messages."""
    parsed = urlparse(url)
    if parsed.password:
        netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@")
        return parsed._replace(netloc=netloc).geturl()
    return url


def url_connect(url: str, **options):
    """The database of a server URL: its parts decoded by `url_parts` (query-string options as
    playhouse reads them)."""
    from playhouse.db_url import connect

    if kind_of(url) == "sqlite":
        return connect(url, **options)
    parts = url_parts(url)
    given = {"host": parts.host, "port": parts.port, "user": parts.user, "database": parts.database}
    if parts.password:
        given["passwd" if kind_of(url) == "mysql" else "password"] = parts.password
    return connect(url, **{k: v for k, v in given.items() if v}, **options)


def _make_sqlite_file(path: Path) -> None:
    """A missing SQLite database in pupetui's own data folder (the default and the demo database:
    every password hash is in it) is made 0600 in a 0700 folder, whatever the umask; elsewhere the
    missing folders are made as before. An existing database is left as it is: its modes are
    the administrator's."""
    from pupetui import config

    own = os.path.abspath(path.parent) == os.path.abspath(config.user_data_dir())
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700 if own else 0o777)
    if own:
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600))
        except FileExistsError:
            pass


# -- connections with a lifecycle ------------------------------------------------------------------
#
# Every thread (the app's, each Textual thread worker) has its own connection (peewee keeps it
# per thread). A connection the server has dropped (a restart, wait_timeout, a failover, KILL)
# is found out when it is next used, and then:
# - a read outside a transaction: the dead connection is dropped, a new one made, and the read
#   runs again once, unnoticed by the user;
# - BEGIN: the same (nothing has been sent yet of the transaction);
# - a write outside a transaction: a connection idle for a while is pinged first (and remade if
#   dead), so a write after a drop goes to a live connection; one that is lost while the write
#   runs says NothingSaved (a single statement is atomic: the server either did all of it or,
#   with its connection gone, nothing);
# - anything inside a transaction: NothingSaved, and the rest of the transaction fails at once;
#   the transaction's rollback is the server's (it rolled back when the connection died);
# - no connection can be made: DatabaseDown, until one can (the next action tries again).
# The number of connections is bounded by the number of threads that use the database: the app
# runs its thread workers in WORKER_THREADS threads (pupetui.app), plus its own thread.

WORKER_THREADS = 6
IDLE_PING_SECONDS = 1.0  # a write after this long unused pings its connection first

_READS = ("SELECT", "SHOW", "EXPLAIN", "DESCRIBE", "PRAGMA", "VALUES")
_WRITES_IN_WITH = ("INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE")
# pymysql's codes for a connection that is gone (2006 gone away, 2013 lost during query, 2055
# lost at the socket, 4031 the server's idle timeout, 1927 MariaDB's "connection was killed";
# 0 is its "(0, '')": a connection that died before and is used again)
_MYSQL_LOST = {0, 1927, 2006, 2013, 2055, 4031}


def _is_read(sql: str) -> bool:
    head = sql.lstrip(" \t\r\n(").upper()
    if head.startswith(_READS):
        return True
    if head.startswith("WITH"):
        words = set(head.replace("(", " ").split())
        return not words.intersection(_WRITES_IN_WITH)
    return False


class LifecycleMixin:
    """What `open_database` adds to peewee's MySQL and PostgreSQL databases (see above)."""

    def _raw_gone(self, conn) -> bool:
        """Whether the driver's connection `conn` is dead (after an error on it)."""
        if conn is None:
            return True
        closed = getattr(conn, "closed", None)  # psycopg2: 0 open, else closed; psycopg 3: bool
        if closed is not None and not callable(closed):
            if closed:
                return True
            broken = getattr(conn, "broken", False)
            return bool(broken)
        is_open = getattr(conn, "open", None)  # pymysql
        if is_open is not None and not callable(is_open):
            return not is_open
        return False

    def _lost(self, exc: BaseException) -> bool:
        if isinstance(exc, ConnectionProblem):
            return True
        if not isinstance(exc, (peewee.OperationalError, peewee.InterfaceError)):
            return False
        if isinstance(self, peewee.MySQLDatabase):
            args = getattr(exc, "args", ())
            code = args[0] if args and isinstance(args[0], int) else None
            if code in _MYSQL_LOST:
                return True
        return self._raw_gone(self._state.conn)

    def _drop(self) -> None:
        """Forget this thread's connection without a word to the server (it is gone); the
        transaction stack is left to the transactions themselves to unwind."""
        conn = self._state.conn
        self._state.conn = None
        self._state.closed = True
        self._state.dead = False
        if conn is not None:
            try:
                force = getattr(conn, "_force_close", None)  # pymysql: no COM_QUIT on a dead socket
                (force or conn.close)()
            except Exception:  # noqa: BLE001 - closing a connection that is gone
                pass

    def _reconnect(self, exc: BaseException | None = None) -> None:
        self._drop()
        try:
            self.connect()
        except (peewee.OperationalError, peewee.InterfaceError, OSError) as down:
            self._state.reset()
            raise DatabaseDown(str(down)) from (exc or down)

    def _alive(self) -> bool:
        conn = self._state.conn
        try:
            if hasattr(conn, "ping"):
                conn.ping(False)
            else:
                with conn.cursor() as cur:
                    cur.execute("SELECT 1")
            return True
        except Exception:  # noqa: BLE001 - any failure means the connection is no use
            return False

    def _mark_used(self) -> None:
        self._state.used = time.monotonic()

    def _ensure_open(self) -> None:
        if self._state.closed:
            try:
                self.connect()
            except (peewee.OperationalError, peewee.InterfaceError, OSError) as down:
                self._state.reset()
                raise DatabaseDown(str(down)) from down

    def execute_sql(self, sql, params=None):
        if self.in_transaction():
            if getattr(self._state, "dead", False):
                raise NothingSaved("the connection was lost earlier in this transaction")
            try:
                cursor = super().execute_sql(sql, params)
            except Exception as exc:
                if self._lost(exc):
                    self._state.dead = True
                    raise NothingSaved(str(exc)) from exc
                raise
            self._mark_used()
            return cursor
        read = _is_read(sql)
        self._ensure_open()
        if not read and time.monotonic() - getattr(self._state, "used", 0.0) > IDLE_PING_SECONDS:
            if not self._alive():
                self._reconnect()
        try:
            cursor = super().execute_sql(sql, params)
        except Exception as exc:
            if not self._lost(exc):
                raise
            if not read:
                self._drop()
                raise NothingSaved(str(exc)) from exc
            self._reconnect(exc)
            try:
                cursor = super().execute_sql(sql, params)
            except Exception as again:
                if self._lost(again):
                    self._drop()
                    raise DatabaseDown(str(again)) from again
                raise
        self._mark_used()
        return cursor

    def begin(self, *args, **kwargs):
        self._ensure_open()
        try:
            super().begin(*args, **kwargs)
        except Exception as exc:
            if not self._lost(exc):
                raise
            if self.in_transaction():  # a transaction begun again after its rollback (txn.rollback())
                self._state.dead = True
                raise NothingSaved(str(exc)) from exc
            self._reconnect(exc)  # nothing of the transaction was sent yet: safe to begin again
            try:
                super().begin(*args, **kwargs)
            except Exception as again:
                if self._lost(again):
                    self._drop()
                    raise DatabaseDown(str(again)) from again
                raise
        self._state.dead = False
        self._mark_used()

    def commit(self):
        if getattr(self._state, "dead", False):
            raise NothingSaved("the connection was lost in this transaction")
        try:
            super().commit()
        except Exception as exc:
            if self._lost(exc):
                self._state.dead = True
                raise NothingSaved(str(exc)) from exc
            raise
        self._mark_used()

    def rollback(self):
        if getattr(self._state, "dead", False) or self._state.closed:
            # the server rolled back when the connection died: nothing to send, and the dead
            # connection goes once the outermost transaction has ended
            if not self.in_transaction():
                self._drop()
            return
        try:
            super().rollback()
        except Exception as exc:
            if not self._lost(exc):
                raise
            if self.in_transaction():
                self._state.dead = True
            else:
                self._drop()

    def close(self):
        if not self.in_transaction() and not self._state.closed and (
                getattr(self._state, "dead", False) or self._raw_gone(self._state.conn)):
            self._drop()  # a connection the server dropped: nothing to say to it
            self._state.reset()
            return True
        try:
            return super().close()
        except peewee.PeeweeException:
            if self.in_transaction():
                raise
            self._drop()  # closing a connection the server dropped
            self._state.reset()
            return True


_LIFECYCLE_CLASSES: dict[type, type] = {}


def _with_lifecycle(db: peewee.Database) -> peewee.Database:
    """The same database (class and parameters) with the lifecycle above."""
    cls = type(db)
    if isinstance(db, LifecycleMixin) or not isinstance(db, (peewee.MySQLDatabase, peewee.PostgresqlDatabase)):
        return db
    made = _LIFECYCLE_CLASSES.get(cls)
    if made is None:
        made = _LIFECYCLE_CLASSES[cls] = type(f"Lifecycle{cls.__name__}", (LifecycleMixin, cls), {})
    # the database playhouse made from the URL (not yet connected; every option it read kept,
    # its state taken over), with the lifecycle's methods over its own
    lifecycle = made.__new__(made)
    lifecycle.__dict__.update(db.__dict__)
    return lifecycle


def open_database(url: str) -> peewee.Database:
    """A connected database for `url`; DatabaseError with a plain message if it cannot be."""
    kind = kind_of(url)
    try:
        if kind == "sqlite":
            path = urlparse(url).path[1:]  # sqlite:///rel/x.db -> rel/x.db; sqlite:////abs -> /abs
            if path and path != ":memory:":
                _make_sqlite_file(Path(path))
            # IMMEDIATE: a transaction takes the write lock at BEGIN, so a read-then-write
            # transaction waits for the busy timeout instead of failing "database is locked".
            options = dict(pragmas=SQLITE_PRAGMAS, timeout=10, lock_type="IMMEDIATE")
            parsed = urlparse(url)
            if parsed.scheme == "sqlite" and not parsed.netloc and not parsed.query:
                # what playhouse's URL parser makes of it, without its imports (a faster start)
                db = peewee.SqliteDatabase(path or ":memory:", **options)
            else:
                db = url_connect(url, **options)
        elif kind == "mysql":
            url = url.replace("mariadb://", "mysql://", 1)
            from pymysql.constants import CLIENT

            # FOUND_ROWS: an UPDATE reports the rows it matched (as SQLite and PostgreSQL do),
            # not only the rows whose values changed.
            db = _with_lifecycle(
                url_connect(url, charset="utf8mb4", connect_timeout=10, client_flag=CLIENT.FOUND_ROWS))
        else:
            db = _with_lifecycle(url_connect(url, connect_timeout=10))
        db.connect(reuse_if_open=True)
    except ImportError as exc:
        extra = {"mysql": "mysql", "postgres": "postgres"}.get(kind, kind)
        raise DatabaseError(
            f"the driver for {kind} is not installed: pip install 'pupetui[{extra}]' ({exc.name})"
        ) from None
    except (peewee.DatabaseError, peewee.InterfaceError, OSError) as exc:
        raise DatabaseError(f"cannot open database {redact(url)}: {exc}") from None
    return db


def bind(db: peewee.Database) -> None:
    """Make every model use `db`."""
    database.initialize(db)


def connect(url: str) -> peewee.Database:
    db = open_database(url)
    bind(db)
    return db


def is_postgres(db: peewee.Database | None = None) -> bool:
    db = db or database.obj
    return isinstance(db, peewee.PostgresqlDatabase)


def is_mysql(db: peewee.Database | None = None) -> bool:
    db = db or database.obj
    return isinstance(db, peewee.MySQLDatabase)


@dataclass(frozen=True)
class Session:
    """Who is working: the company (yhtio) and the user's login (kuka.kuka)."""

    company: str
    user: str


class NoSession(RuntimeError):
    pass


# One process serves one user, and Textual workers run in threads, so the
# session is process-wide (not a contextvar, which threads would not see).
_session: Session | None = None
_lock = threading.Lock()


def current() -> Session:
    if _session is None:
        raise NoSession("no session: call pupetui.db.start_session(company, user) first")
    return _session


def has_session() -> bool:
    return _session is not None


def start_session(company: str, user: str) -> Session:
    global _session
    with _lock:
        _session = Session(company=company, user=user)
    return _session


def end_session() -> None:
    global _session
    with _lock:
        _session = None


@contextmanager
def session(company: str, user: str) -> Iterator[Session]:
    """Work as `user` of `company` inside the block; the previous session comes back after."""
    global _session
    previous = _session
    start_session(company, user)
    try:
        yield _session  # type: ignore[misc]
    finally:
        with _lock:
            _session = previous
