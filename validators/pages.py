"""Rules for a document sent as several photos, one per page (:mod:`extractors.page_order`).

Every multi-page type gets them: a page the printed numbers (or the app's) say exists and no photo shows is
an error naming it — the balance chain of a statement breaks there too, but only this says which page to
photograph; a photo of a page already sent is dropped, and said so.
"""

from __future__ import annotations

from collections.abc import Iterator

from extractors import doctypes
from extractors.models import ExtractedDocument, Finding
from validators.base import RuleContext, error, rule, warning

MULTIPAGE = tuple(sorted(name for name, kind in doctypes.registry().items() if kind.multipage))


@rule(*MULTIPAGE)
def pages_complete(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """No page is missing among the photos of a document sent page by page."""
    missing = doc.meta.get("pages_missing") or []
    if not missing:
        return
    of = doc.meta.get("pages_of")
    said = ", ".join(str(n) for n in missing)
    total_en = f" of {of}" if of else ""
    total_zh = f"（共 {of} 页）" if of else ""
    yield error("pages_complete", [],
                f"Page {said}{total_en} is missing from the photos: photograph it and add it to this document.",
                f"照片中缺少第 {said} 页{total_zh}：请拍摄该页并补充到此文件。")


@rule(*MULTIPAGE)
def pages_not_repeated(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """A photo that shows a page already sent is left out (said, not an error)."""
    repeated = doc.meta.get("duplicate_photos") or []
    if repeated:
        shown = ", ".join(str(i + 1) for i in repeated)
        yield warning("pages_not_repeated", [],
                      f"Photo {shown} shows a page already sent and was left out.",
                      f"第 {shown} 张照片与已发送的页面相同，未重复读取。")
