"""The query generator (Pupesoft's SQL-generaattori, db_sql_query.php): reports from any table
that has a `yhtio` column, without writing SQL.

Table and column names come only from the database's own catalogue (never from the user's
text); every restriction value is a bound parameter; every query is scoped to the session's
company. Saved queries are Pupesoft's own rows of `tallennetut_parametrit` (see "saved queries"
below): everyone's are visible and runnable, only one's own may be overwritten or deleted.

Secrets (services.secrets: passwords, sessions, API and private keys) are never offered and
refused wherever a query names one (shown, restricted or sorted on; typed, saved, or saved by
an older version): `SecretColumn`. With `sql.readonly_url` configured the queries run on that
read-only connection (sql_readonly), as the SQL search's do, with their values bound.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Iterator

import peewee
import sqlparse

from pupetui import db
from pupetui.models import SavedForm
from pupetui.services import auth, stored_text
from pupetui.services.programs import QUERY_GENERATOR
from pupetui.services.secrets import is_secret
from pupetui.services.text import printable
from pupetui.services.validation import ValidationError

SCRIPT = "db_sql_query.php"
# tallennetut_parametrit.sovellus as Pupesoft writes it: its $_SERVER['SCRIPT_NAME'], the page's
# path on its web server ("/db_sql_query.php" with Pupesoft at the root; `application()` finds
# the path of an installation elsewhere from the rows its programs saved)
APPLICATION = "/" + SCRIPT
LEGACY_APPLICATION = SCRIPT  # what pupetui wrote before (with JSON data): still read

TABLE_TITLES = {
    "asiakas": "Customers",
    "yhteyshenkilo": "Contacts",
    "tuote": "Products",
    "lasku": "Invoices and orders",
    "tilausrivi": "Invoice and order rows",
    "kalenteri": "Memos, reminders and calendar",
    "asiakasalennus": "Customer discounts",
    "asiakashinta": "Customer prices",
    "avainsana": "Keywords",
    "kuka": "Users",
    "oikeu": "Rights",
    "yhtio": "Company",
    "yhtion_parametrit": "Company settings",
    "muisti": "Saved searches",
    "tallennetut_parametrit": "Saved forms",
    "liitetiedostot": "Attachments",
}

OPERATORS = ("=", "!=", "in", "not in", "like", "contains", ">", "<", ">=", "<=", "empty", "not empty")
OPERATOR_TITLES = {
    "=": "=", "!=": "≠", "in": "in", "not in": "not in", "like": "starts with", "contains": "contains",
    ">": ">", "<": "<", ">=": "≥", "<=": "≤", "empty": "is empty", "not empty": "is not empty",
}
NO_VALUE = {"empty", "not empty"}
# The values every engine can bind and compare: a 64-bit integer (SQLite's driver refuses a
# larger one), and a number MariaDB's DECIMAL can hold (65 digits; PostgreSQL refuses 1e999999).
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
DECIMAL_DIGITS = 65


# -- the catalogue -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "int", "decimal", "date", "datetime", "time", "text"
    nullable: bool


def _kind(data_type: str) -> str:
    t = data_type.lower()
    if "time" in t and "date" not in t and "stamp" not in t:
        return "time"
    if "datetime" in t or "timestamp" in t:
        return "datetime"
    if "date" in t:
        return "date"
    if any(x in t for x in ("decimal", "numeric", "double", "float", "real")):
        return "decimal"
    if "int" in t:
        return "int"
    return "text"


def tables(database: peewee.Database | None = None) -> list[str]:
    """The tables that have a `yhtio` column, by name."""
    database = database or db.database.obj
    out = []
    for name in sorted(database.get_tables()):
        if any(c.name == "yhtio" for c in database.get_columns(name)):
            out.append(name)
    return out


def table_title(table: str) -> str:
    return TABLE_TITLES.get(table, table)


def _model_kinds(table: str) -> dict[str, str]:
    """Column kinds from pupetui's models, where they know the column: Pupesoft's SQLite layout
    declares dates as TEXT, so the database's own type names are not enough there."""
    from pupetui.models import ALL_MODELS

    kinds = {}
    for model in ALL_MODELS:
        if model._meta.table_name != table:
            continue
        for f in model._meta.sorted_fields:
            if isinstance(f, peewee.DateTimeField):
                kinds[f.column_name] = "datetime"
            elif isinstance(f, peewee.DateField):
                kinds[f.column_name] = "date"
            elif isinstance(f, peewee.DecimalField):
                kinds[f.column_name] = "decimal"
            elif isinstance(f, peewee.IntegerField):
                kinds[f.column_name] = "int"
            else:
                kinds[f.column_name] = "text"
    return kinds


