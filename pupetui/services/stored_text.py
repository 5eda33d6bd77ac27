"""Text as Pupesoft can carry it: its input rule and its character set.

Pupesoft removes `" ' < > \\ ;` from every value a browser sends it (`pupe_register_globals` in
`inc/parametrit.inc`), and then trusts stored values: it prints them into HTML unescaped and
pastes them into SQL strings. A value with those characters that reached the database another
way (through pupetui) would be markup in a Pupesoft user's browser, or SQL in Pupesoft's next
query. So every text pupetui writes follows the same rule: `stored(text)` is the text as it will
be stored, without those six characters.

Pupesoft talks latin1 to MySQL (MySQL's latin1 is Windows-1252), so a character outside it
cannot be stored: MariaDB refuses a 4-byte one (an emoji) with an error, and shows others as
`?`. `unstorable(text)` lists such characters; `check(text, field)` refuses them with a
ValidationError naming the field and the characters, before anything is written, on every
database alike. Control characters (C0, DEL, C1) never reach the database: `stored` and
`check` remove them (newlines and tabs are kept, for multi-line fields; a single-line field
refuses those with `validation.check_no_control`). The TUI removes them from a paste already.
"""

from __future__ import annotations

import re
import unicodedata

from pupetui.i18n import _, N_
from pupetui.services.validation import ValidationError

REMOVED = "\"'<>\\;"
REMOVED_SHOWN = " ".join(REMOVED)  # for messages: " ' < > \ ;

_REMOVE = str.maketrans("", "", REMOVED)
# C0 but tab, line feed and carriage return; DEL; C1
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# MySQL's latin1 is Windows-1252 with its five unassigned bytes mapped to the C1 controls.
_LATIN1_EXTRA = frozenset("\x81\x8d\x8f\x90\x9d")

NOTE = N_('Pupesoft removes " \' < > \\ ; — will be stored as: {text}')
REFUSED = N_("{field}: {chars} cannot be stored in Pupesoft (its character set is Latin-1): remove it to save.")
REFUSED_NO_FIELD = N_("{chars} cannot be stored in Pupesoft (its character set is Latin-1): remove it to save.")


def stored(text: str) -> str:
    """`text` as Pupesoft's input rule leaves it (and as pupetui stores it), without control
    characters (line breaks and tabs kept): an ESC stored would drive the terminal of whoever
    reads the row (Pupesoft's users in a shell, pupetui's headless commands, other programs)."""
    return _CONTROLS.sub("", text).translate(_REMOVE) if text else text


def changes(text: str) -> bool:
    """True when storing `text` removes something from it."""
    return bool(text) and stored(text) != text


def _storable(char: str) -> bool:
    if char in _LATIN1_EXTRA:
        return True
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def unstorable(text: str) -> list[str]:
    """The distinct characters of `text` that Pupesoft's database cannot store, in order."""
    if not text or text.isascii():
        return []
    seen: list[str] = []
    for char in text:
        if char not in seen and not _storable(char):
            seen.append(char)
    return seen


def describe(chars: list[str]) -> str:
    """The characters for a message: each shown and named (`😀 (GRINNING FACE)`)."""
    parts = []
    for char in chars[:5]:
        name = unicodedata.name(char, f"U+{ord(char):04X}")
        shown = char if unicodedata.category(char)[0] not in "CZ" else ""
        parts.append(f"{shown} ({name})".strip() if shown else f"({name})")
    if len(chars) > 5:
        parts.append("…")
    return ", ".join(parts)


def refusal(text: str, label: str = "") -> str:
    """The message for a text with unstorable characters ('' when it has none)."""
    chars = unstorable(text)
    if not chars:
        return ""
    if label:
        return _(REFUSED).format(field=label, chars=describe(chars))
    return _(REFUSED_NO_FIELD).format(chars=describe(chars))


NOTE_WIDTH = 100


def note(text: str, width: int = NOTE_WIDTH) -> str:
    """The note shown under a field while typing: what storing removes ('' when nothing).

    The stored form is shown on one line; a long one from a little before its first removal."""
    if not changes(text):
        return ""
    shown = " ".join(stored(text).split())
    if len(shown) > width:
        first = next(i for i, c in enumerate(text) if c in REMOVED)
        start = max(0, len(" ".join(stored(text[:first]).split())) - width // 3)
        shown = ("…" if start else "") + shown[start:start + width] + ("…" if start + width < len(shown) else "")
    return _(NOTE).format(text=shown)


def check(text: str, field: str = "", label: str = "") -> str:
    """The stored form of `text`; ValidationError(field) if it has characters that cannot be stored.

    `label` names the field in the message (for a message shown away from the field)."""
    if text is None:
        return text
    text = _CONTROLS.sub("", text)
    message = refusal(text, label)
    if message:
        raise ValidationError(message, field)
    return stored(text)


def check_values(values: dict, fields: tuple[str, ...] | None = None, labels: dict[str, str] | None = None) -> dict:
    """`values` with each (or each of `fields`) text in its stored form; the first unstorable
    text raises ValidationError naming its key."""
    labels = labels or {}
    out = dict(values)
    for key in fields if fields is not None else tuple(values):
        value = out.get(key)
        if isinstance(value, str):
            out[key] = check(value, key, labels.get(key, ""))
    return out


EMAIL_SEMICOLON = N_("Separate the email addresses with a comma: Pupesoft removes ; (the addresses would run together).")


def check_email_separators(value: str, field: str = "email") -> None:
    """Addresses separated by `;` would be stored run together: refused, naming the field."""
    if ";" in (value or ""):
        raise ValidationError(_(EMAIL_SEMICOLON), field)


def labels(names: dict[str, str]) -> dict[str, str]:
    """Field labels (message ids) in the user's language, for the messages."""
    return {key: _(label) for key, label in names.items()}
