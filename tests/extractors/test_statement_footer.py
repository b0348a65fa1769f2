"""Summary lines and footers printed right under a statement's table: they end the table, never merge into
its last row, and what they print (a closing balance, the number of transactions) is checked against the
rows (the failure class where ``交易笔数：33`` or ``期末余额：…`` joined the last row)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from extractors.doctypes.bank_statement import BankStatement
from extractors.models import ExtractedDocument, TextLine
from validators import validate
from validators.base import RuleContext

TODAY = dt.date(2026, 11, 21)


def cell(text: str, x: int, y: int, w: int | None = None, conf: float = 1.0, h: int = 20) -> TextLine:
    return TextLine(text=text, confidence=conf, bbox=(x, y, x + (w or 14 * len(text)), y + h))


TOP = [cell("中国工商银行个人账户对账单", 300, 20), cell("账户名称：张三", 40, 60),
       cell("银行卡号：6222020200112233446", 40, 90), cell("币种：人民币", 40, 120),
       cell("查询时间段：2026-05-01到2026-10-31", 40, 150)]
COLUMNS = [("交易日期", 40), ("支出金额", 200), ("收入金额", 340), ("账户余额", 480), ("对方户名", 620)]
ROWS = [("2026-05-03", "", "8,000.00", "9,000.00", "成都宏达科技有限公司"),
        ("2026-06-04", "45.50", "", "8,954.50", "美团"),
        ("2026-07-05", "1,200.00", "", "7,754.50", "李四")]


def statement(footer: list[tuple[str, int]], gap: int = 22) -> ExtractedDocument:
    """Three rows 26 px apart and, ``gap`` px under the last, the footer lines (text, x) 22 px apart."""
    cells = TOP + [cell(t, x, 200) for t, x in COLUMNS]
    for i, values in enumerate(ROWS):
        for (_, x), v in zip(COLUMNS, values, strict=True):
            if v:
                cells.append(cell(v, x, 240 + 26 * i))
    y = 240 + 26 * (len(ROWS) - 1) + gap
    for text, x in footer:
        cells.append(cell(text, x, y))
        y += 22
    return BankStatement().extract(cells)


def test_issue_summary_lines_under_the_table_are_not_merged_into_the_last_row() -> None:
    doc = statement([("交易笔数：3", 40), ("收入合计：8,000.00　支出合计：1,245.50", 40), ("期末余额：7,754.50", 40),
                     ("本对账单所列交易以本行系统记录为准如有疑问请联系开户行", 40)])
    rows = [{k: f.value for k, f in r.items()} for r in doc.tables["transactions"]]
    assert rows[-1] == {"date": "2026-07-05", "amount": "-1200.00", "balance": "7754.50", "counterparty": "李四"}
    closing = doc.fields["closing_balance"]
    assert closing.value == "7754.50" and closing.source.value != "derived"
    assert doc.meta["printed_totals"] == {"count": "3", "inflow": "8000.00", "outflow": "1245.50"}
    validate(doc, RuleContext(today=TODAY))
    assert doc.status is not None and doc.status.value == "accepted", [f.message for f in doc.findings]


def test_a_footer_never_seen_before_ends_the_table_when_it_runs_across_columns() -> None:
    doc = statement([("温馨提示：本流水仅作为持卡人交易记录的参考不作为任何收付款凭证", 40)], gap=20)
    rows = doc.tables["transactions"]
    assert len(rows) == 3 and rows[-1]["counterparty"].value == "李四" and rows[-1]["balance"].value == "7754.50"


def test_a_printed_closing_balance_or_count_that_disagrees_with_the_table_is_a_finding() -> None:
    doc = statement([("交易笔数：4", 40), ("期末余额：8,754.50", 40)])
    assert len(doc.tables["transactions"]) == 3
    validate(doc, RuleContext(today=TODAY))
    assert {"printed_totals_agree", "opening_closing_agree"} <= {f.rule for f in doc.findings}
    assert doc.status is not None and doc.status.value == "needs_review"


def test_a_wrapped_cell_under_the_last_row_still_joins_it() -> None:
    doc = statement([("有限公司", 620)], gap=20)
    assert doc.tables["transactions"][-1]["counterparty"].value == "李四有限公司"


def _one_page_scan(mode: str) -> tuple[bytes, dict]:
    from fixtures import statement_alt as alt
    from fixtures.statement_alt_styles import STYLES, fonts_available, render_pdf

    if fonts_available():
        pytest.skip(fonts_available() or "")
    rng = random.Random(7)
    st = alt.make(rng, "ledger_dc", 1, TODAY, max_rows=12)
    pdf, pages = render_pdf(st, STYLES["ledger_dc"])
    return alt.scan(pdf, rng, dpi=150, mode=mode).data, alt.truth(st, STYLES["ledger_dc"], "x.pdf", "scanned", pages)


@pytest.mark.ocr
def test_issue_grey_150dpi_scan_keeps_the_last_row_and_the_printed_closing_balance(pipeline) -> None:  # type: ignore[no-untyped-def,unused-ignore]
    data, truth = _one_page_scan("grey")
    out = pipeline.process(data, "bank_statement", today=TODAY)
    doc = next(d for d in out.documents if d.doc_type == "bank_statement")
    rows = doc.tables["transactions"]
    assert len(rows) == len(truth["transactions"])
    assert rows[-1]["date"].value == truth["transactions"][-1]["date"]
    assert doc.fields["closing_balance"].value in (truth["fields"]["closing_balance"], None)
    assert not (out.status.value == "accepted" and doc.fields["closing_balance"].value
                != truth["fields"]["closing_balance"])


def test_issue_skewed_photo_keeps_the_balance_column_whose_data_runs_into_the_next() -> None:
    """A photo taken at an angle: each row drifts right, so the right-aligned balances touch the counterparty
    column's names and the two make one run of ink with only the counterparty header's centre over it. The
    balance column must keep its cells (it once shrank to nothing, the chain was never checked, and a statement
    with a misread amount was accepted)."""
    cells = [*TOP, cell("交易日期", 117, 200, 120), cell("交易金额", 606, 200, 115), cell("交易后余额", 854, 200, 138),
             cell("交易对方", 1227, 200, 110)]
    balance, names = 10000, ["合肥明德信息技术服务有限公司", "财付通支付科技有限公司", "碧水湾房地产开发有限公司"]
    for i in range(8):
        amount = 1234 if i % 2 == 0 else -567
        balance += amount
        s, y = 5 * i, 240 + 30 * i
        amt, bal = f"{amount:+,}.00", f"{balance:,}.00"
        name = "林天" if i == 5 else names[i % 3]  # a short name whose box starts inside the balance's
        cells += [cell(f"2026-0{5 + i // 2}-{10 + i} 09:31:07", 23 + s, y, 262), cell(amt, 796 + s - 14 * len(amt), y),
                  cell(bal, 1056 + s - 14 * len(bal), y),
                  cell(name, 1058 + s - (8 if i == 5 else 0), y, 35 * len(name))]
    cells += [cell("期末余额：13,468.00", 54, 240 + 30 * 8 + 10),
              cell("温馨提示：本流水仅作为持卡人交易记录的参考，不作为任何收付款凭证。", 54, 240 + 30 * 9 + 10)]
    doc = BankStatement().extract(cells)
    rows = doc.tables["transactions"]
    assert [r["balance"].value for r in rows if "balance" in r] == [
        f"{10000 + sum(1234 if k % 2 == 0 else -567 for k in range(i + 1))}.00" for i in range(8)]
    assert rows[5]["counterparty"].value == "林天"


def test_issue_a_misread_first_amount_the_chain_cannot_see_is_caught_by_the_page_totals() -> None:
    """Without a printed opening balance the first row's amount only fixes the derived opening balance, so the
    balance chain holds whatever it was read as; the page's own totals (本页收入/本页支出) still check it."""
    good = statement([("本页收入：8,000.00　本页支出：1,245.50", 40)])
    assert good.meta["page_totals"] == {"1": {"inflow": "8000.00", "outflow": "1245.50"}}
    validate(good, RuleContext(today=TODAY))
    assert good.status is not None and good.status.value == "accepted", [f.message for f in good.findings]
    bad = statement([("本页收入：8,000.00　本页支出：1,245.50", 40)])
    bad.tables["transactions"][0]["amount"] = bad.tables["transactions"][0]["amount"].model_copy(
        update={"value": "8600.00", "raw": "8,600.00"})
    validate(bad, RuleContext(today=TODAY))
    assert "printed_totals_agree" in {f.rule for f in bad.findings}
    assert bad.status is not None and bad.status.value == "needs_review"
