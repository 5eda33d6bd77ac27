"""The parts of the query generator's screen: the field grid and its dialogs.

- `FieldGrid`: one line per column of the table (tick, column, type, operator, sort, value),
  drawn line by line, moved and edited by keys; the value is typed in the screen's editor below
  it. A bad value is marked at its line with the service's message.
- `SqlPreviewScreen`: the formatted SQL of the query before it runs (Enter runs, Esc does not).
- `SavedQueriesScreen`: everyone's saved queries (for the table), whose each is; load, run or
  delete (only one's own: refused here at once, and by the service in any case).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from pupetui.i18n import N_, _
from pupetui.screens.base import PupeModalScreen
from pupetui.services.query_generator import (
    NO_VALUE,
    OPERATOR_TITLES,
    OPERATORS,
    Column,
    FieldSpec,
    SavedQuery,
    table_title,
)
from pupetui.widgets.bindings import translate_bindings
from pupetui.widgets.literal import literal, printable

# Texts of the service shown translated (the service speaks English; these mark them for the
# catalogs).
OPERATOR_WORDS = (N_("in"), N_("not in"), N_("starts with"), N_("contains"), N_("is empty"), N_("is not empty"))
TABLE_WORDS = (
    N_("Customers"), N_("Contacts"), N_("Products"), N_("Invoices and orders"), N_("Invoice and order rows"),
    N_("Memos, reminders and calendar"), N_("Customer discounts"), N_("Customer prices"), N_("Keywords"),
    N_("Users"), N_("Rights"), N_("Company"), N_("Company settings"), N_("Saved searches"), N_("Saved forms"),
    N_("Attachments"),
)
KIND_TITLES = {
    "int": N_("number"), "decimal": N_("decimal"), "date": N_("date"), "datetime": N_("date+time"),
    "time": N_("time"), "text": N_("text"),
}
KIND_HINTS = {
    "int": N_("a whole number, e.g. 1001"),
    "decimal": N_("a number, e.g. 1234,50"),
    "date": N_("a date: dd.mm.yyyy or yyyy-mm-dd"),
    "datetime": N_("a date and time: dd.mm.yyyy hh:mm"),
    "time": N_("a time: hh:mm"),
    "text": N_("text, matched exactly as written"),
}
SORT_MARKS = {False: "▲", True: "▼"}


def operator_title(operator: str) -> str:
    return _(OPERATOR_TITLES.get(operator, operator)) if operator else ""


def kind_title(kind: str) -> str:
    return _(KIND_TITLES.get(kind, kind))


def table_label(table: str) -> str:
    """'Customers (asiakas)': the readable name and the table's own."""
    title = table_title(table)
    return f"{_(title)} ({table})" if title != table else table


def value_hint(kind: str, operator: str) -> str:
    if operator in NO_VALUE:
        return _("This operator needs no value.")
    if operator in ("in", "not in"):
        return _("A comma list; quote an item that has a comma: \"Oy, Ab\", x")
    if operator == "like":
        return _("The start of the value; % and _ match only themselves.")
    if operator == "contains":
        return _("Text anywhere in the value; % and _ match only themselves.")
    return _(KIND_HINTS.get(kind, KIND_HINTS["text"]))


# -- the field grid -----------------------------------------------------------------------------


@dataclass
class FieldRow:
    """A column of the table and what the form says of it."""

    column: Column
    spec: FieldSpec
    error: str = ""  # the service's message for a bad value, shown at the row

    @classmethod
    def of(cls, column: Column) -> "FieldRow":
        return cls(column, FieldSpec(column.name))


@dataclass
class Merge:
    """What `apply_spec` could not show: columns that are gone, second restrictions of a column."""

    missing: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def apply_spec(rows: list[FieldRow], fields: Sequence[FieldSpec]) -> Merge:
    """Put a saved query's fields on the form's rows (one row per column)."""
    by_name = {r.column.name: r for r in rows}
    for row in rows:
        row.spec = FieldSpec(row.column.name)
        row.error = ""
    merge = Merge()
    for f in fields:
        row = by_name.get(f.column)
        if row is None:
            merge.missing.append(f.column)
            continue
        row.spec.show = row.spec.show or f.show
        if f.operator:
            if row.spec.operator:
                merge.dropped.append(f.column)
            else:
                row.spec.operator, row.spec.value = f.operator, f.value
        if f.sort and not row.spec.sort:
            row.spec.sort = f.sort
    renumber_sorts(rows)
    return merge


