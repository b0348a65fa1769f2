"""Every declared rule and repair survives junk: it never raises, and yields only Findings.

Rules are collected from the registry (``validators.load_all(); all_declared()``),
so a rule is covered here the day it is declared. Junk goes in through
``model_construct``, which skips validation: bytes, floats, lists, lone
surrogates reach a rule exactly as a buggy extractor would hand them over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

import validators
from extractors.doctypes import FieldSpec, Kind, TableSpec, registry
from extractors.models import ExtractedDocument, Field, Finding, Severity, Source
from validators.base import Declared, RuleContext, all_declared

validators.load_all()
DECLARED = sorted(all_declared(), key=lambda d: d.name)

MISSING = object()
JUNK: list[object] = [
    MISSING, None, "", "   ", "€", b"\xff", bytearray(b"\xff"), "\xff", "\udcff", "\x00", 0, -1, 7, True, False,
    10**30, 1.5, float("nan"), [], {}, ("a",), "x" * 10_000, "9" * 10_000, "9" * 17 + "X" * 9_983, "I3O5l2",
    "４３０５１２１９８９０８１３１３６７", "2010-02-30", "0001-01-01", "9999-12-31", "长期", "男女", "0000-00-00",
    "430512198908131367", "513701199507176346",
]
PLAUSIBLE: dict[str, object] = {
    "name": "张三", "sex": "男", "ethnicity": "汉", "birth_date": "1995-07-17",
    "address": "四川省成都市武侯区益州大道中段722号", "id_number": "513701199507176346",
    "issuer": "四川省成都市锦江分局", "valid_from": "2010-01-01", "valid_until": "2020-12-12", "long_term": False,
}
ALL_FIELDS = sorted({name for t in registry().values() for name in t.field_names} | set(PLAUSIBLE))


BY_KIND: dict[Kind, object] = {
    Kind.DATE: "2026-06-01", Kind.TIME: "10:00:00", Kind.MONEY: "100.00", Kind.MONEY_WORDS: "100.00",
    Kind.RATE: "0.12", Kind.COUNT: 12, Kind.FLAG: True, Kind.ID_NUMBER: "513701199507176346",
    Kind.ACCOUNT: "6222020200112233445"}


def field_names(doc_type: str) -> list[str]:
    known = registry().get(doc_type)
    return list(known.field_names) if known is not None else ALL_FIELDS


def plausible_value(doc_type: str, name: str) -> object:
    """A value of the field's declared kind (a real-looking one where this file names it)."""
    if name in PLAUSIBLE:
        return PLAUSIBLE[name]
    known = registry().get(doc_type)
    spec = known.spec(name) if known else None
    return _of_kind(spec) if spec else "1"


def _of_kind(spec: FieldSpec) -> object:
    return spec.choices[0] if spec.choices else BY_KIND.get(spec.kind, "1")


def junk_field(value: object, **attrs: object) -> Field:
    return Field.model_construct(**{"value": value, "raw": None, "confidence": 0.99, "source": Source.OCR,
                                    "page": 1, "bbox": None, "note": None, **attrs})


TABLES: dict[str, tuple[TableSpec, ...]] = {name: t.tables for name, t in registry().items() if t.tables}
"""Document types with repeated groups (as declared): junk goes into their rows too."""
PLAUSIBLE_ROWS = {"transactions": [
    {"date": "2026-06-01", "time": "10:00:00", "amount": "-12.50", "balance": "100.00", "counterparty": "张三",
     "counterparty_account": "6222020200112233445", "summary": "消费", "channel": "手机银行"},
    {"date": "2026-06-01", "time": "10:00:00", "amount": "5.00", "balance": "105.00", "counterparty": "张三",
     "counterparty_account": "6222020200112233445", "summary": "消费", "channel": "手机银行"}]}
"""Rows that hold together (a balance chain); a table not named here gets two rows of its columns' kinds."""


def good_rows(table: TableSpec) -> list[dict[str, object]]:
    return PLAUSIBLE_ROWS.get(table.name) or [{c.name: _of_kind(c) for c in table.columns}] * 2


def doc_of(doc_type: str, values: dict[str, object], rows: dict[str, list[dict[str, object]]] | None = None,
           meta: object = None) -> ExtractedDocument:
    fields = {k: v if isinstance(v, Field) else junk_field(v) for k, v in values.items() if v is not MISSING}
    tables = {name: [{k: junk_field(v) for k, v in row.items() if v is not MISSING} for row in table_rows]
              for name, table_rows in (rows or {}).items()}
    return ExtractedDocument.model_construct(doc_type=doc_type, page=1, fields=fields, findings=[], status=None,
                                             reject_reason=None, quality=None, classification_confidence=1.0,
                                             pages=[1], tables=tables, analytics=None,
                                             meta=meta if meta is not None else {})


