"""Untrusted text shown literally: never parsed as markup, a `rich.text.Text` shows `[bold]` as
the characters `[bold]`; control characters removed by `services.text.printable`."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from pupetui.services.text import printable

__all__ = ["ERROR_MARK", "literal", "literal_line", "literal_title", "marked", "printable"]

# Put before an error message, so it reads as an error in monochrome too (not by colour alone).
ERROR_MARK = "!"


def literal(value: object, style: str = "") -> Text:
    """A Text showing `value` exactly as written (markup characters included)."""
    return Text(printable(value), style=style, no_wrap=False)


def literal_line(value: object, style: str = "") -> Text:
    """`value` exactly as written on one line, cut with … where its room ends: a table cell (a
    wrapping Text in a one-line cell would show only the words before its first break)."""
    return Text(printable(value), style=style, no_wrap=True, overflow="ellipsis")


def literal_title(value: object) -> Content:
    """`value` as a border title, sub-title, tooltip or notification: Textual parses a plain str
    given to those as markup (`[/]` would raise, `[Ab]` would vanish); a Content shows it as written."""
    return Content(printable(value))


def marked(text: str, error: bool = True) -> str:
    """An error message with the error mark in front; other messages, and an empty one, as
    they are."""
    if not error or not text or text.startswith(ERROR_MARK):
        return text
    return f"{ERROR_MARK} {text}"
