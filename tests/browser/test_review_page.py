"""A reviewer at work on the review page, in Chromium: sign in, open a card from the queue, see the boxes
where the record says, reveal and correct a number, approve — and the approval service reads the reviewer's
version from the feed; two reviewers on one card; a queue of ten cleared through the page alone; a
statement with its flagged row and cash-flow chart."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from stdnum.cn import ric

from extractors.doctypes import get as declared_type
from intake.settings import Settings
from tests.browser.conftest import ARTIFACTS, Live, add_reviewer, generated_cards, sign_in
from tests.conftest import sample

pytestmark = [pytest.mark.browser, pytest.mark.ocr, pytest.mark.integration]

DOCS = Path(__file__).resolve().parents[2] / "docs"
SHOTS = os.environ.get("DOCINTAKE_DOCS_SCREENSHOTS") == "1"
"""Set to write the README's screenshots into docs/ (``DOCINTAKE_DOCS_SCREENSHOTS=1 pytest tests/browser``)."""


def _page(browser: Any, errors: list[str]) -> Any:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("console", lambda m: errors.append(f"console: {m.text}")
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    return page


def _open_from_queue(page: Any, doc_id: str) -> None:
    page.click(f'.queue-item[data-id="{doc_id}"] a.open')
    page.wait_for_selector(f'#document-view:not([hidden]) #doc-id:has-text("{doc_id[:8]}")')
    page.wait_for_function("() => { const i = document.getElementById('page-img');"
                           " return i && i.complete && i.naturalWidth > 0; }")


def _reviewing(browser: Any, live: Live, settings: Settings, doc_id: str) -> tuple[Any, list[str]]:
    """A reviewer signed in with ``doc_id`` open from the queue; the page's errors are collected."""
    add_reviewer(settings, "li.na")
    errors: list[str] = []
    page = _page(browser, errors)
    sign_in(page, live, "li.na")
    _open_from_queue(page, doc_id)
    return page, errors


def _front(record: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    return next((i, d) for i, d in enumerate(record["documents"]) if d["type"] == "id_card_front")


def _shot(page: Any, name: str, docs_name: str | None = None) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    if SHOTS and docs_name:
        DOCS.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS / docs_name), full_page=False)


def test_a_reviewer_corrects_and_approves_a_card_from_the_queue(browser: Any, live: Live, settings: Settings,
                                                                  tmp_path: Path) -> None:
    cards = generated_cards(tmp_path, 5)  # one of each kind of broken card
    ids = [live.upload(p) for p in cards]
    live.work()
    doc_id = ids[0]  # the wrong check digit
    record = live.scorer.get(f"/v1/documents/{doc_id}").json()
    assert record["state"] == "needs_review"
    index, front = _front(record)
    add_reviewer(settings, "li.na")
    errors: list[str] = []
    page = _page(browser, errors)
    sign_in(page, live, "li.na")
    assert page.locator(".queue-item").count() == 5
    if SHOTS:
        _shot(page, "review-queue.png", "review-queue.png")
    page.select_option("#filter-rule", "id_number_checksum")
    page.wait_for_function("() => document.querySelectorAll('.queue-item').length === 1")
    _open_from_queue(page, doc_id)

    img = page.locator("#page-img").bounding_box()
    width = record["pages"][0]["width"]
    scale = img["width"] / width
    drawn = 0
    for name, field in front["fields"].items():
        if field["bbox"] is None or field["page"] != 1:
            continue
        x0, y0, x1, y1 = field["bbox"]
        rect = page.locator(f'rect.box[data-document="{index}"][data-field="{name}"]')
        assert [float(rect.get_attribute(a)) for a in ("x", "y", "width", "height")] == [x0, y0, x1 - x0, y1 - y0]
        box = rect.bounding_box()
        assert abs(box["x"] - (img["x"] + x0 * scale)) < 3 and abs(box["y"] - (img["y"] + y0 * scale)) < 3, name
        assert abs(box["width"] - (x1 - x0) * scale) < 3, name
        drawn += 1
    assert drawn >= 5, "the card's fields are drawn on the page"

    for spec in declared_type("id_card_front").fields:  # labels as the type declares them, in both languages
        label = page.locator(f'tr.field[data-document="{index}"][data-field="{spec.name}"] th.label span').first
        assert label.inner_text() == spec.zh, spec.name
    page.click("#lang")
    assert page.locator(f'tr.field[data-document="{index}"][data-field="birth_date"] th.label span').first \
        .inner_text() == declared_type("id_card_front").spec("birth_date").en  # type: ignore[union-attr]
    page.click("#lang")

    page.click(f'tr.field[data-document="{index}"][data-field="name"]')
    assert "selected" in page.locator(f'rect.box[data-document="{index}"][data-field="name"]').get_attribute("class")
    page.locator(f'rect.box[data-document="{index}"][data-field="address"]').dispatch_event("click")
    assert "selected" in page.locator(f'tr.field[data-document="{index}"][data-field="address"]').get_attribute(
        "class")

    row = page.locator(f'tr.field[data-document="{index}"][data-field="id_number"]')
    real = front["fields"]["id_number"]["value"]
    assert real not in row.inner_text(), "masked until revealed"
    assert "failed" in row.get_attribute("class")
    row.locator(".reveal").click()
    page.wait_for_function(f"() => document.querySelector('tr.field[data-field=\"id_number\"] .value')"
                           f".textContent.includes('{real}')")
    fixed = real[:17] + ric.calc_check_digit(real)
    row.locator(".edit").click()
    row.locator(".edit-input").fill(fixed)
    row.locator(".save").click()
    page.wait_for_selector('li.finding[data-rule="id_number_checksum"]', state="detached")
    assert "人工" in row.locator(".source").inner_text() or "reviewer" in row.locator(".source").inner_text()
    _shot(page, "review-document.png", "review-id-card.png")

    page.click("#approve")
    page.wait_for_selector("#message.ok")
    page.wait_for_selector("#decision:not([hidden])")
    assert page.locator('#history li.version').count() == 3
    assert not errors, errors

    entries = live.scorer.get("/v1/records/feed").json()["entries"]
    mine = [e for e in entries if e["document_id"] == doc_id]
    assert [(e["version"], e["state"]) for e in mine][-1] == (3, "accepted")
    final = mine[-1]["record"]
    assert final["review"]["decision"] == "approved" and final["review"]["by"] == "li.na"
    number = _front(final)[1]["fields"]["id_number"]
    assert (number["value"], number["source"]) == (fixed, "reviewer")
    versions = live.scorer.get(f"/v1/documents/{doc_id}/versions").json()
    assert [(v["source"], v["action"], v["author"]) for v in versions] == [
        ("pipeline", "extracted", None), ("reviewer", "corrected", "li.na"), ("reviewer", "approved", "li.na")]


