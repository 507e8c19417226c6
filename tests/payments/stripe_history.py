"""A scripted history of Stripe events for one set of gifts, as Stripe would send them:
payments one-off and monthly, renewals, partial refunds, disputes lost and won, Direct Debits
failed and settled, a plan cancelled. Shared by the history, reconcile and benchmark tests."""

import itertools
import time
from dataclasses import dataclass, field

from tests.payments import stripe_shapes as shapes

_ids = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}_hist_{next(_ids):05d}"


@dataclass
class History:
    events: list[dict] = field(default_factory=list)

    def add(self, event_type: str, obj: dict) -> dict:
        event = {
            "id": _id("evt"),
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "api_version": "2026-10-28.endive",
            "livemode": False,
            "data": {"object": obj},
        }
        self.events.append(event)
        return event


def session(donation, **fields) -> dict:
    return {
        **shapes.checkout_session(),
        "id": donation.checkout_session_id,
        "object": "checkout.session",
        "mode": "subscription" if donation.recurring else "payment",
        "status": "complete",
        "payment_status": "paid",
        "currency": "gbp",
        "amount_total": donation.total_charged_pence,
        "client_reference_id": donation.reference,
        "metadata": {"donation_reference": donation.reference},
        "customer": "cus_hist",
        "payment_intent": None,
        "subscription": None,
        "invoice": None,
        **fields,
    }


def card_gift(history: History, donation) -> str:
    """A one-off gift paid by card; returns its PaymentIntent."""
    payment_intent = _id("pi")
    history.add("checkout.session.completed", session(donation, payment_intent=payment_intent))
    return payment_intent


def charge(payment_intent: str, amount: int, refunds: list[dict]) -> dict:
    return {
        **shapes.charge(),
        "id": f"ch_{payment_intent}",
        "object": "charge",
        "amount": amount,
        "amount_refunded": sum(r["amount"] for r in refunds),
        "currency": "gbp",
        "payment_intent": payment_intent,
        "refunds": {"object": "list", "data": refunds, "has_more": False},
    }


def partial_refunds(history: History, payment_intent: str, amount: int, parts: list[int]):
    """Refunds one after another; each charge.refunded lists every refund so far."""
    refunds = []
    for part in parts:
        refund = {
            **shapes.refund(),
            "id": _id("re"),
            "object": "refund",
            "amount": part,
            "charge": f"ch_{payment_intent}",
            "payment_intent": payment_intent,
            "status": "succeeded",
            "currency": "gbp",
        }
        refunds.append(refund)
        history.add("charge.refunded", charge(payment_intent, amount, list(refunds)))
        history.add("refund.created", refund)


def dispute(history: History, payment_intent: str, amount: int, won: bool):
    dispute_id = _id("du")
    base = {
        **shapes.dispute(),
        "id": dispute_id,
        "object": "dispute",
        "amount": amount,
        "currency": "gbp",
        "charge": f"ch_{payment_intent}",
        "payment_intent": payment_intent,
        "status": "needs_response",
        "balance_transactions": [],
    }
    withdrawal = {"id": _id("txn"), "amount": -amount, "fee": 2000}
    history.add("charge.dispute.created", base)
    history.add(
        "charge.dispute.funds_withdrawn",
        {**base, "status": "under_review", "balance_transactions": [withdrawal]},
    )
    if won:
        back = {"id": _id("txn"), "amount": amount, "fee": 0}
        moved = [withdrawal, back]
        history.add("charge.dispute.funds_reinstated", {**base, "balance_transactions": moved})
        history.add(
            "charge.dispute.closed", {**base, "status": "won", "balance_transactions": moved}
        )
    else:
        history.add(
            "charge.dispute.closed",
            {**base, "status": "lost", "balance_transactions": [withdrawal]},
        )


def invoice(donation, subscription: str, number: int) -> dict:
    invoice_id = f"in_{subscription}_{number}"
    # a gift with fee cover has two lines, one for the cover's Product: the tests that need
    # them write them; here such a month is told by its amount alone
    lines = (
        []
        if donation.fee_cover_pence
        else [shapes.invoice_line(donation.amount_pence, invoice_id, subscription)]
    )
    return {
        **shapes.invoice(),
        "lines": {"object": "list", "data": lines, "has_more": False, "url": "/v1/lines"},
        "id": invoice_id,
        "object": "invoice",
        "customer": "cus_hist",
        "currency": "gbp",
        "amount_paid": donation.total_charged_pence,
        "status": "paid",
        "billing_reason": "subscription_create" if number == 1 else "subscription_cycle",
        "parent": {
            "type": "subscription_details",
            "subscription_details": {
                "subscription": subscription,
                "metadata": {"donation_reference": donation.reference},
            },
        },
        "payments": {
            "object": "list",
            "data": [
                {
                    "object": "invoice_payment",
                    "status": "paid",
                    "payment": {
                        "type": "payment_intent",
                        "payment_intent": f"pi_{subscription}_{number}",
                    },
                }
            ],
        },
        "status_transitions": {"paid_at": int(time.time()) + number * 30 * 24 * 3600},
    }


def monthly_gift(history: History, donation, months: int, cancel: bool) -> str:
    subscription = _id("sub")
    history.add(
        "checkout.session.completed",
        session(donation, subscription=subscription, invoice=f"in_{subscription}_1"),
    )
    for number in range(1, months + 1):
        history.add("invoice.paid", invoice(donation, subscription, number))
    if cancel:
        history.add(
            "customer.subscription.deleted",
            {
                **shapes.subscription(),
                "id": subscription,
                "object": "subscription",
                "customer": "cus_hist",
                "status": "canceled",
                "metadata": {"donation_reference": donation.reference},
                "items": {
                    "object": "list",
                    "data": [shapes.subscription_item(donation.amount_pence, subscription)],
                },
            },
        )
    return subscription


def direct_debit(history: History, donation, settles: bool) -> None:
    payment_intent = _id("pi")
    unpaid = session(donation, payment_status="unpaid", payment_intent=payment_intent)
    history.add("checkout.session.completed", unpaid)
    if settles:
        history.add(
            "checkout.session.async_payment_succeeded", {**unpaid, "payment_status": "paid"}
        )
    else:
        history.add("checkout.session.async_payment_failed", unpaid)


def scripted(donations: dict) -> History:
    """The issue's history: a first payment and three renewals, two partial refunds of one
    gift, a dispute lost, another won, a Bacs gift failed and one settled, a cancelled plan."""
    global _ids  # noqa: PLW0603  (the same ids each time the same history is written)
    _ids = itertools.count(1)
    history = History()
    monthly_gift(history, donations["monthly"], months=4, cancel=True)
    refunded = card_gift(history, donations["refunded"])
    partial_refunds(history, refunded, donations["refunded"].total_charged_pence, [1000, 500])
    lost = card_gift(history, donations["lost"])
    dispute(history, lost, donations["lost"].total_charged_pence, won=False)
    won = card_gift(history, donations["won"])
    dispute(history, won, donations["won"].total_charged_pence, won=True)
    direct_debit(history, donations["failed"], settles=False)
    direct_debit(history, donations["settled"], settles=True)
    return history
