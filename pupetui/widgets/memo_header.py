"""The customer memo's header as one widget drawn line by line.

Three boxes side by side (billing address, delivery address, facts: widths 1:1:2), then a line
with the two choices made in place (the status and the contact, each with the key that opens
its picker), then a line with the chosen contact's (or the customer's) numbers and email.

It replaces two Selects, labels and five Statics (about 30 widgets): the memo screen mounts,
styles and lays out far fewer widgets, and this one formats its seven lines only when its data
or its width changes.  Every text is shown literally (control characters removed, never parsed
as markup); a box cuts its lines with an ellipsis, the facts wrap and end in one when cut.

Clicking the status or the contact posts `MemoHeader.PickerClicked` with "status" or "contact".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from rich.style import Style
from rich.text import Text
from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from pupetui.widgets.literal import printable

BOX_LINES = 4  # lines of a box under its title


@dataclass(frozen=True)
class HeaderBox:
    title: str
    lines: Sequence[str] = ()
    wrap: bool = False  # wrap the text (the facts) instead of cutting each line


@dataclass(frozen=True)
class HeaderView:
    """What the header shows; every text is untrusted and shown literally."""

    boxes: Sequence[HeaderBox]
    choices: Sequence[tuple[str, str, str]] = ()  # (key, label, value) shown in place, e.g. ("t", "Status", "A")
    info: str = ""  # the chosen contact's (or the customer's) numbers and email
    error: str = ""  # shown across the boxes instead of their text
    choice_ids: Sequence[str] = field(default=())  # what a click on each choice posts


class MemoHeader(Widget):
    COMPONENT_CLASSES = {
        "memo-header--title",
        "memo-header--key",
        "memo-header--label",
        "memo-header--value",
        "memo-header--error",
    }
    DEFAULT_CSS = """
    MemoHeader {
        height: 7;
        padding: 0 1;
    }
    MemoHeader > .memo-header--title { text-style: bold; }
    MemoHeader > .memo-header--key { text-style: bold; color: $text-accent; }
    MemoHeader > .memo-header--label { color: $text-muted; }
    MemoHeader > .memo-header--value { text-style: bold; }
    MemoHeader > .memo-header--error { color: $text-error; }
    """

    class PickerClicked(Message):
        def __init__(self, choice: str) -> None:
            super().__init__()
            self.choice = choice

    def __init__(self, view: HeaderView, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.view = view
        self._strips: list[Strip] = []
        self._plain: list[str] = []
        self._width = -1
        self._choice_spans: list[tuple[int, int, str]] = []

    def show(self, view: HeaderView) -> None:
        self.view = view
        self._width = -1
        self.refresh()

    @property
    def plain_lines(self) -> list[str]:
        """The lines as drawn at the current width (plain text)."""
        self._build(self.content_region.width)
        return list(self._plain)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._width = -1

    # -- drawing ------------------------------------------------------------------------------------
    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"memo-header--{name}", partial=True)

    @staticmethod
    def _fit(text: Text, width: int) -> Text:
        text.no_wrap = True
        text.end = ""
        text.truncate(max(0, width), overflow="ellipsis", pad=True)
        return text

    def _box_lines(self, box: HeaderBox, width: int) -> list[Text]:
        lines: list[Text] = []
        if box.wrap:
            body = Text(printable("\n".join(box.lines), single_line=False).strip())
            wrapped = list(body.wrap(self.app.console, max(1, width), overflow="fold")) if width > 0 else []
            if len(wrapped) > BOX_LINES:
                last = wrapped[BOX_LINES - 1]
                last.truncate(max(0, width - 1))
                last.rstrip()
                last.append("…")
                wrapped = wrapped[:BOX_LINES]
            lines = [Text(line.plain) for line in wrapped]
        else:
            texts = [printable(line) for line in box.lines]
            if len(texts) > BOX_LINES:  # the rest on the last line: nothing is left out
                texts = texts[: BOX_LINES - 1] + [", ".join(texts[BOX_LINES - 1:])]
            lines = [Text(t) for t in texts]
        return [Text(printable(box.title), style=self._style("title"))] + lines

    def _widths(self, width: int) -> list[int]:
        count = len(self.view.boxes)
        if not count:
            return []
        weights = [2 if box.wrap else 1 for box in self.view.boxes]
        room = max(0, width - (count - 1))  # one column between boxes
        unit = room // sum(weights)
        widths = [unit * w for w in weights]
        widths[-1] = room - sum(widths[:-1])
        return widths

    def _build(self, width: int) -> None:
        if width == self._width:
            return
        view = self.view
        rows: list[Text] = [Text(end="", no_wrap=True) for _ in range(BOX_LINES + 3)]
        widths = self._widths(width)
        columns = [self._box_lines(box, w) for box, w in zip(view.boxes, widths)]
        error_lines: list[Text] = []
        if view.error:
            body = Text(printable(view.error, single_line=False), style=self._style("error"))
            error_lines = list(body.wrap(self.app.console, max(1, width), overflow="fold"))[:BOX_LINES]
        for y in range(BOX_LINES + 1):
            row = rows[y]
            if view.error and y > 0:
                if y - 1 < len(error_lines):
                    row.append_text(error_lines[y - 1])
                continue
            for index, (lines, w) in enumerate(zip(columns, widths)):
                if index:
                    row.append(" ")
                cell = lines[y].copy() if y < len(lines) and not (view.error and y) else Text()
                row.append_text(self._fit(cell, w))
        # the choices made in place
        choices = rows[BOX_LINES + 1]
        self._choice_spans = []
        label_style, key_style, value_style = self._style("label"), self._style("key"), self._style("value")
        for index, (key, label, value) in enumerate(view.choices):
            if index:
                choices.append("   ")
            start = choices.cell_len
            if key:
                choices.append(key, key_style)
                choices.append(" ")
            choices.append(printable(label) + " ", label_style)
            choices.append(printable(value) + " ▾", value_style)
            if index < len(view.choice_ids):
                self._choice_spans.append((start, choices.cell_len, view.choice_ids[index]))
        rows[BOX_LINES + 2].append(printable(view.info))
        base = self.rich_style
        self._strips = []
        self._plain = []
        for row in rows:
            self._fit(row, width)
            self._plain.append(row.plain)
            segments = list(row.render(self.app.console))
            self._strips.append(Strip(segments).apply_style(base).adjust_cell_length(width, base))
        self._width = width

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        self._build(width)
        if 0 <= y < len(self._strips):
            return self._strips[y]
        return Strip.blank(width, self.rich_style)

    def on_resize(self) -> None:
        self._width = -1

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y != BOX_LINES + 1:
            return
        for start, end, choice in self._choice_spans:
            if start <= offset.x < end:
                self.post_message(self.PickerClicked(choice))
                return
