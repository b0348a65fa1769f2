"""How a read document is judged, without reading anything: the day it is judged on, what the rules may
know, running its repairs and rules again, and an upload's overall status. Light on purpose: the API process
(corrections, the application record) uses it and must not import the imaging and OCR stack.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from extractors import doctypes
from extractors.models import ExtractedDocument, Status
from intake.settings import Settings
from validators import RuleContext, validate
from validators.base import CHINA


def overall_status(docs: list[ExtractedDocument]) -> Status:
    """The upload's status: rejected if nothing usable, needs_review if anything is unsure."""
    statuses = [d.status for d in docs]
    if not statuses or all(s == Status.REJECTED for s in statuses):
        return Status.REJECTED
    if all(s == Status.ACCEPTED for s in statuses):
        return Status.ACCEPTED
    return Status.NEEDS_REVIEW


def judged_on(settings: Settings, uploaded: dt.datetime | None) -> dt.date | None:
    """The day an upload is judged on: ``settings.as_of`` when set, else the day it was uploaded, China time
    (None: today). Never the day a worker happens to read it: a retry or a correction weeks later judges alike.

    >>> judged_on(Settings(_env_file=None), dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC))
    datetime.date(2026, 12, 1)
    """
    if settings.as_of is not None:
        return settings.as_of
    if uploaded is None:
        return None
    if uploaded.tzinfo is None:  # SQLite gives naive datetimes back; they were written in UTC
        uploaded = uploaded.replace(tzinfo=dt.UTC)
    return uploaded.astimezone(CHINA).date()


def rule_context(settings: Settings, today: dt.date | None = None) -> RuleContext:
    """What the rules may know besides the document: the settings' thresholds and the day (``today``, else
    ``settings.as_of``, else today)."""
    today = today or settings.as_of
    kwargs: dict[str, Any] = {"min_confidence": settings.min_confidence,
                              "statement_months": settings.statement_months,
                              "statement_max_age_days": settings.statement_max_age_days,
                              "rate_capped_lenders": frozenset(
                                  k.strip() for k in settings.rate_cap_lender_types.split(",") if k.strip()),
                              "capture_risk_errors": frozenset(
                                  k.strip() for k in settings.capture_risk_errors.split(",") if k.strip())}
    if today:
        kwargs["today"] = today
    return RuleContext(**kwargs)


def check(doc: ExtractedDocument, ctx: RuleContext, companions: tuple[ExtractedDocument, ...] = ()) -> None:
    """Run the document's repairs and rules (its status follows) and compute its analytics: after reading, and
    again after every reviewer correction."""
    validate(doc, dataclasses.replace(ctx, companions=companions))
    if doc.doc_type in doctypes.registry():
        doc.analytics = doctypes.get(doc.doc_type).analyse(doc)


__all__ = ["check", "judged_on", "overall_status", "rule_context"]
