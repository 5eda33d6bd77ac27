"""Untrusted text (from the database or from users) made safe to show on a terminal.

Control characters (C0, DEL, C1: an ESC could drive the terminal) and the bidirectional
overrides (which can make text read as something else) are removed. On one line (the default)
a tab, newline or carriage return becomes a space; in multi-line text newlines are kept and tabs
become spaces. Markup is not touched here: widgets show the result literally (rich Text).
Headless commands print through this too, so both faces show the same.
"""

from __future__ import annotations

import re

_BLANKS = re.compile(r"[\t\n\r\v\f]")
# A terminal's escape sequences as a paste may carry them (coloured text copied from a terminal):
# CSI (ESC [ or the one-character CSI), OSC (ESC ], ended by BEL or ESC \\), and two-character ones.
_SEQUENCES = re.compile(
    "(?:\x1b\\[|\x9b)[0-?]*[ -/]*[@-~]"
    "|(?:\x1b\\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\\\|\x9c)?"
    "|\x1b[ -/]*[0-~]"
)
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def printable(value: object, *, single_line: bool = True) -> str:
    """`value` as a string without control characters ('' for None)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if single_line:
        return _CONTROLS.sub("", _BLANKS.sub(" ", text))
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(_CONTROLS.sub("", _BLANKS.sub(" ", line)) for line in lines)


def pasted(text: str) -> str:
    """A paste as a text field takes it: terminal escape sequences dropped whole, other control
    characters removed (line breaks kept: a single-line field takes the first line itself)."""
    if not text:
        return ""
    return printable(_SEQUENCES.sub("", text), single_line=False)
