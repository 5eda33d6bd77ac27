"""The query generator never prints a secret (services.secrets: the one list), whatever names
it (the form, a saved query, one an older version saved, the CLI, a file), and with
`sql.readonly_url` its queries run on that read-only account, their values bound.

Pupesoft's layout (the `pupesoft` SQLite file, MariaDB) has every column here; on PostgreSQL
(pupetui's own schema) the test adds the ones a Pupesoft database there would have."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import urlparse

import openpyxl
import peewee
import pytest

from legacy import legacy_create  # rows an older program left: past pupetui's text rule
from pupetui import db
from pupetui.models import Company, CompanyParameters, Contact, Customer, Permission, SavedForm, User
from pupetui.services import query_generator as Q
from pupetui.services.secrets import SECRET_COLUMNS
from test_cli import env, run  # noqa: F401  (fixture and helper)

F = Q.FieldSpec
TAG = uuid.uuid4().hex[:6]
SECRETS = {  # (table, column) -> the value kept there
    ("yhtion_parametrit", "apix_avain"): f"Apix-{TAG}-key",
    ("yhtion_parametrit", "maventa_api_avain"): f"Maventa-{TAG}-key",
    ("yhtion_parametrit", "verkkosala_lah"): f"Lah-{TAG}-pass",
    ("yhtion_parametrit", "verkkosala_vas"): f"Vas-{TAG}-pass",
    ("yhteyshenkilo", "verkkokauppa_salasana"): f"Shop-{TAG}-pass",
    ("kuka", "salasana"): f"Hash-{TAG}-md5",
}
HARMLESS = {"yhtion_parametrit": "admin_email", "yhteyshenkilo": "nimi", "kuka": "nimi"}


@pytest.fixture(params=("pupesoft", "mariadb", "postgres"))
def backend(request) -> str:
    """The databases whose layout has the secret columns (SQLite here is Pupesoft's own file)."""
    return request.param


def _q(d: peewee.Database, name: str) -> str:
    return f"`{name}`" if isinstance(d, peewee.MySQLDatabase) else f'"{name}"'


@pytest.fixture
def acme(backend, database):
    """acme with anna (the right to the query generator), a contact and the company's
    parameters, every secret column holding a value of its own; another company too."""
    added = []
    for (table, column) in SECRETS:
        if column not in {c.name for c in database.get_columns(table)}:
            database.execute_sql(f"ALTER TABLE {_q(database, table)} ADD COLUMN {_q(database, column)} "
                                 "VARCHAR(100) NOT NULL DEFAULT ''")
            added.append((table, column))
    with db.session("acme", "setup"):
        Company.create(name="Acme Oy")
        CompanyParameters.create(admin_email="admin@acme.fi")
        User.create(login="anna", name="Anna", password_md5="")
        Permission.create(login="anna", script="db_sql_query.php")
        customer = Customer.create(name="Virtanen Oy", city="Turku", customer_no="1001")
        Contact.create(customer_id=customer.id, name="Ville Virtanen")
    p = database.param
    for (table, column), value in SECRETS.items():
        database.execute_sql(f"UPDATE {_q(database, table)} SET {_q(database, column)} = {p} WHERE yhtio = {p}",
                             (value, "acme"))
    yield database
    db.end_session()
    for table, column in added:
        database.execute_sql(f"ALTER TABLE {_q(database, table)} DROP COLUMN {_q(database, column)}")


def _no_secret_in(*texts: str) -> None:
    for text in texts:
        for value in SECRETS.values():
            assert value not in text, f"{value} leaked"


def _variants(column: str) -> list[str]:
    return [column, column.upper(), f" {column} ", f"`{column}`", f'"{column}"', column.title()]


def test_secret_columns_are_never_offered(acme):
    for (table, column), value in SECRETS.items():  # each value is there to be leaked, each column listed
        assert column in SECRET_COLUMNS[table]
        rows = acme.execute_sql(f"SELECT {_q(acme, column)} FROM {_q(acme, table)} WHERE yhtio = 'acme'").fetchall()
        assert (value,) in rows
    with db.session("acme", "anna"):
        for (table, column) in SECRETS:
            offered = [c.name for c in Q.columns(table)]
            assert HARMLESS[table] in offered
            assert column not in offered, f"{table}.{column} is offered"
            assert not any(c.lower() in SECRET_COLUMNS[table] for c in offered)


def test_no_way_of_naming_a_secret_prints_it(acme):
    """Shown, restricted on (an oracle) or sorted on; in any spelling; saving refused too."""
    with db.session("acme", "anna"):
        for (table, column), value in SECRETS.items():
            harmless = F(HARMLESS[table], show=True)
            specs = []
            for name in _variants(column):
                specs += [
                    Q.QuerySpec(table, [F(name, show=True)]),
                    Q.QuerySpec(table, [harmless, F(name, operator="like", value=value[:3])]),
                    Q.QuerySpec(table, [harmless, F(name, operator="=", value=value)]),
                    Q.QuerySpec(table, [harmless, F(name, operator="not empty")]),
                    Q.QuerySpec(table, [harmless, F(name, sort=1)]),
                ]
            specs.append(Q.QuerySpec(table.upper(), [F(column, show=True)]))
            for spec in specs:
                with pytest.raises(Q.SecretColumn) as refused:
                    Q.build(spec)
                assert f"{table}.{column}" in str(refused.value) and "secret" in str(refused.value)
                _no_secret_in(str(refused.value))
                with pytest.raises(Q.SecretColumn):
                    Q.save("Leak", spec)
            # the harmless column alone runs, and its rows hold no secret
            rows = list(Q.run(Q.build(Q.QuerySpec(table, [harmless]))))
            assert rows
            _no_secret_in(repr(rows))
        assert not SavedForm.select().where(SavedForm.title == "Leak").exists()


def _old_saved_queries() -> dict[str, tuple[str, str]]:
    """What an older version could save: one query per secret (the harmless column, the secret
    shown, restricted and sorted on), written straight into tallennetut_parametrit."""
    made = {}
    with db.session("acme", "anna"):
        for (table, column), value in SECRETS.items():
            name = f"Old {table}.{column}"
            data = {"table": table, "fields": [
                {"column": HARMLESS[table], "show": True, "operator": "", "value": "", "sort": 0},
                {"column": column, "show": True, "operator": "like", "value": value[:2], "sort": 1},
            ]}
            SavedForm.create(owner="anna", title=name, application=Q.APPLICATION, data=json.dumps(data))
            made[name] = (table, column)
    return made


def test_a_saved_query_of_an_older_version_is_refused(acme):
    made = _old_saved_queries()
    with db.session("acme", "anna"):
        listed = {q.name for q in Q.saved_queries()}
        assert set(made) <= listed  # listed (by name, owner and table: nothing secret)
        for name, (table, column) in made.items():
            saved = Q.find_saved(name)
            with pytest.raises(Q.SecretColumn) as refused:
                Q.refuse_secrets(saved.spec, saved.name)
            message = str(refused.value)
            assert name in message and f"{table}.{column}" in message and "refused" in message
            _no_secret_in(message)
            with pytest.raises(Q.SecretColumn):
                Q.build(saved.spec)


def test_the_cli_refuses_every_secret_and_writes_no_file(acme, _databases, backend, env, tmp_path):
    database_url = _databases(backend)
    made = _old_saved_queries()
    db.end_session()
    acme.close()
    base = ("--db", database_url, "--company", "acme", "--user", "anna")
    for name, (table, column) in made.items():
        result = run(env, "query", "run", name, *base)
        assert result.returncode == 3, result.stderr
        assert "refused" in result.stderr and f"{table}.{column}" in result.stderr
        _no_secret_in(result.stdout, result.stderr)
    path = tmp_path / "leak.xlsx"
    result = run(env, "query", "run", "Old kuka.salasana", "--xlsx", str(path), *base)
    assert result.returncode == 3 and "kuka.salasana" in result.stderr
    assert not path.exists() and not list(tmp_path.glob("*.partial"))
    # the harmless query of the same table runs and prints no secret
    db.connect(database_url)
    with db.session("acme", "anna"):
        Q.save("Settings", Q.QuerySpec("yhtion_parametrit", [F("admin_email", show=True)]))
    db.database.obj.close()
    result = run(env, "query", "run", "Settings", *base)
    assert result.returncode == 0, result.stderr
    assert "admin@acme.fi" in result.stdout
    _no_secret_in(result.stdout, result.stderr)
    xlsx = tmp_path / "settings.xlsx"
    assert run(env, "query", "run", "Settings", "--xlsx", str(xlsx), *base).returncode == 0
    cells = [str(c) for row in openpyxl.load_workbook(xlsx).active.values for c in row]
    assert "admin@acme.fi" in cells
    _no_secret_in(*cells)


# -- the read-only connection -------------------------------------------------------------------

@dataclass
class Settings:
    """What the service reads of the app's settings."""
    sql: dict = field(default_factory=dict)


HOSTILE = "O'Brien; DROP TABLE asiakas --"


def _customers(database):
    with db.session("acme", "setup"):
        for i, name in enumerate([HOSTILE, "100% Laatu_Oy", "1000 Laatu Oy", "Mäkinen Ky"]):
            legacy_create(Customer, name=name, city="Oulu", customer_no=str(2000 + i), email=f"c{i}@example.fi")
    with db.session("other", "setup"):
        Customer.create(name="100% Laatu_Oy", city="Oulu", customer_no="2001")


QUERIES = [
    Q.QuerySpec("asiakas", [F("nimi", show=True, sort=1), F("nimi", operator="=", value=HOSTILE)]),
    Q.QuerySpec("asiakas", [F("nimi", show=True, sort=1), F("nimi", operator="like", value="100%")]),
    Q.QuerySpec("asiakas", [F("nimi", show=True, sort=1), F("nimi", operator="contains", value="_Oy")]),
    Q.QuerySpec("asiakas", [F("asiakasnro", show=True, sort=-1), F("asiakasnro", operator="in", value="2000, 2003, 1001"),
                            F("postitp", operator="!=", value="Helsinki")]),
]


def test_on_readonly_url_the_rows_are_the_same_and_the_values_bound(acme, _databases, backend):
    """readonly_url = the database's own URL (opened read-only): the same rows as on the app's
    connection, hostile values matched literally, still only the session's company."""
    _customers(acme)
    settings = Settings({"readonly_url": _databases(backend), "timeout_seconds": 10})
    with db.session("acme", "anna"):
        for spec in QUERIES:
            built = Q.build(spec)
            main = [tuple(r) for r in Q.run(built)]
            readonly = [tuple(r) for r in Q.run(built, settings=settings)]
            assert readonly == main and main, spec
        one = Q.run(Q.build(QUERIES[1]), settings=settings)
        assert [r[0] for r in one] == ["100% Laatu_Oy"]  # not "1000 Laatu Oy", not the other company's
        assert [r[0] for r in Q.run(Q.build(QUERIES[0]), settings=settings)] == [HOSTILE]


@dataclass
class SettingsWithPasswords(Settings):
    smtp: dict = field(default_factory=dict)
    sms: dict = field(default_factory=dict)
    db: str = ""


def test_the_configured_passwords_are_stars_in_every_row(acme, _databases, backend):
    """A password of the settings that a row happens to hold (a note someone pasted it in) is
    *** in the generator's rows, as in the SQL search's, on either connection."""
    smtp, sms = f"Smtp-{TAG}-secret", f"Sms-{TAG}-secret"
    with db.session("acme", "setup"):
        Customer.create(name=f"Muistiin {smtp} ja {sms}", city="Oulu", customer_no="3000")
    spec = Q.QuerySpec("asiakas", [F("nimi", show=True), F("asiakasnro", operator="=", value="3000")])
    plain = Settings({"timeout_seconds": 10})
    for readonly in ("", _databases(backend)):
        settings = SettingsWithPasswords({"readonly_url": readonly, "timeout_seconds": 10},
                                         smtp={"password": smtp}, sms={"password": sms})
        with db.session("acme", "anna"):
            assert [r[0] for r in Q.run(Q.build(spec), settings=settings)] == ["Muistiin *** ja ***"]
            assert [r[0] for r in Q.run(Q.build(spec), settings=plain)] == [f"Muistiin {smtp} ja {sms}"]


@pytest.fixture
def mariadb_readonly(backend, acme, _databases):
    """A MariaDB account that may only SELECT: every table, the three with secrets without
    their secret columns (as the README says), and asiakas without its email column."""
    if backend != "mariadb":
        pytest.skip("the read-only account is made on MariaDB")
    u = urlparse(_databases(backend))
    dbname = u.path.lstrip("/")
    name = f"pupetui_qg_{uuid.uuid4().hex[:8]}"
    password = "Ro-" + uuid.uuid4().hex
    acme.execute_sql(f"CREATE USER '{name}'@'%%' IDENTIFIED BY '{password}'")
    try:
        limited = {**{t: set(c) for t, c in SECRET_COLUMNS.items()}, "asiakas": {"email"}}
        for table in acme.get_tables():
            if table not in limited:
                acme.execute_sql(f"GRANT SELECT ON `{dbname}`.`{table}` TO '{name}'@'%%'")
                continue
            columns = [c.name for c in acme.get_columns(table) if c.name not in limited[table]]
            acme.execute_sql(f"GRANT SELECT ({', '.join(f'`{c}`' for c in columns)}) ON `{dbname}`.`{table}` "
                             f"TO '{name}'@'%%'")
        yield SimpleNamespace(name=name, url=f"mysql://{name}:{password}@{u.hostname}:{u.port or 3306}/{dbname}",
                              admin_url=_databases(backend))
    finally:
        acme.execute_sql(f"DROP USER '{name}'@'%%'")


def test_with_readonly_url_the_query_runs_as_that_account(mariadb_readonly, acme, env, tmp_path):
    _customers(acme)
    settings = Settings({"readonly_url": mariadb_readonly.url, "timeout_seconds": 10})
    with db.session("acme", "anna"):
        names = [r[0] for r in Q.run(Q.build(QUERIES[1]), settings=settings)]
        assert names == ["100% Laatu_Oy"]
        # asiakas.email is not granted to the account: the server refuses it, naming the account
        emails = Q.build(Q.QuerySpec("asiakas", [F("nimi", show=True), F("email", show=True)]))
        assert len(list(Q.run(emails))) == 5  # the app's own account may read it
        with pytest.raises(Exception) as refused:
            list(Q.run(emails, settings=settings))
        assert mariadb_readonly.name in str(refused.value) and "denied" in str(refused.value)
        Q.save("Emails", Q.QuerySpec("asiakas", [F("nimi", show=True, sort=1), F("email", show=True)]))
        Q.save("Names", Q.QuerySpec("asiakas", [F("nimi", show=True, sort=1), F("nimi", operator="=", value="100% Laatu_Oy")]))
    db.end_session()
    base = ("--db", mariadb_readonly.admin_url, "--company", "acme", "--user", "anna")
    extra = {"PUPETUI_SQL__READONLY_URL": mariadb_readonly.url}
    result = run(env, "query", "run", "Names", *base, **extra)
    assert result.returncode == 0, result.stderr
    assert [line.strip() for line in result.stdout.splitlines()[2:]] == ["100% Laatu_Oy"]
    result = run(env, "query", "run", "Emails", *base, **extra)
    assert result.returncode == 1 and mariadb_readonly.name in result.stderr and "denied" in result.stderr
    assert "Ro-" not in result.stderr  # the account's password is not told
    path = tmp_path / "emails.xlsx"
    result = run(env, "query", "run", "Emails", "--xlsx", str(path), *base, **extra)
    assert result.returncode == 1 and not path.exists()
