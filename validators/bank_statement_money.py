"""Repairs of OCR'd money on bank statements that the balance chain decides.

A grey, low-resolution scan misreads the separators of an amount (``5.524.84``, ``-500,00``) or takes one
digit for a confusable one. Such a cell is given the reading that makes the balance chain hold on both sides
of it — and only a UNIQUE one; the field becomes ``derived`` with a note, and a warning names the repair. A
cell read clearly (a forger's edit too) is never changed, and one the chain cannot decide goes to review.

>>> separator_reading("16.842.27")
Decimal('16842.27')
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from extractors.doctypes.bank_statement import decimal_of, decimal_value
from extractors.models import ExtractedDocument, Field, Finding, Source
from extractors.statements.values import norm, parse_amount
from validators.bank_statement import T, _path, _rows, chronological
from validators.base import RuleContext, repair, warning

SEPARATOR = ".,，。·:'`"
_CONFUSABLE = {"0": "689", "1": "7", "2": "7", "3": "85", "5": "63", "6": "508", "7": "12", "8": "0369", "9": "08"}
"""Digits a recogniser takes for one another on a grey, low-resolution scan."""
CONFUSION_MAX_CONFIDENCE = 0.95
"""A digit is taken for a confusable one only in a cell read with less confidence than this, or read two
ways (the second reading differed from the first): a digit printed clearly — a forger's too — stands."""


def separator_reading(raw: str) -> Decimal | None:
    """The amount a reading with misread separators stands for: the last separator before exactly two digits
    is the decimal point, every other one a thousands separator (each followed by three digits).

    >>> separator_reading("5.524.84"), separator_reading("3.,464.76"), separator_reading("-1,234,56")
    (Decimal('5524.84'), Decimal('3464.76'), Decimal('-1234.56'))
    >>> separator_reading("12.34.56") is None, separator_reading("5524") is None
    (True, True)
    """
    t = norm(raw).replace("¥", "").replace("￥", "").replace("元", "")
    sign = "-" if t.startswith("-") else ""
    t = t.lstrip("+-")
    m = re.fullmatch(rf"(\d[\d{re.escape(SEPARATOR)}]*?)[{re.escape(SEPARATOR)}]+(\d{{2}})", t)
    if not m:
        return None
    groups = [g for g in re.split(f"[{re.escape(SEPARATOR)}]+", m[1])]
    if any(len(g) != 3 for g in groups[1:]) or not 1 <= len(groups[0]) <= (3 if len(groups) > 1 else 12):
        return None
    return Decimal(f"{sign}{''.join(groups)}.{m[2]}")


def readings(f: Field) -> set[Decimal]:
    """What an OCR'd money cell may stand for, besides its value: the separator repair of its reading and, for
    an unsure cell, each reading with one confusable digit changed (:data:`_CONFUSABLE`)."""
    raw = re.sub(r"[借贷收支入出DCR\s]", "", norm(f.raw or ""))
    bases = {b for b in (separator_reading(raw), decimal_value(f.value), parse_amount(raw)) if b is not None}
    out = set(bases)
    if f.confidence < CONFUSION_MAX_CONFIDENCE or (f.note or "").startswith("read again"):
        for base in bases:
            digits = f"{abs(base):.2f}"
            for k, ch in enumerate(digits):
                for other in _CONFUSABLE.get(ch, ""):
                    changed = Decimal(digits[:k] + other + digits[k + 1:])
                    out.add(-changed if base < 0 else changed)
    return {d.quantize(Decimal("0.01")) for d in out}


def _sign_hint(f: Field) -> int:
    """+1 / -1 where the statement prints the amount's direction (a sign, a 借/贷 flag, a debit or credit
    column), else 0."""
    raw, note = norm(f.raw or ""), f.note or ""
    if raw.startswith("-") or any(w in raw for w in ("借", "支")) or "outflow" in note:
        return -1
    if raw.startswith("+") or any(w in raw for w in ("贷", "收")) or "inflow" in note:
        return 1
    return 0


