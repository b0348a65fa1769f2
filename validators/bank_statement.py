"""Rules for bank statements: the balance chain, dates and period, the account, tamper hints.

The balance chain is the strongest tamper signal there is: walking the rows in
time order, every balance must equal the previous balance plus the amount, to
the cent. A break is an error pointing at the row (``transactions[i].balance``,
``i`` in printed order); the message says whether it looks like an edited
balance (the next row follows from the one before the break) or a missing row
(the gap is the amount of a transaction that is not there).

Findings that point into the table name fields as ``transactions[i].<field>``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from stdnum import luhn

from extractors.doctypes.bank_statement import BankStatement, decimal_of, decimal_value
from extractors.models import ExtractedDocument, Field, Finding, Source
from validators._values import add_months
from validators.base import RuleContext, error, rule, warning

T = "bank_statement"
REQUIRED_CELLS = ("date", "amount")
MAX_REPORTED = 20
"""At most this many row findings of one rule; a statement that breaks more is reported as such."""


def _path(i: int, name: str) -> str:
    return f"transactions[{i}].{name}"


def _rows(doc: ExtractedDocument) -> list[dict[str, Field]]:
    return doc.tables.get("transactions", [])


def _day(f: Field | None) -> dt.date | None:
    if f is None or f.value is None:
        return None
    try:
        return dt.date.fromisoformat(str(f.value))
    except ValueError:
        return None


chronological = BankStatement.time_order


@rule(T)
def has_transactions(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """At least one transaction row was read (a statement with none says so and is rejected by the reader)."""
    if not _rows(doc) and doc.reject_reason is None:
        yield error("has_transactions", ["transactions"], "No transaction rows could be read from the statement.",
                    "未能从流水中读取到交易记录。")


@rule(T)
def transaction_cells_read(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """Every row has a date, an amount and (where the statement prints balances) a balance, read with the
    confidence its column needs (:meth:`RuleContext.needed_confidence`).
    A balance column found in the table's header counts as printed even when no row got a balance: a column lost
    in reading must not turn the balance chain off."""
    columns = doc.meta.get("columns")
    headed = isinstance(columns, list) and any(isinstance(c, dict) and c.get("role") == "balance" for c in columns)
    has_balance = headed or any("balance" in r for r in _rows(doc))
    wanted = REQUIRED_CELLS + (("balance",) if has_balance else ())
    problems: list[tuple[int, str, str]] = []
    for i, row in enumerate(_rows(doc)):
        for name in wanted:
            f = row.get(name)
            if f is None or f.value is None:
                problems.append((i, name, "missing" if f is None or not f.raw else "unreadable"))
            elif f.source == Source.OCR and f.confidence < ctx.needed_confidence(f"{T}.transactions.{name}"):
                problems.append((i, name, "unsure"))
    for i, name, what in problems[:MAX_REPORTED]:
        raw = _rows(doc)[i].get(name)
        shown = f" ('{raw.raw}')" if raw is not None and raw.raw and what != "missing" else ""
        en = {"missing": "is missing", "unreadable": f"could not be read{shown}",
              "unsure": f"was read with low confidence{shown}"}[what]
        zh = {"missing": "缺失", "unreadable": f"无法识别{shown}", "unsure": f"识别置信度低{shown}"}[what]
        yield error("transaction_cells_read", [_path(i, name)], f"Row {i + 1}: the {name} {en}.",
                    f"第 {i + 1} 行：{_ZH[name]}{zh}。")
    if len(problems) > MAX_REPORTED:
        yield error("transaction_cells_read", [], f"{len(problems) - MAX_REPORTED} more cells could not be read.",
                    f"另有 {len(problems) - MAX_REPORTED} 个单元格无法识别。")


_ZH = {"date": "日期", "amount": "金额", "balance": "余额", "time": "时间"}
TEXT_CELLS = {"counterparty": "对方户名", "counterparty_account": "对方账号", "summary": "摘要", "channel": "渠道"}
"""Cells nothing checks: no balance chain, checksum or date order shows a misreading of them."""


@rule(T)
def transaction_text_cells_read(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """OCR'd counterparty, counterparty-account, summary and channel cells were read with the confidence their
    column needs (:meth:`RuleContext.needed_confidence`). No other rule can catch a misreading of them, and the
    analytics read them (salary payers, flagged counterparties), so one under its threshold goes to a person:
    one error per column, naming its rows."""
    for name, zh_name in TEXT_CELLS.items():
        needed = ctx.needed_confidence(f"{T}.transactions.{name}")
        unsure = [i for i, row in enumerate(_rows(doc)) if (f := row.get(name)) is not None
                  and f.source == Source.OCR and not _text_confident(f, needed)]
        if not unsure:
            continue
        shown = unsure[:MAX_REPORTED]
        rows_en = ", ".join(str(i + 1) for i in shown) + (" …" if len(unsure) > len(shown) else "")
        yield error("transaction_text_cells_read", [_path(i, name) for i in shown],
                    f"The {name.replace('_', ' ')} of {len(unsure)} row(s) was read with less confidence than "
                    f"{needed:.3f} (rows {rows_en}); nothing else can check it.",
                    f"{len(unsure)} 行的{zh_name}识别置信度低于 {needed:.3f}（第 {rows_en} 行），"
                    "且无法以其他方式核对。")


def _text_confident(f: Field, needed: float) -> bool:
    conf = f.confidence
    return f.value is None or (isinstance(conf, int | float) and not isinstance(conf, bool) and conf >= needed)


@rule(T)
def balance_chain(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """Each balance = previous balance + amount, to the cent, in time order."""
    rows = _rows(doc)
    order = chronological(doc)
    chain = [(i, decimal_of(rows[i].get("amount")), decimal_of(rows[i].get("balance"))) for i in order]
    chain = [(i, a, b) for i, a, b in chain if a is not None and b is not None]
    reported = 0
    for k in range(1, len(chain)):
        i, amount, balance = chain[k]
        _, _, previous = chain[k - 1]
        assert amount is not None and balance is not None and previous is not None
        expected = previous + amount
        if expected == balance:
            continue
        if k >= 2:
            # the break may be the previous row's balance (then this row follows from the one before)
            before, prev_amount = chain[k - 2][2], chain[k - 1][1]
            if before is not None and prev_amount is not None and before + prev_amount != previous:
                continue  # already reported at the previous row
        reported += 1
        if reported > MAX_REPORTED:
            break
        following = chain[k + 1] if k + 1 < len(chain) else None
        gap = balance - expected
        if following is not None and following[1] is not None and following[2] is not None \
                and expected + following[1] == following[2]:
            en = (f"Row {i + 1}: the balance {balance} should be {expected} (previous balance {previous} plus the "
                  f"amount {amount}); the next row follows from {expected}, so this balance was likely altered.")
            zh = (f"第 {i + 1} 行：余额 {balance} 应为 {expected}（上一笔余额 {previous} 加本笔金额 {amount}），"
                  f"下一笔按 {expected} 接续，此余额疑似被改动。")
        else:
            en = (f"Row {i + 1}: the balance {balance} does not follow from the previous balance {previous} and "
                  f"the amount {amount} (off by {gap}); a transaction may be missing before this row, or a value "
                  f"was altered.")
            zh = (f"第 {i + 1} 行：余额 {balance} 与上一笔余额 {previous} 加本笔金额 {amount} 不符（相差 {gap}），"
                  f"可能缺少交易记录或数值被改动。")
        yield error("balance_chain", [_path(i, "balance"), _path(i, "amount")], en, zh)


@rule(T)
def opening_closing_agree(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """A printed opening balance plus the first amount is the first balance; a printed closing one is the last."""
    rows = _rows(doc)
    order = [i for i in chronological(doc) if decimal_of(rows[i].get("balance")) is not None]
    if not order:
        return
    opening, closing = doc.fields.get("opening_balance"), doc.fields.get("closing_balance")
    first, last = order[0], order[-1]
    if opening is not None and opening.source != Source.DERIVED and decimal_of(opening) is not None:
        amount = decimal_of(rows[first].get("amount"))
        if amount is not None and decimal_of(opening) + amount != decimal_of(rows[first].get("balance")):  # type: ignore[operator]
            yield error("opening_closing_agree", ["opening_balance", _path(first, "balance")],
                        f"The opening balance {opening.value} plus the first amount {amount} is not the first "
                        f"balance {rows[first]['balance'].value}.",
                        f"期初余额 {opening.value} 加第一笔金额 {amount} "
                        f"不等于第一笔余额 {rows[first]['balance'].value}。")
    if closing is not None and closing.source != Source.DERIVED and decimal_of(closing) is not None \
            and decimal_of(closing) != decimal_of(rows[last].get("balance")):
        yield error("opening_closing_agree", ["closing_balance", _path(last, "balance")],
                    f"The closing balance {closing.value} is not the last balance {rows[last]['balance'].value}.",
                    f"期末余额 {closing.value} 不等于最后一笔余额 {rows[last]['balance'].value}。")


@rule(T)
def dates_in_period(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """Every transaction date lies inside the printed statement period."""
    start, end = _day(doc.fields.get("period_start")), _day(doc.fields.get("period_end"))
    if start is None or end is None:
        return
    outside = [i for i, r in enumerate(_rows(doc)) if (d := _day(r.get("date"))) is not None and not start <= d <= end]
    for i in outside[:MAX_REPORTED]:
        day = _rows(doc)[i]["date"].value
        yield error("dates_in_period", [_path(i, "date"), "period_start", "period_end"],
                    f"Row {i + 1}: the date {day} is outside the statement period {start} – {end}.",
                    f"第 {i + 1} 行：日期 {day} 不在流水起止日期 {start} 至 {end} 之内。")


@rule(T)
def dates_in_order(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """Walking the rows in time order, no date goes back (a row moved or a date edited)."""
    rows = _rows(doc)
    previous: tuple[int, dt.date] | None = None
    count = 0
    for i in chronological(doc):
        d = _day(rows[i].get("date"))
        if d is None:
            continue
        if previous is not None and d < previous[1]:
            count += 1
            if count <= MAX_REPORTED:
                yield error("dates_in_order", [_path(i, "date")],
                            f"Row {i + 1}: the date {d} comes out of order (after {previous[1]}).",
                            f"第 {i + 1} 行：日期 {d} 顺序错乱（排在 {previous[1]} 之后）。")
        previous = (i, d)


def required_start(end: dt.date, months: int) -> dt.date:
    """The latest first day a statement ending on ``end`` may have and still span ``months`` months: whole
    calendar months when it ends on a month's last day, else the day after the same day ``months`` earlier.

    >>> required_start(dt.date(2026, 10, 31), 6), required_start(dt.date(2026, 11, 15), 6)
    (datetime.date(2026, 5, 1), datetime.date(2026, 5, 16))
    >>> required_start(dt.date(2026, 2, 28), 6)
    datetime.date(2025, 9, 1)
    """
    if (end + dt.timedelta(days=1)).day == 1:
        return add_months(end.replace(day=1), 1 - months)
    return add_months(end, -months) + dt.timedelta(days=1)


def period_problem(start: dt.date, end: dt.date, on: dt.date, months: int, max_age_days: int,
                   later_ok: bool = False) -> tuple[str, str] | None:
    """Why a statement of ``start`` – ``end`` does not do for an application on ``on`` (English, Chinese), or
    None: it must span ``months`` months and its last day be at most ``max_age_days`` days before ``on`` (and
    not after it, unless ``later_ok``: then what it covers up to ``on`` counts). The lenders' rule: the last
    six months, exported within the last month — not "to the end of last month", which would refuse every
    statement exported before the 1st.

    >>> period_problem(dt.date(2026, 5, 1), dt.date(2026, 10, 31), dt.date(2026, 11, 21), 6, 31) is None
    True
    >>> period_problem(dt.date(2026, 5, 1), dt.date(2026, 10, 31), dt.date(2026, 12, 5), 6, 31)[0]
    'The statement ends on 2026-10-31, 35 days before 2026-12-05; it must end at most 31 days before.'
    >>> period_problem(dt.date(2026, 6, 1), dt.date(2026, 10, 31), dt.date(2026, 11, 5), 6, 31)[0]
    'The statement covers 2026-06-01 – 2026-10-31; 6 months are required, from 2026-05-01 at the latest.'
    """
    if end > on:
        if not later_ok:
            return (f"The statement ends on {end}, after {on}.", f"流水截止日 {end} 晚于 {on}。")
        end = on
    age = (on - end).days
    if age > max_age_days:
        return (f"The statement ends on {end}, {age} days before {on}; it must end at most {max_age_days} days "
                "before.", f"流水截止于 {end}，距 {on} 已 {age} 天，须在 {max_age_days} 天以内。")
    need = required_start(end, months)
    if start > need:
        return (f"The statement covers {start} – {end}; {months} months are required, from {need} at the latest.",
                f"流水起止日期为 {start} 至 {end}，需覆盖 {months} 个月（最晚自 {need} 起）。")
    return None


@rule(T)
def period_covers_required_months(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The statement spans ``ctx.statement_months`` months and ends at most ``ctx.statement_max_age_days``
    before the upload (:func:`period_problem`)."""
    start, end = _day(doc.fields.get("period_start")), _day(doc.fields.get("period_end"))
    if start is None or end is None:
        yield error("period_covers_required_months", ["period_start", "period_end"],
                    "The statement period could not be read.", "未能识别流水的起止日期。")
        return
    try:
        problem = period_problem(start, end, ctx.today, ctx.statement_months, ctx.statement_max_age_days)
    except (OverflowError, ValueError):
        return
    if problem is not None:
        yield error("period_covers_required_months", ["period_start", "period_end"], *problem)


