"""The loan-contract rules and the cross-document rules, on documents built field by field: each test makes one
change a forger, a careless lender or a misread would make and checks which rule fires and on which fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from extractors.models import ExtractedDocument, Field, FieldValue, Severity, Source, Status
from tests.validators.conftest import id_number
from validators import Member, check_application, validate
from validators.base import RuleContext
from validators.loan_contract import lpr_on

TODAY = dt.date(2026, 11, 21)
BORROWER_ID = id_number("510104", "19900315", "123")


def contract(**values: FieldValue) -> ExtractedDocument:
    fields: dict[str, FieldValue] = {
        "contract_number": "JK20261102-000123", "lender": "成都锦程小额贷款有限公司", "borrower": "张小三",
        "borrower_id_number": BORROWER_ID, "principal": "30500.50", "principal_in_words": "30500.50",
        "annual_rate": "0.18", "term_months": 12, "start_date": "2026-11-05", "end_date": "2027-11-04",
        "repayment_method": "等额本息", "purpose": "装修", "signed_date": "2026-11-02", "has_signature": True,
        "has_seal": True}
    fields.update(values)
    return ExtractedDocument(doc_type="loan_contract", fields={
        k: Field(value=v, raw="叁万零伍佰元伍角" if k == "principal_in_words" else None, confidence=1.0,
                 source=Source.PDF_TEXT) for k, v in fields.items() if v is not None})


def errors(doc: ExtractedDocument, ctx: RuleContext | None = None) -> dict[str, list[str]]:
    validate(doc, ctx or RuleContext(today=TODAY))
    return {f.rule: f.fields for f in doc.findings if f.severity == Severity.ERROR}


def test_a_sound_contract_is_accepted() -> None:
    doc = contract()
    assert errors(doc) == {}
    assert doc.status == Status.ACCEPTED


@pytest.mark.parametrize(("change", "rule", "fields"), [
    ({"principal_in_words": "35000.50"}, "amount_words_match_digits", ["principal", "principal_in_words"]),
    ({"lender": "王建国", "annual_rate": "0.24"}, "rate_within_legal_cap", ["annual_rate"]),
    ({"end_date": "2028-11-04"}, "term_matches_dates", ["term_months", "start_date", "end_date"]),
    ({"end_date": "2026-10-01"}, "term_matches_dates", ["start_date", "end_date"]),
    ({"signed_date": "2026-11-09"}, "signed_before_start", ["signed_date", "start_date"]),
    ({"borrower_id_number": BORROWER_ID[:-1] + ("0" if BORROWER_ID[-1] != "0" else "1")},
     "borrower_id_number_valid", ["borrower_id_number"]),
    ({"has_seal": False}, "seal_present", ["has_seal"]),
    ({"has_signature": False}, "signature_present", ["has_signature"]),
    ({"borrower_id_number": id_number("510104", "20090315", "123")}, "borrower_is_adult",
     ["borrower_id_number", "signed_date"]),
    ({"purpose": None}, "loan_contract_required_fields", ["purpose"]),
    ({"annual_rate": "2.4"}, "annual_rate_plausible", ["annual_rate"]),
    ({"annual_rate": "0.504"}, "annual_rate_plausible", ["annual_rate"]),
    ({"annual_rate": "0.005"}, "annual_rate_plausible", ["annual_rate"]),
    ({"term_months": "twelve"}, "loan_contract_required_fields", ["term_months"]),
])
def test_each_defect_is_flagged_on_its_fields(change: dict[str, FieldValue], rule: str, fields: list[str]) -> None:
    found = errors(contract(**change))
    assert rule in found, found
    assert found[rule] == fields
    assert len(found) == 1, found


def test_the_cap_is_four_times_the_lpr_on_the_signing_day() -> None:
    assert (lpr_on(dt.date(2024, 7, 21)), lpr_on(dt.date(2024, 7, 22))) == (Decimal("3.45"), Decimal("3.35"))
    # 4 × 3.45 % = 13.8 % before 2024-07-22; 4 × 3.35 % = 13.4 % from then on
    at = {"lender": "王建国", "annual_rate": "0.136", "start_date": "2024-08-01", "end_date": "2025-07-31"}
    assert "rate_within_legal_cap" not in errors(contract(signed_date="2024-07-19", **at))
    assert "rate_within_legal_cap" in errors(contract(signed_date="2024-07-22", **at))


def test_licensed_lenders_are_outside_the_cap_unless_configured() -> None:
    for lender in ("成都锦程小额贷款有限公司", "中国建设银行股份有限公司成都高新支行", "招联消费金融股份有限公司"):
        assert "rate_within_legal_cap" not in errors(contract(lender=lender, annual_rate="0.24"))
    strict = RuleContext(today=TODAY, rate_capped_lenders=frozenset({"private", "local_financial"}))
    assert "rate_within_legal_cap" in errors(contract(annual_rate="0.24"), strict)


def test_a_person_lending_signs_and_needs_no_seal() -> None:
    assert "seal_present" not in errors(contract(lender="王建国", annual_rate="0.08", has_seal=False))
    assert "seal_present" in errors(contract(lender="成都华信商贸有限公司", annual_rate="0.08", has_seal=False))


def test_a_contract_before_the_first_lpr_gets_a_warning_not_a_verdict() -> None:
    doc = contract(lender="王建国", annual_rate="0.30", signed_date="2019-05-01", start_date="2019-05-02",
                   end_date="2020-05-01")
    validate(doc, RuleContext(today=TODAY))
    assert [(f.rule, f.severity) for f in doc.findings] == [("rate_within_legal_cap", Severity.WARNING)]


# --- across documents --------------------------------------------------------------------------------------------


def doc(doc_type: str, **values: FieldValue) -> ExtractedDocument:
    return ExtractedDocument(doc_type=doc_type, fields={k: Field(value=v) for k, v in values.items()})


def application(**changes: dict[str, FieldValue]) -> list[Member]:
    parts = {
        "id_card_front": {"name": "张小三", "id_number": BORROWER_ID},
        "id_card_back": {"valid_from": "2016-04-01", "valid_until": "2036-04-01", "long_term": False},  # at 26
        "bank_statement": {"account_name": "张*三", "period_start": "2026-05-01", "period_end": "2026-10-31"},
        "loan_contract": {"borrower": "张小三", "borrower_id_number": BORROWER_ID, "signed_date": "2026-11-02"},
    }
    for kind, values in changes.items():
        parts[kind].update(values)
    return [Member(ref=f"u{i}/0", doc=doc(kind, **values)) for i, (kind, values) in enumerate(parts.items())]


def cross(members: list[Member]) -> dict[str, list[tuple[str, str, list[str]]]]:
    out: dict[str, list[tuple[str, str, list[str]]]] = {}
    for f in check_application(members, RuleContext(today=TODAY)):
        out.setdefault(f.rule, []).extend((r.document, r.type, r.fields) for r in f.refs)
    return out


def test_one_person_everywhere_passes_with_the_banks_mask() -> None:
    assert cross(application()) == {}
    assert cross(application(bank_statement={"account_name": "**三"},
                             loan_contract={"borrower_id_number": BORROWER_ID[:4] + "*" * 10 + BORROWER_ID[-4:]})) == {}


def test_a_different_borrower_is_flagged_on_both_documents() -> None:
    other = id_number("440104", "19880101", "457")
    found = cross(application(loan_contract={"borrower": "李四", "borrower_id_number": other}))
    assert found == {
        "name_matches_across_documents": [("u0/0", "id_card_front", ["name"]), ("u3/0", "loan_contract", ["borrower"])],
        "id_number_matches_across_documents": [("u0/0", "id_card_front", ["id_number"]),
                                               ("u3/0", "loan_contract", ["borrower_id_number"])],
    }


def test_a_statement_of_someone_else_is_flagged_even_masked() -> None:
    found = cross(application(bank_statement={"account_name": "李*三"}))
    assert found == {"name_matches_across_documents": [("u0/0", "id_card_front", ["name"]),
                                                       ("u2/0", "bank_statement", ["account_name"])]}


def test_the_card_must_be_valid_on_the_signing_day() -> None:
    found = cross(application(id_card_back={"valid_from": "2016-03-01", "valid_until": "2026-03-01"}))  # at 25
    assert found == {"id_card_valid_on_signing": [("u1/0", "id_card_back", ["valid_from", "valid_until"]),
                                                  ("u3/0", "loan_contract", ["signed_date"])]}
    assert cross(application(id_card_back={"valid_from": "2006-03-01", "valid_until": None,
                                           "long_term": True})) == {"validity_fits_holder_age": [
        ("u1/0", "id_card_back", ["valid_from", "long_term"]), ("u0/0", "id_card_front", ["id_number"])]}  # at 15


def test_a_back_uploaded_without_its_front_is_checked_against_the_front_of_the_application() -> None:
    found = cross(application(id_card_back={"valid_from": "2010-03-01", "valid_until": "2030-03-01"}))  # 20 y at 19
    assert found == {"validity_fits_holder_age": [("u1/0", "id_card_back", ["valid_from", "valid_until"]),
                                                  ("u0/0", "id_card_front", ["id_number"])]}
    together = [Member(ref="u0/0", doc=m.doc) if m.doc.doc_type == "id_card_back" else m
                for m in application(id_card_back={"valid_from": "2010-03-01", "valid_until": "2030-03-01"})]
    assert "validity_fits_holder_age" not in cross(together)  # one upload: the back's own rule reports it


def test_the_statement_must_reach_the_months_before_signing() -> None:
    found = cross(application(bank_statement={"period_end": "2026-08-31"}))
    assert found == {"statement_covers_application": [("u2/0", "bank_statement", ["period_start", "period_end"]),
                                                      ("u3/0", "loan_contract", ["signed_date"])]}


def _stated(rate: str, basis: str, rounding: str = "0", box: tuple[int, int, int, int] = (0, 0, 9, 9),
            source: Source = Source.OCR) -> dict[str, Field]:
    return {"annual_rate": Field(value=rate, raw=rate, source=source, bbox=box),
            "basis": Field(value=basis, source=source, bbox=box),
            "rounding": Field(value=rounding, source=source, bbox=box)}


@pytest.mark.parametrize(("read", "restated", "agree"), [
    ("0.18", _stated("0.18", "annual", "0.00005"), True),  # 日利率万分之5（折合年化利率18.00%）
    ("0.18", _stated("0.1825", "annual", "0.00005"), True),  # … over 365 days
    ("0.18", _stated("0.1845", "annual", "0.00005"), False),
    ("2.4", _stated("0.24", "annual", "0.00005"), False),  # a lost decimal point in one of them
])
def test_a_rate_stated_twice_must_agree(read: str, restated: dict[str, Field], agree: bool) -> None:
    doc = contract(annual_rate=read)
    doc.fields["annual_rate"] = doc.fields["annual_rate"].model_copy(update={"bbox": (0, 0, 9, 9)})
    doc.tables["rate_statements"] = [_stated(read, "daily"), restated]
    found = errors(doc)
    assert ("rate_statements_agree" not in found) is agree
    if not agree:
        assert found["rate_statements_agree"] == ["annual_rate", "rate_statements[1].annual_rate"]
        assert doc.status != Status.ACCEPTED


def test_a_rate_a_reviewer_set_is_not_checked_against_the_misread_restatement() -> None:
    doc = contract(annual_rate="0.18")
    doc.fields["annual_rate"] = doc.fields["annual_rate"].model_copy(update={"source": Source.REVIEWER})
    doc.tables["rate_statements"] = [_stated("0.18", "daily"), _stated("1.8", "annual", box=(0, 20, 9, 29))]
    assert "rate_statements_agree" not in errors(doc)


def test_the_seal_message_names_no_colour() -> None:
    doc = contract(has_seal=False)
    validate(doc, RuleContext(today=TODAY))
    message = next(f for f in doc.findings if f.rule == "seal_present")
    assert "red" not in str(message.model_dump()).lower() and "红色" not in str(message.model_dump())


def test_a_rate_read_from_no_listed_statement_is_judged_by_its_own_wording() -> None:
    """Read as 日利率万分之5 (its box among none of the statements'): 18 % or 18.25 % a year agree, 19 % does not."""
    doc = contract(annual_rate="0.18")
    doc.fields["annual_rate"] = doc.fields["annual_rate"].model_copy(update={"raw": "日利率万分之5", "bbox": None})
    doc.tables["rate_statements"] = [_stated("0.18", "daily", box=(0, 40, 9, 49)),
                                     _stated("0.1825", "annual", "0.00005", box=(0, 60, 9, 69))]
    assert "rate_statements_agree" not in errors(doc)
    doc.tables["rate_statements"][1] = _stated("0.19", "annual", "0.00005", box=(0, 60, 9, 69))
    assert errors(doc)["rate_statements_agree"] == ["annual_rate", "rate_statements[1].annual_rate"]
