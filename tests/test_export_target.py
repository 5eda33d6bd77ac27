"""Issue #15: where an export may go, and how it is written (services/export_target.py).

Every program's file (the customer list, the SQL search, the query generator, the calendar's
iCalendar file, the address labels, the annual-contract reports) goes through the one check: the
format's suffix, never over a file pupetui did not write, never through a symbolic link, 0600 files
in 0700 folders, and no partial file left after any ending (an error, a cancel, a signal)."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from pupetui import db, i18n
from pupetui.models import Activity, Company, Customer, Permission, User
from pupetui.services import export_target
from pupetui.services.export import ExportError, write_csv, write_xlsx, write_xlsx_sheets
from test_cli import ROOT, env, run  # noqa: F401  (fixture and helper)
from test_e2e_tmux import demo_db, save_as, start_demo, tmux  # noqa: F401  (fixtures and helpers)

HASH = hashlib.md5(b"Sala sana").hexdigest()


@pytest.fixture(autouse=True)
def state(monkeypatch, tmp_path):
    """The record of written files goes to a state dir of the test, never the real one; the
    messages in English whatever an earlier test (or --lang fi) chose."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("PUPETUI_SERVED", raising=False)
    i18n.set_language("en")
    yield tmp_path / "state"
    i18n.set_language("en")


