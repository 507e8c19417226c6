"""Every call to Stripe goes through here: the real client, or the sandbox standing in for it."""

import secrets
import time
from dataclasses import dataclass

import stripe
from flask import current_app, url_for
from sqlalchemy import select

from donations.extensions import db
from donations.payments.models import SandboxSession

#: pinned: the version this stripe-python release ships; set the webhook endpoint to match
API_VERSION = stripe.api_version


#: what the sandbox keeps beside a session that Stripe's session object does not carry
SANDBOX_ONLY = {"line_items", "sandbox_collection"}


class GatewayError(RuntimeError):
    """The payment provider could not be reached or refused the request."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


class StripeGateway:
    def __init__(self, api_key: str, api_base: str | None = None):
        self.client = stripe.StripeClient(
            api_key,
            stripe_version=API_VERSION,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=2,
        )

    def create_checkout_session(self, params: dict, idempotency_key: str) -> CheckoutSession:
        try:
            session = self.client.v1.checkout.sessions.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error
        return CheckoutSession(id=session.id, url=session.url)

    def retrieve_checkout_session(self, session_id: str) -> dict:
        try:
            return self.client.v1.checkout.sessions.retrieve(session_id).to_dict()
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error


class SandboxGateway:
    """Stands in for Stripe's servers when there is no key: sessions live in the database."""

    def create_checkout_session(self, params: dict, idempotency_key: str) -> CheckoutSession:
        existing = db.session.execute(
            select(SandboxSession).where(SandboxSession.idempotency_key == idempotency_key)
        ).scalar_one_or_none()
        if existing is not None:
            return CheckoutSession(id=existing.id, url=existing.data["url"])
        session_id = "cs_test_" + secrets.token_hex(16)
        amount = sum(
            item["price_data"]["unit_amount"] * item["quantity"] for item in params["line_items"]
        )
        now = int(time.time())
        data = {
            "id": session_id,
            "object": "checkout.session",
            "mode": params["mode"],
            "status": "open",
            "payment_status": "unpaid",
            "amount_subtotal": amount,
            "amount_total": amount,
            "currency": "gbp",
            "client_reference_id": params.get("client_reference_id"),
            "customer": None,
            "customer_email": params.get("customer_email"),
            "metadata": params.get("metadata", {}),
            "payment_intent": None,
            "subscription": None,
            "invoice": None,
            "submit_type": params.get("submit_type"),
            "success_url": params["success_url"],
            "cancel_url": params["cancel_url"],
            "url": url_for("sandbox.checkout", session_id=session_id, _external=True),
            "livemode": False,
            "created": now,
            "expires_at": now + 24 * 3600,
            "line_items": params["line_items"],
        }
        db.session.add(SandboxSession(id=session_id, idempotency_key=idempotency_key, data=data))
        db.session.flush()
        return CheckoutSession(id=session_id, url=data["url"])

    def retrieve_checkout_session(self, session_id: str) -> dict:
        row = db.session.get(SandboxSession, session_id)
        if row is None:
            raise GatewayError(f"No such checkout.session: {session_id}")
        return sandbox_public_view(row.data)


def sandbox_public_view(data: dict) -> dict:
    """A sandbox session as Stripe would show it, without the sandbox's own notes."""
    return {key: value for key, value in data.items() if key not in SANDBOX_ONLY}


def gateway() -> StripeGateway | SandboxGateway:
    return current_app.extensions["payment_gateway"]


def gateway_for(config: dict) -> StripeGateway | SandboxGateway:
    if config["SANDBOX"]:
        return SandboxGateway()
    return StripeGateway(config["STRIPE_SECRET_KEY"], config["STRIPE_API_BASE"])
