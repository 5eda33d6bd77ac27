"""Customer editing (Pupesoft's yllapito.php?toim=asiakas): the form's data, its checks, and saving."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields

import peewee

from pupetui import db
from pupetui.models import Company, CompanyParameters, Customer, User
from pupetui.models.customer import COMPANY, PRIVATE_PERSON, PROSPECT
from pupetui.services import auth, business_id, stored_text
from pupetui.services.programs import CUSTOMER_EDIT
from pupetui.services.validation import ValidationError, check_country, check_email, check_no_control, fits

KINDS = (COMPANY, PRIVATE_PERSON, PROSPECT)
KEYWORD_FIELDS = {
    "department": "ASIAKASOSASTO",
    "customer_group": "ASIAKASRYHMA",
    "district": "PIIRI",
    "status": "ASIAKASTILA",
}


@dataclass
class CustomerForm:
    kind: str = COMPANY
    name: str = ""
    name_extra: str = ""
    business_id: str = ""
    customer_no: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "FI"
    email: str = ""
    phone: str = ""
    mobile: str = ""
    work_phone: str = ""
    fax: str = ""
    delivery_name: str = ""
    delivery_name_extra: str = ""
    delivery_address: str = ""
    delivery_postcode: str = ""
    delivery_city: str = ""
    delivery_country: str = ""
    department: str = ""
    customer_group: str = ""
    district: str = ""
    status: str = ""
    salesperson_no: str = ""
    language: str = ""
    facts: str = ""
    currency: str = ""  # valkoodi: Pupesoft's maintenance requires one

    def values(self) -> dict[str, str]:
        return asdict(self)


FORM_FIELDS = tuple(f.name for f in fields(CustomerForm))


@dataclass(frozen=True)
class CheckResult:
    errors: tuple[ValidationError, ...]
    warnings: tuple[str, ...]
    # fields that will be stored otherwise than typed, as Pupesoft stores them (the business ID
    # of a Finnish customer): {field: stored value}
    stored: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def may_edit() -> bool:
    """May save customers: the right to Pupesoft's customer maintenance with its update flag."""
    return auth.may_update(CUSTOMER_EDIT)


def may_view() -> bool:
    """May open customers in the form, perhaps read-only (the right without the update flag)."""
    return auth.may_use(CUSTOMER_EDIT)


def _parameters() -> CompanyParameters | None:
    return CompanyParameters.select().first()


def next_customer_no() -> str:
    """The number Pupesoft's customer maintenance gives a customer without one, or '' when the
    company does not number them (inc/asiakasrivi.inc): the largest number from the company's
    starting point on, plus one; the starting point itself when no customer has one yet."""
    params = _parameters()
    if params is None or not (params.automatic_customer_no or "").strip():
        return ""
    start = int(params.customer_no_start or 0)
    if db.is_postgres():  # no MySQL-style 'text + 0' there
        numbers = [int(m.group(1)) for (no,) in Customer.select(Customer.customer_no).tuples()
                   if (m := re.match(r"\s*(\d+)", no or ""))]
        highest = max((n for n in numbers if n >= start), default=None)
    else:  # asiakasnro+0 as Pupesoft reads it: the whole number a text starts with (else 0)
        number = Customer.customer_no.cast("SIGNED" if db.is_mysql() else "INTEGER")
        highest = Customer.select(peewee.fn.MAX(number).coerce(False)).where(number >= start).scalar()
    return str(start if highest in (None, "") else int(highest) + 1)


def company_currency() -> str:
    company = Company.select(Company.currency).first()
    return (company.currency or "").strip().upper() if company else ""


def company_currencies() -> list[str] | None:
    """The currencies Pupesoft's customer maintenance offers (the company's valuu rows), or None
    on a database without Pupesoft's valuu table (pupetui's own)."""
    if not db.database.table_exists("valuu"):
        return None
    valuu = peewee.Table("valuu", ("yhtio", "nimi", "jarjestys")).bind(db.database)
    rows = valuu.select(valuu.nimi).where(valuu.yhtio == db.current().company).order_by(valuu.jarjestys)
    return [(name or "").strip().upper() for (name,) in rows.tuples()]


