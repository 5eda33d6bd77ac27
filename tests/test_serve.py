"""`pupetui serve`: the TUI in a browser (textual-serve), seen in a real headless Chromium.

The server runs the installed `pupetui serve` on a free loopback port, on a demo database, with
a configuration that says auth = "none": a browser must still get the Pupesoft login. The page is
driven with Playwright on Debian's chromium (no browser download). The terminal in the page is
xterm.js drawing on a canvas; the test reads what it shows from xterm's own buffer (the terminal
object is caught as textual.js makes it), so the assertions are on the text a person sees.

Skipped where chromium or Playwright is missing, unless PUPETUI_REQUIRE_SERVERS=1 (then failed).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from tmux import REQUIRE, make_demo_database, pupetui_command, wait_for_screen

from pupetui import cli, config

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]

# Catches the xterm.js Terminal as textual.js stores it (`this.terminal = new Terminal(...)`).
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, 'terminal', {configurable: true, set(value) {
  Object.defineProperty(this, 'terminal', {value, writable: true, configurable: true, enumerable: true});
  window.pupetuiTerminal = value;
}});
"""
SCREEN_JS = """() => {
  const buffer = window.pupetuiTerminal && window.pupetuiTerminal.buffer.active;
  if (!buffer) return {lines: [], cursor: -1};
  const lines = [];
  for (let i = 0; i < buffer.length; i++) {
    const line = buffer.getLine(i);
    lines.push(line ? line.translateToString(true) : '');
  }
  return {lines, cursor: buffer.cursorY + buffer.viewportY};
}"""


def unavailable(reason: str):
    if REQUIRE:
        pytest.fail(f"PUPETUI_REQUIRE_SERVERS=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(folder: Path, url: str, conf_text: str, *args: str):
    """`pupetui serve` on the database `url` with the configuration `conf_text` and `args`, until
    the block ends; {url, port, home, exports (the per-user export folders), log (path), process}."""
    home = folder / "home"
    home.mkdir(exist_ok=True)
    conf = folder / "pupetui.toml"
    conf.write_text(conf_text, encoding="utf-8")
    port = free_port()
    log_path = folder / "serve.log"
    log = log_path.open("w")
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(folder / "config"), "LANG": "C.UTF-8",
           "XDG_STATE_HOME": str(folder / "state")}  # the failed logins of this server's sessions
    env.pop("PUPETUI_AUTH", None)
    server = subprocess.Popen(
        pupetui_command("serve", "--config", str(conf), "--db", url, "--port", str(port), "--lang", "en", *args),
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=home,
    )
    address = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(address, timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            log.close()
            raise AssertionError(f"pupetui serve did not start:\n{log_path.read_text()}")
        time.sleep(0.1)
    try:
        yield {"url": address, "port": port, "home": home, "exports": folder / "state" / "pupetui" / "exports",
               "log": log_path, "process": server}
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`pupetui serve` on a demo database; (url, home folder, database file)."""
    folder = tmp_path_factory.mktemp("serve")
    url = make_demo_database(folder, customers=20)
    # auth = "none" and the user are trusted in a terminal only
    with serving(folder, url, 'auth = "none"\nuser = "demo"\n') as server:
        yield {**server, "db": folder / "demo.sqlite3"}


class BrowserTerminal:
    """The page's terminal: what it shows, and keys typed into it."""

    def __init__(self, page):
        self.page = page

    def state(self) -> tuple[list[str], int]:
        got = self.page.evaluate(SCREEN_JS)
        return got["lines"], got["cursor"]

    def screen(self) -> str:
        return "\n".join(self.state()[0])

    def wait_for(self, *texts: str, absent: tuple[str, ...] = (), timeout: float = 30.0) -> str:
        return wait_for_screen(self.screen, texts, absent, timeout, pause=lambda: self.page.wait_for_timeout(50))

    def wait_for_caret_between(self, above: str, below: str, timeout: float = 30.0) -> None:
        """Until the caret (the focused input's) is on a line between the lines of `above` and `below`."""
        deadline = time.monotonic() + timeout
        while True:
            lines, cursor = self.state()
            top = next((i for i, line in enumerate(lines) if above in line), None)
            bottom = next((i for i, line in enumerate(lines) if below in line and i > (top or 0)), None)
            if top is not None and bottom is not None and top < cursor < bottom:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"the caret (line {cursor}) never came between {above!r} and {below!r}")
            self.page.wait_for_timeout(50)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)


