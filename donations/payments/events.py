"""Stripe webhook events: verified, recorded once, and applied through one table of handlers."""

import json
from dataclasses import dataclass

import stripe
from flask import current_app
from sqlalchemy.exc import IntegrityError

from donations.extensions import db
from donations.giving import services as giving
from donations.giving.models import Donation
from donations.payments.models import StripeEvent

TOLERANCE_SECONDS = 300


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict


class BadEvent(ValueError):
    pass


def _parse(payload: bytes) -> dict:
    try:
        event = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadEvent("The body is not JSON.") from error
    if not isinstance(event, dict):
        raise BadEvent("The body is not an event object.")
    data = event.get("data")
    if (
        not isinstance(event.get("id"), str)
        or not event["id"]
        or len(event["id"]) > 255
        or not isinstance(event.get("type"), str)
        or len(event["type"]) > 100
        or not isinstance(data, dict)
        or not isinstance(data.get("object"), dict)
    ):
        raise BadEvent("The event lacks an id, a type or data.object.")
    return event


def receive(payload: bytes, signature: str | None) -> Answer:
    """Verify, record and apply one delivery. The caller commits."""
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8", "replace"),
            signature or "",
            current_app.config["STRIPE_WEBHOOK_SECRET"],
            TOLERANCE_SECONDS,
        )
    except stripe.SignatureVerificationError:
        return Answer(400, {"error": "bad_signature", "message": "Signature check failed."})
    try:
        event = _parse(payload)
    except BadEvent as error:
        return Answer(400, {"error": "malformed", "message": str(error)})

    if db.session.get(StripeEvent, event["id"]) is not None:
        return Answer(200, {"received": True, "duplicate": True})
    record = StripeEvent(
        id=event["id"], type=event["type"], outcome="received", payload=payload.decode("utf-8")
    )
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:  # the same event, delivered at the same moment, got there first
        return Answer(200, {"received": True, "duplicate": True})

    handler = HANDLERS.get(event["type"])
    if handler is None:
        record.outcome, record.note = "ignored", "event type not handled"
    else:
        record.outcome, record.note = handler(event["data"]["object"])
    db.session.flush()
    return Answer(200, {"received": True, "outcome": record.outcome})


def _id_of(value) -> str | None:
    """Stripe sends a related object as its id, or expanded as an object with one."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and 0 < len(value) <= 255 else None


def donation_for_session(session: dict) -> Donation | None:
    metadata = session.get("metadata") or {}
    for reference in (metadata.get("donation_reference"), session.get("client_reference_id")):
        if isinstance(reference, str) and (donation := giving.by_reference(reference)):
            return donation
    return giving.by_checkout_session(_id_of(session.get("id")) or "")


def _locked_donation(session: dict) -> Donation | None:
    donation = donation_for_session(session)
    return None if donation is None else giving.lock(donation)


def _remember_stripe_ids(donation: Donation, session: dict) -> None:
    donation.checkout_session_id = donation.checkout_session_id or _id_of(session.get("id"))
    donation.payment_intent_id = _id_of(session.get("payment_intent")) or donation.payment_intent_id
    donation.subscription_id = _id_of(session.get("subscription")) or donation.subscription_id
    donation.customer_id = _id_of(session.get("customer")) or donation.customer_id


def _payment_ref(session: dict) -> str:
    """A one-off payment is keyed by its PaymentIntent, a monthly one by its Invoice."""
    key = "invoice" if session.get("mode") == "subscription" else "payment_intent"
    return _id_of(session.get(key)) or f"checkout:{_id_of(session.get('id'))}"


def _pay(donation: Donation, session: dict) -> tuple[str, str]:
    if donation.status == "paid":
        return "processed", "already paid"
    if not giving.can_move(donation, "paid"):
        return "held", f"a paid session for a donation that is {donation.status}"
    giving.mark_paid(donation, _payment_ref(session))
    return "processed", "paid"


def apply_checkout_session(session: dict) -> tuple[str, str]:
    """Bring a donation up to date with its Checkout Session, from any path that sees it."""
    donation = _locked_donation(session)
    if donation is None:
        return "ignored", "no donation of ours"
    if (
        session.get("currency") != "gbp"
        or session.get("amount_total") != donation.total_charged_pence
    ):
        return "held", "amount or currency differs from the donation"
    _remember_stripe_ids(donation, session)
    if session.get("payment_status") in ("paid", "no_payment_required"):
        return _pay(donation, session)
    if session.get("status") == "complete" and donation.status == "created":
        giving.mark_pending(donation)
        return "processed", "pending"
    return "processed", f"nothing to change (donation is {donation.status})"


def _closing(status: str, mark):
    """A handler that ends an unpaid donation (failed Direct Debit, expired session)."""

    def handle(session: dict) -> tuple[str, str]:
        donation = _locked_donation(session)
        if donation is None:
            return "ignored", "no donation of ours"
        if not giving.can_move(donation, status):
            return "processed", f"nothing to change (donation is {donation.status})"
        mark(donation)
        return "processed", status

    return handle


HANDLERS = {
    "checkout.session.completed": apply_checkout_session,
    "checkout.session.async_payment_succeeded": apply_checkout_session,
    "checkout.session.async_payment_failed": _closing("failed", giving.mark_failed),
    "checkout.session.expired": _closing("expired", giving.mark_expired),
}
