"""SQL search: a 1,000,000-row, 6-column query on SQLite, the service side.

    python bench/bench_sql.py                 # 1,000,000 rows (the table is made in a temp db)
    python bench/bench_sql.py --rows 200000 --runs 1

Measures, in one run:
1. the time from the database returning its first row to the first screenful of rows ready
   for display (the first batch fetched and every cell made display text), and to the whole
   display cap (sql.row_limit, 10,000);
2. peak memory of a process that runs the query while keeping the display cap (peak RSS:
   VmHWM, else ru_maxrss; and tracemalloc, each in a subprocess of its own), beside a process that only imports, one that
   streams every row through the service keeping none, and one that keeps all 1,000,000;
3. the export of every row to .xlsx through the service against a bare XlsxWriter
   constant-memory loop over a plain sqlite3 cursor on the same query (time and peak memory,
   and the ratio).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUERY = "SELECT tunnus, nimi, postitp, summa, pvm, kpl FROM bench_rivit"
SCREEN_ROWS = 50  # a tall terminal's worth of rows


def make_database(path: Path, rows: int) -> None:
    from pupetui import db
    from pupetui.models import Company, Permission, User
    from pupetui.services import schema

    database = db.connect(f"sqlite:///{path}")
    schema.init(database)
    with db.session("bench", "admin"):
        Company.create(name="Bench Oy")
        User.create(login="bench", name="Bench")
        Permission.create(login="bench", script="raportit/sql-query.php", subname="SUPER")
    database.execute_sql(
        "CREATE TABLE bench_rivit (tunnus INTEGER PRIMARY KEY, nimi TEXT, postitp TEXT, summa REAL, pvm TEXT, kpl INTEGER)"
    )
    database.execute_sql(f"""
        INSERT INTO bench_rivit (tunnus, nimi, postitp, summa, pvm, kpl)
        WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {rows})
        SELECT n, 'Asiakas ' || n || ' Oy',
               CASE n % 4 WHEN 0 THEN 'Helsinki' WHEN 1 THEN 'Turku' WHEN 2 THEN 'Oulu' ELSE 'Tampere' END,
               round((n % 10000) * 1.37, 2), date('2020-01-01', '+' || (n % 1500) || ' days'), n % 97
        FROM s
    """)
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()


def console_for(path: Path, **kw):
    from pupetui import db
    from pupetui.services.sql_console import SqlConsole

    db.connect(f"sqlite:///{path}")
    db.start_session("bench", "bench")
    return SqlConsole(f"sqlite:///{path}", history_dir=Path(tempfile.gettempdir()) / "pupetui-bench-state", **kw)


# -- 1. first screenful --------------------------------------------------------------------

def first_screen(path: Path, runs: int) -> None:
    from pupetui.services.sql_console import cell_text

    console = console_for(path)
    to_answer, to_screen, to_cap = [], [], []
    for _ in range(runs):
        query = console.query(QUERY, record=False)
        asked = time.perf_counter()
        query.start()
        answered = time.perf_counter()
        batches = query.batches()
        first = next(batches)
        screen = [[cell_text(v) for v in row] for row in first[:SCREEN_ROWS]]
        ready = time.perf_counter()
        assert len(screen) == SCREEN_ROWS
        kept = len(first)
        for batch in batches:
            kept += len(batch)
            for row in batch:
                [cell_text(v) for v in row]
        capped = time.perf_counter()
        query.close()
        to_answer.append(answered - asked)
        to_screen.append(ready - answered)
        to_cap.append(capped - answered)
    print(f"1. first screenful ({runs} runs, {SCREEN_ROWS} rows x 6 columns as display text)")
    print(f"   query start to the database's first row:  median {ms(statistics.median(to_answer))}  max {ms(max(to_answer))}")
    print(f"   first row to first screenful ready:        median {ms(statistics.median(to_screen))}  max {ms(max(to_screen))}")
    print(f"   first row to the display cap ({kept:,} rows as text): median {ms(statistics.median(to_cap))}  max {ms(max(to_cap))}")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


# -- 2. and 3. in subprocesses ---------------------------------------------------------------

def child(mode: str, path: Path, out: Path | None, trace: bool) -> None:
    """One measured process: prints a JSON line with its figures."""
    if trace:
        import tracemalloc

        tracemalloc.start()
    started = time.perf_counter()
    rows = 0
    if mode == "bare-xlsx":
        import xlsxwriter

        con = sqlite3.connect(path)
        cursor = con.execute(QUERY)
        workbook = xlsxwriter.Workbook(str(out), {"constant_memory": True})
        ws = workbook.add_worksheet()
        ws.write_row(0, 0, [d[0] for d in cursor.description])
        for r, row in enumerate(cursor, 1):
            ws.write_row(r, 0, row)
            rows += 1
        workbook.close()
        con.close()
    elif mode == "app":
        rows, first_ms, shown = _app_run(path)
        figures = {"mode": mode, "rows": rows, "first_rows_ms": first_ms, "shown": shown,
                   "seconds": time.perf_counter() - started, "maxrss_mb": peak_rss_mb()}
        print(json.dumps(figures))
        return
    elif mode != "imports":
        if mode == "keep-all":  # the rows alone bound it: no byte budget (sql.max_result_bytes)
            console = console_for(path, row_limit=1_000_000, max_result_bytes=None)
        else:
            console = console_for(path, row_limit=10_000)
        query = console.query(QUERY, record=False)
        if mode == "export-xlsx":
            rows = query.export(out).rows
        elif mode == "stream-all":
            for batch in query.batches(None):
                rows += len(batch)
        else:  # display / keep-all: keep the rows of the display cap
            kept = query.fetch_all()
            rows = len(kept)
    else:
        from pupetui.services import sql_console  # noqa: F401
    seconds = time.perf_counter() - started
    figures = {"mode": mode, "rows": rows, "seconds": seconds, "maxrss_mb": peak_rss_mb()}
    if trace:
        import tracemalloc

        figures["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    print(json.dumps(figures))


def _app_run(path: Path) -> tuple[int, float, int]:
    """The whole app, headless at 80x24: the SQL search screen runs the query (F5); returns the
    rows counted, ms from pressing F5 to the first rows in the grid, and the rows kept."""
    import asyncio

    from pupetui import config, db
    from pupetui.app import PupetuiApp
    from pupetui.screens.sql_search import SqlSearchScreen
    from pupetui.services import auth
    from pupetui.widgets.result_grid import ResultGrid

    settings = config.load({"db": f"sqlite:///{path}", "company": "bench", "user": "bench", "auth": "none",
                            "lang": "en"}, environ={})
    db.connect(settings.db_url)
    auth.login("bench", "bench", None, mode="none")

    async def run() -> tuple[int, float, int]:
        app = PupetuiApp(settings, company="bench")
        async with app.run_test(size=(80, 24)) as pilot:
            while app.screen.__class__.__name__ != "MenuScreen":
                await pilot.pause(0.01)
            screen = SqlSearchScreen()
            app.push_screen(screen)
            await pilot.pause(0.2)
            screen.editor.text = QUERY
            grid = screen.query_one(ResultGrid)
            started = time.perf_counter()
            await pilot.press("f5")
            while not grid.rows:
                await asyncio.sleep(0.001)
            first = (time.perf_counter() - started) * 1000
            while grid.running:
                await pilot.pause(0.05)
            return grid.total_rows, first, len(grid.rows)

    return asyncio.run(run())


def peak_rss_mb() -> float:
    """This process's peak resident memory. Linux: VmHWM (ru_maxrss would carry the parent's
    peak across fork and exec); elsewhere ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def measure(mode: str, path: Path, out: Path | None = None, trace: bool = False) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, "--db", str(path)]
    if out:
        cmd += ["--out", str(out)]
    if trace:
        cmd.append("--trace")
    result = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def memory(path: Path) -> None:
    print("2. peak memory of a process (peak RSS = VmHWM; tracemalloc peak of Python objects, separate run)")
    for mode, what in (
        ("imports", "python + pupetui's SQL modules, no query"),
        ("display", "the query, keeping the display cap (10,000 rows)"),
        ("stream-all", "every row streamed through the service, none kept"),
        ("keep-all", "every row kept (sql.row_limit = 1,000,000)"),
    ):
        plain = measure(mode, path)
        traced = measure(mode, path, trace=True)
        print(f"   {what:<52} rows {plain['rows']:>9,}  rss {plain['maxrss_mb']:7.1f} MB"
              f"  traced peak {traced['traced_peak_mb']:7.1f} MB  ({plain['seconds']:.2f} s)")


