"""Capture risks (what was photographed) and the capture quality score, from the measures imaging takes."""

from __future__ import annotations

import pytest

from extractors.imaging.capture import risks
from extractors.imaging.quality import capture_score
from extractors.models import Quality, RetakeReason

PHOTO = Quality(sharpness=0.42, brightness=0.7, in_colour=True)


def codes(q: Quality, **kw: object) -> list[str]:
    args = {"spread": 40.0, "page": (1080, 1440), "share": 0.35, "found_by": "edges"} | kw
    return [r["code"] for r in risks(q, **args)]  # type: ignore[arg-type]


def test_a_colour_photo_of_the_card_raises_nothing() -> None:
    assert codes(PHOTO) == [] and codes(PHOTO, page=(1440, 1080), share=0.12) == []  # far away, portrait 4:3


def test_a_capture_without_colour_is_a_bw_copy_with_its_measure() -> None:
    grey = PHOTO.model_copy(update={"in_colour": False})
    [risk] = risks(grey, spread=2.0, page=(431, 597), share=0.8, found_by="print")
    assert risk["code"] == "bw_copy" and risk["evidence"] == {"colour_spread": 2.0, "threshold": 6}


def test_a_photo_too_dark_to_tell_is_no_bw_copy() -> None:
    dark = PHOTO.model_copy(update={"in_colour": False, "problems": [RetakeReason.TOO_DARK]})
    assert codes(dark, spread=1.0) == []


@pytest.mark.parametrize(("page", "share", "found_by", "expected"), [
    ((2339, 1654), 0.07, "print", ["photocopy"]),  # an A4 copy, no card edge left
    ((1754, 1240), 0.08, "edges", ["photocopy"]),  # an A4 copy whose card edges show
    ((431, 597), 0.62, "print", []),  # a flatbed scan cropped round the card
    ((1080, 1440), 0.2, "edges", []),  # a phone photo
    ((1080, 1440), 0.2, "print", []),  # a phone photo whose card edge was lost in glare
])
def test_a_card_on_a_sheet_is_a_photocopy(page: tuple[int, int], share: float, found_by: str,
                                          expected: list[str]) -> None:
    assert codes(PHOTO, page=page, share=share, found_by=found_by) == expected


def test_the_score_falls_with_every_problem_and_names_them() -> None:
    assert capture_score(PHOTO) == (100, [])
    score, why = capture_score(PHOTO.model_copy(update={"sharpness": 0.1, "problems": [RetakeReason.BLURRY]}))
    assert score == 55 and why == ["blur"]
    glare = PHOTO.model_copy(update={"glare_fraction": 0.08, "problems": [RetakeReason.GLARE]})
    assert capture_score(glare) == (60, ["glare"])
    worst = Quality(sharpness=0.0, glare_fraction=0.2, in_colour=False,
                    problems=[RetakeReason.TOO_DARK, RetakeReason.CUT_OFF, RetakeReason.TOO_SMALL])
    assert capture_score(worst)[0] == 0
