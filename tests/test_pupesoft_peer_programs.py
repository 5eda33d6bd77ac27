"""Pupesoft as the test peer (issue #16), the other programs: saved queries of the query generator
(db_sql_query.php), the memos of address labels (crm/tarrat.php) and of SMS, both ways between
pupetui and Pupesoft's own pages on one MariaDB database with Pupesoft's whole schema."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from pupetui import db
from pupetui.models import Activity, Customer, Permission, User
from pupetui.services import programs
from pupetui.services import query_generator as Q
from pupesoft import (COMPANY, PASSWORD, USER, USER_NAME, PupesoftBrowser, Server, browser, customer,  # noqa: F401
                      peer)

F = Q.FieldSpec
QUERY_PAGE = "db_sql_query.php?table=asiakas"  # the page as Pupesoft's table menu opens it


@pytest.fixture(scope="module")
def rights(peer):
    """USER may use the query generator, labels and SMS too (Pupesoft's oikeu rows)."""
    with db.session(COMPANY, USER):
        for order, program in enumerate((programs.QUERY_GENERATOR, programs.LABELS, programs.SMS), start=50):
            if not Permission.select().where((Permission.login == USER) & (Permission.script == program.script)).exists():
                Permission.create(login=USER, application="Asiakkuudenhallinta", script=program.script,
                                  may_update="1", title=program.id, order=order * 10)


@pytest.fixture
def customers(rights, customer):
    """The fixture's customer in Tampere and one in Turku."""
    with db.session(COMPANY, USER):
        if not Customer.select().where(Customer.name == "Turun Kone Oy").exists():
            Customer.create(name="Turun Kone Oy", business_id="1111111-1", city="Turku", country="FI")
    return customer


def _run(saved: Q.SavedQuery) -> tuple[list[str], list[tuple]]:
    Q.check_saved(saved)
    built = Q.build(saved.spec)
    return built.headers, list(Q.run(built))


def _xlsx_rows(browser, page) -> list[tuple]:
    """The result file Pupesoft offers under the query ("Tallenna"), as its rows."""
    form = page.form_with("tee", "lataa_tiedosto")
    response = browser.http.post(browser.server.base + "db_sql_query.php", data=form["fields"], timeout=60)
    assert response.status_code == 200
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)


# -- the query generator -------------------------------------------------------------------------

def test_a_query_saved_on_pupesofts_sql_generator_is_listed_and_runs_in_pupetui(browser, customers):
    page = browser.get(QUERY_PAGE)
    form = page.form_with("rtee", "AJA")
    assert form["fields"]["sarakkeet[asiakas.nimi]"] == "asiakas.nimi"
    page = browser.post(QUERY_PAGE, {
        **form["fields"], "uusirappari": "Tampereen asiakkaat", "AJASQL": "Suorita",
        "kentat[asiakas.nimi]": "asiakas.nimi", "kentat[asiakas.postitp]": "asiakas.postitp",
        "operaattori[asiakas.postitp]": "on", "rajaus[asiakas.postitp]": "Tampere",
        "jarjestys[asiakas.nimi]": "1",
    })
    with db.session(COMPANY, USER):
        tampere = [{"nimi": c.name, "postitp": "Tampere"} for c in
                   Customer.select().where(Customer.city == "Tampere").order_by(Customer.name)]
        assert f"Haun tulos {len(tampere)} riviä." in page.text
        [saved] = [q for q in Q.saved_queries("asiakas") if q.name == "Tampereen asiakkaat"]
        assert (saved.owner, saved.owner_name, saved.mine, saved.problem) == (USER, USER_NAME, True, "")
        headers, rows = _run(saved)
    assert sorted(headers) == ["nimi", "postitp"]
    assert [dict(zip(headers, r)) for r in rows] == tampere
    assert {"nimi": "Kärkkäinen Ky", "postitp": "Tampere"} in tampere