def columns(table: str, database: peewee.Database | None = None) -> list[Column]:
    database = database or db.database.obj
    if table not in tables(database):
        raise ValidationError(f"no table {table!r} with a company column", "table")
    known = _model_kinds(table)
    return [
        Column(c.name, known.get(c.name) or _kind(c.data_type), bool(c.null))
        for c in database.get_columns(table)
        if not is_secret(table, c.name)  # the one list of secrets: never offered
    ]


# -- the form ----------------------------------------------------------------------------------

@dataclass
class FieldSpec:
    column: str
    show: bool = False
    operator: str = ""
    value: str = ""
    sort: int = 0  # 0 = not sorted; 1 first, 2 second ...; negative = descending


@dataclass
class QuerySpec:
    table: str
    fields: list[FieldSpec] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"table": self.table, "fields": [asdict(f) for f in self.fields if f.show or f.operator or f.sort]},
                          ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "QuerySpec":
        try:
            data = json.loads(text)
            return cls(table=str(data["table"]), fields=[FieldSpec(**f) for f in data.get("fields", [])])
        except (ValueError, KeyError, TypeError) as exc:
            raise ValidationError(f"the saved query cannot be read: {exc}") from None


class FieldError(ValidationError):
    pass


class SecretColumn(FieldError):
    """The query names a column that holds a secret: refused, whatever asked for it."""


def _bare(name) -> str:
    """A name as the database would take it: quotes, brackets and spaces around it left out."""
    return str(name).strip().strip('`"[]\'').strip()


def refuse_secrets(spec: QuerySpec, saved: str | None = None) -> None:
    """SecretColumn when a field of `spec` (shown, restricted or sorted on) holds a secret.
    The message names the column, never a value."""
    table = _bare(spec.table)
    named = sorted({f"{table.lower()}.{_bare(f.column).lower()}" for f in spec.fields
                    if is_secret(table, _bare(f.column))})
    if not named:
        return
    what = ", ".join(named)
    holds = "holds a secret" if len(named) == 1 else "hold secrets"
    first = _bare(next(f.column for f in spec.fields if is_secret(table, _bare(f.column))))
    if saved is not None:
        raise SecretColumn(f"the saved query {printable(saved)!r} names {printable(what)}, which {holds} "
                           "(a password or a key): the query generator never reads it, so the query is "
                           "refused", first)
    raise SecretColumn(f"{printable(what)} {holds} (a password or a key): the query generator never "
                       "reads it", first)


_ITEM = re.compile(r'\s*(?:"((?:[^"]|"")*)"|\'((?:[^\']|\'\')*)\'|([^,]*))\s*(?:,|$)')


def split_list(text: str) -> list[str]:
    """'a, "b, c", d' -> ['a', 'b, c', 'd']: a comma list whose items may be quoted."""
    items, pos, text = [], 0, text.strip()
    while pos < len(text):
        m = _ITEM.match(text, pos)
        if not m or m.end() == pos:
            break
        value = m.group(1).replace('""', '"') if m.group(1) is not None else (
            m.group(2).replace("''", "'") if m.group(2) is not None else m.group(3).strip())
        items.append(value)
        pos = m.end()
    return [i for i in items if i != ""]


def _parse_value(column: Column, text: str):
    from pupetui.services.calendar import parse_date, parse_time

    text = text.strip()
    if column.kind == "int":
        if not re.fullmatch(r"[+-]?\d+", text):
            raise FieldError(f"{column.name}: {text!r} is not a whole number", column.name)
        value = int(text)
        if not INT_MIN <= value <= INT_MAX:
            raise FieldError(f"{column.name}: {text!r} is out of range (a whole number of at most 18 digits)",
                             column.name)
        return value
    if column.kind == "decimal":
        try:
            value = Decimal(text.replace(",", ".").replace(" ", ""))
        except InvalidOperation:
            raise FieldError(f"{column.name}: {text!r} is not a number", column.name) from None
        if not value.is_finite():
            raise FieldError(f"{column.name}: {text!r} is not a number", column.name)
        if value and not (-DECIMAL_DIGITS < value.adjusted() < DECIMAL_DIGITS
                          and len(value.as_tuple().digits) <= DECIMAL_DIGITS):
            raise FieldError(f"{column.name}: {text!r} is out of range (at most {DECIMAL_DIGITS} digits)",
                             column.name)
        return value
    if column.kind in ("date", "datetime"):
        parts = text.split()
        day = parse_date(parts[0] if parts else "", column.name)
        if column.kind == "date":
            return day
        moment = dt.datetime.combine(day, parse_time(parts[1], column.name) if len(parts) > 1 else dt.time())
        return moment
    if column.kind == "time":
        return parse_time(text, column.name)
    return text


