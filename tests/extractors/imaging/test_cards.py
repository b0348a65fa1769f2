"""Finding and flattening cards in drawn photos, A4 copies, scans, and the real specimens."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from extractors.imaging import cards, decode, orient
from tests.extractors.imaging import drawn

REALDATA = Path(__file__).resolve().parents[4] / "shared" / "realdata"
needs_realdata = pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is absent")

FRONT, BACK = drawn.card("front", 1), drawn.card("back", 2)


def _upright_matches(crop: np.ndarray, truth: np.ndarray) -> bool:
    """The crop, turned by the orientation's first guess, looks like the drawn card (not its 180° turn)."""
    turned = orient.rotate(crop, orient.rotation_candidates(crop)[0])

    def small(img: np.ndarray) -> np.ndarray:
        return cv2.resize(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), (86, 54), interpolation=cv2.INTER_AREA).astype(float)

    same = np.abs(small(turned) - small(truth)).mean()
    flipped = np.abs(small(orient.rotate(turned, 180)) - small(truth)).mean()
    return bool(same < flipped)


@pytest.mark.parametrize("angle", [0, 90, 180, 270, 33])
@pytest.mark.parametrize("kind", ["wood", "cloth", "white", "dark"])
def test_one_card_on_a_surface_is_found_flattened_and_turned_upright(kind: str, angle: int) -> None:
    photo, [truth] = drawn.photo([FRONT], angle=angle, kind=kind, tilt=(14, -10), seed=angle)
    [crop] = cards.find_cards(photo)
    assert drawn.iou_to_truth(crop.quad, truth) > 0.9
    assert crop.image.shape == (cards.OUT_H, cards.OUT_W, 3)
    assert not crop.touches_border and 0.25 < crop.coverage < 0.35
    assert _upright_matches(crop.image, FRONT)


@pytest.mark.parametrize(("angle", "gap"), [(0, 0.12), (7, 0.12), (90, 0.12), (184, 0.0), (3, 0.0)])
def test_both_sides_in_one_photo_give_two_cards_front_first(angle: int, gap: float) -> None:
    photo, truths = drawn.photo([FRONT, BACK], angle=angle, coverage=0.35, gap=gap, tilt=(8, 5), seed=3)
    found = cards.find_cards(photo)
    assert len(found) == 2
    for truth in truths:
        assert max(drawn.iou_to_truth(c.quad, truth) for c in found) > (0.9 if gap else 0.8)


@pytest.mark.parametrize("gap", [52, 56])
def test_two_sides_whose_outlines_merge_as_a_slanted_cards_shape_are_parted(gap: int) -> None:
    """Two sides 9–10 mm apart on a pale ground merge into one outline measuring 1.36–1.37 — a card's shape
    seen at a slant, and two cards' shape too: the seam across it parts them (one side was lost so, and the other
    accepted alone)."""
    photo = np.full((900, 1200, 3), 120, np.uint8)
    w = 520
    h = round(w / 1.586)
    photo[60:60 + 2 * h + gap, 340:340 + w] = 215
    photo[60:60 + h, 340:340 + w] = cv2.resize(FRONT, (w, h))
    photo[60 + h + gap:60 + 2 * h + gap, 340:340 + w] = cv2.resize(BACK, (w, h))
    found = cards.find_cards(cv2.GaussianBlur(photo, (0, 0), 1.2))
    assert len(found) == 2
    centres = [(c.bbox[1] + c.bbox[3]) / 2 for c in found]
    assert 60 < centres[0] < 60 + h < 60 + h + gap / 2 < centres[1] < 60 + 2 * h + gap  # front first, then back


@pytest.mark.parametrize("grey", [True, False])
def test_a4_copy_page_gives_both_cards(grey: bool) -> None:
    page = drawn.a4_copy(FRONT, BACK, grey=grey)
    found = cards.find_cards(page)
    assert [c.bbox[1] < 700 for c in found] == [True, False], "front (top) first"
    for c in found:
        assert 0.06 < c.coverage < 0.09


def test_a4_copy_photographed_on_a_desk_gives_the_cards_not_the_page() -> None:
    page = drawn.a4_copy(FRONT, BACK, grey=False)
    photo, _ = drawn.photo([page], kind="wood", coverage=0.6, tilt=(5, 4), angle=2)
    found = cards.find_cards(photo)
    assert len(found) == 2 and all(c.coverage < 0.12 for c in found)


