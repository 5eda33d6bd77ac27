"""The query generator's Excel export over 1,000,000 customers, against a bare XlsxWriter loop.

    python bench/bench_querygen.py                  # the cached 1M-customer demo database, or a new one
    python bench/bench_querygen.py --customers 200000 --rounds 1
    python bench/bench_querygen.py --db /path/to.sqlite3 --company demo --user demo

The query is a generated one (`query_generator.build`): ten columns of asiakas (numbers, text
and a datetime), `laji != 'P'`, sorted by tunnus; it is exported the way `pupetui query run
--xlsx` and the screen's `x` do it: `run(built)` streamed into `export.write_xlsx_sheets`
(numbers as numbers, ISO date text as dates, text never a formula, a new sheet after Excel's
last row). The baseline in the same run is the bare loop: the same SQL on the same database,
each cursor row handed to XlsxWriter's `write_row` on a constant_memory worksheet. Each run
is a subprocess of its own, so its peak RSS (ru_maxrss) is its own; the export is also run at a
tenth of the rows to show that memory stays flat. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEMO_CACHE = Path(tempfile.gettempdir()) / "pupetui-bench-demo-1000000.sqlite3"
SHOWN = ("tunnus", "asiakasnro", "nimi", "osoite", "postino", "postitp", "ytunnus", "email", "myyjanro", "luontiaika")


def make_database(path: Path, customers: int) -> None:
    """pupetui's schema and `customers` asiakas rows of company 'demo' (user 'demo' with the
    query generator's right), written with one executemany."""
    from pupetui import db
    from pupetui.services import schema

    print(f"making {customers:,} customers in {path} ...", flush=True)
    started = time.perf_counter()
    database = db.open_database(f"sqlite:///{path}")
    schema.init(database)
    database.close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    towns = ["Helsinki", "Espoo", "Tampere", "Turku", "Oulu", "Kuopio", "Lahti", "Pori", "Vaasa", "Salo"]
    con.execute("INSERT INTO kuka (yhtio, kuka, nimi, salasana, aktiivinen, extranet) VALUES ('demo', 'demo', 'Demo', '', 1, '')")
    con.execute("INSERT INTO oikeu (yhtio, kuka, nimi, alanimi) VALUES ('demo', 'demo', 'db_sql_query.php', '')")
    rows = (
        ("demo", "P" if i % 29 == 0 else "", str(10000 + i), f"Asiakas {i:07d} Oy", f"Katu {i % 97} A {i % 13}",
         f"{i % 99999:05d}", towns[i % len(towns)], f"{i % 9999999:07d}-{i % 10}", f"info{i}@asiakas.example",
         i % 40, f"202{i % 6}-{1 + i % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:00", "bench")
        for i in range(customers)
    )
    con.executemany(
        "INSERT INTO asiakas (yhtio, laji, asiakasnro, nimi, osoite, postino, postitp, ytunnus, email, myyjanro, "
        "luontiaika, laatija) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.commit()
    con.close()
    print(f"  made in {time.perf_counter() - started:.1f} s", flush=True)


def spec(limit: int | None):
    from pupetui.services import query_generator as Q

    fields = [Q.FieldSpec(c, show=True) for c in SHOWN]
    fields[0].sort = 1
    fields.append(Q.FieldSpec("laji", operator="!=", value="P"))
    if limit:
        fields.append(Q.FieldSpec("tunnus", operator="<=", value=str(limit)))
    return Q.QuerySpec("asiakas", fields)


def child(mode: str, url: str, company: str, user: str, out: str, limit: int | None) -> dict:
    """One export in this process: seconds, rows, peak RSS."""
    import xlsxwriter

    from pupetui import db
    from pupetui.services import auth
    from pupetui.services import query_generator as Q
    from pupetui.services.export import write_xlsx_sheets

    db.connect(url)
    auth.login(company, user, None, mode="none")
    built = Q.build(spec(limit))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    if mode == "ours":
        rows = write_xlsx_sheets(out, built.headers, Q.run(built), sheet="asiakas").rows
    else:
        sql, params = built.sql()
        cursor = db.database.obj.execute_sql(sql, params)
        workbook = xlsxwriter.Workbook(out, {"constant_memory": True})
        sheet = workbook.add_worksheet("asiakas")
        sheet.write_row(0, 0, built.headers)
        rows = 0
        write_row = sheet.write_row
        for rows, row in enumerate(cursor, start=1):
            write_row(rows, 0, row)
        workbook.close()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "rows": rows, "rss_before_mb": rss_before / 1024, "peak_mb": peak / 1024,
            "size_mb": os.path.getsize(out) / 1e6}


