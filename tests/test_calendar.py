"""The calendar service on all four databases: month queries at boundaries, all-day entries,
rights, the form's checks, and the iCalendar export read back with a parser."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from pupetui import db
from pupetui.models import Activity, CompanyParameters, Customer, Keyword, Permission, User
from pupetui.services import calendar as cal
from pupetui.services.auth import AccessDenied
from pupetui.services.validation import ValidationError

D = dt.datetime


@pytest.fixture
def acme(database):
    with db.session("acme", "anna"):
        CompanyParameters.create(calendar_slot_minutes="15")
        for login, name, position in (("anna", "Anna", "MP"), ("pekka", "Pekka", ""), ("liisa", "Liisa", ""), ("eino", "Eino", "")):
            User.create(login=login, name=name, position=position)
        for login in ("anna", "pekka", "liisa"):
            Permission.create(login=login, script="crm/kalenteri.php")
        Keyword.create(kind="KALETAPA", value="1", text="Käynti asiakkaalla", text_2="#00aa00", order=1)
        Keyword.create(kind="KALETAPA", value="2", text="Lääkäri", text_2="red", order=2)
        c = Customer.create(name="Virtanen Oy", business_id="1234567-1")
        yield c.id


def form_(**kw) -> cal.EntryForm:
    """A calendar form; Pupesoft's calendar needs a type, so one is given unless the test says."""
    kw.setdefault("type", "Lääkäri")
    return cal.EntryForm(**kw)


def entry(owner, start, end, **kw):
    return Activity.create(kind="kalenteri", owner=owner, starts_at=start, ends_at=end, **kw).id


def test_month_boundaries_and_year_change(acme):
    with db.session("acme", "anna"):
        entry("anna", D(2025, 12, 31, 23, 0), D(2026, 1, 1, 1, 0), text="uusivuosi")
        entry("anna", D(2026, 1, 31, 10, 0), D(2026, 1, 31, 11, 0), text="tammikuun viimeinen")
        entry("anna", D(2026, 2, 1, 0, 0), D(2026, 2, 1, 0, 30), text="helmikuun eka")
        entry("anna", D(2026, 2, 28, 0, 0), D(2026, 2, 28, 23, 59, 59), all_day="x", text="koko päivä")
        entry("anna", D(2026, 3, 1, 0, 0), D(2026, 3, 1, 1, 0), text="maaliskuu")
        jan = [e.comment for e in cal.entries_for_month(["anna"], 2026, 1, whole_weeks=False)]
        assert jan == ["uusivuosi", "tammikuun viimeinen"]
        dec = [e.comment for e in cal.entries_for_month(["anna"], 2025, 12, whole_weeks=False)]
        assert dec == ["uusivuosi"]
        feb = cal.entries_for_month(["anna"], 2026, 2, whole_weeks=False)
        assert [e.comment for e in feb] == ["helmikuun eka", "koko päivä"]
        assert feb[1].all_day and feb[1].on_day(dt.date(2026, 2, 28))
        # the grid of February 2026 runs Mon 26.1. to Sun 1.3.
        assert cal.month_grid_range(2026, 2) == (dt.date(2026, 1, 26), dt.date(2026, 3, 1))
        grid = [e.comment for e in cal.entries_for_month(["anna"], 2026, 2)]
        assert grid == ["tammikuun viimeinen", "helmikuun eka", "koko päivä", "maaliskuu"]
        assert [e.comment for e in cal.entries_for_day(["anna"], dt.date(2026, 1, 1))] == ["uusivuosi"]


def test_deleted_and_other_types_not_in_the_calendar(acme):
    with db.session("acme", "anna"):
        gone = entry("anna", D(2026, 5, 5, 9), D(2026, 5, 5, 10), text="poistuu")
        Activity.create(kind="Memo", owner="anna", starts_at=D(2026, 5, 5, 9), ends_at=D(2026, 5, 5, 9), text="memo")
        Activity.create(kind="DELETED Muistutus", owner="anna", starts_at=D(2026, 5, 5, 9), ends_at=D(2026, 5, 5, 9, 30))
        cal.delete(gone)  # Pupesoft's calendar deletes the row (kalenteri.php tee=POISTA)
        assert Activity.get_or_none(Activity.id == gone) is None
        assert cal.entries_for_month(["anna"], 2026, 5) == []


