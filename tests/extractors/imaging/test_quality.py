"""Quality: good captures pass clean, and each bad one is named for what is wrong with it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pytest

from extractors.imaging import cards, decode, quality
from extractors.models import Quality, RetakeReason
from tests.extractors.imaging import drawn

REALDATA = Path(__file__).resolve().parents[4] / "shared" / "realdata"
FRONT = drawn.card("front", 1)


def _judge(photo: np.ndarray) -> Quality:
    """What the reader does: measure the first card found, or the whole photo."""
    found = cards.find_cards(photo)
    return quality.measure(found[0].image if found else photo, found[0] if found else None, photo=photo)


def _good_photo(**kw: object) -> np.ndarray:
    args: dict[str, object] = {"kind": "wood", "coverage": 0.3, "tilt": (10, -6), "angle": 3}
    args.update(kw)
    photo, _ = drawn.photo([FRONT], **args)  # type: ignore[arg-type]
    return photo


@pytest.mark.parametrize("kind", ["wood", "cloth", "white", "dark"])
def test_a_good_photo_has_no_problems(kind: str) -> None:
    q = _judge(_good_photo(kind=kind))
    assert q.problems == []
    assert 0.25 < q.coverage < 0.35 and q.sharpness > 0.3 and q.brightness > 0.5 and q.glare_fraction == 0


def test_a_blurred_photo_is_blurry() -> None:
    assert _judge(cv2.GaussianBlur(_good_photo(), (0, 0), 6)).problems == [RetakeReason.BLURRY]


def test_a_slightly_soft_photo_is_not_called_blurry() -> None:
    assert _judge(cv2.GaussianBlur(_good_photo(), (0, 0), 1.2)).problems == []


def test_a_dark_photo_is_too_dark_first() -> None:
    q = _judge((_good_photo() * 0.08).astype(np.uint8))
    assert q.problems[:1] == [RetakeReason.TOO_DARK] and q.brightness < 0.1


def test_a_dim_photo_is_not_too_dark() -> None:
    assert _judge((_good_photo() * 0.4).astype(np.uint8)).problems == []


def test_a_card_running_off_the_frame_is_cut_off() -> None:
    photo, _ = drawn.photo([FRONT], kind="wood", coverage=0.3, centre=(0.9, 0.45), tilt=(5, 5), angle=4)
    assert _judge(photo).problems == [RetakeReason.CUT_OFF]


def test_a_far_away_card_is_too_small() -> None:
    q = _judge(_good_photo(coverage=0.035, size=(1200, 900)))
    assert RetakeReason.TOO_SMALL in q.problems and q.coverage < 0.05


def test_a_small_share_of_a_big_sharp_photo_is_not_too_small() -> None:
    photo = _good_photo(coverage=0.3)
    [crop] = cards.find_cards(photo)
    assert max(crop.native_size) > 600
    in_a_48mp_photo = dataclasses.replace(crop, coverage=0.04)  # the same 600+ px card, in a much bigger frame
    assert quality.measure(crop.image, in_a_48mp_photo).problems == []


def test_a_glare_spot_over_the_card_is_glare() -> None:
    photo, [quad] = drawn.photo([FRONT], kind="wood", coverage=0.3, tilt=(10, -6), angle=3)
    yy, xx = np.mgrid[0 : photo.shape[0], 0 : photo.shape[1]]
    cx, cy = quad.mean(axis=0)
    spot = np.exp(-(((xx - cx) / 140.0) ** 2 + ((yy - cy) / 90.0) ** 2)) * 400
    q = _judge(np.clip(photo + spot[..., None], 0, 255).astype(np.uint8))
    assert RetakeReason.GLARE in q.problems and q.glare_fraction > 0.05


def test_a_scan_on_clipped_white_paper_is_not_glare() -> None:
    scan = cv2.resize(FRONT, (580, 366))
    scan[scan.min(axis=2) > 215] = 255  # the scanner blew the pale background out to white
    assert _judge(scan).problems == []


@pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is absent")
@pytest.mark.parametrize("name", ["specimen-id-front-back.jpg", "specimen-id-front-rotated.jpeg"])
def test_real_specimens_have_no_problems(name: str) -> None:
    image = decode.load_image((REALDATA / name).read_bytes())
    for crop in cards.find_cards(image):
        assert quality.measure(crop.image, crop, photo=image).problems == []
