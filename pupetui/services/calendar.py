"""The calendar (Pupesoft's kalenteri.php): entries, whose calendars one may see, and iCalendar export.

A calendar entry is a `kalenteri` row with tyyppi 'kalenteri': kuka = whose calendar,
pvmalku/pvmloppu, kokopaiva 'x' = all day (00:00:00-23:59:59), tapa = a KALETAPA text,
an optional customer (asiakas = ytunnus, liitostunnus = tunnus; none = a personal entry),
kentta01 = comment, kentta03 = kilometres, kentta04 = per diems, kuittaus 'K' = done.
Only its kuka or laatija may edit or delete it.

As crm/kalenteri.php writes it: a timed entry starts and ends on the company's slot grid
(yhtion_parametrit.kalenteri_aikavali 15 or 30 minutes; starts 08:00-17:30 or 17:45, ends up to
18:00), because Pupesoft's day and week views draw an entry only in the slot its start time names;
the end is after the start; a type (tapa) is required; the writer is laatija (Pupesoft sets no
other audit column when it inserts); deleting removes the row (Pupesoft's POISTA is a DELETE).
Reminders (tyyppi 'Muistutus') are shown in the calendar as Pupesoft's day view shows them
(they are changed in Reminders).

A "calendar user" is anyone with the crm/kalenteri.php right. With yhtion_parametrit.monikayttajakalenteri set, only sales managers
(asema 'MP') may see and write other users' calendars.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Iterable

from pupetui import db
from pupetui.models import Activity, CompanyParameters, Customer, Keyword, Permission, User, now
from pupetui.i18n import _
from pupetui.models.activity import ALL_DAY, CALENDAR, DONE, REMINDER
from pupetui.services import attachments, auth, keywords, programs, stored_text
from pupetui.services.auth import AccessDenied
from pupetui.services.programs import CALENDAR as CALENDAR_PROGRAM
from pupetui.services.validation import ValidationError

DAY_END = dt.time(23, 59, 59)
ATTACHMENT_LINK = "kalenterimerkintä"  # liitetiedostot.liitos of a calendar entry's files

TEXT_MAX = 60_000  # bytes in UTF-8: kentta01 is TEXT (65,535 bytes in MySQL)


# -- types and colours (KALETAPA) -----------------------------------------------------------

@dataclass(frozen=True)
class EntryType:
    id: int
    text: str  # stored in kalenteri.tapa
    colour: str  # selitetark_2, e.g. "#ff9900" or "red"
    order: int
    code: str  # selite


def entry_types() -> list[EntryType]:
    """KALETAPA as Pupesoft's t_avainsana lists it: the rows in the company's language (or none),
    by jarjestys and selite; the text shown and stored is selitetark."""
    rows = keywords.company_rows("KALETAPA")
    return [EntryType(k.id, k.text or k.value, (k.text_2 or "").strip(), k.order, k.value) for k in rows if (k.text or k.value)]


def _type_texts() -> set[str]:
    return {t.text for t in entry_types()}


COLOUR = re.compile(r"^(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}|[a-z_]+)$")


def may_edit_entry_types() -> bool:
    """Types are Pupesoft's keywords (KALETAPA): its keyword maintenance's update right."""
    return auth.may_update(programs.KEYWORD_EDIT)


def save_entry_type(text: str, colour: str = "", order: int = 0, type_id: int | None = None) -> int:
    auth.require_update(programs.KEYWORD_EDIT)
    text = stored_text.check((text or "").strip(), "text", _("Name"))  # as Pupesoft's input rule stores it
    colour = (colour or "").strip()
    if not text:
        raise ValidationError("a type needs a name", "text")
    if len(text) > 25:  # kalenteri.tapa is varchar(25)
        raise ValidationError("type name: at most 25 characters", "text")
    if colour and not COLOUR.match(colour):
        raise ValidationError(f"colour {colour!r}: use #rrggbb or a colour name", "colour")
    clash = keywords.company_query("KALETAPA").where(Keyword.text == text)
    if type_id is not None:
        clash = clash.where(Keyword.id != type_id)
    if clash.exists():
        raise ValidationError(f"type {text!r} exists already", "text")
    with db.database.atomic():
        if type_id is None:  # a row Pupesoft lists: in the company's language
            return Keyword.create(kind="KALETAPA", value=text, text=text, text_2=colour, order=int(order),
                                  language=keywords.company_language()).id
        old = Keyword.get_or_none((Keyword.id == type_id) & (Keyword.kind == "KALETAPA"))
        if old is None:
            raise ValidationError(f"type {type_id} not found")
        Keyword.update(text=text, text_2=colour, order=int(order)).where(Keyword.id == type_id).execute()
        if old.text and old.text != text:  # entries keep their type under its new name
            Activity.update(method=text).where((Activity.kind == CALENDAR) & (Activity.method == old.text)).execute()
        return type_id


def delete_entry_type(type_id: int) -> None:
    auth.require_update(programs.KEYWORD_EDIT)
    old = Keyword.get_or_none((Keyword.id == type_id) & (Keyword.kind == "KALETAPA"))
    if old is None:
        raise ValidationError(f"type {type_id} not found")
    used = Activity.select().where(Activity.method == old.text).exists()
    if used:
        raise ValidationError(f"type {old.text!r} is used by entries: rename it instead")
    Keyword.delete().where(Keyword.id == type_id).execute()


# -- who sees whose calendar ----------------------------------------------------------------

@dataclass(frozen=True)
class CalendarUser:
    login: str
    name: str


def calendar_users() -> list[CalendarUser]:
    """Active users with the calendar right, by name."""
    logins = {
        p.login for p in Permission.select(Permission.login).where(
            Permission.script.endswith(CALENDAR_PROGRAM.script)
        )
    }
    users = User.select(User.login, User.name).where(User.login.in_(sorted(logins)) & (User.active != 0))
    return sorted((CalendarUser(u.login, u.name or u.login) for u in users), key=lambda u: (u.name.lower(), u.login))


def _multi_user_restricted() -> bool:
    params = CompanyParameters.select().first()
    return bool(params and (params.multi_user_calendar or "").strip())


def may_use_calendar_of(owner: str, login: str | None = None) -> bool:
    login = login or db.current().user
    if owner == login:
        return True
    if not _multi_user_restricted():
        return True
    me = User.get_or_none(User.login == login)
    return bool(me and me.is_sales_manager)


def viewable_users(login: str | None = None) -> list[CalendarUser]:
    login = login or db.current().user
    return [u for u in calendar_users() if may_use_calendar_of(u.login, login)]


def slot_minutes() -> int:
    params = CompanyParameters.select().first()
    return params.slot_minutes if params else 30


GRID_FIRST = dt.time(8, 0)  # the first slot of Pupesoft's day view (its AIKA_ARRAY starts at 08:00)
GRID_END = dt.time(18, 0)  # the last end Pupesoft's form offers


def start_slots(minutes: int | None = None) -> list[dt.time]:
    """The start times Pupesoft's day view draws: 08:00-17:30 by 30 minutes, 08:00-17:45 by 15."""
    minutes = minutes or slot_minutes()
    out, at = [], dt.datetime.combine(dt.date.min, GRID_FIRST)
    while at.time() < GRID_END:
        out.append(at.time())
        at += dt.timedelta(minutes=minutes)
    return out


