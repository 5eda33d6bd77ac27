"""The annual-contract customers report (Pupesoft's Vuosisopimusasiakkaat, title "Ostoseuranta"):
which customers bought more than a threshold in a period, and what they bought, by product
department and group, against the same period a year earlier.

What counts: Pupesoft's raportit/vuosisopimusasiakkaat.php, rule for rule (the line numbers are
of that file):
- A customer qualifies when the sum of `lasku.arvo` (net) of its invoiced sales (tila 'L',
  alatila 'X') with `tapvm` in the period, both days included, is *greater* than the threshold
  (a customer exactly at the threshold is left out; hae_asiakkaat, lines 345-374; the invoice's
  customer must exist, line 341). Deleted customers (laji 'P') are left out: pupetui's own rule
  (Pupesoft's report does not look at laji), so that no report goes to a deleted customer.
- The figures are the sales rows of those same invoices (hae_tilaukset, lines 392-407): `tilausrivi`
  with tyyppi 'L' and the row's `try` >= 0, joined to the product (`tuote`, same company, same
  `tuoteno`) with an inner join: a row whose product has no tuote row is not counted. The
  invoice's `tapvm` decides the period; quantity = `kpl`, sales = `rivihinta` (net), grouped by
  the *product's* department and group (`tuote.osasto`, `tuote.try`), not the row's own copies.
  Departments numbered 10000 or more are left out (line 415).
- "A year earlier": each of the period's two days one year back, as PHP's mktime() makes it
  (lines 90-91): the same day and month, and 29 February becomes 1 March.
- index = sales now / sales a year earlier x 100, in whole numbers rounded half away from zero
  (round(va / ed, 2) * 100 in tulosta_vuosisopimusasiakkaat.inc, line 115); 0 when the earlier
  sales are 0. Rows where all four figures are 0 are left out (line 406).
- The default period is Pupesoft's form's (lines 184-190): from the same day a year ago to today.
- Everything is summed in the database: one statement (built with Peewee, values as parameters)
  finds the customers over the threshold (a derived table grouped by customer) and sums their
  rows by (customer, osasto, try) for both periods at once; it is streamed, and Python only
  turns the sums into `Decimal` and puts the rows in order. The preview's list of customers
  (`qualifying`) is the derived table alone, joined to asiakas.
- Indexes used (pupetui's own schema and Pupesoft's both have them): lasku (yhtio, tila, tapvm)
  for the period, lasku (yhtio, tila, liitostunnus, tapvm) per customer, tilausrivi (yhtio,
  otunnus) for the rows (see bench/bench_report.py for the plan).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Iterator, Sequence

import peewee
from peewee import Case, fn

from pupetui import db
from pupetui.models import Company, CompanyParameters, Customer, Invoice, InvoiceRow, Keyword, Product, User
from pupetui.models.customer import DELETED
from pupetui.services.calendar import parse_date
from pupetui.services.validation import ValidationError

DEFAULT_THRESHOLD = Decimal(10000)
FORMATS = ("pdf", "xlsx")
RECIPIENTS = ("runner", "customer", "salesperson")
CENT = Decimal("0.01")
ZERO = Decimal(0)


# -- the period ------------------------------------------------------------------------------------


def year_earlier(day: dt.date) -> dt.date:
    """The day a year earlier as Pupesoft computes it, mktime(0, 0, 0, m, d, y - 1): the same day
    and month, and 29 February, which the year before has not, becomes 1 March."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return dt.date(day.year - 1, 3, 1)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def year_earlier(self) -> "Period":
        return Period(year_earlier(self.start), year_earlier(self.end))


def last_twelve_months(today: dt.date | None = None) -> Period:
    """The default period, as Pupesoft's form fills it in: from the same day a year ago to today
    (both included)."""
    today = today or dt.date.today()
    return Period(year_earlier(today), today)


# -- the inputs ------------------------------------------------------------------------------------


