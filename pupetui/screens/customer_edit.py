"""Editing a customer, or creating one (Pupesoft's yllapito.php?toim=asiakas).

`CustomerEditScreen(customer_id)` (None = a new customer) is a scrollable form of every field
of `services.customer_edit.CustomerForm`. Ctrl+S checks and saves in a worker: every error is
shown under its own field and nothing typed is lost; a warning (a business ID that another
customer has) is shown and a second Ctrl+S saves anyway; so is a value Pupesoft stores otherwise
than typed (a Finnish business ID becomes eight digits), put in its field first. Esc on a changed
form asks before discarding; on an unchanged one it just closes. The screen dismisses with
`(id, name)` of the saved customer, or None.

With the right to Pupesoft's customer maintenance but without its update flag (oikeu.paivitys)
the form opens read-only: every field shown, none changeable, Ctrl+S says why it does not save.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Footer, Header, Input, Select, Static, TextArea

from pupetui.i18n import N_, _
from pupetui.screens.base import PupeScreen
from pupetui.services import auth, customer_edit, customers
from pupetui.services.customer_edit import FORM_FIELDS, CustomerForm
from pupetui.services.validation import ValidationError
from pupetui.widgets.confirm import ConfirmScreen
from pupetui.widgets.form import FormField
from pupetui.widgets.stored_note import StoredTextNotes
from pupetui.widgets.literal import literal, marked, printable
from pupetui.services import failures

KINDS = (("", N_("Business customer")), ("H", N_("Private person")), ("R", N_("Prospect")))

# (section title, [(field, label)]) in the order of the form
SECTIONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (N_("Customer"), (
        ("kind", N_("Kind")),
        ("name", N_("Name")),
        ("name_extra", N_("Name extension")),
        ("business_id", N_("Business ID")),
        ("customer_no", N_("Customer no")),
    )),
    (N_("Billing address"), (
        ("address", N_("Address")),
        ("postcode", N_("Postcode")),
        ("city", N_("Town")),
        ("country", N_("Country")),
    )),
    (N_("Contact details"), (
        ("email", N_("Email")),
        ("phone", N_("Phone")),
        ("mobile", N_("Mobile")),
        ("work_phone", N_("Work phone")),
        ("fax", N_("Fax")),
    )),
    (N_("Delivery address"), (
        ("delivery_name", N_("Delivery name")),
        ("delivery_name_extra", N_("Delivery name extension")),
        ("delivery_address", N_("Delivery address")),
        ("delivery_postcode", N_("Delivery postcode")),
        ("delivery_city", N_("Delivery town")),
        ("delivery_country", N_("Delivery country")),
    )),
    (N_("Classification"), (
        ("department", N_("Department")),
        ("customer_group", N_("Group")),
        ("district", N_("District")),
        ("status", N_("Status")),
        ("salesperson_no", N_("Salesperson")),
        ("language", N_("Language")),
        ("currency", N_("Currency")),
    )),
    (N_("Facts"), (
        ("facts", N_("Facts")),
    )),
)
LABELS = {name: label for _title, items in SECTIONS for name, label in items}
SELECT_FIELDS = ("kind", *customer_edit.KEYWORD_FIELDS, "salesperson_no")

# The service's messages are English; these say the same to the user in the user's language.
_Q = r"""(['"])(?P<value>.*)\1"""
EXPLANATIONS: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"^name: a customer needs a name$"), N_("A customer needs a name.")),
    (re.compile(r"^\w+: at most (?P<limit>\d+) characters \((?P<given>\d+) given\)$"),
     N_("At most {limit} characters ({given} given).")),
    (re.compile(r"^\w+: control characters are not allowed$"), N_("Control characters are not allowed.")),
    (re.compile(rf"^{_Q} is not an email address$"), N_("{value} is not an email address.")),
    (re.compile(rf"^country must be a two-letter code such as FI, not {_Q}$"),
     N_("A two-letter country code such as FI, not {value}.")),
    (re.compile(r"^language: a two-letter code such as fi$"), N_("A two-letter language code such as fi.")),
    (re.compile(rf"^\w+: {_Q} is not in the keywords \(\w+\)$"), N_("{value} is not one of the choices.")),
    (re.compile(r"^salesperson: a number$"), N_("The salesperson is a number.")),
    (re.compile(r"^salesperson: no user has number (?P<number>\d+)$"), N_("No user has the salesperson number {number}.")),
    (re.compile(rf"^kind: {_Q} is not a customer kind$"), N_("{value} is not a kind of customer.")),
    (re.compile(r"^business id (?P<business_id>.*) is also used by: (?P<names>.*)$"),
     N_("The business ID {business_id} is also used by: {names}")),
    (re.compile(r"^customer (?P<id>\d+) not found$"), N_("The customer was not found; it may have been deleted.")),
    (re.compile(r"^currency: a customer needs a currency$"), N_("A customer needs a currency (such as EUR).")),
    (re.compile(rf"^currency: a three-letter code such as EUR, not {_Q}$"),
     N_("A three-letter currency code such as EUR, not {value}.")),
    (re.compile(rf"^currency: {_Q} is not one of the company's currencies \((?P<currencies>.*)\)$"),
     N_("{value} is not one of the company's currencies ({currencies}).")),
    (re.compile(r"^business_id: a customer needs a business ID$"),
     N_("A customer needs a business ID (Pupesoft requires one).")),
    (re.compile(rf"^business_id: {_Q} is not a valid Finnish business ID$"),
     N_("{value} is not a valid Finnish business ID: its check digit is wrong.")),
    (re.compile(r"^business id (?P<business_id>.*) is Pupesoft's key of another customer: (?P<names>.*)$"),
     N_("Pupesoft cannot tell this customer apart from {names}: the same business ID {business_id}.")),
)


