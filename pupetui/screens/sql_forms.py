"""The SQL search's dialogs: save a query, the saved queries, the history, the schema and the
completion list. Each dismisses with what was chosen (or None); the screen does the work.

Every value from the database or a file is shown literally (never as markup).
"""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, OptionList, Static, Tree
from textual.widgets.option_list import Option

from pupetui.i18n import N_, _
from pupetui.screens.base import PupeModalScreen
from pupetui.services.sql_console import HistoryEntry, SavedQuery, SqlAccess
from pupetui.widgets.confirm import DIALOG_CSS
from pupetui.widgets.literal import literal, literal_title, printable
from pupetui.widgets.stored_note import StoredTextNotes
from pupetui.services import failures

__all__ = ["SaveSqlScreen", "SavedSqlScreen", "SqlHistoryScreen", "SchemaScreen", "CompletionScreen", "one_line"]


def one_line(sql: str, width: int = 200) -> str:
    """SQL on one line (spaces collapsed), cut to `width` characters."""
    text = " ".join(printable(sql, single_line=False).split())
    return text if len(text) <= width else text[: width - 1] + "…"


class SaveSqlScreen(StoredTextNotes, PupeModalScreen):
    """Name and description of a query to save; dismisses with (name, description) or None."""

    DEFAULT_CSS = DIALOG_CSS.format(name="SaveSqlScreen")
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="sql_save_cancel")]

    def __init__(self, name: str = "", description: str = "") -> None:
        super().__init__()
        self.initial_name = name
        self.initial_description = description

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(literal(_("Save the query")), classes="dialog-title")
            yield Input(self.initial_name, placeholder=_("Name"), max_length=50, id="sql-save-name")
            yield Input(self.initial_description, placeholder=_("Description"), id="sql-save-description")
            yield Static("", id="sql-save-status", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Save"), id="sql-save-ok", variant="primary")
                yield Button(_("Cancel"), id="sql-save-no")

    def on_mount(self) -> None:
        self.note_stored_text("#sql-save-name", "#sql-save-description")  # what Pupesoft stores
        self.query_one("#sql-save-name", Input).focus()

    def _submit(self) -> None:
        name = self.query_one("#sql-save-name", Input).value.strip()
        if not name:
            self.query_one("#sql-save-status", Static).update(literal(_("A saved query needs a name.")))
            self.query_one("#sql-save-name", Input).focus()
            return
        self.dismiss((name, self.query_one("#sql-save-description", Input).value.strip()))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "sql-save-name":
            self.query_one("#sql-save-description", Input).focus()
        else:
            self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "sql-save-ok":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SavedSqlScreen(PupeModalScreen):
    """The saved queries of the company: dismisses with ("run" | "load" | "delete", SavedQuery)
    or None. What the user may not do is told, not done."""

    DEFAULT_CSS = DIALOG_CSS.format(name="SavedSqlScreen") + """
    SavedSqlScreen > Vertical { width: 76; }
    SavedSqlScreen #sql-saved-list { height: auto; max-height: 12; margin-top: 1; }
    SavedSqlScreen #sql-saved-sql { height: auto; max-height: 3; color: $text-muted; }
    SavedSqlScreen #sql-saved-status { color: $error; }
    """
    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="sql_saved_close"),
        Binding("r,f5", "choose('run')", N_("Run"), id="sql_saved_run"),
        Binding("l", "choose('load')", N_("Load into the editor"), id="sql_saved_load"),
        Binding("d,delete", "choose('delete')", N_("Delete"), id="sql_saved_delete"),
    ]

    def __init__(self, saved: list[SavedQuery], access: SqlAccess) -> None:
        super().__init__()
        self.saved = saved
        self.access = access

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(literal(_("Saved queries")), classes="dialog-title")
            if self.saved:
                yield OptionList(*[Option(self.describe(q), id=str(q.id)) for q in self.saved], id="sql-saved-list")
            else:
                yield Static(literal(_("No saved queries yet.")), id="sql-saved-list")
            yield Static("", id="sql-saved-sql", markup=False)
            yield Static("", id="sql-saved-status", markup=False)
            parts = [_("Enter or r runs")]
            if self.access.write:
                parts.append(_("l loads into the editor"))
            if self.access.save:
                parts.append(_("d deletes"))
            parts.append(_("Esc closes"))
            yield Static(literal(" · ".join(parts)), classes="dialog-hint")

    @staticmethod
    def describe(query: SavedQuery) -> Text:
        text = query.name
        if query.description:
            text += f" — {query.description}"
        if query.owner:
            text += f" ({query.owner})"
        return literal(one_line(text, 120))

    def on_mount(self) -> None:
        if self.saved:
            options = self.query_one("#sql-saved-list", OptionList)
            options.highlighted = 0
            options.focus()

    def highlighted(self) -> SavedQuery | None:
        if not self.saved:
            return None
        index = self.query_one("#sql-saved-list", OptionList).highlighted
        return self.saved[index] if index is not None and 0 <= index < len(self.saved) else None

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        query = self.highlighted()
        self.query_one("#sql-saved-sql", Static).update(literal(one_line(query.sql) if query else ""))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_choose("run")

    def action_choose(self, what: str) -> None:
        query = self.highlighted()
        if query is None:
            return
        refusal = ""
        if what == "load" and not self.access.write:
            refusal = _("You may only run saved queries.")
        elif what == "delete" and not self.access.save:
            refusal = _("Deleting saved queries needs the SUPER right.")
        if refusal:
            self.query_one("#sql-saved-status", Static).update(literal(refusal))
            return
        self.dismiss((what, query))

    def action_close(self) -> None:
        self.dismiss(None)


