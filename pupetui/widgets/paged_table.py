"""A table of any length that fetches only the pages it shows (Textual's Line API).

`PagedTable(columns, fetch, count=..., value=..., mark=..., key=...)` is a `ScrollView` whose
virtual height is the number of rows; `render_line` draws only the lines on screen. The rows
come from `fetch(query, offset, limit)` (a cell's text from `value(row, column_id)`), one page (`page_size` rows) at a time, called in a
thread worker; the pages are kept in a bounded LRU cache (`max_pages`), and a row whose page
has not arrived yet shows a placeholder. `count(query)` (which may be slow) runs in another
worker: until it answers, the table shows the rows it knows, plus one placeholder row below
them when the last page was full (scrolling there fetches the next page).

`set_query(query)` starts a new generation: the cache is dropped, the workers of the old query
are cancelled, and a result that belongs to an older generation is thrown away when it
arrives, so a superseded query can never show its rows. To avoid a flash of placeholders on
every keystroke of a type-ahead search, the rows of the previous query stay on screen until the
first page of the new one arrives, or for at most `HOLD_SECONDS`.

The header line shows the column titles and the sort marker (▲/▼); the first `fixed_columns`
columns (and the mark column before them) stay put while the others scroll sideways. Cell texts
are untrusted: they are shown literally (rich `Text`, never markup) with control characters
removed. `mark(row)` gives a short mark shown in its own column (e.g. "◇" for a prospect), so
the difference never depends on colour.

Nothing here knows about customers or the database: the screen passes the callbacks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Hashable, Sequence

from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer
from textual.worker import get_current_worker

from pupetui.i18n import N_
from pupetui.widgets.bindings import translate_bindings
from pupetui.widgets.literal import printable
from pupetui.services import failures

Fetch = Callable[[Any, int, int], Sequence[Any]]
Count = Callable[[Any], int]

PAGES_GROUP = "paged-table-pages"
COUNT_GROUP = "paged-table-count"
HOLD_SECONDS = 0.25
SORT_MARKS = {False: "▲", True: "▼"}


@dataclass(frozen=True)
class TableColumn:
    id: str
    title: str  # shown as is (already translated)
    width: int  # cells
    grow: int = 0  # its share of the room a wider table has beyond every column's width


class PagedTable(ScrollView, can_focus=True, inherit_bindings=False):
    """A virtual table: the rows are fetched page by page as they come into view."""

    BINDINGS = [
        Binding("up", "cursor_up", N_("Previous row"), show=False, id="table_up"),
        Binding("down", "cursor_down", N_("Next row"), show=False, id="table_down"),
        Binding("pageup", "page_up", N_("Previous page"), show=False, id="table_page_up"),
        Binding("pagedown", "page_down", N_("Next page"), show=False, id="table_page_down"),
        Binding("home,ctrl+home", "first", N_("First row"), show=False, id="table_first"),
        Binding("end,ctrl+end", "last", N_("Last row"), show=False, id="table_last"),
        Binding("left", "scroll_columns(-1)", N_("Columns to the left"), show=False, id="table_left"),
        Binding("right", "scroll_columns(1)", N_("Columns to the right"), show=False, id="table_right"),
    ]

    COMPONENT_CLASSES = {
        "paged-table--header",
        "paged-table--sorted",
        "paged-table--cursor",
        "paged-table--cursor-blurred",
        "paged-table--placeholder",
        "paged-table--mark",
        "paged-table--message",
    }

    DEFAULT_CSS = """
    PagedTable {
        background: $surface;
        color: $foreground;
        overflow-x: auto;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 1;
        height: 1fr;
        & > .paged-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .paged-table--sorted { text-style: bold underline; }
        & > .paged-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
        & > .paged-table--cursor-blurred { background: $block-cursor-blurred-background; text-style: underline; }
        & > .paged-table--placeholder { color: $text-muted; }
        & > .paged-table--mark { color: $warning; text-style: bold; }
        & > .paged-table--message { color: $text-muted; text-style: italic; }
        &:ansi > .paged-table--cursor { background: ansi_default; color: ansi_default; text-style: reverse bold; }
        &:ansi > .paged-table--cursor-blurred { background: ansi_default; text-style: underline; }
        &:ansi > .paged-table--header { background: ansi_default; text-style: bold underline; }
    }
    """

    # -- messages ---------------------------------------------------------------------------

    class Highlighted(Message):
        """The cursor moved to another row (or its row arrived); `row` is None while loading."""

        def __init__(self, table: "PagedTable", index: int, row: Any) -> None:
            super().__init__()
            self.table = table
            self.index = index
            self.row = row

        @property
        def control(self) -> "PagedTable":
            return self.table

    class Selected(Highlighted):
        """Enter was pressed (or the highlighted row clicked) on a loaded row."""

    class RowsChanged(Message):
        """What is known of the row count changed (see `row_count`, `known_rows`, `error`)."""

        def __init__(self, table: "PagedTable") -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> "PagedTable":
            return self.table

    class HeaderClicked(Message):
        def __init__(self, table: "PagedTable", column_id: str) -> None:
            super().__init__()
            self.table = table
            self.column_id = column_id

        @property
        def control(self) -> "PagedTable":
            return self.table

    class KeyNotFound(Message):
        """The row asked for by `select_key` is not among the rows fetched around the cursor."""

        def __init__(self, table: "PagedTable", key: Hashable) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> "PagedTable":
            return self.table

    class _PageLoaded(Message, bubble=False):
        def __init__(self, generation: int, token: tuple, page: int, rows: list, last: bool) -> None:
            super().__init__()
            self.generation = generation
            self.token = token
            self.page = page
            self.rows = rows
            self.last = last

    class _LoadFailed(Message, bubble=False):
        def __init__(self, generation: int, token: tuple | None, error: str) -> None:
            super().__init__()
            self.generation = generation
            self.token = token
            self.error = error

    class _Counted(Message, bubble=False):
        def __init__(self, generation: int, count: int) -> None:
            super().__init__()
            self.generation = generation
            self.count = count

    # -- construction -------------------------------------------------------------------------

    def __init__(
        self,
        columns: Sequence[TableColumn],
        fetch: Fetch,
        *,
        count: Count | None = None,
        value: Callable[[Any, str], object] | None = None,
        mark: Callable[[Any], str] | None = None,
        key: Callable[[Any], Hashable] | None = None,
        page_size: int = 100,
        max_pages: int = 20,
        fixed_columns: int = 1,
        mark_width: int = 2,
        placeholder: str = "…",
        empty_text: str = "",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        translate_bindings(self)
        self._fetch = fetch
        self._count_rows = count
        self._value = value or (lambda row, column_id: getattr(row, column_id, ""))
        self._mark = mark
        self._key = key
        self.page_size = max(1, page_size)
        self.max_pages = max(2, max_pages)
        self.fixed_columns = max(0, fixed_columns)
        self.mark_width = mark_width if mark else 0
        self.placeholder = placeholder
        self.empty_text = empty_text
        self.sort_column: str | None = None
        self.sort_descending = False
        self.cursor_row = 0
        self.error = ""  # the last failure to fetch, for the screen to show
        self._query: Any = None
        self._started = False  # set_query called at least once
        self._generation = 0
        self._pages: LRUCache[int, list] = LRUCache(self.max_pages)
        self._count: int | None = None  # exact number of rows, when known
        self._known = 0  # rows known to exist (the end of the furthest page fetched)
        self._more = True  # the furthest page fetched was full: there may be more
        self._loaded_any = False
        self._requested: tuple | None = None  # the pages being fetched now (generation, pages)
        self._failed: tuple | None = None  # a request that failed (not retried until things change)
        self._want_key: Hashable | None = None
        self._held: tuple[LRUCache, int] | None = None  # the previous rows, shown until the new ones come
        self._hold_timer: Timer | None = None
        self.set_columns(columns)

    # -- public API ---------------------------------------------------------------------------

    @property
    def query(self) -> Any:
        return self._query

    @property
    def row_count(self) -> int | None:
        """The exact number of rows, or None while it is not known yet."""
        return self._count

    @property
    def known_rows(self) -> int:
        """Rows known to exist so far (the count when it is known)."""
        return self._count if self._count is not None else self._known

    @property
    def fetching(self) -> bool:
        """Whether pages are being fetched now."""
        return self._requested is not None

    @property
    def columns(self) -> tuple[TableColumn, ...]:
        return self._columns

    def set_columns(self, columns: Sequence[TableColumn]) -> None:
        self._given_columns = tuple(columns)
        self._layout_columns()

    def _grown(self, columns: tuple[TableColumn, ...]) -> tuple[TableColumn, ...]:
        """The columns, those with a `grow` share widened to fill a table wider than them all."""
        width = self.scrollable_content_region.width if self.is_mounted else 0
        extra = width - self.mark_width - sum(c.width + 1 for c in columns)
        shares = sum(c.grow for c in columns)
        if extra <= 0 or not shares:
            return columns
        return tuple(replace(c, width=c.width + extra * c.grow // shares) if c.grow else c for c in columns)

    def _layout_columns(self) -> None:
        self._columns = self._grown(self._given_columns)
        fixed = self._columns[: self.fixed_columns]
        scrolling = self._columns[self.fixed_columns :]
        self._fixed = fixed
        self._scrolling = scrolling
        self._fixed_width = self.mark_width + sum(c.width + 1 for c in fixed)
        self._scroll_width = sum(c.width + 1 for c in scrolling)
        stops, x = [], 0
        for c in scrolling:
            stops.append(x)
            x += c.width + 1
        self._stops = stops
        self._update_virtual_size()
        self.refresh()

    def set_sort(self, column_id: str | None, descending: bool = False) -> None:
        """Which column the header marks as sorted (the query does the sorting)."""
        self.sort_column = column_id
        self.sort_descending = descending
        if column_id is not None:
            self.reveal_column(column_id)
        self.refresh()

    def reveal_column(self, column_id: str) -> None:
        """Scroll sideways so that the column is on screen."""
        if not self.is_mounted:
            return
        room = self.scrollable_content_region.width - self._fixed_width
        x = int(self.scroll_offset.x)
        for column, start in zip(self._scrolling, self._stops):
            if column.id == column_id and (start < x or start + column.width > x + room):
                self.scroll_to(x=start, animate=False)

    def set_query(self, query: Any, *, select_key: Hashable | None = None) -> None:
        """Show the rows of `query`: the cache is dropped, the cursor goes to the top."""
        self._restart(query, keep_cursor=False, select_key=select_key)

    def reload(self, *, select_key: Hashable | None = None) -> None:
        """Fetch the same query again (the data changed), keeping the cursor where it is."""
        self._restart(self._query, keep_cursor=True, select_key=select_key)

    def row_at(self, index: int) -> Any:
        """The row at `index`, or None when its page is not loaded."""
        if index < 0:
            return None
        page = self._pages.get(index // self.page_size)
        if page is None:
            return None
        offset = index % self.page_size
        return page[offset] if offset < len(page) else None

    @property
    def highlighted_row(self) -> Any:
        if self.cursor_row >= self._extent():
            return None
        return self.row_at(self.cursor_row)

    def loaded_pages(self) -> list[int]:
        return sorted(self._pages.keys())

    def move_cursor(self, index: int, *, center: bool = False) -> None:
        extent = self._extent()
        index = max(0, min(index, extent - 1)) if extent else 0
        old = self.cursor_row
        self.cursor_row = index
        self._scroll_to_cursor(center=center)
        if old != index:
            self._refresh_row(old)
        self._refresh_row(index)
        self._ensure_pages()
        if old != index:
            self.post_message(self.Highlighted(self, index, self.row_at(index)))

    def cancel(self, *, count: bool = True) -> None:
        """Cancel the workers of this table (the page fetches; the count too unless count=False).

        A cancelled fetch's rows are thrown away when they come; `fetch_visible()` asks again.
        """
        self.workers.cancel_group(self, PAGES_GROUP)
        if count:
            self.workers.cancel_group(self, COUNT_GROUP)
        self._requested = None

    def fetch_visible(self) -> None:
        """Fetch the pages on screen that are not loaded (after `cancel`)."""
        self._ensure_pages()

    # -- loading -------------------------------------------------------------------------------

    def _restart(self, query: Any, *, keep_cursor: bool, select_key: Hashable | None) -> None:
        self.cancel()
        if self._loaded_any and self._held is None:
            self._held = (self._pages, self._extent())
        if self._hold_timer is not None:
            self._hold_timer.stop()
        if self._held is not None and self.is_mounted:
            self._hold_timer = self.set_timer(HOLD_SECONDS, self._release_hold)
        self._generation += 1
        self._query = query
        self._started = True
        self._pages = LRUCache(self.max_pages)
        self._failed = None
        self.error = ""
        self._want_key = select_key
        if keep_cursor:
            # the old extent stands in until the new count comes, so the cursor's page is fetched
            self._known = max(self._known if self._count is None else self._count, self.cursor_row + 1)
            self._more = True
            self._count = None
        else:
            self._known = 0
            self._more = True
            self._count = None
            self.cursor_row = 0
            if self.is_mounted:
                self.scroll_to(y=0, animate=False)
        self._loaded_any = False
        self._update_virtual_size()
        self._ensure_pages()
        if self._count_rows is not None:
            self._run_count(self._generation, query)
        self.post_message(self.RowsChanged(self))

    def _release_hold(self) -> None:
        if self._held is not None:
            self._held = None
            self._update_virtual_size()
            self.refresh()

    def _extent(self) -> int:
        """Rows the table has lines for: the count, else the known rows (+1 to fetch more)."""
        if self._count is not None:
            return self._count
        if not self._loaded_any and not self._known:
            return 0
        return self._known + (1 if self._more else 0)

    def _view_extent(self) -> int:
        return self._held[1] if self._held is not None else self._extent()

    def _update_virtual_size(self) -> None:
        width = self._fixed_width + self._scroll_width
        self.virtual_size = Size(width, self._view_extent() + 1)

    def _visible_height(self) -> int:
        """Row lines on screen (the header line not counted)."""
        return max(1, self.scrollable_content_region.height - 1)

    def _needed_pages(self) -> list[int]:
        extent = self._extent()
        if not self._loaded_any and extent == 0:
            return [self.cursor_row // self.page_size]
        height = self._visible_height()
        top = int(self.scroll_offset.y)
        first = max(0, top - height // 2)
        last = min(extent - 1, top + height + height // 2)
        pages = {self.cursor_row // self.page_size} if self.cursor_row < extent else set()
        if last >= first:
            pages.update(range(first // self.page_size, last // self.page_size + 1))
        return sorted(pages)

    def _ensure_pages(self) -> None:
        if not self._started or not self.is_mounted:
            return
        missing = tuple(p for p in self._needed_pages() if p not in self._pages)
        if not missing:
            return
        token = (self._generation, missing)
        if token == self._requested or token == self._failed:
            return
        self._requested = token
        self._run_fetch(self._generation, self._query, missing, token)

    @work(thread=True, exclusive=True, group=PAGES_GROUP, exit_on_error=False)
    def _run_fetch(self, generation: int, query: Any, pages: tuple[int, ...], token: tuple) -> None:
        # In a thread: never touch the widget here, only post messages.
        worker = get_current_worker()
        for n, page in enumerate(pages):
            if worker.is_cancelled:
                return
            try:
                rows = list(self._fetch(query, page * self.page_size, self.page_size))
            except Exception as exc:  # noqa: BLE001 - shown on the screen, the app goes on
                self.post_message(self._LoadFailed(generation, token, failures.sentence(exc)))
                return
            if worker.is_cancelled:
                return
            self.post_message(self._PageLoaded(generation, token, page, rows, n == len(pages) - 1))

    @work(thread=True, exclusive=True, group=COUNT_GROUP, exit_on_error=False)
    def _run_count(self, generation: int, query: Any) -> None:
        worker = get_current_worker()
        try:
            count = int(self._count_rows(query))  # type: ignore[misc]
        except Exception as exc:  # noqa: BLE001
            if not worker.is_cancelled:
                self.post_message(self._LoadFailed(generation, None, failures.sentence(exc)))
            return
        if not worker.is_cancelled:
            self.post_message(self._Counted(generation, count))

    def on_paged_table__page_loaded(self, message: _PageLoaded) -> None:
        message.stop()
        if message.generation != self._generation:
            return  # a superseded query: never shown
        rows = message.rows
        self._pages[message.page] = rows
        self._loaded_any = True
        end = message.page * self.page_size + len(rows)
        if len(rows) < self.page_size:
            # a short page is the end of the list
            exact = end if (rows or message.page == 0) else min(self._known, end)
            self._count = self._known = exact
            self._more = False
        elif self._count is None and end >= self._known:
            self._known = end
            self._more = True
        self._held = None
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        self._update_virtual_size()
        extent = self._extent()
        if self.cursor_row >= extent and extent:
            self.cursor_row = extent - 1
        if self._want_key is not None and self._key is not None:
            for offset, row in enumerate(rows):
                if self._key(row) == self._want_key:
                    self._want_key = None
                    self.move_cursor(message.page * self.page_size + offset, center=True)
                    break
        self.refresh()
        if message.token == self._requested and message.last:
            self._requested = None
            if self._want_key is not None:
                key, self._want_key = self._want_key, None
                self.post_message(self.KeyNotFound(self, key))
            self._ensure_pages()
        if message.page == self.cursor_row // self.page_size:
            self.post_message(self.Highlighted(self, self.cursor_row, self.row_at(self.cursor_row)))
        self.post_message(self.RowsChanged(self))

    def on_paged_table__counted(self, message: _Counted) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        self._count = message.count
        self._known = message.count
        self._more = False
        self._update_virtual_size()
        if self.cursor_row >= message.count and message.count:
            self.move_cursor(message.count - 1)
        self.refresh()
        self._ensure_pages()
        self.post_message(self.RowsChanged(self))

    def on_paged_table__load_failed(self, message: _LoadFailed) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        self.error = message.error
        if message.token is not None and message.token == self._requested:
            self._failed = message.token
            self._requested = None
        self._release_hold()
        self.refresh()
        self.post_message(self.RowsChanged(self))

    # -- scrolling and keys ------------------------------------------------------------------

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self.call_later(self._ensure_pages)

    def on_resize(self, event: events.Resize) -> None:
        if self._grown(self._given_columns) != self._columns:
            self._layout_columns()
        self._update_virtual_size()
        self._scroll_to_cursor()
        self.call_later(self._ensure_pages)

    def on_mount(self) -> None:
        self._ensure_pages()

    def on_focus(self) -> None:
        self._refresh_row(self.cursor_row)

    def on_blur(self) -> None:
        self._refresh_row(self.cursor_row)

    def _scroll_to_cursor(self, *, center: bool = False) -> None:
        height = self._visible_height()
        top = int(self.scroll_offset.y)
        row = self.cursor_row
        if center and not (top <= row < top + height):
            self.scroll_to(y=max(0, row - height // 2), animate=False)
        elif row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False)

    def _refresh_row(self, index: int) -> None:
        y = index - int(self.scroll_offset.y) + 1
        if 1 <= y < self.size.height:
            self.refresh_lines(y + int(self.scroll_offset.y), 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_row + 1)

    def action_page_up(self) -> None:
        height = self._visible_height()
        self.scroll_to(y=max(0, int(self.scroll_offset.y) - height), animate=False)
        self.move_cursor(self.cursor_row - height)

    def action_page_down(self) -> None:
        height = self._visible_height()
        self.scroll_to(y=int(self.scroll_offset.y) + height, animate=False)
        self.move_cursor(self.cursor_row + height)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(self._extent() - 1)

    def action_scroll_columns(self, direction: int) -> None:
        """Scroll sideways by one column (the fixed columns stay)."""
        x = int(self.scroll_offset.x)
        if direction > 0:
            later = [s for s in self._stops if s > x]
            target = later[0] if later else x
        else:
            earlier = [s for s in self._stops if s < x]
            target = earlier[-1] if earlier else 0
        self.scroll_to(x=target, animate=False)

    def action_select(self) -> None:
        row = self.highlighted_row
        if row is not None:
            self.post_message(self.Selected(self, self.cursor_row, row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self._column_at(offset.x)
            if column is not None:
                self.post_message(self.HeaderClicked(self, column.id))
            return
        index = int(self.scroll_offset.y) + offset.y - 1
        if 0 <= index < self._extent():
            if index == self.cursor_row and event.chain >= 2:
                self.action_select()
            else:
                self.move_cursor(index)

    def _column_at(self, x: int) -> TableColumn | None:
        if x < self.mark_width:
            return None
        if x < self._fixed_width:
            pos = self.mark_width
            for column in self._fixed:
                if x < pos + column.width + 1:
                    return column
                pos += column.width + 1
            return None
        pos = x - self._fixed_width + int(self.scroll_offset.x)
        for column, start in zip(self._scrolling, self._stops):
            if start <= pos < start + column.width + 1:
                return column
        return None

    # -- drawing -------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self._header_strip(width, base)
        index = int(self.scroll_offset.y) + y - 1
        pages = self._held[0] if self._held is not None else self._pages
        extent = self._view_extent()
        if index >= extent:
            if index == 0 and self._started:
                return self._message_strip(width, base)
            return Strip.blank(width, base)
        row = self._row_from(pages, index)
        cursor = index == self.cursor_row
        style = base
        if cursor:
            name = "paged-table--cursor" if self.has_focus else "paged-table--cursor-blurred"
            style = base + self.get_component_rich_style(name)
        if row is None:
            return self._placeholder_strip(width, style)
        return self._row_strip(row, width, style)

    def _row_from(self, pages: LRUCache, index: int) -> Any:
        page = pages.get(index // self.page_size)
        if page is None:
            return None
        offset = index % self.page_size
        return page[offset] if offset < len(page) else None

    def _message_strip(self, width: int, base: Style) -> Strip:
        if self.error:
            text = self.error
        elif self._loaded_any:
            text = self.empty_text
        else:
            text = self.placeholder
        style = base + self.get_component_rich_style("paged-table--message")
        return self._strip(Text(" " + printable(text), style=style, no_wrap=True, end=""), width, base)

    def _cell_texts(self, columns: Sequence[TableColumn], values: Sequence[object], style: Style) -> Text:
        text = Text(no_wrap=True, end="", style=style)
        for column, value in zip(columns, values):
            cell = Text(printable(value), no_wrap=True, end="")
            cell.truncate(column.width, overflow="ellipsis", pad=True)
            text.append_text(cell)
            text.append(" ")
        return text

    def _render(self, text: Text) -> Strip:
        # Text.render leaves the text's own style out (a console applies it): apply it here
        strip = Strip(list(text.render(self.app.console)), text.cell_len)
        return strip.apply_style(text.style) if isinstance(text.style, Style) else strip

    def _join(self, fixed: Text, scrolling: Text, width: int, base: Style) -> Strip:
        room = max(0, width - self._fixed_width)
        start = int(self.scroll_offset.x)
        scroll_strip = self._render(scrolling).crop(start, start + room)
        return Strip.join([self._render(fixed), scroll_strip]).adjust_cell_length(width, base)

    def _strip(self, text: Text, width: int, base: Style) -> Strip:
        return self._render(text).adjust_cell_length(width, base)

    def _header_strip(self, width: int, base: Style) -> Strip:
        style = base + self.get_component_rich_style("paged-table--header")
        sorted_style = self.get_component_rich_style("paged-table--sorted", partial=True)

        def titles(columns: Sequence[TableColumn]) -> Text:
            text = Text(no_wrap=True, end="", style=style)
            for column in columns:
                is_sorted = column.id == self.sort_column
                cell = Text(printable(column.title), no_wrap=True, end="", style=sorted_style if is_sorted else "")
                if is_sorted:  # the marker always shows: the title gives way
                    cell.truncate(max(1, column.width - 2), overflow="ellipsis")
                    cell.append(f" {SORT_MARKS[self.sort_descending]}")
                cell.truncate(column.width, overflow="ellipsis", pad=True)
                text.append_text(cell)
                text.append(" ")
            return text

        fixed = Text(" " * self.mark_width, no_wrap=True, end="", style=style)
        fixed.append_text(titles(self._fixed))
        return self._join(fixed, titles(self._scrolling), width, style)

    def _placeholder_strip(self, width: int, style: Style) -> Strip:
        muted = style + self.get_component_rich_style("paged-table--placeholder", partial=True)
        fixed = Text(" " * self.mark_width, no_wrap=True, end="", style=muted)
        fixed.append_text(self._cell_texts(self._fixed, [self.placeholder] * len(self._fixed), muted))
        return self._join(fixed, Text("", style=muted, end=""), width, style)

    def _row_strip(self, row: Any, width: int, style: Style) -> Strip:
        values = [self._value(row, column.id) for column in self._columns]
        n_fixed = len(self._fixed)
        fixed = Text(no_wrap=True, end="", style=style)
        if self.mark_width:
            mark = Text(printable(self._mark(row) if self._mark else ""), no_wrap=True, end="")
            if mark.plain.strip():
                mark.stylize(self.get_component_rich_style("paged-table--mark", partial=True))
            mark.truncate(self.mark_width, pad=True)
            fixed.append_text(mark)
        fixed.append_text(self._cell_texts(self._fixed, values[:n_fixed], style))
        scrolling = self._cell_texts(self._scrolling, values[n_fixed:], style)
        return self._join(fixed, scrolling, width, style)
