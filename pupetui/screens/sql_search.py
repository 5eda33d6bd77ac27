"""The SQL search (Pupesoft's SQL-haku, raportit/sql-query.php): read-only SQL for power users.

An editor (TextArea with SQL highlighting) above the result grid. The statement is checked
before anything runs (a refused one shows the checker's message with the line and column); it
runs in a thread worker on a read-only connection, the rows stream into the grid (the first
screenful at once), the grid's status line has the row count and the time; Esc cancels.
Excel/CSV export runs the current query again for every row. The history of one's own queries
and the company's saved queries are a key away.

Rights (services.sql_console): alanimi '' writes and runs own SQL and loads saved queries;
'SUPER' also saves and deletes saved queries; 'READ' only runs (and exports) saved queries, so
the editor is read-only and the saved list (F3) is the way in. No right: the screen says so.

Keys (each binding has an id; F1 lists them): F5 or Ctrl+Enter runs, Esc stops a running query
or export (when nothing runs, goes back), F4 formats the SQL, F2 shows the tables and columns,
Ctrl+Space (or Ctrl+N, which every terminal passes) completes a table or column name at the cursor, Ctrl+R searches the history, F3
lists the saved queries, Ctrl+S saves, F8 exports (.xlsx or .csv by the file name), Tab moves
between the editor and the grid; in the grid Enter shows a cell's whole value.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from typing import Any, Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Footer, Header, Static, TextArea

from pupetui.i18n import N_, _, format_decimal
from pupetui.screens.base import PupeScreen
from pupetui.screens.export_file import ExportFileScreen, shown
from pupetui.screens.sql_forms import (
    CompletionScreen,
    SavedSqlScreen,
    SaveSqlScreen,
    SchemaScreen,
    SqlHistoryScreen,
)
from pupetui.services import export_target
from pupetui.services.sql_console import (
    SavedQuery,
    SqlAccess,
    SqlCancelled,
    SqlConsole,
    SqlQuery,
    format_sql,
)
from pupetui.widgets.confirm import ConfirmScreen
from pupetui.widgets.literal import literal, printable
from pupetui.widgets.result_grid import ResultGrid
from pupetui.services import failures

CSS = Path(__file__).with_name("sql_search.tcss")
WORD = re.compile(r"[A-Za-z0-9_$.]*$")
MAX_COMPLETIONS = 200
PROGRESS_SECONDS = 0.25


def default_export_name(now: dt.datetime | None = None, what: str = "") -> str:
    """<download folder>/sql[-<saved query>]-YYYYMMDD-HHMMSS.xlsx, a name no file has."""
    return export_target.default_path("sql", what, fmt="xlsx", when=now)


def message_of(exc: BaseException) -> str:
    """An exception as one plain sentence for a person (the database's message, the line and
    column where there are some; never a traceback)."""
    return failures.statement_error(exc)


def completions(schema: dict[str, list[str]], word: str) -> tuple[str, list[str]]:
    """(the part of `word` to replace, the names that complete it): `table.col` offers that
    table's columns, anything else the tables and then the columns starting with it."""
    if "." in word:
        table, _dot, part = word.rpartition(".")
        columns = next((cols for name, cols in schema.items() if name.casefold() == table.casefold()), None)
        if columns is None:  # an alias: every column
            columns = sorted({c for cols in schema.values() for c in cols})
        low = part.casefold()
        return part, [c for c in columns if c.casefold().startswith(low)][:MAX_COMPLETIONS]
    low = word.casefold()
    tables = [t for t in schema if t.casefold().startswith(low)]
    columns = sorted({c for cols in schema.values() for c in cols if c.casefold().startswith(low)} - set(tables))
    return word, (tables + columns)[:MAX_COMPLETIONS]