def end_slots(minutes: int | None = None) -> list[dt.time]:
    """The end times Pupesoft's form offers: one slot after 08:00 up to 18:00."""
    minutes = minutes or slot_minutes()
    return [(dt.datetime.combine(dt.date.min, t) + dt.timedelta(minutes=minutes)).time() for t in start_slots(minutes)]


def _grid_text(slots: list[dt.time], minutes: int) -> str:
    return f"{slots[0]:%H:%M}-{slots[-1]:%H:%M} every {minutes} minutes"


def check_on_grid(starts: dt.datetime, ends: dt.datetime, minutes: int | None = None) -> None:
    """ValidationError naming the field when a timed entry is off Pupesoft's slot grid."""
    minutes = minutes or slot_minutes()
    first, last = start_slots(minutes), end_slots(minutes)
    if starts.time() not in first:
        raise ValidationError(
            f"start time: {starts:%H:%M} is not on Pupesoft's calendar ({_grid_text(first, minutes)})", "start time")
    if ends.time() not in last:
        raise ValidationError(
            f"end time: {ends:%H:%M} is not on Pupesoft's calendar ({_grid_text(last, minutes)})", "end time")


# -- entries --------------------------------------------------------------------------------

SHOWN_KINDS = (CALENDAR, REMINDER)  # what Pupesoft's day view draws (tyyppi in 'kalenteri', 'muistutus')


@dataclass(frozen=True)
class Entry:
    id: int
    owner: str
    created_by: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    all_day: bool
    type: str
    customer_id: int
    customer_name: str
    comment: str
    kilometres: str
    per_diems: str
    done: bool
    kind: str = CALENDAR  # 'kalenteri', or 'Muistutus' for a reminder (shown, changed in Reminders)

    @property
    def is_reminder(self) -> bool:
        return self.kind == REMINDER

    def on_day(self, day: dt.date) -> bool:
        return self.starts_at.date() <= day <= self.ends_at.date()


