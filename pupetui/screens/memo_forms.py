"""The customer memo's modal forms: a new entry (or a reply), editing the latest entry,
acknowledging a reminder, a contact; and a text in full. Yes/no questions are the shared
`widgets.confirm.ConfirmScreen`.

Every form saves through a function it is given (a service call), in a worker thread, and stays
open until the save succeeds: a refusal (a ValidationError or AccessDenied from the service, or
a check of the form itself) is shown beside the form with nothing typed lost.  Esc on a form
whose fields were changed asks before throwing the changes away.  ctrl+s saves.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from pupetui.i18n import N_, _, current_language, format_date, format_datetime
from pupetui.screens.base import PupeModalScreen
from pupetui.services import memo
from pupetui.services.auth import AccessDenied
from pupetui.services.memo_view import UserChoice
from pupetui.widgets.confirm import ConfirmScreen
from pupetui.widgets.literal import literal, literal_title, marked, printable
from pupetui.widgets.stored_note import StoredTextNotes
from pupetui.widgets.checkbox import MarkedCheckbox
from pupetui.services import failures

__all__ = [
    "AcknowledgeScreen", "ChoiceScreen", "ConfirmScreen", "ContactFormScreen", "EditEntryScreen", "EntryFormChoices",
    "EntryFormScreen", "FormError", "TextViewScreen", "kind_name", "parse_date", "parse_time",
]

CSS = Path(__file__).with_name("memo.tcss")

# kalenteri.tyyppi values (what is written) and the names users read
KIND_NAMES = {
    "Memo": N_("Memo"),
    "Muistutus": N_("Reminder"),
    "Lead": N_("Lead"),
    "Myyntireskontraviesti": N_("Receivables note"),
    "Kuittaus": N_("Acknowledgement"),
}
NEW_ENTRY_KINDS = ("Memo", "Muistutus", "Lead", "Myyntireskontraviesti")
REMINDER, LEAD = "Muistutus", "Lead"


def kind_name(kind: str) -> str:
    return _(KIND_NAMES[kind]) if kind in KIND_NAMES else kind


class FormError(Exception):
    """Bad input found by the form itself: a message for the user, and the field to fix."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


# -- dates and times typed by people ----------------------------------------------------------

_FI_DATE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def parse_date(text: str) -> dt.date:
    """dd.mm.yyyy (d.m.yyyy) or yyyy-mm-dd; ValueError otherwise."""
    if match := _FI_DATE.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise ValueError(text)
    return dt.date(year, month, day)


def parse_time(text: str) -> dt.time:
    """hh:mm (or hh.mm, h:mm); ValueError otherwise."""
    match = _TIME.match(text)
    if not match:
        raise ValueError(text)
    return dt.time(int(match.group(1)), int(match.group(2)))


def time_text(value: dt.time | dt.datetime) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def error_text(exc: BaseException) -> str:
    """A refusal from a service as a sentence for the form's message line."""
    text = failures.sentence(exc).strip()
    if isinstance(exc, (memo.MemoError, AccessDenied)):
        text = text[:1].upper() + text[1:]
        return text if text.endswith((".", "!", "?")) else text + "."
    return _("Saving failed: {error}").format(error=text)


# -- a long text in full ---------------------------------------------------------------------------


class TextViewScreen(PupeModalScreen):
    """A long text in full, line breaks kept, scrollable; Esc closes."""

    CSS_PATH = CSS
    BINDINGS = [Binding("escape,q,enter", "close", N_("Close"), id="close_text")]

    def __init__(self, heading: str, text: str) -> None:
        super().__init__()
        self.heading = heading
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="text-view-box", classes="memo-dialog") as box:
            box.border_title = literal_title(self.heading)
            with VerticalScroll(id="text-view-scroll"):
                yield Static(Text(printable(self.text, single_line=False)), id="text-view-text")
            yield Static(literal(_("Esc closes.")), classes="form-hint")

    def on_mount(self) -> None:
        self.query_one("#text-view-scroll").focus()

    def action_close(self) -> None:
        self.dismiss()


# -- a choice from a short list -------------------------------------------------------------------


