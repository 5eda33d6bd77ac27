"""A day in time slots (`DayAgenda`) and a week of them (`WeekAgenda`), drawn with the line API.

The rows are the company's slots (kalenteri_aikavali: 30 or 15 minutes) from 00:00; entries
that fill the whole day stay pinned on top; timed entries are blocks over the rows they cover,
overlapping ones side by side (`calendar_view.day_layout`); those that do not fit are counted
as `+N` at their start row. The entry under the cursor (the one `e`, Enter and `d` act on) is in
reverse video. ▲ and ▼ on the right say there is more above or below.

Both widgets only show: the screen owns the day, the entries and the cursor, and gives them
with `show(...)`; keys that move the cursor are the screen's actions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping, Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from pupetui.i18n import N_, _
from pupetui.services.calendar import Entry
from pupetui.services.calendar_view import DayLayout, Placed, day_layout
from pupetui.widgets.month_grid import entry_label, fit_cells
from pupetui.widgets.literal import printable

TIME_COLUMN = 6
BAR = "▌"


@dataclass
class AgendaStyles:
    base: Style = Style()
    hour: Style = Style(bold=True)
    slot: Style = Style(dim=True)
    cursor: Style = Style(reverse=True, bold=True)
    whole_day: Style = Style(reverse=True)
    more: Style = Style(bold=True)
    empty: Style = Style(italic=True, dim=True)
    rule: Style = Style(dim=True)
    header: Style = Style(bold=True)
    selected_header: Style = Style(reverse=True, bold=True)
    weekend_header: Style = Style(bold=True)
    today_header: Style = Style(underline=True)


@dataclass
class AgendaView:
    """What the agenda shows; `letters` empty when only one user's calendar is shown."""

    letters: Mapping[str, str]
    type_styles: Mapping[str, Style]
    cursor: int | None  # entry id
    styles: AgendaStyles


def time_range(entry: Entry, day: dt.date) -> str:
    start = "»" if entry.starts_at.date() < day else entry.starts_at.strftime("%H:%M")
    end = "»" if entry.ends_at.date() > day else entry.ends_at.strftime("%H:%M")
    return f"{start}–{end}"


def entry_parts(entry: Entry) -> list[str]:
    """The texts of an entry block, most important first: label, customer, comment lines."""
    first = entry_label(entry)
    parts = [first]
    if entry.customer_name and entry.customer_name != entry.type and printable(entry.customer_name) != first:
        parts.append(printable(entry.customer_name))
    comment = [printable(line) for line in entry.comment.splitlines() if line.strip()]
    if not entry.type and not entry.customer_name:
        comment = comment[1:]  # its first line is the label already
    parts.extend(comment)
    if entry.kilometres:
        parts.append(_("{km} km").format(km=printable(entry.kilometres)))
    return parts


def _block_line(placed: Placed, row: int, day: dt.date, view: AgendaView, compact: bool = False) -> str:
    entry = placed.entry
    parts = entry_parts(entry)
    height = placed.end_row - placed.start_row
    index = row - placed.start_row
    if compact:  # a narrow column: the start only
        head = ("»" if entry.starts_at.date() < day else entry.starts_at.strftime("%H:%M"))
    else:
        head = time_range(entry, day)
    head += " ✓" if entry.done and not compact else ""
    letter = view.letters.get(entry.owner, "?") + " " if view.letters else ""
    lines = [f"{head} {letter}{parts[0]}"] + parts[1:]
    if height < len(lines):
        lines = lines[: height - 1] + [" · ".join(lines[height - 1:])]
    return lines[index] if index < len(lines) else ""