class SqlHistoryScreen(PupeModalScreen):
    """The user's own earlier queries, newest first, searched by words; dismisses with the SQL
    chosen or None."""

    DEFAULT_CSS = DIALOG_CSS.format(name="SqlHistoryScreen") + """
    SqlHistoryScreen > Vertical { width: 76; }
    SqlHistoryScreen #sql-history-list { height: auto; max-height: 14; }
    """
    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="sql_history_close"),
        Binding("down", "to_list", N_("To the list"), show=False, id="sql_history_down"),
    ]

    def __init__(self, search: Callable[[str], list[HistoryEntry]]) -> None:
        super().__init__()
        self.search = search
        self.entries: list[HistoryEntry] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(literal(_("Query history")), classes="dialog-title")
            yield Input(placeholder=_("Words to search for"), id="sql-history-search")
            yield OptionList(id="sql-history-list")
            yield Static(literal(_("Type to search · Enter puts the query in the editor · Esc closes")),
                         classes="dialog-hint")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#sql-history-search", Input).focus()

    def _fill(self, text: str) -> None:
        try:
            self.entries = self.search(text)
        except OSError as exc:
            self.entries = []
            self.notify(failures.sentence(exc), severity="error", markup=False)
        options = self.query_one("#sql-history-list", OptionList)
        options.clear_options()
        if not self.entries:
            options.add_option(Option(literal(_("No queries found.")), disabled=True))
            return
        for entry in self.entries:
            when = entry.at.replace("T", " ")[:16]
            options.add_option(Option(literal(f"{when}  {one_line(entry.sql, 100)}")))
        options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._pick(self.query_one("#sql-history-list", OptionList).highlighted)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option_index)

    def _pick(self, index: int | None) -> None:
        if index is not None and 0 <= index < len(self.entries):
            self.dismiss(self.entries[index].sql)

    def action_to_list(self) -> None:
        if self.entries:
            self.query_one("#sql-history-list", OptionList).focus()

    def action_close(self) -> None:
        self.dismiss(None)


class SchemaScreen(PupeModalScreen):
    """Tables and their columns (those the user may read): type to filter, Space opens a table,
    Enter puts the highlighted name in the editor. Dismisses with the name or None."""

    DEFAULT_CSS = DIALOG_CSS.format(name="SchemaScreen") + """
    SchemaScreen > Vertical { width: 60; height: 90%; }
    SchemaScreen #sql-schema-tree { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="sql_schema_close"),
        Binding("down", "to_tree", N_("To the list"), show=False, id="sql_schema_down"),
    ]

    def __init__(self, schema: dict[str, list[str]]) -> None:
        super().__init__()
        self.schema = schema

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(literal(_("Tables and columns")), classes="dialog-title")
            yield Input(placeholder=_("Filter tables and columns"), id="sql-schema-filter")
            tree: Tree[str] = Tree(_("Tables"), id="sql-schema-tree")
            tree.auto_expand = False
            tree.show_root = False
            yield tree
            yield Static(literal(_("Space opens a table · Enter inserts the name · Esc closes")),
                         classes="dialog-hint")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#sql-schema-filter", Input).focus()

    def _fill(self, text: str) -> None:
        word = text.strip().casefold()
        tree = self.query_one("#sql-schema-tree", Tree)
        tree.clear()
        for table, columns in self.schema.items():
            hits = [c for c in columns if word in c.casefold()] if word else columns
            if word and word not in table.casefold() and not hits:
                continue
            node = tree.root.add(literal(table), data=table, expand=bool(word) and word not in table.casefold())
            for column in (columns if word in table.casefold() else hits):
                node.add_leaf(literal(column), data=column)
        tree.cursor_line = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        node = self.query_one("#sql-schema-tree", Tree).cursor_node
        if node is not None and node.data:
            self.dismiss(node.data)

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        event.stop()
        if event.node.data:
            self.dismiss(event.node.data)

    def action_to_tree(self) -> None:
        self.query_one("#sql-schema-tree", Tree).focus()

    def action_close(self) -> None:
        self.dismiss(None)


class CompletionScreen(PupeModalScreen):
    """Names that complete the word at the cursor; dismisses with the name or None."""

    DEFAULT_CSS = """
    CompletionScreen { align: center middle; }
    CompletionScreen > OptionList { width: 50; max-width: 100%; height: auto; max-height: 14;
        border: round $primary; background: $surface; }
    """
    BINDINGS = [Binding("escape", "close", N_("Close"), id="sql_complete_close")]

    def __init__(self, names: list[str]) -> None:
        super().__init__()
        self.names = names

    def compose(self) -> ComposeResult:
        options = OptionList(*[Option(literal(n)) for n in self.names], id="sql-complete-list")
        options.border_title = literal_title(_("Complete"))
        yield options

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.names[event.option_index])

    def action_close(self) -> None:
        self.dismiss(None)
