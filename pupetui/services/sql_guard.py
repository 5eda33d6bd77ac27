"""The SQL search's first line of defence: read the text before the database does.

`check(sql, engine)` accepts exactly one statement that only reads: SELECT, or WITH ... SELECT
(comments and one trailing semicolon allowed), and refuses with a message that says which part
is wrong. It works on tokens (sqlparse), never on substrings, and it refuses:

- a second statement, and text that the checker and the database could split or quote
  differently (a backslash before a quote, `#` or `--x` comments on MariaDB, nested or unterminated
  comments, MariaDB's executable comments `/*! ... */`): the checker's own dialect-aware scanner
  must agree with sqlparse on every character that is a string, a quoted name or a comment;
- writes anywhere (INSERT/UPDATE/DELETE/MERGE/REPLACE also inside WITH), schema changes,
  SELECT ... INTO (tables, variables, OUTFILE, DUMPFILE), locking reads (FOR UPDATE/SHARE,
  LOCK IN SHARE MODE), variable assignment (:=), NEXT VALUE FOR;
- functions that wait, lock, read server files, change settings, advance sequences, run SQL
  given as text or load code (SLEEP, pg_sleep, BENCHMARK, GET_LOCK, LOAD_FILE, pg_read_file,
  lo_import, set_config, nextval, query_to_xml, dblink, load_extension, ...);
- secrets (SECRETS, from services.secrets: kuka.salasana, kuka.session, kuka.api_key, the
  web shop, e-invoice, mail, bank and transport passwords and keys): any name of those
  columns; `*` or `alias.*` in a query that reads one of those tables (count(*) is fine); a
  whole-row reference to such a table's alias (PostgreSQL's `k`, `row_to_json(k)`); column
  aliases on it (`kuka k(a, b, c)`); and the relations that show other sessions (their SQL,
  transactions, locks), password hashes or column statistics (SECRET_RELATIONS: pg_stat_activity,
  pg_locks, pg_stat_progress_*, innodb_trx, processlist, ..., the mysql/performance_schema/sys
  schemas, sqlite_stat*).

Names are compared as the engine resolves them, not as written: quotes stripped (`"x"`, `x`
in backticks, `[x]`; SQLite's `'x'` where only a name fits, as in kuka.'salasana'; MariaDB's
`"x"` is a string, as its session keeps ANSI_QUOTES off), case, accents and width folded (more
than any engine folds: a name is refused rather than missed), and PostgreSQL's U&"..." names
decoded (\\XXXX, \\+XXXXXX, surrogate pairs, UESCAPE 'c'), so U&"\\0073alasana" is salasana and
U&"pg\\005fsleep"(1) is pg_sleep(1). An escape that cannot be decoded as PostgreSQL would, or a
U& that the tokens do not separate, is refused.

What this cannot promise: a parser is not the database. User-defined functions in the database,
views that expose secrets and SQL features the lists do not know are beyond it. That is why the
connection is read-only in the database as well (sql_readonly), and why a separate account
whose grants leave out kuka's secret columns (`sql.readonly_url`) is the recommended deployment:
then the server itself refuses.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import sqlparse
from sqlparse import tokens as T

from pupetui.services.secrets import SECRET_COLUMNS as SECRET_COLUMNS_BY_TABLE, SECRET_NAMES

ENGINES = ("sqlite", "mysql", "postgres")
MAX_SQL_LENGTH = 100_000

# Columns that hold passwords, password hashes, sessions and keys: the one list (services.secrets).
SECRETS: dict[str, frozenset[str]] = SECRET_COLUMNS_BY_TABLE
SECRET_TABLE = "kuka"
SECRET_COLUMNS = SECRET_NAMES
_TABLE_OF_SECRET = {column: table for table, columns in SECRETS.items() for column in columns}

# Relations that show other sessions (their SQL, transactions, locks, connections), password
# hashes, server files or sampled column values, on every engine; refused by name wherever the
# name appears (schema-qualified, quoted or escaped alike).
SECRET_RELATIONS = frozenset({
    # PostgreSQL: other sessions and their SQL
    "pg_stat_activity", "pg_locks", "pg_prepared_xacts", "pg_stat_replication", "pg_stat_ssl",
    "pg_stat_gssapi", "pg_stat_statements", "pg_stat_statements_info", "pg_stat_wal_receiver",
    "pg_stat_subscription", "pg_replication_slots", "pg_backend_memory_contexts",
    "pg_shmem_allocations", "pg_stat_progress_vacuum", "pg_stat_progress_analyze",
    "pg_stat_progress_create_index", "pg_stat_progress_cluster", "pg_stat_progress_basebackup",
    "pg_stat_progress_copy",
    # PostgreSQL: passwords, connection strings, server files, sampled values
    "pg_authid", "pg_shadow", "pg_user_mapping", "pg_user_mappings", "pg_subscription",
    "pg_file_settings", "pg_hba_file_rules", "pg_ident_file_mappings", "pg_db_role_setting",
    "pg_statistic", "pg_statistic_ext_data", "pg_stats", "pg_stats_ext", "pg_stats_ext_exprs",
    "pg_largeobject",
    # MariaDB information_schema: other sessions, their SQL, transactions and locks
    "processlist", "innodb_trx", "innodb_locks", "innodb_lock_waits", "innodb_lock_wait",
    "user_statistics", "client_statistics", "metadata_lock_info", "query_cache_info",
    "thread_pool_queues", "thread_pool_stats", "thread_pool_waits", "thread_pool_groups",
    # SQLite
    "sqlite_stat1", "sqlite_stat2", "sqlite_stat3", "sqlite_stat4", "sqlite_dbpage",
})
SECRET_RELATION_PREFIXES = ("pg_stat_progress_",)
SECRET_SCHEMAS = frozenset({"mysql", "performance_schema", "sys"})

_WAITS = "waits or burns time on the server"
_LOCKS = "takes or releases locks"
_FILES = "reads or writes files on the server"
_SETTINGS = "changes settings of the session"
_SEQUENCES = "advances a sequence (a write)"
_RUNS_SQL = "runs SQL given as text, past these checks"
_CODE = "loads code into the database"
_SESSIONS = "acts on other sessions of the server"

DENIED_FUNCTIONS: dict[str, str] = {
    # MariaDB / MySQL
    "sleep": _WAITS, "benchmark": _WAITS, "get_lock": _LOCKS, "release_lock": _LOCKS,
    "release_all_locks": _LOCKS, "is_free_lock": _LOCKS, "is_used_lock": _LOCKS,
    "load_file": _FILES, "master_pos_wait": _WAITS, "master_gtid_wait": _WAITS,
    "source_pos_wait": _WAITS, "wait_for_executed_gtid_set": _WAITS,
    "wait_until_sql_thread_after_gtids": _WAITS, "sys_exec": _CODE, "sys_eval": _CODE,
    "sys_get": _SETTINGS, "sys_set": _SETTINGS, "last_insert_id": _SETTINGS,
    "nextval": _SEQUENCES, "setval": _SEQUENCES, "lastval": _SEQUENCES,
    # PostgreSQL (pg_*, lo_* and dblink* are refused as families below)
    "set_config": _SETTINGS, "currval": _SEQUENCES, "query_to_xml": _RUNS_SQL,
    "query_to_xmlschema": _RUNS_SQL, "query_to_xml_and_xmlschema": _RUNS_SQL,
    "cursor_to_xml": _RUNS_SQL, "cursor_to_xmlschema": _RUNS_SQL, "table_to_xml": _RUNS_SQL,
    "table_to_xmlschema": _RUNS_SQL, "table_to_xml_and_xmlschema": _RUNS_SQL,
    "schema_to_xml": _RUNS_SQL, "schema_to_xmlschema": _RUNS_SQL,
    "schema_to_xml_and_xmlschema": _RUNS_SQL, "database_to_xml": _RUNS_SQL,
    "database_to_xmlschema": _RUNS_SQL, "database_to_xml_and_xmlschema": _RUNS_SQL,
    "ts_stat": _RUNS_SQL, "ts_rewrite": _RUNS_SQL, "txid_current": _SEQUENCES,
    "txid_current_if_assigned": _SEQUENCES,
    # SQLite
    "load_extension": _CODE, "fts3_tokenizer": _CODE, "readfile": _FILES, "writefile": _FILES,
    "edit": _FILES, "sqlite_dbpage": _FILES,
}
DENIED_PREFIXES: dict[str, str] = {
    "pg_": "is one of PostgreSQL's server functions (pg_...), which can wait, lock, signal "
           "sessions or read server files",
    "lo_": "works on large objects: " + _FILES,
    "dblink": "connects to other databases: " + _RUNS_SQL,
}
# pg_ functions that only describe values or the schema.
ALLOWED_PG_FUNCTIONS = frozenset({
    "pg_typeof", "pg_column_size", "pg_column_compression", "pg_size_pretty", "pg_size_bytes",
    "pg_relation_size", "pg_total_relation_size", "pg_table_size", "pg_indexes_size",
    "pg_database_size", "pg_get_viewdef", "pg_get_indexdef", "pg_get_constraintdef",
    "pg_get_expr", "pg_get_userbyid", "pg_table_is_visible", "pg_client_encoding",
    "pg_encoding_to_char", "pg_char_to_encoding", "pg_input_is_valid", "pg_input_error_info",
    "pg_backend_pid", "pg_postmaster_start_time", "pg_conf_load_time", "pg_has_role",
})

_WRITES = {"insert", "update", "delete", "merge", "replace", "upsert", "truncate"}
_FUNCTION_LIKE_DML = {"insert", "replace"}  # MySQL's INSERT(str, ...) and REPLACE(str, ...)
_CLAUSE_END = {
    "where", "group", "having", "order", "limit", "offset", "fetch", "union", "intersect",
    "except", "minus", "window", "qualify", "for", "into", "procedure", "select", "returning",
    "values", "connect",
}
# Words after a table in FROM that are not its alias.
_NOT_ALIAS = _CLAUSE_END | {
    "on", "using", "natural", "left", "right", "inner", "outer", "cross", "full", "lateral",
    "tablesample", "straight_join", "partition", "use", "force", "ignore", "indexed", "not",
    "as", "only", "table",
}
_SCHEMAS = {"pg_catalog", "information_schema", "public", "main", "temp"}  # pg_catalog.pg_class: a table
_LOCKING_AFTER_FOR = {"update", "share", "no", "key"}


class StatementRefused(Exception):
    """The text may not run here; the message says which part and why, for a person."""

    def __init__(self, message: str, sql: str = "", position: int | None = None):
        self.reason = message
        self.position = position
        self.line = self.column = None
        if position is not None and sql:
            self.line, self.column = line_and_column(sql, position)
            message = f"{message} (line {self.line}, column {self.column})"
        super().__init__(message)


def line_and_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of a 0-based offset."""
    position = max(0, min(position, len(text)))
    line = text.count("\n", 0, position) + 1
    start = text.rfind("\n", 0, position) + 1
    return line, position - start + 1


