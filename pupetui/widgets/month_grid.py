"""The month grid: weeks as rows (ISO week numbers), Monday to Sunday, each day's entries.

`MonthGrid` draws with the line API from one list of strips built when its data, its selected
day or its size changes (no widget per day or per entry): a month of 5,000 entries is drawn as
fast as an empty one, because only what fits in the cells is looked at.

A day cell: the day line (`[12]` when selected, in reverse video; `*` and underline on today;
bold on Saturday and Sunday; dim outside the month; `+3 more` when not all entries fit), then
one line per entry: its start time, `✓` when it is done (kuittaus 'K'), and type in the type's
colour (an all-day entry is a bar in reverse video), with the owner's letter in front when several users' calendars are shown.

Texts from the database are shown literally (segments, never markup) and without control
characters. `render_grid()` is the pure part: tests render it to text for snapshots.

Colours: KALETAPA colours are anything (#rrggbb, names); `legible_colour` maps them to one of
the terminal's 16 colours that reads on both dark and light backgrounds, or none (grey).
"""

from __future__ import annotations

import colorsys
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping, Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region
from textual.color import Color, ColorParseError
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from pupetui.services.calendar import Entry
from pupetui.services.calendar_view import weeks_of, whole_day_on
from pupetui.widgets.literal import printable

# -- colours ---------------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def legible_colour(colour: str) -> str | None:
    """One of the 16 ANSI colour names for a KALETAPA colour, or None (grey, black, white,
    unknown: shown in the text's own colour).  Dark blue reads badly on dark backgrounds and
    light yellow on light ones, so blues are bright and yellows are plain."""
    text = (colour or "").strip()
    if not text:
        return None
    try:
        parsed = Color.parse(text)
    except (ColorParseError, ValueError):
        try:
            parsed = Color.parse(text.replace("_", ""))
        except (ColorParseError, ValueError):
            return None
    hue, lightness, saturation = colorsys.rgb_to_hls(parsed.r / 255, parsed.g / 255, parsed.b / 255)
    if saturation < 0.2 or lightness < 0.12 or lightness > 0.92:
        return None
    degrees = hue * 360
    if degrees < 18 or degrees >= 335:
        name = "red"
    elif degrees < 70:
        name = "yellow"
    elif degrees < 165:
        name = "green"
    elif degrees < 200:
        name = "cyan"
    elif degrees < 255:
        name = "blue"
    else:
        name = "magenta"
    if name == "blue" or (lightness > 0.62 and name != "yellow"):
        name = "bright_" + name
    return name


def colour_style(colour: str) -> Style:
    name = legible_colour(colour)
    return Style(color=name) if name else Style()


# -- the pure part: lines of a month --------------------------------------------------------------

WEEK_COLUMN = 3


@dataclass
class GridStyles:
    base: Style = field(default_factory=Style)
    header: Style = field(default_factory=Style)
    weekend_header: Style = field(default_factory=Style)
    week: Style = field(default_factory=Style)
    day: Style = field(default_factory=Style)
    weekend: Style = field(default_factory=Style)
    other_month: Style = field(default_factory=Style)
    today: Style = field(default_factory=lambda: Style(bold=True, underline=True))
    selected: Style = field(default_factory=lambda: Style(reverse=True, bold=True))
    more: Style = field(default_factory=Style)
    rule: Style = field(default_factory=Style)
    letter: Style = field(default_factory=lambda: Style(bold=True))
    all_day: Style = field(default_factory=lambda: Style(reverse=True))


@dataclass
class GridTexts:
    weekdays: Sequence[str] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    week: str = "Wk"
    more: str = "+{count} more"  # the long form; "+{count}" when it does not fit
    all_day: str = "All day"


def column_widths(width: int) -> list[int]:
    """Widths of the seven day columns (each with its rule) in `width` cells."""
    room = max(7 * 2, width - WEEK_COLUMN)
    base, extra = divmod(room, 7)
    return [base + (1 if i < extra else 0) for i in range(7)]


