"""Every committed sample and real specimen through the real pipeline (in-process, real OCR).

Ground truth is the JSON beside each sample; the real specimens' expectations
are the ones ``../shared/realdata/README.md`` states.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from extractors.models import Severity, Status
from intake.job.pipeline import Outcome, Pipeline
from tests.conftest import REALDATA, SAMPLES, sample

pytestmark = pytest.mark.ocr
TODAY = dt.date(2026, 11, 21)


def _cases(status: str | None = None, field: str = "status") -> list[Path]:
    out = []
    for gt in sorted(SAMPLES.glob("*.json")):
        if gt.name == "manifest.json":
            continue
        truth = json.loads(gt.read_text(encoding="utf-8"))
        if status is None or truth["expect"].get(field) == status or (status == "*" and truth["expect"].get(field)):
            out.append(SAMPLES / truth["file"])
    return out


def _truth(path: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def _errors(outcome: Outcome) -> set[str]:
    return {f.rule for d in outcome.documents for f in d.findings if f.severity == Severity.ERROR}


@pytest.mark.parametrize("path", _cases("accepted"), ids=lambda p: p.name)
def test_good_samples_are_read_exactly_and_accepted(pipeline: Pipeline, path: Path) -> None:
    outcome = pipeline.process(path.read_bytes(), today=TODAY)
    got = {d.doc_type: d for d in outcome.documents}
    for want in _truth(path)["documents"]:
        assert want["type"] in got, f"{want['type']} not found"
        assert {k: got[want["type"]].value(k) for k in want["fields"]} == want["fields"]
    assert outcome.status == Status.ACCEPTED, _errors(outcome)
    for doc in outcome.documents:
        page = outcome.pages[doc.page - 1].image
        for name, field in doc.fields.items():
            assert field.bbox is not None, name
            x0, y0, x1, y1 = field.bbox
            assert 0 <= x0 < x1 <= page.shape[1] and 0 <= y0 < y1 <= page.shape[0], name


@pytest.mark.parametrize("path", _cases("*", "negative"), ids=lambda p: p.name)
def test_negatives_are_flagged_by_the_rule_they_break(pipeline: Pipeline, path: Path) -> None:
    outcome = pipeline.process(path.read_bytes(), today=TODAY)
    assert outcome.status == Status.NEEDS_REVIEW
    assert _truth(path)["expect"]["rule"] in _errors(outcome)


@pytest.mark.parametrize("path", _cases("*", "reject_reason"), ids=lambda p: p.name)
def test_bad_captures_get_their_retake_reason(pipeline: Pipeline, path: Path) -> None:
    """Rejected with the reason — or, if every field still read correctly, kept with that reason as a warning."""
    reason = _truth(path)["expect"]["reject_reason"]
    outcome = pipeline.process(path.read_bytes(), today=TODAY)
    if outcome.status == Status.REJECTED:
        assert outcome.reject_code == reason
        assert outcome.reject_reason
    else:
        warned = {f.message.en for d in outcome.documents for f in d.findings if f.rule == "image_quality"}
        assert warned, f"{path.name}: read despite the defect, but no image_quality warning"
        got = {d.doc_type: d for d in outcome.documents}
        for want in _truth(path)["documents"]:
            assert {k: got[want["type"]].value(k) for k in want["fields"]} == want["fields"]


@pytest.mark.parametrize(("name", "code"), [("not-a-card.jpg", "no_document"), ("pdf-named.jpg", "no_document")])
def test_files_without_a_card_are_rejected_with_a_reason(pipeline: Pipeline, name: str, code: str) -> None:
    outcome = pipeline.process(sample("bad", name).read_bytes(), today=TODAY)
    assert outcome.status == Status.REJECTED
    assert outcome.reject_code == code
    assert outcome.reject_reason


def test_a4_copy_pdf_yields_two_documents(pipeline: Pipeline) -> None:
    outcome = pipeline.process(sample("a4-copy-scan.pdf").read_bytes(), today=TODAY)
    assert sorted(d.doc_type for d in outcome.documents) == ["id_card_back", "id_card_front"]
    assert len(outcome.pages) == 2


needs_realdata = pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is absent")


@needs_realdata
def test_realdata_rotated_front(pipeline: Pipeline) -> None:
    outcome = pipeline.process((REALDATA / "specimen-id-front-rotated.jpeg").read_bytes(), today=TODAY)
    (front,) = outcome.documents
    assert front.doc_type == "id_card_front"
    assert {k: front.value(k) for k in front.fields} == {
        "name": "代用名", "sex": "男", "ethnicity": "汉", "birth_date": "2013-05-06",
        "address": "湖南省长沙市开福区巡道街幸福小区居民组", "id_number": "430512198908131367"}
    assert outcome.status != Status.ACCEPTED
    assert {"id_number_checksum", "birth_date_matches_id_number", "id_number_area_code"} <= _errors(outcome)


@needs_realdata
def test_realdata_front_and_back_in_one_image(pipeline: Pipeline) -> None:
    outcome = pipeline.process((REALDATA / "specimen-id-front-back.jpg").read_bytes(), today=TODAY)
    got = {d.doc_type: d for d in outcome.documents}
    assert {k: got["id_card_front"].value(k) for k in got["id_card_front"].fields} == {
        "name": "张三", "sex": "男", "ethnicity": "汉", "birth_date": "1995-07-17",
        "address": "四川省成都市武侯区益州大道中段722号复城国际", "id_number": "513701199507176346"}
    assert {k: got["id_card_back"].value(k) for k in ("issuer", "valid_from", "valid_until")} == {
        "issuer": "四川省成都市锦江分局", "valid_from": "2010-01-01", "valid_until": "2020-12-12"}
    front_rules = {f.rule: f.severity for f in got["id_card_front"].findings}
    assert front_rules.get("sex_matches_id_number") == Severity.ERROR
    assert "id_number_checksum" not in front_rules
    assert front_rules.get("address_matches_area_code") == Severity.WARNING
    assert "edited" not in front_rules  # its name printed larger than the other values, as a card prints it
    back_rules = {f.rule for f in got["id_card_back"].findings if f.severity == Severity.ERROR}
    assert {"id_card_not_expired", "validity_length_fits_age"} <= back_rules
    assert got["id_card_front"].status != Status.ACCEPTED and got["id_card_back"].status != Status.ACCEPTED
