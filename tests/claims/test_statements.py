"""Tax-year statements: each gift of the year with what stands of it and its Gift Aid,
sent once per donor by command, and again at staff's request."""

import json
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

from sqlalchemy import select

from donations.claims import services as claims
from donations.claims import statements
from donations.extensions import db
from donations.gifts.dates import tax_year_of
from donations.gifts.donors import by_email
from donations.ledger import services as ledger
from donations.receipts.models import OutboxMessage
from donations.staff.models import AuditEntry
from donations.uk_time import uk_date
from tests import factories
from tests.support import sign_in, staff_post


def emails(app, subject_part: str) -> list:
    found = []
    for path in sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml")):
        email = message_from_bytes(path.read_bytes(), policy=policy.default)
        if subject_part in email["Subject"]:
            found.append(email)
    return found


def in_year(month: int, day: int, year: int = 2025):
    return datetime(year, month, day, 12, tzinfo=UTC)


def test_a_statement_lists_the_years_gifts_with_what_stands_and_the_gift_aid(app, runner):
    factories.payment(amount_pence=4000, gift_aid=True, paid_at=in_year(4, 6))
    refunded = factories.payment(amount_pence=2000, gift_aid=True, paid_at=in_year(12, 1))
    factories.refund(refunded, 500)
    factories.payment(amount_pence=1000, gift_aid=False, paid_at=in_year(4, 5, 2026))
    factories.payment(amount_pence=9900, gift_aid=True, paid_at=in_year(4, 5))  # year before
    factories.payment(
        amount_pence=700, gift_aid=True, email="other@example.org", paid_at=in_year(6, 1)
    )
    made = statements.statement(by_email("ada@example.org"), 2025)
    assert [
        (line.given_on.isoformat(), line.stands_pence, line.gift_aid_pence) for line in made.lines
    ] == [
        ("2025-04-06", 4000, 1000),
        ("2025-12-01", 1500, 375),
        ("2026-04-05", 1000, 0),
    ]
    assert (made.total_pence, made.gift_aid_pence, made.label) == (6500, 1375, "2025\u201326")
    assert made.with_gift_aid_pence == 5500, "what a tax return asks for: Gift Aided gifts only"

    dry = runner.invoke(args=["giftaid", "statement", "--tax-year", "2025"])
    assert "2 donors would be sent" in dry.output
    assert emails(app, "tax year") == []
    sent = runner.invoke(args=["giftaid", "statement", "--tax-year", "2025", "--yes"])
    assert "2 statements for 2025\u201326 queued" in sent.output, sent.output
    again = runner.invoke(args=["giftaid", "statement", "--tax-year", "2025", "--yes"])
    assert "0 statements" in again.output
    ada = next(e for e in emails(app, "tax year") if e["To"] == "ada@example.org")
    text = ada.get_body(preferencelist=("plain",)).get_content()
    assert "In all: £65.00, on which we claim £13.75 in Gift Aid" in text
    assert "give what you paid on them, £55.00" in text
    assert "£99.00" not in text


def test_finance_sends_a_donor_their_statement_again(app, client):
    gift = factories.payment(amount_pence=2500, gift_aid=True)
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    page = f"/finance/donations/{gift.reference}"
    assert "E-mail the donor their tax-year statement" in client.get(page).get_data(as_text=True)
    for _ in range(2):
        answer = staff_post(client, f"/finance/gift-aid/statements/{gift.reference}", page=page)
        assert answer.headers["Location"].endswith(page)
    db.session.rollback()
    assert len(emails(app, "tax year")) == 2
    viewer_sees = client.get(page)
    assert viewer_sees.status_code == 200


def test_a_viewer_cannot_send_statements(app, client):
    gift = factories.payment(amount_pence=2500, gift_aid=True)
    factories.staff("viewer")
    sign_in(client, "viewer@example.org")
    page = f"/finance/donations/{gift.reference}"
    assert "E-mail the donor" not in client.get(page).get_data(as_text=True)
    answer = staff_post(client, f"/finance/gift-aid/statements/{gift.reference}", page=page)
    assert answer.status_code == 403


