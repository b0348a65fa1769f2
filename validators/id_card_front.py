"""Rules and repairs for the front of the resident ID card (居民身份证, 人像面).

The printed fields must agree with the ID number, and the number must be one
that can exist: python-stdnum's :mod:`stdnum.cn.ric` checks its check digit,
birth date and area code (GB 11643-1999). Every problem is its own rule, so a
reviewer sees each one; none of them hides another.

>>> import datetime as dt
>>> from extractors.models import ExtractedDocument, Field
>>> from validators import validate
>>> from validators.base import RuleContext
>>> doc = ExtractedDocument(doc_type="id_card_front", fields={k: Field(value=v, confidence=0.99) for k, v in {
...     "name": "张三", "sex": "男", "ethnicity": "汉", "birth_date": "1995-07-17",
...     "address": "四川省成都市武侯区益州大道中段722号复城国际", "id_number": "513701199507176346"}.items()})
>>> sorted((f.rule, f.severity.value) for f in validate(doc, RuleContext(today=dt.date(2026, 11, 21))).findings)
[('address_matches_area_code', 'warning'), ('sex_matches_id_number', 'error')]
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from opencc import OpenCC

from extractors.doctypes.idcard import ETHNIC_GROUPS
from extractors.models import ExtractedDocument, Finding, Source
from validators import _areacode, _idnumber
from validators._values import STRAY_MARKS, iso_date, required_fields, text
from validators.base import RuleContext, error, repair, rule, warning

DOC = "id_card_front"
_ONE_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ebef]"
_HAN = rf"{_ONE_HAN}+"
NAME = re.compile(rf"{_HAN}(?:·{_HAN})*")
"""A name as a card prints it: Chinese characters, the parts of a transcribed name joined by a middle dot."""
_TO_SIMPLIFIED = OpenCC("t2s")
"""OpenCC's traditional-to-simplified tables. A card prints a name in simplified characters; the recogniser's
dictionary also holds the traditional forms and reads one now and then (``韩悅`` for 韩悦, at confidence 0.9)."""
ADDRESS_STRAY = re.compile(rf"(?<={_ONE_HAN})[{re.escape(STRAY_MARKS)}、!?！？](?={_ONE_HAN})")
"""A mark between two Chinese characters of an address (``昌吉回.族自治州``): a card prints none there — the
recogniser sees one in a gap or a speck now and then."""


@repair(DOC)
def id_number_ocr_confusions(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """Undo OCR confusions in the ID number (O→0, I→1, Z→2, S→5, B→8, G→6, full-width digits, spaces, x→X).

    Only when the result then has a right check digit; otherwise the value is
    left as read, and the number rules report it.
    """
    f = doc.fields.get("id_number")
    if f is None or not isinstance(f.value, str):
        return
    fixed, changes = _idnumber.ocr_fix(f.value)
    if fixed == f.value or _idnumber.valid(fixed) is None:
        return
    done, done_zh = ", ".join(en for en, _ in changes), "、".join(zh for _, zh in changes)
    doc.fields["id_number"] = f.model_copy(update={
        "value": fixed, "raw": f.raw if isinstance(f.raw, str) else f.value, "source": Source.DERIVED,
        "note": f"OCR confusions corrected ({done}); the corrected number has a right check digit"})
    yield warning("id_number_ocr_confusions", ["id_number"],
                  en=f"The ID number was corrected for OCR confusions ({done}); "
                     "the corrected number has a right check digit.",
                  zh=f"身份证号码已按常见识别混淆更正（{done_zh}），更正后校验位正确。")


@repair(DOC)
def birth_date_from_id_number(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """Take the birth date from the ID number when the printed one is missing or unreadable.

    Only from a number whose check digit is right; the new field keeps the
    number's confidence, page and box, and the printed reading in ``raw``.
    """
    f = doc.fields.get("birth_date")
    if f is not None and iso_date(f.value) is not None:
        return
    idf = doc.fields.get("id_number")
    number = _idnumber.valid(idf.value) if idf is not None else None
    born = _idnumber.birth_date(number)
    if idf is None or born is None:
        return
    raw = None if f is None else next((r for r in (f.raw, f.value) if isinstance(r, str) and r.strip()), None)
    doc.fields["birth_date"] = idf.model_copy(update={
        "value": born.isoformat(), "raw": raw, "source": Source.DERIVED,
        "note": "printed birth date missing or unreadable; taken from digits 7-14 of the ID number"})
    yield warning("birth_date_from_id_number", ["birth_date", "id_number"],
                  en="The printed birth date was missing or unreadable; it was taken from the ID number.",
                  zh="出生日期缺失或无法识别，已按身份证号码补全。")


@rule(DOC)
def id_card_front_required_fields(doc: ExtractedDocument, ctx: RuleContext) -> list[Finding]:
    """Name, sex (男/女), ethnicity, birth date (ISO), address and ID number are present and confident."""
    return required_fields("id_card_front_required_fields", doc, ctx)


@rule(DOC)
def id_number_format(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The ID number is 18 characters: 17 digits and a digit or X (a missing one is the required-fields rule's)."""
    value = doc.value("id_number")
    if value is None or (isinstance(value, str) and not value.strip()) or _idnumber.structured(value):
        return
    length = len(value) if isinstance(value, str) else None
    if length is not None and length != 18:
        en, zh = f"has {length} characters, not 18", f"为 {length} 位，应为 18 位"
    else:
        en, zh = "is not 17 digits followed by a digit or X", "不是 17 位数字加一位数字或 X"
    yield error("id_number_format", ["id_number"], en=f"The ID number {en}.", zh=f"身份证号码{zh}。")


