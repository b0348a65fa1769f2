"""What the review page shows: the queue, a document, an application, the versions of a record.

ID and account numbers are masked (``4401**********1234``, ``****5678``)
wherever they appear — values, raw readings, version diffs — unless a reviewer
reveals them (:func:`reveal`), which the caller logs.

>>> mask("440106199003070032"), mask("6222021234567890123"), mask("12345"), mask(None)
('4401**********0032', '6222***********0123', '*****', None)
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intake.record import application
from intake.record.records import masked_field
from intake.review.decisions import RETAKE_MESSAGES, RetakeReason
from intake.settings import Settings
from intake.storage.db import DocState, Document, Page, RecordVersion, utcnow

ROW_PATH = re.compile(r"^(?P<table>[a-z_]+)\[(?P<row>\d+)\]\.(?P<name>[a-z_]+)$")
LISTED = 500
"""The most documents a list of decided (or all) documents shows, newest first."""
APPLICATION_WINDOW = dt.timedelta(days=30)
"""Applications are looked at for findings across documents while one of their uploads is this recent."""
AGES = {"1h": 3600, "4h": 4 * 3600, "24h": 24 * 3600, "72h": 72 * 3600}


def mask(value: Any) -> Any:
    """Keep the first and last four characters of a long number, the last four of a short one."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value)
    n = len(text)
    if n >= 12:
        return text[:4] + "*" * (n - 8) + text[-4:]
    if n >= 8:
        return "*" * (n - 4) + text[-4:]
    return "*" * n


def field_name(path: str) -> str:
    m = ROW_PATH.match(path)
    return m["name"] if m else path


def _age(created: dt.datetime, now: dt.datetime) -> int:
    created = created if created.tzinfo else created.replace(tzinfo=dt.UTC)
    return max(0, int((now - created).total_seconds()))


def _findings(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"rule": f["rule"], "severity": f["severity"], "fields": f.get("fields", []),
             "message": f["message"]} for f in doc.get("findings") or []]


def _types(doc: Document) -> list[str]:
    return [d.get("doc_type", "unknown") for d in doc.result or []] or ([doc.declared_type] if doc.declared_type
                                                                          else [])


# --- the queue ---------------------------------------------------------------------------------------------------

def queue(s: Session, settings: Settings, *, status: str = "needs_review", doc_type: str = "", rule: str = "",
          age: str = "", now: dt.datetime | None = None) -> dict[str, Any]:
    """What is waiting for a reviewer, oldest first: documents in ``needs_review`` nobody has decided, and
    applications held by a finding across documents. Other statuses list the newest :data:`LISTED` documents."""
    now = now or utcnow()
    waiting = list(s.scalars(select(Document).where(Document.state == DocState.NEEDS_REVIEW.value,
                                                    Document.review_decision.is_(None))
                             .order_by(Document.created_at, Document.id)))
    held = _application_items(s, settings, now)
    waiting_items = [_doc_item(d, now) for d in waiting]
    if status == "needs_review":
        items = sorted(waiting_items + held, key=lambda i: (-i["age_s"], i["id"]))
    else:
        states = [st.value for st in DocState if st.terminal] if status == "all" else [status]
        listed = s.scalars(select(Document).where(Document.state.in_(states))
                           .order_by(Document.created_at.desc(), Document.id).limit(LISTED))
        items = [_doc_item(d, now) for d in listed] + (held if status == "all" else [])
    counts: dict[str, Any] = {
        "waiting": len(waiting) + len(held),
        "by_status": {state: n for state, n in s.execute(select(Document.state, func.count())
                                                          .group_by(Document.state))},
        "by_type": dict(Counter(t for i in waiting_items for t in set(i["types"]))),
        "by_rule": dict(Counter(f["rule"] for i in waiting_items + held for f in i["findings"]
                                if f["severity"] == "error")),
    }
    filters = {"types": sorted({t for i in items for t in i["types"]}),
               "rules": sorted({f["rule"] for i in items for f in i["findings"]})}
    if doc_type:
        items = [i for i in items if doc_type in i["types"]]
    if rule:
        items = [i for i in items if any(f["rule"] == rule for f in i["findings"])]
    if age in AGES:
        items = [i for i in items if i["age_s"] >= AGES[age]]
    counts["oldest_age_s"] = max((i["age_s"] for i in items), default=0)
    return {"counts": counts, "filters": filters, "items": items}