def test_the_second_of_two_reviewers_is_told_the_card_changed(browser: Any, live: Live, settings: Settings,
                                                               tmp_path: Path) -> None:
    doc_id = live.upload(generated_cards(tmp_path, 1)[0])
    live.work()
    index, front = _front(live.scorer.get(f"/v1/documents/{doc_id}").json())
    add_reviewer(settings, "li.na")
    add_reviewer(settings, "wang.fang")
    errors: list[str] = []
    first, second = _page(browser, errors), _page(browser, errors)
    for page, who in ((first, "li.na"), (second, "wang.fang")):
        sign_in(page, live, who)
        _open_from_queue(page, doc_id)

    address = front["fields"]["address"]["value"] + "（已核对）"
    row = first.locator(f'tr.field[data-document="{index}"][data-field="address"]')
    row.locator(".edit").click()
    row.locator(".edit-input").fill(address)
    row.locator(".edit-input").press("Enter")
    first.wait_for_selector("#message.ok")

    second.click("#approve")
    second.wait_for_selector("#message.error")
    said = second.locator("#message").inner_text()
    assert "已被他人修改" in said and "version 2" in said
    _shot(second, "review-conflict.png")
    view = live.scorer.get(f"/v1/documents/{doc_id}").json()
    assert (view["version"], view["state"], view["review"]) == (2, "needs_review", None), "nothing was approved"
    second.click("#reload")
    second.wait_for_function("() => document.querySelector('tr.field[data-field=\"address\"] .value')"
                             ".textContent.includes('已核对')")
    assert not errors, errors


