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
EDGES_ZH = {"left": "左", "right": "右", "top": "上", "bottom": "下"}


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


@rule(*TYPES)
def screen_reshoot(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The card itself was photographed, not its picture on a screen."""
    if (r := _risk(doc, "screen_reshoot")) is None:
        return
    ev = r.get("evidence") or {}
    if ev.get("found_by") == "colour bands":
        yield _finding(ctx, "screen_reshoot",
                       en=f"The card seems to be a picture on a screen photographed again: its pale ground is crossed "
                          f"by bands of every colour, as a screen's pixel grid shows through a camera "
                          f"({ev.get('hue_sectors')} of 12 hue sectors, where a printed card shows under "
                          f"{ev.get('sectors_threshold')}).",
                       zh=f"疑似翻拍屏幕上的证件图片：证件底纹布满屏幕像素网格形成的彩虹色带（覆盖 12 个色相区中的 "
                          f"{ev.get('hue_sectors')} 个，实体证件少于 {ev.get('sectors_threshold')} 个）。")
        return
    if ev.get("found_by") == "screen frame":
        found = [e for e in ev.get("edges_px") or [] if e is not None]
        yield _finding(ctx, "screen_reshoot",
                       en=f"The card seems to be a picture on a screen photographed again: it lies in a screen's "
                          f"frame, a flat margin round it ending in a straight edge parallel to {len(found)} of its "
                          f"4 sides (a card on a desk shows at most one; {ev.get('sides_needed')} raise this).",
                       zh=f"疑似翻拍屏幕上的证件图片：证件位于屏幕边框之内，其 4 条边中有 {len(found)} 条外侧为平整"
                          f"的屏幕留白并止于平行的直边（桌面上的实体证件至多 1 条；达到 {ev.get('sides_needed')} 条"
                          f"即提示）。")
        return
    yield _finding(ctx, "screen_reshoot",
                   en=f"The card seems to be a picture on a screen photographed again: its print ripples in colour "
                      f"as a screen's pixel grid does (colour ripple {ev.get('colour_ripple')} of the fine detail, "
                      f"where printed card stock stays under {ev.get('ripple_threshold')}; spectrum peak "
                      f"{ev.get('peak')}, a grid from {ev.get('peak_threshold')}).",
                   zh=f"疑似翻拍屏幕上的证件图片：证件印刷呈屏幕像素网格特有的彩色摩尔纹（彩色纹理比 "
                      f"{ev.get('colour_ripple')}，实体证件低于 {ev.get('ripple_threshold')}；频谱峰值 "
                      f"{ev.get('peak')}，网格阈值 {ev.get('peak_threshold')}）。")


@rule(*TYPES)
def border_incomplete(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The whole card, all four edges, is inside the photo."""
    if (r := _risk(doc, "border_incomplete")) is None:
        return
    ev = r.get("evidence") or {}
    sides = ", ".join(ev.get("sides") or []) or "an edge"
    zh_sides = "、".join(EDGES_ZH.get(e, e) for e in ev.get("sides") or []) or "边缘"
    far = f" by up to {float(ev['furthest']):.0%} of its width" if ev.get("furthest") else " along the frame"
    yield _finding(ctx, "border_incomplete",
                   en=f"Part of the card lies outside the photo ({sides}{far}): what is there cannot be checked.",
                   zh=f"证件边框不完整：部分证件在照片之外（{zh_sides}侧），该部分无法核验。")


@rule(*TYPES)
def occluded(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """Nothing lies over the card."""
    if (r := _risk(doc, "occluded")) is None:
        return
    ev = r.get("evidence") or {}
    edges = ev.get("edges") or []
    zh_edges = "、".join(EDGES_ZH.get(e, e) for e in edges)
    yield _finding(ctx, "occluded",
                   en=f"Something covers {float(ev.get('share') or 0):.0%} of the card from its "
                      f"{'/'.join(edges)} edge (a finger?), over the outlined region.",
                   zh=f"证件被遮挡：自{zh_edges}边缘有物体（手指？）遮住证件约 "
                      f"{float(ev.get('share') or 0):.0%}（见标出区域）。")


@rule(*TYPES)
def edited(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """Every field is printed like the card's other fields."""
    if (r := _risk(doc, "edited")) is None:
        return
    ev = r.get("evidence") or {}
    yield _finding(ctx, "edited",
                   en=f"The field “{ev.get('field')}” is printed unlike the card's other values "
                      f"({ev.get('why_en')}): it may have been edited.",
                   zh=f"“{ev.get('field_zh') or ev.get('field')}”一栏的字体与证件其他栏不一致（{ev.get('why_zh')}），"
                      f"疑似被修改（PS）。")


@rule("id_card_back")
def temporary_card(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The card is a resident ID card, not a temporary one (临时居民身份证, valid three months)."""
    if _risk(doc, "temporary_card") is None:
        return
    yield _finding(ctx, "temporary_card",
                   en="This is a temporary resident ID card (临时居民身份证), valid three months from its issue, not "
                      "a resident ID card.",
                   zh="此证为临时居民身份证（有效期三个月），并非居民身份证。")