def normalize_name(name: str) -> str:
    """A name as databases may compare it: unquoted, case-folded, accents and width folded."""
    if len(name) >= 2 and name[0] in "`\"[" and name[-1] in "`\"]":
        q = name[0]
        name = name[1:-1]
        if q in "`\"":
            name = name.replace(q * 2, q)
    elif len(name) >= 2 and name[0] == name[-1] == "'":  # SQLite reads 'x' as a name in places
        name = name[1:-1].replace("''", "'")
    return fold_name(name)


def fold_name(name: str) -> str:
    """A name as it is (no quotes to strip), folded: case, accents and width."""
    folded = unicodedata.normalize("NFKD", name)
    return "".join(c for c in folded if not unicodedata.combining(c)).casefold()


# -- the dialect-aware scanner -------------------------------------------------------------

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_\u0080-\U0010ffff]*)?\$")
_IDENT_CHAR = re.compile(r"[A-Za-z0-9_$\u0080-\U0010ffff]")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # "string", "name" (quoted identifier) or "comment"


def scan(sql: str, engine: str) -> list[Span]:
    """The strings, quoted names and comments of `sql` as `engine` reads them."""
    spans: list[Span] = []
    i, n = 0, len(sql)

    def refuse(message: str, at: int):
        raise StatementRefused(message, sql, at)

    def quoted(start: int, quote: str, backslash: bool) -> int:
        j = start + 1
        while j < n:
            c = sql[j]
            if backslash and c == "\\":
                if j + 1 < n and sql[j + 1] == quote:
                    refuse("write a quote inside a string as '' (not \\'): databases read "
                           "backslashes differently, so \\' could end the string early", j)
                j += 2
                continue
            if c == quote:
                if j + 1 < n and sql[j + 1] == quote:
                    j += 2
                    continue
                return j + 1
            j += 1
        refuse("a quote is not closed", start)
        return n  # unreachable

    while i < n:
        c = sql[i]
        nxt = sql[i + 1] if i + 1 < n else ""
        if c == "-" and nxt == "-":
            after = sql[i + 2] if i + 2 < n else ""
            if engine == "mysql" and after and not (after.isspace() or ord(after) < 32):
                i += 2  # MariaDB: "--" must be followed by a space to be a comment
                continue
            end = sql.find("\n", i)
            end = n if end < 0 else end
            spans.append(Span(i, end, "comment"))
            i = end
        elif c == "#" and engine == "mysql":
            end = sql.find("\n", i)
            end = n if end < 0 else end
            spans.append(Span(i, end, "comment"))
            i = end
        elif c == "/" and nxt == "*":
            if sql.startswith("/*!", i) or sql.startswith("/*M!", i):
                refuse("MariaDB runs the text of /*! ... */ comments: they are not allowed", i)
            depth, j = 1, i + 2
            while j < n and depth:
                if sql.startswith("*/", j):
                    depth -= 1
                    j += 2
                elif sql.startswith("/*", j):
                    if engine != "postgres":
                        refuse("a comment inside a comment is read differently by databases", j)
                    depth += 1
                    j += 2
                else:
                    j += 1
            if depth:
                refuse("a /* comment is not closed", i)
            spans.append(Span(i, j, "comment"))
            i = j
        elif c == "'":
            if engine == "mysql":
                backslash = True
            elif engine == "postgres":
                prefix = sql[i - 1] if i else ""
                before = sql[i - 2] if i >= 2 else ""
                backslash = prefix in "eE" and not (before and _IDENT_CHAR.match(before))
            else:
                backslash = False
            end = quoted(i, "'", backslash)
            spans.append(Span(i, end, "string"))
            i = end
        elif c == '"':
            end = quoted(i, '"', engine == "mysql")
            spans.append(Span(i, end, "string" if engine == "mysql" else "name"))
            i = end
        elif c == "`" and engine in ("mysql", "sqlite"):
            end = quoted(i, "`", False)
            spans.append(Span(i, end, "name"))
            i = end
        elif c == "[" and engine == "sqlite":
            end = sql.find("]", i + 1)
            if end < 0:
                refuse("a [ name is not closed", i)
            spans.append(Span(i, end + 1, "name"))
            i = end + 1
        elif c == "$" and engine == "postgres" and not (i and _IDENT_CHAR.match(sql[i - 1])):
            m = _DOLLAR_TAG.match(sql, i)
            if not m:
                i += 1
                continue
            end = sql.find(m.group(0), m.end())
            if end < 0:
                refuse(f"a {m.group(0)} quote is not closed", i)
            spans.append(Span(i, end + len(m.group(0)), "string"))
            i = end + len(m.group(0))
        else:
            i += 1
    return spans