def parse_threshold(text: str | Decimal | int) -> Decimal:
    """A sum of money: '10000', '10 000', '10000,50', '10,000' or '10,000.50'; not negative."""
    if isinstance(text, (Decimal, int)):
        value = Decimal(text)
    else:
        cleaned = re.sub(r"[\s\u00a0\u202f]", "", str(text or ""))
        if not cleaned:
            raise ValidationError("threshold: give a sum, e.g. 10000", "threshold")
        if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d*)?", cleaned):
            cleaned = cleaned.replace(",", "")  # 10,000 or 10,000.50: commas group thousands
        cleaned = cleaned.replace(",", ".")  # 10000,50: a decimal comma
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise ValidationError(f"threshold: {text!r} is not a number", "threshold") from None
    if not value.is_finite():
        raise ValidationError(f"threshold: {text!r} is not a number", "threshold")
    if value < 0:
        raise ValidationError("threshold: must not be negative", "threshold")
    if value >= Decimal("1e12"):
        raise ValidationError("threshold: too large", "threshold")
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ReportRequest:
    """What the user asked for; `key()` names the run for the send journal: the same period,
    threshold, customer, format and recipients are the same run (the language is not part of
    it, so running again in another language after a failure still sends nobody twice)."""

    period: Period
    threshold: Decimal = DEFAULT_THRESHOLD
    customer_no: str = ""  # asiakasnro; '' = every customer
    fmt: str = "pdf"
    recipient: str = "runner"
    language: str = "fi"

    def key(self) -> str:
        return "|".join((
            self.period.start.isoformat(), self.period.end.isoformat(), str(self.threshold),
            self.customer_no, self.fmt, self.recipient,
        ))


def make_request(start: str = "", end: str = "", threshold: str | Decimal = "", customer_no: str = "",
                 fmt: str = "pdf", recipient: str = "runner", language: str = "fi",
                 today: dt.date | None = None) -> ReportRequest:
    """Checks the form's (or the command line's) texts; ValidationError names the field."""
    default = last_twelve_months(today)
    first = parse_date(start, "start") if str(start or "").strip() else default.start
    last = parse_date(end, "end") if str(end or "").strip() else default.end
    if last < first:
        raise ValidationError("end: the period ends before it starts", "end")
    if first.year < 1901 or last.year > 9998:
        raise ValidationError("start: the year is out of range", "start")
    value = DEFAULT_THRESHOLD if threshold == "" or threshold is None else parse_threshold(threshold)
    if fmt not in FORMATS:
        raise ValidationError(f"format: {fmt!r} is not one of {', '.join(FORMATS)}", "format")
    if recipient not in RECIPIENTS:
        raise ValidationError(f"recipient: {recipient!r} is not one of {', '.join(RECIPIENTS)}", "recipient")
    number = str(customer_no or "").strip()
    if len(number) > 20 or any(ord(c) < 32 for c in number):
        raise ValidationError(f"customer: {number!r} is not a customer number", "customer")
    return ReportRequest(Period(first, last), value.quantize(CENT), number, fmt, recipient,
                         language if language in ("fi", "en") else "fi")


# -- the selection -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QualifyingCustomer:
    id: int  # asiakas.tunnus
    customer_no: str
    business_id: str
    name: str
    name_extra: str
    address: str
    postcode: str
    city: str
    country: str
    email: str
    salesperson_no: int
    invoiced: Decimal  # sum of lasku.arvo in the period


def _is_sales(invoice=Invoice):
    return (invoice.state == "L") & (invoice.substate == "X")


def _in_period(column, period: Period):
    return (column >= period.start) & (column <= period.end)


def _over_threshold(request: ReportRequest, *columns) -> peewee.ModelSelect:
    """lasku grouped by customer, the customers over the threshold (scoped to the company)."""
    query = (
        Invoice.select(Invoice.customer_id, *columns)
        .where(_is_sales() & _in_period(Invoice.invoice_date, request.period))
        .group_by(Invoice.customer_id)
        # in cents, so SQLite (which sums in floating point) compares exactly too
        .having(fn.ROUND(fn.SUM(Invoice.net) * 100) > int(request.threshold * 100))
    )
    if request.customer_no:
        ids = Customer.select(Customer.id).where(Customer.customer_no == request.customer_no)
        query = query.where(Invoice.customer_id.in_(ids))
    return query


def find_customer(customer_no: str) -> list[tuple[int, str]]:
    """(tunnus, name) of the customers with that number (not deleted)."""
    rows = (Customer.select(Customer.id, Customer.name)
            .where((Customer.customer_no == customer_no) & (Customer.kind != DELETED)).tuples())
    return list(rows)