def documents(doc_type: str) -> Iterator[ExtractedDocument]:
    names = field_names(doc_type)
    plausible = {n: plausible_value(doc_type, n) for n in names}
    yield doc_of(doc_type, {})
    for junk in JUNK:
        yield doc_of(doc_type, dict.fromkeys(names, junk))
        for name in names:
            yield doc_of(doc_type, {**plausible, name: junk})
    for table in TABLES.get(doc_type, ()):
        good = good_rows(table)
        for junk in JUNK:
            yield doc_of(doc_type, plausible, {table.name: [dict.fromkeys((c.name for c in table.columns), junk)] * 3})
            for c in table.columns:
                yield doc_of(doc_type, plausible, {table.name: [*good, {**good[0], c.name: junk}]})
    if doc_type in TABLES:
        good_tables = {t.name: good_rows(t) for t in TABLES[doc_type]}
        for meta in ({"order": "newest_first"}, {"order": 3}, {"pdf_created": 5, "pdf_modified": b"x"},
                     {"pdf_producer": None, "pdf_creator": 7}, {"text_layer_check": "x"},
                     {"text_layer_check": {"mismatches": []}}):
            yield doc_of(doc_type, plausible, good_tables, meta)
    for name in names:  # junk besides the value
        for attrs in ({"confidence": None}, {"confidence": float("nan")}, {"confidence": -3}, {"raw": b"\xff"},
                      {"source": "bogus"}, {"page": None, "bbox": "x"}):
            yield doc_of(doc_type, {**plausible, name: junk_field(plausible[name], **attrs)})


def contexts(doc: ExtractedDocument) -> Iterator[RuleContext]:
    today = dt.date(2026, 11, 21)
    yield RuleContext(today=today)
    yield RuleContext(today=today, companions=tuple(doc.model_copy(update={"doc_type": t}) for t in registry()))
    yield RuleContext(today=dt.date.max, min_confidence=1.0, companions=(doc,))
    yield RuleContext(today=dt.date.min, min_confidence=0.0)


def check(declared: Declared, doc: ExtractedDocument, ctx: RuleContext) -> None:
    out = declared(doc.model_copy(deep=True), ctx)
    assert isinstance(out, list)
    for finding in out:
        assert isinstance(finding, Finding), finding
        assert finding.rule == declared.name
        assert isinstance(finding.severity, Severity)
        assert all(isinstance(f, str) for f in finding.fields)
        assert finding.message.en and finding.message.zh
        Finding.model_validate(finding.model_dump())


def test_something_is_declared():
    assert DECLARED
    assert len({d.name for d in DECLARED}) == len(DECLARED)


@pytest.mark.parametrize("declared", DECLARED, ids=lambda d: d.name)
def test_rule_survives_junk(declared: Declared):
    assert declared.fn.__doc__, f"{declared.name} has no docstring"
    for doc_type in declared.doc_types:
        for doc in documents(doc_type):
            for ctx in contexts(doc):
                check(declared, doc, ctx)


@pytest.mark.parametrize("doc_type", sorted({t for d in DECLARED for t in d.doc_types}))
def test_validate_survives_junk(doc_type: str):
    for doc in documents(doc_type):
        out = validators.validate(doc.model_copy(deep=True), RuleContext(today=dt.date(2026, 11, 21)))
        assert out.status is not None
        assert all(isinstance(f, Finding) for f in out.findings)
        assert all(isinstance(f, Field) for f in out.fields.values())


CROSS = sorted(validators.base.cross_rules().items())


@pytest.mark.parametrize(("name", "fn"), CROSS, ids=[n for n, _ in CROSS])
def test_cross_document_rule_survives_junk(name: str, fn: validators.base.CrossFn):
    assert fn.__doc__, f"{name} has no docstring"
    ctx = RuleContext(today=dt.date(2026, 11, 21))
    kinds = ("id_card_front", "id_card_back", "bank_statement", "loan_contract")
    for junk in JUNK:
        members = [validators.Member(ref=f"u{i}/0", doc=doc_of(kind, dict.fromkeys(field_names(kind), junk)))
                   for i, kind in enumerate(kinds)]
        for out in (list(fn(members, ctx)), list(fn(members[:1], ctx)), list(fn([], ctx))):
            for finding in out:
                assert isinstance(finding, Finding) and finding.rule == name
                assert finding.refs and all(r.document.startswith("u") for r in finding.refs)
                Finding.model_validate(finding.model_dump())
