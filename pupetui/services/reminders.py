"""Reminders and leads (Pupesoft's kuittaamattomat.php), and the notices that reach people away
from the screen: an SMS when a reminder is made, and `pupetui reminders notify` by email."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Callable

from pupetui import db
from pupetui.models import Activity, Company, Contact, Customer, SavedSearch, User, now
from pupetui.models.activity import AWAITING_ACK, LEAD, NO_ACK_NEEDED, REMINDER
from pupetui.services import memo, sms
from pupetui.i18n import _
from pupetui.services import stored_text
from pupetui.services.auth import AccessDenied
from pupetui.services.calendar import calendar_users, may_use_calendar_of, parse_date, parse_time
from pupetui.services.mail import Mailer, MailError, SmtpConfig, addresses, refused_text
from pupetui.services.validation import ValidationError

NOTIFIED = "muistutus-ilmoitettu"  # muisti.haku of "this reminder was emailed on day X"
DEFAULT_TIME = dt.time(8, 0)


@dataclass(frozen=True)
class ReminderRow:
    id: int
    kind: str  # Muistutus or Lead
    owner: str
    supervisor: str
    created_by: str
    created_at: dt.datetime | None
    due: dt.datetime | None
    text: str
    method: str
    customer_id: int
    customer_name: str
    contact_name: str
    overdue: bool

    @property
    def future(self) -> bool:
        return not self.overdue


def _rows(query, moment: dt.datetime) -> list[ReminderRow]:
    rows = list(query)
    customer_ids = sorted({r.customer_id for r in rows if r.customer_id})
    contact_ids = sorted({int(r.contact_id) for r in rows if r.contact_id})
    customers = {c.id: c.name for c in Customer.select(Customer.id, Customer.name).where(Customer.id.in_(customer_ids))} if customer_ids else {}
    contacts = {c.id: c.name for c in Contact.select(Contact.id, Contact.name).where(Contact.id.in_(contact_ids))} if contact_ids else {}
    return [
        ReminderRow(
            id=r.id, kind=r.kind, owner=r.owner, supervisor=r.supervisor, created_by=r.created_by,
            created_at=r.created_at, due=r.starts_at, text=r.text or "", method=r.method,
            customer_id=r.customer_id, customer_name=customers.get(r.customer_id, ""),
            contact_name=contacts.get(int(r.contact_id or 0), ""),
            overdue=r.starts_at is not None and r.starts_at < moment,
        )
        for r in rows
    ]


def _waiting_query(login: str):
    return Activity.select().where(
        Activity.kind.in_([REMINDER, LEAD]) & (Activity.acknowledgement == AWAITING_ACK)
        & ((Activity.owner == login) | (Activity.supervisor == login))
    )


def may_view(owner: str, login: str | None = None) -> bool:
    """One's own list always; another calendar user's when one is a calendar user allowed to see it."""
    login = login or db.current().user
    if owner == login:
        return True
    users = {u.login for u in calendar_users()}
    return login in users and owner in users and may_use_calendar_of(owner, login)


def waiting(owner: str | None = None, *, moment: dt.datetime | None = None) -> list[ReminderRow]:
    """Reminders and leads waiting for acknowledgement where `owner` acts or supervises, newest first."""
    owner = owner or db.current().user
    if not may_view(owner):
        raise AccessDenied(f"you may not see {owner}'s reminders")
    moment = moment or now()
    return _rows(_waiting_query(owner).order_by(Activity.starts_at.desc(), Activity.id.desc()), moment)


def overdue_count(owner: str | None = None, *, moment: dt.datetime | None = None) -> int:
    owner = owner or db.current().user
    moment = moment or now()
    return _waiting_query(owner).where(Activity.starts_at < moment).count()


def acknowledge(reminder_id: int, text: str) -> int:
    """Acknowledge one's own reminder or lead (one handles) with a required text."""
    user = db.current().user
    row = Activity.get_or_none((Activity.id == reminder_id) & Activity.kind.in_([REMINDER, LEAD]))
    if row is None:
        raise ValidationError(f"reminder {reminder_id} not found")
    if user != row.owner:  # crm/kuittaamattomat.php: "Kuittaa" for the row's kuka only, a lead's handler
        raise AccessDenied("only your own reminders can be acknowledged here")
    return memo.acknowledge(reminder_id, text)


@dataclass
class NewReminder:
    text: str = ""
    owner: str = ""  # default: the user
    date: str = ""  # dd.mm.yyyy or ISO; default today
    time: str = "08:00"
    needs_acknowledgement: bool = True
    method: str = ""
    customer_id: int | None = None
    contact_id: int | None = None


