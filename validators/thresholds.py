"""Per-field minimum confidences: below its threshold an OCR value goes to a person.

Measured by ``docintake bench calibration`` (:mod:`bench.calibration`) on the tuning seeds only (own
generators 7001, alternative generators 7101); the reliability table and the review cost are in
``bench/RESULTS.md`` ("Confidence calibration"). A field's threshold is the smallest confidence at which its
*accepted* OCR values (values in documents no other rule sends to review) were wrong at most 0.5 % of the time;
where all its values, caught or not, separate at a higher confidence that costs no good document a review in
those sets, that one (``name``, ``issuer``). A field not listed needs the floor: its errors came only in
documents other rules already send to review (amounts, balances and dates break the balance chain), or none
were seen.

Keys are ``doc_type.field``, a table cell ``doc_type.table.field``. The floor is ``RuleContext.min_confidence``
(``DOCINTAKE_MIN_CONFIDENCE``): a threshold never lowers it, and raising it raises every field.

>>> FIELD_MIN_CONFIDENCE["id_card_front.address"], FIELD_MIN_CONFIDENCE.get("id_card_front.sex", FLOOR)
(0.98, 0.8)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

FLOOR = 0.80
"""The default global minimum (``RuleContext.min_confidence``, ``DOCINTAKE_MIN_CONFIDENCE``)."""

FIELD_MIN_CONFIDENCE: Mapping[str, float] = MappingProxyType({
    "id_card_front.name": 0.85,       # 1 of 2 wrong in 0.80-0.90; none above
    "id_card_front.address": 0.98,    # 3 accepted wrong at 0.92-0.98 (glare, grey scan, photo)
    "id_card_back.issuer": 0.94,      # 5 of 5 under 0.94 wrong; 0 of 92 at or above
    # nothing checks a counterparty: 92 of 679 accepted were wrong at the floor, 2 of 403 at >= 0.99
    "bank_statement.transactions.counterparty": 0.995,
})
