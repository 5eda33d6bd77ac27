"""Address labels: layout by country, delivery addresses, contacts, the PDF read back (text and
positions inside each label on both presets and a custom sheet), rendered to pixels, Excel,
memos as Pupesoft writes them, `pupetui labels` and its configuration."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from pupetui import config, db
from pupetui.models import Activity, Company, Contact, Customer, Permission, User
from pupetui.services import labels as L
from pupetui.services import selection as S
from pupetui.services.customers import CustomerQuery
from test_cli import env, run  # noqa: F401  (fixture and helper)

CUSTOM = L.sheet_from_config("avery-l7163", {
    "columns": 2, "rows": 7, "label_width": 99.1, "label_height": 38.1, "margin_left": 4.65,
    "margin_top": 15.15, "gap_x": 2.5, "padding": 4,
})


def _address(*lines: str, droppable=()) -> L.Address:
    return L.Address(tuple(lines), 1, "", droppable=frozenset(droppable), parts=("",) * 6)


# -- the lines of a label --------------------------------------------------------------------

def test_finnish_and_foreign_addresses_by_country_convention():
    lines, _drop = L.address_lines("Mäkinen Ky", "Sähkö", "Hämeenkatu 5", "33100", "Tampere", "FI")
    assert lines == ("Mäkinen Ky", "Sähkö", "Hämeenkatu 5", "33100 TAMPERE")
    lines, _drop = L.address_lines("Virtanen Oy", "", " Mannerheimintie  1 ", "00100", "helsinki", "")
    assert lines == ("Virtanen Oy", "Mannerheimintie 1", "00100 HELSINKI")  # no empty line, no country
    assert L.address_lines("Svensson AB", "", "Storgatan 2", "111 22", "Stockholm", "SE", language="fi")[0] == (
        "Svensson AB", "Storgatan 2", "111 22 STOCKHOLM", "RUOTSI")
    assert L.address_lines("Svensson AB", "", "Storgatan 2", "111 22", "Stockholm", "se", language="en")[0][-1] == "SWEDEN"
    assert L.address_lines("Smith Ltd", "", "1 High Street", "SW1A 1AA", "London", "GB", language="en")[0] == (
        "Smith Ltd", "1 High Street", "LONDON", "SW1A 1AA", "UNITED KINGDOM")
    assert L.address_lines("Acme Inc", "", "1 Main St", "10001", "New York NY", "US", language="fi")[0][-2:] == (
        "NEW YORK NY  10001", "YHDYSVALLAT")
    lines, drop = L.address_lines("Aalto Oy", "Varasto", "Tie 1", "00100", "Helsinki", "FI", contact="Anna Aalto")
    assert lines[:2] == ("Anna Aalto", "Aalto Oy") and drop == {2}


def _customers(database):
    with db.session("acme", "anna"):
        Company.create(name="Acme Oy")
        User.create(login="anna", name="Anna Myyjä")
        full = Customer.create(
            name="Täysi Oy", business_id="1111111-1", address="Laskutie 1", postcode="00100", city="Helsinki",
            country="FI", delivery_name="Täysi Oy Varasto", delivery_address="Varastotie 9",
            delivery_postcode="01510", delivery_city="Vantaa", customer_group="3")
        Customer.create(
            name="Vajaa Oy", business_id="2222222-2", address="Laskutie 2", postcode="33100", city="Tampere",
            delivery_name="Vajaa Varasto", delivery_address="Varastotie 2", delivery_postcode="",
            delivery_city="Tampere", customer_group="3")
        Customer.create(name="Muu Oy", city="Turku", customer_group="4")
        Contact.create(customer_id=full.id, name="Bertil Öberg")
        Contact.create(customer_id=full.id, name="Anna Åberg")
    return full.id


def test_delivery_address_only_where_complete_and_one_label_per_contact(database):
    _customers(database)
    with db.session("acme", "anna"):
        query = S.SelectionQuery(text_filters=(("customer_group", "3"),))
        labels = list(L.addresses(query, options=L.LabelOptions(delivery_address=True)))
        assert [a.lines for a in labels] == [
            ("Täysi Oy Varasto", "Varastotie 9", "01510 VANTAA"),  # every delivery field filled
            ("Vajaa Oy", "Laskutie 2", "33100 TAMPERE"),  # no delivery postcode: the billing address
        ]
        per_contact = list(L.addresses(query, options=L.LabelOptions(per_contact=True)))
        assert [a.lines for a in per_contact] == [
            ("Anna Åberg", "Täysi Oy", "Laskutie 1", "00100 HELSINKI"),  # in name order
            ("Bertil Öberg", "Täysi Oy", "Laskutie 1", "00100 HELSINKI"),
            ("Vajaa Oy", "Laskutie 2", "33100 TAMPERE"),  # no contacts: its own label
        ]
        ticks = S.Ticks()
        ticks.toggle(per_contact[0].customer_id)
        assert [a.lines[0] for a in L.addresses(query, ticks)] == ["Vajaa Oy"]


# -- the PDF read back -----------------------------------------------------------------------

def texts_on_pages(path) -> list[list[tuple[str, float, float, float, str]]]:
    """Per page: (text, x, y, font size, font) of every string drawn, in PDF points."""
    pages = []
    for page in PdfReader(str(path)).pages:
        found = []

        def visit(text, cm, tm, font_dict, font_size):
            if text.strip():
                size = font_size * tm[0]
                found.append((text.strip("\n"), tm[4], tm[5], size, str(font_dict.get("/BaseFont", "")) if font_dict else ""))

        page.extract_text(visitor_text=visit)
        pages.append(found)
    return pages


def label_rect(sheet: L.Sheet, position: int) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) in points, PDF coordinates (origin bottom left) of a label."""
    left, top, width, height = sheet.label_box(position)
    page_h = sheet.page_height * L.MM
    return left * L.MM, page_h - (top + height) * L.MM, (left + width) * L.MM, page_h - top * L.MM


