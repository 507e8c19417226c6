"""Offline gifts thanked: by e-mail where an address is known, by a printed letter (a PDF
page each, each gift once) where it is not; a declaration made by phone gets its written
record, as HMRC asks."""

import io
import itertools
import re
import sys
import types
from datetime import date
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from donations.extensions import db
from donations.gift_aid.models import GiftAidDeclaration
from donations.receipts import letters
from donations.receipts.models import LetterBatch, ThankYouLetter
from donations.uk_time import uk_today
from tests import factories
from tests.support import csrf_token, says, sign_in

numbers = itertools.count(1)


def gift(first: str, last: str, **changes):
    values = {"amount_pence": 5000, "received_on": date(2026, 11, 10), **changes}
    return factories.offline_gift(first_name=first, last_name=last, **values)


BY_PHONE = {
    "gift_aid": True,
    "house": "7",
    "postcode": "HX7 8AB",
    "declared_on": date(2026, 11, 9),
    "declared_by": "phone",
}


@pytest.fixture
def finance(client, app):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    return client


def only_batch() -> int:
    db.session.rollback()
    return db.session.execute(select(LetterBatch.id)).scalar_one()


def pdf_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_an_offline_gift_with_an_address_is_thanked_by_email_with_its_written_record(app):
    donation = gift("Zoë", "Brontë", email="zoe@example.org", **BY_PHONE)
    [eml] = Path(app.config["OUTBOX_DIR"]).glob("*.eml")
    email = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert email["To"] == "zoe@example.org"
    text = email.get_body(preferencelist=("plain",)).get_content()
    html = email.get_body(preferencelist=("html",)).get_content()
    for body in (text, html):
        assert donation.reference in body
        assert "Cheque" in body or "cheque" in body
        assert "The written record of your Gift Aid declaration" in body
        assert "within 30 days" in body
        assert "9 November 2026" in body, "the day the declaration was made"
        assert "HX7 8AB" in body
    assert "Total charged" not in text
    db.session.rollback()
    assert db.session.get(GiftAidDeclaration, donation.declaration_id).confirmation_sent_at


def test_a_paper_or_recorded_declaration_needs_no_written_record(app):
    gift("Ada", "Lovelace", email="ada@example.org", **{**BY_PHONE, "declared_by": "paper"})
    [eml] = Path(app.config["OUTBOX_DIR"]).glob("*.eml")
    assert b"written record" not in eml.read_bytes()


