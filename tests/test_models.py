"""Every model round-trips on all four databases, with Pupesoft's money, dates and text."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest

from pupetui import db
from pupetui.services import stored_text
from pupetui.models import (
    ALL_MODELS,
    PupeModel,
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
    SavedForm,
    SavedSearch,
    User,
)
from pupetui.models.fields import NoDateField, NoDateTimeField

COMPANY = "acme"
USER = "anna"

# Realistic values for every model, and a change to make to each.
SPEC: dict[type, tuple[dict, dict]] = {
    Company: (
        dict(
            business_id="1234567-8", name="Äänekosken Öljy Oy", address="Pääkatu 1 Ä",
            postcode="44100", city="Äänekoski", country="FI", language="fi", currency="EUR",
            phone="+358 14 123 456", email="myynti@oljy.fi", www="https://öljy.fi",
            fiscal_year_start=dt.date(2024, 1, 1), fiscal_year_end=dt.date(2024, 12, 31),
            payables_period_start=dt.date(2024, 6, 1), payables_period_end=dt.date(2024, 6, 30),
            receivables_period_start=dt.date(2024, 5, 1),
            receivables_period_end=dt.date(2024, 5, 31),
        ),
        dict(name="Åbo Öljy Ab", fiscal_year_end=dt.date(2025, 4, 30)),
    ),
    CompanyParameters: (
        dict(
            admin_email="ylläpito@oljy.fi", mail_sender="Öljy posti@oljy.fi",
            calendar_slot_minutes="15", multi_user_calendar="X",
            maventa_timestamp=dt.datetime(2024, 3, 1, 12, 0, 5),
        ),
        dict(calendar_slot_minutes="30", mail_sender="Åsa åsa@oljy.fi"),
    ),
    User: (
        dict(
            login="anna", name="Anna Äijälä", password_md5=hashlib.md5(b"salasana").hexdigest(),
            districts="1,2,Pohjois-Häme", extranet="", language="fi", salesperson_no=12,
            department="Myynti ja markkinointi", position="MP", email="anna@oljy.fi",
            mobile="+358401234567", active=1, last_login=dt.datetime(2024, 2, 29, 23, 59, 59),
        ),
        dict(name="Anna Öhman-Äijälä", active=0),
    ),
    Permission: (
        dict(
            login="anna", application="Asiakkaat", script="crm/asiakaslista.php", subname="",
            may_update="1", title="Asiakaslista", order=10, profile="Myyjä",
        ),
        dict(title="Asiakkaat ja näkymät", may_update=""),
    ),
    Keyword: (
        dict(
            language="fi", kind="KALETAPA", value="Käynti", text="Asiakaskäynti",
            text_2="#ffcc00", text_3="Ääni", order=3,
        ),
        dict(text="Käynti asiakkaan luona", order=4),
    ),
    Customer: (
        dict(
            kind="", status="A", business_id="2345678-9", edi_id="003723456789",
            customer_no="10001", name="Härmän Hääpalvelu Oy", name_extra="Åland-osasto",
            address="Yliopistonkatu 5 B 12", postcode="00100", city="Helsinki", country="FI",
            email="tilaukset@häämarkkinat.fi", phone="09 123 4567", mobile="040 765 4321",
            work_phone="09 765 4321", fax="09 111 2222", delivery_name="Härmän Varasto",
            delivery_name_extra="Lastauslaituri 3", delivery_address="Teollisuustie 7",
            delivery_postcode="01510", delivery_city="Vantaa", delivery_country="FI",
            district="Uusimaa", customer_group="Jälleenmyyjät", department="Etelä",
            language="sv", facts="Soita ennen käyntiä.\nPääsy takaovesta, ovikoodi 1234.",
            salesperson_no=12, currency="EUR", flag_1="A", flag_2="Ö", flag_3="", flag_4="9",
        ),
        dict(name="Härmän Hää- ja Juhlapalvelu Oy", city="Åbo", salesperson_no=13),
    ),
    Contact: (
        dict(
            kind="A", customer_id=4711, name="Päivi Öhman", title="Ostopäällikkö",
            role="Päättäjä", email="paivi.ohman@example.fi", phone="09 555 1234",
            mobile="050 555 1234", fax="", facts="Tavoittaa parhaiten aamuisin.",
        ),
        dict(title="Toimitusjohtaja", mobile="050 555 9999"),
    ),
    CustomerDiscount: (
        dict(
            product_no="ÖLJY-5W30", discount_group="", customer_id=4711, business_id="",
            min_quantity=10, valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2024, 12, 31),
            percent=Decimal("12.50"), discount_kind=1,
        ),
        dict(percent=Decimal("15.25"), valid_to=dt.date(2025, 6, 30)),
    ),
    CustomerPrice: (
        dict(
            product_no="ÖLJY-5W30", customer_id=4711, business_id="2345678-9",
            customer_group="Jälleenmyyjät", district="Uusimaa", min_quantity=1, max_quantity=99,
            valid_from=dt.date(2024, 3, 1), valid_to=dt.date(2024, 8, 31),
            price=Decimal("1234.567891"), currency="EUR",
        ),
        dict(price=Decimal("0.000001"), currency="SEK"),
    ),
    Product: (
        dict(
            product_no="ÖLJY-5W30", name="Moottoriöljy 5W-30 täyssynteettinen 4 l",
            department=10, product_group=1012, discount_group="ÖL", unit="KPL", status="A",
            sales_price=Decimal("49.900000"), vat=Decimal("25.50"),
            last_purchase_date=dt.date(2024, 4, 15), export_info="Äänekoski",
        ),
        dict(sales_price=Decimal("54.95"), name="Moottoriöljy 5W-30 4 l (tarjous)"),
    ),
    Invoice: (
        dict(
            state="L", substate="X", invoice_no=2024000123, customer_id=4711,
            business_id="2345678-9", name="Härmän Hääpalvelu Oy", address="Yliopistonkatu 5",
            postcode="00100", city="Helsinki", country="FI", currency="EUR",
            net=Decimal("1234.56"), total=Decimal("1549.37"), margin=Decimal("-12.34"),
            salesperson_no=12, district="Uusimaa", invoice_date=dt.date(2024, 5, 31),
            due_date=dt.date(2024, 6, 14), invoiced_at=dt.datetime(2024, 5, 31, 16, 45, 0),
        ),
        dict(net=Decimal("9999999999.99"), city="Åbo"),
    ),
    InvoiceRow: (
        dict(
            kind="L", invoice_id=1, product_no="ÖLJY-5W30", name="Moottoriöljy 5W-30",
            department=10, product_group=1012, quantity=Decimal("3.00"),
            ordered_quantity=Decimal("3.00"), unit_price=Decimal("49.900000"),
            vat=Decimal("25.50"), row_total=Decimal("149.700000"), margin=Decimal("37.425000"),
            invoiced_by="anna", invoiced_date=dt.date(2024, 5, 31),
        ),
        dict(quantity=Decimal("-1.00"), name="Hyvitys: öljy"),
    ),
    Activity: (
        dict(
            owner="anna", supervisor="bertta", business_id="2345678-9", contact_id=17,
            method="Käynti", acknowledgement="K", starts_at=dt.datetime(2024, 5, 6, 9, 30),
            ends_at=dt.datetime(2024, 5, 6, 10, 0), kind="Muistutus", language="fi",
            all_day="", text="Soita Päiville: tarjous öljystä.\nMuista alennus.",
            kilometres="42", per_diems="1", customer_id=4711, parent_id=0,
        ),
        dict(text="Soitettu, ei vastannut. Yritä huomenna.", acknowledgement=""),
    ),
    SavedSearch: (
        dict(
            owner="anna", search="sql-query", name="Myynti piireittäin",
            description="Myynti piirin mukaan, tämä vuosi", variable="query",
            value="SELECT piiri, COUNT(*) FROM asiakas WHERE nimi LIKE 'Ä%' GROUP BY piiri",
        ),
        dict(description="Päivitetty kuvaus"),
    ),
    SavedForm: (
        dict(
            owner="anna", title="Helsingin asiakkaat", application="db_sql_query.php",
            data='{"table": "asiakas", "where": [["postitp", "=", "Helsinki"]], "note": "äö"}',
        ),
        dict(title="Helsingin ja Espoon asiakkaat"),
    ),
}


def test_every_model_has_a_round_trip_spec():
    assert set(SPEC) == set(ALL_MODELS)


def _read(model, pk):
    return model.get_by_id(pk)


def _assert_values(row, values):
    for name, expected in values.items():
        got = getattr(row, name)
        assert got == expected, f"{type(row).__name__}.{name}: wrote {expected!r}, read {got!r}"
        if isinstance(expected, Decimal):
            assert isinstance(got, Decimal), f"{type(row).__name__}.{name} read as {type(got)}"
        if isinstance(expected, dt.datetime):
            assert isinstance(got, dt.datetime)
        elif isinstance(expected, dt.date):
            assert type(got) is dt.date, f"{type(row).__name__}.{name} read as {type(got)}"


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_round_trip(database, model):
    values, changes = SPEC[model]
    with db.session(COMPANY, USER):
        created = model.create(**values)
        assert created.id
        row = _read(model, created.id)
        assert row.company == COMPANY
        _assert_values(row, values)

        # update through the instance
        for name, value in changes.items():
            setattr(row, name, value)
        row.save()
        again = _read(model, created.id)
        _assert_values(again, {**values, **changes})

        # update through a query
        first = next(iter(changes))
        model.update({first: values[first]}).where(model.id == created.id).execute()
        assert getattr(_read(model, created.id), first) == values[first]

        # delete
        assert again.delete_instance() == 1
        assert model.get_or_none(model.id == created.id) is None
        assert model.select().count() == 0


# the column of a unique index that tells rows apart
UNIQUE_KEY = {User: "login", Permission: "script", Product: "product_no", SavedSearch: "name",
              SavedForm: "title"}


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_insert_with_no_values_fills_every_required_column(database, model):
    """On the real MariaDB layout in strict mode some date columns are NOT NULL without a
    default: a row created without them must still go in (as Pupesoft's zero date)."""
    if db.is_mysql(database):
        mode = database.execute_sql("SELECT @@SESSION.sql_mode").fetchone()[0]
        assert "STRICT_TRANS_TABLES" in mode or "STRICT_ALL_TABLES" in mode, mode
    key = UNIQUE_KEY.get(model)

    def minimal(n):
        return {key: f"k{n}"} if key else {}

    with db.session(COMPANY, USER):
        row = model.create(**minimal(1))
        back = _read(model, row.id)
        for field in model._meta.sorted_fields:
            if isinstance(field, (NoDateField, NoDateTimeField)) and field.name not in (
                "created_at", "modified_at"
            ):
                assert getattr(back, field.name) is None, field.name
        # the other insert paths fill them too
        model.insert(**minimal(2)).execute()
        model.insert_many([minimal(3), minimal(4)]).execute()
        assert model.select().count() == 4


def test_money_stays_decimal_and_exact(database):
    with db.session(COMPANY, USER):
        inv = Invoice.create(net=Decimal("1234.56"), total=Decimal("0.10"), margin=Decimal("12.345"))
        back = Invoice.get_by_id(inv.id)
        assert isinstance(back.net, Decimal) and back.net == Decimal("1234.56")
        assert isinstance(back.total, Decimal) and back.total == Decimal("0.10")
        # 12.345 rounds half up to 12.35 (not banker's 12.34, not float 12.34)
        assert back.margin == Decimal("12.35")

        Invoice.update(margin=Decimal("-12.345"), net=Decimal("0.005")).execute()
        back = Invoice.get_by_id(inv.id)
        assert back.margin == Decimal("-12.35")
        assert back.net == Decimal("0.01")

        # summing in the database keeps cents exact (0.10 three times is 0.30)
        Invoice.create(total=Decimal("0.10"))
        Invoice.create(total=Decimal("0.10"))
        total = sum((i.total for i in Invoice.select()), Decimal("0"))
        assert total == Decimal("0.30")

        price = CustomerPrice.create(price=Decimal("0.1"))
        assert CustomerPrice.get_by_id(price.id).price == Decimal("0.100000")
        assert isinstance(CustomerPrice.get_by_id(price.id).price, Decimal)

        # a price with six decimals is kept to the last one
        product = Product.create(sales_price=Decimal("123456789.123456"))
        assert Product.get_by_id(product.id).sales_price == Decimal("123456789.123456")


def test_datetimes_are_whole_seconds(database):
    with db.session(COMPANY, USER):
        a = Activity.create(
            starts_at=dt.datetime(2024, 5, 6, 9, 30, 15, 987654),
            ends_at=dt.datetime(2024, 5, 6, 10, 0, 0, 1),
        )
        back = Activity.get_by_id(a.id)
        assert back.starts_at == dt.datetime(2024, 5, 6, 9, 30, 15)
        assert back.ends_at == dt.datetime(2024, 5, 6, 10, 0, 0)
        assert back.created_at.microsecond == 0
        assert back.modified_at.microsecond == 0
        # a query on the stored time finds the row
        assert Activity.select().where(Activity.starts_at == dt.datetime(2024, 5, 6, 9, 30, 15)).count() == 1
        assert Activity.select().where(
            Activity.starts_at.between(dt.datetime(2024, 5, 6), dt.datetime(2024, 5, 6, 23, 59, 59))
        ).count() == 1


def test_no_date_written_as_none_reads_back_as_none(database):
    with db.session(COMPANY, USER):
        inv = Invoice.create(invoice_date=None, invoiced_at=None, due_date=dt.date(2024, 6, 1))
        back = Invoice.get_by_id(inv.id)
        assert back.invoice_date is None
        assert back.invoiced_at is None
        assert back.due_date == dt.date(2024, 6, 1)
        # and a date can be cleared again
        back.due_date = None
        back.save()
        assert Invoice.get_by_id(inv.id).due_date is None
        found = Invoice.select().where(Invoice.invoice_date.empty() & Invoice.invoiced_at.empty())
        assert [i.id for i in found] == [inv.id]
        assert Invoice.select().where(Invoice.due_date.empty()).count() == 1


@pytest.mark.parametrize("backend", ["sqlite", "pupesoft", "mariadb"])
def test_pupesofts_zero_date_reads_as_none(database):
    """Rows Pupesoft wrote have '0000-00-00' for 'no date': read as None, found by empty()."""
    with db.session(COMPANY, USER):
        dated = Invoice.create(invoice_date=dt.date(2024, 5, 31), invoiced_at=dt.datetime(2024, 5, 31, 12))
        zero = Invoice.create(invoice_date=dt.date(2024, 1, 2), invoiced_at=dt.datetime(2024, 1, 2, 3))
        q = "`" if db.is_mysql(database) else '"'
        mark = "%s" if db.is_mysql(database) else "?"
        database.execute_sql(
            f"UPDATE {q}lasku{q} SET {q}tapvm{q} = '0000-00-00', "
            f"{q}laskutettu{q} = '0000-00-00 00:00:00', {q}muutospvm{q} = '0000-00-00 00:00:00' "
            f"WHERE {q}tunnus{q} = {mark}",
            (zero.id,),
        )
        back = Invoice.get_by_id(zero.id)
        assert back.invoice_date is None
        assert back.invoiced_at is None
        assert back.modified_at is None
        assert [i.id for i in Invoice.select().where(Invoice.invoice_date.empty())] == [zero.id]
        assert [i.id for i in Invoice.select().where(Invoice.invoiced_at.empty())] == [zero.id]
        assert [i.id for i in Invoice.select().where(~Invoice.invoice_date.empty())] == [dated.id]
        # a Pupesoft row with zero dates can be edited and saved by pupetui
        back.name = "Päivitetty"
        back.save()
        assert Invoice.get_by_id(zero.id).name == "Päivitetty"
        assert Invoice.get_by_id(zero.id).invoice_date is None


NASTY = [
    "O'Brien & \"Sons\" Oy; DROP TABLE asiakas; --",
    "[bold red]Hälytys[/bold red] [link=https://evil.example]klikkaa[/link]",
    "100 % _alennus_ \\n ei rivinvaihto \\ kenoviiva",
    "Rivi 1\nRivi 2\tsarkain ÅÄÖ åäö",
]


@pytest.mark.parametrize("text", NASTY)
def test_text_is_stored_as_pupesofts_input_rule_leaves_it_and_never_as_sql(database, text):
    """Pupesoft removes " ' < > \\ ; from every input (inc/parametrit.inc): a text pupetui writes
    is stored so too (the instance shows the stored form), the rest literally, never as SQL."""
    stored = stored_text.stored(text)
    with db.session(COMPANY, USER):
        c = Customer.create(name=text[:60], facts=text)
        assert (c.name, c.facts) == (stored_text.stored(text[:60]), stored)
        back = Customer.get_by_id(c.id)
        assert back.name == stored_text.stored(text[:60])
        assert back.facts == stored
        assert not set(back.facts) & set(stored_text.REMOVED)
        # and can be found by exactly that text
        assert Customer.select().where(Customer.name == stored_text.stored(text[:60])).count() == 1
        assert Customer.select().where(Customer.facts.contains(stored[5:15])).count() == 1
        # the table is still there
        assert database.table_exists("asiakas")


def test_decimal_field_types_are_decimal_on_default_rows(database):
    with db.session(COMPANY, USER):
        row = InvoiceRow.create()
        back = InvoiceRow.get_by_id(row.id)
        for name in ("quantity", "unit_price", "row_total", "margin", "vat"):
            value = getattr(back, name)
            assert isinstance(value, Decimal) and value == 0, name
        assert back.name == "" and back.department == 0


def test_every_model_is_in_all_models():
    """init, check and these round trips all go by ALL_MODELS: a model left out would be
    missing from a new database."""

    def leaves(cls):
        subs = cls.__subclasses__()
        return [leaf for sub in subs for leaf in leaves(sub)] if subs else [cls]

    concrete = {m for m in leaves(PupeModel) if m.__module__.startswith("pupetui.models")}
    assert concrete == set(ALL_MODELS)
