"""Small modal questions: yes or no (`ConfirmScreen`), and a line of text (`AskTextScreen`).

Both dismiss with the answer: `True`/`False`, or the text / `None` when cancelled, so a
screen writes `self.app.push_screen(ConfirmScreen(question), callback)`. The question and any
values in it are shown literally (never as markup).

Keys: y or k (kyllä) answers yes, n or e (ei) answers no, Esc is no/cancel; Tab moves between
the buttons and Enter presses the focused one.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from pupetui.i18n import N_, _
from pupetui.screens.base import PupeModalScreen
from pupetui.widgets.stored_note import StoredTextNotes
from pupetui.widgets.literal import literal, printable

DIALOG_CSS = """
{name} {{
    align: center middle;
}}
{name} > Vertical {{
    width: 64;
    max-width: 100%;
    height: auto;
    max-height: 100%;
    padding: 0 1;
    border: round $warning;
    background: $surface;
}}
{name} .dialog-title {{
    text-style: bold;
    width: 100%;
    content-align: center middle;
}}
{name} .dialog-text {{
    width: 100%;
    margin: 1 0 0 0;
}}
{name} .dialog-hint {{
    width: 100%;
    color: $text-muted;
}}
{name} .dialog-buttons {{
    width: 100%;
    height: auto;
    align: center middle;
    margin-top: 1;
}}
{name} .dialog-buttons Button {{
    margin: 0 1;
    min-width: 10;
}}
{name} Input {{
    width: 100%;
    margin-top: 1;
}}
"""


class ConfirmScreen(PupeModalScreen):
    """Asks a yes/no question; dismisses with True (yes) or False (no, Esc)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmScreen")
    BINDINGS = [
        Binding("y,k", "answer(True)", N_("Yes"), id="confirm_yes"),
        Binding("n,e", "answer(False)", N_("No"), id="confirm_no"),
        Binding("escape", "answer(False)", N_("Cancel"), id="confirm_cancel"),
        Binding("left", "app.focus_previous", show=False, system=True),
        Binding("right", "app.focus_next", show=False, system=True),
    ]

    def __init__(self, question: str, *, title: str = "", yes: str = "", no: str = "", default: bool = False,
                 multiline: bool = False) -> None:
        super().__init__()
        self.question = question
        self.multiline = multiline  # keep the question's line breaks (a list in it)
        self.heading = title
        self.yes_label = yes or _("Yes")
        self.no_label = no or _("No")
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical():
            if self.heading:
                yield Static(literal(self.heading), classes="dialog-title")
            question = Text(printable(self.question, single_line=False)) if self.multiline else literal(self.question)
            yield Static(question, classes="dialog-text", id="confirm-question")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes_label, id="confirm-yes", variant="warning")
                yield Button(self.no_label, id="confirm-no", variant="primary")
            yield Static(literal(_("Y = yes · N = no · Esc = no")), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#confirm-yes" if self.default else "#confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(bool(answer))


class AskTextScreen(StoredTextNotes, PupeModalScreen):
    """Asks for a line of text; dismisses with the text (Enter, OK) or None (Esc, Cancel).
    `stored=True`: the text is stored in Pupesoft's database, and the note under it says how."""

    DEFAULT_CSS = DIALOG_CSS.format(name="AskTextScreen")
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="ask_cancel")]

    def __init__(self, title: str, label: str = "", value: str = "", *, placeholder: str = "",
                 stored: bool = False) -> None:
        super().__init__()
        self.stored = stored
        self.heading = title
        self.label = label
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(literal(self.heading), classes="dialog-title")
            if self.label:
                yield Static(literal(self.label), classes="dialog-text")
            yield Input(self.value, placeholder=self.placeholder, id="ask-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("OK"), id="ask-ok", variant="primary")
                yield Button(_("Cancel"), id="ask-cancel")

    def on_mount(self) -> None:
        self.query_one("#ask-text", Input).focus()
        if self.stored:
            self.note_stored_text("#ask-text")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ask-ok":
            self.submit(self.query_one("#ask-text", Input).value)
        else:
            self.dismiss(None)

    def submit(self, value: str) -> None:
        """The answer given (Enter, OK): a subclass may check it and keep the dialog open."""
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