def check_inside(sheet: L.Sheet, pages, first_position: int, per_label: list[int]) -> None:
    """Every drawn string lies inside the label it belongs to (its whole box: width by the
    font's metrics, ascent and descent), the labels filled from `first_position` on."""
    font = L.font_name()
    face = pdfmetrics.getFont(font).face
    ascent, descent = face.ascent / 1000, face.descent / 1000
    strings = [s for page in pages for s in page]
    page_of = [n for n, page in enumerate(pages) for _ in page]
    i = 0
    for n, count in enumerate(per_label):
        slot = first_position - 1 + n
        position = slot % sheet.per_sheet + 1
        rect = label_rect(sheet, position)
        for _ in range(count):
            text, x, y, size, _font = strings[i]
            width = pdfmetrics.stringWidth(text, font, size)
            assert rect[0] <= x and x + width <= rect[2] + 0.01, (text, x, width, rect)
            assert rect[1] <= y + descent * size and y + ascent * size <= rect[3], (text, y, size, rect)
            assert page_of[i] == slot // sheet.per_sheet  # on its own sheet
            i += 1
    assert i == len(strings)


LONG = "Pohjois-Pohjanmaan Sähkö- ja Kiinteistöhuolto Åström & Äijälä Osakeyhtiö " * 2


def sample_labels(n: int) -> list[L.Address]:
    out = []
    for i in range(n):
        if i % 5 == 0:
            lines, drop = L.address_lines(LONG, "Sähköosasto", "Pitkäkatu 1 A 5", "00100", "Helsinki", "SE",
                                          contact="Örjan Äijälä")
        elif i % 5 == 1:  # more lines than fit a 3x11 label at the smallest size
            lines, drop = ("Nimi", "Tarkenne 1", "Rivi 2", "Rivi 3", "Rivi 4", "Rivi 5", "Rivi 6", "Rivi 7",
                           "00100 HELSINKI"), {1}
        else:
            lines, drop = L.address_lines(f"Åkerlund Öljy {i} Oy", "", "Äimäkatu 3", "90100", "Oulu", "FI")
        out.append(L.Address(lines, i, "", droppable=frozenset(drop), parts=("",) * 6))
    return out


