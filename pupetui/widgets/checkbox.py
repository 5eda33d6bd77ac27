"""A checkbox whose state shows without colour: "X" when ticked, a blank when not.

Textual's Checkbox draws the same "X" in both states and tells them apart by colour only, which a
monochrome terminal (or NO_COLOR) cannot show.
"""

from __future__ import annotations

from textual.widgets import Checkbox


class MarkedCheckbox(Checkbox):
    @property
    def BUTTON_INNER(self) -> str:  # noqa: N802 - Textual's name
        return "X" if self.value else " "
