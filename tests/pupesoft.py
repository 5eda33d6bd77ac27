"""Pupesoft itself (../shared/pupesoft-php, PHP) as the test peer: its own pages on the database
pupetui writes.

- `database()`: a MariaDB database of its own with Pupesoft's whole schema; returns (name, url, drop).
- `Server`: Pupesoft served on it by serve.sh on a free loopback port, its logs in a tmp dir; the
  mail PHP's mail() sends is kept there too (`Server.mails()`), nothing leaves the machine.
- Fixtures for a peer test module (import them into it): `peer` (pupetui's URL and the Pupesoft
  server on one new database holding company COMPANY and its user USER with the CRM programs'
  rights), `browser` (USER logged in to Pupesoft), `customer` (one saved by pupetui's form).
- `PupesoftBrowser`: logs in and GETs/POSTs pages as a browser does (latin1 both ways), parses the
  HTML with Python's html.parser, and fails the test on a "Fatal" line in php-errors.log.

Nothing is copied from ../shared into the project: the paths come from conftest's SHARED.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import socket
import subprocess
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests

from conftest import SHARED, mariadb_database, unavailable

from pupetui import db
from pupetui.models import Company, CompanyParameters, Customer, Keyword, Permission, User
from pupetui.services import customer_edit, programs

PUPESOFT_PHP = SHARED.parent / "pupesoft-php"
SCHEMA = PUPESOFT_PHP / "schema.mariadb.sql"
SERVE = PUPESOFT_PHP / "serve.sh"
SETTINGS = Path(__file__).resolve().parent / "pupesoft_settings"  # holds salasanat.php
ENCODING = "latin1"


def md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def database() -> tuple[str, str, callable]:
    """A new MariaDB database with all of Pupesoft's tables: (name, pupetui URL, drop)."""
    if not SCHEMA.is_file():
        unavailable(f"Pupesoft's schema {SCHEMA} is missing")
    name = f"pupe_{uuid.uuid4().hex[:10]}"
    url, drop = mariadb_database(name, SCHEMA)
    return name, url, drop


def require_php() -> None:
    """Skip (or fail, with PUPETUI_REQUIRE_SERVERS=1) when PHP or Pupesoft's code is missing."""
    if shutil.which("php") is None:
        unavailable("php is missing (apt-get install php-cli php-mysql ...; see .ci/run)")
    if not SERVE.is_file():
        unavailable(f"Pupesoft's {SERVE} is missing")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """Pupesoft's pages served by PHP's built-in server on `dbname`."""

    def __init__(self, dbname: str, logdir: Path):
        require_php()
        self.logdir = logdir
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        # Pupesoft's settings file salasanat.php comes from the tests (src/ has none): an extra ini
        # (the leading ":" keeps Debian's scan dir, which loads mysqli) puts it on the include_path.
        ini = logdir / "ini"
        ini.mkdir(parents=True, exist_ok=True)
        # mail(): sendmail_path is a script that keeps each message as a file in logdir/mail
        self.maildir = logdir / "mail"
        self.maildir.mkdir(parents=True, exist_ok=True)
        sendmail = logdir / "sendmail.sh"
        sendmail.write_text(f'#!/bin/sh\nexec cat > "$(mktemp {self.maildir}/mail-XXXXXXXX.eml)"\n')
        sendmail.chmod(0o755)
        (ini / "pupetui-tests.ini").write_text(f'include_path = ".:{SETTINGS}:/usr/share/php"\n'
                                               f'sendmail_path = "{sendmail}"\n')
        env = {**os.environ, "PHP_INI_SCAN_DIR": f":{ini}"}
        out = subprocess.run([str(SERVE), dbname, str(self.port), str(logdir)],
                             capture_output=True, text=True, timeout=60, env=env)
        if out.returncode != 0:
            pytest.fail(f"serve.sh failed: {out.stderr.strip()}", pytrace=False)
        self.pid = int(out.stdout.strip())
        self._wait_until_up()

    def _wait_until_up(self, deadline_s: float = 60.0) -> None:
        end = time.monotonic() + deadline_s
        while True:
            try:
                requests.get(self.base + "index.php", timeout=10)
                return
            except requests.ConnectionError:
                if time.monotonic() > end:
                    self.stop()
                    pytest.fail(f"Pupesoft did not answer at {self.base}", pytrace=False)
                time.sleep(0.05)  # polling the condition above, not a wait for a guessed time

    def mails(self) -> list:
        """The messages Pupesoft has sent (email.message.EmailMessage), oldest first."""
        import email
        import email.policy

        files = sorted(self.maildir.glob("mail-*.eml"), key=lambda f: f.stat().st_mtime_ns)
        return [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]

    @property
    def error_log(self) -> Path:
        return self.logdir / "php-errors.log"

    def fatal_lines(self) -> list[str]:
        if not self.error_log.is_file():
            return []
        text = self.error_log.read_text(encoding=ENCODING, errors="replace")
        return [line for line in text.splitlines() if "Fatal" in line]

    def stop(self) -> None:
        subprocess.run(["kill", str(self.pid)], check=False)


