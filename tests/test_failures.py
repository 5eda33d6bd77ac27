"""A database's error as a sentence for a person (services/failures.py), with the real drivers:
a closed port, a dropped connection and a refused statement, in English and Finnish."""

from __future__ import annotations

import socket

import peewee
import pytest

from pupetui import i18n
from pupetui.services import failures

GONE_EN = "The database cannot be reached; try again in a moment."


@pytest.fixture(autouse=True)
def english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def raised(call) -> BaseException:
    with pytest.raises(Exception) as info:
        call()
    return info.value


def test_mariadb_on_a_closed_port_is_a_database_out_of_reach(closed_port):
    d = peewee.MySQLDatabase("x", host="127.0.0.1", port=closed_port, user="root", connect_timeout=2)
    exc = raised(lambda: d.execute_sql("SELECT 1"))
    assert "2003" in str(exc)  # what the screens used to show
    assert failures.is_connection_lost(exc) and failures.sentence(exc) == GONE_EN
    i18n.set_language("fi")
    assert failures.sentence(exc) == "Tietokantaan ei saada yhteyttä; yritä hetken päästä uudelleen."


def test_a_connection_closed_under_pymysql_is_out_of_reach_too():
    import pymysql

    from conftest import _mariadb_server

    con, _url = _mariadb_server()
    con.close()
    exc = raised(lambda: con.cursor().execute("SELECT 1"))
    assert failures.sentence(exc) == GONE_EN and "(0, '')" not in failures.sentence(exc)
    assert isinstance(exc, pymysql.err.Error)


def test_postgresql_on_a_closed_port_is_out_of_reach(closed_port):
    d = peewee.PostgresqlDatabase("x", host="127.0.0.1", port=closed_port, user="postgres", connect_timeout=2)
    exc = raised(lambda: d.execute_sql("SELECT 1"))
    assert failures.sentence(exc) == GONE_EN


def test_a_refused_statement_is_the_database_refusing_but_the_sql_search_keeps_its_words(tmp_path):
    d = peewee.SqliteDatabase(str(tmp_path / "x.sqlite3"))
    exc = raised(lambda: d.execute_sql("SELECT * FROM no_such_table"))
    assert not failures.is_connection_lost(exc)
    assert failures.sentence(exc) == "The database refused the request; tell your administrator if this goes on."
    assert failures.statement_error(exc) == "no such table: no_such_table"  # the user's own SQL


def test_other_errors_in_their_own_words_without_control_characters():
    assert failures.sentence(ValueError("bad \x1b[31mvalue")) == "bad [31mvalue"
    assert failures.sentence(KeyError()) == "KeyError"
    assert not failures.is_database_error(ValueError("x"))
