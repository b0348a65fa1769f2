"""Payment platform records (支付宝/微信支付 交易明细): what both platforms' exports hold, read into fields.

Alipay and WeChat Pay print the same things under different names: a preamble (holder, account, period,
how many records, income and expense totals), then one row per transaction — time to the second, in or out
(收/支), amount, counterparty, goods, status, the platform's order number. They print **no running
balance**: integrity comes from the printed totals, the statuses and the order numbers
(:mod:`validators.payments`).

A parsed export is a :class:`Parsed` — header text, column cells by our column names — whatever form it came
in (:mod:`extractors.payments.exports` for the CSV and XLSX files, :mod:`extractors.payments.proofs` for the
PDF proofs); :func:`document` turns it into an :class:`ExtractedDocument`.

>>> direction("不计收支"), direction("/"), direction("收入"), direction("支出 "), direction("资金转移")
('不计收支', '不计收支', '收入', '支出', '不计收支')
>>> moves_money("交易关闭"), moves_money("已全额退款"), moves_money("支付成功"), moves_money("对方已收钱")
(False, False, True, True)
>>> printed_totals("共12笔记录\\n收入：3笔 1,200.00元\\n支出：8笔 356.40元\\n不计收支：1笔 10.00元")
{'record_count': 12, 'income_count': 3, 'income_total': Decimal('1200.00'), 'expense_count': 8, \
'expense_total': Decimal('356.40'), 'neutral_count': 1, 'neutral_total': Decimal('10.00')}
>>> printed_totals("已收入:2笔,30.00元\\n待收入:0笔,0.00元\\n已支出:5笔,66.60元")["expense_total"]
Decimal('66.60')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from extractors.doctypes.base import FieldSpec, Kind, TableSpec
from extractors.models import BBox, ExtractedDocument, Field, Source
from extractors.statements import analytics
from extractors.statements.values import amount_text, norm, parse_amount, parse_day, parse_time

INCOME, EXPENSE, NEUTRAL = "收入", "支出", "不计收支"

TRANSACTIONS = TableSpec("transactions", "交易明细", "Transactions", (
    FieldSpec("date", Kind.DATE, "交易日期", "Date"),
    FieldSpec("time", Kind.TIME, "交易时间", "Time"),
    FieldSpec("direction", Kind.TEXT, "收/支", "In or out", choices=(INCOME, EXPENSE, NEUTRAL)),
    FieldSpec("amount", Kind.MONEY, "金额", "Amount"),
    FieldSpec("counterparty", Kind.TEXT, "交易对方", "Counterparty", personal=True),
    FieldSpec("counterparty_account", Kind.ACCOUNT, "对方账号", "Counterparty account", personal=True),
    FieldSpec("goods", Kind.TEXT, "商品说明", "Goods or note"),
    FieldSpec("category", Kind.TEXT, "交易分类", "Category"),
    FieldSpec("method", Kind.TEXT, "收/付款方式", "Paid with"),
    FieldSpec("status", Kind.TEXT, "交易状态", "Status"),
    FieldSpec("order_id", Kind.TEXT, "交易订单号", "Order number"),
    FieldSpec("merchant_order_id", Kind.TEXT, "商家订单号", "Merchant order number"),
))
"""A row's amount is signed: money in positive, money out negative; a 不计收支 row (a move between the
holder's own balances) keeps the printed, positive amount."""

FIELDS = (
    FieldSpec("account_name", Kind.TEXT, "姓名", "Account holder", personal=True, applicant="name"),
    FieldSpec("id_number", Kind.ID_NUMBER, "证件号码", "ID number", personal=True, applicant="id_number"),
    FieldSpec("account", Kind.ACCOUNT, "账户", "Account", personal=True, required=True),
    FieldSpec("period_start", Kind.DATE, "起始时间", "Period start", required=True),
    FieldSpec("period_end", Kind.DATE, "终止时间", "Period end", required=True),
    FieldSpec("record_count", Kind.COUNT, "记录笔数", "Records"),
    FieldSpec("income_count", Kind.COUNT, "收入笔数", "Income: count"),
    FieldSpec("income_total", Kind.MONEY, "收入金额", "Income: total"),
    FieldSpec("expense_count", Kind.COUNT, "支出笔数", "Expense: count"),
    FieldSpec("expense_total", Kind.MONEY, "支出金额", "Expense: total"),
    FieldSpec("neutral_count", Kind.COUNT, "不计收支笔数", "Neither: count"),
    FieldSpec("neutral_total", Kind.MONEY, "不计收支金额", "Neither: total"),
)
TOTALS = ("record_count", "income_count", "income_total", "expense_count", "expense_total", "neutral_count",
          "neutral_total")

