"""Photos of a statement's pages that print no page number are put in order by the statement's balance chain."""

from __future__ import annotations

import random

import pytest

from extractors import page_order
from extractors.doctypes.bank_statement import BankStatement
from extractors.models import TextLine
from extractors.pdf import read as read_pdf
from fixtures.statement import TODAY, make_statement, render_pdf


def _pages_without_numbers(seed: int, layout: str) -> list[list[TextLine]]:
    st = make_statement(random.Random(seed), layout, 3, TODAY)
    _, pages = read_pdf(render_pdf(st))
    lines = [p.scaled(int(p.width)) for p in pages]
    stripped = [[ln for ln in page if page_order.printed([ln]) == (None, None)] for page in lines]
    assert all(page_order.printed(p) == (None, None) for p in stripped), "the page numbers are gone"
    return stripped


@pytest.mark.parametrize(("seed", "layout"), [(3, "icbc"), (4, "ccb"), (5, "abc")])
def test_pages_without_numbers_are_ordered_by_the_balance_chain(seed: int, layout: str) -> None:
    pages = _pages_without_numbers(seed, layout)
    for shuffled in ([2, 0, 1], [1, 2, 0], [2, 1, 0]):
        order = BankStatement.order_pages([pages[i] for i in shuffled])
        assert order is not None and [shuffled[i] for i in order] == [0, 1, 2]


def test_a_page_with_no_rows_leaves_the_order_alone() -> None:
    pages = _pages_without_numbers(3, "icbc")
    blank = [TextLine(text="以下空白", confidence=1.0, page=1, bbox=(0, 0, 10, 10))]
    assert BankStatement.order_pages([pages[1], blank, pages[0]]) is None
