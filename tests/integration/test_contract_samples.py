"""Every committed loan-contract sample through the real pipeline (in-process, real OCR for the scans).

Ground truth is the JSON beside each sample (``fixtures/samples/contracts``), written by the generator from its own
data model: every field must be read exactly, the seal and the signature found where they were drawn, and each
negative flagged by its rule on its fields and by nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from extractors.models import ExtractedDocument, Severity, Source
from intake.job.pipeline import Pipeline
from tests.conftest import SAMPLES

pytestmark = pytest.mark.ocr
TODAY = dt.date(2026, 11, 21)
FOLDER = SAMPLES / "contracts"
CASES = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(FOLDER.glob("*.json")) if p.name != "manifest.json"]


def read(pipeline: Pipeline, truth: dict[str, Any]) -> ExtractedDocument:
    outcome = pipeline.process((FOLDER / truth["file"]).read_bytes(), today=TODAY)
    docs = [d for d in outcome.documents if d.doc_type == "loan_contract"]
    assert len(docs) == 1, [d.doc_type for d in outcome.documents]
    assert docs[0].pages == list(range(1, truth["pages"] + 1)), "all pages are one contract"
    return docs[0]


def _inside(box: tuple[int, int, int, int], truth_box: list[float], scale: float, slack: float = 40) -> bool:
    """Whether a pixel box found on the page lies on the box the generator drew (PDF points × ``scale``)."""
    x0, y0, x1, y1 = (v * scale for v in truth_box)
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return x0 - slack <= cx <= x1 + slack and y0 - slack <= cy <= y1 + slack


def test_the_samples_are_there() -> None:
    assert {t["capture"] for t in CASES} == {"digital", "scanned"}
    assert any(t["expect"]["negative"] for t in CASES)


@pytest.mark.parametrize("truth", [t for t in CASES if not t["expect"]["negative"]], ids=lambda t: t["file"])
def test_every_field_is_read(pipeline: Pipeline, truth: dict[str, Any]) -> None:
    doc = read(pipeline, truth)
    got = {name: doc.value(name) for name in truth["fields"]}
    assert got == truth["fields"]
    assert doc.fields["principal_in_words"].raw == truth["raw"]["principal_in_words"]
    assert doc.fields["annual_rate"].raw == truth["raw"]["annual_rate"]
    source = Source.PDF_TEXT if truth["capture"] == "digital" else Source.OCR
    assert doc.fields["borrower"].source == source and doc.fields["borrower"].bbox
    assert [f.rule for f in doc.findings if f.severity == Severity.ERROR] == []


@pytest.mark.parametrize("truth", [t for t in CASES if not t["expect"]["negative"]], ids=lambda t: t["file"])
def test_seal_and_signature_are_found_where_they_were_drawn(pipeline: Pipeline, truth: dict[str, Any]) -> None:
    doc = read(pipeline, truth)
    dpi = 120 if truth["capture"] == "digital" else truth.get("dpi", 200)
    for name, mark in (("has_seal", "seal"), ("has_signature", "signature")):
        f, drawn = doc.fields[name], truth["boxes"][mark]
        assert f.value is True and f.bbox is not None
        assert f.page == drawn["page"]
        assert _inside(f.bbox, drawn["box"], dpi / 72), (name, f.bbox, drawn)


@pytest.mark.parametrize("truth", [t for t in CASES if t["expect"]["negative"]], ids=lambda t: t["file"])
def test_each_negative_is_flagged_on_its_fields(pipeline: Pipeline, truth: dict[str, Any]) -> None:
    doc = read(pipeline, truth)
    errors = {f.rule: f.fields for f in doc.findings if f.severity == Severity.ERROR}
    assert set(errors) == set(truth["expect"]["rules"]), errors
    for rule in truth["expect"]["rules"]:
        assert set(errors[rule]) == set(truth["expect"]["fields"])