COLUMNS: dict[str, str] = {
    "交易时间": "datetime", "交易创建时间": "datetime",
    "交易分类": "category", "类型": "category", "交易类型": "category",
    "交易对方": "counterparty", "对方账号": "counterparty_account",
    "商品说明": "goods", "商品名称": "goods", "商品": "goods",
    "收/支": "direction", "收/支/其他": "direction",
    "金额": "amount", "金额(元)": "amount",
    "收/付款方式": "method", "支付方式": "method", "交易方式": "method",
    "交易状态": "status", "当前状态": "status",
    "交易订单号": "order_id", "交易号": "order_id", "交易单号": "order_id",
    "商家订单号": "merchant_order_id", "商户单号": "merchant_order_id",
    "成功退款(元)": "refunded", "资金状态": "fund_state",
}
"""Column headers of both platforms' exports and proofs (NFKC, no spaces) → our column. Read from public bill
importers (mayswind/ezbookkeeping's Alipay app and web CSV importers, jiegec/china_bean_importers' WeChat
importer, deb-sig/double-entry-generator's example records); columns not named here are not read."""

NOT_MOVED = re.compile(r"关闭|失败|全额退款|退款成功|已退还|已撤销|已退款$")
"""Statuses of a row that moved no money: closed, failed, or refunded in full (交易关闭, 已全额退款…)."""


def column_of(header: str) -> str | None:
    return COLUMNS.get(norm(header))


def direction(text: str | None) -> str | None:
    """收入, 支出 or 不计收支 (WeChat prints ``/`` and 其他 for what Alipay calls 不计收支); None if unreadable."""
    t = norm(text or "")
    if t in (INCOME, "已收入"):
        return INCOME
    if t in (EXPENSE, "已支出"):
        return EXPENSE
    if t in (NEUTRAL, "/", "其他", "中性交易", "资金转移"):
        return NEUTRAL
    return None


def moves_money(status: str | None) -> bool:
    return not NOT_MOVED.search(norm(status or ""))


_MONEY = r"([+\-]?\d[\d,]*(?:\.\d{1,2})?)"
_TOTAL_PATTERNS = {
    "record_count": re.compile(r"共(\d+)笔(?:记录)?"),
    "income": re.compile(rf"(?<!待)(?<!不计)收入[:：](\d+)笔[,，]?[¥￥]?{_MONEY}元?"),
    "expense": re.compile(rf"(?<!待)支出[:：](\d+)笔[,，]?[¥￥]?{_MONEY}元?"),
    "neutral": re.compile(rf"(?:不计收支|中性交易)[:：](\d+)笔[,，]?[¥￥]?{_MONEY}元?"),
}


def printed_totals(text: str) -> dict[str, Any]:
    """The counts and totals the export prints about its rows (in the preamble or under the table)."""
    t = norm(text)
    out: dict[str, Any] = {}
    if m := _TOTAL_PATTERNS["record_count"].search(t):
        out["record_count"] = int(m[1])
    for name in ("income", "expense", "neutral"):
        if m := _TOTAL_PATTERNS[name].search(t):
            out[f"{name}_count"] = int(m[1])
            out[f"{name}_total"] = parse_amount(m[2])
    return out


