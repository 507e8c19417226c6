"""A donation's whole history as staff read it: each movement of money with its details,
Direct Debit money promised and settled, Stripe's events, receipts (to whom, only for staff
who may see it) and plan changes, oldest first."""

import json
from datetime import UTC, datetime

from sqlalchemy import select

from donations.extensions import db
from donations.finance import history
from donations.gifts import lifecycle, plans
from donations.gifts.models import Donation, PlanStatus
from donations.money import format_gbp
from donations.payments import provider_payments
from donations.payments.models import ProviderPayment, StripeEvent
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
    promise = next(h for h in settled if h.what == "Direct Debit promised")
    reference = reference_of("bacs@example.org")
    assert (promise.detail, no_longer.detail) == (f"{reference}:open", f"{reference}:close")
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


def _charged(email: str, charge: str) -> Donation:
    """A card gift Stripe knows by its own Charge, with a dispute event naming only that."""
    gift = factories.payment(source_ref=f"pi_{charge}", email=email)
    provider_payments.note_payment(
        f"pi_{charge}", payment_intent_id=f"pi_{charge}", charge_id=charge
    )
    db.session.add(
        StripeEvent(
            id=f"evt_{charge}",
            type="charge.dispute.created",
            outcome="processed",
            note=f"nothing to change for {charge}",
            payload=json.dumps({"data": {"object": {"object": "dispute", "charge": charge}}}),
        )
    )
    db.session.commit()
    return gift


def test_stripes_events_are_those_of_this_donations_own_charge(app):
    mine, theirs = (
        _charged("mine@example.org", "ch_mine"),
        _charged("theirs@example.org", "ch_theirs"),
    )
    events = [h for h in history.history(mine, personal=True) if h.what.startswith("Stripe")]
    assert [(h.what, h.detail) for h in events] == [
        ("Stripe event charge.dispute.created", "processed: nothing to change for ch_mine")
    ]
    assert theirs.reference not in str(events)


def test_the_form_is_told_with_the_donations_state_now(app):
    paid = factories.payment(email="state@example.org")
    made = history.history(paid, personal=True)[0]
    assert (made.what, made.detail) == ("Form sent; checkout opened", "paid")


def test_a_monthly_gifts_months_are_its_own_by_the_day_each_was_paid(app):
    january, february, march = (datetime(2026, month, 1, tzinfo=UTC) for month in (1, 2, 3))
    gift = factories.payment(
        frequency="monthly", email="months@example.org", source_ref="in_1", paid_at=january
    )
    factories.payment(frequency="monthly", email="other@example.org", source_ref="in_o")
    lifecycle.record_month(gift, "in_3", gift.amount_pence, 0, march)
    lifecycle.record_month(gift, "in_2", gift.amount_pence, 0, february)  # told late
    db.session.commit()
    months = [entry.source_ref for entry in history.gifts_of(gift)]
    assert months == ["in_1", "in_2", "in_3"], "its own, by the day paid, not as recorded"


def test_each_monthly_gift_has_its_own_plan(app):
    first = factories.payment(frequency="monthly", email="first@example.org")
    second = factories.payment(frequency="monthly", email="second@example.org")
    plans.begin_plan(first, "sub_first", "cus_first")
    plans.begin_plan(second, "sub_second", "cus_second")
    db.session.commit()
    assert history.plan_of(first).subscription_id == "sub_first"
    assert history.plan_of(second).subscription_id == "sub_second"
    assert history.plan_of(factories.payment(email="once@example.org")) is None
