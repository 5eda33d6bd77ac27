"""The customer list (Pupesoft's asiakaslista): type-ahead search, filters, sorting, paging.

The list is a `PagedTable`: it fetches only the pages on screen through
`services.customers.page`, and counts the rows in a worker of its own, so a list of a million
customers opens as fast as one of a hundred. Every database call runs in a thread worker.

Keys (each binding has an id for the user's keymap; F1 lists them):
- the search has the focus at first: typing narrows the list as you type (each keystroke
  cancels the fetch of the previous one; the search runs after SEARCH_DELAY of quiet);
  Enter, Tab or Down goes to the list, where the keys below work;
- Enter opens the memo of the highlighted customer, `e` edits it, `n` creates a customer;
- `/` goes back to the search, `F` opens the filters (department, group, district,
  salesperson, status), `f` filters a column by text, `g` shows the whole group (konserni);
- `s` sorts by the next column, `S` reverses the order (or click a column title);
- `x` saves what the filters select as an Excel file; Esc goes back to the menu.

`MemoCustomerListScreen` is the same list opened as the "Customer memo" program.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static

from pupetui.i18n import N_, _, format_decimal
from pupetui.screens.base import PupeModalScreen, PupeScreen
from pupetui.services import customer_edit, customers, export_target
from pupetui.services.customers import COLUMNS, CustomerQuery, CustomerRow
from pupetui.screens.export_file import ExportFileScreen, shown
from pupetui.widgets.literal import literal, printable
from pupetui.widgets.paged_table import PagedTable, TableColumn
from pupetui.services import failures

CSS = Path(__file__).with_name("customers.tcss")
SEARCH_DELAY = 0.04  # seconds of quiet after a keystroke before the list is searched
PROSPECT_MARK = "◇"
FILTER_FIELDS = (  # CustomerQuery attribute, label (message id)
    ("department", N_("Department")),
    ("customer_group", N_("Group")),
    ("district", N_("District")),
    ("salesperson_no", N_("Salesperson")),
    ("status", N_("Status")),
)


def list_filter_descriptions(query: CustomerQuery, choices: dict[str, list[customers.Choice]]) -> list[str]:
    """The list filters set in the query, in words ("Department: 10 Teollisuus")."""
    parts = []
    for name, label in FILTER_FIELDS:
        value = getattr(query, name)
        if value is None:
            continue
        shown = next((c.label for c in choices.get(name, []) if c.value == str(value)), str(value))
        parts.append(f"{_(label)}: {shown}")
    return parts


def filter_select(name: str, query: CustomerQuery, choices: dict[str, list[customers.Choice]],
                  select_id: str) -> Select:
    """A list filter's Select: its choices (the query's value kept even when not among them)."""
    options = [(literal(c.label), c.value) for c in choices.get(name, [])]
    value = getattr(query, name)
    value = "" if value is None else str(value)
    if value and value not in [v for _l, v in options]:
        options.append((literal(value), value))
    return Select(options, prompt=_("(all)"), value=value if value else Select.NULL, id=select_id, compact=True)


def filter_value(name: str, selected: Any) -> Any:
    """A list filter Select's value as the query's value (None = all)."""
    if selected == Select.NULL or selected in (None, ""):
        return None
    if name == "salesperson_no":
        return int(selected) if str(selected).isdigit() else None
    return str(selected)


# the columns a wider terminal widens (shares of the room beyond every column's width)
GROWING_COLUMNS = {"name": 2, "email": 1}


def list_columns(whole_group: bool) -> list[TableColumn]:
    """The table's columns; the company column only when the whole group is shown."""
    return [
        TableColumn(c.id, _(c.title_key), c.width, grow=GROWING_COLUMNS.get(c.id, 0))
        for c in COLUMNS
        if c.id != "company" or whole_group
    ]


def count_text(count: int) -> str:
    if count == 1:
        return _("1 customer")
    return _("{count} customers").format(count=format_decimal(count, places=0))


def _fetch_page(query: CustomerQuery, offset: int, limit: int) -> list[CustomerRow]:
    return customers.page(query, offset, limit)


def _count(query: CustomerQuery) -> int:
    return customers.count(query)


@dataclass
class ListContext:
    """What the screen loads once: the filter choices and whether the user may edit."""

    choices: dict[str, list[customers.Choice]]
    may_edit: bool
    group_companies: list[str]  # the companies the whole-group view would show
    may_view: bool = False  # opens customers read-only (the right without its update flag)


