"""Pupesoft as the test peer for the calendar, the memo and reminders (issue #16): each row pupetui
writes is read from Pupesoft's own pages (crm/kalenteri.php's day view, crm/asiakasmemo.php,
crm/kuittaamattomat.php), and rows Pupesoft's own forms write (reply, acknowledgement, delete) are
read back by pupetui."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from pupetui import db
from pupetui.models import Activity, Permission, User
from pupetui.services import calendar, memo, reminders
from pupetui.services.attachments import Attachment
from pupetui.services.auth import AccessDenied
from pupetui.services.validation import ValidationError
from pupesoft import COMPANY, USER, USER_NAME, browser, customer, peer  # noqa: F401 - the fixtures

OTHER, OTHER_NAME = "ville", "Ville Välittäjä"
SLOT = re.compile(r"^\d\d:\d\d$")


@pytest.fixture(scope="module")
def colleague(peer):
    """A second calendar user: the handler of a lead that maija supervises."""
    with db.session(COMPANY, USER):
        User.create(login=OTHER, name=OTHER_NAME, language="fi", salesperson_no=2)
        Permission.create(login=OTHER, application="Asiakkuudenhallinta", script="crm/kalenteri.php", may_update="1")
        User.update(email="maija@example.com").where(User.login == USER).execute()
    return OTHER


def day_view(browser, day: dt.date):
    return browser.get("crm/kalenteri.php", {"year": day.year, "kuu": f"{day.month:02d}", "paiva": f"{day.day:02d}"})


def slot_of(page, text: str) -> str | None:
    """The time slot of Pupesoft's day view in which a line holding `text` is drawn (None: not drawn)."""
    lines = page.text.splitlines()
    for at, line in enumerate(lines):
        if text in line:
            for before in reversed(lines[:at]):
                if SLOT.match(before):
                    return before
            return ""
    return None


def memo_page(browser, customer_id: int):
    return browser.get("crm/asiakasmemo.php", {"ytunnus": "7654321-0", "asiakasid": customer_id})


def header_before(page, text: str) -> list[str]:
    """The five lines Pupesoft prints before an entry's text: type, kuka's name, date, method, Poista."""
    lines = page.text.splitlines()
    at = lines.index(text)
    return lines[at - 5:at]


