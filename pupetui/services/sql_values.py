"""The size of the SQL search's values: cut for showing, counted for memory and for exports.

A query can return cells of any size (`SELECT zeroblob(16000000)`, `repeat('x', 100000000)`),
so what the SQL search keeps for showing is bounded twice:

- each cell: text longer than TEXT_CHARS characters and bytes (blobs) longer than BYTES_SHOWN
  bytes are kept as a `Cut`: the start of the value and its whole size, shown with a mark
  such as "[cut: 16,000,000 bytes]" (the grid, the cell view and `pupetui sql`'s table);
- the whole result: rows stop being kept once they hold `sql.max_result_bytes` (see
  `held_bytes`), with a note like the row limit's.

Exports get the values whole, never cut; what they write is counted (`written_bytes`) against
`sql.max_export_bytes`, and `ExportLimit` stops one that passes it or the whole-run time limit
`sql.export_timeout_seconds`.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Sequence

from pupetui.i18n import _, format_decimal
from pupetui.services.sql_readonly import SqlError

__all__ = ["Cut", "ExportLimit", "TEXT_CHARS", "BYTES_SHOWN", "cut_value", "cut_row", "held_bytes",
           "raw_bytes", "written_bytes", "size_text", "limit_text", "too_big", "too_slow", "bounded_export"]

MAX_RESULT_BYTES = 64 * 1024 * 1024  # sql.max_result_bytes: rows kept for showing
MAX_EXPORT_BYTES = 1024 * 1024 * 1024  # sql.max_export_bytes: what one export may write
EXPORT_TIMEOUT_SECONDS = 600  # sql.export_timeout_seconds: one whole export run
TEXT_CHARS = 4096  # characters of a text value kept for showing
BYTES_SHOWN = 2048  # bytes of a binary value kept for showing
_ROW_OVERHEAD = 56  # a tuple of its own
_CELL_OVERHEAD = 8  # the tuple's pointer to each value
_OTHER_VALUE = 32  # numbers, dates: small and about this size


class ExportLimit(SqlError):
    """An export stopped at sql.max_export_bytes or sql.export_timeout_seconds (the file is not
    written); the message says which limit and how to change it."""


@dataclass(frozen=True, slots=True)
class Cut:
    """A value too long to show whole: its start (`head`, str or bytes) and its whole size
    (`size`, in characters for text, in bytes for binary values)."""

    head: str | bytes
    size: int

    @property
    def binary(self) -> bool:
        return isinstance(self.head, bytes)

    @property
    def mark(self) -> str:
        """"[cut: 16,000,000 bytes]": what a cut cell says about itself."""
        return _("[cut: {size}]").format(size=size_text(self.size, self.binary))

    def head_text(self) -> str:
        """The kept start as text ("0x…" hex for bytes); control characters as they are."""
        if isinstance(self.head, bytes):
            return "0x" + self.head.hex()
        return self.head

    def __str__(self) -> str:
        return f"{self.head_text()}… {self.mark}"


def size_text(size: int, binary: bool) -> str:
    count = format_decimal(size, 0)
    return (_("{count} bytes") if binary else _("{count} characters")).format(count=count)


def limit_text(size: int | None) -> str:
    """A byte limit as people set it: "64 MiB", "1 GiB" (or the bytes when not even)."""
    if not size:
        return ""
    for unit, name in ((1024 ** 3, "GiB"), (1024 ** 2, "MiB"), (1024, "KiB")):
        if size >= unit and size % unit == 0:
            return f"{format_decimal(size // unit, 0)} {name}"
    return size_text(size, True)


def too_big(max_bytes: int) -> ExportLimit:
    return ExportLimit(_(
        "the export was stopped: it passed the size limit of {size} "
        "(sql.max_export_bytes); no file was written").format(size=limit_text(max_bytes)))


def too_slow(seconds: float) -> ExportLimit:
    return ExportLimit(_(
        "the export was stopped: it took longer than the time limit of {seconds} s "
        "(sql.export_timeout_seconds); no file was written").format(seconds=f"{seconds:g}"))


def bounded_export(rows: Iterable[Sequence[Any]], *, max_bytes: int | None,
                   timeout_seconds: float | None) -> Iterator[Sequence[Any]]:
    """`rows` for an export writer, stopped with ExportLimit past `max_bytes` (as written) or
    `timeout_seconds` of the whole run (checked between rows: a database that does not answer
    is stopped by its own time limit). The source is closed either way."""
    deadline = time.monotonic() + timeout_seconds if timeout_seconds else None
    written = 0
    source = iter(rows)
    try:
        for n, row in enumerate(source):
            if max_bytes is not None:
                written += written_bytes(row)
                if written > max_bytes:
                    raise too_big(max_bytes)
            if deadline is not None and not n & 63 and time.monotonic() > deadline:
                raise too_slow(timeout_seconds)
            yield row
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()


def cut_value(value: Any, text_chars: int = TEXT_CHARS, bytes_shown: int = BYTES_SHOWN) -> Any:
    """`value`, or a `Cut` of it when it is too long to show."""
    kind = type(value)
    if kind is str:
        return Cut(value[:text_chars], len(value)) if len(value) > text_chars else value
    if kind is bytes or kind is bytearray or kind is memoryview:
        size = len(value) if kind is not memoryview else value.nbytes
        if size > bytes_shown:
            return Cut(bytes(value[:bytes_shown]), size)
        return bytes(value) if kind is not bytes else value
    return value


def cut_row(row: Sequence[Any]) -> tuple:
    """A row with its too long values cut (the row itself when none is)."""
    for value in row:
        kind = type(value)
        if (kind is str and len(value) > TEXT_CHARS) or kind in (bytes, bytearray, memoryview):
            return tuple(cut_value(v) for v in row)
    return row if type(row) is tuple else tuple(row)


def _value_bytes(value: Any) -> int:
    kind = type(value)
    if kind is str or kind is bytes or kind is bytearray:
        return sys.getsizeof(value)
    if kind is Cut:
        return sys.getsizeof(value.head) + _OTHER_VALUE
    if kind is memoryview:
        return value.nbytes + _OTHER_VALUE
    return _OTHER_VALUE


def held_bytes(row: Sequence[Any]) -> int:
    """About the memory a row holds (the tuple and its values), for the result's byte budget."""
    return _ROW_OVERHEAD + sum(_CELL_OVERHEAD + _value_bytes(v) for v in row)


def raw_bytes(rows: Sequence[Sequence[Any]]) -> int:
    """About the memory a batch of rows holds, for sizing the next fetch."""
    return sum(held_bytes(r) for r in rows)


def written_bytes(row: Sequence[Any]) -> int:
    """About the bytes a row takes in an export file: UTF-8 text, hex for bytes (as the CSV and
    Excel writers write them), a separator per value."""
    total = 2  # the line end
    for value in row:
        kind = type(value)
        if kind is str:
            total += 1 + (len(value) if value.isascii() else len(value.encode("utf-8", "surrogatepass")))
        elif kind is bytes or kind is bytearray:
            total += 1 + 2 * len(value)
        elif kind is memoryview:
            total += 1 + 2 * value.nbytes
        elif value is None:
            total += 1
        else:
            total += 1 + len(str(value))
    return total
