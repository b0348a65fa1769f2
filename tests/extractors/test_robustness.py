"""Every registered document type and the reader survive junk — covered the day a type lands."""

from __future__ import annotations

import pytest

from extractors import doctypes
from extractors.admission import precheck
from extractors.errors import DocumentError
from extractors.models import ExtractedDocument, TextLine

JUNK_TEXTS = ["", " ", "€", "\x00\x01", "\ud800", "姓名" * 2000, "1" * 5000, "出生9999年99月99日",
              "有效期限 0000.00.00-长期", "公民身份号码 " + "X" * 18, "住址\n\n\n", "签发机关"]


def _lines(texts: list[str]) -> list[TextLine]:
    return [TextLine(text=t, confidence=0.5, bbox=(0, i * 10, 10 + len(t), i * 10 + 9)) for i, t in enumerate(texts)]


@pytest.mark.parametrize("doc_type", sorted(doctypes.registry()))
@pytest.mark.parametrize("texts", [[], JUNK_TEXTS, JUNK_TEXTS[::-1], [t * 3 for t in JUNK_TEXTS]])
def test_extractors_take_junk_lines(doc_type: str, texts: list[str]) -> None:
    cls = doctypes.get(doc_type)
    doc = cls().extract(_lines(texts))
    assert isinstance(doc, ExtractedDocument) and doc.doc_type == doc_type
    assert set(doc.fields) <= set(cls.field_names)
    assert 0.0 <= cls.score(_lines(texts)) <= 1.0


def test_extractors_take_degenerate_boxes() -> None:
    lines = [TextLine(text="姓名张三", confidence=0.0, bbox=(5, 5, 5, 5)),
             TextLine(text="公民身份号码110101199003070019", confidence=1.0, bbox=(0, 0, 0, 0))]
    for cls in doctypes.registry().values():
        assert isinstance(cls().extract(lines), ExtractedDocument)


@pytest.mark.parametrize("data", [b"", b"\x00" * 10, b"\xff\xd8\xff", b"%PDF-1.4\n%%EOF", b"GIF89a" + b"\x00" * 40,
                                  b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, "文字".encode() * 100, bytes(range(256)) * 4])
def test_precheck_refuses_junk_with_a_document_error(data: bytes) -> None:
    with pytest.raises(DocumentError):
        precheck(data)
