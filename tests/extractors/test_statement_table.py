"""The statement reader on positioned cells: layouts, header roles, wrapped cells, pages, amounts."""

from __future__ import annotations

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
