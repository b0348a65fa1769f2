"""Rules across the documents of one application: the same person everywhere, a valid card, a recent statement.

The holder's name is on the ID card's front (``name``), the statement
(``account_name``) and the contract (``borrower``); the ID number on the card
and the contract (``borrower_id_number``). Banks print them masked — ``张*三``,
``**三``, ``4401**********1234`` — so a masked value agrees with a full one
when its visible characters are in the same places (:func:`masked_match`).
Each finding names the fields of both documents (``refs``).

>>> masked_match("张*三", "张小三"), masked_match("张*", "张小三"), masked_match("李*三", "张小三")
(True, True, False)
>>> masked_match("4401**********1234", "440104199001011234"), masked_match("4401****1234", "440104199001011234")
(True, True)
>>> masked_match("4401**********1235", "440104199001011234"), masked_match("张三", "张三"), masked_match("张三", "张叁")
(False, True, False)
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterator, Sequence

from extractors import doctypes
from extractors.models import FieldRef, Finding, Severity
from validators._values import iso_date, text
from validators.bank_statement import period_problem
from validators.base import Member, RuleContext, cross_rule
from validators.id_card_back import validity_length_fits_age

MASKS = "*＊×•●"


def applicant_fields(what: str) -> dict[str, str]:
    """Per document type, its field that states the applicant's ``what`` (``name``, ``id_number``), as declared
    (:attr:`FieldSpec.applicant`), in the order the types were declared.

    >>> found = applicant_fields("name")
    >>> next(iter(found)), found["bank_statement"], found["loan_contract"]
    ('id_card_front', 'account_name', 'borrower')
    """
    found = {t: f.name for t, kind in doctypes.registry().items() for f in kind.fields if f.applicant == what}
    order = ("id_card_front", "id_card_back")  # the card first: it is what the others are compared with
    return dict(sorted(found.items(), key=lambda kv: (kv[0] not in order, list(found).index(kv[0]))))


def _plain(value: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()


def _named(doc_type: str) -> tuple[str, str]:
    """A type's name in a sentence, from its declaration: ``("the bank statement", "银行流水")``."""
    zh, en = doctypes.get(doc_type).label
    return "the " + (en[0].lower() + en[1:] if en[1:2].islower() else en), zh


def masked_match(a: str, b: str) -> bool:
    """Whether two printings of one value agree, either of them masked (runs of ``*``)."""
    a, b = _plain(a), _plain(b)
    if not any(m in a + b for m in "*×•●"):
        return a == b
    masked, full = (a, b) if any(m in a for m in "*×•●") else (b, a)
    if any(m in full for m in "*×•●"):  # both masked: the visible characters of each must fit the other
        return _fits(a, b) and _fits(b, a)
    return _fits(masked, full)


def _fits(masked: str, full: str) -> bool:
    runs = re.split(r"([*×•●]+)", masked)
    if len(masked) == len(full):  # one mask character per hidden character
        return all(m in "*×•●" or m == f for m, f in zip(masked, full, strict=True))
    pattern = "".join(".+" if part and part[0] in "*×•●" else re.escape(part) for part in runs)
    return re.fullmatch(pattern, full) is not None


def _ref(m: Member, *fields: str) -> FieldRef:
    return FieldRef(document=m.ref, type=m.doc.doc_type, fields=list(fields))


def _finding(rule: str, refs: list[FieldRef], en: str, zh: str, severity: Severity = Severity.ERROR) -> Finding:
    return Finding.make(rule, severity, [f"{r.type}.{f}" for r in refs for f in r.fields], en=en, zh=zh, refs=refs)


def _values(members: Sequence[Member], fields: dict[str, str]) -> list[tuple[Member, str, str]]:
    out = []
    for m in members:
        name = fields.get(m.doc.doc_type)
        value = text(m.doc.value(name)) if name else None
        if name and value:
            out.append((m, name, value))
    return out