def renumber_sorts(rows: list[FieldRow]) -> None:
    """Sort priorities 1, 2, 3... in their order (the sign, the direction, kept)."""
    ranked = sorted((r for r in rows if r.spec.sort), key=lambda r: abs(r.spec.sort))
    for n, row in enumerate(ranked, start=1):
        row.spec.sort = n if row.spec.sort > 0 else -n


class FieldGrid(ScrollView, can_focus=True, inherit_bindings=False):
    """The form of the query generator: one line per column of the table."""

    BINDINGS = [
        Binding("up", "move(-1)", N_("Previous row"), show=False, id="fields_up"),
        Binding("down", "move(1)", N_("Next row"), show=False, id="fields_down"),
        Binding("pageup", "page(-1)", N_("Previous page"), show=False, id="fields_page_up"),
        Binding("pagedown", "page(1)", N_("Next page"), show=False, id="fields_page_down"),
        Binding("home", "first", N_("First row"), show=False, id="fields_first"),
        Binding("end", "last", N_("Last row"), show=False, id="fields_last"),
        Binding("space", "toggle_show", N_("Tick"), id="fields_tick"),
        Binding("a", "toggle_all", N_("Tick all or none"), show=False, id="fields_tick_all"),
        Binding("o", "operator(1)", N_("Operator"), id="fields_operator_next"),
        Binding("O", "operator(-1)", N_("Previous operator"), show=False, id="fields_operator_previous"),
        Binding("enter,e", "edit_value", N_("Restriction value"), show=False, id="fields_edit_value"),
        Binding("s", "sort", N_("Sort: ascending, descending, none"), show=False, id="fields_sort"),
        Binding("plus", "sort_priority(-1)", N_("Sort earlier"), show=False, id="fields_sort_earlier"),
        Binding("minus", "sort_priority(1)", N_("Sort later"), show=False, id="fields_sort_later"),
        Binding("delete,backspace", "clear_row", N_("Clear the restriction and sort"), show=False, id="fields_clear"),
    ]

    COMPONENT_CLASSES = {
        "field-grid--header",
        "field-grid--cursor",
        "field-grid--shown",
        "field-grid--error",
        "field-grid--muted",
    }

    DEFAULT_CSS = """
    FieldGrid {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        height: 1fr;
        & > .field-grid--header { text-style: bold; background: $panel; }
        & > .field-grid--cursor { background: $block-cursor-blurred-background; text-style: underline; }
        &:focus > .field-grid--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
        & > .field-grid--shown { text-style: bold; }
        & > .field-grid--error { color: $error; text-style: bold; }
        & > .field-grid--muted { color: $text-muted; }
        &:ansi > .field-grid--header { background: ansi_default; text-style: bold underline; }
        &:ansi > .field-grid--cursor { background: ansi_default; color: ansi_default; text-style: underline; }
        &:ansi:focus > .field-grid--cursor { background: ansi_default; color: ansi_default; text-style: reverse bold; }
        &:ansi > .field-grid--error { color: ansi_red; text-style: bold; }
        &:ansi > .field-grid--muted { color: ansi_bright_black; }
    }
    """

    class Highlighted(Message):
        """The cursor is on another row (or the rows were replaced)."""

        def __init__(self, grid: "FieldGrid", index: int) -> None:
            super().__init__()
            self.grid = grid
            self.index = index

        @property
        def control(self) -> "FieldGrid":
            return self.grid

    class Changed(Highlighted):
        """The row at `index` changed (tick, operator, sort), or every row (`index` -1)."""

    class EditValue(Highlighted):
        """Enter on a row: the screen's value editor takes over."""

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        translate_bindings(self)
        self.rows: list[FieldRow] = []
        self.cursor = 0

    # -- the rows --------------------------------------------------------------------------------

    def set_rows(self, rows: list[FieldRow]) -> None:
        self.rows = rows
        self.cursor = 0
        self._update_size()
        if self.is_mounted:
            self.scroll_to(0, 0, animate=False)
        self.refresh()
        self.post_message(self.Highlighted(self, 0))

    @property
    def current(self) -> FieldRow | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def index_of(self, column: str) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.column.name == column), None)

    def specs(self) -> list[FieldSpec]:
        return [replace(r.spec) for r in self.rows]

    def shown_count(self) -> int:
        return sum(1 for r in self.rows if r.spec.show)

    def restricted_count(self) -> int:
        return sum(1 for r in self.rows if r.spec.operator)

    def set_error(self, column: str, message: str) -> int | None:
        """Mark the row of `column` with `message` and move there; its index (None if absent)."""
        index = self.index_of(column)
        if index is not None:
            self.rows[index].error = printable(message)
            self.move_to(index)
            self.refresh()
        return index

    def clear_errors(self) -> None:
        for row in self.rows:
            row.error = ""
        self.refresh()

    def changed(self, index: int) -> None:
        """The screen changed a row (its value): draw it again and tell."""
        if 0 <= index < len(self.rows):
            self.rows[index].error = ""
        self.refresh()
        self.post_message(self.Changed(self, index))

    # -- drawing -----------------------------------------------------------------------------------

    def _update_size(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width if self.is_mounted else 80, len(self.rows) + 1)

    def _widths(self, width: int) -> tuple[int, int, int, int]:
        name = min(24, max([cell_len(r.column.name) for r in self.rows] + [cell_len(_("Column"))]))
        kind = min(12, max([cell_len(kind_title(k)) for k in KIND_TITLES] + [cell_len(_("Type"))]))
        operator = min(14, max([cell_len(operator_title(o)) for o in OPERATORS] + [cell_len(_("Operator"))]))
        sort = min(10, max(4, cell_len(_("Sort"))))
        return name, kind, operator, sort

    def _fit(self, text: str, size: int) -> str:
        text = printable(text)
        if cell_len(text) > size:
            return set_cell_size(text, max(0, size - 1)) + "…"
        return set_cell_size(text, size)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        name_w, kind_w, op_w, sort_w = self._widths(width)
        if y == 0:
            style = base + self.get_component_rich_style("field-grid--header")
            text = "  " + "    " + self._fit(_("Column"), name_w) + " " + self._fit(_("Type"), kind_w) + " " + \
                self._fit(_("Operator"), op_w) + " " + self._fit(_("Sort"), sort_w) + " " + _("Restriction value")
            return Strip([Segment(self._fit(text, width), style)]).adjust_cell_length(width, style)
        index = int(self.scroll_offset.y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        style = base
        if index == self.cursor:
            style = base + self.get_component_rich_style("field-grid--cursor")
        shown = self.get_component_rich_style("field-grid--shown", partial=True)
        muted = self.get_component_rich_style("field-grid--muted", partial=True)
        error = self.get_component_rich_style("field-grid--error", partial=True)
        spec = row.spec
        sort = ""
        if spec.sort:
            sort = f"{SORT_MARKS[spec.sort < 0]}{abs(spec.sort)}"
        segments = [
            Segment("! " if row.error else "  ", style + error if row.error else style),
            Segment("[x] " if spec.show else "[ ] ", style + shown if spec.show else style),
            Segment(self._fit(row.column.name, name_w) + " ", style + shown if spec.show else style),
            Segment(self._fit(kind_title(row.column.kind), kind_w) + " ", style + muted),
            Segment(self._fit(operator_title(spec.operator), op_w) + " ", style),
            Segment(self._fit(sort, sort_w) + " ", style),
        ]
        used = 2 + 4 + name_w + 1 + kind_w + 1 + op_w + 1 + sort_w + 1
        room = max(0, width - used)
        value = printable(spec.value) if spec.operator and spec.operator not in NO_VALUE else ""
        if row.error:
            message = "  " + row.error if value else row.error
            value_part = self._fit(value, min(cell_len(value), max(0, room // 2))) if value else ""
            segments.append(Segment(value_part, style))
            segments.append(Segment(self._fit(message, max(0, room - cell_len(value_part))), style + error))
        else:
            segments.append(Segment(self._fit(value, room), style))
        return Strip(segments).adjust_cell_length(width, style)

    # -- keys --------------------------------------------------------------------------------------

    def _visible(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def move_to(self, index: int) -> None:
        if not self.rows:
            return
        index = max(0, min(index, len(self.rows) - 1))
        moved = index != self.cursor
        self.cursor = index
        if self.is_mounted:
            top = int(self.scroll_offset.y)
            if index < top:
                self.scroll_to(y=index, animate=False, immediate=True)
            elif index >= top + self._visible():
                self.scroll_to(y=index - self._visible() + 1, animate=False, immediate=True)
        self.refresh()
        if moved:
            self.post_message(self.Highlighted(self, index))

    def action_move(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * self._visible())

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(len(self.rows) - 1)

    def _change(self, index: int) -> None:
        self.refresh()
        self.post_message(self.Changed(self, index))

    def action_toggle_show(self) -> None:
        row = self.current
        if row is not None:
            row.spec.show = not row.spec.show
            self._change(self.cursor)

    def action_toggle_all(self) -> None:
        if not self.rows:
            return
        show = not all(r.spec.show for r in self.rows)
        for row in self.rows:
            row.spec.show = show
        self._change(-1)

    def action_operator(self, step: int) -> None:
        row = self.current
        if row is None:
            return
        choices = ("",) + OPERATORS
        at = choices.index(row.spec.operator) if row.spec.operator in choices else 0
        row.spec.operator = choices[(at + step) % len(choices)]
        row.error = ""
        self._change(self.cursor)

    def action_sort(self) -> None:
        row = self.current
        if row is None:
            return
        if not row.spec.sort:
            row.spec.sort = max([abs(r.spec.sort) for r in self.rows] + [0]) + 1
        elif row.spec.sort > 0:
            row.spec.sort = -row.spec.sort
        else:
            row.spec.sort = 0
        renumber_sorts(self.rows)
        self._change(self.cursor)

    def action_sort_priority(self, step: int) -> None:
        """Move the row's sort one place earlier (-1) or later (+1)."""
        row = self.current
        if row is None or not row.spec.sort:
            return
        target = abs(row.spec.sort) + step
        other = next((r for r in self.rows if abs(r.spec.sort) == target), None)
        if other is None:
            return
        sign_row, sign_other = (1 if row.spec.sort > 0 else -1), (1 if other.spec.sort > 0 else -1)
        other.spec.sort = sign_other * abs(row.spec.sort)
        row.spec.sort = sign_row * target
        self._change(self.cursor)

    def action_clear_row(self) -> None:
        row = self.current
        if row is None:
            return
        row.spec.operator, row.spec.value, row.spec.sort = "", "", 0
        row.error = ""
        renumber_sorts(self.rows)
        self._change(self.cursor)

    def action_edit_value(self) -> None:
        if self.current is not None:
            self.post_message(self.EditValue(self, self.cursor))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        index = int(self.scroll_offset.y) + offset.y - 1
        if 0 <= index < len(self.rows):
            self.move_to(index)
            if 2 <= offset.x < 5:
                self.action_toggle_show()

    def on_resize(self, event: events.Resize) -> None:
        self._update_size()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


# -- the SQL before it runs ----------------------------------------------------------------------


DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 78; max-width: 100%; height: auto; max-height: 100%;
    border: round $primary; background: $surface; padding: 0 1;
}}
{name} .dialog-title {{ text-style: bold; width: 100%; content-align: center middle; }}
{name} .dialog-hint {{ color: $text-muted; width: 100%; }}
{name} .dialog-buttons {{ width: 100%; height: auto; align: center middle; }}
{name} .dialog-buttons Button {{ margin: 0 1; min-width: 10; }}
"""


class SqlPreviewScreen(PupeModalScreen):
    """The query as SQL: Enter (or F5) runs it, Esc goes back to the form. Dismisses with a bool."""

    DEFAULT_CSS = DIALOG_CSS.format(name="SqlPreviewScreen") + """
    SqlPreviewScreen #sql-preview-scroll { height: auto; max-height: 16; margin: 1 0; }
    """
    BINDINGS = [
        Binding("enter,f5", "answer(True)", N_("Run"), id="sql_preview_run"),
        Binding("escape", "answer(False)", N_("Back"), id="sql_preview_back"),
    ]

    def __init__(self, sql: str, *, heading: str = "", run: bool = True) -> None:
        super().__init__()
        self.sql = sql
        self.heading = heading
        self.run = run

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(literal(self.heading or _("The query as SQL")), classes="dialog-title")
            with VerticalScroll(id="sql-preview-scroll"):
                yield Static(Text(printable(self.sql, single_line=False)), id="sql-preview-text")
            if self.run:
                with Horizontal(classes="dialog-buttons"):
                    yield Button(_("Run"), id="sql-preview-run", variant="primary")
                    yield Button(_("Back"), id="sql-preview-back")
                yield Static(literal(_("Enter runs the query · Esc goes back to the form")), classes="dialog-hint")
            else:
                yield Static(literal(_("Esc closes.")), classes="dialog-hint")

    def on_mount(self) -> None:
        if self.run:
            self.query_one("#sql-preview-run", Button).focus()
        else:
            self.query_one("#sql-preview-scroll").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "sql-preview-run")

    def action_answer(self, run: bool) -> None:
        self.dismiss(bool(run) and self.run)


# -- saved queries ---------------------------------------------------------------------------------


class SavedQueriesScreen(PupeModalScreen):
    """Everyone's saved queries: dismisses with ("load" | "run" | "delete", SavedQuery) or None."""

    DEFAULT_CSS = DIALOG_CSS.format(name="SavedQueriesScreen") + """
    SavedQueriesScreen #saved-list { height: auto; max-height: 14; margin-top: 1; }
    SavedQueriesScreen #saved-status { width: 100%; }
    SavedQueriesScreen #saved-status.-error { color: $error; text-style: bold; }
    """
    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="saved_close"),
        Binding("l", "choose('load')", N_("Load into the form"), id="saved_load"),
        Binding("r,f5", "choose('run')", N_("Run"), id="saved_run"),
        Binding("d,delete", "choose('delete')", N_("Delete"), id="saved_delete"),
    ]

    def __init__(self, saved: list[SavedQuery], table: str | None) -> None:
        super().__init__()
        self.saved = saved
        self.table = table

    def describe(self, query: SavedQuery) -> Text:
        whose = _("yours") if query.mine else _("by {owner}").format(owner=query.owner_name or query.owner)
        text = f"{query.name} · {whose}"
        if self.table is None:
            text += f" · {table_label(query.table)}"
        if query.problem:
            text += " · " + _("cannot be run here")
        return literal(text, style="bold" if query.mine else "")

    def compose(self) -> ComposeResult:
        with Vertical():
            heading = (_("Saved queries of {table}").format(table=table_label(self.table)) if self.table
                       else _("Saved queries of every table"))
            yield Static(literal(heading), classes="dialog-title")
            if self.saved:
                yield OptionList(*[Option(self.describe(q), id=str(q.id)) for q in self.saved], id="saved-list")
            else:
                yield Static(literal(_("No saved queries yet: Ctrl+S on the form saves one.")), id="saved-list")
            yield Static("", id="saved-status", markup=False)
            yield Static(literal(_("Enter or l loads · r runs · d deletes your own · Esc closes")), classes="dialog-hint")

    def on_mount(self) -> None:
        if self.saved:
            options = self.query_one("#saved-list", OptionList)
            options.highlighted = 0
            options.focus()

    def highlighted(self) -> SavedQuery | None:
        if not self.saved:
            return None
        index = self.query_one("#saved-list", OptionList).highlighted
        return self.saved[index] if index is not None and 0 <= index < len(self.saved) else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_choose("load")

    def action_choose(self, what: str) -> None:
        query = self.highlighted()
        if query is None:
            return
        if what == "delete" and not query.mine:
            status = self.query_one("#saved-status", Static)
            status.update(literal(_("Only your own saved queries can be deleted: this one is {owner}'s.").format(
                owner=query.owner)))
            status.add_class("-error")
            self.notify(_("You cannot delete {owner}'s saved query.").format(owner=printable(query.owner)),
                        severity="error", markup=False)
            return
        self.dismiss((what, query))

    def action_close(self) -> None:
        self.dismiss(None)


def describe_merge(merge: Merge) -> list[str]:
    """Warnings for what a loaded query could not put on the form."""
    out = []
    if merge.missing:
        out.append(_("Columns no longer in the table: {columns}").format(columns=", ".join(merge.missing)))
    if merge.dropped:
        out.append(_("Only the first restriction of a column is shown: {columns}").format(columns=", ".join(merge.dropped)))
    return out

