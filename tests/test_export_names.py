"""Issue #17: exports that never collide. The export dialogs offer a file in the user's own
folder (the XDG download folder, else documents, else home, or `export_dir` of the
configuration) under a name that says what was exported and when, and is never the name of a
file that exists; names pupetui makes for files nobody named are never reused; under
`pupetui serve` every browser session has a folder of its own."""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

import pytest
from textual.widgets import Input

from pupetui import config, db, serve
from pupetui.services import customers, export_target
from pupetui.services.customers import CustomerQuery
from pupetui.services.export import write_csv
from pupetui.widgets.confirm import AskTextScreen
from test_app import SIZE, logged_in_app, shows, wait_for
from test_cli import env, run  # noqa: F401  (fixture and helper)
from test_customer_screens import english, open_list, seed  # noqa: F401  (english: an autouse fixture)

WHEN = dt.datetime(2026, 12, 6, 21, 45, 1)


@pytest.fixture
def home(monkeypatch, tmp_path):
    """A user's home without a download or documents folder, and no user-dirs.dirs."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / ".config"))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    monkeypatch.delenv(export_target.SERVED_ENV, raising=False)
    monkeypatch.delenv(export_target.SESSION_ENV, raising=False)
    export_target.configure("")
    yield folder
    export_target.configure("")


def test_the_default_folder_is_downloads_else_documents_else_home_or_the_configured_one(home, tmp_path):
    assert export_target.default_folder() == home
    (home / "Documents").mkdir()
    assert export_target.default_folder() == home / "Documents"
    (home / "Downloads").mkdir()
    assert export_target.default_folder() == home / "Downloads"
    (home / ".config").mkdir()
    (home / ".config" / "user-dirs.dirs").write_text('XDG_DOWNLOAD_DIR="$HOME/Lataukset"\n')
    (home / "Lataukset").mkdir()
    assert export_target.default_folder() == home / "Lataukset"  # the user's own, as xdg-user-dirs says
    export_target.configure("~/vienti")
    assert export_target.default_folder() == home / "vienti"


def test_the_export_dir_setting(tmp_path):
    assert config.load({}, environ={"PUPETUI_EXPORT_DIR": "/srv/x"}).export_dir == "/srv/x"
    path = tmp_path / "c.toml"
    path.write_text("export_dir = 3\n")
    with pytest.raises(config.ConfigError, match="export_dir must be the path of a folder"):
        config.load({}, config_path=path, environ={})


def test_a_default_name_says_what_and_when_and_is_never_taken(home):
    (home / "Downloads").mkdir()
    first = export_target.default_path("customers", fmt="xlsx", when=WHEN)
    assert first == "~/Downloads/customers-20261206-214501.xlsx"
    (home / "Downloads" / "customers-20261206-214501.xlsx").write_bytes(b"someone's")
    assert export_target.default_path("customers", fmt="xlsx", when=WHEN) == "~/Downloads/customers-20261206-214501-2.xlsx"
    odd = export_target.default_path("kalenteri", "a b/../c[x]", "2026-12", fmt="ics", when=WHEN)
    assert odd == "~/Downloads/kalenteri-a-b-..-c-x-2026-12-20261206-214501.ics" and odd.count("/") == 2


def test_a_name_pupetui_made_is_never_written_over_anything(tmp_path):
    target = tmp_path / "ostoseuranta-pdf.zip"
    target.mkdir()  # a folder at the name
    (tmp_path / "ostoseuranta-pdf-2.zip").write_bytes(b"not pupetui's")
    with export_target.output(target, "zip", unique=True) as out:
        out.file.write(b"zip")
    assert out.path == tmp_path / "ostoseuranta-pdf-3.zip" and out.path.read_bytes() == b"zip"
    assert (tmp_path / "ostoseuranta-pdf-2.zip").read_bytes() == b"not pupetui's"
    with export_target.output(target, "zip", unique=True) as again:  # even over its own file
        again.file.write(b"zip 2")
    assert again.path == tmp_path / "ostoseuranta-pdf-4.zip" and out.path.read_bytes() == b"zip"


def test_two_writers_of_one_made_name_at_once_get_two_files(tmp_path):
    ready = threading.Barrier(2)
    paths = []

    def write(text):
        with export_target.output(tmp_path / "x.csv", "csv", unique=True) as out:
            out.file.write(text.encode())
            ready.wait()  # both have their partial files before either is published
        paths.append(out.path)

    threads = [threading.Thread(target=write, args=(t,)) for t in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(p.name for p in paths) == ["x-2.csv", "x.csv"]
    assert sorted(p.read_text() for p in paths) == ["a", "b"]


# -- the screens -----------------------------------------------------------------------------


@pytest.fixture
def url(sqlite_url):
    d = db.connect(sqlite_url)
    seed(sqlite_url)
    yield sqlite_url
    db.end_session()
    if not d.is_closed():
        d.close()


async def export_from_the_list(pilot, app):
    await pilot.press("down", "x")
    await wait_for(pilot, lambda: isinstance(app.screen, AskTextScreen))
    field = app.screen.query_one("#ask-text", Input)
    offered = field.value
    await pilot.press("enter")
    await shows(pilot, "Saved ")
    return offered


async def test_the_customer_list_offers_the_download_folder_and_a_new_name_each_time(url, home):
    (home / "Downloads").mkdir()
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_list(pilot)
        first = await export_from_the_list(pilot, app)
        await wait_for(pilot, lambda: app.screen is screen)
        second = await export_from_the_list(pilot, app)
    assert first.startswith("~/Downloads/customers-") and second.startswith("~/Downloads/customers-")
    assert first != second  # the second export never offers the first one's name
    files = sorted(p.name for p in (home / "Downloads").iterdir())
    assert len(files) == 2 and all(f.startswith("customers-") and f.endswith(".xlsx") for f in files)
    assert not any(p.suffix == ".xlsx" for p in home.iterdir())  # nothing in the home folder itself


async def test_the_configured_export_dir_is_offered(url, home):
    folder = home / "vienti"
    folder.mkdir()
    app = logged_in_app(url, export_dir=str(folder))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_list(pilot)
        offered = await export_from_the_list(pilot, app)
    assert offered.startswith("~/vienti/customers-")
    assert [p.suffix for p in folder.iterdir()] == [".xlsx"]


# -- serve: one folder per browser session ------------------------------------------------------


@pytest.fixture
def served(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv(export_target.SERVED_ENV, "1")
    return tmp_path / "state" / "pupetui" / "exports" / "acme" / "matti"


def test_each_browser_session_gets_a_token_of_its_own():
    one, two = serve.session_environment("10.0.0.1"), serve.session_environment("10.0.0.1")
    assert one["PUPETUI_CLIENT_ADDRESS"] == "10.0.0.1"
    assert export_target.SESSION_TOKEN.fullmatch(one[export_target.SESSION_ENV])
    assert one[export_target.SESSION_ENV] != two[export_target.SESSION_ENV]


def test_two_browsers_of_one_user_never_see_or_replace_each_others_files(url, served, monkeypatch):
    tokens = [serve.session_environment("127.0.0.1")[export_target.SESSION_ENV] for _ in range(2)]
    written = []
    for token, rows in zip(tokens, ([[1]], [[2]])):
        monkeypatch.setenv(export_target.SESSION_ENV, token)
        with db.session("acme", "matti"):
            written.append(write_csv("raportti.csv", ["a"], rows).path)
            assert export_target.resolve("raportti.csv", "csv") == written[-1]  # its own file only
            excel = customers.export_xlsx(CustomerQuery(), "asiakkaat")
    assert written[0] == served / tokens[0] / "raportti.csv" and written[1] == served / tokens[1] / "raportti.csv"
    assert written[0].read_text(encoding="utf-8-sig") != written[1].read_text(encoding="utf-8-sig")
    assert sorted(p.name for p in (served / tokens[1]).iterdir()) == ["asiakkaat.xlsx", "raportti.csv"]
    assert excel.path.parent == served / tokens[1]
    assert os.stat(served / tokens[0]).st_mode & 0o777 == 0o700
    serve.remove_session_files(tokens[0])  # the first browser's session ended
    assert not (served / tokens[0]).exists() and written[1].is_file()


def test_a_session_token_that_is_no_token_is_not_a_folder(served, monkeypatch):
    monkeypatch.setenv(export_target.SESSION_ENV, "../../../etc")
    with db.session("acme", "matti"):
        assert export_target.export_folder("") == served
    assert export_target.session_folders("*") == [] and export_target.session_folders("../x") == []


async def test_the_served_dialog_offers_a_name_that_says_what(url, served, monkeypatch):
    monkeypatch.setenv(export_target.SESSION_ENV, "ab" * 16)
    app = logged_in_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_list(pilot)
        offered = await export_from_the_list(pilot, app)
    assert offered.startswith("customers-") and "/" not in offered
    assert [p.name for p in (served / ("ab" * 16)).iterdir()] == [offered]


# -- the headless commands and the config -------------------------------------------------------


def test_export_dir_is_a_setting_of_the_commands_too(env, tmp_path):  # noqa: F811
    cfg = tmp_path / "c.toml"
    cfg.write_text("export_dir = [1]\n")
    result = run(env, "check", "--config", str(cfg))
    assert result.returncode == 1 and "export_dir must be the path of a folder" in result.stderr
    assert Path(tmp_path / "data").exists() is False
