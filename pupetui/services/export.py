"""Excel and CSV files, written row by row so a million rows never sit in memory.

- `write_xlsx`: one sheet, at most Excel's 1,048,575 rows under the header (the rest is cut
  and `truncated` says so): the customer list and other lists of the app.
- `write_xlsx_sheets`: every row, a new sheet (with the header again) after each 1,048,575,
  for the SQL search; text that looks like an ISO date (SQLite keeps dates as text) becomes
  a date, Pupesoft's zero date an empty cell.
- `write_csv`: UTF-8 *with* a byte order mark, comma-separated, CRLF, RFC 4180 quoting. The BOM
  is there because Excel is the program most people open a CSV with, and without the BOM it
  reads UTF-8 as the local code page (ä and ö come out as mojibake); Python (utf-8-sig),
  LibreOffice and most tools skip it. For the same reader, text that starts with = + - @ (or a
  tab or carriage return) gets a leading apostrophe, so that a cell from the database is never
  run as a formula (CSV injection); numbers are written as numbers (-5 stays -5).

Where a file may go, and how it is written (a partial file, 0600, never over a file pupetui did not
write), is services/export_target.py's, for these writers and every other.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import xlsxwriter
import xlsxwriter.exceptions

from pupetui.services.export_target import ExportError, Output, cannot_write, output
from pupetui.services.text import printable

MAX_ROWS = 1_048_575  # Excel's limit less the header row
EXCEL_SHEET_ROWS = 1_048_576  # rows on one worksheet, the header row included
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    truncated: bool
    sheets: int = 1


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


@contextlib.contextmanager
def xlsx_workbook(path: str | Path, options: dict) -> Iterator[tuple[Output, xlsxwriter.Workbook]]:
    """An xlsxwriter workbook writing into export_target's `output(path, "xlsx")`: closed (the
    file complete) when the block ends; on an exception no file is left."""
    with output(path, "xlsx") as out:
        workbook = xlsxwriter.Workbook(out.file, options)
        try:
            yield out, workbook
            workbook.close()
        except BaseException as exc:
            try:
                workbook.close()
            except Exception:  # noqa: BLE001 - the original error matters, not this one
                pass
            if isinstance(exc, xlsxwriter.exceptions.XlsxWriterException):
                raise cannot_write(out.path, exc) from None
            raise


def write_xlsx(path: str | Path, headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
               sheet: str = "pupetui", widths: Sequence[int] | None = None) -> ExportResult:
    """Write the rows to an .xlsx file: numbers as numbers, dates as dates, text as text
    (never as a formula, whatever it starts with). The file appears only when complete."""
    with xlsx_workbook(path, {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    }) as (out, workbook):
        ws = workbook.add_worksheet(sheet[:31])
        bold = workbook.add_format({"bold": True})
        date_format = workbook.add_format({"num_format": "dd.mm.yyyy"})
        datetime_format = workbook.add_format({"num_format": "dd.mm.yyyy hh:mm"})
        for col, title in enumerate(headers):
            ws.write_string(0, col, str(title), bold)
            if widths and col < len(widths):
                ws.set_column(col, col, widths[col])
        ws.freeze_panes(1, 0)
        count = 0
        truncated = False
        for row in rows:
            if count >= MAX_ROWS:
                truncated = True
                break
            r = count + 1
            for col, value in enumerate(row):
                value = _cell(value)
                if value is None:
                    continue
                if isinstance(value, bool):
                    ws.write_boolean(r, col, value)
                elif isinstance(value, (int, float)):
                    ws.write_number(r, col, value)
                elif isinstance(value, dt.datetime):
                    ws.write_datetime(r, col, value, datetime_format)
                elif isinstance(value, dt.date):
                    ws.write_datetime(r, col, dt.datetime.combine(value, dt.time()), date_format)
                else:
                    ws.write_string(r, col, printable(value, single_line=False))
            count += 1
    return ExportResult(path=out.path, rows=count, truncated=truncated)


# -- every row, as many sheets as it takes (the SQL search) --------------------------------

_NO_DATE = object()


def iso_date(text: str) -> Any:
    """A date or datetime for 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS' text, _NO_DATE for
    Pupesoft's zero date, None for anything else."""
    n = len(text)
    if n == 10 and text[4] == "-" and text[7] == "-":
        if text == "0000-00-00":
            return _NO_DATE
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    if n == 19 and text[4] == "-" and text[10] in " T" and text[13] == ":":
        if text.startswith("0000-00-00"):
            return _NO_DATE
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    return None


def _sheet_name(base: str, number: int) -> str:
    if number == 1:
        return base[:31]
    suffix = f" ({number})"
    return base[: 31 - len(suffix)] + suffix


