"""The SQL search (Pupesoft's raportit/sql-query.php): read-only SQL, streamed, cancellable.

The screen and `pupetui sql` both use this module; nothing here imports Textual.

    console = SqlConsole.from_settings(settings)     # after login (a session is needed)
    console.access()                                 # SqlAccess: write / save / run_saved
    query = console.query(sql)                       # UI thread: rights + checks, no database
                                                     # work; StatementRefused / AccessDenied
    # in a worker thread:
    columns = query.start()                          # blocks until the database answers
    for rows in query.batches():                     # list[tuple], first a screenful, then
        ...                                          # bigger; stops at the display cap
    query.row_count, query.truncated, query.elapsed
    # from any thread (Esc):
    query.cancel()                                   # SqlCancelled in the worker, < 1 s
    # export every row (not only the displayed ones), in a worker:
    console.query(sql).export("out.xlsx")            # or .csv; ExportResult

Bytes are bounded as well as rows (sql_values): for showing, values too long come as `Cut`s
(their start and a mark of their size) and rows stop at sql.max_result_bytes (`over_budget`,
`budget_note()`); exports get whole values, stopped with ExportLimit at sql.max_export_bytes
or sql.export_timeout_seconds (the whole run). The driver is asked for few rows at a time when
they are big, so a result of huge values is never all in memory.

Errors for a person, never a traceback: StatementRefused (the checker), auth.AccessDenied
(rights), SqlError (the database's message, with line and column where it gives one),
SqlCancelled, SqlTimeout. Configured secrets (smtp/sms passwords, database passwords) are
replaced by *** in every result cell and message.

Rights (oikeu, raportit/sql-query.php): alanimi '' may write and run own SQL and load saved
queries; 'SUPER' may also save and delete them; 'READ' may only run (and export) saved queries.
Saved queries live in muisti as Pupesoft keeps them: haku='sql-query', nimi, kuvaus, var='query',
value = the SQL. The user's own queries are kept in a history file in the user state directory.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import platformdirs

from pupetui import db
from pupetui.config import APP_NAME
from pupetui.i18n import _, format_decimal
from pupetui.models import SavedSearch
from pupetui.services import auth, stored_text
from pupetui.services.export import ExportResult, write_csv, write_xlsx_sheets
from pupetui.services.export_target import safe_part as _safe_part
from pupetui.services.programs import SQL
from pupetui.services.sql_guard import (
    SECRETS,
    StatementRefused,
    check,
    format_sql,
)
from pupetui.services.sql_readonly import (
    NotReadOnly,
    ReadOnlyConnection,
    SqlCancelled,
    SqlError,
    SqlTimeout,
    engine_of,
    open_readonly,
    readonly_url,
)
from pupetui.services.sql_values import (
    EXPORT_TIMEOUT_SECONDS,
    MAX_EXPORT_BYTES,
    MAX_RESULT_BYTES,
    Cut,
    ExportLimit,
    for_showing,
    limit_text,
    too_big,
    too_slow,
    written_bytes,
)
from pupetui.services.text import printable

__all__ = [
    "SqlConsole", "SqlQuery", "SqlAccess", "SavedQuery", "QueryHistory", "HistoryEntry",
    "StatementRefused", "SqlError", "SqlCancelled", "SqlTimeout", "NotReadOnly", "ExportLimit",
    "Cut", "cell_text", "format_sql", "FIRST_BATCH", "BATCH",
]

FIRST_BATCH = 100  # rows: a screenful and then some, to show while the rest comes
BATCH = 2000
SAVED_KIND = "sql-query"  # muisti.haku
SAVED_VAR = "query"  # muisti.var
NAME_LENGTH = 50  # muisti.nimi
HISTORY_LIMIT = 500
MIN_SECRET_LENGTH = 4  # shorter configured "secrets" would blank ordinary text
MARIADB_EXPORT_TIME_FACTOR = 10  # see SqlQuery.start
CANCEL_AGAIN_SECONDS = 0.5  # a cancel is asked again this often until the query has ended
FETCH_BYTES = 4 * 1024 * 1024  # rows asked from the driver at once hold about this much at most


# -- rights ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class SqlAccess:
    """What the user may do in the SQL search."""

    write: bool = False  # write and run own SQL, load saved queries
    save: bool = False  # save and delete saved queries
    run_saved: bool = False  # run and export saved queries

    @property
    def any(self) -> bool:
        return self.write or self.save or self.run_saved

    @classmethod
    def of(cls, levels: set[str]) -> "SqlAccess":
        write = "" in levels or "SUPER" in levels
        return cls(write=write, save="SUPER" in levels, run_saved=bool(levels & {"", "SUPER", "READ"}))


# -- secrets --------------------------------------------------------------------------------

class Redactor:
    """Replaces configured secrets by *** in text and in result rows."""

    def __init__(self, secrets: Iterable[str] = ()):
        words = sorted({s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(w) for w in words)) if words else None

    def text(self, value: str) -> str:
        return self.pattern.sub("***", value) if self.pattern else value

    def rows(self, rows: list[tuple]) -> list[tuple]:
        pattern = self.pattern
        if pattern is None:
            return rows
        search = pattern.search
        out = []
        for row in rows:
            if any(type(v) is str and search(v) for v in row):
                row = tuple(pattern.sub("***", v) if type(v) is str else v for v in row)
            out.append(row)
        return out

    def error(self, exc: Exception) -> Exception:
        if self.pattern is None:
            return exc
        message = self.text(str(exc))
        if message == str(exc):
            return exc
        clone = exc.__class__.__new__(exc.__class__)
        clone.__dict__.update({
            k: self.text(v) if isinstance(v, str) else v for k, v in exc.__dict__.items()
        })
        clone.args = (message,)
        return clone


def configured_secrets(settings) -> list[str]:
    """The passwords in the settings: smtp, sms and the database URLs."""
    from urllib.parse import unquote, urlparse

    section = lambda name: getattr(settings, name, None) or {}  # noqa: E731
    out = [str(section("smtp").get("password") or ""), str(section("sms").get("password") or "")]
    for url in (getattr(settings, "db", "") or "", section("sql").get("readonly_url") or ""):
        try:
            password = urlparse(url).password
        except ValueError:
            password = None
        if password:
            out += [password, unquote(password)]
    return [s for s in out if s]


# -- display --------------------------------------------------------------------------------

def cell_text(value: Any, *, null: str = "NULL", limit: int | None = 500) -> str:
    """One value as one line of text for a grid or a table (untrusted: no control characters)."""
    if value is None:
        return null
    kind = type(value)
    if kind is Cut:  # the mark first: it stays in sight however narrow the cell
        text = f"{value.mark} {printable(value.head_text())}"
        if limit is not None and len(text) > limit:
            return text[: max(limit - 1, len(value.mark))] + "…"
        return text
    if kind is str:
        text = value if value.isprintable() else printable(value)
    elif kind is int or kind is float:
        return str(value)
    elif kind is Decimal:
        return format(value, "f")
    elif kind is bool:
        return "true" if value else "false"
    elif kind is dt.datetime:
        return value.isoformat(" ")
    elif kind is dt.date or kind is dt.time:
        return value.isoformat()
    elif isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        text = "0x" + raw[:64].hex() + ("…" if len(raw) > 64 else "")
    else:
        text = printable(value)
    if limit is not None and len(text) > limit:
        return text[: limit - 1] + "…"
    return text


# -- one query ------------------------------------------------------------------------------

class SqlQuery:
    """One checked statement: run it once, stream its rows, cancel it from any thread."""

    def __init__(self, console: "SqlConsole", sql: str, *, source: str = "own",
                 on_finish: Callable[["SqlQuery"], None] | None = None, company: str | None = None):
        self.console = console
        self.company = company  # sql.company_only: only this company's rows (SQLite enforces it)
        self.sql = sql  # as checked; sent as it is
        self.source = source  # "own" or "saved:<name>"
        self.columns: list[str] = []
        self.row_count = 0
        self.truncated = False
        self.state = "ready"  # ready, running, done, cancelled, failed
        self.error: Exception | None = None
        self.started_at: float | None = None  # time.monotonic()
        self.answered_at: float | None = None  # the database returned its first row (or none)
        self.first_batch_at: float | None = None
        self.finished_at: float | None = None
        self._conn: ReadOnlyConnection | None = None
        self._lock = threading.Lock()
        self._stop_reason: str | None = None  # "cancel" or "timeout"
        self._db_seconds = 0.0
        self._waiting_since: float | None = None
        self._done = threading.Event()
        self._on_finish = on_finish
        self._all_rows = False
        self._deadline: float | None = None  # an export's whole-run time limit (monotonic)
        self.held_bytes = 0  # what the rows kept for showing hold (sql.max_result_bytes)
        self.written_bytes = 0  # what the whole rows read take as text (sql.max_export_bytes)
        self._export_bytes: int | None = None
        self.over_budget = False

    # -- timing
    @property
    def elapsed(self) -> float:
        """Seconds since start (until the end when finished)."""
        if self.started_at is None:
            return 0.0
        return (self.finished_at or time.monotonic()) - self.started_at

    @property
    def cancelled(self) -> bool:
        return self.state == "cancelled"

    # -- any thread
    def cancel(self) -> None:
        """Stop the query: the worker gets SqlCancelled within a fraction of a second."""
        self._stop("cancel")

    def _stop(self, reason: str) -> None:
        with self._lock:
            if self._stop_reason is None:
                self._stop_reason = reason
            conn = self._conn
        if conn is None or self._done.is_set():
            return
        if conn.engine == "sqlite":
            conn.interrupt()  # sticky: the progress handler stops whatever runs next too
        else:  # a network round trip (PQcancel, KILL QUERY): not on the caller's thread
            threading.Thread(target=self._interrupt_until_done, args=(conn,),
                             name="pupetui-sql-cancel", daemon=True).start()

    def _interrupt_until_done(self, conn: ReadOnlyConnection) -> None:
        """PQcancel and KILL QUERY stop the statement running at that moment: one that
        arrives between statements (the read-only transaction's own SETs, the query not yet
        sent, under load) stops nothing, and the query would then run on. So ask again
        until the worker has ended (asking again is harmless)."""
        while not self._done.is_set():
            conn.interrupt()
            if self._done.wait(CANCEL_AGAIN_SECONDS):
                return

    # -- the worker
    def start(self, *, all_rows: bool = False) -> list[str]:
        """Open a read-only connection and run the statement; the column names.
        `all_rows`: every row will be read (an export), so MariaDB's server-side limit (which
        counts the time rows take to reach the client) is widened; the time the database
        takes is still limited to sql.timeout_seconds by the watchdog."""
        if self.state != "ready":
            raise RuntimeError("a query runs once: make a new one")
        self.state = "running"
        self.started_at = time.monotonic()
        self._all_rows = all_rows
        timeout = self.console.timeout_seconds
        try:
            self._check_stop()
            conn = open_readonly(self.console.url, timeout_seconds=timeout, company=self.company)
            with self._lock:
                self._conn = conn
            self._check_stop()
            threading.Thread(target=self._watch, name="pupetui-sql-watchdog", daemon=True).start()
            server_timeout = timeout
            if all_rows and conn.engine == "mysql":
                server_timeout = max(timeout * MARIADB_EXPORT_TIME_FACTOR, 300)
            self._waiting_since = time.monotonic()
            try:
                # one row first (PostgreSQL runs the query at the first FETCH): how big the
                # rows are decides how many are asked for at a time (see batches)
                names = conn.execute(self.sql, first=1, server_timeout=server_timeout)
                self.columns = [printable(self.console.redactor.text(str(c))) for c in names]
            finally:
                self._waited()
            self.answered_at = time.monotonic()
            self._check_stop()
        except BaseException as exc:
            raise self._fail(exc) from None
        return self.columns

    def batches(self, limit: int | None | str = "display", *, first: int = FIRST_BATCH,
                size: int = BATCH) -> Iterator[list[tuple]]:
        """The rows in batches as they arrive: `first` rows, then `size` at a time.
        `limit`: "display" (the console's row limit, sql.row_limit), a number, or None for
        every row. Stops there without reading the rest; `truncated` tells whether more rows
        were left. Ends (and closes the connection) when the rows run out.
        With a limit the rows are for showing: values too long to show come as `Cut`s, and
        rows stop being kept when they hold sql.max_result_bytes (`over_budget`, `truncated`).
        Without one (exports) the values are whole. Either way the driver is asked for only as
        many rows at a time as hold about FETCH_BYTES, so memory stays bounded whatever the
        rows' size (one row at a time when a value is huge)."""
        if limit == "display":
            limit = self.console.row_limit
        if self.state == "ready":
            self.start(all_rows=limit is None)
        if self.state != "running":
            return
        conn = self._conn
        assert conn is not None
        redact = self.console.redactor.rows
        showing = limit is not None
        budget = self.console.max_result_bytes if showing else None
        want = first
        chunk = 1  # rows per driver call: one until their size is known
        ended = False
        try:
            while not ended:
                if limit is not None:
                    left = limit - self.row_count
                    if left <= 0:
                        self.truncated = bool(self._fetch(conn, 1))
                        break
                    want = min(want, left)
                batch: list[tuple] = []
                held = 0
                while len(batch) < want:
                    self._check_stop()
                    asked = min(chunk, want - len(batch))
                    rows = self._fetch(conn, asked)
                    self._check_stop()
                    if not rows:
                        ended = True
                        break
                    fetched = len(rows)
                    rows = redact(rows)
                    if showing:
                        room = None if budget is None else budget - self.held_bytes
                        rows, raw, kept, over = for_showing(rows, room)
                        self.held_bytes += kept
                        if over:
                            batch.extend(rows)
                            self.over_budget = self.truncated = True
                            ended = True
                            break
                    else:  # whole values: what they take as text (what an export writes)
                        raw = written_bytes(rows)
                        held += raw
                        self.written_bytes += raw
                        limit_bytes = self._export_bytes
                        if limit_bytes is not None and self.written_bytes > limit_bytes:
                            raise too_big(limit_bytes)  # before any of these reach the file
                    chunk = max(1, min(size, FETCH_BYTES * fetched // max(1, raw)))
                    batch.extend(rows)
                    del rows  # not held through the next fetch: a huge value is alive once
                    if fetched < asked and conn.exhausted:
                        ended = True
                        break
                    if held >= FETCH_BYTES:
                        break  # whole values: give these on before asking for more
                if batch:
                    self.row_count += len(batch)
                    if self.first_batch_at is None:
                        self.first_batch_at = time.monotonic()
                    yield batch
                    del batch
                want = size
        except GeneratorExit:
            self._finish("done")
            raise
        except BaseException as exc:
            raise self._fail(exc) from None
        self._finish("done")

    def _fetch(self, conn: ReadOnlyConnection, n: int) -> list[tuple]:
        self._waiting_since = time.monotonic()
        try:
            return conn.fetch(n)
        finally:
            self._waited()

    def budget_note(self) -> str:
        """The note for a result cut short by sql.max_result_bytes ('' when it was not)."""
        if not self.over_budget:
            return ""
        return _("stopped at {rows} rows: the result passed {size} (sql.max_result_bytes)").format(
            rows=format_decimal(self.row_count, 0), size=limit_text(self.console.max_result_bytes))

    def rows(self, *, progress: Callable[[int], None] | None = None,
             max_bytes: int | None = None) -> Iterator[tuple]:
        """Every row, one at a time, whole (for exports). `max_bytes`: ExportLimit before the
        rows would take more in a file (see sql_values.written_bytes)."""
        self._export_bytes = max_bytes
        batches = self.batches(None)
        try:
            for batch in batches:
                # a batch holds about FETCH_BYTES at most: quick to write, so the whole-run
                # time limit (or a cancel) is looked at between batches
                if self._stop_reason is not None:
                    self._stop_now()
                yield from batch
                batch.clear()  # the rows are written: not held while the next ones come
                if progress is not None:
                    progress(self.row_count)
        finally:
            batches.close()

    def _stop_now(self) -> None:
        try:
            self._check_stop()
        except SqlError as exc:
            raise self._fail(exc) from None

    def fetch_all(self, limit: int | None | str = "display") -> list[tuple]:
        """Run and keep the rows (up to `limit`): for small results and tests."""
        out: list[tuple] = []
        for batch in self.batches(limit):
            out.extend(batch)
        return out

    def export(self, path: str | os.PathLike[str], fmt: str | None = None, *,
               progress: Callable[[int], None] | None = None,
               rows_per_sheet: int | None = None) -> ExportResult:
        """Write every row of the query to an Excel (.xlsx) or CSV (.csv) file.
        `fmt` "xlsx" or "csv", else from the file name. No file is left if it fails.
        Bounded by sql.export_timeout_seconds (the whole run: the database, the fetching and
        the writing; the query is cancelled on the server) and sql.max_export_bytes:
        ExportLimit says which one stopped it."""
        fmt = (fmt or Path(path).suffix.lstrip(".") or "xlsx").lower()
        if fmt not in ("xlsx", "csv"):
            raise ValueError(f"unknown export format {fmt!r}: xlsx or csv")
        if self.state == "ready":
            self._deadline = time.monotonic() + self.console.export_timeout_seconds
            self.start(all_rows=True)
        rows = self.rows(progress=progress, max_bytes=self.console.max_export_bytes)
        if fmt == "csv":
            return write_csv(path, self.columns, rows)
        extra = {"rows_per_sheet": rows_per_sheet} if rows_per_sheet else {}
        return write_xlsx_sheets(path, self.columns, rows, sheet="SQL", **extra)

    def close(self) -> None:
        """Give the connection back (also when the rows were not all read)."""
        if self.state == "running":
            self._finish("done")

    def __enter__(self) -> "SqlQuery":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- inside
    def _waited(self) -> None:
        since = self._waiting_since
        if since is not None:
            self._db_seconds += time.monotonic() - since
        self._waiting_since = None

    def _watch(self) -> None:
        """The time limits: sql.timeout_seconds counts the time spent waiting for the
        database, not the time the caller spends between batches (an export writing its
        file); an export's sql.export_timeout_seconds counts the whole run."""
        limit = self.console.timeout_seconds
        deadline = self._deadline
        while not self._done.wait(0.02):
            now = time.monotonic()
            if deadline is not None and now > deadline:
                self._stop("export_timeout")
                return
            since = self._waiting_since
            if since is not None and self._db_seconds + (now - since) > limit:
                self._stop("timeout")
                return

    def _check_stop(self) -> None:
        reason = self._stop_reason
        if reason == "cancel":
            raise SqlCancelled("the query was cancelled")
        if reason == "timeout":
            raise self._timeout_error()
        if reason == "export_timeout":
            raise self._export_timeout_error()

    def _timeout_error(self) -> SqlTimeout:
        limit = self.console.timeout_seconds
        shown = f"{limit:g}"
        return SqlTimeout(
            f"the query took longer than the time limit of {shown} s (sql.timeout_seconds) and was stopped"
        )

    def _export_timeout_error(self) -> ExportLimit:
        return too_slow(self.console.export_timeout_seconds)

    def _fail(self, exc: BaseException) -> BaseException:
        """The exception to raise for `exc`, after closing the connection."""
        conn = self._conn
        reason = self._stop_reason
        if reason == "cancel":
            error: BaseException = SqlCancelled("the query was cancelled")
            state = "cancelled"
        elif reason == "export_timeout":
            error, state = self._export_timeout_error(), "failed"
        elif reason == "timeout" or _is_server_timeout(conn, exc):
            error, state = self._timeout_error(), "failed"
        elif isinstance(exc, (SqlError, StatementRefused)):
            error, state = exc, "failed"
        elif isinstance(exc, MemoryError):
            error, state = SqlError(_(
                "the result did not fit in memory: select fewer or shorter values "
                "(sql.max_result_bytes bounds what is kept for showing)")), "failed"
        elif isinstance(exc, Exception) and conn is not None and _is_driver_error(exc):
            error, state = conn.error(exc, self.sql), "failed"
        else:
            self._finish("failed")
            return exc  # a bug or KeyboardInterrupt: not ours to dress up
        if isinstance(error, Exception):
            error = self.console.redactor.error(error)
        self.error = error
        self._finish(state)
        return error

    def _finish(self, state: str) -> None:
        with self._lock:
            if self._done.is_set():
                return
            self._done.set()
            conn, self._conn = self._conn, None
        self.state = state
        self.finished_at = time.monotonic()
        if conn is not None:
            try:
                conn.finish()
            finally:
                conn.close()
        if self._on_finish is not None:
            try:
                self._on_finish(self)
            except OSError:
                pass  # a history file that cannot be written must not fail the query


def _is_driver_error(exc: BaseException) -> bool:
    module = type(exc).__module__ or ""
    return module.startswith(("sqlite3", "psycopg", "pymysql")) or type(exc).__name__ in (
        "OperationalError", "ProgrammingError", "DatabaseError", "InternalError",
        "IntegrityError", "DataError", "NotSupportedError", "InterfaceError",
    )


def _is_server_timeout(conn: ReadOnlyConnection | None, exc: BaseException) -> bool:
    if conn is None:
        return False
    if conn.engine == "postgres":
        return getattr(exc, "pgcode", None) == "57014" and "timeout" in str(exc)
    if conn.engine == "mysql":
        code = exc.args[0] if getattr(exc, "args", None) and isinstance(exc.args[0], int) else None
        return code in (1969, 3024)
    return False


# -- saved queries --------------------------------------------------------------------------

@dataclass(frozen=True)
class SavedQuery:
    id: int
    owner: str
    name: str
    description: str
    sql: str


class SavedQueryNotFound(LookupError):
    pass


# -- history --------------------------------------------------------------------------------

@dataclass(frozen=True)
class HistoryEntry:
    at: str  # ISO time of the run
    sql: str
    rows: int | None
    seconds: float | None
    status: str  # done, cancelled, failed


class QueryHistory:
    """The user's own queries, newest first, kept between runs in a JSON-lines file
    (<user state dir>/pupetui/history-<company>-<user>.jsonl, readable by the user only).
    Bounded: the file is rewritten with the newest `limit` distinct queries when it grows
    to twice that."""

    def __init__(self, company: str, user: str, *, directory: str | os.PathLike[str] | None = None,
                 limit: int = HISTORY_LIMIT, redactor: Redactor | None = None):
        base = Path(directory) if directory else Path(platformdirs.user_state_dir(APP_NAME))
        self.path = base / f"history-{_safe_part(company)}-{_safe_part(user)}.jsonl"
        self.limit = limit
        self.redactor = redactor or Redactor()
        self._lock = threading.Lock()

    def add(self, sql: str, *, rows: int | None = None, seconds: float | None = None,
            status: str = "done") -> None:
        sql = self.redactor.text(sql.strip())
        if not sql:
            return
        entry = {
            "at": dt.datetime.now().replace(microsecond=0).isoformat(),
            "sql": sql, "rows": rows,
            "seconds": round(seconds, 3) if seconds is not None else None,
            "status": status,
        }
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
            lines = self._lines()
            if len(lines) > 2 * self.limit:
                self._rewrite(self._distinct(lines)[: self.limit])

    def _lines(self) -> list[dict]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        out = []
        for line in text.splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue  # a line cut by a crash: skip it
            if isinstance(item, dict) and isinstance(item.get("sql"), str):
                out.append(item)
        return out

    @staticmethod
    def _distinct(items: list[dict]) -> list[dict]:
        """Newest first, each SQL text once (its latest run)."""
        seen: set[str] = set()
        out = []
        for item in reversed(items):
            key = " ".join(item["sql"].split())
            if key in seen:
                continue
            seen.add(key)
            out.append(item)
        return out

    def _rewrite(self, newest_first: list[dict]) -> None:
        partial = self.path.with_name(self.path.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for item in reversed(newest_first):
                fh.write(json.dumps(item, ensure_ascii=False) + "\n")
        partial.replace(self.path)

    def entries(self) -> list[HistoryEntry]:
        """Newest first, each SQL text once."""
        with self._lock:
            items = self._distinct(self._lines())[: self.limit]
        return [
            HistoryEntry(at=str(i.get("at", "")), sql=i["sql"], rows=i.get("rows"),
                         seconds=i.get("seconds"), status=str(i.get("status", "")))
            for i in items
        ]

    def search(self, text: str) -> list[HistoryEntry]:
        """Entries whose SQL holds every word of `text` (case-insensitive), newest first."""
        words = text.casefold().split()
        return [e for e in self.entries() if all(w in e.sql.casefold() for w in words)]

    def clear(self) -> None:
        with self._lock:
            self.path.unlink(missing_ok=True)


# -- the console ----------------------------------------------------------------------------

class SqlConsole:
    """The SQL search of the session's user: rights, checks, queries, saved queries, history."""

    def __init__(self, url: str, *, readonly: str = "", row_limit: int = 10_000,
                 timeout_seconds: float = 30, secrets: Iterable[str] = (),
                 history_dir: str | os.PathLike[str] | None = None, company_only: bool = False,
                 max_result_bytes: int | None = MAX_RESULT_BYTES,
                 max_export_bytes: int | None = MAX_EXPORT_BYTES,
                 export_timeout_seconds: float = EXPORT_TIMEOUT_SECONDS):
        self.url = readonly_url(url, readonly)
        self.readonly_configured = bool(readonly.strip())
        self.company_only = bool(company_only)
        self.engine = engine_of(self.url)
        self.row_limit = max(1, int(row_limit))
        self.timeout_seconds = float(timeout_seconds) if timeout_seconds and timeout_seconds > 0 else 30.0
        self.redactor = Redactor(secrets)
        self.history_dir = history_dir
        # None: no limit (for callers that bound the rows otherwise; the settings always give one)
        self.max_result_bytes = int(max_result_bytes) if max_result_bytes else None
        self.max_export_bytes = int(max_export_bytes) if max_export_bytes else None
        self.export_timeout_seconds = (float(export_timeout_seconds) if export_timeout_seconds
                                       and export_timeout_seconds > 0 else float(EXPORT_TIMEOUT_SECONDS))

    @classmethod
    def from_settings(cls, settings, **extra) -> "SqlConsole":
        return cls(
            settings.db_url,
            readonly=str(settings.sql.get("readonly_url") or ""),
            row_limit=int(settings.sql.get("row_limit") or 10_000),
            timeout_seconds=float(settings.sql.get("timeout_seconds") or 30),
            secrets=configured_secrets(settings),
            company_only=_setting_on(settings.sql.get("company_only")),
            max_result_bytes=int(settings.sql.get("max_result_bytes") or MAX_RESULT_BYTES),
            max_export_bytes=int(settings.sql.get("max_export_bytes") or MAX_EXPORT_BYTES),
            export_timeout_seconds=float(settings.sql.get("export_timeout_seconds") or EXPORT_TIMEOUT_SECONDS),
            **extra,
        )

    # -- rights
    def access(self, login: str | None = None) -> SqlAccess:
        return SqlAccess.of(auth.subnames(SQL, login))

    def _require(self, what: str) -> SqlAccess:
        access = self.access()
        user = db.current().user
        if not access.any:
            raise auth.AccessDenied(f"{user} has no right to the SQL search ({SQL.script})")
        allowed = {"write": access.write, "save": access.save, "run_saved": access.run_saved}[what]
        if not allowed:
            needs = {
                "write": "may only run saved queries (alanimi READ): writing SQL needs the right "
                         "with alanimi '' or SUPER",
                "save": "may not save or delete saved queries: that needs alanimi SUPER",
                "run_saved": "may not run saved queries",
            }[what]
            raise auth.AccessDenied(f"{user} {needs} ({SQL.script})")
        return access

    def company_scope(self) -> str | None:
        """The company whose rows alone the SQL search reads (sql.company_only), or None for
        every company (Pupesoft's behaviour). On MariaDB and PostgreSQL the database account
        does the limiting, so one must be configured: NotReadOnly otherwise."""
        if not self.company_only:
            return None
        if self.engine != "sqlite" and not self.readonly_configured:
            raise NotReadOnly(
                "sql.company_only is set, but on MariaDB and PostgreSQL only a database account of "
                "the company's own can keep the other companies' rows out: set sql.readonly_url to "
                "one (`pupetui sql --grant-recipe mysql|postgres --per-company YHTIO` prints its SQL)"
            )
        return db.current().company

    # -- statements
    def check(self, sql: str) -> str:
        """The checker alone (for the editor's early feedback): the text to send, or
        StatementRefused with the part that is wrong."""
        try:
            return check(sql, self.engine)
        except StatementRefused as exc:
            raise self.redactor.error(exc) from None

    def query(self, sql: str, *, record: bool = True) -> SqlQuery:
        """A query of the user's own SQL, checked, not yet run (rights: '' or SUPER)."""
        self._require("write")
        company = self.company_scope()
        checked = self.check(sql)
        history = self.history() if record else None

        def remember(q: SqlQuery) -> None:
            if history is not None:
                history.add(sql, rows=q.row_count, seconds=q.elapsed, status=q.state)

        return SqlQuery(self, checked, source="own", on_finish=remember, company=company)

    def query_saved(self, name: str) -> SqlQuery:
        """A query of a saved SQL (any right level), checked like any other."""
        self._require("run_saved")
        company = self.company_scope()
        saved = self._find_saved(name)
        return SqlQuery(self, self.check(saved.sql), source=f"saved:{saved.name}", company=company)

    # -- saved queries
    def saved_queries(self) -> list[SavedQuery]:
        """Every saved query of the company, by name."""
        self._require("run_saved")
        rows = (SavedSearch.select()
                .where((SavedSearch.search == SAVED_KIND) & (SavedSearch.variable == SAVED_VAR))
                .order_by(SavedSearch.name, SavedSearch.owner))
        return [_saved(r) for r in rows]

    def saved(self, name: str) -> SavedQuery:
        """A saved query by name: the user's own first, else the only one of that name."""
        self._require("run_saved")
        return self._find_saved(name)

    def _find_saved(self, name: str) -> SavedQuery:
        rows = list(SavedSearch.select().where(
            (SavedSearch.search == SAVED_KIND) & (SavedSearch.variable == SAVED_VAR)
            & (SavedSearch.name == name)
        ))
        if not rows:
            raise SavedQueryNotFound(f"no saved query named {printable(name)!r}")
        own = [r for r in rows if r.owner == db.current().user]
        if own:
            return _saved(own[0])
        if len(rows) > 1:
            owners = ", ".join(sorted(r.owner for r in rows))
            raise SavedQueryNotFound(f"several saved queries are named {printable(name)!r} (by {owners})")
        return _saved(rows[0])

    def save(self, name: str, sql: str, description: str = "") -> SavedQuery:
        """Save (or overwrite the user's own) query under `name` (rights: SUPER).
        The SQL must pass the checks: a saved query is one that can run."""
        self._require("save")
        name = stored_text.check(printable(name).strip(), "name")  # Pupesoft's input rule, as for muisti.nimi
        description = stored_text.check(description or "", "description")
        if not name:
            raise ValueError("a saved query needs a name")
        if len(name) > NAME_LENGTH:
            raise ValueError(f"the name is longer than {NAME_LENGTH} characters")
        self.check(sql)
        user = db.current().user
        row = SavedSearch.get_or_none(
            (SavedSearch.owner == user) & (SavedSearch.search == SAVED_KIND)
            & (SavedSearch.variable == SAVED_VAR) & (SavedSearch.name == name)
        )
        if row is None:
            row = SavedSearch(owner=user, search=SAVED_KIND, name=name, variable=SAVED_VAR,
                              description=description, value=sql, is_array="")
        else:
            row.description = description
            row.value = sql
        row.save()
        return _saved(row)

    def delete_saved(self, saved: SavedQuery | int) -> None:
        """Delete a saved query of the company (rights: SUPER)."""
        self._require("save")
        key = saved.id if isinstance(saved, SavedQuery) else int(saved)
        deleted = SavedSearch.delete().where(
            (SavedSearch.id == key) & (SavedSearch.search == SAVED_KIND)
        ).execute()
        if not deleted:
            raise SavedQueryNotFound("that saved query does not exist any more")

    # -- history and schema
    def history(self) -> QueryHistory:
        session = db.current()
        return QueryHistory(session.company, session.user, directory=self.history_dir,
                            redactor=self.redactor)

    def schema(self) -> dict[str, list[str]]:
        """Tables and their columns for browsing and completion, the secret columns left out
        (read through the app's connection, which may see more than the read-only account)."""
        self._require("run_saved")
        database = db.database.obj
        out: dict[str, list[str]] = {}
        for table in sorted(database.get_tables()):
            columns = [c.name for c in database.get_columns(table)]
            secret = SECRETS.get(table.lower(), frozenset())
            columns = [c for c in columns if c.lower() not in secret]
            out[table] = columns
        return out


def _setting_on(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _saved(row: SavedSearch) -> SavedQuery:
    return SavedQuery(id=row.id, owner=row.owner or "", name=row.name or "",
                      description=row.description or "", sql=row.value or "")


def text_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], *, width: int = 60) -> list[str]:
    """Rows as lines of an aligned text table (for `pupetui sql`): a header, a rule, the rows;
    numbers right-aligned; every cell through cell_text (no control characters)."""
    heads = [printable(c) for c in columns]
    cells = [[cell_text(v, limit=width) for v in row] for row in rows]
    widths = [len(h) for h in heads]
    numeric = [True] * len(heads)
    for row, texts in zip(rows, cells):
        for i, (value, text) in enumerate(zip(row, texts)):
            widths[i] = max(widths[i], len(text))
            if value is not None and (type(value) not in (int, float, Decimal)):
                numeric[i] = False
    def line(texts: Sequence[str]) -> str:
        return "  ".join(
            t.rjust(widths[i]) if numeric[i] else t.ljust(widths[i]) for i, t in enumerate(texts)
        ).rstrip()
    out = [line(heads), "  ".join("-" * w for w in widths)]
    out += [line(texts) for texts in cells]
    return out
