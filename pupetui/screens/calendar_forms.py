"""The calendar's dialogs: the entry form, the customer picker, go to a date, whose calendars,
search, the iCalendar export, and the screen that maintains the calendar types (KALETAPA).

Every dialog that writes does it in a worker thread through the calendar service and stays open
until the service accepts: a refusal (ValidationError or AccessDenied) is shown beside the form,
in the user's language, with the field to fix marked and focused, and nothing typed is lost.
Esc on a changed form asks before throwing the changes away; ctrl+s saves.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import (
    Button, Checkbox, DataTable, Footer, Header, Input, Label, OptionList, Select, SelectionList, Static, TextArea,
)
from textual.strip import Strip
from textual.widgets.option_list import Option, OptionDoesNotExist
from textual.widgets.selection_list import Selection

from pupetui.i18n import N_, _, format_date, format_datetime
from pupetui.screens.base import PupeModalScreen, PupeScreen
from pupetui.screens.export_file import browser_note, export_path_error
from pupetui.services import calendar, calendar_view, export_target
from pupetui.services.auth import AccessDenied
from pupetui.services.calendar import CalendarUser, CustomerChoice, Entry, EntryForm, EntryType
from pupetui.services.validation import ValidationError
from pupetui.widgets.confirm import ConfirmScreen
from pupetui.widgets.customer_picker import CustomerPickerBase, customer_label
from pupetui.widgets.refusals import translate_refusal
from pupetui.widgets.literal import literal, literal_title, marked, printable
from pupetui.widgets.stored_note import StoredTextNotes
from pupetui.widgets.month_grid import legible_colour

CSS = Path(__file__).with_name("calendar.tcss")

__all__ = [
    "ConfirmScreen", "CustomerPickerScreen", "EntryFormScreen", "EntryTypeFormScreen", "EntryTypesScreen",
    "ExportScreen", "GoToDateScreen", "SavedEntry", "SearchScreen", "UserPickerScreen", "refusal_text",
    "user_label",
]

# -- the service's refusals in the user's language ------------------------------------------------

FIELD_NAMES = {
    "start date": N_("start date"),
    "end date": N_("end date"),
    "start time": N_("start time"),
    "end time": N_("end time"),
    "kilometres": N_("kilometres"),
    "per diems": N_("per diems"),
    "date": N_("date"),
    "time": N_("time"),
}
_Q = r"(?P<q>['\"])(?P<value>.*)(?P=q)"
REFUSALS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"^(?P<field>[a-z ]+): {_Q} is not a date$"), N_("{field}: '{value}' is not a date")),
    (re.compile(r"^(?P<field>[a-z ]+): write the date as dd\.mm\.yyyy or yyyy-mm-dd$"),
     N_("{field}: write the date as dd.mm.yyyy or yyyy-mm-dd")),
    (re.compile(r"^(?P<field>[a-z ]+): write the time as hh:mm$"), N_("{field}: write the time as hh:mm")),
    (re.compile(r"^(?P<field>[a-z ]+): a number$"), N_("{field}: write a number")),
    (re.compile(r"^(?P<field>[a-z ]+): cannot be negative$"), N_("{field}: cannot be negative")),
    (re.compile(r"^the end is before the start$"), N_("The end is before the start.")),
    (re.compile(r"^the end must be after the start$"), N_("The end must be after the start.")),
    (re.compile(r"^(?P<field>[a-z ]+): (?P<value>\d\d:\d\d) is not on Pupesoft's calendar "
                r"\((?P<first>\d\d:\d\d)-(?P<last>\d\d:\d\d) every (?P<minutes>\d+) minutes\)$"),
     N_("{field}: {value} is not a time of Pupesoft's calendar: use {first}-{last} every {minutes} minutes, "
        "or make the entry all day.")),
    (re.compile(r"^choose a type$"), N_("Choose a type: Pupesoft's calendar needs one.")),
    (re.compile(rf"^type {_Q} does not exist$"), N_("The type {value} does not exist.")),
    (re.compile(rf"^{_Q} is not a calendar user$"), N_("{value} is not a calendar user.")),
    (re.compile(r"^you may not write in (?P<value>.*)'s calendar$"),
     N_("You may not write in the calendar of {value}.")),
    (re.compile(r"^you may not see (?P<value>.*)'s calendar$"), N_("You may not see the calendar of {value}.")),
    (re.compile(r"^the customer does not exist$"), N_("The customer does not exist.")),
    (re.compile(r"^the comment is too long$"), N_("The comment is too long.")),
    (re.compile(r"^entry \d+ not found$"), N_("The entry is not there any more: someone may have deleted it.")),
    (re.compile(r"^only the entry's owner or creator may change it$"),
     N_("Only the entry's owner or the one who wrote it may change it.")),
    (re.compile(r"^only the entry's owner or creator may delete it$"),
     N_("Only the entry's owner or the one who wrote it may delete it.")),
    (re.compile(r"^the end date is before the start date$"), N_("The end date is before the start date.")),
    (re.compile(r"^the folder (?P<value>.*) does not exist$"), N_("The folder {value} does not exist.")),
    (re.compile(r"^cannot write (?P<value>.*?): (?P<error>.*)$"), N_("Cannot write {value}: {error}")),
    (re.compile(r"^a type needs a name$"), N_("A type needs a name.")),
    (re.compile(r"^type name: at most 25 characters$"), N_("A type's name can have at most 25 characters.")),
    (re.compile(rf"^colour {_Q}: use #rrggbb or a colour name$"),
     N_("Colour '{value}': write #rrggbb or a colour name such as red.")),
    (re.compile(rf"^type {_Q} exists already$"), N_("The type {value} exists already.")),
    (re.compile(r"^type \d+ not found$"), N_("The type is not there any more: someone may have deleted it.")),
    (re.compile(rf"^type {_Q} is used by entries: rename it instead$"),
     N_("The type {value} is used by entries and cannot be deleted: rename it instead.")),
]


def refusal_text(exc: BaseException) -> str:
    """A refusal of the calendar service as a sentence in the user's language."""
    return translate_refusal(exc, REFUSALS, failed=N_("It did not work: {error}"), field_names=FIELD_NAMES)


