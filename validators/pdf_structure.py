"""Edits a digital PDF's own structure shows (:mod:`extractors.pdf_forensics`), for every type that can arrive as an
issuer's PDF (all but the cards: a bank statement, a contract, a payment platform's proof): a later save that
changed pages, bytes added after a signature, text hidden under a white box, amounts in a font foreign to the page.
Each finding names the page and the box (in the stored page image's pixels, as the fields' boxes are), so a reviewer
can look at the very place.

>>> from extractors.models import ExtractedDocument
>>> doc = ExtractedDocument(doc_type="bank_statement", meta={"pdf_suspects": [
...     {"kind": "hidden_text", "page": 2, "bbox": [10, 20, 90, 36], "text": "1,234.50"}]})
>>> [f.message.en for f in pdf_structure_edited(doc, RuleContext())]  # doctest: +NORMALIZE_WHITESPACE
["On page 2, text ('1,234.50') lies under a white box drawn over it later, at (10, 20, 90, 36): the page
  shows what was typed over it."]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from extractors import doctypes
from extractors.models import ExtractedDocument, Finding
from validators.base import RuleContext, error, rule, warning

TYPES = tuple(sorted(name for name, kind in doctypes.registry().items() if not kind.card))


def _box(s: dict[str, Any]) -> str:
    return "(" + ", ".join(str(v) for v in s.get("bbox") or []) + ")"


def _text(s: dict[str, Any]) -> str:
    text = str(s.get("text") or "")
    return text if len(text) <= 40 else text[:40] + "…"


@rule(*TYPES)
def pdf_structure_edited(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The PDF was not changed after it was made: one save (or a later save that only signed it), a signature
    that covers the whole file and still verifies, no text hidden under white boxes, no amounts in a font foreign
    to the page."""
    rev = doc.meta.get("pdf_revisions")
    rev = rev if isinstance(rev, dict) else {}
    saves, pages = rev.get("saves", 1), rev.get("changed_pages") or []
    if isinstance(saves, int) and saves > 1 and not rev.get("signature_only"):
        added = rev.get("bytes_after_first_save", "?")
        if pages:
            yield error("pdf_structure_edited", [],
                        f"The PDF was saved {saves} times; a later save ({added} bytes) changed page(s) "
                        f"{', '.join(map(str, pages))} after the file was first written.",
                        f"PDF 被保存过 {saves} 次；之后的保存（{added} 字节）修改了第 "
                        f"{'、'.join(map(str, pages))} 页。")
        else:
            yield warning("pdf_structure_edited", [],
                          f"The PDF was saved {saves} times; a later save ({added} bytes) changed objects "
                          f"{rev.get('changed_objects')} but no page.",
                          f"PDF 被保存过 {saves} 次；之后的保存（{added} 字节）修改了对象 "
                          f"{rev.get('changed_objects')}，未改动页面。")
    sig = rev.get("signature")
    if isinstance(sig, dict) and sig.get("uncovered_after", 0) > 0:
        yield error("pdf_structure_edited", [],
                    f"The digital signature covers bytes 0–{sig.get('covered_to')} of {sig.get('file_size')}; the "
                    f"{sig['uncovered_after']} bytes after it were added after signing.",
                    f"数字签名只覆盖第 0–{sig.get('covered_to')} 字节（共 {sig.get('file_size')} 字节），"
                    f"其后的 {sig['uncovered_after']} 字节是签名之后加入的。")
    for check in rev.get("signatures") or []:
        if not isinstance(check, dict):
            continue
        where = "–".join(map(str, check.get("byte_range") or [])) or "?"
        if check.get("error"):
            yield warning("pdf_structure_edited", [],
                          f"The digital signature {check.get('field') or ''} could not be checked "
                          f"({check['error']}).",
                          f"数字签名 {check.get('field') or ''} 无法校验（{check['error']}）。")
        elif check.get("intact") is False:
            yield error("pdf_structure_edited", [],
                        f"The digital signature {check.get('field')} does not verify: the bytes it signed "
                        f"(byte range {where}) were changed after signing.",
                        f"数字签名 {check.get('field')} 校验失败：其签署的字节（字节范围 {where}）在签名后被修改。")
        elif check.get("valid") is False:
            yield error("pdf_structure_edited", [],
                        f"The digital signature {check.get('field')} does not match its signer's certificate.",
                        f"数字签名 {check.get('field')} 与签名证书不符。")
    for s in doc.meta.get("pdf_suspects") or []:
        if not isinstance(s, dict):
            continue
        page, kind = s.get("page"), s.get("kind")
        if kind == "hidden_text":
            yield error("pdf_structure_edited", [],
                        f"On page {page}, text ({_text(s)!r}) lies under a white box drawn over it later, at "
                        f"{_box(s)}: the page shows what was typed over it.",
                        f"第 {page} 页 {_box(s)} 处，文字（“{_text(s)}”）被其后绘制的白色方块遮盖，"
                        "页面显示的是覆盖其上的内容。")
        elif kind == "misaligned":
            side, side_zh = ("right", "右") if s.get("edge") == "right" else ("left", "左")
            off = abs(s.get("offset") or 0)
            yield error("pdf_structure_edited", [],
                        f"On page {page}, the amount {_text(s)!r} at {_box(s)} ends {off:.1f} pt off the {side} "
                        f"edge its column's {s.get('column')} other amounts keep (within {s.get('tolerance')} pt): "
                        "it was typed there by hand.",
                        f"第 {page} 页 {_box(s)} 处金额（“{_text(s)}”）的{side_zh}边与同列其余 {s.get('column')} "
                        f"个金额的对齐位置相差 {off:.1f} pt（正常在 {s.get('tolerance')} pt 以内），系手工改写。")
        elif kind in ("foreign_font", "font_subset"):
            how = "another subset of" if kind == "font_subset" else "a font other than"
            yield error("pdf_structure_edited", [],
                        f"On page {page}, {s.get('glyphs')} characters ({_text(s)!r}) are drawn in {s.get('font')}, "
                        f"{how} the page's {s.get('page_font')}, at {_box(s)}.",
                        f"第 {page} 页 {_box(s)} 处，{s.get('glyphs')} 个字符（“{_text(s)}”）使用的字体 "
                        f"{s.get('font')} 与本页其余文字（{s.get('page_font')}）不同。")


__all__ = ["pdf_structure_edited"]
