"""The customer list service on all four databases: search, filters, districts, paging, sorting."""

from __future__ import annotations

import pytest

from pupetui import db
from pupetui.models import Company, Customer, Keyword, Permission, User
from pupetui.services import customers as C


def _setup(database, n_extra: int = 0):
    with db.session("acme", "anna"):
        Company.create(name="Acme Oy", group="KONS")
        User.create(login="anna", name="Anna Myyjä", salesperson_no=7)
        User.create(login="pekka", name="Pekka Piiri", districts="1,2", salesperson_no=8)
        for kind, value, text in (("ASIAKASOSASTO", "10", "Teollisuus"), ("PIIRI", "1", "Uusimaa"), ("PIIRI", "3", "Häme")):
            Keyword.create(kind=kind, value=value, text=text)
        rows = [
            dict(name="Virtanen Rakennus Oy", city="Helsinki", business_id="1234567-1", customer_no="1001",
                 phone="040 123 4567", email="info@virtanen.fi", district="1", department="10", salesperson_no=7),
            dict(name="Mäkinen Ky", name_extra="Sähkö", city="Tampere", business_id="7654321-2", customer_no="1002",
                 district="3", department="10", status="A"),
            dict(name="Oy [Ab] & Co", city="Turku", business_id="1111111-1", customer_no="1003", district="1"),
            dict(name="Prospekti Oy", kind="R", city="Oulu", customer_no="1004", district="2"),
            dict(name="Poistettu Virtanen Oy", kind="P", city="Helsinki", customer_no="1005", district="1"),
            dict(name="Kuljetus Laine", delivery_name="Virtala Varasto", city="Espoo", customer_no="1006", district="2"),
        ]
        for i in range(n_extra):
            rows.append(dict(name=f"Lisä {i:03d} Oy", city="Lahti", customer_no=f"2{i:03d}", district="1"))
        for r in rows:
            Customer.create(**r)
    with db.session("other", "anna"):
        Company.create(name="Toinen Oy", group="KONS")
        Customer.create(name="Virtanen Toinen Oy", city="Helsinki", customer_no="9001")


def names(rows):
    return [r.name for r in rows]


def test_search_narrows_as_you_type(database):
    _setup(database)
    with db.session("acme", "anna"):
        assert names(C.page(C.CustomerQuery(text="v"), 0, 50)) == ["Kuljetus Laine", "Virtanen Rakennus Oy"]
        assert names(C.page(C.CustomerQuery(text="virt"), 0, 50)) == ["Kuljetus Laine", "Virtanen Rakennus Oy"]
        assert names(C.page(C.CustomerQuery(text="virtan"), 0, 50)) == ["Virtanen Rakennus Oy"]
        assert names(C.page(C.CustomerQuery(text="virtala"), 0, 50)) == ["Kuljetus Laine"]  # delivery name
        assert names(C.page(C.CustomerQuery(text="sähkö"), 0, 50)) == ["Mäkinen Ky"]  # nimitark
        assert names(C.page(C.CustomerQuery(text="MÄKI"), 0, 50)) == ["Mäkinen Ky"]  # case, ä
        assert names(C.page(C.CustomerQuery(text="7654321"), 0, 50)) == ["Mäkinen Ky"]  # ytunnus
        assert names(C.page(C.CustomerQuery(text="1003"), 0, 50)) == ["Oy [Ab] & Co"]  # asiakasnro
        assert names(C.page(C.CustomerQuery(text="turku"), 0, 50)) == ["Oy [Ab] & Co"]  # town
        assert names(C.page(C.CustomerQuery(text="040 123"), 0, 50)) == ["Virtanen Rakennus Oy"]  # phone
        assert names(C.page(C.CustomerQuery(text="info virtanen"), 0, 50)) == ["Virtanen Rakennus Oy"]  # email
        assert names(C.page(C.CustomerQuery(text="zzz"), 0, 50)) == []


@pytest.mark.parametrize("bucket_walk_from", [2, C.BUCKET_WALK_FROM])
def test_name_order_walk_agrees_with_sorting_everything(database, monkeypatch, bucket_walk_from):
    """page() walks the index in name order and stops early (reading big buckets of names that
    start alike through the name index); build() sorts every match: the same rows, at every
    offset, both directions, with many names sharing four characters."""
    monkeypatch.setattr(C, "BUCKET_WALK_FROM", bucket_walk_from)
    _setup(database, n_extra=130)
    with db.session("acme", "anna"):
        Customer.create(name="Lisä", city="Lahti")  # shorter than its bucket-mates
        Customer.create(name="lisä pieni", city="Lahti")  # lower case sorts after upper (BINARY)
        Customer.create(name="Åström Lisä", city="Lahti")  # beyond 255 in no character, after Z
        for text in ("lisä", "lisä oy", "v", "lahti", "l"):
            for descending in (False, True):
                q = C.CustomerQuery(text=text, descending=descending)
                everything = [C._row(c) for c in C.build(q)]
                for offset, limit in ((0, 7), (5, 50), (60, 60), (125, 10), (400, 5)):
                    assert C.page(q, offset, limit) == everything[offset:offset + limit], (text, descending, offset)


