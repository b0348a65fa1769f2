"""Edited PDFs are found where they were edited, genuine ones raise nothing: the structure checks of
:mod:`extractors.pdf_forensics`, the rule ``pdf_structure_edited`` and the pipeline end to end."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from extractors import pdf, pdf_forensics
from extractors.models import ExtractedDocument, overlaps
from fixtures import pdf_edits
from tests.conftest import SAMPLES
from validators.base import RuleContext
from validators.pdf_structure import pdf_structure_edited

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
        assert kind in ("foreign_font", "retyped_in_place") and name.startswith("contracts/"), "amounts in sentences"
        return
    data, truth = made
    info, pages = pdf.read(data)
    suspects = [s | {"page": n} for n, p in enumerate(pages, start=1) if p for s in p.suspects]
    if kind == "incremental":
        assert info.revisions["saves"] == 2 and not info.revisions["signature_only"]
        assert info.revisions["changed_pages"] == [truth["page"]]
        assert suspects == [], "same font, no box: only the second save gives it away"
    elif kind == "resaved_after_signing":
        assert info.revisions["saves"] == 1 and suspects == [], "one save, same font, no box"
        [check] = info.revisions["signatures"]
        assert check["intact"] is False, "only the signature's digest gives it away"
    elif kind == "retyped_in_place":
        assert info.revisions["saves"] == 1
        [found] = suspects  # same font, no box, one save: only where it ends gives it away
        assert found["kind"] == "misaligned" and found["page"] == truth["page"] and found["text"] == truth["now"]
        assert overlaps(found["bbox"], truth["bbox"]) and 3.0 < found["offset"] < 8.0 and found["column"] >= 3
    else:
        assert info.revisions["saves"] == 1
        found = {s["kind"] for s in suspects if s["page"] == truth["page"] and overlaps(s["bbox"], truth["bbox"])}
        want = {"hidden_text", "foreign_font"} if kind == "white_box" else {"foreign_font"}
        assert want <= found <= want | {"misaligned"}  # typed over it, it may end off the column too
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


@pytest.mark.parametrize("name", ["statements/digital-cmb.pdf", "contracts/digital-bank.pdf"])
def test_a_file_the_bank_signed_verifies_and_raises_nothing(name: str) -> None:
    from extractors.models import ExtractedDocument
    from validators.base import RuleContext
    from validators.pdf_structure import pdf_structure_edited

    info, _ = pdf.read(pdf_edits.sign((SAMPLES / name).read_bytes()))
    [check] = info.revisions["signatures"]
    assert (check["intact"], check["valid"], check["coverage"]) == (True, True, "entire_file")
    assert info.revisions["saves"] == 2 and info.revisions["signature_only"], "the widget on the page draws nothing"
    doc = ExtractedDocument(doc_type="bank_statement", meta={"pdf_revisions": info.revisions, "pdf_suspects": []})
    assert list(pdf_structure_edited(doc, RuleContext())) == []


def test_a_signed_file_changed_and_rewritten_says_which_bytes_the_signature_no_longer_covers() -> None:
    from extractors.models import ExtractedDocument, Severity
    from validators.base import RuleContext
    from validators.pdf_structure import pdf_structure_edited

    made = pdf_edits.edit((SAMPLES / "statements/digital-cmb.pdf").read_bytes(), "resaved_after_signing",
                          random.Random(3))
    assert made is not None
    info, _ = pdf.read(made[0])
    doc = ExtractedDocument(doc_type="bank_statement", meta={"pdf_revisions": info.revisions, "pdf_suspects": []})
    findings = [f for f in pdf_structure_edited(doc, RuleContext()) if "does not verify" in f.message.en]
    [finding] = findings
    start, length, resume, rest = info.revisions["signatures"][0]["byte_range"]
    assert finding.severity == Severity.ERROR and f"{start}–{length}–{resume}–{rest}" in finding.message.en


def test_a_signature_that_cannot_be_parsed_is_reported_not_raised() -> None:
    broken = (b"%PDF-1.7\n1 0 obj<</Type/Catalog/AcroForm<</Fields[2 0 R]>>>>endobj\n"
              b"2 0 obj<</FT/Sig/V 3 0 R>>endobj\n3 0 obj<</Type/Sig/ByteRange[0 10 20 5]/Contents<00>>>endobj\n"
              b"trailer<</Root 1 0 R>>\n%%EOF\n")
    checks = pdf_forensics.verify_signatures(broken)
    assert checks and all("error" in c or c.get("intact") is False for c in checks)


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


def test_signatures_are_checked_from_inside_a_running_event_loop() -> None:
    """pyHanko's synchronous calls start an asyncio loop of their own; a caller inside a loop still gets answers."""
    import asyncio

    signed = pdf_edits.sign((SAMPLES / "statements/digital-cmb.pdf").read_bytes())

    async def inside() -> list[dict[str, object]]:
        return pdf_forensics.verify_signatures(signed)

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:  # a thread of its own: the suite's browser runs a loop here
        [check] = pool.submit(asyncio.run, inside()).result()
    assert check.get("intact") is True and "error" not in check


def _page(rows: list[tuple[str, float, float]]) -> pdf_forensics.Drawn:
    """A page drawing each text at (x, top), 8 pt high, its glyphs 4.4 pt wide and abutting."""
    chars = [(ch, x + 4.4 * i, x + 4.4 * (i + 1), top, top + 8) for text, x, top in rows for i, ch in enumerate(text)]

    class Page:
        pass

    page = Page()
    page.chars, page.glyphs, page.white_fills = chars, [("F1", i) for i in range(len(chars))], []  # type: ignore[attr-defined]
    return page  # type: ignore[return-value]


def test_an_amount_ending_off_its_right_aligned_column_is_found_and_a_summary_line_is_not() -> None:
    right = 300.0
    rows = [(f"2026-07-{d:02d}", 40.0, 100.0 + 14 * d) for d in range(1, 8)]
    amounts = ["1,234.50", "88.00", "12,000.00", "-456.70", "5.10", "700.00", "3,333.33"]
    rows += [(a, right - 4.4 * len(a), 100.0 + 14 * d) for d, a in enumerate(amounts, start=1)]
    assert pdf_forensics.page_suspects(_page(rows)) == []
    edited = [r if r[0] != "-456.70" else ("-4456.70", r[1], r[2]) for r in rows]  # typed where -456.70 began
    [found] = pdf_forensics.page_suspects(_page(edited))
    assert found["kind"] == "misaligned" and found["text"] == "-4456.70" and found["offset"] == pytest.approx(4.4)
    summary = [*rows, ("支出合计", 40.0, 220.0), ("9,999.99", 270.0, 220.0)]  # under the table, no date
    assert pdf_forensics.page_suspects(_page(summary)) == []
    doc = ExtractedDocument(doc_type="bank_statement", meta={"pdf_suspects": [found | {"page": 2}]})
    [f] = list(pdf_structure_edited(doc, RuleContext()))
    assert f.severity == "error" and "page 2" in f.message.en and "4.4 pt" in f.message.en
    assert "-4456.70" in f.message.zh and "右边" in f.message.zh