@pytest.fixture
def browser(tmp_path):
    if CHROMIUM is None:
        unavailable("chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=BROWSER_FLAGS,
            viewport={"width": 1000, "height": 700}, accept_downloads=True,
        )
        # nothing leaves this machine (the page asks for a web font from the internet)
        context.route("**/*", lambda route: route.continue_()
                      if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1")) else route.abort())
        try:
            yield context
        finally:
            context.close()


def open_page(browser, served) -> BrowserTerminal:
    page = browser.pages[0] if browser.pages else browser.new_page()
    page.add_init_script(CATCH_TERMINAL)
    page.goto(served["url"])
    terminal = BrowserTerminal(page)
    terminal.wait_for("User name", "Password", "Demo Oy (demo)")
    page.locator(".xterm-helper-textarea").focus()  # the keyboard goes to the terminal
    return terminal


def log_in(terminal: BrowserTerminal, user: str, password: str) -> None:
    terminal.wait_for_caret_between("User name", "Password")
    terminal.type(user)
    terminal.wait_for(f"  {user}")
    terminal.press("Tab")  # a bound key: typing waits for the focus to arrive
    terminal.wait_for_caret_between("Password", "Log in")
    terminal.type(password)
    terminal.wait_for("•" * len(password))
    terminal.press("Enter")


def test_the_login_form_in_a_browser(browser, served, tmp_path):
    terminal = open_page(browser, served)
    lines = terminal.state()[0]
    shot = tmp_path / "login.png"
    terminal.page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5000

    screen = "\n".join(lines)
    assert "Pupesoft CRM" in screen and "Log in" in screen
    # the configuration's auth = "none" and user = "demo" hold in a terminal, not in a browser:
    # the form asks for the name too (nothing filled in for the server's OS user)
    label = next(i for i, line in enumerate(lines) if "User name" in line)
    field = lines[label + 2]  # under the field's top edge
    assert field.strip(" │▊▎") == "", screen
    assert "Main menu" not in screen

    log_in(terminal, "demo", "wrong")
    terminal.wait_for("Login refused")
    terminal.wait_for_caret_between("Password", "Log in")
    terminal.type("demo")
    terminal.wait_for("••••")
    terminal.press("Enter")
    terminal.wait_for("CRM programs", "Customer list", "Main menu — Demo Oy (demo)")


def test_an_export_arrives_as_a_download(browser, served, tmp_path):
    import openpyxl

    terminal = open_page(browser, served)
    log_in(terminal, "demo", "demo")
    terminal.wait_for("CRM programs", "Customer list")
    terminal.press("a")
    terminal.wait_for("Search:", "customers · sorted by Name")
    terminal.press("ArrowDown")
    terminal.wait_for("⏎ Memo", "x Excel")
    terminal.press("x")
    terminal.wait_for(".xlsx")
    with terminal.page.expect_download(timeout=30_000) as caught:
        terminal.press("Enter")
    download = caught.value
    screen = terminal.wait_for("Saved ")
    assert download.suggested_filename.startswith("customers-") and download.suggested_filename.endswith(".xlsx")
    got = tmp_path / download.suggested_filename
    download.save_as(str(got))

    saved_on_server = on_server(served, download.suggested_filename)  # the user's own folder
    assert got.read_bytes() == saved_on_server.read_bytes()  # the file the program wrote
    assert not list(served["home"].glob("*.xlsx"))  # nothing in the server account's home
    sheet = openpyxl.load_workbook(got).active
    values = list(sheet.values)
    names = {row[0] for row in values[1:]}
    shown = [line for line in screen.splitlines() if "customers ·" in line][0]
    assert f"{len(values) - 1} customers" in shown
    assert "Hiltusen Metalli Oy" in names and "Oy [Ab] & Co" in names


def test_two_browsers_of_one_user_keep_their_files_apart(browser, served, tmp_path):
    """Issue #17: every browser is the same OS user; two of them, logged in as the same Pupesoft
    user, export under the same name: each gets its own file (neither is asked to replace the
    other's, neither sees it), and a closed browser's folder goes with its session."""
    import openpyxl

    pages: list = []
    for _browser in range(2):
        page = browser.new_page()
        page.add_init_script(CATCH_TERMINAL)
        page.goto(served["url"])
        terminal = BrowserTerminal(page)
        terminal.wait_for("User name", "Password", "Demo Oy (demo)")
        page.locator(".xterm-helper-textarea").focus()
        log_in(terminal, "demo", "demo")
        terminal.wait_for("CRM programs", "Customer list")
        terminal.press("a")
        terminal.wait_for("Search:", "customers · sorted by Name")
        terminal.press("ArrowDown")
        terminal.wait_for("⏎ Memo", "x Excel")
        terminal.press("x")
        terminal.wait_for(".xlsx")
        terminal.press("End")
        terminal.press("Control+u")  # the offered name cleared
        terminal.type("yhteinen")
        terminal.wait_for("yhteinen")
        with page.expect_download(timeout=30_000) as caught:
            terminal.press("Enter")
        terminal.wait_for("Saved ", absent=("Replace it?",))
        got = tmp_path / f"{len(pages)}-{caught.value.suggested_filename}"
        caught.value.save_as(str(got))
        assert caught.value.suggested_filename == "yhteinen.xlsx"
        assert "Hiltusen Metalli Oy" in {row[0] for row in list(openpyxl.load_workbook(got).active.values)[1:]}
        pages.append((page, got))
    files = sorted((served["exports"] / "demo" / "demo").glob("*/yhteinen.xlsx"))
    assert len(files) == 2 and files[0].parent != files[1].parent
    pages[0][0].close()  # the first browser goes: its session's folder with it
    deadline = time.monotonic() + 30
    while len(list((served["exports"] / "demo" / "demo").glob("*/yhteinen.xlsx"))) != 1:
        assert time.monotonic() < deadline, "the closed session's folder was not removed"
        time.sleep(0.1)
    pages[1][0].close()


def test_serve_listens_on_loopback_only_by_default(served):
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, port = local.rsplit(":", 1)
            if state == "0A" and int(port, 16) == served["port"]:  # 0A: LISTEN
                listening.append(address)
    assert listening, "nothing listens on the port"
    loopback = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1
    assert set(listening) <= loopback, listening


def test_serve_refuses_to_drop_the_login_without_its_flag(tmp_path):
    url = f"sqlite:///{tmp_path / 'none.sqlite3'}"
    run = subprocess.run(pupetui_command("serve", "--db", url, "--auth", "none"), capture_output=True, text=True,
                         timeout=60, env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path)})
    assert run.returncode == cli.EXIT_USAGE
    assert "always asks browsers for the Pupesoft password" in run.stderr and "--no-password" in run.stderr


