"""Chinese resident ID card (第二代居民身份证), front and back.

Both sides are read from the text lines of a flattened, upright card image.
Labels and values may come as one OCR line (``姓名张三``) or two; the patterns
run over all lines joined (:class:`extractors.text.Joined`), so either works.
Values are normalised (ISO dates, upper-case ID number, NFKC); what was read
stays in ``raw``. A field that cannot be found is left out — the rule library
reports it — never guessed.

>>> from extractors.models import TextLine
>>> def line(t, y): return TextLine(text=t, confidence=0.99, bbox=(80, y, 480, y + 30))
>>> doc = IdCardFront().extract([line("姓名张三", 100), line("性别男 民族汉", 170),
...     line("出生 1995 年 7 月 17 日", 240), line("住址 四川省成都市武侯区益州", 300),
...     line("大道中段722号", 345), line("公民身份号码 513701199507176346", 460)])
>>> {k: f.value for k, f in doc.fields.items()}  # doctest: +NORMALIZE_WHITESPACE
{'name': '张三', 'sex': '男', 'ethnicity': '汉', 'birth_date': '1995-07-17',
 'address': '四川省成都市武侯区益州大道中段722号', 'id_number': '513701199507176346'}
>>> back = IdCardBack().extract([line("签发机关 四川省成都市锦江分局", 970),
...                              line("有效期限 2010.01.01-长期", 1040)])
>>> back.value("valid_until"), back.value("long_term")
(None, True)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from extractors.doctypes.base import DocTypeExtractor
from extractors.models import ExtractedDocument, Field, FieldValue, Source, TextLine
from extractors.text import Joined, parse_date, reading_order

ETHNIC_GROUPS = frozenset(
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺".split())
"""The 56 officially recognised ethnic groups, as the card prints them (without 族)."""
_TRADITIONAL = str.maketrans("漢維爾鮮滿東納頗達錫烏羅溫獨龍倫門諾壯薩", "汉维尔鲜满东纳颇达锡乌罗温独龙伦门诺壮萨")
"""Traditional forms the recogniser's dictionary also holds, of characters in those names; cards print simplified."""


def ethnicity(raw: str) -> str:
    """The printed ethnic group, normalised: simplified characters, no trailing 族.

    >>> ethnicity("漢"), ethnicity("维吾尔族")
    ('汉', '维吾尔')
    """
    value = raw.strip().translate(_TRADITIONAL)
    return value[:-1] if value.endswith("族") and value[:-1] in ETHNIC_GROUPS else value


_ID_CHARS = "0-9OoIlDZSBXx"
_NEXT_LABELS = "公民身份证?号码|签发机关|有效期限|中华人民共和国|居民身份证"
"""What ends the address: the number's label, or the back side's text when both sides were read together."""


def _field(j: Joined, m: re.Match[str], group: int | str, value: FieldValue, raw: str | None = None) -> Field:
    start, end = m.span(group)
    return Field(value=value, raw=raw if raw is not None else m[group], confidence=round(j.confidence(start, end), 4),
                 source=Source.OCR, page=j.page(), bbox=j.bbox(start, end))


class IdCardFront(DocTypeExtractor):
    doc_type = "id_card_front"
    field_names = ("name", "sex", "ethnicity", "birth_date", "address", "id_number")
    keywords = ("姓名", "性别", "民族", "出生", "住址", "公民身份号码")
    card = True

    PATTERNS: ClassVar[dict[str, re.Pattern[str]]] = {
        "name": re.compile(r"姓名\n?([^\n]{1,15}?)(?=\n|性别|$)"),
        "sex": re.compile(r"性别\n?([男女])"),
        "ethnicity": re.compile(r"民族\n?([^\n出]{1,8}?)(?=\n|出生|$)"),
        "birth_date": re.compile(r"出生\n?(\d{4}年\d{1,2}月\d{1,2}日?)"),
        "address": re.compile(rf"住址\n?(.+?)(?=\n?(?:{_NEXT_LABELS})|\n?[{_ID_CHARS}]{{15,}}|$)", re.S),
        "id_number": re.compile(rf"(?<![0-9A-Za-z])([{_ID_CHARS[:3]}OoIlDZSB]{{17}}[{_ID_CHARS}])(?![0-9A-Za-z])"),
    }

    def extract(self, lines: Sequence[TextLine], page: int = 1) -> ExtractedDocument:
        j = Joined(reading_order(lines))
        fields: dict[str, Field] = {}
        for name, pattern in self.PATTERNS.items():
            matches = list(pattern.finditer(j.text))
            if not matches:
                continue
            m = matches[-1] if name == "id_number" else matches[0]
            raw = m[1]
            if name == "birth_date":
                fields[name] = _field(j, m, 1, parse_date(raw), raw)
            elif name == "address":
                fields[name] = _field(j, m, 1, raw.replace("\n", ""), raw.replace("\n", ""))
            elif name == "id_number":
                fields[name] = _field(j, m, 1, raw.upper())
            elif name == "ethnicity":
                fields[name] = _field(j, m, 1, ethnicity(raw))
            else:
                fields[name] = _field(j, m, 1, raw.strip())
        return ExtractedDocument(doc_type=self.doc_type, page=page, fields=fields)


class IdCardBack(DocTypeExtractor):
    doc_type = "id_card_back"
    field_names = ("issuer", "valid_from", "valid_until", "long_term")
    keywords = ("中华人民共和国", "居民身份证", "签发机关", "有效期限")
    card = True

    ISSUER = re.compile(r"签发机关\n?([^\n]{2,30})")
    _DATE = r"\d{4}[.\-/年]\d{1,2}[.\-/月]\d{1,2}日?"
    VALIDITY = re.compile(rf"(?:有效期限|有效期)?\n?({_DATE})[-—–~至一]+\n?({_DATE}|长期)")

    def extract(self, lines: Sequence[TextLine], page: int = 1) -> ExtractedDocument:
        j = Joined(reading_order(lines))
        fields: dict[str, Field] = {}
        if m := self.ISSUER.search(j.text):
            fields["issuer"] = _field(j, m, 1, m[1].strip())
        if m := self.VALIDITY.search(j.text):
            fields["valid_from"] = _field(j, m, 1, parse_date(m[1]))
            long_term = m[2] == "长期"
            fields["valid_until"] = _field(j, m, 2, None if long_term else parse_date(m[2]))
            fields["long_term"] = _field(j, m, 2, long_term)
        return ExtractedDocument(doc_type=self.doc_type, page=page, fields=fields)
