"""Form fields: a label, the input widget beside it, and its error shown under it in plain words.

`FormField(label, widget)` wraps any input widget (Input, Select, TextArea); `show_error(text)`
shows the message under the field (literally, never as markup) and marks the label, so an
error is seen in monochrome too; `show_error("")` clears it. `field_value(widget)` reads a
widget's value as a string ("" for an empty Select).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, TextArea

from pupetui.widgets.literal import ERROR_MARK, literal, marked  # noqa: F401 - marked: for the forms


def field_value(widget: Widget) -> str:
    if isinstance(widget, Input):
        return widget.value
    if isinstance(widget, TextArea):
        return widget.text
    if isinstance(widget, Select):
        value = widget.value
        return "" if value == Select.NULL or value is None else str(value)
    raise TypeError(f"not a form widget: {widget!r}")


class FormField(Vertical):
    """One field of a form: label and widget on a line, the error (if any) under them."""

    DEFAULT_CSS = """
    FormField {
        height: auto;
        width: 100%;
        & > .form-field-row {
            height: auto;
            width: 100%;
        }
        & .form-field-label {
            width: 22;
            padding: 0 1 0 0;
        }
        & .form-field-row > Input, & .form-field-row > Select {
            width: 1fr;
        }
        & .form-field-row > TextArea {
            width: 1fr;
            height: 6;
        }
        & > .form-field-error {
            display: none;
            width: 100%;
            height: auto;
            padding: 0 0 0 22;
            color: $error;
            text-style: bold;
        }
        &.-error > .form-field-error {
            display: block;
        }
        &.-error .form-field-label {
            color: $error;
            text-style: bold reverse;
        }
        &.-warning > .form-field-error {
            display: block;
            color: $warning;
        }
    }
    """

    def __init__(self, label: str, widget: Widget, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.label = label
        self.widget = widget
        self.error_text = ""

    def compose(self) -> ComposeResult:
        with Horizontal(classes="form-field-row"):
            yield Label(literal(self.label), classes="form-field-label")
            yield self.widget
        yield Static("", classes="form-field-error")

    def show_error(self, text: str, *, warning: bool = False) -> None:
        self.error_text = text
        message = self.query_one(".form-field-error", Static)
        message.update(literal(f"{ERROR_MARK} {text}" if text else ""))
        self.set_class(bool(text) and not warning, "-error")
        self.set_class(bool(text) and warning, "-warning")

    @property
    def value(self) -> str:
        return field_value(self.widget)
