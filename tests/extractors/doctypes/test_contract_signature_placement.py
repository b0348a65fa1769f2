"""The borrower's signature is found wherever round the 签字 label it sits — over the label's line, beside it,
below it — and an empty signature area with print round it stays empty."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from extractors.doctypes.loan_contract import LoanContract, _signature_areas
from extractors.models import ExtractedDocument, TextLine
from extractors.text import Joined

LABEL = (120, 600, 420, 640)  # 借款人（签字）： on a 150 dpi page, 40 px high


def _page(with_print: bool = True) -> np.ndarray:
    page = np.full((1754, 1240), 240, np.uint8)
    if with_print:
        cv2.rectangle(page, LABEL[:2], LABEL[2:], 30, -1)  # the label's printed words (skipped as print)
        cv2.line(page, (430, 645), (900, 645), 90, 2)  # the line to sign on
    return page


def _sign(page: np.ndarray, x: int, y: int) -> None:
    """A handwritten name about twice the height of the print."""
    pts = np.array([[x, y], [x + 30, y - 45], [x + 55, y + 35], [x + 90, y - 40], [x + 120, y + 30],
                    [x + 160, y - 35], [x + 200, y + 10]], np.int32)
    cv2.polylines(page, [pts], False, 25, 4)


def _look(page: np.ndarray) -> bool | None:
    doc = ExtractedDocument(doc_type="loan_contract", page=1, pages=[1])
    doc.meta["sign_here"] = [{"party": "borrower", "page": 1, "label": list(LABEL), "printed": []}]
    LoanContract.look(doc, {1: cv2.cvtColor(page, cv2.COLOR_GRAY2BGR)})
    value = doc.fields["has_signature"].value
    assert value is None or isinstance(value, bool)
    return value


@pytest.mark.parametrize(("where", "x", "y"), [("on the label's line", 260, 620), ("beside", 440, 620),
                                               ("below", 130, 720)])
def test_issue_signature_on_the_label_line_is_found(where: str, x: int, y: int) -> None:
    page = _page()
    _sign(page, x, y)
    assert _look(page) is True, where


def test_empty_signature_area_with_print_is_empty() -> None:
    assert _look(_page()) is False


def _ocr(text: str, box: tuple[int, int, int, int], confidence: float = 0.97) -> TextLine:
    return TextLine(text=text, confidence=confidence, bbox=box)


PRINT = [_ocr("第十条 本合同自双方签字或盖章之日起生效。", (120, 300 + 50 * i, 1100, 336 + 50 * i)) for i in range(3)]
LENDER = _ocr("贷款人（盖章）：某某小额贷款有限公司", (120, 500, 800, 536))


def test_issue_label_garbled_by_the_signature_over_it_still_anchors_the_area() -> None:
    """``借教人签表杆魏``: the ink written over 借款人签字 swells the OCR'd line and garbles it; the line stands for
    the label, the print's height (not the swollen box's) scales the ink needed."""
    swollen = _ocr("借教人签表杆魏", (120, 580, 500, 700), 0.57)
    areas = [a for a in _signature_areas([*PRINT, LENDER, swollen], Joined([*PRINT, LENDER, swollen]))
             if a["party"] == "borrower"]
    assert areas and areas[0]["label"] == [120, 580, 300, 700] and areas[0]["line_height"] == 36


def test_a_plain_short_line_of_print_is_no_buried_label() -> None:
    """Without ink over it (a line of the print's height) a 借款人 line is not taken for a garbled label."""
    plain = _ocr("借款人", (120, 600, 230, 636))
    assert not [a for a in _signature_areas([*PRINT, LENDER, plain], Joined([*PRINT, LENDER, plain]))
                if a["party"] == "borrower"]


def test_issue_garbled_label_beside_the_lenders_in_a_two_column_block() -> None:
    """``乙方（签学號澄`` in the right column, a little above ``甲方（盖章）：`` in the left: still the borrower's."""
    lender = _ocr("甲方（盖章）：", (120, 662, 350, 700))
    swollen = _ocr("乙方（签学號澄", (817, 610, 1222, 753), 0.45)
    lines = [*PRINT, swollen, lender]
    areas = [a for a in _signature_areas(lines, Joined(lines)) if a["party"] == "borrower"]
    assert areas and areas[0]["label"][:2] == [817, 610]
