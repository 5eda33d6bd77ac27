"""`pupetui customers`: the headless customer list, its rights and its Excel file."""

from __future__ import annotations

import openpyxl
import pytest

from pupetui import db
from pupetui.models import Company, Customer, Permission, User
from test_cli import env, run  # noqa: F401  (fixture and helper)


@pytest.fixture
def url(sqlite_url):
    db.connect(sqlite_url)
    with db.session("acme", "admin"):
        Company.create(name="Acme Oy")
        User.create(login="anna", name="Anna")
        User.create(login="ville", name="Ville")
        Permission.create(login="anna", script="crm/asiakaslista.php")
        Customer.create(name="Virtanen Oy", city="Helsinki", business_id="1234567-1", customer_no="1001", salesperson_no=7)
        Customer.create(name="Oy [Ab] & Co\x1b[31m", city="Turku", customer_no="1002", kind="R")
        Customer.create(name="Poistettu Oy", city="Turku", customer_no="1003", kind="P")
    db.end_session()
    db.database.obj.close()
    return sqlite_url


def test_lists_and_searches(env, url):
    result = run(env, "customers", "--db", url, "--user", "anna")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("*Oy [Ab] & Co[31m")  # prospect marked; the escape character removed
    assert "\x1b" not in result.stdout
    assert lines[1].startswith(" Virtanen Oy") and "Helsinki" in lines[1]
    found = run(env, "customers", "--db", url, "--user", "anna", "--search", "hels")
    assert [line.split()[0] for line in found.stdout.splitlines()] == ["Virtanen"]


def test_refuses_without_the_right(env, url):
    result = run(env, "customers", "--db", url, "--user", "ville")
    assert result.returncode == 3
    assert "no right" in result.stderr and "crm/asiakaslista.php" in result.stderr
    assert result.stdout == ""


def test_excel_of_every_selected_customer(env, url, tmp_path):
    path = tmp_path / "asiakkaat.xlsx"
    result = run(env, "customers", "--db", url, "--user", "anna", "--xlsx", str(path))
    assert result.returncode == 0 and "saved 2 customer(s)" in result.stdout
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("Name", "Name extension", "Business ID")
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"Virtanen Oy", "Oy [Ab] & Co[31m"}
    salesperson = rows[0].index("Salesperson")
    assert by_name["Virtanen Oy"][salesperson] == 7  # a number, not text
    assert not list(tmp_path.glob("*.partial"))


def test_excel_into_a_missing_folder_is_a_plain_error(env, url, tmp_path):
    result = run(env, "customers", "--db", url, "--user", "anna", "--xlsx", str(tmp_path / "ei" / "x.xlsx"))
    assert result.returncode == 1
    assert "does not exist" in result.stderr


def test_calendar_export_headless(env, url, tmp_path):
    from pupetui.models import Activity

    db.connect(url)
    with db.session("acme", "admin"):
        Permission.create(login="anna", script="crm/kalenteri.php")
        Activity.create(kind="kalenteri", owner="anna", starts_at="2026-05-05 09:00:00", ends_at="2026-05-05 10:00:00",
                        text="Asiakaskäynti", method="Käynti")
    db.end_session()
    db.database.obj.close()
    out = tmp_path / "anna.ics"
    result = run(env, "calendar", "export", "--db", url, "--user", "anna", "--from", "1.5.2026", "--to", "2026-05-31", "--out", str(out))
    assert result.returncode == 0 and "wrote 1 entry of anna" in result.stdout
    import icalendar

    [event] = [c for c in icalendar.Calendar.from_ical(out.read_bytes()).walk() if c.name == "VEVENT"]
    assert str(event["description"]) == "Asiakaskäynti"
    bad = run(env, "calendar", "export", "--db", url, "--user", "anna", "--from", "31.2.2026", "--to", "1.3.2026", "--out", str(out))
    assert bad.returncode == 2 and "is not a date" in bad.stderr
    refused = run(env, "calendar", "export", "--db", url, "--user", "ville", "--from", "1.5.2026", "--to", "2.5.2026", "--out", str(out))
    assert refused.returncode == 3 and "no right" in refused.stderr


def test_reminders_notify_for_cron(env, url, smtp_server):
    from pupetui.models import Activity

    db.connect(url)
    with db.session("acme", "admin"):
        Permission.create(login="anna", script="crm/kuittaamattomat.php")
        User.update(email="anna@acme.example").where(User.login == "anna").execute()
        Activity.create(kind="Muistutus", owner="anna", acknowledgement="K", starts_at="2020-01-01 08:00:00",
                        ends_at="2020-01-01 08:30:00", text="Soita Virtaselle")
    db.end_session()
    db.database.obj.close()
    smtp_env = dict(PUPETUI_SMTP__HOST="127.0.0.1", PUPETUI_SMTP__PORT=str(smtp_server.port), PUPETUI_SMTP__SENDER="crm@acme.example")
    first = run(env, "reminders", "notify", "--db", url, "--user", "anna", **smtp_env)
    assert first.returncode == 0 and "sent to anna <anna@acme.example>: 1 overdue reminder(s)" in first.stdout
    second = run(env, "reminders", "notify", "--db", url, "--user", "anna", **smtp_env)
    assert second.returncode == 0 and "already told today: anna" in second.stdout
    assert len(smtp_server.messages) == 1 and "Soita Virtaselle" in smtp_server.messages[0].get_content()
    listed = run(env, "reminders", "list", "--db", url, "--user", "anna")
    assert listed.stdout.startswith("! 01.01.2020 08:00") and "Soita Virtaselle" in listed.stdout
    smtp_server.mode = "refuse"
    failing = run(env, "reminders", "notify", "--db", url, "--user", "anna", **{**smtp_env, "PUPETUI_SMTP__PORT": "1"})
    assert failing.returncode == 0  # nothing new to tell today: no connection attempted
