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
from collections.abc import Callable, Iterable

from extractors import doctypes
from extractors.doctypes import FieldSpec, Kind
from extractors.doctypes.bank_statement import decimal_value
from extractors.models import ExtractedDocument, Field, Finding, Source
from validators.base import RuleContext, error

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
STRAY_MARKS = ".,·:;'`，。：；・"
"""Marks a recogniser now and then sees in a gap between two characters, where the document prints none (the
character class of a rule's stray-mark pattern)."""

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


def whole_number(value: object) -> int | None:
    """A count as a field holds it: an int, or a string of at most four ASCII digits; never a bool."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= 1200 else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) <= 4:
        return int(value.strip())
    return None


def readable_as(spec: FieldSpec) -> Readable | None:
    """The check that a present value of a declared field has its kind's form (None: any non-blank value does).

    >>> from extractors.doctypes import spec
    >>> readable_as(spec("id_card_front", "sex"))("女"), readable_as(spec("id_card_front", "sex"))("X")
    (True, False)
    >>> readable_as(spec("loan_contract", "principal"))("abc"), readable_as(spec("id_card_front", "name"))
    (False, None)
    """
    if spec.choices:
        return lambda v: v in spec.choices
    parse: Callable[[object], object] | None = {
        Kind.DATE: iso_date, Kind.MONEY: decimal_value, Kind.MONEY_WORDS: decimal_value, Kind.RATE: decimal_value,
        Kind.COUNT: whole_number}.get(spec.kind)
    return None if parse is None else (lambda v: parse(v) is not None)


def label_zh(doc_type: str, name: str) -> str:
    """A field's Chinese label from its type's declaration (the name itself when undeclared)."""
    spec = doctypes.spec(doc_type, name)
    return spec.zh if spec else name


def required_fields(rule_name: str, doc: ExtractedDocument, ctx: RuleContext,
                    also: Iterable[str] = ()) -> list[Finding]:
    """One error listing the required fields that are missing, unreadable or below their confidence threshold
    (:meth:`RuleContext.needed_confidence`: the field's measured threshold, never under ``ctx.min_confidence``).

    Required are the fields the document type declares ``required``, and ``also`` (fields required only in
    some cases: a card's end of validity unless it is long-term). A present value that does not have its
    declared kind's form (:func:`readable_as`) counts as unreadable.
    """
    kind = doctypes.registry().get(doc.doc_type)
    declared = {f.name: f for f in kind.fields} if kind else {}
    wanted = [n for n, f in declared.items() if f.required]
    wanted += [n for n in also if n not in wanted]
    missing: list[str] = []
    unsure: list[tuple[str, float]] = []
    for name, readable in ((n, readable_as(declared[n]) if n in declared else None) for n in wanted):
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
        zh.append(f"缺失或无法识别：{'、'.join(label_zh(doc.doc_type, n) for n in missing)}")
    if unsure:
        en.append("read with too little confidence: " + ", ".join(f"{n} (needs {t:.2f})" for n, t in unsure))
        zh.append("识别置信度不足：" + "、".join(f"{label_zh(doc.doc_type, n)}（需 {t:.2f}）" for n, t in unsure))
    return [error(rule_name, missing + [n for n, _ in unsure], en="Required fields " + "; ".join(en) + ".",
                  zh="必填字段" + "；".join(zh) + "。")]
