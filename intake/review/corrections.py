"""Reviewer corrections: a new version of a record, never an overwrite.

A correction names the version it was made against; if the record has moved on
since (another reviewer corrected it first), it is refused with
:class:`VersionConflict` and nothing changes. Otherwise each corrected field
gets the reviewer's value — normalised as the pipeline normalises, by the
field's declared kind (ISO dates, decimal amounts, upper-case ID numbers) — with source ``reviewer``, who and
why in its note; the document's rules run again at once; analytics are
recomputed; and the new version is stored beside the old ones
(:class:`~intake.storage.db.RecordVersion`), written to the evidence chain
(``corrected``), added to the feed and pushed to the webhook like any finished
record.

Field paths are those findings use: ``name``, ``transactions[3].balance``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel
from pydantic import Field as PydField
from sqlalchemy.orm import Session

from extractors import doctypes
from extractors.doctypes import FieldSpec, Kind
from extractors.models import ExtractedDocument, Field, FieldValue, Source
from extractors.numbers import amount_in_words, annual_rate, fraction_text
from extractors.statements.values import amount_text, parse_amount, parse_time
from extractors.text import parse_date
from intake.errors import IntakeError
from intake.feed.forward import add_to_feed
from intake.job.judging import check, judged_on, overall_status, rule_context
from intake.record import evidence
from intake.record.evidence import EventKind
from intake.settings import Settings
from intake.storage.db import DocState, Document, RecordVersion, session_scope, utcnow

KEPT_FINDINGS = {"image_quality"}
"""Findings that come from reading the image, not from the fields: a correction keeps them."""


class VersionConflict(IntakeError):
    code = "version_conflict"
    message = "The record was changed by someone else since you opened it; reload it and correct again."
    message_zh = "该记录在您打开后已被他人修改，请刷新后重新修改。"
    http_status = 409


class AlreadyDecided(IntakeError):
    code = "already_decided"
    message = "A reviewer has already decided this document; it can no longer be changed here."
    message_zh = "该文件已有审核结论，不能再修改。"
    http_status = 409


class NoSuchDocument(IntakeError):
    code = "document_not_found"
    message = "No document with this id."
    message_zh = "没有该文件。"
    http_status = 404


class CorrectionRefused(IntakeError):
    code = "invalid_correction"
    message = "The correction does not fit the record."
    message_zh = "修改内容与记录不符。"
    http_status = 422


class Change(BaseModel):
    field: str = PydField(min_length=1, max_length=80, description="e.g. name, transactions[3].balance")
    value: str | None = PydField(max_length=500)
    document: int = PydField(default=0, ge=0, description="Which document of the upload (0 for the first)")
    note: str | None = PydField(default=None, max_length=500)


_PATH = re.compile(r"^(?:(?P<table>[a-z_]+)\[(?P<row>\d+)\]\.)?(?P<name>[a-z_]+)$")


def normalise(spec: FieldSpec | None, value: str | None) -> FieldValue:
    """The reviewer's value in the record's form, by the field's declared kind (:class:`Kind`; a field the
    type does not declare is text); :class:`CorrectionRefused` when it is not one.

    >>> from extractors.doctypes import spec
    >>> [normalise(spec("id_card_front", n), v) for n, v in (("birth_date", "1995年7月17日"), ("id_number", "x"))]
    ['1995-07-17', 'X']
    >>> normalise(spec("bank_statement", "transactions[2].balance"), "1,234.5")
    '1234.50'
    >>> [normalise(spec("loan_contract", n), v) for n, v in (("term_months", "12"), ("has_seal", "否"),
    ...                                                       ("annual_rate", "14.4%"))]
    [12, False, '0.144']
    >>> normalise(spec("loan_contract", "principal_in_words"), "人民币伍万元整")
    '50000.00'
    """
    name, kind = (spec.name, spec.kind) if spec else ("value", Kind.TEXT)
    if kind is Kind.COUNT:
        if value is None or not value.strip().isdigit() or not 0 < int(value) <= 100_000:
            raise CorrectionRefused(f"{name}: {value!r} is not a whole number")
        return int(value)
    if kind is Kind.FLAG:
        answer = (value or "").strip().lower()
        if answer not in YES + NO:
            raise CorrectionRefused(f"{name}: {value!r} is not yes or no")
        return answer in YES
    if value is None or not value.strip():
        return None
    value = value.strip()
    if spec and spec.choices and value not in spec.choices:
        raise CorrectionRefused(f"{name}: {value!r} is not one of {', '.join(spec.choices)}")
    if kind is Kind.DATE:
        if (iso := parse_date(value)) is None:
            raise CorrectionRefused(f"{name}: {value!r} is not a date")
        return iso
    if kind is Kind.TIME:
        if (clock := parse_time(value)) is None:
            raise CorrectionRefused(f"{name}: {value!r} is not a time of day")
        return clock
    if kind is Kind.MONEY:
        if (amount := parse_amount(value)) is None:
            raise CorrectionRefused(f"{name}: {value!r} is not an amount")
        return amount_text(amount)
    if kind is Kind.MONEY_WORDS:  # the words as printed, or the amount they mean in figures
        if (words := amount_in_words(value) or parse_amount(value)) is None:
            raise CorrectionRefused(f"{name}: {value!r} is not an amount in words (大写) or figures")
        return amount_text(words)
    if kind is Kind.RATE:
        return _rate(name, value)
    if kind is Kind.ID_NUMBER:
        return value.upper()
    if kind is Kind.ACCOUNT:
        return re.sub(r"\s+", "", value)
    return value


YES, NO = ("true", "yes", "1", "是", "有"), ("false", "no", "0", "否", "无")


def _rate(name: str, value: str) -> str:
    """A rate as a reviewer types it: ``14.4%``, ``月利率1.2‰``, ``日利率万分之5`` or a fraction ``0.144``."""
    stated = annual_rate(value if re.search(r"[年月日]", value) else "年利率" + value)
    if stated is None:
        try:
            stated = Decimal(value)
        except InvalidOperation:
            stated = None
    if stated is None or not 0 < stated < 1:
        raise CorrectionRefused(f"{name}: {value!r} is not a rate (a fraction below 1, or 14.4%)")
    return fraction_text(stated)


def _apply(doc: ExtractedDocument, change: Change, author: str) -> dict[str, Any]:
    m = _PATH.match(change.field)
    if not m:
        raise CorrectionRefused(f"{change.field!r} is not a field path")
    known = doctypes.registry().get(doc.doc_type)
    if m["table"]:
        rows = doc.tables.get(m["table"])
        if rows is None or int(m["row"]) >= len(rows):
            raise CorrectionRefused(f"{change.field!r} is not in the record")
        fields = rows[int(m["row"])]
    else:
        if m["name"] not in doc.fields and (known is None or m["name"] not in known.field_names):
            raise CorrectionRefused(f"{change.field!r} is not a field of {doc.doc_type}")
        fields = doc.fields
    old = fields.get(m["name"])
    value = normalise(known.spec(change.field) if known else None, change.value)
    note = f"{author}: {change.note}" if change.note else f"corrected by {author}"
    fields[m["name"]] = Field(value=value, raw=change.value, confidence=1.0, source=Source.REVIEWER,
                              page=old.page if old else doc.page, bbox=old.bbox if old else None, note=note)
    return {"field": change.field, "document": change.document, "from": old.value if old else None, "to": value}


def correct(settings: Settings, document_id: str, *, expected_version: int, author: str, changes: list[Change],
            today: dt.date | None = None) -> RecordVersion:
    """Apply ``changes`` as a new version of the record; see the module docstring."""
    with session_scope(settings.database_url) as s:
        doc = open_for_review(s, document_id, expected_version)
        docs = [ExtractedDocument.model_validate(d) for d in doc.result or []]
        applied = []
        for change in changes:
            if change.document >= len(docs):
                raise CorrectionRefused(f"the upload holds {len(docs)} documents")
            applied.append(_apply(docs[change.document], change, author))
        ctx = rule_context(settings, today or judged_on(settings, doc.created_at))
        for i in sorted({c.document for c in changes}):
            d = docs[i]
            d.findings = [f for f in d.findings if f.rule in KEPT_FINDINGS]
            check(d, ctx, companions=tuple(x for x in docs if x is not d))
        doc.result = [d.model_dump(mode="json") for d in docs]
        doc.state = DocState(overall_status(docs).value)
        return new_version(s, doc, settings, action="corrected", author=author, changes=applied,
                           event=(EventKind.CORRECTED, {"fields": [a["field"] for a in applied]}))


def open_for_review(s: Session, document_id: str, expected_version: int) -> Document:
    """The document, locked, if a reviewer may act on it at ``expected_version``; else the reason why not."""
    doc = s.get(Document, document_id, with_for_update=True)
    if doc is None:
        raise NoSuchDocument()
    if not DocState(doc.state).terminal or doc.version < 1:
        raise CorrectionRefused("the document is still being read")
    if doc.version != expected_version:
        raise VersionConflict(f"you worked on version {expected_version}; it is now at version {doc.version}")
    if doc.review_decision:
        raise AlreadyDecided(f"{doc.review_decision} by {doc.reviewed_by} in version {doc.version}")
    return doc


def new_version(s: Session, doc: Document, settings: Settings, *, action: str, author: str,
                changes: list[dict[str, Any]], event: tuple[str, dict[str, Any]],
                reason: str | None = None) -> RecordVersion:
    """Store the document's current result as its next version by ``author``: the version row, the evidence
    event, the feed entry (and so the webhook push), in the caller's transaction."""
    doc.version += 1
    doc.updated_at = utcnow()
    digest = evidence.result_digest(doc)
    version = RecordVersion(document_id=doc.id, version=doc.version, source=Source.REVIEWER.value, action=action,
                            author=author, changes=changes, reason=reason, state=doc.state, result=doc.result,
                            result_sha256=digest)
    s.add(version)
    kind, payload = event
    evidence.append(s, doc.id, kind, {"version": doc.version, "author": author, **payload, "result_sha256": digest})
    add_to_feed(s, doc, settings)
    s.flush()
    s.expunge(version)
    return version


__all__ = ["AlreadyDecided", "Change", "CorrectionRefused", "NoSuchDocument", "VersionConflict", "correct",
           "new_version", "normalise", "open_for_review"]
