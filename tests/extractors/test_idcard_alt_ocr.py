"""Real OCR on cards drawn as real cards print them (:mod:`fixtures.render_alt`), the cases the second generator
found: a birth date without leading zeros set wide, a spaced two-character name, and both sides side by side on
a black-and-white A4 copy, where no card outline is left to find and the page is read whole."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

import cv2
import pytest
from stdnum.cn import ric

from fixtures import capture_alt, render_alt
from fixtures.capture import jpeg, to_bgr
from fixtures.people import Person, make_person
from intake.job.pipeline import Pipeline

pytestmark = pytest.mark.ocr
TODAY = dt.date(2026, 11, 21)
if any(not Path(path).is_file() for path, _ in render_alt.FONTS.values()):
    pytest.skip("the Debian fonts fixtures.render_alt draws with are missing", allow_module_level=True)


def _person(seed: int) -> Person:
    p = make_person(random.Random(seed), TODAY)
    born = dt.date(1986, 2, 12)  # month and day without leading zeros
    number = p.id_number[:6] + born.strftime("%Y%m%d") + p.id_number[14:17]
    return dataclasses.replace(p, name="张" + p.name[-1], birth_date=born, id_number=number
                               + ric.calc_check_digit(number + "0"))


def _records(pipeline: Pipeline, data: bytes) -> dict[str, dict[str, object]]:
    outcome = pipeline.process(data, today=TODAY)
    return {d.doc_type: {k: f.value for k, f in d.fields.items()} for d in outcome.documents}


def test_wide_set_birth_date_and_spaced_name_read_from_a_grey_scan(pipeline: Pipeline) -> None:
    p = _person(21)
    style = dataclasses.replace(render_alt.draw_style(random.Random(3)), value_font="zenhei")
    card = to_bgr(render_alt.front(p, 3, style))
    shot = capture_alt.flatbed(card, random.Random(4), mode="grey", dpi=200)
    got = _records(pipeline, jpeg(shot.image, 90))["id_card_front"]
    assert (got["name"], got["birth_date"], got["id_number"]) == (p.name, "1986-02-12", p.id_number)


def test_both_sides_side_by_side_on_a_page_read_whole(pipeline: Pipeline) -> None:
    p = _person(22)
    style = dataclasses.replace(render_alt.draw_style(random.Random(5)), value_font="zenhei", label_font="microhei")
    front, back = (to_bgr(render_alt.front(p, 5, style)), to_bgr(render_alt.back(p, 5, style)))
    shot = capture_alt.a4_page(front, back, random.Random(6), layout="side_by_side", dpi=200, mode="bw")
    page = shot.image  # black and white: the cards' pale backgrounds and outlines are gone, the page is read whole
    got = _records(pipeline, jpeg(page, 90))
    assert got["id_card_front"]["name"] == p.name and got["id_card_front"]["address"] == p.address
    assert got["id_card_back"]["issuer"] == p.issuer


def test_a_card_on_a_150_dpi_black_and_white_scan_is_found_by_its_print(pipeline: Pipeline) -> None:
    # no edge to find on the white lid, print 15 px high, the pale labels half gone: the block of print is found,
    # read at card size, and what the labels no longer say is read from the rows
    p = _person(32)
    card = to_bgr(render_alt.front(p, 32, render_alt.draw_style(random.Random(32))))
    shot = capture_alt.flatbed(card, random.Random(33), mode="bw", dpi=150)
    _, png = cv2.imencode(".png", cv2.cvtColor(shot.image, cv2.COLOR_BGR2GRAY))  # 1-bit, as scanned
    got = _records(pipeline, png.tobytes())["id_card_front"]
    assert got == {"name": p.name, "sex": p.sex, "ethnicity": p.ethnicity, "birth_date": "1986-02-12",
                   "address": p.address, "id_number": p.id_number}
