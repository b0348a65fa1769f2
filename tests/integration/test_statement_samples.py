"""Every committed bank-statement sample through the real pipeline (in-process, real OCR).

Ground truth is the JSON beside each sample (``fixtures/samples/statements``),
written by the generator from its own data model, never by parsing.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from extractors.doctypes.bank_statement import TRANSACTION_FIELDS
from extractors.models import ExtractedDocument, Severity, Status
from intake.job.pipeline import Outcome, Pipeline
from tests.conftest import SAMPLES

pytestmark = pytest.mark.ocr
TODAY = dt.date(2026, 11, 21)
FOLDER = SAMPLES / "statements"


def _truths() -> list[dict[str, Any]]:
    out = []
    for gt in sorted(FOLDER.glob("*.json")):
        if gt.name != "manifest.json":
            out.append(json.loads(gt.read_text(encoding="utf-8")))
    return out


def _cases(pred: Any) -> list[dict[str, Any]]:
    return [t for t in _truths() if pred(t)]


def _statement(outcome: Outcome) -> ExtractedDocument:
    docs = [d for d in outcome.documents if d.doc_type == "bank_statement"]
    assert len(docs) == 1, [d.doc_type for d in outcome.documents]
    return docs[0]


def _rows(doc: ExtractedDocument) -> list[dict[str, Any]]:
    return [{k: f.value for k, f in r.items()} for r in doc.tables["transactions"]]


def _full(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: row.get(k) for k in TRANSACTION_FIELDS} for row in rows]


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return row.get("date"), row.get("amount"), row.get("balance")


def _errors(doc: ExtractedDocument) -> list[str]:
    return [f"{f.rule}: {f.message.en}" for f in doc.findings if f.severity == Severity.ERROR]


def test_the_sample_set_covers_every_layout_and_capture() -> None:
    truths = _truths()
    assert {t["layout"] for t in truths if "layout" in t} >= {"icbc", "ccb", "abc", "boc", "cmb",
                                                              "generic_debit_credit", "generic_dc_flag"}
    assert {t.get("capture") for t in truths} >= {"digital", "scanned", "photo"}


@pytest.mark.parametrize("truth", _cases(lambda t: t.get("capture") == "digital" and not t.get("reason")
                                         and not t["expect"].get("negative")), ids=lambda t: t["file"])
def test_digital_statements_are_read_exactly(pipeline: Pipeline, truth: dict[str, Any]) -> None:
    outcome = pipeline.process((FOLDER / truth["file"]).read_bytes(), today=TODAY)
    doc = _statement(outcome)
    assert _full(_rows(doc)) == _full(truth["transactions"])
    assert {k: doc.value(k) for k in truth["fields"]} == truth["fields"]
    assert doc.meta["layout"] == (truth["layout"] if not truth["layout"].startswith("generic") else "generic")
    assert doc.meta["order"] == truth["order"]
    assert outcome.status == Status.ACCEPTED, _errors(doc)
    assert all(f.source.value == "pdf_text" for r in doc.tables["transactions"] for f in r.values())
    for row in doc.tables["transactions"]:  # every cell has a box on its page image
        for name, f in row.items():
            page = outcome.pages[f.page - 1].image
            assert f.bbox is not None, name
            x0, y0, x1, y1 = f.bbox
            assert 0 <= x0 < x1 <= page.shape[1] and 0 <= y0 < y1 <= page.shape[0], name
    assert doc.analytics is not None and doc.analytics["transactions"] == len(truth["transactions"])


@pytest.mark.parametrize("truth", _cases(lambda t: t.get("capture") == "digital" and "flags" in t
                                         and not t.get("reason") and not t["expect"].get("negative")),
                         ids=lambda t: t["file"])
def test_analytics_flags_agree_with_the_generator(pipeline: Pipeline, truth: dict[str, Any]) -> None:
    """The generator knows which of its counterparties are lotteries, lenders…, and which rows it made night-time
    or pass-through; the analytics find them from the text alone. Round amounts: the generator marks those of
    10 000 and more, the analytics from 5 000, so its rows are a subset."""
    doc = _statement(pipeline.process((FOLDER / truth["file"]).read_bytes(), today=TODAY))
    assert doc.analytics is not None
    ours = {f["flag"]: f["rows"] for f in doc.analytics["flags"]}
    names = {"night": "night_time", "round_amount": "round_amounts"}
    for flag, rows in truth["flags"].items():
        got = ours.get(names.get(flag, flag), [])
        if flag == "round_amount":
            assert set(rows) <= set(got), flag
        else:
            assert got == sorted(rows), flag


@pytest.mark.parametrize("truth", _cases(lambda t: t.get("capture") in ("scanned", "photo")
                                         and not t["expect"].get("negative")), ids=lambda t: t["file"])
def test_scans_and_photos_find_the_transactions(pipeline: Pipeline, truth: dict[str, Any]) -> None:
    outcome = pipeline.process((FOLDER / truth["file"]).read_bytes(), today=TODAY)
    doc = _statement(outcome)
    got, want = [_key(r) for r in _rows(doc)], [_key(r) for r in truth["transactions"]]
    matched = sum(min(got.count(k), want.count(k)) for k in set(want))
    f1 = 2 * matched / (len(got) + len(want))
    assert f1 >= (0.98 if truth["capture"] == "scanned" else 0.95), (matched, len(got), len(want))
    assert all(f.source.value == "ocr" for r in doc.tables["transactions"] for f in r.values())
    assert doc.value("account_number") == truth["fields"]["account_number"]


@pytest.mark.parametrize("truth", _cases(lambda t: t["expect"].get("negative") in ("edited_balance", "deleted_row")),
                         ids=lambda t: t["file"])
def test_edited_and_deleted_rows_are_flagged_at_the_row(pipeline: Pipeline, truth: dict[str, Any]) -> None:
    outcome = pipeline.process((FOLDER / truth["file"]).read_bytes(), today=TODAY)
    doc = _statement(outcome)
    rows = _rows(doc)
    want = truth["expect"]["row"]
    index = next(i for i, r in enumerate(rows) if _key(r) == _key(want))
    chain = [f for f in doc.findings if f.rule == "balance_chain"]
    assert [f.fields[0] for f in chain] == [f"transactions[{index}].balance"]
    assert outcome.status == Status.NEEDS_REVIEW
    if truth["expect"]["negative"] == "edited_balance":
        assert "altered" in chain[0].message.en
    else:
        assert "missing" in chain[0].message.en
        gap = Decimal(want["balance"]) - Decimal(rows[index - 1]["balance"]) - Decimal(want["amount"])
        assert str(gap) in chain[0].message.en


def test_a_statement_saved_by_an_editor_gets_a_warning(pipeline: Pipeline) -> None:
    [truth] = _cases(lambda t: t["expect"].get("negative") == "edited_with_editor")
    doc = _statement(pipeline.process((FOLDER / truth["file"]).read_bytes(), today=TODAY))
    edited = [f for f in doc.findings if f.rule == "pdf_edited"]
    assert edited and all(f.severity == Severity.WARNING for f in edited)
    assert any("modified" in f.message.en for f in edited) and any("editing program" in f.message.en for f in edited)


def test_a_picture_pasted_over_the_text_layer_is_caught(pipeline: Pipeline) -> None:
    """The forged statement shows one balance and carries another, invisible, in its text layer. The
    reader OCRs every cell an image is drawn over (and a sample of rows, always the first and last)."""
    [truth] = _cases(lambda t: t["expect"].get("negative") == "text_layer_mismatch")
    outcome = pipeline.process((FOLDER / truth["file"]).read_bytes(), today=TODAY)
    doc = _statement(outcome)
    check = doc.meta["text_layer_check"]
    n, forged = len(doc.tables["transactions"]), f"transactions[{truth['expect']['printed_index']}].balance"
    assert {"transactions[0].balance", f"transactions[{n - 1}].balance", forged} <= set(check["sampled"])
    assert check["under_images"] == [forged]
    [mismatch] = check["mismatches"]
    assert mismatch["field"] == forged
    assert mismatch["ocr"].replace(",", "") == truth["expect"]["visible_balance"]
    [finding] = [f for f in doc.findings if f.rule == "text_layer_mismatch"]
    assert finding.fields == [forged] and finding.severity == Severity.ERROR, "the record's value is not the page's"
    assert doc.status != "accepted"
    assert doc.value("account_number") == truth["fields"]["account_number"]


@pytest.mark.parametrize("reason", ["no_transactions", "not_a_statement"])
def test_statements_without_transactions_and_other_pdfs_are_rejected(pipeline: Pipeline, reason: str) -> None:
    [truth] = _cases(lambda t: t.get("reason") == reason)
    outcome = pipeline.process((FOLDER / truth["file"]).read_bytes(), today=TODAY)
    assert outcome.status == Status.REJECTED
    assert outcome.reject_code == {"no_transactions": "no_transactions", "not_a_statement": "no_document"}[reason]
    assert outcome.reject_reason
