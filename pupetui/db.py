"""Connecting to the database, and the session (company + user) every query is scoped to."""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlparse

import peewee

database = peewee.DatabaseProxy()


class DatabaseError(Exception):
    """The database cannot be reached or used; the message is for a person."""

    code = 1  # the command's exit code


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
            db = url_connect(url, charset="utf8mb4", connect_timeout=10, client_flag=CLIENT.FOUND_ROWS)
        else:
            db = url_connect(url, connect_timeout=10)
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
