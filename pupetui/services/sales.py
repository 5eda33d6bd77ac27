"""A customer's invoiced sales by month, with margin and visits, for the memo."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from peewee import fn

from pupetui.models import Activity, Invoice
from pupetui.models.activity import CALENDAR


@dataclass(frozen=True)
class MonthSales:
    year: int
    month: int
    sales: Decimal
    margin: Decimal
    visits: int

    @property
    def margin_percent(self) -> Decimal | None:
        if not self.sales:
            return None
        return (self.margin / self.sales * 100).quantize(Decimal("0.1"))

    @property
    def label(self) -> str:
        return f"{self.month:02d}/{self.year}"


def _month_start(day: dt.date, back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def monthly(customer_id: int, months: int = 24, today: dt.date | None = None) -> list[MonthSales]:
    """The last `months` months (oldest first, the current month last), zeros included."""
    today = today or dt.date.today()
    start = _month_start(today, months - 1)
    totals: dict[tuple[int, int], list] = {}
    for m in range(months):
        d = _month_start(today, months - 1 - m)
        totals[(d.year, d.month)] = [Decimal(0), Decimal(0), 0]
    rows = (
        Invoice.select(Invoice.invoice_date, fn.SUM(Invoice.net).alias("net"), fn.SUM(Invoice.margin).alias("margin"))
        .where(
            (Invoice.customer_id == customer_id)
            & (Invoice.state == "L") & (Invoice.substate == "X")
            & (Invoice.invoice_date >= start) & (Invoice.invoice_date <= today)
        )
        .group_by(Invoice.invoice_date)
        .tuples()
    )
    for day, net, margin in rows:
        day = Invoice.invoice_date.python_value(day)
        if day is None:
            continue
        key = (day.year, day.month)
        if key in totals:
            totals[key][0] += Decimal(str(net or 0))
            totals[key][1] += Decimal(str(margin or 0))
    visits = (
        Activity.select(Activity.starts_at)
        .where(
            (Activity.customer_id == customer_id) & (Activity.kind == CALENDAR)
            & (Activity.starts_at >= dt.datetime.combine(start, dt.time()))
            & (Activity.starts_at < dt.datetime.combine(today + dt.timedelta(days=1), dt.time()))
        )
        .tuples()
    )
    for (starts,) in visits:
        starts = Activity.starts_at.python_value(starts)
        if starts is not None and (starts.year, starts.month) in totals:
            totals[(starts.year, starts.month)][2] += 1
    return [
        MonthSales(y, m, v[0].quantize(Decimal("0.01")), v[1].quantize(Decimal("0.01")), v[2])
        for (y, m), v in totals.items()
    ]


BARS = " ▁▂▃▄▅▆▇█"


def sparkline(values: list[Decimal]) -> str:
    """A one-line chart of the values (negative shown as the lowest bar)."""
    top = max((v for v in values), default=Decimal(0))
    if top <= 0:
        return BARS[0] * len(values)
    out = []
    for v in values:
        level = 0 if v <= 0 else max(1, round(float(v / top) * (len(BARS) - 1)))
        out.append(BARS[level])
    return "".join(out)