@pytest.mark.parametrize("sheet, start", [(L.PRESETS["3x11"], 1), (L.PRESETS["3x8"], 20), (CUSTOM, 3)])
def test_pdf_text_stays_inside_its_label(tmp_path, sheet, start):
    labels = sample_labels(40)
    path = tmp_path / f"{sheet.name}.pdf"
    result = L.write_pdf(path, labels, sheet, start=start)
    skipped = start - 1
    assert result.labels == 40 and result.pages == -(-(40 + skipped) // sheet.per_sheet)
    pages = texts_on_pages(path)
    assert len(pages) == result.pages
    per_label = []
    for address in labels:
        inner = L.Fitter(L.font_name(), (sheet.label_width - 2 * sheet.padding) * L.MM,
                         (sheet.label_height - 2 * sheet.padding) * L.MM)
        per_label.append(len(inner.fit(address)))
    check_inside(sheet, pages, start, per_label)
    strings = [t for page in pages for t, *_ in page]
    # ÅÄÖ come back as written; the foreign label ends with the country; the long name is cut
    assert "Åkerlund Öljy 2 Oy" in strings and "Äimäkatu 3" in strings and "90100 OULU" in strings
    assert "RUOTSI" in strings
    assert any(s.endswith("…") and s.startswith("Pohjois-Pohjanmaan") for s in strings)
    # the first label used is the starting position
    first_text, x, y, *_ = pages[0][0]
    x0, y0, x1, y1 = label_rect(sheet, start)
    assert first_text == "Örjan Äijälä" and x0 <= x <= x1 and y0 <= y <= y1
    # too many lines: the smallest size, the name extension dropped first, never the place
    crowded = [s for s in strings if s.startswith("Rivi") or s in ("Tarkenne 1", "00100 HELSINKI")]
    assert "00100 HELSINKI" in crowded


def pixels(path, dpi: int):
    """The first page as grey pixels (pdftoppm): (width, height, bytes)."""
    out = subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-f", "1", "-l", "1", str(path)],
                         capture_output=True, check=True).stdout
    header, rest = out.split(b"\n", 1)
    assert header == b"P5"
    size, rest = rest.split(b"\n", 1)
    width, height = map(int, size.split())
    _maxval, data = rest.split(b"\n", 1)
    return width, height, data


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed; .ci/run installs it")
@pytest.mark.parametrize("sheet", [L.PRESETS["3x11"], L.PRESETS["3x8"], CUSTOM])
def test_rendered_page_has_ink_only_inside_the_labels(tmp_path, sheet):
    path = tmp_path / "labels.pdf"
    L.write_pdf(path, sample_labels(sheet.per_sheet), sheet)
    dpi = 72
    width, height, data = pixels(path, dpi)
    scale = dpi / 25.4
    rects = []
    for position in range(1, sheet.per_sheet + 1):
        left, top, w, h = sheet.label_box(position)
        rects.append((int(left * scale) - 1, int(top * scale) - 1, int((left + w) * scale) + 1,
                      int((top + h) * scale) + 1))
    inked_labels = set()
    for y in range(height):
        row = data[y * width:(y + 1) * width]
        for x, value in enumerate(row):
            if value < 200:
                inside = [n for n, (x0, y0, x1, y1) in enumerate(rects) if x0 <= x <= x1 and y0 <= y <= y1]
                assert inside, f"ink at {x},{y} px outside every label"
                inked_labels.add(inside[0])
    assert len(inked_labels) == sheet.per_sheet  # every label printed


