"""The report's files read back (PDF with pypdf, Excel with openpyxl), sending against a real SMTP
server on loopback (to customers, salespeople, the runner; a failure mid-batch and the resume;
a connection dropped after the data), and `pupetui report contracts` headless."""

from __future__ import annotations

import datetime as dt
import io
import threading
import zipfile
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pypdf
import pytest

from pupetui import cli, db, i18n
from pupetui.models import Company, CompanyParameters, Customer, Invoice, InvoiceRow, Keyword, Permission, Product, User
from legacy import legacy_create
from pupetui.services import contracts, contracts_mail
from pupetui.services.contracts_documents import pdf_text
from pupetui.services.mail import SmtpConfig
from pupetui.services.programs import CONTRACTS

PERIOD = ("2024-03-01", "2025-02-28")
ODD = "Łódź Šiauliai 東京 [bold]"


@pytest.fixture(autouse=True)
def finnish():
    i18n.set_language("fi")
    yield
    i18n.set_language("en")


def seed(url: str, customers: int = 4) -> None:
    """acme: matti (salesperson 7, with email) and pekka (8, without); customers over the
    threshold: Åström (mail, matti), Öljy (no mail, pekka), Ääni (mail, matti), Łódź (mail, no
    salesperson); Ei Osta under the threshold."""
    d = db.connect(url)
    with db.session("acme", "matti"):
        Company.create(name="Acme Oy", address="Katu 1", postcode="00100", city="Helsinki", email="info@acme.example")
        CompanyParameters.create(mail_sender="postitus@acme.example")
        User.create(login="matti", name="Matti Myyjä", email="matti@acme.example", salesperson_no=7)
        User.create(login="pekka", name="Pekka Pomo", email="", salesperson_no=8)
        Permission.create(login="matti", script=CONTRACTS.script, subname="")
        Keyword.create(kind="OSASTO", value="1", text="Työkalut", language="fi")
        Keyword.create(kind="TRY", value="10", text="Käsityökalut", language="fi")
        Product.create(product_no="P1", name="Vasara", department=1, product_group=10)
        rows = [("Åström Oy", "1", "astrom@example.fi", 7), ("Öljy Oy", "2", "", 8),
                ("Ääni Ky", "3", "aani@example.fi; myynti@aani.example", 7), (ODD, "4", "lodz@example.pl", 0)]
        for name, number, email, salesperson in rows[:customers] + [("Ei Osta Oy", "9", "ei@example.fi", 7)]:
            # as an import or an older program left them (ODD is past Pupesoft's latin1, the
            # addresses are separated by ";"): pupetui reads such rows, it does not write them
            c = Customer.get_by_id(legacy_create(Customer, customer_no=number, name=name, email=email,
                                                 salesperson_no=salesperson, address="Tie 2", postcode="33100",
                                                 city="Tampere"))
            net = D("500") if number == "9" else D("12000.50")
            for day, total in (("2024-06-01", net), ("2023-06-01", D("6000.25"))):
                inv = Invoice.create(state="L", substate="X", customer_id=c.id, net=total,
                                     invoice_date=dt.date.fromisoformat(day))
                InvoiceRow.create(kind="L", invoice_id=inv.id, product_no="P1", department=1, product_group=10,
                                  quantity=D(4), row_total=total)
    d.close()


@pytest.fixture
def url(sqlite_url):
    seed(sqlite_url)
    db.connect(sqlite_url)
    db.start_session("acme", "matti")
    yield sqlite_url
    db.end_session()


def request(**kw):
    return contracts.make_request(*PERIOD, "10000", language="fi", **kw)


def pdf_lines(path: Path) -> list[str]:
    reader = pypdf.PdfReader(str(path))
    return [line for page in reader.pages for line in page.extract_text().splitlines()]


