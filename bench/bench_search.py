"""Customer search: time from a keystroke to the new rows being ready, on SQLite.

    python bench/bench_search.py                       # 1,000,000 demo customers (made once, cached)
    python bench/bench_search.py --customers 100000
    python bench/bench_search.py --db /path/demo.sqlite3  # an existing demo database

Types realistic search words one character at a time (each prefix is a keystroke) and measures
`customers.page(query, 0, 60)`, the call the customer list makes per keystroke. The baseline in
the same run is Pupesoft's own asiakaslista search on the same database: `LIKE '%term%'` over the
same columns, ordered by name, (a) as Pupesoft runs it (every matching row) and (b) limited to
the same 60 rows. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pupetui import db  # noqa: E402
from pupetui.services import customers, demo, schema  # noqa: E402

PAGE = 60
COLUMNS = ("nimi", "nimitark", "toim_nimi", "toim_nimitark", "ytunnus", "asiakasnro", "postitp", "puhelin", "gsm", "email")


def percentile(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def make_database(customers_n: int) -> str:
    cache = Path(tempfile.gettempdir()) / f"pupetui-bench-demo-{customers_n}.sqlite3"
    url = f"sqlite:///{cache}"
    if cache.exists():
        print(f"using the cached demo database {cache}")
        return url
    print(f"making a demo database of {customers_n:,} customers at {cache} (once) ...", flush=True)
    started = time.perf_counter()
    partial = cache.with_suffix(".partial")
    for p in (partial, Path(str(partial) + "-wal"), Path(str(partial) + "-shm")):
        p.unlink(missing_ok=True)
    database = db.connect(f"sqlite:///{partial}")
    schema.init(database)
    demo.generate(database, customers=customers_n, seed=1)
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    partial.rename(cache)
    print(f"  made in {time.perf_counter() - started:.0f} s")
    return url


def typed_words(database, rnd: random.Random, n: int) -> list[str]:
    """Words users would type: the start of real names, towns, business ids and numbers."""
    rows = database.execute_sql(
        "SELECT nimi, postitp, ytunnus, asiakasnro FROM asiakas WHERE yhtio = ? AND laji != 'P' "
        "AND tunnus % ? = 7 LIMIT 400",
        (demo.DEMO_COMPANY, max(1, database.execute_sql("SELECT max(tunnus) FROM asiakas").fetchone()[0] // 400)),
    ).fetchall()
    words = []
    for name, town, business_id, number in rows:
        pick = rnd.random()
        if pick < 0.6:
            parts = [w for w in name.split() if len(w) > 2]
            if parts:
                words.append(rnd.choice(parts).lower())
        elif pick < 0.75:
            words.append(town.lower())
        elif pick < 0.9:
            words.append(business_id[:7])
        else:
            words.append(number)
    rnd.shuffle(words)
    return [w for w in words if w][:n]


def time_call(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--db", help="an existing demo SQLite database file")
    parser.add_argument("--words", type=int, default=40)
    args = parser.parse_args()
    url = f"sqlite:///{args.db}" if args.db else make_database(args.customers)
    database = db.connect(url)
    db.start_session(demo.DEMO_COMPANY, demo.DEMO_USER)
    total = database.execute_sql("SELECT count(*) FROM asiakas").fetchone()[0]
    words = typed_words(database, random.Random(7), args.words)
    keystrokes = [w[:i] for w in words for i in range(1, len(w) + 1)]
    print(f"customers in the database: {total:,}; words typed: {len(words)}; keystrokes: {len(keystrokes)}")

    ours = [time_call(lambda k=k: customers.page(customers.CustomerQuery(text=k), 0, PAGE)) for k in keystrokes]
    print(
        f"pupetui search per keystroke: median {statistics.median(ours):.1f} ms, "
        f"p90 {percentile(ours, 90):.1f} ms, p99 {percentile(ours, 99):.1f} ms, max {max(ours):.1f} ms"
    )

    like = " OR ".join(f"{c} LIKE ?" for c in COLUMNS)
    full = f"SELECT tunnus, nimi FROM asiakas WHERE yhtio = ? AND laji != 'P' AND ({like}) ORDER BY nimi"
    limited = full + f" LIMIT {PAGE}"
    sample = keystrokes[:: max(1, len(keystrokes) // 60)]  # the baseline is slow: a sample of keystrokes

    def pupesoft(sql, k):
        params = [demo.DEMO_COMPANY] + [f"%{k}%"] * len(COLUMNS)
        return time_call(lambda: database.execute_sql(sql, params).fetchall())

    base_full = [pupesoft(full, k) for k in sample]
    base_limited = [pupesoft(limited, k) for k in sample]
    ours_sample = [time_call(lambda k=k: customers.page(customers.CustomerQuery(text=k), 0, PAGE)) for k in sample]
    m_ours = statistics.median(ours_sample)
    print(
        f"Pupesoft LIKE '%term%', every matching row (as Pupesoft lists): median {statistics.median(base_full):.1f} ms, "
        f"p99 {percentile(base_full, 99):.1f} ms"
    )
    print(
        f"Pupesoft LIKE '%term%', first {PAGE} rows: median {statistics.median(base_limited):.1f} ms, "
        f"p99 {percentile(base_limited, 99):.1f} ms"
    )
    print(
        f"same {len(sample)} keystrokes, pupetui median {m_ours:.1f} ms: "
        f"{statistics.median(base_full) / m_ours:.0f}x faster than Pupesoft's list, "
        f"{statistics.median(base_limited) / m_ours:.0f}x faster than its LIKE limited to a page; "
        f"total time {sum(base_full) / sum(ours_sample):.0f}x / {sum(base_limited) / sum(ours_sample):.0f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
