"""The cash-flow picture of a statement that the approval service scores on.

Computed from the transactions alone (so it can be computed again after a
reviewer's correction); amounts are decimal strings, never floats. Every flag
carries the rows (indexes into ``transactions`` in printed order, ascending) that raised
it, so a reviewer and the scoring service can see why.

- ``monthly``: inflow, outflow, net, count and closing balance per month;
- ``salary``: regular monthly credits — by wording (工资, 代发…) or a payer
  crediting a similar amount (±25 %) in at least three months — and the
  estimated monthly income (median of the months that have salary);
- ``balance``: average and minimum end-of-day balance over the stated period
  (days without transactions carry the balance forward);
- ``large``: transactions of at least :data:`LARGE` yuan;
- ``flags``: counterparties or summaries in the categories of
  ``data/counterparty_flags.json`` (gambling, lottery, crypto, real estate,
  loan apps), night-time transactions (00:00–05:00), money passing straight
  through (a later outflow the same day of 80–125 % of an inflow, each outflow
  paired once), round-amount
  transfers (multiples of 1 000 yuan from 5 000; salary is not a transfer).
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from extractors.models import ExtractedDocument, Field

LARGE = Decimal("50000")
ROUND_UNIT = Decimal("1000")
ROUND_MIN = Decimal("5000")
PASS_THROUGH_SHARE = Decimal("0.8")
PASS_THROUGH_MIN = Decimal("1000")
NIGHT = (dt.time(0, 0), dt.time(5, 0))
SALARY_MONTHS = 3
SALARY_TOLERANCE = Decimal("0.25")


@cache
def flag_words() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "counterparty_flags.json").read_text("utf-8"))
    return data


@dataclass(frozen=True)
class Txn:
    row: int
    date: dt.date
    time: dt.time | None
    amount: Decimal
    balance: Decimal | None
    counterparty: str
    summary: str

    @property
    def words(self) -> str:
        return unicodedata.normalize("NFKC", f"{self.counterparty} {self.summary}").replace(" ", "").lower()


def _value(row: dict[str, Field], name: str) -> Any:
    f = row.get(name)
    return None if f is None else f.value


def transactions(rows: list[dict[str, Field]]) -> list[Txn]:
    """The rows that have a date and an amount, in chronological order (stable for equal dates)."""
    out = []
    for i, row in enumerate(rows):
        try:
            day = dt.date.fromisoformat(str(_value(row, "date")))
            amount = Decimal(str(_value(row, "amount")))
        except (ValueError, InvalidOperation):
            continue
        balance = None
        if _value(row, "balance") is not None:
            try:
                balance = Decimal(str(_value(row, "balance")))
            except InvalidOperation:
                balance = None
        t = _value(row, "time")
        out.append(Txn(i, day, dt.time.fromisoformat(t) if isinstance(t, str) else None, amount, balance,
                       str(_value(row, "counterparty") or ""), str(_value(row, "summary") or "")))
    return out


def _chronological(txns: list[Txn], newest_first: bool) -> list[Txn]:
    ordered = list(reversed(txns)) if newest_first else list(txns)
    return sorted(ordered, key=lambda t: t.date)  # stable: keeps the printed order within a day


def _money(d: Decimal) -> str:
    return str(d.quantize(Decimal("0.01")))


def compute(doc: ExtractedDocument) -> dict[str, Any] | None:
    rows = doc.tables.get("transactions")
    if rows is None:
        return None
    txns = _chronological(transactions(rows), doc.meta.get("order") == "newest_first")
    salary = _salary(txns)
    return {
        "transactions": len(txns),
        "monthly": _monthly(txns),
        "salary": salary,
        "balance": _balances(txns, doc),
        "large": {"threshold": _money(LARGE), "count": len([t for t in txns if abs(t.amount) >= LARGE]),
                  "rows": sorted(t.row for t in txns if abs(t.amount) >= LARGE)},
        "flags": _flags(txns, salary_rows=set(salary["rows"])),
    }


def _monthly(txns: list[Txn]) -> list[dict[str, Any]]:
    months: dict[str, list[Txn]] = defaultdict(list)
    for t in txns:
        months[t.date.strftime("%Y-%m")].append(t)
    out = []
    for month in sorted(months):
        items = months[month]
        inflow = sum((t.amount for t in items if t.amount > 0), Decimal(0))
        outflow = -sum((t.amount for t in items if t.amount < 0), Decimal(0))
        closing = next((t.balance for t in reversed(items) if t.balance is not None), None)
        out.append({"month": month, "inflow": _money(inflow), "outflow": _money(outflow),
                    "net": _money(inflow - outflow), "count": len(items),
                    "closing_balance": None if closing is None else _money(closing)})
    return out


def _salary(txns: list[Txn]) -> dict[str, Any]:
    words = [w.lower() for w in flag_words()["salary_words"]]
    credits = [t for t in txns if t.amount > 0]
    by_words = {t.row for t in credits if any(w in t.words for w in words)}
    by_payer: dict[str, list[Txn]] = defaultdict(list)
    for t in credits:
        if t.counterparty:
            by_payer[t.counterparty].append(t)
    regular: set[int] = set()
    for items in by_payer.values():
        months = {t.date.strftime("%Y-%m") for t in items}
        if len(months) < SALARY_MONTHS:
            continue
        typical = statistics.median(t.amount for t in items)
        close = [t for t in items if abs(t.amount - typical) <= SALARY_TOLERANCE * typical]
        if len({t.date.strftime("%Y-%m") for t in close}) >= SALARY_MONTHS:
            regular |= {t.row for t in close}
    rows = sorted(by_words | regular)
    chosen = [t for t in credits if t.row in set(rows)]
    per_month: dict[str, Decimal] = defaultdict(Decimal)
    for t in chosen:
        per_month[t.date.strftime("%Y-%m")] += t.amount
    estimate = statistics.median(per_month.values()) if per_month else None
    payers = sorted({t.counterparty for t in chosen if t.counterparty})
    return {"detected": bool(chosen), "rows": rows, "months": len(per_month), "payers": payers,
            "estimated_monthly_income": None if estimate is None else _money(Decimal(estimate))}


def _balances(txns: list[Txn], doc: ExtractedDocument) -> dict[str, Any]:
    dated = [t for t in txns if t.balance is not None]
    if not dated:
        return {"average_daily": None, "minimum_daily": None, "minimum_date": None, "days": 0}
    end_of_day: dict[dt.date, Decimal] = {}
    for t in dated:
        end_of_day[t.date] = t.balance  # type: ignore[assignment]
    start = _date(doc, "period_start") or dated[0].date
    end = _date(doc, "period_end") or dated[-1].date
    start, end = min(start, dated[0].date), max(end, dated[-1].date)
    opening = doc.value("opening_balance")
    try:
        current = Decimal(str(opening)) if opening is not None else dated[0].balance - dated[0].amount  # type: ignore[operator]
    except InvalidOperation:
        current = dated[0].balance - dated[0].amount  # type: ignore[operator]
    daily: list[tuple[dt.date, Decimal]] = []
    day = start
    while day <= end:
        current = end_of_day.get(day, current)
        daily.append((day, current))
        day += dt.timedelta(days=1)
    low_day, low = min(daily, key=lambda d: d[1])
    average = sum((b for _, b in daily), Decimal(0)) / len(daily)
    return {"average_daily": _money(average), "minimum_daily": _money(low), "minimum_date": low_day.isoformat(),
            "days": len(daily)}


def _date(doc: ExtractedDocument, name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(doc.value(name)))
    except ValueError:
        return None


def _flags(txns: list[Txn], salary_rows: set[int]) -> list[dict[str, Any]]:
    flags: list[dict[str, Any]] = []
    for name, cat in flag_words()["categories"].items():
        words = [w.lower() for w in cat["words"]]
        unless = [w.lower() for w in cat.get("except", [])]
        rows = [t.row for t in txns if any(w in t.words for w in words) and not any(w in t.words for w in unless)]
        if rows:
            flags.append({"flag": name, "label": cat["label"], "rows": sorted(rows)})
    night = sorted(t.row for t in txns if t.time is not None and NIGHT[0] <= t.time < NIGHT[1])
    if night:
        flags.append({"flag": "night_time", "label": {"en": "transactions between 00:00 and 05:00",
                                                      "zh": "凌晨交易（0-5点）"}, "rows": night})
    through = _pass_through(txns)
    if through:
        flags.append({"flag": "pass_through", "label": {"en": "money in and out again the same day",
                                                        "zh": "资金快进快出（当日进出）"}, "rows": through})
    round_rows = sorted(t.row for t in txns if abs(t.amount) >= ROUND_MIN and abs(t.amount) % ROUND_UNIT == 0
                        and t.row not in salary_rows)
    if round_rows:
        flags.append({"flag": "round_amounts", "label": {"en": "round-amount transfers (multiples of 1,000 yuan)",
                                                         "zh": "整额转账（千元整数倍）"}, "rows": round_rows})
    return flags


def _pass_through(txns: list[Txn]) -> list[int]:
    by_day: dict[dt.date, list[Txn]] = defaultdict(list)
    for t in txns:
        by_day[t.date].append(t)
    rows: list[int] = []
    for items in by_day.values():
        used: set[int] = set()
        for k, inflow in enumerate(items):
            if inflow.amount < PASS_THROUGH_MIN:
                continue
            later = [t for t in items[k + 1:] if t.amount < 0 and t.row not in used
                     and PASS_THROUGH_SHARE * inflow.amount <= -t.amount <= inflow.amount / PASS_THROUGH_SHARE]
            if later:
                out = min(later, key=lambda t: abs(-t.amount - inflow.amount))
                used.add(out.row)
                rows.extend([inflow.row, out.row])
    return sorted(set(rows))