def _opaque(ttype, value: str) -> bool:
    return (
        ttype in T.Comment
        or ttype in T.String
        or ttype is T.Literal
        or (ttype in T.Name and value[:1] in "`[\"")
    )


def _sqlparse_mask(sql: str) -> bytearray:
    mask = bytearray(len(sql))
    pos = 0
    for statement in sqlparse.parse(sql):
        for token in statement.flatten():
            length = len(token.value)
            if token.ttype in T.Error:
                raise StatementRefused(
                    "the checker cannot read the text here (a backslash at the end of a string "
                    "is a common cause: use chr(92) or CHAR(92) for a backslash)", sql, pos,
                )
            if _opaque(token.ttype, token.value):
                mask[pos:pos + length] = b"\x01" * length
            pos += length
    if pos != len(sql):
        raise StatementRefused("the text cannot be read as SQL")
    return mask


def _agree(sql: str, spans: list[Span]) -> None:
    mine = bytearray(len(sql))
    for span in spans:
        mine[span.start:span.end] = b"\x01" * (span.end - span.start)
    theirs = _sqlparse_mask(sql)
    if mine == theirs:
        return
    for i, (a, b) in enumerate(zip(mine, theirs)):
        if a != b and not sql[i].isspace():
            raise StatementRefused(
                "the quoting or comments here can be read in two ways, so the statement could "
                "hide a second one: write a quote inside a string as '' (not \\'), and start "
                "comments with '-- ' or '/* */'",
                sql, i,
            )