def _doc_item(doc: Document, now: dt.datetime) -> dict[str, Any]:
    seen: dict[str, dict[str, Any]] = {}
    for d in doc.result or []:
        for f in _findings(d):
            seen.setdefault(f["rule"], {k: f[k] for k in ("rule", "severity", "message")})
    return {"kind": "document", "id": doc.id, "application_id": doc.application_id, "types": _types(doc),
            "state": doc.state, "version": doc.version, "created_at": doc.created_at.isoformat(),
            "age_s": _age(doc.created_at, now), "decision": doc.review_decision,
            "findings": sorted(seen.values(), key=lambda f: (f["severity"] != "error", f["rule"]))}


def _application_items(s: Session, settings: Settings, now: dt.datetime) -> list[dict[str, Any]]:
    """Applications held by a finding across documents that no reviewer has overridden: among those with two or
    more read uploads, one finished within :data:`APPLICATION_WINDOW` (each is built to know)."""
    terminal = [st.value for st in DocState if st.terminal]
    recent = select(Document.application_id).where(Document.finished_at >= now - APPLICATION_WINDOW)
    candidates = s.scalars(select(Document.application_id).where(Document.state.in_(terminal),
                                                                 Document.application_id.in_(recent))
                           .group_by(Document.application_id).having(func.count(Document.id) >= 2)).all()
    items = []
    for app_id in candidates:
        record = application.build(s, settings, app_id)
        if record is None:
            continue
        held = [f for f in record.findings if f.cross_document and f.severity == "error" and not f.overridden]
        if not held:
            continue
        first = min(d.created_at for d in s.scalars(select(Document).where(Document.application_id == app_id)))
        items.append({"kind": "application", "id": app_id, "application_id": app_id,
                      "types": sorted(record.sections), "state": record.status,
                      "version": record.version, "created_at": first.isoformat(), "age_s": _age(first, now),
                      "decision": None,
                      "findings": [{"rule": f.rule, "severity": f.severity, "message": f.message} for f in held]})
    return items


# --- one document -------------------------------------------------------------------------------------------------