def test_a_query_saved_in_pupetui_is_listed_opened_and_run_on_pupesofts_page(browser, customers):
    with db.session(COMPANY, USER):
        Q.save("Kärkkäiset ja muut", Q.QuerySpec("asiakas", [
            F("nimi", show=True, sort=1), F("postitp", show=True),
            F("nimi", operator="like", value="Kärk"), F("maa", operator="in", value="FI, SE"),
        ]))
    page = browser.get(QUERY_PAGE)
    form = page.form_with("rtee", "AJA")
    choice = f"{USER}#Kärkkäiset ja muut"
    assert choice in form["options"]["kysely"]
    assert f"Kärkkäiset ja muut ({USER_NAME})" in page.text.splitlines()
    # choosing it (the select submits its form) fills Pupesoft's form from the row
    page = browser.post(QUERY_PAGE, {**form["fields"], "kysely": choice})
    form = page.form_with("rtee", "AJA")
    fields = form["fields"]
    assert fields["kentat[asiakas.nimi]"] == "asiakas.nimi" and fields["kentat[asiakas.postitp]"] == "asiakas.postitp"
    assert "kentat[asiakas.ytunnus]" not in fields
    assert (fields["operaattori[asiakas.nimi]"], fields["rajaus[asiakas.nimi]"]) == ("like", "Kärk")
    assert (fields["operaattori[asiakas.maa]"], fields["rajaus[asiakas.maa]"]) == ("in", "FI,SE")
    assert fields["jarjestys[asiakas.nimi]"] == "1"
    # and running it shows its result and offers it as a file
    page = browser.post(QUERY_PAGE, {**fields, "AJASQL": "Suorita"})
    file_rows = _xlsx_rows(browser, page)
    header = [str(h).lower() for h in file_rows[0]]
    pupesoft = [{"nimi": r[header.index("nimi")], "postitp": r[header.index("postitp")]} for r in file_rows[1:]]
    assert f"Haun tulos {len(pupesoft)} riviä." in page.text
    assert {"nimi": "Kärkkäinen Ky", "postitp": "Tampere"} in pupesoft
    assert "Turun Kone Oy" not in [r["nimi"] for r in pupesoft]
    # Pupesoft saved it again as it ran it (its own user's query): pupetui runs it with the same result
    with db.session(COMPANY, USER):
        [saved] = [q for q in Q.saved_queries("asiakas") if q.name == "Kärkkäiset ja muut"]
        headers, rows = _run(saved)
    assert [dict(zip(headers, r)) for r in rows] == pupesoft


def test_a_pupesoft_query_with_its_joined_keywords_is_listed_in_pupetui_and_refused_with_the_reason(browser, customers):
    page = browser.get("db_sql_query.php", {"table": "asiakas", "asiakkaanavainsana_join": "on"})
    form = page.form_with("rtee", "AJA")
    assert "sarakkeet[asiakkaan_avainsanat.avainsana]" in form["fields"]  # Pupesoft's joined table
    page = browser.post(QUERY_PAGE, {
        **form["fields"], "uusirappari": "Avainsanoin", "AJASQL": "Suorita", "asiakkaanavainsana_join": "on",
        "kentat[asiakas.nimi]": "asiakas.nimi", "kentat[asiakkaan_avainsanat.avainsana]": "asiakkaan_avainsanat.avainsana",
    })
    assert "Haun tulos" in page.text
    with db.session(COMPANY, USER):
        [saved] = [q for q in Q.saved_queries("asiakas") if q.name == "Avainsanoin"]
        assert "asiakkaan_avainsanat" in saved.problem
        with pytest.raises(Q.Unmappable, match="Avainsanoin.*asiakkaan_avainsanat"):
            Q.check_saved(saved)


def test_what_pupesofts_sql_generator_cannot_hold_is_refused_with_the_reason_and_nothing_saved(rights, customers):
    with db.session(COMPANY, USER):
        for spec, said in (
            (Q.QuerySpec("asiakas", [F("nimi", show=True), F("nimi", operator="contains", value="Kone")]), "contains"),
            (Q.QuerySpec("asiakas", [F("nimi", show=True, sort=-1)]), "descending"),
            (Q.QuerySpec("asiakas", [F("nimi", show=True), F("nimi", operator="=", value="Ωmega")]), "cannot be stored"),
        ):
            with pytest.raises(Q.FieldError, match=said) as refused:
                Q.save("Ei käy", spec)
            assert refused.value.field == "nimi"
            assert list(Q.run(Q.build(spec))) is not None  # it still runs in pupetui
        assert "Ei käy" not in {q.name for q in Q.saved_queries()}


# -- address labels ----------------------------------------------------------------------------

def _new_customer(name: str, business_id: str) -> int:
    with db.session(COMPANY, USER):
        return Customer.create(name=name, business_id=business_id, address="Kauppakatu 1", postcode="33100",
                               city="Tampere", country="FI").id


def _memo_block(browser, customer_id: int, business_id: str) -> list[str]:
    """What Pupesoft's customer memo shows of the labels' memo: its kind, author, date, method,
    delete link and text lines; [] when there is none."""
    page = browser.get("crm/asiakasmemo.php", {"ytunnus": business_id, "asiakasid": customer_id})
    lines = page.text.splitlines()
    heading = f"{USER_NAME} tulosti osoitetarrat."
    if heading not in lines:
        return []
    at = lines.index(heading)
    assert lines.count(heading) == 1
    return lines[at - 5:at + 2]


