"""Rules for loan contracts: the amount in words, the rate (plausible, stated alike wherever it is stated, within
the legal cap), the term, the dates, the borrower's ID number, the seal and the signature.

A rate outside :data:`PLAUSIBLE_RATE` is an error whoever lends: above 36 % a
year no lender may lend (the 2017 notice on cash loans, 银发〔2017〕141号: loans
whose comprehensive annual cost is above 36 % may not be made), and a rate
of 100 % or a rate between nothing and 1 % is far more often a lost or
misplaced decimal point than the contract's term. Where the contract states
its rate more than once (日利率 万分之5 and 折合年化 18 %, 18 % and 百分之十八),
the statements must mean the same annual rate (:func:`rates_agree`).

The rate cap is article 25 of the Supreme People's Court's provisions on
private lending (关于审理民间借贷案件适用法律若干问题的规定, 2020 revision): interest
above four times the one-year loan prime rate (LPR) in force when the contract
was formed is not supported. The LPR history is data (``data/lpr.json``, with
its source); the contract is formed on its signing date (else its start date).
Banks, other licensed financial institutions and the seven kinds of local
financial organisations (小额贷款公司, 融资担保公司, 典当行…) are outside those
provisions (法释〔2020〕27号, adopted 2020-11-09), so the rule applies only to
the lender kinds in ``RuleContext.rate_capped_lenders`` (setting
``DOCINTAKE_RATE_CAP_LENDER_TYPES``, default ``private``). The kind is told
from the lender's name (``data/lender_types.json``). Contracts formed before
the first LPR (2019-08-20) fall under the 2015 provisions' 24 %/36 % lines,
which this rule does not judge; it says so.

>>> import datetime as dt
>>> lpr_on(dt.date(2026, 1, 10)), lpr_on(dt.date(2020, 3, 1)), lpr_on(dt.date(2019, 1, 1))
(Decimal('3.00'), Decimal('4.05'), None)
>>> lender_kind("中国建设银行股份有限公司成都高新支行"), lender_kind("成都市锦程小额贷款有限公司"), lender_kind("张三")
('bank', 'local_financial', 'private')
>>> lender_kind("招联消费金融股份有限公司"), lender_kind("平安国际融资租赁有限公司")
('licensed_financial', 'local_financial')
>>> lender_kind("某某金融租赁有限公司")
'licensed_financial'
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from extractors.doctypes.bank_statement import decimal_value
from extractors.models import ExtractedDocument, Field, Finding, Source
from extractors.numbers import find_rate
from validators import _idnumber
from validators._values import STRAY_MARKS, add_months, age_on, iso_date, required_fields, text, whole_number
from validators.base import RuleContext, error, rule, warning

DOC = "loan_contract"
DATA = Path(__file__).parent / "data"
@cache
def _lpr() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / "lpr.json").read_text(encoding="utf-8"))
    return data


def lpr_on(day: dt.date) -> Decimal | None:
    """The one-year LPR (percent) in force on ``day``; None before the first one (2019-08-20)."""
    rate = None
    for change in _lpr()["changes"]:
        if dt.date.fromisoformat(change["from"]) <= day:
            rate = Decimal(change["rate"])
    return rate


@cache
def _kinds() -> list[tuple[str, tuple[str, ...]]]:
    data = json.loads((DATA / "lender_types.json").read_text(encoding="utf-8"))
    return [(k["kind"], tuple(k["words"])) for k in data["kinds"]]


def lender_kind(name: str) -> str:
    """``bank``, ``licensed_financial``, ``local_financial`` or ``private``, from the lender's name."""
    for kind, words in _kinds():
        if any(w in name for w in words):
            return kind
    return "private"


ORGANISATION_WORDS = ("公司", "企业", "合伙", "中心", "银行", "合作社", "信用社", "机构", "集团", "事务所", "商行",
                      "工作室")


def is_person(name: str) -> bool:
    """Whether a lender's name is a person's (who signs) rather than an organisation's (which seals).

    >>> is_person("张三"), is_person("欧阳明远"), is_person("成都华信商贸有限公司")
    (True, True, False)
    """
    return len(name) <= 5 and not any(w in name for w in ORGANISATION_WORDS)


