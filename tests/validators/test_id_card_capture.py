"""Capture risks become findings: warnings, or errors for the codes a lender lists."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.models import ExtractedDocument, Field, Severity, Status
from intake.job.judging import rule_context
from intake.settings import Settings
from validators import validate
from validators.base import RuleContext

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


RISKS = {
    "screen_reshoot": {"colour_ripple": 1.2, "colour_detail": 11.0, "peak": 4.4, "ripple_threshold": 0.35,
                       "peak_threshold": 4.0, "detail_threshold": 2.0},
    "border_incomplete": {"sides": ["top"], "furthest": 0.02, "missing": 0.03},
    "occluded": {"box": [600, 380, 1000, 560], "share": 0.09, "edges": ["right"], "share_over": 0.02},
    "edited": {"field": "name", "field_zh": "姓名", "box": [160, 80, 300, 120], "height_ratio": 0.85,
               "height_range": [1.04, 1.22], "ink_difference": 0.0, "ink_threshold": 11.0,
               "why_en": "its characters are 0.85 times the height of the card's other values",
               "why_zh": "字高为其他栏的 0.85 倍"},
}
"""Each new risk as the reader records it, with its evidence."""


@pytest.mark.parametrize("code", sorted(RISKS))
def test_each_capture_risk_is_a_warning_with_its_measure_or_an_error_where_a_lender_says(tmp_path, code: str) -> None:  # type: ignore[no-untyped-def]
    doc = front([{"code": code, "confidence": 0.9, "evidence": RISKS[code]}])
    warned = validate(doc, rule_context(Settings(_env_file=None, data_dir=tmp_path)))
    [finding] = [f for f in warned.findings if f.rule == code]
    assert finding.severity == Severity.WARNING and warned.status == Status.ACCEPTED
    assert finding.message.en and finding.message.zh
    strict = Settings(_env_file=None, data_dir=tmp_path, capture_risk_errors=code)
    held = validate(front([{"code": code, "confidence": 0.9, "evidence": RISKS[code]}]), rule_context(strict))
    assert [f.severity for f in held.findings if f.rule == code] == [Severity.ERROR]
    assert held.status == Status.NEEDS_REVIEW


def test_the_findings_say_the_measure_and_where() -> None:
    ctx = RuleContext()
    messages = {code: next(f.message.en for f in validate(front([{"code": code, "evidence": ev}]), ctx).findings
                           if f.rule == code) for code, ev in RISKS.items()}
    assert "1.2" in messages["screen_reshoot"] and "0.35" in messages["screen_reshoot"]
    assert "top" in messages["border_incomplete"] and "2%" in messages["border_incomplete"]
    assert "9%" in messages["occluded"] and "right" in messages["occluded"]
    assert "0.85 times" in messages["edited"] and "name" in messages["edited"]
    assert "张" not in " ".join(messages.values())  # the evidence names the field, never its value


def test_a_screen_found_by_its_colour_bands_says_so_with_its_measure() -> None:
    ev = RISKS["screen_reshoot"] | {"colour_ripple": 0.3, "hue_sectors": 10, "banded_share": 0.97,
                                    "sectors_threshold": 4, "found_by": "colour bands"}
    [f] = [f for f in validate(front([{"code": "screen_reshoot", "evidence": ev}]), RuleContext()).findings
           if f.rule == "screen_reshoot"]
    assert "bands" in f.message.en and "10 of 12" in f.message.en and "under 4" in f.message.en
    assert "0.3" not in f.message.en  # the fine ripple, under its bar, is not what raised it
    assert "彩虹" in f.message.zh and "10" in f.message.zh


def test_a_screen_found_by_its_frame_says_how_many_sides_show_it() -> None:
    ev = {"edges_px": [140.0, None, 61.0, 44.0], "band_flatness": [0.8, None, 1.1, 0.9], "sides_needed": 3,
          "step_threshold": 12.0, "flatness_under": 4.0, "found_by": "screen frame"}
    [f] = [f for f in validate(front([{"code": "screen_reshoot", "evidence": ev}]), RuleContext()).findings
           if f.rule == "screen_reshoot"]
    assert "frame" in f.message.en and "3 of its 4 sides" in f.message.en and "ripple" not in f.message.en
    assert "边框" in f.message.zh and "3 条" in f.message.zh


BACK = {"issuer": "营山县公安局", "valid_from": "2026-10-27", "valid_until": "2027-01-27", "long_term": False}


def back(until: str | None, temporary: bool) -> ExtractedDocument:
    risk = {"code": "temporary_card", "confidence": 0.95, "evidence": {"title": "临时居民身份证"}}
    meta = {"card_kind": "temporary", "capture_risks": [risk]} if temporary else {}
    fields = BACK | {"valid_until": until}
    return ExtractedDocument(doc_type="id_card_back", meta=meta,
                             fields={k: Field(value=v, confidence=0.99) for k, v in fields.items()})


def test_a_temporary_card_is_its_own_kind_valid_three_months() -> None:
    ctx = RuleContext(today=dt.date(2026, 11, 21), companions=(front([]),))
    doc = validate(back("2027-01-27", temporary=True), ctx)
    assert [f.rule for f in doc.findings] == ["temporary_card"]  # three months fits, whatever the holder's age
    assert doc.findings[0].severity == Severity.WARNING
    long = validate(back("2036-10-27", temporary=True), ctx)  # a temporary title over a ten-year term
    assert "validity_length_fits_age" in {f.rule for f in long.findings if f.severity == Severity.ERROR}
    normal = validate(back("2027-01-27", temporary=False), ctx)  # a resident ID card is never valid three months
    assert "validity_length_fits_age" in {f.rule for f in normal.findings if f.severity == Severity.ERROR}
