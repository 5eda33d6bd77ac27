"""The customer memo (Pupesoft's asiakasmemo): the customer at a glance, and its memo entries.

Entries are `kalenteri` rows written exactly as Pupesoft writes them:
- Memo: kuka = the writer, pvmalku = now, tapa, kentta01 = the text, henkilo = the contact.
- Muistutus (reminder): kuka = who must act, pvmalku = when, pvmloppu = pvmalku + 30 min,
  kuittaus 'K' (awaits acknowledgement) or 'E' (needs none).
- Lead: kuka = the handler, myyntipaallikko = the supervisor, pvmalku = the date, kuittaus 'K'.
- Myyntireskontraviesti: a receivables note.
All carry asiakas = the customer's ytunnus and liitostunnus = its tunnus, pvmloppu = pvmalku +
30 min, laatija and luontiaika (crm/asiakasmemo.php UUSIMEMO; muuttaja/muutospvm only when an
entry is changed). Deleting prefixes tyyppi with 'DELETED '.
Acknowledging writes a Kuittaus row as crm/kuittaamattomat.php does (kuka = who acknowledged,
perheid = the reminder, pvmalku = pvmloppu = now, kentta01 "<name> kuittasi: <text>", no laatija)
and sets the reminder's kuittaus to ''; only the reminder's or lead's kuka (its handler) may.
Pupesoft prints an entry's header (type, kuka, date, method, delete link) only on rows whose
perheid is 0; a child row is bare text under its parent. So a reply pupetui writes is a top-level
row (perheid 0) and keeps the entry it answers in kentta09 (REPLY_TO_COLUMN), a column Pupesoft's
memo neither shows nor copies; pupetui threads by perheid (Pupesoft's own children: e-mailed
copies and acknowledgements) or by that reference.
"Own entries" is Pupesoft's: the rows whose kuka is the user.
"""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from dataclasses import dataclass
from typing import Iterable, NamedTuple

import peewee

from pupetui import db
from pupetui.models import Activity, Contact, Customer, SavedSearch, User, now
from pupetui.models.activity import (
    ACKNOWLEDGED,
    ACKNOWLEDGEMENT,
    AWAITING_ACK,
    CALENDAR,
    DELETED_PREFIX,
    LEAD,
    MEMO,
    NO_ACK_NEEDED,
    RECEIVABLES_NOTE,
    REMINDER,
)
from pupetui.i18n import N_, _
from pupetui.services import attachments, auth, keywords, programs, stored_text
from pupetui.services.auth import AccessDenied

ENTRY_KINDS = (MEMO, REMINDER, LEAD, RECEIVABLES_NOTE)
LISTED_KINDS = ENTRY_KINDS + (ACKNOWLEDGEMENT,)
REMINDER_LENGTH = dt.timedelta(minutes=30)
TEXT_MAX = 60_000  # bytes in UTF-8: kentta01 is TEXT (65,535 bytes in MySQL); keep well inside it


from pupetui.services.validation import ValidationError as MemoError  # noqa: E402  one error type for forms


class NotFound(MemoError):
    pass


# -- the customer at a glance -------------------------------------------------------

@dataclass(frozen=True)
class ContactInfo:
    id: int
    name: str
    title: str
    role: str
    phone: str
    mobile: str
    email: str
    facts: str


@dataclass(frozen=True)
class CustomerHeader:
    id: int
    business_id: str
    customer_no: str
    kind: str
    status: str
    billing_lines: tuple[str, ...]
    delivery_lines: tuple[str, ...]
    facts: str
    phone: str
    mobile: str
    email: str


def _customer(customer_id: int) -> Customer:
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    return customer


def _address(name, extra, street, postcode, city, country) -> tuple[str, ...]:
    lines = [name, extra, street, f"{postcode} {city}".strip()]
    if country and country.upper() != "FI":
        lines.append(country.upper())
    return tuple(line for line in lines if line and line.strip())


