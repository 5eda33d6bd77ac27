"""What Pupesoft will store, shown under a text field while the user types.

Pupesoft's input rule removes `" ' < > \\ ;` and its database cannot store characters outside
Latin-1 (services/stored_text.py). A form that writes text mixes in `StoredTextNotes` and calls
`self.note_stored_text("#field-id", ...)` from `on_mount`: under each of those Input/TextArea
widgets (under its row, when it sits in a row with its label) a plain note appears as soon as
the typed text differs from what will be stored —

    Pupesoft removes " ' < > \\ ; — will be stored as: ...

— and a character that cannot be stored is named there at once (the save is then refused with
the same words, the form kept open with everything typed). Nothing typed is changed. In a
FormField the note uses the field's own message line.
"""

from __future__ import annotations

from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Input, Static, TextArea

from pupetui.services import stored_text
from pupetui.widgets.form import FormField, field_value
from pupetui.widgets.literal import ERROR_MARK, literal


class StoredNote(Static):
    """The note under one field (hidden while the text is stored as typed)."""

    DEFAULT_CSS = """
    StoredNote {
        display: none;
        height: auto;
        width: 100%;
        color: $warning;
        &.-shown { display: block; }
        &.-error { color: $error; text-style: bold; }
        &:ansi { color: ansi_yellow; }
        &:ansi.-error { color: ansi_red; }
    }
    """

    def show(self, text: str, *, error: bool = False) -> None:
        self.update(literal(f"{ERROR_MARK} {text}" if error and text else text))
        self.set_class(bool(text), "-shown")
        self.set_class(error and bool(text), "-error")


def note_for(text: str) -> tuple[str, bool]:
    """(the note, whether it is an error) for a typed text; ('', False) when stored as typed."""
    refused = stored_text.refusal(text)
    if refused:
        return refused, True
    return stored_text.note(text), False


class StoredTextNotes:
    """A screen mixin: the note under the fields named by `note_stored_text`."""

    _stored_notes: dict[str, Widget]

    def note_stored_text(self, *selectors: str) -> None:
        """Show the note under each widget `selectors` name (missing ones are skipped)."""
        if not hasattr(self, "_stored_notes"):
            self._stored_notes = {}
        for selector in selectors:
            found = self.query(selector)  # type: ignore[attr-defined]
            if not found:
                continue
            widget = found.first()
            if not isinstance(widget, (Input, TextArea)) or not widget.id or widget.id in self._stored_notes:
                continue  # (a form's on_mount may run twice: once by Textual, once by super())
            field = next((a for a in widget.ancestors if isinstance(a, FormField)), None)
            if field is not None:
                self._stored_notes[widget.id] = field
            else:
                note = StoredNote("", id=f"{widget.id}-stored-note", classes="stored-note")
                anchor = widget.parent if isinstance(widget.parent, Horizontal) else widget
                anchor.parent.mount(note, after=anchor)
                self._stored_notes[widget.id] = note
            self._update_stored_note(widget)

    def _update_stored_note(self, widget: Widget) -> None:
        notes = getattr(self, "_stored_notes", None)
        target = notes.get(widget.id or "") if notes else None
        if target is None:
            return
        text, error = note_for(field_value(widget))
        if isinstance(target, FormField):
            noted = getattr(target, "_stored_note_shown", False)
            if text:
                target.show_error(text, warning=not error)
            elif noted:
                target.show_error("")  # the note was ours: the text is now stored as typed
            target._stored_note_shown = bool(text)
        elif isinstance(target, StoredNote):
            target.show(text, error=error)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._update_stored_note(event.input)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._update_stored_note(event.text_area)