class CustomerListScreen(PupeScreen):
    TITLE_ID = N_("Customer list")
    CSS_PATH = CSS
    BINDINGS = [
        Binding("escape", "back", N_("Back"), show=False, id="back"),
        Binding("enter", "open_memo", N_("Memo"), id="open_memo"),
        Binding("e", "edit", N_("Edit"), id="edit_customer"),
        Binding("n", "new", N_("New"), id="new_customer"),
        Binding("slash", "focus_search", N_("Search"), show=False, id="focus_search"),
        Binding("F", "filters", N_("Filters"), id="customer_filters"),
        Binding("f", "column_filter", N_("Filter a column"), show=False, id="column_filter"),
        Binding("s", "sort_next", N_("Sort"), id="sort_next"),
        Binding("S", "sort_reverse", N_("Reverse the order"), show=False, id="sort_reverse"),
        Binding("g", "whole_group", N_("Whole group"), show=False, id="whole_group"),
        Binding("x", "export", N_("Excel"), id="export_excel"),
        Binding("down", "to_list", N_("Go to the list"), show=False, id="to_list"),
    ]

    class ContextLoaded(Message):
        def __init__(self, context: ListContext) -> None:
            super().__init__()
            self.list_context = context

    class Exported(Message):
        def __init__(self, path: str, rows: int, truncated: bool) -> None:
            super().__init__()
            self.path = path
            self.rows = rows
            self.truncated = truncated

    class ExportFailed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self) -> None:
        super().__init__()
        self.query_state = CustomerQuery()
        self.list_context: ListContext | None = None
        self._search_timer: Timer | None = None
        self._reload_on_resume = False
        self._leaving_search = False  # Enter in the search has sent the focus to the list
        self._find: tuple[int, str] | None = None  # (id, name) of a saved customer to show
        self._find_by_name = False

    # -- layout ----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="customers-search-row"):
            yield Label(literal(_("Search:")), id="customers-search-label")
            yield Input(
                placeholder=_("name, town, business ID, number, phone or email"),
                id="customers-search",
                compact=True,
                max_length=customers.MAX_SEARCH,
            )
        yield Static("", id="customers-filters", markup=False)
        yield PagedTable(
            list_columns(False),
            _fetch_page,
            count=_count,
            value=lambda row, column_id: row.value(column_id),
            mark=lambda row: PROSPECT_MARK if row.is_prospect else "",
            key=lambda row: row.id,
            placeholder=_("Loading…"),
            empty_text=_("No customers match."),
            id="customers-table",
        )
        yield Static("", id="customers-status", markup=False)
        yield Footer(compact=True)

    @property
    def table(self) -> PagedTable:
        return self.query_one("#customers-table", PagedTable)

    @property
    def search(self) -> Input:
        return self.query_one("#customers-search", Input)

    def on_mount(self) -> None:
        self._apply_query(self.query_state)
        self.search.focus()
        self._load_context()

    @work(thread=True, exclusive=True, group="customers-context", exit_on_error=False)
    def _load_context(self) -> None:
        try:
            loaded = ListContext(customers.filter_choices(), customer_edit.may_edit(), customers.group_companies(),
                                 customer_edit.may_view())
        except Exception:  # noqa: BLE001 - the list works without; retried when needed
            return
        self.post_message(self.ContextLoaded(loaded))

    def on_customer_list_screen_context_loaded(self, message: ContextLoaded) -> None:
        self.list_context = message.list_context
        self._show_filters()

    def _list_context(self) -> ListContext:
        if self.list_context is None:  # not loaded yet (or it failed): ask now
            self.list_context = ListContext(customers.filter_choices(), customer_edit.may_edit(), customers.group_companies(),
                                 customer_edit.may_view())
        return self.list_context

    # -- the query -------------------------------------------------------------------------------
    def _apply_query(self, query: CustomerQuery, *, select_key: int | None = None) -> None:
        table = self.table
        if query.whole_group != self.query_state.whole_group or not table.columns:
            table.set_columns(list_columns(query.whole_group))
        self.query_state = query
        table.set_sort(query.sort, query.descending)
        table.set_query(query, select_key=select_key)
        self._show_filters()
        self._show_status()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "customers-search":
            return
        event.stop()
        self.table.cancel(count=False)  # the previous keystroke's pages are not wanted any more
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY, self._search_now)

    def _search_now(self) -> None:
        self._search_timer = None
        text = self.search.value
        if text != self.query_state.text:
            self._apply_query(self.query_state.with_(text=text))
        else:  # typed and taken back: the same query goes on
            self.table.fetch_visible()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "customers-search":
            return
        event.stop()
        if self._leaving_search:  # Enter again before the first one had moved the focus: the list's Enter
            self.action_open_memo()
            return
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_now()
        self._leaving_search = True
        self.table.focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget is self.search:
            self._leaving_search = False

    # -- what the table says -------------------------------------------------------------------
    def on_paged_table_rows_changed(self, message: PagedTable.RowsChanged) -> None:
        self._show_status()

    def on_paged_table_selected(self, message: PagedTable.Selected) -> None:
        message.stop()
        self.action_open_memo()

    def on_paged_table_header_clicked(self, message: PagedTable.HeaderClicked) -> None:
        message.stop()
        query = self.query_state
        if message.column_id == query.sort:
            self._apply_query(query.with_(descending=not query.descending))
        else:
            self._apply_query(query.with_(sort=message.column_id, descending=False))

    def on_paged_table_key_not_found(self, message: PagedTable.KeyNotFound) -> None:
        """A saved customer is not near the cursor: search for it by its name, once."""
        message.stop()
        if self._find is None or self._find[0] != message.key:
            return
        customer_id, name = self._find
        if not self._find_by_name and name.strip():
            self._find_by_name = True
            with self.prevent(Input.Changed):
                self.search.value = name
            self._apply_query(self.query_state.with_(text=name), select_key=customer_id)
            return
        self._find = None
        self.notify(
            _("The customer was saved, but the current search and filters do not show it."),
            markup=False,
        )

    def on_paged_table_highlighted(self, message: PagedTable.Highlighted) -> None:
        if self._find is not None and message.row is not None and message.row.id == self._find[0]:
            self._find = None

    def _show_status(self) -> None:
        table = self.table
        parts: list[str] = []
        if table.error:
            parts.append(_("The list could not be read: {error}").format(error=table.error))
        elif table.row_count is None:
            parts.append(_("Counting…"))
        else:
            parts.append(count_text(table.row_count))
        column = next((c for c in table.columns if c.id == self.query_state.sort), None)
        if column is not None:
            marker = "▼" if self.query_state.descending else "▲"
            parts.append(_("sorted by {column} {marker}").format(column=column.title, marker=marker))
        parts.append(_("{mark} prospect").format(mark=PROSPECT_MARK))
        status = self.query_one("#customers-status", Static)
        status.update(literal(" · ".join(parts)))
        status.set_class(bool(table.error), "-error")

    def _show_filters(self) -> None:
        parts = self.filter_descriptions()
        text = _("Filters: {filters}").format(filters=" · ".join(parts)) if parts else _("No filters")
        self.query_one("#customers-filters", Static).update(literal(text))

    def filter_descriptions(self) -> list[str]:
        query = self.query_state
        parts = list_filter_descriptions(query, self.list_context.choices if self.list_context else {})
        titles = {c.id: _(c.title_key) for c in COLUMNS}
        for column_id, text in query.column_filters:
            parts.append(_("{column} contains “{text}”").format(column=titles.get(column_id, column_id), text=text))
        if query.whole_group:
            parts.append(_("whole group"))
        return parts

    # -- actions -----------------------------------------------------------------------------------
    def action_back(self) -> None:
        self.dismiss()

    def action_focus_search(self) -> None:
        self.search.focus()

    def action_to_list(self) -> None:
        if self.focused is self.search:
            if self._search_timer is not None:
                self._search_timer.stop()
                self._search_now()
            self.table.focus()

    def _highlighted(self) -> CustomerRow | None:
        row = self.table.highlighted_row
        if row is None:
            message = _("Choose a customer first.") if self.table.known_rows else _("The list has no customers.")
            self.notify(message, severity="warning", markup=False)
        return row

    def action_open_memo(self) -> None:
        row = self._highlighted()
        if row is None:
            return
        info = getattr(self.app, "session_info", None)
        if info is not None and not info.may_use("memo"):
            self.notify(_("You have no right to use the customer memo."), severity="error", markup=False)
            return
        from pupetui.screens.memo import MemoScreen

        self._reload_on_resume = True
        self.app.push_screen(MemoScreen(row.id))

    def _may_edit(self, *, viewing: bool = False) -> bool:
        context = self._list_context()
        if context.may_edit or (viewing and context.may_view):
            return True
        self.notify(
            _("You have no right to edit customers. Ask your Pupesoft administrator for it."),
            severity="error",
            markup=False,
        )
        return False

    def action_edit(self) -> None:
        row = self._highlighted()
        if row is None or not self._may_edit(viewing=True):
            return
        self._open_editor(row.id)

    def action_new(self) -> None:
        if self._may_edit():
            self._open_editor(None)

    def _open_editor(self, customer_id: int | None) -> None:
        from pupetui.screens.customer_edit import CustomerEditScreen

        self.app.push_screen(CustomerEditScreen(customer_id), self._after_edit)

    def _after_edit(self, result: Any) -> None:
        if not result:
            return
        customer_id, name = result
        self._find = (customer_id, name)
        self._find_by_name = False
        self.table.reload(select_key=customer_id)

    def on_screen_resume(self) -> None:
        if self._reload_on_resume:
            self._reload_on_resume = False
            self.table.reload()

    def action_sort_next(self) -> None:
        ids = [c.id for c in self.table.columns]
        query = self.query_state
        current = ids.index(query.sort) if query.sort in ids else -1
        self._apply_query(query.with_(sort=ids[(current + 1) % len(ids)], descending=False))

    def action_sort_reverse(self) -> None:
        self._apply_query(self.query_state.with_(descending=not self.query_state.descending))

    def action_whole_group(self) -> None:
        if not self.query_state.whole_group and len(self._list_context().group_companies) < 2:
            self.notify(
                _("No other companies: this company is in no group, or you have no right to the others."),
                severity="warning",
                markup=False,
            )
            return
        query = self.query_state.with_(whole_group=not self.query_state.whole_group)
        if not query.whole_group and query.sort == "company":
            query = query.with_(sort="name", descending=False)
        self._apply_query(query)
        if query.whole_group:
            self.notify(_("Showing every company of the group."), markup=False)
        else:
            self.notify(_("Showing this company only."), markup=False)

    def action_filters(self) -> None:
        self.app.push_screen(FiltersScreen(self.query_state, self._list_context().choices), self._filters_chosen)

    def _filters_chosen(self, query: CustomerQuery | None) -> None:
        if query is not None and query != self.query_state:
            with self.prevent(Input.Changed):
                self.search.value = query.text
            self._apply_query(query)

    def action_column_filter(self) -> None:
        self.app.push_screen(
            ColumnFilterScreen(self.table.columns, self.query_state.sort, dict(self.query_state.column_filters)),
            self._column_filter_chosen,
        )

    def _column_filter_chosen(self, result: tuple[str, str] | None) -> None:
        if result is None:
            return
        column_id, text = result
        filters = dict(self.query_state.column_filters)
        text = text.strip()
        if text:
            filters[column_id] = text
        else:
            filters.pop(column_id, None)
        self._apply_query(self.query_state.with_(column_filters=tuple(filters.items())))

    # -- Excel -----------------------------------------------------------------------------------
    def action_export(self) -> None:
        # what and when, in the user's download folder, a name no file has (services/export_target.py)
        default = export_target.default_path(_("customers"), fmt="xlsx")
        self.app.push_screen(
            ExportFileScreen(
                _("Save the list as an Excel file"),
                _("Every customer the search and filters select is saved. File name:"),
                default, "xlsx",
            ),
            self._export_to,
        )

    def _export_to(self, path: Path | None) -> None:
        if path is not None:
            self._export(path)

    def _export(self, path: Path) -> None:
        self.notify(_("Saving the list to {path}…").format(path=shown(path)), markup=False)
        self._run_export(self.query_state, path)

    @work(thread=True, group="customers-export", exit_on_error=False)
    def _run_export(self, query: CustomerQuery, path: Path) -> None:
        try:
            result = customers.export_xlsx(query, path, titles=_)
        except Exception as exc:  # noqa: BLE001 - told to the user plainly, never a traceback
            self.post_message(self.ExportFailed(failures.sentence(exc)))
            return
        self.post_message(self.Exported(str(result.path), result.rows, result.truncated))

    def on_customer_list_screen_exported(self, message: Exported) -> None:
        text = _("Saved {rows} to {path}").format(rows=count_text(message.rows), path=shown(message.path))
        if message.truncated:
            text += " " + _("(cut at Excel's row limit)")
        self.notify(printable(text), title=_("Excel"), markup=False, timeout=8)
        self.app.deliver_export(message.path)

    def on_customer_list_screen_export_failed(self, message: ExportFailed) -> None:
        self.notify(
            printable(_("The Excel file could not be saved: {error}").format(error=message.error)),
            severity="error",
            markup=False,
            timeout=10,
        )