class SqlSearchScreen(PupeScreen):
    TITLE_ID = N_("SQL search")
    CSS_PATH = CSS
    BINDINGS = [
        # not in the key bar (the running query's status line says "Esc stops"): room for the rest
        Binding("escape", "stop_or_back", N_("Stop or back"), show=False, id="sql_back"),
        Binding("f5,ctrl+enter", "run", N_("Run"), id="sql_run"),
        Binding("f4", "format", N_("Format"), show=False, id="sql_format"),
        Binding("f2", "schema", N_("Tables"), id="sql_schema"),
        Binding("ctrl+space,ctrl+@,ctrl+n", "complete", N_("Complete the name"), show=False, id="sql_complete"),
        Binding("f3", "saved", N_("Saved"), id="sql_saved"),
        Binding("ctrl+s", "save", N_("Save"), id="sql_save"),
        Binding("ctrl+r", "history", N_("History"), id="sql_history"),
        Binding("f8", "export", N_("Export"), id="sql_export"),
    ]

    class _Call(Message, bubble=False):
        """A worker's answer: `fn(*args)` on the UI thread."""

        def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
            super().__init__()
            self.fn = fn
            self.args = args

    def __init__(self) -> None:
        super().__init__()
        self.console: SqlConsole | None = None
        self.access: SqlAccess | None = None
        self.denied = ""
        self.schema: dict[str, list[str]] | None = None
        self.current_saved: SavedQuery | None = None  # the saved query in the editor
        self.last: tuple[str, str] | None = None  # ("own", sql) or ("saved", name): what ran last
        self.query_running: SqlQuery | None = None
        self.export_running: SqlQuery | None = None
        self.message = ""

    # -- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="sql-main"):
            editor = TextArea.code_editor("", id="sql-editor", soft_wrap=False, tab_behavior="focus")
            if "sql" in editor.available_languages:
                editor.language = "sql"
            editor.show_line_numbers = True
            yield editor
            yield Static(literal(_("Loading…")), id="sql-status")
            yield ResultGrid(id="sql-grid", empty_text=_("No rows."))
        yield Static("", id="sql-denied")
        # its keys take the 80 columns: ctrl+p (the palette) is listed by F1 instead
        yield Footer(compact=True, show_command_palette=False)

    @property
    def editor(self) -> TextArea:
        return self.query_one("#sql-editor", TextArea)

    @property
    def grid(self) -> ResultGrid:
        return self.query_one("#sql-grid", ResultGrid)

    def on_mount(self) -> None:
        self.query_one("#sql-denied").display = False
        self.editor.read_only = True
        self._open()

    # -- workers answer through here -------------------------------------------------------------

    def _later(self, fn: Callable[..., Any], *args: Any) -> None:
        self.post_message(self._Call(fn, *args))

    def on_sql_search_screen__call(self, message: _Call) -> None:
        message.stop()
        message.fn(*message.args)

    def say(self, text: str, *, error: bool = False) -> None:
        """The line under the editor."""
        self.message = text
        status = self.query_one("#sql-status", Static)
        status.update(literal(text))
        status.set_class(error, "-error")

    def _hint(self) -> str:
        if self.access is not None and not self.access.write:
            return _("You may run saved queries only: F3 lists them, F5 runs the chosen one, F8 exports it.")
        return _("F5 runs · F4 formats · F2 tables · Ctrl+Space completes · Ctrl+R history · F3 saved")

    # -- opening ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="sql-open", exit_on_error=False)
    def _open(self) -> None:
        try:
            console = SqlConsole.from_settings(self.app.settings)
            access = console.access()
        except Exception as exc:  # noqa: BLE001 - shown on the screen, never a traceback
            self._later(self._opened, None, None, message_of(exc))
            return
        self._later(self._opened, console, access, "")

    def _opened(self, console: SqlConsole | None, access: SqlAccess | None, error: str) -> None:
        self.console, self.access = console, access
        if console is None or access is None or not access.any:
            self.denied = error or _("You have no right to the SQL search ({script}).").format(
                script="raportit/sql-query.php")
            self.query_one("#sql-main").display = False
            denied = self.query_one("#sql-denied", Static)
            denied.update(literal(self.denied))
            denied.display = True
            self.refresh_bindings()
            return
        editor = self.editor
        editor.read_only = not access.write
        editor.set_class(not access.write, "-read-only")
        self.say(self._hint())
        (editor if access.write else self.grid).focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop_or_back":
            return True
        if self.denied or self.access is None:
            return False
        if action in ("format", "complete", "history") and not self.access.write:
            return False
        return True

    # -- running ---------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.grid.running or self.export_running is not None

    def action_run(self) -> None:
        if self.console is None or self.access is None:
            return
        if self.running:
            self.say(_("A query is running: Esc stops it."))
            return
        try:
            if self.access.write:
                sql = self.editor.text
                if not sql.strip():
                    self.say(_("Write a query first."), error=True)
                    return
                query = self.console.query(sql)
                self.last = ("own", sql)
            else:
                if self.current_saved is None:
                    self.action_saved()
                    return
                query = self.console.query_saved(self.current_saved.name)
                self.last = ("saved", self.current_saved.name)
        except Exception as exc:  # noqa: BLE001 - StatementRefused, AccessDenied, ...: plain
            self.say(message_of(exc), error=True)
            return
        self._run(query)

    def _run(self, query: SqlQuery) -> None:
        console = self.console
        assert console is not None
        limit = console.row_limit
        self.query_running = query
        self.grid.cap = limit

        def source():
            columns = query.start()
            # one row past the cap tells the grid that more were left
            rows = (row for batch in query.batches(limit + 1) for row in batch)
            return columns, rows

        self.say(_("Running… Esc stops the query."))
        self.grid.stream(source, interrupt=query.cancel, count_all=False)

    def on_result_grid_finished(self, event: ResultGrid.Finished) -> None:
        event.stop()
        grid = event.grid
        query, self.query_running = self.query_running, None
        if grid.state == "error":
            self.say(_("The query failed: {error}").format(error=grid.error), error=True)
        elif grid.state == "done" and query is not None and query.over_budget:
            grid.mark_more()
            note = query.budget_note()
            self.say(note[:1].upper() + note[1:] + ".")
        elif grid.state == "done":
            self.say(self._hint())  # the count and the time are on the grid's status line

    def action_stop_or_back(self) -> None:
        if self.export_running is not None:
            self.export_running.cancel()
            self.say(_("Stopping the export…"))
            return
        if self.grid.running:
            self.grid.cancel()  # calls query.cancel(): the database stops within a moment
            self.query_running = None
            self.say(_("The query was cancelled."), error=True)
            return
        self.dismiss()

    def on_unmount(self) -> None:
        if self.export_running is not None:  # leaving (or quitting) stops a running export
            self.export_running.cancel()

    # -- the editor ------------------------------------------------------------------------------

    def action_format(self) -> None:
        if self.access is None or not self.access.write:
            return
        try:
            text = format_sql(self.editor.text)
        except Exception as exc:  # noqa: BLE001
            self.say(message_of(exc), error=True)
            return
        self.editor.text = text

    def set_sql(self, sql: str) -> None:
        editor = self.editor
        editor.text = sql
        editor.move_cursor(editor.document.end)

    @work(thread=True, exclusive=True, group="sql-schema", exit_on_error=False)
    def _load_schema(self, then: Callable[[], None]) -> None:
        try:
            assert self.console is not None
            schema = self.console.schema()
        except Exception as exc:  # noqa: BLE001
            self._later(self.say, message_of(exc), error=True)
            return
        self._later(self._schema_loaded, schema, then)

    def _schema_loaded(self, schema: dict[str, list[str]], then: Callable[[], None]) -> None:
        self.schema = schema
        then()

    def _with_schema(self, then: Callable[[], None]) -> None:
        if self.schema is None:
            self.say(_("Reading the tables…"))
            self._load_schema(then)
        else:
            then()

    def action_schema(self) -> None:
        self._with_schema(self._show_schema)

    def _show_schema(self) -> None:
        assert self.schema is not None

        def chosen(name: str | None) -> None:
            if name and self.access is not None and self.access.write:
                self.editor.insert(name)
            self.editor.focus() if self.access and self.access.write else None

        self.app.push_screen(SchemaScreen(self.schema), chosen)

    def action_complete(self) -> None:
        if self.access is None or not self.access.write:
            return
        self._with_schema(self._complete)

    def _complete(self) -> None:
        assert self.schema is not None
        editor = self.editor
        row, column = editor.cursor_location
        line = editor.document.get_line(row)[:column]
        word = WORD.search(line).group(0)  # type: ignore[union-attr]
        part, names = completions(self.schema, word)
        if not names:
            self.say(_("No table or column starts with “{word}”.").format(word=word))
            return

        def chosen(name: str | None) -> None:
            if name:
                editor.replace(name, (row, column - len(part)), (row, column))
            editor.focus()

        if len(names) == 1:
            chosen(names[0])
        else:
            self.app.push_screen(CompletionScreen(names), chosen)

    # -- history ---------------------------------------------------------------------------------

    def action_history(self) -> None:
        if self.console is None or self.access is None or not self.access.write:
            return
        try:
            history = self.console.history()
        except Exception as exc:  # noqa: BLE001
            self.say(message_of(exc), error=True)
            return

        def chosen(sql: str | None) -> None:
            if sql:
                self.current_saved = None
                self.set_sql(sql)
            self.editor.focus()

        self.app.push_screen(SqlHistoryScreen(history.search), chosen)

    # -- saved queries ---------------------------------------------------------------------------

    def action_saved(self) -> None:
        if self.console is not None:
            self._load_saved()

    @work(thread=True, exclusive=True, group="sql-saved", exit_on_error=False)
    def _load_saved(self) -> None:
        try:
            assert self.console is not None
            saved = self.console.saved_queries()
        except Exception as exc:  # noqa: BLE001
            self._later(self.say, message_of(exc), True)
            return
        self._later(self._show_saved, saved)

    def _show_saved(self, saved: list[SavedQuery]) -> None:
        assert self.access is not None
        self.app.push_screen(SavedSqlScreen(saved, self.access), self._saved_chosen)

    def _saved_chosen(self, choice: tuple[str, SavedQuery] | None) -> None:
        if not choice:
            return
        what, query = choice
        if what == "delete":
            question = _("Delete the saved query “{name}”?").format(name=query.name)
            self.app.push_screen(ConfirmScreen(question), lambda yes: self._delete(query) if yes else None)
            return
        self.current_saved = query
        self.set_sql(query.sql)
        if what == "run":
            if self.running:
                self.say(_("A query is running: Esc stops it."))
                return
            try:
                assert self.console is not None
                q = self.console.query_saved(query.name)
            except Exception as exc:  # noqa: BLE001
                self.say(message_of(exc), error=True)
                return
            self.last = ("saved", query.name)
            self._run(q)
        else:
            self.say(_("Loaded “{name}”.").format(name=query.name))
            self.editor.focus()

    @work(thread=True, exclusive=True, group="sql-save", exit_on_error=False)
    def _delete(self, query: SavedQuery) -> None:
        try:
            assert self.console is not None
            self.console.delete_saved(query)
        except Exception as exc:  # noqa: BLE001
            self._later(self.say, message_of(exc), True)
            return
        self._later(self._deleted, query)

    def _deleted(self, query: SavedQuery) -> None:
        if self.current_saved is not None and self.current_saved.id == query.id:
            self.current_saved = None
        self.say(_("Deleted “{name}”.").format(name=query.name))

    def action_save(self) -> None:
        if self.console is None or self.access is None:
            return
        if not self.access.save:
            self.say(_("Saving queries needs the SUPER right."), error=True)
            return
        sql = self.editor.text
        try:
            self.console.check(sql)
        except Exception as exc:  # noqa: BLE001 - a saved query must be one that can run
            self.say(message_of(exc), error=True)
            return
        saved = self.current_saved
        self.app.push_screen(
            SaveSqlScreen(saved.name if saved else "", saved.description if saved else ""),
            lambda answer: self._save(answer[0], sql, answer[1]) if answer else None,
        )

    @work(thread=True, exclusive=True, group="sql-save", exit_on_error=False)
    def _save(self, name: str, sql: str, description: str) -> None:
        try:
            assert self.console is not None
            saved = self.console.save(name, sql, description)
        except Exception as exc:  # noqa: BLE001
            self._later(self.say, message_of(exc), True)
            return
        self._later(self._saved_done, saved)

    def _saved_done(self, saved: SavedQuery) -> None:
        self.current_saved = saved
        self.say(_("Saved “{name}”.").format(name=saved.name))

    # -- export ----------------------------------------------------------------------------------

    def action_export(self) -> None:
        if self.console is None or self.access is None:
            return
        if self.running:
            self.say(_("A query is running: Esc stops it."))
            return
        what = self.last
        if what is None:
            if self.access.write and self.editor.text.strip():
                what = ("own", self.editor.text)
            elif self.current_saved is not None:
                what = ("saved", self.current_saved.name)
            else:
                self.say(_("Run a query first."), error=True)
                return
        try:  # checked now, so a refused statement is told before the file name is asked
            self._make_query(what)
        except Exception as exc:  # noqa: BLE001
            self.say(message_of(exc), error=True)
            return
        self.app.push_screen(
            ExportFileScreen(_("Export every row"), _("File (.xlsx or .csv):"), default_export_name(what=what[1] if what[0] == "saved" else ""), ("xlsx", "csv")),
            lambda path: self._start_export(what, path) if path is not None else None,
        )

    def _make_query(self, what: tuple[str, str]) -> SqlQuery:
        assert self.console is not None
        kind, text = what
        return self.console.query(text, record=False) if kind == "own" else self.console.query_saved(text)

    def _start_export(self, what: tuple[str, str], target: Path) -> None:
        fmt = target.suffix.lower().lstrip(".")  # checked by the dialog: xlsx or csv
        try:
            query = self._make_query(what)
        except Exception as exc:  # noqa: BLE001
            self.say(message_of(exc), error=True)
            return
        self.export_running = query
        self.say(_("Exporting… Esc stops the export."))
        self._export(query, target, fmt)

    @work(thread=True, exclusive=True, group="sql-export", exit_on_error=False)
    def _export(self, query: SqlQuery, target: Path, fmt: str) -> None:
        last = [0.0]

        def progress(rows: int) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_SECONDS:
                last[0] = now
                self._later(self._export_progress, query, rows)

        try:
            result = query.export(target, fmt, progress=progress)
        except SqlCancelled:
            self._later(self._export_done, query, _("The export was cancelled."), True)
            return
        except Exception as exc:  # noqa: BLE001 - SqlError, OSError, ...: plain
            self._later(self._export_done, query, _("The export failed: {error}").format(error=message_of(exc)), True)
            return
        rows = getattr(result, "rows", query.row_count)
        self._later(self._export_done, query, _("Saved {rows} rows to {file}.").format(
            rows=format_decimal(rows, 0), file=shown(result.path)), False)
        self._later(self.app.deliver_export, result.path)

    def _export_progress(self, query: SqlQuery, rows: int) -> None:
        if self.export_running is query:
            self.say(_("Exporting… {rows} rows · Esc stops the export.").format(rows=format_decimal(rows, 0)))

    def _export_done(self, query: SqlQuery, text: str, error: bool) -> None:
        if self.export_running is query:
            self.export_running = None
        self.say(text, error=error)


__all__ = ["SqlSearchScreen", "completions", "default_export_name"]