def slot_region(layout: DayLayout, row: int, width: int, view: AgendaView) -> list[Segment]:
    """Row `row` of one day's slots, exactly `width` cells: the blocks covering it side by side."""
    base = view.styles.base
    if width <= 0:
        return []
    covering = [p for p in layout.placed if p.start_row <= row < p.end_row]
    pieces: list[Segment] = []
    x = 0
    for placed in sorted(covering, key=lambda p: p.column):
        column_width = width // placed.columns
        left = placed.column * column_width
        right = width if placed.column == placed.columns - 1 else left + column_width
        if left > x:
            pieces.append(Segment(" " * (left - x), base))
        # Pupesoft colours calendar entries by type, not reminders (kalenteri.php's day view)
        colour = Style() if placed.entry.is_reminder else view.type_styles.get(placed.entry.type, Style())
        style = base + colour
        text_style = base + (colour if row == placed.start_row else Style())
        if placed.entry.id == view.cursor:
            style += view.styles.cursor
            text_style += view.styles.cursor
        pieces.append(Segment(BAR, style))
        line = _block_line(placed, row, layout.day, view, compact=right - left < 20)
        pieces.append(Segment(fit_cells(line, right - left - 1), text_style))
        x = right
    if x < width:
        pieces.append(Segment(" " * (width - x), base))
    hidden = layout.hidden.get(row)
    if hidden:
        marker = f"+{len(hidden)}"
        cursor_hidden = any(e.id == view.cursor for e in hidden)
        style = base + view.styles.more + (view.styles.cursor if cursor_hidden else Style())
        keep = max(0, width - len(marker))
        pieces = list(Strip(pieces).crop(0, keep).extend_cell_length(keep, base))
        pieces.append(Segment(marker[:width], style))
    return pieces


def entry_brief(entry: Entry, day: dt.date, letters: Mapping[str, str]) -> str:
    """An entry on one line: its times (or "all day"), owner's letter, type, customer."""
    when = _("all day") if entry.all_day else time_range(entry, day)
    letter = letters.get(entry.owner, "?") if letters else ""
    parts = [printable(x) for x in (entry.type, entry.customer_name) if x]
    if not parts and entry.comment:
        parts.append(printable(entry.comment.split("\n", 1)[0]))
    return " ".join(x for x in (when, letter, " · ".join(parts)) if x)


def whole_day_text(entry: Entry, view: AgendaView, all_day: str) -> str:
    letter = view.letters.get(entry.owner, "?") + " " if view.letters else ""
    parts = entry_parts(entry)
    done = " ✓" if entry.done else ""
    return f"{letter}{' · '.join(parts)}{done}" if parts and parts[0] else f"{letter}{all_day}{done}"


