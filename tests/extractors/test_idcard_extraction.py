"""ID card fields from OCR lines, however the recogniser split or spaced them."""

from __future__ import annotations

import pytest

from extractors.doctypes.idcard import IdCardBack, IdCardFront
from extractors.models import Source, TextLine


def _lines(*rows: tuple[str, int, int]) -> list[TextLine]:
    return [TextLine(text=t, confidence=0.97, bbox=(x, y, x + 22 * len(t), y + 30)) for t, x, y in rows]


FRONT_SPLIT = _lines(("姓名", 80, 100), ("李小红", 180, 100), ("性别", 80, 170), ("女", 180, 170), ("民族", 280, 170),
                     ("回", 380, 170), ("出生", 80, 240), ("1988年12月3日", 180, 240), ("住址", 80, 300),
                     ("北京市东城区东华门街道", 180, 300), ("南池子大街18号", 180, 345), ("公民身份号码", 80, 460),
                     ("11010119881203002X", 290, 460))

FRONT_MERGED = _lines(("姓名李小红", 80, 100), ("性别女民族回", 80, 170), ("出生 1988 年 12 月 3 日", 80, 240),
                      ("住址北京市东城区东华门街道", 80, 300), ("南池子大街18号", 180, 345),
                      ("公民身份号码 1101 0119 8812 0300 2x", 80, 460))


@pytest.mark.parametrize("lines", [FRONT_SPLIT, FRONT_MERGED], ids=["split", "merged"])
def test_front_fields_whether_labels_are_split_or_merged(lines: list[TextLine]) -> None:
    doc = IdCardFront().extract(lines)
    assert {k: f.value for k, f in doc.fields.items()} == {
        "name": "李小红", "sex": "女", "ethnicity": "回", "birth_date": "1988-12-03",
        "address": "北京市东城区东华门街道南池子大街18号", "id_number": "11010119881203002X"}
    assert all(f.source == Source.OCR for f in doc.fields.values())


def test_value_box_excludes_the_label() -> None:
    doc = IdCardFront().extract(_lines(("姓名李小红", 100, 100)))
    x0, _, x1, _ = doc.fields["name"].bbox  # type: ignore[misc]
    assert x0 > 100 + 22 * 1.5, "the box starts after 姓名"
    assert x1 == 100 + 22 * 5


def test_address_box_spans_both_lines() -> None:
    doc = IdCardFront().extract(FRONT_SPLIT)
    _, y0, _, y1 = doc.fields["address"].bbox  # type: ignore[misc]
    assert y0 == 300 and y1 == 375


def test_unreadable_birth_date_keeps_raw_and_no_value() -> None:
    doc = IdCardFront().extract(_lines(("出生1988年13月3日", 80, 240)))
    assert doc.fields["birth_date"].value is None
    assert doc.fields["birth_date"].raw == "1988年13月3日"


def test_missing_fields_are_left_out_not_guessed() -> None:
    doc = IdCardFront().extract(_lines(("姓名李小红", 80, 100)))
    assert set(doc.fields) == {"name"}


def test_confidence_is_the_weakest_line_of_the_value() -> None:
    lines = _lines(("住址北京市东城区", 80, 300), ("南池子大街18号", 180, 345), ("公民身份号码", 80, 460))
    lines[1] = lines[1].model_copy(update={"confidence": 0.61})
    assert IdCardFront().extract(lines).fields["address"].confidence == pytest.approx(0.61)


@pytest.mark.parametrize(("text", "until", "long_term"), [
    ("有效期限 2015.03.09-2035.03.09", "2035-03-09", False),
    ("有效期限2015.03.09-长期", None, True),
    ("有效期限 2015.03.09—2035.03.09", "2035-03-09", False),
    ("有效期限 2015-03-09 至 2035-03-09", "2035-03-09", False),
    ("有效期限2015:03.09-2035.03·09", "2035-03-09", False),  # a dot read as another mark
])
def test_back_validity_forms(text: str, until: str | None, long_term: bool) -> None:
    doc = IdCardBack().extract(_lines(("签发机关 北京市公安局东城分局", 200, 970), (text, 200, 1040)))
    assert doc.value("issuer") == "北京市公安局东城分局"
    assert doc.value("valid_from") == "2015-03-09"
    assert doc.value("valid_until") == until
    assert doc.value("long_term") is long_term