def _print_in_pupesoft(browser, customer_id: int, message: str) -> None:
    page = browser.get("crm/tarrat.php")
    form = page.form_with("tarra_aineisto")
    browser.post("crm/tarrat.php", {**form["fields"], "otunnus[]": str(customer_id), "asmemo_viesti": message,
                                    "raportti": "EX", "TULOSTA": "Tulosta"})


def _print_in_pupetui(tmp_path, name: str, message: str):
    from pupetui.services import labels, selection

    with db.session(COMPANY, USER):
        query = selection.SelectionQuery(text_filters=(("name", name),))
        return labels.print_labels(tmp_path / "labels.xlsx",
                                   labels.LabelJob(query, output="xlsx", memo_text=message))


def _memos_setting(value: str) -> None:
    from pupetui.models import CompanyParameters

    with db.session(COMPANY, USER):
        CompanyParameters.update(calendar_entries=value).execute()


def test_labels_printed_in_pupetui_leave_the_memo_pupesoft_leaves_as_its_memo_page_shows_it(browser, rights, tmp_path):
    ours = _new_customer("Tarrala Oy", "2222222-2")
    theirs = _new_customer("Tarrala Toinen Oy", "3333333-3")
    _print_in_pupesoft(browser, theirs, "Joulukortti 2026")
    result = _print_in_pupetui(tmp_path, "Tarrala Oy", "Joulukortti 2026")
    assert (result.labels, result.memos) == (1, 1)
    pupesoft = _memo_block(browser, theirs, "3333333-3")
    today = dt.date.today()
    assert pupesoft == ["Memo", USER_NAME, f"{today.day}.{today.month}.{today.year}", "Osoitetarrat", "Poista",
                        f"{USER_NAME} tulosti osoitetarrat.", "Joulukortti 2026"]
    assert _memo_block(browser, ours, "2222222-2") == pupesoft


def test_with_kalenterimerkinnat_e_neither_pupesoft_nor_pupetui_writes_a_labels_memo(browser, rights, tmp_path):
    ours = _new_customer("Hiljainen Oy", "4444444-4")
    theirs = _new_customer("Hiljainen Toinen Oy", "5555555-5")
    _memos_setting("E")
    try:
        page = browser.get("crm/tarrat.php")
        assert "asmemo_viesti" not in page.form_with("tarra_aineisto")["fields"]  # Pupesoft asks no message
        _print_in_pupesoft(browser, theirs, "")
        assert _print_in_pupetui(tmp_path, "Hiljainen Oy", "").memos == 0
        assert _memo_block(browser, theirs, "5555555-5") == [] == _memo_block(browser, ours, "4444444-4")
    finally:
        _memos_setting("")
    _print_in_pupesoft(browser, theirs, "")
    assert _print_in_pupetui(tmp_path, "Hiljainen Oy", "").memos == 1
    assert _memo_block(browser, ours, "4444444-4")[:6] == _memo_block(browser, theirs, "5555555-5")[:6]


# -- SMS ---------------------------------------------------------------------------------------

@pytest.fixture
def pupesoft_with_sms(peer, tmp_path, monkeypatch):
    """(the loopback SMS service, USER logged in to a Pupesoft whose settings name that service)."""
    from servers import SmsService

    url, _ = peer
    service = SmsService()
    monkeypatch.setenv("PUPE_SMS_URL", service.url)
    monkeypatch.setenv("PUPE_SMS_USER", "pupe")
    monkeypatch.setenv("PUPE_SMS_PASS", "salainen")
    server = Server(url.rsplit("/", 1)[-1].split("?")[0], tmp_path / "pupesoft-sms")
    try:
        pupesoft = PupesoftBrowser(server)
        pupesoft.login(USER, PASSWORD, COMPANY)
        with db.session(COMPANY, USER):
            User.update(mobile="0401234567").where(User.login == USER).execute()
        yield service, pupesoft
        assert not server.fatal_lines(), server.fatal_lines()[-1:]
    finally:
        with db.session(COMPANY, USER):
            User.update(mobile="").where(User.login == USER).execute()
        server.stop()
        service.stop()


