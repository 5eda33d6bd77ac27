"""The screen of a program that is not built yet: says so, names the program, Esc goes back."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Header, Static

from pupetui.i18n import N_, _
from pupetui.screens.base import PupeScreen
from pupetui.services.programs import Program
from pupetui.widgets.literal import literal


class UnavailableScreen(PupeScreen):
    CSS_PATH = Path(__file__).with_name("unavailable.tcss")  # absolute: subclasses elsewhere keep it
    BINDINGS = [Binding("escape", "back", N_("Back"), id="back")]

    def __init__(self, program: Program) -> None:
        super().__init__()
        self.program = program
        self.title = _(program.title_key)

    def compose(self) -> ComposeResult:
        title = _(self.program.title_key)
        yield Header()
        with Vertical(id="unavailable-box"):
            yield Static(literal(title), id="unavailable-title")
            yield Static(
                literal(_("{program} is not yet available in pupetui.").format(program=title)),
                id="unavailable-text",
            )
            yield Static(literal(_("It will come in a later version.")), id="unavailable-later")
        yield Footer()

    def action_back(self) -> None:
        self.dismiss()
