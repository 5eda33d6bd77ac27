"""Address labels (Pupesoft's crm/tarrat.php): the addresses of a customer selection as a PDF of
label sheets, or as an Excel file; a memo on each customer printed, as Pupesoft writes it.

- `LabelOptions(delivery_address, per_contact, language)`: the delivery address is used only
  where all its fields (name, street, postcode, town) are filled, else the billing address;
  `per_contact` makes one label per contact person (the contact's name on the first line, the
  customer's address under it; a customer with no contacts gets its own label).
- `addresses(query, ticks, options)`: the labels' lines, streamed (`Address`).
- Layout by country convention (`address_lines`): a Finnish address (maa 'FI' or empty) ends
  with "postcode TOWN" (the town in capitals, as Posti recommends, e.g. "00100 HELSINKI"); a
  foreign one adds the country name in capitals, in the labels' language, on the last line
  (e.g. "RUOTSI" / "SWEDEN"), and puts the postcode where that country writes it: after the town
  (US, CA, AU), on a line of its own under the town (GB, IE), else before the town.
- `Sheet`: a label sheet in millimetres (page size, columns x rows, label size, margins, gaps,
  padding). `PRESETS`: "3x11" (A4, 33 labels of 70 x 25.4 mm) and "3x8" (A4, 24 labels of 70 x 36
  mm). Custom sheets come from the configuration, `[labels.sheets.NAME]` (see `sheet_from_config`).
- `write_pdf(path, labels, sheet, start=1)`: reportlab canvas, label k of a sheet at column
  (k-1) % columns, row (k-1) // columns from the top left; `start` skips the used labels of a
  partly used first sheet. Text always fits its label: a line too wide is set in a smaller size
  (down to MIN_FONT_SIZE) and then cut with "…"; too many lines for the height shrink the font
  and, at the smallest size, the name-extension lines are dropped first, then the other middle
  lines: nothing is ever drawn outside the label's padding box.
- `write_xlsx(path, labels)`: the same addresses, one row each, through services/export.py.
- `print_labels(...)`: the whole job (used by the screen and by `pupetui labels`): writes the
  file (appearing only when complete), then the memos in one transaction, as crm/tarrat.php
  does: always, unless the company's kalenterimerkinnat is 'E' (then none, and no memo text).
- `write_memos(labels, text)`: a Memo (tapa 'Osoitetarrat', "<name> tulosti osoitetarrat.\n<text>")
  on the customer of each printed label, as Pupesoft does.

Fonts: DejaVu Sans (Debian's fonts-dejavu-core) when it is installed, else Bitstream Vera, which
ships with reportlab; `[labels] font = "/path/to/font.ttf"` chooses another TrueType font. Both
print the Finnish and Swedish letters (ÅÄÖ); Vera covers Latin-1 only (Western European).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from pupetui import config, db
from pupetui.models import Activity, now
from pupetui.models.activity import MEMO
from pupetui.i18n import _
from pupetui.services import selection, stored_text
from pupetui.services.export import ExportError  # noqa: F401  the callers catch it
from pupetui.services.export_target import output, resolve
from pupetui.services.selection import SelectionQuery, SelectionRow, Ticks

MM = 72 / 25.4  # points per millimetre
FONT_SIZE = 10.0  # points
MIN_FONT_SIZE = 6.0
LEADING = 1.2  # line height / font size
ELLIPSIS = "…"
MEMO_METHOD = "Osoitetarrat"  # kalenteri.tapa of the memo Pupesoft writes when it prints labels
HOME_COUNTRY = "FI"
POSTCODE_AFTER_TOWN = frozenset({"US", "CA", "AU"})
POSTCODE_BELOW_TOWN = frozenset({"GB", "IE"})
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
)


class LabelError(ValueError):
    """Labels that cannot be made as asked; the message says why, for a person."""


# -- sheets ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sheet:
    """A sheet of labels; every length in millimetres, from the top left corner of the page."""

    name: str
    page_width: float
    page_height: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    margin_left: float = 0.0
    margin_top: float = 0.0
    gap_x: float = 0.0  # between columns
    gap_y: float = 0.0  # between rows
    padding: float = 3.0  # inside a label, on every side

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def label_box(self, position: int) -> tuple[float, float, float, float]:
        """(left, top, width, height) in mm from the page's top left, of label 1..per_sheet."""
        index = position - 1
        col, row = index % self.columns, index // self.columns
        left = self.margin_left + col * (self.label_width + self.gap_x)
        top = self.margin_top + row * (self.label_height + self.gap_y)
        return left, top, self.label_width, self.label_height

    def check(self) -> "Sheet":
        """LabelError unless the labels fit on the page and have room for text."""
        name = self.name
        for attr in ("page_width", "page_height", "label_width", "label_height"):
            if getattr(self, attr) <= 0:
                raise LabelError(f"sheet {name}: {attr} must be more than 0")
        for attr in ("margin_left", "margin_top", "gap_x", "gap_y", "padding"):
            if getattr(self, attr) < 0:
                raise LabelError(f"sheet {name}: {attr} must not be negative")
        if self.columns < 1 or self.rows < 1:
            raise LabelError(f"sheet {name}: columns and rows must be at least 1")
        width = self.margin_left + self.columns * self.label_width + (self.columns - 1) * self.gap_x
        height = self.margin_top + self.rows * self.label_height + (self.rows - 1) * self.gap_y
        if width > self.page_width + 0.01:
            raise LabelError(
                f"sheet {name}: the labels are {width:g} mm wide with the margin, the page only {self.page_width:g} mm")
        if height > self.page_height + 0.01:
            raise LabelError(
                f"sheet {name}: the labels are {height:g} mm high with the margin, the page only {self.page_height:g} mm")
        if 2 * self.padding >= min(self.label_width, self.label_height):
            raise LabelError(f"sheet {name}: the padding leaves no room for text")
        return self


