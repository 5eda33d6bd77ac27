"""The query generator (Pupesoft's SQL-generaattori, db_sql_query.php): reports from any table
without writing SQL.

Three views on one screen:

1. the tables (those with a company column), by readable name and by their own name;
2. the form, one line per column (`FieldGrid`): tick the columns to show, give a column an
   operator and a restriction value (typed in the editor under the grid) and a sort priority;
   a bad value is marked at its line with the service's message, and nothing typed is lost;
3. the result (`ResultGrid`): the rows stream in while the query runs, with the row count.

The query is shown as SQL before it runs. Excel and CSV files get every row of the query (it
runs again for the file, not only the rows on screen). Saved queries: everyone's are listed
with whose each is, anyone's can be loaded and run, only one's own overwritten (after a
confirmation) or deleted. Every database call runs in a thread worker.

Keys (each binding has an id; F1 lists them):
- tables: Enter opens the table, `l` lists every saved query, Esc goes back to the menu;
- form: Space ticks a column, `a` ticks all or none, `o`/`O` changes the operator, Enter (or
  `e`) edits the value (Enter or Esc in the editor returns; Up/Down there move between rows),
  `s` sorts ascending/descending/not, `+`/`-` make a sort earlier/later, Delete clears a row;
  F5 (or Ctrl+R) shows the SQL and runs it, `v` shows the SQL only, Ctrl+S saves, `l` lists the
  saved queries, `x` saves an Excel file and `c` a CSV file, `t` goes to the tables, `r` shows
  the last result, Esc goes back to the tables;
- result: arrows move, Enter shows a cell's whole value, `x`/`c` save the file, Esc stops a
  running query (and, when nothing runs, goes back to the form).
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any, Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import ContentSwitcher, Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from pupetui.i18n import N_, _, format_decimal
from pupetui.screens.base import PupeScreen
from pupetui.screens.query_forms import (
    FieldGrid,
    FieldRow,
    SavedQueriesScreen,
    SqlPreviewScreen,
    apply_spec,
    describe_merge,
    kind_title,
    operator_title,
    table_label,
    value_hint,
)
from pupetui.services import auth, export_target, stored_text
from pupetui.services import query_generator as Q
from pupetui.services.export import write_csv, write_xlsx_sheets
from pupetui.services.programs import QUERY_GENERATOR
from pupetui.services.validation import ValidationError
from pupetui.screens.export_file import ExportFileScreen, shown
from pupetui.widgets.confirm import AskTextScreen, ConfirmScreen
from pupetui.widgets.literal import literal, printable
from pupetui.widgets.result_grid import ResultGrid
from pupetui.services import failures

CSS = Path(__file__).with_name("query_generator.tcss")
EXPORT_CHECK_ROWS = 1024  # a cancelled export notices within this many rows


class _ExportStopped(Exception):
    pass


def default_file_name(table: str, fmt: str, now: dt.datetime | None = None, name: str = "") -> str:
    """<download folder>/<table>[-<saved query>]-<YYYYMMDD-HHMMSS>.xlsx (or .csv), a name no file has."""
    return export_target.default_path(table, name, fmt=fmt, when=now)


def _message(exc: BaseException) -> str:
    return failures.statement_error(exc)


class QueryGeneratorScreen(PupeScreen):
    TITLE_ID = N_("Query generator")
    CSS_PATH = CSS
    BINDINGS = [
        Binding("escape", "back", N_("Back or stop"), show=False, id="back"),
        Binding("f5,ctrl+r", "run", N_("Run"), id="querygen_run"),
        Binding("v", "show_sql", N_("Show the SQL"), show=False, id="querygen_sql"),
        Binding("ctrl+s", "save", N_("Save"), id="querygen_save"),
        Binding("l", "saved", N_("Saved"), id="querygen_saved"),
        Binding("x", "export('xlsx')", N_("Excel"), id="querygen_excel"),
        Binding("c", "export('csv')", N_("CSV"), id="querygen_csv"),
        Binding("t", "tables", N_("Tables"), show=False, id="querygen_tables"),
        Binding("r", "results", N_("Last result"), show=False, id="querygen_results"),
        Binding("up", "field_move(-1)", N_("Previous row"), show=False, id="querygen_value_up"),
        Binding("down", "field_move(1)", N_("Next row"), show=False, id="querygen_value_down"),
    ]

    class _Call(Message, bubble=False):
        """A worker's answer: `fn(*args)` on the UI thread."""

        def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
            super().__init__()
            self.fn = fn
            self.args = args

    def __init__(self, *, cap: int | None = None) -> None:
        super().__init__()
        self.cap = cap
        self.view = "tables"
        self.table_names: list[str] | None = None
        self.table: str | None = None
        self.loaded: Q.SavedQuery | None = None  # the saved query the form came from
        self.denied = ""
        self.last_spec: Q.QuerySpec | None = None  # what the result grid shows
        self._export_stop: threading.Event | None = None

    # -- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with ContentSwitcher(initial="qg-tables", id="qg-views"):
            with Vertical(id="qg-tables"):
                yield Static(literal(_("Loading…")), id="qg-tables-title", classes="qg-title")
                yield OptionList(id="qg-table-list")
            with Vertical(id="qg-form"):
                yield Static("", id="qg-form-title", classes="qg-title", markup=False)
                yield FieldGrid(id="qg-fields")
                with Horizontal(id="qg-editor"):
                    yield Label("", id="qg-value-label", markup=False)
                    yield Input(id="qg-value", compact=True, placeholder=_("restriction value"))
                yield Static("", id="qg-hint", markup=False)
            with Vertical(id="qg-results"):
                yield Static("", id="qg-results-title", classes="qg-title", markup=False)
                yield ResultGrid(id="qg-grid", empty_text=_("No rows match."),
                                 **({"cap": self.cap} if self.cap else {}))
        yield Footer(compact=True)

    @property
    def fields(self) -> FieldGrid:
        return self.query_one("#qg-fields", FieldGrid)

    @property
    def grid(self) -> ResultGrid:
        return self.query_one("#qg-grid", ResultGrid)

    @property
    def value_input(self) -> Input:
        return self.query_one("#qg-value", Input)

    def on_mount(self) -> None:
        self.query_one("#qg-table-list", OptionList).focus()
        self._load_tables()

    def on_unmount(self) -> None:
        if self._export_stop is not None:  # closed while saving: no half-made file is left
            self._export_stop.set()

    def show_view(self, view: str) -> None:
        self.view = view
        self.query_one("#qg-views", ContentSwitcher).current = f"qg-{view}"
        target = {"tables": "#qg-table-list", "form": "#qg-fields", "results": "#qg-grid"}[view]
        self.query_one(target).focus()
        self.refresh_bindings()

    # -- workers answer through here ----------------------------------------------------------------

    def _later(self, fn: Callable[..., Any], *args: Any) -> None:
        self.post_message(self._Call(fn, *args))

    def on_query_generator_screen__call(self, message: _Call) -> None:
        message.stop()
        message.fn(*message.args)

    def _settings(self) -> Any:
        """The app's settings (sql.readonly_url: where the queries run), None without them."""
        return getattr(self.app, "settings", None)

    def _fail(self, exc: BaseException, *, title: str = "") -> None:
        """Tell a failure plainly (a bad value goes to its row instead)."""
        if isinstance(exc, Q.FieldError) and self.fields.index_of(exc.field or "") is not None:
            self._mark_error(exc.field, _message(exc))
            return
        severity = "error"
        if isinstance(exc, ValidationError) and not isinstance(exc, Q.SecretColumn):
            severity = "warning"
        self.notify(_message(exc), title=title, severity=severity, markup=False, timeout=10)
        if self.view == "form" and isinstance(exc, ValidationError):
            self._hint(_message(exc), error=True)

    # -- tables ----------------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="querygen-tables", exit_on_error=False)
    def _load_tables(self) -> None:
        try:
            auth.require(QUERY_GENERATOR)
            names = Q.tables()
        except Exception as exc:  # noqa: BLE001 - shown on the screen, never a traceback
            self._later(self._tables_failed, exc)
            return
        self._later(self._tables_loaded, names)

    def _tables_failed(self, exc: BaseException) -> None:
        self.denied = _message(exc)
        title = self.query_one("#qg-tables-title", Static)
        if isinstance(exc, auth.AccessDenied):
            text = _("You have no right to the query generator: {error}").format(error=self.denied)
        else:
            text = _("The tables could not be read: {error}").format(error=self.denied)
        title.update(literal(text))
        title.add_class("-error")
        self.notify(printable(text), severity="error", markup=False, timeout=10)
        self.refresh_bindings()

    def _tables_loaded(self, names: list[str]) -> None:
        self.table_names = names
        titled = sorted((n for n in names if Q.table_title(n) != n), key=lambda n: table_label(n).lower())
        others = [n for n in names if Q.table_title(n) == n]
        options = self.query_one("#qg-table-list", OptionList)
        options.clear_options()
        options.add_options([Option(literal(table_label(n)), id=n) for n in titled + others])
        if names:
            options.highlighted = 0
        self.query_one("#qg-tables-title", Static).update(literal(
            _("Choose a table: Enter opens it · l lists the saved queries") if names else _("No tables have a company column.")))
        self.refresh_bindings()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id != "qg-table-list":
            return
        event.stop()
        name = event.option.id or ""
        if name == self.table and self.fields.rows:
            self.show_view("form")
        else:
            self.loaded = None
            self._load_columns(name, None, None)

    @work(thread=True, exclusive=True, group="querygen-columns", exit_on_error=False)
    def _load_columns(self, table: str, saved: Q.SavedQuery | None, then: str | None) -> None:
        try:
            if saved is not None:  # one that names a secret (an older version saved it) is refused
                Q.check_saved(saved)
            columns = Q.columns(table)
        except Exception as exc:  # noqa: BLE001
            self._later(self._fail, exc)
            return
        self._later(self._columns_loaded, table, columns, saved, then)

    def _columns_loaded(self, table: str, columns: list[Q.Column], saved: Q.SavedQuery | None, then: str | None) -> None:
        self.table = table
        rows = [FieldRow.of(c) for c in columns]
        self.loaded = saved
        if saved is not None:
            for warning in describe_merge(apply_spec(rows, saved.spec.fields)):
                self.notify(printable(warning), severity="warning", markup=False, timeout=10)
        self.fields.set_rows(rows)
        self.show_view("form")
        self._show_form_title()
        if then == "run" and saved is not None:
            self._prepare(saved.spec, "run", None)

    # -- the form ----------------------------------------------------------------------------------------

    def spec(self) -> Q.QuerySpec:
        return Q.QuerySpec(self.table or "", self.fields.specs())

    def _show_form_title(self) -> None:
        grid = self.fields
        parts = [table_label(self.table or "")]
        if self.loaded is not None:
            parts.append(self._saved_label(self.loaded))
        parts.append(_("{shown}/{count} columns shown").format(shown=grid.shown_count(), count=len(grid.rows)))
        restricted = grid.restricted_count()
        if restricted:
            parts.append(_("{count} restricted").format(count=restricted))
        self.query_one("#qg-form-title", Static).update(literal(" · ".join(parts)))

    def _saved_label(self, saved: Q.SavedQuery) -> str:
        if saved.mine:
            return _("“{name}” (yours)").format(name=saved.name)
        return _("“{name}” by {owner}").format(name=saved.name, owner=saved.owner)

    def _show_row(self) -> None:
        """The editor and the hint line follow the row under the cursor."""
        row = self.fields.current
        label = self.query_one("#qg-value-label", Label)
        if row is None:
            label.update("")
            self._hint("")
            return
        operator = operator_title(row.spec.operator) or "="
        label.update(literal(f"{row.column.name} {operator} "))
        if self.value_input.value != row.spec.value:
            with self.prevent(Input.Changed):
                self.value_input.value = row.spec.value
        if row.error:
            self._hint(row.error, error=True)
        else:
            self._hint(f"{row.column.name} ({kind_title(row.column.kind)}): {value_hint(row.column.kind, row.spec.operator)}")

    def _hint(self, text: str, *, error: bool = False) -> None:
        hint = self.query_one("#qg-hint", Static)
        hint.update(literal(text))
        hint.set_class(error, "-error")

    def on_field_grid_highlighted(self, message: FieldGrid.Highlighted) -> None:
        message.stop()
        self._show_row()

    def on_field_grid_changed(self, message: FieldGrid.Changed) -> None:
        message.stop()
        self._show_row()
        self._show_form_title()

    def on_field_grid_edit_value(self, message: FieldGrid.EditValue) -> None:
        message.stop()
        row = self.fields.current
        if row is None:
            return
        if row.spec.operator in Q.NO_VALUE:
            self.notify(_("“{operator}” needs no value.").format(operator=operator_title(row.spec.operator)),
                        markup=False)
            return
        self.value_input.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "qg-value":
            return
        event.stop()
        grid = self.fields
        row = grid.current
        if row is None:
            return
        row.spec.value = event.value
        if event.value.strip() and not row.spec.operator:
            row.spec.operator = "="
        grid.changed(grid.cursor)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "qg-value":
            return
        event.stop()
        self.fields.focus()

    def _mark_error(self, column: str, text: str) -> None:
        if self.view != "form":
            self.show_view("form")
        self.fields.set_error(column, text)
        self._show_row()
        self.value_input.focus()
        self.app.bell()  # the message is at the row and on the hint line: a toast would hide the row

    def action_field_move(self, step: int) -> None:
        self.fields.action_move(step)

    # -- what may be done now ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        has_form = self.table is not None and bool(self.query_one("#qg-fields", FieldGrid).rows) \
            if self.is_mounted else False
        if action in ("run", "show_sql", "save", "export"):
            return True if has_form and self.view != "tables" else None
        if action == "tables":
            return self.view != "tables" or None
        if action == "results":
            return (self.view != "results" and self.last_spec is not None) or None
        if action == "saved":
            return not self.denied or None
        if action == "field_move":
            return self.is_mounted and self.focused is self.value_input
        return True

    # -- running -------------------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="querygen-prepare", exit_on_error=False)
    def _prepare(self, spec: Q.QuerySpec, purpose: str, extra: Any) -> None:
        try:
            built = Q.build(spec)
            sql = built.formatted_sql()
        except Exception as exc:  # noqa: BLE001 - a bad value goes to its row, the rest is told
            self._later(self._fail, exc)
            return
        self._later(self._prepared, spec, built, sql, purpose, extra)

    def _prepared(self, spec: Q.QuerySpec, built: Q.BuiltQuery, sql: str, purpose: str, extra: Any) -> None:
        self.fields.clear_errors()
        if self.view == "form":
            self._show_row()
        if purpose == "run":
            self.app.push_screen(SqlPreviewScreen(sql), lambda yes: self._start(spec, built) if yes else None)
        elif purpose == "sql":
            self.app.push_screen(SqlPreviewScreen(sql, run=False))
        elif purpose == "export":
            self._ask_file(spec, built, extra)

    def action_run(self) -> None:
        self._prepare(self.spec(), "run", None)

    def action_show_sql(self) -> None:
        self._prepare(self.spec(), "sql", None)

    def _start(self, spec: Q.QuerySpec, built: Q.BuiltQuery) -> None:
        self.last_spec = spec
        title = table_label(spec.table)
        if self.loaded is not None:
            title += " · " + self._saved_label(self.loaded)
        self.query_one("#qg-results-title", Static).update(literal(title))
        self.show_view("results")
        settings = self._settings()
        self.grid.stream(lambda: (built.headers, built.kinds, Q.rows_for_showing(built, settings=settings)),
                         headers=built.headers, kinds=built.kinds)

    def on_result_grid_finished(self, message: ResultGrid.Finished) -> None:
        message.stop()
        self.refresh_bindings()

    def action_results(self) -> None:
        if self.last_spec is not None:
            self.show_view("results")

    def action_tables(self) -> None:
        self.show_view("tables")

    def action_back(self) -> None:
        if self.grid.running:
            self.grid.cancel()
            self.notify(_("The query was stopped."), markup=False)
            return
        if self._export_stop is not None:
            self._export_stop.set()
            return
        if self.view == "results":
            self.show_view("form" if self.fields.rows else "tables")
        elif self.view == "form":
            if self.focused is self.value_input:
                self.fields.focus()
            else:
                self.show_view("tables")
        else:
            self.dismiss()

    # -- files ---------------------------------------------------------------------------------------------

    def action_export(self, fmt: str) -> None:
        if self._export_stop is not None:
            self.notify(_("A file is being saved already; Esc stops it."), severity="warning", markup=False)
            return
        spec = self.last_spec if self.view == "results" and self.last_spec is not None else self.spec()
        self._prepare(spec, "export", fmt)

    def _ask_file(self, spec: Q.QuerySpec, built: Q.BuiltQuery, fmt: str) -> None:
        title = _("Save every row as an Excel file") if fmt == "xlsx" else _("Save every row as a CSV file")
        self.app.push_screen(
            ExportFileScreen(title, _("Every row of the query is saved, not only those on screen. File name:"),
                             default_file_name(spec.table, fmt), fmt),
            lambda path: self._start_export(spec, built, path, fmt) if path is not None else None,
        )

    def _start_export(self, spec: Q.QuerySpec, built: Q.BuiltQuery, path: Path, fmt: str) -> None:
        self._export_stop = threading.Event()
        self.notify(_("Saving every row to {path}… (Esc stops)").format(path=shown(path)), markup=False)
        self._export(spec.table, built, path, fmt, self._export_stop, self._settings())

    @work(thread=True, exclusive=True, group="querygen-export", exit_on_error=False)
    def _export(self, table: str, built: Q.BuiltQuery, path: Path, fmt: str, stop: threading.Event,
                settings: Any) -> None:
        def rows():
            for n, row in enumerate(Q.export_rows(built, settings=settings)):
                if not n % EXPORT_CHECK_ROWS and stop.is_set():
                    raise _ExportStopped()
                yield row

        try:
            if fmt == "xlsx":
                result = write_xlsx_sheets(path, built.headers, rows(), sheet=table)
            else:
                result = write_csv(path, built.headers, rows())
        except _ExportStopped:
            self._later(self._export_done, None, _("Saving was stopped; no file was written."))
            return
        except Exception as exc:  # noqa: BLE001 - ExportError (a message for a person) or the database's
            self._later(self._export_done, None, _("The file could not be saved: {error}").format(error=_message(exc)))
            return
        self._later(self._export_done, result, "")

    def _export_done(self, result: Any, error: str) -> None:
        self._export_stop = None
        if error:
            self.notify(printable(error), severity="error", markup=False, timeout=10)
            return
        rows = format_decimal(result.rows, 0)
        text = _("Saved {rows} rows to {path}").format(rows=rows, path=shown(result.path))
        if result.sheets > 1:
            text += " " + _("on {sheets} sheets").format(sheets=result.sheets)
        self.notify(printable(text), title=_("Exported"), markup=False, timeout=10)
        self.app.deliver_export(result.path)

    # -- saved queries ------------------------------------------------------------------------------------------

    def action_saved(self) -> None:
        self._load_saved(self.table if self.view != "tables" else None)

    @work(thread=True, exclusive=True, group="querygen-saved", exit_on_error=False)
    def _load_saved(self, table: str | None) -> None:
        try:
            saved = Q.saved_queries(table)
        except Exception as exc:  # noqa: BLE001
            self._later(self._fail, exc)
            return
        self._later(self._show_saved, saved, table)

    def _show_saved(self, saved: list[Q.SavedQuery], table: str | None) -> None:
        self.app.push_screen(SavedQueriesScreen(saved, table), self._saved_chosen)

    def _saved_chosen(self, choice: tuple[str, Q.SavedQuery] | None) -> None:
        if choice is None:
            return
        what, saved = choice
        if what == "delete":
            self.app.push_screen(
                ConfirmScreen(_("Delete your saved query “{name}”?").format(name=saved.name)),
                lambda yes: self._delete(saved) if yes else None,
            )
            return
        self._load_columns(saved.table, saved, "run" if what == "run" else None)

    @work(thread=True, exclusive=True, group="querygen-saved", exit_on_error=False)
    def _delete(self, saved: Q.SavedQuery) -> None:
        try:
            Q.delete_saved(saved.id)
        except Exception as exc:  # noqa: BLE001 - e.g. AccessDenied for another user's query
            self._later(self._fail, exc)
            return
        self._later(self._deleted, saved)

    def _deleted(self, saved: Q.SavedQuery) -> None:
        if self.loaded is not None and self.loaded.id == saved.id:
            self.loaded = None
            if self.view == "form":
                self._show_form_title()
        self.notify(_("The saved query “{name}” was deleted.").format(name=saved.name), markup=False)

    def action_save(self) -> None:
        default = self.loaded.name if self.loaded is not None else ""
        label = _("Name (your own query of the same name is replaced):")
        changed = [f.value for f in self.spec().fields if stored_text.changes(f.value or "")]
        if changed:  # the values are stored as Pupesoft's input rule leaves them: say so first
            label = stored_text.note(" · ".join(changed)) + "\n" + label
        self.app.push_screen(
            AskTextScreen(_("Save the query"), label, default, stored=True),
            lambda name: self._save(name.strip(), self.spec(), False) if name and name.strip() else None,
        )

    @work(thread=True, exclusive=True, group="querygen-save", exit_on_error=False)
    def _save(self, name: str, spec: Q.QuerySpec, confirmed: bool) -> None:
        try:
            if not confirmed and any(q.name == name and q.mine for q in Q.saved_queries()):
                self._later(self._confirm_overwrite, name, spec)
                return
            Q.save(name, spec)
            saved = self._own(name)
        except Exception as exc:  # noqa: BLE001
            self._later(self._fail, exc)
            return
        self._later(self._saved, saved)

    @staticmethod
    def _own(name: str) -> Q.SavedQuery | None:
        return next((q for q in Q.saved_queries() if q.name == name and q.mine), None)

    def _confirm_overwrite(self, name: str, spec: Q.QuerySpec) -> None:
        self.app.push_screen(
            ConfirmScreen(_("You have a saved query “{name}” already. Replace it?").format(name=name)),
            lambda yes: self._save(name, spec, True) if yes else None,
        )

    def _saved(self, saved: Q.SavedQuery | None) -> None:
        if saved is not None:
            self.loaded = saved
        self._show_form_title()
        name = saved.name if saved is not None else ""
        self.notify(_("Saved the query “{name}”.").format(name=name), markup=False)