class ChoiceScreen(PupeModalScreen):
    """A small list to choose one value from (the memo's status, contact and contact filter).

    Opens with the current value highlighted; Enter (or a click) dismisses with `(value,)`, Esc
    with None. The labels are shown literally.
    """

    CSS_PATH = CSS
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="memo_choice_cancel")]

    def __init__(self, heading: str, options: Sequence[tuple[str, Any]], current: Any = None, *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.heading = heading
        self.values = [value for _label, value in options]
        self.labels = [label for label, _value in options]
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="memo-dialog choice-box") as box:
            box.border_title = literal_title(self.heading)
            yield OptionList(*(Option(literal(label)) for label in self.labels), classes="choice-list")
            yield Static(literal(_("Enter chooses, Esc cancels.")), classes="form-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        if self.current in self.values:
            options.highlighted = self.values.index(self.current)
        elif self.values:
            options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss((self.values[event.option_index],))

    def action_cancel(self) -> None:
        self.dismiss(None)


# -- forms ------------------------------------------------------------------------------------------


class FormScreen(StoredTextNotes, PupeModalScreen):
    """A form that saves with `save(values)` in a worker and closes only when that succeeds."""

    CSS_PATH = CSS
    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="form_save"),
        Binding("escape", "cancel", N_("Cancel"), id="form_cancel"),
    ]

    class Saved(Message):
        def __init__(self, result: Any) -> None:
            super().__init__()
            self.result = result

    class Refused(Message):
        def __init__(self, text: str, field: str = "") -> None:
            super().__init__()
            self.text = text
            self.field = field

    def __init__(self, save: Callable[[Any], Any]) -> None:
        super().__init__()
        self.save_function = save
        self.saving = False
        self._initial: tuple = ()

    # subclasses: the form's fields as a comparable tuple, and the values to save
    def snapshot(self) -> tuple:
        values = []
        for widget in self.query("Input, TextArea, Select, Checkbox"):
            if isinstance(widget, TextArea):
                values.append(widget.text)
            else:
                values.append(getattr(widget, "value", None))
        return tuple(values)

    def collect(self) -> Any:
        raise NotImplementedError

    def field_widgets(self) -> dict[str, str]:
        """Service field name -> the widget id to focus when the service refuses that field."""
        return {}

    def form_buttons(self) -> ComposeResult:
        yield Static("", id="form-message")
        with Horizontal(classes="form-buttons"):
            yield Button(literal(_("Save")), id="form-save", variant="primary", compact=True)
            yield Button(literal(_("Cancel")), id="form-cancel", compact=True)
            yield Static(literal(_("ctrl+s saves, Esc cancels")), classes="form-hint")

    def on_mount(self) -> None:
        self.call_after_refresh(self._remember_initial)
        self.note_stored_text(*(f"#{w}" for w in self.field_widgets().values()))  # what Pupesoft stores

    def _remember_initial(self) -> None:
        self._initial = self.snapshot()

    @property
    def changed(self) -> bool:
        return self.snapshot() != self._initial

    # -- saving -----------------------------------------------------------------------------------
    @on(Button.Pressed, "#form-save")
    def action_save(self) -> None:
        if self.saving:
            return
        try:
            values = self.collect()
        except FormError as error:
            self.show_error(str(error), error.field)
            return
        self.saving = True
        self.say(_("Saving…"))
        self._save(values)

    @work(thread=True, exclusive=True, group="form-save")
    def _save(self, values: Any) -> None:
        try:
            result = self.save_function(values)
        except (memo.MemoError, AccessDenied) as exc:
            self.post_message(self.Refused(error_text(exc), getattr(exc, "field", "")))
        except Exception as exc:  # noqa: BLE001 - e.g. the database went away: say so, keep the form
            self.post_message(self.Refused(error_text(exc)))
        else:
            self.post_message(self.Saved(result))

    def on_form_screen_saved(self, message: Saved) -> None:
        message.stop()
        self.saving = False
        self.dismiss(message.result)

    def on_form_screen_refused(self, message: Refused) -> None:
        message.stop()
        self.saving = False
        self.show_error(message.text, self.field_widgets().get(message.field, ""))

    def show_error(self, text: str, widget_id: str = "") -> None:
        self.say(text, error=True)
        for widget in self.query(".-invalid"):
            widget.remove_class("-invalid")
        if widget_id:
            widget = self.query_one(f"#{widget_id}")
            widget.add_class("-invalid")
            widget.focus()

    def say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#form-message", Static)
        message.update(literal(marked(text, error)))
        message.set_class(error, "-error")
        message.display = bool(text)

    # -- leaving ------------------------------------------------------------------------------------
    @on(Button.Pressed, "#form-cancel")
    def action_cancel(self) -> None:
        if not self.changed:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen(_("Discard what you typed?"), yes=_("Discard"), no=_("Keep editing")), answered
        )


