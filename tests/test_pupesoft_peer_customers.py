"""Pupesoft as the test peer (issue #16) for the customer list's town: customers saved through
pupetui's customer form show the same town in Pupesoft's crm/asiakaslista.php and in pupetui's
list (the delivery town when the customer has one, else the town), and the town filter finds
the same customers in both."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from pupetui import db
from pupetui.services import customer_edit, customers
from pupesoft import COMPANY, USER, browser, peer  # noqa: F401 - the fixtures


def business_id(number: str) -> str:
    """A valid Finnish business ID (y-tunnus) from its first seven digits."""
    rest = sum(int(d) * w for d, w in zip(number, (7, 9, 10, 5, 8, 4, 2))) % 11
    assert rest != 1, number
    return f"{number}-{0 if rest == 0 else 11 - rest}"


class Table(HTMLParser):
    """The rows of a page's tables as lists of cell texts (html.parser), with each header cell's link."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.header_links: list[str] = []
        self._cell: list[str] | None = None
        self._in_th = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
            self._in_th = tag == "th"
        elif tag == "a" and self._in_th:
            self.header_links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            if self.rows:
                self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
            self._in_th = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data + " ")


NAMES = ("Nokian Kone Oy", "Nokkala Oy", "Tampereen Tukku Oy")


@pytest.fixture(scope="module")
def saved(peer):
    """Three customers saved by pupetui's form: one in Tampere delivering to Nokia, one in Nokia,
    one in Tampere."""
    with db.session(COMPANY, USER):
        for name, number, city, delivery in (
            ("Nokian Kone Oy", "1112223", "Tampere", ("Nokian Kone Oy varasto", "Tehtaankatu 3", "37100", "Nokia")),
            ("Nokkala Oy", "2223335", "Nokia", ("", "", "", "")),
            ("Tampereen Tukku Oy", "3334445", "Tampere", ("", "", "", "")),
        ):
            d_name, d_street, d_code, d_city = delivery
            customer_edit.save(customer_edit.CustomerForm(
                name=name, business_id=business_id(number), address="Katu 1", postcode="33100", city=city,
                delivery_name=d_name, delivery_address=d_street, delivery_postcode=d_code, delivery_city=d_city,
                currency="EUR",
            ))


def town_column(table: Table) -> int:
    """The town column's place: Pupesoft's headers link to ojarj=<column>, and its filter field
    haku[i] is the i-th column (both counted from 1)."""
    sorts = [href.split("ojarj=")[1].split("&")[0] for href in table.header_links if "ojarj=" in href]
    return sorts.index("postitp") + 1


def pupesoft_towns(browser, town_filter: str = "") -> dict[str, str]:
    """{name: town} of our customers in Pupesoft's list, filtered by its town field."""
    page = browser.get("crm/asiakaslista.php")
    column = town_column(Table(page.html))
    form = page.form_with(f"haku[{column}]")
    page = browser.post("crm/asiakaslista.php", {**form["fields"], f"haku[{column}]": town_filter})
    table = Table(page.html)
    out = {}
    for row in table.rows:
        name = next((n for n in NAMES if row and row[0].startswith(n)), None)
        if name and len(row) >= column:
            out[name] = row[column - 1]
    return out


def pupetui_towns(town_filter: str = "") -> dict[str, str]:
    with db.session(COMPANY, USER):
        query = customers.CustomerQuery(column_filters=(("city", town_filter),) if town_filter else ())
        return {r.name: r.value("city") for r in customers.page(query, 0, 100) if r.name in NAMES}


def test_the_town_column_shows_the_delivery_town_first_in_both(browser, saved):
    pupesoft = pupesoft_towns(browser, "a")  # every town here has an "a"
    assert pupesoft == {"Nokian Kone Oy": "Nokia", "Nokkala Oy": "Nokia", "Tampereen Tukku Oy": "Tampere"}
    assert pupetui_towns() == pupesoft


def test_the_town_filter_finds_the_same_customers_in_both(browser, saved):
    for text, expected in (("Noki", {"Nokian Kone Oy", "Nokkala Oy"}), ("Tampere", {"Tampereen Tukku Oy"}),
                           ("ampe", {"Tampereen Tukku Oy"})):
        pupesoft = pupesoft_towns(browser, text)
        assert set(pupesoft) == expected, text
        assert pupetui_towns(text) == pupesoft, text


def test_sorting_by_town_sorts_by_the_town_shown(saved):
    with db.session(COMPANY, USER):
        rows = [r for r in customers.page(customers.CustomerQuery(sort="city"), 0, 100) if r.name in NAMES]
    assert [r.value("city") for r in rows] == ["Nokia", "Nokia", "Tampere"]