# -- tokens ---------------------------------------------------------------------------------

@dataclass
class Tok:
    kind: str  # name, keyword, dml, ddl, punct, wildcard, assign, op, literal
    value: str
    norm: str
    pos: int
    maybe_name: bool = False  # SQLite: a 'string' that is a name where only a name fits

    @property
    def is_name(self) -> bool:
        return self.kind in ("name", "keyword", "dml", "ddl")


def _tokens(sql: str, statement, engine: str = "postgres") -> list[Tok]:
    toks: list[Tok] = []
    pos = 0
    for token in statement.flatten():
        value, ttype = token.value, token.ttype
        start = pos
        pos += len(value)
        if token.is_whitespace or ttype in T.Comment:
            continue
        if engine == "mysql" and value[:1] == '"' and ttype in (T.String.Symbol, T.Name):
            kind = "literal"  # a string: the search's MariaDB session keeps ANSI_QUOTES off
        elif ttype in T.Name and value[:1] in "`[\"" or ttype is T.String.Symbol:
            kind = "name"
        elif ttype in T.Keyword.DML:
            kind = "dml"
        elif ttype in T.Keyword.DDL:
            kind = "ddl"
        elif ttype in T.Keyword:
            kind = "keyword"
        elif ttype in T.Name:
            kind = "name"
        elif ttype in T.Wildcard:
            kind = "wildcard"
        elif ttype in T.Assignment:
            kind = "assign"
        elif ttype in T.Punctuation:
            kind = "punct"
        elif ttype in T.Operator:
            kind = "op"
        else:
            kind = "literal"
        if kind in ("name", "keyword", "dml", "ddl"):
            norm = " ".join(normalize_name(value).split())
        else:
            norm = value
        toks.append(Tok(kind, value, norm, start))
    if engine == "postgres":
        toks = _decode_unicode_escapes(sql, toks)
    elif engine == "sqlite":
        _strings_read_as_names(toks)
    return toks


# -- what the engine resolves: escaped and quoted names ------------------------------------

_HEX = frozenset("0123456789abcdefABCDEF")
_UNICODE_PREFIX = re.compile("[uU]&['\"]")


