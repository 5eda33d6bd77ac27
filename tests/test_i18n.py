"""Finnish and English: catalogs complete, language from the locale, Finnish dates and numbers."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from pupetui import i18n
from pupetui.services import auth
from pupetui.services.programs import BY_ID

PACKAGE = Path(i18n.__file__).resolve().parent
NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.set_language("en")


def source_messages() -> dict[str, str]:
    """Every message id the code marks with _() or N_(), and where."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(PACKAGE),
        method_map=[("**.py", "python")],
        keywords={"_": None, "N_": None, "gettext": None},
    ):
        if isinstance(message, str):
            found.setdefault(message, f"{filename}:{lineno}")
    return found


def data_messages() -> set[str]:
    """Message ids that are data rather than literals in _(): program titles, the login refusal."""
    return {p.title_key for p in BY_ID.values()} | {auth.LOGIN_REFUSED}


def catalog(lang: str) -> list:
    """Every message of every catalog file of `lang` (the shell's and each program's)."""
    messages = []
    for path in i18n.catalog_paths(lang):
        with path.open("rb") as fh:
            messages.extend(read_po(fh, locale=lang))
    return messages


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_every_text_of_the_code_is_in_the_catalog(lang):
    ids = {m.id for m in catalog(lang) if m.id and m.string}
    missing = {m: where for m, where in source_messages().items() if m not in ids}
    missing.update({m: "data" for m in data_messages() if m not in ids})
    assert not missing, (
        f"add these to a catalog in pupetui/locale/{lang}/LC_MESSAGES/ with a translation:\n"
        + "\n".join(f"  {where}: {m!r}" for m, where in sorted(missing.items(), key=lambda i: i[1]))
    )


def test_placeholders_match_in_the_finnish_texts():
    for message in catalog("fi"):
        if message.id and message.string:
            assert set(re.findall(r"{\w*}", message.id)) == set(re.findall(r"{\w*}", message.string)), message.id


def test_the_catalogs_have_no_fuzzy_or_duplicate_entries():
    for lang in ("fi", "en"):
        messages = [m for m in catalog(lang) if m.id]
        assert not [m.id for m in messages if m.fuzzy]
        assert len({m.id for m in messages}) == len(messages)


def test_texts_in_both_languages():
    i18n.set_language("fi")
    assert i18n.current_language() == "fi"
    assert i18n._("Main menu") == "Päävalikko"
    assert i18n._("Customer list") == "Asiakaslista"
    assert i18n._(auth.LOGIN_REFUSED).startswith("Kirjautuminen hylättiin")
    assert i18n._("no such text") == "no such text"  # an untranslated text shows its id
    i18n.set_language("en")
    assert i18n.current_language() == "en"
    assert i18n._("Main menu") == "Main menu"
    assert i18n.N_("Main menu") == "Main menu"


def test_set_language_accepts_locale_names_and_refuses_others():
    i18n.set_language("fi_FI.UTF-8")
    assert i18n.current_language() == "fi"
    i18n.set_language("EN-gb")
    assert i18n.current_language() == "en"
    with pytest.raises(ValueError):
        i18n.set_language("sv")
    assert i18n.current_language() == "en"


