"""A customer picker dialog: customers by name, business id or number as one types.

Shared by the calendar's entry form and the reminders' form. A subclass gives its widget ids,
texts and key ids (so each dialog keeps its own keymap entries and styles); the picker dismisses
with the choice (a CustomerChoice; id 0 = no customer) or None (Esc).
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from pupetui.i18n import _
from pupetui.screens.base import PupeModalScreen
from pupetui.services import calendar
from pupetui.services.calendar import CustomerChoice
from pupetui.services.customers import MAX_SEARCH
from pupetui.widgets.literal import literal, literal_title, printable
from pupetui.services import failures


def customer_label(choice: CustomerChoice) -> str:
    details = " · ".join(x for x in (choice.business_id, choice.customer_no, choice.city) if x)
    return f"{choice.name} ({details})" if details else choice.name


class CustomerPickerBase(PupeModalScreen):
    NO_CUSTOMER = CustomerChoice(0, "", "", "", "")
    DELAY = 0.25  # seconds after the last keystroke before searching
    BOX_ID = "customer-picker"
    BOX_CLASSES = ""
    SEARCH_ID = "customer-search"
    RESULTS_ID = "customer-results"
    STATE_ID = "customer-state"
    STATE_CLASSES = ""

    class Found(Message):
        def __init__(self, text: str, rows: list[CustomerChoice] | None, error: str = "") -> None:
            super().__init__()
            self.text = text
            self.rows = rows
            self.error = error

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.text = text
        self.rows: list[CustomerChoice] = []
        self.shown_text: str | None = None  # the search whose results are listed
        self.choose_when_found = False
        self._timer: Timer | None = None

    # -- what a subclass says ------------------------------------------------------------------
    def picker_title(self) -> str:
        return _("Choose the customer")

    def no_customer_text(self) -> str:
        return _("(no customer)")

    def no_match_text(self) -> str:
        return _("No customer found.")

    def refusal(self, exc: BaseException) -> str:
        return failures.sentence(exc)

    # -- the dialog ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id=self.BOX_ID, classes=self.BOX_CLASSES) as box:
            box.border_title = literal_title(self.picker_title())
            yield Input(self.text, placeholder=_("Name, business id or customer number"), id=self.SEARCH_ID,
                        max_length=MAX_SEARCH)
            yield OptionList(id=self.RESULTS_ID, markup=False)
            yield Static(literal(_("Enter chooses, Esc cancels")), id=self.STATE_ID, classes=self.STATE_CLASSES)

    def on_mount(self) -> None:
        self.query_one(f"#{self.SEARCH_ID}", Input).focus()
        self._search(self.text)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if event.input.id != self.SEARCH_ID:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.DELAY, lambda: self._search(event.value))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id != self.SEARCH_ID:
            return
        if self.shown_text != event.value:  # typed faster than the search: choose when it answers
            if self._timer is not None:
                self._timer.stop()
            self.choose_when_found = True
            self._search(event.value)
            return
        results = self.query_one(f"#{self.RESULTS_ID}", OptionList)
        if results.option_count:
            self._choose(results.highlighted or 0)

    @work(thread=True, exclusive=True, group="customer-picker")
    def _search(self, text: str) -> None:
        try:
            rows = calendar.find_customers(text.strip())
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.post_message(self.Found(text, None, self.refusal(exc)))
        else:
            self.post_message(self.Found(text, rows))

    def on_customer_picker_base_found(self, message: Found) -> None:
        if message.text != self.query_one(f"#{self.SEARCH_ID}", Input).value:
            return  # typed on since: a newer search is coming
        results = self.query_one(f"#{self.RESULTS_ID}", OptionList)
        state = self.query_one(f"#{self.STATE_ID}", Static)
        if message.rows is None:
            state.update(literal(message.error))
            return
        self.rows = [self.NO_CUSTOMER] + message.rows
        results.set_options(
            [Option(literal(self.no_customer_text()))] + [Option(literal(customer_label(c))) for c in message.rows]
        )
        results.highlighted = 1 if message.rows and message.text.strip() else 0
        hint = _("Enter chooses, Esc cancels")
        if not message.rows:
            hint = self.no_match_text() + " " + hint
        state.update(literal(hint))
        self.shown_text = message.text
        if self.choose_when_found:
            self.choose_when_found = False
            self._choose(results.highlighted or 0)

    def action_to_list(self) -> None:
        self.query_one(f"#{self.RESULTS_ID}", OptionList).focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id != self.RESULTS_ID:
            return
        event.stop()
        self._choose(event.option_index)

    def _choose(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            self.dismiss(self.rows[index])

    def action_cancel(self) -> None:
        self.dismiss(None)