def decode_unicode_escapes(body: str, escape: str = "\\") -> str:
    """The text of a PostgreSQL U&'...' string or U&"..." name (quotes already removed and
    doubled quotes undone), its escapes (`\\XXXX`, `\\+XXXXXX`, a doubled escape character;
    surrogate pairs combined) decoded as PostgreSQL decodes them; ValueError where
    PostgreSQL would refuse or where the checker cannot be sure."""
    out: list[str] = []
    i, n = 0, len(body)

    def code_at(j: int) -> tuple[int, int]:
        if body.startswith("+", j + 1):
            digits, end = body[j + 2:j + 8], j + 8
        else:
            digits, end = body[j + 1:j + 5], j + 5
        width = 6 if body.startswith("+", j + 1) else 4
        if len(digits) != width or not set(digits) <= _HEX:
            raise ValueError(f"invalid Unicode escape at {body[j:j + 8]!r}")
        return int(digits, 16), end

    while i < n:
        c = body[i]
        if c != escape:
            out.append(c)
            i += 1
            continue
        if body.startswith(escape, i + 1):
            out.append(escape)
            i += 2
            continue
        code, i = code_at(i)
        if 0xD800 <= code <= 0xDBFF:
            if i >= n or body[i] != escape or body.startswith(escape, i + 1):
                raise ValueError("a Unicode surrogate without its pair")
            low, i = code_at(i)
            if not 0xDC00 <= low <= 0xDFFF:
                raise ValueError("a Unicode surrogate without its pair")
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        elif 0xDC00 <= code <= 0xDFFF:
            raise ValueError("a Unicode surrogate without its pair")
        if code == 0 or code > 0x10FFFF:
            raise ValueError(f"the Unicode escape value {code:#x} is not a character")
        out.append(chr(code))
    return "".join(out)


def _valid_uescape(c: str) -> bool:
    return len(c) == 1 and c not in _HEX and c not in "+'\"" and not c.isspace()


def _decode_unicode_escapes(sql: str, toks: list[Tok]) -> list[Tok]:
    """PostgreSQL: U&"..." names and U&'...' strings (with an optional UESCAPE 'c') as one
    token each, a name normalised to what PostgreSQL resolves. Text that looks like one but
    cannot be decoded confidently is refused."""
    out: list[Tok] = []
    decoded: set[int] = set()
    i = 0
    while i < len(toks):
        tok = toks[i]
        if (tok.value in ("u", "U") and i + 2 < len(toks) and toks[i + 1].value == "&"
                and toks[i + 1].pos == tok.pos + 1 and toks[i + 2].pos == tok.pos + 2
                and toks[i + 2].value[:1] in ("'", '"') and len(toks[i + 2].value) >= 2
                and toks[i + 2].value[-1] == toks[i + 2].value[0]):
            quoted = toks[i + 2]
            q = quoted.value[0]
            body = quoted.value[1:-1].replace(q * 2, q)
            end = i + 3
            escape = "\\"
            last = quoted
            if end < len(toks) and toks[end].norm == "uescape":
                literal = toks[end + 1] if end + 1 < len(toks) else None
                if (literal is None or not literal.value.startswith("'")
                        or not _valid_uescape(literal.value[1:-1]) or len(literal.value) != 3):
                    raise StatementRefused(
                        "UESCAPE must be followed by one character in quotes ('!'), not a quote, "
                        "a hexadecimal digit, + or a space", sql, toks[end].pos,
                    )
                escape = literal.value[1]
                last = literal
                end += 2
            try:
                text = decode_unicode_escapes(body, escape)
            except ValueError as exc:
                raise StatementRefused(
                    f"the checker cannot decode this U& escape ({exc}): write the name or the "
                    "text without escapes", sql, tok.pos,
                ) from None
            value = sql[tok.pos:last.pos + len(last.value)]
            if q == '"':
                if not text:
                    raise StatementRefused("a name cannot be empty", sql, tok.pos)
                out.append(Tok("name", value, " ".join(fold_name(text).split()), tok.pos))
            else:
                out.append(Tok("literal", value, value, tok.pos))
            decoded.add(tok.pos)
            i = end
            continue
        if tok.norm == "uescape":
            raise StatementRefused("UESCAPE belongs right after a U&'...' string or U&\"...\" name",
                                   sql, tok.pos)
        out.append(tok)
        i += 1
    # Every U&' or U&" outside strings, names and comments must have been decoded above.
    spans = scan(sql, "postgres")
    opaque = bytearray(len(sql))
    for span in spans:
        opaque[span.start:span.end] = b"\x01" * (span.end - span.start)
    for m in _UNICODE_PREFIX.finditer(sql):
        if not opaque[m.start()] and m.start() not in decoded:
            j = m.start()
            while j and _IDENT_CHAR.match(sql[j - 1]):
                j -= 1
            if j < m.start() and not (sql[j].isdigit() or sql[j] == "$"):
                continue  # xU&'...': the name xU, an operator and a string (not 1U&'...')
            raise StatementRefused(
                "the checker cannot read this U& escape as PostgreSQL does: write the name or "
                "the text without escapes", sql, m.start(),
            )
    return out


