"""Shared fixtures: the four databases pupetui must work on.

- sqlite:   pupetui's own schema in an SQLite file (what `pupetui init` makes)
- pupesoft: the real Pupesoft layout from ../shared/pupesoft/crm-schema.sqlite.sql
- mariadb:  the real layout from ../shared/pupesoft/crm-schema.mariadb.sql, default strict sql_mode
- postgres: pupetui's own schema on PostgreSQL

Server and fixture tests skip with a reason where those are missing, unless
PUPETUI_REQUIRE_SERVERS=1 (CI), where a missing one fails the run.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path

import peewee
import pytest

from pupetui import db as dbmod
from pupetui.models import ALL_MODELS
from pupetui.services import schema

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("PUPETUI_SHARED", ROOT.parent / "shared")) / "pupesoft"
SQLITE_FIXTURE = SHARED / "crm-schema.sqlite.sql"
MARIADB_FIXTURE = SHARED / "crm-schema.mariadb.sql"
MARIADB_URL = os.environ.get("PUPETUI_TEST_MARIADB", "mysql://root@127.0.0.1:3306/test")
POSTGRES_URL = os.environ.get("PUPETUI_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE = os.environ.get("PUPETUI_REQUIRE_SERVERS") == "1"

BACKENDS = ("sqlite", "pupesoft", "mariadb", "postgres")


def unavailable(reason: str):
    if REQUIRE:
        pytest.fail(f"PUPETUI_REQUIRE_SERVERS=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def sql_statements(text: str) -> list[str]:
    out = []
    for chunk in text.split(";\n"):
        lines = [l for l in chunk.splitlines() if l.strip() and not l.strip().startswith("--")]
        if lines:
            out.append("\n".join(lines))
    return out


def _mariadb_server():
    try:
        import pymysql
    except ImportError:
        unavailable("PyMySQL is not installed")
    from urllib.parse import urlparse

    u = urlparse(MARIADB_URL)
    try:
        con = pymysql.connect(
            host=u.hostname, port=u.port or 3306, user=u.username or "root",
            password=u.password or "", connect_timeout=3, autocommit=True, charset="utf8mb4",
        )
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no server"
        unavailable(f"MariaDB is not reachable at {MARIADB_URL}: {exc}")
    return con, u


def _postgres_server():
    try:
        import psycopg2
    except ImportError:
        unavailable("psycopg2 is not installed")
    try:
        con = psycopg2.connect(POSTGRES_URL, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001
        unavailable(f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}")
    con.autocommit = True
    return con


def mariadb_database(name: str, fixture: Path) -> tuple[str, callable]:
    """A new MariaDB database `name` (Pupesoft's character set) loaded from `fixture`: (url, drop)."""
    con, u = _mariadb_server()
    with con.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb3 COLLATE utf8mb3_unicode_ci")
        cur.execute(f"USE `{name}`")
        for stmt in sql_statements(fixture.read_text(encoding="utf-8")):
            cur.execute(stmt)
    auth = u.username or "root"
    if u.password:
        auth += f":{u.password}"
    url = f"mysql://{auth}@{u.hostname}:{u.port or 3306}/{name}"

    def drop():
        with con.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        con.close()

    return url, drop


def make_database(kind: str, tmp_path: Path) -> tuple[str, callable]:
    """Create an empty database of `kind` with its tables; returns (url, drop)."""
    name = f"pupetui_t_{uuid.uuid4().hex[:10]}"
    if kind == "sqlite":
        path = tmp_path / "own.sqlite3"
        url = f"sqlite:///{path}"
        d = dbmod.open_database(url)
        schema.init(d)
        d.close()
        return url, lambda: None
    if kind == "pupesoft":
        if not SQLITE_FIXTURE.is_file():
            unavailable(f"the Pupesoft fixture {SQLITE_FIXTURE} is missing")
        path = tmp_path / "pupesoft.sqlite3"
        con = sqlite3.connect(path)
        con.executescript(SQLITE_FIXTURE.read_text())
        con.close()
        return f"sqlite:///{path}", lambda: None
    if kind == "mariadb":
        if not MARIADB_FIXTURE.is_file():
            unavailable(f"the Pupesoft fixture {MARIADB_FIXTURE} is missing")
        return mariadb_database(name, MARIADB_FIXTURE)
    if kind == "postgres":
        con = _postgres_server()
        with con.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        base = POSTGRES_URL.rsplit("/", 1)[0]
        url = f"{base}/{name}"
        d = dbmod.open_database(url)
        schema.init(d)
        d.close()

        def drop():
            with con.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            con.close()

        return url, drop
    raise ValueError(kind)


@pytest.fixture(scope="session")
def _databases(tmp_path_factory):
    """One database per backend for the whole run, made on first use."""
    made: dict[str, str] = {}
    drops = []

    def get(kind: str) -> str:
        if kind not in made:
            url, drop = make_database(kind, tmp_path_factory.mktemp(kind))
            made[kind] = url
            drops.append(drop)
        return made[kind]

    yield get
    for drop in drops:
        drop()


def _empty_all(d: peewee.Database) -> None:
    for model in ALL_MODELS:
        model._meta.database  # noqa: B018
        d.execute_sql(f"DELETE FROM {_quote(d, model._meta.table_name)}")


def _quote(d: peewee.Database, name: str) -> str:
    return f"`{name}`" if isinstance(d, peewee.MySQLDatabase) else f'"{name}"'


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def database(backend, _databases):
    """A connected, empty database of each kind, bound to the models; no session started."""
    url = _databases(backend)
    d = dbmod.connect(url)
    _empty_all(d)
    yield d
    dbmod.end_session()
    if not d.is_closed():
        d.close()


@pytest.fixture
def database_url(backend, _databases) -> str:
    """The URL of an empty database of each kind (for tests that run the CLI or the app)."""
    url = _databases(backend)
    d = dbmod.open_database(url)
    _empty_all(d)
    d.close()
    return url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A fresh SQLite file with pupetui's own schema."""
    url = f"sqlite:///{tmp_path / 'pupetui.sqlite3'}"
    d = dbmod.open_database(url)
    schema.init(d)
    d.close()
    return url


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback that takes mail (set `.mode` to 'refuse' or 'refuse_after:N')."""
    from servers import SmtpServer

    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def dropping_server():
    """A TCP server on loopback that closes every connection at once."""
    from servers import DroppingServer

    server = DroppingServer()
    yield server
    server.stop()


@pytest.fixture
def sms_service():
    """Pupesoft's SMS protocol on loopback; set `.answer`, `.delay` or `.drop`."""
    from servers import SmsService

    service = SmsService()
    yield service
    service.stop()


@pytest.fixture(autouse=True)
def _own_state_dir(tmp_path_factory, monkeypatch):
    """Each test its own user state dir: the failed logins (services.login_guard) and other state
    of one test never reach another (subprocesses inherit it through the environment)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
