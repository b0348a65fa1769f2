"""The two real-world specimen cards of ../shared/realdata/README.md, built by hand from the readings it gives.

The images themselves belong to the evaluation harness; here only the values a
correct reading gives go through the rules, and must come out as the README says.
"""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.models import ExtractedDocument, Field, Severity, Status
from validators import validate
from validators.base import RuleContext

TODAY = dt.date(2026, 11, 21)


def doc(doc_type: str, **values: str | bool | None) -> ExtractedDocument:
    return ExtractedDocument(doc_type=doc_type, fields={k: Field(value=v, confidence=0.99) for k, v in values.items()})


@pytest.fixture
def rotated_front() -> ExtractedDocument:
    """specimen-id-front-rotated.jpeg (chineseocr test/idcard-demo.jpeg)."""
    return doc("id_card_front", name="代用名", sex="男", ethnicity="汉", birth_date="2013-05-06",
               address="湖南省长沙市开福区巡道街幸福小区居民组", id_number="430512198908131367")


@pytest.fixture
def two_sided() -> tuple[ExtractedDocument, ExtractedDocument]:
    """specimen-id-front-back.jpg (idcard_generator result_color.png): front and back of one card."""
    front = doc("id_card_front", name="张三", sex="男", ethnicity="汉", birth_date="1995-07-17",
                address="四川省成都市武侯区益州大道中段722号复城国际", id_number="513701199507176346")
    back = doc("id_card_back", issuer="四川省成都市锦江分局", valid_from="2010-01-01", valid_until="2020-12-12",
               long_term=False)
    return front, back


def findings(d: ExtractedDocument, *companions: ExtractedDocument) -> dict[str, Severity]:
    validate(d, RuleContext(today=TODAY, companions=companions))
    return {f.rule: f.severity for f in d.findings}


def test_specimen_id_front_rotated(rotated_front):
    got = findings(rotated_front)
    assert got["id_number_checksum"] == Severity.ERROR
    # the number's date (1989-08-13) is read although its check digit is wrong
    assert got["birth_date_matches_id_number"] == Severity.ERROR
    # 430512 is no county code stdnum knows, and its prefecture (邵阳市) is not the address's (长沙市开福区, 430105)
    assert got["id_number_area_code"] == Severity.ERROR
    assert got["address_matches_area_code"] == Severity.WARNING
    assert "430105" in next(f for f in rotated_front.findings if f.rule == "address_matches_area_code").message.en
    assert rotated_front.value("id_number") == "430512198908131367"  # not "repaired"
    assert rotated_front.status == Status.NEEDS_REVIEW


def test_specimen_id_front_back_front(two_sided):
    front, back = two_sided
    got = findings(front, back)
    assert "id_number_checksum" not in got and "id_number_format" not in got
    assert got["sex_matches_id_number"] == Severity.ERROR
    assert got["address_matches_area_code"] == Severity.WARNING
    assert {rule for rule, sev in got.items() if sev == Severity.ERROR} == {"sex_matches_id_number"}
    assert front.status == Status.NEEDS_REVIEW


def test_specimen_id_front_back_back(two_sided):
    front, back = two_sided
    got = findings(back, front)
    assert got == {"id_card_not_expired": Severity.ERROR, "validity_length_fits_age": Severity.ERROR}
    length = next(f for f in back.findings if f.rule == "validity_length_fits_age")
    assert "age 14" in length.message.en and "5 years" in length.message.en
    assert back.status == Status.NEEDS_REVIEW


def test_specimen_back_without_its_front_is_still_expired(two_sided):
    _, back = two_sided
    assert findings(back) == {"id_card_not_expired": Severity.ERROR}
