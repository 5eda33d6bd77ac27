"""Opening the customer memo of a customer with 2,000 memo entries and 24 months of sales.

One temporary SQLite database made with the models; each measurement runs in a fresh process
of its own (so one's garbage and caches do not slow another), headless at 80x24:

- memo screen: the time from pushing `MemoScreen(customer_id)` in a running pupetui app to the
  screen being ready: every tab's data loaded and shown (the tabs other than the entries get
  their widgets when first opened; their data is loaded all the same) and the entries list
  drawn (checked: the entries listed, and the header showing the customer's name and facts). The first opening in a process (CSS parsed, code warmed) is shown apart from the
  median of the openings after it, both at once when the menu is up and, in five more
  processes, a second after it (as a person opens a program).
- baseline: the plain service calls the screen makes (`memo_view.load_first` + `load_rest`),
  no Textual;
- baseline: a bare Textual screen with a DataTable of the same 2,000 entries, push to drawn.

Figures only: nothing here fails for being slow.

    python bench/bench_memo.py [--runs 9] [--entries 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE = (80, 24)
COMPANY, USER = "bench", "matti"


# -- the database ----------------------------------------------------------------------------------


def make_database(path: Path, entries: int) -> tuple[str, int]:
    from pupetui import db
    from pupetui.models import (
        Activity, Company, CompanyParameters, Contact, Customer, CustomerDiscount, CustomerPrice, Invoice,
        Keyword, Permission, User,
    )
    from pupetui.services import schema
    from pupetui.services.programs import PROGRAMS

    url = f"sqlite:///{path}"
    database = db.connect(url)
    schema.init(database)
    rnd = random.Random(7)
    today = dt.date.today()
    words = ("soitettu", "tarjous", "hinta", "toimitus", "käynti", "sopimus", "lasku", "huolto", "asennus",
             "kysyi", "lupasi", "palaa", "asiaan", "ensi", "viikolla", "tilaus", "vahvistettu")
    with db.session(COMPANY, "setup"):
        Company.create(name="Bench Oy")
        CompanyParameters.create()
        for login, name in ((USER, "Matti Myyjä"), ("pekka", "Pekka Pomo"), ("liisa", "Liisa Laine")):
            User.create(login=login, name=name)
        for program in PROGRAMS:
            Permission.create(login=USER, script=program.script, subname="")
        for kind, value, text in (("KALETAPA", "1", "Puhelu"), ("KALETAPA", "2", "Käynti asiakkaalla"),
                                  ("KALETAPA", "3", "Sähköposti"), ("ASIAKASTILA", "A", "Aktiivinen")):
            Keyword.create(kind=kind, value=value, text=text)
        customer = Customer.create(name="Iso Asiakas Oy", business_id="1234567-1", address="Katu 1",
                                   postcode="00100", city="Helsinki", facts="Tärkeä asiakas", status="A")
        contacts = [Contact.create(customer_id=customer.id, name=f"Henkilö {i}", phone=f"09 {i:03d}").id
                    for i in range(8)]
        for i in range(10):
            CustomerDiscount.create(customer_id=customer.id, product_no=f"P{i}", percent=Decimal(i + 1))
            CustomerPrice.create(customer_id=customer.id, product_no=f"P{i}", price=Decimal("9.90") + i)
        start = dt.datetime.combine(today - dt.timedelta(days=730), dt.time(8, 0))
        rows = []
        tops: list[int] = []
        for number in range(1, entries + 1):
            stamp = start + dt.timedelta(minutes=number * 525)
            text = " ".join(rnd.choice(words) for _ in range(rnd.randint(4, 60))).capitalize()
            kind = "Muistutus" if number % 20 == 0 else "Memo"
            parent = rnd.choice(tops) if tops and number % 7 == 0 else 0  # some replies
            row = dict(id=number, kind=kind, text=text, method=rnd.choice(("Puhelu", "Sähköposti", "")),
                       customer_id=customer.id, business_id="1234567-1",
                       owner=rnd.choice((USER, "pekka", "liisa")), created_by=rnd.choice((USER, "pekka")),
                       created_at=stamp, starts_at=stamp, parent_id=parent,
                       contact_id=rnd.choice(contacts + [0, 0]), acknowledgement="K" if kind == "Muistutus" else "")
            if kind == "Muistutus":
                row["ends_at"] = stamp + dt.timedelta(minutes=30)
            rows.append(row)
            if not parent:
                tops.append(number)
        with database.atomic():
            for chunk in range(0, len(rows), 500):
                Activity.insert_many(rows[chunk:chunk + 500]).execute()
            visits = [dict(kind="kalenteri", text="Asiakaskäynti", method="Käynti asiakkaalla",
                           customer_id=customer.id, owner=USER,
                           starts_at=dt.datetime.combine(today - dt.timedelta(days=15 * k), dt.time(10, 0)),
                           ends_at=dt.datetime.combine(today - dt.timedelta(days=15 * k), dt.time(11, 0)))
                      for k in range(48)]
            Activity.insert_many(visits).execute()
            invoices = []
            for back in range(24):
                index = today.year * 12 + today.month - 1 - back
                for day_of_month in range(1, 21):
                    day = dt.date(index // 12, index % 12 + 1, day_of_month)
                    if day > today:
                        continue
                    net = Decimal(rnd.randint(100, 5000))
                    invoices.append(dict(state="L", substate="X", customer_id=customer.id, invoice_date=day,
                                         net=net, margin=(net * Decimal("0.23")).quantize(Decimal("0.01"))))
            Invoice.insert_many(invoices).execute()
    database.close()
    return url, customer.id


# -- the measurements (each in a child process) ------------------------------------------------------


def _login(url: str) -> None:
    from pupetui import db, i18n
    from pupetui.services import auth

    i18n.set_language("en")
    db.connect(url)
    auth.login(COMPANY, USER, None, mode="none")


def child_services(url: str, customer_id: int, runs: int) -> dict:
    _login(url)
    from pupetui.services import memo_view

    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        first = memo_view.load_first(customer_id)
        memo_view.load_rest(customer_id)
        times.append(time.perf_counter() - started)
    return {"times": times, "entries": len(first.entries)}


def child_datatable(url: str, customer_id: int, runs: int) -> dict:
    _login(url)
    from textual.app import App
    from textual.screen import Screen
    from textual.widgets import DataTable

    from pupetui.i18n import format_date
    from pupetui.services import memo
    from pupetui.widgets.literal import literal

    rows = [
        (literal(format_date(e.created_at)), literal(e.kind), literal(e.method), literal(e.created_by),
         literal("  " * e.depth + e.text))
        for e in memo.entries(customer_id)
    ]

    async def measure() -> list[float]:
        done = asyncio.Event()

        class TableScreen(Screen):
            def compose(self):
                yield DataTable()

            def on_mount(self) -> None:
                table = self.query_one(DataTable)
                for title, width in (("Date", 10), ("Type", 11), ("Method", 10), ("By", 8), ("Text", 40)):
                    table.add_column(title, width=width)
                table.add_rows(rows)
                self.app.call_after_refresh(done.set)

        times = []
        app = App()
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(runs + 1):
                done.clear()
                started = time.perf_counter()
                app.push_screen(TableScreen())
                await done.wait()
                times.append(time.perf_counter() - started)
                app.pop_screen()
                await pilot.pause()
        return times

    return {"times": asyncio.run(measure()), "entries": len(rows)}


def child_memo(url: str, customer_id: int, runs: int, pause: float = 0.0) -> dict:
    _login(url)
    from pupetui import config
    from pupetui.app import PupetuiApp
    from pupetui.screens.memo import MemoScreen, RowList
    from pupetui.widgets.memo_header import MemoHeader

    async def measure() -> tuple[list[float], int]:
        ready = asyncio.Event()
        ready_at: list[float] = []

        class TimedMemo(MemoScreen):
            def _announce_ready(self) -> None:
                if not self.ready:
                    ready_at.append(time.perf_counter())
                    ready.set()
                super()._announce_ready()

        settings = config.Settings(db=url, company=COMPANY, user=USER, lang="en", auth="none", theme="ansi")
        app = PupetuiApp(settings, company=COMPANY)
        times = []
        shown = 0
        async with app.run_test(size=SIZE) as pilot:
            while app.screen.__class__.__name__ != "MenuScreen" or getattr(app.screen, "info", None) is None:
                await pilot.pause(0.01)
            if pause:
                await pilot.pause(pause)  # a person at the menu before opening a program
            for _ in range(runs + 1):
                ready.clear()
                ready_at.clear()
                started = time.perf_counter()
                app.push_screen(TimedMemo(customer_id))
                await ready.wait()
                times.append(ready_at[0] - started)
                shown = len(app.screen.query_one("#entries", RowList).items)
                header = "\n".join(app.screen.query_one(MemoHeader).plain_lines)
                if "Iso Asiakas Oy" not in header or "Tärkeä asiakas" not in header:
                    raise SystemExit(f"ready without the customer in the header:\n{header}")
                await pilot.pause(0.1)  # the user reads it; then goes back to the menu
                app.pop_screen()
                await pilot.pause(0.1)
        return times, shown

    times, shown = asyncio.run(measure())
    return {"times": times, "entries": shown}


CHILDREN = {"services": child_services, "datatable": child_datatable, "memo": child_memo,
            "memo_after_pause": lambda url, customer_id, runs: child_memo(url, customer_id, 0, pause=1.0)}


def run_child(kind: str, url: str, customer_id: int, runs: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--url", url,
         "--customer", str(customer_id), "--runs", str(runs)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    for line in result.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise SystemExit(f"the {kind} measurement failed:\n{result.stderr[-3000:]}")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--customer", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        print("RESULT " + json.dumps(CHILDREN[args.child](args.url, args.customer, args.runs)), flush=True)
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        url, customer_id = make_database(Path(tmp) / "memo.sqlite3", args.entries)
        made = time.perf_counter() - started
        results = {kind: run_child(kind, url, customer_id, args.runs) for kind in ("services", "datatable", "memo")}
        # the first opening in a process, when the memo is opened a second after the menu is up
        # (as a person does), in fresh processes
        paused = [run_child("memo_after_pause", url, customer_id, 0)["times"][0] for _ in range(5)]

    memo_times = results["memo"]["times"]
    memo_median = statistics.median(memo_times[1:])
    service_median = statistics.median(results["services"]["times"][1:])
    table_median = statistics.median(results["datatable"]["times"][1:])
    print(f"customer with {args.entries:,} memo entries and 24 months of sales (SQLite, made in {made:.1f} s); "
          f"headless 80x24; medians of {args.runs} runs, each kind in a fresh process")
    print(f"  memo screen, push to ready (all tabs' data, {results['memo']['entries']:,} entries listed): "
          f"{ms(memo_median)}  (first opening {ms(memo_times[0])}; fastest {ms(min(memo_times[1:]))}, "
          f"slowest {ms(max(memo_times[1:]))})")
    print(f"  first opening in a process, a second after the menu is up: median {ms(statistics.median(paused))} "
          f"of {len(paused)} processes (fastest {ms(min(paused))}, slowest {ms(max(paused))})")
    print(f"  baseline: the service calls alone (load_first + load_rest): {ms(service_median)}")
    print(f"  baseline: bare Textual screen with a DataTable of {results['datatable']['entries']:,} rows: "
          f"{ms(table_median)}")
    print(f"  memo screen / service calls: {memo_median / service_median:.2f}x; "
          f"memo screen / bare DataTable: {memo_median / table_median:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