def header(customer_id: int) -> CustomerHeader:
    c = _customer(customer_id)
    billing = _address(c.name, c.name_extra, c.address, c.postcode, c.city, c.country)
    delivery = _address(
        c.delivery_name, c.delivery_name_extra, c.delivery_address, c.delivery_postcode,
        c.delivery_city, c.delivery_country,
    )
    return CustomerHeader(
        id=c.id, business_id=c.business_id, customer_no=c.customer_no, kind=c.kind,
        status=c.status, billing_lines=billing, delivery_lines=delivery, facts=c.facts,
        phone=c.phone or c.work_phone, mobile=c.mobile, email=c.email,
    )


def set_status(customer_id: int, status: str) -> None:
    """Change asiakas.tila in place; the status must be an ASIAKASTILA keyword (or empty)."""
    if status and not keywords.exists("ASIAKASTILA", status):
        raise MemoError(f"unknown customer status {status!r}")
    if not Customer.update(status=status).where(Customer.id == customer_id).execute():
        raise NotFound(f"customer {customer_id} not found")


def status_choices() -> list[tuple[str, str]]:
    rows = keywords.company_rows("ASIAKASTILA")
    return [(k.value, f"{k.value} {k.text}".strip()) for k in rows]


# -- contacts -------------------------------------------------------------------------

CONTACT_FIELDS = ("name", "title", "role", "phone", "mobile", "email", "facts")
CONTACT_LABELS = {"name": N_("Name"), "title": N_("Title"), "role": N_("Role"), "phone": N_("Phone"),
                  "mobile": N_("Mobile"), "email": N_("Email"), "facts": N_("Facts")}


def _contact_info(c: Contact) -> ContactInfo:
    return ContactInfo(c.id, c.name, c.title, c.role, c.phone, c.mobile, c.email, c.facts)


def contacts(customer_id: int) -> list[ContactInfo]:
    rows = Contact.select().where((Contact.kind == "A") & (Contact.customer_id == customer_id)).order_by(
        Contact.name, Contact.id
    )
    return [_contact_info(c) for c in rows]


def _validate_contact(values: dict[str, str]) -> dict[str, str]:
    from pupetui.services.validation import check_email, fits

    stored_text.check_email_separators(values.get("email") or "")
    clean = stored_text.check_values({k: (values.get(k) or "").strip() for k in CONTACT_FIELDS},
                                     labels=stored_text.labels(CONTACT_LABELS))
    if not clean["name"]:
        raise MemoError("a contact needs a name")
    for key in CONTACT_FIELDS:
        if key != "facts":
            fits(Contact, key, clean[key])
    if clean["email"]:
        check_email(clean["email"])
    return clean


def may_edit_contacts() -> bool:
    """Pupesoft's memo offers contact editing only with both maintenances' update rights
    (crm/asiakasmemo.php: yllapito.php 'asiakas%' and 'yhteyshenkilo%' with paivitys)."""
    return auth.may_update(programs.CUSTOMER_EDIT) and auth.may_update(programs.CONTACT_EDIT)


def _require_contact_rights() -> None:
    auth.require_update(programs.CUSTOMER_EDIT)
    auth.require_update(programs.CONTACT_EDIT)


def save_contact(customer_id: int, values: dict[str, str], contact_id: int | None = None) -> int:
    _require_contact_rights()
    _customer(customer_id)
    clean = _validate_contact(values)
    with db.database.atomic():
        if contact_id is None:
            return Contact.create(kind="A", customer_id=customer_id, **clean).id
        updated = Contact.update(**clean).where(
            (Contact.id == contact_id) & (Contact.customer_id == customer_id)
        ).execute()
        if not updated:
            raise NotFound(f"contact {contact_id} not found")
        return contact_id


def remove_contact(customer_id: int, contact_id: int) -> None:
    _require_contact_rights()
    deleted = Contact.delete().where((Contact.id == contact_id) & (Contact.customer_id == customer_id)).execute()
    if not deleted:
        raise NotFound(f"contact {contact_id} not found")


# -- discounts and prices ---------------------------------------------------------------

@dataclass(frozen=True)
class PriceRuleRow:
    id: int
    basis: str  # what the rule is keyed by, in precedence order
    product_no: str
    discount_group: str
    value: str  # the discount % or the price
    min_quantity: int
    valid_from: dt.date | None
    valid_to: dt.date | None
    valid: bool
    rank: int