def _db_value(value):
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, Decimal):
        return str(value)
    return value


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(col, pattern: str, negate: bool = False):
    node = peewee.NodeList((col, peewee.SQL("NOT LIKE" if negate else "LIKE"), peewee.Value(pattern),
                            peewee.SQL("ESCAPE"), peewee.Value("\\")))
    return node


def _empty(col, column: Column, database):
    pg = isinstance(database, peewee.PostgresqlDatabase)
    if column.kind == "text":
        return col.is_null() | (col == "")
    if column.kind in ("int", "decimal"):
        return col.is_null() | (col == 0)
    if column.kind == "date" and not pg:
        return col.is_null() | (col == peewee.Value("0000-00-00"))
    if column.kind == "datetime" and not pg:
        return col.is_null() | (col == peewee.Value("0000-00-00 00:00:00"))
    return col.is_null()


@dataclass(frozen=True)
class BuiltQuery:
    query: peewee.Select
    headers: list[str]
    kinds: list[str]

    def sql(self) -> tuple[str, list]:
        return self.query.sql()

    def formatted_sql(self) -> str:
        """The query as readable SQL with the values in place of their parameters (for showing
        only: what runs is the parameterised query)."""
        sql, params = self.query.sql()
        shown = iter(params)

        def lit(_m):
            v = next(shown)
            return str(v) if isinstance(v, (int, float, Decimal)) else "'" + str(v).replace("'", "''") + "'"

        text = re.sub(r"\?|%s", lit, sql)
        return sqlparse.format(text, reindent=True, keyword_case="upper")


def build(spec: QuerySpec, database: peewee.Database | None = None) -> BuiltQuery:
    """The query of the form: ValidationError (FieldError naming its column) on bad input."""
    database = database or db.database.obj
    session = db.current()
    refuse_secrets(spec)
    cols = {c.name: c for c in columns(spec.table, database)}
    table = peewee.Table(spec.table).bind(database)
    selected, conditions, ordering = [], [], []
    errors: list[FieldError] = []
    for f in spec.fields:
        column = cols.get(f.column)
        if column is None:
            errors.append(FieldError(f"no column {f.column!r} in {spec.table}", f.column))
            continue
        col = peewee.Column(table, f.column)
        if f.show:
            selected.append((column, col))
        op = (f.operator or "").strip()
        if op:
            try:
                conditions.append(_condition(col, column, op, f.value, database))
            except ValidationError as exc:
                errors.append(exc if isinstance(exc, FieldError) else FieldError(str(exc), f.column))
        if f.sort:
            ordering.append((abs(f.sort), col.desc() if f.sort < 0 else col.asc()))
    if errors:
        raise errors[0]
    if not selected:
        raise ValidationError("tick at least one column to show", "fields")
    query = table.select(*[c for _, c in selected]).where(peewee.Column(table, "yhtio") == session.company)
    for cond in conditions:
        query = query.where(cond)
    if ordering:
        query = query.order_by(*[o for _, o in sorted(ordering, key=lambda x: x[0])])
    return BuiltQuery(query, [c.name for c, _ in selected], [c.kind for c, _ in selected])