@pytest.mark.parametrize("tilt", [(0, 0), (18, -12), (-20, 15)])
def test_a_page_of_text_is_not_a_card(tilt: tuple[float, float]) -> None:
    photo, _ = drawn.photo([drawn.page()], kind="wood", coverage=0.5, tilt=tilt, angle=3)
    assert cards.find_cards(photo) == []


def test_no_card_in_texture_or_a_landscape() -> None:
    assert cards.find_cards(drawn.background("cloth", 1200, 900)) == []
    sky = np.zeros((600, 900, 3), np.uint8)
    sky[:400] = (235, 206, 135)
    sky[400:] = (60, 140, 60)
    cv2.fillPoly(sky, [np.array([[100, 400], [300, 150], [500, 400]], np.int32)], (110, 110, 120))
    assert cards.find_cards(sky) == []


def test_a_scan_of_the_card_is_returned_whole() -> None:
    scan = cv2.resize(FRONT, (580, 366))
    [crop] = cards.find_cards(scan)
    assert crop.whole_image and crop.coverage == 1.0 and not crop.touches_border
    assert crop.bbox == (0, 0, 580, 366)


def test_a_card_cut_off_by_the_frame_is_no_card_but_a_partial_one() -> None:
    photo, _ = drawn.photo([FRONT], kind="dark", coverage=0.3, centre=(0.92, 0.5), tilt=(5, 5), angle=4)
    assert cards.find_cards(photo) == []
    box = cards.partial_card(photo)
    assert box is not None and box[2] == photo.shape[1]


def test_crop_points_map_back_onto_the_photo() -> None:
    photo, [truth] = drawn.photo([FRONT], angle=0, tilt=(0, 0))
    [crop] = cards.find_cards(photo)
    corners = crop.to_source(np.array([[0, 0], [cards.OUT_W - 1, cards.OUT_H - 1]], np.float32))
    assert np.abs(corners - truth[[0, 2]]).max() < 6


@needs_realdata
def test_real_specimen_with_both_sides_gives_two_cards() -> None:
    image = decode.load_image((REALDATA / "specimen-id-front-back.jpg").read_bytes())
    front, back = cards.find_cards(image)
    assert front.bbox[3] < back.bbox[1], "front (top) first"
    for c in (front, back):
        assert 0.4 < c.coverage < 0.5 and not c.touches_border
        assert orient.rotation_candidates(c.image)[0] == 0


@needs_realdata
def test_real_upside_down_specimen_gives_one_card_to_turn() -> None:
    image = decode.load_image((REALDATA / "specimen-id-front-rotated.jpeg").read_bytes())
    [crop] = cards.find_cards(image)
    assert crop.coverage > 0.9
    assert orient.rotation_candidates(crop.image)[0] == 180


@pytest.mark.parametrize("seed", [31, 32, 33, 34])
def test_both_sides_photographed_together_near_the_frame_edge_give_two_cards(seed: int, tmp_path: Path) -> None:
    # seed 33: the lower side sits near the frame's edge, seen at a slant the perspective estimate misjudges; the
    # upper side is found, and an outline of its size beside it is its other side
    import random

    from fixtures.idcard import TODAY, one
    from fixtures.people import make_person
    rng = random.Random(seed)
    name = one(tmp_path, "both.jpg", make_person(rng, TODAY), rng, capture="photo", sides="both",
               rotation=rng.choice((0, 90, 180, 270)))
    assert len(cards.find_cards(decode.load_image((tmp_path / name).read_bytes()))) == 2


def test_a_grey_copy_has_no_glare() -> None:
    from extractors.imaging import quality

    def measured(card: np.ndarray) -> float:
        crop = cards.CardCrop(card, np.array([[0, 0], [1015, 0], [1015, 640], [0, 640]], np.float32),
                              (0, 0, 1015, 640), False, 0.2, source_shape=(640, 1015))
        return quality.measure(card, crop, photo=card).glare_fraction

    grey = np.full((640, 1015, 3), 200, np.uint8)
    grey[200:400, 300:600] = 255  # blank paper blown white on a copy: no light came off a laminate
    assert not quality.in_colour(grey) and measured(grey) == 0.0
    photo = grey.copy()
    photo[450:600, 50:250] = (40, 90, 200)  # the same in a colour photo: a blob of glare
    assert quality.in_colour(photo) and measured(photo) > 0.05
