"""Untrusted text shown literally: never parsed as markup, a `rich.text.Text` shows `[bold]` as
the characters `[bold]`; control characters removed by `services.text.printable`."""

from __future__ import annotations

from rich.text import Text

from pupetui.services.text import printable

__all__ = ["literal", "printable"]


def literal(value: object, style: str = "") -> Text:
    """A Text showing `value` exactly as written (markup characters included)."""
    return Text(printable(value), style=style, no_wrap=False)
