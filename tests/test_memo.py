"""The customer memo, customer editing and sales services on all four databases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pupetui import db
from pupetui.models import (
    Activity, CompanyParameters, Contact, Customer, CustomerDiscount, CustomerPrice, Invoice, Keyword, Permission, User,
)
from pupetui.services import customer_edit, memo, sales
from pupetui.services.auth import AccessDenied
from pupetui.services.validation import ValidationError


@pytest.fixture
def acme(database):
    with db.session("acme", "anna"):
        User.create(login="anna", name="Anna Myyjä", salesperson_no=7, position="MP")
        User.create(login="pekka", name="Pekka", salesperson_no=8)
        User.create(login="vanha", name="Vanha", active=0)
        Permission.create(login="anna", script="yllapito.php", subname="asiakas", may_update="1")
        Permission.create(login="anna", script="yllapito.php", subname="yhteyshenkilo", may_update="1")
        for kind, value, text in (
            ("KALETAPA", "1", "Puhelu"), ("KALETAPA", "2", "Käynti asiakkaalla"),
            ("ASIAKASTILA", "A", "Aktiivinen"), ("ASIAKASTILA", "E", "Ei aktiivinen"),
            ("ASIAKASOSASTO", "10", "Teollisuus"), ("PIIRI", "1", "Uusimaa"),
        ):
            Keyword.create(kind=kind, value=value, text=text)
        c = Customer.create(
            name="Virtanen Oy", business_id="1234567-1", address="Katu 1", postcode="00100", city="Helsinki",
            country="FI", delivery_name="Varasto", delivery_address="Tie 2", delivery_postcode="02100",
            delivery_city="Espoo", facts="Soita aamulla", customer_group="A", district="1", status="A",
        )
        yield c.id


def test_header_and_status(acme):
    with db.session("acme", "anna"):
        h = memo.header(acme)
        assert h.billing_lines == ("Virtanen Oy", "Katu 1", "00100 Helsinki")
        assert h.delivery_lines == ("Varasto", "Tie 2", "02100 Espoo")
        assert h.facts == "Soita aamulla"
        memo.set_status(acme, "E")
        assert memo.header(acme).status == "E"
        with pytest.raises(ValidationError):
            memo.set_status(acme, "XX")
        assert memo.header(acme).status == "E"


def test_contacts_add_edit_remove(acme):
    with db.session("acme", "anna"):
        cid = memo.save_contact(acme, {"name": "Liisa Laine", "phone": "09 123", "email": "liisa@x.fi"})
        memo.save_contact(acme, {"name": "Liisa Laine-Virta", "mobile": "040 1"}, contact_id=cid)
        [c] = memo.contacts(acme)
        assert (c.name, c.mobile, c.email) == ("Liisa Laine-Virta", "040 1", "")
        with pytest.raises(ValidationError):
            memo.save_contact(acme, {"name": "", "email": "x@y.fi"})
        with pytest.raises(ValidationError):
            memo.save_contact(acme, {"name": "X", "email": "not an email"})
        with pytest.raises(ValidationError):
            memo.save_contact(acme, {"name": "N" * 51})
        memo.remove_contact(acme, cid)
        assert memo.contacts(acme) == []
        assert Contact.select().count() == 0


def test_contacts_need_the_rights_pupesofts_memo_asks_for(acme):
    """crm/asiakasmemo.php offers contact editing with both yllapito.php rights 'asiakas%' and
    'yhteyshenkilo%' with the update flag: pekka has the contact right only, then read-only."""
    with db.session("acme", "pekka"):
        Permission.create(login="pekka", script="yllapito.php", subname="yhteyshenkilo", may_update="1")
        assert not memo.may_edit_contacts()
        with pytest.raises(AccessDenied, match="asiakas"):
            memo.save_contact(acme, {"name": "Ei Saa"})
        Permission.create(login="pekka", script="yllapito.php", subname="asiakas", may_update="")
        with pytest.raises(AccessDenied, match="update flag"):
            memo.save_contact(acme, {"name": "Ei Saa"})
        Permission.update(may_update="1").where(Permission.login == "pekka").execute()
        assert memo.may_edit_contacts()
        cid = memo.save_contact(acme, {"name": "Saa Jo"})
        memo.remove_contact(acme, cid)
    assert Contact.select_all_companies().count() == 0


def test_memo_entry_written_as_pupesoft_writes_it(acme):
    with db.session("acme", "anna"):
        cid = memo.save_contact(acme, {"name": "Liisa"})
        eid = memo.add_entry(acme, memo.NewEntry(text="Soitettu [b]x[/b]", method="Puhelu", contact_id=cid))
        row = Activity.get_by_id(eid)
        assert (row.kind, row.text, row.method, row.contact_id, row.business_id, row.customer_id, row.owner) == (
            "Memo", "Soitettu [b]x[/b]", "Puhelu", cid, "1234567-1", acme, "anna")
        assert row.parent_id == 0 and row.created_by == "anna" and row.starts_at is not None
        # asiakasmemo.php UUSIMEMO: pvmloppu = pvmalku + 30 min; laatija, luontiaika; no muuttaja yet
        assert row.ends_at - row.starts_at == dt.timedelta(minutes=30)
        assert (row.created_at is not None, row.modified_by, row.modified_at) == (True, "", None)
        with pytest.raises(ValidationError):
            memo.add_entry(acme, memo.NewEntry(text="   "))
        with pytest.raises(ValidationError):
            memo.add_entry(acme, memo.NewEntry(text="x", method="Kirjekyyhky"))
        assert Activity.select().count() == 1


def test_a_memo_text_longer_than_the_column_holds_is_refused_and_one_that_fits_is_kept(acme):
    """kentta01 holds 65,535 bytes on MariaDB: 40,000 × "ä" (80,000 bytes in UTF-8) is refused
    with a clear message before anything is written; 30,000 × "ä" (60,000 bytes) is kept whole."""
    with db.session("acme", "anna"):
        with pytest.raises(ValidationError, match="too long"):
            memo.add_entry(acme, memo.NewEntry(text="ä" * 40_000))
        assert Activity.select().count() == 0
        eid = memo.add_entry(acme, memo.NewEntry(text="ä" * 30_000))
        assert Activity.get_by_id(eid).text == "ä" * 30_000


def test_reminder_lead_and_receivables_note(acme):
    when = dt.datetime(2026, 12, 1, 9, 0)
    with db.session("acme", "anna"):
        rid = memo.add_entry(acme, memo.NewEntry(kind="Muistutus", text="Soita", owner="pekka", when=when))
        r = Activity.get_by_id(rid)
        assert (r.owner, r.starts_at, r.ends_at, r.acknowledgement) == ("pekka", when, when + dt.timedelta(minutes=30), "K")
        nid = memo.add_entry(acme, memo.NewEntry(kind="Muistutus", text="Tiedoksi", owner="pekka", when=when,
                                                 needs_acknowledgement=False))
        assert Activity.get_by_id(nid).acknowledgement == "E"
        lid = memo.add_entry(acme, memo.NewEntry(kind="Lead", text="Iso kauppa", owner="pekka", supervisor="anna", when=when))
        lead = Activity.get_by_id(lid)
        assert (lead.kind, lead.owner, lead.supervisor, lead.acknowledgement) == ("Lead", "pekka", "anna", "K")
        mid = memo.add_entry(acme, memo.NewEntry(kind="Myyntireskontraviesti", text="Maksumuistutus"))
        assert Activity.get_by_id(mid).kind == "Myyntireskontraviesti"
        for bad in (memo.NewEntry(kind="Muistutus", text="x", owner="vanha"),
                    memo.NewEntry(kind="Muistutus", text="x", owner="eiole"),
                    memo.NewEntry(kind="Lead", text="x", supervisor="eiole"),
                    memo.NewEntry(kind="Kuittaus", text="x")):
            with pytest.raises(ValidationError):
                memo.add_entry(acme, bad)
        assert Activity.select().count() == 4


def test_acknowledge_writes_kuittaus_and_clears(acme):
    with db.session("acme", "anna"):
        rid = memo.add_entry(acme, memo.NewEntry(kind="Muistutus", text="Soita", owner="anna"))
        with pytest.raises(ValidationError):
            memo.acknowledge(rid, "  ")
        assert Activity.get_by_id(rid).acknowledgement == "K"
        kid = memo.acknowledge(rid, "Soitettu")
        ack = Activity.get_by_id(kid)
        assert (ack.kind, ack.parent_id, ack.text, ack.customer_id) == ("Kuittaus", rid, "Anna Myyjä kuittasi: Soitettu", acme)
        # kuittaamattomat.php tee=B: kuka = who acknowledged, pvmalku = pvmloppu = now, no laatija
        assert (ack.owner, ack.created_by, ack.created_at, ack.ends_at) == ("anna", "", None, ack.starts_at)
        assert Activity.get_by_id(rid).acknowledgement == ""
        with pytest.raises(ValidationError):
            memo.acknowledge(rid, "again")


def test_a_lead_is_acknowledged_by_its_handler_not_its_supervisor_or_writer(acme):
    with db.session("acme", "anna"):
        lid = memo.add_entry(acme, memo.NewEntry(kind="Lead", text="Iso kauppa", owner="pekka", supervisor="anna"))
        with pytest.raises(AccessDenied):
            memo.acknowledge(lid, "valvoja kuittaa")
        assert Activity.get_by_id(lid).acknowledgement == "K"
    with db.session("acme", "pekka"):
        memo.acknowledge(lid, "hoidettu")
        assert Activity.get_by_id(lid).acknowledgement == ""


def test_threads_own_filter_contact_filter_and_deleted(acme):
    with db.session("acme", "anna"):
        cid = memo.save_contact(acme, {"name": "Liisa"})
        first = memo.add_entry(acme, memo.NewEntry(text="eka"))
        second = memo.add_entry(acme, memo.NewEntry(text="toka", contact_id=cid))
    with db.session("acme", "pekka"):
        reply = memo.add_entry(acme, memo.NewEntry(text="vastaus ekaan", parent_id=first))
        memo.add_entry(acme, memo.NewEntry(text="pekan oma"))
    with db.session("acme", "anna"):
        listed = memo.entries(acme)
        assert [(e.text, e.depth) for e in listed] == [
            ("pekan oma", 0), ("toka", 0), ("eka", 0), ("vastaus ekaan", 1)]
        # the reply is a top-level row for Pupesoft (perheid 0: it prints its header) and refers to its
        # entry in kentta09
        assert (Activity.get_by_id(reply).parent_id, Activity.get_by_id(reply).field_09) == (0, str(first))
        assert [e.text for e in memo.entries(acme, memo.EntryFilter(contact_id=cid))] == ["toka"]
        assert memo.entries(acme)[1].contact_name == "Liisa"
        # own entries are Pupesoft's: kuka is the user (a reminder anna writes for pekka is pekka's)
        memo.add_entry(acme, memo.NewEntry(kind="Muistutus", text="pekalle", owner="pekka"))
        assert [e.text for e in memo.entries(acme, memo.EntryFilter(own_only=True))] == ["toka", "eka"]
        memo.delete_entry(acme, second)
        assert Activity.get_by_id(second).kind == "DELETED Memo"
        assert "toka" not in [e.text for e in memo.entries(acme)]
        shown = [e for e in memo.entries(acme, memo.EntryFilter(show_deleted=True)) if e.text == "toka"]
        assert shown and shown[0].deleted
        with pytest.raises(AccessDenied):
            memo.delete_entry(acme, reply)  # pekka's


def test_only_latest_own_entry_can_be_edited(acme):
    with db.session("acme", "anna"):
        old = memo.add_entry(acme, memo.NewEntry(text="vanha"))
        new = memo.add_entry(acme, memo.NewEntry(text="uusi"))
        with pytest.raises(AccessDenied):
            memo.edit_entry(acme, old, "muutettu")
        memo.edit_entry(acme, new, "korjattu", method="Puhelu")
        row = Activity.get_by_id(new)
        assert (row.text, row.method, row.modified_by) == ("korjattu", "Puhelu", "anna")


def test_discounts_in_precedence_order_and_validity(acme):
    today = dt.date(2026, 11, 26)
    with db.session("acme", "anna"):
        CustomerDiscount.create(customer_group="A", discount_group="X", percent=Decimal("3"))
        CustomerDiscount.create(business_id="1234567-1", product_no="P1", percent=Decimal("7"))
        CustomerDiscount.create(customer_id=acme, product_no="P1", percent=Decimal("10"))
        CustomerDiscount.create(customer_id=acme, discount_group="X", percent=Decimal("5"),
                                valid_to=dt.date(2025, 1, 1))
        CustomerDiscount.create(customer_id=acme + 999, product_no="P1", percent=Decimal("50"))
        CustomerPrice.create(customer_id=acme, product_no="P1", price=Decimal("12.50"), currency="EUR",
                             valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 12, 31))
        rows = memo.discounts(acme, today=today)
        assert [(r.basis, r.value) for r in rows] == [
            ("customer + product", "10.00"), ("business id + product", "7.00"), ("customer group + discount group", "3.00")]
        everything = memo.discounts(acme, include_invalid=True, today=today)
        assert [r.valid for r in everything] == [True, True, False, True]
        [price] = memo.prices(acme, today=today)
        assert price.value == "12.5 EUR" and price.valid_to == dt.date(2026, 12, 31)


def test_sales_by_month_with_margin_and_visits(acme):
    today = dt.date(2026, 11, 26)
    with db.session("acme", "anna"):
        for day, net, margin in ((dt.date(2026, 11, 2), "100.00", "30.00"), (dt.date(2026, 11, 20), "50.50", "10.00"),
                                 (dt.date(2025, 1, 31), "200.00", "-20.00"), (dt.date(2024, 11, 30), "999.00", "1.00")):
            Invoice.create(state="L", substate="X", customer_id=acme, invoice_date=day, net=Decimal(net), margin=Decimal(margin))
        Invoice.create(state="N", substate="", customer_id=acme, invoice_date=dt.date(2026, 11, 3), net=Decimal("77"))
        Activity.create(kind="kalenteri", customer_id=acme, starts_at=dt.datetime(2026, 11, 5, 10, 0))
        months = sales.monthly(acme, 24, today=today)
        assert len(months) == 24 and (months[0].year, months[0].month) == (2024, 12)
        last = months[-1]
        assert (last.sales, last.margin, last.visits, last.margin_percent) == (Decimal("150.50"), Decimal("40.00"), 1, Decimal("26.6"))
        jan = [m for m in months if (m.year, m.month) == (2025, 1)][0]
        assert jan.sales == Decimal("200.00") and jan.margin_percent == Decimal("-10.0")
        assert sum(m.sales for m in months) == Decimal("350.50")
        line = sales.sparkline([m.sales for m in months])
        assert len(line) == 24 and line[-1] != " "


def test_customer_form_checks_and_saves_in_one_go(acme):
    with db.session("acme", "anna"):
        form = customer_edit.load(acme)
        assert form.name == "Virtanen Oy" and form.city == "Helsinki"
        form.email = "rikki@"
        form.country = "Suomi"
        form.department = "99"
        form.name = "N" * 61
        result = customer_edit.check(form, acme)
        # the old row has no currency: Pupesoft's maintenance requires one
        assert {e.field for e in result.errors} == {"email", "country", "department", "name", "currency"}
        with pytest.raises(ValidationError):
            customer_edit.save(form, acme)
        assert Customer.get_by_id(acme).name == "Virtanen Oy"
        new = customer_edit.CustomerForm(name="Uusi Oy", business_id="1234567-1", country="fi", department="10",
                                         currency="eur")
        check = customer_edit.check(new)
        # a Finnish business ID is stored as Pupesoft stores it; Virtanen's (with the dash) is another text
        assert check.ok and not check.warnings and check.stored == {"business_id": "12345671"}
        nid = customer_edit.save(new)
        saved = Customer.get_by_id(nid)
        assert (saved.name, saved.country, saved.created_by) == ("Uusi Oy", "FI", "anna")
        assert (saved.business_id, saved.currency) == ("12345671", "EUR")
        # a second customer Pupesoft could not tell apart (same ID, no EDI codes) is refused
        again = customer_edit.check(customer_edit.CustomerForm(name="Toinen Oy", business_id="12345671",
                                                               country="FI", currency="EUR"))
        assert [e.field for e in again.errors] == ["business_id"]
        assert "Uusi Oy" in str(again.errors[0])


def test_customer_edit_needs_the_right(acme):
    with db.session("acme", "pekka"):
        assert not customer_edit.may_edit()
        with pytest.raises(AccessDenied):
            customer_edit.save(customer_edit.CustomerForm(name="Ei saa Oy"))
        assert not Customer.select().where(Customer.name == "Ei saa Oy").exists()


def test_preference_remembered_per_user(acme):
    with db.session("acme", "anna"):
        assert memo.get_preference(memo.OWN_ENTRIES_PREFERENCE, "0") == "0"
        memo.set_preference(memo.OWN_ENTRIES_PREFERENCE, "1")
        memo.set_preference(memo.OWN_ENTRIES_PREFERENCE, "1")
        assert memo.get_preference(memo.OWN_ENTRIES_PREFERENCE) == "1"
    with db.session("acme", "pekka"):
        assert memo.get_preference(memo.OWN_ENTRIES_PREFERENCE, "0") == "0"


def test_the_automatic_customer_number_as_pupesoft_gives_it(acme):
    """inc/asiakasrivi.inc: with automaattinen_asiakasnumerointi set, a customer without a number
    gets the largest asiakasnro+0 from asiakasnumeroinnin_aloituskohta on, plus one (the starting
    point when there is none); texts count by the number they start with."""
    with db.session("acme", "anna"):
        assert customer_edit.next_customer_no() == ""  # the company does not number customers
        CompanyParameters.create(automatic_customer_no="K", customer_no_start=700)
        assert customer_edit.next_customer_no() == "700"
        for number in ("699", "705x", "A-999", "12"):
            Customer.create(name=f"Numero {number}", customer_no=number)
        assert customer_edit.next_customer_no() == "706"
        assert customer_edit.new_form().customer_no == "706"
        saved = customer_edit.save(customer_edit.CustomerForm(name="Numeroton Oy", business_id="X-1",
                                                              country="SE", currency="EUR"))
        assert Customer.get_by_id(saved).customer_no == "706"
        assert customer_edit.next_customer_no() == "707"
