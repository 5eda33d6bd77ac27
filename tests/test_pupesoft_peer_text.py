"""Text pupetui writes, as Pupesoft's own pages show it (issue #16: text Pupesoft can carry safely).

Pupesoft removes `" ' < > \\ ;` from every input (`pupe_register_globals`, inc/parametrit.inc:41-59)
and then prints stored values into HTML unescaped and into SQL strings. pupetui stores its texts
as that rule leaves them, so a memo typed with a script tag is plain text on Pupesoft's memo page,
and a customer name typed with a quote does not break Pupesoft's customer list.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from pupetui import db
from pupetui.models import Activity, Customer
from pupetui.services import customer_edit, memo
from pupetui.services.validation import ValidationError
from pupesoft import COMPANY, USER, browser, customer, peer  # noqa: F401 - the fixtures

TYPED = '<script>alert(1)</script> "Hinta"; 5\\6'
STORED = "scriptalert(1)/script Hinta 56"


class Scripts(HTMLParser):
    """The script elements of a page and what each holds."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self._in = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._in = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = False

    def handle_data(self, data):
        if self._in:
            self.scripts[-1] += data


def as_a_browser_reads_it(text: str) -> str:
    """The page decoded as a browser decodes an ISO-8859-1 page: as Windows-1252 (WHATWG)."""
    return text.encode("latin1").decode("cp1252", errors="replace")


def memo_page(browser, customer_id: int):
    return browser.get("crm/asiakasmemo.php", {"ytunnus": "7654321-0", "asiakasid": customer_id})


def test_a_memo_typed_with_a_script_tag_is_plain_cleaned_text_on_pupesofts_memo_page(browser, customer):
    with db.session(COMPANY, USER):
        entry_id = memo.add_entry(customer, memo.NewEntry(text=TYPED, method="Puhelu"))
        assert Activity.get_by_id(entry_id).text == STORED
    page = memo_page(browser, customer)
    assert STORED in page.text.splitlines()
    assert not any("alert(1)" in script for script in Scripts(page.html).scripts)
    assert "<script>alert" not in page.html and '"Hinta"' not in page.html


def test_a_customer_whose_name_was_typed_with_quotes_is_listed_by_pupesofts_customer_list(browser, peer):
    form = customer_edit.CustomerForm(name="O'Brien \"Sons\"; Oy", business_id="1234567-1", address="Katu 1",
                                      postcode="00100", city="Helsinki", country="FI", currency="EUR")
    with db.session(COMPANY, USER):
        customer_id = customer_edit.save(form)
        assert Customer.get_by_id(customer_id).name == "OBrien Sons Oy"
    page = browser.get("crm/asiakaslista.php")
    search = page.form_with("haku[1]")
    page = browser.post("crm/asiakaslista.php", {**search["fields"], "haku[1]": "OBrien"})
    assert "OBrien Sons Oy" in page.text.splitlines()
    assert any(text == "OBrien Sons Oy" and f"asiakasid={customer_id}" in href for href, text in page.links)
    # and its memo page opens with the customer's name
    # stored as Pupesoft stores a Finnish business ID
    page = browser.get("crm/asiakasmemo.php", {"ytunnus": "12345671", "asiakasid": customer_id})
    assert "OBrien Sons Oy" in page.text


def test_finnish_letters_and_the_euro_sign_round_trip_to_pupesoft(browser, customer):
    text = "Hinta 5 € – äiti ja öljy, Åland"
    with db.session(COMPANY, USER):
        memo.add_entry(customer, memo.NewEntry(text=text, method="Puhelu"))
    page = memo_page(browser, customer)
    assert text in as_a_browser_reads_it(page.text).splitlines()


def test_an_emoji_memo_is_refused_with_a_clear_message_never_a_database_error(browser, customer):
    with db.session(COMPANY, USER):
        before = Activity.select().count()
        with pytest.raises(ValidationError) as refused:
            memo.add_entry(customer, memo.NewEntry(text="Kiitos 😀", method="Puhelu"))
        assert refused.value.field == "text" and "cannot be stored in Pupesoft" in str(refused.value)
        assert Activity.select().count() == before
    assert "Kiitos" not in memo_page(browser, customer).text