@dataclass(frozen=True)
class AddResult:
    id: int
    sms: sms.SmsResult | None = None
    sms_error: str = ""


def _company_name() -> str:
    company = Company.get_or_none(Company.company == db.current().company)
    return (company.name if company else "") or db.current().company


def sms_text(method: str, text: str, limit: int = 160) -> str:
    """The reminder's SMS as crm/kuittaamattomat.php makes it:
    substr("Muistutus <company>. <tapa>. <text>", 0, 160)."""
    return f"Muistutus {_company_name()}. {method}. {text}"[:limit]


def add(new: NewReminder, *, sms_config: sms.SmsConfig | None = None, today: dt.date | None = None) -> AddResult:
    """Make a reminder (with or without a customer); then an SMS to its owner's mobile when SMS
    is configured. The reminder stays even when the SMS fails: the result says why it failed."""
    user = db.current().user
    owner = (new.owner or user).strip()
    text = stored_text.check((new.text or "").strip(), "text", _("Text"))  # Pupesoft's input rule
    if not text:
        raise ValidationError("the message is empty", "text")
    if owner != user:
        if owner not in {u.login for u in calendar_users()}:
            raise ValidationError(f"{owner!r} is not a calendar user", "owner")
        if not may_use_calendar_of(owner):
            raise AccessDenied(f"you may not give reminders to {owner}")
    day = parse_date(new.date, "date") if (new.date or "").strip() else (today or dt.date.today())
    when = dt.datetime.combine(day, parse_time(new.time or "08:00", "time"))
    if new.customer_id:
        reminder_id = memo.add_entry(new.customer_id, memo.NewEntry(
            kind=REMINDER, text=text, method=new.method, contact_id=new.contact_id, owner=owner,
            when=when, needs_acknowledgement=new.needs_acknowledgement,
        ))
    else:
        method = memo._check_method(new.method)
        if not User.select().where((User.login == owner) & (User.active != 0)).exists():
            raise ValidationError(f"no active user {owner!r}", "owner")
        with db.database.atomic():
            reminder_id = int(Activity.insert(  # as asiakasmemo.php's: laatija, luontiaika; no muuttaja
                kind=REMINDER, owner=owner, text=text, method=method, starts_at=when,
                ends_at=when + memo.REMINDER_LENGTH,
                acknowledgement=AWAITING_ACK if new.needs_acknowledgement else NO_ACK_NEEDED,
                modified_by="", modified_at=None,
            ).execute())
    return send_sms(reminder_id, sms_config)


def send_sms(reminder_id: int, sms_config: sms.SmsConfig | None) -> AddResult:
    """The SMS a new reminder sends its owner (kuka) when SMS is configured and the owner has a
    mobile number, as crm/asiakasmemo.php and crm/kuittaamattomat.php send it: its text, sent
    not before the reminder's time, with yhtio and kalenteritunnus. The reminder stays when the
    SMS fails: the result says why."""
    if sms_config is None or not sms_config.configured:
        return AddResult(reminder_id)
    row = Activity.get_or_none((Activity.id == reminder_id) & (Activity.kind == REMINDER))
    if row is None or not (row.text or "").strip():
        return AddResult(reminder_id)
    person = User.get_or_none(User.login == row.owner)
    if person is None or not (person.mobile or "").strip():
        return AddResult(reminder_id)
    try:
        result = sms.send(sms_config, person.mobile, sms_text(row.method or "", row.text, sms_config.max_length),
                          not_before=row.starts_at, company=db.current().company, reminder_id=reminder_id)
    except sms.SmsError as exc:
        return AddResult(reminder_id, None, str(exc))
    return AddResult(reminder_id, result, "" if result.ok else f"the SMS service refused: {result.answer}")


# -- notify: overdue summaries by email, at most once per reminder per day ---------------------

@dataclass
class NotifyReport:
    sent: list[tuple[str, str, int]] = field(default_factory=list)  # (owner, address, reminders)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (owner, why)
    nothing_new: list[str] = field(default_factory=list)  # owners already told today
    refused: dict[str, str] = field(default_factory=dict)  # owner -> the addresses of a sent mail the server refused

    def lines(self) -> list[str]:
        out = [f"sent to {o} <{a}>: {n} overdue reminder(s)"
               + (f"; the mail server refused {self.refused[o]}" if o in self.refused else "")
               for o, a, n in self.sent]
        out += [f"FAILED {o}: {why}" for o, why in self.failed]
        if self.nothing_new:
            out.append(f"already told today: {', '.join(self.nothing_new)}")
        if not out:
            out.append("no overdue reminders")
        return out


