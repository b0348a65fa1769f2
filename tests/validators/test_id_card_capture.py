"""Capture risks become findings: warnings, or errors for the codes a lender lists."""

from __future__ import annotations

from extractors.models import ExtractedDocument, Field, Severity, Status
from intake.job.judging import rule_context
from intake.settings import Settings
from validators import validate

FRONT = {"name": "张丽", "sex": "女", "ethnicity": "汉", "birth_date": "1986-02-12",
         "address": "北京市东城区南池子大街722号", "id_number": "110101198602126342"}
COPY = [{"code": "bw_copy", "confidence": 0.99, "evidence": {"colour_spread": 0.0, "threshold": 6}},
        {"code": "photocopy", "confidence": 0.95, "evidence": {"card_share": 0.069, "page_aspect": 1.415,
                                                              "found_by": "print"}}]


def front(risks: list[dict[str, object]]) -> ExtractedDocument:
    return ExtractedDocument(doc_type="id_card_front", fields={k: Field(value=v, confidence=0.99)
                                                               for k, v in FRONT.items()},
                             meta={"capture_risks": risks})


def test_a_copy_is_accepted_with_two_warnings_by_default(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ctx = rule_context(Settings(_env_file=None, data_dir=tmp_path))
    doc = validate(front(COPY), ctx)
    found = {f.rule: f.severity for f in doc.findings if f.rule in ("bw_copy", "photocopy")}
    assert found == {"bw_copy": Severity.WARNING, "photocopy": Severity.WARNING}
    assert doc.status == Status.ACCEPTED
    message = next(f.message.en for f in doc.findings if f.rule == "photocopy")
    assert "7% of a page" in message and "1.415" in message
    message = next(f.message.en for f in doc.findings if f.rule == "bw_copy")
    assert "differ by 0.0" in message and "more than 6" in message  # the measure and its threshold


def test_a_lender_can_send_copies_to_a_person(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ctx = rule_context(Settings(_env_file=None, data_dir=tmp_path, capture_risk_errors="photocopy"))
    doc = validate(front(COPY), ctx)
    found = {f.rule: f.severity for f in doc.findings if f.rule in ("bw_copy", "photocopy")}
    assert found == {"bw_copy": Severity.WARNING, "photocopy": Severity.ERROR}
    assert doc.status == Status.NEEDS_REVIEW


def test_a_photo_of_the_card_raises_none(tmp_path) -> None:  # type: ignore[no-untyped-def]
    doc = validate(front([]), rule_context(Settings(_env_file=None, data_dir=tmp_path)))
    assert not [f for f in doc.findings if f.rule in ("bw_copy", "photocopy")]
