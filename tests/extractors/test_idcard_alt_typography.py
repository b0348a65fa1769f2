"""ID card readings as real cards print them (found by the second generator, :mod:`fixtures.idcard_alt`).

Each test builds the OCR lines a case gives and checks the extractor: a birth date set wide without
leading zeros and detected in pieces, a spaced two-character name, a stray mark before the name,
the traditional form of a place name, and a page holding both sides side by side (an A4 copy with no
card outline to find, read whole).
"""

from __future__ import annotations

from extractors.doctypes.idcard import IdCardBack, IdCardFront, merge_row_fragments, own_column, simplified
from extractors.models import TextLine


def line(text: str, x0: int, y: int, x1: int | None = None, h: int = 30) -> TextLine:
    return TextLine(text=text, confidence=0.97, bbox=(x0, y, x1 if x1 is not None else x0 + 30 * len(text), y + h))


def front_lines(name: list[TextLine], birth: list[TextLine]) -> list[TextLine]:
    return [line("姓名", 60, 80), *name, line("性别", 60, 160), line("男", 180, 160), line("民族", 300, 160),
            line("汉", 420, 160), line("出生", 60, 240), *birth, line("住址", 60, 320),
            line("四川省成都市武侯区益州", 180, 320), line("大道中段722号", 180, 370),
            line("公民身份号码", 60, 530), line("513701198602126346", 330, 530, 700)]


def test_birth_date_without_leading_zeros_in_pieces_is_read() -> None:
    # 1986  年   2  月  12  日: the detector returns the year, the month and the day as separate boxes
    birth = [line("1986", 180, 240, 250), line("年", 280, 240, 305), line("2", 370, 240, 385),
             line("月", 405, 240, 430), line("12", 480, 240, 510), line("日", 540, 240, 565)]
    doc = IdCardFront().extract(front_lines([line("张三", 180, 80)], birth))
    assert doc.value("birth_date") == "1986-02-12"


def test_birth_date_split_across_lines_by_reading_order_is_read() -> None:
    # boxes a little apart in height still join in reading order: 出生\n1986年\n2月12日
    birth = [line("1986年", 180, 240, 330), line("2月12日", 480, 244, 600)]
    doc = IdCardFront().extract(front_lines([line("张三", 180, 80)], birth))
    assert doc.value("birth_date") == "1986-02-12"


def test_spaced_two_character_name_is_one_name() -> None:
    name = [line("张", 180, 80, 210), line("三", 260, 80, 290)]
    doc = IdCardFront().extract(front_lines(name, [line("1986年2月12日", 180, 240)]))
    assert doc.value("name") == "张三"


def test_stray_mark_before_the_name_is_dropped() -> None:
    doc = IdCardFront().extract(front_lines([line(".韦婷燕", 180, 80)], [line("1986年2月12日", 180, 240)]))
    assert doc.value("name") == "韦婷燕"


def test_traditional_forms_read_in_place_names_become_simplified() -> None:
    lines = front_lines([line("張三", 180, 80)], [line("1986年2月12日", 180, 240)])
    lines[9] = line("湖北省黃冈市羅田縣", 180, 320)
    doc = IdCardFront().extract(lines)
    assert (doc.value("name"), doc.value("address")) == ("张三", "湖北省黄冈市罗田县大道中段722号")
    assert doc.fields["address"].raw == "湖北省黃冈市羅田縣大道中段722号"  # what was read stays in raw
    assert simplified("乾县") == "乾县"  # a simplified character that looks traditional is left alone


