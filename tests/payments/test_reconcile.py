"""Webhooks lost for a whole day: reconcile restores exactly what was missed from Stripe's
own lists, and a second run changes nothing. Payouts match to the penny, or say why not."""

import time

import pytest
from sqlalchemy import func, select

from donations.extensions import db
from donations.ledger.models import LedgerEntry
from donations.ledger.totals import drift
from donations.money import format_gbp
from donations.payments.models import ProviderPayment, StripeEvent
from donations.payments.webhooks import held
from donations.payments.webhooks.registry import HANDLERS
from tests import factories
from tests.payments import stripe_history
from tests.support import signed_event

TODAY = time.strftime("%Y-%m-%d")


@pytest.fixture
def app(stripe_app):
    return stripe_app


def gifts() -> dict:
    return {
        "monthly": factories.checkout(
            amount_pence=1000, frequency="monthly", gift_aid=True, email="m@example.org"
        ),
        "refunded": factories.checkout(amount_pence=5000, email="r@example.org"),
        "lost": factories.checkout(amount_pence=2500, email="l@example.org"),
        "won": factories.checkout(amount_pence=2000, email="w@example.org"),
        "failed": factories.checkout(amount_pence=3000, email="f@example.org"),
        "settled": factories.checkout(amount_pence=4000, email="s@example.org"),
    }


def deliver(client, events) -> None:
    for event in events:
        payload, headers = signed_event(event)
        assert client.post("/stripe/webhook", data=payload, headers=headers).status_code == 200


def ledger() -> list[tuple]:
    db.session.expire_all()
    return sorted(
        (e.kind, e.amount_pence, e.source_ref)
        for e in db.session.execute(select(LedgerEntry)).scalars()
    )


def test_a_day_of_lost_webhooks_is_restored_exactly_and_only_once(
    app, client, runner, fake_stripe, reset_database
):
    history = stripe_history.scripted(gifts())
    deliver(client, history.events)
    expected = ledger()

    db.session.rollback()
    reset_database(app)
    history = stripe_history.scripted(gifts())
    delivered, lost = history.events[:5], history.events[5:]
    deliver(client, delivered)
    fake_stripe.lists["events"] = history.events[::-1]  # Stripe lists the newest first
    before = ledger()
    assert before != expected

    dry = runner.invoke(args=["payments", "reconcile", "--since", TODAY])
    assert dry.exit_code == 0, dry.output
    assert f"{len(lost)} changes (dry run)." in dry.output
    assert ledger() == before, "a dry run changes nothing"

    applied = runner.invoke(args=["payments", "reconcile", "--since", TODAY, "--yes"])
    assert applied.exit_code == 0, applied.output
    assert ledger() == expected
    assert drift() == []

    again = runner.invoke(args=["payments", "reconcile", "--since", TODAY, "--yes"])
    assert again.exit_code == 0
    assert "0 changes." in again.output
    assert ledger() == expected


def paid_by_card(client, amount_pence: int, email: str) -> tuple[str, str]:
    """A one-off gift paid through its webhook; returns (payment intent, charge)."""
    history = stripe_history.History()
    payment_intent = stripe_history.card_gift(
        history, factories.checkout(amount_pence=amount_pence, email=email)
    )
    deliver(client, history.events)
    return payment_intent, f"ch_{payment_intent}"


def charge_transaction(charge: str, payment_intent: str, amount: int, payout: str) -> dict:
    fee = amount * 15 // 1000 + 20
    return {
        "id": f"txn_{charge}",
        "object": "balance_transaction",
        "type": "charge",
        "amount": amount,
        "fee": fee,
        "net": amount - fee,
        "currency": "gbp",
        "source": {"id": charge, "object": "charge", "payment_intent": payment_intent},
        "payout": payout,
        "created": int(time.time()),
    }


