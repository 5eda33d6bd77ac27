"""Which screen opens each program: built programs register here, the rest say "not yet"."""

from __future__ import annotations

import importlib

from textual.screen import Screen

from pupetui.screens.unavailable import UnavailableScreen
from pupetui.services.programs import Program

# program id -> "module:ClassName" of its screen (imported on first use, to start fast).
# A screen class takes no arguments; add it here when its Program gets available=True.
PROGRAM_SCREENS: dict[str, str] = {}


def screen_for(program: Program) -> Screen:
    target = PROGRAM_SCREENS.get(program.id)
    if not program.available or not target:
        return UnavailableScreen(program)
    module_name, _, class_name = target.partition(":")
    screen_class = getattr(importlib.import_module(module_name), class_name)
    return screen_class()
