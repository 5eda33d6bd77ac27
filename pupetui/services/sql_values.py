"""The size of the SQL search's values: cut for showing, counted for memory and for exports.

A query can return cells of any size (`SELECT zeroblob(16000000)`, `repeat('x', 100000000)`),
so what the SQL search keeps for showing is bounded twice:

- each cell: text longer than TEXT_CHARS characters and bytes (blobs) longer than BYTES_SHOWN
  bytes are kept as a `Cut`: the start of the value and its whole size, shown with a mark
  such as "[cut: 16,000,000 bytes]" (the grid, the cell view and `pupetui sql`'s table);
- the whole result: rows stop being kept once they hold `sql.max_result_bytes` (about: see
  `for_showing`), with a note like the row limit's.

Exports get the values whole, never cut; what they write is counted (`written_bytes`) against
`sql.max_export_bytes`, and `ExportLimit` stops one that passes it or the whole-run time limit
`sql.export_timeout_seconds`.
"""

from __future__ import annotations

import marshal
import sys
import time
from dataclasses import dataclass
from itertools import chain
from typing import Any, Iterable, Iterator, Sequence

from pupetui.i18n import _, format_decimal
from pupetui.services.sql_readonly import SqlError

__all__ = ["Cut", "ExportLimit", "TEXT_CHARS", "BYTES_SHOWN", "cut_value", "cut_row", "held_bytes",
           "for_showing", "written_bytes", "size_text", "limit_text", "too_big", "too_slow", "bounded_export"]

MAX_RESULT_BYTES = 64 * 1024 * 1024  # sql.max_result_bytes: rows kept for showing
MAX_EXPORT_BYTES = 1024 * 1024 * 1024  # sql.max_export_bytes: what one export may write
EXPORT_TIMEOUT_SECONDS = 600  # sql.export_timeout_seconds: one whole export run
TEXT_CHARS = 4096  # characters of a text value kept for showing
BYTES_SHOWN = 2048  # bytes of a binary value kept for showing
_ROW_OVERHEAD = 56  # a tuple of its own
_CELL_OVERHEAD = 8  # the tuple's pointer to each value
_OBJECT_OVERHEAD = 40  # what a value takes as an object beyond its bytes (about)
_FEW_ROWS = 8  # fetches of no more rows (big rows come one at a time) are sized value by value
# values that take no more than this together (marshal's size or getsizeof's) cannot hold one
# to cut (a str of more than TEXT_CHARS characters, bytes of more than BYTES_SHOWN, take more):
# the row is not looked into
_NOTHING_TO_CUT = min(TEXT_CHARS, BYTES_SHOWN)


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

    def __sizeof__(self) -> int:
        return object.__sizeof__(self) + sys.getsizeof(self.head)


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
                written += written_bytes((row,))
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


def held_bytes(row: Sequence[Any]) -> int:
    """About the memory a row holds (the tuple and its values), for the result's byte budget."""
    return _ROW_OVERHEAD + _CELL_OVERHEAD * len(row) + sum(map(sys.getsizeof, row))


def _sizes(rows: Sequence[Sequence[Any]]) -> tuple[list[int], int]:
    """The size of each row's values, at C speed: marshal's (about the values' bytes: UTF-8
    text, the bytes of binary values) with the objects' own overhead added, or, for rows
    marshal cannot take (Decimal, dates: PostgreSQL, MariaDB), sys.getsizeof's. Also the
    overhead per value that was added (0 for getsizeof, which counts it)."""
    getsizeof = sys.getsizeof
    if len(rows) > _FEW_ROWS:  # not for the few (maybe huge) rows: marshal would copy them
        try:
            return list(map(len, map(marshal.dumps, rows))), _OBJECT_OVERHEAD
        except ValueError:
            pass
    return [sum(map(getsizeof, row)) for row in rows], 0


def for_showing(rows: Sequence[Sequence[Any]], room: int | None) -> tuple[list[tuple], int, int, bool]:
    """The rows as kept for showing (too long values cut), at most `room` bytes of them (None:
    any number): (the rows, about the bytes they held as fetched, about the bytes they hold
    now, whether some did not fit)."""
    if not rows:
        return [], 0, 0, False
    sizes, extra = _sizes(rows)
    per_value = _CELL_OVERHEAD + extra
    cells = sum(map(len, rows))
    raw = _ROW_OVERHEAD * len(rows) + per_value * cells + sum(sizes)
    if max(sizes) <= _NOTHING_TO_CUT and (room is None or raw <= room):
        return list(rows), raw, raw, False  # the usual case: nothing to cut, room for all
    out: list[tuple] = []
    held = 0
    for row, values in zip(rows, sizes):
        size = _ROW_OVERHEAD + per_value * len(row) + values
        if values > _NOTHING_TO_CUT:
            row = cut_row(row)
            size = held_bytes(row)
        if room is not None and held + size > room:
            return out, raw, held, True
        held += size
        out.append(row if type(row) is tuple else tuple(row))
    return out, raw, held, False


def written_bytes(rows: Sequence[Sequence[Any]]) -> int:
    """About the bytes rows take in an export file: the values' bytes (UTF-8 text, binary values
    as their bytes, though the file holds them as twice as many hex digits, a little more for
    each value). Many rows at C speed (marshal's size); a few rows (big ones come one at a
    time), or those marshal cannot take (Decimal, dates), value by value without copying."""
    if len(rows) > _FEW_ROWS:  # not for the few (maybe huge) rows: marshal would copy them
        try:
            return sum(map(len, map(marshal.dumps, rows)))
        except ValueError:
            pass
    total = 2 * len(rows)
    for value in chain.from_iterable(rows):
        kind = type(value)
        if kind is str:
            total += 1 + (len(value) if value.isascii() else 2 * len(value))  # no copy of a huge text
        elif kind is bytes or kind is bytearray:
            total += 1 + len(value)
        elif value is None:
            total += 1
        else:
            total += 1 + len(str(value))
    return total