def _notified_today(owner: str, ids: list[int], day: dt.date) -> set[int]:
    if not ids:
        return set()
    rows = SavedSearch.select(SavedSearch.name, SavedSearch.value).where(
        (SavedSearch.owner == owner) & (SavedSearch.search == NOTIFIED)
        & SavedSearch.name.in_([str(i) for i in ids])
    )
    return {int(r.name) for r in rows if r.value == day.isoformat()}


def _mark_notified(owner: str, ids: list[int], day: dt.date) -> None:
    with db.database.atomic():
        for reminder_id in ids:
            where = ((SavedSearch.owner == owner) & (SavedSearch.search == NOTIFIED)
                     & (SavedSearch.name == str(reminder_id)) & (SavedSearch.variable == "pvm"))
            if not SavedSearch.update(value=day.isoformat()).where(where).execute():
                SavedSearch.create(owner=owner, search=NOTIFIED, name=str(reminder_id), variable="pvm",
                                   value=day.isoformat(), description="pupetui: overdue reminder emailed")


def _summary(owner: User, rows: list[ReminderRow], company: str) -> EmailMessage:
    msg = EmailMessage()
    msg["To"] = ", ".join(addresses(owner.email))  # kuka.eposti may hold several (a@x.fi; b@y.fi)
    msg["Subject"] = f"Muistutukset {company}: {len(rows)} myöhässä"
    lines = [f"Hei {owner.name or owner.login},", "", f"sinulla on {len(rows)} kuittaamatonta myöhässä olevaa muistutusta:", ""]
    for r in rows:
        due = r.due.strftime("%d.%m.%Y %H:%M") if r.due else ""
        who = f" / {r.customer_name}" if r.customer_name else ""
        lines.append(f"- {due} {r.kind}{who}: {' '.join(r.text.split())[:200]}")
    lines += ["", "pupetui"]
    msg.set_content("\n".join(lines))
    return msg


def notify(config: SmtpConfig, *, moment: dt.datetime | None = None,
           progress: Callable[[str], None] | None = None) -> NotifyReport:
    """Email every owner whose reminders are overdue a summary of those not emailed today.

    A reminder is marked as told (a muisti row, so kalenteri keeps Pupesoft's meaning) only after
    its mail was taken by the server: a failure leaves it to the next run."""
    moment = moment or now()
    day = moment.date()
    report = NotifyReport()
    overdue = list(
        Activity.select().where(
            Activity.kind.in_([REMINDER, LEAD]) & (Activity.acknowledgement == AWAITING_ACK)
            & (Activity.starts_at < moment) & (Activity.owner != "")
        ).order_by(Activity.owner, Activity.starts_at)
    )
    by_owner: dict[str, list[Activity]] = {}
    for row in overdue:
        by_owner.setdefault(row.owner, []).append(row)
    if not by_owner:
        return report
    company = _company_name()
    outbox: list[tuple[User, list[Activity]]] = []
    for owner_login, rows in by_owner.items():
        told = _notified_today(owner_login, [r.id for r in rows], day)
        todo = [r for r in rows if r.id not in told]
        if not todo:
            report.nothing_new.append(owner_login)
            continue
        owner = User.get_or_none(User.login == owner_login)
        if owner is None or not addresses(owner.email):
            report.failed.append((owner_login, "no email address (kuka.eposti)"))
            continue
        outbox.append((owner, todo))
    mailer = None
    try:
        for index, (owner, todo) in enumerate(outbox):
            if mailer is None:
                try:
                    mailer = Mailer(config).__enter__()
                except MailError as exc:  # no server: nobody left gets mail this run
                    report.failed.extend((o.login, str(exc)) for o, _ in outbox[index:])
                    break
            try:
                refused = mailer.send(_summary(owner, _rows(todo, moment), company))
            except MailError as exc:
                report.failed.append((owner.login, str(exc)))
                mailer.__exit__(None, None, None)
                mailer = None  # a new connection for the next owner
                continue
            # taken for some of the addresses: told (the next run would mail the others again)
            _mark_notified(owner.login, [r.id for r in todo], day)
            report.sent.append((owner.login, owner.email, len(todo)))
            if refused:
                report.refused[owner.login] = refused_text(refused)
            if progress:
                progress(f"sent to {owner.login} <{owner.email}>: {len(todo)}")
    finally:
        if mailer is not None:
            mailer.__exit__(None, None, None)
    return report