def test_each_line_names_its_fund_gift_and_claim_and_the_sending_is_audited(app):
    audit_gift = factories.payment("stem-cell-audit", amount_pence=3000, gift_aid=True)
    trial_gift = factories.payment("actimus", amount_pence=2000, gift_aid=True)
    claim = claims.create(audit_gift.paid_at.date(), audit_gift.paid_at.date(), "f@example.org")
    db.session.commit()
    donor = by_email("ada@example.org")
    made = statements.statement(donor, _tax_year(audit_gift.paid_at))
    lines = {line.reference: line for line in made.lines}
    assert (lines[audit_gift.reference].fund, lines[trial_gift.reference].fund) == (
        "UK MS stem cell service audit",
        "ACTiMuS trial",
    )
    assert lines[audit_gift.reference].claimed_in == claim.reference
    assert made.donor == donor
    assert statements.queue(donor, made.tax_year)
    [entry] = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "statement_sent")
    ).scalars()
    assert entry.subject == f"donor {donor.id}"
    assert json.loads(entry.detail) == {"tax_year": made.label}


def _tax_year(moment) -> int:
    return tax_year_of(uk_date(moment))


def test_only_gift_aided_gifts_of_the_year_make_a_donor_of_the_year(app):
    factories.payment(
        amount_pence=1000, gift_aid=True, email="a@example.org", paid_at=in_year(6, 1)
    )
    factories.payment(
        amount_pence=1000, gift_aid=False, email="b@example.org", paid_at=in_year(6, 1)
    )
    factories.payment(
        amount_pence=1000, gift_aid=True, email="c@example.org", paid_at=in_year(6, 1, 2024)
    )
    refunded = factories.payment(
        amount_pence=1000, gift_aid=True, email="d@example.org", paid_at=in_year(3, 1, 2025)
    )
    factories.refund(refunded, 1000)
    assert [d.email for d in statements.donors_of_year(2025)] == ["a@example.org"]
    assert [d.email for d in statements.donors_of_year(2024)] == ["c@example.org", "d@example.org"]


def test_a_statement_is_queued_only_with_an_address_and_gifts_and_again_when_asked(app):
    factories.payment(amount_pence=4000, gift_aid=True, paid_at=in_year(6, 1))
    donor = by_email("ada@example.org")
    assert statements.queue(donor, 2024) is False, "nothing given that year"
    assert statements.queue(donor, 2025) is True
    assert statements.queue(donor, 2025) is False, "queued once"
    assert statements.queue(donor, 2025, again=True) is True
    assert statements.queue(donor, 2025, again=True) is True, "each request its own message"
    db.session.commit()
    keys = [
        m.dedupe_key
        for m in db.session.query(OutboxMessage).order_by(OutboxMessage.id)
        if m.dedupe_key.startswith("statement:")
    ]
    assert keys[0] == f"statement:{donor.id}:2025"
    assert all(key.startswith(f"statement:{donor.id}:2025:") for key in keys[1:])
    assert len(set(keys)) == 3
    messages = [m for m in db.session.query(OutboxMessage) if m.dedupe_key in keys]
    assert all(m.html_body and "<table" in m.html_body for m in messages)
    assert {m.donor_id for m in messages} == {donor.id}
    donor.email = None
    assert statements.queue(donor, 2025, again=True) is False, "no address, no statement"


def test_a_gift_refunded_in_full_stands_at_nothing_on_the_statement(app):
    refunded = factories.payment(amount_pence=2000, gift_aid=True, paid_at=in_year(6, 1))
    factories.refund(refunded, 2000)
    made = statements.statement(by_email("ada@example.org"), 2025)
    assert [(line.stands_pence, line.gift_aid_pence) for line in made.lines] == [(0, 0)]


def test_a_donor_whose_only_movement_in_the_year_is_a_refund_gets_no_statement(app):
    last_year = factories.payment(
        amount_pence=3000,
        gift_aid=True,
        email="refunded@example.org",
        paid_at=datetime(2025, 6, 1, 12, tzinfo=UTC),
    )
    factories.payment(
        amount_pence=1000,
        gift_aid=True,
        email="gave@example.org",
        paid_at=datetime(2026, 6, 1, 12, tzinfo=UTC),
    )
    paid = factories.payment_entry(last_year)
    ledger.take_back(paid, "refund", 3000, "re_next_year", datetime(2026, 6, 2, 12, tzinfo=UTC))
    db.session.commit()
    assert [d.email for d in statements.donors_of_year(2026)] == ["gave@example.org"]