def _strings_read_as_names(toks: list[Tok]) -> None:
    """SQLite reads a 'string' as a name where only a name fits: next to a dot
    (kuka.'salasana', 'kuka'.x), after FROM, JOIN or AS, after a name (an alias), and as a
    table in a FROM list (`FROM asiakas, 'kuka'`: _from_items reads those)."""
    for i, tok in enumerate(toks):
        if tok.kind != "literal" or not tok.value.startswith("'") or len(tok.value) < 2:
            continue
        prev = _prev(toks, i)
        nxt = _next(toks, i)
        tok.maybe_name = True
        beside_dot = (prev is not None and prev.value == ".") or (nxt is not None and nxt.value == ".")
        after_word = prev is not None and (
            prev.norm in ("from", "as", "table") or "join" in prev.norm or prev.kind == "name"
        )
        if beside_dot or after_word:
            tok.kind = "name"
            tok.norm = " ".join(normalize_name(tok.value).split())


def _next(toks: list[Tok], i: int) -> Tok | None:
    return toks[i + 1] if i + 1 < len(toks) else None


def _prev(toks: list[Tok], i: int) -> Tok | None:
    return toks[i - 1] if i > 0 else None


# -- the checks -----------------------------------------------------------------------------

def check(sql: str, engine: str) -> str:
    """The statement to send (without its trailing semicolon and comments), or StatementRefused."""
    if engine not in ENGINES:
        raise ValueError(engine)
    if len(sql) > MAX_SQL_LENGTH:
        raise StatementRefused(f"the statement is longer than {MAX_SQL_LENGTH:,} characters")
    spans = scan(sql, engine)
    try:
        _agree(sql, spans)
    except sqlparse.exceptions.SQLParseError:
        raise StatementRefused("the statement is too complex to check") from None
    body = _one_statement(sql, spans)
    try:
        statement = sqlparse.parse(body)[0]
    except sqlparse.exceptions.SQLParseError:
        raise StatementRefused("the statement is too complex to check") from None
    toks = _tokens(body, statement, engine)
    _must_be_query(body, toks, statement)
    _nothing_but_reading(body, toks)
    _no_secrets(body, toks)
    return body


def _one_statement(sql: str, spans: list[Span]) -> str:
    opaque = bytearray(len(sql))
    kinds: dict[int, str] = {}
    for span in spans:
        opaque[span.start:span.end] = b"\x01" * (span.end - span.start)
        kinds[span.start] = span.kind
    semicolon = None
    for i, c in enumerate(sql):
        if c == ";" and not opaque[i]:
            semicolon = i
            break
    body = sql if semicolon is None else sql[:semicolon]
    code = [i for i, c in enumerate(body) if not opaque[i] and not c.isspace()]
    if not code and not any(s.kind != "comment" for s in spans if s.end <= len(body)):
        raise StatementRefused("there is no statement: write a SELECT query")
    if semicolon is not None:
        rest = semicolon + 1
        for i in range(rest, len(sql)):
            if sql[i].isspace():
                continue
            if opaque[i] and any(s.kind == "comment" and s.start <= i < s.end for s in spans):
                continue
            raise StatementRefused(
                "only one statement may run at a time: a second one starts here", sql, i
            )
    return body.rstrip()


def _must_be_query(sql: str, toks: list[Tok], statement) -> None:
    i = 0
    while i < len(toks) and toks[i].value == "(":
        i += 1
    if i >= len(toks):
        raise StatementRefused("there is no statement: write a SELECT query")
    first = toks[i]
    if first.norm not in ("select", "with"):
        raise StatementRefused(
            f"only queries may run here (SELECT, or WITH ... SELECT), not {first.value.upper()}",
            sql, first.pos,
        )
    if toks[0].norm == "with":
        kind = statement.get_type()
        if kind not in ("SELECT", "UNKNOWN"):
            raise StatementRefused(f"this WITH ends in {kind}, not in a SELECT", sql, toks[0].pos)


def _function_call(toks: list[Tok], i: int) -> bool:
    nxt = _next(toks, i)
    return nxt is not None and nxt.value == "(" and toks[i].is_name


def function_refusal(name: str) -> str | None:
    """Why the function `name` may not be called, or None when it may."""
    name = normalize_name(name)
    if name in DENIED_FUNCTIONS:
        return DENIED_FUNCTIONS[name]
    if name in ALLOWED_PG_FUNCTIONS:
        return None
    for prefix, reason in DENIED_PREFIXES.items():
        if name.startswith(prefix):
            return reason
    return None


def relation_refusal(name: str) -> bool:
    """Whether the relation `name` (normalised) shows other sessions or secrets."""
    return name in SECRET_RELATIONS or name.startswith(SECRET_RELATION_PREFIXES)


