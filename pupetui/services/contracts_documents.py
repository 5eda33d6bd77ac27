"""The annual-contract customers report as files: one PDF (reportlab) or Excel (XlsxWriter) file
per customer, with the same content: the company's header, page numbers (PDF), the customer's
address block, a short letter, the two periods, section 1 by product department and section 2 by
product group under department headings, and totals.

The PDF is drawn on reportlab's canvas with the built-in Helvetica (WinAnsi: å ä ö and the other
Western European letters, Š and Ž print as they are); a character the font cannot show is replaced
by its base letter where it has one (ő -> o, ł has none: '?'; 東 -> '?'), never a crash. The layout is
measured first, so every page says "page n/N". Texts come from the contracts catalog and money
is formatted for the session's language (pupetui.i18n).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator

from pupetui.i18n import _, format_date, format_decimal
from pupetui.services.contracts import CustomerReport, Figures, Period, ReportRequest, Sender
from pupetui.services.export import ExportError, xlsx_workbook
from pupetui.services.export_target import export_folder, output, private_folder
from pupetui.services.text import printable

PAGE_WIDTH, PAGE_HEIGHT = 595.27, 841.89  # A4 in points
LEFT, RIGHT, TOP, BOTTOM = 50.0, 545.0, 800.0, 50.0
LINE = 13.0
# right edges of the number columns: quantity now, before, sales now, before, index
COLUMNS_RIGHT = (300.0, 355.0, 435.0, 505.0, 545.0)
LABEL_WIDTH = 225.0


@dataclass(frozen=True)
class Document:
    report: CustomerReport
    path: Path


def file_stem(report: CustomerReport, request: ReportRequest) -> str:
    c = report.customer
    name = unicodedata.normalize("NFKD", c.name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", name).strip("-")[:40] or "asiakas"
    number = re.sub(r"[^A-Za-z0-9_-]+", "", c.customer_no) or str(c.id)
    prefix = _("purchases")
    period = f"{request.period.start:%Y%m%d}-{request.period.end:%Y%m%d}"  # what the file is of
    return f"{prefix}-{number}-{slug}-{c.id}-{period}"


def quantity_text(value: Decimal) -> str:
    return format_decimal(value, 0 if value == value.to_integral_value() else 2)


def money_text(value: Decimal) -> str:
    return format_decimal(value, 2)


def figure_cells(f: Figures) -> tuple[str, str, str, str, str]:
    return (quantity_text(f.quantity_now), quantity_text(f.quantity_before), money_text(f.sales_now),
            money_text(f.sales_before), format_decimal(f.index, 0))


def headers() -> tuple[str, ...]:
    return (_("Quantity"), _("Qty before"), _("Sales"), _("Sales before"), _("Index"))


def period_text(period: Period) -> str:
    return f"{format_date(period.start)} – {format_date(period.end)}"


def letter(report: CustomerReport, request: ReportRequest, sender: Sender) -> list[str]:
    now = period_text(request.period)
    before = period_text(request.period.year_earlier())
    return [
        _("Dear customer,"),
        "",
        _("here are your purchases from us in {period}, compared with the same period a year "
          "earlier ({before}), by product department and by product group.").format(period=now, before=before),
        _("Thank you for your custom."),
        "",
        _("Kind regards,"),
        sender.company_name,
    ]


# -- PDF ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _pdf_char(char: str) -> str:
    try:
        char.encode("cp1252")
        return char
    except UnicodeEncodeError:
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        try:
            base.encode("cp1252")
            return base or "?"
        except UnicodeEncodeError:
            return "?"


def pdf_text(value: object) -> str:
    """Text the built-in fonts can print: control characters removed, others replaced."""
    text = printable(value)
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        return "".join(_pdf_char(c) for c in text)


def _wrap(text: str, width: float, font: str, size: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    words = text.split(" ")
    lines, current = [], ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if stringWidth(candidate, font, size) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    return lines


def _fit(text: str, width: float, font: str, size: float) -> str:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


# a laid-out line: (kind, values); kinds: text, bold, gap, header, row, subhead, total
Item = tuple[str, tuple]


def _layout(report: CustomerReport, request: ReportRequest, sender: Sender) -> list[list[Item]]:
    """The pages, each a list of items drawn from the top down."""
    c = report.customer
    first: list[Item] = [("gap", (3,))]
    for line in (c.name, c.name_extra, c.address, f"{c.postcode} {c.city}".strip()):
        if line.strip():
            first.append(("text", (pdf_text(line),)))
    first.append(("gap", (2,)))
    for paragraph in letter(report, request, sender):
        if not paragraph:
            first.append(("gap", (1,)))
        for line in _wrap(pdf_text(paragraph), RIGHT - LEFT, "Helvetica", 10) if paragraph else ():
            first.append(("text", (line,)))
    first.append(("gap", (1,)))
    first.append(("text", (pdf_text(f"{_('Period')}: {period_text(request.period)}"),)))
    first.append(("text", (pdf_text(f"{_('A year earlier')}: {period_text(request.period.year_earlier())}"),)))
    first.append(("gap", (1,)))
    body: list[Item] = []
    body.append(("bold", (pdf_text(_("1. Purchases by product department")),)))
    body.append(("header", (pdf_text(_("Department")),)))
    for line in report.departments:
        body.append(("row", (pdf_text(line.label), figure_cells(line.figures))))
    body.append(("total", (pdf_text(_("Total")), figure_cells(report.total))))
    body.append(("gap", (1,)))
    body.append(("bold", (pdf_text(_("2. Purchases by product group")),)))
    body.append(("header", (pdf_text(_("Product group")),)))
    for dep in report.groups:
        body.append(("subhead", (pdf_text(dep.department.label),)))
        for line in dep.groups:
            body.append(("row", (pdf_text(line.label), figure_cells(line.figures))))
    body.append(("total", (pdf_text(_("Total")), figure_cells(report.total))))
    if not report.departments:
        body.append(("text", (pdf_text(_("No purchases with a product in either period.")),)))
    pages: list[list[Item]] = [[]]
    room = (TOP - 40 - BOTTOM) / LINE
    used = 0.0
    last_header: Item | None = None
    for item in first + body:
        height = item[1][0] if item[0] == "gap" else 1.0
        if item[0] == "header":
            last_header = item
        if used + height > room:
            pages.append([])
            used = 0.0
            if item[0] in ("row", "subhead", "total") and last_header is not None:
                pages[-1].append(last_header)
                used += 1
            if item[0] == "gap":
                continue
        pages[-1].append(item)
        used += height
    return pages


def write_pdf(path: Path, report: CustomerReport, request: ReportRequest, sender: Sender) -> Path:
    from reportlab.pdfgen.canvas import Canvas

    pages = _layout(report, request, sender)
    title = pdf_text(_("Purchases report"))
    company = pdf_text(sender.company_name)
    company_line = pdf_text(", ".join(x for x in (sender.company_address,
                                                  f"{sender.company_postcode} {sender.company_city}".strip(),
                                                  sender.company_email) if x))
    made = pdf_text(format_date(dt.date.today()))
    with output(path, "pdf") as out:
        canvas = Canvas(out.file, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1, invariant=1)
        canvas.setTitle(f"{title} {report.customer.name}")
        canvas.setAuthor(company)
        for number, items in enumerate(pages, start=1):
            canvas.setFont("Helvetica-Bold", 12)
            canvas.drawString(LEFT, TOP, _fit(company, 300, "Helvetica-Bold", 12))
            canvas.drawRightString(RIGHT, TOP, title)
            canvas.setFont("Helvetica", 8)
            canvas.drawString(LEFT, TOP - 11, _fit(company_line, 330, "Helvetica", 8))
            canvas.drawRightString(RIGHT, TOP - 11, made)
            canvas.line(LEFT, TOP - 16, RIGHT, TOP - 16)
            canvas.drawCentredString(PAGE_WIDTH / 2, BOTTOM - 20,
                                     pdf_text(_("Page {page}/{pages}").format(page=number, pages=len(pages))))
            y = TOP - 40
            for kind, values in items:
                if kind == "gap":
                    y -= LINE * values[0]
                    continue
                if kind == "text":
                    canvas.setFont("Helvetica", 10)
                    canvas.drawString(LEFT, y, values[0])
                elif kind in ("bold", "subhead"):
                    canvas.setFont("Helvetica-Bold", 10 if kind == "bold" else 9)
                    canvas.drawString(LEFT, y, _fit(values[0], RIGHT - LEFT, "Helvetica-Bold", 10))
                elif kind == "header":
                    canvas.setFont("Helvetica-Bold", 8)
                    canvas.drawString(LEFT, y, values[0])
                    for right, text in zip(COLUMNS_RIGHT, headers()):
                        canvas.drawRightString(right, y, pdf_text(text))
                    canvas.line(LEFT, y - 3, RIGHT, y - 3)
                else:
                    bold = kind == "total"
                    font = "Helvetica-Bold" if bold else "Helvetica"
                    canvas.setFont(font, 9)
                    indent = 0 if bold else 10
                    canvas.drawString(LEFT + indent, y, _fit(values[0], LABEL_WIDTH - indent, font, 9))
                    for right, text in zip(COLUMNS_RIGHT, values[1]):
                        canvas.drawRightString(right, y, text)
                    if bold:
                        canvas.line(LEFT, y + 10, RIGHT, y + 10)
                y -= LINE
            canvas.showPage()
        canvas.save()
    return out.path


# -- Excel ---------------------------------------------------------------------------------------------


def write_xlsx(path: Path, report: CustomerReport, request: ReportRequest, sender: Sender) -> Path:
    with xlsx_workbook(path, {
        "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
    }) as (out, workbook):
        ws = workbook.add_worksheet(_("Purchases report")[:31])
        bold = workbook.add_format({"bold": True})
        big = workbook.add_format({"bold": True, "font_size": 14})
        head = workbook.add_format({"bold": True, "bottom": 1, "align": "right"})
        head_left = workbook.add_format({"bold": True, "bottom": 1})
        qty = workbook.add_format({"num_format": "#,##0.##"})
        money = workbook.add_format({"num_format": "#,##0.00"})
        index = workbook.add_format({"num_format": "0"})
        qty_b = workbook.add_format({"num_format": "#,##0.##", "bold": True, "top": 1})
        money_b = workbook.add_format({"num_format": "#,##0.00", "bold": True, "top": 1})
        index_b = workbook.add_format({"num_format": "0", "bold": True, "top": 1})
        total_label = workbook.add_format({"bold": True, "top": 1})
        ws.set_column(0, 0, 36)
        ws.set_column(1, 5, 14)
        row = 0

        def text(value, fmt=None, col=0):
            ws.write_string(row, col, printable(value), *(fmt,) if fmt else ())

        text(sender.company_name, big)
        text(_("Purchases report"), big, 3)
        row += 1
        text(", ".join(x for x in (sender.company_address, f"{sender.company_postcode} {sender.company_city}".strip(),
                                   sender.company_email) if x))
        row += 2
        c = report.customer
        for line in (c.name, c.name_extra, c.address, f"{c.postcode} {c.city}".strip()):
            if line.strip():
                text(line)
                row += 1
        row += 1
        for paragraph in letter(report, request, sender):
            text(paragraph)
            row += 1
        row += 1
        text(_("Period"), bold)
        text(period_text(request.period), None, 1)
        row += 1
        text(_("A year earlier"), bold)
        text(period_text(request.period.year_earlier()), None, 1)
        row += 2

        def header(label):
            nonlocal row
            ws.write_string(row, 0, label, head_left)
            for col, title in enumerate(headers(), start=1):
                ws.write_string(row, col, title, head)
            row += 1

        def figures(label, f: Figures, total=False, indent=False):
            nonlocal row
            ws.write_string(row, 0, ("   " if indent else "") + printable(label), total_label if total else None)
            for col, (value, fmt) in enumerate(((f.quantity_now, qty_b if total else qty),
                                                (f.quantity_before, qty_b if total else qty),
                                                (f.sales_now, money_b if total else money),
                                                (f.sales_before, money_b if total else money),
                                                (f.index, index_b if total else index)), start=1):
                ws.write_number(row, col, float(value), fmt)
            row += 1

        text(_("1. Purchases by product department"), bold)
        row += 1
        header(_("Department"))
        for line in report.departments:
            figures(line.label, line.figures)
        figures(_("Total"), report.total, total=True)
        row += 1
        text(_("2. Purchases by product group"), bold)
        row += 1
        header(_("Product group"))
        for dep in report.groups:
            text(dep.department.label, bold)
            row += 1
            for line in dep.groups:
                figures(line.label, line.figures, indent=True)
        figures(_("Total"), report.total, total=True)
        if not report.departments:
            text(_("No purchases with a product in either period."))
    return out.path


WRITERS = {"pdf": write_pdf, "xlsx": write_xlsx}


def write_documents(request: ReportRequest, reports: Iterable[CustomerReport], folder: Path, sender: Sender,
                    progress: Callable[[int, CustomerReport], None] | None = None) -> Iterator[Document]:
    """Writes each customer's file into `folder` (made if missing) and yields it."""
    try:
        folder = private_folder(export_folder(folder))
    except OSError as exc:
        raise ExportError(f"cannot make the folder {folder}: {exc.strerror or exc}") from None
    writer = WRITERS[request.fmt]
    for count, report in enumerate(reports, start=1):
        path = writer(folder / f"{file_stem(report, request)}.{request.fmt}", report, request, sender)
        if progress:
            progress(count, report)
        yield Document(report, path)


def write_zip(path: Path, files: Iterable[Path], *, unique: bool = False) -> Path:
    """A zip of the files (stored flat, by name); appears only when complete. `unique`: never
    over a file, under a free `-2`, `-3`, ... name instead (see export_target.output)."""
    with output(path, "zip", unique=unique) as out, zipfile.ZipFile(out.file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            archive.write(file, arcname=Path(file).name)
    return out.path
