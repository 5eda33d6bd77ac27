"""One database, several companies: a session sees and touches only its own company's rows.
And every write fills Pupesoft's audit columns from the session's user."""

from __future__ import annotations

import datetime as dt

import pytest

from pupetui import db
from pupetui.models import Activity, Customer, InvoiceRow, SavedForm, SavedSearch, User

A = "acme"
B = "beta"


@pytest.fixture
def two_companies(database):
    """Three customers in company A, two in company B."""
    with db.session(B, "bob"):
        b_rows = [Customer.create(name=n, city="Turku") for n in ("Beta Åke", "Beta Öljy")]
    with db.session(A, "anna"):
        a_rows = [Customer.create(name=n, city="Oulu") for n in ("Acme Ärrä", "Acme Öky", "Acme Åsa")]
    return {A: a_rows, B: b_rows}


def _names_of(company):
    with db.session(company, "checker"):
        return sorted(c.name for c in Customer.select())


def test_select_and_count_see_only_own_company(two_companies):
    with db.session(A, "anna"):
        assert sorted(c.name for c in Customer.select()) == sorted(["Acme Ärrä", "Acme Öky", "Acme Åsa"])
        assert Customer.select().count() == 3
        assert Customer.select().where(Customer.city == "Turku").count() == 0
        assert not Customer.select().where(Customer.name == "Beta Åke").exists()
    with db.session(B, "bob"):
        assert Customer.select().count() == 2


def test_get_cannot_reach_the_other_company(two_companies):
    b_row = two_companies[B][0]
    with db.session(A, "anna"):
        with pytest.raises(Customer.DoesNotExist):
            Customer.get_by_id(b_row.id)
        with pytest.raises(Customer.DoesNotExist):
            Customer.get(Customer.name == "Beta Åke")
        assert Customer.get_or_none(Customer.id == b_row.id) is None
        assert Customer.select().where(Customer.id == b_row.id).first() is None


def test_or_conditions_stay_in_the_company(two_companies):
    """A filter with OR (e.g. name or city matches) must not open the door to company B."""
    with db.session(A, "anna"):
        q = Customer.select().where((Customer.name == "Beta Åke") | (Customer.city == "Turku"))
        assert q.count() == 0
        q = Customer.select().where(Customer.city == "Oulu").orwhere(Customer.city == "Turku")
        assert sorted(c.name for c in q) == sorted(["Acme Ärrä", "Acme Öky", "Acme Åsa"])


def test_update_without_where_changes_only_own_company(two_companies):
    with db.session(A, "anna"):
        changed = Customer.update(name="Kaikki muutettu").execute()
        assert changed == 3
    assert _names_of(A) == ["Kaikki muutettu"] * 3
    assert _names_of(B) == ["Beta Åke", "Beta Öljy"]


def test_update_by_id_of_other_company_changes_nothing(two_companies):
    b_row = two_companies[B][0]
    with db.session(A, "anna"):
        assert Customer.update(name="Kaapattu").where(Customer.id == b_row.id).execute() == 0
        # nor can an instance of company B, loaded across companies, be saved from A
        stray = Customer.select_all_companies().where(Customer.id == b_row.id).get()
        stray.name = "Kaapattu"
        stray.save()
    assert _names_of(B) == ["Beta Åke", "Beta Öljy"]


def test_delete_without_where_deletes_only_own_company(two_companies):
    with db.session(A, "anna"):
        assert Customer.delete().execute() == 3
        assert Customer.select().count() == 0
    assert _names_of(B) == ["Beta Åke", "Beta Öljy"]


def test_delete_by_id_of_other_company_deletes_nothing(two_companies):
    b_row = two_companies[B][0]
    with db.session(A, "anna"):
        assert Customer.delete().where(Customer.id == b_row.id).execute() == 0
        assert Customer.delete_by_id(b_row.id) == 0
    assert _names_of(B) == ["Beta Åke", "Beta Öljy"]


