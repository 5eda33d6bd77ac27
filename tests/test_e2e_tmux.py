"""End to end in a real terminal: `python -m pupetui` in a detached tmux session of 80x24.

Each test has its own tmux server (`-L <socket>`), so it never touches anyone's sessions.
Skipped when tmux is missing, unless PUPETUI_REQUIRE_SERVERS=1 (then it fails).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from pupetui import db
from pupetui.models import Company, CompanyParameters, Permission, User
from pupetui.services import auth, schema

TMUX = shutil.which("tmux")
REQUIRE = os.environ.get("PUPETUI_REQUIRE_SERVERS") == "1"
ROOT = Path(__file__).resolve().parent.parent
EXITED = "pupetui exited with"


@pytest.fixture
def tmux(tmp_path):
    if TMUX is None:
        if REQUIRE:
            pytest.fail("PUPETUI_REQUIRE_SERVERS=1 but tmux is not installed", pytrace=False)
        pytest.skip("tmux is not installed")
    terminal = Terminal(tmp_path)
    yield terminal
    terminal.close()


class Terminal:
    """A tmux server of our own running one command in an 80x24 window."""

    def __init__(self, tmp_path: Path):
        self.socket = f"pupetui-test-{uuid.uuid4().hex[:8]}"
        self.session = "pupetui"
        self.socket_dir = tempfile.mkdtemp(prefix="pupetui-tmux-")  # short: socket paths are limited
        self.home = tmp_path / "home"
        self.home.mkdir()
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),  # no user config file leaks in
            "XDG_DATA_HOME": str(self.home / ".local/share"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TERM": "xterm-256color",
            "TMUX_TMPDIR": self.socket_dir,
        }

    def tmux(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(
            [TMUX, "-L", self.socket, "-f", "/dev/null", *args],
            env=self.env, capture_output=True, text=True, timeout=30,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {result.stderr}")
        return result.stdout

    def start(self, argv: list[str], env: dict[str, str] | None = None) -> None:
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
        command = f"{exports} {shlex.join(argv)}; echo \"{EXITED} $?\"; sleep 60"
        self.tmux("new-session", "-d", "-s", self.session, "-x", "80", "-y", "24", "sh", "-c", command)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session, check=False)

    def wait_for(self, *texts: str, absent: tuple[str, ...] = (), timeout: float = 20.0) -> str:
        """The screen, once it shows every one of `texts` and none of `absent`."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if all(t in screen for t in texts) and not any(t in screen for t in absent):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"waited {timeout} s for {texts!r} without {absent!r}; the terminal shows:\n{screen}"
                )
            time.sleep(0.1)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def size(self) -> tuple[int, int]:
        out = self.tmux("display-message", "-p", "-t", self.session, "#{window_width} #{window_height}")
        width, height = out.split()
        return int(width), int(height)

    def close(self) -> None:
        self.tmux("kill-server", check=False)
        shutil.rmtree(self.socket_dir, ignore_errors=True)


def make_database(path: Path) -> str:
    url = f"sqlite:///{path}"
    d = db.open_database(url)
    schema.init(d)
    db.bind(d)
    try:
        with db.session("acme", "setup"):
            Company.create(name="Oy [Ab] & Co")
            CompanyParameters.create()
            User.create(login="matti", name="Matti Myyjä", password_md5=auth.md5_hex("salainen"))
            for script in ("crm/asiakaslista.php", "crm/kalenteri.php", "crm/tarrat.php"):
                Permission.create(login="matti", script=script, subname="")
    finally:
        d.close()
    return url


def pupetui(*args: str) -> list[str]:
    return [sys.executable, "-m", "pupetui", *args]


def assert_clean_exit(term: Terminal) -> None:
    screen = term.wait_for(EXITED)
    assert f"{EXITED} 0" in screen, screen
    assert "Traceback" not in screen and "Error" not in screen, screen


def test_menu_keys_help_and_quit_in_a_real_terminal(tmux, tmp_path):
    url = make_database(tmp_path / "e2e.sqlite3")
    tmux.start(pupetui("--db", url, "--company", "acme", "--user", "matti", "--lang", "en"),
               env={"PYTHONPATH": str(ROOT)})
    assert tmux.size() == (80, 24)
    # the company's name literally, not as markup; the footer's keys
    screen = tmux.wait_for("Main menu", "Customer list", "Address labels", "Oy [Ab] & Co (acme)", "Quit", "Help")
    assert "SQL search" not in screen  # no right to it

    tmux.keys("t")
    tmux.wait_for("Address labels is not yet available in pupetui.")
    tmux.keys("Escape")
    tmux.wait_for("CRM programs")

    tmux.keys("a")  # the customer list, for real
    tmux.wait_for("Customer list", "customers")
    tmux.keys("Escape")
    tmux.wait_for("CRM programs")

    tmux.keys("F1")
    tmux.wait_for("Keys: Main menu", "Customer list")
    tmux.keys("Escape")
    tmux.wait_for("CRM programs", absent=("Keys: Main menu",))

    tmux.keys("C-q")
    assert_clean_exit(tmux)


