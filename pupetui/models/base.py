"""The base of every model: Pupesoft's key, company scoping and audit columns.

- `tunnus` is the key (`id`), `yhtio` the company (`company`).
- select/update/delete are scoped to the session's company; insert fills it.
- Every write fills the audit columns a table has (`laatija`/`luontiaika` on
  insert, `muuttaja`/`muutospvm` on every write) from the session's user.
- Every text written (CharField/TextField) follows Pupesoft's input rule
  (services/stored_text.py): `" ' < > \\ ;` removed, and a character Pupesoft's latin1
  database cannot store refused with a ValidationError naming the field before any SQL is
  sent, on every database. Columns marked `machine_data` (serialised data, SQL) are exempt.
  The services check their fields first (so the error names the form's field); this is the
  backstop no write path can bypass.
"""

from __future__ import annotations

import datetime as dt

import peewee

from pupetui import db
from pupetui.models.fields import CharField
from pupetui.services import stored_text

AUDIT_CREATED_BY = "created_by"
AUDIT_CREATED_AT = "created_at"
AUDIT_MODIFIED_BY = "modified_by"
AUDIT_MODIFIED_AT = "modified_at"


def now() -> dt.datetime:
    """The database's local time as Pupesoft stores it: naive, whole seconds."""
    return dt.datetime.now().replace(microsecond=0)


def _session_company() -> str:
    return db.current().company


class _Scoped:
    """A query that adds the session's company to its WHERE when its SQL is built.

    Added at build time (not with .where()) so that .orwhere() cannot widen it to other
    companies, and so that the company is the one of the session when the query runs.
    """

    def __sql__(self, ctx):
        where = self._where
        scope = self.model._scope()
        self._where = scope if where is None else (scope & where)
        try:
            return super().__sql__(ctx)
        finally:
            self._where = where


class ScopedSelect(_Scoped, peewee.ModelSelect):
    pass


class ScopedUpdate(_Scoped, peewee.ModelUpdate):
    pass


class ScopedDelete(_Scoped, peewee.ModelDelete):
    pass


class PupeModel(peewee.Model):
    id = peewee.AutoField(column_name="tunnus")
    company = CharField(5, column_name="yhtio", default=_session_company)

    class Meta:
        database = db.database
        legacy_table_names = False

    # -- scoping -------------------------------------------------------------
    @classmethod
    def _scope(cls):
        return cls.company == db.current().company

    @classmethod
    def select(cls, *fields):
        is_default = not fields
        return ScopedSelect(cls, fields or cls._meta.sorted_fields, is_default=is_default)

    @classmethod
    def select_all_companies(cls, *fields):
        """Unscoped: only for work that spans companies (setup, checks, group views)."""
        return super().select(*fields)

    @classmethod
    def update(cls, __data=None, **update):
        data = dict(__data or {})
        data.update(update)
        cls._fill_modified(data)
        return ScopedUpdate(cls, cls._stored_text(cls._normalize_data(data, None)))

    @classmethod
    def delete(cls):
        return ScopedDelete(cls)

    @classmethod
    def insert(cls, __data=None, **insert):
        data = dict(__data or {})
        data.update(insert)
        cls._fill_created(data)
        return super().insert(cls._stored_text(data))

    @classmethod
    def insert_many(cls, rows, fields=None):
        """Bulk insert; dict rows get company and audit columns filled like insert()."""
        if fields is None:
            rows = [cls._stored_text(cls._fill_created(dict(row))) for row in rows]
        else:
            text_fields = [cls._text_field(f) for f in fields]
            rows = [cls._stored_row(row, text_fields) if isinstance(row, (tuple, list))
                    else cls._stored_text(dict(row)) for row in rows]
        return super().insert_many(rows, fields)

    # -- Pupesoft's input rule --------------------------------------------------------
    @classmethod
    def _text_field(cls, key):
        """The text field `key` (a Field, a field name or a column name) names; None if not one."""
        field = key if isinstance(key, peewee.Field) else cls._meta.combined.get(key)
        if isinstance(field, (peewee.CharField, peewee.TextField)) and not getattr(field, "machine_data", False):
            return field
        return None

    @classmethod
    def _stored_text(cls, data: dict) -> dict:
        """`data` with each text as Pupesoft's input rule stores it; ValidationError (naming the
        field) for a character its database cannot store. Nothing is written before this."""
        for key, value in data.items():
            if isinstance(value, str) and value:
                field = cls._text_field(key)
                if field is not None:
                    data[key] = stored_text.check(value, field.name, field.name)
        return data

    @classmethod
    def _stored_row(cls, row, text_fields) -> tuple:
        return tuple(
            stored_text.check(value, field.name, field.name) if field is not None and isinstance(value, str) and value else value
            for value, field in zip(row, text_fields)
        ) + tuple(row[len(text_fields):])

    # -- audit -----------------------------------------------------------------
    @classmethod
    def _key(cls, data: dict, name: str):
        field = cls._meta.fields.get(name)
        if field is None:
            return None, False
        present = name in data or field in data
        return field, present

    @classmethod
    def _fill_created(cls, data: dict) -> dict:
        session = db.current()
        stamp = now()
        for name, value in (
            ("company", session.company),
            (AUDIT_CREATED_BY, session.user),
            (AUDIT_CREATED_AT, stamp),
            (AUDIT_MODIFIED_BY, session.user),
            (AUDIT_MODIFIED_AT, stamp),
        ):
            field, present = cls._key(data, name)
            if field is not None and not present:
                data[name] = value
        return data

    @classmethod
    def _fill_modified(cls, data: dict) -> dict:
        session = db.current()
        for name, value in ((AUDIT_MODIFIED_BY, session.user), (AUDIT_MODIFIED_AT, now())):
            field, present = cls._key(data, name)
            if field is not None and not present:
                data[name] = value
        return data

    def save(self, force_insert=False, only=None):
        session = db.current()
        stamp = now()
        fields = self._meta.fields
        inserting = force_insert or self.id is None
        if inserting:
            if not self.company:
                self.company = session.company
            if AUDIT_CREATED_BY in fields and not getattr(self, AUDIT_CREATED_BY):
                setattr(self, AUDIT_CREATED_BY, session.user)
            if AUDIT_CREATED_AT in fields and getattr(self, AUDIT_CREATED_AT) is None:
                setattr(self, AUDIT_CREATED_AT, stamp)
        if AUDIT_MODIFIED_BY in fields:
            setattr(self, AUDIT_MODIFIED_BY, session.user)
        if AUDIT_MODIFIED_AT in fields:
            setattr(self, AUDIT_MODIFIED_AT, stamp)
        if only is not None:
            only = list(only) + [fields[n] for n in (AUDIT_MODIFIED_BY, AUDIT_MODIFIED_AT) if n in fields]
        # The instance shows what is stored: its texts in their stored form before the write.
        self.__data__.update(self._stored_text(dict(self.__data__)))
        return super().save(force_insert=force_insert, only=only)
