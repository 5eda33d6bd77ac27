"""The application shell at 80x24, driven like a user would: login, menu, keys, palette, help."""

from __future__ import annotations

import asyncio
import io
import os
import re
import sqlite3
import subprocess
import sys
import time

import pytest
from rich.console import Console
from textual.widgets import Input

from pupetui import config, db, i18n
from pupetui.app import PupetuiApp
from pupetui.models import Company, CompanyParameters, Permission, User
from pupetui.screens.help import HelpScreen
from pupetui.screens.login import LoginScreen
from pupetui.screens.menu import MenuScreen
from pupetui.services import auth, login_guard
from pupetui.services.programs import PROGRAMS

SIZE = (80, 24)
ALL_SCRIPTS = [p.script for p in PROGRAMS]


REMINDERS = next(p for p in PROGRAMS if p.id == "reminders")  # a program with a light screen


def is_reminders(app) -> bool:
    return type(app.screen).__name__ == "RemindersScreen"


# -- fixtures ---------------------------------------------------------------------------------


def seed(
    url: str,
    *,
    company: str = "acme",
    company_name: str = "Acme Oy",
    users: dict[str, dict] | None = None,
) -> None:
    """A company with users: {login: {"password": ..., "scripts": [...], "active": 1, "name": ...}}."""
    users = users if users is not None else {"matti": {"password": "salainen", "scripts": ALL_SCRIPTS}}
    d = db.connect(url)
    with db.session(company, "setup"):
        Company.create(name=company_name)
        CompanyParameters.create()
        for login, spec in users.items():
            User.create(
                login=login,
                name=spec.get("name", login.capitalize() + " Myyjä"),
                password_md5=auth.md5_hex(spec.get("password", "")),
                active=spec.get("active", 1),
            )
            for script in spec.get("scripts", []):
                Permission.create(login=login, script=script, subname="")
    d.close()


@pytest.fixture
def url(sqlite_url):
    d = db.connect(sqlite_url)
    yield sqlite_url
    db.end_session()
    if not d.is_closed():
        d.close()


@pytest.fixture(autouse=True)
def english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def settings(url: str, **over) -> config.Settings:
    values = {"db": url, "company": "", "user": "matti", "lang": "", "auth": "none", "theme": "ansi"}
    values.update(over)
    return config.Settings(**values)


def logged_in_app(url: str, user: str = "matti", company: str = "acme", **over) -> PupetuiApp:
    """What `pupetui --auth none` does: the CLI logs in, then starts the app."""
    auth.login(company, user, None, mode="none")
    return PupetuiApp(settings(url, user=user, **over), company=company)


def screen_text(app: PupetuiApp) -> str:
    """The screen as a user sees it (modal screens over what is beneath), as plain text."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


BORDERS = re.compile(r"[│╭╮╰╯─▊▎▔▁▏▌]")


def flat(text: str) -> str:
    """The screen's words on one line: box lines removed, wrapped lines joined."""
    return " ".join(BORDERS.sub(" ", text).split())


async def wait_for(pilot, predicate, timeout: float = 10.0) -> None:
    """Let the app work (threads included) until `predicate()` holds."""
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause()
        if predicate():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; the screen shows:\n{screen_text(pilot.app)}")
        await asyncio.sleep(0.02)


async def menu_ready(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, MenuScreen) and app.screen.info is not None)
    await pilot.pause()


async def shows(pilot, *texts: str) -> str:
    """Wait until the screen shows every text (wrapped or not); returns the flattened screen."""
    await wait_for(pilot, lambda: all(t in flat(screen_text(pilot.app)) for t in texts))
    return flat(screen_text(pilot.app))


# -- login -------------------------------------------------------------------------------------


async def test_login_refuses_wrong_password_then_opens_the_menu(url):
    seed(url)
    app = PupetuiApp(settings(url, auth="password"), company="acme")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        text = await shows(pilot, "Log in", "Acme Oy (acme)", "User name", "Password")
        user = app.screen.query_one("#login-user", Input)
        password = app.screen.query_one("#login-password", Input)
        assert user.value == "matti"  # prefilled from the settings
        assert password.password  # masked
        assert app.focused is password

        await pilot.press(*"hunter2")
        await pilot.pause()
        assert "hunter2" not in screen_text(app) and "•••••••" in screen_text(app)  # masked
        await pilot.press("enter")
        text = await shows(pilot, auth.LOGIN_REFUSED)
        assert isinstance(app.screen, LoginScreen)
        assert password.value == ""  # cleared
        assert user.value == "matti"  # kept
        assert "•" not in text
        assert not db.has_session()

        await pilot.press(*"salainen", "enter")
        await menu_ready(pilot)
        text = await shows(pilot, "Main menu", "Customer list")
        assert "Acme Oy (acme) — Matti Myyjä (matti)" in text
        assert db.current() == db.Session("acme", "matti")