def test_name_key_keeps_code_point_order():
    from pupetui.services.search_index import name_key

    names = sorted(["", "A", "AB", "Ab", "Ab ", "Abc", "Abcd", "Abcde", "B", "a", "Ä", "Å", "Ω", "Ωmega", "€uro", "0"])
    keys = [name_key(n) for n in names]
    assert keys == sorted(keys)


def test_search_words_are_word_prefixes_not_substrings(database):
    _setup(database)
    with db.session("acme", "anna"):
        # "tanen" is inside "Virtanen" but starts no word
        assert names(C.page(C.CustomerQuery(text="tanen"), 0, 50)) == []
        assert names(C.page(C.CustomerQuery(text="rakennus virtanen"), 0, 50)) == ["Virtanen Rakennus Oy"]


def test_hostile_search_text_is_only_text(database):
    _setup(database)
    with db.session("acme", "anna"):
        for text in ['"', "'", "a' OR 1=1 --", "*", "NEAR(", "%", "_", "\\", "ab)(", "[Ab]", "\x00x"]:
            C.page(C.CustomerQuery(text=text), 0, 50)  # never an error
        assert names(C.page(C.CustomerQuery(text="[Ab] &"), 0, 50)) == ["Oy [Ab] & Co"]
        assert Customer.select().count() == 6


def test_a_huge_search_or_salesperson_number_is_no_database_error(database):
    """Issue 15.9: a 130,000-character search made MariaDB and PostgreSQL refuse the regular
    expression (a traceback in the list); a salesperson number no int(11) holds, a driver error.
    The search is cut at MAX_SEARCH characters, the number matches nobody."""
    _setup(database)
    with db.session("acme", "anna"):
        huge = C.CustomerQuery(text="virtanen" + "x" * 130_000)
        assert len(huge.text) == C.MAX_SEARCH
        assert C.page(huge, 0, 50) == [] and C.count(huge) == 0
        many = C.CustomerQuery(text=" ".join(f"{a}{b}" for a in "abcdefghijklmnopqrstuvwxyz" for b in "abcdefghijklmnopqrstuvwxyz"))
        assert C.page(many, 0, 50) == [] and C.count(many) == 0  # 333 words, each its own condition
        for number in (2**31, -2**31 - 1, 10**20):
            assert C.page(C.CustomerQuery(salesperson_no=number), 0, 50) == []
            assert C.count(C.CustomerQuery(salesperson_no=number)) == 0
        assert names(C.page(C.CustomerQuery(salesperson_no=7), 0, 50)) == ["Virtanen Rakennus Oy"]


def test_deleted_never_listed_and_prospects_marked(database):
    _setup(database)
    with db.session("acme", "anna"):
        rows = C.page(C.CustomerQuery(), 0, 50)
        assert "Poistettu Virtanen Oy" not in names(rows)
        prospect = [r for r in rows if r.name == "Prospekti Oy"][0]
        assert prospect.is_prospect
        assert C.count(C.CustomerQuery()) == 5


def test_company_scoping_and_whole_group(database):
    _setup(database)
    with db.session("acme", "anna"):
        assert "Virtanen Toinen Oy" not in names(C.page(C.CustomerQuery(text="virtanen"), 0, 50))
        # no right in the other company: the group view still shows only the own one
        assert C.group_companies() == ["acme"]
    with db.session("other", "anna"):
        Permission.create(login="anna", script="crm/asiakaslista.php")
    with db.session("acme", "anna"):
        assert C.group_companies() == ["acme", "other"]
        rows = C.page(C.CustomerQuery(text="virtanen", whole_group=True), 0, 50)
        assert {(r.name, r.company) for r in rows} == {("Virtanen Rakennus Oy", "acme"), ("Virtanen Toinen Oy", "other")}


def test_user_with_districts_sees_only_those(database):
    _setup(database)
    with db.session("acme", "pekka"):
        assert sorted(names(C.page(C.CustomerQuery(), 0, 50))) == ["Kuljetus Laine", "Oy [Ab] & Co", "Prospekti Oy", "Virtanen Rakennus Oy"]
        assert [c.value for c in C.filter_choices()["district"]] == ["1"]