A4 = (210.0, 297.0)
PRESETS: dict[str, Sheet] = {
    "3x11": Sheet("3x11", *A4, columns=3, rows=11, label_width=70.0, label_height=25.4, margin_top=8.8,
                  padding=2.5),
    "3x8": Sheet("3x8", *A4, columns=3, rows=8, label_width=70.0, label_height=36.0, margin_top=4.5),
}
SHEET_REQUIRED = ("columns", "rows", "label_width", "label_height")


def sheet_from_config(name: str, values: Mapping[str, Any]) -> Sheet:
    """A `[labels.sheets.NAME]` table as a Sheet (the page is A4 unless it says otherwise);
    LabelError on unknown keys, bad types, missing sizes or labels that do not fit the page."""
    try:
        config.check_label_sheet(name, values)
    except config.ConfigError as exc:
        raise LabelError(str(exc)) from None
    missing = [k for k in SHEET_REQUIRED if k not in values]
    if missing:
        raise LabelError(f"[labels.sheets.{name}] needs {', '.join(missing)}")
    args: dict[str, Any] = {"page_width": A4[0], "page_height": A4[1], **values}
    return Sheet(name, **args).check()


def sheets(configured: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Sheet]:
    """The presets and the configured sheets (a configured sheet may replace a preset's name)."""
    out = dict(PRESETS)
    for name, values in (configured or {}).items():
        out[str(name)] = sheet_from_config(str(name), values)
    return out


def find_sheet(name: str, configured: Mapping[str, Mapping[str, Any]] | None = None) -> Sheet:
    known = sheets(configured)
    if name not in known:
        raise LabelError(f"unknown sheet {name!r}: choose one of {', '.join(known)}")
    return known[name]


# -- addresses -------------------------------------------------------------------------------

@dataclass(frozen=True)
class LabelOptions:
    delivery_address: bool = False
    per_contact: bool = False
    language: str = "fi"  # of the country names


@dataclass(frozen=True)
class Address:
    """One label: its lines top to bottom, and what it was made from."""

    lines: tuple[str, ...]
    customer_id: int
    business_id: str
    contact: str = ""
    droppable: frozenset[int] = field(default_factory=frozenset)  # name-extension line numbers
    parts: tuple[str, ...] = ()  # name, name extension, street, postcode, town, country code


