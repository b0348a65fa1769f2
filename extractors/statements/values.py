"""Reading the values of statement cells: amounts, dates, times, counterparties.

Amounts are :class:`~decimal.Decimal` — never floats — and come as banks print
them: thousands separators, a leading ``+``/``-`` (ASCII, full-width or the
minus sign), ``¥``/``￥``/``RMB``, or a trailing ``CR``/``DR``.

>>> parse_amount("+12,345.67"), parse_amount("-1234.5"), parse_amount("￥8 000.00"), parse_amount("—")
(Decimal('12345.67'), Decimal('-1234.50'), Decimal('8000.00'), None)
>>> parse_day("20260503"), parse_day("2026/05/03 10:23:11"), parse_day("2026年5月3日"), parse_day("20261340")
('2026-05-03', '2026-05-03', '2026-05-03', None)
>>> parse_time("102311"), parse_time("2026-05-03 10:23:11"), parse_time("10:23"), parse_time("2026-05-03")
('10:23:11', '10:23:11', '10:23:00', None)
>>> split_counterparty("6217000123456789012/张三"), split_counterparty("北京三快在线科技有限公司 110907591510601")
(('张三', '6217000123456789012'), ('北京三快在线科技有限公司', '110907591510601'))
>>> split_counterparty("支付宝（中国）网络技术有限公司")
('支付宝（中国）网络技术有限公司', None)
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

CENT = Decimal("0.01")

_MINUS = "-−–—－"
_AMOUNT = re.compile(r"^(?P<sign>[+\-])?(?:¥|RMB|CNY)?(?P<sign2>[+\-])?(?P<num>\d{1,3}(?:,\d{3})+|\d+)"
                     r"(?:\.(?P<frac>\d{1,2}))?(?P<suffix>CR|DR|贷|借)?$")


def norm(text: str) -> str:
    """NFKC, no whitespace, one kind of minus sign."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    return re.sub(f"[{_MINUS[1:]}]", "-", text)


def parse_amount(text: str | None) -> Decimal | None:
    """A signed amount to the cent, or None when the cell holds no amount."""
    if not text:
        return None
    t = norm(text).replace("¥", "").replace("元", "")
    m = _AMOUNT.match(t)
    if not m:
        return None
    try:
        value = Decimal(m["num"].replace(",", "") + "." + (m["frac"] or "0"))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None
    if "-" in (m["sign"], m["sign2"]) or m["suffix"] in ("DR", "借"):
        value = -value
    return value.quantize(CENT)


def amount_text(value: Decimal) -> str:
    """The record's form of an amount: a plain decimal string with two places.

    >>> amount_text(Decimal("-12345.6"))
    '-12345.60'
    """
    return str(value.quantize(CENT))


_DAY = re.compile(r"(?<!\d)(\d{4})(?:[-./年](\d{1,2})[-./月](\d{1,2})日?|(\d{2})(\d{2})(?=\d{4}(?:\d{2})?(?!\d)|\D|$))")
_TIME = re.compile(r"(?<!\d)([01]\d|2[0-3]|\d(?=:)):?([0-5]\d)(?::?([0-5]\d))?(?!\d)")


def parse_day(text: str | None) -> str | None:
    """An ISO date from the cell, or None if it holds no real date."""
    if not text:
        return None
    m = _DAY.search(norm(text))
    if not m:
        return None
    month, day = (m[2], m[3]) if m[2] else (m[4], m[5])
    try:
        return dt.date(int(m[1]), int(month), int(day)).isoformat()
    except ValueError:
        return None


def parse_time(text: str | None) -> str | None:
    """``HH:MM:SS`` from a time cell (``102311``, ``10:23:11``, ``10:23``, ``9:05``) or from after a date.

    >>> parse_time("9:05"), parse_time("102311"), parse_time("24:00"), parse_time("2026-05-01 9:05:07")
    ('09:05:00', '10:23:11', None, '09:05:07')
    """
    if not text:
        return None
    t = norm(text)
    m = _DAY.search(t)
    if m:
        t = t[m.end():]
        if not t:
            return None
    elif len(t) > 8:
        return None
    m2 = _TIME.search(t)
    if not m2:
        return None
    return f"{int(m2[1]):02d}:{m2[2]}:{m2[3] or '00'}"


_ACCOUNT = re.compile(r"[0-9*Xx]{6,32}")


def split_counterparty(text: str | None) -> tuple[str | None, str | None]:
    """A cell holding both a counterparty's name and account (``账号/户名`` or ``户名 账号``), split."""
    if not text:
        return None, None
    t = text.strip()
    found = list(_ACCOUNT.finditer(t.replace(" ", "")))
    m = found[-1] if found else None
    if m is None or not any(ch.isdigit() for ch in m[0]):
        return (t.strip("/|:;，, -") or None), None
    squashed = t.replace(" ", "")
    name = (squashed[:m.start()] + squashed[m.end():]).strip("/|:;，, -")
    return (name or None), m[0]


CURRENCIES = {"人民币": "CNY", "人民币元": "CNY", "RMB": "CNY", "CNY": "CNY", "美元": "USD", "USD": "USD",
              "港币": "HKD", "港元": "HKD", "HKD": "HKD", "欧元": "EUR", "EUR": "EUR", "日元": "JPY", "英镑": "GBP"}


def currency(text: str | None) -> str | None:
    """ISO 4217 code of a printed currency.

    >>> currency("人民币元"), currency("人民币 RMB"), currency("比特币")
    ('CNY', 'CNY', None)
    """
    if not text:
        return None
    t = norm(text).upper()
    for name in sorted(CURRENCIES, key=len, reverse=True):
        if name in t:
            return CURRENCIES[name]
    return None