def _entry(a: Activity, names: dict[int, str]) -> Entry:
    starts = a.starts_at or dt.datetime.min
    ends = a.ends_at or starts
    if ends < starts:
        ends = starts
    return Entry(
        id=a.id, owner=a.owner, created_by=a.created_by, starts_at=starts, ends_at=ends,
        all_day=a.all_day == ALL_DAY, type=a.method, customer_id=a.customer_id,
        customer_name=names.get(a.customer_id, ""), comment=a.text or "",
        kilometres=a.kilometres or "", per_diems=a.per_diems or "",
        done=a.kind == CALENDAR and a.acknowledgement == DONE, kind=CALENDAR if a.kind == CALENDAR else REMINDER,
    )


def entries_between(owners: Iterable[str], start: dt.datetime, end: dt.datetime) -> list[Entry]:
    """Entries of the owners overlapping [start, end), ordered by start time."""
    owners = [o for o in owners if may_use_calendar_of(o)]
    if not owners:
        return []
    rows = list(
        Activity.select()
        .where(
            Activity.kind.in_(SHOWN_KINDS) & Activity.owner.in_(owners)
            & (Activity.starts_at < end) & (Activity.ends_at >= start)
        )
        .order_by(Activity.starts_at, Activity.id)
    )
    ids = {r.customer_id for r in rows if r.customer_id}
    names = {}
    if ids:
        names = {c.id: c.name for c in Customer.select(Customer.id, Customer.name).where(Customer.id.in_(sorted(ids)))}
    return [_entry(r, names) for r in rows]


def month_range(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    first = dt.datetime(year, month, 1)
    days = _calendar.monthrange(year, month)[1]
    return first, first + dt.timedelta(days=days)


def month_grid_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    """The Monday before (or on) the 1st and the Sunday after (or on) the last day."""
    first = dt.date(year, month, 1)
    last = first + dt.timedelta(days=_calendar.monthrange(year, month)[1] - 1)
    return first - dt.timedelta(days=first.weekday()), last + dt.timedelta(days=6 - last.weekday())


def entries_for_month(owners: Iterable[str], year: int, month: int, *, whole_weeks: bool = True) -> list[Entry]:
    if whole_weeks:
        a, b = month_grid_range(year, month)
        start, end = dt.datetime.combine(a, dt.time()), dt.datetime.combine(b + dt.timedelta(days=1), dt.time())
    else:
        start, end = month_range(year, month)
    return entries_between(owners, start, end)


def entries_for_day(owners: Iterable[str], day: dt.date) -> list[Entry]:
    start = dt.datetime.combine(day, dt.time())
    return entries_between(owners, start, start + dt.timedelta(days=1))


def search(owners: Iterable[str], text: str, limit: int = 200) -> list[Entry]:
    """Entries whose comment, type or customer contains the text, newest first."""
    text = (text or "").strip()
    owners = [o for o in owners if may_use_calendar_of(o)]
    if not text or not owners:
        return []
    matching_customers = Customer.select(Customer.id).where(Customer.name.contains(text))
    rows = list(
        Activity.select()
        .where(
            (Activity.kind == CALENDAR) & Activity.owner.in_(owners)
            & (Activity.text.contains(text) | Activity.method.contains(text)
               | Activity.customer_id.in_(matching_customers))
        )
        .order_by(Activity.starts_at.desc())
        .limit(limit)
    )
    ids = {r.customer_id for r in rows if r.customer_id}
    names = {c.id: c.name for c in Customer.select(Customer.id, Customer.name).where(Customer.id.in_(sorted(ids)))} if ids else {}
    return [_entry(r, names) for r in rows]


# -- the form -------------------------------------------------------------------------------

DATE_FI = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")
DATE_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


# The years a typed date may have: MariaDB's DATE and DATETIME hold 1000-9999, and a day or a
# year is added to or taken from a date (a range's end, a year earlier), so one year is kept free
# at the top.
FIRST_YEAR, LAST_YEAR = 1000, 9998


def parse_date(text: str, field_name: str = "date") -> dt.date:
    text = (text or "").strip()
    m = DATE_FI.match(text)
    try:
        if m:
            day = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        else:
            m = DATE_ISO.match(text)
            if not m:
                raise ValidationError(f"{field_name}: write the date as dd.mm.yyyy or yyyy-mm-dd", field_name)
            day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValidationError(f"{field_name}: {text[:40]!r} is not a date", field_name) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(f"{field_name}: the year must be from {FIRST_YEAR} to {LAST_YEAR}", field_name)
    return day


def parse_time(text: str, field_name: str = "time") -> dt.time:
    m = TIME.match(text or "")
    if not m or not (0 <= int(m.group(1)) <= 23 and 0 <= int(m.group(2)) <= 59):
        raise ValidationError(f"{field_name}: write the time as hh:mm", field_name)
    return dt.time(int(m.group(1)), int(m.group(2)))


def _non_negative(text: str, field_name: str) -> str:
    text = (text or "").strip().replace(",", ".")
    if not text:
        return ""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"{field_name}: a number", field_name) from None
    if value < 0 or not value.is_finite():
        raise ValidationError(f"{field_name}: cannot be negative", field_name)
    return format(value.normalize(), "f")


