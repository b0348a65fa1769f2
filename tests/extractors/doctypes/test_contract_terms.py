"""Contract terms written in sentences without their label (a letter-style contract): the repayment method named
whole, and every statement of the rate kept for the rules to compare."""

from __future__ import annotations

import pytest

from extractors.doctypes.loan_contract import LoanContract
from extractors.models import ExtractedDocument, TextLine


def _read(*texts: str) -> ExtractedDocument:
    return LoanContract().extract([TextLine(text=t, confidence=0.99, bbox=(60, 40 + 30 * i, 900, 60 + 30 * i))
                                   for i, t in enumerate(texts)])


@pytest.mark.parametrize(("sentence", "method"), [
    ("借款人应按按月付息到期还本的方式归还借款本息。", "按月付息到期还本"),  # its own 按 after the sentence's
    ("借款人采用等额本息方式还款。", "等额本息"),
    ("借款人应按等额本金的方式归还借款本息。", "等额本金"),
])
def test_issue_repayment_method_without_its_label(sentence: str, method: str) -> None:
    assert _read(sentence).value("repayment_method") == method


def test_a_daily_rate_and_its_annual_figure_are_both_kept() -> None:
    doc = _read("本协议项下借款执行日利率万分之5（折合年化利率18.00%），按实际用款天数计息。",
                "逾期罚息日利率万分之7.5。")
    assert doc.value("annual_rate") == "0.18"
    rows = doc.tables["rate_statements"]
    assert [(r["basis"].value, r["annual_rate"].value) for r in rows] == [("daily", "0.18"), ("annual", "0.18")]
    assert rows[0]["annual_rate"].bbox == doc.fields["annual_rate"].bbox


def test_a_single_statement_of_the_rate_keeps_no_table() -> None:
    assert "rate_statements" not in _read("第三条 本合同项下借款年利率为14.40%，按日计息。").tables