@pytest.fixture
def umask():
    """A permissive umask, as most users have: the modes must not depend on it."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def partials(folder: Path) -> list[Path]:
    return list(folder.glob("*.partial"))


# -- the rules, on the writers every program uses ----------------------------------------------------------------

WRITERS = {
    "xlsx": lambda path: write_xlsx(path, ["a"], [[1], [2]]),
    "xlsx-sheets": lambda path: write_xlsx_sheets(path, ["a"], [[1], [2]]),
    "csv": lambda path: write_csv(path, ["a"], [[1], [2]]),
}
SUFFIX = {"xlsx": ".xlsx", "xlsx-sheets": ".xlsx", "csv": ".csv"}


@pytest.mark.parametrize("kind", WRITERS)
def test_no_suffix_gets_the_formats_another_is_refused(kind, tmp_path):
    result = WRITERS[kind](tmp_path / "tulos")
    assert result.path == tmp_path / f"tulos{SUFFIX[kind]}" and result.path.is_file()
    with pytest.raises(ExportError, match=rf"must end with \{SUFFIX[kind]}, not \.sqlite3"):
        WRITERS[kind](tmp_path / "crm.sqlite3")
    assert not (tmp_path / "crm.sqlite3").exists() and not partials(tmp_path)


@pytest.mark.parametrize("kind", WRITERS)
def test_an_existing_file_pupetui_did_not_write_is_left_untouched(kind, tmp_path):
    other = tmp_path / f"budjetti{SUFFIX[kind]}"
    other.write_bytes(b"the user's own work")
    with pytest.raises(ExportError, match="exists and was not written by pupetui: choose another name"):
        WRITERS[kind](other)
    assert other.read_bytes() == b"the user's own work" and not partials(tmp_path)


@pytest.mark.parametrize("kind", WRITERS)
def test_a_file_pupetui_wrote_is_written_again_but_not_once_changed(kind, tmp_path):
    path = tmp_path / f"tulos{SUFFIX[kind]}"
    WRITERS[kind](path)
    first = os.stat(path).st_ino
    WRITERS[kind](path)  # the same export again: replaced
    assert os.stat(path).st_ino != first
    with path.open("ab") as fh:  # somebody changed it since
        fh.write(b"x")
    changed = path.read_bytes()
    with pytest.raises(ExportError, match="was not written by pupetui"):
        WRITERS[kind](path)
    assert path.read_bytes() == changed


def test_a_symbolic_link_is_refused_and_what_it_points_to_untouched(tmp_path):
    precious = tmp_path / "precious.db"
    precious.write_bytes(b"data")
    link = tmp_path / "tulos.csv"
    link.symlink_to(precious)
    with pytest.raises(ExportError, match="is a symbolic link"):
        write_csv(link, ["a"], [[1]])
    assert precious.read_bytes() == b"data" and link.is_symlink()
    # also a dangling one: the export would create the file it points to
    dangling = tmp_path / "uusi.csv"
    dangling.symlink_to(tmp_path / "elsewhere.csv")
    with pytest.raises(ExportError, match="is a symbolic link"):
        write_csv(dangling, ["a"], [[1]])
    assert not (tmp_path / "elsewhere.csv").exists()


def test_a_folder_and_a_missing_folder_are_refused(tmp_path):
    with pytest.raises(ExportError, match="is a folder"):
        write_csv(tmp_path, ["a"], [])
    (tmp_path / "x.csv").mkdir()
    with pytest.raises(ExportError, match="is a folder"):
        write_csv(tmp_path / "x.csv", ["a"], [])
    with pytest.raises(ExportError, match="does not exist"):
        write_csv(tmp_path / "ei" / "x.csv", ["a"], [])
    assert not (tmp_path / "ei").exists()


def test_files_are_0600_and_the_folders_pupetui_makes_0700_whatever_the_umask(tmp_path, state, umask):
    result = write_xlsx(tmp_path / "tulos.xlsx", ["a"], [[1]])
    assert mode(result.path) == 0o600
    assert mode(write_csv(tmp_path / "tulos.csv", ["a"], [[1]]).path) == 0o600
    record = export_target.record_path()
    assert record.parent == state / "pupetui" and mode(record) == 0o600 and mode(record.parent) == 0o700
    entry = json.loads(record.read_text().splitlines()[0])
    st = os.stat(result.path)
    assert entry == {"path": str(result.path), "dev": st.st_dev, "ino": st.st_ino, "size": st.st_size,
                     "mtime_ns": st.st_mtime_ns}


@pytest.mark.parametrize("kind", WRITERS)
def test_no_partial_file_after_an_error_from_the_rows(kind, tmp_path):
    class Limit(Exception):
        pass

    def rows():
        yield [1]
        assert partials(tmp_path), "the rows are written to a partial file"
        raise Limit("the time limit")  # what the SQL search's limits do, from inside the rows

    writer = {"xlsx": write_xlsx, "xlsx-sheets": write_xlsx_sheets, "csv": write_csv}[kind]
    with pytest.raises(Limit):
        writer(tmp_path / f"tulos{SUFFIX[kind]}", ["a"], rows())
    assert list(tmp_path.iterdir()) == []


def test_the_app_ending_removes_an_export_in_progress(tmp_path):
    """What App.on_unmount calls: a writer still running finds its partial gone and writes nothing."""
    def rows():
        yield [1]
        export_target.discard_partials()  # the app ends meanwhile
        assert not partials(tmp_path)
        yield [2]

    with pytest.raises(ExportError, match="stopped"):
        write_csv(tmp_path / "tulos.csv", ["a"], rows())
    assert list(tmp_path.iterdir()) == []


def test_the_record_is_compacted_to_the_files_still_as_written(tmp_path, monkeypatch):
    monkeypatch.setattr(export_target, "RECORD_KEEP", 3)
    for n in range(4):
        write_csv(tmp_path / f"f{n}.csv", ["a"], [[n]])
    (tmp_path / "f0.csv").unlink()
    for n in range(1, 4):  # written again: the record grows past twice RECORD_KEEP
        write_csv(tmp_path / f"f{n}.csv", ["a"], [[n]])
    lines = export_target.record_path().read_text().splitlines()
    assert sorted(json.loads(line)["path"] for line in lines) == [str(tmp_path / f"f{n}.csv") for n in (1, 2, 3)]
    write_csv(tmp_path / "f3.csv", ["a"], [[9]])  # still known as pupetui's


# -- the attack of the issue, and every program ------------------------------------------------------------


def populate(url: str, *scripts: str) -> None:
    d = db.connect(url)
    with db.session("acme", "admin"):
        Company.create(name="Acme Oy")
        User.create(login="anna", name="Anna", password_md5=HASH)
        for script in scripts:
            Permission.create(login="anna", script=script)
        Customer.create(name="Virtanen Oy", address="Katu 1", postcode="00100", city="Helsinki", customer_no="1001")
        Activity.create(kind="kalenteri", owner="anna", starts_at="2026-05-05 09:00:00",
                        ends_at="2026-05-05 10:00:00", text="Asiakaskäynti", method="Käynti")
    db.end_session()
    d.close()


def test_a_customer_list_user_cannot_replace_the_live_database(env, sqlite_url, tmp_path):
    """The issue's attack: logged in with only the customer-list right, exporting to the live
    SQLite database's path replaced it with an Excel file, and the CRM was gone for everyone."""
    populate(sqlite_url, "crm/asiakaslista.php")
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    before = database.read_bytes()
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    result = run(env, "customers", "--db", sqlite_url, "--user", "anna", "--xlsx", str(database))
    assert result.returncode == 1
    assert result.stderr.strip() == f"pupetui: {database}: the file name must end with .xlsx, not .sqlite3"
    assert database.read_bytes() == before
    # a database whose name ends with .xlsx is no more writable: it is not pupetui's file
    disguised = tmp_path / "crm.xlsx"
    disguised.write_bytes(before)
    url = f"sqlite:///{disguised}"
    result = run(env, "customers", "--db", url, "--user", "anna", "--xlsx", str(disguised))
    assert result.returncode == 1 and "exists and was not written by pupetui" in result.stderr
    assert disguised.read_bytes() == before
    listed = run(env, "customers", "--db", url, "--user", "anna")
    assert listed.returncode == 0 and "Virtanen Oy" in listed.stdout
    assert not partials(tmp_path)


