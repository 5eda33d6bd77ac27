"""The login screen (auth = "password"): user name and password, checked in a worker thread.

A refusal says the same thing whatever was wrong (unknown user, wrong password, inactive user),
keeps the user name and clears the password.  Esc does nothing here: it never loses what was
typed; ctrl+q quits.

Failed logins are counted by services.login_guard (across every session of the machine, per
user and per client address): a refusal waits longer after each failure (1, 2, 4, 8 s) and says
so, and after too many the login is locked for a while without the password being checked.
A session that has not logged in within `timeout` seconds (`[serve] login_timeout_seconds`) is
closed.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Footer, Header, Input, Label, Static

from pupetui.i18n import N_, _
from pupetui.screens.base import QUIT, PupeScreen
from pupetui.services import auth, login_guard, session_info
from pupetui.widgets.literal import literal, marked
from pupetui.services import failures


LOGIN_TIMED_OUT = 3  # the exit code of a refused login (cli.EXIT_DENIED)


class LoginScreen(PupeScreen):
    TITLE_ID = N_("Log in")
    CSS_PATH = Path(__file__).with_name("login.tcss")  # absolute: subclasses elsewhere keep it
    AUTO_FOCUS = None
    BINDINGS = [QUIT]

    class Accepted(Message):
        """The user is logged in: the session has started."""

    class Refused(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class CompanyNamed(Message):
        def __init__(self, label: str) -> None:
            super().__init__()
            self.label = label

    class Delayed(Message):
        """The refusal, if it is one, waits `seconds`: the user has failed before."""

        def __init__(self, seconds: float) -> None:
            super().__init__()
            self.seconds = seconds

    def __init__(self, company: str, user: str = "", *, guard: login_guard.LoginGuard | None = None,
                 address: str | None = None, timeout: float = 0) -> None:
        super().__init__()
        self.company = company
        self.initial_user = user
        self.guard = guard
        # the browser's address, as `pupetui serve` gives it to its session
        self.address = os.environ.get("PUPETUI_CLIENT_ADDRESS", "") if address is None else address
        self.timeout = timeout
        self._gone = threading.Event()  # cuts a refusal's wait short when the screen goes
        self._accepted = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="login-form"):
            yield Static(_("Pupesoft CRM"), id="login-heading", markup=False)
            yield Static(literal(session_info.company_label(self.company, "")), id="login-company")
            yield Label(_("User name"), markup=False)
            yield Input(self.initial_user, id="login-user", max_length=50, select_on_focus=False)
            yield Label(_("Password"), markup=False)
            yield Input(id="login-password", password=True, select_on_focus=False)
            yield Button(_("Log in"), id="login-button", variant="primary")
            yield Static("", id="login-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = session_info.company_label(self.company, "")
        target = "#login-password" if self.initial_user else "#login-user"
        self.query_one(target, Input).focus()
        self._name_company()
        if self.timeout > 0:
            self.set_timer(self.timeout, self._timed_out)

    def on_unmount(self) -> None:
        self._gone.set()

    def _timed_out(self) -> None:
        if not self._accepted:  # (also under the help or the command palette)
            self.app.exit(return_code=LOGIN_TIMED_OUT, message=_("Not logged in within {seconds} s: the session was closed.").format(
                seconds=int(self.timeout)))

    @work(thread=True, exclusive=True, group="company-name")
    def _name_company(self) -> None:
        try:
            name = session_info.company_name(self.company)
        except Exception:  # noqa: BLE001 - the code alone will do if the name cannot be read
            return
        self.post_message(self.CompanyNamed(session_info.company_label(self.company, name)))

    def on_login_screen_company_named(self, message: CompanyNamed) -> None:
        self.query_one("#login-company", Static).update(literal(message.label))
        self.sub_title = message.label

    # -- submitting ---------------------------------------------------------------------------
    @on(Input.Submitted, "#login-user")
    def _user_entered(self) -> None:
        self.query_one("#login-password", Input).focus()

    @on(Input.Submitted, "#login-password")
    @on(Button.Pressed, "#login-button")
    def submit(self) -> None:
        user = self.query_one("#login-user", Input).value.strip()
        password = self.query_one("#login-password", Input).value
        if not user:
            self._say(_("Enter your user name."), error=True)
            self.query_one("#login-user", Input).focus()
            return
        self._set_busy(True)
        self._say(_("Checking…"))
        self._check(user, password)

    @work(thread=True, exclusive=True, group="login")
    def _check(self, user: str, password: str) -> None:
        # A worker thread: the refusal waits a second or more, and the screen must not freeze.
        def announce(seconds: float) -> None:
            if seconds > auth.FAILED_LOGIN_DELAY:
                self.post_message(self.Delayed(seconds))

        try:
            auth.login(self.company, user, password, mode="password", guard=self.guard, address=self.address,
                       wait=self._gone.wait, announce=announce)
        except auth.LoginLocked as exc:
            minutes = max(1, round(exc.retry_after / 60))
            self.post_message(self.Refused(
                _("Too many failed logins: try again later (in about {minutes} min).").format(minutes=minutes)))
        except auth.LoginFailed:
            self.post_message(self.Refused(_(auth.LOGIN_REFUSED)))
        except Exception as exc:  # noqa: BLE001 - e.g. the database went away: say so
            self.post_message(self.Refused(_("The login could not be checked: {error}").format(error=failures.sentence(exc))))
        else:
            self.post_message(self.Accepted())

    def on_login_screen_delayed(self, message: Delayed) -> None:
        self._say(_("Checking… after earlier failed logins a refusal takes {seconds} s.").format(
            seconds=int(message.seconds)))

    def on_login_screen_refused(self, message: Refused) -> None:
        self._set_busy(False)
        password = self.query_one("#login-password", Input)
        password.clear()
        password.focus()
        self._say(message.text, error=True)

    def on_login_screen_accepted(self, message: Accepted) -> None:
        self._accepted = True
        self._say("")
        # bubbles on to the app, which opens the menu

    # -- helpers --------------------------------------------------------------------------------
    def _set_busy(self, busy: bool) -> None:
        for widget in self.query("#login-form Input, #login-form Button"):
            widget.disabled = busy
        self.set_class(busy, "-busy")

    def _say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#login-message", Static)
        message.update(literal(marked(text, error)))
        message.set_class(error, "-error")
