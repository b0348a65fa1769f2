"""Bank statements (银行流水): the header fields and every transaction, with provenance.

A statement spans pages, so the reader hands it all of them at once
(:meth:`BankStatement.extract_pages`). The layout is detected from the first
page and the PDF metadata (:mod:`extractors.statements.layout`); the table is
read by :mod:`extractors.statements.table`; values are parsed by
:mod:`extractors.statements.values`. Nothing here checks the numbers — the
balance chain and the other rules are in :mod:`validators.bank_statement` —
but a cell that cannot be read is kept as a field with ``value: None`` and
its raw text, so the rules can say which cell it was.

Transactions are kept in printed order; ``meta["order"]`` says whether the
bank prints the newest first. Opening and closing balances the statement does
not print are derived from the first and last rows (source ``derived``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from extractors.doctypes.base import DocTypeExtractor, FieldSpec, Kind, TableSpec
from extractors.models import ExtractedDocument, Field, FieldValue, RetakeReason, Source, TextLine
from extractors.statements import analytics
from extractors.statements.layout import GENERIC, Layout, bank_in, detect
from extractors.statements.table import Row, Table, above_header, read_table
from extractors.statements.values import (
    amount_text,
    currency,
    norm,
    parse_amount,
    parse_day,
    parse_time,
    split_counterparty,
)
from extractors.text import Joined, reading_order

TRANSACTIONS = TableSpec("transactions", "流水明细", "Transactions", (
    FieldSpec("date", Kind.DATE, "日期", "Date"),
    FieldSpec("time", Kind.TIME, "时间", "Time"),
    FieldSpec("amount", Kind.MONEY, "金额", "Amount"),
    FieldSpec("balance", Kind.MONEY, "余额", "Balance"),
    FieldSpec("counterparty", Kind.TEXT, "对方户名", "Counterparty", personal=True),
    FieldSpec("counterparty_account", Kind.ACCOUNT, "对方账号", "Counterparty account", personal=True),
    FieldSpec("summary", Kind.TEXT, "摘要", "Summary"),
    FieldSpec("channel", Kind.TEXT, "渠道", "Channel"),
))
TRANSACTION_FIELDS = tuple(c.name for c in TRANSACTIONS.columns)

_DATE = r"(\d{4}\s*[-./年]?\s*\d{1,2}\s*[-./月]?\s*\d{1,2}日?)"
_ANY_LABEL_PERIOD = rf"(?:^|\n)[\u4e00-\u9fff]{{2,6}}[:：]\n?{_DATE}\s*(?:至|到|—|~|－)+\s*{_DATE}\s*(?=\n|$)"
ANY_LABEL = frozenset({_ANY_LABEL_PERIOD})
"""Patterns whose label may be anything (a scan garbled it): taken only when they match once in the header."""
HEADER_PATTERNS: dict[str, tuple[str, ...]] = {
    "account_name": (r"(?:户名|客户姓名|账户名称|账户名|客户名称|姓名)[:：]?\n?([^\n:：]{1,30}?)(?=\n|$)",
                     r"[^\W\d]户名称[:：]\n?([^\n:：]{1,30}?)(?=\n|$)"),
    "account_number": (r"(?:借记卡号|银行卡号|卡号|账号|客户账号|账户号码|账户)[:：]?\n?([0-9*\s]{8,32})",),
    "currency": (r"(?:币种|币别|货币)[:：]?\n?([^\n]{1,8}?)(?=\n|$)",),
    "period": (rf"(?:起止日期|交易区间|查询期间|查询区间|起讫日期|交易期间|日期范围|查询时间段)[:：]?\n?"
               rf"{_DATE}\n?(?:至|到|-|—|~|－)+\n?{_DATE}",
               rf"(?:起始日期|开始日期)[:：]?\n?{_DATE}\n?(?:结束日期|截止日期|终止日期)[:：]?\n?{_DATE}",
               _ANY_LABEL_PERIOD),
    "opening_balance": (r"(?:期初余额|上期余额|起始余额)[:：]?\n?([+\-]?\d[\d,.，]*\d)(?!\d)",),
    "closing_balance": (r"(?:期末余额|本期余额|截止余额)[:：]?\n?([+\-]?\d[\d,.，]*\d)(?!\d)",),
}
"""Header labels of Chinese statements; a layout's own patterns (``Layout.header_fields``) are tried first, and
a label a scan garbled is tried last (``胀户名称：…``; for the period, any label before a range of two dates).
A printed balance is taken whole (``5.524.84`` stays unreadable for the rules and repairs, never ``5.52``)."""

_NUMBER = r"[:：]?([+\-]?\d[\d,.，]*\d)(?!\d)"
PRINTED_TOTALS: dict[str, re.Pattern[str]] = {
    "count": re.compile(r"(?:交易笔数|本期笔数|总笔数|交易总笔数)[:：]?(\d+)(?!\d)|共(\d+)笔"),
    "inflow": re.compile(r"(?<!本页)(?:收入合计|本期收入|收入总额|收入总计|贷方合计|贷方发生额合计|存入合计)"
                         + _NUMBER),
    "outflow": re.compile(r"(?<!本页)(?:支出合计|本期支出|支出总额|支出总计|借方合计|借方发生额合计|支取合计)"
                          + _NUMBER),
}
"""What a statement prints under its table about the whole period: the number of transactions, the money in
and out. Kept in ``meta["printed_totals"]`` for the rules to check against the rows."""
PAGE_TOTALS: dict[str, re.Pattern[str]] = {
    "inflow": re.compile(r"本页(?:收入|贷方|存入)(?:发生额)?(?:合计|总额|金额)?" + _NUMBER),
    "outflow": re.compile(r"本页(?:支出|借方|支取)(?:发生额)?(?:合计|总额|金额)?" + _NUMBER),
}
"""What a statement prints under each page's table about that page: the money in and out of its rows. Kept in
``meta["page_totals"]`` (by page number) for the rules."""


class BankStatement(DocTypeExtractor):
    doc_type = "bank_statement"
    label = ("银行流水", "Bank statement")
    fields = (
        FieldSpec("bank_name", Kind.TEXT, "开户银行", "Bank"),
        FieldSpec("account_name", Kind.TEXT, "户名", "Account name", personal=True, required=True,
                  applicant="name"),
        FieldSpec("account_number", Kind.ACCOUNT, "账号", "Account number", personal=True, required=True),
        FieldSpec("currency", Kind.TEXT, "币种", "Currency"),
        FieldSpec("period_start", Kind.DATE, "起始日期", "Period start"),
        FieldSpec("period_end", Kind.DATE, "截止日期", "Period end"),
        FieldSpec("opening_balance", Kind.MONEY, "期初余额", "Opening balance"),
        FieldSpec("closing_balance", Kind.MONEY, "期末余额", "Closing balance"),
    )
    tables = (TRANSACTIONS,)
    keywords = ("余额", "日期", "金额", "明细")
    multipage = True
    generic = True
    CUES: ClassVar[tuple[tuple[str, ...], ...]] = (
        ("余额",), ("日期", "交易时间"), ("金额", "发生额", "收入", "支出"), ("明细", "流水", "对账单", "交易记录"))

    @classmethod
    def score(cls, lines: Sequence[TextLine]) -> float:
        """Share of the cue groups found: balance, date, amount words and a statement title word.

        It is ``generic``: a payment platform's proof prints all four (its rows pay from 账户余额) and scores as
        high; the specific type wins the tie.
        """
        text = norm("".join(line.text for line in lines))
        return sum(1 for group in cls.CUES if any(w in text for w in group)) / len(cls.CUES)

    def extract(self, lines: Sequence[TextLine], page: int = 1) -> ExtractedDocument:
        return self.extract_pages([(page, lines)])

    @classmethod
    def order_pages(cls, pages: Sequence[Sequence[TextLine]]) -> list[int] | None:
        """Pages without page numbers in the order that makes the balance chain run across their boundaries,
        the page with the statement's header (holder, account) first, and the dates run one way; ties keep the
        order the photos arrived in. Up to :data:`ORDER_BY_CHAIN` pages are ordered by trying every order;
        more, by their first row's date."""
        read = [cls().extract_pages([(i + 1, lines)]) for i, lines in enumerate(pages)]
        rows = [_dated_rows(doc) for doc in read]
        if any(not r for r in rows):
            return None
        headed = [sum(1 for n in ("account_name", "account_number") if doc.fields.get(n) is not None
                      and doc.fields[n].value) for doc in read]
        newest_first = sum(r[0][0] > r[-1][0] for r in rows) > len(rows) / 2
        if len(pages) > ORDER_BY_CHAIN:
            return sorted(range(len(pages)), key=lambda i: rows[i][0][0], reverse=newest_first)

        def score(order: tuple[int, ...]) -> tuple[int, int, int]:
            links = dates = 0
            for a, b in itertools.pairwise(order):
                last, first = rows[a][-1], rows[b][0]
                if newest_first:  # print order runs back in time: the earlier-printed row is the later one
                    links += last[2] == first[2] + last[1]
                    dates += last[0] >= first[0]
                else:
                    links += first[2] == last[2] + first[1]
                    dates += last[0] <= first[0]
            return links, headed[order[0]], dates

        best = max(itertools.permutations(range(len(pages))), key=score)  # the first best: arrival breaks ties
        return list(best)

    def extract_pages(self, pages: Sequence[tuple[int, Sequence[TextLine]]],
                      meta: dict[str, Any] | None = None) -> ExtractedDocument:
        meta = dict(meta or {})
        first_text = "".join(c.text for c in above_header(pages[0][1], GENERIC)) if pages else ""
        detection = detect(first_text, meta.get("pdf_producer"), meta.get("pdf_creator"))
        meta["layout"] = detection.layout.name
        meta["layout_note"] = detection.note
        doc = ExtractedDocument(doc_type=self.doc_type, page=pages[0][0] if pages else 1,
                                pages=[p for p, _ in pages], meta=meta)
        meta = doc.meta  # the document's own copy, filled in below
        table = read_table(pages, detection.layout)
        if table is None:
            meta["table"] = "no column header line found"
            doc.fields = self._header(list(pages[0][1]) if pages else [], detection.layout, [])
            doc.tables["transactions"] = []
            doc.reject_reason = _empty_reason(pages)
            return doc
        meta["columns"] = [{"header": c.header, "role": c.role} for c in table.columns]
        if table.pages_without_header:
            meta["pages_without_header"] = table.pages_without_header
        rows = [self._transaction(r, table) for r in table.rows]
        doc.tables["transactions"] = rows
        if not rows:
            doc.reject_reason = _empty_reason(pages)
        meta["order"] = _order(rows)
        doc.fields = self._header(table.header_cells + table.footer_cells, detection.layout, rows,
                                  newest_first=meta["order"] == "newest_first")
        totals = printed_totals(table.footer_cells)
        if totals:
            meta["printed_totals"] = totals
        by_page = {str(p): t for p, cells in table.page_footers.items() if (t := printed_totals(cells, PAGE_TOTALS))}
        if by_page:
            meta["page_totals"] = by_page
        return doc

    @staticmethod
    def analyse(doc: ExtractedDocument) -> dict[str, Any] | None:
        return analytics.compute(doc)

    @staticmethod
    def time_order(doc: ExtractedDocument) -> list[int]:
        """Indexes of the transactions in time order: printed order, reversed for a newest-first statement."""
        idx = list(range(len(doc.tables.get("transactions", []))))
        return idx[::-1] if doc.meta.get("order") == "newest_first" else idx

    @staticmethod
    def doubted(doc: ExtractedDocument) -> list[tuple[str, Field]]:
        """OCR'd amounts and balances that do not parse, and those around each break of the balance chain
        (the row's amount and balance and the balance before it): a misread digit or sign shows there."""
        rows = doc.tables.get("transactions", [])
        order = BankStatement.time_order(doc)
        wanted: dict[str, Field] = {}

        def want(i: int, name: str) -> None:
            f = rows[i].get(name)
            if f is not None and f.source == Source.OCR and f.raw:
                wanted[f"transactions[{i}].{name}"] = f

        for i, row in enumerate(rows):
            for name in ("amount", "balance"):
                if row.get(name) is not None and row[name].value is None:
                    want(i, name)
        for prev, cur in itertools.pairwise(order):
            before, amount, after = (decimal_of(rows[prev].get("balance")), decimal_of(rows[cur].get("amount")),
                                     decimal_of(rows[cur].get("balance")))
            if before is not None and amount is not None and after is not None and before + amount != after:
                want(cur, "amount")
                want(cur, "balance")
                want(prev, "balance")
        return list(wanted.items())[:MAX_REREAD]

    @staticmethod
    def reread(doc: ExtractedDocument, readings: dict[str, tuple[str, float]]) -> None:
        """A second reading replaces the first where it holds an amount; its sign stays the first one's when
        the sign came from elsewhere (a 借/贷 flag, a debit or credit column)."""
        rows = doc.tables.get("transactions", [])
        signed_column = any(c.get("role") == "amount" for c in doc.meta.get("columns", [])) \
            and not any(c.get("role") == "flag" for c in doc.meta.get("columns", []))
        for path, (text, confidence) in readings.items():
            m = re.fullmatch(r"transactions\[(\d+)\]\.(amount|balance)", path)
            found = _AMOUNT_IN.search(norm(text))
            if not m or not found or int(m[1]) >= len(rows):
                continue
            value = parse_amount(found[0])
            old = rows[int(m[1])][m[2]]
            if value is None:
                continue
            if m[2] == "amount" and not signed_column:
                if old.value is None:
                    continue
                value = -abs(value) if str(old.value).startswith("-") else abs(value)
            if old.value == amount_text(value):
                continue
            rows[int(m[1])][m[2]] = old.model_copy(update={
                "value": amount_text(value), "raw": found[0], "confidence": round(confidence, 4),
                "note": f"read again with the card recogniser; first reading {old.raw!r}"})

    # -- rows ----------------------------------------------------------------------------------------

    def _transaction(self, row: Row, table: Table) -> dict[str, Field]:
        source = _source(row)
        out: dict[str, Field] = {}

        def put(name: str, role: str, value: FieldValue, raw: str | None = None) -> None:
            out[name] = Field(value=value, raw=raw if raw is not None else row.text(role),
                              confidence=round(row.confidence(role), 4), source=source, page=row.page,
                              bbox=row.bbox(role))

        date_raw = row.text("date")
        put("date", "date", parse_day(date_raw))
        if "time" in row.roles:
            put("time", "time", parse_time(row.text("time")))
        elif date_raw and parse_time(date_raw):
            put("time", "date", parse_time(date_raw))
        amount = _amount(row, table.roles)
        if amount is not None:
            role, value, raw = amount
            put("amount", role, None if value is None else amount_text(value), raw)
            if value is None and role in ("inflow", "outflow"):
                out["amount"].note = f"printed in the {role} column"
        if "balance" in row.roles:
            bal = parse_amount(row.text("balance"))
            put("balance", "balance", None if bal is None else amount_text(bal))
        if "counterparty_both" in row.roles:
            name, account = split_counterparty(row.text("counterparty_both"))
            put("counterparty", "counterparty_both", name)
            if account:
                put("counterparty_account", "counterparty_both", account)
        if "counterparty" in row.roles:
            put("counterparty", "counterparty", row.text("counterparty"))
        if "counterparty_account" in row.roles:
            account_raw = row.text("counterparty_account") or ""
            put("counterparty_account", "counterparty_account", re.sub(r"\s+", "", account_raw) or None)
        if "summary" in row.roles:
            put("summary", "summary", row.text("summary"))
        if "channel" in row.roles:
            put("channel", "channel", row.text("channel"))
        return out

    # -- header --------------------------------------------------------------------------------------

    def _header(self, cells: list[TextLine], layout: Layout, rows: list[dict[str, Field]],
                newest_first: bool = False) -> dict[str, Field]:
        j = Joined(reading_order(cells))
        fields: dict[str, Field] = {}
        source = Source.PDF_TEXT if cells and all(c.confidence == 1.0 for c in cells) else Source.OCR

        def put(name: str, m: re.Match[str], group: int, value: FieldValue) -> None:
            start, end = m.span(group)
            fields[name] = Field(value=value, raw=m[group], confidence=round(j.confidence(start, end), 4),
                                 source=source, page=j.page(), bbox=j.bbox(start, end))

        for name, patterns in HEADER_PATTERNS.items():
            own = layout.header_fields.get(name)
            for pattern in ((own,) if own else ()) + patterns:
                m = re.search(pattern, j.text)
                if not m or (pattern in ANY_LABEL and len(re.findall(pattern, j.text)) != 1):
                    continue
                if name == "period":
                    put("period_start", m, 1, parse_day(m[1]))
                    put("period_end", m, 2, parse_day(m[2]))
                elif name in ("opening_balance", "closing_balance"):
                    value = parse_amount(m[1])
                    put(name, m, 1, None if value is None else amount_text(value))
                elif name == "account_number":
                    put(name, m, 1, re.sub(r"\s+", "", m[1]))
                elif name == "currency":
                    put(name, m, 1, currency(m[1]))
                else:
                    put(name, m, 1, m[1].strip())
                break
        bank = layout.bank_name or bank_in(j.text)
        if bank:
            where = j.text.find(bank)
            fields["bank_name"] = Field(
                value=bank, raw=bank if where >= 0 else None, source=source if where >= 0 else Source.DERIVED,
                confidence=round(j.confidence(where, where + len(bank)), 4) if where >= 0 else 1.0,
                page=j.page(), bbox=j.bbox(where, where + len(bank)) if where >= 0 else None,
                note=None if where >= 0 else f"the {layout.name} layout's bank")
        self._derive_balances(fields, rows, newest_first)
        return fields

    @staticmethod
    def _derive_balances(fields: dict[str, Field], rows: list[dict[str, Field]], newest_first: bool) -> None:
        """Opening and closing balances from the first and last rows, where the header does not print them."""
        chronological = list(reversed(rows)) if newest_first else rows
        if not chronological:
            return
        first, last = chronological[0], chronological[-1]  # an unread end row gives no balance, not another's
        if "opening_balance" not in fields and all(decimal_of(first.get(n)) is not None
                                                   for n in ("balance", "amount")):
            opening = Decimal(str(first["balance"].value)) - Decimal(str(first["amount"].value))
            fields["opening_balance"] = Field(value=amount_text(opening), confidence=first["balance"].confidence,
                                              source=Source.DERIVED, page=first["balance"].page,
                                              bbox=first["balance"].bbox,
                                              note="the first transaction's balance less its amount")
        if "closing_balance" not in fields and decimal_of(last.get("balance")) is not None:
            fields["closing_balance"] = last["balance"].model_copy(update={
                "source": Source.DERIVED, "note": "the last transaction's balance"})


