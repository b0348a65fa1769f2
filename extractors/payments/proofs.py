"""The PDF proofs the platforms issue (支付宝交易流水证明, 微信支付交易明细证明): a table in a PDF.

The table is read by the statement table reader (:func:`extractors.statements.table.read_table`: visual
lines, the column-header line, wrapped cells joined to their row, the lines under the table set apart), told
the proofs' column words; a row starts at its transaction time. What is above the table on the first page
is the preamble (``兹证明：姓名（证件号码：…）在其支付宝账号…中的交易流水明细如下``, the period); what is
under it on the last page, or on a page after the last row, the totals.
"""

from __future__ import annotations

from collections.abc import Sequence

from extractors.models import Source, TextLine
from extractors.payments.records import COLUMNS, Cell, Parsed
from extractors.statements.layout import Layout
from extractors.statements.table import Row, read_table

LAYOUT = Layout(name="payment_proof", bank_name=None,
                columns={word: ("date" if role == "datetime" else role) for word, role in COLUMNS.items()})
"""The proofs' column words; the transaction time is the column a row starts at (the reader's ``date``)."""


def _cell(row: Row, role: str, sep: str = "") -> Cell | None:
    cells = sorted(row.cells.get(role, []), key=lambda c: (c.bbox[1], c.bbox[0]))
    if not cells:
        return None
    text = sep.join(c.text.strip() for c in cells)
    return Cell(text=text, page=row.page, bbox=row.bbox(role), confidence=row.confidence(role))


def parse_pages(pages: Sequence[tuple[int, Sequence[TextLine]]], form: str, source: Source) -> Parsed:
    table = read_table(pages, LAYOUT)
    if table is None:
        text = "\n".join(c.text for _, lines in pages for c in lines)
        return Parsed(form=form, header_text=text, rows=[], source=source, meta={"table": "no column header line"})
    rows: list[dict[str, Cell]] = []
    for row in table.rows:
        cells: dict[str, Cell] = {}
        for role in row.roles:
            cell = _cell(row, role, " " if role == "date" else "")
            if cell is not None:
                cells["datetime" if role == "date" else role] = cell
        rows.append(cells)
    footer = [c for _, cells_ in sorted(table.page_footers.items()) for c in cells_]
    with_rows = {row.page for row in table.rows}
    # a last page that holds only the repeated column header and the totals: no row there to end the table at
    footer += [c for page_no, cells_ in pages if page_no not in with_rows and page_no != pages[0][0] for c in cells_]
    return Parsed(form=form, header_text="\n".join(c.text for c in table.header_cells), rows=rows, source=source,
                  footer_text="\n".join(c.text for c in footer),
                  meta={"columns": [{"header": c.header, "role": c.role} for c in table.columns]})
