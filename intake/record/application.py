"""The application record: every document of one credit application merged into what the scoring engine reads.

:func:`build` takes the uploads of an application from the database and gives
an :class:`ApplicationRecord`:

- ``sections``: one per document type (``id_card_front``, ``id_card_back``,
  ``bank_statement``, ``loan_contract``) with every field and its provenance
  (value, raw reading, confidence, source, page, box), from the newest usable
  upload of that type (a re-upload replaces a poorer one); a statement's
  ``transactions`` and ``analytics``;
- ``findings``: every document's findings and the cross-document ones
  (:mod:`validators.application`), each naming its documents and fields;
- ``status``: ``processing`` while an upload is being read; ``incomplete``
  with ``missing`` while a required type has no usable document;
  ``needs_review`` while any error finding stands; else ``complete``;
- ``documents``: each upload's version, result digest and evidence head, so
  any value can be traced to the evidence chain (``GET /v1/documents/{id}``).

The record's ``version`` is the sum of its uploads' versions: it grows by one
with every reviewer correction and every new upload read, and a scorer that
has seen version *n* knows whether anything changed. The rules re-run every
time the record is built, so a correction shows at once. The shape is
:data:`SCHEMA_VERSION` of the published JSON Schema (:func:`json_schema`,
``intake/record/schemas/application-record.v<N>.json``, served at
``/v1/schemas/application-record/<N>``); a change to the shape is a new version.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from extractors import doctypes
from extractors.models import ExtractedDocument, FieldRef, Finding, Status
from intake.job.judging import judged_on, rule_context
from intake.record import evidence
from intake.settings import Settings
from intake.storage.db import DocState, Document, RecordVersion
from validators import Member, check_application

SCHEMA_VERSION = 1
SCHEMA_ID = f"/v1/schemas/application-record/{SCHEMA_VERSION}"
SCHEMA_FILE = Path(__file__).parent / "schemas" / f"application-record.v{SCHEMA_VERSION}.json"
REQUIRED_TYPES = ("id_card_front", "id_card_back", "bank_statement", "loan_contract")
"""What an application needs before it is complete."""
USABLE = (Status.ACCEPTED.value, Status.NEEDS_REVIEW.value)
RecordStatus = Literal["complete", "needs_review", "incomplete", "processing"]


class FieldOut(BaseModel):
    value: str | int | bool | None = Field(description="Normalised: ISO dates, decimal strings in yuan, upper-case "
                                                        "ID numbers, rates as decimal fractions")
    raw: str | None = Field(description="As read from the page")
    confidence: float = Field(ge=0, le=1)
    source: Literal["ocr", "pdf_text", "file", "derived", "reviewer"]
    page: int = Field(description="Page number in the upload; the image is at the section's `pages` URL")
    bbox: tuple[int, int, int, int] | None = Field(description="x0, y0, x1, y1 in pixels on the stored page image")
    note: str | None = Field(None, description="Why a derived value was derived, or the reviewer's note")


class Section(BaseModel):
    document: str = Field(description="Reference of the document: `<upload id>/<index in the upload>`")
    upload_id: str
    version: int = Field(description="The upload's record version the fields are from")
    version_source: Literal["pipeline", "reviewer"] = Field(description="Who made that version")
    version_author: str | None = Field(description="The reviewer, for a reviewer's version")
    version_at: dt.datetime | None = Field(description="When that version was made")
    status: Literal["accepted", "needs_review"]
    fields: dict[str, FieldOut]
    pages: list[str] = Field(description="URLs of the stored page images the boxes refer to")
    transactions: list[dict[str, FieldOut]] | None = Field(None, description="A statement's rows, printed order")
    analytics: dict[str, Any] | None = Field(None, description="A statement's cash-flow figures and flags")
    others: list[str] = Field([], description="Other usable documents of this type, older, not merged")


class FindingOut(BaseModel):
    rule: str
    severity: Literal["error", "warning"]
    message: dict[str, str] = Field(description="`en` and `zh`")
    refs: list[FieldRef] = Field(description="Each document the finding concerns and its fields")
    cross_document: bool
    overridden: bool = Field(default=False, description="A reviewer approved every document the finding concerns: it "
                                                "no longer holds the application in review")


class EvidenceRef(BaseModel):
    upload_id: str
    url: str
    version: int
    state: str
    sha256: str = Field(description="sha256 of the uploaded file")
    result_sha256: str | None = Field(description="sha256 of the stored result the evidence chain pins")
    chain_head: str | None = Field(description="Hash of the last event of the upload's evidence chain")
    events: int
    documents: list[str] = Field(description="References of the documents found in the upload")


class ApplicationRecord(BaseModel):
    schema_: str = Field(SCHEMA_ID, alias="$schema")
    schema_version: int = SCHEMA_VERSION
    application_id: str
    version: int = Field(description="Sum of the uploads' record versions: grows with every new reading or "
                                     "correction")
    generated_at: dt.datetime
    status: RecordStatus
    missing: list[str] = Field(description="Required document types without a usable document")
    review: list[str] = Field(description="Rules whose error findings hold the application in needs_review")
    sections: dict[str, Section]
    findings: list[FindingOut]
    documents: list[EvidenceRef]

    model_config = {"populate_by_name": True}


def _pages(upload: Document, doc: dict[str, Any]) -> list[str]:
    numbers = doc.get("pages") or [doc.get("page") or 1]
    return [f"/v1/documents/{upload.id}/pages/{n}" for n in numbers]


def _fields(fields: dict[str, Any]) -> dict[str, FieldOut]:
    return {name: FieldOut.model_validate({k: f.get(k) for k in FieldOut.model_fields}) for name, f in fields.items()}


def _section(s: Session, upload: Document, index: int, doc: dict[str, Any], others: list[str]) -> Section:
    rows = (doc.get("tables") or {}).get("transactions")
    made = s.scalars(select(RecordVersion).where(RecordVersion.document_id == upload.id,
                                                 RecordVersion.version == upload.version)).first()
    return Section(document=f"{upload.id}/{index}", upload_id=upload.id, version=upload.version,
                   version_source="reviewer" if made is not None and made.source == "reviewer" else "pipeline",
                   version_author=made.author if made is not None else None,
                   version_at=made.created_at if made is not None else upload.finished_at,
                   status=doc["status"], fields=_fields(doc.get("fields") or {}), pages=_pages(upload, doc),
                   transactions=None if rows is None else [_fields(r) for r in rows],
                   analytics=doc.get("analytics"), others=others)


def _own(f: Finding, ref: str, doc_type: str) -> FindingOut:
    return FindingOut(rule=f.rule, severity=f.severity.value, message={"en": f.message.en, "zh": f.message.zh},
                      refs=[FieldRef(document=ref, type=doc_type, fields=f.fields)], cross_document=False)


def build(s: Session, settings: Settings, application_id: str, today: dt.date | None = None,
          ) -> ApplicationRecord | None:
    """The application's record as of now (None if it has no uploads); its cross-document rules judge as of
    its newest upload's day (:func:`~intake.job.pipeline.judged_on`)."""
    uploads = list(s.scalars(select(Document).where(Document.application_id == application_id)
                             .order_by(Document.created_at, Document.id)))
    if not uploads:
        return None
    members: list[Member] = []
    by_type: dict[str, list[tuple[Document, int, dict[str, Any]]]] = {}
    refs: dict[str, EvidenceRef] = {}
    for upload in uploads:
        events = evidence.events_of(s, upload.id)
        pinned = [e for e in events if e.kind in (evidence.EventKind.FINISHED, evidence.EventKind.CORRECTED,
                                                  evidence.EventKind.REVIEWED)]
        refs[upload.id] = EvidenceRef(
            upload_id=upload.id, url=f"/v1/documents/{upload.id}", version=upload.version, state=upload.state,
            sha256=upload.sha256, result_sha256=pinned[-1].payload.get("result_sha256") if pinned else None,
            chain_head=events[-1].hash if events else None, events=len(events), documents=[])
        if not DocState(upload.state).terminal:
            continue
        for i, doc in enumerate(upload.result or []):
            ref = f"{upload.id}/{i}"
            refs[upload.id].documents.append(ref)
            if doc.get("status") in USABLE and doc.get("doc_type") != "unknown" and not doc.get("deleted"):
                by_type.setdefault(doc["doc_type"], []).append((upload, i, doc))
    sections: dict[str, Section] = {}
    findings: list[FindingOut] = []
    for doc_type, found in by_type.items():
        upload, i, doc = found[-1]  # the newest usable upload of the type
        others = [f"{u.id}/{j}" for u, j, _ in found[:-1]]
        sections[doc_type] = _section(s, upload, i, doc, others)
        extracted = ExtractedDocument.model_validate(doc)
        members.append(Member(ref=f"{upload.id}/{i}", doc=extracted))
        findings.extend(_own(f, f"{upload.id}/{i}", doc_type) for f in extracted.findings)
    ctx = rule_context(settings, today or judged_on(settings, uploads[-1].created_at))
    for f in check_application(members, ctx):
        findings.append(FindingOut(rule=f.rule, severity=f.severity.value,
                                   message={"en": f.message.en, "zh": f.message.zh}, refs=f.refs,
                                   cross_document=True))
    approved = {u.id for u in uploads if u.review_decision == "approved"}
    for out in findings:
        out.overridden = bool(out.refs) and all(r.document.split("/")[0] in approved for r in out.refs)
    missing = [t for t in REQUIRED_TYPES if t not in sections and not (settings.substitutes and any(
        t in doctypes.get(other).stands_in_for for other in sections if other in doctypes.registry()))]
    review = sorted({f.rule for f in findings if f.severity == "error" and not f.overridden})
    status: RecordStatus
    if any(not DocState(u.state).terminal for u in uploads):
        status = "processing"
    elif missing:
        status = "incomplete"
    elif review or any(sec.status != Status.ACCEPTED.value for sec in sections.values()):
        status = "needs_review"
    else:
        status = "complete"
    return ApplicationRecord.model_validate({
        "application_id": application_id, "version": sum(u.version for u in uploads),
        "generated_at": dt.datetime.now(dt.UTC), "status": status, "missing": missing, "review": review,
        "sections": sections, "findings": findings, "documents": list(refs.values())})


def json_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`ApplicationRecord` (draft 2020-12), as published."""
    schema = ApplicationRecord.model_json_schema(by_alias=True, mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            **schema, "title": f"DocIntake application record, version {SCHEMA_VERSION}"}


@cache
def published_schema() -> dict[str, Any]:
    """The committed schema file (a test keeps it equal to :func:`json_schema`)."""
    data: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data


def write_schema() -> Path:
    """Rewrite the committed schema file from the models (``python -m intake.record.application``)."""
    SCHEMA_FILE.parent.mkdir(exist_ok=True)
    SCHEMA_FILE.write_text(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return SCHEMA_FILE


if __name__ == "__main__":
    print(write_schema())