def test_sheet_geometry_is_checked():
    with pytest.raises(L.LabelError, match="wide"):
        L.sheet_from_config("x", {"columns": 3, "rows": 7, "label_width": 99.1, "label_height": 38.1})
    with pytest.raises(L.LabelError, match="high"):
        L.sheet_from_config("x", {"columns": 1, "rows": 30, "label_width": 99.1, "label_height": 38.1})
    with pytest.raises(L.LabelError, match="needs label_height"):
        L.sheet_from_config("x", {"columns": 1, "rows": 3, "label_width": 99.1})
    with pytest.raises(L.LabelError, match="must be a whole number"):
        L.sheet_from_config("x", {"columns": 1.5, "rows": 3, "label_width": 99.1, "label_height": 30})
    with pytest.raises(L.LabelError, match="starting position must be 1 to 33"):
        L.write_pdf("/tmp/never.pdf", [], L.PRESETS["3x11"], start=34)
    assert CUSTOM.per_sheet == 14 and CUSTOM.label_box(4)[:2] == pytest.approx((4.65 + 101.6, 15.15 + 38.1))


# -- the whole job: files and memos ----------------------------------------------------------

def test_print_writes_the_file_then_the_memos_as_pupesoft_does(database, tmp_path):
    """crm/tarrat.php: a Memo on the customer of every printed row (per contact with one label per
    contact), "<name> tulosti osoitetarrat.\n<message>", whether or not a message was given."""
    full_id = _customers(database)
    with db.session("acme", "anna"):
        query = S.SelectionQuery(text_filters=(("customer_group", "3"),))
        job = L.LabelJob(query, options=L.LabelOptions(per_contact=True), memo_text="Joulukortti 2026")
        result = L.print_labels(tmp_path / "t.pdf", job)
        assert (result.labels, result.pages, result.memos) == (3, 1, 3)  # two contacts of one customer: two rows
        memos = list(Activity.select().order_by(Activity.customer_id))
        assert len(memos) == 3
        memo = next(m for m in memos if m.customer_id == full_id)
        assert (memo.kind, memo.method, memo.text, memo.business_id, memo.owner) == (
            "Memo", "Osoitetarrat", "Anna Myyjä tulosti osoitetarrat.\nJoulukortti 2026", "1111111-1", "anna")
        assert memo.created_by == "anna" and memo.created_at == memo.starts_at is not None
        assert (memo.ends_at, memo.modified_at, memo.modified_by, memo.contact_id) == (None, None, "", 0)
        assert memo.company == "acme" and memo.parent_id == 0

        xlsx = L.print_labels(tmp_path / "t.xlsx", L.LabelJob(query, output="xlsx",
                                                             options=L.LabelOptions(delivery_address=True)))
        rows = list(openpyxl.load_workbook(tmp_path / "t.xlsx").active.values)
        assert xlsx.labels == 2 and xlsx.memos == 2  # no message: the memo still says who printed them
        assert Activity.select().where(Activity.text == "Anna Myyjä tulosti osoitetarrat.\n").count() == 2
        assert rows[1][1:6] == ("Täysi Oy Varasto", "", "Varastotie 9", "01510", "Vantaa")

        nothing = S.Ticks()
        nothing.untick_all()
        with pytest.raises(L.LabelError, match="no customer is ticked"):
            L.print_labels(tmp_path / "none.pdf", L.LabelJob(query, nothing, memo_text="x"))
        with pytest.raises(L.LabelError, match="starting position"):
            L.print_labels(tmp_path / "bad.pdf", L.LabelJob(query, start=99, memo_text="x"))
        assert not (tmp_path / "none.pdf").exists() and not (tmp_path / "bad.pdf").exists()
        assert not list(tmp_path.glob("*.partial"))
        assert Activity.select().count() == 5  # a failed print wrote no memo


def test_the_companys_setting_kalenterimerkinnat_e_writes_no_memo(database, tmp_path):
    from pupetui.models import CompanyParameters

    _customers(database)
    with db.session("acme", "anna"):
        CompanyParameters.create(calendar_entries="E")
        query = S.SelectionQuery(text_filters=(("customer_group", "3"),))
        result = L.print_labels(tmp_path / "t.pdf", L.LabelJob(query))
        assert (result.labels, result.memos) == (2, 0)
        with pytest.raises(L.LabelError, match="kalenterimerkinnat"):  # a message would be lost: said
            L.print_labels(tmp_path / "u.pdf", L.LabelJob(query, memo_text="Joulukortti"))
        assert not (tmp_path / "u.pdf").exists()
        CompanyParameters.update(calendar_entries="").execute()
        assert L.print_labels(tmp_path / "v.pdf", L.LabelJob(query)).memos == 2
        assert Activity.select().count() == 2


