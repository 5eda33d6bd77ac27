"""PHP's serialize() and unserialize() for the values Pupesoft saves: strings, integers, floats,
booleans, null and (nested) arrays. Pupesoft keeps its saved forms so (`tallennetut_parametrit.data`
is `serialize($_REQUEST)`, inc/functions.inc tallenna_muisti).

A PHP string's length is counted in bytes of the charset PHP holds it in. Pupesoft talks latin1
to the database, and latin1 has one byte per character (a character it cannot hold arrives as one
`?`), so in the text that pupetui reads and writes over its own (utf8mb4) connection the length
Pupesoft wrote and will read back is the number of characters: `dumps` counts characters. `loads`
also reads rows written by a PHP that talked UTF-8 (lengths in UTF-8 bytes): where the character
count does not end the string, it tries the UTF-8 byte count.

Not phpserialize from PyPI: it works on bytes with one charset (we get text), has no way to read
both kinds of length, and has had no release since 2012.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["dumps", "loads", "PhpSerialError"]


class PhpSerialError(ValueError):
    """The text is not PHP serialised data (or not of the kinds this module reads)."""


_INT_KEY = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")


def _key(key: Any) -> str:
    """An array key as PHP keeps it: a string of a decimal integer is an integer key."""
    if isinstance(key, bool):
        key = int(key)
    if isinstance(key, int):
        return f"i:{key};"
    text = str(key)
    if _INT_KEY.match(text) and -(2**63) <= int(text) < 2**63:
        return f"i:{int(text)};"
    return f's:{len(text)}:"{text}";'


def dumps(value: Any) -> str:
    """`serialize($value)` as Pupesoft would write it: dicts and lists are arrays (a list's keys
    0, 1, ...), str a string, int an integer, bool, None, float."""
    if value is None:
        return "N;"
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, float):
        return f"d:{value!r};"
    if isinstance(value, str):
        return f's:{len(value)}:"{value}";'
    if isinstance(value, (list, tuple)):
        value = dict(enumerate(value))
    if isinstance(value, dict):
        return f"a:{len(value)}:{{" + "".join(_key(k) + dumps(v) for k, v in value.items()) + "}"
    raise TypeError(f"PHP serialize: cannot store a {type(value).__name__}")


def loads(text: str) -> Any:
    """`unserialize($text)`: arrays come back as dicts (keys int or str, in their order).
    PhpSerialError when the text is not such data (objects are refused)."""
    if not isinstance(text, str):
        raise PhpSerialError("not text")
    value, end = _Reader(text).read(0)
    if end != len(text):
        raise PhpSerialError(f"unexpected text after the value at {end}")
    return value


class _Reader:
    def __init__(self, text: str):
        self.text = text

    def _expect(self, pos: int, what: str) -> int:
        if not self.text.startswith(what, pos):
            raise PhpSerialError(f"expected {what!r} at {pos}")
        return pos + len(what)

    def _until(self, pos: int, stop: str) -> tuple[str, int]:
        end = self.text.find(stop, pos)
        if end < 0:
            raise PhpSerialError(f"expected {stop!r} after {pos}")
        return self.text[pos:end], end + 1

    def read(self, pos: int) -> tuple[Any, int]:
        kind = self.text[pos:pos + 2]
        if kind == "N;":
            return None, pos + 2
        if kind not in ("i:", "d:", "b:", "s:", "a:"):
            raise PhpSerialError(f"unknown value {self.text[pos:pos + 2]!r} at {pos}")
        pos += 2
        if kind == "i:":
            raw, pos = self._until(pos, ";")
            if not re.fullmatch(r"[+-]?[0-9]+", raw):
                raise PhpSerialError(f"bad integer {raw!r}")
            return int(raw), pos
        if kind == "d:":
            raw, pos = self._until(pos, ";")
            try:
                return float(raw.replace("INF", "inf").replace("NAN", "nan")), pos
            except ValueError:
                raise PhpSerialError(f"bad number {raw!r}") from None
        if kind == "b:":
            raw, pos = self._until(pos, ";")
            if raw not in ("0", "1"):
                raise PhpSerialError(f"bad boolean {raw!r}")
            return raw == "1", pos
        if kind == "s:":
            return self._string(pos)
        raw, pos = self._until(pos, ":")
        if not raw.isdigit():
            raise PhpSerialError(f"bad array size {raw!r}")
        pos = self._expect(pos, "{")
        out: dict = {}
        for _ in range(int(raw)):
            key, pos = self.read(pos)
            if not isinstance(key, (int, str)):
                raise PhpSerialError(f"bad array key at {pos}")
            out[key], pos = self.read(pos)
        return out, self._expect(pos, "}")

    def _string(self, pos: int) -> tuple[str, int]:
        raw, pos = self._until(pos, ":")
        if not raw.isdigit():
            raise PhpSerialError(f"bad string length {raw!r}")
        size = int(raw)
        pos = self._expect(pos, '"')
        # the length in characters (latin1 bytes, as Pupesoft counts them) ...
        end = pos + size
        if self.text.startswith('";', end):
            return self.text[pos:end], end + 2
        # ... or in UTF-8 bytes (a PHP that talked UTF-8 to the database)
        count, end = 0, pos
        while count < size and end < len(self.text):
            count += len(self.text[end].encode("utf-8", "surrogatepass"))
            end += 1
        if count == size and self.text.startswith('";', end):
            return self.text[pos:end], end + 2
        raise PhpSerialError(f"the string at {pos} is not {size} long")
