"""A payment's whole life, delivered in order, reversed, and shuffled with duplicates: the
ledger and the totals end the same every time, and `totals check` agrees."""

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from donations.extensions import db
from donations.funds.models import Fund
from donations.gifts.models import Donation, DonationStatus, Plan, PlanStatus
from donations.ledger.models import FundTotals, LedgerEntry
from donations.ledger.totals import drift
from donations.payments.models import StripeEvent
from tests import factories
from tests.payments import stripe_history, stripe_shapes
from tests.support import signed_event


@pytest.fixture
def app(stripe_app):
    return stripe_app


def make_donations() -> dict:
    return {
        "monthly": factories.checkout(
            amount_pence=1000,
            fee_cover_pence=36,
            frequency="monthly",
            gift_aid=True,
            email="monthly@example.org",
        ),
        "refunded": factories.checkout(amount_pence=5000, gift_aid=True, email="r@example.org"),
        "lost": factories.checkout("stem-cell-audit", amount_pence=2500, email="l@example.org"),
        "won": factories.checkout("stem-cell-audit", amount_pence=2000, email="w@example.org"),
        "failed": factories.checkout(amount_pence=3000, email="f@example.org"),
        "settled": factories.checkout(amount_pence=4000, gift_aid=True, email="s@example.org"),
    }


def deliver_all(client, events: list[dict]) -> None:
    for event in events:
        payload, headers = signed_event(event)
        answer = client.post("/stripe/webhook", data=payload, headers=headers)
        assert answer.status_code == 200, answer.get_data(as_text=True)


def end_state() -> dict:
    """What the history left: every ledger movement, the funds' totals, statuses, the plan."""
    db.session.expire_all()
    ledger = sorted(
        (e.kind, e.amount_pence, e.source_ref, e.gift_aid)
        for e in db.session.execute(select(LedgerEntry)).scalars()
    )
    totals = sorted(
        (slug, t.raised_pence, t.gift_aid_pence, t.pending_pence, t.donor_count, t.donation_count)
        for slug, t in db.session.execute(select(Fund.slug, FundTotals).join(FundTotals)).all()
    )
    statuses = sorted((d.email, d.status) for d in db.session.execute(select(Donation)).scalars())
    plans = [p.status for p in db.session.execute(select(Plan)).scalars()]
    held = db.session.execute(select(StripeEvent.id).where(StripeEvent.outcome == "held")).all()
    return {
        "ledger": ledger,
        "totals": totals,
        "statuses": statuses,
        "plans": plans,
        "held": len(held),
    }


def run(make_app_state, order) -> dict:
    client, donations = make_app_state()
    history = stripe_history.scripted(donations)
    deliver_all(client, order(history.events))
    assert drift() == []
    return end_state()


@pytest.fixture
def fresh(stripe_app, reset_database):
    def make():
        db.session.rollback()  # let go of the last run's reads before emptying the tables
        reset_database(stripe_app)
        return stripe_app.test_client(), make_donations()

    return make


def test_the_history_in_order_leaves_what_it_should(fresh):
    state = run(fresh, list)
    kinds = [(kind, amount) for kind, amount, _, _ in state["ledger"]]
    assert kinds.count(("payment", 1000)) == 4, "a first month and three renewals"
    assert ("refund", -1000) in kinds
    assert ("refund", -500) in kinds
    assert ("dispute", -2500) in kinds, "the lost dispute took the gift"
    assert ("dispute", -2000) in kinds
    assert ("dispute_won", 2000) in kinds
    assert ("payment", 4000) in kinds, "the settled Direct Debit"
    assert not any(amount == 3000 for _, amount in kinds), "the failed one: nothing"
    assert state["plans"] == [PlanStatus.CANCELLED]
    assert state["held"] == 0
    statuses = dict(state["statuses"])
    assert statuses["f@example.org"] == DonationStatus.FAILED
    assert statuses["s@example.org"] == DonationStatus.PAID
    actimus = next(
        t for t in db.session.execute(select(FundTotals)).scalars() if t.raised_pence > 5000
    )
    # monthly 4 x 1000, refunded 5000 - 1500, settled 4000: raised 11,500
    assert actimus.raised_pence == 4 * 1000 + 3500 + 4000
    # Gift Aid on each payment's net: 4 x 250, 3500 -> 875, 4000 -> 1000
    assert actimus.gift_aid_pence == 4 * 250 + 875 + 1000
    assert actimus.pending_pence == 0


def test_the_history_reversed_ends_the_same(fresh):
    assert run(fresh, lambda events: events[::-1]) == run(fresh, list)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), duplicates=st.floats(0, 0.5))
