"""The cost of sending SMS safely: a batch (journal row committed before and after each message,
the customer's memo in the same transaction) against the bare HTTP requests it makes.

- baseline: `services.sms.deliver` to the same numbers against the same loopback SMS service,
  one new connection per message (as the batch does), nothing written anywhere.
- batch: `services.sms_batch.send` of a plan to N customers on an SQLite file (WAL): the journal
  in muisti, a memo per sent message.
- plan: normalising and deduplicating 10,000 typed numbers (`sms_batch.plan`), the work done
  before the confirmation.
Both sends run alternately `--runs` times; medians per message and their ratio are printed.

Figures only: nothing here fails for being slow.

    python bench/bench_sms.py [--messages 300] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from pupetui import db  # noqa: E402
from pupetui.models import Activity, Company, Customer, User  # noqa: E402
from pupetui.services import schema, sms, sms_batch  # noqa: E402
from servers import SmsService  # noqa: E402  (the loopback service of the tests)


def numbers(n: int, offset: int = 0) -> list[str]:
    return [f"+35840{offset * 10000 + i:07d}" for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    service = SmsService()
    config = sms.SmsConfig(url=service.url, user="u", password="p", timeout=5)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        d = db.connect(url)
        schema.init(d)
        with db.session("acme", "anna"):
            Company.create(name="Acme Oy")
            User.create(login="anna", name="Anna")
            with d.atomic():
                for run in range(args.runs):
                    for i, number in enumerate(numbers(args.messages, run + 1)):
                        Customer.create(name=f"Asiakas {run}-{i}", business_id=f"{run}{i:06d}-1", mobile=number)
            base, batch = [], []
            for run in range(args.runs):
                targets = numbers(args.messages, 50 + run)
                started = time.perf_counter()
                for number in targets:
                    assert sms.deliver(config, number, "Hei").ok
                base.append((time.perf_counter() - started) / args.messages)

                rows = Customer.select().where(Customer.name.startswith(f"Asiakas {run}-"))
                plan = sms_batch.plan(sms_batch.customer_recipients(rows), "Hei")
                started = time.perf_counter()
                result = sms_batch.send(plan, config)
                batch.append((time.perf_counter() - started) / args.messages)
                assert result.summary() == {"sent": args.messages}, result.summary()
            memos = Activity.select().where(Activity.kind == "Memo").count()
            typed = [f"040 {i:07d}" for i in range(10_000)] + ["12", "09 123 456"]
            started = time.perf_counter()
            big = sms_batch.plan(sms_batch.typed_recipients(typed), "Hei")
            plan_seconds = time.perf_counter() - started
        db.end_session()
        d.close()
    service.stop()
    b, s = statistics.median(base), statistics.median(batch)
    print(f"messages per run      {args.messages} x {args.runs} runs, loopback SMS service, SQLite file")
    print(f"baseline deliver()    {b * 1000:7.2f} ms per message (HTTP only)")
    print(f"batch with journal    {s * 1000:7.2f} ms per message (journal before and after, memo)")
    print(f"ratio batch/baseline  {s / b:7.2f}")
    print(f"memos written         {memos}")
    print(f"plan of {len(typed)} typed  {plan_seconds * 1000:7.0f} ms ({len(big.targets)} valid, "
          f"{len(big.invalid)} invalid, {len(big.duplicates)} duplicate)")


if __name__ == "__main__":
    main()
