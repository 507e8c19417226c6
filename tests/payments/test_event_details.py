"""The details of single events that the scripted history does not reach: a plan's amount
read from its subscription's items, disputes told without their balance transactions, and
the dates money moved on."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from donations.extensions import db
from donations.gifts import lifecycle
from donations.gifts.models import Plan, PlanChange, PlanStatus
from donations.ledger.models import EntryKind, LedgerEntry
from donations.payments import catalogue
from donations.payments.models import CatalogueEntry, StripeEvent
from tests import factories
from tests.payments import stripe_history, stripe_shapes
from tests.support import signed_event


@pytest.fixture
def app(stripe_app):
    return stripe_app


def deliver(client, *events) -> None:
    for event in events:
        payload, headers = signed_event(event)
        assert client.post("/stripe/webhook", data=payload, headers=headers).status_code == 200


def outcome(event: dict) -> tuple[str, str | None]:
    stored = db.session.get(StripeEvent, event["id"])
    return stored.outcome, stored.note


def moves(kind: EntryKind) -> list[int]:
    return list(
        db.session.execute(
            select(LedgerEntry.amount_pence).where(LedgerEntry.kind == kind)
        ).scalars()
    )


# --- a plan's amount -------------------------------------------------------------------------


def a_plan(client) -> tuple[dict, str]:
    donation = factories.checkout(
        amount_pence=1500, fee_cover_pence=43, frequency="monthly", email="m@example.org"
    )
    history = stripe_history.History()
    subscription = stripe_history.monthly_gift(history, donation, months=1, cancel=False)
    deliver(client, *history.events)
    return {"donation_reference": donation.reference}, subscription


def subscription_event(subscription: str, metadata: dict, items: list[dict]) -> dict:
    history = stripe_history.History()
    return history.add(
        "customer.subscription.updated",
        {
            "id": subscription,
            "object": "subscription",
            "status": "active",
            "metadata": metadata,
            "items": {"object": "list", "data": items},
        },
    )


def plan_amount() -> int:
    db.session.expire_all()
    return db.session.execute(select(Plan.amount_pence)).scalar_one()


def test_a_plan_changed_in_the_portal_takes_the_gift_without_the_fee_cover(client, app):
    metadata, subscription = a_plan(client)
    cover = catalogue.fee_cover_product()
    assert cover is not None, "the fee cover's Product was made for the first checkout"
    items = [
        {"price": {"unit_amount": 2000, "product": "prod_fund"}, "quantity": 1},
        {"price": {"unit_amount": 51, "product": cover}, "quantity": 1},
    ]
    deliver(client, subscription_event(subscription, metadata, items))
    assert plan_amount() == 2000


def test_a_plan_of_several_units_counts_each(client, app):
    metadata, subscription = a_plan(client)
    items = [{"price": {"unit_amount": 500, "product": "prod_fund"}, "quantity": 3}]
    deliver(client, subscription_event(subscription, metadata, items))
    assert plan_amount() == 500 * 3


def test_a_plan_adds_up_its_gift_items_wherever_the_fee_cover_is_listed(client, app):
    metadata, subscription = a_plan(client)
    cover = catalogue.fee_cover_product()
    items = [
        {"price": {"unit_amount": 51, "product": cover}, "quantity": 1},
        {"price": {"unit_amount": 1500, "product": "prod_fund"}},  # no quantity: one
        {"price": {"unit_amount": 500, "product": "prod_fund"}, "quantity": 2},
    ]
    deliver(client, subscription_event(subscription, metadata, items))
    assert plan_amount() == 1500 + 500 * 2


def test_items_without_a_whole_amount_leave_the_plan_as_it_was(client, app):
    metadata, subscription = a_plan(client)
    before = plan_amount()
    for items in (
        [{"price": {"unit_amount": "20.00", "product": "prod_fund"}, "quantity": 1}],
        [{"price": {"unit_amount": 2000, "product": "prod_fund"}}, {"price": {}}],
        [],
    ):
        deliver(client, subscription_event(subscription, metadata, items))
        assert plan_amount() == before


# --- disputes told without their balance transactions -----------------------------------


def a_paid_gift(client, pence=3000) -> str:
    donation = factories.checkout(amount_pence=pence, email="r@example.org")
    history = stripe_history.History()
    payment_intent = stripe_history.card_gift(history, donation)
    deliver(client, *history.events)
    return payment_intent


def a_dispute(client, **fields) -> dict:
    payment_intent = a_paid_gift(client, 4000)
    return {
        "id": "du_plain",
        "object": "dispute",
        "amount": 4000,
        "currency": "gbp",
        "charge": f"ch_{payment_intent}",
        "payment_intent": payment_intent,
        "status": "needs_response",
        "created": 1_790_000_000,
        **fields,
    }


def event(event_type: str, obj: dict) -> dict:
    return stripe_history.History().add(event_type, obj)


def test_funds_withdrawn_takes_the_money_even_without_balance_transactions(client, app):
    dispute = a_dispute(client)
    deliver(client, event("charge.dispute.created", dispute))
    assert moves(EntryKind.DISPUTE) == [], "an open dispute has not taken money yet"
    withdrawn = event("charge.dispute.funds_withdrawn", dispute)
    deliver(client, withdrawn)
    assert moves(EntryKind.DISPUTE) == [-4000]
    assert outcome(withdrawn) == ("processed", "withdrawn")
    when = db.session.execute(
        select(LedgerEntry.occurred_at).where(LedgerEntry.kind == EntryKind.DISPUTE)
    ).scalar_one()
    assert when == datetime.fromtimestamp(1_790_000_000, UTC)


def test_a_dispute_closed_lost_takes_the_money_and_reinstated_gives_it_back(client, app):
    dispute = a_dispute(client)
    deliver(client, event("charge.dispute.closed", {**dispute, "status": "lost"}))
    assert moves(EntryKind.DISPUTE) == [-4000]
    assert moves(EntryKind.DISPUTE_WON) == []
    reinstated = event("charge.dispute.funds_reinstated", dispute)
    deliver(client, reinstated)
    assert moves(EntryKind.DISPUTE_WON) == [4000]
    assert outcome(reinstated) == ("processed", "reinstated")
    again = event("charge.dispute.funds_reinstated", dispute)
    deliver(client, again)
    assert outcome(again) == ("processed", "nothing to change"), "news arriving twice"


def test_a_dispute_won_without_money_moving_changes_nothing(client, app):
    dispute = a_dispute(client)
    deliver(client, event("charge.dispute.closed", {**dispute, "status": "won"}))
    assert moves(EntryKind.DISPUTE) == []


@pytest.mark.parametrize("broken", [{"id": None}, {"amount": "40.00"}, {"amount": None}])
def test_a_dispute_without_an_id_or_a_whole_amount_is_ignored(client, app, broken):
    dispute = {**a_dispute(client), **broken}
    sent = event("charge.dispute.funds_withdrawn", dispute)
    deliver(client, sent)
    assert outcome(sent) == ("ignored", "a dispute without an id or an amount")
    assert moves(EntryKind.DISPUTE) == []


# --- when a refund happened --------------------------------------------------------------


def test_a_refund_is_recorded_on_the_day_stripe_made_it(client, app):
    payment_intent = a_paid_gift(client)
    refund = {
        "id": "re_dated",
        "object": "refund",
        "amount": 1000,
        "charge": f"ch_{payment_intent}",
        "payment_intent": payment_intent,
        "status": "succeeded",
        "created": 1_790_000_000,
    }
    created = event("refund.created", refund)
    deliver(client, created)
    when = db.session.execute(
        select(LedgerEntry.occurred_at).where(LedgerEntry.kind == EntryKind.REFUND)
    ).scalar_one()
    assert when == datetime.fromtimestamp(1_790_000_000, UTC)
    assert outcome(created) == ("processed", "refunded 1000")
    updated = event("refund.updated", refund)
    deliver(client, updated)
    assert outcome(updated) == ("processed", "refund already recorded")
    assert moves(EntryKind.REFUND) == [-1000]


def test_a_refund_beyond_the_gift_takes_only_the_fee_cover_and_moves_nothing(client, app):
    payment_intent = a_paid_gift(client)
    base = {
        "object": "refund",
        "charge": f"ch_{payment_intent}",
        "payment_intent": payment_intent,
        "status": "succeeded",
    }
    deliver(client, event("refund.created", {**base, "id": "re_gift", "amount": 3000}))
    cover = event("refund.created", {**base, "id": "re_cover", "amount": 96})
    deliver(client, cover)
    assert outcome(cover) == (
        "processed",
        "nothing of the gift left to refund (the fee cover only)",
    )
    assert moves(EntryKind.REFUND) == [-3000]


@pytest.mark.parametrize("broken", [{"id": None}, {"amount": 0}, {"amount": "10.00"}])
def test_a_refund_without_an_id_or_a_positive_whole_amount_moves_nothing(client, app, broken):
    payment_intent = a_paid_gift(client)
    refund = {
        "id": "re_broken",
        "object": "refund",
        "amount": 1000,
        "charge": f"ch_{payment_intent}",
        "payment_intent": payment_intent,
        "status": "succeeded",
        **broken,
    }
    sent = event("refund.updated", refund)
    deliver(client, sent)
    assert outcome(sent) == ("processed", "a refund without an id or an amount")
    assert moves(EntryKind.REFUND) == []


# --- a month's invoice: which payment paid it, when, and how much was the gift ----------------


def monthly(client, amount=1500, cover=43):
    donation = factories.checkout(
        amount_pence=amount, fee_cover_pence=cover, frequency="monthly", email="m@example.org"
    )
    history = stripe_history.History()
    subscription = stripe_history.monthly_gift(history, donation, months=1, cancel=False)
    deliver(client, *history.events)
    return donation, subscription


def next_month(donation, subscription: str, **fields) -> dict:
    invoice = {**stripe_history.invoice(donation, subscription, 2), **fields}
    return event("invoice.paid", invoice)


def month_entry(source_ref: str) -> LedgerEntry:
    db.session.expire_all()
    return db.session.execute(
        select(LedgerEntry).where(LedgerEntry.source_ref == source_ref)
    ).scalar_one()


def test_a_refund_of_a_month_comes_off_the_month_its_payment_paid(client, app):
    donation, subscription = monthly(client)
    payments = {
        "object": "list",
        "data": [
            {"status": "failed", "payment": {"payment_intent": "pi_declined"}},
            {"status": "paid", "payment": {"type": "payment_intent"}},
            {"status": "paid", "payment": {"payment_intent": "pi_month_two"}},
        ],
    }
    deliver(client, next_month(donation, subscription, payments=payments))
    second = month_entry(f"in_{subscription}_2")
    refund = {
        "id": "re_month_two",
        "object": "refund",
        "amount": 500,
        "payment_intent": "pi_month_two",
        "status": "succeeded",
        "created": 1_790_000_000,
    }
    deliver(client, event("refund.created", refund))
    taken = month_entry("re_month_two")
    assert (taken.amount_pence, taken.payment_entry_id) == (-500, second.id)
    declined = {**refund, "id": "re_declined", "payment_intent": "pi_declined"}
    sent = event("refund.created", declined)
    deliver(client, sent)
    assert outcome(sent)[0] == "held", "a declined attempt paid nothing to refund"


def test_a_month_is_recorded_on_the_day_stripe_says_it_was_paid(client, app):
    donation, subscription = monthly(client)
    transitions = {"paid_at": 1_790_000_000}
    deliver(client, next_month(donation, subscription, status_transitions=transitions))
    assert month_entry(f"in_{subscription}_2").occurred_at == datetime.fromtimestamp(
        1_790_000_000, UTC
    )


def invoice_lines(gift: int, cover: int | None) -> dict:
    """A month's lines: the gift on its fund's Product, the fee cover on the fee cover's
    (without an amount when `cover` is None)."""
    cover_line = {"pricing": {"price_details": {"product": catalogue.fee_cover_product()}}}
    if cover is not None:
        cover_line["amount"] = cover
    gift_line = {"amount": gift, "pricing": {"price_details": {"product": "prod_fund"}}}
    return {"object": "list", "data": [gift_line, cover_line]}


def test_a_months_lines_say_which_part_is_the_fee_cover(client, app):
    donation, subscription = monthly(client, amount=1500, cover=43)
    lines = invoice_lines(1500, 60)
    deliver(client, next_month(donation, subscription, amount_paid=1560, lines=lines))
    second = month_entry(f"in_{subscription}_2")
    assert (second.amount_pence, second.fee_cover_pence) == (1500, 60)


def test_a_month_without_lines_takes_the_donations_own_fee_cover_only_when_it_matches(client, app):
    donation, subscription = monthly(client, amount=1500, cover=43)
    deliver(client, next_month(donation, subscription))  # 1,543 charged, as the donation
    assert month_entry(f"in_{subscription}_2").fee_cover_pence == 43
    third = {**stripe_history.invoice(donation, subscription, 3), "amount_paid": 2000}
    deliver(client, event("invoice.paid", third))
    assert (
        month_entry(f"in_{subscription}_3").amount_pence,
        month_entry(f"in_{subscription}_3").fee_cover_pence,
    ) == (2000, 0)


@pytest.mark.parametrize(
    "broken", [{"currency": "eur"}, {"amount_paid": "15.43"}, {"amount_paid": None}]
)
def test_a_month_not_in_whole_pounds_and_pence_is_held_not_counted(client, app, broken):
    donation, subscription = monthly(client)
    sent = next_month(donation, subscription, **broken)
    deliver(client, sent)
    assert outcome(sent) == ("held", "amount or currency is not a gift in pounds")
    assert moves(EntryKind.PAYMENT) == [1500]


# --- disputes told with their balance transactions --------------------------------------------


def test_a_dispute_listing_a_withdrawal_takes_the_money_whatever_its_status(client, app):
    dispute = a_dispute(client, balance_transactions=[{"amount": -4000}])
    deliver(client, event("charge.dispute.updated", dispute))
    assert moves(EntryKind.DISPUTE) == [-4000]


def test_a_dispute_listing_both_movements_takes_the_money_and_gives_it_back(client, app):
    listed = [{"amount": -4000}, {"id": "txn_fee"}, {"amount": 4000}]
    dispute = a_dispute(client, status="won", balance_transactions=listed)
    closed = event("charge.dispute.closed", dispute)
    deliver(client, closed)
    assert moves(EntryKind.DISPUTE) == [-4000]
    assert moves(EntryKind.DISPUTE_WON) == [4000]
    assert outcome(closed) == ("processed", "withdrawn, reinstated")
    dated = db.session.execute(
        select(LedgerEntry.occurred_at).where(
            LedgerEntry.kind.in_([EntryKind.DISPUTE, EntryKind.DISPUTE_WON])
        )
    ).scalars()
    assert set(dated) == {datetime.fromtimestamp(1_790_000_000, UTC)}, "both on the dispute's day"


def test_a_dispute_listing_only_nothing_moves_nothing(client, app):
    listed = [{"amount": 0}, {"id": "txn_without_amount"}, "txn_1"]
    dispute = a_dispute(client, status="lost", balance_transactions=listed)
    deliver(client, event("charge.dispute.funds_withdrawn", dispute))
    assert moves(EntryKind.DISPUTE) == []
    assert moves(EntryKind.DISPUTE_WON) == []


def test_a_dispute_naming_only_a_charge_not_yet_known_waits_for_it(client, app):
    dispute = a_dispute(client)
    del dispute["payment_intent"]
    sent = event("charge.dispute.funds_withdrawn", dispute)
    deliver(client, sent)
    assert outcome(sent) == ("held", "its payment is not recorded yet")
    stored = db.session.get(StripeEvent, sent["id"])
    assert stored.waiting_for == dispute["charge"]


def test_a_dispute_before_its_payment_waits_and_one_for_nobody_is_not_ours(client, app):
    waiting = event(
        "charge.dispute.funds_withdrawn",
        {"id": "du_early", "amount": 100, "payment_intent": "pi_not_yet", "charge": "ch_x"},
    )
    deliver(client, waiting)
    assert outcome(waiting) == ("held", "its payment is not recorded yet")
    stranger = event("charge.dispute.created", {"id": "du_other", "amount": 100})
    deliver(client, stranger)
    assert outcome(stranger) == ("ignored", "no payment of ours")


def test_a_month_without_a_paid_date_is_recorded_when_it_arrives(client, app):
    donation, subscription = monthly(client)
    before = datetime.now(UTC)
    deliver(client, next_month(donation, subscription, status_transitions={"paid_at": None}))
    assert before <= month_entry(f"in_{subscription}_2").occurred_at <= datetime.now(UTC)


def test_an_invoice_payment_without_a_status_counts_as_paid(client, app):
    donation, subscription = monthly(client)
    payments = {"object": "list", "data": [{"payment": {"payment_intent": "pi_no_status"}}]}
    deliver(client, next_month(donation, subscription, payments=payments))
    refund = {"id": "re_no_status", "amount": 300, "payment_intent": "pi_no_status"}
    sent = event("refund.created", {**refund, "object": "refund", "status": "succeeded"})
    deliver(client, sent)
    assert outcome(sent)[0] == "processed"
    assert month_entry("re_no_status").payment_entry_id == month_entry(f"in_{subscription}_2").id


def test_a_fee_cover_line_without_an_amount_is_held_not_guessed(client, app):
    donation, subscription = monthly(client, amount=1500, cover=43)
    lines = invoice_lines(1500, None)
    sent = next_month(donation, subscription, amount_paid=1543, lines=lines)
    deliver(client, sent)
    assert outcome(sent) == ("held", "amount or currency is not a gift in pounds")
    assert moves(EntryKind.PAYMENT) == [1500]


# --- a monthly gift found without its metadata --------------------------------------------------


def old_style_invoice(donation, subscription: str, number: int) -> dict:
    """An invoice as Stripe's API versions before 2025 wrote it: its subscription named at the
    top, no `parent`, so none of our metadata."""
    invoice = stripe_history.invoice(donation, subscription, number)
    del invoice["parent"]
    return event("invoice.paid", {**invoice, "subscription": subscription})


def test_a_month_naming_its_subscription_the_old_way_is_found_by_its_plan(client, app):
    donation = factories.checkout(amount_pence=1500, frequency="monthly", email="o@example.org")
    # the checkout's own event was lost; the subscription's event began the plan
    deliver(
        client, subscription_event("sub_old_way", {"donation_reference": donation.reference}, [])
    )
    sent = old_style_invoice(donation, "sub_old_way", 1)
    deliver(client, sent)
    assert outcome(sent) == ("processed", "month recorded")
    assert month_entry("in_sub_old_way_1").donation_id == donation.id


def test_a_monthly_gift_begun_before_plans_were_kept_is_found_by_its_subscription(client, app):
    donation = factories.checkout(amount_pence=1500, frequency="monthly", email="o@example.org")
    donation.subscription_id = "sub_before_plans"
    db.session.commit()
    sent = old_style_invoice(donation, "sub_before_plans", 1)
    deliver(client, sent)
    assert outcome(sent) == ("processed", "month recorded")
    assert month_entry("in_sub_before_plans_1").donation_id == donation.id
    db.session.expire_all()
    assert db.session.execute(select(Plan.subscription_id)).scalar_one() == "sub_before_plans"


# --- refunds at their edges -----------------------------------------------------------------------


def test_a_refund_of_one_penny_is_recorded(client, app):
    payment_intent = a_paid_gift(client)
    refund = {"id": "re_penny", "object": "refund", "amount": 1, "status": "succeeded"}
    deliver(client, event("refund.created", {**refund, "payment_intent": payment_intent}))
    assert moves(EntryKind.REFUND) == [-1]


@pytest.mark.parametrize("path", ["refund.failed", "charge.refunded"])
def test_a_failed_refund_and_its_return_are_dated_as_stripe_dated_the_refund(client, app, path):
    payment_intent = a_paid_gift(client)
    refund = {
        "id": "re_failed",
        "object": "refund",
        "amount": 1000,
        "payment_intent": payment_intent,
        "status": "failed",
        "created": 1_790_000_000,
    }
    if path == "charge.refunded":
        charge = stripe_history.charge(payment_intent, 3000, [refund])
        deliver(client, event(path, charge))
    else:
        deliver(client, event(path, refund))
    dated = dict(
        db.session.execute(
            select(LedgerEntry.kind, LedgerEntry.occurred_at).where(
                LedgerEntry.kind.in_([EntryKind.REFUND, EntryKind.REFUND_FAILED])
            )
        ).all()
    )
    stripe_day = datetime.fromtimestamp(1_790_000_000, UTC)
    assert dated == {EntryKind.REFUND: stripe_day, EntryKind.REFUND_FAILED: stripe_day}


def test_a_cancelled_plan_stays_cancelled_whatever_stripe_says_of_it_later(client, app):
    donation, subscription = monthly(client)
    cancelled = {
        **stripe_shapes.subscription(),
        "id": subscription,
        "status": "canceled",
        "ended_at": 1796000000,
        "cancellation_details": {"comment": None, "feedback": None, "reason": "payment_failed"},
        "metadata": {"donation_reference": donation.reference},
        "items": {
            "object": "list",
            "data": [stripe_shapes.subscription_item(donation.amount_pence, subscription)],
        },
    }
    deleted = event("customer.subscription.deleted", cancelled)
    deliver(client, deleted)
    assert outcome(deleted) == ("processed", "plan cancelled")
    later = {**cancelled, "status": "active", "ended_at": None}
    updated = event("customer.subscription.updated", later)
    failed = event("invoice.payment_failed", stripe_history.invoice(donation, subscription, 2))
    deliver(client, updated, failed)
    assert outcome(updated) == ("processed", "nothing to change")
    assert outcome(failed) == ("processed", "nothing to change")
    db.session.expire_all()
    plan = db.session.execute(select(Plan)).scalar_one()
    assert plan.status == PlanStatus.CANCELLED
    assert plan.cancelled_at is not None
    changes = db.session.execute(
        select(PlanChange.status).where(PlanChange.plan_id == plan.id).order_by(PlanChange.id)
    ).scalars()
    assert list(changes)[-1] == PlanStatus.CANCELLED
    notes = db.session.execute(select(PlanChange.note).where(PlanChange.plan_id == plan.id))
    assert "subscription: payment_failed" in list(notes.scalars()), "Stripe's reason, kept"


def test_a_failed_month_puts_the_plan_past_due_once(client, app):
    donation, subscription = monthly(client)
    first = event("invoice.payment_failed", stripe_history.invoice(donation, subscription, 2))
    again = event("invoice.payment_failed", stripe_history.invoice(donation, subscription, 2))
    deliver(client, first, again)
    assert outcome(first) == ("processed", "plan past due")
    assert outcome(again) == ("processed", "nothing to change")
    db.session.expire_all()
    plan = db.session.execute(select(Plan)).scalar_one()
    assert (plan.status, plan.cancelled_at) == (PlanStatus.PAST_DUE, None)


def test_a_fee_cover_made_after_a_worker_first_asked_is_still_told_from_the_gift(client, app):
    # a worker that read invoices before any donor covered the fees has kept nothing
    assert catalogue.fee_cover_product() is None
    metadata, subscription = a_plan(client)
    cover = catalogue.fee_cover_product()
    assert cover is not None
    db.session.execute(
        update(CatalogueEntry).where(CatalogueEntry.key == catalogue.FEE_COVER).values(key="gone")
    )
    assert catalogue.fee_cover_product() == cover, "once made, the Product is kept"
    items = [
        {"price": {"unit_amount": 1200, "product": "prod_fund"}, "quantity": 1},
        {"price": {"unit_amount": 40, "product": cover}, "quantity": 1},
    ]
    db.session.rollback()
    deliver(client, subscription_event(subscription, metadata, items))
    assert plan_amount() == 1200


# --- what is held, in the words a person reads ------------------------------------------------


def test_a_first_month_of_another_amount_is_held_in_words(client, app):
    donation = factories.checkout(amount_pence=1500, frequency="monthly", email="m@example.org")
    first = {**stripe_history.invoice(donation, "sub_words", 1), "amount_paid": 999}
    sent = event("invoice.paid", first)
    deliver(client, sent)
    assert outcome(sent) == ("held", "the first month's amount differs from the donation")
    assert moves(EntryKind.PAYMENT) == []


def test_news_of_a_payment_for_an_expired_donation_is_held_in_words(client, app):
    monthly_gift = factories.checkout(amount_pence=1500, frequency="monthly", email="m@x.org")
    one_off = factories.checkout(amount_pence=2500, email="o@example.org")
    lifecycle.mark_expired(monthly_gift)
    lifecycle.mark_expired(one_off)
    db.session.commit()
    invoice = event("invoice.paid", stripe_history.invoice(monthly_gift, "sub_late", 1))
    session = event(
        "checkout.session.completed", stripe_history.session(one_off, payment_intent="pi_late")
    )
    deliver(client, invoice, session)
    assert outcome(invoice) == ("held", "a paid invoice for a donation that is expired")
    assert outcome(session) == ("held", "a paid session for a donation that is expired")
    assert moves(EntryKind.PAYMENT) == []


def test_a_paid_monthly_session_naming_no_invoice_waits_for_the_invoice_in_words(client, app):
    donation = factories.checkout(amount_pence=1500, frequency="monthly", email="m@example.org")
    paid = {**stripe_history.session(donation), "invoice": None, "subscription": "sub_wait"}
    sent = event("checkout.session.completed", paid)
    deliver(client, sent)
    assert outcome(sent) == ("processed", "paid: the first month is recorded from its invoice")
    assert moves(EntryKind.PAYMENT) == []


def test_a_month_paid_after_a_failed_one_makes_the_plan_active_again_noted_by_its_event(
    client, app
):
    donation, subscription = monthly(client)
    failed = event("invoice.payment_failed", stripe_history.invoice(donation, subscription, 2))
    deliver(client, failed, next_month(donation, subscription))
    db.session.expire_all()
    changes = db.session.execute(select(PlanChange).order_by(PlanChange.id)).scalars().all()
    assert [(c.status, c.note) for c in changes][-2:] == [
        (PlanStatus.PAST_DUE, "invoice.payment_failed"),
        (PlanStatus.ACTIVE, "invoice.paid"),
    ]


def test_a_month_whose_gift_is_nothing_is_held_and_one_of_a_penny_is_counted(client, app):
    donation, subscription = monthly(client, cover=0)
    nothing = next_month(donation, subscription, amount_paid=0)
    penny = {**stripe_history.invoice(donation, subscription, 3), "amount_paid": 1}
    deliver(client, nothing, event("invoice.paid", penny))
    assert outcome(nothing) == ("held", "amount or currency is not a gift in pounds")
    assert moves(EntryKind.PAYMENT) == [1500, 1]


def test_a_monthly_gift_learns_its_subscription_and_customer_from_its_first_invoice(client, app):
    donation = factories.checkout(amount_pence=1500, frequency="monthly", email="m@example.org")
    first = {**stripe_history.invoice(donation, "sub_learnt", 1), "customer": "cus_learnt"}
    deliver(client, event("invoice.paid", first))
    db.session.expire_all()
    plan = db.session.execute(select(Plan)).scalar_one()
    assert (plan.subscription_id, plan.customer_id) == ("sub_learnt", "cus_learnt")
    assert db.session.get(type(donation), donation.id).subscription_id == "sub_learnt"


def test_a_monthly_gifts_plan_knows_its_customer_from_the_checkout_alone(client, app):
    donation = factories.checkout(amount_pence=1500, frequency="monthly", email="m@example.org")
    session = {**stripe_history.session(donation), "subscription": "sub_c", "customer": "cus_c"}
    deliver(client, event("checkout.session.completed", session))
    db.session.expire_all()
    plan = db.session.execute(select(Plan)).scalar_one()
    assert (plan.subscription_id, plan.customer_id) == ("sub_c", "cus_c")
