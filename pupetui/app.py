"""The Textual app: login or main menu, programs, keys, command palette, theme.

`PupetuiApp(settings, *, company=...)`:
- `settings.auth == "password"`: starts on the login screen; otherwise the CLI has logged the
  user in already and the app starts on the main menu.
- `settings.keys` (binding id -> keys, e.g. {"quit": "ctrl+x", "customers": "c"}) is the
  user's keymap, applied with `App.set_keymap`; ids it does not know are reported once.
- `settings.theme` (`--theme`, `theme =` in the config): a Textual theme name, "ansi" for the
  terminal's own 16 colours, or empty: the ANSI theme on a terminal that reports 256 colours or
  fewer (TERM/COLORTERM, as Rich reads them) or where NO_COLOR is set, else "textual-dark".
"""

from __future__ import annotations

import asyncio

import gc
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.content import Content
from textual.screen import Screen

from pupetui.config import DEFAULTS, Settings
from pupetui.i18n import N_, _
from pupetui.screens.base import PupeModalScreen, PupeScreen
from pupetui.screens.commands import ProgramCommands, ScreenCommands
from pupetui.screens.menu import MenuScreen
from pupetui.screens.programs import program_binding_classes, screen_for
from pupetui.services import session_info
from pupetui.services.programs import BY_ID
from pupetui.services.text import pasted
from pupetui.widgets.bindings import binding_ids, keymap_clashes, translate_bindings
from pupetui.widgets.key_order import KeysInOrder
from pupetui.widgets.literal import marked, printable
from pupetui.widgets.overdue_badge import OverdueCount

if TYPE_CHECKING:
    from pupetui.screens.login import LoginScreen

ANSI_THEME = "ansi-dark"
DEFAULT_THEME = "textual-dark"
THEME_ALIASES = {"ansi": ANSI_THEME, "textual-ansi": ANSI_THEME, "16": ANSI_THEME, "dark": DEFAULT_THEME}
# Rich's colour systems of terminals that report fewer than truecolor's 16 million: their own
# 16 (or the 256 of xterm-256color, whose first 16 are the same) suit the ANSI theme, which
# uses only those; the truecolor theme would be rounded to the nearest of 256 and lose contrast.
FEW_COLOURS = {None, "standard", "windows", "256"}
NOTIFY_LIMIT = 400  # characters of a notification (a long value in it is cut with …)


def _enable_gc() -> None:
    # (a Python function: Textual inspects a callback's signature, a builtin's costs 5 ms)
    gc.enable()


def screen_classes() -> tuple[type, ...]:
    """The shell's screens whose keys a keymap may name (the login and the help screen are
    imported when first needed, so a start without them stays fast)."""
    from pupetui.screens.help import HelpScreen
    from pupetui.screens.login import LoginScreen

    return (LoginScreen, MenuScreen, HelpScreen)


def keymap_classes() -> tuple[type, ...]:
    """Every class whose keys a keymap may name: the shell's, and the programs' (imported only
    when the configuration remaps keys, so a plain start stays fast)."""
    return screen_classes() + program_binding_classes()