def _condition(col, column: Column, op: str, raw: str, database):
    if op not in OPERATORS:
        raise FieldError(f"{column.name}: unknown operator {op!r}", column.name)
    if op in NO_VALUE:
        cond = _empty(col, column, database)
        return cond if op == "empty" else ~cond
    if op in ("in", "not in"):
        items = split_list(raw)
        if not items:
            raise FieldError(f"{column.name}: give a comma list of values", column.name)
        values = [_db_value(_parse_value(column, i)) for i in items]
        return col.in_(values) if op == "in" else col.not_in(values)
    if op in ("like", "contains"):
        text = raw.strip()
        if not text:
            raise FieldError(f"{column.name}: give the text to look for", column.name)
        pattern = _escape_like(text) + "%" if op == "like" else "%" + _escape_like(text) + "%"
        if column.kind != "text":
            col = peewee.Cast(col, "CHAR" if isinstance(database, peewee.MySQLDatabase) else "TEXT")
        return _like(col, pattern)
    if not raw.strip() and column.kind != "text":
        raise FieldError(f"{column.name}: give a value", column.name)
    value = _db_value(_parse_value(column, raw))
    return {"=": col == value, "!=": col != value, ">": col > value, "<": col < value,
            ">=": col >= value, "<=": col <= value}[op]


def run(built: BuiltQuery, batch: int = 2000, *, settings=None) -> Iterator[tuple]:
    """Every row of the query, streamed in batches from the database cursor: on the read-only
    connection of `settings.sql.readonly_url` when that is configured, else on the app's own.
    The passwords of the settings (SMTP, SMS, the database URLs) are *** in every value, as in
    the SQL search."""
    from pupetui.services.sql_console import Redactor, configured_secrets

    redact = Redactor(configured_secrets(settings) if settings is not None else ()).rows
    readonly = str((getattr(settings, "sql", None) or {}).get("readonly_url") or "").strip()
    for rows in (_readonly_batches(built, readonly, settings, batch) if readonly else _batches(built, batch)):
        yield from redact(rows)


def _batches(built: BuiltQuery, batch: int) -> Iterator[list[tuple]]:
    cursor = db.database.obj.execute(built.query)
    while True:
        rows = cursor.fetchmany(batch)
        if not rows:
            return
        yield rows


def rows_for_showing(built: BuiltQuery, *, settings=None) -> Iterator[tuple]:
    """Every row for the grid, values too long to show cut (sql_values.Cut, with a mark of
    their size), so that a long text column does not keep megabytes per row on screen."""
    from pupetui.services.sql_values import cut_row

    rows = run(built, settings=settings)
    try:
        for row in rows:
            yield cut_row(row)
    finally:
        rows.close()


def export_rows(built: BuiltQuery, *, settings=None) -> Iterator[tuple]:
    """Every row for a file, within the SQL search's export limits (sql.max_export_bytes,
    sql.export_timeout_seconds for the whole run): sql_values.ExportLimit past them."""
    from pupetui.services import sql_values

    limits = (getattr(settings, "sql", None) or {}) if settings is not None else {}
    return sql_values.bounded_export(
        run(built, settings=settings),
        max_bytes=int(limits.get("max_export_bytes") or sql_values.MAX_EXPORT_BYTES),
        timeout_seconds=float(limits.get("export_timeout_seconds") or sql_values.EXPORT_TIMEOUT_SECONDS),
    )


_ENGINE_OF = {peewee.SqliteDatabase: "sqlite", peewee.MySQLDatabase: "mysql", peewee.PostgresqlDatabase: "postgres"}


def _readonly_batches(built: BuiltQuery, url: str, settings, batch: int) -> Iterator[list[tuple]]:
    from pupetui.services import sql_readonly

    database = built.query._database or db.database.obj  # noqa: SLF001 - the one the SQL was made for
    made_for = next((kind for cls, kind in _ENGINE_OF.items() if isinstance(database, cls)), "")
    engine = sql_readonly.engine_of(url)
    if engine != made_for:
        raise ValidationError(f"sql.readonly_url is a {engine} database and the app's is {made_for or 'another kind'}: "
                              "the query generator needs both of one kind")
    timeout = float((settings.sql.get("timeout_seconds") if settings is not None else 0) or 30)
    sql, params = built.query.sql()
    conn = sql_readonly.open_readonly(url, timeout_seconds=timeout)
    try:
        # every row is read (the grid counts them, files get them all): MariaDB's limit also
        # counts the time the rows take to reach the client, so it is wider there
        conn.execute(sql, params=list(params), first=batch, server_timeout=max(timeout * 10, 300))
        while True:
            rows = conn.fetch(batch)
            if not rows:
                return
            yield rows
            if conn.exhausted and len(rows) < batch:
                return
    except sql_readonly.SqlError:
        raise
    except Exception as exc:  # noqa: BLE001 - the driver's error, told as the database said it
        if type(exc).__module__.startswith(("sqlite3", "psycopg", "pymysql")):
            raise conn.error(exc, sql) from None
        raise
    finally:
        try:
            conn.finish()
        finally:
            conn.close()