def test_filters_and_column_filters(database):
    _setup(database)
    with db.session("acme", "anna"):
        assert names(C.page(C.CustomerQuery(department="10"), 0, 50)) == ["Mäkinen Ky", "Virtanen Rakennus Oy"]
        assert names(C.page(C.CustomerQuery(district="3"), 0, 50)) == ["Mäkinen Ky"]
        assert names(C.page(C.CustomerQuery(status="A"), 0, 50)) == ["Mäkinen Ky"]
        assert names(C.page(C.CustomerQuery(salesperson_no=7), 0, 50)) == ["Virtanen Rakennus Oy"]
        assert names(C.page(C.CustomerQuery(column_filters=(("city", "elsin"),)), 0, 50)) == ["Virtanen Rakennus Oy"]
        # the name filter also searches nimitark and the delivery names
        assert names(C.page(C.CustomerQuery(column_filters=(("name", "virta"),)), 0, 50)) == ["Kuljetus Laine", "Virtanen Rakennus Oy"]
        # % and _ match literally
        assert names(C.page(C.CustomerQuery(column_filters=(("name", "%"),)), 0, 50)) == []
        assert names(C.page(C.CustomerQuery(column_filters=(("name", "[ab]"),)), 0, 50)) == ["Oy [Ab] & Co"]


def test_sorting_by_any_column(database):
    _setup(database)
    with db.session("acme", "anna"):
        assert names(C.page(C.CustomerQuery(sort="city"), 0, 3)) == ["Kuljetus Laine", "Virtanen Rakennus Oy", "Prospekti Oy"]
        assert names(C.page(C.CustomerQuery(sort="customer_no", descending=True), 0, 2)) == ["Kuljetus Laine", "Prospekti Oy"]
        for column in C.COLUMNS:
            assert len(C.page(C.CustomerQuery(sort=column.id), 0, 50)) == 5


def test_the_town_is_the_delivery_town_first_as_pupesoft_lists_it(database):
    """crm/asiakaslista.php: if (toim_postitp != '', toim_postitp, postitp), shown, filtered and
    sorted; a delivery town of spaces is none (MariaDB compares it equal to '')."""
    with db.session("acme", "anna"):
        Company.create(name="Acme Oy")
        Customer.create(name="Nokian Kone Oy", city="Tampere", delivery_city="Nokia")
        Customer.create(name="Porin Paja Oy", city="Pori", delivery_city="   ")
        Customer.create(name="Tampereen Tukku Oy", city="Tampere")
        towns = {r.name: r.value("city") for r in C.page(C.CustomerQuery(), 0, 50)}
        assert towns == {"Nokian Kone Oy": "Nokia", "Porin Paja Oy": "Pori", "Tampereen Tukku Oy": "Tampere"}
        for text, expected in (("nok", ["Nokian Kone Oy"]), ("Tampere", ["Tampereen Tukku Oy"]), ("por", ["Porin Paja Oy"])):
            assert names(C.page(C.CustomerQuery(column_filters=(("city", text),)), 0, 50)) == expected, text
            assert C.count(C.CustomerQuery(column_filters=(("city", text),))) == len(expected)
        assert names(C.page(C.CustomerQuery(sort="city"), 0, 50)) == ["Nokian Kone Oy", "Porin Paja Oy", "Tampereen Tukku Oy"]


def test_paging_reads_pages_not_everything(database):
    _setup(database, n_extra=120)
    with db.session("acme", "anna"):
        q = C.CustomerQuery(text="lisä")
        first = C.page(q, 0, 50)
        second = C.page(q, 50, 50)
        third = C.page(q, 100, 50)
        assert len(first) == 50 and len(second) == 50 and len(third) == 20
        assert names(first)[0] == "Lisä 000 Oy" and names(third)[-1] == "Lisä 119 Oy"
        assert C.count(q) == 120
        assert len(list(C.all_rows(q, batch=40))) == 120


def test_index_follows_edits(database):
    _setup(database)
    with db.session("acme", "anna"):
        c = Customer.get(Customer.customer_no == "1001")
        c.name = "Uusinimi Oy"
        c.save()
        assert names(C.page(C.CustomerQuery(text="uusinimi"), 0, 50)) == ["Uusinimi Oy"]
        assert names(C.page(C.CustomerQuery(text="rakennus"), 0, 50)) == []
        c.delete_instance()
        assert names(C.page(C.CustomerQuery(text="uusinimi"), 0, 50)) == []
