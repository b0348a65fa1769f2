"""A reviewer's decision on a document: approve it, reject it, or ask the app user for a new photo.

Each decision is a new version of the record by the reviewer (source
``reviewer``), like a correction: made against the version the reviewer was
looking at (:class:`~intake.review.corrections.VersionConflict` if it moved on), kept
beside the old versions, written to the evidence chain (``reviewed``), added to
the feed and pushed to the webhook. After a decision the document is closed to
further reviewer actions.

- **approve**: the record is ``accepted``; findings stay in it, and the rules a
  reviewer overrode are named in the evidence. With ``review_four_eyes`` a
  reviewer may not approve a document they corrected (:class:`FourEyes`);
- **reject** (supervisors only; the caller checks the role): ``rejected`` with
  ``reject_code`` ``reviewer_rejected`` and the reviewer's reason;
- **retake**: ``rejected`` with a :class:`~extractors.models.RetakeReason` as
  ``reject_code`` and its sentence as ``reject_reason`` — the same answer the
  app gets when the pipeline itself asks for a new photo.
"""

from __future__ import annotations

import enum

from sqlalchemy import select

from extractors.models import RETAKE_MESSAGES, ExtractedDocument, RetakeReason, Severity, Status
from intake.record.evidence import EventKind
from intake.review.corrections import CorrectionRefused, new_version, open_for_review
from intake.settings import Settings
from intake.storage.db import DocState, RecordVersion, session_scope, utcnow


class Decision(str, enum.Enum):
    APPROVED = "approved"
    REJECTED = "rejected"
    RETAKE = "retake"


REVIEWER_REJECTED = "reviewer_rejected"


class FourEyes(CorrectionRefused):
    code = "four_eyes"
    message = "Another reviewer must approve a document you corrected."
    message_zh = "您修改过的文件须由另一位审核员批准。"
    http_status = 403


def decide(settings: Settings, document_id: str, *, expected_version: int, author: str, decision: Decision,
           reason: str | None = None, retake: RetakeReason | None = None) -> RecordVersion:
    """Record ``decision`` on the document as a new version; see the module docstring."""
    with session_scope(settings.database_url) as s:
        doc = open_for_review(s, document_id, expected_version)
        docs = [ExtractedDocument.model_validate(d) for d in doc.result or []]
        overridden: list[str] = []
        if decision is Decision.APPROVED:
            if doc.state == DocState.REJECTED.value or not docs:
                raise CorrectionRefused("a rejected upload has nothing to approve; ask for a new photo instead")
            if settings.review_four_eyes and s.scalar(select(RecordVersion.id).where(
                    RecordVersion.document_id == document_id, RecordVersion.action == "corrected",
                    RecordVersion.author == author).limit(1)) is not None:
                raise FourEyes("with DOCINTAKE_REVIEW_FOUR_EYES, a document a reviewer corrected is approved by "
                               "another")
            overridden = sorted({f.rule for d in docs for f in d.findings if f.severity is Severity.ERROR})
            for d in docs:
                d.status, d.reject_reason = Status.ACCEPTED, None
            doc.state, doc.reject_code, doc.reject_reason = DocState.ACCEPTED, None, None
        elif decision is Decision.REJECTED:
            if not reason or not reason.strip():
                raise CorrectionRefused("a rejection needs a reason")
            for d in docs:
                d.status = Status.REJECTED
            doc.state, doc.reject_code, doc.reject_reason = DocState.REJECTED, REVIEWER_REJECTED, reason.strip()
        else:
            if retake is None:
                raise CorrectionRefused("asking for a new photo needs a reason from the list")
            for d in docs:
                d.status, d.reject_reason = Status.REJECTED, retake
            doc.state, doc.reject_code = DocState.REJECTED, retake.value
            doc.reject_reason = RETAKE_MESSAGES[retake][0]
        doc.result = [d.model_dump(mode="json") for d in docs]
        doc.review_decision, doc.reviewed_by, doc.reviewed_at = decision.value, author, utcnow()
        note = reason.strip() if reason and reason.strip() else None
        payload: dict[str, object] = {"decision": decision.value}
        if overridden:
            payload["overridden"] = overridden
        if retake is not None:
            payload["retake"] = retake.value
        return new_version(s, doc, settings, action=decision.value, author=author, changes=[], reason=note,
                           event=(EventKind.REVIEWED, payload))


__all__ = ["RETAKE_MESSAGES", "REVIEWER_REJECTED", "Decision", "FourEyes", "RetakeReason", "decide"]
