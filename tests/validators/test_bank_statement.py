"""The bank-statement rules on statements built row by row: each test changes one thing a forger or a
misread would change and checks the rule points at the right row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from extractors.models import ExtractedDocument, Field, Severity, Source
from validators import validate
from validators.bank_statement import card_bank, required_start
from validators.base import RuleContext

TODAY = dt.date(2026, 11, 21)
CARD = "6222020200112233446"  # ICBC BIN, Luhn-valid


def luhn_ok(number: str) -> bool:
    from stdnum import luhn

    return luhn.is_valid(number)


def row(date: str, amount: str, balance: str, source: Source = Source.PDF_TEXT, confidence: float = 1.0) -> dict:
    def f(v: str) -> Field:
        return Field(value=v, raw=v, confidence=confidence, source=source)

    return {"date": f(date), "amount": f(amount), "balance": f(balance)}


def ledger(n: int = 8, start: str = "1000.00") -> list[tuple[str, str, str]]:
    """``n`` consistent rows from 2026-05-03 on, alternating income and spending."""
    balance = Decimal(start)
    out = []
    for i in range(n):
        amount = Decimal("2500.00") if i % 2 == 0 else Decimal("-731.15")
        balance += amount
        day = dt.date(2026, 5, 3) + dt.timedelta(days=21 * i)
        out.append((day.isoformat(), str(amount), str(balance)))
    return out


def statement(rows: list[tuple[str, str, str]], *, newest_first: bool = False, **fields: str) -> ExtractedDocument:
    printed = list(reversed(rows)) if newest_first else rows
    header = {"bank_name": "中国工商银行", "account_name": "张三", "account_number": CARD, "currency": "CNY",
              "period_start": "2026-05-01", "period_end": "2026-10-31"} | fields
    return ExtractedDocument(
        doc_type="bank_statement", fields={k: Field(value=v, source=Source.PDF_TEXT) for k, v in header.items()},
        tables={"transactions": [row(*r) for r in printed]},
        meta={"order": "newest_first" if newest_first else "oldest_first"})


def run(doc: ExtractedDocument, **ctx: object) -> ExtractedDocument:
    return validate(doc, RuleContext(**({"today": TODAY} | ctx)))  # type: ignore[arg-type]


def rules(doc: ExtractedDocument) -> list[str]:
    return [f.rule for f in doc.findings]


def test_the_card_used_here_is_valid() -> None:
    assert luhn_ok(CARD) and card_bank(CARD) == "中国工商银行"


@pytest.mark.parametrize("newest_first", [False, True])
def test_a_consistent_statement_is_accepted(newest_first: bool) -> None:
    doc = run(statement(ledger(), newest_first=newest_first))
    assert doc.findings == [] and doc.status is not None and doc.status.value == "accepted"


@pytest.mark.parametrize("newest_first", [False, True])
def test_an_edited_balance_is_flagged_at_its_row(newest_first: bool) -> None:
    rows = ledger()
    date, amount, balance = rows[4]
    rows[4] = (date, amount, str(Decimal(balance) + 20000))
    doc = run(statement(rows, newest_first=newest_first))
    printed = 8 - 1 - 4 if newest_first else 4
    [finding] = [f for f in doc.findings if f.rule == "balance_chain"]
    assert finding.fields[0] == f"transactions[{printed}].balance" and finding.severity == Severity.ERROR
    assert "altered" in finding.message.en and "改动" in finding.message.zh


def test_a_deleted_row_is_flagged_at_the_row_after_it_with_the_gap() -> None:
    rows = ledger()
    missing = rows.pop(3)
    doc = run(statement(rows))
    [finding] = [f for f in doc.findings if f.rule == "balance_chain"]
    assert finding.fields[0] == "transactions[3].balance"
    assert f"off by {Decimal(missing[1])}" in finding.message.en


def test_several_separate_breaks_are_each_reported() -> None:
    rows = ledger(12)
    rows.pop(9)
    rows.pop(3)
    doc = run(statement(rows))
    assert [f.fields[0] for f in doc.findings if f.rule == "balance_chain"] == ["transactions[3].balance",
                                                                                 "transactions[8].balance"]


def test_printed_opening_and_closing_balances_must_agree() -> None:
    rows = ledger()
    good = run(statement(rows, opening_balance="1000.00", closing_balance=rows[-1][2]))
    assert "opening_closing_agree" not in rules(good)
    bad = run(statement(rows, opening_balance="1100.00", closing_balance="1.00"))
    assert [f.fields[0] for f in bad.findings if f.rule == "opening_closing_agree"] == ["opening_balance",
                                                                                       "closing_balance"]


def test_dates_outside_the_period_and_out_of_order() -> None:
    rows = ledger()
    rows[2] = ("2026-12-24", *rows[2][1:])
    doc = run(statement(rows))
    assert {f.fields[0] for f in doc.findings if f.rule == "dates_in_period"} == {"transactions[2].date"}
    assert {f.fields[0] for f in doc.findings if f.rule == "dates_in_order"} == {"transactions[3].date"}


@pytest.mark.parametrize(("start", "end", "months", "ok"), [
    ("2026-05-01", "2026-10-31", 6, True),  # six whole months, exported 21 days ago
    ("2026-05-16", "2026-11-15", 6, True),
    ("2026-05-21", "2026-11-20", 6, True),  # exported the day before the upload
    ("2026-05-17", "2026-11-15", 6, False),  # a day short of six months
    ("2026-06-01", "2026-10-31", 6, False),  # five months
    ("2026-04-01", "2026-09-30", 6, False),  # ends 52 days before the upload
    ("2026-05-01", "2026-11-22", 6, False),  # ends after the upload
    ("2026-08-01", "2026-10-31", 3, True),
])
def test_the_period_must_span_the_months_and_be_recent(start: str, end: str, months: int, ok: bool) -> None:
    doc = run(statement(ledger(2), period_start=start, period_end=end), statement_months=months)
    assert ("period_covers_required_months" not in rules(doc)) == ok


@pytest.mark.parametrize(("end", "max_age", "ok"), [("2026-10-21", 31, True), ("2026-10-20", 31, False),
                                                    ("2026-11-06", 14, False), ("2026-11-07", 14, True)])
def test_the_statement_may_be_at_most_max_age_days_old(end: str, max_age: int, ok: bool) -> None:
    start = required_start(dt.date.fromisoformat(end), 6).isoformat()
    doc = run(statement(ledger(2), period_start=start, period_end=end), statement_max_age_days=max_age)
    assert ("period_covers_required_months" not in rules(doc)) == ok


def test_the_policy_does_not_turn_with_the_month() -> None:
    """Exported on the 30th, uploaded on the 2nd: still recent (the old rule wanted the whole last month)."""
    doc = run(statement(ledger(2), period_start="2026-05-01", period_end="2026-10-30"), today=dt.date(2026, 11, 2))
    assert "period_covers_required_months" not in rules(doc)


def test_required_start_at_the_turn_of_the_year() -> None:
    assert required_start(dt.date(2026, 12, 31), 6) == dt.date(2026, 7, 1)
    assert required_start(dt.date(2027, 1, 5), 6) == dt.date(2026, 7, 6)


def test_a_card_number_must_pass_luhn_and_match_the_bank() -> None:
    broken = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)
    assert "account_number_luhn" in rules(run(statement(ledger(), account_number=broken)))
    other_bank = run(statement(ledger(), bank_name="招商银行"))
    [f] = [f for f in other_bank.findings if f.rule == "bank_matches_card_bin"]
    assert "中国工商银行" in f.message.zh and f.fields == ["bank_name", "account_number"]
    unknown_bin = "6999990000000000"
    assert not {"account_number_luhn", "bank_matches_card_bin"} & set(rules(run(statement(
        ledger(), account_number=unknown_bin if luhn_ok(unknown_bin) else "6999990000000008"))))
    passbook = run(statement(ledger(), account_number="3100123456789"))  # an account, not a card: no Luhn
    assert "account_number_luhn" not in rules(passbook)


def test_unreadable_and_unsure_cells_are_findings_at_their_cells() -> None:
    doc = statement(ledger())
    doc.tables["transactions"][2]["amount"] = Field(value=None, raw="1,2O0.0", source=Source.OCR, confidence=0.5)
    doc.tables["transactions"][5]["balance"] = Field(value="1234.00", raw="1234.00", source=Source.OCR,
                                                     confidence=0.41)
    del doc.tables["transactions"][6]["date"]
    doc = run(doc)
    cells = {f.fields[0]: f.message.en for f in doc.findings if f.rule == "transaction_cells_read"}
    assert set(cells) == {"transactions[2].amount", "transactions[5].balance", "transactions[6].date"}
    assert "1,2O0.0" in cells["transactions[2].amount"] and "low confidence" in cells["transactions[5].balance"]
    assert doc.status is not None and doc.status.value == "needs_review"


def test_pdf_metadata_hints_are_warnings() -> None:
    doc = statement(ledger())
    doc.meta |= {"pdf_producer": "Adobe Acrobat Pro DC 23.1", "pdf_created": "2026-11-01T09:00:00",
                 "pdf_modified": "2026-11-05T21:13:00"}
    doc = run(doc)
    hints = [f for f in doc.findings if f.rule == "pdf_edited"]
    assert len(hints) == 2 and all(f.severity == Severity.WARNING for f in hints)
    assert doc.status is not None and doc.status.value == "accepted"
    bank_export = statement(ledger())
    bank_export.meta |= {"pdf_producer": "iText 5.5.13", "pdf_created": "2026-11-01T09:00:00",
                         "pdf_modified": "2026-11-01T09:00:00"}
    assert "pdf_edited" not in rules(run(bank_export))


def test_a_text_layer_mismatch_is_a_warning_at_the_cell_and_an_error_under_a_picture() -> None:
    doc = statement(ledger())
    doc.meta["text_layer_check"] = {"sampled": ["transactions[3].balance"], "mismatches": [
        {"field": "transactions[3].balance", "text_layer": "3,000.00", "ocr": "8,000.00"}]}
    [f] = [f for f in run(doc).findings if f.rule == "text_layer_mismatch"]
    assert f.fields == ["transactions[3].balance"] and f.severity == Severity.WARNING
    doc = statement(ledger())
    doc.meta["text_layer_check"] = {"sampled": ["transactions[3].balance"], "under_images": ["transactions[3].balance"],
                                    "mismatches": [{"field": "transactions[3].balance", "text_layer": "3,000.00",
                                                    "ocr": "8,000.00"}]}
    checked = run(doc)
    [f] = [f for f in checked.findings if f.rule == "text_layer_mismatch"]
    assert f.severity == Severity.ERROR and checked.status != "accepted"


def test_no_rows_and_no_header() -> None:
    doc = run(ExtractedDocument(doc_type="bank_statement", tables={"transactions": []}))
    assert {"has_transactions", "header_fields_read", "period_covers_required_months"} <= set(rules(doc))


# --- the repair of OCR money readings the balance chain decides ---------------------------------------------------


def _ocr(doc: ExtractedDocument, i: int, name: str, raw: str, value: str | None, confidence: float = 0.9) -> None:
    doc.tables["transactions"][i][name] = Field(value=value, raw=raw, confidence=confidence, source=Source.OCR)


@pytest.mark.parametrize(("raw", "true"), [("5.524.84", "5524.84"), ("3.,464.76", "3464.76"), ("5,524,84", "5524.84")])
def test_issue_separator_misread_balance_takes_the_one_reading_the_chain_closes(raw: str, true: str) -> None:
    rows = ledger(6, start="1000.00")
    amount = Decimal(true) - Decimal(rows[2][2])
    rows[3] = (rows[3][0], str(amount), true)
    rows[4] = (rows[4][0], rows[4][1], str(Decimal(true) + Decimal(rows[4][1])))
    rows[5] = (rows[5][0], rows[5][1], str(Decimal(rows[4][2]) + Decimal(rows[5][1])))
    doc = statement(rows)
    _ocr(doc, 3, "balance", raw, None)
    run(doc)
    fixed = doc.tables["transactions"][3]["balance"]
    assert fixed.value == true and fixed.source == Source.DERIVED and raw in (fixed.note or "")
    assert [f.severity for f in doc.findings if f.rule == "money_read_by_balance_chain"] == [Severity.WARNING]
    assert doc.status is not None and doc.status.value == "accepted"


def test_an_unreadable_amount_takes_the_chains_reading_with_its_printed_sign() -> None:
    doc = statement(ledger(5))
    _ocr(doc, 2, "amount", "+2.,500.00", None)
    run(doc)
    assert doc.tables["transactions"][2]["amount"].value == "2500.00"
    assert doc.status is not None and doc.status.value == "accepted"


def test_a_reading_the_chain_cannot_close_on_both_sides_is_left_to_review() -> None:
    rows = ledger(5)
    doc = statement(rows)
    _ocr(doc, 4, "balance", rows[4][2][:-5] + "." + rows[4][2][-5:], None)  # the last row: nothing after it
    run(doc)
    assert doc.tables["transactions"][4]["balance"].value is None
    assert "money_read_by_balance_chain" not in rules(doc)
    assert doc.status is not None and doc.status.value == "needs_review"


def test_a_clearly_read_digit_is_never_changed_to_close_the_chain() -> None:
    rows = ledger(6)
    forged = str(Decimal(rows[3][2]) + Decimal("5000.00"))  # an edited balance, printed and scanned
    doc = statement(rows)
    _ocr(doc, 3, "balance", forged, forged, confidence=0.99)
    run(doc)
    assert doc.tables["transactions"][3]["balance"].value == forged and "balance_chain" in rules(doc)
    assert doc.status is not None and doc.status.value == "needs_review"


def test_an_unsure_confusable_digit_is_repaired_only_when_unique() -> None:
    rows = ledger(6)
    true = rows[3][2]
    misread = true.replace("6", "8", 1) if "6" in true else true.replace("0", "8", 1)
    assert misread != true
    doc = statement(rows)
    _ocr(doc, 3, "balance", misread, misread, confidence=0.7)
    run(doc)
    assert doc.tables["transactions"][3]["balance"].value == true
    assert "money_read_by_balance_chain" in rules(doc) and doc.status is not None and doc.status.value == "accepted"


def test_issue_a_balance_column_lost_in_reading_still_wants_its_balances() -> None:
    """The header names a balance column but no row got a balance (a skewed photo once gave its cells to the next
    column): the chain cannot be checked, so the statement goes to review rather than being accepted unchecked."""
    doc = statement(ledger(5))
    for r in doc.tables["transactions"]:
        del r["balance"]
    doc.meta["columns"] = [{"header": "交易日期", "role": "date"}, {"header": "交易金额", "role": "amount"},
                           {"header": "交易后余额", "role": "balance"}]
    run(doc)
    assert [f.fields[0] for f in doc.findings if f.rule == "transaction_cells_read"][:2] == [
        "transactions[0].balance", "transactions[1].balance"]
    assert doc.status is not None and doc.status.value == "needs_review"


def test_issue_separator_misreads_in_neighbouring_rows_are_read_together() -> None:
    """A grey scan misreads the separators of several cells in a row (``16.842.27``, ``-500,00``): each takes
    its separator reading where, with its neighbours' readings, every equation it is in holds."""
    rows = ledger(6, start="15000.00")
    doc = statement(rows)
    _ocr(doc, 2, "balance", f"{Decimal(rows[2][2]):,.2f}".replace(",", "."), None)
    _ocr(doc, 3, "amount", rows[3][1].replace(".", ","), None)
    _ocr(doc, 3, "balance", f"{Decimal(rows[3][2]):,.2f}".replace(",", "."), None)
    run(doc)
    got = [doc.tables["transactions"][i][n].value for i, n in ((2, "balance"), (3, "amount"), (3, "balance"))]
    assert got == [rows[2][2], rows[3][1], rows[3][2]]
    assert doc.status is not None and doc.status.value == "accepted", [f.message for f in doc.findings]


def test_separator_readings_that_break_the_chain_are_left_to_review() -> None:
    rows = ledger(6, start="15000.00")
    doc = statement(rows)
    wrong = Decimal(rows[2][2]) + Decimal("1000.00")  # digits misread too: no separator reading closes it
    _ocr(doc, 2, "balance", f"{wrong:,.2f}".replace(",", "."), None)
    _ocr(doc, 3, "balance", f"{Decimal(rows[3][2]):,.2f}".replace(",", "."), None)
    run(doc)
    assert doc.tables["transactions"][2]["balance"].value is None
    assert doc.status is not None and doc.status.value == "needs_review"
