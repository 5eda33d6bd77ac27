"""The main menu: the CRM programs the user has a right to, each opened by its key."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from pupetui.i18n import N_, _
from pupetui.screens.base import QUIT, PupeScreen
from pupetui.services import session_info
from pupetui.services.programs import PROGRAMS, Program
from pupetui.widgets.literal import literal, marked, printable
from pupetui.widgets.overdue_badge import OverdueBadge
from pupetui.services import failures


def program_binding(program: Program) -> Binding:
    # The program's id is the binding id: `[keys] customers = "c"` gives it another key.
    return Binding(program.key, f"open_program('{program.id}')", program.title_key, show=False, id=program.id)


class MenuScreen(PupeScreen):
    TITLE_ID = N_("Main menu")
    CSS_PATH = Path(__file__).with_name("menu.tcss")  # absolute: subclasses elsewhere keep it
    BINDINGS = [
        Binding("enter", "open_highlighted", N_("Open"), priority=True, id="open"),
        QUIT,
        *(program_binding(p) for p in PROGRAMS),
    ]

    class Loaded(Message):
        """The session's company, user and programs are known (bubbles to the app)."""

        def __init__(self, info: session_info.SessionInfo) -> None:
            super().__init__()
            self.info = info

    class LoadFailed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, info: session_info.SessionInfo | None = None) -> None:
        """`info`: the session's info when the caller has it (the first frame then shows the
        programs); without it the menu loads it in a worker."""
        super().__init__()
        self.info: session_info.SessionInfo | None = None
        self._preloaded = info

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="menu-body"):
            yield Static(literal(_("Loading…")), id="menu-heading")
            yield OverdueBadge(id="menu-overdue")
            yield OptionList(id="menu-programs", markup=False)
            yield Static("", id="menu-message", markup=False)
            yield Static(
                literal(_("Press a program's key, or choose with the arrows and Enter.")),
                id="menu-hint",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#menu-programs").display = False
        self.query_one("#menu-hint").display = False
        self.query_one("#menu-message").display = False
        if self._preloaded is not None:
            self.post_message(self.Loaded(self._preloaded))  # handled before the first frame
        else:
            self._load()

    @work(thread=True, exclusive=True, group="menu")
    def _load(self) -> None:
        try:
            info = session_info.current()
        except Exception as exc:  # noqa: BLE001 - shown to the user, who can still quit
            self.post_message(self.LoadFailed(failures.sentence(exc)))
        else:
            self.post_message(self.Loaded(info))

    def on_menu_screen_load_failed(self, message: LoadFailed) -> None:
        self.query_one("#menu-heading", Static).update(literal(_("The menu could not be loaded.")))
        self._say(message.error, error=True)

    def on_menu_screen_loaded(self, message: Loaded) -> None:
        # the message bubbles on to the app, which keeps the session info for the header
        self.info = message.info
        self.sub_title = printable(message.info.label)  # in the same frame as the programs
        self.refresh_bindings()
        self.show_programs()

    def show_programs(self) -> None:
        info = self.info
        if info is None:
            return
        heading = self.query_one("#menu-heading", Static)
        options = self.query_one("#menu-programs", OptionList)
        if not info.programs:
            heading.update(literal(_("No programs")))
            self._say(
                _(
                    "You have no rights to any CRM program. "
                    "Ask your Pupesoft administrator to grant you the rights you need."
                ),
                error=True,
            )
            options.display = False
            return
        heading.update(literal(_("CRM programs")))
        keys = self.keys_by_id()
        options.set_options(
            Option(self._label(program, keys.get(program.id, "")), id=program.id) for program in info.programs
        )
        options.highlighted = 0
        options.display = True
        self.query_one("#menu-hint").display = True
        options.focus()

    def _label(self, program: Program, key: str = ""):
        key = key or program.key
        text = literal(f" {key:<6}", "bold")
        text.append_text(literal(_(program.title_key)))
        return text

    def keys_by_id(self) -> dict[str, str]:
        """binding id -> how its key is shown, after the user's keymap (the first key wins)."""
        keys: dict[str, str] = {}
        for active in self.active_bindings.values():
            if active.binding.id and active.binding.id not in keys:
                keys[active.binding.id] = self.app.get_key_display(active.binding)
        return keys

    def key_of(self, binding_id: str) -> str:
        """How the key of `binding_id` is shown, after the user's keymap."""
        return self.keys_by_id().get(binding_id, "")

    # -- actions --------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_program":
            return self.info is not None and self.info.may_use(str(parameters[0]))
        if action == "open_highlighted":
            return bool(self.info and self.info.programs)
        return True

    def action_open_program(self, program_id: str) -> None:
        self.app.open_program(program_id)

    def action_open_highlighted(self) -> None:
        options = self.query_one("#menu-programs", OptionList)
        if options.highlighted is not None:
            option = options.get_option_at_index(options.highlighted)
            if option.id:
                self.app.open_program(option.id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.app.open_program(event.option.id)

    def _say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#menu-message", Static)
        message.update(literal(marked(text, error)))
        message.set_class(error, "-error")
        message.display = bool(text)
