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
(full-width) brackets and punctuation. ``has_seal`` and ``has_signature``
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

import numpy as np

from extractors.doctypes.base import DocTypeExtractor
from extractors.imaging import marks
from extractors.models import BBox, ExtractedDocument, Field, FieldValue, Source, TextLine
from extractors.numbers import amount_in_words, find_rate, fraction_text
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
    "repayment_sentence": (r"按(?:照)?([^，。；;,按]{2,14}?)(?:的)?方式(?:偿还|还款|归还|还本付息)",),
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
PRINTED = re.compile(r"签字|签名|签章|盖章|日期|甲方|乙方|借款人|贷款人|出借人|\d{4}\s*[年.\-/]|年.{0,3}月")
"""What marks an OCR'd line near the signature as print (a label, a date), not a reading of the handwriting —
which the recogniser turns into anything, ``uX22`` say."""


class LoanContract(DocTypeExtractor):
    doc_type = "loan_contract"
    field_names = ("contract_number", "lender", "borrower", "borrower_id_number", "principal", "principal_in_words",
                   "annual_rate", "term_months", "start_date", "end_date", "repayment_method", "purpose",
                   "signed_date", "has_signature", "has_seal")
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
            put("repayment_method", flat, m, 1, zh_text(m[1]))

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
            doc.fields[name] = old.model_copy(update={
                "value": value, "raw": raw, "confidence": round(confidence, 4),
                "note": f"read again with the card recogniser; first reading {old.raw!r}"})

    @staticmethod
    def look(doc: ExtractedDocument, images: Mapping[int, np.ndarray]) -> None:
        """``has_seal``: a red round seal on any page of the contract (the best one's box). ``has_signature``:
        ink in the area right of and below the borrower's 签字 label (the last such label: the signature
        block, not a clause that mentions signing)."""
        seals = [(page, s) for page, image in images.items() for s in marks.find_seals(image)]
        if seals:
            page, seal = max(seals, key=lambda ps: ps[1].score)
            doc.fields["has_seal"] = Field(value=True, raw=None, confidence=seal.score, source=Source.DERIVED,
                                           page=page, bbox=seal.box, note="red round seal found by colour and shape")
        else:
            doc.fields["has_seal"] = Field(value=False, confidence=0.9, source=Source.DERIVED, page=doc.page,
                                           note="no red round seal on any page (a grey scan loses the seal's red)")
        areas = [a for a in doc.meta.get("sign_here", []) if a["party"] == "borrower" and a["page"] in images]
        if not areas:
            doc.fields["has_signature"] = Field(value=False, confidence=0.5, source=Source.DERIVED, page=doc.page,
                                                note="no 借款人（签字） label found to look beside")
            return
        area = areas[-1]
        image = images[area["page"]]
        ink = marks.ink_in(image, _area_beside(tuple(area["label"]), image.shape[1]),
                           skip=[tuple(b) for b in area["printed"]])
        doc.fields["has_signature"] = Field(
            value=ink.found, confidence=0.95 if ink.found else 0.85, source=Source.DERIVED, page=area["page"],
            bbox=ink.box or tuple(area["label"]),
            note=f"ink covers {ink.fraction:.1%} of the signature area in {ink.strokes} strokes")


def _first(patterns: Sequence[str], text: str) -> re.Match[str] | None:
    for p in patterns:
        if m := re.search(p, text):
            return m
    return None


def _area_beside(label: BBox, page_width: int) -> BBox:
    """Where a signature goes: right of the label, a third of the page wide, and a line and a half above
    and below it."""
    _, y0, x1, y1 = label
    h = max(8, y1 - y0)
    return (x1 + 2, y0 - round(1.5 * h), min(page_width, x1 + round(page_width * 0.36)), y1 + round(2 * h))


def _signature_areas(lines: Sequence[TextLine], lined: Joined) -> list[dict[str, Any]]:
    """Each party's 签字/盖章 label: page, box, and the boxes of printed text near it (kept out of the ink):
    text-layer lines, and OCR'd lines that read as print (labels, dates) — not a reading of the handwriting."""
    out = []
    label = re.compile(rf"({'|'.join(BORROWER_WORDS + LENDER_WORDS)})(?:\((?:{'|'.join(SIGN_WORDS)})[^)]*\)|"
                       rf"(?:{'|'.join(SIGN_WORDS)}))")
    for m in label.finditer(lined.text):
        box = lined.bbox(m.start(), m.end() + (1 if lined.text[m.end():m.end() + 1] == ":" else 0))
        if box is None:
            continue
        page = lined.page_at(m.start(), m.end())
        party = "borrower" if m[1] in BORROWER_WORDS else "lender"
        area = _area_beside(box, 10**6)  # as far right as the page goes, whatever its width in pixels
        printed = [ln.bbox for ln in lines if ln.page == page and _overlaps(ln.bbox, area)
                   and not _overlaps(ln.bbox, box)  # the label's own line: the area starts right of the label
                   and (ln.confidence == 1.0 or PRINTED.search(ln.text))]
        out.append({"party": party, "page": page, "label": list(box), "printed": [list(b) for b in printed]})
    return out


def _overlaps(a: BBox, b: BBox) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
