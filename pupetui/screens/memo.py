"""The customer memo (Pupesoft's asiakasmemo): the customer at a glance and its history.

`MemoScreen(customer_id)`:
- header (one line-drawn widget, `widgets.memo_header.MemoHeader`): billing and delivery
  address, fakta, tila (changed in place: t opens a small list, saved as soon as one is
  chosen), a contact picker (p) showing the chosen contact's (or the customer's) phone, gsm
  and email;
- tabs, each on a digit key: 1 memo entries, 2 contacts, 3 discounts, 4 prices, 5 sales
  (a table and a chart of 24 months), 6 calendar entries.

Everything is read and written through services (`memo`, `memo_view`) in worker threads that
never touch widgets: they post messages that the screen turns into rows.  Reading starts as
the screen is made (before it is composed) and brings every tab's data in one message; the
tabs other than the entries get their widgets when first opened (the data is there already):
a one-line `TabBar` over a ContentSwitcher whose panes are mounted when first shown.
The screen is `ready`, and posts `MemoScreen.Ready`, when that data is in and the entries list
has been drawn.

The lists are `RowList`s: a line-API view that draws only the rows on screen and formats only
those (Textual's DataTable measures every cell of every row as rows are added: ~150 ms for
2,000 entries on the test machine, more than the whole memo).  It could move to `widgets/`
when another screen needs it.

Opening fast (bench/bench_memo.py): the screen is 13 widgets (the header, the tab bar and the
key bar each draw their lines themselves instead of being made of widgets: Textual's cost is
per widget styled and laid out); the first reading runs in a thread started in `__init__`,
and the first drawing waits for it (FIRST_DRAWING_WAITS at most), so the memo is laid out and
drawn once, with its data; the rows are let go of when the screen closes, so their garbage
is not collected while a later memo opens.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Sequence

from rich.style import Style
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import ContentSwitcher, Header, Static

from pupetui.i18n import N_, _, current_language, format_date, format_datetime, format_decimal
from pupetui.screens.base import PupeScreen
from pupetui.screens.memo_forms import (
    AcknowledgeScreen,
    ChoiceScreen,
    ConfirmScreen,
    ContactFormScreen,
    EditEntryScreen,
    EntryFormChoices,
    EntryFormScreen,
    TextViewScreen,
    error_text,
    kind_name,
)
from pupetui.services import memo, memo_view, reminders
from pupetui.services.sms import SmsConfig
from pupetui.services.auth import AccessDenied
from pupetui.widgets.key_bar import KeyBar
from pupetui.widgets.literal import literal, printable
from pupetui.widgets.memo_header import HeaderBox, HeaderView, MemoHeader
from pupetui.widgets.sales_chart import ChartPoint, SalesChart
from pupetui.widgets.tab_bar import TabBar
from pupetui.services import failures

# ---------------------------------------------------------------------------------------------
# A list that draws only the rows on screen
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    label: str
    width: int = 0  # 0: the room that is left (at least `min_width`)
    justify: str = "left"
    min_width: int = 8


RowCells = tuple  # (cells, row class: "" | "dim" | "alert" | "strong")


class RowList(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows of `items` in columns, one line each, with a cursor and a header line.

    `set_rows(items, cells_of)`: `cells_of(item)` gives `(cells, row_class)` and is called only
    for rows that are drawn. Text cells (str) are shown literally, control characters removed.
    Posts `Highlighted` when the cursor moves and `Selected` on Enter or a double click.
    """

    BINDINGS = [
        Binding("up", "cursor_up", show=False, id="row_up"),
        Binding("down", "cursor_down", show=False, id="row_down"),
        Binding("pageup", "page_up", show=False, id="row_page_up"),
        Binding("pagedown", "page_down", show=False, id="row_page_down"),
        Binding("home", "first", show=False, id="row_first"),
        Binding("end", "last", show=False, id="row_last"),
        Binding("enter", "select", show=False, id="row_open"),
    ]
    COMPONENT_CLASSES = {
        "row-list--header",
        "row-list--cursor",
        "row-list--dim",
        "row-list--alert",
        "row-list--strong",
        "row-list--empty",
    }
    DEFAULT_CSS = """
    RowList {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        background: $surface;
    }
    RowList > .row-list--header { text-style: bold; color: $text-accent; }
    RowList > .row-list--cursor { background: $block-cursor-blurred-background; }
    RowList:focus > .row-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    RowList > .row-list--dim { color: $text-muted; text-style: strike; }
    RowList > .row-list--alert { color: $text-warning; }
    RowList > .row-list--strong { text-style: bold; }
    RowList > .row-list--empty { color: $text-muted; text-style: italic; }
    """

    cursor: reactive[int] = reactive(0, init=False)

    class Highlighted(Message):
        def __init__(self, row_list: "RowList", index: int, item: Any) -> None:
            super().__init__()
            self.row_list = row_list
            self.index = index
            self.item = item

        @property
        def control(self) -> "RowList":
            return self.row_list

    class Selected(Highlighted):
        pass

    def __init__(self, columns: Sequence[Column], *, empty_text: str = "", id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.columns = list(columns)
        self.empty_text = empty_text
        self.items: list[Any] = []
        self._cells_of: Callable[[Any], RowCells] = lambda item: (tuple(item), "")
        self._cells: dict[int, RowCells] = {}
        self._layout: tuple[int, list[int]] = (-1, [])
        self._drawn: Callable[[], None] | None = None

    def when_drawn(self, callback: Callable[[], None]) -> None:
        """Call `callback` once, when the rows set last are next drawn."""
        self._drawn = callback

    # -- data -------------------------------------------------------------------------------------
    def set_rows(self, items: Sequence[Any], cells_of: Callable[[Any], RowCells], *,
                 cursor: int | None = None, empty_text: str | None = None) -> None:
        self.items = list(items)
        self._cells_of = cells_of
        self._cells = {}
        if empty_text is not None:
            self.empty_text = empty_text
        self.virtual_size = Size(self.size.width, len(self.items) + 1)
        index = self.cursor if cursor is None else cursor
        index = max(0, min(index, len(self.items) - 1))
        self.set_reactive(RowList.cursor, index)
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self, index, self.highlighted))

    def clear_rows(self) -> None:
        """Forget the rows (and their formatted cells) without drawing anything."""
        self.items = []
        self._cells = {}
        self._cells_of = lambda item: (tuple(item), "")

    @property
    def highlighted(self) -> Any:
        if 0 <= self.cursor < len(self.items):
            return self.items[self.cursor]
        return None

    def index_where(self, predicate: Callable[[Any], bool]) -> int | None:
        for index, item in enumerate(self.items):
            if predicate(item):
                return index
        return None

    # -- drawing ----------------------------------------------------------------------------------
    def _widths(self, width: int) -> list[int]:
        if self._layout[0] == width:
            return self._layout[1]
        fixed = sum(c.width for c in self.columns if c.width) + len(self.columns) + 1
        rest = [c for c in self.columns if not c.width]
        share = max(0, width - fixed) // len(rest) if rest else 0
        widths = [c.width or max(c.min_width, share) for c in self.columns]
        self._layout = (width, widths)
        return widths

    def _line(self, cells: Sequence[Any], width: int) -> Text:
        line = Text(" ", no_wrap=True, end="")
        for column, cell_width, cell in zip(self.columns, self._widths(width), cells):
            text = cell.copy() if isinstance(cell, Text) else Text(printable(cell))
            text.no_wrap = True
            text.truncate(cell_width, overflow="ellipsis")
            pad = " " * (cell_width - text.cell_len)
            if column.justify == "right":
                line.append(pad)
                line.append_text(text)
            else:
                line.append_text(text)
                line.append(pad)
            line.append(" ")
        return line

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        segments = list(text.render(self.app.console))
        return Strip(segments).apply_style(style).adjust_cell_length(width, style)

    def render_line(self, y: int) -> Strip:
        if self._drawn is not None:
            drawn, self._drawn = self._drawn, None
            drawn()
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            header = self.get_component_rich_style("row-list--header", partial=True)
            return self._strip(self._line([c.label for c in self.columns], width), width, base + header)
        index = int(self.scroll_offset.y) + y - 1
        if not self.items:
            if y == 1 and self.empty_text:
                empty = self.get_component_rich_style("row-list--empty", partial=True)
                return self._strip(Text(" " + printable(self.empty_text), no_wrap=True, end=""), width, base + empty)
            return Strip.blank(width, base)
        if index >= len(self.items):
            return Strip.blank(width, base)
        cells = self._cells.get(index)
        if cells is None:
            cells = self._cells[index] = self._cells_of(self.items[index])
        values, row_class = cells
        style = base
        if row_class:
            style += self.get_component_rich_style(f"row-list--{row_class}", partial=True)
        if index == self.cursor:
            style += self.get_component_rich_style("row-list--cursor", partial=True)
        return self._strip(self._line(values, width), width, style)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.items) + 1)
        self._scroll_to_cursor()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- the cursor -------------------------------------------------------------------------------
    @property
    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_cursor(self) -> None:
        top = int(self.scroll_y)
        visible = self._visible_rows
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self, new, self.highlighted))

    def _move(self, index: int) -> None:
        if self.items:
            self.cursor = max(0, min(index, len(self.items) - 1))

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_page_up(self) -> None:
        self._move(self.cursor - self._visible_rows)

    def action_page_down(self) -> None:
        self._move(self.cursor + self._visible_rows)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self.items) - 1)

    def action_select(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Selected(self, self.cursor, self.highlighted))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        index = int(self.scroll_y) + offset.y - 1
        if 0 <= index < len(self.items):
            self.cursor = index
            if event.chain >= 2:
                self.action_select()


