"""A donation's whole history as staff read it: each movement of money with its details,
Direct Debit money promised and settled, Stripe's events, receipts (to whom, only for staff
who may see it) and plan changes, oldest first."""

from datetime import UTC, datetime

from sqlalchemy import select

from donations.extensions import db
from donations.finance import history
from donations.gifts import plans
from donations.gifts.models import Donation, PlanStatus
from donations.money import format_gbp
from donations.payments.models import ProviderPayment
from donations.receipts.models import OutboxMessage
from tests import factories
from tests.support import give, reference_of, sandbox, sandbox_pay_by_direct_debit, submit_gift


def whats(found) -> list[str]:
    return [h.what for h in found]


def donation(email: str) -> Donation:
    db.session.rollback()
    return db.session.execute(select(Donation).where(Donation.email == email)).scalar_one()


def test_a_card_gift_with_fee_cover_and_gift_aid_tells_its_whole_story(client, runner, app):
    give(
        client,
        amount="50",
        cover_fees="y",
        email="card@example.org",
        gift_aid="y",
        house="1",
        postcode="SW1A 1AA",
    )
    sandbox(runner, "refund", reference_of("card@example.org"), "--amount", "5")
    gift = donation("card@example.org")
    entry = history.gifts_of(gift)[0]
    known = db.session.execute(
        select(ProviderPayment).where(ProviderPayment.source_ref == entry.source_ref)
    ).scalar_one()
    known.fee_pence, known.payout_id = 95, "po_test_1"
    db.session.commit()

    told = history.history(gift, personal=True)
    assert "Form sent; checkout opened" in whats(told)
    paid = next(h for h in told if h.what == "Payment received")
    assert paid.amount_pence == 5000
    cover = format_gbp(gift.fee_cover_pence)
    assert paid.detail == (
        f"{entry.source_ref}, fee cover {cover}, Gift Aid, Stripe fee £0.95, paid out in po_test_1"
    )
    refund = next(h for h in told if h.what == "Refund")
    assert refund.amount_pence == -500
    assert "Receipt queued to card@example.org" in whats(told)
    assert "Receipt sent to card@example.org" in whats(told)
    event = next(h for h in told if h.what == "Stripe event checkout.session.completed")
    assert event.detail.startswith("processed: ")
    assert len(event.detail) > len("processed: "), "the event's own note follows"
    assert [h.at for h in told] == sorted(h.at for h in told), "oldest first"

    hidden = history.history(gift, personal=False)
    assert "Receipt queued" in whats(hidden)
    assert not any("card@example.org" in h.what for h in hidden)


def test_a_direct_debit_is_promised_then_settled(client, runner, app):
    bacs = submit_gift(client, amount="other", other_amount="40", email="bacs@example.org")
    sandbox_pay_by_direct_debit(client, bacs.headers["Location"])
    promised = whats(history.history(donation("bacs@example.org"), personal=True))
    assert "Direct Debit promised" in promised
    assert "Direct Debit no longer pending" not in promised
    sandbox(runner, "settle", reference_of("bacs@example.org"))
    settled = history.history(donation("bacs@example.org"), personal=True)
    assert whats(settled).count("Direct Debit promised") == 1
    no_longer = next(h for h in settled if h.what == "Direct Debit no longer pending")
    assert no_longer.amount_pence == -4000
    assert "Payment received" in whats(settled)


def test_a_plans_changes_and_a_receipt_not_yet_sent_are_in_the_history(app):
    gift = factories.payment(frequency="monthly", email="m@example.org")
    plan = plans.begin_plan(gift, "sub_m", "cus_m")
    plans.change_plan(plan, PlanStatus.PAST_DUE, "invoice.payment_failed")
    db.session.commit()
    told = history.history(gift, personal=True)
    assert "Monthly plan active" in whats(told)
    changed = next(h for h in told if h.what == "Monthly plan past due")
    assert changed.detail == "invoice.payment_failed"
    assert changed.amount_pence == gift.amount_pence
    other = factories.payment(email="other@example.org")
    assert not any("m@example.org" in h.what for h in history.history(other, personal=True))


def test_a_receipt_is_told_with_its_key_its_subject_or_why_it_has_not_gone(app):
    gift = factories.payment(email="told@example.org")
    message = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.donation_id == gift.id)
    ).scalar_one()
    told = {h.what: h for h in history.history(gift, personal=True)}
    assert told["Receipt queued to told@example.org"].detail == message.dedupe_key
    assert told["Receipt sent to told@example.org"].detail == message.subject
    assert message.subject

    message.sent_at, message.last_error = None, "421 4.7.0 Try again later"
    db.session.commit()
    waiting = history.history(gift, personal=True)
    assert "Receipt sent to told@example.org" not in whats(waiting)
    not_yet = next(h for h in waiting if h.what == "Receipt not sent yet")
    assert not_yet.detail == "421 4.7.0 Try again later"
    assert not_yet.at == message.created_at


def test_staff_read_every_moment_in_uk_time_to_the_minute(app):
    """Summer and winter alike, as the clock on the office wall showed it."""
    shown = app.jinja_env.filters["uk_time"]
    assert shown(datetime(2026, 7, 1, 12, 5, tzinfo=UTC)) == "1 Jul 2026 13:05"
    assert shown(datetime(2026, 12, 24, 9, 30, tzinfo=UTC)) == "24 Dec 2026 09:30"
