"""The calendar (Pupesoft's kalenteri.php): a month grid with the selected day's agenda, a week
view and a day view; entries added, edited, deleted, searched and exported.

`CalendarScreen()` takes no arguments: it shows the user's own calendar; `u` chooses whose
calendars are shown (several at once, each user with a letter).

Keys (each binding has an id, so it can be given another key; F1 lists them):
arrows and h/j/k/l move a day or a week, m/M (PageDown/PageUp) a month, y/Y a year, t today,
g goes to a typed date; a adds, e or Enter edits, d deletes (after asking), n/p move between
the entries; / searches; v switches month / week / day view; u whose calendars; T the calendar
types; x exports an iCalendar file; r reloads; Tab moves between the grid and the agenda.

Data: the month (whole weeks) is read in a worker thread through the calendar service; each
request has a key (month, users, generation) and a result whose key is no longer the wanted one
is dropped, so a slow answer for a month left behind never shows.  While a month loads, the
grid already shows its days (and what is known of them).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from babel.dates import get_day_names, get_month_names
from rich.style import Style
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Header, Static

from pupetui.i18n import N_, _, current_language, format_date
from pupetui.screens.base import PupeScreen
from pupetui.screens.calendar_forms import (
    ConfirmScreen,
    EntryFormScreen,
    EntryTypesScreen,
    Exported,
    ExportScreen,
    GoToDateScreen,
    SavedEntry,
    SearchScreen,
    UserPickerScreen,
    entry_summary,
    refusal_text,
)
from pupetui.screens.export_file import shown
from pupetui.services import calendar, calendar_view
from pupetui.services.calendar import Entry, EntryForm
from pupetui.services.calendar_view import MonthData, Setup
from pupetui.widgets.day_agenda import DayAgenda, WeekAgenda, entry_brief
from pupetui.widgets.literal import literal, printable
from pupetui.widgets.month_grid import GridTexts, MonthGrid, colour_style

VIEWS = ("month", "week", "day")
VIEW_NAMES = {"month": N_("Month"), "week": N_("Week"), "day": N_("Day")}
WIDE = 120  # columns from which the agenda is beside the grid, not under it
AGENDA_LINES = 8  # the agenda's least height (with its title) under the grid


def month_name(year: int, month: int) -> str:
    name = get_month_names("wide", context="stand-alone", locale=current_language())[month]
    return f"{name[:1].upper()}{name[1:]} {year}"


def weekday_names(width: str = "abbreviated") -> list[str]:
    names = get_day_names(width, context="stand-alone", locale=current_language())
    return [names[i][:1].upper() + names[i][1:] for i in range(7)]


class CalendarScreen(PupeScreen):
    TITLE_ID = N_("Calendar")
    CSS_PATH = Path(__file__).with_name("calendar.tcss")
    BINDINGS = [
        Binding("escape", "back", N_("Back"), show=False, id="calendar_back"),
        Binding("left,h", "move_days(-1)", N_("Previous day"), show=False, id="calendar_previous_day"),
        Binding("right,l", "move_days(1)", N_("Next day"), show=False, id="calendar_next_day"),
        Binding("up,k", "move_days(-7)", N_("Previous week"), show=False, id="calendar_previous_week"),
        Binding("down,j", "move_days(7)", N_("Next week"), show=False, id="calendar_next_week"),
        Binding("m,pagedown", "move_months(1)", N_("Next month"), show=False, id="calendar_next_month"),
        Binding("M,pageup", "move_months(-1)", N_("Previous month"), show=False, id="calendar_previous_month"),
        Binding("y", "move_months(12)", N_("Next year"), show=False, id="calendar_next_year"),
        Binding("Y", "move_months(-12)", N_("Previous year"), show=False, id="calendar_previous_year"),
        Binding("t", "today", N_("Today"), show=False, id="calendar_today"),
        Binding("g", "go_to", N_("Go to"), show=False, id="calendar_go_to"),
        Binding("a", "add", N_("Add"), id="calendar_add"),
        Binding("e,enter", "edit", N_("Edit"), id="calendar_edit"),
        Binding("d", "delete", N_("Delete"), id="calendar_delete"),
        Binding("n", "next_entry", N_("Next entry"), show=False, id="calendar_next_entry"),
        Binding("p", "previous_entry", N_("Previous entry"), show=False, id="calendar_previous_entry"),
        Binding("slash", "search", N_("Search"), id="calendar_search"),
        Binding("u", "users", N_("Users"), id="calendar_users"),
        Binding("v", "switch_view", N_("View"), id="calendar_view"),
        Binding("T", "types", N_("Calendar types"), show=False, id="calendar_types"),
        Binding("x", "export", N_("Export an iCalendar file"), show=False, id="calendar_export"),
        Binding("r", "reload", N_("Reload"), show=False, id="calendar_reload"),
    ]

    class SetupLoaded(Message):
        def __init__(self, setup: Setup | None, error: str = "") -> None:
            super().__init__()
            self.setup = setup
            self.error = error

    class MonthLoaded(Message):
        def __init__(self, key: tuple, data: MonthData | None, error: str = "") -> None:
            super().__init__()
            self.key = key
            self.data = data
            self.error = error

    class EntryChecked(Message):
        """may_change (and, to edit, the stored entry) is known for the entry under the cursor."""

        def __init__(self, action: str, entry: Entry, allowed: bool, form: EntryForm | None, error: str = "") -> None:
            super().__init__()
            self.action = action
            self.entry = entry
            self.allowed = allowed
            self.form = form
            self.error = error

    class Deleted(Message):
        def __init__(self, entry: Entry, error: str = "") -> None:
            super().__init__()
            self.entry = entry
            self.error = error

    def __init__(self, today: dt.date | None = None) -> None:
        super().__init__()
        self.today = today or dt.date.today()
        self.selected = self.today
        self.view = "month"
        self.setup: Setup | None = None
        self.owners: list[str] = []
        self.letters: dict[str, str] = {}  # login -> letter, only when several calendars are shown
        self.all_letters: dict[str, str] = {}
        self.type_styles: dict[str, Style] = {}
        self.data: MonthData | None = None
        self.wanted: tuple | None = None
        self.generation = 0
        self.is_loading = True
        self.cursor: int | None = None
        self.error = ""

    # -- layout ---------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="calendar-bar"):
            yield Static("", id="calendar-title")
            yield Static("", id="calendar-legend")
        with Horizontal(id="calendar-body"):
            yield MonthGrid(id="calendar-grid")
            with Vertical(id="calendar-day"):
                yield Static("", id="calendar-day-title")
                yield DayAgenda(id="calendar-agenda")
            yield WeekAgenda(id="calendar-week")
        yield Footer(compact=True)

    @property
    def grid(self) -> MonthGrid:
        return self.query_one("#calendar-grid", MonthGrid)

    @property
    def agenda(self) -> DayAgenda:
        return self.query_one("#calendar-agenda", DayAgenda)

    @property
    def week(self) -> WeekAgenda:
        return self.query_one("#calendar-week", WeekAgenda)

    def on_mount(self) -> None:
        self.grid.today = None if self.today == dt.date.today() else self.today
        self.week.today = self.grid.today
        self.grid.texts = GridTexts(weekdays=weekday_names(), week=_("Wk"), more=_("+{count} more"),
                                    all_day=_("All day"))
        self._apply_view()
        self.refresh_views()
        self._load_setup()

    def on_resize(self, event: events.Resize) -> None:
        self._apply_layout()

    def _apply_view(self) -> None:
        for view in VIEWS:
            self.set_class(self.view == view, f"-view-{view}")
        self._apply_layout()
        target = {"month": self.grid, "week": self.week, "day": self.agenda}[self.view]
        target.focus()

    def _apply_layout(self) -> None:
        """The grid gets whole lines per week; the agenda the rest (or the side, when wide)."""
        width, height = self.size
        if not height:
            return
        body = max(4, height - 3)  # header, title bar, footer
        wide = width >= WIDE
        self.set_class(wide, "-wide")
        weeks = self.grid.week_count
        if wide:
            self.grid.styles.height = "1fr"
            self.grid.styles.width = min(3 + 7 * 16, width - 40)
        else:
            per_week = max(1, min(6, (body - 1 - AGENDA_LINES) // weeks))
            self.grid.styles.height = 1 + weeks * per_week
            self.grid.styles.width = "1fr"

    # -- loading ----------------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="calendar-setup")
    def _load_setup(self) -> None:
        try:
            setup = calendar_view.setup()
        except Exception as exc:  # noqa: BLE001 - shown to the user, who can still go back
            self.post_message(self.SetupLoaded(None, refusal_text(exc)))
        else:
            self.post_message(self.SetupLoaded(setup))

    def on_calendar_screen_setup_loaded(self, message: SetupLoaded) -> None:
        if message.setup is None:
            self.error = message.error
            self.is_loading = False
            self.refresh_views()
            return
        setup = self.setup = message.setup
        known = {u.login for u in setup.users}
        self.owners = [o for o in self.owners if o in known] or [setup.login]
        self.all_letters = calendar_view.user_letters(setup.users)
        self.type_styles = {t.text: colour_style(t.colour) for t in setup.types}
        self._owners_changed()

    def _owners_changed(self) -> None:
        self.letters = {o: self.all_letters.get(o, "?") for o in self.owners} if len(self.owners) > 1 else {}
        self.data = None
        self.generation += 1
        self.request_month()

    def request_month(self, *, force: bool = False) -> None:
        if self.setup is None:
            return
        key = (self.selected.year, self.selected.month, tuple(self.owners), self.generation)
        if key == self.wanted and not force:
            return
        self.wanted = key
        self.is_loading = True
        self.refresh_views()
        self._load_month(key)

    @work(thread=True, exclusive=True, group="calendar-month")
    def _load_month(self, key: tuple) -> None:
        year, month, owners, _generation = key
        try:
            data = calendar_view.load_month(list(owners), year, month)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.post_message(self.MonthLoaded(key, None, refusal_text(exc)))
        else:
            self.post_message(self.MonthLoaded(key, data))

    def on_calendar_screen_month_loaded(self, message: MonthLoaded) -> None:
        if message.key != self.wanted:
            return  # an answer for a month (or users) left behind
        self.is_loading = False
        if message.data is None:
            self.error = message.error
            self.notify(printable(message.error), severity="error", markup=False)
            self.refresh_views()
            return
        self.error = ""
        self.data = message.data
        day_entries = self.entries_on(self.selected)
        if self.cursor is None or not any(e.id == self.cursor for e in day_entries):
            self.cursor = self._first_entry(self.selected)
        self.refresh_views(scroll=True)

    @property
    def ready(self) -> bool:
        """The selected month is shown with its entries."""
        return (not self.is_loading and self.data is not None
                and (self.data.year, self.data.month) == (self.selected.year, self.selected.month))

    # -- what is shown ----------------------------------------------------------------------------------------
    def entries_on(self, day: dt.date) -> tuple[Entry, ...]:
        data = self.data
        if data is None or not (data.first <= day <= data.last):
            return ()
        return data.on(day)

    def day_order(self, day: dt.date) -> list[Entry]:
        slot = self.setup.slot_minutes if self.setup else 30
        return list(calendar_view.day_layout(self.entries_on(day), day, slot, max_columns=99).order)

    def _first_entry(self, day: dt.date) -> int | None:
        order = self.day_order(day)
        return order[0].id if order else None

    def cursor_entry(self) -> Entry | None:
        if self.cursor is None:
            return None
        return next((e for e in self.entries_on(self.selected) if e.id == self.cursor), None)

    def refresh_views(self, *, scroll: bool = False) -> None:
        if not self.is_mounted:
            return
        setup = self.setup
        slot = setup.slot_minutes if setup else 30
        days = self.data.days if self.data else {}
        loading = self.is_loading or self.data is None
        self._show_title()
        self.grid.show(year=self.selected.year, month=self.selected.month, selected=self.selected, days=days,
                       letters=self.letters, type_styles=self.type_styles)
        self._apply_layout()
        # only what is on screen is laid out (the view switch shows the others again)
        if self.view != "week":
            self.agenda.show(day=self.selected, entries=self.entries_on(self.selected), slot_minutes=slot,
                             letters=self.letters, type_styles=self.type_styles, cursor=self.cursor,
                             loading=loading and not self.entries_on(self.selected), scroll=scroll)
        else:
            self.week.show(selected=self.selected, days=days, slot_minutes=slot, letters=self.letters,
                           type_styles=self.type_styles, cursor=self.cursor, weekday_names=weekday_names(),
                           loading=loading, scroll=scroll)
        count = len(self.entries_on(self.selected))
        day_name = weekday_names("wide")[self.selected.weekday()]
        title = f"{day_name} {format_date(self.selected)}"
        if self.selected == self.today:
            title += " · " + _("today")
        if count:
            title += " · " + (_("1 entry") if count == 1 else _("{count} entries").format(count=count))
        entry = self.cursor_entry()
        if entry is not None:
            title += " · " + entry_brief(entry, self.selected, self.letters)
        self.query_one("#calendar-day-title", Static).update(literal(title))

    def _show_title(self) -> None:
        title = month_name(self.selected.year, self.selected.month)
        if self.view == "week":
            number = self.selected.isocalendar()[1]
            title = _("Week {number}").format(number=number) + " · " + title
        elif self.view == "day":
            title = format_date(self.selected) + " · " + title
        if self.error:
            title += " · " + self.error
        elif self.is_loading or self.data is None:
            title += " · " + _("Loading…")
        elif self.data is not None:
            count = self.data.count
            title += " · " + (_("1 entry") if count == 1 else _("{count} entries").format(count=count))
        self.query_one("#calendar-title", Static).update(literal(title))
        legend = ""
        if setup := self.setup:
            names = {u.login: u.name or u.login for u in setup.users}
            if self.letters:
                legend = "  ".join(f"{self.letters[o]} {names.get(o, o)}" for o in self.owners)
            elif self.owners and self.owners[0] != setup.login:
                legend = _("Calendar of {name}").format(name=names.get(self.owners[0], self.owners[0]))
        self.query_one("#calendar-legend", Static).update(literal(legend))

    # -- moving --------------------------------------------------------------------------------------------
    def move_to(self, day: dt.date, *, cursor: int | None = None) -> None:
        # the years a date may be typed in: no month past them is read (nor its whole weeks)
        day = max(dt.date(calendar.FIRST_YEAR, 1, 1), min(dt.date(calendar.LAST_YEAR, 12, 31), day))
        changed_day = day != self.selected
        self.selected = day
        if cursor is not None:
            self.cursor = cursor
        elif changed_day or self.cursor_entry() is None:
            self.cursor = self._first_entry(day)
        self.request_month()
        self.refresh_views(scroll=changed_day or cursor is not None)

    def action_move_days(self, days: int) -> None:
        self.move_to(self.selected + dt.timedelta(days=days))

    def action_move_months(self, months: int) -> None:
        self.move_to(calendar_view.add_months(self.selected, months))

    def action_today(self) -> None:
        self.today = dt.date.today() if self.grid.today is None else self.today
        self.move_to(self.today)

    def action_go_to(self) -> None:
        def chosen(day: dt.date | None) -> None:
            if day is not None:
                self.move_to(day)

        self.app.push_screen(GoToDateScreen(format_date(self.selected)), chosen)

    def action_next_entry(self) -> None:
        self._step_entry(1)

    def action_previous_entry(self) -> None:
        self._step_entry(-1)

    def _step_entry(self, step: int) -> None:
        order = self.day_order(self.selected)
        ids = [e.id for e in order]
        if self.cursor in ids:
            index = ids.index(self.cursor) + step
            if 0 <= index < len(ids):
                self.cursor = ids[index]
                self.refresh_views()
                return
        elif ids:
            self.cursor = ids[0 if step > 0 else -1]
            self.refresh_views()
            return
        # on to the nearest day with entries (in the loaded weeks)
        data = self.data
        if data is None:
            return
        day = self.selected + dt.timedelta(days=step)
        while data.first <= day <= data.last:
            order = self.day_order(day)
            if order:
                self.move_to(day, cursor=order[0 if step > 0 else -1].id)
                return
            day += dt.timedelta(days=step)

    def action_switch_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self._apply_view()
        self.refresh_views(scroll=True)
        self.notify(_("{view} view").format(view=_(VIEW_NAMES[self.view])), timeout=1.5, markup=False)

    @on(MonthGrid.DayClicked)
    def _day_clicked(self, event: MonthGrid.DayClicked) -> None:
        self.move_to(event.day)
        if event.double:
            self.action_edit()

    @on(DayAgenda.EntryClicked)
    def _entry_clicked(self, event: DayAgenda.EntryClicked) -> None:
        if event.day is not None and event.day != self.selected:
            self.move_to(event.day, cursor=event.entry_id)
        elif event.entry_id is not None:
            self.cursor = event.entry_id
            self.refresh_views()
        if event.double:
            self.action_edit()

    # -- whose calendars --------------------------------------------------------------------------------------
    def action_users(self) -> None:
        if self.setup is None:
            return

        def chosen(owners: list[str] | None) -> None:
            if owners:
                self.owners = owners
                self._owners_changed()

        self.app.push_screen(UserPickerScreen(self.setup.users, self.owners, self.all_letters), chosen)

    # -- entries -------------------------------------------------------------------------------------------------
    def _default_owner(self) -> str:
        setup = self.setup
        if setup and setup.login in self.owners:
            return setup.login
        return self.owners[0] if self.owners else (setup.login if setup else "")

    def action_add(self) -> None:
        if self.setup is None:
            return
        start = dt.time(8, 0)
        if self.selected == dt.date.today():  # the next hour, on Pupesoft's grid (08:00-17:00 starts an hour)
            hour = min(17, max(8, dt.datetime.now().hour + 1))
            start = dt.time(hour, 0)
        end = (dt.datetime.combine(self.selected, start) + dt.timedelta(hours=1)).time()
        form = EntryForm(
            start_date=format_date(self.selected), start_time=start.strftime("%H:%M"),
            end_date=format_date(self.selected), end_time=end.strftime("%H:%M"),
            type=self.setup.types[0].text if self.setup.types else "", owner=self._default_owner(),
        )
        self._open_form(form, None, "")

    def _open_form(self, form: EntryForm, entry_id: int | None, customer_name: str) -> None:
        setup = self.setup
        assert setup is not None
        screen = EntryFormScreen(form, types=setup.types, users=setup.users, entry_id=entry_id,
                                 customer_name=customer_name)
        self.app.push_screen(screen, self._saved)

    def _saved(self, saved: SavedEntry | None) -> None:
        if saved is None:
            return
        self.notify(_("Saved."), timeout=2, markup=False)
        self.generation += 1
        self.move_to(saved.day, cursor=saved.entry_id)  # loads the month again (a new generation)

    def action_edit(self) -> None:
        entry = self.cursor_entry()
        if entry is None:
            if not self.entries_on(self.selected) and self.setup is not None:
                self.action_add()
            return
        if entry.is_reminder:
            self._reminder_notice()
            return
        self._check_entry("edit", entry)

    def _reminder_notice(self) -> None:
        self.notify(_("This is a reminder: change or acknowledge it in Reminders or on the customer's memo."),
                    severity="warning", markup=False)

    def action_delete(self) -> None:
        entry = self.cursor_entry()
        if entry is None:
            self.notify(_("No entry chosen."), severity="warning", markup=False)
            return
        if entry.is_reminder:
            self._reminder_notice()
            return
        self._check_entry("delete", entry)

    @work(thread=True, exclusive=True, group="calendar-entry")
    def _check_entry(self, action: str, entry: Entry) -> None:
        try:
            allowed = calendar.may_change(entry.id)
            form = calendar.load(entry.id) if allowed and action == "edit" else None
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.post_message(self.EntryChecked(action, entry, False, None, refusal_text(exc)))
        else:
            self.post_message(self.EntryChecked(action, entry, allowed, form))

    def on_calendar_screen_entry_checked(self, message: EntryChecked) -> None:
        entry = message.entry
        if message.error:
            self.notify(printable(message.error), severity="error", markup=False)
            return
        if not message.allowed:
            names = {u.login: u.name or u.login for u in self.setup.users} if self.setup else {}
            owner = names.get(entry.owner, entry.owner)
            creator = names.get(entry.created_by, entry.created_by)
            if not creator or creator == owner:
                text = (_("Only {owner}, whose entry it is, may change it.") if message.action == "edit"
                        else _("Only {owner}, whose entry it is, may delete it."))
            else:
                text = (_("Only {owner}, whose calendar it is, or {creator}, who wrote the entry, may change it.")
                        if message.action == "edit" else
                        _("Only {owner}, whose calendar it is, or {creator}, who wrote the entry, may delete it."))
            text = text.format(owner=owner, creator=creator)
            self.notify(printable(text), title=_("Not allowed"), severity="warning", markup=False)
            return
        if message.action == "edit" and message.form is not None:
            self._open_form(message.form, entry.id, entry.customer_name)
        elif message.action == "delete":
            def answered(yes: bool | None) -> None:
                if yes:
                    self._delete(entry)

            question = _("Delete the entry {entry}?").format(entry=entry_summary(entry, self.letters))
            self.app.push_screen(ConfirmScreen(question, yes=_("Delete"), no=_("Keep")), answered)

    @work(thread=True, exclusive=True, group="calendar-entry")
    def _delete(self, entry: Entry) -> None:
        try:
            calendar.delete(entry.id)
        except Exception as exc:  # noqa: BLE001 - a refusal, or the database
            self.post_message(self.Deleted(entry, refusal_text(exc)))
        else:
            self.post_message(self.Deleted(entry))

    def on_calendar_screen_deleted(self, message: Deleted) -> None:
        if message.error:
            self.notify(printable(message.error), severity="error", markup=False)
            return
        self.notify(_("Deleted."), timeout=2, markup=False)
        if self.cursor == message.entry.id:
            order = [e.id for e in self.day_order(self.selected) if e.id != message.entry.id]
            self.cursor = order[0] if order else None
        self.generation += 1
        self.request_month(force=True)

    # -- search, types, export, reload --------------------------------------------------------------------------
    def action_search(self) -> None:
        if self.setup is None:
            return

        def chosen(entry: Entry | None) -> None:
            if entry is not None:
                self.move_to(max(entry.starts_at.date(), dt.date(1900, 1, 1)), cursor=entry.id)

        self.app.push_screen(SearchScreen(self.owners, self.letters), chosen)

    def action_types(self) -> None:
        def back(changed: bool | None) -> None:
            if changed:
                self._load_setup()

        self.app.push_screen(EntryTypesScreen(), back)

    def action_export(self) -> None:
        if self.setup is None:
            return
        first = self.selected.replace(day=1)
        last = calendar_view.add_months(first, 1) - dt.timedelta(days=1)

        def done(result: Exported | None) -> None:
            if result is not None:
                text = (_("Exported 1 entry to {path}.") if result.count == 1 else
                        _("Exported {count} entries to {path}.")).format(count=result.count, path=shown(result.path))
                self.notify(printable(text), markup=False)
                self.app.deliver_export(result.path)

        screen = ExportScreen(self.setup.users, self._default_owner(), first, last)
        self.app.push_screen(screen, done)

    def action_reload(self) -> None:
        self.generation += 1
        self.request_month(force=True)

    def action_back(self) -> None:
        self.dismiss()
