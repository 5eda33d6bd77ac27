"""Customer editing (Pupesoft's yllapito.php?toim=asiakas): the form's data, its checks, and saving."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from pupetui import db
from pupetui.models import Customer, User
from pupetui.models.customer import COMPANY, PRIVATE_PERSON, PROSPECT
from pupetui.services import auth, stored_text
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

    def values(self) -> dict[str, str]:
        return asdict(self)


FORM_FIELDS = tuple(f.name for f in fields(CustomerForm))


@dataclass(frozen=True)
class CheckResult:
    errors: tuple[ValidationError, ...]
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def may_edit() -> bool:
    return auth.may_use(CUSTOMER_EDIT)


def load(customer_id: int) -> CustomerForm:
    c = Customer.get_or_none(Customer.id == customer_id)
    if c is None:
        raise ValidationError(f"customer {customer_id} not found")
    form = CustomerForm()
    for name in FORM_FIELDS:
        value = getattr(c, name)
        setattr(form, name, "" if value in (None, 0) and name == "salesperson_no" else str(value or ""))
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
    if values["business_id"]:
        same = Customer.select(Customer.id, Customer.name).where(
            (Customer.business_id == values["business_id"]) & (Customer.kind != "P")
        )
        if customer_id is not None:
            same = same.where(Customer.id != customer_id)
        others = [c.name for c in same.limit(3)]
        if others:
            warnings.append(f"business id {values['business_id']} is also used by: {', '.join(others)}")
    return CheckResult(tuple(errors), tuple(warnings))


def save(form: CustomerForm, customer_id: int | None = None) -> int:
    """Save in one transaction; ValidationError (nothing written) when the form has errors."""
    auth.require(CUSTOMER_EDIT)
    result = check(form, customer_id)
    if result.errors:
        raise result.errors[0]
    values = {k: (v or "").strip() if k != "facts" else (v or "") for k, v in form.values().items()}
    values["country"] = values["country"].upper()
    values["delivery_country"] = values["delivery_country"].upper()
    values["salesperson_no"] = int(values["salesperson_no"] or 0)
    with db.database.atomic():
        if customer_id is None:
            return Customer.create(**values).id
        if not Customer.update(**values).where(Customer.id == customer_id).execute():
            raise ValidationError(f"customer {customer_id} not found")
        return customer_id
