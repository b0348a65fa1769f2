"""Resident ID numbers (居民身份证号码) as the rules see them.

The check digit, the birth date and the birth place come from python-stdnum's
:mod:`stdnum.cn.ric` (https://github.com/arthurdejong/python-stdnum); this module
only decides when a value is structured enough to ask it, undoes the usual OCR
confusions, and never raises on junk. Structure: 6 digits area code, 8 digits
birth date, 3 digits order code (odd: male), 1 check digit (0-9 or X).

>>> ocr_fix("43O5l2 19890813l36x")
('43051219890813136X', [('O→0', 'O→0'), ('l→1', 'l→1'), ('x→X', 'x→X'), ('spaces removed', '去除空格')])
>>> ocr_fix("５１３７０１")
('513701', [('full-width characters', '全角转半角')])
>>> structured("430512198908131367"), structured("I3O5"), structured(430512198908131367)
('430512198908131367', None, None)
>>> checksum_ok("513701199507176346"), checksum_ok("430512198908131367")
(True, False)
>>> birth_date("430512198908131367"), birth_date("430512198902301367")
(datetime.date(1989, 8, 13), None)
>>> sex("513701199507176346")
'女'
>>> birth_place_ok("513701199507176346"), birth_place_ok("430512198908131367")
(True, False)
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

# The extractor upper-cases the number, so a misread 'l' arrives as 'L'.
_OCR_DIGITS = {"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "L": "1", "|": "1",
               "Z": "2", "S": "5", "B": "8", "G": "6", "x": "X"}
_OCR_TABLE = str.maketrans(_OCR_DIGITS)
_STRUCTURE = re.compile(r"[0-9]{17}[0-9X]")


def ocr_fix(value: str) -> tuple[str, list[tuple[str, str]]]:
    """The value with OCR confusions undone, and what was changed, in English and Chinese (never the number)."""
    normal = unicodedata.normalize("NFKC", value)
    swapped = normal.translate(_OCR_TABLE)
    fixed = "".join(swapped.split())
    changes = [(f"{c}→{_OCR_DIGITS[c]}",) * 2 for c in dict.fromkeys(normal) if c in _OCR_DIGITS]
    if fixed != swapped:
        changes.append(("spaces removed", "去除空格"))
    if normal != value:
        changes.append(("full-width characters", "全角转半角"))
    return fixed, changes


def structured(value: object) -> str | None:
    """The value if it has the form of an ID number (17 digits, then a digit or X), else None."""
    if isinstance(value, str) and _STRUCTURE.fullmatch(value):
        return value
    return None


def checksum_ok(number: str) -> bool:
    """Whether the check digit of a :func:`structured` number is right (stdnum computes it)."""
    return ric.calc_check_digit(number) == number[-1]


def valid(value: object) -> str | None:
    """The number if it is structured and its check digit is right: a number read correctly."""
    number = structured(value)
    return number if number is not None and checksum_ok(number) else None


def birth_date(value: object) -> dt.date | None:
    """The birth date inside a structured number (digits 7-14), or None if it is not a real date.

    Read whether or not the check digit is right: a wrong check digit does not
    make the date unreadable, and a printed date that disagrees with it still
    needs a person to look.
    """
    number = structured(value)
    if number is None:
        return None
    try:
        return ric.get_birth_date(number)
    except (ValidationError, ValueError):
        return None


def sex(value: object) -> str | None:
    """'男' (odd 17th digit) or '女' (even) for a structured number."""
    number = structured(value)
    if number is None:
        return None
    return "男" if int(number[16]) % 2 else "女"


def birth_place_ok(number: str) -> bool:
    """Whether stdnum knows the area code as in use in the birth year of a structured number.

    stdnum 2.2 raises ``KeyError`` (not a validation error) for a code whose
    province it knows but whose county it does not; that counts as unknown.
    """
    try:
        ric.get_birth_place(number)
    except (ValidationError, KeyError, ValueError):
        return False
    return True
