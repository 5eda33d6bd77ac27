"""F1: the keys of the screen beneath, every binding that has a description."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.dom import DOMNode
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from pupetui.i18n import N_, _
from pupetui.screens.base import SCREEN_BINDINGS, PupeModalScreen
from pupetui.widgets.literal import literal


GENERIC_IDS = {b.id for b in SCREEN_BINDINGS}


def _is_ours(node: object) -> bool:
    # Textual's own widgets (Input, OptionList...) bring their editing and cursor keys; those
    # work as everywhere else and are not listed (their descriptions are not translated either).
    return isinstance(node, (App, Screen)) or type(node).__module__.startswith("pupetui.")


def _rank(node: object, binding_id: str | None) -> int:
    """The screen's own keys first, then those of its widgets (moving in a table...), the app's,
    and last the generic field keys."""
    if binding_id in GENERIC_IDS:
        return 3
    if isinstance(node, App):
        return 2
    return 0 if isinstance(node, Screen) else 1


def screen_actions(screen: Screen) -> list[tuple[str, str, DOMNode, Binding]]:
    """(description, keys as shown, node, binding) of each action of `screen` a user can run
    now: the active, enabled bindings with a description of the screen and its widgets (not
    the app's, not the generic field keys, not Textual's own editing keys), one per action."""
    app = screen.app
    seen: dict[tuple[str, str], list] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or binding.system or not _is_ours(active.node):
            continue
        if isinstance(active.node, App) or binding.id in GENERIC_IDS or not active.enabled:
            continue
        name = (binding.id or binding.action, binding.description)
        row = seen.setdefault(name, [binding.description, [], active.node, binding])
        key = app.get_key_display(binding)
        if key not in row[1]:
            row[1].append(key)
    return [(description, ", ".join(keys), node, binding) for description, keys, node, binding in seen.values()]


def screen_keys(screen: Screen) -> list[tuple[str, str]]:
    """(keys as shown, description) for every active binding of `screen` with a description.

    The screen's own keys come first, then its widgets', the app's, and the generic field keys; keys of one
    binding (e.g. ctrl+c and super+c) share a row.
    """
    app = screen.app
    rows: dict[tuple[str, str], tuple[int, list[str]]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or binding.system or not _is_ours(active.node):
            continue
        name = (binding.id or binding.action, binding.description)
        rank, keys = rows.setdefault(name, (_rank(active.node, binding.id), []))
        key = app.get_key_display(binding)
        if key not in keys:
            keys.append(key)
    ordered = sorted(rows.items(), key=lambda item: item[1][0])
    return [(", ".join(keys), description) for (_id, description), (_rank_, keys) in ordered]


class HelpScreen(PupeModalScreen):
    TITLE_ID = N_("Keys")
    CSS_PATH = Path(__file__).with_name("help.tcss")  # absolute: subclasses elsewhere keep it
    BINDINGS = [Binding("escape,f1,q", "close", N_("Close"), id="close_help")]

    def __init__(self, keys: list[tuple[str, str]], screen_title: str = "") -> None:
        super().__init__()
        self.keys = keys
        self.screen_title = screen_title

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            heading = _("Keys")
            if self.screen_title:
                heading = _("Keys: {screen}").format(screen=self.screen_title)
            yield Static(literal(heading), id="help-heading")
            table = DataTable(id="help-keys", cursor_type="none", zebra_stripes=True, show_cursor=False)
            table.add_column(_("Key"), key="key")
            table.add_column(_("Action"), key="action")
            for key, description in self.keys:
                table.add_row(literal(key, "bold"), literal(description))
            yield table
            yield Static("", id="help-close")

    def on_mount(self) -> None:
        keys = [
            self.app.get_key_display(active.binding)
            for active in self.active_bindings.values()
            if active.binding.id == "close_help"
        ]
        hint = _("{key} closes this help.").format(key=keys[0] if keys else "esc")
        self.query_one("#help-close", Static).update(literal(hint))

    def action_close(self) -> None:
        self.dismiss()