@pytest.mark.parametrize(
    "environ, expected",
    [
        ({"LANG": "fi_FI.UTF-8"}, "fi"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LC_ALL": "fi_FI.UTF-8", "LANG": "en_US.UTF-8"}, "fi"),
        ({"LC_ALL": "C", "LANG": "fi_FI.UTF-8"}, "en"),
        ({"LC_MESSAGES": "fi_FI", "LANG": "C"}, "fi"),
        ({"LC_ALL": "", "LC_MESSAGES": "", "LANG": "fi"}, "fi"),
        ({"LANG": "sv_FI.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_language_from_locale(environ, expected):
    assert i18n.language_from_locale(environ) == expected


def test_dates():
    day = dt.date(2026, 11, 26)
    early = dt.date(2026, 1, 5)
    moment = dt.datetime(2026, 11, 26, 14, 5, 9)
    i18n.set_language("fi")
    assert i18n.format_date(day) == "26.11.2026"
    assert i18n.format_date(early) == "05.01.2026"
    assert i18n.format_date(moment) == "26.11.2026"
    assert i18n.format_datetime(moment) == "26.11.2026 14:05"
    assert i18n.format_datetime(moment, seconds=True) == "26.11.2026 14:05:09"
    assert i18n.format_datetime(day) == "26.11.2026"
    assert i18n.format_time(dt.time(8, 0)) == "08:00"
    i18n.set_language("en")
    assert i18n.format_date(day) == "2026-11-26"
    assert i18n.format_date(early) == "2026-01-05"
    assert i18n.format_datetime(moment) == "2026-11-26 14:05"
    for lang in ("fi", "en"):  # Pupesoft's zero date is read as None: shown empty
        i18n.set_language(lang)
        assert i18n.format_date(None) == i18n.format_datetime(None) == i18n.format_time(None) == ""


def test_decimals():
    i18n.set_language("fi")
    assert i18n.format_decimal(Decimal("1234.5")) == f"1{NBSP}234,50"
    assert i18n.format_decimal(Decimal("-1234567.891")) == f"-1{NBSP}234{NBSP}567,89"
    assert i18n.format_decimal(1234, places=0) == f"1{NBSP}234"
    assert i18n.format_decimal("0.125") == "0,13"  # half up, as Pupesoft rounds
    assert i18n.format_decimal(2.675) == "2,68"  # the float as written, not its binary value
    assert i18n.format_decimal(Decimal("-0.001")) == "0,00"  # no negative zero
    assert i18n.format_decimal(Decimal("12.3456"), places=3) == "12,346"
    assert i18n.format_decimal(None) == ""
    i18n.set_language("en")
    assert i18n.format_decimal(Decimal("1234.5")) == "1,234.50"
    assert i18n.format_decimal(Decimal("-1234567.891")) == "-1,234,567.89"
    assert i18n.format_decimal(0) == "0.00"
    with pytest.raises(ValueError):
        i18n.format_decimal("abc")
    with pytest.raises(ValueError):
        i18n.format_decimal(float("nan"))


def test_i18n_does_not_import_textual():
    source = (PACKAGE / "i18n.py").read_text()
    assert "textual" not in source and "import rich" not in source


def _babel_texts(path, lang):
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=i18n.DOMAIN)
    return {
        m.id: m.string
        for m in catalog
        if m.id and not m.fuzzy and not isinstance(m.id, tuple) and isinstance(m.string, str) and m.string
    }


def test_catalogs_read_as_babel_reads_them():
    """pupetui reads its catalogs without Babel (a faster start): every catalog, and a file with
    every form of the PO format, gives the texts Babel's reader gives."""
    for lang in i18n.LANGUAGES:
        for path in i18n.catalog_paths(lang):
            assert dict(i18n.read_po_texts(path)) == _babel_texts(path, lang), path


def test_po_forms_read_as_babel_reads_them(tmp_path):
    path = tmp_path / "forms.po"
    path.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        '# a comment\n#: pupetui/x.py:1\nmsgid "Plain"\nmsgstr "Tavallinen"\n\n'
        'msgid ""\n"Two "\n"lines"\nmsgstr ""\n"Kaksi "\n"riviä"\n\n'
        'msgid "Escapes \\"q\\" \\\\ \\t \\n"\nmsgstr "Koodit \\"q\\" \\\\ \\t \\n"\n\n'
        '#, fuzzy, python-format\nmsgid "Fuzzy"\nmsgstr "Epävarma"\n\n'
        '#, python-format\nmsgid "Not fuzzy {n}"\nmsgstr "Varma {n}"\n\n'
        'msgid "Untranslated"\nmsgstr ""\n\n'
        'msgid "One"\nmsgid_plural "Many"\nmsgstr[0] "Yksi"\nmsgstr[1] "Monta"\n\n'
        'msgctxt "menu"\nmsgid "Open"\nmsgstr "Avaa"\n'
        'msgid "No blank line before"\nmsgstr "Ei tyhjää riviä"\n\n'
        '#~ msgid "Obsolete"\n#~ msgstr "Vanhentunut"\n',
        encoding="utf-8",
    )
    mine = dict(i18n.read_po_texts(path))
    assert mine == _babel_texts(path, "fi")
    assert mine["Two lines"] == "Kaksi riviä" and mine["Plain"] == "Tavallinen"
    assert "Fuzzy" not in mine and "Obsolete" not in mine and "One" not in mine
