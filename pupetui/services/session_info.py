"""Who is working, as plain strings for the screens: company and user names, allowed programs."""

from __future__ import annotations

from dataclasses import dataclass

from pupetui import db
from pupetui.models import Company, User
from pupetui.services import auth
from pupetui.services.programs import Program


@dataclass(frozen=True)
class SessionInfo:
    company: str  # yhtio
    company_name: str  # yhtio.nimi ('' when the company row is missing)
    login: str  # kuka.kuka
    user_name: str  # kuka.nimi
    programs: tuple[Program, ...]  # the CRM programs the user has a right to, in menu order

    @property
    def company_label(self) -> str:
        return company_label(self.company, self.company_name)

    @property
    def user_label(self) -> str:
        name = self.user_name.strip()
        return f"{name} ({self.login})" if name and name != self.login else self.login

    @property
    def label(self) -> str:
        """E.g. 'Demo Oy (demo) — Matti Myyjä (matti)'."""
        return f"{self.company_label} — {self.user_label}"

    def may_use(self, program_id: str) -> bool:
        return any(p.id == program_id for p in self.programs)


def company_label(company: str, name: str) -> str:
    name = (name or "").strip()
    return f"{name} ({company})" if name and name != company else company


def company_name(company: str) -> str:
    """The name of `company` (before anyone has logged in, for the login screen)."""
    row = Company.select_all_companies(Company.name).where(Company.company == company).first()
    return (row.name or "") if row else ""


def current() -> SessionInfo:
    """The logged-in session's company, user and programs."""
    session = db.current()
    company = Company.select(Company.name).first()
    user = User.select(User.name).where(User.login == session.user).first()
    return SessionInfo(
        company=session.company,
        company_name=(company.name or "") if company else "",
        login=session.user,
        user_name=(user.name or "") if user else "",
        programs=tuple(auth.allowed_programs(session.user)),
    )


def is_logged_in() -> bool:
    return db.has_session()