class SlotScroller(Widget, can_focus=True):
    """What both agendas share: pinned lines on top, slot rows under them from `top`."""

    BINDINGS = [
        Binding("down,j", "screen.next_entry", N_("Next entry"), show=False, id="calendar_agenda_next"),
        Binding("up,k", "screen.previous_entry", N_("Previous entry"), show=False, id="calendar_agenda_previous"),
        Binding("pagedown", "page(1)", N_("Later hours"), show=False, id="calendar_agenda_page_down"),
        Binding("pageup", "page(-1)", N_("Earlier hours"), show=False, id="calendar_agenda_page_up"),
    ]
    COMPONENT_CLASSES = {
        "agenda--hour",
        "agenda--slot",
        "agenda--cursor",
        "agenda--more",
        "agenda--empty",
        "agenda--rule",
        "agenda--header",
        "agenda--selected-header",
        "agenda--weekend-header",
        "agenda--today-header",
    }
    DEFAULT_CSS = """
    SlotScroller {
        height: 1fr;
        width: 1fr;
        background: $surface;
    }
    SlotScroller > .agenda--hour { text-style: bold; }
    SlotScroller > .agenda--slot { color: $text-muted; }
    SlotScroller > .agenda--cursor { text-style: bold reverse; }
    SlotScroller:focus > .agenda--cursor { text-style: bold reverse; color: $accent; }
    SlotScroller > .agenda--more { text-style: bold; color: $text-warning; }
    SlotScroller > .agenda--empty { color: $text-muted; text-style: italic; }
    SlotScroller > .agenda--rule { color: $text-muted; }
    SlotScroller > .agenda--header { text-style: bold; }
    SlotScroller > .agenda--selected-header { text-style: bold reverse; }
    SlotScroller > .agenda--weekend-header { text-style: bold; color: $text-error; }
    SlotScroller > .agenda--today-header { text-style: bold underline; color: $text-accent; }
    """

    class EntryClicked(Message):
        def __init__(self, widget: "SlotScroller", entry_id: int | None, day: dt.date | None, double: bool) -> None:
            super().__init__()
            self.widget = widget
            self.entry_id = entry_id
            self.day = day
            self.double = double

        @property
        def control(self) -> "SlotScroller":
            return self.widget

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.slot_minutes = 30
        self.letters: Mapping[str, str] = {}
        self.type_styles: Mapping[str, Style] = {}
        self.cursor: int | None = None
        self.top = 16  # 08:00 in 30-minute slots
        self._lines: list[Strip] | None = None
        self._lines_before: list[Strip] | None = None  # drawn before `invalidate`
        self._diff_pending = False
        self._hits: list[list[tuple[int, int, int | None, dt.date | None]]] = []
        self._scroll_wanted = True

    # -- shared state ------------------------------------------------------------------------
    def _styles(self) -> AgendaStyles:
        get = self.get_component_rich_style
        return AgendaStyles(
            base=self.rich_style,
            hour=get("agenda--hour", partial=True),
            slot=get("agenda--slot", partial=True),
            cursor=get("agenda--cursor", partial=True),
            more=get("agenda--more", partial=True),
            empty=get("agenda--empty", partial=True),
            rule=get("agenda--rule", partial=True),
            header=get("agenda--header", partial=True),
            selected_header=get("agenda--selected-header", partial=True),
            weekend_header=get("agenda--weekend-header", partial=True),
            today_header=get("agenda--today-header", partial=True),
        )

    def view(self) -> AgendaView:
        return AgendaView(self.letters, self.type_styles, self.cursor, self._styles())

    def invalidate(self) -> None:
        """Draw again: once the caller has set everything (after this message), only the lines
        that changed are redrawn, so moving in a day does not send the whole agenda again."""
        if not self._diff_pending:
            self._diff_pending = True
            self._lines_before = self._lines
            self.call_later(self._refresh_changed_lines)
        self._lines = None

    def _refresh_changed_lines(self) -> None:
        self._diff_pending = False
        old, self._lines_before = self._lines_before, None
        if old is None or not self.is_mounted or not self.size.area:
            self.refresh()
            return
        new = self._lines = self.build_lines()
        if len(new) != len(old) or any(a.cell_length != b.cell_length for a, b in zip(old, new)):
            self.refresh()
            return
        for y, (before, after) in enumerate(zip(old, new)):
            if before != after:
                self.refresh(Region(0, y, self.size.width, 1))

    @property
    def rows(self) -> int:
        return -(-24 * 60 // max(1, self.slot_minutes))

    def pinned_count(self, height: int) -> int:
        return 0

    def slot_height(self) -> int:
        return max(1, self.size.height - self.pinned_count(self.size.height))

    def clamp_top(self) -> None:
        self.top = max(0, min(self.top, self.rows - self.slot_height()))

    def action_page(self, direction: int) -> None:
        self.top += direction * max(1, self.slot_height() - 1)
        self.clamp_top()
        self.invalidate()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.top += 2
        self.clamp_top()
        self.invalidate()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.top -= 2
        self.clamp_top()
        self.invalidate()

    def on_click(self, event: events.Click) -> None:
        if not (0 <= event.y < len(self._hits)):
            return
        for left, right, entry_id, day in self._hits[event.y]:
            if left <= event.x < right:
                self.post_message(self.EntryClicked(self, entry_id, day, event.chain >= 2))
                return

    def on_resize(self, event: events.Resize) -> None:
        self.clamp_top()
        self._lines = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines = None

    def on_focus(self, event: events.Focus) -> None:
        self.invalidate()

    def on_blur(self, event: events.Blur) -> None:
        self.invalidate()

    def build_lines(self) -> list[Strip]:
        raise NotImplementedError

    def render_line(self, y: int) -> Strip:
        if self._lines is None or (self._lines and self._lines[0].cell_length != self.size.width):
            self._lines = self.build_lines()
        if y < len(self._lines):
            return self._lines[y]
        return Strip.blank(self.size.width, self.rich_style)

    def text_lines(self) -> list[str]:
        self._lines = self.build_lines()
        return [line.text for line in self._lines]

    # -- pieces ------------------------------------------------------------------------------------
    def time_label(self, row: int, styles: AgendaStyles) -> Segment:
        minutes = row * self.slot_minutes
        text = f"{minutes // 60:02d}:{minutes % 60:02d} "
        return Segment(text, styles.base + (styles.hour if minutes % 60 == 0 else styles.slot))

    def scroll_marker(self, line: int, height: int, styles: AgendaStyles) -> Segment:
        if line == 0 and self.top > 0:
            return Segment("▲", styles.base + styles.more)
        if line == height - 1 and self.top + height < self.rows:
            return Segment("▼", styles.base + styles.more)
        return Segment(" ", styles.base)


class DayAgenda(SlotScroller):
    """One day: entries that fill the day pinned on top, then the slots."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.day = dt.date.today()
        self.entries: Sequence[Entry] = ()
        self.plan: DayLayout = day_layout((), self.day, self.slot_minutes)
        self.is_loading = False

    def show(
        self,
        *,
        day: dt.date | None = None,
        entries: Sequence[Entry] | None = None,
        slot_minutes: int | None = None,
        letters: Mapping[str, str] | None = None,
        type_styles: Mapping[str, Style] | None = None,
        cursor: int | None | bool = False,
        loading: bool | None = None,
        scroll: bool = False,
    ) -> None:
        """Change what is shown; `scroll`: bring the day's first entry (or 08:00) into view."""
        if day is not None and day != self.day:
            self.day = day
            scroll = True
        if entries is not None:
            self.entries = entries
        if slot_minutes is not None and slot_minutes != self.slot_minutes:
            self.top = self.top * self.slot_minutes // max(1, slot_minutes)
            self.slot_minutes = slot_minutes
        if letters is not None:
            self.letters = letters
        if type_styles is not None:
            self.type_styles = type_styles
        if cursor is not False:
            self.cursor = cursor  # type: ignore[assignment]
        if loading is not None:
            self.is_loading = loading
        self.plan = day_layout(self.entries, self.day, self.slot_minutes, max_columns=self.max_columns())
        if scroll:
            self._scroll_wanted = True
        self._settle_scroll()
        self.invalidate()

    def max_columns(self) -> int:
        room = max(10, self.size.width - TIME_COLUMN - 1) if self.size.width else 60
        return max(1, min(6, room // 14))

    def on_resize(self, event: events.Resize) -> None:
        self.plan = day_layout(self.entries, self.day, self.slot_minutes, max_columns=self.max_columns())
        self._settle_scroll()
        super().on_resize(event)

    def _settle_scroll(self) -> None:
        if not self.size.height:
            return
        cursor_row = self.plan.row_of(self.cursor) if self.cursor is not None else None
        if self._scroll_wanted:
            self._scroll_wanted = False
            first = cursor_row if cursor_row is not None else self.plan.first_row()
            self.top = first if first is not None else 8 * 60 // self.slot_minutes
            self.top -= 1 if self.slot_height() > 4 else 0
            self.clamp_top()
        elif cursor_row is not None:
            height = self.slot_height()
            if not (self.top <= cursor_row < self.top + height):
                self.top = cursor_row - (1 if height > 4 else 0)
            self.clamp_top()

    def pinned_count(self, height: int) -> int:
        whole = len(self.plan.whole_day)
        if not self.plan.order or self.is_loading:
            return 1  # "No entries" / "Loading…"
        if not whole:
            return 0
        return min(whole, max(1, height // 3))

    def build_lines(self) -> list[Strip]:
        width, height = self.size.width, self.size.height
        view = self.view()
        styles = view.styles
        base = styles.base
        lines: list[Strip] = []
        self._hits = []
        pinned = self.pinned_count(height)
        whole = self.plan.whole_day
        all_day = _("All day")
        label_width = max(TIME_COLUMN, cell_len(all_day) + 1)
        if self.is_loading or not self.plan.order:
            text = _("Loading…") if self.is_loading else _("No entries. Press a to add one.")
            lines.append(Strip([Segment(fit_cells(" " + text, width), base + styles.empty)], width))
            self._hits.append([(0, width, None, self.day)])
        elif pinned:
            start = 0
            window = pinned
            if len(whole) > pinned:
                window = pinned - 1
                index = next((i for i, e in enumerate(whole) if e.id == self.cursor), 0)
                start = max(0, min(index - window + 1, len(whole) - window)) if window else 0
            for i, entry in enumerate(whole[start:start + window]):
                style = base + view.type_styles.get(entry.type, Style()) + styles.whole_day
                if entry.id == self.cursor:
                    style += styles.cursor
                label = fit_cells(all_day if i == 0 and start == 0 else "", label_width)
                text = fit_cells(" " + whole_day_text(entry, view, all_day), width - label_width)
                lines.append(Strip([Segment(label, base + styles.hour), Segment(text, style)], width))
                self._hits.append([(0, width, entry.id, self.day)])
            if len(whole) > window:
                hidden = len(whole) - window
                more = _("+{count} more").format(count=hidden)
                lines.append(Strip([Segment(fit_cells(" " * label_width + more, width), base + styles.more)], width))
                self._hits.append([])
        slot_lines = max(0, height - len(lines))
        region = max(1, width - TIME_COLUMN - 1)
        for line in range(slot_lines):
            row = self.top + line
            if row >= self.rows:
                lines.append(Strip.blank(width, base))
                self._hits.append([])
                continue
            segments = [self.time_label(row, styles)]
            segments += slot_region(self.plan, row, region, view)
            segments.append(self.scroll_marker(line, slot_lines, styles))
            lines.append(Strip(segments, width).adjust_cell_length(width, base))
            hits = []
            for placed in self.plan.placed:
                if placed.start_row <= row < placed.end_row:
                    column_width = region // placed.columns
                    left = TIME_COLUMN + placed.column * column_width
                    right = TIME_COLUMN + (region if placed.column == placed.columns - 1 else placed.column * column_width + column_width)
                    hits.append((left, right, placed.entry.id, self.day))
            hits.append((0, width, None, self.day))
            self._hits.append(hits)
        return lines[:height] if height else lines


class WeekAgenda(SlotScroller, inherit_bindings=False):
    """Seven days side by side: a header of days, entries filling a day on the next line, slots.
    The arrows keep moving the day and the week here (the screen's keys); n and p the entry."""

    BINDINGS = [
        Binding("pagedown", "page(1)", N_("Later hours"), show=False, id="calendar_week_page_down"),
        Binding("pageup", "page(-1)", N_("Earlier hours"), show=False, id="calendar_week_page_up"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.selected = dt.date.today()
        self.today: dt.date | None = None
        self.monday = self.selected - dt.timedelta(days=self.selected.weekday())
        self.days: Mapping[dt.date, Sequence[Entry]] = {}
        self.layouts: list[DayLayout] = []
        self.weekday_names: Sequence[str] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        self.is_loading = False

    def show(
        self,
        *,
        selected: dt.date | None = None,
        days: Mapping[dt.date, Sequence[Entry]] | None = None,
        slot_minutes: int | None = None,
        letters: Mapping[str, str] | None = None,
        type_styles: Mapping[str, Style] | None = None,
        cursor: int | None | bool = False,
        weekday_names: Sequence[str] | None = None,
        loading: bool | None = None,
        scroll: bool = False,
    ) -> None:
        if selected is not None:
            monday = selected - dt.timedelta(days=selected.weekday())
            if monday != self.monday:
                scroll = True
            self.selected, self.monday = selected, monday
        if days is not None:
            self.days = days
        if slot_minutes is not None and slot_minutes != self.slot_minutes:
            self.top = self.top * self.slot_minutes // max(1, slot_minutes)
            self.slot_minutes = slot_minutes
        if letters is not None:
            self.letters = letters
        if type_styles is not None:
            self.type_styles = type_styles
        if cursor is not False:
            self.cursor = cursor  # type: ignore[assignment]
        if weekday_names is not None:
            self.weekday_names = weekday_names
        if loading is not None:
            self.is_loading = loading
        self._layout()
        if scroll:
            self._scroll_wanted = True
        self._settle_scroll()
        self.invalidate()

    def _layout(self) -> None:
        columns = 2 if self.day_width() >= 24 else 1
        self.layouts = [
            day_layout(self.days.get(day, ()), day, self.slot_minutes, max_columns=columns)
            for day in (self.monday + dt.timedelta(days=i) for i in range(7))
        ]

    def day_width(self) -> int:
        return max(4, (self.size.width - TIME_COLUMN - 1) // 7) if self.size.width else 10

    def on_resize(self, event: events.Resize) -> None:
        self._layout()
        self._settle_scroll()
        super().on_resize(event)

    def _settle_scroll(self) -> None:
        if not self.size.height or not self.layouts:
            return
        rows = [layout.row_of(self.cursor) for layout in self.layouts] if self.cursor is not None else []
        cursor_row = next((r for r in rows if r is not None), None)
        if self._scroll_wanted:
            self._scroll_wanted = False
            firsts = [r for r in (layout.first_row() for layout in self.layouts) if r is not None]
            first = cursor_row if cursor_row is not None else (min(firsts) if firsts else None)
            self.top = first if first is not None else 8 * 60 // self.slot_minutes
            self.top -= 1 if self.slot_height() > 4 else 0
        elif cursor_row is not None:
            height = self.slot_height()
            if not (self.top <= cursor_row < self.top + height):
                self.top = cursor_row - (1 if height > 4 else 0)
        self.clamp_top()

    def pinned_count(self, height: int) -> int:
        most = max((len(layout.whole_day) for layout in self.layouts), default=0)
        return 1 + min(most, max(1, (height - 1) // 4)) + (1 if self.is_loading and not most else 0)

    def build_lines(self) -> list[Strip]:
        width, height = self.size.width, self.size.height
        view = self.view()
        styles = view.styles
        base = styles.base
        today = self.today or dt.date.today()
        day_width = self.day_width()
        widths = [day_width] * 7
        widths[-1] = max(1, width - TIME_COLUMN - 1 - day_width * 6)
        lines: list[Strip] = []
        self._hits = []
        # the days
        header = [Segment(" " * TIME_COLUMN, base)]
        hits = []
        x = TIME_COLUMN
        for index, layout in enumerate(self.layouts):
            day = layout.day
            name = self.weekday_names[index] if index < len(self.weekday_names) else ""
            text = f"{name} {day.day}"
            style = base + styles.header
            if index >= 5:
                style += styles.weekend_header
            if day == self.selected:
                style += styles.selected_header
                text = f"[{text}]"
            if day == today:
                style += styles.today_header
                if cell_len(text) < widths[index] - 1:
                    text += "*"
            header.append(Segment(fit_cells(text, widths[index] - 1), style))
            header.append(Segment(" ", base))
            hits.append((x, x + widths[index], None, day))
            x += widths[index]
        header.append(Segment(" ", base))
        lines.append(Strip(header, width).adjust_cell_length(width, base))
        self._hits.append(hits)
        # entries filling a day
        pinned = self.pinned_count(height) - 1
        for line in range(pinned):
            segments = [Segment(" " * TIME_COLUMN, base)]
            hits = []
            x = TIME_COLUMN
            for index, layout in enumerate(self.layouts):
                whole = layout.whole_day
                cell = widths[index]
                if self.is_loading and line == 0 and index == 0:
                    segments.append(Segment(fit_cells(_("Loading…"), cell), base + styles.empty))
                elif line < len(whole) and not (line == pinned - 1 and len(whole) > pinned):
                    entry = whole[line]
                    style = base + view.type_styles.get(entry.type, Style()) + styles.whole_day
                    if entry.id == self.cursor:
                        style += styles.cursor
                    letter = view.letters.get(entry.owner, "?") if view.letters else ""
                    segments.append(Segment(fit_cells(letter + entry_label(entry), cell - 1), style))
                    segments.append(Segment(" ", base))
                    hits.append((x, x + cell, entry.id, layout.day))
                elif line == pinned - 1 and len(whole) > pinned:
                    more = _("+{count} more").format(count=len(whole) - line)
                    if cell_len(more) > cell:
                        more = f"+{len(whole) - line}"
                    segments.append(Segment(fit_cells(more, cell), base + styles.more))
                    hits.append((x, x + cell, None, layout.day))
                else:
                    segments.append(Segment(" " * cell, base))
                    hits.append((x, x + cell, None, layout.day))
                x += cell
            segments.append(Segment(" ", base))
            lines.append(Strip(segments, width).adjust_cell_length(width, base))
            self._hits.append(hits)
        # the slots
        slot_lines = max(0, height - len(lines))
        for line in range(slot_lines):
            row = self.top + line
            if row >= self.rows:
                lines.append(Strip.blank(width, base))
                self._hits.append([])
                continue
            segments = [self.time_label(row, styles)]
            hits = []
            x = TIME_COLUMN
            for index, layout in enumerate(self.layouts):
                cell = widths[index]
                region = slot_region(layout, row, cell - 1, view)
                segments += region
                segments.append(Segment("│" if index < 6 else " ", base + styles.rule))
                entry_id = None
                for placed in layout.placed:
                    if placed.start_row <= row < placed.end_row:
                        entry_id = placed.entry.id
                        break
                hits.append((x, x + cell, entry_id, layout.day))
                x += cell
            segments.append(self.scroll_marker(line, slot_lines, styles))
            lines.append(Strip(segments, width).adjust_cell_length(width, base))
            self._hits.append(hits)
        return lines[:height] if height else lines