def test_inserts_get_the_sessions_company(database):
    with db.session(A, "anna"):
        c1 = Customer.create(name="Luotu create")
        c2 = Customer(name="Luotu save")
        c2.save()
        Customer.insert(name="Luotu insert").execute()
        Customer.insert_many([{"name": "Luotu many 1"}, {"name": "Luotu many 2"}]).execute()
    rows = list(Customer.select_all_companies())
    assert len(rows) == 5
    assert {r.company for r in rows} == {A}
    assert {c1.company, c2.company} == {A}


def test_select_all_companies_sees_both(two_companies):
    with db.session(A, "anna"):
        assert Customer.select_all_companies().count() == 5
        companies = {c.company for c in Customer.select_all_companies()}
    assert companies == {A, B}


def test_without_a_session_queries_refuse(database):
    db.end_session()
    with pytest.raises(db.NoSession):
        Customer.select().count()
    with pytest.raises(db.NoSession):
        list(Customer.select())
    with pytest.raises(db.NoSession):
        Customer.get_or_none(Customer.id == 1)
    with pytest.raises(db.NoSession):
        Customer.update(name="x").execute()
    with pytest.raises(db.NoSession):
        Customer.delete().execute()
    with pytest.raises(db.NoSession):
        Customer.create(name="Ilman istuntoa")
    with pytest.raises(db.NoSession):
        Customer.insert(name="Ilman istuntoa").execute()
    # nothing was written
    assert database.execute_sql("SELECT COUNT(*) FROM asiakas").fetchone()[0] == 0


def test_session_block_restores_the_previous_session(database):
    db.start_session(A, "anna")
    with db.session(B, "bob"):
        assert db.current() == db.Session(B, "bob")
    assert db.current() == db.Session(A, "anna")
    db.end_session()
    assert not db.has_session()


def test_models_of_other_tables_are_scoped_too(database):
    with db.session(B, "bob"):
        User.create(login="bob", name="Bob Bäckström")
        Activity.create(kind="Memo", text="B:n muistio")
    with db.session(A, "anna"):
        User.create(login="anna", name="Anna")
        assert [u.login for u in User.select()] == ["anna"]
        assert Activity.select().count() == 0
        assert Activity.update(text="x").execute() == 0
        assert User.delete().execute() == 1
    with db.session(B, "bob"):
        assert Activity.get().text == "B:n muistio"
        assert User.get().login == "bob"


# -- audit columns -----------------------------------------------------------------

def _close_to_now(value: dt.datetime, seconds: int = 5) -> bool:
    return value is not None and abs((dt.datetime.now() - value).total_seconds()) <= seconds


LONG_AGO = dt.datetime(2020, 1, 2, 3, 4, 5)


def test_create_fills_all_four_audit_columns(database):
    with db.session(A, "anna"):
        c = Customer.create(name="Auditoitu")
        back = Customer.get_by_id(c.id)
    assert back.created_by == "anna"
    assert back.modified_by == "anna"
    assert _close_to_now(back.created_at), back.created_at
    assert _close_to_now(back.modified_at), back.modified_at


def _age(model, pk):
    """Make a row look as if written long ago by someone else."""
    model.update(
        {model.created_at: LONG_AGO, model.created_by: "vanha",
         **({model.modified_at: LONG_AGO, model.modified_by: "vanha"}
            if hasattr(model, "modified_at") else {})}
    ).where(model.id == pk).execute()


def test_save_by_another_user_changes_modified_not_created(database):
    with db.session(A, "anna"):
        c = Customer.create(name="Alkuperäinen")
        _age(Customer, c.id)
    with db.session(A, "bertta"):
        row = Customer.get_by_id(c.id)
        row.name = "Bertan muutos"
        row.save()
        back = Customer.get_by_id(c.id)
    assert back.name == "Bertan muutos"
    assert back.modified_by == "bertta"
    assert _close_to_now(back.modified_at)
    assert back.created_by == "vanha"
    assert back.created_at == LONG_AGO


def test_save_only_some_fields_still_stamps_modified(database):
    with db.session(A, "anna"):
        c = Customer.create(name="Alku", city="Oulu")
        _age(Customer, c.id)
    with db.session(A, "bertta"):
        row = Customer.get_by_id(c.id)
        row.city = "Kemi"
        row.save(only=[Customer.city])
        back = Customer.get_by_id(c.id)
    assert back.city == "Kemi"
    assert back.modified_by == "bertta"
    assert _close_to_now(back.modified_at)
    assert back.created_at == LONG_AGO


