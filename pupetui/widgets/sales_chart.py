"""A small bar chart of monthly figures in the terminal: one bar per month, with labels.

Bars are drawn with the eighth blocks (▁▂▃▄▅▆▇█), so they read in any colour depth, even in
monochrome; the colours come from the theme (`$success` for bars, `$error` for negative months,
`$text-muted` for labels), which the ANSI theme maps to the terminal's own 16 colours.

    chart.points = [ChartPoint(value, "11", "2026"), ...]   # oldest first

The chart fits the bars to its width: each month gets the same slot (a bar and a gap when there
is room); when even one column per month does not fit, the oldest months are left out.  The
value axis shows the largest value at the top and 0 at the bottom, through `number_format`.
Month labels are written under their bars where they fit; the year under the first month of
each year.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Sequence

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from pupetui.widgets.literal import printable

EIGHTHS = " ▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class ChartPoint:
    value: Decimal | int | float
    label: str = ""  # under the bar, e.g. the month "11"
    group: str = ""  # the year: written under the first point of each group


def _plain(value: Decimal | int | float) -> str:
    return f"{value:,.0f}"


class SalesChart(Widget):
    """Bars of `points` (oldest first), a caption line, a value axis and two label lines."""

    COMPONENT_CLASSES = {
        "sales-chart--bar",
        "sales-chart--negative",
        "sales-chart--axis",
        "sales-chart--caption",
    }
    DEFAULT_CSS = """
    SalesChart {
        height: 8;
        width: 1fr;
    }
    SalesChart > .sales-chart--bar { color: $success; }
    SalesChart > .sales-chart--negative { color: $error; }
    SalesChart > .sales-chart--axis { color: $text-muted; }
    SalesChart > .sales-chart--caption { text-style: bold; }
    """

    points: reactive[tuple[ChartPoint, ...]] = reactive(tuple, layout=False)
    caption: reactive[str] = reactive("")

    def __init__(
        self,
        caption: str = "",
        *,
        number_format: Callable[[Decimal | int | float], str] = _plain,
        empty_text: str = "",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.number_format = number_format
        self.empty_text = empty_text
        self.set_reactive(SalesChart.caption, caption)

    def set_points(self, points: Sequence[ChartPoint]) -> None:
        self.points = tuple(points)

    # -- drawing ---------------------------------------------------------------------------------
    def render(self) -> Text:
        width, height = self.content_size.width, self.content_size.height
        caption_style = self.get_component_rich_style("sales-chart--caption", partial=True)
        axis_style = self.get_component_rich_style("sales-chart--axis", partial=True)
        out = Text(no_wrap=True, overflow="crop", end="")
        out.append(printable(self.caption)[:width], caption_style)
        points = list(self.points)
        bar_rows = max(1, height - 3)
        if not points or width < 4:
            if self.empty_text:
                out.append("\n" + printable(self.empty_text)[:width], axis_style)
            return out
        values = [Decimal(str(p.value)) for p in points]
        top = max((abs(v) for v in values), default=Decimal(0))
        top_label = self.number_format(top) if top else self.number_format(0)
        zero_label = self.number_format(0)
        axis_width = max(len(top_label), len(zero_label)) + 1
        room = width - axis_width
        slot = room // len(points) if room > 0 else 0
        if slot < 1:  # not even a column each: the newest months that fit
            keep = max(1, room)
            points, values = points[-keep:], values[-keep:]
            slot = 1
        bar = slot - 1 if slot >= 3 else slot if slot == 1 else 1
        bar_style = self.get_component_rich_style("sales-chart--bar", partial=True)
        negative_style = self.get_component_rich_style("sales-chart--negative", partial=True)
        eighths = [int((abs(v) / top) * bar_rows * 8 + Decimal("0.5")) if top else 0 for v in values]
        eighths = [max(1, e) if v else 0 for e, v in zip(eighths, values)]
        for row in range(bar_rows):
            out.append("\n")
            label = top_label if row == 0 else zero_label if row == bar_rows - 1 else ""
            out.append(f"{label:>{axis_width - 1}} ", axis_style)
            floor = (bar_rows - 1 - row) * 8
            for value, level in zip(values, eighths):
                fill = min(8, max(0, level - floor))
                out.append(EIGHTHS[fill] * bar, negative_style if value < 0 else bar_style)
                out.append(" " * (slot - bar))
        out.append("\n" + self._labels([p.label for p in points], axis_width, slot), axis_style)
        groups = [p.group if i == 0 or p.group != points[i - 1].group else "" for i, p in enumerate(points)]
        out.append("\n" + self._labels(groups, axis_width, slot), axis_style)
        return out

    @staticmethod
    def _labels(labels: list[str], indent: int, slot: int) -> str:
        """`labels` written from the start of their slots where they fit without touching another.

        Labels after the first go first: under a month where a new year starts, the year is
        worth more than the year of the oldest month (written only if it fits before it).
        """
        line = [" "] * (indent + slot * len(labels))
        taken = [False] * len(line)
        order = list(range(1, len(labels))) + [0]
        for i in order:
            label = printable(labels[i])
            start = indent + i * slot
            end = start + len(label)
            if not label or end > len(line):
                continue
            if any(taken[max(0, start - 1):min(len(line), end + 1)]):
                continue
            line[start:end] = list(label)
            taken[start:end] = [True] * len(label)
        return "".join(line).rstrip()

    def watch_points(self) -> None:
        self.refresh()
