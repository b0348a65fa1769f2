"""What a document type declares about its fields is what the rest of the service does with them: an
extractor fills only declared fields, a reviewer's correction is normalised by the declared kind, the review
page masks the declared kinds and shows the declared labels."""

from __future__ import annotations

import pytest

from extractors import doctypes
from extractors.doctypes import FieldSpec, Kind
from extractors.doctypes.idcard import IdCardBack, IdCardFront
from extractors.doctypes.loan_contract import LoanContract
from extractors.models import TextLine
from intake.record.records import declarations, masked_field
from intake.review.corrections import CorrectionRefused, normalise

SPECS = [(t, f) for t, kind in sorted(doctypes.registry().items())
         for f in kind.fields + tuple(c for table in kind.tables for c in table.columns)]
TYPED = {  # a reviewer's input of each kind, what it becomes, and input that is not of the kind
    Kind.DATE: ("2026年7月1日", "2026-07-01", "next week"),
    Kind.TIME: ("9:05:07", "09:05:07", "noon"),
    Kind.MONEY: ("1,234.5", "1234.50", "a lot"),
    Kind.MONEY_WORDS: ("人民币伍万元整", "50000.00", "some"),
    Kind.RATE: ("14.4%", "0.144", "high"),
    Kind.COUNT: ("12", 12, "twelve"),
    Kind.FLAG: ("是", True, "maybe"),
    Kind.ID_NUMBER: ("51370119950717634x", "51370119950717634X", None),
    Kind.ACCOUNT: ("6222 0202 0011 2233", "6222020200112233", None),
    Kind.TEXT: (" 张三 ", "张三", None),
}


def _lines(*texts: str) -> list[TextLine]:
    return [TextLine(text=t, confidence=0.99, bbox=(60, 40 * i, 700, 40 * i + 20)) for i, t in enumerate(texts, 1)]


@pytest.mark.parametrize(("doc_type", "spec"), SPECS, ids=[f"{t}.{f.name}" for t, f in SPECS])
def test_a_correction_is_normalised_by_the_declared_kind(doc_type: str, spec: FieldSpec) -> None:
    given, stored, wrong = TYPED[spec.kind]
    if spec.choices:
        given, stored, wrong = spec.choices[-1], spec.choices[-1], "?"
    assert normalise(spec, given) == stored
    if wrong is not None:
        with pytest.raises(CorrectionRefused, match=spec.name):
            normalise(spec, wrong)


@pytest.mark.parametrize(("doc_type", "spec"), SPECS, ids=[f"{t}.{f.name}" for t, f in SPECS])
def test_masking_follows_the_declared_kind(doc_type: str, spec: FieldSpec) -> None:
    kind = doctypes.get(doc_type)
    table = next((t.name for t in kind.tables if spec in t.columns), None)
    path = f"{table}[0].{spec.name}" if table else spec.name
    assert masked_field(doc_type, path) is (spec.kind in (Kind.ID_NUMBER, Kind.ACCOUNT))


def test_what_the_extractors_fill_is_declared() -> None:
    front = IdCardFront().extract(_lines("姓名张三", "性别男 民族汉", "出生 1995 年 7 月 17 日",
                                         "住址 四川省成都市武侯区益州大道中段722号", "公民身份号码 513701199507176346"))
    back = IdCardBack().extract(_lines("签发机关 四川省成都市锦江分局", "有效期限 2010.01.01-2030.01.01"))
    contract = LoanContract().extract(_lines(
        "个人借款合同", "合同编号：JK20260115-004512", "贷款人（甲方）：中国建设银行股份有限公司成都高新支行",
        "借款人（乙方）：张三", "身份证号码：513701199507176346",
        "第一条 借款金额为人民币（大写）叁万元整（小写：￥30,000.00）。",
        "第二条 借款期限为12个月，自2026年1月15日起至2027年1月14日止。",
        "第三条 本合同项下借款年利率为14.40%，日利率万分之四。", "签订日期：2026年1月10日"))
    for doc, kind in ((front, IdCardFront), (back, IdCardBack), (contract, LoanContract)):
        assert doc.fields, kind.doc_type
        assert set(doc.fields) <= set(kind.field_names), kind.doc_type
        for table, rows in doc.tables.items():
            columns = {c.name for t in kind.tables if t.name == table for c in t.columns}
            assert columns, f"{kind.doc_type} fills an undeclared table {table}"
            assert all(set(row) <= columns for row in rows), table
    assert "rate_statements" in contract.tables


def test_the_declarations_served_to_the_review_page_carry_every_label() -> None:
    served = {t["type"]: t for t in declarations()}
    assert set(served) == set(doctypes.registry())
    for doc_type, spec in SPECS:
        shown = [f for f in served[doc_type]["fields"] if f["name"] == spec.name] + [
            c for t in served[doc_type]["tables"] for c in t["columns"] if c["name"] == spec.name]
        assert any(f["zh"] == spec.zh and f["en"] == spec.en and f["masked"] == spec.masked for f in shown)