def test_a_pdf_per_customer_reads_back_with_the_figures_and_the_letter(url, tmp_path):
    prepared = contracts_mail.prepare(request())
    documents = contracts_mail.write_files(prepared, tmp_path)
    assert len(documents) == 4
    by_name = {d.report.customer.name: d.path for d in documents.values()}
    text = "\n".join(pdf_lines(by_name["Åström Oy"]))
    for expected in ("Acme Oy", "Ostoseuranta", "Sivu 1/1", "Åström Oy", "Tie 2", "33100 Tampere",
                     "01.03.2024 – 28.02.2025", "01.03.2023 – 28.02.2024", "1 Työkalut", "10 Käsityökalut",
                     "12 000,50", "6 000,25", "200", "Yhteensä"):
        assert expected in text, expected
    # characters the font has not: replaced, never a crash; markup shown as it is
    odd = "\n".join(pdf_lines(by_name[ODD]))
    assert "?ódz Šiauliai ?? [bold]" in odd  # Ł and 東京 are not in WinAnsi; ó and Š are
    assert pdf_text("Åsa \x1b[31m") == "Åsa [31m"


def test_a_long_report_numbers_its_pages(url, tmp_path):
    with db.session("acme", "matti"):
        c = Customer.get(Customer.customer_no == "1")
        inv = Invoice.create(state="L", substate="X", customer_id=c.id, net=D(1), invoice_date=dt.date(2024, 7, 1))
        for group in range(100, 190):
            Product.create(product_no=f"P{group}", name=f"Tuote {group}", department=group // 10, product_group=group)
            InvoiceRow.create(kind="L", invoice_id=inv.id, product_no=f"P{group}", department=group // 10,
                              product_group=group, quantity=D(1), row_total=D(1))
    documents = contracts_mail.write_files(contracts_mail.prepare(request(customer_no="1")), tmp_path)
    path = next(iter(documents.values())).path
    reader = pypdf.PdfReader(str(path))
    pages = len(reader.pages)
    assert pages >= 3
    for number, page in enumerate(reader.pages, start=1):
        assert f"Sivu {number}/{pages}" in page.extract_text()
        assert "Tuoteryhmä" in page.extract_text() or number == 1 or "Osasto" in page.extract_text()


def test_excel_has_the_same_content_with_numbers_as_numbers(url, tmp_path):
    prepared = contracts_mail.prepare(request(fmt="xlsx"))
    documents = contracts_mail.write_files(prepared, tmp_path)
    path = next(d.path for d in documents.values() if d.report.customer.name == "Åström Oy")
    sheet = openpyxl.load_workbook(path).active
    rows = [tuple(c for c in row if c is not None) for row in sheet.iter_rows(values_only=True)]
    rows = [r for r in rows if r]
    assert ("Acme Oy", "Ostoseuranta") in rows and ("Åström Oy",) in rows
    assert ("Kausi", "01.03.2024 – 28.02.2025") in rows
    assert ("1 Työkalut", 4, 4, 12000.5, 6000.25, 200) in rows
    assert ("   10 Käsityökalut", 4, 4, 12000.5, 6000.25, 200) in rows
    assert rows.count(("Yhteensä", 4, 4, 12000.5, 6000.25, 200)) == 2


# -- sending --------------------------------------------------------------------------------------------


def smtp(server) -> SmtpConfig:
    return SmtpConfig(host="127.0.0.1", port=server.port, timeout=5)


def attachments(message) -> list[tuple[str, bytes]]:
    return [(part.get_filename(), part.get_content()) for part in message.iter_attachments()]


def test_to_each_customer_with_the_ones_without_email_listed(url, tmp_path, smtp_server):
    prepared = contracts_mail.prepare(request(recipient="customer"), journal_directory=tmp_path / "j")
    assert len(prepared.plan.to_send) == 3
    assert [(u.customer.name, u.why) for u in prepared.plan.unreachable] == [("Öljy Oy", "no email")]
    assert "Öljy Oy" in "\n".join(prepared.plan.lines())
    seen = []
    _docs, results = contracts_mail.execute(prepared, tmp_path / "out", smtp(smtp_server),
                                            progress=lambda done, total, label: seen.append((done, total)))
    assert [r.status for r in results] == ["sent"] * 3
    assert seen[-1] == (3, 3)
    to = sorted(m["To"] for m in smtp_server.messages)
    assert to == ["aani@example.fi, myynti@aani.example", "astrom@example.fi", "lodz@example.pl"]
    message = next(m for m in smtp_server.messages if m["To"] == "astrom@example.fi")
    assert message["From"] == "postitus@acme.example"  # yhtion_parametrit.postittaja_email
    assert "Åström Oy" in message["Subject"]
    [(name, data)] = attachments(message)
    assert name.endswith(".pdf") and data.startswith(b"%PDF")
    assert "Åström Oy" in "\n".join(pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text().splitlines())


def test_a_former_salesperson_gets_no_report(url, tmp_path):
    """An inactive user with the salesperson's number (someone who left) is no recipient: the
    customer is listed as unreachable rather than mailed to an old mailbox."""
    with db.session("acme", "setup"):
        User.create(login="ville", name="Ville Entinen", email="ville@old.example", salesperson_no=8, active=0)
    prepared = contracts_mail.prepare(request(recipient="salesperson"), journal_directory=tmp_path / "j")
    assert all("ville@old.example" not in m.to for m in prepared.plan.mails)
    assert ("Öljy Oy", "salesperson has no email") in [(u.customer.name, u.why) for u in prepared.plan.unreachable]


def test_to_salespeople_one_zip_each_and_to_the_runner_one_zip(url, tmp_path, smtp_server):
    prepared = contracts_mail.prepare(request(recipient="salesperson"), journal_directory=tmp_path / "j")
    assert [(m.label, m.to, len(m.customers)) for m in prepared.plan.mails] == [
        ("Matti Myyjä", ("matti@acme.example",), 2)]
    assert sorted((u.customer.name, u.why) for u in prepared.plan.unreachable) == sorted([
        (ODD, "no salesperson"), ("Öljy Oy", "salesperson has no email")])
    contracts_mail.execute(prepared, tmp_path / "out", smtp(smtp_server))
    [(name, data)] = attachments(smtp_server.messages[-1])
    assert name.endswith(".zip")
    assert len(zipfile.ZipFile(io.BytesIO(data)).namelist()) == 2
    runner = contracts_mail.prepare(request(recipient="runner", fmt="xlsx"), journal_directory=tmp_path / "j")
    contracts_mail.execute(runner, tmp_path / "out2", smtp(smtp_server))
    message = smtp_server.messages[-1]
    assert message["To"] == "matti@acme.example"
    [(name, data)] = attachments(message)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert len(names) == 4 and all(n.endswith(".xlsx") for n in names)


def test_a_failure_mid_batch_is_resumed_without_sending_anyone_twice(url, tmp_path, smtp_server):
    smtp_server.mode = "refuse_after:1"
    journal = tmp_path / "j"
    first = contracts_mail.execute(contracts_mail.prepare(request(recipient="customer"), journal_directory=journal),
                                   tmp_path / "out", smtp(smtp_server))[1]
    assert [r.status for r in first] == ["sent", "failed", "failed"]
    assert "refused" in first[1].detail
    smtp_server.mode = "ok"
    again = contracts_mail.prepare(request(recipient="customer"), journal_directory=journal)
    assert len(again.plan.to_send) == 2 and len(again.plan.already_sent) == 1
    second = contracts_mail.execute(again, tmp_path / "out", smtp(smtp_server))[1]
    assert [r.status for r in second] == ["already sent", "sent", "sent"]
    to = [m["To"] for m in smtp_server.messages]
    assert len(to) == 3 and len(set(to)) == 3  # each customer exactly once
    # the same run once more: nothing goes out
    third = contracts_mail.execute(contracts_mail.prepare(request(recipient="customer"), journal_directory=journal),
                                   tmp_path / "out", smtp(smtp_server))[1]
    assert [r.status for r in third] == ["already sent"] * 3 and len(smtp_server.messages) == 3


def test_a_connection_dropped_after_the_data_is_unknown_and_not_resent(url, tmp_path, smtp_server):
    smtp_server.mode = "drop_after:1"
    journal = tmp_path / "j"
    first = contracts_mail.execute(contracts_mail.prepare(request(recipient="customer"), journal_directory=journal),
                                   tmp_path / "out", smtp(smtp_server))[1]
    assert [r.status for r in first] == ["sent", "unknown", "sent"]  # a new connection for the third
    assert len(smtp_server.messages) == 3  # the server did take the second one
    smtp_server.mode = "ok"
    again = contracts_mail.prepare(request(recipient="customer"), journal_directory=journal)
    assert not again.plan.to_send and len(again.plan.unknown) == 1
    assert "may or may not have arrived" in "\n".join(again.plan.lines())
    second = contracts_mail.execute(again, tmp_path / "out", smtp(smtp_server))[1]
    assert [r.status for r in second] == ["already sent", "unknown", "already sent"]
    assert len(smtp_server.messages) == 3
    forced = contracts_mail.execute(contracts_mail.prepare(request(recipient="customer"), journal_directory=journal),
                                    tmp_path / "out", smtp(smtp_server), resend_unknown=True)[1]
    assert [r.status for r in forced] == ["already sent", "sent", "already sent"]


def test_a_stopped_run_finishes_the_mail_in_progress_and_leaves_the_rest_for_the_next_run(url, tmp_path, smtp_server):
    journal = tmp_path / "j"
    stop = threading.Event()

    def press_stop(index, total, label):  # the user stops while the second mail is going out
        if index == 1:
            stop.set()

    first = contracts_mail.execute(contracts_mail.prepare(request(recipient="customer"), journal_directory=journal),
                                   tmp_path / "out", smtp(smtp_server), progress=press_stop, stop=stop)[1]
    assert [r.status for r in first] == ["sent", "sent", "not sent"]
    assert first[2].detail == contracts_mail.STOPPED_DETAIL
    assert len(smtp_server.messages) == 2  # the one in progress was finished, not cut off (no unknown)
    again = contracts_mail.prepare(request(recipient="customer"), journal_directory=journal)
    assert len(again.plan.to_send) == 1 and not again.plan.unknown
    second = contracts_mail.execute(again, tmp_path / "out", smtp(smtp_server))[1]
    assert [r.status for r in second] == ["already sent", "already sent", "sent"]
    to = [m["To"] for m in smtp_server.messages]
    assert len(to) == 3 and len(set(to)) == 3  # each customer exactly once


def test_stopped_while_the_files_are_written_nothing_is_sent_and_the_files_are_whole(url, tmp_path, smtp_server):
    stop = threading.Event()

    def press_stop(done, total, name):
        stop.set()  # after the first file

    prepared = contracts_mail.prepare(request(recipient="customer"), journal_directory=tmp_path / "j")
    documents, results = contracts_mail.execute(prepared, tmp_path / "out", smtp(smtp_server),
                                                files_progress=press_stop, stop=stop)
    assert len(documents) == 1 and [r.status for r in results] == ["not sent"] * 3
    assert smtp_server.messages == []
    assert [p.name for p in (tmp_path / "out").iterdir()] == [documents[next(iter(documents))].path.name]
    assert len(pypdf.PdfReader(str(next(iter(documents.values())).path)).pages) >= 1  # a whole PDF
    # files only: Stopped says which were written
    with pytest.raises(contracts_mail.Stopped) as stopped:
        contracts_mail.write_files(prepared, tmp_path / "files", progress=press_stop, stop=stop)
    assert len(stopped.value.documents) == 1 and stopped.value.total == 4
    assert sorted(p.name for p in (tmp_path / "files").iterdir()) == [
        d.path.name for d in stopped.value.documents.values()]
    # the next run sends everything, once
    results = contracts_mail.execute(contracts_mail.prepare(request(recipient="customer"),
                                                            journal_directory=tmp_path / "j"),
                                     tmp_path / "out", smtp(smtp_server))[1]
    assert [r.status for r in results] == ["sent"] * 3 and len(smtp_server.messages) == 3


def test_no_server_leaves_everything_for_the_next_run(url, tmp_path, dropping_server):
    config = SmtpConfig(host="127.0.0.1", port=dropping_server.port, timeout=3)
    results = contracts_mail.execute(contracts_mail.prepare(request(recipient="customer"),
                                                            journal_directory=tmp_path / "j"),
                                     tmp_path / "out", config)[1]
    assert [r.status for r in results] == ["not sent"] * 3
    again = contracts_mail.prepare(request(recipient="customer"), journal_directory=tmp_path / "j")
    assert len(again.plan.to_send) == 3


# -- headless ---------------------------------------------------------------------------------------------


def run_cli(url, *args, monkeypatch, capsys, smtp_port=None, user="matti"):
    monkeypatch.setenv("XDG_STATE_HOME", str(Path(url.removeprefix("sqlite:///")).parent / "state"))
    if smtp_port:
        monkeypatch.setenv("PUPETUI_SMTP__HOST", "127.0.0.1")
        monkeypatch.setenv("PUPETUI_SMTP__PORT", str(smtp_port))
    code = cli.main(["report", "contracts", "--db", url, "--company", "acme", "--user", user, "--lang", "fi",
                     "--from", PERIOD[0], "--to", PERIOD[1], *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_command_writes_files_dry_runs_and_sends_with_yes(sqlite_url, tmp_path, smtp_server, monkeypatch, capsys):
    seed(sqlite_url)
    code, out, _ = run_cli(sqlite_url, "--out", str(tmp_path / "files"), "--format", "xlsx",
                           monkeypatch=monkeypatch, capsys=capsys)
    assert code == 0 and "wrote 4 file(s)" in out
    assert len(list((tmp_path / "files").glob("*.xlsx"))) == 4
    code, out, _ = run_cli(sqlite_url, "--send", "customer", "--dry-run", monkeypatch=monkeypatch, capsys=capsys,
                           smtp_port=smtp_server.port)
    assert code == 0 and "3 email(s) would go out" in out and "Öljy Oy: no email address" in out
    assert not smtp_server.messages
    code, out, err = run_cli(sqlite_url, "--send", "customer", monkeypatch=monkeypatch, capsys=capsys,
                             smtp_port=smtp_server.port)
    assert code == 2 and "--yes" in err and not smtp_server.messages  # cron must say yes
    code, out, _ = run_cli(sqlite_url, "--send", "customer", "--yes", monkeypatch=monkeypatch, capsys=capsys,
                           smtp_port=smtp_server.port)
    assert code == 0 and out.count("SENT ") == 3 and len(smtp_server.messages) == 3
    code, out, _ = run_cli(sqlite_url, "--send", "customer", "--yes", monkeypatch=monkeypatch, capsys=capsys,
                           smtp_port=smtp_server.port)
    assert "nothing to send" in out and len(smtp_server.messages) == 3
    code, _, err = run_cli(sqlite_url, "--threshold", "paljon", monkeypatch=monkeypatch, capsys=capsys)
    assert code == 2 and "threshold" in err


def test_a_mail_refused_for_one_address_goes_to_the_others_once_and_names_it(sqlite_url, smtp_server,
                                                                             monkeypatch, capsys):
    """Issue 15.6: Ääni Ky has two addresses and the server refuses one: the mail reached the
    other but was recorded failed, and every rerun sent it again (3 runs, 3 copies)."""
    seed(sqlite_url)
    smtp_server.refused_addresses = {"myynti@aani.example"}
    code, out, _ = run_cli(sqlite_url, "--send", "customer", "--yes", monkeypatch=monkeypatch, capsys=capsys,
                           smtp_port=smtp_server.port)
    assert code == 1  # something did not reach everyone: cron is told
    line = next(l for l in out.splitlines() if l.startswith("SENT ") and "Ääni Ky" in l)
    assert "the mail server refused myynti@aani.example (550 5.1.1 no such mailbox here)" in line
    assert "3 sent (1 of them not to every address: the server refused myynti@aani.example; not sent again)" in out
    aani = [to for to in smtp_server.delivered_to if "aani@example.fi" in to]
    assert aani == [["aani@example.fi"]] and len(smtp_server.messages) == 3
    for _ in range(2):  # the reruns send nobody anything
        code, out, _ = run_cli(sqlite_url, "--send", "customer", "--yes", monkeypatch=monkeypatch, capsys=capsys,
                               smtp_port=smtp_server.port)
        assert code == 0 and "nothing to send" in out and "3 already sent" in out
    assert len(smtp_server.messages) == 3


def test_a_mail_refused_for_every_address_fails_and_is_sent_by_the_rerun(url, tmp_path, smtp_server):
    smtp_server.refused_addresses = {"aani@example.fi", "myynti@aani.example"}
    journal = tmp_path / "j"
    first = contracts_mail.execute(contracts_mail.prepare(request(recipient="customer", customer_no="3"),
                                                          journal_directory=journal), tmp_path / "out",
                                   smtp(smtp_server))[1]
    assert [r.status for r in first] == ["failed"] and not smtp_server.messages
    assert "the mail server refused aani@example.fi (550" in first[0].detail
    smtp_server.refused_addresses = set()
    second = contracts_mail.execute(contracts_mail.prepare(request(recipient="customer", customer_no="3"),
                                                           journal_directory=journal), tmp_path / "out",
                                    smtp(smtp_server))[1]
    assert [r.status for r in second] == ["sent"] and smtp_server.delivered_to == [
        ["aani@example.fi", "myynti@aani.example"]]


def test_the_command_refuses_who_has_no_right(sqlite_url, monkeypatch, capsys):
    seed(sqlite_url)
    code, out, err = run_cli(sqlite_url, "--dry-run", monkeypatch=monkeypatch, capsys=capsys, user="pekka")
    assert code == 3 and "customer" not in out


def test_two_runs_of_the_same_report_at_once_send_nobody_twice(url, tmp_path, smtp_server):
    """Review: the journal was read once at the start and had no lock, so a second run of the same
    request (cron while someone sends from the screen) sent every mail again."""
    import threading

    smtp_server.delay = 0.4
    journal = tmp_path / "j"
    results: list[list] = []

    def one_run(out):
        prepared = contracts_mail.prepare(request(recipient="customer"), journal_directory=journal)
        results.append(contracts_mail.execute(prepared, out, smtp(smtp_server))[1])

    runs = [threading.Thread(target=one_run, args=(tmp_path / f"out{n}",)) for n in range(2)]
    for t in runs:
        t.start()
    for t in runs:
        t.join(60)
    to = [m["To"] for m in smtp_server.messages]
    assert len(to) == 3 and len(set(to)) == 3, to  # each customer exactly once
    statuses = sorted(r.status for run_results in results for r in run_results)
    assert statuses.count("sent") == 3
    busy = [r for run_results in results for r in run_results if r.status == "not sent"]
    assert all("another run" in r.detail for r in busy)
    # afterwards the same run finds everything sent
    again = contracts_mail.prepare(request(recipient="customer"), journal_directory=journal)
    assert len(again.plan.already_sent) == 3 and not again.plan.to_send


def test_a_customer_name_with_a_line_break_is_mailed_with_a_clean_subject(url, tmp_path, smtp_server):
    """Review: a name from the database with a line break (or CR) went into the Subject header,
    which the email library refuses (ValueError): the batch stopped with a traceback."""
    Customer.update(name="Åström\r\nOy\nBcc: x@evil.example").where(Customer.customer_no == "1").execute()
    prepared = contracts_mail.prepare(request(recipient="customer"), journal_directory=tmp_path / "j")
    _docs, results = contracts_mail.execute(prepared, tmp_path / "out", smtp(smtp_server))
    assert [r.status for r in results] == ["sent"] * 3
    message = next(m for m in smtp_server.messages if m["To"] == "astrom@example.fi")
    assert message["Subject"].endswith("Åström Oy Bcc: x@evil.example") and message["Bcc"] is None


def test_resend_unknown_counts_the_unknown_mails_in_what_would_go_out(sqlite_url, smtp_server, monkeypatch, capsys):
    """Review: with --resend-unknown the count (the dry run's and the confirmation's) left the
    unknown mails out ("0 email(s) would go out ... not sent again") though they would be sent."""
    seed(sqlite_url)
    smtp_server.mode = "drop_after:1"
    code, out, _ = run_cli(sqlite_url, "--send", "customer", "--yes", monkeypatch=monkeypatch, capsys=capsys,
                           smtp_port=smtp_server.port)
    assert code == 1 and out.count("UNKNOWN ") == 1
    smtp_server.mode = "ok"
    code, out, _ = run_cli(sqlite_url, "--send", "customer", "--dry-run", monkeypatch=monkeypatch, capsys=capsys,
                           smtp_port=smtp_server.port)
    assert "0 email(s) would go out" in out and "not sent again" in out
    code, out, _ = run_cli(sqlite_url, "--send", "customer", "--dry-run", "--resend-unknown", monkeypatch=monkeypatch,
                           capsys=capsys, smtp_port=smtp_server.port)
    assert code == 0 and "1 email(s) would go out" in out and "not sent again" not in out
    assert len(smtp_server.messages) == 3


def test_a_customer_whose_sales_went_away_after_the_preview_is_reported_not_sent(url, tmp_path, smtp_server):
    """Review: between the preview (and the confirmation) and the sending, a customer's invoices
    in the period were removed: no file was made for it and the batch stopped with a KeyError."""
    prepared = contracts_mail.prepare(request(recipient="customer"), journal_directory=tmp_path / "j")
    astrom = Customer.get(Customer.customer_no == "1")
    Invoice.delete().where(Invoice.customer_id == astrom.id).execute()
    _docs, results = contracts_mail.execute(prepared, tmp_path / "out", smtp(smtp_server))
    by_label = {r.mail.label: r for r in results}
    assert by_label["Åström Oy"].status == "not sent" and "no report" in by_label["Åström Oy"].detail
    assert sorted(r.status for r in results) == ["not sent", "sent", "sent"]
    assert len(smtp_server.messages) == 2
    files = sorted(p.name for p in out.iterdir() if p.suffix in (".pdf", ".xlsx"))
    assert len(files) == 4 and all(f.startswith("ostoseuranta-") and "-20240301-20250228." in f for f in files), files


def test_the_zip_never_goes_over_what_is_at_its_name(sqlite_url, tmp_path, smtp_server, monkeypatch, capsys):
    """Issue #17: an Excel run silently replaced the PDF zip of the same report (both were
    `<purchases>-<period>-runner-<user>.zip`). Now the zip's name carries the format and the time
    of the run, and is never a name something has. (Before, a folder at the zip's name was the
    way to make the zip fail: now it is left alone, see test_export_target.py.)"""
    seed(sqlite_url, customers=3)
    out = tmp_path / "out"
    for fmt in ("pdf", "xlsx"):
        code, stdout, err = run_cli(sqlite_url, "--send", "runner", "--yes", "--format", fmt, "--out", str(out),
                                    monkeypatch=monkeypatch, capsys=capsys, smtp_port=smtp_server.port)
        assert code == 0 and "Traceback" not in err, err
    zips = sorted(p.name for p in out.glob("*.zip"))
    assert len(zips) == 2, zips
    assert any("-pdf-20240301-20250228-runner-matti-" in z for z in zips)
    assert any("-xlsx-20240301-20250228-runner-matti-" in z for z in zips)
    assert len(smtp_server.messages) == 2


def test_two_users_whose_logins_differ_only_in_punctuation_keep_their_own_journals(tmp_path):
    """Review: the journal's name replaced every other character of company and login with '_',
    so 'a.b' and 'a_b' shared one journal (the second user's mails showed as already sent)."""
    req = request(recipient="customer")
    first = contracts_mail.Journal(req, "acme", "a.b", tmp_path)
    second = contracts_mail.Journal(req, "acme", "a_b", tmp_path)
    first.record("customer:1", contracts_mail.SENT, ["x@example.fi"])
    assert first.path != second.path and second.states() == {}


def test_a_journal_that_cannot_be_read_or_written_is_told_plainly(sqlite_url, smtp_server, monkeypatch, capsys):
    """Review: an OSError on the journal (here: a folder where its file should be) ended the
    command with a traceback."""
    seed(sqlite_url)
    state = Path(sqlite_url.removeprefix("sqlite:///")).parent / "state"
    journal = contracts_mail.Journal(request(recipient="customer"), "acme", "matti", state / "pupetui" / "contracts")
    journal.path.mkdir(parents=True)
    code, _out, err = run_cli(sqlite_url, "--send", "customer", "--yes", monkeypatch=monkeypatch, capsys=capsys,
                              smtp_port=smtp_server.port)
    assert code == 1 and err.startswith("pupetui: ") and "journal" in err and not smtp_server.messages
