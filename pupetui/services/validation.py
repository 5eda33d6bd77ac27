"""Checks of user input shared by the forms; each failure is a ValidationError for a person."""

from __future__ import annotations

import re

import peewee

EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]{2,}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")


class ValidationError(ValueError):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def check_email(value: str, field: str = "email") -> None:
    for part in re.split(r"[,;]\s*", value.strip()):
        if part and not EMAIL.match(part):
            raise ValidationError(f"{part!r} is not an email address", field)


def check_country(value: str, field: str = "country") -> str:
    value = value.strip().upper()
    if value and not COUNTRY.match(value):
        raise ValidationError(f"country must be a two-letter code such as FI, not {value!r}", field)
    return value


def max_length(model: type[peewee.Model], field_name: str) -> int | None:
    field = model._meta.fields[field_name]
    return getattr(field, "max_length", None)


def fits(model: type[peewee.Model], field_name: str, value: str) -> None:
    limit = max_length(model, field_name)
    if limit is not None and len(value) > limit:
        raise ValidationError(f"{field_name}: at most {limit} characters ({len(value)} given)", field_name)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_no_control(value: str, field: str, *, multiline: bool = False) -> None:
    bad = _CONTROL.search(value) or (not multiline and ("\n" in value or "\r" in value))
    if bad:
        raise ValidationError(f"{field}: control characters are not allowed", field)