@dataclass
class EntryForm:
    start_date: str = ""
    start_time: str = "08:00"
    end_date: str = ""
    end_time: str = "09:00"
    all_day: bool = False
    type: str = ""
    owner: str = ""
    customer_id: int | None = None
    comment: str = ""
    kilometres: str = ""
    per_diems: str = ""
    done: bool = False


@dataclass(frozen=True)
class CheckedEntry:
    values: dict = field(default_factory=dict)


def check(form: EntryForm, kept_type: str = "") -> dict:
    """The row's values from the form; ValidationError naming the field on bad input. `kept_type`
    is the type an edited entry has: kept even when no longer listed, as Pupesoft's form keeps it."""
    user = db.current().user
    owner = (form.owner or user).strip()
    start_day = parse_date(form.start_date, "start date")
    end_day = parse_date(form.end_date, "end date") if form.end_date.strip() else start_day
    if form.all_day:
        starts = dt.datetime.combine(start_day, dt.time())
        ends = dt.datetime.combine(end_day, DAY_END)
        if end_day < start_day:
            raise ValidationError("the end is before the start", "end date")
    else:
        starts = dt.datetime.combine(start_day, parse_time(form.start_time, "start time"))
        ends = dt.datetime.combine(end_day, parse_time(form.end_time, "end time"))
        if ends < starts:
            raise ValidationError("the end is before the start", "end time" if end_day == start_day else "end date")
        if ends == starts:
            raise ValidationError("the end must be after the start", "end time")
        check_on_grid(starts, ends)
    if not (form.type or "").strip():
        raise ValidationError("choose a type", "type")
    if form.type != kept_type and form.type not in _type_texts():
        raise ValidationError(f"type {form.type!r} does not exist", "type")
    if not any(u.login == owner for u in calendar_users()):
        raise ValidationError(f"{owner!r} is not a calendar user", "owner")
    if not may_use_calendar_of(owner):
        raise AccessDenied(f"you may not write in {owner}'s calendar")
    customer = None
    if form.customer_id:
        customer = Customer.get_or_none(Customer.id == form.customer_id)
        if customer is None:
            raise ValidationError("the customer does not exist", "customer")
    comment = stored_text.check(form.comment or "", "comment", _("Comment"))  # Pupesoft's input rule
    if len(comment.encode("utf-8", "surrogatepass")) > TEXT_MAX:
        raise ValidationError("the comment is too long", "comment")
    return dict(
        kind=CALENDAR, owner=owner, starts_at=starts, ends_at=ends,
        all_day=ALL_DAY if form.all_day else "", method=form.type or "",
        customer_id=customer.id if customer else 0, business_id=customer.business_id if customer else "",
        text=comment, kilometres=_non_negative(form.kilometres, "kilometres"),
        per_diems=_non_negative(form.per_diems, "per diems"), acknowledgement=DONE if form.done else "",
    )


def _may_change(row: Activity) -> bool:
    user = db.current().user
    return user in (row.owner, row.created_by)


def save(form: EntryForm, entry_id: int | None = None) -> int:
    if entry_id is None:
        values = check(form)
        with db.database.atomic():  # Pupesoft's insert names laatija only: luontiaika, muutospvm stay zero
            return int(Activity.insert(**values, created_at=None, modified_by="", modified_at=None).execute())
    row = Activity.get_or_none((Activity.id == entry_id) & (Activity.kind == CALENDAR))
    if row is None:
        raise ValidationError(f"entry {entry_id} not found")
    if not _may_change(row):
        raise AccessDenied("only the entry's owner or creator may change it")
    values = check(form, kept_type=row.method or "")
    with db.database.atomic():
        if not Activity.update(**values).where((Activity.id == entry_id) & (Activity.kind == CALENDAR)).execute():
            raise ValidationError(f"entry {entry_id} not found")
        return entry_id


