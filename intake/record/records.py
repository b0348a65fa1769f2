"""The record contract: how an extracted document and an upload are shown to others.

One function per shape, used by the CLI, the API and the feed alike, so the
contract is written once.

>>> from extractors.models import ExtractedDocument, Field, Status
>>> d = ExtractedDocument(doc_type="id_card_back", status=Status.ACCEPTED,
...                       fields={"issuer": Field(value="某市公安局", confidence=0.99)})
>>> sorted(document_record(d.model_dump(mode="json")))
['fields', 'findings', 'page', 'quality', 'reject_reason', 'status', 'type']
"""

from __future__ import annotations

from functools import cache
from typing import Any

from extractors import doctypes

FIELD_KEYS = ("value", "raw", "confidence", "source", "page", "bbox")


def declarations() -> list[dict[str, object]]:
    """Every document type's declaration as plain data (:func:`extractors.doctypes.declarations`): what the
    review page labels its fields with and the type lists are built from."""
    return doctypes.declarations()


def masked_field(doc_type: str | None, path: str) -> bool:
    """Whether a record's field is shown masked: its type declares it an ID or account number
    (:attr:`~extractors.doctypes.FieldSpec.masked`). A field its type does not declare is masked when any type
    declares a masked field of that name.

    >>> masked_field("loan_contract", "borrower_id_number"), masked_field("bank_statement", "transactions[2].amount")
    (True, False)
    >>> masked_field("bank_statement", "transactions[2].counterparty_account"), masked_field(None, "id_number")
    (True, True)
    """
    spec = doctypes.spec(doc_type or "", path)
    if spec is not None:
        return spec.masked
    return path.rsplit(".", 1)[-1] in _masked_names()  # a row's cell (transactions[3].x) by its column's name


@cache
def _masked_names() -> frozenset[str]:
    return frozenset(f.name for kind in doctypes.registry().values()
                     for f in kind.fields + tuple(c for t in kind.tables for c in t.columns) if f.masked)


def _fields(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: {k: f.get(k) for k in FIELD_KEYS} | ({"note": f["note"]} if f.get("note") else {})
            for name, f in fields.items()}


def document_record(doc: dict[str, Any]) -> dict[str, Any]:
    """An extracted document (``ExtractedDocument`` as JSON) in the public contract's shape.

    Repeated groups (a statement's ``transactions``) appear under their own name, one dict of fields per row
    in printed order; ``analytics`` and ``read`` (how it was read: layout, PDF metadata, cross-checks) only for
    the types that have them.
    """
    out = {
        "type": doc.get("doc_type"),
        "status": doc.get("status"),
        "reject_reason": doc.get("reject_reason"),
        "page": doc.get("page"),
        "fields": _fields(doc.get("fields") or {}),
        "findings": [{"rule": f["rule"], "severity": f["severity"], "fields": f.get("fields", []),
                      "message": f["message"]} for f in doc.get("findings") or []],
        "quality": doc.get("quality"),
    }
    if len(doc.get("pages") or []) > 1:
        out["pages"] = doc["pages"]
    for name, rows in (doc.get("tables") or {}).items():
        out[name] = [_fields(row) for row in rows]
    if doc.get("analytics") is not None:
        out["analytics"] = doc["analytics"]
    if doc.get("meta"):
        out["read"] = doc["meta"]
    return out


def statement_summary(record: dict[str, Any]) -> str | None:
    """One line about a record's transactions and analytics, for people reading the CLI or the demo.

    >>> statement_summary({"transactions": [{}, {}], "analytics": {"salary": {"estimated_monthly_income":
    ...     "15000.00"}, "flags": [{"flag": "night_time", "rows": [1]}]}})
    '2 transactions; estimated monthly income 15000.00; flags: night_time (1 rows)'
    >>> statement_summary({"fields": {}}) is None
    True
    """
    if "transactions" not in record:
        return None
    parts = [f"{len(record['transactions'])} transactions"]
    analytics = record.get("analytics") or {}
    income = (analytics.get("salary") or {}).get("estimated_monthly_income")
    if income:
        parts.append(f"estimated monthly income {income}")
    flags = analytics.get("flags") or []
    if flags:
        parts.append("flags: " + ", ".join(f"{f['flag']} ({len(f['rows'])} rows)" for f in flags))
    return "; ".join(parts)
