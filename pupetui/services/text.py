"""Untrusted text: what the database or a user gave, made safe to show on a terminal."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def printable(value: object, *, single_line: bool = True) -> str:
    """The text with control characters (and bidi overrides) replaced; newlines kept unless
    `single_line`, where they and tabs become spaces. Markup is not touched: widgets must show
    the result literally."""
    text = "" if value is None else str(value)
    if single_line:
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    else:
        text = text.replace("\r\n", "\n").replace("\t", "    ")
    return _CONTROL.sub("\ufffd", text)
