"""Excel files (XlsxWriter), written row by row so a million rows never sit in memory."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Sequence

import xlsxwriter
import xlsxwriter.exceptions

from pupetui.services.text import printable

MAX_ROWS = 1_048_575  # Excel's limit less the header row
_FORMULA_START = ("=", "+", "-", "@")


class ExportError(Exception):
    """The file cannot be written; the message is for a person."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    truncated: bool


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def write_xlsx(path: str | Path, headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
               sheet: str = "pupetui", widths: Sequence[int] | None = None) -> ExportResult:
    """Write the rows to an .xlsx file: numbers as numbers, dates as dates, text as text
    (never as a formula, whatever it starts with). The file appears only when complete."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise ExportError(f"{path} is a folder: give a file name")
    if not path.parent.is_dir():
        raise ExportError(f"the folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK):
        raise ExportError(f"no permission to write in {path.parent}")
    partial = path.with_name(path.name + ".partial")
    workbook = xlsxwriter.Workbook(str(partial), {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    })
    try:
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
        workbook.close()
    except BaseException as exc:
        try:
            workbook.close()
        except Exception:  # noqa: BLE001 - the original error matters, not this one
            pass
        partial.unlink(missing_ok=True)
        if isinstance(exc, (OSError, xlsxwriter.exceptions.FileCreateError)):
            raise ExportError(f"cannot write {path}: {exc}") from None
        raise
    try:
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
    return ExportResult(path=path, rows=count, truncated=truncated)