def test_a_queue_of_ten_is_cleared_through_the_page_alone(browser: Any, live: Live, settings: Settings,
                                                         tmp_path: Path) -> None:
    ids = [live.upload(p) for p in generated_cards(tmp_path, 10)]
    live.work()
    assert {live.scorer.get(f"/v1/documents/{i}").json()["state"] for i in ids} == {"needs_review"}
    add_reviewer(settings, "zhao.lei", "supervisor")
    errors: list[str] = []
    page = _page(browser, errors)
    sign_in(page, live, "zhao.lei")
    assert page.locator(".queue-item").count() == 10
    page.locator(".queue-item a.open").first.click()
    done: dict[str, str] = {}
    for turn in range(10):
        page.wait_for_selector("#actions:not([hidden])")
        doc_id = page.locator("#doc-id").get_attribute("data-id") or page.locator("#doc-id").inner_text()
        if turn % 5 == 3:
            page.click("#retake")
            page.select_option("#retake-reason", "glare")
            page.click("#retake-confirm")
            done[doc_id] = "retake"
        elif turn % 5 == 4:
            page.click("#reject")
            page.fill("#reject-reason", "证件信息与申请人不符")
            page.click("#reject-confirm")
            done[doc_id] = "rejected"
        else:
            page.click("#approve")
            done[doc_id] = "approved"
        page.wait_for_selector("#message.ok")
        page.click("#next")
        page.wait_for_selector("#document-view:not([hidden]) #actions:not([hidden]), #queue-empty:not([hidden])")
    page.wait_for_selector("#queue-empty:not([hidden])")
    assert not errors, errors

    assert len(done) == 10 and {i[:8] for i in ids} == {d[:8] for d in done}
    for doc_id in ids:
        view = live.scorer.get(f"/v1/documents/{doc_id}").json()
        decision = next(v for k, v in done.items() if doc_id.startswith(k[:8]))
        assert view["review"]["decision"] == decision and view["review"]["by"] == "zhao.lei"
        assert view["state"] == ("accepted" if decision == "approved" else "rejected")
        assert view["evidence"]["chain_ok"] and view["evidence"]["events"][-1]["kind"] == "reviewed"
    feed = live.scorer.get("/v1/records/feed", params={"limit": 100}).json()["entries"]
    assert sorted((e["document_id"], e["version"]) for e in feed) == sorted(
        [(i, 1) for i in ids] + [(i, 2) for i in ids])


def test_a_statement_shows_the_broken_row_and_the_monthly_cash_flow(browser: Any, live: Live,
                                                                   settings: Settings) -> None:
    doc_id = live.upload(sample("statements", "neg-edited-balance.pdf"))
    live.work()
    record = live.scorer.get(f"/v1/documents/{doc_id}").json()
    statement = record["documents"][0]
    flagged = sorted({int(p.split("[")[1].split("]")[0]) for f in statement["findings"] for p in f["fields"]
                      if p.startswith("transactions[")})
    assert flagged, "the edited balance breaks the chain at a row"
    page, errors = _reviewing(browser, live, settings, doc_id)
    rows = page.locator("#transactions tr.txn")
    assert rows.count() == len(statement["transactions"])
    heads = page.locator("#transactions thead th").all_inner_texts()[1:]
    assert heads == [c.zh for c in declared_type("bank_statement").tables[0].columns], "the declared columns"
    marked = sorted(int(r.get_attribute("data-row")) for r in page.locator("#transactions tr.txn.flagged").all())
    assert marked == flagged
    row = page.locator(f'#transactions tr.txn[data-row="{flagged[0]}"]')
    page.wait_for_timeout(300)
    box, frame = row.bounding_box(), page.locator("#txn-scroll").bounding_box()
    assert frame["y"] <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"], \
        "the broken row is scrolled into view"
    months = statement["analytics"]["monthly"]
    assert page.locator("#cashflow svg .bar.inflow").count() == len(months)
    assert page.locator("#cashflow svg .bar.outflow").count() == len(months)
    _shot(page, "review-statement.png", "review-statement.png")
    assert not errors, errors


def test_an_edited_pdf_shows_its_finding_and_the_place_outlined(browser: Any, live: Live, settings: Settings,
                                                                 tmp_path: Path) -> None:
    import random

    from fixtures import pdf_edits

    data, truth = pdf_edits.edit(sample("statements", "digital-cmb.pdf").read_bytes(), "white_box",
                                 random.Random(7))  # type: ignore[misc]
    edited = tmp_path / "edited.pdf"
    edited.write_bytes(data)
    doc_id = live.upload(edited)
    live.work()
    page, errors = _reviewing(browser, live, settings, doc_id)
    assert page.locator('li.finding[data-rule="pdf_structure_edited"]').count() >= 2
    risks = page.locator("#boxes rect.risk")
    assert risks.count() == 2, "the hidden text and the retyped amount, outlined"
    assert {r.get_attribute("class") for r in risks.all()} == {"risk hidden_text", "risk foreign_font"}
    img = page.locator("#page-img").bounding_box()
    scale = img["width"] / 595.28  # A4 in points
    box = risks.first.bounding_box()
    x0, top, _, _ = truth["bbox"]
    assert abs(box["x"] - (img["x"] + x0 * scale)) < 12 and abs(box["y"] - (img["y"] + top * scale)) < 12
    _shot(page, "review-edited-pdf.png")
    assert not errors, errors


