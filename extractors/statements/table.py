"""Reading a statement's transaction table from positioned text cells.

The same code reads the cells of a PDF's text layer and the boxes an OCR
engine found on a scanned or photographed page (both in page-image pixels):

1. cells are grouped into visual lines by their vertical centres;
2. the column-header line is the first line naming at least three roles,
   among them a date and a balance or an amount (:meth:`Layout.role`); each
   header cell is a column, its extent running to the middle of the gaps to
   its neighbours. A page without a header line (a continuation page that does
   not repeat it) keeps the previous page's columns. On a tilted photo the
   header's last cells may sit on the next line: header words beside the
   header are taken back into it (:func:`_gather_header`); a header a scan
   garbled (``克出金聯``) is matched to the word it differs least from;
3. a line whose date-column cell holds a date (or a date's shape, ``2026~05-05``) starts a transaction
   row; a line
   without one is a cell wrapped over two lines and joins the nearest row
   above or below it (banks print wrapped rows top-aligned or centred); a
   footer or subtotal line (第N页/共M页, 本页合计, 小计…) ends the page's table, and so does, below the
   page's last dated line, a line that is no wrapped cell: a summary (``交易笔数：33``, ``期末余额：…``,
   ``共 68 笔``), a sentence running across three or more columns (a disclaimer the reader has never
   seen) — a row ends where the table ends (:func:`ends_table`);
4. column extents follow the data (:func:`fit_columns`); each cell goes to the column it overlaps most,
   and an OCR box running over two columns is split between them (a money column takes one amount).

What is above the first header line of the first page is the statement's own
header (title, account holder, account, period), returned as text cells for
the header-field patterns.
"""

from __future__ import annotations

import itertools
import re
import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from extractors.models import BBox, TextLine
from extractors.statements.layout import Layout
from extractors.statements.values import norm, parse_amount, parse_day, parse_time
from extractors.text import union

MIN_HEADER_ROLES = 3
END_OF_TABLE = re.compile(r"第\d+页|共\d+页|合计|小计|总计|以下空白|以下无|无交易记录|打印时间|打印日期|Page\d+", re.I)
SUMMARY = re.compile(r"[\u4e00-\u9fff]{2,}[:：][+\-]?[¥￥]?\d|共\d+笔|\d+笔|笔数|期末余额|期初余额|本期|本页|温馨提示|"
                     r"仅供参考|为准|声明|^注[:：]|^说明[:：]|^备注[:：]|^-?\d+/\d+-?$")
"""Words and shapes of the lines printed under a statement's table (summaries, notes, page numbers)."""


@dataclass
class Column:
    role: str | None
    """None: a column the statement prints that is not read (序号, 币别, 钞汇…)."""
    header: str
    x0: float
    x1: float
    header_x0: float = 0.0
    header_x1: float = 0.0
    """Where the header cell itself is."""

    def __post_init__(self) -> None:
        if not self.header_x0 and not self.header_x1:
            self.header_x0, self.header_x1 = self.x0, self.x1


@dataclass
class Row:
    page: int
    anchor_y: float
    cells: dict[str, list[TextLine]] = field(default_factory=dict)

    def text(self, role: str) -> str | None:
        cells = sorted(self.cells.get(role, []), key=lambda c: (c.bbox[1], c.bbox[0]))
        joined = "".join(c.text.strip() for c in cells)
        return joined or None

    def bbox(self, role: str) -> BBox | None:
        cells = self.cells.get(role)
        return union([c.bbox for c in cells]) if cells else None

    def confidence(self, role: str) -> float:
        return min((c.confidence for c in self.cells.get(role, [])), default=0.0)

    @property
    def roles(self) -> set[str]:
        return set(self.cells)


@dataclass
class Table:
    header_cells: list[TextLine]
    columns: list[Column]
    rows: list[Row]
    pages_without_header: list[int] = field(default_factory=list)
    footer_cells: list[TextLine] = field(default_factory=list)
    """Cells below the table on the last page (a printed closing balance, the bank's note)."""
    page_footers: dict[int, list[TextLine]] = field(default_factory=dict)
    """Cells below the table on each page (a page's own totals, 本页收入/本页支出)."""

    @property
    def roles(self) -> set[str]:
        return {c.role for c in self.columns if c.role}


