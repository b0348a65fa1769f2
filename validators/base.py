"""Declaring rules and repairs.

A rule is a function decorated with :func:`rule`; a repair one decorated with
:func:`repair`. Declaring is registering: :func:`validators.run` walks this
package, so a new rule is a new function in the module of its document type
(or a new module), never a line in a list.

A rule yields :class:`~extractors.models.Finding` objects; it never changes the
document. A repair may replace a field with one whose source is ``derived``
and must say so with a ``warning`` finding, so no repair is silent. Repairs
run before rules.

>>> from extractors.models import ExtractedDocument
>>> @rule("example_doc", name="always_fine")
... def _always_fine(doc, ctx):
...     return iter(())
>>> "always_fine" in {r.name for r in rules_for("example_doc")}
True
>>> _RULES.pop("always_fine") and None
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from extractors.models import ExtractedDocument, Finding, Severity
from validators.thresholds import FIELD_MIN_CONFIDENCE, FLOOR

CheckFn = Callable[[ExtractedDocument, "RuleContext"], Iterable[Finding]]
RepairFn = Callable[[ExtractedDocument, "RuleContext"], Iterable[Finding]]


CHINA = dt.timezone(dt.timedelta(hours=8), "CST")
"""China Standard Time (no daylight saving): the calendar the documents and their users live by."""


@dataclass(frozen=True)
class RuleContext:
    """What rules may know besides the document: the clock, the settings, the other documents."""

    today: dt.date = field(default_factory=lambda: dt.datetime.now(CHINA).date())
    """The day the documents are judged on: the day they were uploaded (China time), never the day a worker
    happens to read them, so a retried job or a later correction is judged alike."""
    min_confidence: float = FLOOR
    """Below this an OCR value needs a person to look at it, whatever its field (the floor of
    ``field_min_confidence``)."""
    field_min_confidence: Mapping[str, float] = field(default_factory=lambda: FIELD_MIN_CONFIDENCE)
    """Per field (``doc_type.name``, a table cell ``doc_type.table.name``), the confidence its OCR values need,
    measured by ``docintake bench calibration`` (:mod:`validators.thresholds`); never lower than
    ``min_confidence``."""
    statement_months: int = 6
    """A bank statement must span this many months …"""
    statement_max_age_days: int = 31
    """… and end at most this many days before ``today`` (:func:`validators.bank_statement.period_problem`)."""
    rate_capped_lenders: frozenset[str] = frozenset({"private"})
    """Lender kinds the private-lending rate cap (4 × LPR) binds; see :mod:`validators.loan_contract`."""
    capture_risk_errors: frozenset[str] = frozenset()
    """Capture risks (``bw_copy``, ``photocopy``) this lender treats as errors; warnings otherwise
    (:mod:`validators.id_card_capture`)."""
    companions: tuple[ExtractedDocument, ...] = ()
    """The other documents of the same upload or application (e.g. the front of the ID card when
    the back is checked); cross-document rules read them, never change them. May include the
    document being checked itself: rules select companions by ``doc_type``."""

    def needed_confidence(self, field_key: str) -> float:
        """The confidence an OCR value of ``field_key`` (``doc_type.name``, ``doc_type.table.name``) needs: its
        measured threshold, never under ``min_confidence`` (the floor; raising the setting raises every field).

        >>> ctx = RuleContext(field_min_confidence={"id_card_front.name": 0.95})
        >>> ctx.needed_confidence("id_card_front.name"), ctx.needed_confidence("id_card_front.sex")
        (0.95, 0.8)
        >>> RuleContext(min_confidence=0.99, field_min_confidence={"id_card_front.name": 0.95}
        ...             ).needed_confidence("id_card_front.name")
        0.99
        """
        own = self.field_min_confidence.get(field_key)
        return max(self.min_confidence, own) if isinstance(own, int | float) else self.min_confidence


@dataclass(frozen=True)
class Declared:
    name: str
    doc_types: tuple[str, ...]
    fn: CheckFn
    repair: bool = False

    def __call__(self, doc: ExtractedDocument, ctx: RuleContext) -> list[Finding]:
        return list(self.fn(doc, ctx))


_RULES: dict[str, Declared] = {}


def _declare(doc_types: tuple[str, ...], name: str | None, repair: bool) -> Callable[[CheckFn], CheckFn]:
    def wrap(fn: CheckFn) -> CheckFn:
        rule_name = name or fn.__name__
        if rule_name in _RULES and _RULES[rule_name].fn.__qualname__ != fn.__qualname__:
            raise TypeError(f"rule {rule_name!r} declared twice")
        _RULES[rule_name] = Declared(rule_name, doc_types, fn, repair)
        return fn

    return wrap


def rule(*doc_types: str, name: str | None = None) -> Callable[[CheckFn], CheckFn]:
    """Declare a rule over the given document types (name defaults to the function's)."""
    return _declare(doc_types, name, repair=False)


def repair(*doc_types: str, name: str | None = None) -> Callable[[RepairFn], RepairFn]:
    """Declare a repair: it may change fields, and yields a finding for each change."""
    return _declare(doc_types, name, repair=True)


@dataclass(frozen=True)
class Member:
    """One document of an application, as a cross-document rule sees it."""

    ref: str
    """How findings name it (:class:`~extractors.models.FieldRef`): ``<upload id>/<index in the upload>``."""
    doc: ExtractedDocument


CrossFn = Callable[[Sequence[Member], RuleContext], Iterable[Finding]]
_CROSS: dict[str, CrossFn] = {}


def cross_rule(name: str | None = None) -> Callable[[CrossFn], CrossFn]:
    """Declare a rule over all the documents of one application (:func:`validators.check_application`)."""
    def wrap(fn: CrossFn) -> CrossFn:
        rule_name = name or fn.__name__
        if rule_name in _CROSS and _CROSS[rule_name].__qualname__ != fn.__qualname__:
            raise TypeError(f"cross-document rule {rule_name!r} declared twice")
        _CROSS[rule_name] = fn
        return fn

    return wrap


def cross_rules() -> dict[str, CrossFn]:
    return dict(_CROSS)


def rules_for(doc_type: str, *, repairs: bool = False) -> list[Declared]:
    return [r for r in _RULES.values() if doc_type in r.doc_types and r.repair == repairs]


def all_declared() -> list[Declared]:
    return list(_RULES.values())


def warning(rule_name: str, fields: list[str], en: str, zh: str) -> Finding:
    return Finding.make(rule_name, Severity.WARNING, fields, en=en, zh=zh)


def error(rule_name: str, fields: list[str], en: str, zh: str) -> Finding:
    return Finding.make(rule_name, Severity.ERROR, fields, en=en, zh=zh)
