"""The customer list (Pupesoft's asiakaslista): search, filters, sorting and paging from the database."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable

import peewee
from peewee import fn

from pupetui import db
from pupetui.models import Company, Customer, Permission, User
from pupetui.models.customer import DELETED, PROSPECT
from pupetui.services import search_index
from pupetui.services.programs import CUSTOMERS



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


MAX_SEARCH = 1000  # characters of a search: the words become regular expressions the server compiles
INT32 = (-2**31, 2**31 - 1)  # asiakas.myyjanro is an int(11)


@dataclass(frozen=True)
class CustomerQuery:
    """What the list shows. A search text longer than MAX_SEARCH is cut there (the inputs take no
    more; a 130,000-character one made MariaDB and PostgreSQL refuse the regular expression), and
    a salesperson number outside the column's range matches nobody (rather than a driver error)."""

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

    def __post_init__(self):
        if len(self.text or "") > MAX_SEARCH:
            object.__setattr__(self, "text", self.text[:MAX_SEARCH])

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


def shown_town() -> peewee.Node:
    """The town Pupesoft's customer list shows and filters on: the delivery town (toim_postitp)
    when it has one, else the town (crm/asiakaslista.php: its column list and its select both
    read `if (asiakas.toim_postitp != '', asiakas.toim_postitp, asiakas.postitp)`). A delivery
    town of spaces counts as none, as MariaDB compares it (trailing spaces are not significant)."""
    has_delivery_town = fn.TRIM(fn.COALESCE(Customer.delivery_city, "")) != ""
    return peewee.Case(None, [(has_delivery_town, Customer.delivery_city)], Customer.city)


_ROW_FIELDS = (
    Customer.id, Customer.company, Customer.kind, Customer.name, Customer.name_extra,
    Customer.city, Customer.delivery_city, Customer.business_id, Customer.customer_no, Customer.phone, Customer.mobile,
    Customer.email,
    Customer.department, Customer.customer_group, Customer.district, Customer.status,
    Customer.salesperson_no,
)