_country_names: dict[str, dict[str, str]] = {}


def country_name(code: str, language: str) -> str:
    """The country's name in the language (Babel's territory names), or the code itself."""
    names = _country_names.get(language)
    if names is None:
        from babel import Locale

        try:
            names = dict(Locale.parse(language).territories)
        except Exception:  # noqa: BLE001 - an unknown language: English names
            names = dict(Locale.parse("en").territories)
        _country_names[language] = names
    return names.get(code.upper(), code.upper())


def _clean(value: str) -> str:
    return " ".join(str(value or "").split())


def address_lines(name: str, name_extra: str, street: str, postcode: str, town: str, country: str,
                  *, language: str = "fi", contact: str = "") -> tuple[tuple[str, ...], frozenset[int]]:
    """The lines of a label by country convention, and which lines may be dropped if space runs
    out (the name extension); empty parts leave no empty line."""
    code = _clean(country).upper() or HOME_COUNTRY
    postcode, town = _clean(postcode), _clean(town).upper()
    lines: list[str] = []
    droppable: set[int] = set()
    for text, may_drop in ((contact, False), (name, False), (name_extra, True), (street, False)):
        text = _clean(text)
        if text:
            if may_drop:
                droppable.add(len(lines))
            lines.append(text)
    if code in POSTCODE_BELOW_TOWN:
        lines.extend(t for t in (town, postcode) if t)
    elif code in POSTCODE_AFTER_TOWN:
        place = f"{town}  {postcode}".strip()
        if place:
            lines.append(place)
    else:
        place = f"{postcode} {town}".strip()
        if place:
            lines.append(place)
    if code != HOME_COUNTRY:
        lines.append(country_name(code, language).upper())
    return tuple(lines), frozenset(droppable)


def customer_address(row: SelectionRow, options: LabelOptions, contact: str = "") -> Address:
    if options.delivery_address and row.has_delivery_address:
        parts = (row.delivery_name, row.delivery_name_extra, row.delivery_address, row.delivery_postcode,
                 row.delivery_city, row.delivery_country or row.country)
    else:
        parts = (row.name, row.name_extra, row.address, row.postcode, row.city, row.country)
    lines, droppable = address_lines(*parts, language=options.language, contact=contact)
    cleaned = tuple(_clean(p) for p in parts)
    return Address(lines, row.id, row.business_id, contact, droppable, cleaned)


def addresses(query: SelectionQuery, ticks: Ticks | None = None,
              options: LabelOptions = LabelOptions(), batch: int = 500) -> Iterator[Address]:
    """The labels of the ticked customers, in the list's order (per contact: each contact's)."""
    rows = selection.ticked_rows(query, ticks)
    if not options.per_contact:
        for row in rows:
            yield customer_address(row, options)
        return
    chunk: list[SelectionRow] = []

    def flush() -> Iterator[Address]:
        people = selection.contacts(r.id for r in chunk)
        for r in chunk:
            contacts = [c for c in people.get(r.id, []) if _clean(c.name)]
            if not contacts:
                yield customer_address(r, options)
            for c in contacts:
                yield customer_address(r, options, contact=c.name)
        chunk.clear()

    for row in rows:
        chunk.append(row)
        if len(chunk) >= batch:
            yield from flush()
    yield from flush()


# -- fitting text ----------------------------------------------------------------------------

_font_name: str | None = None


def font_name(path: str = "") -> str:
    """Register the labels' TrueType font once (see the module docstring); its reportlab name."""
    global _font_name
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if path:
        name = "PupetuiLabel-" + Path(path).stem
        if name not in pdfmetrics.getRegisteredFontNames():
            try:
                pdfmetrics.registerFont(TTFont(name, path))
            except Exception as exc:  # noqa: BLE001 - told plainly
                raise LabelError(f"the font {path} cannot be used: {exc}") from None
        return name
    if _font_name is None:
        candidates = [p for p in FONT_CANDIDATES if os.path.isfile(p)]
        if candidates:
            pdfmetrics.registerFont(TTFont("PupetuiLabel", candidates[0]))
        else:
            pdfmetrics.registerFont(TTFont("PupetuiLabel", "Vera.ttf"))  # in reportlab's fonts folder
        _font_name = "PupetuiLabel"
    return _font_name