async def test_unknown_and_inactive_users_get_the_same_refusal(url):
    seed(url, users={
        "matti": {"password": "salainen", "scripts": ALL_SCRIPTS},
        "ville": {"password": "salainen", "scripts": ALL_SCRIPTS, "active": 0},
    })
    app = PupetuiApp(settings(url, auth="password", user="ville"), company="acme")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        await pilot.press(*"salainen", "enter")
        await shows(pilot, auth.LOGIN_REFUSED)
        # unknown user, right password of someone else
        user = app.screen.query_one("#login-user", Input)
        user.value = "nobody"
        user.focus()
        await pilot.press("enter")  # moves on to the password
        await pilot.press(*"salainen", "enter")
        await wait_for(pilot, lambda: not app.screen.has_class("-busy") and app.screen.query_one("#login-password", Input).value == "")
        assert auth.LOGIN_REFUSED in flat(screen_text(app))
        assert user.value == "nobody"
        assert isinstance(app.screen, LoginScreen)
        assert not db.has_session()


async def test_the_login_check_does_not_freeze_the_screen(url):
    seed(url)
    app = PupetuiApp(settings(url, auth="password"), company="acme")
    # another session is recording a failed login: this check waits for the shared file's lock
    path = login_guard.default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    other_session = sqlite3.connect(path, isolation_level=None)
    other_session.execute("BEGIN IMMEDIATE")
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
            login = app.screen
            await pilot.press(*"wrong", "enter")
            await shows(pilot, "Checking…")
            # while the check waits, the screen answers: the help opens and closes
            await pilot.press("f1")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is login)
            text = await shows(pilot, "Checking…")
            assert auth.LOGIN_REFUSED not in text  # still checking: it was the screen that answered
            other_session.execute("COMMIT")
            await shows(pilot, auth.LOGIN_REFUSED)
    finally:
        other_session.close()


async def test_after_failed_logins_the_screen_says_the_refusal_waits_longer(url):
    seed(url)
    login_guard.LoginGuard().begin(login_guard.user_key("acme", "matti"), "")  # an earlier failure
    app = PupetuiApp(settings(url, auth="password"), company="acme")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        await pilot.press(*"wrong", "enter")
        await shows(pilot, "after earlier failed logins a refusal takes 2 s")
        await shows(pilot, auth.LOGIN_REFUSED)


async def test_too_many_failed_logins_lock_the_login_even_with_the_right_password(url):
    seed(url)
    guard = login_guard.LoginGuard()
    for _ in range(5):  # five wrong guesses, in any sessions of this machine
        guard.begin(login_guard.user_key("acme", "matti"), "")
    app = PupetuiApp(settings(url, auth="password"), company="acme")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        await pilot.press(*"salainen", "enter")
        await shows(pilot, "Too many failed logins: try again later (in about 15 min).")
        assert isinstance(app.screen, LoginScreen) and not db.has_session()
        await pilot.press("f1")  # the screen goes on answering
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))


async def test_a_session_that_does_not_log_in_in_time_is_closed(url):
    seed(url)
    app = PupetuiApp(settings(url, auth="password", serve={"login_timeout_seconds": 1}), company="acme")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        await pilot.press("f1")  # under the help too
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await wait_for(pilot, lambda: app.return_code == 3, timeout=60)  # 3: refused (login)
    assert not db.has_session()


async def test_escape_on_the_login_screen_keeps_what_was_typed(url):
    seed(url)
    app = PupetuiApp(settings(url, auth="password", user=""), company="acme")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        user = app.screen.query_one("#login-user", Input)
        password = app.screen.query_one("#login-password", Input)
        assert app.focused is user  # no user name given: start there
        await pilot.press(*"matti", "tab", *"salai")
        await pilot.press("escape")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        assert (user.value, password.value) == ("matti", "salai")
        await pilot.press(*"nen", "enter")
        await menu_ready(pilot)


async def test_empty_user_name_is_asked_for(url):
    seed(url)
    app = PupetuiApp(settings(url, auth="password", user=""), company="acme")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        await pilot.click("#login-button")
        await shows(pilot, "Enter your user name.")


# -- the main menu -----------------------------------------------------------------------------


async def test_every_program_is_reachable_by_its_key_and_escape_comes_back(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        text = screen_text(app)
        for program in PROGRAMS:  # all nine fit at 80x24
            assert program.title_key in text
        assert "Help" in text and "Quit" in text  # the footer
        for program in PROGRAMS:
            await pilot.press(program.key)
            # every program is built: each opens its own screen, titled by the program
            await wait_for(pilot, lambda: not isinstance(app.screen, MenuScreen))
            await shows(pilot, program.title_key)
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, MenuScreen))


