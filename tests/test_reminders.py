"""Reminders and leads, SMS on a new reminder, and overdue summaries by email — against a real
SMTP server and a real HTTP SMS service on loopback, on all four databases."""

from __future__ import annotations

import datetime as dt

import pytest

from pupetui import db
from pupetui.models import Activity, Company, CompanyParameters, Customer, Keyword, Permission, SavedSearch, User
from pupetui.services import reminders as R
from pupetui.services import sms
from pupetui.services.auth import AccessDenied
from pupetui.services.mail import SmtpConfig
from pupetui.services.validation import ValidationError

D = dt.datetime
NOW = D(2026, 11, 26, 12, 0)


@pytest.fixture
def acme(database):
    with db.session("acme", "anna"):
        Company.create(name="Acme Oy")
        CompanyParameters.create()
        User.create(login="anna", name="Anna Myyjä", email="anna@acme.example", mobile="040 123 4567", position="MP")
        User.create(login="pekka", name="Pekka", email="pekka@acme.example")
        User.create(login="liisa", name="Liisa")  # no email, no mobile, no calendar right
        for login in ("anna", "pekka"):
            Permission.create(login=login, script="crm/kalenteri.php")
        Keyword.create(kind="KALETAPA", value="1", text="Puhelu")
        c = Customer.create(name="Virtanen Oy", business_id="1234567-1")
        yield c.id


def reminder(owner, due, text="soita", **kw):
    kw.setdefault("acknowledgement", "K")
    return Activity.create(kind=kw.pop("kind", "Muistutus"), owner=owner, starts_at=due, ends_at=due + dt.timedelta(minutes=30), text=text, **kw).id


def test_waiting_list_newest_first_with_overdue_marked(acme):
    with db.session("acme", "anna"):
        reminder("anna", D(2026, 11, 20, 8), "vanha", customer_id=acme)
        reminder("anna", D(2026, 12, 1, 8), "tuleva")
        reminder("pekka", D(2026, 11, 25, 8), "liidi", kind="Lead", supervisor="anna")
        reminder("anna", D(2026, 11, 21, 8), "kuitattu", acknowledgement="")
        reminder("anna", D(2026, 11, 21, 8), "ei kuittausta", acknowledgement="E")
        reminder("pekka", D(2026, 11, 22, 8), "pekan oma")
        rows = R.waiting(moment=NOW)
        assert [r.text for r in rows] == ["tuleva", "liidi", "vanha"]
        assert [r.overdue for r in rows] == [False, True, True]
        assert rows[2].customer_name == "Virtanen Oy"
        assert R.overdue_count(moment=NOW) == 2
        assert [r.text for r in R.waiting("pekka", moment=NOW)] == ["liidi", "pekan oma"]
    with db.session("acme", "liisa"):  # not a calendar user: only her own list
        with pytest.raises(AccessDenied):
            R.waiting("anna")


def test_acknowledge_own_only_with_text(acme):
    with db.session("acme", "anna"):
        mine = reminder("anna", D(2026, 11, 20, 8))
        theirs = reminder("pekka", D(2026, 11, 20, 8))
        with pytest.raises(ValidationError):
            R.acknowledge(mine, " ")
        with pytest.raises(AccessDenied):
            R.acknowledge(theirs, "hoidettu")
        R.acknowledge(mine, "hoidettu")
        assert Activity.get_by_id(mine).acknowledgement == ""
        ack = Activity.get(Activity.parent_id == mine)
        assert (ack.kind, ack.text) == ("Kuittaus", "Anna Myyjä kuittasi: hoidettu")
        assert R.waiting(moment=NOW) == []


def test_add_with_and_without_customer(acme):
    with db.session("acme", "anna"):
        r1 = R.add(R.NewReminder(text="Soita takaisin", method="Puhelu", customer_id=acme, date="27.11.2026", time="09:15"))
        row = Activity.get_by_id(r1.id)
        assert (row.kind, row.owner, row.starts_at, row.ends_at, row.customer_id, row.business_id, row.acknowledgement) == (
            "Muistutus", "anna", D(2026, 11, 27, 9, 15), D(2026, 11, 27, 9, 45), acme, "1234567-1", "K")
        r2 = R.add(R.NewReminder(text="Oma asia", owner="pekka", needs_acknowledgement=False), today=dt.date(2026, 11, 30))
        row = Activity.get_by_id(r2.id)
        assert (row.owner, row.starts_at, row.customer_id, row.acknowledgement) == ("pekka", D(2026, 11, 30, 8, 0), 0, "E")
        for bad in (R.NewReminder(text=""), R.NewReminder(text="x", owner="liisa"), R.NewReminder(text="x", date="32.1.2026"),
                    R.NewReminder(text="x", time="8"), R.NewReminder(text="x", method="Savumerkki")):
            with pytest.raises(ValidationError):
                R.add(bad)
        assert Activity.select().count() == 2