def to_cents(value) -> int:
    """A figure from the database as whole hundredths (cents), rounded half up (SQLite's
    floating-point sums to the nearest cent)."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value * 100
    if isinstance(value, float):
        return round(value * 100)
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return int((value * 100).to_integral_value(rounding=ROUND_HALF_UP))


def to_decimal(value) -> Decimal:
    """A sum from the database as Decimal cents (SQLite gives floats: rounded to the cent)."""
    if value is None:
        return ZERO
    return Decimal(to_cents(value)).scaleb(-2)


def qualifying(request: ReportRequest) -> list[QualifyingCustomer]:
    """The customers over the threshold in the period, biggest first (ValidationError when a
    customer number was given and no customer has it)."""
    if request.customer_no and not find_customer(request.customer_no):
        raise ValidationError(f"customer: no customer has the number {request.customer_no!r}", "customer")
    totals = _over_threshold(request, fn.SUM(Invoice.net).alias("invoiced"))
    totals = totals.alias("t")
    c = Customer
    query = (
        c.select(c.id, c.customer_no, c.business_id, c.name, c.name_extra, c.address, c.postcode, c.city,
                 c.country, c.email, c.salesperson_no, totals.c.invoiced)
        .join(totals, on=(c.id == totals.c.liitostunnus))
        .where(c.kind != DELETED)
        .tuples()
    )
    out = [
        QualifyingCustomer(int(r[0]), r[1] or "", r[2] or "", r[3] or "", r[4] or "", r[5] or "", r[6] or "",
                           r[7] or "", r[8] or "", (r[9] or "").strip(), int(r[10] or 0), to_decimal(r[11]))
        for r in query
    ]
    out.sort(key=lambda q: (-q.invoiced, q.name.lower(), q.id))
    return out


# -- the figures --------------------------------------------------------------------------------------


class Figures:
    """Quantity and sales in the period and a year earlier. Kept as whole hundredths (ints:
    summed exactly, and cheap to make for every row of a large report); read as Decimal with
    two decimals. `Figures.of(Decimal, ...)` makes one from amounts."""

    __slots__ = ("qn", "qb", "sn", "sb")

    def __init__(self, qn: int = 0, qb: int = 0, sn: int = 0, sb: int = 0):  # in hundredths
        self.qn, self.qb, self.sn, self.sb = qn, qb, sn, sb

    @classmethod
    def of(cls, quantity_now=ZERO, quantity_before=ZERO, sales_now=ZERO, sales_before=ZERO) -> "Figures":
        return cls(to_cents(quantity_now), to_cents(quantity_before), to_cents(sales_now), to_cents(sales_before))

    @property
    def quantity_now(self) -> Decimal:
        return Decimal(self.qn).scaleb(-2)

    @property
    def quantity_before(self) -> Decimal:
        return Decimal(self.qb).scaleb(-2)

    @property
    def sales_now(self) -> Decimal:
        return Decimal(self.sn).scaleb(-2)

    @property
    def sales_before(self) -> Decimal:
        return Decimal(self.sb).scaleb(-2)

    @property
    def index(self) -> Decimal:
        if not self.sb:
            return ZERO
        return (Decimal(self.sn) * 100 / Decimal(self.sb)).quantize(Decimal(1), rounding=ROUND_HALF_UP)

    @property
    def is_zero(self) -> bool:
        return not (self.qn or self.qb or self.sn or self.sb)

    def cents(self) -> tuple[int, int, int, int]:
        return self.qn, self.qb, self.sn, self.sb

    def __eq__(self, other) -> bool:
        return isinstance(other, Figures) and self.cents() == other.cents()

    __hash__ = None  # mutable, like the dataclass it replaced

    def __repr__(self) -> str:
        return (f"Figures(quantity_now={self.quantity_now}, quantity_before={self.quantity_before}, "
                f"sales_now={self.sales_now}, sales_before={self.sales_before})")


class Line:
    """A department's or product group's row: its number, its name and its figures (in
    hundredths, as `Figures`)."""

    __slots__ = ("number", "name", "qn", "qb", "sn", "sb")

    def __init__(self, number: int, name: str, qn: int, qb: int, sn: int, sb: int):
        self.number = number  # osasto or try
        self.name = name  # from avainsana ('' when it has none)
        self.qn, self.qb, self.sn, self.sb = qn, qb, sn, sb

    @property
    def figures(self) -> Figures:
        return Figures(self.qn, self.qb, self.sn, self.sb)

    @property
    def label(self) -> str:
        return f"{self.number} {self.name}".strip()

    def __eq__(self, other) -> bool:
        return isinstance(other, Line) and (self.number, self.name, self.figures) == (
            other.number, other.name, other.figures)

    __hash__ = None

    def __repr__(self) -> str:
        return f"Line({self.number!r}, {self.name!r}, {self.figures!r})"


@dataclass(frozen=True)
class DepartmentGroups:
    department: Line
    groups: tuple[Line, ...]


@dataclass(frozen=True)
class CustomerReport:
    customer: QualifyingCustomer
    departments: tuple[Line, ...]  # section 1
    groups: tuple[DepartmentGroups, ...]  # section 2
    total: Figures


@dataclass
class Names:
    """Department (OSASTO) and product group (TRY) names from avainsana."""

    departments: dict[int, str] = field(default_factory=dict)
    groups: dict[int, str] = field(default_factory=dict)


def keyword_names(language: str = "fi") -> Names:
    """avainsana OSASTO/TRY: selite = number, selitetark = name; the language's own row first."""
    names = Names()
    rows = (Keyword.select(Keyword.kind, Keyword.value, Keyword.text, Keyword.language)
            .where(Keyword.kind.in_(["OSASTO", "TRY"])).order_by(Keyword.order, Keyword.id).tuples())
    chosen: dict[tuple[str, int], tuple[bool, str]] = {}
    for kind, value, text, lang in rows:
        try:
            number = int(str(value).strip())
        except ValueError:
            continue
        mine = (lang or "").lower() == language
        key = (kind, number)
        if key not in chosen or (mine and not chosen[key][0]):
            chosen[key] = (mine, (text or "").strip())
    for (kind, number), (_, text) in chosen.items():
        (names.departments if kind == "OSASTO" else names.groups)[number] = text
    return names


