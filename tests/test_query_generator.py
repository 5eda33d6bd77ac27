"""The query generator on all four databases: every operator and column type compared with
hand-written SQL on the same data, hostile values matched literally, company scoping, saved
queries and their ownership, the Excel file read back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import peewee
import pytest

from legacy import legacy_create  # the hostile name is a row left by an older program
from pupetui import db
from pupetui.models import Customer, Invoice, Permission, SavedForm, User
from pupetui.services import query_generator as Q
from pupetui.services.auth import AccessDenied
from pupetui.services.export import write_xlsx
from pupetui.services.validation import ValidationError

F = Q.FieldSpec


@pytest.fixture
def acme(database):
    with db.session("acme", "anna"):
        for login in ("anna", "pekka"):
            User.create(login=login, name=login.title(), password_md5="0" * 32)
            Permission.create(login=login, script="db_sql_query.php")
        names = ["Virtanen Oy", "O'Brien; DROP TABLE asiakas --", "100% Laatu_Oy", "Mäkinen Ky", "Tyhjä"]
        for i, name in enumerate(names):
            legacy_create(Customer, name=name, customer_no=str(1000 + i), city="Turku" if i % 2 else "Helsinki",
                            salesperson_no=i, email="" if i == 4 else f"x{i}@example.fi")
            Invoice.create(customer_id=i + 1, net=Decimal("100.50") * (i + 1), invoice_date=dt.date(2026, 1, 1 + i),
                           state="L", substate="X", picking_at=dt.datetime(2026, 1, 1 + i, 10, 30))
        Invoice.create(net=Decimal("1"), state="N")  # no invoice date: Pupesoft's zero date
    with db.session("other", "anna"):
        Customer.create(name="Virtanen Toinen", customer_no="1000")
    yield


def run(spec):
    with db.session("acme", "anna"):
        return [r for r in Q.run(Q.build(spec))]


def names(spec):
    return sorted(r[0] for r in run(spec))


def customers(*conds, show="nimi"):
    fields = [F(show, show=True)] + [F(c, operator=o, value=v) for c, o, v in conds]
    return Q.QuerySpec("asiakas", fields)


def test_tables_and_columns(acme):
    with db.session("acme", "anna"):
        assert {"asiakas", "lasku", "kalenteri", "kuka"} <= set(Q.tables())
        kinds = {c.name: c.kind for c in Q.columns("lasku")}
        assert (kinds["arvo"], kinds["tapvm"], kinds["luontiaika"], kinds["liitostunnus"], kinds["nimi"]) == (
            "decimal", "date", "datetime", "int", "text")
        assert not {"salasana", "session", "api_key"} & {c.name for c in Q.columns("kuka")}
        with pytest.raises(ValidationError):
            Q.columns("sqlite_master")


def test_text_operators(acme):
    assert names(customers(("nimi", "=", "Virtanen Oy"))) == ["Virtanen Oy"]
    assert len(names(customers(("nimi", "!=", "Virtanen Oy")))) == 4
    assert names(customers(("nimi", "like", "virt"))) in (["Virtanen Oy"], [])  # case per engine collation
    assert names(customers(("nimi", "like", "Virt"))) == ["Virtanen Oy"]
    assert names(customers(("nimi", "contains", "äkine"))) == ["Mäkinen Ky"]
    assert names(customers(("postitp", "in", 'Turku, "Nowhere, Inc"'))) == ["Mäkinen Ky", "O'Brien; DROP TABLE asiakas --"]
    assert len(names(customers(("postitp", "not in", "Turku")))) == 3
    assert names(customers(("email", "empty", ""))) == ["Tyhjä"]
    assert len(names(customers(("email", "not empty", "")))) == 4


def test_hostile_values_match_literally(acme):
    assert names(customers(("nimi", "=", "O'Brien; DROP TABLE asiakas --"))) == ["O'Brien; DROP TABLE asiakas --"]
    assert names(customers(("nimi", "like", "100%"))) == ["100% Laatu_Oy"]
    assert names(customers(("nimi", "like", "1%0"))) == []
    assert names(customers(("nimi", "contains", "_"))) == ["100% Laatu_Oy"]
    assert names(customers(("nimi", "contains", "u_O"))) == ["100% Laatu_Oy"]
    assert names(customers(("nimi", "contains", "a_O"))) == []  # _ is not a wildcard
    assert names(customers(("nimi", "=", "x' OR '1'='1"))) == []
    assert names(customers(("nimi", "in", "'a', b); DELETE FROM asiakas; --"))) == []
    with db.session("acme", "anna"):
        assert Customer.select().count() == 5


def test_number_and_date_operators_against_hand_written_sql(acme, database):
    spec = Q.QuerySpec("lasku", [F("arvo", show=True, sort=1), F("arvo", operator=">=", value="201"),
                                 F("tapvm", operator="<", value="4.1.2026")])
    got = [r[0] for r in run(spec)]
    mark = "%s" if not isinstance(database, peewee.SqliteDatabase) else "?"
    hand = database.execute_sql(
        f"SELECT arvo FROM lasku WHERE yhtio = {mark} AND arvo >= {mark} AND tapvm < {mark} ORDER BY arvo",
        ("acme", 201, "2026-01-04")).fetchall()
    assert [Decimal(str(x)) for x in got] == [Decimal(str(r[0])) for r in hand] == [Decimal("201.00"), Decimal("301.50")]
    assert len(run(Q.QuerySpec("lasku", [F("tunnus", show=True), F("tapvm", operator="empty")]))) == 1
    assert len(run(Q.QuerySpec("lasku", [F("tunnus", show=True), F("tapvm", operator="not empty")]))) == 5
    assert len(run(Q.QuerySpec("lasku", [F("tunnus", show=True), F("kerayspvm", operator=">", value="3.1.2026 10:00")]))) == 3
    assert len(run(Q.QuerySpec("lasku", [F("tunnus", show=True), F("liitostunnus", operator="in", value="1, 2, 3")]))) == 3
    assert len(run(Q.QuerySpec("lasku", [F("tunnus", show=True), F("arvo", operator="<=", value="100,50")]))) == 2
    assert len(run(Q.QuerySpec("lasku", [F("tunnus", show=True), F("liitostunnus", operator="like", value="1")]))) == 1


@pytest.mark.parametrize("column, op, value", [
    ("liitostunnus", "=", "abc"), ("arvo", ">", "paljon"), ("tapvm", "=", "32.1.2026"),
    ("tapvm", "<", "tomorrow"), ("liitostunnus", "in", "1, x"), ("nimi", "in", ""), ("nimi", "bogus", "x"),
    # too large for a database to bind or compare (SQLite's driver, PostgreSQL's numeric)
    ("liitostunnus", "=", "9" * 30), ("liitostunnus", "in", "1, " + "9" * 400), ("arvo", ">", "1e999999"),
    ("arvo", "<", "-1e-999999"), ("arvo", ">", "9" * 70),
])
def test_bad_values_named_at_their_row(acme, column, op, value):
    with db.session("acme", "anna"):
        with pytest.raises(ValidationError) as err:
            Q.build(Q.QuerySpec("lasku", [F("tunnus", show=True), F(column, operator=op, value=value)]))
        assert err.value.field == column


def test_the_largest_numbers_every_engine_takes_run(acme):
    assert run(Q.QuerySpec("lasku", [F("tunnus", show=True), F("liitostunnus", operator="=", value=str(2**63 - 1))])) == []
    assert run(Q.QuerySpec("lasku", [F("tunnus", show=True), F("liitostunnus", operator=">", value=str(-2**63))]))
    assert run(Q.QuerySpec("lasku", [F("tunnus", show=True), F("arvo", operator=">", value="9" * 60)])) == []


def test_always_scoped_to_the_company(acme):
    assert names(customers(("nimi", "like", "Virtanen"))) == ["Virtanen Oy"]
    with db.session("acme", "anna"):
        built = Q.build(customers(("nimi", "like", "V")))
        assert "yhtio" in built.sql()[0] and "acme" in built.sql()[1]
        text = built.formatted_sql()
        assert text.startswith("SELECT") and "'acme'" in text and "'V%'" in text


def test_sorting_by_priorities(acme):
    spec = Q.QuerySpec("asiakas", [F("postitp", show=True, sort=1), F("nimi", show=True, sort=-2)])
    assert [r[1] for r in run(spec)] == ["Virtanen Oy", "Tyhjä", "100% Laatu_Oy", "O'Brien; DROP TABLE asiakas --", "Mäkinen Ky"]


def test_saved_queries_everyones_visible_only_own_changed(acme):
    spec = customers(("postitp", "=", "Turku"))
    with db.session("acme", "anna"):
        qid = Q.save("Turun asiakkaat", spec)
        assert Q.save("Turun asiakkaat", customers(("postitp", "=", "Helsinki"))) == qid  # overwrite own
        row = SavedForm.get_by_id(qid)
        assert (row.owner, row.application, row.title) == ("anna", "db_sql_query.php", "Turun asiakkaat")
    with db.session("acme", "pekka"):
        listed = Q.saved_queries("asiakas")
        assert [(q.name, q.owner, q.mine) for q in listed] == [("Turun asiakkaat", "anna", False)]
        assert names(listed[0].spec) == ["100% Laatu_Oy", "Tyhjä", "Virtanen Oy"]  # anyone's can run
        with pytest.raises(AccessDenied):
            Q.delete_saved(qid)
        mine = Q.save("Turun asiakkaat", spec)  # pekka gets his own, anna's stays
        assert mine != qid and SavedForm.get_by_id(qid).owner == "anna"
        Q.delete_saved(mine)
    with db.session("acme", "anna"):
        Q.delete_saved(qid)
        assert Q.saved_queries() == []
        Permission.delete().where(Permission.login == "anna").execute()
        with pytest.raises(AccessDenied):
            Q.saved_queries()


def test_excel_types_read_back(acme, tmp_path):
    spec = Q.QuerySpec("lasku", [F("liitostunnus", show=True, sort=1), F("arvo", show=True), F("tapvm", show=True),
                                 F("tapvm", operator="not empty")])
    with db.session("acme", "anna"):
        built = Q.build(spec)
        result = write_xlsx(tmp_path / "lasku.xlsx", built.headers, Q.run(built))
    assert result.rows == 5
    rows = list(openpyxl.load_workbook(tmp_path / "lasku.xlsx").active.values)
    assert rows[0] == ("liitostunnus", "arvo", "tapvm")
    assert rows[1][0] == 1 and rows[1][1] == pytest.approx(100.5)
    assert rows[1][2] in (dt.datetime(2026, 1, 1), "2026-01-01")


def test_long_values_are_cut_for_the_grid_and_whole_for_files(acme):
    from pupetui.models import Activity
    from pupetui.services.sql_values import Cut

    with db.session("acme", "anna"):
        Activity.create(kind="Muistutus", text="x" * 10_000, customer_id=1)
        spec = Q.QuerySpec("kalenteri", [F("kentta01", show=True), F("tyyppi", operator="=", value="Muistutus")])
        built = Q.build(spec)
        shown = list(Q.rows_for_showing(built))
        whole = list(Q.export_rows(built))
    assert isinstance(shown[0][0], Cut) and shown[0][0].size == 10_000
    assert shown[0][0].mark == "[cut: 10,000 characters]"
    assert whole == [("x" * 10_000,)]