def test_the_browser_session_gets_the_password_login_and_the_same_database():
    settings = config.load({"db": "mysql://u:secret@db/pupesoft", "auth": "none", "lang": "fi", "theme": "ansi"},
                           environ={})
    env = cli.serve_environment(settings, "acme", no_password=False)
    assert env["PUPETUI_AUTH"] == "password"
    assert env["PUPETUI_DB"] == "mysql://u:secret@db/pupesoft"  # in the environment, not on the command line
    assert (env["PUPETUI_COMPANY"], env["PUPETUI_LANG"], env["PUPETUI_THEME"]) == ("acme", "fi", "ansi")
    assert "PUPETUI_USER" not in env
    trusted = cli.serve_environment(settings, "acme", no_password=True)
    assert trusted["PUPETUI_AUTH"] == "none" and trusted["PUPETUI_USER"] == settings.user


def download(terminal: BrowserTerminal, key: str, served, tmp_path) -> Path:
    """`key` saves a file: it arrives in the browser as a download, the same bytes the program
    wrote on the server; the downloaded copy."""
    with terminal.page.expect_download(timeout=30_000) as caught:
        terminal.press(key)
    got = tmp_path / caught.value.suggested_filename
    caught.value.save_as(str(got))
    assert got.read_bytes() == on_server(served, got.name).read_bytes()
    return got


