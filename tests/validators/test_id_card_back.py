"""Rules of validators.id_card_back: valid cards pass, each failure is found by its rule."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.models import ExtractedDocument, Severity, Status
from validators import validate
from validators.base import RuleContext
from validators.id_card_back import holder_birth_date

TODAY = dt.date(2026, 11, 21)


def run(doc: ExtractedDocument, *companions: ExtractedDocument, today: dt.date = TODAY) -> list[tuple[str, str]]:
    ctx = RuleContext(today=today, companions=companions)
    return [(f.rule, f.severity.value) for f in validate(doc, ctx).findings]


def errors(doc: ExtractedDocument, *companions: ExtractedDocument, today: dt.date = TODAY) -> list[str]:
    return [rule for rule, severity in run(doc, *companions, today=today) if severity == Severity.ERROR.value]


def card(front, make_id, born: str) -> ExtractedDocument:
    return front(birth_date=born, id_number=make_id(born=born.replace("-", "")))


# (birth date, valid_from, valid_until or None for 长期)
VALID_CARDS = [
    ("1990-03-15", "2018-06-01", "2038-06-01"),  # 28 → 20 years
    ("2012-08-08", "2025-09-01", "2030-09-01"),  # 13 → 5 years
    ("2005-01-10", "2021-01-10", "2031-01-10"),  # on the 16th birthday → 10 years
    ("2010-01-10", "2026-02-15", "2031-02-15"),  # 16 and a month, applied at 15 → 5 years (grace) ...
    ("2010-01-10", "2026-02-15", "2036-02-15"),  # ... or 10 years
    ("1995-06-30", "2021-06-30", "2031-06-30"),  # on the 26th birthday, applied at 25 → 10 years ...
    ("1995-06-30", "2021-06-30", "2041-06-30"),  # ... or 20 years
    ("1976-02-29", "2022-03-01", None),          # 46 (born 02-29) → 长期
    ("1960-02-29", "2010-05-05", None),          # 50 → 长期
    ("1988-02-29", "2020-02-29", "2040-02-29"),  # leap day to leap day
    ("1990-03-15", "2018-06-01", "2038-05-31"),  # a day short of the anniversary still fits
]


@pytest.mark.parametrize(("born", "start", "end"), VALID_CARDS)
def test_valid_card_has_no_finding(front, back, make_id, born, start, end):
    doc = back(valid_from=start, valid_until=end, long_term=end is None)
    assert run(doc, card(front, make_id, born)) == []
    assert doc.status == Status.ACCEPTED


def test_valid_card_without_its_front_has_no_finding(back):
    assert run(back()) == []


# ---- required fields


def test_required_fields(back, drop):
    doc = back(issuer=drop, valid_from="2018-13-01")
    [finding] = validate(doc, RuleContext(today=TODAY)).findings
    assert (finding.rule, finding.severity, finding.fields) == (
        "id_card_back_required_fields", Severity.ERROR, ["issuer", "valid_from"])
    assert "签发机关" in finding.message.zh


def test_valid_until_required_unless_long_term(back, drop):
    assert errors(back(valid_until=None, long_term=False)) == ["id_card_back_required_fields"]
    assert errors(back(valid_until=drop, long_term=drop)) == ["id_card_back_required_fields"]
    assert errors(back(valid_until=None, long_term=True)) == []


def test_low_confidence(back):
    assert errors(back(confidence=0.5)) == ["id_card_back_required_fields"]


# ---- the period


@pytest.mark.parametrize("end", ["2018-06-01", "2010-06-01"])
def test_validity_period_order(back, end):
    assert "validity_period_order" in errors(back(valid_until=end))


def test_expired(back):
    assert errors(back(valid_until="2026-11-20", valid_from="2016-11-20")) == ["id_card_not_expired"]


def test_valid_through_the_last_day(back):
    assert errors(back(valid_until="2026-11-21", valid_from="2016-11-21")) == []


def test_long_term_never_expires(back):
    assert errors(back(valid_until=None, long_term=True), today=dt.date(2999, 1, 1)) == []


def test_long_term_with_an_end_date(back):
    assert errors(back(long_term=True)) == ["long_term_consistent"]


# ---- validity length and age


@pytest.mark.parametrize(("born", "start", "end"), [
    ("1995-07-17", "2010-01-01", "2020-01-01"),  # 14 → 5 years, not 10
    ("2005-01-10", "2020-12-10", "2030-12-10"),  # a month before the 16th birthday → 5 years, not 10
    ("2005-01-10", "2021-06-10", "2026-06-10"),  # 16 for five months: 10 years, not 5
    ("1990-03-15", "2018-06-01", "2028-06-01"),  # 28 → 20 years, not 10
    ("1990-03-15", "2018-06-01", None),          # 28 → 20 years, not 长期
    ("1960-02-29", "2010-05-05", "2030-05-05"),  # 50 → 长期, not 20 years
    ("1990-03-15", "2018-06-01", "2038-09-01"),  # not a whole number of years
    ("1990-03-15", "1989-06-01", "1999-06-01"),  # issued before birth
])
def test_validity_length_does_not_fit_age(front, back, make_id, born, start, end):
    doc = back(valid_from=start, valid_until=end, long_term=end is None)
    assert "validity_length_fits_age" in errors(doc, card(front, make_id, born), today=dt.date(2000, 1, 1))


def test_validity_length_message_names_age_and_term(front, back, make_id):
    doc = back(valid_from="2010-01-01", valid_until="2020-01-01")
    validate(doc, RuleContext(today=dt.date(2011, 1, 1), companions=(card(front, make_id, "1995-07-17"),)))
    [finding] = doc.findings
    assert "age 14" in finding.message.en and "5 years" in finding.message.en and "5年" in finding.message.zh


def test_holder_birth_date_prefers_a_number_with_a_right_check_digit(front, make_id):
    good = front(birth_date="1991-01-01")  # printed date wrong; the number says 1990-03-15
    assert holder_birth_date(RuleContext(companions=(good,))) == dt.date(1990, 3, 15)
    bad_number = front(birth_date="1991-01-01", id_number="110101199003151230")
    assert holder_birth_date(RuleContext(companions=(bad_number,))) == dt.date(1991, 1, 1)


def test_holder_birth_date_ambiguous_or_absent(front, back, make_id, drop):
    one, other = card(front, make_id, "1990-03-15"), card(front, make_id, "1980-03-15")
    assert holder_birth_date(RuleContext(companions=(one, other))) is None
    assert holder_birth_date(RuleContext(companions=(back(),))) is None
    assert holder_birth_date(RuleContext(companions=(front(birth_date=drop, id_number=drop),))) is None
    assert holder_birth_date(RuleContext(companions=(one, back(), one))) == dt.date(1990, 3, 15)


# ---- issuer


@pytest.mark.parametrize("issuer", ["濉溪县公安局", "成都市公安局武侯分局", "北京市公安局东城分局",
                                    "东乌珠穆沁旗公安局", "阜阳市公安局颍州分局", "重庆市公安局万州分局",
                                    "石家庄市公安局井陉矿分局", "阜阳市公安局开发区分局"])
def test_real_issuers_pass(back, issuer):
    assert "issuer_names_a_place" not in errors(back(issuer=issuer))


@pytest.mark.parametrize("issuer", ["潍溪县公安局", "公安局", "某某市公安局"])
def test_issuer_without_a_real_place_is_flagged(back, issuer):
    assert "issuer_names_a_place" in errors(back(issuer=issuer))


@pytest.mark.parametrize(("issuer", "county"), [("阜阳市公安局颖州分局", "颍州"), ("成都市公安局武候分局", "武侯")])
def test_a_branch_one_character_from_a_county_of_its_city_is_a_misread(back, issuer, county):
    [f] = [f for f in validate(back(issuer=issuer), RuleContext()).findings if f.rule == "issuer_names_a_place"]
    assert f.severity == "error" and county in f.message.en and county in f.message.zh


@pytest.mark.parametrize(("issuer", "cut"), [("成都市公安局武侯分局", False), ("金堂县公安局", False),
                                             ("四川省成都市锦江分局", False), ("成都市公安局武侯", True),
                                             ("金堂县公安", True)])
def test_an_issuer_cut_short_is_never_accepted(back, issuer, cut):
    assert ("issuer_is_a_police_bureau" in errors(back(issuer=issuer))) == cut