def _reminder_in_pupesoft(pupesoft, when: dt.datetime, text: str):
    page = pupesoft.get("crm/kuittaamattomat.php", {"tee": "MUISTUTUS"})
    form = page.form_with("tee", "LISAAMUISTUTUS")
    return pupesoft.post("crm/kuittaamattomat.php", {
        **form["fields"], "viesti": text, "kuka": USER, "tapa": "Puhelu", "mppa": f"{when:%d}", "mkka": f"{when:%m}",
        "mvva": str(when.year), "mhh": f"{when:%H}", "mmm": f"{when:%M}"})


def test_a_reminders_sms_carries_what_pupesofts_carries_and_the_same_answers_count_as_sent(pupesoft_with_sms):
    from pupetui.services import reminders, sms

    service, pupesoft = pupesoft_with_sms
    when = (dt.datetime.now() + dt.timedelta(days=2)).replace(hour=10, minute=30, second=0, microsecond=0)
    config = sms.SmsConfig(url=service.url, user="pupe", password="salainen")
    page = _reminder_in_pupesoft(pupesoft, when, "Soita Kärkkäiselle")
    theirs = service.requests[-1]
    with db.session(COMPANY, USER):
        [row] = Activity.select().where((Activity.kind == "Muistutus") & (Activity.text == "Soita Kärkkäiselle"))
        result = reminders.add(reminders.NewReminder(text="Soita Kärkkäiselle", method="Puhelu", owner=USER,
                                                     date=when.date().isoformat(), time=f"{when:%H:%M}"),
                               sms_config=config)
    ours = service.requests[-1]
    assert "Tekstiviestimuistutus" in page.text and result.sms.ok
    assert list(ours) == list(theirs)  # the same parameters, in Pupesoft's order
    assert (theirs["yhtio"], theirs["kalenteritunnus"]) == (COMPANY, str(row.id))
    assert (ours["yhtio"], ours["kalenteritunnus"]) == (COMPANY, str(result.id))
    same = ("user", "pass", "viesti", "not_before_date", "not_before")
    assert {k: ours[k] for k in same} == {k: theirs[k] for k in same}
    assert theirs["viesti"] == "Muistutus Vertaisyhtiö Oy. Puhelu. Soita Kärkkäiselle"  # latin1, as both send it
    # the number: Pupesoft sends kuka.puhno as typed, pupetui the international form of it
    assert (theirs["numero"], ours["numero"]) == ("0401234567", "+358401234567")

    for answer, sent in (("0\n", True), (" 00 ", True), ("0 OK", False), ("1 Saldo loppu", False)):
        service.answer = answer
        page = _reminder_in_pupesoft(pupesoft, when, f"Vastaus {answer.strip()}")
        assert ("VIRHE: Tekstiviestin lähetys epäonnistui!" not in page.text) is sent, answer
        with db.session(COMPANY, USER):
            result = reminders.add(reminders.NewReminder(text="x", method="Puhelu", owner=USER), sms_config=config)
        assert result.sms.ok is sent, answer


def _sms_to(name: str, text: str, service):
    from pupetui.services import selection, sms, sms_batch
    from pupetui.services.customers import CustomerQuery

    with db.session(COMPANY, USER):
        query = selection.SelectionQuery(CustomerQuery(), (("name", name),))
        plan = sms_batch.plan(sms_batch.customer_recipients(selection.ticked_rows(query)), text)
        return sms_batch.send(plan, sms.SmsConfig(url=service.url, user="pupe", password="salainen"))


def test_an_sms_sent_in_pupetui_leaves_a_memo_pupesoft_shows_as_its_own_and_none_with_kalenterimerkinnat_e(
        browser, rights, sms_service):
    ours = _new_customer("Viestilä Oy", "6666666-6")
    with db.session(COMPANY, USER):
        Customer.update(mobile="0405556666").where(Customer.id == ours).execute()
    _memos_setting("E")
    try:
        assert _sms_to("Viestilä Oy", "Ei muistiota", sms_service).summary() == {"sent": 1}
    finally:
        _memos_setting("")
    assert _sms_to("Viestilä Oy", "Tarjous: kevään mallisto", sms_service).summary() == {"sent": 1}
    page = browser.get("crm/asiakasmemo.php", {"ytunnus": "6666666-6", "asiakasid": ours})
    lines = page.text.splitlines()
    assert not any("Ei muistiota" in line for line in lines)
    at = lines.index("Tekstiviesti +358405556666: Tarjous: kevään mallisto")
    today = dt.date.today()
    # as Pupesoft shows the memos it writes by itself (see the labels' memo above)
    assert lines[at - 5:at] == ["Memo", USER_NAME, f"{today.day}.{today.month}.{today.year}", "Tekstiviesti", "Poista"]
