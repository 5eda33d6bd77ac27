"""A service's refusal as a sentence in the user's language.

The services speak English ("date: '32.1.2026' is not a date"); each form keeps a table of
(pattern, message id) pairs for the refusals it knows and calls `translate_refusal`. Anything
the table does not know is shown in the service's own words, as a sentence.
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from pupetui.i18n import _
from pupetui.services import failures
from pupetui.services.auth import AccessDenied
from pupetui.services.validation import ValidationError
from pupetui.widgets.literal import printable

Refusals = Sequence[tuple[re.Pattern[str], str]]


def translate_refusal(exc: BaseException, refusals: Refusals, *, failed: str,
                      field_names: Mapping[str, str] | None = None, capitalize: bool = True) -> str:
    """`failed` is the message id for an error that is not a refusal (its `{error}` gets the
    text); a template may use `{value}`, `{error}`, `{field}` (translated by `field_names`) and
    any other named group of its pattern;
    `capitalize=False` keeps a template that starts with a value (a login) as it is."""
    if failures.is_database_error(exc):  # a sentence of its own: no "failed: " before it
        return failures.sentence(exc)
    if not isinstance(exc, (ValidationError, AccessDenied)):
        return _(failed).format(error=failures.sentence(exc))
    text = printable(str(exc)).strip()
    field_names = field_names or {}
    for pattern, template in refusals:
        match = pattern.match(text)
        if match:
            groups = match.groupdict()
            field = groups.get("field")
            values = {k: v or "" for k, v in groups.items()}
            values.update(
                field=_(field_names[field]) if field in field_names else (field or ""),
                value=groups.get("value") or "",
                error=groups.get("error") or "",
            )
            sentence = _(template).format(**values)
            return sentence[:1].upper() + sentence[1:] if capitalize else sentence
    sentence = text[:1].upper() + text[1:]
    return sentence if sentence.endswith((".", "!", "?")) else sentence + "."