def load(entry_id: int) -> EntryForm:
    row = Activity.get_or_none((Activity.id == entry_id) & (Activity.kind == CALENDAR))
    if row is None:
        raise ValidationError(f"entry {entry_id} not found")
    e = _entry(row, {})
    return EntryForm(
        start_date=e.starts_at.strftime("%d.%m.%Y"), start_time=e.starts_at.strftime("%H:%M"),
        end_date=e.ends_at.strftime("%d.%m.%Y"), end_time=e.ends_at.strftime("%H:%M"),
        all_day=e.all_day, type=e.type, owner=e.owner, customer_id=e.customer_id or None,
        comment=e.comment, kilometres=e.kilometres, per_diems=e.per_diems, done=e.done,
    )


def may_change(entry_id: int) -> bool:
    row = Activity.get_or_none((Activity.id == entry_id) & (Activity.kind == CALENDAR))
    return bool(row and _may_change(row))


def delete(entry_id: int) -> None:
    """Delete as Pupesoft's calendar does (kalenteri.php tee=POISTA): the row is removed, and the
    files Pupesoft attached to it (liitetiedostot, liitos 'kalenterimerkintä') with it."""
    row = Activity.get_or_none((Activity.id == entry_id) & (Activity.kind == CALENDAR))
    if row is None:
        raise ValidationError(f"entry {entry_id} not found")
    if not _may_change(row):
        raise AccessDenied("only the entry's owner or creator may delete it")
    with db.database.atomic():
        Activity.delete().where((Activity.id == entry_id) & (Activity.kind == CALENDAR)).execute()
        attachments.delete(ATTACHMENT_LINK, entry_id)


# -- customer picker ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CustomerChoice:
    id: int
    name: str
    business_id: str
    customer_no: str
    city: str


def find_customers(text: str, limit: int = 20) -> list[CustomerChoice]:
    """Customers by name, business id or customer number (the list's search)."""
    from pupetui.services import customers

    rows = customers.page(customers.CustomerQuery(text=text), 0, limit)
    return [CustomerChoice(r.id, r.name, r.business_id, r.customer_no, r.city) for r in rows]


# -- iCalendar -----------------------------------------------------------------------------------

def to_ics(entries: Iterable[Entry], *, calendar_name: str = "pupetui") -> bytes:
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//pupetui//Pupesoft CRM//FI")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", calendar_name)
    host = "pupetui." + (db.current().company or "local")
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)  # DTSTAMP is UTC
    for e in entries:
        ev = icalendar.Event()
        ev.add("uid", f"kalenteri-{e.id}@{host}")
        ev.add("dtstamp", stamp)
        if e.all_day:
            ev.add("dtstart", e.starts_at.date())
            ev.add("dtend", e.ends_at.date() + dt.timedelta(days=1))
        else:
            ev.add("dtstart", e.starts_at)
            ev.add("dtend", e.ends_at if e.ends_at > e.starts_at else e.starts_at + dt.timedelta(minutes=30))
        summary = " — ".join(x for x in (e.type, e.customer_name) if x) or (e.comment.splitlines()[0][:60] if e.comment else "Kalenteri")
        ev.add("summary", summary)
        details = [e.comment]
        if e.kilometres:
            details.append(f"km: {e.kilometres}")
        if e.per_diems:
            details.append(f"päivärahat: {e.per_diems}")
        ev.add("description", "\n".join(d for d in details if d))
        if e.type:
            ev.add("categories", [e.type])
        ev.add("status", "CONFIRMED")
        if e.done:
            ev.add("x-pupetui-done", "K")
        cal.add_component(ev)
    return cal.to_ical()


def export_ics(owner: str, start: dt.date, end: dt.date, path) -> int:
    """Write the owner's entries from start to end (inclusive) to an .ics file (see
    services/export_target.py for where it may go); returns the count."""
    if end < start:
        raise ValidationError("the end date is before the start date", "end date")
    if not may_use_calendar_of(owner):
        raise AccessDenied(f"you may not see {owner}'s calendar")
    entries = entries_between([owner], dt.datetime.combine(start, dt.time()),
                              dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
    from pupetui.services import export_target

    try:
        export_target.resolve(path, "ics")  # refused before the entries are read
        data = to_ics(entries, calendar_name=f"{owner} ({db.current().company})")
        export_target.write_bytes(path, "ics", data)
    except export_target.ExportError as exc:
        raise ValidationError(str(exc), "file") from None
    return len(entries)
