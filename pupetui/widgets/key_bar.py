"""A footer of the screen's keys drawn as one line: what Textual's Footer shows, in one widget.

Textual's Footer mounts a widget per key and mounts them all again whenever the bindings
change (a tab switched, data loaded): on a screen that must open fast that is most of the
work.  `KeyBar` draws the same line itself: the active bindings marked to be shown (one per
action), disabled ones dimmed, the command palette's key on the right; a click on a key
presses it.  It follows `screen.bindings_updated_signal` like the Footer does.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

from pupetui.widgets.literal import printable


class KeyBar(Widget):
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--disabled"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyBar > .key-bar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .key-bar--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyBar > .key-bar--disabled { text-style: dim; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, str, bool]] = []  # (start, end, key, enabled)

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()

    def _keys(self) -> tuple[list[tuple[str, str, str, bool]], tuple[str, str, str, bool] | None]:
        """(key, key shown, description, enabled) of the shown bindings, and of the palette's."""
        active = self.screen.active_bindings
        keys: list[tuple[str, str, str, bool]] = []
        actions: set[str] = set()
        for _node, binding, enabled, _tooltip in active.values():
            if not binding.show or binding.action in actions:
                continue
            actions.add(binding.action)
            keys.append((binding.key, self.app.get_key_display(binding), binding.description, enabled))
        palette = None
        if self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, binding, enabled, _tooltip = found
                palette = (binding.key, self.app.get_key_display(binding), binding.description, enabled)
        return keys, palette

    def _key_text(self, shown: str, description: str, enabled: bool) -> Text:
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        description_style = self.get_component_rich_style("key-bar--description", partial=True)
        text = Text(no_wrap=True, end="")
        text.append(printable(shown), key_style)
        if description:
            text.append(" ")
            text.append(printable(description), description_style)
        if not enabled:
            text.stylize(self.get_component_rich_style("key-bar--disabled", partial=True))
        return text

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        base = self.rich_style
        if y:
            return Strip.blank(width, base)
        keys, palette = self._keys()
        line = Text(" ", no_wrap=True, end="")
        self._spans = []
        right = self._key_text(palette[1], palette[2], palette[3]) if palette else Text()
        room = max(0, width - right.cell_len - (2 if palette else 0))
        for key, shown, description, enabled in keys:
            text = self._key_text(shown, description, enabled)
            if line.cell_len + text.cell_len > room:
                break
            start = line.cell_len
            line.append_text(text)
            self._spans.append((start, line.cell_len, key, enabled))
            line.append(" ")
        if palette:
            line.append(" " * max(0, width - line.cell_len - right.cell_len - 1))
            start = line.cell_len
            line.append_text(right)
            self._spans.append((start, line.cell_len, palette[0], palette[3]))
        line.truncate(width)
        return Strip(list(line.render(self.app.console))).apply_style(base).adjust_cell_length(width, base)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        for start, end, key, enabled in self._spans:
            if start <= offset.x < end:
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return
