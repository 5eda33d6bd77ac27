"""Read-only helpers for the calendar screens (no Textual here): what a screen loads in a worker
thread, a month's entries by day, a day laid out in time slots, and a letter per user.

- `setup()`: who is working, whose calendars they may see, the entry types and the slot length.
- `load_month(owners, year, month)`: the entries of the month's grid (whole weeks, Monday to
  Sunday) grouped by day, every day's entries in the order the screens show them (those that
  fill the whole day first, then by start time).
- `day_layout(entries, day, slot_minutes, max_columns)`: a day's timed entries placed in rows
  of slots and side-by-side columns (overlapping entries get their own column).
- `user_letters(users)`: one letter per user, to tell several users' entries apart.
- `parse_day(text, today)`: a date typed by a person (dd.mm.yyyy, yyyy-mm-dd, or dd.mm. for
  this year).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from pupetui import db
from pupetui.models import Activity, Customer
from pupetui.models.activity import ALL_DAY, CALENDAR, DONE, REMINDER
from pupetui.services import calendar
from pupetui.services.calendar import CalendarUser, Entry, EntryType
from pupetui.services.validation import ValidationError

DAY = dt.timedelta(days=1)
MINUTES_PER_DAY = 24 * 60


# -- what the screen needs first ------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    login: str
    users: tuple[CalendarUser, ...]  # whose calendars the user may see, by name
    types: tuple[EntryType, ...]
    slot_minutes: int


def current_login() -> str:
    return db.current().user


def setup() -> Setup:
    login = current_login()
    users = list(calendar.viewable_users(login))
    if not any(u.login == login for u in users):
        # someone without the calendar right still sees (an empty) calendar of their own
        users.append(CalendarUser(login, login))
    return Setup(login, tuple(users), tuple(calendar.entry_types()), calendar.slot_minutes())


# -- a month by day ---------------------------------------------------------------------------------


def whole_day_on(entry: Entry, day: dt.date) -> bool:
    """Does the entry fill all of `day` (an all-day entry, or a middle day of a long one)?"""
    if entry.all_day:
        return True
    start = dt.datetime.combine(day, dt.time())
    return entry.starts_at <= start and entry.ends_at >= start + DAY - dt.timedelta(seconds=1)


def _day_order(entry: Entry, day: dt.date) -> tuple:
    whole = whole_day_on(entry, day)
    return (not whole, entry.starts_at if not whole else dt.datetime.min, entry.owner, entry.id)


def group_by_day(entries: Iterable[Entry], first: dt.date, last: dt.date) -> dict[dt.date, tuple[Entry, ...]]:
    """Each day from `first` to `last` (inclusive) that has entries: its entries in showing order."""
    days: dict[dt.date, list[Entry]] = {}
    for entry in entries:
        start = max(entry.starts_at.date(), first)
        end = min(entry.ends_at.date(), last)
        if start == end:  # the common case: one day
            days.setdefault(start, []).append(entry)
            continue
        day = start
        while day <= end:
            days.setdefault(day, []).append(entry)
            day += DAY
    ordered: dict[dt.date, tuple[Entry, ...]] = {}
    for day, found in days.items():
        if len(found) > 1:
            found.sort(key=lambda e, d=day: _day_order(e, d))
        ordered[day] = tuple(found)
    return ordered


@dataclass(frozen=True)
class MonthData:
    year: int
    month: int
    owners: tuple[str, ...]
    first: dt.date  # the Monday the grid starts on
    last: dt.date  # the Sunday it ends on
    days: Mapping[dt.date, tuple[Entry, ...]] = field(default_factory=dict)
    count: int = 0  # entries in the grid's weeks

    def on(self, day: dt.date) -> tuple[Entry, ...]:
        return self.days.get(day, ())


def grid_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    return calendar.month_grid_range(year, month)


def month_data(entries: Sequence[Entry], owners: Sequence[str], year: int, month: int) -> MonthData:
    first, last = grid_range(year, month)
    return MonthData(year, month, tuple(owners), first, last, group_by_day(entries, first, last), len(entries))


def load_month(owners: Sequence[str], year: int, month: int) -> MonthData:
    first, last = grid_range(year, month)
    entries = entries_between(owners, dt.datetime.combine(first, dt.time()),
                              dt.datetime.combine(last + DAY, dt.time()))
    return month_data(entries, owners, year, month)


_ENTRY_COLUMNS = (
    Activity.id, Activity.owner, Activity.created_by, Activity.starts_at, Activity.ends_at, Activity.all_day,
    Activity.method, Activity.customer_id, Activity.text, Activity.kilometres, Activity.per_diems,
    Activity.acknowledgement, Activity.kind,
)


def entries_between(owners: Iterable[str], start: dt.datetime, end: dt.datetime) -> list[Entry]:
    """What `calendar.entries_between` returns (the same rows, rights and order), read as tuples
    of the columns an entry needs: a month of 5,000 entries in a third of the time, because no
    model object is made for a row (tests compare the two)."""
    owners = [o for o in owners if calendar.may_use_calendar_of(o)]
    if not owners:
        return []
    rows = list(
        Activity.select(*_ENTRY_COLUMNS)
        .where(
            Activity.kind.in_(calendar.SHOWN_KINDS) & Activity.owner.in_(owners)
            & (Activity.starts_at < end) & (Activity.ends_at >= start)
        )
        .order_by(Activity.starts_at, Activity.id)
        .tuples()
    )
    ids = sorted({r[7] for r in rows if r[7]})
    names: dict[int, str] = {}
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        names.update(Customer.select(Customer.id, Customer.name).where(Customer.id.in_(part)).tuples())
    entries = []
    for (id_, owner, created_by, starts, ends, all_day, method, customer_id, text, km, per_diems, ack, kind) in rows:
        starts = starts or dt.datetime.min
        ends = ends or starts
        if ends < starts:
            ends = starts
        entries.append(Entry(
            id=id_, owner=owner, created_by=created_by, starts_at=starts, ends_at=ends, all_day=all_day == ALL_DAY,
            type=method, customer_id=customer_id, customer_name=names.get(customer_id, ""), comment=text or "",
            kilometres=km or "", per_diems=per_diems or "", done=kind == CALENDAR and ack == DONE,
            kind=CALENDAR if kind == CALENDAR else REMINDER,
        ))
    return entries


def weeks_of(year: int, month: int) -> list[list[dt.date]]:
    """The grid's weeks, each a list of seven days from Monday."""
    first, last = grid_range(year, month)
    weeks = []
    day = first
    while day <= last:
        weeks.append([day + dt.timedelta(days=i) for i in range(7)])
        day += dt.timedelta(days=7)
    return weeks


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), on the month's last day if it is shorter."""
    import calendar as _cal

    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    year = max(1, min(9999, year))
    return dt.date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


