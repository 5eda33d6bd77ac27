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
        assert (row.owner, row.application, row.title) == ("anna", "/db_sql_query.php", "Turun asiakkaat")
        assert '"table";s:7:"asiakas"' in row.data  # Pupesoft's form, serialised as PHP does
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


# -- saved queries as Pupesoft's rows (issue #16) ---------------------------------------------

def _pupesoft_row(owner, name, data, application="/db_sql_query.php"):
    from pupetui.services import phpserial

    with db.session("acme", owner):
        return SavedForm.create(owner=owner, title=name, application=application,
                                data=data if isinstance(data, str) else phpserial.dumps(data)).id


def test_php_serialise_round_trip_and_lengths_as_pupesoft_counts_them():
    from pupetui.services import phpserial

    value = {"table": "asiakas", "kentat": {"asiakas.nimi": "asiakas.nimi"}, "rajaus": {"asiakas.nimi": "Kärk"}, "7": "x"}
    text = phpserial.dumps(value)
    # PHP's serialize() of the same array read over latin1 (php -r 'echo serialize(...)')
    assert text == ('a:4:{s:5:"table";s:7:"asiakas";s:6:"kentat";a:1:{s:12:"asiakas.nimi";s:12:"asiakas.nimi";}'
                    's:6:"rajaus";a:1:{s:12:"asiakas.nimi";s:4:"Kärk";}i:7;s:1:"x";}')
    assert phpserial.loads(text)["rajaus"] == {"asiakas.nimi": "Kärk"}
    assert phpserial.loads('s:5:"Kärk";') == "Kärk"  # written by a PHP that talked UTF-8: bytes
    for bad in ("", "s:9:\"Kärk\";", "O:8:\"stdClass\":0:{}", "a:1:{s:1:\"a\";", "{\"table\": 1}"):
        with pytest.raises(phpserial.PhpSerialError):
            phpserial.loads(bad)


def test_a_query_saved_in_pupesofts_form_is_listed_for_its_table_and_runs(acme):
    everything = ["tunnus", "yhtio", "nimi", "postitp", "asiakasnro"]
    q = {c: f"asiakas.{c}" for c in everything}
    _pupesoft_row("pekka", "Turkulaiset", {
        "table": "asiakas", "sarakkeet": {v: v for v in q.values()},
        "operaattori": {**{v: "" for v in q.values()}, "asiakas.postitp": "on"},
        "rajaus": {**{v: "" for v in q.values()}, "asiakas.postitp": "Turku"},
        "jarjestys": {**{v: "" for v in q.values()}, "asiakas.asiakasnro": "2", "asiakas.nimi": "1"},
        "kentat": {"asiakas.nimi": "asiakas.nimi", "asiakas.asiakasnro": "asiakas.asiakasnro"}, "AJASQL": "Suorita",
    })
    with db.session("acme", "anna"):
        assert Q.saved_queries("lasku") == []
        [saved] = Q.saved_queries("asiakas")
        assert (saved.name, saved.owner, saved.owner_name, saved.mine, saved.problem) == ("Turkulaiset", "pekka", "Pekka", False, "")
        assert {f.column: (f.show, f.operator, f.value, f.sort) for f in saved.spec.fields} == {
            "nimi": (True, "", "", 1), "postitp": (False, "=", "Turku", 0), "asiakasnro": (True, "", "", 2)}
        Q.check_saved(saved)
        assert [r[0] for r in Q.run(Q.build(saved.spec))] == ["Mäkinen Ky", "O'Brien; DROP TABLE asiakas --"]


def test_pupesofts_queries_pupetui_cannot_run_are_listed_and_refused_with_the_reason(acme):
    _pupesoft_row("pekka", "Toimittajat", {"table": "asiakas", "asiakkaanavainsana_join": "on",
                                           "kentat": {"asiakas.nimi": "asiakas.nimi",
                                                      "asiakkaan_avainsanat.laji": "asiakkaan_avainsanat.laji"}})
    _pupesoft_row("pekka", "Jokerit", {"table": "asiakas", "kentat": {"asiakas.nimi": "asiakas.nimi"},
                                       "operaattori": {"asiakas.nimi": "like"}, "rajaus": {"asiakas.nimi": "100%"}})
    _pupesoft_row("pekka", "Rikki", 'a:1:{s:5:"table";s:7:"asiakas";s:6:"kentat";a:1:{')
    _pupesoft_row("pekka", "Muu ohjelma", {"table": "asiakas"}, application="/raportit/ostoraportti.php")
    _pupesoft_row("poistunut", "Entisen", {"table": "asiakas", "kentat": {"asiakas.nimi": "asiakas.nimi"}})
    with db.session("acme", "anna"):
        listed = {q.name: q for q in Q.saved_queries("asiakas")}
        assert set(listed) == {"Toimittajat", "Jokerit", "Rikki"}  # of the company's users, of this program
        for name, said in (("Toimittajat", "asiakkaan_avainsanat"), ("Jokerit", "wildcards"), ("Rikki", "cannot be read")):
            with pytest.raises(Q.Unmappable, match=said):
                Q.check_saved(listed[name])