def _nothing_but_reading(sql: str, toks: list[Tok]) -> None:
    for i, tok in enumerate(toks):
        nxt = _next(toks, i)
        prev = _prev(toks, i)
        v = tok.norm
        if tok.kind in ("keyword", "dml") and v == "for" and nxt is not None and nxt.norm in _LOCKING_AFTER_FOR:
            raise StatementRefused(
                f"a locking read (FOR {nxt.value.upper()}) is not allowed: the SQL search only reads",
                sql, tok.pos,
            )
        if tok.kind in ("keyword", "name") and v == "lock" and not _function_call(toks, i):
            raise StatementRefused(
                "a locking read (LOCK IN SHARE MODE) is not allowed: the SQL search only reads",
                sql, tok.pos,
            )
        if tok.kind in ("keyword", "name") and v in ("outfile", "dumpfile"):
            raise StatementRefused(f"INTO {v.upper()} writes a file on the server: not allowed", sql, tok.pos)
        if tok.kind == "keyword" and v == "into":
            if nxt is not None and nxt.norm in ("outfile", "dumpfile"):
                raise StatementRefused(
                    f"INTO {nxt.value.upper()} writes a file on the server: not allowed", sql, tok.pos
                )
            raise StatementRefused(
                "SELECT ... INTO writes (a table or variables): only plain queries may run",
                sql, tok.pos,
            )
        if tok.kind in ("dml", "keyword", "name") and v in _WRITES:
            if v in _FUNCTION_LIKE_DML and _function_call(toks, i):
                continue  # the string functions INSERT(...) and REPLACE(...)
            if tok.kind == "name":
                continue  # a column called e.g. "delete" as sqlparse reads it
            raise StatementRefused(f"{tok.value.upper()} writes: the SQL search only reads", sql, tok.pos)
        if tok.kind == "ddl":
            raise StatementRefused(
                f"{tok.value.upper()} changes the schema: the SQL search only reads", sql, tok.pos
            )
        if tok.kind == "assign":
            raise StatementRefused("assigning variables (:=) changes the session: not allowed", sql, tok.pos)
        if v in ("next", "previous") and nxt is not None and nxt.norm == "value":
            raise StatementRefused(
                f"{tok.value.upper()} VALUE FOR advances a sequence (a write): not allowed", sql, tok.pos
            )
        if _function_call(toks, i) or (tok.is_name and prev is not None and prev.value == "."
                                       and not (nxt is not None and nxt.value == ".")
                                       and i >= 2 and toks[i - 2].norm not in _SCHEMAS):
            # also k.pg_sleep: PostgreSQL's attribute notation calls the function pg_sleep(k)
            reason = function_refusal(v)
            if reason:
                raise StatementRefused(f"{tok.value}() is not allowed: it {reason}", sql, tok.pos)


# -- secrets --------------------------------------------------------------------------------

@dataclass
class _TableRef:
    index: int
    scope: int
    alias: str | None = None
    alias_index: int | None = None
    after_table_keyword: bool = False  # TABLE kuka (PostgreSQL, MySQL 8): SELECT * in disguise


def _dotted_end(toks: list[Tok], i: int) -> int:
    """The index of the last part of a dotted name starting at i (a.b.c -> index of c)."""
    j = i
    while j + 2 < len(toks) and toks[j + 1].value == "." and toks[j + 2].is_name:
        j += 2
    return j


def _may_be_alias(tok: Tok) -> bool:
    if tok.kind not in ("name", "keyword"):
        return False
    return tok.kind == "name" or not (tok.norm.split()[0] in _NOT_ALIAS or "join" in tok.norm)


def _from_items(toks: list[Tok]) -> tuple[list[_TableRef], dict[int, int]]:
    """Tables named in FROM/JOIN/TABLE (with alias and scope), and the scope of each token.

    A scope is one query level: a subquery (a parenthesis that starts with SELECT/WITH/VALUES/
    TABLE) opens a new one; other parentheses (expressions, function arguments, joins in
    parentheses) belong to the level around them.
    """
    refs: list[_TableRef] = []
    token_scope: dict[int, int] = {}
    frames: list[tuple[str | None, int]] = []  # (mode of the level outside, its scope)
    mode: str | None = None  # None, "table" (a table may come), "after" (after one), "cond"
    scope = scopes = 0
    after_table_keyword = False
    i = 0
    while i < len(toks):
        tok = toks[i]
        token_scope[i] = scope
        v = tok.norm
        if tok.value == "(":
            frames.append((mode, scope))
            nxt = _next(toks, i)
            if nxt is not None and nxt.norm in ("select", "with", "values", "table"):
                scopes += 1
                scope = scopes
                mode = None
            else:
                mode = "table" if mode == "table" else None
            i += 1
            continue
        if tok.value == ")":
            outer_mode, scope = frames.pop() if frames else (None, 0)
            mode = "after" if outer_mode == "table" else outer_mode
            i += 1
            continue
        if tok.value == ",":
            if mode in ("after", "cond"):
                mode = "table"
            i += 1
            continue
        if tok.kind in ("keyword", "dml", "ddl"):
            first = v.split()[0] if v else v
            if v in ("from", "table") or "join" in v:
                mode = "table"
                after_table_keyword = v == "table"
            elif v in ("on", "using"):
                mode = "cond" if mode else None
            elif first in _CLAUSE_END:
                mode = None
            i += 1
            continue
        if tok.maybe_name and mode == "table" and not tok.is_name:
            tok.kind = "name"  # SQLite: FROM asiakas, 'kuka'
            tok.norm = v = " ".join(normalize_name(tok.value).split())
        if tok.is_name and mode == "table":
            if v in ("only", "lateral"):
                i += 1
                continue
            end = _dotted_end(toks, i)
            for k in range(i, end + 1):
                token_scope[k] = scope
            after = _next(toks, end)
            if after is not None and after.value == "(":
                mode = "after"  # a function in FROM: generate_series(...) g
                i = end + 1
                continue
            ref = _TableRef(index=end, scope=scope, after_table_keyword=after_table_keyword)
            refs.append(ref)
            mode = "after"
            j = end + 1
            if j < len(toks) and toks[j].norm == "as":
                token_scope[j] = scope
                j += 1
            if j < len(toks) and _may_be_alias(toks[j]):
                ref.alias = toks[j].norm
                ref.alias_index = j
                token_scope[j] = scope
                if ref.alias in SECRETS:  # "FROM x kuka": err on the side of a secret
                    refs.append(_TableRef(index=j, scope=scope))
                j += 1
            i = j
            continue
        i += 1
    return refs, token_scope


