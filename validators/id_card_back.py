"""Rules for the back of the resident ID card (居民身份证, 国徽面): issuer and validity period.

The validity period follows article 5 of the Resident Identity Card Law (居民身份证法):
under 16 at issue → 5 years, 16-25 → 10 years, 26-45 → 20 years, 46 and over →
long-term (长期). The holder's birth date comes from the front of the same card,
found among ``ctx.companions``.

Day boundaries, decided here: the age is the completed years on ``valid_from``,
the birthday itself counting (so a card dated on the 16th birthday is a 16-year-old's).
Because the age bracket is fixed when the card is applied for, which can be weeks
before the date printed, and the law's 周岁 is sometimes counted from the day after
the birthday, the bracket of the age :data:`APPLICATION_GRACE` earlier is accepted
too. A term fits when ``valid_until`` is within :data:`TERM_TOLERANCE` of the same
day N years after ``valid_from``.

>>> import datetime as dt
>>> from extractors.models import ExtractedDocument, Field
>>> from validators import validate
>>> from validators.base import RuleContext
>>> front = ExtractedDocument(doc_type="id_card_front", fields={"id_number": Field(value="513701199507176346")})
>>> back = ExtractedDocument(doc_type="id_card_back", fields={k: Field(value=v) for k, v in {
...     "issuer": "四川省成都市锦江分局", "valid_from": "2010-01-01", "valid_until": "2020-12-12",
...     "long_term": False}.items()})
>>> ctx = RuleContext(today=dt.date(2026, 11, 21), companions=(front,))
>>> sorted(f.rule for f in validate(back, ctx).findings)
['id_card_not_expired', 'validity_length_fits_age']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from extractors.models import ExtractedDocument, Finding, Source
from validators import _areacode, _idnumber
from validators._values import add_months, add_years, age_on, is_blank, iso_date, required_fields, text
from validators.base import RuleContext, error, rule

DOC = "id_card_back"
APPLICATION_GRACE = dt.timedelta(days=90)
TEMPORARY_MONTHS = 3
TEMPORARY_TOLERANCE = dt.timedelta(days=3)
"""A temporary card (临时居民身份证) is valid this many months from its issue, give or take a few days."""
TERM_TOLERANCE = dt.timedelta(days=31)


def term_for_age(age: int) -> int | None:
    """Years of validity for a card issued at ``age``; None means long-term (长期).

    >>> [term_for_age(a) for a in (14, 15, 16, 25, 26, 45, 46)]
    [5, 5, 10, 10, 20, 20, None]
    """
    if age < 16:
        return 5
    if age <= 25:
        return 10
    if age <= 45:
        return 20
    return None


def holder_birth_date(ctx: RuleContext) -> dt.date | None:
    """The birth date on the front of the card among ``ctx.companions``.

    From the ID number when its check digit is right, else the printed date;
    None when there is no front, or the fronts give different dates.
    """
    dates = set()
    for doc in ctx.companions:
        if getattr(doc, "doc_type", None) != "id_card_front":
            continue
        born = _idnumber.birth_date(_idnumber.valid(doc.value("id_number"))) or iso_date(doc.value("birth_date"))
        if born is not None:
            dates.add(born)
    return dates.pop() if len(dates) == 1 else None


def _long_term(doc: ExtractedDocument) -> bool:
    return doc.value("long_term") is True


@rule(DOC)
def id_card_back_required_fields(doc: ExtractedDocument, ctx: RuleContext) -> list[Finding]:
    """Issuer, valid_from (ISO) and — unless the card is long-term — valid_until (ISO) are present and confident."""
    return required_fields("id_card_back_required_fields", doc, ctx, also=() if _long_term(doc) else ("valid_until",))


@rule(DOC)
def validity_period_order(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """valid_from is before valid_until."""
    start, end = iso_date(doc.value("valid_from")), iso_date(doc.value("valid_until"))
    if start is not None and end is not None and start >= end:
        yield error("validity_period_order", ["valid_from", "valid_until"],
                    en=f"The validity period starts ({start}) on or after its end ({end}).",
                    zh=f"有效期限起始日期（{start}）不早于截止日期（{end}）。")


@rule(DOC)
def id_card_not_expired(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The card is valid on ``ctx.today`` (valid through the valid_until day itself; long-term cards never expire)."""
    end = iso_date(doc.value("valid_until"))
    if not _long_term(doc) and end is not None and end < ctx.today:
        yield error("id_card_not_expired", ["valid_until"],
                    en=f"The ID card expired on {end}.", zh=f"身份证已于 {end} 过期。")