_DATE = r"(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)"
HEADER_PATTERNS: dict[str, tuple[str, ...]] = {
    "account_name": (r"姓名[:：]\[?([^\]\s,，:：]{1,20})", r"兹证明[:：]([^\s（(,，]{1,20})[（(]"),
    "id_number": (r"(?:证件号码|身份证号码|身份证号|身份证)[:：]([0-9Xx*]{15,18})",),
    "account": (r"(?:支付宝账户|支付宝账号|微信昵称|微信号|账号|账户)[:：]?\[?"
                r"([^\]\s,，（(]{1,40}?)(?:\]|中的|中|$|,)",),
    "period": (rf"起始(?:时间|日期)[:：]\[?{_DATE}[^\]终]*\]?终止(?:时间|日期)[:：]\[?{_DATE}",
               rf"(?:交易时间段|交易时间|时间范围|起止时间)[:：]{_DATE}[\d:]*(?:至|到|-|~){_DATE}"),
}
"""The preamble's labels, on the text with spaces removed (line ends kept). Alipay's app CSV: ``姓名：``
``支付宝账户：``
``起始时间：[…]    终止时间：[…]``; its web CSV: ``账号:[…]`` ``起始日期:[…]``; WeChat's: ``微信昵称：[…]``;
the PDF proofs: ``兹证明：姓名（证件号码：…）在其支付宝账号…中``."""


def header_fields(text: str, *, source: Source, page: int = 1) -> dict[str, Field]:
    t = "\n".join(norm(line) for line in text.splitlines())
    out: dict[str, Field] = {}
    for name, patterns in HEADER_PATTERNS.items():
        for pattern in patterns:
            m = re.search(pattern, t, re.M)
            if not m:
                continue
            if name == "period":
                start, end = parse_day(m[1]), parse_day(m[2])
                out["period_start"] = Field(value=start, raw=m[1], source=source, page=page)
                out["period_end"] = Field(value=end, raw=m[2], source=source, page=page)
            else:
                value = m[1].upper() if name == "id_number" else m[1]
                out[name] = Field(value=value, raw=m[1], source=source, page=page)
            break
    for name, value in printed_totals(text).items():
        shown = amount_text(value) if isinstance(value, Decimal) else value
        out[name] = Field(value=shown, raw=str(value), source=source, page=page)
    return out


@dataclass
class Cell:
    text: str
    page: int = 1
    bbox: BBox | None = None
    confidence: float = 1.0


@dataclass
class Parsed:
    """One export, whatever its form: the text around the table and the rows' cells by our column names."""

    form: str
    """``alipay_csv``, ``wechat_xlsx``, ``wechat_csv``, ``alipay_pdf``, ``wechat_pdf``."""
    header_text: str
    rows: list[dict[str, Cell]]
    source: Source
    footer_text: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


def _field(cell: Cell | None, value: Any, source: Source) -> Field | None:
    if cell is None:
        return None
    return Field(value=value, raw=cell.text, confidence=cell.confidence, source=source, page=cell.page,
                 bbox=cell.bbox)


def row_fields(cells: dict[str, Cell], source: Source) -> dict[str, Field]:
    """One transaction's fields; a cell that cannot be read keeps its raw text with ``value: None``."""
    row: dict[str, Field] = {}
    when = cells.get("datetime")
    if when is not None:
        row["date"] = Field(value=parse_day(when.text), raw=when.text, confidence=when.confidence, source=source,
                            page=when.page, bbox=when.bbox)
        row["time"] = Field(value=parse_time(when.text) if parse_day(when.text) else None, raw=when.text,
                            confidence=when.confidence, source=source, page=when.page, bbox=when.bbox)
    way = direction(cells["direction"].text) if "direction" in cells else None
    if way is None and "fund_state" in cells:  # Alipay's web export leaves 收/支 blank for 资金转移
        way = direction(cells["fund_state"].text)
    if "direction" in cells or way:
        row["direction"] = _field(cells.get("direction") or cells["fund_state"], way, source)  # type: ignore[assignment]
    if "amount" in cells:
        amount = parse_amount(cells["amount"].text)
        if amount is not None and amount < 0:
            amount = None  # the platforms print amounts unsigned; a sign is no export of theirs
        elif amount is not None and way == EXPENSE:
            amount = -amount
        row["amount"] = _field(cells["amount"], None if amount is None else amount_text(amount), source)  # type: ignore[assignment]
    for name in ("counterparty", "counterparty_account", "goods", "category", "method", "status", "order_id",
                 "merchant_order_id"):
        cell = cells.get(name)
        if cell is not None:
            text = cell.text.strip()
            row[name] = _field(cell, None if text in ("", "/") else _clean(name, text), source)  # type: ignore[assignment]
    if "refunded" in cells and (refund := parse_amount(cells["refunded"].text)):
        row.setdefault("status", Field(value=None, source=source))
        row["status"].note = f"refunded {amount_text(refund)}"
    return row