def document(s: Session, settings: Settings, doc: Document, *, supervisor: bool,
             now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the document view shows, personal numbers masked."""
    now = now or utcnow()
    pages = s.scalars(select(Page).where(Page.document_id == doc.id).order_by(Page.number)).all()
    actionable = DocState(doc.state).terminal and doc.version >= 1 and not doc.review_decision
    decided = None
    if doc.review_decision:
        last = s.scalars(select(RecordVersion).where(RecordVersion.document_id == doc.id)
                         .order_by(RecordVersion.version.desc()).limit(1)).first()
        decided = {"decision": doc.review_decision, "by": doc.reviewed_by,
                   "at": doc.reviewed_at.isoformat() if doc.reviewed_at else None,
                   "reason": (last.reason if last else None) or doc.reject_reason}
    return {
        "id": doc.id, "application_id": doc.application_id, "state": doc.state, "version": doc.version,
        "created_at": doc.created_at.isoformat(), "age_s": _age(doc.created_at, now),
        "finished_at": doc.finished_at.isoformat() if doc.finished_at else None,
        "declared_type": doc.declared_type, "reject_code": doc.reject_code, "reject_reason": doc.reject_reason,
        "review": decided, "min_confidence": settings.min_confidence,
        "pages": [{"number": p.number, "url": f"/review/api/documents/{doc.id}/pages/{p.number}",
                   "width": p.width, "height": p.height} for p in pages],
        "documents": [_document(i, d, settings.min_confidence) for i, d in enumerate(doc.result or [])],
        "retake_reasons": [{"code": r.value, "en": RETAKE_MESSAGES[r][0], "zh": RETAKE_MESSAGES[r][1]}
                           for r in RetakeReason],
        "permissions": {"correct": actionable, "approve": actionable and doc.state != DocState.REJECTED.value,
                        "retake": actionable, "reject": actionable and supervisor, "reveal_all": supervisor},
        "actionable": actionable,
    }


def _document(index: int, doc: dict[str, Any], min_confidence: float) -> dict[str, Any]:
    findings = _findings(doc)
    failed = {p for f in findings if f["severity"] == "error" for p in f["fields"]}
    rows = (doc.get("tables") or {}).get("transactions")
    out_findings = []
    for f in findings:
        hit = [ROW_PATH.match(p) for p in f["fields"]]
        out_findings.append(f | {"rows": sorted({int(m["row"]) for m in hit if m})})
    return {
        "index": index, "type": doc.get("doc_type"), "status": doc.get("status"), "page": doc.get("page", 1),
        "reject_reason": doc.get("reject_reason"),
        "fields": {name: _field(doc.get("doc_type"), name, f, failed, min_confidence)
                   for name, f in (doc.get("fields") or {}).items()},
        "findings": out_findings,
        "transactions": None if rows is None else [
            {name: _field(doc.get("doc_type"), f"transactions[{i}].{name}", f, failed, min_confidence)
             for name, f in row.items()}
            for i, row in enumerate(rows)],
        "analytics": doc.get("analytics"),
        "risks": _risks(doc),
    }


def _risks(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The regions to outline on the page: a PDF's suspect drawings (white boxes, foreign fonts) and a card's
    capture risks that have one (a finger over it, an edited field), each with its kind."""
    meta = doc.get("meta") or {}
    out = [{"page": s.get("page"), "bbox": s.get("bbox"), "kind": s.get("kind")}
           for s in meta.get("pdf_suspects") or [] if isinstance(s, dict)]
    out += [{"page": doc.get("page", 1), "bbox": r["region"], "kind": r.get("code")}
            for r in meta.get("capture_risks") or [] if isinstance(r, dict) and r.get("region")]
    return out


def _field(doc_type: str | None, path: str, f: dict[str, Any], failed: set[str],
           min_confidence: float) -> dict[str, Any]:
    masked = masked_field(doc_type, path) and f.get("value") is not None
    return {
        "value": mask(f.get("value")) if masked else f.get("value"),
        "raw": mask(f.get("raw")) if masked else f.get("raw"),
        "confidence": f.get("confidence"), "source": f.get("source"), "page": f.get("page", 1),
        "bbox": f.get("bbox"), "note": f.get("note"), "masked": masked,
        "low": (f.get("confidence") or 0) < min_confidence and f.get("source") != "reviewer",
        "failed": path in failed,
    }


def reveal(doc: Document, wanted: list[tuple[int, str]]) -> list[dict[str, Any]]:
    """The unmasked values of the named fields (``(document index, field path)``); only personal-number fields."""
    out = []
    for index, path in wanted:
        if index >= len(doc.result or []):
            raise ValueError(f"the upload holds no document {index}")
        if not masked_field(doc.result[index].get("doc_type"), path):  # type: ignore[index]
            raise ValueError(f"{path} is not masked")
        f = _lookup(doc.result[index], path)  # type: ignore[index]
        if f is None:
            raise ValueError(f"{path} is not in the record")
        out.append({"document": index, "field": path, "value": f.get("value"), "raw": f.get("raw")})
    return out


def _lookup(doc: dict[str, Any], path: str) -> dict[str, Any] | None:
    m = ROW_PATH.match(path)
    if m:
        rows = (doc.get("tables") or {}).get(m["table"]) or []
        row = int(m["row"])
        return rows[row].get(m["name"]) if row < len(rows) else None
    found: dict[str, Any] | None = (doc.get("fields") or {}).get(path)
    return found


# --- versions ----------------------------------------------------------------------------------------------------

def versions(s: Session, document_id: str) -> list[dict[str, Any]]:
    """Every version, oldest first, each with what differs from the one before (fields, findings, state)."""
    rows = s.scalars(select(RecordVersion).where(RecordVersion.document_id == document_id)
                     .order_by(RecordVersion.version)).all()
    out, before = [], None
    for r in rows:
        out.append({"version": r.version, "source": r.source, "author": r.author, "state": r.state,
                    "created_at": r.created_at.isoformat(), "action": r.what, "reason": r.reason,
                    "changes": [] if before is None else diff(before, r)})
        before = r
    return out


def diff(old: RecordVersion, new: RecordVersion) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    if old.state != new.state:
        changes.append({"document": None, "field": "state", "from": old.state, "to": new.state})
    a, b = old.result or [], new.result or []
    for i in range(max(len(a), len(b))):
        fa, fb = _flat(a[i] if i < len(a) else {}), _flat(b[i] if i < len(b) else {})
        doc_type = (b[i] if i < len(b) else a[i]).get("doc_type")
        for path in sorted(fa.keys() | fb.keys(), key=_path_order):
            va, vb = fa.get(path), fb.get(path)
            if va != vb:
                pii = masked_field(doc_type, path)
                changes.append({"document": i, "field": path, "from": mask(va) if pii else va,
                                "to": mask(vb) if pii else vb})
        ra, rb = _rules(a[i] if i < len(a) else {}), _rules(b[i] if i < len(b) else {})
        if ra != rb:
            changes.append({"document": i, "field": "findings", "from": ", ".join(ra) or None,
                            "to": ", ".join(rb) or None})
    return changes


def _flat(doc: dict[str, Any]) -> dict[str, Any]:
    out = {name: f.get("value") for name, f in (doc.get("fields") or {}).items()}
    for table, rows in (doc.get("tables") or {}).items():
        for i, row in enumerate(rows):
            out.update({f"{table}[{i}].{name}": f.get("value") for name, f in row.items()})
    if doc.get("status"):
        out["status"] = doc["status"]
    return out


def _path_order(path: str) -> tuple[int, int, str]:
    m = ROW_PATH.match(path)
    return (1, int(m["row"]), m["name"]) if m else (0, 0, path)


def _rules(doc: dict[str, Any]) -> list[str]:
    return sorted({f["rule"] for f in doc.get("findings") or []})


# --- an application --------------------------------------------------------------------------------------------

def application_view(s: Session, settings: Settings, application_id: str) -> dict[str, Any] | None:
    record = application.build(s, settings, application_id)
    if record is None:
        return None
    uploads = {d.id: d for d in s.scalars(select(Document).where(Document.application_id == application_id))}

    def ref(r: Any) -> dict[str, Any]:
        upload_id, _, index = r.document.partition("/")
        doc = uploads.get(upload_id)
        fields = {}
        if doc is not None and doc.result and int(index or 0) < len(doc.result):
            d = doc.result[int(index or 0)]
            fields = {p: _field(d.get("doc_type"), p, f, set(), settings.min_confidence)
                      for p in r.fields if (f := _lookup(d, p)) is not None}
        return {"document_id": upload_id, "index": int(index or 0), "type": r.type, "fields": r.fields,
                "values": fields}

    return {
        "application_id": application_id, "status": record.status, "version": record.version,
        "missing": record.missing,
        "findings": [{"rule": f.rule, "severity": f.severity, "cross_document": f.cross_document,
                      "overridden": f.overridden, "message": f.message, "refs": [ref(r) for r in f.refs]}
                     for f in record.findings],
        "documents": [{"id": d.id, "types": _types(d), "state": d.state, "version": d.version,
                       "decision": d.review_decision, "created_at": d.created_at.isoformat()}
                      for d in sorted(uploads.values(), key=lambda d: (d.created_at, d.id))],
    }
