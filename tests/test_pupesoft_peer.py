"""Pupesoft as the test peer (issue #16): rows pupetui writes, seen on Pupesoft's own pages, and rows
Pupesoft's own forms write, read by pupetui. One Pupesoft server for the module, on a MariaDB
database of its own with Pupesoft's whole schema."""

from __future__ import annotations

import datetime as dt

from pupetui import db
from pupetui.services import calendar, memo
from pupesoft import CUSTOMER_BUSINESS_ID, COMPANY, USER, USER_NAME, browser, customer, peer  # noqa: F401 - the fixtures

def test_a_customer_saved_in_pupetui_is_in_pupesofts_customer_list_with_its_town(browser, customer):
    page = browser.get("crm/asiakaslista.php")
    search = page.form_with("haku[1]")
    page = browser.post("crm/asiakaslista.php", {**search["fields"], "haku[1]": "Kärkkäinen"})
    assert "Kärkkäinen Ky" in page.text.splitlines()
    assert "Tampere" in page.text.splitlines()
    assert any(text == "Kärkkäinen Ky" and f"asiakasid={customer}" in href for href, text in page.links)


def test_a_memo_entry_written_in_pupetui_shows_on_pupesofts_customer_memo(browser, customer):
    with db.session(COMPANY, USER):
        memo.add_entry(customer, memo.NewEntry(text="Soitettu: tarjous lähtee perjantaina", method="Puhelu"))
    page = browser.get("crm/asiakasmemo.php", {"ytunnus": CUSTOMER_BUSINESS_ID, "asiakasid": customer})
    assert "Kärkkäinen Ky" in page.text
    lines = page.text.splitlines()
    at = lines.index("Soitettu: tarjous lähtee perjantaina")
    # Pupesoft's entry: kind, author, date, method, its delete link, then the text.
    today = dt.date.today()
    assert lines[at - 5:at] == ["Memo", USER_NAME, f"{today.day}.{today.month}.{today.year}", "Puhelu", "Poista"]



def test_a_calendar_entry_written_in_pupetui_shows_on_pupesofts_day_with_its_customer(browser, customer):
    day = dt.date.today() + dt.timedelta(days=3)
    with db.session(COMPANY, USER):
        calendar.save(calendar.EntryForm(start_date=day.isoformat(), start_time="10:00", end_time="11:00", type="Puhelu",
                                         customer_id=customer, comment="Esittely uudesta mallistosta"))
    page = browser.get("crm/kalenteri.php", {"year": day.year, "kuu": f"{day.month:02d}", "paiva": f"{day.day:02d}"})
    assert any("Esittely uudesta mallistosta" in line and "Kärkkäinen Ky" in line for line in page.text.splitlines())
    assert any(text == "Kärkkäinen Ky" and f"asiakasid={customer}" in href for href, text in page.links)


def test_a_memo_entry_posted_on_pupesofts_memo_form_is_read_by_pupetui_with_its_text_and_author(browser, customer):
    page = browser.get("crm/asiakasmemo.php", {"ytunnus": CUSTOMER_BUSINESS_ID, "asiakasid": customer})
    form = page.form_with("tee", "UUSIMEMO")
    assert form["fields"]["tyyppi"] == "Memo"
    browser.post("crm/asiakasmemo.php", {**form["fields"], "viesti": "Kävin paikan päällä, äiti ja öljy", "tapa": "Puhelu"})
    with db.session(COMPANY, USER):
        [entry] = [e for e in memo.entries(customer) if e.text == "Kävin paikan päällä, äiti ja öljy"]
        assert (entry.kind, entry.method, entry.owner, entry.created_by) == ("Memo", "Puhelu", USER, USER)
        assert memo.user_display_name(entry.created_by) == USER_NAME



def test_a_reminder_written_in_pupetui_waits_on_pupesofts_unacknowledged_reminders(browser, customer):
    due = dt.datetime.now().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    with db.session(COMPANY, USER):
        memo.add_entry(customer, memo.NewEntry(kind=memo.REMINDER, text="Soita takaisin hinnoista",
                                               method="Puhelu", when=due))
    page = browser.get("crm/kuittaamattomat.php")
    lines = page.text.splitlines()
    at = lines.index("Soita takaisin hinnoista")
    assert lines[at - 3] == USER_NAME
    assert lines[at - 1] == f"{due.day}.{due.month}.{due.year} {due:%H:%M}"
    assert lines[at + 1:at + 4] == ["Muistutus", "Puhelu", f"{CUSTOMER_BUSINESS_ID} Kärkkäinen Ky"]
    assert any(text == "Kärkkäinen Ky" and f"asiakasid={customer}" in href for href, text in page.links)



def test_a_calendar_entry_added_on_pupesofts_calendar_form_is_read_by_pupetui_on_its_day(browser):
    day = dt.date.today() + dt.timedelta(days=4)
    page = browser.get("crm/kalenteri.php", {"tee": "SYOTA", "year": day.year, "kuu": f"{day.month:02d}",
                                             "paiva": f"{day.day:02d}", "kello": "10:00"})
    form = page.form_with("tee", "LISAA")
    assert "11:00" in form["options"]["lkello"]
    browser.post("crm/kalenteri.php", {**form["fields"], "lkello": "11:00", "viesti": "Messut: osasto 6b"})
    with db.session(COMPANY, USER):
        [entry] = [e for e in calendar.entries_for_day([USER], day) if e.comment == "Messut: osasto 6b"]
    assert (entry.starts_at, entry.ends_at) == (dt.datetime.combine(day, dt.time(10)), dt.datetime.combine(day, dt.time(11)))
    assert (entry.owner, entry.created_by, entry.type, entry.all_day) == (USER, USER, "Puhelu", False)