def test_sms_on_a_new_reminder(acme, sms_service):
    config = sms.SmsConfig(url=sms_service.url, user="acme", password="salainen", timeout=2)
    with db.session("acme", "pekka"):
        result = R.add(R.NewReminder(text="Tarjous " + "x" * 200, owner="anna", method="Puhelu", date="1.12.2026", time="10:30"),
                       sms_config=config)
    assert result.sms and result.sms.ok and result.sms_error == ""
    [request] = sms_service.requests
    assert request["user"] == "acme" and request["pass"] == "salainen"
    assert request["numero"] == "+358401234567"
    assert request["not_before_date"] == "2026-12-01" and request["not_before"] == "10:30:00"
    # and what crm/kuittaamattomat.php sends with a reminder: the company and the reminder's tunnus
    assert (request["yhtio"], request["kalenteritunnus"]) == ("acme", str(result.id))
    assert list(request) == ["user", "pass", "numero", "viesti", "not_before_date", "not_before", "yhtio",
                             "kalenteritunnus"]
    assert request["viesti"].startswith("Muistutus Acme Oy. Puhelu. Tarjous xxx")
    assert len(request["viesti"]) == 160
    with db.session("acme", "anna"):  # pekka has no mobile: no SMS
        assert R.add(R.NewReminder(text="x", owner="pekka"), sms_config=config).sms is None
    assert len(sms_service.requests) == 1


@pytest.mark.parametrize("behaviour, expected", [
    (dict(answer="1 Virheellinen numero"), "refused: 1 Virheellinen numero"),
    (dict(answer="0 OK"), "refused: 0 OK"),
    (dict(delay=3), "did not answer"),
    (dict(drop=True), "closed the connection without an answer"),
])
def test_sms_failure_keeps_the_reminder_and_says_why(acme, sms_service, behaviour, expected):
    for k, v in behaviour.items():
        setattr(sms_service, k, v)
    config = sms.SmsConfig(url=sms_service.url, user="u", password="p", timeout=1)
    with db.session("acme", "anna"):
        result = R.add(R.NewReminder(text="Soita"), sms_config=config)
        assert expected in result.sms_error
        assert Activity.get_by_id(result.id).kind == "Muistutus"


def smtp(server) -> SmtpConfig:
    return SmtpConfig(host="127.0.0.1", port=server.port, sender="crm@acme.example", timeout=5)


def test_notify_once_per_reminder_per_day(acme, smtp_server):
    with db.session("acme", "anna"):
        reminder("anna", D(2026, 11, 20, 8), "Soita [Virtaselle]", customer_id=acme)
        reminder("pekka", D(2026, 11, 25, 8), "Pekan")
        reminder("anna", D(2026, 12, 20, 8), "ei vielä")
        report = R.notify(smtp(smtp_server), moment=NOW)
        assert sorted(report.sent) == [("anna", "anna@acme.example", 1), ("pekka", "pekka@acme.example", 1)]
        assert len(smtp_server.messages) == 2
        mail = [m for m in smtp_server.messages if m["To"] == "anna@acme.example"][0]
        assert "Soita [Virtaselle]" in mail.get_content() and "Virtanen Oy" in mail.get_content()
        assert mail["From"] == "crm@acme.example"
        # again the same day: nothing new
        again = R.notify(smtp(smtp_server), moment=NOW + dt.timedelta(hours=3))
        assert again.sent == [] and sorted(again.nothing_new) == ["anna", "pekka"]
        assert len(smtp_server.messages) == 2
        # a new overdue reminder: only it is sent
        reminder("anna", D(2026, 11, 26, 13), "uusi")
        third = R.notify(smtp(smtp_server), moment=NOW + dt.timedelta(hours=3))
        assert third.sent == [("anna", "anna@acme.example", 1)]
        assert "uusi" in smtp_server.messages[-1].get_content()
        # the next day everything overdue is told again
        fourth = R.notify(smtp(smtp_server), moment=NOW + dt.timedelta(days=1))
        assert sorted((o, n) for o, _, n in fourth.sent) == [("anna", 2), ("pekka", 1)]
        # kalenteri keeps Pupesoft's meaning: still waiting for acknowledgement
        assert Activity.select().where(Activity.acknowledgement == "K").count() == 4