def test_keyword_scores_separate_the_sides() -> None:
    assert IdCardFront.score(FRONT_SPLIT) == 1.0
    assert IdCardBack.score(FRONT_SPLIT) == 0.0


def test_a_name_read_as_one_character_is_not_measured_against_the_other_values() -> None:
    """A name whose box holds part of its print (欧阳阳 read as 区) would measure shorter than the card's other
    values; only a name read whole is compared for the ``edited`` capture risk."""
    import cv2
    import numpy as np

    from extractors.models import ExtractedDocument, Field

    card = np.full((640, 1014, 3), 232, np.uint8)
    boxes = {"name": (160, 80, 300, 120), "sex": (160, 150, 200, 190), "ethnicity": (330, 150, 370, 190),
             "address": (160, 290, 600, 330)}
    for x0, y0, x1, y1 in boxes.values():
        cv2.rectangle(card, (x0 + 4, y0 + 4), (x1 - 4, y1 - 5), (20, 20, 20), 3)
    card[80:121, 160:301] = 232
    cv2.rectangle(card, (164, 90), (296, 113), (20, 20, 20), 3)  # the name's box measures 70 % of the others
    values = {"name": "区", "sex": "男", "ethnicity": "汉", "address": "山东省泰安市东平县光明路881号"}

    def risks(name: str) -> list[str]:
        fields = {k: Field(value=name if k == "name" else v, bbox=boxes[k]) for k, v in values.items()}
        doc = ExtractedDocument(doc_type="id_card_front", fields=fields)
        IdCardFront.look(doc, {1: card})
        return [r["code"] for r in doc.meta.get("capture_risks", [])]

    assert risks("欧阳阳") == ["edited"]
    assert risks("区") == []


def test_the_address_ends_at_the_numbers_label_misread_in_one_character() -> None:
    lines = _lines(("姓名", 80, 100), ("严国旭", 180, 100), ("性别", 80, 170), ("男", 180, 170), ("民族", 280, 170),
                   ("汉", 380, 170), ("出生", 80, 240), ("1995年2月14日", 180, 240), ("住址", 80, 300),
                   ("山西省晋城市城区健康路898号", 180, 300), ("公民易份号码", 80, 460),
                   ("140502199502141834", 290, 460))
    assert IdCardFront().extract(lines).fields["address"].value == "山西省晋城市城区健康路898号"


def test_a_lone_sex_the_detector_missed_is_read_again_beside_its_label() -> None:
    """The text detector found 性别 but not the lone 男 beside it: the front names that cell to be read again, and
    takes the second reading only when it is 男 or 女 alone."""
    lines = _lines(("姓名", 60, 80), ("张三", 180, 76), ("性别", 60, 165), ("民族汉", 265, 160),
                   ("出生1990年1月1日", 60, 245), ("住址四川省成都市武侯区益州大道1号", 60, 325),
                   ("公民身份号码513701199001010011", 60, 530))
    doc = IdCardFront().extract(lines)
    assert "sex" not in doc.fields and doc.value("ethnicity") == "汉"
    [(path, cell)] = IdCardFront.doubted(doc)
    assert path == "sex" and cell.bbox == (104, 165, 176, 195)  # from the label's end to 2.4 label heights on
    IdCardFront.reread(doc, {"sex": ("别男", 0.93)})  # the crop's margin caught the label's last character
    assert doc.value("sex") == "男" and doc.fields["sex"].confidence == 0.93 and "sex_cell" not in doc.meta
    again = IdCardFront().extract(lines)
    IdCardFront.reread(again, {"sex": ("界", 0.99)})  # anything but 男 or 女 alone is no reading of it
    assert "sex" not in again.fields
    assert IdCardFront.doubted(IdCardFront().extract([*lines, *_lines(("男", 110, 165))])) == []
