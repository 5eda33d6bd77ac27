"""The customer search index each engine offers, kept in step with edits by the database itself.

- SQLite: an FTS5 table over asiakas (prefix indexes, rowids in name order), kept in step by triggers.
- PostgreSQL: a pg_trgm GIN index over the searched columns.
- MariaDB/MySQL: Pupesoft's own FULLTEXT indexes on nimi, nimitark, toim_nimi and toim_nimitark,
  plus the (yhtio, ytunnus) and (yhtio, asiakasnro) indexes; pupetui adds nothing there.

A search text is split into words; a customer matches when every word is the start of a word
in one of the searched columns (name, name extension, delivery names, business id, customer
number, town, phones, email).
"""

from __future__ import annotations

import re

import peewee

FTS_TABLE = "pupetui_asiakas_haku"
SEARCHED_COLUMNS = (
    "nimi", "nimitark", "toim_nimi", "toim_nimitark", "ytunnus", "asiakasnro",
    "postitp", "puhelin", "gsm", "email",
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def words(text: str) -> list[str]:
    """The words of a search text, as the index tokenizes them (letters and digits)."""
    return _WORD.findall(text.casefold())[:8]


def words_match(joined_words: str, *columns) -> int:
    """1 when every word (space-separated) starts a word of one of the columns.

    The same rule as the FTS5 prefix query, for SQLite scans in name order."""
    text = " ".join(c for c in columns if c).casefold()
    ws = joined_words.split(" ")
    for w in ws:
        if w not in text:
            return 0
    tokens = _WORD.findall(text)
    return int(all(any(t.startswith(w) for t in tokens) for w in ws))


MATCH_FUNCTION = "pupetui_words_match"


def register_sqlite_function(db: peewee.SqliteDatabase) -> None:
    if MATCH_FUNCTION not in getattr(db, "_functions", {}):
        db.register_function(words_match, MATCH_FUNCTION, -1, deterministic=True)


def sqlite_match_call(text: str) -> peewee.Node:
    """A condition true for asiakas rows whose searched columns match every word of `text`."""
    cols = ", ".join(f'"t1"."{c}"' for c in SEARCHED_COLUMNS)
    return peewee.SQL(f"{MATCH_FUNCTION}(?, {cols})", [" ".join(words(text))])


# -- SQLite -------------------------------------------------------------------
#
# The FTS5 rowid of a customer is not its tunnus but NAME_KEY(nimi) * 2^31 + tunnus, where
# NAME_KEY packs the first four characters of the name (code points clamped to 255, which keeps
# their order) into 32 bits. FTS5 returns matches in rowid order, so a search walks its matches
# in (nearly) name order and stops after a page: only the names that share the page's last
# four-character bucket need sorting. The content is read through a view that computes that
# rowid; triggers keep the index in step with every insert, update and delete of asiakas.

TUNNUS_BITS = 31
TUNNUS_MASK = (1 << TUNNUS_BITS) - 1
VIEW = FTS_TABLE + "_v"
OLD_FTS_TABLES = ("asiakas_haku",)  # the first layout (rowid = tunnus), replaced by ensure()


def _name_key_sql(col: str) -> str:
    chars = [f"coalesce(min(unicode(substr({col}, {i}, 1)), 255), 0)" for i in range(1, 5)]
    return f"(({chars[0]} * 16777216 + {chars[1]} * 65536 + {chars[2]} * 256 + {chars[3]}) * {1 << TUNNUS_BITS})"


def name_key(name: str) -> int:
    """The Python twin of the SQL NAME_KEY: names in code point (BINARY) order have keys in order."""
    key = 0
    for i in range(4):
        key = key * 256 + (min(ord(name[i]), 255) if i < len(name) else 0)
    return key


def fts_rowid_sql(prefix: str) -> str:
    return f"{_name_key_sql(prefix + 'nimi')} + {prefix}tunnus"


def sqlite_match_count(db: peewee.Database, text: str, cap: int) -> int:
    """How many customers (of any company) the FTS index matches, counting up to `cap`."""
    match = sqlite_match_expression(text)
    return db.execute_sql(
        f"SELECT count(*) FROM (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? LIMIT ?)",
        (match, cap),
    ).fetchone()[0]


def _sqlite_has_fts5(db: peewee.SqliteDatabase) -> bool:
    try:
        db.execute_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp._fts5_probe USING fts5(x)")
        db.execute_sql("DROP TABLE temp._fts5_probe")
        return True
    except peewee.OperationalError:
        return False


def _sqlite_drop(db: peewee.SqliteDatabase, table: str) -> None:
    for suffix in ("_ai", "_ad", "_au"):
        db.execute_sql(f'DROP TRIGGER IF EXISTS "{table}{suffix}"')
    db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
    db.execute_sql(f'DROP VIEW IF EXISTS "{table}_v"')


def _sqlite_ensure(db: peewee.SqliteDatabase) -> bool:
    if not _sqlite_has_fts5(db):
        return False
    cols = ", ".join(SEARCHED_COLUMNS)
    new = ", ".join(f"new.{c}" for c in SEARCHED_COLUMNS)
    old = ", ".join(f"old.{c}" for c in SEARCHED_COLUMNS)
    exists = sqlite_index_present(db)
    with db.atomic():
        for table in OLD_FTS_TABLES:
            _sqlite_drop(db, table)
        db.execute_sql(
            f"CREATE VIEW IF NOT EXISTS {VIEW} AS SELECT {fts_rowid_sql('')} AS hakurivi, {cols} FROM asiakas"
        )
        db.execute_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5({cols}, "
            f"content='{VIEW}', content_rowid='hakurivi', "
            "tokenize=\"unicode61 remove_diacritics 0\", prefix='1 2 3')"
        )
        db.execute_sql(
            f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON asiakas BEGIN "
            f"INSERT INTO {FTS_TABLE}(rowid, {cols}) VALUES ({fts_rowid_sql('new.')}, {new}); END"
        )
        db.execute_sql(
            f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON asiakas BEGIN "
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {cols}) VALUES ('delete', {fts_rowid_sql('old.')}, {old}); END"
        )
        db.execute_sql(
            f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE ON asiakas BEGIN "
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {cols}) VALUES ('delete', {fts_rowid_sql('old.')}, {old}); "
            f"INSERT INTO {FTS_TABLE}(rowid, {cols}) VALUES ({fts_rowid_sql('new.')}, {new}); END"
        )
        if not exists:
            rebuild(db)
    return True