def test_password_login_in_finnish_in_a_real_terminal(tmux, tmp_path):
    url = make_database(tmp_path / "e2e.sqlite3")
    tmux.start(
        pupetui("--db", url, "--company", "acme", "--user", "matti", "--auth", "password", "--lang", "fi"),
        env={"PYTHONPATH": str(ROOT)},
    )
    tmux.wait_for("Käyttäjätunnus", "Salasana", "Oy [Ab] & Co (acme)")
    tmux.type("väärä")
    tmux.keys("Enter")
    tmux.wait_for("Kirjautuminen hylättiin")
    tmux.type("salainen")
    screen = tmux.wait_for("••••••••")
    assert "salainen" not in screen  # masked
    tmux.keys("Enter")
    tmux.wait_for("Päävalikko", "Asiakaslista", "Matti Myyjä (matti)")
    tmux.keys("C-q")
    assert_clean_exit(tmux)


def test_demo_database_in_a_real_terminal(tmux, tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    made = subprocess.run(
        pupetui("demo", "--db", url, "--customers", "20", "--quiet"),
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")},
    )
    assert made.returncode == 0, made.stderr
    tmux.start(pupetui("--db", url, "--company", "demo", "--user", "ville", "--lang", "en"),
               env={"PYTHONPATH": str(ROOT)})
    screen = tmux.wait_for("Main menu", "Customer list", "Ville Varasto (ville)")
    assert "Calendar" not in screen
    tmux.keys("C-p")
    tmux.wait_for("Search for programs")
    tmux.type("labels")
    tmux.wait_for("Address labels")
    tmux.keys("Enter")
    tmux.wait_for("Address labels is not yet available")
    tmux.keys("C-q")
    assert_clean_exit(tmux)


def test_memo_header_pickers_and_tabs_in_a_real_terminal(tmux, tmp_path):
    from pupetui.models import Contact, Customer, Keyword

    url = make_database(tmp_path / "e2e.sqlite3")
    d = db.open_database(url)
    db.bind(d)
    try:
        with db.session("acme", "setup"):
            Permission.create(login="matti", script="crm/asiakasmemo.php", subname="")
            for value, text in (("A", "Aktiivinen"), ("E", "Ei aktiivinen")):
                Keyword.create(kind="ASIAKASTILA", value=value, text=text)
            customer = Customer.create(name="Oy [Ab] & Co", address="Katu \\ 1", postcode="00100", city="Helsinki",
                                       facts="[bold]Soita[/bold] aamulla", status="A", phone="09 111")
            Contact.create(customer_id=customer.id, name="Liisa [i]Laine[/i]", phone="09 123", email="liisa@x.fi")
    finally:
        d.close()
    tmux.start(pupetui("--db", url, "--company", "acme", "--user", "matti", "--lang", "en"),
               env={"PYTHONPATH": str(ROOT)})
    tmux.wait_for("Main menu", "Customer list")
    tmux.keys("a")
    tmux.wait_for("Search:", "1 customer · sorted by Name")
    tmux.keys("Enter", "Enter")  # from the search to the list, and the memo of the highlighted customer
    screen = tmux.wait_for("Billing address", "Katu \\ 1", "[bold]Soita[/bold] aamulla", "t Status A Aktiivinen",
                           "tel. 09 111", "1 Entries", "6 Calendar", "n New")
    assert "Traceback" not in screen
    tmux.keys("t")  # the status list, on the current status
    tmux.wait_for("(no status)", "E Ei aktiivinen", "Enter chooses, Esc cancels.")
    tmux.keys("Down", "Enter")
    tmux.wait_for("Status E Ei aktiivinen", "Status changed.")
    tmux.keys("p")  # the contact whose numbers the header shows
    tmux.wait_for("(customer)", "Liisa [i]Laine[/i]")
    tmux.keys("Down", "Enter")
    tmux.wait_for("Liisa [i]Laine[/i] · tel. 09 123 · liisa@x.fi")
    tmux.keys("2")
    tmux.wait_for("Name", "Liisa [i]Laine[/i]", "a Add")
    tmux.keys("Escape")
    tmux.wait_for("Customer list", absent=("Billing address",))
    tmux.keys("C-q")
    assert_clean_exit(tmux)