BIGGEST_DEPARTMENT = 9999  # Pupesoft reports departments below 10000 (hae_tilaukset, line 415)


def figures_query(request: ReportRequest, customer_ids: Sequence[int] | None = None) -> peewee.ModelSelect:
    """One GROUP BY over the invoiced sales rows of the customers in both periods:
    (customer, invoiced, osasto, try, quantity now, quantity before, sales now, sales before),
    ordered by customer, with osasto and try the product's (tuote). Without `customer_ids` the
    customers are the ones over the threshold, found in the same statement (a derived table
    joined to lasku), with their invoiced sum; with them, invoiced is 0 (the caller has it)."""
    now = request.period
    before = now.year_earlier()
    i, r, p = Invoice, InvoiceRow, Product
    # a row counts when its product has a tuote row (Pupesoft's inner join) in a department
    # Pupesoft reports; the joins are LEFT so that a customer without such rows still comes
    counted = p.id.is_null(False) & (p.department <= BIGGEST_DEPARTMENT)
    is_now = _in_period(i.invoice_date, now) & counted
    is_before = _in_period(i.invoice_date, before) & counted

    def total(column, when):
        return fn.SUM(Case(None, [(when, column)], 0))

    if before.end >= now.start or (now.start - before.end).days <= 1:
        dates = (i.invoice_date >= before.start) & (i.invoice_date <= now.end)
    else:
        dates = _in_period(i.invoice_date, now) | _in_period(i.invoice_date, before)
    # SQLite (without ANALYZE statistics) would otherwise walk tilausrivi by its (yhtio, tyyppi, ...)
    # index for every invoice; so the join takes (yhtio, otunnus)
    sales_row = (_not_indexed(r.kind) == "L") & (r.product_group >= 0)
    sums = (total(r.quantity, is_now), total(r.quantity, is_before),
            total(r.row_total, is_now), total(r.row_total, is_before))
    rows_on = (r.company == i.company) & (r.invoice_id == i.id) & sales_row
    product_on = (p.company == i.company) & (p.product_no == r.product_no)
    where = _is_sales() & dates
    if customer_ids is not None:
        return (
            i.select(i.customer_id, peewee.SQL("0"), p.department, p.product_group, *sums)
            .join(r, peewee.JOIN.LEFT_OUTER, on=rows_on)
            .join(p, peewee.JOIN.LEFT_OUTER, on=product_on)
            .where(where & i.customer_id.in_(list(customer_ids)))
            .group_by(i.customer_id, p.department, p.product_group)
            .order_by(i.customer_id, p.department, p.product_group)
            .tuples()
        )
    over = _over_threshold(request, fn.SUM(Invoice.net).alias("invoiced")).alias("q")
    return (
        i.select(over.c.liitostunnus, over.c.invoiced, p.department, p.product_group, *sums)
        .join(over, on=(i.customer_id == over.c.liitostunnus))
        .switch(i)
        .join(r, peewee.JOIN.LEFT_OUTER, on=rows_on)
        .join(p, peewee.JOIN.LEFT_OUTER, on=product_on)
        .where(where)
        .group_by(over.c.liitostunnus, over.c.invoiced, p.department, p.product_group)
        .order_by(over.c.liitostunnus, over.c.invoiced, p.department, p.product_group)
        .tuples()
    )


