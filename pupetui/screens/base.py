"""What every pupetui screen shares: texts in the user's language, bindings with ids."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding
from textual.screen import ModalScreen, Screen

from pupetui.i18n import N_, _
from pupetui.widgets.bindings import translate_bindings

# Textual's own screen keys, again with ids (so they can be remapped) and descriptions in the
# catalogs (so F1 shows them in the user's language).
SCREEN_BINDINGS = [
    Binding("tab", "app.focus_next", N_("Next field"), show=False, id="focus_next"),
    Binding("shift+tab", "app.focus_previous", N_("Previous field"), show=False, id="focus_previous"),
    Binding("ctrl+c,super+c", "screen.copy_text", N_("Copy selected text"), show=False, id="copy_text"),
]

# ctrl+q (the app's binding, which works everywhere) shown in the key bar: only where a person
# quits, the menu and the login (a priority binding, as the app's, so it is the one shown)
QUIT = Binding("ctrl+q", "app.quit", N_("Quit"), priority=True, id="quit")


class PupeScreen(Screen):
    """A full screen: its TITLE_ID (an English message id) is shown translated in the header."""

    TITLE_ID: ClassVar[str] = ""
    BINDINGS = SCREEN_BINDINGS

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        translate_bindings(self)
        if self.TITLE_ID:
            self.title = _(self.TITLE_ID)


class PupeModalScreen(ModalScreen):
    TITLE_ID: ClassVar[str] = ""
    BINDINGS = SCREEN_BINDINGS

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        translate_bindings(self)
        if self.TITLE_ID:
            self.title = _(self.TITLE_ID)
