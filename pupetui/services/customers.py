"""The customer list (Pupesoft's asiakaslista): search, filters, sorting and paging from the database."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable

import peewee

from pupetui import db
from pupetui.models import Company, Customer, Keyword, Permission, User
from pupetui.models.customer import DELETED, PROSPECT
from pupetui.services import search_index
from pupetui.services.programs import CUSTOMERS

DENSE_MATCHES = 20_000  # from this many matches on, the search walks the name index instead


@dataclass(frozen=True)
class ListColumn:
    id: str
    title_key: str
    width: int
    field_name: str


COLUMNS: tuple[ListColumn, ...] = (
    ListColumn("name", "Name", 30, "name"),
    ListColumn("city", "Town", 14, "city"),
    ListColumn("business_id", "Business ID", 11, "business_id"),
    ListColumn("customer_no", "Customer no", 10, "customer_no"),
    ListColumn("phone", "Phone", 15, "phone"),
    ListColumn("email", "Email", 26, "email"),
    ListColumn("department", "Department", 10, "department"),
    ListColumn("customer_group", "Group", 10, "customer_group"),
    ListColumn("district", "District", 10, "district"),
    ListColumn("status", "Status", 10, "status"),
    ListColumn("salesperson_no", "Salesperson", 6, "salesperson_no"),
    ListColumn("company", "Company", 6, "company"),
)
COLUMN_BY_ID = {c.id: c for c in COLUMNS}


@dataclass(frozen=True)
class CustomerQuery:
    text: str = ""
    department: str | None = None  # osasto
    customer_group: str | None = None  # ryhma
    district: str | None = None  # piiri
    salesperson_no: int | None = None  # myyjanro
    status: str | None = None  # tila
    column_filters: tuple[tuple[str, str], ...] = ()  # (column id, text contained)
    sort: str = "name"
    descending: bool = False
    whole_group: bool = False  # all companies of the group where the user has the right

    def with_(self, **changes) -> "CustomerQuery":
        return replace(self, **changes)


@dataclass(frozen=True)
class CustomerRow:
    id: int
    company: str
    kind: str
    name: str
    name_extra: str
    city: str
    business_id: str
    customer_no: str
    phone: str
    email: str
    department: str
    customer_group: str
    district: str
    status: str
    salesperson_no: int

    @property
    def is_prospect(self) -> bool:
        return self.kind == PROSPECT

    def value(self, column_id: str) -> str:
        value = getattr(self, COLUMN_BY_ID[column_id].field_name)
        return "" if value in (None, 0) and column_id == "salesperson_no" else str(value)


_ROW_FIELDS = (
    Customer.id, Customer.company, Customer.kind, Customer.name, Customer.name_extra,
    Customer.city, Customer.business_id, Customer.customer_no, Customer.phone, Customer.mobile,
    Customer.email,
    Customer.department, Customer.customer_group, Customer.district, Customer.status,
    Customer.salesperson_no,
)


def _row(c: Customer) -> CustomerRow:
    return CustomerRow(
        id=c.id, company=c.company, kind=c.kind, name=c.name, name_extra=c.name_extra,
        city=c.city, business_id=c.business_id, customer_no=c.customer_no,
        phone=c.phone or c.mobile, email=c.email,
        department=c.department, customer_group=c.customer_group, district=c.district,
        status=c.status, salesperson_no=c.salesperson_no,
    )


# -- who sees what ---------------------------------------------------------------

def visible_districts(login: str | None = None) -> list[str]:
    """kuka.piirit: the districts the user may see; empty = all."""
    login = login or db.current().user
    user = User.get_or_none(User.login == login)
    return user.district_list if user else []


def group_companies(login: str | None = None) -> list[str]:
    """The companies of the session company's group (konserni) where the user has the list right."""
    session = db.current()
    login = login or session.user
    own = Company.get_or_none(Company.company == session.company)
    if own is None or not own.group.strip():
        return [session.company]
    members = [
        c.company
        for c in Company.select_all_companies(Company.company).where(Company.group == own.group)
    ]
    allowed = {
        p.company
        for p in Permission.select_all_companies(Permission.company).where(
            (Permission.company.in_(members))
            & (Permission.login == login)
            & (Permission.script.endswith(CUSTOMERS.script))
        )
    }
    allowed.add(session.company)
    return sorted(allowed)