def test_side_by_side_page_read_whole_gives_each_side_its_own_column() -> None:
    # an A4 copy in black and white: no card outline to find, both sides read as one page, rows interleaved
    front = front_lines([line("朱博", 180, 80)], [line("2000年4月26日", 180, 240)])
    # the back's title shares a row with the address: read in one reading order it would cut the address short
    back = [line("中华人民共和国", 900, 240), line("居民身份证", 900, 330), line("签发机关", 800, 400),
            line("长阳土家族自治县公安局", 930, 400), line("有效期限", 800, 480),
            line("2025.12.16-2035.12.16", 930, 480)]
    page = front + back
    f, b = IdCardFront().extract(page), IdCardBack().extract(page)
    assert f.value("name") == "朱博" and f.value("address") == "四川省成都市武侯区益州大道中段722号"
    assert f.value("id_number") == "513701198602126346"
    assert (b.value("issuer"), b.value("valid_from"), b.value("valid_until")) == (
        "长阳土家族自治县公安局", "2025-12-16", "2035-12-16")
    assert own_column(page, IdCardFront.keywords, IdCardBack.keywords) == front


def test_one_card_is_never_cut_into_columns() -> None:
    lines = front_lines([line("张三", 180, 80)], [line("1986年2月12日", 180, 240)])
    assert own_column(lines, IdCardFront.keywords, IdCardBack.keywords) == lines


def test_fragments_far_apart_on_a_row_stay_apart() -> None:
    merged = merge_row_fragments([line("签发机关", 60, 400, 180), line("姓名", 900, 400, 960)])
    assert [ln.text for ln in merged] == ["签发机关", "姓名"]


def test_stray_marks_in_the_gaps_are_skipped() -> None:
    # what the recogniser made of a grey A4 copy: 性别·男, 1951年9 月·25 日
    lines = front_lines([line("武帅帆", 180, 80)], [line("1951年9 月·25 日", 180, 240)])
    lines[2:6] = [line("性别·男民族汉", 60, 160)]
    doc = IdCardFront().extract(lines)
    assert (doc.value("sex"), doc.value("ethnicity"), doc.value("birth_date")) == ("男", "汉", "1951-09-25")


def unlabelled_front(birth: str = "1986 年 2 月 12 日") -> list[TextLine]:
    """A front copied in black and white: the pale labels are gone or read as scraps, the black values stay."""
    return [line("n张三", 150, 80), line("男", 180, 160), line("汉", 420, 160), line(birth, 180, 240, 560),
            line("址北京市东城区东华门街道", 150, 320), line("南池子大街722号", 180, 370),
            line("110101198602126342", 330, 530, 700)]


def test_a_front_whose_labels_were_lost_is_read_by_its_rows() -> None:
    lines = unlabelled_front()
    assert IdCardFront.score(lines) == 0.0 and IdCardFront.unlabelled(lines)
    fields = IdCardFront().extract(lines).fields
    assert {k: f.value for k, f in fields.items()} == {
        "id_number": "110101198602126342", "birth_date": "1986-02-12", "sex": "男", "ethnicity": "汉",
        "address": "北京市东城区东华门街道南池子大街722号"}  # "n张三": a scrap of the label joined to the name


def test_a_name_read_by_its_row_alone_is_never_confident_enough_to_accept() -> None:
    lines = [line("张三", 180, 80), *unlabelled_front()[1:]]
    name = IdCardFront().extract(lines).fields["name"]
    assert name.value == "张三" and name.confidence <= 0.8 < 0.97


def test_rows_fill_only_what_the_labels_did_not_give() -> None:
    lines = [line("姓名张三", 60, 80), line("性别女", 60, 160), *unlabelled_front()[2:]]
    fields = IdCardFront().extract(lines).fields
    assert fields["sex"].value == "女" and fields["name"].confidence == 0.97  # from their labels, unchanged
    assert fields["birth_date"].value == "1986-02-12"


def test_without_a_valid_number_no_row_is_guessed() -> None:
    lines = unlabelled_front()
    lines[-1] = line("110101198602126343", 330, 530, 700)  # wrong check digit
    assert not IdCardFront.unlabelled(lines)
    assert set(IdCardFront().extract(lines).fields) == {"id_number"}


def test_a_number_read_with_a_stray_mark_between_digits() -> None:
    lines = [*unlabelled_front()[:-1], line("1101011986.02126342", 330, 530, 700)]
    assert IdCardFront().extract(lines).value("id_number") == "110101198602126342"
