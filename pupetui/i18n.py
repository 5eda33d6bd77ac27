"""Finnish and English: texts from gettext catalogs, dates and numbers from Babel's locale data.

Message ids are English.  The catalogs are `locale/<lang>/LC_MESSAGES/pupetui.po` (and one
per program), read at first use as Babel reads them (no compile step, so the `.po` file is the
one source of truth); an English message without a translation shows its id.

Formats (one process serves one user, so the language is process-wide):

- `format_date`:     fi `26.11.2026` (always two-digit day and month, so columns line up, as
  Pupesoft shows dates); en `2026-11-26` (ISO 8601: unambiguous for readers anywhere, where
  Babel's `en` short format would be the US `11/26/26`).
- `format_datetime`: the date, a space and `14:05` (24-hour clock in both languages; with
  `seconds=True` `14:05:09`).
- `format_decimal`:  fi `1 234,50` (no-break space U+00A0 between groups, decimal comma);
  en `1,234.50`.  Rounded half up, as Pupesoft (PHP's round) does, with the ASCII minus.

`None` (a zero date read from Pupesoft, an empty number) formats as the empty string.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Iterator, Mapping

LANGUAGES = ("fi", "en")
DEFAULT_LANGUAGE = "en"
DOMAIN = "pupetui"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_DATE_PATTERNS = {"fi": "dd.MM.yyyy", "en": "yyyy-MM-dd"}
_TIME_PATTERN = "HH:mm"
_TIME_PATTERN_SECONDS = "HH:mm:ss"

_language = DEFAULT_LANGUAGE
_catalogs: dict[str, dict[str, str]] = {}
_lock = threading.Lock()


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalog_paths(lang: str) -> list[Path]:
    """The shell's catalog first, then one per program (`customers.po`, `memo.po`, ...)."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    main = catalog_path(lang)
    others = sorted(p for p in folder.glob("*.po") if p != main)
    return ([main] if main.is_file() else []) + others


def _normalize(lang: str) -> str | None:
    code = (lang or "").strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    return code if code in LANGUAGES else None


def set_language(lang: str) -> None:
    """Use `lang` ('fi' or 'en'; 'fi_FI.UTF-8' and the like are accepted) from now on."""
    global _language
    code = _normalize(lang)
    if code is None:
        raise ValueError(f"unsupported language {lang!r}: use one of {', '.join(LANGUAGES)}")
    _load(code)
    _language = code


def current_language() -> str:
    return _language


def language_from_locale(environ: Mapping[str, str] | None = None) -> str:
    """'fi' when the locale (LC_ALL, else LC_MESSAGES, else LANG) is Finnish, else 'en'."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return "fi" if value.lower().startswith("fi") else "en"
    return DEFAULT_LANGUAGE


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: _ESCAPES[m[1]], text)


_ESCAPE = re.compile(r'\\([\\trn"])')
_ESCAPES = {"\\": "\\", '"': '"', "t": "\t", "r": "\r", "n": "\n"}
_PO_LINE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"\s*$')


def read_po_texts(path: Path) -> Iterator[tuple[str, str]]:
    """(message id, text) of each translated message of a .po file, as Babel's `read_po` reads
    them (fuzzy, plural, obsolete and untranslated messages and the header left out).

    Babel's reader and its imports cost some 30 ms at every start; this one reads the forms
    of the PO format the catalogs use (tests/test_i18n.py checks it against Babel's).
    """
    entry: dict[str, str] = {}
    fuzzy = next_fuzzy = False
    field = ""

    def finish() -> Iterator[tuple[str, str]]:
        msgid, msgstr = entry.get("msgid"), entry.get("msgstr")
        if msgid and msgstr and not fuzzy and "msgid_plural" not in entry:
            yield msgid, msgstr

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            if "msgstr" in entry or any(k.startswith("msgstr[") for k in entry):
                yield from finish()
                entry, fuzzy, field = {}, False, ""
            if line.startswith("#,") and "fuzzy" in (f.strip() for f in line[2:].split(",")):
                next_fuzzy = True
            continue
        if line.startswith('"') and line.endswith('"') and len(line) >= 2 and field:
            entry[field] += _unescape(line[1:-1])
            continue
        match = _PO_LINE.match(line)
        if not match:
            continue  # not a form the catalogs use: ignored, as the test against Babel shows
        keyword, value = match[1], _unescape(match[2])
        if keyword in ("msgctxt", "msgid") and ("msgstr" in entry or any(k.startswith("msgstr[") for k in entry)):
            yield from finish()
            entry, fuzzy = {}, False
        if keyword in ("msgctxt", "msgid") and not entry:
            fuzzy, next_fuzzy = next_fuzzy, False
        field = keyword
        entry[field] = value
    yield from finish()


def _read_catalog(lang: str) -> dict[str, str]:
    texts: dict[str, str] = {}
    for path in catalog_paths(lang):
        for msgid, msgstr in read_po_texts(path):
            texts.setdefault(msgid, msgstr)
    return texts


def _load(lang: str) -> dict[str, str]:
    texts = _catalogs.get(lang)
    if texts is None:
        with _lock:
            texts = _catalogs.get(lang)
            if texts is None:
                texts = _catalogs[lang] = _read_catalog(lang)
    return texts


def gettext(msgid: str) -> str:
    """The text of `msgid` in the current language (the id itself when not translated)."""
    return _load(_language).get(msgid, msgid)


_ = gettext


def N_(msgid: str) -> str:
    """Mark `msgid` for the catalogs without translating it now (translate it when shown)."""
    return msgid


# -- dates and numbers ---------------------------------------------------------------------


def format_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    from babel.dates import format_date as babel_format_date

    if isinstance(value, dt.datetime):
        value = value.date()
    return babel_format_date(value, _DATE_PATTERNS[_language], locale=_language)


def format_time(value: dt.time | dt.datetime | None, *, seconds: bool = False) -> str:
    if value is None:
        return ""
    from babel.dates import format_time as babel_format_time

    pattern = _TIME_PATTERN_SECONDS if seconds else _TIME_PATTERN
    return babel_format_time(value, pattern, locale=_language)


def format_datetime(value: dt.datetime | dt.date | None, *, seconds: bool = False) -> str:
    if value is None:
        return ""
    if not isinstance(value, dt.datetime):
        return format_date(value)
    return f"{format_date(value)} {format_time(value, seconds=seconds)}"


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None


def format_decimal(value: object, places: int = 2) -> str:
    """`value` with `places` decimals and grouped thousands, in the current language."""
    if value is None or value == "":
        return ""
    from babel.numbers import format_decimal as babel_format_decimal

    number = _to_decimal(value)
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    places = max(0, int(places))
    quantum = Decimal(1).scaleb(-places)
    number = number.quantize(quantum, rounding=ROUND_HALF_UP)
    if number == 0:
        number = abs(number)  # no "-0,00"
    pattern = "#,##0" + ("." + "0" * places if places else "")
    text = babel_format_decimal(number, format=pattern, locale=_language, decimal_quantization=True)
    return text.replace("\u2212", "-")