def _row(c: Customer) -> CustomerRow:
    return CustomerRow(
        id=c.id, company=c.company, kind=c.kind, name=c.name, name_extra=c.name_extra,
        city=c.delivery_city if (c.delivery_city or "").strip() else c.city,  # as shown_town()
        business_id=c.business_id, customer_no=c.customer_no,
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


def _text_condition(text: str, plan: _Plan) -> peewee.Node | None:
    words = search_index.words(text)
    if not words:
        return None
    if plan.sqlite:
        if plan.sqlite_fts:
            match = search_index.sqlite_match_expression(text)
            return Customer.id.in_(
                peewee.SQL(
                    f"(SELECT rowid & {search_index.TUNNUS_MASK} FROM {search_index.FTS_TABLE} "
                    f"WHERE {search_index.FTS_TABLE} MATCH ?)",
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


def column_condition(column_id: str, text: str) -> peewee.Expression:
    """A list column contains `text` (the name also in nimitark and the delivery names).

    Shared with the label and SMS selection (services/selection.py), which also negates it.
    """
    field = getattr(Customer, COLUMN_BY_ID[column_id].field_name)
    if column_id == "name":
        return (
            field.contains(text) | Customer.name_extra.contains(text)
            | Customer.delivery_name.contains(text) | Customer.delivery_name_extra.contains(text)
        )
    if column_id == "salesperson_no":
        mysql = isinstance(db.database.obj, peewee.MySQLDatabase)
        return peewee.Cast(field, "CHAR" if mysql else "TEXT").contains(text)
    return field.contains(text)


def list_column_condition(column_id: str, text: str) -> peewee.Expression:
    """A customer list column contains `text`: as column_condition, but the town is the one the
    list shows (delivery town first), as Pupesoft's list filters its town column
    (crm/asiakaslista.php: `haku[i]` searches the i-th entry of its column list with LIKE
    '%text%'). The address labels keep column_condition: crm/tarrat.php filters asiakas.postitp."""
    if column_id == "city":
        return shown_town().contains(text)
    return column_condition(column_id, text)


def build(query: CustomerQuery, *, fields: Iterable[peewee.Field] = _ROW_FIELDS,
          with_text: bool = True) -> peewee.ModelSelect:
    """The select for a customer list query: scoped, filtered and sorted (not paged).

    On SQLite with the FTS index, matches are looked up through the index by rowid (the table
    NOT INDEXED so that the planner cannot walk a whole index instead). page() does better for
    the usual name order: see _name_order_page().
    """
    plan = _Plan(db.database.obj)
    if query.whole_group:
        sel = Customer.select_all_companies(*fields).where(Customer.company.in_(group_companies()))
    else:
        sel = Customer.select(*fields)
    if with_text and plan.sqlite_fts and search_index.words(query.text):
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
        if INT32[0] <= query.salesperson_no <= INT32[1]:
            sel = sel.where(Customer.salesperson_no == query.salesperson_no)
        else:  # no int(11) holds it
            sel = sel.where(peewee.SQL("1 = 0"))
    for column_id, text in query.column_filters:
        if text and column_id in COLUMN_BY_ID:
            sel = sel.where(list_column_condition(column_id, text))
    cond = _text_condition(query.text, plan) if with_text else None
    if cond is not None:
        sel = sel.where(cond)
    column = COLUMN_BY_ID.get(query.sort, COLUMN_BY_ID["name"])
    order = shown_town() if column.id == "city" else getattr(Customer, column.field_name)
    sel = sel.order_by(order.desc() if query.descending else order.asc(),
                       Customer.id.desc() if query.descending else Customer.id.asc())
    return sel


def _name_order_page(query: CustomerQuery, offset: int, limit: int) -> list[CustomerRow] | None:
    """SQLite with the FTS index, sorted by name: walk the matches in FTS rowid order, which is
    name order by the first four characters (search_index), joining each to its row and its
    filters, and stop once the page is full and its last four-character bucket is complete;
    then sort just those rows by (name, tunnus). None where this does not apply."""
    database = db.database.obj
    if query.sort != "name" or not isinstance(database, peewee.SqliteDatabase):
        return None
    match = search_index.sqlite_match_expression(query.text)
    if match is None or not search_index.sqlite_index_present(database):
        return None
    direction = "DESC" if query.descending else "ASC"
    fts = search_index.FTS_TABLE
    # The FTS table drives the join (CROSS JOIN keeps it outside) and its rowid order is the
    # query's order, which FTS5 gives as it reads: no sorting, and the walk can stop early.
    source = peewee.SQL(
        f'{fts} CROSS JOIN "asiakas" AS "t1" ON "t1"."tunnus" = ({fts}.rowid & {search_index.TUNNUS_MASK})'
    )
    key = peewee.SQL(f"({fts}.rowid >> {search_index.TUNNUS_BITS})")
    sel = build(query, fields=_ROW_FIELDS + (key.alias("name_key"),), with_text=False)
    sel = sel.from_(source).where(peewee.SQL(f"{fts} MATCH ?", [match])).order_by(peewee.SQL(f"{fts}.rowid {direction}"))
    need = offset + limit
    done: list[Customer] = []  # rows of complete buckets (and of a walked bucket)
    bucket: list[Customer] = []
    skip_key = None
    for c in sel.objects().iterator():
        if c.name_key == skip_key:
            continue
        if bucket and c.name_key != bucket[0].name_key:
            done.extend(bucket)
            bucket = []
            if len(done) >= need:
                break
        bucket.append(c)
        if len(bucket) > BUCKET_WALK_FROM and len(done) + len(bucket) >= need:
            # a big bucket (many names starting alike, e.g. "Tmi "): read the rows it still
            # needs in name order through the name index instead of sorting all of it
            walked = _walk_bucket(query, bucket[0].name, need - len(done))
            if walked is None:
                continue
            done.extend(walked)
            bucket = []
            if len(done) >= need:
                break
            skip_key = c.name_key
    else:
        done.extend(bucket)
    done.sort(key=lambda c: (c.name, c.id), reverse=query.descending)
    return [_row(c) for c in done[offset:need]]


BUCKET_WALK_FROM = 500


def _walk_bucket(query: CustomerQuery, name: str, wanted: int) -> list[Customer] | None:
    """The first `wanted` matching rows (in the query's name order) among the names that start
    with the first four characters of `name`; None when those characters do not bound a range."""
    prefix = name[:4]
    if any(ord(ch) >= 255 for ch in prefix):
        return None
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else None
    database = db.database.obj
    search_index.register_sqlite_function(database)
    sel = build(query, with_text=False).where(search_index.sqlite_match_call(query.text))
    sel = sel.where(Customer.name >= prefix)
    if len(prefix) < 4:
        sel = sel.where(Customer.name == prefix)  # a short name is a bucket of its own
    elif upper:
        sel = sel.where(Customer.name < upper)
    return list(sel.limit(wanted))


def page(query: CustomerQuery, offset: int, limit: int) -> list[CustomerRow]:
    """Rows offset..offset+limit of the list, fetched by the database (never the whole list)."""
    offset, limit = max(0, offset), max(0, limit)
    rows = _name_order_page(query, offset, limit)
    if rows is not None:
        return rows
    sel = build(query).offset(offset).limit(limit)
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
    from pupetui.services import keywords  # noqa: PLC0415

    rows = keywords.company_rows(kind)  # in the company's language, as Pupesoft lists them
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