def run_child(mode: str, args, out: Path, limit: int | None = None) -> dict:
    command = [sys.executable, __file__, "--child", mode, "--db", args.db, "--company", args.company,
               "--user", args.user, "--out", str(out)] + (["--limit", str(limit)] if limit else [])
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if result.returncode:
        raise SystemExit(f"{mode} failed:\n{result.stderr}")
    out.unlink(missing_ok=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an SQLite file of pupetui's (or Pupesoft's) schema with customers")
    parser.add_argument("--company", default="demo")
    parser.add_argument("--user", default="demo")
    parser.add_argument("--customers", type=int, default=1_000_000, help="when a database is made (default 1,000,000)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each (the best counts; default 2)")
    parser.add_argument("--child", choices=("ours", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(child(args.child, args.db, args.company, args.user, args.out, args.limit)))
        return 0

    made = None
    if args.db:
        args.db = args.db if "://" in args.db else f"sqlite:///{args.db}"
    elif args.customers == 1_000_000 and DEMO_CACHE.exists():
        print(f"using the cached demo database {DEMO_CACHE} (company demo)")
        args.db = f"sqlite:///{DEMO_CACHE}"
    else:
        made = Path(tempfile.mkdtemp(prefix="pupetui-bench-querygen-")) / "customers.sqlite3"
        make_database(made, args.customers)
        args.db, args.company, args.user = f"sqlite:///{made}", "demo", "demo"

    work = Path(tempfile.mkdtemp(prefix="pupetui-bench-querygen-out-"))
    try:
        best: dict[str, dict] = {}
        for round_ in range(max(1, args.rounds)):
            for mode in ("bare", "ours"):
                figures = run_child(mode, args, work / f"{mode}.xlsx")
                if mode not in best or figures["seconds"] < best[mode]["seconds"]:
                    best[mode] = figures
                print(f"  round {round_ + 1} {mode:<4}: {figures['seconds']:6.2f} s, {figures['rows']:,} rows, "
                      f"peak RSS {figures['peak_mb']:.0f} MB", flush=True)
        tenth = max(1, best["ours"]["rows"] // 10)
        small = run_child("ours", args, work / "small.xlsx", limit=tenth)
        ours, bare = best["ours"], best["bare"]
        print(f"query: {len(SHOWN)} columns of asiakas, laji != 'P', sorted by tunnus; {ours['rows']:,} rows, "
              f"xlsx {ours['size_mb']:.0f} MB")
        print(f"bare XlsxWriter loop (write_row, constant_memory): {bare['seconds']:6.2f} s  "
              f"{bare['rows'] / bare['seconds']:>9,.0f} rows/s  peak RSS {bare['peak_mb']:.0f} MB "
              f"(after imports {bare['rss_before_mb']:.0f} MB)")
        print(f"query generator export (write_xlsx_sheets):        {ours['seconds']:6.2f} s  "
              f"{ours['rows'] / ours['seconds']:>9,.0f} rows/s  peak RSS {ours['peak_mb']:.0f} MB "
              f"(after imports {ours['rss_before_mb']:.0f} MB)")
        print(f"ratio (export / bare loop): {ours['seconds'] / bare['seconds']:.2f}x")
        print(f"memory flat: {small['rows']:,} rows peak RSS {small['peak_mb']:.0f} MB, "
              f"{ours['rows']:,} rows peak RSS {ours['peak_mb']:.0f} MB")
    finally:
        for p in work.glob("*"):
            p.unlink()
        work.rmdir()
        if made is not None:
            for p in made.parent.glob("*"):
                p.unlink()
            made.parent.rmdir()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
