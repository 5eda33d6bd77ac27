"""`pupetui sms`: the headless SMS as a separate process, against a real HTTP SMS service on
loopback: typed numbers, customer filters, a stopped batch resumed, and the exit codes
(0 all sent, 1 something not sent, 2 usage or a message that cannot be sent, 3 rights)."""

from __future__ import annotations

import pytest

from pupetui import db
from pupetui.models import Activity, Company, Contact, Customer, Permission, User
from test_cli import env, run  # noqa: F401  (fixture and helper)


def _populate(url: str) -> str:
    d = db.connect(url)
    with db.session("acme", "admin"):
        Company.create(name="Acme Oy")
        User.create(login="anna", name="Anna")
        User.create(login="ville", name="Ville")  # no SMS right
        Permission.create(login="anna", script="crm/tekstiviestit.php")
        a = Customer.create(name="Aalto Oy", city="Tampere", mobile="040 111 1111", business_id="1111111-1")
        Customer.create(name="Berg Ky", city="Turku", mobile="040 222 2222")
        Customer.create(name="Carlsson AB", city="Tampere", phone="09 123 4567")
        Contact.create(kind="A", customer_id=a.id, name="Ville Aalto", mobile="044 333 3333")
    db.end_session()
    d.close()
    return url


@pytest.fixture
def url(sqlite_url):
    return _populate(sqlite_url)


def sms(env, url, service, *args, user="anna", **extra):
    return run(env, "sms", *args, "--db", url, "--user", user, PUPETUI_SMS__URL=service.url,
               PUPETUI_SMS__USER="acme", PUPETUI_SMS__PASSWORD="salainen", PUPETUI_SMS__TIMEOUT="1", **extra)


def memos(url):
    d = db.connect(url)
    try:
        with db.session("acme", "anna"):
            return [a.text for a in Activity.select().where(Activity.kind == "Memo").order_by(Activity.id)]
    finally:
        db.end_session()
        d.close()


def test_typed_numbers_are_sent_once_and_invalid_ones_named(env, url, sms_service):
    result = sms(env, url, sms_service, "--to", "040 123 4567", "--to", "+358401234567", "--to", "12",
                 "--text", "Hei kaikki")
    assert result.returncode == 0, result.stderr
    assert [r["numero"] for r in sms_service.requests] == ["+358401234567"]
    assert sms_service.requests[0]["viesti"] == "Hei kaikki"
    assert "skipped 12" in result.stderr and "skipped +358401234567" in result.stderr
    assert "1 message(s), 1 SMS each (GSM-7, 10 characters): 1 SMS" in result.stdout
    assert "sent     +358401234567" in result.stdout
    assert memos(url) == []


def test_customer_filters_send_to_the_selection_and_write_memos(env, url, sms_service):
    result = sms(env, url, sms_service, "--filter", "city=tampere", "--text", "Tarjous")
    assert result.returncode == 0, result.stderr
    assert [r["numero"] for r in sms_service.requests] == ["+358401111111"]
    assert "Carlsson AB" in result.stderr and "not a mobile number" in result.stderr
    assert memos(url) == ["Tekstiviesti +358401111111: Tarjous"]
    contacts = sms(env, url, sms_service, "--contacts", "--filter", "name=aalto", "--text", "Hei")
    assert contacts.returncode == 0, contacts.stderr
    assert sms_service.requests[-1]["numero"] == "+358443333333"
    not_tampere = sms(env, url, sms_service, "--filter", "city=tampere", "--not", "--dry-run", "--text", "x")
    assert "would send  +358402222222  Berg Ky" in not_tampere.stdout and len(sms_service.requests) == 2


def test_a_stopped_batch_is_resumed_and_the_unknown_one_reported(env, url, sms_service):
    sms_service.script = ["0", sms_service.HANG, "0", "0"]
    sms_service.hang_seconds = 2.5
    first = sms(env, url, sms_service, "--to", "0401111111", "--to", "0402222222", "--to", "0403333333",
                "--text", "Muistutus")
    assert first.returncode == 1
    assert "unknown  +358402222222" in first.stdout and "not known" in first.stdout
    assert "1 message(s) may or may not have gone out" in first.stderr and "1 not sent yet" in first.stderr
    listed = sms(env, url, sms_service, "--batches")
    assert "1 pending, 1 sent, 1 unknown" in listed.stdout and "Muistutus" in listed.stdout
    resumed = sms(env, url, sms_service, "--resume")
    assert resumed.returncode == 1  # the unknown one is still undecided
    assert [r["numero"] for r in sms_service.requests] == ["+358401111111", "+358402222222", "+358403333333"]
    batch_id = resumed.stdout.split("batch ")[1].split()[0]
    closed = sms(env, url, sms_service, "--close", batch_id)
    assert closed.returncode == 0 and "closed" in closed.stdout
    assert sms(env, url, sms_service, "--batches").stdout == ""
    assert len(sms_service.requests) == 3


