"""A one-line row of tab titles, the active one marked; one widget instead of a tab per title.

Textual's TabbedContent mounts a tab, a pane and their containers per title (17 widgets for six
tabs) before anything is shown; a screen that shows one pane at a time can pair this bar with a
ContentSwitcher whose panes it mounts when first shown.  The bar does not take focus (the tabs
are chosen with the screen's keys); a click on a title posts `TabBar.Clicked`.
"""

from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from pupetui.widgets.literal import printable


class TabBar(Widget):
    COMPONENT_CLASSES = {"tab-bar--tab", "tab-bar--active"}
    DEFAULT_CSS = """
    TabBar {
        height: 1;
        background: $panel;
    }
    TabBar > .tab-bar--tab { color: $text-muted; }
    TabBar > .tab-bar--active {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    """

    active: reactive[str] = reactive("", init=False)

    class Clicked(Message):
        def __init__(self, tab_id: str) -> None:
            super().__init__()
            self.tab_id = tab_id

    def __init__(self, tabs: Sequence[tuple[str, str]], active: str, *, id: str | None = None) -> None:
        """`tabs`: (tab id, title) in order."""
        super().__init__(id=id)
        self.tabs = list(tabs)
        self.set_reactive(TabBar.active, active)
        self._spans: list[tuple[int, int, str]] = []

    def watch_active(self) -> None:
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        base = self.rich_style
        if y:
            return Strip.blank(width, base)
        tab_style = self.get_component_rich_style("tab-bar--tab", partial=True)
        active_style = self.get_component_rich_style("tab-bar--active", partial=True)
        line = Text(no_wrap=True, end="")
        self._spans = []
        for tab_id, title in self.tabs:
            start = line.cell_len
            line.append(f" {printable(title)} ", active_style if tab_id == self.active else tab_style)
            self._spans.append((start, line.cell_len, tab_id))
            line.append(" ")
        line.truncate(width, overflow="ellipsis")
        return Strip(list(line.render(self.app.console))).apply_style(base).adjust_cell_length(width, base)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        for start, end, tab_id in self._spans:
            if start <= offset.x < end:
                self.post_message(self.Clicked(tab_id))
                return