def test_a_lender_that_refuses_copies_sees_the_copy_and_its_measures(browser: Any, live: Live, settings: Settings,
                                                                      tmp_path: Path, pipeline: Any) -> None:
    import datetime as dt
    import random

    from fixtures import capture_alt, render_alt
    from fixtures.capture import jpeg, to_bgr
    from fixtures.people import make_person
    from intake.job import jobs
    from intake.job.pipeline import Pipeline

    if any(not Path(path).is_file() for path, _ in render_alt.FONTS.values()):
        pytest.skip("the Debian fonts fixtures.render_alt draws with are missing")
    strict = settings.model_copy(update={"capture_risk_errors": "photocopy"})
    jobs.configure(strict, Pipeline(strict, engine=pipeline.engine))
    rng = random.Random(12)
    person = make_person(rng, dt.date(2026, 11, 21))
    front, back = (to_bgr(x) for x in render_alt.card_pair(person, rng))
    copy = tmp_path / "a4-copy.jpg"
    copy.write_bytes(jpeg(capture_alt.a4_page(front, back, rng, layout="side_by_side", dpi=150, mode="grey").image,
                          85))
    doc_id = live.upload(copy)
    live.work()
    page, errors = _reviewing(browser, live, settings, doc_id)
    photocopy = page.locator('li.finding[data-rule="photocopy"]')
    bw = page.locator('li.finding[data-rule="bw_copy"]')
    assert photocopy.count() >= 1 and bw.count() >= 1
    text = photocopy.first.inner_text()
    assert "%" in text and "1.41" in text, text  # the card's share of the page and the page's shape
    assert "6" in bw.first.inner_text()  # the threshold a colour photo exceeds
    _shot(page, "review-photocopy.png")
    assert not errors, errors


def test_a_payment_export_shows_its_own_words_and_no_page_to_look_at(browser: Any, live: Live, settings: Settings,
                                                                     tmp_path: Path) -> None:
    import datetime as dt

    from fixtures import payments_alt

    as_of = dt.date(2026, 12, 7)
    live.settings.as_of = as_of
    records = payments_alt.make(21, "alipay_csv", as_of, negative="edited_total", count=12)
    path = tmp_path / "alipay_record.csv"
    path.write_bytes(payments_alt.render(records)[0])
    doc_id = live.upload(path)
    live.work()
    add_reviewer(settings, "li.na")
    errors: list[str] = []
    page = _page(browser, errors)
    sign_in(page, live, "li.na")
    page.click(f'.queue-item[data-id="{doc_id}"] a.open')
    page.wait_for_selector(f'#document-view:not([hidden]) #doc-id:has-text("{doc_id[:8]}")')
    page.wait_for_selector("#transactions tr.txn")
    heads = page.locator("#transactions thead th").all_inner_texts()[1:]
    assert heads == [c.zh for c in declared_type("payment_alipay").tables[0].columns], "the payment record's columns"
    assert heads != [c.zh for c in declared_type("bank_statement").tables[0].columns]
    assert page.locator("#transactions tr.txn").count() == 12
    labels = page.locator('tr.field[data-field="period_start"] th.label').inner_text()
    assert "起始时间" in labels, labels  # the payment record's word, not the statement's 起始日期
    assert page.locator('li.finding[data-rule="payment_totals_match_rows"]').count() == 1
    _shot(page, "review-payment-record.png")
    assert not errors, errors


def test_a_finger_over_the_card_is_outlined_where_it_lies(browser: Any, live: Live, settings: Settings,
                                                          tmp_path: Path) -> None:
    import datetime as dt
    import random

    from fixtures import capture_risks, render_alt

    if any(not Path(path).is_file() for path, _ in render_alt.FONTS.values()):
        pytest.skip("the Debian fonts fixtures.render_alt draws with are missing")
    kinds = capture_risks.KINDS
    _, data, _, truth = capture_risks.capture("occluded", random.Random(52), kinds.index("occluded") + len(kinds),
                                              dt.date(2026, 11, 21))
    photo = tmp_path / "finger.jpg"
    photo.write_bytes(data)
    doc_id = live.upload(photo)
    live.work()
    page, errors = _reviewing(browser, live, settings, doc_id)
    finding = page.locator('li.finding[data-rule="occluded"]')
    assert finding.count() == 1 and "%" in finding.inner_text()  # the share of the card it covers
    outline = page.locator("#boxes rect.risk.occluded")
    assert outline.count() == 1
    img, box = page.locator("#page-img").bounding_box(), outline.bounding_box()
    centre = ((box["x"] + box["width"] / 2 - img["x"]) / img["width"],
              (box["y"] + box["height"] / 2 - img["y"]) / img["height"])
    x0, y0, x1, y1 = truth["evidence"]["box"]
    card_w, card_h = render_alt.W, render_alt.H  # the drawn card the truth box is measured on
    assert x0 / card_w <= centre[0] <= x1 / card_w and y0 / card_h <= centre[1] <= y1 / card_h
    _shot(page, "review-occluded.png")
    assert not errors, errors