def read_only_text() -> str:
    return _("Read only: your right to Pupesoft's customer maintenance has no update flag (paivitys), "
             "so you can look at the customer but not save. Ask your Pupesoft administrator for it.")


STORED_TEXTS = {"business_id": lambda: _("Stored as Pupesoft stores it: {value}")}


def explain(message: str) -> str:
    """A message of the service in the user's language (the message itself if unknown)."""
    for pattern, text in EXPLANATIONS:
        match = pattern.match(message)
        if match:
            values = {k: v for k, v in match.groupdict().items() if v is not None}
            return _(text).format(**values)
    return message


def _clean(form: CustomerForm) -> CustomerForm:
    """The form as the screen shows it: no control characters (newlines kept in the facts)."""
    values = {
        f.name: printable(getattr(form, f.name), single_line=(f.name != "facts"))
        for f in fields(CustomerForm)
    }
    return CustomerForm(**values)


@dataclass(frozen=True)
class EditData:
    form: CustomerForm
    choices: dict[str, list[customers.Choice]]
    read_only: bool = False  # the right to customer maintenance without its update flag


class CustomerEditScreen(StoredTextNotes, PupeScreen):
    CSS_PATH = Path(__file__).with_name("customer_edit.tcss")
    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), priority=True, id="save_customer"),
        Binding("escape", "close", N_("Back"), id="back"),
    ]

    class Loaded(Message):
        def __init__(self, data: EditData) -> None:
            super().__init__()
            self.data = data

    class Failed(Message):
        """Loading, checking or saving failed: `field` names the field when there is one."""

        def __init__(self, error: str, field: str = "", *, loading: bool = False) -> None:
            super().__init__()
            self.error = error
            self.field = field
            self.loading = loading

    class Checked(Message):
        def __init__(self, form: CustomerForm, result: customer_edit.CheckResult) -> None:
            super().__init__()
            self.form = form
            self.result = result

    class Saved(Message):
        def __init__(self, customer_id: int, name: str) -> None:
            super().__init__()
            self.customer_id = customer_id
            self.name = name

    def __init__(self, customer_id: int | None = None) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.title = _("New customer") if customer_id is None else _("Edit customer")
        self.original: CustomerForm | None = None  # as loaded: "changed" compares with this
        self.confirmed: CustomerForm | None = None  # the form whose warnings were shown once
        self.busy = False
        self.closing = False
        self.read_only = False

    # -- layout ----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(literal(_("Loading…")), id="edit-message")
        yield VerticalScroll(id="edit-form")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#edit-form").can_focus = False
        self._load()

    @work(thread=True, exclusive=True, group="customer-edit", exit_on_error=False)
    def _load(self) -> None:
        try:
            if self.customer_id is not None:
                form = customer_edit.load_for_editing(self.customer_id)
            else:
                form = customer_edit.new_form()
            read_only = not customer_edit.may_edit()
            choices = {name: customers.keyword_choices(kind) for name, kind in customer_edit.KEYWORD_FIELDS.items()}
            choices["salesperson_no"] = customers.filter_choices()["salesperson_no"]
        except ValidationError as exc:
            self.post_message(self.Failed(explain(str(exc)), loading=True))
            return
        except Exception as exc:  # noqa: BLE001 - shown to the user, who can go back
            self.post_message(self.Failed(failures.sentence(exc), loading=True))
            return
        self.post_message(self.Loaded(EditData(form, choices, read_only)))

    async def on_customer_edit_screen_loaded(self, message: Loaded) -> None:
        form = _clean(message.data.form)
        choices = message.data.choices
        if self.customer_id is not None and form.name:
            self.title = _("Edit customer: {name}").format(name=form.name)
        container = self.query_one("#edit-form", VerticalScroll)
        widgets: list[Widget] = []
        for title, items in SECTIONS:
            widgets.append(Static(literal(_(title)), classes="edit-section"))
            for name, label in items:
                widgets.append(FormField(_(label), self._widget(name, getattr(form, name), choices), id=f"row-{name}"))
        await container.mount_all(widgets)
        self.note_stored_text(*(f"#field-{name}" for _t, items in SECTIONS for name, _l in items))
        self.original = self.form()
        self.read_only = message.data.read_only
        if self.read_only:
            if form.name:
                self.title = _("View customer: {name}").format(name=form.name)
            for row in self.query(FormField):
                row.widget.disabled = True
            container.can_focus = True  # the keys scroll the form
            container.focus()
            self._say(read_only_text(), warning=True)
            return
        self._say("")
        self.query_one("#field-name", Input).focus()

    def _widget(self, name: str, value: str, choices: dict[str, list[customers.Choice]]) -> Widget:
        widget_id = f"field-{name}"
        if name == "kind":
            options = [(literal(_(label)), kind) for kind, label in KINDS]
            if value not in [k for k, _l in KINDS]:
                options.append((literal(value), value))
            return Select(options, value=value, allow_blank=False, id=widget_id, compact=True)
        if name in choices:
            options = [(literal(c.label), c.value) for c in choices[name]]
            if value and value not in [c.value for c in choices[name]]:
                # old data may hold a value no keyword has: keep it choosable
                options.append((literal(value), value))
            return Select(
                options, value=value if value else Select.NULL, prompt=_("(none)"), id=widget_id, compact=True
            )
        if name == "facts":
            return TextArea(value, id=widget_id, soft_wrap=True, tab_behavior="focus", compact=True)
        placeholder = {"country": "FI", "delivery_country": "FI", "language": "fi"}.get(name, "")
        # select_on_focus off: a letter typed into a field that just got the focus must not
        # replace the whole name the field holds
        return Input(value, id=widget_id, placeholder=placeholder, compact=True, select_on_focus=False)

    # -- the form --------------------------------------------------------------------------------
    def form(self) -> CustomerForm:
        values = {name: self.query_one(f"#row-{name}", FormField).value for name in FORM_FIELDS}
        return CustomerForm(**values)

    def changed(self) -> bool:
        return self.original is not None and self.form() != self.original

    def _say(self, text: str, *, error: bool = False, warning: bool = False) -> None:
        message = self.query_one("#edit-message", Static)
        message.update(literal(marked(text, error)))
        message.display = bool(text)
        message.set_class(error, "-error")
        message.set_class(warning, "-warning")

    def _clear_errors(self) -> None:
        for row in self.query(FormField):
            row.show_error("")

    # -- saving -----------------------------------------------------------------------------------
    def action_save(self) -> None:
        if self.read_only:
            self._say(read_only_text(), error=True)
            return
        if self.original is None or self.busy:
            return
        self.busy = True
        self._say(_("Checking…"))
        self._check(self.form())

    @work(thread=True, exclusive=True, group="customer-edit", exit_on_error=False)
    def _check(self, form: CustomerForm) -> None:
        try:
            result = customer_edit.check(form, self.customer_id)
        except ValidationError as exc:
            self.post_message(self.Failed(explain(str(exc)), exc.field))
            return
        except Exception as exc:  # noqa: BLE001
            self.post_message(self.Failed(failures.sentence(exc)))
            return
        self.post_message(self.Checked(form, result))

    def on_customer_edit_screen_checked(self, message: Checked) -> None:
        self._clear_errors()
        result = message.result
        if result.errors:
            self.busy = False
            self.confirmed = None
            self._show_errors(result.errors)
            return
        if result.stored and any(getattr(message.form, k) != v for k, v in result.stored.items()):
            # shown as it will be stored before it is stored: a second save stores it
            self.busy = False
            for name, value in result.stored.items():
                self.query_one(f"#field-{name}", Input).value = value
                self.query_one(f"#row-{name}", FormField).show_error(STORED_TEXTS[name]().format(value=value), warning=True)
            key = self._key_of("save_customer") or "ctrl+s"
            self._say(_("Pupesoft stores the business ID of a Finnish customer as eight digits. "
                        "Press {key} again to save.").format(key=key), warning=True)
            self.confirmed = None
            return
        if result.warnings and message.form != self.confirmed:
            self.busy = False
            self.confirmed = message.form
            texts = [explain(w) for w in result.warnings]
            for warning, text in zip(result.warnings, texts):
                if warning.startswith("business id"):
                    self.query_one("#row-business_id", FormField).show_error(text, warning=True)
            key = self._key_of("save_customer") or "ctrl+s"
            self._say(
                " ".join(texts) + " " + _("Press {key} again to save anyway.").format(key=key),
                warning=True,
            )
            return
        self._say(_("Saving…"))
        self._save(message.form)

    def _key_of(self, binding_id: str) -> str:
        for active in self.active_bindings.values():
            if active.binding.id == binding_id:
                return self.app.get_key_display(active.binding)
        return ""

    def _show_errors(self, errors) -> None:
        """Each error under its field (all of a field's errors together), a summary on top."""
        self._clear_errors()
        by_field: dict[str, list[str]] = {}
        unplaced: list[str] = []
        for error in errors:
            text = explain(str(error))
            name = getattr(error, "field", "")
            if name in LABELS:
                by_field.setdefault(name, []).append(text)
            else:
                unplaced.append(text)
        first: FormField | None = None
        for name in FORM_FIELDS:  # in the order of the form
            if name in by_field:
                row = self.query_one(f"#row-{name}", FormField)
                row.show_error(" ".join(by_field[name]))
                first = first or row
        count = len(by_field) + len(unplaced)
        summary = (
            _("The customer was not saved: 1 field needs fixing.")
            if count == 1
            else _("The customer was not saved: {count} fields need fixing.").format(count=count)
        )
        self._say(" ".join([summary, *unplaced]), error=True)
        if first is not None:
            first.widget.focus()
            self.call_after_refresh(first.scroll_visible, animate=False)

    @work(thread=True, exclusive=True, group="customer-edit", exit_on_error=False)
    def _save(self, form: CustomerForm) -> None:
        try:
            customer_id = customer_edit.save(form, self.customer_id)
        except auth.AccessDenied:
            self.post_message(self.Failed(_("You have no right to edit customers.")))
            return
        except ValidationError as exc:
            self.post_message(self.Failed(explain(str(exc)), exc.field))
            return
        except Exception as exc:  # noqa: BLE001 - e.g. the database is locked: the form stays
            self.post_message(self.Failed(_("The customer could not be saved: {error}").format(error=failures.sentence(exc))))
            return
        self.post_message(self.Saved(customer_id, form.name.strip()))

    def on_customer_edit_screen_saved(self, message: Saved) -> None:
        self.busy = False
        self.original = None
        self.notify(_("Customer saved."), markup=False)
        self.dismiss((message.customer_id, message.name))

    def on_customer_edit_screen_failed(self, message: Failed) -> None:
        self.busy = False
        if message.loading:
            self._say(_("The customer could not be opened: {error}").format(error=message.error), error=True)
            return
        if message.field in LABELS:
            self._show_errors([ValidationError(message.error, message.field)])
        else:
            self._say(message.error, error=True)

    # -- closing -----------------------------------------------------------------------------------
    def action_close(self) -> None:
        if self.closing:
            return
        if not self.changed():
            self.dismiss(None)
            return
        self.closing = True
        self.app.push_screen(
            ConfirmScreen(
                _("The changes have not been saved. Discard them?"),
                title=_("Discard changes?"),
                yes=_("Discard"),
                no=_("Keep editing"),
            ),
            self._discard_answered,
        )

    def _discard_answered(self, discard: bool | None) -> None:
        self.closing = False
        if discard:
            self.original = None
            self.dismiss(None)
