"""What was photographed: a black-and-white or grey capture, a photocopy (:mod:`extractors.imaging.capture`).

Warnings by default — a copy may be all an applicant has to hand, and its fields are read and checked as any
other — and errors for the codes a lender lists in ``DOCINTAKE_CAPTURE_RISK_ERRORS`` (``RuleContext.
capture_risk_errors``), which sends such a card to a person. Each finding says the measure and its threshold.

>>> from extractors.models import ExtractedDocument
>>> doc = ExtractedDocument(doc_type="id_card_front", meta={"capture_risks": [
...     {"code": "bw_copy", "confidence": 0.99, "evidence": {"colour_spread": 0.0, "threshold": 6}}]})
>>> [(f.rule, f.severity.value) for f in bw_copy(doc, RuleContext())]
[('bw_copy', 'warning')]
>>> [(f.rule, f.severity.value) for f in bw_copy(doc, RuleContext(capture_risk_errors=frozenset({"bw_copy"})))]
[('bw_copy', 'error')]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from extractors.models import ExtractedDocument, Finding
from validators.base import RuleContext, error, rule, warning

TYPES = ("id_card_front", "id_card_back")


def _risk(doc: ExtractedDocument, code: str) -> dict[str, Any] | None:
    risks = doc.meta.get("capture_risks")
    return next((r for r in risks if isinstance(r, dict) and r.get("code") == code), None) if isinstance(
        risks, list) else None


def _finding(ctx: RuleContext, code: str, en: str, zh: str) -> Finding:
    return (error if code in ctx.capture_risk_errors else warning)(code, [], en=en, zh=zh)


@rule(*TYPES)
def bw_copy(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The card was captured in colour, as a photo of the card itself is."""
    if (r := _risk(doc, "bw_copy")) is None:
        return
    ev = r.get("evidence") or {}
    yield _finding(ctx, "bw_copy",
                   en=f"The card was captured without colour, as a black-and-white or grey scan or copy is: its "
                      f"colour channels differ by {ev.get('colour_spread')} (99th percentile), where a colour "
                      f"photo differs by more than {ev.get('threshold')} (confidence {r.get('confidence')}).",
                   zh=f"证件为黑白或灰度扫描件/复印件，而非证件原件彩色照片（颜色通道差 {ev.get('colour_spread')}，"
                      f"彩色照片大于 {ev.get('threshold')}；置信度 {r.get('confidence')}）。")


@rule(*TYPES)
def photocopy(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The card was photographed itself, not a sheet of paper it was copied onto."""
    if (r := _risk(doc, "photocopy")) is None:
        return
    ev = r.get("evidence") or {}
    share = float(ev.get("card_share") or 0.0)
    yield _finding(ctx, "photocopy",
                   en=f"The card lies on a page ({share:.0%} of a page shaped {ev.get('page_aspect')}:1; A4 is "
                      f"1.414): a photocopy or a scan of one, not the card itself (confidence {r.get('confidence')}).",
                   zh=f"证件位于一页纸上（占页面 {share:.0%}，页面长宽比 {ev.get('page_aspect')}）："
                      f"为复印件或其扫描件，而非证件原件（置信度 {r.get('confidence')}）。")
