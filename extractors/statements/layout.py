"""Statement layouts as data.

A :class:`Layout` says how one bank's export is recognised and read: the words
that identify it (in the page text or the PDF's producer/creator), which
column header means which role, and the patterns of the header fields. Each
known layout is one small module in :mod:`extractors.statements.layouts`;
declaring it is registering it. The :data:`GENERIC` layout knows only the
column words every Chinese statement uses and reads an unknown bank's export
from its header row.

Detection (:func:`detect`) never takes the first match: a statement that
matches no layout, or more than one, is read with the generic layout and the
reason is kept with the document.

>>> GENERIC.role("交易金额(收入/支出)"), GENERIC.role("借方发生额"), GENERIC.role("对方账号与户名")
('amount', 'outflow', 'counterparty_both')
>>> GENERIC.role("记账日期 Date"), GENERIC.role("序号")
('date', None)
>>> sorted(known())[:2]
['abc', 'boc']
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from extractors.statements.values import norm

ROLES = ("date", "time", "amount", "inflow", "outflow", "flag", "balance", "counterparty", "counterparty_account",
         "counterparty_both", "summary", "channel", "place")
"""What a column holds. ``flag`` is a 借/贷 (or 收/支) marker beside an unsigned ``amount``; ``inflow`` and
``outflow`` are the two unsigned columns of a debit/credit layout; ``counterparty_both`` holds name and
account in one cell; ``place`` (交易场所/交易地点) is recognised as a column but not read: it is where, not how."""

GENERIC_COLUMNS: Mapping[str, str] = {
    "交易日期": "date", "记账日期": "date", "入账日期": "date", "日期": "date", "交易日": "date",
    "交易时间": "time", "记账时间": "time", "时间": "time",
    "交易金额": "amount", "发生额": "amount", "金额": "amount", "收支金额": "amount", "收入/支出": "amount",
    "收入/支出金额": "amount", "交易额": "amount",
    "收入": "inflow", "收入金额": "inflow", "贷方发生额": "inflow", "贷方金额": "inflow", "存入": "inflow",
    "存入金额": "inflow", "贷方": "inflow",
    "支出": "outflow", "支出金额": "outflow", "借方发生额": "outflow", "借方金额": "outflow", "取出": "outflow",
    "支取金额": "outflow", "借方": "outflow",
    "借贷标志": "flag", "借贷": "flag", "收/支": "flag", "收支": "flag", "借贷方向": "flag", "收支标志": "flag",
    "余额": "balance", "账户余额": "balance", "本次余额": "balance", "联机余额": "balance", "当前余额": "balance",
    "交易后余额": "balance",
    "对方户名": "counterparty", "对方账户名": "counterparty", "对方名称": "counterparty", "交易对方": "counterparty",
    "对手户名": "counterparty", "对方姓名": "counterparty", "对方账户名称": "counterparty",
    "对方账号": "counterparty_account", "对方账户": "counterparty_account", "对方卡号": "counterparty_account",
    "对手账号": "counterparty_account", "对方卡号/账号": "counterparty_account",
    "对方账号与户名": "counterparty_both", "对手信息": "counterparty_both", "对方信息": "counterparty_both",
    "对方账号/户名": "counterparty_both",
    "摘要": "summary", "交易摘要": "summary", "交易名称": "summary", "附言": "summary", "用途": "summary",
    "交易用途": "summary", "交易类型": "summary", "备注": "summary",
    "渠道": "channel", "交易渠道": "channel", "交易方式": "channel",
    "交易场所": "place", "交易地点": "place", "交易地点/附言": "place",
}
"""Column header words of Chinese statements and the role each names; the longest word a header contains wins."""


@dataclass(frozen=True)
class Layout:
    name: str
    bank_name: str | None
    """The bank, for a known layout; the generic layout reads it from the title."""
    identifiers: tuple[str, ...] = ()
    """Words that must all appear in the first page's text (or the producer/creator) for this layout."""
    columns: Mapping[str, str] = field(default_factory=dict)
    """This layout's own header words → role (``""``: a column that is not read), consulted before the
    generic ones."""
    header_fields: Mapping[str, str] = field(default_factory=dict)
    """Regular expressions (one group) over the header text for this layout's own labels, by field name,
    consulted before the generic ones."""
    newest_first: bool | None = None
    """What the bank prints; None: decided from the dates. Only a hint: the reader checks it."""

    def role(self, header: str) -> str | None:
        """The role the column header names (longest matching word wins), or None for a column not read."""
        text = norm(header)
        best: tuple[int, str] | None = None
        # the layout's own words first: a generic word wins only when it is longer (对方账号/户名 holds both,
        # whatever the layout calls 对方账号)
        for words in (_normed(tuple(self.columns.items())), _normed(tuple(GENERIC_COLUMNS.items()))):
            for word, role in words:
                if word in text and (best is None or len(word) > best[0]):
                    best = (len(word), role)
        if best is None:
            return misread_role(text, (*_normed(tuple(self.columns.items())), *_normed(tuple(GENERIC_COLUMNS.items()))))
        return best[1] or None

    def header_words(self) -> tuple[str, ...]:
        """Every header word this layout knows (its own and the generic ones), normalised, longest first."""
        return _header_words(tuple(self.columns), tuple(GENERIC_COLUMNS))

    def matches(self, text: str) -> bool:
        return bool(self.identifiers) and all(norm(w) in text for w in self.identifiers)


