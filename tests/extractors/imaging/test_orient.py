"""Orientation: turning by quarter turns, cards to landscape, and which way up to read first."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from extractors.imaging import cards, decode, orient
from tests.extractors.imaging import drawn

REALDATA = Path(__file__).resolve().parents[4] / "shared" / "realdata"


def test_rotate_is_clockwise_and_refuses_odd_angles() -> None:
    img = np.arange(6).reshape(2, 3)
    assert orient.rotate(img, 90).tolist() == [[3, 0], [4, 1], [5, 2]]
    assert orient.rotate(img, -90).tolist() == orient.rotate(img, 270).tolist()
    assert orient.rotate(img, 360) is img
    with pytest.raises(ValueError, match="multiple of 90"):
        orient.rotate(img, 45)


def test_to_landscape_turns_only_portrait_crops() -> None:
    assert orient.to_landscape(np.zeros((100, 60, 3), np.uint8)).shape == (60, 100, 3)
    card = np.zeros((60, 100, 3), np.uint8)
    assert orient.to_landscape(card) is card


@pytest.mark.parametrize("grey", [False, True])
@pytest.mark.parametrize("side", ["front", "back"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_upside_down_cards_are_read_turned_first(side: str, seed: int, grey: bool) -> None:
    card = drawn.card(side, seed)
    if grey:  # an A4 photocopy: no red emblem to go by
        card = cv2.cvtColor(cv2.cvtColor(card, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    assert orient.rotation_candidates(card) == [0, 180, 90, 270]
    assert orient.rotation_candidates(orient.rotate(card, 180)) == [180, 0, 90, 270]


def test_a_blank_card_has_no_opinion() -> None:
    assert orient.upside_down_score(np.full((640, 1015, 3), 230, np.uint8)) == 0.0


def test_a_page_lying_on_its_side_is_read_sideways_first() -> None:
    page = drawn.page()
    assert orient.rotation_candidates(page, card=False)[:2] == [0, 180]
    assert orient.rotation_candidates(orient.rotate(page, 90), card=False)[:2] == [90, 270]


@pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is absent")
@pytest.mark.parametrize("turn", [0, 180])
def test_real_specimens_every_way_up(turn: int) -> None:
    crops = []
    for name, upside_down in (("specimen-id-front-back.jpg", False), ("specimen-id-front-rotated.jpeg", True)):
        image = decode.load_image((REALDATA / name).read_bytes())
        crops += [(c.image, upside_down) for c in cards.find_cards(image)]
    for image, upside_down in crops:
        want = 180 if upside_down != (turn == 180) else 0
        assert orient.rotation_candidates(orient.rotate(image, turn))[0] == want