class MemoCustomerListScreen(CustomerListScreen):
    """The "Customer memo" program: choose the customer from the list; Enter opens the memo."""

    TITLE_ID = N_("Customer memo")


# -- the filter dialogs ------------------------------------------------------------------------


class FiltersScreen(PupeModalScreen):
    """Department, group, district, salesperson and status: dismisses with the new query."""

    TITLE_ID = N_("Filters")
    CSS_PATH = CSS
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="filters_cancel"),
        Binding("ctrl+s", "apply", N_("Apply"), id="filters_apply"),
    ]

    def __init__(self, query: CustomerQuery, choices: dict[str, list[customers.Choice]]) -> None:
        super().__init__()
        self.query_state = query
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="filters-box"):
            yield Static(literal(_("Filters")), classes="dialog-title")
            for name, label in FILTER_FIELDS:
                with Horizontal(classes="filters-row"):
                    yield Label(literal(_(label)), classes="filters-label")
                    yield filter_select(name, self.query_state, self.choices, f"filter-{name}")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Apply"), id="filters-apply", variant="primary")
                yield Button(_("Clear all"), id="filters-clear")
                yield Button(_("Cancel"), id="filters-cancel")

    def on_mount(self) -> None:
        self.query_one(f"#filter-{FILTER_FIELDS[0][0]}", Select).focus()

    def chosen(self) -> CustomerQuery:
        changes = {
            name: filter_value(name, self.query_one(f"#filter-{name}", Select).value) for name, _label in FILTER_FIELDS
        }
        return self.query_state.with_(**changes)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "filters-apply":
            self.action_apply()
        elif event.button.id == "filters-clear":
            self.dismiss(
                self.query_state.with_(
                    department=None, customer_group=None, district=None, salesperson_no=None,
                    status=None, column_filters=(), text="",
                )
            )
        else:
            self.dismiss(None)

    def action_apply(self) -> None:
        self.dismiss(self.chosen())

    def action_cancel(self) -> None:
        self.dismiss(None)