PROGRAMS = {
    # command line, the suffix of its file
    "customer list": (["customers", "--xlsx"], ".xlsx"),
    "SQL search": (["sql", "SELECT nimi FROM asiakas", "--csv"], ".csv"),
    "calendar": (["calendar", "export", "--from", "1.5.2026", "--to", "31.5.2026", "--out"], ".ics"),
    "labels": (["labels", "-o"], ".pdf"),
}


@pytest.mark.parametrize("program", PROGRAMS)
def test_every_program_refuses_a_file_it_did_not_write_and_writes_its_own_again(env, sqlite_url, tmp_path, program):
    populate(sqlite_url, "crm/asiakaslista.php", "raportit/sql-query.php", "crm/kalenteri.php", "crm/tarrat.php")
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    args, suffix = PROGRAMS[program]
    other = tmp_path / f"other{suffix}"
    other.write_bytes(b"not pupetui's")
    refused = run(env, *args, str(other), "--db", sqlite_url, "--user", "anna")
    assert refused.returncode == 1, refused.stderr
    assert refused.stderr.strip() == f"pupetui: {other} exists and was not written by pupetui: choose another name"
    assert other.read_bytes() == b"not pupetui's"
    wrong = run(env, *args, str(tmp_path / "crm.sqlite3"), "--db", sqlite_url, "--user", "anna")
    assert wrong.returncode != 0 and f"must end with {suffix}" in wrong.stderr
    link = tmp_path / f"link{suffix}"
    link.symlink_to(other)
    linked = run(env, *args, str(link), "--db", sqlite_url, "--user", "anna")
    assert linked.returncode != 0 and "is a symbolic link" in linked.stderr
    assert other.read_bytes() == b"not pupetui's"
    mine = tmp_path / f"mine{suffix}"
    for _time in range(2):  # its own file: written, then written again
        done = run(env, *args, str(mine), "--db", sqlite_url, "--user", "anna")
        assert done.returncode == 0, done.stderr
    assert mode(mine) == 0o600 and not partials(tmp_path)


def test_the_annual_contract_reports_refuse_a_changed_file_and_replace_their_own(sqlite_url, tmp_path, monkeypatch,
                                                                                  capsys):
    from test_contracts_output import run_cli, seed

    seed(sqlite_url)
    out = tmp_path / "files"
    code, stdout, _err = run_cli(sqlite_url, "--out", str(out), "--format", "pdf", monkeypatch=monkeypatch,
                                 capsys=capsys)
    assert code == 0 and "wrote 4 file(s)" in stdout
    files = sorted(out.glob("*.pdf"))
    assert len(files) == 4 and {mode(f) for f in files} == {0o600} and mode(out) == 0o700
    files[0].write_bytes(b"edited by hand")
    code, _stdout, err = run_cli(sqlite_url, "--out", str(out), "--format", "pdf", monkeypatch=monkeypatch,
                                 capsys=capsys)
    assert code == 1 and f"{files[0]} on jo olemassa, eikä pupetui kirjoittanut sitä" in err  # --lang fi
    assert files[0].read_bytes() == b"edited by hand" and not partials(out)