def test_saving_writes_pupesofts_form_and_refuses_what_it_cannot_hold(acme):
    from pupetui.services import phpserial

    spec = Q.QuerySpec("lasku", [F("tunnus", show=True, sort=2), F("arvo", show=True, sort=1),
                                 F("tapvm", operator=">=", value="3.1.2026"), F("arvo", operator="in", value="201, 301.5")])
    with db.session("acme", "anna"):
        qid = Q.save("Laskut", spec)
        row = SavedForm.get_by_id(qid)
        assert (row.application, row.owner, row.created_by) == ("/db_sql_query.php", "anna", "anna")
        data = phpserial.loads(row.data)
        assert data["table"] == "lasku" and data["AJASQL"] == "Suorita"
        assert set(data["sarakkeet"]) == {f"lasku.{c.name}" for c in db.database.obj.get_columns("lasku")}
        assert data["kentat"] == {"lasku.tunnus": "lasku.tunnus", "lasku.arvo": "lasku.arvo"}
        assert (data["operaattori"]["lasku.tapvm"], data["rajaus"]["lasku.tapvm"]) == ("gte", "2026-01-03")
        assert (data["operaattori"]["lasku.arvo"], data["rajaus"]["lasku.arvo"]) == ("in", "201,301.5")
        assert (data["jarjestys"]["lasku.arvo"], data["jarjestys"]["lasku.tunnus"], data["jarjestys"]["lasku.nimi"]) == ("1", "2", "")
        [saved] = Q.saved_queries("lasku")
        assert list(Q.run(Q.build(saved.spec))) == list(Q.run(Q.build(spec)))
        refused = [
            (Q.QuerySpec("asiakas", [F("nimi", show=True), F("nimi", operator="not in", value="x")]), "nimi", "no “not in”"),
            (Q.QuerySpec("asiakas", [F("nimi", show=True), F("email", operator="empty")]), "email", "is empty"),
            (Q.QuerySpec("asiakas", [F("nimi", show=True, sort=-1)]), "nimi", "descending"),
            (Q.QuerySpec("asiakas", [F("nimi", show=True), F("nimi", operator="like", value="100%")]), "nimi", "wildcards"),
            (Q.QuerySpec("asiakas", [F("nimi", show=True), F("nimi", operator="=", value="a"),
                                     F("nimi", operator="=", value="b")]), "nimi", "one restriction"),
        ]
        for bad, column, said in refused:
            with pytest.raises(Q.FieldError, match=said) as exc:
                Q.save("Ei", bad)
            assert exc.value.field == column
        with pytest.raises(Q.FieldError, match="cannot be stored"):
            Q.save("Ei", Q.QuerySpec("asiakas", [F("nimi", show=True), F("nimi", operator="=", value="Ωmega")]))
        for name in ("a#b", "Ωmega"):
            with pytest.raises(ValidationError) as bad_name:
                Q.save(name, spec)
            assert bad_name.value.field == "name"
        assert [q.name for q in Q.saved_queries()] == ["Laskut"]
        # Pupesoft's input rule, as its own form applies it: " ' < > \ ; are removed from names and values
        Q.save("O'Brien; x", Q.QuerySpec("asiakas", [F("nimi", show=True), F("nimi", operator="=", value="<b>O'Brien</b>")]))
        [cleaned] = [q for q in Q.saved_queries() if q.name != "Laskut"]
        assert cleaned.name == "OBrien x"
        assert [f.value for f in cleaned.spec.fields if f.operator] == ["bOBrien/b"]


def test_a_query_an_older_pupetui_saved_is_still_read_and_saving_it_again_writes_pupesofts_row(acme):
    import json

    _pupesoft_row("anna", "Vanha", json.dumps({"table": "asiakas", "fields": [{"column": "nimi", "show": True, "sort": 1}]}),
                  application="db_sql_query.php")
    with db.session("acme", "anna"):
        [old] = Q.saved_queries()
        assert (old.name, old.legacy) == ("Vanha", True)
        assert len(list(Q.run(Q.build(old.spec)))) == 5
        Q.save("Vanha", old.spec)
        assert [(r.application, r.data[:2]) for r in SavedForm.select()] == [("/db_sql_query.php", "a:")]
        [new] = Q.saved_queries()
        assert (new.name, new.legacy) == ("Vanha", False)


def test_the_path_pupesoft_saves_under_is_found_from_its_rows(acme):
    with db.session("acme", "anna"):
        assert Q.application() == "/db_sql_query.php"
    _pupesoft_row("pekka", "Ostot", {"table": "x"}, application="/pupesoft/raportit/ostoraportti.php")
    with db.session("acme", "anna"):
        assert Q.application() == "/pupesoft/db_sql_query.php"
        Q.save("Nimet", Q.QuerySpec("asiakas", [F("nimi", show=True)]))
        assert [q.name for q in Q.saved_queries()] == ["Nimet"]
        assert SavedForm.get(SavedForm.title == "Nimet").application == "/pupesoft/db_sql_query.php"