# -- saved queries ------------------------------------------------------------------------------
#
# A saved query is the row Pupesoft's SQL generator writes (db_sql_query.php, tallenna_muisti in
# inc/functions.inc): `REPLACE INTO tallennetut_parametrit SET yhtio, kuka, nimitys, sovellus =
# $_SERVER['SCRIPT_NAME'], data = serialize($_REQUEST), laatija, luontiaika = now()`, the request
# being its form: table, sarakkeet[t.c] (every column), kentat[t.c] (the ticked ones = t.c),
# operaattori[t.c] (on, not, in, like, gt, lt, gte, lte or ''), rajaus[t.c], jarjestys[t.c] (sort
# priorities, ascending only). Pupesoft lists a table's queries of the company's users (JOIN kuka)
# by `data LIKE '%"table";s:N:"t"%'`, loads one by kuka#nimitys, and pastes the values into its SQL.
#
# Both ways what one side cannot hold is refused with the reason, never dropped: pupetui's
# operators Pupesoft lacks (not in, contains, empty, not empty), descending sorts and values
# Pupesoft would read otherwise are not saved; Pupesoft's joined tables (product suppliers,
# product and customer keywords) are listed but not run. Rows pupetui wrote before (sovellus
# 'db_sql_query.php', JSON) are still read, and saving one again writes it in Pupesoft's form.

PUPESOFT_OPERATORS = {"on": "=", "not": "!=", "in": "in", "like": "like", "gt": ">", "lt": "<", "gte": ">=", "lte": "<="}
OPERATOR_CODES = {op: code for code, op in PUPESOFT_OPERATORS.items()}
# Pupesoft strips these from every input (inc/parametrit.inc pupe_register_globals) and so pastes
# its stored values into SQL and HTML as they are: a saved value must not hold them
UNSAFE = '"\'<>\\;'
# the programs of Pupesoft that save forms here, by their path under Pupesoft's root
PUPESOFT_SCRIPTS = (SCRIPT, "tehdas_saldot.php", "vyorytys.php", "raportit/ostoraportti.php")
JOINS = {"tuotteentoim_join": "tuotteen_toimittajat", "tuotteenavainsana_join": "tuotteen_avainsanat",
         "asiakkaanavainsana_join": "asiakkaan_avainsanat"}


class Unmappable(ValidationError):
    """A saved query that Pupesoft's query generator and pupetui's cannot both run alike."""


@dataclass(frozen=True)
class SavedQuery:
    id: int
    name: str
    owner: str
    table: str
    spec: QuerySpec
    created_at: dt.datetime | None
    owner_name: str = ""  # kuka.nimi, as Pupesoft's list shows it
    problem: str = ""  # why pupetui cannot run it (Unmappable), "" when it can
    legacy: bool = False  # written by an older pupetui (JSON)

    @property
    def mine(self) -> bool:
        return self.owner == db.current().user


def _require() -> None:
    auth.require(QUERY_GENERATOR)


def _php_empty(value) -> bool:
    """PHP's empty(): '', '0', 0, null, false and an empty array."""
    return value in (None, "", "0", 0, False) or value == {} or value == []


def _php_sort_key(item):
    """asort's order of Pupesoft's sort priorities: numbers by value, before other texts."""
    value = str(item[1]).strip()
    try:
        return (0, float(value), "")
    except ValueError:
        return (1, 0.0, value)


