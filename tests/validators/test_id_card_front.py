"""Rules and repairs of validators.id_card_front: valid people pass, each failure is found by its rule."""

from __future__ import annotations

import pytest

from extractors.models import ExtractedDocument, Field, Severity, Source, Status
from validators import validate
from validators.base import RuleContext


def errors(doc: ExtractedDocument, ctx: RuleContext) -> list[str]:
    return [f.rule for f in validate(doc, ctx).findings if f.severity == Severity.ERROR]


def found(doc: ExtractedDocument, ctx: RuleContext) -> set[tuple[str, str]]:
    return {(f.rule, f.severity.value) for f in validate(doc, ctx).findings}


VALID_PEOPLE = [
    # (name, sex, birth date, address, area code, order code)
    ("张伟", "男", "1990-03-15", "北京市东城区东华门街道南池子大街1号", "110101", "123"),
    ("李娜", "女", "2012-08-08", "四川省成都市武侯区益州大道中段722号", "510107", "044"),
    ("王芳", "女", "1985-12-31", "四川省凉山州西昌市长安街1号", "513401", "002"),
    ("阿依古丽", "女", "1992-02-29", "新疆昌吉回族自治州昌吉市延安北路8号", "652301", "026"),
    ("巴特尔", "男", "1988-07-01", "内蒙古自治区呼和浩特市新城区中山东路3号", "150102", "011"),
    ("刘洋", "男", "2001-10-10", "重庆市万州区高笋塘1号", "500101", "331"),
    ("陈静", "女", "1995-05-05", "广东省深圳市南山区科技园", "440305", "108"),
]


@pytest.mark.parametrize(("name", "sex", "born", "address", "area", "seq"), VALID_PEOPLE)
def test_valid_person_has_no_finding(front, make_id, ctx, name, sex, born, address, area, seq):
    doc = front(name=name, sex=sex, birth_date=born, address=address,
                id_number=make_id(area, born.replace("-", ""), seq))
    assert validate(doc, ctx).findings == []
    assert doc.status == Status.ACCEPTED


def test_check_digit_x_is_valid(front, make_id, ctx):
    number = next(n for seq in (f"{i:03d}" for i in range(1, 200, 2))
                  if (n := make_id("110101", "19900315", seq)).endswith("X"))
    assert errors(front(id_number=number), ctx) == []


def test_number_given_after_birth_year_is_a_warning_not_an_error(front, make_id, ctx):
    # 430105 is 开福区 from 1996 (北区 1983-1995); a person born 1960 got it at a later registration
    doc = front(sex="女", birth_date="1960-02-29", address="湖南省长沙市开福区湘江中路",
                id_number=make_id("430105", "19600229", "020"))
    assert found(doc, ctx) == {("id_number_area_code", "warning")}
    assert doc.status == Status.ACCEPTED


# ---- repairs


@pytest.mark.parametrize("misread", ["11O1O1199OO315l233", "11o1D1199Q0315I233", "l|0l0l199003151233",
                                     "ll0l0ll99003l5l233", "110101 19900315 1233",
                                     "１１０１０１１９９００３１５１２３３"])
def test_ocr_confusions_are_repaired_when_the_check_digit_then_passes(front, ctx, misread):
    assert front().value("id_number") == "110101199003151233"
    doc = validate(front(id_number=misread), ctx)
    f = doc.fields["id_number"]
    assert (f.value, f.raw, f.source) == ("110101199003151233", misread, Source.DERIVED)
    assert f.note and "OCR" in f.note
    assert [(x.rule, x.severity) for x in doc.findings] == [("id_number_ocr_confusions", Severity.WARNING)]
    assert doc.status == Status.ACCEPTED


def test_each_confusion_letter(front, make_id, ctx):
    for wrong, digit in {"Z": "2", "S": "5", "B": "8", "G": "6", "D": "0", "Q": "0", "|": "1", "L": "1"}.items():
        number = make_id("110101", "19900315", f"1{digit}3")
        doc = validate(front(id_number=number[:15] + wrong + number[16:]), ctx)
        assert doc.value("id_number") == number, wrong


def test_lower_case_x_is_repaired(front, make_id, ctx):
    number = next(n for seq in (f"{i:03d}" for i in range(1, 200, 2))
                  if (n := make_id("110101", "19900315", seq)).endswith("X"))
    doc = validate(front(id_number=number[:-1] + "x"), ctx)
    assert doc.value("id_number") == number and errors(doc, ctx) == []


