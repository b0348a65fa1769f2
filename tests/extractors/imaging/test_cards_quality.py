"""Finding, flattening and judging cards in photos."""

from __future__ import annotations

import numpy as np
import pytest

from extractors.imaging import cards, decode, orient, quality
from extractors.models import RetakeReason
from tests.conftest import REALDATA, sample


def _load(*parts: str) -> np.ndarray:
    return decode.load_image(sample(*parts).read_bytes())


@pytest.mark.parametrize(("name", "n"), [("front-photo-1.jpg", 1), ("front-photo-rot90.jpg", 1),
                                         ("both-sides-photo.jpg", 2), ("a4-copy.jpg", 2), ("front-scan-1.jpg", 1)])
def test_cards_are_found_and_flattened(name: str, n: int) -> None:
    found = cards.find_cards(_load(name))
    assert len(found) == n
    for c in found:
        h, w = orient.to_landscape(c.image).shape[:2]
        assert w / h == pytest.approx(cards.CARD_ASPECT, rel=0.02)
        assert not c.touches_border


def test_no_card_in_a_landscape_photo() -> None:
    assert cards.find_cards(_load("bad", "not-a-card.jpg")) == []


@pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is absent")
def test_real_specimen_with_both_sides_gives_two_cards() -> None:
    image = decode.load_image((REALDATA / "specimen-id-front-back.jpg").read_bytes())
    found = cards.find_cards(image)
    assert len(found) == 2
    assert found[0].bbox[1] < found[1].bbox[1], "front (top) first"


@pytest.mark.parametrize(("name", "reason"), [("bad-blurry.jpg", RetakeReason.BLURRY),
                                              ("bad-too-small.jpg", RetakeReason.TOO_SMALL),
                                              ("bad-glare.jpg", RetakeReason.GLARE),
                                              ("bad-cut-off.jpg", RetakeReason.CUT_OFF)])
def test_quality_names_the_problem(name: str, reason: RetakeReason) -> None:
    image = _load(name)
    found = cards.find_cards(image)
    region, crop = (found[0].image, found[0]) if found else (image, None)
    assert reason in quality.measure(region, crop, photo=image).problems


@pytest.mark.parametrize("name", ["front-photo-1.jpg", "back-photo-1.jpg", "front-scan-1.jpg", "a4-copy.jpg"])
def test_good_captures_have_no_problems(name: str) -> None:
    image = _load(name)
    for c in cards.find_cards(image):
        assert quality.measure(c.image, c, photo=image).problems == []


def test_dark_photo_is_too_dark() -> None:
    image = (_load("front-photo-1.jpg") * 0.1).astype(np.uint8)
    found = cards.find_cards(image)
    region, crop = (found[0].image, found[0]) if found else (image, None)
    assert quality.measure(region, crop, photo=image).problems[0] == RetakeReason.TOO_DARK