def user_label(user: CalendarUser, letter: str = "") -> str:
    name = (user.name or "").strip()
    label = f"{name} ({user.login})" if name and name != user.login else user.login
    return f"{letter}  {label}" if letter else label


# -- a form that saves in a worker ------------------------------------------------------------------


class CalendarForm(StoredTextNotes, PupeModalScreen):
    """A modal form: `collect()` gives what to save, `save_values(values)` (in a worker) saves
    it and returns the result the form is dismissed with."""

    CSS_PATH = CSS
    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="calendar_form_save"),
        Binding("escape", "cancel", N_("Cancel"), id="calendar_form_cancel"),
    ]
    FIELDS: dict[str, str] = {}  # service field name -> widget id

    class Saved(Message):
        def __init__(self, result: Any) -> None:
            super().__init__()
            self.result = result

    class Refused(Message):
        def __init__(self, text: str, field: str = "") -> None:
            super().__init__()
            self.text = text
            self.field = field

    def __init__(self) -> None:
        super().__init__()
        self.saving = False
        self._initial: tuple = ()

    def snapshot(self) -> tuple:
        values: list[Any] = []
        for widget in self.query("Input, TextArea, Select, Checkbox"):
            values.append(widget.text if isinstance(widget, TextArea) else getattr(widget, "value", None))
        return tuple(values) + self.extra_snapshot()

    def extra_snapshot(self) -> tuple:
        return ()

    @property
    def changed(self) -> bool:
        return self.snapshot() != self._initial

    def on_mount(self) -> None:
        self.note_stored_text("#entry-comment", "#type-text")  # what Pupesoft stores
        self.call_after_refresh(self._remember)

    def _remember(self) -> None:
        self._initial = self.snapshot()

    def collect(self) -> Any:
        raise NotImplementedError

    def save_values(self, values: Any) -> Any:
        raise NotImplementedError

    def buttons(self, save_label: str = "") -> ComposeResult:
        yield Static("", id="cal-form-message", classes="cal-form-message")
        with Horizontal(classes="cal-form-buttons"):
            yield Button(literal(save_label or _("Save")), id="cal-form-save", variant="primary", compact=True)
            yield Button(literal(_("Cancel")), id="cal-form-cancel", compact=True)
            yield Static(literal(_("ctrl+s saves, Esc cancels")), classes="cal-form-hint")

    @on(Button.Pressed, "#cal-form-save")
    def action_save(self) -> None:
        if self.saving:
            return
        try:
            values = self.collect()
        except ValidationError as exc:
            self.show_error(refusal_text(exc), exc.field)
            return
        self.saving = True
        self.say(_("Saving…"))
        self._save(values)

    @work(thread=True, exclusive=True, group="calendar-form")
    def _save(self, values: Any) -> None:
        try:
            result = self.save_values(values)
        except (ValidationError, AccessDenied) as exc:
            self.post_message(self.Refused(refusal_text(exc), getattr(exc, "field", "")))
        except Exception as exc:  # noqa: BLE001 - the database went away, a disk is full: say so
            self.post_message(self.Refused(refusal_text(exc)))
        else:
            self.post_message(self.Saved(result))

    def on_calendar_form_saved(self, message: Saved) -> None:
        message.stop()
        self.saving = False
        self.dismiss(message.result)

    def on_calendar_form_refused(self, message: Refused) -> None:
        message.stop()
        self.saving = False
        self.show_error(message.text, message.field)

    def show_error(self, text: str, field: str = "") -> None:
        self.say(text, error=True)
        for widget in self.query(".-invalid"):
            widget.remove_class("-invalid")
        widget_id = self.FIELDS.get(field, "")
        if widget_id:
            widget = self.query_one(f"#{widget_id}")
            widget.add_class("-invalid")
            widget.focus()

    def say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#cal-form-message", Static)
        message.update(literal(marked(text, error)))
        message.set_class(error, "-error")

    @property
    def message_text(self) -> str:
        return str(self.query_one("#cal-form-message", Static).render())

    @on(Button.Pressed, "#cal-form-cancel")
    def action_cancel(self) -> None:
        if not self.changed:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen(_("Throw away the changes?"), yes=_("Throw away"), no=_("Keep editing")), answered
        )