def lines_of(cells: Sequence[TextLine]) -> list[list[TextLine]]:
    """Cells grouped into visual lines (vertical centres within 0.45 of a cell height), top to bottom."""
    out: list[list[TextLine]] = []
    for cell in sorted(cells, key=lambda c: (c.bbox[1] + c.bbox[3]) / 2):
        mid = (cell.bbox[1] + cell.bbox[3]) / 2
        if out:
            ref = out[-1]
            ref_mid = statistics.fmean((c.bbox[1] + c.bbox[3]) / 2 for c in ref)
            height = max(cell.bbox[3] - cell.bbox[1], statistics.fmean(c.bbox[3] - c.bbox[1] for c in ref))
            if abs(mid - ref_mid) <= 0.45 * height:
                ref.append(cell)
                continue
        out.append([cell])
    return [sorted(line, key=lambda c: c.bbox[0]) for line in out]


def _split_header(cell: TextLine, layout: Layout) -> list[TextLine]:
    """A header cell that is two headers run together (``交易日期交易时间``: the OCR joined them), split."""
    text = norm(cell.text)
    taken: list[tuple[int, int]] = []
    for w in layout.header_words():
        start = text.find(w)
        while start >= 0:
            span = (start, start + len(w))
            if all(span[1] <= a or span[0] >= b for a, b in taken):
                taken.append(span)
            start = text.find(w, start + 1)
    taken.sort()
    if len(taken) < 2 or sum(b - a for a, b in taken) < 0.7 * len(text):
        return [cell]
    bounds = [0] + [b for _, b in taken[:-1]] + [len(text)]
    widths = [_width(ch) for ch in text]
    scale = (cell.bbox[2] - cell.bbox[0]) / sum(widths)
    out = []
    for lo, hi in itertools.pairwise(bounds):
        x0 = cell.bbox[0] + sum(widths[:lo]) * scale
        x1 = cell.bbox[0] + sum(widths[:hi]) * scale
        out.append(cell.model_copy(update={"text": text[lo:hi], "bbox": (round(x0), cell.bbox[1], round(x1),
                                                                         cell.bbox[3])}))
    return out


def _header_line(line: list[TextLine], layout: Layout) -> list[Column] | None:
    line = [part for c in line for part in _split_header(c, layout)]
    roles = [layout.role(c.text) for c in line]
    found = {r for r in roles if r}
    has_amount = bool(found & {"amount", "inflow", "outflow"})
    if len(found) < MIN_HEADER_ROLES or "date" not in found or not (has_amount or "balance" in found):
        return None
    columns = [Column(role, c.text, c.bbox[0], c.bbox[2]) for c, role in zip(line, roles, strict=True)]
    columns = _merge_split_headers(columns)
    for left, right in itertools.pairwise(columns):
        middle = (left.x1 + right.x0) / 2
        left.x1, right.x0 = middle, middle
    columns[0].x0, columns[-1].x1 = float("-inf"), float("inf")
    return columns


def _is_header_word(cell: TextLine, layout: Layout) -> bool:
    text = norm(cell.text)
    return bool(text) and layout.role(text) is not None and any(
        w in text and len(w) >= 0.7 * len(text) for w in layout.header_words())


def _gather_header(lines: list[list[TextLine]], i: int, layout: Layout) -> tuple[list[list[TextLine]], int]:
    """The header line ``lines[i]`` with the header cells a tilt put on the line above or below it.

    On a photo taken at an angle the header's far end sits lower (or higher) than its start, so its last
    headers (``对方卡号``, ``交易渠道``) are grouped with the first row or the line above: a cell there that is
    a header word, beside the header rather than under one of its cells and within a line's height of the
    nearest of them, is moved to the header. Returns the lines and the header's index among them.
    """
    lines = [list(line) for line in lines]
    header = list(lines[i])
    for k in (i - 1, i + 1):
        if not 0 <= k < len(lines):
            continue
        strays = []
        for c in lines[k]:
            if not _is_header_word(c, layout) or any(min(c.bbox[2], h.bbox[2]) > max(c.bbox[0], h.bbox[0])
                                                     for h in header):
                continue
            near = min(header, key=lambda h: min(abs(h.bbox[0] - c.bbox[2]), abs(c.bbox[0] - h.bbox[2])))
            if abs((near.bbox[1] + near.bbox[3]) - (c.bbox[1] + c.bbox[3])) / 2 <= near.bbox[3] - near.bbox[1]:
                strays.append(c)
        if strays:
            header += strays
            lines[k] = [c for c in lines[k] if c not in strays]
    lines[i] = sorted(header, key=lambda c: c.bbox[0])
    return [line for k, line in enumerate(lines) if line or k == i], i - (i > 0 and not lines[i - 1])