def _agree(rule: str, what: tuple[str, str], members: Sequence[Member], fields: dict[str, str]) -> Iterator[Finding]:
    """Every document's value agrees with the first unmasked one (the ID card's, when there is one)."""
    values = _values(members, fields)
    order = list(fields)
    values.sort(key=lambda v: (any(c in v[2] for c in MASKS), order.index(v[0].doc.doc_type)))
    if len(values) < 2:
        return
    first, first_field, first_value = values[0]
    for m, field, value in values[1:]:
        if masked_match(first_value, value):
            continue
        a_en, a_zh = _named(first.doc.doc_type)
        b_en, b_zh = _named(m.doc.doc_type)
        yield _finding(rule, [_ref(first, first_field), _ref(m, field)],
                       f"The {what[0]} on {b_en} does not match {a_en}.", f"{b_zh}上的{what[1]}与{a_zh}不一致。")


@cross_rule()
def name_matches_across_documents(members: Sequence[Member], ctx: RuleContext) -> Iterator[Finding]:
    """The ID card holder, the statement's account holder and the contract's borrower are one name."""
    yield from _agree("name_matches_across_documents", ("name", "姓名"), members, applicant_fields("name"))


@cross_rule()
def id_number_matches_across_documents(members: Sequence[Member], ctx: RuleContext) -> Iterator[Finding]:
    """The ID card's number and the contract borrower's ID number are one number."""
    yield from _agree("id_number_matches_across_documents", ("ID number", "身份证号码"), members,
                      applicant_fields("id_number"))


def _of(members: Sequence[Member], doc_type: str) -> list[Member]:
    return [m for m in members if m.doc.doc_type == doc_type]


@cross_rule()
def id_card_valid_on_signing(members: Sequence[Member], ctx: RuleContext) -> Iterator[Finding]:
    """The ID card was valid on the day the contract was signed."""
    for contract in _of(members, "loan_contract"):
        signed = iso_date(contract.doc.value("signed_date"))
        if signed is None:
            continue
        for back in _of(members, "id_card_back"):
            start, until = iso_date(back.doc.value("valid_from")), iso_date(back.doc.value("valid_until"))
            long_term = back.doc.value("long_term") is True
            if start is None or (until is None and not long_term):
                continue
            if start <= signed and (long_term or (until is not None and signed <= until)):
                continue
            period = f"{start} – {'long-term' if long_term else until}"
            yield _finding("id_card_valid_on_signing",
                           [_ref(back, "valid_from", "valid_until"), _ref(contract, "signed_date")],
                           f"The contract was signed on {signed}, when the ID card (valid {period}) was not valid.",
                           f"合同签订日 {signed} 不在身份证有效期（{period.replace('long-term', '长期')}）内。")


def _upload(m: Member) -> str:
    return m.ref.partition("/")[0]


@cross_rule()
def validity_fits_holder_age(members: Sequence[Member], ctx: RuleContext) -> Iterator[Finding]:
    """The ID card's validity period fits its holder's age at issue
    (:func:`~validators.id_card_back.validity_length_fits_age`) when the back came in an upload without the front:
    the app asks for each side in its own photo, and the back's own rule then has no birth date to go by."""
    for back in _of(members, "id_card_back"):
        fronts = _of(members, "id_card_front")
        if not fronts or any(_upload(f) == _upload(back) for f in fronts):
            continue  # no front at all, or the back's own rule saw it
        seen = dataclasses.replace(ctx, companions=tuple(f.doc for f in fronts))
        for f in validity_length_fits_age(back.doc, seen):
            yield _finding("validity_fits_holder_age", [_ref(back, *f.fields), _ref(fronts[0], "id_number")],
                           f.message.en, f.message.zh)


@cross_rule()
def statement_covers_application(members: Sequence[Member], ctx: RuleContext) -> Iterator[Finding]:
    """The statement would do for an application made the day the contract was signed
    (:func:`~validators.bank_statement.period_problem`)."""
    for contract in _of(members, "loan_contract"):
        signed = iso_date(contract.doc.value("signed_date"))
        if signed is None:
            continue
        for statement in _of(members, "bank_statement"):
            start, end = iso_date(statement.doc.value("period_start")), iso_date(statement.doc.value("period_end"))
            if start is None or end is None:
                continue
            try:
                problem = period_problem(start, end, signed, ctx.statement_months, ctx.statement_max_age_days,
                                         later_ok=True)
            except (OverflowError, ValueError):
                continue
            if problem is None:
                continue
            en, zh = problem
            yield _finding("statement_covers_application",
                           [_ref(statement, "period_start", "period_end"), _ref(contract, "signed_date")],
                           f"For the contract signed on {signed}: {en}", f"合同签订于 {signed}：{zh}")
