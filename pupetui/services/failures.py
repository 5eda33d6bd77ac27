"""A failure as a sentence for a person: a database's error never reaches a screen as the
driver's words (`(0, '')`, `(2013, 'Lost connection to MySQL server…')`, `server closed the
connection unexpectedly`), which say nothing to a user and may show the server's name.

`is_database_error(exc)`: raised by peewee or a database driver (known by the modules of its
classes: nothing is imported here, so no driver is loaded for it). `is_connection_lost(exc)`:
one that means the database could not be reached (as opposed to a refused statement, which
the SQL search shows in the database's own words, for the user's own SQL).
`sentence(exc)`: the text to show (in the user's language); other exceptions in their own
words, control characters removed.
"""

from __future__ import annotations

from pupetui.i18n import _, N_
from pupetui.services.text import printable

DATABASE_GONE = N_("The database cannot be reached; try again in a moment.")
DATABASE_FAILED = N_("The database refused the request; tell your administrator if this goes on.")

_DATABASE_MODULES = frozenset({"peewee", "playhouse", "pymysql", "MySQLdb", "psycopg2", "psycopg2cffi", "psycopg",
                               "sqlite3", "_sqlite3", "mysql"})
# MySQL/MariaDB client and server codes that mean the connection is not there (or was refused)
_MYSQL_CONNECTION_CODES = frozenset({0, 1040, 1042, 1043, 1044, 1045, 1049, 1053, 1077, 1152, 1158, 1159, 1160,
                                     1161, 1927, 2002, 2003, 2005, 2006, 2011, 2012, 2013, 2014, 2026, 2027,
                                     2055, 4031})
_SQLITE_CONNECTION_WORDS = ("unable to open database", "disk i/o error", "database is locked",
                            "file is not a database", "readonly database", "database disk image is malformed")


def _chain(exc: BaseException):
    """`exc` and what it wraps (peewee keeps the driver's exception as its first argument)."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend((current.__cause__, current.__context__))
        todo.extend(arg for arg in current.args[:1] if isinstance(arg, BaseException))


def _from_database(exc: BaseException) -> bool:
    return any(cls.__module__.split(".")[0] in _DATABASE_MODULES for cls in type(exc).__mro__
               if cls not in (BaseException, Exception))


def is_database_error(exc: BaseException) -> bool:
    return any(_from_database(e) for e in _chain(exc))


def is_connection_lost(exc: BaseException) -> bool:
    for e in _chain(exc):
        if not _from_database(e):
            if isinstance(e, (ConnectionError, TimeoutError)):
                return True
            continue
        names = {cls.__name__ for cls in type(e).__mro__}
        module = type(e).__module__.split(".")[0]
        if "InterfaceError" in names:
            return True
        if module in ("pymysql", "MySQLdb", "mysql"):
            code = e.args[0] if e.args and isinstance(e.args[0], int) else None
            if code in _MYSQL_CONNECTION_CODES:
                return True
        elif module.startswith("psycopg"):
            if "OperationalError" in names:
                return True
        elif module in ("sqlite3", "_sqlite3"):
            if any(word in str(e).lower() for word in _SQLITE_CONNECTION_WORDS):
                return True
    return False


def _told(exc: BaseException) -> str:
    """The sentence pupetui.db already gave a lost connection ("nothing was saved", "tries
    again"): a ConnectionProblem's str() is for a person."""
    from pupetui.services.db_errors import ConnectionProblem  # noqa: PLC0415

    return next((str(e) for e in _chain(exc) if isinstance(e, ConnectionProblem)), "")


def sentence(exc: BaseException) -> str:
    """`exc` as a sentence for the user."""
    if told := _told(exc):
        return told
    if is_connection_lost(exc):
        return _(DATABASE_GONE)
    if is_database_error(exc):
        return _(DATABASE_FAILED)
    return printable(str(exc)).strip() or type(exc).__name__


def statement_error(exc: BaseException) -> str:
    """The error of a statement the user wrote (the SQL search, the query generator): the
    database's own words, which tell what is wrong with it, unless the database was not reached."""
    if told := _told(exc):
        return told
    if is_connection_lost(exc):
        return _(DATABASE_GONE)
    return printable(str(exc)).strip() or type(exc).__name__
