"""Choosing customers for a mailing: the address labels (crm/tarrat.php) and the SMS program.

A selection is the customer list's query (`services.customers.CustomerQuery` and its `build()`:
the company scope, the user's visible districts, deleted customers never, prospects included and
marked) narrowed further by text filters, with an optional NOT and a row limit, and a set of
ticks over the rows it finds. Nothing here is copied from the customer list: the list filters,
the search and the column conditions are the customer list's own.

API (no Textual; the widget `pupetui.widgets.customer_selection.CustomerSelection` shows it):

- `SelectionQuery(customers=CustomerQuery(...), text_filters=(("city", "Tampere"), ...),
  negate=False, limit=1000)`: what is selected. `TEXT_FIELD_IDS` lists the text filter ids (name,
  address, postcode, city, country, department, customer_group, district, flag_1..flag_4); each
  selects the customers whose column contains the text (case-insensitive; the name also looks
  in nimitark and the delivery names, as in the customer list). `limit` is one of `LIMITS`
  (1000, 5000, 10000 or None = no limit), applied in the database in the list's order.
- NOT (`negate=True`) turns every text filter into "does not contain": a customer is selected
  when none of the filled text filters matches it, and a customer whose column is empty or NULL
  counts as not containing the text. The list filters (department, group, district,
  salesperson, status chosen from lists) and the search text are not negated: they keep
  choosing the group of customers in which NOT picks (so "group 3, NOT town Helsinki" is the
  customers of group 3 outside Helsinki). The company, the visible districts and "never the
  deleted" are never negated.
- `page(query, offset, limit)` / `count(query)`: the rows for a list on screen (count is capped
  at the row limit). Rows are `SelectionRow`s: the customer's name, billing and delivery
  addresses, phones, email, language.
- `Ticks`: which rows are ticked, kept as a mode (all ticked / none ticked) plus the set of ids
  that differ from it, so a list of 10,000 rows costs nothing until the user unticks one.
  `toggle(id)`, `tick_all()`, `untick_all()`, `is_ticked(id)`, `count(total)`. Ticks belong to
  one query: start new ticks when the query changes.
- `ticked_rows(query, ticks)`: the ticked rows in the list's order, streamed from one query
  (what the labels print and the SMS sends). `ticked_count(query, ticks)`.
- `contacts(customer_ids)`: the customers' contact persons (yhteyshenkilo tyyppi 'A'), by
  customer id, for "one label per contact" and "SMS to the contacts".
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable, Iterator

import peewee

from pupetui.models import Contact, Customer
from pupetui.models.customer import PROSPECT, delivery_address_complete
from pupetui.services import customers
from pupetui.services.customers import CustomerQuery

LIMITS: tuple[int | None, ...] = (1000, 5000, 10000, None)
DEFAULT_LIMIT = 1000

# The text filters; name, city, department, customer_group and district are the customer list's
# own column conditions, the others select the customers whose column contains the text.
TEXT_FIELD_IDS: tuple[str, ...] = (
    "name", "address", "postcode", "city", "country", "department", "customer_group", "district",
    "flag_1", "flag_2", "flag_3", "flag_4",
)
_OWN_FIELDS = {  # the text filters that are not customer list columns
    "address": Customer.address,
    "postcode": Customer.postcode,
    "country": Customer.country,
    "flag_1": Customer.flag_1,
    "flag_2": Customer.flag_2,
    "flag_3": Customer.flag_3,
    "flag_4": Customer.flag_4,
}


class SelectionError(ValueError):
    """A selection that cannot be run; the message says why, for a person."""


@dataclass(frozen=True)
class SelectionQuery:
    customers: CustomerQuery = field(default_factory=CustomerQuery)
    text_filters: tuple[tuple[str, str], ...] = ()  # (TEXT_FIELD_IDS id, text contained)
    negate: bool = False  # NOT: the text filters select what does not contain their text
    limit: int | None = DEFAULT_LIMIT  # one of LIMITS

    def with_(self, **changes) -> "SelectionQuery":
        return replace(self, **changes)

    def filled_text_filters(self) -> tuple[tuple[str, str], ...]:
        return tuple((f, t.strip()) for f, t in self.text_filters if t and t.strip())


@dataclass(frozen=True)
class SelectionRow:
    id: int
    company: str
    kind: str
    business_id: str
    customer_no: str
    name: str
    name_extra: str
    address: str
    postcode: str
    city: str
    country: str
    delivery_name: str
    delivery_name_extra: str
    delivery_address: str
    delivery_postcode: str
    delivery_city: str
    delivery_country: str
    phone: str
    mobile: str
    email: str
    language: str

    @property
    def is_prospect(self) -> bool:
        return self.kind == PROSPECT

    @property
    def has_delivery_address(self) -> bool:
        return delivery_address_complete(
            self.delivery_name, self.delivery_address, self.delivery_postcode, self.delivery_city)


_ROW_FIELDS = (
    Customer.id, Customer.company, Customer.kind, Customer.business_id, Customer.customer_no,
    Customer.name, Customer.name_extra, Customer.address, Customer.postcode, Customer.city,
    Customer.country, Customer.delivery_name, Customer.delivery_name_extra,
    Customer.delivery_address, Customer.delivery_postcode, Customer.delivery_city,
    Customer.delivery_country, Customer.phone, Customer.mobile, Customer.email, Customer.language,
)
_ATTRS = tuple(f.name for f in _ROW_FIELDS)


def _row(values: tuple) -> SelectionRow:
    return SelectionRow(*("" if v is None and a != "id" else v for a, v in zip(_ATTRS, values)))


def _condition(field_id: str, text: str) -> peewee.Expression:
    if field_id in _OWN_FIELDS:
        return _OWN_FIELDS[field_id].contains(text)
    if field_id in customers.COLUMN_BY_ID:
        return customers.column_condition(field_id, text)
    raise SelectionError(f"unknown text filter {field_id!r}")


def _not(condition: peewee.Expression) -> peewee.Expression:
    """NULL-safe NOT: true where the condition is false *or NULL* (an empty column)."""
    return peewee.Case(None, [(condition, 1)], 0) == 0


def check(query: SelectionQuery) -> None:
    """SelectionError when the query cannot run (an unknown filter, a limit not offered)."""
    if query.customers.whole_group:
        # labels and SMS write memos on the chosen customers: the session's company only
        raise SelectionError("the selection is of the session's own company only, not the whole group")
    if query.limit not in LIMITS:
        raise SelectionError(f"the row limit must be one of 1000, 5000, 10000 or none, not {query.limit!r}")
    for field_id, _text in query.text_filters:
        if field_id not in TEXT_FIELD_IDS:
            raise SelectionError(f"unknown text filter {field_id!r}")


def build(query: SelectionQuery, fields: Iterable[peewee.Field] = _ROW_FIELDS) -> peewee.ModelSelect:
    """The customer list's select (scope, districts, list filters, search, order) narrowed by the
    text filters (negated with NOT); not limited."""
    check(query)
    sel = customers.build(query.customers, fields=tuple(fields))
    for field_id, text in query.filled_text_filters():
        condition = _condition(field_id, text)
        sel = sel.where(_not(condition) if query.negate else condition)
    return sel


def page(query: SelectionQuery, offset: int, limit: int) -> list[SelectionRow]:
    """Rows offset..offset+limit of the selection (never past its row limit)."""
    offset, limit = max(0, offset), max(0, limit)
    if query.limit is not None:
        limit = min(limit, max(0, query.limit - offset))
    if limit == 0:
        return []
    return [_row(r) for r in build(query).offset(offset).limit(limit).tuples()]


def count(query: SelectionQuery) -> int:
    """How many rows the selection finds (at most its row limit)."""
    found = build(query, fields=(Customer.id,)).order_by().count()
    return found if query.limit is None else min(found, query.limit)


def found_more_than_limit(query: SelectionQuery) -> bool:
    """Whether the row limit cut the selection."""
    if query.limit is None:
        return False
    return build(query, fields=(Customer.id,)).order_by().limit(query.limit + 1).count() > query.limit


@dataclass
class Ticks:
    """Which rows of one selection are ticked: every row but `excepted` (all_ticked=True, the
    default: every found row starts ticked), or none but `excepted`."""

    all_ticked: bool = True
    excepted: set[int] = field(default_factory=set)

    def is_ticked(self, customer_id: int) -> bool:
        return (customer_id in self.excepted) != self.all_ticked

    def toggle(self, customer_id: int) -> bool:
        """Flip one row's tick; returns whether it is ticked now."""
        if customer_id in self.excepted:
            self.excepted.discard(customer_id)
        else:
            self.excepted.add(customer_id)
        return self.is_ticked(customer_id)

    def tick_all(self) -> None:
        self.all_ticked = True
        self.excepted.clear()

    def untick_all(self) -> None:
        self.all_ticked = False
        self.excepted.clear()

    def copy(self) -> "Ticks":
        """A snapshot (for a worker: the user may go on ticking)."""
        return Ticks(self.all_ticked, set(self.excepted))

    def count(self, total: int) -> int:
        """Ticked rows of a selection of `total` rows (the ids excepted are among them)."""
        return total - len(self.excepted) if self.all_ticked else len(self.excepted)