def _no_secrets(sql: str, toks: list[Tok]) -> None:
    refs, token_scope = _from_items(toks)  # first: it reads SQLite's FROM 'kuka' as a name
    for i, tok in enumerate(toks):
        prev = _prev(toks, i)
        nxt = _next(toks, i)
        if tok.is_name and tok.norm in SECRET_COLUMNS:
            if prev is not None and prev.value == "@@":
                continue  # @@session.x: a system variable
            raise StatementRefused(
                f"{tok.norm} is a secret column of {_TABLE_OF_SECRET[tok.norm]} (passwords, "
                "sessions, API keys) and cannot be read", sql, tok.pos,
            )
        if tok.is_name and relation_refusal(tok.norm):
            raise StatementRefused(
                f"{tok.norm} holds other sessions' SQL, passwords or sampled values: not readable here",
                sql, tok.pos,
            )
        if (tok.is_name and tok.norm in SECRET_SCHEMAS and nxt is not None and nxt.value == "."
                and not (prev is not None and prev.value == ".")):
            raise StatementRefused(
                f"the {tok.norm} schema holds the server's accounts and other sessions' SQL: "
                "not readable here", sql, tok.pos,
            )
    secret_refs = [r for r in refs if toks[r.index].norm in SECRETS]
    if not secret_refs:
        return
    for r in secret_refs:
        table = toks[r.index].norm
        if r.after_table_keyword:
            raise StatementRefused(
                f"TABLE {table} would read its secret columns: name the columns you need",
                sql, toks[r.index].pos,
            )
        j = (r.alias_index + 1) if r.alias_index is not None else r.index + 1
        if r.alias_index is not None and j < len(toks) and toks[j].value == "(":
            raise StatementRefused(
                f"column aliases on {table} could rename its secret columns: name the columns instead",
                sql, toks[j].pos,
            )
    scope_table = {r.scope: toks[r.index].norm for r in secret_refs}
    # PostgreSQL resolves a bare name to a column before a whole row, and kuka has a column
    # kuka: only aliases (and the names of the other secret tables) are whole rows.
    alias_table = {r.alias: toks[r.index].norm for r in secret_refs if r.alias and r.alias != SECRET_TABLE}
    alias_table.update({t: t for t in SECRETS if t != SECRET_TABLE and t in scope_table.values()})
    qualifiers = set(alias_table) | set(SECRETS)
    definitions = {r.alias_index for r in secret_refs if r.alias_index is not None}
    definitions |= {r.index for r in secret_refs}
    for i, tok in enumerate(toks):
        prev = _prev(toks, i)
        nxt = _next(toks, i)
        if tok.kind == "wildcard":
            if prev is not None and prev.value == ".":
                qualifier = toks[i - 2] if i >= 2 else None
                if qualifier is not None and qualifier.norm in qualifiers:
                    raise StatementRefused(
                        f"{qualifier.value}.* would read secret columns: name the columns you need",
                        sql, tok.pos,
                    )
                continue
            if (prev is not None and prev.value == "(" and nxt is not None and nxt.value == ")"
                    and i >= 2 and toks[i - 2].norm == "count"):
                continue  # count(*)
            if token_scope.get(i, 0) in scope_table:
                raise StatementRefused(
                    f"* over {scope_table[token_scope[i]]} would read its secret columns: "
                    "name the columns you need", sql, tok.pos,
                )
        if (tok.kind in ("name", "keyword") and tok.norm in alias_table and i not in definitions
                and not (nxt is not None and nxt.value == ".")
                and not (prev is not None and prev.value == ".")):
            raise StatementRefused(
                f"{tok.value} stands for a whole row of {alias_table[tok.norm]}, secret columns "
                "included: name the columns you need", sql, tok.pos,
            )


def format_sql(sql: str) -> str:
    """The text re-indented with upper-case keywords (the editor's format command)."""
    return sqlparse.format(sql, reindent=True, keyword_case="upper")
