"""Rows as an older program (or a data import) left them: past pupetui's text rule.

pupetui writes every text as Pupesoft's input rule leaves it (services/stored_text.py), but a
Pupesoft database may hold rows written another way, with quotes, `<` or `;` in them. Tests of
reading such rows (literal matching, showing them as text) seed them with `legacy_create`,
which inserts the values as given: company and audit columns filled, nothing cleaned.
"""

from __future__ import annotations

import peewee

from pupetui import db
from pupetui.models.base import PupeModel


def legacy_create(model: type[PupeModel], **values) -> int:
    """Insert a row of `model` with `values` exactly as given; its id."""
    data = model._fill_created(dict(values))
    for name, field in model._meta.fields.items():
        if name not in data and field.default is not None and not isinstance(field, peewee.AutoField):
            data[name] = field.default() if callable(field.default) else field.default
    data.setdefault("company", db.current().company)
    return peewee.ModelInsert(model, model._normalize_data(None, data)).execute()


def legacy_update(model: type[PupeModel], where, **values) -> int:
    """Update rows of `model` (of the session's company) matching `where` with `values` exactly as given."""
    query = peewee.ModelUpdate(model, model._normalize_data(None, values))
    return query.where(where & (model.company == db.current().company)).execute()