def test_notify_refusing_server_marks_nothing(acme, smtp_server):
    smtp_server.mode = "refuse"
    with db.session("acme", "anna"):
        reminder("anna", D(2026, 11, 20, 8))
        report = R.notify(smtp(smtp_server), moment=NOW)
        assert report.sent == [] and report.failed and "refused" in report.failed[0][1]
        assert not SavedSearch.select().where(SavedSearch.search == R.NOTIFIED).exists()
        smtp_server.mode = "ok"
        assert R.notify(smtp(smtp_server), moment=NOW).sent == [("anna", "anna@acme.example", 1)]


def test_notify_to_several_addresses_one_refused_is_told_once(acme, smtp_server):
    """Issue 15.6: a mail taken for one address and refused for the other is sent (and marked),
    not failed and mailed again by every run."""
    smtp_server.refused_addresses = {"anna@old.example"}
    with db.session("acme", "anna"):
        User.update(email="anna@acme.example; anna@old.example").where(User.login == "anna").execute()
        reminder("anna", D(2026, 11, 20, 8))
        report = R.notify(smtp(smtp_server), moment=NOW)
        assert [o for o, _, _ in report.sent] == ["anna"] and not report.failed
        assert "the mail server refused anna@old.example (550 5.1.1 no such mailbox here)" in "\n".join(report.lines())
        assert smtp_server.delivered_to == [["anna@acme.example"]]
        again = R.notify(smtp(smtp_server), moment=NOW + dt.timedelta(hours=1))
        assert again.nothing_new == ["anna"] and len(smtp_server.messages) == 1


def test_notify_partial_failure_marks_only_what_was_sent(acme, smtp_server):
    smtp_server.mode = "refuse_after:1"
    with db.session("acme", "anna"):
        reminder("anna", D(2026, 11, 20, 8))
        reminder("pekka", D(2026, 11, 20, 8))
        report = R.notify(smtp(smtp_server), moment=NOW)
        assert len(report.sent) == 1 and len(report.failed) == 1
        told = report.sent[0][0]
        marked = {s.owner for s in SavedSearch.select().where(SavedSearch.search == R.NOTIFIED)}
        assert marked == {told}
        smtp_server.mode = "ok"
        retry = R.notify(smtp(smtp_server), moment=NOW)
        assert [o for o, _, _ in retry.sent] == [o for o, _ in report.failed]


def test_notify_dropped_connection_and_missing_address(acme, dropping_server):
    with db.session("acme", "anna"):
        reminder("anna", D(2026, 11, 20, 8))
        reminder("liisa", D(2026, 11, 20, 8))
        config = SmtpConfig(host="127.0.0.1", port=dropping_server.port, timeout=3)
        report = R.notify(config, moment=NOW)
        assert report.sent == []
        reasons = dict(report.failed)
        assert "cannot connect" in reasons["anna"] or "did not take" in reasons["anna"]
        assert reasons["liisa"] == "no email address (kuka.eposti)"
        assert not SavedSearch.select().where(SavedSearch.search == R.NOTIFIED).exists()


def test_sms_numbers_and_encoding():
    assert sms.normalise_number("040 123 4567") == "+358401234567"
    assert sms.normalise_number("+46 70 123 45 67") == "+46701234567"
    for bad in ("", "abc", "09 123", "12"):
        with pytest.raises(sms.SmsError):
            sms.normalise_number(bad)
    assert sms.encoding("Hei, tänään klo 10!") == sms.Encoding("GSM-7", 19, 1)
    assert sms.encoding("a" * 161).parts == 2
    assert sms.encoding("€" * 80).units == 160 and sms.encoding("€" * 81).parts == 2
    assert sms.encoding("Hei 😀").name == "UCS-2" and sms.encoding("x" * 71 + "😀").parts == 2
