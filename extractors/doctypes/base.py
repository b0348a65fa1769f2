"""The declaration every document type makes.

A document type names itself (with its Chinese and English label), declares its
fields once — each a :class:`FieldSpec`: kind, labels, whether it is personal
data, whether a document without it is incomplete — and its tables (a
:class:`TableSpec` per table, whose columns are fields too), and lists the
words that identify it; it scores how well a page's text matches it and turns
the text into fields. Everything that needs to know what a field *is* derives
from the declaration: how a reviewer's correction is normalised
(:mod:`intake.review.corrections`), the labels of messages and of the review page,
which values are masked there, which fields a document must have. An
incomplete declaration fails at import time, not on the first upload.

>>> spec = FieldSpec("birth_date", Kind.DATE, "出生日期", "Date of birth", personal=True, required=True)
>>> spec.masked, FieldSpec("id_number", Kind.ID_NUMBER, "公民身份号码", "ID number", personal=True).masked
(False, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

import numpy as np

from extractors.models import ExtractedDocument, Field, TextLine

_DECLARED: dict[str, type[DocTypeExtractor]] = {}


class Kind(StrEnum):
    """What a field's value is; decides how a value typed by a reviewer is normalised and how it is shown."""

    TEXT = "text"
    DATE = "date"
    """ISO ``YYYY-MM-DD``."""
    TIME = "time"
    """``HH:MM:SS``."""
    MONEY = "money"
    """A decimal string in yuan, two places (``1234.50``); signed where the field is."""
    MONEY_WORDS = "money_words"
    """An amount printed in capital Chinese numerals (大写), stored as the decimal it means."""
    RATE = "rate"
    """A yearly rate as a decimal fraction (``0.144`` for 14.4 %)."""
    COUNT = "count"
    """A whole number (months, rows)."""
    ID_NUMBER = "id_number"
    """A resident ID number (18 characters, upper-case check character)."""
    ACCOUNT = "account"
    """A bank or payment account number, as printed (possibly masked by the issuer)."""
    FLAG = "flag"
    """Yes or no."""


MASKED_KINDS = frozenset({Kind.ID_NUMBER, Kind.ACCOUNT})
"""Kinds shown masked on the review page until a reviewer reveals them (and logs it)."""


@dataclass(frozen=True)
class FieldSpec:
    """One field of a document type (or one column of its table)."""

    name: str
    kind: Kind
    zh: str
    """The label as printed on the document, or as a Chinese reviewer calls it."""
    en: str
    personal: bool = False
    """Personal data: never logged, removed when the applicant's data is deleted."""
    required: bool = False
    """A document of the type without a usable value of it is incomplete (its ``*_required_fields`` rule)."""
    choices: tuple[str, ...] = ()
    """The only values it can take, where the document prints one of a few (``男``/``女``)."""
    applicant: str | None = None
    """What of the applicant the field states, if anything: ``"name"`` or ``"id_number"``. Fields that state
    the same thing must agree across an application's documents (``validators.application``)."""

    @property
    def masked(self) -> bool:
        return self.kind in MASKED_KINDS


@dataclass(frozen=True)
class TableSpec:
    """A table of a document type: its rows are mappings of the column fields."""

    name: str
    zh: str
    en: str
    columns: tuple[FieldSpec, ...]


