"""The customer selection of the labels and the SMS (services/selection.py) on all four databases:
the customer list's filters, text filters, NOT (NULL-safe), the row limit and the ticks."""

from __future__ import annotations

import pytest

from pupetui import db
from pupetui.models import Company, Contact, Customer, User
from pupetui.services import selection as S
from pupetui.services.customers import CustomerQuery


def _setup(database, n_extra: int = 0):
    with db.session("acme", "anna"):
        Company.create(name="Acme Oy")
        User.create(login="anna", name="Anna Myyjä", salesperson_no=7)
        User.create(login="pekka", name="Pekka Piiri", districts="1,2")
        rows = [
            dict(name="Virtanen Rakennus Oy", address="Mannerheimintie 1", postcode="00100", city="Helsinki",
                 country="FI", district="1", department="10", customer_group="3", flag_1="X"),
            dict(name="Mäkinen Ky", name_extra="Sähkö", address="Hämeenkatu 5", postcode="33100", city="Tampere",
                 country="FI", district="3", department="10", customer_group="3"),
            dict(name="Svensson AB", address="Storgatan 2", postcode="111 22", city="Stockholm", country="SE",
                 district="1", customer_group="4", flag_1="Y"),
            dict(name="Prospekti Oy", kind="R", city="Oulu", district="2", customer_group="3"),
            dict(name="Poistettu Oy", kind="P", city="Helsinki", district="1", customer_group="3"),
            dict(name="Kuljetus Laine", delivery_name="Virtala Varasto", city="Espoo", district="2"),
        ]
        for i in range(n_extra):
            rows.append(dict(name=f"Lisä {i:04d} Oy", city="Lahti", district="1"))
        for r in rows:
            Customer.create(**r)
    with db.session("other", "anna"):
        Company.create(name="Toinen Oy")
        Customer.create(name="Virtanen Toinen Oy", city="Helsinki")


def names(rows):
    return [r.name for r in rows]


def q(*text_filters, negate=False, limit=S.DEFAULT_LIMIT, **customer):
    return S.SelectionQuery(CustomerQuery(**customer), tuple(text_filters), negate, limit)


def test_text_filters_narrow_the_customer_list(database):
    _setup(database)
    with db.session("acme", "anna"):
        assert names(S.page(q(), 0, 50)) == [
            "Kuljetus Laine", "Mäkinen Ky", "Prospekti Oy", "Svensson AB", "Virtanen Rakennus Oy",
        ]  # deleted never, other company never, prospects included
        assert names(S.page(q(("city", "hel")), 0, 50)) == ["Virtanen Rakennus Oy"]
        assert names(S.page(q(("address", "katu")), 0, 50)) == ["Mäkinen Ky"]
        assert names(S.page(q(("postcode", "331")), 0, 50)) == ["Mäkinen Ky"]
        assert names(S.page(q(("country", "se")), 0, 50)) == ["Svensson AB"]
        assert names(S.page(q(("name", "sähkö")), 0, 50)) == ["Mäkinen Ky"]  # nimitark, as in the list
        assert names(S.page(q(("name", "virtala")), 0, 50)) == ["Kuljetus Laine"]  # delivery name
        assert names(S.page(q(("flag_1", "x")), 0, 50)) == ["Virtanen Rakennus Oy"]
        assert names(S.page(q(("customer_group", "3"), ("department", "10")), 0, 50)) == [
            "Mäkinen Ky", "Virtanen Rakennus Oy"]
        # the customer list's own filters and search
        assert names(S.page(q(district="3"), 0, 50)) == ["Mäkinen Ky"]
        assert names(S.page(q(text="svens"), 0, 50)) == ["Svensson AB"]
        assert S.count(q(("customer_group", "3"))) == 3


def test_not_negates_the_text_filters_and_keeps_empty_columns(database):
    _setup(database)
    with db.session("acme", "anna"):
        # flag_1 is empty on most rows: NOT "x" must keep them (NULL-safe)
        assert names(S.page(q(("flag_1", "x"), negate=True), 0, 50)) == [
            "Kuljetus Laine", "Mäkinen Ky", "Prospekti Oy", "Svensson AB"]
        # every filled filter negated: neither Helsinki nor group 4
        assert names(S.page(q(("city", "helsinki"), ("customer_group", "4"), negate=True), 0, 50)) == [
            "Kuljetus Laine", "Mäkinen Ky", "Prospekti Oy"]
        # the list filters are not negated: within district 1, NOT town Helsinki
        assert names(S.page(q(("city", "helsinki"), negate=True, district="1"), 0, 50)) == ["Svensson AB"]
        # the name's NOT covers nimitark and the delivery names too
        assert "Kuljetus Laine" not in names(S.page(q(("name", "virtala"), negate=True), 0, 50))
        # NOT with no text filter selects what the list filters select
        assert S.count(q(negate=True)) == 5
    with db.session("acme", "pekka"):  # districts 1,2 only: NOT never shows the others
        assert names(S.page(q(("city", "helsinki"), negate=True), 0, 50)) == [
            "Kuljetus Laine", "Prospekti Oy", "Svensson AB"]


