"""Real OCR on captures that show a capture risk (:mod:`fixtures.capture_risks`): the whole read raises the risk
on the card it concerns, and genuine photos of both card renderers raise none. Not every capture of a kind shows
its risk plainly (a screen photographed finely enough leaves little moiré); how many are found is measured by
``docintake bench capture-risks``, not here."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from extractors.models import Severity, Status
from fixtures import capture_risks, render_alt
from intake.job.pipeline import Outcome, Pipeline

pytestmark = pytest.mark.ocr
TODAY = dt.date(2026, 11, 21)
if any(not Path(path).is_file() for path, _ in render_alt.FONTS.values()):
    pytest.skip("the Debian fonts fixtures.render_alt draws with are missing", allow_module_level=True)
KINDS = capture_risks.KINDS


def _read(pipeline: Pipeline, kind: str, seed: int, renderer: int = 0, side: int = 0) -> tuple[Outcome, dict]:
    """One capture of ``kind``; ``renderer`` 0 own, 1 alt; ``side`` 0 the front (a temporary card: its back)."""
    index = KINDS.index(kind) + len(KINDS) * (renderer + 2 * side)
    _, data, _, truth = capture_risks.capture(kind, random.Random(seed), index, TODAY)
    return pipeline.process(data, today=TODAY), truth


def _raised(outcome: Outcome) -> dict[str, Severity]:
    return {f.rule: f.severity for d in outcome.documents for f in d.findings
            if f.rule in ("screen_reshoot", "border_incomplete", "occluded", "edited", "temporary_card",
                          "bw_copy", "photocopy")}


@pytest.mark.parametrize("renderer", [0, 1])
def test_a_temporary_card_is_read_as_its_own_kind(pipeline: Pipeline, renderer: int) -> None:
    outcome, truth = _read(pipeline, "temporary_card", 31, renderer)
    [back] = [d for d in outcome.documents if d.doc_type == "id_card_back"]
    assert back.meta.get("card_kind") == "temporary"
    assert _raised(outcome) == {"temporary_card": Severity.WARNING}
    want = truth["documents"][0]["fields"]
    assert back.value("valid_until") == want["valid_until"]  # three months: no validity error
    assert not [f for f in back.findings if f.rule == "validity_length_fits_age"]


@pytest.mark.parametrize(("seed", "renderer"), [(41, 0), (42, 1)])
def test_a_card_shown_on_a_screen_and_photographed_is_a_screen_reshoot(pipeline: Pipeline, seed: int,
                                                                         renderer: int) -> None:
    outcome, _ = _read(pipeline, "screen_reshoot", seed, renderer)
    if outcome.status == Status.REJECTED:  # the moiré hid the pale labels: the app is told what is wrong
        assert outcome.reject_code == "screen_reshoot" and "screen" in (outcome.reject_reason or "")
        return
    assert "screen_reshoot" in _raised(outcome)
    [risk] = [r for d in outcome.documents for r in d.meta.get("capture_risks", []) if r["code"] == "screen_reshoot"]
    assert risk["evidence"]["colour_detail"] >= risk["evidence"]["detail_threshold"]


@pytest.mark.parametrize(("seed", "renderer"), [(51, 0), (52, 1)])
def test_a_finger_over_the_card_is_named_and_never_accepted_wrong(pipeline: Pipeline, seed: int,
                                                                  renderer: int) -> None:
    outcome, truth = _read(pipeline, "occluded", seed, renderer)
    rejected = outcome.status == Status.REJECTED and outcome.reject_code == "occluded"
    assert rejected or "occluded" in _raised(outcome)
    if outcome.status == Status.ACCEPTED:  # what shows was read right
        want = truth["documents"][0]["fields"]
        got = {k: f.value for d in outcome.documents for k, f in d.fields.items()}
        assert all(got.get(k) == v for k, v in want.items())


@pytest.mark.parametrize(("kind", "renderer"), [("photo", 0), ("photo", 1), ("photo_sensor", 1),
                                                 ("glare_mild", 0)])
def test_a_genuine_photo_raises_no_capture_risk(pipeline: Pipeline, kind: str, renderer: int) -> None:
    outcome, _ = _read(pipeline, kind, 61, renderer)
    assert outcome.status == Status.ACCEPTED and _raised(outcome) == {}
