"""The database goes away under a running TUI (the network cut: every connection broken, the
port closed): every program opened after that says so in a sentence of the user's language,
and no screen shows an exception's repr or a driver's message.

The app reaches MariaDB or PostgreSQL through a TCP forwarder of the test's own; cutting it is
the network going away (nothing shared is restarted)."""

from __future__ import annotations

import re
import socket
import threading
from urllib.parse import urlparse, urlunparse

import pytest

from conftest import make_database
from pupetui import db, i18n
from pupetui.models import Customer, Permission
from pupetui.services.programs import CUSTOMER_EDIT, PROGRAMS
from test_app import SIZE, flat, logged_in_app, menu_ready, screen_text, seed, wait_for

RAW = re.compile(
    r"Traceback|Error\(|Exception\(|\(\d{4},|\(0, ''\)|OperationalError|InterfaceError|ProgrammingError"
    r"|psycopg|pymysql|MySQL server|Can't connect|Lost connection|server closed the connection|connection refused"
    r"|Connection refused|could not connect|Unknown database|doesn't exist|does not exist|errno",
)
GONE = {
    "en": "The database cannot be reached",
    "fi": "Tietokantaan ei saada yhteyttä",
}


# what makes a program read the database when opening it does not (its list is in memory already,
# it waits for the user's choices)
ACTIONS = {
    "customers": ("down", "e"),  # the customer's form
    "contracts": ("f5",),  # the preview
    "sms": ("f4",),  # the customers as recipients
}


class Forwarder:
    """127.0.0.1:<port> forwarded to `target`; `cut()` breaks every connection and closes the port."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.open = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.open:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                if not self.open:
                    client.close(), server.close()
                    return
                self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        with self.lock:
            self.open = False
            self.listener.close()
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()


@pytest.fixture(autouse=True)
def english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture(params=("mariadb", "postgres"))
def gone(request, tmp_path):
    """(url through the forwarder, forwarder) of a database with a company, matti and a customer."""
    url, drop = make_database(request.param, tmp_path)
    seed(url)
    d = db.connect(url)
    with db.session("acme", "setup"):
        Customer.create(name="Virtanen Oy", city="Turku", customer_no="1001")
        Permission.create(login="matti", script=CUSTOMER_EDIT.script, subname="asiakas")
    d.close()
    parts = urlparse(url)
    forwarder = Forwarder(parts.hostname, parts.port)
    netloc = parts.netloc.rsplit("@", 1)
    netloc = (netloc[0] + "@" if len(netloc) == 2 else "") + f"127.0.0.1:{forwarder.port}"
    forwarded = urlunparse(parts._replace(netloc=netloc))
    db.connect(forwarded)  # as the CLI does before it starts the app
    yield forwarded, forwarder
    db.end_session()
    forwarder.cut()
    drop()


def raw_text(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if RAW.search(line)]


async def settles(pilot, sentence: str) -> str:
    """Wait until the screen says `sentence`; fail at once if it shows something raw."""
    found: list[str] = []

    def done() -> bool:
        text = screen_text(pilot.app)
        found[:] = raw_text(text)
        return bool(found) or flat(sentence) in flat(text)

    await wait_for(pilot, done, timeout=20)
    assert not found, f"raw error text on screen: {found}\n{screen_text(pilot.app)}"
    return flat(screen_text(pilot.app))


@pytest.mark.parametrize("lang", ("en", "fi"))
async def test_every_program_says_in_a_sentence_that_the_database_is_gone(gone, lang):
    url, forwarder = gone
    i18n.set_language(lang)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await menu_ready(pilot)
        menu = app.screen
        assert forwarder.sockets, "the app reaches the database through the forwarder"
        forwarder.cut()
        for program in PROGRAMS:
            await pilot.press(app.program_key(program.id))
            await wait_for(pilot, lambda: app.screen is not menu)
            await pilot.press(*ACTIONS.get(program.id, ()))
            await settles(pilot, GONE[lang])
            if program.id == "customers":  # and its memo
                app.pop_screen()
                await pilot.press("enter")
                await settles(pilot, GONE[lang])
            while app.screen is not menu:
                app.pop_screen()
                await pilot.pause()
            assert not raw_text(screen_text(app)), screen_text(app)
        assert app.is_running