def test_the_history_shuffled_with_duplicates_ends_the_same(fresh, seed, duplicates):
    expected = run(fresh, list)

    def shuffled(events):
        rng = random.Random(seed)  # noqa: S311  (a repeatable order, not a secret)
        copies = events + [event for event in events if rng.random() < duplicates]
        rng.shuffle(copies)
        return [json.loads(json.dumps(event)) for event in copies]

    assert run(fresh, shuffled) == expected


def test_what_is_kept_of_stripes_whole_objects_names_and_reaches_nobody(fresh):
    """Stripe's objects carry the donor's name, e-mail, address, phone and IP (a dispute's
    evidence, a charge's billing details, an invoice's customer fields): none is stored."""
    run(fresh, list)
    stored = " ".join(db.session.execute(select(StripeEvent.payload)).scalars())
    assert "charge.dispute.created" in " ".join(
        db.session.execute(select(StripeEvent.type)).scalars()
    )
    for personal in ("Ada Lovelace", "ada@example.org", "SW1Y 4JH", "+447700900123", "203.0.113"):
        assert personal not in stored
    assert '"fx_rate": "1.160000"' in stored, "what is not personal is kept as Stripe sent it"


def test_an_event_that_is_not_ours_is_kept_as_what_it_was_and_nothing_more(client):
    customer = {
        "id": "cus_someone_elses",
        "object": "customer",
        "address": stripe_shapes.ADDRESS,
        **stripe_shapes.DONOR,
        "shipping": {"address": stripe_shapes.ADDRESS, "name": "Ada Lovelace", "phone": None},
        "metadata": {},
    }
    event = stripe_history.History().add("customer.updated", customer)
    deliver_all(client, [event])
    record = db.session.get(StripeEvent, event["id"])
    assert record.outcome == "ignored"
    assert json.loads(record.payload) == {
        "id": event["id"],
        "type": "customer.updated",
        "created": event["created"],
        "data": {"object": {"id": "cus_someone_elses", "object": "customer"}},
    }


def test_each_event_is_noted_in_the_words_finance_staff_read_and_again_when_it_comes_twice(
    fresh,
):
    """What a donation's history says of each Stripe event: the history in order, then every
    event again under a new id (as reconcile or a replay would bring it)."""
    client, donations = fresh()
    history = stripe_history.scripted(donations)
    deliver_all(client, history.events)
    deliver_all(client, [dict(event, id=f"{event['id']}_again") for event in history.events])
    noted = [
        (kind, note)
        for kind, outcome, note in db.session.execute(
            select(StripeEvent.type, StripeEvent.outcome, StripeEvent.note).order_by(
                StripeEvent.received_at, StripeEvent.id
            )
        )
        if outcome == "processed"
    ]
    first, again = noted[: len(history.events)], noted[len(history.events) :]
    assert len(again) == len(history.events), "every event processed, none held or ignored"
    assert first == [
        ("checkout.session.completed", "paid"),  # the monthly gift's first month
        ("invoice.paid", "month already recorded"),
        *[("invoice.paid", "month recorded")] * 3,
        ("customer.subscription.deleted", "plan cancelled"),
        ("checkout.session.completed", "paid"),  # refunded in two parts
        ("charge.refunded", "refunded 1000"),
        ("refund.created", "refund already recorded"),
        ("charge.refunded", "refund already recorded; refunded 500"),
        ("refund.created", "refund already recorded"),
        ("checkout.session.completed", "paid"),  # a dispute lost
        ("charge.dispute.created", "nothing to change"),
        ("charge.dispute.funds_withdrawn", "withdrawn"),
        ("charge.dispute.closed", "nothing to change"),
        ("checkout.session.completed", "paid"),  # a dispute won
        ("charge.dispute.created", "nothing to change"),
        ("charge.dispute.funds_withdrawn", "withdrawn"),
        ("charge.dispute.funds_reinstated", "reinstated"),
        ("charge.dispute.closed", "nothing to change"),
        ("checkout.session.completed", "pending"),  # a Direct Debit that failed
        ("checkout.session.async_payment_failed", "failed"),
        ("checkout.session.completed", "pending"),  # one that settled
        ("checkout.session.async_payment_succeeded", "paid"),
    ]
    assert again[0] == ("checkout.session.completed", "already paid")
    assert again[1:5] == [("invoice.paid", "month already recorded")] * 4
    assert again[-4:] == [
        ("checkout.session.completed", "nothing to change (donation is failed)"),
        ("checkout.session.async_payment_failed", "nothing to change (donation is failed)"),
        ("checkout.session.completed", "nothing to change (donation is paid)"),
        ("checkout.session.async_payment_succeeded", "already paid"),
    ]