@rule(DOC)
def id_number_checksum(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The check digit (18th character) of the ID number is right (stdnum.cn.ric)."""
    number = _idnumber.structured(doc.value("id_number"))
    if number is not None and not _idnumber.checksum_ok(number):
        yield error("id_number_checksum", ["id_number"],
                    en="The check digit of the ID number is wrong: the number is misread or not a real one.",
                    zh="身份证号码校验位错误：号码识别有误或并非真实号码。")


@rule(DOC)
def id_number_birth_date(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """Digits 7-14 of the ID number are a real date, not after ``ctx.today``."""
    number = _idnumber.structured(doc.value("id_number"))
    if number is None:
        return
    born = _idnumber.birth_date(number)
    if born is None:
        yield error("id_number_birth_date", ["id_number"],
                    en="The birth date inside the ID number (digits 7-14) is not a real date.",
                    zh="身份证号码中的出生日期（第 7-14 位）不是有效日期。")
    elif born > ctx.today:
        yield error("id_number_birth_date", ["id_number"],
                    en="The birth date inside the ID number is in the future.",
                    zh="身份证号码中的出生日期晚于今天。")


@rule(DOC)
def id_number_area_code(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The area code (digits 1-6) is known to stdnum and in use in the birth year.

    stdnum says whether the code was in use in the birth year. When it was not,
    the year ranges decide the severity: a code unknown, or retired before the
    birth year, cannot be in a real number (error); a code that came into use
    only after the birth year can — numbers are given at registration, and
    older people were registered (or re-registered after a move) later — so
    that is a warning.
    """
    number = _idnumber.structured(doc.value("id_number"))
    if number is None or _idnumber.birth_place_ok(number):
        return
    code, born = number[:6], _idnumber.birth_date(number)
    area = _areacode.lookup(code)
    names = area.county if area is not None else ()
    if not names:
        yield error("id_number_area_code", ["id_number"],
                    en=f"The area code {code} of the ID number is not a known county code.",
                    zh=f"身份证号码的地址码 {code} 不是已知的县级行政区划代码。")
    elif born is None:
        return  # the date is the birth-date rule's; without a year there is nothing more to say
    elif all(n.end is not None and n.end < born.year for n in names):
        last = max(n.end for n in names if n.end is not None)
        yield error("id_number_area_code", ["id_number"],
                    en=f"The area code {code} was retired in {last}, before the birth year {born.year}.",
                    zh=f"地址码 {code} 已于 {last} 年撤销，早于出生年份 {born.year}。")
    else:
        first = min((n.start for n in names if n.start is not None and n.start > born.year), default=born.year)
        yield warning("id_number_area_code", ["id_number"],
                      en=f"The area code {code} came into use in {first}, after the birth year {born.year}: "
                         "possible if the number was given at a later registration.",
                      zh=f"地址码 {code} 自 {first} 年启用，晚于出生年份 {born.year}；若号码为后来登记时编配则属正常。")


@rule(DOC)
def birth_date_matches_id_number(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The printed birth date equals the one inside the ID number (read even when the check digit is wrong).

    A date the repair took from the number was not printed-and-read, so nothing was compared: that is
    reported as not checked (an error), never as a pass — a forged card whose printed date differs from its
    number must not be accepted because the printed date could not be read.
    """
    f = doc.fields.get("birth_date")
    if f is not None and f.source == Source.DERIVED:
        yield error("birth_date_matches_id_number", ["birth_date", "id_number"],
                    en="Not checked: the printed birth date could not be read, so it was not compared with the "
                       "ID number (the date shown was taken from the number).",
                    zh="未核对：证件上的出生日期无法识别，未能与身份证号码比对（所示日期取自号码）。")
        return
    printed = iso_date(doc.value("birth_date"))
    in_number = _idnumber.birth_date(doc.value("id_number"))
    if printed is not None and in_number is not None and printed != in_number:
        yield error("birth_date_matches_id_number", ["birth_date", "id_number"],
                    en=f"The printed birth date {printed} differs from the one in the ID number ({in_number}).",
                    zh=f"证件出生日期 {printed} 与身份证号码中的出生日期（{in_number}）不一致。")


@rule(DOC)
def sex_matches_id_number(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The printed sex agrees with the 17th digit of the ID number (odd: 男, even: 女)."""
    printed = doc.value("sex")
    in_number = _idnumber.sex(doc.value("id_number"))
    if printed in ("男", "女") and in_number is not None and printed != in_number:
        en_sex = {"男": "male", "女": "female"}
        yield error("sex_matches_id_number", ["sex", "id_number"],
                    en=f"The card says {en_sex[str(printed)]} but the 17th digit of the ID number says "
                       f"{en_sex[in_number]}.",
                    zh=f"证件性别为{printed}，但身份证号码第 17 位表示{in_number}。")


@rule(DOC)
def address_matches_area_code(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The address lies in the province and prefecture (or county) of the area code — a warning only.

    The area code is where the number was given, the address where the holder
    lives now; people move, so a mismatch is a reason to look, not to refuse.
    No finding when the address is missing or the province unknown.
    """
    address = text(doc.value("address"))
    value = doc.value("id_number")
    code = value[:6] if isinstance(value, str) else ""
    area = _areacode.lookup(code)
    if address is None or area is None:
        return
    if not _areacode.named_in([area.province], address):
        place = area.province
    elif _areacode.usable(area.prefecture) or _areacode.usable(area.county):
        if _areacode.named_in(area.prefecture, address) or _areacode.named_in(area.county, address):
            return
        named = [n for n in area.prefecture if _areacode.aliases(n.name)] or list(area.county)
        place = "/".join(dict.fromkeys(n.name for n in named))
    else:
        return
    likely = _areacode.codes_named_in(address)
    en_hint = f"; the address looks like area code {', '.join(likely)}" if likely else ""
    zh_hint = f"；住址对应的地址码似为 {'、'.join(likely)}" if likely else ""
    yield warning("address_matches_area_code", ["address", "id_number"],
                  en=f"The address is not in {place}, the place of area code {code}{en_hint}. "
                     "People move, so this alone is no reason to refuse.",
                  zh=f"住址不在地址码 {code} 所属的{place}{zh_hint}。户籍可能迁移，仅此不作为拒绝理由。")


@rule(DOC)
def address_place_known(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The county-level place the address names after its province and prefecture is one the national register
    has had (any year): a name it never had is a misread character — ``滩溪县`` for ``濉溪县`` — however
    confident the reading. A reviewer's value is taken as they typed it."""
    f = doc.fields.get("address")
    if f is None or f.source == Source.REVIEWER or (address := text(f.value)) is None:
        return
    if (place := _areacode.unknown_county(address)) is not None:
        yield error("address_place_known", ["address"],
                    en=f"The address names “{place}”, which is no county, district or city the national register "
                       "has ever had: a character was probably misread.",
                    zh=f"住址中的“{place}”不是行政区划中存在过的县、区或市，可能有字识别错误。")


@rule(DOC)
def front_fields_complete(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """A name has at least two characters and the address begins with a province or municipality: a shorter
    one was cut off, covered (glare, a finger) or misread, however confident its characters. Neither holds a
    mark a card does not print (:data:`NAME`, :data:`ADDRESS_STRAY`), and the name no traditional character
    (:data:`_TO_SIMPLIFIED`: nothing else checks a name). A reviewer's value is taken as they typed it."""
    name, address = doc.fields.get("name"), doc.fields.get("address")
    if name is not None and name.source != Source.REVIEWER and (v := text(name.value)):
        if len(v) < 2:
            yield error("front_fields_complete", ["name"],
                        en="The name read has one character: part of it is missing or misread.",
                        zh="识别出的姓名只有一个字，可能缺失或识别有误。")
        elif not NAME.fullmatch(v):
            yield error("front_fields_complete", ["name"],
                        en="The name read holds a character a card's name cannot (a mark, a letter or a digit): "
                           "it is misread.",
                        zh="识别出的姓名含有证件姓名中不会出现的字符（符号、字母或数字），可能识别有误。")
        elif traditional := [ch for ch in v if _TO_SIMPLIFIED.convert(ch) != ch]:
            yield error("front_fields_complete", ["name"],
                        en=f"The name read holds {len(traditional)} traditional character(s), where a card prints "
                           "simplified ones: it is misread.",
                        zh=f"识别出的姓名含有 {len(traditional)} 个繁体字，证件上印的是简化字，可能识别有误。")
    if address is None or address.source == Source.REVIEWER or not (v := text(address.value)):
        return
    if not _areacode.starts_with_province(v):
        yield error("front_fields_complete", ["address"],
                    en="The address read does not begin with a province or municipality: its beginning may be "
                       "cut off, covered or misread.",
                    zh="识别出的住址不以省、自治区或直辖市开头，开头部分可能被遮挡、截断或识别有误。")
    elif m := ADDRESS_STRAY.search(v):
        yield error("front_fields_complete", ["address"],
                    en=f"The address read holds a mark ('{m[0]}') between two of its characters, where a card prints "
                       "none: it is misread.",
                    zh=f"识别出的住址在两个字之间含有符号（“{m[0]}”），证件上不会印有，可能识别有误。")


@rule(DOC)
def ethnicity_known(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The ethnic group is one of the 56 the card can print (a misreading otherwise)."""
    value = text(doc.value("ethnicity"))
    if value and value not in ETHNIC_GROUPS:
        yield error("ethnicity_known", ["ethnicity"],
                    en="The ethnic group read from the card is not one of the 56 recognised groups.",
                    zh="识别出的民族不在 56 个民族之列，可能识别有误。")
