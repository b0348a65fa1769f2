"""Chinese amounts in words (大写金额) and interest rates, as contracts print them.

Amounts in words are read with cn2an, around its known gaps (measured on cn2an
0.5.24: it refuses a leading 人民币, ``元零伍分``, ``伍角`` with no yuan, and
``叁万零伍佰元`` in strict mode). The wrapper takes the currency words and the
closing 整/正 off, splits the yuan, jiao and fen parts at 元/角/分, and gives
cn2an (strict mode, so 大写 digits only) one integer at a time.

Rates come as 年利率 x%, 月利率 x‰ (or x%), 日利率 万分之x (or x%); they are
normalised to an annual fraction with the PBOC convention 年 = 月 × 12 = 日 × 360
(人民币利率管理规定, 1999).

>>> amount_in_words("人民币伍万元整"), amount_in_words("壹拾元零伍分"), amount_in_words("伍角")
(Decimal('50000.00'), Decimal('10.05'), Decimal('0.50'))
>>> amount_in_words("叁万零伍佰元"), amount_in_words("叁万零伍佰元伍角伍分"), amount_in_words("伍万元ABC")
(Decimal('30500.00'), Decimal('30500.55'), None)
>>> annual_rate("年利率为14.40%"), annual_rate("月利率1.2‰"), annual_rate("日利率万分之五"), annual_rate("利率很低")
(Decimal('0.144'), Decimal('0.0144'), Decimal('0.18'), None)
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

import cn2an

CENT = Decimal("0.01")
_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = "拾佰仟万亿"
_WORDS = re.compile(rf"^(?:(?P<yuan>[{_DIGITS}{_UNITS}]*)[元圆])?(?:零?(?P<jiao>[{_DIGITS[1:]}])角)?"
                    rf"(?:零?(?P<fen>[{_DIGITS[1:]}])分)?$")
_PREFIX = re.compile(r"^(?:人民币|RMB|CNY)?[:：]?(?:\(?大写\)?[:：]?)?(?:人民币)?")
_SUFFIX = re.compile(r"[整正]$")


def _integer(text: str) -> int | None:
    if not text:
        return 0
    try:
        value = cn2an.cn2an(text, "strict")
    except (ValueError, KeyError, IndexError):
        return None
    return int(value) if float(value).is_integer() else None


def amount_in_words(text: str | None) -> Decimal | None:
    """The amount ``text`` (大写, e.g. 人民币叁万零伍佰元伍角) means in yuan, two places; None if it is not one."""
    if not text:
        return None
    words = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    words = _SUFFIX.sub("", _PREFIX.sub("", words, count=1))
    m = _WORDS.match(words)
    if not words or not m or m["yuan"] == "" or (m["yuan"] is None and not (m["jiao"] or m["fen"])):
        return None
    yuan = _integer(m["yuan"] or "")
    if yuan is None:
        return None
    jiao = _DIGITS.index(m["jiao"]) if m["jiao"] else 0
    fen = _DIGITS.index(m["fen"]) if m["fen"] else 0
    return (Decimal(yuan) + Decimal(jiao) / 10 + Decimal(fen) / 100).quantize(CENT)


_NUM = r"(\d+(?:\.\d+)?)"
_PERMILLE = r"(?:‰|%0(?!\d)|%o)"
"""‰, or as a recogniser reads it (``%0``, ``%o``)."""
_ZH_NUM = r"([零一二三四五六七八九十点〇两壹贰叁肆伍陆柒捌玖拾]+|\d+(?:\.\d+)?)"
RATE_PATTERNS: tuple[tuple[str, re.Pattern[str], Decimal], ...] = (
    ("annual", re.compile(rf"年(?:化)?(?:利|费)?率(?:为|是)?[:：]?\(?(?:单利)?\)?{_NUM}%"), Decimal(1) / 100),
    ("monthly", re.compile(rf"月(?:利|息)率(?:为|是)?[:：]?{_NUM}{_PERMILLE}"), Decimal(12) / 1000),
    ("monthly", re.compile(rf"月(?:利|息)率(?:为|是)?[:：]?{_NUM}%"), Decimal(12) / 100),
    ("daily", re.compile(rf"日(?:利|息)率(?:为|是)?[:：]?万分之{_ZH_NUM}"), Decimal(360) / 10000),
    ("daily", re.compile(rf"日(?:利|息)率(?:为|是)?[:：]?{_NUM}%"), Decimal(360) / 100),
    ("daily", re.compile(rf"日(?:利|息)率(?:为|是)?[:：]?{_NUM}‱"), Decimal(360) / 10000),
)
"""How each way of stating a rate turns into an annual fraction."""


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        pass
    try:
        return Decimal(str(cn2an.cn2an(text, "smart")))
    except (ValueError, KeyError, IndexError, InvalidOperation):
        return None


def fraction_text(d: Decimal) -> str:
    """A fraction as the record writes it: plain digits, no trailing zeros (``0.144``, ``0.18``)."""
    return format(d.normalize(), "f")


def find_rate(text: str) -> tuple[str, Decimal, re.Match[str]] | None:
    """The first rate statement in ``text`` (compacted): (kind, annual fraction, match). A contract that states
    the rate as 日利率 万分之5 and adds its 年化 figure is read as it states it first."""
    best: tuple[str, Decimal, re.Match[str]] | None = None
    for kind, pattern, factor in RATE_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        number = _number(m[1])
        if number is None:
            continue
        if best is None or m.start() < best[2].start():
            best = (kind, (number * factor).normalize(), m)
    return best


def annual_rate(text: str) -> Decimal | None:
    """The annual fraction a rate statement means (see :data:`RATE_PATTERNS`)."""
    found = find_rate(re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))
    return None if found is None else found[1]