def on_server(served, name: str) -> Path:
    """The file `name` in the demo user's folder on the server: in the folder of the browser
    session that wrote it (one per session, issue #17)."""
    (path,) = [p for p in (served["exports"] / "demo" / "demo").glob(f"*/{name}")
               if time.time() - p.stat().st_mtime < 120]
    return path


def back_to_the_menu(terminal: BrowserTerminal) -> None:
    terminal.press("Escape")
    terminal.wait_for("CRM programs", "Press a program's key")


def test_every_programs_file_arrives_as_a_download(browser, served, tmp_path):
    import openpyxl

    terminal = open_page(browser, served)
    log_in(terminal, "demo", "demo")
    terminal.wait_for("CRM programs", "SQL search", "Query generator", "Calendar")

    # the SQL search: F8 exports every row of the query (.xlsx by the proposed name)
    terminal.press("q")
    terminal.wait_for("SQL search —", "F5 runs")
    terminal.type("select nimi from asiakas where nimi like 'Hiltusen%'")
    terminal.wait_for("like 'Hiltusen%'")
    terminal.press("F5")
    terminal.wait_for("1 row ", "Hiltusen Metalli Oy")
    terminal.press("F8")
    terminal.wait_for("Export every row", "sql-")
    got = download(terminal, "Enter", served, tmp_path)
    assert got.name.startswith("sql-") and got.suffix == ".xlsx"
    assert list(openpyxl.load_workbook(got).active.values) == [("nimi",), ("Hiltusen Metalli Oy",)]
    back_to_the_menu(terminal)

    # the query generator: every column of the company table, as Excel
    terminal.press("g")
    terminal.wait_for("Choose a table", "Company (yhtio)")
    terminal.press("Enter")
    terminal.wait_for("Company (yhtio) · 0/")
    terminal.press("a")  # every column
    terminal.wait_for("Company (yhtio) · ", "[x] nimi")
    terminal.press("x")
    terminal.wait_for("Save every row as an Excel file", "yhtio-")
    got = download(terminal, "Enter", served, tmp_path)
    rows = list(openpyxl.load_workbook(got)["yhtio"].values)
    assert got.name.startswith("yhtio-") and len(rows) == 2 and "Demo Oy" in rows[1]  # this company's only
    terminal.press("Escape")
    back_to_the_menu(terminal)

    # the calendar: x exports the month as an iCalendar file
    terminal.press("k")
    terminal.wait_for("Calendar —", " entries")
    terminal.press("x")
    terminal.wait_for("Export as an iCalendar file", "kalenteri-demo-")
    got = download(terminal, "Control+s", served, tmp_path)
    text = got.read_text(encoding="utf-8")
    assert got.name.startswith("kalenteri-demo-") and text.startswith("BEGIN:VCALENDAR")
    # (the query generator's "Exported" notice may still be up: wait for the calendar's own)
    terminal.wait_for(f"Exported {text.count('BEGIN:VEVENT')} entries")
