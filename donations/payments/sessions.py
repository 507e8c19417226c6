"""Applying a Checkout Session to its donation: one service for every path that sees a
session (its webhooks, the thank-you page asking Stripe, reconcile). Stripe's session is read
here into a report; what the report means for the donation is decided in gifts.checkout."""

from donations.gifts import services as gifts
from donations.gifts.checkout import CheckoutReport, apply_checkout
from donations.gifts.models import Donation, DonationStatus
from donations.gifts.outcome import Outcome, ignored
from donations.payments import provider_payments
from donations.payments.objects import id_of
from donations.payments.webhooks.held import replay_for_payment

NOT_OURS = "no donation of ours"


def donation_for_session(session: dict, *, for_update: bool = False) -> Donation | None:
    """Ours if its metadata or client reference names a donation, or we know its id."""
    metadata = session.get("metadata") or {}
    for reference in (metadata.get("donation_reference"), session.get("client_reference_id")):
        if isinstance(reference, str):
            donation = gifts.by_reference(reference, for_update=for_update)
            if donation is not None:
                return donation
    donation = gifts.by_checkout_session(id_of(session.get("id")))
    return gifts.lock(donation) if donation is not None and for_update else donation


def locked_donation(session: dict) -> Donation | None:
    return donation_for_session(session, for_update=True)


def _payment_ref(session: dict) -> str | None:
    """A one-off payment is keyed by its PaymentIntent, a monthly one by its Invoice (never
    by the session: the invoice of the first month is then recorded from invoice.paid)."""
    if session.get("mode") == "subscription":
        return id_of(session.get("invoice"))
    return id_of(session.get("payment_intent")) or f"checkout:{id_of(session.get('id'))}"


def report_of(session: dict) -> CheckoutReport:
    amount = session.get("amount_total")
    return CheckoutReport(
        session_id=id_of(session.get("id")),
        currency=session.get("currency"),
        amount_total=amount if isinstance(amount, int) else None,
        paid=session.get("payment_status") == "paid",
        complete=session.get("status") == "complete",
        payment_ref=_payment_ref(session),
        payment_intent_id=id_of(session.get("payment_intent")),
        subscription_id=id_of(session.get("subscription")),
        customer_id=id_of(session.get("customer")),
    )


def apply_checkout_session(session: dict) -> Outcome:
    """Bring a donation up to date with its Checkout Session, from any path that sees it."""
    donation = locked_donation(session)
    if donation is None:
        return ignored(NOT_OURS)
    report = report_of(session)
    outcome = apply_checkout(donation, report)
    if report.payment_ref and donation.status == DonationStatus.PAID:
        recurring = session.get("mode") == "subscription"
        noted = provider_payments.note_payment(
            report.payment_ref,
            payment_intent_id=None if recurring else report.payment_intent_id,
            invoice_id=report.payment_ref if recurring else None,
        )
        replay_for_payment(noted)
    return outcome