def test_reminders_are_in_the_calendar_as_in_pupesofts(acme):
    """Pupesoft's day view draws tyyppi 'kalenteri' and 'muistutus' rows of the chosen users."""
    with db.session("acme", "anna"):
        rid = Activity.create(kind="Muistutus", owner="anna", starts_at=D(2026, 5, 5, 10), ends_at=D(2026, 5, 5, 10, 30),
                              method="Lääkäri", text="Soita Virtaselle", acknowledgement="K").id
        Activity.create(kind="Muistutus", owner="pekka", starts_at=D(2026, 5, 5, 10), ends_at=D(2026, 5, 5, 10, 30),
                        text="pekan muistutus")
        [shown] = cal.entries_for_day(["anna"], dt.date(2026, 5, 5))
        assert (shown.id, shown.comment, shown.type, shown.is_reminder, shown.done) == (
            rid, "Soita Virtaselle", "Lääkäri", True, False)
        from pupetui.services import calendar_view

        assert [e.id for e in calendar_view.entries_between(["anna"], D(2026, 5, 1), D(2026, 6, 1))] == [rid]
        with pytest.raises(ValidationError):  # not a calendar entry: changed in Reminders
            cal.delete(rid)
        assert not cal.may_change(rid)


def test_timed_entries_are_on_pupesofts_slot_grid(acme):
    with db.session("acme", "anna"):  # the company's slot is 15 minutes: 08:00-17:45 starts, ends to 18:00
        assert cal.start_slots()[:2] == [dt.time(8), dt.time(8, 15)] and cal.start_slots()[-1] == dt.time(17, 45)
        assert cal.end_slots()[0] == dt.time(8, 15) and cal.end_slots()[-1] == dt.time(18)
        eid = cal.save(form_(start_date="5.5.2026", start_time="17:45", end_time="18:00"))
        assert Activity.get_by_id(eid).ends_at == D(2026, 5, 5, 18)
        CompanyParameters.update(calendar_slot_minutes="30").execute()
        assert cal.start_slots()[-1] == dt.time(17, 30) and len(cal.start_slots()) == 20
        with pytest.raises(ValidationError) as err:
            cal.save(form_(start_date="5.5.2026", start_time="09:15", end_time="10:00"))
        assert err.value.field == "start time"
        assert str(err.value) == "start time: 09:15 is not on Pupesoft's calendar (08:00-17:30 every 30 minutes)"
        # a time off the grid is kept when the entry is made all day instead
        aid = cal.save(form_(start_date="5.5.2026", start_time="09:15", end_time="10:00", all_day=True))
        assert Activity.get_by_id(aid).all_day == "x"


def test_an_edited_entry_keeps_a_type_no_longer_listed_as_pupesofts_form_does(acme):
    with db.session("acme", "anna"):
        eid = entry("anna", D(2026, 5, 5, 9), D(2026, 5, 5, 10), method="Vanha tapa")
        form = cal.load(eid)
        form.comment = "muutettu"
        cal.save(form, eid)
        assert (Activity.get_by_id(eid).method, Activity.get_by_id(eid).text) == ("Vanha tapa", "muutettu")
        with pytest.raises(ValidationError) as err:  # a new entry needs a type that is listed
            cal.save(form_(start_date="5.5.2026", type="Vanha tapa"))
        assert err.value.field == "type"


def test_a_new_entry_has_the_audit_columns_pupesoft_writes(acme):
    with db.session("acme", "anna"):
        eid = cal.save(form_(start_date="5.5.2026", start_time="09:00", end_time="10:00", owner="pekka"))
        row = Activity.get_by_id(eid)
        # kalenteri.php LISAA: laatija = the writer, kuka = whose calendar; no other audit column
        assert (row.created_by, row.owner, row.created_at, row.modified_by, row.modified_at) == (
            "anna", "pekka", None, "", None)
        cal.save(form_(start_date="5.5.2026", start_time="10:00", end_time="11:00", owner="pekka"), eid)
        row = Activity.get_by_id(eid)
        assert (row.created_by, row.modified_by, row.starts_at) == ("anna", "anna", D(2026, 5, 5, 10))
        assert row.modified_at is not None


def test_types_are_read_in_the_companys_language_and_new_ones_are_listed_by_pupesoft(acme):
    from pupetui.models import Company

    with db.session("acme", "anna"):
        Company.create(name="Acme", language="fi")
        Keyword.create(kind="KALETAPA", value="1", text="Customer visit", language="en", family=1)
        Keyword.update(language="fi").where(Keyword.kind == "KALETAPA").where(Keyword.text != "Customer visit").execute()
        assert [t.text for t in cal.entry_types()] == ["Käynti asiakkaalla", "Lääkäri"]
        with pytest.raises(ValidationError) as err:  # a translation is no type of its own
            cal.save(form_(start_date="5.5.2026", type="Customer visit"))
        assert err.value.field == "type"
        Permission.create(login="anna", script="yllapito.php", subname="avainsana", may_update="1")
        cal.save_entry_type("Palaveri")
        assert Keyword.get(Keyword.text == "Palaveri").language == "fi"


