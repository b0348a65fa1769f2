"""Loan contracts (借款合同, 个人借款合同, 个人消费贷款合同): the terms, the parties, the seal and the signature.

A contract runs over pages, so the reader hands it all of them at once. Its
text is searched two ways: as lines (a label and its value in a table cell or
after a colon end at the line's end) and as one flat string (terms written in
sentences — ``借款金额为人民币（大写）伍万元整（小写：￥50,000.00）`` — wrap
anywhere). Labels vary between lenders; the synonyms are in the patterns.

Normalised values: amounts as decimal strings in yuan; ``principal_in_words``
holds the amount the words mean (the words as printed are its ``raw``);
``annual_rate`` is a decimal fraction (年利率 14.40% → ``0.144``, 月利率 1.2‰ →
``0.0144``, 日利率 万分之5 → ``0.18``; see :mod:`extractors.numbers`);
``term_months`` an integer; dates ISO; text fields as printed, with Chinese
(full-width) brackets and punctuation. A contract that states its rate more
than once (日利率 万分之5 and its 年化 18%, figures and words) keeps every
statement, in printed order, in ``tables["rate_statements"]`` (:func:`rate_statements`)
for :mod:`validators.loan_contract` to compare. ``has_seal`` and ``has_signature``
come from the page images (:meth:`LoanContract.look`, :mod:`extractors.imaging.marks`),
with the box of the seal or the ink.

>>> from extractors.models import TextLine
>>> def line(t, y): return TextLine(text=t, confidence=0.99, bbox=(60, y, 700, y + 20))
>>> doc = LoanContract().extract([line("个人借款合同", 40), line("合同编号：JK20260115-004512", 80),
...     line("贷款人（甲方）：中国建设银行股份有限公司成都高新支行", 110), line("借款人（乙方）：张三", 140),
...     line("身份证号码：513701199507176346", 170),
...     line("第一条 借款金额为人民币（大写）叁万零伍佰元伍角（小写：", 200), line("￥30,500.50）。", 230),
...     line("第二条 借款期限为12个月，自2026年1月15日起至2027年1月14日止。", 260),
...     line("第三条 本合同项下借款年利率为14.40%，按日计息。", 290),
...     line("第四条 借款人按等额本息方式偿还借款本息。", 320),
...     line("第五条 本合同项下借款用于个人消费（装修），不得挪作他用。", 350), line("签订日期：2026年1月10日", 380)])
>>> {k: f.value for k, f in doc.fields.items()}  # doctest: +NORMALIZE_WHITESPACE
{'contract_number': 'JK20260115-004512', 'lender': '中国建设银行股份有限公司成都高新支行', 'borrower': '张三',
 'borrower_id_number': '513701199507176346', 'principal': '30500.50', 'principal_in_words': '30500.50',
 'annual_rate': '0.144', 'term_months': 12, 'start_date': '2026-01-15', 'end_date': '2027-01-14',
 'repayment_method': '等额本息', 'purpose': '个人消费（装修）', 'signed_date': '2026-01-10'}
>>> doc.fields["principal_in_words"].raw, doc.fields["annual_rate"].raw
('叁万零伍佰元伍角', '年利率为14.40%')
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import cn2an
import numpy as np

from extractors.doctypes.base import DocTypeExtractor, FieldSpec, Kind, TableSpec
from extractors.models import BBox, ExtractedDocument, Field, FieldValue, Source, TextLine, overlaps
from extractors.numbers import RATE_PATTERNS, amount_in_words, find_rate, fraction_text
from extractors.statements.values import amount_text, parse_amount
from extractors.text import Joined, compact, parse_date, reading_order

_DATE = r"\d{4}[年.\-/]\d{1,2}[月.\-/]\d{1,2}日?"
_SEP = r"(?::\n?|\n)"
"""After a label: a colon (the value may start on the next line) or the end of a table cell."""
_WORDS_CHARS = "零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整正"
_MONEY = r"(?P<v>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)"

LINE_PATTERNS: dict[str, tuple[str, ...]] = {
    "contract_number": (r"合同(?:编号|号码|号)" + _SEP + r"([^\n:，。；;]{4,40})",),
    "lender": (r"(?:贷款人|出借人|贷款方|出借方|甲方)(?:\((?:甲方|贷款人|出借人)\))?" + _SEP + r"([^\n:]{2,40})",),
    "borrower": (r"(?:借款人|借款方|乙方)(?:\((?:乙方|借款人)\))?" + _SEP + r"([^\n:]{2,20})",),
    "borrower_id_number": (r"(?:公民身份号码|身份证件号码|身份证号码|身份证号|证件号码|证件号)" + _SEP
                           + r"([0-9]{17}[0-9Xx])(?![0-9])",),
    "purpose": (r"(?:借款|贷款)?用途(?:为)?" + _SEP + r"([^\n]{2,60})",),
    "repayment_method": (r"还款方式(?:为)?" + _SEP + r"(?:按|采用|为)?([^\n，。；;,]{2,20})",),
}
"""Values that end where their line (or cell) ends."""

FLAT_PATTERNS: dict[str, tuple[str, ...]] = {
    "principal": (r"小写\)?:?\)?(?:人民币|RMB|CNY)?¥?" + _MONEY,
                  r"(?:借款|贷款)(?:本金|金额)(?:为)?:?(?P<c>(?:人民币|RMB|CNY)?¥|人民币|RMB|CNY)?" + _MONEY
                  + r"(?(c)|元)"),
    "principal_in_words": (r"大写\)?:?\)?((?:人民币)?[" + _WORDS_CHARS + "]{2,30})",
                           r"(?:借款|贷款)(?:本金|金额)(?:为)?:?(人民币[" + _WORDS_CHARS + "]{2,30})"),
    "term_months": (r"(?:借款|贷款)?期限(?:为|:)*(?:共)?(\d{1,3})(?:个自然月|个月|期)",),
    "term_years": (r"(?:借款|贷款)?期限(?:为|:)*(?:共)?(\d{1,2})年",),
    "period": (rf"({_DATE})(?:起)?(?:至|到|~|—|－|-)({_DATE})",),
    "signed_date": (rf"(?:签订|签署|签约|签订|订立)(?:日期|时间)(?:为)?:?({_DATE})",
                    rf"于({_DATE})(?:在[^，。]{{0,30}})?(?:签订|签署|订立)"),
    "purpose_sentence": (r"(?:借款|贷款)(?:资金)?(?:仅)?用于([^，。；;,]{2,30})",),
    "used_for": (r"用于([^，。；;,]{2,30})",),
    "repayment_sentence": (r"(?:按(?:照)?|采用|采取)([^，。；;,按]{2,14}?)(?:的)?方式(?:偿还|还款|归还|还本付息)",),
}
"""Values inside sentences, matched on the text with line breaks removed."""

REPAYMENT_METHODS = ("等额本息", "等额本金", "按月付息到期还本", "按月付息、到期还本", "按月付息,到期还本",
                     "到期一次性还本付息", "一次性还本付息", "先息后本", "按季付息到期还本", "等本等息", "随借随还")
"""Named ways of repaying; the text after 还款方式 is matched against these first."""

_FULL_WIDTH = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，", ";": "；"})
_ROLE_SUFFIX = re.compile(r"\((?:以下简称|下称).*$|（(?:以下简称|下称).*$")


def zh_text(value: str) -> str:
    """A text value as Chinese print has it: full-width brackets and punctuation (the reading was NFKC'd).

    >>> zh_text("个人消费(装修)")
    '个人消费（装修）'
    """
    return value.translate(_FULL_WIDTH)


SIGN_WORDS = ("签字", "签名", "签章", "盖章", "签署")
BORROWER_WORDS = ("借款人", "乙方", "借款方")
LENDER_WORDS = ("贷款人", "出借人", "甲方", "贷款方", "出借方")
PRINTED = re.compile(r"签字|签名|签章|盖章|日期|甲方|乙方|借款人|贷款人|出借人|代表|身份证|证件|号码|地址|住所|电话|"
                     r"\d{4}\s*[年.\-/]|年.{0,3}月|\d{6,}|[:：]|\S{7,}")
"""What marks an OCR'd line near the signature as print (a label, a date, an ID number, a label with its colon, a
line longer than a signed name), not a reading of the handwriting — which the recogniser turns into anything,
``uX22`` say."""


class LoanContract(DocTypeExtractor):
    doc_type = "loan_contract"
    label = ("借款合同", "Loan contract")
    fields = (
        FieldSpec("contract_number", Kind.TEXT, "合同编号", "Contract number", required=True),
        FieldSpec("lender", Kind.TEXT, "贷款人", "Lender", required=True),
        FieldSpec("borrower", Kind.TEXT, "借款人", "Borrower", personal=True, required=True, applicant="name"),
        FieldSpec("borrower_id_number", Kind.ID_NUMBER, "借款人身份证号码", "Borrower's ID number", personal=True,
                  required=True, applicant="id_number"),
        FieldSpec("principal", Kind.MONEY, "借款金额", "Principal", required=True),
        FieldSpec("principal_in_words", Kind.MONEY_WORDS, "借款金额（大写）", "Principal in words", required=True),
        FieldSpec("annual_rate", Kind.RATE, "年利率", "Annual rate", required=True),
        FieldSpec("term_months", Kind.COUNT, "借款期限（月）", "Term (months)", required=True),
        FieldSpec("start_date", Kind.DATE, "起始日期", "Start date", required=True),
        FieldSpec("end_date", Kind.DATE, "到期日期", "End date", required=True),
        FieldSpec("repayment_method", Kind.TEXT, "还款方式", "Repayment method", required=True),
        FieldSpec("purpose", Kind.TEXT, "借款用途", "Purpose", required=True),
        FieldSpec("signed_date", Kind.DATE, "签订日期", "Signed on", required=True),
        FieldSpec("has_signature", Kind.FLAG, "借款人签字", "Borrower's signature"),
        FieldSpec("has_seal", Kind.FLAG, "贷款人印章", "Lender's seal"),
    )
    tables = (TableSpec("rate_statements", "利率表述", "Rate statements", (
        FieldSpec("basis", Kind.TEXT, "计息基准", "Basis"),
        FieldSpec("annual_rate", Kind.RATE, "折合年利率", "As an annual rate"),
        FieldSpec("rounding", Kind.RATE, "取整误差", "Rounding"),
    )),)
    keywords = ("借款", "合同", "借款人", "利率")
    multipage = True

    def extract(self, lines: Sequence[TextLine], page: int = 1) -> ExtractedDocument:
        return self.extract_pages([(page, lines)])

    def extract_pages(self, pages: Sequence[tuple[int, Sequence[TextLine]]],
                      meta: dict[str, Any] | None = None) -> ExtractedDocument:
        ordered = [ln.model_copy(update={"page": number}) for number, lines in pages for ln in reading_order(lines)]
        lined, flat = Joined(ordered), Joined(ordered, sep="")
        doc = ExtractedDocument(doc_type=self.doc_type, page=pages[0][0] if pages else 1,
                                pages=[p for p, _ in pages], meta=dict(meta or {}))
        fields: dict[str, Field] = {}

        def put(name: str, j: Joined, m: re.Match[str], group: int | str, value: FieldValue,
                raw: str | None = None) -> None:
            start, end = m.span(group)
            confidence = j.confidence(start, end)
            fields[name] = Field(value=value, raw=raw if raw is not None else m[group],
                                 confidence=round(confidence, 4),
                                 source=Source.PDF_TEXT if confidence == 1.0 else Source.OCR,
                                 page=j.page_at(start, end), bbox=j.bbox(start, end))

        for name in ("contract_number", "lender", "borrower", "borrower_id_number"):
            if m := _first(LINE_PATTERNS[name], lined.text):
                value = _ROLE_SUFFIX.sub("", m[1]).strip()
                put(name, lined, m, 1, value.upper() if name == "borrower_id_number" else zh_text(value))
        if m := _first(FLAT_PATTERNS["principal"], flat.text):
            amount = parse_amount(m["v"])
            put("principal", flat, m, "v", None if amount is None else amount_text(amount))
        if m := _first(FLAT_PATTERNS["principal_in_words"], flat.text):
            words = amount_in_words(m[1])
            put("principal_in_words", flat, m, 1, None if words is None else amount_text(words))
        if found := find_rate(flat.text):
            _, rate, m = found
            put("annual_rate", flat, m, 0, fraction_text(rate))
            stated = rate_statements(flat)
            if len(stated) > 1:
                doc.tables["rate_statements"] = stated
        if m := _first(FLAT_PATTERNS["term_months"], flat.text):
            put("term_months", flat, m, 1, int(m[1]))
        elif m := _first(FLAT_PATTERNS["term_years"], flat.text):
            put("term_months", flat, m, 1, int(m[1]) * 12)
        if m := _first(FLAT_PATTERNS["period"], flat.text):
            put("start_date", flat, m, 1, parse_date(m[1]))
            put("end_date", flat, m, 2, parse_date(m[2]))
        self._repayment(lined, flat, put)
        self._purpose(lined, flat, put)
        signed = [m for p in FLAT_PATTERNS["signed_date"] for m in re.finditer(p, flat.text)]
        if signed:
            m = max(signed, key=lambda m: m.start())  # the signature block's, after any clause that names a date
            put("signed_date", flat, m, 1, parse_date(m[1]))
        doc.fields = fields
        doc.meta["sign_here"] = _signature_areas(ordered, lined)
        return doc

    @staticmethod
    def _purpose(lined: Joined, flat: Joined, put: Any) -> None:
        """After the 用途 label: the value itself (a table cell, ``借款用途：购车``), or a sentence whose 用于 names
        it (``本合同项下借款用于装修，…``, read on the flat text, since it may wrap). Without the label, the first
        ``借款用于`` sentence. Never a prohibition (``不得用于…``) further on."""
        m = _first(LINE_PATTERNS["purpose"], lined.text)
        if m and "用于" not in m[1]:
            value = re.split(r"[，。；;,]", m[1])[0].strip()
            if len(value) >= 2:
                start = m.start(1)
                put("purpose", lined, re.compile(re.escape(value)).search(lined.text, start), 0, zh_text(value))
                return
        if m:
            at = m.start(1) + m[1].index("用于") - lined.text.count("\n", 0, m.start(1))  # the same place, flat
            if used := re.compile(FLAT_PATTERNS["used_for"][0]).match(flat.text, at):
                put("purpose", flat, used, 1, zh_text(used[1]))
                return
        if m := _first(FLAT_PATTERNS["purpose_sentence"], flat.text):
            put("purpose", flat, m, 1, zh_text(m[1]))

    @staticmethod
    def _repayment(lined: Joined, flat: Joined, put: Any) -> None:
        label = re.search(r"还款方式", flat.text)
        if label:
            window = flat.text[label.end():label.end() + 40]
            for method in REPAYMENT_METHODS:
                at = window.find(method)
                if at >= 0:
                    m = re.compile(re.escape(method)).search(flat.text, label.end() + at)
                    assert m is not None
                    put("repayment_method", flat, m, 0, zh_text(method))
                    return
        if m := _first(LINE_PATTERNS["repayment_method"], lined.text):
            put("repayment_method", lined, m, 1, zh_text(re.sub(r"方式$", "", m[1].strip())))
        elif m := _first(FLAT_PATTERNS["repayment_sentence"], flat.text):
            named = next((n for n in sorted(REPAYMENT_METHODS, key=len, reverse=True) if n in m[0]), None)
            if named is None:
                put("repayment_method", flat, m, 1, zh_text(m[1]))
            else:  # 应按按月付息到期还本的方式: the named method whole, its own 按 included
                whole = re.compile(re.escape(named)).search(flat.text, m.start())
                assert whole is not None
                put("repayment_method", flat, whole, 0, zh_text(named))

    @staticmethod
    def doubted(doc: ExtractedDocument) -> list[tuple[str, Field]]:
        """OCR'd money and rate fields worth a second reading: one that does not parse, a rate of 100 % a year
        or more (a lost decimal point), and both amounts when the words and the figures disagree."""
        wanted = []
        digits, words = doc.value("principal"), doc.value("principal_in_words")
        for name in ("principal", "principal_in_words", "annual_rate"):
            f = doc.fields.get(name)
            if f is None or f.source != Source.OCR or f.bbox is None:
                continue
            if (f.value is None or (name == "annual_rate" and Decimal(str(f.value)) >= 1)
                    or (name != "annual_rate" and digits is not None and words is not None and digits != words)):
                wanted.append((name, f))
        return wanted

    @staticmethod
    def reread(doc: ExtractedDocument, readings: dict[str, tuple[str, float]]) -> None:
        """Take a second reading where it parses (and a rate where it is below 100 % a year)."""
        for name, (text, confidence) in readings.items():
            flat = compact(text)
            value: FieldValue = None
            raw = None
            if name == "principal" and (m := re.search(_MONEY, flat)):
                amount = parse_amount(m["v"])
                value, raw = (None if amount is None else amount_text(amount)), m["v"]
            elif name == "principal_in_words" and (m := re.search(f"(?:人民币)?[{_WORDS_CHARS}]{{2,30}}", flat)):
                words = amount_in_words(m[0])
                value, raw = (None if words is None else amount_text(words)), m[0]
            elif name == "annual_rate" and (found := find_rate(flat)) and found[1] < 1:
                value, raw = fraction_text(found[1]), found[2][0]
            old = doc.fields[name]
            if value is None or value == old.value:
                continue
            update = {"value": value, "raw": raw, "confidence": round(confidence, 4),
                      "note": f"read again with the card recogniser; first reading {old.raw!r}"}
            doc.fields[name] = old.model_copy(update=update)
            for row in doc.tables.get("rate_statements", []) if name == "annual_rate" else []:
                if row["annual_rate"].bbox == old.bbox:  # the statement the rate was read from
                    row["annual_rate"] = row["annual_rate"].model_copy(update=update)

    @staticmethod
    def look(doc: ExtractedDocument, images: Mapping[int, np.ndarray]) -> None:
        """``has_seal``: a round or oval seal, red or not (found by its ring), on any page of the contract (the
        best one's box). ``has_signature``: ink round the borrower's 签字 label — over its line, beside it or below
        it, printed text and seals left out (the last such label: the signature block, not a clause that mentions
        signing)."""
        from extractors.imaging import marks  # OpenCV: only where pages are looked at, never where types are listed

        seals = [(page, s) for page, image in images.items() for s in marks.find_seals(image)]
        if seals:
            page, seal = max(seals, key=lambda ps: ps[1].score)
            doc.fields["has_seal"] = Field(value=True, raw=None, confidence=seal.score, source=Source.DERIVED,
                                           page=page, bbox=seal.box, note="seal found by its ring")
        else:
            doc.fields["has_seal"] = Field(value=False, confidence=0.9, source=Source.DERIVED, page=doc.page,
                                           note="no round or oval seal on any page")
        areas = [a for a in doc.meta.get("sign_here", []) if a["party"] == "borrower" and a["page"] in images]
        if not areas:
            doc.fields["has_signature"] = Field(value=False, confidence=0.5, source=Source.DERIVED, page=doc.page,
                                                note="no 借款人（签字） label found to look beside")
            return
        area = areas[-1]
        image = images[area["page"]]
        label = tuple(area["label"])
        h = max(8, area.get("line_height") or label[3] - label[1])  # print's height: ink over the label swells its box
        pad = max(2, round(h * 0.15))
        skip = [(b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad) for b in [label, *map(tuple, area["printed"])]]
        for p, s in seals:  # the lender's seal (its blurred edge too) is not the borrower's ink
            if p == area["page"]:
                m = round(0.08 * (s.box[2] - s.box[0]))
                skip.append((s.box[0] - m, s.box[1] - m, s.box[2] + m, s.box[3] + m))
        ink = marks.ink_in(image, _area_around(label, image.shape[1]), skip=skip,
                           min_pixels=round(MIN_INK_HEIGHTS * h * h))
        doc.fields["has_signature"] = Field(
            value=ink.found, confidence=0.95 if ink.found else 0.85, source=Source.DERIVED, page=area["page"],
            bbox=ink.box or tuple(area["label"]),
            note=f"ink covers {ink.fraction:.1%} of the signature area in {ink.strokes} strokes")


_ZH_NUMBER = "[零一二三四五六七八九十点〇两壹贰叁肆伍陆柒捌玖拾]+"
_WORD_UNITS = {"百分之": Decimal("0.01"), "千分之": Decimal("0.001"), "万分之": Decimal("0.0001")}
PERIODS = {"annual": 1, "monthly": 12, "daily": 360}
"""Periods in a year, the PBOC way (:mod:`extractors.numbers`); a daily rate may also be meant over 365 days."""
RATE_IN_WORDS = re.compile(rf"(年化?|月|日)(?:利|息)?率(?:为|是)?:?(?:\(?大写\)?:?)?"
                           rf"(百分之|千分之|万分之)({_ZH_NUMBER})")
WORDS_AFTER_FIGURE = re.compile(rf"\)?\(?(?:大写:?|即)?(百分之|千分之|万分之)({_ZH_NUMBER})\)?")
"""``年利率18%（百分之十八）``: the figure restated in words right after it."""
NOT_THE_LOAN_RATE = re.compile(r"罚息|逾期|违约|复利|挪用|上浮|加收|综合|IRR|APR", re.IGNORECASE)
"""Before a rate (in its clause) or in it: a penalty rate or a comprehensive cost (fees included), not the loan's
rate restated."""
MAX_ROUNDING = Decimal("0.0005")
"""A restated figure is rounded at most to 0.1 % a year (half of it either way)."""


def _rate_number(text: str) -> Decimal | None:
    try:
        return Decimal(text) if re.fullmatch(r"\d+(?:\.\d+)?", text) else Decimal(str(cn2an.cn2an(text, "smart")))
    except (ValueError, KeyError, IndexError, ArithmeticError):
        return None


def _rounding(number_text: str, per_unit: Decimal) -> Decimal:
    """Half the last printed digit of a figure, as an annual fraction (words are exact), at most
    :data:`MAX_ROUNDING`."""
    if not number_text.isascii():
        return Decimal(0)
    places = len(number_text.partition(".")[2])
    return min(MAX_ROUNDING, Decimal(5) / 10 ** (places + 1) * per_unit)


def rate_statements(flat: Joined) -> list[dict[str, Field]]:
    """Every statement of the loan's rate in the (flat) text, in printed order: ``annual_rate`` (the annual
    fraction it means, 360 days to a year), ``basis`` (annual, monthly or daily) and ``rounding`` (how far a
    printed figure may be from the exact rate, as an annual fraction). Penalty rates and comprehensive costs
    are left out.

    >>> from extractors.models import TextLine
    >>> said = "年利率18%（百分之十八），日利率万分之五（折合年化利率18.25%）。逾期罚息日利率万分之七"
    >>> j = Joined([TextLine(text=said, confidence=0.99, bbox=(0, 0, 900, 20))], sep="")
    >>> [(r["basis"].value, r["annual_rate"].value, r["rounding"].value) for r in rate_statements(j)]
    [('annual', '0.18', '0.0005'), ('annual', '0.18', '0'), ('daily', '0.18', '0'), ('annual', '0.1825', '0.00005')]
    """
    text = flat.text
    found: list[tuple[int, int, str, Decimal, Decimal]] = []  # start, end, basis, annual, rounding

    def add(m: re.Match[str], basis: str, number_text: str, per_unit: Decimal) -> None:
        number = _rate_number(number_text)
        clause = re.split(r"[。；;]", text[max(0, m.start() - 20):m.start()])[-1]
        if (number is None or NOT_THE_LOAN_RATE.search(clause + m[0]) or "费" in m[0]  # 年费率: a fee
                or any(s < m.end() and m.start() < e for s, e, *_ in found)):
            return
        found.append((m.start(), m.end(), basis, number * per_unit, _rounding(number_text, per_unit)))
        if after := WORDS_AFTER_FIGURE.match(text, m.end()):
            words = _rate_number(after[2])
            if words is not None and number_text.isascii():
                unit = per_unit / _printed_unit(m[0])
                found.append((after.start(), after.end(), basis, words * _WORD_UNITS[after[1]] * unit, Decimal(0)))

    for basis, pattern, factor in RATE_PATTERNS:
        for m in pattern.finditer(text):
            add(m, basis, m[1], factor)
    for m in RATE_IN_WORDS.finditer(text):
        basis = {"年": "annual", "年化": "annual", "月": "monthly", "日": "daily"}[m[1]]
        add(m, basis, m[3], _WORD_UNITS[m[2]] * PERIODS[basis])
    rows = []
    for start, end, basis, annual, rounding in sorted(found):
        confidence = flat.confidence(start, end)
        where = Field(value=None, raw=text[start:end], confidence=round(confidence, 4),
                      source=Source.PDF_TEXT if confidence == 1.0 else Source.OCR, page=flat.page_at(start, end),
                      bbox=flat.bbox(start, end))
        rows.append({"annual_rate": where.model_copy(update={"value": fraction_text(annual)}),
                     "basis": where.model_copy(update={"value": basis}),
                     "rounding": where.model_copy(update={"value": fraction_text(rounding)})})
    return rows


def _printed_unit(statement: str) -> Decimal:
    """The unit a rate's figure is printed in: ‰ (or as a recogniser reads it), 万分之 or ‱, else %."""
    if "万分之" in statement or "‱" in statement:
        return Decimal("0.0001")
    if re.search(r"‰|%0|%o", statement):
        return Decimal("0.001")
    return Decimal("0.01")


