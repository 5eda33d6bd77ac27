"""The headless commands as the README promises them (issue #17): `--demo` on every command, a
mistyped database path refused before anything is made, an unknown company named as such."""

from __future__ import annotations

import sqlite3

import pytest

from pupetui.services import demo
from test_cli import env, run  # noqa: F401  (fixture and helper)

EXIT_USAGE = 2


def tree(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def demo_env(env, tmp_path):  # noqa: F811
    """A user whose demo database is made once (by `pupetui --demo whoami`)."""
    env["HOME"] = str(tmp_path / "home")
    (tmp_path / "home").mkdir()
    made = run(env, "--demo", "whoami", timeout=180)
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines()[0] == f"{demo.DEMO_USER}@{demo.DEMO_COMPANY}"
    assert "Making the demo database" in made.stderr
    return env


def test_demo_on_a_headless_command_makes_and_uses_the_demo_database(env, tmp_path):  # noqa: F811
    result = run(env, "--demo", "customers", "--search", "oy", "--limit", "5", timeout=180)
    assert result.returncode == 0, result.stderr
    assert "missing" not in result.stderr
    assert len(result.stdout.splitlines()) == 5
    data = tmp_path / "data" / "pupetui"
    assert [p.name for p in data.iterdir()] == ["demo.sqlite3"]  # no empty pupetui.sqlite3 beside it


@pytest.mark.parametrize("place", ["before", "after"])
def test_demo_flag_before_or_after_every_command(demo_env, tmp_path, place):
    def cmd(*args):
        return ("--demo", *args) if place == "before" else (*args, "--demo")

    checks = {
        ("whoami",): lambda r: f"{demo.DEMO_USER}@{demo.DEMO_COMPANY}" in r.stdout,
        ("customers", "--limit", "3"): lambda r: len(r.stdout.splitlines()) == 3,
        ("check",): lambda r: "demo.sqlite3" in r.stdout,
        ("reminders", "list"): lambda r: r.stdout.strip() != "",
        ("sql", "SELECT count(*) AS n FROM yhtio"): lambda r: r.stdout.split()[-1] == "2",
        ("query", "list"): lambda r: "name" in r.stdout,
        ("sms", "--to", "0401234567", "--text", "hei", "--dry-run"): lambda r: "would send" in r.stdout,
        ("report", "contracts", "--dry-run"): lambda r: "would write" in r.stdout,
    }
    for args, ok in checks.items():
        if args[0] in ("reminders", "query", "report"):  # the flag of a subcommand's action
            full = ("--demo", *args) if place == "before" else (*args, "--demo")
        else:
            full = cmd(*args)
        result = run(demo_env, *full, timeout=120)
        assert result.returncode == 0, (full, result.stdout, result.stderr)
        assert "missing" not in result.stderr, full
        assert ok(result), (full, result.stdout)
    data = tmp_path / "data" / "pupetui"
    assert [p.name for p in data.iterdir() if p.suffix == ".sqlite3"] == ["demo.sqlite3"]


def test_demo_exports_from_the_commands(demo_env, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    runs = [
        ("customers", "--demo", "--xlsx", str(out / "c.xlsx")),
        ("labels", "--demo", "-o", str(out / "l.pdf")),
        ("sql", "--demo", "SELECT nimi FROM yhtio", "--csv", str(out / "s.csv")),
        ("calendar", "export", "--demo", "--from", "1.1.2020", "--to", "31.12.2030", "--out", str(out / "k.ics")),
        ("report", "contracts", "--demo", "--out", str(out / "r")),
    ]
    for args in runs:
        result = run(demo_env, *args, timeout=180)
        assert result.returncode == 0, (args, result.stderr)
    assert {"c.xlsx", "l.pdf", "s.csv", "k.ics"} <= {p.name for p in out.iterdir()}
    assert list((out / "r").glob("*.pdf"))


def test_demo_command_with_demo_fills_the_demo_database(env, tmp_path):  # noqa: F811
    result = run(env, "--demo", "demo", "--customers", "7", "--quiet", timeout=180)
    assert result.returncode == 0, result.stderr
    path = tmp_path / "data" / "pupetui" / "demo.sqlite3"
    con = sqlite3.connect(path)
    assert con.execute("SELECT count(*) FROM asiakas WHERE yhtio = ?", (demo.DEMO_COMPANY,)).fetchone()[0] >= 7
    con.close()
    again = run(env, "whoami", "--demo")
    assert again.returncode == 0 and f"{demo.DEMO_USER}@{demo.DEMO_COMPANY}" in again.stdout


# -- a mistyped database path ----------------------------------------------------------------


@pytest.mark.parametrize("command", [("customers",), ("whoami",), ("check",), ("sql", "SELECT 1"),
                                     ("query", "list"), ("report", "contracts", "--dry-run"), ()])
def test_a_sqlite_path_in_a_missing_folder_is_refused_and_nothing_is_made(env, tmp_path, command):  # noqa: F811
    work = tmp_path / "work"
    work.mkdir()
    before = tree(tmp_path)
    for url in ("sqlite:///no/such/dir/x.sqlite3", f"sqlite:///{work}/no/such/dir/x.sqlite3"):
        result = run(env, *command, "--db", url, cwd=work) if command else run(env, "--db", url, cwd=work)
        assert result.returncode == EXIT_USAGE, (command, result.stderr)
        assert "x.sqlite3" in result.stderr and "does not exist" in result.stderr, result.stderr
        assert "table" not in result.stderr  # not "the tables are missing"
        assert "pupetui init" in result.stderr
    assert tree(tmp_path) == before


def test_a_missing_sqlite_file_in_an_existing_folder_is_refused_too(env, tmp_path):  # noqa: F811
    result = run(env, "customers", "--db", f"sqlite:///{tmp_path / 'typo.sqlite3'}")
    assert result.returncode == EXIT_USAGE
    assert f"no database {tmp_path / 'typo.sqlite3'}" in result.stderr
    assert not (tmp_path / "typo.sqlite3").exists()
    assert not (tmp_path / "data").exists()  # nor the default database


def test_no_default_database_yet_says_how_to_make_one(env, tmp_path):  # noqa: F811
    result = run(env, "customers")
    assert result.returncode == EXIT_USAGE
    assert "pupetui init" in result.stderr and "--demo" in result.stderr
    assert not (tmp_path / "data" / "pupetui" / "pupetui.sqlite3").exists()


def test_init_still_makes_a_new_database(env, tmp_path):  # noqa: F811
    url = f"sqlite:///{tmp_path / 'uusi.sqlite3'}"
    assert run(env, "init", "--db", url).returncode == 0
    assert run(env, "check", "--db", url).returncode == 0


# -- an unknown company --------------------------------------------------------------------


def test_an_unknown_company_is_named_as_such(demo_env, tmp_path):
    for args in (("whoami",), ("customers",), ("sql", "SELECT 1"), ("calendar", "export", "--from", "1.1.2026",
                                                                    "--to", "2.1.2026", "--out", str(tmp_path / "k.ics"))):
        result = run(demo_env, *args, "--demo", "--company", "nope", "--user", demo.DEMO_USER)
        assert result.returncode == EXIT_USAGE, (args, result.stderr)
        assert "no company 'nope'" in result.stderr, result.stderr
        assert f"{demo.DEMO_COMPANY}" in result.stderr  # the companies there are
        assert "Login refused" not in result.stderr
    assert not (tmp_path / "k.ics").exists()


def test_an_unknown_user_of_a_known_company_is_still_a_refused_login(demo_env, tmp_path):
    url = f"sqlite:///{tmp_path / 'data' / 'pupetui' / 'demo.sqlite3'}"
    result = run(demo_env, "whoami", "--db", url, "--company", demo.DEMO_COMPANY, "--user", "nobody")
    assert result.returncode == 3
    assert "Login refused" in result.stderr


def test_an_unknown_company_is_named_on_every_database(env, database_url):  # noqa: F811
    made = run(env, "demo", "--db", database_url, "--customers", "5", "--quiet", timeout=300)
    assert made.returncode == 0, made.stderr
    result = run(env, "customers", "--db", database_url, "--company", "nope", "--user", demo.DEMO_USER)
    assert result.returncode == EXIT_USAGE, result.stderr
    assert "pupetui: no company 'nope' in the database" in result.stderr
    assert demo.DEMO_COMPANY in result.stderr and "Login refused" not in result.stderr
    known = run(env, "customers", "--db", database_url, "--company", demo.DEMO_COMPANY, "--user", demo.DEMO_USER,
                "--limit", "2")
    assert known.returncode == 0 and len(known.stdout.splitlines()) == 2, known.stderr
