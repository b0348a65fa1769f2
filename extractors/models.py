"""The models passed between stages: fields with provenance, findings, documents.

These are the record contract of DESIGN.md. Every extracted value is a
:class:`Field`; every rule outcome a :class:`Finding`; one physical document
(an ID card side, a statement, a contract) found in an upload is an
:class:`ExtractedDocument`.

>>> f = Field(value="1995-07-17", raw="1995年7月17日", confidence=0.98, source=Source.OCR,
...           page=1, bbox=(10, 20, 200, 40))
>>> f.model_dump()["bbox"]
(10, 20, 200, 40)
>>> Finding.make("id_number_checksum", Severity.ERROR, ["id_number"],
...              en="bad check digit", zh="校验位错误").message.en
'bad check digit'
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydField

BBox = tuple[int, int, int, int]
"""A pixel box ``(x0, y0, x1, y1)`` on the stored page image."""


def overlaps(a: Sequence[float], b: Sequence[float]) -> bool:
    """Whether two ``(x0, y0, x1, y1)`` boxes share some area (touching edges do not).

    >>> overlaps((0, 0, 10, 10), (5, 5, 20, 20)), overlaps((0, 0, 10, 10), (10, 0, 20, 10))
    (True, False)
    """
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

FieldValue = str | int | bool | None


class Source(str, Enum):
    OCR = "ocr"
    PDF_TEXT = "pdf_text"
    FILE = "file"
    """Read from the cells of a data file the platform exported (a CSV or spreadsheet): no OCR, no layout."""
    DERIVED = "derived"
    REVIEWER = "reviewer"


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


class Status(str, Enum):
    """Terminal outcome of one extracted document (and of an upload)."""

    ACCEPTED = "accepted"
    NEEDS_REVIEW = "needs_review"
    REJECTED = "rejected"


class RetakeReason(str, Enum):
    """Why a photo cannot be used; each has a sentence the app can show."""

    BLURRY = "blurry"
    GLARE = "glare"
    TOO_DARK = "too_dark"
    TOO_SMALL = "too_small"
    CUT_OFF = "cut_off"
    NO_DOCUMENT = "no_document"
    OCCLUDED = "occluded"
    SCREEN_RESHOOT = "screen_reshoot"
    UNREADABLE = "unreadable"
    NO_TRANSACTIONS = "no_transactions"


RETAKE_MESSAGES: dict[RetakeReason, tuple[str, str]] = {
    RetakeReason.BLURRY: ("The photo is blurry; hold the phone still and retake it.",
                          "照片模糊，请保持手机稳定后重拍。"),
    RetakeReason.GLARE: ("Light glare covers part of the card; tilt it away from the light and retake it.",
                         "证件有反光遮挡，请避开光源后重拍。"),
    RetakeReason.TOO_DARK: ("The photo is too dark; retake it in better light.",
                            "照片太暗，请在光线充足处重拍。"),
    RetakeReason.TOO_SMALL: ("The card is too small in the photo; move closer and retake it.",
                             "证件在照片中太小，请靠近后重拍。"),
    RetakeReason.CUT_OFF: ("Part of the card is outside the photo; fit the whole card in the frame.",
                           "证件未完整拍入，请将整张证件置于画面内。"),
    RetakeReason.OCCLUDED: ("Something covers part of the card; take your fingers off it and retake it.",
                            "证件被遮挡，请移开手指等遮挡物后重拍。"),
    RetakeReason.SCREEN_RESHOOT: ("This is a photo of a screen; photograph the card itself.",
                                  "这是翻拍屏幕的照片，请直接拍摄证件原件。"),
    RetakeReason.NO_DOCUMENT: ("No ID card, statement or contract was found in the file.",
                               "文件中未找到身份证、流水或合同。"),
    RetakeReason.UNREADABLE: ("The text on the document could not be read; retake it flat and in focus.",
                              "无法识别证件文字，请平放对焦后重拍。"),
    RetakeReason.NO_TRANSACTIONS: ("The statement lists no transactions; export one that covers the required "
                                   "months of account activity.", "流水中没有交易记录，请导出覆盖所需月份的账户流水。"),
}


class Message(BaseModel):
    model_config = ConfigDict(frozen=True)
    en: str
    zh: str


class Field(BaseModel):
    """One extracted value with where it came from."""

    value: FieldValue
    raw: str | None = None
    confidence: float = PydField(default=1.0, ge=0.0, le=1.0)
    source: Source = Source.OCR
    page: int = 1
    bbox: BBox | None = None
    note: str | None = None
    """Why a ``derived`` value was derived, or a reviewer's comment."""


class FieldRef(BaseModel):
    """Fields of one document of an application, as a cross-document finding names them."""

    document: str
    """The document's reference in the application record (``<upload id>/<index in the upload>``)."""
    type: str
    fields: list[str]


class Finding(BaseModel):
    rule: str
    severity: Severity
    fields: list[str] = []
    message: Message
    refs: list[FieldRef] = []
    """For a finding across documents: the fields of each document it concerns (``fields`` then holds them as
    ``<type>.<field>``)."""

    @classmethod
    def make(cls, rule: str, severity: Severity, fields: list[str], *, en: str, zh: str,
             refs: list[FieldRef] | None = None) -> Finding:
        return cls(rule=rule, severity=severity, fields=fields, message=Message(en=en, zh=zh), refs=refs or [])


class TextLine(BaseModel):
    """One line of text read from a page image, in page pixel coordinates."""

    text: str
    confidence: float
    bbox: BBox
    page: int = 1


class Quality(BaseModel):
    """Measures of a photographed document, and the retake reasons they give."""

    sharpness: float = 0.0
    brightness: float = 0.0
    glare_fraction: float = 0.0
    coverage: float = 0.0
    """Fraction of the photo the document occupies."""
    problems: list[RetakeReason] = []
    in_colour: bool | None = None
    """Whether the upload holds colour at all (a grey or black-and-white scan or copy does not)."""
    score: int | None = None
    """Capture quality 0–100 (:func:`extractors.imaging.quality.capture_score`); ``lowered_by`` says why not 100."""
    lowered_by: list[str] = []


class ExtractedDocument(BaseModel):
    """One document found in an upload, before and after validation."""

    doc_type: str
    page: int = 1
    fields: dict[str, Field] = {}
    findings: list[Finding] = []
    status: Status | None = None
    reject_reason: RetakeReason | None = None
    quality: Quality | None = None
    classification_confidence: float = 1.0
    pages: list[int] = []
    """Every page the document spans (a statement runs over many); ``page`` is the first."""
    tables: dict[str, list[dict[str, Field]]] = {}
    """Repeated groups of fields, e.g. a statement's ``transactions``: one dict of fields per row, in printed
    order. Findings point into them as ``transactions[12].balance``."""
    analytics: dict[str, Any] | None = None
    """Figures computed from the fields for the scoring service (a statement's cash flow)."""
    meta: dict[str, Any] = {}
    """How the document was read (layout, PDF metadata, cross-checks), for the rules and the reviewer."""

    def value(self, name: str) -> FieldValue:
        f = self.fields.get(name)
        return None if f is None else f.value