def _first(patterns: Sequence[str], text: str) -> re.Match[str] | None:
    for p in patterns:
        if m := re.search(p, text):
            return m
    return None


MIN_INK_HEIGHTS = 0.35
"""Ink a signature leaves, in squares of the label's height: a signed name is several characters of strokes."""


def _area_around(label: BBox, page_width: int) -> BBox:
    """Where the borrower signs, wherever round the label: over the label's own line (its printed words are
    skipped), right of it a third of the page wide, two lines above and five below (a name written under the
    label)."""
    x0, y0, x1, y1 = label
    h = max(8, y1 - y0)
    return (max(0, x0 - h), y0 - 2 * h, min(page_width, x1 + round(page_width * 0.36)), y1 + 5 * h)


BURIED_LABEL = re.compile(r"^(?:借款人|借.人|借款方|乙方)(?:\(?签.\)?:?)?")
"""The start of a borrower's label that signing over it has garbled (``借教人签表杆魏``, or ``借款人`` alone when
the ink hides ``（签字）``)."""
SWOLLEN = 1.4
"""A line this many times the height of the page's print has ink written over it."""
MAX_BURIED_LINE = 12
"""Characters in such a line: the label and a reading of the handwriting, not a sentence of the contract."""


def _print_height(lines: Sequence[TextLine], page: int) -> int | None:
    """The median height of the confidently read lines of print on ``page`` (CJK characters are about square,
    so also their width)."""
    heights = sorted(ln.bbox[3] - ln.bbox[1] for ln in lines
                     if ln.page == page and ln.confidence >= 0.9 and len(ln.text) >= 8)
    return heights[len(heights) // 2] if heights else None


def _signature_areas(lines: Sequence[TextLine], lined: Joined) -> list[dict[str, Any]]:
    """Each party's 签字/盖章 label: page, box, the height of print on its page, and the boxes of printed text
    near it (kept out of the ink): text-layer lines, and OCR'd lines that read as print (labels, dates) — not a
    reading of the handwriting. Where no borrower's label reads, a line after the lender's that starts as one and
    is swollen by ink written over it (:data:`BURIED_LABEL`) stands for it."""
    out = []
    label = re.compile(rf"({'|'.join(BORROWER_WORDS + LENDER_WORDS)})(?:\((?:{'|'.join(SIGN_WORDS)})[^)\n]*\)?|"
                       rf"(?:{'|'.join(SIGN_WORDS)}))")  # the bracket may be lost under ink written over it
    found: list[tuple[str, int, BBox]] = []
    for m in label.finditer(lined.text):
        end = m.end() + (1 if lined.text[m.end():m.end() + 1] == ":" else 0)
        box, page = lined.bbox(m.start(), end), lined.page_at(m.start(), end)
        if box is None:
            continue
        if (height := _print_height(lines, page)) and lined.confidence(m.start(), end) < 1.0:
            box = _label_width(box, end - m.start(), height)  # an OCR'd line that ran on into the handwriting
        found.append(("borrower" if m[1] in BORROWER_WORDS else "lender", page, box))
    if not any(party == "borrower" for party, _, _ in found):
        found += _buried_borrower_label(lines, found)
    for party, page, box in found:
        height = _print_height(lines, page)
        area = _area_around(box, 10**6)  # as far right as the page goes, whatever its width in pixels
        printed = [ln.bbox for ln in lines if ln.page == page and overlaps(ln.bbox, area)
                   and (ln.confidence == 1.0  # a text layer holds no handwriting, the label's own line included
                        or (not overlaps(ln.bbox, box) and PRINTED.search(ln.text)))]
        out.append({"party": party, "page": page, "label": list(box), "line_height": height,
                    "printed": [list(b) for b in printed]})
    return out


def _buried_borrower_label(lines: Sequence[TextLine],
                           found: list[tuple[str, int, BBox]]) -> list[tuple[str, int, BBox]]:
    """The borrower's label read through the signature over it: the last short OCR'd line (on the lender's
    label's page or after it, where that reads; the two may stand side by side) that starts like one and is
    swollen (:data:`SWOLLEN`) by ink; its box is the label's characters' width."""
    lender = max((page for party, page, _ in found if party == "lender"), default=0)
    for ln in reversed(lines):
        if (ln.confidence == 1.0 or len(ln.text) > MAX_BURIED_LINE or ln.page < lender
                or not (m := BURIED_LABEL.match(ln.text))):
            continue
        height = _print_height(lines, ln.page)
        if height is None or ln.bbox[3] - ln.bbox[1] < SWOLLEN * height:
            continue
        return [("borrower", ln.page, _label_width(ln.bbox, len(m[0]), height))]
    return []


def _label_width(box: BBox, chars: int, height: int) -> BBox:
    """A label's box no wider than its characters at the print's height (brackets and colons print full-width,
    and a line's height, with its margin, is a little more than a character's width: the print is covered)."""
    return (box[0], box[1], min(box[2], box[0] + chars * height), box[3])
