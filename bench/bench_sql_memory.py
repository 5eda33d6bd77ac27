"""SQL search: peak memory of results with huge values, before and after the byte bounds.

    python bench/bench_sql_memory.py                       # SQLite, PostgreSQL, MariaDB
    python bench/bench_sql_memory.py --engines sqlite --rows 60

The queries of security issue #15 (item 4):
  SQLite      SELECT zeroblob(16000000) ... (60 rows of 16 MB blobs)
  PostgreSQL  SELECT repeat('x', 100000000) ... (6 rows of 100 MB text)
  MariaDB     SELECT repeat('x', 16000000) ... (40 rows of 16 MB text, within max_allowed_packet)

Each figure is the peak RSS (VmHWM) of a subprocess of its own:
  floor    the imports and an open read-only connection, no query;
  before   what the SQL search did before: the read-only connection's first batch of 100 rows,
           then batches of 2,000, every row kept whole up to sql.row_limit;
  after    SqlConsole's display path as the screen and `pupetui sql` use it (cells cut with a
           mark, rows kept within sql.max_result_bytes, the driver asked for few rows at a time);
  export   the same query exported to CSV whole (fewer rows: --export-rows), the values never
           kept beyond a batch.
Ratios are against `before` measured in the same run. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_sql import peak_rss_mb  # noqa: E402  (VmHWM, else ru_maxrss)

MARIADB_URL = os.environ.get("PUPETUI_TEST_MARIADB", "mysql://root@127.0.0.1:3306/test")
POSTGRES_URL = os.environ.get("PUPETUI_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
CASES = {  # engine: (value size, rows)
    "sqlite": (16_000_000, 60),
    "postgres": (100_000_000, 6),
    "mysql": (16_000_000, 40),
}


def query_for(engine: str, size: int, rows: int) -> str:
    if engine == "sqlite":
        return (f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {rows}) "
                f"SELECT n, zeroblob({size}) AS b FROM s")
    if engine == "postgres":
        return f"SELECT g AS n, repeat('x', {size}) AS t FROM generate_series(1, {rows}) g"
    return (f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {rows}) "
            f"SELECT n, repeat('x', {size}) AS t FROM s")


def child(engine: str, url: str, mode: str, size: int, rows: int, out: str) -> dict:
    from pupetui.services.sql_console import BATCH, FIRST_BATCH, SqlConsole, SqlQuery
    from pupetui.services.sql_guard import check
    from pupetui.services.sql_readonly import open_readonly

    sql = check(query_for(engine, size, rows), engine)
    started = time.perf_counter()
    kept = 0
    if mode == "floor":
        conn = open_readonly(url, timeout_seconds=600)
        conn.close()
    elif mode == "before":
        conn = open_readonly(url, timeout_seconds=600)
        conn.execute(sql, first=FIRST_BATCH, server_timeout=600)
        held: list[tuple] = []
        want = FIRST_BATCH
        while len(held) < 10_000:
            batch = conn.fetch(want)
            if not batch:
                break
            held.extend(batch)
            want = BATCH
        kept = len(held)
        conn.finish()
        conn.close()
    else:
        console = SqlConsole(url, timeout_seconds=600, max_export_bytes=64 * 1024 ** 3)
        query = SqlQuery(console, sql)
        if mode == "after":
            kept = len(query.fetch_all())
        else:
            kept = query.export(out, "csv").rows
            Path(out).unlink(missing_ok=True)
    return {"rss_mb": peak_rss_mb(), "rows": kept, "seconds": time.perf_counter() - started}


def measure(engine: str, url: str, mode: str, size: int, rows: int, folder: Path) -> dict | str:
    cmd = [sys.executable, __file__, "--child", engine, mode, "--url", url, "--size", str(size),
           "--rows", str(rows), "--out", str(folder / f"{engine}-{mode}.csv")]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode:
        lines = (result.stderr or result.stdout).strip().splitlines()
        return lines[-1] if lines else f"exit {result.returncode}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def sqlite_file(folder: Path) -> str:
    import sqlite3

    path = folder / "empty.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE IF NOT EXISTS t (x)").connection.close()
    return f"sqlite:///{path}"


def reachable(engine: str, url: str) -> str:
    """'' when the server answers, else why not."""
    from pupetui.services.sql_readonly import SqlError, open_readonly

    try:
        open_readonly(url, timeout_seconds=10).close()
    except SqlError as exc:
        return str(exc)
    return ""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "MODE"))
    parser.add_argument("--url")
    parser.add_argument("--out")
    parser.add_argument("--size", type=int, help="bytes (characters) of each value")
    parser.add_argument("--rows", type=int, help="rows of the query")
    parser.add_argument("--export-rows", type=int, default=4, help="rows of the export (default 4)")
    parser.add_argument("--engines", default="sqlite,postgres,mysql")
    args = parser.parse_args(argv)
    if args.child:
        engine, mode = args.child
        print(json.dumps(child(engine, args.url, mode, args.size, args.rows, args.out)))
        return 0
    print("peak RSS (VmHWM) of one process each; ratio against `before` of the same engine")
    print(f"{'engine':<9} {'query':<34} {'mode':<7} {'rows':>5} {'peak MB':>8} {'ratio':>6} {'s':>6}")
    with tempfile.TemporaryDirectory(prefix="pupetui-bench-") as tmp:
        folder = Path(tmp)
        urls = {"sqlite": sqlite_file(folder), "postgres": POSTGRES_URL, "mysql": MARIADB_URL}
        for engine in args.engines.split(","):
            size, rows = CASES[engine]
            size, rows = args.size or size, args.rows or rows
            url = urls[engine]
            why = reachable(engine, url)
            if why:
                print(f"{engine:<9} skipped: {why}")
                continue
            label = {"sqlite": f"zeroblob({size:,}) x {rows}", "postgres": f"repeat('x',{size:,}) x {rows}",
                     "mysql": f"repeat('x',{size:,}) x {rows}"}[engine]
            base = None
            for mode in ("floor", "before", "after", "export"):
                n = min(rows, args.export_rows) if mode == "export" else rows
                figures = measure(engine, url, mode, size, n, folder)
                if isinstance(figures, str):
                    print(f"{engine:<9} {label:<34} {mode:<7} failed: {figures}")
                    continue
                if mode == "before":
                    base = figures["rss_mb"]
                ratio = f"{figures['rss_mb'] / base:.2f}" if base and mode != "floor" else ""
                shown = label if mode != "export" else label.rsplit(" x ", 1)[0] + f" x {n}"
                print(f"{engine:<9} {shown:<34} {mode:<7} {figures['rows']:>5} {figures['rss_mb']:>8.0f} "
                      f"{ratio:>6} {figures['seconds']:>6.1f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