def rebuild(db: peewee.Database) -> None:
    """Fill the SQLite FTS index anew from asiakas (after a bulk load with its triggers off)."""
    if isinstance(db, peewee.SqliteDatabase) and sqlite_index_present(db):
        db.execute_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def sqlite_match_expression(text: str) -> str | None:
    """An FTS5 query for `text`: every word as a quoted prefix; None when there are no words."""
    ws = words(text)
    if not ws:
        return None
    return " AND ".join('"' + w.replace('"', '""') + '"*' for w in ws)


# -- PostgreSQL ---------------------------------------------------------------

PG_INDEX = "asiakas_haku_trgm"


def pg_search_expression(alias: str = "") -> str:
    prefix = f'"{alias}".' if alias else ""
    parts = " || ' ' || ".join(f"coalesce({prefix}{c}, '')" for c in SEARCHED_COLUMNS)
    return f"lower({parts})"


def pg_word_pattern(word: str) -> str:
    """A POSIX regex for `word` at the start of a word (words are letters and digits only)."""
    return f"(^|[^[:alnum:]]){word}"


def _pg_ensure(db: peewee.PostgresqlDatabase) -> bool:
    try:
        with db.atomic():
            db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            db.execute_sql(
                f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON asiakas USING gin "
                f"(({pg_search_expression()}) gin_trgm_ops)"
            )
        return True
    except peewee.DatabaseError:
        return False


# -- all engines --------------------------------------------------------------

def ensure(db: peewee.Database) -> bool:
    """Create the search index where the engine has one and it is missing; True when it is there."""
    if isinstance(db, peewee.SqliteDatabase):
        return _sqlite_ensure(db)
    if isinstance(db, peewee.PostgresqlDatabase):
        return _pg_ensure(db)
    return True  # MariaDB/MySQL: Pupesoft's FULLTEXT indexes


def sqlite_index_present(db: peewee.Database) -> bool:
    return bool(
        db.execute_sql(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (FTS_TABLE,)
        ).fetchone()
    )
