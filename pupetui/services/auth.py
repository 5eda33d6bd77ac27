"""Who may use pupetui and which programs: users (kuka), passwords and rights (oikeu)."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from typing import Callable

import peewee

from pupetui import db
from pupetui.i18n import _
from pupetui.models import Company, Permission, User
from pupetui.services import login_guard
from pupetui.services.programs import BY_ID, PROGRAMS, Program

FAILED_LOGIN_DELAY = 1.0  # seconds: slows guessing, says nothing of what was wrong


class AccessDenied(Exception):
    """The user may not do this; the message is for a person."""


def md5_hex(password: str) -> str:
    return hashlib.md5(password.encode("utf-8")).hexdigest()


def find_user(company: str, login: str) -> User | None:
    with db.session(company, login):
        return User.get_or_none(User.login == login)


def is_usable(user: User | None) -> bool:
    """Active staff: not deactivated, not an extranet (customer) account."""
    return user is not None and bool(user.active) and not (user.extranet or "").strip()


def check_password(user: User | None, password: str) -> bool:
    expected = (user.password_md5 if user is not None else "") or ""
    given = md5_hex(password)
    # compare even for an unknown user, so the time does not tell which was wrong
    return hmac.compare_digest(expected.lower().encode(), given.encode()) and user is not None


def companies() -> list[Company]:
    return list(Company.select_all_companies().order_by(Company.company))


def default_company() -> str:
    first = Company.select_all_companies(Company.company).order_by(Company.id).first()
    return first.company if first else ""


class LoginFailed(AccessDenied):
    pass


class LoginLocked(LoginFailed):
    """Too many failed logins of the user or from the address: the password was not checked."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(LOGIN_LOCKED)
        self.retry_after = retry_after


LOGIN_REFUSED = "Login refused: wrong user name or password, or the user may not log in."
LOGIN_LOCKED = "Too many failed logins: try again later."


def login(company: str, login_name: str, password: str | None, *, mode: str, delay: float = FAILED_LOGIN_DELAY,
          guard: login_guard.LoginGuard | None = None, address: str = "",
          wait: Callable[[float], object] = time.sleep, announce: Callable[[float], object] | None = None) -> User:
    """Start the session of `login_name` in `company`; LoginFailed (after a delay) when refused.

    With mode 'none' the password is not asked (the OS or SSH has authenticated the user),
    but the user must still exist and be active.  With a `guard` (mode 'password'), the attempt
    is counted first (LoginLocked, at once, when the user or the client `address` has failed too
    often) and a refusal waits the longer of `delay` and the guard's growing delay; `wait` does
    the waiting (a screen gives one it can cut short when it closes); `announce` is told the
    guard's delay before the password is checked, whatever the outcome, so it tells nothing.
    """
    attempt = None
    if guard is not None and mode == "password":
        try:
            attempt = guard.begin(login_guard.user_key(company, login_name), address)
        except login_guard.Locked as exc:
            raise LoginLocked(exc.retry_after) from None
        if announce is not None and delay:
            announce(max(delay, attempt.delay))
    try:
        user = find_user(company, login_name)
    except Exception:
        if attempt is not None:  # the database failed, not the password: not a failure
            guard.forget(attempt)  # type: ignore[union-attr]
        raise
    ok = is_usable(user)
    if mode == "password":
        ok = check_password(user, password or "") and ok
    if not ok:
        pause = max(delay, attempt.delay if attempt is not None and delay else 0.0)
        if pause:
            wait(pause)
        raise LoginFailed(LOGIN_REFUSED)
    if attempt is not None:
        guard.succeeded(attempt)  # type: ignore[union-attr]
    db.start_session(company, login_name)
    return user  # type: ignore[return-value]


def _permission_rows(login_name: str, program: Program) -> peewee.ModelSelect:
    rows = Permission.select().where((Permission.login == login_name) & (Permission.script.endswith(program.script)))
    if program.maintenance:  # the sub-names are read in Python, as Pupesoft's SQL reads them
        return rows.where(Permission.subname.startswith(program.subnames[0]))
    return rows.where(Permission.subname.in_(program.subnames))


def grants_maintenance(subname: str, table: str) -> bool:
    """Whether an oikeu.alanimi grants Pupesoft's yllapito.php?toim=`table`.

    Pupesoft opens the page when the alanimi up to its first '&' is the toim
    (inc/functions.inc tarkista_oikeus), and its CRM pages link the maintenance for 'asiakas'
    or an alias set 'asiakas!!!X' (tarkista_oikeus(..., "asiakas%")); MariaDB compares without
    case and trailing spaces.
    """
    name = (subname or "").rstrip().lower()
    table = table.lower()
    return name.split("&", 1)[0] == table or name.startswith(table + "!!!")


def _granted(login_name: str, program: Program) -> list[Permission]:
    rows = list(_permission_rows(login_name, program))
    if program.maintenance:
        rows = [r for r in rows if grants_maintenance(r.subname, program.subnames[0])]
    return rows


def may_use(program: Program | str, login_name: str | None = None) -> bool:
    program = BY_ID[program] if isinstance(program, str) else program
    login_name = login_name or db.current().user
    return bool(_granted(login_name, program))


def may_update(program: Program | str, login_name: str | None = None) -> bool:
    """The right with Pupesoft's update flag (oikeu.paivitys = '1'): may save, not just look."""
    program = BY_ID[program] if isinstance(program, str) else program
    login_name = login_name or db.current().user
    return any((r.may_update or "").strip() == "1" for r in _granted(login_name, program))


def subnames(program: Program | str, login_name: str | None = None) -> set[str]:
    """The alanimi levels the user has for a program (e.g. {'', 'SUPER'} for the SQL search)."""
    program = BY_ID[program] if isinstance(program, str) else program
    login_name = login_name or db.current().user
    return {p.subname for p in _granted(login_name, program)}


def allowed_programs(login_name: str | None = None) -> list[Program]:
    """The CRM programs the user has a right to, in menu order, in one query."""
    login_name = login_name or db.current().user
    rows = Permission.select(Permission.script, Permission.subname).where(Permission.login == login_name)
    granted = [(r.script, r.subname) for r in rows]
    return [
        p
        for p in PROGRAMS
        if any(script.endswith(p.script) and sub in p.subnames for script, sub in granted)
    ]


def require(program: Program | str, login_name: str | None = None) -> None:
    program = BY_ID[program] if isinstance(program, str) else program
    if not may_use(program, login_name):
        user = login_name or db.current().user
        raise AccessDenied(f"{user} has no right to {program.title_key} ({program.script})")


def require_update(program: Program | str, login_name: str | None = None) -> None:
    """AccessDenied, in the user's language, unless the right has the update flag."""
    program = BY_ID[program] if isinstance(program, str) else program
    if may_update(program, login_name):
        return
    where = f"{program.script}?toim={program.subnames[0]}" if program.maintenance else program.script
    raise AccessDenied(
        _("You may not save this: it needs the right to {program} ({where}) with the update flag (paivitys).").format(
            program=_(program.title_key), where=where)
    )
