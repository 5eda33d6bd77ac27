"""Field types that follow Pupesoft's conventions.

Pupesoft stores "no date" as the zero date `0000-00-00` (`0000-00-00 00:00:00`),
and many of its date columns are NOT NULL without a default.  These fields read a
zero date as None, and write None as the zero date on MySQL/MariaDB and SQLite,
and as NULL on PostgreSQL (whose date types have no zero date; pupetui's own
schema there has those columns nullable).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import peewee

ZERO_DATE = "0000-00-00"
ZERO_DATETIME = "0000-00-00 00:00:00"


def _no_value():
    return None


def _is_postgres(field: peewee.Field) -> bool:
    model = getattr(field, "model", None)
    db = model._meta.database if model is not None else None
    db = getattr(db, "obj", db)
    return isinstance(db, peewee.PostgresqlDatabase)


def _is_zero(value) -> bool:
    return isinstance(value, str) and (value == "" or value.startswith("0000-00-00"))


class NoDateField(peewee.DateField):
    """A date that may be Pupesoft's zero date (read as None)."""

    zero = ZERO_DATE

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("null", True)
        kwargs.setdefault("default", _no_value)
        super().__init__(*args, **kwargs)

    def db_value(self, value):
        if value is None or _is_zero(value):
            return None if _is_postgres(self) else self.zero
        if isinstance(value, dt.datetime):
            value = value.date()
        return super().db_value(value)

    def python_value(self, value):
        if value is None or _is_zero(value):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        return super().python_value(value)

    def empty(self):
        """An expression true where the row has no date."""
        if _is_postgres(self):
            return self.is_null()
        return (self == peewee.Value(self.zero, converter=False)) | self.is_null()


class NoDateTimeField(peewee.DateTimeField):
    """A datetime that may be Pupesoft's zero datetime (read as None); whole seconds."""

    zero = ZERO_DATETIME

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("null", True)
        kwargs.setdefault("default", _no_value)
        super().__init__(*args, **kwargs)

    def db_value(self, value):
        if value is None or _is_zero(value):
            return None if _is_postgres(self) else self.zero
        if isinstance(value, dt.datetime):
            value = value.replace(microsecond=0, tzinfo=None)
            if not _is_postgres(self):
                return value.strftime("%Y-%m-%d %H:%M:%S")
        elif isinstance(value, dt.date):
            value = dt.datetime.combine(value, dt.time())
            if not _is_postgres(self):
                return value.strftime("%Y-%m-%d %H:%M:%S")
        return super().db_value(value)

    def python_value(self, value):
        if value is None or _is_zero(value):
            return None
        if isinstance(value, str):
            try:
                return dt.datetime.fromisoformat(value)
            except ValueError:
                return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return dt.datetime.combine(value, dt.time())
        return super().python_value(value)

    def empty(self):
        if _is_postgres(self):
            return self.is_null()
        return (self == peewee.Value(self.zero, converter=False)) | self.is_null()


class TextField(peewee.TextField):
    """Pupesoft's TEXT columns are mostly nullable without a default; write '' for None.

    `machine_data=True` marks a column whose values pupetui (or Pupesoft's own code) writes in a
    format of its own (serialised data, SQL), exempt from Pupesoft's input rule (see
    PupeModel._stored_text); every other text written follows it."""

    def __init__(self, *args, machine_data: bool = False, **kwargs):
        kwargs.setdefault("null", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)
        self.machine_data = machine_data

    def python_value(self, value):
        return "" if value is None else super().python_value(value)


class CharField(peewee.CharField):
    """VARCHAR NOT NULL DEFAULT '' as Pupesoft has nearly all of them (`machine_data`: as TextField)."""

    def __init__(self, max_length=255, *args, machine_data: bool = False, **kwargs):
        kwargs.setdefault("default", "")
        kwargs.setdefault("constraints", [peewee.SQL("DEFAULT ''")])
        super().__init__(max_length, *args, **kwargs)
        self.machine_data = machine_data

    def python_value(self, value):
        return "" if value is None else super().python_value(value)


class IntegerField(peewee.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", 0)
        kwargs.setdefault("constraints", [peewee.SQL("DEFAULT 0")])
        super().__init__(*args, **kwargs)


class BigIntegerField(peewee.BigIntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", 0)
        kwargs.setdefault("constraints", [peewee.SQL("DEFAULT 0")])
        super().__init__(*args, **kwargs)


class DecimalField(peewee.DecimalField):
    """Money and quantities as Decimal, never float."""

    def __init__(self, max_digits=12, decimal_places=2, *args, **kwargs):
        kwargs.setdefault("default", Decimal("0"))
        kwargs.setdefault("constraints", [peewee.SQL("DEFAULT 0")])
        kwargs.setdefault("auto_round", True)
        kwargs.setdefault("rounding", ROUND_HALF_UP)
        super().__init__(max_digits, decimal_places, *args, **kwargs)

    def python_value(self, value):
        if value is None:
            return Decimal("0")
        if isinstance(value, float):
            value = Decimal(repr(value))
        value = super().python_value(value)
        if isinstance(value, Decimal) and value.is_finite():
            value = value.quantize(Decimal(1).scaleb(-self.decimal_places), rounding=ROUND_HALF_UP)
        return value