def printed_totals(cells: Sequence[TextLine],
                   patterns: dict[str, re.Pattern[str]] = PRINTED_TOTALS) -> dict[str, str]:
    """The period's totals printed under the table (:data:`PRINTED_TOTALS`; a page's own with
    :data:`PAGE_TOTALS`), as read; a total that does not parse is left out (the rules cannot check it, and it
    is not a value of the record).

    >>> from extractors.models import TextLine
    >>> printed_totals([TextLine(text="交易笔数：26 收入合计：73,020.79 支出合计：3,986.66", confidence=1.0, page=1,
    ...                          bbox=(0, 0, 10, 10))])
    {'count': '26', 'inflow': '73020.79', 'outflow': '3986.66'}
    >>> printed_totals([TextLine(text="本页收入：161,673.07　本页支出：156,091.14", confidence=1.0, page=1,
    ...                          bbox=(0, 0, 10, 10))], PAGE_TOTALS)
    {'inflow': '161673.07', 'outflow': '156091.14'}
    """
    text = norm(Joined(reading_order(list(cells))).text) if cells else ""
    out: dict[str, str] = {}
    for name, pattern in patterns.items():
        m = pattern.search(text)
        if not m:
            continue
        if name == "count":
            out[name] = m[1] or m[2]
            continue
        value = parse_amount(m[1]) if re.search(r"[.,，]\d{2}$", m[1]) else None  # cents cut off: not the total
        if value is not None:
            out[name] = amount_text(abs(value))
    return out