def test_each_payout_matches_to_the_penny_or_names_what_does_not(
    app, client, runner, fake_stripe, tmp_path
):
    first = paid_by_card(client, 2500, "a@example.org")
    second = paid_by_card(client, 5000, "b@example.org")
    history = stripe_history.History()
    stripe_history.partial_refunds(history, second[0], 5000, [1200])
    deliver(client, history.events)
    refund_id = history.events[0]["data"]["object"]["refunds"]["data"][0]["id"]

    matched = [
        charge_transaction(first[1], first[0], 2500, "po_1"),
        charge_transaction(second[1], second[0], 5000, "po_1"),
        {
            "id": "txn_refund",
            "object": "balance_transaction",
            "type": "refund",
            "amount": -1200,
            "fee": 0,
            "net": -1200,
            "source": refund_id,
            "payout": "po_1",
            "created": int(time.time()),
        },
    ]
    stranger = charge_transaction("ch_stranger", "pi_stranger", 1000, "po_2")
    fake_stripe.lists["balance_transactions"] = [*matched, stranger]
    net = sum(t["net"] for t in matched)
    fake_stripe.lists["payouts"] = [
        {"id": "po_1", "object": "payout", "amount": net, "created": int(time.time())},
        {"id": "po_2", "object": "payout", "amount": stranger["net"], "created": int(time.time())},
    ]

    out = tmp_path / "payouts.csv"
    result = runner.invoke(args=["payments", "payouts", "--since", TODAY, "--csv", str(out)])
    assert (
        f"po_1: {format_gbp(net)} paid out, transactions net {format_gbp(net)}, "
        "difference £0.00: matches" in result.output
    )
    assert "po_2" in result.output
    assert "DOES NOT MATCH" in result.output
    assert "not in our records: charge txn_ch_stranger" in result.output
    assert result.exit_code == 1, "a payout that does not match is not hidden"
    bare = runner.invoke(args=["payments", "payouts"])
    assert bare.output == result.output, "without --since: the last 30 days"
    lines = out.read_text().splitlines()
    assert lines[0].startswith("payout,transaction,type,amount,fee,net,ours")
    assert any("NOT IN OUR RECORDS" in line for line in lines)
    fees = db.session.execute(
        select(func.count()).where(
            ProviderPayment.payout_id == "po_1", ProviderPayment.fee_pence.is_not(None)
        )
    ).scalar_one()
    assert fees == 2, "each matched payment now knows its fee, net and payout"


def test_reconcile_gives_each_payment_its_fee_and_net_once(app, client, runner, fake_stripe):
    payment_intent, charge = paid_by_card(client, 2500, "fee@example.org")
    fake_stripe.lists["balance_transactions"] = [
        charge_transaction(charge, payment_intent, 2500, None)
    ]
    first = runner.invoke(args=["payments", "reconcile", "--since", TODAY, "--yes"])
    assert f"Applied fee: {payment_intent}: fee 57, net 2443" in first.output
    known = db.session.execute(select(ProviderPayment)).scalar_one()
    assert (known.charge_id, known.fee_pence, known.net_pence) == (charge, 57, 2443)
    second = runner.invoke(args=["payments", "reconcile", "--since", TODAY, "--yes"])
    assert "0 changes." in second.output


def test_replay_held_applies_what_waited_for_a_payment_recorded_another_way(app, client, runner):
    """A refund held for its payment; the payment then recorded by the thank-you page path."""
    donation = factories.checkout(amount_pence=3000, email="held@example.org")
    history = stripe_history.History()
    payment_intent = stripe_history.card_gift(history, donation)
    stripe_history.partial_refunds(history, payment_intent, 3000, [700])
    completed, refunded, _ = history.events
    deliver(client, [refunded])
    assert (
        db.session.execute(select(func.count()).where(LedgerEntry.kind == "refund")).scalar_one()
        == 0
    )
    deliver(client, [completed])  # the payment arrives: what waited for it applies at once
    assert ledger()[-1][:2] == ("refund", -700)
    result = runner.invoke(args=["payments", "replay-held"])
    assert "0 held events applied." in result.output
    assert drift() == []


