"""The statement reader on positioned cells: layouts, header roles, wrapped cells, pages, amounts."""

from __future__ import annotations

import pytest

from extractors.doctypes.bank_statement import BankStatement
from extractors.models import RetakeReason, TextLine
from extractors.statements.layout import GENERIC, detect


def cell(text: str, x: int, y: int, w: int | None = None, conf: float = 1.0, h: int = 20) -> TextLine:
    return TextLine(text=text, confidence=conf, bbox=(x, y, x + (w or 14 * len(text)), y + h))


HEADER_TOP = [cell("某某银行个人账户交易明细", 300, 20), cell("户名：张三", 40, 60),
              cell("账号：6217000123456789012", 40, 90), cell("币种：人民币", 40, 120),
              cell("查询期间：2026-05-01至2026-10-31", 40, 150)]
COLUMNS = [("交易日期", 40), ("摘要", 200), ("借方发生额", 320), ("贷方发生额", 460), ("余额", 600),
           ("对方户名", 720), ("对方账号", 900)]


def header(y: int) -> list[TextLine]:
    return [cell(text, x, y) for text, x in COLUMNS]


def test_detection_never_takes_the_first_match() -> None:
    assert detect("中国工商银行借记卡账户历史明细清单").layout.name == "icbc"
    both = detect("中国工商银行 中国建设银行个人活期账户交易明细")
    assert both.layout is GENERIC and both.candidates == ("ccb", "icbc") and "several layouts" in both.note
    assert detect("宁波银行账户交易明细").layout is GENERIC


def test_an_unknown_layout_is_read_from_its_header_row() -> None:
    rows = [("2026-05-03", "工资", "", "8,000.00", "9,000.00", "成都宏达科技有限公司", "4402123456789"),
            ("2026-05-04", "消费", "45.50", "", "8,954.50", "美团", "")]
    cells = HEADER_TOP + header(200)
    for i, values in enumerate(rows):
        for (_, x), v in zip(COLUMNS, values, strict=True):
            if v:
                cells.append(cell(v, x, 240 + 40 * i))
    doc = BankStatement().extract(cells)
    assert doc.meta["layout"] == "generic" and "no known layout" in doc.meta["layout_note"]
    assert [{k: f.value for k, f in r.items()} for r in doc.tables["transactions"]] == [
        {"date": "2026-05-03", "amount": "8000.00", "balance": "9000.00", "counterparty": "成都宏达科技有限公司",
         "counterparty_account": "4402123456789", "summary": "工资"},
        {"date": "2026-05-04", "amount": "-45.50", "balance": "8954.50", "counterparty": "美团", "summary": "消费"}]
    assert {k: f.value for k, f in doc.fields.items()} == {
        "account_name": "张三", "account_number": "6217000123456789012", "currency": "CNY",
        "period_start": "2026-05-01", "period_end": "2026-10-31", "bank_name": "某某银行",
        "opening_balance": "1000.00", "closing_balance": "8954.50"}
    assert doc.fields["opening_balance"].source.value == "derived"


def _statement_with(rows: list[list[TextLine]], extra: list[TextLine] | None = None) -> list[dict]:
    doc = BankStatement().extract(HEADER_TOP + header(200) + [c for r in rows for c in r] + (extra or []))
    return [{k: f.value for k, f in r.items()} for r in doc.tables["transactions"]]


def test_wrapped_cells_join_their_row_whether_top_aligned_or_centred() -> None:
    top_aligned = [
        [cell("2026-05-03", 40, 240), cell("8000.00", 460, 240), cell("9000.00", 600, 240),
         cell("成都宏达科技", 720, 240), cell("有限公司", 720, 262)],
        [cell("2026-05-04", 40, 300), cell("45.50", 320, 300), cell("8954.50", 600, 300), cell("美团", 720, 300)],
    ]
    centred = [
        [cell("2026-05-03", 40, 251), cell("8000.00", 460, 251), cell("9000.00", 600, 251),
         cell("成都宏达科技", 720, 240), cell("有限公司", 720, 262)],
        [cell("2026-05-04", 40, 300), cell("45.50", 320, 300), cell("8954.50", 600, 300), cell("美团", 720, 300)],
    ]
    for rows in (top_aligned, centred):
        got = _statement_with(rows)
        assert [r["counterparty"] for r in got] == ["成都宏达科技有限公司", "美团"]


