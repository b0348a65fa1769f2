"""Builders for ID card documents, shared by the validator tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from stdnum.cn import ric

from extractors.models import ExtractedDocument, Field, FieldValue
from validators.base import RuleContext

TODAY = dt.date(2026, 11, 21)

Builder = Callable[..., ExtractedDocument]


def id_number(area: str = "110101", born: str = "19900315", seq: str = "123") -> str:
    """A number with a right check digit (stdnum computes it); odd ``seq[-1]``: male."""
    base = area + born + seq
    return base + ric.calc_check_digit(base + "0")


def _builder(doc_type: str, defaults: dict[str, FieldValue]) -> Builder:
    def build(confidence: float = 0.99, **values: FieldValue | Field) -> ExtractedDocument:
        merged: dict[str, FieldValue | Field] = {**defaults, **values}
        fields = {k: v if isinstance(v, Field) else Field(value=v, confidence=confidence)
                  for k, v in merged.items() if v is not _DROP}
        return ExtractedDocument(doc_type=doc_type, fields=fields)

    return build


_DROP: FieldValue = "\0drop"
"""Pass as a value to leave the field out."""


@pytest.fixture
def drop() -> FieldValue:
    return _DROP


@pytest.fixture
def make_id() -> Callable[..., str]:
    return id_number


@pytest.fixture
def front() -> Builder:
    """An id_card_front of a valid person (male, born 1990-03-15 in 北京市东城区); override any field."""
    return _builder("id_card_front", {
        "name": "张伟", "sex": "男", "ethnicity": "汉", "birth_date": "1990-03-15",
        "address": "北京市东城区东华门街道南池子大街1号", "id_number": id_number()})


@pytest.fixture
def back() -> Builder:
    """An id_card_back issued at 28 for 20 years (to the front's person), valid on TODAY; override any field."""
    return _builder("id_card_back", {
        "issuer": "北京市公安局东城分局", "valid_from": "2018-06-01", "valid_until": "2038-06-01", "long_term": False})


@pytest.fixture
def ctx() -> RuleContext:
    return RuleContext(today=TODAY)