class _CharWidths(dict):
    """character -> advance width (1/1000 em) of a TrueType font, filled as characters come."""

    def __init__(self, font) -> None:
        super().__init__()
        self._widths = font.face.charWidths
        self._default = font.face.defaultWidth

    def __missing__(self, char: str) -> float:
        width = self[char] = self._widths.get(ord(char), self._default)
        return width


class Fitter:
    """Fits the lines of a label into its text box (width, height in points): one font size for
    the label (shrunk for the height), each line shrunk further or cut for the width."""

    def __init__(self, font: str, width: float, height: float, size: float = FONT_SIZE,
                 min_size: float = MIN_FONT_SIZE) -> None:
        from reportlab.pdfbase import pdfmetrics

        self.font = font
        self.width = width
        self.height = height
        self.size = size
        self.min_size = min_size
        face = pdfmetrics.getFont(font).face
        self._char_widths = _CharWidths(pdfmetrics.getFont(font))
        self._descent = max(0.0, -face.descent / 1000)  # below the last baseline, in em
        self._char_width = self._char_widths.__getitem__
        self._sizes: dict[int, float] = {}

    def unit_width(self, text: str) -> float:
        """The text's width at 1 pt (as reportlab measures a TrueType text: the sum of its
        characters' advances), from a per-character cache."""
        return 0.001 * sum(map(self._char_widths.__getitem__, text))

    def fit(self, address: Address) -> list[tuple[str, float, float]]:
        """[(text, font size, baseline offset from the box's top)] that fit the box: line i's
        baseline is (i + 1) x leading below the top, leading = LEADING x the label's size."""
        lines = address.lines
        size = self._size_for(len(lines))
        if size < self.min_size and len(lines) > 1:
            lines, size = self._drop_lines(address)
        leading = size * LEADING
        room = 1000 * self.width / size  # in 1/1000 em of the label's size
        char_width = self._char_width
        out = []
        for i, text in enumerate(lines):
            units = sum(map(char_width, text))
            if units <= room:
                out.append((text, size, size + i * leading))
                continue
            line_size = max(min(self.min_size, size), 1000 * self.width / units)
            if units * line_size > 1000 * self.width:
                text = self.cut(text, line_size)
            out.append((text, line_size, size + i * leading))
        return out

    def _size_for(self, n_lines: int) -> float:
        size = self._sizes.get(n_lines)
        if size is None:
            # the first baseline one size below the top, then n-1 leadings, then the descenders
            span = 1 + LEADING * (max(1, n_lines) - 1) + self._descent
            # (less a hair: the PDF writes positions and sizes rounded)
            size = self._sizes[n_lines] = min(self.size, max(0.0, self.height - 0.05) / span)
        return size

    def _drop_lines(self, address: Address) -> tuple[list[str], float]:
        """No room even at the smallest size: drop the name extension, then middle lines."""
        lines = list(address.lines)
        droppable = sorted(address.droppable, reverse=True)
        size = self._size_for(len(lines))
        while size < self.min_size and len(lines) > 1:
            if droppable:
                drop = droppable.pop(0)
            elif len(lines) > 2:  # a middle line: never the first (the name) nor the last
                drop = max(1, len(lines) - 3)
            else:  # two lines: both stay, smaller than the smallest size
                break
            del lines[drop]
            droppable = [d - 1 if d > drop else d for d in droppable]
            size = self._size_for(len(lines))
        return lines, size

    def cut(self, text: str, size: float) -> str:
        """The longest start of the text that fits with "…" after it."""
        room = self.width / size
        low, high = 0, len(text)
        while low < high:
            mid = (low + high + 1) // 2
            if self.unit_width(text[:mid].rstrip() + ELLIPSIS) <= room:
                low = mid
            else:
                high = mid - 1
        return text[:low].rstrip() + ELLIPSIS if low else ""