@rule(DOC)
def loan_contract_required_fields(doc: ExtractedDocument, ctx: RuleContext) -> list[Finding]:
    """Every term of the contract was read, in a usable form, and confidently enough (seal and signature have
    their own rules)."""
    return required_fields("loan_contract_required_fields", doc, ctx)


STRAY_MARK = re.compile(rf"(?<=[0-9A-Za-z])[{re.escape(STRAY_MARKS)}](?=[0-9A-Za-z])")
"""A mark between two letters or digits of an identifier: the recogniser sees one in a gap now and then."""


@rule(DOC)
def contract_number_read_whole(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """A contract number read by OCR holds no mark between two of its letters or digits (``GR.JK2026…``).
    Nothing else checks an identifier — no check digit, no second printing — so a misread one would be accepted;
    hyphens, slashes and the Chinese forms (``借字2026第0034号``) are fine. A text layer or a reviewer is taken
    as it is.

    >>> from extractors.models import Field
    >>> doc = ExtractedDocument(doc_type=DOC, fields={"contract_number": Field(value="GR.JK20261118231678")})
    >>> [f.rule for f in contract_number_read_whole(doc, RuleContext())]
    ['contract_number_read_whole']
    >>> doc.fields["contract_number"] = Field(value="JK20261118-231678")
    >>> list(contract_number_read_whole(doc, RuleContext()))
    []
    """
    f = doc.fields.get("contract_number")
    if f is None or f.source != Source.OCR or not (m := STRAY_MARK.search(text(f.value) or "")):
        return
    yield error("contract_number_read_whole", ["contract_number"],
                f"The contract number read holds a mark ('{m[0]}') between two of its characters: it is misread.",
                f"识别出的合同编号中间含有符号（“{m[0]}”），可能识别有误。")


@rule(DOC)
def amount_words_match_digits(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The amount in words (大写) and the amount in figures (小写) are the same sum."""
    digits, words = decimal_value(doc.value("principal")), decimal_value(doc.value("principal_in_words"))
    if digits is None or words is None or digits == words:
        return
    raw = doc.fields["principal_in_words"].raw or ""
    yield error("amount_words_match_digits", ["principal", "principal_in_words"],
                f"The amount in words ({raw}, {words:,.2f}) differs from the amount in figures ({digits:,.2f}).",
                f"借款金额大写（{raw}，即 {words:,.2f} 元）与小写（{digits:,.2f} 元）不一致。")


PLAUSIBLE_RATE = (Decimal("0.01"), Decimal("0.36"))
"""The annual rates (fractions) a contract may plausibly state; nought (an interest-free loan) is plausible too."""


def rate_plausible(rate: Decimal) -> bool:
    """Whether an annual rate (a fraction) is one a contract may state.

    >>> [rate_plausible(Decimal(r)) for r in ("0", "0.0435", "0.36", "0.005", "0.3650", "2.4", "-0.1")]
    [True, True, True, False, False, False, False]
    """
    return rate == 0 or PLAUSIBLE_RATE[0] <= rate <= PLAUSIBLE_RATE[1]


@rule(DOC)
def annual_rate_plausible(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The annual rate is nought or between 1 % and 36 %: anything else is a misread (a lost decimal point) or a
    loan no lender may make, and a person must look."""
    rate = decimal_value(doc.value("annual_rate"))
    if rate is None or rate_plausible(rate):
        return
    raw = doc.fields["annual_rate"].raw or ""
    low, high = (f"{r * 100:.0f}%" for r in PLAUSIBLE_RATE)
    yield error("annual_rate_plausible", ["annual_rate"],
                f"The annual rate was read as {rate * 100:.2f}% (from {raw!r}), outside {low}–{high}: most likely a "
                f"misread; no lender may lend above {high} (PBOC/CBIRC notice 银发〔2017〕141号).",
                f"年利率识别为 {rate * 100:.2f}%（原文“{raw}”），不在 {low}–{high} 之内，多为识别错误；"
                f"综合年化成本超过 {high} 的贷款不得发放（银发〔2017〕141号）。")


def _annual_readings(row: dict[str, Field]) -> list[tuple[Decimal, Decimal]]:
    """The annual rates a stated rate may mean, each with its rounding: a daily rate over 360 or 365 days."""
    stated = row.get("annual_rate")
    rate = decimal_value(stated.value) if stated is not None else None
    rounding = decimal_value(row.get("rounding", Field(value="0")).value) or Decimal(0)
    if stated is None or rate is None:
        return []
    if stated.source == Source.REVIEWER:
        return [(rate, Decimal(0))]
    basis = row.get("basis", Field(value="annual")).value
    return [(rate, rounding)] + ([(rate * 365 / 360, rounding * 365 / 360)] if basis == "daily" else [])


def rates_agree(a: dict[str, Field], b: dict[str, Field]) -> bool:
    """Whether two statements of a rate mean the same annual rate, within their rounding.

    >>> def row(rate, basis="annual", rounding="0"):
    ...     return {"annual_rate": Field(value=rate), "basis": Field(value=basis), "rounding": Field(value=rounding)}
    >>> rates_agree(row("0.18", "daily"), row("0.1825", rounding="0.00005")), rates_agree(row("0.144"), row("0.144"))
    (True, True)
    >>> rates_agree(row("0.18", "daily"), row("0.1845", rounding="0.00005")), rates_agree(row("2.4"), row("0.24"))
    (False, False)
    """
    return any(abs(x - y) <= rx + ry for x, rx in _annual_readings(a) for y, ry in _annual_readings(b))


@rule(DOC)
def rate_statements_agree(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """Every statement of the rate (``tables["rate_statements"]``: 日利率 and its 年化 figure, figures and words)
    means the annual rate that was read. Not checked once a reviewer has set the rate."""
    f = doc.fields.get("annual_rate")
    rows = doc.tables.get("rate_statements", [])
    if f is None or f.source == Source.REVIEWER or decimal_value(f.value) is None or len(rows) < 2:
        return
    own = next((r for r in rows if f.bbox is not None and (s := r.get("annual_rate")) is not None
                and s.bbox == f.bbox), None)
    stated = find_rate(re.sub(r"\s+", "", unicodedata.normalize("NFKC", f.raw or "")))
    read = {**own, "annual_rate": f} if own is not None else {
        "annual_rate": f, "basis": Field(value=stated[0] if stated else "annual"), "rounding": Field(value="0")}
    rate = decimal_value(f.value) or Decimal(0)
    for i, row in enumerate(rows):
        if row is own or rates_agree(read, row):
            continue
        said = row.get("annual_rate")
        other = decimal_value(said.value) if said is not None else None
        shown = "?" if other is None else f"{other * 100:.2f}%"
        said_raw = said.raw if said is not None else None
        yield error("rate_statements_agree", ["annual_rate", f"rate_statements[{i}].annual_rate"],
                    f"The contract states its rate more than once and the statements differ: {f.raw!r} is "
                    f"{rate * 100:.2f}% a year, {said_raw!r} is {shown}.",
                    f"合同多处约定的利率不一致：“{f.raw}”折合年利率 {rate * 100:.2f}%，"
                    f"“{said_raw}”折合 {shown}。")


@rule(DOC)
def rate_within_legal_cap(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The annual rate is at most 4 × the one-year LPR in force when the contract was formed, for the lender
    kinds the cap binds."""
    rate = decimal_value(doc.value("annual_rate"))
    lender = text(doc.value("lender"))
    formed = iso_date(doc.value("signed_date")) or iso_date(doc.value("start_date"))
    if rate is None or lender is None or formed is None:
        return
    kind = lender_kind(lender)
    if kind not in ctx.rate_capped_lenders:
        return
    lpr = lpr_on(formed)
    if lpr is None:
        yield warning("rate_within_legal_cap", ["annual_rate", "signed_date"],
                      f"The contract was formed on {formed}, before the first LPR (2019-08-20); the 4 × LPR cap "
                      "does not apply and the 2015 provisions' 24 %/36 % lines were not checked.",
                      f"合同成立于 {formed}，早于首次 LPR 报价（2019-08-20），不适用四倍 LPR 上限，"
                      "未按 2015 年规定的 24%/36% 检查。")
        return
    cap = lpr * 4 / 100
    if rate <= cap:
        return
    checked = dt.date.fromisoformat(_lpr()["checked_through"])
    stale_en = stale_zh = ""
    if formed > checked:
        stale_en = f" (the LPR table was last checked through {checked}; a newer rate may apply)"
        stale_zh = f"（LPR 数据核对至 {checked}，其后如有调整以新报价为准）"
    yield error("rate_within_legal_cap", ["annual_rate"],
                f"The annual rate {rate * 100:.2f}% is above the legal cap of {cap * 100:.2f}% for a {kind} lender: "
                f"4 × the one-year LPR of {lpr}% in force on {formed} (SPC private lending provisions, art. 25)"
                f"{stale_en}.",
                f"年利率 {rate * 100:.2f}% 超过民间借贷利率上限 {cap * 100:.2f}%"
                f"（合同成立日 {formed} 一年期 LPR {lpr}% 的四倍，"
                f"《最高人民法院关于审理民间借贷案件适用法律若干问题的规定》第二十五条）{stale_zh}。")


@rule(DOC)
def term_matches_dates(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The term in months runs from the start date to the end date: the end is the same day that many months
    later, or the day before (both ways are common)."""
    months = whole_number(doc.value("term_months"))
    start, end = iso_date(doc.value("start_date")), iso_date(doc.value("end_date"))
    if months is None or start is None or end is None:
        return
    if end <= start:
        yield error("term_matches_dates", ["start_date", "end_date"],
                    f"The end date {end} is not after the start date {start}.",
                    f"到期日 {end} 不晚于起始日 {start}。")
        return
    due = add_months(start, months)
    eve = due - dt.timedelta(days=1)
    if end in (due, eve):
        return
    yield error("term_matches_dates", ["term_months", "start_date", "end_date"],
                f"A term of {months} months from {start} ends on {eve} or {due}, but the contract says {end}.",
                f"借款期限 {months} 个月自 {start} 起应于 {eve} 或 {due} 到期，合同写明的到期日为 {end}。")


@rule(DOC)
def signed_before_start(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The contract is signed on or before the day the loan starts."""
    signed, start = iso_date(doc.value("signed_date")), iso_date(doc.value("start_date"))
    if signed is not None and start is not None and signed > start:
        yield error("signed_before_start", ["signed_date", "start_date"],
                    f"The contract was signed on {signed}, after the loan started on {start}.",
                    f"合同签订日期 {signed} 晚于借款起始日 {start}。")


@rule(DOC)
def borrower_id_number_valid(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The borrower's ID number has a resident ID number's structure, a real birth date and the right check digit."""
    value = doc.value("borrower_id_number")
    if value is None or _idnumber.valid(value) is not None:
        return
    yield error("borrower_id_number_valid", ["borrower_id_number"],
                "The borrower's ID number is not a valid resident ID number (structure, birth date or check digit).",
                "借款人身份证号码无效（格式、出生日期或校验位不符）。")


@rule(DOC)
def seal_present(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The lender's seal is on the contract (a lender who is a person signs instead and has no seal)."""
    f = doc.fields.get("has_seal")
    lender = text(doc.value("lender"))
    if f is None or f.value is not False or (lender is not None and is_person(lender)):
        return
    yield error("seal_present", ["has_seal"],
                "No seal of the lender (round or oval, of any colour) was found on the contract; check the signed "
                "copy.", "合同上未发现贷款人印章（圆形或椭圆形，任何颜色），请核对签署件。")


@rule(DOC)
def signature_present(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """There is ink in the borrower's signature area."""
    f = doc.fields.get("has_signature")
    if f is not None and f.value is False:
        yield error("signature_present", ["has_signature"],
                    "The borrower's signature area is empty.", "借款人签字处为空白。")


@rule(DOC)
def borrower_is_adult(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The borrower was 18 or older on the signing day (Civil Code art. 17–18: full capacity for civil acts)."""
    signed = iso_date(doc.value("signed_date"))
    born = _idnumber.birth_date(_idnumber.valid(doc.value("borrower_id_number")))
    if signed is not None and born is not None and age_on(born, signed) < 18:
        yield error("borrower_is_adult", ["borrower_id_number", "signed_date"],
                    f"The borrower was under 18 when the contract was signed on {signed}.",
                    f"合同签订日 {signed} 借款人未满十八周岁。")
