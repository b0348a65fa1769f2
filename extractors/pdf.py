"""The text layer of digital PDFs, through pdfplumber.

:func:`text_lines` gives, per page, the page's text lines with boxes in PDF
points, or ``None`` where the page has no usable text layer (a scan), so the
caller renders and OCRs that page instead. Encrypted and malformed files are
refused with their specific errors.
"""

from __future__ import annotations

import io
import logging

from pydantic import BaseModel

from extractors.errors import CorruptFile, EncryptedPdf, UnsupportedFormat
from extractors.models import Source, TextLine

MIN_CHARS = 20
"""Fewer characters than this on a page: treat it as a scan."""

logging.getLogger("pdfminer").setLevel(logging.ERROR)


class PdfPageText(BaseModel):
    width: float
    height: float
    lines: list[TextLine]
    source: Source = Source.PDF_TEXT

    def scaled(self, pixel_width: int) -> list[TextLine]:
        """The lines with boxes in the pixels of the page rendered ``pixel_width`` wide."""
        k = pixel_width / self.width
        return [ln.model_copy(update={"bbox": tuple(round(v * k) for v in ln.bbox)}) for ln in self.lines]


def text_lines(data: bytes, *, max_pages: int = 50, password: str | None = None) -> list[PdfPageText | None]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        with pdfplumber.open(io.BytesIO(data), password=password or "") as doc:
            if len(doc.pages) > max_pages:
                raise UnsupportedFormat(f"the PDF has {len(doc.pages)} pages; at most {max_pages} are accepted")
            out: list[PdfPageText | None] = []
            for page in doc.pages:
                rows = page.extract_text_lines(return_chars=False)
                if sum(len(r["text"].strip()) for r in rows) < MIN_CHARS:
                    out.append(None)
                    continue
                lines = [TextLine(text=r["text"], confidence=1.0, page=page.page_number,
                                  bbox=(round(r["x0"]), round(r["top"]), round(r["x1"]), round(r["bottom"])))
                         for r in rows if r["text"].strip()]
                out.append(PdfPageText(width=float(page.width), height=float(page.height), lines=lines))
            return out
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise EncryptedPdf() from exc
        raise CorruptFile(f"the PDF could not be parsed ({type(cause).__name__})") from exc
    except PDFPasswordIncorrect as exc:
        raise EncryptedPdf() from exc