NO_ROWS = re.compile(r"无交易|没有交易|无记录|暂无|没有记录|无明细")


def _empty_reason(pages: Sequence[tuple[int, Sequence[TextLine]]]) -> RetakeReason:
    """No rows: the statement says it has none, or (a text layer holds everything there is) it has none;
    on a photo or scan, the rows could not be read."""
    cells = [c for _, lines in pages for c in lines]
    text = norm("".join(c.text for c in cells))
    if NO_ROWS.search(text) or (cells and all(c.confidence == 1.0 for c in cells)):
        return RetakeReason.NO_TRANSACTIONS
    return RetakeReason.UNREADABLE


MAX_REREAD = 90
"""At most this many cells of one statement are read a second time (a page of breaks is not a misread)."""
_AMOUNT_IN = re.compile(r"[+\-]?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d{2}")


ORDER_BY_CHAIN = 7
"""Pages without page numbers up to this many are ordered by trying every order (5 040 orders at 7)."""


def _dated_rows(doc: ExtractedDocument) -> list[tuple[str, Decimal, Decimal]]:
    """A page's rows that have a date, an amount and a balance: (date, amount, balance), in print order."""
    out = []
    for row in doc.tables.get("transactions", []):
        day, amount, balance = row.get("date"), decimal_of(row.get("amount")), decimal_of(row.get("balance"))
        if day is not None and isinstance(day.value, str) and amount is not None and balance is not None:
            out.append((day.value, amount, balance))
    return out


