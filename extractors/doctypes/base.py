"""The declaration every document type makes.

A document type names itself, its fields and the words that identify it; it
scores how well a page's text matches it and turns the text into fields. An
incomplete declaration fails at import time, not on the first upload.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from extractors.models import ExtractedDocument, Field, TextLine

_DECLARED: dict[str, type[DocTypeExtractor]] = {}


class DocTypeExtractor:
    doc_type: ClassVar[str]
    field_names: ClassVar[tuple[str, ...]]
    keywords: ClassVar[tuple[str, ...]]
    """Printed words that identify the type; :meth:`score` counts them."""
    card: ClassVar[bool] = False
    """True for small cards that imaging must find and flatten in a photo."""
    multipage: ClassVar[bool] = False
    """True for documents that run over pages (a statement): consecutive pages of the type are read as
    one document by :meth:`extract_pages`."""

    def __init_subclass__(cls, abstract: bool = False, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if abstract:
            return
        missing = [a for a in ("doc_type", "field_names", "keywords") if not getattr(cls, a, None)]
        if missing:
            raise TypeError(f"{cls.__name__} must declare {', '.join(missing)}")
        if cls.doc_type in _DECLARED and _DECLARED[cls.doc_type] is not cls:
            raise TypeError(f"document type {cls.doc_type!r} declared twice: "
                            f"{_DECLARED[cls.doc_type].__qualname__} and {cls.__qualname__}")
        _DECLARED[cls.doc_type] = cls

    @classmethod
    def score(cls, lines: Sequence[TextLine]) -> float:
        """Fraction of the identifying keywords found in the text (0..1)."""
        text = "".join(line.text for line in lines).replace(" ", "")
        return sum(1 for k in cls.keywords if k in text) / len(cls.keywords)

    def extract(self, lines: Sequence[TextLine], page: int = 1) -> ExtractedDocument:
        raise NotImplementedError

    def extract_pages(self, pages: Sequence[tuple[int, Sequence[TextLine]]],
                      meta: dict[str, Any] | None = None) -> ExtractedDocument:
        """A document over several pages (``(page number, lines)`` each); single-page types read the first."""
        page, lines = pages[0]
        doc = self.extract(lines, page)
        doc.meta.update(meta or {})
        return doc

    @staticmethod
    def doubted(doc: ExtractedDocument) -> list[tuple[str, Field]]:
        """OCR'd fields (by path) the type has reason to doubt and wants read again by the stronger
        recogniser (:meth:`reread`); the reader does that. None by default."""
        return []

    @staticmethod
    def reread(doc: ExtractedDocument, readings: dict[str, tuple[str, float]]) -> None:
        """Take the second readings ``{path: (text, confidence)}`` of the doubted fields."""

    @staticmethod
    def look(doc: ExtractedDocument, images: Mapping[int, np.ndarray]) -> None:
        """Fill in what the page images show and their text does not (a contract's seal and signature);
        ``images`` maps the document's page numbers to the stored page images. Nothing by default."""

    @staticmethod
    def analyse(doc: ExtractedDocument) -> dict[str, Any] | None:
        """Figures computed from the validated fields for the scoring service (None: the type has none)."""
        return None


def declared() -> dict[str, type[DocTypeExtractor]]:
    return _DECLARED
