"""Alipay and WeChat Pay records: every form of both generators read exactly, the forgeries caught by their
rules, odd files refused at upload with a reason, and the record through the API, queue and worker."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from extractors import doctypes
from extractors.admission import precheck
from extractors.errors import CorruptFile, NotADocument, UnsupportedFormat
from extractors.models import ExtractedDocument
from extractors.pdf import read as read_pdf
from fixtures import payments, payments_alt
from intake.job import jobs, queue
from intake.job.judging import check, rule_context
from intake.job.pipeline import Pipeline
from intake.job.worker import PromptWorker
from intake.settings import Settings
from tests.conftest import api

AS_OF = dt.date(2026, 12, 7)
GENERATORS = {"own": payments, "alt": payments_alt}


def _read(records: Any, data: bytes) -> ExtractedDocument:
    """As the reader does, without OCR: a data file by the type that claims it, a proof by its text layer."""
    kind = doctypes.get(records.truth()["doc_type"])
    if records.form.endswith("_pdf"):
        _, pages = read_pdf(data)
        lines = [p.scaled(int(p.width)) for p in pages]
        return kind().extract_pages(list(enumerate(lines, start=1)), {"text_layer_pages": len(lines)})
    assert kind.owns_file(data) == records.form.split("_")[1]
    return kind().read_file(data)


def _judged(doc: ExtractedDocument) -> ExtractedDocument:
    check(doc, rule_context(Settings(as_of=AS_OF), AS_OF))
    return doc


@pytest.mark.parametrize("generator", sorted(GENERATORS))
@pytest.mark.parametrize("form", payments.FORMS)
def test_every_form_reads_exactly_and_is_accepted(generator: str, form: str) -> None:
    gen = GENERATORS[generator]
    records = gen.make(11, form, AS_OF, count=30)
    data, _ = gen.render(records)
    truth = records.truth()
    doc = _judged(_read(records, data))
    assert {k: doc.fields[k].value if k in doc.fields else None for k in truth["fields"]} == truth["fields"]
    rows = doc.tables["transactions"]
    assert [(r["date"].value, r["time"].value, r["amount"].value, r["order_id"].value) for r in rows] == \
        [(t["date"], t["time"], t["amount"], t["order_id"]) for t in truth["transactions"]]
    assert doc.status.value == "accepted", [f.message.en for f in doc.findings]
    figures = doctypes.get(doc.doc_type).analyse(doc)
    assert figures is not None
    assert figures["money_moved"]["excluded_rows"] == [i for i, t in enumerate(truth["transactions"])
                                                       if not t["moved"]]


@pytest.mark.parametrize(("negative", "rule"), [
    ("edited_total", "payment_totals_match_rows"), ("edited_amount", "payment_totals_match_rows"),
    ("duplicated_row", "payment_order_ids_unique"), ("row_out_of_order", "payment_rows_in_order"),
    ("row_outside_period", "payment_rows_in_period")])
@pytest.mark.parametrize("form", ["alipay_csv", "wechat_xlsx", "wechat_pdf"])
def test_each_forgery_is_caught_by_its_rule(form: str, negative: str, rule: str) -> None:
    records = payments_alt.make(12, form, AS_OF, negative=negative, count=25)
    data, _ = payments_alt.render(records)
    doc = _judged(_read(records, data))
    assert doc.status.value == "needs_review"
    assert rule in {f.rule for f in doc.findings if f.severity.value == "error"}


def test_closed_and_refunded_rows_move_no_money() -> None:
    records = payments.make(13, "wechat_xlsx", AS_OF, count=60)
    refunded = next(t for t in records.rows if t.direction == "支出" and t.moved)
    refunded.status = "已全额退款"
    records.printed = records.totals()
    doc = _judged(_read(records, payments.render(records)[0]))
    assert doc.status.value == "accepted"
    row = records.rows.index(refunded)
    assert row in doctypes.get(doc.doc_type).analyse(doc)["money_moved"]["excluded_rows"]  # type: ignore[index]
    # the same file whose totals were made counting that row as paid: they no longer match the rows
    tampered = payments.make(13, "wechat_xlsx", AS_OF, count=60)
    tampered.rows[row].status = "已全额退款"
    findings = _judged(_read(tampered, payments.render(tampered)[0])).findings
    assert "payment_totals_match_rows" in {f.rule for f in findings}


def test_a_file_without_totals_is_not_checked_against_them() -> None:
    records = payments.make(14, "alipay_csv", AS_OF, count=20)
    text = payments.alipay_csv(records).decode("gb18030")
    text = "\n".join(line for line in text.splitlines() if "笔" not in line)
    doc = _judged(doctypes.get("payment_alipay")().read_file(text.encode("gb18030")))
    [finding] = [f for f in doc.findings if f.rule == "payment_totals_match_rows"]
    assert finding.severity.value == "warning" and "could not be checked" in finding.message.en


def test_files_that_are_no_export_are_refused_at_upload() -> None:
    with pytest.raises(UnsupportedFormat, match="text"):
        precheck("姓名,金额\n张三,12.00\n".encode())
    book = io.BytesIO()
    with zipfile.ZipFile(book, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", "<sheetData>季度报表</sheetData>")
    with pytest.raises(UnsupportedFormat, match="ZIP"):
        precheck(book.getvalue())
    assert precheck(payments.wechat_xlsx(payments.make(15, "wechat_xlsx", AS_OF, count=5))) == "xlsx"
    # a WeChat bill whose rows were cut off: admitted by its title, then rejected with the reason
    with pytest.raises(NotADocument, match="column headers"):
        doctypes.get("payment_wechat")().read_file("微信支付账单明细\n微信昵称：[a]\n".encode())


def test_a_spreadsheet_that_unpacks_to_gigabytes_is_refused_before_it_is_opened() -> None:
    book = io.BytesIO()
    with zipfile.ZipFile(book, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/sharedStrings.xml", "<sst><si><t>微信支付账单明细</t></si></sst>")
        z.writestr("xl/worksheets/sheet1.xml", b"<sheetData>" + b" " * (80 * 1024 * 1024) + b"</sheetData>")
    data = book.getvalue()
    assert len(data) < 200_000 and doctypes.get("payment_wechat").owns_file(data) == "xlsx"
    with pytest.raises(CorruptFile, match="unpacks to"):
        doctypes.get("payment_wechat")().read_file(data)


@pytest.mark.ocr
@pytest.mark.parametrize("substitutes", [False, True])
def test_a_payment_export_through_the_queue_is_income_evidence(
        settings: Settings, pipeline: Pipeline, substitutes: bool) -> None:
    settings.as_of = AS_OF
    settings.substitutes = substitutes
    jobs.configure(settings, pipeline)
    client: TestClient = api(settings)
    records = payments.make(16, "alipay_csv", AS_OF, count=30)
    r = client.post("/v1/applications/app-pay/documents",
                    files={"file": ("alipay_record.csv", payments.alipay_csv(records), "text/csv")})
    assert r.status_code == 202, r.text
    PromptWorker(queue.queues(settings), connection=queue.connection(settings)).work(burst=True)
    view = client.get(r.json()["status_url"]).json()
    assert view["evidence"]["chain_ok"]
    [doc] = view["documents"]
    assert doc["type"] == "payment_alipay" and doc["status"] == "accepted"
    assert len(doc["transactions"]) == 30 and doc["transactions"][0]["amount"]["source"] == "file"
    record = client.get("/v1/applications/app-pay/record").json()
    section = record["sections"]["payment_alipay"]
    assert section["analytics"]["money_moved"]["income_count"] == records.totals()["income_count"]
    assert ("bank_statement" in record["missing"]) is not substitutes


SAMPLES = sorted(p for p in (Path(__file__).resolve().parents[2] / "fixtures" / "samples" / "payments").glob("*.json")
                 if p.name != "manifest.json")


@pytest.mark.parametrize("truth_file", SAMPLES, ids=lambda p: p.stem)
def test_the_committed_samples_read_as_their_truth(truth_file: Path) -> None:
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    [data_file] = [p for p in truth_file.parent.glob(truth_file.stem + ".*") if p.suffix != ".json"]
    data = data_file.read_bytes()
    kind = doctypes.get(truth["doc_type"])
    if data_file.suffix == ".pdf":
        _, pages = read_pdf(data)
        lines = [p.scaled(int(p.width)) for p in pages]
        doc = kind().extract_pages(list(enumerate(lines, start=1)), {"text_layer_pages": len(lines)})
    else:
        assert precheck(data) == data_file.suffix[1:]
        doc = kind().read_file(data)
    check(doc, rule_context(Settings(), dt.date.fromisoformat(truth["as_of"])))
    assert {k: doc.fields[k].value if k in doc.fields else None for k in truth["fields"]} == truth["fields"]
    assert [r["order_id"].value for r in doc.tables["transactions"]] == [t["order_id"] for t in truth["transactions"]]
    assert doc.status.value == "accepted"


@pytest.mark.ocr
@pytest.mark.parametrize("kind", ["white_box", "incremental"])
def test_an_edited_pdf_proof_is_not_accepted(pipeline: Pipeline, kind: str) -> None:
    import random

    from fixtures.pdf_edits import edit

    records = payments.make(17, "alipay_pdf", AS_OF, count=20)
    genuine = payments.render(records)[0]
    assert pipeline.process(genuine, today=AS_OF).documents[0].status.value == "accepted"
    edited = edit(genuine, kind, random.Random(3))
    assert edited is not None, "the proof has an amount to edit"
    [doc] = pipeline.process(edited[0], today=AS_OF).documents
    assert doc.doc_type == "payment_alipay" and doc.status.value == "needs_review"
    assert "pdf_structure_edited" in {f.rule for f in doc.findings if f.severity.value == "error"}