HEADER_LOOKALIKES = frozenset({frozenset("人入"), frozenset("曰日"), frozenset("己已"), frozenset("未末"),
                               frozenset("户尸"), frozenset("帐账")})
"""Pairs of characters a recogniser takes for one another in small print: half a mismatch in a header word."""


def misread_role(text: str, words: tuple[tuple[str, str], ...]) -> str | None:
    """The role of a header of four or more characters that a low-resolution scan garbled (``克出金聯`` for
    支出金额, ``收人金朝`` for 收入金额): the header words of the same length it differs from in the fewest
    characters, at most two and at most half of them, when those words all name one role.

    >>> words = tuple(GENERIC_COLUMNS.items())
    >>> misread_role("克出金聯", words), misread_role("收人金朝", words)
    ('outflow', 'inflow')
    >>> misread_role("交易明细", words) is None  # 交易金额, 交易类型…: no one role
    True
    """
    if len(text) < 4:
        return None
    costs: dict[float, set[str]] = {}
    for word, role in words:
        if len(word) == len(text):
            cost = sum(0 if a == b else 0.5 if frozenset((a, b)) in HEADER_LOOKALIKES else 1
                       for a, b in zip(word, text, strict=True))
            costs.setdefault(cost, set()).add(role)
    best = min(costs, default=None)
    if best is None or best > min(2, len(text) / 2) or len(costs[best]) != 1:
        return None
    return next(iter(costs[best])) or None


@cache
def _normed(words: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple((norm(w), role) for w, role in words)


@cache
def _header_words(own: tuple[str, ...], generic: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted({norm(w) for w in (*own, *generic) if w}, key=len, reverse=True))


GENERIC = Layout(name="generic", bank_name=None)

_KNOWN: dict[str, Layout] = {}


def declare(layout: Layout) -> Layout:
    """Register a known layout (each module in :mod:`extractors.statements.layouts` calls this once)."""
    if not layout.identifiers:
        raise TypeError(f"layout {layout.name!r} must declare identifiers")
    if layout.name in _KNOWN and _KNOWN[layout.name] != layout:
        raise TypeError(f"layout {layout.name!r} declared twice")
    for role in layout.columns.values():
        if role and role not in ROLES:
            raise TypeError(f"layout {layout.name!r}: unknown column role {role!r}")
    _KNOWN[layout.name] = layout
    return layout


@cache
def known() -> dict[str, Layout]:
    from extractors.statements import layouts

    for info in pkgutil.iter_modules(layouts.__path__):
        importlib.import_module(f"{layouts.__name__}.{info.name}")
    return dict(_KNOWN)


@dataclass(frozen=True)
class Detection:
    layout: Layout
    candidates: tuple[str, ...]
    note: str


def detect(first_page_text: str, producer: str | None = None, creator: str | None = None) -> Detection:
    """The layout of a statement from its first page's text and PDF metadata.

    >>> detect("中国工商银行借记卡账户历史明细清单 卡号").layout.name
    'icbc'
    >>> d = detect("某某银行 个人账户交易明细")
    >>> d.layout.name, d.note
    ('generic', 'no known layout matched; columns found from the header row')
    """
    text = norm(first_page_text + " " + (producer or "") + " " + (creator or ""))
    found = tuple(sorted(name for name, lay in known().items() if lay.matches(text)))
    if len(found) == 1:
        return Detection(known()[found[0]], found, f"layout {found[0]}")
    if not found:
        return Detection(GENERIC, found, "no known layout matched; columns found from the header row")
    return Detection(GENERIC, found, f"several layouts matched ({', '.join(found)}); columns found from the header row")


BANKS = ("中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "招商银行", "交通银行", "中国邮政储蓄银行",
         "中信银行", "中国光大银行", "华夏银行", "中国民生银行", "广发银行", "平安银行", "兴业银行", "浦发银行",
         "上海浦东发展银行", "浙商银行", "渤海银行", "恒丰银行")
_BANK_IN_TITLE = re.compile(r"([\u4e00-\u9fff]{2,14}?(?:农村商业银行|农商银行|商业银行|银行|信用合作联社|信用社))")


def bank_in(text: str) -> str | None:
    """The bank named in a statement's title text: a national bank by name, else the first ``…银行``.

    >>> bank_in("成都农村商业银行个人账户交易明细"), bank_in("中国银行交易流水明细清单"), bank_in("交易明细")
    ('成都农村商业银行', '中国银行', None)
    """
    t = norm(text)
    hits = [(t.find(b), -len(b), b) for b in BANKS if b in t]
    if hits:
        return min(hits)[2]
    m = _BANK_IN_TITLE.search(t)
    return m[1] if m else None