# -- the query -----------------------------------------------------------------

class _Plan:
    def __init__(self, database: peewee.Database):
        self.database = database
        self.sqlite = isinstance(database, peewee.SqliteDatabase)
        self.sqlite_fts = self.sqlite and search_index.sqlite_index_present(database)
        self.postgres = isinstance(database, peewee.PostgresqlDatabase)
        self.mysql = isinstance(database, peewee.MySQLDatabase)
        if self.sqlite:
            search_index.register_sqlite_function(database)


def _mysql_text_condition(words: list[str]) -> peewee.Node:
    """Every word starts a word of a searched column: FULLTEXT narrows, REGEXP decides."""
    expr = None
    haystack = peewee.SQL(
        "LOWER(CONCAT_WS(' ', " + ", ".join(f"`t1`.`{c}`" for c in search_index.SEARCHED_COLUMNS) + "))"
    )
    for w in words:
        cond = peewee.Expression(haystack, "REGEXP", peewee.Value(f"(^|[^[:alnum:]]){w}"))
        expr = cond if expr is None else expr & cond
    long_words = [w for w in words if len(w) >= 3]
    if long_words:
        # Pupesoft's FULLTEXT indexes on the names, and the btree indexes of the numbers, narrow
        # the rows first; short words cannot use FULLTEXT (innodb_ft_min_token_size is 3).
        boolean = " ".join(f"{w}*" for w in long_words)
        narrow = None
        for col in ("nimi", "nimitark", "toim_nimi", "toim_nimitark"):
            c = peewee.SQL(f"MATCH(`t1`.`{col}`) AGAINST (%s IN BOOLEAN MODE)", [boolean])
            narrow = c if narrow is None else narrow | c
        for col in (Customer.business_id, Customer.customer_no, Customer.city, Customer.phone,
                    Customer.mobile, Customer.email):
            narrow = narrow | col.contains(long_words[0])
        expr = narrow & expr
    return expr


def _text_condition(text: str, plan: _Plan, dense: bool) -> peewee.Node | None:
    words = search_index.words(text)
    if not words:
        return None
    if plan.sqlite:
        if plan.sqlite_fts and not dense:
            match = search_index.sqlite_match_expression(text)
            return Customer.id.in_(
                peewee.SQL(
                    f"(SELECT rowid FROM {search_index.FTS_TABLE} WHERE {search_index.FTS_TABLE} MATCH ?)",
                    [match],
                )
            )
        return search_index.sqlite_match_call(text)
    if plan.mysql:
        return _mysql_text_condition(words)
    haystack = peewee.SQL(search_index.pg_search_expression("t1"))
    expr = None
    for w in words:
        cond = peewee.Expression(haystack, "~", peewee.Value(search_index.pg_word_pattern(w)))
        expr = cond if expr is None else expr & cond
    return expr


def build(query: CustomerQuery, *, fields: Iterable[peewee.Field] = _ROW_FIELDS,
          dense: bool = False) -> peewee.ModelSelect:
    """The select for a customer list query: scoped, filtered and sorted (not paged).

    On SQLite with the FTS index a search text takes one of two plans: few matches are
    looked up through the index by rowid (the table NOT INDEXED so the planner cannot walk
    a whole index instead); many matches (`dense`) walk the name index and test each row
    with the same word rule, stopping at the page's end.
    """
    plan = _Plan(db.database.obj)
    if query.whole_group:
        sel = Customer.select_all_companies(*fields).where(Customer.company.in_(group_companies()))
    else:
        sel = Customer.select(*fields)
    if plan.sqlite_fts and search_index.words(query.text) and not dense:
        sel = sel.from_(peewee.SQL('"asiakas" AS "t1" NOT INDEXED'))
    sel = sel.where(Customer.kind != DELETED)
    districts = visible_districts()
    if districts:
        sel = sel.where(Customer.district.in_(districts))
    for attr, value in (
        ("department", query.department), ("customer_group", query.customer_group),
        ("district", query.district), ("status", query.status),
    ):
        if value is not None:
            sel = sel.where(getattr(Customer, attr) == value)
    if query.salesperson_no is not None:
        sel = sel.where(Customer.salesperson_no == query.salesperson_no)
    for column_id, text in query.column_filters:
        if text and column_id in COLUMN_BY_ID:
            field = getattr(Customer, COLUMN_BY_ID[column_id].field_name)
            if column_id == "name":
                sel = sel.where(
                    field.contains(text) | Customer.name_extra.contains(text)
                    | Customer.delivery_name.contains(text) | Customer.delivery_name_extra.contains(text)
                )
            elif column_id == "salesperson_no":
                sel = sel.where(peewee.Cast(field, "CHAR" if plan.mysql else "TEXT").contains(text))
            else:
                sel = sel.where(field.contains(text))
    cond = _text_condition(query.text, plan, dense)
    if cond is not None:
        sel = sel.where(cond)
    column = COLUMN_BY_ID.get(query.sort, COLUMN_BY_ID["name"])
    order = getattr(Customer, column.field_name)
    sel = sel.order_by(order.desc() if query.descending else order.asc(),
                       Customer.id.desc() if query.descending else Customer.id.asc())
    return sel