# -- a day in slots -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """A timed entry on a day: the slot rows it covers and its column among overlapping ones."""

    entry: Entry
    start_row: int
    end_row: int  # exclusive
    column: int
    columns: int  # columns of its group of overlapping entries (drawn ones only)
    from_before: bool  # started on an earlier day
    goes_on: bool  # ends on a later day


@dataclass(frozen=True)
class DayLayout:
    day: dt.date
    slot_minutes: int
    rows: int  # slots in the day
    whole_day: tuple[Entry, ...]
    placed: tuple[Placed, ...]  # drawn, by start
    hidden: Mapping[int, tuple[Entry, ...]]  # row -> entries starting there that did not fit
    order: tuple[Entry, ...]  # every entry of the day in cursor order

    def first_row(self) -> int | None:
        rows = [p.start_row for p in self.placed] + list(self.hidden)
        return min(rows) if rows else None

    def row_of(self, entry_id: int) -> int | None:
        for p in self.placed:
            if p.entry.id == entry_id:
                return p.start_row
        for row, entries in self.hidden.items():
            if any(e.id == entry_id for e in entries):
                return row
        return None


def day_layout(entries: Iterable[Entry], day: dt.date, slot_minutes: int, max_columns: int = 4) -> DayLayout:
    slot = max(1, int(slot_minutes))
    rows = -(-MINUTES_PER_DAY // slot)
    start_of_day = dt.datetime.combine(day, dt.time())
    whole: list[Entry] = []
    timed: list[tuple[int, int, Entry, bool, bool]] = []
    for e in entries:
        if not e.on_day(day):
            continue
        if whole_day_on(e, day):
            whole.append(e)
            continue
        from_before = e.starts_at < start_of_day
        goes_on = e.ends_at >= start_of_day + DAY
        start_min = 0 if from_before else (e.starts_at - start_of_day).seconds // 60
        end_min = MINUTES_PER_DAY if goes_on else int((e.ends_at - start_of_day).total_seconds() // 60)
        start_row = min(rows - 1, start_min // slot)
        end_row = min(rows, max(start_row + 1, -(-end_min // slot)))
        timed.append((start_row, end_row, e, from_before, goes_on))
    timed.sort(key=lambda t: (t[0], -t[1], t[2].starts_at, t[2].owner, t[2].id))

    placed: list[Placed] = []
    hidden: dict[int, list[Entry]] = {}
    group: list[tuple[int, int, Entry, bool, bool, int]] = []
    column_ends: list[int] = []
    group_end = -1

    def close_group() -> None:
        if not group:
            return
        used = min(max_columns, max(g[5] for g in group) + 1)
        for start_row, end_row, e, before, after, column in group:
            if column < max_columns:
                placed.append(Placed(e, start_row, end_row, column, used, before, after))
            else:
                hidden.setdefault(start_row, []).append(e)

    for start_row, end_row, e, before, after in timed:
        if start_row >= group_end:  # nothing open overlaps: a new group
            close_group()
            group, column_ends, group_end = [], [], -1
        for column, ends in enumerate(column_ends):
            if ends <= start_row:
                column_ends[column] = end_row
                break
        else:
            column = len(column_ends)
            column_ends.append(end_row)
        group.append((start_row, end_row, e, before, after, column))
        group_end = max(group_end, end_row)
    close_group()

    order = tuple(whole) + tuple(t[2] for t in timed)
    return DayLayout(day, slot, rows, tuple(whole), tuple(placed),
                     {row: tuple(es) for row, es in hidden.items()}, order)


# -- several users ----------------------------------------------------------------------------------


def user_letters(users: Sequence[CalendarUser]) -> dict[str, str]:
    """login -> one letter (or digit), different for each user: the first free letter of the
    user's name, then of the login, then any free letter."""
    letters: dict[str, str] = {}
    used: set[str] = set()
    for user in users:
        candidates = [c.upper() for c in (user.name or "") + user.login if c.isalnum()]
        candidates += [chr(c) for c in range(ord("A"), ord("Z") + 1)] + list("0123456789")
        for letter in candidates:
            if letter not in used:
                break
        else:
            letter = "?"
        used.add(letter)
        letters[user.login] = letter
    return letters


# -- dates typed by people --------------------------------------------------------------------------

_DAY_MONTH = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.?\s*$")


def parse_day(text: str, today: dt.date | None = None, field_name: str = "date") -> dt.date:
    """dd.mm.yyyy, yyyy-mm-dd, or dd.mm. (this year); ValidationError otherwise."""
    match = _DAY_MONTH.match(text or "")
    if match:
        year = (today or dt.date.today()).year
        try:
            return dt.date(year, int(match.group(2)), int(match.group(1)))
        except ValueError:
            raise ValidationError(f"{field_name}: {text.strip()!r} is not a date", field_name) from None
    return calendar.parse_date(text, field_name)
