"""Capture risks (what was photographed) and the capture quality score, from the measures imaging takes."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.imaging.capture import (
    BAND_SECTORS,
    INK_DARKER,
    INK_DIFFERENCE,
    PRINT_HEIGHT_RANGE,
    colour_bands,
    corners_outside,
    cut_by_frame,
    edited_name,
    moire,
    native_card,
    occlusion,
    risks,
    screen_frame,
)
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


# --- what the card's pixels say: a screen's grid, a finger, a cut border, a retyped name --------------------

def _drawn(seed: int, renderer: str = "alt") -> Any:
    import datetime as dt
    import random

    from fixtures import capture_risks
    from fixtures.people import make_person

    rng = random.Random(seed)
    return capture_risks.draw(make_person(rng, dt.date(2026, 11, 21)), rng, renderer), rng


def _as_uploaded(image: Any) -> Any:
    """A phone's JPEG of ``image``: its chroma at half resolution (4:2:0), as every phone camera saves it."""
    import cv2

    from fixtures.capture import jpeg

    return cv2.imdecode(np.frombuffer(jpeg(image, 85), np.uint8), cv2.IMREAD_COLOR)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_card_photographed_off_a_screen_ripples_in_colour_and_a_photo_does_not(seed: int) -> None:
    from fixtures import capture_risks
    from fixtures.capture import photo_shot

    card, rng = _drawn(seed, ("own", "alt")[seed % 2])
    screen = capture_risks.screen_reshoot(card.front, rng)
    photo = photo_shot([card.front], rng)
    other = photo_shot([card.front], rng)
    sensor = _as_uploaded(capture_risks.bayer(other.image, rng))  # a Bayer sensor's chroma noise, as a phone saves it
    screen.image = _as_uploaded(screen.image)

    def raised(image: Any, quad: Any) -> list[str]:
        return codes(PHOTO, native=native_card(image, np.array(quad, np.float32)))

    assert raised(screen.image, screen.quads[0]) == ["screen_reshoot"]
    assert raised(photo.image, photo.quads[0]) == []
    assert raised(sensor, other.quads[0]) == []
    for image, quad in ((photo.image, photo.quads[0]), (sensor, other.quads[0])):  # one tint, no bands
        assert colour_bands(native_card(image, np.array(quad, np.float32)))["hue_sectors"] < BAND_SECTORS
    [risk] = risks(PHOTO, spread=40.0, page=(1080, 1440), share=0.3, found_by="edges",
                   native=native_card(screen.image, np.array(screen.quads[0], np.float32)))
    assert risk["evidence"]["colour_detail"] >= risk["evidence"]["detail_threshold"]  # the measures beside their bars


def test_a_screen_the_camera_resolves_finely_is_found_by_its_colour_bands() -> None:
    """A screen whose fine ripple stays under the bar (the camera resolves its grid) still shows it as broad
    rainbow bands across the card's ground."""
    from fixtures import capture_risks

    card, rng = _drawn(11, "alt")
    screen = capture_risks.screen_reshoot(card.front, rng)
    native = native_card(_as_uploaded(screen.image), np.array(screen.quads[0], np.float32))
    assert moire(native)["colour_ripple"] < 0.35  # the fine measure alone would miss it
    [risk] = risks(PHOTO, spread=40.0, page=(1080, 1440), share=0.3, found_by="edges", native=native)
    assert risk["code"] == "screen_reshoot" and risk["evidence"]["found_by"] == "colour bands"
    assert risk["evidence"]["hue_sectors"] >= BAND_SECTORS


@pytest.mark.parametrize("seed", [21, 22, 23, 24])
def test_a_card_shown_on_a_screen_lies_in_its_frame_and_one_on_a_desk_does_not(seed: int) -> None:
    """The screen's flat margin ending at its bezel, parallel to the card's sides, is found however finely the
    camera resolved the screen; a card on any surface, or beside the other side of the card, shows no frame."""
    from fixtures import capture_risks
    from fixtures.capture import photo_shot

    card, rng = _drawn(seed, ("own", "alt")[seed % 2])
    screen = capture_risks.screen_reshoot(card.front, rng)
    found = screen_frame(_as_uploaded(screen.image), np.array(screen.quads[0], np.float32))
    assert found is not None and sum(e is not None for e in found["edges_px"]) >= found["sides_needed"]
    [risk] = risks(PHOTO, spread=40.0, page=(1080, 1440), share=0.3, found_by="edges", frame=found)
    assert risk["code"] == "screen_reshoot" and risk["evidence"]["found_by"] == "screen frame"
    for shot in (photo_shot([card.front], rng), photo_shot([card.front, card.back], rng)):
        for quad in shot.quads:
            assert screen_frame(_as_uploaded(shot.image), np.array(quad, np.float32)) is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-400, 1000), st.floats(-400, 800)), min_size=4, max_size=4))