def test_replay_held_applies_a_refund_whose_payment_came_by_a_path_that_does_not_replay(
    app, client, runner
):
    """A payment recorded straight in the gift domain (as an import or a repair would) leaves
    the refund held for it waiting: replay-held applies it, once, and marks it applied."""
    held_for = "pi_recorded_elsewhere"
    history = stripe_history.History()
    stripe_history.partial_refunds(history, held_for, 3000, [700])
    refunded = history.events[0]
    deliver(client, [refunded])
    event = db.session.get(StripeEvent, refunded["id"])
    assert (event.outcome, event.waiting_for, event.applied_at) == ("held", held_for, None)
    assert event.note == "its payment is not recorded yet"

    factories.payment(amount_pence=3000, source_ref=held_for)
    first = runner.invoke(args=["payments", "replay-held"])
    assert "1 held event applied." in first.output
    db.session.expire_all()
    event = db.session.get(StripeEvent, refunded["id"])
    assert event.outcome == "processed"
    assert event.applied_at is not None
    assert ledger()[-1][:2] == ("refund", -700)
    second = runner.invoke(args=["payments", "replay-held"])
    assert "0 held events applied." in second.output
    assert drift() == []


def test_a_refund_that_names_no_payment_is_not_ours_and_is_not_held(app, client):
    refund = {"id": "re_foreign", "object": "refund", "amount": 500, "status": "succeeded"}
    event = {"id": "evt_foreign", "object": "event", "type": "refund.updated"}
    event["data"] = {"object": refund}
    deliver(client, [event])
    stored = db.session.get(StripeEvent, event["id"])
    assert (stored.outcome, stored.note, stored.waiting_for) == (
        "ignored",
        "no payment of ours",
        None,
    )


def held_refund(client, payment_intent: str, refund_id: str) -> dict:
    refund = {
        "id": refund_id,
        "object": "refund",
        "amount": 700,
        "payment_intent": payment_intent,
        "status": "succeeded",
    }
    event = {"id": f"evt_{refund_id}", "object": "event", "type": "refund.updated"}
    event["data"] = {"object": refund}
    deliver(client, [event])
    return event


def test_replay_held_counts_only_what_it_applied_and_leaves_the_rest_waiting(app, client, runner):
    ready = held_refund(client, "pi_recorded_elsewhere", "re_ready")
    still = held_refund(client, "pi_not_yet", "re_still_waiting")
    factories.payment(amount_pence=3000, source_ref="pi_recorded_elsewhere")
    result = runner.invoke(args=["payments", "replay-held"])
    assert "1 held event applied." in result.output
    db.session.expire_all()
    applied, waiting = (
        db.session.get(StripeEvent, ready["id"]),
        db.session.get(StripeEvent, still["id"]),
    )
    assert (applied.outcome, applied.applied_at is not None) == ("processed", True)
    assert (waiting.outcome, waiting.waiting_for, waiting.applied_at) == (
        "held",
        "pi_not_yet",
        None,
    )


def test_a_payment_arriving_retries_only_the_events_that_wait_for_it(app, client, monkeypatch):
    donation = factories.checkout(amount_pence=3000, email="mine@example.org")
    history = stripe_history.History()
    payment_intent = stripe_history.card_gift(history, donation)
    held_refund(client, "pi_someone_else", "re_other")
    held_refund(client, payment_intent, "re_mine")
    retried = []
    handler = HANDLERS["refund.updated"]

    def counting(refund):
        retried.append(refund["id"])
        return handler(refund)

    monkeypatch.setitem(HANDLERS, "refund.updated", counting)
    deliver(client, history.events)
    assert retried == ["re_mine"]
    assert ledger()[-1][:3] == ("refund", -700, "re_mine")
    assert held.replay_for(None, "") == 0, "a payment Stripe names no way has nothing waiting"