def _is_card(number: str) -> bool:
    return number.isdigit() and 16 <= len(number) <= 19 and (number[:2] == "62" or card_bank(number) is not None)


@cache
def _bins() -> dict[str, str]:
    data: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "card_bins.json").read_text("utf-8"))
    return dict(data["bins"])


def card_bank(number: str) -> str | None:
    """The issuing bank of a card number by its BIN (longest listed prefix), if the table knows it.

    >>> card_bank("6222020200112233445"), card_bank("6999990000000000")
    ('中国工商银行', None)
    """
    bins = _bins()
    for n in range(8, 5, -1):
        if number[:n] in bins:
            return bins[number[:n]]
    return None


@rule(T)
def account_number_luhn(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """A card number (16–19 digits, a UnionPay 62 prefix or a listed BIN) passes the Luhn check (python-stdnum)."""
    f = doc.fields.get("account_number")
    number = str(f.value) if f is not None and f.value else ""
    if _is_card(number) and not luhn.is_valid(number):
        yield error("account_number_luhn", ["account_number"],
                    "The card number fails its check digit (Luhn); it was misread or altered.",
                    "卡号校验位（Luhn）错误，可能识别有误或被改动。")


@rule(T)
def bank_matches_card_bin(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The bank the statement is headed with issued the card, where the BIN table (data/card_bins.json) knows it."""
    f, bank = doc.fields.get("account_number"), doc.value("bank_name")
    number = str(f.value) if f is not None and f.value else ""
    issuer = card_bank(number) if number.isdigit() else None
    if issuer and bank and issuer != bank:
        yield error("bank_matches_card_bin", ["bank_name", "account_number"],
                    f"The statement is headed {bank}, but the card number belongs to {issuer}.",
                    f"流水抬头为{bank}，但卡号属于{issuer}。")


@cache
def _editors() -> list[str]:
    data: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "pdf_editors.json").read_text("utf-8"))
    return [e.lower() for e in data["editors"]]


@rule(T)
def pdf_edited(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """Tamper hints in the PDF metadata: an editor's producer/creator, a modification after creation."""
    tools = [str(doc.meta.get(k) or "") for k in ("pdf_producer", "pdf_creator")]
    hit = next((t for t in tools if any(e in t.lower() for e in _editors())), None)
    if hit:
        yield warning("pdf_edited", [], f"The PDF was last written by an editing program ({hit}), not a bank's "
                      "export.", f"PDF 由编辑软件（{hit}）生成或保存，而非银行导出。")
    created, modified = doc.meta.get("pdf_created"), doc.meta.get("pdf_modified")
    if created and modified:
        try:
            later = dt.datetime.fromisoformat(str(modified)) - dt.datetime.fromisoformat(str(created))
        except (ValueError, TypeError):
            return
        if later > dt.timedelta(minutes=1):
            yield warning("pdf_edited", [], f"The PDF was modified ({modified}) after it was created ({created}).",
                          f"PDF 在生成（{created}）之后被修改过（{modified}）。")


@rule(T)
def text_layer_mismatch(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The text layer says what the page shows: sampled cells OCR'd on the rendered page (see the reader). Where
    a picture is drawn over the cell, a disagreement is an error: the value the record holds is not the one a
    person sees, and which of them is true only a person can tell. Elsewhere it may be a misreading by OCR, and
    is a warning."""
    check = doc.meta.get("text_layer_check")
    if not isinstance(check, dict):
        return
    covered = set(check.get("under_images") or [])
    for m in check.get("mismatches", []):
        if not isinstance(m, dict):
            continue
        field = str(m.get("field"))
        make = error if field in covered else warning
        yield make("text_layer_mismatch", [field],
                   f"The text layer of the PDF says {m.get('text_layer')} where the page shows {m.get('ocr')}"
                   + (", under a picture drawn over the cell." if make is error else "."),
                   f"PDF 文字层为 {m.get('text_layer')}，而页面显示为 {m.get('ocr')}"
                   + ("（该处被图片覆盖）。" if make is error else "。"))


@rule(T)
def header_fields_read(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The account holder and the account number were read from the statement's header."""
    for name in ("account_name", "account_number"):
        if doc.value(name) in (None, ""):
            yield error("header_fields_read", [name], f"The statement's {name.replace('_', ' ')} could not be read.",
                        f"未能识别流水的{'户名' if name == 'account_name' else '账号'}。")


# --- the period's printed totals ----------------------------------------------------------------------------------


@rule(T)
def printed_totals_agree(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """What the statement prints under its table — the number of transactions, the money in and out, for the
    period and for each page (本页收入/本页支出) — is what its rows add up to (a row lost in reading, an amount
    misread where the balance chain cannot see it, a row taken out or altered, shows here)."""
    rows = _rows(doc)
    printed = doc.meta.get("printed_totals")
    if not rows:
        return
    if isinstance(printed, dict) and "count" in printed and str(len(rows)) != str(printed["count"]):
        yield error("printed_totals_agree", ["transactions"],
                    f"The statement says it holds {printed['count']} transactions; {len(rows)} rows were read.",
                    f"流水注明交易笔数为 {printed['count']}，实际读取 {len(rows)} 笔。")
    if any(decimal_of(r.get("amount")) is None for r in rows):
        return  # an unread amount is reported by transaction_cells_read
    if isinstance(printed, dict):
        yield from _totals_agree(printed, rows, "", "")
    by_page = doc.meta.get("page_totals")
    for page, totals in (by_page.items() if isinstance(by_page, dict) else ()):
        on_page = [r for r in rows if (r.get("date") or r["amount"]).page == int(page)]
        if isinstance(totals, dict) and on_page:
            yield from _totals_agree(totals, on_page, f"Page {page}: ", f"第 {page} 页：")


def _totals_agree(printed: dict[str, Any], rows: list[dict[str, Field]], en_where: str,
                  zh_where: str) -> Iterator[Finding]:
    amounts = [a for r in rows if (a := decimal_of(r.get("amount"))) is not None]
    for name, en, zh in (("inflow", "money in", "收入合计"), ("outflow", "money out", "支出合计")):
        if name not in printed:
            continue
        total = sum((abs(a) for a in amounts if (a > 0) == (name == "inflow") and a != 0), Decimal("0.00"))
        if decimal_value(printed[name]) != total:
            yield error("printed_totals_agree", ["transactions"],
                        f"{en_where}the statement prints {en} of {printed[name]}; its rows add up to {total}.",
                        f"{zh_where}流水注明{zh}为 {printed[name]}，各笔合计为 {total}。")
