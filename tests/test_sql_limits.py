"""The SQL search's bytes: huge cells are cut for showing (with a mark), the rows kept for showing
stop at sql.max_result_bytes with a note, and exports stop at sql.max_export_bytes and at the
whole-run time limit sql.export_timeout_seconds (a clear message, no file, the query stopped).

Memory itself is not measured here (bench/bench_sql_memory.py prints it): these tests check what
a user sees. Run on SQLite, MariaDB and PostgreSQL.
"""

from __future__ import annotations

import pytest

from pupetui import config, i18n
from pupetui.services.sql_console import Cut, ExportLimit, cell_text, text_table
from test_cli import env  # noqa: F401  (the fixture)
from test_sql_cli import _populate
from test_sql_cli import sql as run_sql
from test_sql_console import Sql, sql  # noqa: F401  (the fixture)
from test_sql_screen import answer_file, open_sql, run_done, url  # noqa: F401  (the screen's database)

from pupetui.widgets.result_grid import CellViewScreen
from test_app import SIZE, logged_in_app, shows, wait_for

ENGINES = pytest.mark.parametrize("backend", ["sqlite", "mariadb", "postgres"], indirect=True)


@pytest.fixture(autouse=True)
def english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def huge(engine: str, rows: int, chars: int, size: int) -> str:
    """`rows` rows of a number, a text of `chars` x's and a binary value of `size` bytes."""
    if engine == "postgres":
        return (f"SELECT g AS n, repeat('x', {chars}) AS t, decode(repeat('00', {size}), 'hex') AS b "
                f"FROM generate_series(1, {rows}) g")
    if engine == "mysql":
        return (f"SELECT seq AS n, repeat('x', {chars}) AS t, CAST(repeat('a', {size}) AS BINARY) AS b "
                f"FROM seq_1_to_{rows}")
    return (f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {rows}) "
            f"SELECT n, replace(hex(zeroblob({chars // 2})), '0', 'x') AS t, zeroblob({size}) AS b FROM s")


def endless(engine: str) -> str:
    """Rows without end, each one quickly: only a limit on the whole run stops an export of it."""
    if engine == "postgres":
        return "SELECT g AS n, md5(g::text) AS h FROM (SELECT generate_series(1, 1000000000000) AS g) s"
    if engine == "mysql":
        return "SELECT seq AS n, md5(seq) AS h FROM seq_1_to_1000000000000"
    return ("WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s) "
            "SELECT n, hex(randomblob(16)) AS h FROM s")


# -- cut for showing -------------------------------------------------------------------------


@ENGINES
def test_huge_cells_are_cut_with_a_mark_of_their_whole_size(sql: Sql):
    query = sql.console().query(huge(sql.engine, 3, 100_000, 50_000))
    rows = query.fetch_all()
    assert [r[0] for r in rows] == [1, 2, 3]
    text, blob = rows[0][1], rows[0][2]
    assert isinstance(text, Cut) and text.size == 100_000 and text.head == "x" * 4096
    assert text.mark == "[cut: 100,000 characters]"
    assert isinstance(blob, Cut) and blob.size == 50_000 and len(blob.head) == 2048
    assert blob.mark == "[cut: 50,000 bytes]"
    # one line of the CLI's table: the mark first, so that it shows however narrow the cell
    assert cell_text(text, limit=60).startswith("[cut: 100,000 characters] xxxx")
    assert cell_text(blob, limit=60).startswith("[cut: 50,000 bytes] 0x")
    lines = text_table(query.columns, rows)
    assert all(len(line) < 200 for line in lines)
    assert "[cut: 100,000 characters]" in lines[2] and "[cut: 50,000 bytes]" in lines[2]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_mark_is_in_finnish_too(sql: Sql):
    i18n.set_language("fi")
    rows = sql.console().query(huge(sql.engine, 1, 10_000, 10)).fetch_all()
    assert rows[0][1].mark == "[katkaistu: 10\u00a0000 merkkiä]"


@ENGINES
def test_short_values_stay_whole(sql: Sql):
    rows = sql.console().query(huge(sql.engine, 2, 4096, 2048)).fetch_all()
    assert rows[0][1] == "x" * 4096 and isinstance(rows[0][2], bytes) and len(rows[0][2]) == 2048


# -- the byte budget of a result ---------------------------------------------------------------


