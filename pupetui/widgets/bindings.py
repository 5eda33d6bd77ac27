"""Key bindings whose descriptions follow the language.

`BINDINGS` are class attributes, made when a module is imported, so they hold English message
ids (marked with `N_`); `translate_bindings(node)` gives a screen or the app its own copy with
the descriptions in the current language.  Every binding of pupetui has an `id`, which is what
a user names in the `[keys]` table of the configuration to give it another key.
"""

from __future__ import annotations

import dataclasses

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from pupetui.i18n import _


def _translated(binding: Binding) -> Binding:
    return dataclasses.replace(
        binding,
        description=_(binding.description) if binding.description else "",
        tooltip=_(binding.tooltip) if binding.tooltip else "",
    )


def translate_bindings(node: DOMNode) -> None:
    # Textual keeps a node's bindings in `_bindings` (a per-instance copy of the class's).
    keys = {
        key: [_translated(b) for b in bindings]
        for key, bindings in node._bindings.key_to_bindings.items()
    }
    node._bindings = BindingsMap.from_keys(keys)


def binding_ids(*classes: type[DOMNode]) -> set[str]:
    """The ids of the bindings the classes declare (what a keymap may name)."""
    ids: set[str] = set()
    for cls in classes:
        for _key, binding in cls._merge_bindings():
            if binding.id:
                ids.add(binding.id)
    return ids


def keymap_clashes(
    keymap: dict[str, str], app_class: type[DOMNode], screen_classes: list[type[DOMNode]]
) -> list[tuple[str, list[str]]]:
    """(key, binding ids) where the user's keymap gives one key to two bindings of one screen.

    `keymap` must be normalized (App._normalize_keymap).  Textual itself does not report a clash
    between bindings that both have ids, and quietly drops one of them.
    """
    clashes: list[tuple[str, list[str]]] = []
    for screen_class in screen_classes:
        used: dict[str, list[str]] = {}
        for cls in (screen_class, app_class):
            for key, binding in cls._merge_bindings():
                if not binding.id:
                    continue
                keys = keymap[binding.id].split(",") if keymap.get(binding.id) else [key]
                for one in keys:
                    ids = used.setdefault(one.strip(), [])
                    if binding.id not in ids:
                        ids.append(binding.id)
        for key, ids in used.items():
            if len(ids) > 1 and any(i in keymap for i in ids):
                clash = (key, sorted(ids))
                if clash not in clashes:
                    clashes.append(clash)
    return clashes