def write_xlsx_sheets(path: str | Path, headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
                      sheet: str = "pupetui", rows_per_sheet: int = EXCEL_SHEET_ROWS - 1,
                      iso_dates: bool = True) -> ExportResult:
    """Write every row to an .xlsx file in constant memory: numbers as numbers, dates as dates
    (also ISO date text when `iso_dates`), text as text (never a formula), NULL as an empty
    cell, a header row on each sheet and a new sheet after `rows_per_sheet` rows.
    The file appears only when complete; on any error (or a cancel) no file is left."""
    if rows_per_sheet < 1:
        raise ValueError("rows_per_sheet must be at least 1")
    count = 0
    sheets = 0
    with xlsx_workbook(path, {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
        "remove_timezone": True,
    }) as (out, workbook):
        bold = workbook.add_format({"bold": True})
        date_format = workbook.add_format({"num_format": "dd.mm.yyyy"})
        datetime_format = workbook.add_format({"num_format": "dd.mm.yyyy hh:mm:ss"})
        time_format = workbook.add_format({"num_format": "hh:mm:ss"})
        titles = [printable(t) for t in headers]

        def new_sheet():
            nonlocal sheets
            sheets += 1
            ws = workbook.add_worksheet(_sheet_name(sheet, sheets))
            for col, title in enumerate(titles):
                ws.write_string(0, col, title, bold)
            ws.freeze_panes(1, 0)
            return ws

        ws = new_sheet()
        write_string, write_number = ws.write_string, ws.write_number
        write_datetime, write_boolean = ws.write_datetime, ws.write_boolean
        r = 0
        for row in rows:
            if r == rows_per_sheet:
                ws = new_sheet()
                write_string, write_number = ws.write_string, ws.write_number
                write_datetime, write_boolean = ws.write_datetime, ws.write_boolean
                r = 0
            r += 1
            c = -1
            for value in row:
                c += 1
                if value is None:
                    continue
                kind = type(value)
                if kind is str:
                    if iso_dates and value[4:5] == "-":
                        when = iso_date(value)
                        if when is _NO_DATE:
                            continue
                        if when is not None:
                            write_datetime(r, c, when, datetime_format if len(value) == 19 else date_format)
                            continue
                    write_string(r, c, value if value.isprintable() else printable(value, single_line=False))
                elif kind is int:
                    write_number(r, c, value)
                elif kind is float:
                    if math.isfinite(value):
                        write_number(r, c, value)
                    else:
                        write_string(r, c, str(value))
                elif kind is Decimal:
                    if value.is_finite():
                        write_number(r, c, float(value))
                    else:
                        write_string(r, c, str(value))
                elif kind is bool:
                    write_boolean(r, c, value)
                elif kind is dt.datetime:
                    write_datetime(r, c, value, datetime_format)
                elif kind is dt.date:
                    write_datetime(r, c, value, date_format)
                elif kind is dt.time or kind is dt.timedelta:
                    write_datetime(r, c, value, time_format)
                elif isinstance(value, (bytes, bytearray, memoryview)):
                    write_string(r, c, bytes(value).hex())
                elif isinstance(value, int):  # int subclasses, e.g. enums
                    write_number(r, c, int(value))
                else:
                    write_string(r, c, printable(value, single_line=False))
            count += 1
    return ExportResult(path=out.path, rows=count, truncated=False, sheets=sheets)


def csv_cell(value: Any) -> str:
    """One value as CSV text: ISO dates, plain decimals, NULL as empty, no formulas."""
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        text = value if value.isprintable() else printable(value, single_line=False)
        return "'" + text if text.startswith(_FORMULA_START) else text
    if kind is int or kind is float:
        return str(value)
    if kind is Decimal:
        return format(value, "f")
    if kind is bool:
        return "true" if value else "false"
    if kind is dt.datetime:
        return value.isoformat(" ")
    if kind is dt.date or kind is dt.time:
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    text = printable(value, single_line=False)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(path: str | Path, headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
              bom: bool = True, delimiter: str = ",") -> ExportResult:
    """Write every row to a CSV file (see the module's note on the BOM and formulas).
    The file appears only when complete; on any error (or a cancel) no file is left."""
    count = 0
    with output(path, "csv") as out:
        fh = io.TextIOWrapper(out.file, encoding="utf-8-sig" if bom else "utf-8", newline="")
        writer = csv.writer(fh, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow([printable(h) for h in headers])
        writerow = writer.writerow
        for row in rows:
            writerow([csv_cell(v) for v in row])
            count += 1
        fh.flush()
        fh.detach()  # out.file stays open: output() syncs and closes it
    return ExportResult(path=out.path, rows=count, truncated=False)