def test_row_limit_is_applied_in_the_database(database):
    _setup(database, n_extra=1005)
    with db.session("acme", "anna"):
        assert S.count(q(limit=None)) == 1010
        assert S.count(q(limit=1000)) == 1000
        assert S.found_more_than_limit(q(limit=1000))
        assert not S.found_more_than_limit(q(limit=5000))
        assert len(S.page(q(limit=1000), 990, 100)) == 10
        assert S.page(q(limit=1000), 1000, 100) == []
        assert sum(1 for _ in S.ticked_rows(q(limit=1000))) == 1000
        with pytest.raises(S.SelectionError, match="row limit"):
            S.count(q(limit=123))
        with pytest.raises(S.SelectionError, match="unknown text filter"):
            S.count(q(("password", "x")))


def test_the_selection_never_reaches_other_companies_of_the_group(database):
    _setup(database)
    with db.session("acme", "anna"):
        # labels and SMS write memos on what is selected: the whole group is refused, not widened
        for run in (lambda: S.count(q(whole_group=True)), lambda: S.page(q(whole_group=True), 0, 50),
                    lambda: list(S.ticked_rows(q(whole_group=True)))):
            with pytest.raises(S.SelectionError, match="own company"):
                run()
        assert "Virtanen Toinen Oy" not in names(S.page(q(), 0, 50))


def test_ticks_untick_one_by_one_and_all(database):
    _setup(database)
    with db.session("acme", "anna"):
        query = q()
        rows = S.page(query, 0, 50)
        ticks = S.Ticks()
        assert S.ticked_count(query, ticks) == 5  # every found row ticked at first
        assert ticks.toggle(rows[1].id) is False
        assert ticks.toggle(rows[3].id) is False
        assert names(S.ticked_rows(query, ticks)) == ["Kuljetus Laine", "Prospekti Oy", "Virtanen Rakennus Oy"]
        assert S.ticked_count(query, ticks) == 3
        ticks.toggle(rows[1].id)
        assert S.ticked_count(query, ticks) == 4
        ticks.untick_all()
        assert list(S.ticked_rows(query, ticks)) == []
        ticks.toggle(rows[4].id)
        assert names(S.ticked_rows(query, ticks)) == ["Virtanen Rakennus Oy"]
        assert S.ticked_count(query, ticks) == 1
        ticks.tick_all()
        assert S.ticked_count(query, ticks) == 5


def test_rows_carry_both_addresses_and_contacts(database):
    _setup(database)
    with db.session("acme", "anna"):
        laine = Customer.get(Customer.name == "Kuljetus Laine")
        Customer.update(delivery_address="Varastotie 3", delivery_postcode="02100", delivery_city="Espoo").where(
            Customer.id == laine.id).execute()
        Contact.create(customer_id=laine.id, name="Liisa Laine", mobile="040 111 2222")
        Contact.create(customer_id=laine.id, name="Aki Laine", kind="A")
        Contact.create(customer_id=laine.id, name="Not a customer contact", kind="T")
        (row,) = S.page(q(("name", "laine")), 0, 5)
        assert row.has_delivery_address and row.delivery_address == "Varastotie 3"
        mäkinen = S.page(q(("name", "mäkinen")), 0, 5)[0]
        assert not mäkinen.has_delivery_address and mäkinen.address == "Hämeenkatu 5"
        found = S.contacts([row.id, mäkinen.id])
        assert [c.name for c in found[row.id]] == ["Aki Laine", "Liisa Laine"]
        assert found[row.id][1].mobile == "040 111 2222"
        assert mäkinen.id not in found


def test_contacts_of_another_company_never_come_with_a_customer(database):
    """Review (scoping): yhteyshenkilo rows are matched by liitostunnus, which is only unique
    within a company; another company's contact that points at the same number must not print
    a label nor get an SMS."""
    _setup(database)
    with db.session("acme", "anna"):
        virtanen = Customer.get(Customer.name == "Virtanen Rakennus Oy").id
        Contact.create(kind="A", customer_id=virtanen, name="Oma Yhteys")
    with db.session("other", "anna"):
        Contact.create(kind="A", customer_id=virtanen, name="Vieras Yhteys", mobile="0401234567")
    with db.session("acme", "anna"):
        assert [c.name for c in S.contacts([virtanen])[virtanen]] == ["Oma Yhteys"]
        rows = list(S.ticked_rows(q(limit=None)))
        assert "Virtanen Toinen Oy" not in names(rows) and all(r.company == "acme" for r in rows)