def test_refusal_exit_codes_and_nothing_sent(env, url, sms_service):
    sms_service.answer = "3 Tuntematon käyttäjä"
    refused = sms(env, url, sms_service, "--to", "0401111111", "--text", "Hei")
    assert refused.returncode == 1 and "refused  +358401111111  3 Tuntematon käyttäjä" in refused.stdout
    too_long = sms(env, url, sms_service, "--to", "0401111111", "--text", "x" * 161)
    assert too_long.returncode == 2 and "161 characters, at most 160" in too_long.stderr
    usage = sms(env, url, sms_service, "--to", "0401111111")
    assert usage.returncode == 2
    none_valid = sms(env, url, sms_service, "--to", "12", "--text", "Hei")
    assert none_valid.returncode == 2 and "no recipients" in none_valid.stderr
    denied = sms(env, url, sms_service, "--to", "0401111111", "--text", "Hei", user="ville")
    assert denied.returncode == 3
    assert len(sms_service.requests) == 1


def test_ctrl_c_stops_after_the_current_message_and_resume_sends_the_rest(env, url, sms_service, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    sms_service.delay = 0.5
    proc = subprocess.Popen(
        [sys.executable, "-m", "pupetui", "sms", "--db", url, "--user", "anna", "--to", "0401111111",
         "--to", "0402222222", "--to", "0403333333", "--text", "Hei"],
        env={**env, "PUPETUI_SMS__URL": sms_service.url, "PUPETUI_SMS__TIMEOUT": "5"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    first = proc.stdout.readline()
    assert first.startswith("3 message(s)")
    assert proc.stdout.readline().startswith("sent     +358401111111")
    deadline = time.monotonic() + 10
    while len(sms_service.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)  # while the second one is out
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 1, err
    assert "stopping after the current message" in err and "Traceback" not in err
    assert "sent     +358402222222" in out  # the one that was out finished
    assert "1 not sent yet: `pupetui sms --resume" in err
    assert len(sms_service.requests) == 2
    sms_service.delay = 0
    resumed = sms(env, url, sms_service, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert [r["numero"] for r in sms_service.requests] == ["+358401111111", "+358402222222", "+358403333333"]


def test_dry_run_with_no_valid_number_is_a_usage_error(env, url, sms_service):
    """Issue 15.9: `--dry-run` with no valid number exited 0 (the README says 2)."""
    dry = sms(env, url, sms_service, "--to", "12", "--text", "Hei", "--dry-run")
    assert dry.returncode == 2 and "no recipients with a valid mobile number" in dry.stderr
    assert "skipped 12" in dry.stderr and not sms_service.requests


@pytest.mark.parametrize("backend", ["sqlite", "mariadb", "postgres"])
def test_two_resumes_at_once_the_second_finds_the_batch_locked(env, database_url, sms_service):
    """Issue 15.9: two `sms --resume` of one batch at once: the second took the first's message in
    flight for one left `sending` by a stopped run, called it unknown and offered
    `--resend-unknown`, which would have sent it twice. The SMS service holds the first run's
    request until the second run has ended."""
    import subprocess
    import sys

    from pupetui.services import sms_batch

    url = _populate(database_url)
    d = db.connect(url)
    with db.session("acme", "anna"):
        plan = sms_batch.plan(sms_batch.typed_recipients(["0401111111", "0402222222"]), "Muistutus")
        batch_id = sms_batch.start(plan).id
    d.close()
    sms_service.script = [sms_service.HOLD]
    first = subprocess.Popen(
        [sys.executable, "-m", "pupetui", "sms", "--resume", batch_id, "--db", url, "--user", "anna"],
        env={**env, "PUPETUI_SMS__URL": sms_service.url, "PUPETUI_SMS__USER": "acme",
             "PUPETUI_SMS__PASSWORD": "salainen", "PUPETUI_SMS__TIMEOUT": "60"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert sms_service.holding.wait(60), "the first run's request never came"
        second = sms(env, url, sms_service, "--resume", batch_id)
    finally:
        sms_service.release.set()
        out, err = first.communicate(timeout=60)
    assert second.returncode == 1
    assert f"the SMS batch {batch_id} is being sent by another run right now" in second.stderr
    assert "unknown" not in second.stdout + second.stderr and "--resend-unknown" not in second.stderr
    assert first.returncode == 0, err
    assert "sent     +358401111111" in out and "sent     +358402222222" in out and "unknown" not in out
    assert [r["numero"] for r in sms_service.requests] == ["+358401111111", "+358402222222"]  # each once
    d = db.connect(url)
    with db.session("acme", "anna"):
        batch = sms_batch.load(batch_id)
    d.close()
    assert batch.summary() == {"sent": 2} and batch.closed
    again = sms(env, url, sms_service, "--resume", batch_id)  # the lock went with the first run
    assert again.returncode == 1 and "is closed" in again.stderr