def decimal_of(f: Field | None) -> Decimal | None:
    """A field's value as a finite Decimal, or None (missing, unread, or not a number)."""
    return None if f is None else decimal_value(f.value)


def decimal_value(value: object) -> Decimal | None:
    """A value as a finite Decimal, or None (missing, a yes/no, or not a number)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        d = Decimal(str(value))
    except (ArithmeticError, ValueError):
        return None
    return d if d.is_finite() else None


def _source(row: Row) -> Source:
    cells = [c for cs in row.cells.values() for c in cs]
    return Source.PDF_TEXT if cells and all(c.confidence == 1.0 for c in cells) else Source.OCR


def _amount(row: Row, roles: set[str]) -> tuple[str, Decimal | None, str | None] | None:
    """The signed amount (income positive): one signed column, an unsigned one with a 借/贷 flag,
    or separate inflow and outflow columns."""
    if "amount" in roles:
        raw = row.text("amount")
        value = parse_amount(raw)
        if value is not None and "flag" in roles:
            flag = norm(row.text("flag") or "")
            if any(w in flag for w in ("借", "支", "出", "D")):
                value = -abs(value)
            elif any(w in flag for w in ("贷", "收", "入", "C")):
                value = abs(value)
            else:
                value = None
            raw = f"{row.text('flag') or ''} {raw}".strip()
        return "amount", value, raw
    if "inflow" in roles or "outflow" in roles:
        inflow, outflow = parse_amount(row.text("inflow")), parse_amount(row.text("outflow"))
        if inflow and not outflow:
            return "inflow", abs(inflow), row.text("inflow")
        if outflow and not inflow:
            return "outflow", -abs(outflow), row.text("outflow")
        role = "inflow" if row.text("inflow") else "outflow"
        return role, None, " / ".join(t for t in (row.text("inflow"), row.text("outflow")) if t) or None
    return None


def _order(rows: list[dict[str, Field]]) -> str:
    dates = [str(r["date"].value) for r in rows if r.get("date") and r["date"].value]
    if len(dates) >= 2 and dates[0] > dates[-1]:
        return "newest_first"
    if len(dates) >= 2 and dates[0] == dates[-1] and len(rows) >= 2:
        return _order_by_chain(rows)
    return "oldest_first"


def _order_by_chain(rows: list[dict[str, Field]]) -> str:
    """All on one day: the direction in which the balances follow from the amounts."""

    def fits(seq: list[dict[str, Field]]) -> int:
        ok = 0
        for prev, cur in itertools.pairwise(seq):
            try:
                if Decimal(str(prev["balance"].value)) + Decimal(str(cur["amount"].value)) \
                        == Decimal(str(cur["balance"].value)):
                    ok += 1
            except (KeyError, ArithmeticError, ValueError, TypeError):
                continue
        return ok

    return "newest_first" if fits(list(reversed(rows))) > fits(rows) else "oldest_first"