def test_no_repair_when_the_check_digit_still_fails(front, ctx):
    doc = validate(front(id_number="11O101199003151230"), ctx)  # 0 is not the check digit
    assert doc.value("id_number") == "11O101199003151230"
    assert doc.fields["id_number"].source == Source.OCR
    assert "id_number_ocr_confusions" not in {f.rule for f in doc.findings}
    assert "id_number_format" in errors(doc, ctx)


def test_no_repair_of_a_good_number(front, ctx):
    doc = validate(front(), ctx)
    assert doc.fields["id_number"].source == Source.OCR and doc.findings == []


@pytest.mark.parametrize("printed", [None, "", "1990年3月", "1990-02-30"])
def test_birth_date_taken_from_the_number_when_printed_one_missing(front, drop, ctx, printed):
    doc = front(birth_date=printed)
    doc.fields["id_number"].bbox = (10, 20, 300, 40)
    validate(doc, ctx)
    f = doc.fields["birth_date"]
    assert (f.value, f.source, f.bbox) == ("1990-03-15", Source.DERIVED, (10, 20, 300, 40))
    assert f.raw == (printed or None) and f.note
    # filled in for the reviewer, but the printed date was never compared with the number: not checked
    assert [(x.rule, x.severity.value) for x in doc.findings] == [("birth_date_from_id_number", "warning"),
                                                                 ("birth_date_matches_id_number", "error")]
    assert doc.status == Status.NEEDS_REVIEW


def test_birth_date_taken_when_field_absent_is_not_checked(front, drop, ctx):
    doc = validate(front(birth_date=drop), ctx)
    [f] = [x for x in doc.findings if x.severity == Severity.ERROR]
    assert doc.value("birth_date") == "1990-03-15" and f.rule == "birth_date_matches_id_number"
    assert f.message.en.startswith("Not checked")


def test_a_forged_date_that_could_not_be_read_is_not_accepted(front, ctx):
    """The printed date (forged: not the number's) was set as real cards print it and not read; the repair may
    fill it from the number, but the card must not be accepted on the number's word."""
    doc = validate(front(birth_date="1986 年 2 月 12 日"), ctx)
    assert doc.status == Status.NEEDS_REVIEW and "birth_date_matches_id_number" in errors(doc, ctx)


@pytest.mark.parametrize(("field", "value"), [("address", "镇光荣村二组6号"), ("address", "长沙市开福区巡道街1号"),
                                              ("name", "张"), ("name", "曾宇."), ("name", "李1娜"),
                                              ("name", "·阿依古丽"), ("name", "韩悅"),
                                              ("address", "北京市东城区南池子.大街18号"),
                                              ("address", "北京市东城区东华门街道，南池子大街18号")])
def test_a_field_cut_short_is_never_accepted(front, ctx, field, value):
    doc = validate(front(**{field: value}), ctx)
    assert doc.status == Status.NEEDS_REVIEW
    assert [f.fields for f in doc.findings if f.rule == "front_fields_complete"] == [[field]]


@pytest.mark.parametrize("name", ["阿依古丽·买买提", "欧阳娜娜", "𠇔明", "韩悦"])
def test_names_as_cards_print_them(front, ctx, name):
    assert "front_fields_complete" not in errors(front(name=name), ctx)


@pytest.mark.parametrize("address", ["北京市东城区南池子大街18-2号", "北京市东城区南池子大街18.5号院",
                                     "北京市东城区南池子大街(东)18号"])
def test_addresses_as_cards_print_them(front, ctx, address):
    assert "front_fields_complete" not in errors(front(address=address), ctx)


def test_a_reviewer_may_confirm_a_short_value(front, ctx):
    doc = front()
    doc.fields["name"] = Field(value="张", confidence=1.0, source=Source.REVIEWER)
    assert "front_fields_complete" not in errors(doc, ctx)


def test_birth_date_not_taken_from_a_number_with_a_wrong_check_digit(front, drop, ctx):
    doc = validate(front(birth_date=drop, id_number="110101199003151230"), ctx)
    assert "birth_date" not in doc.fields
    assert set(errors(doc, ctx)) == {"id_number_checksum", "id_card_front_required_fields"}


# ---- required fields


def test_required_fields_missing_empty_or_unsure(front, drop, ctx):
    doc = front(name=drop, ethnicity="  ", sex="M")
    doc.fields["address"].confidence = 0.5
    [finding] = [f for f in validate(doc, ctx).findings if f.rule == "id_card_front_required_fields"]
    assert finding.severity == Severity.ERROR
    assert finding.fields == ["name", "sex", "ethnicity", "address"]
    assert "address" in finding.message.en and "住址" in finding.message.zh