def ticked_rows(query: SelectionQuery, ticks: Ticks | None = None) -> Iterator[SelectionRow]:
    """The ticked rows, in the list's order, streamed from one query (the row limit applies to
    the rows found, before the ticks: the same rows the list shows)."""
    ticks = ticks or Ticks()
    if not ticks.all_ticked and not ticks.excepted:
        return
    sel = build(query)
    if query.limit is not None:
        sel = sel.limit(query.limit)
    for values in sel.tuples().iterator():
        if ticks.is_ticked(values[0]):
            yield _row(values)


def ticked_count(query: SelectionQuery, ticks: Ticks | None = None) -> int:
    return (ticks or Ticks()).count(count(query))


@dataclass(frozen=True)
class ContactRow:
    id: int
    customer_id: int
    name: str
    title: str
    email: str
    phone: str
    mobile: str


def contacts(customer_ids: Iterable[int], batch: int = 500) -> dict[int, list[ContactRow]]:
    """The contact persons (tyyppi 'A') of the customers, by customer id, each in name order."""
    ids = list(dict.fromkeys(customer_ids))
    out: dict[int, list[ContactRow]] = {}
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        rows = (
            Contact.select(Contact.id, Contact.customer_id, Contact.name, Contact.title, Contact.email,
                           Contact.phone, Contact.mobile)
            .where((Contact.kind == "A") & Contact.customer_id.in_(chunk))
            .order_by(Contact.customer_id, Contact.name, Contact.id)
            .tuples()
        )
        for values in rows:
            row = ContactRow(*("" if v is None else v for v in values))
            out.setdefault(row.customer_id, []).append(row)
    return out
