"""Choosing customers for labels or SMS: filters, a ticked list of any length, tick keys.

`CustomerSelection(query=SelectionQuery(), id=...)` shows, top to bottom, a line describing the
filters, a `PagedTable` of the customers the selection finds (fetched a page at a time through
`services.selection.page`/`count` in thread workers: 10,000 rows cost one page), each row with
its tick `[x]`/`[ ]` (and `◇` for a prospect), and a line with the counts. The ticks are a
`services.selection.Ticks`: every found row starts ticked, and only the rows the user changes
are remembered. A new query starts new ticks.

Keys (with ids, for the keymap; the list has the focus):
- Space ticks or unticks the highlighted row and moves to the next one;
- `+` (or `a`) ticks every found row, `-` (or `u`) unticks every row;
- `f` opens the filters: the search, the customer list's filters (department, group, district,
  salesperson, status), the text filters, NOT and the row limit (services/selection.py says
  what NOT does); Ctrl+S applies, Esc cancels (asking first when something was changed).

For the host screen: `selection_query` and `ticks` (to run the job, take a snapshot and read
the rows in a worker: `selection.ticked_rows(widget.selection_query, widget.ticks.copy())`;
`selection.contacts(ids)` gives the contact persons), `found` and `ticked_count` (None until
the list is counted), `set_query(query)`, `open_filters()`, and the message
`CustomerSelection.Changed` (query, ticks or counts changed) to update the host's own texts.
Its bindings sit on the widget: a host screen adds its own (labels: `p` print).
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from pupetui.i18n import N_, _, format_decimal
from pupetui.screens.base import PupeModalScreen
from pupetui.screens.customers import FILTER_FIELDS as LIST_FILTERS  # the customer list's filters
from pupetui.screens.customers import filter_select, filter_value, list_filter_descriptions
from pupetui.services import customers, selection
from pupetui.services.selection import SelectionQuery, SelectionRow, Ticks
from pupetui.widgets.bindings import translate_bindings
from pupetui.widgets.confirm import ConfirmScreen
from pupetui.widgets.literal import literal
from pupetui.widgets.paged_table import PagedTable, TableColumn
from pupetui.widgets.checkbox import MarkedCheckbox
from pupetui.services import failures

TICKED, UNTICKED = "[x]", "[ ]"
PROSPECT_MARK = "◇"
TEXT_FIELD_LABELS = {  # services.selection.TEXT_FIELD_IDS -> label (message id)
    "name": N_("Name"), "address": N_("Address"), "postcode": N_("Postcode"), "city": N_("Town"),
    "country": N_("Country"), "department": N_("Department"), "customer_group": N_("Group"),
    "district": N_("District"), "flag_1": N_("Flag 1"), "flag_2": N_("Flag 2"), "flag_3": N_("Flag 3"),
    "flag_4": N_("Flag 4"),
}
TABLE_COLUMNS = (  # SelectionRow attribute, title (message id), width, share of a wider terminal's room
    ("name", N_("Name"), 28, 2),
    ("address", N_("Address"), 24, 2),
    ("postcode", N_("Postcode"), 8, 0),
    ("city", N_("Town"), 16, 1),
    ("country", N_("Country"), 4, 0),
    ("customer_no", N_("Customer no"), 10, 0),
)


def limit_label(limit: int | None) -> str:
    return _("no limit") if limit is None else format_decimal(limit, places=0)


def describe(query: SelectionQuery, choices: dict[str, list[customers.Choice]] | None = None) -> list[str]:
    """The filters of a selection in words, for a one-line summary."""
    choices = choices or {}
    parts: list[str] = []
    if query.customers.text.strip():
        parts.append(_("search “{text}”").format(text=query.customers.text.strip()))
    parts.extend(list_filter_descriptions(query.customers, choices))
    verb = _("{field} does not contain “{text}”") if query.negate else _("{field} contains “{text}”")
    for field_id, text in query.filled_text_filters():
        parts.append(verb.format(field=_(TEXT_FIELD_LABELS.get(field_id, field_id)), text=text))
    if query.limit is None:
        parts.append(_("no row limit"))
    else:
        parts.append(_("limit {limit}").format(limit=limit_label(query.limit)))
    return parts


def _value(row: SelectionRow, column_id: str) -> str:
    return str(getattr(row, column_id) or "")


class CustomerSelection(Vertical):
    """The filter summary, the ticked list and the counts (see the module docstring)."""

    DEFAULT_CSS = """
    CustomerSelection {
        height: 1fr;
        width: 100%;
        & > #selection-filters {
            height: 1;
            width: 100%;
            padding: 0 1;
            color: $text-muted;
            text-wrap: nowrap;
            text-overflow: ellipsis;
        }
        & > PagedTable { height: 1fr; }
        & > #selection-status {
            height: 1;
            width: 100%;
            padding: 0 1;
            background: $panel;
            text-wrap: nowrap;
            text-overflow: ellipsis;
        }
        & > #selection-status.-error { color: $error; text-style: bold; }
    }
    """

    BINDINGS = [
        Binding("space", "toggle_tick", N_("Tick"), id="selection_toggle"),
        # (not in the footer, where they pushed the host's own keys, Print and Send, off an 80-column
        # line: the counts line names them, and F1 lists them)
        Binding("plus,a", "tick_all", N_("Tick all"), show=False, id="selection_tick_all"),
        Binding("minus,u", "untick_all", N_("Untick all"), show=False, id="selection_untick_all"),
        Binding("f", "filters", N_("Filters"), id="selection_filters"),
    ]

    class Changed(Message):
        """The query, the ticks or what is known of the counts changed."""

        def __init__(self, widget: "CustomerSelection") -> None:
            super().__init__()
            self.widget = widget

        @property
        def control(self) -> "CustomerSelection":
            return self.widget

    class _ChoicesLoaded(Message, bubble=False):
        def __init__(self, choices: dict[str, list[customers.Choice]], cut: bool | None) -> None:
            super().__init__()
            self.choices = choices
            self.cut = cut

    def __init__(self, query: SelectionQuery | None = None, *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        translate_bindings(self)
        self.selection_query = query or SelectionQuery()
        self.ticks = Ticks()
        self.choices: dict[str, list[customers.Choice]] | None = None
        self.limit_cut: bool | None = None  # whether the row limit cut the selection (None: not known)
        self._mounted = False

    def compose(self) -> ComposeResult:
        yield Static("", id="selection-filters", markup=False)
        yield PagedTable(
            [TableColumn(c, _(title), width, grow) for c, title, width, grow in TABLE_COLUMNS],
            selection.page,
            count=selection.count,
            value=_value,
            mark=self._mark,
            key=lambda row: row.id,
            mark_width=5,
            placeholder=_("Loading…"),
            empty_text=_("No customers match."),
            id="selection-table",
        )
        yield Static("", id="selection-status", markup=False)

    @property
    def table(self) -> PagedTable:
        return self.query_one("#selection-table", PagedTable)

    def on_mount(self) -> None:
        self._mounted = True
        self.set_query(self.selection_query)

    def focus(self, scroll_visible: bool = True) -> "CustomerSelection":
        self.table.focus(scroll_visible)
        return self

    # -- state ---------------------------------------------------------------------------------
    @property
    def found(self) -> int | None:
        """Rows the selection finds (None until counted)."""
        return self.table.row_count

    @property
    def ticked_count(self) -> int | None:
        found = self.found
        return None if found is None else self.ticks.count(found)

    def set_query(self, query: SelectionQuery) -> None:
        """Show a new selection: every row it finds starts ticked."""
        self.selection_query = query
        self.ticks = Ticks()
        if not self._mounted:
            return
        self.limit_cut = None
        self.table.set_query(query)
        self._load_extras(query)
        self._show()

    @work(thread=True, exclusive=True, group="selection-extras", exit_on_error=False)
    def _load_extras(self, query: SelectionQuery) -> None:
        try:
            choices = self.choices if self.choices is not None else customers.filter_choices()
            cut = selection.found_more_than_limit(query)
        except Exception:  # noqa: BLE001 - the list says what failed; these are extras
            return
        self.post_message(self._ChoicesLoaded(choices, cut))

    def on_customer_selection__choices_loaded(self, message: _ChoicesLoaded) -> None:
        message.stop()
        self.choices = message.choices
        self.limit_cut = message.cut
        self._show()

    def _mark(self, row: SelectionRow) -> str:
        tick = TICKED if self.ticks.is_ticked(row.id) else UNTICKED
        return tick + (PROSPECT_MARK if row.is_prospect else "")

    def _show(self) -> None:
        parts = describe(self.selection_query, self.choices)
        self.query_one("#selection-filters", Static).update(
            literal(_("Filters: {filters}").format(filters=" · ".join(parts)))
        )
        table = self.table
        status = self.query_one("#selection-status", Static)
        if table.error:
            text = _("The list could not be read: {error}").format(error=table.error)
        elif table.row_count is None:
            text = _("Counting…")
        else:
            text = _("{ticked} of {found} ticked").format(
                ticked=format_decimal(self.ticked_count or 0, places=0),
                found=format_decimal(table.row_count, places=0),
            )
            if self.limit_cut:
                text += " · " + _("more customers match: the row limit cut the list")
            text += " · " + _("{mark} prospect").format(mark=PROSPECT_MARK)
            text += " · " + _("+ ticks all, - unticks all")
        status.update(literal(text))
        status.set_class(bool(table.error), "-error")
        self.post_message(self.Changed(self))

    def on_paged_table_rows_changed(self, message: PagedTable.RowsChanged) -> None:
        self._show()

    def on_paged_table_selected(self, message: PagedTable.Selected) -> None:
        message.stop()
        self.action_toggle_tick()

    # -- actions -------------------------------------------------------------------------------
    def action_toggle_tick(self) -> None:
        table = self.table
        row = table.highlighted_row
        if row is None:
            return
        self.ticks.toggle(row.id)
        table.move_cursor(table.cursor_row + 1)
        table.refresh()
        self._show()

    def action_tick_all(self) -> None:
        self.ticks.tick_all()
        self.table.refresh()
        self._show()

    def action_untick_all(self) -> None:
        self.ticks.untick_all()
        self.table.refresh()
        self._show()

    def action_filters(self) -> None:
        self.open_filters()

    def open_filters(self) -> None:
        if self.choices is None:
            try:
                self.choices = customers.filter_choices()
            except Exception as exc:  # noqa: BLE001 - shown plainly
                self.notify(_("The list could not be read: {error}").format(error=failures.sentence(exc)), severity="error", markup=False)
                return
        self.app.push_screen(SelectionFiltersScreen(self.selection_query, self.choices), self._filters_chosen)

    def _filters_chosen(self, query: SelectionQuery | None) -> None:
        if query is not None and query != self.selection_query:
            self.set_query(query)
        self.table.focus()


class SelectionFiltersScreen(PupeModalScreen):
    """The selection's filters in one dialog; dismisses with the new SelectionQuery or None."""

    TITLE_ID = N_("Choose the customers")
    DEFAULT_CSS = """
    SelectionFiltersScreen { align: center middle; }
    SelectionFiltersScreen > VerticalScroll {
        width: 78;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        padding: 0 1;
        border: round $primary;
        background: $surface;
    }
    SelectionFiltersScreen .dialog-title { text-style: bold; width: 100%; content-align: center middle; }
    SelectionFiltersScreen .selection-row { height: 1; width: 100%; }
    SelectionFiltersScreen .dialog-title { margin-bottom: 1; }
    SelectionFiltersScreen Input { background: $boost; }
    SelectionFiltersScreen #sel-negate-row { margin-top: 1; }
    SelectionFiltersScreen .selection-label { width: 12; }
    SelectionFiltersScreen .selection-row > Input, SelectionFiltersScreen .selection-row > Select { width: 1fr; margin-right: 1; }
    SelectionFiltersScreen .selection-row > Checkbox { width: 1fr; }
    SelectionFiltersScreen .dialog-hint { color: $text-muted; width: 100%; }
    SelectionFiltersScreen .dialog-buttons { width: 100%; height: auto; align: center middle; margin-top: 1; }
    SelectionFiltersScreen .dialog-buttons Button { margin: 0 1; min-width: 10; }
    """
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="selection_filters_cancel"),
        Binding("ctrl+s", "apply", N_("Apply"), id="selection_filters_apply"),
    ]

    def __init__(self, query: SelectionQuery, choices: dict[str, list[customers.Choice]]) -> None:
        super().__init__()
        self.query_state = query
        self.choices = choices

    def compose(self) -> ComposeResult:
        texts = dict(self.query_state.text_filters)
        with VerticalScroll():
            yield Static(literal(_("Choose the customers")), classes="dialog-title")
            with Horizontal(classes="selection-row"):
                yield Label(literal(_("Search")), classes="selection-label")
                yield Input(self.query_state.customers.text, id="sel-search", compact=True)
            pairs = [LIST_FILTERS[i:i + 2] for i in range(0, len(LIST_FILTERS), 2)]
            for pair in pairs:
                with Horizontal(classes="selection-row"):
                    for name, label in pair:
                        yield Label(literal(_(label)), classes="selection-label")
                        yield filter_select(name, self.query_state.customers, self.choices, f"sel-list-{name}")
            fields = selection.TEXT_FIELD_IDS
            for i in range(0, len(fields), 2):
                with Horizontal(classes="selection-row"):
                    for field_id in fields[i:i + 2]:
                        yield Label(literal(_(TEXT_FIELD_LABELS[field_id])), classes="selection-label")
                        yield Input(texts.get(field_id, ""), id=f"sel-text-{field_id}", compact=True)
            with Horizontal(classes="selection-row", id="sel-negate-row"):
                yield MarkedCheckbox(_("NOT: text filters exclude"), self.query_state.negate, id="sel-negate", compact=True)
                yield Label(literal(_("Row limit")), classes="selection-label")
                yield Select(
                    [(limit_label(v), "none" if v is None else str(v)) for v in selection.LIMITS],
                    value="none" if self.query_state.limit is None else str(self.query_state.limit),
                    allow_blank=False, id="sel-limit", compact=True,
                )
            yield Static(
                literal(_("Text filters: the column contains the text. NOT selects the customers that "
                          "contain none of them (empty columns included).")),
                classes="dialog-hint",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Apply"), id="sel-apply", variant="primary")
                yield Button(_("Clear all"), id="sel-clear")
                yield Button(_("Cancel"), id="sel-cancel")

    def on_mount(self) -> None:
        self.query_one("#sel-search", Input).focus()

    def chosen(self) -> SelectionQuery:
        changes: dict[str, Any] = {"text": self.query_one("#sel-search", Input).value.strip()}
        for name, _label in LIST_FILTERS:
            changes[name] = filter_value(name, self.query_one(f"#sel-list-{name}", Select).value)
        texts = tuple(
            (field_id, self.query_one(f"#sel-text-{field_id}", Input).value.strip())
            for field_id in selection.TEXT_FIELD_IDS
        )
        limit = self.query_one("#sel-limit", Select).value
        return self.query_state.with_(
            customers=self.query_state.customers.with_(**changes),
            text_filters=tuple((f, t) for f, t in texts if t),
            negate=self.query_one("#sel-negate", Checkbox).value,
            limit=None if limit == "none" else int(str(limit)),
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "sel-apply":
            self.action_apply()
        elif event.button.id == "sel-clear":
            self.dismiss(SelectionQuery(limit=self.query_state.limit))
        else:
            self.dismiss(None)

    def action_apply(self) -> None:
        self.dismiss(self.chosen())

    def action_cancel(self) -> None:
        if self.chosen() == self.query_state:
            self.dismiss(None)
            return
        self.app.push_screen(
            ConfirmScreen(_("Discard the changed filters?")),
            lambda yes: self.dismiss(None) if yes else None,
        )