class ColumnFilterScreen(PupeModalScreen):
    """A text that a column must contain: dismisses with (column id, text) or None."""

    TITLE_ID = N_("Filter a column")
    CSS_PATH = CSS
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="column_filter_cancel")]

    def __init__(self, columns: tuple[TableColumn, ...], column_id: str, current: dict[str, str]) -> None:
        super().__init__()
        self.columns = columns
        self.column_id = column_id if any(c.id == column_id for c in columns) else columns[0].id
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="column-filter-box"):
            yield Static(literal(_("Filter a column")), classes="dialog-title")
            with Horizontal(classes="filters-row"):
                yield Label(literal(_("Column")), classes="filters-label")
                yield Select(
                    [(literal(c.title), c.id) for c in self.columns],
                    value=self.column_id,
                    allow_blank=False,
                    id="column-filter-column",
                    compact=True,
                )
            with Horizontal(classes="filters-row"):
                yield Label(literal(_("Contains")), classes="filters-label")
                yield Input(self.current.get(self.column_id, ""), id="column-filter-text", compact=True)
            yield Static(literal(_("Empty text removes the column's filter.")), classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Apply"), id="column-filter-apply", variant="primary")
                yield Button(_("Cancel"), id="column-filter-cancel")

    def on_mount(self) -> None:
        self.query_one("#column-filter-text", Input).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.value != Select.NULL:
            self.column_id = str(event.value)
            self.query_one("#column-filter-text", Input).value = self.current.get(self.column_id, "")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss((self.column_id, event.value))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "column-filter-apply":
            self.dismiss((self.column_id, self.query_one("#column-filter-text", Input).value))
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