@ENGINES
def test_rows_stop_being_kept_at_the_byte_budget_with_a_note(sql: Sql):
    console = sql.console(max_result_bytes=1024 * 1024, row_limit=5000)
    query = console.query(huge(sql.engine, 2000, 3000, 10))
    rows = query.fetch_all()
    # about 3 kB a row: a mebibyte holds some hundreds of them, not the 2000
    assert 100 < len(rows) < 1000 and len(rows) == query.row_count
    assert query.over_budget and query.truncated and query.state == "done"
    assert query.held_bytes <= 1024 * 1024
    assert query.budget_note() == (
        f"stopped at {len(rows):,} rows: the result passed 1 MiB (sql.max_result_bytes)")
    # the row limit note stays for results under the budget
    small = console.query(huge(sql.engine, 10, 10, 10))
    assert len(small.fetch_all()) == 10 and not small.over_budget and small.budget_note() == ""


# -- exports -----------------------------------------------------------------------------------


@ENGINES
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_past_max_export_bytes_stops_and_leaves_no_file(sql: Sql, fmt):
    console = sql.console(max_export_bytes=200_000)
    path = sql.tmp / f"suuri.{fmt}"
    query = console.query(huge(sql.engine, 1000, 1000, 10))
    with pytest.raises(ExportLimit) as info:
        query.export(path)
    assert str(info.value) == ("the export was stopped: it passed the size limit of 200,000 bytes "
                               "(sql.max_export_bytes); no file was written")
    assert query.state == "failed"
    assert not path.exists() and not list(sql.tmp.glob("*.partial"))


@ENGINES
def test_an_export_writes_the_values_whole(sql: Sql):
    path = sql.tmp / "koko.csv"
    result = sql.console().query(huge(sql.engine, 2, 10_000, 3000)).export(path)
    assert result.rows == 2
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert ("x" * 10_000) in lines[1] and "[cut" not in path.read_text(encoding="utf-8-sig")


@ENGINES
@pytest.mark.timeout(120)
def test_the_whole_run_time_limit_stops_an_endless_export(sql: Sql):
    # the database answers every row at once; the time goes to fetching and writing, which the
    # database time limit (sql.timeout_seconds) does not count
    console = sql.console(export_timeout_seconds=2, timeout_seconds=600)
    path = sql.tmp / "loputon.csv"
    query = console.query(endless(sql.engine))
    with pytest.raises(ExportLimit) as info:
        query.export(path)
    assert str(info.value) == ("the export was stopped: it took longer than the time limit of 2 s "
                               "(sql.export_timeout_seconds); no file was written")
    assert query.state == "failed" and query.row_count > 0
    assert not path.exists() and not list(sql.tmp.glob("*.partial"))


# -- settings ----------------------------------------------------------------------------------


def test_the_limits_come_from_the_settings_with_defaults(tmp_path):
    s = config.load(config_path=_write(tmp_path, "[sql]\nmax_export_bytes = 5000\n"), environ={})
    assert s.sql["max_result_bytes"] == 64 * 1024 * 1024
    assert s.sql["max_export_bytes"] == 5000
    assert s.sql["export_timeout_seconds"] == 600
    s = config.load(config_path=_write(tmp_path, ""), environ={"PUPETUI_SQL__EXPORT_TIMEOUT_SECONDS": "7"})
    assert s.sql["export_timeout_seconds"] == 7


@pytest.mark.parametrize("key, value", [
    ("max_result_bytes", "0"), ("max_export_bytes", "-1"), ("export_timeout_seconds", "0"),
    ("max_result_bytes", '"paljon"'), ("max_export_bytes", "1.5"), ("export_timeout_seconds", "true"),
])
def test_bad_limits_are_refused_when_read(tmp_path, key, value):
    with pytest.raises(config.ConfigError) as info:
        config.load(config_path=_write(tmp_path, f"[sql]\n{key} = {value}\n"), environ={})
    assert f"sql.{key}" in str(info.value) and "\n" not in str(info.value)


def _write(tmp_path, text: str):
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


# -- `pupetui sql` -----------------------------------------------------------------------------


def _cli(env, url, *args, **extra):
    return run_sql(env, url, *args, **extra)


@pytest.fixture
def cli_url(database_url):
    return _populate(database_url)


ENGINE_OF = {"sqlite": "sqlite", "mariadb": "mysql", "postgres": "postgres"}


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_cli_table_shows_huge_cells_cut_and_the_budget_note(env, cli_url, tmp_path, backend):
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    result = _cli(env, cli_url, huge("sqlite", 3, 100_000, 50_000))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 5 and all(len(line) < 200 for line in lines)
    assert "[cut: 100,000 characters] xxx" in lines[2] and "[cut: 50,000 bytes] 0x0000" in lines[2]
    over = _cli(env, cli_url, huge("sqlite", 2000, 3000, 10), PUPETUI_SQL__MAX_RESULT_BYTES=str(1024 * 1024))
    assert over.returncode == 0, over.stderr
    shown = len(over.stdout.splitlines()) - 2
    assert 100 < shown < 1000
    assert (f"({shown} row(s), " in over.stderr and f"stopped at {shown:,} rows: the result passed 1 MiB "
            "(sql.max_result_bytes), --csv/--xlsx save them all)" in over.stderr)