class Tick(Checkbox):
    """A checkbox whose X shows only when it is ticked (Textual's shows an X both ways and tells
    them apart by colour alone, which 16 colours and monochrome terminals lose)."""

    @property
    def _button(self):  # noqa: ANN202 - Textual's Content
        self.BUTTON_INNER = "X" if self.value else " "
        return super()._button


class TickList(SelectionList):
    """A SelectionList whose X shows only on the chosen lines (see `Tick`)."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if selection.value in self._selected or len(segments) < 2 or segments[1].text != "X":
            return strip
        segments[1] = Segment(" ", segments[1].style)
        return Strip(segments, strip.cell_length)


def _row(label: str, *widgets: Widget, id: str | None = None) -> Horizontal:
    return Horizontal(Label(literal(label), classes="cal-label"), *widgets, classes="cal-row", id=id)


# -- the entry form ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedEntry:
    entry_id: int
    day: dt.date


class EntryFormScreen(CalendarForm):
    """A calendar entry: when, type, whose calendar, customer, comment, kilometres, per diems, done."""

    FIELDS = {
        "start date": "entry-start-date", "start time": "entry-start-time", "end date": "entry-end-date",
        "end time": "entry-end-time", "type": "entry-type", "owner": "entry-owner",
        "customer": "entry-customer", "comment": "entry-comment", "kilometres": "entry-km",
        "per diems": "entry-per-diems",
    }
    BINDINGS = [Binding("ctrl+o", "pick_customer", N_("Choose the customer"), id="calendar_form_customer")]

    def __init__(
        self,
        form: EntryForm,
        *,
        types: Sequence[EntryType],
        users: Sequence[CalendarUser],
        entry_id: int | None = None,
        customer_name: str = "",
    ) -> None:
        super().__init__()
        self.form = form
        self.types = list(types)
        self.users = list(users)
        self.entry_id = entry_id
        self.customer_id: int | None = form.customer_id or None
        self.customer_name = customer_name
        self.title = _("Edit the calendar entry") if entry_id else _("New calendar entry")

    def compose(self) -> ComposeResult:
        form = self.form
        types = [(literal(t.text), t.text) for t in self.types]
        if form.type and not any(t.text == form.type for t in self.types):
            types.append((literal(form.type), form.type))  # a type removed since: kept, not lost
        users = [(literal(user_label(u)), u.login) for u in self.users]
        if form.owner and not any(u.login == form.owner for u in self.users):
            users.append((literal(form.owner), form.owner))
        with Vertical(id="entry-form", classes="cal-dialog") as box:
            box.border_title = literal_title(self.title)
            yield _row(
                _("Start"),
                Input(form.start_date, placeholder=_("dd.mm.yyyy"), id="entry-start-date", compact=True),
                Input(form.start_time, placeholder="hh:mm", id="entry-start-time", compact=True),
                Tick(_("All day"), form.all_day, id="entry-all-day", compact=True),
            )
            yield _row(
                _("End"),
                Input(form.end_date, placeholder=_("dd.mm.yyyy"), id="entry-end-date", compact=True),
                Input(form.end_time, placeholder="hh:mm", id="entry-end-time", compact=True),
                Tick(_("Done"), form.done, id="entry-done", compact=True),
            )
            yield _row(_("Type"), Select(types, value=form.type or Select.NULL, prompt=_("(no type)"),
                                        id="entry-type", compact=True))
            yield _row(_("Calendar of"), Select(users, value=form.owner or Select.NULL, allow_blank=False,
                                               id="entry-owner", compact=True))
            yield _row(
                _("Customer"),
                Button(self._customer_text(), id="entry-customer", compact=True),
                Button(literal(_("Clear")), id="entry-customer-clear", compact=True),
            )
            comment = TextArea(printable(form.comment, single_line=False), id="entry-comment", soft_wrap=True, compact=True)
            yield _row(_("Comment"), comment, id="entry-comment-row")
            yield _row(
                _("Kilometres"),
                Input(form.kilometres, id="entry-km", compact=True),
                Label(literal(_("Per diems")), classes="cal-label-short"),
                Input(form.per_diems, id="entry-per-diems", compact=True),
            )
            yield from self.buttons()

    def on_mount(self) -> None:
        super().on_mount()
        self._all_day_changed(self.form.all_day)
        self._show_customer()
        self.query_one("#entry-start-date", Input).focus()

    def extra_snapshot(self) -> tuple:
        return (self.customer_id,)

    def _customer_text(self) -> Text:
        if self.customer_id:
            return literal(self.customer_name or f"#{self.customer_id}")
        return literal(_("(none: a personal entry)"))

    def _show_customer(self) -> None:
        self.query_one("#entry-customer", Button).label = self._customer_text()
        self.query_one("#entry-customer-clear", Button).display = bool(self.customer_id)

    @on(Checkbox.Changed, "#entry-all-day")
    def _all_day_toggled(self, event: Checkbox.Changed) -> None:
        self._all_day_changed(event.value)

    def _all_day_changed(self, all_day: bool) -> None:
        for widget_id in ("#entry-start-time", "#entry-end-time"):
            self.query_one(widget_id, Input).disabled = all_day

    @on(Button.Pressed, "#entry-customer")
    def action_pick_customer(self) -> None:
        def picked(choice: CustomerChoice | None) -> None:
            if choice is None:
                return
            self.customer_id = choice.id or None
            self.customer_name = customer_label(choice) if choice.id else ""
            self._show_customer()
            self.query_one("#entry-customer", Button).focus()

        self.app.push_screen(CustomerPickerScreen(), picked)

    @on(Button.Pressed, "#entry-customer-clear")
    def _clear_customer(self) -> None:
        self.customer_id = None
        self.customer_name = ""
        self._show_customer()
        self.query_one("#entry-customer", Button).focus()

    def collect(self) -> EntryForm:
        def value(widget_id: str) -> str:
            return self.query_one(f"#{widget_id}", Input).value

        type_value = self.query_one("#entry-type", Select).value
        owner = self.query_one("#entry-owner", Select).value
        return EntryForm(
            start_date=value("entry-start-date"),
            start_time=value("entry-start-time"),
            end_date=value("entry-end-date"),
            end_time=value("entry-end-time"),
            all_day=self.query_one("#entry-all-day", Checkbox).value,
            type="" if type_value in (Select.NULL, None) else str(type_value),
            owner="" if owner in (Select.NULL, None) else str(owner),
            customer_id=self.customer_id,
            comment=self.query_one("#entry-comment", TextArea).text,
            kilometres=value("entry-km"),
            per_diems=value("entry-per-diems"),
            done=self.query_one("#entry-done", Checkbox).value,
        )

    def save_values(self, form: EntryForm) -> SavedEntry:
        entry_id = calendar.save(form, self.entry_id)
        return SavedEntry(entry_id, calendar.parse_date(form.start_date))


# -- the customer picker ------------------------------------------------------------------------------


class CustomerPickerScreen(CustomerPickerBase):
    """Customers by name, business id or number as one types; dismisses with the choice (id 0:
    no customer) or None (Esc)."""

    CSS_PATH = CSS
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="calendar_customer_cancel"),
        Binding("down", "to_list", N_("To the list"), show=False, id="calendar_customer_to_list"),
    ]
    BOX_CLASSES = "cal-dialog"
    STATE_CLASSES = "cal-hint"

    def no_customer_text(self) -> str:
        return _("(no customer: a personal entry)")

    def no_match_text(self) -> str:
        return _("No customer matches.")

    def refusal(self, exc: BaseException) -> str:
        return refusal_text(exc)


# -- go to a date ---------------------------------------------------------------------------------------


class GoToDateScreen(PupeModalScreen):
    """A date typed as dd.mm.yyyy, yyyy-mm-dd or dd.mm.; dismisses with the date or None."""

    CSS_PATH = CSS
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="calendar_goto_cancel")]

    def __init__(self, value: str = "") -> None:
        super().__init__()
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="goto-box", classes="cal-dialog cal-small") as box:
            box.border_title = literal_title(_("Go to a date"))
            yield Input(self.value, placeholder=_("dd.mm.yyyy"), id="goto-date")
            yield Static(literal(_("dd.mm.yyyy, yyyy-mm-dd or dd.mm. · Enter goes, Esc cancels")),
                         id="goto-message", classes="cal-hint")

    def on_mount(self) -> None:
        self.query_one("#goto-date", Input).focus()

    @on(Input.Submitted, "#goto-date")
    def _go(self, event: Input.Submitted) -> None:
        try:
            day = calendar_view.parse_day(event.value)
        except ValidationError as exc:
            message = self.query_one("#goto-message", Static)
            message.update(literal(marked(refusal_text(exc))))
            message.add_class("-error")
            return
        self.dismiss(day)

    def action_cancel(self) -> None:
        self.dismiss(None)


# -- whose calendars ----------------------------------------------------------------------------------------


class UserPickerScreen(PupeModalScreen):
    """The calendars to show, each with its letter; dismisses with the logins or None."""

    CSS_PATH = CSS
    BINDINGS = [
        Binding("enter,ctrl+s", "accept", N_("Show the chosen calendars"), priority=True, id="calendar_users_accept"),
        Binding("escape", "cancel", N_("Cancel"), id="calendar_users_cancel"),
    ]

    def __init__(self, users: Sequence[CalendarUser], chosen: Sequence[str], letters: dict[str, str]) -> None:
        super().__init__()
        self.users = list(users)
        self.chosen = list(chosen)
        self.letters = letters

    def compose(self) -> ComposeResult:
        with Vertical(id="users-box", classes="cal-dialog") as box:
            box.border_title = literal_title(_("Whose calendars"))
            yield TickList(
                *(Selection(literal(user_label(u, self.letters.get(u.login, ""))), u.login, u.login in self.chosen)
                  for u in self.users),
                id="users-list",
            )
            yield Static(literal(_("Space chooses · Enter shows them · Esc cancels")), id="users-message",
                         classes="cal-hint")

    def on_mount(self) -> None:
        self.query_one("#users-list", SelectionList).focus()

    def action_accept(self) -> None:
        chosen = list(self.query_one("#users-list", SelectionList).selected)
        if not chosen:
            message = self.query_one("#users-message", Static)
            message.update(literal(marked(_("Choose at least one calendar."))))
            message.add_class("-error")
            return
        order = [u.login for u in self.users]
        self.dismiss(sorted(chosen, key=lambda login: order.index(login) if login in order else len(order)))

    def action_cancel(self) -> None:
        self.dismiss(None)


# -- search -------------------------------------------------------------------------------------------------------


def entry_summary(entry: Entry, letters: dict[str, str]) -> str:
    when = format_date(entry.starts_at) if entry.all_day else format_datetime(entry.starts_at)
    letter = letters.get(entry.owner, "") if letters else ""
    parts = [x for x in (entry.type, entry.customer_name, entry.comment.split("\n", 1)[0]) if x]
    return printable(" ".join(x for x in (when, letter, " · ".join(parts)) if x))


class SearchScreen(PupeModalScreen):
    """Entries of the shown calendars whose comment, type or customer contains a text;
    dismisses with the chosen entry or None."""

    CSS_PATH = CSS
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="calendar_search_cancel"),
        Binding("down", "to_list", N_("To the list"), show=False, id="calendar_search_to_list"),
    ]

    class Found(Message):
        def __init__(self, text: str, entries: list[Entry] | None, error: str = "") -> None:
            super().__init__()
            self.text = text
            self.entries = entries
            self.error = error

    def __init__(self, owners: Sequence[str], letters: dict[str, str], text: str = "") -> None:
        super().__init__()
        self.owners = list(owners)
        self.letters = letters
        self.text = text
        self.entries: list[Entry] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box", classes="cal-dialog") as box:
            box.border_title = literal_title(_("Search entries"))
            yield Input(self.text, placeholder=_("A word of the comment, type or customer"), id="search-text")
            yield OptionList(id="search-results", markup=False)
            yield Static(literal(_("Enter searches · Enter on an entry goes to it · Esc cancels")),
                         id="search-state", classes="cal-hint")

    def on_mount(self) -> None:
        self.query_one("#search-results", OptionList).display = False
        self.query_one("#search-text", Input).focus()

    @on(Input.Submitted, "#search-text")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        self.query_one("#search-state", Static).update(literal(_("Searching…")))
        self._search(text)

    @work(thread=True, exclusive=True, group="calendar-search")
    def _search(self, text: str) -> None:
        try:
            found = calendar.search(self.owners, text)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.post_message(self.Found(text, None, refusal_text(exc)))
        else:
            self.post_message(self.Found(text, found))

    def on_search_screen_found(self, message: Found) -> None:
        state = self.query_one("#search-state", Static)
        results = self.query_one("#search-results", OptionList)
        if message.entries is None:
            state.update(literal(message.error))
            return
        self.entries = message.entries
        results.set_options([Option(literal(entry_summary(e, self.letters))) for e in message.entries])
        results.display = bool(message.entries)
        if message.entries:
            results.highlighted = 0
            results.focus()
            state.update(literal(_("{count} found · Enter goes to the entry · Esc cancels").format(
                count=len(message.entries))))
        else:
            state.update(literal(_("Nothing found for {text}.").format(text=message.text)))

    def action_to_list(self) -> None:
        results = self.query_one("#search-results", OptionList)
        if results.display:
            results.focus()

    @on(OptionList.OptionSelected, "#search-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.entries):
            self.dismiss(self.entries[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


# -- export --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportRequest:
    owner: str
    start: str
    end: str
    path: str


@dataclass(frozen=True)
class Exported:
    count: int
    path: str


class ExportScreen(CalendarForm):
    """A user's calendar from a date to a date as an iCalendar (.ics) file."""

    FIELDS = {"start date": "export-start", "end date": "export-end", "file": "export-file"}

    def __init__(self, users: Sequence[CalendarUser], owner: str, start: dt.date, end: dt.date,
                 folder: Path | None = None) -> None:
        super().__init__()
        self.users = list(users)
        self.owner = owner
        self.start = start
        self.end = end
        self.folder = folder
        self.offered: dict[str, str] = {}

    def default_path(self, owner: str) -> str:
        """kalenteri-<owner>-<YYYY-MM>-<YYYYMMDD-HHMMSS>.ics in the download folder (the one
        offered first for that owner, while the dialog is open)."""
        if owner not in self.offered:
            path = export_target.default_path("kalenteri", owner, f"{self.start:%Y-%m}", fmt="ics")
            if self.folder is not None and not export_target.served():
                path = str(self.folder / Path(path).name)
            self.offered[owner] = path
        return self.offered[owner]

    def compose(self) -> ComposeResult:
        users = [(literal(user_label(u)), u.login) for u in self.users]
        with Vertical(id="export-box", classes="cal-dialog") as box:
            box.border_title = literal_title(_("Export as an iCalendar file"))
            yield _row(_("Calendar of"), Select(users, value=self.owner, allow_blank=False, id="export-owner",
                                               compact=True))
            yield _row(_("Start"), Input(format_date(self.start), id="export-start", compact=True))
            yield _row(_("End"), Input(format_date(self.end), id="export-end", compact=True))
            yield _row(_("File"), Input(self.default_path(self.owner), id="export-file", compact=True))
            if export_target.served():
                yield Static(literal(browser_note()), classes="cal-note")
            yield from self.buttons(_("Export"))

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#export-start", Input).focus()

    @on(Select.Changed, "#export-owner")
    def _owner_changed(self, event: Select.Changed) -> None:
        file_input = self.query_one("#export-file", Input)
        if file_input.value == self.default_path(self.owner) and event.value != Select.NULL:
            self.owner = str(event.value)
            file_input.value = self.default_path(self.owner)

    def collect(self) -> ExportRequest:
        owner = self.query_one("#export-owner", Select).value
        start = self.query_one("#export-start", Input).value
        end = self.query_one("#export-end", Input).value
        calendar.parse_date(start, "start date")  # a bad date is refused before the worker starts
        calendar.parse_date(end, "end date")
        path = self.query_one("#export-file", Input).value.strip()
        if not path:
            raise ValidationError(_("Give the file a name."), "file")
        checked, error = export_path_error(path, "ics")
        if checked is None:
            raise ValidationError(error, "file")
        return ExportRequest("" if owner in (Select.NULL, None) else str(owner), start, end, path)

    def save_values(self, request: ExportRequest) -> Exported:
        start = calendar.parse_date(request.start, "start date")
        end = calendar.parse_date(request.end, "end date")
        path = export_target.resolve(request.path, "ics")
        count = calendar.export_ics(request.owner, start, end, path)
        return Exported(count, str(path))


