"""The `pupetui` command run as a user runs it: a separate process, its output and exit code."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from pupetui import db
from pupetui.models import ALL_MODELS, Company, Permission, User
from pupetui.services import auth

ROOT = Path(__file__).resolve().parent.parent
TABLES = sorted(m._meta.table_name for m in ALL_MODELS)
EXIT_DENIED = 3


@pytest.fixture
def env(tmp_path):
    """The environment of a user with fresh config and data dirs and no PUPETUI_* settings."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("PUPETUI_")}
    e["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    e["XDG_DATA_HOME"] = str(tmp_path / "data")
    e["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    e["TERM"] = "dumb"
    e["LANG"] = e["LC_ALL"] = "C.UTF-8"
    return e


def run(env, *args, timeout=60, cwd=ROOT, **extra_env):
    result = subprocess.run(
        [sys.executable, "-m", "pupetui", *args],
        cwd=cwd,
        env={**env, **extra_env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout, result.stdout
    return result


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def populate(url):
    """A company 'acme' with the user anna (password 'Sala sana'), who may use two programs."""
    d = db.connect(url)
    with db.session("acme", "admin"):
        Company.create(name="Acme Öljy Oy")
        User.create(login="anna", name="Anna Äijälä", password_md5=md5("Sala sana"))
        User.create(login="passive", name="Poissa", password_md5=md5("x"), active=0)
        Permission.create(login="anna", script="crm/asiakaslista.php")
        Permission.create(login="anna", script="raportit/sql-query.php", subname="READ")
    d.close()


# -- init and check ----------------------------------------------------------------


def test_init_on_a_new_sqlite_file_creates_every_table_and_twice_is_harmless(env, tmp_path):
    url = f"sqlite:///{tmp_path / 'uusi' / 'crm.sqlite3'}"
    first = run(env, "init", "--db", url)
    assert first.returncode == 0, first.stderr
    for table in TABLES:
        assert table in first.stdout
    assert str(len(TABLES)) in first.stdout

    populate(url)
    second = run(env, "init", "--db", url)
    assert second.returncode == 0, second.stderr
    assert "nothing" in second.stdout.lower()
    con = sqlite3.connect(url[len("sqlite:///"):])
    assert con.execute("SELECT nimi FROM kuka WHERE kuka = 'anna'").fetchone() == ("Anna Äijälä",)
    con.close()


def test_init_without_db_uses_the_file_in_the_user_data_dir(env, tmp_path):
    result = run(env, "init")
    assert result.returncode == 0, result.stderr
    files = list((tmp_path / "data" / "pupetui").glob("*.sqlite3"))
    assert len(files) == 1
    assert run(env, "check").returncode == 0


def test_init_with_a_relative_sqlite_path_in_a_new_directory(env, tmp_path):
    """`--db sqlite:///data/crm.sqlite3` is relative to where the command runs."""
    folder = f"pupetui-rel-{uuid.uuid4().hex[:8]}"
    stray = Path("/") / folder
    try:
        result = run(env, "init", "--db", f"sqlite:///{folder}/crm.sqlite3", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert (tmp_path / folder / "crm.sqlite3").is_file()
        assert not stray.exists(), f"made a directory {stray} at the file system root"
    finally:
        if stray.is_dir() and not any(stray.iterdir()):
            stray.rmdir()


def test_db_from_the_config_file(env, tmp_path):
    url = f"sqlite:///{tmp_path / 'tiedostosta.sqlite3'}"
    cfg = tmp_path / "config" / "pupetui" / "config.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text(f'db = "{url}"\n')
    assert run(env, "init").returncode == 0
    assert (tmp_path / "tiedostosta.sqlite3").is_file()
    # PUPETUI_DB overrides the file, --db overrides both
    other = f"sqlite:///{tmp_path / 'ymparistosta.sqlite3'}"
    assert run(env, "init", PUPETUI_DB=other).returncode == 0
    assert (tmp_path / "ymparistosta.sqlite3").is_file()
    third = f"sqlite:///{tmp_path / 'lipusta.sqlite3'}"
    assert run(env, "init", "--db", third, PUPETUI_DB=other).returncode == 0
    assert (tmp_path / "lipusta.sqlite3").is_file()


def test_check_on_an_empty_database_fails_and_names_the_tables(env, tmp_path):
    path = tmp_path / "tyhjä.sqlite3"
    sqlite3.connect(path).close()
    result = run(env, "check", "--db", f"sqlite:///{path}")
    assert result.returncode != 0
    out = result.stdout + result.stderr
    for table in TABLES:
        assert table in out
    assert "missing" in out


def test_check_on_a_good_database_exits_0(env, sqlite_url):
    result = run(env, "check", "--db", sqlite_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok" in result.stdout


@pytest.mark.parametrize("backend", ["mariadb", "pupesoft", "postgres", "sqlite"])
def test_init_and_check_on_existing_databases(env, database_url):
    init = run(env, "init", "--db", database_url)
    assert init.returncode == 0, init.stdout + init.stderr
    assert "nothing was changed" in init.stdout
    check = run(env, "check", "--db", database_url)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "ok" in check.stdout


def test_check_does_not_print_the_password(env):
    result = run(env, "check", "--db", "mysql://root:SalainenX1@127.0.0.1:1/ei")
    assert result.returncode != 0
    assert "SalainenX1" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "url", ["mysql://root@127.0.0.1:1/ei_ole", "postgresql://postgres@127.0.0.1:1/ei_ole"]
)
def test_unreachable_server_gives_a_clear_message(env, url):
    result = run(env, "check", "--db", url)
    assert result.returncode != 0
    assert "cannot open database" in result.stderr


@pytest.mark.parametrize("args", [["check"], ["init"], ["whoami"], []], ids=["check", "init", "whoami", "tui"])
def test_bad_db_scheme_gives_a_clear_message(env, args):
    result = run(env, *args, "--db", "oracle://scott:tiger@host/orcl")
    assert result.returncode != 0
    assert "oracle" in result.stderr
    assert "sqlite" in result.stderr  # says what would work
    assert "tiger" not in result.stderr


# -- the TUI refuses before it starts -------------------------------------------------------


def test_tui_on_an_unusable_database_refuses_clearly(env, tmp_path):
    path = tmp_path / "tyhjä.sqlite3"
    sqlite3.connect(path).close()
    result = run(env, "--db", f"sqlite:///{path}", timeout=30)
    assert result.returncode != 0
    assert "cannot be used" in result.stderr
    assert "pupetui init" in result.stderr
    assert "asiakas" in result.stderr


def test_tui_refuses_an_unknown_user_before_starting(env, sqlite_url):
    populate(sqlite_url)
    result = run(env, "--db", sqlite_url, "--company", "acme", "--user", "tuntematon", "--auth", "none", timeout=30)
    assert result.returncode == EXIT_DENIED
    assert auth.LOGIN_REFUSED in result.stderr
    # nothing was drawn: no escape sequences of a started terminal app
    assert "\x1b[?1049h" not in result.stdout


def test_tui_refuses_an_inactive_user(env, sqlite_url):
    populate(sqlite_url)
    result = run(env, "--db", sqlite_url, "--user", "passive", timeout=30)
    assert result.returncode == EXIT_DENIED
    assert auth.LOGIN_REFUSED in result.stderr


def test_tui_on_a_database_without_a_company(env, sqlite_url):
    result = run(env, "--db", sqlite_url, "--user", "anna", timeout=30)
    assert result.returncode != 0
    assert "company" in result.stderr


def test_bad_setting_in_config_file(env, tmp_path):
    cfg = tmp_path / "rikki.toml"
    cfg.write_text('auth = "ldap"\n')
    result = run(env, "check", "--config", str(cfg))
    assert result.returncode != 0
    assert "ldap" in result.stderr


# -- whoami ----------------------------------------------------------------------------------


def test_whoami_with_the_right_password_lists_programs(env, sqlite_url):
    populate(sqlite_url)
    result = run(
        env, "whoami", "--db", sqlite_url, "--company", "acme", "--user", "anna", "--auth", "password",
        PUPETUI_PASSWORD="Sala sana",
    )
    assert result.returncode == 0, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert lines[0] == "anna@acme"
    assert lines[1:] == ["customers", "sql"]


def test_whoami_with_a_wrong_password_is_refused(env, sqlite_url):
    populate(sqlite_url)
    result = run(
        env, "whoami", "--db", sqlite_url, "--user", "anna", "--auth", "password",
        PUPETUI_PASSWORD="väärä",
    )
    assert result.returncode == EXIT_DENIED
    assert auth.LOGIN_REFUSED in result.stderr
    assert "customers" not in result.stdout


def test_a_headless_login_is_locked_after_too_many_failures(env, sqlite_url):
    """The failed logins of the TUI and the browsers count for headless commands too."""
    from pupetui.services.login_guard import LoginGuard, default_path, user_key

    populate(sqlite_url)
    assert str(default_path()).startswith(env["XDG_STATE_HOME"])  # the file the command uses
    guard = LoginGuard()
    for _ in range(5):
        guard.begin(user_key("acme", "anna"), "")
    result = run(env, "whoami", "--db", sqlite_url, "--company", "acme", "--user", "anna", "--auth", "password",
                 PUPETUI_PASSWORD="Sala sana")
    assert result.returncode == EXIT_DENIED
    assert auth.LOGIN_LOCKED in result.stderr and "anna@acme" not in result.stdout


def test_whoami_password_mode_without_a_terminal_or_password(env, sqlite_url):
    populate(sqlite_url)
    result = run(env, "whoami", "--db", sqlite_url, "--user", "anna", "--auth", "password")
    assert result.returncode == EXIT_DENIED
    assert "PUPETUI_PASSWORD" in result.stderr


def test_whoami_settings_from_the_environment(env, sqlite_url):
    populate(sqlite_url)
    result = run(
        env, "whoami", PUPETUI_DB=sqlite_url, PUPETUI_USER="anna", PUPETUI_COMPANY="acme",
        PUPETUI_AUTH="password", PUPETUI_PASSWORD="Sala sana",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "anna@acme"


def test_whoami_in_password_mode_with_the_other_company(env, sqlite_url):
    populate(sqlite_url)
    result = run(
        env, "whoami", "--db", sqlite_url, "--company", "beta", "--user", "anna", "--auth", "password",
        PUPETUI_PASSWORD="Sala sana",
    )
    assert result.returncode == 2  # a usage error: the company is named (issue #17), not "login refused"
    assert f"pupetui: no company 'beta' in the database {sqlite_url}\n" == result.stderr  # none listed before a password


# -- demo --------------------------------------------------------------------------------------

def test_demo_then_whoami(env, database_url):
    from pupetui.services import demo

    made = run(env, "demo", "--db", database_url, "--customers", "20", "--quiet", timeout=180)
    assert made.returncode == 0, made.stdout + made.stderr
    who = run(
        env, "whoami", "--db", database_url, "--company", demo.DEMO_COMPANY, "--user", demo.DEMO_USER,
        "--auth", "none",
    )
    assert who.returncode == 0, who.stdout + who.stderr
    lines = who.stdout.splitlines()
    assert lines[0] == f"{demo.DEMO_USER}@{demo.DEMO_COMPANY}"
    assert "customers" in [line.strip() for line in lines[1:]]
    assert run(env, "check", "--db", database_url).returncode == 0


def test_demo_user_logs_in_with_the_demo_password(env, sqlite_url):
    from pupetui.services import demo

    assert run(env, "demo", "--db", sqlite_url, "--customers", "5", "--quiet").returncode == 0
    common = ("whoami", "--db", sqlite_url, "--company", demo.DEMO_COMPANY, "--user", demo.DEMO_USER,
              "--auth", "password")
    right = run(env, *common, PUPETUI_PASSWORD=demo.DEMO_PASSWORD)
    assert right.returncode == 0, right.stderr
    wrong = run(env, *common, PUPETUI_PASSWORD=demo.DEMO_PASSWORD + "x")
    assert wrong.returncode == EXIT_DENIED



def test_a_demo_database_an_older_pupetui_made_is_brought_up_to_date_and_starts(tmp_path, capsys):
    """A user who tried an older pupetui keeps its demo database: the columns added since are
    added (with their defaults) instead of the demo refusing to start."""
    from pupetui import cli, config
    from pupetui.services import demo, schema

    path = tmp_path / "demo.sqlite3"
    settings = lambda: config.Settings(db=f"sqlite:///{path}", company="", user="", lang="en", auth="os", theme="")  # noqa: E731
    try:
        cli.ensure_demo_database(settings())
        customers = db.database.obj.execute_sql("select count(*) from asiakas").fetchone()[0]
    finally:
        db.database.obj.close()
    with sqlite3.connect(path) as con:  # as an older pupetui made it: without these columns
        con.execute("alter table asiakas drop column toim_ovttunnus")
        con.execute("alter table yhtion_parametrit drop column kalenteri_aikavali")
    capsys.readouterr()
    try:
        again = cli.ensure_demo_database(settings())
        assert "made by an older pupetui: added 2 column(s)" in capsys.readouterr().err
        assert schema.check(db.database.obj).ok
        assert (again.company, again.user) == (demo.DEMO_COMPANY, demo.DEMO_USER)
        assert db.database.obj.execute_sql("select count(*) from asiakas").fetchone()[0] == customers  # nothing lost
    finally:
        db.database.obj.close()
    try:
        cli.ensure_demo_database(settings())
        assert "older pupetui" not in capsys.readouterr().err
    finally:
        db.database.obj.close()