@pytest.mark.parametrize("backend", ["sqlite", "mariadb", "postgres"], indirect=True)
@pytest.mark.timeout(180)
def test_cli_exports_stop_at_their_limits_with_exit_code_4(env, cli_url, tmp_path, backend):
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    engine = ENGINE_OF[backend]
    path = tmp_path / "iso.csv"
    big = _cli(env, cli_url, huge(engine, 1000, 1000, 10), "--csv", str(path),
               PUPETUI_SQL__MAX_EXPORT_BYTES="200000")
    assert big.returncode == 4, big.stderr
    assert big.stderr.strip() == ("pupetui: the export was stopped: it passed the size limit of 200,000 bytes "
                                  "(sql.max_export_bytes); no file was written")
    assert not path.exists() and not list(tmp_path.glob("*.partial"))
    slow = _cli(env, cli_url, endless(engine), "--xlsx", str(tmp_path / "loputon.xlsx"),
                PUPETUI_SQL__EXPORT_TIMEOUT_SECONDS="2", PUPETUI_SQL__TIMEOUT_SECONDS="600", timeout=120)
    assert slow.returncode == 4, slow.stderr
    assert slow.stderr.strip() == ("pupetui: the export was stopped: it took longer than the time limit of 2 s "
                                   "(sql.export_timeout_seconds); no file was written")
    assert not list(tmp_path.glob("loputon*"))


# -- the screen ----------------------------------------------------------------------------------


async def test_the_grid_shows_huge_cells_cut_and_the_budget_note(url, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    app = logged_in_app(url, user="anna", sql={"max_result_bytes": 1024 * 1024})
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_sql(pilot)
        screen.set_sql(huge("sqlite", 3, 100_000, 50_000))
        await pilot.press("f5")
        await run_done(pilot, screen)
        assert screen.grid.state == "done" and screen.grid.row_count == 3
        await shows(pilot, "[cut: 100,000 characters] xxx", "[cut: 50,000 bytes] 0x00", "3 rows")
        await pilot.press("tab", "right", "enter")  # the kept start of the value, under the mark
        await wait_for(pilot, lambda: isinstance(app.screen, CellViewScreen))
        await shows(pilot, "[cut: 100,000 characters] xxxxxxxx")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        screen.set_sql(huge("sqlite", 2000, 3000, 10))
        await pilot.press("shift+tab", "f5")
        await run_done(pilot, screen)
        rows = screen.grid.row_count
        assert 100 < rows < 1000
        await shows(pilot, f"Stopped at {rows:,} rows: the result passed 1 MiB (sql.max_result_bytes).",
                    f"showing the first {rows:,} rows; more were not read")


async def _export_from_the_screen(url, tmp_path, sql: str, limits: dict) -> str:
    """Run `sql` on the screen, export it with F8 to a CSV file; the message the export ended with."""
    target = tmp_path / "out.csv"
    app = logged_in_app(url, user="anna", sql={"timeout_seconds": 600, **limits})
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_sql(pilot)
        screen.set_sql(sql)
        await pilot.press("f5")  # shows the first sql.row_limit rows; the export reads them all
        await run_done(pilot, screen)
        await pilot.press("f8")
        await answer_file(pilot, target)
        await wait_for(pilot, lambda: screen.export_running is None and "failed" in screen.message, timeout=60)
        await shows(pilot, "no file was written")
        message = screen.message
    assert not target.exists() and not list(tmp_path.glob("*.partial"))
    return message


async def test_an_export_from_the_screen_stops_at_the_size_limit(url, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    message = await _export_from_the_screen(url, tmp_path, huge("sqlite", 1000, 1000, 10),
                                            {"max_export_bytes": 100_000})
    assert message == ("The export failed: the export was stopped: it passed the size limit of 100,000 "
                       "bytes (sql.max_export_bytes); no file was written")


@pytest.mark.timeout(120)
async def test_an_export_from_the_screen_stops_at_the_whole_run_time_limit(url, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    message = await _export_from_the_screen(url, tmp_path, endless("sqlite"), {"export_timeout_seconds": 2})
    assert message == ("The export failed: the export was stopped: it took longer than the time limit of "
                       "2 s (sql.export_timeout_seconds); no file was written")
