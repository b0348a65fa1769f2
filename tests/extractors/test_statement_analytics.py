"""The cash-flow analytics on a statement built row by row, with the answers worked out by hand."""

from __future__ import annotations

from decimal import Decimal

from extractors.models import ExtractedDocument, Field, Source
from extractors.statements.analytics import compute


def statement(rows: list[tuple[str, str | None, str, str, str]], newest_first: bool = False,
              period: tuple[str, str] = ("2026-07-01", "2026-09-30")) -> ExtractedDocument:
    """Rows of (date, time, amount, counterparty, summary); balances follow from 10,000.00."""
    balance = Decimal("10000.00")
    table = []
    for date, time, amount, counterparty, summary in rows:
        balance += Decimal(amount)
        cells = {"date": date, "time": time, "amount": amount, "balance": str(balance),
                 "counterparty": counterparty, "summary": summary}
        table.append({k: Field(value=v, source=Source.PDF_TEXT) for k, v in cells.items() if v is not None})
    if newest_first:
        table.reverse()
    return ExtractedDocument(doc_type="bank_statement", tables={"transactions": table},
                             fields={"opening_balance": Field(value="10000.00"),
                                     "period_start": Field(value=period[0]), "period_end": Field(value=period[1])},
                             meta={"order": "newest_first" if newest_first else "oldest_first"})


ROWS = [
    ("2026-07-10", "10:00:00", "15000.00", "成都宏达科技有限公司", "代发工资"),      # 0 salary
    ("2026-07-12", "13:20:00", "-4000.00", "王五", "转账"),                         # 1
    ("2026-07-20", "02:13:00", "-200.00", "中国福利彩票发行管理中心", "消费"),       # 2 lottery, night
    ("2026-08-10", "10:00:00", "15200.00", "成都宏达科技有限公司", "代发工资"),      # 3 salary
    ("2026-08-15", "09:00:00", "50000.00", "李四", "转账"),                         # 4 pass-through in, large, round
    ("2026-08-15", "15:30:00", "-49500.00", "赵六", "转账"),                        # 5 pass-through out
    ("2026-09-10", "10:00:00", "14800.00", "成都宏达科技有限公司", "代发工资"),      # 6 salary
    ("2026-09-18", "20:00:00", "-1200.00", "重庆蚂蚁消费金融有限公司", "借呗还款"),  # 7 loan app
]


def flags(result: dict) -> dict[str, list[int]]:
    return {f["flag"]: f["rows"] for f in result["flags"]}


def test_monthly_flows_and_closing_balances() -> None:
    result = compute(statement(ROWS))
    assert result is not None
    july, august, september = result["monthly"]
    assert july == {"month": "2026-07", "inflow": "15000.00", "outflow": "4200.00", "net": "10800.00", "count": 3,
                    "closing_balance": "20800.00"}
    assert august["inflow"] == "65200.00" and august["outflow"] == "49500.00"
    assert september["closing_balance"] == "50100.00"


def test_salary_is_found_by_words_and_regularity() -> None:
    salary = compute(statement(ROWS))["salary"]  # type: ignore[index]
    assert salary["rows"] == [0, 3, 6] and salary["months"] == 3 and salary["payers"] == ["成都宏达科技有限公司"]
    assert salary["estimated_monthly_income"] == "15000.00"
    unlabelled = [(d, t, a, c, "转账" if "工资" in s else s) for d, t, a, c, s in ROWS]
    assert compute(statement(unlabelled))["salary"]["rows"] == [0, 3, 6]  # type: ignore[index]
    once = compute(statement(ROWS[:3]))["salary"]  # type: ignore[index]
    assert once["rows"] == [0] and once["estimated_monthly_income"] == "15000.00"


def test_flags_carry_the_rows_that_raised_them() -> None:
    found = flags(compute(statement(ROWS)))  # type: ignore[arg-type]
    assert found == {"lottery": [2], "loan_app": [7], "night_time": [2], "pass_through": [4, 5],
                     "round_amounts": [4]}


def test_rows_are_printed_order_indexes_for_a_newest_first_statement() -> None:
    result = compute(statement(ROWS, newest_first=True))
    assert result is not None
    n = len(ROWS)
    assert flags(result)["lottery"] == [n - 1 - 2] and result["salary"]["rows"] == sorted(n - 1 - i for i in (0, 3, 6))
    assert result["monthly"][0]["closing_balance"] == "20800.00"


def test_daily_balances_carry_forward_over_the_period() -> None:
    result = compute(statement(ROWS))["balance"]  # type: ignore[index]
    assert result["days"] == 92 and result["minimum_daily"] == "10000.00" and result["minimum_date"] == "2026-07-01"
    one_row = compute(statement([("2026-07-01", None, "-5000.00", "x", "x")], period=("2026-07-01", "2026-07-02")))
    assert one_row["balance"]["average_daily"] == "5000.00"  # type: ignore[index]


def test_large_transactions_are_counted() -> None:
    large = compute(statement(ROWS))["large"]  # type: ignore[index]
    assert large == {"threshold": "50000.00", "count": 1, "rows": [4]}


def test_a_document_without_a_table_has_no_analytics() -> None:
    assert compute(ExtractedDocument(doc_type="bank_statement")) is None