def _merge_split_headers(columns: list[Column]) -> list[Column]:
    """Two header cells with no role of their own side by side are kept; a role repeated in adjacent
    cells (an OCR box split inside one header) is one column."""
    merged: list[Column] = []
    for col in columns:
        if merged and col.role and merged[-1].role == col.role and col.x0 - merged[-1].x1 < 8:
            merged[-1] = Column(col.role, merged[-1].header + col.header, merged[-1].x0, col.x1,
                                merged[-1].header_x0, col.header_x1)
        else:
            merged.append(col)
    return merged


def _overlap(cell: TextLine, col: Column) -> float:
    return min(cell.bbox[2], col.x1) - max(cell.bbox[0], col.x0)


def _width(ch: str) -> float:
    """Rough advance of a character in ems: CJK and full-width ones are square, the rest about half."""
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55


def _kind(ch: str) -> str:
    if ch.isspace():
        return " "
    if ch.isdigit() or ch in ".,+-:/*":
        return "9"
    return "a" if ch.isascii() else "中"


NUMERIC_ROLES = frozenset({"date", "time", "amount", "inflow", "outflow", "balance", "counterparty_account"})
"""Columns that hold digits (and separators) only; the rest may hold anything."""


def _pieces(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` runs of one kind (digits and number punctuation, or the rest), spaces dropped."""
    out: list[tuple[int, int, str]] = []
    for i, ch in enumerate(text):
        kind = _kind(ch)
        if kind == " ":
            continue
        kind = "9" if kind == "9" else "a"
        if out and out[-1][2] == kind and out[-1][1] == i:
            out[-1] = (out[-1][0], i + 1, kind)
        else:
            out.append((i, i + 1, kind))
    return out


def _may_move(home: Column, to: Column, piece: str) -> bool:
    """Whether a piece of a cell lying in ``home`` may go to the neighbouring column ``to``: digits that are
    what a digits column holds, or words out of a digits column (a balance run into the place beside it)."""
    if to.role in NUMERIC_ROLES:
        return _looks_like(to.role, piece)
    return home.role in NUMERIC_ROLES and to.role is not None


def _looks_like(role: str | None, text: str) -> bool:
    """Whether a piece split off into a neighbouring column is what that column holds."""
    if role in ("amount", "balance", "inflow", "outflow"):
        return parse_amount(text) is not None and "." in text
    if role == "counterparty_account":
        return sum(ch.isdigit() for ch in text) >= 8
    if role == "date":
        return parse_day(text) is not None
    if role == "time":
        return parse_time(text) is not None
    return role is not None and role not in NUMERIC_ROLES


MONEY_ROLES = frozenset({"amount", "inflow", "outflow", "balance"})


def _fill(pieces: list[tuple[int, int, str]], cols: list[Column],
          text: str = "") -> list[list[tuple[int, int, str]]] | None:
    """Pieces shared out over the columns in order: each column at least one, a digits-only column only digit
    runs, a money column one amount (``22,790.57 215500690/…`` over balance and counterparty gives the
    account number to the counterparty). None when they cannot be."""
    if not cols:
        return [] if not pieces else None
    numeric = cols[0].role in NUMERIC_ROLES
    for take in range(len(pieces) - len(cols) + 1, 0, -1):
        head = pieces[:take]
        if numeric and any(k != "9" for _, _, k in head):
            continue
        if text and take > 1 and cols[0].role in MONEY_ROLES \
                and parse_amount(re.sub(r"\s", "", text[head[0][0]:head[-1][1]])) is None:
            continue
        rest = _fill(pieces[take:], cols[1:], text)
        if rest is not None:
            return [head, *rest]
    return None


def split_over_columns(cell: TextLine, columns: list[Column]) -> list[tuple[Column, TextLine]]:
    """A cell that runs over two or more columns (an OCR box joining neighbours, or a text layer whose
    cells touch), split into what each column holds.

    The cell is cut where its text changes between digits and other text (or at a space), and the runs are
    shared out over the columns it overlaps, in order, digits-only columns (amounts, balances, account
    numbers, dates) taking digit runs only: ``25671.91 长沙市…`` over balance and counterparty, or
    ``6222021635958598346网上银行`` over account and channel. A cell whose runs do not fit its columns stays
    whole in the column it overlaps most (a long name spilling over its border).
    """
    whole = [(_column_of(cell, columns), cell)]
    width = cell.bbox[2] - cell.bbox[0]
    text = cell.text
    spanned = sorted((c for c in columns if _overlap(cell, c) >= 4), key=lambda c: c.x0)
    pieces = _pieces(text)
    kinds = {k for _, _, k in pieces}
    if len(spanned) == 1 and kinds != {"9", "a"} and (kinds <= {"9"} or spanned[0].role not in NUMERIC_ROLES):
        return [(spanned[0], cell)]  # inside one column and of its kind: the common case, quickly
    if len(spanned) == 1 and kinds == {"9", "a"}:
        # digits and words in one column: the digits (or the words) may belong to a neighbour the cell
        # touches — a right-aligned balance run into a left-aligned name
        ordered = sorted(columns, key=lambda c: c.x0)
        at = ordered.index(spanned[0])
        for near in (ordered[max(0, at - 1):at + 1], ordered[at:at + 2]):
            if len(near) < 2 or any(_overlap(cell, c) <= -0.12 * width for c in near):
                continue
            shares = _fill(pieces, near, text)
            if shares is not None and all(_may_move(spanned[0], col, text[s[0][0]:s[-1][1]])
                                          for col, s in zip(near, shares, strict=True) if col is not spanned[0]):
                spanned = near
                break
        else:
            return whole
    shares = None
    while len(spanned) >= 2:
        shares = _fill(pieces, spanned, text)
        if shares is not None:
            break
        edge = min((spanned[0], spanned[-1]), key=lambda c: _overlap(cell, c))
        if _overlap(cell, edge) >= 0.25 * width:
            break  # a column it clearly runs into, and the text does not fit: leave it whole
        spanned.remove(edge)
    if shares is None or len(spanned) < 2:
        return whole
    widths = [_width(ch) for ch in text]
    scale = (cell.bbox[2] - cell.bbox[0]) / sum(widths)
    starts = list(itertools.accumulate([0.0, *widths[:-1]]))
    parts = []
    for col, share in zip(spanned, shares, strict=True):
        lo, hi = share[0][0], share[-1][1]
        x0 = cell.bbox[0] + starts[lo] * scale
        x1 = cell.bbox[0] + (starts[hi - 1] + widths[hi - 1]) * scale
        parts.append((col, cell.model_copy(update={"text": text[lo:hi], "bbox": (round(x0), cell.bbox[1],
                                                                                   round(x1), cell.bbox[3])})))
    return parts


def _column_of(cell: TextLine, columns: list[Column]) -> Column:
    """The column a cell overlaps most; first among those it overlaps or nearly touches, one whose kind fits
    its text (the wrapped tail ``限公司`` of a name leaning over a balance column belongs to the name)."""
    x0, x1 = cell.bbox[0], max(cell.bbox[2], cell.bbox[0] + 1)
    mid, reach = (x0 + x1) / 2, max(8.0, 0.5 * (x1 - x0))
    digits = all(k == "9" for _, _, k in _pieces(cell.text))
    return max(columns, key=lambda c: (min(x1, c.x1) - max(x0, c.x0) > -reach
                                       and (digits or c.role not in NUMERIC_ROLES),
                                       min(x1, c.x1) - max(x0, c.x0), -abs(mid - (c.x0 + c.x1) / 2)))


def above_header(cells: Sequence[TextLine], layout: Layout) -> list[TextLine]:
    """The cells above the first column-header line (all of them when there is none): the statement's
    title and header block, where its layout is recognised."""
    lines = lines_of(cells)
    for i, line in enumerate(lines):
        if _header_line(line, layout):
            return [c for ln in lines[:i] for c in ln]
    return [c for ln in lines for c in ln]


def read_table(pages: Sequence[tuple[int, Sequence[TextLine]]], layout: Layout) -> Table | None:
    """The transaction table over all pages, or None when no page has a column-header line."""
    table: Table | None = None
    columns: list[Column] | None = None
    for page_no, cells in pages:
        lines = lines_of(cells)
        start = None
        for i, line in enumerate(lines):
            if _header_line(line, layout):
                lines, start = _gather_header(lines, i, layout)
                columns = _header_line(lines[start], layout)
                break
        if columns is None:
            continue
        if table is None:
            header_cells = [c for line in lines[:start] for c in line] if start is not None else []
            table = Table(header_cells=header_cells, columns=columns, rows=[])
        if start is None:
            table.pages_without_header.append(page_no)
        body = lines[start + 1:] if start is not None else lines
        page_columns = fit_columns(columns, body)
        rows, footer = _rows(page_no, body, page_columns,
                             header_bottom=_bottom(lines[start]) if start is not None else None)
        table.rows.extend(rows)
        table.footer_cells = footer
        table.page_footers[page_no] = footer
    return table


def fit_columns(columns: list[Column], body: list[list[TextLine]]) -> list[Column]:
    """Column extents from where the data lies, not only from where the headers are.

    Headers are often centred or left-aligned over columns whose data is right-aligned (amounts) or wider
    than the header, so the midpoints between headers misplace cells. The table's body leaves vertical
    white "rivers" between its columns: the x-intervals that no body cell covers. Each run of covered x is
    given to the header it overlaps most (or the nearest one), and a column spans the runs it was given.
    """
    cells = [c for line in body[:table_end(body, columns)] for c in line]
    if len(cells) < 2:
        return columns
    runs: list[list[float]] = []
    for x0, x1 in sorted((float(c.bbox[0]), float(c.bbox[2])) for c in cells):
        if runs and x0 <= runs[-1][1] + 1:
            runs[-1][1] = max(runs[-1][1], x1)
        else:
            runs.append([x0, x1])
    heads = [(c, _centre_of_header(c)) for c in columns]
    owner: dict[int, list[tuple[float, float]]] = {i: [] for i in range(len(columns))}
    for x0, x1 in runs:
        inside = [i for i, (_, mid) in enumerate(heads) if x0 <= mid <= x1]
        if len(inside) > 1:  # data of two columns touching: cut between their headers
            cuts = [x0] + [(heads[a][1] + heads[b][1]) / 2 for a, b in itertools.pairwise(inside)] + [x1]
            for i, lo, hi in zip(inside, cuts, cuts[1:], strict=False):
                owner[i].append((lo, hi))
            continue
        i = inside[0] if inside else min(range(len(heads)), key=lambda k: min(abs(heads[k][1] - x0),
                                                                              abs(heads[k][1] - x1)))
        owner[i].append((x0, x1))
    _share_runs(heads, owner)
    fitted = []
    for i, (col, mid) in enumerate(heads):
        spans = owner[i] or [(mid - 1, mid + 1)]
        fitted.append(Column(col.role, col.header, min(s[0] for s in spans), max(s[1] for s in spans),
                             col.header_x0, col.header_x1))
    return fitted


def _share_runs(heads: list[tuple[Column, float]], owner: dict[int, list[tuple[float, float]]]) -> None:
    """Give a header that got no run of its own a share of the run under it.

    On a skewed photo or scan the rows drift sideways, so right-aligned data of one column (balances) runs into
    the next column's (the counterparty) and the two form one run that holds only the neighbour's header
    centre: the column would shrink to nothing and its cells go to the neighbour. The run that overlaps the
    header (or lies nearest it) is cut between the two header centres, as the headers themselves divide it.
    """
    for i, (col, mid) in enumerate(heads):
        if owner[i]:
            continue
        spans = [(j, k, span) for j, got in owner.items() if j != i for k, span in enumerate(got)]

        def closeness(item: tuple[int, int, tuple[float, float]], c: Column = col, m: float = mid) -> float:
            lo, hi = item[2]
            overlap = min(hi, c.header_x1) - max(lo, c.header_x0)
            return overlap if overlap > 0 else -min(abs(m - lo), abs(m - hi))

        if not spans:
            continue
        j, k, (lo, hi) = max(spans, key=closeness)
        if closeness((j, k, (lo, hi))) <= 0 or abs(j - i) != 1:
            continue  # only a neighbour's run that lies under this header is shared
        cut = (mid + heads[j][1]) / 2
        if not lo < cut < hi:
            continue
        owner[i].append((lo, cut) if i < j else (cut, hi))
        owner[j][k] = (cut, hi) if i < j else (lo, cut)


def _centre_of_header(col: Column) -> float:
    return (col.header_x0 + col.header_x1) / 2


def _bottom(line: list[TextLine]) -> float:
    return max(c.bbox[3] for c in line)


def _mid(line: list[TextLine]) -> float:
    return statistics.fmean((c.bbox[1] + c.bbox[3]) / 2 for c in line)


def ends_table(line: list[TextLine], columns: list[Column]) -> bool:
    """Whether a line without a date, below a page's last dated line, is printed under the table rather
    than a wrapped cell of its last row: summary words or a ``label：number`` shape, or a cell running
    across three or more columns (a wrapped cell stays inside its own).

    >>> from extractors.models import TextLine
    >>> cols = [Column("date", "日期", 0, 100), Column("amount", "金额", 100, 200), Column("balance", "余额", 200, 300)]
    >>> cell = lambda text, x0, x1: TextLine(text=text, confidence=1.0, page=1, bbox=(x0, 0, x1, 10))
    >>> ends_table([cell("交易笔数：33", 0, 60)], cols), ends_table([cell("有限公司", 210, 260)], cols)
    (True, False)
    >>> ends_table([cell("本明细由系统自动生成加盖业务专用章后有效", 0, 290)], cols)
    True
    """
    if any(SUMMARY.search(norm(c.text)) for c in line) or END_OF_TABLE.search(norm("".join(c.text for c in line))):
        return True
    return any(sum(1 for col in columns if _overlap(c, col) >= 4) >= 3 and sum(_kind(ch) == "中" for ch in c.text) >= 4
               for c in line)


DATE_SHAPE = re.compile(r"(?<!\d)20\d{2}\D{1,2}[01]?\d\D{1,2}[0-3]?\d(?!\d)")
"""A date whose separators a scan garbled (``2026~05-05``): it still starts a row (whose date is then unread and
goes to review) rather than making the row a wrapped line of the one above."""


def dated(line: list[TextLine], date_cols: list[Column]) -> bool:
    """Whether a line holds a date (or the shape of one) in a date column: it starts a transaction row."""
    return any(any(_overlap(c, d) > 0 for d in date_cols) and (parse_day(c.text) or DATE_SHAPE.search(norm(c.text)))
               for c in line)


def table_end(body: list[list[TextLine]], columns: list[Column]) -> int:
    """Index of the first line of ``body`` below the table: a footer or subtotal line anywhere, or below the
    last dated line a line printed under the table (:func:`ends_table`); ``len(body)`` when none is."""
    date_cols = [c for c in columns if c.role == "date"]

    def is_dated(line: list[TextLine]) -> bool:
        return dated(line, date_cols)

    last_dated = max((i for i, line in enumerate(body) if is_dated(line)), default=-1)
    for i, line in enumerate(body):
        text = norm("".join(c.text for c in line))
        if (END_OF_TABLE.search(text) and not any(_column_of(c, columns).role == "date" and parse_day(c.text)
                                                   for c in line)) \
                or (0 <= last_dated < i and ends_table(line, columns)):
            return i
    return len(body)


def _rows(page_no: int, body: list[list[TextLine]], columns: list[Column],
          header_bottom: float | None) -> tuple[list[Row], list[TextLine]]:
    date_cols = [c for c in columns if c.role == "date"]
    anchors: list[tuple[int, Row]] = []
    loose: list[tuple[int, list[TextLine]]] = []
    footer: list[TextLine] = []

    def is_dated(line: list[TextLine]) -> bool:
        return dated(line, date_cols)

    end = table_end(body, columns)
    footer = [c for rest in body[end:] for c in rest]
    body = body[:end]
    for i, line in enumerate(body):
        if is_dated(line):
            anchors.append((i, Row(page=page_no, anchor_y=_mid(line))))
        else:
            loose.append((i, line))
    rows = [row for _, row in anchors]
    if not rows:
        return [], footer
    heights = [c.bbox[3] - c.bbox[1] for line in body for c in line]
    reach = 2.6 * statistics.median(heights)
    assignments: dict[int, Row] = {i: row for i, row in anchors}
    for i, line in loose:
        y = _mid(line)
        above = [r for r in rows if r.anchor_y <= y]
        below = [r for r in rows if r.anchor_y > y]
        up = above[-1] if above else None
        down = below[0] if below else None
        # rows are printed top-aligned more often than centred: prefer the row above unless the one
        # below is clearly nearer (the first line of a cell centred on its row's taller height)
        if up is not None and (down is None or down.anchor_y - y >= 0.6 * (y - up.anchor_y)):
            chosen, distance = up, y - up.anchor_y
        elif down is not None:
            chosen, distance = down, down.anchor_y - y
            if up is None and header_bottom is not None and y - header_bottom < distance:
                continue  # closer to the header (its second, English line) than to the first row
        else:  # pragma: no cover - rows is not empty, so one side exists
            continue
        if distance > reach:
            continue
        assignments[i] = chosen
    for i, row in sorted(assignments.items()):
        for cell in body[i]:
            for col, part in split_over_columns(cell, columns):
                if col.role:
                    row.cells.setdefault(col.role, []).append(part)
    return rows, footer
