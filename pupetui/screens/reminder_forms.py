"""The reminders program's dialogs: acknowledge a reminder, add a reminder, choose a customer,
choose whose list to see.

The two forms save through a function they are given (a service call) in a worker thread and stay
open until the service accepts: a refusal (ValidationError or AccessDenied) is shown beside the
form in the user's language, the field to fix is marked and focused, and nothing typed is lost.
Esc on a changed form asks before throwing the changes away; ctrl+s saves.
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
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from pupetui.i18n import N_, _, format_date, format_datetime
from pupetui.screens.base import PupeModalScreen
from pupetui.services.auth import AccessDenied
from pupetui.services.calendar import CalendarUser, CustomerChoice
from pupetui.services.reminders import NewReminder, ReminderRow
from pupetui.services.validation import ValidationError
from pupetui.widgets.confirm import ConfirmScreen
from pupetui.widgets.customer_picker import CustomerPickerBase, customer_label
from pupetui.widgets.refusals import translate_refusal
from pupetui.widgets.literal import ERROR_MARK, literal, literal_title, printable
from pupetui.widgets.stored_note import StoredTextNotes

CSS = Path(__file__).with_name("reminders.tcss")

__all__ = [
    "AcknowledgeReminderScreen", "AddReminderScreen", "FormChoices", "ReminderCustomerPickerScreen",
    "ReminderUserPickerScreen", "kind_text", "refusal_text", "user_text",
]

KIND_TEXTS = {"Muistutus": N_("Reminder"), "Lead": N_("Lead")}


def kind_text(kind: str) -> str:
    return _(KIND_TEXTS[kind]) if kind in KIND_TEXTS else kind


def user_text(login: str, name: str = "") -> str:
    name = (name or "").strip()
    return f"{name} ({login})" if name and name != login else login


customer_text = customer_label  # the picker's label of a customer, also in the form


# -- the services' refusals in the user's language --------------------------------------------------

_Q = r"(?P<q>['\"])(?P<value>.*)(?P=q)"
REFUSALS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^the (message|text) is empty$"), N_("Write the message.")),
    (re.compile(r"^the text is too long .*$"), N_("The text is too long.")),
    (re.compile(rf"^date: {_Q} is not a date$"), N_("Date: {value} is not a date.")),
    (re.compile(r"^date: write the date as dd\.mm\.yyyy or yyyy-mm-dd$"),
     N_("Date: write the date as dd.mm.yyyy or yyyy-mm-dd.")),
    (re.compile(r"^time: write the time as hh:mm$"), N_("Time: write the time as hh:mm, e.g. 08:00.")),
    (re.compile(rf"^{_Q} is not a calendar user$"),
     N_("A reminder can be given to a calendar user only; {value} is not one.")),
    (re.compile(r"^you may not give reminders to (?P<value>.*)$"), N_("You may not give reminders to {value}.")),
    (re.compile(rf"^(who must act: )?no active user {_Q}$"), N_("{value} is not an active user.")),
    (re.compile(rf"^unknown contact method {_Q}$"), N_("The contact method {value} does not exist.")),
    (re.compile(r"^customer \d+ not found$"), N_("The customer is not there any more.")),
    (re.compile(r"^reminder \d+ not found$"), N_("The reminder is not there any more.")),
    (re.compile(r"^this reminder does not wait for an acknowledgement$"),
     N_("The reminder does not wait for an acknowledgement: someone may have acknowledged it.")),
    (re.compile(r"^only your own reminders can be acknowledged here$|^only the reminder's owner"
                r"|^only the one who handles the reminder"),
     N_("You can acknowledge only your own reminders.")),
    (re.compile(r"^you may not see (?P<value>.*)'s reminders$"), N_("You may not see the reminders of {value}.")),
]


def refusal_text(exc: BaseException) -> str:
    """A refusal of a service as a sentence in the user's language (the service's own words
    when there is no translation)."""
    return translate_refusal(exc, REFUSALS, failed=N_("That did not work: {error}"), capitalize=False)


# -- a form that saves in a worker --------------------------------------------------------------------


class ReminderForm(StoredTextNotes, PupeModalScreen):
    """A modal form: `collect()` gives what to save; `save(values)` runs in a worker and its result
    is what the form is dismissed with. Refusals stay on the form."""

    CSS_PATH = CSS
    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="reminder_form_save"),
        Binding("escape", "cancel", N_("Cancel"), id="reminder_form_cancel"),
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

    # subclasses
    def collect(self) -> Any:
        raise NotImplementedError

    def snapshot(self) -> tuple:
        values: list[Any] = []
        for widget in self.query("Input, TextArea, Select, Checkbox"):
            values.append(widget.text if isinstance(widget, TextArea) else getattr(widget, "value", None))
        return tuple(values)

    def field_widgets(self) -> dict[str, str]:
        """The service's field name -> the id of the widget to mark and focus."""
        return {}

    def form_footer(self) -> ComposeResult:
        yield Static("", id="rem-form-message", classes="rem-form-message")
        with Horizontal(classes="rem-form-buttons"):
            yield Button(literal(_("Save")), id="rem-form-save", variant="primary", compact=True)
            yield Button(literal(_("Cancel")), id="rem-form-cancel", compact=True)
            yield Static(literal(_("ctrl+s saves · Esc cancels")), classes="rem-form-hint")

    def on_mount(self) -> None:
        self.query_one("#rem-form-message", Static).display = False
        self.note_stored_text("#rem-ack-text", "#rem-add-text")  # what Pupesoft stores
        self.call_after_refresh(self._remember)

    def _remember(self) -> None:
        self._initial = self.snapshot()

    @property
    def changed(self) -> bool:
        return self.snapshot() != self._initial

    @on(Button.Pressed, "#rem-form-save")
    def action_save(self) -> None:
        if self.saving:
            return
        self.saving = True
        self.say(_("Saving…"))
        self._save(self.collect())

    @work(thread=True, exclusive=True, group="reminder-form")
    def _save(self, values: Any) -> None:
        try:
            result = self.save_function(values)
        except (ValidationError, AccessDenied) as exc:
            self.post_message(self.Refused(self.refusal(exc), getattr(exc, "field", "")))
        except Exception as exc:  # noqa: BLE001 - e.g. the database went away: say so, keep the form
            self.post_message(self.Refused(self.refusal(exc)))
        else:
            self.post_message(self.Saved(result))

    def refusal(self, exc: BaseException) -> str:
        return refusal_text(exc)

    def on_reminder_form_saved(self, message: Saved) -> None:
        message.stop()
        self.saving = False
        self.dismiss(message.result)

    def on_reminder_form_refused(self, message: Refused) -> None:
        message.stop()
        self.saving = False
        self.say(f"{ERROR_MARK} {message.text}", error=True)
        for widget in self.query(".-invalid"):
            widget.remove_class("-invalid")
        widget_id = self.field_widgets().get(message.field, "")
        if widget_id:
            widget = self.query_one(f"#{widget_id}")
            widget.add_class("-invalid")
            for label in self.query(f".label-{widget_id}"):
                label.add_class("-invalid")
            widget.focus()
            if isinstance(widget, Input):
                widget.select_all()  # typing replaces what was refused

    def say(self, text: str, *, error: bool = False) -> None:
        line = self.query_one("#rem-form-message", Static)
        line.update(literal(text))
        line.set_class(error, "-error")
        line.display = bool(text)

    @on(Button.Pressed, "#rem-form-cancel")
    def action_cancel(self) -> None:
        if not self.changed:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen(self.discard_question()), answered)

    def discard_question(self) -> str:
        return _("Throw away what you wrote?")