# Pupesoft's precedence, most specific first.
PRECEDENCE = (
    ("customer", "product"),
    ("business_id", "product"),
    ("customer_group", "product"),
    ("district", "product"),
    ("customer", "discount_group"),
    ("business_id", "discount_group"),
    ("customer_group", "discount_group"),
    ("district", "discount_group"),
)
BASIS_TEXT = {
    ("customer", "product"): "customer + product",
    ("business_id", "product"): "business id + product",
    ("customer_group", "product"): "customer group + product",
    ("district", "product"): "district + product",
    ("customer", "discount_group"): "customer + discount group",
    ("business_id", "discount_group"): "business id + discount group",
    ("customer_group", "discount_group"): "customer group + discount group",
    ("district", "discount_group"): "district + discount group",
}


def _rank(rule, customer: Customer) -> int | None:
    if rule.customer_id == customer.id:
        who = "customer"
    elif rule.business_id and rule.business_id == customer.business_id:
        who = "business_id"
    elif rule.customer_group and rule.customer_group == customer.customer_group:
        who = "customer_group"
    elif rule.district and rule.district == customer.district:
        who = "district"
    else:
        return None
    what = "product" if rule.product_no else "discount_group"
    return PRECEDENCE.index((who, what))


def _is_valid(rule, today: dt.date) -> bool:
    return (rule.valid_from is None or rule.valid_from <= today) and (
        rule.valid_to is None or rule.valid_to >= today
    )


def _rules(model, customer_id: int, *, include_invalid: bool, today: dt.date | None,
           value_of) -> list[PriceRuleRow]:
    today = today or dt.date.today()
    customer = _customer(customer_id)
    who = model.customer_id == customer.id
    if customer.business_id:
        who |= model.business_id == customer.business_id
    if customer.customer_group:
        who |= (model.customer_group == customer.customer_group) & (model.customer_id == 0) & (model.business_id == "")
    if customer.district:
        who |= (model.district == customer.district) & (model.customer_id == 0) & (model.business_id == "")
    out = []
    for rule in model.select().where(who):
        rank = _rank(rule, customer)
        if rank is None:
            continue
        valid = _is_valid(rule, today)
        if not valid and not include_invalid:
            continue
        who_what = PRECEDENCE[rank]
        out.append(PriceRuleRow(
            id=rule.id, basis=BASIS_TEXT[who_what], product_no=rule.product_no,
            discount_group=rule.discount_group, value=value_of(rule), min_quantity=rule.min_quantity,
            valid_from=rule.valid_from, valid_to=rule.valid_to, valid=valid, rank=rank,
        ))
    out.sort(key=lambda r: (r.rank, r.product_no or r.discount_group, r.min_quantity, r.id))
    return out


def discounts(customer_id: int, *, include_invalid: bool = False, today: dt.date | None = None) -> list[PriceRuleRow]:
    from pupetui.models import CustomerDiscount

    return _rules(CustomerDiscount, customer_id, include_invalid=include_invalid, today=today,
                  value_of=lambda r: f"{r.percent}")


def prices(customer_id: int, *, include_invalid: bool = False, today: dt.date | None = None) -> list[PriceRuleRow]:
    from pupetui.models import CustomerPrice

    return _rules(CustomerPrice, customer_id, include_invalid=include_invalid, today=today,
                  value_of=lambda r: f"{r.price.normalize():f} {r.currency}".strip())


# -- memo entries -------------------------------------------------------------------------

class Entry(NamedTuple):
    """One memo entry as listed (a tuple: 2,000 of them are made in a fraction of the time a
    frozen dataclass takes, and are as immutable)."""

    id: int
    parent_id: int
    depth: int
    kind: str  # Memo, Muistutus, Lead, Kuittaus, Myyntireskontraviesti (without DELETED)
    deleted: bool
    method: str
    text: str
    owner: str
    supervisor: str
    created_by: str
    created_at: dt.datetime | None
    starts_at: dt.datetime | None
    contact_id: int
    contact_name: str
    acknowledgement: str

    @property
    def awaiting_acknowledgement(self) -> bool:
        return self.kind in (REMINDER, LEAD) and self.acknowledgement == AWAITING_ACK and not self.deleted