# -- the default database -------------------------------------------------------------------------------------


def test_the_default_and_the_demo_database_are_made_0600_in_a_0700_folder(env, tmp_path):
    result = subprocess.run([sys.executable, "-m", "pupetui", "init"], env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=120, umask=0o022)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "data" / "pupetui"
    assert mode(folder) == 0o700 and mode(folder / "pupetui.sqlite3") == 0o600
    demo = subprocess.run([sys.executable, "-m", "pupetui", "demo", "--customers", "5", "--quiet", "--db",
                           f"sqlite:///{folder / 'demo.sqlite3'}"], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300, umask=0o022)
    assert demo.returncode == 0, demo.stderr
    assert mode(folder / "demo.sqlite3") == 0o600


def test_a_database_the_administrator_made_keeps_its_mode(env, tmp_path):
    shared = tmp_path / "shared" / "crm.sqlite3"
    shared.parent.mkdir()
    sqlite3.connect(shared).close()
    os.chmod(shared, 0o660)
    result = run(env, "init", "--db", f"sqlite:///{shared}")
    assert result.returncode == 0, result.stderr
    assert mode(shared) == 0o660


# -- signals of the CLI ---------------------------------------------------------------------------------------

SLOW = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
        "SELECT x, 'rivi ' || x FROM c")


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGHUP, 129)])
def test_a_signal_during_a_long_export_leaves_no_file(env, sqlite_url, tmp_path, signum, code):
    populate(sqlite_url, "raportit/sql-query.php")
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    out = tmp_path / "out"
    out.mkdir()
    target = out / "kaikki.csv"
    process = subprocess.Popen([sys.executable, "-m", "pupetui", "sql", SLOW, "--csv", str(target), "--db",
                                sqlite_url, "--user", "anna"], env=env, cwd=ROOT, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not partials(out):  # the export has begun: its rows go to the partial file
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "no partial file appeared"
            time.sleep(0.02)
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == code, stderr
    assert list(out.iterdir()) == []
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1
    assert stderr.strip() == f"pupetui: stopped by {signal.Signals(signum).name}; no file was written"


def test_csv_reads_back_after_the_writer_went_through_a_partial(tmp_path):
    path = write_csv(tmp_path / "x.csv", ["nimi"], [["Åström"], ["=1+1"]]).path
    with path.open(encoding="utf-8-sig", newline="") as fh:
        assert list(csv.reader(fh)) == [["nimi"], ["Åström"], ["'=1+1"]]
    assert list(openpyxl.load_workbook(write_xlsx(tmp_path / "x.xlsx", ["a"], [[1]]).path).active.values) == [("a",), (1,)]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_the_tui_ended_by_a_signal_during_an_export_leaves_no_file(tmux, demo_db, signum):
    """A closed terminal or browser (SIGHUP) or a stopped service (SIGTERM) while the SQL search
    writes a long export: the partial file goes with the process."""
    from tmux import EXITED

    start_demo(tmux, demo_db)
    tmux.keys("q")
    tmux.wait_for("SQL search —", "F5 runs")
    tmux.type(SLOW)
    # the end of what was typed: the editor keeps the cursor in view, so a long line may be
    # scrolled sideways and its start out of sight
    tmux.wait_for("'rivi ' || x FROM c")
    tmux.keys("F8")
    tmux.wait_for("Export every row", "File (.xlsx or .csv):")
    target = tmux.home / "slow.csv"
    save_as(tmux, "File (.xlsx or .csv):", "/sql-", target)
    deadline = time.monotonic() + 120
    while not partials(tmux.home):
        assert time.monotonic() < deadline, tmux.screen()
        time.sleep(0.05)
    pane = int(tmux.tmux("list-panes", "-F", "#{pane_pid}").split()[0])
    (child,) = Path(f"/proc/{pane}/task/{pane}/children").read_text().split()  # pupetui, under the pane's sh
    os.kill(int(child), signum)
    tmux.wait_for(f"{EXITED} {128 + signum}")
    assert not partials(tmux.home) and not target.exists()