def _array(data: dict, key: str) -> dict:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def from_pupesoft(data) -> QuerySpec:
    """The query of Pupesoft's saved form (unserialised). Unmappable, naming what, when it uses
    what pupetui's query generator has not (joined tables, keyword lists, unknown operators)."""
    if not isinstance(data, dict) or not isinstance(data.get("table"), str) or not data["table"]:
        raise Unmappable("the saved form names no table")
    table = data["table"]
    prefix = table + "."
    sarakkeet = _array(data, "sarakkeet")
    known = {str(v) for v in sarakkeet.values()} if sarakkeet else None  # Pupesoft reads only these
    kentat, operaattori = _array(data, "kentat"), _array(data, "operaattori")
    rajaus, jarjestys = _array(data, "rajaus"), _array(data, "jarjestys")
    specs: dict[str, FieldSpec] = {}
    others: set[str] = set()
    problems: list[str] = []

    def spec_of(key) -> FieldSpec | None:
        key = str(key)
        if not key.startswith(prefix):
            others.add(key.split(".", 1)[0])
            return None
        if known is not None and key not in known:
            return None
        column = key[len(prefix):]
        return specs.setdefault(column, FieldSpec(column))

    for key, value in kentat.items():
        if not _php_empty(value) and (f := spec_of(key)) is not None:
            f.show = True
    for key, code in operaattori.items():
        if _php_empty(code) or (f := spec_of(key)) is None:
            continue
        op = PUPESOFT_OPERATORS.get(str(code))
        value = rajaus.get(key, "")
        if op is None:
            problems.append(f"{key}: unknown operator {str(code)!r}")
        elif isinstance(value, dict):
            problems.append(f"{key}: a list of choices as its restriction")
        elif op == "like" and ("%" in str(value) or "_" in str(value)):
            problems.append(f"{key}: Pupesoft reads % and _ in its like as wildcards, pupetui's starts-with does not")
        else:
            f.operator, f.value = op, "" if value is None else str(value)
    ranked = [(k, v) for k, v in jarjestys.items() if not _php_empty(v)]
    rank = 0
    for key, _value in sorted(ranked, key=_php_sort_key):
        if (f := spec_of(key)) is not None:
            rank += 1
            f.sort = rank
    joined = sorted(others)
    if joined:
        problems.insert(0, "it uses columns of " + ", ".join(joined) + " (a table Pupesoft joins), which "
                        "pupetui's query generator does not join")
    if problems:
        raise Unmappable("; ".join(problems))
    return QuerySpec(table, list(specs.values()))


def _pupesoft_value(column: Column, f: FieldSpec) -> str:
    """The restriction as Pupesoft's SQL must read it to find what pupetui finds: the parsed
    value (dates as YYYY-MM-DD, numbers with a point), an in-list joined by bare commas."""
    op = f.operator.strip()
    raw = f.value or ""
    if not op:
        value = raw
    elif op == "in":
        items = [str(_db_value(_parse_value(column, i))) for i in split_list(raw)]
        comma = next((i for i in items if "," in i), None)
        if comma is not None:
            raise FieldError(f"{column.name}: Pupesoft splits an in-list at every comma, so {comma!r} cannot "
                             "be one of its values in a saved query", column.name)
        value = ",".join(items)
    elif op == "like":
        value = raw.strip()
        if "%" in value or "_" in value:
            raise FieldError(f"{column.name}: Pupesoft reads % and _ in a “starts with” as wildcards, so "
                             "a saved query cannot look for them", column.name)
    elif column.kind == "text":
        value = raw.strip()
    else:
        value = str(_db_value(_parse_value(column, raw)))
    bad = next((c for c in value if c in UNSAFE), None)
    if bad is not None:
        raise FieldError(f"{column.name}: {bad!r} cannot be saved in a restriction (Pupesoft pastes the saved "
                         "value into its SQL and pages)", column.name)
    wide = _not_latin1(value)
    if wide is not None:
        raise FieldError(f"{column.name}: {wide!r} cannot be saved in a restriction (Pupesoft reads it as “?”, "
                         "its latin1 has no such character)", column.name)
    return value


def _not_latin1(text: str) -> str | None:
    """The first character Pupesoft's latin1 (Windows-1252) connection cannot carry."""
    for c in text:
        try:
            c.encode("cp1252")
        except UnicodeEncodeError:
            return c
    return None


