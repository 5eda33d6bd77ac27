"""Keywords (avainsana) as Pupesoft reads them (inc/functions.inc t_avainsana): the rows of a kind
in the company's language (yhtio.kieli) or in none, by jarjestys and then selite.

Pupesoft keeps a translation of a keyword as a row of its own (the same `perhe`, another `kieli`):
those rows are translations, not more keywords, so a list never shows them."""

from __future__ import annotations

from pupetui import db
from pupetui.models import Company, Keyword

DEFAULT_LANGUAGE = "fi"


def company_language() -> str:
    company = Company.get_or_none(Company.company == db.current().company)
    return ((company.language if company else "") or DEFAULT_LANGUAGE).strip().lower()


def company_query(kind: str):
    """The keywords of `kind` Pupesoft lists (a query: more conditions may be added)."""
    language = company_language()  # MySQL compares it without case, as Pupesoft's query does
    return Keyword.select().where((Keyword.kind == kind) & Keyword.language.in_([language, language.upper(), ""]))


def company_rows(kind: str) -> list[Keyword]:
    return list(company_query(kind).order_by(Keyword.order, Keyword.value, Keyword.id))


def exists(kind: str, value: str) -> bool:
    return company_query(kind).where(Keyword.value == value).exists()


def text_exists(kind: str, text: str) -> bool:
    return company_query(kind).where(Keyword.text == text).exists()
