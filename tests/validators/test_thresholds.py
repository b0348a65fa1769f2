"""The per-field confidence thresholds (:mod:`validators.thresholds`) are what the rules use: a value just under
its field's threshold goes to a person, one at it does not, and ``min_confidence`` stays the floor."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors import doctypes
from extractors.doctypes.bank_statement import TRANSACTION_FIELDS
from extractors.models import ExtractedDocument, Field, Source
from validators import validate
from validators._values import required_fields
from validators.base import RuleContext
from validators.thresholds import FIELD_MIN_CONFIDENCE, FLOOR

TODAY = dt.date(2026, 11, 21)
STEP = 0.001


def _doc_fields() -> list[tuple[str, str, float]]:
    """(doc_type, field, threshold) of every document-level field in the table."""
    out = []
    for key, threshold in FIELD_MIN_CONFIDENCE.items():
        doc_type, *rest = key.split(".")
        if len(rest) == 1:
            out.append((doc_type, rest[0], threshold))
    return out


def _cells() -> list[tuple[str, float]]:
    return [(key.rsplit(".", 1)[1], t) for key, t in FIELD_MIN_CONFIDENCE.items()
            if key.startswith("bank_statement.transactions.")]


def test_every_key_names_a_real_field_and_no_threshold_is_under_the_floor():
    for key, threshold in FIELD_MIN_CONFIDENCE.items():
        doc_type, *rest = key.split(".")
        if rest[:1] == ["transactions"]:
            assert doc_type == "bank_statement" and rest[1] in TRANSACTION_FIELDS, key
        else:
            assert rest[0] in doctypes.get(doc_type).field_names, key
        assert FLOOR <= threshold <= 1.0, key


def test_the_table_has_thresholds_above_the_floor():
    assert any(t > FLOOR for t in FIELD_MIN_CONFIDENCE.values())


@pytest.mark.parametrize(("doc_type", "name", "threshold"), _doc_fields())
def test_a_value_just_under_its_fields_threshold_is_flagged(doc_type, name, threshold):
    ctx = RuleContext(today=TODAY)

    def flagged(confidence: float) -> list[str]:
        doc = ExtractedDocument(doc_type=doc_type, fields={name: Field(value="x", confidence=confidence)})
        return [n for f in required_fields("r", doc, ctx, also=(name,)) for n in f.fields if n == name]

    assert flagged(round(threshold - STEP, 4)) == [name]
    assert flagged(threshold) == []


def test_the_id_card_rule_uses_the_table(front):
    threshold = FIELD_MIN_CONFIDENCE["id_card_front.name"]
    doc = front()
    doc.fields["name"] = Field(value="张伟", confidence=round(threshold - STEP, 4))
    [finding] = [f for f in validate(doc, RuleContext(today=TODAY)).findings
                 if f.rule == "id_card_front_required_fields"]
    assert finding.fields == ["name"] and f"needs {threshold:.2f}" in finding.message.en
    doc = front()
    doc.fields["name"] = Field(value="张伟", confidence=threshold)
    assert not [f for f in validate(doc, RuleContext(today=TODAY)).findings
                if f.rule == "id_card_front_required_fields"]


def test_the_floor_still_applies(front):
    """Raising ``min_confidence`` (DOCINTAKE_MIN_CONFIDENCE) raises every field, those in the table too."""
    doc = front(confidence=0.99)
    [finding] = [f for f in validate(doc, RuleContext(today=TODAY, min_confidence=0.995)).findings
                 if f.rule == "id_card_front_required_fields"]
    assert set(finding.fields) == set(doctypes.get("id_card_front").field_names)


def test_a_field_outside_the_table_needs_the_floor():
    ctx = RuleContext(today=TODAY, min_confidence=0.85)
    assert ctx.needed_confidence("no_such_type.no_such_field") == 0.85
    doc = ExtractedDocument(doc_type="no_such_type", fields={"f": Field(value="x", confidence=0.849)})
    assert required_fields("r", doc, ctx, also=("f",))
    doc.fields["f"] = Field(value="x", confidence=0.85)
    assert not required_fields("r", doc, ctx, also=("f",))


def test_an_empty_table_leaves_the_floor_alone(front):
    ctx = RuleContext(today=TODAY, field_min_confidence={})
    assert not [f for f in validate(front(confidence=FLOOR), ctx).findings
                if f.rule == "id_card_front_required_fields"]


def test_a_reviewers_value_is_never_under_a_threshold(front):
    doc = front(confidence=0.99)
    doc.fields["name"] = Field(value="张伟", confidence=0.0, source=Source.REVIEWER)
    assert not [f for f in validate(doc, RuleContext(today=TODAY)).findings
                if f.rule == "id_card_front_required_fields"]


def _statement(cell: str, confidence: float) -> ExtractedDocument:
    rows = []
    balance = 1000
    for i in range(4):
        balance += 100
        values = {"date": f"2026-05-{i + 3:02d}", "amount": "100.00", "balance": f"{balance}.00",
                  "counterparty": "成都华信商贸有限公司", "counterparty_account": "6222020200112233446",
                  "summary": "转账", "channel": "网银", "time": "10:00:00"}
        rows.append({k: Field(value=v, raw=v, source=Source.OCR,
                              confidence=confidence if (i == 2 and k == cell) else 1.0) for k, v in values.items()})
    return ExtractedDocument(doc_type="bank_statement", tables={"transactions": rows},
                             fields={"account_name": Field(value="张三", source=Source.PDF_TEXT)})


@pytest.mark.parametrize(("cell", "threshold"), _cells())
def test_a_transaction_cell_just_under_its_threshold_is_flagged(cell, threshold):
    def flagged(confidence: float) -> set[str]:
        doc = validate(_statement(cell, confidence), RuleContext(today=TODAY))
        return {n for f in doc.findings if f.severity.value == "error" for n in f.fields}

    assert f"transactions[2].{cell}" in flagged(round(threshold - STEP, 4))
    assert f"transactions[2].{cell}" not in flagged(threshold)