async def test_arrows_and_enter_open_the_highlighted_program(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        await pilot.press(*["down"] * PROGRAMS.index(REMINDERS), "enter")
        await wait_for(pilot, lambda: is_reminders(app))


async def test_a_user_sees_and_reaches_only_their_programs(url):
    seed(url, users={"liisa": {"scripts": ["crm/kalenteri.php", "crm/kuittaamattomat.php"]}})
    app = logged_in_app(url, user="liisa")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        text = screen_text(app)
        assert "Calendar" in text and "Reminders" in text
        for hidden in ("Customer list", "Customer memo", "SQL search", "Address labels", "Query generator"):
            assert hidden not in text
        await pilot.press("a", "q", "m")  # keys of programs she has no right to
        await pilot.pause()
        assert isinstance(app.screen, MenuScreen)
        app.open_program("sql")  # nor by any other way
        await pilot.pause()
        assert isinstance(app.screen, MenuScreen)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_text = screen_text(app)
        assert "Calendar" in help_text and "Customer list" not in help_text
        await pilot.press("escape")
        await pilot.press("ctrl+p", "s")  # matches nearly every title
        text = await shows(pilot, "Reminders", "Open the program (r)")
        for hidden in ("SQL search", "SMS", "Address labels", "Customer list"):
            assert hidden not in text
        await pilot.press("escape")


async def test_a_user_without_rights_gets_a_clear_message(url):
    seed(url, users={"pekka": {"scripts": []}})
    app = logged_in_app(url, user="pekka")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        text = await shows(pilot, "You have no rights to any CRM program.")
        assert "Pupesoft administrator" in text
        assert "Quit" in text


async def test_the_command_palette_finds_a_program(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        first = REMINDERS
        second = next(p for p in PROGRAMS if p.id == "sms")
        await pilot.press("ctrl+p")
        await pilot.press(*first.title_key.lower())
        await shows(pilot, first.title_key)
        await pilot.press("enter")
        await wait_for(pilot, lambda: is_reminders(app))
        # from a program, the palette opens another one over the menu, not over the program
        await pilot.press("ctrl+p", *second.title_key.lower(), "enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SmsScreen")
        assert [type(s).__name__ for s in app.screen_stack[1:]] == ["MenuScreen", "SmsScreen"]


async def test_f1_lists_the_keys_of_the_current_screen(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = screen_text(app)
        assert "Keys: Main menu" in text
        for needle in ("f1", "Help", "^q", "Quit", "Commands", "Open", "Customer list", "Calendar"):
            assert needle in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MenuScreen))
        await pilot.press(REMINDERS.key)
        await wait_for(pilot, lambda: is_reminders(app))
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = screen_text(app)
        assert f"Keys: {REMINDERS.title_key}" in text and "esc" in text and "Back" in text
        assert "Acknowledge" in text
        assert "Customer list" not in text  # the menu's keys are not this screen's
        await pilot.press("f1")  # F1 again closes it
        await wait_for(pilot, lambda: is_reminders(app))


async def test_every_binding_has_an_id_and_the_keymap_remaps_them(url):
    seed(url)
    ids = PupetuiApp.known_binding_ids()
    assert {"quit", "help", "command_palette", "back", "open"} | {p.id for p in PROGRAMS} <= ids
    for cls in (PupetuiApp, LoginScreen, MenuScreen, HelpScreen):
        for _key, binding in cls._merge_bindings():
            assert binding.id or binding.system, f"{cls.__name__}: {binding}"
    program = REMINDERS
    app = logged_in_app(url, keys={program.id: "c", "help": "f2", "back": "backspace", "nonsense": "x"})
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        text = await shows(pilot, "Unknown key names in the configuration: nonsense")
        assert f" c {program.title_key}" in text and f" {program.key} {program.title_key}" not in text  # the user's key
        await pilot.press(program.key)
        await pilot.pause()
        assert isinstance(app.screen, MenuScreen)
        await pilot.press("c")
        await wait_for(pilot, lambda: is_reminders(app))
        await pilot.press("escape")
        await pilot.pause()
        assert is_reminders(app)
        await pilot.press("backspace")
        await wait_for(pilot, lambda: isinstance(app.screen, MenuScreen))
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))


async def test_a_key_clash_in_the_keymap_is_reported(url):
    seed(url)
    app = logged_in_app(url, keys={"customers": "m"})  # the memo's key
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        await shows(pilot, "The configuration gives the key m to several actions: customers, memo")


async def test_database_text_is_shown_literally_without_control_characters(url):
    name = "Oy [Ab] & Co [bold]x[/bold]\x1b[31m\x07"
    seed(url, company_name=name, users={"matti": {"name": "[i]Matti[/i]", "scripts": ALL_SCRIPTS}})
    app = logged_in_app(url)
    async with app.run_test(size=(120, 24), notifications=True) as pilot:
        await menu_ready(pilot)
        text = screen_text(app)
        assert "Oy [Ab] & Co [bold]x[/bold][31m (acme) — [i]Matti[/i] (matti)" in text
        assert "\x1b" not in app.sub_title and "\x07" not in app.sub_title