class PupetuiApp(KeysInOrder, App):
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses elsewhere keep it
    TITLE = "pupetui"
    COMMANDS = App.COMMANDS | {ProgramCommands, ScreenCommands}
    BINDINGS = [
        Binding("f1", "help", N_("Help"), id="help"),
        # works everywhere; shown in the key bar of the menu and the login only (screens.base.QUIT):
        # on a program's screen Esc goes back, and its own keys need the 80 columns
        Binding("ctrl+q", "quit", N_("Quit"), show=False, priority=True, id="quit"),
        Binding("ctrl+p", "command_palette", N_("Commands"), show=False, priority=True, id="command_palette"),
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]

    def __init__(self, settings: Settings, *, company: str) -> None:
        super().__init__()
        self.settings = settings
        self.company = company
        from pupetui.services import export_target

        export_target.configure(settings.export_dir)  # where the export dialogs offer to save
        self.session_info: session_info.SessionInfo | None = None
        self._reported_clashes: set[tuple[str, ...]] = set()
        self.overdue_reminders = OverdueCount(self)  # shown in every header and in the menu
        translate_bindings(self)
        # The theme before the first stylesheet is made (set on mount, it would be made twice).
        self._theme_warnings: list[str] = []
        self.theme = self.choose_theme(settings.theme, self._theme_warnings)
        self.user_keymap = {str(k): str(v) for k, v in (settings.keys or {}).items() if v}
        palette_keys = self.user_keymap.get("command_palette")
        if palette_keys:  # so the footer still shows the palette's key on its right
            self.COMMAND_PALETTE_BINDING = self._normalize_keymap({"p": palette_keys})["p"].split(",")[0]

    # -- start ----------------------------------------------------------------------------------
    def on_mount(self) -> None:
        # Thread workers run in a fixed number of threads, each with its own database connection
        # (kept, and remade when the server drops it: pupetui.db): at most WORKER_THREADS + 1
        # connections per session, whatever the machine's number of cores.
        from concurrent.futures import ThreadPoolExecutor

        from pupetui.db import WORKER_THREADS

        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="pupetui-worker"))
        # Everything imported and built so far lives as long as the app: keep it out of the
        # garbage collector's full passes, which otherwise pause screens for tens of ms.
        gc.freeze()
        self.call_after_refresh(_enable_gc)  # the command turns it off for the start
        warnings: list[str] = self._theme_warnings
        self.set_keymap(self.user_keymap)
        unknown = sorted(set(self.user_keymap) - self.known_binding_ids()) if self.user_keymap else []
        if unknown:
            warnings.append(_("Unknown key names in the configuration: {names}").format(names=", ".join(unknown)))
        clashes = keymap_clashes(self._keymap, PupetuiApp, list(keymap_classes())) if self.user_keymap else []
        for key, ids in clashes:
            self._reported_clashes.add(tuple(ids))
            warnings.append(
                _("The configuration gives the key {key} to several actions: {names}").format(
                    key=key, names=", ".join(ids)
                )
            )
        if self.settings.auth == "password" or not session_info.is_logged_in():
            from pupetui.screens.login import LoginScreen
            from pupetui.services import login_guard

            serve = {**DEFAULTS["serve"], **(self.settings.serve or {})}
            # in a browser (`pupetui serve`) the server's OS user is not the person: no name given
            self.push_screen(LoginScreen(
                self.company, "" if self.is_web else self.settings.user,
                guard=login_guard.LoginGuard(limits=login_guard.Limits.from_settings(serve)),
                timeout=float(serve["login_timeout_seconds"]),
            ))
        else:
            self.push_screen(MenuScreen(self._session_info_now()))
        for warning in warnings:  # after the first screen is up, so they show on it
            self.call_after_refresh(self.notify, printable(warning), severity="warning", markup=False)

    @staticmethod
    def _session_info_now() -> session_info.SessionInfo | None:
        """The session's info, read now: the command has just logged in on this database, so
        it answers at once, and the menu's first frame can show the programs. None when it
        fails: the menu then tries again in a worker and shows the error."""
        try:
            return session_info.current()
        except Exception:  # noqa: BLE001 - the menu says what went wrong
            return None

    def _fatal_error(self) -> None:
        """An unexpected error: its traceback without the local variables (Textual shows them,
        and they hold passwords, database addresses and customers' data; in `pupetui serve` the
        session's error output goes to the server's log)."""
        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(Segments(self.console.render(traceback, self.console.options)))
        self._close_messages_no_wait()

    def choose_theme(self, wanted: str, warnings: list[str] | None = None) -> str:
        """The theme `wanted` (a name or an alias), else the default for this terminal."""
        wanted = (wanted or "").strip()
        name = THEME_ALIASES.get(wanted.lower(), wanted)
        if name and name in self.available_themes:
            return name
        if name and warnings is not None:
            warnings.append(_("Unknown theme {theme}; using the default.").format(theme=wanted))
        if self.no_color:  # NO_COLOR: the ANSI theme marks states by reverse, bold and underline
            return ANSI_THEME
        return ANSI_THEME if self.console.color_system in FEW_COLOURS else DEFAULT_THEME

    @staticmethod
    def known_binding_ids() -> set[str]:
        return binding_ids(PupetuiApp, *keymap_classes())

    # -- session ----------------------------------------------------------------------------------
    def on_login_screen_accepted(self, message: LoginScreen.Accepted) -> None:
        self.switch_screen(MenuScreen())

    def on_menu_screen_loaded(self, message: MenuScreen.Loaded) -> None:
        self.session_info = message.info
        self.sub_title = printable(message.info.label)
        # after the menu's first frame: the count's thread must not slow the frame down
        self.call_after_refresh(self.overdue_reminders.start, message.info.may_use("reminders"))

    def format_title(self, title: str, sub_title: str) -> Content:
        return self.overdue_reminders.format_title(super().format_title(title, sub_title))

    # -- programs ---------------------------------------------------------------------------------
    def program_key(self, program_id: str) -> str:
        program = BY_ID[program_id]
        return self.user_keymap.get(program_id, program.key)

    def open_program(self, program_id: str) -> None:
        """Open a program from the menu, its key or the command palette (if the user may)."""
        info = self.session_info
        program = BY_ID.get(program_id)
        if info is None or program is None or not info.may_use(program_id):
            self.notify(_("You have no right to use this program."), severity="warning", markup=False)
            return
        stack = self.screen_stack
        menus = [i for i, screen in enumerate(stack) if isinstance(screen, MenuScreen)]
        if not menus:
            return
        for _screen in stack[menus[-1] + 1 :]:
            self.pop_screen()
        self.push_screen(screen_for(program))

    def handle_bindings_clash(self, clashed_bindings, node) -> None:
        """A key of the user's keymap is taken by another binding: say so once."""
        names = tuple(sorted({b.id or b.action for b in clashed_bindings}))
        if names and names not in self._reported_clashes:
            self._reported_clashes.add(names)
            self.notify(
                _("The configuration gives a key that is already used by: {names}").format(names=", ".join(names)),
                severity="warning",
                markup=False,
            )

    async def on_event(self, event: events.Event) -> None:
        """A bracketed paste reaches the focused field without escape sequences or other
        control characters (copied coloured text, a terminal's title sequence): they would be
        stored in the database as they are."""
        if isinstance(event, events.Paste) and not event.is_forwarded:
            event.text = pasted(event.text)
        await super().on_event(event)

    def notify(self, message, *, title: str = "", severity: str = "information", **kwargs) -> None:
        """A notification, always literal (never markup: its text may carry a customer's name or
        a value from the database) and without control characters; an error's text starts with
        the error mark, so it reads as an error in monochrome too (the toast's colour is all that
        marks it otherwise)."""
        message = printable(message, single_line=False)
        if len(message) > NOTIFY_LIMIT:  # a toast grows from the bottom: a huge one hides its start
            message = message[: NOTIFY_LIMIT - 1] + "…"
        if severity == "error":
            message = marked(message)
        kwargs["markup"] = False
        super().notify(message, title=printable(title), severity=severity, **kwargs)

    # -- files the user saved ------------------------------------------------------------------
    def on_unmount(self) -> None:
        """The app ends: an export still being written leaves no partial file (export_target)."""
        from pupetui.services import export_target

        export_target.discard_partials()

    def deliver_export(self, path: str | Path) -> None:
        """A file a program wrote for the user (xlsx, pdf, ics, ...): in a browser (`pupetui serve`)
        it is also sent to the browser as a download; in a terminal it stays where it was saved."""
        if self.is_web:
            self.deliver_binary(Path(path), open_method="download")

    # -- keys and help --------------------------------------------------------------------------
    def action_help(self) -> None:
        from pupetui.screens.help import HelpScreen, screen_keys

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        if not isinstance(self.screen, (PupeScreen, PupeModalScreen)):
            return
        self.push_screen(HelpScreen(screen_keys(self.screen), printable(self.screen.title or "")))

    def action_help_quit(self) -> None:
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(
                    _("Press {key} to quit.").format(key=self.get_key_display(active.binding)),
                    markup=False,
                )
                return

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=_("Search for programs and commands…")))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand(_("Keys"), _("Show the keys of this screen"), self.action_help)
        yield SystemCommand(_("Theme"), _("Change the colours"), self.action_change_theme)
        yield SystemCommand(_("Quit"), _("Quit pupetui"), self.action_quit)