def test_any_outline_however_odd_gets_an_answer_from_the_frame_check(corners: list[tuple[float, float]]) -> None:
    """A card finder's outline may be tiny, twisted or beyond the photo: the check answers, never raises."""
    photo = np.random.default_rng(5).integers(0, 255, (300, 400, 3), dtype=np.uint8)
    found = screen_frame(photo, np.array(corners, np.float32))
    assert found is None or len(found["edges_px"]) == 4


def test_a_blurred_photo_with_little_detail_left_is_no_screen() -> None:
    import cv2

    card, rng = _drawn(10)
    from fixtures.capture import photo_shot

    shot = photo_shot([card.front], rng, defect="blurry")
    image = _as_uploaded(shot.image)
    assert codes(PHOTO, native=native_card(image, np.array(shot.quads[0], np.float32))) == []
    assert cv2.Laplacian(image, cv2.CV_64F).var() < 50  # blurred indeed


def test_a_grey_capture_is_never_called_a_screen() -> None:
    from fixtures import capture_risks

    card, rng = _drawn(4)
    shot = capture_risks.screen_reshoot(card.front, rng)
    grey = np.repeat(shot.image.mean(axis=2, keepdims=True).astype(np.uint8), 3, axis=2)
    assert moire(native_card(grey, np.array(shot.quads[0], np.float32)))["colour_ripple"] < 0.05


@pytest.mark.parametrize("seed", [5, 6, 7, 8])
def test_a_finger_over_the_card_is_found_where_it_lies(seed: int) -> None:
    import cv2

    from extractors.imaging.cards import OUT_H, OUT_W
    from fixtures import capture_risks
    from fixtures.capture import photo_shot

    card, rng = _drawn(seed, ("own", "alt")[seed % 2])
    shot, truth = capture_risks.finger(photo_shot([card.front], rng), card.front.shape[1::-1], rng)
    flat = cv2.warpPerspective(shot.image, cv2.getPerspectiveTransform(
        np.array(shot.quads[0], np.float32), np.array([[0, 0], [OUT_W - 1, 0], [OUT_W - 1, OUT_H - 1],
                                                      [0, OUT_H - 1]], np.float32)), (OUT_W, OUT_H))
    found = occlusion(flat)
    assert found is not None and found["share"] > 0.02
    k = OUT_W / card.front.shape[1]
    x0, y0, x1, y1 = found["box"]
    tx0, ty0, tx1, ty1 = (v * k for v in truth)
    overlap = max(0, min(x1, tx1) - max(x0, tx0)) * max(0, min(y1, ty1) - max(y0, ty0))
    assert overlap > 0.5 * (tx1 - tx0) * (ty1 - ty0)  # the outlined region is where the finger is
    portrait = cv2.resize(card.front, (OUT_W, OUT_H))  # a skin-coloured portrait does not reach the edge
    assert occlusion(portrait) is None


def test_a_card_cut_by_the_frame_names_the_side() -> None:
    from fixtures import capture_risks
    from fixtures.capture import photo_shot

    card, rng = _drawn(9)
    whole = photo_shot([card.front], rng)
    assert corners_outside(np.asarray(whole.quads[0], np.float32), whole.image.shape[:2]) is None
    for _ in range(4):
        cut = capture_risks.cut_border(photo_shot([card.front], rng), rng)
        found = corners_outside(np.asarray(cut.quads[0], np.float32), cut.image.shape[:2])
        assert found is not None and found["sides"] and found["furthest"] > 0.01


def test_every_photo_the_risk_generator_cuts_is_seen_cut() -> None:
    """Ten photos cut 1.5–4 % by the frame (:func:`fixtures.capture_risks.cut_border`): each card is found with
    a corner on or beyond the frame, or, where the finder cannot take it whole, as a region running off it."""
    from extractors.imaging import cards
    from fixtures import capture_risks
    from fixtures.capture import photo_shot

    for seed in range(30, 40):
        card, rng = _drawn(seed, ("own", "alt")[seed % 2])
        shot = capture_risks.cut_border(photo_shot([card.front], rng, size=(1440, 1080)), rng)
        found = cards.find_cards(shot.image)
        if found:
            assert cut_by_frame(shot.image, found[0].quad, colour=True) is not None, seed
        else:
            assert cards.partial_card(shot.image) is not None, seed


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_card_cut_at_a_corner_or_by_a_thin_strip_is_seen_cut(seed: int) -> None:
    """The frame 2 % inside the card's furthest corner: the finder either takes the card with a corner on the
    frame, or (the strip too thin to be the card's) takes its print's edge inside and finds it too short, or finds
    no card and the cut region runs off the frame."""
    from extractors.imaging import cards
    from fixtures.capture import photo_shot

    card, rng = _drawn(seed, ("own", "alt")[seed % 2])
    shot = photo_shot([card.front], rng, size=(1440, 1080))
    quad = np.asarray(shot.quads[0], np.float32)
    width = float(np.linalg.norm(quad[1] - quad[0]))
    for axis in (0, 1):  # cut on the right, then at the bottom
        edge = int(quad[:, axis].max() - 0.02 * width)
        image = np.ascontiguousarray(shot.image[:, :edge] if axis == 0 else shot.image[:edge])
        found = cards.find_cards(image)
        if found:
            [crop] = found
            seen = cut_by_frame(image, crop.quad, colour=True)
            assert seen is not None and ("right" if axis == 0 else "bottom") in seen["sides"]
        else:
            box = cards.partial_card(image)
            assert box is not None and box[2 + axis] == image.shape[1 - axis]
    uncut = photo_shot([card.front], rng, size=(1440, 1080))  # the same card whole: nothing cut
    [crop] = cards.find_cards(uncut.image)
    assert cut_by_frame(uncut.image, crop.quad, colour=True) is None