@rule(DOC)
def long_term_consistent(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """A long-term (长期) card has no valid_until date.

    A card that is not long-term and has no valid_until is the required-fields rule's.
    """
    if _long_term(doc) and not is_blank(doc.value("valid_until")):
        yield error("long_term_consistent", ["long_term", "valid_until"],
                    en="The card is marked long-term (长期) but also has an end date.",
                    zh="证件标为长期有效，却又有截止日期。")


@rule(DOC)
def validity_length_fits_age(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The validity period fits the holder's age at issue (5/10/20 years/长期; see the module docstring).

    Needs the holder's birth date from the front (``ctx.companions``); without it, no finding. A temporary card
    (临时居民身份证, ``read.card_kind``) is valid three months from its issue whatever the age (临时居民身份证管理办法,
    article 6).
    """
    born, start = holder_birth_date(ctx), iso_date(doc.value("valid_from"))
    end, long_term = iso_date(doc.value("valid_until")), _long_term(doc)
    if doc.meta.get("card_kind") == "temporary":
        due_end = add_months(start, TEMPORARY_MONTHS) if start is not None else None
        if due_end is not None and (end is None or abs(end - due_end) > TEMPORARY_TOLERANCE):
            shown = "long-term (长期)" if end is None else f"until {end}"
            yield error("validity_length_fits_age", ["valid_from", "valid_until"],
                        en=f"A temporary card issued on {start} is valid until {due_end} (three months), but this "
                           f"one is valid {shown}.",
                        zh=f"临时居民身份证有效期为三个月（{start}签发应至{due_end}），此证为{shown}。")
        return
    if born is None or start is None or (end is None and not long_term):
        return
    fields = ["valid_from", "long_term" if end is None else "valid_until"]
    if start < born:
        yield error("validity_length_fits_age", fields,
                    en="The card was issued before its holder was born.", zh="证件签发日期早于持证人出生日期。")
        return
    age = age_on(born, start)
    applied = start - APPLICATION_GRACE if start - dt.date.min > APPLICATION_GRACE else start
    allowed = {term_for_age(age), term_for_age(age_on(born, max(born, applied)))}
    if end is None:  # long-term
        if None in allowed:
            return
        actual_en, actual_zh = "long-term (长期)", "长期"
    else:
        anniversaries = [add_years(start, n) for n in allowed if n is not None]
        if any(a is not None and abs(end - a) <= TERM_TOLERANCE for a in anniversaries):
            return
        years = (end - start).days / 365.2425
        actual_en, actual_zh = f"for {years:.1f} years ({start} to {end})", f"{years:.1f}年（{start}至{end}）"
    due = term_for_age(age)
    due_en, due_zh = ("long-term (长期)", "长期") if due is None else (f"for {due} years", f"{due}年")
    yield error("validity_length_fits_age", fields,
                en=f"A card issued at age {age} is valid {due_en}, but this one is valid {actual_en}.",
                zh=f"{age}周岁签发的身份证有效期应为{due_zh}，此证为{actual_zh}。")


@rule(DOC)
def issuer_names_a_place(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The issuing authority begins with a real place name (成都市公安局…, 濉溪县公安局), and a city bureau's
    branch is not one character away from one of the city's counties without being it (颖州分局 for 颍州分局).

    Issuers are public security bureaus named after their city or county; a name no
    place has ever had is a misreading of a rare character (濉 read as 潍), so a person
    should look — the card itself may be fine.
    """
    issuer = text(doc.value("issuer"))
    if issuer and not _areacode.starts_with_place(issuer):
        yield error("issuer_names_a_place", ["issuer"],
                    en="The issuing authority does not begin with a known place name; it may be misread.",
                    zh="签发机关不以已知地名开头，可能识别有误。")
    elif issuer and (near := _areacode.misread_branch(issuer)) is not None:
        yield error("issuer_names_a_place", ["issuer"],
                    en=f"The issuing authority's branch is named after no county of its city, but one character "
                       f"away from {near[1]}: it may be misread.",
                    zh=f"签发机关的分局名不是该市任何区县的名称，与“{near[1]}”仅差一字，可能识别有误。")


@rule(DOC)
def issuer_is_a_police_bureau(doc: ExtractedDocument, ctx: RuleContext) -> Iterator[Finding]:
    """The issuing authority ends as a public security bureau does (…公安局, …分局): an issuer that does not
    was cut short or misread. A reviewer's value is taken as they typed it."""
    f = doc.fields.get("issuer")
    issuer = text(f.value) if f is not None and f.source != Source.REVIEWER else None
    if issuer and not issuer.endswith(("公安局", "分局")):
        yield error("issuer_is_a_police_bureau", ["issuer"],
                    en="The issuing authority does not end in 公安局 or 分局: it may be cut short or misread.",
                    zh="签发机关不以“公安局”或“分局”结尾，可能残缺或识别有误。")