class TickBox(Checkbox):
    """A checkbox whose state is a character ("X" ticked, blank not), not a colour only: it reads
    the same in 16 colours and in monochrome."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        return "X" if self.value else " "


def _label(text: str, for_id: str) -> Label:
    return Label(literal(text), classes=f"rem-form-label label-{for_id}")


# -- acknowledging ----------------------------------------------------------------------------------


class AcknowledgeReminderScreen(ReminderForm):
    """Acknowledge one reminder or lead: the reminder, and the text (required) of what was done."""

    def __init__(self, row: ReminderRow, save: Callable[[str], Any]) -> None:
        super().__init__(save)
        self.row = row

    def compose(self) -> ComposeResult:
        row = self.row
        with Vertical(id="rem-ack", classes="rem-dialog") as box:
            box.border_title = literal_title(_("Acknowledge the reminder"))
            info = " · ".join(
                x for x in (
                    kind_text(row.kind), row.method, format_datetime(row.due), row.customer_name, row.contact_name,
                ) if x
            )
            yield Static(literal(info), classes="rem-form-info")
            with VerticalScroll(id="rem-ack-reminder"):
                yield Static(Text(printable(row.text, single_line=False)), id="rem-ack-reminder-text")
            yield Label(literal(_("What was done")), classes="rem-form-label-above label-rem-ack-text")
            yield Input(id="rem-ack-text", max_length=2000, compact=True)
            yield from self.form_footer()

    def on_mount(self) -> None:
        self.query_one("#rem-ack-text", Input).focus()

    @on(Input.Submitted, "#rem-ack-text")
    def _submitted(self) -> None:
        self.action_save()

    def field_widgets(self) -> dict[str, str]:
        return {"text": "rem-ack-text", "": "rem-ack-text"}

    def collect(self) -> str:
        return self.query_one("#rem-ack-text", Input).value

    def refusal(self, exc: BaseException) -> str:
        if isinstance(exc, ValidationError) and str(exc) == "the text is empty":
            return _("An acknowledgement needs a text: write what was done.")
        return refusal_text(exc)

    def discard_question(self) -> str:
        return _("Throw away the acknowledgement you wrote?")


# -- adding -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormChoices:
    """What the new-reminder form offers: who may get it (the user first), and the tapa texts."""

    login: str
    users: Sequence[CalendarUser]
    methods: Sequence[str]


class AddReminderScreen(ReminderForm):
    """A new reminder: message, for whom, date and time, tapa, customer (optional), and whether it
    needs an acknowledgement. Saves a `reminders.NewReminder`."""

    BINDINGS = [
        Binding("f4", "choose_customer", N_("Choose the customer of the reminder"), id="reminder_form_customer"),
    ]

    def __init__(self, choices: FormChoices, save: Callable[[NewReminder], Any], *, today: dt.date | None = None,
                 owner: str = "") -> None:
        super().__init__(save)
        self.choices = choices
        self.today = today or dt.date.today()
        self.owner = owner or choices.login
        self.customer: CustomerChoice | None = None

    def compose(self) -> ComposeResult:
        choices = self.choices
        with Vertical(id="rem-add", classes="rem-dialog") as box:
            box.border_title = literal_title(_("New reminder"))
            yield _label(_("Message"), "rem-add-text")
            yield TextArea(id="rem-add-text", soft_wrap=True, show_line_numbers=False, compact=True)
            users = [(literal(user_text(u.login, u.name)), u.login) for u in choices.users]
            if not any(u.login == self.owner for u in choices.users):
                self.owner = choices.login
            with Horizontal(classes="rem-form-row"):
                yield _label(_("For whom"), "rem-add-owner")
                yield Select(users, value=self.owner, allow_blank=False, id="rem-add-owner", compact=True)
            with Horizontal(classes="rem-form-row"):
                yield _label(_("Date"), "rem-add-date")
                yield Input(format_date(self.today), id="rem-add-date", compact=True, max_length=10)
                yield Label(literal(_("Time")), classes="rem-form-label-short label-rem-add-time")
                yield Input("08:00", id="rem-add-time", compact=True, max_length=5, placeholder="hh:mm")
            with Horizontal(classes="rem-form-row"):
                yield _label(_("Method"), "rem-add-method")
                yield Select([(literal(m), m) for m in choices.methods], prompt=_("(none)"), id="rem-add-method",
                             compact=True)
            with Horizontal(classes="rem-form-row"):
                yield _label(_("Customer"), "rem-add-customer")
                yield Static(literal(_("(no customer)")), id="rem-add-customer")
                yield Button(literal(_("Choose…")), id="rem-add-customer-choose", compact=True)
                yield Button(literal(_("No customer")), id="rem-add-customer-clear", compact=True)
            yield TickBox(_("No acknowledgement needed"), id="rem-add-no-ack", compact=True)
            yield from self.form_footer()

    def on_mount(self) -> None:
        self.query_one("#rem-add-customer-clear", Button).display = False
        self.query_one("#rem-add-text", TextArea).focus()

    def snapshot(self) -> tuple:
        return super().snapshot() + (self.customer.id if self.customer else 0,)

    def field_widgets(self) -> dict[str, str]:
        return {"text": "rem-add-text", "owner": "rem-add-owner", "date": "rem-add-date", "time": "rem-add-time"}

    def collect(self) -> NewReminder:
        method = self.query_one("#rem-add-method", Select).value
        owner = self.query_one("#rem-add-owner", Select).value
        return NewReminder(
            text=self.query_one("#rem-add-text", TextArea).text,
            owner="" if owner is Select.NULL else str(owner),
            date=self.query_one("#rem-add-date", Input).value,
            time=self.query_one("#rem-add-time", Input).value,
            needs_acknowledgement=not self.query_one("#rem-add-no-ack", Checkbox).value,
            method="" if method is Select.NULL else str(method),
            customer_id=self.customer.id if self.customer else None,
        )

    def discard_question(self) -> str:
        return _("Throw away the new reminder?")

    # -- the customer ---------------------------------------------------------------------------
    @on(Button.Pressed, "#rem-add-customer-choose")
    def action_choose_customer(self) -> None:
        def chosen(choice: CustomerChoice | None) -> None:
            if choice is not None:
                self.set_customer(choice if choice.id else None)

        self.app.push_screen(ReminderCustomerPickerScreen(), chosen)

    @on(Button.Pressed, "#rem-add-customer-clear")
    def _clear_customer(self) -> None:
        self.set_customer(None)
        self.query_one("#rem-add-customer-choose", Button).focus()

    def set_customer(self, choice: CustomerChoice | None) -> None:
        self.customer = choice
        shown = self.query_one("#rem-add-customer", Static)
        shown.update(literal(customer_text(choice) if choice else _("(no customer)")))
        self.query_one("#rem-add-customer-clear", Button).display = choice is not None


# -- choosing a customer ------------------------------------------------------------------------------


class ReminderCustomerPickerScreen(CustomerPickerBase):
    """Customers by name, business id or number as one types; dismisses with the choice (id 0 =
    no customer) or None (Esc)."""

    CSS_PATH = CSS
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="reminder_customer_cancel"),
        Binding("down", "to_list", N_("To the customers found"), show=False, id="reminder_customer_to_list"),
    ]
    DELAY = 0.2
    BOX_ID = "rem-customers"
    BOX_CLASSES = "rem-dialog"
    SEARCH_ID = "rem-customer-search"
    RESULTS_ID = "rem-customer-results"
    STATE_ID = "rem-customer-state"
    STATE_CLASSES = "rem-form-hint"

    def picker_title(self) -> str:
        return _("The customer of the reminder")

    def refusal(self, exc: BaseException) -> str:
        return refusal_text(exc)


# -- whose list ---------------------------------------------------------------------------------------


class ReminderUserPickerScreen(PupeModalScreen):
    """The calendar users whose reminders the user may see; dismisses with a login or None."""

    CSS_PATH = CSS
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="reminder_user_cancel")]

    def __init__(self, users: Sequence[CalendarUser], current: str) -> None:
        super().__init__()
        self.users = list(users)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="rem-users", classes="rem-dialog rem-small") as box:
            box.border_title = literal_title(_("Whose reminders"))
            yield OptionList(
                *(Option(literal(user_text(u.login, u.name)), id=u.login) for u in self.users),
                id="rem-user-list", markup=False,
            )
            yield Static(literal(_("Enter chooses, Esc cancels")), classes="rem-form-hint")

    def on_mount(self) -> None:
        options = self.query_one("#rem-user-list", OptionList)
        index = next((i for i, u in enumerate(self.users) if u.login == self.current), 0)
        if self.users:
            options.highlighted = index
        options.focus()

    @on(OptionList.OptionSelected, "#rem-user-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