def to_pupesoft(spec: QuerySpec, database: peewee.Database | None = None) -> dict:
    """Pupesoft's saved form of `spec`, as its page posts it (every column of the table in
    sarakkeet, operaattori, rajaus and jarjestys; the ticked ones in kentat). FieldError naming
    the column for what Pupesoft's query generator has not: its operators are =, !=, in, like
    (starts with), >, <, >=, <=, its sorts ascending."""
    database = database or db.database.obj
    cols = {c.name: c for c in columns(spec.table, database)}
    everything = [c.name for c in database.get_columns(spec.table)]
    by_column: dict[str, FieldSpec] = {}  # Pupesoft's form has one row per column: the fields merged
    for f in spec.fields:
        have = by_column.get(f.column)
        if have is None:
            by_column[f.column] = FieldSpec(f.column, f.show, (f.operator or "").strip(), f.value, f.sort)
            continue
        op = (f.operator or "").strip()
        if op and have.operator and (op, f.value) != (have.operator, have.value):
            raise FieldError(f"{f.column}: Pupesoft's query generator has one restriction per column, so a query "
                             "with two on it cannot be saved", f.column)
        have.show = have.show or f.show
        if op and not have.operator:
            have.operator, have.value = op, f.value
        have.sort = have.sort or f.sort
    spec = QuerySpec(spec.table, list(by_column.values()))
    for f in spec.fields:
        op = (f.operator or "").strip()
        if op and op not in OPERATOR_CODES:
            raise FieldError(f"{f.column}: Pupesoft's query generator has no “{OPERATOR_TITLES.get(op, op)}”, so "
                             "the query cannot be saved (use =, ≠, in, starts with, >, <, ≥ or ≤; it runs as it "
                             "is)", f.column)
        if f.sort < 0:
            raise FieldError(f"{f.column}: Pupesoft's query generator sorts only in ascending order, so a "
                             "descending sort cannot be saved", f.column)
    ranks = {f.column: str(n) for n, f in enumerate(sorted((f for f in spec.fields if f.sort), key=lambda f: f.sort), 1)}
    values = {f.column: _pupesoft_value(cols[f.column], f) for f in spec.fields if f.column in cols}
    q = {name: f"{spec.table}.{name}" for name in everything}
    return {
        "table": spec.table,
        "sarakkeet": {q[n]: q[n] for n in everything},
        "kentat": {q[n]: q[n] for n in everything if n in by_column and by_column[n].show},
        "operaattori": {q[n]: OPERATOR_CODES.get((by_column[n].operator or "").strip(), "") if n in by_column else ""
                        for n in everything},
        "rajaus": {q[n]: values.get(n, "") for n in everything},
        "jarjestys": {q[n]: ranks.get(n, "") for n in everything},
        "AJASQL": "Suorita",
    }


def _ours(application: str) -> bool:
    return application == LEGACY_APPLICATION or application.endswith("/" + SCRIPT)


def application() -> str:
    """The sovellus Pupesoft writes here: that of the rows its query generator saved (most of
    them), else the root of the rows its other programs saved, else "/db_sql_query.php"."""
    counts: dict[str, int] = {}
    for row in SavedForm.select(SavedForm.application).where(SavedForm.application.contains(".php")):
        counts[row.application] = counts.get(row.application, 0) + 1
    ours = {a: n for a, n in counts.items() if a.endswith("/" + SCRIPT)}
    if ours:
        return max(ours, key=lambda a: (ours[a], a))
    for app, _n in sorted(counts.items(), key=lambda x: -x[1]):
        for script in PUPESOFT_SCRIPTS[1:]:
            if app.endswith("/" + script):
                return app[: -len(script)] + SCRIPT
    return APPLICATION


_TABLE_IN_DATA = re.compile(r'"table";s:\d+:"([^"]*)"')


def _saved(row: SavedForm, names: dict[str, str]) -> SavedQuery | None:
    """The saved query of a row; None for a row of another shape (no table to list it under)."""
    from pupetui.services import phpserial

    text = row.data or ""
    common = dict(id=row.id, name=row.title, owner=row.owner, created_at=row.created_at,
                  owner_name=names.get(row.owner, ""))
    if text.lstrip().startswith("{"):  # an older pupetui's JSON
        try:
            spec = QuerySpec.from_json(text)
        except ValidationError:
            return None
        return SavedQuery(table=spec.table, spec=spec, legacy=True, **common)
    try:
        data = phpserial.loads(text)
    except phpserial.PhpSerialError:
        m = _TABLE_IN_DATA.search(text)  # Pupesoft lists it by this text: so does pupetui
        if not m:
            return None
        return SavedQuery(table=m.group(1), spec=QuerySpec(m.group(1)), problem="the saved form cannot be read",
                          **common)
    try:
        spec = from_pupesoft(data)
    except Unmappable as exc:
        table = data.get("table") if isinstance(data, dict) and isinstance(data.get("table"), str) else ""
        if not table:
            return None
        return SavedQuery(table=table, spec=QuerySpec(table), problem=str(exc), **common)
    return SavedQuery(table=spec.table, spec=spec, **common)