def test_reviewer_values_count_as_confident(front, ctx):
    doc = front()
    doc.fields["address"] = Field(value="北京市东城区", confidence=0.1, source=Source.REVIEWER)
    assert errors(doc, ctx) == []


def test_min_confidence_comes_from_the_context(front, ctx):
    assert errors(front(confidence=0.985), ctx) == []  # at or above every field's threshold
    assert errors(front(confidence=0.985), RuleContext(today=ctx.today, min_confidence=0.99)) == [
        "id_card_front_required_fields"]


# ---- the number


@pytest.mark.parametrize("number", ["11010119900315123", "1101011990031512355", "11010119900315123A", "I3O5"])
def test_id_number_format(front, ctx, number):
    assert errors(front(id_number=number), ctx) == ["id_number_format"]


def test_id_number_checksum(front, ctx):
    assert errors(front(id_number="110101199003151230"), ctx) == ["id_number_checksum"]


def test_id_number_impossible_birth_date(front, make_id, drop, ctx):
    assert set(errors(front(birth_date=drop, id_number=make_id(born="19900230")), ctx)) == {
        "id_number_birth_date", "id_card_front_required_fields"}


def test_id_number_birth_date_in_the_future(front, make_id, ctx):
    number = make_id(born="20300101")
    assert "id_number_birth_date" in errors(front(birth_date="2030-01-01", id_number=number), ctx)


@pytest.mark.parametrize(("area", "born"), [("990101", "19900315"), ("430512", "19890813"), ("513701", "20050101")])
def test_id_number_area_code_unknown_or_retired_before_birth(front, make_id, ctx, area, born):
    doc = front(birth_date=f"{born[:4]}-{born[4:6]}-{born[6:]}", id_number=make_id(area, born))
    assert "id_number_area_code" in errors(doc, ctx)


def test_birth_date_mismatch(front, ctx):
    assert errors(front(birth_date="1990-03-16"), ctx) == ["birth_date_matches_id_number"]


@pytest.mark.parametrize(("sex", "seq"), [("男", "124"), ("女", "123")])
def test_sex_mismatch(front, make_id, ctx, sex, seq):
    assert errors(front(sex=sex, id_number=make_id(seq=seq)), ctx) == ["sex_matches_id_number"]


# ---- address


def test_address_in_another_province_is_a_warning(front, ctx):
    doc = front(address="上海市黄浦区南京东路1号")
    assert found(doc, ctx) == {("address_matches_area_code", "warning")}
    assert doc.status == Status.ACCEPTED


def test_address_in_another_prefecture_is_a_warning_naming_the_likely_code(front, make_id, ctx):
    doc = front(address="四川省成都市武侯区益州大道中段722号", id_number=make_id("513401"))
    [finding] = validate(doc, ctx).findings
    assert finding.rule == "address_matches_area_code" and "510107" in finding.message.en
    assert finding.fields == ["address", "id_number"]


def test_no_address_warning_when_address_missing(front, drop, ctx):
    assert found(front(address=drop), ctx) == {("id_card_front_required_fields", "error")}


def test_an_address_naming_a_county_that_never_was_is_held_for_a_person() -> None:
    """A character misread in the county (濉 → 滩) makes a place no register has had: review, not accept."""
    from extractors.models import ExtractedDocument, Field, Source
    from validators import validate
    from validators.base import RuleContext

    def front(address: str, source: Source = Source.OCR) -> ExtractedDocument:
        values = {"name": "张丽", "sex": "女", "ethnicity": "汉", "birth_date": "1986-02-12", "address": address,
                  "id_number": "340621198602126344"}
        return ExtractedDocument(doc_type="id_card_front", fields={
            k: Field(value=v, confidence=0.999, source=source if k == "address" else Source.OCR)
            for k, v in values.items()})

    misread = validate(front("安徽省淮北市滩溪县东风路600号"), RuleContext())
    assert [f.fields for f in misread.findings if f.rule == "address_place_known"] == [["address"]]
    assert "滩溪县" in next(f.message.zh for f in misread.findings if f.rule == "address_place_known")
    for fine in ("安徽省淮北市濉溪县东风路600号", "北京市朝阳区建国路88号", "江苏省苏州市工业园区星湖街328号"):
        assert not [f for f in validate(front(fine), RuleContext()).findings if f.rule == "address_place_known"]
    typed = validate(front("安徽省淮北市滩溪县东风路600号", Source.REVIEWER), RuleContext())
    assert not [f for f in typed.findings if f.rule == "address_place_known"]
