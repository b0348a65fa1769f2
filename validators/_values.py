"""Reading field values defensively, and the required-fields check every document type makes.

Rules see whatever the extractor (or a bug, or a reviewer) put in a field: a
value may be missing, ``None``, blank, of the wrong type or junk. These helpers
turn a value into what a rule can use, or ``None`` — they never raise.

>>> iso_date("2010-01-01"), iso_date("2010-02-30"), iso_date("20100101"), iso_date(b"2010-01-01")
(datetime.date(2010, 1, 1), None, None, None)
>>> text(" 张三 "), text("  "), text(7)
('张三', None, None)
>>> age_on(dt.date(2000, 5, 6), dt.date(2016, 5, 5)), age_on(dt.date(2000, 5, 6), dt.date(2016, 5, 6))
(15, 16)
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Mapping

from extractors.models import ExtractedDocument, Field, Finding, Source
from validators.base import RuleContext, error

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

ZH_LABELS = {"name": "姓名", "sex": "性别", "ethnicity": "民族", "birth_date": "出生日期", "address": "住址",
             "id_number": "公民身份号码", "issuer": "签发机关", "valid_from": "有效期起始日期",
             "valid_until": "有效期截止日期", "long_term": "长期有效", "contract_number": "合同编号",
             "lender": "贷款人", "borrower": "借款人", "borrower_id_number": "借款人身份证号码",
             "principal": "借款金额",
             "principal_in_words": "借款金额（大写）", "annual_rate": "年利率", "term_months": "借款期限（月）",
             "start_date": "起始日期", "end_date": "到期日期", "repayment_method": "还款方式", "purpose": "借款用途",
             "signed_date": "签订日期", "has_signature": "借款人签字", "has_seal": "贷款人印章",
             "account_name": "户名", "account_number": "账号", "period_start": "起始日期", "period_end": "截止日期"}
"""Printed labels of the fields, for the Chinese messages (other names are shown as they are)."""

Readable = Callable[[object], bool]
"""Says whether a present value can be used (e.g. is an ISO date)."""


def text(value: object) -> str | None:
    """The value stripped, if it is a non-blank string."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def iso_date(value: object) -> dt.date | None:
    """The date of an ISO ``YYYY-MM-DD`` string, if it is a real date."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def is_blank(value: object) -> bool:
    """Missing for a rule's purposes: ``None`` or a blank string (bytes count as blank too)."""
    if value is None:
        return True
    if isinstance(value, str | bytes | bytearray):
        return not value.strip()
    return False


def confident(f: Field, min_confidence: float) -> bool:
    """Whether a field's value can be used without a person looking at it.

    A reviewer's value always can; a confidence that is not a number never can.
    """
    if f.source == Source.REVIEWER:
        return True
    conf = f.confidence
    return isinstance(conf, int | float) and not isinstance(conf, bool) and conf >= min_confidence


def age_on(birth: dt.date, day: dt.date) -> int:
    """Completed years on ``day``; the birthday itself counts (born 02-29: the birthday is 03-01)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def add_years(day: dt.date, years: int) -> dt.date | None:
    """The same calendar day ``years`` later (02-29 → 02-28); None beyond the calendar."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        try:
            return day.replace(year=day.year + years, day=28)
        except ValueError:
            return None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clipped to the month's end (01-31 + 1 month → 02-28 or 02-29).

    >>> add_months(dt.date(2026, 1, 31), 1), add_months(dt.date(2026, 11, 15), 14)
    (datetime.date(2026, 2, 28), datetime.date(2028, 1, 15))
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def required_fields(rule_name: str, doc: ExtractedDocument, ctx: RuleContext,
                    required: Mapping[str, Readable | None]) -> list[Finding]:
    """One error listing the required fields that are missing, unreadable or below their confidence threshold
    (:meth:`RuleContext.needed_confidence`: the field's measured threshold, never under ``ctx.min_confidence``).

    ``required`` maps a field name to a check of its value's form (or ``None``:
    any non-blank value). A field that fails that check counts as unreadable.
    """
    missing: list[str] = []
    unsure: list[tuple[str, float]] = []
    for name, readable in required.items():
        f = doc.fields.get(name)
        if f is None or is_blank(f.value) or (readable is not None and not readable(f.value)):
            missing.append(name)
        elif not confident(f, needed := ctx.needed_confidence(f"{doc.doc_type}.{name}")):
            unsure.append((name, needed))
    if not missing and not unsure:
        return []
    en: list[str] = []
    zh: list[str] = []
    if missing:
        en.append(f"missing or unreadable: {', '.join(missing)}")
        zh.append(f"缺失或无法识别：{'、'.join(ZH_LABELS.get(n, n) for n in missing)}")
    if unsure:
        en.append("read with too little confidence: " + ", ".join(f"{n} (needs {t:.2f})" for n, t in unsure))
        zh.append("识别置信度不足：" + "、".join(f"{ZH_LABELS.get(n, n)}（需 {t:.2f}）" for n, t in unsure))
    return [error(rule_name, missing + [n for n, _ in unsure], en="Required fields " + "; ".join(en) + ".",
                  zh="必填字段" + "；".join(zh) + "。")]