# ---------------------------------------------------------------------------------------------
# Texts of the rows
# ---------------------------------------------------------------------------------------------

# the service's rule bases (memo.BASIS_TEXT), translated when shown
BASIS_NAMES = {
    "customer + product": N_("customer + product"),
    "business id + product": N_("business id + product"),
    "customer group + product": N_("customer group + product"),
    "district + product": N_("district + product"),
    "customer + discount group": N_("customer + discount group"),
    "business id + discount group": N_("business id + discount group"),
    "customer group + discount group": N_("customer group + discount group"),
    "district + discount group": N_("district + discount group"),
}

TABS = (
    ("tab-entries", N_("Entries")),
    ("tab-contacts", N_("Contacts")),
    ("tab-discounts", N_("Discounts")),
    ("tab-prices", N_("Prices")),
    ("tab-sales", N_("Sales")),
    ("tab-calendar", N_("Calendar")),
)
ENTRY_ACTIONS = {
    "new_entry", "reply", "edit_entry", "delete_entry", "acknowledge", "toggle_own", "toggle_deleted",
    "contact_filter",
}
CONTACT_ACTIONS = {"add_contact", "edit_contact", "remove_contact"}
RULE_ACTIONS = {"toggle_expired"}
FIRST_DRAWING_WAITS = 0.1  # seconds the first drawing of the memo waits for its data at most
HEADER_BOXES = (N_("Billing address"), N_("Delivery address"), N_("Facts"))


def multiline(value: object) -> Text:
    """Untrusted text over several lines, shown literally (line breaks kept, controls removed)."""
    return Text(printable(value, single_line=False))


def _first_line(text: str) -> str:
    return printable(text.strip())


def _decimal(value: Any, places: int = 2) -> str:
    try:
        return format_decimal(value, places)
    except ValueError:
        return printable(value)


def _price(value: str) -> str:
    number, _sep, currency = value.partition(" ")
    try:
        amount = Decimal(number)
    except InvalidOperation:
        return printable(value)
    places = max(2, -amount.as_tuple().exponent) if isinstance(amount.as_tuple().exponent, int) else 2
    return f"{format_decimal(amount, places)} {printable(currency)}".strip()


def _month_label(year: int, month: int) -> str:
    return f"{month:02d}/{year}" if current_language() == "fi" else f"{year}-{month:02d}"


def _right(text: str) -> Text:
    return Text(text, justify="right")