def test_form_writes_as_pupesoft(acme):
    with db.session("acme", "anna"):
        eid = cal.save(form_(start_date="5.5.2026", start_time="9:00", end_time="10.30", type="Käynti asiakkaalla",
                                     customer_id=acme, comment="Esittely [b]", kilometres="42,5", per_diems="1", done=True))
        row = Activity.get_by_id(eid)
        assert (row.kind, row.owner, row.starts_at, row.ends_at, row.method) == (
            "kalenteri", "anna", D(2026, 5, 5, 9, 0), D(2026, 5, 5, 10, 30), "Käynti asiakkaalla")
        assert (row.customer_id, row.business_id, row.text, row.kilometres, row.per_diems, row.acknowledgement) == (
            acme, "1234567-1", "Esittely [b]", "42.5", "1", "K")
        aid = cal.save(form_(start_date="2026-07-01", end_date="2026-07-14", all_day=True, type="Lääkäri"))
        row = Activity.get_by_id(aid)
        assert (row.starts_at, row.ends_at, row.all_day, row.customer_id) == (D(2026, 7, 1), D(2026, 7, 14, 23, 59, 59), "x", 0)
        form = cal.load(eid)
        assert (form.start_date, form.start_time, form.end_time, form.customer_id) == ("05.05.2026", "09:00", "10:30", acme)


@pytest.mark.parametrize("change, field", [
    (dict(start_date="31.2.2026"), "start date"),
    (dict(start_date="tomorrow"), "start date"),
    (dict(start_time="25:00"), "start time"),
    (dict(end_time="08:00"), "end time"),
    (dict(end_date="4.5.2026"), "end date"),
    (dict(kilometres="-5"), "kilometres"),
    (dict(kilometres="paljon"), "kilometres"),
    (dict(type="Sauna"), "type"),
    (dict(type=""), "type"),
    (dict(start_time="10:10", end_time="10:45"), "start time"),
    (dict(start_time="10:00", end_time="10:50"), "end time"),
    (dict(start_time="07:00", end_time="08:00"), "start time"),
    (dict(start_time="17:00", end_time="18:15"), "end time"),
    (dict(start_time="10:00", end_time="10:00"), "end time"),
    (dict(owner="eino"), "owner"),
    (dict(owner="nobody"), "owner"),
    (dict(customer_id=999999), "customer"),
])
def test_bad_input_refused_and_nothing_written(acme, change, field):
    with db.session("acme", "anna"):
        form = form_(start_date="5.5.2026", start_time="09:00", end_time="10:00")
        for k, v in change.items():
            setattr(form, k, v)
        with pytest.raises(ValidationError) as err:
            cal.save(form)
        assert err.value.field == field
        assert Activity.select().count() == 0


def test_only_owner_or_creator_may_edit_or_delete(acme):
    with db.session("acme", "pekka"):
        eid = cal.save(form_(start_date="5.5.2026", comment="pekan"))
    with db.session("acme", "liisa"):
        assert not cal.may_change(eid)
        with pytest.raises(AccessDenied):
            cal.save(form_(start_date="6.5.2026", owner="pekka"), eid)
        with pytest.raises(AccessDenied):
            cal.delete(eid)
    with db.session("acme", "anna"):  # wrote it into pekka's calendar: the creator may change it
        other = cal.save(form_(start_date="7.5.2026", owner="pekka", comment="annan kirjoittama"))
        cal.save(form_(start_date="8.5.2026", owner="pekka", comment="siirretty"), other)
    with db.session("acme", "pekka"):
        cal.delete(other)
        assert Activity.get_or_none(Activity.id == other) is None


def test_multi_user_calendar_restricts_to_sales_managers(acme):
    with db.session("acme", "pekka"):
        entry("anna", D(2026, 5, 5, 9), D(2026, 5, 5, 10), text="annan")
        assert [u.login for u in cal.calendar_users()] == ["anna", "liisa", "pekka"]
        assert [e.comment for e in cal.entries_for_month(["anna"], 2026, 5)] == ["annan"]
        CompanyParameters.update(multi_user_calendar="K").execute()
        assert cal.entries_for_month(["anna"], 2026, 5) == []
        assert [u.login for u in cal.viewable_users()] == ["pekka"]
        with pytest.raises(AccessDenied):
            cal.save(form_(start_date="5.5.2026", owner="anna"))
    with db.session("acme", "anna"):  # a sales manager sees and writes everyone's
        assert len(cal.viewable_users()) == 3
        cal.save(form_(start_date="5.5.2026", owner="pekka"))
        assert cal.slot_minutes() == 15