def saved_queries(table: str | None = None) -> list[SavedQuery]:
    """Everyone's saved queries (for a table), by name, each showing whose it is: the rows of the
    company's users, as Pupesoft lists them (with those pupetui wrote before)."""
    from pupetui.models import User

    _require()
    names = {u.login: u.name or "" for u in User.select(User.login, User.name)}
    rows = (SavedForm.select().where(SavedForm.application.endswith(SCRIPT))
            .order_by(SavedForm.title, SavedForm.owner, SavedForm.id))
    out: dict[tuple[str, str], SavedQuery] = {}
    for row in rows:
        if not _ours(row.application or "") or row.owner not in names:
            continue
        saved = _saved(row, names)
        if saved is None or (table is not None and saved.table != table):
            continue
        key = (saved.owner, saved.name)
        if key not in out or out[key].legacy:  # Pupesoft's row before an older pupetui's of that name
            out[key] = saved
    return sorted(out.values(), key=lambda q: (q.name, q.owner))


def check_saved(saved: SavedQuery) -> None:
    """Unmappable when pupetui cannot run the saved query, SecretColumn when it names a secret."""
    if saved.problem:
        raise Unmappable(f"the saved query {printable(saved.name)!r} cannot be run here: {saved.problem}")
    refuse_secrets(saved.spec, saved.name)


def find_saved(name: str, owner: str | None = None) -> SavedQuery:
    matches = [q for q in saved_queries() if q.name == name and (owner is None or q.owner == owner)]
    if not matches:
        raise ValidationError(f"no saved query named {name!r}")
    mine = [q for q in matches if q.mine]
    if len(matches) > 1 and not mine and owner is None:
        raise ValidationError(f"several users have a query named {name!r}: give --owner")
    return (mine or matches)[0]


def _stored_values(spec: QuerySpec) -> QuerySpec:
    """The spec with its values as Pupesoft's input rule stores them: a query saved in
    Pupesoft's generator holds its values so (they come through $_REQUEST)."""
    fields_ = []
    for f in spec.fields:
        refused = stored_text.refusal(f.value or "")
        if refused:
            raise FieldError(refused, f.column)
        fields_.append(replace(f, value=stored_text.stored(f.value or "")))
    return replace(spec, fields=fields_)


def check_name(name: str) -> str:
    name = stored_text.check((name or "").strip(), "name")  # Pupesoft's input rule, as on its form
    if not name:
        raise ValidationError("give the query a name", "name")
    if len(name) > 100:
        raise ValidationError("name: at most 100 characters", "name")
    if "#" in name:  # Pupesoft splits its list's value kuka#nimitys at "#"
        raise ValidationError("name: '#' cannot be in a saved query's name (Pupesoft could not open it)", "name")
    return name


def save(name: str, spec: QuerySpec) -> int:
    """Save under `name` as Pupesoft saves it: overwrites the user's own query of that name (and
    one an older pupetui saved so), never someone else's."""
    from pupetui.models import now
    from pupetui.services import phpserial

    _require()
    name = check_name(name)
    spec = _stored_values(spec)
    build(spec)  # only a query that can run is saved
    data = phpserial.dumps(to_pupesoft(spec))
    user = db.current().user
    where = application()
    with db.database.atomic():
        SavedForm.delete().where((SavedForm.application == LEGACY_APPLICATION) & (SavedForm.title == name)
                                 & (SavedForm.owner == user) & (SavedForm.application != where)).execute()
        own = SavedForm.get_or_none((SavedForm.application == where) & (SavedForm.title == name)
                                    & (SavedForm.owner == user))
        if own is not None:  # Pupesoft's REPLACE: the form, who saved it and when are new
            SavedForm.update(data=data, created_by=user, created_at=now()).where(SavedForm.id == own.id).execute()
            return own.id
        return SavedForm.create(owner=user, title=name, application=where, data=data).id


def delete_saved(query_id: int) -> None:
    _require()
    row = SavedForm.get_or_none(SavedForm.id == query_id)
    if row is None or not _ours(row.application or ""):
        raise ValidationError(f"saved query {query_id} not found")
    if row.owner != db.current().user:
        raise auth.AccessDenied("only your own saved queries can be deleted")
    SavedForm.delete().where(SavedForm.id == query_id).execute()