def test_footers_and_subtotals_are_not_rows_or_wrapped_cells() -> None:
    rows = [[cell("2026-05-03", 40, 240), cell("8000.00", 460, 240), cell("9000.00", 600, 240),
             cell("张三", 720, 240)]]
    footer = [cell("本页支出合计：0.00 本页收入合计：8000.00", 200, 268), cell("第1页/共1页", 500, 300)]
    got = _statement_with(rows, footer)
    assert got == [{"date": "2026-05-03", "amount": "8000.00", "balance": "9000.00", "counterparty": "张三"}]


def test_a_table_runs_over_pages_and_a_page_without_header_keeps_the_columns() -> None:
    page1 = HEADER_TOP + header(200) + [cell("2026-05-03", 40, 240), cell("8000.00", 460, 240),
                                         cell("9000.00", 600, 240), cell("第1页/共3页", 500, 1000)]
    page2 = [*header(40), cell("2026-05-04", 40, 80), cell("45.50", 320, 80), cell("8954.50", 600, 80)]
    page3 = [cell("2026-05-05", 40, 80), cell("100.00", 320, 80), cell("8854.50", 600, 80)]
    doc = BankStatement().extract_pages([(1, page1), (2, page2), (3, page3)])
    assert [r["balance"].value for r in doc.tables["transactions"]] == ["9000.00", "8954.50", "8854.50"]
    assert [r["date"].page for r in doc.tables["transactions"]] == [1, 2, 3]
    assert doc.meta["pages_without_header"] == [3] and doc.pages == [1, 2, 3]


def test_amount_with_a_debit_credit_flag_and_a_combined_counterparty_cell() -> None:
    cols = [("交易日期", 40), ("借贷标志", 200), ("发生额", 320), ("余额", 460), ("对方账号与户名", 600)]
    cells = HEADER_TOP + [cell(t, x, 200) for t, x in cols]
    values = [("20260503", "贷", "8000.00", "9000.00", "6217000123456789012/张三"),
              ("20260504", "借", "45.50", "8954.50", "美团")]
    for i, vals in enumerate(values):
        cells += [cell(v, x, 240 + 40 * i) for (_, x), v in zip(cols, vals, strict=True)]
    rows = BankStatement().extract(cells).tables["transactions"]
    assert (rows[0]["amount"].value, rows[0]["counterparty"].value) == ("8000.00", "张三")
    assert rows[0]["counterparty_account"].value == "6217000123456789012"
    assert rows[1]["amount"].value == "-45.50" and rows[1]["amount"].raw == "借 45.50"


def test_a_statement_that_says_it_has_no_transactions_is_rejected_with_that_reason() -> None:
    doc = BankStatement().extract(HEADER_TOP + header(200) + [cell("无交易记录", 400, 240)])
    assert doc.tables["transactions"] == [] and doc.reject_reason == RetakeReason.NO_TRANSACTIONS
    photo = [c.model_copy(update={"confidence": 0.9}) for c in HEADER_TOP + header(200)]
    assert BankStatement().extract(photo).reject_reason == RetakeReason.UNREADABLE


def test_statement_pages_score_as_statements_and_id_cards_do_not() -> None:
    assert BankStatement.score(HEADER_TOP + header(200)) == 1.0
    assert BankStatement.score(header(40)) >= 0.5  # a continuation page
    card = [cell(t, 10, 10 * i) for i, t in enumerate(["姓名张三", "性别男", "出生1995年7月17日", "公民身份号码"])]
    assert BankStatement.score(card) < 0.34


