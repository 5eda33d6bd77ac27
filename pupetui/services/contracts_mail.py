"""Sending the annual-contract customers report: who gets what, the confirmation's figures, and
sending by SMTP with a journal so that a run broken mid-batch can be resumed without anyone
getting the same report twice.

- To the runner (kuka.eposti of the logged-in user): one mail, every file in one zip.
- To each customer (asiakas.email; several addresses separated by , or ; all get it): one mail
  with that customer's file.
- To each customer's salesperson (asiakas.myyjanro = kuka.myyja, their kuka.eposti): one mail
  per salesperson with a zip of their customers' files.
Customers whose mail has nowhere to go are listed with the reason, never dropped silently.

The journal: one file per run in the user's state directory (`~/.local/state/pupetui/contracts/`
on Linux, via platformdirs), named by company, user and a hash of the request (period,
threshold, customer, format, recipient), so the same request is the same run. Each
mail gets a line "sending" before it is handed to the server and "sent" (or "failed", or
"unknown") after, written and fsync'ed at once. A re-run skips what was sent; a mail whose
outcome is unknown (the connection broke after the data was handed over, or the process died
in between) is reported as unknown and not sent again unless asked (`resend_unknown`).
Why a file and not Pupesoft's tables: the journal is the runner's own bookkeeping of one batch,
Pupesoft has no table for it and shows nothing of it, and it must be written after every single
mail even when the database is the thing that fails.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import threading
from contextlib import closing
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Callable, Sequence

import platformdirs

from pupetui.i18n import _
from pupetui.services.contracts import QualifyingCustomer, ReportRequest, Sender, salespeople
from pupetui.services.contracts_documents import Document, period_text, write_zip
from pupetui.services.export import ExportError
from pupetui.services.mail import Mailer, MailError, SmtpConfig, addresses, refused_text

SENT, FAILED, UNKNOWN, SENDING = "sent", "failed", "unknown", "sending"
ALREADY_SENT, NOT_SENT = "already sent", "not sent"
MIME = {"pdf": ("application", "pdf"), "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "zip": ("application", "zip")}


@dataclass(frozen=True)
class Mail:
    key: str  # in the journal: runner:<login>, customer:<tunnus>, salesperson:<myyja>
    label: str  # who, for people
    to: tuple[str, ...]
    customers: tuple[QualifyingCustomer, ...]


@dataclass(frozen=True)
class Unreachable:
    customer: QualifyingCustomer
    reason: str  # English, for the log; the screen translates by `why`
    why: str  # "no email", "no salesperson", "salesperson has no email", "runner has no email"


@dataclass
class Plan:
    request: ReportRequest
    mails: list[Mail]
    unreachable: list[Unreachable]
    done: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (state, at) from the journal
    resend_unknown: bool = False  # the unknown ones are sent again (counted in to_send)

    @property
    def to_send(self) -> list[Mail]:
        skipped = (SENT,) if self.resend_unknown else (SENT, SENDING, UNKNOWN)
        return [m for m in self.mails if self.done.get(m.key, ("",))[0] not in skipped]

    @property
    def already_sent(self) -> list[Mail]:
        return [m for m in self.mails if self.done.get(m.key, ("",))[0] == SENT]

    @property
    def unknown(self) -> list[Mail]:
        return [m for m in self.mails if self.done.get(m.key, ("",))[0] in (SENDING, UNKNOWN)]

    def lines(self) -> list[str]:
        """What the confirmation says, in English (the command line's words)."""
        out = [f"{len(self.to_send)} email(s) would go out ({self.request.recipient}), "
               f"for {sum(len(m.customers) for m in self.mails)} customer(s)"]
        if self.already_sent:
            out.append(f"{len(self.already_sent)} already sent in an earlier run of this report: skipped")
        if self.unknown and self.resend_unknown:
            out.append(f"{len(self.unknown)} of an earlier run may or may not have arrived: sent again "
                       "(--resend-unknown), counted above")
            out += [f"  ? {m.label} <{', '.join(m.to)}>" for m in self.unknown]
        elif self.unknown:
            out.append(f"{len(self.unknown)} of an earlier run may or may not have arrived: not sent again "
                       "(--resend-unknown sends them)")
            out += [f"  ? {m.label} <{', '.join(m.to)}>" for m in self.unknown]
        if self.unreachable:
            out.append(f"{len(self.unreachable)} customer(s) without an email address, no mail for them:")
            out += [f"  - {u.customer.customer_no} {u.customer.name}: {u.reason}" for u in self.unreachable]
        return out


def plan(request: ReportRequest, customers: Sequence[QualifyingCustomer], sender: Sender,
         journal: "Journal | None" = None) -> Plan:
    mails: list[Mail] = []
    unreachable: list[Unreachable] = []
    if request.recipient == "runner":
        to = addresses(sender.runner_email)
        if to and customers:
            mails.append(Mail(f"runner:{sender.runner_login}", sender.runner_name, tuple(to), tuple(customers)))
        elif customers:
            unreachable += [Unreachable(c, f"you ({sender.runner_login}) have no email address (kuka.eposti)",
                                        "runner has no email") for c in customers]
    elif request.recipient == "customer":
        for c in customers:
            to = addresses(c.email)
            if to:
                mails.append(Mail(f"customer:{c.id}", c.name, tuple(to), (c,)))
            else:
                unreachable.append(Unreachable(c, "no email address (asiakas.email)" if not c.email
                                               else f"{c.email!r} is not an email address", "no email"))
    else:
        people = salespeople()
        by_person: dict[int, list[QualifyingCustomer]] = {}
        for c in customers:
            person = people.get(c.salesperson_no)
            if person is None:
                unreachable.append(Unreachable(c, f"no salesperson (myyjanro {c.salesperson_no})", "no salesperson"))
            elif not addresses(person[2]):
                unreachable.append(Unreachable(c, f"the salesperson {person[0]} has no email address (kuka.eposti)",
                                               "salesperson has no email"))
            else:
                by_person.setdefault(c.salesperson_no, []).append(c)
        for number, group in sorted(by_person.items()):
            login, name, email = people[number]
            mails.append(Mail(f"salesperson:{number}", name or login, tuple(addresses(email)), tuple(group)))
    return Plan(request, mails, unreachable, journal.states() if journal else {})


# -- the journal ----------------------------------------------------------------------------------------


def journal_dir() -> Path:
    return Path(platformdirs.user_state_dir("pupetui")) / "contracts"


class JournalError(Exception):
    """The journal cannot be read or written: nothing more may be sent (the message is for a person)."""


class Journal:
    """The run's record of each mail: appended and synced line by line."""

    def __init__(self, request: ReportRequest, company: str, user: str, directory: Path | None = None):
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", f"{company}-{user}")  # readable; the digest tells a.b from a_b
        digest = hashlib.sha256(json.dumps([company, user, request.key()]).encode()).hexdigest()[:20]
        self.path = Path(directory or journal_dir()) / f"{safe}-{digest}.jsonl"

    def states(self) -> dict[str, tuple[str, str]]:
        out: dict[str, tuple[str, str]] = {}
        try:
            with self.path.open(encoding="utf-8") as fh:
                for line in fh:
                    try:
                        entry = json.loads(line)
                        out[str(entry["key"])] = (str(entry["state"]), str(entry.get("at", "")))
                    except (ValueError, KeyError, TypeError):
                        continue  # a line cut short by a crash: the line before it stands
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise JournalError(f"the send journal {self.path} cannot be read: {exc.strerror or exc}") from None
        return out

    def record(self, key: str, state: str, to: Sequence[str], detail: str = "") -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        entry = {"key": key, "state": state, "to": list(to), "at": dt.datetime.now().isoformat(timespec="seconds")}
        if detail:
            entry["detail"] = detail
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (json.dumps(entry, ensure_ascii=False) + "\n").encode())
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise JournalError(f"the send journal {self.path} cannot be written ({exc.strerror or exc}): "
                               f"sending stopped at {key}") from None

    def lock(self):
        """An exclusive lock on this run's journal, held while its mails are sent, so that two
        runs of the same request at once (cron and the screen) never both send a mail; None
        when another run holds it. Released when the returned object is closed (or the process
        ends)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle = open(self.path.with_name(self.path.name + ".lock"), "a")
        except OSError as exc:
            raise JournalError(f"the send journal {self.path} cannot be locked: {exc.strerror or exc}") from None
        try:
            import fcntl
        except ImportError:  # not on POSIX: no lock
            return handle
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return None
        return handle

    def forget(self) -> None:
        """Start the run afresh (everyone gets the report again)."""
        self.path.unlink(missing_ok=True)


# -- sending ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    mail: Mail
    status: str  # sent, already sent, failed, unknown, not sent
    detail: str = ""
    refused: tuple[str, ...] = ()  # sent, but the server refused these addresses of it

    def line(self) -> str:
        text = f"{self.status.upper():<12} {self.mail.label} <{', '.join(self.mail.to)}>"
        return f"{text}: {self.detail}" if self.detail else text


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def _message(mail: Mail, request: ReportRequest, sender: Sender, config: SmtpConfig,
             attachment: Path) -> EmailMessage:
    msg = EmailMessage()
    msg["To"] = ", ".join(mail.to)
    sender_address = _one_line(config.sender or sender.mail_from)
    if sender_address:
        msg["From"] = sender_address
    period = period_text(request.period)
    if request.recipient == "customer":
        # a name from the database: on one line (a header may not hold a line break)
        msg["Subject"] = _("Purchases report {period}: {name}").format(period=period, name=_one_line(mail.label))
        body = [_("Dear customer,"), "",
                _("attached is a report of your purchases from us in {period}, compared with the same period "
                  "a year earlier.").format(period=period), "", _("Kind regards,"), sender.company_name]
    else:
        msg["Subject"] = _("Purchases report {period}: {count} customers").format(
            period=period, count=len(mail.customers))
        body = [_("Attached are the purchases reports of {count} customers for {period}.").format(
            count=len(mail.customers), period=period), "", sender.company_name]
    msg.set_content("\n".join(body))
    kind = attachment.suffix.lstrip(".")
    maintype, subtype = MIME[kind]
    msg.add_attachment(attachment.read_bytes(), maintype=maintype, subtype=subtype, filename=attachment.name)
    return msg


def _attachment(mail: Mail, documents: dict[int, Document], folder: Path, request: ReportRequest) -> Path:
    if request.recipient == "customer":
        return documents[mail.customers[0].id].path
    who = re.sub(r"[^A-Za-z0-9_-]+", "-", mail.key.replace(":", "-"))
    period = f"{request.period.start:%Y%m%d}-{request.period.end:%Y%m%d}"
    prefix = _("purchases")
    # the format and the time of the run in the name, and never over a file (a PDF run's zip and
    # an Excel run's of the same report are two files)
    made = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return write_zip(folder / f"{prefix}-{request.fmt}-{period}-{who}-{made}.zip",
                     [documents[c.id].path for c in mail.customers if c.id in documents], unique=True)


Progress = Callable[[int, int, str], None]
STOPPED_DETAIL = "stopped before it was sent"


class Stopped(Exception):
    """The user stopped the run while the files were being written: `documents` are the ones
    written (each whole)."""

    def __init__(self, documents: dict[int, Document], total: int):
        super().__init__(f"stopped: {len(documents)} of {total} files written")
        self.documents = documents
        self.total = total


def send(the_plan: Plan, documents: dict[int, Document], folder: Path, sender: Sender, config: SmtpConfig,
         journal: Journal, *, progress: Progress | None = None, resend_unknown: bool = False,
         stop: threading.Event | None = None) -> list[Result]:
    """Sends every mail of the plan that the journal does not show as sent (nor, unless
    `resend_unknown`, as unknown). A mail the server took for some of its addresses and refused
    for others is sent (the result names the refused ones; never sent again, which would give the
    others a second copy); refused for all, it failed (that mail only). A broken
    connection is retried once for the next mail, and if the server cannot be reached the rest
    are left "not sent" for a re-run. When `stop` is set, the mail being sent is finished and
    the rest are left "not sent" (never cut off halfway, which would make its fate unknown)."""
    results: list[Result] = []
    mails = the_plan.mails
    held = journal.lock()
    if held is None:
        return [Result(m, NOT_SENT, "another run of this report is sending it now") for m in mails]
    mailer: Mailer | None = None
    try:
        done = journal.states()  # read under the lock: what another run sent counts
        for index, mail in enumerate(mails):
            state, at = done.get(mail.key, ("", ""))
            if state == SENT:
                results.append(Result(mail, ALREADY_SENT, at))
                continue
            if state in (SENDING, UNKNOWN) and not resend_unknown:
                results.append(Result(mail, UNKNOWN, f"an earlier run at {at} does not know whether it arrived"))
                continue
            if stop is not None and stop.is_set():
                results.append(Result(mail, NOT_SENT, STOPPED_DETAIL))
                continue
            if progress:
                progress(index, len(mails), mail.label)
            if not any(c.id in documents for c in mail.customers):
                results.append(Result(mail, NOT_SENT, "no report could be made: the sales in the period "
                                                      "changed after the customers were listed"))
                continue
            if mailer is None:
                try:
                    mailer = Mailer(config).__enter__()
                except MailError as exc:
                    results += [Result(m, NOT_SENT, str(exc)) for m in mails[index:]
                                if done.get(m.key, ("",))[0] != SENT]
                    break
            try:
                message = _message(mail, the_plan.request, sender, config, _attachment(mail, documents, folder,
                                                                                      the_plan.request))
            except (OSError, ExportError) as exc:  # the zip or the file could not be made or read
                results.append(Result(mail, NOT_SENT, f"the attachment could not be made: "
                                                      f"{getattr(exc, 'strerror', None) or exc}"))
                continue
            journal.record(mail.key, SENDING, mail.to)
            try:
                refused = mailer.send(message)
            except MailError as exc:
                state = UNKNOWN if exc.uncertain else FAILED
                journal.record(mail.key, state, mail.to, str(exc))
                results.append(Result(mail, state, str(exc)))
                if exc.uncertain or not mailer.alive():
                    mailer.__exit__(None, None, None)
                    mailer = None
                continue
            # taken for some: sent (a re-run would give them a second copy), the refused named
            detail = f"the mail server refused {refused_text(refused)}" if refused else ""
            journal.record(mail.key, SENT, mail.to, detail)
            results.append(Result(mail, SENT, detail, tuple(refused)))
        if progress:
            progress(len(mails), len(mails), "")
    finally:
        if mailer is not None:
            mailer.__exit__(None, None, None)
        held.close()
    return results


# -- a whole run: what the screen and `pupetui report contracts` both call -------------------------------


@dataclass
class Prepared:
    request: ReportRequest
    customers: list[QualifyingCustomer]
    sender: Sender
    plan: Plan
    journal: Journal


def prepare(request: ReportRequest, *, journal_directory: Path | None = None,
            resend_unknown: bool = False) -> Prepared:
    """The qualifying customers and who would get mail (for the preview and the confirmation);
    `resend_unknown`: the mails of unknown fate are counted as going out again."""
    from pupetui.services import contracts

    customers = contracts.qualifying(request)
    who = contracts.sender()
    journal = Journal(request, who.company, who.runner_login, journal_directory)
    the_plan = plan(request, customers, who, journal)
    the_plan.resend_unknown = resend_unknown
    return Prepared(request, customers, who, the_plan, journal)


def write_files(prepared: Prepared, folder: Path, customers: Sequence[QualifyingCustomer] | None = None,
                progress: Progress | None = None, stop: threading.Event | None = None) -> dict[int, Document]:
    """Each customer's file in `folder`; the figures of all of them from one statement. When
    `stop` is set, the file being written is finished and `Stopped` tells which were."""
    from pupetui.services import contracts
    from pupetui.services.contracts_documents import write_documents

    chosen = list(prepared.customers if customers is None else customers)
    total = len(chosen)

    def step(count, report):
        if progress:
            progress(count, total, report.customer.name)

    documents: dict[int, Document] = {}
    reports = contracts.reports(prepared.request, chosen)
    with closing(reports), closing(write_documents(prepared.request, reports, folder, prepared.sender, step)) as written:
        for document in written:
            documents[document.report.customer.id] = document
            if stop is not None and stop.is_set() and len(documents) < total:
                raise Stopped(documents, total)
    return documents


def execute(prepared: Prepared, folder: Path, config: SmtpConfig, *, progress: Progress | None = None,
            files_progress: Progress | None = None, resend_unknown: bool = False,
            stop: threading.Event | None = None) -> tuple[dict[int, Document], list[Result]]:
    """Writes the files the mails need, then sends them (see `send`). Stopped while the files
    are written, nothing is sent: every mail not sent before is "not sent" for a re-run."""
    the_plan = prepared.plan
    the_plan.done = prepared.journal.states()
    needed = [m for m in the_plan.mails if the_plan.done.get(m.key, ("",))[0] != SENT
              and (resend_unknown or the_plan.done.get(m.key, ("",))[0] not in (SENDING, UNKNOWN))]
    seen: dict[int, QualifyingCustomer] = {}
    for m in needed:
        for c in m.customers:
            seen[c.id] = c
    try:
        documents = write_files(prepared, folder, list(seen.values()), files_progress, stop) if seen else {}
    except Stopped as stopped:
        documents = stopped.documents  # `stop` is set: send() leaves every mail for a re-run
    results = send(the_plan, documents, folder, prepared.sender, config, prepared.journal,
                   progress=progress, resend_unknown=resend_unknown, stop=stop)
    return documents, results
