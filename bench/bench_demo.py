"""How fast `pupetui demo` fills a fresh SQLite file, against a plain sqlite3 baseline.

    python bench/bench_demo.py [--customers N] [--seed S] [--keep]

Prints rows/s per table and in total, then the rate of a plain `sqlite3` executemany of the
same number of tilausrivi-shaped rows into the same kind of file (pupetui's schema, the same
pragmas), and the ratio of the two. Figures only: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pupetui import db  # noqa: E402
from pupetui.services import demo, schema  # noqa: E402

BASELINE_COMMIT_EVERY = 100_000


def size_of(path: Path) -> str:
    total = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    return f"{total / 1e6:,.0f} MB"


def run_demo(path: Path, customers: int, seed: int) -> tuple[demo.DemoStats, float]:
    database = db.connect(f"sqlite:///{path}")
    schema.init(database)
    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"  [{time.perf_counter() - started:7.1f} s] {message}", flush=True)

    stats = demo.generate(database, customers=customers, seed=seed, progress=progress)
    seconds = time.perf_counter() - started
    database.close()
    return stats, seconds


def run_baseline(path: Path, rows: int, *, bare: bool = False) -> float:
    """Plain sqlite3: executemany of `rows` tilausrivi-shaped tuples, a commit every 100,000.

    `bare`: without the table's indexes and with synchronous=OFF (what the demo loads with).
    """
    database = db.open_database(f"sqlite:///{path}")
    schema.init(database)
    database.close()
    con = sqlite3.connect(path)
    for name, value in db.SQLITE_PRAGMAS.items():
        con.execute(f"PRAGMA {name} = {value}")
    if bare:
        con.execute("PRAGMA synchronous = OFF")
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                   "AND tbl_name = 'tilausrivi' AND sql IS NOT NULL").fetchall():
            con.execute(f'DROP INDEX "{name}"')
    columns = [r[1] for r in con.execute("PRAGMA table_info(tilausrivi)")]
    sql = f"INSERT INTO tilausrivi ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    day = dt.date(2025, 1, 1)
    templates = []
    for i in range(1000):
        iso = (day + dt.timedelta(days=i)).isoformat()
        values = {
            "yhtio": "demo", "tyyppi": "L", "tuoteno": f"TK-{101 + i % 50:05d}", "nimitys": "Vasara 500 g",
            "osasto": 1 + i % 6, "try": 101 + i % 20, "kpl": 1 + i % 9, "tilkpl": 1 + i % 9, "hinta": "24.90",
            "alv": "25.50", "rivihinta": f"{(1 + i % 9) * 24.9:.2f}", "kate": "8.10", "laatija": "demo",
            "laadittu": f"{iso} 07:45:00", "laskutettu": "demo", "laskutettuaika": iso, "toimaika": iso,
            "kerayspvm": iso, "kerattyaika": f"{iso} 09:10:00", "toimitettuaika": f"{iso} 11:30:00",
        }
        templates.append([values.get(c, 0 if c in ("tunnus", "otunnus") else "") for c in columns])
    id_at, invoice_at = columns.index("tunnus"), columns.index("otunnus")

    def shaped(start: int, stop: int):
        for i in range(start, stop):
            row = templates[i % 1000]
            row[id_at] = i + 1
            row[invoice_at] = i // 3 + 1
            yield tuple(row)

    started = time.perf_counter()
    for start in range(0, rows, BASELINE_COMMIT_EVERY):
        with con:
            con.executemany(sql, shaped(start, min(rows, start + BASELINE_COMMIT_EVERY)))
    seconds = time.perf_counter() - started
    con.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database files")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pupetui-bench-demo-"))
    try:
        print(f"pupetui demo --customers {args.customers:,} into {work / 'demo.sqlite3'}")
        stats, seconds = run_demo(work / "demo.sqlite3", args.customers, args.seed)
        print()
        print(f"{'table':<20}{'rows':>14}{'seconds':>10}{'rows/s':>12}")
        for table, count in sorted(stats.counts.items(), key=lambda item: -item[1]):
            spent = stats.seconds.get(table, 0.0)
            rate = f"{count / spent:,.0f}" if spent > 0 else "-"
            print(f"{table:<20}{count:>14,}{spent:>10.1f}{rate:>12}")
        total_rate = stats.total / seconds
        print(f"{'(building indexes)':<20}{'':>14}{stats.index_seconds:>10.1f}")
        print(f"{'total':<20}{stats.total:>14,}{seconds:>10.1f}{total_rate:>12,.0f}")
        print(f"(per table: making and writing its rows; total: wall clock with commits; "
              f"file {size_of(work / 'demo.sqlite3')})")
        rows = stats.counts.get("tilausrivi", 0)
        print()
        print(f"baseline: plain sqlite3 executemany of {rows:,} tilausrivi-shaped rows "
              "(pupetui's schema and pragmas; then bare: no indexes, synchronous=OFF)")
        base_seconds = run_baseline(work / "baseline.sqlite3", rows)
        base_rate = rows / base_seconds
        print(f"{'baseline':<20}{rows:>14,}{base_seconds:>10.1f}{base_rate:>12,.0f}")
        bare_seconds = run_baseline(work / "bare.sqlite3", rows, bare=True)
        bare_rate = rows / bare_seconds
        print(f"{'baseline bare':<20}{rows:>14,}{bare_seconds:>10.1f}{bare_rate:>12,.0f}")
        row_rate = rows / stats.seconds["tilausrivi"]
        print(f"ratio total demo rate / baseline:            {total_rate / base_rate:.2f}")
        print(f"ratio tilausrivi demo rate / baseline:       {row_rate / base_rate:.2f}")
        print(f"ratio total demo rate / baseline bare:       {total_rate / bare_rate:.2f}")
        print(f"ratio tilausrivi demo rate / baseline bare:  {row_rate / bare_rate:.2f}")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
