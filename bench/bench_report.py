"""The annual-contract customers report on the 1,000,000-customer demo database (~11 million
tilausrivi rows; made once and cached in the temp dir, shared with bench_search/bench_querygen):

- the figures of every qualifying customer (threshold 10000, the last twelve months) as pupetui
  makes them (`contracts.reports`: the selection, the names, the one GROUP BY statement streamed
  into Decimal figures and sections), against the bare aggregate SQL: the same GROUP BY
  statement run on a plain sqlite3 connection with fetchall, once with SQLite's default settings
  and once with pupetui's (its page cache and sorter threads). Target: at most 1.3x the faster
  of the two, so that the settings don't hide the work pupetui adds.
- the query plans (the indexes on lasku (yhtio, tila, tapvm) and tilausrivi (yhtio, otunnus)).
- PDFs and Excel files written per second (target: PDFs 50/s or more).

    python bench/bench_report.py                 # the cached demo database, or a new one
    python bench/bench_report.py --customers N   # another size (its own cache file)
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_search import make_database  # noqa: E402

from pupetui import db, i18n  # noqa: E402
from pupetui.services import contracts, contracts_documents  # noqa: E402


def timed(fn, repeat: int) -> tuple[float, object]:
    best, result = None, None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--files", type=int, default=500, help="files to write for the files-per-second figures")
    args = parser.parse_args()
    url = make_database(args.customers)
    path = url.removeprefix("sqlite:///")
    database = db.connect(url)
    db.start_session("demo", "demo")
    i18n.set_language("fi")
    rows = database.execute_sql("SELECT count(*) FROM tilausrivi").fetchone()[0]
    invoices = database.execute_sql("SELECT count(*) FROM lasku").fetchone()[0]
    print(f"database: {rows:,} tilausrivi, {invoices:,} lasku rows ({path})")
    request = contracts.make_request(threshold="10000", language="fi")
    period, before = request.period, request.period.year_earlier()
    print(f"period {period.start} - {period.end}, a year earlier {before.start} - {before.end}, threshold 10000")

    sql, params = contracts.figures_query(request).sql()
    raw_params = [p.isoformat() if hasattr(p, "isoformat") else p for p in params]
    plain = sqlite3.connect(path)  # SQLite's own settings
    tuned = sqlite3.connect(path)  # pupetui's connection settings (page cache, sorter threads)
    for name in ("cache_size", "threads"):
        tuned.execute(f"PRAGMA {name} = {db.SQLITE_PRAGMAS[name]}")
    print("query plan of the figures statement:")
    for row in plain.execute("EXPLAIN QUERY PLAN " + sql, raw_params):
        print(f"   {row[-1]}")

    def bare():
        return plain.execute(sql, raw_params).fetchall()

    def bare_tuned():
        return tuned.execute(sql, raw_params).fetchall()

    def ours():
        count = 0
        for _report in contracts.reports(request):
            count += 1
        return count

    # alternate, so that none gets a warmer cache only
    bare_times, tuned_times, our_times = [], [], []
    bare_rows = customers = 0
    for _ in range(args.repeat):
        t, result = timed(bare, 1)
        bare_times.append(t)
        bare_rows = len(result)
        del result
        t, result = timed(bare_tuned, 1)
        tuned_times.append(t)
        del result
        t, customers = timed(ours, 1)
        our_times.append(t)
    b, bt, o = min(bare_times), min(tuned_times), min(our_times)
    settings = ", ".join(f"{name} {db.SQLITE_PRAGMAS[name]}" for name in ("cache_size", "threads"))
    print(f"bare aggregate SQL (fetchall), SQLite's default settings: {b:.2f} s for {bare_rows:,} result rows")
    print(f"bare aggregate SQL (fetchall), pupetui's settings ({settings}): {bt:.2f} s")
    print(f"pupetui's figures (selection, names, Decimal, sections) for {customers:,} qualifying customers: "
          f"{o:.2f} s")
    print(f"ratio to the faster bare run: {o / min(b, bt):.2f}x (target <= 1.3); to SQLite's defaults: {o / b:.2f}x")

    qualifying = contracts.qualifying(request)
    chosen = sorted(qualifying, key=lambda c: c.id)[: args.files]
    reports = list(contracts.reports(request, chosen))
    sender = contracts.sender()
    with tempfile.TemporaryDirectory(prefix="pupetui-bench-report-") as tmp:
        for fmt in ("pdf", "xlsx"):
            req = contracts.make_request(threshold="10000", language="fi", fmt=fmt)
            started = time.perf_counter()
            written = sum(1 for _ in contracts_documents.write_documents(req, reports, Path(tmp) / fmt, sender))
            elapsed = time.perf_counter() - started
            size = sum(p.stat().st_size for p in (Path(tmp) / fmt).iterdir()) / max(1, written)
            target = " (target >= 50/s)" if fmt == "pdf" else ""
            print(f"{fmt}: {written} files in {elapsed:.2f} s = {written / elapsed:.0f} files/s{target}, "
                  f"{size / 1024:.1f} KiB each")
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