# -- output ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PrintResult:
    path: Path
    labels: int
    pages: int = 0
    memos: int = 0


def write_pdf(path: str | Path, labels: Iterable[Address], sheet: Sheet, *, start: int = 1,
              font_path: str = "", title: str = "") -> PrintResult:
    """Draw the labels on sheets; label `start` (1-based) of the first sheet is the first used.
    The file appears only when complete."""
    from reportlab.pdfgen.canvas import Canvas

    sheet.check()
    if not 1 <= start <= sheet.per_sheet:
        raise LabelError(f"the starting position must be 1 to {sheet.per_sheet} on sheet {sheet.name}")
    font = font_name(font_path)
    page_height = sheet.page_height * MM
    inner_w = (sheet.label_width - 2 * sheet.padding) * MM
    inner_h = (sheet.label_height - 2 * sheet.padding) * MM
    fitter = Fitter(font, inner_w, inner_h)
    boxes = []
    for position in range(1, sheet.per_sheet + 1):
        left, top, _w, _h = sheet.label_box(position)
        boxes.append(((left + sheet.padding) * MM, page_height - (top + sheet.padding) * MM))
    count, pages = 0, 0
    position = start - 1
    current_size = None
    with output(path, "pdf") as out:
        canvas = Canvas(out.file, pagesize=(sheet.page_width * MM, page_height), pageCompression=0, invariant=1)
        if title:
            canvas.setTitle(title)
        for address in labels:
            if position == sheet.per_sheet:
                canvas.showPage()
                current_size = None
                position = 0
            if count == 0 or position == 0:
                pages += 1
            x, top = boxes[position]
            for text, size, offset in fitter.fit(address):
                if size != current_size:
                    canvas.setFont(font, size)
                    current_size = size
                canvas.drawString(x, top - offset, text)
            position += 1
            count += 1
        canvas.save()
    return PrintResult(out.path, count, pages)


XLSX_HEADERS = ("Contact", "Name", "Name extension", "Address", "Postcode", "Town", "Country",
                "Business ID", "Label text")


def write_xlsx(path: str | Path, labels: Iterable[Address], titles=None) -> PrintResult:
    """The addresses as an Excel file: one row per label, its lines in the last column too."""
    from pupetui.services.export import write_xlsx as write

    headers = [titles(h) if titles else h for h in XLSX_HEADERS]
    result = write(path, headers, (_xlsx_row(a) for a in labels), sheet="osoitteet",
                   widths=[24, 30, 24, 30, 10, 20, 14, 12, 60])
    return PrintResult(Path(result.path), result.rows)


def _xlsx_row(address: Address) -> list[str]:
    name, extra, street, postcode, town, country = address.parts
    return [address.contact, name, extra, street, postcode, town, country, address.business_id,
            " / ".join(address.lines)]


# -- memos -----------------------------------------------------------------------------------

MEMO_MAX_BYTES = 65_535  # kentta01 is TEXT: 64 KiB in MySQL, counted in bytes (ä takes two)


def check_memo_text(text: str) -> str:
    """The memo's message as it will be stored (may be empty); LabelError when Pupesoft's
    kalenteri cannot take it: too long, or with characters beyond Unicode's basic plane (emoji:
    the table is utf8mb3)."""
    text = (text or "").strip()
    size = len(text.encode())
    if size > MEMO_MAX_BYTES - 200:
        raise LabelError(f"the memo text is too long ({size} bytes in UTF-8, at most {MEMO_MAX_BYTES - 200})")
    refused = stored_text.refusal(text, _("Memo text"))
    if refused:
        raise LabelError(refused)
    return stored_text.stored(text)  # as Pupesoft's input rule stores it


def writes_memos() -> bool:
    """Whether printing labels writes memos: the company's yhtion_parametrit.kalenterimerkinnat
    is '' (no settings row: '' too), as crm/tarrat.php asks it; 'E' writes none."""
    from pupetui.models import CompanyParameters

    return CompanyParameters.automatic_memos()