# -- configuration and the command -----------------------------------------------------------

def test_custom_sheets_from_the_configuration(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[labels.sheets.pieni]\ncolumns = 2\nrows = 7\nlabel_width = 99.1\nlabel_height = 38.1\n'
                    'margin_left = 4.65\nmargin_top = 15.15\ngap_x = 2.5\n')
    settings = config.load(config_path=path, environ={})
    assert L.find_sheet("pieni", settings.labels["sheets"]).per_sheet == 14
    path.write_text('[labels.sheets.pieni]\ncolumns = 2\nrows = 7\nlabel_wdth = 99.1\n')
    with pytest.raises(config.ConfigError, match=r"unknown setting\(s\) in \[labels.sheets.pieni\]: label_wdth"):
        config.load(config_path=path, environ={})
    path.write_text('[labels.sheets.pieni]\ncolumns = "2"\n')
    with pytest.raises(config.ConfigError, match="labels.sheets.pieni.columns must be a whole number"):
        config.load(config_path=path, environ={})
    path.write_text('[labels]\ncolour = "red"\n')
    with pytest.raises(config.ConfigError, match=r"unknown setting\(s\) in \[labels\]: colour"):
        config.load(config_path=path, environ={})


@pytest.fixture
def cli_url(sqlite_url):
    db.connect(sqlite_url)
    with db.session("acme", "admin"):
        Company.create(name="Acme Oy")
        User.create(login="anna", name="Anna")
        User.create(login="ville", name="Ville")
        Permission.create(login="anna", script="crm/tarrat.php")
        for i in range(40):
            Customer.create(name=f"Åström {i:02d} Oy", address="Katu 1", postcode="00100",
                            city="Helsinki" if i % 2 else "Tampere", customer_group="3")
        Customer.create(name="Poistettu Oy", city="Tampere", kind="P")
    db.end_session()
    db.database.obj.close()
    return sqlite_url


