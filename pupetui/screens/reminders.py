"""The reminders program (Pupesoft's kuittaamattomat.php): the user's reminders and leads that wait
for an acknowledgement, newest first.

Each row: a mark, the due time, who handles it, the message, customer, type and tapa, contact,
when it was made (at 80 columns the first five are in sight; the rest scroll into view, and the
highlighted row is shown in full below the list). Overdue rows are red and marked "!", rows
still to come are green and marked "·": the marks carry the meaning in 16 colours and in
monochrome too.

Keys (each binding has an id for the user's keymap; F1 lists them):
- Enter opens the customer's memo (when the reminder has a customer);
- `k` acknowledges the highlighted reminder (own ones, and leads one supervises) with a text;
- `a` adds a reminder (for oneself or another calendar user, with or without a customer);
- `u` shows another calendar user's list (for calendar users allowed to see it);
- `r` reads the list again; Esc goes back.

Every database call runs in a thread worker through the services; after a change the app's
overdue count (in every header) is counted again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static

from pupetui.i18n import N_, _, format_datetime
from pupetui.screens.base import PupeScreen
from pupetui.screens.reminder_forms import (
    AcknowledgeReminderScreen, AddReminderScreen, FormChoices, ReminderUserPickerScreen, kind_text, refusal_text,
    user_text,
)
from pupetui.services import calendar, memo, reminders, session_info, sms
from pupetui.services.calendar import CalendarUser
from pupetui.services.reminders import AddResult, NewReminder, ReminderRow
from pupetui.widgets.literal import literal, printable

CSS = Path(__file__).with_name("reminders.tcss")
OVERDUE_MARK = "!"
FUTURE_MARK = "·"
OVERDUE_STYLE = "red"
FUTURE_STYLE = "green"
LEAD = "Lead"

# (key, title message id, width)
COLUMNS = (
    ("mark", "", 1),
    ("due", N_("Due"), 16),
    ("handler", N_("Handler"), 8),
    ("text", N_("Message"), 22),
    ("customer", N_("Customer"), 16),
    ("kind", N_("Type · method"), 18),
    ("contact", N_("Contact"), 16),
    ("created", N_("Made"), 16),
)
# A wider terminal gives the message and the customer's name the room beyond the widths above
# (shares of it), so they are not cut at 22 and 16 characters on a screen of 200 columns.
FLEXIBLE = {"text": 2, "customer": 1}


def column_widths(room: int) -> dict[str, int]:
    """Each column's width for a table `room` cells wide (DataTable pads a cell by one on
    either side, and keeps two cells for its scroll bar)."""
    widths = {key: width for key, _title, width in COLUMNS}
    extra = room - sum(w + 2 for w in widths.values()) - 2
    if extra > 0:
        shares = sum(FLEXIBLE.values())
        for key, share in FLEXIBLE.items():
            widths[key] += extra * share // shares
    return widths


def one_line(value: object, width: int, style: str = "") -> Text:
    """`value` on one line, cut with … to `width` (untrusted text: shown literally)."""
    text = " ".join(printable(value, single_line=False).split())
    if len(text) > width:
        text = text[: max(width - 1, 0)] + "…"
    return Text(text, style=style, no_wrap=True, overflow="ellipsis")


def kind_and_method(row: ReminderRow) -> str:
    return " · ".join(x for x in (kind_text(row.kind), row.method) if x)


@dataclass
class Context:
    """Read once when the screen opens: who the user is, who they may look at, tapa texts."""

    login: str
    user_name: str
    calendar_users: list[CalendarUser] = field(default_factory=list)
    viewable: list[CalendarUser] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    may_use_memo: bool = True

    @property
    def names(self) -> dict[str, str]:
        names = {u.login: u.name for u in self.calendar_users}
        names.setdefault(self.login, self.user_name)
        return names

    @property
    def is_calendar_user(self) -> bool:
        return any(u.login == self.login for u in self.calendar_users)

    def label(self, login: str) -> str:
        return user_text(login, self.names.get(login, ""))


class RemindersScreen(PupeScreen):
    TITLE_ID = N_("Reminders")
    CSS_PATH = CSS
    AUTO_FOCUS = "#reminders-table"
    BINDINGS = [
        Binding("escape", "back", N_("Back"), show=False, id="back"),
        Binding("enter", "open_memo", N_("Memo"), priority=True, id="reminders_open_memo"),
        Binding("k", "acknowledge", N_("Acknowledge"), id="reminders_acknowledge"),
        Binding("a", "add", N_("Add"), id="reminders_add"),
        Binding("u", "pick_user", N_("Whose list"), id="reminders_user"),
        Binding("r", "reload", N_("Read again"), show=False, id="reminders_reload"),
    ]

    class Loaded(Message):
        def __init__(self, owner: str, rows: list[ReminderRow], context: Context | None) -> None:
            super().__init__()
            self.owner = owner
            self.rows = rows
            self.list_context = context

    class LoadFailed(Message):
        def __init__(self, owner: str, text: str) -> None:
            super().__init__()
            self.owner = owner
            self.text = text

    def __init__(self) -> None:
        super().__init__()
        self.context: Context | None = None
        self.owner = ""  # whose list ('' until the user is known: their own)
        self.shown_owner = ""  # whose list is on screen
        self.rows: list[ReminderRow] = []
        self.loaded = False
        self._reload_on_resume = False

    # -- layout ---------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(literal(_("Loading…")), id="reminders-state")
        table: DataTable = DataTable(id="reminders-table", cursor_type="row", zebra_stripes=False)
        for key, title, width in COLUMNS:
            table.add_column(_(title) if title else "", width=width, key=key)
        yield table
        yield Static("", id="reminders-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def on_resize(self) -> None:
        table = self.query_one("#reminders-table", DataTable)
        if getattr(self, "_widths", None) not in (None, column_widths(table.size.width)):
            self.show_rows(self.rows)

    def on_screen_resume(self) -> None:
        if self._reload_on_resume:  # back from the memo, where a reminder may have been acknowledged
            self._reload_on_resume = False
            self.changed()

    # -- loading --------------------------------------------------------------------------------
    def load(self, owner: str | None = None) -> None:
        if owner is not None:
            self.owner = owner
        self._load(self.owner, self.context is None)

    @work(thread=True, exclusive=True, group="reminders-load")
    def _load(self, owner: str, with_context: bool) -> None:
        context = None
        try:
            if with_context:
                context = self._read_context()
                owner = owner or context.login
            rows = reminders.waiting(owner or None)
        except Exception as exc:  # noqa: BLE001 - shown to the user, who can still go back
            self.post_message(self.LoadFailed(owner, refusal_text(exc)))
        else:
            self.post_message(self.Loaded(owner, rows, context))

    def _read_context(self) -> Context:
        info = getattr(self.app, "session_info", None)
        if not isinstance(info, session_info.SessionInfo):
            info = session_info.current()
        users = calendar.calendar_users()
        is_calendar_user = any(u.login == info.login for u in users)
        viewable = calendar.viewable_users() if is_calendar_user else []
        return Context(
            login=info.login,
            user_name=info.user_name,
            calendar_users=users,
            viewable=viewable,
            methods=memo.method_choices(),
            may_use_memo=info.may_use("memo"),
        )

    def on_reminders_screen_loaded(self, message: Loaded) -> None:
        if message.list_context is not None:
            self.context = message.list_context
        another_list = message.owner != self.shown_owner
        self.owner = self.shown_owner = message.owner
        self.loaded = True
        self.show_rows(message.rows, from_top=another_list)

    def on_reminders_screen_load_failed(self, message: LoadFailed) -> None:
        self.loaded = True
        state = self.query_one("#reminders-state", Static)
        error = _("The reminders could not be read: {error}").format(error=message.text)
        state.update(literal(f"{OVERDUE_MARK} {error}"))
        state.add_class("-error")

    def show_rows(self, rows: list[ReminderRow], *, from_top: bool = False) -> None:
        """Fill the list; the cursor stays on the same reminder (or row) unless `from_top`."""
        table = self.query_one("#reminders-table", DataTable)
        keep = None if from_top else self.current_row()
        old_index = 0 if from_top else table.cursor_row
        self.rows = rows
        table.clear()
        widths = self._widths = column_widths(table.size.width)
        for key, width in widths.items():
            table.columns[key].width = width
        for row in rows:
            style = OVERDUE_STYLE if row.overdue else ""
            mark = literal(OVERDUE_MARK, f"bold {OVERDUE_STYLE}") if row.overdue else literal(FUTURE_MARK, FUTURE_STYLE)
            table.add_row(
                mark,
                one_line(format_datetime(row.due), widths["due"], f"bold {style}" if row.overdue else FUTURE_STYLE),
                one_line(row.owner, widths["handler"], style),
                one_line(row.text, widths["text"], style),
                one_line(row.customer_name, widths["customer"], style),
                one_line(kind_and_method(row), widths["kind"], style),
                one_line(row.contact_name, widths["contact"], style),
                one_line(format_datetime(row.created_at), widths["created"], style),
                key=str(row.id),
            )
        if rows:
            same_row = min(max(old_index, 0), len(rows) - 1)
            index = next((i for i, r in enumerate(rows) if keep and r.id == keep.id), same_row)
            table.move_cursor(row=index, animate=False)
        self.show_state()
        self.show_detail()

    def show_state(self) -> None:
        state = self.query_one("#reminders-state", Static)
        state.remove_class("-error")
        context = self.context
        whose = context.label(self.owner) if context else self.owner
        overdue = sum(1 for r in self.rows if r.overdue)
        if not self.rows:
            counts = _("nothing waits for an acknowledgement")
        else:
            counts = _("{waiting} waiting, {overdue} overdue").format(waiting=len(self.rows), overdue=overdue)
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append_text(literal(_("Reminders of {user}: {counts}").format(user=whose, counts=counts), "bold"))
        line.append("   ")
        line.append(OVERDUE_MARK, f"bold {OVERDUE_STYLE}")
        line.append_text(literal(" " + _("overdue") + "  "))
        line.append(FUTURE_MARK, FUTURE_STYLE)
        line.append_text(literal(" " + _("to come")))
        state.update(line)

    def current_row(self) -> ReminderRow | None:
        table = self.query_one("#reminders-table", DataTable)
        if not self.rows or table.cursor_row is None or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    @on(DataTable.RowHighlighted, "#reminders-table")
    def _highlighted(self) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        detail = self.query_one("#reminders-detail", Static)
        row = self.current_row()
        if row is None:
            empty = _("No reminders wait for an acknowledgement. Press a to add one.")
            detail.update(literal(empty if self.loaded else ""))
            return
        context = self.context
        label = context.label if context else (lambda login: login)
        text = Text()
        if row.overdue:
            text.append(f"{OVERDUE_MARK} " + _("Overdue"), f"bold {OVERDUE_STYLE}")
        else:
            text.append(f"{FUTURE_MARK} " + _("To come"), FUTURE_STYLE)
        facts = [kind_and_method(row), _("due {when}").format(when=format_datetime(row.due))]
        if row.created_at:
            facts.append(_("made {when}").format(when=format_datetime(row.created_at)))
        text.append_text(literal(" · " + " · ".join(facts)))
        who = [_("Handler: {user}").format(user=label(row.owner))]
        if row.supervisor:
            who.append(_("supervisor: {user}").format(user=label(row.supervisor)))
        if row.customer_name:
            who.append(_("Customer: {name}").format(name=row.customer_name))
        if row.contact_name:
            who.append(_("Contact: {name}").format(name=row.contact_name))
        text.append("\n")
        text.append_text(literal(" · ".join(who)))
        text.append("\n")
        text.append(printable(row.text, single_line=False))
        detail.update(text)

    # -- actions --------------------------------------------------------------------------------
    def action_back(self) -> None:
        self.dismiss()

    def action_reload(self) -> None:
        self.load()

    def action_open_memo(self) -> None:
        row = self.current_row()
        if row is None:
            return
        if not row.customer_id:
            self.notify(_("This reminder has no customer."), markup=False)
            return
        if self.context is not None and not self.context.may_use_memo:
            self.notify(_("You have no right to use the customer memo."), severity="warning", markup=False)
            return
        from pupetui.screens.memo import MemoScreen

        self._reload_on_resume = True
        self.app.push_screen(MemoScreen(row.customer_id))

    def may_acknowledge(self, row: ReminderRow) -> bool:
        login = self.context.login if self.context else ""
        return bool(login) and row.owner == login  # Pupesoft: the handler (kuka) only, a lead's too

    def action_acknowledge(self) -> None:
        row = self.current_row()
        if row is None:
            self.notify(_("Choose a reminder first."), markup=False)
            return
        if not self.may_acknowledge(row):
            self.notify(_("You can acknowledge only your own reminders."), severity="warning", markup=False)
            return

        def save(text: str) -> int:
            return reminders.acknowledge(row.id, text)

        def done(result: Any) -> None:
            if result is None:
                return
            self.notify(_("Acknowledged."), markup=False)
            self.changed()

        self.app.push_screen(AcknowledgeReminderScreen(row, save), done)

    def action_add(self) -> None:
        context = self.context
        if context is None:
            return
        me = CalendarUser(context.login, context.user_name or context.login)
        others = [u for u in context.viewable if u.login != context.login]
        choices = FormChoices(login=context.login, users=[me, *others], methods=context.methods)
        sms_config = sms.SmsConfig.from_settings(getattr(getattr(self.app, "settings", None), "sms", None) or {})

        def save(new: NewReminder) -> AddResult:
            return reminders.add(new, sms_config=sms_config)

        def done(result: AddResult | None) -> None:
            if result is None:
                return
            self.notify(_("Reminder saved."), markup=False)
            if result.sms_error:
                self.notify(
                    _("The SMS was not sent: {error}").format(error=printable(result.sms_error)),
                    severity="warning", markup=False, timeout=10,
                )
            self.changed()

        self.app.push_screen(AddReminderScreen(choices, save), done)

    def action_pick_user(self) -> None:
        context = self.context
        if context is None:
            return
        if not context.is_calendar_user or not any(u.login != context.login for u in context.viewable):
            self.notify(_("Only calendar users may see other users' reminders."),
                        severity="warning", markup=False)
            return
        users = list(context.viewable)
        if not any(u.login == context.login for u in users):
            users.insert(0, CalendarUser(context.login, context.user_name or context.login))

        def chosen(login: str | None) -> None:
            if login:
                self.load(login)

        self.app.push_screen(ReminderUserPickerScreen(users, self.owner), chosen)

    def changed(self) -> None:
        """A reminder was acknowledged or added: read the list and the header's count again."""
        self.load()
        counter = getattr(self.app, "overdue_reminders", None)
        if counter is not None:
            counter.refresh()