_Row = namedtuple("_Row", "id parent_id kind method text owner supervisor created_by created_at starts_at contact_id acknowledgement")

REPLY_TO_COLUMN = "field_09"  # kalenteri.kentta09: the entry a pupetui reply answers


@dataclass(frozen=True)
class EntryFilter:
    own_only: bool = False
    contact_id: int | None = None
    show_deleted: bool = False


_ENTRY_FIELDS = (
    Activity.id, Activity.parent_id, Activity.kind, Activity.method, Activity.text, Activity.owner,
    Activity.supervisor, Activity.created_by, Activity.created_at, Activity.starts_at,
    Activity.contact_id, Activity.acknowledgement, Activity.field_09,
)


def _reply_to(text) -> int:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else 0


def _when(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and value[:4] not in ("", "0000"):  # SQLite's text; the zero date is None
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            pass
    return Activity.created_at.python_value(value)


def _entry_rows(query: peewee.Query) -> list:
    """The rows of `query` (the `_ENTRY_FIELDS`) converted here rather than by peewee, value by
    value: reading a 2,000-entry memo takes a third of the time.  The query is the model's, so
    it is scoped to the session's company all the same."""
    cursor = Activity._meta.database.execute(query)
    return [
        _Row(int(id_), int(parent or 0) or _reply_to(reply_to), kind or "", method or "", text or "", owner or "",
             supervisor or "", created_by or "", _when(created_at), _when(starts_at), int(contact or 0), ack or "")
        for (id_, parent, kind, method, text, owner, supervisor, created_by, created_at, starts_at, contact, ack,
             reply_to) in cursor.fetchall()
    ]


def _entry(a: _Row, depth: int, contact_names: dict[int, str]) -> Entry:
    kind = a.kind
    deleted = kind.startswith(DELETED_PREFIX)
    if deleted:
        kind = kind[len(DELETED_PREFIX):]
    return Entry(a.id, a.parent_id, depth, kind, deleted, a.method, a.text, a.owner, a.supervisor, a.created_by,
                 a.created_at, a.starts_at, a.contact_id, contact_names.get(a.contact_id, ""), a.acknowledgement)


def entries(customer_id: int, flt: EntryFilter = EntryFilter(), *, limit: int = 2000) -> list[Entry]:
    """The customer's memo entries as threads: top-level rows newest first, replies under them.

    Reads only the columns shown, as plain rows (a 2,000-entry memo is a few milliseconds)."""
    user = db.current().user
    kinds = list(LISTED_KINDS)
    if flt.show_deleted:
        kinds += [DELETED_PREFIX + k for k in LISTED_KINDS]
    q = Activity.select(*_ENTRY_FIELDS).where((Activity.customer_id == customer_id) & Activity.kind.in_(kinds))
    if flt.own_only:  # Pupesoft's memo without "all users' entries": kalenteri.kuka = the user
        q = q.where(Activity.owner == user)
    if flt.contact_id:
        q = q.where(Activity.contact_id == flt.contact_id)
    rows = _entry_rows(q.order_by(Activity.id.desc()).limit(limit))
    names = {c.id: c.name for c in Contact.select(Contact.id, Contact.name).where(Contact.customer_id == customer_id)}
    by_parent: dict[int, list] = {}
    ids = {r.id for r in rows}
    top = []
    for r in rows:
        if r.parent_id and r.parent_id in ids:
            by_parent.setdefault(r.parent_id, []).append(r)
        else:
            top.append(r)
    out: list[Entry] = []

    def walk(row, depth: int) -> None:
        out.append(_entry(row, depth, names))
        children = by_parent.get(row.id)
        if children:
            for child in sorted(children, key=lambda a: a.id):
                walk(child, depth + 1)

    for row in top:  # newest thread first
        walk(row, 0)
    return out


def _check_text(text: str, *, required: bool = True) -> str:
    text = stored_text.check((text or "").strip(), "text", _("Text"))  # Pupesoft's input rule
    if required and not text:
        raise MemoError("the text is empty")
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > TEXT_MAX:  # the column holds bytes: 40,000 × "ä" is 80,000 of them
        raise MemoError(f"the text is too long ({size} bytes, at most {TEXT_MAX})")
    return text


def _check_method(method: str) -> str:
    method = (method or "").strip()
    if method and not keywords.text_exists("KALETAPA", method):
        raise MemoError(f"unknown contact method {method!r}")
    return method


def _check_user(login: str, what: str) -> str:
    login = (login or "").strip()
    if not login:
        raise MemoError(f"{what} is missing")
    if not User.select().where((User.login == login) & (User.active != 0)).exists():
        raise MemoError(f"{what}: no active user {login!r}")
    return login


def _check_contact(customer_id: int, contact_id: int | None) -> int:
    if not contact_id:
        return 0
    if not Contact.select().where((Contact.id == contact_id) & (Contact.customer_id == customer_id)).exists():
        raise MemoError(f"contact {contact_id} is not a contact of this customer")
    return int(contact_id)


def method_choices() -> list[str]:
    """KALETAPA as Pupesoft lists it (the company's language, by jarjestys and selite)."""
    return [k.text for k in keywords.company_rows("KALETAPA") if k.text]


@dataclass
class NewEntry:
    kind: str = MEMO
    text: str = ""
    method: str = ""
    contact_id: int | None = None
    owner: str = ""  # reminder: who must act; lead: the handler (default: the writer)
    supervisor: str = ""  # lead
    when: dt.datetime | None = None  # reminder/lead date
    needs_acknowledgement: bool = True  # reminder
    parent_id: int = 0


def add_entry(customer_id: int, new: NewEntry) -> int:
    """Write a memo entry as Pupesoft does; MemoError (nothing written) on bad input."""
    customer = _customer(customer_id)
    if new.kind not in ENTRY_KINDS:
        raise MemoError(f"unknown entry type {new.kind!r}")
    user = db.current().user
    text = _check_text(new.text)
    values = dict(
        kind=new.kind, text=text, method=_check_method(new.method),
        contact_id=_check_contact(customer_id, new.contact_id),
        business_id=customer.business_id, customer_id=customer.id, owner=user,
        modified_by="", modified_at=None,  # Pupesoft's insert sets laatija and luontiaika only
    )
    reply_to = int(new.parent_id or 0)
    stamp = now()
    if new.kind in (MEMO, RECEIVABLES_NOTE):
        values.update(starts_at=stamp, ends_at=stamp + REMINDER_LENGTH)
    elif new.kind == REMINDER:
        when = new.when or stamp
        values.update(
            owner=_check_user(new.owner or user, "who must act"),
            starts_at=when.replace(microsecond=0), ends_at=(when + REMINDER_LENGTH).replace(microsecond=0),
            acknowledgement=AWAITING_ACK if new.needs_acknowledgement else NO_ACK_NEEDED,
        )
    elif new.kind == LEAD:
        when = new.when or stamp
        values.update(
            owner=_check_user(new.owner or user, "the handler"),
            supervisor=_check_user(new.supervisor, "the supervisor") if new.supervisor else "",
            starts_at=when.replace(microsecond=0), ends_at=(when + REMINDER_LENGTH).replace(microsecond=0),
            acknowledgement=AWAITING_ACK,
        )
    if reply_to:
        if not Activity.select().where((Activity.id == reply_to) & (Activity.customer_id == customer_id)).exists():
            raise MemoError("the entry replied to is not on this customer")
        values.update(field_09=str(reply_to))  # perheid stays 0: Pupesoft shows the reply as an entry
    with db.database.atomic():
        return int(Activity.insert(**values).execute())


def latest_own_entry(customer_id: int) -> Entry | None:
    """The newest entry the user wrote on this customer: the one they may edit."""
    user = db.current().user
    rows = _entry_rows(
        Activity.select(*_ENTRY_FIELDS)
        .where((Activity.customer_id == customer_id) & Activity.kind.in_(ENTRY_KINDS) & (Activity.created_by == user))
        .order_by(Activity.id.desc())
        .limit(1)
    )
    return _entry(rows[0], 0, {}) if rows else None


def edit_entry(customer_id: int, entry_id: int, text: str, method: str | None = None) -> None:
    latest = latest_own_entry(customer_id)
    if latest is None or latest.id != entry_id:
        raise AccessDenied("only your latest entry on this customer can be edited")
    changes = {"text": _check_text(text)}
    if method is not None:
        changes["method"] = _check_method(method)
    Activity.update(**changes).where(Activity.id == entry_id).execute()


def delete_entry(customer_id: int, entry_id: int) -> None:
    """Soft delete: tyyppi gets the 'DELETED ' prefix. Only the writer (or owner) may delete."""
    user = db.current().user
    row = Activity.get_or_none((Activity.id == entry_id) & (Activity.customer_id == customer_id))
    if row is None or row.kind.startswith(DELETED_PREFIX):
        raise NotFound(f"entry {entry_id} not found")
    if user not in (row.created_by, row.owner):
        raise AccessDenied("only the writer of an entry may delete it")
    with db.database.atomic():
        Activity.update(kind=DELETED_PREFIX + row.kind).where(Activity.id == entry_id).execute()
        attachments.mark_deleted(row.kind, entry_id)  # asiakasmemo.php POISTAMEMO: liitos 'DELETED <tyyppi>'



def user_display_name(login: str) -> str:
    user = User.get_or_none(User.login == login)
    return (user.name or login) if user else login


def acknowledge(entry_id: int, text: str) -> int:
    """Acknowledge a reminder or lead: a Kuittaus row, and the reminder's kuittaus set to ''."""
    text = _check_text(text)
    row = Activity.get_or_none(Activity.id == entry_id)
    if row is None or row.kind not in (REMINDER, LEAD):
        raise NotFound(f"reminder {entry_id} not found")
    if row.acknowledgement != AWAITING_ACK:
        raise MemoError("this reminder does not wait for an acknowledgement")
    user = db.current().user
    if user != row.owner:  # kuittaamattomat.php offers "Kuittaa" to the row's kuka only
        raise AccessDenied("only the one who handles the reminder may acknowledge it")
    stamp = now()
    with db.database.atomic():
        ack_id = Activity.insert(
            kind=ACKNOWLEDGEMENT, owner=user, business_id=row.business_id, customer_id=row.customer_id,
            contact_id=row.contact_id, method=row.method, parent_id=row.id, starts_at=stamp, ends_at=stamp,
            text=f"{user_display_name(user)} kuittasi: {text}",
            created_by="", created_at=None, modified_by="", modified_at=None,  # Pupesoft writes none of them
        ).execute()
        Activity.update(acknowledgement=ACKNOWLEDGED).where(Activity.id == row.id).execute()
    return int(ack_id)


# -- the customer's calendar entries --------------------------------------------------------

@dataclass(frozen=True)
class CalendarRow:
    id: int
    owner: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    all_day: bool
    method: str
    text: str
    done: bool


def calendar_entries(customer_id: int, limit: int = 500) -> list[CalendarRow]:
    rows = (
        Activity.select()
        .where((Activity.customer_id == customer_id) & (Activity.kind == CALENDAR))
        .order_by(Activity.starts_at.desc(), Activity.id.desc())
        .limit(limit)
    )
    return [
        CalendarRow(a.id, a.owner, a.starts_at, a.ends_at, a.all_day == "x", a.method, a.text or "", a.acknowledgement == "K")
        for a in rows
    ]


# -- remembered choices ---------------------------------------------------------------------

PREFERENCE_SEARCH = "pupetui"


def get_preference(name: str, default: str = "") -> str:
    user = db.current().user
    row = SavedSearch.get_or_none(
        (SavedSearch.owner == user) & (SavedSearch.search == PREFERENCE_SEARCH) & (SavedSearch.variable == name)
    )
    return row.value if row else default


def set_preference(name: str, value: str) -> None:
    user = db.current().user
    with db.database.atomic():
        updated = SavedSearch.update(value=value).where(
            (SavedSearch.owner == user) & (SavedSearch.search == PREFERENCE_SEARCH) & (SavedSearch.variable == name)
        ).execute()
        if not updated:
            SavedSearch.create(owner=user, search=PREFERENCE_SEARCH, name=name, variable=name, value=value)


OWN_ENTRIES_PREFERENCE = "memo.own_only"