def entry_cells(entry: memo.Entry) -> RowCells:
    kind = kind_name(entry.kind)
    if entry.awaiting_acknowledgement:
        kind += "!"
    if entry.deleted:
        kind = "✗ " + kind
    indent = "  " * entry.depth + ("↳ " if entry.depth else "")
    row_class = "dim" if entry.deleted else "alert" if entry.awaiting_acknowledgement else ""
    when = entry.starts_at or entry.created_at  # Pupesoft's memo shows pvmalku's date and kuka
    return (format_date(when), kind, entry.method, entry.owner, indent + _first_line(entry.text)), row_class


def entry_summary(entry: memo.Entry) -> str:
    """One line about an entry: what, how, with whom, by whom when; for whom and when it is due."""
    parts = [kind_name(entry.kind)]
    if entry.deleted:
        parts.append(_("deleted"))
    if entry.method:
        parts.append(entry.method)
    if entry.contact_name:
        parts.append(entry.contact_name)
    parts.append(_("by {user} {when}").format(user=entry.created_by or entry.owner,
                                              when=format_datetime(entry.created_at or entry.starts_at)))
    if entry.kind in ("Muistutus", "Lead"):
        parts.append(_("for {user} {when}").format(user=entry.owner, when=format_datetime(entry.starts_at)))
        if entry.supervisor:
            parts.append(_("supervisor {user}").format(user=entry.supervisor))
        if entry.awaiting_acknowledgement:
            parts.append(_("awaits acknowledgement"))
        elif entry.acknowledgement == "E":
            parts.append(_("no acknowledgement needed"))
        elif not entry.acknowledgement:
            parts.append(_("acknowledged"))
    return " · ".join(printable(p) for p in parts if p)


def contact_cells(contact: memo.ContactInfo) -> RowCells:
    return (contact.name, contact.title, contact.phone, contact.mobile, contact.email), ""


def rule_cells(rule: memo.PriceRuleRow, value: str) -> RowCells:
    what = rule.product_no or (_("group {group}").format(group=rule.discount_group) if rule.discount_group else "")
    basis = _(BASIS_NAMES[rule.basis]) if rule.basis in BASIS_NAMES else rule.basis
    return (
        basis, what, _right(value), _right(str(rule.min_quantity or "")),
        format_date(rule.valid_from), format_date(rule.valid_to),
    ), "" if rule.valid else "dim"


def month_cells(month) -> RowCells:
    percent = month.margin_percent
    return (
        _month_label(month.year, month.month), _right(format_decimal(month.sales)),
        _right(format_decimal(month.margin)),
        _right(f"{format_decimal(percent, 1)} %" if percent is not None else ""),
        _right(str(month.visits)),
    ), ""


@dataclass(frozen=True)
class SalesTotal:
    sales: Decimal
    margin: Decimal
    visits: int


def total_cells(total: SalesTotal) -> RowCells:
    percent = (total.margin / total.sales * 100) if total.sales else None
    return (
        _("Total"), _right(format_decimal(total.sales)), _right(format_decimal(total.margin)),
        _right(f"{format_decimal(percent, 1)} %" if percent is not None else ""), _right(str(total.visits)),
    ), "strong"


def calendar_cells(row: memo.CalendarRow) -> RowCells:
    when = format_date(row.starts_at) if row.all_day else format_datetime(row.starts_at)
    return (when, row.owner, row.method, "✓" if row.done else "", _first_line(row.text)), ""


class EntryText(Static):
    """The highlighted entry under the list: a line about it (muted), then its whole text."""

    COMPONENT_CLASSES = {"entry-text--summary"}
    DEFAULT_CSS = """
    EntryText > .entry-text--summary { color: $text-muted; }
    """


# ---------------------------------------------------------------------------------------------
# The screen
# ---------------------------------------------------------------------------------------------


