"""The rows of a query, as they arrive: a grid for the query generator and the SQL search.

`ResultGrid` is a `ScrollView` drawn line by line (`render_line`, no widget per cell): the
header line on top, the rows, and a status line at the bottom with the row count and the time
taken. Rows are appended in batches while a worker still reads them, so the first screenful
shows at once; at most `cap` rows are kept (memory is bounded by the cap, whatever the query
returns), and past the cap the status says "showing the first N of M" (M+ while the count goes
on or when it was stopped).

Two ways to feed it:

- `stream(source)`: the grid runs `source()` in a thread worker of its own. `source` returns
  `(headers, rows)` or `(headers, kinds, rows)`, `rows` any iterable of row sequences (a
  generator over a database cursor is read lazily and closed when stopped). The worker posts the
  first `FIRST_BATCH` rows at once, then a batch every `BATCH_SECONDS`; past the cap it only
  counts (or stops reading, with `count_all=False`). `cancel()` stops it (and calls the
  `interrupt` given to `stream`, e.g. the driver's cancel). `Finished` is posted at the end.
- by hand, on the UI thread: `start(headers, kinds)`, `append_rows(rows)` (any number of
  times), `add_count(n)` for rows seen but not passed, `finish(error=..., cancelled=...)`.

Values are shown literally (control characters removed, never markup); numbers right-aligned;
dates, times and decimals in the language's format (`kinds`, from the query generator, say a
column's type: "int", "decimal", "date", "datetime", "time", "text"; without them the Python
type decides, and text that looks like an ISO date is shown as a date). NULL shows as
`null_text` in its own style, distinct from an empty text; Pupesoft's zero date shows empty.

Keys: arrows move the cursor cell (the view follows, sideways by columns), PageUp/PageDown,
Ctrl+Home/Ctrl+End (or g/G, for terminals that do not pass those) first/last row, Home/End first/last column, Enter shows the cell's whole
value in a modal (`CellViewScreen`).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from decimal import Decimal
from typing import Any, Callable, Iterable, Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.cache import LRUCache
from textual.containers import Vertical, VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import Worker, get_current_worker

from pupetui.i18n import N_, _, format_date, format_datetime, format_decimal, format_time
from pupetui.screens.base import PupeModalScreen
from pupetui.services.sql_values import Cut
from pupetui.widgets.bindings import translate_bindings
from pupetui.widgets.literal import literal, literal_title, printable
from pupetui.services import failures

__all__ = ["ResultGrid", "CellViewScreen", "cell_text", "DEFAULT_CAP", "FIRST_BATCH", "BATCH_SECONDS"]

DEFAULT_CAP = 10_000  # rows kept for showing
FIRST_BATCH = 100  # rows: a screenful and then some, posted as soon as they are read
BATCH_SECONDS = 0.2  # later rows are posted at most this often
STREAM_GROUP = "result-grid-stream"
MAX_WIDTH = 40  # cells a column takes at most (Enter shows the whole value)
WIDTH_SAMPLE = 500  # rows whose values decide the column widths
NUMBER_KINDS = {"int", "decimal"}

Source = Callable[[], tuple]


# -- the text of a cell --------------------------------------------------------------------------


def _iso(text: str) -> dt.date | dt.datetime | str | None:
    """A date for 'YYYY-MM-DD', a datetime for 'YYYY-MM-DD HH:MM[:SS]', '' for Pupesoft's zero
    date, None for any other text."""
    n = len(text)
    if n < 10 or text[4:5] != "-" or text[7:8] != "-":
        return None
    if text.startswith("0000-00-00"):
        return "" if n in (10, 19) else None
    try:
        if n == 10:
            return dt.date.fromisoformat(text)
        if n in (16, 19) and text[10] in " T":
            return dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return None


def _places(value: float) -> int:
    text = repr(value)
    if "e" in text or "E" in text or "." not in text:
        return 2
    return min(6, max(2, len(text.split(".")[1])))


def _when(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        return format_datetime(value, seconds=bool(value.second))
    return format_date(value)


def cell_text(value: Any, kind: str | None = None, *, null: str = "NULL") -> tuple[str, bool, bool]:
    """(text, is a number, is NULL): how the grid shows `value` of a column of `kind`."""
    if value is None:
        return null, False, True
    if type(value) is Cut:  # the mark first: it stays in sight in a narrow column
        return f"{value.mark} {printable(value.head_text())}", False, False
    if isinstance(value, bool):
        return ("1" if value else "0"), True, False
    if isinstance(value, int):
        if kind == "decimal":
            return format_decimal(value), True, False
        return str(value), True, False
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value), True, False
        if kind == "int" and value.is_integer():
            return str(int(value)), True, False
        return format_decimal(value, _places(value)), True, False
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value), True, False
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        if kind != "int":
            places = max(2, places)  # money: 1234.5 shows as 1 234,50
        return format_decimal(value, min(places, 10)), True, False
    if isinstance(value, (dt.datetime, dt.date)):
        return _when(value), False, False
    if isinstance(value, dt.time):
        return format_time(value, seconds=bool(value.second)), False, False
    if isinstance(value, dt.timedelta):
        return str(value), False, False
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "0x" + bytes(value).hex(), False, False
    text = value if isinstance(value, str) else str(value)
    if kind in ("date", "datetime") or (kind is None and text[4:5] == "-"):
        when = _iso(text)
        if when == "":
            return "", False, False
        if when is not None:
            return _when(when), False, False  # type: ignore[arg-type]
    elif kind in NUMBER_KINDS and text:
        try:
            number = Decimal(text.strip())
        except ArithmeticError:
            number = None
        if number is not None and number.is_finite():
            return cell_text(number, kind, null=null)
    return printable(text), False, False


def full_text(value: Any, kind: str | None = None, *, null: str = "NULL") -> str:
    """The whole value for the cell view: line breaks kept, numbers with every digit."""
    if value is None:
        return null
    if type(value) is Cut:
        return f"{value.mark}\n\n{printable(value.head_text(), single_line=False)}…"
    if isinstance(value, str):
        shown, _number, _null = cell_text(value, kind, null=null)
        text = printable(value, single_line=False)
        return text if shown == printable(value) or not shown else f"{shown}\n\n{text}"
    shown, number, _null = cell_text(value, kind, null=null)
    raw = printable(str(value), single_line=False)
    return shown if shown == raw or not number else f"{shown}\n\n{raw}"


# -- the grid ------------------------------------------------------------------------------------


class ResultGrid(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows of a query with a header line and a status line; see the module's note."""

    BINDINGS = [
        Binding("up", "cursor(-1, 0)", N_("Previous row"), show=False, id="grid_up"),
        Binding("down", "cursor(1, 0)", N_("Next row"), show=False, id="grid_down"),
        Binding("left", "cursor(0, -1)", N_("Column to the left"), show=False, id="grid_left"),
        Binding("right", "cursor(0, 1)", N_("Column to the right"), show=False, id="grid_right"),
        Binding("pageup", "page(-1)", N_("Previous page"), show=False, id="grid_page_up"),
        Binding("pagedown", "page(1)", N_("Next page"), show=False, id="grid_page_down"),
        Binding("ctrl+home,g", "first_row", N_("First row"), show=False, id="grid_first_row"),
        Binding("ctrl+end,G", "last_row", N_("Last row"), show=False, id="grid_last_row"),
        Binding("home", "first_column", N_("First column"), show=False, id="grid_first_column"),
        Binding("end", "last_column", N_("Last column"), show=False, id="grid_last_column"),
        Binding("enter", "show_cell", N_("Whole value"), id="grid_show_cell"),
    ]

    COMPONENT_CLASSES = {
        "result-grid--header",
        "result-grid--cursor",
        "result-grid--cursor-row",
        "result-grid--null",
        "result-grid--status",
        "result-grid--error",
        "result-grid--message",
    }

    DEFAULT_CSS = """
    ResultGrid {
        background: $surface;
        color: $foreground;
        overflow-x: auto;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 1;
        height: 1fr;
        & > .result-grid--header { text-style: bold; background: $panel; color: $foreground; }
        & > .result-grid--cursor { background: $block-cursor-blurred-background; color: $foreground; text-style: underline; }
        &:focus > .result-grid--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
        & > .result-grid--cursor-row { background: $boost; }
        & > .result-grid--null { color: $text-muted; text-style: italic; }
        & > .result-grid--status { background: $panel; color: $foreground; }
        & > .result-grid--error { background: $panel; color: $error; text-style: bold; }
        & > .result-grid--message { color: $text-muted; text-style: italic; }
        &:ansi > .result-grid--header { background: ansi_default; text-style: bold underline; }
        &:ansi > .result-grid--cursor { background: ansi_default; color: ansi_default; text-style: underline; }
        &:ansi:focus > .result-grid--cursor { background: ansi_default; color: ansi_default; text-style: reverse bold; }
        &:ansi > .result-grid--cursor-row { background: ansi_default; }
        &:ansi > .result-grid--null { color: ansi_bright_black; text-style: italic; }
        &:ansi > .result-grid--status { background: ansi_default; text-style: reverse; }
        &:ansi > .result-grid--error { background: ansi_default; color: ansi_red; text-style: bold reverse; }
    }
    """

    # -- messages -------------------------------------------------------------------------------

    class StatusChanged(Message):
        """Rows came, the query finished or failed: `grid.status_text()` says how things are."""

        def __init__(self, grid: "ResultGrid") -> None:
            super().__init__()
            self.grid = grid

        @property
        def control(self) -> "ResultGrid":
            return self.grid

    class Finished(StatusChanged):
        """The rows have all come (or the query was stopped, or failed: `grid.error`)."""

    class _Opened(Message, bubble=False):
        def __init__(self, generation: int, headers: list[str], kinds: list[str | None] | None) -> None:
            super().__init__()
            self.generation = generation
            self.headers = headers
            self.kinds = kinds

    class _Rows(Message, bubble=False):
        def __init__(self, generation: int, rows: list, counted: int) -> None:
            super().__init__()
            self.generation = generation
            self.rows = rows
            self.counted = counted

    class _Done(Message, bubble=False):
        def __init__(self, generation: int, error: str | None, more: bool) -> None:
            super().__init__()
            self.generation = generation
            self.error = error
            self.more = more

    # -- construction ---------------------------------------------------------------------------

    def __init__(
        self,
        *,
        cap: int = DEFAULT_CAP,
        null_text: str = "NULL",
        empty_text: str = "",
        max_width: int = MAX_WIDTH,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        translate_bindings(self)
        self.cap = max(1, int(cap))
        self.null_text = null_text
        self.empty_text = empty_text or _("No rows.")
        self.max_width = max(4, max_width)
        self.headers: list[str] = []
        self.kinds: list[str | None] = []
        self.rows: list[Sequence[Any]] = []
        self.total_rows = 0  # rows seen (kept or only counted)
        self.more = False  # more rows were left unread (count_all=False past the cap)
        self.state = "idle"  # idle, running, done, stopped, error
        self.error = ""
        self.cursor_row = 0
        self.cursor_column = 0
        self._widths: list[int] = []
        self._stops: list[int] = []
        self._numeric: list[bool] = []
        self._width = 0
        self._generation = 0
        self._started_at: float | None = None
        self._ended_at: float | None = None
        self._ticker: Timer | None = None
        self._interrupt: Callable[[], Any] | None = None
        self._worker: Worker | None = None
        self._texts: LRUCache[int, list] = LRUCache(1024)

    # -- what it holds --------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """Rows kept for showing (at most `cap`)."""
        return len(self.rows)

    @property
    def capped(self) -> bool:
        return self.total_rows > len(self.rows) or self.more

    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def elapsed(self) -> float:
        if self._started_at is None:
            return 0.0
        end = self._ended_at if self._ended_at is not None else time.monotonic()
        return max(0.0, end - self._started_at)

    def value_at(self, row: int, column: int) -> Any:
        return self.rows[row][column]

    def kind_of(self, column: int) -> str | None:
        return self.kinds[column] if column < len(self.kinds) else None

    def text_at(self, row: int, column: int) -> str:
        """The cell as the grid shows it (untruncated)."""
        return self._cell(row, column)[0]

    @property
    def cursor_value(self) -> Any:
        if not self.rows or not self.headers:
            return None
        return self.rows[self.cursor_row][self.cursor_column]

    def status_text(self) -> str:
        if self.state == "idle":
            return ""
        if self.state == "error":
            return _("The query failed: {error}").format(error=self.error)
        seconds = _("{seconds} s").format(seconds=format_decimal(self.elapsed, 2))
        shown = format_decimal(len(self.rows), 0)
        total = format_decimal(self.total_rows, 0)
        unsure = self.state in ("running", "stopped")
        if self.more:
            text = _("showing the first {shown} rows; more were not read").format(shown=shown)
        elif self.capped:
            of = total + ("+" if unsure else "")
            text = _("showing the first {shown} rows of {total}").format(shown=shown, total=of)
        elif self.total_rows == 1:
            text = _("1 row")
        else:
            text = _("{count} rows").format(count=total + ("+" if self.state == "stopped" else ""))
        if self.state == "running":
            text = _("Fetching… {rows}").format(rows=text)
        elif self.state == "stopped":
            text = _("Stopped: {rows}").format(rows=text)
        return f"{text} · {seconds}"

    # -- feeding it by hand (UI thread) ------------------------------------------------------------

    def start(self, headers: Sequence[str], kinds: Sequence[str | None] | None = None) -> None:
        """A new result: no rows yet, the clock starts."""
        self._stop_worker()
        self._generation += 1
        self._begin()
        self._set_columns(headers, kinds)
        self._changed()

    def append_rows(self, rows: Sequence[Sequence[Any]]) -> int:
        """Add rows (the ones past the cap are only counted); returns how many were kept."""
        room = self.cap - len(self.rows)
        kept = list(rows[:room]) if room > 0 else []
        first = len(self.rows)
        self.rows.extend(kept)
        self.total_rows += len(rows)
        if kept and first < WIDTH_SAMPLE:
            self._widen(first, min(len(self.rows), WIDTH_SAMPLE))
        self._changed()
        return len(kept)

    def add_count(self, n: int) -> None:
        """Rows that exist but were not passed (past the cap)."""
        if n:
            self.total_rows += n
            self._changed()

    def mark_more(self) -> None:
        """The source stopped before its rows ran out (e.g. at a byte budget): the status says
        that more were not read."""
        if not self.more:
            self.more = True
            self._changed()

    def finish(self, *, error: str | None = None, cancelled: bool = False, more: bool = False) -> None:
        """The end of the rows: done, stopped (`cancelled`) or failed (`error`)."""
        if self.state != "running":
            return
        self._ended_at = time.monotonic()
        self.more = more
        self.state = "error" if error else ("stopped" if cancelled else "done")
        self.error = printable(error or "")
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        self._changed()
        self.post_message(self.Finished(self))

    def clear(self) -> None:
        """No result at all (the grid shows nothing)."""
        self._stop_worker()
        self._generation += 1
        self._begin()
        self.state = "idle"
        self._set_columns([], None)
        self._changed()

    # -- feeding it from a worker ------------------------------------------------------------------

    def stream(self, source: Source, *, interrupt: Callable[[], Any] | None = None,
               count_all: bool = True, headers: Sequence[str] | None = None,
               kinds: Sequence[str | None] | None = None) -> Worker:
        """Run `source()` in a thread worker and show its rows as they come (see the module's
        note). `headers`/`kinds` show the header line before the source answers."""
        self._stop_worker()
        self._generation += 1
        self._begin()
        self._set_columns(headers or [], kinds)
        self._interrupt = interrupt
        self._changed()
        self._worker = self._read(self._generation, source, self.cap, count_all)
        return self._worker

    def cancel(self) -> bool:
        """Stop a running query: no more rows are read, the rows shown stay. True if one ran."""
        if self.state != "running":
            return False
        self._stop_worker()
        self._generation += 1  # what the stopped worker still posts is thrown away
        self.finish(cancelled=True)
        return True

    def _stop_worker(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None and not worker.is_finished:
            worker.cancel()
        interrupt, self._interrupt = self._interrupt, None
        if interrupt is not None and worker is not None and not worker.is_finished:
            try:
                interrupt()
            except Exception:  # noqa: BLE001 - stopping is best effort; the rows are ignored anyway
                pass

    @work(thread=True, group=STREAM_GROUP, exit_on_error=False)
    def _read(self, generation: int, source: Source, cap: int, count_all: bool) -> None:
        # In a thread: never touch the widget's state here, only post messages.
        worker = get_current_worker()
        rows_iter = None
        try:
            opened = source()
            if len(opened) == 3:
                headers, kinds, rows = opened
            else:
                (headers, rows), kinds = opened, None
            if worker.is_cancelled:
                return
            self.post_message(self._Opened(generation, [str(h) for h in headers], list(kinds) if kinds else None))
            rows_iter = iter(rows)
            batch: list = []
            kept = counted = 0
            first = True
            last = time.monotonic()
            more = False
            n = 0
            for row in rows_iter:
                n += 1
                if kept < cap:
                    batch.append(row)
                    kept += 1
                elif count_all:
                    counted += 1
                else:
                    more = True
                    break
                if first or not n & 255:
                    if worker.is_cancelled:
                        return
                    now = time.monotonic()
                    if (len(batch) >= FIRST_BATCH or now - last >= BATCH_SECONDS) if first else now - last >= BATCH_SECONDS:
                        self.post_message(self._Rows(generation, batch, counted))
                        batch, counted, last, first = [], 0, now, False
            if worker.is_cancelled:
                return
            self.post_message(self._Rows(generation, batch, counted))
            self.post_message(self._Done(generation, None, more))
        except Exception as exc:  # noqa: BLE001 - shown in the status line, never a traceback
            if not worker.is_cancelled:
                self.post_message(self._Done(generation, failures.statement_error(exc), False))
        finally:
            close = getattr(rows_iter, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # noqa: BLE001
                    pass

    def on_result_grid__opened(self, message: _Opened) -> None:
        message.stop()
        if message.generation == self._generation and self.state == "running":
            self._set_columns(message.headers, message.kinds)
            self._changed()

    def on_result_grid__rows(self, message: _Rows) -> None:
        message.stop()
        if message.generation != self._generation or self.state != "running":
            return
        if message.rows:
            self.append_rows(message.rows)
        self.add_count(message.counted)

    def on_result_grid__done(self, message: _Done) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        self._worker = None
        self._interrupt = None
        self.finish(error=message.error, more=message.more)

    # -- internals ----------------------------------------------------------------------------------

    def _begin(self) -> None:
        self.rows = []
        self.total_rows = 0
        self.more = False
        self.error = ""
        self.state = "running"
        self.cursor_row = 0
        self.cursor_column = 0
        self._texts.clear()
        self._started_at = time.monotonic()
        self._ended_at = None
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        if self.is_mounted:
            self._ticker = self.set_interval(0.5, self._tick)
            self.scroll_to(0, 0, animate=False)

    def _tick(self) -> None:
        if self.state == "running":
            self._refresh_status()
        elif self._ticker is not None:
            self._ticker.stop()
            self._ticker = None

    def _set_columns(self, headers: Sequence[str], kinds: Sequence[str | None] | None) -> None:
        self.headers = [printable(h) for h in headers]
        kinds = list(kinds) if kinds else []
        self.kinds = [kinds[i] if i < len(kinds) else None for i in range(len(self.headers))]
        self._numeric = [k in NUMBER_KINDS for k in self.kinds]
        self._widths = [min(self.max_width, max(1, cell_len(h))) for h in self.headers]
        self._texts.clear()
        if self.rows:
            self._widen(0, min(len(self.rows), WIDTH_SAMPLE))
        self._layout()

    def _widen(self, start: int, end: int) -> None:
        widths = self._widths
        for index in range(start, end):
            for column, (text, number, _null) in enumerate(self._cell_texts(index)):
                if column < len(widths):
                    size = cell_len(text)
                    if size > widths[column]:
                        widths[column] = min(self.max_width, size)
                    if number and self.kinds[column] is None:
                        self._numeric[column] = True
        self._layout()

    def _layout(self) -> None:
        stops, x = [], 0
        for width in self._widths:
            stops.append(x)
            x += width + 1
        self._stops = stops
        self._width = x
        self.virtual_size = Size(x, len(self.rows) + 2)

    def _cell_texts(self, index: int) -> list:
        texts = self._texts.get(index)
        if texts is None:
            row = self.rows[index]
            kinds = self.kinds
            null = self.null_text
            texts = [cell_text(value, kinds[c] if c < len(kinds) else None, null=null) for c, value in enumerate(row)]
            self._texts[index] = texts
        return texts

    def _cell(self, row: int, column: int) -> tuple[str, bool, bool]:
        texts = self._cell_texts(row)
        return texts[column] if column < len(texts) else ("", False, False)

    def _changed(self) -> None:
        self._layout()
        if self.rows:
            self.cursor_row = min(self.cursor_row, len(self.rows) - 1)
        self.cursor_column = min(self.cursor_column, max(0, len(self.headers) - 1))
        self.refresh()
        self.post_message(self.StatusChanged(self))

    def _refresh_status(self) -> None:
        if self.is_mounted:
            self.refresh_lines(int(self.scroll_offset.y) + self.scrollable_content_region.height - 1, 1)
        self.post_message(self.StatusChanged(self))

    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 2)

    # -- drawing ----------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        height = self.scrollable_content_region.height
        base = self.rich_style
        if y == height - 1 and height > 1:
            return self._status_strip(width, base)
        if y == 0:
            if not self.headers:
                return Strip.blank(width, base)
            style = base + self.get_component_rich_style("result-grid--header")
            cells = [(h, self._numeric[c], style) for c, h in enumerate(self.headers)]  # over numbers: right
            return self._cells_strip(cells, width, style)
        index = int(self.scroll_offset.y) + y - 1
        if index >= len(self.rows):
            if index == 0 and self.headers and self.state != "idle":
                text = _("Fetching…") if self.state == "running" else (
                    "" if self.state == "error" else self.empty_text)
                style = base + self.get_component_rich_style("result-grid--message")
                return Strip([Segment(" " + printable(text), style)]).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        return self._row_strip(index, width, base)

    def _row_strip(self, index: int, width: int, base: Style) -> Strip:
        on_cursor = index == self.cursor_row
        row_style = base + self.get_component_rich_style("result-grid--cursor-row") if on_cursor else base
        null_style = self.get_component_rich_style("result-grid--null", partial=True)
        cursor_style = self.get_component_rich_style("result-grid--cursor")
        texts = self._cell_texts(index)
        cells = []
        for column in range(len(self.headers)):
            text, number, null = texts[column] if column < len(texts) else ("", False, False)
            style = row_style + null_style if null else row_style
            if on_cursor and column == self.cursor_column:
                style = style + cursor_style
            cells.append((text, number or (self._numeric[column] and not null), style))
        return self._cells_strip(cells, width, row_style)

    def _cells_strip(self, cells: list[tuple[str, bool, Style]], width: int, fill: Style) -> Strip:
        left = int(self.scroll_offset.x)
        right = left + width
        segments: list[Segment] = []
        start_x = None
        for column, (text, right_align, style) in enumerate(cells):
            start = self._stops[column]
            size = self._widths[column]
            if start + size + 1 <= left:
                continue
            if start >= right:
                break
            if start_x is None:
                start_x = start
            if cell_len(text) > size:
                text = set_cell_size(text, size - 1) + "…"
            elif right_align:
                text = " " * (size - cell_len(text)) + text
            else:
                text = set_cell_size(text, size)
            segments.append(Segment(text, style))
            segments.append(Segment(" ", fill))
        if start_x is None:
            return Strip.blank(width, fill)
        strip = Strip(segments).crop(left - start_x, right - start_x)
        return strip.adjust_cell_length(width, fill)

    def _status_strip(self, width: int, base: Style) -> Strip:
        name = "result-grid--error" if self.state == "error" else "result-grid--status"
        style = base + self.get_component_rich_style(name)
        text = printable(self.status_text())
        if cell_len(text) + 1 > width:
            text = set_cell_size(text, max(0, width - 2)) + "…"
        return Strip([Segment(" " + text, style)]).adjust_cell_length(width, style)

    # -- moving ------------------------------------------------------------------------------------

    def move_cursor(self, row: int | None = None, column: int | None = None) -> None:
        if row is not None:
            self.cursor_row = max(0, min(row, len(self.rows) - 1)) if self.rows else 0
        if column is not None:
            self.cursor_column = max(0, min(column, len(self.headers) - 1)) if self.headers else 0
        self._reveal()
        self.refresh()

    def _reveal(self) -> None:
        if not self.is_mounted:
            return
        top = int(self.scroll_offset.y)
        visible = self._visible_rows()
        y = None
        if self.cursor_row < top:
            y = self.cursor_row
        elif self.cursor_row >= top + visible:
            y = self.cursor_row - visible + 1
        x = None
        if self._stops:
            left = int(self.scroll_offset.x)
            room = self.scrollable_content_region.width
            start = self._stops[self.cursor_column]
            end = start + self._widths[self.cursor_column] + 1
            if start < left:
                x = start
            elif end > left + room:
                x = next((s for s in self._stops if s >= end - room), start)
                x = min(x, start)
        if x is not None or y is not None:
            self.scroll_to(x=x, y=y, animate=False, immediate=True)

    def action_cursor(self, rows: int, columns: int) -> None:
        self.move_cursor(self.cursor_row + rows if rows else None, self.cursor_column + columns if columns else None)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor_row + direction * self._visible_rows())

    def action_first_row(self) -> None:
        self.move_cursor(0)

    def action_last_row(self) -> None:
        self.move_cursor(len(self.rows) - 1)

    def action_first_column(self) -> None:
        self.move_cursor(column=0)

    def action_last_column(self) -> None:
        self.move_cursor(column=len(self.headers) - 1)

    def action_show_cell(self) -> None:
        if not self.rows or not self.headers:
            return
        row, column = self.cursor_row, self.cursor_column
        value = self.rows[row][column] if column < len(self.rows[row]) else None
        self.app.push_screen(CellViewScreen(self.headers[column], row + 1, value, self.kind_of(column), null=self.null_text))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0 or offset.y >= self.scrollable_content_region.height - 1:
            return
        index = int(self.scroll_offset.y) + offset.y - 1
        x = int(self.scroll_offset.x) + offset.x
        column = next((c for c, s in enumerate(self._stops) if s <= x < s + self._widths[c] + 1), None)
        if 0 <= index < len(self.rows):
            if index == self.cursor_row and column == self.cursor_column and event.chain >= 2:
                self.action_show_cell()
            else:
                self.move_cursor(index, column)

    def on_resize(self, event: events.Resize) -> None:
        self._layout()
        self._reveal()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_unmount(self) -> None:
        self._stop_worker()


# -- a cell in full ---------------------------------------------------------------------------------


class CellViewScreen(PupeModalScreen):
    """One value in full (line breaks kept, scrollable, literal); Esc, Enter or q closes."""

    DEFAULT_CSS = """
    CellViewScreen { align: center middle; }
    CellViewScreen > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    CellViewScreen #cell-view-scroll { height: auto; max-height: 18; }
    CellViewScreen .cell-view-null { color: $text-muted; text-style: italic; }
    CellViewScreen .dialog-hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape,enter,q", "close", N_("Close"), id="cell_view_close")]

    def __init__(self, column: str, row: int, value: Any, kind: str | None = None, *, null: str = "NULL") -> None:
        super().__init__()
        self.column = column
        self.row = row
        self.value = value
        self.kind = kind
        self.null = null

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = literal_title(_("{column}, row {row}").format(column=self.column, row=self.row))
            with VerticalScroll(id="cell-view-scroll"):
                yield Static(
                    Text(full_text(self.value, self.kind, null=self.null)),
                    id="cell-view-text",
                    classes="cell-view-null" if self.value is None else "",
                )
            yield Static(literal(_("Esc closes.")), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#cell-view-scroll").focus()

    def action_close(self) -> None:
        self.dismiss()


def rows_of(batches: Iterable[Sequence[Sequence[Any]]]) -> Iterable[Sequence[Any]]:
    """Rows from an iterable of batches (e.g. a cursor's fetchmany lists), for `stream`."""
    for batch in batches:
        yield from batch