async def test_finnish_texts(url):
    seed(url)
    i18n.set_language("fi")
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        text = screen_text(app)
        for needle in ("Päävalikko", "CRM-ohjelmat", "Asiakaslista", "Kalenteri", "Lopeta", "Ohje"):
            assert needle in text
        await pilot.press(REMINDERS.key)
        await wait_for(pilot, lambda: is_reminders(app))
        await shows(pilot, i18n._(REMINDERS.title_key), "Kuittaa")
        await pilot.press("f1")
        await shows(pilot, f"Näppäimet: {i18n._(REMINDERS.title_key)}", "Takaisin")


async def test_finnish_login_refusal(url):
    seed(url)
    i18n.set_language("fi")
    app = PupetuiApp(settings(url, auth="password"), company="acme")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await shows(pilot, "Kirjaudu sisään", "Käyttäjätunnus", "Salasana")
        await pilot.press(*"väärä", "enter")
        await shows(pilot, "Kirjautuminen hylättiin")


async def test_theme_from_the_settings(url):
    seed(url)
    app = logged_in_app(url, theme="textual-ansi")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        assert app.theme == "ansi-dark"
    app = logged_in_app(url, theme="nord")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        assert app.theme == "nord"
    app = logged_in_app(url, theme="no-such-theme")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        assert app.theme in ("ansi-dark", "textual-dark")
        await shows(pilot, "Unknown theme no-such-theme")


@pytest.mark.parametrize(
    "term, colorterm, theme",
    [("linux", "", "ansi-dark"), ("xterm", "", "ansi-dark"), ("xterm-256color", "", "ansi-dark"),
     ("screen-256color", "", "ansi-dark"), ("xterm-256color", "truecolor", "textual-dark")],
)
async def test_a_terminal_of_16_colours_gets_the_ansi_theme(url, monkeypatch, term, colorterm, theme):
    seed(url)
    monkeypatch.setenv("TERM", term)
    monkeypatch.delenv("NO_COLOR", raising=False)
    if colorterm:
        monkeypatch.setenv("COLORTERM", colorterm)
    else:
        monkeypatch.delenv("COLORTERM", raising=False)
    app = logged_in_app(url, theme="")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        assert app.theme == theme
        assert "Customer list" in screen_text(app)


async def test_ctrl_q_quits(url):
    seed(url)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_on_demo_data(tmp_path):
    from pupetui.services import demo

    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    from pupetui.services import schema

    d = db.connect(url)
    schema.init(d)
    demo.generate(d, customers=20, seed=1)
    try:
        app = PupetuiApp(settings(url, auth="password", user=demo.DEMO_USER), company=demo.DEMO_COMPANY)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
            await shows(pilot, f"{demo.DEMO_COMPANY_NAME} ({demo.DEMO_COMPANY})")
            await pilot.press(*demo.DEMO_PASSWORD, "enter")
            await menu_ready(pilot)
            text = await shows(pilot, f"{demo.DEMO_COMPANY_NAME} ({demo.DEMO_COMPANY})")
            for program in PROGRAMS:  # the demo user may use everything
                assert program.title_key in text
            await pilot.press(REMINDERS.key)
            await wait_for(pilot, lambda: is_reminders(app))
        db.end_session()
        # a warehouse man: the customer list and the labels, nothing else
        app = logged_in_app(url, user="ville", company=demo.DEMO_COMPANY)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await menu_ready(pilot)
            text = await shows(pilot, "Ville Varasto (ville)")
            shown = [p.title_key for p in PROGRAMS if p.title_key in text]
            assert shown == ["Customer list", "Address labels"]
    finally:
        db.end_session()
        d.close()


CRASHING_APP = """
import sys
from pupetui import config
from pupetui.app import PupetuiApp

class Crashing(PupetuiApp):
    def on_mount(self):
        secret_password = "hunter2-in-a-local"
        raise RuntimeError("an unexpected error " + str(len(secret_password)))

settings = config.Settings(db=sys.argv[1], company="", user="matti", lang="", auth="none", theme="ansi")
Crashing(settings, company="acme").run(headless=True)
"""


def test_an_unexpected_error_is_reported_without_local_variables(url):
    """The traceback goes to stderr (in `pupetui serve`: the server's log); the values of local
    variables (passwords, addresses, customers' data) do not."""
    run = subprocess.run([sys.executable, "-c", CRASHING_APP, url], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "COLUMNS": "120"})
    assert "an unexpected error 18" in run.stderr, run.stderr
    assert "hunter2-in-a-local" not in run.stderr and "hunter2-in-a-local" not in run.stdout
