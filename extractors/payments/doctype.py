"""What the Alipay and WeChat Pay types share: one declaration of fields and table, the PDF proofs read by
the statement table reader, the analytics. Each type adds its name, the words that identify it and the data
files it reads itself (:mod:`extractors.doctypes.payment_alipay`, :mod:`extractors.doctypes.payment_wechat`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from extractors.doctypes.base import DocTypeExtractor
from extractors.models import ExtractedDocument, Source, TextLine
from extractors.payments import proofs, records


class PaymentRecords(DocTypeExtractor, abstract=True):
    fields = records.FIELDS
    tables = (records.TRANSACTIONS,)
    multipage = True
    stands_in_for = ("bank_statement",)
    proof_form: ClassVar[str]
    """The name of the platform's PDF proof form (``alipay_pdf``)."""

    def extract(self, lines: Sequence[TextLine], page: int = 1) -> ExtractedDocument:
        return self.extract_pages([(page, lines)])

    def extract_pages(self, pages: Sequence[tuple[int, Sequence[TextLine]]],
                      meta: dict[str, Any] | None = None) -> ExtractedDocument:
        meta = dict(meta or {})
        source = Source.PDF_TEXT if meta.get("text_layer_pages") else Source.OCR
        doc = records.document(self.doc_type, proofs.parse_pages(pages, self.proof_form, source))
        doc.meta = meta | doc.meta
        return doc

    @staticmethod
    def analyse(doc: ExtractedDocument) -> dict[str, Any] | None:
        return records.analyse(doc)