def app(path: Path, runs: int = 3) -> None:
    print("4. the whole app (headless 80x24, SQL search screen, F5; each run in its own process)")
    results = [measure("app", path) for _ in range(runs)]
    firsts = sorted(r["first_rows_ms"] for r in results)
    peak = max(r["maxrss_mb"] for r in results)
    r = results[0]
    print(f"   F5 to the first rows in the grid: median {statistics.median(firsts):.1f} ms"
          f"  (runs: {', '.join(f'{x:.1f}' for x in firsts)})")
    print(f"   rows read {r['rows']:,}, kept for display {r['shown']:,}; whole run {r['seconds']:.1f} s;"
          f" peak RSS of the app {peak:.1f} MB")


def export(path: Path, runs: int, folder: Path) -> None:
    print(f"3. export of every row to .xlsx (best of {runs} each, alternating, each in its own process)")
    ours, bare = [], []
    for _ in range(runs):
        bare.append(measure("bare-xlsx", path, folder / "bare.xlsx"))
        ours.append(measure("export-xlsx", path, folder / "ours.xlsx"))
    b = min(bare, key=lambda f: f["seconds"])
    o = min(ours, key=lambda f: f["seconds"])
    print(f"   bare XlsxWriter loop over a sqlite3 cursor: {b['seconds']:7.2f} s  rss {b['maxrss_mb']:6.1f} MB  rows {b['rows']:,}"
          f"  ({(folder / 'bare.xlsx').stat().st_size / 1e6:.1f} MB file)")
    print(f"   pupetui export (read-only connection, checks, types, sheets): {o['seconds']:7.2f} s  rss {o['maxrss_mb']:6.1f} MB"
          f"  rows {o['rows']:,}  ({(folder / 'ours.xlsx').stat().st_size / 1e6:.1f} MB file)")
    bare_runs = ", ".join(f"{f['seconds']:.2f}" for f in bare)
    our_runs = ", ".join(f"{f['seconds']:.2f}" for f in ours)
    print(f"   ratio pupetui / bare: {o['seconds'] / b['seconds']:.3f}x"
          f"  (all runs: bare {bare_runs} s; pupetui {our_runs} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=2, help="export runs of each kind (default 2)")
    parser.add_argument("--screen-runs", type=int, default=20)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, Path(args.db), Path(args.out) if args.out else None, args.trace)
        return
    with tempfile.TemporaryDirectory(prefix="pupetui-bench-sql-") as tmp:
        folder = Path(tmp)
        path = folder / "bench.sqlite3"
        started = time.perf_counter()
        make_database(path, args.rows)
        print(f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; "
              f"{args.rows:,} rows x 6 columns made in {time.perf_counter() - started:.1f} s")
        print(f"query: {QUERY}")
        first_screen(path, args.screen_runs)
        memory(path)
        app(path)
        export(path, args.runs, folder)


if __name__ == "__main__":
    main()