def _clean(name: str, text: str) -> str:
    if name in ("order_id", "merchant_order_id"):
        return re.sub(r"\s+", "", text)
    return text


def document(doc_type: str, parsed: Parsed) -> ExtractedDocument:
    """The export as a document: header fields, printed totals, the transactions in printed order."""
    fields = header_fields(parsed.header_text, source=parsed.source)
    for name, f in header_fields(parsed.footer_text, source=parsed.source).items():
        fields.setdefault(name, f)
    pages = sorted({c.page for row in parsed.rows for c in row.values()}) or [1]
    doc = ExtractedDocument(doc_type=doc_type, page=pages[0], pages=pages, fields=fields,
                            meta={"form": parsed.form, **parsed.meta})
    doc.tables["transactions"] = [row_fields(cells, parsed.source) for cells in parsed.rows]
    doc.meta["order"] = order(doc)
    return doc


def order(doc: ExtractedDocument) -> str:
    """``newest_first`` (how both platforms print) or ``oldest_first``, by the rows' first and last times."""
    stamps = [stamp(r) for r in doc.tables.get("transactions", [])]
    known = [s for s in stamps if s]
    return "newest_first" if len(known) > 1 and known[0] > known[-1] else "oldest_first"


def stamp(row: dict[str, Field]) -> str | None:
    d, t = row.get("date"), row.get("time")
    if d is None or d.value is None:
        return None
    return f"{d.value} {t.value if t is not None and t.value else '00:00:00'}"


def money_moved(rows: list[dict[str, Field]]) -> dict[str, Any]:
    """Counts and sums of the rows that moved money, by direction; the rows that did not (closed, failed,
    refunded) by index. Amounts are decimal strings; income and expense totals are unsigned, as printed."""
    sums = {INCOME: Decimal(0), EXPENSE: Decimal(0), NEUTRAL: Decimal(0)}
    counts = {INCOME: 0, EXPENSE: 0, NEUTRAL: 0}
    excluded: list[int] = []
    for i, row in enumerate(rows):
        status = row.get("status")
        if not moves_money(str(status.value) if status is not None and status.value is not None else None):
            excluded.append(i)
            continue
        way = row["direction"].value if row.get("direction") else None
        amount = row["amount"].value if row.get("amount") else None
        if not isinstance(way, str) or way not in sums or amount is None:
            continue
        sums[way] += abs(Decimal(str(amount)))
        counts[way] += 1
    return {"income_count": counts[INCOME], "income_total": amount_text(sums[INCOME]),
            "expense_count": counts[EXPENSE], "expense_total": amount_text(sums[EXPENSE]),
            "neutral_count": counts[NEUTRAL], "neutral_total": amount_text(sums[NEUTRAL]),
            "excluded_rows": excluded}


def analyse(doc: ExtractedDocument) -> dict[str, Any] | None:
    """The bank statement's cash-flow figures (monthly, salary-like credits, flags) on the rows that moved
    money in or out — closed and refunded rows and moves between the holder's own balances left out — and
    the money moved by direction."""
    rows = doc.tables.get("transactions")
    if rows is None:
        return None
    moved = money_moved(rows)
    skip = set(moved["excluded_rows"])
    shadow: list[dict[str, Field]] = []
    for i, row in enumerate(rows):
        way = row.get("direction")
        if i in skip or way is None or way.value not in (INCOME, EXPENSE):
            shadow.append({})
            continue
        words = " ".join(str(row[n].value) for n in ("goods", "category") if row.get(n) and row[n].value)
        shadow.append({k: v for k, v in row.items() if k in ("date", "time", "amount", "counterparty")}
                      | {"summary": Field(value=words)})
    view = ExtractedDocument(doc_type=doc.doc_type, fields=doc.fields, meta={"order": doc.meta.get("order")})
    view.tables["transactions"] = shadow
    figures = analytics.compute(view) or {}
    figures.pop("balance", None)  # the platforms print no balance
    figures["money_moved"] = moved
    return figures