def memo_text(message: str, user_name: str) -> str:
    """kentta01 as crm/tarrat.php writes it: "<kuka.nimi> tulosti osoitetarrat.\n<message>"."""
    return f"{user_name} tulosti osoitetarrat.\n{message}"


def write_memos(customers: Iterable[tuple[int, str]], text: str) -> int:
    """The memos of a print as crm/tarrat.php writes them: one on each printed label's customer
    (Pupesoft writes one per row it prints: per contact with one label per contact), tyyppi Memo,
    tapa 'Osoitetarrat', kentta01 `memo_text`, kuka and laatija the user, pvmalku and luontiaika
    now, pvmloppu and muutospvm left zero. All in one transaction; returns how many."""
    from pupetui.models import User

    text = check_memo_text(text)
    user = db.current().user
    person = User.get_or_none(User.login == user)
    body = memo_text(text, (person.name or "") if person is not None else "")
    stamp = now()
    rows = [
        dict(kind=MEMO, method=MEMO_METHOD, text=body, owner=user, starts_at=stamp, business_id=business_id,
             customer_id=customer_id, contact_id=0, parent_id=0, created_by=user, created_at=stamp,
             modified_by="", modified_at=None, ends_at=None)
        for customer_id, business_id in customers
    ]
    with db.database.atomic():
        for start in range(0, len(rows), 500):
            Activity.insert_many(rows[start:start + 500]).execute()
    return len(rows)


# -- the whole job ---------------------------------------------------------------------------

@dataclass(frozen=True)
class LabelJob:
    query: SelectionQuery
    ticks: Ticks | None = None
    options: LabelOptions = LabelOptions()
    output: str = "pdf"  # "pdf" or "xlsx"
    sheet: Sheet | None = None  # for a PDF
    start: int = 1
    memo_text: str = ""  # the message of the memos (they are written when the company's settings say so)
    font_path: str = ""


def print_labels(path: str | Path, job: LabelJob, titles=None) -> PrintResult:
    """Write the labels of the ticked customers to `path` (PDF or Excel), then the memos.
    LabelError (and no file, no memo) when there is nothing to print or the input is bad;
    ExportError when the file cannot be written there."""
    path = resolve(path, job.output if job.output in ("pdf", "xlsx") else "pdf")
    selection.check(job.query)
    memos_on = writes_memos()
    check_memo_text(job.memo_text)
    if job.memo_text.strip() and not memos_on:
        raise LabelError("the company's settings write no memos when labels are printed (kalenterimerkinnat 'E'): "
                         "leave the memo text empty")
    if job.output == "pdf" and job.sheet is not None:
        job.sheet.check()
    found = selection.count(job.query)
    if found == 0:
        raise LabelError("no customer matches the filters: nothing to print")
    if (job.ticks or Ticks()).count(found) == 0:
        raise LabelError("no customer is ticked: nothing to print")
    printed: list[tuple[int, str]] = []

    def recorded(labels: Iterable[Address]) -> Iterator[Address]:
        for a in labels:
            printed.append((a.customer_id, a.business_id))
            yield a

    labels = recorded(addresses(job.query, job.ticks, job.options))
    if job.output == "xlsx":
        result = write_xlsx(path, labels, titles=titles)
    elif job.output == "pdf":
        sheet = job.sheet or PRESETS["3x11"]
        result = write_pdf(path, labels, sheet, start=job.start, font_path=job.font_path,
                           title="Osoitetarrat")
    else:
        raise LabelError(f"unknown output {job.output!r}: pdf or xlsx")
    if not printed:
        Path(result.path).unlink(missing_ok=True)
        raise LabelError("no customer is ticked: nothing to print")
    memos = write_memos(printed, job.memo_text) if memos_on else 0
    return PrintResult(result.path, result.labels, result.pages, memos)


def default_file_name(output: str, today: dt.date | None = None, prefix: str = "labels") -> str:
    """`prefix` in the user's language (the screen gives it: "osoitetarrat" in Finnish)."""
    return f"{prefix}-{(today or dt.date.today()).strftime('%Y%m%d')}.{output}"