def _not_indexed(column):
    """`column` for a comparison the planner must not pick an index for: SQLite's unary +.
    (SQLite without ANALYZE statistics takes any index whose first columns match equalities,
    e.g. (yhtio, tyyppi) for tyyppi = 'L'; MariaDB and PostgreSQL choose by their statistics.)"""
    if isinstance(db.database.obj, peewee.SqliteDatabase):
        return peewee.NodeList((peewee.SQL("+"), column), glue="")
    return column


def _build(customer: QualifyingCustomer, rows: list[tuple], names: Names, floats: bool) -> CustomerReport:
    """The customer's sections from its rows (ordered by osasto, try): zero rows dropped, each
    department summed as its rows go by (whole hundredths: exact)."""
    departments: dict = {}  # osasto -> [its lines, quantity now, before, sales now, before]
    group_names = names.groups
    cents = to_cents
    current = _NO_DEPARTMENT
    lines: list[Line] | None = None
    dqn = dqb = dsn = dsb = 0
    for _cid, _invoiced, dep, grp, qn, qb, sn, sb in rows:
        if floats:  # SQLite sums in floats (or ints): to the nearest cent (the hot path, inlined)
            qn, qb, sn, sb = round(qn * 100), round(qb * 100), round(sn * 100), round(sb * 100)
        else:
            qn, qb, sn, sb = cents(qn), cents(qb), cents(sn), cents(sb)
        if not (qn or qb or sn or sb) or dep is None:
            continue  # all zero (or no product: its sums are zero too), also once rounded to the cent (an invoice without product rows;
            # floating-point sums that cancel out)
        if dep != current:
            if lines is not None:
                _add_department(departments, current, lines, dqn, dqb, dsn, dsb)
            current, lines, dqn, dqb, dsn, dsb = dep, [], 0, 0, 0, 0
        lines.append(Line(grp, group_names.get(grp, ""), qn, qb, sn, sb))
        dqn += qn
        dqb += qb
        dsn += sn
        dsb += sb
    if lines is not None:
        _add_department(departments, current, lines, dqn, dqb, dsn, dsb)
    section_1, section_2 = [], []
    tqn = tqb = tsn = tsb = 0
    for dep in sorted(departments):
        groups, qn, qb, sn, sb = departments[dep]
        line = Line(dep, names.departments.get(dep, ""), qn, qb, sn, sb)
        section_1.append(line)
        section_2.append(DepartmentGroups(line, tuple(groups)))
        tqn += qn
        tqb += qb
        tsn += sn
        tsb += sb
    return CustomerReport(customer, tuple(section_1), tuple(section_2), Figures(tqn, tqb, tsn, tsb))


_NO_DEPARTMENT = object()


def _add_department(departments: dict, dep, lines: list, qn: int, qb: int, sn: int, sb: int) -> None:
    if dep not in departments:
        departments[dep] = [lines, qn, qb, sn, sb]
        return
    known = departments[dep]  # the rows of a department came in two runs (not in osasto order)
    known[0] = sorted(known[0] + lines, key=lambda line: line.number)
    known[1] += qn
    known[2] += qb
    known[3] += sn
    known[4] += sb