@pytest.mark.parametrize("row_top", [216, 224])  # grouped with the first row, or a line of their own
def test_issue_tilted_photo_header_whose_last_headers_fall_on_the_first_row_line(row_top: int) -> None:
    """A photo at an angle: the header's right end sits a line lower, so ``对方户名`` and ``对方账号`` are grouped
    with the first row. They are still headers (their columns are read), and the first row keeps its cells."""
    drop = {"对方户名": 12, "对方账号": 14}
    cells = HEADER_TOP + [cell(text, x, 200 + drop.get(text, 0)) for text, x in COLUMNS]
    rows = [("2026-05-03", "工资", "", "8,000.00", "9,000.00", "成都宏达科技有限公司", "4402123456789"),
            ("2026-05-04", "消费", "45.50", "", "8,954.50", "美团", "6222000011112222")]
    for i, values in enumerate(rows):
        for (_, x), v in zip(COLUMNS, values, strict=True):
            if v:
                cells.append(cell(v, x, row_top + 40 * i + x // 100))
    doc = BankStatement().extract(cells)
    assert [c["role"] for c in doc.meta["columns"]][-2:] == ["counterparty", "counterparty_account"]
    got = [{k: f.value for k, f in r.items()} for r in doc.tables["transactions"]]
    assert [(r["date"], r.get("counterparty"), r.get("counterparty_account")) for r in got] == [
        ("2026-05-03", "成都宏达科技有限公司", "4402123456789"), ("2026-05-04", "美团", "6222000011112222")]


def test_issue_a_balance_joined_to_the_next_account_number_keeps_one_amount() -> None:
    """An OCR box ``22,790.57 215500690/支付宝…`` over a balance column and a combined counterparty column: the
    balance takes the one amount, the account number goes with the name (not ``22,790.57 215500690/``)."""
    from extractors.statements.table import Column, split_over_columns

    cols = [Column("balance", "余额", 1300, 1460), Column("counterparty_both", "对方账号/户名", 1460, 2100)]
    box = cell("22,790.57 215500690/支付宝（中国）网络技术有限公司", 1325, 500, 707)
    assert [(c.role, part.text) for c, part in split_over_columns(box, cols)] == [
        ("balance", "22,790.57"), ("counterparty_both", "215500690/支付宝（中国）网络技术有限公司")]
    spaced = cell("12, 345.67", 1340, 500, 110)  # a space the recogniser put inside one amount
    assert [(c.role, part.text) for c, part in split_over_columns(spaced, cols)] == [("balance", "12, 345.67")]


def test_issue_grey_scan_garbled_labels_and_headers_still_read() -> None:
    """A 150 dpi grey scan reads 查询时间段 as 童河时间段, 账户名称 as 胀户名称 and the amount headers as 克出金聯 /
    收人金朝: the period (the one labelled date range), the name and the debit/credit columns are still read;
    a second labelled range makes the period unreadable rather than a guess."""
    top = [cell("某某银行个人账户对账单", 300, 20), cell("胀户名称：严磊", 40, 60),
           cell("账号：6217000123456789012", 40, 90), cell("童河时间段：2026-05-01 到 2026-10.31", 40, 150)]
    heads = [cell(t, x, 200) for t, x in (("交号日察", 40), ("克出金聯", 320), ("收人金朝", 460), ("账户余發", 600))]
    body = [cell("2026-05-03", 40, 240), cell("8,000.00", 460, 240), cell("9,000.00", 600, 240),
            cell("2026~05-04", 40, 280), cell("45.50", 320, 280), cell("8,954.50", 600, 280)]
    doc = BankStatement().extract(top + heads + body)
    assert [c["role"] for c in doc.meta["columns"]] == ["date", "outflow", "inflow", "balance"]
    assert {k: doc.fields[k].value for k in ("account_name", "period_start", "period_end")} == {
        "account_name": "严磊", "period_start": "2026-05-01", "period_end": "2026-10-31"}
    rows = doc.tables["transactions"]  # the garbled date still starts its row (unread: review), never merges
    assert [(r["date"].value, r["amount"].value) for r in rows] == [("2026-05-03", "8000.00"), (None, "-45.50")]
    two = BankStatement().extract([*top, cell("卡有效期：2020-01-01至2030-01-01", 40, 120), *heads, *body])
    assert "period_start" not in two.fields