def _row(label: str, *widgets: Widget, classes: str = "") -> Horizontal:
    return Horizontal(Label(literal(label), classes="form-label"), *widgets, classes=f"form-row {classes}".strip())


def _user_options(users: Sequence[UserChoice]) -> list[tuple[Any, str]]:
    return [(literal(u.label), u.login) for u in users]


@dataclass
class EntryFormChoices:
    """What the entry form offers: tapa texts, the customer's contacts, users for reminders."""

    methods: Sequence[str]
    contacts: Sequence[memo.ContactInfo]
    users: Sequence[UserChoice]
    login: str


class EntryFormScreen(FormScreen):
    """A new memo entry, or a reply: type, tapa, contact, text; who/when for a reminder; handler,
    supervisor and date for a lead. Saves a `memo.NewEntry`."""

    def __init__(
        self,
        choices: EntryFormChoices,
        save: Callable[[memo.NewEntry], Any],
        *,
        parent: memo.Entry | None = None,
        contact_id: int | None = None,
        now: dt.datetime | None = None,
    ) -> None:
        super().__init__(save)
        self.choices = choices
        self.reply_to = parent
        self.contact_id = contact_id
        self.title = _("Reply") if parent else _("New memo entry")
        start = (now or dt.datetime.now()).replace(second=0, microsecond=0) + dt.timedelta(hours=1)
        self.default_when = start.replace(minute=0)

    def compose(self) -> ComposeResult:
        choices = self.choices
        with Vertical(id="entry-form", classes="memo-form") as box:
            box.border_title = literal_title(self.title)
            if self.reply_to is not None:
                first = printable(self.reply_to.text.strip().splitlines()[0] if self.reply_to.text.strip() else "")
                yield Static(literal(_("Reply to: {text}").format(text=first)), id="entry-reply-to")
            kinds = [(literal(kind_name(k)), k) for k in NEW_ENTRY_KINDS]
            methods = [(literal(m), m) for m in choices.methods]
            contacts = [(literal(c.name), c.id) for c in choices.contacts]
            with Horizontal(classes="form-row"):
                yield Label(literal(_("Type")), classes="form-label")
                yield Select(kinds, value="Memo", allow_blank=False, id="entry-kind", compact=True)
                yield Label(literal(_("Method")), classes="form-label-short")
                yield Select(methods, prompt=_("(none)"), id="entry-method", compact=True)
            contact_value = self.contact_id if any(c.id == self.contact_id for c in choices.contacts) else Select.NULL
            yield _row(
                _("Contact"),
                Select(contacts, prompt=_("(none)"), value=contact_value, id="entry-contact", compact=True),
            )
            text = TextArea(id="entry-text", soft_wrap=True, show_line_numbers=False)
            text.border_title = literal_title(_("Text"))
            yield text
            users = _user_options(choices.users)
            when_date = format_date(self.default_when)
            with Horizontal(classes="form-row", id="entry-who-row"):
                yield Label(literal(_("Who")), classes="form-label", id="entry-who-label")
                yield Select(users, value=self._user_value(choices.login), allow_blank=True,
                             prompt=_("(choose)"), id="entry-owner", compact=True)
            with Horizontal(classes="form-row", id="entry-supervisor-row"):
                yield Label(literal(_("Supervisor")), classes="form-label")
                yield Select(users, prompt=_("(none)"), id="entry-supervisor", compact=True)
            with Horizontal(classes="form-row", id="entry-when-row"):
                yield Label(literal(_("Date")), classes="form-label")
                yield Input(when_date, id="entry-date", compact=True, max_length=10,
                            placeholder=_("dd.mm.yyyy") if current_language() == "fi" else "yyyy-mm-dd")
                yield Label(literal(_("Time")), classes="form-label-short")
                yield Input(time_text(self.default_when), id="entry-time", compact=True, max_length=5,
                            placeholder="hh:mm")
            yield MarkedCheckbox(_("No acknowledgement needed"), id="entry-no-ack", compact=True)
            yield from self.form_buttons()

    def _user_value(self, login: str) -> Any:
        return login if any(u.login == login for u in self.choices.users) else Select.NULL

    def on_mount(self) -> None:  # FormScreen.on_mount runs too (Textual calls each class's handler)
        self.say("")
        self._show_kind_fields("Memo")
        self.query_one("#entry-text", TextArea).focus()

    @on(Select.Changed, "#entry-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        self._show_kind_fields(str(event.value))

    def _show_kind_fields(self, kind: str) -> None:
        timed = kind in (REMINDER, LEAD)
        self.query_one("#entry-who-row").display = timed
        self.query_one("#entry-when-row").display = timed
        self.query_one("#entry-supervisor-row").display = kind == LEAD
        self.query_one("#entry-no-ack").display = kind == REMINDER
        self.query_one("#entry-who-label", Label).update(literal(_("Handler") if kind == LEAD else _("Who")))

    def field_widgets(self) -> dict[str, str]:
        return {"text": "entry-text"}

    def collect(self) -> memo.NewEntry:
        kind = str(self.query_one("#entry-kind", Select).value)
        text = self.query_one("#entry-text", TextArea).text
        if not text.strip():
            raise FormError(_("Write the text of the entry."), "entry-text")
        method = self.query_one("#entry-method", Select).value
        contact = self.query_one("#entry-contact", Select).value
        new = memo.NewEntry(
            kind=kind,
            text=text,
            method="" if method is Select.NULL else str(method),
            contact_id=None if contact is Select.NULL else int(contact),  # type: ignore[arg-type]
            parent_id=self.reply_to.id if self.reply_to else 0,
        )
        if kind in (REMINDER, LEAD):
            owner = self.query_one("#entry-owner", Select).value
            if owner is Select.NULL:
                raise FormError(
                    _("Choose who handles the lead.") if kind == LEAD else _("Choose who must act on the reminder."),
                    "entry-owner",
                )
            new.owner = str(owner)
            new.when = self._when()
            if kind == LEAD:
                supervisor = self.query_one("#entry-supervisor", Select).value
                new.supervisor = "" if supervisor is Select.NULL else str(supervisor)
            else:
                new.needs_acknowledgement = not self.query_one("#entry-no-ack", Checkbox).value
        return new

    def _when(self) -> dt.datetime:
        date_text = self.query_one("#entry-date", Input).value
        time_value = self.query_one("#entry-time", Input).value
        try:
            day = parse_date(date_text)
        except ValueError:
            raise FormError(
                _("The date {text} is not a date: write it as dd.mm.yyyy or yyyy-mm-dd.").format(text=printable(date_text)),
                "entry-date",
            ) from None
        try:
            at = parse_time(time_value) if time_value.strip() else dt.time(0, 0)
        except ValueError:
            raise FormError(
                _("The time {text} is not a time: write it as hh:mm.").format(text=printable(time_value)),
                "entry-time",
            ) from None
        return dt.datetime.combine(day, at)


class EditEntryScreen(FormScreen):
    """The user's latest entry on the customer: its text and tapa."""

    def __init__(self, entry: memo.Entry, methods: Sequence[str], save: Callable[[tuple[str, str]], Any]) -> None:
        super().__init__(save)
        self.entry = entry
        self.methods = list(methods)
        if entry.method and entry.method not in self.methods:
            self.methods.insert(0, entry.method)
        self.title = _("Edit your latest entry")

    def compose(self) -> ComposeResult:
        entry = self.entry
        with Vertical(id="edit-form", classes="memo-form") as box:
            box.border_title = literal_title(self.title)
            yield Static(
                literal(f"{kind_name(entry.kind)} · {format_datetime(entry.created_at or entry.starts_at)}"),
                classes="form-info",
            )
            methods = [(literal(m), m) for m in self.methods]
            yield _row(
                _("Method"),
                Select(methods, prompt=_("(none)"), value=entry.method or Select.NULL, id="edit-method", compact=True),
            )
            text = TextArea(printable(entry.text, single_line=False), id="edit-text", soft_wrap=True)
            text.border_title = literal_title(_("Text"))
            yield text
            yield from self.form_buttons()

    def on_mount(self) -> None:  # FormScreen.on_mount runs too (Textual calls each class's handler)
        self.say("")
        area = self.query_one("#edit-text", TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def field_widgets(self) -> dict[str, str]:
        return {"text": "edit-text"}

    def collect(self) -> tuple[str, str]:
        text = self.query_one("#edit-text", TextArea).text
        if not text.strip():
            raise FormError(_("Write the text of the entry."), "edit-text")
        method = self.query_one("#edit-method", Select).value
        return text, "" if method is Select.NULL else str(method)


class AcknowledgeScreen(FormScreen):
    """Acknowledge a reminder or a lead: the text is required."""

    def __init__(self, entry: memo.Entry, save: Callable[[str], Any]) -> None:
        super().__init__(save)
        self.entry = entry
        self.title = _("Acknowledge")

    def compose(self) -> ComposeResult:
        entry = self.entry
        with Vertical(id="ack-form", classes="memo-form") as box:
            box.border_title = literal_title(self.title)
            info = _("{kind} for {who}, {when}").format(
                kind=kind_name(entry.kind), who=entry.owner, when=format_datetime(entry.starts_at)
            )
            yield Static(literal(info), classes="form-info")
            with VerticalScroll(id="ack-entry"):
                yield Static(Text(printable(entry.text, single_line=False)), id="ack-entry-text")
            yield Label(literal(_("Acknowledgement")), classes="form-label-above")
            yield Input(id="ack-text", placeholder=_("What was done"), max_length=2000)
            yield from self.form_buttons()

    def on_mount(self) -> None:  # FormScreen.on_mount runs too (Textual calls each class's handler)
        self.say("")
        self.query_one("#ack-text", Input).focus()

    @on(Input.Submitted, "#ack-text")
    def _submitted(self) -> None:
        self.action_save()

    def field_widgets(self) -> dict[str, str]:
        return {"text": "ack-text"}

    def collect(self) -> str:
        text = self.query_one("#ack-text", Input).value
        if not text.strip():
            raise FormError(_("Write what was done: an acknowledgement needs a text."), "ack-text")
        return text


CONTACT_FIELDS = (
    ("name", N_("Name"), 50),
    ("title", N_("Title"), 50),
    ("role", N_("Role"), 100),
    ("phone", N_("Phone"), 50),
    ("mobile", N_("Mobile"), 50),
    ("email", N_("Email"), 50),
    ("facts", N_("Notes"), 2000),
)


class ContactFormScreen(FormScreen):
    """A contact person of the customer: new (contact None) or edited."""

    def __init__(self, contact: memo.ContactInfo | None, save: Callable[[dict[str, str]], Any]) -> None:
        super().__init__(save)
        self.contact = contact
        self.title = _("Edit contact") if contact else _("New contact")

    def compose(self) -> ComposeResult:
        with Vertical(id="contact-form", classes="memo-form") as box:
            box.border_title = literal_title(self.title)
            for key, label, length in CONTACT_FIELDS:
                value = getattr(self.contact, key, "") if self.contact else ""
                yield _row(_(label), Input(value or "", id=f"contact-{key}", compact=True, max_length=length))
            yield from self.form_buttons()

    def on_mount(self) -> None:  # FormScreen.on_mount runs too (Textual calls each class's handler)
        self.say("")
        self.query_one("#contact-name", Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def field_widgets(self) -> dict[str, str]:
        return {key: f"contact-{key}" for key, _label, _length in CONTACT_FIELDS}

    def collect(self) -> dict[str, str]:
        values = {key: self.query_one(f"#contact-{key}", Input).value for key, _label, _length in CONTACT_FIELDS}
        if not values["name"].strip():
            raise FormError(_("A contact needs a name."), "contact-name")
        return values