def test_search_entries(acme):
    with db.session("acme", "anna"):
        entry("anna", D(2026, 5, 5, 9), D(2026, 5, 5, 10), text="Hammaslääkäri", method="Lääkäri")
        entry("anna", D(2026, 5, 6, 9), D(2026, 5, 6, 10), text="esittely", customer_id=acme)
        assert [e.comment for e in cal.search(["anna"], "hammas")] == ["Hammaslääkäri"]
        found = cal.search(["anna"], "virtanen")
        assert [e.customer_name for e in found] == ["Virtanen Oy"]
        assert cal.search(["anna"], "%") == []


def test_entry_types_need_pupesofts_keyword_maintenance_right(acme):
    """Types are KALETAPA keywords: Pupesoft writes them in yllapito.php?toim=avainsana, with the
    update flag of that right (a sub-name with parameters counts, as tarkista_oikeus reads it)."""
    with db.session("acme", "pekka"):
        with pytest.raises(AccessDenied, match="avainsana"):
            cal.save_entry_type("Palaveri")
        Permission.create(login="pekka", script="yllapito.php", subname="avainsana&laji=KALETAPA", may_update="")
        assert not cal.may_edit_entry_types()
        with pytest.raises(AccessDenied, match="update flag"):
            cal.save_entry_type("Palaveri")
        Permission.update(may_update="1").where(Permission.login == "pekka").where(
            Permission.subname == "avainsana&laji=KALETAPA").execute()
        assert cal.may_edit_entry_types()
        tid = cal.save_entry_type("Palaveri")
        cal.delete_entry_type(tid)
        assert "Palaveri" not in [t.text for t in cal.entry_types()]


def test_entry_types_maintenance(acme):
    with db.session("acme", "anna"):
        Permission.create(login="anna", script="yllapito.php", subname="avainsana", may_update="1")
        tid = cal.save_entry_type("Palaveri", "#123456", 3)
        assert [t.text for t in cal.entry_types()] == ["Käynti asiakkaalla", "Lääkäri", "Palaveri"]
        entry("anna", D(2026, 5, 5, 9), D(2026, 5, 5, 10), method="Palaveri")
        cal.save_entry_type("Kokous", "blue", 0, tid)
        assert cal.entry_types()[0].text == "Kokous"
        assert Activity.select().where(Activity.method == "Kokous").count() == 1
        for bad in (("", ""), ("X" * 26, ""), ("Lääkäri", ""), ("Ok", "not a colour!")):
            with pytest.raises(ValidationError):
                cal.save_entry_type(*bad)
        with pytest.raises(ValidationError):
            cal.delete_entry_type(tid)  # in use


def test_ics_export_read_back(acme, tmp_path):
    with db.session("acme", "anna"):
        cal.save(form_(start_date="5.5.2026", start_time="09:00", end_time="10:30", type="Käynti asiakkaalla",
                               customer_id=acme, comment="Esittely; \"lainaus\"\nrivi 2", kilometres="12"))
        cal.save(form_(start_date="1.7.2026", end_date="3.7.2026", all_day=True, type="Lääkäri"))
        cal.save(form_(start_date="1.9.2026"))  # outside the range
        path = tmp_path / "anna.ics"
        assert cal.export_ics("anna", dt.date(2026, 5, 1), dt.date(2026, 7, 31), path) == 2
    parsed = icalendar.Calendar.from_ical(path.read_bytes())
    events = [c for c in parsed.walk() if c.name == "VEVENT"]
    assert len(events) == 2
    first, second = events
    assert first.decoded("dtstart") == D(2026, 5, 5, 9, 0) and first.decoded("dtend") == D(2026, 5, 5, 10, 30)
    assert str(first["summary"]) == "Käynti asiakkaalla — Virtanen Oy"
    assert str(first["description"]) == 'Esittely lainaus\nrivi 2\nkm: 12'  # as Pupesoft's input rule stores it
    assert second.decoded("dtstart") == dt.date(2026, 7, 1) and second.decoded("dtend") == dt.date(2026, 7, 4)
    with db.session("acme", "anna"):
        with pytest.raises(ValidationError):
            cal.export_ics("anna", dt.date(2026, 5, 1), dt.date(2026, 4, 1), path)
        with pytest.raises(ValidationError):
            cal.export_ics("anna", dt.date(2026, 5, 1), dt.date(2026, 6, 1), tmp_path / "no" / "x.ics")