def test_update_query_fills_modified(database):
    with db.session(A, "anna"):
        c = Customer.create(name="Alku")
        _age(Customer, c.id)
    with db.session(A, "cecilia"):
        assert Customer.update(city="Jyväskylä").where(Customer.id == c.id).execute() == 1
        back = Customer.get_by_id(c.id)
    assert back.city == "Jyväskylä"
    assert back.modified_by == "cecilia"
    assert _close_to_now(back.modified_at)
    assert back.created_by == "vanha"
    assert back.created_at == LONG_AGO


def test_insert_queries_fill_audit(database):
    with db.session(A, "anna"):
        Customer.insert(name="Insert").execute()
        Customer.insert_many([{"name": "Many"}]).execute()
        rows = list(Customer.select())
    assert len(rows) == 2
    for r in rows:
        assert r.created_by == "anna" and r.modified_by == "anna"
        assert _close_to_now(r.created_at) and _close_to_now(r.modified_at)


def test_muisti_audit_columns_muokannut_muokattu(database):
    with db.session(A, "anna"):
        s = SavedSearch.create(search="sql-query", name="Haku", variable="query", value="SELECT 1")
        back = SavedSearch.get_by_id(s.id)
        assert back.created_by == "anna" and back.modified_by == "anna"
        assert _close_to_now(back.created_at) and _close_to_now(back.modified_at)
        _age(SavedSearch, s.id)
    with db.session(A, "bertta"):
        row = SavedSearch.get_by_id(s.id)
        row.value = "SELECT 2"
        row.save()
        back = SavedSearch.get_by_id(s.id)
    assert back.modified_by == "bertta" and _close_to_now(back.modified_at)
    assert back.created_by == "vanha" and back.created_at == LONG_AGO
    # the Pupesoft column names are the ones written
    q = "`" if db.is_mysql(database) else '"'
    raw = database.execute_sql(
        f"SELECT {q}laatija{q}, {q}muokannut{q} FROM {q}muisti{q}"
    ).fetchone()
    assert tuple(raw) == ("vanha", "bertta")


def test_tilausrivi_audit_columns_laatija_laadittu(database):
    with db.session(A, "anna"):
        r = InvoiceRow.create(kind="L", product_no="X")
        back = InvoiceRow.get_by_id(r.id)
        assert back.created_by == "anna"
        assert _close_to_now(back.created_at)
        InvoiceRow.update(created_at=LONG_AGO).execute()
    with db.session(A, "bertta"):
        row = InvoiceRow.get_by_id(r.id)
        row.product_no = "Y"
        row.save()
        back = InvoiceRow.get_by_id(r.id)
    assert back.product_no == "Y"
    assert back.created_by == "anna" and back.created_at == LONG_AGO


def test_tallennetut_parametrit_has_only_created(database):
    with db.session(A, "anna"):
        f = SavedForm.create(title="Lomake", application="db_sql_query.php", data="{}")
        back = SavedForm.get_by_id(f.id)
        assert back.created_by == "anna" and _close_to_now(back.created_at)
        SavedForm.update(created_at=LONG_AGO).execute()
    with db.session(A, "bertta"):
        row = SavedForm.get_by_id(f.id)
        row.data = '{"a": 1}'
        row.save()
        assert SavedForm.update(title="Uusi nimi").execute() == 1
        back = SavedForm.get_by_id(f.id)
    assert back.data == '{"a": 1}' and back.title == "Uusi nimi"
    assert back.created_by == "anna" and back.created_at == LONG_AGO


def test_explicit_audit_values_are_kept(database):
    """Importing history: a creator and time given explicitly are not overwritten."""
    with db.session(A, "anna"):
        c = Customer.create(name="Tuotu", created_by="pupesoft", created_at=LONG_AGO)
        back = Customer.get_by_id(c.id)
    assert back.created_by == "pupesoft" and back.created_at == LONG_AGO