def test_headless_labels(env, cli_url, tmp_path):
    (tmp_path / "c.toml").write_text('[labels.sheets.pieni]\ncolumns = 2\nrows = 7\nlabel_width = 99.1\n'
                                     'label_height = 38.1\nmargin_left = 4.65\nmargin_top = 15.15\ngap_x = 2.5\n')
    out = tmp_path / "labels.pdf"
    result = run(env, "labels", "--db", cli_url, "--user", "anna", "--filter", "city=tampere", "--sheet", "3x8",
                 "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"saved 20 label(s) on 1 page(s) to {out}",
                                          "wrote 20 memo(s) (Osoitetarrat) on the customers"]
    text = PdfReader(str(out)).pages[0].extract_text()
    assert "Åström 00 Oy" in text and "00100 TAMPERE" in text and "HELSINKI" not in text

    result = run(env, "labels", "--db", cli_url, "--user", "anna", "--config", str(tmp_path / "c.toml"),
                 "--filter", "city=tampere", "--not", "--sheet", "pieni", "--start", "10", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "saved 20 label(s) on 3 page(s)" in result.stdout  # 5 on the first sheet, 14, 1
    assert "TAMPERE" not in "".join(p.extract_text() for p in PdfReader(str(out)).pages)

    xlsx = tmp_path / "a.xlsx"
    result = run(env, "labels", "--db", cli_url, "--user", "anna", "--limit", "1000", "--memo", "Kuvasto",
                 "-o", str(xlsx))
    assert result.returncode == 0 and "saved 40 address(es)" in result.stdout
    assert "wrote 40 memo(s) (Osoitetarrat) on the customers" in result.stdout

    refused = run(env, "labels", "--db", cli_url, "--user", "ville", "-o", str(out))
    assert refused.returncode == 3 and "crm/tarrat.php" in refused.stderr
    for args, message in (
        (("--sheet", "nope"), "unknown sheet 'nope'"),
        (("--filter", "password=x"), "give FIELD=TEXT"),
        (("--start", "40"), "starting position must be 1 to 33"),
        (("--filter", "city=zzz"), "no customer matches the filters"),
    ):
        bad = run(env, "labels", "--db", cli_url, "--user", "anna", *args, "-o", str(tmp_path / "x.pdf"))
        assert bad.returncode != 0 and message in bad.stderr, bad.stderr
    assert not (tmp_path / "x.pdf").exists()
    bad = run(env, "labels", "--db", cli_url, "--user", "anna", "--memo", "x", "-o", str(tmp_path / "no" / "x.pdf"))
    assert bad.returncode == 1 and "does not exist" in bad.stderr
    db.connect(cli_url)
    with db.session("acme", "anna"):
        assert Activity.select().where(Activity.text == "x").count() == 0  # no file, no memo
    db.database.obj.close()
    bad = run(env, "labels", "--db", cli_url, "--user", "anna", "-o", str(tmp_path / "x.txt"))
    assert bad.returncode != 0 and ".pdf (labels) or .xlsx" in bad.stderr


def test_memo_text_that_pupesoft_cannot_store_is_refused_before_the_file(database, tmp_path):
    """Review: an emoji in the memo text (Pupesoft's kalenteri is utf8mb3) was found only when the
    memos were written, after the file: on MariaDB a database error (a traceback in `pupetui
    labels`) with the labels printed and no memo. Now refused first: no file, no memo."""
    _customers(database)
    with db.session("acme", "anna"):
        query = S.SelectionQuery(text_filters=(("customer_group", "3"),))
        for text, message in (("Joulukortti 🎄", "cannot be stored"), ("x" * 70_000, "too long"),
                              ("ä" * 40_000, "too long")):
            with pytest.raises(L.LabelError, match=message):
                L.print_labels(tmp_path / "t.pdf", L.LabelJob(query, memo_text=text))
            assert not (tmp_path / "t.pdf").exists()
            assert Activity.select().count() == 0


def test_text_stays_inside_a_label_without_padding(tmp_path):
    """Review: the font size for the height counted n lines of 1.2 x size, but the last line's
    descenders reach below its baseline by the font's descent: with `padding = 0` (allowed) the
    g, j, p and y of a full label's last line were drawn below the label."""
    sheet = L.sheet_from_config("tiukka", {"columns": 3, "rows": 11, "label_width": 70, "label_height": 25.4,
                                           "margin_top": 8.8, "padding": 0})
    lines = ("Nimi", "Tarkenne", "Rivi 2", "Rivi 3", "Rivi 4", "Rivi 5", "Rivi 6", "Jyväskylä gjpy")
    labels = [L.Address(lines, i, "", parts=("",) * 6) for i in range(3)]
    path = tmp_path / "tiukka.pdf"
    L.write_pdf(path, labels, sheet)
    fitter = L.Fitter(L.font_name(), sheet.label_width * L.MM, sheet.label_height * L.MM)
    check_inside(sheet, texts_on_pages(path), 1, [len(fitter.fit(a)) for a in labels])


def test_at_the_smallest_size_the_first_line_is_kept():
    """Review: with no name extension to drop, a label that did not fit even at the smallest size
    lost its first line (the name) rather than a middle line: "Katu 1 / 00100 HELSINKI"."""
    font = L.font_name()
    fitter = L.Fitter(font, 60 * L.MM, 2 * L.MIN_FONT_SIZE * L.LEADING + 1)  # two lines at 6 pt, not three
    fitted = [text for text, _size, _offset in fitter.fit(_address("Nimi Oy", "Katu 1", "00100 HELSINKI"))]
    assert fitted == ["Nimi Oy", "00100 HELSINKI"]