def new_form() -> CustomerForm:
    """An empty form as Pupesoft's maintenance starts one: the company's currency, the next number."""
    return CustomerForm(currency=company_currency(), customer_no=next_customer_no())


def load(customer_id: int) -> CustomerForm:
    c = Customer.get_or_none(Customer.id == customer_id)
    if c is None:
        raise ValidationError(f"customer {customer_id} not found")
    form = CustomerForm()
    for name in FORM_FIELDS:
        value = getattr(c, name)
        setattr(form, name, "" if value in (None, 0) and name == "salesperson_no" else str(value or ""))
    return form


def load_for_editing(customer_id: int) -> CustomerForm:
    """The stored customer as Pupesoft's maintenance shows it: a missing number filled in (and
    a missing currency, which Pupesoft requires, as the company's), to be seen before saving."""
    form = load(customer_id)
    if not form.customer_no.strip():
        form.customer_no = next_customer_no()
    if not form.currency.strip():
        form.currency = company_currency()
    return form


def _keyword_exists(kind: str, value: str) -> bool:
    from pupetui.services import keywords  # noqa: PLC0415

    return keywords.exists(kind, value)  # a keyword Pupesoft lists: in the company's language


def check(form: CustomerForm, customer_id: int | None = None) -> CheckResult:
    """Every problem of the form at once: errors stop saving, warnings ask for a second look."""
    errors: list[ValidationError] = []
    warnings: list[str] = []

    def guard(fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValidationError as exc:
            errors.append(exc)
            return None

    values = {k: (v or "").strip() if k != "facts" else (v or "") for k, v in form.values().items()}
    guard(stored_text.check_email_separators, values["email"], "email")
    for name in FORM_FIELDS:  # checked as Pupesoft's input rule will store them
        kept = guard(stored_text.check, values[name], name)
        values[name] = values[name] if kept is None else kept
    if not values["name"]:
        errors.append(ValidationError("name: a customer needs a name", "name"))
    if values["kind"] not in KINDS:
        errors.append(ValidationError(f"kind: {values['kind']!r} is not a customer kind", "kind"))
    for name in FORM_FIELDS:
        if name in ("salesperson_no", "kind"):
            continue
        guard(fits, Customer, name, values[name])
        guard(check_no_control, values[name], name, multiline=(name == "facts"))
    if values["email"]:
        guard(check_email, values["email"], "email")
    for name in ("country", "delivery_country"):
        if values[name]:
            guard(check_country, values[name], name)
    if not values["currency"]:
        errors.append(ValidationError("currency: a customer needs a currency", "currency"))
    elif not re.fullmatch(r"[A-Za-z]{3}", values["currency"]):
        errors.append(ValidationError(f"currency: a three-letter code such as EUR, not {values['currency']!r}", "currency"))
    else:
        currencies = company_currencies()
        if currencies and values["currency"].upper() not in currencies:
            errors.append(ValidationError(
                f"currency: {values['currency']!r} is not one of the company's currencies ({', '.join(currencies)})",
                "currency"))
    if values["language"] and len(values["language"]) != 2:
        errors.append(ValidationError("language: a two-letter code such as fi", "language"))
    stored = load(customer_id).values() if customer_id is not None else {}
    for name, kind in KEYWORD_FIELDS.items():
        unchanged = stored.get(name) == values[name]  # old data may hold values no keyword has
        if values[name] and not unchanged and not _keyword_exists(kind, values[name]):
            errors.append(ValidationError(f"{name}: {values[name]!r} is not in the keywords ({kind})", name))
    if values["salesperson_no"]:
        if not values["salesperson_no"].isdigit():
            errors.append(ValidationError("salesperson: a number", "salesperson_no"))
        elif not User.select().where(User.salesperson_no == int(values["salesperson_no"])).exists():
            errors.append(ValidationError(f"salesperson: no user has number {values['salesperson_no']}", "salesperson_no"))
    stored_values: dict[str, str] = {}
    params = _parameters()
    if not values["business_id"]:
        errors.append(ValidationError("business_id: a customer needs a business ID", "business_id"))
    elif business_id.is_checked(values["country"], values["kind"], params.business_id_checks if params else ""):
        if not business_id.is_valid(values["business_id"]):
            errors.append(ValidationError(
                f"business_id: {values['business_id']!r} is not a valid Finnish business ID", "business_id"))
        elif business_id.pupesoft_form(values["business_id"]) != values["business_id"]:
            stored_values["business_id"] = business_id.pupesoft_form(values["business_id"])
    if values["business_id"] and not any(e.field == "business_id" for e in errors):
        _check_same_business_id(stored_values.get("business_id", values["business_id"]), values,
                                customer_id, params, errors, warnings)
    return CheckResult(tuple(errors), tuple(warnings), stored_values)


def _check_same_business_id(ytunnus: str, values: dict[str, str], customer_id: int | None,
                            params: CompanyParameters | None, errors: list, warnings: list) -> None:
    """Pupesoft refuses a second customer that its company's setting cannot tell apart
    (yhtion_parametrit.asiakkaan_tarkenne, inc/asiakastarkista.inc): 'B' one customer per
    business ID, 'A' per business ID and customer number, '' (the default) per business ID and
    EDI codes (ovttunnus, toim_ovttunnus). Any other customer of the ID is a warning."""
    same = Customer.select(Customer.id, Customer.name, Customer.kind, Customer.customer_no, Customer.edi_id,
                           Customer.delivery_edi_id).where(Customer.business_id == ytunnus)
    if customer_id is not None:
        same = same.where(Customer.id != customer_id)
    others = list(same.limit(50))
    if not others:
        return
    key = (params.customer_key if params else "").strip().upper()
    own = Customer.get_or_none(Customer.id == customer_id) if customer_id is not None else None
    edi = ((own.edi_id or "") if own else "", (own.delivery_edi_id or "") if own else "")
    if key == "B":
        clash = others
    elif key == "A":
        clash = [c for c in others if (c.customer_no or "").strip().lower() == values["customer_no"].lower()]
    else:
        clash = [c for c in others if ((c.edi_id or "").strip().lower(), (c.delivery_edi_id or "").strip().lower())
                 == (edi[0].strip().lower(), edi[1].strip().lower())]
    if clash:
        where = "customer_no" if key == "A" else "business_id"
        names = ", ".join(c.name for c in clash[:3])
        errors.append(ValidationError(f"business id {ytunnus} is Pupesoft's key of another customer: {names}", where))
        return
    names = [c.name for c in others if c.kind != "P"][:3]
    if names:
        warnings.append(f"business id {ytunnus} is also used by: {', '.join(names)}")


def save(form: CustomerForm, customer_id: int | None = None) -> int:
    """Save in one transaction; ValidationError (nothing written) when the form has errors."""
    auth.require_update(CUSTOMER_EDIT)
    result = check(form, customer_id)
    if result.errors:
        raise result.errors[0]
    values = {k: (v or "").strip() if k != "facts" else (v or "") for k, v in form.values().items()}
    values.update(result.stored)
    values["currency"] = values["currency"].upper()
    if not values["customer_no"]:
        values["customer_no"] = next_customer_no()
    values["country"] = values["country"].upper()
    values["delivery_country"] = values["delivery_country"].upper()
    values["salesperson_no"] = int(values["salesperson_no"] or 0)
    with db.database.atomic():
        if customer_id is None:
            return Customer.create(**values).id
        if not Customer.update(**values).where(Customer.id == customer_id).execute():
            raise ValidationError(f"customer {customer_id} not found")
        return customer_id