def _customers_by_id(ids: Sequence[int], invoiced: dict[int, Decimal]) -> dict[int, QualifyingCustomer]:
    c = Customer
    # by tunnus (the primary key): the company is checked, but not by an index on (yhtio, ...),
    # which SQLite would otherwise walk for the whole company
    rows = (c.select_all_companies(c.id, c.customer_no, c.business_id, c.name, c.name_extra, c.address, c.postcode,
                                   c.city, c.country, c.email, c.salesperson_no)
            .where(c.id.in_(list(ids)) & (_not_indexed(c.company) == db.current().company) & (c.kind != DELETED)))
    rows = db.database.execute(rows)  # the plain rows: every text is made '' below when NULL
    return {
        int(r[0]): QualifyingCustomer(int(r[0]), r[1] or "", r[2] or "", r[3] or "", r[4] or "", r[5] or "",
                                      r[6] or "", r[7] or "", r[8] or "", (r[9] or "").strip(), int(r[10] or 0),
                                      invoiced.get(int(r[0]), ZERO))
        for r in rows
    }


BATCH = 500


def reports(request: ReportRequest, customers: Sequence[QualifyingCustomer] | None = None,
            names: Names | None = None) -> Iterator[CustomerReport]:
    """Each qualifying customer's report, in the order of their tunnus.

    Without `customers`: every customer over the threshold, found and summed in one statement
    (streamed; the customers' names and addresses are read 500 at a time by tunnus). With them:
    those customers' figures (one statement too; by tunnus when they are few, else through the
    threshold again and filtered). Memory holds a batch of customers' rows at a time."""
    names = names or keyword_names(request.language)
    wanted: dict[int, QualifyingCustomer] | None = None
    if customers is not None:
        wanted = {c.id: c for c in customers}
        if not wanted:
            return
    few = wanted is not None and (request.customer_no or len(wanted) <= BATCH)
    query = figures_query(request, sorted(wanted) if few else None)
    batch: dict[int, list[tuple]] = {}
    invoiced: dict[int, Decimal] = {}
    floats = isinstance(db.database.obj, peewee.SqliteDatabase)

    def flush():
        known = wanted if wanted is not None else _customers_by_id(list(batch), invoiced)
        for cid, rows in batch.items():
            customer = known.get(cid)
            if customer is not None:
                yield _build(customer, rows, names, floats)
        batch.clear()
        invoiced.clear()

    current = None
    rows: list[tuple] = []
    for row in db.database.execute(query):
        cid = row[0]
        if cid != current:
            if len(batch) >= BATCH:
                yield from flush()
            current = cid
            rows = batch[cid] = []
            if wanted is None:
                invoiced[cid] = to_decimal(row[1])
            elif cid not in wanted:
                rows = []  # not asked for: collected and dropped
                del batch[cid]
        rows.append(row)
    yield from flush()


# -- who gets the mail ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sender:
    company: str  # yhtio
    company_name: str
    company_address: str
    company_postcode: str
    company_city: str
    company_email: str
    mail_from: str  # yhtion_parametrit.postittaja_email ('' = none)
    runner_login: str
    runner_name: str
    runner_email: str  # kuka.eposti of the logged-in user


def sender() -> Sender:
    session = db.current()
    company = Company.select().first()
    params = CompanyParameters.select(CompanyParameters.mail_sender).first()
    user = User.select(User.name, User.email).where(User.login == session.user).first()
    return Sender(
        session.company, (company.name if company else "") or session.company,
        (company.address if company else "") or "", (company.postcode if company else "") or "",
        (company.city if company else "") or "", ((company.email if company else "") or "").strip(),
        ((params.mail_sender if params else "") or "").strip(), session.user,
        (user.name if user else "") or session.user, ((user.email if user else "") or "").strip(),
    )


def salespeople() -> dict[int, tuple[str, str, str]]:
    """myyja number -> (login, name, eposti) of the company's active users who are salespeople."""
    out: dict[int, tuple[str, str, str]] = {}
    rows = (User.select(User.salesperson_no, User.login, User.name, User.email)
            .where((User.salesperson_no > 0) & (User.active != 0)).order_by(User.id).tuples())
    for number, login, name, email in rows:
        number = int(number or 0)
        if number not in out or (not out[number][2].strip() and (email or "").strip()):
            out[number] = (login or "", name or "", (email or "").strip())
    return out


__all__ = [
    "CustomerReport", "DepartmentGroups", "Figures", "Line", "Names", "Period", "QualifyingCustomer",
    "ReportRequest", "Sender", "figures_query", "keyword_names", "last_twelve_months", "make_request",
    "qualifying", "reports", "salespeople", "sender", "year_earlier",
]