def test_a_name_retyped_at_another_size_or_in_another_ink_is_edited() -> None:
    import cv2

    card = np.full((640, 1014, 3), 232, np.uint8)
    boxes = {"name": (160, 76, 300, 120), "sex": (160, 150, 200, 190), "ethnicity": (330, 150, 370, 190),
             "address": (160, 290, 600, 330)}
    for x0, y0, x1, y1 in list(boxes.values())[1:]:
        cv2.rectangle(card, (x0 + 4, y0 + 4), (x1 - 4, y1 - 5), (30, 30, 30), 3)  # strokes 32 px high
    cv2.rectangle(card, (164, 80), (296, 116), (30, 30, 30), 3)  # the name larger, as a card prints it: 37 px
    assert edited_name(card, boxes) is None
    same = card.copy()
    same[76:121, 160:301] = 232
    cv2.rectangle(same, (164, 84), (296, 115), (30, 30, 30), 3)  # retyped at the other values' size: 32 px
    found = edited_name(same, boxes)
    assert found is not None and found["field"] == "name" and found["height_ratio"] < PRINT_HEIGHT_RANGE[0]
    assert found["box"] == [160, 76, 300, 120] and "height" in found["why_en"]
    larger = card.copy()
    larger[76:121, 160:301] = 232
    cv2.rectangle(larger, (164, 77), (296, 119), (30, 30, 30), 3)  # 43 px: a third larger than the others
    found = edited_name(larger, boxes)
    assert found is not None and found["height_ratio"] > PRINT_HEIGHT_RANGE[1]
    black = card.copy()
    black[76:121, 160:301] = 232
    cv2.rectangle(black, (164, 80), (296, 116), (0, 0, 0), 3)  # the card's height, retyped in black
    found = edited_name(black, boxes)
    assert found is not None and found["ink_difference"] <= -INK_DARKER and "ink" in found["why_en"]
    stacked = card.copy()  # a name whose strokes leave rows without ink (三, 兰): measured whole, not edited
    stacked[76:121, 160:301] = 232
    for top in (80, 92, 104):
        cv2.line(stacked, (170, top), (290, top), (30, 30, 30), 3)
    cv2.line(stacked, (170, 115), (290, 115), (30, 30, 30), 3)
    assert edited_name(stacked, boxes) is None
    lighter = card.copy()  # a name of thin strokes under blur measures lighter than the bolder values…
    lighter[76:121, 160:301] = 232
    cv2.rectangle(lighter, (164, 80), (296, 116), (60, 60, 60), 3)
    found = edited_name(lighter, boxes)
    assert found is not None and found["ink_difference"] >= INK_DIFFERENCE  # …which is an edit where they agree…
    x0, y0, x1, y1 = boxes["ethnicity"]
    cv2.rectangle(lighter, (x0 + 4, y0 + 4), (x1 - 4, y1 - 5), (50, 50, 50), 3)
    assert edited_name(lighter, boxes) is None  # …and says nothing where they differ among themselves by 20


def test_a_one_bit_scan_is_bilevel_and_a_grey_scan_or_a_photo_is_not() -> None:
    from extractors.imaging.capture import bilevel
    from fixtures.capture import photo_shot
    from fixtures.capture_alt import flatbed
    from fixtures.idcard_alt import _png

    card, rng = _drawn(12)
    one_bit = cv2.imdecode(np.frombuffer(_png(flatbed(card.back, rng, mode="bw").image), np.uint8), cv2.IMREAD_COLOR)
    assert bilevel(one_bit)
    assert not bilevel(_as_uploaded(flatbed(card.back, rng, mode="grey").image))
    assert not bilevel(_as_uploaded(photo_shot([card.back], rng).image))
    [risk] = risks(PHOTO.model_copy(update={"in_colour": False}), spread=0.0, page=(640, 1014), share=0.9,
                   found_by="print", black_and_white=True)
    assert risk["code"] == "bw_copy" and risk["evidence"]["bilevel"] is True