# -- the calendar types -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeValues:
    text: str
    colour: str
    order: int


class EntryTypeFormScreen(CalendarForm):
    """A calendar type: its name, colour and place in the lists."""

    FIELDS = {"text": "type-text", "colour": "type-colour", "order": "type-order"}

    def __init__(self, entry_type: EntryType | None = None) -> None:
        super().__init__()
        self.entry_type = entry_type
        self.title = _("Edit the calendar type") if entry_type else _("New calendar type")

    def compose(self) -> ComposeResult:
        t = self.entry_type
        with Vertical(id="type-form", classes="cal-dialog") as box:
            box.border_title = literal_title(self.title)
            yield _row(_("Name"), Input(t.text if t else "", id="type-text", compact=True, max_length=25))
            yield _row(_("Colour"), Input(t.colour if t else "", placeholder="#rrggbb", id="type-colour", compact=True),
                       Static("", id="type-sample"))
            yield _row(_("Order"), Input(str(t.order) if t else "0", id="type-order", compact=True, type="integer"))
            yield from self.buttons()

    def on_mount(self) -> None:
        super().on_mount()
        self._sample(self.entry_type.colour if self.entry_type else "")
        self.query_one("#type-text", Input).focus()

    @on(Input.Changed, "#type-colour")
    def _colour_changed(self, event: Input.Changed) -> None:
        self._sample(event.value)

    def _sample(self, colour: str) -> None:
        self.query_one("#type-sample", Static).update(colour_sample(colour))

    def collect(self) -> TypeValues:
        order_text = self.query_one("#type-order", Input).value.strip() or "0"
        try:
            order = int(order_text)
        except ValueError:
            raise ValidationError(_("The order is a whole number."), "order") from None
        return TypeValues(self.query_one("#type-text", Input).value, self.query_one("#type-colour", Input).value, order)

    def save_values(self, values: TypeValues) -> int:
        return calendar.save_entry_type(values.text, values.colour, values.order,
                                        self.entry_type.id if self.entry_type else None)