class DocTypeExtractor:
    doc_type: ClassVar[str]
    label: ClassVar[tuple[str, str]]
    """The type's name for people: Chinese, English."""
    fields: ClassVar[tuple[FieldSpec, ...]]
    tables: ClassVar[tuple[TableSpec, ...]] = ()
    field_names: ClassVar[tuple[str, ...]]
    """Derived: the names of :attr:`fields`, in order."""
    keywords: ClassVar[tuple[str, ...]]
    """Printed words that identify the type; :meth:`score` counts them."""
    card: ClassVar[bool] = False
    """True for small cards that imaging must find and flatten in a photo."""
    multipage: ClassVar[bool] = False
    """True for documents that run over pages (a statement): consecutive pages of the type are read as
    one document by :meth:`extract_pages`."""
    generic: ClassVar[bool] = False
    """A catch-all whose words other types print too (a bank statement's 余额, 日期, 金额, 明细 are on a payment
    platform's proof as well): a specific type that scores as high wins the page."""
    stands_in_for: ClassVar[tuple[str, ...]] = ()
    """Types an application requires that a document of this type may replace, where the lender allows it
    (``DOCINTAKE_SUBSTITUTES``): a payment platform's records in place of a bank statement."""

    def __init_subclass__(cls, abstract: bool = False, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if abstract:
            return
        missing = [a for a in ("doc_type", "label", "fields", "keywords") if not getattr(cls, a, None)]
        if missing:
            raise TypeError(f"{cls.__name__} must declare {', '.join(missing)}")
        names = [f.name for f in cls.fields] + [t.name for t in cls.tables]
        if len(set(names)) != len(names):
            raise TypeError(f"{cls.__name__} declares a field or table name twice")
        for spec in cls.fields + tuple(c for t in cls.tables for c in t.columns):
            if not (spec.zh and spec.en and isinstance(spec.kind, Kind)):
                raise TypeError(f"{cls.__name__}.{spec.name} needs a kind and both labels")
        cls.field_names = tuple(f.name for f in cls.fields)
        if cls.doc_type in _DECLARED and _DECLARED[cls.doc_type] is not cls:
            raise TypeError(f"document type {cls.doc_type!r} declared twice: "
                            f"{_DECLARED[cls.doc_type].__qualname__} and {cls.__qualname__}")
        _DECLARED[cls.doc_type] = cls

    @classmethod
    def spec(cls, path: str) -> FieldSpec | None:
        """The declaration of a field or table cell by its path (``name``, ``transactions[3].balance``)."""
        table, _, column = path.partition("[")
        if column:
            column = column.partition("].")[2]
            return next((c for t in cls.tables if t.name == table for c in t.columns if c.name == column), None)
        return next((f for f in cls.fields if f.name == path), None)

    @classmethod
    def score(cls, lines: Sequence[TextLine]) -> float:
        """Fraction of the identifying keywords found in the text (0..1)."""
        text = "".join(line.text for line in lines).replace(" ", "")
        return sum(1 for k in cls.keywords if k in text) / len(cls.keywords)

    @classmethod
    def unlabelled(cls, lines: Sequence[TextLine]) -> bool:
        """Whether ``lines``, one card region whose keywords were not read, are this type by their layout (a card
        copied in black and white keeps its values and loses its pale labels). Types with no such layout: never."""
        return False

    @classmethod
    def owns_file(cls, data: bytes) -> str | None:
        """The name of the file format (``csv``, ``xlsx``) when ``data``, a file that is neither an image nor a
        PDF, is one this type reads itself (:meth:`read_file`); None otherwise, and by default. Decided from the
        first bytes or a ZIP's directory, cheaply: the API process asks it before queueing."""
        return None

    def read_file(self, data: bytes) -> ExtractedDocument:
        """Read a file :meth:`owns_file` claimed (a CSV or spreadsheet export); raises a
        :class:`~extractors.errors.DocumentError` with the reason when it is not what it claimed to be."""
        raise NotImplementedError

    def extract(self, lines: Sequence[TextLine], page: int = 1) -> ExtractedDocument:
        raise NotImplementedError

    def extract_pages(self, pages: Sequence[tuple[int, Sequence[TextLine]]],
                      meta: dict[str, Any] | None = None) -> ExtractedDocument:
        """A document over several pages (``(page number, lines)`` each); single-page types read the first."""
        page, lines = pages[0]
        doc = self.extract(lines, page)
        doc.meta.update(meta or {})
        return doc

    @classmethod
    def order_pages(cls, pages: Sequence[Sequence[TextLine]]) -> list[int] | None:
        """The reading order of a multi-page document's pages (indexes into ``pages``, each the text of one
        photo) judged by their content, for photos that print no page number; None: no opinion (the photos
        stay in the order they arrived). None by default."""
        return None

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