class MemoScreen(PupeScreen):
    TITLE_ID = N_("Customer memo")
    CSS_PATH = Path(__file__).with_name("memo.tcss")  # absolute: subclasses elsewhere keep it
    AUTO_FOCUS = "#entries"
    BINDINGS = [
        Binding("escape", "back", N_("Back"), show=False, id="back"),
        *(
            Binding(str(number), f"show_tab('{tab_id}')", title, show=False, id=f"memo_{tab_id.replace('-', '_')}")
            for number, (tab_id, title) in enumerate(TABS, start=1)
        ),
        Binding("n", "new_entry", N_("New"), id="memo_new_entry"),
        Binding("r", "reply", N_("Reply"), id="memo_reply"),
        Binding("e", "edit_entry", N_("Edit yours"), id="memo_edit_entry"),
        Binding("d", "delete_entry", N_("Delete"), id="memo_delete_entry"),
        Binding("k", "acknowledge", N_("Acknowledge"), id="memo_acknowledge"),
        Binding("o", "toggle_own", N_("Own entries or everyone's"), show=False, id="memo_own_only"),
        Binding("x", "toggle_deleted", N_("Show deleted entries"), show=False, id="memo_show_deleted"),
        Binding("c", "contact_filter", N_("Filter entries by contact"), show=False, id="memo_contact_filter"),
        Binding("a", "add_contact", N_("Add"), id="memo_add_contact"),
        Binding("e", "edit_contact", N_("Edit"), id="memo_edit_contact"),
        Binding("d", "remove_contact", N_("Remove"), id="memo_remove_contact"),
        Binding("v", "toggle_expired", N_("Valid/all"), id="memo_show_expired"),
        Binding("t", "pick_status", N_("Change the status"), show=False, id="memo_status"),
        Binding("p", "pick_contact", N_("Choose a contact"), show=False, id="memo_contact_picker"),
        Binding("i", "details", N_("Customer details in full"), show=False, id="memo_details"),
    ]

    # -- messages from the workers ------------------------------------------------------------------
    class Loaded(Message):
        def __init__(self, first: memo_view.FirstView, rest: memo_view.RestView) -> None:
            super().__init__()
            self.first = first
            self.rest = rest
            self.handled = False  # shown already (by on_mount, or by this message)

    class LoadFailed(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text
            self.handled = False

    class EntriesLoaded(Message):
        def __init__(self, generation: int, entries: list[memo.Entry], select_id: int | None) -> None:
            super().__init__()
            self.generation = generation
            self.entries = entries
            self.select_id = select_id

    class ContactsLoaded(Message):
        def __init__(self, contacts: list[memo.ContactInfo], select_id: int | None) -> None:
            super().__init__()
            self.contacts = contacts
            self.select_id = select_id

    class RulesLoaded(Message):
        def __init__(self, discounts: list[memo.PriceRuleRow], prices: list[memo.PriceRuleRow]) -> None:
            super().__init__()
            self.discounts = discounts
            self.prices = prices

    class LatestFound(Message):
        def __init__(self, entry: memo.Entry | None) -> None:
            super().__init__()
            self.entry = entry

    class WriteDone(Message):
        def __init__(self, then: Callable[[Any], None], result: Any) -> None:
            super().__init__()
            self.then = then
            self.result = result

    class WriteFailed(Message):
        def __init__(self, text: str, then: Callable[[], None] | None = None) -> None:
            super().__init__()
            self.text = text
            self.then = then

    class Ready(Message):
        """Every tab's data is shown (bubbles to the app)."""

        def __init__(self, screen: "MemoScreen") -> None:
            super().__init__()
            self.memo_screen = screen

    # -- building ---------------------------------------------------------------------------------
    def __init__(self, customer_id: int) -> None:
        super().__init__()
        self.customer_id = int(customer_id)
        self.login = ""
        self.header: memo.CustomerHeader | None = None
        self.contacts: list[memo.ContactInfo] = []
        self.entries: list[memo.Entry] = []
        self.rest: memo_view.RestView | None = None
        self.discounts: list[memo.PriceRuleRow] = []
        self.prices: list[memo.PriceRuleRow] = []
        self.own_only = False
        self.show_deleted = False
        self.contact_filter: int | None = None
        self.include_invalid = False
        self.status = ""
        self.status_choices: list[tuple[str, str]] = []
        self.chosen_contact: int | None = None  # whose numbers the header shows (None: the customer's)
        self.first_loaded = False
        self.load_error = ""
        self.ready = False
        self._generation = 0
        self._built: set[str] = {"tab-entries"}  # tabs whose widgets are mounted
        self._loading = False
        self._arrived: Message | None = None  # what the first reading brought (Loaded or LoadFailed)
        self._arrival: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        try:  # start reading while the screen is built (its messages wait until it runs)
            self.app  # noqa: B018 - the running app, when the screen is made inside it
        except Exception:  # noqa: BLE001 - made outside an app: on_mount starts it
            pass
        else:
            self._start_loading()

    def compose(self) -> ComposeResult:
        yield Header()
        yield MemoHeader(self._header_view(), id="memo-header")
        yield TabBar([(tab_id, f"{number} {_(title)}") for number, (tab_id, title) in enumerate(TABS, start=1)],
                     "tab-entries", id="memo-tab-bar")
        with ContentSwitcher(id="memo-tabs", initial="tab-entries"):
            with Vertical(id="tab-entries", classes="memo-pane"):
                yield from self._entries_widgets()
            # the other tabs get their pane when first shown (`_build_tab`): the memo opens
            # faster, and their data is loaded with the rest all the same
        yield KeyBar()

    def _entries_widgets(self) -> ComposeResult:
        yield Static(self._entries_state(), id="entries-state")
        yield RowList(
            [Column(_("Date"), 10), Column(_("Type"), 11), Column(_("Method"), 10), Column(_("By"), 8),
             Column(_("Text"))],
            empty_text=_("Loading…"), id="entries",
        )
        with VerticalScroll(id="entry-detail", classes="-empty"):
            yield EntryText("", id="entry-detail-text")

    def _tab_widgets(self, tab_id: str) -> list:
        loading = _("Loading…")
        if tab_id == "tab-contacts":
            return [RowList(
                [Column(_("Name")), Column(_("Title"), 12), Column(_("Phone"), 12), Column(_("Mobile"), 12),
                 Column(_("Email"), 20)],
                empty_text=loading, id="contacts",
            )]
        if tab_id in ("tab-discounts", "tab-prices"):
            name = tab_id.removeprefix("tab-")
            value_title = _("Discount %") if name == "discounts" else _("Price")
            columns = [Column(_("Basis")), Column(_("Product/group"), 13), Column(value_title, 11, "right"),
                       Column(_("Min qty"), 7, "right"), Column(_("From"), 10), Column(_("To"), 10)]
            return [Static("", id=f"{name}-state", classes="tab-state"),
                    RowList(columns, empty_text=loading, id=name)]
        if tab_id == "tab-sales":
            return [
                SalesChart(_("Invoiced sales by month, last 24 months"),
                           number_format=lambda value: format_decimal(value, 0), id="sales-chart"),
                RowList(
                    [Column(_("Month"), 8), Column(_("Sales"), 14, "right"), Column(_("Margin"), 14, "right"),
                     Column(_("Margin %"), 9, "right"), Column(_("Visits"), 7, "right")],
                    empty_text=loading, id="sales",
                ),
            ]
        if tab_id == "tab-calendar":
            return [RowList(
                [Column(_("When"), 16), Column(_("Who"), 10), Column(_("Method"), 12), Column(_("Done"), 4),
                 Column(_("Text"))],
                empty_text=loading, id="calendar",
            )]
        return []

    async def _build_tab(self, tab_id: str) -> None:
        if tab_id in self._built:
            return
        self._built.add(tab_id)
        pane = Vertical(*self._tab_widgets(tab_id), id=tab_id, classes="memo-pane")
        pane.display = False  # until the switcher shows it
        await self.query_one("#memo-tabs", ContentSwitcher).mount(pane)
        self._fill_tab(tab_id)

    def _fill_tab(self, tab_id: str) -> None:
        """Show the loaded data of a tab whose widgets are there (nothing before that)."""
        if tab_id not in self._built or tab_id == "tab-entries":
            return
        if self.load_error:
            for rows in self.query_one(f"#{tab_id}").query(RowList):
                rows.set_rows([], entry_cells, empty_text=self.load_error)
            return
        if tab_id == "tab-contacts" and self.first_loaded:
            self._fill_contacts()
        if self.rest is None:
            return
        if tab_id in ("tab-discounts", "tab-prices"):
            self._fill_rules(tab_id.removeprefix("tab-"))
        elif tab_id == "tab-sales":
            self._fill_sales(self.rest.months)
        elif tab_id == "tab-calendar":
            self.query_one("#calendar", RowList).set_rows(
                self.rest.calendar, calendar_cells, empty_text=_("No calendar entries for this customer.")
            )

    async def on_mount(self) -> None:
        self._start_loading()
        # The first drawing waits (a moment at most) for the data: the memo is then laid out and
        # drawn once, with its data, instead of first with "Loading…" and again; and the reading
        # thread has the interpreter to itself meanwhile.  A slow database shows "Loading…".
        if self._arrived is None and self._arrival is not None:
            try:
                await asyncio.wait_for(self._arrival.wait(), FIRST_DRAWING_WAITS)
            except asyncio.TimeoutError:
                return
        if isinstance(self._arrived, self.Loaded):
            self.on_memo_screen_loaded(self._arrived)
        elif isinstance(self._arrived, self.LoadFailed):
            self.on_memo_screen_load_failed(self._arrived)

    def _start_loading(self) -> None:
        if not self._loading:
            self._loading = True
            self._loop = asyncio.get_running_loop()
            self._arrival = asyncio.Event()
            # a thread of its own, started at once (a Textual worker starts on the loop's next turn)
            # (in a copy of this context, as Textual's workers run: the app and the session)
            context = contextvars.copy_context()
            threading.Thread(target=context.run, args=(self._load,), name="memo-load", daemon=True).start()

    # -- loading ----------------------------------------------------------------------------------
    def _load(self) -> None:
        """The first reading (in its thread): every tab's data, or why there is none."""
        message: Message
        try:
            if not memo_view.may_use_memo():
                raise AccessDenied(_("You have no right to use the customer memo."))
            first = memo_view.load_first(self.customer_id)
            rest = memo_view.load_rest(self.customer_id, self.include_invalid)
        except AccessDenied as exc:
            message = self.LoadFailed(str(exc))
        except memo.NotFound:
            message = self.LoadFailed(_("The customer was not found."))
        except Exception as exc:  # noqa: BLE001 - shown to the user, who can go back
            message = self.LoadFailed(_("The memo could not be loaded: {error}").format(error=failures.sentence(exc)))
        else:
            message = self.Loaded(first, rest)
        self._arrived = message
        if self._loop is not None and self._arrival is not None:
            try:
                self._loop.call_soon_threadsafe(self._arrival.set)
            except RuntimeError:  # the app has ended
                return
        self.post_message(message)  # for when the first drawing did not wait for it

    def on_memo_screen_load_failed(self, message: LoadFailed) -> None:
        if message.handled:
            return
        message.handled = True
        self.load_error = message.text
        self._refresh_header()
        self.query_one("#entries", RowList).set_rows([], entry_cells, empty_text=message.text)
        for tab_id in self._built:
            self._fill_tab(tab_id)
        self.notify(printable(message.text), severity="error", markup=False)

    def on_memo_screen_loaded(self, message: Loaded) -> None:
        if message.handled:
            return
        message.handled = True
        first, rest = message.first, message.rest
        self.login = first.login
        self.own_only = first.own_only
        self.rest = rest
        self.discounts, self.prices = rest.discounts, rest.prices
        self._show_header(first.header, first.status_choices)
        self._show_contacts(first.contacts)
        self._show_entries(first.entries)
        self.first_loaded = True
        for tab_id in self._built:
            self._fill_tab(tab_id)
        self.refresh_bindings()
        # ready when the entries are on the terminal: their list is drawn (or, on another tab,
        # after the next refresh)
        self.query_one("#entries", RowList).when_drawn(self._announce_ready)
        self.call_after_refresh(self._announce_ready)

    def _announce_ready(self) -> None:
        if not self.ready:
            self.ready = True
            self.post_message(self.Ready(self))

    # -- the header -------------------------------------------------------------------------------
    def _show_header(self, header: memo.CustomerHeader, status_choices: list[tuple[str, str]]) -> None:
        self.header = header
        name = header.billing_lines[0] if header.billing_lines else ""
        self.sub_title = printable(f"{name} ({header.business_id})" if header.business_id else name)
        choices = list(status_choices)
        if header.status and header.status not in [value for value, _label in choices]:
            choices.insert(0, (header.status, header.status))
        self.status_choices = choices
        self.status = header.status
        self._refresh_header()

    def _header_view(self) -> HeaderView:
        header = self.header
        if header is None:
            loading = [] if self.load_error else [_("Loading…")]
            return HeaderView(boxes=[HeaderBox(_(title), loading, wrap=index == 2)
                                     for index, title in enumerate(HEADER_BOXES)],
                              error=self.load_error)
        facts = printable(header.facts, single_line=False).strip()
        boxes = [
            HeaderBox(_(HEADER_BOXES[0]), header.billing_lines),
            HeaderBox(_(HEADER_BOXES[1]), header.delivery_lines or ["—"]),
            HeaderBox(_(HEADER_BOXES[2]), [facts or "—"], wrap=True),
        ]
        contact = self._chosen_contact()
        return HeaderView(
            boxes=boxes,
            choices=[("t", _("Status"), self._status_label()),
                     ("p", _("Contact"), contact.name if contact else _("(customer)"))],
            choice_ids=["status", "contact"],
            info=self._contact_info(),
        )

    def _refresh_header(self) -> None:
        for header in self.query("#memo-header").results(MemoHeader):
            header.show(self._header_view())

    def _status_label(self) -> str:
        if not self.status:
            return _("(no status)")
        return next((label for value, label in self.status_choices if value == self.status), self.status)

    def _show_contacts(self, contacts: list[memo.ContactInfo], select_id: int | None = None) -> None:
        self.contacts = contacts
        ids = {c.id for c in contacts}
        if self.chosen_contact not in ids:
            self.chosen_contact = None
        if self.contact_filter not in ids:
            self.contact_filter = None
        self._fill_contacts(select_id)
        self._refresh_header()
        self._show_entries_state()

    def _fill_contacts(self, select_id: int | None = None) -> None:
        if "tab-contacts" not in self._built:
            return
        cursor = next((i for i, c in enumerate(self.contacts) if c.id == select_id), None)
        self.query_one("#contacts", RowList).set_rows(
            self.contacts, contact_cells, cursor=cursor, empty_text=_("No contacts. Press a to add one.")
        )

    def _chosen_contact(self) -> memo.ContactInfo | None:
        return next((c for c in self.contacts if c.id == self.chosen_contact), None)

    def _contact_info(self) -> str:
        """The chosen contact's (or the customer's) numbers and email on one line."""
        header = self.header
        if header is None:
            return ""
        contact = self._chosen_contact()
        source = contact or header
        parts = [contact.name] if contact is not None else []
        numbers = [f"{_(label)} {printable(value)}" for label, value in (
            (N_("tel."), source.phone), (N_("mobile"), source.mobile)) if printable(value).strip()]
        parts += numbers
        if printable(source.email).strip():
            parts.append(source.email)
        if not numbers and not source.email.strip():
            parts.append(_("no phone or email"))
        return " · ".join(printable(p) for p in parts)

    def _contact_options(self, none_label: str) -> list[tuple[str, int | None]]:
        return [(none_label, None)] + [(c.name, c.id) for c in self.contacts]

    def action_pick_contact(self) -> None:
        def chosen(result: tuple[int | None] | None) -> None:
            if result is not None:
                self.chosen_contact = result[0]
                self._refresh_header()

        self.app.push_screen(
            ChoiceScreen(_("Contact"), self._contact_options(_("(customer)")), self.chosen_contact,
                         id="memo-contact-picker"),
            chosen,
        )

    def action_pick_status(self) -> None:
        options: list[tuple[str, str]] = [(_("(no status)"), "")] + [(label, value) for value, label in self.status_choices]

        def chosen(result: tuple[str] | None) -> None:
            if result is not None:
                self._change_status(result[0])

        self.app.push_screen(ChoiceScreen(_("Status"), options, self.status, id="memo-status-picker"), chosen)

    def on_memo_header_picker_clicked(self, message: MemoHeader.PickerClicked) -> None:
        if self.first_loaded:
            self.action_pick_status() if message.choice == "status" else self.action_pick_contact()

    def _change_status(self, value: str) -> None:
        if self.header is None or value == self.status:
            return
        previous = self.status
        self.status = value
        self._refresh_header()

        def saved(_result: Any) -> None:
            self.notify(_("Status changed."), markup=False)

        def refused() -> None:
            self.status = previous
            self._refresh_header()

        self._write(lambda: memo.set_status(self.customer_id, value), saved, refused)

    # -- entries ----------------------------------------------------------------------------------
    def _entry_filter(self) -> memo.EntryFilter:
        return memo.EntryFilter(own_only=self.own_only, contact_id=self.contact_filter, show_deleted=self.show_deleted)

    def _entries_state(self) -> Text:
        parts = [_("Own entries") if self.own_only else _("Everyone's entries")]
        contact = next((c for c in self.contacts if c.id == self.contact_filter), None)
        if contact is not None:
            parts.append(_("with {contact}").format(contact=printable(contact.name)))
        if self.show_deleted:
            parts.append(_("deleted shown"))
        parts.append(_("o own/all · x deleted · c contact"))
        return literal(" · ".join(parts))

    def _show_entries_state(self) -> None:
        self.query_one("#entries-state", Static).update(self._entries_state())

    def _show_entries(self, entries: list[memo.Entry], select_id: int | None = None) -> None:
        self.entries = entries
        self._show_entries_state()
        rows = self.query_one("#entries", RowList)
        cursor = None
        if select_id is not None:
            cursor = next((i for i, e in enumerate(entries) if e.id == select_id), None)
        if self.own_only:
            empty = _("You have no entries on this customer. Press o to see everyone's.")
        else:
            empty = _("No entries. Press n to write one.")
        rows.set_rows(entries, entry_cells, cursor=cursor, empty_text=empty)
        self.query_one("#entry-detail").set_class(not entries, "-empty")

    def reload_entries(self, select_id: int | None = None, *, remember_own: bool = False) -> None:
        self._generation += 1
        self._load_entries(self._generation, self._entry_filter(), select_id, remember_own)

    @work(thread=True, exclusive=True, group="memo-entries")
    def _load_entries(self, generation: int, flt: memo.EntryFilter, select_id: int | None,
                      remember_own: bool) -> None:
        try:
            if remember_own:
                memo_view.remember_own_only(flt.own_only)
            entries = memo.entries(self.customer_id, flt)
        except Exception as exc:  # noqa: BLE001
            self.post_message(self.WriteFailed(_("The entries could not be loaded: {error}").format(error=failures.sentence(exc))))
            return
        self.post_message(self.EntriesLoaded(generation, entries, select_id))

    def on_memo_screen_entries_loaded(self, message: EntriesLoaded) -> None:
        if message.generation == self._generation:
            self._show_entries(message.entries, message.select_id)

    @on(RowList.Highlighted, "#entries")
    def _entry_highlighted(self, event: RowList.Highlighted) -> None:
        entry: memo.Entry | None = event.item
        text = self.query_one("#entry-detail-text", Static)
        if entry is None:
            text.update("")
            return
        detail = Text(entry_summary(entry), style=self._summary_style(), end="")
        detail.append("\n")
        detail.append_text(multiline(entry.text))
        text.update(detail)
        self.query_one("#entry-detail", VerticalScroll).scroll_home(animate=False)

    def _summary_style(self) -> Style:
        return self.query_one("#entry-detail-text", EntryText).get_component_rich_style("entry-text--summary", partial=True)

    @on(RowList.Selected, "#entries")
    def _entry_opened(self, event: RowList.Selected) -> None:
        entry: memo.Entry = event.item
        self.app.push_screen(TextViewScreen(entry_summary(entry), entry.text))

    def _highlighted_entry(self) -> memo.Entry | None:
        entry = self.query_one("#entries", RowList).highlighted
        if entry is None:
            self.notify(_("Choose an entry first."), severity="warning", markup=False)
        return entry

    def _filter_by_contact(self, value: int | None) -> None:
        if value != self.contact_filter:
            self.contact_filter = value
            self._show_entries_state()
            self.reload_entries()

    def _choices(self) -> EntryFormChoices:
        rest = self.rest
        return EntryFormChoices(
            methods=rest.methods if rest else [], contacts=self.contacts, users=rest.users if rest else [],
            login=self.login,
        )

    def _default_contact(self) -> int | None:
        chosen = self._chosen_contact()
        return chosen.id if chosen else self.contact_filter

    def action_new_entry(self) -> None:
        self._open_entry_form(None)

    def action_reply(self) -> None:
        entry = self._highlighted_entry()
        if entry is not None:
            self._open_entry_form(entry)

    def _open_entry_form(self, parent: memo.Entry | None) -> None:
        customer_id = self.customer_id
        contact = (parent.contact_id or None) if parent else self._default_contact()

        def saved(entry_id: int | None) -> None:
            if entry_id is not None:
                self.notify(_("Entry saved."), markup=False)
                self.reload_entries(entry_id)

        sms_config = SmsConfig.from_settings(getattr(getattr(self.app, "settings", None), "sms", None) or {})

        def add(new: memo.NewEntry) -> int:  # in the form's worker thread
            entry_id = memo.add_entry(customer_id, new)
            if new.kind == memo.REMINDER:  # as Pupesoft's memo: an SMS to the reminder's owner
                sent = reminders.send_sms(entry_id, sms_config)
                if sent.sms_error:
                    self.app.call_from_thread(
                        self.notify, _("The SMS was not sent: {error}").format(error=printable(sent.sms_error)),
                        severity="warning", markup=False, timeout=10)
                elif sent.sms is not None:
                    self.app.call_from_thread(self.notify, _("The SMS reminder was sent."), markup=False)
            return entry_id

        self.app.push_screen(
            EntryFormScreen(self._choices(), add, parent=parent, contact_id=contact),
            saved,
        )

    def action_edit_entry(self) -> None:
        self._find_latest()

    @work(thread=True, exclusive=True, group="memo-latest")
    def _find_latest(self) -> None:
        try:
            entry = memo.latest_own_entry(self.customer_id)
        except Exception as exc:  # noqa: BLE001
            self.post_message(self.WriteFailed(error_text(exc)))
            return
        self.post_message(self.LatestFound(entry))

    def on_memo_screen_latest_found(self, message: LatestFound) -> None:
        entry = message.entry
        if entry is None:
            self.notify(_("You have not written an entry on this customer."), severity="warning", markup=False)
            return
        customer_id = self.customer_id

        def saved(result: Any) -> None:
            if result:  # None when the form was closed without saving
                self.notify(_("Entry saved."), markup=False)
                self.reload_entries(entry.id)

        def save(values: tuple[str, str]) -> bool:
            memo.edit_entry(customer_id, entry.id, values[0], values[1])
            return True

        methods = self.rest.methods if self.rest else []
        self.app.push_screen(EditEntryScreen(entry, methods, save), saved)

    def action_delete_entry(self) -> None:
        entry = self._highlighted_entry()
        if entry is None:
            return
        if entry.deleted:
            self.notify(_("The entry is deleted already."), severity="warning", markup=False)
            return
        question = _("Delete the entry “{text}”?").format(text=_first_line(entry.text)[:60])

        def answered(yes: bool | None) -> None:
            if yes:
                self._write(
                    lambda: memo.delete_entry(self.customer_id, entry.id),
                    lambda _result: (self.notify(_("Entry deleted."), markup=False), self.reload_entries()),
                )

        self.app.push_screen(ConfirmScreen(question, yes=_("Delete"), no=_("Keep")), answered)

    def action_acknowledge(self) -> None:
        entry = self._highlighted_entry()
        if entry is None:
            return
        if not entry.awaiting_acknowledgement:
            self.notify(_("This entry does not wait for an acknowledgement."), severity="warning", markup=False)
            return

        def saved(result: Any) -> None:
            if result is not None:
                self.notify(_("Acknowledged."), markup=False)
                self.reload_entries(entry.id)

        self.app.push_screen(AcknowledgeScreen(entry, lambda text: memo.acknowledge(entry.id, text)), saved)

    def action_toggle_own(self) -> None:
        self.own_only = not self.own_only
        self._show_entries_state()
        self.reload_entries(remember_own=True)

    def action_toggle_deleted(self) -> None:
        self.show_deleted = not self.show_deleted
        self._show_entries_state()
        self.reload_entries()

    def action_contact_filter(self) -> None:
        def chosen(result: tuple[int | None] | None) -> None:
            if result is not None:
                self._filter_by_contact(result[0])

        self.app.push_screen(
            ChoiceScreen(_("Show the entries of"), self._contact_options(_("All contacts")), self.contact_filter,
                         id="memo-contact-filter"),
            chosen,
        )

    # -- contacts ---------------------------------------------------------------------------------
    def _highlighted_contact(self) -> memo.ContactInfo | None:
        contact = self.query_one("#contacts", RowList).highlighted
        if contact is None:
            self.notify(_("Choose a contact first."), severity="warning", markup=False)
        return contact

    def action_add_contact(self) -> None:
        customer_id = self.customer_id
        self.app.push_screen(
            ContactFormScreen(None, lambda values: memo.save_contact(customer_id, values)), self._contact_saved
        )

    def action_edit_contact(self) -> None:
        contact = self._highlighted_contact()
        if contact is None:
            return
        customer_id = self.customer_id
        self.app.push_screen(
            ContactFormScreen(contact, lambda values: memo.save_contact(customer_id, values, contact.id)),
            self._contact_saved,
        )

    @on(RowList.Selected, "#contacts")
    def _contact_opened(self) -> None:
        self.action_edit_contact()

    def _contact_saved(self, contact_id: int | None) -> None:
        if contact_id is not None:
            self.notify(_("Contact saved."), markup=False)
            self._reload_contacts(contact_id)

    def action_remove_contact(self) -> None:
        contact = self._highlighted_contact()
        if contact is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._write(
                    lambda: memo.remove_contact(self.customer_id, contact.id),
                    lambda _result: (self.notify(_("Contact removed."), markup=False), self._reload_contacts(None)),
                )

        question = _("Remove the contact {name}?").format(name=printable(contact.name))
        self.app.push_screen(ConfirmScreen(question, yes=_("Remove"), no=_("Keep")), answered)

    @work(thread=True, exclusive=True, group="memo-contacts")
    def _reload_contacts(self, select_id: int | None) -> None:
        try:
            contacts = memo.contacts(self.customer_id)
        except Exception as exc:  # noqa: BLE001
            self.post_message(self.WriteFailed(error_text(exc)))
            return
        self.post_message(self.ContactsLoaded(contacts, select_id))

    def on_memo_screen_contacts_loaded(self, message: ContactsLoaded) -> None:
        self._show_contacts(message.contacts, message.select_id)

    # -- discounts and prices -----------------------------------------------------------------------
    def _fill_rules(self, name: str) -> None:
        """Show the discounts or the prices (`name`) in their tab."""
        if f"tab-{name}" not in self._built:
            return
        if self.include_invalid:
            state = _("All rules, most specific first; dimmed ones are not valid today. v: valid only")
        else:
            state = _("Rules valid today, most specific first. v: show expired too")
        if name == "discounts":
            rows, value_of, empty = self.discounts, lambda r: _decimal(r.value), _("No discounts.")
        else:
            rows, value_of, empty = self.prices, lambda r: _price(r.value), _("No customer prices.")
        self.query_one(f"#{name}-state", Static).update(literal(state))
        self.query_one(f"#{name}", RowList).set_rows(
            rows, lambda rule: rule_cells(rule, value_of(rule)), empty_text=empty
        )

    def action_toggle_expired(self) -> None:
        self.include_invalid = not self.include_invalid
        self._load_rules(self.include_invalid)

    @work(thread=True, exclusive=True, group="memo-rules")
    def _load_rules(self, include_invalid: bool) -> None:
        try:
            discounts = memo.discounts(self.customer_id, include_invalid=include_invalid)
            prices = memo.prices(self.customer_id, include_invalid=include_invalid)
        except Exception as exc:  # noqa: BLE001
            self.post_message(self.WriteFailed(error_text(exc)))
            return
        self.post_message(self.RulesLoaded(discounts, prices))

    def on_memo_screen_rules_loaded(self, message: RulesLoaded) -> None:
        self.discounts, self.prices = message.discounts, message.prices
        self._fill_rules("discounts")
        self._fill_rules("prices")

    # -- sales --------------------------------------------------------------------------------------
    def _fill_sales(self, months: list) -> None:
        chart = self.query_one("#sales-chart", SalesChart)
        chart.set_points([ChartPoint(m.sales, f"{m.month:02d}", str(m.year)) for m in months])
        newest_first = list(reversed(months))
        total = SalesTotal(
            sum((m.sales for m in months), Decimal(0)), sum((m.margin for m in months), Decimal(0)),
            sum(m.visits for m in months),
        )
        rows: list[Any] = newest_first + [total]
        self.query_one("#sales", RowList).set_rows(
            rows, lambda row: total_cells(row) if isinstance(row, SalesTotal) else month_cells(row)
        )

    # -- writing ------------------------------------------------------------------------------------
    def _write(self, do: Callable[[], Any], then: Callable[[Any], Any], refused: Callable[[], None] | None = None) -> None:
        self._run_write(do, then, refused)

    @work(thread=True, group="memo-write")
    def _run_write(self, do: Callable[[], Any], then: Callable[[Any], Any], refused: Callable[[], None] | None) -> None:
        try:
            result = do()
        except Exception as exc:  # noqa: BLE001 - refusals and failures alike are shown
            self.post_message(self.WriteFailed(error_text(exc), refused))
        else:
            self.post_message(self.WriteDone(then, result))

    def on_memo_screen_write_done(self, message: WriteDone) -> None:
        message.then(message.result)

    def on_memo_screen_write_failed(self, message: WriteFailed) -> None:
        if message.then is not None:
            message.then()
        self.notify(message.text, severity="error", markup=False)

    # -- keys -----------------------------------------------------------------------------------------
    @property
    def active_tab(self) -> str:
        return self.query_one("#memo-tabs", ContentSwitcher).current or "tab-entries"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        tab = self.active_tab if self.is_mounted else "tab-entries"
        if action in ENTRY_ACTIONS:
            if tab != "tab-entries":
                return False
            if action in ("new_entry", "reply"):
                return True if self.rest is not None else None
            return True if self.first_loaded else None
        if action in CONTACT_ACTIONS:
            return tab == "tab-contacts" and (True if self.first_loaded else None)
        if action in RULE_ACTIONS:
            return tab in ("tab-discounts", "tab-prices") and (True if self.rest is not None else None)
        if action in ("pick_status", "pick_contact", "details"):
            return True if self.first_loaded else None
        return True

    async def action_show_tab(self, tab_id: str) -> None:
        await self._build_tab(tab_id)
        self.query_one("#memo-tabs", ContentSwitcher).current = tab_id
        self.query_one("#memo-tab-bar", TabBar).active = tab_id
        lists = self.query_one(f"#{tab_id}").query(RowList)
        if lists:
            lists.last().focus()
        self.refresh_bindings()

    async def on_tab_bar_clicked(self, message: TabBar.Clicked) -> None:
        await self.action_show_tab(message.tab_id)

    def action_details(self) -> None:
        header = self.header
        if header is None:
            return
        lines = [_("Billing address"), *header.billing_lines, "", _("Delivery address"),
                 *(header.delivery_lines or ["—"]), "", _("Facts"), header.facts or "—", "",
                 f"{_('Phone')} {header.phone or '—'}", f"{_('Mobile')} {header.mobile or '—'}",
                 f"{_('Email')} {header.email or '—'}"]
        name = header.billing_lines[0] if header.billing_lines else ""
        self.app.push_screen(TextViewScreen(name, "\n".join(lines)))

    def action_back(self) -> None:
        self.dismiss()

    def on_unmount(self) -> None:
        # Let go of the rows now: freed as the screen closes, not by a garbage collection (of
        # tens of milliseconds) while some later screen is opening.
        self.entries, self.contacts, self.discounts, self.prices, self.rest = [], [], [], [], None
        self._arrived = None
        for rows in self.query(RowList):
            rows.clear_rows()
