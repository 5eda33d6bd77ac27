"""The demo dataset: deterministic, complete in both companies, consistent, and usable for logging in."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from decimal import Decimal

import peewee
import pytest

from pupetui import db
from pupetui.models import (
    ALL_MODELS,
    Activity,
    Company,
    CompanyParameters,
    Contact,
    Customer,
    CustomerDiscount,
    CustomerPrice,
    Invoice,
    InvoiceRow,
    Keyword,
    Permission,
    Product,
    User,
)
from pupetui.services import auth, demo, programs, schema

TODAY = dt.date(2025, 3, 14)
NOON = dt.datetime.combine(TODAY, dt.time(12, 0))
CUSTOMERS = 30
A, B = demo.DEMO_COMPANY, demo.SECOND_COMPANY


@pytest.fixture
def made(database):
    """The database of each backend with the demo data (30 customers) and its stats."""
    messages: list[str] = []
    stats = demo.generate(database, customers=CUSTOMERS, seed=1, today=TODAY, progress=messages.append)
    return database, stats, messages


def rows_of(model, company):
    with db.session(company, demo.DEMO_USER):
        return list(model.select().order_by(model.id))


# -- determinism -------------------------------------------------------------------------------


def digest(url: str, tables=("asiakas", "yhteyshenkilo", "lasku", "tilausrivi", "kalenteri", "asiakasalennus")) -> str:
    database = db.open_database(url)
    try:
        h = hashlib.sha256()
        for table in tables:
            for row in database.execute_sql(f'SELECT * FROM "{table}" ORDER BY tunnus'):
                h.update(repr(row).encode("utf-8"))
        return h.hexdigest()
    finally:
        database.close()


def fresh_sqlite(path, seed: int) -> str:
    url = f"sqlite:///{path}"
    database = db.open_database(url)
    schema.init(database)
    demo.generate(database, customers=CUSTOMERS, seed=seed, today=TODAY)
    database.close()
    return url


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(tmp_path):
    first = digest(fresh_sqlite(tmp_path / "one.sqlite3", seed=1))
    again = digest(fresh_sqlite(tmp_path / "two.sqlite3", seed=1))
    other = digest(fresh_sqlite(tmp_path / "three.sqlite3", seed=2))
    assert first == again
    assert first != other


# -- what is there ----------------------------------------------------------------------------


def test_every_table_has_rows_in_both_companies(made):
    database, stats, _ = made
    filled = (Company, CompanyParameters, User, Permission, Keyword, Customer, Contact,
              CustomerDiscount, CustomerPrice, Product, Invoice, InvoiceRow, Activity)
    for company in (A, B):
        for model in filled:
            assert rows_of(model, company), f"{model._meta.table_name} has no rows in {company}"
    assert len(rows_of(Customer, A)) == CUSTOMERS
    assert len(rows_of(Customer, B)) == 5  # a tenth, at least five
    for model in ALL_MODELS:
        table = model._meta.table_name
        assert model.select_all_companies().count() == stats.counts.get(table, 0), table


def test_companies_and_their_settings(made):
    companies = {c.company: c for c in Company.select_all_companies()}
    assert companies[A].name == "Demo Oy" and companies[B].name == "Esimerkki Ab"
    slots = {p.company: p for p in CompanyParameters.select_all_companies()}
    assert {slots[A].slot_minutes, slots[B].slot_minutes} == {30, 15}
    assert all("@" in p.mail_sender for p in slots.values())


def test_the_summary_and_the_progress_messages(made):
    _, stats, messages = made
    assert stats.counts["tilausrivi"] > 0
    summary = stats.summary(2.0)
    assert "tilausrivi" in summary and f"total {stats.total:,} rows" in summary and "rows/s" in summary
    assert messages and messages[-1].startswith("done")


# -- users and rights -------------------------------------------------------------------------


def test_users_log_in_with_their_passwords_and_the_inactive_cannot(made):
    assert auth.login(A, demo.DEMO_USER, demo.DEMO_PASSWORD, mode="password", delay=0).position == "MP"
    assert auth.login(B, demo.DEMO_USER, demo.DEMO_PASSWORD, mode="password", delay=0)
    for user in demo.USERS[A]:
        if user.active:
            assert auth.login(A, user.login, user.password, mode="password", delay=0).login == user.login
        else:
            with pytest.raises(auth.LoginFailed):
                auth.login(A, user.login, user.password, mode="password", delay=0)
    with pytest.raises(auth.LoginFailed):
        auth.login(A, demo.DEMO_USER, "väärä", mode="password", delay=0)


def test_users_have_email_mobile_and_the_salespeople_districts(made):
    users = {u.login: u for u in rows_of(User, A)}
    assert all("@" in u.email and u.mobile for u in users.values())
    assert [u.login for u in users.values() if not u.active] == ["pekkap"]
    salesperson = users["mattim"]
    assert salesperson.district_list == ["1", "2"] and not salesperson.is_sales_manager
    customers = rows_of(Customer, A)
    assert any(c.salesperson_no == salesperson.salesperson_no for c in customers)
    numbers = {u.salesperson_no for u in users.values() if u.salesperson_no}
    assert {c.salesperson_no for c in customers} <= numbers


def test_rights_demo_has_everything_the_warehouse_little(made):
    with db.session(A, demo.DEMO_USER):
        assert auth.allowed_programs(demo.DEMO_USER) == list(programs.PROGRAMS)
        assert auth.may_update(programs.CUSTOMER_EDIT, demo.DEMO_USER)
        assert auth.subnames(programs.SQL, demo.DEMO_USER) == {"", "SUPER"}
        assert auth.subnames(programs.SQL, "liisal") == {"READ"}
        warehouse = auth.allowed_programs("ville")
        assert 0 < len(warehouse) <= 2
        assert not auth.may_update(programs.CUSTOMERS, "ville")
        assert not auth.may_use(programs.CALENDAR, "ville")
    with db.session(B, demo.DEMO_USER):
        assert auth.allowed_programs(demo.DEMO_USER) == list(programs.PROGRAMS)


# -- keywords -----------------------------------------------------------------------------------


def test_keywords_of_every_kind_in_finnish_with_order(made):
    keywords = rows_of(Keyword, A)
    kinds = Counter(k.kind for k in keywords)
    for kind in ("KALETAPA", "ASIAKASOSASTO", "ASIAKASRYHMA", "PIIRI", "ASIAKASTILA", "OSASTO", "TRY"):
        assert kinds[kind] >= 3, kind
    assert all(k.language == "fi" and k.order > 0 and k.text for k in keywords)
    methods = {k.text: k.text_2 for k in keywords if k.kind == "KALETAPA"}
    for text in ("Puhelu", "Käynti asiakkaalla", "Sähköposti", "Palaveri", "Loma", "Lääkäri", "Osoitetarrat"):
        assert methods[text].startswith("#"), text
    used = {a.method for a in rows_of(Activity, A) if a.method}
    assert used <= set(methods)
    departments = {k.value for k in keywords if k.kind == "OSASTO"}
    groups = {k.value for k in keywords if k.kind == "TRY"}
    for product in rows_of(Product, A):
        assert str(product.department) in departments and str(product.product_group) in groups


# -- customers ----------------------------------------------------------------------------------


def test_customers_of_every_kind_with_finnish_and_hostile_names(made):
    customers = rows_of(Customer, A)
    kinds = Counter(c.kind for c in customers)
    assert kinds["H"] and kinds["R"] and kinds["P"] and kinds[""]
    assert {"SE", "EE", "DE"} <= {c.country for c in customers}
    names = {c.name for c in customers}
    assert "Oy [Ab] & Co" in names and "[bold]Markup[/bold] Oy" in names and "Tmi [/]" in names
    assert any(ch in name for name in names for ch in "äöåÄÖÅ")
    assert any(not c.phone for c in customers) and any(c.phone for c in customers)
    assert any(c.email for c in customers) and any(c.facts for c in customers)
    assert any(c.has_delivery_address for c in customers)
    assert len({c.customer_no for c in customers}) == len(customers)
    keywords = {(k.kind, k.value) for k in rows_of(Keyword, A)}
    for c in customers:
        assert ("PIIRI", c.district) in keywords
        assert ("ASIAKASRYHMA", c.customer_group) in keywords
        assert ("ASIAKASOSASTO", c.department) in keywords
        assert ("ASIAKASTILA", c.status) in keywords
        assert c.postcode and c.city and c.address


def test_finnish_business_ids_have_the_right_check_digit(made):
    assert demo.is_valid_business_id("0112038-9") and not demo.is_valid_business_id("0112038-8")
    checked = 0
    for company in (A, B):
        for c in rows_of(Customer, company):
            if c.country == "FI" and c.kind != "H":
                assert demo.is_valid_business_id(c.business_id), c.business_id
                checked += 1
    assert checked >= 20
    assert all(demo.is_valid_business_id(c.business_id) for c in Company.select_all_companies())


def test_contacts_discounts_and_prices_belong_to_customers(made):
    customers = {c.id: c for c in rows_of(Customer, A)}
    business_ids = {c.business_id for c in customers.values()}
    contacts = rows_of(Contact, A)
    assert contacts and all(c.kind == "A" and c.customer_id in customers and c.name for c in contacts)
    for model in (CustomerDiscount, CustomerPrice):
        rules = rows_of(model, A)
        assert any(r.customer_id for r in rules) and any(r.business_id for r in rules), model
        for r in rules:
            by_customer = r.customer_id in customers and r.business_id == ""
            by_business_id = r.customer_id == 0 and r.business_id in business_ids
            assert by_customer or by_business_id
    discounts = rows_of(CustomerDiscount, A)
    assert any(d.valid_from is None and d.valid_to is None for d in discounts)
    assert any(d.valid_from is not None and d.valid_to is not None for d in discounts)
    assert any(d.discount_group for d in discounts) and any(d.product_no for d in discounts)
    assert all(Decimal("0") < d.percent < Decimal("50") for d in discounts)
    assert all(p.price > 0 for p in rows_of(CustomerPrice, A))


# -- invoices -------------------------------------------------------------------------------------


def test_invoices_are_invoiced_sales_whose_totals_are_the_sums_of_their_rows(made):
    for company in (A, B):
        customers = {c.id: c for c in rows_of(Customer, company)}
        invoices = {i.id: i for i in rows_of(Invoice, company)}
        rows = rows_of(InvoiceRow, company)
        net, margin, count = defaultdict(Decimal), defaultdict(Decimal), Counter()
        for r in rows:
            assert r.invoice_id in invoices
            assert r.kind == "L" and r.quantity > 0 and r.product_no
            assert r.invoiced_date == invoices[r.invoice_id].invoice_date
            net[r.invoice_id] += r.row_total
            margin[r.invoice_id] += r.margin
            count[r.invoice_id] += 1
        start = TODAY - dt.timedelta(days=3 * 366)
        for invoice in invoices.values():
            assert (invoice.state, invoice.substate) == ("L", "X")
            assert count[invoice.id] >= 1
            assert invoice.net == net[invoice.id] and invoice.margin == margin[invoice.id]
            assert invoice.total > invoice.net
            customer = customers[invoice.customer_id]
            assert invoice.business_id == customer.business_id
            assert invoice.salesperson_no == customer.salesperson_no
            assert start <= invoice.invoice_date <= TODAY
            assert customer.kind != "R"
            assert invoice.cash_discount_date is None  # the zero date reads as None


def test_big_customers_buy_over_the_annual_contract_threshold(made):
    year_ago = TODAY - dt.timedelta(days=365)
    sales = defaultdict(Decimal)
    for invoice in rows_of(Invoice, A):
        if invoice.invoice_date > year_ago:
            sales[invoice.customer_id] += invoice.net
    assert max(sales.values()) > 10000
    assert min(sales.values()) < 10000


def test_about_ten_invoice_rows_per_customer(tmp_path):
    database = db.open_database(f"sqlite:///{tmp_path / 'ten.sqlite3'}")
    schema.init(database)
    stats = demo.generate(database, customers=2000, seed=3, today=TODAY)
    assert 8 <= stats.counts["tilausrivi"] / stats.counts["asiakas"] <= 12
    database.close()


# -- kalenteri ----------------------------------------------------------------------------------------


def test_memos_are_on_customers_with_text_and_contact(made):
    customers = {c.id: c for c in rows_of(Customer, A)}
    contacts = {c.id: c for c in rows_of(Contact, A)}
    memos = [a for a in rows_of(Activity, A) if a.kind == "Memo"]
    assert len(memos) >= CUSTOMERS
    for m in memos:
        customer = customers[m.customer_id]
        assert m.business_id == customer.business_id and m.text and m.method and m.owner
        if m.contact_id:
            assert contacts[m.contact_id].customer_id == customer.id
    assert any(m.contact_id for m in memos)
    assert any(m.method == "Osoitetarrat" for m in memos)
    assert any(m.parent_id for m in memos)


def test_calendar_entries_around_today(made):
    entries = [a for a in rows_of(Activity, A) if a.kind == "kalenteri"]
    assert entries
    assert any(e.customer_id for e in entries) and any(not e.customer_id for e in entries)
    assert any(e.kilometres for e in entries) and any(e.per_diems for e in entries)
    all_day = [e for e in entries if e.all_day == "x"]
    assert all_day
    for e in all_day:
        assert e.starts_at.time() == dt.time(0, 0) and e.ends_at == e.starts_at.replace(hour=23, minute=59, second=59)
    assert any(e.starts_at < NOON for e in entries) and any(e.starts_at > NOON for e in entries)
    assert all(abs((e.starts_at.date() - TODAY).days) <= 60 and e.ends_at > e.starts_at for e in entries)
    slots = {(e.starts_at.minute % 15) for e in entries}
    assert slots == {0}
    assert all(e.starts_at.minute % 15 == 0 for e in entries if e.company == B)


def test_reminders_overdue_future_and_acknowledged(made):
    for company in (A, B):
        activities = rows_of(Activity, company)
        reminders = [a for a in activities if a.kind == "Muistutus"]
        waiting = [r for r in reminders if r.acknowledgement == "K"]
        assert any(r.starts_at < NOON for r in waiting), "no overdue reminders"
        assert any(r.starts_at > NOON for r in waiting), "no future reminders"
        assert any(r.acknowledgement == "E" for r in reminders)
        assert all(r.ends_at - r.starts_at == dt.timedelta(minutes=30) for r in reminders)
        names = {u.login: u.name for u in rows_of(User, company)}
        acknowledgements = {a.parent_id: a for a in activities if a.kind == "Kuittaus"}
        done = [r for r in reminders if r.acknowledgement == ""]
        assert done
        for r in done:
            ack = acknowledgements[r.id]
            assert ack.text.startswith(f"{names[r.owner]} kuittasi: ") and ack.starts_at >= r.starts_at
        assert set(acknowledgements) == {r.id for r in done}
        leads = [a for a in activities if a.kind == "Lead"]
        assert leads and all(lead.supervisor == demo.DEMO_USER and lead.acknowledgement == "K" for lead in leads)


# -- conventions ------------------------------------------------------------------------------------


def test_audit_columns_are_filled_and_zero_dates_read_as_none(made):
    for model in ALL_MODELS:
        fields = model._meta.fields
        if "created_by" not in fields:
            continue
        rows = list(model.select_all_companies())
        for row in rows:
            assert row.created_by and row.created_at is not None, model._meta.table_name
            if "modified_at" in fields:
                assert row.modified_by and row.modified_at is not None, model._meta.table_name
    assert all(u.last_login is None for u in User.select_all_companies())
    assert any(d.valid_to is None for d in CustomerDiscount.select_all_companies())
    assert all(i.payment_date is None for i in Invoice.select_all_companies() if i.due_date >= TODAY)


def test_later_inserts_get_fresh_ids(made):
    before = Customer.select_all_companies(peewee.fn.MAX(Customer.id)).scalar()
    with db.session(A, demo.DEMO_USER):
        new_id = Customer.insert(name="Uusi Asiakas Oy", customer_no="99999").execute()
        memo_id = Activity.insert(kind="Memo", text="uusi", starts_at=NOON, ends_at=NOON).execute()
    assert new_id > before
    assert memo_id > max(a.id for a in Activity.select_all_companies() if a.id != memo_id)


def test_generating_twice_is_refused(made):
    database, stats, _ = made
    with pytest.raises(ValueError, match="already has companies demo and esim"):
        demo.generate(database, customers=CUSTOMERS, seed=1, today=TODAY)
    assert Customer.select_all_companies().count() == stats.counts["asiakas"]


# -- SQLite bulk load ---------------------------------------------------------------------------------


def sqlite_schema_objects(database) -> set[tuple[str, str]]:
    return set(database.execute_sql(
        "SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
    ).fetchall())


def test_sqlite_indexes_and_search_index_are_back_after_the_load(tmp_path):
    from pupetui.services import search_index

    database = db.open_database(f"sqlite:///{tmp_path / 'load.sqlite3'}")
    schema.init(database)
    before = sqlite_schema_objects(database)
    messages: list[str] = []
    demo.generate(database, customers=200, seed=1, today=TODAY, progress=messages.append)
    assert sqlite_schema_objects(database) == before
    assert any(m.startswith("building") for m in messages)
    if search_index.sqlite_index_present(database):
        table = search_index.FTS_TABLE
        found = database.execute_sql(f"SELECT count(*) FROM {table} WHERE {table} MATCH 'oy'").fetchone()[0]
        columns = ", ".join(search_index.SEARCHED_COLUMNS)
        with_word = sum(
            any("oy" in re.findall(r"[^\W_]+", (value or "").casefold()) for value in row)
            for row in database.execute_sql(f"SELECT {columns} FROM asiakas")
        )
        assert found == with_word > 0
    database.close()


def test_a_database_with_data_keeps_its_indexes_during_the_load(database, backend, monkeypatch):
    with db.session("muu", "admin"):
        Company.insert(name="Muu Oy").execute()
    dropped = []
    real = database.execute_sql

    def watch(sql, *args, **kwargs):
        if sql.lstrip().upper().startswith("DROP"):
            dropped.append(sql)
        return real(sql, *args, **kwargs)

    monkeypatch.setattr(database, "execute_sql", watch)
    demo.generate(database, customers=10, seed=1, today=TODAY)
    assert dropped == []
    assert [c.company for c in Company.select_all_companies().order_by(Company.id)] == ["muu", A, B]
