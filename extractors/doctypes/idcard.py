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
from collections.abc import Mapping, Sequence
from typing import ClassVar

import numpy as np
from stdnum.cn import ric

from extractors.doctypes.base import DocTypeExtractor, FieldSpec, Kind
from extractors.models import BBox, ExtractedDocument, Field, FieldValue, Source, TextLine, overlaps
from extractors.text import Joined, compact, parse_date, reading_order, union

ETHNIC_GROUPS = frozenset(
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺".split())
"""The 56 officially recognised ethnic groups, as the card prints them (without 族)."""
_TRADITIONAL = str.maketrans(
    "漢維爾鮮滿東納頗達錫烏羅溫獨龍倫門諾壯薩"
    "黃東陽廣縣區鎮鄉號門龍華國興長嶺灣寧陝貴遼蘇滬湯漢張劉陳楊趙吳馬孫鄭謝韓鄧馮蔣蕭葉許錢譚陸賈龔萬鄒賀顧韋雲臺魯晉贛閩粵瓊"
    "蘭烏齊濟濱峽橋莊園樓單層棟組營廠場礦溝壩灘島陰關開際隊體衛豐慶電鐵鋼銀錦綉繡紅綠藍鳳鶴鵬麗爾鮮滿維納頗達錫羅溫獨倫諾壯薩"
    "學書寶聖義廟橫瀋遷濰淶滄澤撫盤鐘鍾隴隨漣鹽揚蕪銅饒萊煙鄖荊懷婁湞詔賓貢欽鄰瀘綿閬資涼畢銘蒼臨鹹魚麥億條劍龐遲嚴勝歲總務辦"
    "處會計設發機歸幹傑軍濤輝飛鳴彥艷靜瑩嬌婭穎夢曉鈴蓮韻詩雙偉強鴻帥碩樂",
    "汉维尔鲜满东纳颇达锡乌罗温独龙伦门诺壮萨"
    "黄东阳广县区镇乡号门龙华国兴长岭湾宁陕贵辽苏沪汤汉张刘陈杨赵吴马孙郑谢韩邓冯蒋萧叶许钱谭陆贾龚万邹贺顾韦云台鲁晋赣闽粤琼"
    "兰乌齐济滨峡桥庄园楼单层栋组营厂场矿沟坝滩岛阴关开际队体卫丰庆电铁钢银锦绣绣红绿蓝凤鹤鹏丽尔鲜满维纳颇达锡罗温独伦诺壮萨"
    "学书宝圣义庙横沈迁潍涞沧泽抚盘钟钟陇随涟盐扬芜铜饶莱烟郧荆怀娄浈诏宾贡钦邻泸绵阆资凉毕铭苍临咸鱼麦亿条剑庞迟严胜岁总务办"
    "处会计设发机归干杰军涛辉飞鸣彦艳静莹娇娅颖梦晓铃莲韵诗双伟强鸿帅硕乐")
"""Traditional forms the recogniser's dictionary also holds (and reads now and then: 黃冈 for 黄冈) of characters
common in names, places, ethnic groups and issuers; cards print simplified characters only."""


def simplified(raw: str) -> str:
    """``raw`` with the traditional forms of :data:`_TRADITIONAL` made simplified.

    >>> simplified("湖北省黃冈市羅田縣")
    '湖北省黄冈市罗田县'
    """
    return raw.translate(_TRADITIONAL)


def ethnicity(raw: str) -> str:
    """The printed ethnic group, normalised: simplified characters, no trailing 族.

    >>> ethnicity("漢"), ethnicity("维吾尔族")
    ('汉', '维吾尔')
    """
    value = raw.strip().translate(_TRADITIONAL)
    return value[:-1] if value.endswith("族") and value[:-1] in ETHNIC_GROUPS else value


_ID_CHARS = "0-9OoIlDZSBXx"
_MARKS = r"[^\w]{0,2}"
"""Between a label and its value, or the parts of a date set wide: line breaks (pieces read as separate boxes)
and a stray mark the recogniser sees in the gap (``1951年9 月·25 日``)."""
_STRAY = r"[.·,:]?"
"""A mark the recogniser may see between two digits of a number printed wide (``4111212017.02187312``)."""
_NEXT_LABELS = "公民身份证?号码|公民[^\n]{1,3}号码|签发机关|有效期限|中华人民共和国|居民身份证"
"""What ends the address: the number's label (one of its characters misread too: ``公民易份号码``), or the back
side's text when both sides were read together."""


ROW_GAP = 2.5
"""Fragments of one printed row closer than this many line heights are one piece of text: a spaced name
(``张  三``) or a birth date set wide (``1986  年  2  月  12  日``) comes from the detector in pieces."""
GUTTER = 0.04
"""A vertical strip at least this share of the text's width that no line crosses parts two columns."""


def merge_row_fragments(lines: Sequence[TextLine], gap: float | None = ROW_GAP) -> list[TextLine]:
    """Lines in reading order, with the pieces of one printed row that lie close together joined into one
    (within ``gap`` line heights; ``None``: every piece of the row, however far apart or overlapping).

    >>> def line(t, x0, x1): return TextLine(text=t, confidence=0.9, bbox=(x0, 100, x1, 130))
    >>> [ln.text for ln in merge_row_fragments([line("姓名", 40, 100), line("张", 130, 160), line("三", 200, 230)])]
    ['姓名 张 三']
    >>> [ln.text for ln in merge_row_fragments([line("姓名张", 40, 160), line("签发机关", 600, 700)])]
    ['姓名张', '签发机关']
    """
    out: list[TextLine] = []
    for ln in reading_order(lines):
        if out:
            last = out[-1]
            height = max(1, min(last.bbox[3] - last.bbox[1], ln.bbox[3] - ln.bbox[1]))
            mid, last_mid = (ln.bbox[1] + ln.bbox[3]) / 2, (last.bbox[1] + last.bbox[3]) / 2
            same_row = abs(mid - last_mid) <= 0.5 * height and ln.page == last.page
            if same_row and (gap is None or 0 <= ln.bbox[0] - last.bbox[2] <= gap * height):
                out[-1] = last.model_copy(update={
                    "text": f"{last.text} {ln.text}", "confidence": min(last.confidence, ln.confidence),
                    "bbox": union([last.bbox, ln.bbox])})
                continue
        out.append(ln)
    return out


def _count(lines: Sequence[TextLine], keywords: Sequence[str]) -> int:
    text = "".join(compact(ln.text) for ln in lines)
    return sum(k in text for k in keywords)


def own_column(lines: Sequence[TextLine], mine: Sequence[str], theirs: Sequence[str]) -> list[TextLine]:
    """The lines of the column holding this side's labels, when a page shows the two sides side by side
    (an A4 copy read whole): a clear vertical gutter with this side's labels on one side of it and the other
    side's on the other. Otherwise all lines.

    >>> def line(t, x0, y): return TextLine(text=t, confidence=0.9, bbox=(x0, y, x0 + 200, y + 20))
    >>> page = [line("姓名张三", 50, 100), line("中华人民共和国", 700, 100), line("性别男民族汉", 50, 150),
    ...         line("居民身份证", 700, 150), line("住址北京市", 50, 200), line("签发机关北京市公安局", 700, 200)]
    >>> [ln.text for ln in own_column(page, IdCardFront.keywords, IdCardBack.keywords)]
    ['姓名张三', '性别男民族汉', '住址北京市']
    """
    if len(lines) < 4:
        return list(lines)
    x0, x1 = min(ln.bbox[0] for ln in lines), max(ln.bbox[2] for ln in lines)
    covered = np.zeros(max(1, x1 - x0), bool)
    for ln in lines:
        covered[ln.bbox[0] - x0:ln.bbox[2] - x0] = True
    best: tuple[int, int] | None = None
    start = None
    for i, c in enumerate([*covered.tolist(), True]):
        if not c and start is None:
            start = i
        elif c and start is not None:
            if i - start >= GUTTER * (x1 - x0) and (best is None or i - start > best[1] - best[0]):
                best = (start, i)
            start = None
    if best is None:
        return list(lines)
    cut = x0 + (best[0] + best[1]) / 2
    left = [ln for ln in lines if ln.bbox[2] <= cut]
    right = [ln for ln in lines if ln.bbox[0] >= cut]
    for here, there in ((left, right), (right, left)):
        if _count(here, mine) >= 2 and _count(there, theirs) >= 2 and _count(there, mine) == 0:
            return here
    return list(lines)


class _Span:
    """A stretch of :attr:`Joined.text` found without a pattern, passed where :func:`_field` takes a match."""

    def __init__(self, start: int, end: int, text: str) -> None:
        self._span, self._text = (start, end), text

    def span(self, group: int | str = 0) -> tuple[int, int]:
        return self._span

    def __getitem__(self, group: int | str) -> str:
        return self._text[self._span[0]:self._span[1]]


UNLABELLED_NAME_CONFIDENCE = 0.8
"""A name read by its row, its label lost, is at most this confident (under the name's acceptance threshold)."""
_DATE_ROW = re.compile(r"(?<!\d)(\d{4})[^\d\n]{0,3}?(\d{1,2})[^\d\n]{1,3}?(\d{1,2})(?!\d)")
"""A birth date on its row without its label: year, month and day with whatever was read between them."""
_LABEL_ONLY = re.compile(r".?[名别族生址]|公民身份.{0,2}")
"""A line holding nothing but a label, or what is left of one (``停址``): not part of its row's value."""
_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def _printed_rows(lines: Sequence[TextLine]) -> list[TextLine]:
    """The card's printed rows, top to bottom: the lines of a row joined however far apart."""
    return merge_row_fragments(lines, gap=None)


def _number_row(rows: Sequence[TextLine]) -> int | None:
    """The lowest row holding an ID number whose check digit is right and whose birth date is a date (the area
    code is the rules' business: python-stdnum knows only today's codes)."""
    for i in range(len(rows) - 1, -1, -1):
        for m in _NUMBER.finditer(compact(rows[i].text)):
            number = m[0].upper()
            try:
                if ric.calc_check_digit(number) == number[-1] and ric.get_birth_date(number):
                    return i
            except ValueError:  # stdnum's InvalidComponent: no such birth date
                continue
    return None


def _field(j: Joined, m: re.Match[str] | _Span, group: int | str, value: FieldValue, raw: str | None = None) -> Field:
    start, end = m.span(group)
    return Field(value=value, raw=raw if raw is not None else m[group], confidence=round(j.confidence(start, end), 4),
                 source=Source.OCR, page=j.page(), bbox=j.bbox(start, end))


SEX_CELL = 2.4
"""A lone 男 or 女 lies right of its 性别 label within this many label heights (and before the next print on the
row, 民族): a one-character value the text detector may miss where it found the label."""


def _sex_cell(lines: Sequence[TextLine]) -> BBox | None:
    """Where the sex is printed, beside a 性别 label read alone (its value not detected) — else None.

    >>> label = TextLine(text="性别", confidence=1.0, bbox=(60, 165, 146, 210))
    >>> _sex_cell([label, TextLine(text="民族汉", confidence=1.0, bbox=(265, 159, 422, 209))])
    (146, 165, 254, 210)
    >>> _sex_cell([label, TextLine(text="民族汉", confidence=1.0, bbox=(160, 159, 300, 209))]) is None
    True
    """
    label = next((ln for ln in lines if compact(ln.text) == "性别"), None)
    if label is None:
        return None
    _, y0, x1, y1 = label.bbox
    right = x1 + round(SEX_CELL * (y1 - y0))
    for ln in lines:  # the next print on the row ends the cell
        if ln is not label and ln.bbox[0] >= x1 and ln.bbox[1] < y1 and ln.bbox[3] > y0:
            right = min(right, ln.bbox[0])
    return (x1, y0, right, y1) if right - x1 >= (y1 - y0) // 2 else None


def _stored_cell(stored: object) -> BBox | None:
    """A box kept in a document's ``meta`` (a JSON list) as a box again."""
    if not isinstance(stored, list | tuple) or len(stored) != 4:
        return None
    x0, y0, x1, y1 = (int(v) for v in stored)
    return x0, y0, x1, y1


NOT_COMPARABLE = {"photocopy", "bw_copy", "screen_reshoot", "occluded"}
"""Capture risks under which a card's print is not compared field against field (the ``edited`` check)."""
COVERED_CONFIDENCE = 0.5
"""The confidence a field next to something over the card keeps at most: under every acceptance threshold."""


def distrust_covered(doc: ExtractedDocument) -> None:
    """A field in or beside (within its own line height) a region something covers (the ``occluded`` capture
    risk) was read in part at most — the rest of an address under a finger is simply not there to read — so its
    confidence is capped at :data:`COVERED_CONFIDENCE`, with a note, and a person confirms it.

    >>> doc = ExtractedDocument(doc_type="id_card_front", fields={
    ...     "name": Field(value="张三", confidence=0.99, bbox=(175, 98, 278, 150)),
    ...     "address": Field(value="四川省成都市", confidence=0.99, bbox=(158, 349, 631, 397))},
    ...     meta={"capture_risks": [{"code": "occluded", "region": [15, 398, 352, 558]}]})
    >>> distrust_covered(doc)
    >>> doc.fields["name"].confidence, doc.fields["address"].confidence, doc.fields["address"].note is not None
    (0.99, 0.5, True)
    """
    regions = [r["region"] for r in doc.meta.get("capture_risks", [])
               if isinstance(r, dict) and r.get("code") == "occluded" and r.get("region")]
    covered = [name for name, f in doc.fields.items() if f.bbox is not None and any(
        overlaps(f.bbox, (x0 - (reach := f.bbox[3] - f.bbox[1]), y0 - reach, x1 + reach, y1 + reach))
        for x0, y0, x1, y1 in regions)]
    _cap(doc, covered, COVERED_CONFIDENCE, "next to something covering the card: part of it may be hidden")


def _cap(doc: ExtractedDocument, names: Sequence[str], confidence: float, note: str) -> None:
    """The fields ``names`` of ``doc`` (those it has) keep at most ``confidence``, with ``note``."""
    for name in names:
        f = doc.fields.get(name)
        if f is not None and f.confidence > confidence:
            doc.fields[name] = f.model_copy(update={"confidence": confidence, "note": note})


BILEVEL_CONFIDENCE = 0.5
"""The most a validity date read off a 1-bit black-and-white scan keeps (:func:`distrust_bilevel`)."""


def distrust_bilevel(doc: ExtractedDocument) -> None:
    """On a 1-bit black-and-white scan (the ``bw_copy`` risk's ``bilevel``) digits lose strokes — a 4 whose bar
    dropped out is read as 1 with a confident recogniser, in both dates alike — and nothing on the card confirms
    the validity dates (the birth date has the ID number, the number its check digit): their confidence is capped
    at :data:`BILEVEL_CONFIDENCE`, with a note, and a person confirms them.

    >>> doc = ExtractedDocument(doc_type="id_card_back", fields={
    ...     "valid_from": Field(value="2023-01-15", confidence=0.98),
    ...     "issuer": Field(value="孝感市公安局", confidence=0.99)},
    ...     meta={"capture_risks": [{"code": "bw_copy", "evidence": {"bilevel": True}}]})
    >>> distrust_bilevel(doc)
    >>> doc.fields["valid_from"].confidence, doc.fields["issuer"].confidence
    (0.5, 0.99)
    """
    if not any(isinstance(r, dict) and r.get("code") == "bw_copy" and (r.get("evidence") or {}).get("bilevel")
               for r in doc.meta.get("capture_risks", [])):
        return
    _cap(doc, [n for n in ("valid_from", "valid_until") if doc.value(n) is not None], BILEVEL_CONFIDENCE,
         "a black-and-white (1-bit) scan loses strokes of digits; nothing on the card confirms it")


class IdCardFront(DocTypeExtractor):
    doc_type = "id_card_front"
    label = ("身份证人像面", "ID card front")
    fields = (
        FieldSpec("name", Kind.TEXT, "姓名", "Name", personal=True, required=True, applicant="name"),
        FieldSpec("sex", Kind.TEXT, "性别", "Sex", personal=True, required=True, choices=("男", "女")),
        FieldSpec("ethnicity", Kind.TEXT, "民族", "Ethnicity", personal=True, required=True),
        FieldSpec("birth_date", Kind.DATE, "出生日期", "Date of birth", personal=True, required=True),
        FieldSpec("address", Kind.TEXT, "住址", "Address", personal=True, required=True),
        FieldSpec("id_number", Kind.ID_NUMBER, "公民身份号码", "ID number", personal=True, required=True,
                  applicant="id_number"),
    )
    keywords = ("姓名", "性别", "民族", "出生", "住址", "公民身份号码")
    card = True

    PATTERNS: ClassVar[dict[str, re.Pattern[str]]] = {
        "name": re.compile(r"姓名\n?[^\w\n]*([^\n]{1,15}?)(?=\n|性别|$)"),
        "sex": re.compile(rf"性别{_MARKS}([男女])"),
        "ethnicity": re.compile(rf"民族{_MARKS}([^\n出]{{1,8}}?)(?=\n|出生|$)"),
        "birth_date": re.compile(rf"出生{_MARKS}(\d{{4}}{_MARKS}年{_MARKS}\d{{1,2}}{_MARKS}月{_MARKS}\d{{1,2}}"
                                 rf"(?:{_MARKS}日)?)"),
        "address": re.compile(rf"住址\n?(.+?)(?=\n?(?:{_NEXT_LABELS})|\n?[{_ID_CHARS}]{{15,}}|$)", re.S),
        "id_number": re.compile(rf"(?<![0-9A-Za-z])((?:[{_ID_CHARS[:3]}OoIlDZSB]{_STRAY}){{17}}[{_ID_CHARS}])"
                                rf"(?![0-9A-Za-z])"),
    }

    @staticmethod
    def look(doc: ExtractedDocument, images: Mapping[int, np.ndarray]) -> None:
        """Fields next to something over the card are distrusted (:func:`distrust_covered`); a name printed at
        another height or in another ink than the card's other values is the ``edited`` capture risk
        (:func:`extractors.imaging.capture.edited_name`) — compared on a colour photo of the card itself only: a
        copy's toner, a screen's moiré or a finger make the print measures another card's."""
        from extractors.imaging import capture  # the API process reads declarations only: no OpenCV there

        distrust_covered(doc)
        image = images.get(doc.page)
        if {r.get("code") for r in doc.meta.get("capture_risks", [])} & NOT_COMPARABLE:
            return
        boxes = {k: f.bbox for k, f in doc.fields.items() if f.bbox is not None and f.source == Source.OCR}
        if len(str(doc.value("name") or "")) < 2:  # a name read as one character: its box holds part of its print
            boxes.pop("name", None)
        if image is None or image.ndim != 3:
            return
        if (evidence := capture.edited_name(image, boxes)) is not None:
            doc.meta.setdefault("capture_risks", []).append(
                {"code": "edited", "confidence": 0.8, "evidence": evidence, "region": evidence["box"]})

    def extract(self, lines: Sequence[TextLine], page: int = 1) -> ExtractedDocument:
        j = Joined(merge_row_fragments(own_column(lines, self.keywords, IdCardBack.keywords)))
        fields: dict[str, Field] = {}
        for name, pattern in self.PATTERNS.items():
            matches = list(pattern.finditer(j.text))
            if not matches:
                continue
            m = matches[-1] if name == "id_number" else matches[0]
            raw = m[1]
            if name == "birth_date":
                raw = re.sub(r"[^\w]", "", raw)
                fields[name] = _field(j, m, 1, parse_date(raw), raw)
            elif name == "address":
                fields[name] = _field(j, m, 1, simplified(raw.replace("\n", "")), raw.replace("\n", ""))
            elif name == "id_number":
                fields[name] = _field(j, m, 1, re.sub(_STRAY, "", raw).upper())
            elif name == "ethnicity":
                fields[name] = _field(j, m, 1, ethnicity(raw))
            elif name == "name":
                fields[name] = _field(j, m, 1, simplified(raw.strip()), raw)
            else:
                fields[name] = _field(j, m, 1, raw.strip())
        if "id_number" in fields and len(fields) < len(self.PATTERNS):
            self._by_rows(own_column(lines, self.keywords, IdCardBack.keywords), fields)
        doc = ExtractedDocument(doc_type=self.doc_type, page=page, fields=fields)
        if "sex" not in fields and (cell := _sex_cell(lines)) is not None:
            doc.meta["sex_cell"] = list(cell)
        return doc

    @staticmethod
    def doubted(doc: ExtractedDocument) -> list[tuple[str, Field]]:
        """The sex, where the text detector found its label but not the lone 男 or 女 beside it
        (:func:`_sex_cell`): read again there."""
        if "sex" in doc.fields or (cell := _stored_cell(doc.meta.get("sex_cell"))) is None:
            return []
        return [("sex", Field(value=None, source=Source.OCR, page=doc.page, bbox=cell))]

    @staticmethod
    def reread(doc: ExtractedDocument, readings: dict[str, tuple[str, float]]) -> None:
        """Take the sex read in its cell when the cell holds 男 or 女 alone (the label's characters, caught by
        the crop's margin, aside). The ID number's sex digit checks it (``sex_matches_id_number``)."""
        cell = _stored_cell(doc.meta.pop("sex_cell", None))
        if "sex" not in readings or cell is None:
            return
        text, confidence = readings["sex"]
        value = re.sub("[性别]", "", compact(text))
        if value in ("男", "女"):
            doc.fields["sex"] = Field(value=value, raw=text, confidence=round(confidence, 4), source=Source.OCR,
                                      page=doc.page, bbox=cell)

    @classmethod
    def unlabelled(cls, lines: Sequence[TextLine]) -> bool:
        """Whether ``lines`` (one card region) are a front whose labels did not survive the capture: a number
        with a valid check digit under at least three rows, a date among them."""
        rows = _printed_rows(lines)
        at = _number_row(rows)
        return at is not None and at >= 3 and any(_DATE_ROW.search(r.text) for r in rows[:at])

    def _by_rows(self, lines: Sequence[TextLine], fields: dict[str, Field]) -> None:
        """Fill the fields whose labels were not read from the rows the card prints them on.

        A black-and-white copy or scan loses the card's pale labels and keeps its black values. The rows above
        the number are then name, sex and ethnicity, birth date and address, in that order; the birth row is the
        one with a date, and the others are counted from it. Only missing fields are filled. What the number
        checks (birth date, sex), the list of groups (ethnicity) and the address's province check the rest; a
        name has no such check, so its confidence is capped at :data:`UNLABELLED_NAME_CONFIDENCE`: a person
        confirms it."""
        rows = _printed_rows([ln for ln in lines if not _LABEL_ONLY.fullmatch(compact(ln.text))])
        at = _number_row(rows)
        if at is None:
            return
        birth = next((i for i, r in enumerate(rows[:at]) if _DATE_ROW.search(r.text)), None)
        if birth is None or birth < 1:
            return
        j = Joined(rows)
        starts = [j.text.index(compact(r.text), sum(len(compact(x.text)) + 1 for x in rows[:i]))
                  for i, r in enumerate(rows)]

        def put(name: str, i: int, a: int, b: int, value: FieldValue, confidence: float | None = None) -> None:
            if name in fields or value in (None, ""):
                return
            f = _field(j, _Span(starts[i] + a, starts[i] + b, j.text), 0, value, compact(rows[i].text)[a:b])
            fields[name] = f if confidence is None else f.model_copy(update={"confidence": min(f.confidence,
                                                                                              confidence)})

        if m := _DATE_ROW.search(rows[birth].text):  # spaces kept: they may be all that parts month and day
            put("birth_date", birth, 0, len(compact(rows[birth].text)), parse_date(f"{m[1]}年{m[2]}月{m[3]}日"))
        sex_row = compact(rows[birth - 1].text)
        if m := re.search("[男女]", sex_row):
            put("sex", birth - 1, m.start(), m.end(), m[0])
            rest = sex_row[m.end():].removesuffix("族")
            group = max((g for g in ETHNIC_GROUPS if simplified(rest).endswith(g)), key=len, default=None)
            if group:
                put("ethnicity", birth - 1, len(sex_row) - len(group) - (sex_row.endswith("族") and 1),
                    len(sex_row) - (sex_row.endswith("族") and 1), group)
        if birth >= 2:
            name_row = compact(rows[birth - 2].text)
            name = re.sub(r"^(?:姓名|姓|名)", "", name_row)
            if re.fullmatch(r"[\u4e00-\u9fff·]{2,6}", name):
                put("name", birth - 2, len(name_row) - len(name), len(name_row), simplified(name),
                    UNLABELLED_NAME_CONFIDENCE)
        if birth + 1 < at:
            first = compact(rows[birth + 1].text)
            cut = m.end() if (m := re.match(r"^.{0,2}?址|^住", first)) else 0
            address = "".join(compact(r.text) for r in rows[birth + 1:at])[cut:]
            span = (cut, len(first))
            put("address", birth + 1, *span, simplified(address))
            if "address" in fields and at - birth > 2:  # the value runs on over the following rows
                f = fields["address"]
                boxes = [b for b in (f.bbox, *(r.bbox for r in rows[birth + 2:at])) if b is not None]
                fields["address"] = f.model_copy(update={
                    "raw": address, "bbox": union(boxes),
                    "confidence": min([f.confidence, *(r.confidence for r in rows[birth + 2:at])])})


class IdCardBack(DocTypeExtractor):
    doc_type = "id_card_back"
    label = ("身份证国徽面", "ID card back")
    fields = (
        FieldSpec("issuer", Kind.TEXT, "签发机关", "Issuing authority", required=True),
        FieldSpec("valid_from", Kind.DATE, "有效期起始日期", "Valid from", required=True),
        FieldSpec("valid_until", Kind.DATE, "有效期截止日期", "Valid until"),  # none on a long-term card
        FieldSpec("long_term", Kind.FLAG, "长期有效", "Long-term"),
    )
    keywords = ("中华人民共和国", "居民身份证", "签发机关", "有效期限")
    card = True

    @staticmethod
    def look(doc: ExtractedDocument, images: Mapping[int, np.ndarray]) -> None:
        """Fields next to something over the card are distrusted (:func:`distrust_covered`), and validity dates
        read off a 1-bit scan (:func:`distrust_bilevel`)."""
        distrust_covered(doc)
        distrust_bilevel(doc)

    ISSUER = re.compile(r"签发机关\n?([^\n]{2,30})")
    _DATE = r"\d{4}[.\-/年:·,]\d{1,2}[.\-/月:·,]\d{1,2}日?"  # a dot is now and then read as another mark
    VALIDITY = re.compile(rf"(?:有效期限|有效期)?\n?({_DATE})[-—–~至一]+\n?({_DATE}|长期)")
    TEMPORARY = re.compile(r"临\s*时\s*居\s*民\s*身\s*份\s*证")
    """The title of a temporary card (临时居民身份证): read as its own kind, valid three months."""

    def extract(self, lines: Sequence[TextLine], page: int = 1) -> ExtractedDocument:
        j = Joined(merge_row_fragments(own_column(lines, self.keywords, IdCardFront.keywords)))
        fields: dict[str, Field] = {}
        if m := self.ISSUER.search(j.text):
            fields["issuer"] = _field(j, m, 1, simplified(m[1].strip()), m[1])
        if m := self.VALIDITY.search(j.text):
            fields["valid_from"] = _field(j, m, 1, parse_date(re.sub("[:·,]", ".", m[1])))
            long_term = m[2] == "长期"
            fields["valid_until"] = _field(j, m, 2, None if long_term else parse_date(re.sub("[:·,]", ".", m[2])))
            fields["long_term"] = _field(j, m, 2, long_term)
        doc = ExtractedDocument(doc_type=self.doc_type, page=page, fields=fields)
        if m := self.TEMPORARY.search(j.text):
            doc.meta["card_kind"] = "temporary"
            doc.meta["capture_risks"] = [{"code": "temporary_card", "confidence": 0.95,
                                          "evidence": {"title": re.sub(r"\s", "", m[0])}}]
        return doc