@repair(T)
def money_read_by_balance_chain(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """An OCR'd amount or balance that does not parse or breaks the chain (``5.524.84``, ``3.,464.76``, one
    confusable digit) takes the one reading that makes the balance chain hold on both sides: the previous
    balance plus the amount is the balance, and the balance plus the next amount the next balance (the printed
    opening or closing balance standing in at the ends). Only a UNIQUE such reading, of a cell whose
    neighbours agree; otherwise the cell is left to review. The field becomes ``derived`` with a note and a
    warning names the repair."""
    rows = _rows(doc)
    order = chronological(doc)
    if len(order) < 2:
        return
    opening, closing = (doc.fields.get(n) for n in ("opening_balance", "closing_balance"))
    ends = [decimal_of(f) if f is not None and f.source in (Source.OCR, Source.PDF_TEXT) else None
            for f in (opening, closing)]
    taken = _separator_runs(rows, order, ends[0], ends[1])
    for _ in range(4):
        if taken:
            yield from _take(rows, order, taken)
        proposals = _proposals(rows, order, ends[0], ends[1])
        taken = [(k, name, value) for k, name, value in proposals
                 if not any(j != k and abs(j - k) <= 1 for j, _, _ in proposals)]
        if not taken:
            return


def _take(rows: list[dict[str, Field]], order: list[int], taken: list[tuple[int, str, Decimal]]) -> Iterator[Finding]:
    for k, name, value in taken:
        i = order[k]
        f = rows[i][name]
        rows[i][name] = f.model_copy(update={
            "value": str(value), "source": Source.DERIVED,
            "note": f"read {f.raw!r}; the one reading that makes the balance chain hold on both sides"})
        what, zh = ("amount", "金额") if name == "amount" else ("balance", "余额")
        yield warning("money_read_by_balance_chain", [_path(i, name)],
                      f"Row {i + 1}: the {what} read as '{f.raw}' was taken as {value}, the one reading "
                      "with which the balance chain holds on both sides.",
                      f"第 {i + 1} 行：{zh}识别为“{f.raw}”，按余额连续性取唯一成立的读数 {value}。")


def _separator_runs(rows: list[dict[str, Field]], order: list[int], opening: Decimal | None,
                    closing: Decimal | None) -> list[tuple[int, str, Decimal]]:
    """Unreadable money cells whose separators alone were misread (``16.842.27``, ``-500,00``), several in a
    row: each takes its separator reading (its digits as read) where, with its neighbours' readings, the
    chain holds on both sides of it — every equation it is in, ``previous balance + amount = balance``, holds.
    An amount printed without a sign takes the sign its row's equation needs."""
    amt = [decimal_of(rows[i].get("amount")) for i in order]
    bal = [decimal_of(rows[i].get("balance")) for i in order]
    guessed: dict[tuple[int, str], Decimal] = {}
    for k, i in enumerate(order):
        for name, values in (("amount", amt), ("balance", bal)):
            f = rows[i].get(name)
            if values[k] is None and f is not None and f.source == Source.OCR and f.raw:
                reading = separator_reading(re.sub(r"[借贷收支入出DCR\s]", "", norm(f.raw)))
                if reading is not None:
                    values[k] = reading
                    guessed[(k, name)] = reading
    if not guessed:
        return []
    last = len(order) - 1

    def holds(k: int) -> bool | None:
        """Row k's equation (k == last + 1: the closing balance), or None when a value is missing."""
        if k > last:
            return None if closing is None or bal[last] is None else bal[last] == closing
        before, amount, after = opening if k == 0 else bal[k - 1], amt[k], bal[k]
        if before is None or amount is None or after is None:
            return None
        return before + amount == after or (
            (k, "amount") in guessed and _sign_hint(rows[order[k]]["amount"]) == 0 and before - amount == after)

    out = []
    for (k, name), value in guessed.items():
        if not (holds(k) and holds(k + 1)):  # its own row, and the next (the closing balance after the last)
            continue
        if name == "amount":
            before, after = opening if k == 0 else bal[k - 1], bal[k]
            assert before is not None and after is not None  # holds(k) saw both
            value = after - before
        out.append((k, name, value))
    return out


def _proposals(rows: list[dict[str, Field]], order: list[int], opening: Decimal | None,
               closing: Decimal | None) -> list[tuple[int, str, Decimal]]:
    """``(position in time order, cell, value)`` for every OCR'd money cell that is unreadable or breaks the
    chain and has exactly one reading that closes it on both sides."""
    amt = [decimal_of(rows[i].get("amount")) for i in order]
    bal = [decimal_of(rows[i].get("balance")) for i in order]
    last = len(order) - 1

    def before(k: int) -> Decimal | None:
        return opening if k == 0 else bal[k - 1]

    def holds_after(k: int, balance: Decimal) -> bool:
        if k == last:
            return closing is not None and closing == balance
        nxt_amount, nxt_balance = amt[k + 1], bal[k + 1]
        return nxt_amount is not None and nxt_balance is not None and balance + nxt_amount == nxt_balance

    def broken(k: int) -> bool:
        b, a, c = before(k), amt[k], bal[k]
        if a is None or c is None:
            return True
        return (b is not None and b + a != c) or (k < last and not holds_after(k, c)
                                                  and amt[k + 1] is not None and bal[k + 1] is not None)

    out = []
    for k, i in enumerate(order):
        if not broken(k):
            continue
        b, a, c = before(k), amt[k], bal[k]
        for name in ("amount", "balance"):
            f = rows[i].get(name)
            if f is None or f.source != Source.OCR or not f.raw or b is None:
                continue
            current = decimal_of(f)
            fits = []
            for value in readings(f) - ({current} if current is not None else set()):
                if name == "balance":
                    if a is not None and b + a == value and holds_after(k, value):
                        fits.append(value)
                    continue
                if c is None or value == 0 or not holds_after(k, c):
                    continue
                hint = _sign_hint(f)
                for signed in (value, -value) if hint == 0 else (value,):  # no printed direction: the chain's
                    if b + signed == c and (hint == 0 or (signed > 0) == (hint > 0)):
                        fits.append(signed)
            if len(set(fits)) == 1:
                out.append((k, name, fits[0]))
    return out
