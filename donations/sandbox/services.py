"""The sandbox's side of a payment: test cards, Bacs, and the signed events Stripe would send."""

import json
import secrets
import time

from flask import current_app

from donations.extensions import db
from donations.gifts import services as gifts
from donations.payments.gateway import API_VERSION
from donations.payments.webhooks import Answer, receive
from donations.sandbox.gateway import public_view
from donations.sandbox.models import SandboxSession
from donations.sandbox.signing import signature_header

SUCCEEDS = "4242424242424242"
CARD_OUTCOMES = {
    SUCCEEDS: None,
    "4000000000000002": "Your card was declined. No money has been taken. "
    "Please try another card or pay by Direct Debit.",
    "4000000000009995": "Your card has insufficient funds. No money has been taken. "
    "Please try another card or pay by Direct Debit.",
}


class SandboxError(ValueError):
    pass


def session_row(session_id: str) -> SandboxSession | None:
    if not session_id or len(session_id) > 64:
        return None
    return db.session.get(SandboxSession, session_id)


def card_problem(number: str) -> str | None:
    """None for the card that succeeds; otherwise what the donor is told."""
    digits = "".join(number.split())
    if digits not in CARD_OUTCOMES:
        return (
            "That is not one of the sandbox's test cards. "
            "Use 4242 4242 4242 4242 for a payment that succeeds."
        )
    return CARD_OUTCOMES[digits]


def _stripe_id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


def _update(row: SandboxSession, **changes) -> dict:
    row.data = {**row.data, **changes}
    return public_view(row.data)


def emit(event_type: str, obj: dict) -> Answer:
    """Sign a Stripe-shaped event and pass it through the real webhook path."""
    event = {
        "id": _stripe_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
        "data": {"object": obj},
    }
    payload = json.dumps(event).encode()
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    return receive(payload, signature_header(payload, secret))


def _completion(row: SandboxSession, paid: bool) -> dict:
    monthly = row.data["mode"] == "subscription"
    return {
        "status": "complete",
        "payment_status": "paid" if paid else "unpaid",
        "customer": _stripe_id("cus"),
        "payment_intent": None if monthly else _stripe_id("pi"),
        "subscription": _stripe_id("sub") if monthly else None,
        "invoice": _stripe_id("in") if monthly else None,
    }


def _complete(row: SandboxSession, paid: bool) -> None:
    if row.data["status"] != "open":
        raise SandboxError("This checkout is no longer open.")
    emit("checkout.session.completed", _update(row, **_completion(row, paid=paid)))


def pay_by_card(row: SandboxSession, card_number: str) -> str | None:
    """Complete the session with a test card; returns the donor-facing problem, if any."""
    problem = card_problem(card_number)
    if problem:
        return problem
    _complete(row, paid=True)
    return None


def pay_by_bacs(row: SandboxSession) -> None:
    """Bacs Direct Debit: the session completes unpaid until the collection settles."""
    _complete(row, paid=False)


def _pending_row(reference: str) -> SandboxSession:
    donation = gifts.by_reference(reference)
    if donation is None or not donation.checkout_session_id:
        raise SandboxError(f"No sandbox payment for donation {reference}.")
    row = session_row(donation.checkout_session_id)
    if row is None:
        raise SandboxError(f"Donation {reference} was not paid through the sandbox.")
    if (
        row.data["status"] != "complete"
        or row.data["payment_status"] != "unpaid"
        or row.data.get("sandbox_collection")
    ):
        raise SandboxError(f"Donation {reference} has no Direct Debit waiting to settle.")
    return row


def settle(reference: str) -> Answer:
    row = _pending_row(reference)
    session = _update(row, payment_status="paid", sandbox_collection="settled")
    return emit("checkout.session.async_payment_succeeded", session)


def fail(reference: str) -> Answer:
    row = _pending_row(reference)
    return emit("checkout.session.async_payment_failed", _update(row, sandbox_collection="failed"))
