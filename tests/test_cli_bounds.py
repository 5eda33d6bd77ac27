"""Issue 15.9: what the command line takes is bounded before it reaches the database, and the
`--db` URL is read as a URL: each case a separate process, its exit code and message, never a
traceback (`run` asserts no 'Traceback'), on the databases the issue names."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest

from pupetui import db
from pupetui.models import Activity, Company, Customer, Permission, User
from test_cli import env, run  # noqa: F401  (fixture and helper)

SERVERS = ["mariadb", "postgres"]
HOSTILE_PASSWORD = "p#s@s/w:o%r?d"


def _populate(url: str) -> str:
    d = db.connect(url)
    with db.session("acme", "admin"):
        Company.create(name="Acme Oy")
        User.create(login="anna", name="Anna")
        Permission.create(login="anna", script="crm/asiakaslista.php")
        Permission.create(login="anna", script="crm/kalenteri.php")
        Customer.create(name="Virtanen Oy", city="Helsinki", customer_no="1001", salesperson_no=7)
        Activity.create(kind="kalenteri", owner="anna", starts_at="2026-05-05 09:00:00",
                        ends_at="2026-05-05 10:00:00", text="Käynti")
    db.end_session()
    d.close()
    return url


@pytest.fixture
def url(database_url):
    return _populate(database_url)


def usage_error(result, *texts):
    assert result.returncode == 2, (result.stdout, result.stderr)
    for text in texts:
        assert text in result.stderr, result.stderr


@pytest.mark.parametrize("backend", ["sqlite", *SERVERS])
@pytest.mark.parametrize("day", ["31.12.9999", "9999-12-31", "1.1.0999"])
def test_calendar_export_of_a_date_out_of_range(env, url, tmp_path, day):
    result = run(env, "calendar", "export", "--db", url, "--user", "anna", "--from", day, "--to", day,
                 "--out", str(tmp_path / "x.ics"))
    usage_error(result, "the year must be from 1000 to 9998")
    assert not (tmp_path / "x.ics").exists()
    fine = run(env, "calendar", "export", "--db", url, "--user", "anna", "--from", "1.5.2026", "--to", "31.12.9998",
               "--out", str(tmp_path / "y.ics"))
    assert fine.returncode == 0 and "wrote 1 entry of anna" in fine.stdout


@pytest.mark.parametrize("backend", ["sqlite", *SERVERS])
def test_customers_limit_salesperson_and_search_bounds(env, url):
    def customers(*args):
        return run(env, "customers", "--db", url, "--user", "anna", *args)

    usage_error(customers("--limit", "100000000000000000000"), "--limit: must be a whole number from 0 to 1000000000")
    usage_error(customers("--limit", "-1"), "--limit")
    usage_error(customers("--salesperson", "100000000000000000000"), "--salesperson: must be a whole number from "
                "-2147483648 to 2147483647")
    usage_error(customers("--salesperson", "2147483648"), "--salesperson")
    usage_error(customers("--search", "a" * 130_000), "--search: at most 1000 characters (this one has 130000)")
    # the edges themselves are fine
    assert customers("--limit", "1000000000").stdout.startswith(" Virtanen Oy")
    assert customers("--salesperson", "7").stdout.startswith(" Virtanen Oy")
    assert customers("--salesperson", "2147483647").stdout == ""
    assert customers("--search", "virt " + "v" * 995).returncode == 0


def test_demo_customers_bound(env, tmp_path):
    result = run(env, "demo", "--db", f"sqlite:///{tmp_path / 'd.sqlite3'}", "--customers", "100000000000000000000")
    usage_error(result, "--customers: must be a whole number from 1 to 10000000")
    assert not (tmp_path / "d.sqlite3").exists()


@pytest.mark.parametrize("scheme", ["mysql", "postgresql"])
@pytest.mark.parametrize("port", ["abc", "99999", "0"])
def test_a_bad_port_in_db_is_a_usage_error(env, scheme, port):
    result = run(env, "check", "--db", f"{scheme}://root:Salainen1@127.0.0.1:{port}/x")
    usage_error(result, "has a bad port: give a number from 1 to 65535")
    assert "Salainen1" not in result.stderr + result.stdout


@pytest.fixture
def mariadb_user(url):
    """A MariaDB user whose name and password hold the characters a URL must percent-encode."""
    import pymysql

    from conftest import _mariadb_server

    con, _ = _mariadb_server()
    user = f"pt_{uuid.uuid4().hex[:6]}@x:y"
    name = url.rsplit("/", 1)[1]
    with con.cursor() as cur:
        cur.execute("CREATE USER %s@'%%' IDENTIFIED BY %s", (user, HOSTILE_PASSWORD))
        cur.execute(f"GRANT ALL ON `{name}`.* TO %s@'%%'", (user,))
    yield user
    with con.cursor() as cur:
        cur.execute("DROP USER %s@'%%'", (user,))
    con.close()
    del pymysql


@pytest.mark.parametrize("backend", ["mariadb"])
def test_a_percent_encoded_user_and_password_in_db_are_decoded_on_mariadb(env, url, mariadb_user):
    """Issue 15.9: the password with `# @ / : % ?` percent-encoded in --db was sent encoded."""
    name = url.rsplit("/", 1)[1]
    given = f"mysql://{quote(mariadb_user, safe='')}:{quote(HOSTILE_PASSWORD, safe='')}@127.0.0.1:3306/{name}"
    result = run(env, "customers", "--db", given, "--user", "anna")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(" Virtanen Oy")
    wrong = given.replace(quote(HOSTILE_PASSWORD, safe=""), "wrong")
    refused = run(env, "customers", "--db", wrong, "--user", "anna")
    assert refused.returncode == 1 and "cannot open database" in refused.stderr and "Access denied" in refused.stderr


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_percent_encoded_user_in_db_is_decoded_on_postgres(env, url):
    """PostgreSQL here trusts loopback (no password is checked), so the role's name tells: the
    server must get `pt_…@x:y/z`, not its %-encoded spelling."""
    import psycopg2

    from conftest import POSTGRES_URL

    role = f"pt_{uuid.uuid4().hex[:6]}@x:y/z"
    name = url.rsplit("/", 1)[1]
    con = psycopg2.connect(POSTGRES_URL)
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute(f'CREATE ROLE "{role}" LOGIN PASSWORD %s', (HOSTILE_PASSWORD,))
        cur.execute(f'GRANT ALL ON DATABASE "{name}" TO "{role}"')
    try:
        given = f"postgresql://{quote(role, safe='')}:{quote(HOSTILE_PASSWORD, safe='')}@127.0.0.1:5432/{name}"
        result = run(env, "check", "--db", given)
        assert "cannot open database" not in result.stderr, result.stderr
        assert "does not exist" not in result.stderr
        assert HOSTILE_PASSWORD not in result.stdout + result.stderr
    finally:
        with con.cursor() as cur:
            cur.execute(f'DROP OWNED BY "{role}"')
            cur.execute(f'DROP ROLE "{role}"')
        con.close()