def fi_date(day: dt.date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


# -- the calendar -----------------------------------------------------------------------------------


def test_a_timed_entry_on_the_grid_is_drawn_in_its_slot_of_pupesofts_day_view(browser, customer):
    day = dt.date.today() + dt.timedelta(days=5)
    with db.session(COMPANY, USER):
        calendar.save(calendar.EntryForm(start_date=day.isoformat(), start_time="13:30", end_time="14:30",
                                         type="Puhelu", customer_id=customer, comment="Ruudukon aika"))
    page = day_view(browser, day)
    assert slot_of(page, "Ruudukon aika") == "13:30"
    assert "Puhelu - Kärkkäinen Ky Ruudukon aika" in page.text.splitlines()  # type (her own: a link), customer, text
    assert ("#", "Puhelu") in page.links


def test_an_off_grid_time_is_not_drawn_by_pupesoft_and_pupetui_refuses_it(browser):
    day = dt.date.today() + dt.timedelta(days=6)
    with db.session(COMPANY, USER):
        # what an older pupetui wrote: 10:10-10:50 is in no slot of Pupesoft's day view
        Activity.create(kind="kalenteri", owner=USER, method="Puhelu", text="Ruudukon ulkopuolella",
                        starts_at=dt.datetime.combine(day, dt.time(10, 10)),
                        ends_at=dt.datetime.combine(day, dt.time(10, 50)))
        with pytest.raises(ValidationError) as err:
            calendar.save(calendar.EntryForm(start_date=day.isoformat(), start_time="10:10", end_time="10:50",
                                             type="Puhelu", comment="Ei tallenneta"))
        assert err.value.field == "start time"
        assert "08:00-17:30 every 30 minutes" in str(err.value)  # the company's kalenteri_aikavali is 30
    page = day_view(browser, day)
    assert slot_of(page, "Ruudukon ulkopuolella") is None
    assert "Ei tallenneta" not in page.text


def test_an_all_day_entry_is_in_pupesofts_all_day_row(browser):
    day = dt.date.today() + dt.timedelta(days=7)
    with db.session(COMPANY, USER):
        calendar.save(calendar.EntryForm(start_date=day.isoformat(), all_day=True, type="Puhelu",
                                         comment="Koko päivän messut"))
    page = day_view(browser, day)
    assert slot_of(page, "Koko päivän messut") == ""  # above the time slots
    assert ("#", "Koko päivän messut") in page.links  # the link that opens it in Pupesoft's form


def test_a_reminder_written_in_pupetui_is_in_pupesofts_day_view_and_pupetuis_calendar(browser, customer):
    day = dt.date.today() + dt.timedelta(days=8)
    when = dt.datetime.combine(day, dt.time(9, 0))
    with db.session(COMPANY, USER):
        rid = memo.add_entry(customer, memo.NewEntry(kind=memo.REMINDER, text="Muistuta tarjouksesta",
                                                     method="Puhelu", when=when))
        [shown] = [e for e in calendar.entries_for_day([USER], day) if e.id == rid]
        assert (shown.is_reminder, shown.starts_at, shown.ends_at) == (True, when, when + dt.timedelta(minutes=30))
    assert slot_of(day_view(browser, day), "Muistuta tarjouksesta") == "09:00"


def test_a_reminder_added_on_pupesofts_reminder_form_is_in_pupetuis_calendar(browser):
    day = dt.date.today() + dt.timedelta(days=9)
    page = browser.get("crm/kuittaamattomat.php", {"tee": "MUISTUTUS"})
    form = page.form_with("tee", "LISAAMUISTUTUS")
    browser.post("crm/kuittaamattomat.php", {**form["fields"], "viesti": "Pupesoftin muistutus", "mppa": day.day,
                                             "mkka": day.month, "mvva": day.year, "mhh": "11", "mmm": "00"})
    with db.session(COMPANY, USER):
        [entry] = [e for e in calendar.entries_for_day([USER], day) if e.comment == "Pupesoftin muistutus"]
        assert (entry.is_reminder, entry.starts_at.time(), entry.type) == (True, dt.time(11), "Puhelu")


def test_an_entry_deleted_in_pupetui_is_gone_from_pupesoft_and_its_table(browser):
    day = dt.date.today() + dt.timedelta(days=10)
    with db.session(COMPANY, USER):
        eid = calendar.save(calendar.EntryForm(start_date=day.isoformat(), start_time="15:00", end_time="16:00",
                                               type="Puhelu", comment="Poistettava käynti"))
    assert slot_of(day_view(browser, day), "Poistettava käynti") == "15:00"
    with db.session(COMPANY, USER):  # a file attached to it in Pupesoft, and one of another row
        Attachment.create(link="kalenterimerkintä", linked_id=eid, filename="kartta.pdf")
        other = Attachment.create(link="Memo", linked_id=eid, filename="memo.pdf").id
        calendar.delete(eid)
        assert Activity.get_or_none(Activity.id == eid) is None  # as kalenteri.php's POISTA: a DELETE
        # ... which deletes the entry's files too (kalenteri.php:302-306)
        assert [a.id for a in Attachment.select()] == [other]
    assert slot_of(day_view(browser, day), "Poistettava käynti") is None


def test_an_entry_deleted_on_pupesofts_calendar_form_is_gone_from_pupetui(browser):
    day = dt.date.today() + dt.timedelta(days=11)
    with db.session(COMPANY, USER):
        eid = calendar.save(calendar.EntryForm(start_date=day.isoformat(), start_time="12:00", end_time="12:30",
                                               type="Puhelu", comment="Pupesoft poistaa"))
    page = browser.get("crm/kalenteri.php", {"tee": "SYOTA", "tunnus": eid, "year": day.year, "kuu": day.month,
                                             "paiva": day.day})
    assert page.form_with("tee", "LISAA")["fields"]["tapa"] == "Puhelu"
    browser.post("crm/kalenteri.php", page.form_with("tee", "POISTA")["fields"])
    with db.session(COMPANY, USER):
        assert [e for e in calendar.entries_for_day([USER], day) if e.id == eid] == []


def test_a_type_made_in_pupetui_is_offered_by_pupesofts_calendar_and_memo_forms(browser, customer):
    with db.session(COMPANY, USER):
        # types are keywords: Pupesoft's keyword maintenance with its update flag
        Permission.create(login=USER, application="Ylläpito", script="yllapito.php", subname="avainsana",
                          may_update="1", title="Avainsanat", order=110)
        calendar.save_entry_type("Messukäynti", "#00aa00", 5)
    day = dt.date.today()
    page = browser.get("crm/kalenteri.php", {"tee": "SYOTA", "year": day.year, "kuu": day.month, "paiva": day.day})
    assert "Messukäynti" in page.form_with("tee", "LISAA")["options"]["tapa"]
    assert "Messukäynti" in memo_page(browser, customer).form_with("tee", "UUSIMEMO")["options"]["tapa"]
    with db.session(COMPANY, USER):
        assert "Messukäynti" in memo.method_choices()


# -- the memo ---------------------------------------------------------------------------------------


def test_a_reply_written_in_pupetui_shows_in_pupesoft_with_its_author_date_and_delete_link(browser, customer):
    with db.session(COMPANY, USER):
        parent = memo.add_entry(customer, memo.NewEntry(text="Kysyttiin hintaa", method="Puhelu"))
        reply = memo.add_entry(customer, memo.NewEntry(text="Vastattu: 120 euroa", method="Puhelu", parent_id=parent))
        row = Activity.get_by_id(reply)
        assert (row.parent_id, row.ends_at - row.starts_at) == (0, dt.timedelta(minutes=30))
        shown = {e.id: e for e in memo.entries(customer)}
        assert (shown[reply].parent_id, shown[reply].depth) == (parent, 1)  # pupetui still threads it
    page = memo_page(browser, customer)
    assert header_before(page, "Vastattu: 120 euroa") == ["Memo", USER_NAME, fi_date(dt.date.today()), "Puhelu", "Poista"]
    assert any(f"tunnus={reply}&" in href and "tee=POISTAMEMO" in href for href, _ in page.links)


def test_an_entry_deleted_with_pupesofts_delete_link_is_deleted_in_pupetui(browser, customer):
    with db.session(COMPANY, USER):
        eid = memo.add_entry(customer, memo.NewEntry(text="Pupesoft poistaa tämän", method="Puhelu"))
    page = memo_page(browser, customer)
    [href] = [h for h, text in page.links if f"tunnus={eid}&" in h and "tee=POISTAMEMO" in h]
    browser.get("crm/" + href.split("crm/", 1)[1])
    with db.session(COMPANY, USER):
        [entry] = [e for e in memo.entries(customer, memo.EntryFilter(show_deleted=True)) if e.id == eid]
        assert entry.deleted
        assert eid not in {e.id for e in memo.entries(customer)}


def test_a_memo_sent_on_with_pupesofts_form_is_a_reply_in_pupetui_by_its_sender(browser, customer, colleague):
    with db.session(COMPANY, USER):
        eid = memo.add_entry(customer, memo.NewEntry(text="Lähetetään eteenpäin", method="Puhelu"))
    page = memo_page(browser, customer)
    form = page.form_with("tunnus", str(eid))
    [choice] = [o for o in form["options"]["email"] if o.startswith("maija@example.com###")]
    browser.post("crm/asiakasmemo.php", {**form["fields"], "email": choice})
    with db.session(COMPANY, USER):
        [copy] = [e for e in memo.entries(customer) if e.parent_id == eid]
        assert (copy.kind, copy.owner, copy.depth) == ("Memo", USER, 1)
        assert copy.text == f"{USER_NAME} lähetti memon käyttäjälle: {USER_NAME} / maija@example.com"


def test_a_memo_entry_deleted_in_pupetui_is_among_pupesofts_deleted_entries_only(browser, customer):
    with db.session(COMPANY, USER):
        eid = memo.add_entry(customer, memo.NewEntry(text="pupetui poistaa tämän", method="Puhelu"))
    assert "pupetui poistaa tämän" in memo_page(browser, customer).text.splitlines()
    with db.session(COMPANY, USER):
        file_id = Attachment.create(link="Memo", linked_id=eid, filename="tarjous.pdf").id
        memo.delete_entry(customer, eid)
        # the entry's files are marked as Pupesoft's POISTAMEMO marks them
        assert Attachment.get_by_id(file_id).link == "DELETED Memo"
    assert "pupetui poistaa tämän" not in memo_page(browser, customer).text.splitlines()
    page = browser.get("crm/asiakasmemo.php", {"ytunnus": "7654321-0", "asiakasid": customer, "naytapoistetut": "OK"})
    lines = page.text.splitlines()
    at = lines.index("pupetui poistaa tämän")
    assert lines[at - 4] == "DELETED Memo" and "Poista" not in lines[at - 4:at]  # Pupesoft's own soft delete


# -- acknowledgements -------------------------------------------------------------------------------


def test_a_reminder_acknowledged_in_pupetui_leaves_pupesofts_list_and_shows_on_its_memo(browser, customer):
    due = dt.datetime.now().replace(second=0, microsecond=0) - dt.timedelta(hours=2)
    with db.session(COMPANY, USER):
        rid = memo.add_entry(customer, memo.NewEntry(kind=memo.REMINDER, text="Kuitattava muistutus",
                                                     method="Puhelu", when=due))
    assert "Kuitattava muistutus" in browser.get("crm/kuittaamattomat.php").text.splitlines()
    with db.session(COMPANY, USER):
        ack = reminders.acknowledge(rid, "Soitettu")
        row = Activity.get_by_id(ack)
        assert (row.owner, row.parent_id, row.created_by, row.ends_at == row.starts_at) == (USER, rid, "", True)
    assert "Kuitattava muistutus" not in browser.get("crm/kuittaamattomat.php").text.splitlines()
    assert f"{USER_NAME} kuittasi: Soitettu" in memo_page(browser, customer).text.splitlines()


def test_a_reminder_acknowledged_on_pupesofts_form_is_acknowledged_in_pupetui_by_its_kuka(browser, customer):
    due = dt.datetime.now().replace(second=0, microsecond=0) - dt.timedelta(hours=3)
    with db.session(COMPANY, USER):
        rid = memo.add_entry(customer, memo.NewEntry(kind=memo.REMINDER, text="Pupesoft kuittaa",
                                                     method="Puhelu", when=due))
    page = browser.post(f"crm/kuittaamattomat.php?tee=A&kaletunnus={rid}", {})
    form = page.form_with("muuta")
    assert f"tee=B&kuka=&kaletunnus={rid}" in form["attrs"]["action"]
    browser.post(f"crm/kuittaamattomat.php?tee=B&kuka=&kaletunnus={rid}", {**form["fields"], "muuta": "Hoidettu"})
    with db.session(COMPANY, USER):
        assert rid not in {r.id for r in reminders.waiting()}
        shown = memo.entries(customer)
        [ack] = [e for e in shown if e.parent_id == rid]
        # Pupesoft writes no laatija on an acknowledgement: the "By" pupetui shows is its kuka
        assert (ack.kind, ack.owner, ack.created_by, ack.depth) == ("Kuittaus", USER, "", 1)
        assert ack.text == f"{USER_NAME} kuittasi: Hoidettu"


def test_a_lead_is_acknowledged_by_its_handler_only(browser, customer, colleague):
    when = dt.datetime.now().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    with db.session(COMPANY, USER):
        lead = memo.add_entry(customer, memo.NewEntry(kind=memo.LEAD, text="Liidi Villelle", method="Puhelu",
                                                      owner=OTHER, supervisor=USER, when=when))
    page = browser.get("crm/kuittaamattomat.php")
    assert "Liidi Villelle" in page.text.splitlines()  # maija supervises it: listed ...
    assert not [f for f in page.forms if f"kaletunnus={lead}" in f["attrs"].get("action", "")]  # ... no Kuittaa
    with db.session(COMPANY, USER):
        with pytest.raises(AccessDenied):
            reminders.acknowledge(lead, "En saa")
        with pytest.raises(AccessDenied):
            memo.acknowledge(lead, "En saa")
    with db.session(COMPANY, OTHER):
        reminders.acknowledge(lead, "Hoidan")
    assert "Liidi Villelle" not in browser.get("crm/kuittaamattomat.php").text.splitlines()


def test_own_entries_are_pupesofts_own_entries_the_rows_of_ones_kuka(browser, customer, colleague):
    with db.session(COMPANY, USER):  # maija writes a reminder for ville: it is ville's in Pupesoft
        rid = memo.add_entry(customer, memo.NewEntry(kind=memo.REMINDER, text="Villen oma muistutus",
                                                     method="Puhelu", owner=OTHER))
        memo.add_entry(customer, memo.NewEntry(text="Maijan oma memo", method="Puhelu"))
        own = {e.id for e in memo.entries(customer, memo.EntryFilter(own_only=True))}
        assert rid not in own
    with db.session(COMPANY, OTHER):
        assert rid in {e.id for e in memo.entries(customer, memo.EntryFilter(own_only=True))}
    # Pupesoft's memo with "all users' entries" unticked lists the rows whose kuka is the user
    page = browser.get("crm/asiakasmemo.php", {"ytunnus": "7654321-0", "asiakasid": customer,
                                               "tallenna_keksiin": "joo", "nayta_kaikki_merkinnat[]": "default"})
    assert "Maijan oma memo" in page.text.splitlines()
    assert "Villen oma muistutus" not in page.text.splitlines()


@pytest.mark.parametrize("minutes", ["15", "30"])
def test_pupetuis_slot_grid_is_the_one_of_pupesofts_form_and_day_view(browser, minutes):
    from pupetui.models import CompanyParameters

    day = dt.date.today() + dt.timedelta(days=12)
    with db.session(COMPANY, USER):
        CompanyParameters.update(calendar_slot_minutes=minutes).execute()
    try:
        page = browser.get("crm/kalenteri.php", {"tee": "SYOTA", "year": day.year, "kuu": day.month, "paiva": day.day})
        form = page.form_with("tee", "LISAA")
        with db.session(COMPANY, USER):
            starts = [f"{t:%H:%M}" for t in calendar.start_slots()]
            ends = [f"{t:%H:%M}" for t in calendar.end_slots()]
            # Pupesoft's form offers one more start, 18:00, that its day view has no slot for
            assert form["options"]["kello"] == starts + ["18:00"]
            assert form["options"]["lkello"] == ends + ["KOKOPAIVA"]
            last = starts[-1]
            calendar.save(calendar.EntryForm(start_date=day.isoformat(), start_time=last, end_time="18:00",
                                             type="Puhelu", comment=f"Viimeinen {minutes}"))
        assert slot_of(day_view(browser, day), f"Viimeinen {minutes}") == last
    finally:
        with db.session(COMPANY, USER):
            CompanyParameters.update(calendar_slot_minutes="30").execute()
