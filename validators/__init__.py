"""The rule library: repairs and rules per document type, found by declaration.

:func:`validate` runs a document's repairs, then its rules, and decides its
status: ``rejected`` only when imaging gave a retake reason (the evidence is
certain), ``needs_review`` when any rule found an error, else ``accepted``.
:func:`check_application` runs the cross-document rules over all the documents
of one application (:mod:`validators.application`).

>>> from extractors.models import ExtractedDocument, Status
>>> validate(ExtractedDocument(doc_type="no_such_type")).status
<Status.ACCEPTED: 'accepted'>
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from functools import cache

from extractors.models import ExtractedDocument, Finding, Severity, Status
from validators.base import Member, RuleContext, all_declared, cross_rule, cross_rules, repair, rule, rules_for


@cache
def load_all() -> None:
    """Import every rule module in this package, which declares its rules."""
    for info in pkgutil.iter_modules(__path__):
        if info.name != "base" and not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")


def validate(doc: ExtractedDocument, ctx: RuleContext | None = None) -> ExtractedDocument:
    """Repair, check and decide the status of ``doc`` (in place; also returned)."""
    load_all()
    ctx = ctx or RuleContext()
    for r in rules_for(doc.doc_type, repairs=True):
        doc.findings.extend(r(doc, ctx))
    for r in rules_for(doc.doc_type):
        doc.findings.extend(r(doc, ctx))
    doc.status = decide_status(doc)
    return doc


def check_application(members: Sequence[Member], ctx: RuleContext | None = None) -> list[Finding]:
    """The findings of every cross-document rule over one application's documents (the documents' own rules
    have run already; these never change a document)."""
    load_all()
    ctx = ctx or RuleContext()
    return [f for fn in cross_rules().values() for f in fn(members, ctx)]


def decide_status(doc: ExtractedDocument) -> Status:
    if doc.reject_reason is not None:
        return Status.REJECTED
    if any(f.severity == Severity.ERROR for f in doc.findings):
        return Status.NEEDS_REVIEW
    return Status.ACCEPTED


__all__ = ["Member", "RuleContext", "all_declared", "check_application", "cross_rule", "decide_status", "load_all",
           "repair", "rule", "rules_for", "validate"]
