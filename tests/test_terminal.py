"""Terminal fit (issue #10), for every program registered in pupetui/screens/programs.py, so a
program added there is checked too: keys that terminals pass through, F1 and the command palette
on every program screen, every screen usable at 80x24 and using a larger terminal, and every
state shown by a mark that needs no colour.
"""

from __future__ import annotations

import string

import pytest
from textual.binding import Binding
from textual.keys import _character_to_key

from pupetui import config, db, i18n
from pupetui.app import PupetuiApp, keymap_classes
from pupetui.screens.help import HelpScreen, screen_actions
from pupetui.screens.menu import MenuScreen
from pupetui.screens.programs import BINDING_CLASSES, PROGRAM_SCREENS, _load
from pupetui.services import auth, demo, schema
from pupetui.services.programs import BY_ID
from test_app import screen_text, wait_for

# Keys that reach a program through any terminal, tmux, screen and SSH: letters and digits
# (shifted too), F1-F10, Ctrl with a letter, arrows, paging, Home/End, Enter, Esc, Tab,
# Shift+Tab, space, Delete, Backspace, Insert, and printable punctuation.
RELIABLE_KEYS = (
    set(string.ascii_letters)
    | set(string.digits)
    | {f"f{n}" for n in range(1, 11)}
    | {f"ctrl+{c}" for c in string.ascii_lowercase}
    | {"up", "down", "left", "right", "pageup", "pagedown", "home", "end", "insert"}
    | {"enter", "escape", "tab", "shift+tab", "space", "delete", "backspace"}
    | {_character_to_key(c) for c in string.punctuation}
)
# Not passed reliably: F11/F12 (taken by terminal emulators), Alt (Meta) combinations,
# Ctrl+Shift, Ctrl with Enter, Space, Home/End or arrows (many terminals send nothing or the
# plain key), Super.


def binding_classes() -> list[type]:
    """The app, the shell's screens, every registered program screen and every class with
    bindings of its own (forms, pickers, grids)."""
    return [PupetuiApp, *keymap_classes()]


def actions_of(cls: type) -> dict[str, list[Binding]]:
    by_action: dict[str, list[Binding]] = {}
    for key, binding in cls._merge_bindings():
        by_action.setdefault(binding.action, []).append(Binding(key, binding.action, binding.description,
                                                                id=binding.id, system=binding.system))
    return by_action


def test_every_registered_screen_is_checked():
    names = {c.__module__ + ":" + c.__name__ for c in binding_classes()}
    for target in list(PROGRAM_SCREENS.values()) + list(BINDING_CLASSES):
        assert target in names


@pytest.mark.parametrize("cls", binding_classes(), ids=lambda c: c.__name__)
def test_every_action_has_a_key_that_terminals_pass(cls):
    for action, bindings in actions_of(cls).items():
        keys = [b.key for b in bindings]
        if all(b.system for b in bindings):
            continue
        assert any(key in RELIABLE_KEYS for key in keys), (
            f"{cls.__name__}: the action {action!r} has only keys terminals may not pass: {keys}"
        )


@pytest.mark.parametrize("cls", binding_classes(), ids=lambda c: c.__name__)
def test_every_binding_has_an_id_for_the_keymap(cls):
    for action, bindings in actions_of(cls).items():
        for binding in bindings:
            # Textual's own widgets (Input, DataTable...) bring bindings without ids: their
            # editing keys are Textual's, the same in every application
            owner = next(k for k in cls.__mro__ if any(b.action == action for b in _own(k)))
            if owner.__module__.startswith("textual."):
                continue
            assert binding.id or binding.system, f"{cls.__name__}: {binding.key} -> {action} has no id"


def _own(cls: type) -> list[Binding]:
    return [b if isinstance(b, Binding) else Binding(*b) for b in cls.__dict__.get("BINDINGS", [])]
