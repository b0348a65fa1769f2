"""Rules for payment platform records (Alipay, WeChat Pay).

The exports print no running balance, so there is no chain to hold the rows together. What holds them:

- the totals the platform prints (records, income and expense counts and sums, 不计收支/中性交易) equal the rows
  that moved money — closed, failed and fully refunded rows (交易关闭, 已全额退款…) moved none;
- every order number is printed once;
- the rows are in time order (the platforms print newest first) and inside the printed period;
- every row has a time, a direction, an amount and an order number;
- the period spans the months a lender asks of a bank statement and is recent
  (``DOCINTAKE_STATEMENT_MONTHS``, ``DOCINTAKE_STATEMENT_MAX_AGE_DAYS``).

A row inserted, removed or edited in a CSV, or a total edited, breaks one of these; a file that prints no
totals is reported as not checked rather than passed.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from extractors.doctypes.payment_alipay import AlipayRecords
from extractors.doctypes.payment_wechat import WeChatPayRecords
from extractors.models import ExtractedDocument, Field, Finding
from extractors.payments.records import TOTALS, money_moved, stamp
from validators._values import iso_date, label_zh, required_fields
from validators.bank_statement import period_problem
from validators.base import RuleContext, error, rule, warning

TYPES = (AlipayRecords.doc_type, WeChatPayRecords.doc_type)
TABLE = "transactions"
ROW_NEEDS = ("date", "time", "direction", "amount", "order_id")
SHOWN = 5
"""Rows named in one message, at most."""


@rule(AlipayRecords.doc_type)
def payment_alipay_required_fields(doc: ExtractedDocument, ctx: RuleContext) -> list[Finding]:
    """The fields every Alipay record has (:attr:`FieldSpec.required`), readable."""
    return required_fields("payment_alipay_required_fields", doc, ctx)


@rule(WeChatPayRecords.doc_type)
def payment_wechat_required_fields(doc: ExtractedDocument, ctx: RuleContext) -> list[Finding]:
    """The fields every WeChat Pay record has (:attr:`FieldSpec.required`), readable."""
    return required_fields("payment_wechat_required_fields", doc, ctx)


def _rows(doc: ExtractedDocument) -> list[dict[str, Field]]:
    return doc.tables.get(TABLE) or []


def _paths(rows: list[int], column: str) -> list[str]:
    return [f"{TABLE}[{i}].{column}" for i in rows[:SHOWN]]


def _printed(doc: ExtractedDocument, name: str) -> Decimal | None:
    f = doc.fields.get(name)
    if f is None or f.value is None:
        return None
    try:
        return Decimal(str(f.value))
    except InvalidOperation:
        return None


@rule(*TYPES)
def payment_totals_match_rows(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The printed record count, and each printed count and sum by direction, equal the rows'."""
    rows = _rows(doc)
    printed = {name: _printed(doc, name) for name in TOTALS}
    if all(v is None for v in printed.values()):
        yield warning("payment_totals_match_rows", [],
                      "The file prints no totals: its rows could not be checked against them.",
                      "文件未列出合计笔数和金额，交易明细无法与之核对。")
        return
    moved = money_moved(rows)
    counted = {**{k: Decimal(str(v)) for k, v in moved.items() if k != "excluded_rows"},
               "record_count": Decimal(len(rows))}
    wrong = [name for name, value in printed.items() if value is not None and value != counted[name]]
    if wrong:
        said = "; ".join(f"{name} printed {printed[name]}, rows give {counted[name]}" for name in wrong)
        said_zh = "；".join(f"{label_zh(doc.doc_type, name)}所列 {printed[name]}，明细合计 {counted[name]}"
                           for name in wrong)
        yield error("payment_totals_match_rows", wrong,
                    f"The printed totals do not match the rows ({said}); closed and refunded rows count as no "
                    "money moved.",
                    f"文件所列合计与交易明细不符（{said_zh}）；交易关闭、已退款的记录不计入。")


@rule(*TYPES)
def payment_order_ids_unique(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """Every order number is printed once: a copied row repeats one."""
    ids = [str(r["order_id"].value) for r in _rows(doc) if r.get("order_id") and r["order_id"].value]
    twice = {i for i, n in Counter(ids).items() if n > 1}
    if twice:
        rows = [i for i, r in enumerate(_rows(doc)) if r.get("order_id") and str(r["order_id"].value) in twice]
        yield error("payment_order_ids_unique", _paths(rows, "order_id"),
                    f"{len(rows)} rows share an order number: a platform prints each order once.",
                    f"{len(rows)} 条记录的交易订单号重复：平台导出的每笔订单只出现一次。")


@rule(*TYPES)
def payment_rows_readable(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """Every row has a time, a direction, an amount and an order number."""
    bad: dict[str, list[int]] = {}
    for i, row in enumerate(_rows(doc)):
        for column in ROW_NEEDS:
            if row.get(column) is None or row[column].value is None:
                bad.setdefault(column, []).append(i)
    for column, rows in bad.items():
        yield error("payment_rows_readable", _paths(rows, column),
                    f"{len(rows)} rows have no readable {column.replace('_', ' ')}.",
                    f"{len(rows)} 条记录的{label_zh(doc.doc_type, f'{TABLE}[0].{column}')}无法识别。")


@rule(*TYPES)
def payment_rows_in_period(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """Every row's day is inside the printed period."""
    start, end = _day(doc.fields.get("period_start")), _day(doc.fields.get("period_end"))
    if start is None or end is None:
        return
    outside = [i for i, r in enumerate(_rows(doc))
               if (d := _day(r.get("date"))) is not None and not start <= d <= end]
    if outside:
        yield error("payment_rows_in_period", _paths(outside, "date"),
                    f"{len(outside)} rows lie outside the printed period {start} – {end}.",
                    f"{len(outside)} 条记录不在所列期间 {start} 至 {end} 之内。")


@rule(*TYPES)
def payment_rows_in_order(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The rows are in time order (newest or oldest first, as the file starts): an inserted row breaks it."""
    stamps = [(i, s) for i, r in enumerate(_rows(doc)) if (s := stamp(r))]
    newest_first = doc.meta.get("order") == "newest_first"
    broken = [i for (_, a), (i, b) in itertools.pairwise(stamps) if (b > a if newest_first else b < a)]
    if broken:
        yield error("payment_rows_in_order", _paths(broken, "time"),
                    f"{len(broken)} rows break the file's time order: the platform prints rows in order.",
                    f"{len(broken)} 条记录打乱了时间顺序：平台导出的记录按时间排列。")


@rule(*TYPES)
def payment_period_covers_required_months(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The records span ``ctx.statement_months`` months and end at most ``ctx.statement_max_age_days`` days
    before the upload, as a bank statement must."""
    start, end = _day(doc.fields.get("period_start")), _day(doc.fields.get("period_end"))
    if start is None or end is None:
        return  # the required-fields rule names them
    try:
        problem = period_problem(start, end, ctx.today, ctx.statement_months, ctx.statement_max_age_days,
                                 later_ok=True)
    except (OverflowError, ValueError):
        return
    if problem is not None:
        yield error("payment_period_covers_required_months", ["period_start", "period_end"], *problem)


def _day(f: Field | None) -> dt.date | None:
    return None if f is None else iso_date(f.value)
