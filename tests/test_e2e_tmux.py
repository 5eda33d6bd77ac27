"""End to end in a real terminal: the installed `pupetui` in a detached tmux session of 80x24.

The helpers (a tmux server per test, keys, waiting for text) are in tests/tmux.py.
Skipped when tmux is missing, unless PUPETUI_REQUIRE_SERVERS=1 (then it fails).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tmux import Terminal, make_demo_database, pupetui_command, require_tmux

from pupetui import db
from pupetui.models import Company, CompanyParameters, Permission, User
from pupetui.services import auth, schema


@pytest.fixture
def tmux(tmp_path):
    require_tmux()
    terminal = Terminal(tmp_path)
    yield terminal
    terminal.close()


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


pupetui = pupetui_command


def assert_clean_exit(term: Terminal) -> None:
    term.assert_clean_exit()


def test_menu_keys_help_and_quit_in_a_real_terminal(tmux, tmp_path):
    url = make_database(tmp_path / "e2e.sqlite3")
    tmux.start(pupetui("--db", url, "--company", "acme", "--user", "matti", "--lang", "en"))
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
        pupetui("--db", url, "--company", "acme", "--user", "matti", "--auth", "password", "--lang", "fi")
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
    url = make_demo_database(tmp_path)
    tmux.start(pupetui("--db", url, "--company", "demo", "--user", "ville", "--lang", "en"))
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