def lines_per_week(height: int, weeks: int) -> int:
    return max(1, (height - 1) // max(1, weeks))


DONE_MARK = "✓"


def entry_label(entry: Entry) -> str:
    """What a cell shows of an entry after its time: the type, else the customer or comment."""
    if entry.type or entry.customer_name:
        return printable(entry.type or entry.customer_name)
    return printable(next((line for line in entry.comment.splitlines() if line.strip()), ""))


def fit_cells(text: str, width: int) -> str:
    """`text` cut or padded to exactly `width` cells (wide characters counted as two)."""
    if width <= 0:
        return ""
    if text.isascii() and text.isprintable():
        return text[:width].ljust(width)
    return set_cell_size(text, width)


def render_grid(
    year: int,
    month: int,
    *,
    selected: dt.date,
    today: dt.date,
    days: Mapping[dt.date, Sequence[Entry]],
    width: int,
    height: int,
    letters: Mapping[str, str] | None = None,
    type_styles: Mapping[str, Style] | None = None,
    styles: GridStyles | None = None,
    texts: GridTexts | None = None,
) -> list[Strip]:
    """The grid's lines, `width` cells wide; at most `height` lines (fewer when it needs fewer)."""
    styles = styles or GridStyles()
    texts = texts or GridTexts()
    type_styles = type_styles or {}
    letters = letters or {}
    weeks = weeks_of(year, month)
    per_week = lines_per_week(height, len(weeks))
    widths = column_widths(width)
    base = styles.base
    rule_style = base + styles.rule
    lines: list[Strip] = []

    header: list[Segment] = [Segment(fit_cells(texts.week, WEEK_COLUMN), base + styles.week + styles.header)]
    for index, name in enumerate(texts.weekdays):
        style = base + styles.header + (styles.weekend_header if index >= 5 else Style())
        header.append(Segment("│", rule_style))
        header.append(Segment(fit_cells(" " + name, widths[index] - 1), style))
    lines.append(Strip(header, width))

    blank_week = Segment(" " * WEEK_COLUMN, base + styles.week)
    for week in weeks:
        number = week[0].isocalendar()[1]
        rows: list[list[Segment]] = [
            [Segment(fit_cells(f"{number:>2}", WEEK_COLUMN), base + styles.week)] if r == 0 else [blank_week]
            for r in range(per_week)
        ]
        for index, day in enumerate(week):
            cell = widths[index] - 1
            entries = days.get(day, ())
            shown = entries[: per_week - 1]
            hidden = len(entries) - len(shown)
            outside = day.month != month
            # the day line
            style = base + styles.day
            if index >= 5:
                style += styles.weekend
            if outside:
                style += styles.other_month
            if day == today:
                style += styles.today
            if day == selected:
                style += styles.selected
            number = f"[{day.day:>2}]" if day == selected else f" {day.day:>2} "
            number += "*" if day == today else " "
            more = ""
            if hidden:
                more = texts.more.format(count=hidden)
                if cell_len(number) + cell_len(more) + 1 > cell:
                    more = f"+{hidden}"
            gap = cell - cell_len(number) - cell_len(more)
            row = rows[0]
            row.append(Segment("│", rule_style))
            if gap >= 0:
                row.append(Segment(number + " " * gap, style))
                if more:
                    row.append(Segment(more, style + styles.more))
            else:
                row.append(Segment(fit_cells(number + more, cell), style))
            # the entries
            for r in range(1, per_week):
                row = rows[r]
                row.append(Segment("│", rule_style))
                if r - 1 >= len(shown):
                    row.append(Segment(" " * cell, base))
                    continue
                entry = shown[r - 1]
                dim = styles.other_month if outside else Style()
                colour = Style() if entry.is_reminder else type_styles.get(entry.type, Style())  # as Pupesoft
                used = 0
                if letters:
                    letter = letters.get(entry.owner, "?")
                    row.append(Segment(letter, base + dim + styles.letter))
                    used = 1
                done = DONE_MARK if entry.done else " "  # done (kuittaus 'K'): a mark, not a colour
                if whole_day_on(entry, day):
                    text = fit_cells(done + (entry_label(entry) or texts.all_day), cell - used)
                    row.append(Segment(text, base + colour + styles.all_day + dim))
                    continue
                if entry.starts_at.date() < day:
                    when = "»" + done
                else:
                    when = entry.starts_at.strftime("%H:%M") + done
                text = fit_cells(when + entry_label(entry), cell - used)
                row.append(Segment(text, base + colour + dim))
        for row in rows:
            lines.append(Strip(row, width))
    return lines


def grid_text(lines: Sequence[Strip]) -> str:
    """The lines as plain text, trailing spaces removed (for snapshots and tests)."""
    return "\n".join(line.text.rstrip() for line in lines)


def day_at(year: int, month: int, width: int, height: int, x: int, y: int) -> dt.date | None:
    """The day under the cell (x, y) of a grid of that size, or None."""
    weeks = weeks_of(year, month)
    per_week = lines_per_week(height, len(weeks))
    if y < 1 or x < WEEK_COLUMN:
        return None
    week = (y - 1) // per_week
    if week >= len(weeks):
        return None
    left = WEEK_COLUMN
    for index, w in enumerate(column_widths(width)):
        if left <= x < left + w:
            return weeks[week][index]
        left += w
    return None


# -- the widget --------------------------------------------------------------------------------------


class MonthGrid(Widget, can_focus=True):
    """A month of days; the screen gives it the data with `show(...)` and moves `selected`."""

    COMPONENT_CLASSES = {
        "month-grid--header",
        "month-grid--weekend-header",
        "month-grid--week",
        "month-grid--day",
        "month-grid--weekend",
        "month-grid--other-month",
        "month-grid--today",
        "month-grid--selected",
        "month-grid--more",
        "month-grid--rule",
    }
    DEFAULT_CSS = """
    MonthGrid {
        width: 1fr;
        height: 1fr;
        background: $surface;
    }
    MonthGrid > .month-grid--header { text-style: bold; color: $text-muted; }
    MonthGrid > .month-grid--weekend-header { text-style: bold underline; color: $text-error; }
    MonthGrid > .month-grid--week { color: $text-muted; }
    MonthGrid > .month-grid--day { background: $boost; }
    MonthGrid > .month-grid--weekend { text-style: bold; color: $text-error; }
    MonthGrid > .month-grid--other-month { text-style: dim; }
    MonthGrid > .month-grid--today { text-style: bold underline; color: $text-accent; }
    MonthGrid > .month-grid--selected { text-style: bold reverse; }
    MonthGrid:focus > .month-grid--selected { text-style: bold reverse; color: $accent; }
    MonthGrid > .month-grid--more { text-style: bold; }
    MonthGrid > .month-grid--rule { color: $panel-lighten-2; }
    """

    class DayClicked(Message):
        def __init__(self, grid: "MonthGrid", day: dt.date, double: bool) -> None:
            super().__init__()
            self.grid = grid
            self.day = day
            self.double = double

        @property
        def control(self) -> "MonthGrid":
            return self.grid

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        today = dt.date.today()
        self.year = today.year
        self.month = today.month
        self.selected = today
        self.today: dt.date | None = None  # None: the real today, each time the grid is drawn
        self.days: Mapping[dt.date, Sequence[Entry]] = {}
        self.letters: Mapping[str, str] = {}
        self.type_styles: Mapping[str, Style] = {}
        self.texts = GridTexts()
        self._lines: list[Strip] | None = None
        self._built_for: tuple = ()

    # -- data ------------------------------------------------------------------------------------
    def show(
        self,
        *,
        year: int | None = None,
        month: int | None = None,
        selected: dt.date | None = None,
        days: Mapping[dt.date, Sequence[Entry]] | None = None,
        letters: Mapping[str, str] | None = None,
        type_styles: Mapping[str, Style] | None = None,
        texts: GridTexts | None = None,
    ) -> None:
        """Change what is shown (only what is given) and draw it again."""
        if year is not None:
            self.year = year
        if month is not None:
            self.month = month
        if selected is not None:
            self.selected = selected
        if days is not None:
            self.days = days
        if letters is not None:
            self.letters = letters
        if type_styles is not None:
            self.type_styles = type_styles
        if texts is not None:
            self.texts = texts
        old = self._lines
        self._lines = None
        self.refresh_changed_lines(old)

    def refresh_changed_lines(self, old: list[Strip] | None) -> None:
        """Redraw only the lines that differ from `old` (moving the selected day changes two or
        three of a month's lines: the rest is not sent to the terminal again)."""
        if old is None or not self.is_mounted or not self.size.area:
            self.refresh()
            return
        new = self.build_lines()
        if len(new) != len(old):
            self.refresh()
            return
        width = self.size.width
        for y, (before, after) in enumerate(zip(old, new)):
            if before != after:
                self.refresh(Region(0, y, width, 1))

    @property
    def week_count(self) -> int:
        return len(weeks_of(self.year, self.month))

    def _styles(self) -> GridStyles:
        get = self.get_component_rich_style
        return GridStyles(
            base=self.rich_style,
            header=get("month-grid--header", partial=True),
            weekend_header=get("month-grid--weekend-header", partial=True),
            week=get("month-grid--week", partial=True),
            day=get("month-grid--day", partial=True),
            weekend=get("month-grid--weekend", partial=True),
            other_month=get("month-grid--other-month", partial=True),
            today=get("month-grid--today", partial=True),
            selected=get("month-grid--selected", partial=True),
            more=get("month-grid--more", partial=True),
            rule=get("month-grid--rule", partial=True),
        )

    def build_lines(self, width: int | None = None, height: int | None = None) -> list[Strip]:
        """All the grid's lines at its size (or the size given), from the cache when unchanged."""
        width = self.size.width if width is None else width
        height = self.size.height if height is None else height
        today = self.today or dt.date.today()
        key = (width, height, today, self.has_focus)
        if self._lines is None or key != self._built_for:
            self._lines = render_grid(
                self.year, self.month, selected=self.selected, today=today, days=self.days,
                width=width, height=height, letters=self.letters, type_styles=self.type_styles,
                styles=self._styles(), texts=self.texts,
            )
            self._built_for = key
        return self._lines

    def render_line(self, y: int) -> Strip:
        lines = self.build_lines()
        if y < len(lines):
            return lines[y]
        return Strip.blank(self.size.width, self.rich_style)

    def text_lines(self) -> list[str]:
        return [line.text for line in self.build_lines()]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines = None

    def on_focus(self, event: events.Focus) -> None:
        self.refresh()

    def on_blur(self, event: events.Blur) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        day = day_at(self.year, self.month, self.size.width, self.size.height, event.x, event.y)
        if day is not None:
            self.post_message(self.DayClicked(self, day, event.chain >= 2))