class Page(HTMLParser):
    """A page as parsed by html.parser: its visible text, links and forms."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.html = html
        self._text: list[str] = []
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.forms: list[dict] = []  # {"attrs": {...}, "fields": {name: value}, "options": {name: [values]}}
        self._skip = 0
        self._link: list | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(html)
        self.close()

    # -- the parser's callbacks -----------------------------------------------------------------
    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "a":
            self._link = [a.get("href", ""), ""]
        elif tag == "form":
            self.forms.append({"attrs": a, "fields": {}, "options": {}})
        elif tag in ("br", "td", "th", "tr", "div", "p", "option", "li"):
            self._text.append("\n")
        form = self.forms[-1] if self.forms else None
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    form["fields"][name] = a.get("value", "on")
            elif kind not in ("submit", "button", "image", "file", "reset"):
                form["fields"][name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            form["options"][name] = []
        elif tag == "option" and self._select:
            # A select sends its selected option, else its first (PHP keeps the last of a repeated name).
            value = a.get("value", "")
            form["options"][self._select].append(value)
            if "selected" in a or len(form["options"][self._select]) == 1:
                form["fields"][self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            form["fields"][name] = ""

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag == "a" and self._link is not None:
            self.links.append((self._link[0], self._link[1].strip()))
            self._link = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._skip:
            return
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data
            return
        self._text.append(data)
        if self._link is not None:
            self._link[1] += data

    # -- what the tests read ---------------------------------------------------------------------
    @property
    def text(self) -> str:
        """The visible text, one line per cell or line break, spaces collapsed."""
        lines = (" ".join(line.split()) for line in "".join(self._text).split("\n"))
        return "\n".join(line for line in lines if line)

    def form_with(self, field: str, value: str | None = None) -> dict:
        """The first form that has `field` (with `value`, if given)."""
        for form in self.forms:
            if field in form["fields"] and (value is None or form["fields"][field] == value):
                return form
        raise AssertionError(f"no form with {field}={value!r} on the page")


class PupesoftBrowser:
    """One logged-in Pupesoft user, as a browser: the session cookie, latin1 forms."""

    def __init__(self, server: Server):
        self.server = server
        self.http = requests.Session()

    def _check_log(self, what: str) -> None:
        fatal = self.server.fatal_lines()
        if fatal:
            pytest.fail(f"Pupesoft broke on {what}: {fatal[-1]}", pytrace=False)

    def _page(self, response: requests.Response, what: str) -> Page:
        self._check_log(what)
        assert response.status_code == 200, f"{what}: HTTP {response.status_code}"
        return Page(response.content.decode(ENCODING))

    def get(self, path: str, params: dict | None = None) -> Page:
        url = self.server.base + path
        if params:
            url += "?" + urlencode(params, encoding=ENCODING)
        return self._page(self.http.get(url, timeout=60), path)

    def post(self, path: str, data: dict) -> Page:
        body = urlencode(data, encoding=ENCODING)
        response = self.http.post(self.server.base + path, data=body, timeout=60,
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
        return self._page(response, path)

    def login(self, user: str, password: str, company: str) -> Page:
        page = self.post("index.php", {"user": user, "salamd5": md5(password), "yhtio": company,
                                       "return[error]": ""})
        cookie = self.http.cookies.get("pupesoft_session")
        assert cookie and len(cookie) == 25, f"{user} could not log in to Pupesoft: {page.text[:300]}"
        return page


# -- fixtures for the peer test modules ---------------------------------------------------------

COMPANY = "peer"
USER, PASSWORD, USER_NAME = "maija", "Salasana-1", "Maija Myyjä"


@pytest.fixture(scope="module")
def peer(tmp_path_factory):
    """(pupetui's URL, the Pupesoft server) on one new database holding a company and its user."""
    require_php()
    name, url, drop = database()
    d = db.connect(url)
    try:
        with db.session(COMPANY, USER):
            year = dt.date.today().year
            Company.create(
                name="Vertaisyhtiö Oy", business_id="1234567-8", country="FI", language="fi", currency="EUR",
                fiscal_year_start=dt.date(year, 1, 1), fiscal_year_end=dt.date(year, 12, 31),
                payables_period_start=dt.date(year, 1, 1), payables_period_end=dt.date(year, 12, 31),
                receivables_period_start=dt.date(year, 1, 1), receivables_period_end=dt.date(year, 12, 31),
            )
            CompanyParameters.create(calendar_slot_minutes="30", multi_user_calendar="")
            User.create(login=USER, name=USER_NAME, password_md5=md5(PASSWORD), language="fi",
                        salesperson_no=1, position="MP")
            for order, program in enumerate((programs.CUSTOMERS, programs.MEMO, programs.CALENDAR, programs.REMINDERS), start=1):
                Permission.create(login=USER, application="Asiakkuudenhallinta", script=program.script,
                                  may_update="1", title=program.id, order=order * 10)
            Permission.create(login=USER, application="Ylläpito", script=programs.CUSTOMER_EDIT.script,
                              subname="asiakas", may_update="1", title="Asiakkaat", order=100)
            Keyword.create(kind="KALETAPA", value="Puhelu", text="Puhelu", language="fi")
        server = Server(name, tmp_path_factory.mktemp("pupesoft-logs"))
        try:
            yield url, server
            fatal = server.fatal_lines()
            assert not fatal, f"Pupesoft broke: {fatal[-1]}"
        finally:
            server.stop()
    finally:
        db.end_session()
        if not d.is_closed():
            d.close()
        drop()


@pytest.fixture
def browser(peer):
    _, server = peer
    b = PupesoftBrowser(server)
    b.login(USER, PASSWORD, COMPANY)
    return b


CUSTOMER_BUSINESS_ID = "76543212"  # valid (7654321-2) and as Pupesoft stores a Finnish one


@pytest.fixture
def customer(peer):
    """A customer saved through pupetui's customer form.

    Each is given its own EDI code (ovttunnus) afterwards: by default Pupesoft tells customers of
    one business ID apart by their EDI codes, and refuses a second one it could not
    (yhtion_parametrit.asiakkaan_tarkenne, inc/asiakastarkista.inc), as pupetui's form does."""
    with db.session(COMPANY, USER):
        saved = customer_edit.save(customer_edit.CustomerForm(
            name="Kärkkäinen Ky", business_id=CUSTOMER_BUSINESS_ID, address="Rantatie 5", postcode="33100",
            city="Tampere", country="FI", currency="EUR",
        ))
        Customer.update(edi_id=f"0037{CUSTOMER_BUSINESS_ID}{saved}").where(Customer.id == saved).execute()
        return saved