def test_letters_are_printed_once_for_gifts_without_an_address(finance, app):
    phoned = gift("Seán", "O'Neill", **BY_PHONE)
    # received before the phoned gift, though recorded after it: its letter comes first
    plain = gift("Mary", "Seacole", amount_pence=2500, method="cash", received_on=date(2026, 11, 5))
    gift("Zoë", "Brontë", email="zoe@example.org")  # thanked by e-mail instead
    gift("Later", "Gift", received_on=date(2026, 12, 1))  # another period
    period = {"from": "2026-11-01", "to": "2026-11-30"}
    page = finance.get("/finance/offline/letters", query_string=period).get_data(as_text=True)
    assert "2 letters to print" in page
    assert 'action="/finance/offline/letters">\n  <input id="csrf_token" name="csrf_token"' in page
    assert phoned.reference in page
    assert plain.reference in page

    token = csrf_token(finance, "/finance/offline/letters")
    made = finance.post("/finance/offline/letters", data={"csrf_token": token, **period})
    assert made.status_code == 303
    page = finance.get(made.headers["Location"]).get_data(as_text=True)
    assert "0 letters to print" in page
    batch = only_batch()
    assert f"Letters {batch} (PDF)" in page
    row = re.search(rf"<tr><td>{batch}</td>(.*?)</tr>", page, re.S)[1]
    assert '<td class="num">2</td>' in row, "the batch counts its letters"
    assert re.search(
        r"<td>\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d by finance@example.org</td>", row
    ), row

    again = finance.post("/finance/offline/letters", data={"csrf_token": token, **period})
    assert "No letters wait in that period" in finance.get(again.headers["Location"]).get_data(
        as_text=True
    )
    db.session.rollback()
    assert len(db.session.execute(select(ThankYouLetter)).all()) == 2, "each gift once"

    response = finance.get(f"/finance/offline/letters/{batch}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pages = pdf_text(response.get_data())
    assert len(pages) == 2, "a page each"
    marys, seans = pages
    assert "Seán O'Neill" in seans
    assert phoned.reference in seans
    assert "£50.00" in seans
    assert "written record of your Gift Aid declaration" in seans
    assert "within 30 days" in seans
    assert "we will claim £12.50 from HMRC" in " ".join(seans.split())
    assert "Mary Seacole" in marys
    assert "£25.00" in marys
    assert "Cash" in marys
    assert "written record" not in marys
    assert "claim" not in marys, "no Gift Aid, no word of it"
    db.session.rollback()
    declaration = db.session.get(GiftAidDeclaration, phoned.declaration_id)
    assert declaration.confirmation_sent_at is not None


def test_a_period_backwards_or_unreadable_is_refused_in_words(finance):
    backwards = finance.get("/finance/offline/letters?from=2026-11-30&to=2026-11-01")
    assert backwards.status_code == 400
    assert says(
        backwards.get_data(as_text=True), "The last day must be the same as or after the first."
    )
    assert finance.get("/finance/offline/letters?from=30/11/2026").status_code == 400
    assert finance.get("/finance/offline/letters/99999999999.pdf").status_code == 404
    assert finance.get("/finance/offline/letters/7.pdf").status_code == 404


def test_the_period_is_this_month_unless_chosen_and_may_be_a_single_day(finance):
    today = uk_today()
    shown = {"from": today.replace(day=1).isoformat(), "to": today.isoformat()}

    def period(page: str) -> dict:
        return dict(re.findall(r'name="(from|to)" type="date" value="([^"]+)"', page))

    assert period(finance.get("/finance/offline/letters").get_data(as_text=True)) == shown
    unreadable = finance.get("/finance/offline/letters?from=30/11/2026")
    page = unreadable.get_data(as_text=True)
    assert unreadable.status_code == 400
    assert says(page, "Write the dates as YYYY-MM-DD.")
    assert period(page) == shown, "an unreadable period falls back to this month"
    one_day = finance.get(f"/finance/offline/letters?from={today}&to={today}")
    assert one_day.status_code == 200
    assert "There is a problem" not in one_day.get_data(as_text=True)


def test_a_viewer_prints_no_letters(client, app):
    factories.staff("viewer")
    sign_in(client, "viewer@example.org")
    assert client.get("/finance/offline/letters").status_code == 403


def test_a_long_period_is_printed_in_batches_of_a_few_hundred(finance, monkeypatch):
    monkeypatch.setattr(letters, "BATCH_SIZE", 2)
    for n in range(3):
        gift("Donor", f"Number {n}")
    period = {"from": "2026-11-01", "to": "2026-11-30"}
    token = csrf_token(finance, "/finance/offline/letters")
    made = finance.post("/finance/offline/letters", data={"csrf_token": token, **period})
    page = finance.get(made.headers["Location"]).get_data(as_text=True)
    assert "1 more wait: make another batch for them." in page
    assert "1 letter to print" in page
    first = only_batch()
    pdf = finance.get(f"/finance/offline/letters/{first}.pdf").get_data()
    assert len(pdf_text(pdf)) == 2

    made = finance.post("/finance/offline/letters", data={"csrf_token": token, **period})
    page = finance.get(made.headers["Location"]).get_data(as_text=True)
    rows = re.findall(r"<tr><td>(\d+)</td><td>[^<]*</td><td class=\"num\">(\d+)</td>", page)
    assert rows == [(str(first + 1), "1"), (str(first), "2")], "newest first, with its letters"
    assert page.count("by finance@example.org") == 2


class _WithoutPango(types.ModuleType):
    """WeasyPrint as it is on a server without Pango: loading it fails."""

    def __getattr__(self, name):
        raise OSError("cannot load library 'libpango-1.0-0'")


def test_without_pango_the_letters_are_refused_in_words_and_the_reason_logged(
    finance, monkeypatch, caplog
):
    gift("Mary", "Seacole")
    period = {"from": "2026-11-01", "to": "2026-11-30"}
    token = csrf_token(finance, "/finance/offline/letters")
    finance.post("/finance/offline/letters", data={"csrf_token": token, **period})
    monkeypatch.setitem(sys.modules, "weasyprint", _WithoutPango("weasyprint"))
    refused = finance.get(f"/finance/offline/letters/{only_batch()}.pdf")
    assert refused.status_code == 503
    assert "WeasyPrint needs the Pango library" in refused.get_data(as_text=True)
    said = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert said == ["WeasyPrint cannot load its libraries: cannot load library 'libpango-1.0-0'"]
    with pytest.raises(letters.LettersUnavailable, match=r"libpango-1\.0-0"):
        letters.pdf(db.session.get(LetterBatch, only_batch()))


def test_the_letters_waiting_are_the_periods_own_gifts_by_the_day_received(app):
    """From the first day to the last, both included, oldest first however they were
    recorded; not the day before or after, nor a gift thanked by e-mail."""
    days = {day: date(2026, 11, day) for day in (9, 10, 20, 21)}
    last_day = gift("Last", "Day", received_on=days[20])
    first_day = gift("First", "Day", received_on=days[10])
    gift("Before", "Period", received_on=days[9])
    gift("After", "Period", received_on=days[21])
    gift("By", "Email", received_on=days[10], email="by.email@example.org")
    waiting = letters.waiting(days[10], days[20])
    assert [letter.donation.reference for letter in waiting] == [
        first_day.reference,
        last_day.reference,
    ]


def test_a_refund_of_an_offline_gift_is_no_gift_to_thank(app):
    today = uk_today()
    cash = gift("Mary", "Seacole", method="cash", received_on=today)
    factories.refund(cash, 500)
    waiting = letters.waiting(today, today)
    assert [(letter.donation.reference, letter.entry.kind) for letter in waiting] == [
        (cash.reference, "offline")
    ]