def _dense(query: CustomerQuery) -> bool:
    """Whether the text matches so many customers that walking the name order is faster."""
    database = db.database.obj
    if query.sort != "name" or query.descending or not isinstance(database, peewee.SqliteDatabase):
        return False
    if not search_index.words(query.text) or not search_index.sqlite_index_present(database):
        return False
    return search_index.sqlite_match_count(database, query.text, DENSE_MATCHES) >= DENSE_MATCHES


def page(query: CustomerQuery, offset: int, limit: int) -> list[CustomerRow]:
    """Rows offset..offset+limit of the list, fetched by the database (never the whole list)."""
    sel = build(query, dense=_dense(query)).offset(max(0, offset)).limit(max(0, limit))
    return [_row(c) for c in sel]


def count(query: CustomerQuery) -> int:
    return build(query, fields=(Customer.id,)).order_by().count()


def all_rows(query: CustomerQuery, batch: int = 2000) -> Iterable[CustomerRow]:
    """Every row the filters select, streamed in batches (for the Excel export)."""
    offset = 0
    while True:
        rows = page(query, offset, batch)
        yield from rows
        if len(rows) < batch:
            return
        offset += batch


# -- filter choices ----------------------------------------------------------------

@dataclass(frozen=True)
class Choice:
    value: str
    label: str


KEYWORD_KINDS = {
    "department": "ASIAKASOSASTO",
    "customer_group": "ASIAKASRYHMA",
    "district": "PIIRI",
    "status": "ASIAKASTILA",
}


def keyword_choices(kind: str) -> list[Choice]:
    rows = Keyword.select(Keyword.value, Keyword.text).where(Keyword.kind == kind).order_by(
        Keyword.order, Keyword.value
    )
    return [Choice(r.value, f"{r.value} {r.text}".strip() if r.text else r.value) for r in rows]


def filter_choices() -> dict[str, list[Choice]]:
    out = {name: keyword_choices(kind) for name, kind in KEYWORD_KINDS.items()}
    districts = visible_districts()
    if districts:
        out["district"] = [c for c in out["district"] if c.value in districts]
    sellers = User.select(User.salesperson_no, User.name).where(User.salesperson_no > 0).order_by(User.name)
    out["salesperson_no"] = [Choice(str(u.salesperson_no), f"{u.salesperson_no} {u.name}") for u in sellers]
    return out


# -- Excel ---------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    ("Name", "name"), ("Name extension", "name_extra"), ("Business ID", "business_id"),
    ("Customer no", "customer_no"), ("Town", "city"), ("Phone", "phone"), ("Email", "email"),
    ("Department", "department"), ("Group", "customer_group"), ("District", "district"),
    ("Status", "status"), ("Salesperson", "salesperson_no"), ("Prospect", "is_prospect"),
    ("Company", "company"),
)


def export_xlsx(query: CustomerQuery, path, titles=None):
    """Every customer the filters select (not only the rows on screen) to an Excel file."""
    from pupetui.services.export import write_xlsx

    headers = [titles(t) if titles else t for t, _ in EXPORT_COLUMNS]
    rows = ([getattr(r, attr) for _, attr in EXPORT_COLUMNS] for r in all_rows(query))
    return write_xlsx(path, headers, rows, sheet="asiakkaat", widths=[30, 20, 12, 10, 16, 16, 28, 8, 8, 8, 8, 8, 8, 8])
