"""Edited PDFs are found where they were edited, genuine ones raise nothing: the structure checks of
:mod:`extractors.pdf_forensics`, the rule ``pdf_structure_edited`` and the pipeline end to end."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from extractors import pdf, pdf_forensics
from extractors.models import overlaps
from fixtures import pdf_edits
from tests.conftest import SAMPLES

GENUINE = sorted(SAMPLES.glob("statements/digital-*.pdf")) + sorted(SAMPLES.glob("contracts/digital-*.pdf"))



@pytest.mark.parametrize("path", GENUINE, ids=lambda p: p.name)
def test_genuine_digital_statements_and_contracts_raise_nothing(path: Path) -> None:
    info, pages = pdf.read(path.read_bytes())
    assert info.revisions["saves"] == 1
    assert [s for p in pages if p for s in p.suspects] == []


@pytest.mark.parametrize("kind", pdf_edits.KINDS)
@pytest.mark.parametrize("name", ["statements/digital-cmb.pdf", "statements/digital-ccb-3pages.pdf",
                                  "contracts/digital-bank.pdf"])
def test_an_edit_is_found_on_its_page_and_in_its_box(kind: str, name: str) -> None:
    made = pdf_edits.edit((SAMPLES / name).read_bytes(), kind, random.Random(7))
    if made is None:
        assert kind == "foreign_font" and name.startswith("contracts/"), "amounts in sentences only"
        return
    data, truth = made
    info, pages = pdf.read(data)
    suspects = [s | {"page": n} for n, p in enumerate(pages, start=1) if p for s in p.suspects]
    if kind == "incremental":
        assert info.revisions["saves"] == 2 and not info.revisions["signature_only"]
        assert info.revisions["changed_pages"] == [truth["page"]]
        assert suspects == [], "same font, no box: only the second save gives it away"
    else:
        assert info.revisions["saves"] == 1
        found = {s["kind"] for s in suspects if s["page"] == truth["page"] and overlaps(s["bbox"], truth["bbox"])}
        assert found == ({"hidden_text", "foreign_font"} if kind == "white_box" else {"foreign_font"})
        hidden = [s for s in suspects if s["kind"] == "hidden_text"]
        assert all(s["text"] == truth["was"] for s in hidden), "the hidden text is the original amount"


def test_a_save_that_only_signs_is_no_edit_and_a_signature_must_cover_the_file() -> None:
    first = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    signed = first + b"9 0 obj<</Type/Sig/ByteRange[0 40 60 %d]>>endobj\n%%%%EOF\n"
    signed = signed.replace(b"%d", str(len(signed) - 60 + 2).encode())
    r = pdf_forensics.revisions(signed, [])
    assert (r["saves"], r["signature_only"], r["signature"]["uncovered_after"]) == (2, True, 0)
    appended = signed + b"10 0 obj<</Length 5>>stream\nBT ET\nendstream endobj\n%%EOF\n"
    r = pdf_forensics.revisions(appended, [])
    assert r["saves"] == 3 and r["signature"]["uncovered_after"] > 0


@pytest.mark.ocr
def test_an_edited_statement_is_not_accepted_and_the_finding_names_page_and_box(pipeline) -> None:  # type: ignore[no-untyped-def]
    data, truth = pdf_edits.edit((SAMPLES / "statements/digital-cmb.pdf").read_bytes(), "white_box",
                                 random.Random(7))  # type: ignore[misc]
    outcome = pipeline.process(data, today=None)
    statement = next(d for d in outcome.documents if d.doc_type == "bank_statement")
    found = [f for f in statement.findings if f.rule == "pdf_structure_edited"]
    assert found and all(f.severity == "error" for f in found)
    assert statement.status != "accepted"
    assert any(f"page {truth['page']}" in f.message.en for f in found)
    boxes = [s["bbox"] for s in statement.meta["pdf_suspects"] if s["page"] == truth["page"]]
    page = outcome.pages[truth["page"] - 1].image
    k = page.shape[1] / 595.28  # the sample is A4: boxes come back in the page image's pixels
    assert any(overlaps(b, [v * k for v in truth["bbox"]]) for b in boxes)