COLOUR_NAMES = {
    "red": N_("red"), "green": N_("green"), "yellow": N_("yellow"), "blue": N_("blue"),
    "magenta": N_("magenta"), "cyan": N_("cyan"), "bright_red": N_("light red"),
    "bright_green": N_("light green"), "bright_yellow": N_("light yellow"), "bright_blue": N_("light blue"),
    "bright_magenta": N_("light magenta"), "bright_cyan": N_("light cyan"),
}


def colour_sample(colour: str) -> Text:
    """How a colour shows in the calendar: a block and a word in the terminal colour it maps to."""
    name = legible_colour(colour)
    if not (colour or "").strip():
        return literal(_("(no colour)"))
    if name is None:
        return literal(_("shown without colour"))
    text = Text("██ ", style=Style(color=name))
    text.append(_(COLOUR_NAMES[name]) if name in COLOUR_NAMES else name, style=Style(color=name))
    return text


class EntryTypesScreen(PupeScreen):
    """The KALETAPA keywords the calendar uses: add, edit and delete them."""

    TITLE_ID = N_("Calendar types")
    CSS_PATH = CSS
    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="calendar_types_back"),
        Binding("a", "add", N_("Add"), id="calendar_types_add"),
        Binding("e,enter", "edit", N_("Edit"), id="calendar_types_edit"),
        Binding("d", "delete", N_("Delete"), id="calendar_types_delete"),
    ]

    class Loaded(Message):
        def __init__(self, types: list[EntryType] | None, error: str = "") -> None:
            super().__init__()
            self.types = types
            self.error = error

    class Done(Message):
        def __init__(self, text: str, error: bool) -> None:
            super().__init__()
            self.text = text
            self.error = error

    def __init__(self) -> None:
        super().__init__()
        self.types: list[EntryType] = []
        self.loaded = False
        self.changed = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="types-body"):
            table = DataTable(id="types-table", cursor_type="row", zebra_stripes=True)
            yield table
            yield Static("", id="types-message")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#types-table", DataTable)
        table.add_column(_("Order"), key="order")
        table.add_column(_("Name"), key="text")
        table.add_column(_("Colour"), key="colour")
        table.add_column(_("Shown as"), key="sample")
        table.focus()
        self._load()

    @work(thread=True, exclusive=True, group="calendar-types")
    def _load(self) -> None:
        try:
            types = calendar.entry_types()
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.post_message(self.Loaded(None, refusal_text(exc)))
        else:
            self.post_message(self.Loaded(types))

    def on_entry_types_screen_loaded(self, message: Loaded) -> None:
        if message.types is None:
            self.say(message.error, error=True)
            return
        table = self.query_one("#types-table", DataTable)
        row = table.cursor_row
        table.clear()
        self.types = message.types
        for t in self.types:
            table.add_row(str(t.order), literal(t.text), literal(t.colour), colour_sample(t.colour), key=str(t.id))
        if self.types:
            table.move_cursor(row=min(max(0, row), len(self.types) - 1))
        else:
            self.say(_("No calendar types yet. Press a to add one."))
        self.loaded = True

    def say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#types-message", Static)
        message.update(literal(marked(text, error)))
        message.set_class(error, "-error")

    def current(self) -> EntryType | None:
        table = self.query_one("#types-table", DataTable)
        if not self.types or not (0 <= table.cursor_row < len(self.types)):
            return None
        return self.types[table.cursor_row]

    def action_add(self) -> None:
        self.app.push_screen(EntryTypeFormScreen(), self._saved)

    def action_edit(self) -> None:
        current = self.current()
        if current is not None:
            self.app.push_screen(EntryTypeFormScreen(current), self._saved)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def _saved(self, result: int | None) -> None:
        if result is not None:
            self.changed = True
            self.say(_("Saved."))
            self._load()

    def action_delete(self) -> None:
        current = self.current()
        if current is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(current)

        question = _("Delete the calendar type {name}?").format(name=current.text)
        self.app.push_screen(ConfirmScreen(question, yes=_("Delete"), no=_("Keep")), answered)

    @work(thread=True, exclusive=True, group="calendar-types-delete")
    def _delete(self, entry_type: EntryType) -> None:
        try:
            calendar.delete_entry_type(entry_type.id)
        except Exception as exc:  # noqa: BLE001 - a refusal, or the database: shown to the user
            self.post_message(self.Done(refusal_text(exc), True))
        else:
            self.post_message(self.Done(_("Deleted {name}.").format(name=entry_type.text), False))

    def on_entry_types_screen_done(self, message: Done) -> None:
        self.say(message.text, error=message.error)
        if message.error:
            self.notify(printable(message.text), severity="error", markup=False)
        else:
            self.changed = True
            self._load()

    def action_back(self) -> None:
        self.dismiss(self.changed)
