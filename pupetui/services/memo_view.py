"""Read-only helpers for the customer memo screen: what it loads, in two steps, and the pickers.

The screen shows the header and the entries first (`load_first`), then fills its other tabs
(`load_rest`); both run in a worker thread and return plain dataclasses, so the screen never
touches the database itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from pupetui import db
from pupetui.models import User
from pupetui.services import auth, memo, sales


@dataclass(frozen=True)
class UserChoice:
    login: str
    name: str

    @property
    def label(self) -> str:
        name = (self.name or "").strip()
        return f"{name} ({self.login})" if name and name != self.login else self.login


@dataclass(frozen=True)
class FirstView:
    """What the memo shows at once: the customer, its contacts and its entries."""

    login: str
    header: memo.CustomerHeader
    status_choices: list[tuple[str, str]]
    contacts: list[memo.ContactInfo]
    own_only: bool
    entries: list[memo.Entry]


@dataclass(frozen=True)
class RestView:
    """The other tabs, and the choices of the entry forms."""

    discounts: list[memo.PriceRuleRow]
    prices: list[memo.PriceRuleRow]
    months: list[sales.MonthSales]
    calendar: list[memo.CalendarRow]
    methods: list[str]
    users: list[UserChoice]


def current_login() -> str:
    return db.current().user


def may_use_memo() -> bool:
    return auth.may_use("memo")


def active_users() -> list[UserChoice]:
    """Active staff (not extranet accounts), by name: who a reminder or a lead can go to."""
    rows = (
        User.select(User.login, User.name, User.extranet)
        .where((User.active != 0) & (User.login != ""))
        .order_by(User.name, User.login)
    )
    return [UserChoice(u.login, u.name or "") for u in rows if not (u.extranet or "").strip()]


def own_only_preference() -> bool:
    return memo.get_preference(memo.OWN_ENTRIES_PREFERENCE, "0") == "1"


def remember_own_only(own_only: bool) -> None:
    memo.set_preference(memo.OWN_ENTRIES_PREFERENCE, "1" if own_only else "0")


def load_first(customer_id: int, contact_id: int | None = None, show_deleted: bool = False) -> FirstView:
    own_only = own_only_preference()
    flt = memo.EntryFilter(own_only=own_only, contact_id=contact_id, show_deleted=show_deleted)
    return FirstView(
        login=current_login(),
        header=memo.header(customer_id),
        status_choices=memo.status_choices(),
        contacts=memo.contacts(customer_id),
        own_only=own_only,
        entries=memo.entries(customer_id, flt),
    )


def load_rest(customer_id: int, include_invalid: bool = False) -> RestView:
    return RestView(
        discounts=memo.discounts(customer_id, include_invalid=include_invalid),
        prices=memo.prices(customer_id, include_invalid=include_invalid),
        months=sales.monthly(customer_id, 24),
        calendar=memo.calendar_entries(customer_id),
        methods=memo.method_choices(),
        users=active_users(),
    )
